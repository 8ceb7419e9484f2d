/* selftest/unit/shard_test.c - tests harness/shard.c and nothing else. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/shard.h"

/* ---- shard_parse ---------------------------------------------------- */

static void parse_good(void)
{
	struct shard s;
	struct err e = ERR_INIT;

	EXPECT_EQ(shard_parse("2/4", &s, &e), 0);
	EXPECT_EQ(s.k, 2);
	EXPECT_EQ(s.n, 4);
	EXPECT_STREQ(s.source, "--shard 2/4");
	EXPECT_EQ(shard_parse("1/1", &s, &e), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 1);
	EXPECT_EQ(shard_parse("4/4", &s, &e), 0);
	EXPECT_TRUE(s.k == 4 && s.n == 4);
	EXPECT_EQ(shard_parse("100000/100000", &s, &e), 0);
	EXPECT_TRUE(s.k == 100000 && s.n == 100000);
}

static void parse_bad(void)
{
	static const char *const bad[] = {
		"0/4", "5/4", "1/0", "0/0", "", "2/", "/4", "/", "2", "a/b",
		"2/4x", "x2/4", "-1/4", "1/-4", "+1/4", " 1/4", "1/4 ", "2/4/6",
		"1.0/4", "1/100001", "99999999999999999999/4",
		"1/99999999999999999999", "4294967297/4294967298",
	};
	struct shard s;
	struct err e = ERR_INIT;
	char what[80];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = (struct err)ERR_INIT;
		snprintf(what, sizeof(what), "'%s' is refused", bad[i]);
		assay_check_bool(0, 1, shard_parse(bad[i], &s, &e) == ERR_USAGE &&
				  e.code == ERR_USAGE &&
				  strstr(e.msg, "--shard wants K/N"),
			  what, __FILE__, __LINE__);
	}
	shard_parse("5/4", &s, &e);
	EXPECT_STREQ(e.msg, "--shard wants K/N with 1 <= K <= N <= 100000 (e.g. 2/4), got '5/4'");
}

/* ---- shard_from_env ------------------------------------------------- */

static const char *const engine_vars[] = {
	"CI_NODE_INDEX", "CI_NODE_TOTAL",
	"BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT",
	"CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL",
	"JOB_COMPLETION_INDEX", "ASSAY_SHARD_TOTAL",
	"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
	"SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP",
};

/*
 * Clears every engine variable, sets the NAME=VALUE pairs of kv (NULL
 * ends it), and reads the shard.
 */
static int env_case(const char *const *kv, struct shard *s, struct err *e)
{
	size_t nvars = sizeof(engine_vars) / sizeof(engine_vars[0]);

	for (size_t i = 0; i < nvars; i++)
		unsetenv(engine_vars[i]);
	for (; kv[0]; kv += 2)
		setenv(kv[0], kv[1], 1);
	*e = (struct err)ERR_INIT;
	memset(s, 0x55, sizeof(*s));
	return shard_from_env(s, e);
}

#define ENV(s, e, ...) \
	env_case((const char *const[]){ __VA_ARGS__, NULL }, s, e)
#define GITLAB(i, t) "CI_NODE_INDEX", i, "CI_NODE_TOTAL", t
#define BUILDKITE(i, t) \
	"BUILDKITE_PARALLEL_JOB", i, "BUILDKITE_PARALLEL_JOB_COUNT", t
#define CIRCLE(i, t) "CIRCLE_NODE_INDEX", i, "CIRCLE_NODE_TOTAL", t
#define K8S(i, t) "JOB_COMPLETION_INDEX", i, "ASSAY_SHARD_TOTAL", t
#define SLURM(id, min, count) \
	"SLURM_ARRAY_TASK_ID", id, "SLURM_ARRAY_TASK_MIN", min, \
	"SLURM_ARRAY_TASK_COUNT", count
#define STEP(n) "SLURM_ARRAY_TASK_STEP", n

static void env_none(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, NULL), 0);
	EXPECT_EQ(s.n, 0);
	/* empty counts as unset */
	EXPECT_EQ(ENV(&s, &e, GITLAB("", "4")), 0);
	EXPECT_EQ(s.n, 0);
}

