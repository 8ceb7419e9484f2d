/*
 * sinks.h - where a run's outcome goes besides the reporters: the
 * history (each test's duration and outcome, harness/history.c) and the
 * schedule report (how well the run used its slots, harness/makespan.c),
 * behind one interface, so that others (the journal) join them there.
 *
 * The runner tells the sinks of each task that ran (its span) and of each
 * test's final outcome (a program's, or a listed case's); at the end
 * each sink keeps what it learned, and a problem doing so is a note,
 * never a failure of the run. Never prints, never judges, never sees a
 * reporter.
 */
#ifndef ASSAY_SINKS_H
#define ASSAY_SINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/plugin.h"
#include "makespan.h"

struct history;

/* A task that really ran (it started, and was not cancelled). */
struct sink_task {
	const char *id;                 /* its test's */
	uint64_t start_ns, end_ns;
	unsigned weight;                /* capacity units it held */
};

/* A test's final outcome in one iteration. */
struct sink_test {
	const char *id;
	double duration_s;
	char outcome;                   /* P passed, F failed, S skipped,
	                                 * K flaky (passed after a failure) */
};

struct sink {
	void *state;
	void (*task)(void *state, const struct sink_task *t);
	void (*test)(void *state, const struct sink_test *t);
	/* Keeps what the sink learned; a problem is one line in *note
	 * (malloc'd), and the call returns -1. */
	int (*finish)(void *state, char **note);
};

#define SINKS_MAX 4

/* Where the built-in sinks keep things, and what the schedule report
 * tells about the run. */
struct sinks_opts {
	struct history *history;        /* or NULL: none kept */
	const char *state_dir;          /* schedule.json; or NULL: none */
	unsigned slots;
	bool shuffled;
	uint64_t seed;
	unsigned shard, nshards;
};

struct sinks {
	struct sink v[SINKS_MAX];
	size_t n;
	struct sinks_opts o;
	struct makespan span;
	struct assay_schedule schedule; /* after sinks_finish */
};

/* The history and schedule sinks, as o asks. */
void sinks_init(struct sinks *s, const struct sinks_opts *o);
void sinks_release(struct sinks *s);
void sinks_task(struct sinks *s, const struct sink_task *t);
void sinks_test(struct sinks *s, const struct sink_test *t);
/*
 * Ends the run for every sink: s->schedule is filled; each problem is
 * handed to note (which takes the malloc'd line).
 */
void sinks_finish(struct sinks *s, void (*note)(void *arg, char *line),
		  void *arg);

#endif
