#!/bin/sh
# TAP programs through the whole run: which programs are read as TAP,
# cases live and in the summary, verdicts on bad streams, --format tap
# read back by assay and by prove, memory on endless or garbage streams.
. "$(dirname "$0")/lib.sh"

# --- which programs are TAP ---
mk t/glib 'echo "# random seed: R02Sb1f8"; echo "1..3"
echo "ok 1 /math/add"; echo "not ok 2 /math/div"; echo "#   division by zero" >&2
sleep 0.2; echo "ok 3 /math/sub # SKIP no FPU"; exit 1'
mk t/basic.t 'echo "starting up"; echo "ok 1 - fine"; echo "1..1"'
mk t/plain 'echo "ok, done"; exit 0'
mk t/todo 'printf "1..2\nnot ok 1 - known bug # TODO issue 12\nok 2 - fixed # TODO issue 13\n"'

run_assay run -v t
expect_rc 1
expect_out "PASS      "
expect_out "glib::/math/add"
expect_out "glib::/math/div: not ok 2 (line 4)"
expect_out "division by zero"
expect_out "glib::/math/sub: no FPU"
expect_out "basic.t::fine"
expect_no_out "plain::"
expect_out "TODO passed: issue 13"
expect_out "1 TODO passed (xpass)"
expect_last "assay: 5 passed, 1 failed, 1 skipped"

run_assay run -v --strict-todo t/todo
expect_rc 1 "--strict-todo fails an xpass"
expect_last "assay: 1 passed, 1 failed, 0 skipped"

# --kind tap: a program that prints no TAP is an error
mk k/silent 'echo "nothing to see"'
run_assay run -v --kind tap k
expect_rc 1
expect_out "silent: line 1: no plan: 0 test points and no 1..N line"

# --- sniffing never invents an error; --kind exec never reads ---
mk s/status 'echo "ok"; echo "all good"'
mk s/steps 'echo "1..10 of the steps"; echo "step 1 done"'
mk s/broken 'printf "1..3\nok 1 - first\n"'
mk s/failing 'printf "1..2\nok 1 - a\nnot ok 2 - b\n"'
run_assay run -v s
expect_rc 1 "only the stream with a failing point fails"
expect_no_out "status::"
expect_no_out "steps::"
expect_out "broken::first"
expect_out "failing::b"
expect_last "assay: 5 passed, 1 failed, 0 skipped"
run_assay run -v --kind exec s
expect_rc 0 "--kind exec: judged by the exit status alone"
expect_no_out "::"
expect_last "assay: 4 passed, 0 failed, 0 skipped"
printf '[tests "failing"]\n\tkind = exec\n' >"$W/assay.conf"
run_assay run -v s
expect_rc 0 "kind = exec in assay.conf"
expect_no_out "failing::"
rm "$W/assay.conf"

# --- a stream without a plan: all skipped is a skip; tap-plan overrides ---
mk n/gdbus-threading.t 'echo "# random seed: R02S"; echo "ok 1 # SKIP all tests skipped: unreliable"'
mk n/skip77.t 'echo "ok 1 # SKIP no bus"; exit 77'
mk n/unplanned.t 'echo "ok 1 - a"'
run_assay run -v n
expect_rc 1
expect_out "gdbus-threading.t::1: all tests skipped: unreliable"
expect_out "skip77.t::1: no bus"
expect_out "unplanned.t: line 1: no plan: 1 test point and no 1..N line"
expect_last "assay: 1 passed, 1 failed, 2 skipped"
printf '[tests "n/unplanned.t"]\n\ttap-plan = optional\n[tests "gdbus-*"]\n\ttap-plan = required\n' >"$W/assay.conf"
run_assay run -v n
expect_rc 1
expect_out "gdbus-threading.t: line 2: no plan: 1 test point and no 1..N line"
expect_no_out "unplanned.t: line 1"
expect_last "assay: 1 passed, 1 failed, 2 skipped"
printf '[tests "n/*"]\n\ttap-plan = sometimes\n' >"$W/assay.conf"
run_assay run -v n
expect_rc 2 "a bad tap-plan is refused"
expect_err "tap-plan = sometimes: not a plan rule (want auto, required or optional)"
rm "$W/assay.conf"

# --- assay.conf sets the kind per path; bad settings are named ---
mk c/quiet.sh 'echo "hello"; echo "ok 1 - late TAP"; echo "1..1"'
mk c/other.sh 'echo "hello"; echo "ok 1 - late TAP"; echo "1..1"'
printf '[tests "c/quiet*"]\n\tkind = tap\n' >"$W/assay.conf"
run_assay run -v c
expect_out "quiet.sh::late TAP"
expect_no_out "other.sh::"
expect_last "assay: 2 passed, 0 failed, 0 skipped"
printf '[tests "c/*"]\n\tkidn = tap\n' >"$W/bad.conf"
run_assay run -v --config "$W/bad.conf" c
expect_rc 2 "an unknown key is a usage error"
expect_err "bad.conf: [tests \"c/*\"] kidn = tap: unknown key (known: kind, timeout, slots, serial, group, retries, tap-plan, leaks, gpus, gpu-exclusive)"
printf '[tests "c/*"]\n\tkind = nope\n' >"$W/bad.conf"
run_assay run -v --config "$W/bad.conf" c
expect_rc 2
expect_err "kind = nope: no such kind (known: auto, exec, tap, gtest, assay, cuda, installed-tests)"
printf '[tests "c/*"\n' >"$W/bad.conf"
run_assay run -v --config "$W/bad.conf" c
expect_rc 2
expect_err "bad.conf: "
run_assay run -v --config "$W/missing.conf" c
expect_rc 2
expect_err "cannot read the configuration '$W/missing.conf'"
rm "$W/assay.conf"

