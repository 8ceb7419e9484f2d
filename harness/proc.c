/* proc.c - see proc.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "look.h"
#include "proc.h"
#include "procfs.h"
#include "xalloc.h"
#include "watchdog.h"

#define READ_CHUNK (64 * 1024)
#define READS_PER_WAKEUP 16     /* then let other procs have a turn */
#define STDIN_PIPE_BYTES (1 << 20)      /* a worker's batches: room for one */
#define SEND_WAIT_MS 1000       /* a worker taking none of a batch */

static void on_readable(struct loop_io *io);
static void on_timer(struct loop_timer *t);
static void on_child_exit(struct loop_child *c);

void proc_init(struct proc *p, const struct proc_env *env,
	       enum proc_sort sort, const struct proc_ops *ops, void *owner)
{
	memset(p, 0, sizeof(*p));
	p->env = env;
	p->sort = sort;
	p->ops = ops;
	p->owner = owner;
	capture_init(&p->cap[0]);
	capture_init(&p->cap[1]);
	log_stream_init(&p->log[0]);
	log_stream_init(&p->log[1]);
	for (int i = 0; i < 2; i++) {
		p->s[i] = (struct proc_stream){ .proc = p, .stream = i + 1 };
		loop_io_init(&p->s[i].io, on_readable, &p->s[i]);
	}
	loop_timer_init(&p->timer, on_timer, p);
	p->in_fd = -1;
}

void proc_release(struct proc *p)
{
	proc_clear(p);
	free(p->look);
	p->look = NULL;
	if (p->bt) {            /* a debugger still running is forgotten */
		proc_release(p->bt);
		free(p->bt);
		p->bt = NULL;
	}
	capture_release(&p->cap[0]);
	capture_release(&p->cap[1]);
}

static void close_stream(struct proc *p, int i)
{
	int fd = p->s[i].io.fd;

	if (fd < 0)
		return;
	loop_io_stop(p->env->loop, &p->s[i].io);
	close(fd);
}

static bool pipes_closed(const struct proc *p)
{
	return p->s[0].io.fd < 0 && p->s[1].io.fd < 0;
}

bool proc_is_running(const struct proc *p)
{
	return p->state != PROC_IDLE && p->state != PROC_DONE;
}

/* ---- actions of the state table ---- */

static void set_timer(struct proc *p, uint64_t at, enum proc_event ev)
{
	p->timer_ev = ev;
	if (at)
		loop_timer_start(p->env->loop, &p->timer, at);
	else
		loop_timer_stop(p->env->loop, &p->timer);
}

/* The debugger of a look that is over (the test exited, or is killed):
 * stopped, so it attaches to nothing that takes a freed pid. */
static void bt_stop(struct proc *p, uint64_t now)
{
	if (p->bt && proc_is_running(p->bt))
		proc_dispatch(p->bt, EV_KILL_NOW, now);
}

/* Signals the process group, and the process itself in case it moved to
 * another group. A stopped process only acts on SIGTERM once continued.
 * Never after the reap: until then the zombie pins its pid and group id,
 * so neither can name another process. */
static void signal_group(struct proc *p, int sig)
{
	p->last_signal = sig;
	if (p->reaped)
		return;
	(void)kill(-p->pid, sig);
	(void)kill(p->pid, sig);
	if (sig == SIGTERM) {
		(void)kill(-p->pid, SIGCONT);
		(void)kill(p->pid, SIGCONT);
	}
}

static void send_term(struct proc *p, uint64_t now)
{
	signal_group(p, SIGTERM);
	p->state = PROC_TERM_SENT;
	set_timer(p, now + p->env->grace_ns, EV_GRACE_OVER);
}

/* When a running proc must be woken: its deadline, or for a test under
 * --idle-timeout, the end of its silence so far; 0: never. */
