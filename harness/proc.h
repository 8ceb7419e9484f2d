/*
 * proc.h - the supervisor of one OS process, from spawn to its last byte.
 *
 * Two sorts share it: a test process (runs one task; a worker, worker.h,
 * runs many, each run ending in PROC_SERVED while the process goes on)
 * and a helper (a debugger, a lister, a device probe: it produces no
 * result, and its owner gets its output and exit through the done
 * callback). A proc's life is a state x event table of small
 * actions (see proc.c): it starts from a spawn spec, reads its pipes into
 * bounded captures (a test's overflow spills to its log), meets its
 * deadline (a test is looked at first, look.h: two samples of /proc an
 * interval apart, no signal; then SIGTERM to its process group, a grace
 * period, SIGKILL), is
 * reaped through the loop's child registry (what a test leaves running
 * is found first, look.h, and killed with its group while the zombie
 * still pins the group id), drains its pipes, and ends
 * in PROC_DONE with a filled struct assay_exit. A process that survives
 * SIGKILL (stuck in the kernel, as after a GPU hang) is abandoned after
 * stuck_ns rather than waited for.
 *
 * Never waits, never sleeps, never prints, never judges, and knows
 * nothing of tests, kinds or slots: its owner does. Loop thread only.
 */
#ifndef ASSAY_PROC_H
#define ASSAY_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "assay/plugin.h"
#include "capture.h"
#include "logs.h"
#include "loop.h"
#include "spawn.h"

enum proc_sort { PROC_TEST, PROC_HELPER };

enum proc_state { PROC_IDLE, PROC_RUNNING, PROC_LOOKING, PROC_TERM_SENT,
		  PROC_KILL_SENT, PROC_DRAINING, PROC_DONE,
		  PROC_SERVED,  /* a worker between runs: alive, no deadline */
		  PROC_NSTATES };

enum proc_event { EV_NONE, EV_EXIT, EV_EOF, EV_DEADLINE, EV_LOOKED,
		  EV_TRACED, EV_FLOOD, EV_GRACE_OVER, EV_CANCEL, EV_KILL_NOW,
		  EV_DRAIN_OVER, EV_STUCK, PROC_NEVENTS };

/* What every proc of a run shares; set up once by its owner. */
struct proc_env {
	struct loop *loop;
	struct logs *logs;              /* where a test's whole output goes;
	                                 * NULL: nowhere */
	uint64_t max_output;            /* a test printing more (both streams)
	                                 * is killed: a flood; 0: no limit */
	uint64_t idle_ns;               /* a test silent this long is hung
	                                 * (--idle-timeout); 0: never */
	uint64_t look_ns;               /* a test at its deadline: the time
	                                 * between look.h's two samples,
	                                 * before any signal; 0: no look */
	const char *debugger;           /* gdb's path: after the look, the
	                                 * backtraces of the test's threads
	                                 * (a helper proc); NULL: none */
	const char *no_debugger;        /* why there is none, for the report
	                                 * (NULL: none was wanted) */
	uint64_t backtrace_ns;          /* all of one test's backtraces */
	unsigned *debuggers;            /* debuggers running now, of all
	                                 * procs: past BT_AT_ONCE, a look
	                                 * goes without backtraces */
	char *const *base_env;          /* the debugger's environment */
	uint64_t grace_ns;              /* SIGTERM to SIGKILL */
	uint64_t drain_ns;              /* exit to giving up on open pipes */
	uint64_t stuck_ns;              /* SIGKILL to giving up on the process */
	struct watchdog *watchdog;      /* told of each process group, so a
	                                 * killed assay's are killed; or NULL */
};

struct proc;

/* The owner's callbacks; both run on the loop thread. */
struct proc_ops {
	/* Every chunk the process writes (stream 1 stdout, 2 stderr), after
	 * it is captured; optional. */
	void (*output)(struct proc *p, int stream, const char *buf, size_t n);
	/* The proc reached PROC_DONE: p->exit is filled. Called once per
	 * start, as the last thing the proc does: the owner may clear,
	 * release or free p here, but not start it again before the
	 * callback has returned. */
	void (*done)(struct proc *p);
};

struct proc_stream {
	struct proc *proc;
	int stream;                     /* 1 stdout, 2 stderr */
	struct loop_io io;
};

