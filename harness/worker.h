/*
 * worker.h - persistent workers: a program started once, in the way its
 * kind's serve_spec says, that runs task after task of it. task.c starts
 * a task on one by writing the task's request to its stdin; the kind
 * says when the task is over (the proc's run ends in PROC_SERVED) and
 * the worker waits for the next. A worker that dies or is killed in a
 * task ends that task as a process of its own would; one that dies idle
 * is forgotten. At most `keep` idle ones are kept (the longest idle is
 * closed first); the runner closes the rest when the run has nothing
 * left for them. Closing is the end of its stdin: it exits by itself,
 * or is stopped after the grace period (proc_end_served).
 *
 * Never judges, never schedules, never picks a worker busy with a task.
 * Loop thread only.
 */
#ifndef ASSAY_WORKER_H
#define ASSAY_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc.h"

struct task;

struct worker {
	struct proc proc;
	struct proc_ops ops;
	struct workers *pool;
	const void *prog;               /* the program it runs (a struct
	                                 * test), compared, never read */
	const char *name;               /* its id, for what it left behind */
	struct task *task;              /* the task on it now; NULL: idle */
	bool ended;                     /* task's run ended and was said so
	                                 * (once: its process may end too
	                                 * before the task is collected) */
	char *dir, *tmpdir, *marker;    /* its scratch directory, TMPDIR and
	                                 * "ASSAY_TMPDIR=..." (its first
	                                 * task's, kept while it lives) */
	const char *give_back;          /* what asks it for work back (its
	                                 * kind's); NULL: nothing */
	size_t give_back_len;
	uint64_t idle_since;
	bool dead;                      /* its proc is done: freed by
	                                 * workers_tidy */
	struct worker *next;
};

struct workers {
	const struct proc_env *env;
	struct scratch *scratch;        /* where its directory goes back */
	struct worker *list;
	unsigned keep;                  /* idle workers kept at most */
	unsigned threads;               /* each worker's threads (--threads) */
	char *left;                     /* what workers' tests left running,
	                                 * found as the workers exited idle
	                                 * (killed since): a line each; or
	                                 * NULL */
};

void workers_init(struct workers *ws, const struct proc_env *env,
		  struct scratch *scratch, unsigned keep, unsigned threads);
/* An idle worker of prog whose process lives; NULL: none. */
struct worker *workers_idle(struct workers *ws, const void *prog);
/* A new worker of prog (its id: name, borrowed for the run) for task
 * t, its proc ready for proc_start. */
struct worker *workers_add(struct workers *ws, const void *prog,
			   const char *name, struct task *t);
/* t's task on w is over (collected): w is idle again, or freed if its
 * process is gone; the longest idle past `keep` is closed. */
void workers_put(struct workers *ws, struct worker *w);
/* Closes every idle worker (the run has no more tasks for them). */
void workers_close_idle(struct workers *ws);
/* A stop: ev (EV_CANCEL, EV_KILL_NOW) to every idle worker's proc
 * (a busy one's task gets it from the runner). */
void workers_signal(struct workers *ws, enum proc_event ev);
/* Frees the workers whose process is gone while idle; returns how
 * many still live (idle, busy or exiting). */
size_t workers_tidy(struct workers *ws);
void workers_release(struct workers *ws);

#endif
