/*
 * look.c - see look.h.
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
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io.h"
#include "look.h"
#include "xalloc.h"

/* A thread using more than this share of one CPU over the interval is
 * burning it. */
#define BUSY_SHARE 0.25

/* What a thread's wait says about the test. */
enum wait { W_CPU, W_STOPPED, W_LOCK, W_IO, W_SLEEP, W_CHILD, W_OTHER };

/* The whole of a small /proc file into buf (NUL-terminated); its
 * length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return -1;
	k = io_read(fd, buf, n - 1);
	close(fd);
	if (k < 0)
		return -1;
	buf[k] = '\0';
	return k;
}

/* /proc/.../stat: comm (in parentheses, may hold anything), then the
 * fields after it, counted from 3 (state) as proc(5) does. */
struct stat_line {
	char comm[17];
	char state;
	pid_t ppid, pgrp, session;
	unsigned long long utime, stime;        /* clock ticks */
	unsigned long long start;       /* since boot, clock ticks */
};

static bool read_stat(const char *path, struct stat_line *s)
{
	char buf[1024], *open_, *close_;
	size_t len;
	int field = 3;

	if (read_small(path, buf, sizeof(buf)) <= 0 ||
	    !(open_ = strchr(buf, '(')) || !(close_ = strrchr(buf, ')')) ||
	    close_ < open_)
		return false;
	len = (size_t)(close_ - open_ - 1);
	if (len >= sizeof(s->comm))
		len = sizeof(s->comm) - 1;
	memcpy(s->comm, open_ + 1, len);
	s->comm[len] = '\0';
	for (char *p = close_ + 1, *tok; (tok = strtok_r(p, " \n", &p)) && field <= 22;
	     field++) {
		switch (field) {
		case 3: s->state = tok[0]; break;
		case 4: s->ppid = (pid_t)atol(tok); break;
		case 5: s->pgrp = (pid_t)atol(tok); break;
		case 6: s->session = (pid_t)atol(tok); break;
		case 14: s->utime = strtoull(tok, NULL, 10); break;
		case 15: s->stime = strtoull(tok, NULL, 10); break;
		case 22: s->start = strtoull(tok, NULL, 10); break;
		}
	}
	return field > 22;
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The processes of the test: root's session, and root's descendants
 * wherever they went. Fills pids (up to max); returns how many. */
static size_t find_procs(pid_t root, pid_t *pids, size_t max)
{
	struct entry { pid_t pid, ppid, session; } *all = NULL;
	size_t n = 0, cap = 0, k = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool grew = true;
	bool *in;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300];
		struct stat_line s;

		if (!is_number(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (!read_stat(path, &s))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			all = xrealloc(all, cap * sizeof(*all));
		}
		all[n++] = (struct entry){ (pid_t)atol(de->d_name), s.ppid, s.session };
	}
	closedir(d);
	in = xcalloc(n ? n : 1, sizeof(*in));
	for (size_t i = 0; i < n; i++)
		in[i] = all[i].pid == root || all[i].session == root;
	while (grew) {          /* descendants of what is in, to a fixpoint */
		grew = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; !in[i] && j < n; j++)
				if (in[j] && all[i].ppid == all[j].pid)
					in[i] = grew = true;
	}
	for (size_t i = 0; i < n && k < max; i++)
		if (in[i])
			pids[k++] = all[i].pid;
	free(in);
	free(all);
	return k;
}

static uint64_t cpu_ns(pid_t pid, pid_t tid, const struct stat_line *s)
{
	char path[96], buf[128];
	static long tick;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	if (read_small(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0]))
		return strtoull(buf, NULL, 10);
	if (!tick)
		tick = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	return (s->utime + s->stime) * (1000000000ull / (uint64_t)tick);
}

