/* gpu.c - see gpu.h. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "gpu.h"
#include "io.h"
#include "sched.h"
#include "xalloc.h"


#define GPU_PROBE_NS 60000000000u       /* the probe, at most (cuInit can
                                         * take seconds per device) */
#define GPU_PROBE_MAX (1u << 20)        /* bytes of its output read */

/* ---- the probe, in the helper process ---- */

/* The driver's types, as its ABI has them (no cuda.h needed to build). */
typedef int cu_result;
typedef int cu_device;
typedef unsigned long long cu_ptr;
typedef void *cu_handle;                /* CUcontext, CUmodule, CUfunction */

enum {
	CU_SUCCESS = 0,
	CU_ERROR_STUB_LIBRARY = 34,
	CU_ERROR_NO_DEVICE = 100,
	CU_ATTR_CC_MAJOR = 75,
	CU_ATTR_CC_MINOR = 76,
};

struct driver {
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
};

/* The entry points, by versioned name (the first of each list found). */
static const struct {
	size_t at;
	const char *names[2];
} entries[] = {
	{ offsetof(struct driver, init), { "cuInit" } },
	{ offsetof(struct driver, version), { "cuDriverGetVersion" } },
	{ offsetof(struct driver, count), { "cuDeviceGetCount" } },
	{ offsetof(struct driver, get), { "cuDeviceGet" } },
	{ offsetof(struct driver, name), { "cuDeviceGetName" } },
	{ offsetof(struct driver, uuid), { "cuDeviceGetUuid_v2", "cuDeviceGetUuid" } },
	{ offsetof(struct driver, mem), { "cuDeviceTotalMem_v2" } },
	{ offsetof(struct driver, attr), { "cuDeviceGetAttribute" } },
	{ offsetof(struct driver, pci), { "cuDeviceGetPCIBusId" } },
	{ offsetof(struct driver, error_name), { "cuGetErrorName" } },
	{ offsetof(struct driver, ctx_retain), { "cuDevicePrimaryCtxRetain" } },
	{ offsetof(struct driver, ctx_release), { "cuDevicePrimaryCtxRelease_v2" } },
	{ offsetof(struct driver, ctx_set), { "cuCtxSetCurrent" } },
	{ offsetof(struct driver, module_load), { "cuModuleLoadData" } },
	{ offsetof(struct driver, function), { "cuModuleGetFunction" } },
	{ offsetof(struct driver, alloc), { "cuMemAlloc_v2" } },
	{ offsetof(struct driver, free), { "cuMemFree_v2" } },
	{ offsetof(struct driver, launch), { "cuLaunchKernel" } },
	{ offsetof(struct driver, sync), { "cuCtxSynchronize" } },
	{ offsetof(struct driver, to_host), { "cuMemcpyDtoH_v2" } },
};

/* r as the driver names it: "CUDA_ERROR_NO_DEVICE (100)". */
static const char *result_name(const struct driver *d, cu_result r, char *buf,
			       size_t n)
{
	const char *name = NULL;

	if (d->error_name(r, &name) != CU_SUCCESS || !name)
		name = "an unknown error";
	snprintf(buf, n, "%s (%d)", name, r);
	return buf;
}

/* Resolves every entry point of h into d; the name of the first missing
 * one, or NULL. */
static const char *resolve(void *h, struct driver *d)
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

static void probe_device(const struct driver *d, int ordinal)
{
	cu_device dev;
	unsigned char u[16] = { 0 };
	char name[128] = "", pci[32] = "", why[96];
	size_t mem = 0;
	int major = 0, minor = 0;
	cu_result r;

	if ((r = d->get(&dev, ordinal)) != CU_SUCCESS) {
		printf("missing device %d cannot be opened: %s\n", ordinal,
		       result_name(d, r, why, sizeof(why)));
		return;
	}
	(void)d->name(name, (int)sizeof(name), dev);
	(void)d->uuid(u, dev);
	(void)d->mem(&mem, dev);
	(void)d->attr(&major, CU_ATTR_CC_MAJOR, dev);
	(void)d->attr(&minor, CU_ATTR_CC_MINOR, dev);
	(void)d->pci(pci, (int)sizeof(pci), dev);
	for (char *c = name; *c; c++)           /* one field of one line */
		if (*c == '\t' || *c == '\n')
			*c = ' ';
	printf("device %d\tGPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	       "%02x%02x%02x%02x%02x%02x\t%d\t%d\t%zu\t%s\t%s\n", ordinal,
	       u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
	       u[10], u[11], u[12], u[13], u[14], u[15], major, minor, mem,
	       *pci ? pci : "-", *name ? name : "unnamed");
}

