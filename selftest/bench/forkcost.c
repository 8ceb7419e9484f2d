/*
 * forkcost.c - what a fork costs as the forking process grows: fork, a
 * child that exits at once, waitpid, ROUNDS times, from a process that
 * has written MB megabytes of its heap. Prints the median of RUNS such
 * loops in microseconds per fork, a line per size. The reason
 * libassay forks `isolate` tests from a fork server made as the program
 * starts (harness/api/zygote.c); see docs/benchmarks.md. Not a test.
 *
 * Usage: forkcost [MB...]     (default: 0 1 2 4 16)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 2000
#define RUNS 5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Microseconds per fork, exit and wait, the median of RUNS loops. */
static double per_fork(void)
{
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double start = now_s();
		for (int i = 0; i < ROUNDS; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				perror("forkcost: fork");
				exit(1);
			}
			if (pid == 0)
				_exit(0);
			while (waitpid(pid, NULL, 0) < 0)
				;
		}
		t[r] = (now_s() - start) / ROUNDS * 1e6;
	}
	qsort(t, RUNS, sizeof(*t), cmp_double);
	return t[RUNS / 2];
}

int main(int argc, char **argv)
{
	static const char *sizes[] = { "0", "1", "2", "4", "16" };
	int n = argc > 1 ? argc - 1 : (int)(sizeof(sizes) / sizeof(*sizes));

	for (int k = 0; k < n; k++) {
		const char *arg = argc > 1 ? argv[k + 1] : sizes[k];
		size_t mb = strtoul(arg, NULL, 10);
		char *mem = mb ? malloc(mb << 20) : NULL;

		if (mb && !mem) {
			fprintf(stderr, "forkcost: no %zu MB here\n", mb);
			return 1;
		}
		/* each page written (volatile: a memset of memory freed
		 * unread is one the compiler may leave out) */
		for (size_t i = 0; i < mb << 20; i += 4096)
			((volatile char *)mem)[i] = 1;
		printf("%zu MB written: %.1f us per fork, exit and wait\n", mb, per_fork());
		free(mem);
	}
	return 0;
}
