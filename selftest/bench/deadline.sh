#!/bin/sh
# deadline.sh - how precisely assay keeps deadlines, and what supervising
# idle tests costs it.
#
# 1. N sleeping tests (sleeper.c, as N links to one binary) timed out at
#    --timeout T with -jJ: each notes when SIGTERM came, counted from its
#    main(); the delay past T, median and maximum.
# 2. I idle tests at -jI for S seconds: assay's own CPU time (from
#    /proc/PID/schedstat) over the middle of that time, as a share of one
#    core.
#
# Usage: sh selftest/bench/deadline.sh   (or: make bench-deadline)
# Environment: N=1000, J=64, T=0.5, I=64, S=10, ASSAY, SLEEPER (built by
# make), WORK (kept with KEEP=1). Output: markdown on stdout.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
N=${N:-1000}
J=${J:-64}
T=${T:-0.5}
I=${I:-64}
S=${S:-10}
ASSAY=${ASSAY:-$top/harness/assay}
SLEEPER=${SLEEPER:-$top/selftest/bench/sleeper}

if [ -n "${WORK:-}" ]; then
	mkdir -p "$WORK" || exit 1
	WORK=$(cd "$WORK" && pwd)
else
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/assay-bench-deadline.XXXXXX") || exit 1
	[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM
fi
[ -x "$SLEEPER" ] || { echo "deadline.sh: build $SLEEPER first (make bench-deadline)" >&2; exit 1; }

mkdir -p "$WORK/t" "$WORK/idle"
i=0
while [ "$i" -lt "$N" ]; do
	ln -s "$SLEEPER" "$WORK/t/s$i"
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$I" ]; do
	ln -s "$SLEEPER" "$WORK/idle/s$i"
	i=$((i + 1))
done

# ---- 1. deadlines ----
SLEEPER_LOG=$WORK/delays "$ASSAY" run -q -j "$J" --timeout "$T" --state-dir '' \
	"$WORK/t" >"$WORK/run.out" 2>&1
got=$(grep -c '' "$WORK/delays")
awk -v t="$T" '{ d = ($1 - t) * 1000; if (d < 0) d = 0; print d }' "$WORK/delays" >"$WORK/ms"
med=$(median <"$WORK/ms")
max=$(sort -n "$WORK/ms" | tail -n 1)
p99=$(sort -n "$WORK/ms" | awk -v n="$got" 'NR == int(n * 0.99 + 0.5) { print }')
echo "### Deadlines: $N sleeping tests, --timeout $T, -j$J"
echo
echo "$got of $N tests saw SIGTERM. Delay past the deadline, from each test's main():"
printf 'median %.3f ms, 99th percentile %.3f ms, maximum %.3f ms.\n\n' "$med" "$p99" "$max"

# ---- 2. idle supervision ----
SLEEPER_LOG=/dev/null "$ASSAY" run -q -j "$I" --timeout "$S" --state-dir '' \
	"$WORK/idle" >/dev/null 2>&1 &
pid=$!
sleep 2
a=$(cut -d' ' -f1 "/proc/$pid/schedstat")
sleep $((S - 4))
b=$(cut -d' ' -f1 "/proc/$pid/schedstat")
wait "$pid"
awk -v a="$a" -v b="$b" -v s=$((S - 4)) -v i="$I" 'BEGIN {
	printf "### Supervising %d idle tests\n\nassay used %.3f ms of CPU in %d s: %.4f%% of one core.\n",
		i, (b - a) / 1e6, s, (b - a) / 1e9 / s * 100 }'
