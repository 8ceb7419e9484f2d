/* job.c - see job.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "job.h"
#include "loop.h"
#include "scratch.h"
#include "spawn.h"
#include "table.h"
#include "xalloc.h"

#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 16     /* then let other jobs have a turn */

void job_init(struct job *j, const struct job_env *env, unsigned slot)
{
	memset(j, 0, sizeof(*j));
	j->env = env;
	j->slot = slot;
	j->fd[0] = j->fd[1] = -1;
	capture_init(&j->cap[0]);
	capture_init(&j->cap[1]);
	log_stream_init(&j->log[0]);
	log_stream_init(&j->log[1]);
	for (int i = 0; i < 2; i++)
		j->tag[i] = (struct job_stream){ j, i + 1 };
}

void job_release(struct job *j)
{
	job_clear(j);
	capture_release(&j->cap[0]);
	capture_release(&j->cap[1]);
}

static void close_stream(struct job *j, int i)
{
	if (j->fd[i] < 0)
		return;
	loop_unwatch(j->env->loop, j->fd[i]);
	close(j->fd[i]);
	j->fd[i] = -1;
}

static bool pipes_closed(const struct job *j)
{
	return j->fd[0] < 0 && j->fd[1] < 0;
}

/* ---- actions of the state table ---- */

static void set_timer(struct job *j, uint64_t at, enum job_event ev)
{
	j->timer_ns = at;
	j->timer_ev = ev;
}

/* Signals the test's process group, and the test itself in case it
 * moved to another group. A stopped process only acts on SIGTERM once
 * continued. Never after the reap: until then the zombie pins its pid
 * and group id, so neither can name another process. */
static void signal_group(struct job *j, int sig)
{
	j->last_signal = sig;
	if (j->reaped)
		return;
	(void)kill(-j->pid, sig);
	(void)kill(j->pid, sig);
	if (sig == SIGTERM) {
		(void)kill(-j->pid, SIGCONT);
		(void)kill(j->pid, SIGCONT);
	}
}

static void send_term(struct job *j, uint64_t now)
{
	signal_group(j, SIGTERM);
	j->state = JOB_TERM_SENT;
	set_timer(j, now + j->env->grace_ns, EV_GRACE_OVER);
}

static void on_deadline(struct job *j, uint64_t now)
{
	j->timed_out = true;
	send_term(j, now);
}

static void on_cancel(struct job *j, uint64_t now)
{
	j->cancelled = true;
	send_term(j, now);
}

static void kill_group(struct job *j, uint64_t now)
{
	if (j->state == JOB_RUNNING)
		j->cancelled = true;
	signal_group(j, SIGKILL);
	j->state = JOB_KILL_SENT;
	set_timer(j, now + j->env->stuck_ns, EV_STUCK);
}

static void fill_exit(struct job *j)
{
	struct assay_exit *x = &j->exit;
	int st = j->wait_status;

	x->struct_size = sizeof(*x);
	x->duration_ns = j->end_ns - j->start_ns;
	capture_view(&j->cap[0], &j->out_view);
	capture_view(&j->cap[1], &j->err_view);
	j->out_view.path = j->err_view.path = NULL;     /* set when settled */
	x->out = &j->out_view;
	x->err = &j->err_view;
	if (j->spawn_errno) {
		x->how = ASSAY_SPAWN_FAILED;
		x->code = j->spawn_errno;
	} else if (j->timed_out || j->cancelled) {
		x->how = j->timed_out ? ASSAY_TIMED_OUT : ASSAY_CANCELLED;
		x->code = WIFSIGNALED(st) ? WTERMSIG(st) : j->last_signal;
	} else if (WIFSIGNALED(st)) {
		x->how = ASSAY_SIGNALED;
		x->code = WTERMSIG(st);
	} else {
		x->how = ASSAY_EXITED;
		x->code = WEXITSTATUS(st);
	}
}

static void finish(struct job *j, uint64_t now)
{
	close_stream(j, 0);
	close_stream(j, 1);
	set_timer(j, 0, EV_NONE);
	j->state = JOB_DONE;
	fill_exit(j);
}

