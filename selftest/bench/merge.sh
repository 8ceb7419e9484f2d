#!/bin/sh
# merge.sh - the speed of `assay merge` on REPORTS reports of CASES test
# cases each (by default 10 x 10,000: it must take under a second).
#
# Usage: ASSAY=path sh selftest/bench/merge.sh
#   (ASSAY defaults to harness/assay of this tree.)
# Environment: REPORTS=10, CASES=10000 (per report), SUITES=10 (per
#   report), RUNS=5 (the median of RUNS timed merges is reported).
# The reports come from gen-junit.sh; each run's output is checked to
# hold REPORTS x CASES test cases, else the numbers are marked INVALID.
# The peer, timed the same way in the same run: the merge a CI script
# usually does, Python's xml.etree (parse each, append the suites to one
# root, recount, write), when python3 is installed.
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
ASSAY=${ASSAY:-$here/../../harness/assay}
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

times=""
valid=yes
for r in $(seq "$RUNS"); do
	t0=$(date +%s.%N)
	"$ASSAY" merge -o "$W/out.xml" "$@" || { echo "merge.sh: assay merge failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	times="$times $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
	grep -q "^<testsuites name=\"assay\" tests=\"$want\" " "$W/out.xml" || valid=no
done
med=$(printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
out=$(wc -c <"$W/out.xml")
echo "| inputs | cases | MB in | MB out | runs (s) | median (s) | MB/s | cases/s |"
echo "|---|---|---|---|---|---|---|---|"
awk -v r="$REPORTS" -v c="$want" -v bi="$bytes" -v bo="$out" -v t="$times" \
    -v s="$med" -v ok="$valid" 'BEGIN {
	printf "| %d | %d | %.1f | %.1f |%s | %.3f%s | %.0f | %.0f |\n", r, c,
		bi / 1e6, bo / 1e6, t, s, ok == "yes" ? "" : " INVALID",
		bi / 1e6 / s, c / s }'

if command -v python3 >/dev/null 2>&1; then
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
	ptimes=""
	for r in $(seq "$RUNS"); do
		t0=$(date +%s.%N)
		python3 "$W/peer.py" "$W/peer.xml" "$@" || { echo "merge.sh: the python peer failed" >&2; exit 1; }
		t1=$(date +%s.%N)
		ptimes="$ptimes $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
	done
	pmed=$(printf '%s\n' $ptimes | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	awk -v r="$REPORTS" -v c="$want" -v bi="$bytes" -v bo="$(wc -c <"$W/peer.xml")" \
	    -v t="$ptimes" -v s="$pmed" 'BEGIN {
		printf "| %d (python3 xml.etree) | %d | %.1f | %.1f |%s | %.3f | %.0f | %.0f |\n",
			r, c, bi / 1e6, bo / 1e6, t, s, bi / 1e6 / s, c / s }'
	awk -v a="$med" -v p="$pmed" 'BEGIN {
		printf "\nassay merge takes %.2fx the time of the python xml.etree merge\n", a / p }'
else
	echo "python3 not installed: the peer was not measured" >&2
fi
