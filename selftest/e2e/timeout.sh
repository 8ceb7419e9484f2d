#!/bin/sh
# Deadlines: a hung test is terminated; one that ignores SIGTERM is
# killed after the grace period; nothing is left running.
. "$(dirname "$0")/lib.sh"

m=7$$
mk t/hang "sleep ${m}1"
mk t/stubborn "trap '' TERM; sleep ${m}2; sleep ${m}2"
mk t/quick 'exit 0'
mk t/stopped "sleep ${m}3 & kill -STOP \$\$"

run_assay run -j4 --no-isolate-failures --timeout 0.5 --grace 0.5 t
expect_rc 1
expect_out "hang: timeout after 0.5s"
grep -q 'stopped: timeout after 0.5s; stopped$' "$W/out"
check $? "a stopped test is continued so SIGTERM ends it (no SIGKILL needed)"
expect_out "stubborn: timeout after 0.5s (ignored SIGTERM; killed with SIGKILL)"
expect_out "failed: 3 timeout"
expect_last "assay: 1 passed, 3 failed, 0 skipped"
no_process "sleep ${m}"

# --timeout 0: no deadline at all
mk u/slowish 'sleep 0.3'
run_assay run --timeout 0 u
expect_rc 0
expect_last "assay: 1 passed, 0 failed, 0 skipped"
finish
