/*
 * job.h - one running test process, from spawn to its last byte.
 *
 * A job's life is a state x event table of small actions (see job.c):
 * it starts, reads its pipes, meets its deadline (SIGTERM to its process
 * group, a grace period, SIGKILL), is reaped (its group is killed first
 * while the zombie still pins the group id), drains its pipes, and ends
 * in JOB_DONE with a filled struct assay_exit. A process that survives
 * SIGKILL (stuck in the kernel, as after a GPU hang) is abandoned after
 * stuck_ns rather than waited for. Never waits, never
 * sleeps, never prints, never judges: the kind and the runner do that.
 * Loop thread only.
 */
#ifndef ASSAY_JOB_H
#define ASSAY_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "assay/plugin.h"
#include "capture.h"
#include "logs.h"

struct loop;
struct scratch;
struct test;

enum job_state { JOB_IDLE, JOB_RUNNING, JOB_TERM_SENT, JOB_KILL_SENT,
		 JOB_DRAINING, JOB_DONE, JOB_NSTATES };

enum job_event { EV_NONE, EV_EXIT, EV_EOF, EV_DEADLINE, EV_GRACE_OVER,
		 EV_CANCEL, EV_KILL_NOW, EV_DRAIN_OVER, EV_STUCK, JOB_NEVENTS };

/* What every job of a run shares; set up once by the runner. */
struct job_env {
	struct loop *loop;
	struct scratch *scratch;
	struct logs *logs;              /* where whole outputs go */
	char *const *base_env;          /* environ without ASSAY_* and TMPDIR */
	size_t base_len;
	uint64_t grace_ns;              /* SIGTERM to SIGKILL */
	uint64_t drain_ns;              /* exit to giving up on open pipes */
	uint64_t stuck_ns;              /* SIGKILL to giving up on the process */
};

struct job_stream {
	struct job *job;
	int stream;                     /* 1 stdout, 2 stderr */
};

struct job {
	const struct job_env *env;
	struct test *test;
	unsigned slot;
	enum job_state state;
	pid_t pid;
	int fd[2];                      /* read ends; -1 when closed */
	struct job_stream tag[2];
	struct capture cap[2];
	struct log_stream log[2];       /* what outgrows cap, on disk */
	uint64_t start_ns, end_ns;
	uint64_t timer_ns;              /* 0: no timer */
	enum job_event timer_ev;
	int last_signal;                /* last signal assay sent the group */
	bool timed_out, cancelled, reaped;
	bool abandoned;                 /* survived SIGKILL: never reaped here */
	int wait_status;
	int spawn_errno;                /* exec failed: the test never ran */
	char *tmpdir;
	char **envp;
	void *kind_state;
	struct assay_output out_view, err_view;
	struct assay_exit exit;         /* filled when state is JOB_DONE */
	char note[256];                 /* e.g. processes it left behind */
	struct assay_job_ctx ctx;       /* set by the runner */
	void *owner;                    /* the runner's, opaque here */
	unsigned verdicts;              /* reported through ctx so far */
	bool failed;                    /* one of them counted as failed */
	bool logs_settled;              /* log[] kept or dropped */
};

/* Prepares a slot's job once (allocates the capture buffers). */
void job_init(struct job *j, const struct job_env *env, unsigned slot);
void job_release(struct job *j);

/*
 * Starts test t, timing it from now. Never fails as such: when the process cannot be
 * started the job goes straight to JOB_DONE with ASSAY_SPAWN_FAILED and
 * the reason in exit.code (an errno) and note.
 */
void job_start(struct job *j, struct test *t);
/* Reads what the stream has (tag from loop_watch) into the capture. */
void job_read(struct job_stream *s, uint64_t now);
/* The child j->pid has exited: kill what is left of its group, reap. */
void job_reap(struct job *j, uint64_t now);
/* Feeds an event to the state table (timers, cancel, kill). */
void job_dispatch(struct job *j, enum job_event ev, uint64_t now);
/* Frees what one run of the job held (tmpdir, env); back to JOB_IDLE. */
void job_clear(struct job *j);

#endif
