/* conf.c - see conf.h. */
#include "config.h"

#include <fnmatch.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "registry.h"
#include "xalloc.h"

#define DEFAULT_PATH "assay.conf"

struct load {
	struct conf *c;
	const struct registry *reg;
	struct err *e;
	int rc;
};

/* One "tests.PATTERN.KEY" entry. */
static int on_entry(const git_config_entry *ent, void *arg)
{
	struct load *l = arg;
	const char *name = ent->name, *dot;
	struct conf_rule *r;

	if (strncmp(name, "tests.", 6) || !(dot = strrchr(name + 6, '.')) ||
	    dot == name + 6) {
		l->rc = err_set(l->e, ERR_INPUT,
				"%s: unknown setting '%s' (assay.conf holds [tests \"GLOB\"] sections; see docs/tap.md)",
				l->c->path, name);
		return -1;
	}
	if (strcmp(dot + 1, "kind")) {
		l->rc = err_set(l->e, ERR_INPUT,
				"%s: unknown key '%s' in [tests \"%.*s\"] (known: kind)",
				l->c->path, dot + 1, (int)(dot - name - 6), name + 6);
		return -1;
	}
	if (!registry_kind(l->reg, ent->value)) {
		char *names = registry_kind_names(l->reg);
		l->rc = err_set(l->e, ERR_INPUT,
				"%s: [tests \"%.*s\"] kind = %s: no such kind (known: %s)",
				l->c->path, (int)(dot - name - 6), name + 6, ent->value,
				names);
		free(names);
		return -1;
	}
	xgrow((void **)&l->c->v, &l->c->cap, l->c->n + 1, sizeof(*l->c->v));
	r = &l->c->v[l->c->n++];
	r->pattern = xasprintf("%.*s", (int)(dot - name - 6), name + 6);
	r->kind = xstrdup(ent->value);
	return 0;
}

int conf_load(struct conf *c, const char *path, const struct registry *reg,
	      struct err *e)
{
	struct load l = { c, reg, e, 0 };
	git_config *cfg = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!path && access(DEFAULT_PATH, F_OK) != 0)
		return 0;
	c->path = xstrdup(path ? path : DEFAULT_PATH);
	if (access(c->path, R_OK) != 0)
		return err_set(e, ERR_USAGE, "cannot read the configuration '%s': %m",
			       c->path);
	git_libgit2_init();
	if (git_config_open_ondisk(&cfg, c->path) < 0) {
		const git_error *ge = git_error_last();
		rc = err_set(e, ERR_INPUT, "%s: %s", c->path,
			     ge && ge->message ? ge->message : "not valid git-config syntax");
	} else {
		rc = git_config_foreach(cfg, on_entry, &l) < 0 ? (l.rc ? l.rc :
			err_set(e, ERR_INPUT, "%s: cannot be read", c->path)) : 0;
	}
	git_config_free(cfg);
	git_libgit2_shutdown();
	return rc;
}

const char *conf_kind(const struct conf *c, const char *path, const char *id)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	for (size_t i = c->n; i-- > 0;)
		if (!fnmatch(c->v[i].pattern, path, 0) || !fnmatch(c->v[i].pattern, id, 0))
			return c->v[i].kind;
	return NULL;
}

void conf_release(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].pattern);
		free(c->v[i].kind);
	}
	free(c->v);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
