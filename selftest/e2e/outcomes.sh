#!/bin/sh
# Every exit-status outcome, the console's lines for each, the summary,
# and what a test sees: its environment, stdin, process group, TMPDIR.
. "$(dirname "$0")/lib.sh"

mk t/pass 'echo fine'
mk t/fail 'echo "first line"; echo "the reason it failed" >&2; exit 3'
mk t/skip 'echo "needs a GPU"; exit 77'
mk t/hard 'exit 99'
mk t/segv 'kill -SEGV $$'
mk t/abort 'kill -ABRT $$'
mk t/env 'set -e
case "$ASSAY_TEST_ID" in env|t/env) ;; *) echo "ASSAY_TEST_ID=$ASSAY_TEST_ID"; exit 1;; esac
case "$ASSAY_WORKER" in [01]) ;; *) echo "ASSAY_WORKER=$ASSAY_WORKER"; exit 1;; esac
test "$TMPDIR" = "$ASSAY_TMPDIR" && test -d "$TMPDIR" && test -w "$TMPDIR"
echo "$TMPDIR" > '"$W"'/tmpdir-used
touch "$TMPDIR/litter"
test "$(cat)" = ""                      # stdin is /dev/null
pgid=$(cut -d" " -f5 /proc/$$/stat)
test "$pgid" = $$                       # its own process group
sid=$(cut -d" " -f6 /proc/$$/stat)
test "$sid" = $$                        # and its own session
for fd in 3 4 5 6 7 8 9; do             # no fd of assay or its parent
	if [ -e /proc/$$/fd/$fd ]; then echo "fd $fd leaked in"; exit 1; fi
done
'

run_assay run -j2 t 7</dev/null 9</dev/null
expect_rc 1
expect_out "PASS"
expect_out "pass"
expect_out "FAIL"
expect_out "fail: exit code 3"
expect_out "the reason it failed"       # output tail of a failure
expect_out "first line"
expect_out "SKIP"
expect_out "skip: needs a GPU"
expect_out "hard: hard error (exit code 99)"
expect_out "segv: crash (SIGSEGV)"
expect_out "abort: crash (SIGABRT)"
expect_no_out "env:"                   # env passed: no failure line for it
expect_out "failed: 1 fail, 2 crash, 1 error"
expect_last "assay: 2 passed, 4 failed, 1 skipped"
[ -s "$W/tmpdir-used" ] && [ ! -e "$(cat "$W/tmpdir-used")" ]
check $? "the test's TMPDIR is removed afterwards"

# all passing (skips allowed): exit 0
run_assay run t/pass t/skip t/env
expect_rc 0
expect_last "assay: 2 passed, 0 failed, 1 skipped"

# started with SIGCHLD ignored, tests would be reaped unseen: assay
# restores it
env --ignore-signal=CHLD "$ASSAY" run --timeout 20 t/pass >"$W/out" 2>"$W/err"
RC=$?
expect_rc 0 "SIGCHLD ignored by assay's parent"
expect_last "assay: 1 passed, 0 failed, 0 skipped"

# -q: only failures and the summary
run_assay run -q t
expect_no_out "PASS"
expect_out "FAIL"
expect_last "assay: 2 passed, 4 failed, 1 skipped"
finish
