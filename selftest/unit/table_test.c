/* selftest/unit/table_test.c - tests harness/table.c and nothing else. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/test.h"
#include "harness/table.h"

static void ids_stay_unique(void)
{
	struct test_table t;
	struct test *a, *b, *c;

	table_init(&t);
	a = table_add(&t, "one", "unit/x", "one/unit/x", NULL, NULL);
	b = table_add(&t, "two", "unit/x", "two/unit/x", NULL, "broken");
	c = table_add(&t, "two", "unit/y", "two/unit/y", NULL, NULL);
	EXPECT_STREQ(a->pub.id, "unit/x");
	EXPECT_STREQ(b->pub.id, "two/unit/x");     /* the root keeps it apart */
	EXPECT_STREQ(b->pub.suite, "unit/x");
	EXPECT_STREQ(b->problem, "broken");
	EXPECT_TRUE(a->problem == NULL);
	EXPECT_TRUE(table_find(&t, "unit/x") == a);
	EXPECT_TRUE(table_find(&t, "two/unit/x") == b);
	EXPECT_TRUE(table_find(&t, "unit/y") == c);
	EXPECT_TRUE(table_find(&t, "unit/z") == NULL);
	EXPECT_EQ(c->index, 2);
	table_release(&t);
}

static void many_ids(void)
{
	struct test_table t;
	char id[32];
	int found = 1;

	table_init(&t);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "t%d", i);
		table_add(&t, ".", id, id, NULL, NULL);
	}
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "t%d", i);
		found &= table_find(&t, id) == t.v[i];
	}
	EXPECT_TRUE(found);
	EXPECT_EQ(t.n, 20000);
	table_release(&t);
}

ASSAY_TEST(table, ids_stay_unique)
{
	ids_stay_unique();
}

ASSAY_TEST(table, many_ids)
{
	many_ids();
}

/* --each-gpu's copies: a one-GPU test once per device, pinned and named
 * for it; a listed case under its program's copy for that device; a
 * test that needs none, or two, left as it was. */
ASSAY_TEST(table, each_gpu)
{
	struct test_table t;
	struct table_cases cases[3] = { { 0 } };
	struct case_traits tr[2] = { { .gpus = 1 }, { .gpus = 1 } };
	struct test *x;

	table_init(&t);
	table_add(&t, ".", "k.ptx", "./k.ptx", NULL, NULL);
	table_add(&t, ".", "plain", "./plain", NULL, NULL);
	table_add(&t, ".", "wide", "./wide", NULL, NULL);
	cases[0].names = calloc(2, sizeof(char *));
	cases[0].skips = calloc(2, sizeof(char *));
	cases[0].traits = malloc(sizeof(tr));
	memcpy(cases[0].traits, tr, sizeof(tr));
	cases[0].names[0] = strdup("a");
	cases[0].names[1] = strdup("b");
	cases[0].n = 2;
	table_expand(&t, cases);
	for (size_t i = 0; i < t.n; i++)
		t.v[i]->need.gpus = t.v[i]->traits.gpus;
	t.v[3]->need.gpus = 2;                          /* wide */
	EXPECT_EQ(table_each_gpu(&t, 2, (const char *[]){ "0", "1" }), 2);
	ASSERT_EQ(t.n, 6);
	EXPECT_STREQ(t.v[0]->pub.id, "k.ptx@gpu0::a");
	EXPECT_STREQ(t.v[1]->pub.id, "k.ptx@gpu1::a");
	EXPECT_STREQ(t.v[2]->pub.id, "k.ptx@gpu0::b");
	EXPECT_STREQ(t.v[3]->pub.id, "k.ptx@gpu1::b");
	EXPECT_STREQ(t.v[4]->pub.id, "plain");
	EXPECT_STREQ(t.v[5]->pub.id, "wide");
	EXPECT_EQ(t.v[0]->need.gpu_only, 1);
	EXPECT_EQ(t.v[3]->need.gpu_only, 2);
	EXPECT_EQ(t.v[5]->need.gpu_only, 0);
	EXPECT_STREQ(t.v[1]->pub.case_name, "a");
	EXPECT_TRUE(t.v[0]->program == t.v[2]->program);   /* one copy a device */
	EXPECT_TRUE(t.v[0]->program != t.v[1]->program);
	EXPECT_STREQ(t.v[1]->program->pub.id, "k.ptx@gpu1");
	EXPECT_EQ(t.v[1]->program->need.gpu_only, 2);
	x = table_find(&t, "k.ptx@gpu1::b");
	EXPECT_TRUE(x == t.v[3]);
	EXPECT_EQ(x->index, 3);
	EXPECT_TRUE(table_find(&t, "k.ptx::a") == NULL);
	table_release(&t);
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
