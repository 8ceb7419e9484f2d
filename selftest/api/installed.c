/* selftest/api/installed.c - built by `make installcheck` against the
 * installed header and library, found with pkg-config (include/local.mk):
 * by itself it prints TAP; under the installed assay, with INSTALLED_BAD
 * set, a crash and a hang cost exactly their own tests, beside tests run
 * on a worker's threads and one in a child of its own (ci/test builds it
 * all with the thread sanitizer too). */
#include <pthread.h>
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

/* shared by the tests on the threads, as a lock allows */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long shared;

static void add_many(void)
{
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&lock);
		shared++;
		pthread_mutex_unlock(&lock);
	}
}

ASSAY_TEST_WITH(installed, threads_a, "threads") { add_many(); }
ASSAY_TEST_WITH(installed, threads_b, "threads") { add_many(); }

ASSAY_TEST_WITH(installed, apart, "isolate")
{
	shared = -1;    /* its own copy: the program's is untouched */
	EXPECT_EQ(shared, -1);
}

ASSAY_MAIN()
