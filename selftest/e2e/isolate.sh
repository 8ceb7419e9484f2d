#!/bin/sh
# --isolate-failures: after the parallel phase, what failed beside other
# tests runs again alone; parallel-only when it passes, deterministic when
# it fails again, and either way it still counts as failed.
. "$(dirname "$0")/lib.sh"

# peer fails when holder runs beside it (it waits up to 2 s to see it);
# holder waits for peer to have looked, so the two always meet in
# parallel and never alone
mk t/holder "touch '$W/holder.on'; i=0
while [ ! -e '$W/peer.seen' ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
rm -f '$W/holder.on'; echo ran >>'$W/holder.runs'"
mk t/peer "echo ran >>'$W/peer.runs'; i=0
while [ ! -e '$W/holder.on' ] && [ \$i -lt 40 ]; do sleep 0.05; i=\$((i + 1)); done
[ -e '$W/holder.on' ] || exit 0
touch '$W/peer.seen'; echo 'holder runs beside me'; exit 1"
mk t/broken "echo ran >>'$W/broken.runs'; echo 'always broken'; exit 3"
mk t/fine 'exit 0'

run_assay run -j4 --state-dir '' --junit "$W/i.xml" t
expect_rc 1
expect_out "peer (failed beside other tests; to be rerun alone at the end): exit code 1"
expect_out "holder runs beside me"
expect_out "  peer: exit code 1; parallel-only: it passed when rerun alone"
expect_out "  broken: exit code 3; deterministic: it failed again when rerun alone"
expect_out "assay: 2 failures rerun alone (--isolate-failures): 1 parallel-only, 1 deterministic"
expect_last "assay: 2 passed, 2 failed, 0 skipped"
[ "$(wc -l <peer.runs)" = 2 ] && [ "$(wc -l <broken.runs)" = 2 ] &&
	[ "$(wc -l <holder.runs)" = 1 ]
check $? "each failure ran twice, the passes once"
# the run alone of peer prints nothing of its pass under the failure
[ "$(grep -c 'holder runs beside me' "$W/out")" = 1 ]
check $? "the parallel failure's output is shown once, with its RETRY"
grep -q 'holder runs beside me' .assay/logs/peer.stdout
check $? "its log keeps the parallel failure's output (the pass alone leaves it)"
schema_check "$W/i.xml" "the report of a run with failures rerun alone"
grep -q '<failure message="exit code 1; parallel-only: it passed when rerun alone" type="parallel-only"' i.xml
check $? "JUnit: parallel-only is the failure's type"
grep -A3 '<rerunFailure message="exit code 1"' i.xml | grep -q 'holder runs beside me'
check $? "JUnit: the parallel failure is a rerunFailure with its output"
grep -q '<failure message="exit code 3; deterministic: it failed again when rerun alone" type="exit-code"' i.xml
check $? "JUnit: a deterministic failure keeps its type"

# the TAP stream: a comment for the failure, the final verdict a point
rm -f ./*.runs
run_assay run -j4 --state-dir '' --format tap t/broken t/fine
expect_out "# retry: t/broken failed on attempt 1 (to be rerun alone): exit code 3"
grep -q "^not ok 2 - t/broken$" "$W/out"
check $? "the final verdict is the point"

# off: --no-isolate-failures, and -j1 (nothing ran beside it)
rm -f ./*.runs peer.seen holder.on
run_assay run -j4 --no-isolate-failures --state-dir '' t
expect_rc 1
expect_no_out "rerun alone"
grep -Eq "^FAIL +[0-9.]+s  peer: exit code 1$" "$W/out"
check $? "peer fails, not rerun"
[ "$(wc -l <broken.runs)" = 1 ]
check $? "--no-isolate-failures: a failure runs once"
rm -f ./*.runs
run_assay run -j1 --state-dir '' t/broken t/fine
expect_no_out "rerun alone"
[ "$(wc -l <broken.runs)" = 1 ]
check $? "-j1: a failure had no company, and runs once"

# the budget: at most N failures are rerun alone
mk b/one "echo ran >>'$W/b.runs'; sleep 0.3; exit 1"
mk b/two "echo ran >>'$W/b.runs'; sleep 0.3; exit 1"
mk b/fine 'sleep 0.3'
run_assay run -j4 --isolate-failures 1 --state-dir '' b
expect_out "assay: 1 failure rerun alone (--isolate-failures): 0 parallel-only, 1 deterministic"
expect_out "assay: 1 more failure was not rerun alone (--isolate-failures reruns at most 1)"
[ "$(wc -l <b.runs)" = 3 ]
check $? "--isolate-failures 1: one of the two failures ran again"
run_assay run -j4 --isolate-failures x b
expect_rc 2 "--isolate-failures wants a number"
expect_err "isolate-failures"

# with --retries, every attempt beside others fails before the run alone
rm -f ./*.runs
mk r/broken "echo ran >>'$W/r.runs'; exit 1"
mk r/slow 'sleep 1'
run_assay run -j4 --retries 1 --state-dir '' r
expect_out "(attempt 1 failed; trying again)"
expect_out "(failed beside other tests; to be rerun alone at the end)"
expect_out "broken: exit code 1; deterministic: it failed again when rerun alone"
[ "$(wc -l <r.runs)" = 3 ]
check $? "--retries 1: two attempts beside others, then one alone"

# a TAP program's point: the whole program runs alone, only the point
# that failed is judged again, the others are not reported twice
mk p/holder "touch '$W/holder.on'; i=0
while [ ! -e '$W/peer.seen' ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
rm -f '$W/holder.on'"
mk p/tpeer "echo 1..3; echo 'ok 1 - first'; i=0
while [ ! -e '$W/holder.on' ] && [ \$i -lt 40 ]; do sleep 0.05; i=\$((i + 1)); done
if [ -e '$W/holder.on' ]; then touch '$W/peer.seen'; echo 'not ok 2 - beside'
else echo 'ok 2 - beside'; fi
echo 'ok 3 - last'"
rm -f peer.seen holder.on
run_assay run -v -j4 --state-dir '' p
expect_out "tpeer::beside: not ok 2 (line 3); parallel-only: it passed when rerun alone"
[ "$(grep -c 'tpeer::first' "$W/out")" = 1 ]
check $? "a point that passed is reported once"
expect_last "assay: 3 passed, 1 failed, 0 skipped"

finish
