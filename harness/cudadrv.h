/*
 * cudadrv.h - the CUDA driver as assay's helper processes call it:
 * libcuda.so.1 (or ASSAY_LIBCUDA, for tests and unusual installs) loaded
 * with dlopen, so one assay binary runs on machines with and without a
 * driver, and its entry points resolved by their versioned names
 * (cuDeviceTotalMem_v2, ...) into a table, never through a header's
 * macros, which change meaning from one toolkit to the next; the
 * driver's types as its ABI has them, so nothing of CUDA is needed to
 * build assay. Only the helper processes (gpuhelper.h, gpuhost.h) load
 * it, never assay's own process: a child cannot use a CUDA context it
 * inherited. Never waits on the device unpolled.
 */
#ifndef ASSAY_CUDADRV_H
#define ASSAY_CUDADRV_H

#include <stdbool.h>
#include <stddef.h>

typedef int cu_result;
typedef int cu_device;
typedef unsigned long long cu_ptr;
typedef void *cu_handle;        /* CUcontext, CUmodule, CUfunction,
                                 * CUstream, CUevent */

enum {
	CU_SUCCESS = 0,
	CU_ERROR_OUT_OF_MEMORY = 2,
	CU_ERROR_STUB_LIBRARY = 34,
	CU_ERROR_NO_DEVICE = 100,
	CU_ERROR_NOT_READY = 600,
	CU_ERROR_ILLEGAL_ADDRESS = 700,
	CU_ATTR_MAX_THREADS_PER_BLOCK = 1,
	CU_ATTR_WARP_SIZE = 10,
	CU_ATTR_MULTIPROCESSORS = 16,
	CU_ATTR_COMPUTE_MODE = 20,
	CU_ATTR_L2_CACHE = 38,
	CU_ATTR_CC_MAJOR = 75,
	CU_ATTR_CC_MINOR = 76,
	CU_JIT_ERROR_LOG_BUFFER = 5,
	CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
	CU_STREAM_NON_BLOCKING = 1,
};

struct cu_driver {
	cu_result (*init)(unsigned flags);
	cu_result (*version)(int *v);
	cu_result (*count)(int *n);
	cu_result (*get)(cu_device *d, int ordinal);
	cu_result (*name)(char *buf, int len, cu_device d);
	cu_result (*uuid)(unsigned char uuid[16], cu_device d);
	cu_result (*mem)(size_t *bytes, cu_device d);
	cu_result (*attr)(int *v, int attr, cu_device d);
	cu_result (*pci)(char *buf, int len, cu_device d);
	cu_result (*error_name)(cu_result r, const char **name);
	/* the canary's */
	cu_result (*ctx_retain)(cu_handle *ctx, cu_device d);
	cu_result (*ctx_release)(cu_device d);
	cu_result (*ctx_set)(cu_handle ctx);
	cu_result (*module_load)(cu_handle *mod, const void *image);
	cu_result (*function)(cu_handle *f, cu_handle mod, const char *name);
	cu_result (*alloc)(cu_ptr *p, size_t bytes);
	cu_result (*free)(cu_ptr p);
	cu_result (*launch)(cu_handle f, unsigned gx, unsigned gy, unsigned gz,
			    unsigned bx, unsigned by, unsigned bz, unsigned shared,
			    cu_handle stream, void **params, void **extra);
	cu_result (*sync)(void);
	cu_result (*to_host)(void *dst, cu_ptr src, size_t bytes);
	/* the cuda kind's worker's */
	cu_result (*global)(cu_ptr *p, size_t *bytes, cu_handle mod, const char *name);
	cu_result (*memset8)(cu_ptr p, unsigned char v, size_t n);
	cu_result (*query)(cu_handle stream);
	/* the host-driven tests' (gpuhost.h) */
	cu_result (*mem_info)(size_t *free, size_t *total);
	cu_result (*ctx_create)(cu_handle *ctx, unsigned flags, cu_device d);
	cu_result (*ctx_destroy)(cu_handle ctx);
	cu_result (*module_load_ex)(cu_handle *mod, const void *image, unsigned n,
				    int *options, void **values);
	cu_result (*module_unload)(cu_handle mod);
	cu_result (*host_alloc)(void **p, size_t bytes);
	cu_result (*host_free)(void *p);
	cu_result (*to_device)(cu_ptr dst, const void *src, size_t bytes);
	cu_result (*stream_create)(cu_handle *s, unsigned flags);
	cu_result (*stream_destroy)(cu_handle s);
	cu_result (*stream_wait_event)(cu_handle s, cu_handle e, unsigned flags);
	cu_result (*event_create)(cu_handle *e, unsigned flags);
	cu_result (*event_record)(cu_handle e, cu_handle s);
	cu_result (*event_query)(cu_handle e);
	cu_result (*event_elapsed)(float *ms, cu_handle from, cu_handle to);
	cu_result (*event_destroy)(cu_handle e);
};

/*
 * Loads and starts the driver (cuInit) into d. false when there is none
 * to use, with why written on stdout after prefix as one line: no
 * library, the toolkit's stub, an entry point missing (older than CUDA
 * 11.4), no device, or cuInit's error.
 */
bool cu_open(struct cu_driver *d, const char *prefix);
/* r as the driver names it, "CUDA_ERROR_NO_DEVICE (100)", in buf. */
const char *cu_name(const struct cu_driver *d, cu_result r, char *buf, size_t n);
/* A device's UUID as nvidia-smi and CUDA_VISIBLE_DEVICES write it,
 * "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", in out. */
void cu_uuid_text(const unsigned char u[16], char out[48]);
/* The work queued on stream (NULL: the default one) done, polled every
 * 200 us: cuCtxSynchronize would wait for ever on a hung kernel, and
 * what ends one is the deadline of whoever waits for this process. */
cu_result cu_wait(const struct cu_driver *d, cu_handle stream);

#endif
