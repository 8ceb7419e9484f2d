/* runner.c - see runner.h. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "history.h"
#include "io.h"
#include "logs.h"
#include "loop.h"
#include "order.h"
#include "orphans.h"
#include "runner.h"
#include "sched.h"
#include "scratch.h"
#include "table.h"
#include "task.h"
#include "xalloc.h"

#define DRAIN_NS 1000000000u    /* exit to giving up on a held pipe */
#define STUCK_NS 10000000000u   /* SIGKILL to abandoning the process */

extern char **environ;

/* Results kept past the callback that reported them: their strings
 * are copies, their exit is NULL once the job is gone. */
struct results {
	struct assay_result *v;
	size_t n, cap;
};

/* One run of one test: an iteration (--repeat, --stress) and its
 * attempt (1, then one more per retry). */
struct run {
	struct test *test;
	unsigned iteration, attempt;
	char **failed_ids;              /* results that failed in earlier
	                                 * attempts of this iteration, sorted,
	                                 * each once */
	size_t nfailed;
	struct results last;            /* the failures of the last attempt,
	                                 * final if its retry never starts */
};

/* What the runner keeps for each slot beside its job. */
struct slot {
	struct run *run;
	bool holding;                   /* the attempt may be retried */
	struct results held;            /* its results until it ends */
	size_t nres, nskipped;          /* results of this attempt */
	size_t nflaky, nfailed;         /* final results: flaky, failed
	                                 * (not flaky) */
};

struct runner {
	const struct runner_opts *o;
	struct test_table *t;
	struct bus *bus;
	struct loop *loop;
	struct sched sched;
	struct scratch scratch;
	struct logs logs;
	struct task_env env;
	struct task *tasks;             /* one per slot */
	struct task *done_head;         /* tasks whose process ended, to be
	                                 * collected after the loop's phase */
	struct task **done_tail;
	struct loop_timer tick;         /* ASSAY_EV_TICK, when asked for */
	struct slot *slots;
	unsigned running;
	unsigned copies, iterations;    /* --stress; --repeat x --stress */
	bool stop;                      /* --until-fail saw a failure */
	char *stop_id;                  /* the failed test that stopped it */
	size_t dropped;                 /* runs never started */
	struct run_state *rs;           /* the caller's; rs->info is sent out */
	uint64_t start_ns, tick_ns;
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
static void settle_logs(struct runner *r, struct task *j, bool keep)
{
	if (j->logs_settled)
		return;
	j->logs_settled = true;
	logs_finish(&r->logs, &j->proc.log[0], &j->proc.out_view,
		    j->test->pub.id, "stdout", keep);
	logs_finish(&r->logs, &j->proc.log[1], &j->proc.err_view,
		    j->test->pub.id, "stderr", keep);
}

/* Counts one result in its column and tells the reporters. */
static void result_out(struct runner *r, const struct test *t, unsigned worker,
		       struct assay_result *res)
{
	struct assay_run_info *info = &r->rs->info;
	size_t *column[] = { &info->passed, &info->failed, &info->skipped,
			     &info->not_run };

