/* selftest/unit/attempt_test.c - tests harness/attempt.c: the state
 * table of a test's runs and the retry policy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness/attempt.h"
#include "harness/table.h"

static const struct assay_kind kind = { .name = "k" };

/* A program "p" with cases c0..c3, listed. */
static void make_table(struct test_table *t)
{
	struct table_cases *cases = calloc(1, sizeof(*cases));

	table_init(t);
	table_add(t, ".", "p", "./p", &kind, NULL);
	cases[0].n = 4;
	cases[0].names = calloc(4, sizeof(char *));
	cases[0].skips = calloc(4, sizeof(char *));
	for (int i = 0; i < 4; i++) {
		char name[8];
		snprintf(name, sizeof(name), "c%d", i);
		cases[0].names[i] = strdup(name);
	}
	table_expand(t, cases);
	free(cases);
}

static void fail_one(struct attempt *a, const char *id)
{
	struct results failed = { 0 };
	struct assay_result r = { .struct_size = sizeof(r), .id = id,
				  .reason = "", .outcome = ASSAY_FAIL };

	results_add(&failed, &r);
	attempt_keep_failures(a, &failed);
	results_release(&failed);
}

static void a_test_passes_through_its_iterations(void)
{
	struct test_table t;
	struct attempt_policy p = { .copies = 1, .iterations = 3 };
	struct attempt *a;

	table_init(&t);
	a = attempt_new(table_add(&t, ".", "x", "./x", &kind, NULL), NULL, 0,
			false, 1, 0);
	CHECK_INT(ATTEMPT_QUEUED, a->state);
	CHECK_INT(ATTEMPT_QUEUED, attempt_dispatch(a, AEV_PASSED, &p)); /* empty cell */
	CHECK_INT(ATTEMPT_RUNNING, attempt_dispatch(a, AEV_START, &p));
	CHECK(!attempt_holds(a));                       /* no retries */
	CHECK_INT(ATTEMPT_QUEUED, attempt_dispatch(a, AEV_FAILED, &p));
	CHECK_INT(2, a->iteration);
	attempt_dispatch(a, AEV_START, &p);
	CHECK_INT(ATTEMPT_QUEUED, attempt_dispatch(a, AEV_PASSED, &p));
	CHECK_INT(3, a->iteration);
	attempt_dispatch(a, AEV_START, &p);
	CHECK_INT(ATTEMPT_DONE, attempt_next(a, AEV_PASSED, &p));
	CHECK_INT(ATTEMPT_RUNNING, a->state);           /* next does not move */
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(a, AEV_PASSED, &p));
	attempt_free(a);
	table_release(&t);
}

static void a_retry_runs_only_the_failed_cases(void)
{
	struct test_table t;
	struct attempt_policy p = { .copies = 1, .iterations = 2 };
	struct attempt *a;

	make_table(&t);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 2);
	attempt_dispatch(a, AEV_START, &p);
	CHECK(attempt_holds(a));
	fail_one(a, "p::c2");
	CHECK_INT(ATTEMPT_RETRYING, attempt_dispatch(a, AEV_FAILED, &p));
	CHECK_INT(2, a->attempt);
	CHECK_INT(1, a->ncases);
	CHECK_STR("p::c2", a->cases[0]->pub.id);
	CHECK_INT(-1, attempt_case_pos(a, t.v[0]));
	CHECK_INT(0, attempt_case_pos(a, t.v[2]));
	/* the case passes now: flaky; another never failed: not */
	CHECK(attempt_is_flaky(a, "p::c2", ASSAY_TALLY_PASSED));
	CHECK(!attempt_is_flaky(a, "p::c1", ASSAY_TALLY_PASSED));
	CHECK(!attempt_is_flaky(a, "p::c2", ASSAY_TALLY_FAILED));
	attempt_dispatch(a, AEV_START, &p);
	/* it passes: the next iteration starts with the whole batch */
	CHECK_INT(ATTEMPT_QUEUED, attempt_dispatch(a, AEV_PASSED, &p));
	CHECK_INT(2, a->iteration);
	CHECK_INT(1, a->attempt);
	CHECK_INT(4, a->ncases);
	CHECK(!attempt_is_flaky(a, "p::c2", ASSAY_TALLY_PASSED));
	attempt_free(a);
	table_release(&t);
}

static void the_program_failing_retries_every_case(void)
{
	struct test_table t;
	struct attempt_policy p = { .copies = 1, .iterations = 1 };
	struct attempt *a;

	make_table(&t);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 1);
	attempt_dispatch(a, AEV_START, &p);
	fail_one(a, "p");
	CHECK_INT(ATTEMPT_RETRYING, attempt_dispatch(a, AEV_FAILED, &p));
	CHECK_INT(4, a->ncases);
	attempt_dispatch(a, AEV_START, &p);
	CHECK(!attempt_holds(a));                       /* retries spent */
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(a, AEV_FAILED, &p));
	attempt_free(a);
	table_release(&t);
}

