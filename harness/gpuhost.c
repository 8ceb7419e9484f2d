/* gpuhost.c - see gpuhost.h. What each test checks, and how long it may
 * take: docs/gpu.md "The built-in suite". */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "gpuhelper.h"
#include "gpuhost.h"
#include "io.h"
#include "xalloc.h"

#define MIB (1024.0 * 1024.0)
#define CHILD_NS 60000000000u   /* a fault's child, a canary: at most
                                 * (a context and the JIT take seconds
                                 * on some machines) */
#define HANG_NS 1000000000u     /* the hang's kernel running this long:
                                 * its child kills itself */

static double now_s(void)
{
	return (double)io_now_ns() / 1e9;
}

/* "STEP: CUDA_ERROR_... (N)", malloc'd. */
static char *failed_at(const struct gpuhost *h, const char *step, cu_result r)
{
	char why[96];

	return xasprintf("%s: %s", step, cu_name(h->d, r, why, sizeof(why)));
}

/* A kernel of the suite's module, or NULL with *why. */
static cu_handle kernel(const struct gpuhost *h, const char *name, char **why)
{
	cu_handle f = NULL;
	cu_result r = h->d->function(&f, h->mod, name);

	if (r != CU_SUCCESS) {
		char *step = xasprintf("cuModuleGetFunction %s", name);
		*why = failed_at(h, step, r);
		free(step);
		return NULL;
	}
	return f;
}

/* Launches f on stream (NULL: the default one) as grid x block. */
static cu_result launch(const struct gpuhost *h, cu_handle f, unsigned grid,
			unsigned block, cu_handle stream, void **params)
{
	return h->d->launch(f, grid, 1, 1, block, 1, 1, 0, stream, params, NULL);
}

/* ---- the device's facts ---- */

static char *device_facts(const struct gpuhost *h)
{
	const struct cu_driver *d = h->d;
	const char *given = getenv("ASSAY_GPU_UUIDS");
	unsigned char u[16] = { 0 };
	char name[128] = "", uuid[48];
	size_t total = 0, total_info = 0, free_b = 0;
	int major = 0, minor = 0, warp = 0, sms = 0, threads = 0, l2 = 0, mode = -1;
	cu_result r;

	if ((r = d->name(name, (int)sizeof(name), h->dev)) != CU_SUCCESS)
		return failed_at(h, "cuDeviceGetName", r);
	if ((r = d->uuid(u, h->dev)) != CU_SUCCESS)
		return failed_at(h, "cuDeviceGetUuid", r);
	if ((r = d->mem(&total, h->dev)) != CU_SUCCESS)
		return failed_at(h, "cuDeviceTotalMem", r);
	if ((r = d->mem_info(&free_b, &total_info)) != CU_SUCCESS)
		return failed_at(h, "cuMemGetInfo", r);
	(void)d->attr(&major, CU_ATTR_CC_MAJOR, h->dev);
	(void)d->attr(&minor, CU_ATTR_CC_MINOR, h->dev);
	(void)d->attr(&warp, CU_ATTR_WARP_SIZE, h->dev);
	(void)d->attr(&sms, CU_ATTR_MULTIPROCESSORS, h->dev);
	(void)d->attr(&threads, CU_ATTR_MAX_THREADS_PER_BLOCK, h->dev);
	(void)d->attr(&l2, CU_ATTR_L2_CACHE, h->dev);
	(void)d->attr(&mode, CU_ATTR_COMPUTE_MODE, h->dev);
	cu_uuid_text(u, uuid);
	printf("device: %s, %s, compute capability %d.%d\n", name, uuid, major, minor);
	printf("%d multiprocessors, warps of %d, at most %d threads a block, "
	       "L2 %.1f MiB, compute mode %d\n", sms, warp, threads, l2 / MIB, mode);
	printf("memory: %.0f MiB (%.0f MiB by cuMemGetInfo), %.0f MiB free\n",
	       total / MIB, total_info / MIB, free_b / MIB);
	if (!*name)
		return xstrdup("the device has no name");
	/* assay's probe and this worker must see the same device */
	if (given && !strncmp(given, "GPU-", 4) &&
	    (strncmp(given, uuid, strlen(uuid)) || (given[strlen(uuid)] != '\0' &&
						    given[strlen(uuid)] != ',')))
		return xasprintf("the worker's device is %s, and assay gave it %s",
				 uuid, given);
	if (major * 10 + minor < 75)
		return xasprintf("compute capability %d.%d: the suite's PTX needs 7.5 "
				 "or later", major, minor);
	if (warp != 32)
		return xasprintf("a warp of %d threads, not 32", warp);
	if (sms <= 0 || threads < 1024)
		return xasprintf("%d multiprocessors and %d threads a block: every "
				 "device the suite runs on has at least 1 and 1024",
				 sms, threads);
	if (!total || free_b > total_info)
		return xasprintf("cuMemGetInfo says %zu bytes free of %zu (and "
				 "cuDeviceTotalMem %zu)", free_b, total_info, total);
	return NULL;
}