static uint64_t wake_at(const struct proc *p)
{
	uint64_t idle = p->sort == PROC_TEST && p->env->idle_ns ?
			p->last_out_ns + p->env->idle_ns : 0;

	if (!idle || (p->deadline_ns && p->deadline_ns < idle))
		return p->deadline_ns;
	return idle;
}

static void arm(struct proc *p)
{
	uint64_t at = wake_at(p);

	set_timer(p, at, at ? EV_DEADLINE : EV_NONE);
}

/* A test at its deadline (or silent too long) is looked at before any
 * signal: the first sample now, the second when EV_LOOKED comes. */
static void on_deadline(struct proc *p, uint64_t now)
{
	if (now < wake_at(p)) {         /* it spoke since: not silent */
		arm(p);
		return;
	}
	p->idle = !(p->deadline_ns && now >= p->deadline_ns);
	p->timed_out = true;
	if (p->sort != PROC_TEST || !p->env->look_ns) {
		send_term(p, now);
		return;
	}
	if (!p->look)
		p->look = xmalloc(sizeof(*p->look));
	p->look_gen++;
	look_begin(p->look, p->pid, now);
	p->state = PROC_LOOKING;
	set_timer(p, now + p->env->look_ns, EV_LOOKED);
}

/* ---- backtraces: the debugger, one helper proc per process traced ---- */

#define BT_PROCS_MAX 4          /* processes of one test traced */
#define BT_AT_ONCE 2            /* debuggers at once, all tests: each is
                                 * a CPU's worth for a while */
#define BT_TEXT_MAX (16 * 1024) /* of one process's backtraces */

static void bt_done(struct proc *bt);
static const struct proc_ops bt_ops = { .done = bt_done };

/* Appends "\n" and text to p->look_report. */
static void report_add(struct proc *p, const char *text)
{
	char *s = xasprintf("%s%s", p->look_report ? p->look_report : "", text);

	free(p->look_report);
	p->look_report = s;
}

/* Starts the debugger on the next process to trace; false when there
 * is none (or no time left), and the look is over. */
static bool bt_next(struct proc *p, uint64_t now)
{
	unsigned long long start = 0;
	pid_t pid = p->bt_next < BT_PROCS_MAX ?
		    look_pid(p->look, p->bt_next, &start) : 0;
	char pidbuf[24];
	char *argv[] = {
		(char *)p->env->debugger, "--batch", "--nx", "-p", pidbuf,
		"-ex", "set pagination off", "-ex", "set width 0",
		"-ex", "thread apply all bt 24", NULL
	};
	struct spawn_opts so = SPAWN_OPTS_INIT;

	if (!pid || now >= p->bt_until || proc_is_running(p->bt))
		return false;
	if (!look_same(pid, start)) {   /* gone since: not its pid's next owner */
		p->bt_next++;
		return bt_next(p, now);
	}
	if (p->env->debuggers && *p->env->debuggers >= BT_AT_ONCE) {
		char *why = xasprintf("no backtraces: other hung tests' were being taken (at most %d at once)\n",
				      BT_AT_ONCE);

		report_add(p, why);
		free(why);
		return false;
	}
	p->bt_next++;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	so.path = p->env->debugger;
	so.argv = argv;
	so.envp = p->env->base_env;
	so.pdeathsig = SIGKILL;
	p->bt_pid = pid;
	p->bt_gen = p->look_gen;
	if (p->env->debuggers)
		++*p->env->debuggers;
	/* if it cannot start, bt_done has already gone on from here */
	proc_start(p->bt, &so, p->bt_until - now);
	return true;
}

/* What the debugger printed of one process: its "Thread" and "#N"
 * lines (the rest is gdb talking about itself), bounded. */
