/* opts.c - see opts.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "xalloc.h"

/* seeds stay exact in a JSON number */
#define OPTS_MAX_SEED (1ull << 53)

void strlist_push(struct strlist *l, const char *s)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

void strlist_release(struct strlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *opts_usage(void)
{
	return
"Usage: assay run [OPTIONS] [PATH...]   run the tests found under PATH\n"
"       assay list [OPTIONS] [PATH...]  print the tests that would run\n"
"       assay merge -o OUT.xml IN.xml...  join JUnit reports into one\n"
"       assay history [--state-dir DIR] [--top N]  slowest, failing, flaky\n"
"       assay devices                   the CUDA devices GPU tests can use\n"
"       assay gpu-check [OPTIONS]       run assay's built-in GPU suite on each GPU\n"
"       assay --help | --version\n"
"\n"
"PATH is a test program or a directory to search. In a directory, every\n"
"executable regular file is a test, except hidden files and directories,\n"
"build junk (*.o *.a *.so *.la *.lo, .deps, .libs, CMakeFiles, autom4te.cache,\n"
"Makefile*, config.status, config.log, libtool, configure) and --exclude\n"
"matches. Without PATH: ./tests, ./test or ./t, whichever exists first.\n"
"\n"
"Options:\n"
"  -j, --jobs N         run N tests at once (default and 0: online CPUs)\n"
"  -t, --timeout SECS   per-test deadline, fractions allowed (default 300,\n"
"                       0: none); at it the test is looked at (docs/hangs.md),\n"
"                       then its process group gets SIGTERM, then SIGKILL\n"
"                       after the grace period\n"
"      --grace SECS     SIGTERM to SIGKILL delay (default 3)\n"
"      --timeout-multiplier F  scale every deadline by F (e.g. 2 on a slow\n"
"                       machine); a --wrapper scales them too\n"
"      --idle-timeout SECS  a test that prints nothing for SECS is hung\n"
"                       (default 0: none)\n"
"      --no-backtrace   at a deadline, no gdb backtraces of the test's\n"
"                       threads (what /proc says is still read)\n"
"      --allow-leaks    a test that leaves processes running passes if it\n"
"                       passed (they are killed and named either way)\n"
"      --wrapper CMD    put CMD in front of every test's command line,\n"
"                       e.g. 'valgrind --error-exitcode=1' (docs/hangs.md)\n"
"  -x, --exclude GLOB   skip files and directories whose name or path\n"
"                       relative to PATH matches GLOB (repeatable)\n"
"      --tag NAME       only the tests tagged NAME (repeatable: any of\n"
"                       them); a program's attributes tag its tests\n"
"      --strict-discovery  an entry left out of the search (a dangling\n"
"                       link, a loop, a path too long) fails the run\n"
"  -k, --kind NAME      treat every test found as kind NAME (auto, exec,\n"
"                       tap, gtest, assay, installed-tests)\n"
"      --strict-todo    a TODO test that passes (xpass) fails the run\n"
"      --config FILE    settings per test (default: ./assay.conf if present),\n"
"                       git-config syntax: [tests \"t/*.sh\"] kind = tap\n"
"  -c, --set NAME=VALUE  one assay.conf setting, after the file's, e.g.\n"
"                       -c 'tests.t/db/*.group=db' (docs/scheduling.md)\n"
"\n"
"Scheduling (docs/scheduling.md):\n"
"      --state-dir DIR  history of durations and outcomes (default .assay;\n"
"                       '': keep none)\n"
"      --order ORDER    lpt (default): longest expected first; given: as\n"
"                       found; random: as --shuffle\n"
"      --shuffle        random order; --seed S repeats one (always printed)\n"
"      --failed-first   tests that failed last time start first\n"
"      --repeat N       run each test N times, one after another\n"
"      --stress N       run N copies of each test at once\n"
"      --until-fail     start nothing more after the first failure\n"
"      --retries N      rerun a failed test up to N times; a pass after a\n"
"                       failure is flaky\n"
"      --flaky-result R pass (default) or fail: how a flaky test counts\n"
"      --isolate-failures N  after the parallel phase, rerun up to N failed\n"
"                       tests alone (default 10): parallel-only when one\n"
"                       passes, deterministic when it fails again; it\n"
"                       still counts as failed (docs/hangs.md)\n"
"      --no-isolate-failures  do not rerun failures alone\n"
"      --hunt N         run each test N times at once, each perturbed (its\n"
"                       CPUs, pauses where its threads meet) to surface\n"
"                       rare races; failures name their seed (docs/hangs.md)\n"
"      --hunt-seed S    run with the perturbation of seed S again\n"
"      --record         with --hunt, keep an rr recording of each test's\n"
"                       first failing run (when rr can run here)\n"
"      --gpu-slots N    tests that may share one GPU at once (default 1);\n"
"                       a test needs GPUs through assay.conf's gpus and\n"
"                       gpu-exclusive (docs/gpu.md)\n"
"      --require-gpu    a test that needs more GPUs than this machine has\n"
"                       fails (default: it is skipped, saying why)\n"
"      --each-gpu       each test that needs one GPU runs on every device,\n"
"                       a test of its own on each: ID@gpuK, or a case\n"
"                       PROGRAM@gpuK::CASE (K: the device's id)\n"
"      --resource-spec FILE  the GPUs (ids, slots) of a CTest resource spec,\n"
"                       in place of those the driver reports\n"
"      --shard K/N      run the K-th of N cost-balanced parts (default:\n"
"                       from the CI engine's variables; docs/ci.md)\n"
"      --gtest-granularity G  auto (default): a program's cases in batches\n"
"                       sized from history; case, suite or binary: one\n"
"                       process per case, per suite, per program\n"
"      --workers W      programs written with assay/test.h run on W\n"
"                       persistent worker processes each at most (default\n"
"                       -j / --threads; 0: a process per batch)\n"
"      --threads T      each worker runs tests marked `threads` on T\n"
"                       threads (default 1)\n"
"\n"
"Reports:\n"
"      --format FORMAT  human (default), or tap: assay's results as TAP 14\n"
"                       on stdout, the human report on stderr; tap13: the\n"
"                       same headed TAP version 13 (for prove < 3.48)\n"
"      --junit FILE     write a JUnit XML report (docs/junit.md)\n"
"      --junit-output WHICH  failed (default): system-out/err for failed\n"
"                       tests only; all: for every test\n"
"      --junit-max-text SIZE  cap on each text in the report (default 1M;\n"
"                       K, M, G suffixes); the middle is left out\n"
"      --output-dir DIR full stdout and stderr of each failed test\n"
"                       (default .assay/logs; '': keep none)\n"
"      --keep-logs      keep the logs of passing tests too\n"
"      --max-log-size SIZE  bytes kept of each stream's log (default 64M):\n"
"                       its first and last halves, and what was left out\n"
"      --max-output SIZE  a test that prints more (stdout and stderr) is\n"
"                       killed: output-flood (default: no limit)\n"
"      --output-dir-max SIZE  bytes the log directory may hold (default\n"
"                       1G); past it the oldest logs are removed\n"
"      --no-isolate-home  tests get the user's HOME and XDG directories\n"
"                       (default: a private, empty home per test)\n"
"      --plugin FILE    load a plugin (a shared object; repeatable)\n"
"      --reporter NAME[=ARG]  add a reporter from a plugin (repeatable)\n"
"  -q, --quiet          print only failures and the summary\n"
"  -v, --verbose        every case on its own line, and the schedule's\n"
"                       figures in full\n"
"  -z, --null           assay list: ids separated by NUL, as given\n"
"      --tail-lines N   output lines shown for each failure (default 20)\n"
"      --color WHEN     auto (default), always or never; NO_COLOR is obeyed\n"
"  -h, --help           this text\n"
"      --version        print the version\n"
"\n"
"Test programs: exit 0 passes, 77 skips, 99 is a hard error, any other\n"
"status fails, death by a signal is a crash. A program whose output\n"
"starts like TAP (or named *.t) is read as TAP: each test point is a case\n"
"(see docs/tap.md). Each runs in its own session\n"
"with stdin from /dev/null, output captured, a private TMPDIR and a\n"
"private HOME and XDG_*_HOME (--no-isolate-home: the user's own); it\n"
"sees ASSAY_TEST_ID, ASSAY_WORKER (its slot, 0..N-1) and ASSAY_TMPDIR.\n"
"\n"
"Exit status: 0 all passed (skips allowed), 1 a test failed, 2 usage or\n"
"configuration error, 3 internal error, 130 interrupted.\n"
"The last line of every run is: assay: N passed, N failed, N skipped\n";
}

static int parse_uint(const char *opt, const char *arg, unsigned max,
		      unsigned *out, struct err *e)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || v > max || arg[0] == '-')
		return err_set(e, ERR_USAGE,
			       "%s wants a whole number from 0 to %u, got '%s'",
			       opt, max, arg);
	*out = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *opt, const char *arg, double *out,
			 struct err *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !isfinite(v) || v < 0 || v > 1e7)
		return err_set(e, ERR_USAGE,
			       "%s wants seconds (e.g. 30 or 0.5, 0 for none), got '%s'",
			       opt, arg);
	*out = v;
	return 0;
}

