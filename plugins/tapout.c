/*
 * plugins/tapout.c - the tap reporter: assay's results as a TAP 14
 * stream (`--format tap` on stdout, or `--reporter tap=FILE`); tap13 is
 * the same stream headed `TAP version 13`, for readers that refuse 14
 * (prove before Test::Harness 3.48): they skip the indented subtests and
 * read each test's own point.
 *
 * One test point per test; a test with cases (a TAP program's points)
 * is a subtest, its cases indented points and the test itself the
 * correlated point. A test's lines are written together when its job
 * ends, so parallel jobs never interleave; the plan comes last. Failures
 * carry a YAML block (message, severity, duration_ms). Never writes
 * anything but TAP to its stream, never reads anything but events.
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/plugin.h"
#include "builtin.h"

/* What one slot's running job has produced so far. */
struct pending {
	uint64_t task;          /* 0: a free entry */
	char *body;             /* the subtest's lines */
	size_t body_len;
	FILE *f;                /* writes into body */
	unsigned long cases;
	unsigned long failed;   /* cases counted as failed */
	bool own;               /* the test's own result came */
	enum assay_outcome outcome;
	enum assay_tally tally;
	char *reason;
	unsigned attempt, iteration, iterations;  /* of the test's own result */
	bool flaky;             /* passed after a failed attempt */
	bool retried;           /* a failed attempt that runs again */
};

struct tapout {
	FILE *out;
	int version;
	unsigned long points;
	struct pending *slots;
	unsigned nslots;
};

/* A description or reason as TAP wants it: '#' and '\' escaped, line
 * breaks and other controls as spaces. */
static void put_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
}

/* A YAML double-quoted scalar. */
static void put_yaml_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* One test point for a result, at the given indentation. */
static void put_point(FILE *f, const char *ind, unsigned long n,
		      const char *name, enum assay_outcome o,
		      enum assay_tally tally, const char *reason,
		      uint64_t duration_ns)
{
	const char *directive = NULL;
	bool ok = tally != ASSAY_TALLY_FAILED;

	switch (o) {
	case ASSAY_SKIP: directive = "SKIP"; break;
	case ASSAY_NOT_RUN: case ASSAY_INTERRUPTED: directive = "SKIP"; ok = false; break;
	case ASSAY_TODO: case ASSAY_XFAIL: directive = "TODO"; ok = false; break;
	case ASSAY_XPASS: directive = ok ? "TODO" : NULL; break;
	default: break;
	}
	fprintf(f, "%s%s %lu - ", ind, ok ? "ok" : "not ok", n);
	put_text(f, name);
	if (directive) {
		fprintf(f, " # %s%s", directive, *reason ? " " : "");
		if (o == ASSAY_NOT_RUN)
			fputs("not run: ", f);
		else if (o == ASSAY_INTERRUPTED && strncmp(reason, "cancelled", 9))
			fputs("cancelled: ", f);
		put_text(f, reason);
	}
	fputc('\n', f);
	if (ok || directive)
		return;
	fprintf(f, "%s  ---\n%s  message: ", ind, ind);
	put_yaml_str(f, *reason ? reason : assay_outcome_name(o));
	fprintf(f, "\n%s  severity: %s\n%s  duration_ms: %.3f\n%s  ...\n", ind,
		assay_outcome_name(o), ind, duration_ns / 1e6, ind);
}

/* The entry of the running task (0: a free entry), or NULL. At most
 * run->jobs tasks run at once, one entry each. */
static struct pending *pending_of(struct tapout *t, uint64_t task)
{
	for (unsigned i = 0; i < t->nslots; i++)
		if (t->slots[i].task == task)
			return &t->slots[i];
	return NULL;
}

static void on_test_end(struct tapout *t, const struct assay_event *ev)
{
	const struct assay_result *r = ev->result;
	const char *id = ev->test->id;
	size_t idlen = strlen(id);
	struct pending *p;

	if (!ev->task || !(p = pending_of(t, ev->task->id))) { /* never ran */
		put_point(t->out, "", ++t->points, r->id, r->outcome, assay_result_tally(r),
			  r->reason, r->duration_ns);
		return;
	}
	if (!strncmp(r->id, id, idlen) && r->id[idlen] == ':' &&
	    r->id[idlen + 1] == ':') {          /* one of its cases */
		if (!p->f)
			p->f = open_memstream(&p->body, &p->body_len);
		if (!p->f)
			return;
		put_point(p->f, "    ", ++p->cases, r->id + idlen + 2, r->outcome,
			  assay_result_tally(r), r->reason, r->duration_ns);
		p->failed += assay_result_tally(r) == ASSAY_TALLY_FAILED;
		return;
	}
	p->own = true;
	p->outcome = r->outcome;
	p->tally = assay_result_tally(r);
	free(p->reason);
	p->reason = strdup(r->reason);
	if (r->struct_size >= offsetof(struct assay_result, flaky) + sizeof(r->flaky)) {
		p->attempt = r->attempt;
		p->iteration = r->iteration;
		p->iterations = r->iterations;
		p->flaky = r->flaky;
	}
}

/* An attempt that failed and runs again: a comment, not a point (the
 * final attempt's point is the test's). */
static void on_test_retry(struct tapout *t, const struct assay_event *ev)
{
	const struct assay_result *r = ev->result;
	struct pending *p = ev->task ? pending_of(t, ev->task->id) : NULL;

	if (p)
		p->retried = true;
	fprintf(t->out, "# retry: ");
	put_text(t->out, r->id);
	fprintf(t->out, " failed on attempt %u%s%s", r->attempt,
		r->struct_size >= offsetof(struct assay_result, alone) +
		sizeof(r->alone) && r->alone ? " (to be rerun alone)" : "",
		*r->reason ? ": " : "");
	put_text(t->out, r->reason);
	fputc('\n', t->out);
}

