/*
 * plugins/installed.c - the installed-tests kind: a `.test` descriptor
 * (GNOME's installed-tests format, /usr/share/installed-tests/SUITE/) run
 * the way gnome-desktop-testing-runner runs it.
 *
 * A descriptor is a key file whose [Test] group has Exec= (a command
 * line with shell quoting), and optionally Type= (session, or
 * session-exclusive: it runs alone), Output=TAP and TestEnvironment=
 * (NAME=VALUE;...). GLib reads the key file (GKeyFile) and splits Exec=
 * (g_shell_parse_argv), exactly as the reference runner does; nothing
 * goes through a shell. The test runs in a fresh directory holding only
 * `.testtmp`, with TestEnvironment applied; its output is TAP when
 * Output=TAP says so, and sniffed otherwise (plugins/tap.c judges).
 * A test's id is its path under the nearest `installed-tests` directory
 * (glib/array-test.test, as the reference runner names it), or its
 * folder and file name. Never runs a shell, never writes outside the
 * task's temporary directory.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/io.h"
#include "harness/tap.h"
#include "harness/xalloc.h"

#define GROUP "Test"

/* What a descriptor says; all NULL when it cannot be read. */
struct desc {
	GKeyFile *kf;
	char **argv;            /* Exec=, split */
	char **env;             /* TestEnvironment=, or NULL */
	bool tap, exclusive;
};

static void desc_free(struct desc *d)
{
	if (d->kf)
		g_key_file_free(d->kf);
	g_strfreev(d->argv);
	g_strfreev(d->env);
	memset(d, 0, sizeof(*d));
}

/* Reads path into d; 0, or -1 with one line in why[0..n). */
static int desc_read(const char *path, struct desc *d, char *why, size_t n)
{
	GError *err = NULL;
	char *exec = NULL, *type = NULL, *output = NULL;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->kf = g_key_file_new();
	if (!g_key_file_load_from_file(d->kf, path, G_KEY_FILE_NONE, &err)) {
		snprintf(why, n, "not a readable descriptor: %s", err->message);
		goto out;
	}
	exec = g_key_file_get_string(d->kf, GROUP, "Exec", NULL);
	if (!exec) {
		snprintf(why, n, "no Exec= in its [Test] group: say what to run");
		goto out;
	}
	if (!g_shell_parse_argv(exec, NULL, &d->argv, &err)) {
		snprintf(why, n, "Exec= cannot be split into arguments: %s (fix its quoting)",
			 err->message);
		goto out;
	}
	type = g_key_file_get_string(d->kf, GROUP, "Type", NULL);
	if (type && strcmp(type, "session") && strcmp(type, "session-exclusive")) {
		snprintf(why, n, "Type=%s is not one the format knows (session, session-exclusive)",
			 type);
		goto out;
	}
	d->exclusive = type && !strcmp(type, "session-exclusive");
	output = g_key_file_get_string(d->kf, GROUP, "Output", NULL);
	d->tap = output && !strcmp(output, "TAP");
	d->env = g_key_file_get_string_list(d->kf, GROUP, "TestEnvironment",
					    NULL, NULL);
	for (size_t i = 0; d->env && d->env[i]; i++)
		if (!strchr(d->env[i], '=') || d->env[i][0] == '=') {
			snprintf(why, n, "TestEnvironment= entry '%s' is not NAME=VALUE",
				 d->env[i]);
			goto out;
		}
	rc = 0;
out:
	if (err)
		g_error_free(err);
	g_free(exec);
	g_free(type);
	g_free(output);
	return rc;
}

static bool named_test(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && !strcmp(path + n - 5, ".test");
}

/* A regular file named *.test with a [Test] group: a descriptor. */
static int installed_claim(const char *path, unsigned mode, int named)
{
	GKeyFile *kf;
	int yes;

	if (!S_ISREG(mode) || !named_test(path))
		return 0;
	kf = g_key_file_new();
	yes = g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL) &&
	      g_key_file_has_group(kf, GROUP);
	g_key_file_free(kf);
	return yes ? 30 : 0;
}

