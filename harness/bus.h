/*
 * bus.h - carries run and test events to every open reporter.
 *
 * Opens the reporters a run asked for, hands each event to each of them
 * in order, and closes them. Reporters never reach back into the run:
 * everything they need travels in the event. Never formats output
 * itself. Loop thread only.
 */
#ifndef ASSAY_BUS_H
#define ASSAY_BUS_H

#include "assay/plugin.h"
#include "err.h"

struct bus;
struct registry;

void bus_new(struct bus **out);
/* Opens reporter NAME (from --reporter NAME[=ARG]); o->arg is set from
 * spec. ERR_USAGE when no such reporter or it refuses to open. */
int bus_open(struct bus *b, const struct registry *reg, const char *spec,
	     struct assay_reporter_opts *o, struct err *e);
void bus_emit(struct bus *b, const struct assay_event *ev);
/* The shortest tick period any reporter asked for; 0: none. */
unsigned bus_tick_ms(const struct bus *b);
/* Closes every reporter; ERR_SYS naming the first that failed. */
int bus_close(struct bus *b, struct err *e);
void bus_free(struct bus *b);

#endif
