#!/bin/sh
# api.sh - tests per second of N trivial tests in one C binary written
# with assay/test.h, by itself and under assay, against the same tests
# written for the C test frameworks Debian has (Check with and without
# fork, cmocka, Criterion, GoogleTest), measured in the same run. Each
# test is one integer comparison; every run's output is checked to show
# all N (else the row says INVALID). Wall time from date's nanoseconds
# (GNU time's are hundredths); peak RSS from GNU time, when installed.
#
# Usage: ASSAY=path sh selftest/bench/api.sh
# Environment: N=10000, RUNS=3 (the median of RUNS is reported),
#   REPEAT=100 (assay --repeat: N x REPEAT executions), CFLAGS=-O1,
#   SLOW_N=1000 (the tests of the runners that spend milliseconds on
#   each: a process per test under assay, Criterion; their rate is what
#   counts), WORK, KEEP (see lib.sh). A framework that is not installed
#   is a row saying so.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
ASSAY=${ASSAY:-$top/harness/assay}
# the rows run in a work directory: a relative ASSAY must still name it
ASSAY=$(cd "$(dirname "$ASSAY")" && pwd)/$(basename "$ASSAY")
N=${N:-10000}
RUNS=${RUNS:-3}
REPEAT=${REPEAT:-100}
SLOW_N=${SLOW_N:-1000}
CFLAGS=${CFLAGS:--O1}
CC=${CC:-cc}
CXX=${CXX:-c++}
bld=$(cd "$(dirname "$ASSAY")/.." && pwd)
lib="$bld/harness/api/.libs/libassay.a"
[ -f "$lib" ] || { echo "api.sh: $lib is not built (make first)" >&2; exit 2; }
work_dir apibench
cd "$WORK" || exit 1
gtime=$(command -v time 2>/dev/null | grep -v '^time$' || true)
[ -x /usr/bin/time ] && gtime=/usr/bin/time

# the sources, N tests each
# gen_api N ATTRIBUTES: N tests written with assay/test.h
gen_api() {
	awk -v n="$1" -v attrs="$2" 'BEGIN {
		print "#include <assay/test.h>"
		for (i = 0; i < n; i++) printf "ASSAY_TEST_WITH(t, c%d, \"%s\") { ASSERT_EQ(%d, %d); }\n", i, attrs, i, i
		print "ASSAY_MAIN()" }'
}
gen_api "$N" threads >api.c
gen_api "$N" isolate >iso.c
gen_api "$SLOW_N" "" >few.c
awk -v n="$N" 'BEGIN {
	print "#include <check.h>\n#include <stdlib.h>"
	for (i = 0; i < n; i++) printf "START_TEST(c%d) { ck_assert_int_eq(%d, %d); } END_TEST\n", i, i, i
	print "int main(void) { Suite *s = suite_create(\"t\"); TCase *tc = tcase_create(\"t\");"
	for (i = 0; i < n; i++) printf "tcase_add_test(tc, c%d);\n", i
	print "suite_add_tcase(s, tc); SRunner *r = srunner_create(s); srunner_run_all(r, CK_NORMAL);"
	print "int f = srunner_ntests_failed(r); srunner_free(r); return f ? 1 : 0; }" }' >check.c
awk -v n="$N" 'BEGIN {
	print "#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>"
	for (i = 0; i < n; i++) printf "static void c%d(void **s) { (void)s; assert_int_equal(%d, %d); }\n", i, i, i
	print "int main(void) { const struct CMUnitTest t[] = {"
	for (i = 0; i < n; i++) printf "cmocka_unit_test(c%d),\n", i
	print "}; return cmocka_run_group_tests(t, NULL, NULL); }" }' >cmocka.c
awk -v n="$SLOW_N" 'BEGIN {
	print "#include <criterion/criterion.h>"
	for (i = 0; i < n; i++) printf "Test(t, c%d) { cr_assert_eq(%d, %d); }\n", i, i, i }' >criterion.c
awk -v n="$N" 'BEGIN {
	print "#include <gtest/gtest.h>"
	for (i = 0; i < n; i++) printf "TEST(t, c%d) { EXPECT_EQ(%d, %d); }\n", i, i, i }' >gtest.cc

# build NAME CMD...: builds one, or says why not
build() {
	name=$1
	shift
	if "$@" >"build-$name.log" 2>&1; then
		echo "api.sh: built $name" >&2
		return 0
	fi
	echo "api.sh: $name not built: $(tail -n 1 "build-$name.log")" >&2
	return 1
}
build api $CC $CFLAGS -I"$top/include" -o api api.c "$lib" -pthread -lm
build iso $CC $CFLAGS -I"$top/include" -o iso iso.c "$lib" -pthread -lm
have_check=0; have_cmocka=0; have_criterion=0; have_gtest=0
build check $CC $CFLAGS -o check check.c $(pkg-config --cflags --libs check 2>/dev/null || echo -lcheck) && have_check=1
build cmocka $CC $CFLAGS -o cmocka cmocka.c -lcmocka && have_cmocka=1
build criterion $CC $CFLAGS -o criterion criterion.c -lcriterion && have_criterion=1
build gtest $CXX $CFLAGS -o gtest gtest.cc -lgtest_main -lgtest -pthread && have_gtest=1
build few $CC $CFLAGS -I"$top/include" -o few few.c "$lib" -pthread -lm
mkdir -p d di df && cp api d/api && cp iso di/iso && cp few df/few

