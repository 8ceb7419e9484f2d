/* selftest/unit/sched_test.c - tests harness/sched.c and nothing else. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/sched.h"

/* sched only stores item pointers; any distinct addresses will do */
#define NITEMS 100000
static char items[NITEMS];
#define T(i) ((void *)&items[i])
#define INDEX(p) ((size_t)((char *)(p) - items))

static void fifo_for_equal_priority(void)
{
	struct sched s;
	unsigned slot;
	int in_order = 1;

	sched_init(&s, 1000);
	for (int i = 0; i < 1000; i++)
		sched_push(&s, T(i), 0, NULL);
	EXPECT_EQ(sched_queued(&s), 1000);
	for (int i = 0; i < 1000; i++)
		in_order &= sched_next(&s, &slot) == T(i);
	EXPECT_TRUE(in_order);
	EXPECT_TRUE(sched_next(&s, &slot) == NULL);
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release(&s);
}

static void higher_priority_first(void)
{
	struct sched s;

	sched_init(&s, 1);
	sched_push(&s, T(0), 1, NULL);
	sched_push(&s, T(1), 5, NULL);
	sched_push(&s, T(2), 3, NULL);
	sched_push(&s, T(3), 5, NULL);
	EXPECT_TRUE(sched_pop(&s) == T(1));
	EXPECT_TRUE(sched_pop(&s) == T(3));   /* ties: queued first, out first */
	EXPECT_TRUE(sched_pop(&s) == T(2));
	EXPECT_TRUE(sched_pop(&s) == T(0));
	EXPECT_TRUE(sched_pop(&s) == NULL);
	sched_release(&s);
}

static void next_in_priority_order(void)
{
	struct sched s;
	unsigned slot;

	sched_init(&s, 1);
	sched_push(&s, T(0), -2, NULL);
	sched_push(&s, T(1), 7, NULL);
	sched_push(&s, T(2), 0.5, NULL);
	EXPECT_TRUE(sched_next(&s, &slot) == T(1));
	sched_release_slot(&s, slot);
	sched_push(&s, T(3), 1, NULL);          /* later, but ahead of 0.5 */
	EXPECT_TRUE(sched_next(&s, &slot) == T(3));
	sched_release_slot(&s, slot);
	EXPECT_TRUE(sched_next(&s, &slot) == T(2));
	sched_release_slot(&s, slot);
	EXPECT_TRUE(sched_next(&s, &slot) == T(0));
	sched_release_slot(&s, slot);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

static void slots_are_counted(void)
{
	struct sched s;
	unsigned a, b, c;

	sched_init(&s, 2);
	for (int i = 0; i < 3; i++)
		sched_push(&s, T(i), 0, NULL);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_TRUE(a != b && a < 2 && b < 2);
	EXPECT_TRUE(sched_next(&s, &c) == NULL);      /* no slot free */
	EXPECT_EQ(sched_queued(&s), 1);         /* and nothing taken */
	EXPECT_TRUE(!sched_idle(&s));
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &c) == T(2));
	EXPECT_EQ(c, a);
	sched_release_slot(&s, b);
	sched_release_slot(&s, c);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

/* A weight-2 item on 3 slots runs beside one weight-1 item, not two. */
static void weight_takes_units(void)
{
	struct sched s;
	struct sched_need two = { .weight = 2 };
	unsigned a, b, c;

	sched_init(&s, 3);
	sched_push(&s, T(0), 0, &two);
	sched_push(&s, T(1), 0, NULL);
	sched_push(&s, T(2), 0, NULL);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_TRUE(sched_next(&s, &c) == NULL);      /* a slot is free, no unit */
	EXPECT_EQ(s.nfree, 1);
	EXPECT_EQ(s.units_free, 0);
	EXPECT_EQ(sched_queued(&s), 1);
	sched_release_slot(&s, b);
	EXPECT_TRUE(sched_next(&s, &c) == T(2));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	sched_release_slot(&s, a);
	EXPECT_EQ(s.units_free, 2);
	sched_release_slot(&s, c);
	EXPECT_EQ(s.units_free, 3);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

/*
 * [w1, w3, w1] on 3 slots: while the first runs, the w3 is reserved and
 * the later w1 waits behind it, even though it would fit.
 */
static void reservation_prevents_starvation(void)
{
	struct sched s;
	struct sched_need three = { .weight = 3 };
	unsigned a, b, c;

	sched_init(&s, 3);
	sched_push(&s, T(0), 0, NULL);
	sched_push(&s, T(1), 0, &three);
	sched_push(&s, T(2), 0, NULL);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);      /* w3 reserved */
	EXPECT_TRUE(s.has_reserved && s.reserved.item == T(1));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);      /* later w1 does not start */
	sched_push(&s, T(3), 100, NULL);        /* nor does a better one */
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	EXPECT_EQ(sched_queued(&s), 3);
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &b) == T(1));      /* w3 starts once drained */
	EXPECT_EQ(s.units_free, 0);
	EXPECT_TRUE(sched_next(&s, &c) == NULL);
	sched_release_slot(&s, b);
	EXPECT_TRUE(sched_next(&s, &a) == T(3));
	EXPECT_TRUE(sched_next(&s, &c) == T(2));
	sched_release_slot(&s, a);
	sched_release_slot(&s, c);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release(&s);
}

