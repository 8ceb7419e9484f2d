/*
 * selftest/plugin/sample.c - an external plugin, built as sample.so and
 * loaded with --plugin by selftest/e2e/plugin.sh to prove the ABI works
 * from outside the assay binary.
 *
 * kind "xfail": programs named *.xfail are expected to fail: a non-zero
 * exit is xfail (counts as passed), exit 0 is xpass (counts as failed).
 * Each runs as `PROGRAM --expect-failure`, with XFAIL_EXPECTED=1 in its
 * environment and XFAIL_UNSET removed (the spawn spec of ABI 2).
 * reporter "tally": --reporter tally=FILE writes "OUTCOME ID" per result,
 * "batch N" per task started on N listed cases, then "total N", "tasks
 * N" (tasks started) and "cases N" (case starts its kinds saw) at the
 * end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assay/plugin.h"

static int xfail_claim(const char *path, unsigned mode, int named)
{
	size_t n = strlen(path);

	return S_ISREG(mode) && (mode & 0111) && n > 6 &&
	       !strcmp(path + n - 6, ".xfail") ? 50 : 0;
}

/* The spec's strings must live until job_end: the task's own copy of
 * argv, and constant environment changes. */
struct xfail_job {
	const char *argv[3];
};

static int xfail_begin(void **state, const struct assay_task *task,
		       struct assay_spec *spec)
{
	static const char *const env[] = { "XFAIL_EXPECTED=1", "XFAIL_UNSET",
					   NULL };
	struct xfail_job *j = malloc(sizeof(*j));

	if (!j)
		return -1;
	j->argv[0] = task->test->path;
	j->argv[1] = "--expect-failure";
	j->argv[2] = NULL;
	spec->argv = j->argv;
	spec->env = env;
	*state = j;
	return 0;
}

static void xfail_end(void *state, const struct assay_exit *ex,
		      struct assay_job_ctx *ctx)
{
	struct assay_verdict v = { .struct_size = sizeof(v) };

	if (ex->how == ASSAY_EXITED && ex->code == 0) {
		v.outcome = ASSAY_XPASS;
		v.reason = "passed, but it is expected to fail";
	} else {
		v.outcome = ASSAY_XFAIL;
		v.reason = "failed, as expected";
	}
	ctx->report(ctx, &v);
	free(state);
}

static const struct assay_kind xfail_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "xfail",
	.summary = "programs that are expected to fail",
	.claim = xfail_claim,
	.job_begin = xfail_begin,
	.job_end = xfail_end,
};

struct tally {
	FILE *f;
	unsigned long tasks, cases;
};

static int tally_open(void **state, struct assay_reporter_opts *o,
		      char *errbuf, size_t errlen)
{
	struct tally *t;
	FILE *f;

	if (!o->arg || !*o->arg) {
		snprintf(errbuf, errlen, "give a file: --reporter tally=FILE");
		return -1;
	}
	if (!(t = calloc(1, sizeof(*t))) || !(f = fopen(o->arg, "w"))) {
		snprintf(errbuf, errlen, "cannot write '%s'", o->arg);
		free(t);
		return -1;
	}
	t->f = f;
	*state = t;
	return 0;
}

static void tally_event(void *state, const struct assay_event *ev)
{
	struct tally *t = state;

	switch (ev->type) {
	case ASSAY_EV_TEST_END:
		fprintf(t->f, "%s %s\n", assay_outcome_name(ev->result->outcome),
			ev->result->id);
		break;
	case ASSAY_EV_TASK_START:
		t->tasks++;
		if (ev->task->ncases)
			fprintf(t->f, "batch %zu\n", ev->task->ncases);
		break;
	case ASSAY_EV_CASE_START:
		t->cases++;
		break;
	case ASSAY_EV_RUN_END:
		fprintf(t->f, "total %zu\ntasks %lu\ncases %lu\n", ev->run->total,
			t->tasks, t->cases);
		break;
	default:
		break;
	}
}

static int tally_close(void *state, char *errbuf, size_t errlen)
{
	struct tally *t = state;
	FILE *f = t->f;

	free(t);
	if (fclose(f) != 0) {
		snprintf(errbuf, errlen, "writing the tally failed");
		return -1;
	}
	return 0;
}

static const struct assay_reporter tally_reporter = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_reporter),
	.name = "tally",
	.summary = "one line per result in a file",
	.open = tally_open,
	.event = tally_event,
	.close = tally_close,
};

static const struct assay_kind *const kinds[] = { &xfail_kind, NULL };
static const struct assay_reporter *const reporters[] = { &tally_reporter, NULL };

const struct assay_plugin *assay_plugin_entry(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "sample",
		.kinds = kinds,
		.reporters = reporters,
	};
	return &p;
}
