/*
 * selftest/api/garbage.c - for selftest/e2e/api.sh: a program that
 * lists like any written with include/assay/test.h, but whose worker
 * (--assay-worker, --assay-serve) breaks the protocol as GARBAGE says:
 * "noise" (bytes and frames that mean nothing, a test given back
 * unasked, a batch's end with words after it, then true
 * frames), "midframe" (it dies in the middle of an end frame),
 * "midheader" (in the middle of an end frame's header), "midstart" (in
 * the middle of the first start frame), "midexit" (it exits in the
 * middle of an end frame's header, every time it is started),
 * "wrongid" (an end frame for a test that did not start), "huge" (an
 * end frame claiming more than assay reads), "twice" (it runs g::one
 * twice, passing then failing, and never g::two), "linger" (a worker
 * that never exits at the end of its input). assay must judge every
 * test, exactly once, never trust it, and never wait for it for ever.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <assay/test.h>

#define RS "\x1e"      /* starts a frame */

ASSAY_TEST(g, one)
{
	ASSERT_EQ(1, 1);
}

ASSAY_TEST(g, two)
{
	ASSERT_EQ(2, 2);
}

static void frames(const char *mode)
{
	if (!strcmp(mode, "noise")) {
		fputs(RS "\n" RS "X what\n" RS "E\n" RS "E g::one pass x y z w\n" RS "S\n", stdout);
		fputs(RS "G\n" RS "G g::two\n" RS "D x\n", stdout);
		fwrite("\0\xff" RS RS "\n", 1, 5, stdout);
		fputs(RS "S g::one\n" RS "E g::one pass 3 0 0 0\n", stdout);
		fputs(RS "S g::two\nspeaks\n" RS "E g::two fail 3 4 3 0\nbadxy\n", stdout);
		exit(1);
	}
	if (!strcmp(mode, "midframe")) {
		fputs(RS "S g::one\n" RS "E g::one fail 3 100 0 0\nonly ten b", stdout);
		fflush(stdout);
		abort();
	}
	if (!strcmp(mode, "midheader")) {
		fputs(RS "S g::one\n" RS "E g::one fa", stdout);
		fflush(stdout);
		abort();
	}
	if (!strcmp(mode, "midstart")) {
		fputs(RS "S g::o", stdout);
		fflush(stdout);
		abort();
	}
	if (!strcmp(mode, "midexit")) {
		fputs(RS "S g::one\n" RS "E g::one pa", stdout);
		exit(0);
	}
	if (!strcmp(mode, "wrongid")) {
		fputs(RS "S g::one\n" RS "E g::two pass 3 0 0 0\n", stdout);
		exit(0);
	}
	if (!strcmp(mode, "twice")) {
		fputs(RS "S g::one\n" RS "E g::one pass 3 0 0 0\n", stdout);
		fputs(RS "S g::one\n" RS "E g::one fail 3 4 0 0\nbad!", stdout);
		exit(0);
	}
	if (!strcmp(mode, "huge")) {
		fputs(RS "S g::one\n" RS "E g::one fail 3 99999999999 0 0\nx\n", stdout);
		exit(1);
	}
}

/* "linger": a worker never ends once its batches are done. */
static void linger(void)
{
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *mode = getenv("GARBAGE");

	for (int i = 1; mode && !strcmp(mode, "linger") && i < argc; i++)
		if (!strcmp(argv[i], "--assay-serve"))
			atexit(linger);
	for (int i = 1; mode && i < argc; i++)
		if (!strcmp(argv[i], "--assay-worker") || !strcmp(argv[i], "--assay-serve"))
			frames(mode);
	return assay_main(argc, argv);
}
