#!/bin/sh
# Hung tests are looked at before they are killed (docs/hangs.md): at
# the deadline, two samples of /proc 0.1 s apart (and gdb's backtraces,
# when installed), then SIGTERM. Each fixture has a neutral name, so the
# verdict can only come from what assay saw: two threads deadlocked on
# two mutexes (a), a busy loop (b), a read of a pipe nobody writes (c),
# a sleep (d), a stopped process (e). The verdict joins the reason; the
# table goes to the console's note and the JUnit failure; the look costs
# about 0.1 s; nothing is left alive. Then the rest of the adversarial
# set (100 children left behind, a grandchild holding stdout, closed
# output, 1 GB of output at flat memory, --max-output) and the other
# deadlines: --idle-timeout, --timeout-multiplier, --wrapper's scaling.
. "$(dirname "$0")/lib.sh"

m=6$$
prog1="$ASSAY_BUILDDIR/selftest/hang/prog1"
mkdir -p h
cp "$prog1" h/a
mk h/b 'while :; do :; done'
mk h/c 'mkfifo "$TMPDIR/f"; exec 3<>"$TMPDIR/f"; read x <&3'
mk h/d "sleep ${m}4"
mk h/e "sleep ${m}5 & kill -STOP \$\$"

run_assay run -j5 --no-isolate-failures --timeout 1 --grace 0.5 --no-backtrace --junit "$W/hangs.xml" h
expect_rc 1
grep -q -- "--- assay: looked at before any signal ---" .assay/logs/a.stderr &&
	grep -q "deadlock: all 3 threads wait on a lock" .assay/logs/a.stderr
check $? "the look's report ends the test's stderr log"
expect_out "a: timeout after 1s; deadlock"
expect_out "b: timeout after 1s; busy-loop"
expect_out "c: timeout after 1s; blocked-io"
expect_out "d: timeout after 1s; sleeping"
expect_out "e: timeout after 1s; stopped"
expect_out "note: looked at before any signal: deadlock: all 3 threads wait on a lock"
grep -Eq '^ +[0-9]+ +[0-9]+ +S +0 +futex ' "$W/out"
check $? "the table shows the threads waiting in futex"
grep -Eq '^ +[0-9]+ +[0-9]+ +S +0 +read ' "$W/out"
check $? "the table shows the thread waiting in read"
grep -q 'busy-loop: 1 of 1 thread used' "$W/out"
check $? "the busy loop is seen using CPU"
# timing: deadline 1 s, a 0.1 s look, then SIGTERM ends each (all but e,
# which is stopped, well before the grace period is over)
for t in a b c d e; do
	s=$(sed -n "s/^TIMEOUT *\([0-9.]*\)s  $t: .*/\1/p" "$W/out")
	awk -v s="$s" 'BEGIN { exit !(s != "" && s >= 1.05 && s < 1.6) }'
	check $? "$t ended between 1.05 s and 1.6 s after it started ($s s): looked at, then killed"
done
grep -q 'type="timeout">timeout after 1s; deadlock' "$W/hangs.xml" &&
	grep -q 'looked at before any signal: deadlock' "$W/hangs.xml"
check $? "the JUnit failure holds the verdict and the table"
! grep -q 'leftover process' "$W/err" "$W/out"
check $? "no leftover process reported"
! grep -q 'backtraces of process' "$W/out"
check $? "--no-backtrace: no debugger"
no_process "sleep ${m}"
no_process "$W/h/a"

# --- gdb's backtraces of the deadlocked threads ---
if command -v gdb >/dev/null 2>&1; then
	mkdir -p g && cp h/a g/a
	run_assay run --timeout 1 g
	expect_out "a: timeout after 1s; deadlock"
	expect_out "backtraces of process"
	grep -Eq '^ +#[0-9]+ .*(pthread_mutex_lock|lll_lock_wait)' "$W/out"
	check $? "the backtraces show the threads in pthread_mutex_lock"
	[ "$(grep -c '^ *Thread [0-9]' "$W/out")" = 3 ]
	check $? "all three threads are traced"
	no_process "$W/g/a"
	no_process "gdb --batch"
else
	skip "gdb is not installed: no backtraces to check (ci/setup installs it)"
	skip "gdb is not installed"
	skip "gdb is not installed"
fi

# --- the rest of the adversarial set: 100 children left behind, a
# grandchild holding stdout, a test that closes its output and lives on,
# a gigabyte of output, an output flood ---
mk x/n1 "for i in \$(seq 100); do sleep ${m}9 & done; exit 0"
mk x/n2 "sh -c 'sleep ${m}9; :' & exit 0"
mk x/n3 "exec >&- 2>&-; sleep ${m}9"
mk x/n4 'head -c 1000000000 /dev/zero'
mk x/n5 'exec yes flood'
run_assay run -j5 --timeout 2 --no-backtrace x/n1 x/n2 x/n3
expect_out "n1: leaked-process: left 100 processes running after it exited"
grep -Eq "^ +note: left 100 processes .*; and 92 more$" "$W/out"
check $? "the note names 8 of the 100 and counts the rest"
grep -Eq "n2: leaked-process: left [12] process(es)? running after it exited" "$W/out"
check $? "a grandchild holding stdout is found through its parent, which exited too soon"
expect_out "n3: timeout after 2s; sleeping"
# the pid space wraps around while n1 forks (pid_max reached in a pid
# namespace of its own): the children with smaller pids are its too
RC=77
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	unshare --pid --fork --mount-proc sh -c '
		m=$(cat /proc/sys/kernel/pid_max) &&
		echo $((m - 50)) >/proc/sys/kernel/ns_last_pid || exit 77
		exec "$@"' sh "$ASSAY" run --no-backtrace x/n1 >"$W/out" 2>"$W/err"
	RC=$?
