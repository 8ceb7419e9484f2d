/* wrapper.c - see wrapper.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "io.h"
#include "wrapper.h"
#include "xalloc.h"

/* How much slower a test runs under the wrappers assay knows: the
 * tools' own documentation puts memcheck at 10-50x, helgrind and drd
 * at 20-100x, rr record at 1.2-2x (more on many threads). */
static void judge(struct wrapper *w)
{
	const char *base = strrchr(w->argv[0], '/');

	base = base ? base + 1 : w->argv[0];
	w->scale = 1;
	if (!strcmp(base, "valgrind")) {
		const char *tool = "memcheck";

		for (size_t i = 1; i < w->argc; i++)
			if (!strncmp(w->argv[i], "--tool=", 7))
				tool = w->argv[i] + 7;
		w->scale = !strcmp(tool, "helgrind") || !strcmp(tool, "drd") ? 50 : 20;
		w->why = xasprintf("valgrind (%s)", tool);
	} else if (!strcmp(base, "rr")) {
		w->scale = WRAPPER_RR_SCALE;
		w->why = xstrdup("rr");
	} else if (!strcmp(base, "strace") || !strcmp(base, "ltrace")) {
		w->scale = 5;
		w->why = xstrdup(base);
	} else {
		w->why = xasprintf("assay does not know how much '%s' slows a test: deadlines are not scaled for it (--timeout-multiplier scales them)",
				   base);
	}
}

int wrapper_parse(struct wrapper *w, const char *cmd, struct err *e)
{
	GError *ge = NULL;
	gchar **v = NULL;
	gint n = 0;

	memset(w, 0, sizeof(*w));
	if (!g_shell_parse_argv(cmd, &n, &v, &ge)) {
		int rc = err_set(e, ERR_USAGE, "--wrapper '%s': %s", cmd,
				 ge && ge->message ? ge->message : "cannot split it into words");
		g_clear_error(&ge);
		return rc;
	}
	w->argc = (size_t)n;
	w->argv = xcalloc(w->argc + 1, sizeof(*w->argv));
	for (size_t i = 0; i < w->argc; i++)
		w->argv[i] = xstrdup(v[i]);
	g_strfreev(v);
	w->path = strchr(w->argv[0], '/') ? xstrdup(w->argv[0])
					   : io_find_program(w->argv[0]);
	if (!w->path || access(w->path, X_OK) < 0) {
		int rc = err_set(e, ERR_USAGE,
				 "--wrapper: cannot execute '%s' (%s): install it, or give its path",
				 w->argv[0], w->path ? "not executable" : "not found in PATH");
		wrapper_release(w);
		return rc;
	}
	judge(w);
	return 0;
}

char **wrapper_argv(const struct wrapper *w, char *const *argv)
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	v = xcalloc(w->argc + n + 1, sizeof(*v));
	memcpy(v, w->argv, w->argc * sizeof(*v));
	memcpy(v + w->argc, argv, n * sizeof(*v));
	return v;
}

void wrapper_release(struct wrapper *w)
{
	for (size_t i = 0; w->argv && i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	free(w->path);
	free(w->why);
	memset(w, 0, sizeof(*w));
}
