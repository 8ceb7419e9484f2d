/* runner.c - see runner.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "binary.h"
#include "bus.h"
#include "gpu.h"
#include "health.h"
#include "hunt.h"
#include "io.h"
#include "logs.h"
#include "loop.h"
#include "order.h"
#include "orphans.h"
#include "results.h"
#include "runner.h"
#include "sched.h"
#include "scratch.h"
#include "watchdog.h"
#include "worker.h"
#include "wrapper.h"
#include "table.h"
#include "task.h"
#include "xalloc.h"

#define DRAIN_NS 1000000000u    /* exit to giving up on a held pipe */
#define BATCH_PER_SLOT 4        /* batches per slot a long program aims at */
#define BATCH_MIN_S 0.05        /* expected seconds worth a process start */
#define BATCH_MIN_SERVED_S 0.002 /* worth a batch on a worker */
#define BATCH_MAX_NAMES (64 * 1024)  /* bytes of case names in one batch:
                                      * a kind may pass them in one
                                      * argument (128 KiB at most) */
#define STUCK_NS 10000000000u   /* SIGKILL to abandoning the process */
#define LOOK_NS 100000000u      /* a hung test's two samples, apart */
#define BACKTRACE_NS 20000000000u       /* all of a hung test's backtraces */
#define ISOLATE_HOLD_MAX 1000   /* failures of one attempt held for a run
                                 * alone; past it, none runs alone */

extern char **environ;

/* What the runner keeps for each slot beside its task. */
struct slot {
	struct attempt *run;
	const char **names;             /* the names of its listed cases */
	bool *reported;                 /* per case: a verdict came */
	struct results held;            /* its results until it ends */
	size_t nres, nskipped;          /* results of this attempt */
	size_t nflaky, nfailed;         /* final results: flaky, failed
	                                 * (not flaky) */
	bool own;                       /* the test's own verdict came */
	bool company;                   /* a task ran as it started */
	size_t next_case;               /* the case of run->cases likely to
	                                 * start next */
	ptrdiff_t current_pos;          /* where its task's current case is
	                                 * in run->cases; -1: unknown */
	uint64_t starts;                /* its task's id: a task started
	                                 * later ran beside it */
	unsigned long san_blamed;       /* sanitizer reports put on cases */
	size_t started;                 /* its cases that began */
	bool asked_back;                /* its worker was asked for work back */
	size_t may_give;                /* cases it may still give back: half
	                                 * of those not begun when asked */
	struct test **given;            /* cases its worker gave back, not
	                                 * queued yet */
	size_t ngiven, given_cap, given_total;
	/* its cases running now (several on a worker's threads), each with
	 * its deadline (0: none): the task's is the earliest */
	struct flight {
		const struct test *x;
		uint64_t until_ns, limit_ns;
	} *flight;
	size_t nflight, flight_cap;
};

struct runner {
	const struct runner_opts *o;
	struct test_table *t;
	struct bus *bus;
	struct loop *loop;
	struct sched sched;
	struct scratch scratch;
	struct watchdog watchdog;       /* kills what a killed assay leaves */
	struct logs logs;
	struct task_env env;
	struct workers workers;         /* the persistent workers of kinds
	                                 * that have them (worker.h) */
	char *debugger;                 /* gdb's path, or NULL */
	unsigned debuggers;             /* running now (proc.c counts) */
	struct task *tasks;             /* one per slot */
	struct task *done_head;         /* tasks whose process ended, to be
	                                 * collected after the loop's phase */
	struct task **done_tail;
	struct loop_timer tick;         /* ASSAY_EV_TICK, when asked for */
	struct slot *slots;
	unsigned running;
	struct attempt_policy policy;   /* --stress copies, iterations in all
	                                 * (--repeat x --stress), stopping,
	                                 * runs alone left */
	struct attempt **alone;         /* failed, waiting to run alone once
	                                 * the parallel phase is over */
	size_t nalone, alone_cap, alone_next;
	bool isolating;                 /* --isolate-failures is on */
	unsigned nparallel_only, ndeterministic;  /* the runs alone's verdicts */
	unsigned not_isolated;          /* failures past the runs alone */
	struct hunt_log hunted;         /* --hunt: what it saw */
	struct health health;           /* the GPUs' canaries; gpus NULL:
	                                 * no GPU in this run */
	char *gpu_lost;                 /* why the last device was lost */
	bool *told;                     /* per test: its not-run result given
	                                 * (drop_run); NULL until one is */
	char *trace_dir;                /* --record: rr's recordings */
	bool stop;                      /* --until-fail saw a failure */
	char *stop_id;                  /* the failed test that stopped it */
	size_t dropped;                 /* runs never started */
	struct run_state *rs;           /* the caller's; rs->info is sent out */
	uint64_t start_ns, tick_ns;
	uint64_t last_task;             /* the id of the last task started */
	int interrupts;                 /* signals received that stop the run */
};

/* ---- events out ---- */

static void emit(struct runner *r, enum assay_event_type type,
		 const struct test *t, const struct assay_result *res,
		 const struct task *task, const struct assay_exit *exit)
{
	struct assay_event ev = {
		.struct_size = sizeof(ev), .type = type, .run = &r->rs->info,
		.test = t ? &t->pub : NULL, .result = res,
		.task = task ? &task->pub : NULL, .exit = exit,
	};

	r->rs->info.elapsed_ns = io_recent_ns() - r->start_ns;
	bus_emit(r->bus, &ev);
}

static enum assay_tally tally_of(const struct runner *r, enum assay_outcome o)
{
	return o == ASSAY_XPASS && r->o->strict_todo ? ASSAY_TALLY_FAILED
						     : assay_outcome_tally(o);
}

/* Keeps the job's whole output on disk (--output-dir), with what a look
 * at its deadline saw at the end of its stderr log, or drops it; once,
 * so a failed result can name the files in its own event. A run alone
 * that does not fail leaves the logs of the failure before it. */
static void settle_logs(struct runner *r, struct task *j, bool keep)
{
	if (j->logs_settled)
		return;
	j->logs_settled = true;
	if (!keep && r->slots[j->slot].run->alone)
		return;
	logs_finish(&r->logs, &j->p->log[0], &j->p->out_view,
		    j->test->pub.id, "stdout", keep);
	logs_finish(&r->logs, &j->p->log[1], &j->p->err_view,
		    j->test->pub.id, "stderr", keep);
	if (keep && j->p->look_report) {      /* what the look saw, too */
		char *text = xasprintf("\n--- assay: looked at before any signal ---\n%s",
				       j->p->look_report);
		logs_add(&r->logs, &j->p->log[1], &j->p->err_view,
			 j->test->pub.id, "stderr", text);
		free(text);
	}
}

/* What the sinks learn from a final result of a listed case. */
static void learn_case(struct runner *r, const struct test *x,
		       const struct assay_result *res)
{
	struct sink_test st = {
		.id = x->pub.id, .duration_s = res->duration_ns / 1e9,
		.outcome = res->tally == ASSAY_TALLY_FAILED && !res->flaky ? 'F' :
			   res->flaky || res->attempt > 1 ? 'K' :
			   res->tally == ASSAY_TALLY_SKIPPED ? 'S' : 'P',
	};

	if (res->outcome != ASSAY_NOT_RUN && res->outcome != ASSAY_INTERRUPTED)
		sinks_test(&r->rs->sinks, &st);
}

/* Counts one result in its column and tells the reporters. */
static void result_out(struct runner *r, const struct test *t,
		       const struct task *task, struct assay_result *res)
{
	struct assay_run_info *info = &r->rs->info;
	size_t *column[] = { &info->passed, &info->failed, &info->skipped,
			     &info->not_run };

	res->tally = res->flaky && r->o->flaky_fails ? ASSAY_TALLY_FAILED
						     : tally_of(r, res->outcome);
	res->task = task ? task->pub.id : 0;
	r->rs->counts[res->outcome]++;
	(*column[res->tally])++;
	info->flaky += res->flaky != 0;
	if (res->tally == ASSAY_TALLY_FAILED && r->o->until_fail && !r->stop) {
		r->stop = true;
		r->stop_id = xstrdup(res->id);
	}
	emit(r, ASSAY_EV_TEST_END, t, res, task, NULL);
}

/* Judges a final result of a run: flaky when it passes where an
 * earlier attempt failed. Returns its tally. */
static enum assay_tally judge_final(const struct runner *r,
				    const struct attempt *run,
				    struct assay_result *res)
{
	res->flaky = attempt_is_flaky(run, res->id, tally_of(r, res->outcome));
	return res->flaky && r->o->flaky_fails ? ASSAY_TALLY_FAILED
					       : tally_of(r, res->outcome);
}