static void bt_collect(struct proc *p, struct proc *bt)
{
	const struct assay_output *o = bt->exit.out;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char *all;

	if (!f)
		return;
	all = xasprintf("%.*s%s%.*s", (int)o->head_len, o->head,
			o->total > o->head_len + o->tail_len ? "\n" : "",
			(int)(o->total > o->head_len ? o->tail_len : 0), o->tail);
	fprintf(f, "backtraces of process %d (gdb):\n", (int)p->bt_pid);
	if (bt->exit.how == ASSAY_SPAWN_FAILED)
		fprintf(f, "  (gdb could not start: %s)\n",
			bt->note[0] ? bt->note : strerror(bt->exit.code));
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		/* and why it could not attach, when it could not */
		if ((!strncmp(line, "Thread ", 7) || line[0] == '#' ||
		     !strncmp(line, "ptrace:", 7) ||
		     !strncmp(line, "Could not attach", 16)) && ftell(f) < BT_TEXT_MAX)
			fprintf(f, "  %s\n", line);
	if (bt->exit.how == ASSAY_TIMED_OUT)
		fprintf(f, "  (gdb did not finish in time: stopped)\n");
	free(all);
	if (fclose(f) == 0 && text)
		report_add(p, text);
	free(text);
}

static void bt_done(struct proc *bt)
{
	struct proc *p = bt->owner;

	if (p->env->debuggers && *p->env->debuggers)
		--*p->env->debuggers;
	if (p->state == PROC_LOOKING && p->bt_gen == p->look_gen) {
		bt_collect(p, bt);
		proc_clear(bt);
		proc_dispatch(p, EV_TRACED, io_now_ns());
	} else {                /* an earlier look's, ended since */
		proc_clear(bt);
	}
}

static void on_looked(struct proc *p, uint64_t now)
{
	look_end(p->look, now);
	free(p->look_report);
	p->look_report = look_report(p->look);
	if (p->env->no_debugger)
		report_add(p, p->env->no_debugger);
	if (p->env->debugger && p->look->n) {
		if (!p->bt) {
			p->bt = xmalloc(sizeof(*p->bt));
			proc_init(p->bt, p->env, PROC_HELPER, &bt_ops, p);
		}
		p->bt_next = 0;
		p->bt_until = now + p->env->backtrace_ns;
		set_timer(p, 0, EV_NONE);
		if (bt_next(p, now))
			return;
	}
	send_term(p, now);
}

/* One process traced: the next, or the kill ladder. */
static void on_traced(struct proc *p, uint64_t now)
{
	if (!bt_next(p, now))
		send_term(p, now);
}

/* A stop while the debugger runs: it is stopped too. */
static void look_cancel(struct proc *p, uint64_t now)
{
	bt_stop(p, now);
	send_term(p, now);
}

/* A flood while it is looked at: as at any other time. */
static void look_flood(struct proc *p, uint64_t now)
{
	p->flooded = true;
	look_cancel(p, now);
}

/* Printed past --max-output: stopped as at a deadline, without a look
 * (it is busy printing, not hung). */
static void on_flood(struct proc *p, uint64_t now)
{
	p->flooded = true;
	send_term(p, now);
}

static void on_cancel(struct proc *p, uint64_t now)
{
	p->cancelled = true;
	send_term(p, now);
}

static void kill_group(struct proc *p, uint64_t now)
{
	bt_stop(p, now);
	if (p->state == PROC_RUNNING)
		p->cancelled = true;
	signal_group(p, SIGKILL);
	p->state = PROC_KILL_SENT;
	set_timer(p, now + p->env->stuck_ns, EV_STUCK);
}

