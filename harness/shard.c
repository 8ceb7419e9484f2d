/* shard.c - see shard.h. */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "shard.h"
#include "xalloc.h"

#define SHARD_MAX 100000u
#define NUM_MAX 999999999ul     /* env numbers: 9 digits, no overflow */

/*
 * A whole number made of digits only (no sign, no space), at most max.
 * Returns false for anything else, including "" and NULL.
 */
static bool parse_num(const char *s, size_t len, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static bool env_num(const char *s, unsigned long *out)
{
	return s && parse_num(s, strlen(s), NUM_MAX, out);
}

static bool is_set(const char *s)
{
	return s && *s;
}

int shard_parse(const char *arg, struct shard *s, struct err *e)
{
	const char *slash = strchr(arg, '/');
	unsigned long k, n;

	if (!slash || !parse_num(arg, (size_t)(slash - arg), SHARD_MAX, &k) ||
	    !parse_num(slash + 1, strlen(slash + 1), SHARD_MAX, &n) ||
	    k < 1 || k > n)
		return err_set(e, ERR_USAGE,
			       "--shard wants K/N with 1 <= K <= N <= %u (e.g. 2/4), got '%.64s'",
			       SHARD_MAX, arg);
	s->k = (unsigned)k;
	s->n = (unsigned)n;
	snprintf(s->source, sizeof(s->source), "--shard %lu/%lu", k, n);
	return 0;
}

/* An engine that gives an index and a total, base 0 or 1. */
struct engine {
	const char *name, *index_var, *total_var;
	unsigned base;
};

static const struct engine engines[] = {
	{ "GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },
	{ "Buildkite", "BUILDKITE_PARALLEL_JOB",
	  "BUILDKITE_PARALLEL_JOB_COUNT", 0 },
	{ "CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },
	{ "Kubernetes", "JOB_COMPLETION_INDEX", "ASSAY_SHARD_TOTAL", 0 },
};

/* The error for a total that is missing; Kubernetes says what to set. */
static int missing_total(const struct engine *g, const char *index,
			 struct err *e)
{
	if (!strcmp(g->total_var, "ASSAY_SHARD_TOTAL"))
		return err_set(e, ERR_USAGE,
			       "%s=%.40s is set (a Kubernetes indexed Job) but ASSAY_SHARD_TOTAL is not: set ASSAY_SHARD_TOTAL to the Job's completions, or pass --shard K/N",
			       g->index_var, index);
	return err_set(e, ERR_USAGE,
		       "%s %s=%.40s is set but %s is not: set both, or pass --shard K/N",
		       g->name, g->index_var, index, g->total_var);
}

static int engine_bad(const struct engine *g, const char *index,
		      const char *total, const char *why, struct err *e)
{
	return err_set(e, ERR_USAGE, "%s %s=%.40s %s=%.40s is not a shard: %s",
		       g->name, g->index_var, index, g->total_var, total, why);
}

static int from_engine(const struct engine *g, struct shard *s,
		       struct err *e)
{
	const char *index = getenv(g->index_var);
	const char *total = getenv(g->total_var);
	unsigned long i, n;
	char why[128];

	if (!is_set(total))
		return missing_total(g, index, e);
	if (!env_num(index, &i) || !env_num(total, &n))
		return engine_bad(g, index, total,
				  "both must be whole numbers", e);
	if (n < 1 || n > SHARD_MAX) {
		snprintf(why, sizeof(why), "%s must be from 1 to %u",
			 g->total_var, SHARD_MAX);
		return engine_bad(g, index, total, why, e);
	}
	if (i < g->base || i - g->base >= n) {
		snprintf(why, sizeof(why), "%s must be from %u to %lu",
			 g->index_var, g->base, n - 1 + g->base);
		return engine_bad(g, index, total, why, e);
	}
	s->k = (unsigned)(i - g->base + 1);
	s->n = (unsigned)n;
	snprintf(s->source, sizeof(s->source), "%s %s=%lu %s=%lu", g->name,
		 g->index_var, i, g->total_var, n);
	return 0;
}

/* The Slurm array's variables, as found. */
struct slurm {
	const char *id, *min, *count, *step;
	char desc[200];
};

static int slurm_bad(const struct slurm *v, const char *why, struct err *e)
{
	return err_set(e, ERR_USAGE, "Slurm %s is not a shard: %s", v->desc,
		       why);
}

/*
 * k = (ID - MIN) / STEP + 1 of COUNT. An array given as a list (1,5,9)
 * has no STEP and indexes that do not follow one another: refused.
 */
static int from_slurm(struct shard *s, struct err *e)
{
	struct slurm v = { getenv("SLURM_ARRAY_TASK_ID"),
			   getenv("SLURM_ARRAY_TASK_MIN"),
			   getenv("SLURM_ARRAY_TASK_COUNT"),
			   getenv("SLURM_ARRAY_TASK_STEP"), "" };
	unsigned long id, min, count, step = 1, d;

	snprintf(v.desc, sizeof(v.desc),
		 "SLURM_ARRAY_TASK_ID=%.24s SLURM_ARRAY_TASK_MIN=%.24s SLURM_ARRAY_TASK_COUNT=%.24s%s%.24s",
		 v.id, v.min ? v.min : "(unset)",
		 v.count ? v.count : "(unset)",
		 is_set(v.step) ? " SLURM_ARRAY_TASK_STEP=" : "",
		 is_set(v.step) ? v.step : "");
	if (!is_set(v.min) || !is_set(v.count))
		return slurm_bad(&v, "SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT must be set too; or pass --shard K/N", e);
	if (!env_num(v.id, &id) || !env_num(v.min, &min) ||
	    !env_num(v.count, &count) ||
	    (is_set(v.step) && (!env_num(v.step, &step) || step < 1)))
		return slurm_bad(&v, "each must be a whole number (STEP at least 1); or pass --shard K/N", e);
	if (count < 1 || count > SHARD_MAX)
		return slurm_bad(&v, "SLURM_ARRAY_TASK_COUNT must be from 1 to 100000", e);
	if (id < min)
		return slurm_bad(&v, "the task ID is below SLURM_ARRAY_TASK_MIN", e);
	d = id - min;
	if (count > 1 && !is_set(v.step) && d >= count)
		return slurm_bad(&v, "the array is not a contiguous range (e.g. --array=1,5,9): use --array=1-N, or pass --shard K/N", e);
	if (d % step || d / step >= count)
		return slurm_bad(&v, "the task ID is not MIN + STEP x (0 to COUNT-1): pass --shard K/N", e);
	s->k = (unsigned)(d / step + 1);
	s->n = (unsigned)count;
	snprintf(s->source, sizeof(s->source), "Slurm %s", v.desc);
	return 0;
}

int shard_from_env(struct shard *s, struct err *e)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (is_set(getenv(engines[i].index_var)))
			return from_engine(&engines[i], s, e);
	if (is_set(getenv("SLURM_ARRAY_TASK_ID")))
		return from_slurm(s, e);
	return 0;
}

/* --- the split ------------------------------------------------------ */

/*
 * FNV-1a, mixed: without the mix the low bits of FNV-1a depend only on
 * the low bits of each byte, so with 2 or 4 shards ids that differ in
 * 'a' against 'e' always land together.
 */
static uint64_t id_hash(const char *s)
{
	return hash_mix(hash_str(s));
}

static bool known(double c)
{
	return isfinite(c) && c > 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the known costs; 0 when none is known. */
static double median_cost(size_t n, const double *cost)
{
	double *v = xmalloc((n ? n : 1) * sizeof(*v)), m = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (known(cost[i]))
			v[k++] = cost[i];
	if (k) {
		qsort(v, k, sizeof(*v), cmp_double);
		m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	}
	free(v);
	return m;
}

struct item {
	double cost;
	const char *id;
	size_t i;
};

/* Costliest first; ties by id, then by position: a total order. */
static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	if ((c = strcmp(x->id, y->id)))
		return c;
	return (x->i > y->i) - (x->i < y->i);
}

/* A shard in the min-heap: least load on top, ties to the lower number. */
struct bin {
	double load;
	unsigned shard;
};

static bool lighter(const struct bin *a, const struct bin *b)
{
	if (a->load != b->load)
		return a->load < b->load;
	return a->shard < b->shard;
}

/* The top's load grew: move it down to where it belongs. */
static void sift_down(struct bin *h, size_t n)
{
	size_t i = 0, c;
	struct bin t;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && lighter(&h[c + 1], &h[c]))
			c++;
		if (!lighter(&h[c], &h[i]))
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

/*
 * Longest first to the least loaded shard. The bins start in shard
 * order with load 0, which is already a heap.
 */
static void split_by_cost(size_t n, const char *const *ids,
			  const double *cost, unsigned nshards, unsigned *out)
{
	struct item *it = xmalloc(n * sizeof(*it));
	struct bin *h = xmalloc(nshards * sizeof(*h));
	double median = median_cost(n, cost);

	for (size_t i = 0; i < n; i++)
		it[i] = (struct item){ known(cost[i]) ? cost[i] : median,
				       ids[i], i };
	qsort(it, n, sizeof(*it), cmp_item);
	for (unsigned s = 0; s < nshards; s++)
		h[s] = (struct bin){ 0, s + 1 };
	for (size_t j = 0; j < n; j++) {
		out[it[j].i] = h[0].shard;
		h[0].load += it[j].cost;
		sift_down(h, nshards);
	}
	free(h);
	free(it);
}

void shard_partition(size_t n, const char *const *ids, const double *cost,
		     unsigned nshards, unsigned *out)
{
	bool any = false;

	assert(nshards > 0);
	assert(n == 0 || (ids && out));
	for (size_t i = 0; cost && i < n && !any; i++)
		any = known(cost[i]);
	if (nshards == 1 || !n) {
		for (size_t i = 0; i < n; i++)
			out[i] = 1;
	} else if (any) {
		split_by_cost(n, ids, cost, nshards, out);
	} else {
		for (size_t i = 0; i < n; i++)
			out[i] = (unsigned)(id_hash(ids[i]) % nshards) + 1;
	}
}
