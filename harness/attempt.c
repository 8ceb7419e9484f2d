/* attempt.c - see attempt.h. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "table.h"
#include "xalloc.h"

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a runs the cases of v[0..n) (copied, sorted by address). */
static void set_cases(struct attempt *a, struct test *const *v, size_t n)
{
	struct test **c = xmalloc((n + 1) * sizeof(*c));

	memcpy(c, v, n * sizeof(*v));
	qsort(c, n, sizeof(*c), cmp_ptr);
	free(a->cases);
	a->cases = c;
	a->ncases = n;
}

struct attempt *attempt_new(struct test *test, struct test *const *cases,
			    size_t n, bool batch, unsigned iteration,
			    unsigned retries)
{
	struct attempt *a = xcalloc(1, sizeof(*a));

	a->test = test;
	a->iteration = iteration;
	a->attempt = 1;
	a->retries = retries;
	if (cases)
		set_cases(a, cases, n);
	if (cases && batch) {
		a->batch = xmalloc((n + 1) * sizeof(*a->batch));
		memcpy(a->batch, a->cases, n * sizeof(*a->batch));
		a->nbatch = n;
	}
	return a;
}

/* Forgets the attempts before: a new iteration starts. */
static void forget_failures(struct attempt *a)
{
	for (size_t i = 0; i < a->nfailed; i++)
		free(a->failed_ids[i]);
	a->nfailed = 0;
	results_clear(&a->last);
}

void attempt_free(struct attempt *a)
{
	if (!a)
		return;
	forget_failures(a);
	free(a->failed_ids);
	results_release(&a->last);
	free(a->cases);
	free(a->batch);
	free(a);
}

struct attempt *attempt_rest(const struct attempt *a, struct test *const *v,
			     size_t n)
{
	struct attempt *r = attempt_new(n == 1 ? v[0] : v[0]->program, v, n,
					false, a->iteration, a->retries);

	r->attempt = a->attempt;
	r->alone = a->alone;
	r->no_alone = a->no_alone;
	r->failed_ids = xcalloc(a->nfailed + 1, sizeof(*r->failed_ids));
	for (size_t i = 0; i < a->nfailed; i++)
		r->failed_ids[i] = xstrdup(a->failed_ids[i]);
	r->nfailed = a->nfailed;
	return r;
}

bool attempt_holds(const struct attempt *a)
{
	return a->attempt <= a->retries;
}

bool attempt_may_isolate(const struct attempt *a, const struct attempt_policy *p)
{
	return !attempt_holds(a) && !a->alone && !a->no_alone && !a->solo &&
	       p->isolate_left && !p->stopping;
}

ptrdiff_t attempt_case_pos(const struct attempt *a, const struct test *x)
{
	struct test **at = x && a->cases ?
		bsearch(&x, a->cases, a->ncases, sizeof(*a->cases), cmp_ptr) : NULL;

	return at ? at - a->cases : -1;
}

/* ---- failures ---- */

/* Adds the ids in l to the failed ones (a program's cases may be
 * thousands: sorted once, searched in O(log n)). */
static void remember_failed(struct attempt *a, const struct results *l)
{
	size_t n = a->nfailed;

	a->failed_ids = xrealloc(a->failed_ids, (n + l->n + 1) *
				 sizeof(*a->failed_ids));
	for (size_t i = 0; i < l->n; i++)
		a->failed_ids[n++] = xstrdup(l->v[i].id);
	qsort(a->failed_ids, n, sizeof(*a->failed_ids), cmp_id);
	a->nfailed = 0;
	for (size_t i = 0; i < n; i++) {
		if (a->nfailed && !strcmp(a->failed_ids[a->nfailed - 1],
					  a->failed_ids[i])) {
			free(a->failed_ids[i]);
			continue;
		}
		a->failed_ids[a->nfailed++] = a->failed_ids[i];
	}
}

void attempt_keep_failures(struct attempt *a, const struct results *failed)
{
	results_clear(&a->last);
	for (size_t i = 0; i < failed->n; i++)
		results_add(&a->last, &failed->v[i]);
	remember_failed(a, &a->last);
}

bool attempt_failed_before(const struct attempt *a, const char *id)
{
	return a->nfailed && bsearch(&id, a->failed_ids, a->nfailed,
				     sizeof(*a->failed_ids), cmp_id);
}

bool attempt_is_flaky(const struct attempt *a, const char *id,
		      enum assay_tally tally)
{
	return a->attempt > 1 && tally == ASSAY_TALLY_PASSED && !a->alone &&
	       attempt_failed_before(a, id);
}

