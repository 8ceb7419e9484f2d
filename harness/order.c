/* order.c - see order.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "binary.h"
#include "conf.h"
#include "hash.h"
#include "history.h"
#include "order.h"
#include "table.h"
#include "xalloc.h"

#define FAILED_FIRST_BONUS 1e15   /* above any cost x weight */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); fallback when n is 0. */
static double median(double *v, size_t n, double fallback)
{
	if (!n)
		return fallback;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Length of the directory part of a suite path (0 for none). */
static size_t dir_len(const char *suite)
{
	const char *slash = strrchr(suite, '/');

	return slash ? (size_t)(slash - suite) : 0;
}

static int cmp_dir(const struct test *x, const struct test *y)
{
	size_t lx = dir_len(x->pub.suite), ly = dir_len(y->pub.suite);
	int c = memcmp(x->pub.suite, y->pub.suite, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

static int by_dir(const void *a, const void *b)
{
	const struct test *x = *(struct test *const *)a;
	const struct test *y = *(struct test *const *)b;
	int c = cmp_dir(x, y);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Unknown tests cost the median of the known ones in their directory,
 * else of all known ones, else the default. */
static void estimate_unknown(struct test_table *t)
{
	struct test **v;
	double *known, all;
	size_t nk = 0, hi;

	if (!t->n)
		return;
	v = xmalloc(t->n * sizeof(*v));
	known = xmalloc(t->n * sizeof(*known));
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i]->cost_known)
			known[nk++] = t->v[i]->cost_s;
	all = median(known, nk, ORDER_DEFAULT_COST_S);
	memcpy(v, t->v, t->n * sizeof(*v));
	qsort(v, t->n, sizeof(*v), by_dir);
	for (size_t lo = 0; lo < t->n; lo = hi) {
		double m;
		nk = 0;
		for (hi = lo; hi < t->n && !cmp_dir(v[lo], v[hi]); hi++)
			if (v[hi]->cost_known)
				known[nk++] = v[hi]->cost_s;
		m = median(known, nk, all);
		for (size_t i = lo; i < hi; i++)
			if (!v[i]->cost_known)
				v[i]->cost_s = m;
	}
	free(v);
	free(known);
}

static unsigned pool_index(struct order_pools *p, const struct conf *c,
			   const char *name)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name))
			return i;
	p->names = xrealloc(p->names, (p->n + 1) * sizeof(*p->names));
	p->cap = xrealloc(p->cap, (p->n + 1) * sizeof(*p->cap));
	p->names[p->n] = xstrdup(name);
	p->cap[p->n] = conf_group_max(c, name);
	return p->n++;
}

/* The sanitizer x's program was built with, read once per program. */
static enum binary_san sanitizer_of(struct test *x)
{
	struct test *p = x->program ? x->program : x;

	if (p->san < 0)
		p->san = (int)binary_sanitizer(p->pub.path);
	x->san = p->san;
	return (enum binary_san)p->san;
}

/* x needs a unit of the pool named name[0..n) (once). */
static void need_pool(struct test *x, struct order_pools *pools,
		      const struct conf *c, const char *name, size_t n)
{
	char *s = xstrndup(name, n);
	unsigned p = pool_index(pools, c, s);

	free(s);
	for (unsigned i = 0; i < x->need.npools; i++)
		if (x->need.pool[i] == p)
			return;
	if (x->need.npools < SCHED_MAX_POOLS)
		x->need.pool[x->need.npools++] = p;
	else if (!x->problem)
		x->problem = xasprintf("it needs more than %d groups (assay.conf's "
				       "group, its resources): name at most %d",
				       SCHED_MAX_POOLS, SCHED_MAX_POOLS);
}

/* What x's kind said of it (its traits, kind_serial), then assay.conf's
 * settings over that, then the run's options where neither says. */
