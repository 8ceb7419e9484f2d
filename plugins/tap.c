/*
 * plugins/tap.c - the tap kind: a program whose standard output is TAP,
 * each test point a case (harness/tap.c reads it; docs/tap.md has the
 * rules).
 *
 * Also reads for the auto and installed-tests kinds. A tap job parses
 * from its first byte; a sniffing job holds its first bytes until
 * tap_sniff can say whether they are TAP beyond doubt, then either
 * parses them or judges the program by its exit status alone (the host
 * judges sanitizer reports, for every kind). A sniffed stream's points
 * count, but it is not held to the protocol: when it breaks it, the
 * exit status judges (docs/tap.md). Never holds more than SNIFF_MAX bytes,
 * never reports a case twice, never reports two results for the program
 * itself, never judges a signal or a deadline itself (exec_judge does).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/io.h"
#include "harness/tap.h"
#include "harness/xalloc.h"

#define SNIFF_MAX (64 * 1024)

enum mode { SNIFFING, READING_TAP, PLAIN };

struct tapjob {
	enum mode mode;
	bool sniffed;                   /* read as TAP only by its looks */
	enum tap_plan plan_rule;
	struct tap_parser *p;
	struct assay_job_ctx *ctx;      /* of the call now running */
	char *held;                     /* stdout while sniffing */
	size_t held_len;
	uint64_t start_ns;
	unsigned long cases;
};

static void on_case(void *arg, const struct tap_case *c)
{
	struct tapjob *tj = arg;
	struct assay_verdict v = {
		.struct_size = sizeof(v), .case_name = c->name,
		.outcome = c->outcome, .reason = c->reason,
		.duration_ns = c->duration_ns ? c->duration_ns : 1,
		.output = c->output, .output_len = c->output_len,
		.diag = c->yaml,
		.classification = c->outcome == ASSAY_FAIL ? "tap" : NULL,
	};

	tj->cases++;
	tj->ctx->report(tj->ctx, &v);
}

static void start_reading(struct tapjob *tj)
{
	tj->mode = READING_TAP;
	tj->p = tap_new(on_case, tj, tj->start_ns);
	tap_set_plan_rule(tj->p, tj->plan_rule);
}

int tapjob_begin(void **state, const struct assay_test *t, int sniff,
		 int plan_rule)
{
	struct tapjob *tj = xcalloc(1, sizeof(*tj));

	tj->start_ns = io_now_ns();
	tj->sniffed = sniff;
	tj->plan_rule = plan_rule ? (enum tap_plan)plan_rule : TAP_PLAN_AUTO;
	if (t->struct_size >= offsetof(struct assay_test, tap_plan) + sizeof(t->tap_plan) &&
	    t->tap_plan >= TAP_PLAN_AUTO && t->tap_plan <= TAP_PLAN_OPTIONAL)
		tj->plan_rule = (enum tap_plan)t->tap_plan;
	if (sniff)
		tj->mode = SNIFFING;
	else
		start_reading(tj);
	*state = tj;
	return 0;
}

/* Holds stdout until it is clear whether it is TAP. */
static void sniff(struct tapjob *tj, const char *buf, size_t n, uint64_t now)
{
	size_t room = SNIFF_MAX - tj->held_len, k = n < room ? n : room;
	int is_tap;

	tj->held = xrealloc(tj->held, tj->held_len + k);
	memcpy(tj->held + tj->held_len, buf, k);
	tj->held_len += k;
	is_tap = tap_sniff(tj->held, tj->held_len);
	if (is_tap < 0 && tj->held_len < SNIFF_MAX)
		return;
	if (is_tap > 0) {
		start_reading(tj);
		tap_feed(tj->p, tj->held, tj->held_len, now);
		if (k < n)
			tap_feed(tj->p, buf + k, n - k, now);
	} else {
		tj->mode = PLAIN;
	}
	free(tj->held);
	tj->held = NULL;
	tj->held_len = 0;
}

void tapjob_output(void *state, int stream, const char *buf, size_t n,
		   struct assay_job_ctx *ctx)
{
	struct tapjob *tj = state;
	uint64_t now = io_now_ns();