/* The task is over: its test point, after its subtest when it has cases.
 * The point fails when the test's own result or any case failed. A test
 * whose cases run in several tasks has a point for each. */
static void on_job_end(struct tapout *t, const struct assay_event *ev)
{
	struct pending *p;
	enum assay_outcome o = ASSAY_PASS;
	enum assay_tally tally = ASSAY_TALLY_PASSED;
	char why[64], *name;
	const char *reason = "";

	if (!(p = pending_of(t, ev->task->id)))
		return;
	/* a retried attempt is a point only for its cases that were final
	 * (a retry, or a run alone, runs the failed ones again) */
	if (p->retried && !p->cases)
		goto done;
	if (p->own) {
		o = p->outcome;
		tally = p->tally;
		reason = p->reason ? p->reason : "";
	}
	if (p->failed && tally != ASSAY_TALLY_FAILED) {
		snprintf(why, sizeof(why), "%lu of %lu cases failed", p->failed,
			 p->cases);
		o = ASSAY_FAIL;
		tally = ASSAY_TALLY_FAILED;
		reason = why;
	}
	if (p->cases && p->f && fflush(p->f) == 0) {
		fputs("# Subtest: ", t->out);
		put_text(t->out, ev->test->id);
		fputc('\n', t->out);
		fwrite(p->body, 1, p->body_len, t->out);
		fprintf(t->out, "    1..%lu\n", p->cases);
	}
	if (p->flaky)
		fprintf(t->out, "# flaky: passed on attempt %u after failing\n",
			p->attempt);
	if (p->iterations < 2 || asprintf(&name, "%s [%u/%u]", ev->test->id,
					  p->iteration, p->iterations) < 0)
		name = NULL;
	put_point(t->out, "", ++t->points, name ? name : ev->test->id, o, tally,
		  reason, ev->exit ? ev->exit->duration_ns : 0);
	free(name);
done:
	if (p->f)
		fclose(p->f);
	free(p->body);
	free(p->reason);
	memset(p, 0, sizeof(*p));
	fflush(t->out);
}

static void tapout_event(void *state, const struct assay_event *ev)
{
	struct tapout *t = state;
	const struct assay_run_info *r = ev->run;
	struct pending *p;

	switch (ev->type) {
	case ASSAY_EV_RUN_START:
		t->nslots = r->jobs;
		t->slots = calloc(r->jobs, sizeof(*t->slots));
		if (!t->slots)
			t->nslots = 0;
		fprintf(t->out, "TAP version %d\n", t->version);
		fflush(t->out);
		break;
	case ASSAY_EV_TEST_END:
		on_test_end(t, ev);
		break;
	case ASSAY_EV_TEST_RETRY:
		on_test_retry(t, ev);
		break;
	case ASSAY_EV_TASK_START:
		if ((p = pending_of(t, 0)))
			p->task = ev->task->id;
		break;
	case ASSAY_EV_TASK_END:
		on_job_end(t, ev);
		break;
	case ASSAY_EV_RUN_END:
		fprintf(t->out, "# assay: %zu passed, %zu failed, %zu skipped\n1..%lu\n",
			r->passed, r->failed, r->skipped, t->points);
		fflush(t->out);
		break;
	default:
		break;
	}
}

static int open_version(void **state, struct assay_reporter_opts *o,
			char *errbuf, size_t errlen, int version)
{
	struct tapout *t = calloc(1, sizeof(*t));
	int fd;

	if (!t) {
		snprintf(errbuf, errlen, "tap reporter: out of memory");
		return -1;
	}
	fd = o->arg ? open(o->arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)
		    : fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || !(t->out = fdopen(fd, "w"))) {
		snprintf(errbuf, errlen, "tap reporter: cannot write %s: %m",
			 o->arg ? o->arg : "to standard output");
		if (fd >= 0)
			close(fd);
		free(t);
		return -1;
	}
	t->version = version;
	*state = t;
	return 0;
}

static int tap14_open(void **state, struct assay_reporter_opts *o, char *errbuf,
		      size_t errlen)
{
	return open_version(state, o, errbuf, errlen, 14);
}

static int tap13_open(void **state, struct assay_reporter_opts *o, char *errbuf,
		      size_t errlen)
{
	return open_version(state, o, errbuf, errlen, 13);
}

static int tapout_close(void *state, char *errbuf, size_t errlen)
{
	struct tapout *t = state;
	int bad = ferror(t->out);

	bad |= fclose(t->out) != 0;
	for (unsigned i = 0; i < t->nslots; i++) {
		if (t->slots[i].f)
			fclose(t->slots[i].f);
		free(t->slots[i].body);
		free(t->slots[i].reason);
	}
	free(t->slots);
	free(t);
	if (bad) {
		snprintf(errbuf, errlen, "tap reporter: writing the TAP stream failed");
		return -1;
	}
	return 0;
}

static const struct assay_reporter tap14_reporter = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_reporter),
	.name = "tap",
	.summary = "results as a TAP 14 stream (--format tap, or tap=FILE)",
	.open = tap14_open,
	.event = tapout_event,
	.close = tapout_close,
}, tap13_reporter = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_reporter),
	.name = "tap13",
	.summary = "the same, headed TAP version 13 (--format tap13, or tap13=FILE)",
	.open = tap13_open,
	.event = tapout_event,
	.close = tapout_close,
};

static const struct assay_reporter *const reporters[] = {
	&tap14_reporter, &tap13_reporter, NULL,
};

const struct assay_plugin *tapout_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "tap-out",
		.reporters = reporters,
	};
	return &p;
}
