/*
 * selftest/hang/prog1.c - a fixture for selftest/e2e/hangs.sh: two
 * threads take two mutexes in opposite orders and wait for each other
 * forever, while the main thread joins them. Built without sanitizers
 * (their threads would change what a look sees). Its name says nothing
 * on purpose: assay must tell what it does by looking.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both;

static void *one(void *arg)
{
	pthread_mutex_lock(&a);
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&b);
	return arg;
}

static void *other(void *arg)
{
	pthread_mutex_lock(&b);
	pthread_barrier_wait(&both);
	pthread_mutex_lock(&a);
	return arg;
}

int main(void)
{
	pthread_t x, y;

	pthread_barrier_init(&both, NULL, 2);
	if (pthread_create(&x, NULL, one, NULL) || pthread_create(&y, NULL, other, NULL))
		return 99;
	pthread_join(x, NULL);
	pthread_join(y, NULL);
	return 0;
}