static int parse_multiplier(const char *arg, double *out, struct err *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || !isfinite(v) || v <= 0 || v > 1000)
		return err_set(e, ERR_USAGE,
			       "--timeout-multiplier wants a factor above 0 and up to 1000 (e.g. 2 or 0.5), got '%s'",
			       arg);
	*out = v;
	return 0;
}

static int parse_command(struct opts *o, const char *cmd, struct err *e)
{
	if (!strcmp(cmd, "run"))
		o->command = OPTS_RUN;
	else if (!strcmp(cmd, "list"))
		o->command = OPTS_LIST;
	else if (!strcmp(cmd, "merge"))
		o->command = OPTS_MERGE;
	else if (!strcmp(cmd, "history"))
		o->command = OPTS_HISTORY;
	else if (!strcmp(cmd, "devices"))
		o->command = OPTS_DEVICES;
	else if (!strcmp(cmd, "gpu-check")) {
		o->command = OPTS_RUN;
		o->gpu_check = true;
		o->each_gpu = true;     /* it checks every device */
	}
	else if (!strcmp(cmd, "help"))
		o->command = OPTS_HELP;
	else if (!strcmp(cmd, "version"))
		o->command = OPTS_VERSION;
	else
		return err_set(e, ERR_USAGE,
			       "unknown command '%s': use 'assay run PATH' or see 'assay --help'",
			       cmd);
	return 0;
}