/* A listed case's run under --repeat or --stress is counted by its own
 * final result (a program's, by its task: count_run). */
static void count_case(struct runner *r, const struct test *x,
		       const struct assay_result *res)
{
	struct assay_repeat_row *row = &r->rs->rows[x->index];

	row->runs++;
	row->failed += res->tally == ASSAY_TALLY_FAILED;
	row->skipped += res->tally == ASSAY_TALLY_SKIPPED;
	row->passed += res->tally == ASSAY_TALLY_PASSED;
}

static void final_out(struct runner *r, struct slot *sl, const struct task *task,
		      struct assay_result *res)
{
	enum assay_tally tally = judge_final(r, sl->run, res);
	const char *reason = res->reason;       /* maybe the results' own */
	const char *note = res->note;
	const struct test *x = NULL;
	char why[96], *hunted = NULL, *on_gpus = NULL;
	uint64_t gpus = task ? sched_slot_gpus(&r->sched, task->slot) : 0;

	/* the test its id names: the one the result points at, as a rule */
	if (res->test && sl->run->cases)
		x = res->id == res->test->id ?
		    (const struct test *)((const char *)res->test - offsetof(struct test, pub)) :
		    table_find(r->t, res->id);

	if (res->flaky && tally == ASSAY_TALLY_FAILED && !*res->reason) {
		snprintf(why, sizeof(why),
			 "passed on attempt %u after failing (--flaky-result fail)",
			 res->attempt);
		res->reason = why;
	}
	sl->nflaky += res->flaky != 0;
	sl->nfailed += !res->flaky && tally == ASSAY_TALLY_FAILED;
	r->not_isolated += r->isolating && !sl->run->alone && !res->flaky &&
			   tally == ASSAY_TALLY_FAILED;
	if (task && task->hunt.seed && tally == ASSAY_TALLY_FAILED)
		res->note = hunted = hunt_log_failure(&r->hunted,
						      (x ? x : sl->run->test)->index,
						      &task->hunt, task->trace, res->note);
	if (gpus && tally == ASSAY_TALLY_FAILED)        /* where it failed */
		res->note = on_gpus = gpu_note(r->o->gpus, gpus, res->note);
	res->alone = sl->run->alone;
	result_out(r, sl->run->test, task, res);
	if (x) {
		learn_case(r, x, res);
		count_case(r, x, res);
	}
	res->reason = reason;
	res->note = note;
	free(hunted);
	free(on_gpus);
}

static void verdict_without_job(struct runner *r, const struct test *t,
				enum assay_outcome o, const char *reason)
{
	struct assay_result res = {
		.struct_size = sizeof(res), .id = t->pub.id, .test = &t->pub,
		.outcome = o, .reason = reason,
	};

	result_out(r, t, NULL, &res);
}

/* The host's own part of a verdict: a sanitizer report fails what its
 * kind judged by exit status. Reports while a case ran are that case's;
 * the rest are the program's. */
static void sanitize(struct task *j, struct slot *sl, const struct test *x,
		     struct assay_verdict *v, char *reason, size_t n)
{
	bool done = task_is_done(j);

	if (x && (x == j->current || sl->run->ncases == 1) &&
	    j->san.count > j->san_seen) {
		results_sanitize(&j->san, NULL, v, reason, n);
		j->san_seen = sl->san_blamed = j->san.count;
	} else if (!v->case_name && done && j->san.count > sl->san_blamed) {
		results_sanitize(&j->san, &j->p->exit, v, reason, n);
	}
}

/* A timeout the proc looked at: the verdict word joins the reason
 * ("...; deadlock"), and the note gets the whole report under the
 * proc's own note. Returns the note (malloc'd). */
static char *with_look(struct task *j, struct assay_verdict *v, char *reason,
		       size_t n)
{
	const char *look = j->p->look_report;
	size_t word = strcspn(look, ":\n");

	if (reason != v->reason)
		snprintf(reason, n, "%s", v->reason ? v->reason : "timeout");
	snprintf(reason + strlen(reason), n - strlen(reason), "; %.*s",
		 (int)word, look);
	v->reason = reason;
	return xasprintf("%s%slooked at before any signal: %.*s",
			 j->p->note, j->p->note[0] ? "\n" : "",
			 (int)(strlen(look) - (look[strlen(look) - 1] == '\n')), look);
}

/* A test that left processes running as it exited (proc.c killed them):
 * a failure of its own, "leaked-process", when it had passed and its
 * leaks are not allowed; else a note. Returns the note (malloc'd). */
static char *with_leftovers(struct task *j, struct assay_verdict *v,
			    char *reason, size_t n, enum assay_tally tally)
{
	const struct proc *p = j->p;
	char what[64];

	snprintf(what, sizeof(what), "left %zu process%s running after it exited",
		 p->nleft, p->nleft == 1 ? "" : "es");
	if (tally == ASSAY_TALLY_PASSED && !program_of(j->test)->allow_leaks) {
		snprintf(reason, n, "leaked-process: %s (killed; --allow-leaks or leaks = allow lets it pass)",
			 what);
		v->reason = reason;
		v->outcome = ASSAY_FAIL;
		v->classification = "leaked-process";
	}
	return xasprintf("%s%s%s (killed): %s", p->note, p->note[0] ? "\n" : "",
			 what, p->left ? p->left : "");
}

/*
 * What the host knows of a finished process that its kind does not: it
 * printed past --max-output, it went silent (--idle-timeout), what the
 * look saw at its deadline, what it left running. Changes v (its reason
 * into reason) and returns the result's note (malloc'd), or NULL.
 */
static char *host_verdict(struct runner *r, struct task *j,
			  struct assay_verdict *v, char *reason, size_t n)
{
	const struct proc *p = j->p;

	if (!task_is_done(j))
		return NULL;
	if (p->flooded && !v->case_name) {
		snprintf(reason, n,
			 "output-flood: printed more than %" PRIu64 " bytes (--max-output); killed",
			 r->o->max_output);
		v->reason = reason;
		v->outcome = ASSAY_FAIL;
		v->classification = "output-flood";
	}
	if (v->outcome == ASSAY_TIMEOUT && p->idle) {
		snprintf(reason, n, "hung: no output for %gs (--idle-timeout)",
			 r->o->idle_timeout_s);
		v->reason = reason;
	}
	if (v->outcome == ASSAY_TIMEOUT && p->look_report)
		return with_look(j, v, reason, n);
	if (!v->case_name && p->nleft)
		return with_leftovers(j, v, reason, n, tally_of(r, v->outcome));
	return NULL;
}

/* The classification of a failure beside others that passed alone. */
static const char parallel_only[] = "parallel-only";

/* The failure of an earlier attempt of run at id, or NULL. */
static const struct assay_result *failure_before(const struct attempt *run,
						 const char *id)
{
	for (size_t i = 0; i < run->last.n; i++)
		if (!strcmp(run->last.v[i].id, id))
			return &run->last.v[i];
	return NULL;
}

/*
 * What becomes of a result of run as it comes: held while a retry may
 * come; a failure held while a run alone may (--isolate-failures); in
 * a run alone, what failed before held to its end, a new failure sent,
 * the rest dropped (it went out in the parallel phase); else sent.
 */
enum hold { HOLD, SEND, DROP };

static enum hold hold_or_send(const struct runner *r, const struct attempt *run,
			      const struct assay_result *res,
			      enum assay_tally tally)
{
	if (attempt_holds(run))
		return HOLD;
	if (run->alone && attempt_failed_before(run, res->id))
		return HOLD;
	if (run->alone)
		return tally == ASSAY_TALLY_FAILED ? SEND : DROP;
	return tally == ASSAY_TALLY_FAILED && attempt_may_isolate(run, &r->policy)
	       ? HOLD : SEND;
}

static void flush_held(struct runner *r, struct task *j, bool retry,
		       bool alone);

/* The earliest deadline of sl's running cases, or NULL. */
static const struct flight *first_due(const struct slot *sl)
{
	const struct flight *first = NULL;

	for (size_t i = 0; i < sl->nflight; i++)
		if (sl->flight[i].until_ns &&
		    (!first || sl->flight[i].until_ns < first->until_ns))
			first = &sl->flight[i];
	return first;
}

/* j's deadline: the earliest of its running cases' (none: unchanged). */
static void set_deadline(struct task *j, const struct slot *sl)
{
	const struct flight *f = first_due(sl);

	if (sl->nflight && proc_is_running(j->p))
		proc_set_deadline(j->p, f ? f->until_ns : 0, f ? f->limit_ns : 0);
}

/* x has its verdict: it runs no more; the task's deadline is the next
 * running case's. */