/* ---- contexts made and destroyed ---- */

#define CHURN_ROUNDS 8
#define CHURN_BYTES (32u << 20)
#define CHURN_SLACK (64u << 20)

/* One context made, CHURN_BYTES of it used, and destroyed. */
static char *churn_once(const struct gpuhost *h)
{
	const struct cu_driver *d = h->d;
	cu_handle c = NULL;
	cu_ptr p = 0;
	cu_result r;
	char *why = NULL;

	if ((r = d->ctx_create(&c, 0, h->dev)) != CU_SUCCESS)
		return failed_at(h, "cuCtxCreate", r);
	if ((r = d->alloc(&p, CHURN_BYTES)) != CU_SUCCESS)
		why = failed_at(h, "cuMemAlloc", r);
	else if ((r = d->memset8(p, 0xa5, CHURN_BYTES)) != CU_SUCCESS ||
		 (r = cu_wait(d, NULL)) != CU_SUCCESS)
		why = failed_at(h, "cuMemsetD8", r);
	if (p)
		(void)d->free(p);
	if ((r = d->ctx_destroy(c)) != CU_SUCCESS && !why)
		why = failed_at(h, "cuCtxDestroy", r);
	return why;
}

/* CHURN_ROUNDS contexts made and destroyed: the free memory lost over
 * them (0 when it grew) in *lost; NULL, or why they could not be. */
static char *churn(const struct gpuhost *h, size_t *lost)
{
	size_t before = 0, after = 0, total = 0;
	char *why = NULL;
	cu_result r;

	if ((r = h->d->mem_info(&before, &total)) != CU_SUCCESS)
		return failed_at(h, "cuMemGetInfo", r);
	for (unsigned i = 0; !why && i < CHURN_ROUNDS; i++)
		why = churn_once(h);
	(void)h->d->ctx_set(h->ctx);
	if (!why && (r = h->d->mem_info(&after, &total)) != CU_SUCCESS)
		why = failed_at(h, "cuMemGetInfo", r);
	if (why)
		return why;
	printf("%d contexts made and destroyed, %u MiB used in each: %.1f MiB "
	       "free before, %.1f MiB after\n", CHURN_ROUNDS, CHURN_BYTES >> 20,
	       before / MIB, after / MIB);
	*lost = before > after ? before - after : 0;
	return NULL;
}

static char *context_churn(const struct gpuhost *h)
{
	size_t lost = 0;
	char *why;

	/* the first may leave what the driver keeps once per process */
	why = churn_once(h);
	(void)h->d->ctx_set(h->ctx);
	/* a leak loses memory each time; another process on the device
	 * (--gpu-slots above 1, another user) may have taken it once */
	for (unsigned k = 0; !why && k < 2; k++)
		if (!(why = churn(h, &lost)) && lost <= CHURN_SLACK)
			return NULL;
	return why ? why : xasprintf("device memory leaked: %.1f MiB less free after "
				     "%d contexts were made and destroyed, twice (at "
				     "most %u MiB may differ)", lost / MIB, CHURN_ROUNDS,
				     CHURN_SLACK >> 20);
}

/* ---- the JIT ---- */

/* A module with one error: a register it never declared. */
static const char bad_ptx[] =
	".version 6.0\n"
	".target sm_50\n"
	".address_size 64\n"
	"\n"
	".visible .entry assay_gpucheck_bad()\n"
	"{\n"
	"\t.reg .b32 %r<2>;\n"
	"\tmov.u32 %r1, %assay_undeclared;\n"
	"\tret;\n"
	"}\n";

/* cuModuleLoadDataEx of image, the JIT's error log in log. */
static cu_result jit(const struct gpuhost *h, const char *image, cu_handle *mod,
		     char *log, size_t n)
{
	int options[] = { CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES };
	void *values[] = { log, (void *)(uintptr_t)n };

	log[0] = '\0';
	return h->d->module_load_ex(mod, image, 2, options, values);
}