enum { OPT_GRACE = 256, OPT_PLUGIN, OPT_REPORTER, OPT_TAIL, OPT_COLOR,
       OPT_VERSION, OPT_STRICT_TODO, OPT_FORMAT, OPT_CONFIG, OPT_JUNIT,
       OPT_JUNIT_OUTPUT, OPT_JUNIT_MAX_TEXT, OPT_OUTPUT_DIR, OPT_KEEP_LOGS, OPT_SHARED_HOME, OPT_STRICT_DISCOVERY, OPT_MAX_LOG, OPT_MAX_LOGS_TOTAL,
       OPT_STATE_DIR, OPT_ORDER, OPT_SHUFFLE, OPT_SEED, OPT_FAILED_FIRST,
       OPT_REPEAT, OPT_STRESS, OPT_UNTIL_FAIL, OPT_RETRIES, OPT_FLAKY_RESULT,
       OPT_ISOLATE, OPT_NO_ISOLATE, OPT_HUNT, OPT_HUNT_SEED, OPT_RECORD,
       OPT_SHARD, OPT_TOP, OPT_GRANULARITY, OPT_NO_BACKTRACE,
       OPT_TIMEOUT_MULTIPLIER, OPT_IDLE_TIMEOUT, OPT_WRAPPER,
       OPT_ALLOW_LEAKS, OPT_MAX_OUTPUT, OPT_TAG, OPT_GPU_SLOTS,
       OPT_REQUIRE_GPU, OPT_EACH_GPU, OPT_RESOURCE_SPEC, OPT_WORKERS, OPT_THREADS };