/* Loads and starts the driver (ASSAY_LIBCUDA, or libcuda.so.1) into d;
 * false with what is missing written on stdout after prefix. */
static bool open_driver(struct driver *d, const char *prefix)
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
		       result_name(d, r, why, sizeof(why)));
	return false;
}

int gpu_probe_main(void)
{
	struct driver d;
	char why[96];
	int version = 0, n = 0;
	cu_result r;

	if (!open_driver(&d, "missing ")) {
		fflush(stdout);
		return 0;
	}
	if (d.version(&version) == CU_SUCCESS)
		printf("driver %d\n", version);
	if ((r = d.count(&n)) != CU_SUCCESS)
		printf("missing the CUDA driver cannot count its devices: %s\n",
		       result_name(&d, r, why, sizeof(why)));
	else if (n <= 0)
		printf("missing no CUDA device: the driver found none\n");
	for (int i = 0; i < n; i++)
		probe_device(&d, i);
	fflush(stdout);
	return 0;
}

/* ---- the canary, in a helper process ---- */

/* The canary kernel: out[i] = (i x 2654435761) ^ 0x5a5a5a5a, for i < n.
 * PTX, so that the driver's JIT compiles it for whatever device it is
 * (ISA 6.0, sm_50: every device CUDA 11.4 and later runs). */
static const char canary_ptx[] =
	".version 6.0\n"
	".target sm_50\n"
	".address_size 64\n"
	"\n"
	".visible .entry assay_canary(\n"
	"\t.param .u64 out,\n"
	"\t.param .u32 n\n"
	")\n"
	"{\n"
	"\t.reg .pred %p;\n"
	"\t.reg .b32 %r<8>;\n"
	"\t.reg .b64 %rd<4>;\n"
	"\n"
	"\tld.param.u64 %rd1, [out];\n"
	"\tld.param.u32 %r1, [n];\n"
	"\tmov.u32 %r2, %ctaid.x;\n"
	"\tmov.u32 %r3, %ntid.x;\n"
	"\tmov.u32 %r4, %tid.x;\n"
	"\tmad.lo.s32 %r5, %r2, %r3, %r4;\n"
	"\tsetp.ge.u32 %p, %r5, %r1;\n"
	"\t@%p bra DONE;\n"
	"\tmul.lo.s32 %r6, %r5, -1640531535;\n"
	"\txor.b32 %r7, %r6, 1515870810;\n"
	"\tcvta.to.global.u64 %rd2, %rd1;\n"
	"\tmul.wide.u32 %rd3, %r5, 4;\n"
	"\tadd.s64 %rd2, %rd2, %rd3;\n"
	"\tst.global.u32 [%rd2], %r7;\n"
	"DONE:\n"
	"\tret;\n"
	"}\n";

#define CANARY_N (1u << 16)
#define CANARY_BLOCK 256u

/* Runs the canary on the device of ordinal; NULL when it passed, else
 * what went wrong (static or in why). */