/* weight = slots: runs alone, and only once the others are done */
static void serial_runs_alone(void)
{
	struct sched s;
	struct sched_need all = { .weight = 4 };
	unsigned a, b, c;

	sched_init(&s, 4);
	sched_push(&s, T(0), 0, &all);
	sched_push(&s, T(1), 0, NULL);
	sched_push(&s, T(2), 0, &all);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);      /* 3 slots free, no unit */
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_TRUE(sched_next(&s, &c) == NULL);      /* serial waits for it */
	sched_release_slot(&s, b);
	EXPECT_TRUE(sched_next(&s, &c) == T(2));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	sched_release_slot(&s, c);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release(&s);
}

/* above the slots: clamped, runs alone; weight 0 counts as 1 */
static void weight_is_clamped(void)
{
	struct sched s;
	struct sched_need huge = { .weight = 100 }, zero = { .weight = 0 };
	unsigned a, b, c;

	sched_init(&s, 2);
	sched_push(&s, T(0), 0, NULL);
	sched_push(&s, T(1), 0, &huge);
	sched_push(&s, T(2), 0, &zero);
	sched_push(&s, T(3), 0, &zero);
	sched_push(&s, T(4), 0, &zero);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &a) == T(1));      /* no deadlock */
	EXPECT_EQ(s.units_free, 0);
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	sched_release_slot(&s, a);
	EXPECT_EQ(s.units_free, 2);
	EXPECT_TRUE(sched_next(&s, &a) == T(2));
	EXPECT_TRUE(sched_next(&s, &b) == T(3));      /* two weight-0 together */
	EXPECT_TRUE(sched_next(&s, &c) == NULL);
	sched_release_slot(&s, a);
	sched_release_slot(&s, b);
	EXPECT_TRUE(sched_next(&s, &c) == T(4));
	sched_release_slot(&s, c);
	EXPECT_EQ(s.units_free, 2);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

/*
 * A group of cap 1 holding 3 items, and 2 free items, on 3 slots: one
 * group item at a time, the free ones start meanwhile, and the group's
 * waiters come back in priority order.
 */
static void pool_cap_one(void)
{
	struct sched s;
	struct sched_need in_g = { .weight = 1, .npools = 1 };
	unsigned g, a, b, c, d;

	sched_init(&s, 3);
	EXPECT_EQ(sched_add_pool(&s, 0), 0);    /* cap 0 means 1 */
	g = 0;
	in_g.pool[0] = g;
	EXPECT_EQ(s.pools[g].cap, 1);
	sched_push(&s, T(0), 1, &in_g);
	sched_push(&s, T(1), 3, &in_g);
	sched_push(&s, T(2), 2, &in_g);
	sched_push(&s, T(3), 0, NULL);
	sched_push(&s, T(4), 0, NULL);
	EXPECT_TRUE(sched_next(&s, &a) == T(1));
	EXPECT_TRUE(sched_next(&s, &b) == T(3));      /* T(2), T(0) wait on g */
	EXPECT_TRUE(sched_next(&s, &c) == T(4));
	EXPECT_EQ(s.pools[g].used, 1);
	EXPECT_EQ(s.nwaiting, 2);
	EXPECT_EQ(sched_queued(&s), 2);
	EXPECT_TRUE(sched_next(&s, &d) == NULL);      /* no slot */
	sched_release_slot(&s, b);
	EXPECT_TRUE(sched_next(&s, &b) == NULL);      /* a slot, but g is full */
	EXPECT_EQ(s.nwaiting, 2);
	sched_release_slot(&s, a);              /* g frees: best waiter */
	EXPECT_EQ(s.nwaiting, 1);
	EXPECT_TRUE(sched_next(&s, &a) == T(2));
	EXPECT_TRUE(sched_next(&s, &d) == NULL);
	EXPECT_EQ(s.pools[g].used, 1);
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	sched_release_slot(&s, a);
	sched_release_slot(&s, c);
	EXPECT_EQ(s.pools[g].used, 0);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release(&s);
}

