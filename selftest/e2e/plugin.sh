#!/bin/sh
# An external plugin (selftest/plugin/sample.so) loads through --plugin
# and its kind and reporter take part in a run like built-in ones.
. "$(dirname "$0")/lib.sh"

so="$ASSAY_BUILDDIR/selftest/plugin/sample.so"
[ -f "$so" ] || { echo "# $so not built"; exit 99; }

mk t/broken.xfail 'echo "$* ${XFAIL_EXPECTED:-} ${XFAIL_UNSET:-gone}" >"$SPEC_LOG"; exit 1'
mk t/fixed.xfail 'exit 0'
mk t/plain 'exit 0'

SPEC_LOG=$W/spec XFAIL_UNSET=here run_assay run --no-isolate-failures --plugin "$so" --reporter "tally=$W/tally" --strict-todo t
expect_rc 1 "with --strict-todo, an xpass fails the run"
[ "$(cat "$W/spec" 2>/dev/null)" = "--expect-failure 1 gone" ]
check $? "the kind's spawn spec: its argv, a variable set, one removed (got: $(cat "$W/spec" 2>/dev/null))"
expect_out "XFAIL"
expect_out "broken.xfail: failed, as expected"
expect_out "fixed.xfail: passed, but it is expected to fail"
expect_last "assay: 2 passed, 1 failed, 0 skipped"
[ "$(sort "$W/tally")" = "cases 0
pass plain
tasks 3
total 3
xfail broken.xfail
xpass fixed.xfail" ] && [ "$(tail -n 1 "$W/tally")" = "cases 0" ]
check $? "the tally reporter saw every result, every task and the end"

# without it, an xpass is shown and counted as passed
SPEC_LOG=/dev/null run_assay run --plugin "$so" t
expect_rc 0 "an xpass alone passes the run"
expect_out "XPASS"
expect_out "1 TODO passed (xpass)"
expect_last "assay: 3 passed, 0 failed, 0 skipped"

# --kind forces a kind on every test
run_assay run --plugin "$so" --strict-todo --kind xfail t/plain
expect_rc 1
expect_out "plain: passed, but it is expected to fail"

# a shared object that is not an assay plugin, and a reporter that refuses
run_assay run --plugin "$(ls /lib/*/libm.so.6 /usr/lib/*/libm.so.6 2>/dev/null | head -n 1)" t
expect_rc 2
expect_err "is not an assay plugin: it does not export assay_plugin_entry()"
run_assay run --plugin "$so" --reporter tally t
expect_rc 2
expect_err "reporter 'tally' cannot start: give a file: --reporter tally=FILE"
finish
