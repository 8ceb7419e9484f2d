#!/bin/sh
# The console: one line per test and no colours when not on a terminal;
# a live progress line and colours on one (run under script(1) for a
# pseudo-terminal); NO_COLOR always wins.
. "$(dirname "$0")/lib.sh"

esc=$(printf '\033')
mk t/a 'exit 0'
mk t/b 'exit 1'
mk t/slow 'sleep 0.5'

run_assay run t
expect_out "PASS"
! grep -q "$esc" "$W/out"
check $? "no escape sequences when stdout is not a terminal"
run_assay run --color=always t
grep -q "${esc}\[31mFAIL" "$W/out"
check $? "--color=always paints FAIL red"
NO_COLOR=1 run_assay run --color=always t
! grep -q "$esc" "$W/out"
check $? "NO_COLOR wins over --color=always"

if ! command -v script >/dev/null 2>&1; then
	echo "# script(1) is missing (package bsdutils): terminal checks skipped"
	finish
fi
script -qec "'$ASSAY' run -j3 t" /dev/null </dev/null >"$W/out" 2>&1
RC=$?
expect_rc 1
grep -q '\[[0-9]/3\] .* running: slow' "$W/out"
check $? "the progress line names the test still running"
grep -q "${esc}\[31mFAIL" "$W/out"
check $? "colours on a terminal"
! grep -q '^PASS' "$W/out"
check $? "passes are counted, not listed, on a terminal"
[ "$(tail -n 1 "$W/out" | tr -d "\r")" = "assay: 2 passed, 1 failed, 0 skipped" ]
check $? "the summary is still the last line"
NO_COLOR=1 script -qec "'$ASSAY' run -j3 t" /dev/null </dev/null >"$W/out" 2>&1
! grep -q "${esc}\[3" "$W/out"
check $? "NO_COLOR: no colours on a terminal either"
# one test, one job: singular words
mk one/only 'exit 0'
run_assay run -j1 --state-dir '' one
expect_out "assay: running 1 test with 1 job"
expect_out "assay: 1 test in "
expect_no_out "1 tests"
finish
