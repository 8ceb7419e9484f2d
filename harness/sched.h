/*
 * sched.h - chooses the next test for a free slot.
 *
 * Owns the ready queue (a binary heap: higher priority first, then the
 * order tests were queued) and the slot numbers. O(log n) per test.
 * Never spawns, never prints, never blocks: the runner asks, sched
 * answers from memory.
 */
#ifndef ASSAY_SCHED_H
#define ASSAY_SCHED_H

#include <stdbool.h>
#include <stddef.h>

struct test;

struct sched_item {
	struct test *test;
	double priority;
	size_t seq;
};

struct sched {
	struct sched_item *heap;
	size_t n, cap, seq;
	unsigned *free_slots;           /* stack of free slot numbers */
	unsigned nfree, nslots;
};

void sched_init(struct sched *s, unsigned slots);
void sched_release(struct sched *s);
void sched_push(struct sched *s, struct test *t, double priority);
/*
 * When a slot is free and a test is queued, takes both: returns the test
 * and stores the slot (0..slots-1, the one freed last) in *slot.
 * Otherwise returns NULL and takes nothing.
 */
struct test *sched_next(struct sched *s, unsigned *slot);
/* Removes and returns the best queued test without a slot, or NULL. */
struct test *sched_pop(struct sched *s);
void sched_release_slot(struct sched *s, unsigned slot);
size_t sched_queued(const struct sched *s);
bool sched_idle(const struct sched *s);     /* every slot free */

#endif
