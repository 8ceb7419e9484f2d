/*
 * hunt.h - `--hunt N`: each chosen test run N times under perturbation,
 * to surface the rare interleavings of a race; what one run's seed means.
 *
 * A run's perturbation follows from one 64-bit seed (hunt_plan: from the
 * run's base seed, the test's id and the iteration; or --hunt-seed): the
 * CPUs it may use (one, two, or all of assay's own), and how hard
 * assay-hunt.so (huntlib.c, preloaded) shakes its threads where they
 * meet. The runner runs the N copies at once, as --stress does, so they
 * also load each other. `--record` runs each under `rr record` and keeps
 * a test's first failing recording, where rr can run: hunt_init asks rr
 * itself, and says why not in plain words.
 *
 * struct hunt_log keeps what the hunt saw of each test as the run goes:
 * the seeds of its first failing runs and its first failing recording.
 *
 * Never starts a test and never judges one: task.c applies a run's
 * perturbation, the runner counts and reports.
 */
#ifndef ASSAY_HUNT_H
#define ASSAY_HUNT_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct hunt {
	unsigned runs;          /* --hunt N */
	uint64_t base;          /* the run's seed (--seed, else random) */
	uint64_t fixed;         /* --hunt-seed; 0: none */
	char *lib;              /* assay-hunt.so, or NULL: not found */
	cpu_set_t allowed;      /* the CPUs assay may use */
	int nallowed;
	char *rr;               /* rr's path: --record, and rr runs here */
	char *rr_problem;       /* --record, and why rr cannot run; or NULL */
};

/* One run's perturbation. */
struct hunt_run {
	uint64_t seed;          /* 0: not a hunt run */
	cpu_set_t cpus;
	int ncpus;
	unsigned max_us, one_in;/* assay-hunt.so: pauses of 0..max_us, at
	                         * one meeting point in one_in */
	char env[64];           /* ASSAY_HUNT=SEED:MAX_US:ONE_IN */
	char what[96];          /* the same in words, for a failure's note */
};

/*
 * Sets h up for runs runs (fixed: --hunt-seed, or 0); record: look for
 * rr and try it (a problem with it is h->rr_problem, not an error).
 * Returns 0, or ERR_SYS when assay's CPUs cannot be read.
 */
int hunt_init(struct hunt *h, unsigned runs, uint64_t base, uint64_t fixed,
	      bool record, struct err *e);
void hunt_release(struct hunt *h);

/* The perturbation of iteration it of the test id. */
void hunt_plan(const struct hunt *h, const char *id, unsigned it,
	       struct hunt_run *out);

#define HUNT_SEEDS 5            /* failing runs' seeds named, per test */

/* What the hunt saw of each test of a run, by the test's index. */
struct hunt_log {
	struct hunt_seen {
		uint64_t seed[HUNT_SEEDS];      /* the first failing runs' */
		unsigned nseeds;
		char *trace;                    /* the recording kept, or NULL */
	} *seen;
	size_t n;
	char **kept;                    /* the recordings kept, any test's */
	size_t nkept, kept_cap;
};

void hunt_log_init(struct hunt_log *l, size_t ntests);
void hunt_log_release(struct hunt_log *l);
/*
 * A failing run of test index: its seed is remembered (the first
 * HUNT_SEEDS), and trace (its rr recording, or NULL) kept when the test
 * has none yet. Returns the failure's note (malloc'd): note, then how
 * the run was perturbed, how to run it again, and the recording kept.
 */
char *hunt_log_failure(struct hunt_log *l, size_t index,
		       const struct hunt_run *run, const char *trace,
		       const char *note);
/* Whether the recording trace was kept (else it may go). */
bool hunt_log_kept(const struct hunt_log *l, const char *trace);
/* The seeds of test index's failing runs, "a, b, ...", into buf (n
 * bytes); failed: how many of its runs failed. */
void hunt_log_seeds(const struct hunt_log *l, size_t index, unsigned failed,
		    char *buf, size_t n);

#endif