static void fill_exit(struct proc *p)
{
	struct assay_exit *x = &p->exit;
	int st = p->wait_status;

	x->struct_size = sizeof(*x);
	x->duration_ns = p->end_ns - p->start_ns;
	capture_view(&p->cap[0], &p->out_view);
	capture_view(&p->cap[1], &p->err_view);
	p->out_view.path = p->err_view.path = NULL;     /* set when settled */
	x->out = &p->out_view;
	x->err = &p->err_view;
	if (p->spawn_errno) {
		x->how = ASSAY_SPAWN_FAILED;
		x->code = p->spawn_errno;
	} else if (p->timed_out || p->cancelled) {
		x->how = p->timed_out ? ASSAY_TIMED_OUT : ASSAY_CANCELLED;
		x->timeout_s = p->timeout_ns / 1e9;
		x->code = WIFSIGNALED(st) ? WTERMSIG(st) : p->last_signal;
	} else if (WIFSIGNALED(st)) {
		x->how = ASSAY_SIGNALED;
		x->code = WTERMSIG(st);
	} else {
		x->how = ASSAY_EXITED;
		x->code = WEXITSTATUS(st);
	}
}

static void finish(struct proc *p, uint64_t now)
{
	if (p->pid > 0)         /* its group is killed and not yet reaped */
		watchdog_tell(p->env->watchdog, p->pid, false);
	close_stream(p, 0);
	close_stream(p, 1);
	set_timer(p, 0, EV_NONE);
	p->state = PROC_DONE;
	fill_exit(p);
	p->ops->done(p);
}

static void on_exit_(struct proc *p, uint64_t now)
{
	bt_stop(p, now);
	p->end_ns = now;
	if (pipes_closed(p)) {
		finish(p, now);
		return;
	}
	p->state = PROC_DRAINING;
	set_timer(p, now + p->env->drain_ns, EV_DRAIN_OVER);
}

static void on_eof(struct proc *p, uint64_t now)
{
	if (p->state == PROC_DRAINING)
		finish(p, now);
	/* else: the process closed its output but lives on; wait for it */
}

static void on_drain_over(struct proc *p, uint64_t now)
{
	size_t n = strlen(p->note);

	snprintf(p->note + n, sizeof(p->note) - n,
		 "%sits output stayed open after it exited (a process outside its group holds it)",
		 n ? "; " : "");
	finish(p, now);
}

/* Alive after SIGKILL: in uninterruptible sleep. Waiting could take
 * forever, so the proc ends here; the loop reaps the process without a
 * word if it ever exits. */
static void on_stuck(struct proc *p, uint64_t now)
{
	snprintf(p->note, sizeof(p->note),
		 "still alive %.0fs after SIGKILL (stuck in the kernel?); assay stopped waiting for it",
		 p->env->stuck_ns / 1e9);
	p->abandoned = true;
	loop_child_forget(p->env->loop, &p->child);
	p->end_ns = now;
	finish(p, now);
}

typedef void proc_action(struct proc *p, uint64_t now);

/* An empty cell: the event means nothing in that state. */
static proc_action *const proc_table[PROC_NSTATES][PROC_NEVENTS] = {
	[PROC_RUNNING] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			   [EV_DEADLINE] = on_deadline, [EV_CANCEL] = on_cancel,
			   [EV_FLOOD] = on_flood,
			   [EV_KILL_NOW] = kill_group },
	[PROC_LOOKING] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			   [EV_LOOKED] = on_looked, [EV_TRACED] = on_traced,
			   [EV_CANCEL] = look_cancel, [EV_FLOOD] = look_flood,
			   [EV_KILL_NOW] = kill_group },
	[PROC_TERM_SENT] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			     [EV_GRACE_OVER] = kill_group,
			     [EV_KILL_NOW] = kill_group },
	[PROC_KILL_SENT] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			     [EV_STUCK] = on_stuck },
	[PROC_DRAINING] = { [EV_EOF] = on_eof, [EV_DRAIN_OVER] = on_drain_over },
	[PROC_SERVED] = { [EV_EXIT] = on_exit_, [EV_EOF] = on_eof,
			  [EV_CANCEL] = on_cancel, [EV_KILL_NOW] = kill_group },
};

void proc_dispatch(struct proc *p, enum proc_event ev, uint64_t now)
{
	proc_action *a = proc_table[p->state][ev];

	if (a)
		a(p, now);
}

