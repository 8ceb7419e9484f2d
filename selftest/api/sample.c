/*
 * selftest/api/sample.c - a program written with include/assay/test.h,
 * for selftest/e2e/api.sh: every check passing and failing, fixtures,
 * skips, attributes, tests in a child, on threads, past their timeout.
 * Many of its tests fail on purpose (the e2e script chooses them with
 * --filter and reads what they say), so selftest's own run leaves it
 * out.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <assay/test.h>

ASSAY_TEST(pass, ints)
{
	ASSERT_EQ(2 + 2, 4);
	ASSERT_NE(1, 2);
	ASSERT_LT(1, 2);
	ASSERT_LE(2, 2);
	ASSERT_GT(3, 2);
	EXPECT_GE(3, 3);
	EXPECT_EQ(-1, -1);
}

ASSAY_TEST(pass, others)
{
	const char *s = "abc";
	unsigned char a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 3 };

	ASSERT_NEAR(0.1 + 0.2, 0.3, 1e-9);
	ASSERT_STREQ(s, "abc");
	ASSERT_STRNE(s, "abd");
	ASSERT_CONTAINS("a needle here", "needle");
	ASSERT_MEMEQ(a, b, sizeof(a));
	ASSERT_PTR_EQ(s, s);
	ASSERT_NOT_NULL(s);
	ASSERT_TRUE(1 < 2);
	ASSERT_FALSE(2 < 1);
}

ASSAY_TEST(fail, int_eq)
{
	int x = 4;

	ASSERT_EQ(x, 5);
	ASSAY_FAIL("a fatal check must stop the test");
}

ASSAY_TEST(fail, two_expects)
{
	EXPECT_LT(3, 2);
	EXPECT_GE(-1, 0);
	puts("the test went on after its EXPECTs");
}

ASSAY_TEST(fail, near)
{
	ASSERT_NEAR(0.1 + 0.2, 0.4, 1e-9);
}

ASSAY_TEST(fail, streq)
{
	ASSERT_STREQ("ab\"c\n", "abd");
}

ASSAY_TEST(fail, str_null)
{
	const char *p = NULL;

	ASSERT_STREQ(p, "x");
}

ASSAY_TEST(fail, contains)
{
	EXPECT_CONTAINS("haystack", "needle");
}

ASSAY_TEST(fail, memeq)
{
	unsigned char a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 1, 2, 3, 9, 5, 6 };

	ASSERT_MEMEQ(a, b, sizeof(a));
}

ASSAY_TEST(fail, null)
{
	int x = 0;

	ASSERT_NULL(&x);
}

ASSAY_TEST(fail, truth)
{
	ASSERT_TRUE(1 > 2);
}

/* a fatal check in a helper leaves the test too */
static void helper(int v)
{
	ASSERT_EQ(v, 0);
}

ASSAY_TEST(fail, in_helper)
{
	helper(7);
	ASSAY_FAIL("a fatal check in a helper must stop the test");
}

ASSAY_TEST(skip, reason)
{
	ASSAY_SKIP("no network here");
	ASSAY_FAIL("a skip must stop the test");
}

struct counter {
	int n;
};

static void counter_setup(void *p)
{
	((struct counter *)p)->n = 41;
}

static void counter_teardown(void *p)
{
	printf("teardown saw %d\n", ((struct counter *)p)->n);
}

ASSAY_FIXTURE(counter, struct counter, counter_setup, counter_teardown);

ASSAY_TEST_F(counter, starts_at_41)
{
	ASSERT_EQ(fixture->n, 41);
	fixture->n = 1;
}

ASSAY_TEST_F(counter, fails_then_tears_down)
{
	fixture->n = 2;
	ASSERT_EQ(fixture->n, 0);
}

/* a set-up that fails: the body does not run, the tear-down does */
static void broken_setup(void *p)
{
	(void)p;
	ASSERT_EQ(1, 2);
	puts("set-up went on after its failed ASSERT");
}

