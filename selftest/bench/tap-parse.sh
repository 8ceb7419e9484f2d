#!/bin/sh
# tap-parse.sh - the TAP reader's speed on one core, against prove
# reading the same stream (`prove --exec cat`), in one run.
#
# Usage: make bench-tap   (or TAPPARSE=path sh selftest/bench/tap-parse.sh)
# Environment: POINTS=1000000 (points in the big file, ~60 MB),
#   PROVE_POINTS=100000 (prove reads a smaller file of the same form),
#   RUNS=5 (both: the median of RUNS passes).
set -u
here=$(cd "$(dirname "$0")" && pwd)
POINTS=${POINTS:-1000000}
PROVE_POINTS=${PROVE_POINTS:-100000}
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/tapbench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

sh "$here/gen-taplog.sh" "$POINTS" >"$W/big.tap"
sh "$here/gen-taplog.sh" "$PROVE_POINTS" >"$W/small.tap"
echo "| reader | input | MB | lines | seconds | MB/s | lines/s |"
echo "|---|---|---|---|---|---|---|"
for f in big small; do
	set -- $("$TAPPARSE" "$W/$f.tap" "$RUNS")
	awk -v b="$1" -v l="$2" -v s="$4" -v f="$f" 'BEGIN {
		printf "| assay tap.c (median) | %s | %.1f | %d | %.3f | %.0f | %.0f |\n",
			f, b / 1e6, l, s, b / 1e6 / s, l / s }'
done
if command -v prove >/dev/null 2>&1; then
	bytes=$(wc -c <"$W/small.tap")
	lines=$(wc -l <"$W/small.tap")
	sed 's/^TAP version 14$/TAP version 13/' "$W/small.tap" >"$W/small13.tap"
	times=""
	for r in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		prove --exec cat "$W/small13.tap" >/dev/null 2>&1
		t1=$(date +%s.%N)
		times="$times $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
	done
	med=$(printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	awk -v b="$bytes" -v l="$lines" -v s="$med" 'BEGIN {
		printf "| prove 3.x --exec cat (median) | small (as TAP 13) | %.1f | %d | %.3f | %.1f | %.0f |\n",
			b / 1e6, l, s, b / 1e6 / s, l / s }'
else
	echo "prove not installed (Debian package: perl): not measured" >&2
fi