static void on_timer(struct loop_timer *t)
{
	struct proc *p = t->arg;

	proc_dispatch(p, p->timer_ev, io_now_ns());
}

void proc_set_deadline(struct proc *p, uint64_t deadline_ns, uint64_t timeout_ns)
{
	uint64_t armed = p->timer_ev == EV_DEADLINE && p->timer.slot != SIZE_MAX ?
			 p->timer.at_ns : 0;

	p->timeout_ns = timeout_ns;
	p->deadline_ns = deadline_ns;
	/* a later deadline than the timer's is left to on_deadline, which
	 * moves the timer on (a batch's cases each move it: no heap work
	 * per case) */
	if (p->state == PROC_RUNNING && !(armed && p->deadline_ns >= armed))
		arm(p);
}

/* ---- a worker's runs ---- */

bool proc_run_over(struct proc *p)
{
	if (p->state != PROC_RUNNING)
		return false;
	set_timer(p, 0, EV_NONE);
	p->end_ns = io_now_ns();
	p->state = PROC_SERVED;
	fill_exit(p);
	p->exit.how = ASSAY_SERVED;
	p->exit.code = 0;
	p->ops->done(p);
	return true;
}

void proc_next_run(struct proc *p, uint64_t timeout_ns)
{
	uint64_t now = io_now_ns();

	p->start_ns = p->last_out_ns = now;
	p->note[0] = 0;
	p->timeout_ns = timeout_ns;
	p->deadline_ns = timeout_ns ? now + timeout_ns : 0;
	capture_reset(&p->cap[0]);
	capture_reset(&p->cap[1]);
	p->state = PROC_RUNNING;
	arm(p);
}

void proc_end_served(struct proc *p)
{
	proc_close_stdin(p);
	if (p->state == PROC_SERVED && p->timer_ev != EV_CANCEL)
		set_timer(p, io_now_ns() + p->env->grace_ns, EV_CANCEL);
}

int proc_send(struct proc *p, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = p->in_fd < 0 ? (errno = EPIPE, -1) : write(p->in_fd, buf, n);
		struct pollfd out = { .fd = p->in_fd, .events = POLLOUT };
		if (w < 0 && errno == EINTR)
			continue;
		/* more than the pipe holds: a worker waiting for its batch
		 * reads it at once; SEND_WAIT_MS of nothing read is a failure */
		if (w < 0 && errno == EAGAIN && poll(&out, 1, SEND_WAIT_MS) > 0 &&
		    !(out.revents & (POLLERR | POLLHUP)))
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- starting ---- */

static void fail_start(struct proc *p, int errnum, const char *what,
		       uint64_t now)
{
	p->start_ns = now;
	p->spawn_errno = errnum ? errnum : EIO;
	if (what)
		snprintf(p->note, sizeof(p->note), "%s: %s", what,
			 strerror(p->spawn_errno));
	p->end_ns = now;
	finish(p, now);
}

void proc_fail_start(struct proc *p, int errnum, const char *what)
{
	fail_start(p, errnum, what, io_now_ns());
}

void proc_close_stdin(struct proc *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = -1;
}

/* The pipe the process reads as stdin, when its owner wants one: its
 * read end in *rd (for the child), the write end kept in p->in_fd. */
static int open_stdin(struct proc *p, int *rd, struct err *e)
{
	int fds[2];

	*rd = -1;
	if (!p->want_stdin)
		return 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, ERR_SYS, "cannot create its input pipe");
	(void)fcntl(fds[1], F_SETPIPE_SZ, STDIN_PIPE_BYTES);    /* when allowed */
	if (fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, ERR_SYS, "cannot create its input pipe");
	}
	*rd = fds[0];
	p->in_fd = fds[1];
	return 0;
}