static const struct option long_opts[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "exclude", required_argument, NULL, 'x' },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "kind", required_argument, NULL, 'k' },
	{ "plugin", required_argument, NULL, OPT_PLUGIN },
	{ "reporter", required_argument, NULL, OPT_REPORTER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "null", no_argument, NULL, 'z' },
	{ "strict-todo", no_argument, NULL, OPT_STRICT_TODO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "junit-output", required_argument, NULL, OPT_JUNIT_OUTPUT },
	{ "junit-max-text", required_argument, NULL, OPT_JUNIT_MAX_TEXT },
	{ "output-dir", required_argument, NULL, OPT_OUTPUT_DIR },
	{ "keep-logs", no_argument, NULL, OPT_KEEP_LOGS },
	{ "max-log-size", required_argument, NULL, OPT_MAX_LOG },
	{ "output-dir-max", required_argument, NULL, OPT_MAX_LOGS_TOTAL },
	{ "no-isolate-home", no_argument, NULL, OPT_SHARED_HOME },
	{ "strict-discovery", no_argument, NULL, OPT_STRICT_DISCOVERY },
	{ "output", required_argument, NULL, 'o' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "shuffle", no_argument, NULL, OPT_SHUFFLE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "failed-first", no_argument, NULL, OPT_FAILED_FIRST },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "stress", required_argument, NULL, OPT_STRESS },
	{ "until-fail", no_argument, NULL, OPT_UNTIL_FAIL },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "flaky-result", required_argument, NULL, OPT_FLAKY_RESULT },
	{ "isolate-failures", required_argument, NULL, OPT_ISOLATE },
	{ "no-isolate-failures", no_argument, NULL, OPT_NO_ISOLATE },
	{ "hunt", required_argument, NULL, OPT_HUNT },
	{ "hunt-seed", required_argument, NULL, OPT_HUNT_SEED },
	{ "record", no_argument, NULL, OPT_RECORD },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "gtest-granularity", required_argument, NULL, OPT_GRANULARITY },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "no-backtrace", no_argument, NULL, OPT_NO_BACKTRACE },
	{ "timeout-multiplier", required_argument, NULL, OPT_TIMEOUT_MULTIPLIER },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "wrapper", required_argument, NULL, OPT_WRAPPER },
	{ "allow-leaks", no_argument, NULL, OPT_ALLOW_LEAKS },
	{ "gpu-slots", required_argument, NULL, OPT_GPU_SLOTS },
	{ "require-gpu", no_argument, NULL, OPT_REQUIRE_GPU },
	{ "each-gpu", no_argument, NULL, OPT_EACH_GPU },
	{ "resource-spec", required_argument, NULL, OPT_RESOURCE_SPEC },
	{ "max-output", required_argument, NULL, OPT_MAX_OUTPUT },
	{ "set", required_argument, NULL, 'c' },
	{ "tail-lines", required_argument, NULL, OPT_TAIL },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int parse_color(struct opts *o, const char *arg, struct err *e)
{
	if (!strcmp(arg, "auto"))
		o->color = OPTS_COLOR_AUTO;
	else if (!strcmp(arg, "always"))
		o->color = OPTS_COLOR_ALWAYS;
	else if (!strcmp(arg, "never"))
		o->color = OPTS_COLOR_NEVER;
	else
		return err_set(e, ERR_USAGE,
			       "--color wants auto, always or never, got '%s'", arg);
	return 0;
}

