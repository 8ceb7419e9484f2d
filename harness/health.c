/* health.c - see health.h. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuhelper.h"
#include "health.h"
#include "io.h"
#include "xalloc.h"

static void on_output(struct proc *p, int stream, const char *buf, size_t n)
{
	struct health_dev *hd = p->owner;
	size_t room = sizeof(hd->out) - 1 - hd->out_len;

	if (stream != 1)
		return;
	if (n > room)
		n = room;
	memcpy(hd->out + hd->out_len, buf, n);
	hd->out_len += n;
	hd->out[hd->out_len] = 0;
}

static void on_done(struct proc *p)
{
	struct health_dev *hd = p->owner;

	hd->running = false;
	hd->ended = true;
	hd->h->running--;
}

static const struct proc_ops canary_ops = { .output = on_output, .done = on_done };

/* The canary sees the device as a test given it does (gpu_env), and
 * nothing else: CUDA_VISIBLE_DEVICES names it, so it is the driver's
 * device 0 there. */
static void start(struct health *h, unsigned d)
{
	struct health_dev *hd = &h->dev[d];
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char *argv[] = { "/proc/self/exe", GPU_CANARY_COMMAND, "0", NULL };
	char **own = gpu_env(h->gpus, 1ull << d, false, 1);

	spawn_env_free(hd->envp);
	hd->envp = spawn_env(h->base_env, (const char *const *)own, NULL);
	gpu_env_free(own);
	so.path = argv[0];
	so.argv = argv;
	so.envp = hd->envp;
	so.pdeathsig = SIGKILL;
	hd->out_len = 0;
	hd->out[0] = 0;
	hd->running = true;
	hd->again = false;
	h->running++;
	proc_start(&hd->proc, &so, HEALTH_CANARY_NS);
}

void health_init(struct health *h, const struct gpu_list *gpus,
		 const struct proc_env *env, char *const *base_env)
{
	memset(h, 0, sizeof(*h));
	h->gpus = gpus;
	h->base_env = base_env;
	h->dev = xcalloc(gpus->n + 1, sizeof(*h->dev));
	for (size_t d = 0; d < gpus->n; d++) {
		h->dev[d].h = h;
		proc_init(&h->dev[d].proc, env, PROC_HELPER, &canary_ops, &h->dev[d]);
	}
}

void health_release(struct health *h)
{
	for (size_t d = 0; h->dev && d < h->gpus->n; d++) {
		proc_release(&h->dev[d].proc);
		free(h->dev[d].after);
		spawn_env_free(h->dev[d].envp);
	}
	free(h->dev);
	memset(h, 0, sizeof(*h));
}

void health_check(struct health *h, unsigned d, const char *after)
{
	struct health_dev *hd = &h->dev[d];

	free(hd->after);
	hd->after = xstrdup(after);
	if (hd->running || hd->ended)
		hd->again = true;
	else if (!h->stopped)
		start(h, d);
}

/* What the canary's end says: NULL when it passed. */
static const char *verdict(struct health_dev *hd)
{
	const struct assay_exit *ex = &hd->proc.exit;
	char *nl = strchr(hd->out, '\n');

	if (nl)
		*nl = 0;
	if (ex->how == ASSAY_EXITED && !ex->code && !strcmp(hd->out, "ok"))
		return NULL;
	if (!strncmp(hd->out, "fail ", 5))
		return hd->out + 5;
	switch (ex->how) {
	case ASSAY_TIMED_OUT:
		snprintf(hd->out, sizeof(hd->out), "it did not finish in %.0f s (a GPU hang)",
			 HEALTH_CANARY_NS / 1e9);
		break;
	case ASSAY_SIGNALED:
		snprintf(hd->out, sizeof(hd->out), "it crashed (signal %d)", ex->code);
		break;
	case ASSAY_SPAWN_FAILED:
		snprintf(hd->out, sizeof(hd->out), "it could not start: %s",
			 strerror(ex->code));
		break;
	default:
		snprintf(hd->out, sizeof(hd->out), "it exited %d without a word",
			 ex->code);
		break;
	}
	return hd->out;
}

bool health_next(struct health *h, unsigned *d, const char **why,
		 const char **after)
{
	for (size_t i = 0; i < h->gpus->n; i++) {
		struct health_dev *hd = &h->dev[i];

		if (!hd->ended)
			continue;
		hd->ended = false;
		if (hd->proc.exit.how == ASSAY_CANCELLED) {
			proc_clear(&hd->proc);  /* the run was stopped: no verdict */
			continue;
		}
		*why = verdict(hd);
		proc_clear(&hd->proc);
		if (!*why && hd->again && !h->stopped) {
			start(h, (unsigned)i);  /* broken again meanwhile */
			continue;
		}
		*d = (unsigned)i;
		*after = hd->after ? hd->after : "";
		return true;
	}
	return false;
}

void health_stop(struct health *h)
{
	h->stopped = true;
	for (size_t d = 0; h->dev && d < h->gpus->n; d++)
		if (h->dev[d].running)
			proc_dispatch(&h->dev[d].proc, EV_KILL_NOW, io_now_ns());
}
