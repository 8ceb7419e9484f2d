/*
 * plugins/api.c - the assay kind: a program written with assay/test.h,
 * each of its tests a test of assay's own; and the reading of the
 * worker protocol (docs/api.md) it speaks, which the cuda kind's worker
 * speaks too (plugins/cuda.c, through builtin.h's workerjob_*).
 *
 * Recognised by the marker every file that includes the header carries
 * (not by a guess). Listed with --list; a task runs a batch of its tests
 * on a worker (`--assay-serve`: the batch's ids on its stdin, a "D" frame
 * at its end, "G" frames for tests it gave back when asked), or in a
 * process of its own (`--assay-worker` and one --filter per test), and
 * reads the worker protocol: a start frame starts a case (and its
 * deadline), an end frame judges it, the bytes between are its output.
 * A case that was running when the process crashed, was killed or timed
 * out is blamed for it (several at once on the worker's threads: each
 * runs again alone, but the longest at a deadline); the cases after it
 * are the host's to run again.
 * Never judges a case the frames are silent on, never reads a frame
 * past its bounds.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/binary.h"
#include "harness/io.h"
#include "harness/xalloc.h"

#define FRAME '\x1e'
#define HEAD_MAX 4096           /* an end frame's first line, at most */
#define BODY_MAX (1u << 20)     /* its message, at and details, at most */
#define CASE_OUTPUT_MAX (64 * 1024)
#define REASON_MAX 512
#define ISOLATE_SLACK_S 1.0     /* the host's deadline for an isolate
                                 * test, past the one its worker keeps */

/* ---- recognising it ---- */

/* assay/test.h's marker, put together here so that assay itself never
 * carries it whole. */
static void marker(char m[BINARY_MARKER_MAX])
{
	snprintf(m, BINARY_MARKER_MAX, "%c%s%s%c", 0x1f, "assay-test-", "api:1", 0x1f);
}

static int api_claim(const char *path, unsigned mode, int named)
{
	char m[BINARY_MARKER_MAX];
	const char *v[1] = { m };

	marker(m);
	return binary_file_carries(path, mode, v, 1) ? 40 : 0;
}

/* ---- listing ---- */

static int api_list_spec(const struct assay_test *t, struct assay_spec *spec)
{
	static const char *argv[3];     /* used before the next call */

	argv[0] = t->path;
	argv[1] = "--list";
	argv[2] = NULL;
	spec->argv = argv;
	/* what it lists is in the program alone (its identity is in the
	 * key): kept, with the attributes, until it is rebuilt */
	spec->cache_key = "assay/test.h 1";
	return 0;
}

/* The attributes of a listed test ("timeout=S tags=a,b serial isolate
 * threads resources=a,b gpus=N gpu-exclusive", as the program checked
 * them) to the sink. A
 * worker leaves the timing of its tests to the host (which looks before
 * it kills), but times an isolate test's child itself and kills only
 * that: the host's deadline for one is a backstop, ISOLATE_SLACK_S
 * later. */
static void list_traits(struct assay_case_sink *sink, const char *s, size_t n)
{
	char *attrs = xstrndup(s, n), *save = NULL;
	struct assay_case_traits tr = { .struct_size = sizeof(tr) };
	bool isolate = false;

	if (sink->struct_size < offsetof(struct assay_case_sink, traits) +
				sizeof(sink->traits) || !sink->traits) {
		free(attrs);
		return;
	}
	for (char *w = strtok_r(attrs, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(w, "timeout=", 8))
			tr.timeout_s = strtod(w + 8, NULL);
		else if (!strcmp(w, "serial"))
			tr.serial = 1;
		else if (!strcmp(w, "isolate"))
			isolate = true;
		else if (!strncmp(w, "tags=", 5))
			tr.tags = w + 5;
		else if (!strncmp(w, "resources=", 10))
			tr.groups = w + 10;
		else if (!strncmp(w, "gpus=", 5))
			tr.gpus = (unsigned)strtoul(w + 5, NULL, 10);
		else if (!strcmp(w, "gpu-exclusive"))
			tr.gpu_exclusive = 1;
	}
	if (isolate && tr.timeout_s > 0)
		tr.timeout_s += ISOLATE_SLACK_S;
	sink->traits(sink, &tr);
	free(attrs);
}