static void apply_settings(struct test *x, struct conf *c,
			   const struct order_opts *o, struct order_pools *pools)
{
	struct conf_settings cs = { .timeout_s = -1, .slots = -1, .serial = -1,
				    .retries = -1, .tap_plan = -1, .leaks = -1,
				    .gpus = -1, .gpu_exclusive = -1 };
	const char *g = x->traits.groups;       /* the kind's, and its timeout */
	double timeout_s = x->traits.timeout_s > 0 ? x->traits.timeout_s : o->timeout_s;

	if (c)
		conf_lookup(c, x->pub.path, x->pub.id, &cs);
	if (cs.serial < 0)
		cs.serial = x->kind_serial || x->traits.serial;
	x->pub.timeout_s = (cs.timeout_s >= 0 ? cs.timeout_s : timeout_s) *
			   (o->timeout_scale > 0 ? o->timeout_scale : 1) *
			   binary_slowdown(sanitizer_of(x));
	x->pub.tap_plan = cs.tap_plan >= 0 ? cs.tap_plan : 0;
	x->need.weight = cs.serial == 1 ? o->slots :
			 cs.slots > 0 ? (unsigned)cs.slots : 1;
	if (x->need.weight > o->slots)
		x->need.weight = o->slots;
	x->need.npools = 0;
	for (unsigned i = 0; i < cs.ngroups; i++)
		need_pool(x, pools, c, cs.groups[i], strlen(cs.groups[i]));
	for (size_t n; g && *g; g += n + (g[n] == ','))   /* the kind's */
		if ((n = strcspn(g, ",")))
			need_pool(x, pools, c, g, n);
	x->need.gpus = cs.gpus >= 0 ? (unsigned)cs.gpus : x->traits.gpus;
	x->need.gpu_whole = cs.gpu_exclusive >= 0 ? cs.gpu_exclusive == 1 :
			    x->traits.gpu_exclusive;
	if (x->need.gpu_whole && !x->need.gpus)
		x->need.gpus = 1;       /* gpu-exclusive alone: one device */
	x->retries = cs.retries >= 0 ? (unsigned)cs.retries : o->retries;
	x->allow_leaks = cs.leaks >= 0 ? cs.leaks == 1 : o->allow_leaks;
}

void order_plan(struct test_table *t, struct conf *c,
		const struct history *h, const struct order_opts *o,
		struct order_pools *pools)
{
	memset(pools, 0, sizeof(*pools));
	for (size_t i = 0; i < t->n; i++)
		apply_settings(t->v[i], c, o, pools);
	/* a program whose cases replaced it still names its deadline in a
	 * batch's timeout reason */
	for (size_t i = 0; i < t->nprograms; i++)
		apply_settings(t->programs[i], c, o, pools);
	if (o->each_gpu)
		(void)table_each_gpu(t, o->each_gpu, o->gpu_names);
	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];
		const struct hist_entry *he = h ? history_find(h, x->pub.id) : NULL;
		size_t nr = he ? strlen(he->recent) : 0;

		x->cost_known = he && he->runs > 0;
		x->cost_s = x->cost_known ? he->mean_s : 0;
		x->failed_last = nr && he->recent[nr - 1] == 'F';
	}
	estimate_unknown(t);
	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];
		switch (o->mode) {
		case ORDER_LPT:
			x->priority = x->cost_s * x->need.weight;
			break;
		case ORDER_GIVEN:
			x->priority = 0;
			break;
		case ORDER_RANDOM:      /* in [0, 1), 53 bits */
			x->priority = (double)(hash_mix(o->seed ^ hash_str(x->pub.id)) >> 11) *
				      0x1p-53;
			break;
		}
		if (o->failed_first && x->failed_last)
			x->priority += FAILED_FIRST_BONUS;
	}
}

void order_pools_release(struct order_pools *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	free(p->cap);
	memset(p, 0, sizeof(*p));
}

uint64_t order_new_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	/* small enough to type back, and exact in a JSON number */
	return s % 1000000000000u;
}
