#!/bin/sh
# run.sh - the spawn benchmark: N trivial TAP tests at -jJ, timed for the
# bare spawn pool (floor.c), assay and every peer runner that is installed
# (lit, ctest, prove, meson, GNU parallel), in one run.
#
# Usage: sh selftest/bench/run.sh        (or: make bench)
# Environment:
#   N=2000      number of test programs
#   J=2         jobs at once, for every tool
#   RUNS=5      timed runs per tool, interleaved in rounds (tool order
#               within a round rotates); one untimed warm-up round first
#   ASSAY=path  assay binary (default: harness/assay of this tree)
#   CC=cc       compiler for floor.c and the test programs
#   FORM=auto   test program form, see gen-tap.sh (auto: tiny static ELF)
#   WORK=dir    work directory (default: a fresh mktemp dir, removed at
#               the end unless KEEP=1)
#   GNU_TIME=/usr/bin/time   GNU time, for peak RSS (Debian package: time)
#
# It installs nothing: a tool that is absent is skipped with a line naming
# the Debian package that provides it. Every timed run is checked: all N
# tests ran and passed, by the tool's own summary, else the tool's numbers
# are marked INVALID. Output: a markdown report on stdout.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
N=${N:-2000}
J=${J:-2}
RUNS=${RUNS:-5}
ASSAY=${ASSAY:-$top/harness/assay}
CC=${CC:-cc}
GNU_TIME=${GNU_TIME:-/usr/bin/time}

for v in N J RUNS; do
	eval "val=\$$v"
	case $val in '' | *[!0-9]* | 0) echo "run.sh: $v must be a positive number" >&2; exit 2 ;; esac
done

work_dir bench
T=$WORK/tests

note() { echo "$*" >&2; }

# ---- what is there -------------------------------------------------------
skipped=""
skip() { # TOOL WHY
	skipped="$skipped
- $1: skipped, $2"
	note "run.sh: $1 skipped: $2"
}

if "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null; then
	have_time=1
else
	have_time=0
	skip "peak RSS" "GNU time ($GNU_TIME) is absent (Debian package: time)"
fi
if [ "$(date +%N 2>/dev/null)" != "" ] && [ "$(date +%N)" != "%N" ] && [ "$(date +%N)" != "N" ]; then
	have_ns=1
else
	have_ns=0
fi
if [ $have_ns = 0 ] && [ $have_time = 0 ]; then
	echo "run.sh: need GNU date (+%N) or GNU time to measure wall time" >&2
	exit 1
fi

tools=""
add() { # ID LABEL COMMAND
	tools="$tools $1"
	eval "label_$1=\$2; cmd_$1=\$3"
}

note "run.sh: building floor and $N test programs in $WORK"
if ! "$CC" -O2 -o "$WORK/floor" "$here/floor.c"; then
	echo "run.sh: cannot build floor.c with $CC" >&2
	exit 1
fi
FORM=${FORM:-auto} CC=$CC sh "$here/gen-tap.sh" "$N" "$T" >&2 || exit 1
form=$(cat "$T/FORM")

add floor floor "$WORK/floor $J $T"

if [ -x "$ASSAY" ]; then
	add assayq "assay -q" "$ASSAY run -j$J -q $T"
	add assay assay "$ASSAY run -j$J $T"
else
	skip assay "no binary at $ASSAY (make harness/assay)"
fi

find_lit
if [ -n "$lit_cmd" ]; then
	add lit lit "$lit_cmd -s -j$J $T"
else
	skip lit "not found (Debian package: llvm-NN-tools, e.g. llvm-14-tools)"
fi

if command -v ctest >/dev/null 2>&1 && command -v cmake >/dev/null 2>&1; then
	if cmake -S "$T" -B "$WORK/build-cmake" >"$WORK/cmake-setup.log" 2>&1; then
		add ctest ctest "ctest --test-dir $WORK/build-cmake -j$J"
	else
		skip ctest "cmake configure failed, see $WORK/cmake-setup.log"
	fi
else
	skip ctest "not found (Debian package: cmake)"
fi

if command -v prove >/dev/null 2>&1; then
	add prove prove "prove -j$J --exec '' $T/"
else
	skip prove "not found (Debian package: perl)"
fi