fi
if [ "$RC" = 77 ]; then
	skip "no pid namespace of its own to wrap pids around in (unshare --pid needs root)"
else
	grep -q "n1: leaked-process: left 100 processes running after it exited" "$W/out"
	check $? "all 100 leftovers are found when the pid space wraps around during the test"
fi
# (its own run, with time to spare: a sanitizer build reads slower)
run_maxrss run --timeout 120 --no-backtrace --output-dir '' --max-output 2G x/n4
grep -q '^PASS .* x/n4$' "$W/out"
check $? "a test that writes 1 GB to stdout passes"
expect_maxrss 65536 "while a test printed 1 GB"
no_process "sleep ${m}9"
run_assay run --max-output 1M --no-backtrace x/n5
expect_rc 1
expect_out "x/n5: output-flood: printed more than 1048576 bytes (--max-output); killed"
no_process "yes flood"

# --- --idle-timeout: silence is a hang, output is not ---
mk i/quiet "echo started; sleep ${m}7"
mk i/chatty 'for n in 1 2 3 4 5 6; do echo tick; sleep 0.2; done'
run_assay run -j2 --timeout 10 --idle-timeout 0.6 --no-backtrace i
expect_rc 1
expect_out "quiet: hung: no output for 0.6s (--idle-timeout); sleeping"
grep -q '^PASS .*chatty$' "$W/out"
check $? "a test that prints every 0.2 s outlives an idle timeout of 0.6 s"
s=$(sed -n 's/^TIMEOUT *\([0-9.]*\)s  quiet: .*/\1/p' "$W/out")
awk -v s="$s" 'BEGIN { exit !(s != "" && s >= 0.65 && s < 1.5) }'
check $? "the silent test is stopped 0.6 s after its last output ($s s), not at its 10 s deadline"
no_process "sleep ${m}7"

# --- --timeout-multiplier ---
mk s/slow "sleep ${m}8"
run_assay run --timeout 0.3 --timeout-multiplier 2 --no-backtrace s
expect_out "slow: timeout after 0.6s; sleeping"
expect_out "assay: deadlines were scaled x2: --timeout-multiplier 2"
run_assay run --timeout-multiplier 0 s
expect_rc 2
expect_err "--timeout-multiplier wants a factor above 0"

# --- a test built with a sanitizer: its deadline scaled by what it is ---
printf '%s\n' '#include <unistd.h>' 'int main(void) { for (;;) pause(); }' >"$W/pause.c"
mkdir -p asan
if ! command -v gcc >/dev/null 2>&1 ||
   ! gcc -fsanitize=address -o asan/p "$W/pause.c" >/dev/null 2>&1; then
	skip "gcc cannot build with -fsanitize=address"
	skip "gcc cannot build with -fsanitize=address"
	skip "gcc cannot build with -fsanitize=address"
else
	gcc -o asan/plain "$W/pause.c"
	run_assay run --timeout 0.3 --no-backtrace asan
	expect_out "p: timeout after 0.6s; sleeping"
	expect_out "plain: timeout after 0.3s; sleeping"
	expect_out "assay: the deadlines of 1 test built with AddressSanitizer were scaled x2"
fi

# --- --wrapper: in front of every test, found in PATH, scaled ---
mk wrap/bin/logargs 'printf "%s\n" "$*" >>"$LOGARGS"; shift 2; exec "$@"'
mk wr/one 'echo "one ran: $1"'
LOGARGS=$W/args PATH="$W/wrap/bin:$PATH" run_assay run --wrapper "logargs --flag 'a b'" wr
expect_rc 0
grep -q '^--flag a b .*wr/one$' "$W/args"
check $? "the wrapper ran the test, its words split as a shell would ($(cat "$W/args" 2>/dev/null))"
expect_out "assay: --wrapper: assay does not know how much 'logargs' slows a test"
run_assay run --wrapper "no-such-wrapper-$m -q" wr
expect_rc 2
expect_err "--wrapper: cannot execute 'no-such-wrapper-$m' (not found in PATH)"
run_assay run --wrapper "'unbalanced" wr
expect_rc 2
expect_err "--wrapper ''unbalanced':"
if command -v valgrind >/dev/null 2>&1; then
	mk v/true 'exit 0'
	run_assay run --wrapper 'valgrind --quiet --tool=helgrind' --timeout 2 v
	expect_rc 0
	expect_out "assay: deadlines were scaled x50: --wrapper valgrind (helgrind)"
else
	skip "valgrind is not installed (ci/setup installs it)"
	skip "valgrind is not installed"
fi

# without a deadline nothing is looked at: a quick test is not touched
mk q/quick 'exit 0'
run_assay run q
expect_rc 0
! grep -q 'before any signal' "$W/out"
check $? "a test that ends in time is never looked at"
finish
