/* task.c - see task.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary.h"
#include "gpu.h"
#include "hunt.h"
#include "io.h"
#include "logs.h"
#include "scratch.h"
#include "table.h"
#include "task.h"
#include "worker.h"
#include "wrapper.h"
#include "xalloc.h"

void task_output(struct task *t, int stream, const char *buf, size_t n)
{
	const struct assay_kind *k = t->test->kind;

	sanitizer_feed(&t->san, stream, buf, n);
	if (k->job_output)
		k->job_output(t->kind_state, stream, buf, n, &t->ctx);
}

void task_ended(struct task *t)
{
	t->done(t);
}

void task_job_done(struct task *t)
{
	if (t->worker)
		(void)proc_run_over(t->p);
}

bool task_ask_back(struct task *t)
{
	return t->worker && t->worker->give_back && t->p->state == PROC_RUNNING &&
	       proc_send(t->p, t->worker->give_back, t->worker->give_back_len) == 0;
}

static void on_output(struct proc *p, int stream, const char *buf, size_t n)
{
	task_output(p->owner, stream, buf, n);
}

static void on_done(struct proc *p)
{
	task_ended(p->owner);
}

void task_init(struct task *t, const struct task_env *env, unsigned slot,
	       void (*done)(struct task *t), void *owner)
{
	memset(t, 0, sizeof(*t));
	t->ops = (struct proc_ops){ .output = on_output, .done = on_done };
	t->done = done;
	t->env = env;
	t->slot = slot;
	t->owner = owner;
	t->p = &t->proc;
	proc_init(&t->proc, &env->proc, PROC_TEST, &t->ops, t);
}

void task_release(struct task *t)
{
	task_clear(t);
	proc_release(&t->proc);
}

/* assay's variables (the private home's, its GPUs'), then the kind's
 * changes over them. */
static char **build_env(const struct task *t, const char *const *mods)
{
	size_t ngpu = 0, n = 0;
	char **own, **v;
	const struct hunt *h = t->env->hunt;

	while (t->gpu_env && t->gpu_env[ngpu])
		ngpu++;
	own = xcalloc(13 + ngpu + 1, sizeof(*own));
	for (size_t i = 0; i < ngpu; i++)
		own[n++] = xstrdup(t->gpu_env[i]);

	own[n++] = xasprintf("ASSAY_TEST_ID=%s", t->test->pub.id);
	own[n++] = xasprintf("ASSAY_WORKER=%u", t->slot);
	own[n++] = xasprintf("ASSAY_TMPDIR=%s", t->tmpdir);
	own[n++] = xasprintf("TMPDIR=%s", t->tmpdir);
	if (t->env->scratch->home) {
		own[n++] = xasprintf("HOME=%s/home", t->dir);
		own[n++] = xasprintf("XDG_CONFIG_HOME=%s/home/.config", t->dir);
		own[n++] = xasprintf("XDG_DATA_HOME=%s/home/.local/share", t->dir);
		own[n++] = xasprintf("XDG_CACHE_HOME=%s/home/.cache", t->dir);
		own[n++] = xasprintf("XDG_STATE_HOME=%s/home/.local/state", t->dir);
		own[n++] = xasprintf("XDG_RUNTIME_DIR=%s/run", t->dir);
	}
	if (t->hunt.seed)
		own[n++] = xstrdup(t->hunt.env);
	/* not into a sanitizer's build: its runtime must load first */
	if (t->hunt.seed && h && h->lib && t->test->san == BINARY_PLAIN) {
		const char *pre = getenv("LD_PRELOAD");    /* base_env is environ */
		own[n++] = xasprintf("LD_PRELOAD=%s%s%s", h->lib, pre ? ":" : "",
				     pre ? pre : "");
	}
	own[n] = NULL;
	v = spawn_env(t->env->base_env, (const char *const *)own, mods);
	for (size_t i = 0; own[i]; i++)
		free(own[i]);
	free(own);
	return v;
}