static void env_gitlab(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, GITLAB("2", "4")), 0);
	EXPECT_TRUE(s.k == 2 && s.n == 4);
	EXPECT_STREQ(s.source, "GitLab CI_NODE_INDEX=2 CI_NODE_TOTAL=4");
	EXPECT_EQ(ENV(&s, &e, GITLAB("1", "1")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 1);
	EXPECT_EQ(ENV(&s, &e, GITLAB("4", "4")), 0);
	EXPECT_TRUE(s.k == 4 && s.n == 4);
	/* 1-based: 0 and total+1 are out of range */
	EXPECT_EQ(ENV(&s, &e, GITLAB("0", "4")), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "CI_NODE_INDEX must be from 1 to 4");
	EXPECT_EQ(ENV(&s, &e, GITLAB("5", "4")), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "CI_NODE_INDEX=5 CI_NODE_TOTAL=4");
	EXPECT_EQ(ENV(&s, &e, "CI_NODE_INDEX", "2"), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "CI_NODE_INDEX");
	EXPECT_CONTAINS(e.msg, "CI_NODE_TOTAL is not");
	EXPECT_EQ(ENV(&s, &e, GITLAB("two", "4")), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "whole numbers");
	EXPECT_EQ(ENV(&s, &e, GITLAB("1", "0")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, GITLAB("1", "100001")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, GITLAB("-1", "4")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, GITLAB("2 ", "4")), ERR_USAGE);
}

static void env_buildkite_circle(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, BUILDKITE("0", "4")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 4);
	EXPECT_STREQ(s.source, "Buildkite BUILDKITE_PARALLEL_JOB=0 BUILDKITE_PARALLEL_JOB_COUNT=4");
	EXPECT_EQ(ENV(&s, &e, BUILDKITE("3", "4")), 0);
	EXPECT_TRUE(s.k == 4 && s.n == 4);
	EXPECT_EQ(ENV(&s, &e, BUILDKITE("4", "4")), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "BUILDKITE_PARALLEL_JOB must be from 0 to 3");
	EXPECT_EQ(ENV(&s, &e, "BUILDKITE_PARALLEL_JOB", "1"), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "BUILDKITE_PARALLEL_JOB_COUNT");

	EXPECT_EQ(ENV(&s, &e, CIRCLE("0", "1")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 1);
	EXPECT_EQ(ENV(&s, &e, CIRCLE("2", "3")), 0);
	EXPECT_TRUE(s.k == 3 && s.n == 3);
	EXPECT_STREQ(s.source, "CircleCI CIRCLE_NODE_INDEX=2 CIRCLE_NODE_TOTAL=3");
	EXPECT_EQ(ENV(&s, &e, CIRCLE("3", "3")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, CIRCLE("0x1", "3")), ERR_USAGE);
}

static void env_kubernetes(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, K8S("0", "4")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 4);
	EXPECT_STREQ(s.source, "Kubernetes JOB_COMPLETION_INDEX=0 ASSAY_SHARD_TOTAL=4");
	EXPECT_EQ(ENV(&s, &e, K8S("3", "4")), 0);
	EXPECT_TRUE(s.k == 4 && s.n == 4);
	EXPECT_EQ(ENV(&s, &e, K8S("4", "4")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, "JOB_COMPLETION_INDEX", "2"), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "set ASSAY_SHARD_TOTAL to the Job's completions");
	EXPECT_CONTAINS(e.msg, "--shard");
}

