/*
 * order.h - what each test costs and which starts first.
 *
 * Before a run, fills every test's scheduling fields from assay.conf
 * (slots, serial, groups, retries, timeout: the one place a test's
 * deadline is decided) and from history (expected
 * duration, whether its last run failed), then its priority:
 * - lpt (default): longest expected first, by slot-seconds (duration x
 *   weight), so the long jobs start early and short ones fill the end;
 * - given: the order tests were found in;
 * - random (--shuffle): a hash of the seed and the test id, so the same
 *   seed and selection give the same order, whatever else was found.
 * --failed-first puts tests whose last run failed before all others.
 * A test history does not know costs the median of the known tests in
 * its directory, else of all known tests, else ORDER_DEFAULT_COST_S.
 * Never reads files, never prints.
 */
#ifndef ASSAY_ORDER_H
#define ASSAY_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define ORDER_DEFAULT_COST_S 1.0

struct conf;
struct history;
struct test_table;

enum order_mode { ORDER_LPT, ORDER_GIVEN, ORDER_RANDOM };

struct order_opts {
	enum order_mode mode;
	bool failed_first;
	uint64_t seed;                  /* ORDER_RANDOM */
	unsigned slots;                 /* -j: serial weighs this much */
	unsigned retries;               /* --retries, unless conf sets it */
	bool allow_leaks;               /* --allow-leaks, unless conf sets it */
	double timeout_s;               /* --timeout, unless conf sets it: a
	                                 * test's deadline is set here and
	                                 * nowhere else */
	double timeout_scale;           /* every deadline times this
	                                 * (--timeout-multiplier, --wrapper);
	                                 * 0 counts as 1 */
	unsigned each_gpu;              /* n: each test that needs one GPU
	                                 * runs on each of n devices, a test
	                                 * of its own (table_each_gpu), after
	                                 * assay.conf and before history */
	const char *const *gpu_names;   /* their names, each_gpu of them */
};

/* The exclusion groups tests named: a test's need.pool[i] indexes
 * these, in the order the runner adds them to its sched. */
struct order_pools {
	char **names;
	unsigned *cap;
	unsigned n;
};

/*
 * Fills the scheduling fields of every test in t (c and h may be NULL)
 * and the pools their groups make.
 */
void order_plan(struct test_table *t, struct conf *c,
		const struct history *h, const struct order_opts *o,
		struct order_pools *pools);
void order_pools_release(struct order_pools *p);
/* A seed for --shuffle without --seed: from the kernel's random pool. */
uint64_t order_new_seed(void);

#endif