# --- a glob matches however the test was named; a stray one warns ---
mk h/hang.sh 'sleep 10'
printf '[tests "hang.sh"]\n\ttimeout = 0.3\n[tests "hnag.sh"]\n\ttimeout = 1\n' >"$W/assay.conf"
run_assay run -v h
expect_out "hang.sh: timeout after 0.3s"
expect_err 'assay: warning: assay.conf: [tests "hnag.sh"] matches no test found'
run_assay run -v h/hang.sh
expect_out "h/hang.sh: timeout after 0.3s"
run_assay run -v -c 'tests.h/hang.sh.timeout=0.3' h
expect_out "hang.sh: timeout after 0.3s"
expect_no_err 'warning: -c'
rm "$W/assay.conf"

# --- verdicts on bad streams; the rest of the run goes on ---
mk b/bail.t 'printf "1..3\nok 1 - a\nBail out! database gone\nok 2\n"'
mk b/short.t 'printf "1..5\nok 1\nok 2\n"'
mk b/yaml.t 'printf "1..1\nnot ok 1 - x\n  ---\n  message: oops\n"'
mk b/exit.t 'printf "1..1\nok 1\n"; exit 3'
mk b/crash.t 'printf "1..2\nok 1 - first\n"; kill -SEGV $$'
mk b/fine.t 'printf "1..1\nok 1 - still runs\n"'
run_assay run -v b
expect_rc 1
expect_out "bail.t: line 3: Bail out! database gone"
expect_out "short.t: line 1: planned 5 tests but ran 2"
expect_out "yaml.t: line 4: the YAML block opened at line 3 is not closed by '...'"
expect_out "exit.t: exit code 3 although no test point failed"
expect_out "crash.t: crash (SIGSEGV) after 1 test point"
expect_out "fine.t::still runs"
expect_last "assay: 6 passed, 6 failed, 0 skipped"

# --- cases arrive while the program runs ---
mk l/live 'printf "1..2\nok 1 - early\n# now waiting\n"
i=0; while [ ! -e "'"$W"'/go" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -e "'"$W"'/go" ] && echo "ok 2 - late" || echo "not ok 2 - late"'
"$ASSAY" run -v l >"$W/out" 2>"$W/err" &
pid=$!
i=0
while ! grep -q "live::early" "$W/out" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q "live::early" "$W/out"
check $? "a case is reported while its program still runs"
touch "$W/go"
wait $pid
RC=$?
expect_rc 0

# --- --format tap: valid TAP for assay itself and for prove ---
run_assay run -v --format tap t b
expect_rc 1
expect_err "assay: 11 passed, 7 failed, 1 skipped"
[ "$(head -n 1 "$W/out")" = "TAP version 14" ]
check $? "the stream starts with its version"
expect_out "# Subtest: glib"
# (its point's number: its place in the subtest of the run alone that
# --isolate-failures gave it)
grep -qE "^    not ok [0-9]+ - /math/div$" "$W/out"
check $? "the failed case is a point of its subtest"
grep -qE "^ok [0-9]+ - plain$" "$W/out"
check $? "a test without cases is one point"
expect_out "# assay: 11 passed, 7 failed, 1 skipped"
cp "$W/out" "$W/stream.tap"
mk r/replay.t "cat '$W/stream.tap'"
run_assay run -v r
expect_out "replay.t::glib//math/add"
expect_out "replay.t::short.t: line 1: planned 5 tests but ran 2"
expect_last "assay: 11 passed, 6 failed, 1 skipped"
run_assay run -v --format tap13 t/basic.t t/plain
expect_rc 0
cp "$W/out" "$W/stream13.tap"
if command -v prove >/dev/null 2>&1; then
	prove --exec cat "$W/stream13.tap" >"$W/out" 2>&1
	RC=$?
	expect_rc 0 "prove reads --format tap13"
	expect_out "Result: PASS"
else
	echo "# prove not installed: not checked against it"
fi

# --- garbage and endless streams: a verdict, bounded memory ---
# (apart: under a sanitizer on a loaded machine, reading 300 KB of
# garbage can take longer than the endless stream's 2 s deadline)
mk g/garbage 'echo "1..2"; head -c 300000 /dev/urandom; printf "\0\0\033[31m\377\376\n"; echo "ok 1"'
mk e/endless 'yes "ok"'
run_assay run -v -q --kind tap g
expect_rc 1
expect_out "garbage: line"
run_maxrss run -q --kind tap --timeout 2 --grace 0.5 e
expect_rc 1
expect_out "endless: timeout after 2s"
expect_maxrss 65536 "reading endless TAP"
no_process "yes ok"

finish
