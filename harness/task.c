/* task.c - see task.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "scratch.h"
#include "table.h"
#include "task.h"
#include "xalloc.h"

static void on_output(struct proc *p, int stream, const char *buf, size_t n)
{
	struct task *t = p->owner;
	const struct assay_kind *k = t->test->kind;

	if (k->job_output)
		k->job_output(t->kind_state, stream, buf, n, &t->ctx);
}

void task_init(struct task *t, const struct task_env *env, unsigned slot,
	       void (*done)(struct proc *p), void *owner)
{
	static struct proc_ops ops[1];

	memset(t, 0, sizeof(*t));
	/* one table for every task: the same two callbacks */
	ops[0] = (struct proc_ops){ .output = on_output, .done = done };
	t->env = env;
	t->slot = slot;
	t->owner = owner;
	proc_init(&t->proc, &env->proc, PROC_TEST, ops, t);
}

void task_release(struct task *t)
{
	task_clear(t);
	proc_release(&t->proc);
}

static char **build_env(const struct task *t)
{
	const struct task_env *env = t->env;
	char **v = xmalloc((env->base_len + 5) * sizeof(*v));
	size_t n = env->base_len;

	memcpy(v, env->base_env, n * sizeof(*v));
	v[n++] = xasprintf("ASSAY_TEST_ID=%s", t->test->pub.id);
	v[n++] = xasprintf("ASSAY_WORKER=%u", t->slot);
	v[n++] = xasprintf("ASSAY_TMPDIR=%s", t->tmpdir);
	v[n++] = xasprintf("TMPDIR=%s", t->tmpdir);
	v[n] = NULL;
	return v;
}

void task_start(struct task *t, struct test *x)
{
	struct spawn_opts so = SPAWN_OPTS_INIT;
	const struct assay_kind *k = x->kind;
	char *argv[] = { (char *)x->pub.path, NULL };
	uint64_t now = io_now_ns();

	t->test = x;
	if (scratch_job_dir(t->env->scratch, &t->tmpdir, NULL) < 0) {
		proc_fail_start(&t->proc, errno,
				"cannot create its temporary directory");
		return;
	}
	t->envp = build_env(t);
	if (k->job_begin && k->job_begin(&t->kind_state, &x->pub) < 0) {
		proc_fail_start(&t->proc, EINVAL, "the kind refused to start it");
		return;
	}
	so.path = x->pub.path;
	so.argv = argv;
	so.envp = t->envp;
	proc_start(&t->proc, &so, x->pub.timeout_s > 0 ?
		   now + (uint64_t)(x->pub.timeout_s * 1e9) : 0);
}

void task_clear(struct task *t)
{
	if (t->tmpdir)
		scratch_discard(t->env->scratch, t->tmpdir);
	if (t->envp)
		for (size_t i = t->env->base_len; t->envp[i]; i++)
			free(t->envp[i]);
	free(t->envp);
	proc_clear(&t->proc);
	t->tmpdir = NULL;
	t->envp = NULL;
	t->kind_state = NULL;
	t->test = NULL;
	t->verdicts = 0;
	t->failed = t->logs_settled = false;
	t->next_done = NULL;
}
