/* sched.c - see sched.h. */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "xalloc.h"

void sched_init(struct sched *s, unsigned slots)
{
	memset(s, 0, sizeof(*s));
	assert(slots > 0);
	s->nslots = slots;
	s->free_slots = xmalloc(slots * sizeof(*s->free_slots));
	for (unsigned i = 0; i < slots; i++)    /* top of stack: slot 0 */
		s->free_slots[i] = slots - 1 - i;
	s->nfree = slots;
}

void sched_release(struct sched *s)
{
	free(s->heap);
	free(s->free_slots);
	memset(s, 0, sizeof(*s));
}

static bool before(const struct sched_item *a, const struct sched_item *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return a->seq < b->seq;
}

static void swap(struct sched_item *a, struct sched_item *b)
{
	struct sched_item t = *a;
	*a = *b;
	*b = t;
}

void sched_push(struct sched *s, struct test *t, double priority)
{
	size_t i = s->n;

	xgrow((void **)&s->heap, &s->cap, s->n + 1, sizeof(*s->heap));
	s->heap[s->n++] = (struct sched_item){ t, priority, s->seq++ };
	while (i > 0 && before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		swap(&s->heap[i], &s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

struct test *sched_pop(struct sched *s)
{
	struct test *t;
	size_t i = 0;

	if (!s->n)
		return NULL;
	t = s->heap[0].test;
	s->heap[0] = s->heap[--s->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->n && before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->n && before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&s->heap[i], &s->heap[m]);
		i = m;
	}
	return t;
}

struct test *sched_next(struct sched *s, unsigned *slot)
{
	if (!s->nfree || !s->n)
		return NULL;
	*slot = s->free_slots[--s->nfree];
	return sched_pop(s);
}

void sched_release_slot(struct sched *s, unsigned slot)
{
	assert(slot < s->nslots && s->nfree < s->nslots);
	s->free_slots[s->nfree++] = slot;
}

size_t sched_queued(const struct sched *s)
{
	return s->n;
}

bool sched_idle(const struct sched *s)
{
	return s->nfree == s->nslots;
}
