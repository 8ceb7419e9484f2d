/* selftest/unit/table_test.c - tests harness/table.c and nothing else. */
#include "config.h"

#include <stdio.h>

#include "check.h"
#include "harness/table.h"

static void ids_stay_unique(void)
{
	struct test_table t;
	struct test *a, *b, *c;

	table_init(&t);
	a = table_add(&t, "one", "unit/x", "one/unit/x", NULL, NULL);
	b = table_add(&t, "two", "unit/x", "two/unit/x", NULL, "broken");
	c = table_add(&t, "two", "unit/y", "two/unit/y", NULL, NULL);
	CHECK_STR("unit/x", a->pub.id);
	CHECK_STR("two/unit/x", b->pub.id);     /* the root keeps it apart */
	CHECK_STR("unit/x", b->pub.suite);
	CHECK_STR("broken", b->problem);
	CHECK(a->problem == NULL);
	CHECK(table_find(&t, "unit/x") == a);
	CHECK(table_find(&t, "two/unit/x") == b);
	CHECK(table_find(&t, "unit/y") == c);
	CHECK(table_find(&t, "unit/z") == NULL);
	CHECK_INT(2, c->index);
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
	CHECK(found);
	CHECK_INT(20000, t.n);
	table_release(&t);
}

int main(void)
{
	ids_stay_unique();
	many_ids();
	return check_done();
}
