#!/bin/sh
# gtest.sh - the gtest kind against GoogleTest itself and against ctest.
#
# 1. One binary of N trivial cases (selftest/gtest/many.cc) at -jJ: the
#    binary run whole once (the floor), assay's first run (no history),
#    assay with history, and ctest -jJ with gtest_discover_tests (one
#    process per case), in interleaved rounds.
# 2. googletest's own test binaries and samples, built from Debian's
#    googletest sources (/usr/src/googletest) with CMake: every case's
#    verdict from assay against the one the binary gives itself run whole
#    (its XML), and the makespan at -jJ of assay with history against
#    ctest -jJ with gtest_discover_tests, with its cost data, in the same
#    rounds. GOOGLETEST=0 leaves this part out (the build takes minutes).
#
# Usage: sh selftest/bench/gtest.sh      (or: make bench-gtest)
# Environment: N=2000, J=2, RUNS=5, ASSAY, CXX=g++, WORK (kept with KEEP=1),
# GOOGLETEST=1. Needs g++, cmake and libgtest-dev (googletest for part 2);
# a missing one is named and its part skipped. Output: markdown on stdout.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
N=${N:-2000}
J=${J:-2}
RUNS=${RUNS:-5}
ASSAY=${ASSAY:-$top/harness/assay}
CXX=${CXX:-g++}
GOOGLETEST=${GOOGLETEST:-1}
SRC=/usr/src/googletest

work_dir bench-gtest
note() { echo "$*" >&2; }
for tool in "$CXX" cmake ctest; do
	command -v "$tool" >/dev/null 2>&1 || { note "gtest.sh: $tool is missing (apt-get install g++ cmake)"; exit 1; }
done
[ -f /usr/include/gtest/gtest.h ] || { note "gtest.sh: GoogleTest is missing (apt-get install libgtest-dev)"; exit 1; }

# secs CMD...: wall seconds of one run of CMD (output discarded)
secs() {
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.6f\n", e - s }'
}

# div A B: A / B
div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

# ---- 1. one binary of N trivial cases ----
mkdir -p "$WORK/one" && cd "$WORK/one" || exit 1
cat >CMakeLists.txt <<EOF
cmake_minimum_required(VERSION 3.13)
project(many CXX)
enable_testing()
find_package(GTest REQUIRED)
include(GoogleTest)
add_executable(many $top/selftest/gtest/many.cc)
target_compile_definitions(many PRIVATE MANY_CASES=$N)
target_link_libraries(many GTest::gtest_main)
gtest_discover_tests(many)
EOF
note "building a binary of $N cases"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >cmake.log 2>&1 &&
	cmake --build build -j "$J" >>cmake.log 2>&1 || { note "gtest.sh: the CMake build failed: $WORK/one/cmake.log"; exit 1; }
BIN=$WORK/one/build/many
[ "$(ctest --test-dir build -N | grep -c 'Test *#')" = "$N" ] || { note "gtest.sh: ctest did not discover $N tests"; exit 1; }
"$ASSAY" run -j "$J" -q --state-dir "$WORK/one/state" "$BIN" >/dev/null   # history
: >whole.t; : >first.t; : >hist.t; : >ctest.t
for r in $(seq "$RUNS"); do
	note "round $r of $RUNS"
	secs "$BIN" >>whole.t
	rm -rf "$WORK/one/fresh"
	secs "$ASSAY" run -j "$J" -q --state-dir "$WORK/one/fresh" "$BIN" >>first.t
	secs "$ASSAY" run -j "$J" -q --state-dir "$WORK/one/state" "$BIN" >>hist.t
	secs ctest --test-dir build -j "$J" -Q >>ctest.t
