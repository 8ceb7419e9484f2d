#!/bin/sh
# Each test gets a private, empty TMPDIR that assay removes afterwards.
set -e
echo "hello" > "$TMPDIR/greeting"
[ "$(cat "$TMPDIR/greeting")" = hello ]
echo "wrote and read $TMPDIR/greeting (test $ASSAY_TEST_ID, worker $ASSAY_WORKER)"
