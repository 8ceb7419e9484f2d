/* selftest/unit/opts_test.c - tests harness/opts.c and nothing else. */
#include "config.h"

#include <unistd.h>

#include "check.h"
#include "harness/opts.h"

#define ARGV(...) ((char *[]){ "assay", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "assay", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, e, ...) opts_parse(o, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), e)

static void run_with_options(void)
{
	struct opts o;
	struct err e = ERR_INIT;

	CHECK_INT(0, PARSE(&o, &e, "run", "-j", "3", "--timeout", "1.5", "a",
			   "--exclude", "x*", "b", "-q", "--grace=0.25"));
	CHECK_INT(OPTS_RUN, o.command);
	CHECK_INT(3, o.jobs);
	CHECK(o.timeout_s == 1.5);
	CHECK(o.grace_s == 0.25);
	CHECK(o.quiet);
	CHECK_INT(2, o.paths.n);
	CHECK_STR("a", o.paths.v[0]);
	CHECK_STR("b", o.paths.v[1]);
	CHECK_INT(1, o.excludes.n);
	opts_release(&o);
}

static void defaults(void)
{
	struct opts o;
	struct err e = ERR_INIT;

	CHECK_INT(0, PARSE(&o, &e, "list"));
	CHECK_INT(OPTS_LIST, o.command);
	CHECK_INT(sysconf(_SC_NPROCESSORS_ONLN), o.jobs);
	CHECK(o.timeout_s == OPTS_DEFAULT_TIMEOUT);
	CHECK_INT(OPTS_DEFAULT_TAIL, o.tail_lines);
	CHECK_INT(0, o.paths.n);
	opts_release(&o);
	CHECK_INT(0, PARSE(&o, &e, "run", "-j0"));
	CHECK_INT(sysconf(_SC_NPROCESSORS_ONLN), o.jobs);
	opts_release(&o);
	CHECK_INT(0, PARSE(&o, &e, "--help"));
	CHECK_INT(OPTS_HELP, o.command);
	opts_release(&o);
	CHECK_INT(0, PARSE(&o, &e, "--version"));
	CHECK_INT(OPTS_VERSION, o.command);
	opts_release(&o);
}

static void bad(const char *want, int argc, char **argv)
{
	struct opts o;
	struct err e = ERR_INIT;

	CHECK_INT(ERR_USAGE, opts_parse(&o, argc, argv, &e));
	CHECK_HAS(e.msg, want);
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

	CHECK_INT(0, opts_parse(&o, 10, list, &e));
	CHECK(o.nul && o.jobs == 3);
	opts_release(&o);
	CHECK_INT(0, opts_parse(&o, 6, hist, &e));
	CHECK_INT(5, o.top);
	opts_release(&o);
}

int main(void)
{
	run_with_options();
	defaults();
	bad_input();
	options_that_apply();
	return check_done();
}
