/* select.c - see select.h. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "table.h"
#include "xalloc.h"

/* Keeps the tests of this machine's part, split by cost. */
static void keep_shard(struct test_table *t, const struct shard *s)
{
	const char **ids = xmalloc((t->n + 1) * sizeof(*ids));
	double *cost = xmalloc((t->n + 1) * sizeof(*cost));
	unsigned *part = xmalloc((t->n + 1) * sizeof(*part));
	bool *keep = xmalloc((t->n + 1) * sizeof(*keep));

	for (size_t i = 0; i < t->n; i++) {
		const struct test *x = t->v[i];
		ids[i] = x->pub.id;
		/* not x need.weight: a serial test's weight is -j, which
		 * shards on other machines need not share */
		cost[i] = x->cost_known ? x->cost_s : 0;
	}
	shard_partition(t->n, ids, cost, s->n, part);
	for (size_t i = 0; i < t->n; i++)
		keep[i] = part[i] == s->k;
	table_filter(t, keep);
	free(ids);
	free(cost);
	free(part);
	free(keep);
}

/* Whether the comma-separated list has name. */
static bool has_tag(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Keeps the tests tagged with any of o's tags; how many. */
static size_t keep_tagged(struct test_table *t, const struct select_opts *o)
{
	bool *keep = xcalloc(t->n + 1, sizeof(*keep));
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; !keep[i] && k < o->ntags; k++)
			n += keep[i] = has_tag(t->v[i]->traits.tags, o->tags[k]);
	table_filter(t, keep);
	free(keep);
	return n;
}

int select_tests(struct test_table *t, const struct select_opts *o,
		 struct selection *out, struct err *e)
{
	int rc;

	out->found = t->n;
	out->tagged = 0;
	if (o->ntags && t->n && !(out->tagged = keep_tagged(t, o)))
		return err_set(e, ERR_USAGE, "no test of the %zu found is tagged %s%s "
			       "(a program written with assay/test.h tags its tests: "
			       "ASSAY_TEST_WITH(suite, name, \"tags=a,b\"))",
			       out->found, o->tags[0], o->ntags > 1 ? " or any other --tag given" : "");
	out->shard = o->shard;
	if (!t->n)              /* nothing found: an error, not an empty shard */
		out->shard.n = 0;
	else if (!out->shard.n && (rc = shard_from_env(&out->shard, e)) < 0)
		return rc;
	if (out->shard.n)
		keep_shard(t, &out->shard);
	return 0;
}
