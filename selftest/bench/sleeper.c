/*
 * sleeper.c - a test that waits to be killed, for deadline.sh.
 *
 * Notes CLOCK_MONOTONIC when main starts, then waits for SIGTERM; when
 * it comes, appends "SECONDS_WAITED\n" to $SLEEPER_LOG (one write, with
 * O_APPEND, so lines from many sleepers never mix) and exits 0. The time
 * is from main, so it leaves out the exec before it: a deadline's delay
 * computed from it is low by that much (about 0.5 ms here).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	double t0 = now();
	const char *log = getenv("SLEEPER_LOG");
	sigset_t set;
	char line[64];
	int sig, fd, n;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (sigwait(&set, &sig) != 0)
		return 1;
	n = snprintf(line, sizeof(line), "%.6f\n", now() - t0);
	if (log && (fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644)) >= 0) {
		(void)!write(fd, line, (size_t)n);
		close(fd);
	}
	return 0;
}
