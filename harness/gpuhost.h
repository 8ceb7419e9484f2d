/*
 * gpuhost.h - the host-driven tests of `assay gpu-check`: what a driver
 * must get right that a kernel cannot check by itself (its facts,
 * contexts made and destroyed without leaking, its JIT's answer to good
 * and bad PTX, a launch storm, copies, streams and events, a fault and a
 * hang each followed by a canary in a fresh process).
 *
 * The suite's module names each with a marker, a global
 * GPUHOST_PREFIX NAME (harness/gpucheck.cu), so that the cuda kind lists
 * it as a case of the module like a test kernel; the kernels they launch
 * are the module's too (assay_gpucheck_*). They run in the cuda kind's
 * worker, on its device and context; what would lose that context (the
 * fault, the hang) runs in a child of its own, `assay __gpu-fault`.
 * Never waits unbounded on the device (the worker's host holds the
 * deadline), never leaves its children: each is run to its end (io_run).
 */
#ifndef ASSAY_GPUHOST_H
#define ASSAY_GPUHOST_H

#include <stdbool.h>

#include "cudadrv.h"

#define GPUHOST_PREFIX "assay_gpu_host_"
#define GPU_FAULT_COMMAND "__gpu-fault"

/* What a host test works with: the worker's. */
struct gpuhost {
	const struct cu_driver *d;
	cu_device dev;
	cu_handle ctx;                  /* current on this thread */
	cu_handle mod;                  /* the suite's module, loaded */
	const char *path;               /* its file */
	const char *image;              /* its text, NUL-ended */
};

/* How one went: outcome "pass", "fail", "skip" or "crash", and its message
 * (malloc'd; NULL when it passed); lost: the worker's context with it,
 * or the device (a canary after the fault or the hang failed): the
 * worker is to end, so that its host checks the device. */
struct gpuhost_result {
	const char *outcome;
	char *message;
	bool lost;
};

/*
 * Runs host test name (what it measured and saw on stdout, as the
 * test's output). A name assay has no test for fails, saying so; the
 * fault and the hang are skipped on a device in exclusive-process
 * compute mode (their child could not open it).
 */
struct gpuhost_result gpuhost_run(const struct gpuhost *h, const char *name);

/*
 * The child of the fault and hang tests (`assay __gpu-fault MODULE
 * illegal-address|hang`), on the driver's device 0: a kernel of MODULE
 * stores to an address nothing maps, and the driver must say
 * CUDA_ERROR_ILLEGAL_ADDRESS and refuse the context after it; or a
 * kernel spins for ever, and after 1 s still running the process kills
 * itself (SIGKILL, as a deadline's kill would). Writes "ok WHAT",
 * "running" or "fail WHY"; returns the exit status.
 */
int gpu_fault_main(int argc, char **argv);

#endif