/* An item in two pools needs a unit of both. */
static void item_in_two_pools(void)
{
	struct sched s;
	struct sched_need ab = { .weight = 1, .npools = 2 };
	struct sched_need a_only = { .weight = 1, .npools = 1 };
	struct sched_need b_only = { .weight = 1, .npools = 1 };
	unsigned pa, pb, x, y, z;

	sched_init(&s, 4);
	pa = sched_add_pool(&s, 1);
	pb = sched_add_pool(&s, 1);
	EXPECT_TRUE(pa != pb);
	ab.pool[0] = pa;
	ab.pool[1] = pb;
	a_only.pool[0] = pa;
	b_only.pool[0] = pb;
	sched_push(&s, T(0), 0, &ab);
	sched_push(&s, T(1), 0, &a_only);
	sched_push(&s, T(2), 0, &b_only);
	EXPECT_TRUE(sched_next(&s, &x) == T(0));
	EXPECT_TRUE(sched_next(&s, &y) == NULL);      /* both blocked */
	EXPECT_EQ(sched_queued(&s), 2);
	EXPECT_EQ(s.pools[pa].used, 1);
	EXPECT_EQ(s.pools[pb].used, 1);
	sched_release_slot(&s, x);
	EXPECT_TRUE(sched_next(&s, &y) == T(1));
	EXPECT_TRUE(sched_next(&s, &z) == T(2));
	sched_push(&s, T(3), 9, &ab);           /* b frees, a still held */
	sched_release_slot(&s, z);
	EXPECT_TRUE(sched_next(&s, &z) == NULL);
	sched_release_slot(&s, y);
	EXPECT_TRUE(sched_next(&s, &y) == T(3));
	EXPECT_EQ(s.pools[pa].used, 1);
	EXPECT_EQ(s.pools[pb].used, 1);
	sched_release_slot(&s, y);
	EXPECT_EQ(s.pools[pa].used + s.pools[pb].used, 0);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release(&s);
}

static void pool_cap_two(void)
{
	struct sched s;
	struct sched_need in_p = { .weight = 1, .npools = 1 };
	unsigned slot[5], n = 0, p;

	sched_init(&s, 5);
	p = sched_add_pool(&s, 2);
	in_p.pool[0] = p;
	for (int i = 0; i < 4; i++)
		sched_push(&s, T(i), 0, &in_p);
	sched_push(&s, T(4), 0, NULL);
	EXPECT_TRUE(sched_next(&s, &slot[n++]) == T(0));
	EXPECT_TRUE(sched_next(&s, &slot[n++]) == T(1));
	EXPECT_TRUE(sched_next(&s, &slot[n++]) == T(4));
	EXPECT_TRUE(sched_next(&s, &slot[n]) == NULL);
	EXPECT_EQ(s.pools[p].used, 2);
	EXPECT_EQ(sched_queued(&s), 2);
	sched_release_slot(&s, slot[0]);
	sched_release_slot(&s, slot[1]);
	EXPECT_TRUE(sched_next(&s, &slot[0]) == T(2));
	EXPECT_TRUE(sched_next(&s, &slot[1]) == T(3));
	EXPECT_EQ(s.pools[p].used, 2);
	for (unsigned i = 0; i < n; i++)
		sched_release_slot(&s, slot[i]);
	EXPECT_TRUE(sched_idle(&s));
	EXPECT_EQ(s.pools[p].used, 0);
	sched_release(&s);
}

