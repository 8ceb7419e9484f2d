/*
 * plugins/junit.c - the junit reporter: the run as JUnit XML
 * (`--junit FILE`, or `--reporter junit=FILE`), in the dialect
 * docs/junit.md describes and docs/junit.xsd checks.
 *
 * A job's cases are written as they come into a case file of its slot
 * (unlinked, in TMPDIR), counted and forgotten; only its own result is
 * held until its TASK_END, when its log files have their names. Then the
 * job's test cases go to the spool (an unlinked file beside FILE) as one
 * part of its program's suite: the case file copied in (each log mark it
 * holds made the note on where the program's whole output is), then the
 * held result. A program run in several jobs (batches, --repeat, its
 * copies on each GPU are programs of their own) is one <testsuite>: its
 * counts and times are summed as its jobs end, and at close each suite
 * is written, in the order the suites began, around its parts read back
 * from the spool. So memory does not grow with the run's cases: a
 * suite's counts and a part's place (16 bytes a job) are kept, and a
 * failed attempt that will be retried. The report is the root with the
 * run's totals around the suites, written to a temporary file beside
 * FILE and renamed over it. Every
 * string goes through xmltext first. Never writes XML by hand (libxml2's
 * xmlTextWriter does), never leaves FILE half-written, never reads
 * anything but events.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/io.h"
#include "harness/junitfile.h"
#include "harness/strindex.h"
#include "harness/xalloc.h"
#include "harness/xmltext.h"

/* One result, held until its job ends. */
struct held {
	char *name;
	enum assay_outcome outcome;
	enum assay_tally tally;
	char *reason, *classification, *note, *diag;
	char *output;           /* a case's own output, when it is wanted */
	size_t output_len;
	uint64_t duration_ns;
	bool own;               /* the job's own result, not a case */
	unsigned iteration;     /* of --repeat/--stress, 0 from old hosts */
	unsigned attempt;       /* of --retries, 0 from old hosts */
	char *out, *err;        /* a retried attempt's streams, made valid */
};

struct helds {
	struct held *v;
	size_t n, cap;
};

/* The failed attempts of one run of a test (--retries), kept until its
 * final attempt's suite is written. */
struct reruns {
	char *suite;
	unsigned iteration;
	struct helds h;
};

/* What one running task has produced so far: its own result, held
 * (its streams are named when it ends), and its cases, written as they
 * come into a file of their own, counted (so that memory does not grow
 * with a program's cases), and copied into its suite when it ends. */
struct slot {
	uint64_t task;          /* 0: free */
	char *suite;            /* the task's program's id */
	struct helds h;
	uint64_t start_wall_ns;
	FILE *cases;            /* the cases written so far (unlinked) */
	xmlTextWriterPtr cw;    /* writing into it, or NULL */
	unsigned long ncases, count[4];
	unsigned iteration;     /* of the cases written */
};

/* One <testsuite> of the report, as its jobs end: their counts, and
 * where their test cases are in the spool, in the order they ended. */
struct testsuite {
	char *name;             /* the program's id */
	unsigned long tests, count[4];
	uint64_t time_ns;       /* its jobs' times, summed */
	uint64_t start_wall_ns; /* when its first job started, or 0 */
	struct part {
		off_t at, len;
	} *parts;
	size_t nparts, cap;
};

/* Where a streamed case's note on its program's log goes: filled in
 * when the program ends and the log has its name. User text is escaped,
 * so this processing instruction can only be ours. */
#define LOG_MARK "<?assay-log?>"
#define LOG_MARK_NL "<?assay-log nl?>"

struct junit {
	char *path;
	struct junitfile jf;    /* the suites go to jf.body at close */
	FILE *spool;            /* the jobs' test cases, as they end */
	xmlTextWriterPtr sw;    /* writing into it */
	struct testsuite **suites;      /* in the order they began */
	size_t nsuites, suites_cap;
	struct strindex by_name;        /* the same, by name */
	xmlTextWriterPtr w;     /* where elements go now: the spool, jf.body
	                         * (a suite's start), or the case file of a
	                         * running task */
	bool streaming;         /* writing into a case file: a log mark
	                         * stands for the program's log's name */
	struct slot *slots;
	unsigned nslots;
	struct reruns *reruns;
	size_t nreruns, rerun_cap;
	bool all_output;
	size_t max_text;
	bool props_written;
	bool bad;               /* a write failed */
	int bad_errno;
	char xml_msg[160];      /* libxml2's first complaint, or "" */
	xmlStructuredErrorFunc saved_handler;   /* while writing */
	void *saved_ctx;
	unsigned long tests, failures, errors;
	const struct assay_run_info *run;
	uint64_t start_wall_ns; /* from hosts that give them, else 0 and "" */
	const char *hostname;
	struct xmltext text;    /* scratch for one string */
};

