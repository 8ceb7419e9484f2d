/*
 * term.h - text shown on a terminal made harmless.
 *
 * Test ids and test output come from programs assay does not trust: an
 * ESC in a name could recolour, retitle or clear the user's terminal, a
 * CR overwrite a line, a newline forge a line of the report. Text built
 * here shows every such byte instead (`\e`, `\r`, `\n`, `\0`, `\x7f`,
 * `\u009b` for a C1 control written in UTF-8). Never changes any other
 * byte, never shortens the text silently.
 */
#ifndef ASSAY_TERM_H
#define ASSAY_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum term_mode {
	TERM_NAME,      /* one line: every control character shown */
	TERM_LINE,      /* a line of output: tabs kept, the rest shown */
};

/* Writes s[0..n) to f, made harmless. */
void term_write(FILE *f, const char *s, size_t n, enum term_mode m);
/* s made harmless as a name: s itself when it is, else a copy in *tmp
 * (malloc'd; the caller frees *tmp, NULL when none was made). */
const char *term_name(const char *s, char **tmp);

#endif
