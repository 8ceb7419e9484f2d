/* selftest/unit/table_test.c - tests harness/table.c and nothing else. */
#include "config.h"

#include <stdio.h>

#include <stdio.h>
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

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