/* sched_pop hands back every queued item once: ready, reserved, waiting */
static void pop_returns_all_queued(void)
{
	struct sched s;
	struct sched_need in_g = { .weight = 1, .npools = 1 };
	struct sched_need three = { .weight = 3 };
	unsigned a, b, c, seen[8] = { 0 }, npopped = 0;
	void *p;

	sched_init(&s, 3);
	in_g.pool[0] = sched_add_pool(&s, 1);
	sched_push(&s, T(0), 10, NULL);
	sched_push(&s, T(1), 9, &in_g);
	sched_push(&s, T(2), 8, &in_g);          /* waits on the group */
	sched_push(&s, T(3), 8, &in_g);          /* so does this one */
	sched_push(&s, T(4), 7, &three);         /* reserved */
	sched_push(&s, T(5), 0, NULL);
	sched_push(&s, T(6), 1, NULL);
	EXPECT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_TRUE(sched_next(&s, &c) == NULL);
	EXPECT_TRUE(s.has_reserved);
	EXPECT_EQ(s.nwaiting, 2);
	EXPECT_EQ(sched_queued(&s), 5);
	EXPECT_TRUE(sched_pop(&s) == T(6));            /* ready, best first */
	seen[6]++;
	EXPECT_TRUE(sched_pop(&s) == T(5));
	seen[5]++;
	EXPECT_TRUE(sched_pop(&s) == T(4));            /* then the reserved one */
	seen[4]++;
	EXPECT_EQ(sched_queued(&s), 2);
	npopped = 3;
	while ((p = sched_pop(&s))) {             /* then the waiters */
		if (INDEX(p) < 8)
			seen[INDEX(p)]++;
		npopped++;
	}
	EXPECT_EQ(npopped, 5);
	EXPECT_TRUE(seen[2] == 1 && seen[3] == 1 && seen[4] == 1 && seen[5] == 1 &&
	      seen[6] == 1);
	EXPECT_TRUE(seen[0] == 0 && seen[1] == 0);
	EXPECT_EQ(sched_queued(&s), 0);
	EXPECT_EQ(s.nwaiting, 0);
	sched_release_slot(&s, b);               /* nothing comes back */
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &a) == NULL);
	EXPECT_EQ(sched_queued(&s), 0);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

/* xorshift32: the same sequence on every libc */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

#define STRESS_ITEMS 10000
#define STRESS_SLOTS 8
#define STRESS_POOLS 3

struct stress {
	struct sched s;
	struct sched_need need[STRESS_ITEMS];
	unsigned ran[STRESS_ITEMS];
	unsigned cap[STRESS_POOLS], used[STRESS_POOLS];
	int running[STRESS_SLOTS];              /* item index, -1: free */
	unsigned nrunning, units, pushed, started, bad;
};

static unsigned stress_weight(const struct sched_need *n)
{
	unsigned w = n->weight ? n->weight : 1;
	return w < STRESS_SLOTS ? w : STRESS_SLOTS;
}

static void stress_make_need(struct sched_need *n)
{
	unsigned mask = rnd(8);                 /* any subset of 3 pools */

	n->weight = 1 + rnd(4);
	if (!rnd(100))
		n->weight = rnd(2) ? STRESS_SLOTS : 50;  /* serial, clamped */
	n->npools = 0;
	for (unsigned p = 0; p < STRESS_POOLS; p++)
		if (mask & (1u << p))
			n->pool[n->npools++] = p;
}

/* What the model expects the scheduler to hold; counts mismatches. */
static void stress_check(struct stress *st)
{
	unsigned queued = st->pushed - st->started;

	if (st->units > STRESS_SLOTS || sched_queued(&st->s) != queued ||
	    st->s.units_free != STRESS_SLOTS - st->units ||
	    st->s.nfree != STRESS_SLOTS - st->nrunning)
		st->bad++;
	for (unsigned p = 0; p < STRESS_POOLS; p++)
		if (st->used[p] > st->cap[p] || st->s.pools[p].used != st->used[p])
			st->bad++;
}

static void stress_start(struct stress *st, void *item, unsigned slot)
{
	size_t i = INDEX(item);
	const struct sched_need *n = &st->need[i];

	if (i >= STRESS_ITEMS || slot >= STRESS_SLOTS ||
	    st->running[slot] != -1) {
		st->bad++;
		return;
	}
	st->running[slot] = (int)i;
	st->ran[i]++;
	st->started++;
	st->nrunning++;
	st->units += stress_weight(n);
	for (unsigned k = 0; k < n->npools; k++)
		st->used[n->pool[k]]++;
}

