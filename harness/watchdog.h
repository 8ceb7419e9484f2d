/*
 * watchdog.h - kills what a killed assay leaves running.
 *
 * A parent-death signal reaches only a test's own process; its children
 * (a shell test's sleep, a server it started) would run on under init
 * once assay is gone, and a CI runner that kills assay's process group
 * does not reach them: each test has a session of its own. So assay
 * starts a watchdog, a forked child in a session of its own that holds
 * the read end of a pipe: assay tells it each test process group as it
 * starts and ends. When the pipe reaches its end without assay saying
 * goodbye (assay died, even by SIGKILL), the watchdog kills every group
 * still listed, then exits. What it cannot reach: processes that left
 * their test's group (setsid), which only the end of a run's sweep
 * finds (orphans.c), and a watchdog killed along with assay.
 *
 * The child makes only async-signal-safe calls (it is forked from a
 * process that may have threads) and allocates nothing. Never kills a
 * group assay did not list; never outlives the pipe.
 */
#ifndef ASSAY_WATCHDOG_H
#define ASSAY_WATCHDOG_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

#define WATCHDOG_MAX 4096       /* groups listed at once: -j at most */

struct watchdog {
	pid_t pid;              /* 0: none */
	int fd;                 /* the pipe's write end, or -1 */
};

/* Starts the watchdog; before any thread, so that the fork is plain. */
int watchdog_start(struct watchdog *w, struct err *e);
/* A test process group begins (add) or is gone (!add). */
void watchdog_tell(struct watchdog *w, pid_t pgid, bool add);
/* Says goodbye (nothing is killed) and waits for it. */
void watchdog_stop(struct watchdog *w);

#endif
