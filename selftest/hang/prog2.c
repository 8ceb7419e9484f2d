/*
 * selftest/hang/prog2.c - a fixture for selftest/e2e/hunt.sh: a data
 * race that almost never shows. The main thread starts a worker, then
 * publishes the worker's configuration without any synchronisation; the
 * worker fails when it runs before that store. A thread takes tens of
 * microseconds to start and the store takes nanoseconds, so plain runs
 * pass; a pause where the threads meet (assay --hunt) lets the worker
 * win. Built without sanitizers, as a project that never ran one would
 * build it. Its name says nothing on purpose.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int *config;

static void *worker(void *arg)
{
	if (!config) {
		puts("the worker ran before its configuration was set");
		exit(1);
	}
	return arg;
}

int main(void)
{
	static int value = 1;
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL))
		return 99;
	config = &value;
	pthread_join(t, NULL);
	return 0;
}
