/*
 * selftest/gpu/fakecuda.c - a stand-in for the CUDA driver (libcuda.so.1)
 * that assay's GPU probe loads through ASSAY_LIBCUDA, so that discovery,
 * `assay devices` and the scheduling of GPU tests are tested on machines
 * without a GPU. It exports the entry points the probe resolves, with
 * the driver's ABI:
 *   FAKECUDA_DEVICES=N   how many devices it has (default 2)
 *   FAKECUDA_INIT=CODE   what cuInit returns (default 0, success)
 * Built a second time with FAKECUDA_OLD, it lacks cuDeviceTotalMem_v2,
 * as a driver older than assay needs does.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;

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

CUresult cuDeviceGetCount(int *n)
{
	*n = env("FAKECUDA_DEVICES", 2);
	return 0;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal)
{
	if (ordinal < 0 || ordinal >= env("FAKECUDA_DEVICES", 2))
		return 101;     /* CUDA_ERROR_INVALID_DEVICE */
	*d = ordinal;
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
