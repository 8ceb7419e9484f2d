/* worker.c - see worker.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "scratch.h"
#include "task.h"
#include "worker.h"
#include "xalloc.h"

static void on_output(struct proc *p, int stream, const char *buf, size_t n)
{
	struct worker *w = p->owner;

	if (w->task)
		task_output(w->task, stream, buf, n);
}

/* Its run ended (the kind's say, or the process's end): the task's;
 * with no task, the process ended idle, and what its tests left running
 * is said at the run's end. */
static void on_done(struct proc *p)
{
	struct worker *w = p->owner;
	char *line;

	if (w->task) {
		if (!w->ended) {
			w->ended = true;
			task_ended(w->task);
		}
		return;
	}
	if (p->state != PROC_DONE)
		return;
	w->dead = true;
	if (!p->nleft)
		return;
	line = xasprintf("%s%s%s: its tests left %zu process%s running, killed as its worker exited: %s",
			 w->pool->left ? w->pool->left : "", w->pool->left ? "\n" : "",
			 w->name, p->nleft, p->nleft == 1 ? "" : "es", p->left ? p->left : "");
	free(w->pool->left);
	w->pool->left = line;
}

void workers_init(struct workers *ws, const struct proc_env *env,
		  struct scratch *scratch, unsigned keep, unsigned threads)
{
	memset(ws, 0, sizeof(*ws));
	ws->env = env;
	ws->scratch = scratch;
	ws->keep = keep;
	ws->threads = threads ? threads : 1;
}

static bool takes_tasks(const struct worker *w)
{
	return w->proc.state == PROC_SERVED && w->proc.in_fd >= 0 && !w->task;
}

struct worker *workers_idle(struct workers *ws, const void *prog)
{
	for (struct worker *w = ws->list; w; w = w->next)
		if (w->prog == prog && takes_tasks(w))
			return w;
	return NULL;
}

struct worker *workers_add(struct workers *ws, const void *prog,
			   const char *name, struct task *t)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	w->name = name;
	w->ops = (struct proc_ops){ .output = on_output, .done = on_done };
	w->pool = ws;
	w->prog = prog;
	w->task = t;
	proc_init(&w->proc, ws->env, PROC_TEST, &w->ops, w);
	w->proc.want_stdin = true;
	w->next = ws->list;
	ws->list = w;
	return w;
}

static void worker_free(struct workers *ws, struct worker *w)
{
	if (w->proc.state == PROC_SERVED)       /* the process too: its */
		w->proc.state = PROC_RUNNING;   /* stdin closes, it exits */
	proc_release(&w->proc);
	if (w->dir)
		scratch_discard(ws->scratch, w->dir);
	free(w->tmpdir);
	free(w->marker);
	free(w);
}

/* The longest idle worker past keep: closed (it exits by itself). */
static void trim(struct workers *ws)
{
	struct worker *oldest = NULL;
	unsigned idle = 0;

	for (struct worker *w = ws->list; w; w = w->next)
		if (takes_tasks(w)) {
			idle++;
			if (!oldest || w->idle_since < oldest->idle_since)
				oldest = w;
		}
	if (oldest && idle > ws->keep)
		proc_end_served(&oldest->proc);
}

void workers_put(struct workers *ws, struct worker *w)
{
	w->task = NULL;
	w->ended = false;
	if (w->proc.state == PROC_DONE) {
		w->dead = true;
		workers_tidy(ws);
		return;
	}
	/* stopped after its run ended (a stop signal came before the task
	 * was collected): it ends in its own time, and is freed then */
	if (w->proc.state != PROC_SERVED)
		return;
	proc_clear(&w->proc);   /* the run's parts; the process goes on */
	w->idle_since = io_now_ns();
	trim(ws);
}

void workers_close_idle(struct workers *ws)
{
	for (struct worker *w = ws->list; w; w = w->next)
		if (!w->task)
			proc_end_served(&w->proc);
}

void workers_signal(struct workers *ws, enum proc_event ev)
{
	uint64_t now = io_now_ns();

	for (struct worker *w = ws->list; w; w = w->next)
		if (!w->task && proc_is_running(&w->proc))
			proc_dispatch(&w->proc, ev, now);
}

size_t workers_tidy(struct workers *ws)
{
	size_t live = 0;

	for (struct worker **pw = &ws->list; *pw;) {
		struct worker *w = *pw;
		if (w->dead && !w->task) {
			*pw = w->next;
			worker_free(ws, w);
			continue;
		}
		live++;
		pw = &w->next;
	}
	return live;
}

void workers_release(struct workers *ws)
{
	free(ws->left);
	ws->left = NULL;
	while (ws->list) {
		struct worker *w = ws->list;
		ws->list = w->next;
		worker_free(ws, w);
	}
}
