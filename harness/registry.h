/*
 * registry.h - the kinds and reporters a run can use.
 *
 * Holds assay's built-in plugins and the ones loaded with --plugin
 * (dlopen), checks each against the ABI before use, and answers lookups.
 * Never calls a kind or reporter itself, except claim() when asked.
 */
#ifndef ASSAY_REGISTRY_H
#define ASSAY_REGISTRY_H

#include "assay/plugin.h"
#include "err.h"

struct registry;

/* A registry holding the built-in plugins. */
void registry_new(struct registry **out);
/* Unloads plugins. NULL: no-op. Kinds and reporters die with it. */
void registry_free(struct registry *r);
/* Loads a shared object; ERR_PLUGIN with the reason when it is not a
 * usable assay plugin. */
int registry_load(struct registry *r, const char *path, struct err *e);
/* Adds a plugin already in memory (the built-ins use this). */
int registry_add(struct registry *r, const struct assay_plugin *p,
		 const char *origin, struct err *e);

const struct assay_kind *registry_kind(const struct registry *r,
				       const char *name);
/* The kind that claims the file most, or NULL when none does. Later
 * registrations win ties, so a plugin can take over a built-in. */
const struct assay_kind *registry_claim(const struct registry *r,
					const char *path, unsigned mode,
					int named);
const struct assay_reporter *registry_reporter(const struct registry *r,
					       const char *name);
/* Comma-separated names, for messages; malloc'd. */
char *registry_kind_names(const struct registry *r);
char *registry_reporter_names(const struct registry *r);

#endif
