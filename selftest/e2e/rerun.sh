#!/bin/sh
# Running tests more than once: --retries with flaky results (console,
# history, JUnit flakyFailure/rerunFailure valid against the schemas),
# --repeat/--stress/--until-fail counts, and --shard K/N with the CI
# engines' variables. Fixtures count their runs in files.
. "$(dirname "$0")/lib.sh"
: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"
XL=$(command -v xmllint)


# ---- retries and flaky ----
mkdir -p re && cd re || exit 99
# flaky: fails on its first run, passes on the next
mk t/flaky 'n=$(cat "$D/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$D/count"; echo "run $n"; [ $n -ge 2 ]'
mk t/ok 'true'
export D="$W/re"
run_assay run -j 2 --retries 2 --junit r.xml --state-dir st t
expect_rc 0 "a flaky test passes with --retries"
[ "$(cat count)" = 2 ]
check $? "it ran twice (got $(cat count))"
expect_out "RETRY"
expect_out "FLAKY"
expect_out "flaky: 1"
expect_last "assay: 2 passed, 0 failed, 0 skipped"
grep -q '<flakyFailure' r.xml
check $? "JUnit: flakyFailure"
grep -q '<failure' r.xml
[ $? != 0 ]
check $? "JUnit: a flaky test has no failure"
grep -q 'run 1' r.xml
check $? "JUnit: the failed attempt's output is in flakyFailure"
schema_check r.xml "JUnit with flakyFailure"
grep -q 'K' st/history
check $? "history records the flaky run"
run_assay history --state-dir st
expect_rc 0 "assay history"
expect_out "flaky"
expect_out "K  flaky"
rm count
run_assay run -j 2 --retries 2 --flaky-result fail --state-dir '' t
expect_rc 1 "--flaky-result fail: a flaky test fails the run"
rm count
run_assay run -j 2 --no-isolate-failures --state-dir '' t
expect_rc 1 "without --retries the first failure stands"
[ "$(cat count)" = 1 ]
check $? "and it ran once"
mk t/bad 'echo bad >>"$D/bad"; exit 1'
rm count
run_assay run -j 2 --retries 2 --junit r.xml --state-dir '' t/bad
expect_rc 1 "a test failing every attempt fails"
[ "$(wc -l <bad)" = 3 ]
check $? "it ran 1 + 2 retries = 3 times"
[ "$(grep -c '<rerunFailure' r.xml)" = 2 ]
check $? "JUnit: two rerunFailure beside its failure"
rm -f count
run_assay run -j 1 --retries 2 --flaky-result fail --state-dir st2 t/flaky
expect_rc 1 "--flaky-result fail, the pass held for a possible retry: fails"
expect_out "passed on attempt 2 after failing (--flaky-result fail)"
expect_out "failed: 1 flaky"
grep -q 'K' st2/history
check $? "history still records it as flaky"

# a TAP program: only the case that failed is retried and flaky
mkdir -p tp
cat >tp/cases.t <<'EOF2'
#!/bin/sh
echo 1..3
echo "ok 1 - a"
if [ -e "$D/tp/once" ]; then echo "ok 2 - b"; else touch "$D/tp/once"; echo "not ok 2 - b"; fi
echo "ok 3 - c # SKIP not here"
EOF2
chmod +x tp/cases.t
run_assay run --retries 1 --junit tp.xml --state-dir '' tp
expect_rc 0 "a TAP case that fails once passes on the retry"
[ "$(grep -c '^RETRY' "$W/out")" = 1 ]
check $? "only the failed case is shown as retried"
[ "$(grep -c '<flakyFailure' tp.xml)" = 1 ] && grep -q 'name="b"' tp.xml
check $? "JUnit: one flakyFailure, in case b"
grep -q '<rerunFailure' tp.xml
[ $? != 0 ]
check $? "JUnit: no rerunFailure for the passing or skipped cases"

