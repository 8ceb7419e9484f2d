/*
 * gpucheck.h - assay's built-in GPU regression suite (`assay
 * gpu-check`): harness/gpucheck.cu's test kernels, built to PTX by nvcc
 * with assay and carried in it (gpucheck-ptx.c, made by make), run as
 * the module GPUCHECK_MODULE by the cuda kind like any other (each run
 * compiles it with the driver's JIT). Never loads the driver, never
 * runs a thing: it writes the module where the run will read it.
 */
#ifndef ASSAY_GPUCHECK_H
#define ASSAY_GPUCHECK_H

#include <stdbool.h>

#include "err.h"

#define GPUCHECK_MODULE "gpu-check.ptx"

/* The module's lines, each with its newline, NULL-ended; none when
 * assay was built without nvcc. */
extern const char *const gpucheck_ptx[];

/* Whether this assay carries the suite. */
bool gpucheck_built(void);

/* Where the module is for a run. */
struct gpucheck {
	char *dir;              /* the run's one path */
	bool temporary;         /* made for this run: removed after it */
};

/*
 * Writes the module into state_dir/gpu-check (with state_dir "", a
 * temporary directory under TMPDIR, named as the run's scratch is) as
 * GPUCHECK_MODULE, unless it is there as it is, and tells the driver's
 * JIT to compile it afresh (CUDA_CACHE_DISABLE=1 in the environment).
 * 0; ERR_NOTSUP when assay carries no suite, ERR_SYS with e.
 */
int gpucheck_prepare(struct gpucheck *g, const char *state_dir, struct err *e);
/* Removes a temporary directory; frees g's. */
void gpucheck_release(struct gpucheck *g);

#endif
