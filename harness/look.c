/*
 * look.c - see look.h. Reads /proc through procfs.h.
 *
 * /proc/PID/stat gives each process's parent, group and session;
 * /proc/PID/task/TID/{stat,schedstat,syscall,wchan} each thread's state,
 * CPU time (schedstat's nanoseconds, else stat's clock ticks), system
 * call and wait channel. syscall and wchan need the right to trace the
 * process: assay has it over its tests (they are its descendants, and
 * they allow any tracer); where it is refused, the call is unknown and
 * the wait channel stands alone.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "look.h"
#include "procfs.h"
#include "xalloc.h"

/* A thread using more than this share of one CPU over the interval is
 * burning it. */
#define BUSY_SHARE 0.25

/* What a thread's wait says about the test. */
enum wait { W_CPU, W_STOPPED, W_LOCK, W_IO, W_SLEEP, W_CHILD, W_OTHER };

/* The processes of the test: root's session, and root's descendants
 * wherever they went. Fills pids (up to max); returns how many. */
static size_t find_procs(pid_t root, pid_t *pids, size_t max)
{
	struct procfs_proc *v;
	size_t n = procfs_list(0, &v), k = 0;

	for (size_t i = 0; i < n; i++)
		v[i].in = v[i].pid == root || v[i].session == root;
	procfs_mark_descendants(v, n);
	for (size_t i = 0; i < n && k < max; i++)
		if (v[i].in)
			pids[k++] = v[i].pid;
	free(v);
	return k;
}

/* The thread a worker of assay/test.h moves its frames with
 * (harness/api/frames.c names it so): waiting for the tests' output is
 * its job, not the test's, and says nothing of the hang. */
#define PUMP_THREAD "assay-pump"

/* A thread's or process's id, from a directory entry's name; 0 if the
 * name is not a number. */
static pid_t entry_id(const char *name)
{
	return name[strspn(name, "0123456789")] || !*name ? 0 : (pid_t)atol(name);
}

static uint64_t cpu_ns(pid_t pid, pid_t tid, const struct procfs_stat *s)
{
	char path[96], buf[128];
	static long tick;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	if (procfs_read(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0]))
		return strtoull(buf, NULL, 10);
	if (!tick)
		tick = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return (s->utime + s->stime) * (1000000000ull / (uint64_t)tick);
}

/* The thread's state, call and wait channel now. false: it is gone. */
static bool read_thread(struct look_thread *t, uint64_t *cpu)
{
	char path[96], buf[256];
	struct procfs_stat s;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)t->pid, (int)t->tid);
	if (!procfs_stat(path, &s))
		return false;
	t->state = s.state;
	t->start = s.start;
	memcpy(t->comm, s.comm, sizeof(t->comm));
	*cpu = cpu_ns(t->pid, t->tid, &s);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)t->pid, (int)t->tid);
	t->syscall = -1;
	/* "NR args... sp pc", "-1 sp pc" (not in a call) or "running" */
	if (procfs_read(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0]))
		t->syscall = atol(buf);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)t->pid, (int)t->tid);
	if (procfs_read(path, t->wchan, sizeof(t->wchan)) < 0 || !strcmp(t->wchan, "0"))
		t->wchan[0] = '\0';
	t->wchan[strcspn(t->wchan, "\n")] = '\0';
	return true;
}

void look_begin(struct look *lk, pid_t root, uint64_t now)
{
	pid_t pids[LOOK_THREADS_MAX];
	size_t np = find_procs(root, pids, LOOK_THREADS_MAX);

	memset(lk, 0, sizeof(*lk));
	lk->root = root;
	lk->t0_ns = now;
	lk->procs = np;
	for (size_t i = 0; i < np; i++) {
		char path[64];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)pids[i]);
		if (!(d = opendir(path)))
			continue;
		while ((de = readdir(d))) {
			struct look_thread *t;
			pid_t tid = entry_id(de->d_name);

			if (!tid)
				continue;
			if (lk->n == LOOK_THREADS_MAX) {
				lk->more++;
				continue;
			}
			t = &lk->t[lk->n];
			t->pid = pids[i];
			t->tid = tid;
			if (read_thread(t, &t->cpu0_ns)) {
				t->seen = 1;
				lk->n++;
			}
		}
		closedir(d);
	}
}