/* The launch storm's kernel of mod run once, 1 x 1: the count it left
 * must be 1. */
static char *count_once(const struct gpuhost *h, cu_handle mod)
{
	const struct cu_driver *d = h->d;
	struct gpuhost m = *h;
	unsigned long long n = 0;
	cu_handle f;
	cu_ptr p = 0;
	void *params[] = { &p };
	char *why = NULL;
	cu_result r;

	m.mod = mod;
	if (!(f = kernel(&m, "assay_gpucheck_count", &why)))
		return why;
	if ((r = d->alloc(&p, sizeof(n))) != CU_SUCCESS)
		return failed_at(h, "cuMemAlloc", r);
	if ((r = d->memset8(p, 0, sizeof(n))) != CU_SUCCESS ||
	    (r = launch(h, f, 1, 1, NULL, params)) != CU_SUCCESS ||
	    (r = cu_wait(d, NULL)) != CU_SUCCESS ||
	    (r = d->to_host(&n, p, sizeof(n))) != CU_SUCCESS)
		why = failed_at(h, "a kernel of the module", r);
	else if (n != 1)
		why = xasprintf("a kernel of the module counted %llu, not 1", n);
	(void)d->free(p);
	return why;
}

static char *jit_good_module(const struct gpuhost *h)
{
	char log[4096], *why;
	cu_handle mod = NULL;
	double t0 = now_s();
	cu_result r;

	if ((r = jit(h, h->image, &mod, log, sizeof(log))) != CU_SUCCESS)
		return xasprintf("the driver's JIT refused the suite's own module: "
				 "cuModuleLoadDataEx: %s%s%s",
				 cu_name(h->d, r, (char[96]){ 0 }, 96), *log ? ": " : "", log);
	printf("the suite's module, %zu bytes of PTX, compiled by the driver's JIT "
	       "in %.0f ms\n", strlen(h->image), (now_s() - t0) * 1e3);
	why = count_once(h, mod);
	(void)h->d->module_unload(mod);
	return why;
}

static char *jit_bad_module(const struct gpuhost *h)
{
	char log[4096], why[96];
	cu_handle mod = NULL;
	cu_result r = jit(h, bad_ptx, &mod, log, sizeof(log));

	if (r == CU_SUCCESS) {
		(void)h->d->module_unload(mod);
		return xstrdup("the driver's JIT took a module that uses a register "
			       "it never declared");
	}
	log[sizeof(log) - 1] = '\0';
	printf("refused: %s\nits log: %s\n", cu_name(h->d, r, why, sizeof(why)), log);
	if (!strstr(log, "assay_undeclared"))
		return xasprintf("the JIT refused the bad module (%s), and its error "
				 "log does not name the register it never declared%s%s",
				 why, *log ? ": " : " (empty)", log);
	/* an error of the JIT is not the context's */
	return count_once(h, h->mod);
}

/* ---- a launch storm ---- */

#define STORM_LAUNCHES 10000u
#define STORM_GRID 4u
#define STORM_BLOCK 64u

static char *launch_storm(const struct gpuhost *h)
{
	const struct cu_driver *d = h->d;
	unsigned long long n = 0, want = (unsigned long long)STORM_LAUNCHES *
					 STORM_GRID * STORM_BLOCK;
	cu_ptr p = 0;
	void *params[] = { &p };
	char *why = NULL;
	cu_handle f = kernel(h, "assay_gpucheck_count", &why);
	double t0;
	cu_result r;

	if (!f)
		return why;
	if ((r = d->alloc(&p, sizeof(n))) != CU_SUCCESS)
		return failed_at(h, "cuMemAlloc", r);
	if ((r = d->memset8(p, 0, sizeof(n))) != CU_SUCCESS)
		why = failed_at(h, "cuMemsetD8", r);
	t0 = now_s();
	for (unsigned i = 0; !why && i < STORM_LAUNCHES; i++)
		if ((r = launch(h, f, STORM_GRID, STORM_BLOCK, NULL, params)) != CU_SUCCESS) {
			why = xasprintf("launch %u of %u: cuLaunchKernel: %s", i + 1,
					STORM_LAUNCHES, cu_name(d, r, (char[96]){ 0 }, 96));
		}
	if (!why && ((r = cu_wait(d, NULL)) != CU_SUCCESS ||
		     (r = d->to_host(&n, p, sizeof(n))) != CU_SUCCESS))
		why = failed_at(h, "the storm's kernels", r);
	if (!why) {
		double s = now_s() - t0;
		printf("%u launches of %u x %u in %.1f ms: %.0f launches a second\n",
		       STORM_LAUNCHES, STORM_GRID, STORM_BLOCK, s * 1e3,
		       STORM_LAUNCHES / (s > 0 ? s : 1e-9));
		if (n != want)
			why = xasprintf("the launches counted %llu, not %llu (%llu "
					"threads missing)", n, want, want - n);
	}
	(void)d->free(p);
	return why;
}