static void case_ended(struct task *j, struct slot *sl, const struct test *x)
{
	for (size_t i = 0; i < sl->nflight; i++)
		if (sl->flight[i].x == x) {
			sl->flight[i] = sl->flight[--sl->nflight];
			set_deadline(j, sl);
			return;
		}
}

/* ctx->report: a kind's verdict on the task's test or one of its cases. */
static void on_verdict(struct assay_job_ctx *ctx, const struct assay_verdict *kv)
{
	struct task *j = ctx->host;
	struct runner *r = j->owner;
	struct slot *sl = &r->slots[j->slot];
	struct attempt *run = sl->run;
	struct assay_verdict v = { 0 };
	char *case_id = NULL;
	ptrdiff_t pos = -1;
	const struct test *x;
	bool done = task_is_done(j);
	char reason[768];
	enum assay_tally tally;
	struct assay_result res;
	char *note = NULL;

	/* what the kind's struct holds; fields it predates stay 0 */
	memcpy(&v, kv, kv->struct_size < sizeof(v) ? kv->struct_size : sizeof(v));
	if (v.case_name && j->current &&
	    !strcmp(j->current->pub.case_name, v.case_name))    /* the usual */
		pos = sl->current_pos >= 0 && run->cases[sl->current_pos] == j->current ?
		      sl->current_pos : attempt_case_pos(run, j->current);
	if (v.case_name && pos < 0) {
		case_id = xasprintf("%s::%s", program_of(j->test)->pub.id, v.case_name);
		pos = attempt_case_pos(run, table_find(r->t, case_id));
	}
	if (v.case_name && run->cases && pos < 0) {
		/* a listed program's verdict on a case this task did not run
		 * (another batch's): not this task's to give */
		free(case_id);
		return;
	}
	x = pos >= 0 ? run->cases[pos] : NULL;
	if (x && !done)
		case_ended(j, sl, x);
	/* a case reported twice (two tests of one name) is two results:
	 * none is dropped */
	if (pos >= 0)
		sl->reported[pos] = true;
	if ((unsigned)v.outcome >= ASSAY_OUTCOME_COUNT)
		v.outcome = ASSAY_ERROR;
	sl->own |= !v.case_name;
	sanitize(j, sl, x, &v, reason, sizeof(reason));
	note = host_verdict(r, j, &v, reason, sizeof(reason));
	tally = tally_of(r, v.outcome);
	res = (struct assay_result){
		.struct_size = sizeof(res),
		.id = x ? x->pub.id : case_id ? case_id : program_of(j->test)->pub.id,
		.test = x ? &x->pub : &j->test->pub,
		.outcome = v.outcome,
		.reason = v.reason ? v.reason : "",
		.duration_ns = v.duration_ns ? v.duration_ns : done ? j->p->exit.duration_ns
				    : io_now_ns() - j->p->start_ns,
		.exit = done ? &j->p->exit : NULL,
		.note = note ? note : done && j->p->note[0] ? j->p->note : NULL,
	};
	res.output = v.output;
	res.output_len = v.output ? v.output_len : 0;
	res.diag = v.diag;
	res.classification = v.classification;
	res.iteration = run->iteration;
	res.iterations = r->policy.iterations;
	res.attempt = run->attempt;
	j->verdicts++;
	sl->nres++;
	sl->nskipped += tally == ASSAY_TALLY_SKIPPED;
	j->failed |= tally == ASSAY_TALLY_FAILED;
	switch (hold_or_send(r, run, &res, tally)) {
	case HOLD:
		results_add(&sl->held, &res);
		if (sl->held.n > ISOLATE_HOLD_MAX && !attempt_holds(run) &&
		    !run->alone) {      /* too many to hold for a run alone */
			run->no_alone = true;
			flush_held(r, j, false, false);
		}
		break;
	case SEND:
		if (done && judge_final(r, run, &res) == ASSAY_TALLY_FAILED)
			settle_logs(r, j, true);
		final_out(r, sl, j, &res);
		j->failed |= res.tally == ASSAY_TALLY_FAILED;
		break;
	case DROP:
		break;
	}
	free(case_id);
	free(note);
}

/* ctx->case_start: a case of the task began; its deadline starts now. */
static void on_case_start(struct assay_job_ctx *ctx, const char *name)
{
	struct task *j = ctx->host;
	struct runner *r = j->owner;
	struct slot *sl = &r->slots[j->slot];
	const struct attempt *run = sl->run;
	struct test *x = NULL;
	double limit;
	uint64_t limit_ns, until_ns;

	/* most kinds run a batch's cases in the order they were given */
	if (sl->next_case < run->ncases &&
	    !strcmp(run->cases[sl->next_case]->pub.case_name, name)) {
		sl->current_pos = (ptrdiff_t)sl->next_case;
		x = run->cases[sl->next_case++];
	} else {
		char *id = xasprintf("%s::%s", program_of(j->test)->pub.id, name);
		ptrdiff_t pos = attempt_case_pos(run, x = table_find(r->t, id));

		free(id);
		sl->current_pos = pos;
		sl->next_case = pos >= 0 ? (size_t)pos + 1 : 0;
	}
	sl->started++;
	limit = x ? x->pub.timeout_s : j->test->pub.timeout_s;
	limit_ns = limit > 0 ? (uint64_t)(limit * 1e9) : 0;
	until_ns = limit_ns ? io_recent_ns() + limit_ns : 0;
	j->current = x;
	j->san_seen = j->san.count;
	if (x) {
		xgrow((void **)&sl->flight, &sl->flight_cap, sl->nflight + 1,
		      sizeof(*sl->flight));
		sl->flight[sl->nflight++] = (struct flight){ x, until_ns, limit_ns };
		set_deadline(j, sl);
	} else if (proc_is_running(j->p)) {     /* not one of the batch's */
		proc_set_deadline(j->p, until_ns, limit_ns);
	}
	emit(r, ASSAY_EV_CASE_START, x, NULL, j, NULL);
}

/* Where the case name of j's program is among its attempt's cases; -1:
 * it is not one of them. */
static ptrdiff_t case_pos(struct runner *r, const struct task *j, const char *name)
{
	char *id = xasprintf("%s::%s", program_of(j->test)->pub.id, name);
	ptrdiff_t pos = attempt_case_pos(r->slots[j->slot].run, table_find(r->t, id));

	free(id);
	return pos;
}

/* ctx->give_back: the task's worker will not run this case: it is
 * queued again (flush_given), in the task's iteration. */
static void on_give_back(struct assay_job_ctx *ctx, const char *name)
{
	struct task *j = ctx->host;
	struct runner *r = j->owner;
	struct slot *sl = &r->slots[j->slot];
	ptrdiff_t pos = case_pos(r, j, name);

	/* what it was not asked for is not taken: a worker that gives back
	 * all it has, again and again, would run nothing */
	if (pos < 0 || sl->reported[pos] || !sl->may_give)
		return;
	sl->may_give--;
	sl->reported[pos] = true;
	xgrow((void **)&sl->given, &sl->given_cap, sl->ngiven + 1, sizeof(*sl->given));
	sl->given[sl->ngiven++] = sl->run->cases[pos];
	sl->given_total++;
}

static void queue(struct runner *r, struct attempt *run);

/* The cases the slot's worker gave back, queued as a run of their own. */
static void flush_given(struct runner *r, struct slot *sl)
{
	if (!sl->ngiven)
		return;
	queue(r, attempt_rest(sl->run, sl->given, sl->ngiven));
	sl->ngiven = 0;
}

/* A slot is free and nothing waits: the worker with the most cases not
 * begun yet is asked for some back (work stealing; each task once). */
static void ask_back(struct runner *r)
{
	struct slot *best = NULL;
	size_t most = 1;
	unsigned at = 0;

	if (r->interrupts || r->stop || r->running >= r->o->jobs || sched_queued(&r->sched))
		return;
	for (unsigned s = 0; s < r->o->jobs; s++) {
		struct slot *sl = &r->slots[s];
		size_t left;

		if (!sl->run || !sl->run->cases || sl->asked_back || !r->tasks[s].worker)
			continue;
		left = sl->run->ncases - sl->started - sl->given_total;
		if (left > most) {
			most = left;
			best = sl;
			at = s;
		}
	}
	if (best && task_ask_back(&r->tasks[at])) {
		best->asked_back = true;
		best->may_give = (most + 1) / 2;
	}
}

/* ctx->rerun: a case the task's process ended in, beside others, that
 * its kind cannot judge: it runs again, alone. */
