/*
 * lookcost.c - what harness/look.c costs assay's loop thread: the two
 * samples of a hung test (look_begin, then look_end and look_report,
 * without the 0.1 s between them), and the search for leftovers that
 * runs at every test's exit (look_leftovers), on this machine's /proc.
 *
 * The hung test is a child with THREADS threads blocked on a mutex its
 * main thread holds (a deadlock, as the look calls it). Prints the
 * median and maximum of ROUNDS timings of each, in microseconds, and the
 * number of processes /proc held. Not a test; see docs/benchmarks.md.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/io.h"
#include "harness/look.h"

#define THREADS 4
#define ROUNDS 200

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;

static void *blocked(void *arg)
{
	pthread_mutex_lock(&held);
	return arg;
}

static _Noreturn void hung_child(int ready)
{
	pthread_t t;

	pthread_mutex_lock(&held);
	for (int i = 0; i < THREADS - 1; i++)
		pthread_create(&t, NULL, blocked, NULL);
	(void)!write(ready, "x", 1);
	pthread_mutex_lock(&held);      /* never: main waits on itself */
	_exit(0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void show(const char *what, double *us)
{
	qsort(us, ROUNDS, sizeof(*us), cmp);
	printf("| %s | %.1f | %.1f |\n", what, us[ROUNDS / 2], us[ROUNDS - 1]);
}

static size_t procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] >= '1' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	static struct look lk;
	static pid_t left[64];
	double begin[ROUNDS], end[ROUNDS], leftovers[ROUNDS], all[ROUNDS];
	int p[2];
	char c;
	pid_t child;

	if (pipe(p) < 0 || (child = fork()) < 0)
		return 1;
	if (child == 0)
		hung_child(p[1]);
	if (read(p[0], &c, 1) != 1)
		return 1;
	usleep(100000);
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = io_now_ns(), t1, t2;
		char *report;

		look_begin(&lk, child, t0);
		t1 = io_now_ns();
		look_end(&lk, t1 + 100000000);  /* as if 0.1 s later */
		report = look_report(&lk);
		t2 = io_now_ns();
		if (r == 0)
			fputs(report, stderr);
		free(report);
		begin[r] = (t1 - t0) / 1e3;
		end[r] = (t2 - t1) / 1e3;
		t0 = io_now_ns();
		(void)look_leftovers(child, "ASSAY_TMPDIR=/nowhere", NULL, NULL, left, 64);
		leftovers[r] = (io_now_ns() - t0) / 1e3;
		t0 = io_now_ns();
		(void)look_leftovers(1, "ASSAY_TMPDIR=/nowhere", NULL, NULL, left, 64);
		all[r] = (io_now_ns() - t0) / 1e3;
	}
	printf("%zu processes in /proc; the hung test: 1 process of %d threads; %d rounds\n\n",
	       procs(), THREADS, ROUNDS);
	printf("| step | median (us) | max (us) |\n| --- | ---: | ---: |\n");
	show("look: first sample (look_begin)", begin);
	show("look: second sample and report (look_end, look_report)", end);
	show("leftovers at a test's exit (processes newer than it)", leftovers);
	show("leftovers, every process in /proc (pid 1's view: the worst)", all);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
