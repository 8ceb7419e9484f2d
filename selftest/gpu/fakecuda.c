/*
 * selftest/gpu/fakecuda.c - a stand-in for the CUDA driver (libcuda.so.1)
 * that assay's GPU probe loads through ASSAY_LIBCUDA, so that discovery,
 * `assay devices` and the scheduling of GPU tests are tested on machines
 * without a GPU. It exports the entry points the probe resolves, with
 * the driver's ABI:
 *   FAKECUDA_DEVICES=N   how many devices it has (default 2)
 *   FAKECUDA_INIT=CODE   what cuInit returns (default 0, success)
 *   FAKECUDA_BAD=I       device I computes wrong (assay's canary fails)
 *   FAKECUDA_HANG=I      device I never finishes a kernel
 *   FAKECUDA_CTX=CODE    what cuDevicePrimaryCtxRetain returns (default 0)
 *   FAKECUDA_LEAK=1      cuCtxDestroy keeps the context's 16 MiB
 *   FAKECUDA_MODE=M      its devices' compute mode (default 0)
 * and CUDA_VISIBLE_DEVICES as the driver does: a list of its UUIDs or
 * indexes, which become its devices 0, 1, ...
 * Its kernels run on the host: a launch of assay's canary computes what
 * the canary's PTX would, into memory cuMemAlloc took with malloc. A
 * module carrying assay/gpu.h test kernels loads (any text holding
 * assay_gpu_shape_NAME, or assay gpu-check's assay_gpu_host_NAME, will
 * do); its test kernel NAME, launched, passes,
 * or as its name says: "fail" records failed checks in its result
 * buffer, "fault" ends in CUDA_ERROR_ILLEGAL_ADDRESS, "hang" never ends.
 * The kernels of assay gpu-check's host-driven tests (assay_gpucheck_*)
 * do on the host what their code does; streams run in order, at once.
 * Built a second time with FAKECUDA_OLD, it lacks cuDeviceTotalMem_v2,
 * as a driver older than assay needs does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/gpu.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUhandle;

/* what it exports, as the driver declares them */
CUresult cuInit(unsigned flags);
CUresult cuDriverGetVersion(int *v);
CUresult cuDeviceGetCount(int *n);
CUresult cuDeviceGet(CUdevice *d, int ordinal);
CUresult cuDeviceGetName(char *buf, int len, CUdevice d);
CUresult cuDeviceGetUuid_v2(unsigned char uuid[16], CUdevice d);
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d);
CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d);
CUresult cuDeviceGetPCIBusId(char *buf, int len, CUdevice d);
CUresult cuGetErrorName(CUresult r, const char **name);
CUresult cuDevicePrimaryCtxRetain(CUhandle *ctx, CUdevice d);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d);
CUresult cuCtxSetCurrent(CUhandle ctx);
CUresult cuModuleLoadData(CUhandle *mod, const void *image);
CUresult cuModuleGetFunction(CUhandle *f, CUhandle mod, const char *name);
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr p);
CUresult cuLaunchKernel(CUhandle f, unsigned gx, unsigned gy, unsigned gz,
			unsigned bx, unsigned by, unsigned bz, unsigned shared,
			CUhandle stream, void **params, void **extra);
CUresult cuCtxSynchronize(void);
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes);
CUresult cuModuleGetGlobal_v2(CUdeviceptr *p, size_t *bytes, CUhandle mod, const char *name);
CUresult cuMemsetD8_v2(CUdeviceptr p, unsigned char v, size_t n);
CUresult cuStreamQuery(CUhandle stream);
CUresult cuMemGetInfo_v2(size_t *free, size_t *total);
CUresult cuCtxCreate_v2(CUhandle *ctx, unsigned flags, CUdevice d);
CUresult cuCtxDestroy_v2(CUhandle ctx);
CUresult cuModuleLoadDataEx(CUhandle *mod, const void *image, unsigned n, int *options,
			    void **values);
CUresult cuModuleUnload(CUhandle mod);
CUresult cuMemAllocHost_v2(void **p, size_t bytes);
CUresult cuMemFreeHost(void *p);
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes);
CUresult cuStreamCreate(CUhandle *s, unsigned flags);
CUresult cuStreamDestroy_v2(CUhandle s);
CUresult cuStreamWaitEvent(CUhandle s, CUhandle e, unsigned flags);
CUresult cuEventCreate(CUhandle *e, unsigned flags);
CUresult cuEventRecord(CUhandle e, CUhandle s);
CUresult cuEventQuery(CUhandle e);
CUresult cuEventElapsedTime(float *ms, CUhandle from, CUhandle to);
CUresult cuEventDestroy_v2(CUhandle e);

