/*
 * gpuhelper.h - the helper processes that load the CUDA driver: the
 * probe (`assay __gpu-probe`: the devices and their facts), the canary
 * (`assay __gpu-canary INDEX`: a kernel, its result checked), and the
 * cuda kind's lister and worker (test kernels of a module).
 *
 * The driver is loaded as cudadrv.h says (dlopen, entry points by
 * versioned name); the worker runs gpu-check's host-driven tests with
 * gpuhost.h. Runs only in a helper process
 * assay started and times (gpu.h, health.h), never in assay itself:
 * main() hands these commands here before anything else. Writes only
 * its lines on stdout, each flushed before it returns.
 */
#ifndef ASSAY_GPUHELPER_H
#define ASSAY_GPUHELPER_H

#define GPU_PROBE_COMMAND "__gpu-probe"
#define GPU_CANARY_COMMAND "__gpu-canary"
#define CUDA_LIST_COMMAND "__cuda-list"
#define CUDA_RUN_COMMAND "__cuda-run"

/* The probe's whole work: "driver VERSION", a "device ..." line per
 * device (gpu.c reads them), or "missing WHY". Returns the exit status. */
int gpu_probe_main(void);
/*
 * The canary: a kernel loaded from PTX (the JIT, with
 * CUDA_CACHE_DISABLE=1) writes 65,536 numbers on the device of the
 * driver's ordinal, checked here. Writes "ok", or "fail WHY"; returns
 * the exit status (0 passed). It may hang in the driver: its owner
 * times it. "--ptx" writes the kernel's PTX instead.
 */
int gpu_canary_main(const char *ordinal);

/* The cuda kind's lister (`assay __cuda-list MODULE`): "NAME\tgpus=1"
 * for each test kernel the module carries (assay/gpu.h). Reads the file
 * only; the driver is not loaded. Returns the exit status. */
int cuda_list_main(const char *module);
/*
 * The cuda kind's worker (`assay __cuda-run MODULE [--filter NAME]...`):
 * on the driver's device 0 (the host names the device it gave with
 * CUDA_VISIBLE_DEVICES), loads the module and runs each test kernel in
 * turn, speaking the worker protocol (docs/api.md): a start frame, the
 * launch, the kernel's completion polled (the host's deadline ends a
 * hung one), its result buffer read, an end frame. A fault in a kernel
 * loses the context: it is reported as the case's crash, and the worker
 * aborts so that the rest run in a fresh one and the device's canary
 * runs. Returns the exit status (99: the module or device could not be
 * opened, said on stdout).
 */
int cuda_run_main(int argc, char **argv);

#endif
