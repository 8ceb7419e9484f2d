#!/bin/sh
# The gtest kind: a GoogleTest binary's cases are tests of their own,
# listed, run in batches, judged from the output and the XML; crashes,
# hangs, odd exits and junk are each one case's problem. The real
# binaries come from selftest/gtest/ (built when libgtest-dev is
# installed; ci/setup installs it); a shell script speaking gtest's
# protocol checks `-k gtest` and the listing rules without them.
. "$(dirname "$0")/lib.sh"

: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"
G="$ASSAY_BUILDDIR/selftest/gtest"


# jobs_run DIR: how many processes the last run started (its schedule)
jobs_run() {
	sed -n 's/.*"jobs": *\([0-9]*\).*/\1/p' "$1/schedule.json"
}

# ---- a fake: a script that speaks gtest's protocol, forced by -k ----
mkdir -p fake && cat >fake/fake <<'EOF'
#!/bin/sh
# lists A.one A.two B/0.three (typed) and C.four; runs what --gtest_filter names
filter="A.one:A.two:B/0.three:C.four"
for a in "$@"; do
	case $a in
	--gtest_list_tests) echo listed >>"${FAKE_LOG:-/dev/null}"; printf 'Running main() from fake\nA.\n  one\n  two\nB/0.  # TypeParam = int\n  three\nC.\n  four  # GetParam() = 4\nA.\n  one\n'; exit 0;;
	--gtest_filter=*) filter=${a#--gtest_filter=};;
	--gtest_output=xml:*) xml=${a#--gtest_output=xml:};;
	esac
done
# FAKE_ENVFAIL: a failure outside any test, in the XML only
if [ -n "${FAKE_ENVFAIL:-}" ] && [ -n "${xml:-}" ]; then
	printf '<testsuites><testsuite name=""><testcase name="" classname="" status="run"><failure message="env.c:3 the environment broke"/></testcase></testsuite></testsuites>\n' >"$xml"
fi
# FAKE_QUIET: its own printer shows no case; only the XML tells them
if [ -n "${FAKE_QUIET:-}" ] && [ -n "${xml:-}" ]; then
	{
		echo '<testsuites><testsuite name="A">'
		for t in $(echo "$filter" | tr ':' ' '); do
			case $t in
			A.two) echo "<testcase name=\"${t#*.}\" classname=\"${t%.*}\" status=\"run\"><failure message=\"q.c:2 quietly wrong\"/></testcase>" ;;
			*) echo "<testcase name=\"${t#*.}\" classname=\"${t%.*}\" status=\"run\"/>" ;;
			esac
		done
		echo '<testcase name="unasked" classname="Z" status="run"/></testsuite></testsuites>'
	} >"$xml"
	exit 1
fi
echo "shards=[${GTEST_TOTAL_SHARDS:-}${GTEST_SHARD_INDEX:-}]" >>"$FAKE_LOG"
echo "filter=$filter" >>"$FAKE_LOG"
rc=0
for t in $(echo "$filter" | tr ':' ' '); do
	echo "[ RUN      ] $t"
	if [ "$t" = A.one ] && [ -n "${FAKE_DUP:-}" ]; then
		# a second test of the same name, which fails
		echo "[       OK ] $t (1 ms)"
		echo "[ RUN      ] $t"
		echo "dup.c:1: Failure"
		echo "the second A.one"
		echo "[  FAILED  ] $t (1 ms)"
		rc=1
	elif [ "$t" = A.two ]; then
		echo "fake.c:12: Failure"
		echo "Value of: two"
		echo "[  FAILED  ] $t (3 ms)"
		rc=1
	else
		echo "[       OK ] $t (1 ms)"
	fi