struct proc {
	const struct proc_env *env;
	enum proc_sort sort;
	const struct proc_ops *ops;
	void *owner;                    /* the owner's, opaque here */
	enum proc_state state;
	pid_t pid;
	struct proc_stream s[2];
	bool want_stdin;                /* set before proc_start: the process
	                                 * reads a pipe whose write end is in_fd */
	int in_fd;                      /* that end, non-blocking (a write
	                                 * never stalls the loop: EAGAIN is the
	                                 * owner's to handle); -1: none */
	struct capture cap[2];
	struct log_stream log[2];       /* what outgrows cap, on disk (tests) */
	struct loop_timer timer;
	enum proc_event timer_ev;
	struct loop_child child;
	uint64_t start_ns, end_ns;
	uint64_t deadline_ns;           /* 0: none */
	uint64_t timeout_ns;            /* how long it was when last set */
	int last_signal;                /* last signal sent to the group */
	bool timed_out, cancelled, reaped;
	bool flooded;                   /* killed for printing past max_output */
	bool idle;                      /* timed out by its silence
	                                 * (--idle-timeout), not its deadline */
	uint64_t last_out_ns;           /* its last output (or its start) */
	bool abandoned;                 /* survived SIGKILL: never reaped here */
	int wait_status;
	int spawn_errno;                /* set-up or exec failed: never ran */
	struct assay_output out_view, err_view;
	struct assay_exit exit;         /* filled when state is PROC_DONE */
	char note[256];                 /* e.g. processes it left behind */
	struct look *look;              /* while it is looked at */
	char *look_report;              /* a test that met its deadline:
	                                 * look_report's, then the
	                                 * backtraces; or NULL */
	const char *marker;             /* a test: "ASSAY_TMPDIR=..." of its
	                                 * environment, which tells its
	                                 * adopted leftovers; borrowed; or NULL */
	size_t nleft;                   /* processes it left running when it
	                                 * exited (killed since) */
	char *left;                     /* "PID CMD; ..." of them, or NULL */
	struct proc *bt;                /* the debugger, a helper; NULL
	                                 * until the first is needed */
	size_t bt_next;                 /* the look's next process to trace */
	pid_t bt_pid;                   /* the one being traced */
	unsigned look_gen, bt_gen;      /* the look now, and the one the
	                                 * debugger was started for */
	uint64_t bt_until;              /* when all backtraces must be done */
};

/* Prepares p once (allocates the capture buffers). */
void proc_init(struct proc *p, const struct proc_env *env,
	       enum proc_sort sort, const struct proc_ops *ops, void *owner);
void proc_release(struct proc *p);

/*
 * Starts the process o describes (its out_fd and err_fd are ignored:
 * the proc makes its own pipes), timing it from now; its deadline is
 * timeout_ns after that (0: none), so it never ends before its timeout. Never fails as such: when the
 * process cannot be started, the proc goes straight to PROC_DONE with
 * ASSAY_SPAWN_FAILED, the errno in exit.code and the step in note, and
 * done is called before proc_start returns.
 */
void proc_start(struct proc *p, const struct spawn_opts *o,
		uint64_t timeout_ns);
/* Ends a proc whose process its owner could not even prepare: as a
 * failed spawn, with errnum and "WHAT: strerror" in note; done is called
 * before it returns. */
void proc_fail_start(struct proc *p, int errnum, const char *what);
/* Closes the process's standard input pipe (its end of input). */
void proc_close_stdin(struct proc *p);
/* Moves a running proc's deadline to deadline_ns (io clock; 0: none),
 * e.g. when a case of a batch starts; at it, its exit says timeout_ns. */
void proc_set_deadline(struct proc *p, uint64_t deadline_ns, uint64_t timeout_ns);
/* Feeds an event to the state table at time now: EV_CANCEL (SIGTERM,
 * then SIGKILL after the grace) or EV_KILL_NOW; the rest come from the
 * loop. */
void proc_dispatch(struct proc *p, enum proc_event ev, uint64_t now);
bool proc_is_running(const struct proc *p);  /* started, not done */
/* Frees what one run of the proc held; back to PROC_IDLE. A worker
 * between runs (PROC_SERVED) keeps its process: only the run's parts
 * (captures, logs, notes, its exit) are cleared. */
void proc_clear(struct proc *p);

/*
 * A worker's runs. proc_run_over: the run is over but the process goes
 * on (its owner's say, from what it printed): the exit says
 * ASSAY_SERVED, done is called, and the proc waits in PROC_SERVED
 * (never timed; output, an exit, a cancel still come). Only from
 * PROC_RUNNING; false otherwise (a run being looked at or killed ends
 * as it would). proc_next_run: a new run on the process from PROC_SERVED
 * (after proc_clear), timed from now. proc_send: writes buf to its
 * stdin pipe whole (waiting, a second at most, for the process to take
 * what the pipe cannot hold), or returns -1 with errno (EAGAIN: it took
 * nothing for that second).
 */
bool proc_run_over(struct proc *p);
void proc_next_run(struct proc *p, uint64_t timeout_ns);
/* A worker between runs is told to end: its stdin closed, and the grace
 * period to exit by itself, then SIGTERM and SIGKILL as for a cancel. */
void proc_end_served(struct proc *p);
int proc_send(struct proc *p, const char *buf, size_t n);

#endif
