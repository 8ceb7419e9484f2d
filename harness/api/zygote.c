/*
 * harness/api/zygote.c - the fork server: a copy of the program made as
 * it starts (its tests registered, before it holds a batch, a buffer or
 * a thread of its own), which forks each `isolate` test's child for it.
 *
 * A fork copies the forking process's page tables and the child tears
 * its copy down as it exits, so each fork costs about as much as the
 * memory the parent has written (docs/benchmarks.md); the server stays
 * as small as the program was at its start. The program asks over a
 * socket (a test's index among the registered tests) and hears what the
 * child sent, its wait status, and whether it ran past its timeout.
 * An isolate test therefore starts from the program's state at its
 * start, not from what tests before it left. Never runs a test itself,
 * never outlives the program (the kernel kills it when the program
 * ends), never leaves a child behind: one past its deadline, or whose
 * program went away, is killed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"

#define EXIT_HARD 99

/* What the server says of each test: then len bytes of its record. */
struct reply {
	int32_t late, status;
	uint64_t len;
};

static struct {
	pid_t pid;              /* the server, or -1: fork here */
	int fd;                 /* the line to it */
	const struct api_tests *all;
} zy = { .pid = -1, .fd = -1 };

/* api_write_all over the socket, but without SIGPIPE: a program whose
 * server died must live to fork its tests itself. */
static bool send_all(int fd, const void *buf, size_t n)
{
	for (const char *p = buf; n;) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool recv_all(int fd, void *buf, size_t n)
{
	for (char *p = buf; n;) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

/* The server: a test's index in, its child's outcome out, until the
 * program's end of the line. */
static void __attribute__((noreturn)) serve_forks(int fd, api_apart_fn fn)
{
	uint32_t i;

	while (recv_all(fd, &i, sizeof(i)) && i < zy.all->n) {
		struct api_apart a;
		struct reply h;

		fn(&zy.all->v[i], fd, &a);
		h = (struct reply){ a.late, a.status, a.len };
		if (!send_all(fd, &h, sizeof(h)) || !send_all(fd, a.buf, a.len))
			_exit(EXIT_HARD);
		free(a.buf);
	}
	_exit(0);
}

int api_zygote_start(const struct api_tests *all, api_apart_fn fn)
{
	int sv[2];
	pid_t parent = getpid();
	char ready;

	zy.all = all;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stdout);         /* else each child writes it out again */
	fflush(stderr);
	if ((zy.pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (zy.pid == 0) {
		api_frames_forked();
		close(sv[0]);
		/* the program's end is the server's, however it ends */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
		    !send_all(sv[1], "", 1))
			_exit(EXIT_HARD);
		serve_forks(sv[1], fn);
	}
	close(sv[1]);
	zy.fd = sv[0];
	/* Not before it is sure to die with the program: a program that
	 * crashed before its server ran that far would leave it behind,
	 * alive for a moment, and assay would name it as a test's. */
	if (!recv_all(zy.fd, &ready, 1)) {
		api_zygote_stop();
		return -1;
	}
	return 0;
}

void api_zygote_stop(void)
{
	int status;

	if (zy.pid < 0)
		return;
	close(zy.fd);           /* it ends at the end of the line, */
	(void)kill(zy.pid, SIGKILL);    /* or now, mid-test */
	while (waitpid(zy.pid, &status, 0) < 0 && errno == EINTR)
		;
	zy.pid = zy.fd = -1;
}

bool api_zygote_run(const struct api_test *t, struct api_apart *a)
{
	uint32_t i;
	struct reply h;

	if (zy.pid < 0)
		return false;
	i = (uint32_t)(t - zy.all->v);
	a->buf = NULL;
	if (send_all(zy.fd, &i, sizeof(i)) && recv_all(zy.fd, &h, sizeof(h)) &&
	    (a->buf = malloc(h.len + 1)) && recv_all(zy.fd, a->buf, h.len)) {
		a->late = h.late;
		a->status = h.status;
		a->len = h.len;
		return true;
	}
	free(a->buf);
	api_zygote_stop();      /* gone: the program forks from here on */
	return false;
}