static const char *canary_run(const struct driver *d, int ordinal, char *why,
			      size_t n)
{
	unsigned *host = calloc(CANARY_N, sizeof(*host)), count = CANARY_N;
	cu_handle ctx = NULL, mod = NULL, f = NULL;
	cu_ptr out = 0;
	cu_device dev;
	void *params[] = { &out, &count };
	const char *step = NULL;
	char err[96];
	cu_result r;

	if (!host)
		return "out of memory";
	if ((r = d->get(&dev, ordinal)) != CU_SUCCESS)
		step = "cuDeviceGet";
	else if ((r = d->ctx_retain(&ctx, dev)) != CU_SUCCESS)
		step = "cuDevicePrimaryCtxRetain";
	else if ((r = d->ctx_set(ctx)) != CU_SUCCESS)
		step = "cuCtxSetCurrent";
	else if ((r = d->module_load(&mod, canary_ptx)) != CU_SUCCESS)
		step = "cuModuleLoadData (the JIT)";
	else if ((r = d->function(&f, mod, "assay_canary")) != CU_SUCCESS)
		step = "cuModuleGetFunction";
	else if ((r = d->alloc(&out, CANARY_N * sizeof(*host))) != CU_SUCCESS)
		step = "cuMemAlloc";
	else if ((r = d->launch(f, CANARY_N / CANARY_BLOCK, 1, 1, CANARY_BLOCK, 1, 1,
				0, NULL, params, NULL)) != CU_SUCCESS)
		step = "cuLaunchKernel";
	else if ((r = d->sync()) != CU_SUCCESS)
		step = "cuCtxSynchronize";
	else if ((r = d->to_host(host, out, CANARY_N * sizeof(*host))) != CU_SUCCESS)
		step = "cuMemcpyDtoH";
	if (step)
		snprintf(why, n, "%s: %s", step, result_name(d, r, err, sizeof(err)));
	for (unsigned i = 0; !step && i < CANARY_N; i++)
		if (host[i] != ((i * 2654435761u) ^ 0x5a5a5a5au)) {
			snprintf(why, n, "the kernel's result is wrong at %u of %u: "
				 "0x%08x, not 0x%08x", i, CANARY_N, host[i],
				 (i * 2654435761u) ^ 0x5a5a5a5au);
			step = "the result";
		}
	free(host);
	if (out)
		(void)d->free(out);
	if (ctx)
		(void)d->ctx_release(dev);
	return step ? why : NULL;
}

int gpu_canary_main(const char *ordinal)
{
	struct driver d;
	char why[256], *end;
	const char *bad;
	long i;

	if (!strcmp(ordinal, "--ptx")) {        /* for a check with ptxas */
		fputs(canary_ptx, stdout);
		return 0;
	}
	errno = 0;
	i = strtol(ordinal, &end, 10);
	if (errno || *end || i < 0 || i > 1023) {
		printf("fail %s is not a device index\n", ordinal);
		return 1;
	}
	setenv("CUDA_CACHE_DISABLE", "1", 1);   /* the JIT itself, each time */
	if (!open_driver(&d, "fail ")) {
		fflush(stdout);
		return 1;
	}
	if ((bad = canary_run(&d, (int)i, why, sizeof(why))))
		printf("fail %s\n", bad);
	else
		printf("ok\n");
	/* out now: whatever ends this process (a sanitizer's leak report
	 * exits at once) must not take the verdict with it */
	fflush(stdout);
	return bad ? 1 : 0;
}

/* ---- reading it, in assay ---- */

/* One "device" line's fields (after "device "); false when malformed. */
static bool parse_device(char *s, struct gpu_device *g)
{
	char *f[7], *save = NULL;
	size_t k = 0;

	for (char *t = strtok_r(s, "\t", &save); t && k < 7; t = strtok_r(NULL, "\t", &save))
		f[k++] = t;
	if (k != 7)
		return false;
	*g = (struct gpu_device){ .index = (unsigned)strtoul(f[0], NULL, 10),
				  .cc_major = atoi(f[2]), .cc_minor = atoi(f[3]),
				  .mem = strtoull(f[4], NULL, 10) };
	snprintf(g->uuid, sizeof(g->uuid), "%s", f[1]);
	snprintf(g->id, sizeof(g->id), "%u", g->index);
	snprintf(g->pci, sizeof(g->pci), "%s", f[5]);
	snprintf(g->name, sizeof(g->name), "%s", f[6]);
	return true;
}

