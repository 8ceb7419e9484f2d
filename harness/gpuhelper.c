/* gpuhelper.c - see gpuhelper.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assay/gpu.h"

#include "cudadrv.h"
#include "gpuhelper.h"
#include "gpuhost.h"
#include "io.h"
#include "xalloc.h"

static void probe_device(const struct cu_driver *d, int ordinal)
{
	cu_device dev;
	unsigned char u[16] = { 0 };
	char name[128] = "", pci[32] = "", why[96], uuid[48];
	size_t mem = 0;
	int major = 0, minor = 0;
	cu_result r;

	if ((r = d->get(&dev, ordinal)) != CU_SUCCESS) {
		printf("missing device %d cannot be opened: %s\n", ordinal,
		       cu_name(d, r, why, sizeof(why)));
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
	cu_uuid_text(u, uuid);
	printf("device %d\t%s\t%d\t%d\t%zu\t%s\t%s\n", ordinal, uuid, major, minor,
	       mem, *pci ? pci : "-", *name ? name : "unnamed");
}

int gpu_probe_main(void)
{
	struct cu_driver d;
	char why[96];
	int version = 0, n = 0;
	cu_result r;

	if (!cu_open(&d, "missing ")) {
		fflush(stdout);
		return 0;
	}
	if (d.version(&version) == CU_SUCCESS)
		printf("driver %d\n", version);
	if ((r = d.count(&n)) != CU_SUCCESS)
		printf("missing the CUDA driver cannot count its devices: %s\n",
		       cu_name(&d, r, why, sizeof(why)));
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
static const char *canary_run(const struct cu_driver *d, int ordinal, char *why,
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
		snprintf(why, n, "%s: %s", step, cu_name(d, r, err, sizeof(err)));
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
	struct cu_driver d;
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
	if (!cu_open(&d, "fail ")) {
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

/* ---- the cuda kind: test kernels of a module (assay/gpu.h) ---- */

#define MODULE_MAX (256u << 20)

/* The module file whole (NUL-ended, for a PTX's text), or NULL with
 * why on stdout. */
