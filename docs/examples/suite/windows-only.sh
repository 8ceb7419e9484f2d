#!/bin/sh
# Exit 77 skips; the last line of output is shown as the reason.
if [ "$(uname -s)" != Windows_NT ]; then
	echo "needs Windows, this is $(uname -s)"
	exit 77
fi