static void env_slurm(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, SLURM("5", "1", "8")), 0);
	EXPECT_TRUE(s.k == 5 && s.n == 8);
	EXPECT_STREQ(s.source, "Slurm SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=8");
	/* --array=0-7 */
	EXPECT_EQ(ENV(&s, &e, SLURM("0", "0", "8"), STEP("1")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 8);
	EXPECT_EQ(ENV(&s, &e, SLURM("7", "0", "8")), 0);
	EXPECT_TRUE(s.k == 8 && s.n == 8);
	/* --array=1-7:2 is 1,3,5,7 */
	EXPECT_EQ(ENV(&s, &e, SLURM("7", "1", "4"), STEP("2")), 0);
	EXPECT_TRUE(s.k == 4 && s.n == 4);
	EXPECT_CONTAINS(s.source, "SLURM_ARRAY_TASK_STEP=2");
	EXPECT_EQ(ENV(&s, &e, SLURM("4", "1", "4"), STEP("2")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, SLURM("9", "1", "4"), STEP("2")), ERR_USAGE);
	/* --array=1,5,9: no STEP, IDs beyond MIN + COUNT */
	EXPECT_EQ(ENV(&s, &e, SLURM("5", "1", "3")), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "not a contiguous range");
	EXPECT_EQ(ENV(&s, &e, SLURM("3", "3", "1")), 0);
	EXPECT_TRUE(s.k == 1 && s.n == 1);
	EXPECT_EQ(ENV(&s, &e, SLURM("0", "1", "4")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, "SLURM_ARRAY_TASK_ID", "2"), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "SLURM_ARRAY_TASK_COUNT");
	EXPECT_EQ(ENV(&s, &e, SLURM("x", "1", "4")), ERR_USAGE);
	EXPECT_EQ(ENV(&s, &e, SLURM("1", "1", "4"), STEP("0")), ERR_USAGE);
}

static void env_precedence(void)
{
	struct shard s;
	struct err e;

	EXPECT_EQ(ENV(&s, &e, SLURM("5", "1", "8"), GITLAB("3", "4")), 0);
	EXPECT_TRUE(s.k == 3 && s.n == 4);
	EXPECT_CONTAINS(s.source, "GitLab");
	EXPECT_EQ(ENV(&s, &e, CIRCLE("0", "2"), BUILDKITE("1", "2")), 0);
	EXPECT_TRUE(s.k == 2 && s.n == 2);
	EXPECT_CONTAINS(s.source, "Buildkite");
	EXPECT_EQ(ENV(&s, &e, SLURM("5", "1", "8"), K8S("1", "2")), 0);
	EXPECT_TRUE(s.k == 2 && s.n == 2);
	EXPECT_CONTAINS(s.source, "Kubernetes");
	/* the first engine decides, even when its values are bad */
	EXPECT_EQ(ENV(&s, &e, GITLAB("9", "4"), CIRCLE("0", "2")), ERR_USAGE);
}

/* ---- shard_partition ------------------------------------------------ */

#define MAXN 1500

static char idbuf[MAXN][32];
static const char *ids[MAXN];
static double costs[MAXN];
static unsigned out[MAXN], out2[MAXN];

/* xorshift64*: the same numbers on every machine */
static uint64_t rng_state;

static double rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717u) >> 11) /
	       9007199254740992.0;      /* 2^53 */
}

/* ids prefix0, prefix1, ... */
static void make_ids(size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "%s%zu", prefix, i);
		ids[i] = idbuf[i];
	}
}

/* Most tests cheap, a few expensive; some unknown when unknown_pct > 0. */
static void make_costs(size_t n, uint64_t seed, int unknown_pct)
{
	rng_state = seed;
	for (size_t i = 0; i < n; i++) {
		double r = rnd();
		costs[i] = r < 0.03 ? 1 + 2 * rnd() : 0.01 + 0.19 * rnd();
		if (rnd() * 100 < unknown_pct)
			costs[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? -1 : NAN;
	}
}

static int all_in_range(size_t n, unsigned nshards)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] < 1 || out[i] > nshards)
			return 0;
	return 1;
}

static void partition_covers_every_test(void)
{
	int ok_cost = 1, ok_hash = 1, ok_mixed = 1;

	make_ids(50, "t/");
	for (unsigned k = 1; k <= 7; k++) {
		for (size_t n = 0; n <= 50; n++) {
			make_costs(n, 1000 * k + n, 0);
			memset(out, 0, sizeof(out));
			shard_partition(n, ids, costs, k, out);
			ok_cost &= all_in_range(n, k);
			memset(out, 0, sizeof(out));
			shard_partition(n, ids, NULL, k, out);
			ok_hash &= all_in_range(n, k);
			make_costs(n, 7000 * k + n, 40);
			memset(out, 0, sizeof(out));
			shard_partition(n, ids, costs, k, out);
			ok_mixed &= all_in_range(n, k);
		}
	}
	EXPECT_TRUE(ok_cost);
	EXPECT_TRUE(ok_hash);
	EXPECT_TRUE(ok_mixed);
}

