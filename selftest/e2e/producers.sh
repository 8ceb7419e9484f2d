#!/bin/sh
# TAP as the producers people use write it: each program below is made
# here, from the real producer, run by the producer's own runner and by
# assay, and the two must agree on the verdict and on the counts (the
# rules and each producer's quirks: docs/tap.md, "Producers"). A
# producer that is not installed is a skip naming its Debian package.
. "$(dirname "$0")/lib.sh"
: "${ASSAY_SRCDIR:=$(cd "$here/../.." && pwd)}"
CC=${CC:-cc}


# agree NAME OWN_RC PASSED FAILED SKIPPED: assay on prog/NAME (already run
# into $W/out) gives the verdict the producer's runner gave (its exit
# status OWN_RC: 0 passes) and these counts
agree() {
	want=0
	[ "$2" = 0 ] || want=1
	[ "$RC" = "$want" ]
	check $? "$1: assay's verdict is the producer's (its runner: exit $2; assay: exit $RC)"
	expect_last "assay: $3 passed, $4 failed, $5 skipped"
	expect_no_out "ERROR"
}

mkdir -p prog

# ---- Node's test runner (node:test, TAP reporter) ----
if command -v node >/dev/null 2>&1; then
	cat >prog/cases.test.mjs <<'EOF'
import test from 'node:test';
import assert from 'node:assert';
test('adds', () => { assert.strictEqual(1 + 1, 2); });
test('fails', () => { assert.deepStrictEqual({ a: 1 }, { a: 2 }); });
test('skipped', { skip: 'not here' }, () => {});
test('todo', { todo: 'later' }, () => { assert.fail('not done'); });
test.describe('suite', () => {
	test.it('inner', () => {});
	test.describe('nested', () => { test.it('deep', () => {}); });
	test.it('async', async () => { await new Promise((r) => setTimeout(r, 5)); });
});
EOF
	printf '#!/bin/sh\nexec node --test --test-reporter=tap "%s/prog/cases.test.mjs"\n' "$W" >prog/node
	chmod +x prog/node
	node --test --test-reporter=tap prog/cases.test.mjs >node.own 2>&1
	own=$?
	n_pass=$(sed -n 's/^# pass //p' node.own)
	n_fail=$(sed -n 's/^# fail //p' node.own)
	n_skip=$(sed -n 's/^# skipped //p' node.own)
	n_todo=$(sed -n 's/^# todo //p' node.own)
	run_assay run -v --kind tap --state-dir '' prog/node
	# a TODO counts as passed in assay's columns (docs/tap.md)
	agree node "$own" $((n_pass + n_todo)) "$n_fail" "$n_skip"
	expect_out "node::suite/nested/deep"
	# its YAML: location and error are the reason
	expect_out "node::fails: $W/prog/cases.test.mjs:4:1: Expected values to be strictly deep-equal:"
else
	skip "node is not installed (Debian: nodejs)"
fi

# ---- node-tap (Debian's node-tap, found through /usr/share/nodejs) ----
NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
export NODE_PATH
if command -v node >/dev/null 2>&1 && command -v tap >/dev/null 2>&1 &&
	node -e "require('tap')" >/dev/null 2>&1; then
	cat >prog/cases.js <<'EOF'
const t = require('tap');
t.test('adds', async t => { t.equal(1 + 1, 2); });
t.test('fails', async t => { t.same({ a: 1 }, { a: 2 }, 'deep'); });
t.test('skipped', { skip: 'not here' }, async t => {});
t.test('todo', { todo: 'later' }, async t => { t.fail('not done'); });
t.test('nested', async t => { t.test('inner', async t => { t.ok(true, 'fine'); }); });
EOF
	printf '#!/bin/sh
exec node "%s/prog/cases.js"
' "$W" >prog/nodetap
	chmod +x prog/nodetap
	tap --no-coverage -R silent prog/cases.js >/dev/null 2>&1
	own=$?
	node prog/cases.js >nodetap.own 2>&1
	t_all=$(sed -n 's/^# failed [0-9]* of \([0-9]*\) tests$/\1/p' nodetap.own)
	t_fail=$(sed -n 's/^# failed \([0-9]*\) of [0-9]* tests$/\1/p' nodetap.own)
	t_skip=$(sed -n 's/^# skip: //p' nodetap.own)
	run_assay run -v --kind tap --state-dir '' prog/nodetap
	# its todo is not run, so "ok # TODO": an xpass, in the passed column
	agree node-tap "$own" $((t_all - t_fail - t_skip)) "$t_fail" "$t_skip"
	expect_out "nodetap::nested/inner/fine"
