/* procfs.c - see procfs.h. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "procfs.h"
#include "xalloc.h"

/* of /proc/PID/stat's flags (linux/sched.h) */
enum { PF_EXITING = 0x4, PF_KTHREAD = 0x200000 };

ssize_t procfs_read(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len = 0, r;

	if (fd < 0)
		return -1;
	/* /proc writes a file in one go: a short read is its end */
	while ((size_t)len < n - 1 &&
	       (r = io_read(fd, buf + len, n - 1 - (size_t)len)) > 0) {
		len += r;
		if ((size_t)r < n - 1 - (size_t)(len - r))
			break;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

bool procfs_stat(const char *path, struct procfs_stat *s)
{
	char buf[1024], *open_, *close_;
	size_t len;
	int field = 3;

	if (procfs_read(path, buf, sizeof(buf)) <= 0 ||
	    !(open_ = strchr(buf, '(')) || !(close_ = strrchr(buf, ')')) ||
	    close_ < open_)
		return false;
	/* the name is in parentheses and may hold anything, ')' too */
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
		case 9: s->flags = strtoul(tok, NULL, 10); break;
		case 14: s->utime = strtoull(tok, NULL, 10); break;
		case 15: s->stime = strtoull(tok, NULL, 10); break;
		case 22: s->start = strtoull(tok, NULL, 10); break;
		}
	}
	return field > 22;
}

bool procfs_pid_stat(pid_t pid, struct procfs_stat *s)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return procfs_stat(path, s);
}

/*
 * /proc/PID/FILE for a file of the process's memory (cmdline, environ)
 * into buf, as procfs_read. An exec replaces the memory before it
 * writes the arguments and environment into it: for that moment both
 * read empty. A live process with an empty command line is in it, and
 * is waited for (0.2 s at most); a zombie, a process exiting or a
 * kernel thread has none for good.
 */
static ssize_t read_mm(pid_t pid, const char *file, char *buf, size_t n)
{
	const uint64_t end = io_now_ns() + 200000000u;  /* 0.2 s, at most */
	const struct timespec ms = { 0, 1000000 };
	char path[64], cmdline[64], probe[8];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(cmdline, sizeof(cmdline), "/proc/%d/cmdline", (int)pid);
	while ((len = procfs_read(path, buf, n)) == 0 && io_now_ns() < end) {
		struct procfs_stat s;

		if ((strcmp(file, "cmdline") &&
		     procfs_read(cmdline, probe, sizeof(probe)) > 0) ||
		    !procfs_pid_stat(pid, &s) || s.state == 'Z' || s.state == 'X' ||
		    s.flags & (PF_EXITING | PF_KTHREAD))
			break;          /* empty for good */
		nanosleep(&ms, NULL);
	}
	return len;
}

bool procfs_env(pid_t pid, const char *name, char *out, size_t n)
{
	enum { ENV_MAX = 64 * 1024 };   /* environments past this: no */
	char *env = xmalloc(ENV_MAX);
	size_t k = strlen(name);
	ssize_t len;
	bool found = false;

	len = read_mm(pid, "environ", env, ENV_MAX);
	for (ssize_t i = 0; len > 0 && i < len && !found; i += (ssize_t)strlen(env + i) + 1)
		if (!strncmp(env + i, name, k) && env[i + (ssize_t)k] == '=') {
			snprintf(out, n, "%s", env + i + k + 1);
			found = true;
		}
	free(env);
	return found;
}

void procfs_cmdline(pid_t pid, char *out, size_t n)
{
	char path[64];
	ssize_t len = read_mm(pid, "cmdline", out, n);

	if (len <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if (procfs_read(path, out, n) <= 0)
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

/* SIGKILL in SigPnd or ShdPnd of /proc/PID/status, exiting already
 * (PF_EXITING: the kernel is ending it, whatever the cause), or no
 * such process. */
bool procfs_dying(pid_t pid)
{
	char path[64], buf[2048];
	const char *keys[] = { "\nSigPnd:", "\nShdPnd:" };
	struct procfs_stat s;

	if (procfs_pid_stat(pid, &s) && s.flags & PF_EXITING)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0)
		return true;    /* gone already */
	for (size_t i = 0; i < 2; i++) {
		const char *k = strstr(buf, keys[i]);

		if (k && strtoull(k + strlen(keys[i]), NULL, 16) & (1ull << (SIGKILL - 1)))
			return true;
	}
	return false;
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

/* The last pid given out in this pid namespace; 0 when unknown. */
static pid_t last_pid(void)
{
	char buf[32];

	if (procfs_read("/proc/sys/kernel/ns_last_pid", buf, sizeof(buf)) <= 0)
		return 0;
	return (pid_t)atol(buf);
}

size_t procfs_list(pid_t after, struct procfs_proc **v)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0, cap = 0;
	/* pids in (after, wrapped] came after it too; all when unknown */
	pid_t wrapped = after ? last_pid() : 0;

	if (after && !wrapped)
		after = 0;
	else if (wrapped >= after)
		wrapped = 0;
	*v = NULL;
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct procfs_stat s;
		pid_t pid;

		if (!is_number(de->d_name) ||
		    ((pid = (pid_t)atol(de->d_name)) <= after && pid > wrapped) ||
		    !procfs_pid_stat(pid, &s) || s.state == 'Z' || s.state == 'X')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			*v = xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[n++] = (struct procfs_proc){ pid, s.ppid, s.pgrp, s.session, false };
	}
	closedir(d);
	return n;
}

void procfs_mark_descendants(struct procfs_proc *v, size_t n)
{
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; !v[i].in && j < n; j++)
				if (v[j].in && v[i].ppid == v[j].pid)
					v[i].in = grew = true;
	}
}
