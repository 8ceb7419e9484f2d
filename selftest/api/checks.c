/*
 * selftest/api/checks.c - for selftest/e2e/api.sh: every check of
 * include/assay/test.h made to fail once, with values that print the
 * same on every machine; api.sh compares the program's whole output
 * with checks.expected. Built as C11 (checks) and as C++ (checks-cxx,
 * from checks-cxx.cc, which includes this file), so both languages get
 * the same messages. checks is linked with --gc-sections, as a release
 * build may be: assay must still know it by its marker.
 */
#include <stdint.h>
#include <stdio.h>

#include <assay/test.h>

static const unsigned char bytes_a[6] = { 1, 2, 3, 4, 5, 6 };
static const unsigned char bytes_b[6] = { 1, 2, 3, 9, 5, 6 };
static int calls;

static int next(void)
{
	return ++calls;
}

/* every comparison, fatal and not: EXPECT_ goes on, ASSERT_ does not */
ASSAY_TEST(ints, expects)
{
	int x = 4;

	EXPECT_EQ(x, 5);
	EXPECT_NE(x, 4);
	EXPECT_LT(x, 4);
	EXPECT_LE(x, 3);
	EXPECT_GT(x, 4);
	EXPECT_GE(x, 5);
	puts("the test went on after its EXPECTs");
}

ASSAY_TEST(ints, assert_eq) { ASSERT_EQ(2 + 2, 5); puts("not reached"); }
ASSAY_TEST(ints, assert_ne) { ASSERT_NE(-3, -3); puts("not reached"); }
ASSAY_TEST(ints, assert_lt) { ASSERT_LT(7L, -7L); puts("not reached"); }
ASSAY_TEST(ints, assert_le) { ASSERT_LE(INT64_MAX, INT64_MIN); puts("not reached"); }
ASSAY_TEST(ints, assert_gt) { ASSERT_GT(0, 0); puts("not reached"); }
ASSAY_TEST(ints, assert_ge) { ASSERT_GE(-2, 2); puts("not reached"); }

/* an unsigned value is the number it is, never a negative one */
ASSAY_TEST(ints, unsigned_values)
{
	uint64_t big = UINT64_MAX;
	size_t all = (size_t)-1;

	EXPECT_GT(big, 0);
	EXPECT_LT(-1, 1u);
	EXPECT_NE(all, -1);
	EXPECT_EQ(all, -1);
	EXPECT_LT(big, -1);
}

/* each expression is evaluated once, passing or failing */
ASSAY_TEST(ints, evaluated_once)
{
	EXPECT_EQ(next(), 1);
	EXPECT_EQ(next(), 7);
	EXPECT_EQ(calls, 2);
}

ASSAY_TEST(floats, near)
{
	EXPECT_NEAR(0.1 + 0.2, 0.4, 1e-9);
	ASSERT_NEAR(1.0, 1.5, 0.25);
	puts("not reached");
}

ASSAY_TEST(strings, equal)
{
	const char *none = NULL;

	EXPECT_STREQ("ab\"c\n", "abd");
	EXPECT_STREQ(none, "x");
	ASSERT_STREQ("tab\there", "tab here");
	puts("not reached");
}

ASSAY_TEST(strings, not_equal)
{
	const char *none = NULL;

	EXPECT_STRNE(none, none);
	ASSERT_STRNE("same", "same");
	puts("not reached");
}

ASSAY_TEST(strings, contains)
{
	const char *none = NULL;

	EXPECT_CONTAINS("haystack", "needle");
	ASSERT_CONTAINS(none, "x");
	puts("not reached");
}

ASSAY_TEST(memory, differs)
{
	const void *none = NULL;

	EXPECT_MEMEQ(bytes_a, bytes_b, sizeof(bytes_a));
	ASSERT_MEMEQ(bytes_a, none, 6);
	puts("not reached");
}

ASSAY_TEST(pointers, compare)
{
	const void *p = (const void *)0x10, *q = (const void *)0x20;

	EXPECT_PTR_EQ(p, q);
	EXPECT_PTR_NE(p, p);
	ASSERT_PTR_EQ(p, NULL);
	puts("not reached");
}

ASSAY_TEST(pointers, assert_ne) { ASSERT_PTR_NE(NULL, NULL); puts("not reached"); }

ASSAY_TEST(pointers, null)
{
	const void *p = (const void *)0x10, *none = NULL;

	EXPECT_NULL(p);
	EXPECT_NOT_NULL(none);
	ASSERT_NULL(p);
	puts("not reached");
}

ASSAY_TEST(pointers, assert_not_null)
{
	const void *none = NULL;

	ASSERT_NOT_NULL(none);
	puts("not reached");
}

ASSAY_TEST(truth, conditions)
{
	EXPECT_TRUE(1 > 2);
	EXPECT_FALSE(2 > 1);
	ASSERT_FALSE(3);
	puts("not reached");
}

ASSAY_TEST(truth, assert_true) { ASSERT_TRUE(0 != 0); puts("not reached"); }

ASSAY_TEST(by_hand, fail)
{
	ASSAY_ADD_FAILURE("the first, and the test goes on");
	ASSAY_FAIL("the second, and it stops");
	puts("not reached");
}

ASSAY_MAIN()