static void stress_finish(struct stress *st, unsigned slot)
{
	const struct sched_need *n = &st->need[st->running[slot]];

	st->running[slot] = -1;
	st->nrunning--;
	st->units -= stress_weight(n);
	for (unsigned k = 0; k < n->npools; k++)
		st->used[n->pool[k]]--;
	sched_release_slot(&st->s, slot);
}

static void stress_push_some(struct stress *st, unsigned k)
{
	for (; k && st->pushed < STRESS_ITEMS; k--, st->pushed++) {
		unsigned i = st->pushed;
		sched_push(&st->s, T(i), (double)rnd(5), &st->need[i]);
	}
}

/* Releases a random running slot, if any runs. */
static void stress_release_one(struct stress *st)
{
	unsigned pick, k = 0;

	if (!st->nrunning)
		return;
	pick = rnd(st->nrunning);
	for (unsigned sl = 0; sl < STRESS_SLOTS; sl++)
		if (st->running[sl] != -1 && k++ == pick) {
			stress_finish(st, sl);
			break;
		}
}

/* Starts all sched lets start; a reserved item must start first. */
static void stress_fill(struct stress *st)
{
	unsigned slot;
	void *it, *resv;

	for (;;) {
		resv = st->s.has_reserved ? st->s.reserved.item : NULL;
		if (!(it = sched_next(&st->s, &slot)))
			break;
		if (resv && it != resv)
			st->bad++;
		stress_start(st, it, slot);
		stress_check(st);
	}
	stress_check(st);
}

static void stress_random(void)
{
	static struct stress st;
	unsigned slot, once = 0, deadlock = 0;

	sched_init(&st.s, STRESS_SLOTS);
	for (unsigned p = 0; p < STRESS_POOLS; p++) {
		st.cap[p] = 1 + rnd(3);
		sched_add_pool(&st.s, st.cap[p]);
	}
	for (unsigned i = 0; i < STRESS_ITEMS; i++)
		stress_make_need(&st.need[i]);
	for (unsigned i = 0; i < STRESS_SLOTS; i++)
		st.running[i] = -1;
	stress_push_some(&st, 500);
	for (;;) {
		stress_fill(&st);
		if (!st.nrunning && sched_queued(&st.s)) {
			deadlock = 1;           /* all free, yet nothing starts */
			break;
		}
		if (!st.nrunning && st.pushed == STRESS_ITEMS)
			break;
		stress_push_some(&st, rnd(4));
		stress_release_one(&st);
		stress_check(&st);
	}
	for (unsigned i = 0; i < STRESS_ITEMS; i++)
		once += st.ran[i] == 1;
	EXPECT_EQ(deadlock, 0);
	EXPECT_EQ(st.bad, 0);
	EXPECT_EQ(st.pushed, STRESS_ITEMS);
	EXPECT_EQ(once, STRESS_ITEMS);
	EXPECT_EQ(sched_queued(&st.s), 0);
	EXPECT_TRUE(sched_idle(&st.s));
	EXPECT_TRUE(sched_next(&st.s, &slot) == NULL);
	sched_release(&st.s);
}

/* 100,000 items through push, next and release: it must just finish. */
static void many_items(void)
{
	struct sched s;
	struct sched_need two = { .weight = 2, .npools = 1 };
	unsigned slot, ran = 0, held[8], nheld = 0;
	void *it;

	sched_init(&s, 8);
	two.pool[0] = sched_add_pool(&s, 2);
	for (unsigned i = 0; i < NITEMS; i++)
		sched_push(&s, T(i), (double)(i % 7), i % 5 ? NULL : &two);
	for (;;) {
		while ((it = sched_next(&s, &slot))) {
			held[nheld++] = slot;
			ran++;
		}
		if (!nheld)
			break;
		sched_release_slot(&s, held[--nheld]);
	}
	EXPECT_EQ(ran, NITEMS);
	EXPECT_EQ(sched_queued(&s), 0);
	EXPECT_TRUE(sched_idle(&s));
	sched_release(&s);
}

ASSAY_TEST(sched, fifo_for_equal_priority)
{
	fifo_for_equal_priority();
}

ASSAY_TEST(sched, higher_priority_first)
{
	higher_priority_first();
}