/* ---- writing ---- */

static void check(struct junit *j, int rc)
{
	if (rc < 0 && !j->bad) {
		j->bad = true;
		j->bad_errno = errno;
	}
}

/* libxml2 reports a failed write by printing: keep its words for our
 * own message instead, while this reporter writes. */
static void on_xml_error(void *ctx, XML_ERROR_CONST xmlError *x)
{
	struct junit *j = ctx;

	if (x->level >= XML_ERR_ERROR && !j->xml_msg[0]) {
		snprintf(j->xml_msg, sizeof(j->xml_msg), "%s",
			 x->message ? x->message : "libxml2's writer failed");
		j->xml_msg[strcspn(j->xml_msg, "\n")] = 0;
	}
}

static void quiet_begin(struct junit *j)
{
	errno = 0;              /* a failed write's errno is then its own */
	j->saved_handler = xmlStructuredError;
	j->saved_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(j, on_xml_error);
}

static void quiet_end(struct junit *j)
{
	xmlSetStructuredErrorFunc(j->saved_ctx, j->saved_handler);
}

/* The text made valid and capped; valid until the next call. */
static const xmlChar *clean(struct junit *j, const char *s, size_t n)
{
	xmltext_reset(&j->text);
	xmltext_add(&j->text, s ? s : "", s ? n : 0);
	xmltext_cap(&j->text, j->max_text, NULL);
	return (const xmlChar *)xmltext_str(&j->text);
}

static void attr(struct junit *j, const char *name, const char *value)
{
	check(j, xmlTextWriterWriteAttribute(j->w, (const xmlChar *)name,
					     clean(j, value, strlen(value))));
}

/* Seconds with three decimals, from integers (no locale, no rounding
 * past the millisecond). */
static const char *seconds(char buf[32], uint64_t ns)
{
	snprintf(buf, 32, "%" PRIu64 ".%03" PRIu64, ns / 1000000000u,
		 ns / 1000000u % 1000u);
	return buf;
}

static void attr_time(struct junit *j, const char *name, uint64_t ns)
{
	char buf[32];

	attr(j, name, seconds(buf, ns));
}

static void attr_count(struct junit *j, const char *name, unsigned long n)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", n);
	attr(j, name, buf);
}

static void start(struct junit *j, const char *element)
{
	check(j, xmlTextWriterStartElement(j->w, (const xmlChar *)element));
}

static void end(struct junit *j)
{
	check(j, xmlTextWriterEndElement(j->w));
}

/* An element holding the text already in j->text (made valid). */
static void text_element(struct junit *j, const char *element)
{
	start(j, element);
	check(j, xmlTextWriterWriteString(j->w, (const xmlChar *)xmltext_str(&j->text)));
	end(j);
}

/* A stream of the job (struct assay_output) as it was captured, with a
 * line where the middle was left out, into j->text; 0 when empty. */
static int stream_text(struct junit *j, const struct assay_output *o)
{
	uint64_t dropped;
	const char *path;

	if (!o || !o->total)
		return 0;
	dropped = o->total - o->head_len - o->tail_len;
	path = o->struct_size >= offsetof(struct assay_output, path) + sizeof(o->path)
	       ? o->path : NULL;
	xmltext_reset(&j->text);
	xmltext_add(&j->text, o->head, o->head_len);
	if (dropped)
		xmltext_omission(&j->text, dropped, path);
	xmltext_add(&j->text, o->tail, o->tail_len);
	xmltext_cap(&j->text, j->max_text, path);
	return 1;
}

static void stream_element(struct junit *j, const char *element,
			   const struct assay_output *o)
{
	if (stream_text(j, o))
		text_element(j, element);
}

/* An element holding s (already valid), when there is one. */
static void saved_element(struct junit *j, const char *element, const char *s)
{
	if (!s)
		return;
	start(j, element);
	check(j, xmlTextWriterWriteString(j->w, (const xmlChar *)s));
	end(j);
}

/* A case's own output, and where its program's whole output is. */
static void case_output(struct junit *j, const struct held *h,
			const struct assay_exit *ex)
{
	const char *path = ex && ex->out && ex->out->struct_size >=
			   offsetof(struct assay_output, path) + sizeof(ex->out->path)
			   ? ex->out->path : NULL;

	if (j->streaming) {     /* the log is named when the program ends */
		xmltext_reset(&j->text);
		xmltext_add(&j->text, h->output, h->output_len);
		xmltext_cap(&j->text, j->max_text, NULL);
		start(j, "system-out");
		check(j, xmlTextWriterWriteString(j->w, (const xmlChar *)xmltext_str(&j->text)));
		check(j, xmlTextWriterWritePI(j->w, (const xmlChar *)"assay-log",
					      j->text.len && j->text.s[j->text.len - 1] != '\n'
					      ? (const xmlChar *)"nl" : NULL));
		end(j);
		return;
	}
	if (!h->output_len && !path)
		return;
	xmltext_reset(&j->text);
	xmltext_add(&j->text, h->output, h->output_len);
	if (path) {
		xmltext_puts(&j->text, j->text.len && j->text.s[j->text.len - 1] != '\n'
				       ? "\n[the program's whole output is in "
				       : "[the program's whole output is in ");
		xmltext_puts(&j->text, path);
		xmltext_puts(&j->text, "]\n");
	}
	xmltext_cap(&j->text, j->max_text, NULL);
	text_element(j, "system-out");
}

