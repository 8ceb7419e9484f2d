#!/bin/sh
# merge.sh - the time and peak memory of `assay merge` on REPORTS reports
# of CASES test cases each (by default 10 x 10,000: it must take under a
# second), against the peers measured the same way in the same run.
#
# Usage: ASSAY=path sh selftest/bench/merge.sh
#   (ASSAY defaults to harness/assay of this tree.)
# Environment: REPORTS=10, CASES=10000 (per report), SUITES=10 (per
#   report), RUNS=5 (the median of RUNS timed merges is reported);
#   OTHER_ASSAY=path: another assay build (an earlier version) measured
#   as a peer; PYTHON=no: leave the python peer out (it holds every
#   input as a tree: about 10x the input's size in memory).
# The reports come from gen-junit.sh; each run's output is checked to
# hold REPORTS x CASES test cases, else the numbers are marked INVALID.
# Peak RSS is the largest of the runs, from GNU time when installed.
# The python peer: the merge a CI script usually does, Python's
# xml.etree (parse each, append the suites to one root, recount, write).
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
ASSAY=${ASSAY:-$here/../../harness/assay}
OTHER_ASSAY=${OTHER_ASSAY:-}
PYTHON=${PYTHON:-yes}
REPORTS=${REPORTS:-10}
CASES=${CASES:-10000}
SUITES=${SUITES:-10}
RUNS=${RUNS:-5}
for v in REPORTS CASES SUITES RUNS; do
	eval "val=\$$v"
	case $val in '' | *[!0-9]* | 0) echo "merge.sh: $v must be a positive number" >&2; exit 2 ;; esac
done
W=$(mktemp -d "${TMPDIR:-/tmp}/mergebench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

set --
for r in $(seq "$REPORTS"); do
	sh "$here/gen-junit.sh" "$CASES" "$SUITES" "shard-$r" >"$W/in$r.xml" || exit 1
	set -- "$@" "$W/in$r.xml"
done
bytes=$(cat "$@" | wc -c)
want=$((REPORTS * CASES))

cat >"$W/peer.py" <<'EOP'
import sys, xml.etree.ElementTree as ET
root = ET.Element("testsuites", name="merged")
for path in sys.argv[2:]:
    r = ET.parse(path).getroot()
    root.extend(r.iter("testsuite") if r.tag == "testsuites" else [r])
cases = root.findall("testsuite/testcase")
root.set("tests", str(len(cases)))
root.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
root.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
ET.ElementTree(root).write(sys.argv[1], encoding="UTF-8", xml_declaration=True)
EOP

median() {
	printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# measure LABEL CMD...: RUNS timed runs of CMD, which writes $W/out.xml;
# prints a table row and sets MED (median seconds)
measure() {
	label=$1
	shift
	times="" rss=0 valid=yes
	for r in $(seq "$RUNS"); do
		rm -f "$W/out.xml"
		t0=$(date +%s.%N)
		if command -v /usr/bin/time >/dev/null 2>&1; then
			/usr/bin/time -f '%M' -o "$W/rss" "$@" || { echo "merge.sh: $label failed" >&2; exit 1; }
			k=$(tail -n 1 "$W/rss")
			[ "$k" -gt "$rss" ] && rss=$k
		else
			"$@" || { echo "merge.sh: $label failed" >&2; exit 1; }
		fi
		t1=$(date +%s.%N)
		times="$times $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
		grep -q "<testsuites name=\"[a-z]*\" tests=\"$want\" " "$W/out.xml" || valid=no
	done
	MED=$(median $times)
	awk -v l="$label" -v r="$REPORTS" -v c="$want" -v bi="$bytes" \
	    -v bo="$(wc -c <"$W/out.xml")" -v t="$times" -v s="$MED" \
	    -v m="$rss" -v ok="$valid" 'BEGIN {
		printf "| %s | %d x %d | %.1f | %.1f |%s | %.3f%s | %s | %.0f |\n",
			l, r, c / r, bi / 1e6, bo / 1e6, t, s,
			ok == "yes" ? "" : " INVALID",
			m ? sprintf("%.1f", m / 1024) : "-", c / s }'
}

echo "| merge | inputs x cases | MB in | MB out | runs (s) | median (s) | peak RSS MB | cases/s |"
echo "|---|---|---|---|---|---|---|---|"
measure "assay merge" "$ASSAY" merge -o "$W/out.xml" "$@"
amed=$MED
if [ -n "$OTHER_ASSAY" ]; then
	measure "$OTHER_ASSAY merge" "$OTHER_ASSAY" merge -o "$W/out.xml" "$@"
	omed=$MED
fi
if [ "$PYTHON" != no ] && command -v python3 >/dev/null 2>&1; then
	measure "python3 xml.etree" python3 "$W/peer.py" "$W/out.xml" "$@"
	pmed=$MED
else
	pmed=""
	echo "python3 not installed or PYTHON=no: the python peer was not measured" >&2
fi
echo
[ -n "$OTHER_ASSAY" ] && awk -v a="$amed" -v p="$omed" 'BEGIN {
	printf "assay merge takes %.2fx the time of the other build\n", a / p }'
[ -n "$pmed" ] && awk -v a="$amed" -v p="$pmed" 'BEGIN {
	printf "assay merge takes %.2fx the time of the python xml.etree merge\n", a / p }'
exit 0