static void on_exit_(struct job *j, uint64_t now)
{
	j->end_ns = now;
	if (pipes_closed(j)) {
		finish(j, now);
		return;
	}
	j->state = JOB_DRAINING;
	set_timer(j, now + j->env->drain_ns, EV_DRAIN_OVER);
}

static void on_eof(struct job *j, uint64_t now)
{
	if (j->state == JOB_DRAINING)
		finish(j, now);
	/* else: the process closed its output but lives on; wait for it */
}

static void on_drain_over(struct job *j, uint64_t now)
{
	size_t n = strlen(j->note);

	snprintf(j->note + n, sizeof(j->note) - n,
		 "%sits output stayed open after it exited (a process outside its group holds it)",
		 n ? "; " : "");
	finish(j, now);
}

/* Alive after SIGKILL: in uninterruptible sleep. Waiting could take
 * forever, so the job ends here; the runner reaps the process as an
 * orphan if it ever exits. */
static void on_stuck(struct job *j, uint64_t now)
{
	snprintf(j->note, sizeof(j->note),
		 "still alive %.0fs after SIGKILL (stuck in the kernel?); assay stopped waiting for it",
		 j->env->stuck_ns / 1e9);
	j->abandoned = true;
	j->end_ns = now;
	finish(j, now);
}

typedef void job_action(struct job *j, uint64_t now);

/* An empty cell: the event means nothing in that state. */
static job_action *const job_table[JOB_NSTATES][JOB_NEVENTS] = {
	[JOB_RUNNING] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			  [EV_DEADLINE] = on_deadline, [EV_CANCEL] = on_cancel,
			  [EV_KILL_NOW] = kill_group },
	[JOB_TERM_SENT] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			    [EV_GRACE_OVER] = kill_group,
			    [EV_KILL_NOW] = kill_group },
	[JOB_KILL_SENT] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			    [EV_STUCK] = on_stuck },
	[JOB_DRAINING] = { [EV_EOF] = on_eof, [EV_DRAIN_OVER] = on_drain_over },
};

void job_dispatch(struct job *j, enum job_event ev, uint64_t now)
{
	job_action *a = job_table[j->state][ev];

	if (a)
		a(j, now);
}

/* ---- starting ---- */

static char **build_env(const struct job *j)
{
	const struct job_env *env = j->env;
	char **v = xmalloc((env->base_len + 5) * sizeof(*v));
	size_t n = env->base_len;

	memcpy(v, env->base_env, n * sizeof(*v));
	v[n++] = xasprintf("ASSAY_TEST_ID=%s", j->test->pub.id);
	v[n++] = xasprintf("ASSAY_WORKER=%u", j->slot);
	v[n++] = xasprintf("ASSAY_TMPDIR=%s", j->tmpdir);
	v[n++] = xasprintf("TMPDIR=%s", j->tmpdir);
	v[n] = NULL;
	return v;
}

static void fail_start(struct job *j, int errnum, const char *what, uint64_t now)
{
	j->spawn_errno = errnum ? errnum : EIO;
	if (what)               /* the kind names exec failures itself */
		snprintf(j->note, sizeof(j->note), "%s: %s", what,
			 strerror(j->spawn_errno));
	j->end_ns = now;
	finish(j, now);
}

/* Opens both pipes; the write ends go to the child. */
static int open_pipes(struct job *j, int wr[2])
{
	int p[2];

	for (int i = 0; i < 2; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		j->fd[i] = p[0];
		wr[i] = p[1];
		/* a new pipe's read end has no other status flags to keep,
		 * and the write end must stay blocking for the child */
		if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0)
			return -1;
	}
	return 0;
}

static int launch(struct job *j, int wr[2], const char **what)
{
	char *argv[] = { (char *)j->test->pub.path, NULL };
	struct spawn_opts so = { j->test->pub.path, argv, j->envp, -1, -1 };
	const struct assay_kind *k = j->test->kind;

	*what = "cannot create pipes for its output";
	if (open_pipes(j, wr) < 0)
		return errno;
	so.out_fd = wr[0];
	so.err_fd = wr[1];
	*what = "the kind refused to start it";
	if (k->job_begin && k->job_begin(&j->kind_state, &j->test->pub) < 0)
		return EINVAL;
	*what = NULL;
	if (spawn_start(&j->pid, &so, &j->spawn_errno, NULL) < 0)
		return j->spawn_errno ? j->spawn_errno : errno;
	*what = "cannot watch its output";
	for (int i = 0; i < 2; i++)
		if (loop_watch(j->env->loop, j->fd[i], &j->tag[i], NULL) < 0)
			return errno;
	return 0;
}

