/* selftest/unit/select_test.c - tests harness/select.c: what a run keeps. */
#include "config.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
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
		EXPECT_EQ(select_tests(&t, &o, &sel, &e), 0);
		EXPECT_EQ(sel.found, 30);
		EXPECT_EQ(sel.shard.n, 3);
		EXPECT_TRUE(t.n > 0 && t.n < 30);
		kept += t.n;
		for (size_t i = 0; i < t.n; i++)
			seen[atoi(t.v[i]->pub.id + 1)]++;
		EXPECT_TRUE(table_find(&t, t.v[0]->pub.id) == t.v[0]);   /* ids kept */
		table_release(&t);
	}
	EXPECT_EQ(kept, 30);
	for (int i = 0; i < 30; i++) {
		twice += seen[i] > 1;
		never += !seen[i];
	}
	EXPECT_EQ(twice, 0);
	EXPECT_EQ(never, 0);
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
	EXPECT_EQ(select_tests(&t, &none, &sel, &e), 0);
	EXPECT_EQ(t.n, 5);
	EXPECT_EQ(sel.shard.n, 0);
	table_release(&t);
	fill(&t, 0);
	EXPECT_EQ(select_tests(&t, &some, &sel, &e), 0);
	EXPECT_EQ(sel.shard.n, 0);      /* the caller says "no tests found" */
	table_release(&t);
	setenv("CI_NODE_INDEX", "9", 1);        /* GitLab: 1-based, past total */
	setenv("CI_NODE_TOTAL", "2", 1);
	fill(&t, 5);
	EXPECT_TRUE(select_tests(&t, &none, &sel, &e) < 0);
	EXPECT_TRUE(e.msg[0] != 0);
	table_release(&t);
}

ASSAY_TEST(select, shards_cover_the_suite_once)
{
	shards_cover_the_suite_once();
}

ASSAY_TEST(select, no_shard_keeps_all_and_nothing_found_is_no_shard)
{
	no_shard_keeps_all_and_nothing_found_is_no_shard();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
