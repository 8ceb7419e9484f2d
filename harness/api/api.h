/*
 * harness/api/api.h - what libassay's parts share (not installed).
 *
 * registry.c keeps the registered tests and their attributes; check.c
 * judges assertions into the running test's record; main.c runs the
 * tests (standalone: TAP). A record belongs to one thread: the test it
 * describes runs on that thread only. Nothing here ever touches a record
 * of another thread, and nothing here exits the process but main.c.
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

/* printf into new memory; no memory aborts (libassay's rule: it has
 * nothing to judge tests with then). */
char *api_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The record checks on this thread write to (NULL: none, outside a
 * test). */
void api_record_set(struct api_record *r);
struct api_record *api_record_get(void);
void api_record_release(struct api_record *r);

#endif