static void on_rerun(struct assay_job_ctx *ctx, const char *name)
{
	struct task *j = ctx->host;
	struct runner *r = j->owner;
	struct slot *sl = &r->slots[j->slot];
	ptrdiff_t pos = case_pos(r, j, name);

	if (pos < 0 || sl->reported[pos] || r->interrupts)
		return;
	sl->reported[pos] = true;
	sl->given_total++;      /* not a verdict, but not the kind's silence */
	queue(r, attempt_rest(sl->run, &sl->run->cases[pos], 1));
}

/* ctx->job_done: the kind says the task's job on its worker is over. */
static void on_job_done(struct assay_job_ctx *ctx)
{
	task_job_done(ctx->host);
}

/* ---- phases ---- */

/* The timeout of a run's first process: its test's, or for a batch the
 * sum of its cases' (each case restarts it when it begins); 0: none. */
static uint64_t timeout_of(const struct attempt *run)
{
	double s = 0;

	if (!run->cases)
		s = run->test->pub.timeout_s;
	for (size_t i = 0; i < run->ncases; i++) {
		if (run->cases[i]->pub.timeout_s <= 0)
			return 0;
		s += run->cases[i]->pub.timeout_s;
	}
	return s > 0 ? (uint64_t)(s * 1e9) : 0;
}

/* What a run needs of the scheduler: its test's, or its first case's
 * (a batch's cases all need the same). */
static const struct sched_need *need_of(const struct attempt *run)
{
	return run->cases ? &run->cases[0]->need : &run->test->need;
}

static void start_job(struct runner *r, struct attempt *run, unsigned slot)
{
	struct task *j = &r->tasks[slot];
	struct slot *sl = &r->slots[slot];

	j->ctx = (struct assay_job_ctx){ .struct_size = sizeof(j->ctx),
					 .test = &run->test->pub, .host = j,
					 .report = on_verdict, .task = &j->pub,
					 .case_start = on_case_start,
					 .job_done = on_job_done,
					 .give_back = on_give_back,
					 .rerun = on_rerun };
	j->owner = r;
	attempt_dispatch(run, AEV_START, &r->policy);
	run->solo = false;      /* not known until it ends */
	*sl = (struct slot){ .run = run, .held = sl->held,
			     .company = r->running > 0, .starts = r->last_task + 1 };
	if (run->cases) {
		sl->names = xcalloc(run->ncases + 1, sizeof(*sl->names));
		sl->reported = xcalloc(run->ncases, sizeof(*sl->reported));
		for (size_t i = 0; i < run->ncases; i++)
			sl->names[i] = run->cases[i]->pub.case_name;
	}
	r->running++;
	if (r->o->hunt)
		hunt_plan(r->o->hunt, run->test->pub.id, run->iteration, &j->hunt);
	if (sched_slot_gpus(&r->sched, slot))
		j->gpu_env = gpu_env(r->o->gpus, sched_slot_gpus(&r->sched, slot),
				     need_of(run)->gpu_whole, r->o->gpu_slots);
	task_start(j, run->test, ++r->last_task, sl->names, run->ncases,
		   run->attempt, timeout_of(run));
	j->ctx.task = &j->pub;
	emit(r, ASSAY_EV_TASK_START, run->test, NULL, j, NULL);
}

static void fill_slots(struct runner *r)
{
	struct attempt *run;
	unsigned slot;

	while (!r->interrupts && !r->stop &&
	       (run = sched_next(&r->sched, &slot)))
		start_job(r, run, slot);
	ask_back(r);
}

static void drop_stranded(struct runner *r, struct attempt *run);

/* The priority and need of a run: its test's, or the sum of its cases'
 * priorities (expected slot-seconds) with its first case's need. One
 * that needs more GPUs than are left never runs. */
static void queue(struct runner *r, struct attempt *run)
{
	double prio = run->cases ? 0 : run->test->priority;

	if (need_of(run)->gpus && need_of(run)->gpus > sched_gpus_live(&r->sched, need_of(run))) {
		drop_stranded(r, run);
		return;
	}
	for (size_t i = 0; i < run->ncases; i++)
		prio += run->cases[i]->priority;
	sched_push(&r->sched, run, prio, need_of(run));
}

/* Whether the held results of a final attempt fail its task (a flaky
 * one may, with --flaky-result fail), before they are sent. */
static bool held_fails(const struct runner *r, const struct slot *sl)
{
	bool failed = false;

	for (size_t i = 0; i < sl->held.n; i++)
		failed |= judge_final(r, sl->run, &sl->held.v[i]) == ASSAY_TALLY_FAILED;
	return failed;
}

/* Whether a retry of the run runs only the listed cases that failed:
 * none of the held results is the program's own failure. */
static bool retry_cases_only(const struct runner *r, const struct slot *sl)
{
	const char *program = program_of(sl->run->test)->pub.id;

	if (!sl->run->cases)
		return false;
	for (size_t i = 0; i < sl->held.n; i++)
		if (!strcmp(sl->held.v[i].id, program) &&
		    tally_of(r, sl->held.v[i].outcome) == ASSAY_TALLY_FAILED)
			return false;
	return true;
}

static int cmp_result_id(const void *a, const void *b)
{
	return strcmp((*(struct assay_result *const *)a)->id,
		      (*(struct assay_result *const *)b)->id);
}

/*
 * Sends the results of a run alone (--isolate-failures) of what failed
 * beside other tests, held to its end. A failure again is deterministic.
 * A test that did not fail alone keeps its earlier failure's outcome
 * (parallel-only when it passed; else the outcome alone is named), once;
 * so does one the run alone gave no result for. What did not fail
 * before went out already: only a new failure goes out again.
 */
static void settle_alone(struct runner *r, struct task *j)
{
	struct slot *sl = &r->slots[j->slot];
	struct results *h = &sl->held;
	struct assay_result **v = xmalloc((h->n + 1) * sizeof(*v));
	char reason[1024];

	for (size_t i = 0; i < h->n; i++)
		v[i] = &h->v[i];
	qsort(v, h->n, sizeof(*v), cmp_result_id);
	for (size_t i = 0, end; i < h->n; i = end) {
		const struct assay_result *before = failure_before(sl->run, v[i]->id);
		bool failed = false;
		for (end = i; end < h->n && !strcmp(v[end]->id, v[i]->id); end++)
			failed |= tally_of(r, v[end]->outcome) == ASSAY_TALLY_FAILED;
		for (size_t k = i; k < end && failed; k++) {
			struct assay_result out = *v[k];
			if (tally_of(r, out.outcome) != ASSAY_TALLY_FAILED)
				continue;
			if (before) {
				snprintf(reason, sizeof(reason), "%s%sdeterministic: it failed again when rerun alone",
					 out.reason, *out.reason ? "; " : "");
				out.reason = reason;
				r->ndeterministic++;
			}
			final_out(r, sl, j, &out);
		}
		if (!failed && before) {
			struct assay_result out = *v[i];
			bool passed = tally_of(r, out.outcome) == ASSAY_TALLY_PASSED;
			snprintf(reason, sizeof(reason), "%s%s%s%s", before->reason,
				 *before->reason ? "; " : "",
				 passed ? "parallel-only: it passed when rerun alone"
					: "rerun alone: ",
				 passed ? "" : assay_outcome_name(out.outcome));
			out.reason = reason;
			out.outcome = before->outcome;
			out.classification = passed ? parallel_only
						    : before->classification;
			out.exit = NULL;        /* not the output of a pass */
			out.output = out.diag = NULL;
			out.output_len = 0;
			r->nparallel_only += passed;
			final_out(r, sl, j, &out);
		}
	}
	for (size_t i = 0; i < sl->run->last.n; i++) {
		struct assay_result out = sl->run->last.v[i], key = { .id = out.id };
		const struct assay_result *k = &key;
		if (bsearch(&k, v, h->n, sizeof(*v), cmp_result_id))
			continue;
		snprintf(reason, sizeof(reason), "%s%sthe run alone gave no result",
			 out.reason, *out.reason ? "; " : "");
		out.reason = reason;
		final_out(r, sl, j, &out);
	}
	j->failed = sl->nfailed > 0;
	free(v);
	results_clear(h);
}

/* Sends what an attempt held: its failures as retried (remembered, in
 * case the retry never starts; alone: the next attempt runs alone), or
 * everything as the run's final results. What did not fail in an attempt
 * that is retried is final when the retry runs only the failed cases,
 * and is dropped when the retry runs the whole program again (it will
 * say it again). */