static int parse_format(struct opts *o, const char *arg, struct err *e)
{
	if (!strcmp(arg, "human"))
		o->format = OPTS_FORMAT_HUMAN;
	else if (!strcmp(arg, "tap"))
		o->format = OPTS_FORMAT_TAP;
	else if (!strcmp(arg, "tap13"))
		o->format = OPTS_FORMAT_TAP13;
	else
		return err_set(e, ERR_USAGE,
			       "--format wants human, tap or tap13, got '%s'", arg);
	return 0;
}

/* A size in bytes: digits, then K, M or G (powers of 1024). */
static int parse_size(const char *opt, const char *arg, size_t min,
		      size_t *out, struct err *e)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M')
		shift = 20;
	else if (*end == 'G')
		shift = 30;
	end += shift != 0;
	if (!isdigit((unsigned char)arg[0]) || *end || errno ||
	    v > 1ull << (40 - shift) || (v << shift) < min)
		return err_set(e, ERR_USAGE,
			       "%s wants a size of at least %zu bytes (e.g. 4096, 64K or 1M), got '%s'",
			       opt, min, arg);
	*out = (size_t)(v << shift);
	return 0;
}

static int parse_order(struct opts *o, const char *arg, struct err *e)
{
	static const char *const names[] = { "lpt", "given", "random" };

	for (unsigned i = 0; i < 3; i++)
		if (!strcmp(arg, names[i])) {
			o->order = (enum order_mode)i;
			return 0;
		}
	return err_set(e, ERR_USAGE, "--order wants lpt, given or random, got '%s'", arg);
}

/* A run's seed as --hunt prints it: hexadecimal, not 0. */
static int parse_hunt_seed(struct opts *o, const char *arg, struct err *e)
{
	char *end;

	errno = 0;
	o->hunt_seed = strtoull(arg, &end, 16);
	if (!isxdigit((unsigned char)arg[0]) || *end || errno || !o->hunt_seed)
		return err_set(e, ERR_USAGE,
			       "--hunt-seed wants the hexadecimal seed a --hunt failure printed, got '%s'",
			       arg);
	return 0;
}

static int parse_seed(struct opts *o, const char *arg, struct err *e)
{
	char *end;

	errno = 0;
	o->seed = strtoull(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno ||
	    o->seed >= OPTS_MAX_SEED)
		return err_set(e, ERR_USAGE,
			       "--seed wants a whole number below 2^53 (as a shuffled run prints it), got '%s'",
			       arg);
	o->seed_given = true;
	o->order = ORDER_RANDOM;
	return 0;
}

static int parse_granularity(struct opts *o, const char *arg, struct err *e)
{
	static const char *const names[] = {
		[RUNNER_BATCH_AUTO] = "auto", [RUNNER_BATCH_CASE] = "case",
		[RUNNER_BATCH_SUITE] = "suite", [RUNNER_BATCH_BINARY] = "binary",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(arg, names[i])) {
			o->batch = (enum runner_batch)i;
			return 0;
		}
	return err_set(e, ERR_USAGE,
		       "--gtest-granularity wants auto, case, suite or binary, got '%s'",
		       arg);
}

static int parse_flaky_result(struct opts *o, const char *arg, struct err *e)
{
	if (!strcmp(arg, "pass") || !strcmp(arg, "fail")) {
		o->flaky_fails = !strcmp(arg, "fail");
		return 0;
	}
	return err_set(e, ERR_USAGE, "--flaky-result wants pass or fail, got '%s'", arg);
}

/* A count of at least 1. */
static int parse_count(const char *opt, const char *arg, unsigned max,
		       unsigned *out, struct err *e)
{
	int rc = parse_uint(opt, arg, max, out, e);

	if (!rc && !*out)
		return err_set(e, ERR_USAGE, "%s wants a whole number from 1 to %u, got '%s'",
			       opt, max, arg);
	return rc;
}

static int parse_junit_output(struct opts *o, const char *arg, struct err *e)
{
	if (!strcmp(arg, "failed") || !strcmp(arg, "all")) {
		o->junit_all_output = !strcmp(arg, "all");
		return 0;
	}
	return err_set(e, ERR_USAGE, "--junit-output wants failed or all, got '%s'", arg);
}

