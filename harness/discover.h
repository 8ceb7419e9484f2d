/*
 * discover.h - turns the paths a user gave into the test table.
 *
 * A directory is searched (in name order, so runs are reproducible):
 * every file some kind claims is a test (for the built-in auto kind:
 * executable regular files), except hidden entries, build junk and
 * --exclude matches. A kind with a describe hook may then name the test,
 * refuse it (it is listed with the problem) or have it run alone. A file named on the command line is always a test;
 * when it cannot run (not executable, not a regular file) it is still
 * listed, marked with the problem, so the run reports it. The same
 * directory entry reached twice runs once. An entry left out for any
 * other reason is said (dropped), never silently. Never runs anything, never follows a symlink
 * to a directory (no loops).
 */
#ifndef ASSAY_DISCOVER_H
#define ASSAY_DISCOVER_H

#include <stdbool.h>

#include "err.h"

struct conf;
struct registry;
struct strlist;
struct test_table;

struct discover_opts {
	const struct strlist *paths;    /* files and directories */
	const struct strlist *excludes; /* fnmatch globs */
	const char *kind;               /* forced kind name, or NULL */
	const struct conf *conf;        /* assay.conf's kinds, or NULL */
	const struct registry *reg;
	char **dropped;                 /* out, or NULL: one line for each
	                                 * entry left out for a reason the
	                                 * rules above do not cover (a path
	                                 * too long, a dangling link, a link
	                                 * loop, an entry it cannot stat);
	                                 * malloc'd, NULL when none */
	bool strict;                    /* such an entry is ERR_USAGE */
};

/*
 * Fills t. A path that does not exist or a directory that cannot be read
 * is ERR_USAGE naming it (nothing should run then); an unknown --kind
 * likewise.
 */
int discover(struct test_table *t, const struct discover_opts *o,
	     struct err *e);
/* Whether the built-in ignore list skips this file or directory name. */
int discover_is_junk(const char *name, int is_dir);

#endif