static int env(const char *name, int fallback)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : fallback;
}

CUresult cuInit(unsigned flags)
{
	(void)flags;
	return env("FAKECUDA_INIT", 0);
}

CUresult cuDriverGetVersion(int *v)
{
	*v = 12040;
	return 0;
}

/* The device of ordinal k as CUDA_VISIBLE_DEVICES orders them (a UUID
 * "GPU-dX..." names device d; a number, that index); -1: none. */
static int visible(int k)
{
	const char *v = getenv("CUDA_VISIBLE_DEVICES");
	int n = env("FAKECUDA_DEVICES", 2), d;

	if (!v)
		return k < n ? k : -1;
	for (; *v && k > 0; k--)
		v = strchr(v, ',') ? strchr(v, ',') + 1 : "";
	if (!*v)
		return -1;
	d = !strncmp(v, "GPU-", 4) ? (int)strtol((char[]){ v[4], 0 }, NULL, 16) : atoi(v);
	return d < n ? d : -1;
}

CUresult cuDeviceGetCount(int *n)
{
	for (*n = 0; visible(*n) >= 0; (*n)++)
		;
	return 0;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal)
{
	if (ordinal < 0 || (*d = visible(ordinal)) < 0)
		return 101;     /* CUDA_ERROR_INVALID_DEVICE */
	return 0;
}

CUresult cuDeviceGetName(char *buf, int len, CUdevice d)
{
	snprintf(buf, (size_t)len, "Fake GPU %d", d);
	return 0;
}

CUresult cuDeviceGetUuid_v2(unsigned char uuid[16], CUdevice d)
{
	for (int i = 0; i < 16; i++)
		uuid[i] = (unsigned char)(0x10 * d + i);
	return 0;
}

#ifndef FAKECUDA_OLD
CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d)
{
	*bytes = (size_t)(d + 1) << 30;
	return 0;
}
#endif

CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d)
{
	(void)d;
	switch (attr) {
	case 1:  *v = 1024; break;              /* threads a block */
	case 10: *v = 32; break;                /* a warp */
	case 16: *v = 132; break;               /* multiprocessors */
	case 20: *v = env("FAKECUDA_MODE", 0); break;  /* compute mode */
	case 38: *v = 50 << 20; break;          /* L2 */
	case 75: *v = 9; break;                 /* compute capability 9.0 */
	default: *v = 0;
	}
	return 0;
}

CUresult cuDeviceGetPCIBusId(char *buf, int len, CUdevice d)
{
	snprintf(buf, (size_t)len, "0000:%02x:00.0", d + 1);
	return 0;
}

CUresult cuGetErrorName(CUresult r, const char **name)
{
	*name = r == 100 ? "CUDA_ERROR_NO_DEVICE" : r == 34 ? "CUDA_ERROR_STUB_LIBRARY" :
		r == 999 ? "CUDA_ERROR_UNKNOWN" : r == 700 ? "CUDA_ERROR_ILLEGAL_ADDRESS" :
		r == 500 ? "CUDA_ERROR_NOT_FOUND" : r == 218 ? "CUDA_ERROR_INVALID_PTX" : NULL;
	return *name ? 0 : 1;
}

/* ---- what assay's canary uses ---- */

static int current = -1;        /* the device of the current context */

CUresult cuDevicePrimaryCtxRetain(CUhandle *ctx, CUdevice d)
{
	*ctx = (CUhandle)(intptr_t)(d + 1);
	return env("FAKECUDA_CTX", 0);
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d)
{
	(void)d;
	return 0;
}

CUresult cuCtxSetCurrent(CUhandle ctx)
{
	current = (int)(intptr_t)ctx - 1;
	return 0;
}

CUresult cuModuleLoadData(CUhandle *mod, const void *image)
{
	const char *log = getenv("FAKECUDA_LOG"), *cache = getenv("CUDA_CACHE_DISABLE");
	FILE *f;

	/* what the driver's JIT would be told: compile afresh, or not */
	if (log && (f = fopen(log, "a"))) {
		fprintf(f, "CUDA_CACHE_DISABLE=%s\n", cache ? cache : "");
		fclose(f);
	}
	*mod = (CUhandle)image;
	return strstr(image, ".entry assay_canary") || strstr(image, "assay_gpu_shape_") ||
	       strstr(image, "assay_gpu_host_") ? 0 : 218;      /* INVALID_PTX */
}

