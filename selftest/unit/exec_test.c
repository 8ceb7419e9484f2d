/* selftest/unit/exec_test.c - tests plugins/exec.c and plugins/tap.c:
 * the exec kind, its TAP sniffing and the tap kind, through the same
 * calls the host makes (job_begin, job_output, job_end). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "plugins/builtin.h"

static struct assay_verdict got;
static char reason[512];
static int reports;
static char cases[1024];        /* "OUTCOME NAME\n" per case reported */

static void report(struct assay_job_ctx *c, const struct assay_verdict *v)
{
	size_t n = strlen(cases);

	got = *v;
	snprintf(reason, sizeof(reason), "%s", v->reason ? v->reason : "");
	if (v->case_name)
		snprintf(cases + n, sizeof(cases) - n, "%s %s\n",
			 assay_outcome_name(v->outcome), v->case_name);
	reports++;
}

static const struct assay_kind *auto_kind(void)
{
	return exec_plugin()->kinds[0];
}

static const struct assay_kind *exec_kind(void)
{
	return exec_plugin()->kinds[1];
}

static int plan_rule;           /* the test's tap-plan, for job() */

static const struct assay_kind *tap_kind(void)
{
	return tap_plugin()->kinds[0];
}

/* The timeout the exit says passed (0: none said; the test's is 2.5). */
static double exit_timeout_s;

/* A whole job of kind k: it writes out (in two chunks) and ends as
 * how/code says. */
static void job(const struct assay_kind *k, enum assay_exit_how how, int code,
		const char *out)
{
	struct assay_test t = { .struct_size = sizeof(t), .id = "x", .suite = "x",
				.path = "./x", .kind = k->name, .timeout_s = 2.5,
				.tap_plan = plan_rule };
	struct assay_task task = { .struct_size = sizeof(task), .id = 1,
				   .test = &t, .tmpdir = "/tmp" };
	struct assay_spec spec = { .struct_size = sizeof(spec) };
	struct assay_output o = { .struct_size = sizeof(o), .head = out,
				  .head_len = strlen(out), .tail = "",
				  .total = strlen(out) };
	struct assay_output none = { .struct_size = sizeof(none), .head = "",
				     .tail = "" };
	struct assay_exit ex = { .struct_size = sizeof(ex), .how = how, .code = code,
				 .duration_ns = 1000, .out = &o, .err = &none,
				 .timeout_s = exit_timeout_s };
	struct assay_job_ctx ctx = { .struct_size = sizeof(ctx), .test = &t,
				     .report = report, .task = &task };
	size_t half = strlen(out) / 2;
	void *state = NULL;

	reports = 0;
	cases[0] = 0;
	if (k->job_begin)
		EXPECT_EQ(k->job_begin(&state, &task, &spec), 0);
	EXPECT_TRUE(spec.argv == NULL);       /* the program alone, as found */
	if (k->job_output) {
		k->job_output(state, 1, out, half, &ctx);
		k->job_output(state, 2, "to stderr\n", 10, &ctx);
		k->job_output(state, 1, out + half, strlen(out) - half, &ctx);
	}
	k->job_end(state, &ex, &ctx);
}

/* An auto job that prints no TAP: one verdict, on the program. */
static void judge(enum assay_exit_how how, int code, const char *out)
{
	job(auto_kind(), how, code, out);
	EXPECT_EQ(reports, 1);
	EXPECT_TRUE(got.case_name == NULL);
}

/* Output that starts like TAP is read as TAP, cases and all. */
static void test_sniffed(void)
{
	job(auto_kind(), ASSAY_EXITED, 1,
	    "# random seed: R02S\n1..3\nok 1 - a\nnot ok 2 - b\nok 3 # SKIP no\n");
	EXPECT_STREQ(cases, "pass a\nfail b\nskip 3\n");
	EXPECT_EQ(reports, 3);          /* the failure speaks for the program */
	job(auto_kind(), ASSAY_EXITED, 0, "1..0 # SKIP no GPU");
	EXPECT_EQ(got.outcome, ASSAY_SKIP);
	EXPECT_STREQ(reason, "no GPU");
	job(auto_kind(), ASSAY_SIGNALED, SIGSEGV, "1..3\nok 1 - a\nok 2 - b\n");
	EXPECT_STREQ(cases, "pass a\npass b\n");
	EXPECT_EQ(got.outcome, ASSAY_CRASH);
	EXPECT_STREQ(reason, "crash (SIGSEGV) after 2 test points");
	job(auto_kind(), ASSAY_EXITED, 0, "hello\nok 1\n1..1\n");
	EXPECT_EQ(reports, 1);          /* not TAP: judged by exit status */
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	EXPECT_TRUE(got.case_name == NULL);
}