done
[ $rc = 0 ] || echo "[  FAILED  ] A.two"
exit $rc
EOF
chmod +x fake/fake
run_assay list fake
[ "$(grep -c '' "$W/out")" = 1 ]
check $? "without a marker in the binary, the script is no gtest binary"
run_assay list -k gtest fake
expect_out "fake::A.one"
expect_out "fake::B/0.three"
expect_out "fake::C.four"
expect_no_out "Running main"
FAKE_LOG=$W/fake.log run_assay run -k gtest --state-dir st fake
expect_rc 1
grep -q 'shards=' fake.log && ! grep 'shards=' fake.log | grep -v 'shards=\[\]' 
check $? "GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS are never set"
expect_out "PASS"
expect_out "fake::A.two: fake.c:12: Value of: two"
expect_last "assay: 3 passed, 1 failed, 0 skipped"
printf '[tests "fake/*"]\n\tkind = gtest\n' >assay.conf
FAKE_LOG=/dev/null run_assay run --state-dir '' --gtest-granularity case fake
expect_last "assay: 3 passed, 1 failed, 0 skipped"
check $? "kind = gtest in assay.conf forces it"
rm assay.conf

# a name listed twice is one test; both its results count
FAKE_LOG=/dev/null run_assay list -k gtest --state-dir '' fake
[ "$(grep -c 'fake::A.one$' "$W/out")" = 1 ]
check $? "a case listed twice is one test"
FAKE_LOG=/dev/null FAKE_DUP=1 run_assay run -k gtest --state-dir '' --gtest-granularity binary fake
expect_last "assay: 3 passed, 2 failed, 0 skipped"
expect_out "fake::A.one: dup.c:1: the second A.one"
# a binary whose own printer shows no case: its XML gives every verdict,
# and a case it was not asked for is not taken
FAKE_LOG=/dev/null FAKE_QUIET=1 run_assay run -k gtest --state-dir '' --gtest-granularity binary fake
expect_last "assay: 3 passed, 1 failed, 0 skipped"
expect_out "fake::A.two: q.c:2 quietly wrong"
expect_no_out "unasked"
# a failure outside any test, which only the XML tells
FAKE_LOG=/dev/null FAKE_ENVFAIL=1 run_assay run -k gtest --state-dir '' --gtest-granularity binary fake
expect_out "fake: env.c:3 the environment broke"
expect_last "assay: 3 passed, 2 failed, 0 skipped"

# each case's start is an event of its own, in its task
so="$ASSAY_BUILDDIR/selftest/plugin/sample.so"
FAKE_LOG=/dev/null run_assay run -k gtest --state-dir '' --gtest-granularity binary \
	--plugin "$so" --reporter "tally=$W/tally" fake
[ "$(grep -c '^cases 4$' tally)" = 1 ] && [ "$(grep -c '^tasks 1$' tally)" = 1 ]
check $? "a reporter sees 4 CASE_START events in 1 task ($(tr '\n' ' ' <tally))"