/* What the probe wrote, into l. */
static void parse(struct gpu_list *l, char *out)
{
	char *missing = NULL;

	for (char *line = out, *nl; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')))
			*nl++ = 0;
		if (!strncmp(line, "driver ", 7)) {
			l->driver = atoi(line + 7);
		} else if (!strncmp(line, "missing ", 8)) {
			free(missing);
			missing = xstrdup(line + 8);
		} else if (!strncmp(line, "device ", 7)) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->n += parse_device(line + 7, &l->v[l->n]);
		}
	}
	if (!l->n && !missing)
		missing = xstrdup("no CUDA device: the GPU probe found none");
	if (l->n)
		free(missing);
	else
		l->missing = missing;
}

int gpu_discover(struct gpu_list *l, const char *self, struct err *e)
{
	char *argv[] = { (char *)self, GPU_PROBE_COMMAND, NULL }, *out;
	int fd = memfd_create("gpu-probe", MFD_CLOEXEC), status = 0;
	off_t len;

	memset(l, 0, sizeof(*l));
	if (fd < 0)
		return err_set(e, ERR_SYS, "cannot look for GPUs: memfd_create: %s",
			       strerror(errno));
	if (io_run(argv, GPU_PROBE_NS, fd, -1, &status) < 0) {
		int errnum = errno;
		close(fd);
		if (errnum == ETIMEDOUT) {
			l->missing = xstrdup("the CUDA driver did not answer in 60 s "
					     "(the GPU probe was killed)");
			return 0;
		}
		return err_set(e, ERR_SYS, "cannot start the GPU probe %s: %s", self,
			       strerror(errnum));
	}
	len = lseek(fd, 0, SEEK_CUR);
	if (len > (off_t)GPU_PROBE_MAX)
		len = GPU_PROBE_MAX;
	out = xmalloc((size_t)len + 1);
	if (len < 0 || pread(fd, out, (size_t)len, 0) != len)
		len = 0;
	out[len] = 0;
	close(fd);
	parse(l, out);
	free(out);
	if (!l->n && WIFSIGNALED(status)) {
		free(l->missing);
		l->missing = xasprintf("the GPU probe died of signal %d while the CUDA "
				       "driver was loaded", WTERMSIG(status));
	}
	return 0;
}

/* Appends s (taken) to the NULL-ended list *v of *n. */
static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

char **gpu_env(const struct gpu_list *l, uint64_t mask, bool whole,
	       unsigned slots)
{
	char **v = NULL, *uuids = xstrdup(""), *indexes = xstrdup(""), *t;
	size_t n = 0, groups = 0;

	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		t = xasprintf("%s%s%s", uuids, *uuids ? "," : "", l->v[i].uuid);
		free(uuids);
		uuids = t;
		t = xasprintf("%s%s%s", indexes, *indexes ? "," : "", l->v[i].id);
		free(indexes);
		indexes = t;
		push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_%zu=gpus", groups));
		push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_%zu_GPUS=id:%s,slots:%u",
				       groups++, l->v[i].id,
				       !whole ? 1 : l->v[i].slots ? l->v[i].slots : slots));
	}
	push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_COUNT=%zu", groups));
	push(&v, &n, xasprintf("CUDA_VISIBLE_DEVICES=%s", uuids));
	push(&v, &n, xstrdup("CUDA_DEVICE_ORDER=PCI_BUS_ID"));
	push(&v, &n, xasprintf("ASSAY_GPUS=%s", indexes));
	push(&v, &n, xasprintf("ASSAY_GPU_UUIDS=%s", uuids));
	free(uuids);
	free(indexes);
	return v;
}

char *gpu_note(const struct gpu_list *l, uint64_t mask, const char *note)
{
	char *s = xstrdup(""), *t;

	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		t = xasprintf("%s%son GPU %s (%s, %s)", s, *s ? "\n" : "", l->v[i].id,
			      l->v[i].uuid, l->v[i].name);
		free(s);
		s = t;
	}
	if (note && *note) {
		t = xasprintf("%s\n%s", s, note);
		free(s);
		s = t;
	}
	return s;
}