	res->tally = res->flaky && r->o->flaky_fails ? ASSAY_TALLY_FAILED
						     : tally_of(r, res->outcome);
	r->rs->counts[res->outcome]++;
	(*column[res->tally])++;
	info->flaky += res->flaky != 0;
	if (res->tally == ASSAY_TALLY_FAILED && r->o->until_fail && !r->stop) {
		r->stop = true;
		r->stop_id = xstrdup(res->id);
	}
	emit(r, ASSAY_EV_TEST_END, t, res, worker, NULL);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool failed_before(const struct run *run, const char *id)
{
	return run->nfailed && bsearch(&id, run->failed_ids, run->nfailed,
				       sizeof(*run->failed_ids), cmp_id);
}

/* Adds the ids in l to the run's failed ones (a program's cases may be
 * thousands: sorted once, searched in O(log n)). */
static void remember_failed(struct run *run, const struct results *l)
{
	size_t n = run->nfailed;

	run->failed_ids = xrealloc(run->failed_ids, (n + l->n + 1) *
				   sizeof(*run->failed_ids));
	for (size_t i = 0; i < l->n; i++)
		run->failed_ids[n++] = xstrdup(l->v[i].id);
	qsort(run->failed_ids, n, sizeof(*run->failed_ids), cmp_id);
	run->nfailed = 0;
	for (size_t i = 0; i < n; i++) {
		if (run->nfailed && !strcmp(run->failed_ids[run->nfailed - 1],
					    run->failed_ids[i])) {
			free(run->failed_ids[i]);
			continue;
		}
		run->failed_ids[run->nfailed++] = run->failed_ids[i];
	}
}

/* Judges a final result of a run: flaky when it passes where an
 * earlier attempt failed. Returns its tally. */
static enum assay_tally judge_final(const struct runner *r, const struct run *run,
				    struct assay_result *res)
{
	res->flaky = run->attempt > 1 &&
		     tally_of(r, res->outcome) == ASSAY_TALLY_PASSED &&
		     failed_before(run, res->id);
	return res->flaky && r->o->flaky_fails ? ASSAY_TALLY_FAILED
					       : tally_of(r, res->outcome);
}

static void final_out(struct runner *r, struct slot *sl, unsigned worker,
		      struct assay_result *res)
{
	enum assay_tally tally = judge_final(r, sl->run, res);
	const char *reason = res->reason;       /* maybe the results' own */
	char why[96];

