/*
 * scratch.h - private temporary directories for a run and its jobs.
 *
 * One directory per run ($TMPDIR/assay-TAG-XXXXXX, mode 0700, TAG naming
 * this process: owner.h; opening removes those of runs that died
 * without removing theirs) holding one
 * directory per job, removed afterwards with everything the test left in
 * it. A job directory holds `tmp/` (the test's TMPDIR) and, with a
 * private home, `home/` (HOME, holding the XDG base directories' defaults
 * .config, .cache, .local/share and .local/state, as a real home does)
 * and `run/` (XDG_RUNTIME_DIR), each empty and mode 0700. Creating and removing directories costs the loop thread
 * more than starting the test does (journalled file systems), so a
 * janitor thread keeps a few directories made ahead and removes used
 * ones off the loop's path. Never follows a symlink while removing,
 * never touches anything outside the run directory.
 *
 * Threads: scratch_job_dir and scratch_discard are for one thread (the
 * loop); the janitor shares only the two lists under mu.
 */
#ifndef ASSAY_SCRATCH_H
#define ASSAY_SCRATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define SCRATCH_AHEAD 8         /* directories kept made ahead */

struct scratch {
	char *root;             /* the run's directory, or NULL */
	unsigned swept;         /* killed runs' directories removed at open */
	bool home;              /* job directories hold home/ and run/ */
	pthread_t janitor;
	bool threaded;          /* the janitor runs; else all is done inline */
	pthread_mutex_t mu;     /* guards what follows */
	pthread_cond_t wake;
	unsigned long next;     /* name of the next job directory */
	char *ready[SCRATCH_AHEAD];
	size_t nready;
	char **trash;           /* used directories waiting for removal */
	size_t ntrash, cap;
	bool stopping;
};

/* Creates the run directory under $TMPDIR (or /tmp), starts the
 * janitor; home: job directories hold a private home too. */
int scratch_open(struct scratch *s, bool home, struct err *e);
/* A new job directory (its layout above); *out is malloc'd, the caller
 * owns it. */
int scratch_job_dir(struct scratch *s, char **out, struct err *e);
/* Takes dir (and its ownership) for removal, later or now. */
void scratch_discard(struct scratch *s, char *dir);
/* Removes dir and everything under it. 0, or -1 with errno. */
int scratch_remove(const char *dir);
/* Stops the janitor; removes the run directory and all still in it. */
void scratch_close(struct scratch *s);

#endif