int workerjob_list_parse(const struct assay_test *t, const struct assay_exit *ex,
			  const char *out, size_t len, struct assay_case_sink *sink,
			  char *errbuf, size_t errlen)
{
	if (ex->how != ASSAY_EXITED || ex->code) {
		snprintf(errbuf, errlen, "listing %s failed (exit %d): it runs whole",
			 t->path, ex->code);
		return -1;
	}
	for (const char *s = out, *end = out + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		size_t id = strcspn(s, "\t\n");
		if (id > n)
			id = n;
		if (id) {
			char *name = xstrndup(s, id);
			sink->add(sink, name, NULL);
			if (id < n)
				list_traits(sink, s + id + 1, n - id - 1);
			free(name);
		}
		s += n + 1;
	}
	return 0;
}

/* ---- running ---- */

/* A case between its frames. */
struct running {
	char *name;                     /* malloc'd, kept for the next one */
	size_t size;
	ptrdiff_t at;                   /* which of the task's cases; -1: a
	                                 * whole run's */
	uint64_t start;
};

/* The end frame whose head was read: "E ID OUTCOME US MLEN ALEN DLEN"
 * (id and word point into the head, kept until the body is read). */
struct end_head {
	const char *id, *word;
	size_t id_len, word_len;
	unsigned long long us;
	size_t m, at, d;
};

struct api_job {
	const struct assay_task *task;
	const char *hang;               /* after a timeout's reason, or NULL */
	char **argv;
	char *request;                  /* the batch for a worker: its ids,
	                                 * a line each, and an empty line */
	bool over;                      /* its "D" frame came */
	char said[256];                 /* its output before the first frame */
	size_t said_len;
	size_t next_asked;              /* the task's case expected next */
	const char *const **sorted;     /* the task's cases by name, made
	                                 * when one comes out of order */
	bool *judged;                   /* per case of the task: its verdict
	                                 * came (or it was given back) */
	/* a frame being read */
	bool in_head, in_body;
	char head[HEAD_MAX];
	size_t head_len;
	struct end_head end;            /* an end frame's head, parsed */
	char *body;
	size_t body_len, body_want, body_size;
	/* the cases between their frames: one, or several on a worker's
	 * threads; the output since the last end frame is the next one's
	 * to end */
	struct running *run;
	size_t nrun, run_cap;
	char out[CASE_OUTPUT_MAX];
	size_t out_len;
	unsigned long reported;
};

static int cmp_case(const void *x, const void *y)
{
	return strcmp(**(const char *const *const *)x, **(const char *const *const *)y);
}

/* Which of the task's cases id is; -1: none. The worker runs them in
 * the order given, as a rule: the expected one is tried first. */
static ptrdiff_t asked_at(struct api_job *a, const char *id)
{
	const char *const *cases = a->task->cases, *const *key = &id, *const **at;
	size_t n = a->task->ncases;

	if (a->next_asked < n && !strcmp(cases[a->next_asked], id))
		return (ptrdiff_t)a->next_asked++;
	if (!a->sorted) {
		a->sorted = xmalloc((n + 1) * sizeof(*a->sorted));
		for (size_t i = 0; i < n; i++)
			a->sorted[i] = &cases[i];
		qsort(a->sorted, n, sizeof(*a->sorted), cmp_case);
	}
	if (!(at = bsearch(&key, a->sorted, n, sizeof(*a->sorted), cmp_case)))
		return -1;
	a->next_asked = (size_t)(*at - cases) + 1;
	return *at - cases;
}