/* The commands option c applies to, as bits (1 << enum opts_command). */
static unsigned applies_to(int c)
{
	enum { RUN = 1u << OPTS_RUN, LIST = 1u << OPTS_LIST,
	       MERGE = 1u << OPTS_MERGE, HISTORY = 1u << OPTS_HISTORY };

	switch (c) {
	case 'j': case 'x': case 'k': case 'c': case OPT_PLUGIN:
	case OPT_CONFIG: case OPT_SHARD: case OPT_STRICT_DISCOVERY:
	case OPT_TAG:
		return RUN | LIST;      /* what is found and selected */
	case OPT_STATE_DIR:
		return RUN | LIST | HISTORY;
	case OPT_EACH_GPU: case OPT_RESOURCE_SPEC:
		return RUN | LIST;      /* the names of the copies */
	case 'z':
		return LIST;
	case 'o':
		return MERGE;
	case OPT_TOP:
		return HISTORY;
	case 'h': case OPT_VERSION: case ':': case '?':
		return ~0u;
	default:
		return RUN;
	}
}

/* Refuses option c (as the user wrote it: opt) under a command it does
 * not apply to, naming the commands it is for. */
static int check_applies(const struct opts *o, int c, const char *opt,
			 struct err *e)
{
	static const char *const names[] = { [OPTS_RUN] = "run", [OPTS_LIST] = "list",
					      [OPTS_MERGE] = "merge", [OPTS_HISTORY] = "history",
					      [OPTS_DEVICES] = "devices" };
	unsigned ok = applies_to(c);
	char list[80] = "";

	if (o->command > OPTS_DEVICES || (ok & (1u << o->command)))
		return 0;
	for (unsigned i = 0; i <= OPTS_DEVICES; i++)
		if (ok & (1u << i))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'assay %s'",
				 *list ? " and " : "", names[i]);
	return err_set(e, ERR_USAGE, "option '%s' does not apply to 'assay %s': it is for %s%s",
		       opt, names[o->command], list,
		       c == 'o' ? " (a run's report is --junit FILE)" : "");
}

