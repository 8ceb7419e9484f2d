/*
 * selftest/unit/tapgen_test.c - tests include/assay/tap.h, the TAP
 * producer for test programs, and nothing else.
 *
 * Each scenario runs in a forked child whose stdout is a pipe; the test
 * compares what came out, byte for byte, and the exit status with what
 * the scenario must give. The test's own process never calls the
 * producer, so every child starts from fresh state.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "assay/tap.h"
#include "assay/test.h"

#define OUT_MAX (256 * 1024)
#define NTHREADS 4
#define NPOINTS 250

static char out[OUT_MAX];       /* the last child's stdout */
static size_t out_len;

/* Child scenarios: each writes TAP to stdout and returns its status. */

static int scn_basic(void)
{
	int a, b, c;

	tap_plan(6);
	a = tap_ok(5, "first");
	b = tap_ok(0, "hash # and backslash \\ here");
	tap_ok(1, "multi\nline");
	tap_diag("one\ntwo\n\nthree\n");
	tap_skip(2, "no #network");
	tap_todo_start("not %s", "#yet");
	c = tap_ok(0, "todo fails");
	tap_todo_end();
	tap_diag("returned %d %d %d", a, b, c);
	return tap_done_testing();
}

static const char want_basic[] =
	"TAP version 14\n"
	"1..6\n"
	"ok 1 - first\n"
	"not ok 2 - hash \\# and backslash \\\\ here\n"
	"ok 3 - multi line\n"
	"# one\n"
	"# two\n"
	"#\n"
	"# three\n"
	"ok 4 # SKIP no \\#network\n"
	"ok 5 # SKIP no \\#network\n"
	"not ok 6 - todo fails # TODO not \\#yet\n"
	"# returned 1 0 0\n";

static int scn_todo(void)
{
	tap_todo_start("slow %s", "disk");
	tap_ok(1, "passes anyway");
	tap_ok(0, "fails");
	tap_todo_end();
	tap_ok(1, "after");
	tap_diag("status %d", tap_exit_status());
	return tap_done_testing();
}

static const char want_todo[] =
	"TAP version 14\n"
	"ok 1 - passes anyway # TODO slow disk\n"
	"not ok 2 - fails # TODO slow disk\n"
	"ok 3 - after\n"
	"# status 0\n"
	"1..3\n";

static int scn_trailing(void)
{
	int first, second;

	tap_ok(1, "a");
	tap_ok(1, "%s", "");
	tap_skip(0, "none");
	tap_ok(1, "c");
	first = tap_done_testing();
	second = tap_done_testing();
	tap_diag("done %d %d", first, second);
	return first;
}

static const char want_trailing[] =
	"TAP version 14\n"
	"ok 1 - a\n"
	"ok 2\n"
	"ok 3 - c\n"
	"1..3\n"
	"# done 0 0\n";

static int scn_empty(void)
{
	return tap_done_testing();
}

static const char want_empty[] = "TAP version 14\n1..0\n";

static int scn_mismatch(void)
{
	tap_plan(3);
	tap_ok(1, "a");
	tap_ok(1, "b");
	return tap_done_testing();
}

static const char want_mismatch[] =
	"TAP version 14\n"
	"1..3\n"
	"ok 1 - a\n"
	"ok 2 - b\n"
	"# planned 3 points, ran 2\n";

static int scn_skip_all(void)
{
	return tap_skip_all("no #gpu on %s", "host");
}

static const char want_skip_all[] =
	"TAP version 14\n"
	"1..0 # SKIP no \\#gpu on host\n";

static int scn_bail(void)
{
	tap_plan(2);
	tap_ok(1, "a");
	tap_bail_out("disk %s\nfull", "very");
}

static const char want_bail[] =
	"TAP version 14\n"
	"1..2\n"
	"ok 1 - a\n"
	"Bail out! disk very full\n";

