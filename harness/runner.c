/* runner.c - see runner.h. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "bus.h"
#include "io.h"
#include "job.h"
#include "logs.h"
#include "loop.h"
#include "orphans.h"
#include "runner.h"
#include "sched.h"
#include "scratch.h"
#include "table.h"
#include "xalloc.h"

#define DRAIN_NS 1000000000u    /* exit to giving up on a held pipe */
#define STUCK_NS 10000000000u   /* SIGKILL to abandoning the process */
#define EVENTS_PER_WAIT 64

extern char **environ;

struct runner {
	const struct runner_opts *o;
	struct test_table *t;
	struct bus *bus;
	struct loop *loop;
	struct sched sched;
	struct scratch scratch;
	struct logs logs;
	struct job_env env;
	struct job *jobs;               /* one per slot */
	unsigned running;
	struct run_state *rs;           /* the caller's; rs->info is sent out */
	uint64_t start_ns, next_tick_ns, tick_ns;
	int interrupts;                 /* signals received that stop the run */
};

/* ---- events out ---- */

static void emit(struct runner *r, enum assay_event_type type,
		 const struct test *t, const struct assay_result *res,
		 unsigned worker, const struct assay_exit *exit)
{
	struct assay_event ev = {
		.struct_size = sizeof(ev), .type = type, .run = &r->rs->info,
		.test = t ? &t->pub : NULL, .result = res, .worker = worker,
		.exit = exit,
	};

	r->rs->info.elapsed_ns = io_now_ns() - r->start_ns;
	bus_emit(r->bus, &ev);
}

static enum assay_tally tally_of(const struct runner *r, enum assay_outcome o)
{
	return o == ASSAY_XPASS && r->o->strict_todo ? ASSAY_TALLY_FAILED
						     : assay_outcome_tally(o);
}

/* Keeps the job's whole output on disk (--output-dir), or drops it;
 * once, so a failed result can name the files in its own event. */
static void settle_logs(struct runner *r, struct job *j, bool keep)
{
	if (j->logs_settled)
		return;
	j->logs_settled = true;
	logs_finish(&r->logs, &j->log[0], &j->out_view, j->test->pub.id,
		    "stdout", keep);
	logs_finish(&r->logs, &j->log[1], &j->err_view, j->test->pub.id,
		    "stderr", keep);
}

/* Counts one result in its column and tells the reporters. */
static void result_out(struct runner *r, const struct test *t, unsigned worker,
		       struct assay_result *res)
{
	struct assay_run_info *info = &r->rs->info;
	size_t *column[] = { &info->passed, &info->failed, &info->skipped,
			     &info->not_run };

	res->tally = tally_of(r, res->outcome);
	r->rs->counts[res->outcome]++;
	(*column[res->tally])++;
	emit(r, ASSAY_EV_TEST_END, t, res, worker, NULL);
}

static void verdict_without_job(struct runner *r, const struct test *t,
				enum assay_outcome o, const char *reason)
{
	struct assay_result res = {
		.struct_size = sizeof(res), .id = t->pub.id, .test = &t->pub,
		.outcome = o, .reason = reason,
	};

	result_out(r, t, (unsigned)-1, &res);
}

/* Whether a kind's verdict struct reaches field f (it may predate it). */
#define VERDICT_HAS(v, f) \
	((v)->struct_size >= offsetof(struct assay_verdict, f) + sizeof((v)->f))

/* ctx->report: a kind's verdict on the job's test or one of its cases. */
static void on_verdict(struct assay_job_ctx *ctx, const struct assay_verdict *v)
{
	struct job *j = ctx->host;
	struct runner *r = j->owner;
	char *case_id = v->case_name ? xasprintf("%s::%s", j->test->pub.id,
						   v->case_name) : NULL;
	bool done = j->state == JOB_DONE;
	struct assay_result res = {
		.struct_size = sizeof(res),
		.id = case_id ? case_id : j->test->pub.id,
		.test = &j->test->pub,
		.outcome = (unsigned)v->outcome < ASSAY_OUTCOME_COUNT ? v->outcome
								      : ASSAY_ERROR,
		.reason = v->reason ? v->reason : "",
		.duration_ns = done ? j->exit.duration_ns
				    : io_now_ns() - j->start_ns,
		.exit = done ? &j->exit : NULL,
		.note = done && j->note[0] ? j->note : NULL,
	};

	if (VERDICT_HAS(v, diag)) {
		if (v->duration_ns)
			res.duration_ns = v->duration_ns;
		res.output = v->output;
		res.output_len = v->output ? v->output_len : 0;
		res.diag = v->diag;
	}
	if (VERDICT_HAS(v, classification))
		res.classification = v->classification;
	j->verdicts++;
	if (done && tally_of(r, res.outcome) == ASSAY_TALLY_FAILED)
		settle_logs(r, j, true);
	result_out(r, j->test, j->slot, &res);
	j->failed |= res.tally == ASSAY_TALLY_FAILED;
	free(case_id);
}

/* ---- phases ---- */

static void collect(struct runner *r, struct job *j);