void gpu_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* The one object of spec's "local" array, or NULL with why in e. */
static json_t *spec_local(json_t *spec, const char *path, struct err *e)
{
	json_t *version = json_object_get(spec, "version"), *local;
	json_int_t major = json_integer_value(json_object_get(version, "major"));
	json_int_t minor = json_integer_value(json_object_get(version, "minor"));

	if (!json_is_object(spec) || !json_is_object(version)) {
		err_set(e, ERR_INPUT, "%s: not a resource spec (want an object with "
			"\"version\" and \"local\", as ctest --resource-spec-file reads)", path);
		return NULL;
	}
	if (major != 1 || minor != 0) {
		err_set(e, ERR_INPUT, "%s: resource spec version %lld.%lld: assay reads 1.0",
			path, (long long)major, (long long)minor);
		return NULL;
	}
	local = json_object_get(spec, "local");
	if (!json_is_array(local) || json_array_size(local) != 1 ||
	    !json_is_object(json_array_get(local, 0))) {
		err_set(e, ERR_INPUT, "%s: \"local\" must be an array of one object "
			"(the resources of this machine)", path);
		return NULL;
	}
	return json_array_get(local, 0);
}

int gpu_read_spec(struct gpu_list *l, const char *path, char **ignored,
		  struct err *e)
{
	json_error_t je;
	json_t *spec = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *local, *gpus, *g;
	const char *type;
	size_t i;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	*ignored = NULL;
	if (!spec && je.line < 1)       /* not read at all */
		return err_set(e, ERR_INPUT, "cannot read the resource spec: %s", je.text);
	if (!spec)
		return err_set(e, ERR_INPUT, "%s:%d: not JSON, so not a resource spec: %s",
			       path, je.line, je.text);
	if (!(local = spec_local(spec, path, e))) {
		json_decref(spec);
		return ERR_INPUT;
	}
	json_object_foreach(local, type, g) {
		char *t;
		if (!strcmp(type, "gpus"))
			continue;
		t = xasprintf("%s%s%s", *ignored ? *ignored : "", *ignored ? ", " : "", type);
		free(*ignored);
		*ignored = t;
	}
	gpus = json_object_get(local, "gpus");
	if (gpus && !json_is_array(gpus))
		rc = err_set(e, ERR_INPUT, "%s: \"gpus\" must be an array", path);
	json_array_foreach(gpus, i, g) {
		const char *id = json_string_value(json_object_get(g, "id"));
		json_t *slots = json_object_get(g, "slots");
		struct gpu_device *d;

		if (rc < 0)
			break;
		if (!id || !*id || strlen(id) >= sizeof(d->id) || strchr(id, ',')) {
			rc = err_set(e, ERR_INPUT, "%s: gpus[%zu] needs an \"id\": a string of "
				     "1 to %zu characters, without a comma", path, i,
				     sizeof(d->id) - 1);
		} else if (!json_is_integer(slots) || json_integer_value(slots) < 1 ||
			   json_integer_value(slots) > 64) {
			rc = err_set(e, ERR_INPUT, "%s: gpus[%zu] (id %s) needs \"slots\": a whole "
				     "number from 1 to 64", path, i, id);
		} else if (l->n == SCHED_MAX_GPUS) {
			rc = err_set(e, ERR_INPUT, "%s: more than %d gpus", path,
				     SCHED_MAX_GPUS);
		} else {
			for (size_t k = 0; k < l->n && rc == 0; k++)
				if (!strcmp(l->v[k].id, id))
					rc = err_set(e, ERR_INPUT, "%s: gpu id %s is there twice",
						     path, id);
			if (rc < 0)
				break;
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			d = &l->v[l->n];
			*d = (struct gpu_device){ .index = (unsigned)l->n,
						  .slots = (unsigned)json_integer_value(slots) };
			snprintf(d->id, sizeof(d->id), "%s", id);
			snprintf(d->uuid, sizeof(d->uuid), "%s", id);
			snprintf(d->name, sizeof(d->name), "from %s", path);
			l->n++;
		}
	}
	if (!rc && !l->n)
		l->missing = xasprintf("no CUDA device: the resource spec %s lists no gpus", path);
	json_decref(spec);
	if (rc < 0) {
		gpu_list_release(l);
		free(*ignored);
		*ignored = NULL;
	}
	return rc;
}

void gpu_list_release(struct gpu_list *l)
{
	free(l->v);
	free(l->missing);
	memset(l, 0, sizeof(*l));
}
