#!/bin/sh
# sched.sh - the scheduling benchmark: how close a parallel run of a
# heterogeneous workload (gen-sched.sh: N sleeping tests, most 10-200 ms,
# about 3% of 1-3 s) comes to the lower bound max(total / S, longest) at
# S slots, for assay and the peers installed here (ctest with its cost
# data, prove --state=slow,save, lit with its test times, xargs -P), each
# on a first run without history and on RUNS runs after it; and how
# evenly each way of splitting the same workload into shards divides it.
#
# Usage: make bench-sched   (ASSAY=path sh selftest/bench/sched.sh)
# Environment:
#   ASSAY=path  assay binary (required)
#   SLOTS="4 8" slot counts, each measured on its own (fresh history)
#   RUNS=3      runs after the first; their median is reported
#   N=300       tests; SEED=1 picks their durations (see gen-sched.sh)
#   MODE=all    all: timing runs, then the shard check; sched: timing
#               runs only; shard: the shard check only
#   SHARDS=4    shards in the shard check
#   WORK=dir    work directory (default: a fresh mktemp dir, removed at
#               the end unless KEEP=1; a WORK given is never removed)
#
# Makespan is the wall time around the runner's whole command (date
# +%s.%N), so it includes the runner's start-up and each test's sh and
# sleep start; the bound comes from the nominal durations. Each runner
# keeps its history in its own directory per slot count ($WORK/sS/ID),
# removed before the first run at S; assay gets --state-dir
# $WORK/state-S when it has the option, and runs in that directory
# either way (so a default .assay/ lands there). Rounds are interleaved:
# every runner's first run, then RUNS rounds of every runner, the order
# rotating from round to round. Every run is checked (exit status 0 and
# all N tests passed by the runner's own summary); one that fails stops
# the benchmark. A runner that is absent is skipped with a line naming
# its Debian package. Output: markdown on stdout, progress on stderr.
#
# The shard check times nothing: each strategy's split is valued with
# the nominal durations, and the table gives the slowest shard against
# the mean. assay's split is what `assay list --shard K/SHARDS` prints,
# after one full run with the same --state-dir (so with history), and
# with an empty one.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
SLOTS=${SLOTS:-4 8}
RUNS=${RUNS:-3}
N=${N:-300}
SEED=${SEED:-1}
MODE=${MODE:-all}
SHARDS=${SHARDS:-4}

note() { echo "sched.sh: $*" >&2; }
die() { note "$*"; exit 1; }

for v in RUNS N SHARDS; do
	eval "val=\$$v"
	case $val in '' | *[!0-9]* | 0) echo "sched.sh: $v must be a positive number" >&2; exit 2 ;; esac
done
case $SEED in '' | *[!0-9]*) echo "sched.sh: SEED must be a number" >&2; exit 2 ;; esac
[ -n "$SLOTS" ] || { echo "sched.sh: SLOTS is empty" >&2; exit 2; }
for s in $SLOTS; do
	case $s in *[!0-9]* | 0) echo "sched.sh: SLOTS must hold positive numbers: $s" >&2; exit 2 ;; esac
