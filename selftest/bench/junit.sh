#!/bin/sh
# junit.sh - the JUnit report's cost: the writer alone (junitwrite: 100,000
# cases, in programs of 100 points and as 100,000 one-case programs; time
# and peak memory), and a whole run of one TAP program of POINTS points
# with and without --junit, against `meson test` running the same
# program as a TAP test (meson always writes testlog.junit.xml), in one
# run. Prints markdown tables for docs/benchmarks.md.
#
# Usage: make bench-junit   (JUNITWRITE=... ASSAY=... sh selftest/bench/junit.sh)
# Environment: CASES=100000, POINTS=100000, RUNS=5 (medians of RUNS).
set -u
here=$(cd "$(dirname "$0")" && pwd)
CASES=${CASES:-100000}
POINTS=${POINTS:-100000}
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/junitbench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# median SECONDS...
median() {
	printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# timed CMD...: seconds the command took (its output discarded)
timed() {
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'
}

echo "| writer (median of $RUNS) | cases | per program | seconds | peak RSS MB | report MB |"
echo "|---|---|---|---|---|---|"
for per in 100 1; do
	set -- $("$JUNITWRITE" "$W/w.xml" "$CASES" "$per" "$RUNS")
	awk -v c="$1" -v p="$per" -v s="$2" -v r="$3" -v b="$4" 'BEGIN {
		printf "| plugins/junit.c | %d | %d | %.3f | %.1f | %.1f |\n",
			c, p, s, r / 1024, b / 1e6 }'
done

sh "$here/gen-taplog.sh" "$POINTS" >"$W/points.tap"
mkdir "$W/t"
printf '#!/bin/sh\nexec cat "%s"\n' "$W/points.tap" >"$W/t/points.t"
chmod +x "$W/t/points.t"
plain="" junit=""
for r in $(seq "$RUNS"); do
	plain="$plain $(timed "$ASSAY" run -j1 "$W/t")"
	junit="$junit $(timed "$ASSAY" run -j1 --output-dir "$W/logs" --junit "$W/r.xml" "$W/t")"
done
p=$(median $plain) j=$(median $junit)
echo
echo "| whole run (median of $RUNS) | TAP points | seconds |"
echo "|---|---|---|"
echo "| assay run | $POINTS | $p |"
echo "| assay run --junit | $POINTS | $j |"
if command -v meson >/dev/null 2>&1; then
	mkdir "$W/m"
	cat >"$W/m/meson.build" <<EOM
project('bench', 'c')
test('points', find_program('$W/t/points.t'), protocol: 'tap')
EOM
	if meson setup "$W/m/b" "$W/m" >/dev/null 2>&1; then
		m=""
		for r in $(seq "$RUNS"); do
			m="$m $(timed meson test -C "$W/m/b" --num-processes 1)"
		done
		m=$(median $m)
		test -s "$W/m/b/meson-logs/testlog.junit.xml" ||
			echo "meson wrote no testlog.junit.xml" >&2
		echo "| meson test (writes JUnit) | $POINTS | $m |"
		awk -v a="$j" -v m="$m" 'BEGIN {
			printf "\nassay run --junit takes %.2fx the time of meson test\n", a / m }'
	else
		echo "meson setup failed: meson not measured" >&2
	fi
else
	echo "meson not installed (Debian package: meson): not measured" >&2
fi