/* Opens both pipes; the write ends go to the child. */
static int open_pipes(struct proc *p, int wr[2], struct err *e)
{
	int fds[2];

	for (int i = 0; i < 2; i++) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return err_set(e, ERR_SYS, "cannot create pipes");
		wr[i] = fds[1];
		/* a new pipe's read end has no other status flags to keep,
		 * and the write end must stay blocking for the child */
		if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0 ||
		    loop_io_start(p->env->loop, &p->s[i].io, fds[0], e) < 0) {
			close(fds[0]);
			return err_set(e, ERR_SYS, "cannot watch a pipe");
		}
	}
	return 0;
}

void proc_start(struct proc *p, const struct spawn_opts *o,
		uint64_t timeout_ns)
{
	struct spawn_opts so = *o;
	uint64_t now = io_now_ns(), deadline_ns = timeout_ns ? now + timeout_ns : 0;
	int wr[2] = { -1, -1 }, rd = -1, rc, errnum = 0;
	const char *what = NULL;
	struct err e = ERR_INIT;

	p->start_ns = now;
	p->note[0] = 0;
	p->deadline_ns = deadline_ns;
	p->timeout_ns = timeout_ns;
	capture_reset(&p->cap[0]);
	capture_reset(&p->cap[1]);
	rc = open_pipes(p, wr, &e);
	if (!rc)
		rc = open_stdin(p, &rd, &e);
	if (!rc) {
		so.out_fd = wr[0];
		so.err_fd = wr[1];
		so.in_fd = rd;
		rc = spawn_start(&p->pid, &so, &errnum, &what, &e);
		if (rc < 0 && !errnum)          /* assay's failure: say it */
			what = e.msg;
		else if (rc < 0 && !strcmp(what, "exec"))
			what = NULL;            /* the judge names it */
	} else {
		errnum = e.sys_errno;
		what = e.msg;
	}
	for (int i = 0; i < 2; i++)
		if (wr[i] >= 0)
			close(wr[i]);
	if (rd >= 0)
		close(rd);
	if (rc < 0) {
		proc_close_stdin(p);
		fail_start(p, errnum, what, now);
		return;
	}
	loop_child_watch(p->env->loop, &p->child, p->pid, on_child_exit, p);
	watchdog_tell(p->env->watchdog, p->pid, true);
	p->state = PROC_RUNNING;
	p->last_out_ns = now;
	arm(p);
}

/* ---- running ---- */

static void read_stream(struct proc_stream *s)
{
	struct proc *p = s->proc;
	int i = s->stream - 1;
	char buf[READ_CHUNK];

	for (int n = 0; n < READS_PER_WAKEUP && s->io.fd >= 0; n++) {
		ssize_t r = io_read(s->io.fd, buf, sizeof(buf));
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {           /* EOF, or an error: same for us */
			close_stream(p, i);
			if (pipes_closed(p))
				proc_dispatch(p, EV_EOF, io_now_ns());
			return;
		}
		if (p->state == PROC_SERVED)
			continue;       /* a worker between runs: no run's */
		if (p->env->logs && p->sort == PROC_TEST)
			logs_spill(p->env->logs, &p->log[i], &p->cap[i], buf,
				   (size_t)r);
		capture_add(&p->cap[i], buf, (size_t)r);
		if (p->sort == PROC_TEST && p->env->idle_ns)
			p->last_out_ns = io_now_ns();
		else
			(void)io_now_ns();      /* what this chunk's results stamp */
		if (p->sort == PROC_TEST && p->env->max_output && !p->flooded &&
		    p->cap[0].total + p->cap[1].total > p->env->max_output)
			proc_dispatch(p, EV_FLOOD, io_now_ns());
		if (p->ops->output)
			p->ops->output(p, s->stream, buf, (size_t)r);
	}
}

static void on_readable(struct loop_io *io)
{
	read_stream(io->arg);
}

#define LEFT_SHOWN 8             /* leftovers named; the rest counted */
#define LEFT_MAX 1024           /* leftovers killed one by one */

