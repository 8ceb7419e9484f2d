/* selftest/unit/strindex_test.c - tests harness/strindex.c and nothing else. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/strindex.h"

struct item {
	char name[16];
};

static const char *name_of(const void *p)
{
	return ((const struct item *)p)->name;
}

/* Past many growths every item is found, a second of one key is
 * refused (the first kept), and a key never added is not found. */
ASSAY_TEST(strindex, adds_finds_refuses)
{
	static struct item v[5000], twin = { "k4999" };
	struct strindex x = { .key = name_of };
	int found = 1;

	EXPECT_NULL(strindex_find(&x, "k0"));
	for (int i = 0; i < 5000; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "k%d", i);
		EXPECT_NULL(strindex_add(&x, &v[i]));
	}
	for (int i = 0; i < 5000; i++)
		found &= strindex_find(&x, v[i].name) == &v[i];
	EXPECT_TRUE(found);
	EXPECT_EQ(x.n, 5000);
	EXPECT_GE(x.cap, 2 * x.n);
	EXPECT_PTR_EQ(strindex_add(&x, &twin), &v[4999]);
	EXPECT_PTR_EQ(strindex_find(&x, "k4999"), &v[4999]);
	EXPECT_EQ(x.n, 5000);
	EXPECT_NULL(strindex_find(&x, "k5000"));
	strindex_release(&x);
}

/* Clear forgets every item and keeps the array; the items may come
 * back. */
ASSAY_TEST(strindex, clear_keeps_room)
{
	struct item a = { "a" }, b = { "b" };
	struct strindex x = { .key = name_of };
	size_t cap;

	strindex_add(&x, &a);
	strindex_add(&x, &b);
	cap = x.cap;
	strindex_clear(&x);
	EXPECT_EQ(x.n, 0);
	EXPECT_EQ(x.cap, cap);
	EXPECT_NULL(strindex_find(&x, "a"));
	EXPECT_NULL(strindex_add(&x, &b));
	EXPECT_PTR_EQ(strindex_find(&x, "b"), &b);
	strindex_release(&x);
	EXPECT_NULL(strindex_find(&x, "b"));
}

ASSAY_MAIN()