/* Puts w in front of the command so is to run; a wrapper runs the test
 * as a path, so a bare name the test has in the directory gets "./". */
static void wrap(struct task *t, const struct wrapper *w, struct spawn_opts *so)
{
	char **v = wrapper_argv(w, so->argv);

	if (!strchr(so->path, '/') && access(so->path, X_OK) == 0)
		v[w->argc] = t->arg0 = xasprintf("./%s", so->path);
	free(t->argv);
	t->argv = v;
	so->argv = v;
	so->path = w->path;
}

/* The spawn options of t's process: argv (the kind's, or the test's
 * path alone), its environment, the wrapper and rr in front, the
 * perturbation of --hunt. */
static void prepare(struct task *t, const struct assay_spec *spec,
		    char *const *argv, struct spawn_opts *so)
{
	struct test *x = t->test;

	t->envp = build_env(t, spec->env);
	so->argv = spec->argv ? (char *const *)spec->argv : argv;
	so->path = so->argv[0];
	if (t->env->wrapper)
		wrap(t, t->env->wrapper, so);
	if (t->hunt.seed && t->env->hunt && t->env->hunt->rr && t->env->trace_dir) {
		char *name = logs_name(x->pub.id);
		char *rr_argv[] = { t->env->hunt->rr, "record", "--output-trace-dir",
				    NULL, NULL };
		struct wrapper rr = { .argv = rr_argv, .argc = 4,
				      .path = t->env->hunt->rr };
		rr_argv[3] = t->trace = xasprintf("%s/%s-%llx", t->env->trace_dir,
						  name, (unsigned long long)t->hunt.seed);
		free(name);
		wrap(t, &rr, so);
	}
	if (t->hunt.seed)
		so->cpus = &t->hunt.cpus;
	so->envp = t->envp;
	so->cwd = spec->cwd;
	so->stdin_path = spec->stdin_path;
	so->pdeathsig = SIGKILL;        /* dies with assay, even a kill -9 */
	so->ptracer_any = true;         /* gdb may look at it when it hangs */
}

/* Whether t may run on a worker: its kind has them, and nothing of the
 * task is its own process's (its GPUs, a perturbation). */
static bool servable(const struct task *t, const struct assay_kind *k)
{
	return t->env->workers && t->pub.cases &&
	       k->struct_size >= offsetof(struct assay_kind, serve_spec) +
				 sizeof(k->serve_spec) && k->serve_spec &&
	       !t->gpu_env && !t->hunt.seed;
}

/* A new worker for t's program, started the way its kind says, with
 * t's scratch directory and environment as its own; t runs on it. */
static struct worker *start_worker(struct task *t, uint64_t timeout_ns)
{
	struct assay_spec spec = { .struct_size = sizeof(spec) };
	const struct assay_kind *k = t->test->kind;
	struct spawn_opts so = SPAWN_OPTS_INIT;
	struct worker *w;

	if (k->serve_spec(&t->test->pub, t->env->workers->threads, &spec) < 0)
		return NULL;
	w = workers_add(t->env->workers, program_of(t->test),
			program_of(t->test)->pub.id, t);
	if (spec.struct_size >= offsetof(struct assay_spec, give_back_len) +
				sizeof(spec.give_back_len) && spec.give_back) {
		w->give_back = spec.give_back;
		w->give_back_len = spec.give_back_len;
	}
	t->worker = w;
	t->p = &w->proc;
	prepare(t, &spec, NULL, &so);
	/* the directory is the process's: the worker's from now on */
	w->dir = t->dir;
	w->tmpdir = t->tmpdir;
	w->marker = t->marker;
	t->dir = t->tmpdir = t->marker = NULL;
	w->proc.marker = w->marker;
	proc_start(&w->proc, &so, timeout_ns);
	return w;
}

/* Sends t's request to its worker; a live worker that does not take it
 * whole is killed, and t ends as a process killed would. */