static void flush_held(struct runner *r, struct task *j, bool retry,
		       bool alone)
{
	struct slot *sl = &r->slots[j->slot];
	struct attempt *run = sl->run;
	bool passes_final = retry && retry_cases_only(r, sl);
	struct results failed = { 0 };

	if (run->alone) {
		settle_alone(r, j);
		return;
	}
	for (size_t i = 0; i < sl->held.n; i++) {
		struct assay_result *res = &sl->held.v[i];
		res->tally = tally_of(r, res->outcome);
		if (!retry || (passes_final && res->tally != ASSAY_TALLY_FAILED)) {
			final_out(r, sl, j, res);
			continue;
		}
		if (res->tally != ASSAY_TALLY_FAILED)
			continue;
		res->task = j->pub.id;
		res->alone = alone;
		emit(r, ASSAY_EV_TEST_RETRY, run->test, res, j, NULL);
		res->exit = NULL;               /* the task is cleared next */
		results_add(&failed, res);
	}
	if (retry)
		attempt_keep_failures(run, &failed);
	results_release(&failed);
	results_clear(&sl->held);
}

/* What the sinks learn from a task that ran: its span, and for a
 * program its outcome (a listed case's is its own result). */
static void learn(struct runner *r, const struct task *j, bool final)
{
	const struct slot *sl = &r->slots[j->slot];
	const struct test *t = j->test;
	const struct proc *p = j->p;
	const struct test *first = sl->run->cases ? sl->run->cases[0] : t;
	struct sink_task st = { .id = t->pub.id, .start_ns = p->start_ns,
				.end_ns = p->end_ns,
				.weight = first->need.weight ? first->need.weight : 1 };
	struct sink_test outcome = {
		.id = t->pub.id, .duration_s = (p->end_ns - p->start_ns) / 1e9,
		.outcome = sl->nfailed ? 'F' : sl->nflaky || sl->run->attempt > 1 ? 'K' :
			   sl->nres && sl->nres == sl->nskipped ? 'S' : 'P',
	};

	if (p->spawn_errno || p->cancelled)
		return;
	sinks_task(&r->rs->sinks, &st);
	if (final && !sl->run->cases)
		sinks_test(&r->rs->sinks, &outcome);
}

/* Counts a finished iteration of its test (--repeat, --stress). */
static void count_run(struct runner *r, const struct task *j)
{
	const struct slot *sl = &r->slots[j->slot];
	struct assay_repeat_row *x = &r->rs->rows[j->test->index];

	if (sl->run->cases)
		return;                 /* counted case by case */
	x->runs++;
	if (j->failed)
		x->failed++;
	else if (sl->nres && sl->nres == sl->nskipped)
		x->skipped++;
	else
		x->passed++;
}

/* The verdict the host gives a case of a batch that its kind never
 * reported: v is filled, reason written to buf. */
static void unreported_verdict(const struct task *j, struct assay_verdict *v,
			       char *buf, size_t n)
{
	const struct assay_exit *ex = &j->p->exit;

	v->classification = NULL;
	switch (ex->how) {
	case ASSAY_CANCELLED:
		v->outcome = ASSAY_NOT_RUN;
		snprintf(buf, n, "not run: the run was interrupted before this case");
		break;
	case ASSAY_SPAWN_FAILED:
		v->outcome = ASSAY_ERROR;
		v->classification = "not-runnable";
		snprintf(buf, n, "cannot execute: %s%s%s", strerror(ex->code),
			 j->p->note[0] ? ": " : "", j->p->note);
		break;
	case ASSAY_SIGNALED:
		v->outcome = ASSAY_CRASH;
		snprintf(buf, n, "its program crashed (%s) before it reached this case",
			 sigabbrev_np(ex->code) ? sigabbrev_np(ex->code) : "signal");
		break;
	case ASSAY_TIMED_OUT:
		v->outcome = ASSAY_TIMEOUT;
		snprintf(buf, n, "its program timed out before it reached this case");
		break;
	default:
		v->outcome = ASSAY_FAIL;
		v->classification = "not-reported";
		snprintf(buf, n, "listed, but its program never reported it (exit code %d)",
			 ex->code);
		break;
	}
	v->reason = buf;
}

/* The cases of a batch its kind left without a verdict: after a crash, a
 * timeout or an exit (any status) that came once the program had got to
 * some case (the kind judged it, gave it back, or asked that it run
 * again: the one that crashed or called exit() is judged by its kind),
 * they run again in a new process (the same attempt); otherwise the
 * host judges them. Each time fewer are left, so this ends. */
static void settle_cases(struct runner *r, struct task *j)
{
	struct slot *sl = &r->slots[j->slot];
	struct attempt *run = sl->run;
	enum assay_exit_how how = j->p->exit.how;
	struct test **left = xmalloc((run->ncases + 1) * sizeof(*left));
	size_t n = 0;
	char buf[512];

	for (size_t i = 0; i < run->ncases; i++)
		if (!sl->reported[i])
			left[n++] = run->cases[i];
	if (!n) {
		free(left);
		return;
	}
	if ((how == ASSAY_SIGNALED || how == ASSAY_TIMED_OUT || how == ASSAY_EXITED) &&
	    n < run->ncases && !r->interrupts) {
		queue(r, attempt_rest(run, left, n));
		free(left);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct assay_verdict v = { .struct_size = sizeof(v),
					   .case_name = left[i]->pub.case_name };
		unreported_verdict(j, &v, buf, sizeof(buf));
		on_verdict(&j->ctx, &v);
	}
	free(left);
}

/* Adds line (taken) to the notes that end the run. */
static void add_note(struct run_state *rs, char *line)
{
	char *s = xasprintf("%s%s%s", rs->note ? rs->note : "",
			    rs->note ? "\n" : "", line);
	free(rs->note);
	free(line);
	rs->note = s;
}

/* ---- the GPUs' health ---- */

/* The devices of gpus took a test that crashed or timed out: each is
 * drained until its canary says whether it is still well (one lost
 * already stays lost). */
static void gpu_broken(struct runner *r, uint64_t gpus, const struct test *t,
		       const struct assay_exit *ex)
{
	char *after = xasprintf("%s %s", t->pub.id, ex->how == ASSAY_TIMED_OUT ?
				"timed out on it" : "crashed on it");

	for (unsigned d = 0; d < r->o->gpus->n; d++)
		if (gpus >> d & 1 && r->sched.gpu_state[d] != SCHED_GPU_LOST) {
			sched_gpu_set(&r->sched, d, SCHED_GPU_DRAINING);
			health_check(&r->health, d, after);
		}
	free(after);
}

/* The canaries that ended: a device that passed takes tests again; one
 * that failed is quarantined, and what needs more devices than are left
 * is not run. */
static void settle_health(struct runner *r)
{
	const char *why, *after;
	struct attempt *run;
	unsigned d;

	while (r->health.dev && health_next(&r->health, &d, &why, &after)) {
		const struct gpu_device *g = &r->o->gpus->v[d];
		char *note;

		if (!why) {
			note = xasprintf("assay: GPU %s (%s) passed its canary after %s",
					 g->id, g->uuid, after);
			sched_gpu_set(&r->sched, d, SCHED_GPU_OPEN);
		} else {
			free(r->gpu_lost);
			r->gpu_lost = xasprintf("GPU %s (%s) quarantined: its canary failed after %s: %s",
						g->id, g->uuid, after, why);
			note = xasprintf("assay: %s", r->gpu_lost);
			sched_gpu_set(&r->sched, d, SCHED_GPU_LOST);
			while ((run = sched_gpu_stranded(&r->sched)))
				drop_stranded(r, run);
		}
		add_note(r->rs, note);
	}
}

/* Judges a finished task through its kind and the host, frees its
 * slot, and queues what comes next for its test: a retry, or the next
 * iteration. */
