/*
 * table.h - the test table: every test a run knows about.
 *
 * Discovery appends; later stages read and select. A test's strings are
 * owned by the table. Never runs anything, never touches the file system.
 */
#ifndef ASSAY_TABLE_H
#define ASSAY_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "assay/plugin.h"
#include "sched.h"
#include "strindex.h"

/* What a program's kind said of one of its cases beside its name (its
 * attributes: struct assay_case_traits); empty, the host's defaults. */
struct case_traits {
	double timeout_s;               /* 0: the run's */
	bool serial;
	char *tags;                     /* "a,b", or NULL */
	char *groups;                   /* assay.conf groups, "a,b", or NULL */
	unsigned gpus;                  /* GPUs it needs; 0: none */
	bool gpu_exclusive;             /* every slot of each */
};

struct test {
	struct assay_test pub;          /* what plugins see; strings owned */
	const struct assay_kind *kind;
	char *problem;                  /* set: cannot run, report as error */
	size_t index;                   /* position in the table */
	/* how it is scheduled (assay.conf, history: see order.h) */
	struct sched_need need;
	unsigned retries;               /* extra attempts after a failure */
	bool allow_leaks;               /* processes it leaves running are
	                                 * killed and noted, not a failure */
	int san;                        /* enum binary_san of its program
	                                 * (its deadline is scaled by it);
	                                 * -1: not read yet */
	bool kind_serial;               /* its kind says it runs alone */
	double cost_s;                  /* expected duration */
	bool cost_known;                /* cost_s is from history */
	bool failed_last;               /* its last run in history failed */
	double priority;                /* higher starts first */
	/* one case of a program its kind listed (pub.case_name set): */
	struct test *program;           /* the program, in t->programs */
	char *skip;                     /* listed as not to run (disabled):
	                                 * reported skipped with this reason */
	struct case_traits traits;      /* what the kind listed with it */
};

/* A program's cases, as its kind listed them. */
struct table_cases {
	char **names;
	char **skips;                   /* per case: a reason, or NULL */
	struct case_traits *traits;     /* per case */
	size_t n;
};

struct test_table {
	struct test **v;
	size_t n, cap;
	struct strindex ids;            /* the tests of v, by id */
	struct test **programs;         /* programs whose cases replaced them */
	size_t nprograms, capprograms;
};

void table_init(struct test_table *t);
void table_release(struct test_table *t);
/*
 * Adds a test. id and suite are copied; when id is taken already, the
 * new test gets "ROOT/id" as its id instead (ROOT as given), so ids stay
 * unique. problem (copied, may be NULL) marks a test that cannot run.
 */
struct test *table_add(struct test_table *t, const char *root,
		       const char *suite, const char *path,
		       const struct assay_kind *kind, const char *problem);
/* The test with this id, or NULL. */
struct test *table_find(const struct test_table *t, const char *id);
/*
 * Replaces each test x whose cases[x->index].n is not 0 by one test per
 * case, in place and in order: id "X_ID::CASE", X's suite, path, kind and
 * timeout, and the case's traits. x moves to t->programs; its cases
 * point to it. Takes the strings in cases (and frees the arrays).
 */
void table_expand(struct test_table *t, struct table_cases *cases);
/* Drops the tests whose keep[index] is false; the rest keep their order
 * and are renumbered. */
void table_filter(struct test_table *t, const bool *keep);

/* The program a test belongs to: itself, unless it is a listed case. */
static inline const struct test *program_of(const struct test *x)
{
	return x->program ? x->program : x;
}

/*
 * Each test that needs one GPU becomes ngpus tests, the k-th pinned to
 * device k (need.gpu_only) and named ID@gpuNAME, NAME the device's
 * (names[k]: its id, as assay devices lists it); a listed case is named
 * PROGRAM@gpuNAME::CASE, its program copied the same way, so that each
 * device's cases run in batches and report in suites of their own.
 * Returns how many tests became copies.
 */
size_t table_each_gpu(struct test_table *t, unsigned ngpus, const char *const *names);

#endif
