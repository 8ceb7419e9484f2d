/*
 * conf.h - assay.conf: the project's settings for its tests, in
 * git-config syntax, read through libgit2, plus the same settings given
 * on the command line (-c NAME=VALUE, applied after the file):
 *
 *     [tests "slow-*.sh"]
 *             timeout = 600
 *             serial = true
 *     [tests "db-*"]
 *             group = db
 *     [group "db"]
 *             max = 1
 *
 * A tests section names a glob (fnmatch, `*` crosses `/`) matched
 * against a test's id, its path as found, and every end of that path
 * that starts after a '/' (so "hang.sh" matches tests/hang.sh however
 * the run named it); for each key, the last matching section that sets
 * it wins. Keys of [tests "GLOB"]:
 * kind, timeout (seconds, 0: none), slots (capacity units the test
 * holds, 1..4096), serial (boolean: it runs alone), group (names of
 * exclusion groups, comma-separated, at most CONF_MAX_GROUPS), retries
 * (0..100), tap-plan (auto, required or optional: docs/tap.md), leaks
 * (fail or allow), gpus (devices it needs, 0..64), gpu-exclusive
 * (boolean: every slot of each). Keys of [group "NAME"]: max (how many of its tests run at
 * once, 1..4096; a group no section declares has max 1). Never writes
 * the file, never reads any other git configuration, never accepts a
 * key or value it does not know (a typo is an error naming the file or
 * option, the section and the key).
 */
#ifndef ASSAY_CONF_H
#define ASSAY_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CONF_MAX_GROUPS 4

struct registry;

/* What one [tests] section sets; unset fields are -1 / NULL. */
struct conf_rule {
	char *pattern;
	char *kind;
	double timeout_s;               /* < 0: unset */
	int slots;                      /* < 0: unset */
	int serial;                     /* < 0: unset, else 0 or 1 */
	int retries;                    /* < 0: unset */
	int tap_plan;                   /* < 0: unset, else enum tap_plan */
	int leaks;                      /* < 0: unset, 1 allow, 0 fail */
	int gpus, gpu_exclusive;        /* < 0: unset */
	char *groups[CONF_MAX_GROUPS];  /* set when groups[0] != NULL */
	const char *where;              /* file name or "-c" (for errors) */
};

struct conf_group {
	char *name;
	unsigned max;
};

struct conf {
	char *path;             /* the file read, or NULL for none */
	struct conf_rule *v;
	size_t n, cap;
	bool *used;             /* per rule: conf_lookup matched a test */
	struct conf_group *groups;
	size_t ngroups, gcap;
};

/* The settings for one test: the rules folded, last match winning. */
struct conf_settings {
	const char *kind;               /* NULL: unset */
	double timeout_s;               /* < 0: unset */
	int slots, serial, retries;     /* < 0: unset */
	int tap_plan;                   /* < 0: unset */
	int leaks;                      /* 1 allow, 0 fail; < 0: unset */
	int gpus, gpu_exclusive;        /* < 0: unset */
	const char *groups[CONF_MAX_GROUPS];
	unsigned ngroups;
};

/*
 * Reads path; when path is NULL, ./assay.conf if it exists. Unknown
 * keys, bad values and kinds that reg does not know are ERR_INPUT
 * naming the file.
 */
int conf_load(struct conf *c, const char *path, const struct registry *reg,
	      struct err *e);
/*
 * One setting from the command line, "tests.GLOB.KEY=VALUE" or
 * "group.NAME.max=N" (the GLOB may hold dots: the key is what follows
 * the last one). Applied after the file, so it wins. ERR_USAGE naming
 * the option when it is not one.
 */
int conf_set(struct conf *c, const char *assignment,
	     const struct registry *reg, struct err *e);
/* The settings for a test with this path and id; the rules that match
 * are marked used. */
void conf_lookup(struct conf *c, const char *path, const char *id,
		 struct conf_settings *out);
/* Up to max [tests] sections (one rule each, by glob) that conf_lookup
 * never matched: a mistyped glob. Returns how many. */
size_t conf_unused(const struct conf *c, const struct conf_rule **out,
		   size_t max);
/* The kind name set for a test with this path and id, or NULL. */
const char *conf_kind(const struct conf *c, const char *path, const char *id);
/* The cap of group name: its [group] max, or 1 when undeclared. */
unsigned conf_group_max(const struct conf *c, const char *name);
void conf_release(struct conf *c);

#endif