void look_end(struct look *lk, uint64_t now)
{
	lk->t1_ns = now;
	for (size_t i = 0; i < lk->n; i++) {
		struct look_thread *t = &lk->t[i];

		if (read_thread(t, &t->cpu1_ns))
			t->seen = 2;
	}
}

bool look_same(pid_t pid, unsigned long long start)
{
	struct procfs_stat s;

	return procfs_pid_stat(pid, &s) && s.start == start && s.state != 'Z' &&
	       s.state != 'X';
}

/* ---- judging ---- */

static double share(const struct look *lk, const struct look_thread *t)
{
	double dt = (double)(lk->t1_ns - lk->t0_ns);

	if (t->seen != 2 || dt <= 0 || t->cpu1_ns < t->cpu0_ns)
		return 0;
	return (double)(t->cpu1_ns - t->cpu0_ns) / dt;
}

static bool alive(const struct look_thread *t)
{
	return t->seen == 2 && t->state != 'Z' && t->state != 'X';
}

pid_t look_pid(const struct look *lk, size_t i, unsigned long long *start)
{
	size_t k = 0;

	/* a process's threads come together: [t, end) */
	for (size_t t = 0, end; t < lk->n; t = end) {
		size_t main_ = t;       /* its first thread: tid == pid */
		bool live = false;

		for (end = t; end < lk->n && lk->t[end].pid == lk->t[t].pid; end++) {
			live |= alive(&lk->t[end]);
			if (lk->t[end].tid == lk->t[end].pid)
				main_ = end;
		}
		if (live && k++ == i) {
			*start = lk->t[main_].start;
			return lk->t[main_].pid;
		}
	}
	return 0;
}

/* The name of a system call, for the calls a hung test waits in. */
static const char *call_name(long nr)
{
	static const struct { long nr; const char *name; } calls[] = {
#ifdef SYS_read
		{ SYS_read, "read" },
#endif
#ifdef SYS_readv
		{ SYS_readv, "readv" },
#endif
#ifdef SYS_pread64
		{ SYS_pread64, "pread64" },
#endif
#ifdef SYS_write
		{ SYS_write, "write" },
#endif
#ifdef SYS_poll
		{ SYS_poll, "poll" },
#endif
#ifdef SYS_ppoll
		{ SYS_ppoll, "ppoll" },
#endif
#ifdef SYS_select
		{ SYS_select, "select" },
#endif
#ifdef SYS_pselect6
		{ SYS_pselect6, "pselect6" },
#endif
#ifdef SYS_epoll_wait
		{ SYS_epoll_wait, "epoll_wait" },
#endif
#ifdef SYS_epoll_pwait
		{ SYS_epoll_pwait, "epoll_pwait" },
#endif
#ifdef SYS_epoll_pwait2
		{ SYS_epoll_pwait2, "epoll_pwait2" },
#endif
#ifdef SYS_recvfrom
		{ SYS_recvfrom, "recvfrom" },
#endif
#ifdef SYS_recvmsg
		{ SYS_recvmsg, "recvmsg" },
#endif
#ifdef SYS_accept
		{ SYS_accept, "accept" },
#endif
#ifdef SYS_accept4
		{ SYS_accept4, "accept4" },
#endif
#ifdef SYS_connect
		{ SYS_connect, "connect" },
#endif
#ifdef SYS_futex
		{ SYS_futex, "futex" },
#endif
#ifdef SYS_futex_waitv
		{ SYS_futex_waitv, "futex_waitv" },
#endif
#ifdef SYS_flock
		{ SYS_flock, "flock" },
#endif
#ifdef SYS_fcntl
		{ SYS_fcntl, "fcntl" },
#endif
#ifdef SYS_semop
		{ SYS_semop, "semop" },
#endif
#ifdef SYS_semtimedop
		{ SYS_semtimedop, "semtimedop" },
#endif
#ifdef SYS_nanosleep
		{ SYS_nanosleep, "nanosleep" },
#endif
#ifdef SYS_clock_nanosleep
		{ SYS_clock_nanosleep, "clock_nanosleep" },
#endif
#ifdef SYS_pause
		{ SYS_pause, "pause" },
#endif
#ifdef SYS_rt_sigsuspend
		{ SYS_rt_sigsuspend, "rt_sigsuspend" },
#endif
#ifdef SYS_rt_sigtimedwait
		{ SYS_rt_sigtimedwait, "rt_sigtimedwait" },
#endif
#ifdef SYS_wait4
		{ SYS_wait4, "wait4" },
#endif
#ifdef SYS_waitid
		{ SYS_waitid, "waitid" },
#endif
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].nr == nr)
			return calls[i].name;
	return NULL;
}