# with history, cases that take long get a process each (they spread
# over every slot); the first run, knowing nothing, makes 4 per slot
mkdir -p slow && cat >slow/slow <<'EOF'
#!/bin/sh
for a in "$@"; do
	case $a in
	--gtest_list_tests) printf 'S.\n  a\n  b\n  c\n  d\n  e\n  f\n'; exit 0;;
	--gtest_filter=*) filter=${a#--gtest_filter=};;
	esac
done
for t in $(echo "$filter" | tr ':' ' '); do
	echo "[ RUN      ] $t"; sleep 0.2; echo "[       OK ] $t (200 ms)"
done
EOF
chmod +x slow/slow
run_assay run -k gtest -j 2 --state-dir sts slow
run_assay run -k gtest -j 2 --state-dir sts slow
expect_last "assay: 6 passed, 0 failed, 0 skipped"
[ "$(jobs_run sts)" = 6 ]
check $? "with history, six 0.2 s cases run in six processes at -j2 (got $(jobs_run sts))"

# a retry runs only the cases that failed, in one process
rm -f retry.log
FAKE_LOG=$W/retry.log run_assay run -k gtest --retries 2 --state-dir '' --gtest-granularity binary fake
expect_rc 1
[ "$(grep -c '^filter=' retry.log)" = 3 ] && [ "$(sed -n 's/^filter=//p' retry.log | tail -n 2 | sort -u)" = A.two ]
check $? "--retries 2: both retries run A.two alone (filters: $(sed -n 's/^filter=//p' retry.log | tr '\n' ' '))"
expect_last "assay: 3 passed, 1 failed, 0 skipped"

# the listing is kept in the state directory while the binary is the same
rm -f list.log
FAKE_LOG=$W/list.log run_assay list -k gtest --state-dir stl fake
FAKE_LOG=$W/list.log run_assay list -k gtest --state-dir stl fake
expect_out "fake::C.four"
[ "$(grep -c listed list.log)" = 1 ]
check $? "a second listing of the same binary comes from the state directory"
ls stl/lists/* >/dev/null 2>&1
check $? "listings are kept in STATE/lists"
touch -d '1 minute ago' fake/fake
FAKE_LOG=$W/list.log run_assay list -k gtest --state-dir stl fake
[ "$(grep -c listed list.log)" = 2 ]
check $? "a binary changed since is listed again"
FAKE_LOG=$W/list.log GTEST_FILTER='A.*' run_assay list -k gtest --state-dir stl fake
[ "$(grep -c listed list.log)" = 3 ]
check $? "another GTEST_* environment is listed again"
FAKE_LOG=$W/list.log run_assay list -k gtest --state-dir '' fake
[ "$(grep -c listed list.log)" = 4 ]
check $? "--state-dir '' keeps no listing"
FAKE_LOG=/dev/null run_assay run -k gtest --no-isolate-failures --gtest-granularity case --state-dir st2 fake
[ "$(jobs_run st2)" = 4 ]
check $? "--gtest-granularity case: a process per case (got $(jobs_run st2))"
FAKE_LOG=/dev/null run_assay run -k gtest --gtest-granularity binary --state-dir st3 fake
[ "$(jobs_run st3)" = 1 ]
check $? "--gtest-granularity binary: one process (got $(jobs_run st3))"
FAKE_LOG=/dev/null run_assay run -k gtest --no-isolate-failures --gtest-granularity suite --state-dir st4 fake
[ "$(jobs_run st4)" = 3 ]
check $? "--gtest-granularity suite: a process per suite (got $(jobs_run st4))"
run_assay run -k gtest --gtest-granularity sideways fake
expect_rc 2 "a bad --gtest-granularity"
expect_err "--gtest-granularity wants auto, case, suite or binary, got 'sideways'"

if [ ! -x "$G/basic" ]; then
	skip "the GoogleTest fixtures were not built: install g++ and libgtest-dev (ci/setup does), then configure again"
	finish
fi

# ---- basic: every sort of case, against gtest's own verdict ----
"$G/basic" >own.txt 2>&1
own_passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\.$/\1/p' own.txt)
own_failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below:$/\1/p' own.txt)
own_skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\{0,1\}, listed below:$/\1/p' own.txt)
own_disabled=$(sed -n 's/^  YOU HAVE \([0-9]*\) DISABLED TESTS\{0,1\}$/\1/p' own.txt)
run_assay list "$G/basic"
for id in Basic.Passes Basic.Fails Basic.Skips Basic.DISABLED_NotYet \
	DISABLED_Later.Either Basic.Dies Typed/0.Zero Typed/1.Zero \
	Nums/Param.Even/0 Nums/Param.Even/1 Nums/Param.Even/2; do
	expect_out "$G/basic::$id"
done
[ "$(grep -c '' "$W/out")" = 11 ]
check $? "11 cases listed"
run_assay run --state-dir '' --junit basic.xml "$G/basic"
expect_rc 1
expect_last "assay: $own_passed passed, $own_failed failed, $((own_skipped + own_disabled)) skipped"
check $? "the counts gtest gives itself: $own_passed passed, $own_failed failed, $own_skipped skipped, $own_disabled disabled"
expect_out "basic::Basic.Fails: "
expect_out "basic.cc:"
expect_out "the answer is off by one"
expect_out "basic::Basic.Skips: "
expect_out "needs a frobnicator"
expect_out "basic::Basic.DISABLED_NotYet: disabled (DISABLED_ prefix)"
expect_out "basic::DISABLED_Later.Either: disabled"
grep -q "PASS .*basic::Basic.Dies" "$W/out"
check $? "a death test passes"
grep -q "FAIL .*basic::Nums/Param.Even/1" "$W/out"
check $? "a parameterised case fails alone"
xmllint --noout --schema "$ASSAY_SRCDIR/docs/junit.xsd" basic.xml 2>/dev/null
check $? "the JUnit report is valid"
[ "$(xmllint --xpath 'count(//testcase)' basic.xml)" = 11 ]
check $? "JUnit: 11 testcases"
[ "$(xmllint --xpath 'count(//testsuite[@name!="'"$G"'/basic"])' basic.xml)" = 0 ]
check $? "JUnit: every suite is named after the binary"
[ "$(xmllint --xpath 'string(//testcase[@name="Basic.Skips"]/skipped/@message)' basic.xml | grep -c frobnicator)" = 1 ]
check $? "JUnit: the skip's message is GTEST_SKIP's"

# ---- nasty: each misbehaviour costs one case ----
NASTY=crash run_assay run --state-dir '' --gtest-granularity binary "$G/nasty"
expect_rc 1
grep -q "CRASH .*nasty::Mid.Crash: crash (SIGSEGV)" "$W/out"
check $? "a crash in the middle of a batch is that case's"
expect_last "assay: 5 passed, 1 failed, 0 skipped"
check $? "the rest of the batch ran again, in a new process"

NASTY=hang run_assay run --state-dir '' -t 1 --grace 0.2 --gtest-granularity binary "$G/nasty"
expect_rc 1
grep -q "TIMEOUT .*nasty::Mid.Hang: timeout" "$W/out"
check $? "a hang is that case's timeout"
expect_last "assay: 5 passed, 1 failed, 0 skipped"
check $? "each case has its own deadline: the batch outlives one"

NASTY=exit0 run_assay run --state-dir '' "$G/nasty"
expect_rc 1 "exit 0 does not hide a FAILED case"
grep -q "FAIL .*nasty::Mid.Fails: .*failed on purpose" "$W/out"
check $? "the failed case is failed although the binary exited 0"

NASTY=exit3 run_assay run --state-dir '' --gtest-granularity binary "$G/nasty"
expect_rc 1
expect_out "exit code 3, though every case it ran passed"

NASTY=junk run_assay list "$G/nasty"
[ "$(grep -c '' "$W/out")" = 6 ] && ! grep -q "junk\|warming\|not a case" "$W/out"
check $? "junk printed before the list is not taken for cases"
NASTY=junk run_assay run --state-dir '' "$G/nasty"
expect_last "assay: 6 passed, 0 failed, 0 skipped"

NASTY=abort-list run_assay run --state-dir '' "$G/nasty"
expect_err "nasty: cannot list its cases (killed by signal 6); it runs whole"
expect_last "assay: 6 passed, 0 failed, 0 skipped"
check $? "a binary that cannot be listed runs whole, its cases still reported"

# ---- many: 10,000 cases, batched, and with history one process ----
run_assay run -j 2 --state-dir stm "$G/many"
expect_last "assay: 10000 passed, 0 failed, 0 skipped"
[ "$(jobs_run stm)" = 8 ]
check $? "no history: 4 batches per slot at -j2 (got $(jobs_run stm) processes)"
run_assay run -j 2 --state-dir stm "$G/many"
expect_last "assay: 10000 passed, 0 failed, 0 skipped"
case ${ASSAY_SANITIZE:-} in
*thread*)       # each case costs ~0.2 ms under TSan, more under load
	skip "built with ThreadSanitizer, the cases are not trivial: no fewer processes to expect" ;;
*)
	[ "$(jobs_run stm)" -lt 8 ]
	check $? "with history, trivial cases share fewer processes (got $(jobs_run stm))" ;;
esac

finish