# --until-fail stops the run while a retry is queued: its failure stands
mk u/a 'exit 1'
mk u/b 'sleep 0.2; exit 1'
run_assay run -j 1 --order given --retries 1 --until-fail --junit u.xml --state-dir '' u
expect_rc 1 "--until-fail with retries"
expect_no_out "NOT-RUN"
expect_last "assay: 0 passed, 2 failed, 0 skipped"
grep -q 'type="not-run"' u.xml
[ $? != 0 ]
check $? "JUnit: the failure whose retry never started is a failure, not not-run"
unset D
cd "$W" || exit 99

# ---- repeat, stress, until-fail ----
mkdir -p rp && cd rp || exit 99
export D="$W/rp"
mk t/a 'echo a >>"$D/a"'
mk t/b 'echo b >>"$D/b"; n=$(wc -l <"$D/b"); [ $n != 2 ]'
run_assay run -j 2 --repeat 3 --state-dir '' --junit r.xml t
expect_rc 1 "b fails on its second run"
[ "$(wc -l <a)" = 3 ] && [ "$(wc -l <b)" = 3 ]
check $? "--repeat 3: each ran 3 times"
expect_out "passed 2/3, failed 1/3  b"
expect_out "1 test passed every run"
expect_last "assay: 5 passed, 1 failed, 0 skipped"
grep -q 'name="b \[2/3\]"' r.xml
check $? "JUnit names each run [i/N]"
rm a b
run_assay run -j 1 --repeat 5 --until-fail --order given --state-dir '' t
expect_rc 1 "--until-fail"
[ "$(wc -l <b)" = 2 ]
check $? "--until-fail: b ran until its first failure (2 runs, got $(wc -l <b))"
expect_out "6 more runs were not started"
rm -f a b
# copies at once: each waits until it sees the others
mk t/s 'touch "$D/in.$$"; i=0; while [ $(ls "$D" | grep -c "^in\.") -lt 3 ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done; [ $i -lt 40 ]'
run_assay run --stress 3 --state-dir '' t/s
expect_rc 0 "--stress 3: three copies ran at once"
expect_last "assay: 3 passed, 0 failed, 0 skipped"
unset D
cd "$W" || exit 99

# ---- shards ----
mkdir -p sd && cd sd || exit 99
for n in 01 02 03 04 05 06 07 08 09 10 11; do
	mk "t/t$n" true
done
: >all
for k in 1 2 3; do
	run_assay list --shard $k/3 --state-dir '' t
	grep -v '^#' "$W/out" >"s$k"
	cat "s$k" >>all
done
[ "$(sort all | uniq | wc -l)" = 11 ] && [ "$(wc -l <all)" = 11 ]
check $? "--shard K/3: every test in exactly one shard"
CI_NODE_INDEX=2 CI_NODE_TOTAL=3 "$ASSAY" list --state-dir '' t >gl 2>"$W/err"
cmp -s gl s2
check $? "GitLab CI_NODE_INDEX=2 (1-based) is --shard 2/3"
expect_err "CI_NODE_INDEX"
BUILDKITE_PARALLEL_JOB=1 BUILDKITE_PARALLEL_JOB_COUNT=3 "$ASSAY" list --state-dir '' t >bk 2>/dev/null
cmp -s bk s2
check $? "Buildkite BUILDKITE_PARALLEL_JOB=1 (0-based) is --shard 2/3"
run_assay run --shard 4/3 t
expect_rc 2 "--shard 4/3"
CI_NODE_INDEX=x CI_NODE_TOTAL=3 "$ASSAY" run t >/dev/null 2>"$W/err"
[ $? = 2 ]
check $? "a bad CI_NODE_INDEX is a usage error"
expect_err "CI_NODE_INDEX"
mkdir one && mk one/t true
for k in 1 2; do
	run_assay run --shard $k/2 --state-dir '' one
	[ "$RC" = 0 ] || break
done
expect_rc 0 "an empty shard passes"
mkdir empty
CI_NODE_INDEX=1 CI_NODE_TOTAL=2 "$ASSAY" run empty >/dev/null 2>"$W/err"
[ $? = 2 ]
check $? "a sharded run that finds no tests at all is a usage error"
expect_err "no tests found"
cd "$W" || exit 99

finish
