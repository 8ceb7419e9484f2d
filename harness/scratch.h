/*
 * scratch.h - private temporary directories for a run and its jobs.
 *
 * One directory per run ($TMPDIR/assay-XXXXXX, mode 0700) holding one
 * directory per job, each removed with everything a test left in it.
 * Never follows a symlink while removing, never leaves the run directory.
 */
#ifndef ASSAY_SCRATCH_H
#define ASSAY_SCRATCH_H

#include "err.h"

struct scratch {
	char *root;             /* the run's directory, or NULL */
	unsigned long next;     /* name of the next job directory */
};

/* Creates the run directory under $TMPDIR (or /tmp). */
int scratch_open(struct scratch *s, struct err *e);
/* Creates a job directory; *out is malloc'd, the caller frees it. */
int scratch_job_dir(struct scratch *s, char **out, struct err *e);
/* Removes dir and everything under it. 0, or -1 with errno. */
int scratch_remove(const char *dir);
/* Removes the run directory and whatever is still in it. */
void scratch_close(struct scratch *s);

#endif
