/* selftest/api/installed.c - built by `make installcheck` against the
 * installed header and library, found with pkg-config (include/local.mk). */
#include <assay/test.h>

ASSAY_TEST(installed, works)
{
	ASSERT_EQ(1 + 1, 2);
	ASSERT_STREQ("found", "found");
}

ASSAY_MAIN()