int workerjob_begin(void **state, const struct assay_task *task,
		    struct assay_spec *spec, char *const *head, size_t nhead,
		    const char *hang)
{
	struct api_job *a = xcalloc(1, sizeof(*a));
	size_t n = 0;

	a->task = task;
	a->hang = hang;
	a->argv = xcalloc(2 * task->ncases + nhead + 1, sizeof(*a->argv));
	while (n < nhead) {
		a->argv[n] = head[n];
		n++;
	}
	for (size_t i = 0; task->cases && i < task->ncases; i++) {
		a->argv[n++] = "--filter";
		a->argv[n++] = (char *)task->cases[i];
	}
	spec->argv = (const char *const *)a->argv;
	if (task->cases && spec->struct_size >= offsetof(struct assay_spec, request_len) +
						sizeof(spec->request_len)) {
		size_t len = 1;

		for (size_t i = 0; i < task->ncases; i++)
			len += strlen(task->cases[i]) + 1;
		a->request = xmalloc(len + 1);
		spec->request = a->request;
		spec->request_len = len;
		len = 0;
		for (size_t i = 0; i < task->ncases; i++) {
			size_t k = strlen(task->cases[i]);
			memcpy(a->request + len, task->cases[i], k);
			a->request[len + k] = '\n';
			len += k + 1;
		}
		a->request[len] = '\n';
	}
	if (task->cases)
		a->judged = xcalloc(task->ncases + 1, sizeof(*a->judged));
	*state = a;
	return 0;
}

/* A worker: `PROGRAM --assay-serve -j T`, batch after batch. */
static int api_serve_spec(const struct assay_test *t, unsigned threads,
			  struct assay_spec *spec)
{
	static char jobs[16];
	static const char *argv[5];     /* used before the next call */

	snprintf(jobs, sizeof(jobs), "%u", threads ? threads : 1);
	argv[0] = t->path;
	argv[1] = "--assay-serve";
	argv[2] = "-j";
	argv[3] = jobs;
	argv[4] = NULL;
	spec->argv = argv;
	if (spec->struct_size >= offsetof(struct assay_spec, give_back_len) +
				 sizeof(spec->give_back_len)) {
		spec->give_back = "Y\n";
		spec->give_back_len = 2;
	}
	return 0;
}

static int api_job_begin(void **state, const struct assay_task *task,
			 struct assay_spec *spec)
{
	char *head[] = { (char *)task->test->path, "--assay-worker" };

	return workerjob_begin(state, task, spec, head, 2, NULL);
}

static void out_add(struct api_job *a, const char *buf, size_t n)
{
	if (a->nrun) {
		case_output_add(a->out, &a->out_len, CASE_OUTPUT_MAX, buf, n);
	} else if (!a->reported) {      /* what it said before any case */
		size_t k = sizeof(a->said) - 1 - a->said_len;

		memcpy(a->said + a->said_len, buf, n < k ? n : k);
		a->said_len += n < k ? n : k;
	}
}

/* The verdict on the running case i, which ends. */
static void report(struct api_job *a, struct assay_job_ctx *ctx, size_t i,
		   enum assay_outcome o, const char *reason, uint64_t ns,
		   const char *diag, const char *classification)
{
	struct running *r = &a->run[i], last;
	struct assay_verdict v = {
		.struct_size = sizeof(v), .case_name = r->name, .outcome = o,
		.reason = reason, .duration_ns = ns ? ns : 1,
		.output = a->out, .output_len = a->out_len, .diag = diag,
		.classification = classification,
	};

	if (r->at >= 0)
		a->judged[r->at] = true;
	a->reported++;
	ctx->report(ctx, &v);
	a->out_len = 0;
	/* the last one takes its place (names are kept, not freed) */
	last = a->run[--a->nrun];
	a->run[a->nrun] = *r;
	*r = last;
}

/* Where the case id is among the running ones; -1: it is not. */
static ptrdiff_t running_at(const struct api_job *a, const char *id, size_t n)
{
	for (size_t i = 0; i < a->nrun; i++)
		if (!strncmp(a->run[i].name, id, n) && !a->run[i].name[n])
			return (ptrdiff_t)i;
	return -1;
}

/* "S ID": the case begins, when it may: asked (a whole run asks for
 * all), and not judged already (a worker that runs a case twice is
 * judged once); else the frame is ignored. */
