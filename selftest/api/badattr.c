/* selftest/api/badattr.c - for selftest/e2e/api.sh: an attribute the
 * library does not know is refused before any test runs. */
#include <assay/test.h>

ASSAY_TEST_WITH(bad, attr, "threads fast=1")
{
	ASSERT_EQ(1, 1);
}

ASSAY_TEST(bad, fine)
{
	ASSERT_EQ(1, 1);
}

ASSAY_MAIN()
