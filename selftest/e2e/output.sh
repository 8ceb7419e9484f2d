#!/bin/sh
# 100 MB of output: the test passes, a failing one shows only its last
# lines, and assay's memory stays bounded.
. "$(dirname "$0")/lib.sh"

mk t/loud 'head -c 100000000 /dev/zero | tr "\0" "x" | fold -w 100'
mk f/loudfail 'head -c 50000000 /dev/zero | tr "\0" "y" | fold -w 100; echo "the very end"; exit 1'
mk f/longline 'head -c 3000000 /dev/zero | tr "\0" "z"; exit 1'

run_maxrss run t
expect_rc 0
expect_last "assay: 1 passed, 0 failed, 0 skipped"
expect_maxrss 32768 "while a test writes 100 MB"

run_assay run --no-isolate-failures --tail-lines 5 f
expect_rc 1
expect_out "the very end"
expect_out "bytes before them: .assay/logs/loudfail.stdout)"
test "$(wc -c <.assay/logs/loudfail.stdout)" -gt 50000000
check $? "the file it names holds the whole output"
[ "$(grep -c '^    | yyyy' "$W/out")" = 5 ]
check $? "only the last 5 lines of a failure are shown"
expect_out "more bytes on this line"
[ "$(wc -c <"$W/out")" -lt 20000 ]
check $? "the console stays short"

rm -r .assay
run_assay run --tail-lines 5 --output-dir "" --state-dir "" f
expect_rc 1
expect_out "bytes before them not shown"
test ! -e .assay
check $? "--output-dir '' (and --state-dir '') keep nothing in .assay"
# --max-log-size: a loud failing test's log keeps its head and tail
mk cap/loud 'i=0; while [ $i -lt 20000 ]; do echo "line $i of the loud test"; i=$((i + 1)); done; exit 1'
run_assay run --state-dir '' --output-dir "$W/caplogs" --max-log-size 64K cap
expect_rc 1
set -- "$W"/caplogs/loud.stdout
sz=$(wc -c <"$1" 2>/dev/null || echo 0)
[ "$sz" -gt 65536 ] && [ "$sz" -lt 65700 ]
check $? "the kept log is 64 KiB and one line ($sz bytes)"
grep -q '^\[\.\.\. assay left out [0-9]* bytes here (--max-log-size 65536) \.\.\.\]$' "$1" &&
	head -n 1 "$1" | grep -qx 'line 0 of the loud test' && tail -n 1 "$1" | grep -qx 'line 19999 of the loud test'
check $? "it says what was left out, between the first and the last lines"
run_assay run --state-dir '' --max-log-size 1 cap
expect_rc 2 "--max-log-size below 4096 is refused"
finish