/* Same ids and costs in another order: each id keeps its shard. */
static void partition_is_deterministic(void)
{
	size_t n = 200, perm[200];
	const char *pids[200];
	double pcost[200];
	int same = 1;

	make_ids(n, "suite/");
	make_costs(n, 42, 20);
	for (size_t i = 0; i < n; i++)  /* many ties: costs on a coarse grid */
		if (costs[i] > 0)
			costs[i] = (double)(long)(costs[i] * 20 + 0.5) / 20 +
				   0.05;
	shard_partition(n, ids, costs, 5, out);
	shard_partition(n, ids, costs, 5, out2);
	EXPECT_TRUE(!memcmp(out, out2, n * sizeof(out[0])));

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	rng_state = 7;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rnd() * (double)(i + 1)), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		pids[i] = ids[perm[i]];
		pcost[i] = costs[perm[i]];
	}
	shard_partition(n, pids, pcost, 5, out2);
	for (size_t i = 0; i < n; i++)
		same &= out2[i] == out[perm[i]];
	EXPECT_TRUE(same);
}

static void partition_balances_heavy_tail(void)
{
	size_t n = 300;
	double load[4] = { 0 }, total = 0, slowest = 0, mean;
	int big = 0;

	make_ids(n, "heavy/");
	make_costs(n, 0x5eed, 0);
	shard_partition(n, ids, costs, 4, out);
	for (size_t i = 0; i < n; i++) {
		load[out[i] - 1] += costs[i];
		total += costs[i];
		big += costs[i] >= 1;
	}
	for (int s = 0; s < 4; s++)
		slowest = load[s] > slowest ? load[s] : slowest;
	mean = total / 4;
	printf("# 300 tests (%d of 1-3 s), 4 shards: loads %.3f %.3f %.3f %.3f,"
	       " slowest/mean %.4f\n", big, load[0], load[1], load[2], load[3], slowest / mean);
	EXPECT_TRUE(big >= 3 && big <= 20);
	EXPECT_TRUE(slowest <= 1.05 * mean);
}

/* The median of the known costs, as the test computes it. */
static double test_median(size_t n)
{
	double v[MAXN];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (costs[i] > 0) {
			size_t j = k++;
			for (; j > 0 && v[j - 1] > costs[i]; j--)
				v[j] = v[j - 1];
			v[j] = costs[i];
		}
	}
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void partition_unknown_gets_median(void)
{
	static const char *const small[] = { "a", "b", "c", "u" };
	double c[] = { 10, 10, 1, 0 };      /* median 10: u is heavy */
	unsigned o[4], o5[5];
	double m;
	int same = 1;

	shard_partition(4, small, c, 2, o);
	EXPECT_TRUE(o[0] == 1 && o[1] == 2 && o[3] == 1 && o[2] == 2);
	/* an even count: the mean of the middle two, 1.5 (not 1, not 2):
	 * d 4 -> 1, c 2 -> 2, u 1.5 -> 2, a 1 -> 2, b 1 -> 1 */
	shard_partition(5, (const char *const[]){ "a", "b", "c", "d", "u" },
			(const double[]){ 1, 1, 2, 4, NAN }, 2, o5);
	EXPECT_TRUE(o5[0] == 2 && o5[1] == 1 && o5[2] == 2 && o5[3] == 1 &&
	      o5[4] == 2);

	/* replacing unknowns by the median changes nothing */
	make_ids(101, "m/");
	for (size_t n = 100; n <= 101; n++) {   /* even and odd known counts */
		make_costs(n, n, 30);
		shard_partition(n, ids, costs, 3, out);
		m = test_median(n);
		for (size_t i = 0; i < n; i++)
			if (!(costs[i] > 0))
				costs[i] = m;
		shard_partition(n, ids, costs, 3, out2);
		same &= !memcmp(out, out2, n * sizeof(out[0]));
	}
	EXPECT_TRUE(same);
}