	if (res->flaky && tally == ASSAY_TALLY_FAILED && !*res->reason) {
		snprintf(why, sizeof(why),
			 "passed on attempt %u after failing (--flaky-result fail)",
			 res->attempt);
		res->reason = why;
	}
	sl->nflaky += res->flaky != 0;
	sl->nfailed += !res->flaky && tally == ASSAY_TALLY_FAILED;
	result_out(r, sl->run->test, worker, res);
	res->reason = reason;
}

static char *dup_or_null(const char *s, size_t len)
{
	char *d;

	if (!s)
		return NULL;
	d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = 0;
	return d;
}

static void results_add(struct results *l, const struct assay_result *res)
{
	struct assay_result *c;

	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	c = &l->v[l->n++];
	*c = *res;
	c->id = xstrdup(res->id);
	c->reason = xstrdup(res->reason);
	c->note = dup_or_null(res->note, res->note ? strlen(res->note) : 0);
	c->output = dup_or_null(res->output, res->output_len);
	c->diag = dup_or_null(res->diag, res->diag ? strlen(res->diag) : 0);
	c->classification = dup_or_null(res->classification, res->classification ?
					strlen(res->classification) : 0);
}

static void results_clear(struct results *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct assay_result *c = &l->v[i];
		free((char *)c->id);
		free((char *)c->reason);
		free((char *)c->note);
		free((char *)c->output);
		free((char *)c->diag);
		free((char *)c->classification);
	}
	l->n = 0;
}

static void results_release(struct results *l)
{
	results_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
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
	struct task *j = ctx->host;
	struct runner *r = j->owner;
	struct slot *sl = &r->slots[j->slot];
	enum assay_tally tally = tally_of(r, (unsigned)v->outcome < ASSAY_OUTCOME_COUNT ?
					      v->outcome : ASSAY_ERROR);
	char *case_id = v->case_name ? xasprintf("%s::%s", j->test->pub.id,
						   v->case_name) : NULL;
	bool done = task_is_done(j);
	struct assay_result res = {
		.struct_size = sizeof(res),
		.id = case_id ? case_id : j->test->pub.id,
		.test = &j->test->pub,
		.outcome = (unsigned)v->outcome < ASSAY_OUTCOME_COUNT ? v->outcome
								      : ASSAY_ERROR,
		.reason = v->reason ? v->reason : "",
		.duration_ns = done ? j->proc.exit.duration_ns
				    : io_now_ns() - j->proc.start_ns,
		.exit = done ? &j->proc.exit : NULL,
		.note = done && j->proc.note[0] ? j->proc.note : NULL,
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
	res.iteration = sl->run->iteration;
	res.iterations = r->iterations;
	res.attempt = sl->run->attempt;
	j->verdicts++;
	sl->nres++;
	sl->nskipped += tally == ASSAY_TALLY_SKIPPED;
	j->failed |= tally == ASSAY_TALLY_FAILED;
	if (sl->holding) {
		results_add(&sl->held, &res);
	} else {
		if (done && judge_final(r, sl->run, &res) == ASSAY_TALLY_FAILED)
			settle_logs(r, j, true);
		final_out(r, sl, j->slot, &res);
		j->failed |= res.tally == ASSAY_TALLY_FAILED;
	}
	free(case_id);
}

/* ---- phases ---- */

static void start_job(struct runner *r, struct run *run, unsigned slot)
{
	struct task *j = &r->tasks[slot];
	struct test *t = run->test;

	j->ctx = (struct assay_job_ctx){ .struct_size = sizeof(j->ctx),
					 .test = &t->pub, .host = j,
					 .report = on_verdict };
	j->owner = r;
	r->slots[slot].run = run;
	r->slots[slot].holding = run->attempt <= t->retries;
	r->slots[slot].nres = r->slots[slot].nskipped = 0;
	r->slots[slot].nflaky = r->slots[slot].nfailed = 0;
	r->running++;
	emit(r, ASSAY_EV_TEST_START, t, NULL, slot, NULL);
	task_start(j, t);
}

static void fill_slots(struct runner *r)
{
	struct run *run;
	unsigned slot;

	while (!r->interrupts && !r->stop &&
	       (run = sched_next(&r->sched, &slot)))
		start_job(r, run, slot);
}

static void queue(struct runner *r, struct run *run)
{
	sched_push(&r->sched, run, run->test->priority, &run->test->need);
}

/* Forgets the attempts before: the run starts a new iteration. */
static void run_reset(struct run *run)
{
	for (size_t i = 0; i < run->nfailed; i++)
		free(run->failed_ids[i]);
	run->nfailed = 0;
	results_clear(&run->last);
}

static void run_free(struct run *run)
{
	run_reset(run);
	free(run->failed_ids);
	results_release(&run->last);
	free(run);
}

/* Whether the held results of a final attempt fail its job (a flaky
 * one may, with --flaky-result fail), before they are sent. */
static bool held_fails(const struct runner *r, const struct slot *sl)
{
	bool failed = false;

	for (size_t i = 0; i < sl->held.n; i++)
		failed |= judge_final(r, sl->run, &sl->held.v[i]) == ASSAY_TALLY_FAILED;
	return failed;
}

/* Sends what an attempt held: its failures as retried (remembered, in
 * case the retry never starts; what passed in it the retry will say
 * again), or everything as the run's final results. */
static void flush_held(struct runner *r, struct task *j, bool retry)
{
	struct slot *sl = &r->slots[j->slot];
	struct run *run = sl->run;

	if (retry)
		results_clear(&run->last);
	for (size_t i = 0; i < sl->held.n; i++) {
		struct assay_result *res = &sl->held.v[i];
		if (!retry) {
			final_out(r, sl, j->slot, res);
			continue;
		}
		res->tally = tally_of(r, res->outcome);
		if (res->tally != ASSAY_TALLY_FAILED)
			continue;
		emit(r, ASSAY_EV_TEST_RETRY, run->test, res, j->slot, NULL);
		res->exit = NULL;               /* the job is cleared next */
		results_add(&run->last, res);
	}
	if (retry)
		remember_failed(run, &run->last);
	results_clear(&sl->held);
}

/* What history and the schedule report learn from a job that ran. */
static void learn(struct runner *r, const struct task *j, bool final)
{
	const struct slot *sl = &r->slots[j->slot];
	const struct test *t = j->test;
	const struct proc *p = &j->proc;
	char letter;

	if (p->spawn_errno || p->cancelled)
		return;
	makespan_add(&r->rs->span, t->pub.id, p->start_ns, p->end_ns,
		     t->need.weight ? t->need.weight : 1);
	if (!final || !r->o->history)
		return;
	letter = sl->nfailed ? 'F' : sl->nflaky || sl->run->attempt > 1 ? 'K' :
		 sl->nres && sl->nres == sl->nskipped ? 'S' : 'P';
	history_record(r->o->history, t->pub.id,
		       (double)(p->end_ns - p->start_ns) / 1e9, letter,
		       (int64_t)(io_wall_ns() / 1000000000u));
}

/* Counts a finished iteration of its test (--repeat, --stress). */
static void count_run(struct runner *r, const struct task *j)
{
	const struct slot *sl = &r->slots[j->slot];
	struct assay_repeat_row *x = &r->rs->rows[j->test->index];

	x->runs++;
	if (j->failed)
		x->failed++;
	else if (sl->nres && sl->nres == sl->nskipped)
		x->skipped++;
	else
		x->passed++;
}

/* Judges a finished job through its kind, frees its slot, and queues
 * what comes next for its test: a retry, or the next iteration. */
static void collect(struct runner *r, struct task *j)
{
	const struct assay_kind *k = j->test->kind;
	struct slot *sl = &r->slots[j->slot];
	struct run *run = sl->run;
	bool retry, next;

	k->job_end(j->kind_state, &j->proc.exit, &j->ctx);
	if (!j->verdicts) {
		struct assay_verdict v = {
			.struct_size = sizeof(v), .outcome = ASSAY_ERROR,
			.reason = "its kind reported no verdict (a plugin bug)",
		};
		on_verdict(&j->ctx, &v);
	}
	retry = sl->holding && j->failed && !j->proc.cancelled && !r->interrupts &&
		!r->stop;
	if (sl->holding && !retry)
		j->failed = held_fails(r, sl);
	settle_logs(r, j, j->failed && !retry);
	if (sl->holding)
		flush_held(r, j, retry);
	learn(r, j, !retry);
	if (!retry)
		count_run(r, j);
	emit(r, ASSAY_EV_JOB_END, j->test, NULL, j->slot, &j->proc.exit);
	task_clear(j);
	sched_release_slot(&r->sched, j->slot);
	sl->run = NULL;
	r->running--;
	next = !retry && run->iteration + r->copies <= r->iterations;
	if (retry) {
		run->attempt++;
	} else if (next) {
		run->iteration += r->copies;
		run->attempt = 1;
		run_reset(run);
	}
	if (retry || next)
		queue(r, run);
	else
		run_free(run);
}

/* proc done callback: the task is collected after the loop's phase,
 * never from inside it. */
static void on_task_done(struct proc *p)
{
	struct task *j = p->owner;
	struct runner *r = j->owner;

	j->next_done = NULL;
	*r->done_tail = j;
	r->done_tail = &j->next_done;
}

static void collect_done(struct runner *r)
{
	struct task *j;

	while ((j = r->done_head)) {
		r->done_head = j->next_done;
		if (!r->done_head)
			r->done_tail = &r->done_head;
		collect(r, j);
	}
}

/* A stop signal: cancel every running test; a second one kills them. */
static void stop_run(void *arg, int signo)
{
	struct runner *r = arg;
	enum proc_event ev = r->interrupts++ ? EV_KILL_NOW : EV_CANCEL;
	uint64_t now = io_now_ns();

	if (!r->rs->info.interrupted) {
		r->rs->info.interrupted = 1;
		r->rs->info.interrupt_signal = signo;
	}
	for (unsigned s = 0; s < r->o->jobs; s++)
		proc_dispatch(&r->tasks[s].proc, ev, now);
}

static void on_tick(struct loop_timer *t)
{
	struct runner *r = t->arg;

	emit(r, ASSAY_EV_TICK, NULL, NULL, (unsigned)-1, NULL);
	loop_timer_start(r->loop, t, io_now_ns() + r->tick_ns);
}

static int loop_phases(struct runner *r, struct err *e)
{
	int rc;

	for (;;) {
		fill_slots(r);
		if (r->done_head) {     /* those that could not start */
			collect_done(r);
			continue;
		}
		if (!r->running && (r->interrupts || r->stop ||
				    !sched_queued(&r->sched)))
			return 0;
		if ((rc = loop_run_once(r->loop, UINT64_MAX, e)) < 0)
			return rc;
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
	loop_on_signal(r->loop, stop_run, r);
	r->env.proc = (struct proc_env){
		.loop = r->loop, .logs = &r->logs,
		.grace_ns = (uint64_t)(r->o->grace_s * 1e9),
		.drain_ns = DRAIN_NS, .stuck_ns = STUCK_NS,
	};
	r->env.scratch = &r->scratch;
	r->done_tail = &r->done_head;
	sched_init(&r->sched, r->o->jobs);
	for (unsigned i = 0; r->o->pools && i < r->o->pools->n; i++)
		(void)sched_add_pool(&r->sched, r->o->pools->cap[i]);
	r->tasks = xcalloc(r->o->jobs, sizeof(*r->tasks));
	r->slots = xcalloc(r->o->jobs, sizeof(*r->slots));
	for (unsigned s = 0; s < r->o->jobs; s++)
		task_init(&r->tasks[s], &r->env, s, on_task_done, r);
	r->tick_ns = (uint64_t)bus_tick_ms(r->bus) * 1000000u;
	loop_timer_init(&r->tick, on_tick, r);
	if (r->tick_ns)
		loop_timer_start(r->loop, &r->tick, r->start_ns + r->tick_ns);
	return 0;
}

static void teardown(struct runner *r)
{
	for (unsigned s = 0; r->tasks && s < r->o->jobs; s++)
		task_release(&r->tasks[s]);
	free(r->tasks);
	for (unsigned s = 0; r->slots && s < r->o->jobs; s++)
		results_release(&r->slots[s].held);
	free(r->slots);
	free(r->stop_id);
	if (r->sched.free_slots)
		sched_release(&r->sched);
	free((void *)r->env.base_env);
	loop_free(r->loop);
	scratch_close(&r->scratch);
	logs_release(&r->logs);
}

/* Tests that cannot run are errors at once; the rest are queued, as
 * many copies as --stress asks. */
static void plan(struct runner *r)
{
	for (size_t i = 0; i < r->t->n; i++) {
		struct test *t = r->t->v[i];
		if (t->problem) {
			verdict_without_job(r, t, ASSAY_ERROR, t->problem);
			continue;
		}
		for (unsigned c = 1; c <= r->copies; c++) {
			struct run *run = xcalloc(1, sizeof(*run));
			run->test = t;
			run->iteration = c;
			run->attempt = 1;
			queue(r, run);
		}
	}
}

/* A run whose retry never started ends with its last attempt's
 * failures. */
static void last_attempt_out(struct runner *r, struct run *run)
{
	struct assay_repeat_row *x = &r->rs->rows[run->test->index];

	for (size_t i = 0; i < run->last.n; i++)
		result_out(r, run->test, (unsigned)-1, &run->last.v[i]);
	x->runs++;
	x->failed++;
}

/* Tests that never started get a not-run result (once, whatever their
 * copies); a retry that never started leaves its last attempt's
 * failures; iterations of tests that did run are only counted. */
static void not_run(struct runner *r)
{
	const char *sig = sigabbrev_np(r->rs->info.interrupt_signal);
	bool *told = xcalloc(r->t->n + 1, sizeof(*told));
	char *reason;
	struct run *run;

	if (r->rs->info.interrupted)
		reason = xasprintf("not run: the run was interrupted by SIG%s",
				   sig ? sig : "?");
	else
		reason = xasprintf("not run: --until-fail stopped the run at the first failure (%s)",
				   r->stop_id ? r->stop_id : "?");
	while ((run = sched_pop(&r->sched))) {
		struct test *t = run->test;
		if (run->last.n) {
			last_attempt_out(r, run);
			told[t->index] = true;
		} else if (!r->rs->rows[t->index].runs && !told[t->index]) {
			told[t->index] = true;
			verdict_without_job(r, t, ASSAY_NOT_RUN, reason);
		} else {
			r->dropped++;
		}
		/* and the iterations of --repeat it would have queued */
		r->dropped += (r->iterations - run->iteration) / r->copies;
		run_free(run);
	}
	free(reason);
	free(told);
}

static void add_note(struct run_state *rs, char *line)
{
	char *s = xasprintf("%s%s%s", rs->note ? rs->note : "",
			    rs->note ? "\n" : "", line);
	free(rs->note);
	free(line);
	rs->note = s;
}

static void write_schedule(struct runner *r)
{
	char *path = xasprintf("%s/schedule.json", r->o->state_dir);
	struct err e = ERR_INIT;

	if (makespan_write_json(&r->rs->schedule, path, r->o->shuffled, r->o->seed,
				r->o->shard, r->o->nshards, &e) < 0)
		add_note(r->rs, xasprintf("schedule report not written: %s", e.msg));
	free(path);
}

/* History and the schedule's JSON, before RUN_END, so that a problem
 * with them is a note above the last line. */
static void save_state(struct runner *r)
{
	struct run_state *rs = r->rs;
	struct err e = ERR_INIT;

	if (r->o->history && history_save(r->o->history, &e) < 0)
		add_note(rs, xasprintf("history not kept: %s", e.msg));
	if (r->o->state_dir && io_mkdir_p(r->o->state_dir) < 0)
		add_note(rs, xasprintf("schedule report not written: cannot create %s: %s",
				       r->o->state_dir, strerror(errno)));
	else if (r->o->state_dir)
		write_schedule(r);
	rs->info.note = rs->note;
}

/* The schedule's report and, for --repeat/--stress, each test's runs. */
static void sum_up(struct runner *r)
{
	struct run_state *rs = r->rs;
	size_t n = 0;

	makespan_finish(&rs->span, r->o->jobs, &rs->schedule);
	rs->info.schedule = &rs->schedule;
	save_state(r);
	if (r->iterations < 2)
		return;
	rs->repeats = xcalloc(r->t->n + 1, sizeof(*rs->repeats));
	for (size_t i = 0; i < r->t->n; i++) {
		struct assay_repeat_row *x = &rs->rows[i];
		if (!x->runs)
			continue;
		x->struct_size = sizeof(*x);
		x->id = r->t->v[i]->pub.id;
		rs->repeats[n++] = x;
	}
	rs->info.repeats = rs->repeats;
	rs->info.nrepeats = n;
}

/* Run-end notes: processes left behind, logs that could not be kept. */
static void end_notes(struct runner *r)
{
	struct run_state *rs = r->rs;

	orphans_sweep(&rs->note);
	if (r->logs.problem)
		add_note(rs, xstrdup(r->logs.problem));
	if (r->stop && r->dropped)
		add_note(rs, xasprintf("--until-fail: %zu more runs were not started after %s failed",
				       r->dropped, r->stop_id));
	rs->info.note = rs->note;
}

void run_state_release(struct run_state *s)
{
	free(s->note);
	s->note = NULL;
	free(s->rows);
	free(s->repeats);
	s->rows = NULL;
	s->repeats = NULL;
	makespan_release(&s->span);
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
		.repeat = o->repeat, .stress = o->stress, .retries = o->retries,
		.shard = o->shard, .nshards = o->nshards,
		.shuffled = o->shuffled, .seed = o->seed,
	};
	makespan_init(&rs->span);
	rs->rows = xcalloc(t->n + 1, sizeof(*rs->rows));
	r.copies = o->stress ? o->stress : 1;
	r.iterations = r.copies * (o->repeat ? o->repeat : 1);
	r.start_ns = io_now_ns();
	logs_init(&r.logs, o->output_dir, o->keep_logs);
	if ((rc = setup(&r, e)) < 0) {
		teardown(&r);
		return rc;
	}
	emit(&r, ASSAY_EV_RUN_START, NULL, NULL, (unsigned)-1, NULL);
	plan(&r);
	if ((rc = loop_phases(&r, e)) < 0)
		stop_run(&r, SIGTERM);
	not_run(&r);
	end_notes(&r);
	sum_up(&r);
	emit(&r, ASSAY_EV_RUN_END, NULL, NULL, (unsigned)-1, NULL);
	teardown(&r);
	return rc;
}
