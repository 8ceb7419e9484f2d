/* selftest/unit/loop_test.c - tests harness/loop.c and nothing else. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/io.h"
#include "harness/loop.h"

#define MS 1000000u

static int io_calls;
static void count_io(struct loop_io *io)
{
	char c;

	io_calls++;
	(void)!read(io->fd, &c, 1);
}

static void fd_callbacks_carry_their_arg(struct loop *l)
{
	struct err e = ERR_INIT;
	struct loop_io io;
	int p[2];

	EXPECT_EQ(pipe(p), 0);
	loop_io_init(&io, count_io, &io);
	EXPECT_EQ(loop_io_start(l, &io, p[0], &e), 0);
	io_calls = 0;
	EXPECT_EQ(loop_run_once(l, 0, &e), 0);          /* nothing yet */
	EXPECT_EQ(io_calls, 0);
	EXPECT_EQ(write(p[1], "x", 1), 1);
	EXPECT_EQ(loop_run_once(l, 1000 * MS, &e), 0);
	EXPECT_EQ(io_calls, 1);
	loop_io_stop(l, &io);
	EXPECT_EQ(io.fd, -1);
	close(p[0]);
	close(p[1]);
}

/*
 * The bug this guards against: a child between fork and exec holds a
 * copy of a watched fd; the parent closes its own copy; epoll keeps the
 * registration (it belongs to the open file, not the fd) and goes on
 * reporting it, by then for another owner.
 */
