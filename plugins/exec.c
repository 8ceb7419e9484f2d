/*
 * plugins/exec.c - the exec and auto kinds: a test is a program judged
 * by how it ended.
 *
 * Exit 0 passes, 77 skips, 99 is a hard error, any other status fails,
 * death by a signal is a crash (named: "crash (SIGSEGV)"). A skip takes
 * its reason from the program's last line of output, as automake and
 * meson users write it. Each failure is classified for reports
 * (docs/junit.md): exit-code, hard-error, not-runnable. exec never reads
 * the output; auto, the kind of every executable no other kind claims,
 * reads it as TAP when it is TAP beyond doubt (plugins/tap.c does the
 * looking). Never runs anything itself.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "assay/plugin.h"
#include "builtin.h"

#define EXIT_SKIP 77
#define EXIT_HARD_ERROR 99

static int auto_claim(const char *path, unsigned mode, int named)
{
	return S_ISREG(mode) && (mode & 0111) ? 10 : 0;
}

static int exec_claim_none(const char *path, unsigned mode, int named)
{
	return 0;
}

/* Copies the last non-empty line of o (its tail, or its head when that
 * is all there is) into buf (at most n-1 bytes, control characters as spaces); returns 1 when there is one. */
static int last_line(const struct assay_output *o, char *buf, size_t n)
{
	const char *s = o->tail_len ? o->tail : o->head;
	const char *end = s + (o->tail_len ? o->tail_len : o->head_len), *b;
	size_t len;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (end == s)
		return 0;
	b = end;
	while (b > s && b[-1] != '\n')
		b--;
	len = (size_t)(end - b) < n - 1 ? (size_t)(end - b) : n - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)b[i] < 0x20 ? ' ' : b[i];
	buf[len] = 0;
	return 1;
}

static const char *signame(int sig, char *buf, size_t n)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, n, "SIG%s", abbrev);
	else
		snprintf(buf, n, "signal %d", sig);
	return buf;
}

static void judge_exit(const struct assay_exit *ex, struct assay_verdict *v,
		       char *reason, size_t n)
{
	char line[160];

	if (ex->code == 0) {
		v->outcome = ASSAY_PASS;
	} else if (ex->code == EXIT_SKIP) {
		v->outcome = ASSAY_SKIP;
		if (last_line(ex->out, line, sizeof(line)) ||
		    last_line(ex->err, line, sizeof(line)))
			snprintf(reason, n, "%s", line);
		else
			snprintf(reason, n, "exit code 77");
	} else if (ex->code == EXIT_HARD_ERROR) {
		v->outcome = ASSAY_ERROR;
		v->classification = "hard-error";
		snprintf(reason, n, "hard error (exit code 99)");
	} else {
		v->outcome = ASSAY_FAIL;
		v->classification = "exit-code";
		snprintf(reason, n, "exit code %d", ex->code);
	}
}

void exec_judge(const struct assay_exit *ex, const struct assay_test *t,
		struct assay_verdict *v, char *reason, size_t n)
{
	char sig[32];

	switch (ex->how) {
	case ASSAY_EXITED:
		judge_exit(ex, v, reason, n);
		break;
	case ASSAY_SIGNALED:
		v->outcome = ASSAY_CRASH;
		snprintf(reason, n, "crash (%s)", signame(ex->code, sig, sizeof(sig)));
		break;
	case ASSAY_TIMED_OUT:
		v->outcome = ASSAY_TIMEOUT;
		snprintf(reason, n, "timeout after %gs%s",
			 ex->struct_size >= offsetof(struct assay_exit, timeout_s) +
			 sizeof(ex->timeout_s) && ex->timeout_s > 0 ? ex->timeout_s :
			 t->timeout_s,
			 ex->code == SIGKILL ? " (ignored SIGTERM; killed with SIGKILL)" : "");
		break;
	case ASSAY_CANCELLED:
		v->outcome = ASSAY_INTERRUPTED;
		snprintf(reason, n, "cancelled after %.1fs: the run was interrupted",
			 ex->duration_ns / 1e9);
		break;
	case ASSAY_SPAWN_FAILED:
		v->outcome = ASSAY_ERROR;
		v->classification = "not-runnable";
		snprintf(reason, n, "cannot execute: %s%s", strerror(ex->code),
			 ex->code == ENOEXEC ? " (a script without a #! line?)" :
			 ex->code == EACCES ?
			 " (check its exec bit and the mount)" : "");
		break;
	default:        /* a host newer than this kind */
		v->outcome = ASSAY_ERROR;
		snprintf(reason, n, "ended in a way the exec kind does not know (%d)",
			 (int)ex->how);
		break;
	}
}

void exec_judge_cut(const struct assay_exit *ex, const struct assay_test *t,
		    struct assay_verdict *v, char *reason, size_t n)
{
	exec_judge(ex, t, v, reason, n);
	if (v->outcome == ASSAY_PASS || v->outcome == ASSAY_FAIL ||
	    v->outcome == ASSAY_SKIP) {
		v->outcome = ASSAY_FAIL;
		v->classification = NULL;
		snprintf(reason, n, "the program exited (code %d) in the middle of this case",
			 ex->code);
	}
}

static void exec_job_end(void *state, const struct assay_exit *ex,
			 struct assay_job_ctx *ctx)
{
	struct assay_verdict v = { .struct_size = sizeof(v) };
	char reason[256] = "";

	exec_judge(ex, ctx->test, &v, reason, sizeof(reason));
	v.reason = reason;
	ctx->report(ctx, &v);
}

static int auto_job_begin(void **state, const struct assay_task *task,
			  struct assay_spec *spec)
{
	return tapjob_begin(state, task->test, 1, 0);
}

/* Chosen by name only (--kind exec, kind = exec): the output is never
 * parsed. */
static const struct assay_kind exec_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "exec",
	.summary = "a program judged by its exit status alone (0 pass, 77 skip, 99 error)",
	.claim = exec_claim_none,
	.job_end = exec_job_end,
};

/* What an executable found is, unless another kind claims it. */
static const struct assay_kind auto_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "auto",
	.summary = "a program judged by its exit status, or as TAP when its output is TAP beyond doubt",
	.claim = auto_claim,
	.job_begin = auto_job_begin,
	.job_output = tapjob_output,
	.job_end = tapjob_end,
};

static const struct assay_kind *const kinds[] = { &auto_kind, &exec_kind, NULL };

const struct assay_plugin *exec_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "exec",
		.kinds = kinds,
	};
	return &p;
}