ASSAY_TEST(sched, next_in_priority_order)
{
	next_in_priority_order();
}

ASSAY_TEST(sched, slots_are_counted)
{
	slots_are_counted();
}

ASSAY_TEST(sched, weight_takes_units)
{
	weight_takes_units();
}

ASSAY_TEST(sched, reservation_prevents_starvation)
{
	reservation_prevents_starvation();
}

ASSAY_TEST(sched, serial_runs_alone)
{
	serial_runs_alone();
}

ASSAY_TEST(sched, weight_is_clamped)
{
	weight_is_clamped();
}

ASSAY_TEST(sched, pool_cap_one)
{
	pool_cap_one();
}

ASSAY_TEST(sched, item_in_two_pools)
{
	item_in_two_pools();
}

ASSAY_TEST(sched, pool_cap_two)
{
	pool_cap_two();
}

ASSAY_TEST(sched, pop_returns_all_queued)
{
	pop_returns_all_queued();
}

ASSAY_TEST(sched, stress_random)
{
	stress_random();
}

ASSAY_TEST(sched, many_items)
{
	many_items();
}

/* Two devices, one slot each: two GPU items get one device each, the
 * third waits for one and gets the one given back. */
ASSAY_TEST(sched, gpus_any_free_device)
{
	struct sched s;
	struct sched_need one = { .weight = 1, .gpus = 1 };
	unsigned a, b, c;

	sched_init(&s, 4);
	sched_set_gpus(&s, 2, (unsigned[]){ 1, 1 });
	for (int i = 0; i < 3; i++)
		sched_push(&s, T(i), 0, &one);
	sched_push(&s, T(3), -1, NULL);         /* no GPU: not held back */
	ASSERT_TRUE(sched_next(&s, &a) == T(0));
	ASSERT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_EQ(sched_slot_gpus(&s, a) | sched_slot_gpus(&s, b), 3);
	EXPECT_EQ(sched_slot_gpus(&s, a) & sched_slot_gpus(&s, b), 0);
	ASSERT_TRUE(sched_next(&s, &c) == T(3));
	EXPECT_EQ(sched_slot_gpus(&s, c), 0);
	EXPECT_TRUE(sched_next(&s, &c) == NULL);        /* T(2) waits */
	EXPECT_EQ(sched_queued(&s), 1);
	sched_release_slot(&s, b);
	ASSERT_TRUE(sched_next(&s, &c) == T(2));
	EXPECT_EQ(sched_slot_gpus(&s, c), sched_slot_gpus(&s, a) ^ 3);
	sched_release(&s);
}

/* Two slots on each of two devices: single items spread over both
 * devices first; a whole-device item waits until one is empty, and an
 * item needing both devices until both have room. */
ASSAY_TEST(sched, gpus_slots_whole_and_several)
{
	struct sched s;
	struct sched_need one = { .weight = 1, .gpus = 1 };
	struct sched_need whole = { .weight = 1, .gpus = 1, .gpu_whole = true };
	struct sched_need both = { .weight = 1, .gpus = 2 };
	unsigned a, b, c, d;

	sched_init(&s, 8);
	sched_set_gpus(&s, 2, (unsigned[]){ 2, 2 });
	sched_push(&s, T(0), 9, &one);
	sched_push(&s, T(1), 8, &one);
	sched_push(&s, T(2), 7, &whole);
	sched_push(&s, T(3), 6, &both);
	ASSERT_TRUE(sched_next(&s, &a) == T(0));
	ASSERT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_EQ(sched_slot_gpus(&s, a) | sched_slot_gpus(&s, b), 3);  /* spread */
	ASSERT_TRUE(sched_next(&s, &c) == T(3));       /* a slot free on each */
	EXPECT_EQ(sched_slot_gpus(&s, c), 3);
	EXPECT_TRUE(sched_next(&s, &d) == NULL);        /* whole: none empty */
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_next(&s, &d) == NULL);        /* T(3) still there */
	sched_release_slot(&s, c);
	ASSERT_TRUE(sched_next(&s, &d) == T(2));
	EXPECT_EQ(sched_slot_gpus(&s, d), sched_slot_gpus(&s, b) ^ 3);
	EXPECT_TRUE(sched_pop(&s) == NULL);
	sched_release(&s);
}