static void on_start(struct api_job *a, struct assay_job_ctx *ctx,
		     const char *id)
{
	ptrdiff_t at = -1;
	size_t n = strlen(id);
	struct running *r;

	if ((a->task->cases && ((at = asked_at(a, id)) < 0 || a->judged[at])) ||
	    running_at(a, id, n) >= 0)
		return;
	if (a->nrun == a->run_cap) {
		a->run = xrealloc(a->run, (a->run_cap = a->run_cap ? 2 * a->run_cap : 4) *
					  sizeof(*a->run));
		memset(a->run + a->nrun, 0, (a->run_cap - a->nrun) * sizeof(*a->run));
	}
	r = &a->run[a->nrun];
	if (r->size < n + 1)
		r->name = xrealloc(r->name, r->size = n + 1);
	memcpy(r->name, id, n + 1);
	r->at = at;
	r->start = io_recent_ns();
	if (!a->nrun)
		a->out_len = 0;
	a->nrun++;
	if (ctx->struct_size >= offsetof(struct assay_job_ctx, case_start) +
				sizeof(ctx->case_start) && ctx->case_start)
		ctx->case_start(ctx, id);
}


/* Whether the word w[0..n) is s. */
static bool is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(w, s, n);
}

/* "G ID": the worker gave the case back unstarted (the host asked):
 * no verdict here, when it is asked, unjudged and not running. */
static void on_given(struct api_job *a, struct assay_job_ctx *ctx,
		     const char *id)
{
	ptrdiff_t at;

	if (!a->task->cases || (at = asked_at(a, id)) < 0 || a->judged[at] ||
	    running_at(a, id, strlen(id)) >= 0 ||
	    ctx->struct_size < offsetof(struct assay_job_ctx, give_back) +
			       sizeof(ctx->give_back) || !ctx->give_back)
		return;
	a->judged[at] = true;
	ctx->give_back(ctx, id);
}

/* The end frame and its body are whole: the case's verdict. */
static void on_end(struct api_job *a, struct assay_job_ctx *ctx)
{
	const struct end_head *e = &a->end;
	char reason[REASON_MAX];
	enum assay_outcome o;
	const char *w = e->word;
	size_t n = e->word_len;

	ptrdiff_t i = running_at(a, e->id, e->id_len);

	if (i < 0)
		return;                 /* not a case that began: ignored */
	o = is(w, n, "pass") ? ASSAY_PASS : is(w, n, "skip") ? ASSAY_SKIP :
	    is(w, n, "timeout") ? ASSAY_TIMEOUT : is(w, n, "crash") ? ASSAY_CRASH :
	    ASSAY_FAIL;
	reason[0] = 0;
	if (e->at)
		snprintf(reason, sizeof(reason), "%.*s: %.*s", (int)e->at, a->body + e->m,
			 (int)e->m, a->body);
	else if (e->m)
		snprintf(reason, sizeof(reason), "%.*s", (int)e->m, a->body);
	for (char *c = reason; *c; c++)         /* one line */
		if (*c == '\n')
			*c = ' ';
	/* the body ends in a NUL: the details are its last part */
	report(a, ctx, (size_t)i, o, reason, (uint64_t)e->us * 1000u,
	       e->d ? a->body + e->m + e->at : NULL, o == ASSAY_FAIL ? "assay" : NULL);
}

/* The next space-ended word of *p: w, n bytes; false when empty. */
static bool word(const char **p, const char **w, size_t *n)
{
	const char *s = *p, *sp = strchr(s, ' ');

	*n = sp ? (size_t)(sp - s) : strlen(s);
	*w = s;
	*p = s + *n + (sp != NULL);
	return *n > 0;
}

/* The next word of *p as a decimal number of at most max. */
static bool number(const char **p, unsigned long long max, unsigned long long *out)
{
	const char *w;
	size_t n;
	unsigned long long v = 0;

	if (!word(p, &w, &n) || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)w[i]))
			return false;
		v = v * 10 + (unsigned)(w[i] - '0');
	}
	*out = v;
	return v <= max;
}

/* "ID OUTCOME US MLEN ALEN DLEN": an end frame's head, into e. */
static bool parse_end(const char *s, struct end_head *e)
{
	unsigned long long m, at, d;

	if (!word(&s, &e->id, &e->id_len) || !word(&s, &e->word, &e->word_len) ||
	    !number(&s, ULLONG_MAX, &e->us) || !number(&s, BODY_MAX, &m) ||
	    !number(&s, BODY_MAX, &at) || !number(&s, BODY_MAX, &d) || *s)
		return false;
	e->m = m;
	e->at = at;
	e->d = d;
	return true;
}

