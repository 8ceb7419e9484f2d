/*
 * orphans.h - finds and kills processes tests left behind.
 *
 * assay is a child subreaper (PR_SET_CHILD_SUBREAPER), so a process that
 * outlives the test that started it, even after setsid() and a double
 * fork, becomes assay's child. Once no job is running, every child
 * assay still has is such a leftover: orphans_sweep looks at each (its
 * name and the ASSAY_TEST_ID it inherited), kills it, reaps it, and
 * repeats for the children it had. One already dying (a test's
 * leftover, killed and named in its note as the test ended, not yet
 * finished exiting) is reaped without a line. Call it only with no job
 * running.
 */
#ifndef ASSAY_ORPHANS_H
#define ASSAY_ORPHANS_H

#include <stddef.h>

/* Makes assay a subreaper; 0 or -1 with errno. */
int orphans_adopt(void);
/* Kills and reaps every child of assay; returns how many, and in *note
 * (malloc'd, or NULL when none) one line per process, naming the test
 * it came from where it is known. */
size_t orphans_sweep(char **note);

#endif
