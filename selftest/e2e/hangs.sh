#!/bin/sh
# Hung tests are looked at before they are killed (docs/hangs.md): at
# the deadline, two samples of /proc 0.1 s apart, then SIGTERM. Each
# fixture has a neutral name, so the verdict can only come from what
# assay saw: two threads deadlocked on two mutexes (a), a busy loop (b),
# a read of a pipe nobody writes (c), a sleep (d), a stopped process (e).
# The verdict joins the reason; the table goes to the console's note and
# the JUnit failure; the look costs about 0.1 s; nothing is left alive.
. "$(dirname "$0")/lib.sh"

m=6$$
prog1="$ASSAY_BUILDDIR/selftest/hang/prog1"
mkdir -p h
cp "$prog1" h/a
mk h/b 'while :; do :; done'
mk h/c 'mkfifo "$TMPDIR/f"; exec 3<>"$TMPDIR/f"; read x <&3'
mk h/d "sleep ${m}4"
mk h/e "sleep ${m}5 & kill -STOP \$\$"

run_assay run -j5 --timeout 1 --grace 0.5 --junit "$W/hangs.xml" h
expect_rc 1
expect_out "a: timeout after 1s; deadlock"
expect_out "b: timeout after 1s; busy-loop"
expect_out "c: timeout after 1s; blocked-io"
expect_out "d: timeout after 1s; sleeping"
expect_out "e: timeout after 1s; stopped"
expect_out "note: at the deadline, before any signal: deadlock: all 3 threads wait on a lock"
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
	grep -q 'at the deadline, before any signal: deadlock' "$W/hangs.xml"
check $? "the JUnit failure holds the verdict and the table"
! grep -q 'leftover process' "$W/err" "$W/out"
check $? "no leftover process reported"
no_process "sleep ${m}"
no_process "$W/h/a"

# without a deadline nothing is looked at: a quick test is not touched
mk q/quick 'exit 0'
run_assay run q
expect_rc 0
! grep -q 'before any signal' "$W/out"
check $? "a test that ends in time is never looked at"
finish