void job_start(struct job *j, struct test *t)
{
	uint64_t now = io_now_ns();
	int wr[2] = { -1, -1 }, rc;
	const char *what = "cannot create its temporary directory";

	j->test = t;
	j->start_ns = now;
	j->note[0] = 0;
	capture_reset(&j->cap[0]);
	capture_reset(&j->cap[1]);
	if (scratch_job_dir(j->env->scratch, &j->tmpdir, NULL) < 0) {
		fail_start(j, errno, what, now);
		return;
	}
	j->envp = build_env(j);
	rc = launch(j, wr, &what);
	for (int i = 0; i < 2; i++)
		if (wr[i] >= 0)
			close(wr[i]);
	if (rc) {
		if (j->pid > 0) {       /* started but not watched: stop it */
			(void)kill(-j->pid, SIGKILL);
			(void)waitpid(j->pid, NULL, 0);
		}
		fail_start(j, rc, what, now);
		return;
	}
	j->state = JOB_RUNNING;
	if (t->pub.timeout_s > 0)
		set_timer(j, now + (uint64_t)(t->pub.timeout_s * 1e9), EV_DEADLINE);
}

/* ---- running ---- */

void job_read(struct job_stream *s, uint64_t now)
{
	struct job *j = s->job;
	const struct assay_kind *k = j->test->kind;
	int i = s->stream - 1;
	char buf[READ_CHUNK];

	for (int n = 0; n < READS_PER_WAKEUP && j->fd[i] >= 0; n++) {
		ssize_t r = io_read(j->fd[i], buf, sizeof(buf));
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {           /* EOF, or an error: same for us */
			close_stream(j, i);
			if (pipes_closed(j))
				job_dispatch(j, EV_EOF, now);
			return;
		}
		logs_spill(j->env->logs, &j->log[i], &j->cap[i], buf, (size_t)r);
		capture_add(&j->cap[i], buf, (size_t)r);
		if (k->job_output)
			k->job_output(j->kind_state, s->stream, buf, (size_t)r,
				      &j->ctx);
	}
}

void job_reap(struct job *j, uint64_t now)
{
	/* The process has exited, so its own ends of the pipes are closed:
	 * once drained, a pipe still open is held by something it left
	 * behind. Kill its whole group now, while the unreaped zombie keeps
	 * the group id from being reused. */
	for (int i = 0; i < 2; i++)
		job_read(&j->tag[i], now);
	if (!pipes_closed(j) && !j->timed_out && !j->cancelled)
		snprintf(j->note, sizeof(j->note),
			 "left processes behind that hold its output open; assay killed its process group");
	(void)kill(-j->pid, SIGKILL);
	while (waitpid(j->pid, &j->wait_status, 0) < 0 && errno == EINTR)
		;
	j->reaped = true;
	job_dispatch(j, EV_EXIT, now);
}

void job_clear(struct job *j)
{
	scratch_discard(j->env->scratch, j->tmpdir);
	if (j->envp)
		for (size_t i = j->env->base_len; j->envp[i]; i++)
			free(j->envp[i]);
	free(j->envp);
	close_stream(j, 0);
	close_stream(j, 1);
	log_stream_clear(&j->log[0]);
	log_stream_clear(&j->log[1]);
	j->tmpdir = NULL;
	j->envp = NULL;
	j->kind_state = NULL;
	j->test = NULL;
	j->pid = 0;
	j->state = JOB_IDLE;
	j->timed_out = j->cancelled = j->reaped = j->abandoned = false;
	j->spawn_errno = j->last_signal = j->wait_status = 0;
	j->verdicts = 0;
	j->failed = j->logs_settled = false;
	j->timer_ns = 0;
	j->timer_ev = EV_NONE;
	memset(&j->exit, 0, sizeof(j->exit));
}
