/*
 * makespan.h - the schedule's own report: how close a run came to the
 * lower bound max(total work / slots, longest job).
 *
 * The runner adds every job as it ends (start, end, weight, id); at
 * the end makespan_finish fills a struct assay_schedule, and
 * makespan_write_json writes it, with the seed and the shard, as one
 * JSON object for tools (docs/scheduling.md names its fields). Never
 * reads the clock itself, never prints.
 */
#ifndef ASSAY_MAKESPAN_H
#define ASSAY_MAKESPAN_H

#include <stddef.h>
#include <stdint.h>

#include "assay/plugin.h"
#include "err.h"

struct makespan {
	uint64_t first_start, last_end; /* first_start 0: no job yet */
	uint64_t work_ns, longest_ns;
	char *longest_id, *critical_id; /* copies */
	uint64_t critical_start, critical_ns;
	size_t jobs;
};

void makespan_init(struct makespan *m);
/* One job that ran from start_ns to end_ns (a monotonic clock) and
 * held weight capacity units. */
void makespan_add(struct makespan *m, const char *id, uint64_t start_ns,
		  uint64_t end_ns, unsigned weight);
/* Fills *out (its strings point into m) for a run on slots slots. */
void makespan_finish(const struct makespan *m, unsigned slots,
		     struct assay_schedule *out);
/*
 * Writes s and the run's ordering facts to path atomically (temporary
 * file, rename). seed is written only when shuffled; nshards 0 means
 * no shard. ERR_SYS naming path on failure.
 */
int makespan_write_json(const struct assay_schedule *s, const char *path,
			int shuffled, uint64_t seed, unsigned shard,
			unsigned nshards, struct err *e);
void makespan_release(struct makespan *m);

#endif