static void broken_teardown(void *p)
{
	(void)p;
	puts("broken's teardown ran");
}

ASSAY_FIXTURE(broken, struct counter, broken_setup, broken_teardown);

ASSAY_TEST_F(broken, body_skipped)
{
	(void)fixture;
	puts("the body ran after a failed set-up");
}

/* in a child of its own: a crash, a hang and a pass cost only
 * themselves */
ASSAY_TEST_WITH(apart, crashes, "isolate")
{
	abort();        /* (a sanitizer's build turns SIGSEGV into an exit) */
}

ASSAY_TEST_WITH(apart, hangs, "isolate timeout=0.3")
{
	for (;;)
		pause();
}

ASSAY_TEST_WITH(apart, passes, "isolate tags=quick")
{
	ASSERT_EQ(getpid() != getppid(), 1);
}

ASSAY_TEST_WITH(apart, fails, "isolate")
{
	EXPECT_STREQ("in", "child");
}

/* on threads: each waits until another runs beside it (2 s at most) */
static int in_flight, met;

static void meet(void)
{
	struct timespec ts = { 0, 10000000 };

	__atomic_add_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 200 && __atomic_load_n(&in_flight, __ATOMIC_SEQ_CST) < 2 &&
	     !__atomic_load_n(&met, __ATOMIC_SEQ_CST); i++)
		nanosleep(&ts, NULL);
	if (__atomic_load_n(&in_flight, __ATOMIC_SEQ_CST) >= 2)
		__atomic_store_n(&met, 1, __ATOMIC_SEQ_CST);
	ASSERT_TRUE(__atomic_load_n(&met, __ATOMIC_SEQ_CST));
}

ASSAY_TEST_WITH(together, one, "threads")
{
	meet();
}

ASSAY_TEST_WITH(together, two, "threads")
{
	meet();
}

/* an isolate test starts from the program as it started (the fork
 * server's copy), not from what the tests before it left */
static int touched;

ASSAY_TEST(fresh, touches)
{
	touched = 1;
}

ASSAY_TEST_WITH(fresh, apart_sees_the_start, "isolate")
{
	ASSERT_EQ(touched, 0);
}

/* the fork server killed mid-test (the first time, with SAMPLE_MARK
 * naming a file that is not there yet): the test runs again, forked
 * by the program itself, as do the isolate tests after it */
ASSAY_TEST_WITH(server, dies, "isolate")
{
	const char *mark = getenv("SAMPLE_MARK");
	FILE *f;

	if (mark && access(mark, F_OK) != 0 && (f = fopen(mark, "w"))) {
		fclose(f);
		kill(getppid(), SIGKILL);
		pause();        /* (the server's end ends this child too) */
	}
}

ASSAY_TEST_WITH(server, after, "isolate")
{
	ASSERT_EQ(getpid() != getppid(), 1);
}

/* with SAMPLE_WAIT set, waits for ever in its child (api.sh kills the
 * program meanwhile) */
ASSAY_TEST_WITH(orphan, waits, "isolate")
{
	if (getenv("SAMPLE_WAIT"))
		for (;;)
			pause();
}

/* past its timeout, in this process: the run bails out */
ASSAY_TEST_WITH(slow, sleeps, "timeout=0.2")
{
	sleep(10);
}

/* fails on its first run, passes on the next: SAMPLE_FLAKY names the
 * file that counts its runs */
ASSAY_TEST(flaky, once)
{
	const char *path = getenv("SAMPLE_FLAKY");
	FILE *f;
	int n = 0;

	if (!path)
		ASSAY_SKIP("SAMPLE_FLAKY is not set");
	if ((f = fopen(path, "r"))) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	ASSERT_NOT_NULL(f = fopen(path, "w"));
	fprintf(f, "%d\n", ++n);
	fclose(f);
	printf("run %d\n", n);
	ASSERT_GE(n, 2);
}

ASSAY_MAIN()
