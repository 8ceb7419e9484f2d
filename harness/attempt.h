/*
 * attempt.h - one test's runs, and what comes after each: a retry, the
 * next iteration, or the end.
 *
 * A struct attempt is what the scheduler queues: one iteration of a test
 * (--repeat, --stress), or of a batch of the listed cases of one program,
 * through its attempts (1, then one more per retry). Its lifecycle is a
 * state x event table (attempt.c): QUEUED, RUNNING, then on the task's
 * end RETRYING (queued again, its failures held as "retried"), ALONE
 * (its retries spent, it waits for the parallel phase to end to run by
 * itself: --isolate-failures), QUEUED again for the next iteration, or
 * DONE; CANCELLED when the run is interrupted under it; NOT_RUN when it
 * never starts; a retry or a run alone that never starts ends DONE with
 * its last attempt's failures. The policy it applies: results are held
 * while a retry may come (failures only, while a run alone may); a
 * retry or a run alone runs only the listed cases that failed (all of
 * them when the program itself failed); a pass after a failure is flaky,
 * unless it came alone after every attempt beside others failed: then
 * the failure is parallel-only. Never starts a process, never sends an
 * event, never counts: the runner does.
 */
#ifndef ASSAY_ATTEMPT_H
#define ASSAY_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "assay/plugin.h"
#include "results.h"

struct test;

enum attempt_state { ATTEMPT_QUEUED, ATTEMPT_RUNNING, ATTEMPT_RETRYING,
		     ATTEMPT_ALONE, ATTEMPT_DONE, ATTEMPT_CANCELLED, ATTEMPT_NOT_RUN,
		     ATTEMPT_NSTATES };

enum attempt_event {
	AEV_START,              /* a slot took it */
	AEV_PASSED,             /* its task ended, nothing failed */
	AEV_FAILED,             /* its task ended with a failure */
	AEV_CANCELLED,          /* the run was interrupted under it */
	AEV_DROPPED,            /* the run ended before it started */
	AEV_NEVENTS
};

/* What every attempt of a run shares. */
struct attempt_policy {
	unsigned copies;        /* --stress: iterations at once */
	unsigned iterations;    /* --repeat x --stress */
	bool stopping;          /* no retry, no next iteration: --until-fail
	                         * saw a failure, or a signal came */
	unsigned isolate_left;  /* failed attempts that may still run alone
	                         * (--isolate-failures); 0: none */
};

struct attempt {
	enum attempt_state state;
	struct test *test;              /* the test; for a batch, the program */
	struct test **cases;            /* the listed cases this attempt runs,
	                                 * sorted by address; NULL: test whole */
	size_t ncases;
	struct test **batch;            /* the cases each iteration starts with;
	                                 * NULL for the rest of a batch that
	                                 * crashed (no iterations of its own) */
	size_t nbatch;
	unsigned iteration, attempt;
	unsigned retries;               /* attempts after the first allowed */
	bool alone;                     /* this attempt runs alone, after its
	                                 * attempts beside others failed */
	bool no_alone;                  /* it failed too often to hold the
	                                 * failures for a run alone */
	bool solo;                      /* its last attempt ran with no other
	                                 * test beside it: no need to run alone */
	char **failed_ids;              /* results that failed in earlier
	                                 * attempts of this iteration, sorted,
	                                 * each once */
	size_t nfailed;
	struct results last;            /* the failures of the last attempt,
	                                 * final if its retry never starts */
};

/*
 * A new attempt at test (for listed cases: the n in cases, copied, and
 * remembered as the batch each iteration starts with when batch is
 * true), in its iteration. retries: the test's --retries/assay.conf.
 */
struct attempt *attempt_new(struct test *test, struct test *const *cases,
			    size_t n, bool batch, unsigned iteration,
			    unsigned retries);
void attempt_free(struct attempt *a);
/* The rest of a's batch after a crash: the cases in v, in a's iteration
 * and attempt, with a's failures so far. */
struct attempt *attempt_rest(const struct attempt *a, struct test *const *v,
			     size_t n);

/*
 * Feeds an event to the state table under policy p and returns the new
 * state; on the way to RETRYING or ALONE it keeps only the cases that
 * failed (from a->last), and to QUEUED it starts the next iteration.
 */
enum attempt_state attempt_dispatch(struct attempt *a, enum attempt_event ev,
				    const struct attempt_policy *p);
/* The state ev would lead to, without going there. */
enum attempt_state attempt_next(const struct attempt *a, enum attempt_event ev,
				const struct attempt_policy *p);
/* Whether the running attempt's results must be held: it may be retried. */
bool attempt_holds(const struct attempt *a);
/* Whether the running attempt's failures must be held: its retries are
 * spent, and it may still run alone under p. */
bool attempt_may_isolate(const struct attempt *a, const struct attempt_policy *p);
/* Whether id failed in an earlier attempt of a's iteration. */
bool attempt_failed_before(const struct attempt *a, const char *id);
/* The position of case x among a's, or -1. */
ptrdiff_t attempt_case_pos(const struct attempt *a, const struct test *x);

/*
 * What an attempt that is retried leaves: its failed results (copied
 * into a->last and remembered as failed); before AEV_FAILED.
 */
void attempt_keep_failures(struct attempt *a, const struct results *failed);
/* A final result of a: flaky when it passes (tally) where an earlier
 * attempt of its iteration failed. */
bool attempt_is_flaky(const struct attempt *a, const char *id,
		      enum assay_tally tally);

#endif