static void partition_hash_is_stable_and_even(void)
{
	unsigned count[4] = { 0 };
	unsigned first[1000];
	const char *mixed[MAXN];
	int even = 1, kept = 1;

	make_ids(MAXN, "tests/case-");
	for (size_t i = 0; i < 1000; i++)
		costs[i] = 0;
	shard_partition(1000, ids, NULL, 4, first);
	shard_partition(1000, ids, costs, 4, out);  /* all unknown: hash too */
	EXPECT_TRUE(!memcmp(first, out, 1000 * sizeof(out[0])));
	for (size_t i = 0; i < 1000; i++)
		count[first[i] - 1]++;
	for (int s = 0; s < 4; s++) {
		printf("# hash shard %d: %u of 1000\n", s + 1, count[s]);
		even &= count[s] >= 200 && count[s] <= 300;
	}
	EXPECT_TRUE(even);

	/* add 500 tests, new ones first: the old 1000 keep their shards */
	for (size_t i = 0; i < 500; i++)
		mixed[i] = ids[1000 + i];
	for (size_t i = 0; i < 1000; i++)
		mixed[500 + i] = ids[i];
	shard_partition(MAXN, mixed, NULL, 4, out);
	for (size_t i = 0; i < 1000; i++)
		kept &= out[500 + i] == first[i];
	EXPECT_TRUE(kept);

	/* FNV-1a 64 + fmix64 of "a" is 0x82a2a958a9bece5b: pinned, so the
	 * split is the same on every machine */
	shard_partition(1, (const char *const[]){ "a" }, NULL, 4, out);
	EXPECT_EQ(out[0], 0x82a2a958a9bece5bu % 4 + 1);
	shard_partition(1, (const char *const[]){ "a" }, NULL, 7, out);
	EXPECT_EQ(out[0], 0x82a2a958a9bece5bu % 7 + 1);
}

/*
 * Ids that differ only in letters with the same low two bits (a e i m
 * q u y): plain FNV-1a puts all 49 in one of 4 shards.
 */
static void partition_hash_mixes_all_bits(void)
{
	static const char letters[] = "aeimquy";
	unsigned count[4] = { 0 };
	int spread = 1;

	for (size_t i = 0; i < 49; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "t/%c%c", letters[i / 7],
			 letters[i % 7]);
		ids[i] = idbuf[i];
	}
	shard_partition(49, ids, NULL, 4, out);
	for (size_t i = 0; i < 49; i++)
		count[out[i] - 1]++;
	for (int s = 0; s < 4; s++)
		spread &= count[s] >= 5;
	EXPECT_TRUE(spread);
}

ASSAY_TEST(shard, parse_good)
{
	parse_good();
}

ASSAY_TEST(shard, parse_bad)
{
	parse_bad();
}

ASSAY_TEST(shard, env_none)
{
	env_none();
}

ASSAY_TEST(shard, env_gitlab)
{
	env_gitlab();
}

ASSAY_TEST(shard, env_buildkite_circle)
{
	env_buildkite_circle();
}

ASSAY_TEST(shard, env_kubernetes)
{
	env_kubernetes();
}

ASSAY_TEST(shard, env_slurm)
{
	env_slurm();
}

ASSAY_TEST(shard, env_precedence)
{
	env_precedence();
}

ASSAY_TEST(shard, partition_covers_every_test)
{
	partition_covers_every_test();
}

ASSAY_TEST(shard, partition_is_deterministic)
{
	partition_is_deterministic();
}

ASSAY_TEST(shard, partition_balances_heavy_tail)
{
	partition_balances_heavy_tail();
}

ASSAY_TEST(shard, partition_unknown_gets_median)
{
	partition_unknown_gets_median();
}

ASSAY_TEST(shard, partition_hash_is_stable_and_even)
{
	partition_hash_is_stable_and_even();
}

ASSAY_TEST(shard, partition_hash_mixes_all_bits)
{
	partition_hash_mixes_all_bits();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
