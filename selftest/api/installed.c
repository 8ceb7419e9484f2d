/* selftest/api/installed.c - built by `make installcheck` against the
 * installed header and library, found with pkg-config (include/local.mk):
 * by itself it prints TAP; under the installed assay, with INSTALLED_BAD
 * set, a crash and a hang cost exactly their own tests. */
#include <stdlib.h>
#include <unistd.h>

#include <assay/test.h>

ASSAY_TEST(installed, works)
{
	ASSERT_EQ(1 + 1, 2);
	ASSERT_STREQ("found", "found");
}

ASSAY_TEST(installed, crashes)
{
	if (!getenv("INSTALLED_BAD"))
		ASSAY_SKIP("INSTALLED_BAD is not set");
	abort();
}

ASSAY_TEST_WITH(installed, hangs, "timeout=1")
{
	if (!getenv("INSTALLED_BAD"))
		ASSAY_SKIP("INSTALLED_BAD is not set");
	for (;;)
		pause();
}

ASSAY_TEST(installed, after)
{
	EXPECT_TRUE(1);
}

ASSAY_MAIN()