static bool any_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

/* What t waits on, by its call, else by its wait channel. */
static enum wait wait_of(const struct look *lk, const struct look_thread *t)
{
	static const char *const lock[] = { "futex", "flock", "fcntl", "semop",
					    "semtimedop", "locks_", NULL };
	static const char *const io[] = { "read", "poll", "select", "epoll",
					  "recv", "accept", "connect", "write",
					  "pipe", "sk_wait", "unix_stream",
					  "tty", "wait_woken", NULL };
	static const char *const sleep_[] = { "sleep", "pause", "sigsuspend",
					      "sigtimedwait", NULL };
	static const char *const child[] = { "wait4", "waitid", "do_wait", NULL };
	const char *call = t->syscall >= 0 ? call_name(t->syscall) : NULL;
	const char *what = call ? call : t->wchan;

	if (share(lk, t) > BUSY_SHARE || t->state == 'R')
		return W_CPU;
	if (t->state == 'T' || t->state == 't')
		return W_STOPPED;
	if (t->state == 'D' && !(call && any_of(call, lock)))
		return W_IO;            /* uninterruptible: disk, or a driver */
	if (!*what)
		return W_OTHER;
	return any_of(what, lock) ? W_LOCK : any_of(what, child) ? W_CHILD :
	       any_of(what, sleep_) ? W_SLEEP : any_of(what, io) ? W_IO : W_OTHER;
}

enum look_class look_classify(const struct look *lk, char *why, size_t n)
{
	size_t count[W_OTHER + 1] = { 0 }, live = 0, waiting;
	double cpu = 0;

	for (size_t i = 0; i < lk->n; i++) {
		const struct look_thread *t = &lk->t[i];

		if (!alive(t) || !strcmp(t->comm, PUMP_THREAD))
			continue;
		live++;
		cpu += share(lk, t);
		count[wait_of(lk, t)]++;
	}
	if (!live) {
		snprintf(why, n, "no process of the test was left to look at");
		return LOOK_GONE;
	}
	/* a parent waiting for its children says nothing by itself */
	waiting = live - count[W_CHILD];
	if (count[W_STOPPED]) {
		snprintf(why, n, "%zu of %zu thread%s%s stopped (SIGSTOP, SIGTSTP or a debugger)",
			 count[W_STOPPED], live, live == 1 ? "" : "s",
			 count[W_STOPPED] == 1 ? " is" : " are");
		return LOOK_STOPPED;
	}
	if (count[W_CPU]) {
		snprintf(why, n, "%zu of %zu thread%s used %.0f%% of a CPU over %.2fs",
			 count[W_CPU], live, live == 1 ? "" : "s", cpu * 100,
			 (lk->t1_ns - lk->t0_ns) / 1e9);
		return LOOK_BUSY;
	}
	if (waiting && count[W_LOCK] == waiting) {
		snprintf(why, n, "%s %zu thread%s wait%s on a lock (futex or file lock), none used CPU over %.2fs",
			 waiting == 1 ? "its" : "all", waiting,
			 waiting == 1 ? "" : "s", waiting == 1 ? "s" : "",
			 (lk->t1_ns - lk->t0_ns) / 1e9);
		return LOOK_DEADLOCK;
	}
	if (count[W_IO]) {
		snprintf(why, n, "%zu of %zu thread%s wait%s for input or output (read, poll, a pipe, a socket, a disk)",
			 count[W_IO], live, live == 1 ? "" : "s",
			 count[W_IO] == 1 ? "s" : "");
		return LOOK_BLOCKED_IO;
	}
	snprintf(why, n, "%zu thread%s asleep, none used CPU over %.2fs",
		 live, live == 1 ? "" : "s", (lk->t1_ns - lk->t0_ns) / 1e9);
	return LOOK_SLEEPING;
}

