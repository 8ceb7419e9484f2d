/*
 * gpu.h - the CUDA devices of this machine, as assay knows them: what
 * the probe found (gpuhelper.h: the driver is loaded only there, in a
 * short-lived helper process that gpu_discover starts, waits for,
 * bounded, and reads), or what a CTest resource spec says; and what a
 * test given some of them is told. Never loads the driver (cuInit never
 * runs in the process that forks tests: its children could not use a
 * CUDA context they inherited), never prints: the caller says what the
 * list means. A CUDA_VISIBLE_DEVICES the user set reaches the probe, so
 * the driver shows only those devices.
 */
#ifndef ASSAY_GPU_H
#define ASSAY_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct gpu_device {
	unsigned index;                 /* the driver's ordinal, or the place
	                                 * in a resource spec */
	char uuid[48];                  /* "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
	                                 * or a resource spec's id: what
	                                 * CUDA_VISIBLE_DEVICES gets */
	char id[48];                    /* what ASSAY_GPUS and CTest's
	                                 * variables call it: the index, or
	                                 * the spec's id */
	unsigned slots;                 /* a resource spec's; 0: --gpu-slots */
	char name[128];
	int cc_major, cc_minor;         /* compute capability */
	uint64_t mem;                   /* bytes */
	char pci[32];                   /* PCI bus id, "0000:01:00.0" */
};

struct gpu_list {
	struct gpu_device *v;
	size_t n;
	int driver;                     /* cuDriverGetVersion: 1000 x major +
	                                 * 10 x minor; 0: unknown */
	char *missing;                  /* n 0: why there is none (no driver,
	                                 * a stub, no device, an error) */
};

/*
 * Runs the probe (this program again, `/proc/self/exe __gpu-probe`) and
 * reads what it found into l. A machine without a driver or a device is not an
 * error: l->n is 0 and l->missing says which is missing. Returns 0, or
 * a negative code with e filled when the probe itself could not run.
 */
int gpu_discover(struct gpu_list *l, struct err *e);
/*
 * The devices of a CTest resource spec (version 1.0: its "local"
 * object's "gpus", each an "id" and "slots"), in place of discovery.
 * Other resource types are left out (*ignored, malloc'd, names them;
 * NULL when none). ERR_INPUT naming the file and what is wrong.
 */
int gpu_read_spec(struct gpu_list *l, const char *path, char **ignored,
		  struct err *e);
void gpu_list_release(struct gpu_list *l);
/*
 * What a test given the devices of mask (bit i: l->v[i]) is told (with
 * whole, it holds every slot of each: the device's, else slots; without,
 * one), "NAME=VALUE" (malloc'd, NULL-ended, for
 * gpu_env_free): CUDA_VISIBLE_DEVICES (their UUIDs: the test sees them
 * and no other), CUDA_DEVICE_ORDER=PCI_BUS_ID, ASSAY_GPUS (their
 * ids), ASSAY_GPU_UUIDS, and CTest's CTEST_RESOURCE_GROUP_* (one group
 * per device: "gpus", "id:ID,slots:N").
 */
char **gpu_env(const struct gpu_list *l, uint64_t mask, bool whole,
	       unsigned slots);
void gpu_env_free(char **env);
/* "on GPU ID (UUID, NAME)" for each device of mask, one line each, then
 * note (may be NULL): malloc'd, for a failed test's report. */
char *gpu_note(const struct gpu_list *l, uint64_t mask, const char *note);

#endif
