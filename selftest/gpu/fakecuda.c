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
 * and CUDA_VISIBLE_DEVICES as the driver does: a list of its UUIDs or
 * indexes, which become its devices 0, 1, ...
 * Its kernels run on the host: a launch of assay's canary computes what
 * the canary's PTX would, into memory cuMemAlloc took with malloc.
 * Built a second time with FAKECUDA_OLD, it lacks cuDeviceTotalMem_v2,
 * as a driver older than assay needs does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	*v = attr == 75 ? 9 : attr == 76 ? 0 : 1;  /* compute capability 9.0 */
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
		r == 999 ? "CUDA_ERROR_UNKNOWN" : NULL;
	return *name ? 0 : 1;
}

/* ---- what assay's canary uses ---- */

static int current = -1;        /* the device of the current context */

CUresult cuDevicePrimaryCtxRetain(CUhandle *ctx, CUdevice d)
{
	*ctx = (CUhandle)(intptr_t)(d + 1);
	return 0;
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
	*mod = (CUhandle)image;
	return strstr(image, ".entry assay_canary") ? 0 : 218;  /* INVALID_PTX */
}

CUresult cuModuleGetFunction(CUhandle *f, CUhandle mod, const char *name)
{
	*f = mod;
	return strcmp(name, "assay_canary") ? 500 : 0;          /* NOT_FOUND */
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes)
{
	void *m = malloc(bytes);

	*p = (CUdeviceptr)(uintptr_t)m;
	return m ? 0 : 2;
}

CUresult cuMemFree_v2(CUdeviceptr p)
{
	free((void *)(uintptr_t)p);
	return 0;
}

CUresult cuLaunchKernel(CUhandle f, unsigned gx, unsigned gy, unsigned gz,
			unsigned bx, unsigned by, unsigned bz, unsigned shared,
			CUhandle stream, void **params, void **extra)
{
	unsigned *out = (unsigned *)(uintptr_t)*(CUdeviceptr *)params[0];
	unsigned n = *(unsigned *)params[1];

	(void)f; (void)gy; (void)gz; (void)by; (void)bz; (void)shared;
	(void)stream; (void)extra;
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
	return 0;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes)
{
	memcpy(dst, (void *)(uintptr_t)src, bytes);
	return 0;
}
