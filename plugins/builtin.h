/*
 * plugins/builtin.h - the plugins compiled into assay.
 *
 * Each built-in plugin is an ordinary struct assay_plugin, registered
 * through the same ABI an external one uses. Never add a kind or a
 * reporter anywhere but here and in its own file.
 */
#ifndef ASSAY_PLUGINS_BUILTIN_H
#define ASSAY_PLUGINS_BUILTIN_H

#include "assay/plugin.h"

const struct assay_plugin *exec_plugin(void);
const struct assay_plugin *tap_plugin(void);
const struct assay_plugin *gtest_plugin(void);
const struct assay_plugin *api_plugin(void);
const struct assay_plugin *cuda_plugin(void);
const struct assay_plugin *console_plugin(void);
const struct assay_plugin *tapout_plugin(void);
const struct assay_plugin *junit_plugin(void);
const struct assay_plugin *installed_plugin(void);

/* exec's judgement of how a program ended, for kinds that build on it:
 * fills v->outcome and writes the reason into reason[0..n). */
void exec_judge(const struct assay_exit *ex, const struct assay_test *t,
		struct assay_verdict *v, char *reason, size_t n);
/* The same for the case a program was in when it ended (the kinds that
 * read cases from its output): a crash, a timeout or a hard error as
 * exec_judge says; any other exit a failure, "the program exited (code
 * N) in the middle of this case". */
void exec_judge_cut(const struct assay_exit *ex, const struct assay_test *t,
		    struct assay_verdict *v, char *reason, size_t n);

/* Appends what fits of buf[0..n) to out[0..*len), cap bytes at most: a
 * case's own output, bounded (builtin.c). */
void case_output_add(char *out, size_t *len, size_t cap, const char *buf,
		     size_t n);

/* A job of test t read as TAP (sniff 0), or as TAP when its output is
 * TAP beyond doubt and judged by exec_judge otherwise (sniff 1):
 * plugins/tap.c. plan_rule: the kind's enum tap_plan (0: auto), which
 * assay.conf's tap-plan overrides. */
int tapjob_begin(void **state, const struct assay_test *t, int sniff,
		 int plan_rule);
void tapjob_output(void *state, int stream, const char *buf, size_t n,
		   struct assay_job_ctx *ctx);
void tapjob_end(void *state, const struct assay_exit *ex,
		struct assay_job_ctx *ctx);

/* A job that speaks the worker protocol (docs/api.md): plugins/api.c,
 * for its assay kind and the cuda kind. It runs head[0..nhead) and then
 * --filter ID for each of the task's cases; hang (or NULL) is added to
 * the reason of a case that timed out. */
int workerjob_begin(void **state, const struct assay_task *task,
		    struct assay_spec *spec, char *const *head, size_t nhead,
		    const char *hang);
void workerjob_output(void *state, int stream, const char *buf, size_t n,
		      struct assay_job_ctx *ctx);
void workerjob_end(void *state, const struct assay_exit *ex,
		   struct assay_job_ctx *ctx);
/* The listing of such a program: "ID[\tATTRIBUTES]" per line, the
 * attributes (timeout=S, serial, tags=..., gpus=N, ...) to the sink. */
int workerjob_list_parse(const struct assay_test *t, const struct assay_exit *ex,
			 const char *out, size_t len, struct assay_case_sink *sink,
			 char *errbuf, size_t errlen);

/* NULL-terminated, in registration order. */
extern assay_plugin_entry_fn *const builtin_plugins[];

#endif
