/* selftest/unit/loop_test.c - tests harness/loop.c and nothing else. */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "harness/loop.h"

static void fd_events_carry_their_tag(struct loop *l)
{
	struct loop_event ev[4];
	struct err e = ERR_INIT;
	int p[2], tag;

	CHECK_INT(0, pipe(p));
	CHECK_INT(0, loop_watch(l, p[0], &tag, &e));
	CHECK_INT(0, loop_wait(l, 0, ev, 4, &e));       /* nothing yet */
	CHECK_INT(1, write(p[1], "x", 1));
	CHECK_INT(1, loop_wait(l, 1000, ev, 4, &e));
	CHECK(ev[0].type == LOOP_FD && ev[0].tag == &tag);
	loop_unwatch(l, p[0]);
	close(p[0]);
	close(p[1]);
}

/*
 * The bug this guards against: a child between fork and exec holds a
 * copy of a watched fd; the parent closes its own copy; epoll keeps the
 * registration (it belongs to the open file, not the fd) and goes on
 * reporting the old tag, which by then names another job.
 */
static void unwatched_fd_is_silent_while_a_child_holds_it(struct loop *l)
{
	struct loop_event ev[4];
	struct err e = ERR_INIT;
	int p[2], tag, n;
	pid_t child;

	CHECK_INT(0, pipe(p));
	CHECK_INT(0, loop_watch(l, p[0], &tag, &e));
	child = fork();
	if (child == 0) {       /* holds both ends until killed */
		pause();
		_exit(0);
	}
	CHECK_INT(1, write(p[1], "x", 1));
	loop_unwatch(l, p[0]);
	close(p[0]);
	close(p[1]);
	n = loop_wait(l, 100, ev, 4, &e);
	CHECK_INT(0, n);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void children_arrive_as_sigchld(struct loop *l)
{
	struct loop_event ev[4];
	struct err e = ERR_INIT;
	pid_t child = fork();
	int n;

	if (child == 0)
		_exit(3);
	n = loop_wait(l, 5000, ev, 4, &e);
	CHECK_INT(1, n);
	CHECK(ev[0].type == LOOP_SIGNAL && ev[0].signo == SIGCHLD);
	waitpid(child, NULL, 0);
}

int main(void)
{
	struct loop *l;
	struct err e = ERR_INIT;

	CHECK_INT(0, loop_new(&l, &e));
	fd_events_carry_their_tag(l);
	unwatched_fd_is_silent_while_a_child_holds_it(l);
	children_arrive_as_sigchld(l);
	loop_free(l);
	return check_done();
}