/* A sniffed stream never invents an error: one that only looks like TAP
 * is judged by its exit status; one that breaks the protocol after a
 * good start too, saying so. */
static void test_sniff_trusted(void)
{
	job(auto_kind(), ASSAY_EXITED, 0, "ok\nall done\n");
	EXPECT_EQ(reports, 1);
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	EXPECT_TRUE(got.case_name == NULL);
	job(auto_kind(), ASSAY_EXITED, 0, "1..10 of the steps\nstep 1\n");
	EXPECT_EQ(reports, 1);
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	job(auto_kind(), ASSAY_EXITED, 0, "1..2\nok 1 - a\n");
	EXPECT_STREQ(cases, "pass a\n");
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	EXPECT_STREQ(reason, "its output looked like TAP, but line 1: planned 2 tests but ran 1");
	job(auto_kind(), ASSAY_EXITED, 3, "ok 1 - a\n");
	EXPECT_EQ(got.outcome, ASSAY_FAIL);
	EXPECT_CONTAINS(reason, "exit code 3; its output looked like TAP, but ");
	job(auto_kind(), ASSAY_EXITED, 0, "1..2\nok 1 - a\nnot ok 2 - b\n");
	EXPECT_STREQ(cases, "pass a\nfail b\n");    /* a failed point still fails */
	EXPECT_EQ(got.outcome, ASSAY_FAIL);
}

/* The exec kind never reads the output, and claims nothing itself. */
static void test_exec_kind(void)
{
	const struct assay_kind *k = exec_kind();

	EXPECT_STREQ(k->name, "exec");
	EXPECT_TRUE(k->claim("x", S_IFREG | 0755, 0) == 0);
	job(k, ASSAY_EXITED, 0, "1..3\nnot ok 1 - a\n");
	EXPECT_EQ(reports, 1);
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	EXPECT_STREQ(cases, "");
	job(k, ASSAY_EXITED, 77, "ok 1\nno GPU\n");
	EXPECT_EQ(got.outcome, ASSAY_SKIP);
	EXPECT_STREQ(reason, "no GPU");
}

/* A stream without a plan (docs/tap.md): an error, unless every point
 * is a skip; tap-plan = required or optional overrides. Exit 77 with no
 * point failed is a skip. */
static void test_plan_rule(void)
{
	const struct assay_kind *k = tap_kind();

	job(k, ASSAY_EXITED, 0, "# seed\nok 1 # SKIP all skipped: no bus\n");
	EXPECT_STREQ(cases, "skip 1\n");
	EXPECT_EQ(reports, 1);          /* the skip speaks for the program */
	job(k, ASSAY_EXITED, 77, "ok 1 # SKIP too unreliable\n");
	EXPECT_EQ(reports, 1);
	EXPECT_EQ(got.outcome, ASSAY_SKIP);
	job(k, ASSAY_EXITED, 77, "1..1\nok 1\n");
	EXPECT_EQ(got.outcome, ASSAY_SKIP);
	EXPECT_STREQ(reason, "exit code 77 (skipped)");
	job(k, ASSAY_EXITED, 0, "ok 1 - a\n");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	EXPECT_CONTAINS(reason, "no plan");
	plan_rule = 2;                  /* required */
	job(k, ASSAY_EXITED, 0, "ok 1 # SKIP all skipped\n");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	EXPECT_CONTAINS(reason, "no plan");
	plan_rule = 3;                  /* optional */
	job(k, ASSAY_EXITED, 0, "ok 1 - a\n");
	EXPECT_EQ(reports, 1);
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	job(k, ASSAY_EXITED, 0, "");
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	EXPECT_STREQ(reason, "0 test points, no plan");
	job(k, ASSAY_EXITED, 0, "1..2\nok 1 - a\n");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);    /* a plan given must hold */
	plan_rule = 0;
}

