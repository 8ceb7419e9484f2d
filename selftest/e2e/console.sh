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
# off a terminal: a program's passing cases are one line; failures show,
# at most 100 lines a program; -v shows every case
mk cases/ok.t 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"; echo "ok 3 - c # SKIP later"'
mk cases/many.t 'echo 1..150; i=1; while [ $i -le 150 ]; do echo "not ok $i - f$i"; i=$((i + 1)); done'
run_assay run -j1 --state-dir '' cases
expect_out "ok.t: 2 cases passed, 1 skipped"
expect_no_out "ok.t::a"
expect_out "many.t::f100: not ok 100"
expect_no_out "many.t::f101: not ok"
expect_out "... 50 more results of many.t not shown (at most 100 lines a program"
expect_out "many.t: 0 cases passed, 150 failed"
expect_last "assay: 2 passed, 150 failed, 1 skipped"
run_assay run -v -j1 --state-dir '' cases/ok.t
expect_out "ok.t::a"
expect_out "ok.t::b"
finish