static void collect(struct runner *r, struct task *j)
{
	const struct assay_kind *k = j->test->kind;
	struct slot *sl = &r->slots[j->slot];
	struct attempt *run = sl->run;
	const struct flight *due;
	enum attempt_event ev;
	enum attempt_state next;
	bool retry, held;
	uint64_t gpus;

	sanitizer_finish(&j->san);
	if (j->p->exit.how == ASSAY_TIMED_OUT && (due = first_due(sl)))
		j->ctx.timed_out_case = due->x->pub.case_name;
	if (j->begun) {
		k->job_end(j->kind_state, &j->p->exit, &j->ctx);
	} else {
		struct assay_verdict v = { .struct_size = sizeof(v),
					   .outcome = ASSAY_ERROR,
					   .classification = "not-runnable",
					   .reason = j->p->note };
		on_verdict(&j->ctx, &v);
	}
	flush_given(r, sl);
	if (run->cases)
		settle_cases(r, j);
	/* what the program's own verdict carries: give it one */
	if (!sl->own && (j->san.count > sl->san_blamed || j->p->nleft ||
			  j->p->flooded)) {
		struct assay_verdict v = { .struct_size = sizeof(v),
					   .outcome = ASSAY_PASS, .reason = "" };
		on_verdict(&j->ctx, &v);
	}
	if (!j->verdicts && !sl->given_total) {
		struct assay_verdict v = {
			.struct_size = sizeof(v), .outcome = ASSAY_ERROR,
			.reason = "its kind reported no verdict (a plugin bug)",
		};
		on_verdict(&j->ctx, &v);
	}
	r->policy.stopping = r->interrupts || r->stop;
	run->solo = !sl->company && r->last_task == sl->starts;
	ev = j->p->cancelled ? AEV_CANCELLED : j->failed ? AEV_FAILED : AEV_PASSED;
	next = attempt_next(run, ev, &r->policy);
	retry = next == ATTEMPT_RETRYING || next == ATTEMPT_ALONE;
	held = attempt_holds(run) || sl->held.n || run->alone;
	if (attempt_holds(run) && !retry)
		j->failed = held_fails(r, sl);
	settle_logs(r, j, j->failed && (!retry || next == ATTEMPT_ALONE));
	if (held)
		flush_held(r, j, retry, next == ATTEMPT_ALONE);
	learn(r, j, !retry);
	if (!retry)
		count_run(r, j);
	emit(r, ASSAY_EV_TASK_END, j->test, NULL, j, &j->p->exit);
	if (j->trace && !hunt_log_kept(&r->hunted, j->trace))
		(void)scratch_remove(j->trace);
	gpus = sched_slot_gpus(&r->sched, j->slot);
	if (gpus && (j->p->exit.how == ASSAY_SIGNALED ||
		     j->p->exit.how == ASSAY_TIMED_OUT))
		gpu_broken(r, gpus, j->test, &j->p->exit);
	task_clear(j);
	sched_release_slot(&r->sched, j->slot);
	sl->run = NULL;
	free(sl->names);
	free(sl->reported);
	free(sl->given);
	free(sl->flight);
	sl->names = NULL;
	sl->reported = NULL;
	sl->given = NULL;
	sl->flight = NULL;
	r->running--;
	next = attempt_dispatch(run, ev, &r->policy);
	if (next == ATTEMPT_ALONE) {
		r->policy.isolate_left--;
		xgrow((void **)&r->alone, &r->alone_cap, r->nalone + 1,
		      sizeof(*r->alone));
		r->alone[r->nalone++] = run;
	} else if (next == ATTEMPT_RETRYING || next == ATTEMPT_QUEUED) {
		queue(r, run);
	} else {
		attempt_free(run);
	}
}

/* A task's run ended: it is collected after the loop's phase, never
 * from inside it. */
static void on_task_done(struct task *j)
{
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

	struct assay_run_info *info = &r->rs->info;

	if (!info->interrupted) {
		info->interrupted = 1;
		info->interrupt_signal = signo;
	}
	for (unsigned s = 0; s < r->o->jobs; s++)
		if (!task_is_done(&r->tasks[s]))       /* (a worker's that ended
							 * its run is not stopped) */
			proc_dispatch(r->tasks[s].p, ev, now);
	workers_signal(&r->workers, ev);
	if (r->health.dev)
		health_stop(&r->health);
	info->interrupts = r->interrupts;
	info->kill_at_ns = ev == EV_CANCEL && r->running ?
			   now - r->start_ns + (uint64_t)(r->o->grace_s * 1e9) : 0;
	emit(r, ASSAY_EV_TICK, NULL, NULL, NULL, NULL);  /* say so now */
}

static void on_tick(struct loop_timer *t)
{
	struct runner *r = t->arg;

	emit(r, ASSAY_EV_TICK, NULL, NULL, NULL, NULL);
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
		/* the parallel phase is over: what failed in it, one by one */
		if (!r->running && !sched_queued(&r->sched) && !r->interrupts &&
		    !r->stop && r->alone_next < r->nalone) {
			queue(r, r->alone[r->alone_next++]);
			continue;
		}
		if (!r->running && !r->health.running &&
		    (r->interrupts || r->stop || !sched_queued(&r->sched))) {
			/* nothing left for the workers: closed, and waited for */
			workers_close_idle(&r->workers);
			if (!workers_tidy(&r->workers)) {
				for (char *s = r->workers.left, *nl; s && *s; s = nl + 1) {
					nl = s + strcspn(s, "\n");
					add_note(r->rs, xasprintf("assay: %.*s", (int)(nl - s), s));
					if (!*nl)
						break;
				}
				free(r->workers.left);
				r->workers.left = NULL;
				return 0;
			}
		}
		if ((rc = loop_run_once(r->loop, UINT64_MAX, e)) < 0)
			return rc;
		collect_done(r);
		for (unsigned s = 0; s < r->o->jobs; s++)
			if (r->slots[s].run)
				flush_given(r, &r->slots[s]);
		settle_health(r);
		workers_tidy(&r->workers);
	}
}

/* ---- set-up and tear-down ---- */

static int setup(struct runner *r, struct err *e)
{
	int rc;

	/* the watchdog forks: before the scratch janitor's thread */
	if ((rc = watchdog_start(&r->watchdog, e)) < 0)
		return rc;
	if ((rc = scratch_open(&r->scratch, !r->o->shared_home, e)) < 0)
		return rc;
	if ((rc = loop_new(&r->loop, e)) < 0)
		return rc;
	if (orphans_adopt() < 0)
		return err_set(e, ERR_SYS, "cannot become a child subreaper");
	r->env.base_env = environ;
	loop_on_signal(r->loop, stop_run, r);
	r->debugger = r->o->backtrace ? io_find_program("gdb") : NULL;
	r->env.proc = (struct proc_env){
		.loop = r->loop, .logs = &r->logs,
		.grace_ns = (uint64_t)(r->o->grace_s * 1e9),
		.drain_ns = DRAIN_NS, .stuck_ns = STUCK_NS,
		.watchdog = &r->watchdog, .look_ns = LOOK_NS,
		.idle_ns = (uint64_t)(r->o->idle_timeout_s * 1e9),
		.max_output = r->o->max_output,
		.debugger = r->debugger, .backtrace_ns = BACKTRACE_NS,
		.debuggers = &r->debuggers,
		.no_debugger = r->o->backtrace && !r->debugger ?
			"no backtraces: gdb is not installed (install it for them; --no-backtrace drops this line)\n" : NULL,
		.base_env = environ,
	};
	r->env.wrapper = r->o->wrapper;
	r->env.hunt = r->o->hunt;
	if (r->o->hunt && r->o->hunt->rr && r->o->state_dir) {
		r->trace_dir = xasprintf("%s/rr", r->o->state_dir);
		if (io_mkdir_p(r->trace_dir) < 0)
			return err_set(e, ERR_SYS, "--record: cannot make %s for rr's recordings: %s",
				       r->trace_dir, strerror(errno));
	}
	r->env.trace_dir = r->trace_dir;
	r->env.scratch = &r->scratch;
	r->done_tail = &r->done_head;
	sched_init(&r->sched, r->o->jobs);
	for (unsigned i = 0; r->o->pools && i < r->o->pools->n; i++)
		(void)sched_add_pool(&r->sched, r->o->pools->cap[i]);
	if (r->o->gpus && r->o->gpus->n) {
		unsigned slots[SCHED_MAX_GPUS];

		health_init(&r->health, r->o->gpus, &r->env.proc, environ);
		for (size_t i = 0; i < r->o->gpus->n; i++)
			slots[i] = r->o->gpus->v[i].slots ? r->o->gpus->v[i].slots
							   : r->o->gpu_slots;
		sched_set_gpus(&r->sched, (unsigned)r->o->gpus->n, slots);
	}
	r->tasks = xcalloc(r->o->jobs, sizeof(*r->tasks));
	r->slots = xcalloc(r->o->jobs, sizeof(*r->slots));
	workers_init(&r->workers, &r->env.proc, &r->scratch, r->o->jobs,
		     r->o->threads);
	if (r->o->workers)
		r->env.workers = &r->workers;
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
	workers_release(&r->workers);
	free(r->tasks);
	for (unsigned s = 0; r->slots && s < r->o->jobs; s++)
		results_release(&r->slots[s].held);
	free(r->slots);
	free(r->stop_id);
	free(r->alone);
	if (r->health.dev)
		health_release(&r->health);
	free(r->gpu_lost);
	free(r->told);
	hunt_log_release(&r->hunted);
	free(r->trace_dir);
	if (r->sched.free_slots)
		sched_release(&r->sched);
	loop_free(r->loop);
	free(r->debugger);
	watchdog_stop(&r->watchdog);
	scratch_close(&r->scratch);
	logs_release(&r->logs);
}

