#!/bin/sh
# deadline.sh - how precisely assay keeps deadlines, and what supervising
# idle tests costs it.
#
# 1. N sleeping tests (sleeper.c, as N links to one binary) timed out at
#    --timeout T with -jJ, assay's clone (clone3) and kill system calls traced with
#    perf trace (tracepoints: assay is not stopped, as strace would stop
#    it): the delay from each test's clone + T to the SIGTERM sent to its
#    group; median, 99th percentile and maximum. assay arms the deadline
#    some microseconds before it calls clone (it makes the pipes
#    between), so each delay is low by that much. Each test is looked at
#    first (docs/hangs.md: two samples 0.1 s apart), without gdb
#    (--no-backtrace); then NB tests at -jNB with gdb's backtraces, when
#    gdb is installed.
# 2. I idle tests at -jI for S seconds: assay's own CPU time (from
#    /proc/PID/schedstat) over the middle of that time, as a share of one
#    core.
#
# Usage: sh selftest/bench/deadline.sh   (or: make bench-deadline)
# Environment: N=1000, J=64, T=0.5, NB=64, I=64, S=10, ASSAY, SLEEPER (built by
# make), WORK (kept with KEEP=1). Needs perf (Debian: linux-perf) and the
# right to trace system calls (root) for part 1. Output: markdown.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
N=${N:-1000}
J=${J:-64}
T=${T:-0.5}
NB=${NB:-64}
I=${I:-64}
S=${S:-10}
ASSAY=${ASSAY:-$top/harness/assay}
SLEEPER=${SLEEPER:-$top/selftest/bench/sleeper}

work_dir bench-deadline
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
command -v perf >/dev/null 2>&1 || { echo "deadline.sh: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
# deadlines DIR JOBS LABEL [ASSAY OPTION...]: the run traced, and the
# delays from each deadline to its SIGTERM, in ms, as a line of markdown
deadlines() {
	dir=$1 jobs=$2 label=$3
	shift 3
	SLEEPER_LOG=/dev/null perf trace -e clone,clone3,kill -o "$WORK/trace" -- \
		"$ASSAY" run -q -j "$jobs" --timeout "$T" --state-dir '' "$@" "$dir" >"$WORK/run.out" 2>&1
	# "MS (DUR ms): assay/PID clone(...) = CHILD (assay)" and
	# "MS (DUR ms): assay/PID kill(pid: -CHILD, sig: TERM)": the first
	# kill of each group, minus the clone3's start, minus T
	awk -v t="$T" '
		/ clone3?\(/ && match($0, /\) += [0-9]+/) { c = substr($0, RSTART, RLENGTH); sub(/.*= /, "", c); start[c] = $1 }
		/ kill\(pid: -[0-9]+, sig: TERM\)/ { match($0, /pid: -[0-9]+/); pid = substr($0, RSTART + 6, RLENGTH - 6)
			if (pid in start && !(pid in done)) { done[pid] = 1; d = $1 - start[pid] - t * 1000; if (d < 0) d = 0; print d } }
	' "$WORK/trace" >"$WORK/ms"
	got=$(grep -c '' "$WORK/ms")
	med=$(median <"$WORK/ms")
	max=$(sort -n "$WORK/ms" | tail -n 1)
	p99=$(sort -n "$WORK/ms" | awk -v n="$got" 'NR == int(n * 0.99 + 0.5) { print }')
	printf '| %s | %s | %.3f | %.3f | %.3f |\n' "$label" "$got" "$med" "$p99" "$max"
}
mkdir -p "$WORK/nb"
i=0
while [ "$i" -lt "$NB" ]; do
	ln -s "$SLEEPER" "$WORK/nb/s$i"
	i=$((i + 1))
done
echo "### Deadlines: --timeout $T; delay from each deadline to its SIGTERM"
echo
echo "| run | tests sent SIGTERM | median (ms) | 99th percentile (ms) | maximum (ms) |"
echo "| --- | ---: | ---: | ---: | ---: |"
deadlines "$WORK/t" "$J" "$N tests, -j$J, looked at (--no-backtrace)" --no-backtrace
if command -v gdb >/dev/null 2>&1; then
	deadlines "$WORK/nb" "$NB" "$NB tests, -j$NB, looked at with gdb's backtraces"
else
	echo "(gdb is not installed: the run with backtraces is left out)"
fi
echo

# ---- 2. idle supervision ----
SLEEPER_LOG=/dev/null "$ASSAY" run -q -j "$I" --timeout "$S" --state-dir '' --no-backtrace \
	"$WORK/idle" >/dev/null 2>&1 &
pid=$!
# every thread's time on a CPU, in ns (the loop, the TMPDIR janitor)
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
sleep 2
a=$(cpu_ns "$pid")
sleep $((S - 4))
b=$(cpu_ns "$pid")
wait "$pid"
awk -v a="$a" -v b="$b" -v s=$((S - 4)) -v i="$I" 'BEGIN {
	printf "### Supervising %d idle tests\n\nassay used %.3f ms of CPU in %d s: %.4f%% of one core.\n",
		i, (b - a) / 1e6, s, (b - a) / 1e9 / s * 100 }'
