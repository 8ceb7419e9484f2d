/*
 * selftest/bench/schedq.c - what the ready queue costs per job: N items
 * queued at once (random priorities, 1 in 50 in a group of cap 2, 1 in
 * 100 two slots wide), then taken and released on 8 slots until none is
 * left, as the runner does. Prints nanoseconds per job for each N (the
 * median of 5 passes); `make bench-sched` runs it before the makespan
 * runs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness/sched.h"

#define SLOTS 8

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One pass: seconds for n jobs through the queue. */
static double pass(size_t n, unsigned seed)
{
	struct sched_need plain = { 1, 0, { 0 } }, wide = { 2, 0, { 0 } },
			  grouped = { 1, 1, { 0 } };
	struct sched s;
	unsigned running[SLOTS], nrun = 0, slot;
	double t0;
	size_t done = 0;

	srand(seed);
	sched_init(&s, SLOTS);
	grouped.pool[0] = sched_add_pool(&s, 2);
	t0 = now();
	for (size_t i = 0; i < n; i++)
		sched_push(&s, (void *)(i + 1), rand() / (double)RAND_MAX,
			   i % 50 == 0 ? &grouped : i % 100 == 1 ? &wide : &plain);
	while (done < n) {
		while (sched_next(&s, &slot))
			running[nrun++] = slot;
		/* the oldest running job ends */
		sched_release_slot(&s, running[0]);
		for (unsigned k = 1; k < nrun; k++)
			running[k - 1] = running[k];
		nrun--;
		done++;
	}
	t0 = now() - t0;
	sched_release(&s);
	return t0;
}

int main(void)
{
	static const size_t sizes[] = { 1000, 10000, 100000, 1000000 };

	printf("| jobs queued at once | ns per job (median of 5) |\n|---|---|\n");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		double v[5];
		for (unsigned r = 0; r < 5; r++)
			v[r] = pass(sizes[k], r + 1);
		qsort(v, 5, sizeof(*v), cmp);
		printf("| %zu | %.0f |\n", sizes[k], v[2] / sizes[k] * 1e9);
	}
	return 0;
}
