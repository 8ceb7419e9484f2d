/* selftest/unit/select_test.c - tests harness/select.c: what a run keeps. */
#include "config.h"

#include <stdlib.h>

#include "check.h"
#include "harness/select.h"
#include "harness/table.h"

static const struct assay_kind kind = { .name = "k" };

static void fill(struct test_table *t, int n)
{
	char id[16];

	table_init(t);
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "t%02d", i);
		table_add(t, ".", id, id, &kind, NULL);
	}
}

static void shards_cover_the_suite_once(void)
{
	struct test_table t;
	struct selection sel;
	struct err e = ERR_INIT;
	size_t kept = 0;
	int seen[30] = { 0 }, twice = 0, never = 0;

	for (unsigned k = 1; k <= 3; k++) {
		struct select_opts o = { .shard = { .k = k, .n = 3, .source = "--shard" } };
		fill(&t, 30);
		CHECK_INT(0, select_tests(&t, &o, &sel, &e));
		CHECK_INT(30, sel.found);
		CHECK_INT(3, sel.shard.n);
		CHECK(t.n > 0 && t.n < 30);
		kept += t.n;
		for (size_t i = 0; i < t.n; i++)
			seen[atoi(t.v[i]->pub.id + 1)]++;
		CHECK(table_find(&t, t.v[0]->pub.id) == t.v[0]);   /* ids kept */
		table_release(&t);
	}
	CHECK_INT(30, kept);
	for (int i = 0; i < 30; i++) {
		twice += seen[i] > 1;
		never += !seen[i];
	}
	CHECK_INT(0, twice);
	CHECK_INT(0, never);
}

static void no_shard_keeps_all_and_nothing_found_is_no_shard(void)
{
	struct test_table t;
	struct selection sel;
	struct err e = ERR_INIT;
	struct select_opts none = { .shard = { .n = 0 } };
	struct select_opts some = { .shard = { .k = 2, .n = 4, .source = "--shard" } };

	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	unsetenv("BUILDKITE_PARALLEL_JOB");
	unsetenv("CIRCLE_NODE_INDEX");
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("SLURM_ARRAY_TASK_ID");
	fill(&t, 5);
	CHECK_INT(0, select_tests(&t, &none, &sel, &e));
	CHECK_INT(5, t.n);
	CHECK_INT(0, sel.shard.n);
	table_release(&t);
	fill(&t, 0);
	CHECK_INT(0, select_tests(&t, &some, &sel, &e));
	CHECK_INT(0, sel.shard.n);      /* the caller says "no tests found" */
	table_release(&t);
	setenv("CI_NODE_INDEX", "9", 1);        /* GitLab: 1-based, past total */
	setenv("CI_NODE_TOTAL", "2", 1);
	fill(&t, 5);
	CHECK(select_tests(&t, &none, &sel, &e) < 0);
	CHECK(e.msg[0] != 0);
	table_release(&t);
}

int main(void)
{
	shards_cover_the_suite_once();
	no_shard_keeps_all_and_nothing_found_is_no_shard();
	return check_done();
}