/* Whether the module carries prefix's name: a test kernel NAME is in
 * it when its shape is. */
static int carries(const char *mod, const char *prefix, const char *name)
{
	char want[256];

	if (strncmp(name, prefix, strlen(prefix)))
		return 0;
	snprintf(want, sizeof(want), ASSAY_GPU_SHAPE_PREFIX "%s", name + strlen(prefix));
	return strstr(mod, want) != NULL;
}

CUresult cuModuleGetFunction(CUhandle *f, CUhandle mod, const char *name)
{
	if (!strcmp(name, "assay_canary") || carries(mod, "assay_gpu_test_", name) ||
	    (!strncmp(name, "assay_gpucheck_", 15) && strstr(mod, name))) {
		*f = (CUhandle)name;    /* the handle: its name, the caller's */
		return 0;
	}
	return 500;                     /* NOT_FOUND */
}

CUresult cuModuleGetGlobal_v2(CUdeviceptr *p, size_t *bytes, CUhandle mod, const char *name)
{
	static const unsigned shape[2] = { 2, 32 };
	static const char file[] = "fake.cu";

	if (carries(mod, "assay_gpu_shape_", name)) {
		*p = (CUdeviceptr)(uintptr_t)shape;
		*bytes = sizeof(shape);
	} else if (!strncmp(name, "assay_gpu_host_", 15) && strstr(mod, name)) {
		static const unsigned one = 1;
		*p = (CUdeviceptr)(uintptr_t)&one;
		*bytes = sizeof(one);
	} else if (carries(mod, "assay_gpu_file_", name)) {
		*p = (CUdeviceptr)(uintptr_t)file;
		*bytes = sizeof(file);
	} else {
		return 500;
	}
	return 0;
}

CUresult cuMemsetD8_v2(CUdeviceptr p, unsigned char v, size_t n)
{
	memset((void *)(uintptr_t)p, v, n);
	return 0;
}

static CUresult pending;         /* what the last launch ends in */
static int lost;                /* a fault lost the context */

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes)
{
	void *m;

	if (lost)
		return 700;
	m = malloc(bytes);

	*p = (CUdeviceptr)(uintptr_t)m;
	return m ? 0 : 2;
}

CUresult cuMemFree_v2(CUdeviceptr p)
{
	free((void *)(uintptr_t)p);
	return 0;
}

/* A test kernel, run "on the device" as its name says. */
static void test_kernel(const char *name, struct assay_gpu_result *r)
{
	if (strstr(name, "hang") || current == env("FAKECUDA_HANG", -1))
		pending = 600;          /* NOT_READY, for ever */
	else if (strstr(name, "fault"))
		pending = 700;          /* ILLEGAL_ADDRESS */
	if (!strstr(name, "fail"))
		return;
	r->failures = 3;
	for (unsigned i = 0; i < 3; i++) {
		struct assay_gpu_record *x = &r->rec[i];

		x->line = 12 + i;
		x->eq = i == 0;
		x->a = 3;
		x->b = 4;
		x->block[0] = 1;
		x->thread[0] = 5 + i;
		snprintf(x->expr, sizeof(x->expr), i == 0 ? "x + 1 == y" : "x < %u", i);
	}
}

/* A kernel of assay gpu-check's host-driven tests, run on the host. */
static void gpucheck_kernel(const char *name, unsigned threads, void **params)
{
	void *p = (void *)(uintptr_t)*(CUdeviceptr *)params[0];

	if (!strcmp(name, "assay_gpucheck_count"))
		*(unsigned long long *)p += threads;
	else if (!strcmp(name, "assay_gpucheck_spin_set"))
		*(unsigned *)p = 1;
	else if (!strcmp(name, "assay_gpucheck_read"))
		*(unsigned *)p = *(unsigned *)(uintptr_t)*(CUdeviceptr *)params[1];
	else if (!strcmp(name, "assay_gpucheck_step"))
		*(unsigned *)p = *(unsigned *)p * 31u + *(unsigned *)params[1];
	else if (!strcmp(name, "assay_gpucheck_store"))
		pending = lost = 700;           /* ILLEGAL_ADDRESS, sticky */
	else if (!strcmp(name, "assay_gpucheck_spin_forever"))
		pending = 600;                  /* NOT_READY, for ever */
}