/* Keeps, for a retry, only the cases that failed in the last attempt
 * (all of them when the program itself failed). */
static void keep_failed_cases(struct attempt *a)
{
	const char **ids = xmalloc((a->last.n + 1) * sizeof(*ids));
	const char *program = (a->test->program ? a->test->program : a->test)->pub.id;
	size_t n = 0;
	bool whole = false;

	for (size_t i = 0; i < a->last.n; i++) {
		ids[i] = a->last.v[i].id;
		whole |= !strcmp(ids[i], program);
	}
	qsort(ids, a->last.n, sizeof(*ids), cmp_id);
	for (size_t i = 0; !whole && i < a->ncases; i++) {
		const char *id = a->cases[i]->pub.id;
		if (bsearch(&id, ids, a->last.n, sizeof(*ids), cmp_id))
			a->cases[n++] = a->cases[i];
	}
	if (n)
		a->ncases = n;
	free(ids);
}

/* ---- the state table ---- */

typedef enum attempt_state attempt_rule(const struct attempt *a,
					const struct attempt_policy *p);

static enum attempt_state to_running(const struct attempt *a,
				     const struct attempt_policy *p)
{
	return ATTEMPT_RUNNING;
}

/* The iteration is over: the next one, or the end. The rest of a
 * crashed batch has no iterations of its own. */
static enum attempt_state next_iteration(const struct attempt *a,
					 const struct attempt_policy *p)
{
	return a->iteration + p->copies <= p->iterations &&
	       (!a->cases || a->batch) ? ATTEMPT_QUEUED : ATTEMPT_DONE;
}

/* A failure: a retry, a run alone once the parallel phase is over, or
 * the next iteration. */
static enum attempt_state retry_or_next(const struct attempt *a,
					const struct attempt_policy *p)
{
	if (attempt_holds(a) && !p->stopping)
		return ATTEMPT_RETRYING;
	return attempt_may_isolate(a, p) ? ATTEMPT_ALONE : next_iteration(a, p);
}

static enum attempt_state to_cancelled(const struct attempt *a,
				       const struct attempt_policy *p)
{
	return ATTEMPT_CANCELLED;
}

static enum attempt_state to_not_run(const struct attempt *a,
				     const struct attempt_policy *p)
{
	return ATTEMPT_NOT_RUN;
}

/* A retry that never starts: the last attempt's failures are final. */
static enum attempt_state to_done(const struct attempt *a,
				  const struct attempt_policy *p)
{
	return ATTEMPT_DONE;
}

/* An empty cell: the event means nothing in that state. */
static attempt_rule *const attempt_table[ATTEMPT_NSTATES][AEV_NEVENTS] = {
	[ATTEMPT_QUEUED] = { [AEV_START] = to_running, [AEV_DROPPED] = to_not_run },
	[ATTEMPT_RETRYING] = { [AEV_START] = to_running, [AEV_DROPPED] = to_done },
	[ATTEMPT_ALONE] = { [AEV_START] = to_running, [AEV_DROPPED] = to_done },
	[ATTEMPT_RUNNING] = { [AEV_PASSED] = next_iteration,
			      [AEV_FAILED] = retry_or_next,
			      [AEV_CANCELLED] = to_cancelled },
};

enum attempt_state attempt_dispatch(struct attempt *a, enum attempt_event ev,
				    const struct attempt_policy *p)
{
	attempt_rule *rule = attempt_table[a->state][ev];
	enum attempt_state to = rule ? rule(a, p) : a->state;

	if (a->state == ATTEMPT_RUNNING &&
	    (to == ATTEMPT_RETRYING || to == ATTEMPT_ALONE)) {
		a->attempt++;
		a->alone = to == ATTEMPT_ALONE;
		keep_failed_cases(a);
	} else if (a->state == ATTEMPT_RUNNING && to == ATTEMPT_QUEUED) {
		a->iteration += p->copies;
		a->attempt = 1;
		a->alone = a->no_alone = false;
		forget_failures(a);
		if (a->batch)
			set_cases(a, a->batch, a->nbatch);
	}
	a->state = to;
	return to;
}

enum attempt_state attempt_next(const struct attempt *a, enum attempt_event ev,
				const struct attempt_policy *p)
{
	attempt_rule *rule = attempt_table[a->state][ev];

	return rule ? rule(a, p) : a->state;
}