static void stopped_io_is_silent_while_a_child_holds_it(struct loop *l)
{
	struct err e = ERR_INIT;
	struct loop_io io;
	int p[2];
	pid_t child;

	EXPECT_EQ(pipe(p), 0);
	loop_io_init(&io, count_io, &io);
	EXPECT_EQ(loop_io_start(l, &io, p[0], &e), 0);
	child = fork();
	if (child == 0) {       /* holds both ends until killed */
		pause();
		_exit(0);
	}
	EXPECT_EQ(write(p[1], "x", 1), 1);
	loop_io_stop(l, &io);
	close(p[0]);
	close(p[1]);
	io_calls = 0;
	EXPECT_EQ(loop_run_once(l, 100 * MS, &e), 0);
	EXPECT_EQ(io_calls, 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* A callback that stops another io whose event is fetched in the same
 * iteration: the stopped one is not called. */
static struct loop *the_loop;
static void stop_other(struct loop_io *io)
{
	io_calls++;
	loop_io_stop(the_loop, io->arg);
}

static void stopping_in_a_callback_drops_fetched_events(struct loop *l)
{
	struct err e = ERR_INIT;
	struct loop_io a, b;
	int p[2], q[2];

	the_loop = l;
	EXPECT_EQ(pipe(p), 0);
	EXPECT_EQ(pipe(q), 0);
	loop_io_init(&a, stop_other, &b);       /* each stops the other */
	loop_io_init(&b, stop_other, &a);
	EXPECT_EQ(loop_io_start(l, &a, p[0], &e), 0);
	EXPECT_EQ(loop_io_start(l, &b, q[0], &e), 0);
	EXPECT_EQ(write(p[1], "x", 1), 1);
	EXPECT_EQ(write(q[1], "x", 1), 1);
	io_calls = 0;
	EXPECT_EQ(loop_run_once(l, 1000 * MS, &e), 0);
	EXPECT_EQ(io_calls, 1);
	loop_io_stop(l, &a);
	loop_io_stop(l, &b);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static int fired[8], nfired;
static void record_timer(struct loop_timer *t)
{
	fired[nfired++] = (int)(intptr_t)t->arg;
}

static void timers_fire_in_order(struct loop *l)
{
	struct loop_timer t[5];
	struct err e = ERR_INIT;
	uint64_t now = io_now_ns();
	static const int at_ms[5] = { 30, 10, 20, 10, 50 };

	nfired = 0;
	for (int i = 0; i < 5; i++) {
		loop_timer_init(&t[i], record_timer, (void *)(intptr_t)i);
		loop_timer_start(l, &t[i], now + at_ms[i] * MS);
	}
	loop_timer_stop(l, &t[4]);                      /* never fires */
	EXPECT_TRUE(!loop_timer_armed(&t[4]));
	loop_timer_start(l, &t[2], now + 40 * MS);      /* moved later */
	while (nfired < 4)
		EXPECT_EQ(loop_run_once(l, UINT64_MAX, &e), 0);
	/* 1 and 3 tie at 10 ms: the one armed first fires first */
	EXPECT_EQ(fired[0], 1);
	EXPECT_EQ(fired[1], 3);
	EXPECT_EQ(fired[2], 0);
	EXPECT_EQ(fired[3], 2);
	EXPECT_TRUE(io_now_ns() >= now + 40 * MS);
	EXPECT_EQ(loop_run_once(l, 60 * MS, &e), 0);
	EXPECT_EQ(nfired, 4);
}

/* Many timers armed, stopped and moved at random fire in time order,
 * each once. */
static uint64_t *fired_at;
static size_t nfired_at;
static void record_at(struct loop_timer *t)
{
	fired_at[nfired_at++] = t->at_ns;
}

static void heap_survives_a_shuffle(struct loop *l)
{
	enum { N = 2000 };
	struct loop_timer *t = calloc(N, sizeof(*t));
	struct err e = ERR_INIT;
	uint64_t base = io_now_ns();
	unsigned seed = 7;
	size_t armed = 0, bad = 0;

	fired_at = calloc(N, sizeof(*fired_at));
	nfired_at = 0;
	for (int i = 0; i < N; i++) {
		loop_timer_init(&t[i], record_at, NULL);
		loop_timer_start(l, &t[i], base + (rand_r(&seed) % 5000) * 1000u);
	}
	for (int i = 0; i < N; i += 3)
		loop_timer_stop(l, &t[i]);
	for (int i = 0; i < N; i += 7)
		loop_timer_start(l, &t[i], base + (rand_r(&seed) % 5000) * 1000u);
	for (int i = 0; i < N; i++)
		armed += loop_timer_armed(&t[i]);
	/* each iteration fires what is due by then: loop for up to 2 s */
	while (nfired_at < armed && io_now_ns() < base + 2000 * MS)
		if (loop_run_once(l, 10 * MS, &e) < 0)
			break;
	EXPECT_EQ(nfired_at, armed);
	for (size_t i = 1; i < nfired_at; i++)
		bad += fired_at[i] < fired_at[i - 1];
	EXPECT_EQ(bad, 0);
	for (int i = 0; i < N; i++)
		bad += loop_timer_armed(&t[i]);
	EXPECT_EQ(bad, 0);
	free(fired_at);
	free(t);
}

static int child_status = -1;
static pid_t child_pid;
static int group_alive;
static void on_child(struct loop_child *c)
{
	child_status = c->status;
	child_pid = c->pid;
	/* still a zombie: the group id cannot have been reused */
	group_alive = kill(c->pid, 0) == 0;
}

static void children_reach_their_owner(struct loop *l)
{
	struct loop_child c;
	struct err e = ERR_INIT;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	loop_child_watch(l, &c, pid, on_child, NULL);
	EXPECT_EQ(loop_children(l), 1);
	for (int i = 0; i < 50 && child_status < 0; i++)
		EXPECT_EQ(loop_run_once(l, 100 * MS, &e), 0);
	EXPECT_TRUE(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 3);
	EXPECT_EQ(child_pid, pid);
	EXPECT_TRUE(group_alive);
	EXPECT_EQ(loop_children(l), 0);
	EXPECT_TRUE(waitpid(pid, NULL, WNOHANG) < 0);         /* reaped */
}

static void unknown_children_are_reaped(struct loop *l)
{
	struct err e = ERR_INIT;
	pid_t pid = fork();

	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	for (int i = 0; i < 20 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		EXPECT_EQ(loop_run_once(l, 50 * MS, &e), 0);
	EXPECT_TRUE(waitpid(pid, NULL, WNOHANG) < 0);
}

static int woken;
static void on_wake(void *arg)
{
	woken++;
}

static void *poke(void *arg)
{
	loop_wakeup(arg);
	loop_wakeup(arg);
	return NULL;
}

static void another_thread_wakes_the_loop(struct loop *l)
{
	struct err e = ERR_INIT;
	pthread_t th;

	loop_on_wakeup(l, on_wake, NULL);
	EXPECT_EQ(pthread_create(&th, NULL, poke, l), 0);
	pthread_join(th, NULL);
	EXPECT_EQ(loop_run_once(l, 5000 * MS, &e), 0);
	EXPECT_EQ(woken, 1);            /* two pokes, one callback */
}

static int got_signal;
static void on_stop(void *arg, int signo)
{
	got_signal = signo;
}

static void stop_signals_become_callbacks(struct loop *l)
{
	struct err e = ERR_INIT;

	loop_on_signal(l, on_stop, NULL);
	kill(getpid(), SIGTERM);
	for (int i = 0; i < 20 && !got_signal; i++)
		EXPECT_EQ(loop_run_once(l, 50 * MS, &e), 0);
	EXPECT_EQ(got_signal, SIGTERM);
}

static struct loop *l;        /* the tests' loop, made in main */

ASSAY_TEST(loop, fd_callbacks_carry_their_arg)
{
	fd_callbacks_carry_their_arg(l);
}

ASSAY_TEST(loop, stopped_io_is_silent_while_a_child_holds_it)
{
	stopped_io_is_silent_while_a_child_holds_it(l);
}

ASSAY_TEST(loop, stopping_in_a_callback_drops_fetched_events)
{
	stopping_in_a_callback_drops_fetched_events(l);
}

ASSAY_TEST(loop, timers_fire_in_order)
{
	timers_fire_in_order(l);
}

ASSAY_TEST(loop, heap_survives_a_shuffle)
{
	heap_survives_a_shuffle(l);
}

ASSAY_TEST(loop, children_reach_their_owner)
{
	children_reach_their_owner(l);
}

ASSAY_TEST(loop, unknown_children_are_reaped)
{
	unknown_children_are_reaped(l);
}

ASSAY_TEST(loop, another_thread_wakes_the_loop)
{
	another_thread_wakes_the_loop(l);
}

ASSAY_TEST(loop, stop_signals_become_callbacks)
{
	stop_signals_become_callbacks(l);
}

int main(int argc, char **argv)
{
	struct err e = ERR_INIT;
	int rc;

	if (loop_new(&l, &e) < 0) {
		fprintf(stderr, "loop_new: %s\n", e.msg);
		return 99;
	}
	rc = assay_main(argc, argv);
	loop_free(l);
	return rc;
}
