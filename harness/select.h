/*
 * select.h - what runs: the tests of the table this run keeps.
 *
 * The one place that drops tests from a run once they are found and
 * costed: today this machine's shard (--shard K/N, or the CI engine's
 * variables; harness/shard.c splits by cost); changed-since, baselines
 * and resume belong here too. --exclude is not here: it prunes the walk
 * in discover.c, so that an excluded directory is never read. Never
 * prints, never reads history (costs come from order.c), never runs
 * anything.
 */
#ifndef ASSAY_SELECT_H
#define ASSAY_SELECT_H

#include <stddef.h>

#include "err.h"
#include "shard.h"

struct test_table;

struct select_opts {
	struct shard shard;             /* --shard; n 0: from the environment */
	const char *const *tags;        /* --tag: keep the tests tagged with
	                                 * any of these */
	size_t ntags;
};

/* What selection kept, for the run's reports. */
struct selection {
	struct shard shard;             /* the part this machine runs; n 0:
	                                 * the whole suite */
	size_t found;                   /* tests before selection */
	size_t tagged;                  /* tests with a tag asked for */
};

/*
 * Drops from t the tests this run does not keep: those without a tag
 * asked for, then those of other shards. An empty table keeps no shard
 * (no tests at all is the caller's error, not an empty part). Returns 0,
 * or ERR_USAGE when the CI engine's shard variables are bad or no test
 * carries a tag asked for.
 */
int select_tests(struct test_table *t, const struct select_opts *o,
		 struct selection *out, struct err *e);

#endif
