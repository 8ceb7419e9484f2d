/* selftest/unit/opts_test.c - tests harness/opts.c and nothing else. */
#include "config.h"

#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/opts.h"

#define ARGV(...) ((char *[]){ "assay", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "assay", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, e, ...) opts_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), e)

static void run_with_options(void)
{
	struct opts o;
	struct err e = ERR_INIT;

	EXPECT_EQ(PARSE(&o, &e, "run", "-j", "3", "--timeout", "1.5", "a",
			   "--exclude", "x*", "b", "-q", "--grace=0.25"), 0);
	EXPECT_EQ(o.command, OPTS_RUN);
	EXPECT_EQ(o.jobs, 3);
	EXPECT_TRUE(o.timeout_s == 1.5);
	EXPECT_TRUE(o.grace_s == 0.25);
	EXPECT_TRUE(o.quiet);
	EXPECT_EQ(o.paths.n, 2);
	EXPECT_STREQ(o.paths.v[0], "a");
	EXPECT_STREQ(o.paths.v[1], "b");
	EXPECT_EQ(o.excludes.n, 1);
	opts_release(&o);
}

static void defaults(void)
{
	struct opts o;
	struct err e = ERR_INIT;

	EXPECT_EQ(PARSE(&o, &e, "list"), 0);
	EXPECT_EQ(o.command, OPTS_LIST);
	EXPECT_EQ(o.jobs, sysconf(_SC_NPROCESSORS_ONLN));
	EXPECT_TRUE(o.timeout_s == OPTS_DEFAULT_TIMEOUT);
	EXPECT_EQ(o.tail_lines, OPTS_DEFAULT_TAIL);
	EXPECT_EQ(o.paths.n, 0);
	opts_release(&o);
	EXPECT_EQ(PARSE(&o, &e, "run", "-j0"), 0);
	EXPECT_EQ(o.jobs, sysconf(_SC_NPROCESSORS_ONLN));
	opts_release(&o);
	EXPECT_EQ(PARSE(&o, &e, "--help"), 0);
	EXPECT_EQ(o.command, OPTS_HELP);
	opts_release(&o);
	EXPECT_EQ(PARSE(&o, &e, "--version"), 0);
	EXPECT_EQ(o.command, OPTS_VERSION);
	opts_release(&o);
}

static void bad(const char *want, int argc, char **argv)
{
	struct opts o;
	struct err e = ERR_INIT;

	EXPECT_EQ(opts_parse(&o, argc, argv, &e), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, want);
	opts_release(&o);
}

#define BAD(want, ...) bad(want, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void bad_input(void)
{
	BAD("-j wants a whole number", "run", "-j", "abc");
	BAD("-j wants a whole number", "run", "-j", "-1");
	BAD("-j wants a whole number", "run", "-j", "");
	BAD("--timeout wants seconds", "run", "--timeout", "soon");
	BAD("--timeout wants seconds", "run", "--timeout", "-2");
	BAD("--timeout wants seconds", "run", "--timeout", "nan");
	BAD("unknown option '--frobnicate'", "run", "--frobnicate");
	BAD("needs a value", "run", "--timeout");
	BAD("unknown command 'rnu'", "rnu");
	BAD("--color wants auto, always or never", "run", "--color", "pink");
	BAD("no command given", "-j", "2");
	/* an option of another command is refused, naming where it belongs */
	BAD("option '--junit' does not apply to 'assay list': it is for 'assay run'",
	    "list", "--junit", "r.xml", "t");
	BAD("option '-j' does not apply to 'assay merge': it is for 'assay run' and 'assay list'",
	    "merge", "-j2", "-o", "out.xml", "in.xml");
	BAD("option '--top' does not apply to 'assay run': it is for 'assay history'",
	    "run", "--top=3");
	BAD("option '-o' does not apply to 'assay run': it is for 'assay merge' (a run's report is --junit FILE)",
	    "run", "-o", "x.xml");
	BAD("option '-z' does not apply to 'assay history'", "history", "-z");
	BAD("option '--no-isolate-home' does not apply to 'assay list'", "list",
	    "--no-isolate-home");
}

/* What each command does accept. */
static void options_that_apply(void)
{
	struct opts o;
	struct err e = ERR_INIT;
	char *list[] = { "assay", "list", "-z", "-j", "3", "-x", "b", "--state-dir", "s", "t", NULL };
	char *hist[] = { "assay", "history", "--state-dir", "s", "--top", "5", NULL };

	EXPECT_EQ(opts_parse(&o, 10, list, &e), 0);
	EXPECT_TRUE(o.nul && o.jobs == 3);
	opts_release(&o);
	EXPECT_EQ(opts_parse(&o, 6, hist, &e), 0);
	EXPECT_EQ(o.top, 5);
	opts_release(&o);
}

ASSAY_TEST(opts, run_with_options)
{
	run_with_options();
}

ASSAY_TEST(opts, defaults)
{
	defaults();
}

/* --workers and --threads: W x T threads fill the -j slots, T 1 unless
 * given; -j's default is the CPU count */
ASSAY_TEST(opts, workers_and_threads)
{
	static const struct {
		char *jobs, *flag, *value;
		unsigned workers, threads;
	} cases[] = {
		{ "8", "--threads", "2", 4, 2 },
		{ "3", "--threads", "4", 1, 4 },        /* never no worker */
		{ "8", "--workers", "3", 3, 1 },
		{ "2", "--workers", "0", 0, 1 },        /* a process per batch */
	};
	struct opts o;
	struct err e = ERR_INIT;

	EXPECT_EQ(PARSE(&o, &e, "run"), 0);
	EXPECT_EQ(o.threads, 1);
	EXPECT_EQ(o.workers, sysconf(_SC_NPROCESSORS_ONLN));
	opts_release(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		EXPECT_EQ(PARSE(&o, &e, "run", "-j", cases[i].jobs, cases[i].flag,
				cases[i].value), 0);
		EXPECT_EQ(o.workers, cases[i].workers);
		EXPECT_EQ(o.threads, cases[i].threads);
		opts_release(&o);
	}
}

ASSAY_TEST(opts, bad_input)
{
	bad_input();
}

ASSAY_TEST(opts, options_that_apply)
{
	options_that_apply();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
