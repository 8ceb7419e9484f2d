/*
 * loop.h - the one place assay waits: epoll over pipes plus signals.
 *
 * Signals (SIGCHLD, and SIGINT, SIGTERM, SIGHUP, SIGQUIT unless they were
 * ignored when assay started) are blocked for the process and read
 * through a signalfd, so they arrive as events in the same wait
 * as output; nothing runs in a signal handler. Knows nothing of tests or
 * jobs: a watched fd carries an opaque tag back. Loop thread only.
 */
#ifndef ASSAY_LOOP_H
#define ASSAY_LOOP_H

#include <signal.h>

#include "err.h"

struct loop;

enum loop_event_type { LOOP_FD, LOOP_SIGNAL };

struct loop_event {
	enum loop_event_type type;
	void *tag;              /* LOOP_FD: the tag given to loop_watch */
	int signo;              /* LOOP_SIGNAL */
};

/* Blocks the loop's signals and opens epoll and the signalfd. */
int loop_new(struct loop **out, struct err *e);
/*
 * Closes epoll and the signalfd. NULL: no-op. The signals stay blocked:
 * one that arrives while reports are being finished must not kill assay
 * half-way through writing them.
 */
void loop_free(struct loop *l);
/* Watches fd for input and hang-up. */
int loop_watch(struct loop *l, int fd, void *tag, struct err *e);
/*
 * Stops watching fd; call it before close(fd). Closing alone is not
 * enough: a child between fork and exec may still hold a copy of fd, and
 * until it drops it epoll keeps reporting the old tag.
 */
void loop_unwatch(struct loop *l, int fd);
/*
 * Waits up to timeout_ms (-1: forever) and stores up to n events in ev.
 * Returns the number stored (0 on timeout or EINTR), or ERR_SYS.
 */
int loop_wait(struct loop *l, int timeout_ms, struct loop_event *ev, int n,
	      struct err *e);
#endif