/* The run's properties, once; whether they were written here. */
static bool properties(struct junit *j)
{
	const char *const *p = j->run->props;

	if (j->props_written)
		return false;
	j->props_written = true;
	if (!p || !*p)
		return false;
	start(j, "properties");
	for (; p[0] && p[1]; p += 2) {
		start(j, "property");
		attr(j, "name", p[0]);
		attr(j, "value", p[1]);
		end(j);
	}
	end(j);
	return true;
}

/* ---- outcomes ---- */

enum verdict_element { NONE, FAILURE, ERROR, SKIPPED };

static enum verdict_element element_of(const struct held *h)
{
	switch (h->outcome) {
	case ASSAY_SKIP: case ASSAY_NOT_RUN: case ASSAY_INTERRUPTED:
		return SKIPPED;
	case ASSAY_TIMEOUT: case ASSAY_CRASH: case ASSAY_ERROR:
		return ERROR;
	default:
		return h->tally == ASSAY_TALLY_FAILED ? FAILURE : NONE;
	}
}

/* The reason, note and diagnostics of a failure, into j->text. */
static void failure_text(struct junit *j, const struct held *h)
{
	xmltext_reset(&j->text);
	xmltext_puts(&j->text, h->reason);
	if (h->note) {
		xmltext_puts(&j->text, "\n");
		xmltext_puts(&j->text, h->note);
	}
	if (h->diag) {
		xmltext_puts(&j->text, "\n");
		xmltext_puts(&j->text, h->diag);
	}
	xmltext_cap(&j->text, j->max_text, NULL);
}

static const char *type_of(const struct held *h)
{
	return h->classification ? h->classification : assay_outcome_name(h->outcome);
}

static void verdict(struct junit *j, const struct held *h, enum verdict_element el)
{
	static const char *const names[] = { NULL, "failure", "error", "skipped" };

	start(j, names[el]);
	attr(j, "message", h->reason);
	if (el != SKIPPED || h->outcome == ASSAY_NOT_RUN ||
	    h->outcome == ASSAY_INTERRUPTED)
		attr(j, "type", type_of(h));
	if (el != SKIPPED) {
		failure_text(j, h);
		check(j, xmlTextWriterWriteString(j->w,
						  (const xmlChar *)xmltext_str(&j->text)));
	}
	end(j);
}

/* Surefire's elements for the failed attempts before this result:
 * flakyFailure/flakyError when it passed in the end, rerunFailure/
 * rerunError when it did not. */
static void attempts(struct junit *j, const struct reruns *rr, const struct held *h,
		     enum verdict_element el)
{
	for (size_t i = 0; rr && i < rr->h.n; i++) {
		const struct held *a = &rr->h.v[i];
		bool error = element_of(a) == ERROR;
		/* the last attempt is the verdict itself when its retry
		 * never started */
		if (strcmp(a->name, h->name) || (a->attempt && a->attempt == h->attempt) ||
		    (!error && element_of(a) != FAILURE))
			continue;
		start(j, el == NONE ? (error ? "flakyError" : "flakyFailure")
				    : (error ? "rerunError" : "rerunFailure"));
		attr(j, "message", a->reason);
		attr(j, "type", type_of(a));
		failure_text(j, a);
		text_element(j, "stackTrace");
		if (a->output_len) {
			xmltext_reset(&j->text);
			xmltext_add(&j->text, a->output, a->output_len);
			xmltext_cap(&j->text, j->max_text, NULL);
			text_element(j, "system-out");
		} else {
			saved_element(j, "system-out", a->out);
		}
		saved_element(j, "system-err", a->err);
		end(j);
	}
}

static void testcase(struct junit *j, const char *suite, const struct held *h,
		     const struct assay_exit *ex, const struct reruns *rr)
{
	enum verdict_element el = element_of(h);
	bool show = j->all_output || el == FAILURE || el == ERROR;

	start(j, "testcase");
	attr(j, "classname", suite);
	attr(j, "name", h->name);
	attr_time(j, "time", h->duration_ns);
	if (el != NONE)
		verdict(j, h, el);
	attempts(j, rr, h, el);
	if (show && h->own && ex) {
		stream_element(j, "system-out", ex->out);
		stream_element(j, "system-err", ex->err);
	} else if (show && !h->own) {
		case_output(j, h, ex);
	}
	end(j);
}

