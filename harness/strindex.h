/*
 * strindex.h - pointers found by the string each one carries: an
 * open-addressing table by hash.h's hash, kept at most half full.
 *
 * The caller owns the items and says how to read an item's key; the
 * index owns only its array, and an item's key must not change while
 * the item is in it. Never removes one item (clear it and add the rest
 * again), never seeds its hash: not for tables that face input chosen
 * to collide.
 */
#ifndef ASSAY_STRINDEX_H
#define ASSAY_STRINDEX_H

#include <stddef.h>

struct strindex {
	void **v;               /* cap slots, NULL where free */
	size_t n, cap;          /* cap: 0 or a power of 2 */
	const char *(*key)(const void *item);
};

/* The item of key, or NULL. */
void *strindex_find(const struct strindex *x, const char *key);
/* Adds item; when an item of its key is there already, adds nothing
 * and returns that one (else NULL). */
void *strindex_add(struct strindex *x, void *item);
/* Forgets every item; keeps the array for the next. */
void strindex_clear(struct strindex *x);
/* Frees the array (not the items). */
void strindex_release(struct strindex *x);

#endif