/* The head line of a frame is whole: a start, an end whose body
 * follows (read once, here), a batch's end (D) or a test given back
 * (G). */
static void on_head(struct api_job *a, struct assay_job_ctx *ctx)
{
	struct end_head *e = &a->end;

	a->head[a->head_len] = 0;
	if (a->head_len == 1 && a->head[0] == 'D' && !a->over) {
		a->over = true;         /* the batch is over: no case runs */
		a->nrun = 0;
		if (ctx->struct_size >= offsetof(struct assay_job_ctx, job_done) +
					sizeof(ctx->job_done) && ctx->job_done)
			ctx->job_done(ctx);
		return;
	}
	if (a->head_len > 2 && a->head[0] == 'S' && a->head[1] == ' ') {
		on_start(a, ctx, a->head + 2);
		return;
	}
	if (a->head_len > 2 && a->head[0] == 'G' && a->head[1] == ' ') {
		on_given(a, ctx, a->head + 2);
		return;
	}
	if (a->head_len > 2 && a->head[0] == 'E' && a->head[1] == ' ' &&
	    parse_end(a->head + 2, e)) {
		a->body_want = e->m + e->at + e->d;
		if (a->body_want + 1 > a->body_size)
			a->body = xrealloc(a->body, a->body_size = a->body_want + 1);
		a->body_len = 0;
		a->body[a->body_want] = 0;
		a->in_body = true;
		if (!a->body_want) {
			a->in_body = false;
			on_end(a, ctx);
		}
	}
}

void workerjob_output(void *state, int stream, const char *buf, size_t n,
		      struct assay_job_ctx *ctx)
{
	struct api_job *a = state;

	if (stream != 1) {              /* stderr: the case's output */
		out_add(a, buf, n);
		return;
	}
	for (size_t i = 0; i < n;) {
		if (a->in_body) {
			size_t k = a->body_want - a->body_len;
			if (k > n - i)
				k = n - i;
			memcpy(a->body + a->body_len, buf + i, k);
			a->body_len += k;
			i += k;
			if (a->body_len == a->body_want) {
				a->in_body = false;
				on_end(a, ctx);
			}
		} else if (a->in_head) {
			const char *nl = memchr(buf + i, '\n', n - i);
			size_t k = nl ? (size_t)(nl - (buf + i)) : n - i;
			size_t fit = HEAD_MAX - 1 - a->head_len;

			memcpy(a->head + a->head_len, buf + i, k < fit ? k : fit);
			a->head_len += k < fit ? k : fit;
			i += k;
			if (nl) {
				a->in_head = false;
				on_head(a, ctx);
				i++;
			}
		} else {
			const char *f = memchr(buf + i, FRAME, n - i);
			size_t k = f ? (size_t)(f - (buf + i)) : n - i;
			out_add(a, buf + i, k);
			i += k;
			if (f) {
				a->in_head = true;
				a->head_len = 0;
				i++;
			}
		}
	}
}

/* The program refused the batch before any case (99: its arguments, an
 * attribute, a module or device it could not open): each asked case is
 * an error, with the first line it said. */
static void refused(struct api_job *a, struct assay_job_ctx *ctx)
{
	char reason[REASON_MAX];

	a->said[strcspn(a->said, "\n")] = '\0';
	snprintf(reason, sizeof(reason), "the program ended (exit 99) before its first case: %s",
		 a->said[0] ? a->said : "it said nothing");
	for (size_t i = 0; i < a->task->ncases; i++) {
		struct assay_verdict v = {
			.struct_size = sizeof(v), .case_name = a->task->cases[i],
			.outcome = ASSAY_ERROR, .reason = reason,
		};

		ctx->report(ctx, &v);
	}
}

void workerjob_end(void *state, const struct assay_exit *ex,
		   struct assay_job_ctx *ctx)
{
	struct api_job *a = state;
	struct assay_verdict v = { .struct_size = sizeof(v) };
	char reason[REASON_MAX];
	size_t beside;

