/* bus.c - see bus.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "registry.h"
#include "xalloc.h"

struct instance {
	const struct assay_reporter *rep;
	void *state;
};

struct bus {
	struct instance *v;
	size_t n, cap;
	unsigned tick_ms;
};

void bus_new(struct bus **out)
{
	*out = xcalloc(1, sizeof(**out));
}

int bus_open(struct bus *b, const struct registry *reg, const char *spec,
	     struct assay_reporter_opts *o, struct err *e)
{
	const char *eq = strchr(spec, '=');
	char *name = eq ? xasprintf("%.*s", (int)(eq - spec), spec) : xstrdup(spec);
	const struct assay_reporter *rep = registry_reporter(reg, name);
	char msg[256] = "";
	void *state = NULL;

	if (!rep) {
		char *names = registry_reporter_names(reg);
		err_set(e, ERR_USAGE, "no reporter named '%s' (known: %s; --plugin loads more)",
			name, names);
		free(names);
		free(name);
		return ERR_USAGE;
	}
	free(name);
	o->arg = eq ? eq + 1 : o->arg;
	o->tick_ms = 0;
	if (rep->open(&state, o, msg, sizeof(msg)) < 0)
		return err_set(e, ERR_USAGE, "reporter '%s' cannot start: %s",
			       rep->name, msg);
	xgrow((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v));
	b->v[b->n++] = (struct instance){ rep, state };
	if (o->tick_ms && (!b->tick_ms || o->tick_ms < b->tick_ms))
		b->tick_ms = o->tick_ms;
	return 0;
}

void bus_emit(struct bus *b, const struct assay_event *ev)
{
	for (size_t i = 0; i < b->n; i++)
		b->v[i].rep->event(b->v[i].state, ev);
}

unsigned bus_tick_ms(const struct bus *b)
{
	return b->tick_ms;
}

int bus_close(struct bus *b, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < b->n; i++) {
		char msg[256] = "";
		int failed = b->v[i].rep->close(b->v[i].state, msg, sizeof(msg)) < 0;

		errno = 0;      /* the message is the reporter's, not strerror */
		if (failed && !rc)
			rc = err_set(e, ERR_SYS, "reporter '%s' failed: %s",
				     b->v[i].rep->name, msg);
	}
	b->n = 0;
	return rc;
}

void bus_free(struct bus *b)
{
	if (!b)
		return;
	bus_close(b, NULL);
	free(b->v);
	free(b);
}
