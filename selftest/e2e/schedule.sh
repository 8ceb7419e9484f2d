#!/bin/sh
# Scheduling: history orders the queue longest first, --order/--shuffle
# /--seed/--failed-first, exclusion groups, serial and slots=N from
# assay.conf and -c, a damaged history, timeouts from assay.conf, and
# the schedule's own report. Fixtures sleep for known times and log when
# they start; they detect overlaps themselves (mkdir as a lock). Runs of
# a test more than once: rerun.sh.
. "$(dirname "$0")/lib.sh"
: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"
for v in CI_NODE_INDEX CI_NODE_TOTAL BUILDKITE_PARALLEL_JOB BUILDKITE_PARALLEL_JOB_COUNT \
	CIRCLE_NODE_INDEX CIRCLE_NODE_TOTAL JOB_COMPLETION_INDEX ASSAY_SHARD_TOTAL \
	SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP; do
	unset "$v"
done


# order FILE: the names logged in FILE, one line
order() {
	tr '\n' ' ' <"$1" | sed 's/ $//'
}

# ---- history orders the queue: longest first ----
mkdir -p lpt && cd lpt || exit 99
for t in a:0.05 b:0.4 c:0.2 d:0.1; do
	mk "t/${t%%:*}" "echo ${t%%:*} >>\"$W/lpt/log\"; sleep ${t#*:}"
done
run_assay run -j 1 t
expect_rc 0 "first run"
[ "$(order log)" = "a b c d" ]
check $? "without history: the order found (got: $(order log))"
[ -s .assay/history ]
check $? "history written to .assay/history"
grep -q '"critical_path"' .assay/schedule.json 2>/dev/null
check $? "schedule report written to .assay/schedule.json"
expect_out "assay: schedule: "
grep -q '^assay: schedule: [0-9]*% efficient: the run took [0-9.]*s, and no order of these tests on 1 slot could take less than [0-9.]*s' "$W/out"
check $? "the schedule line in plain words"
expect_no_out "work/slots"
rm log
run_assay run -j 1 -v t
grep -q '^assay: schedule: .*bound .*efficiency .*idle .*last to end: ' "$W/out"
check $? "-v: the schedule's every figure"
rm log
run_assay run -j 1 t
[ "$(order log)" = "b c d a" ]
check $? "with history: longest first (got: $(order log))"
rm log
run_assay run -j 1 --order given t
[ "$(order log)" = "a b c d" ]
check $? "--order given: the order found (got: $(order log))"
rm log
run_assay run -j 1 --state-dir '' t
[ "$(order log)" = "a b c d" ]
check $? "--state-dir '': no history read (got: $(order log))"
cd "$W" || exit 99

# ---- --failed-first ----
mkdir -p ff && cd ff || exit 99
mk t/a "echo a >>\"$W/ff/log\""
mk t/b "echo b >>\"$W/ff/log\""
mk t/c "echo c >>\"$W/ff/log\"; [ ! -e \"$W/ff/fail\" ]"
touch fail
run_assay run -j 1 --order given t
expect_rc 1 "c fails"
rm fail log
run_assay run -j 1 --order given --failed-first t
[ "$(order log)" = "c a b" ]
check $? "--failed-first: last run's failure first (got: $(order log))"
cd "$W" || exit 99

# ---- --shuffle and --seed ----
mkdir -p sh && cd sh || exit 99
for n in 1 2 3 4 5 6 7 8; do
	mk "t/s$n" "echo s$n >>\"$W/sh/log\""
done
run_assay run -j 1 --shuffle --state-dir '' t
expect_rc 0 "shuffled run"
seed=$(sed -n 's/^assay: shuffled with --seed \([0-9]*\)$/\1/p' "$W/out")
[ -n "$seed" ]
check $? "the seed is printed (got '$seed')"
first=$(order log)
rm log
run_assay run -j 1 --seed "$seed" --state-dir '' t
[ "$(order log)" = "$first" ]
check $? "--seed $seed reproduces the order ($first)"
rm log
orders=""
for s in 1 2 3 4; do
	run_assay run -j 1 --seed $s --state-dir '' t
	orders="$orders$(order log)|"
	rm log