static char *module_read(const char *path, size_t *len)
{
	char *buf;

	if (io_read_file(path, MODULE_MAX, &buf, len) == 0)
		return buf;
	printf("%s cannot be read: %s\n", path,
	       errno == EFBIG ? "past 256 MiB, not a module assay runs" :
	       errno == EINVAL ? "not a regular file" : strerror(errno));
	return NULL;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tests the module carries: each assay_gpu_shape_NAME (a test
 * kernel) and GPUHOST_PREFIX NAME (a host-driven test) it holds (a
 * PTX's text, an ELF's symbol names), sorted, once each. */
static size_t module_tests(const char *m, size_t len, char ***names)
{
	const char *prefixes[] = { ASSAY_GPU_SHAPE_PREFIX, GPUHOST_PREFIX };
	size_t n = 0, k = 0;
	char **v = NULL;

	for (size_t i = 0; i < 2; i++) {
		const size_t pl = strlen(prefixes[i]);

		for (const char *p = m; (p = memmem(p, len - (size_t)(p - m), prefixes[i], pl));) {
			const char *s = p += pl;

			while (p < m + len && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			if (p > s && p - s < 200) {
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = xstrndup(s, (size_t)(p - s));
			}
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	for (size_t i = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			v[k++] = v[i];
		else
			free(v[i]);
	*names = v;
	return k;
}

int cuda_list_main(const char *module)
{
	size_t len, n;
	char *m = module_read(module, &len), **names;

	if (!m)
		return 1;
	n = module_tests(m, len, &names);
	for (size_t i = 0; i < n; i++) {
		printf("%s\tgpus=1\n", names[i]);
		free(names[i]);
	}
	free(names);
	free(m);
	fflush(stdout);
	return 0;
}

/* An end frame of the worker protocol (docs/api.md). */
static void end_frame(const char *id, const char *outcome, unsigned long long us,
		      const char *message, const char *at, const char *details)
{
	printf("\x1e" "E %s %s %llu %zu %zu %zu\n%s%s%s", id, outcome, us,
	       strlen(message), strlen(at), strlen(details), message, at, details);
	fflush(stdout);
}

static unsigned long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000u + (unsigned long long)t.tv_nsec / 1000u;
}

/* A failed check as a line: "k.cu:12: i + i == 2 * i: 3 != 4 (block
 * (1,0,0) thread (5,0,0))", without its place when file is NULL. */
static void record_line(FILE *f, const char *file, const struct assay_gpu_record *x)
{
	char expr[ASSAY_GPU_EXPR_MAX + 1];

	memcpy(expr, x->expr, ASSAY_GPU_EXPR_MAX);
	expr[ASSAY_GPU_EXPR_MAX] = '\0';
	if (file)
		fprintf(f, "%s:%u: ", file, x->line);
	fputs(expr, f);
	if (x->eq)
		fprintf(f, ": %lld != %lld", x->a, x->b);
	fprintf(f, " (block (%u,%u,%u) thread (%u,%u,%u))", x->block[0], x->block[1],
		x->block[2], x->thread[0], x->thread[1], x->thread[2]);
}

/* What one launch of a test kernel came to. */
struct launch {
	const char *step;               /* the call that failed, or NULL */
	cu_result r;                    /* its result */
	bool lost;                      /* the context with it (a fault) */
	char file[512];                 /* the test's source file */
	struct assay_gpu_result res;    /* its checks, when it ran */
};

/* Launches test kernel name of mod with a zeroed result buffer, waits
 * for it and reads the buffer back, into l. */
static void launch(const struct cu_driver *d, cu_handle mod, const char *name,
		   struct launch *l)
{
	char sym[256];
	unsigned shape[2] = { 0, 0 };
	cu_handle f = NULL;
	cu_ptr p = 0, out = 0;
	size_t n = 0;
	void *params[] = { &out };

	snprintf(sym, sizeof(sym), "assay_gpu_test_%s", name);
	if ((l->r = d->function(&f, mod, sym)) != CU_SUCCESS) {
		l->step = "cuModuleGetFunction";
		return;
	}
	snprintf(sym, sizeof(sym), ASSAY_GPU_SHAPE_PREFIX "%s", name);
	if ((l->r = d->global(&p, &n, mod, sym)) != CU_SUCCESS ||
	    (l->r = d->to_host(shape, p, sizeof(shape))) != CU_SUCCESS) {
		l->step = "cuModuleGetGlobal (its shape)";
		return;
	}
	snprintf(sym, sizeof(sym), "assay_gpu_file_%s", name);
	if (d->global(&p, &n, mod, sym) == CU_SUCCESS && n && n <= sizeof(l->file) &&
	    d->to_host(l->file, p, n) == CU_SUCCESS)
		l->file[n - 1] = '\0';
	if ((l->r = d->alloc(&out, sizeof(l->res))) != CU_SUCCESS)
		l->step = "cuMemAlloc";
	else if ((l->r = d->memset8(out, 0, sizeof(l->res))) != CU_SUCCESS)
		l->step = "cuMemsetD8";
	else if ((l->r = d->launch(f, shape[0], 1, 1, shape[1], 1, 1, 0, NULL, params,
				   NULL)) != CU_SUCCESS)
		l->step = "cuLaunchKernel";
	else if ((l->r = cu_wait(d, NULL)) != CU_SUCCESS)
		l->step = "the kernel", l->lost = true;
	else if ((l->r = d->to_host(&l->res, out, sizeof(l->res))) != CU_SUCCESS)
		l->step = "cuMemcpyDtoH (its result)", l->lost = true;
	if (out && !l->lost)
		(void)d->free(out);
}

/* One test kernel between its frames; false when the device's context
 * is lost (a fault in the kernel), so that the worker stops. */
static bool run_kernel(const struct cu_driver *d, cu_handle mod, const char *name)
{
	struct launch l = { .file = "?" };
	unsigned long long t0 = now_us();
	const struct assay_gpu_result *res = &l.res;
	char why[96], *msg = NULL, *det = NULL, at[600] = "";
	size_t mlen, dlen;
	FILE *mf, *df;

	printf("\x1e" "S %s\n", name);
	fflush(stdout);
	launch(d, mod, name, &l);
	mf = open_memstream(&msg, &mlen);
	df = open_memstream(&det, &dlen);
	if (!mf || !df)
		abort();                /* out of memory in a helper */
	if (l.step) {
		fprintf(mf, "%s: %s", l.step, cu_name(d, l.r, why, sizeof(why)));
	} else if (res->failures) {
		unsigned kept = res->failures < ASSAY_GPU_RECORDS ?
				(unsigned)res->failures : ASSAY_GPU_RECORDS;

		fprintf(mf, "%llu failed check%s; the first: ", res->failures,
			res->failures == 1 ? "" : "s");
		record_line(mf, NULL, &res->rec[0]);
		for (unsigned i = 0; i < kept; i++) {
			record_line(df, l.file, &res->rec[i]);
			fputc('\n', df);
		}
		if (res->failures > kept)
			fprintf(df, "and %llu more\n", res->failures - kept);
		snprintf(at, sizeof(at), "%s:%u", l.file, res->rec[0].line);
	}
	fclose(mf);
	fclose(df);
	end_frame(name, l.step ? (l.lost ? "crash" : "fail") : res->failures ? "fail" : "pass",
		  now_us() - t0, msg, at, det);
	free(msg);
	free(det);
	return !l.lost;
}

/* A host-driven test between its frames; false when the device's
 * context is lost. */
static bool run_host(const struct gpuhost *h, const char *name)
{
	unsigned long long t0 = now_us();
	struct gpuhost_result res;

	printf("\x1e" "S %s\n", name);
	fflush(stdout);
	res = gpuhost_run(h, name);
	end_frame(name, res.outcome, now_us() - t0, res.message ? res.message : "", "", "");
	free(res.message);
	return !res.lost;
}

/* Whether the module's test name is host-driven: it carries the marker. */
static bool host_driven(const struct cu_driver *d, cu_handle mod, const char *name)
{
	char sym[256];
	cu_ptr p;
	size_t n;

	snprintf(sym, sizeof(sym), GPUHOST_PREFIX "%s", name);
	return d->global(&p, &n, mod, sym) == CU_SUCCESS;
}

int cuda_run_main(int argc, char **argv)
{
	struct cu_driver d;
	cu_handle ctx = NULL, mod = NULL;
	cu_device dev;
	char why[96], **names = NULL;
	size_t len, n = 0;
	char *m;
	cu_result r;

	if (argc < 1) {
		printf("usage: assay " CUDA_RUN_COMMAND " MODULE [--filter NAME]...\n");
		return 99;
	}
	if (!(m = module_read(argv[0], &len)))
		return 99;
	if (!cu_open(&d, "")) {
		fflush(stdout);
		free(m);
		return 99;
	}
	if ((r = d.get(&dev, 0)) != CU_SUCCESS ||
	    (r = d.ctx_retain(&ctx, dev)) != CU_SUCCESS ||
	    (r = d.ctx_set(ctx)) != CU_SUCCESS ||
	    (r = d.module_load(&mod, m)) != CU_SUCCESS) {
		printf("%s: the device or the module cannot be opened: %s\n", argv[0],
		       cu_name(&d, r, why, sizeof(why)));
		fflush(stdout);
		free(m);
		return 99;
	}
	if (argc == 1)
		n = module_tests(m, len, &names);
	for (int i = 1; i + 1 < argc; i += 2)   /* --filter NAME */
		if (!strcmp(argv[i], "--filter")) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(argv[i + 1]);
		}
	for (size_t i = 0; i < n; i++) {
		struct gpuhost h = { &d, dev, ctx, mod, argv[0], m };

		if (!(host_driven(&d, mod, names[i]) ? run_host(&h, names[i])
						     : run_kernel(&d, mod, names[i]))) {
			/* the context is gone with the fault: the rest
			 * run in a fresh worker, and the device's health is
			 * the host's to check (a signal says so) */
			abort();
		}
		free(names[i]);
	}
	free(names);
	free(m);
	(void)d.ctx_release(dev);
	fflush(stdout);
	return 0;
}