/* The id, from the real path: the part under the last "installed-tests"
 * directory, else the descriptor's folder and name. */
static void describe_id(const char *path, char *buf, size_t n)
{
	char *real = realpath(path, NULL);
	const char *s = real ? real : path, *at = NULL, *p = s, *base;

	while ((p = strstr(p, "/installed-tests/"))) {
		at = p + 17;
		p += 16;
	}
	if (!at && (base = strrchr(s, '/')))
		for (at = base; at > s && at[-1] != '/'; at--)
			;
	snprintf(buf, n, "%s", at && *at ? at : s);
	free(real);
}

static void installed_describe(const struct assay_test *t,
			       struct assay_traits *out)
{
	static char id[4096], why[512];
	struct desc d;

	describe_id(t->path, id, sizeof(id));
	out->id = id;
	if (desc_read(t->path, &d, why, sizeof(why)) < 0)
		out->problem = why;
	else
		out->serial = d.exclusive;
	desc_free(&d);
}

struct ijob {
	void *tap;              /* plugins/tap.c's state */
	struct desc d;
	char *prog;             /* argv[0] found in PATH, or NULL */
	char *cwd;
	const char **argv;      /* d.argv with prog in front */
};

/* The working directory: TMPDIR/work holding only .testtmp. */
static char *make_cwd(const char *tmpdir)
{
	char *dir = xasprintf("%s/work", tmpdir), *mark;
	FILE *f;

	if (mkdir(dir, 0700) < 0) {
		free(dir);
		return NULL;
	}
	mark = xasprintf("%s/.testtmp", dir);
	f = fopen(mark, "w");
	free(mark);
	if (!f || fclose(f) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int installed_job_begin(void **state, const struct assay_task *task,
			       struct assay_spec *spec)
{
	struct ijob *j = xcalloc(1, sizeof(*j));
	char why[512];
	size_t n;

	if (desc_read(task->test->path, &j->d, why, sizeof(why)) < 0 ||
	    !(j->cwd = make_cwd(task->tmpdir))) {
		desc_free(&j->d);
		free(j);
		return -1;
	}
	n = g_strv_length(j->d.argv);
	j->argv = xcalloc(n + 1, sizeof(*j->argv));
	for (size_t i = 0; i < n; i++)
		j->argv[i] = j->d.argv[i];
	if ((j->prog = io_find_program(j->argv[0])))
		j->argv[0] = j->prog;
	spec->argv = j->argv;
	spec->env = (const char *const *)j->d.env;
	spec->cwd = j->cwd;
	tapjob_begin(&j->tap, task->test, !j->d.tap, TAP_PLAN_OPTIONAL);
	*state = j;
	return 0;
}

static void installed_job_output(void *state, int stream, const char *buf,
				 size_t n, struct assay_job_ctx *ctx)
{
	struct ijob *j = state;

	tapjob_output(j->tap, stream, buf, n, ctx);
}

static void installed_job_end(void *state, const struct assay_exit *ex,
			      struct assay_job_ctx *ctx)
{
	struct ijob *j = state;

	tapjob_end(j->tap, ex, ctx);
	desc_free(&j->d);
	free(j->argv);
	free(j->prog);
	free(j->cwd);
	free(j);
}

static const struct assay_kind installed_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "installed-tests",
	.summary = "an installed-tests descriptor (*.test): its Exec= run as "
		   "gnome-desktop-testing-runner runs it",
	.claim = installed_claim,
	.job_begin = installed_job_begin,
	.job_output = installed_job_output,
	.job_end = installed_job_end,
	.describe = installed_describe,
};

static const struct assay_kind *const kinds[] = { &installed_kind, NULL };

const struct assay_plugin *installed_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "installed-tests",
		.kinds = kinds,
	};
	return &p;
}
