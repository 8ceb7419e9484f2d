/*
 * selftest/gtest/nasty.cc - a GoogleTest binary that misbehaves as
 * NASTY (in its environment) asks, for selftest/e2e/gtest.sh:
 *   junk        prints lines before its list and before its run
 *   abort-list  aborts while listing its cases
 *   crash       Mid.Crash dies of SIGSEGV in the middle of its suite
 *   hang        Mid.Hang sleeps until it is killed
 *   exit0       returns 0 whatever its cases did (Mid.Fails fails)
 *   exit3       returns 3 although every case passed
 */
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

static bool nasty(const char *what)
{
	const char *n = getenv("NASTY");
	return n && !strcmp(n, what);
}

TEST(Mid, First) { SUCCEED(); }
TEST(Mid, Crash) { if (nasty("crash")) raise(SIGSEGV); }
TEST(Mid, Hang) { if (nasty("hang")) for (;;) pause(); }
TEST(Mid, Fails) { EXPECT_FALSE(nasty("exit0")) << "failed on purpose"; }
TEST(Mid, Last) { SUCCEED(); }
TEST(Other, One) { SUCCEED(); }

int main(int argc, char **argv)
{
	bool listing = false;
	int rc;

	for (int i = 1; i < argc; i++)
		listing |= !strcmp(argv[i], "--gtest_list_tests");
	if (nasty("junk")) {
		printf("Some.junk.\nlibfoo: warming up\n  not a case\n");
		fflush(stdout);
	}
	if (listing && nasty("abort-list"))
		abort();
	::testing::InitGoogleTest(&argc, argv);
	rc = RUN_ALL_TESTS();
	if (nasty("exit0"))
		return 0;
	if (nasty("exit3"))
		return 3;
	return rc;
}
