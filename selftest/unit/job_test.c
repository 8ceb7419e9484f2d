/* selftest/unit/job_test.c - tests the state table of harness/job.c. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "harness/job.h"
#include "harness/loop.h"

#define MS 1000000u

static struct job_env env = {
	.grace_ns = 100 * MS, .drain_ns = 200 * MS, .stuck_ns = 300 * MS,
};

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
	struct job j;
	int status;

	job_init(&j, &env, 0);
	j.pid = stubborn_child();
	j.state = JOB_RUNNING;
	job_dispatch(&j, EV_EOF, 1000 * MS);    /* output closed: keep going */
	CHECK_INT(JOB_RUNNING, j.state);
	job_dispatch(&j, EV_DEADLINE, 1000 * MS);
	CHECK_INT(JOB_TERM_SENT, j.state);
	CHECK(j.timed_out);
	CHECK_INT(1100 * MS, j.timer_ns);
	CHECK_INT(EV_GRACE_OVER, j.timer_ev);
	job_dispatch(&j, EV_DEADLINE, 1050 * MS); /* empty cell: ignored */
	CHECK_INT(JOB_TERM_SENT, j.state);
	job_dispatch(&j, EV_GRACE_OVER, 1100 * MS);
	CHECK_INT(JOB_KILL_SENT, j.state);
	CHECK_INT(SIGKILL, j.last_signal);
	CHECK_INT(EV_STUCK, j.timer_ev);
	CHECK(waitpid(j.pid, &status, 0) == j.pid && WIFSIGNALED(status) &&
	      WTERMSIG(status) == SIGKILL);
	/* pretend it never died: the job ends without it */
	job_dispatch(&j, EV_STUCK, 1400 * MS);
	CHECK_INT(JOB_DONE, j.state);
	CHECK(j.abandoned);
	CHECK_HAS(j.note, "after SIGKILL");
	CHECK_INT(ASSAY_TIMED_OUT, j.exit.how);
	CHECK_INT(SIGKILL, j.exit.code);
	j.pid = 0;
	job_release(&j);
}

static void cancel_twice_kills(void)
{
	struct job j;

	job_init(&j, &env, 1);
	j.pid = stubborn_child();
	j.state = JOB_RUNNING;
	job_dispatch(&j, EV_CANCEL, 0);
	CHECK_INT(JOB_TERM_SENT, j.state);
	CHECK(j.cancelled && !j.timed_out);
	job_dispatch(&j, EV_CANCEL, 1);         /* already terminating */
	CHECK_INT(JOB_TERM_SENT, j.state);
	job_dispatch(&j, EV_KILL_NOW, 2);
	CHECK_INT(JOB_KILL_SENT, j.state);
	waitpid(j.pid, NULL, 0);
	j.reaped = true;
	job_dispatch(&j, EV_EXIT, 3);           /* pipes already closed */
	CHECK_INT(JOB_DONE, j.state);
	CHECK_INT(ASSAY_CANCELLED, j.exit.how);
	j.pid = 0;
	job_release(&j);
}

static void exit_waits_for_the_pipes(void)
{
	struct job j;
	int p[2];

	job_init(&j, &env, 0);
	CHECK_INT(0, pipe(p));
	j.fd[0] = -1;
	j.fd[1] = p[0];         /* stderr still open: someone holds it */
	j.state = JOB_RUNNING;
	j.reaped = true;
	job_dispatch(&j, EV_EXIT, 5 * MS);
	CHECK_INT(JOB_DRAINING, j.state);
	CHECK_INT(205 * MS, j.timer_ns);
	job_dispatch(&j, EV_DRAIN_OVER, 205 * MS);
	CHECK_INT(JOB_DONE, j.state);
	CHECK_HAS(j.note, "output stayed open");
	CHECK_INT(-1, j.fd[1]);
	CHECK_INT(5 * MS, j.exit.duration_ns + j.start_ns);
	close(p[1]);
	job_release(&j);
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
	loop_free(env.loop);
	return check_done();
}