static void send_request(struct task *t, const struct assay_spec *spec)
{
	if (t->p->state != PROC_RUNNING)
		return;         /* it never started: t has ended */
	/* EPIPE: it is gone already; its end says how */
	if (proc_send(t->p, spec->request, spec->request_len) < 0 && errno != EPIPE) {
		snprintf(t->p->note, sizeof(t->p->note),
			 "its worker did not take the batch: %s", strerror(errno));
		proc_dispatch(t->p, EV_KILL_NOW, io_now_ns());
	}
}

void task_start(struct task *t, struct test *x, uint64_t id,
		const char *const *cases, size_t ncases, unsigned attempt,
		uint64_t timeout_ns)
{
	struct assay_spec spec = { .struct_size = sizeof(spec) };
	struct spawn_opts so = SPAWN_OPTS_INIT;
	const struct assay_kind *k = x->kind;
	char *argv[] = { (char *)x->pub.path, NULL };
	struct worker *w = NULL;
	bool serve;

	t->test = x;
	t->p = &t->proc;
	t->pub = (struct assay_task){ .struct_size = sizeof(t->pub), .id = id,
				      .test = &x->pub, .cases = cases,
				      .ncases = ncases, .attempt = attempt };
	sanitizer_init(&t->san);
	serve = servable(t, k);
	if (serve && (w = workers_idle(t->env->workers, program_of(x)))) {
		t->pub.tmpdir = w->tmpdir;      /* the worker's, borrowed */
	} else {
		if (scratch_job_dir(t->env->scratch, &t->dir, NULL) < 0) {
			proc_fail_start(&t->proc, errno,
					"cannot create its temporary directory");
			return;
		}
		t->tmpdir = xasprintf("%s/tmp", t->dir);
		t->pub.tmpdir = t->tmpdir;
		t->marker = xasprintf("ASSAY_TMPDIR=%s", t->tmpdir);
		t->proc.marker = t->marker;
	}
	if (k->job_begin && k->job_begin(&t->kind_state, &t->pub, &spec) < 0) {
		proc_fail_start(&t->proc, EINVAL, "the kind refused to start it");
		return;
	}
	t->begun = true;
	serve &= spec.struct_size >= offsetof(struct assay_spec, request_len) +
				     sizeof(spec.request_len) && spec.request;
	if (w && !serve) {
		proc_fail_start(&t->proc, EINVAL,
				"its kind gave no request for its worker");
		return;
	}
	if (w) {
		w->task = t;
		t->worker = w;
		t->p = &w->proc;
		proc_next_run(&w->proc, timeout_ns);
		send_request(t, &spec);
		return;
	}
	if (serve && start_worker(t, timeout_ns)) {
		send_request(t, &spec);
		return;
	}
	prepare(t, &spec, argv, &so);
	proc_start(&t->proc, &so, timeout_ns);
}

void task_clear(struct task *t)
{
	if (t->worker) {
		workers_put(t->env->workers, t->worker);
		t->worker = NULL;
		t->p = &t->proc;
	}
	if (t->dir)
		scratch_discard(t->env->scratch, t->dir);
	free(t->tmpdir);
	free(t->marker);
	t->marker = NULL;
	t->proc.marker = NULL;
	spawn_env_free(t->envp);
	free(t->argv);
	free(t->arg0);
	free(t->trace);
	t->argv = NULL;
	t->arg0 = NULL;
	t->trace = NULL;
	memset(&t->hunt, 0, sizeof(t->hunt));
	gpu_env_free(t->gpu_env);
	t->gpu_env = NULL;
	proc_clear(&t->proc);
	t->dir = NULL;
	t->tmpdir = NULL;
	t->envp = NULL;
	t->kind_state = NULL;
	t->test = NULL;
	t->current = NULL;
	t->san_seen = 0;
	memset(&t->pub, 0, sizeof(t->pub));
	t->verdicts = 0;
	t->failed = t->logs_settled = t->begun = false;
	t->next_done = NULL;
}
