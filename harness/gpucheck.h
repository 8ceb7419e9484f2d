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
/* Writes the module into dir (made if missing) as GPUCHECK_MODULE, in
 * place of any there; 0, or ERR_SYS with e. */
int gpucheck_write(const char *dir, struct err *e);

#endif
