/* selftest/unit/attempt_test.c - tests harness/attempt.c: the state
 * table of a test's runs and the retry policy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
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
	cases[0].traits = calloc(4, sizeof(*cases[0].traits));
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
	EXPECT_EQ(a->state, ATTEMPT_QUEUED);
	EXPECT_EQ(attempt_dispatch(a, AEV_PASSED, &p), ATTEMPT_QUEUED); /* empty cell */
	EXPECT_EQ(attempt_dispatch(a, AEV_START, &p), ATTEMPT_RUNNING);
	EXPECT_TRUE(!attempt_holds(a));                       /* no retries */
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_QUEUED);
	EXPECT_EQ(a->iteration, 2);
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_EQ(attempt_dispatch(a, AEV_PASSED, &p), ATTEMPT_QUEUED);
	EXPECT_EQ(a->iteration, 3);
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_EQ(attempt_next(a, AEV_PASSED, &p), ATTEMPT_DONE);
	EXPECT_EQ(a->state, ATTEMPT_RUNNING);           /* next does not move */
	EXPECT_EQ(attempt_dispatch(a, AEV_PASSED, &p), ATTEMPT_DONE);
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
	EXPECT_TRUE(attempt_holds(a));
	fail_one(a, "p::c2");
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_RETRYING);
	EXPECT_EQ(a->attempt, 2);
	EXPECT_EQ(a->ncases, 1);
	EXPECT_STREQ(a->cases[0]->pub.id, "p::c2");
	EXPECT_EQ(attempt_case_pos(a, t.v[0]), -1);
	EXPECT_EQ(attempt_case_pos(a, t.v[2]), 0);
	/* the case passes now: flaky; another never failed: not */
	EXPECT_TRUE(attempt_is_flaky(a, "p::c2", ASSAY_TALLY_PASSED));
	EXPECT_TRUE(!attempt_is_flaky(a, "p::c1", ASSAY_TALLY_PASSED));
	EXPECT_TRUE(!attempt_is_flaky(a, "p::c2", ASSAY_TALLY_FAILED));
	attempt_dispatch(a, AEV_START, &p);
	/* it passes: the next iteration starts with the whole batch */
	EXPECT_EQ(attempt_dispatch(a, AEV_PASSED, &p), ATTEMPT_QUEUED);
	EXPECT_EQ(a->iteration, 2);
	EXPECT_EQ(a->attempt, 1);
	EXPECT_EQ(a->ncases, 4);
	EXPECT_TRUE(!attempt_is_flaky(a, "p::c2", ASSAY_TALLY_PASSED));
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
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_RETRYING);
	EXPECT_EQ(a->ncases, 4);
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_TRUE(!attempt_holds(a));                       /* retries spent */
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_DONE);
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
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_DONE);
	attempt_free(a);
	p.stopping = false;
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	EXPECT_EQ(attempt_dispatch(a, AEV_DROPPED, &p), ATTEMPT_NOT_RUN);
	attempt_free(a);
	a = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_EQ(attempt_dispatch(a, AEV_CANCELLED, &p), ATTEMPT_CANCELLED);
	attempt_free(a);
	/* a retry that never starts is done, its failures kept */
	b = attempt_new(t.v[0]->program, t.v, 4, true, 1, 3);
	attempt_dispatch(b, AEV_START, &p);
	fail_one(b, "p::c1");
	attempt_dispatch(b, AEV_FAILED, &p);
	EXPECT_EQ(attempt_dispatch(b, AEV_DROPPED, &p), ATTEMPT_DONE);
	EXPECT_EQ(b->last.n, 1);
	/* the rest of a crashed batch: same attempt, no iterations of its own */
	rest = attempt_rest(b, t.v + 2, 2);
	EXPECT_EQ(rest->ncases, 2);
	EXPECT_EQ(rest->attempt, b->attempt);
	EXPECT_TRUE(rest->test == t.v[0]->program);
	EXPECT_TRUE(attempt_is_flaky(rest, "p::c1", ASSAY_TALLY_PASSED));
	p.iterations = 5;
	attempt_dispatch(rest, AEV_START, &p);
	EXPECT_EQ(attempt_dispatch(rest, AEV_PASSED, &p), ATTEMPT_DONE);
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
	EXPECT_TRUE(attempt_holds(a));                        /* a retry first */
	EXPECT_TRUE(!attempt_may_isolate(a, &p));
	fail_one(a, "p::c1");
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_RETRYING);
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_TRUE(attempt_may_isolate(a, &p));
	fail_one(a, "p::c1");
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_ALONE);
	EXPECT_TRUE(a->alone);
	EXPECT_EQ(a->attempt, 3);
	EXPECT_EQ(a->ncases, 1);
	EXPECT_TRUE(attempt_failed_before(a, "p::c1") && !attempt_failed_before(a, "p::c0"));
	attempt_dispatch(a, AEV_START, &p);
	EXPECT_TRUE(!attempt_may_isolate(a, &p));             /* alone once */
	EXPECT_TRUE(!attempt_is_flaky(a, "p::c1", ASSAY_TALLY_PASSED));
	EXPECT_EQ(attempt_dispatch(a, AEV_FAILED, &p), ATTEMPT_DONE);
	attempt_free(a);
	/* a test that ran with nothing beside it, or failed too often to
	 * hold, or in a stopping run, does not go alone; nor past the budget */
	b = attempt_new(t.v[0], NULL, 0, false, 1, 0);
	attempt_dispatch(b, AEV_START, &p);
	b->solo = true;
	EXPECT_EQ(attempt_next(b, AEV_FAILED, &p), ATTEMPT_DONE);
	b->solo = false;
	b->no_alone = true;
	EXPECT_EQ(attempt_next(b, AEV_FAILED, &p), ATTEMPT_DONE);
	b->no_alone = false;
	p.stopping = true;
	EXPECT_EQ(attempt_next(b, AEV_FAILED, &p), ATTEMPT_DONE);
	p.stopping = false;
	p.isolate_left = 0;
	EXPECT_EQ(attempt_next(b, AEV_FAILED, &p), ATTEMPT_DONE);
	p.isolate_left = 1;
	EXPECT_EQ(attempt_dispatch(b, AEV_FAILED, &p), ATTEMPT_ALONE);
	/* a run alone that never starts ends with the failures it had */
	EXPECT_EQ(attempt_dispatch(b, AEV_DROPPED, &p), ATTEMPT_DONE);
	attempt_free(b);
	table_release(&t);
}

ASSAY_TEST(attempt, a_test_passes_through_its_iterations)
{
	a_test_passes_through_its_iterations();
}

ASSAY_TEST(attempt, a_retry_runs_only_the_failed_cases)
{
	a_retry_runs_only_the_failed_cases();
}

ASSAY_TEST(attempt, the_program_failing_retries_every_case)
{
	the_program_failing_retries_every_case();
}

ASSAY_TEST(attempt, stopping_and_dropping)
{
	stopping_and_dropping();
}

ASSAY_TEST(attempt, a_failure_runs_alone_once)
{
	a_failure_runs_alone_once();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