/* One option; returns 0, 1 to stop (help/version), or ERR_USAGE. */
static int parse_one(struct opts *o, int c, const char *arg, const char *bad,
		     struct err *e)
{
	switch (c) {
	case 'j': o->jobs_given = true; return parse_uint("-j", arg, 4096, &o->jobs, e);
	case 't': return parse_seconds("--timeout", arg, &o->timeout_s, e);
	case OPT_GRACE: return parse_seconds("--grace", arg, &o->grace_s, e);
	case 'x': strlist_push(&o->excludes, arg); return 0;
	case OPT_TAG: strlist_push(&o->tags, arg); return 0;
	case 'k': o->kind = arg; return 0;
	case OPT_PLUGIN: strlist_push(&o->plugins, arg); return 0;
	case OPT_REPORTER: strlist_push(&o->reporters, arg); return 0;
	case 'q': o->quiet = true; return 0;
	case 'v': o->verbose = true; return 0;
	case 'z': o->nul = true; return 0;
	case OPT_STRICT_TODO: o->strict_todo = true; return 0;
	case OPT_FORMAT: return parse_format(o, arg, e);
	case OPT_CONFIG: o->config = arg; return 0;
	case OPT_JUNIT: o->junit = arg; return 0;
	case OPT_JUNIT_OUTPUT: return parse_junit_output(o, arg, e);
	case OPT_JUNIT_MAX_TEXT:
		return parse_size("--junit-max-text", arg, 1024, &o->junit_max_text, e);
	case OPT_MAX_LOG:
		return parse_size("--max-log-size", arg, 4096, &o->max_log, e);
	case OPT_MAX_LOGS_TOTAL:
		return parse_size("--output-dir-max", arg, 4096, &o->max_logs_total, e);
	case OPT_OUTPUT_DIR: o->output_dir = arg; return 0;
	case OPT_KEEP_LOGS: o->keep_logs = true; return 0;
	case OPT_SHARED_HOME: o->shared_home = true; return 0;
	case OPT_STRICT_DISCOVERY: o->strict_discovery = true; return 0;
	case 'o': o->merge_out = arg; return 0;
	case 'c': strlist_push(&o->sets, arg); return 0;
	case OPT_STATE_DIR: o->state_dir = arg; return 0;
	case OPT_ORDER: return parse_order(o, arg, e);
	case OPT_SHUFFLE: o->order = ORDER_RANDOM; return 0;
	case OPT_SEED: return parse_seed(o, arg, e);
	case OPT_FAILED_FIRST: o->failed_first = true; return 0;
	case OPT_REPEAT: return parse_count("--repeat", arg, 1000000, &o->repeat, e);
	case OPT_STRESS: return parse_count("--stress", arg, 4096, &o->stress, e);
	case OPT_UNTIL_FAIL: o->until_fail = true; return 0;
	case OPT_RETRIES: return parse_uint("--retries", arg, 100, &o->retries, e);
	case OPT_FLAKY_RESULT: return parse_flaky_result(o, arg, e);
	case OPT_ISOLATE: return parse_uint("--isolate-failures", arg, 100000, &o->isolate, e);
	case OPT_NO_ISOLATE: o->isolate = 0; return 0;
	case OPT_HUNT: return parse_count("--hunt", arg, 100000, &o->hunt, e);
	case OPT_HUNT_SEED: return parse_hunt_seed(o, arg, e);
	case OPT_RECORD: o->record = true; return 0;
	case OPT_SHARD: return shard_parse(arg, &o->shard, e);
	case OPT_TOP: return parse_count("--top", arg, 100000, &o->top, e);
	case OPT_GRANULARITY: return parse_granularity(o, arg, e);
	case OPT_WORKERS:
		o->workers_given = true;
		return parse_uint("--workers", arg, 4096, &o->workers, e);
	case OPT_THREADS:
		if (parse_uint("--threads", arg, 1024, &o->threads, e) < 0)
			return -1;
		if (!o->threads)
			return err_set(e, ERR_USAGE, "--threads wants at least 1 thread, got 0");
		return 0;
	case OPT_NO_BACKTRACE: o->no_backtrace = true; return 0;
	case OPT_TIMEOUT_MULTIPLIER: return parse_multiplier(arg, &o->timeout_multiplier, e);
	case OPT_IDLE_TIMEOUT: return parse_seconds("--idle-timeout", arg, &o->idle_timeout_s, e);
	case OPT_WRAPPER: o->wrapper = arg; return 0;
	case OPT_ALLOW_LEAKS: o->allow_leaks = true; return 0;
	case OPT_REQUIRE_GPU: o->require_gpu = true; return 0;
	case OPT_EACH_GPU: o->each_gpu = true; return 0;
	case OPT_RESOURCE_SPEC: o->resource_spec = arg; return 0;
	case OPT_GPU_SLOTS: return parse_count("--gpu-slots", arg, 64, &o->gpu_slots, e);
	case OPT_MAX_OUTPUT:
		return parse_size("--max-output", arg, 1024, &o->max_output, e);
	case OPT_TAIL: return parse_uint("--tail-lines", arg, 100000, &o->tail_lines, e);
	case OPT_COLOR: return parse_color(o, arg, e);
	case 'h': o->command = OPTS_HELP; return 1;
	case OPT_VERSION: o->command = OPTS_VERSION; return 1;
	case ':':
		return err_set(e, ERR_USAGE, "option '%s' needs a value: see 'assay --help'", bad);
	default:
		return err_set(e, ERR_USAGE, "unknown option '%s': see 'assay --help'", bad);
	}
}