const char *look_class_name(enum look_class c)
{
	static const char *const names[] = {
		"gone", "deadlock", "busy-loop", "blocked-io", "sleeping",
		"stopped"
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

/* Rows shown; the rest are counted. */
#define REPORT_ROWS 32

char *look_report(const struct look *lk)
{
	char why[256], *s = NULL;
	size_t len = 0, shown = 0;
	enum look_class c = look_classify(lk, why, sizeof(why));
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return xasprintf("%s: %s\n", look_class_name(c), why);
	fprintf(f, "%s: %s\n", look_class_name(c), why);
	if (c != LOOK_GONE)
		fprintf(f, "  %7s %7s %2s %5s  %-16s %-28s %s\n", "PID", "TID",
			"ST", "CPU%", "SYSCALL", "WAIT CHANNEL", "NAME");
	for (size_t i = 0; i < lk->n && c != LOOK_GONE; i++) {
		const struct look_thread *t = &lk->t[i];
		const char *call = t->syscall >= 0 ? call_name(t->syscall) : NULL;
		char callbuf[32];

		if (!alive(t))
			continue;
		if (shown++ == REPORT_ROWS)
			break;
		if (!call && t->syscall >= 0)
			snprintf(callbuf, sizeof(callbuf), "syscall %ld", t->syscall);
		fprintf(f, "  %7d %7d %2c %5.0f  %-16s %-28s %s\n", (int)t->pid,
			(int)t->tid, t->state, share(lk, t) * 100,
			call ? call : t->syscall >= 0 ? callbuf : "-",
			*t->wchan ? t->wchan : "-", t->comm);
	}
	if (c != LOOK_GONE && (shown > REPORT_ROWS || lk->more))
		fprintf(f, "  ... and more threads (%zu looked at, %zu past the limit of %d)\n",
			lk->n, lk->more, LOOK_THREADS_MAX);
	if (fclose(f) != 0 || !s) {
		free(s);
		return xasprintf("%s: %s\n", look_class_name(c), why);
	}
	return s;
}

/* ---- what a test leaves behind ---- */

/* Whether pid was adopted from root's run: its environment holds
 * marker ("NAME=VALUE"). */
static bool adopted_from(pid_t pid, const char *marker)
{
	const char *eq = strchr(marker, '=');
	char name[64], value[4096];

	if (!eq || (size_t)(eq - marker) >= sizeof(name))
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - marker), marker);
	return procfs_env(pid, name, value, sizeof(value)) && !strcmp(value, eq + 1);
}

size_t look_leftovers(pid_t root, const char *marker,
		      bool (*watched)(void *ctx, pid_t pid), void *ctx,
		      pid_t *pids, size_t max)
{
	struct procfs_proc *v;
	/* what root started came after it: only newer pids, the pid space
	 * wrapping around once included (twice hides some; the run's end
	 * sweep still finds those) */
	size_t n = procfs_list(root, &v), found = 0;
	pid_t self = getpid();

	for (size_t i = 0; i < n; i++)
		v[i].in = v[i].session == root || v[i].pgrp == root ||
			  (v[i].ppid == self && marker &&
			   !(watched && watched(ctx, v[i].pid)) &&
			   adopted_from(v[i].pid, marker));
	procfs_mark_descendants(v, n);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].in || procfs_dying(v[i].pid))
			continue;
		if (found < max)
			pids[found] = v[i].pid;
		found++;
	}
	free(v);
	return found;
}
