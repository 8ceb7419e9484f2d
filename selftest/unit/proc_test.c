/* selftest/unit/proc_test.c - tests harness/proc.c: its state table,
 * and whole processes supervised through the loop. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/io.h"
#include "harness/loop.h"
#include "harness/proc.h"

#define MS 1000000u

static struct proc_env env = {
	.grace_ns = 100 * MS, .drain_ns = 200 * MS, .stuck_ns = 300 * MS,
};

static int dones;
static void count_done(struct proc *p)
{
	dones++;
}

static size_t out_bytes;
static void count_output(struct proc *p, int stream, const char *buf,
			 size_t n)
{
	out_bytes += n;
}

static const struct proc_ops ops = { .output = count_output,
				     .done = count_done };

/* A child in its own process group that ignores SIGTERM; returns once
 * the child says it is ready. */
static pid_t stubborn_child(void)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_IGN);
		(void)!write(p[1], "r", 1);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	(void)!read(p[0], &c, 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

static void deadline_then_grace_then_stuck(void)
{
	struct proc p;
	int status;

	proc_init(&p, &env, PROC_TEST, &ops, NULL);
	p.pid = stubborn_child();
	p.state = PROC_RUNNING;
	dones = 0;
	proc_dispatch(&p, EV_EOF, 1000 * MS);   /* output closed: keep going */
	EXPECT_EQ(p.state, PROC_RUNNING);
	proc_dispatch(&p, EV_DEADLINE, 1000 * MS);
	EXPECT_EQ(p.state, PROC_TERM_SENT);
	EXPECT_TRUE(p.timed_out);
	EXPECT_EQ(p.timer.at_ns, 1100 * MS);
	EXPECT_EQ(p.timer_ev, EV_GRACE_OVER);
	proc_dispatch(&p, EV_DEADLINE, 1050 * MS); /* empty cell: ignored */
	EXPECT_EQ(p.state, PROC_TERM_SENT);
	proc_dispatch(&p, EV_GRACE_OVER, 1100 * MS);
	EXPECT_EQ(p.state, PROC_KILL_SENT);
	EXPECT_EQ(p.last_signal, SIGKILL);
	EXPECT_EQ(p.timer_ev, EV_STUCK);
	EXPECT_TRUE(waitpid(p.pid, &status, 0) == p.pid && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGKILL);
	/* pretend it never died: the proc ends without it */
	proc_dispatch(&p, EV_STUCK, 1400 * MS);
	EXPECT_EQ(p.state, PROC_DONE);
	EXPECT_EQ(dones, 1);
	EXPECT_TRUE(p.abandoned);
	EXPECT_CONTAINS(p.note, "after SIGKILL");
	EXPECT_EQ(p.exit.how, ASSAY_TIMED_OUT);
	EXPECT_EQ(p.exit.code, SIGKILL);
	EXPECT_TRUE(!loop_timer_armed(&p.timer));
	p.pid = 0;
	proc_release(&p);
}

static void cancel_twice_kills(void)
{
	struct proc p;

	proc_init(&p, &env, PROC_HELPER, &ops, NULL);
	p.pid = stubborn_child();
	p.state = PROC_RUNNING;
	proc_dispatch(&p, EV_CANCEL, 0);
	EXPECT_EQ(p.state, PROC_TERM_SENT);
	EXPECT_TRUE(p.cancelled && !p.timed_out);
	proc_dispatch(&p, EV_CANCEL, 1);        /* already terminating */
	EXPECT_EQ(p.state, PROC_TERM_SENT);
	proc_dispatch(&p, EV_KILL_NOW, 2);
	EXPECT_EQ(p.state, PROC_KILL_SENT);
	waitpid(p.pid, NULL, 0);
	p.reaped = true;
	proc_dispatch(&p, EV_EXIT, 3);          /* pipes already closed */
	EXPECT_EQ(p.state, PROC_DONE);
	EXPECT_EQ(p.exit.how, ASSAY_CANCELLED);
	p.pid = 0;
	proc_release(&p);
}

static void exit_waits_for_the_pipes(void)
{
	struct proc p;
	int fds[2];
	struct err e = ERR_INIT;

	proc_init(&p, &env, PROC_TEST, &ops, NULL);
	EXPECT_EQ(pipe(fds), 0);
	/* stderr still open: someone holds it */
	EXPECT_EQ(loop_io_start(env.loop, &p.s[1].io, fds[0], &e), 0);
	p.state = PROC_RUNNING;
	p.reaped = true;
	proc_dispatch(&p, EV_EXIT, 5 * MS);
	EXPECT_EQ(p.state, PROC_DRAINING);
	EXPECT_EQ(p.timer.at_ns, 205 * MS);
	proc_dispatch(&p, EV_DRAIN_OVER, 205 * MS);
	EXPECT_EQ(p.state, PROC_DONE);
	EXPECT_CONTAINS(p.note, "output stayed open");
	EXPECT_EQ(p.s[1].io.fd, -1);
	EXPECT_EQ(p.exit.duration_ns + p.start_ns, 5 * MS);
	close(fds[1]);
	proc_release(&p);
}

/* Runs the loop until p is done (at most 5 s). */
static void run_until_done(struct proc *p)
{
	struct err e = ERR_INIT;
	uint64_t until = io_now_ns() + 5000 * MS;

	while (p->state != PROC_DONE && io_now_ns() < until)
		EXPECT_EQ(loop_run_once(env.loop, 100 * MS, &e), 0);
}

/* Starts argv (empty environment) on p, prepared as sort, with a
 * timeout from its start (0: none). */
static void start(struct proc *p, enum proc_sort sort, char **argv,
		  uint64_t timeout_ns)
{
	static char *envp[] = { NULL };
	struct spawn_opts so = SPAWN_OPTS_INIT;

	so.path = argv[0];
	so.argv = argv;
	so.envp = envp;
	proc_init(p, &env, sort, &ops, NULL);
	proc_start(p, &so, timeout_ns);
}

static void a_real_process_end_to_end(void)
{
	char *argv[] = { "/bin/sh", "-c", "echo hello; echo oops >&2; exit 4",
			 NULL };
	struct proc p;

	dones = 0;
	out_bytes = 0;
	start(&p, PROC_HELPER, argv, 0);
	EXPECT_TRUE(proc_is_running(&p));
	run_until_done(&p);
	EXPECT_EQ(dones, 1);
	EXPECT_EQ(p.exit.how, ASSAY_EXITED);
	EXPECT_EQ(p.exit.code, 4);
	EXPECT_EQ(out_bytes, 11);
	EXPECT_EQ(p.exit.out->head_len, 6);
	EXPECT_TRUE(!memcmp(p.exit.err->head, "oops\n", 5));
	EXPECT_EQ(loop_children(env.loop), 0);
	proc_clear(&p);
	EXPECT_EQ(p.state, PROC_IDLE);
	proc_release(&p);
}

/* A helper fed through its stdin pipe, as a worker will be. */
static void a_process_reads_what_its_owner_writes(void)
{
	char *argv[] = { "/bin/cat", NULL };
	static char *envp[] = { NULL };
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct proc p;

	so.path = argv[0];
	so.argv = argv;
	so.envp = envp;
	proc_init(&p, &env, PROC_HELPER, &ops, NULL);
	p.want_stdin = true;
	proc_start(&p, &so, 0);
	EXPECT_TRUE(p.in_fd >= 0);
	EXPECT_EQ(write(p.in_fd, "to the test\n", 12), 12);
	proc_close_stdin(&p);                   /* EOF: cat ends */
	EXPECT_EQ(p.in_fd, -1);
	run_until_done(&p);
	EXPECT_EQ(p.exit.how, ASSAY_EXITED);
	EXPECT_EQ(p.exit.code, 0);
	EXPECT_EQ(p.exit.out->head_len, 12);
	EXPECT_TRUE(!memcmp(p.exit.out->head, "to the test\n", 12));
	proc_release(&p);
}

static void a_deadline_through_the_loop(void)
{
	char *argv[] = { "/bin/sleep", "30", NULL };
	struct proc p;
	uint64_t t0 = io_now_ns();

	start(&p, PROC_TEST, argv, 50 * MS);
	EXPECT_TRUE(p.deadline_ns >= p.start_ns + 50 * MS);   /* from its start */
	proc_set_deadline(&p, io_now_ns() + 80 * MS, 80 * MS);  /* moved: a new case began */
	run_until_done(&p);
	EXPECT_EQ(p.exit.how, ASSAY_TIMED_OUT);
	EXPECT_EQ(p.exit.code, SIGTERM);
	EXPECT_NEAR(p.exit.timeout_s, 0.08, 1e-9);      /* the timeout that passed */
	EXPECT_TRUE(p.end_ns >= t0 + 80 * MS);
	EXPECT_TRUE(p.end_ns < t0 + 2000 * MS);
	proc_release(&p);
}

static void a_spawn_failure_ends_at_once(void)
{
	char *argv[] = { "/nonexistent/test", NULL };
	struct proc p;

	dones = 0;
	start(&p, PROC_TEST, argv, 0);
	EXPECT_EQ(p.state, PROC_DONE);
	EXPECT_EQ(dones, 1);
	EXPECT_EQ(p.exit.how, ASSAY_SPAWN_FAILED);
	EXPECT_EQ(p.exit.code, ENOENT);
	proc_clear(&p);
	proc_fail_start(&p, EMFILE, "cannot create its temporary directory");
	EXPECT_EQ(dones, 2);
	EXPECT_CONTAINS(p.note, "cannot create its temporary directory: ");
	proc_release(&p);
}

ASSAY_TEST(proc, deadline_then_grace_then_stuck)
{
	deadline_then_grace_then_stuck();
}

ASSAY_TEST(proc, cancel_twice_kills)
{
	cancel_twice_kills();
}

ASSAY_TEST(proc, exit_waits_for_the_pipes)
{
	exit_waits_for_the_pipes();
}

ASSAY_TEST(proc, a_real_process_end_to_end)
{
	a_real_process_end_to_end();
}

ASSAY_TEST(proc, a_process_reads_what_its_owner_writes)
{
	a_process_reads_what_its_owner_writes();
}

ASSAY_TEST(proc, a_deadline_through_the_loop)
{
	a_deadline_through_the_loop();
}

ASSAY_TEST(proc, a_spawn_failure_ends_at_once)
{
	a_spawn_failure_ends_at_once();
}

int main(int argc, char **argv)
{
	int rc;
	struct err e = ERR_INIT;

	if (loop_new(&env.loop, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 99;
	}
	rc = assay_main(argc, argv);

	loop_free(env.loop);
	return rc;
}