done
case $MODE in all | sched | shard) ;; *) echo "sched.sh: MODE must be all, sched or shard" >&2; exit 2 ;; esac
case ${ASSAY:-} in
'') echo "sched.sh: set ASSAY to the assay binary (make bench-sched does)" >&2; exit 2 ;;
*/*) ASSAY=$(cd "$(dirname "$ASSAY")" && pwd)/$(basename "$ASSAY") ;;
*) ASSAY=$(command -v "$ASSAY") ;;
esac
[ -x "$ASSAY" ] || { echo "sched.sh: ASSAY is not an executable: $ASSAY" >&2; exit 2; }
case $(date +%N) in '' | *N*) echo "sched.sh: need GNU date (+%N)" >&2; exit 1 ;; esac

work_dir sched

D=$WORK/gen
T=$D/t
note "generating $N tests (seed $SEED) in $D"
sh "$here/gen-sched.sh" "$D" "$N" "$SEED" >&2 || die "gen-sched.sh failed"
total=$(awk '{ s += $2 } END { printf "%.3f", s }' "$D/durations.txt")
longest=$(awk '$2 > m { m = $2 } END { printf "%.3f", m }' "$D/durations.txt")
nlong=$(awk '$2 >= 1 { l++ } END { print l + 0 }' "$D/durations.txt")

# ---- what this assay can do ---------------------------------------------
if "$ASSAY" run --help 2>&1 | grep -q -- --state-dir; then
	has_state=1
else
	has_state=0
fi
# state_opt DIR: the option that keeps assay's history in DIR, if any
state_opt() { [ $has_state = 1 ] && printf '%s %s' --state-dir "$1"; }

# ---- the peers ------------------------------------------------------------
skipped=""
skip() { # ID WHY
	skipped="$skipped
- $1: skipped, $2"
	note "$1 skipped: $2"
}
runners="assay"
find_lit
if command -v ctest >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
	runners="$runners ctest"
else
	skip ctest "not found (Debian package: cmake)"
fi
if command -v prove >/dev/null 2>&1; then
	runners="$runners prove"
else
	skip prove "not found (Debian package: perl)"
fi
if [ -n "$lit_cmd" ]; then
	runners="$runners lit"
else
	skip lit "not found (Debian package: llvm-NN-tools, e.g. llvm-14-tools)"
fi
runners="$runners xargs"

# cmd_of ID S: the command line of runner ID at S slots (run in its dir)
cmd_of() {
	case $1 in
	assay)
		if [ $has_state = 1 ]; then
			echo "\"\$ASSAY\" run -j$2 --state-dir \"\$WORK/state-$2\" \"\$T\""
		else
			echo "\"\$ASSAY\" run -j$2 \"\$T\""
		fi ;;
	ctest) echo "ctest --test-dir build -j$2" ;;
	prove) echo "prove -j$2 --state=slow,save --exec '' \"\$T\"/*.sh" ;;
	lit) echo "SCHED_LIT_EXEC_ROOT=\"\$PWD\" $lit_cmd -s -j$2 \"\$T\"" ;;
	xargs) echo "xargs -P $2 -n 1 sh -c 'exec \"\$0\"' <\"\$D/list.txt\"" ;;
	esac
}

# history_of ID: where runner ID keeps what it learnt about durations
history_of() {
	case $1 in
	assay)
		if [ $has_state = 1 ]; then
			echo "--state-dir"
		else
			echo "(no history support in this build)"
		fi ;;
	ctest) echo "Testing/Temporary/CTestCostData.txt" ;;
	prove) echo ".prove (--state=slow,save)" ;;
	lit) echo ".lit_test_times.txt" ;;
	xargs) echo "none" ;;
	esac
}

has() { grep -Eq "$1" "$2"; }
# check ID LOG: the run passed all N tests, by the runner's own summary
check() {
	case $1 in
	assay) has "^assay: $N passed, 0 failed, 0 skipped\$" "$2" ;;
	ctest) has "^100% tests passed, 0 tests failed out of $N\$" "$2" ;;
	prove) has "^Files=$N, Tests=$N," "$2" && has '^Result: PASS$' "$2" ;;
	lit) has "^ *Passed *: $N\$" "$2" && ! has '^ *(Failed|Unresolved|Timed Out)' "$2" ;;
	xargs) [ "$(grep -c '^ok 1$' "$2")" -eq "$N" ] &&
		[ "$(grep -c '^1\.\.1$' "$2")" -eq "$N" ] ;;
	*) return 1 ;;
	esac
}

# setup ID S: a fresh directory for runner ID at S slots, no history
setup() {
	dir=$WORK/s$2/$1
	rm -rf "$dir" "$WORK/state-$2"
	mkdir -p "$dir" || die "cannot make $dir"
	if [ "$1" = ctest ] && ! cmake -S "$D" -B "$dir/build" >"$dir/cmake.log" 2>&1; then
		tail -n 5 "$dir/cmake.log" >&2
		die "cmake configure failed, see $dir/cmake.log"
	fi
}

# run_one ID S WHICH: one timed run; appends "WHICH SECONDS" to
# $WORK/res.ID.S (WHICH: first or later), and keeps assay's 'assay: schedule:'
# line, if it prints one, in $WORK/schedule.S.WHICH
run_one() {
	dir=$WORK/s$2/$1
	log=$dir/$3.log
	cmd=$(cmd_of "$1" "$2")
	t0=$(date +%s.%N)
	(cd "$dir" && eval "$cmd") >"$log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	if [ $rc -ne 0 ] || ! check "$1" "$log"; then
		note "$1 at $2 slots ($3 run): not all $N tests ran and passed (exit $rc); last lines:"
		tail -n 8 "$log" | sed 's/^/    /' >&2
		cp "$log" "$WORK/failed.$1.$2.log" 2>/dev/null
		KEEP=1
		trap - EXIT
		die "stopped; the logs are kept in $WORK"
	fi
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	echo "$3 $secs" >>"$WORK/res.$1.$2"
	if [ "$1" = assay ] && grep -q '^assay: schedule:' "$log"; then
		grep '^assay: schedule:' "$log" | tail -n 1 >"$WORK/schedule.$2.$3"
	fi
	note "$1 -j$2 $3: $secs s"
}


# ---- timing runs ----------------------------------------------------------
sched_runs() {
	nrunners=$(echo $runners | wc -w)
	for s in $SLOTS; do
		rm -f "$WORK"/res.*."$s" "$WORK"/schedule."$s".*
		for id in $runners; do
			setup "$id" "$s"
		done
		note "-j$s: first runs (no history)"
		for id in $runners; do
			run_one "$id" "$s" first
		done
		r=1
		while [ "$r" -le "$RUNS" ]; do
			note "-j$s: round $r of $RUNS (history present)"
			set -- $runners
			k=$(((r - 1) % nrunners))
			while [ "$k" -gt 0 ]; do
				first=$1; shift; set -- "$@" "$first"; k=$((k - 1))
			done
			for id in "$@"; do
				run_one "$id" "$s" later
			done
			r=$((r + 1))
		done
	done
}

sched_report() {
	echo "| runner | history kept in | slots | bound s | first run s | first / bound | later runs s | later median s | median / bound |"
	echo "|---|---|---:|---:|---:|---:|---|---:|---:|"
	for s in $SLOTS; do
		bound=$(awk -v t="$total" -v m="$longest" -v s="$s" 'BEGIN { b = t / s; if (m > b) b = m; printf "%.3f", b }')
		for id in $runners; do
			f=$WORK/res.$id.$s
			first=$(awk '$1 == "first" { print $2 }' "$f")
			later=$(awk '$1 == "later" { printf " %.3f", $2 }' "$f")
			med=$(awk '$1 == "later" { print $2 }' "$f" | median)
			awk -v id="$id" -v h="$(history_of "$id")" -v s="$s" -v b="$bound" \
			    -v f="$first" -v l="$later" -v m="$med" 'BEGIN {
				printf "| %s | %s | %d | %.3f | %.3f | %.3f |%s | %.3f | %.3f |\n",
					id, h, s, b, f, f / b, l, m, m / b }'
		done
	done
	echo
	echo "Commands (run in \$WORK/sS/RUNNER):"
	echo
	for id in $runners; do
		shown=$(cmd_of "$id" S | sed "s|$WORK|\$WORK|g; s|$top/||g")
		echo "- $id: \`$shown\`"
	done
	lines=""
	for s in $SLOTS; do
		for w in first later; do
			[ -f "$WORK/schedule.$s.$w" ] &&
				lines="$lines
- -j$s, $w run: $(cat "$WORK/schedule.$s.$w")"
		done
	done
	echo
	if [ -n "$lines" ]; then
		echo "assay's own schedule line (the last run of each kind):"
		echo "$lines"
	else
		echo "assay printed no "assay: schedule:" line in this build."
	fi
}

# ---- shard check ----------------------------------------------------------
# shard_row LABEL FILE: one table row for the split in FILE ("name shard")
shard_row() {
	awk -v k="$SHARDS" -v label="$1" '
	FNR == NR { d[$1] = $2; all += $2; next }
	($1 in d) {
		if ($1 in seen) dup++
		seen[$1] = 1
		if ($2 < 1 || $2 > k) { bad++; next }
		tot[$2] += d[$1]; cnt[$2]++
	}
	END {
		for (x in d) if (!(x in seen)) miss++
		max = 0; per = ""
		for (i = 1; i <= k; i++) {
			if (tot[i] > max) max = tot[i]
			per = per sprintf("%s%.3f (%d)", i > 1 ? ", " : "", tot[i], cnt[i])
		}
		mean = all / k          # the same for every valid split
		flag = ""
		if (miss || dup || bad)
			flag = sprintf(" INVALID: %d missing, %d twice, %d out of range",
				miss, dup, bad)
		printf "| %s%s | %s | %.3f | %.3f | %.3f |\n", label, flag, per,
			max, mean, max / mean
	}' "$D/durations.txt" "$2"
}

# assay_split none|hist: assay's split, from `assay list --shard K/SHARDS`
# with the state in $W/state-none (empty) or $W/state, into $W/assay-WHICH
assay_split() {
	st=$W/state
	[ "$1" = none ] && st=$W/state-none
	: >"$W/assay-$1"
	for k in $(seq "$SHARDS"); do
		(cd "$W" && "$ASSAY" list --shard "$k/$SHARDS" $(state_opt "$st") "$T") >"$W/list.$k" 2>&1 ||
			die "assay list --shard $k/$SHARDS failed: $(tail -n 1 "$W/list.$k")"
		awk -v k="$k" '{ print $1, k }' "$W/list.$k" >>"$W/assay-$1"
	done
}

shard_check() {
	W=$WORK/shard
	rm -rf "$W"
	mkdir -p "$W" || die "cannot make $W"
	dur=$D/durations.txt
	awk -v k="$SHARDS" '{ print $1, (NR - 1) % k + 1 }' "$dur" >"$W/rr"
	awk -v k="$SHARDS" -v n="$N" '{ print $1, int((NR - 1) * k / n) + 1 }' "$dur" >"$W/contig"
	# lit --order=smart with every test's time known, then --num-shards:
	# longest first (ties by name), every SHARDS-th
	sort -k2,2nr -k1,1 "$dur" | awk -v k="$SHARDS" '{ print $1, (NR - 1) % k + 1 }' >"$W/lit"
	# longest first to the least loaded shard, on the nominal durations
	sort -k2,2nr -k1,1 "$dur" | awk -v k="$SHARDS" '{
		b = 1
		for (i = 2; i <= k; i++) if (load[i] < load[b]) b = i
		load[b] += $2; print $1, b }' >"$W/lpt"

	anote=""
	if ! (cd "$W" && "$ASSAY" list --shard "1/$SHARDS" $(state_opt "$W/state-none") "$T") >"$W/probe.log" 2>&1; then
		if "$ASSAY" run --help 2>&1 | grep -q -- --shard; then
			anote="assay: \`assay list\` takes no --shard in this build: not measured ($(head -n 1 "$W/probe.log"))"
		else
			anote="assay: no --shard in this build: not measured"
		fi
		note "$anote"
	else
		rm -rf "$W/state-none"
		assay_split none
		note "shard check: one full assay run (-j8) for history"
		(cd "$W" && "$ASSAY" run -j8 $(state_opt "$W/state") "$T") >"$W/history-run.log" 2>&1
		rc=$?
		if [ $rc -ne 0 ] || ! check assay "$W/history-run.log"; then
			tail -n 8 "$W/history-run.log" >&2
			die "the assay run for history failed (exit $rc)"
		fi
		assay_split hist
	fi

	echo "| split into $SHARDS shards | per shard: nominal s (tests) | slowest s | mean s | slowest / mean |"
	echo "|---|---|---:|---:|---:|"
	shard_row "round robin in name order (test i to shard i mod $SHARDS: lit --num-shards without times, ctest -I K,,$SHARDS)" "$W/rr"
	shard_row "contiguous, equal counts, in name order" "$W/contig"
	shard_row "lit --num-shards, all times known (simulated: round robin, longest first)" "$W/lit"
	if [ -z "$anote" ]; then
		if [ $has_state = 1 ]; then
			shard_row "assay --shard K/$SHARDS, empty --state-dir" "$W/assay-none"
			shard_row "assay --shard K/$SHARDS, history of one full run" "$W/assay-hist"
		else
			shard_row "assay --shard K/$SHARDS, first run (no history support in this build)" "$W/assay-none"
			shard_row "assay --shard K/$SHARDS, after one full run (no history support in this build)" "$W/assay-hist"
		fi
	fi
	shard_row "reference: longest first to the least loaded, nominal durations" "$W/lpt"
	awk -v t="$total" -v m="$longest" -v k="$SHARDS" 'BEGIN {
		mean = t / k; b = m > mean ? m : mean
		printf "\nLower bound on slowest / mean: %.3f (max(total / %d, longest) / mean).\n", b / mean, k }'
	[ -n "$anote" ] && printf '\n%s\n' "$anote"
	return 0
}

# ---- report -----------------------------------------------------------------
echo "## Scheduling benchmark: $N tests (seed $SEED), slots $SLOTS, median of $RUNS later runs"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, $(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'); kernel $(uname -r)"
echo "- workload: $N sleeping tests (gen-sched.sh, seed $SEED), $nlong of 1-3 s, the rest 10-200 ms; nominal total $total s, longest $longest s"
rev=$(git -C "$top" describe --always --dirty 2>/dev/null) && rev=" (source tree at git $rev)"
echo "- assay: $(ver "$ASSAY" --version)${rev:-}; history: $(history_of assay)"
case " $runners " in *" ctest "*) echo "- ctest: $(ver ctest --version)" ;; esac
case " $runners " in *" prove "*) echo "- prove: $(ver prove --version)" ;; esac
case " $runners " in *" lit "*) echo "- lit: $(ver $lit_cmd --version 2>&1) ($lit_cmd)" ;; esac
echo "- xargs: $(ver xargs --version)"
[ -n "$skipped" ] && echo "$skipped" | sed '/^$/d'
echo "- bound = max(total / slots, longest) from the nominal durations; makespan = wall time around the runner's command"
if [ "$MODE" != shard ]; then
	sched_runs
	echo
	sched_report
fi
if [ "$MODE" != sched ]; then
	echo
	shard_check
fi
[ "${KEEP:-0}" = 1 ] && note "kept $WORK"
exit 0
