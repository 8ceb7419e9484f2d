#!/bin/sh
# --hunt N: each test run N times at once under perturbation (its CPUs,
# pauses where its threads meet), to surface a race no plain run shows;
# each failing run names the seed that runs it again (--hunt-seed).
. "$(dirname "$0")/lib.sh"

prog2="$ASSAY_BUILDDIR/selftest/hang/prog2"
if [ ! -x "$prog2" ]; then
	skip "selftest/hang/prog2 is not built (make check builds it)"
	finish
fi
mkdir -p r && cp "$prog2" r/a

# a data race built without a sanitizer, found by --hunt
run_assay run -q --state-dir '' --hunt 200 r
expect_rc 1 "the hunt finds the race"
expect_out "the worker ran before its configuration was set"
grep -Eq "^assay: --hunt: a failed [0-9]+ of 200 runs \([0-9]+%\); seeds of failing runs: [0-9a-f]+" "$W/out"
check $? "the end names the failure rate and the failing runs' seeds"
# (of the same 200 runs: 20 could all pass, and the check would fail)
grep -Eq "^    note: hunt seed [0-9a-f]+: (CPU [0-9,]+ of [0-9]+|all [0-9]+ CPUs), pauses up to [0-9]+ us at 1 in [0-9]+ thread meetings \(--hunt-seed [0-9a-f]+ runs it again\)" "$W/out"
check $? "a failing run's note says how it was perturbed and how to run it again"

# the same source built with -fsanitize=thread: the race TSan reports
# on every run, whatever the order
src="${ASSAY_SRCDIR:-$here/../..}/selftest/hang/prog2.c"
mkdir -p ts
if ! command -v gcc >/dev/null 2>&1 ||
   ! gcc -fsanitize=thread -g -pthread -o ts/a "$src" >/dev/null 2>&1; then
	skip "gcc cannot build with -fsanitize=thread"
elif ! ./ts/a 2>&1 | grep -q "WARNING: ThreadSanitizer: data race"; then
	skip "ThreadSanitizer does not run here"
else
	TSAN_OPTIONS=exitcode=0 run_assay run --state-dir '' ts
	expect_out "a: race: ThreadSanitizer: data race (exit code "
fi

# what a hunted test sees: its seed, the library, its CPUs
mk p/show 'echo "hunt=$ASSAY_HUNT"; echo "preload=$LD_PRELOAD"
grep Cpus_allowed_list /proc/self/status; exit 1'
run_assay run --state-dir '' --hunt 12 p
seed=$(sed -n 's/.*note: hunt seed \([0-9a-f]*\).*/\1/p' "$W/out" | head -n 1)
expect_out "hunt=$seed:"
expect_out "assay-hunt.so"
expect_last "assay: 0 passed, 12 failed, 0 skipped"
if [ "$(nproc)" -gt 1 ]; then
	grep -Eq "Cpus_allowed_list:	[0-9]+$" "$W/out"
	check $? "some runs are squeezed onto one CPU"
else
	skip "one CPU: no run can be squeezed onto fewer"
fi
# a seed runs again with the same perturbation (what the kernel then
# does is its own: a race need not fail again)
first_note=$(grep "note: hunt seed $seed: " "$W/out" | head -n 1)
grep -A3 "note: hunt seed $seed: " "$W/out" | grep Cpus_allowed_list | head -n 1 >cpus.first
run_assay run --state-dir '' --hunt-seed "$seed" p
expect_last "assay: 0 passed, 1 failed, 0 skipped"
[ "$(grep "note: hunt seed $seed: " "$W/out")" = "$first_note" ]
check $? "--hunt-seed: the same CPUs and pauses, said the same way"
expect_out "hunt=$(sed -n 's/.*hunt=\([^ ]*\).*/\1/p' "$W/out" | head -n 1)"
grep -q "$(cat cpus.first)" "$W/out"
check $? "--hunt-seed: the same CPUs"

# the library shakes and never changes what a correct program computes
mk q/fine 'exit 0'
run_assay run -q --state-dir '' --hunt 8 q
expect_rc 0
expect_out "assay: --hunt: 1 of 1 test passed every run"

# a sanitizer's build does not get the library (its runtime must load
# first), and the run says so
printf '%s\n' 'int main(void) { return 0; }' >"$W/s.c"
mkdir -p s
if command -v gcc >/dev/null 2>&1 && gcc -fsanitize=address -o s/asan "$W/s.c" 2>/dev/null; then
	run_assay run -q --state-dir '' --hunt 2 s
	expect_rc 0 "a sanitizer's build runs under --hunt"
	expect_out "1 test built with a sanitizer ran without assay-hunt.so's pauses"
else
	skip "gcc cannot build with -fsanitize=address"
fi

# --record: rr's recording of the first failure, or plainly why not
# (100 runs: the race shows in about a quarter of them, and 20 could
# all pass; that made this check fail once)
run_assay run -q --state-dir st --hunt 100 --record r
expect_rc 1
if command -v rr >/dev/null 2>&1 && rr record -o "$W/probe" /bin/true >/dev/null 2>&1; then
	expect_out "rr recording of this run: st/rr/"
	[ "$(ls st/rr | wc -l)" = 1 ]
	check $? "one recording kept: the first failure's"
else
	expect_out "assay: --record: rr cannot run here: "
	expect_out "the hunt ran without recordings"
	skip "rr cannot record on this machine: a recording is not checked"
fi

# what cannot go together
run_assay run --record r
expect_rc 2 "--record without --hunt"
expect_err "--record keeps the rr recording of a hunt's first failing run: it needs --hunt N"
run_assay run --hunt 3 --stress 2 r
expect_rc 2 "--hunt with --stress"
run_assay run --hunt-seed xyz r
expect_rc 2 "--hunt-seed wants hex"
expect_err "--hunt-seed wants the hexadecimal seed"
finish
