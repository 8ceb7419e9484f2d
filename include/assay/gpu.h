/*
 * assay/gpu.h - GPU test kernels: tests that run on the device, each a
 * kernel assay's `cuda` kind finds in a compiled module (PTX, cubin or
 * an uncompressed fatbin), launches on a device the scheduler gave it,
 * and reports as a case of the module.
 *
 *     #include <assay/gpu.h>
 *
 *     ASSAY_GPU_TEST(vector_add, 64, 256)      // grid, block (x)
 *     {
 *         unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
 *         ASSAY_GPU_EXPECT_EQ(i + i, 2 * i);
 *         ASSAY_GPU_CHECK(i < 64 * 256);
 *     }
 *
 * Build it to a module (nvcc -ptx t.cu, or -cubin, or -fatbin with
 * -Xfatbin -compress-all=false) and point assay at the file. Each test
 * carries its own entry in the module's list: a kernel
 * assay_gpu_test_NAME, its launch shape in assay_gpu_shape_NAME and its
 * source file in assay_gpu_file_NAME, so assay lists the tests without
 * a device and never guesses from other kernels.
 *
 * A failed check is counted with an atomic, and the first
 * ASSAY_GPU_RECORDS of them are kept (line, block, thread, values, the
 * expression) in a result buffer the host reads back when the kernel
 * ends. A check does not stop the thread that made it.
 *
 * The structs below are the result buffer's layout, shared with the
 * host side (plain C); the macros need nvcc (__CUDACC__).
 */
#ifndef ASSAY_GPU_H
#define ASSAY_GPU_H

/* What names each test's shape in a module: its list, that assay
 * reads (ASSAY_GPU_SHAPE_PREFIX "NAME"). */
#define ASSAY_GPU_SHAPE_PREFIX "assay_gpu_shape_"
#define ASSAY_GPU_RECORDS 8
#define ASSAY_GPU_EXPR_MAX 96

/* One failed check, as the thread that made it saw it. */
struct assay_gpu_record {
	unsigned line;
	unsigned eq;                    /* 1: an EXPECT_EQ (a and b hold its
					 * values); 0: a CHECK */
	unsigned block[3], thread[3];
	long long a, b;
	char expr[ASSAY_GPU_EXPR_MAX];  /* the source text, cut */
};

/* The kernel's result: every failed check counted, the first kept. */
struct assay_gpu_result {
	unsigned long long failures;    /* 64 bits: a check in a loop over
					 * every thread does not wrap it */
	struct assay_gpu_record rec[ASSAY_GPU_RECORDS];
};

#ifdef __CUDACC__

static __device__ __noinline__ void
assay_gpu_fail_(struct assay_gpu_result *r, unsigned line, const char *expr,
		unsigned eq, long long a, long long b)
{
	unsigned long long i = atomicAdd(&r->failures, 1ull);
	unsigned k;
	struct assay_gpu_record *x;

	if (i >= ASSAY_GPU_RECORDS)
		return;
	x = &r->rec[i];
	x->line = line;
	x->eq = eq;
	x->block[0] = blockIdx.x; x->block[1] = blockIdx.y; x->block[2] = blockIdx.z;
	x->thread[0] = threadIdx.x; x->thread[1] = threadIdx.y; x->thread[2] = threadIdx.z;
	x->a = a;
	x->b = b;
	for (k = 0; k + 1 < ASSAY_GPU_EXPR_MAX && expr[k]; k++)
		x->expr[k] = expr[k];
	x->expr[k] = '\0';
}

/* A test kernel of grid x block threads (one-dimensional). */
#define ASSAY_GPU_TEST(name, grid, block)                                     \
	extern "C" __device__ const unsigned assay_gpu_shape_##name[2] =      \
		{ (grid), (block) };                                          \
	extern "C" __device__ const char assay_gpu_file_##name[] = __FILE__;  \
	static __device__ void assay_gpu_body_##name(                         \
		struct assay_gpu_result *assay_gpu_result_);                  \
	extern "C" __global__ void assay_gpu_test_##name(                     \
		struct assay_gpu_result *assay_gpu_result_)                   \
	{                                                                     \
		assay_gpu_body_##name(assay_gpu_result_);                     \
	}                                                                     \
	static __device__ void assay_gpu_body_##name(                         \
		struct assay_gpu_result *assay_gpu_result_)

/* cond must hold; when it does not, the failure is recorded. */
#define ASSAY_GPU_CHECK(cond)                                                 \
	do {                                                                  \
		if (!(cond))                                                  \
			assay_gpu_fail_(assay_gpu_result_, __LINE__, #cond,   \
					0, 0, 0);                             \
	} while (0)

/* a == b, as integers; when not, both values are recorded. */
#define ASSAY_GPU_EXPECT_EQ(a, b)                                             \
	do {                                                                  \
		long long assay_a_ = (long long)(a), assay_b_ = (long long)(b); \
		if (assay_a_ != assay_b_)                                     \
			assay_gpu_fail_(assay_gpu_result_, __LINE__,          \
					#a " == " #b, 1, assay_a_, assay_b_); \
	} while (0)

#endif /* __CUDACC__ */
#endif
