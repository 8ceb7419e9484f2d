#!/bin/sh
# A test is any executable: exit 0 passes, any other status fails.
[ $((6 * 7)) -eq 42 ] || { echo "6 * 7 is not 42" >&2; exit 1; }
echo "6 * 7 = 42"
