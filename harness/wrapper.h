/*
 * wrapper.h - `--wrapper 'CMD ARGS'`: a command put in front of every
 * test's argv (valgrind, rr record, taskset, nice), and how much it
 * slows a test, by what it is (docs/hangs.md, "Deadlines").
 *
 * Parses CMD as a shell would split words (GLib's g_shell_parse_argv:
 * quotes and backslashes; no expansion, no shell run), finds its
 * program in PATH at once, so a typo is an error before any test runs.
 * Never runs anything itself.
 */
#ifndef ASSAY_WRAPPER_H
#define ASSAY_WRAPPER_H

#include <stddef.h>

#include "err.h"

#define WRAPPER_RR_SCALE 3       /* rr record: 1.2-2x, more on many threads */

struct wrapper {
	char **argv;            /* NULL-terminated; argv[0] as given */
	size_t argc;
	char *path;             /* argv[0] found in PATH, or as given */
	double scale;           /* how many times slower a test runs */
	char *why;              /* "valgrind (memcheck)", or for 1: why not */
};

/* ERR_USAGE with the reason when cmd is empty, cannot be split, or
 * names no program that can be executed. */
int wrapper_parse(struct wrapper *w, const char *cmd, struct err *e);
/* argv with the wrapper in front: a malloc'd vector of borrowed
 * strings (free the vector only). */
char **wrapper_argv(const struct wrapper *w, char *const *argv);
void wrapper_release(struct wrapper *w);

#endif
