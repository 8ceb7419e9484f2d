/*
 * shard.h - which part of the selected tests this machine runs, when a
 * CI or cluster engine splits one suite over N jobs.
 *
 * The shard comes from --shard K/N (K from 1 to N), or else from the
 * engine's own variables: GitLab CI_NODE_INDEX/CI_NODE_TOTAL (1-based),
 * Buildkite BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT,
 * CircleCI CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL, Kubernetes indexed Jobs
 * JOB_COMPLETION_INDEX with ASSAY_SHARD_TOTAL, Slurm job arrays
 * SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT/SLURM_ARRAY_TASK_MIN (and
 * SLURM_ARRAY_TASK_STEP when set), in that order; the first engine whose
 * variables are set wins, and source says which.
 *
 * The split is by cost when any test has one (longest first to the
 * least loaded shard, ties by id, so the same costs and selection give
 * the same split on every machine); without costs, by a stable hash of
 * each id. Every test lands in exactly one shard. Never reads files,
 * never prints.
 */
#ifndef ASSAY_SHARD_H
#define ASSAY_SHARD_H

#include <stddef.h>

#include "err.h"

struct shard {
	unsigned k, n;          /* this shard, 1..n; n == 0: not sharded */
	char source[256];       /* "--shard 2/4", or the engine and the
	                         * variables it set, for one line of output */
};

/* "K/N" with 1 <= K <= N <= 100000; otherwise ERR_USAGE naming arg. */
int shard_parse(const char *arg, struct shard *s, struct err *e);
/*
 * Fills s from the first engine whose variables are set (getenv); 0
 * with s->n == 0 when none is. Values that do not make a shard (not a
 * number, index out of range) are ERR_USAGE naming the variables.
 */
int shard_from_env(struct shard *s, struct err *e);
/*
 * Splits n tests into nshards: out[i] gets test i's shard, 1..nshards.
 * cost[i] > 0 is test i's expected cost (its duration), 0 unknown:
 * unknown tests cost the median of the known ones. With no cost known
 * at all, the split is by a hash of ids[i].
 */
void shard_partition(size_t n, const char *const *ids, const double *cost,
		     unsigned nshards, unsigned *out);

#endif
