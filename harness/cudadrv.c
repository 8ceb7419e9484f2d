/* cudadrv.c - see cudadrv.h. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cudadrv.h"

/* The entry points, by versioned name (the first of each list found):
 * every one is in every driver since CUDA 11.4. */
static const struct {
	size_t at;
	const char *names[2];
} entries[] = {
	{ offsetof(struct cu_driver, init), { "cuInit" } },
	{ offsetof(struct cu_driver, version), { "cuDriverGetVersion" } },
	{ offsetof(struct cu_driver, count), { "cuDeviceGetCount" } },
	{ offsetof(struct cu_driver, get), { "cuDeviceGet" } },
	{ offsetof(struct cu_driver, name), { "cuDeviceGetName" } },
	{ offsetof(struct cu_driver, uuid), { "cuDeviceGetUuid_v2", "cuDeviceGetUuid" } },
	{ offsetof(struct cu_driver, mem), { "cuDeviceTotalMem_v2" } },
	{ offsetof(struct cu_driver, attr), { "cuDeviceGetAttribute" } },
	{ offsetof(struct cu_driver, pci), { "cuDeviceGetPCIBusId" } },
	{ offsetof(struct cu_driver, error_name), { "cuGetErrorName" } },
	{ offsetof(struct cu_driver, ctx_retain), { "cuDevicePrimaryCtxRetain" } },
	{ offsetof(struct cu_driver, ctx_release), { "cuDevicePrimaryCtxRelease_v2" } },
	{ offsetof(struct cu_driver, ctx_set), { "cuCtxSetCurrent" } },
	{ offsetof(struct cu_driver, module_load), { "cuModuleLoadData" } },
	{ offsetof(struct cu_driver, function), { "cuModuleGetFunction" } },
	{ offsetof(struct cu_driver, alloc), { "cuMemAlloc_v2" } },
	{ offsetof(struct cu_driver, free), { "cuMemFree_v2" } },
	{ offsetof(struct cu_driver, launch), { "cuLaunchKernel" } },
	{ offsetof(struct cu_driver, sync), { "cuCtxSynchronize" } },
	{ offsetof(struct cu_driver, to_host), { "cuMemcpyDtoH_v2" } },
	{ offsetof(struct cu_driver, global), { "cuModuleGetGlobal_v2" } },
	{ offsetof(struct cu_driver, memset8), { "cuMemsetD8_v2" } },
	{ offsetof(struct cu_driver, query), { "cuStreamQuery" } },
	{ offsetof(struct cu_driver, mem_info), { "cuMemGetInfo_v2" } },
	{ offsetof(struct cu_driver, ctx_create), { "cuCtxCreate_v2" } },
	{ offsetof(struct cu_driver, ctx_destroy), { "cuCtxDestroy_v2" } },
	{ offsetof(struct cu_driver, module_load_ex), { "cuModuleLoadDataEx" } },
	{ offsetof(struct cu_driver, module_unload), { "cuModuleUnload" } },
	{ offsetof(struct cu_driver, host_alloc), { "cuMemAllocHost_v2" } },
	{ offsetof(struct cu_driver, host_free), { "cuMemFreeHost" } },
	{ offsetof(struct cu_driver, to_device), { "cuMemcpyHtoD_v2" } },
	{ offsetof(struct cu_driver, stream_create), { "cuStreamCreate" } },
	{ offsetof(struct cu_driver, stream_destroy), { "cuStreamDestroy_v2" } },
	{ offsetof(struct cu_driver, stream_wait_event), { "cuStreamWaitEvent" } },
	{ offsetof(struct cu_driver, event_create), { "cuEventCreate" } },
	{ offsetof(struct cu_driver, event_record), { "cuEventRecord" } },
	{ offsetof(struct cu_driver, event_query), { "cuEventQuery" } },
	{ offsetof(struct cu_driver, event_elapsed),
	  { "cuEventElapsedTime_v2", "cuEventElapsedTime" } },
	{ offsetof(struct cu_driver, event_destroy), { "cuEventDestroy_v2" } },
};

/* Resolves every entry point of h into d; the name of the first one
 * missing, or NULL. */
static const char *resolve(void *h, struct cu_driver *d)
{
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		void *f = NULL;

		for (size_t k = 0; k < 2 && entries[i].names[k] && !f; k++)
			f = dlsym(h, entries[i].names[k]);
		if (!f)
			return entries[i].names[0];
		memcpy((char *)d + entries[i].at, &f, sizeof(f));
	}
	return NULL;
}

const char *cu_name(const struct cu_driver *d, cu_result r, char *buf, size_t n)
{
	const char *name = NULL;

	if (d->error_name(r, &name) != CU_SUCCESS || !name)
		name = "an unknown error";
	snprintf(buf, n, "%s (%d)", name, r);
	return buf;
}

bool cu_open(struct cu_driver *d, const char *prefix)
{
	const char *lib = getenv("ASSAY_LIBCUDA"), *lack, *visible;
	char why[96];
	void *h;
	cu_result r;

	if (!lib || !*lib)
		lib = "libcuda.so.1";
	if (!(h = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
		printf("%sno CUDA driver: %s cannot be loaded (%s)\n", prefix, lib, dlerror());
		return false;
	}
	if ((lack = resolve(h, d))) {
		printf("%sthe CUDA driver %s lacks %s: it is older than assay "
		       "needs (CUDA 11.4 or later)\n", prefix, lib, lack);
		return false;
	}
	if ((r = d->init(0)) == CU_SUCCESS)
		return true;
	visible = getenv("CUDA_VISIBLE_DEVICES");
	if (r == CU_ERROR_STUB_LIBRARY)
		printf("%sno CUDA driver: %s is the CUDA toolkit's stub "
		       "library, not a driver (CUDA_ERROR_STUB_LIBRARY)\n", prefix, lib);
	else if (r == CU_ERROR_NO_DEVICE)
		printf("%sno CUDA device: the driver found none%s%s%s\n", prefix,
		       visible ? " (CUDA_VISIBLE_DEVICES=" : "",
		       visible ? visible : "", visible ? " hides the others)" : "");
	else
		printf("%sthe CUDA driver did not start: cuInit: %s\n", prefix,
		       cu_name(d, r, why, sizeof(why)));
	return false;
}

void cu_uuid_text(const unsigned char u[16], char out[48])
{
	snprintf(out, 48, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
		 u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

cu_result cu_wait(const struct cu_driver *d, cu_handle stream)
{
	const struct timespec pause = { 0, 200000 };
	cu_result r;

	while ((r = d->query(stream)) == CU_ERROR_NOT_READY)
		nanosleep(&pause, NULL);
	return r;
}
