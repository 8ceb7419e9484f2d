/* orphans.c - see orphans.h. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "orphans.h"
#include "xalloc.h"

#define SWEEP_ROUNDS 32         /* each round reaches one generation deeper */
#define NOTE_LINES_MAX 20
#define REAP_WAIT_MS 2000       /* SIGKILL to giving up on a stuck process */

int orphans_adopt(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* Reads a small /proc file whole into buf; returns its length or -1. */
static ssize_t read_proc(pid_t pid, const char *what, char *buf, size_t n)
{
	char path[64];
	ssize_t len, r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (len = 0; (size_t)len < n - 1; len += r)
		if ((r = io_read(fd, buf + len, n - 1 - (size_t)len)) <= 0)
			break;
	close(fd);
	buf[len] = 0;
	return len;
}

/* The parent pid from /proc/PID/stat, and the command name into comm. */
static pid_t parent_of(pid_t pid, char *comm, size_t n)
{
	char buf[512], *open_paren, *close_paren;
	int ppid;

	if (read_proc(pid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -1;
	snprintf(comm, n, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	if (sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* The ASSAY_TEST_ID the process inherited, or "" when unknown. */
static void test_of(pid_t pid, char *id, size_t n)
{
	enum { ENV_MAX = 64 * 1024 };   /* environments past this: unknown */
	char *env = xmalloc(ENV_MAX);
	ssize_t len = read_proc(pid, "environ", env, ENV_MAX);
	const char *key = "ASSAY_TEST_ID=";

	id[0] = 0;
	for (ssize_t i = 0; len > 0 && i < len; i += (ssize_t)strlen(env + i) + 1)
		if (!strncmp(env + i, key, strlen(key))) {
			snprintf(id, n, "%s", env + i + strlen(key));
			break;
		}
	free(env);
}

static void note_line(char **note, size_t count, pid_t pid, const char *comm,
		      const char *id, int reaped)
{
	char *s;

	if (count > NOTE_LINES_MAX)
		return;
	if (count == NOTE_LINES_MAX)
		s = xasprintf("%sassay: ... and more leftover processes killed\n",
			      *note ? *note : "");
	else
		s = xasprintf("%sassay: %s leftover process %d (%s)%s%s\n",
			      *note ? *note : "",
			      reaped ? "killed" : "could not kill (stuck in the kernel?)",
			      (int)pid, comm, *id ? " started by test " : "", id);
	free(*note);
	*note = s;
}

/*
 * SIGKILL, then reap. A process in uninterruptible sleep may never die:
 * wait for it on a pidfd for a bounded time instead of in waitpid.
 * Returns 1 when it was reaped.
 */
static int kill_and_reap(pid_t pid)
{
	int fd = pidfd_open(pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	(void)kill(pid, SIGKILL);
	if (fd < 0)             /* no pidfd (old kernel): wait unbounded */
		return waitpid(pid, NULL, 0) == pid;
	while (poll(&p, 1, REAP_WAIT_MS) < 0 && errno == EINTR)
		;
	close(fd);
	return waitpid(pid, NULL, WNOHANG) == pid;
}

/* One pass over /proc: kills and reaps the children found; returns how
 * many were reaped. */
static size_t sweep_once(pid_t self, char **note, size_t total)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t found = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char comm[64], id[256];
		int reaped;
		pid_t pid;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (parent_of(pid, comm, sizeof(comm)) != self)
			continue;
		test_of(pid, id, sizeof(id));
		reaped = kill_and_reap(pid);
		note_line(note, total + found, pid, comm, id, reaped);
		found += (size_t)reaped;
	}
	closedir(d);
	return found;
}

size_t orphans_sweep(char **note)
{
	pid_t self = getpid();
	size_t total = 0, n;

	*note = NULL;
	for (int round = 0; round < SWEEP_ROUNDS; round++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)  /* the already dead */
			;
		if (!(n = sweep_once(self, note, total)))
			break;
		total += n;
	}
	return total;
}
