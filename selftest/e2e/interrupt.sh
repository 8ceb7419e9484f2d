#!/bin/sh
# Interrupts: the first SIGINT or SIGTERM stops starting tests, ends the
# running ones (whole process groups), prints the partial summary with
# the count not run, and exits 130; a second one kills at once. Nothing
# is left running.
. "$(dirname "$0")/lib.sh"

m=9$$
mkdir started
for i in 1 2; do
	mk t/run$i "touch $W/started/$i; sleep ${m}$i"
done
mk t/stubborn "trap '' TERM; touch $W/started/s; sleep ${m}3; sleep ${m}3"
for i in 4 5 6; do
	mk t/wait$i "sleep ${m}$i"
done

# wait_started N: until N tests have started (at most 20 s)
wait_started() {
	n=0
	while [ "$(ls started | wc -l)" -lt "$1" ] && [ $n -lt 2000 ]; do
		sleep 0.01
		n=$((n + 1))
	done
}

# start_run CMD...: runs CMD in the background (pid in $pid) and returns
# once three tests are running
start_run() {
	rm -f started/*
	"$@" >"$W/out" 2>"$W/err" &
	pid=$!
	wait_started 3
}

# SIGINT (a background job of sh ignores SIGINT: env resets it)
start_run env --default-signal=INT "$ASSAY" run -j3 --grace 0.5 t
kill -INT $pid
wait $pid
RC=$?
expect_rc 130
expect_out "interrupted by SIGINT; 3 tests cancelled while running, 3 never started"
expect_out "assay: interrupted: stopping 3 running tests, SIGKILL in 0.5s (a second Ctrl-C kills them now)"
grep -q "^CANCEL .*run1: cancelled after [0-9.]*s: the run was interrupted" "$W/out"
check $? "a test killed by the interrupt is cancelled, with how long it ran"
expect_out "wait4: not run: the run was interrupted by SIGINT"
expect_out "; not run: 3; cancelled: 3"
expect_last "assay: 0 passed, 0 failed, 0 skipped"
no_process "sleep ${m}"

# SIGTERM, then a second one while the stubborn test ignores the first
start=$(date +%s)
start_run "$ASSAY" run -j3 --grace 60 --junit "$W/r.xml" t
kill -TERM $pid
sleep 0.2
kill -TERM $pid
wait $pid
RC=$?
expect_rc 130
expect_out "interrupted by SIGTERM"
expect_out "assay: interrupted: killing"
grep -q '<skipped message="cancelled after [0-9.]*s: the run was interrupted" type="cancelled"' "$W/r.xml"
check $? "JUnit: a cancelled test is skipped with type cancelled and how long it ran"
grep -q 'type="not-run"' "$W/r.xml"
check $? "JUnit: a test never started is not-run"
[ $(($(date +%s) - start)) -lt 30 ]
check $? "the second signal did not wait out the 60 s grace period"
no_process "sleep ${m}"

# SIGQUIT (Ctrl-\) stops a run the same way
start_run env --default-signal=QUIT "$ASSAY" run -j3 --grace 0.5 t
kill -QUIT $pid
wait $pid
RC=$?
expect_rc 130
expect_out "interrupted by SIGQUIT"
no_process "sleep ${m}"
finish