else
	skip "node-tap is not installed (Debian: node-tap)"
fi

# ---- Perl: Test::More, and Test2::V0 ----
if command -v prove >/dev/null 2>&1 && perl -MTest::More -e 1 2>/dev/null; then
	cat >prog/more.t <<'EOF'
#!/usr/bin/perl
use strict;
use warnings;
use Test::More;
# its diagnostics go to stderr, a pipe of their own: in stdout they are
# read in order with the points (docs/tap.md, Producers)
Test::More->builder->failure_output(\*STDOUT);
ok(1, 'first');
is(1, 2, 'second is wrong');
subtest 'sub' => sub {
	plan tests => 2;
	ok(1, 'inner one');
	ok(1, 'inner two');
};
TODO: {
	local $TODO = 'not yet';
	ok(0, 'unfinished');
}
SKIP: {
	skip 'no network', 1;
	ok(1, 'needs the network');
}
done_testing();
EOF
	cat >prog/bail.t <<'EOF'
#!/usr/bin/perl
use Test::More tests => 3;
ok(1, 'before');
BAIL_OUT('the database is gone');
ok(1, 'never');
EOF
	chmod +x prog/more.t prog/bail.t
	prove prog/more.t >/dev/null 2>&1
	own=$?
	run_assay run -v --state-dir '' prog/more.t
	agree Test::More "$own" 4 1 1
	expect_out "more.t::sub/inner two"
	# its "#   Failed test" comments are the reason
	expect_out "more.t::second is wrong: prog/more.t:9: Failed test 'second is wrong' (got '1', expected '2')"
	prove prog/bail.t >/dev/null 2>&1
	own=$?
	run_assay run -v --state-dir '' prog/bail.t
	[ "$own" != 0 ] && [ "$RC" = 1 ]
	check $? "Test::More BAIL_OUT: prove fails it (exit $own), and so does assay (exit $RC)"
	expect_out "the database is gone"
else
	skip "Test::More is not installed (Debian: perl)"
fi
if command -v prove >/dev/null 2>&1 && perl -MTest2::V0 -e 1 2>/dev/null; then
	cat >prog/two.t <<'EOF'
#!/usr/bin/perl
use Test2::V0;
ok(1, 'first');
is([1, 2], [1, 3], 'deep is wrong');
subtest 'sub' => sub { ok(1, 'inner') };
todo 'not yet' => sub { ok(0, 'unfinished') };
SKIP: { skip 'no network', 1; ok(1, 'needs the network') }
done_testing;
EOF
	chmod +x prog/two.t
	prove prog/two.t >/dev/null 2>&1
	own=$?
	run_assay run -v --state-dir '' prog/two.t
	agree Test2::V0 "$own" 3 1 1
else
	skip "Test2::V0 is not installed (Debian: libtest2-suite-perl)"
fi

# ---- bats ----
if command -v bats >/dev/null 2>&1; then
	cat >prog/cases.bats <<'EOF'
@test "passes" { true; }
@test "skips" { skip "not today"; }
@test "fails" { [ 1 -eq 2 ]; }
EOF
	printf '#!/bin/sh\nexec bats --tap "%s/prog/cases.bats"\n' "$W" >prog/bats
	chmod +x prog/bats
	bats --tap prog/cases.bats >/dev/null 2>&1
	own=$?
	run_assay run -v --kind tap --state-dir '' prog/bats
	agree bats "$own" 1 1 1
	expect_out "bats::skips: not today"
else
	skip "bats is not installed (Debian: bats)"
fi

# ---- cmocka (CMOCKA_MESSAGE_OUTPUT=TAP) ----
if printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\n' |
	$CC -E -x c - >/dev/null 2>&1; then
	cat >cm.c <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