/* The thread's state, call and wait channel now. false: it is gone. */
static bool read_thread(struct look_thread *t, uint64_t *cpu)
{
	char path[96], buf[256];
	struct stat_line s;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)t->pid, (int)t->tid);
	if (!read_stat(path, &s))
		return false;
	t->state = s.state;
	t->start = s.start;
	memcpy(t->comm, s.comm, sizeof(t->comm));
	*cpu = cpu_ns(t->pid, t->tid, &s);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)t->pid, (int)t->tid);
	t->syscall = -1;
	/* "NR args... sp pc", "-1 sp pc" (not in a call) or "running" */
	if (read_small(path, buf, sizeof(buf)) > 0 && isdigit((unsigned char)buf[0]))
		t->syscall = atol(buf);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)t->pid, (int)t->tid);
	if (read_small(path, t->wchan, sizeof(t->wchan)) < 0 || !strcmp(t->wchan, "0"))
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

			if (!is_number(de->d_name))
				continue;
			if (lk->n == LOOK_THREADS_MAX) {
				lk->more++;
				continue;
			}
			t = &lk->t[lk->n];
			t->pid = pids[i];
			t->tid = (pid_t)atol(de->d_name);
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
	char path[64];
	struct stat_line s;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return read_stat(path, &s) && s.start == start && s.state != 'Z' &&
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

		if (!alive(t))
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

/* Whether the environment of pid holds the line marker. */
static bool env_has(pid_t pid, const char *marker)
{
	enum { ENV_MAX = 64 * 1024 };   /* environments past this: no */
	char path[64], *env = xmalloc(ENV_MAX);
	ssize_t len;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	len = read_small(path, env, ENV_MAX);
	for (ssize_t i = 0; len > 0 && i < len && !found; i += (ssize_t)strlen(env + i) + 1)
		found = !strcmp(env + i, marker);
	free(env);
	return found;
}

/* The command line of pid, its arguments joined by spaces, cut to n. */
static void cmdline(pid_t pid, char *out, size_t n)
{
	char path[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	len = read_small(path, out, n);
	if (len <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if (read_small(path, out, n) <= 0)
			snprintf(out, n, "?");
		out[strcspn(out, "\n")] = '\0';
		return;
	}
	while (len > 0 && out[len - 1] == '\0')
		len--;
	for (ssize_t i = 0; i < len; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	out[len] = '\0';
}

/* Whether pid has a SIGKILL pending (in SigPnd or ShdPnd of its
 * status): it is dying, killed by the test just before it exited. */
static bool dying(pid_t pid)
{
	char path[64], buf[2048];
	const char *keys[] = { "\nSigPnd:", "\nShdPnd:" };

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return true;    /* gone already */
	for (size_t i = 0; i < 2; i++) {
		const char *k = strstr(buf, keys[i]);

		if (k && strtoull(k + strlen(keys[i]), NULL, 16) & (1ull << (SIGKILL - 1)))
			return true;
	}
	return false;
}

size_t look_leftovers(pid_t root, const char *marker,
		      struct look_leftover *v, size_t max)
{
	struct cand { pid_t pid, ppid; bool in; } *c = NULL;
	size_t n = 0, cap = 0, found = 0;
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool grew = true;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300];
		struct stat_line s;
		pid_t pid;

		/* what root started came after it: only newer pids (a pid
		 * space that wrapped around hides some; the run's end sweep
		 * still finds those) */
		if (!is_number(de->d_name) || (pid = (pid_t)atol(de->d_name)) <= root)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (!read_stat(path, &s) || s.state == 'Z' || s.state == 'X')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			c = xrealloc(c, cap * sizeof(*c));
		}
		c[n++] = (struct cand){
			pid, s.ppid,
			s.session == root || s.pgrp == root ||
			(s.ppid == self && marker && env_has(pid, marker))
		};
	}
	closedir(d);
	while (grew) {          /* their descendants, to a fixpoint */
		grew = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; !c[i].in && j < n; j++)
				if (c[j].in && c[i].ppid == c[j].pid)
					c[i].in = grew = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!c[i].in || dying(c[i].pid))
			continue;
		if (found < max) {
			v[found].pid = c[i].pid;
			cmdline(c[i].pid, v[found].cmd, sizeof(v[found].cmd));
		}
		found++;
	}
	free(c);
	return found;
}