# measure NAME WANT OUTFILE-CHECK CMD...: RUNS timed runs; prints
# "seconds rss_kb ok" for the median (ok: the output showed WANT)
measure() {
	name=$1 want=$2 pat=$3
	shift 3
	: >"t-$name"
	rss=0 ok=1
	for r in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		if [ -n "$gtime" ]; then
			"$gtime" -f '%M' -o "tm-$name" "$@" >"out-$name" 2>&1
			kb=$(tail -n 1 "tm-$name")
		else
			"$@" >"out-$name" 2>&1
			kb=0
		fi
		secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
		echo "$secs" >>"t-$name"
		[ "$kb" -gt "$rss" ] && rss=$kb
		got=$(grep -c "$pat" "out-$name")
		[ "$want" = "-" ] || [ "$got" -ge "$want" ] || ok=0
	done
	echo "$(median <"t-$name") $rss $ok"
}

row() {
	label=$1 execs=$2
	shift 2
	set -- $(measure "$@")
	secs=$1 rss=$2 ok=$3
	rate=$(awk -v e="$execs" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')
	printf '| %s | %s | %.4f | %s | %s MB |%s\n' "$label" "$execs" "$secs" "$rate" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$([ "$ok" = 1 ] || echo ' INVALID')"
}

echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "N=$N RUNS=$RUNS REPEAT=$REPEAT CFLAGS=$CFLAGS"
echo
echo "| runner | executions | seconds (median) | tests per second | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
row "assay/test.h by itself (TAP, 1 thread)" "$N" api "$N" "^ok " ./api
row "assay/test.h by itself (TAP, -j $(nproc))" "$N" api-j "$N" "^ok " ./api -j "$(nproc)"
row "assay/test.h by itself, isolate (a fork each)" "$N" iso "$N" "^ok " ./iso
row "assay run (assay kind, batches)" "$N" assay "1" "assay: $N passed" \
	"$ASSAY" run -q --state-dir '' d
row "assay run --repeat $REPEAT (persistent workers)" "$((N * REPEAT))" assay-r "1" \
	"assay: $((N * REPEAT)) passed" "$ASSAY" run -q --state-dir '' --repeat "$REPEAT" d
row "assay run --repeat $REPEAT --workers 0 (a process per batch)" "$((N * REPEAT))" assay-r0 "1" \
	"assay: $((N * REPEAT)) passed" "$ASSAY" run -q --state-dir '' --workers 0 --repeat "$REPEAT" d
row "assay run, isolate (a fork each)" "$N" assay-iso "1" "assay: $N passed" \
	"$ASSAY" run -q --state-dir '' di
row "assay run, a process each (--workers 0 --gtest-granularity case)" "$SLOW_N" assay-case "1" \
	"assay: $SLOW_N passed" "$ASSAY" run -q --state-dir '' --workers 0 --gtest-granularity case df
if [ "$have_check" = 1 ]; then
	row "Check, no fork (CK_FORK=no)" "$N" check-nofork "1" "100%: Checks: $N" env CK_FORK=no ./check
	row "Check, fork mode" "$N" check-fork "1" "100%: Checks: $N" env CK_FORK=yes ./check
else
	echo "| Check | not installed (apt-get install check) | | | |"
fi
if [ "$have_cmocka" = 1 ]; then
	row "cmocka" "$N" cmocka "1" "PASSED.*$N test" ./cmocka
else
	echo "| cmocka | not installed (apt-get install libcmocka-dev) | | | |"
fi
if [ "$have_criterion" = 1 ]; then
	row "Criterion" "$SLOW_N" criterion "1" "Tested: $SLOW_N" ./criterion
else
	echo "| Criterion | not installed (apt-get install libcriterion-dev) | | | |"
fi
if [ "$have_gtest" = 1 ]; then
	row "GoogleTest --gtest_brief=1" "$N" gtest "1" "PASSED.*$N test" ./gtest --gtest_brief=1
else
	echo "| GoogleTest | not installed (apt-get install libgtest-dev) | | | |"
fi
# what a fork costs as the forking process grows (why isolate tests are
# forked by a fork server made as the program starts)
if build forkcost $CC -O2 -o forkcost "$here/forkcost.c"; then
	echo
	./forkcost | sed 's/^/    /'
fi
