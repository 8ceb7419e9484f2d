/* sched.c - see sched.h. */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "xalloc.h"

/* What a NULL need stands for: one unit, no pools. Never written. */
static const struct sched_need default_need = { .weight = 1 };

/* The heap order: higher priority first, then queued first. */
static bool before(const struct sched_item *a, const struct sched_item *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	return a->seq < b->seq;
}

static void heap_sift_up(struct sched_heap *h, size_t i)
{
	struct sched_item it = h->v[i];

	while (i > 0 && before(&it, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = it;
}

static void heap_sift_down(struct sched_heap *h, size_t i)
{
	struct sched_item it = h->v[i];

	for (;;) {
		size_t l = 2 * i + 1, m = l;
		if (l >= h->n)
			break;
		if (l + 1 < h->n && before(&h->v[l + 1], &h->v[l]))
			m = l + 1;
		if (!before(&h->v[m], &it))
			break;
		h->v[i] = h->v[m];
		i = m;
	}
	h->v[i] = it;
}

static void heap_push(struct sched_heap *h, const struct sched_item *it)
{
	xgrow((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v));
	h->v[h->n++] = *it;
	heap_sift_up(h, h->n - 1);
}

/* Removes and returns the best item; h must not be empty. */
static struct sched_item heap_pop(struct sched_heap *h)
{
	struct sched_item best;

	assert(h->n > 0);
	best = h->v[0];
	h->v[0] = h->v[--h->n];
	if (h->n)
		heap_sift_down(h, 0);
	return best;
}

/* The units n takes: 0 counts as 1, more than the slots as all of them. */
static unsigned need_weight(const struct sched *s, const struct sched_need *n)
{
	unsigned w = n->weight ? n->weight : 1;

	return w < s->nslots ? w : s->nslots;
}

/* A pool named twice in one need is taken once. */
static bool pool_repeated(const struct sched_need *n, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		if (n->pool[i] == n->pool[k])
			return true;
	return false;
}

static bool need_valid(const struct sched *s, const struct sched_need *n)
{
	if (n->npools > SCHED_MAX_POOLS)
		return false;
	for (unsigned k = 0; k < n->npools; k++)
		if (n->pool[k] >= s->npools)
			return false;
	return n->gpus <= s->ngpus &&
	       (!n->gpu_only || s->ngpus >= 64 || n->gpu_only >> s->ngpus == 0);
}

/* Whether n may take device d. */
static bool may_take(const struct sched_need *n, unsigned d)
{
	return !n->gpu_only || n->gpu_only >> d & 1;
}

/* The slots n takes on device d. */
static unsigned gpu_units(const struct sched *s, const struct sched_need *n,
			  unsigned d)
{
	return n->gpu_whole ? s->gpu_slots[d] : 1;
}

/* The devices n would get now, the least busy first (then the lowest
 * index); 0 when fewer than n->gpus have room. */
static uint64_t pick_gpus(const struct sched *s, const struct sched_need *n)
{
	uint64_t got = 0;

	for (unsigned k = 0; k < n->gpus; k++) {
		unsigned best = s->ngpus;
		for (unsigned d = 0; d < s->ngpus; d++)
			if (!(got >> d & 1) && may_take(n, d) &&
			    s->gpu_state[d] == SCHED_GPU_OPEN &&
			    s->gpu_slots[d] - s->gpu_used[d] >= gpu_units(s, n, d) &&
			    (best == s->ngpus || s->gpu_used[d] < s->gpu_used[best]))
				best = d;
		if (best == s->ngpus)
			return 0;
		got |= (uint64_t)1 << best;
	}
	return got;
}

/* The first of n's pools with no unit left, or NULL. */
static struct sched_pool *full_pool(struct sched *s,
				    const struct sched_need *n)
{
	for (unsigned k = 0; k < n->npools; k++) {
		struct sched_pool *p = &s->pools[n->pool[k]];
		if (p->used >= p->cap)
			return p;
	}
	return NULL;
}

void sched_init(struct sched *s, unsigned slots)
{
	memset(s, 0, sizeof(*s));
	assert(slots > 0);
	s->nslots = slots;
	s->units_free = slots;
	s->held = xcalloc(slots, sizeof(*s->held));
	s->held_gpus = xcalloc(slots, sizeof(*s->held_gpus));
	s->free_slots = xmalloc(slots * sizeof(*s->free_slots));
	for (unsigned i = 0; i < slots; i++)    /* top of stack: slot 0 */
		s->free_slots[i] = slots - 1 - i;
	s->nfree = slots;
}

void sched_release(struct sched *s)
{
	for (unsigned i = 0; i < s->npools; i++)
		free(s->pools[i].wait.v);
	free(s->pools);
	free(s->ready.v);
	free(s->held);
	free(s->free_slots);
	free(s->gpu_used);
	free(s->gpu_slots);
	free(s->gpu_state);
	free(s->held_gpus);
	free(s->gpu_wait.v);
	memset(s, 0, sizeof(*s));
}

void sched_set_gpus(struct sched *s, unsigned n, const unsigned *slots)
{
	assert(n <= SCHED_MAX_GPUS && !s->ngpus);
	s->ngpus = n;
	s->gpu_slots = xcalloc(n + 1, sizeof(*s->gpu_slots));
	s->gpu_used = xcalloc(n + 1, sizeof(*s->gpu_used));
	s->gpu_state = xcalloc(n + 1, sizeof(*s->gpu_state));
	for (unsigned d = 0; d < n; d++)
		s->gpu_slots[d] = slots[d] ? slots[d] : 1;
}

uint64_t sched_slot_gpus(const struct sched *s, unsigned slot)
{
	return s->held_gpus ? s->held_gpus[slot] : 0;
}

/* Every item that waits for a device goes back to the ready queue. */
static void gpu_waiters_ready(struct sched *s)
{
	while (s->gpu_wait.n) {
		struct sched_item it = heap_pop(&s->gpu_wait);
		s->nwaiting--;
		heap_push(&s->ready, &it);
	}
}

void sched_gpu_set(struct sched *s, unsigned d, enum sched_gpu_state st)
{
	assert(d < s->ngpus);
	if (s->gpu_state[d] == SCHED_GPU_LOST)
		return;
	s->gpu_state[d] = (unsigned char)st;
	if (st == SCHED_GPU_OPEN)
		gpu_waiters_ready(s);
}

unsigned sched_gpus_live(const struct sched *s, const struct sched_need *n)
{
	unsigned live = 0;

	for (unsigned d = 0; d < s->ngpus; d++)
		live += s->gpu_state[d] != SCHED_GPU_LOST && (!n || may_take(n, d));
	return live;
}

/* Removes h's item i, keeping the heap's order. */
static struct sched_item heap_remove_at(struct sched_heap *h, size_t i)
{
	struct sched_item it = h->v[i];

	h->v[i] = h->v[--h->n];
	if (i < h->n) {
		heap_sift_up(h, i);
		heap_sift_down(h, i);
	}
	return it;
}

/* Whether n needs more devices than are left to it. */
static bool stranded(const struct sched *s, const struct sched_need *n)
{
	return n->gpus && n->gpus > sched_gpus_live(s, n);
}

/* The first item of h that needs more devices than are left to it,
 * taken out. */
static void *strand(const struct sched *s, struct sched_heap *h, size_t *waiting)
{
	for (size_t i = 0; i < h->n; i++)
		if (stranded(s, h->v[i].need)) {
			if (waiting)
				(*waiting)--;
			return heap_remove_at(h, i).item;
		}
	return NULL;
}

void *sched_gpu_stranded(struct sched *s)
{
	void *item;

	if (s->has_reserved && stranded(s, s->reserved.need)) {
		s->has_reserved = false;
		return s->reserved.item;
	}
	if ((item = strand(s, &s->ready, NULL)) ||
	    (item = strand(s, &s->gpu_wait, &s->nwaiting)))
		return item;
	for (unsigned p = 0; p < s->npools; p++)
		if ((item = strand(s, &s->pools[p].wait, &s->nwaiting)))
			return item;
	return NULL;
}

unsigned sched_add_pool(struct sched *s, unsigned cap)
{
	s->pools = xrealloc(s->pools, (s->npools + 1) * sizeof(*s->pools));
	s->pools[s->npools] = (struct sched_pool){ .cap = cap ? cap : 1 };
	return s->npools++;
}

void sched_push(struct sched *s, void *item, double priority,
		const struct sched_need *need)
{
	struct sched_item it = {
		.item = item, .priority = priority, .seq = s->seq++,
		.need = need ? need : &default_need,
	};

	assert(need_valid(s, it.need));
	heap_push(&s->ready, &it);
}

/* Holds it back until a unit of p frees; it keeps its priority and seq. */
static void park(struct sched *s, struct sched_pool *p,
		 const struct sched_item *it)
{
	heap_push(&p->wait, it);
	s->nwaiting++;
}

/* Gives it a free slot, its weight and its pools. */
static void *start(struct sched *s, const struct sched_item *it,
		   unsigned *slot)
{
	const struct sched_need *n = it->need;
	unsigned sl = s->free_slots[--s->nfree];

	s->units_free -= need_weight(s, n);
	for (unsigned k = 0; k < n->npools; k++)
		if (!pool_repeated(n, k))
			s->pools[n->pool[k]].used++;
	s->held_gpus[sl] = n->gpus ? pick_gpus(s, n) : 0;
	for (unsigned d = 0; d < s->ngpus; d++)
		if (s->held_gpus[sl] >> d & 1)
			s->gpu_used[d] += gpu_units(s, n, d);
	s->held[sl] = n;
	*slot = sl;
	return it->item;
}

/*
 * Each turn takes the reserved item, else the best ready one, and either
 * parks it behind a full pool (and goes on), reserves it when it is too
 * heavy for the free units (nothing else starts until it does), or
 * starts it. A reserved item's pools were free when it was reserved and
 * nothing starts meanwhile, but they are checked again all the same.
 */
void *sched_next(struct sched *s, unsigned *slot)
{
	struct sched_item it;
	struct sched_pool *p;

	while (s->nfree && (s->has_reserved || s->ready.n)) {
		it = s->has_reserved ? s->reserved : heap_pop(&s->ready);
		s->has_reserved = false;
		if ((p = full_pool(s, it.need))) {
			park(s, p, &it);
			continue;
		}
		if (it.need->gpus && !pick_gpus(s, it.need)) {
			heap_push(&s->gpu_wait, &it);
			s->nwaiting++;
			continue;
		}
		if (need_weight(s, it.need) > s->units_free) {
			s->reserved = it;
			s->has_reserved = true;
			return NULL;
		}
		return start(s, &it, slot);
	}
	return NULL;
}

/*
 * Gives back one unit of p and sends its best waiter to the ready queue.
 * That waiter may meet another full pool and park there; p's waiters
 * behind it then wait for p's next release, or for it to run and
 * release p: later, never lost.
 */
static void pool_give(struct sched *s, struct sched_pool *p)
{
	struct sched_item it;

	assert(p->used > 0);
	p->used--;
	if (!p->wait.n)
		return;
	it = heap_pop(&p->wait);
	s->nwaiting--;
	heap_push(&s->ready, &it);
}

void sched_release_slot(struct sched *s, unsigned slot)
{
	const struct sched_need *n;

	assert(slot < s->nslots && s->nfree < s->nslots && s->held[slot]);
	n = s->held[slot];
	s->held[slot] = NULL;
	s->free_slots[s->nfree++] = slot;
	s->units_free += need_weight(s, n);
	for (unsigned d = 0; d < s->ngpus; d++)
		if (s->held_gpus[slot] >> d & 1)
			s->gpu_used[d] -= gpu_units(s, n, d);
	if (s->held_gpus[slot])         /* every waiter may fit now */
		gpu_waiters_ready(s);
	s->held_gpus[slot] = 0;
	for (unsigned k = 0; k < n->npools; k++)
		if (!pool_repeated(n, k))
			pool_give(s, &s->pools[n->pool[k]]);
}

void *sched_pop(struct sched *s)
{
	if (s->ready.n)
		return heap_pop(&s->ready).item;
	if (s->has_reserved) {
		s->has_reserved = false;
		return s->reserved.item;
	}
	if (s->gpu_wait.n) {
		s->nwaiting--;
		return heap_pop(&s->gpu_wait).item;
	}
	for (unsigned i = 0; i < s->npools; i++) {
		struct sched_heap *w = &s->pools[i].wait;
		if (w->n) {                     /* any order: take the last */
			s->nwaiting--;
			return w->v[--w->n].item;
		}
	}
	return NULL;
}

size_t sched_queued(const struct sched *s)
{
	return s->ready.n + (s->has_reserved ? 1 : 0) + s->nwaiting;
}

bool sched_idle(const struct sched *s)
{
	return s->nfree == s->nslots;
}
