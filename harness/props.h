/*
 * props.h - the facts about a run that reports carry (docs/junit.md,
 * "Properties"): assay's version, the command line, the host, the start
 * time, -j, and the git commit, branch and dirty state.
 *
 * Gathered once before the run, as a name, value, ..., NULL list for
 * struct assay_run_info. Never fails the run: a fact that cannot be
 * known (no git work tree, no hostname) is left out.
 */
#ifndef ASSAY_PROPS_H
#define ASSAY_PROPS_H

#include <stddef.h>
#include <stdint.h>

struct props {
	const char **v;         /* name, value, ..., NULL */
	size_t n, cap;
	char **owned;           /* strings to free */
	size_t nowned, owned_cap;
	char hostname[256];
};

/* git: 1 to read the git facts of the current directory (costs a status
 * scan of the work tree), 0 to leave them out. */
void props_build(struct props *p, int argc, char **argv, unsigned jobs,
		 uint64_t start_wall_ns, int git);
/* Adds one more fact; the list takes value (malloc'd). */
void props_add(struct props *p, const char *name, char *value);
void props_release(struct props *p);

/* argv as one line a POSIX shell would read back: arguments that need
 * it in single quotes. For people to read; assay never runs it. */
char *props_command_line(int argc, char **argv);

#endif
