/*
 * conf.c - see conf.h.
 *
 * A setting from the file and one from -c take the same path: split
 * the name (settings_apply), check the value, then append it as a rule
 * that sets that one field (or a group that sets its max). Lookups walk
 * the rules from the last, so for each field the last match wins.
 */
#include "config.h"

#include <fnmatch.h>
#include <git2.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "registry.h"
#include "xalloc.h"

#define DEFAULT_PATH "assay.conf"
#define GROUP_NAME_CHARS                                                       \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
#define MAX_SECONDS 1e7

/* Where settings come from: the file (ERR_INPUT) or -c (ERR_USAGE). */
struct source {
	struct conf *c;
	const struct registry *reg;
	const char *where;      /* c->path, or "-c" */
	int code;
	struct err *e;
	int rc;                 /* the failure, for git_config_foreach */
};

/* One NAME = VALUE, NAME split as SECTION[.SUB].KEY (SUB may hold dots). */
struct setting {
	const struct source *src;
	const char *name, *value;       /* value NULL: none given (true) */
	const char *sub, *key;          /* sub NULL: no subsection */
	int seclen, sublen;
};

/* Fails the setting: the message says where, what, and why. */
__attribute__((format(printf, 2, 3)))
static int refuse(const struct setting *st, const char *fmt, ...)
{
	const struct source *src = st->src;
	const char *v = st->value;
	char why[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (src->code == ERR_USAGE)
		return err_set(src->e, ERR_USAGE, "-c '%s%s%s': %s", st->name,
			       v ? "=" : "", v ? v : "", why);
	return err_set(src->e, ERR_INPUT, "%s: [%.*s%s%.*s%s] %s%s%s: %s",
		       src->where, st->seclen, st->name, st->sub ? " \"" : "",
		       st->sub ? st->sublen : 0, st->sub ? st->sub : "",
		       st->sub ? "\"" : "", st->key, v ? " = " : "", v ? v : "",
		       why);
}

/* A whole number lo..hi, digits only. */
static bool parse_int(const char *v, long lo, long hi, int *out)
{
	long n;

	if (!v || !*v || v[strspn(v, "0123456789")] || strlen(v) > 9)
		return false;
	n = strtol(v, NULL, 10);
	if (n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

static int set_kind(const struct setting *st, struct conf_rule *r)
{
	char *names;
	int rc;

	if (st->value && registry_kind(st->src->reg, st->value)) {
		r->kind = xstrdup(st->value);
		return 0;
	}
	names = registry_kind_names(st->src->reg);
	rc = refuse(st, "no such kind (known: %s)", names);
	free(names);
	return rc;
}

static int set_timeout(const struct setting *st, struct conf_rule *r)
{
	const char *v = st->value;
	char *end;

	if (v && *v && !v[strspn(v, "0123456789.")]) {
		r->timeout_s = strtod(v, &end);
		if (!*end && r->timeout_s <= MAX_SECONDS)
			return 0;
	}
	return refuse(st, "not a number of seconds (want 0 to %.0f, like 600 or 0.5; 0: no timeout)",
		      MAX_SECONDS);
}

static int set_slots(const struct setting *st, struct conf_rule *r)
{
	if (parse_int(st->value, 1, 4096, &r->slots))
		return 0;
	return refuse(st, "not a number of slots (want a whole number from 1 to 4096)");
}

static int set_bool(const struct setting *st, int *out)
{
	if (git_config_parse_bool(out, st->value) == 0)
		return 0;
	return refuse(st, "not a boolean (want true or false, yes or no, on or off, 1 or 0)");
}

static int set_serial(const struct setting *st, struct conf_rule *r)
{
	return set_bool(st, &r->serial);
}

static int set_gpus(const struct setting *st, struct conf_rule *r)
{
	if (parse_int(st->value, 0, 64, &r->gpus))
		return 0;
	return refuse(st, "not a number of GPUs (want a whole number from 0 to 64)");
}

static int set_gpu_exclusive(const struct setting *st, struct conf_rule *r)
{
	return set_bool(st, &r->gpu_exclusive);
}

static int set_retries(const struct setting *st, struct conf_rule *r)
{
	if (parse_int(st->value, 0, 100, &r->retries))
		return 0;
	return refuse(st, "not a number of retries (want a whole number from 0 to 100)");
}

/* "a, b,c": names of GROUP_NAME_CHARS, each once, CONF_MAX_GROUPS at most. */
static int set_groups(const struct setting *st, struct conf_rule *r)
{
	const char *p = st->value, *end;
	size_t len, n = 0;

	if (!p)
		return refuse(st, "wants group names, separated by commas");
	for (;; p = end + 1) {
		p += strspn(p, " \t");
		len = strspn(p, GROUP_NAME_CHARS);
		end = p + len + strspn(p + len, " \t");
		if (!len || (*end && *end != ','))
			return refuse(st, "'%.*s' is not a group name (want letters, digits, '_', '.' and '-', names separated by commas)",
				      (int)strcspn(p, ","), p);
		if (n == CONF_MAX_GROUPS)
			return refuse(st, "too many groups (at most %d)",
				      CONF_MAX_GROUPS);
		r->groups[n] = xasprintf("%.*s", (int)len, p);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(r->groups[i], r->groups[n]))
				return refuse(st, "names group '%s' twice",
					      r->groups[n]);
		n++;
		if (!*end)
			return 0;
	}
}

static int set_tap_plan(const struct setting *st, struct conf_rule *r)
{
	static const char *const names[] = { "auto", "required", "optional" };

	for (int i = 0; st->value && i < 3; i++)
		if (!strcasecmp(st->value, names[i])) {
			r->tap_plan = i + 1;    /* enum tap_plan */
			return 0;
		}
	return refuse(st, "not a plan rule (want auto, required or optional)");
}

static int set_leaks(const struct setting *st, struct conf_rule *r)
{
	if (st->value && !strcasecmp(st->value, "fail"))
		r->leaks = 0;
	else if (st->value && !strcasecmp(st->value, "allow"))
		r->leaks = 1;
	else
		return refuse(st, "not a leak rule (want fail or allow)");
	return 0;
}

static const struct {
	const char *key;
	int (*set)(const struct setting *st, struct conf_rule *r);
} test_keys[] = {
	{ "kind", set_kind },       { "timeout", set_timeout },
	{ "slots", set_slots },     { "serial", set_serial },
	{ "group", set_groups },    { "retries", set_retries },
	{ "tap-plan", set_tap_plan }, { "leaks", set_leaks },
	{ "gpus", set_gpus },       { "gpu-exclusive", set_gpu_exclusive },
};

static void rule_release(struct conf_rule *r)
{
	free(r->pattern);
	free(r->kind);
	for (size_t i = 0; i < CONF_MAX_GROUPS; i++)
		free(r->groups[i]);
}

/* [tests "GLOB"] KEY = VALUE: one rule setting that key. */
static int add_rule(const struct setting *st)
{
	struct conf_rule r = { .timeout_s = -1, .slots = -1, .serial = -1,
			       .retries = -1, .tap_plan = -1, .leaks = -1,
			       .gpus = -1, .gpu_exclusive = -1,
			       .where = st->src->where };
	struct conf *c = st->src->c;
	size_t i, n = sizeof(test_keys) / sizeof(test_keys[0]);
	int rc;

	for (i = 0; i < n && strcasecmp(st->key, test_keys[i].key); i++)
		;
	if (i == n)
		return refuse(st, "unknown key (known: kind, timeout, slots, serial, group, retries, tap-plan, leaks, gpus, gpu-exclusive)");
	if ((rc = test_keys[i].set(st, &r)) < 0) {
		rule_release(&r);
		return rc;
	}
	r.pattern = xasprintf("%.*s", st->sublen, st->sub);
	xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = r;
	return 0;
}

/* [group "NAME"] max = N */
static int add_group(const struct setting *st)
{
	struct conf *c = st->src->c;
	int max;

	if (strcasecmp(st->key, "max"))
		return refuse(st, "unknown key (known: max)");
	if (!st->sublen || (int)strspn(st->sub, GROUP_NAME_CHARS) < st->sublen)
		return refuse(st, "not a group name (want letters, digits, '_', '.' and '-')");
	if (!parse_int(st->value, 1, 4096, &max))
		return refuse(st, "not a group size (want a whole number from 1 to 4096)");
	xgrow((void **)&c->groups, &c->gcap, c->ngroups + 1,
	      sizeof(*c->groups));
	c->groups[c->ngroups].name = xasprintf("%.*s", st->sublen, st->sub);
	c->groups[c->ngroups++].max = (unsigned)max;
	return 0;
}

/* The one way in for a setting, from the file or from -c. */
static int settings_apply(const struct source *src, const char *name,
			  const char *value)
{
	struct setting st = { .src = src, .name = name, .value = value };
	const char *dot = strchr(name, '.'), *last = strrchr(name, '.');

	st.key = last ? last + 1 : name;
	st.seclen = dot ? (int)(dot - name) : 0;
	if (dot != last) {
		st.sub = dot + 1;
		st.sublen = (int)(last - dot - 1);
	}
	if (!dot)
		return refuse(&st, "not a setting (want tests.GLOB.KEY=VALUE or group.NAME.max=N)");
	if (st.sub && st.seclen == 5 && !strncasecmp(name, "tests", 5))
		return add_rule(&st);
	if (st.sub && st.seclen == 5 && !strncasecmp(name, "group", 5))
		return add_group(&st);
	return refuse(&st, "unknown section (known: [tests \"GLOB\"], [group \"NAME\"])");
}

static int on_entry(const git_config_entry *ent, void *arg)
{
	struct source *src = arg;

	src->rc = settings_apply(src, ent->name, ent->value);
	return src->rc < 0 ? -1 : 0;
}

static int read_file(struct source *src)
{
	const char *path = src->c->path;
	git_config *cfg = NULL;
	const git_error *ge;
	int rc = 0;

	git_libgit2_init();
	if (git_config_open_ondisk(&cfg, path) < 0) {
		ge = git_error_last();
		rc = err_set(src->e, ERR_INPUT, "%s: %s", path,
			     ge && ge->message ? ge->message : "not valid git-config syntax");
	} else if (git_config_foreach(cfg, on_entry, src) < 0) {
		rc = src->rc ? src->rc :
			err_set(src->e, ERR_INPUT, "%s: cannot be read", path);
	}
	git_config_free(cfg);
	git_libgit2_shutdown();
	return rc;
}

int conf_load(struct conf *c, const char *path, const struct registry *reg,
	      struct err *e)
{
	struct source src = { c, reg, NULL, ERR_INPUT, e, 0 };

	memset(c, 0, sizeof(*c));
	if (!path && access(DEFAULT_PATH, F_OK) != 0)
		return 0;
	c->path = xstrdup(path ? path : DEFAULT_PATH);
	if (access(c->path, R_OK) != 0)
		return err_set(e, ERR_USAGE, "cannot read the configuration '%s': %m",
			       c->path);
	src.where = c->path;
	return read_file(&src);
}

int conf_set(struct conf *c, const char *assignment,
	     const struct registry *reg, struct err *e)
{
	struct source src = { c, reg, "-c", ERR_USAGE, e, 0 };
	const char *eq = strchr(assignment, '=');
	char *name = eq ? xasprintf("%.*s", (int)(eq - assignment), assignment)
			: xstrdup(assignment);
	int rc;

	/* git -c: NAME alone is a boolean true, as in the file. libgit2
	 * must be initialised: a bad boolean sets its error state */
	git_libgit2_init();
	rc = settings_apply(&src, name, eq ? eq + 1 : NULL);
	git_libgit2_shutdown();
	free(name);
	return rc;
}

/* Whether the glob matches the id, or the path as found, or the end of
 * the path from any '/' on: "hang.sh" and "tests/hang.sh" both match a
 * test found as tests/hang.sh, however the run named it. */
static bool rule_matches(const struct conf_rule *r, const char *path,
			 const char *id)
{
	if (id && !fnmatch(r->pattern, id, 0))
		return true;
	for (const char *p = path; p; p = strchr(p, '/'))
		if (!fnmatch(r->pattern, *p == '/' ? ++p : p, 0))
			return true;
	return false;
}

/* Takes from r each field that out has not set yet. */
static void fold(struct conf_settings *out, const struct conf_rule *r)
{
	if (!out->kind)
		out->kind = r->kind;
	if (out->timeout_s < 0)
		out->timeout_s = r->timeout_s;
	if (out->slots < 0)
		out->slots = r->slots;
	if (out->serial < 0)
		out->serial = r->serial;
	if (out->retries < 0)
		out->retries = r->retries;
	if (out->tap_plan < 0)
		out->tap_plan = r->tap_plan;
	if (out->leaks < 0)
		out->leaks = r->leaks;
	if (out->gpus < 0)
		out->gpus = r->gpus;
	if (out->gpu_exclusive < 0)
		out->gpu_exclusive = r->gpu_exclusive;
	if (!out->ngroups)
		while (out->ngroups < CONF_MAX_GROUPS &&
		       r->groups[out->ngroups]) {
			out->groups[out->ngroups] = r->groups[out->ngroups];
			out->ngroups++;
		}
}

/* Folds the rules matching path and id into out; marks them used when
 * used is set. */
static void lookup(const struct conf *c, const char *path, const char *id,
		   struct conf_settings *out, bool *used)
{
	*out = (struct conf_settings){ .timeout_s = -1, .slots = -1,
				       .serial = -1, .retries = -1,
				       .tap_plan = -1, .leaks = -1,
				       .gpus = -1, .gpu_exclusive = -1 };
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	for (size_t i = c->n; i-- > 0;)
		if (rule_matches(&c->v[i], path, id)) {
			fold(out, &c->v[i]);
			if (used)
				used[i] = true;
		}
}

void conf_lookup(struct conf *c, const char *path, const char *id,
		 struct conf_settings *out)
{
	if (!c->used && c->n)
		c->used = xcalloc(c->n, sizeof(*c->used));
	lookup(c, path, id, out, c->used);
}

const char *conf_kind(const struct conf *c, const char *path, const char *id)
{
	struct conf_settings s;

	lookup(c, path, id, &s, NULL);
	return s.kind;
}

size_t conf_unused(const struct conf *c, const struct conf_rule **out,
		   size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		bool dup = false;
		if (c->used && c->used[i])
			continue;
		for (size_t j = 0; j < n && !dup; j++)
			dup = !strcmp(out[j]->pattern, c->v[i].pattern);
		if (!dup && n < max)
			out[n++] = &c->v[i];
	}
	return n;
}

unsigned conf_group_max(const struct conf *c, const char *name)
{
	for (size_t i = c->ngroups; i-- > 0;)
		if (!strcmp(c->groups[i].name, name))
			return c->groups[i].max;
	return 1;
}

void conf_release(struct conf *c)
{
	for (size_t i = 0; i < c->n; i++)
		rule_release(&c->v[i]);
	for (size_t i = 0; i < c->ngroups; i++)
		free(c->groups[i].name);
	free(c->v);
	free(c->used);
	free(c->groups);
	free(c->path);
	memset(c, 0, sizeof(*c));
}
