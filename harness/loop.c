/* loop.c - see loop.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "io.h"
#include "loop.h"
#include "xalloc.h"

struct loop {
	int epfd;
	int sigfd;
};

#define LOOP_MAX_BATCH 64

/* Signals that stop a run, unless they were ignored when assay started
 * (nohup ignores SIGHUP; a shell's background job ignores SIGINT). */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static int ignored(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

int loop_new(struct loop **out, struct err *e)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t set;

	l->epfd = l->sigfd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++)
		if (!ignored(stop_signals[i]))
			sigaddset(&set, stop_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		free(l);
		return err_set(e, ERR_SYS, "cannot block signals");
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto fail;
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sigfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	err_set(e, ERR_SYS, "cannot set up the event loop");
	loop_free(l);
	return ERR_SYS;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

int loop_watch(struct loop *l, int fd, void *tag, struct err *e)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return err_set(e, ERR_SYS, "cannot watch a test's output");
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* Appends the pending signals to ev; returns how many. */
static int read_signals(struct loop *l, struct loop_event *ev, int n)
{
	struct signalfd_siginfo si;
	int k = 0;

	while (k < n && io_read(l->sigfd, &si, sizeof(si)) == sizeof(si))
		ev[k++] = (struct loop_event){ .type = LOOP_SIGNAL,
					       .signo = (int)si.ssi_signo };
	return k;
}

int loop_wait(struct loop *l, int timeout_ms, struct loop_event *ev, int n,
	      struct err *e)
{
	struct epoll_event got[LOOP_MAX_BATCH];
	int r, k = 0;

	if (n > LOOP_MAX_BATCH)
		n = LOOP_MAX_BATCH;
	r = epoll_wait(l->epfd, got, n, timeout_ms);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0)
		return err_set(e, ERR_SYS, "waiting for tests failed");
	/* signals may fill ev before all fds are stored: what does not fit
	 * is reported again by the next wait (epoll is level-triggered) */
	for (int i = 0; i < r && k < n; i++) {
		if (got[i].data.ptr)
			ev[k++] = (struct loop_event){ .type = LOOP_FD,
						       .tag = got[i].data.ptr };
		else
			k += read_signals(l, ev + k, n - k);
	}
	return k;
}
