#!/bin/sh
# installed.sh - installed-tests suites (Debian's libglib2.0-tests and
# dbus-tests) run by assay -jJ on the descriptors themselves, against
# gnome-desktop-testing-runner -pJ, the format's own runner, in the same
# rounds.
#
# Each round runs both tools on SUITES (default: glib and dbus), tool
# order alternating; assay keeps its history from the warm-up round on,
# so its timed runs are "with history". Every run gets a fresh HOME, and
# the script reports what each tool's tests wrote there (assay gives each
# test a private home; the reference runner does not). Verdicts are
# compared per descriptor: assay's JUnit against the runner's TAP.
#
# Usage: sh selftest/bench/installed.sh   (or: make bench-installed)
# Environment: J=2, RUNS=3 (timed rounds after one warm-up round),
# SUITES="glib dbus", ASSAY, WORK (kept with KEEP=1).
# Needs gnome-desktop-testing, libglib2.0-tests and dbus-tests.
# Output: markdown on stdout.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
J=${J:-2}
RUNS=${RUNS:-3}
SUITES=${SUITES:-glib dbus}
ASSAY=${ASSAY:-$top/harness/assay}
IT=/usr/share/installed-tests
GDTR=$(command -v gnome-desktop-testing-runner)

work_dir bench-installed
note() { echo "$*" >&2; }
[ -n "$GDTR" ] || { note "installed.sh: gnome-desktop-testing-runner is missing (apt-get install gnome-desktop-testing)"; exit 1; }
for s in $SUITES; do
	[ -d "$IT/$s" ] || { note "installed.sh: $IT/$s is missing (apt-get install libglib2.0-tests dbus-tests)"; exit 1; }
done

# timed NAME ROUND CMD...: runs CMD in $WORK/NAME.ROUND with a fresh HOME,
# prints its wall seconds
timed() {
	name=$1 round=$2
	shift 2
	d=$WORK/$name.$round
	rm -rf "$d"
	mkdir -p "$d/home"
	s=$(date +%s.%N)
	(cd "$d" && HOME=$d/home "$@" >"$d/out" 2>"$d/err")
	echo $? >"$d/rc"
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}

paths=""
prefixes=""
for s in $SUITES; do
	paths="$paths $IT/$s"
	prefixes="$prefixes $s/"
done

: >"$WORK/assay.times"
: >"$WORK/gdtr.times"
for r in $(seq 0 "$RUNS"); do
	note "installed.sh: round $r of $RUNS (0: warm-up)"
	# shellcheck disable=SC2086
	if [ $((r % 2)) = 0 ]; then
		ta=$(timed assay "$r" "$ASSAY" run -j"$J" --state-dir "$WORK/state" --junit report.xml $paths)
		tg=$(timed gdtr "$r" "$GDTR" -p "$J" --tap $prefixes)
	else
		tg=$(timed gdtr "$r" "$GDTR" -p "$J" --tap $prefixes)
		ta=$(timed assay "$r" "$ASSAY" run -j"$J" --state-dir "$WORK/state" --junit report.xml $paths)
	fi
	if [ "$r" -gt 0 ]; then
		echo "$ta" >>"$WORK/assay.times"
		echo "$tg" >>"$WORK/gdtr.times"
	fi
done

ma=$(median <"$WORK/assay.times")
mg=$(median <"$WORK/gdtr.times")
last=$RUNS
A=$WORK/assay.$last
G=$WORK/gdtr.$last

# verdicts per descriptor: assay's (from its JUnit: a suite failed when
# any case failed or errored, skipped when every case was skipped) and
# the runner's (its TAP line per descriptor)
sed -n 's/.*<testsuite name="\([^"]*\)" tests="\([0-9]*\)" failures="\([0-9]*\)" errors="\([0-9]*\)" skipped="\([0-9]*\)".*/\1 \2 \3 \4 \5/p' "$A/report.xml" |
	awk '{
		n = $1; sub(/::.*/, "", n)
		x = $3 + $4 > 0 ? "FAIL" : $5 == $2 ? "SKIP" : "PASS"
		if (!(n in seen) || x == "FAIL" || (x == "PASS" && seen[n] == "SKIP")) seen[n] = x
	} END { for (n in seen) print n, seen[n] }' | sort >"$WORK/assay.verdicts"
sed -n 's/^\(not ok\|ok\) - \([^ ]*\).*/\1 \2/p; s/^ok # SKIP - \([^ ]*\).*/SKIP \1/p' "$G/out" |
	awk '$1 == "SKIP" { print $2, "SKIP"; next } $1 == "ok" { print $2, "PASS"; next } { print $3, "FAIL" }' |
	sort -u >"$WORK/gdtr.verdicts"
agree=$(join "$WORK/assay.verdicts" "$WORK/gdtr.verdicts" | awk '$2 == $3' | wc -l)
both=$(join "$WORK/assay.verdicts" "$WORK/gdtr.verdicts" | wc -l)

cat <<EOF
### Installed tests: $(echo $SUITES), -j$J, assay with history

$(uname -srm), $(getconf _NPROCESSORS_ONLN) CPUs; $(dpkg-query -W -f '${Package} ${Version}; ' gnome-desktop-testing libglib2.0-tests dbus-tests 2>/dev/null)
median of $RUNS rounds after a warm-up round, tool order alternating.

| runner | median wall (s) | runs (s) | ratio to gnome-desktop-testing-runner |
| --- | --- | --- | --- |
| assay run -j$J (history) | $ma | $(tr '\n' ' ' <"$WORK/assay.times") | $(awk -v a="$ma" -v g="$mg" 'BEGIN { printf "%.2f", a / g }') |
| gnome-desktop-testing-runner -p$J | $mg | $(tr '\n' ' ' <"$WORK/gdtr.times") | 1.00 |

Verdicts of the last round, per descriptor: $agree of $both agree.
$(join "$WORK/assay.verdicts" "$WORK/gdtr.verdicts" | awk '$2 != $3 { print "- " $1 ": assay " $2 ", gnome-desktop-testing-runner " $3 }')

Written into HOME during the last round: assay's tests $(find "$A/home" -mindepth 1 | wc -l) entries; gnome-desktop-testing-runner's $(find "$G/home" -mindepth 1 | wc -l) ($(find "$G/home" -mindepth 1 -maxdepth 3 | sed "s|$G/home/||" | sort | head -8 | tr '\n' ' ')).
EOF