	tj->ctx = ctx;
	if (tj->mode == SNIFFING && stream == 1)
		sniff(tj, buf, n, now);
	else if (tj->mode == READING_TAP && stream == 1)
		tap_feed(tj->p, buf, n, now);
	else if (tj->mode == READING_TAP)
		tap_feed_other(tj->p, buf, n);
}

/* The program judged by how it ended (exec's rules), saying how many
 * cases were read before: for a program that is not TAP, or did not exit
 * by itself. */
static void judge_exit(struct tapjob *tj, const struct assay_exit *ex,
		       const struct assay_test *t, struct assay_verdict *v,
		       char *reason, size_t n)
{
	char how[256] = "";

	exec_judge(ex, t, v, how, sizeof(how));
	if (tj->cases)
		snprintf(reason, n, "%s after %lu test point%s", how, tj->cases,
			 tj->cases == 1 ? "" : "s");
	else
		snprintf(reason, n, "%s", how);
}

void tapjob_end(void *state, const struct assay_exit *ex,
		struct assay_job_ctx *ctx)
{
	struct tapjob *tj = state;
	struct tap_summary sum = { 0 };
	struct assay_verdict v = { .struct_size = sizeof(v) };
	char reason[768];
	bool own = true;        /* the program has a result of its own */

	tj->ctx = ctx;
	if (tj->mode == SNIFFING) {
		/* the end came first: a last line without a newline counts */
		tj->held = xrealloc(tj->held, tj->held_len + 1);
		tj->held[tj->held_len] = '\n';
		if (tap_sniff(tj->held, tj->held_len + 1) > 0) {
			start_reading(tj);
			tap_feed(tj->p, tj->held, tj->held_len, io_now_ns());
		} else {
			tj->mode = PLAIN;
		}
	}
	if (tj->mode == READING_TAP)
		tap_finish(tj->p, io_now_ns(),
			   ex->how == ASSAY_EXITED ? ex->code : -1, &sum);
	if (tj->mode == PLAIN || ex->how != ASSAY_EXITED) {
		judge_exit(tj, ex, ctx->test, &v, reason, sizeof(reason));
		if (tj->mode == READING_TAP && sum.bailed) {
			/* GLib's failed assertion: its message says why */
			size_t k = strlen(reason);
			snprintf(reason + k, sizeof(reason) - k, "; %s", sum.reason);
		}
	} else if (tj->sniffed && !sum.failed && sum.outcome == ASSAY_ERROR) {
		/* looked like TAP, but is not held to the protocol: the
		 * exit status judges, and the reason says what was odd */
		char how[256] = "";
		exec_judge(ex, ctx->test, &v, how, sizeof(how));
		if (!strcmp(sum.classification, "tap-protocol"))
			snprintf(reason, sizeof(reason), "%s%sits output looked like TAP, but %s",
				 how, *how ? "; " : "", sum.reason);
		else
			snprintf(reason, sizeof(reason), "%s", how);
	} else {
		v.outcome = sum.outcome;
		v.classification = sum.classification;
		snprintf(reason, sizeof(reason), "%s", sum.reason);
		own = sum.report;
	}
	if (own) {
		v.reason = reason;
		ctx->report(ctx, &v);
	}
	tap_free(tj->p);
	free(tj->held);
	free(tj);
}

/* Files named *.t are TAP, as prove has it. */
static int tap_claim(const char *path, unsigned mode, int named)
{
	size_t n = strlen(path);

	if (!S_ISREG(mode) || !(mode & 0111))
		return 0;
	return n > 2 && !strcmp(path + n - 2, ".t") ? 20 : 0;
}

static int tap_job_begin(void **state, const struct assay_task *task,
			 struct assay_spec *spec)
{
	return tapjob_begin(state, task->test, 0, 0);
}

static const struct assay_kind tap_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "tap",
	.summary = "a program that prints TAP: each test point is a case",
	.claim = tap_claim,
	.job_begin = tap_job_begin,
	.job_output = tapjob_output,
	.job_end = tapjob_end,
};

static const struct assay_kind *const kinds[] = { &tap_kind, NULL };

const struct assay_plugin *tap_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "tap",
		.kinds = kinds,
	};
	return &p;
}
