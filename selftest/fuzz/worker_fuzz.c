/*
 * selftest/fuzz/worker_fuzz.c - libFuzzer target for the worker
 * protocol as the assay kind reads it (plugins/api.c): any bytes from a
 * worker, in chunks whose sizes come from the input, for a batch of up
 * to 8 asked cases (or a whole run), must be read without a crash, a
 * leak or a hang, and keep the kind's promises: in a batch, a verdict
 * only on an asked case, at most one per case, a case started only when
 * asked; every reason one bounded line. The kind's collaborators that are not the parser are the small
 * stand-ins below.
 *
 * Built by `make fuzz-worker` with clang.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/plugin.h"
#include "plugins/builtin.h"
#include "harness/binary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- stand-ins for what api.c calls besides its parser ---- */

bool binary_file_carries(const char *path, unsigned mode, const char *const *m,
			 size_t n)
{
	(void)path; (void)mode; (void)m; (void)n;
	return true;
}

void case_output_add(char *out, size_t *len, size_t cap, const char *buf,
		     size_t n)
{
	if (n > cap - *len)
		n = cap - *len;
	memcpy(out + *len, buf, n);
	*len += n;
}

void exec_judge_cut(const struct assay_exit *ex, const struct assay_test *t,
		    struct assay_verdict *v, char *reason, size_t n)
{
	(void)t;
	v->outcome = ex->how == ASSAY_EXITED ? ASSAY_FAIL : ASSAY_CRASH;
	snprintf(reason, n, "cut");
}

void exec_judge(const struct assay_exit *ex, const struct assay_test *t,
		struct assay_verdict *v, char *reason, size_t n)
{
	exec_judge_cut(ex, t, v, reason, n);
}

/* ---- the harness ---- */

static const char *const names[] = { "s::a", "s::b", "s::c", "s::d",
				     "s::e", "s::f", "s::g", "s::h", NULL };
static unsigned reported[8], started;
static size_t nasked;

static int asked_index(const char *name)
{
	for (size_t i = 0; i < nasked; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

static void report(struct assay_job_ctx *c, const struct assay_verdict *v)
{
	int i;

	(void)c;
	if (!v->reason || strchr(v->reason, '\n') || strlen(v->reason) >= 1024 ||
	    (unsigned)v->outcome >= ASSAY_OUTCOME_COUNT)
		abort();
	if (!v->case_name || !nasked)   /* a whole run may name any case */
		return;
	if ((i = asked_index(v->case_name)) < 0 || reported[i]++)
		abort();                /* unasked, or twice */
}

static void case_start(struct assay_job_ctx *c, const char *name)
{
	(void)c;
	if (nasked && asked_index(name) < 0)
		abort();
	started++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct assay_kind *k = api_plugin()->kinds[0];
	struct assay_test t = { .struct_size = sizeof(t), .id = "p", .suite = "p",
				.path = "./p", .kind = "assay" };
	struct assay_task task = { .struct_size = sizeof(task), .id = 1, .test = &t,
				   .tmpdir = "/tmp" };
	struct assay_spec spec = { .struct_size = sizeof(spec) };
	struct assay_job_ctx ctx = { .struct_size = sizeof(ctx), .test = &t,
				     .report = report, .task = &task,
				     .case_start = case_start };
	struct assay_output none = { .struct_size = sizeof(none), .head = "", .tail = "" };
	struct assay_exit ex = { .struct_size = sizeof(ex), .out = &none, .err = &none };
	size_t chunk;
	void *state = NULL;

	if (size < 3)
		return 0;
	chunk = (size_t)data[0] % 29 + 1;               /* 1..29 bytes at a time */
	nasked = data[1] % 9;                           /* 0: a whole run */
	ex.how = (enum assay_exit_how)(data[2] % 3);    /* exited, signaled, timed out */
	data += 3;
	size -= 3;
	memset(reported, 0, sizeof(reported));
	started = 0;
	task.cases = nasked ? names : NULL;
	task.ncases = nasked;
	if (k->job_begin(&state, &task, &spec) < 0)
		abort();
	for (size_t i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		k->job_output(state, data[i] == 0x02 ? 2 : 1, (const char *)data + i, n,
			      &ctx);
	}
	k->job_end(state, &ex, &ctx);
	return 0;
}
