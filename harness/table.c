/* table.c - see table.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "xalloc.h"

static const char *test_id(const void *item)
{
	return ((const struct test *)item)->pub.id;
}

void table_init(struct test_table *t)
{
	memset(t, 0, sizeof(*t));
	t->ids.key = test_id;
}

static void test_free(struct test *x)
{
	free((char *)x->pub.id);
	free((char *)x->pub.suite);
	free((char *)x->pub.path);
	free((char *)x->pub.case_name);
	free(x->problem);
	free(x->skip);
	free(x->traits.tags);
	free(x->traits.groups);
	free(x);
}

void table_release(struct test_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		test_free(t->v[i]);
	for (size_t i = 0; i < t->nprograms; i++)
		test_free(t->programs[i]);
	free(t->programs);
	free(t->v);
	strindex_release(&t->ids);
	table_init(t);
}

struct test *table_find(const struct test_table *t, const char *id)
{
	return strindex_find(&t->ids, id);
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
	x->san = -1;
	strindex_add(&t->ids, x);
	x->index = t->n;
	xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = x;
	return x;
}

static struct test *new_case(struct test *prog, char *name, char *skip,
			     const struct case_traits *tr)
{
	struct test *x = xcalloc(1, sizeof(*x));

	x->pub = prog->pub;
	x->pub.id = xasprintf("%s::%s", prog->pub.id, name);
	x->pub.suite = xstrdup(prog->pub.suite);
	x->pub.path = xstrdup(prog->pub.path);
	x->pub.case_name = name;
	x->kind = prog->kind;
	x->program = prog;
	x->skip = skip;
	x->traits = *tr;
	x->san = -1;
	return x;
}

/* Indexes t->v[0..n) anew. */
static void ids_rebuild(struct test_table *t)
{
	strindex_clear(&t->ids);
	for (size_t i = 0; i < t->n; i++)
		strindex_add(&t->ids, t->v[i]);
}

/* The tests are v[0..n) (cap long) from now on, indexed and found. */
static void table_replace(struct test_table *t, struct test **v, size_t n, size_t cap)
{
	free(t->v);
	t->v = v;
	t->n = n;
	t->cap = cap;
	for (size_t i = 0; i < n; i++)
		v[i]->index = i;
	ids_rebuild(t);
}

/* x is a program whose cases stand for it: kept, for them to name. */
static void add_program(struct test_table *t, struct test *x)
{
	xgrow((void **)&t->programs, &t->capprograms, t->nprograms + 1,
	      sizeof(*t->programs));
	t->programs[t->nprograms++] = x;
}

void table_expand(struct test_table *t, struct table_cases *cases)
{
	struct test **v = NULL;
	size_t n = 0, cap = 0, old = t->n;

	for (size_t i = 0; i < old; i++) {
		struct test *x = t->v[i];
		struct table_cases *c = &cases[i];
		xgrow((void **)&v, &cap, n + c->n + 1, sizeof(*v));
		if (!c->n) {
			v[n++] = x;
			continue;
		}
		for (size_t k = 0; k < c->n; k++)
			v[n++] = new_case(x, c->names[k], c->skips[k], &c->traits[k]);
		free(c->names);
		free(c->skips);
		free(c->traits);
		add_program(t, x);
	}
	table_replace(t, v, n, cap);
}

void table_filter(struct test_table *t, const bool *keep)
{
	size_t n = 0;

	strindex_clear(&t->ids);
	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];
		if (!keep[i]) {
			test_free(x);
			continue;
		}
		x->index = n;
		t->v[n++] = x;
		strindex_add(&t->ids, x);
	}
	t->n = n;
}

/* A copy of x named id (taken), pinned to device k. */
static struct test *copy_test(const struct test *x, char *id, unsigned k)
{
	struct test *y = xmalloc(sizeof(*y));

	*y = *x;
	y->pub.id = id;
	y->pub.suite = xstrdup(x->pub.suite);
	y->pub.path = xstrdup(x->pub.path);
	y->pub.case_name = xstrdup_or_null(x->pub.case_name);
	y->problem = xstrdup_or_null(x->problem);
	y->skip = xstrdup_or_null(x->skip);
	y->traits.tags = xstrdup_or_null(x->traits.tags);
	y->traits.groups = xstrdup_or_null(x->traits.groups);
	y->need.gpu_only = (uint64_t)1 << k;
	return y;
}

/* The copy of program prog for device k, named for names[k] (made once;
 * *copies holds, per program seen, its ngpus copies after it). */
static struct test *program_copy(struct test_table *t, struct test *prog, unsigned k,
				 unsigned ngpus, const char *const *names,
				 struct test ***copies, size_t *n)
{
	struct test **c = *copies;
	size_t at = 0;

	while (at < *n && c[at] != prog)
		at += ngpus + 1;
	if (at == *n) {
		*copies = c = xrealloc(c, (*n + ngpus + 1) * sizeof(*c));
		*n += ngpus + 1;
		c[at] = prog;
		for (unsigned d = 0; d < ngpus; d++) {
			struct test *y = copy_test(prog, xasprintf("%s@gpu%s", prog->pub.id,
								   names[d]), d);

			c[at + 1 + d] = y;
			add_program(t, y);
		}
	}
	return c[at + 1 + k];
}

size_t table_each_gpu(struct test_table *t, unsigned ngpus, const char *const *names)
{
	struct test **v = NULL, **progs = NULL;
	size_t n = 0, cap = 0, nprogs = 0, copied = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];

		xgrow((void **)&v, &cap, n + ngpus + 1, sizeof(*v));
		if (x->need.gpus != 1 || !ngpus) {
			v[n++] = x;
			continue;
		}
		for (unsigned k = 0; k < ngpus; k++) {
			struct test *prog = x->program ?
				program_copy(t, x->program, k, ngpus, names, &progs, &nprogs) : NULL;
			char *id = prog ? xasprintf("%s::%s", prog->pub.id, x->pub.case_name)
					: xasprintf("%s@gpu%s", x->pub.id, names[k]);
			struct test *y = copy_test(x, id, k);

			y->program = prog;
			v[n++] = y;
		}
		test_free(x);
		copied++;
	}
	free(progs);
	table_replace(t, v, n, cap);
	return copied;
}
