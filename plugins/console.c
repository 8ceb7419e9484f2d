/*
 * plugins/console.c - the console reporter: what a person reads.
 *
 * On a terminal: a live progress line (done/total, counts, elapsed, the
 * slowest tests still running) with failures printed above it. Elsewhere
 * (CI): one line per result. Every failure shows its id, why, and the
 * last lines of its output. The very last line of every run is exactly
 * "assay: N passed, N failed, N skipped". Colours only on a terminal and
 * never with NO_COLOR. Never reads anything but the events it is given.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/term.h"

#define RUNNING_SHOWN 3
#define FAILED_LISTED 50

/* The plural ending for a count. */
#define S(n) ((n) == 1 ? "" : "s")

struct running {
	const struct assay_test *test;  /* NULL: a free entry */
	uint64_t since_ns;
	uint64_t task;
	/* the task's cases: counted, and shown one line each up to
	 * CASE_LINES_MAX (off a terminal, without -v, passing ones are only
	 * counted, and the task gets one line for them when it ends) */
	unsigned long passed, skipped, failed, shown, hidden;
};

#define CASE_LINES_MAX 100

struct console {
	FILE *f;
	bool tty, color, quiet, verbose, progress_shown;
	unsigned stops_told;            /* interrupts announced */
	unsigned tail_lines;
	unsigned jobs;
	struct running *running;        /* one per slot, by task */
	char *failed[FAILED_LISTED];    /* "OUTCOME id: reason" lines */
	size_t nfailed;                 /* all failures, listed or not */
	char *flaky[FAILED_LISTED];     /* "id (attempt N)" lines */
	size_t nflaky;
};

enum color { C_NONE, C_RED, C_GREEN, C_YELLOW, C_BOLD, C_DIM };

static const char *const color_codes[] = {
	"", "\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[2m",
};

static void paint(struct console *c, enum color col, const char *s)
{
	if (c->color && col != C_NONE)
		fprintf(c->f, "%s%s\033[0m", color_codes[col], s);
	else
		fputs(s, c->f);
}

static enum color outcome_color(enum assay_outcome o)
{
	switch (assay_outcome_tally(o)) {
	case ASSAY_TALLY_PASSED: return o == ASSAY_PASS ? C_GREEN : C_YELLOW;
	case ASSAY_TALLY_SKIPPED: return C_YELLOW;
	case ASSAY_TALLY_NOT_RUN: return C_DIM;
	default: return C_RED;
	}
}

static void clear_progress(struct console *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", c->f);
	c->progress_shown = false;
}