static void passes(void **state) { assert_int_equal(2, 1 + 1); }
static void fails(void **state) { assert_int_equal(42, 41); }
static void skips(void **state) { skip(); }
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passes), cmocka_unit_test(fails),
		cmocka_unit_test(skips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
EOF
	$CC -o prog/cmocka cm.c -lcmocka
	CMOCKA_MESSAGE_OUTPUT=TAP prog/cmocka >/dev/null 2>&1
	own=$?
	CMOCKA_MESSAGE_OUTPUT=TAP run_assay run -v --state-dir '' prog/cmocka
	agree cmocka "$own" 1 1 1
	expect_out "cmocka::fails: cm.c:7: 0x2a != 0x29"
	expect_out "cmocka::3: skips"       # "not ok 3 # SKIP skips" is a skip
else
	skip "cmocka is not installed (Debian: libcmocka-dev)"
fi

# ---- Check (CK_TAP_LOG_FILE_NAME=-: the plan comes last) ----
if pkg-config --exists check 2>/dev/null; then
	cat >ck.c <<'EOF'
#include <check.h>
#include <stdlib.h>
START_TEST(passes) { ck_assert_int_eq(2, 1 + 1); }
END_TEST
START_TEST(fails) { ck_assert_int_eq(42, 41); }
END_TEST
int main(void)
{
	Suite *s = suite_create("math");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, passes);
	tcase_add_test(tc, fails);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
EOF
	# shellcheck disable=SC2046
	$CC -o prog/check ck.c $(pkg-config --cflags --libs check)
	CK_TAP_LOG_FILE_NAME=- prog/check >/dev/null 2>&1
	own=$?
	CK_TAP_LOG_FILE_NAME=- run_assay run -v --state-dir '' prog/check
	agree Check "$own" 1 1 0
else
	skip "Check is not installed (Debian: check)"
fi

# ---- GLib's g_test (TAP by default since 2.62) ----
if pkg-config --exists glib-2.0 2>/dev/null; then
	cat >gt.c <<'EOF'
#include <glib.h>
static void adds(void) { g_assert_cmpint(1 + 1, ==, 2); }
static void skips(void) { g_test_skip("no display"); }
static void fails(void) { g_test_fail(); }
static void dies(void) { g_assert_cmpint(1, ==, 2); }
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/math/adds", adds);
	g_test_add_func("/math/skips", skips);
	if (g_getenv("GT_FATAL"))
		g_test_add_func("/math/dies", dies);
	else
		g_test_add_func("/math/fails", fails);
	g_test_add_func("/math/after", adds);
	return g_test_run();
}
EOF
	# shellcheck disable=SC2046
	$CC -o prog/glib gt.c $(pkg-config --cflags --libs glib-2.0)
	prog/glib >/dev/null 2>&1
	own=$?
	run_assay run -v --state-dir '' prog/glib
	# without -k, g_test_fail ends the program: "Bail out!" and SIGABRT,
	# so /math/after never runs and the program's crash is a failure too
	agree GLib "$own" 1 2 1
	expect_out "glib::/math/skips: no display"
	expect_out "glib: crash (SIGABRT) after 3 test points"
	GT_FATAL=1 prog/glib >/dev/null 2>&1
	own=$?
	GT_FATAL=1 run_assay run -v --state-dir '' prog/glib
	[ "$own" != 0 ] && [ "$RC" = 1 ]
	check $? "GLib: a fatal assertion (Bail out!) fails it for its runner (exit $own) and assay (exit $RC)"
else
	skip "GLib is not installed (Debian: libglib2.0-dev)"
fi

# ---- assay's own tap.h ----
cat >th.c <<'EOF'
#include "assay/tap.h"
int main(void)
{
	tap_plan(4);
	tap_ok(1, "first");
	tap_is_int(41, 42, "the answer");
	tap_skip(1, "no network");
	tap_todo_start("not yet");
	tap_ok(0, "unfinished");
	tap_todo_end();
	return tap_done_testing();
}
EOF
if $CC -I"$ASSAY_SRCDIR/include" -o prog/taph th.c 2>cc.err; then
	prog/taph >/dev/null 2>&1
	own=$?
	run_assay run -v --state-dir '' prog/taph
	agree tap.h "$own" 2 1 1
else
	check 1 "tap.h compiles: $(head -c 300 cc.err)"
fi

finish
