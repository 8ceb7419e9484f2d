#!/bin/sh
# include/assay/test.h and libassay, run by themselves: registration,
# every check's message, fixtures, skips, attributes, TAP out, the exit
# status; and the same program under assay.
. "$(dirname "$0")/lib.sh"

# scaled S: the deadline S as the last run had it: a sanitizer's build
# of the fixtures has its deadlines scaled, and the run says by how much
scaled() {
	awk -v s="$1" -v x="$(sed -n 's/^assay: the deadlines of .* were scaled x\([0-9.]*\)$/\1/p' "$W/out" | head -n 1)" \
		'BEGIN { printf "%g", s * (x == "" ? 1 : x) }'
}

api="$ASSAY_BUILDDIR/selftest/api"
if [ ! -x "$api/sample" ]; then
	skip "selftest/api/sample is not built (make check builds it)"
	finish
fi
S="$api/sample"

# expect_sleeping S: attrs::late::sleeps timed out at S (scaled), and
# the look's word is sleeping (any word in a sanitizer's build: its
# runtime's own threads may be busy in the program as it is looked at)
expect_sleeping() {
	if grep -q "tests built with .*Sanitizer were scaled" "$W/out"; then
		grep -Eq "attrs::late::sleeps: timeout after $(scaled "$1")s; [a-z-]+" "$W/out"
		check $? "attrs::late::sleeps: timeout after $(scaled "$1")s, looked at"
	else
		expect_out "attrs::late::sleeps: timeout after $(scaled "$1")s; sleeping"
	fi
}

# run: the program's stdout in $W/out, its status in RC
run() {
	"$@" >"$W/out" 2>"$W/err"
	RC=$?
}

