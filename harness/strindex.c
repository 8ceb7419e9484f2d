/* strindex.c - see strindex.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strindex.h"
#include "xalloc.h"

/* Where key is, or the free slot where it would go. */
static size_t slot_of(void *const *v, size_t cap, const char *(*key)(const void *),
		      const char *k)
{
	size_t i = (size_t)hash_str(k) & (cap - 1);

	while (v[i] && strcmp(key(v[i]), k))
		i = (i + 1) & (cap - 1);
	return i;
}

void *strindex_find(const struct strindex *x, const char *key)
{
	return x->cap ? x->v[slot_of(x->v, x->cap, x->key, key)] : NULL;
}

void *strindex_add(struct strindex *x, void *item)
{
	size_t i;

	if (2 * (x->n + 1) > x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		void **v = xcalloc(cap, sizeof(*v));
		for (size_t k = 0; k < x->cap; k++)
			if (x->v[k])
				v[slot_of(v, cap, x->key, x->key(x->v[k]))] = x->v[k];
		free(x->v);
		x->v = v;
		x->cap = cap;
	}
	i = slot_of(x->v, x->cap, x->key, x->key(item));
	if (x->v[i])
		return x->v[i];
	x->v[i] = item;
	x->n++;
	return NULL;
}

void strindex_clear(struct strindex *x)
{
	if (x->cap)
		memset(x->v, 0, x->cap * sizeof(*x->v));
	x->n = 0;
}

void strindex_release(struct strindex *x)
{
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}
