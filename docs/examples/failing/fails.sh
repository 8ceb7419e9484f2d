#!/bin/sh
# A failure: any exit status but 0, 77 and 99. Its last lines are shown.
echo "comparing the answer..."
echo "expected 42, got 41" >&2
exit 1