done
[ "$(printf '%s' "$orders" | tr '|' '\n' | sort -u | wc -l)" -ge 2 ]
check $? "different seeds give different orders"
run_assay run -j 1 --seed 7 --junit r.xml --state-dir '' t
grep -q 'name="assay.seed" value="7"' r.xml
check $? "the seed is a JUnit property"
run_assay run --seed x t
expect_rc 2 "--seed x"
expect_err "--seed wants a whole number"
cd "$W" || exit 99

# ---- exclusion groups, serial, slots ----
mkdir -p ex && cd ex || exit 99
# lock NAME: fails the test when another holder is inside
lock='mkdir "$L" 2>/dev/null || { echo "overlap on $L"; exit 1; }; sleep 0.15; rmdir "$L"'
for n in 1 2 3; do
	mk "t/db$n" "L=$W/ex/dblock; $lock"
done
mk t/free1 "sleep 0.1"
mk t/free2 "sleep 0.1"
run_assay run -j 4 --state-dir '' t
expect_rc 1 "without a group the db tests overlap (the fixture sees it)"
printf '[tests "t/db*"]\n\tgroup = db\n' >assay.conf
run_assay run -j 4 --state-dir '' t
expect_rc 0 "group db (max 1 by default): never two at once"
printf '[tests "t/db*"]\n\tgroup = db\n[group "db"]\n\tmax = 2\n' >assay.conf
run_assay run -j 4 --state-dir '' t
expect_rc 1 "[group db] max = 2: two at once"
rm assay.conf
run_assay run -j 4 --state-dir '' -c 'tests.t/db*.group=db' t
expect_rc 0 "-c tests.t/db*.group=db"
run_assay run -j 4 -c 'tests.t/db*.colour=red' t
expect_rc 2 "-c with an unknown key"
expect_err "colour"
cd "$W" || exit 99

mkdir -p se && cd se || exit 99
# others mark themselves running; the serial test sees nobody, nobody sees it
mk t/serial 'touch "$D/serial"; sleep 0.3; n=$(ls "$D/running" | wc -l); rm "$D/serial"; [ "$n" = 0 ] || { echo "$n ran beside me"; exit 1; }'
for n in 1 2 3 4 5 6; do
	mk "t/o$n" '[ -e "$D/serial" ] && exit 1; touch "$D/running/$$"; sleep 0.1; rm "$D/running/$$"; [ ! -e "$D/serial" ]'
done
mkdir running
export D="$W/se"
run_assay run -j 4 --state-dir '' t
expect_rc 1 "without serial, others run beside it"
run_assay run -j 4 --state-dir '' -c 'tests.t/serial.serial=true' t
expect_rc 0 "serial = true: it runs alone"
run_assay run -j 4 --state-dir '' -c 'tests.t/serial.slots=4' t
expect_rc 0 "slots = 4 of -j 4: it runs alone"
run_assay run -j 4 --state-dir '' -c 'tests.t/serial.slots=9' t
expect_rc 0 "slots above -j: clamped, runs alone, no hang"
run_assay run -j 4 -c 'tests.t/serial.slots=0' t
expect_rc 2 "slots = 0 is refused"
unset D
cd "$W" || exit 99

# ---- history survives damage ----
mkdir -p hi && cd hi || exit 99
mk t/a true
mkdir .assay
printf 'not a history\n' >.assay/history
run_assay run t
expect_rc 0 "a corrupt history does not fail the run"
expect_err "warning"
head -1 .assay/history | grep -q '^# assay history'
check $? "and is rebuilt"
run_assay run t
expect_rc 0 "the rebuilt history reads"
[ ! -s "$W/err" ] || ! grep -q warning "$W/err"
check $? "without a warning"
run_assay history --state-dir nowhere
expect_rc 0 "assay history without history"
expect_out "no history"
cd "$W" || exit 99

# ---- assay.conf timeout ----
mkdir -p to && cd to || exit 99
mk t/slow 'sleep 5'
printf '[tests "t/slow"]\n\ttimeout = 0.3\n' >assay.conf
run_assay run --grace 0.1 --state-dir '' t
expect_rc 1 "timeout = 0.3 from assay.conf"
expect_out "TIMEOUT"
cd "$W" || exit 99

finish
