/* registry.c - see registry.h. */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "registry.h"
#include "xalloc.h"

struct registry {
	const struct assay_kind **kinds;
	size_t nkinds, capk;
	const struct assay_reporter **reps;
	size_t nreps, capr;
	void **handles;
	size_t nhandles, caph;
};

/* The smallest structs the host accepts: ABI 2 as first published. */
#define MIN_PLUGIN offsetof(struct assay_plugin, reporters) + sizeof(void *)
#define MIN_KIND offsetof(struct assay_kind, job_end) + sizeof(void *)
#define MIN_REPORTER offsetof(struct assay_reporter, close) + sizeof(void *)

static int check_kind(const struct assay_kind *k, const char *origin,
		      struct err *e)
{
	if (k->abi_version != ASSAY_PLUGIN_ABI || k->struct_size < MIN_KIND)
		return err_set(e, ERR_PLUGIN,
			       "plugin '%s': a kind was built for another assay plugin ABI (rebuild it against this assay's assay/plugin.h)",
			       origin);
	if (!k->name || !*k->name || !k->claim || !k->job_end)
		return err_set(e, ERR_PLUGIN,
			       "plugin '%s': a kind lacks a name, claim() or job_end()",
			       origin);
	return 0;
}

static int check_reporter(const struct assay_reporter *p, const char *origin,
			  struct err *e)
{
	if (p->abi_version != ASSAY_PLUGIN_ABI || p->struct_size < MIN_REPORTER)
		return err_set(e, ERR_PLUGIN,
			       "plugin '%s': a reporter was built for another assay plugin ABI (rebuild it against this assay's assay/plugin.h)",
			       origin);
	if (!p->name || !*p->name || !p->open || !p->event || !p->close)
		return err_set(e, ERR_PLUGIN,
			       "plugin '%s': a reporter lacks a name, open(), event() or close()",
			       origin);
	return 0;
}

static int add_kinds(struct registry *r, const struct assay_plugin *p,
		     const char *origin, struct err *e)
{
	int rc;

	for (size_t i = 0; p->kinds && p->kinds[i]; i++) {
		const struct assay_kind *k = p->kinds[i];
		if ((rc = check_kind(k, origin, e)) < 0)
			return rc;
		if (registry_kind(r, k->name))
			return err_set(e, ERR_PLUGIN,
				       "plugin '%s': kind '%s' is already registered",
				       origin, k->name);
		xgrow((void **)&r->kinds, &r->capk, r->nkinds + 1, sizeof(*r->kinds));
		r->kinds[r->nkinds++] = k;
	}
	return 0;
}

static int add_reporters(struct registry *r, const struct assay_plugin *p,
			 const char *origin, struct err *e)
{
	int rc;

	for (size_t i = 0; p->reporters && p->reporters[i]; i++) {
		const struct assay_reporter *rep = p->reporters[i];
		if ((rc = check_reporter(rep, origin, e)) < 0)
			return rc;
		if (registry_reporter(r, rep->name))
			return err_set(e, ERR_PLUGIN,
				       "plugin '%s': reporter '%s' is already registered",
				       origin, rep->name);
		xgrow((void **)&r->reps, &r->capr, r->nreps + 1, sizeof(*r->reps));
		r->reps[r->nreps++] = rep;
	}
	return 0;
}

int registry_add(struct registry *r, const struct assay_plugin *p,
		 const char *origin, struct err *e)
{
	size_t nk = r->nkinds, nr = r->nreps;
	int rc;

	if (!p || p->abi_version != ASSAY_PLUGIN_ABI || p->struct_size < MIN_PLUGIN)
		return err_set(e, ERR_PLUGIN,
			       "plugin '%s' was built for another assay plugin ABI (this assay speaks ABI %d; rebuild the plugin)",
			       origin, ASSAY_PLUGIN_ABI);
	if ((rc = add_kinds(r, p, origin, e)) < 0 ||
	    (rc = add_reporters(r, p, origin, e)) < 0) {
		r->nkinds = nk;         /* all of a plugin, or none of it */
		r->nreps = nr;
		return rc;
	}
	return 0;
}

void registry_new(struct registry **out)
{
	struct registry *r = xcalloc(1, sizeof(*r));

	for (size_t i = 0; builtin_plugins[i]; i++)
		if (registry_add(r, builtin_plugins[i](), "built-in", NULL) < 0)
			abort();        /* our own plugins: a bug */
	*out = r;
}

int registry_load(struct registry *r, const char *path, struct err *e)
{
	assay_plugin_entry_fn *entry;
	void *h;
	int rc;

	/* dlopen searches the library path for a bare name; a path with a
	 * slash is taken as it is, which is what the user meant */
	char *p = strchr(path, '/') ? xstrdup(path) : xasprintf("./%s", path);
	h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
	free(p);
	if (!h)
		return err_set(e, ERR_USAGE, "cannot load plugin '%s': %s",
			       path, dlerror());
	*(void **)&entry = dlsym(h, ASSAY_PLUGIN_ENTRY);
	if (!entry) {
		dlclose(h);
		return err_set(e, ERR_USAGE,
			       "'%s' is not an assay plugin: it does not export %s()",
			       path, ASSAY_PLUGIN_ENTRY);
	}
	if ((rc = registry_add(r, entry(), path, e)) < 0) {
		dlclose(h);
		return rc;
	}
	xgrow((void **)&r->handles, &r->caph, r->nhandles + 1, sizeof(*r->handles));
	r->handles[r->nhandles++] = h;
	return 0;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nhandles; i++)
		dlclose(r->handles[i]);
	free(r->handles);
	free(r->kinds);
	free(r->reps);
	free(r);
}

const struct assay_kind *registry_kind(const struct registry *r,
				       const char *name)
{
	for (size_t i = 0; i < r->nkinds; i++)
		if (!strcmp(r->kinds[i]->name, name))
			return r->kinds[i];
	return NULL;
}

const struct assay_kind *registry_claim(const struct registry *r,
					const char *path, unsigned mode,
					int named)
{
	const struct assay_kind *best = NULL;
	int best_score = 0;

	for (size_t i = 0; i < r->nkinds; i++) {
		int s = r->kinds[i]->claim(path, mode, named);
		if (s > 0 && s >= best_score) {
			best = r->kinds[i];
			best_score = s;
		}
	}
	return best;
}

const struct assay_reporter *registry_reporter(const struct registry *r,
					       const char *name)
{
	for (size_t i = 0; i < r->nreps; i++)
		if (!strcmp(r->reps[i]->name, name))
			return r->reps[i];
	return NULL;
}

/* Appends ", name" (or just name) to a malloc'd list. */
static char *append_name(char *list, const char *name)
{
	char *s = xasprintf("%s%s%s", list ? list : "", list ? ", " : "", name);

	free(list);
	return s;
}

char *registry_kind_names(const struct registry *r)
{
	char *s = NULL;

	for (size_t i = 0; i < r->nkinds; i++)
		s = append_name(s, r->kinds[i]->name);
	return s ? s : xstrdup("(none)");
}

char *registry_reporter_names(const struct registry *r)
{
	char *s = NULL;

	for (size_t i = 0; i < r->nreps; i++)
		s = append_name(s, r->reps[i]->name);
	return s ? s : xstrdup("(none)");
}