CUresult cuLaunchKernel(CUhandle f, unsigned gx, unsigned gy, unsigned gz,
			unsigned bx, unsigned by, unsigned bz, unsigned shared,
			CUhandle stream, void **params, void **extra)
{
	unsigned *out = (unsigned *)(uintptr_t)*(CUdeviceptr *)params[0];
	unsigned n;

	(void)gy; (void)gz; (void)by; (void)bz; (void)shared;
	(void)stream; (void)extra;
	pending = 0;
	if (!strncmp(f, "assay_gpucheck_", 15)) {
		gpucheck_kernel(f, gx * bx, params);
		return 0;
	}
	if (strcmp(f, "assay_canary")) {
		test_kernel(f, (struct assay_gpu_result *)(void *)out);
		return 0;
	}
	n = *(unsigned *)params[1];
	for (unsigned i = 0; i < n && i < gx * bx; i++)
		out[i] = (i * 2654435761u) ^ 0x5a5a5a5au;
	if (current == env("FAKECUDA_BAD", -1) && n > 7)
		out[7] ^= 1;
	return 0;
}

CUresult cuCtxSynchronize(void)
{
	while (current == env("FAKECUDA_HANG", -1))
		pause();
	return lost ? 700 : 0;
}

CUresult cuStreamQuery(CUhandle stream)
{
	(void)stream;
	return pending;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes)
{
	memcpy(dst, (void *)(uintptr_t)src, bytes);
	return 0;
}

/* ---- what assay gpu-check's host-driven tests use ---- */

static int contexts;            /* made and not destroyed: 16 MiB each */

CUresult cuMemGetInfo_v2(size_t *free, size_t *total)
{
	size_t used = (size_t)(100 + 16 * contexts) << 20;

	*total = (size_t)(current + 1) << 30;
	*free = used < *total ? *total - used : 0;
	return 0;
}

CUresult cuCtxCreate_v2(CUhandle *ctx, unsigned flags, CUdevice d)
{
	(void)flags;
	contexts++;
	*ctx = (CUhandle)(intptr_t)(d + 1);
	current = d;
	return 0;
}

CUresult cuCtxDestroy_v2(CUhandle ctx)
{
	(void)ctx;
	if (!env("FAKECUDA_LEAK", 0))
		contexts--;
	return 0;
}

CUresult cuModuleLoadDataEx(CUhandle *mod, const void *image, unsigned n, int *options,
			    void **values)
{
	CUresult r = cuModuleLoadData(mod, image);
	char *log = NULL;
	size_t size = 0;

	for (unsigned i = 0; i < n; i++)
		if (options[i] == 5)            /* CU_JIT_ERROR_LOG_BUFFER */
			log = values[i];
		else if (options[i] == 6)       /* its size */
			size = (size_t)(uintptr_t)values[i];
	if (r && log && size)
		snprintf(log, size, "ptxas application ptx input, line 8; error   : "
			 "Unknown symbol '%s'", strstr(image, "%assay_undeclared") ?
			 "%assay_undeclared" : "?");
	return r;
}

CUresult cuModuleUnload(CUhandle mod)
{
	(void)mod;
	return 0;
}

CUresult cuMemAllocHost_v2(void **p, size_t bytes)
{
	return (*p = malloc(bytes)) ? 0 : 2;
}

CUresult cuMemFreeHost(void *p)
{
	free(p);
	return 0;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes)
{
	memcpy((void *)(uintptr_t)dst, src, bytes);
	if (current == env("FAKECUDA_BAD", -1) && bytes > 4096)
		((unsigned char *)(uintptr_t)dst)[4096] ^= 1;
	return 0;
}

static int handles;             /* streams' and events' */

CUresult cuStreamCreate(CUhandle *s, unsigned flags)
{
	(void)flags;
	*s = (CUhandle)(intptr_t)++handles;
	return 0;
}

CUresult cuStreamDestroy_v2(CUhandle s)
{
	(void)s;
	return 0;
}

CUresult cuStreamWaitEvent(CUhandle s, CUhandle e, unsigned flags)
{
	(void)s; (void)e; (void)flags;
	return 0;
}

CUresult cuEventCreate(CUhandle *e, unsigned flags)
{
	(void)flags;
	*e = (CUhandle)(intptr_t)++handles;
	return 0;
}

CUresult cuEventRecord(CUhandle e, CUhandle s)
{
	(void)e; (void)s;
	return 0;
}

CUresult cuEventQuery(CUhandle e)
{
	(void)e;
	return 0;
}

CUresult cuEventElapsedTime(float *ms, CUhandle from, CUhandle to)
{
	(void)from; (void)to;
	*ms = 5.0f;
	return 0;
}

CUresult cuEventDestroy_v2(CUhandle e)
{
	(void)e;
	return 0;
}
