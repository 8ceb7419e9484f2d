/*
 * history.h - what past runs taught about each test: its duration (an
 * exponentially weighted mean and a recent maximum) and its last
 * outcomes, kept in STATE/history (STATE: .assay by default, or
 * --state-dir).
 *
 * Loaded once before a run; the run's records are applied once after
 * it: under an flock on STATE/history.lock the file is read again (a
 * concurrent run may have written it), the records are merged in, and
 * the result is written to a temporary file, fsynced and renamed. A
 * missing file is an empty history (first run); an unreadable or
 * corrupt one is reported once through problem and rebuilt from this
 * run. Never fatal to a run, never waits for the lock longer than
 * HISTORY_LOCK_WAIT_S, never reads or keeps test output.
 */
#ifndef ASSAY_HISTORY_H
#define ASSAY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"

#define HISTORY_RECENT 16       /* outcomes kept per test */
#define HISTORY_ALPHA 0.3       /* weight of the newest duration */
#define HISTORY_LOCK_WAIT_S 10

/*
 * Outcome letters, one per finished run of a test program:
 * 'P' passed, 'F' failed (fail, timeout, crash, error), 'S' skipped,
 * 'K' flaky (failed, then passed on a retry).
 */
struct hist_entry {
	char *id;                       /* the test program's id */
	double mean_s;                  /* weighted mean duration */
	double max_s;                   /* recent maximum: a new duration
	                                 * above it replaces it, otherwise it
	                                 * decays 10% of the way towards it */
	unsigned runs, fails, flakes;   /* since the test was first seen */
	char recent[HISTORY_RECENT + 1];/* newest last, NUL-terminated */
	int64_t last_s;                 /* when it last ran, epoch seconds */
};

struct history {
	char *dir;                      /* NULL: no state kept */
	struct history_stamp {          /* the file as loaded: when it is the
	                                 * same file at save, it is not read
	                                 * again to merge */
		bool valid;
		dev_t dev;
		ino_t ino;
		off_t size;
		struct timespec mtime;
	} stamp;
	struct hist_entry *v;           /* sorted by id after load */
	size_t n, cap;
	struct hist_rec *recs;          /* this run's, not yet saved */
	size_t nrecs, reccap;
	char *problem;                  /* one line, or NULL */
};

/*
 * Reads DIR/history; dir NULL or "" turns history off (every lookup
 * misses, save does nothing). Never fails: a problem is kept in
 * h->problem for the caller to show once.
 */
void history_load(struct history *h, const char *dir);
/* The entry for a test id, or NULL. O(log n). */
const struct hist_entry *history_find(const struct history *h, const char *id);
/* Remembers one finished run of a test program, for history_save. */
void history_record(struct history *h, const char *id, double duration_s,
		    char outcome, int64_t when_s);
/*
 * Merges the records into DIR/history as described above, creating DIR
 * when needed. 0, or ERR_SYS with a message naming the file (the caller
 * shows it; the run's result stands).
 */
int history_save(struct history *h, struct err *e);
void history_release(struct history *h);

/*
 * `assay history`: prints to out the slowest tests, the most often
 * failing and the flaky ones, top of each (0: 10). A missing history is
 * a message saying so and 0; a corrupt one is ERR_INPUT naming it.
 */
int history_show(const char *dir, unsigned top, FILE *out, struct err *e);

#endif