	/* it ended in these cases. Several (on its threads) cannot be told
	 * apart: at a deadline the one whose deadline passed is judged, and
	 * the rest (all of them after a crash) run again alone */
	beside = a->nrun ? a->nrun - 1 : 0;
	if (a->nrun > 1 && ctx->struct_size >= offsetof(struct assay_job_ctx, rerun) +
						sizeof(ctx->rerun) && ctx->rerun) {
		size_t keep = 0;
		struct running k;
		const char *due = ctx->struct_size >= offsetof(struct assay_job_ctx, timed_out_case) +
				  sizeof(ctx->timed_out_case) ? ctx->timed_out_case : NULL;

		/* the one whose deadline passed, as the host says; else the
		 * one that ran longest */
		for (size_t i = 1; i < a->nrun; i++)
			if (a->run[i].start < a->run[keep].start)
				keep = i;
		for (size_t i = 0; due && i < a->nrun; i++)
			if (!strcmp(a->run[i].name, due))
				keep = i;
		for (size_t i = 0; i < a->nrun; i++)
			if (i != keep || ex->how != ASSAY_TIMED_OUT) {
				if (a->run[i].at >= 0)
					a->judged[a->run[i].at] = true;
				ctx->rerun(ctx, a->run[i].name);
			}
		k = a->run[keep];       /* (names are kept, not freed) */
		a->run[keep] = a->run[0];
		a->run[0] = k;
		a->nrun = ex->how == ASSAY_TIMED_OUT;
	}
	while (a->nrun) {
		size_t k;

		exec_judge_cut(ex, ctx->test, &v, reason, sizeof(reason));
		k = strlen(reason);
		if (a->hang && v.outcome == ASSAY_TIMEOUT)
			k += (size_t)snprintf(reason + k, sizeof(reason) - k, "%s", a->hang);
		if (beside && k < sizeof(reason))
			snprintf(reason + k, sizeof(reason) - k,
				 " (while it ran beside %zu other test%s on the worker's threads)",
				 beside, beside == 1 ? "" : "s");
		report(a, ctx, a->nrun - 1, v.outcome, reason,
		       io_now_ns() - a->run[a->nrun - 1].start, NULL,
		       v.outcome == ASSAY_FAIL ? "assay" : NULL);
	}
	/* the program's own verdict, for a whole run only (a batch's cases
	 * the frames left unjudged are the host's): when it said nothing
	 * of any test, or ended as no program of this API does (99: its
	 * arguments or an attribute) */
	exec_judge(ex, ctx->test, &v, reason, sizeof(reason));
	if (a->task->cases && !a->reported && ex->how == ASSAY_EXITED &&
	    ex->code == 99)
		refused(a, ctx);
	if (!a->task->cases &&
	    (!a->reported || (ex->how == ASSAY_EXITED && ex->code != 0 &&
			      ex->code != 1 && ex->code != 77))) {
		v.case_name = NULL;
		v.reason = reason;
		ctx->report(ctx, &v);
	}
	free(a->argv);
	free(a->request);
	free(a->sorted);
	free(a->judged);
	free(a->body);
	for (size_t i = 0; i < a->run_cap; i++)
		free(a->run[i].name);
	free(a->run);
	free(a);
}

static const struct assay_kind api_kind = {
	.abi_version = ASSAY_PLUGIN_ABI, .struct_size = sizeof(api_kind),
	.name = "assay",
	.summary = "a program written with assay/test.h: each test its own",
	.claim = api_claim,
	.job_begin = api_job_begin,
	.job_output = workerjob_output,
	.job_end = workerjob_end,
	.list_spec = api_list_spec,
	.list_parse = workerjob_list_parse,
	.serve_spec = api_serve_spec,
};

static const struct assay_kind *const kinds[] = { &api_kind, NULL };

static const struct assay_plugin plugin = {
	.abi_version = ASSAY_PLUGIN_ABI, .struct_size = sizeof(plugin),
	.name = "api", .kinds = kinds,
};

const struct assay_plugin *api_plugin(void)
{
	return &plugin;
}