/* The YAML blocks name these lines: keep the enum right above. */
enum { IS_LINE = __LINE__ };
static int scn_is(void)
{
	tap_plan(5);
	tap_is_int(41, 42, "answer #%d", 1);            /* IS_LINE + 4 */
	tap_is_int(-7, -7, "seven");
	tap_is_str("a\"b\\c\nd\te\x01", "abc", "quoting"); /* IS_LINE + 6 */
	tap_is_str(NULL, "x", "null got");              /* IS_LINE + 7 */
	tap_is_str(NULL, NULL, "both null");
	return tap_done_testing();
}

static const char *want_is(void)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "TAP version 14\n"
		 "1..5\n"
		 "not ok 1 - answer \\#1\n"
		 "  ---\n"
		 "  message: \"values differ\"\n"
		 "  got: 41\n"
		 "  expected: 42\n"
		 "  at: {file: \"%s\", line: %d}\n"
		 "  ...\n"
		 "ok 2 - seven\n"
		 "not ok 3 - quoting\n"
		 "  ---\n"
		 "  message: \"values differ\"\n"
		 "  got: \"a\\\"b\\\\c\\nd\\te\\x01\"\n"
		 "  expected: \"abc\"\n"
		 "  at: {file: \"%s\", line: %d}\n"
		 "  ...\n"
		 "not ok 4 - null got\n"
		 "  ---\n"
		 "  message: \"values differ\"\n"
		 "  got: ~\n"
		 "  expected: \"x\"\n"
		 "  at: {file: \"%s\", line: %d}\n"
		 "  ...\n"
		 "ok 5 - both null\n",
		 __FILE__, IS_LINE + 4, __FILE__, IS_LINE + 6, __FILE__,
		 IS_LINE + 7);
	return buf;
}

/* Text longer than TAP_MSG_MAX is cut; escaping never overflows a line. */
static int scn_long(void)
{
	static char a[2000], h[1100];

	memset(a, 'a', sizeof(a) - 1);
	memset(h, '#', sizeof(h) - 1);
	tap_ok(1, "%s", a);
	tap_todo_start("%s", h);
	tap_ok(1, "%s", h);
	tap_todo_end();
	return tap_done_testing();
}

static const char *want_long(void)
{
	static char buf[8192];
	size_t n = 0, keep = TAP_MSG_MAX - 4, i;

	n += (size_t)sprintf(buf + n, "TAP version 14\nok 1 - ");
	memset(buf + n, 'a', keep);
	n += keep;
	n += (size_t)sprintf(buf + n, "...\nok 2 - ");
	for (i = 0; i < keep; i++)
		n += (size_t)sprintf(buf + n, "\\#");
	n += (size_t)sprintf(buf + n, "... # TODO ");
	for (i = 0; i < keep; i++)
		n += (size_t)sprintf(buf + n, "\\#");
	sprintf(buf + n, "...\n1..2\n");
	return buf;
}

static void *thread_points(void *arg)
{
	int t = (int)(long)arg;

	for (int i = 0; i < NPOINTS; i++) {
		tap_ok(1, "thread %d point %d", t, i);
		if (i % 50 == 0)
			tap_diag("t%d\nt%d", t, t);
	}
	return NULL;
}

static int scn_threads(void)
{
	pthread_t th[NTHREADS];

	tap_plan(NTHREADS * NPOINTS);
	for (long t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, thread_points, (void *)t))
			return 99;
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	return tap_done_testing();
}

/* Parent side. */

/* Reads fd to EOF into out[]; returns 0, or -1 on error or overflow. */
static int slurp(int fd)
{
	ssize_t n;

	out_len = 0;
	for (;;) {
		n = read(fd, out + out_len, sizeof(out) - 1 - out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out_len += (size_t)n;
	}
	out[out_len] = '\0';
	return n < 0 || out_len == sizeof(out) - 1 ? -1 : 0;
}

/* Runs fn in a child with stdout on a pipe; returns its exit status. */
static int run_child(int (*fn)(void))
{
	int p[2], status, rd;
	pid_t pid;

	fflush(stdout);
	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 1) < 0)
			_exit(98);
		close(p[1]);
		exit(fn());
	}
	close(p[1]);
	rd = slurp(p[0]);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (rd < 0)
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 1000 + WTERMSIG(status);
}