done
w=$(median <whole.t); f=$(median <first.t); h=$(median <hist.t); c=$(median <ctest.t)
procs=$(sed -n 's/.*"jobs": *\([0-9]*\).*/\1/p' "$WORK/one/state/schedule.json")
echo "### One binary of $N trivial cases at -j$J (median of $RUNS)"
echo
echo "| run | seconds | against the binary run whole | against ctest |"
echo "| --- | ---: | ---: | ---: |"
printf '| the binary run whole once | %.3f | 1.00x | |\n' "$w"
printf '| assay, first run (no history: %s) | %.3f | %.2fx | %.1fx faster |\n' "4 batches per slot" "$f" "$(div "$f" "$w")" "$(div "$c" "$f")"
printf '| assay with history (%s process(es)) | %.3f | %.2fx | %.1fx faster |\n' "$procs" "$h" "$(div "$h" "$w")" "$(div "$c" "$h")"
printf '| ctest -j%s, gtest_discover_tests | %.3f | %.2fx | 1.0x |\n' "$J" "$c" "$(div "$c" "$w")"
echo

[ "$GOOGLETEST" = 1 ] || exit 0
[ -d "$SRC/googletest/test" ] || { note "gtest.sh: $SRC is missing (apt-get install googletest): part 2 left out"; exit 0; }

