/*
 * selftest/api/worker.c - for selftest/e2e/api.sh: a program written
 * with include/assay/test.h that crashes, exits and hangs in its own
 * process, between tests that pass and two that fail. Under assay each
 * costs only its own test, whatever the batches.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <assay/test.h>

ASSAY_TEST(w, first)
{
	puts("first speaks");
	ASSERT_EQ(1, 1);
}

/* a child of a test's, forked without exec, that exits: its output is
 * the test's, and it takes nothing of the worker's (the output of the
 * test before, not yet read, nor frames); failed, to show its output */
ASSAY_TEST(w, forks)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		puts("child speaks");
		exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(status, 0);
	puts("forks speaks");
	ASSAY_ADD_FAILURE("failed to show its output");
}

/* (so that the program has a fork server when it crashes: not a
 * process its tests left) */
ASSAY_TEST_WITH(w, apart, "isolate")
{
	ASSERT_EQ(getpid() != getppid(), 1);
}

ASSAY_TEST(w, crashes)
{
	puts("about to crash");
	fflush(stdout);
	abort();
}

ASSAY_TEST(w, exits)
{
	puts("about to leave");
	fflush(stdout);
	exit(3);
}

ASSAY_TEST(w, second)
{
	ASSERT_EQ(2, 2);
}

ASSAY_TEST(w, hangs)
{
	sleep(600);
}

ASSAY_TEST(w, third)
{
	ASSERT_EQ(3, 3);
}

ASSAY_TEST(w, fails)
{
	EXPECT_EQ(4, 5);
}

ASSAY_TEST_WITH(w, too_slow, "timeout=0.2")
{
	sleep(600);
}

ASSAY_TEST(w, last)
{
	ASSAY_SKIP("nothing to do here");
}

ASSAY_MAIN()