run "$S" --filter 'pass::*'
expect_rc 0 "passing tests: exit 0"
[ "$(cat "$W/out")" = "TAP version 14
1..2
ok 1 - pass::ints
ok 2 - pass::others" ]
check $? "TAP 14: the version, the plan, a point per test"

run "$S" --filter 'fail::*'
expect_rc 1 "a failed test: exit 1"
expect_out "not ok 1 - fail::int_eq"
expect_out '  message: "ASSERT_EQ(x, 5): 4 == 5 is false"'
grep -Eq '^  at: ".*selftest/api/sample.c:[0-9]+"$' "$W/out"
check $? "the first failure's file:line is the point's at"
expect_out "#     x = 4"
expect_no_out "a fatal check must stop the test"
expect_out "the test went on after its EXPECTs"
expect_out ": EXPECT_LT(3, 2): 3 < 2 is false"
expect_out ": EXPECT_GE(-1, 0): -1 >= 0 is false"
expect_out "ASSERT_NEAR(0.1 + 0.2, 0.4, 1e-9): 0.30000000000000004 and 0.40000000000000002 differ by"
expect_out ': ASSERT_STREQ("ab\"c\n", "abd"): "ab\"c\n" == "abd" is false'
expect_out ': ASSERT_STREQ(p, "x"): NULL == "x" is false'
expect_out ": ASSERT_MEMEQ(a, b, sizeof(a)): they differ first at byte 3 of 6: 0x04 != 0x09"
expect_out "#     a from byte 0: 01 02 03 [04] 05 06"
expect_out ": ASSERT_NULL(&x): 0x"
expect_out ": ASSERT_TRUE(1 > 2): it is false"
expect_out ": ASSERT_EQ(v, 0): 7 == 0 is false"
expect_no_out "a fatal check in a helper must stop the test"
expect_out ': EXPECT_CONTAINS("haystack", "needle"): "haystack" does not contain "needle"'
[ "$(grep -c '^not ok' "$W/out")" = 10 ] && ! grep -q '^ok' "$W/out"
check $? "ten failures, nothing passed"

# every check's whole message, made to fail once each by checks.c, built
# as C and as C++: the expression as written, both values, file:line
src=${ASSAY_SRCDIR:-$(cd "$here/../.." && pwd)}
for p in checks checks-cxx; do
	run "$api/$p"
	expect_rc 1 "$p: its failures: exit 1"
	sed 's|[^ "]*selftest/api/checks\.c|checks.c|g' "$W/out" >"$W/checks.out"
	diff "$src/selftest/api/checks.expected" "$W/checks.out" >"$W/diff"
	check $? "$p: every check says what checks.expected says ($(head -c 400 "$W/diff"))"
done
# (checks is linked with --gc-sections: its marker is still there)
mkdir -p gc && cp "$api/checks" gc/checks
run_assay list gc
expect_out "checks::ints::expects"

run "$S" --filter 'skip::*' --filter 'counter::*'
expect_out "ok 1 - skip::reason # SKIP no network here"
expect_no_out "a skip must stop the test"
expect_out "ok 2 - counter::starts_at_41"
expect_out '  message: "ASSERT_EQ(fixture->n, 0): 2 == 0 is false"'
[ "$(grep -c '^teardown saw' "$W/out")" = 2 ] && expect_out "teardown saw 2"
check $? "the fixture is set up for each test and torn down after a failure too"
run "$S" --filter 'broken::*'
expect_rc 1 "a failed set-up fails its test"
expect_out '  message: "ASSERT_EQ(1, 2): 1 == 2 is false"'
expect_out "broken's teardown ran"
expect_no_out "set-up went on"
expect_no_out "the body ran"
run "$S" --filter 'skip::*'
expect_rc 77 "nothing but skips: exit 77"
run "$S" --filter 'nothing::*'
expect_rc 77 "no test matches: exit 77"
expect_out "1..0 # SKIP no test matches --filter or --tag"
run "$S" --tag quick
expect_rc 0 "--tag: the tests tagged so"
[ "$(grep -c '^ok' "$W/out")" = 1 ] && expect_out "ok 1 - apart::passes"
check $? "--tag quick runs the one test tagged quick"
run "$S" --tag
expect_rc 99 "--tag without a name"

# isolate: a child each; a crash and a hang cost only their tests
run "$S" --filter 'apart::*'
expect_rc 1
expect_out '  message: "crashed: Aborted (signal 6)"'
expect_out '  message: "timeout: it ran past 0.3s (killed)"'
expect_out "ok 3 - apart::passes"
expect_out '  message: "EXPECT_STREQ(\"in\", \"child\"): \"in\" == \"child\" is false"'
no_process "$S"

# the fork server: an isolate test starts from the program's start, not
# from what the tests before it left
run "$S" --filter 'fresh::*'
expect_rc 0 "an isolate test sees the program's state at its start"
# the server killed mid-test: that test runs again, forked by the
# program, and so do the isolate tests after it
rm -f "$W/mark"
SAMPLE_MARK="$W/mark" run "$S" --filter 'server::*'
expect_rc 0 "the fork server gone: the program forks its isolate tests itself"
[ -f "$W/mark" ]
check $? "(the test did kill its fork server)"
expect_out "ok 1 - server::dies"
expect_out "ok 2 - server::after"
no_process "$S"
# the program killed mid-test (SIGKILL: no word from it): the server
# and the test's child end with it
SAMPLE_WAIT=1 "$S" --filter 'orphan::*' >/dev/null 2>&1 &
prog=$!
n=0
while [ "$n" -lt 200 ] && [ "$(count_process "$S")" -lt 3 ]; do
	sleep 0.05
	n=$((n + 1))
done
[ "$(count_process "$S")" -eq 3 ]
check $? "the program, its fork server and the test's child"
kill -KILL "$prog"
wait "$prog" 2>/dev/null
n=0
while [ "$n" -lt 100 ] && [ "$(count_process "$S")" -gt 0 ]; do
	sleep 0.05
	n=$((n + 1))
done
no_process "$S"

# threads: tests marked so run at once on -j threads
run "$S" -j 2 --filter 'together::*'
expect_rc 0 "-j 2: two tests marked threads meet"
# past its timeout in the program itself: the run bails out
run "$S" --filter 'slow::*'
expect_rc 1
expect_out "Bail out! slow::sleeps ran past its timeout of 0.2s"

# --list: ids and attributes, in the order they were written
run "$S" --list
expect_rc 0
[ "$(head -n 2 "$W/out")" = "pass::ints
pass::others" ]
check $? "--list: ids in their order"
expect_out "apart::hangs	isolate timeout=0.3"

# mistakes get a clear word and exit 99
run "$api/badattr"
expect_rc 99 "an unknown attribute"
grep -Fq "selftest/api/badattr.c:5): unknown attribute 'fast=1' (known: timeout=S, tags=A,B, serial, isolate, threads, resources=A,B, gpus=N, gpu-exclusive)" "$W/err" &&
	grep -q "bad::attr (" "$W/err"
check $? "it names the test, where it is, the word, and the words it knows"
run "$S" -j 0
expect_rc 99 "-j 0"
expect_err "-j wants a number of threads from 1 to 1024, got '0'"
run "$S" --frobnicate
expect_rc 99 "an unknown argument"
expect_err "unknown argument '--frobnicate'"

# from C++
run "$api/cxx"
expect_rc 0 "C++: a fixture and checks on C++ values"
expect_out "ok 2 - cxx::values"
expect_out "ok 3 - cxx::generic"

# under assay: the assay kind knows it by its marker, lists its tests,
# runs them in batches through the worker protocol
mkdir -p u v && cp "$S" u/sample && cp "$api/worker" v/worker
run_assay list u
expect_rc 0
[ "$(head -n 2 "$W/out")" = "sample::pass::ints
sample::pass::others" ]
check $? "assay list: the program's tests, each a test of assay's"
for g in binary case; do
	run_assay run --state-dir '' --no-isolate-failures --timeout 1 --grace 0.2 \
		--gtest-granularity $g v
	expect_rc 1
	expect_out "CRASH    worker::w::crashes: crash (SIGABRT)"
	expect_out "about to crash"
	expect_out "FAIL     worker::w::exits: the program exited (code 3) in the middle of this case"
	expect_out "about to leave"
	# (the look's word: sleeping, unless a sanitizer's own threads
	# are busy in the program)
	grep -Eq "TIMEOUT  worker::w::hangs: timeout after [0-9.]+s; [a-z-]+" "$W/out"
	check $? "a hang in the program's process is its test's timeout, looked at ($g)"
	# (its timeout=0.2 is the host's deadline: looked at, then killed)
	grep -Eq "TIMEOUT  worker::w::too_slow: timeout after $(scaled 0.2)s; [a-z-]+" "$W/out"
	check $? "a test's timeout attribute is assay's deadline for it ($g)"
	grep -Eq "FAIL     worker::w::fails: .*selftest/api/worker.c:[0-9]+: EXPECT_EQ\(4, 5\): 4 == 5 is false" "$W/out"
	check $? "a failure's reason is where and what ($g)"
	! grep -q "running after it exited" "$W/out"
	check $? "the crashed program's fork server is not a process its test left ($g)"
	# (what w::forks' block shows: up to the next result's line)
	awk '/^FAIL .*worker::w::forks/ { on = 1; next } on && /^[A-Z]/ { exit } on' \
		"$W/out" >"$W/forks"
	grep -q "child speaks" "$W/forks" && grep -q "forks speaks" "$W/forks" &&
		! grep -q "first speaks" "$W/forks"
	check $? "a test's forked child that exits says no last words of the worker's ($g)"
	expect_no_out "left processes behind"
	expect_last "assay: 4 passed, 6 failed, 1 skipped"
	no_process "$W/v/worker"
done
# a case of a batch that fails, then passes when retried in a job of
# its own: its failed attempt is in the JUnit report, and its program
# is one suite
SAMPLE_FLAKY=$W/flaky.count run_assay run --state-dir '' --retries 1 --no-isolate-failures \
	--gtest-granularity binary --junit "$W/flaky.xml" u
expect_out "sample::flaky::once (passed on attempt 2)"
awk '/<testcase classname="sample" name="flaky::once"/,/<\/testcase>/' "$W/flaky.xml" >"$W/flaky.case"
grep -q '<flakyFailure message=".*ASSERT_GE(n, 2): 1 &gt;= 2 is false"' "$W/flaky.case" &&
	grep -q 'run 1' "$W/flaky.case" && ! grep -q '<failure' "$W/flaky.case"
check $? "JUnit: the retried case's failed attempt is its flakyFailure ($(head -c 300 "$W/flaky.case"))"
[ "$(grep -c '<testsuite ' "$W/flaky.xml")" = 1 ]
check $? "JUnit: the program and its retries are one suite"
schema_check "$W/flaky.xml" "a batch's retried case"
run_assay run -v --state-dir '' --no-isolate-failures u
expect_out "PASS      "
expect_out "sample::pass::ints"
expect_out "CRASH    sample::apart::crashes: crashed: Aborted (signal 6)"
expect_out "TIMEOUT  sample::apart::hangs: timeout: it ran past 0.3s (killed)"
expect_out "sample::skip::reason: no network here"

# a worker that breaks the protocol: every test judged once, exactly
mkdir -p gb && cp "$api/garbage" gb/garbage
for m in noise:1 midframe:0 midheader:0 midstart:0 midexit:0 wrongid:0 huge:0 twice:1; do
	GARBAGE=${m%:*} run_assay run --state-dir '' --no-isolate-failures \
		--gtest-granularity binary gb
	expect_last "assay: ${m#*:} passed, $((2 - ${m#*:})) failed, 0 skipped"
done
GARBAGE=midframe run_assay run --state-dir '' --no-isolate-failures --gtest-granularity binary gb
expect_out "CRASH    garbage::g::one: crash (SIGABRT)"
expect_out "CRASH    garbage::g::two: its program crashed (ABRT) before it reached this case"
GARBAGE=midheader run_assay run --state-dir '' --no-isolate-failures --gtest-granularity binary gb
expect_out "CRASH    garbage::g::one: crash (SIGABRT)"
expect_out "CRASH    garbage::g::two: its program crashed (ABRT) before it reached this case"
GARBAGE=midstart run_assay run --state-dir '' --no-isolate-failures --gtest-granularity binary gb
expect_out "CRASH    garbage::g::one: its program crashed (ABRT) before it reached this case"
# (g::two runs again after the exit, in a worker that again says
# nothing of it: judged then, once)
GARBAGE=midexit run_assay run --state-dir '' --no-isolate-failures --gtest-granularity binary gb
expect_out "FAIL     garbage::g::one: the program exited (code 0) in the middle of this case"
expect_out "FAIL     garbage::g::two: listed, but its program never reported it (exit code 0)"
GARBAGE=wrongid run_assay run --state-dir '' --no-isolate-failures --gtest-granularity binary gb
expect_out "FAIL     garbage::g::one: the program exited (code 0) in the middle of this case"
# a worker that never exits at the end of its input is stopped after
# the grace period: the run ends, and nothing is left
GARBAGE=linger run_assay run --state-dir '' --grace 0.2 gb
expect_last "assay: 2 passed, 0 failed, 0 skipped"
no_process "$W/gb/garbage"

# attributes reach assay's scheduler: a serial test runs alone, tests
# needing one resource run one at a time (each fails if it sees what it
# must not beside it), tags choose, a timeout is the host's deadline,
# a test that needs a GPU is skipped without one (no driver, here:
# selftest/e2e/gpu.sh runs it on fake devices)
mkdir -p at/d && cp "$api/attrs" at/attrs
ATTRS_DIR=$W/at/d ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay run -j6 \
	--gtest-granularity case --state-dir '' --no-isolate-failures \
	--no-backtrace --timeout-multiplier 0.5 at
expect_rc 1
expect_last "assay: 8 passed, 1 failed, 1 skipped"
expect_sleeping 0.5
expect_out "attrs::gpu::told: it needs a GPU: no CUDA driver: /nonexistent/libcuda.so.1 cannot be loaded"
# the same from the listing assay keeps (its state directory): the
# attributes come back from it
for n in first second; do
	ATTRS_DIR=$W/at/d ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay run -j6 \
		--gtest-granularity case --state-dir st --no-isolate-failures \
		--no-backtrace --timeout-multiplier 0.5 at
done
grep -q "^alone::first		0	1			0	0$" st/lists/* &&
	grep -q "^db::migrates		0	0		db,disk	0	0$" st/lists/* &&
	grep -q "^gpu::told		0	0	gpu		1	0$" st/lists/*
check $? "the kept listing holds the attributes"
expect_last "assay: 8 passed, 1 failed, 1 skipped"
expect_sleeping 0.5
expect_out "attrs::gpu::told: it needs a GPU: "
# the same with serial and the resource undone by assay.conf: the
# fixture sees the overlap (the check above can fail)
ATTRS_DIR=$W/at/d run_assay run -j6 --gtest-granularity case --state-dir '' \
	--no-isolate-failures --no-backtrace -c 'tests.*.serial=false' \
	-c 'tests.*.gpus=0' at/attrs
grep -Eq "FAIL .*attrs::alone::(first|second): .*EXPECT_EQ" "$W/out"
check $? "serial tests overlap when assay.conf says they are not serial"
run_assay list --tag slow --tag nothing at
expect_rc 0
[ "$(cat "$W/out")" = "attrs::db::writes
attrs::late::sleeps" ]
check $? "assay list --tag: the tests tagged with any name given"
expect_err "assay: --tag: 2 of 10 tests"
run_assay run --tag nothing at
expect_rc 2
expect_err "no test of the 10 found is tagged nothing"
run_assay run --state-dir '' -c 'tests.*sleeps.timeout=0.4' --no-backtrace \
	--tag net at
expect_out "attrs::late::sleeps: timeout after $(scaled 0.4)s"
no_process "$W/at/attrs"

# persistent workers: batch after batch, iteration after iteration, on
# the same processes; their number is --workers (default -j / --threads)
mkdir -p pl && cp "$api/pool" pl/pool
# distinct_pids: the processes that ran the p:: tests
distinct_pids() {
	awk '{ print $2 }' "$W/pl/pids" | sort -u | wc -l | tr -d ' '
}
POOL_DIR=$W/pl run_assay run --state-dir '' -j 2 --repeat 3 pl
expect_last "assay: 63 passed, 0 failed, 24 skipped"
[ "$(wc -l <"$W/pl/pids")" -eq 60 ] && [ "$(distinct_pids)" -le 2 ]
check $? "-j 2: 60 runs of 20 tests on at most 2 workers (got $(distinct_pids))"
no_process "$W/pl/pool"
rm -f pl/pids
POOL_DIR=$W/pl run_assay run --state-dir '' -j 2 --workers 1 --repeat 3 pl
expect_last "assay: 63 passed, 0 failed, 24 skipped"
[ "$(distinct_pids)" -eq 1 ]
check $? "--workers 1: every run on one worker (got $(distinct_pids))"
rm -f pl/pids
POOL_DIR=$W/pl run_assay run --state-dir '' -j 2 --workers 0 --repeat 3 pl
expect_last "assay: 63 passed, 0 failed, 24 skipped"
[ "$(distinct_pids)" -ge 3 ]
check $? "--workers 0: a process per batch, each iteration its own (got $(distinct_pids))"
# guided self-scheduling: batches shrink as the queue empties (the
# sample plugin's reporter says each task's number of cases): 29 tests
# without history on 2 workers go out as 5, 4, 3, ... down to 1; and
# the JUnit report has one suite for the program, whatever its batches
rm -f pl/pids
run_assay run --state-dir '' -j 2 --junit "$W/gss.xml" \
	--plugin "$ASSAY_BUILDDIR/selftest/plugin/sample.so" --reporter "tally=$W/tally" pl
# (in the order they started; a batch a stealing worker took half of
# counts its half twice, so they cover the 29 at least)
sizes=$(sed -n 's/^batch //p' "$W/tally" | tr '\n' ' ')
echo "$sizes" | awk '{ s = 0; max = min = $1
	for (i = 1; i <= NF; i++) { s += $i; if ($i > max) max = $i; if ($i < min) min = $i }
	exit !(s >= 29 && $1 == max && $1 >= 4 && min == 1) }'
check $? "batches shrink: the biggest first, down to one test (sizes: $sizes)"
[ "$(grep -c '<testsuite ' "$W/gss.xml")" = 1 ] &&
	grep -q '<testsuite name="pool" tests="29" failures="0" errors="0" skipped="8"' "$W/gss.xml"
check $? "one JUnit suite for the program's batches, its counts summed ($(grep -o '<testsuite [^>]*' "$W/gss.xml" | head -n 3 | tr '\n' ' '))"
schema_check "$W/gss.xml" "a program's batches as one suite"
# work stealing: one batch of them all, and the idle slot asks the busy
# worker for half of what it has not begun
rm -f pl/pids
POOL_DIR=$W/pl POOL_SLOW=1 run_assay run --state-dir '' -j 2 --gtest-granularity binary pl
expect_last "assay: 21 passed, 0 failed, 8 skipped"
[ "$(distinct_pids)" -eq 2 ]
check $? "one batch, two workers: the idle one took half of the busy one's (got $(distinct_pids))"
# --threads: the pair passes only when its two tests run at once
POOL_PAIR=1 run_assay run --state-dir '' -j 2 --threads 2 --gtest-granularity binary pl
expect_last "assay: 23 passed, 0 failed, 6 skipped"
POOL_PAIR=1 run_assay run --state-dir '' -j 2 --threads 1 --gtest-granularity binary \
	--no-isolate-failures pl
expect_out "the other test of the pair never ran beside it"
# a crash while two tests run on a worker's threads: which one it was
# cannot be told, so both run again alone, and only the crasher fails
POOL_BOOM=1 run_assay run --state-dir '' -j 2 --threads 2 --gtest-granularity binary \
	--no-isolate-failures pl
expect_out "CRASH    pool::boom::a: crash (SIGABRT)"
expect_last "assay: 22 passed, 1 failed, 6 skipped"
grep -q "beside" "$W/out"
[ $? -ne 0 ]
check $? "the crash is its own test's, not shared with the one beside it"
# two crashes at once on a worker's threads: the first says the last
# words before the process dies, and each is its own test's
POOL_BOOM2=1 run_assay run --state-dir '' -j 2 --threads 2 --gtest-granularity binary \
	--no-isolate-failures pl
expect_out "CRASH    pool::boom2::x: crash (SIGABRT)"
expect_out "CRASH    pool::boom2::y: crash (SIGABRT)"
expect_last "assay: 21 passed, 2 failed, 6 skipped"
# a hang among a worker's threads: the task's deadline is the earliest
# of its running tests' (a later start with a longer timeout does not
# move it), and the test whose deadline passed is the one judged
POOL_HANG=1 run_assay run --state-dir '' -j 2 --threads 2 --gtest-granularity binary \
	--no-isolate-failures pl
grep -Eq "TIMEOUT  pool::hang::a: timeout after $(scaled 0.5)s \(while it ran beside 1 other test on the worker's threads\)" "$W/out"
check $? "the hung test is judged at its own deadline, beside the other"
expect_last "assay: 22 passed, 1 failed, 6 skipped"
# what a test leaves running is found when its worker exits
POOL_LEAVE=1 run_assay run --state-dir '' -j 2 pl
expect_out "pool: its tests left 1 process running, killed as its worker exited: "
expect_out "sleep 300"
run_assay run --threads 0 pl
expect_rc 2
expect_err "--threads wants at least 1 thread, got 0"
no_process "$W/pl/pool"

# a program that refuses its own attributes runs whole, and says why
mkdir -p ba && cp "$api/badattr" ba/badattr
run_assay run --state-dir '' ba
expect_rc 1
expect_err "badattr: cannot list its cases (exit code 99); it runs whole"
expect_out "ERROR    badattr: hard error (exit code 99)"
expect_out "unknown attribute 'fast=1'"
finish
