/* sinks.c - see sinks.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "io.h"
#include "sinks.h"
#include "xalloc.h"

/* ---- history ---- */

static void history_test(void *state, const struct sink_test *t)
{
	history_record(state, t->id, t->duration_s, t->outcome,
		       (int64_t)(io_wall_ns() / 1000000000u));
}

static int history_finish(void *state, char **note)
{
	struct err e = ERR_INIT;

	if (history_save(state, &e) == 0)
		return 0;
	*note = xasprintf("history not kept: %s", e.msg);
	return -1;
}

/* ---- the schedule report ---- */

static void schedule_task(void *state, const struct sink_task *t)
{
	struct sinks *s = state;

	makespan_add(&s->span, t->id, t->start_ns, t->end_ns, t->weight);
}

static int schedule_finish(void *state, char **note)
{
	struct sinks *s = state;
	const struct sinks_opts *o = &s->o;
	struct err e = ERR_INIT;
	char *path;
	int rc;

	if (!o->state_dir)
		return 0;
	if (io_mkdir_p(o->state_dir) < 0) {
		*note = xasprintf("schedule report not written: cannot create %s: %s",
				  o->state_dir, strerror(errno));
		return -1;
	}
	path = xasprintf("%s/schedule.json", o->state_dir);
	rc = makespan_write_json(&s->schedule, path, o->shuffled, o->seed,
				 o->shard, o->nshards, &e);
	free(path);
	if (rc < 0)
		*note = xasprintf("schedule report not written: %s", e.msg);
	return rc < 0 ? -1 : 0;
}

/* ---- the set ---- */

void sinks_init(struct sinks *s, const struct sinks_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->o = *o;
	makespan_init(&s->span);
	if (o->history)
		s->v[s->n++] = (struct sink){ .state = o->history,
					      .test = history_test,
					      .finish = history_finish };
	s->v[s->n++] = (struct sink){ .state = s, .task = schedule_task,
				      .finish = schedule_finish };
}

void sinks_release(struct sinks *s)
{
	makespan_release(&s->span);
}

void sinks_task(struct sinks *s, const struct sink_task *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].task)
			s->v[i].task(s->v[i].state, t);
}

void sinks_test(struct sinks *s, const struct sink_test *t)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].test)
			s->v[i].test(s->v[i].state, t);
}

void sinks_finish(struct sinks *s, void (*note)(void *arg, char *line),
		  void *arg)
{
	makespan_finish(&s->span, s->o.slots, &s->schedule);
	for (size_t i = 0; i < s->n; i++) {
		char *line = NULL;
		if (s->v[i].finish && s->v[i].finish(s->v[i].state, &line) < 0 &&
		    line)
			note(arg, line);
	}
}