static void start_job(struct runner *r, struct test *t, unsigned slot)
{
	struct job *j = &r->jobs[slot];

	j->ctx = (struct assay_job_ctx){ .struct_size = sizeof(j->ctx),
					 .test = &t->pub, .host = j,
					 .report = on_verdict };
	j->owner = r;
	r->running++;
	emit(r, ASSAY_EV_TEST_START, t, NULL, slot, NULL);
	job_start(j, t);
}

static void fill_slots(struct runner *r)
{
	struct test *t;
	unsigned slot;

	while (!r->interrupts && (t = sched_next(&r->sched, &slot))) {
		start_job(r, t, slot);
		if (r->jobs[slot].state == JOB_DONE)   /* could not start */
			collect(r, &r->jobs[slot]);
	}
}

/* Judges a finished job through its kind and frees its slot. */
static void collect(struct runner *r, struct job *j)
{
	const struct assay_kind *k = j->test->kind;

	k->job_end(j->kind_state, &j->exit, &j->ctx);
	if (!j->verdicts) {
		struct assay_verdict v = {
			.struct_size = sizeof(v), .outcome = ASSAY_ERROR,
			.reason = "its kind reported no verdict (a plugin bug)",
		};
		on_verdict(&j->ctx, &v);
	}
	settle_logs(r, j, j->failed);
	emit(r, ASSAY_EV_JOB_END, j->test, NULL, j->slot, &j->exit);
	job_clear(j);
	sched_release_slot(&r->sched, j->slot);
	r->running--;
}

static void collect_done(struct runner *r)
{
	for (unsigned s = 0; s < r->o->jobs; s++)
		if (r->jobs[s].state == JOB_DONE)
			collect(r, &r->jobs[s]);
}

static struct job *job_by_pid(struct runner *r, pid_t pid)
{
	for (unsigned s = 0; s < r->o->jobs; s++) {
		struct job *j = &r->jobs[s];
		if (j->pid == pid && !j->reaped && j->state != JOB_IDLE &&
		    j->state != JOB_DONE)
			return j;
	}
	return NULL;
}

/* Reaps every child that has exited: jobs through their state table,
 * adopted orphans simply. WNOWAIT first, so a job's group can still be
 * killed while its zombie pins the group id. */
static void reap_children(struct runner *r, uint64_t now)
{
	for (;;) {
		siginfo_t si;
		struct job *j;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			return;
		if ((j = job_by_pid(r, si.si_pid)))
			job_reap(j, now);
		else
			(void)waitpid(si.si_pid, NULL, 0);
	}
}

static void stop_run(struct runner *r, int signo, uint64_t now)
{
	enum job_event ev = r->interrupts++ ? EV_KILL_NOW : EV_CANCEL;

	/* a test that already ended keeps its own result: reap first (the
	 * signalfd hands out SIGINT before the SIGCHLD that came with it) */
	reap_children(r, now);
	if (!r->rs->info.interrupted) {
		r->rs->info.interrupted = 1;
		r->rs->info.interrupt_signal = signo;
	}
	for (unsigned s = 0; s < r->o->jobs; s++)
		job_dispatch(&r->jobs[s], ev, now);
}

static void dispatch(struct runner *r, const struct loop_event *ev, uint64_t now)
{
	if (ev->type == LOOP_FD)
		job_read(ev->tag, now);
	else if (ev->signo == SIGCHLD)
		reap_children(r, now);
	else
		stop_run(r, ev->signo, now);
}

static void fire_timers(struct runner *r, uint64_t now)
{
	for (unsigned s = 0; s < r->o->jobs; s++) {
		struct job *j = &r->jobs[s];
		if (j->timer_ns && j->timer_ns <= now)
			job_dispatch(j, j->timer_ev, now);
	}
	if (r->tick_ns && r->next_tick_ns <= now) {
		emit(r, ASSAY_EV_TICK, NULL, NULL, (unsigned)-1, NULL);
		r->next_tick_ns = now + r->tick_ns;
	}
}

/* Milliseconds until the next timer, rounded up; -1 when none. */
static int wait_ms(const struct runner *r, uint64_t now)
{
	uint64_t next = r->tick_ns ? r->next_tick_ns : 0, ms;

	for (unsigned s = 0; s < r->o->jobs; s++) {
		uint64_t t = r->jobs[s].timer_ns;
		if (t && (!next || t < next))
			next = t;
	}
	if (!next)
		return -1;
	if (next <= now)
		return 0;
	ms = (next - now + 999999) / 1000000;
	return ms > 3600000 ? 3600000 : (int)ms;
}

static int loop_phases(struct runner *r, struct err *e)
{
	struct loop_event ev[EVENTS_PER_WAIT];
	uint64_t now = io_now_ns();
	int n;

	for (;;) {
		fill_slots(r);
		if (!r->running && (r->interrupts || !sched_queued(&r->sched)))
			return 0;
		n = loop_wait(r->loop, wait_ms(r, now), ev, EVENTS_PER_WAIT, e);
		if (n < 0)
			return n;
		now = io_now_ns();
		for (int i = 0; i < n; i++)
			dispatch(r, &ev[i], now);
		fire_timers(r, now);
		collect_done(r);
	}
}

