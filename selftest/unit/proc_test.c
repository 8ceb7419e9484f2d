/* selftest/unit/proc_test.c - tests harness/proc.c: its state table,
 * and whole processes supervised through the loop. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
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
	CHECK_INT(PROC_RUNNING, p.state);
	proc_dispatch(&p, EV_DEADLINE, 1000 * MS);
	CHECK_INT(PROC_TERM_SENT, p.state);
	CHECK(p.timed_out);
	CHECK_INT(1100 * MS, p.timer.at_ns);
	CHECK_INT(EV_GRACE_OVER, p.timer_ev);
	proc_dispatch(&p, EV_DEADLINE, 1050 * MS); /* empty cell: ignored */
	CHECK_INT(PROC_TERM_SENT, p.state);
	proc_dispatch(&p, EV_GRACE_OVER, 1100 * MS);
	CHECK_INT(PROC_KILL_SENT, p.state);
	CHECK_INT(SIGKILL, p.last_signal);
	CHECK_INT(EV_STUCK, p.timer_ev);
	CHECK(waitpid(p.pid, &status, 0) == p.pid && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGKILL);
	/* pretend it never died: the proc ends without it */
	proc_dispatch(&p, EV_STUCK, 1400 * MS);
	CHECK_INT(PROC_DONE, p.state);
	CHECK_INT(1, dones);
	CHECK(p.abandoned);
	CHECK_HAS(p.note, "after SIGKILL");
	CHECK_INT(ASSAY_TIMED_OUT, p.exit.how);
	CHECK_INT(SIGKILL, p.exit.code);
	CHECK(!loop_timer_armed(&p.timer));
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
	CHECK_INT(PROC_TERM_SENT, p.state);
	CHECK(p.cancelled && !p.timed_out);
	proc_dispatch(&p, EV_CANCEL, 1);        /* already terminating */
	CHECK_INT(PROC_TERM_SENT, p.state);
	proc_dispatch(&p, EV_KILL_NOW, 2);
	CHECK_INT(PROC_KILL_SENT, p.state);
	waitpid(p.pid, NULL, 0);
	p.reaped = true;
	proc_dispatch(&p, EV_EXIT, 3);          /* pipes already closed */
	CHECK_INT(PROC_DONE, p.state);
	CHECK_INT(ASSAY_CANCELLED, p.exit.how);
	p.pid = 0;
	proc_release(&p);
}

static void exit_waits_for_the_pipes(void)
{
	struct proc p;
	int fds[2];
	struct err e = ERR_INIT;

	proc_init(&p, &env, PROC_TEST, &ops, NULL);
	CHECK_INT(0, pipe(fds));
	/* stderr still open: someone holds it */
	CHECK_INT(0, loop_io_start(env.loop, &p.s[1].io, fds[0], &e));
	p.state = PROC_RUNNING;
	p.reaped = true;
	proc_dispatch(&p, EV_EXIT, 5 * MS);
	CHECK_INT(PROC_DRAINING, p.state);
	CHECK_INT(205 * MS, p.timer.at_ns);
	proc_dispatch(&p, EV_DRAIN_OVER, 205 * MS);
	CHECK_INT(PROC_DONE, p.state);
	CHECK_HAS(p.note, "output stayed open");
	CHECK_INT(-1, p.s[1].io.fd);
	CHECK_INT(5 * MS, p.exit.duration_ns + p.start_ns);
	close(fds[1]);
	proc_release(&p);
}

/* Runs the loop until p is done (at most 5 s). */
static void run_until_done(struct proc *p)
{
	struct err e = ERR_INIT;
	uint64_t until = io_now_ns() + 5000 * MS;

	while (p->state != PROC_DONE && io_now_ns() < until)
		CHECK_INT(0, loop_run_once(env.loop, 100 * MS, &e));
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
	CHECK(proc_is_running(&p));
	run_until_done(&p);
	CHECK_INT(1, dones);
	CHECK_INT(ASSAY_EXITED, p.exit.how);
	CHECK_INT(4, p.exit.code);
	CHECK_INT(11, out_bytes);
	CHECK_INT(6, p.exit.out->head_len);
	CHECK(!memcmp(p.exit.err->head, "oops\n", 5));
	CHECK_INT(0, loop_children(env.loop));
	proc_clear(&p);
	CHECK_INT(PROC_IDLE, p.state);
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
	CHECK(p.in_fd >= 0);
	CHECK_INT(12, write(p.in_fd, "to the test\n", 12));
	proc_close_stdin(&p);                   /* EOF: cat ends */
	CHECK_INT(-1, p.in_fd);
	run_until_done(&p);
	CHECK_INT(ASSAY_EXITED, p.exit.how);
	CHECK_INT(0, p.exit.code);
	CHECK_INT(12, p.exit.out->head_len);
	CHECK(!memcmp(p.exit.out->head, "to the test\n", 12));
	proc_release(&p);
}

static void a_deadline_through_the_loop(void)
{
	char *argv[] = { "/bin/sleep", "30", NULL };
	struct proc p;
	uint64_t t0 = io_now_ns();

	start(&p, PROC_TEST, argv, 50 * MS);
	CHECK(p.deadline_ns >= p.start_ns + 50 * MS);   /* from its start */
	proc_set_deadline(&p, t0 + 80 * MS);    /* moved: a new case began */
	run_until_done(&p);
	CHECK_INT(ASSAY_TIMED_OUT, p.exit.how);
	CHECK_INT(SIGTERM, p.exit.code);
	CHECK(p.end_ns >= t0 + 80 * MS);
	CHECK(p.end_ns < t0 + 2000 * MS);
	proc_release(&p);
}

static void a_spawn_failure_ends_at_once(void)
{
	char *argv[] = { "/nonexistent/test", NULL };
	struct proc p;

	dones = 0;
	start(&p, PROC_TEST, argv, 0);
	CHECK_INT(PROC_DONE, p.state);
	CHECK_INT(1, dones);
	CHECK_INT(ASSAY_SPAWN_FAILED, p.exit.how);
	CHECK_INT(ENOENT, p.exit.code);
	proc_clear(&p);
	proc_fail_start(&p, EMFILE, "cannot create its temporary directory");
	CHECK_INT(2, dones);
	CHECK_HAS(p.note, "cannot create its temporary directory: ");
	proc_release(&p);
}

int main(void)
{
	struct err e = ERR_INIT;

	if (loop_new(&env.loop, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 99;
	}
	deadline_then_grace_then_stuck();
	cancel_twice_kills();
	exit_waits_for_the_pipes();
	a_real_process_end_to_end();
	a_process_reads_what_its_owner_writes();
	a_deadline_through_the_loop();
	a_spawn_failure_ends_at_once();
	loop_free(env.loop);
	return check_done();
}
