/* table.c - see table.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "table.h"
#include "xalloc.h"

void table_init(struct test_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void test_free(struct test *x)
{
	free((char *)x->pub.id);
	free((char *)x->pub.suite);
	free((char *)x->pub.path);
	free(x->problem);
	free(x);
}

void table_release(struct test_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		test_free(t->v[i]);
	free(t->v);
	free(t->ids);
	memset(t, 0, sizeof(*t));
}

static size_t id_slot(struct test **ids, size_t nids, const char *id)
{
	size_t i = (size_t)hash_str(id) & (nids - 1);

	while (ids[i] && strcmp(ids[i]->pub.id, id))
		i = (i + 1) & (nids - 1);
	return i;
}

struct test *table_find(const struct test_table *t, const char *id)
{
	return t->nids ? t->ids[id_slot(t->ids, t->nids, id)] : NULL;
}

/* Keeps the id set at most half full. */
static void ids_insert(struct test_table *t, struct test *x)
{
	if (2 * (t->n + 1) > t->nids) {
		size_t n = t->nids ? 2 * t->nids : 64;
		struct test **ids = xcalloc(n, sizeof(*ids));
		for (size_t i = 0; i < t->nids; i++)
			if (t->ids[i])
				ids[id_slot(ids, n, t->ids[i]->pub.id)] = t->ids[i];
		free(t->ids);
		t->ids = ids;
		t->nids = n;
	}
	t->ids[id_slot(t->ids, t->nids, x->pub.id)] = x;
}

struct test *table_add(struct test_table *t, const char *root,
		       const char *suite, const char *path,
		       const struct assay_kind *kind, const char *problem)
{
	struct test *x = xcalloc(1, sizeof(*x));

	x->pub.struct_size = sizeof(x->pub);
	x->pub.suite = xstrdup(suite);
	x->pub.path = xstrdup(path);
	x->pub.kind = kind ? kind->name : "none";
	x->kind = kind;
	x->pub.id = xstrdup(suite);
	if (table_find(t, suite)) {
		free((char *)x->pub.id);
		x->pub.id = xasprintf("%s/%s", root, suite);
	}
	x->problem = problem ? xstrdup(problem) : NULL;
	ids_insert(t, x);
	x->index = t->n;
	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = x;
	return x;
}

void table_filter(struct test_table *t, const bool *keep)
{
	size_t n = 0;

	memset(t->ids, 0, t->nids * sizeof(*t->ids));
	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];
		if (!keep[i]) {
			test_free(x);
			continue;
		}
		x->index = n;
		t->v[n++] = x;
		t->ids[id_slot(t->ids, t->nids, x->pub.id)] = x;
	}
	t->n = n;
}
