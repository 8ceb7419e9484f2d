/*
 * loop.h - the one place assay waits: a small event library.
 *
 * Five sources, each with a callback: fd watchers (epoll), timers (a
 * binary heap, O(log n) to arm, move or stop, waits with nanosecond
 * precision through epoll_pwait2), a child registry (pid -> owner
 * callback, the exit status kept), signals (blocked for the process and
 * read through a signalfd, so nothing runs in a signal handler) and a
 * wakeup fd that any thread may poke. The handles are embedded in their
 * owners' structs, so arming one never allocates.
 *
 * Knows nothing of tests, jobs or slots: no fd, pid or timer is assumed
 * to belong to a test. Never sleeps but in loop_run_once, never prints.
 * Loop thread only, except loop_wakeup.
 */
#ifndef ASSAY_LOOP_H
#define ASSAY_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct loop;

/* An fd watched for input and hang-up. */
struct loop_io;
typedef void loop_io_fn(struct loop_io *io);
struct loop_io {
	int fd;                 /* -1 when not watched */
	loop_io_fn *cb;
	void *arg;
};

/* A one-shot timer at an absolute io_now_ns() time. */
struct loop_timer;
typedef void loop_timer_fn(struct loop_timer *t);
struct loop_timer {
	uint64_t at_ns;
	size_t slot;            /* index in the heap; SIZE_MAX: not armed */
	size_t seq;             /* arming order: ties fire first-armed first */
	loop_timer_fn *cb;
	void *arg;
};

/*
 * A child process. The callback runs once, when the child has exited but
 * is not yet reaped: its pid and process group id cannot name another
 * process until the callback returns (so the owner may still signal the
 * group). status is set as waitpid(2) would set it. The loop reaps the
 * child right after, and the registration is over: the callback may
 * free c or register it again.
 */
struct loop_child;
typedef void loop_child_fn(struct loop_child *c);
struct loop_child {
	pid_t pid;              /* 0 when not registered */
	int status;
	loop_child_fn *cb;
	void *arg;
	struct loop_child *next;        /* the registry's chain */
};

/* SIGINT, SIGTERM, SIGHUP or SIGQUIT arrived. */
typedef void loop_signal_fn(void *arg, int signo);
/* loop_wakeup was called at least once since the last call. */
typedef void loop_wakeup_fn(void *arg);

/*
 * Blocks SIGCHLD and the stop signals (SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT, unless they were ignored when assay started) and opens epoll,
 * the signalfd and the wakeup eventfd. Returns 0 or ERR_SYS.
 */
int loop_new(struct loop **out, struct err *e);
/*
 * Closes what loop_new opened. NULL: no-op. The signals stay blocked: one
 * that arrives while reports are being finished must not kill assay
 * half-way through writing them. Registered children are forgotten, not
 * reaped.
 */
void loop_free(struct loop *l);

/* Callbacks for the stop signals and for loop_wakeup; NULL: ignored. */
void loop_on_signal(struct loop *l, loop_signal_fn *cb, void *arg);
void loop_on_wakeup(struct loop *l, loop_wakeup_fn *cb, void *arg);

void loop_io_init(struct loop_io *io, loop_io_fn *cb, void *arg);
/* Watches fd; returns 0 or ERR_SYS. */
int loop_io_start(struct loop *l, struct loop_io *io, int fd, struct err *e);
/*
 * Stops watching; call it before close(fd). Closing alone is not enough:
 * a child between fork and exec may still hold a copy of fd, and until
 * it drops it epoll keeps reporting the old registration. An event of
 * this io already fetched in the same iteration is dropped.
 */
void loop_io_stop(struct loop *l, struct loop_io *io);

void loop_timer_init(struct loop_timer *t, loop_timer_fn *cb, void *arg);
/* Arms t at at_ns, or moves it there when it is armed already. */
void loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t at_ns);
/* Disarms t; no-op when it is not armed. */
void loop_timer_stop(struct loop *l, struct loop_timer *t);
static inline bool loop_timer_armed(const struct loop_timer *t)
{
	return t->slot != (size_t)-1;
}

/* Registers pid (a child of this process) with c. */
void loop_child_watch(struct loop *l, struct loop_child *c, pid_t pid,
		      loop_child_fn *cb, void *arg);
/* Drops c's registration: when its process exits, the loop reaps it
 * without a word, as it does every child nobody registered. */
void loop_child_forget(struct loop *l, struct loop_child *c);
/* Children registered and not yet exited. */
size_t loop_children(const struct loop *l);
/* Whether pid is one of them. */
bool loop_child_watched(struct loop *l, pid_t pid);

/*
 * One iteration, as fixed phases: wait (up to max_wait_ns, and never
 * past the next timer; UINT64_MAX: no limit but timers), then fd
 * callbacks, signals, children, and the timers that are due. Returns 0,
 * or ERR_SYS when waiting failed.
 */
int loop_run_once(struct loop *l, uint64_t max_wait_ns, struct err *e);
/* Thread-safe and async-signal-safe: makes the loop's wait return and
 * the wakeup callback run in its next iteration. */
void loop_wakeup(struct loop *l);

#endif
