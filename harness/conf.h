/*
 * conf.h - assay.conf: the project's settings for its tests, in
 * git-config syntax, read through libgit2:
 *
 *     [tests "*.sh"]
 *             kind = tap
 *
 * A section names a glob (fnmatch, `*` crosses `/`) matched against a
 * test's path as found and against its id; the last matching section
 * that sets a key wins. Today's key: kind. Never writes the file, never
 * reads any other git configuration, never accepts a key it does not
 * know (a typo is an error naming the file and the key).
 */
#ifndef ASSAY_CONF_H
#define ASSAY_CONF_H

#include <stddef.h>

#include "err.h"

struct registry;

struct conf_rule {
	char *pattern;
	char *kind;
};

struct conf {
	char *path;             /* the file read, or NULL for none */
	struct conf_rule *v;
	size_t n, cap;
};

/*
 * Reads path; when path is NULL, ./assay.conf if it exists. Unknown keys
 * and kinds that reg does not know are ERR_INPUT naming the file.
 */
int conf_load(struct conf *c, const char *path, const struct registry *reg,
	      struct err *e);
/* The kind name set for a test with this path and id, or NULL. */
const char *conf_kind(const struct conf *c, const char *path, const char *id);
void conf_release(struct conf *c);

#endif