/* ---- set-up and tear-down ---- */

static int is_private_var(const char *kv)
{
	static const char *const names[] = { "ASSAY_TEST_ID=", "ASSAY_WORKER=",
					     "ASSAY_TMPDIR=", "TMPDIR=", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strncmp(kv, names[i], strlen(names[i])))
			return 1;
	return 0;
}

static void build_base_env(struct runner *r)
{
	size_t n = 0, k = 0;
	char **v;

	while (environ[n])
		n++;
	v = xmalloc((n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		if (!is_private_var(environ[i]))
			v[k++] = environ[i];
	v[k] = NULL;
	r->env.base_env = v;
	r->env.base_len = k;
}

static int setup(struct runner *r, struct err *e)
{
	int rc;

	if ((rc = scratch_open(&r->scratch, e)) < 0)
		return rc;
	if ((rc = loop_new(&r->loop, e)) < 0)
		return rc;
	if (orphans_adopt() < 0)
		return err_set(e, ERR_SYS, "cannot become a child subreaper");
	build_base_env(r);
	r->env.loop = r->loop;
	r->env.scratch = &r->scratch;
	r->env.logs = &r->logs;
	r->env.grace_ns = (uint64_t)(r->o->grace_s * 1e9);
	r->env.drain_ns = DRAIN_NS;
	r->env.stuck_ns = STUCK_NS;
	sched_init(&r->sched, r->o->jobs);
	r->jobs = xcalloc(r->o->jobs, sizeof(*r->jobs));
	for (unsigned s = 0; s < r->o->jobs; s++)
		job_init(&r->jobs[s], &r->env, s);
	r->tick_ns = (uint64_t)bus_tick_ms(r->bus) * 1000000u;
	return 0;
}

static void teardown(struct runner *r)
{
	for (unsigned s = 0; r->jobs && s < r->o->jobs; s++)
		job_release(&r->jobs[s]);
	free(r->jobs);
	if (r->sched.free_slots)
		sched_release(&r->sched);
	free((void *)r->env.base_env);
	loop_free(r->loop);
	scratch_close(&r->scratch);
	logs_release(&r->logs);
}

/* Tests that cannot run are errors at once; the rest are queued. */
static void plan(struct runner *r)
{
	for (size_t i = 0; i < r->t->n; i++) {
		struct test *t = r->t->v[i];
		if (t->problem)
			verdict_without_job(r, t, ASSAY_ERROR, t->problem);
		else
			sched_push(&r->sched, t, 0, NULL);
	}
}

static void not_run(struct runner *r)
{
	const char *sig = sigabbrev_np(r->rs->info.interrupt_signal);
	char reason[96];
	struct test *t;

	snprintf(reason, sizeof(reason), "not run: the run was interrupted by SIG%s",
		 sig ? sig : "?");
	while ((t = sched_pop(&r->sched)))
		verdict_without_job(r, t, ASSAY_NOT_RUN, reason);
}

/* Run-end notes: processes left behind, logs that could not be kept. */
static void end_notes(struct runner *r)
{
	struct run_state *rs = r->rs;

	orphans_sweep(&rs->note);
	if (r->logs.problem) {
		char *s = xasprintf("%s%s%s", rs->note ? rs->note : "",
				    rs->note ? "\n" : "", r->logs.problem);
		free(rs->note);
		rs->note = s;
	}
	rs->info.note = rs->note;
}

void run_state_release(struct run_state *s)
{
	free(s->note);
	s->note = NULL;
}

int runner_run(struct test_table *t, const struct runner_opts *o,
	       struct bus *bus, struct run_state *rs, struct err *e)
{
	static const char *const no_props[] = { NULL };
	struct runner r = { .o = o, .t = t, .bus = bus, .rs = rs };
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->info = (struct assay_run_info){
		.struct_size = sizeof(rs->info), .total = t->n, .jobs = o->jobs,
		.timeout_s = o->timeout_s, .counts = rs->counts,
		.ncounts = ASSAY_OUTCOME_COUNT, .strict_todo = o->strict_todo,
		.start_wall_ns = io_wall_ns(), .hostname = o->hostname ? o->hostname : "",
		.props = o->props ? o->props : no_props,
	};
	r.start_ns = io_now_ns();
	logs_init(&r.logs, o->output_dir, o->keep_logs);
	if ((rc = setup(&r, e)) < 0) {
		teardown(&r);
		return rc;
	}
	emit(&r, ASSAY_EV_RUN_START, NULL, NULL, (unsigned)-1, NULL);
	plan(&r);
	r.next_tick_ns = r.start_ns + r.tick_ns;
	if ((rc = loop_phases(&r, e)) < 0)
		stop_run(&r, SIGTERM, io_now_ns());
	not_run(&r);
	end_notes(&r);
	emit(&r, ASSAY_EV_RUN_END, NULL, NULL, (unsigned)-1, NULL);
	teardown(&r);
	return rc;
}
