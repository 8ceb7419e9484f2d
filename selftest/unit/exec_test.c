/* selftest/unit/exec_test.c - tests plugins/exec.c (the exec kind). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include "check.h"
#include "plugins/builtin.h"

static struct assay_verdict got;
static char reason[512];
static int reports;

static void report(struct assay_job_ctx *c, const struct assay_verdict *v)
{
	got = *v;
	snprintf(reason, sizeof(reason), "%s", v->reason ? v->reason : "");
	reports++;
}

static const struct assay_kind *exec_kind(void)
{
	return exec_plugin()->kinds[0];
}

/* Runs job_end on a made-up exit; stdout holds out. */
static void judge(enum assay_exit_how how, int code, const char *out)
{
	struct assay_test t = { sizeof(t), "x", "x", "./x", "exec", 2.5 };
	struct assay_output o = { sizeof(o), out, strlen(out), "", 0, strlen(out) };
	struct assay_output none = { sizeof(none), "", 0, "", 0, 0 };
	struct assay_exit ex = { sizeof(ex), how, code, 1000, &o, &none };
	struct assay_job_ctx ctx = { sizeof(ctx), &t, NULL, report };

	reports = 0;
	exec_kind()->job_end(NULL, &ex, &ctx);
	CHECK_INT(1, reports);
	CHECK(got.case_name == NULL);
}

int main(void)
{
	const struct assay_kind *k = exec_kind();

	CHECK_STR("exec", k->name);
	CHECK(k->claim("x", S_IFREG | 0755, 0) > 0);
	CHECK(k->claim("x", S_IFREG | 0644, 0) == 0);
	CHECK(k->claim("x", S_IFDIR | 0755, 0) == 0);

	judge(ASSAY_EXITED, 0, "");
	CHECK_INT(ASSAY_PASS, got.outcome);
	judge(ASSAY_EXITED, 1, "");
	CHECK_INT(ASSAY_FAIL, got.outcome);
	CHECK_STR("exit code 1", reason);
	judge(ASSAY_EXITED, 77, "checking...\nno GPU in this machine\n\n");
	CHECK_INT(ASSAY_SKIP, got.outcome);
	CHECK_STR("no GPU in this machine", reason);
	judge(ASSAY_EXITED, 77, "");
	CHECK_STR("exit code 77", reason);
	judge(ASSAY_EXITED, 99, "");
	CHECK_INT(ASSAY_ERROR, got.outcome);
	CHECK_HAS(reason, "99");
	judge(ASSAY_SIGNALED, SIGSEGV, "");
	CHECK_INT(ASSAY_CRASH, got.outcome);
	CHECK_STR("crash (SIGSEGV)", reason);
	judge(ASSAY_SIGNALED, SIGABRT, "");
	CHECK_STR("crash (SIGABRT)", reason);
	judge(ASSAY_TIMED_OUT, SIGTERM, "");
	CHECK_INT(ASSAY_TIMEOUT, got.outcome);
	CHECK_STR("timeout after 2.5s", reason);
	judge(ASSAY_TIMED_OUT, SIGKILL, "");
	CHECK_HAS(reason, "ignored SIGTERM");
	judge(ASSAY_CANCELLED, SIGTERM, "");
	CHECK_INT(ASSAY_NOT_RUN, got.outcome);
	judge(ASSAY_SPAWN_FAILED, ENOEXEC, "");
	CHECK_INT(ASSAY_ERROR, got.outcome);
	CHECK_HAS(reason, "#!");
	judge((enum assay_exit_how)99, 0, "");  /* from a newer host */
	CHECK_INT(ASSAY_ERROR, got.outcome);
	return check_done();
}
