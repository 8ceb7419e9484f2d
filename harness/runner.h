/*
 * runner.h - the execute stage: runs a test table on N slots.
 *
 * The wiring of one run: plans the table into attempts (a test, or a
 * batch of one program's listed cases), lets the scheduler give them
 * slots, starts each as a task on a supervised process, and collects
 * the tasks whose process ended: their kind's verdicts, what the host
 * adds (sanitizer reports, cases a kind left unreported), results to the
 * bus and the sinks, and the attempt's state table for what comes next
 * (a retry, the next iteration). Each loop iteration runs fixed phases:
 * fill free slots, wait in loop_run_once (output, children, signals,
 * timers), collect. Owns the loop, the scheduler, the tasks and the
 * run's temporary directory for the length of one run. Never formats
 * output, never sleeps, never polls for children.
 */
#ifndef ASSAY_RUNNER_H
#define ASSAY_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "assay/plugin.h"
#include "err.h"
#include "sinks.h"

struct hunt;
struct wrapper;

struct bus;
struct history;
struct order_pools;
struct test_table;

/* How a program's listed cases are put in processes (--gtest-granularity). */
enum runner_batch {
	RUNNER_BATCH_AUTO,      /* batches sized from expected durations */
	RUNNER_BATCH_CASE,      /* a process per case */
	RUNNER_BATCH_SUITE,     /* a process per suite (Suite.*) */
	RUNNER_BATCH_BINARY,    /* one process for all of a program's cases */
};

struct gpu_list;

struct runner_opts {
	unsigned jobs;
	unsigned workers;       /* a program's workers at once, for kinds
	                         * that have them (worker.h); 0: a process
	                         * per task */
	unsigned threads;       /* each worker's threads */
	enum runner_batch batch;
	unsigned repeat;        /* runs of each test, one after another (1) */
	unsigned stress;        /* copies of each test at once (1) */
	bool until_fail;        /* start nothing more after a failure */
	bool flaky_fails;       /* --flaky-result fail */
	unsigned retries;       /* for the run info: tests carry theirs */
	unsigned isolate;       /* failures rerun alone after the parallel
	                         * phase, at most (--isolate-failures); 0:
	                         * none. Only with -j > 1, without --repeat,
	                         * --stress or --until-fail */
	const struct order_pools *pools;  /* the groups tests' needs name */
	const struct gpu_list *gpus;    /* the devices tests that need GPUs
	                                 * get; NULL: none */
	unsigned gpu_slots;             /* tests one device takes at once */
	struct history *history;/* records each finished test and saves
	                         * them at the end; or NULL */
	const char *state_dir;  /* where the schedule's JSON goes; or NULL */
	bool shuffled;          /* for the run info, with seed and shard */
	uint64_t seed;
	unsigned shard, nshards;
	double timeout_s;       /* for the run info only: tests carry theirs */
	double grace_s;
	double idle_timeout_s;  /* no output this long: hung; 0: none */
	uint64_t max_output;    /* a test printing more is killed; 0: none */
	bool backtrace;         /* gdb at a deadline, when installed */
	const struct wrapper *wrapper;  /* in front of every test; or NULL */
	const struct hunt *hunt;        /* --hunt: each run perturbed (the
	                                 * copies are --stress's); or NULL */
	double timeout_scale;   /* deadlines were scaled by this (for a note) */
	double timeout_multiplier;      /* ... of which --timeout-multiplier */
	bool strict_todo;       /* an xpass counts as failed */
	const char *output_dir; /* whole logs of failed jobs; NULL: none */
	uint64_t max_log;       /* bytes kept of one stream (--max-log-size) */
	uint64_t max_logs_total;  /* bytes of logs the output dir may hold */
	bool keep_logs;         /* of every job */
	bool shared_home;       /* --no-isolate-home: tests get the user's */
	const char *hostname;   /* for the run info */
	const char *const *props;  /* name, value, ..., NULL; or NULL */
};

/*
 * What reporters see of a run (run.info, which points into the rest).
 * The caller owns it, so it outlives runner_run until the reporters are
 * closed; run_state_release frees what it holds.
 */
struct run_state {
	struct assay_run_info info;
	size_t counts[ASSAY_OUTCOME_COUNT];
	char *note;
	struct sinks sinks;               /* history, the schedule report;
	                                   * sinks.schedule is info.schedule
	                                   * at RUN_END */
	struct assay_repeat_row *rows;    /* each test's runs, by index */
	const struct assay_repeat_row **repeats;  /* info.repeats: those
	                                           * that ran, --repeat or
	                                           * --stress only */
};

void run_state_release(struct run_state *s);

/*
 * Runs every test of t and reports through bus, keeping the counts in
 * *rs. Returns 0 (whatever the tests did), or a negative code when
 * assay itself could not run (no temporary directory, no epoll).
 */
int runner_run(struct test_table *t, const struct runner_opts *o,
	       struct bus *bus, struct run_state *rs, struct err *e);

#endif
