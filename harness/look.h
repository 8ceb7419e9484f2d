/*
 * look.h - what a test's processes are doing, read from /proc: a hung
 * test's before assay kills them (docs/hangs.md), and what a test left
 * running when it exited.
 *
 * Two samples an interval apart of every thread of the test's session
 * and of every descendant of its first process (one that left the
 * session included): state, wait channel, current system call, CPU time.
 * From them, one verdict: deadlock, busy-loop, blocked-io, sleeping or
 * stopped,
 * and a report: the verdict line and a table of the threads.
 *
 * Never signals, never traces (a debugger is a helper process, not
 * this), never blocks on anything but /proc, never allocates without
 * bound (LOOK_THREADS_MAX threads are kept; the rest are counted). A
 * process or thread that vanishes between reads is dropped, never an
 * error. Any thread.
 */
#ifndef ASSAY_LOOK_H
#define ASSAY_LOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LOOK_THREADS_MAX 256

enum look_class {
	LOOK_GONE,              /* nothing left alive to look at */
	LOOK_DEADLOCK,          /* every thread waits on a lock, no CPU */
	LOOK_BUSY,              /* CPU burning */
	LOOK_BLOCKED_IO,        /* waiting to read, poll, accept, or on disk */
	LOOK_SLEEPING,          /* asleep, or waiting on something else */
	LOOK_STOPPED            /* stopped by a signal or a debugger */
};

struct look_thread {
	pid_t pid, tid;
	char state;             /* /proc's: R, S, D, T, Z... */
	long syscall;           /* the call it waits in; -1: none or unknown */
	char wchan[48];         /* the kernel function it sleeps in, or "" */
	char comm[17];
	uint64_t cpu0_ns, cpu1_ns;      /* CPU time at each sample */
	unsigned long long start;       /* when its process started (clock
	                                 * ticks since boot): pid plus start
	                                 * names one process for good */
	int seen;               /* 1: in the first sample only; 2: in both */
};

struct look {
	pid_t root;
	struct look_thread t[LOOK_THREADS_MAX];
	size_t n;
	size_t more;            /* threads past LOOK_THREADS_MAX */
	size_t procs;
	uint64_t t0_ns, t1_ns;
};

/* First sample at now: root's session and root's descendants. */
void look_begin(struct look *lk, pid_t root, uint64_t now);
/* Second sample at now: CPU over the interval, the states as they are. */
void look_end(struct look *lk, uint64_t now);
/* The verdict, and in why (n bytes) what it rests on, one line. */
enum look_class look_classify(const struct look *lk, char *why, size_t n);
const char *look_class_name(enum look_class c);
/* The report: "CLASS: WHY", then the table of threads, each line ended
 * by '\n'. malloc'd. */
char *look_report(const struct look *lk);
/* The i-th process of the look with a thread alive at the second
 * sample, and its start in *start; 0 past the last. */
pid_t look_pid(const struct look *lk, size_t i, unsigned long long *start);
/* Whether pid is still the live process that started at start (not
 * gone, not a zombie, not a new process under a reused pid). */
bool look_same(pid_t pid, unsigned long long start);

/*
 * At the exit of root (while it is a zombie, so that its pid still names
 * its session and group): the processes it left running. Those of its
 * session or process group, those assay adopted as their subreaper
 * whose environment holds the line marker (may be NULL; processes
 * watched(ctx, pid) says assay already runs, other tests, are not
 * read), and the descendants of all of them; only pids above root are
 * looked at, as anything root started came after it. One with a SIGKILL
 * pending is dying (the test killed it as it ended) and does not count.
 * Fills pids[0..max) and returns how many there are in all.
 */
size_t look_leftovers(pid_t root, const char *marker,
		      bool (*watched)(void *ctx, pid_t pid), void *ctx,
		      pid_t *pids, size_t max);

#endif
