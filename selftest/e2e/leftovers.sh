#!/bin/sh
# Processes a test leaves behind are found and killed, in its process
# group or escaped with setsid; the test's own verdict stands.
. "$(dirname "$0")/lib.sh"

m=8$$
# a background child in its group, holding the output pipe
mk t/bg "sleep ${m}1 & echo started; exit 0"
# a daemon: new session, output closed; the test waits until it escaped
mk t/daemon "setsid sh -c 'touch $W/escaped; exec sleep ${m}2' </dev/null >/dev/null 2>&1 &
while [ ! -e $W/escaped ]; do sleep 0.01; done"
mk t/ok 'exit 0'

run_assay run -j1 t
expect_rc 0 "leftovers do not fail the test"
expect_out "note: left processes behind that hold its output open"
! grep -A1 ' daemon$' "$W/out" | grep -q 'note:'
check $? "the escaped daemon held no pipe, so its test has no note"
expect_out "killed leftover process"
expect_out "started by test daemon"
expect_last "assay: 3 passed, 0 failed, 0 skipped"
no_process "sleep ${m}"

# kill -9 of assay: a test process gets SIGKILL with it (a parent-death
# signal), and its children too (the watchdog kills its process group).
# The next run removes the scratch directory and the partial log it left.
mkdir -p "$W/tmp"
mk k/direct "head -c 300000 /dev/zero | tr '\\0' x; sleep ${m}6 & touch $W/k-direct; exec sleep ${m}5"
TMPDIR=$W/tmp "$ASSAY" run -j1 --state-dir '' --output-dir "$W/logs" k >"$W/out" 2>"$W/err" &
pid=$!
n=0
while [ ! -e "$W/k-direct" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
n=0
while pgrep -f "sleep ${m}[56]" >/dev/null && [ $n -lt 100 ]; do sleep 0.01; n=$((n + 1)); done
no_process "sleep ${m}5"
no_process "sleep ${m}6"
set -- "$W"/tmp/assay-*
[ -d "$1" ] && [ -n "$(ls -A "$W/logs" 2>/dev/null)" ]
check $? "a killed run leaves its scratch directory and a partial log"
mkdir -p "$W/tmp/assay-1-keepme" "$W/tmp/assay-XXXX"    # not provably assay's: kept
mk k2/ok 'exit 0'
TMPDIR=$W/tmp run_assay run --state-dir '' --output-dir "$W/logs" k2
expect_rc 0
expect_out "assay: removed what killed runs left behind: 1 scratch directory, 1 partial log"
[ -z "$(ls -A "$W/logs")" ] && [ "$(ls "$W/tmp" | sort | tr '\n' ' ')" = "assay-1-keepme assay-XXXX " ]
check $? "the next run removed them, and only them (left: $(ls "$W/tmp" | tr '\n' ' '))"
finish