/* Queues the cases v[0..n) of one program as one batch, as many copies
 * as --stress asks. */
static void queue_batch(struct runner *r, struct test *const *v, size_t n)
{
	for (unsigned c = 1; c <= r->policy.copies; c++)
		queue(r, attempt_new(n == 1 ? v[0] : v[0]->program, v, n, true,
				     c, v[0]->retries));
}

/* Whether two cases are of one suite: their names agree up to the last
 * '.' (gtest's Suite.Test, Inst/Suite.Test/3). */
static bool same_suite(const struct test *a, const struct test *b)
{
	const char *x = a->pub.case_name, *y = b->pub.case_name;
	const char *dx = strrchr(x, '.'), *dy = strrchr(y, '.');
	size_t nx = dx ? (size_t)(dx - x) : strlen(x);
	size_t ny = dy ? (size_t)(dy - y) : strlen(y);

	return nx == ny && !memcmp(x, y, nx);
}

/* Whether two cases need the same of the scheduler (a batch is
 * scheduled by its first case's need). */
static bool same_need(const struct test *a, const struct test *b)
{
	return a->need.weight == b->need.weight &&
	       a->need.gpus == b->need.gpus &&
	       a->need.gpu_whole == b->need.gpu_whole &&
	       a->need.gpu_only == b->need.gpu_only &&
	       a->need.npools == b->need.npools &&
	       !memcmp(a->need.pool, b->need.pool,
		       a->need.npools * sizeof(*a->need.pool));
}

/* Whether cases like x (a listed case) run on its program's workers
 * (worker.h). */
static bool served(const struct runner *r, const struct test *x)
{
	const struct assay_kind *k = x->program->kind;

	/* as task.c's servable: --hunt and GPU tests get a process each */
	return r->o->workers && !r->o->hunt && !x->need.gpus &&
	       k->struct_size >= offsetof(struct assay_kind, serve_spec) +
				 sizeof(k->serve_spec) && k->serve_spec;
}

/* A served program's workers at once: at most r->o->workers of them, a
 * pool of the scheduler's when that is fewer than the slots. */
static void limit_workers(struct runner *r, struct test *const *v, size_t n)
{
	unsigned pool;

	if (r->o->workers >= r->o->jobs)
		return;
	pool = sched_add_pool(&r->sched, r->o->workers);
	for (size_t i = 0; i < n; i++)
		if (v[i]->need.npools < SCHED_MAX_POOLS)
			v[i]->need.pool[v[i]->need.npools++] = pool;
}

/* Guided self-scheduling's next batch: the cost left over twice the
 * workers, at least BATCH_MIN_SERVED_S. */
static double guided_target(double left, unsigned workers)
{
	double t = left / (2.0 * (workers ? workers : 1));

	return t > BATCH_MIN_SERVED_S ? t : BATCH_MIN_SERVED_S;
}

/*
 * Splits the runnable cases v[0..n) of one program into batches, one
 * process each. Automatically: in the order found, each batch holding
 * at most a target of expected seconds, the larger of BATCH_MIN_S (so a
 * process start is worth it) and the program's total over
 * BATCH_PER_SLOT batches per slot (so a long program spreads over every
 * slot); a case longer than the target runs alone. A program whose
 * cases run on workers pays no process start per batch: its batches
 * shrink as its cases are planned (guided self-scheduling), each the
 * cost left over twice its workers, down to BATCH_MIN_SERVED_S, so the
 * big ones go first and the last ones even out the workers' ends. In
 * every mode a batch holds at most BATCH_MAX_NAMES bytes of case names,
 * and cases that need the same of the scheduler (serial, groups).
 */
static void plan_batches(struct runner *r, struct test *const *v, size_t n)
{
	double total = 0, target, acc = 0, left;
	size_t start = 0, names = 0;
	bool guided = served(r, v[0]);
	unsigned workers = r->o->workers < r->o->jobs ? r->o->workers : r->o->jobs;

	if (guided)
		limit_workers(r, v, n);
	for (size_t i = 0; i < n; i++)
		total += v[i]->cost_s;
	left = total;
	target = total / (BATCH_PER_SLOT * (double)r->o->jobs);
	if (target < BATCH_MIN_S)
		target = BATCH_MIN_S;
	if (guided)
		target = guided_target(left, workers);
	for (size_t i = 0; i <= n; i++) {
		bool cut = i == n;
		if (!cut && i > start) {
			switch (r->o->batch) {
			case RUNNER_BATCH_CASE:
				cut = true;
				break;
			case RUNNER_BATCH_SUITE:
				cut = !same_suite(v[i - 1], v[i]);
				break;
			case RUNNER_BATCH_BINARY:
				break;
			default:
				cut = acc + v[i]->cost_s > target;
				break;
			}
			cut |= names + strlen(v[i]->pub.case_name) >= BATCH_MAX_NAMES ||
			       !same_need(v[i - 1], v[i]);
		}
		if (cut && i > start) {
			queue_batch(r, v + start, i - start);
			start = i;
			left -= acc;
			acc = 0;
			names = 0;
			if (guided)
				target = guided_target(left, workers);
		}
		if (i < n) {
			acc += v[i]->cost_s;
			names += strlen(v[i]->pub.case_name) + 1;
		}
	}
}

/* A test that never runs: an error, or a listed case that is skipped. */
static bool settled_early(struct runner *r, struct test *t)
{
	if (t->problem)
		verdict_without_job(r, t, ASSAY_ERROR, t->problem);
	else if (t->skip)
		verdict_without_job(r, t, ASSAY_SKIP, t->skip);
	return t->problem || t->skip;
}

/* Tests that cannot run are errors at once, disabled cases skips; the
 * rest are queued, as many copies as --stress asks, a program's listed
 * cases in batches. */
static void plan(struct runner *r)
{
	struct test **group = xmalloc((r->t->n + 1) * sizeof(*group));

	for (size_t i = 0; i < r->t->n;) {
		struct test *t = r->t->v[i];
		size_t n = 0;
		if (!t->program) {
			i++;
			for (unsigned c = 1; !settled_early(r, t) && c <= r->policy.copies; c++)
				queue(r, attempt_new(t, NULL, 0, false, c, t->retries));
			continue;
		}
		/* a program's cases stand together in the table */
		for (; i < r->t->n && r->t->v[i]->program == t->program; i++)
			if (!settled_early(r, r->t->v[i]))
				group[n++] = r->t->v[i];
		if (n)
			plan_batches(r, group, n);
	}
	free(group);
}

/* A run whose retry never started ends with its last attempt's
 * failures. */
static void last_attempt_out(struct runner *r, struct attempt *run)
{
	for (size_t i = 0; i < run->last.n; i++) {
		struct assay_result *res = &run->last.v[i];
		const struct test *x = run->cases ? table_find(r->t, res->id) : NULL;
		result_out(r, run->test, NULL, res);
		if (x)
			count_case(r, x, res);
	}
	if (!run->cases) {
		r->rs->rows[run->test->index].runs++;
		r->rs->rows[run->test->index].failed++;
	}
}

/* Whether a test still needs its not-run result: it has none yet
 * (r->told keeps those given, whatever their copies). */
static bool untold(struct runner *r, const struct test *t)
{
	bool first;

	if (!r->told)
		r->told = xcalloc(r->t->n + 1, sizeof(*r->told));
	first = !r->rs->rows[t->index].runs && !r->told[t->index];
	r->told[t->index] = true;
	return first;
}

/* A run that will never start: its tests get a not-run result with
 * reason (once, whatever their copies: r->told), a retry leaves its last
 * attempt's failures, iterations of tests that did run are counted. */
static void drop_run(struct runner *r, struct attempt *run, const char *reason)
{
	bool retried = attempt_dispatch(run, AEV_DROPPED, &r->policy) ==
		       ATTEMPT_DONE, any = retried;

	if (retried)
		last_attempt_out(r, run);
	for (size_t i = 0; i < run->ncases; i++)
		if (untold(r, run->cases[i]) && !retried) {
			verdict_without_job(r, run->cases[i], ASSAY_NOT_RUN, reason);
			any = true;
		}
	if (!run->cases && untold(r, run->test) && !retried) {
		verdict_without_job(r, run->test, ASSAY_NOT_RUN, reason);
		any = true;
	}
	r->dropped += !any;
	/* and the iterations of --repeat it would have queued */
	if (!run->cases || run->batch)
		r->dropped += (r->policy.iterations - run->iteration) / r->policy.copies;
	attempt_free(run);
}

/* A run that needs more GPUs than are left: not run (device lost). */
static void drop_stranded(struct runner *r, struct attempt *run)
{
	char *reason = xasprintf("not run (device lost): %s", r->gpu_lost);

	drop_run(r, run, reason);
	free(reason);
}