/* ---- copies ---- */

#define COPY_BYTES (64u << 20)
#define COPY_ROUNDS 4

/* The first word where a and b differ, as a message; NULL when none. */
static char *compare(const uint64_t *a, const uint64_t *b, size_t words,
		     unsigned round)
{
	for (size_t i = 0; i < words; i++)
		if (a[i] != b[i])
			return xasprintf("round %u: the copy back differs at byte %zu "
					 "of %u: 0x%016llx, not 0x%016llx", round,
					 i * 8, COPY_BYTES, (unsigned long long)b[i],
					 (unsigned long long)a[i]);
	return NULL;
}

static char *copy_bandwidth(const struct gpuhost *h)
{
	const struct cu_driver *d = h->d;
	size_t words = COPY_BYTES / 8;
	void *src = NULL, *dst = NULL;
	cu_ptr dev = 0;
	double up = 0, down = 0;
	char *why = NULL;
	cu_result r;

	if ((r = d->host_alloc(&src, COPY_BYTES)) != CU_SUCCESS ||
	    (r = d->host_alloc(&dst, COPY_BYTES)) != CU_SUCCESS)
		why = failed_at(h, "cuMemAllocHost", r);
	else if ((r = d->alloc(&dev, COPY_BYTES)) != CU_SUCCESS)
		why = failed_at(h, "cuMemAlloc", r);
	for (unsigned k = 0; !why && k < COPY_ROUNDS; k++) {
		uint64_t x = 0x9e3779b97f4a7c15ull * (k + 1), *s = src;
		double t0, t1, t2;

		for (size_t i = 0; i < words; i++) {     /* xorshift64 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s[i] = x;
		}
		memset(dst, 0, COPY_BYTES);
		t0 = now_s();
		if ((r = d->to_device(dev, src, COPY_BYTES)) != CU_SUCCESS) {
			why = failed_at(h, "cuMemcpyHtoD", r);
			break;
		}
		t1 = now_s();
		if ((r = d->to_host(dst, dev, COPY_BYTES)) != CU_SUCCESS) {
			why = failed_at(h, "cuMemcpyDtoH", r);
			break;
		}
		t2 = now_s();
		if (t1 > t0 && COPY_BYTES / (t1 - t0) > up)
			up = COPY_BYTES / (t1 - t0);
		if (t2 > t1 && COPY_BYTES / (t2 - t1) > down)
			down = COPY_BYTES / (t2 - t1);
		why = compare(src, dst, words, k + 1);
	}
	if (!why)
		printf("%u MiB from pinned memory, %d rounds, each verified: host to "
		       "device %.2f GB/s, device to host %.2f GB/s (the best round)\n",
		       COPY_BYTES >> 20, COPY_ROUNDS, up / 1e9, down / 1e9);
	if (dev)
		(void)d->free(dev);
	if (src)
		(void)d->host_free(src);
	if (dst)
		(void)d->host_free(dst);
	return why;
}

/* ---- streams and events ---- */

#define ORDER_STEPS 64u
#define SPIN_CYCLES 10000000ll  /* a few milliseconds at any clock */

static char *stream_event_order(const struct gpuhost *h)
{
	const struct cu_driver *d = h->d;
	cu_handle s1 = NULL, s2 = NULL, e0 = NULL, e1 = NULL, f_spin, f_read, f_step;
	cu_ptr flag = 0, out = 0, x = 0;
	long long cycles = SPIN_CYCLES;
	unsigned got = 0, xv = 0, want = 0, i = 0;
	void *spin_params[] = { &flag, &cycles }, *read_params[] = { &out, &flag };
	void *step_params[] = { &x, &i };
	float ms = 0;
	char *why = NULL;
	cu_result r;

	if (!(f_spin = kernel(h, "assay_gpucheck_spin_set", &why)) ||
	    !(f_read = kernel(h, "assay_gpucheck_read", &why)) ||
	    !(f_step = kernel(h, "assay_gpucheck_step", &why)))
		return why;
	if ((r = d->alloc(&flag, 4)) != CU_SUCCESS || (r = d->alloc(&out, 4)) != CU_SUCCESS ||
	    (r = d->alloc(&x, 4)) != CU_SUCCESS)
		why = failed_at(h, "cuMemAlloc", r);
	else if ((r = d->memset8(flag, 0, 4)) != CU_SUCCESS ||
		 (r = d->memset8(out, 0, 4)) != CU_SUCCESS ||
		 (r = d->memset8(x, 0, 4)) != CU_SUCCESS || (r = cu_wait(d, NULL)) != CU_SUCCESS)
		why = failed_at(h, "cuMemsetD8", r);
	else if ((r = d->stream_create(&s1, CU_STREAM_NON_BLOCKING)) != CU_SUCCESS ||
		 (r = d->stream_create(&s2, CU_STREAM_NON_BLOCKING)) != CU_SUCCESS)
		why = failed_at(h, "cuStreamCreate", r);
	else if ((r = d->event_create(&e0, 0)) != CU_SUCCESS ||
		 (r = d->event_create(&e1, 0)) != CU_SUCCESS)
		why = failed_at(h, "cuEventCreate", r);
	/* s1: an event, a kernel that spins then sets the flag, an event;
	 * s2 waits for that event and reads the flag; s1 goes on with
	 * steps whose result depends on their order */
	else if ((r = d->event_record(e0, s1)) != CU_SUCCESS ||
		 (r = launch(h, f_spin, 1, 1, s1, spin_params)) != CU_SUCCESS ||
		 (r = d->event_record(e1, s1)) != CU_SUCCESS ||
		 (r = d->stream_wait_event(s2, e1, 0)) != CU_SUCCESS ||
		 (r = launch(h, f_read, 1, 1, s2, read_params)) != CU_SUCCESS)
		why = failed_at(h, "queueing the streams' work", r);
	for (i = 0; !why && i < ORDER_STEPS; i++) {
		want = want * 31u + i;
		if ((r = launch(h, f_step, 1, 1, s1, step_params)) != CU_SUCCESS)
			why = failed_at(h, "cuLaunchKernel (a step)", r);
	}
	if (!why && ((r = cu_wait(d, s2)) != CU_SUCCESS || (r = cu_wait(d, s1)) != CU_SUCCESS))
		why = failed_at(h, "the streams' kernels", r);
	else if (!why && ((r = d->to_host(&got, out, 4)) != CU_SUCCESS ||
			  (r = d->to_host(&xv, x, 4)) != CU_SUCCESS))
		why = failed_at(h, "cuMemcpyDtoH", r);
	else if (!why && (r = d->event_query(e1)) != CU_SUCCESS)
		why = failed_at(h, "cuEventQuery after its stream's work ended", r);
	else if (!why && (r = d->event_elapsed(&ms, e0, e1)) != CU_SUCCESS)
		why = failed_at(h, "cuEventElapsedTime", r);
	else if (!why && got != 1)
		why = xasprintf("the second stream ran before the event it waited for: "
				"it read the flag as %u, not 1", got);
	else if (!why && xv != want)
		why = xasprintf("%u steps on one stream left 0x%08x, not 0x%08x: they "
				"ran out of order", ORDER_STEPS, xv, want);
	else if (!why && !(ms > 0))
		why = xasprintf("the events around a spinning kernel are %g ms apart", ms);
	if (!why)
		printf("a kernel of %.2f ms between two events on one stream; the other "
		       "stream waited for the second; %u steps in order\n", ms, ORDER_STEPS);
	if (e0)
		(void)d->event_destroy(e0);
	if (e1)
		(void)d->event_destroy(e1);
	if (s1)
		(void)d->stream_destroy(s1);
	if (s2)
		(void)d->stream_destroy(s2);
	if (flag)
		(void)d->free(flag);
	if (out)
		(void)d->free(out);
	if (x)
		(void)d->free(x);
	return why;
}

/* ---- a fault and a hang, each in a child, then a canary ---- */

/* Runs this program again with args (at most 3), at most CHILD_NS; its
 * first line in *line (malloc'd). NULL, or why it could not be run. */
static char *rerun(const char *a1, const char *a2, const char *a3, char **line,
		   int *status)
{
	char *argv[] = { "/proc/self/exe", (char *)a1, (char *)a2, (char *)a3, NULL };

	if (io_run_output(argv, CHILD_NS, 4096, line, status) == 0) {
		(*line)[strcspn(*line, "\n")] = '\0';
		return NULL;
	}
	if (errno == ETIMEDOUT)
		return xasprintf("assay %s %s%s%s gave no answer in %.0f s and was "
				 "killed%s%s", a1, a2, a3 ? " " : "", a3 ? a3 : "",
				 CHILD_NS / 1e9, **line ? "; it said: " : "", *line);
	return xasprintf("assay %s cannot be run: %s", a1, strerror(errno));
}

/* The canary in a fresh process, after what. */
static char *canary_after(const char *what)
{
	char *line, *why;
	int status = 0;
	double t0 = now_s();

	if ((why = rerun(GPU_CANARY_COMMAND, "0", NULL, &line, &status))) {
		free(line);
		return why;
	}
	if (!strcmp(line, "ok"))
		printf("then the canary, in a fresh process: passed in %.2f s\n",
		       now_s() - t0);
	else
		why = xasprintf("the canary after %s failed: %s", what,
				strncmp(line, "fail ", 5) ? line : line + 5);
	free(line);
	return why;
}

/* The fault or the hang (what) in a child, then the canary; *broken:
 * the canary did not pass (the device is the host's to check). */
static char *in_child(const struct gpuhost *h, const char *what, bool *broken)
{
	char *line, *why;
	int status = 0;
	bool hang = !strcmp(what, "hang");

	if ((why = rerun(GPU_FAULT_COMMAND, h->path, what, &line, &status))) {
		free(line);
		return why;
	}
	if (hang && !strcmp(line, "running") && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGKILL)
		printf("a kernel that spins for ever: still running after %.0f s, "
		       "its process killed (SIGKILL)\n", HANG_NS / 1e9);
	else if (!hang && !strncmp(line, "ok ", 3))
		printf("%s\n", line + 3);
	else if (!strncmp(line, "fail ", 5))
		why = xstrdup(line + 5);
	else
		why = xasprintf("assay %s %s ended (%s %d) saying '%s'", GPU_FAULT_COMMAND,
				what, WIFSIGNALED(status) ? "signal" : "exit",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				line);
	free(line);
	if (!why)
		*broken = (why = canary_after(hang ? "a hang" : "a fault")) != NULL;
	return why;
}

static char *illegal_address(const struct gpuhost *h, bool *broken)
{
	return in_child(h, "illegal-address", broken);
}

static char *infinite_loop(const struct gpuhost *h, bool *broken)
{
	return in_child(h, "hang", broken);
}

/* ---- the table ---- */

/* Each test, run here (run) or with a child of its own that opens the
 * device too, followed by the canary (apart). */
static const struct {
	const char *name;
	char *(*run)(const struct gpuhost *h);
	char *(*apart)(const struct gpuhost *h, bool *broken);
} tests[] = {
	{ "context_churn", context_churn, NULL },
	{ "copy_bandwidth", copy_bandwidth, NULL },
	{ "device_facts", device_facts, NULL },
	{ "illegal_address", NULL, illegal_address },
	{ "infinite_loop", NULL, infinite_loop },
	{ "jit_bad_module", jit_bad_module, NULL },
	{ "jit_good_module", jit_good_module, NULL },
	{ "launch_storm", launch_storm, NULL },
	{ "stream_event_order", stream_event_order, NULL },
};

#define CU_COMPUTEMODE_EXCLUSIVE_PROCESS 3

struct gpuhost_result gpuhost_run(const struct gpuhost *h, const char *name)
{
	struct gpuhost_result res = { "fail", NULL, false };
	char why[96];
	cu_result r;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int mode = 0;
		bool broken = false;

		if (strcmp(name, tests[i].name))
			continue;
		if (tests[i].apart &&
		    h->d->attr(&mode, CU_ATTR_COMPUTE_MODE, h->dev) == CU_SUCCESS &&
		    mode == CU_COMPUTEMODE_EXCLUSIVE_PROCESS) {
			res.outcome = "skip";
			res.message = xstrdup("the device is in exclusive-process compute "
					      "mode: its child cannot open it while this "
					      "worker holds it");
			return res;
		}
		res.message = tests[i].run ? tests[i].run(h) : tests[i].apart(h, &broken);
		if (!res.message) {
			res.outcome = "pass";
		} else if (broken) {
			/* its canary failed: a crash, so that the host drains
			 * the device and, its own canary failing too,
			 * quarantines it */
			res.outcome = "crash";
			res.lost = true;
		}
		/* what went wrong may have been the context's (an error
		 * sticks to it): a test of this worker after it would be
		 * judged on a broken one. Polled: a hung kernel is the
		 * host's deadline's to end */
		else if ((r = cu_wait(h->d, NULL)) != CU_SUCCESS) {
			char *m = res.message;
			res.message = xasprintf("%s (the context is lost: %s)", m,
						cu_name(h->d, r, why, sizeof(why)));
			free(m);
			res.outcome = "crash";
			res.lost = true;
		}
		fflush(stdout);
		return res;
	}
	res.message = xasprintf("assay has no host test %s: the module names one "
				"(" GPUHOST_PREFIX "%s) that this assay does not know",
				name, name);
	return res;
}

/* ---- the child ---- */

int gpu_fault_main(int argc, char **argv)
{
	struct cu_driver d;
	cu_handle ctx = NULL, mod = NULL, f = NULL;
	cu_device dev;
	cu_ptr p = 16, q = 0;    /* 16: an address nothing maps */
	void *params[] = { &p };
	char why[96], *image;
	size_t len;
	uint64_t end;
	bool hang;
	cu_result r;

	if (argc != 2 || (strcmp(argv[1], "illegal-address") && strcmp(argv[1], "hang"))) {
		printf("fail usage: assay " GPU_FAULT_COMMAND " MODULE illegal-address|hang\n");
		return 2;
	}
	hang = !strcmp(argv[1], "hang");
	if (io_read_file(argv[0], 256u << 20, &image, &len) < 0) {
		printf("fail %s cannot be read: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (!cu_open(&d, "fail ")) {
		free(image);
		return 1;
	}
	if ((r = d.get(&dev, 0)) != CU_SUCCESS ||
	    (r = d.ctx_retain(&ctx, dev)) != CU_SUCCESS ||
	    (r = d.ctx_set(ctx)) != CU_SUCCESS ||
	    (r = d.module_load(&mod, image)) != CU_SUCCESS ||
	    (r = d.function(&f, mod, hang ? "assay_gpucheck_spin_forever"
					  : "assay_gpucheck_store")) != CU_SUCCESS ||
	    (hang && ((r = d.alloc(&p, 4)) != CU_SUCCESS ||
		      (r = d.memset8(p, 0, 4)) != CU_SUCCESS ||
		      (r = cu_wait(&d, NULL)) != CU_SUCCESS)) ||
	    (r = d.launch(f, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL)) != CU_SUCCESS) {
		printf("fail before its kernel ran: %s\n", cu_name(&d, r, why, sizeof(why)));
		fflush(stdout);
		free(image);
		return 1;
	}
	free(image);
	if (hang) {
		const struct timespec pause = { 0, 1000000 };

		for (end = io_now_ns() + HANG_NS; io_now_ns() < end;) {
			if ((r = d.query(NULL)) != CU_ERROR_NOT_READY) {
				printf("fail the kernel that spins for ever ended: %s\n",
				       cu_name(&d, r, why, sizeof(why)));
				fflush(stdout);
				return 1;
			}
			nanosleep(&pause, NULL);
		}
		printf("running\n");
		fflush(stdout);
		raise(SIGKILL);         /* its deadline's kill */
	}
	if ((r = cu_wait(&d, NULL)) != CU_ERROR_ILLEGAL_ADDRESS) {
		printf("fail a kernel's store to address 16 ended in %s, not "
		       "CUDA_ERROR_ILLEGAL_ADDRESS\n", cu_name(&d, r, why, sizeof(why)));
		fflush(stdout);
		return 1;
	}
	if ((r = d.alloc(&q, 4)) == CU_SUCCESS) {
		printf("fail after CUDA_ERROR_ILLEGAL_ADDRESS the context still "
		       "allocates memory: the error did not stick\n");
		fflush(stdout);
		return 1;
	}
	printf("ok a kernel's store to address 16: CUDA_ERROR_ILLEGAL_ADDRESS (700), "
	       "and the context refused what came after (cuMemAlloc: %s)\n",
	       cu_name(&d, r, why, sizeof(why)));
	fflush(stdout);
	return 0;
}
