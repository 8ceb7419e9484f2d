/*
 * plugins/cuda.c - the cuda kind: a GPU module (PTX, cubin, fatbin) of
 * test kernels written with assay/gpu.h, each kernel a test that needs
 * one GPU (docs/gpu.md).
 *
 * Recognised by its name and the list the module carries (a test's
 * shape, ASSAY_GPU_SHAPE_PREFIX "NAME"), never by a guess. Listed by
 * `assay __cuda-list MODULE`, run by `assay __cuda-run MODULE --filter
 * NAME...` (harness/gpuhelper.c), both assay itself in the child: this
 * file never loads the CUDA driver. The worker speaks the worker
 * protocol, read by plugins/api.c's workerjob_*; a timeout is the GPU's
 * hang.
 */
#include "config.h"

#include <string.h>

#include "assay/gpu.h"
#include "assay/plugin.h"
#include "builtin.h"
#include "harness/binary.h"
#include "harness/gpuhelper.h"
#include "harness/gpuhost.h"

/* A module file (by its name) that carries a test kernel's shape. */
static int cuda_claim(const char *path, unsigned mode, int named)
{
	const char *dot = strrchr(path, '.');

	(void)named;
	if (!dot || (strcmp(dot, ".ptx") && strcmp(dot, ".cubin") && strcmp(dot, ".fatbin")))
		return 0;
	return binary_module_carries(path, mode, ASSAY_GPU_SHAPE_PREFIX) ||
	       binary_module_carries(path, mode, GPUHOST_PREFIX) ? 40 : 0;
}

static int cuda_list_spec(const struct assay_test *t, struct assay_spec *spec)
{
	static const char *argv[4];     /* used before the next call */

	argv[0] = "/proc/self/exe";     /* assay itself, in the child */
	argv[1] = CUDA_LIST_COMMAND;
	argv[2] = t->path;
	argv[3] = NULL;
	spec->argv = argv;
	/* what it lists is in the module alone: kept until it changes */
	spec->cache_key = "assay/gpu.h 2";     /* 2: host-driven tests */
	return 0;
}

static int cuda_job_begin(void **state, const struct assay_task *task,
			  struct assay_spec *spec)
{
	char *head[] = { "/proc/self/exe", CUDA_RUN_COMMAND, (char *)task->test->path };

	return workerjob_begin(state, task, spec, head, 3, " (GPU hang)");
}

static const struct assay_kind cuda_kind = {
	.abi_version = ASSAY_PLUGIN_ABI, .struct_size = sizeof(cuda_kind),
	.name = "cuda",
	.summary = "a GPU module (.ptx, .cubin, .fatbin) of assay/gpu.h test kernels: each kernel a test",
	.claim = cuda_claim,
	.job_begin = cuda_job_begin,
	.job_output = workerjob_output,
	.job_end = workerjob_end,
	.list_spec = cuda_list_spec,
	.list_parse = workerjob_list_parse,
};

static const struct assay_kind *const kinds[] = { &cuda_kind, NULL };

static const struct assay_plugin plugin = {
	.abi_version = ASSAY_PLUGIN_ABI, .struct_size = sizeof(plugin),
	.name = "cuda", .kinds = kinds,
};

const struct assay_plugin *cuda_plugin(void)
{
	return &plugin;
}