static void opts_init(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_s = OPTS_DEFAULT_TIMEOUT;
	o->grace_s = OPTS_DEFAULT_GRACE;
	o->timeout_multiplier = 1;
	o->tail_lines = OPTS_DEFAULT_TAIL;
	o->junit_max_text = OPTS_DEFAULT_MAX_TEXT;
	o->max_log = OPTS_DEFAULT_MAX_LOG;
	o->max_logs_total = OPTS_DEFAULT_MAX_LOGS_TOTAL;
	o->output_dir = OPTS_DEFAULT_OUTPUT_DIR;
	o->state_dir = OPTS_DEFAULT_STATE_DIR;
	o->repeat = o->stress = 1;
	o->isolate = OPTS_DEFAULT_ISOLATE;
	o->gpu_slots = 1;
}

int opts_parse(struct opts *o, int argc, char **argv, struct err *e)
{
	int c, rc, first = 1;
	long cpus;

	opts_init(o);
	if (argc > 1 && argv[1][0] != '-') {
		if ((rc = parse_command(o, argv[1], e)) < 0)
			return rc;
		first = 2;
	} else if (argc < 2) {
		return err_set(e, ERR_USAGE, "no command given: try 'assay run PATH' or 'assay --help'");
	}
	optind = first;
	opterr = 0;
	for (;;) {
		char name[64];
		int li = -1;
		if ((c = getopt_long(argc, argv, ":j:t:x:k:o:c:qvzh", long_opts, &li)) == -1)
			break;
		if (li >= 0)
			snprintf(name, sizeof(name), "--%s", long_opts[li].name);
		else
			snprintf(name, sizeof(name), "-%c", c);
		rc = check_applies(o, c, name, e);
		if (!rc)
			rc = parse_one(o, c, optarg, argv[optind - 1], e);
		if (rc < 0)
			return rc;
		if (rc > 0)
			return 0;
	}
	if (o->command == OPTS_HELP && optind < argc)
		o->help_topic = argv[optind];
	for (; optind < argc; optind++)
		strlist_push(&o->paths, argv[optind]);
	if (first == 1 && o->command == OPTS_RUN)
		return err_set(e, ERR_USAGE, "no command given: try 'assay run PATH' or 'assay --help'");
	if (o->command == OPTS_DEVICES && o->paths.n)
		return err_set(e, ERR_USAGE, "'assay devices' takes no operand, got '%s'",
			       o->paths.v[0]);
	if (o->gpu_check && o->paths.n)
		return err_set(e, ERR_USAGE,
			       "'assay gpu-check' runs its own suite and takes no path, got '%s' (to run a module of your own: assay run FILE.ptx)",
			       o->paths.v[0]);
	if (o->command == OPTS_MERGE && (!o->merge_out || !o->paths.n))
		return err_set(e, ERR_USAGE,
			       "merge needs an output and at least one report: assay merge -o OUT.xml IN.xml...");
	if (o->seed_given && o->order != ORDER_RANDOM)
		return err_set(e, ERR_USAGE,
			       "--seed orders a shuffled run, but --order %s was given: drop one of them",
			       o->order == ORDER_LPT ? "lpt" : "given");
	if (o->hunt_seed && !o->hunt)
		o->hunt = 1;
	if (o->hunt && (o->repeat > 1 || o->stress > 1))
		return err_set(e, ERR_USAGE,
			       "--hunt N runs N copies of each test itself: drop --repeat and --stress");
	if (o->record && !o->hunt)
		return err_set(e, ERR_USAGE,
			       "--record keeps the rr recording of a hunt's first failing run: it needs --hunt N");
	if (o->jobs == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = cpus > 0 ? (unsigned)cpus : 1;
	}
	/* --stress N means N copies at once: give them the slots */
	if (!o->jobs_given && o->jobs < o->stress)
		o->jobs = o->stress;
	if (!o->threads)
		o->threads = 1;
	if (!o->workers_given)          /* W x T threads fill the slots */
		o->workers = o->jobs / o->threads ? o->jobs / o->threads : 1;
	return 0;
}

void opts_release(struct opts *o)
{
	strlist_release(&o->plugins);
	strlist_release(&o->reporters);
	strlist_release(&o->excludes);
	strlist_release(&o->tags);
	strlist_release(&o->paths);
	strlist_release(&o->sets);
}
