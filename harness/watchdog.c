/* watchdog.c - see watchdog.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.h"

/* One record on the pipe: '+' or '-' and a group, or 'q' (goodbye). */
struct rec {
	char op;
	int32_t pgid;
};

/* The watchdog itself: reads until goodbye or the end of the pipe. */
static _Noreturn void watch(int fd)
{
	static pid_t groups[WATCHDOG_MAX];
	size_t n = 0;
	struct rec r;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);     /* only SIGKILL ends it */
	(void)setsid();
	for (;;) {
		ssize_t k = read(fd, &r, sizeof(r));
		if (k < 0 && errno == EINTR)
			continue;
		if (k != (ssize_t)sizeof(r))
			break;          /* the end: assay is gone */
		if (r.op == 'q')
			_exit(0);
		if (r.op == '+' && n < WATCHDOG_MAX) {
			groups[n++] = (pid_t)r.pgid;
		} else if (r.op == '-') {
			for (size_t i = 0; i < n; i++)
				if (groups[i] == (pid_t)r.pgid) {
					groups[i] = groups[--n];
					break;
				}
		}
	}
	for (size_t i = 0; i < n; i++)
		(void)kill(-groups[i], SIGKILL);
	_exit(0);
}

int watchdog_start(struct watchdog *w, struct err *e)
{
	int fds[2];
	pid_t pid;

	w->pid = 0;
	w->fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, ERR_SYS, "cannot start the watchdog");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, ERR_SYS, "cannot start the watchdog");
	}
	if (pid == 0) {
		close(fds[1]);
		for (int fd = 3; fd < 1024; fd++)    /* nothing else of assay's */
			if (fd != fds[0])
				(void)close(fd);
		watch(fds[0]);
	}
	close(fds[0]);
	w->pid = pid;
	w->fd = fds[1];
	return 0;
}

static void send_rec(struct watchdog *w, char op, pid_t pgid)
{
	struct rec r;

	if (w->fd < 0)
		return;
	memset(&r, 0, sizeof(r));
	r.op = op;
	r.pgid = (int32_t)pgid;
	/* 8 bytes: atomic on a pipe; a gone watchdog is EPIPE, ignored */
	while (write(w->fd, &r, sizeof(r)) < 0 && errno == EINTR)
		;
}

void watchdog_tell(struct watchdog *w, pid_t pgid, bool add)
{
	if (w && pgid > 0)
		send_rec(w, add ? '+' : '-', pgid);
}

void watchdog_stop(struct watchdog *w)
{
	if (w->fd < 0)
		return;
	send_rec(w, 'q', 0);
	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}