/* Tests that never started get a not-run result; see drop_run. */
static void not_run(struct runner *r)
{
	const char *sig = sigabbrev_np(r->rs->info.interrupt_signal);
	char *reason;
	struct attempt *run;

	if (r->rs->info.interrupted)
		reason = xasprintf("not run: the run was interrupted by SIG%s",
				   sig ? sig : "?");
	else
		reason = xasprintf("not run: --until-fail stopped the run at the first failure (%s)",
				   r->stop_id ? r->stop_id : "?");
	while (r->alone_next < r->nalone)       /* runs alone never started */
		queue(r, r->alone[r->alone_next++]);
	while ((run = sched_pop(&r->sched)))
		drop_run(r, run, reason);
	free(reason);
}

static void note_to(void *arg, char *line)
{
	add_note(arg, line);
}

/* The schedule's report and, for --repeat/--stress, each test's runs. */
static void sum_up(struct runner *r)
{
	struct run_state *rs = r->rs;
	size_t n = 0;

	/* before RUN_END, so that a problem is a note above the last line */
	sinks_finish(&rs->sinks, note_to, rs);
	rs->info.note = rs->note;
	rs->info.schedule = &rs->sinks.schedule;
	if (r->policy.iterations < 2)
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

/* What scaled the deadlines, and by how much. */
static char *scale_note(const struct runner_opts *o)
{
	char mult[64] = "";
	bool wrapped = o->wrapper && o->wrapper->scale != 1;
	bool rr = o->hunt && o->hunt->rr;

	if (o->timeout_multiplier != 1)
		snprintf(mult, sizeof(mult), "--timeout-multiplier %g", o->timeout_multiplier);
	return xasprintf("assay: deadlines were scaled x%g: %s%s%s%s%s%s",
			 o->timeout_scale, mult, *mult && wrapped ? ", " : "",
			 wrapped ? "--wrapper " : "", wrapped ? o->wrapper->why : "",
			 (*mult || wrapped) && rr ? ", " : "",
			 rr ? "--record (rr)" : "");
}

/* Whose deadlines a sanitizer build scaled, by how much. */
static void san_note(struct runner *r)
{
	size_t n[BINARY_MSAN + 1] = { 0 };

	for (size_t i = 0; i < r->t->n; i++)
		if (r->t->v[i]->san > 0 && r->t->v[i]->san <= BINARY_MSAN)
			n[r->t->v[i]->san]++;
	for (int s = BINARY_ASAN; s <= BINARY_MSAN; s++)
		if (n[s])
			add_note(r->rs, xasprintf("assay: the deadlines of %zu test%s built with %s were scaled x%g",
						  n[s], n[s] == 1 ? "" : "s",
						  binary_san_name(s), binary_slowdown(s)));
}

/* What --hunt found: each test that failed, how often, and the seeds
 * that replay it; what it could not do. */
static void hunt_notes(struct runner *r)
{
	const struct hunt *h = r->o->hunt;
	size_t ran = 0, clean = 0, san = 0;

	if (!h)
		return;
	for (size_t i = 0; i < r->t->n; i++) {
		const struct assay_repeat_row *row = &r->rs->rows[i];
		char seeds[HUNT_SEEDS * 20 + 8];
		if (!row->runs)
			continue;
		ran++;
		san += r->t->v[i]->san != BINARY_PLAIN;
		if (!row->failed) {
			clean++;
			continue;
		}
		hunt_log_seeds(&r->hunted, i, row->failed, seeds, sizeof(seeds));
		add_note(r->rs, xasprintf("assay: --hunt: %s failed %u of %u runs (%.0f%%); seeds of failing runs: %s",
					  r->t->v[i]->pub.id, row->failed, row->runs,
					  100.0 * row->failed / row->runs, seeds));
	}
	if (clean)
		add_note(r->rs, xasprintf("assay: --hunt: %zu of %zu test%s passed every run",
					  clean, ran, ran == 1 ? "" : "s"));
	if (!h->lib)
		add_note(r->rs, xasprintf("assay: --hunt: assay-hunt.so was not found (beside assay, or in %s): only the CPUs and the load were varied",
					  PKGLIBDIR));
	else if (san)
		add_note(r->rs, xasprintf("assay: --hunt: %zu test%s built with a sanitizer ran without assay-hunt.so's pauses (a sanitizer's runtime must load first)",
					  san, san == 1 ? "" : "s"));
	if (h->rr_problem)
		add_note(r->rs, xasprintf("assay: --record: rr cannot run here: %s; the hunt ran without recordings",
					  h->rr_problem));
	else if (h->rr && !r->trace_dir)
		add_note(r->rs, xstrdup("assay: --record: no recordings were kept: there is no state directory (--state-dir '') to keep them in"));
}

/* What the runs alone found (--isolate-failures). */
static void isolation_note(struct runner *r)
{
	unsigned n = r->nparallel_only + r->ndeterministic;

	if (n)
		add_note(r->rs, xasprintf("assay: %u failure%s rerun alone (--isolate-failures): %u parallel-only, %u deterministic",
					  n, n == 1 ? "" : "s", r->nparallel_only,
					  r->ndeterministic));
	if (r->not_isolated && !r->policy.isolate_left && !r->interrupts)
		add_note(r->rs, xasprintf("assay: %u more failure%s not rerun alone (--isolate-failures reruns at most %u)",
					  r->not_isolated, r->not_isolated == 1 ? " was" : "s were",
					  r->o->isolate));
}

/* Run-end notes: processes left behind, logs that could not be kept. */
static void end_notes(struct runner *r)
{
	struct run_state *rs = r->rs;
	char *swept = NULL;

	orphans_sweep(&swept);          /* its lines start the notes' end */
	if (swept)
		add_note(rs, swept);
	if (r->o->timeout_scale != 1 && r->o->timeout_scale > 0)
		add_note(rs, scale_note(r->o));
	san_note(r);
	if (r->o->wrapper && r->o->wrapper->scale == 1)
		add_note(rs, xasprintf("assay: --wrapper: %s", r->o->wrapper->why));
	if (r->scratch.swept || r->logs.swept)
		add_note(rs, xasprintf("assay: removed what killed runs left behind: %u scratch director%s, %u partial log%s",
				       r->scratch.swept, r->scratch.swept == 1 ? "y" : "ies",
				       r->logs.swept, r->logs.swept == 1 ? "" : "s"));
	if (r->logs.pruned)
		add_note(rs, xasprintf("assay: removed the %u oldest log%s from %s to keep it under %" PRIu64 " bytes (--output-dir-max)",
				       r->logs.pruned, r->logs.pruned == 1 ? "" : "s",
				       r->o->output_dir, r->logs.cap));
	if (r->logs.problem)
		add_note(rs, xstrdup(r->logs.problem));
	if (r->stop && r->dropped)
		add_note(rs, xasprintf("--until-fail: %zu more runs were not started after %s failed",
				       r->dropped, r->stop_id));
	isolation_note(r);
	hunt_notes(r);
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
	sinks_release(&s->sinks);
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
	sinks_init(&rs->sinks, &(struct sinks_opts){
		.history = o->history, .state_dir = o->state_dir, .slots = o->jobs,
		.shuffled = o->shuffled, .seed = o->seed, .shard = o->shard,
		.nshards = o->nshards });
	rs->rows = xcalloc(t->n + 1, sizeof(*rs->rows));
	r.policy.copies = o->stress ? o->stress : 1;
	r.policy.iterations = r.policy.copies * (o->repeat ? o->repeat : 1);
	/* a failure is rerun alone when it had company, and the run has no
	 * other plan for failures */
	if (o->jobs > 1 && r.policy.iterations == 1 && !o->until_fail)
		r.policy.isolate_left = o->isolate;
	r.isolating = r.policy.isolate_left > 0;
	if (o->hunt)
		hunt_log_init(&r.hunted, t->n);
	r.start_ns = io_now_ns();
	logs_init(&r.logs, o->output_dir, o->keep_logs, o->max_log, o->max_logs_total);
	if ((rc = setup(&r, e)) < 0) {
		teardown(&r);
		return rc;
	}
	emit(&r, ASSAY_EV_RUN_START, NULL, NULL, NULL, NULL);
	plan(&r);
	if ((rc = loop_phases(&r, e)) < 0)
		stop_run(&r, SIGTERM);
	not_run(&r);
	watchdog_stop(&r.watchdog);     /* a child too: not a leftover */
	end_notes(&r);
	sum_up(&r);
	emit(&r, ASSAY_EV_RUN_END, NULL, NULL, NULL, NULL);
	teardown(&r);
	return rc;
}
