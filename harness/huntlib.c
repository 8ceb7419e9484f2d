/*
 * huntlib.c - assay-hunt.so, preloaded into a test's processes by
 * `assay run --hunt` (LD_PRELOAD) to shake its threads' interleavings.
 *
 * ASSAY_HUNT="SEED:MAX_US:ONE_IN" turns it on: at the points where
 * threads meet (a thread's start, the return of pthread_create in its
 * creator, pthread_mutex_lock and _unlock) one time in ONE_IN it sleeps a random 0..MAX_US
 * microseconds, or yields the CPU. The choices come from SEED, per
 * thread in the order threads are made, so one seed replays the same
 * pressure (the kernel still has its say). Without the variable, or with
 * a malformed one, it does nothing at all.
 *
 * It must never change what a correct program computes: it only waits,
 * calls through to the real functions with the same arguments, and
 * returns what they return. It never prints, never allocates but one
 * small record per thread start, and never takes a lock of its own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static uint64_t seed;
static unsigned max_us, one_in;
static int on;
static uint64_t threads;                /* made so far (atomically) */
static __thread uint64_t rng;           /* 0: not seeded yet */

__attribute__((constructor)) static void hunt_init(void)
{
	const char *s = getenv("ASSAY_HUNT");
	char *end;

	if (!s)
		return;
	seed = strtoull(s, &end, 16);
	if (*end != ':')
		return;
	max_us = (unsigned)strtoul(end + 1, &end, 10);
	if (*end != ':')
		return;
	one_in = (unsigned)strtoul(end + 1, &end, 10);
	on = !*end && one_in > 0 && max_us <= 1000000;
}

static uint64_t next(void)
{
	uint64_t z;

	if (!rng)
		rng = seed ^ 0x9e3779b97f4a7c15u;
	z = (rng += 0x9e3779b97f4a7c15u);       /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* One meeting point: now and then, a pause. */
static void shake(void)
{
	uint64_t r;
	struct timespec ts;

	if (!on)
		return;
	r = next();
	if (r % one_in)
		return;
	r >>= 16;
	if (r % 4 == 0) {
		sched_yield();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)((r >> 2) % (max_us + 1)) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* real_NAME: the function the program would have called (looked up
 * once; threads racing to look it up find the same). */
#define REAL(name) \
	static __typeof__(name) *real_##name##_p; \
	__typeof__(name) *real_##name = __atomic_load_n(&real_##name##_p, \
							__ATOMIC_RELAXED); \
	if (!real_##name) { \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name); \
		__atomic_store_n(&real_##name##_p, real_##name, __ATOMIC_RELAXED); \
	}

struct start {
	void *(*fn)(void *);
	void *arg;
	uint64_t rng;
};

static void *started(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	rng = s.rng;
	shake();
	return s.fn(s.arg);
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	struct start *s;
	int rc;

	REAL(pthread_create);
	if (!real_pthread_create)
		return EAGAIN;
	if (!on || !(s = malloc(sizeof(*s))))
		return real_pthread_create(t, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->rng = seed ^ ((__atomic_add_fetch(&threads, 1, __ATOMIC_RELAXED) + 1) *
			 0xd1b54a32d192ed03u);
	rc = real_pthread_create(t, attr, started, s);
	if (rc)
		free(s);
	else
		shake();
	return rc;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	REAL(pthread_mutex_lock);
	shake();
	return real_pthread_mutex_lock(m);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc;

	REAL(pthread_mutex_unlock);
	rc = real_pthread_mutex_unlock(m);
	shake();
	return rc;
}