/* The tap kind reads from the first byte: no TAP at all is an error. */
static void test_tap_kind(void)
{
	const struct assay_kind *k = tap_kind();

	EXPECT_STREQ(k->name, "tap");
	EXPECT_TRUE(k->claim("t/basic.t", S_IFREG | 0755, 0) > auto_kind()->claim("t/basic.t", S_IFREG | 0755, 0));
	EXPECT_TRUE(k->claim("t/basic.sh", S_IFREG | 0755, 0) == 0);
	job(k, ASSAY_EXITED, 0, "hello\n");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	EXPECT_CONTAINS(reason, "no plan");
	job(k, ASSAY_EXITED, 0, "hello\nok 1 - late start\n1..1\n");
	EXPECT_STREQ(cases, "pass late start\n");
	EXPECT_EQ(reports, 1);
	/* GLib: a failed assertion bails out, then aborts */
	job(k, ASSAY_SIGNALED, SIGABRT, "1..3\nok 1\nBail out! GLib:ERROR:x.c:7: assertion failed\n");
	EXPECT_EQ(got.outcome, ASSAY_CRASH);
	EXPECT_STREQ(reason, "crash (SIGABRT) after 1 test point; line 3: Bail out! GLib:ERROR:x.c:7: assertion failed");
	job(k, ASSAY_TIMED_OUT, SIGTERM, "1..2\nok 1\n");
	EXPECT_EQ(got.outcome, ASSAY_TIMEOUT);
	EXPECT_STREQ(reason, "timeout after 2.5s after 1 test point");
}

ASSAY_TEST(exec, kinds)
{
	const struct assay_kind *k = auto_kind();

	EXPECT_STREQ(k->name, "auto");
	EXPECT_TRUE(k->claim("x", S_IFREG | 0755, 0) > 0);
	EXPECT_TRUE(k->claim("x", S_IFREG | 0644, 0) == 0);
	EXPECT_TRUE(k->claim("x", S_IFDIR | 0755, 0) == 0);

	judge(ASSAY_EXITED, 0, "");
	EXPECT_EQ(got.outcome, ASSAY_PASS);
	judge(ASSAY_EXITED, 1, "");
	EXPECT_EQ(got.outcome, ASSAY_FAIL);
	EXPECT_STREQ(reason, "exit code 1");
	judge(ASSAY_EXITED, 77, "checking...\nno GPU in this machine\n\n");
	EXPECT_EQ(got.outcome, ASSAY_SKIP);
	EXPECT_STREQ(reason, "no GPU in this machine");
	judge(ASSAY_EXITED, 77, "");
	EXPECT_STREQ(reason, "exit code 77");
	judge(ASSAY_EXITED, 99, "");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	EXPECT_CONTAINS(reason, "99");
	judge(ASSAY_SIGNALED, SIGSEGV, "");
	EXPECT_EQ(got.outcome, ASSAY_CRASH);
	EXPECT_STREQ(reason, "crash (SIGSEGV)");
	judge(ASSAY_SIGNALED, SIGABRT, "");
	EXPECT_STREQ(reason, "crash (SIGABRT)");
	judge(ASSAY_TIMED_OUT, SIGTERM, "");
	EXPECT_EQ(got.outcome, ASSAY_TIMEOUT);
	EXPECT_STREQ(reason, "timeout after 2.5s");
	exit_timeout_s = 0.25;          /* a batch's case, timed by its own */
	judge(ASSAY_TIMED_OUT, SIGTERM, "");
	EXPECT_STREQ(reason, "timeout after 0.25s");
	exit_timeout_s = 0;
	judge(ASSAY_TIMED_OUT, SIGKILL, "");
	EXPECT_CONTAINS(reason, "ignored SIGTERM");
	judge(ASSAY_CANCELLED, SIGTERM, "");
	EXPECT_EQ(got.outcome, ASSAY_INTERRUPTED);      /* "cancelled" */
	EXPECT_STREQ(reason, "cancelled after 0.0s: the run was interrupted");
	EXPECT_EQ(assay_outcome_tally(ASSAY_INTERRUPTED), ASSAY_TALLY_NOT_RUN);
	EXPECT_STREQ(assay_outcome_name(ASSAY_INTERRUPTED), "cancelled");
	judge(ASSAY_SPAWN_FAILED, ENOEXEC, "");
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	EXPECT_CONTAINS(reason, "#!");
	judge((enum assay_exit_how)99, 0, "");  /* from a newer host */
	EXPECT_EQ(got.outcome, ASSAY_ERROR);
	test_sniffed();
	test_sniff_trusted();
	test_exec_kind();
	test_plan_rule();
	test_tap_kind();
}

ASSAY_MAIN()
