#!/bin/sh
# Processes a test leaves running when it exits are found at once, named
# with their command lines, and killed: in its process group (holding
# its output pipe or not), escaped with setsid (assay adopts them as
# subreaper and knows them by the test's ASSAY_TMPDIR), and what they
# started. A test that passed but leaked fails as leaked-process, unless
# --allow-leaks or assay.conf `leaks = allow`; one that failed keeps its
# verdict, with a note. A leftover that hid from all that (a scrubbed
# environment) is still killed by the run's end sweep.
. "$(dirname "$0")/lib.sh"

m=8$$
# a background child in its group, holding the output pipe
mk t/bg "sleep ${m}1 & echo started; exit 0"
# a daemon: new session, output closed; the test waits until it escaped
# (the file made by the shell itself: a touch could still be running)
mk t/daemon "setsid sh -c ': >$W/escaped; exec sleep ${m}2' </dev/null >/dev/null 2>&1 &
while [ ! -e $W/escaped ]; do sleep 0.01; done"
# a failing test that leaks a grandchild through a child that exits
mk t/failing "sh -c 'sleep ${m}3 &'; exit 4"
mk t/ok 'exit 0'

run_assay run -j1 t
expect_rc 1 "leaked processes fail the tests that passed"
expect_out "bg: leaked-process: left 1 process running after it exited"
# (the pid, and the command line it had then: the shell's fork, the
# sleep it became, or only its name while it was exec'ing)
grep -Eq "^ +note: left 1 process running after it exited \(killed\): [0-9]+ (sleep( ${m}1)?|/bin/sh t/bg|bg)$" "$W/out"
check $? "the note names the pid and command line"
expect_out "daemon: leaked-process: left 1 process running after it exited"
grep -Eq "^ +note: .*: [0-9]+ (.*sleep ${m}2|sleep)$" "$W/out"
check $? "the escaped daemon is found (adopted by assay, known by its environment)"
expect_out "failing: exit code 4"
# (the command line of the shell's fork, the sleep it became, or only
# the name, sh or sleep, while it was exec'ing)
grep -Eq "^ +note: left 1 process running after it exited \(killed\): [0-9]+ (.*sleep ${m}3.*|sleep|sh)$" "$W/out"
check $? "a failing test keeps its verdict; its leftover is a note"
grep -q '^PASS .* ok$' "$W/out"
check $? "a test that leaves nothing passes"
! grep -q 'killed leftover process' "$W/out"
check $? "nothing was left for the run's end sweep"
expect_last "assay: 1 passed, 3 failed, 0 skipped"
no_process "sleep ${m}"

# a test that kills its child just before it exits leaves nothing
mk c/killer "sleep ${m}5 & kill -9 \$!; exit 0"
mk c/floods "sleep ${m}6 & exec yes flood"
run_assay run -j1 --max-output 1M c
grep -q '^PASS .* killer$' "$W/out"
check $? "a child killed with SIGKILL as its test ends is dying, not left behind"
expect_out "floods: output-flood:"
! grep -q 'leaked-process\|left 1 process' "$W/out"
check $? "a test stopped for a flood is not judged for leftovers (assay's SIGTERM is killing them)"
no_process "sleep ${m}"

# --allow-leaks, or leaks = allow for one test: killed and noted, passing
run_assay run -j1 --allow-leaks t/bg t/ok
expect_rc 0 "--allow-leaks"
grep -Eq "^ +note: left 1 process running after it exited \(killed\): [0-9]+ (sleep( ${m}1)?|/bin/sh t/bg|bg)$" "$W/out"
check $? "--allow-leaks still names and kills the leftover"
printf '[tests "daemon"]\n\tleaks = allow\n' >"$W/leaks.conf"
rm -f "$W/escaped"
run_assay run -j1 --config "$W/leaks.conf" t/daemon t/bg
expect_rc 1
grep -q '^PASS .* t/daemon$' "$W/out" && grep -q 't/bg: leaked-process:' "$W/out"
check $? "leaks = allow applies to the test it names only"
printf '[tests "*"]\n\tleaks = maybe\n' >"$W/bad-leaks.conf"
run_assay run --config "$W/bad-leaks.conf" t/ok
expect_rc 2
expect_err "leaks = maybe: not a leak rule (want fail or allow)"
no_process "sleep ${m}"

# a leftover that scrubbed its environment and left the session: the
# run's end sweep, as subreaper, still kills it
mk s/hidden "setsid env -i sh -c ': >$W/hid; exec sleep ${m}4' </dev/null >/dev/null 2>&1 &
while [ ! -e $W/hid ]; do sleep 0.01; done"
run_assay run -j1 s
expect_out "killed leftover process"
no_process "sleep ${m}4"

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