static void stopping_and_dropping(void)
{
	struct test_table t;
	struct attempt_policy p = { .copies = 1, .iterations = 1 };
	struct attempt *a, *b, *rest;

	make_table(&t);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	attempt_dispatch(a, AEV_START, &p);
	p.stopping = true;                      /* --until-fail, a signal */
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(a, AEV_FAILED, &p));
	attempt_free(a);
	p.stopping = false;
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	CHECK_INT(ATTEMPT_NOT_RUN, attempt_dispatch(a, AEV_DROPPED, &p));
	attempt_free(a);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	attempt_dispatch(a, AEV_START, &p);
	CHECK_INT(ATTEMPT_CANCELLED, attempt_dispatch(a, AEV_CANCELLED, &p));
	attempt_free(a);
	/* a retry that never starts is done, its failures kept */
	b = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	attempt_dispatch(b, AEV_START, &p);
	fail_one(b, "p::c1");
	attempt_dispatch(b, AEV_FAILED, &p);
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(b, AEV_DROPPED, &p));
	CHECK_INT(1, b->last.n);
	/* the rest of a crashed batch: same attempt, no iterations of its own */
	rest = attempt_rest(b, t.v + 2, 2);
	CHECK_INT(2, rest->ncases);
	CHECK_INT(b->attempt, rest->attempt);
	CHECK(rest->test == t.v[0]->program);
	CHECK(attempt_is_flaky(rest, "p::c1", ASSAY_TALLY_PASSED));
	p.iterations = 5;
	attempt_dispatch(rest, AEV_START, &p);
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(rest, AEV_PASSED, &p));
	attempt_free(rest);
	attempt_free(b);
	table_release(&t);
}

/* --isolate-failures: retries spent, a failure waits to run alone, only
 * its failed cases; a pass alone is no flaky pass; once alone is enough. */
static void a_failure_runs_alone_once(void)
{
	struct test_table t;
	struct attempt_policy p = { .copies = 1, .iterations = 1, .isolate_left = 1 };
	struct attempt *a, *b;

	make_table(&t);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 1);
	attempt_dispatch(a, AEV_START, &p);
	CHECK(attempt_holds(a));                        /* a retry first */
	CHECK(!attempt_may_isolate(a, &p));
	fail_one(a, "p::c1");
	CHECK_INT(ATTEMPT_RETRYING, attempt_dispatch(a, AEV_FAILED, &p));
	attempt_dispatch(a, AEV_START, &p);
	CHECK(attempt_may_isolate(a, &p));
	fail_one(a, "p::c1");
	CHECK_INT(ATTEMPT_ALONE, attempt_dispatch(a, AEV_FAILED, &p));
	CHECK(a->alone);
	CHECK_INT(3, a->attempt);
	CHECK_INT(1, a->ncases);
	CHECK(attempt_failed_before(a, "p::c1") && !attempt_failed_before(a, "p::c0"));
	attempt_dispatch(a, AEV_START, &p);
	CHECK(!attempt_may_isolate(a, &p));             /* alone once */
	CHECK(!attempt_is_flaky(a, "p::c1", ASSAY_TALLY_PASSED));
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(a, AEV_FAILED, &p));
	attempt_free(a);
	/* a test that ran with nothing beside it, or failed too often to
	 * hold, or in a stopping run, does not go alone; nor past the budget */
	b = attempt_new(t.v[0], NULL, 0, false, 1, 0);
	attempt_dispatch(b, AEV_START, &p);
	b->solo = true;
	CHECK_INT(ATTEMPT_DONE, attempt_next(b, AEV_FAILED, &p));
	b->solo = false;
	b->no_alone = true;
	CHECK_INT(ATTEMPT_DONE, attempt_next(b, AEV_FAILED, &p));
	b->no_alone = false;
	p.stopping = true;
	CHECK_INT(ATTEMPT_DONE, attempt_next(b, AEV_FAILED, &p));
	p.stopping = false;
	p.isolate_left = 0;
	CHECK_INT(ATTEMPT_DONE, attempt_next(b, AEV_FAILED, &p));
	p.isolate_left = 1;
	CHECK_INT(ATTEMPT_ALONE, attempt_dispatch(b, AEV_FAILED, &p));
	/* a run alone that never starts ends with the failures it had */
	CHECK_INT(ATTEMPT_DONE, attempt_dispatch(b, AEV_DROPPED, &p));
	attempt_free(b);
	table_release(&t);
}

int main(void)
{
	a_test_passes_through_its_iterations();
	a_retry_runs_only_the_failed_cases();
	the_program_failing_retries_every_case();
	stopping_and_dropping();
	a_failure_runs_alone_once();
	return check_done();
}