# ---- 2. googletest's own tests and samples ----
mkdir -p "$WORK/gt" && cd "$WORK/gt" || exit 1
cat >CMakeLists.txt <<EOF
cmake_minimum_required(VERSION 3.18)
project(googletest_accept CXX C)
enable_testing()
set(gtest_build_tests ON CACHE BOOL "" FORCE)
set(gtest_build_samples ON CACHE BOOL "" FORCE)
set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory($SRC googletest)
include(GoogleTest)
get_property(targets DIRECTORY $SRC/googletest PROPERTY BUILDSYSTEM_TARGETS)
# a binary that cannot list its tests (one aborts) fails the whole ctest
# run under gtest_discover_tests: those run whole, with add_test
foreach(t \${targets})
  get_target_property(type \${t} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
  elseif(t IN_LIST LISTABLE)
    gtest_discover_tests(\${t} DISCOVERY_MODE PRE_TEST TEST_PREFIX "\${t}::")
  else()
    add_test(NAME \${t} COMMAND \${t})
  endif()
endforeach()
EOF
note "building googletest's tests and samples (minutes)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >cmake.log 2>&1 &&
	cmake --build build -j "$J" >>cmake.log 2>&1 || { note "gtest.sh: the googletest build failed: $WORK/gt/cmake.log"; exit 1; }
B=$WORK/gt/build/googletest/googletest
mkdir -p bins truth
listable=""
for f in "$B"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	ln -sf "$f" "bins/$(basename "$f")"
	(cd "$B" && timeout 30 "$f" --gtest_list_tests >/dev/null 2>&1) &&
		listable="$listable;$(basename "$f")"
done
cmake -S . -B build "-DLISTABLE=${listable#;}" >>cmake.log 2>&1 || exit 1
nbins=$(ls bins | wc -l)
nlisted=$(echo "${listable#;}" | tr ';' '\n' | grep -c .)

# the truth: each binary run whole, its own XML
for f in bins/*; do
	n=$(basename "$f")
	(cd "$B" && timeout 120 "$WORK/gt/$f" --gtest_output="xml:$WORK/gt/truth/$n.xml" >/dev/null 2>&1)
done
# name TAB outcome per case, from a gtest XML (truth) or assay's JUnit
truth_cases() {
	for x in truth/*.xml; do
		n=$(basename "$x" .xml)
		xmllint --xpath '//testcase[@status="run"]' "$x" 2>/dev/null |
			awk -v n="$n" 'BEGIN { RS = "</testcase>|/>" } /<testcase/ {
				match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7)
				match($0, /classname="[^"]*"/); cls = substr($0, RSTART + 11, RLENGTH - 12)
				o = "pass"; if ($0 ~ /<failure/) o = "fail"; else if ($0 ~ /result="skipped"/) o = "skip"
				# a failure outside any test: the binary itself
				print n "::" (cls name == "" ? n : cls "." name) "\t" o }'
	done | sort
}
assay_cases() {
	xmllint --xpath '//testcase' "$1" 2>/dev/null |
		awk 'BEGIN { RS = "</testcase>|/>" } /<testcase/ {
			match($0, /classname="[^"]*"/); cls = substr($0, RSTART + 11, RLENGTH - 12)
			match($0, / name="[^"]*"/); name = substr($0, RSTART + 7, RLENGTH - 8)
			o = "pass"; if ($0 ~ /<(failure|error)/) o = "fail"; else if ($0 ~ /<skipped/) o = "skip"
			sub(/.*\//, "", cls); print cls "::" name "\t" o }' | sort
}
# Runs in the binaries' directory, as ctest does (some tests read files
# beside them).
cd "$B" || exit 1
note "assay: first run, then history"
"$ASSAY" run -j "$J" -q --state-dir "$WORK/gt/state" --junit "$WORK/gt/assay.xml" "$WORK/gt/bins" >"$WORK/gt/assay.out" 2>&1
"$ASSAY" run -j "$J" -q --state-dir '' --gtest-granularity binary --junit "$WORK/gt/whole.xml" "$WORK/gt/bins" >"$WORK/gt/whole.out" 2>&1
ctest --test-dir "$WORK/gt/build" -j "$J" -Q >/dev/null 2>&1           # cost data
cd "$WORK/gt" || exit 1
# one line per id: the outcomes it had, each once, sorted (two tests may
# share a name; a binary may run a case more than once, as
# googletest-listener-test does, where its XML keeps the last run; every
# process of a binary reports a failure outside its tests)
per_id() {
	sort -u | awk -F '\t' '{ if ($1 == id) { s = s "," $2; next }
		if (id != "") print id "\t" s; id = $1; s = $2 }
		END { if (id != "") print id "\t" s }'
}
truth_cases | per_id >truth.tsv
assay_cases assay.xml | per_id >assay.tsv
join -t "$(printf '\t')" truth.tsv assay.tsv >both.tsv
same=$(awk -F '\t' '$2 == $3' both.tsv | wc -l)
differ=$(awk -F '\t' '$2 != $3' both.tsv | wc -l)
missing=$(join -t "$(printf '\t')" -v 1 truth.tsv assay.tsv | wc -l)
assay_cases whole.xml | per_id >whole.tsv
join -t "$(printf '\t')" truth.tsv whole.tsv >both-whole.tsv
whole_differ=$(awk -F '\t' '$2 != $3' both-whole.tsv | wc -l)

: >a.t; : >c.t
for r in $(seq "$RUNS"); do
	note "googletest round $r of $RUNS"
	(cd "$B" && secs "$ASSAY" run -j "$J" -q --state-dir "$WORK/gt/state" "$WORK/gt/bins") >>a.t
	secs ctest --test-dir "$WORK/gt/build" -j "$J" -Q >>c.t
done
a=$(median <a.t); c=$(median <c.t)
echo "### googletest 1.12's own tests and samples ($nbins binaries, $nlisted listable) at -j$J"
echo
echo "Verdicts, case by case, against each binary run whole (its own XML):"
echo "$same agree, $differ differ, $missing that the binary ran are missing from assay's report."
echo "With --gtest-granularity binary (each binary in one process), $whole_differ differ."
echo
if [ "$differ" != 0 ]; then
	echo "| case | the binary alone | assay | assay, one process per binary |"
	echo "| --- | --- | --- | --- |"
	join -t "$(printf '\t')" both.tsv whole.tsv |
		awk -F '\t' '$2 != $3 { print "| " $1 " | " $2 " | " $3 " | " $4 " |" }'
	echo
fi
if [ "$missing" != 0 ]; then
	echo "Missing from assay's report:"
	join -t "$(printf '\t')" -v 1 truth.tsv assay.tsv | sed 's/^/    /'
	echo
fi
echo "| runner | seconds (median of $RUNS) | ratio |"
echo "| --- | ---: | ---: |"
printf '| assay -j%s, with history | %.2f | %.2fx |\n' "$J" "$a" "$(div "$a" "$c")"
printf '| ctest -j%s, gtest_discover_tests, with cost data | %.2f | 1.00x |\n' "$J" "$c"