/* Prints where got first differs from want, as TAP comments. */
static void show_diff(const char *want, const char *got)
{
	size_t i = 0, line = 1, bol = 0;

	while (want[i] && want[i] == got[i]) {
		if (want[i++] == '\n') {
			line++;
			bol = i;
		}
	}
	printf("#   first difference on line %zu\n", line);
	printf("#   want: %.*s\n", (int)strcspn(want + bol, "\n"), want + bol);
	printf("#   got:  %.*s\n", (int)strcspn(got + bol, "\n"), got + bol);
}

/* Runs fn's scenario: its exit status and its whole output checked. */
static void expect(int (*fn)(void), int status, const char *want)
{
	EXPECT_EQ(run_child(fn), status);
	if (strcmp(out, want)) {
		show_diff(want, out);
		ASSAY_ADD_FAILURE("the output is not the exact TAP (where it first differs: above)");
	}
}

/* Checks one "ok N - thread T point P" line; marks (T, P) in seen. */
static int thread_line(const char *line, size_t len, unsigned want_n,
		       char seen[NTHREADS][NPOINTS])
{
	unsigned n;
	int t, i, end = -1;

	if (sscanf(line, "ok %u - thread %d point %d%n", &n, &t, &i, &end) != 3
	    || (size_t)end != len || n != want_n)
		return 0;
	if (t < 0 || t >= NTHREADS || i < 0 || i >= NPOINTS || seen[t][i])
		return 0;
	seen[t][i] = 1;
	return 1;
}

/*
 * Every point appears once, numbered 1..N in order, and each two-line
 * diagnostic is whole: no line from another thread lands inside it.
 * (isolate: its child starts threads, which ThreadSanitizer refuses in
 * a child of a process with threads of its own, as a worker has)
 */
ASSAY_TEST_WITH(tapgen, threads, "isolate")
{
	static char seen[NTHREADS][NPOINTS];
	static const char head[] = "TAP version 14\n1..1000\n";
	char *line, *nl, *prev = NULL;
	unsigned n = 0;
	int good = 1;

	EXPECT_EQ(run_child(scn_threads), 0);
	good = !strncmp(out, head, sizeof(head) - 1);
	for (line = out + sizeof(head) - 1; good && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line[0] == '#')
			good = prev ? !strcmp(prev, line) : line[1] == ' ';
		else
			good = !prev && thread_line(line, (size_t)(nl - line),
						    ++n, seen);
		prev = line[0] == '#' && !prev ? line : NULL;
		if (!good)
			printf("#   bad line: %s\n", line);
	}
	EXPECT_TRUE(good && !*line && !prev);
	EXPECT_EQ(n, NTHREADS * NPOINTS);
}

ASSAY_TEST(tapgen, basic) { expect(scn_basic, 1, want_basic); }
ASSAY_TEST(tapgen, todo) { expect(scn_todo, 0, want_todo); }
ASSAY_TEST(tapgen, trailing_plan) { expect(scn_trailing, 0, want_trailing); }
ASSAY_TEST(tapgen, empty) { expect(scn_empty, 0, want_empty); }
ASSAY_TEST(tapgen, plan_mismatch) { expect(scn_mismatch, 1, want_mismatch); }
ASSAY_TEST(tapgen, skip_all) { expect(scn_skip_all, 0, want_skip_all); }
ASSAY_TEST(tapgen, bail_out) { expect(scn_bail, 255, want_bail); }
ASSAY_TEST(tapgen, is) { expect(scn_is, 1, want_is()); }
ASSAY_TEST(tapgen, long_text) { expect(scn_long, 0, want_long()); }

ASSAY_MAIN()
