/*
 * harness/api/api.h - what libassay's parts share (not installed).
 *
 * registry.c keeps the registered tests and their attributes; check.c
 * judges assertions into the running test's record; run.c runs the
 * tests (standalone: TAP); frames.c speaks the worker protocol under
 * assay; zygote.c forks the `isolate` tests' children. A record belongs
 * to one thread: the test it describes runs on that thread only.
 * Nothing here ever touches a record of another thread. What ends the
 * process: run.c (its exit status, the watchdog's bail-out, a child's
 * end), frames.c when the host is gone or a fatal signal came, and the
 * fork server's own end.
 */
#ifndef ASSAY_API_H
#define ASSAY_API_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#define ASSAY_API_INTERNAL      /* the library carries no marker */
#include "assay/test.h"

/* A registered test and what its attributes say. */
struct api_test {
	const struct assay_test_def *def;
	char *id;               /* "suite::name" */
	double timeout_s;       /* 0: none */
	char *tags, *resources; /* comma-separated, or NULL */
	bool serial, isolate, threads;
	unsigned gpus;          /* GPUs it needs (under assay); 0: none */
	bool gpu_exclusive;     /* every slot of each */
};

/* The registered tests, in the order they registered. */
struct api_tests {
	struct api_test *v;
	size_t n;
};

/*
 * Collects the registered tests into t and reads their attributes.
 * Returns 0, or -1 with why (malloc'd) in *problem: an attribute it does
 * not know, a bad value, two tests of one id.
 */
int api_tests_load(struct api_tests *t, char **problem);
void api_tests_release(struct api_tests *t);

/* The running test's record, on its thread. */
struct api_record {
	const struct api_test *test;
	jmp_buf out;            /* where a fatal check or a skip jumps */
	bool failed, skipped;
	char how;               /* a failure in a child: 'c' it crashed,
	                         * 't' it ran past its timeout; else 0 */
	char *message;          /* the first failure's line, or the skip's
	                         * reason */
	char *at;               /* "file:line" of that first failure */
	char *details;          /* every failure, a few lines each */
	size_t details_len;
};

/* n bytes of buf to fd, whole (retrying EINTR; async-signal-safe);
 * false on an error. */
bool api_write_all(int fd, const char *buf, size_t n);
/* CLOCK_MONOTONIC, in seconds. */
double api_now_s(void);

/* printf into new memory; no memory aborts (libassay's rule: it has
 * nothing to judge tests with then). */
char *api_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The record checks on this thread write to (NULL: none, outside a
 * test). */
void api_record_set(struct api_record *r);
struct api_record *api_record_get(void);
void api_record_release(struct api_record *r);

/*
 * The worker protocol's writer (frames.c; docs/api.md). api_frames_open
 * moves the tests' standard output and error onto a capture read back
 * between frames (and, serving, their input to /dev/null: the host's
 * batches come on fd 0); 0, or -1 with why in *problem (malloc'd).
 * Start and end frames may come from any thread.
 */
int api_frames_open(bool serve, char **problem);
/* Then starts the pump thread (frames leave within FLUSH_MS from here
 * on): the same return. */
int api_frames_pump(char **problem);
/* The pump thread's name (/proc/PID/task/TID/comm): assay's look at a
 * hung worker leaves it out of its verdict (harness/look.c). */
#define API_PUMP_NAME "assay-pump"
void api_frames_start(const char *id);
void api_frames_end(const char *id, const char *outcome, double took_s,
		    const char *message, const char *at, const char *details);
/* A batch begins: while it runs, a "Y" from the host calls yield(arg)
 * (from any thread, with the frames' lock held, so the batch does not
 * end meanwhile), which may give tests back with api_frames_give_back
 * and call nothing else of this module. */
void api_frames_batch_begin(void (*yield)(void *arg), void *arg);
/* From yield only: the test id leaves the batch unstarted: "G ID". */
void api_frames_give_back(const char *id);
/* The batch is over: "D", and everything goes out now. */
void api_frames_batch_done(void);
/* Serving: the host's next batch, its ids one per line and an empty
 * line (malloc'd, *len bytes); NULL at the end of its input. */
char *api_frames_next_batch(size_t *len);
/* In a child forked to run a test (or to fork them): the parent's frames
 * and the host's pipes are not its. */
void api_frames_forked(void);
/* Everything out; the pump stopped. */
void api_frames_close(void);

/* What became of a test run in a child of its own: what the child sent
 * (its record, buf[0..len), malloc'd), its wait status, and whether it
 * ran past its timeout (then it was killed). */
struct api_apart {
	bool late;
	int status;
	char *buf;
	size_t len;
};
/* Runs t in a child and waits for it; the child closes `line` (if not
 * -1: the fork server's end of its socket). */
typedef void (*api_apart_fn)(const struct api_test *t, int line, struct api_apart *a);

/*
 * The fork server (zygote.c): api_zygote_start forks it now, from the
 * program as it is (0, or -1: none); api_zygote_run has it run t (one of
 * all's tests) with fn, false if there is no server (any more: then the
 * caller forks); api_zygote_stop ends it.
 */
int api_zygote_start(const struct api_tests *all, api_apart_fn fn);
bool api_zygote_run(const struct api_test *t, struct api_apart *a);
void api_zygote_stop(void);


#endif