/* A draining device takes nothing until it is open again; a lost one
 * never does, and what needs more devices than are left is stranded. */
ASSAY_TEST(sched, gpus_drained_and_lost)
{
	struct sched s;
	struct sched_need one = { .weight = 1, .gpus = 1 };
	struct sched_need two = { .weight = 1, .gpus = 2 };
	unsigned a, b;

	sched_init(&s, 4);
	sched_set_gpus(&s, 2, (unsigned[]){ 1, 1 });
	sched_gpu_set(&s, 0, SCHED_GPU_DRAINING);
	sched_push(&s, T(0), 9, &one);
	sched_push(&s, T(1), 8, &one);
	sched_push(&s, T(2), 7, &two);
	ASSERT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_EQ(sched_slot_gpus(&s, a), 2);           /* not the drained 0 */
	EXPECT_TRUE(sched_next(&s, &b) == NULL);
	EXPECT_TRUE(sched_gpu_stranded(&s) == NULL);    /* 0 may come back */
	sched_gpu_set(&s, 0, SCHED_GPU_OPEN);
	ASSERT_TRUE(sched_next(&s, &b) == T(1));
	EXPECT_EQ(sched_slot_gpus(&s, b), 1);
	sched_gpu_set(&s, 1, SCHED_GPU_LOST);
	EXPECT_EQ(sched_gpus_live(&s, NULL), 1);
	EXPECT_TRUE(sched_gpu_stranded(&s) == T(2));
	EXPECT_TRUE(sched_gpu_stranded(&s) == NULL);
	EXPECT_EQ(sched_queued(&s), 0);
	sched_release_slot(&s, a);
	sched_gpu_set(&s, 1, SCHED_GPU_OPEN);           /* lost stays lost */
	EXPECT_EQ(sched_gpus_live(&s, NULL), 1);
	sched_push(&s, T(3), 0, &one);
	sched_release_slot(&s, b);
	ASSERT_TRUE(sched_next(&s, &a) == T(3));
	EXPECT_EQ(sched_slot_gpus(&s, a), 1);
	sched_release(&s);
}

/* A pinned item takes only its devices: it waits for them while another
 * is free, leaves the others to the rest, and is stranded when its own
 * are lost, whatever else is left. */
ASSAY_TEST(sched, gpus_pinned)
{
	struct sched s;
	struct sched_need on1 = { .weight = 1, .gpus = 1, .gpu_only = 2 };
	struct sched_need on0 = { .weight = 1, .gpus = 1, .gpu_only = 1 };
	struct sched_need any = { .weight = 1, .gpus = 1 };
	unsigned a, b, c;

	sched_init(&s, 4);
	sched_set_gpus(&s, 2, (unsigned[]){ 1, 1 });
	sched_push(&s, T(0), 9, &on1);
	sched_push(&s, T(1), 8, &on1);
	sched_push(&s, T(2), 7, &any);
	ASSERT_TRUE(sched_next(&s, &a) == T(0));
	EXPECT_EQ(sched_slot_gpus(&s, a), 2);
	ASSERT_TRUE(sched_next(&s, &b) == T(2));        /* T(1) waits for 1 */
	EXPECT_EQ(sched_slot_gpus(&s, b), 1);
	EXPECT_TRUE(sched_next(&s, &c) == NULL);
	EXPECT_EQ(sched_gpus_live(&s, &on1), 1);
	sched_release_slot(&s, b);                      /* 0 free: not its */
	EXPECT_TRUE(sched_next(&s, &c) == NULL);
	sched_push(&s, T(3), 6, &on0);
	ASSERT_TRUE(sched_next(&s, &c) == T(3));
	EXPECT_EQ(sched_slot_gpus(&s, c), 1);
	sched_release_slot(&s, c);
	sched_gpu_set(&s, 1, SCHED_GPU_LOST);           /* its device is gone */
	EXPECT_EQ(sched_gpus_live(&s, &on1), 0);
	EXPECT_EQ(sched_gpus_live(&s, &on0), 1);
	EXPECT_TRUE(sched_gpu_stranded(&s) == T(1));
	EXPECT_TRUE(sched_gpu_stranded(&s) == NULL);
	sched_release_slot(&s, a);
	EXPECT_TRUE(sched_pop(&s) == NULL);
	sched_release(&s);
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
