/*
 * runner.h - the execute stage: runs a test table on N slots.
 *
 * Owns the loop, the scheduler, the slots' jobs and the run's temporary
 * directory for the length of one run. Each loop iteration runs fixed
 * phases: fill free slots, wait, read output and signals, reap children,
 * fire due timers, collect finished jobs. Turns what jobs did into
 * results through their kind and hands them to the bus. Never formats
 * output, never sleeps, never polls for children.
 */
#ifndef ASSAY_RUNNER_H
#define ASSAY_RUNNER_H

#include <stdbool.h>

#include "assay/plugin.h"
#include "err.h"

struct bus;
struct test_table;

struct runner_opts {
	unsigned jobs;
	double timeout_s;       /* for the run info only: tests carry theirs */
	double grace_s;
	bool strict_todo;       /* an xpass counts as failed */
	const char *output_dir; /* whole logs of failed jobs; NULL: none */
	bool keep_logs;         /* of every job */
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