/* ---- holding results ---- */

/* A retried attempt's stream, as it will be written, or NULL. */
static char *stream_copy(struct junit *j, const struct assay_output *o)
{
	return stream_text(j, o) ? xstrdup(xmltext_str(&j->text)) : NULL;
}

/* Whether r is a case of suite (its id SUITE::CASE), not its own result. */
static bool is_case_of(const struct assay_result *r, const char *suite)
{
	size_t n = strlen(suite);

	return !strncmp(r->id, suite, n) && r->id[n] == ':' && r->id[n + 1] == ':';
}

/* retry: a failed attempt that runs again (its streams are copied now:
 * they are gone when the final attempt is written). */
static void hold(struct junit *j, struct helds *l, const struct assay_result *r,
		 const char *suite, bool retry)
{
	size_t n = strlen(suite);
	bool is_case = is_case_of(r, suite);
	bool has_class = r->struct_size >= offsetof(struct assay_result, classification) +
			 sizeof(r->classification);
	bool has_run = r->struct_size >= offsetof(struct assay_result, flaky) +
		       sizeof(r->flaky);
	const char *name = is_case ? r->id + n + 2 : r->id;
	struct held *h;
	bool failed;

	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	h = &l->v[l->n++];
	*h = (struct held){
		.name = has_run && r->iterations > 1
			? xasprintf("%s [%u/%u]", name, r->iteration, r->iterations)
			: xstrdup(name),
		.outcome = r->outcome, .tally = assay_result_tally(r),
		.reason = xstrdup(r->reason ? r->reason : ""),
		.classification = has_class ? xstrdup_or_null(r->classification) : NULL,
		.note = xstrdup_or_null(r->note),
		.duration_ns = r->duration_ns, .own = !is_case,
		.iteration = has_run ? r->iteration : 0,
		.attempt = has_run ? r->attempt : 0,
	};
	if (has_run && r->flaky && h->tally == ASSAY_TALLY_FAILED) {
		free(h->classification);
		h->classification = xstrdup("flaky");
	}
	if (retry && !is_case && r->exit) {
		h->out = stream_copy(j, r->exit->out);
		h->err = stream_copy(j, r->exit->err);
	}
	/* what a passing case printed is written only with all_output:
	 * hold no more than will be written */
	failed = element_of(h) == FAILURE || element_of(h) == ERROR;
	if (failed)
		h->diag = xstrdup_or_null(r->diag);
	if (is_case && r->output && (failed || j->all_output)) {
		h->output = xmalloc(r->output_len + 1);
		memcpy(h->output, r->output, r->output_len);
		h->output_len = r->output_len;
	}
}

static void held_free(struct held *h)
{
	free(h->name);
	free(h->reason);
	free(h->classification);
	free(h->note);
	free(h->diag);
	free(h->output);
	free(h->out);
	free(h->err);
}

/* Frees what l holds; keep: its array, for the next job. */
static void forget(struct helds *l, bool keep)
{
	for (size_t i = 0; i < l->n; i++)
		held_free(&l->v[i]);
	l->n = 0;
	if (!keep) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
	}
}

/* The failed attempts kept for a test's run, or NULL. */
static struct reruns *reruns_of(struct junit *j, const char *suite,
				unsigned iteration, bool add)
{
	struct reruns *rr;

	for (size_t i = 0; i < j->nreruns; i++)
		if (j->reruns[i].iteration == iteration &&
		    !strcmp(j->reruns[i].suite, suite))
			return &j->reruns[i];
	if (!add)
		return NULL;
	xgrow((void **)&j->reruns, &j->rerun_cap, j->nreruns + 1, sizeof(*j->reruns));
	rr = &j->reruns[j->nreruns++];
	*rr = (struct reruns){ .suite = xstrdup(suite), .iteration = iteration };
	return rr;
}

static void reruns_drop(struct junit *j, struct reruns *rr)
{
	forget(&rr->h, false);
	free(rr->suite);
	*rr = j->reruns[--j->nreruns];
}

/* The failed attempts of the test named name are written with its
 * final one: forgotten; rr too, once it holds none (another test of
 * the suite may still run again, in a later job). */
static void reruns_written(struct junit *j, struct reruns *rr, const char *name)
{
	size_t k = 0;

	if (!rr)
		return;
	for (size_t i = 0; i < rr->h.n; i++) {
		if (!strcmp(rr->h.v[i].name, name))
			held_free(&rr->h.v[i]);
		else
			rr->h.v[k++] = rr->h.v[i];
	}
	rr->h.n = k;
	if (!k)
		reruns_drop(j, rr);
}

