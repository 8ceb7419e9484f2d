/*
 * task.h - one attempt at one test, or at a batch of cases of one
 * program, on a test process.
 *
 * Prepares what the process needs (a private empty TMPDIR, a private
 * home unless the run said not to, the ASSAY_* variables, the spawn spec
 * its kind gives, under --hunt its perturbation: CPUs, assay-hunt.so,
 * rr), starts it on its proc, or, for a kind with workers (serve_spec),
 * sends it to an idle worker of its program (worker.h; one is started,
 * prepared the same way, when none is idle). Hands what it prints to its
 * kind, and carries the kind's verdicts to the owner through ctx. Never
 * schedules, never decides on retries, never counts or reports results:
 * the runner does. Loop thread only.
 */
#ifndef ASSAY_TASK_H
#define ASSAY_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "assay/plugin.h"
#include "hunt.h"
#include "proc.h"
#include "sanitizer.h"

struct scratch;
struct test;

/* What every task of a run shares; set up once by the runner. */
struct task_env {
	struct proc_env proc;
	struct scratch *scratch;
	char *const *base_env;          /* the environment tests inherit */
	const struct wrapper *wrapper;  /* in front of every test; or NULL */
	const struct hunt *hunt;        /* --hunt; or NULL */
	const char *trace_dir;          /* where rr's recordings go (--record) */
	struct workers *workers;        /* kinds with workers run on these;
	                                 * NULL: a process per task */
};

struct task {
	struct proc proc;               /* its own process */
	struct proc *p;                 /* the one it runs on: &proc, or its
	                                 * worker's */
	struct worker *worker;          /* that worker; or NULL */
	void (*done)(struct task *t);   /* its run ended */
	struct proc_ops ops;            /* its proc's callbacks */
	const struct task_env *env;
	struct test *test;              /* the task's test: a program, a case,
	                                 * or the program of a batch */
	struct assay_task pub;          /* what the kind and reporters see */
	unsigned slot;                  /* ASSAY_WORKER, for the test */
	char *dir;                      /* its scratch directory */
	char *tmpdir;                   /* dir/tmp: TMPDIR */
	char *marker;                   /* "ASSAY_TMPDIR=" tmpdir: its proc's */
	char **envp;
	char **argv;                    /* with the wrapper in front; or NULL */
	char *arg0;                     /* "./PATH" in it, for a PATH without
	                                 * a '/'; or NULL */
	void *kind_state;
	bool begun;                     /* job_begin ran (or there is none):
	                                 * job_end must follow */
	struct sanitizer_scan san;      /* reports in its output, any kind */
	struct test *current;           /* the case its kind said began */
	unsigned long san_seen;         /* san.count when current began */
	struct assay_job_ctx ctx;       /* set by the owner */
	void *owner;                    /* the runner's, opaque here */
	unsigned verdicts;              /* reported through ctx so far */
	bool failed;                    /* one of them counted as failed */
	bool logs_settled;              /* proc.log[] kept or dropped */
	struct task *next_done;         /* the owner's list of ended tasks */
	struct hunt_run hunt;           /* set by the owner before task_start:
	                                 * its perturbation (seed 0: none) */
	char **gpu_env;                 /* set by the owner before task_start:
	                                 * its GPUs' variables (gpu_env), or
	                                 * NULL; task_clear frees them */
	char *trace;                    /* its rr recording's directory, or
	                                 * NULL */
};

/* Prepares a slot's task once; done is called when its run ends (its
 * process, or its job on a worker). */
void task_init(struct task *t, const struct task_env *env, unsigned slot,
	       void (*done)(struct task *t), void *owner);
void task_release(struct task *t);

/*
 * Starts an attempt at test x (cases: the names of the listed cases it
 * runs, NULL-terminated, borrowed until task_clear; NULL: x whole), with
 * the spec its kind gives, timed from its start, with timeout_ns (0:
 * none). id is the task's, unique in the run. Never fails as such: when
 * the process cannot be started the proc ends at once with
 * ASSAY_SPAWN_FAILED (the done callback has run when this returns).
 */
void task_start(struct task *t, struct test *x, uint64_t id,
		const char *const *cases, size_t ncases, unsigned attempt,
		uint64_t timeout_ns);
/* Frees what one attempt held (tmpdir, env, the proc's run). */
void task_clear(struct task *t);
static inline bool task_is_done(const struct task *t)
{
	return t->p->state == PROC_DONE || t->p->state == PROC_SERVED;
}
/* From its worker (worker.c): what the process printed in the task, and
 * the end of its run. */
void task_output(struct task *t, int stream, const char *buf, size_t n);
void task_ended(struct task *t);
/* ctx->job_done: the kind says the job on its worker is over. */
void task_job_done(struct task *t);
/* Asks t's worker for some of t's cases back (its kind's give_back);
 * false when t is not on a worker that can be asked, or it failed. */
bool task_ask_back(struct task *t);

#endif
