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
# signal); what that cannot reach is the test's own children (README)
mk k/direct "touch $W/k-direct; exec sleep ${m}5"
"$ASSAY" run -j1 --state-dir '' k >"$W/out" 2>"$W/err" &
pid=$!
n=0
while [ ! -e "$W/k-direct" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
n=0
while pgrep -f "sleep ${m}5" >/dev/null && [ $n -lt 100 ]; do sleep 0.01; n=$((n + 1)); done
no_process "sleep ${m}5"
finish
