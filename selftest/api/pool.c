/*
 * selftest/api/pool.c - for selftest/e2e/api.sh: tests that say which
 * process ran them (each appends "ID PID" to $POOL_DIR/pids), so the
 * run can count its workers (20 ms each with $POOL_SLOW, so that a
 * batch of them outlasts a worker's start); and two tests marked `threads` that pass
 * only when they run at the same time (each waits up to 2 s for the
 * other; skipped without $POOL_PAIR), so the run can tell a worker's
 * threads are real.
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <assay/test.h>

static void note(const char *id)
{
	const char *dir = getenv("POOL_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/pids", dir);
	ASSERT_NOT_NULL(f = fopen(path, "a"));
	fprintf(f, "%s %d\n", id, (int)getpid());
	fclose(f);
	if (getenv("POOL_SLOW")) {
		struct timespec ms20 = { 0, 20000000 };

		nanosleep(&ms20, NULL);
	}
}

#define SAYS(n) ASSAY_TEST(p, n) { note(#n); }
SAYS(t00) SAYS(t01) SAYS(t02) SAYS(t03) SAYS(t04) SAYS(t05) SAYS(t06)
SAYS(t07) SAYS(t08) SAYS(t09) SAYS(t10) SAYS(t11) SAYS(t12) SAYS(t13)
SAYS(t14) SAYS(t15) SAYS(t16) SAYS(t17) SAYS(t18) SAYS(t19)

/* Counts this test into *n (skipped unless $env is set), then waits
 * up to ms milliseconds for the other test of its pair to count in;
 * whether it did. */
static int pair_up(const char *env, int *n, int ms)
{
	char why[64];

	snprintf(why, sizeof(why), "%s is not set", env);
	if (!getenv(env))
		ASSAY_SKIP(why);
	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < ms; i++) {
		struct timespec one = { 0, 1000000 };

		if (__atomic_load_n(n, __ATOMIC_SEQ_CST) >= 2)
			return 1;
		nanosleep(&one, NULL);
	}
	return 0;
}

static int met;

/* Passes once the other test of the pair has begun too (skipped
 * unless $POOL_PAIR is set: alone, the first would fail). */
static void meet(void)
{
	if (!pair_up("POOL_PAIR", &met, 2000))
		ASSAY_FAIL("the other test of the pair never ran beside it");
}

/* With $POOL_LEAVE: a process left running, in its worker's group
 * (the test ends once it is sleep: the close-on-exec pipe's end). */
ASSAY_TEST(left, behind)
{
	int fds[2];
	char c;

	if (!getenv("POOL_LEAVE"))
		return;
	ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
	if (fork() == 0) {
		close(fds[0]);
		execlp("sleep", "sleep", "300", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	EXPECT_EQ(read(fds[0], &c, 1), 0);
	close(fds[0]);
}

/* With $POOL_BOOM: boom::a waits (2 s at most) for boom::b to run beside
 * it, then crashes; boom::b passes after 0.2 s. Which of the two took
 * the worker down cannot be told: both run again, alone. */
static int booms;

ASSAY_TEST_WITH(boom, a, "threads")
{
	(void)pair_up("POOL_BOOM", &booms, 2000);
	abort();
}

ASSAY_TEST_WITH(boom, b, "threads")
{
	struct timespec ms200 = { 0, 200000000 };

	if (!getenv("POOL_BOOM"))
		ASSAY_SKIP("POOL_BOOM is not set");
	__atomic_add_fetch(&booms, 1, __ATOMIC_SEQ_CST);
	nanosleep(&ms200, NULL);
}

/* With $POOL_BOOM2: both crash once the other runs too (0.3 s at most
 * to wait): two crashes at once on a worker's threads. */
static int booms2;

static void boom2(void)
{
	(void)pair_up("POOL_BOOM2", &booms2, 300);
	abort();
}

ASSAY_TEST_WITH(boom2, x, "threads") { boom2(); }
ASSAY_TEST_WITH(boom2, y, "threads") { boom2(); }

/* With $POOL_HANG: hang::a (timeout 0.5 s, scaled up in a sanitizer's
 * build) waits (1 s at most) for hang::b to run beside it, then hangs;
 * hang::b, beside it, runs 10 s (past a's deadline, so it is still
 * running there; its own is assay's default), and alone passes at
 * once. a's deadline is the task's though b began later. */
static int hangs;

ASSAY_TEST_WITH(hang, a, "threads timeout=0.5")
{
	(void)pair_up("POOL_HANG", &hangs, 1000);
	for (;;)
		pause();
}

ASSAY_TEST_WITH(hang, b, "threads")
{
	struct timespec ten = { 10, 0 };

	if (pair_up("POOL_HANG", &hangs, 1000))
		nanosleep(&ten, NULL);
}

ASSAY_TEST_WITH(pair, x, "threads") { meet(); }
ASSAY_TEST_WITH(pair, y, "threads") { meet(); }

ASSAY_MAIN()