static unsigned term_width(struct console *c)
{
	struct winsize ws;

	if (ioctl(fileno(c->f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static size_t count_done(const struct assay_run_info *r)
{
	return r->passed + r->failed + r->skipped + r->not_run;
}

/* The slot running longest that is not in taken[0..k). */
static int longest_running(struct console *c, const int *taken, int k)
{
	int best = -1;

	for (unsigned s = 0; s < c->jobs; s++) {
		bool skip = !c->running[s].test;
		for (int i = 0; i < k && !skip; i++)
			skip = taken[i] == (int)s;
		if (!skip && (best < 0 || c->running[s].since_ns <
					  c->running[best].since_ns))
			best = (int)s;
	}
	return best;
}

/* After an interrupt, what assay is waiting for, into buf: "" when
 * nothing runs any more. */
static int stopping(struct console *c, const struct assay_run_info *r,
		    char *buf, size_t n)
{
	bool has = r->struct_size >= offsetof(struct assay_run_info, kill_at_ns) +
				     sizeof(r->kill_at_ns);
	size_t running = 0;

	for (unsigned s = 0; s < c->jobs; s++)
		running += c->running[s].test != NULL;
	if (!running)
		return snprintf(buf, n, "  interrupted");
	if (has && r->interrupts == 1 && r->kill_at_ns > r->elapsed_ns)
		return snprintf(buf, n, "  interrupted: stopping %zu running test%s, SIGKILL in %.1fs (a second Ctrl-C kills them now)",
				running, S(running),
				(r->kill_at_ns - r->elapsed_ns) / 1e9);
	return snprintf(buf, n, "  interrupted: killing %zu running test%s",
			running, S(running));
}

/* Off a terminal: one line for each interrupt, when it comes. */
static void announce_stop(struct console *c, const struct assay_run_info *r)
{
	char what[256];
	unsigned n = r->struct_size >= offsetof(struct assay_run_info, interrupts) +
				       sizeof(r->interrupts) ? r->interrupts : 1;

	if (n <= c->stops_told)
		return;
	c->stops_told = n;
	stopping(c, r, what, sizeof(what));
	fprintf(c->f, "assay:%s\n", what + 1);
	fflush(c->f);
}

static void draw_progress(struct console *c, const struct assay_run_info *r)
{
	char line[1024];
	int taken[RUNNING_SHOWN], k, n;
	unsigned width = term_width(c);

	n = snprintf(line, sizeof(line), "[%zu/%zu] %zu passed, %zu failed, %zu skipped  %.1fs",
		     count_done(r), r->total, r->passed, r->failed, r->skipped,
		     r->elapsed_ns / 1e9);
	if (r->interrupted)
		n += stopping(c, r, line + n, sizeof(line) - (size_t)n);
	for (k = 0; k < RUNNING_SHOWN && n < (int)sizeof(line); k++) {
		int s = longest_running(c, taken, k);
		if (s < 0)
			break;
		char *tmp;
		taken[k] = s;
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s %.1fs",
			      k ? ", " : "  running: ", term_name(c->running[s].test->id, &tmp),
			      (r->elapsed_ns - c->running[s].since_ns) / 1e9);
		free(tmp);
	}
	if (strlen(line) >= width)
		line[width - 1] = 0;
	clear_progress(c);
	fputs(line, c->f);
	c->progress_shown = true;
	fflush(c->f);
}

/* A name, reason or note from a test, one line, made harmless. */
static void put_name(struct console *c, const char *s)
{
	term_write(c->f, s, strlen(s), TERM_NAME);
}

/* Start of the last n lines of s[0..len), ignoring a final newline;
 * sets *all when s holds fewer than n lines. */
static size_t last_lines(const char *s, size_t len, unsigned n, bool *all)
{
	size_t i = len;

	if (i && s[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (s[i - 1] == '\n' && --n == 0) {
			*all = false;
			return i;
		}
		i--;
	}
	*all = true;
	return 0;
}

#define LINE_SHOWN_MAX 1000

static void print_lines(struct console *c, const char *s, size_t len,
			const char *prefix)
{
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		fputs(prefix, c->f);
		if (n > LINE_SHOWN_MAX) {
			term_write(c->f, s, LINE_SHOWN_MAX, TERM_LINE);
			fprintf(c->f, " [... %zu more bytes on this line]", n - LINE_SHOWN_MAX);
		} else {
			term_write(c->f, s, n, TERM_LINE);
		}
		fputc('\n', c->f);
		s += n + (nl ? 1 : 0);
	}
}

/* The file holding the whole stream, from hosts that keep one. */
static const char *log_path(const struct assay_output *o)
{
	return o->struct_size >= offsetof(struct assay_output, path) + sizeof(o->path)
	       ? o->path : NULL;
}

static void print_output(struct console *c, const char *label,
			 const struct assay_output *o)
{
	char *joined = NULL;
	const char *s;
	size_t len, from;
	uint64_t before;
	bool all;

	if (!o || !o->total || !c->tail_lines)
		return;
	if (o->head_len + o->tail_len == o->total) {    /* nothing dropped */
		len = o->head_len + o->tail_len;
		s = joined = malloc(len);
		if (!joined)
			return;
		memcpy(joined, o->head, o->head_len);
		memcpy(joined + o->head_len, o->tail, o->tail_len);
	} else {
		s = o->tail;
		len = o->tail_len;
	}
	from = last_lines(s, len, c->tail_lines, &all);
	before = o->total - (len - from);
	if (before && log_path(o))
		fprintf(c->f, "    --- %s: last lines (%llu bytes before them: %s) ---\n",
			label, (unsigned long long)before, log_path(o));
	else if (before)
		fprintf(c->f, "    --- %s: last lines (%llu bytes before them not shown) ---\n",
			label, (unsigned long long)before);
	else
		fprintf(c->f, "    --- %s ---\n", label);
	print_lines(c, s + from, len - from, "    | ");
	free(joined);
}

/* A failed case's diagnostics and the last lines of its output. */
static void print_case(struct console *c, const struct assay_result *res)
{
	size_t from;
	bool all;

	if (res->diag && *res->diag) {
		fputs("    --- diagnostics ---\n", c->f);
		print_lines(c, res->diag, strlen(res->diag), "    | ");
	}
	if (!res->output_len || !c->tail_lines)
		return;
	from = last_lines(res->output, res->output_len, c->tail_lines, &all);
	fprintf(c->f, "    --- output%s ---\n", from ? ": last lines" : "");
	print_lines(c, res->output + from, res->output_len - from, "    | ");
}

static void upper(char *dst, const char *s, size_t n)
{
	size_t i = 0;

	for (; s[i] && i + 1 < n; i++)
		dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	dst[i] = 0;
}

/* Which run a result came from, from hosts that say: with --repeat or
 * --stress its iteration, after a retry its attempt. */
static void run_of(const struct assay_result *res, unsigned *iteration,
		   unsigned *iterations, unsigned *attempt, bool *flaky)
{
	bool has = res->struct_size >= offsetof(struct assay_result, flaky) +
					sizeof(res->flaky);

	*iteration = has ? res->iteration : 0;
	*iterations = has ? res->iterations : 0;
	*attempt = has ? res->attempt : 0;
	*flaky = has && res->flaky;
}

/* Whether a retried result's next attempt runs alone (--isolate-failures). */
static bool alone_next(const struct assay_result *res)
{
	return res->struct_size >= offsetof(struct assay_result, alone) +
				   sizeof(res->alone) && res->alone;
}

/* Keeps the first FAILED_LISTED lines of a list for the summary; counts
 * the rest, so memory stays bounded however many cases fail. */
static void remember(char **list, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void remember(char **list, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if ((*n)++ >= FAILED_LISTED)
		return;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	list[*n - 1] = line;
}

/* The running entry of task was (0: a free one) becomes task, showing
 * test since since_ns (task 0: freed). At most run->jobs tasks run at
 * once, so a scan of that many entries finds it. */
static void running_set(struct console *c, uint64_t was, uint64_t task,
			const struct assay_test *test, uint64_t since_ns)
{
	for (unsigned i = 0; i < c->jobs; i++)
		if (c->running[i].task == was) {
			struct running *r = &c->running[i];
			if (was && task)        /* a case began: counts stay */
				r->test = test, r->since_ns = since_ns;
			else
				*r = (struct running){ .test = test, .since_ns = since_ns,
							.task = task };
			return;
		}
}

/* The running entry of task, or NULL. */
static struct running *running_of(struct console *c, uint64_t task)
{
	for (unsigned i = 0; task && i < c->jobs; i++)
		if (c->running[i].task == task)
			return &c->running[i];
	return NULL;
}

/* Whether a result is a case of its task rather than the task's own:
 * counted, and held to the per-program cap. Returns true when its line
 * is not to be printed. */
static bool case_quiet(struct console *c, const struct assay_event *ev,
		       enum assay_tally t, bool plain)
{
	struct running *r = ev->task ? running_of(c, ev->task->id) : NULL;

	if (!r || !strcmp(ev->result->id, ev->task->test->id))
		return false;
	r->passed += t == ASSAY_TALLY_PASSED;
	r->skipped += t == ASSAY_TALLY_SKIPPED;
	r->failed += t == ASSAY_TALLY_FAILED;
	if (plain && !c->tty && !c->verbose)
		return true;            /* the task's line will count it */
	if (r->shown++ < CASE_LINES_MAX)
		return false;
	r->hidden++;
	return true;
}

/* Off a terminal, at a task's end: one line for the cases not shown,
 * and for those beyond the cap. */
static void task_line(struct console *c, const struct assay_event *ev)
{
	struct running *r = running_of(c, ev->task->id);
	unsigned long quiet;

	if (!r)
		return;
	quiet = r->hidden;
	if (!c->tty && !c->verbose)
		quiet += r->passed + r->skipped;
	if (r->hidden) {
		fprintf(c->f, "    ... %lu more result%s of ", r->hidden, S(r->hidden));
		put_name(c, ev->task->test->id);
		fprintf(c->f, " not shown (at most %d lines a program; the summary and the reports have them all)\n",
			CASE_LINES_MAX);
	}
	if (!quiet || c->quiet || c->tty)
		return;
	paint(c, r->failed ? C_RED : C_GREEN, r->failed ? "CASES" : "PASS");
	fprintf(c->f, "%*s %7.3fs  ", r->failed ? 2 : 3, "",
		ev->exit ? ev->exit->duration_ns / 1e9 : 0.0);
	put_name(c, ev->task->test->id);
	fprintf(c->f, ": %lu case%s passed", r->passed, S(r->passed));
	if (r->skipped)
		fprintf(c->f, ", %lu skipped", r->skipped);
	if (r->failed)
		fprintf(c->f, ", %lu failed", r->failed);
	fputc('\n', c->f);
	fflush(c->f);
}

/* A result's line: OUTCOME, duration, id [i/N], reason. retry: an
 * attempt that runs again. */
static void on_result(struct console *c, const struct assay_event *ev,
		      bool retry)
{
	const struct assay_result *res = ev->result;
	enum assay_tally t = retry ? ASSAY_TALLY_FAILED : assay_result_tally(res);
	unsigned it, its, attempt;
	char name[16], which[48] = "";
	bool flaky;

	run_of(res, &it, &its, &attempt, &flaky);
	/* (not for a pass that is not shown: the most common result) */
	if (its > 1 && !(res->outcome == ASSAY_PASS && !flaky && !retry &&
			 (c->tty || c->quiet)))
		snprintf(which, sizeof(which), " [%u/%u]", it, its);
	upper(name, retry ? "retry" : flaky ? "flaky" :
		    res->outcome == ASSAY_INTERRUPTED ? "cancel" :
		    assay_outcome_name(res->outcome), sizeof(name));
	if (t == ASSAY_TALLY_FAILED && !retry)
		remember(c->failed, &c->nfailed, "%-8s %s%s%s%s", name, res->id,
			 which, *res->reason ? ": " : "", res->reason);
	if (flaky)
		remember(c->flaky, &c->nflaky, "%s%s (passed on attempt %u)",
			 res->id, which, attempt);
	if (!retry && case_quiet(c, ev, t, !flaky && t != ASSAY_TALLY_FAILED))
		return;
	if (res->outcome == ASSAY_PASS && !flaky && !retry && (c->tty || c->quiet))
		return;
	if (c->quiet && t != ASSAY_TALLY_FAILED && !flaky)
		return;
	clear_progress(c);
	paint(c, retry || flaky ? C_YELLOW : outcome_color(res->outcome),
	      name);
	fprintf(c->f, "%*s %7.3fs  ", (int)(7 - strlen(name)), "",
		res->duration_ns / 1e9);
	put_name(c, res->id);
	fputs(which, c->f);
	if (retry && alone_next(res))
		fputs(" (failed beside other tests; to be rerun alone at the end)", c->f);
	else if (retry)
		fprintf(c->f, " (attempt %u failed; trying again)", attempt);
	if (*res->reason) {
		fputs(": ", c->f);
		put_name(c, res->reason);
	}
	fputc('\n', c->f);
	if (res->note) {        /* its first line, then the rest below it */
		size_t first = strcspn(res->note, "\n");

		fputs("    note: ", c->f);
		term_write(c->f, res->note, first, TERM_NAME);
		fputc('\n', c->f);
		if (res->note[first])
			print_lines(c, res->note + first + 1,
				    strlen(res->note + first + 1), "    ");
	}
	if (t != ASSAY_TALLY_FAILED)
		;
	else if (res->output || res->diag)      /* a case: its own lines */
		print_case(c, res);
	else if (res->exit) {
		print_output(c, "stdout", res->exit->out);
		print_output(c, "stderr", res->exit->err);
	}
	fflush(c->f);
}

static void print_list(struct console *c, const char *title, char **list,
		       size_t n)
{
	if (!n)
		return;
	fprintf(c->f, "\n%s (%zu):\n", title, n);
	for (size_t i = 0; i < n && i < FAILED_LISTED; i++)
		if (list[i]) {
			fputs("  ", c->f);
			put_name(c, list[i]);
			fputc('\n', c->f);
		}
	if (n > FAILED_LISTED)
		fprintf(c->f, "  ... and %zu more\n", n - FAILED_LISTED);
}

/* --repeat/--stress: each test that did not pass every run, as
 * "passed k/N", then how many did. */
static void print_repeats(struct console *c, const struct assay_run_info *r)
{
	size_t steady = 0;

	if (r->struct_size < offsetof(struct assay_run_info, nrepeats) +
			     sizeof(r->nrepeats) || !r->nrepeats)
		return;
	fputs("\nRuns of each test:\n", c->f);
	for (size_t i = 0; i < r->nrepeats; i++) {
		const struct assay_repeat_row *x = r->repeats[i];
		if (x->passed == x->runs) {
			steady++;
			continue;
		}
		fprintf(c->f, "  passed %u/%u", x->passed, x->runs);
		if (x->failed)
			fprintf(c->f, ", failed %u/%u", x->failed, x->runs);
		if (x->skipped)
			fprintf(c->f, ", skipped %u/%u", x->skipped, x->runs);
		fputs("  ", c->f);
		put_name(c, x->id);
		fputc('\n', c->f);
	}
	if (steady)
		fprintf(c->f, "  %zu test%s passed every run\n", steady,
			steady == 1 ? "" : "s");
}

/* How well the run used its slots, against the best any schedule of
 * these jobs could do: in plain words, or (-v) every figure. */
static void print_schedule(struct console *c, const struct assay_run_info *r)
{
	const struct assay_schedule *s;
	char *tmp = NULL;

	if (r->struct_size < offsetof(struct assay_run_info, schedule) +
			     sizeof(r->schedule) || !(s = r->schedule) || !s->jobs ||
	    c->quiet)
		return;
	if (!c->verbose) {
		fprintf(c->f, "assay: schedule: %.0f%% efficient: the run took %.2fs, and no order of these tests on %u slot%s could take less than %.2fs (%s)\n",
			s->wall_ns ? 100.0 * (double)s->bound_ns / (double)s->wall_ns : 100.0,
			s->wall_ns / 1e9, s->slots, s->slots == 1 ? "" : "s",
			s->bound_ns / 1e9,
			s->longest_ns >= s->bound_ns ? "its longest test" :
			"their total time over the slots");
		return;
	}
	fprintf(c->f, "assay: schedule: %.2fs for %.2fs of work on %u slot%s; "
		"bound %.2fs (%s), %.2fx of it; efficiency %.0f%%, idle %.2f slot-s",
		s->wall_ns / 1e9, s->work_ns / 1e9, s->slots, S(s->slots), s->bound_ns / 1e9,
		s->longest_ns >= s->bound_ns ? "longest job" : "work/slots",
		s->bound_ns ? (double)s->wall_ns / (double)s->bound_ns : 0.0,
		s->efficiency * 100, s->idle_ns / 1e9);
	if (s->critical_id)
		fprintf(c->f, "; last to end: %s (%.2fs, from %.2fs)",
			term_name(s->critical_id, &tmp),
			s->critical_ns / 1e9, s->critical_start_ns / 1e9);
	free(tmp);
	fputc('\n', c->f);
}

static bool counts_as_failed(const struct assay_run_info *r, size_t o)
{
	bool strict = r->struct_size >= offsetof(struct assay_run_info, strict_todo) +
					 sizeof(r->strict_todo) && r->strict_todo;

	return assay_outcome_tally((enum assay_outcome)o) == ASSAY_TALLY_FAILED ||
	       (o == ASSAY_XPASS && strict);
}

/* Tests killed by the interrupt, from hosts that count them. */
static size_t cancelled(const struct assay_run_info *r)
{
	return r->ncounts > ASSAY_INTERRUPTED ? r->counts[ASSAY_INTERRUPTED] : 0;
}

/* "1 fail, 2 timeout" for the outcomes counted as failed; TODO tests
 * that passed are named even when they count as passed. */
static void print_breakdown(struct console *c, const struct assay_run_info *r)
{
	const char *sep = "; failed: ";
	size_t listed = 0;

	fprintf(c->f, "assay: %zu test%s in %.2fs with %u job%s", count_done(r),
		S(count_done(r)), r->elapsed_ns / 1e9, r->jobs, S(r->jobs));
	for (size_t o = 0; o < r->ncounts; o++) {
		if (!r->counts[o] || !counts_as_failed(r, o))
			continue;
		fprintf(c->f, "%s%zu %s", sep, r->counts[o],
			assay_outcome_name((enum assay_outcome)o));
		listed += r->counts[o];
		sep = ", ";
	}
	if (r->failed > listed)         /* flaky ones, --flaky-result fail */
		fprintf(c->f, "%s%zu flaky", sep, r->failed - listed);
	if (r->ncounts > ASSAY_XPASS && r->counts[ASSAY_XPASS] &&
	    !counts_as_failed(r, ASSAY_XPASS))
		fprintf(c->f, "; %zu TODO passed (xpass)", r->counts[ASSAY_XPASS]);
	if (r->not_run > cancelled(r))
		fprintf(c->f, "; not run: %zu", r->not_run - cancelled(r));
	if (cancelled(r))
		fprintf(c->f, "; cancelled: %zu", cancelled(r));
	if (r->struct_size >= offsetof(struct assay_run_info, flaky) +
			      sizeof(r->flaky) && r->flaky)
		fprintf(c->f, "; flaky: %zu", r->flaky);
	fputc('\n', c->f);
}

static void on_run_end(struct console *c, const struct assay_run_info *r)
{
	clear_progress(c);
	print_repeats(c, r);
	print_list(c, "Flaky", c->flaky, c->nflaky);
	print_list(c, "Failed", c->failed, c->nfailed);
	if (r->note)                    /* its lines, each made harmless */
		print_lines(c, r->note, strlen(r->note), "");
	if (r->interrupted)
		fprintf(c->f, "assay: interrupted by SIG%s; %zu test%s cancelled while running, %zu never started\n",
			sigabbrev_np(r->interrupt_signal) ? sigabbrev_np(r->interrupt_signal) : "?",
			cancelled(r), S(cancelled(r)),
			r->not_run - cancelled(r));
	print_schedule(c, r);
	print_breakdown(c, r);
	fprintf(c->f, "assay: %zu passed, %zu failed, %zu skipped\n",
		r->passed, r->failed, r->skipped);
	fflush(c->f);
}

static void on_run_start(struct console *c, const struct assay_run_info *r)
{
	c->running = calloc(r->jobs ? r->jobs : 1, sizeof(*c->running));
	c->jobs = c->running ? r->jobs : 0;    /* no memory: no running list */
	bool has = r->struct_size >= offsetof(struct assay_run_info, seed) +
					sizeof(r->seed);
	unsigned runs = has ? (r->repeat ? r->repeat : 1) * (r->stress ? r->stress : 1) : 1;

	if (!c->tty && !c->quiet && runs > 1)
		fprintf(c->f, "assay: running %zu test%s %u times each with %u job%s\n",
			r->total, S(r->total), runs, r->jobs, S(r->jobs));
	else if (!c->tty && !c->quiet)
		fprintf(c->f, "assay: running %zu test%s with %u job%s\n", r->total,
			S(r->total), r->jobs, S(r->jobs));
	if (has && r->shuffled)
		fprintf(c->f, "assay: shuffled with --seed %llu\n",
			(unsigned long long)r->seed);
	fflush(c->f);
}

static void console_event(void *state, const struct assay_event *ev)
{
	struct console *c = state;

	switch (ev->type) {
	case ASSAY_EV_RUN_START:
		on_run_start(c, ev->run);
		break;
	case ASSAY_EV_TASK_START:
		running_set(c, 0, ev->task->id, ev->test, ev->run->elapsed_ns);
		break;
	case ASSAY_EV_CASE_START:       /* show the case in flight */
		if (ev->test)
			running_set(c, ev->task->id, ev->task->id, ev->test,
				    ev->run->elapsed_ns);
		break;
	case ASSAY_EV_TEST_RETRY:
		on_result(c, ev, true);
		break;
	case ASSAY_EV_TEST_END:
		on_result(c, ev, false);
		if (c->tty)
			draw_progress(c, ev->run);
		break;
	case ASSAY_EV_TASK_END:
		task_line(c, ev);
		running_set(c, ev->task->id, 0, NULL, 0);
		break;
	case ASSAY_EV_TICK:
		if (c->tty)
			draw_progress(c, ev->run);
		else if (ev->run->interrupted)
			announce_stop(c, ev->run);
		break;
	case ASSAY_EV_RUN_END:
		on_run_end(c, ev->run);
		break;
	}
}

static int console_open(void **state, struct assay_reporter_opts *o,
			char *errbuf, size_t errlen)
{
	struct console *c = calloc(1, sizeof(*c));
	int fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);     /* never into a test */

	if (!c || fd < 0 || !(c->f = fdopen(fd, "w"))) {
		snprintf(errbuf, errlen, "console: cannot open the output");
		if (fd >= 0)
			close(fd);
		free(c);
		return -1;
	}
	c->tty = o->is_tty;
	c->color = o->color;
	c->tail_lines = o->tail_lines;
	c->quiet = o->arg && !strcmp(o->arg, "quiet");
	c->verbose = o->arg && !strcmp(o->arg, "verbose");
	o->tick_ms = c->tty ? 100 : 0;
	*state = c;
	return 0;
}

static int console_close(void *state, char *errbuf, size_t errlen)
{
	struct console *c = state;
	int rc = 0;

	if (fclose(c->f) != 0) {
		snprintf(errbuf, errlen, "console: writing the output failed");
		rc = -1;
	}
	for (size_t i = 0; i < c->nfailed && i < FAILED_LISTED; i++)
		free(c->failed[i]);
	for (size_t i = 0; i < c->nflaky && i < FAILED_LISTED; i++)
		free(c->flaky[i]);
	free(c->running);
	free(c);
	return rc;
}

static const struct assay_reporter console_reporter = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_reporter),
	.name = "console",
	.summary = "progress, failures with their output, and the summary line",
	.open = console_open,
	.event = console_event,
	.close = console_close,
};

static const struct assay_reporter *const reporters[] = { &console_reporter, NULL };

const struct assay_plugin *console_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "console",
		.reporters = reporters,
	};
	return &p;
}