if command -v meson >/dev/null 2>&1; then
	if ! command -v ninja >/dev/null 2>&1; then
		skip meson "ninja not found (Debian package: ninja-build)"
	elif meson setup "$WORK/build-meson" "$T" >"$WORK/meson-setup.log" 2>&1; then
		add meson meson "meson test -C $WORK/build-meson --no-rebuild --num-processes $J"
	else
		skip meson "meson setup failed, see $WORK/meson-setup.log"
	fi
else
	skip meson "not found (Debian packages: meson, ninja-build)"
fi

if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	add parallel "GNU parallel" "parallel --will-cite -j$J ::: $T/*.t"
else
	skip parallel "GNU parallel not found (Debian package: parallel)"
fi

# ---- checks: did the run run all N tests, and did they pass? -------------
has() { grep -Eq "$1" "$2"; }
check() { # ID OUTFILE RC
	[ "$3" -eq 0 ] || return 1
	case $1 in
	floor) [ "$(tail -n 1 "$2")" = "floor: $N passed, 0 failed" ] ;;
	assay | assayq) [ "$(tail -n 1 "$2")" = "assay: $N passed, 0 failed, 0 skipped" ] ;;
	lit) has "^ *Passed *: $N\$" "$2" && ! has '^ *(Failed|Unresolved|Timed Out)' "$2" ;;
	ctest) has "^100% tests passed, 0 tests failed out of $N\$" "$2" ;;
	prove) has "^Files=$N, Tests=$N," "$2" && has '^Result: PASS$' "$2" ;;
	meson) has "^Ok: +$N *\$" "$2" && has '^Fail: +0 *$' "$2" ;;
	parallel) [ "$(grep -c '^ok 1 - trivial$' "$2")" -eq "$N" ] && [ "$(grep -c '^1\.\.1$' "$2")" -eq "$N" ] ;;
	*) return 1 ;;
	esac
}

now() { date +%s%N; }

# run_one ID: one run; appends "SECONDS RSS_KIB VALID" to $WORK/res.ID
run_one() {
	eval "cmd=\$cmd_$1"
	out=$WORK/out.$1
	rss=NA
	if [ $have_time = 1 ]; then
		t0=$(now)
		eval "\"\$GNU_TIME\" -f '%e %M' -o \"\$WORK/time.\$1\" $cmd" >"$out" 2>&1
		rc=$?
		t1=$(now)
		# GNU time adds "Command exited with non-zero status N" first
		rss=$(tail -n 1 "$WORK/time.$1" | awk '{ print $2 }')
		if [ $have_ns = 1 ]; then
			secs=$(echo "$t0 $t1" | awk '{ printf "%.4f", ($2 - $1) / 1e9 }')
		else
			secs=$(tail -n 1 "$WORK/time.$1" | awk '{ print $1 }')
		fi
	else
		t0=$(now)
		eval "$cmd" >"$out" 2>&1
		rc=$?
		t1=$(now)
		secs=$(echo "$t0 $t1" | awk '{ printf "%.4f", ($2 - $1) / 1e9 }')
	fi
	if check "$1" "$out" "$rc"; then
		ok=1
	else
		ok=0
		cp "$out" "$WORK/bad.$1"
		note "run.sh: $1: run did not pass all $N tests (exit $rc); last lines:"
		tail -n 5 "$out" | sed 's/^/    /' >&2
	fi
	echo "$secs $rss $ok" >>"$WORK/res.$1"
}

# ---- measure: a warm-up round, then RUNS rounds of every tool ------------
ntools=$(echo $tools | wc -w)
note "run.sh: warm-up round"
for t in $tools; do
	run_one "$t"
	rm -f "$WORK/res.$t"
done
r=1
while [ "$r" -le "$RUNS" ]; do
	note "run.sh: round $r of $RUNS"
	# rotate the order, so that no tool always follows the same one
	set -- $tools
	k=$(((r - 1) % ntools))
	while [ "$k" -gt 0 ]; do
		first=$1; shift; set -- "$@" "$first"; k=$((k - 1))
	done
	for t in "$@"; do
		run_one "$t"
	done
	r=$((r + 1))
done