/* ---- suites ---- */

static void timestamp(struct junit *j, uint64_t wall_ns)
{
	time_t secs = (time_t)(wall_ns / 1000000000u);
	char buf[32] = "1970-01-01T00:00:00";
	struct tm tm;

	if (gmtime_r(&secs, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	attr(j, "timestamp", buf);
}

/* The note a log mark becomes: where the program's whole output is,
 * escaped for XML; "" when it has no log. nl: after a newline. */
static char *log_note(const struct assay_exit *ex, bool nl)
{
	const char *path = ex && ex->out && ex->out->struct_size >=
			   offsetof(struct assay_output, path) + sizeof(ex->out->path)
			   ? ex->out->path : NULL;
	xmlChar *esc;
	char *note;

	if (!path)
		return xstrdup("");
	esc = xmlEncodeSpecialChars(NULL, (const xmlChar *)path);
	note = xasprintf("%s[the program's whole output is in %s]\n", nl ? "\n" : "",
			 esc ? (const char *)esc : "?");
	xmlFree(esc);
	return note;
}

/* Copies the case file of s into the report, each log mark made its
 * note; then empties it for the slot's next task. */
static void copy_cases(struct junit *j, struct slot *s, const struct assay_exit *ex)
{
	static const char *const marks[2] = { LOG_MARK, LOG_MARK_NL };
	char *notes[2] = { log_note(ex, false), log_note(ex, true) };
	const size_t hold = sizeof(LOG_MARK_NL) - 2;    /* a mark's start */
	char buf[65536 + sizeof(LOG_MARK_NL)];
	size_t len = 0, n;

	check(j, xmlTextWriterFlush(s->cw));
	if (fflush(s->cases) != 0)
		check(j, -1);
	rewind(s->cases);
	do {
		size_t from = 0, safe;
		n = fread(buf + len, 1, sizeof(buf) - len - 1, s->cases);
		len += n;
		safe = !n ? len : len > hold ? len - hold : 0;
		for (size_t at = from;;) {
			/* a mark that starts before safe is whole */
			char *m = memmem(buf + at, len - at, "<?assay-log", 11);
			int k;
			if (!m || (size_t)(m - buf) >= safe)
				break;
			at = (size_t)(m - buf);
			k = !strncmp(m, marks[1], strlen(marks[1])) ? 1 :
			    !strncmp(m, marks[0], strlen(marks[0])) ? 0 : -1;
			if (k < 0) {    /* not ours after all: kept as it is */
				at++;
				continue;
			}
			check(j, xmlTextWriterWriteRawLen(j->w, (const xmlChar *)buf + from,
							  (int)(at - from)));
			check(j, xmlTextWriterWriteRaw(j->w, (const xmlChar *)notes[k]));
			from = at = at + strlen(marks[k]);
		}
		if (safe > from)
			check(j, xmlTextWriterWriteRawLen(j->w, (const xmlChar *)buf + from,
							  (int)(safe - from)));
		else
			safe = from;
		memmove(buf, buf + safe, len - safe);
		len -= safe;
	} while (n);
	if (ferror(s->cases))
		check(j, -1);
	xmlFreeTextWriter(s->cw);
	s->cw = NULL;
	if (ftruncate(fileno(s->cases), 0) < 0)
		check(j, -1);
	rewind(s->cases);
	free(notes[0]);
	free(notes[1]);
}

static const char *testsuite_name(const void *item)
{
	return ((const struct testsuite *)item)->name;
}

/* The suite named name, made (and put last) when it is new. */
static struct testsuite *testsuite_of(struct junit *j, const char *name)
{
	struct testsuite *ts = strindex_find(&j->by_name, name);

	if (ts)
		return ts;
	ts = xcalloc(1, sizeof(*ts));
	ts->name = xstrdup(name);
	strindex_add(&j->by_name, ts);
	xgrow((void **)&j->suites, &j->suites_cap, j->nsuites + 1, sizeof(*j->suites));
	j->suites[j->nsuites++] = ts;
	return ts;
}

/* Where the spool's next byte goes, all written so far flushed; -1
 * when that cannot be known. */
static off_t spool_end(struct junit *j)
{
	off_t at;

	check(j, xmlTextWriterFlush(j->sw));
	if (fflush(j->spool) != 0 || (at = ftello(j->spool)) < 0) {
		check(j, -1);
		return -1;
	}
	return at;
}

/* A job of suite ended: the results held in s, after the cases the slot
 * from wrote into its file (from: NULL when none), become a part of the
 * suite in the spool, and its counts the suite's (write_suites writes
 * the suites at close). */
static void spool_job(struct junit *j, const char *suite, struct helds *s,
			uint64_t start_wall_ns, uint64_t duration_ns,
			const struct assay_exit *ex, struct slot *from)
{
	bool cases = from && from->ncases;
	struct reruns *rr = cases ? reruns_of(j, suite, from->iteration, false) :
			    s->n ? reruns_of(j, suite, s->v[0].iteration, false) : NULL;
	unsigned long count[4] = { 0 }, tests = s->n + (cases ? from->ncases : 0);
	struct testsuite *ts = testsuite_of(j, suite);
	off_t at, end;

	quiet_begin(j);
	for (size_t i = 0; i < s->n; i++)
		count[element_of(&s->v[i])]++;
	for (int i = 0; cases && i < 4; i++)
		count[i] += from->count[i];
	at = spool_end(j);
	j->w = j->sw;
	if (cases)
		copy_cases(j, from, ex);
	for (size_t i = 0; i < s->n; i++) {
		testcase(j, suite, &s->v[i], ex, rr);
		reruns_written(j, rr, s->v[i].name);
		rr = reruns_of(j, suite, s->v[i].iteration, false);
	}
	j->w = j->jf.body;
	end = spool_end(j);
	if (at >= 0 && end > at) {
		xgrow((void **)&ts->parts, &ts->cap, ts->nparts + 1, sizeof(*ts->parts));
		ts->parts[ts->nparts++] = (struct part){ at, end - at };
	}
	ts->tests += tests;
	for (int i = 0; i < 4; i++)
		ts->count[i] += count[i];
	ts->time_ns += duration_ns;
	if (start_wall_ns && (!ts->start_wall_ns || start_wall_ns < ts->start_wall_ns))
		ts->start_wall_ns = start_wall_ns;
	if (from) {
		from->ncases = 0;
		memset(from->count, 0, sizeof(from->count));
	}
	j->tests += tests;
	j->failures += count[FAILURE];
	j->errors += count[ERROR];
	forget(s, true);
	quiet_end(j);
}

/* Each suite into the report: its start tag with its totals, then its
 * parts, read back from the spool in the order its jobs ended. */
static void write_suites(struct junit *j)
{
	char buf[65536];

	if (spool_end(j) < 0)
		return;
	quiet_begin(j);
	for (size_t k = 0; k < j->nsuites && !j->bad; k++) {
		struct testsuite *ts = j->suites[k];
		start(j, "testsuite");
		attr(j, "name", ts->name);
		attr_count(j, "tests", ts->tests);
		attr_count(j, "failures", ts->count[FAILURE]);
		attr_count(j, "errors", ts->count[ERROR]);
		attr_count(j, "skipped", ts->count[SKIPPED]);
		attr_time(j, "time", ts->time_ns);
		timestamp(j, ts->start_wall_ns ? ts->start_wall_ns : j->start_wall_ns);
		attr(j, "hostname", j->hostname);
		if (!properties(j))     /* (else its end tag ended the line) */
			check(j, xmlTextWriterWriteRaw(j->jf.body, (const xmlChar *)"\n"));
		for (size_t i = 0; i < ts->nparts && !j->bad; i++) {
			off_t left = ts->parts[i].len;
			if (fseeko(j->spool, ts->parts[i].at, SEEK_SET) != 0)
				check(j, -1);
			while (left > 0 && !j->bad) {
				size_t n = fread(buf, 1, left < (off_t)sizeof(buf) ?
						 (size_t)left : sizeof(buf), j->spool);
				if (!n) {
					errno = ferror(j->spool) ? errno : EIO;
					check(j, -1);
					break;
				}
				check(j, xmlTextWriterWriteRawLen(j->jf.body, (const xmlChar *)buf,
								  (int)n));
				left -= (off_t)n;
			}
		}
		end(j);
	}
	quiet_end(j);
}

/* ---- events ---- */

static void run_start(struct junit *j, const struct assay_run_info *r)
{
	bool has_props = r->struct_size >= offsetof(struct assay_run_info, props) +
			 sizeof(r->props);

	j->run = r;
	j->hostname = "";
	if (has_props) {
		j->start_wall_ns = r->start_wall_ns;
		j->hostname = r->hostname ? r->hostname : "";
	} else {                /* an older host: none of the new facts */
		j->props_written = true;
	}
	j->nslots = r->jobs;
	j->slots = xcalloc(r->jobs, sizeof(*j->slots));
	check(j, xmlTextWriterWriteRaw(j->jf.body, (const xmlChar *)"\n"));
	check(j, xmlTextWriterSetIndent(j->jf.body, 1));
	check(j, xmlTextWriterSetIndentString(j->jf.body, (const xmlChar *)"  "));
}

/* The entry of the running task (0: a free entry), or NULL. At most
 * run->jobs tasks run at once, one entry each. */
static struct slot *slot_of(struct junit *j, uint64_t task)
{
	for (unsigned i = 0; i < j->nslots; i++)
		if (j->slots[i].task == task)
			return &j->slots[i];
	return NULL;
}

/* The suite a test belongs to: its program's id (a listed case's id is
 * PROGRAM::CASE). malloc'd. */
static char *suite_of(const struct assay_test *t)
{
	size_t n = strlen(t->id), c;
	bool has_case = t->struct_size >= offsetof(struct assay_test, case_name) +
			sizeof(t->case_name) && t->case_name;

	c = has_case ? strlen(t->case_name) + 2 : 0;
	return xstrndup(t->id, c < n ? n - c : n);
}

/* A writer of test cases into f (a case file, the spool), or NULL. */
static xmlTextWriterPtr writer_on(struct junit *j, FILE *f)
{
	xmlOutputBufferPtr ob = xmlOutputBufferCreateFile(f, NULL);
	xmlTextWriterPtr w;

	if (!ob)
		return NULL;
	if (!(w = xmlNewTextWriter(ob))) {
		xmlOutputBufferClose(ob);
		return NULL;
	}
	check(j, xmlTextWriterSetIndent(w, 1));
	check(j, xmlTextWriterSetIndentString(w, (const xmlChar *)"  "));
	return w;
}

/* The case file of s, ready to write into; false when it cannot be. */
static bool cases_open(struct junit *j, struct slot *s)
{
	if (s->cw)
		return true;
	if (!s->cases) {
		const char *dir = getenv("TMPDIR");
		char *tmp = xasprintf("%s/assay-junit.XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkostemp(tmp, O_CLOEXEC);
		if (fd >= 0) {
			unlink(tmp);
			if (!(s->cases = fdopen(fd, "w+")))
				close(fd);
		}
		free(tmp);
		if (!s->cases)
			return false;
	}
	return (s->cw = writer_on(j, s->cases)) != NULL;
}

/* A case of a running task: written at once into the slot's case file
 * (its failed attempts before are known by now), and forgotten. */
static void stream_case(struct junit *j, struct slot *s, struct helds *one)
{
	const struct held *h = &one->v[0];
	struct reruns *rr;

	if (!cases_open(j, s)) {
		check(j, -1);
		return;
	}
	quiet_begin(j);
	j->w = s->cw;
	j->streaming = true;
	rr = reruns_of(j, s->suite, h->iteration, false);
	testcase(j, s->suite, h, NULL, rr);
	reruns_written(j, rr, h->name);
	j->w = j->jf.body;
	j->streaming = false;
	quiet_end(j);
	s->count[element_of(h)]++;
	s->ncases++;
	s->iteration = h->iteration;
}

static void test_end(struct junit *j, const struct assay_event *ev)
{
	struct helds once = { 0 };
	struct slot *s = ev->task ? slot_of(j, ev->task->id) : NULL;
	char *suite;

	if (s && !is_case_of(ev->result, s->suite)) {
		/* the job's own: held, its streams get their names at the end */
		hold(j, &s->h, ev->result, s->suite, false);
		return;
	}
	if (s) {
		hold(j, &once, ev->result, s->suite, false);
		stream_case(j, s, &once);
		forget(&once, false);
		return;
	}
	/* never started: a suite of its own at once */
	suite = suite_of(ev->test);
	hold(j, &once, ev->result, suite, false);
	spool_job(j, suite, &once, 0, 0, NULL, NULL);
	forget(&once, false);
	free(suite);
}

static void task_start(struct junit *j, const struct assay_event *ev)
{
	struct slot *s = slot_of(j, 0);

	if (!s)
		return;
	s->task = ev->task->id;
	s->start_wall_ns = io_wall_ns();
	free(s->suite);
	s->suite = suite_of(ev->test);
	(void)testsuite_of(j, s->suite);        /* its place: as it begins */
}

static void task_end(struct junit *j, const struct assay_event *ev)
{
	struct slot *s = slot_of(j, ev->task->id);

	if (!s)
		return;
	s->task = 0;
	if (s->h.n || s->ncases)        /* none: a retried attempt */
		spool_job(j, s->suite, &s->h, s->start_wall_ns,
			    ev->exit ? ev->exit->duration_ns : 0, ev->exit, s);
}

/* A failed attempt that runs again: kept for its final attempt's suite. */
static void test_retry(struct junit *j, const struct assay_event *ev)
{
	const struct assay_result *r = ev->result;
	char *suite = suite_of(ev->test);
	struct reruns *rr = reruns_of(j, suite, r->iteration, true);

	hold(j, &rr->h, r, suite, true);
	free(suite);
}

static void junit_event(void *state, const struct assay_event *ev)
{
	struct junit *j = state;

	switch (ev->type) {
	case ASSAY_EV_RUN_START:
		run_start(j, ev->run);
		break;
	case ASSAY_EV_TASK_START:
		task_start(j, ev);
		break;
	case ASSAY_EV_TEST_END:
		test_end(j, ev);
		break;
	case ASSAY_EV_TEST_RETRY:
		test_retry(j, ev);
		break;
	case ASSAY_EV_TASK_END:
		task_end(j, ev);
		break;
	default:
		break;
	}
}

/* ---- the file ---- */

static void free_junit(struct junit *j);

/* The spool, beside the report (unlinked), and its writer. */
static bool spool_open(struct junit *j)
{
	int fd = junitfile_scratch(j->path);

	if (fd < 0)
		return false;
	if (!(j->spool = fdopen(fd, "w+"))) {
		close(fd);
		return false;
	}
	if (!(j->sw = writer_on(j, j->spool)))
		errno = ENOMEM;
	return j->sw != NULL;
}

static int junit_open(void **state, struct assay_reporter_opts *o, char *errbuf,
		      size_t errlen)
{
	bool has_caps = o->struct_size >= offsetof(struct assay_reporter_opts, max_text) +
			sizeof(o->max_text);
	struct junit *j;
	struct stat st;

	if (!o->arg || !*o->arg) {
		snprintf(errbuf, errlen, "name the report file (--junit FILE)");
		return -1;
	}
	if (stat(o->arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "%s is a directory: name a file (--junit FILE)",
			 o->arg);
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->path = xstrdup(o->arg);
	j->all_output = has_caps && o->all_output;
	j->max_text = has_caps && o->max_text >= 1024 ? o->max_text : 1024 * 1024;
	j->by_name.key = testsuite_name;
	if (junitfile_open(&j->jf, j->path) < 0 || !spool_open(j)) {
		snprintf(errbuf, errlen, "cannot create a temporary file beside %s: %s",
			 j->path, strerror(errno));
		junitfile_abort(&j->jf);
		free_junit(j);
		return -1;
	}
	j->w = j->jf.body;
	*state = j;
	return 0;
}

/* Why writing failed, in one line. */
static void failure(const struct junit *j, const char *what, int errnum,
		    char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "cannot %s %s: %s", what, j->path,
		 errnum ? strerror(errnum) :
		 j->xml_msg[0] ? j->xml_msg : "libxml2's writer failed");
}

static void free_junit(struct junit *j)
{
	for (unsigned i = 0; i < j->nslots; i++) {
		forget(&j->slots[i].h, false);
		free(j->slots[i].suite);
		if (j->slots[i].cw)
			xmlFreeTextWriter(j->slots[i].cw);
		if (j->slots[i].cases)
			fclose(j->slots[i].cases);
	}
	free(j->slots);
	for (size_t i = 0; i < j->nsuites; i++) {
		free(j->suites[i]->name);
		free(j->suites[i]->parts);
		free(j->suites[i]);
	}
	free(j->suites);
	strindex_release(&j->by_name);
	if (j->sw)
		xmlFreeTextWriter(j->sw);
	if (j->spool)
		fclose(j->spool);
	while (j->nreruns)
		reruns_drop(j, &j->reruns[0]);
	free(j->reruns);
	xmltext_release(&j->text);
	free(j->path);
	free(j);
}

static int junit_close(void *state, char *errbuf, size_t errlen)
{
	struct junit *j = state;
	char time[32];
	int rc = 0;

	if (!j->run) {          /* the run never started: keep FILE as it was */
		junitfile_abort(&j->jf);
		free_junit(j);
		return 0;
	}
	/* jobs whose end never came (assay's own loop failed): what they
	 * reported, so the report still counts every result */
	for (unsigned i = 0; i < j->nslots; i++)
		if (j->slots[i].h.n || j->slots[i].ncases)
			spool_job(j, j->slots[i].suite, &j->slots[i].h,
				    j->slots[i].start_wall_ns, 0, NULL, &j->slots[i]);
	write_suites(j);
	quiet_begin(j);
	if (j->bad) {
		failure(j, "write", j->jf.werrno ? j->jf.werrno : j->bad_errno,
			errbuf, errlen);
		junitfile_abort(&j->jf);
		rc = -1;
	} else if (junitfile_commit(&j->jf, &(struct junit_totals){
			j->tests, j->failures, j->errors,
			seconds(time, j->run->elapsed_ns) }) < 0) {
		failure(j, "write", errno, errbuf, errlen);
		rc = -1;
	}
	quiet_end(j);
	free_junit(j);
	return rc;
}

static const struct assay_reporter junit_reporter = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_reporter),
	.name = "junit",
	.summary = "results as JUnit XML (--junit FILE, or junit=FILE)",
	.open = junit_open,
	.event = junit_event,
	.close = junit_close,
};

static const struct assay_reporter *const reporters[] = { &junit_reporter, NULL };

const struct assay_plugin *junit_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "junit",
		.reporters = reporters,
	};
	return &p;
}