/* Whether pid is a process the loop already watches (another test, a
 * helper): never someone's leftover. */
static bool watched(void *loop, pid_t pid)
{
	return loop_child_watched(loop, pid);
}

/* What the test left running as it exited: named in p->left, and
 * killed (its group's die with the group anyway; the run's end sweep
 * gets any past LEFT_MAX). */
static void find_leftovers(struct proc *p)
{
	pid_t v[LEFT_MAX];
	char *text = NULL, cmd[96];
	size_t len = 0;
	FILE *f;

	p->nleft = look_leftovers(p->pid, p->marker, watched, p->env->loop,
				  v, LEFT_MAX);
	if (!p->nleft || !(f = open_memstream(&text, &len)))
		return;
	for (size_t i = 0; i < p->nleft && i < LEFT_MAX; i++) {
		if (i < LEFT_SHOWN) {   /* named as it was, then killed */
			procfs_cmdline(v[i], cmd, sizeof(cmd));
			fprintf(f, "%s%d %s", i ? "; " : "", (int)v[i], cmd);
		}
		(void)kill(v[i], SIGKILL);
	}
	if (p->nleft > LEFT_SHOWN)
		fprintf(f, "; and %zu more", p->nleft - LEFT_SHOWN);
	if (fclose(f) == 0) {
		free(p->left);
		p->left = text;
	} else {
		free(text);
	}
}

static void on_child_exit(struct loop_child *c)
{
	struct proc *p = c->arg;

	/* The process has exited, so its own ends of the pipes are closed:
	 * once drained, a pipe still open is held by something it left
	 * behind. Kill its whole group now, while the unreaped zombie keeps
	 * the group id from being reused. */
	for (int i = 0; i < 2; i++)
		read_stream(&p->s[i]);
	if (p->sort == PROC_TEST && !p->timed_out && !p->cancelled && !p->flooded)
		find_leftovers(p);
	if (!pipes_closed(p) && !p->timed_out && !p->cancelled && !p->nleft)
		snprintf(p->note, sizeof(p->note),
			 "left processes behind that hold its output open; assay killed its process group");
	(void)kill(-p->pid, SIGKILL);
	p->wait_status = c->status;
	p->reaped = true;               /* the loop reaps it when we return */
	proc_dispatch(p, EV_EXIT, io_now_ns());
}

/* A worker between runs: what its last run held, and nothing of the
 * process. */
static void clear_run(struct proc *p)
{
	log_stream_clear(&p->log[0]);
	log_stream_clear(&p->log[1]);
	p->flooded = p->idle = false;
	free(p->look_report);
	p->look_report = NULL;
	free(p->left);
	p->left = NULL;
	p->nleft = 0;
	p->note[0] = 0;
	memset(&p->exit, 0, sizeof(p->exit));
}

void proc_clear(struct proc *p)
{
	if (p->state == PROC_SERVED) {
		clear_run(p);
		return;
	}
	bt_stop(p, io_now_ns());        /* it ends in its own time */
	close_stream(p, 0);
	close_stream(p, 1);
	proc_close_stdin(p);
	if (p->env)
		loop_timer_stop(p->env->loop, &p->timer);
	if (p->env && p->child.pid && !p->reaped)
		loop_child_forget(p->env->loop, &p->child);
	log_stream_clear(&p->log[0]);
	log_stream_clear(&p->log[1]);
	p->pid = 0;
	p->state = PROC_IDLE;
	p->timed_out = p->cancelled = p->reaped = p->abandoned = p->idle = false;
	p->flooded = false;
	p->spawn_errno = p->last_signal = p->wait_status = 0;
	p->deadline_ns = 0;
	p->timer_ev = EV_NONE;
	free(p->look_report);
	p->look_report = NULL;
	free(p->left);
	p->left = NULL;
	p->nleft = 0;
	memset(&p->exit, 0, sizeof(p->exit));
}
