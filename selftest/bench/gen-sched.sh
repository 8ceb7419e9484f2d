#!/bin/sh
# gen-sched.sh DIR [N] [SEED] - write a heterogeneous workload of N test
# programs (default 300) into DIR/t, for the scheduling benchmark
# (sched.sh), plus what each peer runner needs to run the same set.
#
# Each test is a #!/bin/sh script that sleeps, then prints "1..1" and
# "ok 1" (so every runner, TAP-reading or not, sees one passing test).
# Sleeping tests cost no CPU, so the slots may outnumber the cores. The
# durations are heavy-tailed: about 3% of the tests (at least one) take
# 1-3 s, the others 10-200 ms, uniform, in milliseconds. They follow from
# SEED (default 1) alone: the generator is a Park-Miller LCG written out
# in awk, not awk's rand(), whose sequence for one srand() seed differs
# between mawk and gawk. The long tests sit at random places in the
# name order, so a runner that goes by name meets them anywhere.
#
# Written into DIR (all paths absolute where a runner reads them):
#   t/t0001.sh ...  the tests (executable; `assay run DIR/t`)
#   durations.txt   "t0001.sh 0.123" per test: the nominal durations
#   CMakeLists.txt  one add_test per test (ctest)
#   lit.cfg         ExecutableTest on *.sh (lit); the timing file goes to
#                   $SCHED_LIT_EXEC_ROOT when set, else to DIR
#   list.txt        the tests' paths, one a line (xargs)
# None of those but the tests is executable or under t/.
#
# Prints the nominal total and the lower bound max(total / S, longest)
# for 4 and 8 slots.
set -eu

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
	echo "usage: sh gen-sched.sh DIR [N] [SEED]" >&2
	exit 2
fi
dir=$1
n=${2:-300}
seed=${3:-1}
case $n in '' | *[!0-9]* | 0) echo "gen-sched.sh: N must be a positive number: $n" >&2; exit 2 ;; esac
case $seed in '' | *[!0-9]*) echo "gen-sched.sh: SEED must be a number: $seed" >&2; exit 2 ;; esac

mkdir -p "$dir/t"
dir=$(cd "$dir" && pwd)
# start from a clean set: stale tests from a larger N would be run too
rm -f "$dir"/t/t*.sh "$dir"/durations.txt "$dir"/CMakeLists.txt \
	"$dir"/lit.cfg "$dir"/list.txt

# durations.txt: one "name seconds" line per test, in name order
awk -v n="$n" -v seed="$seed" '
function rnd() {                # uniform in [0, 1), Park-Miller
	x = (16807 * x) % 2147483647
	return (x - 1) / 2147483646
}
BEGIN {
	x = seed % 2147483646 + 1
	for (i = 0; i < 10; i++)
		rnd()
	w = length(n "") < 4 ? 4 : length(n "")
	nlong = int(n * 0.03 + 0.5)
	if (nlong < 1)
		nlong = 1
	for (i = 1; i <= n; i++)
		idx[i] = i
	for (i = 1; i <= nlong; i++) {  # partial Fisher-Yates: the long ones
		j = i + int(rnd() * (n - i + 1))
		t = idx[i]; idx[i] = idx[j]; idx[j] = t
		long[idx[i]] = 1
	}
	for (i = 1; i <= n; i++) {
		if (i in long)
			ms = 1000 + int(rnd() * 2001)
		else
			ms = 10 + int(rnd() * 191)
		printf "t%0" w "d.sh %d.%03d\n", i, ms / 1000, ms % 1000
	}
}' >"$dir/durations.txt"

while read -r name secs; do
	printf '#!/bin/sh\nsleep %s\necho 1..1\necho ok 1\n' "$secs" >"$dir/t/$name"
	chmod +x "$dir/t/$name"
	echo "$dir/t/$name" >>"$dir/list.txt"
done <"$dir/durations.txt"

{
	echo 'cmake_minimum_required(VERSION 3.10)'
	echo 'project(sched NONE)'
	echo 'enable_testing()'
	awk '{ printf "add_test(NAME %s COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/t/%s)\n", $1, $1 }' \
		"$dir/durations.txt"
} >"$dir/CMakeLists.txt"

cat >"$dir/lit.cfg" <<'EOF'
import os
import lit.formats
config.name = 'sched'
config.suffixes = ['.sh']
config.test_format = lit.formats.ExecutableTest()
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = (os.environ.get('SCHED_LIT_EXEC_ROOT') or
                         config.test_source_root)
EOF

awk '{ s += $2; if ($2 > m) m = $2; if ($2 >= 1) l++ }
END {
	printf "gen-sched.sh: %d tests (%d of 1-3 s), nominal total %.3f s, longest %.3f s\n", NR, l, s, m
	for (k = 4; k <= 8; k += 4) {
		b = s / k > m ? s / k : m
		printf "gen-sched.sh: lower bound at %d slots: %.3f s\n", k, b
	}
}' "$dir/durations.txt"
