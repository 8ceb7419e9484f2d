/*
 * sched.h - chooses the next run for a free slot, within the limits of
 * the named resource pools.
 *
 * Owns the ready queue (a binary heap: higher priority first, then the
 * order items were queued), the slot numbers, the capacity units and
 * the pools. A queued item carries a need: a weight in capacity units
 * (slots=N; a serial test weighs every unit, so it runs alone) and up
 * to SCHED_MAX_POOLS named pools it takes one unit of each (exclusion
 * groups with a cap; later GPUs). An item whose pool is full waits in
 * that pool's own heap and goes back to the ready queue when a unit
 * frees, so each item costs O(log n) per move and a full pool never
 * makes the scheduler scan. An item heavier than the free capacity is
 * reserved: nothing else starts until enough units drain for it (no
 * starvation of wide jobs).
 *
 * GPUs are devices, not a pool: an item that needs N of them gets any N
 * devices with a slot free (or, whole, every slot of N devices), the
 * least busy first, among those it may take (gpu_only: pinned), and
 * learns which (sched_slot_gpus). One that finds
 * too few waits in the GPU heap; every GPU a slot gives back sends the
 * whole heap to the ready queue again (GPU tests are few; a device freed
 * may suit a waiter behind the first). A device may be drained (it
 * takes nothing while its health is checked) or lost for good; an item
 * that needs more devices than are left to it is the caller's to take back
 * (sched_gpu_stranded). Never spawns, never prints, never blocks: the
 * runner asks, sched answers from memory.
 */
#ifndef ASSAY_SCHED_H
#define ASSAY_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_MAX_POOLS 4
#define SCHED_MAX_GPUS 64

/* What an item holds while it runs. The caller keeps it alive until
 * the item's slot is released. */
struct sched_need {
	unsigned weight;                /* capacity units, at least 1 */
	unsigned npools;
	unsigned pool[SCHED_MAX_POOLS]; /* from sched_add_pool */
	unsigned gpus;                  /* devices, each its own; 0: none */
	bool gpu_whole;                 /* every slot of each of them */
	uint64_t gpu_only;              /* the devices it may take (bit i:
	                                 * device i); 0: any */
};

struct sched_item {
	void *item;
	double priority;
	size_t seq;
	const struct sched_need *need;
};

struct sched_heap {
	struct sched_item *v;
	size_t n, cap;
};

struct sched_pool {
	unsigned cap, used;
	struct sched_heap wait;         /* queued items this pool holds back */
};

struct sched {
	struct sched_heap ready;
	size_t seq, nwaiting;
	struct sched_pool *pools;
	unsigned npools;
	unsigned *free_slots;           /* stack of free slot numbers */
	unsigned nfree, nslots;
	unsigned units_free;            /* capacity units, nslots in all */
	const struct sched_need **held; /* per slot: what runs there */
	bool has_reserved;
	struct sched_item reserved;     /* popped, waiting for capacity */
	unsigned ngpus;
	unsigned *gpu_slots;            /* per device: slots */
	unsigned *gpu_used;             /* per device: slots taken */
	unsigned char *gpu_state;       /* per device: enum sched_gpu_state */
	uint64_t *held_gpus;            /* per slot: its devices (bit i:
	                                 * device i) */
	struct sched_heap gpu_wait;     /* items too few devices were free
	                                 * for */
};

/* slots: how many items may run at once, and the capacity units. */
void sched_init(struct sched *s, unsigned slots);
void sched_release(struct sched *s);
/* n devices (at most SCHED_MAX_GPUS), device i with slots[i] slots (0
 * counts as 1); once, before any item that needs one is queued. */
void sched_set_gpus(struct sched *s, unsigned n, const unsigned *slots);
/* The devices the item running in slot holds (bit i: device i). */
uint64_t sched_slot_gpus(const struct sched *s, unsigned slot);

enum sched_gpu_state { SCHED_GPU_OPEN, SCHED_GPU_DRAINING, SCHED_GPU_LOST };
/* Device d takes nothing more (SCHED_GPU_DRAINING: for now, while its
 * health is checked; SCHED_GPU_LOST: for good), or again (OPEN: the
 * items that wait for a device are ready again). What runs there goes
 * on; a lost device stays lost. */
void sched_gpu_set(struct sched *s, unsigned d, enum sched_gpu_state st);
/* The devices not lost that n may take (NULL: any). */
unsigned sched_gpus_live(const struct sched *s, const struct sched_need *n);
/* Takes out and returns a queued item that needs more devices than are
 * left, or NULL: it can never run. */
void *sched_gpu_stranded(struct sched *s);
/* Adds a pool that lends cap units (at least 1); returns its index. */
unsigned sched_add_pool(struct sched *s, unsigned cap);
/*
 * Queues item. need may be NULL (weight 1, no pools); a weight above
 * the slots is clamped to them. Pool indexes must come from
 * sched_add_pool, and it may need no more GPUs than sched_set_gpus gave.
 */
void sched_push(struct sched *s, void *item, double priority,
		const struct sched_need *need);
/*
 * When the best runnable item fits, takes a slot, its weight and its
 * pools: returns the item and stores the slot (0..slots-1, the one freed
 * last) in *slot. Otherwise returns NULL and takes nothing.
 */
void *sched_next(struct sched *s, unsigned *slot);
/* Gives back the slot and what its item held. */
void sched_release_slot(struct sched *s, unsigned slot);
/* Removes and returns a queued item that never got a slot (the ready
 * queue's best first, then the reserved one, then those waiting on
 * pools), or NULL. */
void *sched_pop(struct sched *s);
size_t sched_queued(const struct sched *s);  /* ready, reserved, waiting */
bool sched_idle(const struct sched *s);      /* every slot free */

#endif
