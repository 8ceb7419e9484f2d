#!/bin/sh
# Sanitizer reports in a test's output fail it whatever its exit status
# (docs/sanitizers.md): reports printed by shell fixtures, a TAP program
# with one, a crash after one, a Go panic that is none, the JUnit types,
# and a real AddressSanitizer build when gcc can make one.
. "$(dirname "$0")/lib.sh"

mk t/asan0 'echo "=================================================================" >&2
echo "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x55d4 bp 0x7ffd sp 0x7ffd" >&2
echo "READ of size 4 at 0x602000000010 thread T0" >&2
echo "SUMMARY: AddressSanitizer: heap-use-after-free t.c:9 in main" >&2
exit 0'
mk t/tsan66 'for i in 1 2; do
echo "==================" >&2
echo "WARNING: ThreadSanitizer: data race (pid=4242)" >&2
echo "  Write of size 4 at 0x7b04 by thread T1:" >&2
done
echo "ThreadSanitizer: reported 2 warnings" >&2
exit 66'
mk t/ubsan1 'echo "t/overflow.c:5:7: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented in type '"'int'"'" >&2
exit 1'
mk t/lsan 'echo "==7==ERROR: LeakSanitizer: detected memory leaks" >&2
echo "Direct leak of 16 byte(s) in 1 object(s) allocated from:" >&2
exit 23'
mk t/tapsan 'echo "1..2"; echo "ok 1 - first"
echo "WARNING: ThreadSanitizer: data race (pid=9)" >&2
echo "ok 2 - second"; exit 66'
mk t/crash 'echo "==9==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T0)" >&2
kill -SEGV $$'
mk t/gopanic 'echo "panic: runtime error: x" >&2; echo "goroutine 1 [running]:" >&2; exit 2'
mk t/clean 'echo "all fine"'

run_assay run -j4 t
expect_rc 1
expect_out "asan0: AddressSanitizer: heap-use-after-free (exit code 0)"
expect_out "tsan66: race: ThreadSanitizer: data race (2 reports; exit code 66)"
expect_out "ubsan1: UndefinedBehaviorSanitizer: signed integer overflow (exit code 1)"
expect_out "lsan: LeakSanitizer: detected memory leaks (exit code 23)"
expect_out "tapsan: race: ThreadSanitizer: data race (exit code 66)"
expect_no_out "although no test point failed"
expect_out "crash: crash (SIGSEGV); AddressSanitizer: SEGV"
expect_out "gopanic: exit code 2"
expect_no_out "clean:"
expect_out "failed: 6 fail, 1 crash"
expect_last "assay: 3 passed, 7 failed, 0 skipped"

# the JUnit report carries the type (docs/junit.md)
run_assay run --junit "$W/j.xml" t/asan0 t/tsan66 t/crash
grep -q '<failure [^>]*type="sanitizer:asan"' "$W/j.xml" &&
	grep -q '<failure [^>]*type="sanitizer:tsan"' "$W/j.xml" &&
	grep -q '<error [^>]*type="sanitizer:asan"' "$W/j.xml"
check $? "JUnit types sanitizer:asan (failure, and error for the crash), sanitizer:tsan"

# the TAP program's cases keep their verdicts; one result of its own
run_assay run --format tap t/tapsan
expect_rc 1
expect_out "    ok 1 - first"
expect_out "    ok 2 - second"
[ "$(grep -c '^not ok' "$W/out")" = 1 ]
check $? "one failed result for the TAP program itself"

# a real heap-use-after-free, built with -fsanitize=address
mkdir -p r
printf '%s\n' '#include <stdlib.h>' \
	'int main(void) { int *p = malloc(4); free(p); return *p; }' >"$W/uaf.c"
if ! command -v gcc >/dev/null 2>&1; then
	skip "no gcc"
elif ! gcc -fsanitize=address -g -o r/uaf "$W/uaf.c" >/dev/null 2>&1; then
	skip "gcc cannot build with -fsanitize=address (no libasan?)"
elif ! ./r/uaf 2>&1 | grep -q "ERROR: AddressSanitizer: heap-use-after-free"; then
	skip "AddressSanitizer does not run here"
else
	run_assay run r
	expect_rc 1
	expect_out "uaf: AddressSanitizer: heap-use-after-free (exit code 1)"
fi

# a real data race that exits 0 (exitcode=0), and a lock order
# inversion, built with -fsanitize=thread: a race, a potential deadlock
printf '%s\n' '#include <pthread.h>' 'static int x;' \
	'static void *w(void *a) { for (int i = 0; i < 100000; i++) x++; return a; }' \
	'int main(void) { pthread_t t[2]; for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, w, 0);' \
	'  for (int i = 0; i < 2; i++) pthread_join(t[i], 0); return 0; }' >"$W/race.c"
printf '%s\n' '#include <pthread.h>' \
	'static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;' \
	'int main(void) { pthread_mutex_lock(&a); pthread_mutex_lock(&b); pthread_mutex_unlock(&b);' \
	'  pthread_mutex_unlock(&a); pthread_mutex_lock(&b); pthread_mutex_lock(&a);' \
	'  pthread_mutex_unlock(&a); pthread_mutex_unlock(&b); return 0; }' >"$W/order.c"
mkdir -p ts
if ! command -v gcc >/dev/null 2>&1; then
	skip "no gcc"
	skip "no gcc"
elif ! gcc -fsanitize=thread -g -pthread -o ts/p1 "$W/race.c" >/dev/null 2>&1 ||
     ! gcc -fsanitize=thread -g -pthread -o ts/p2 "$W/order.c" >/dev/null 2>&1; then
	skip "gcc cannot build with -fsanitize=thread (no libtsan?)"
	skip "gcc cannot build with -fsanitize=thread"
elif ! ./ts/p1 2>&1 | grep -q "WARNING: ThreadSanitizer: data race"; then
	skip "ThreadSanitizer does not run here"
	skip "ThreadSanitizer does not run here"
else
	TSAN_OPTIONS=exitcode=0 run_assay run ts
	expect_out "p1: race: ThreadSanitizer: data race (exit code 0)"
	expect_out "p2: deadlock (potential): ThreadSanitizer: lock-order-inversion (exit code 0)"
fi

# the same race built plainly, under --wrapper 'valgrind --tool=helgrind'
mkdir -p vg
if ! command -v valgrind >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
	skip "valgrind or gcc is not installed (ci/setup installs them)"
elif ! gcc -g -pthread -o vg/p3 "$W/race.c" >/dev/null 2>&1; then
	skip "gcc cannot build the race"
else
	run_assay run --wrapper 'valgrind --tool=helgrind' vg
	expect_out "p3: race: Helgrind: Possible data race during"
	grep -q '(exit code 0)$' "$W/out"
	check $? "helgrind's race fails a program that exited 0"
fi

finish