# ---- report ------------------------------------------------------------
stat_of() { # ID -> "median min max rss_mib valid"
	f=$WORK/res.$1
	med=$(awk '{ print $1 }' "$f" | median)
	min=$(awk '{ print $1 }' "$f" | sort -n | head -n 1)
	max=$(awk '{ print $1 }' "$f" | sort -n | tail -n 1)
	rss=$(awk '$2 != "NA" { if ($2 > m) m = $2; s = 1 } END { if (s) printf "%.1f", m / 1024; else print "n/a" }' "$f")
	valid=$(awk '$3 != 1 { bad = 1 } END { print bad ? 0 : 1 }' "$f")
	echo "$med $min $max $rss $valid"
}

set -- $(stat_of floor)
floor_med=$1
assay_med=""
case " $tools " in *" assayq "*) set -- $(stat_of assayq); assay_med=$1 ;; esac

echo "## Spawn benchmark: $N trivial tests, -j$J, median of $RUNS"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, $(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
echo "- kernel: $(uname -sr); Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
echo "- test programs: $N copies of a '$form' program (see gen-tap.sh)"
echo "- cc: $(ver "$CC" --version)"
if [ -x "$ASSAY" ]; then
	rev=$(git -C "$top" describe --always --dirty 2>/dev/null) && rev=" (source tree at git $rev)"
	echo "- assay: $(ver "$ASSAY" --version)${rev:-}"
fi
[ -n "$lit_cmd" ] && echo "- lit: $(ver $lit_cmd --version 2>&1)"
command -v ctest >/dev/null 2>&1 && echo "- ctest: $(ver ctest --version)"
command -v prove >/dev/null 2>&1 && echo "- prove: $(ver prove --version)"
command -v meson >/dev/null 2>&1 && echo "- meson: $(ver meson --version), ninja $(ver ninja --version)"
command -v parallel >/dev/null 2>&1 && echo "- parallel: $(ver parallel --version)"
[ $have_time = 1 ] && echo "- peak RSS: GNU time %M, the largest single process of the run (the tool or one of its children), max over runs"
[ -n "$skipped" ] && echo "$skipped" | sed '/^$/d'
echo
echo "| tool | median s | min s | max s | x floor | x assay | peak RSS MiB | command |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for t in $tools; do
	eval "label=\$label_$t; cmd=\$cmd_$t"
	set -- $(stat_of "$t")
	xf=$(echo "$1 $floor_med" | awk '{ printf "%.2f", $1 / $2 }')
	if [ -n "$assay_med" ]; then
		xa=$(echo "$1 $assay_med" | awk '{ printf "%.2f", $1 / $2 }')
	else
		xa=n/a
	fi
	[ "$5" = 1 ] || label="$label (INVALID: not all $N tests ran and passed)"
	shown=$(echo "$cmd" | sed "s|$WORK|\$WORK|g; s|$top/||g")
	printf '| %s | %.3f | %.3f | %.3f | %s | %s | %s | `%s` |\n' \
		"$label" "$1" "$2" "$3" "$xf" "$xa" "$4" "$shown"
done

# ---- verdict -----------------------------------------------------------
if [ -n "$assay_med" ]; then
	echo
	verdict=$(echo "$assay_med $floor_med" | awk '{ printf "%.2f", $1 / $2 }')
	slower=""
	for t in $tools; do
		case $t in floor | assay | assayq) continue ;; esac
		set -- $(stat_of "$t")
		if awk -v a="$assay_med" -v p="$1" 'BEGIN { exit !(p <= a) }'; then
			eval "slower=\"\$slower \$label_$t\""
		fi
	done
	set -- $(stat_of assayq)
	if [ "$5" != 1 ]; then
		echo "Target: assay's runs were INVALID."
	elif awk -v r="$verdict" 'BEGIN { exit !(r <= 1.5) }' && [ -z "$slower" ]; then
		echo "Target met: assay -q at ${verdict}x the floor (<= 1.5x) and below every peer."
	else
		msg="Target missed: assay -q at ${verdict}x the floor (target <= 1.5x)"
		[ -n "$slower" ] && msg="$msg; not below:$slower" || msg="$msg; below every peer"
		echo "$msg."
	fi
fi
[ "${KEEP:-0}" = 1 ] && note "run.sh: kept $WORK"
exit 0
