/*
 * harness/gpucheck.cu - the device half of `assay gpu-check`, assay's
 * built-in GPU regression suite: test kernels written with assay/gpu.h
 * that check what a driver, its JIT and its device must get right.
 * Built to PTX by nvcc when configure finds it, and carried inside
 * assay (harness/gpucheck-ptx.c), so that each run compiles it with the
 * driver's JIT. What each test checks, and how long it may take:
 * docs/gpu.md "The built-in suite".
 *
 * A kernel may run again in the same module (a retry on the same
 * worker, --repeat): what its blocks share in global memory is reset
 * by its last block (found with atomicInc, which wraps back to 0), or
 * tagged with the launch's generation. Never waits for another block:
 * blocks of one launch need not run at the same time.
 */
#include <assay/gpu.h>

/* ---- integer arithmetic, over many launch shapes ---- */

/* x as the compiler cannot see it: each call is a value of its own, so
 * an identity between two copies is computed on the device, not folded
 * away at compile time (nvcc folds i + i == i << 1 itself). */
static __device__ unsigned hide(unsigned x)
{
	asm volatile("" : "+r"(x));
	return x;
}

static __device__ unsigned long long hide64(unsigned long long x)
{
	asm volatile("" : "+l"(x));
	return x;
}

/* Each thread checks identities whose two sides are computed by
 * different instructions. */
static __device__ void int_ops(struct assay_gpu_result *assay_gpu_result_)
{
	unsigned n = gridDim.x * blockDim.x;
	unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
	/* a and b are i, k and m one constant, e is 8: each hidden apart */
	unsigned a = hide(i), b = hide(i), k = hide(0xa5a5a5a5u), m = hide(0xa5a5a5a5u);
	unsigned e = hide(8u);
	unsigned long long v = (unsigned long long)i * 0x9e3779b97f4a7c15ull;
	unsigned long long w = hide64(v), x = hide64(v);
	int s = (int)hide(i) - (int)(n / 2), t = (int)hide(i) - (int)(n / 2);

	ASSAY_GPU_CHECK(a < n);
	ASSAY_GPU_EXPECT_EQ(a + a, b << 1);
	ASSAY_GPU_EXPECT_EQ(a * 3u - a, 2u * b);
	ASSAY_GPU_EXPECT_EQ((a ^ k) ^ m, b);
	ASSAY_GPU_EXPECT_EQ(__popc(a) + __popc(~b), 32);
	ASSAY_GPU_EXPECT_EQ(__brev(__brev(a)), b);
	ASSAY_GPU_EXPECT_EQ(a / 7u * 7u + a % 7u, b);
	ASSAY_GPU_EXPECT_EQ(__umulhi(a, 0x10000u), b >> 16);
	ASSAY_GPU_EXPECT_EQ((w >> 32) * 4294967296ull + (w & 0xffffffffull), x);
	ASSAY_GPU_EXPECT_EQ(__umul64hi(w, 4ull), x >> 62);
	ASSAY_GPU_EXPECT_EQ(min(a, n - 1 - b) + max(b, n - 1 - a), n - 1);
	ASSAY_GPU_EXPECT_EQ(s / 3 * 3 + s % 3, t);
	ASSAY_GPU_EXPECT_EQ(abs(s), t < 0 ? -t : t);
	ASSAY_GPU_EXPECT_EQ(__ffs(a << 3 | e), 4);
}

ASSAY_GPU_TEST(int_ops_1x1, 1, 1) { int_ops(assay_gpu_result_); }
ASSAY_GPU_TEST(int_ops_1x32, 1, 32) { int_ops(assay_gpu_result_); }
ASSAY_GPU_TEST(int_ops_7x96, 7, 96) { int_ops(assay_gpu_result_); }
ASSAY_GPU_TEST(int_ops_3x1000, 3, 1000) { int_ops(assay_gpu_result_); }
ASSAY_GPU_TEST(int_ops_1024x1024, 1024, 1024) { int_ops(assay_gpu_result_); }
ASSAY_GPU_TEST(int_ops_65535x64, 65535, 64) { int_ops(assay_gpu_result_); }

/* ---- atomics ---- */

/* Whether this block is the launch's last to get here (after its
 * threads' writes, fenced); the counter wraps back to 0 for the next
 * launch. */
static __device__ bool last_block(unsigned *done)
{
	__shared__ bool last;

	__threadfence();
	__syncthreads();
	if (threadIdx.x == 0)
		last = atomicInc(done, gridDim.x - 1) == gridDim.x - 1;
	__syncthreads();
	if (last)               /* the other half: what they wrote is seen */
		__threadfence();
	return last;
}

__device__ unsigned long long g_sum;
__device__ unsigned g_max, g_min = 0xffffffffu, g_done;

/* add, max and min on global memory, from every thread of the grid */
ASSAY_GPU_TEST(atomics_global, 128, 256)
{
	unsigned n = gridDim.x * blockDim.x;
	unsigned i = blockIdx.x * blockDim.x + threadIdx.x;

	atomicAdd(&g_sum, (unsigned long long)i);
	atomicMax(&g_max, i);
	atomicMin(&g_min, i);
	if (last_block(&g_done) && threadIdx.x == 0) {
		ASSAY_GPU_EXPECT_EQ(atomicAdd(&g_sum, 0ull), (unsigned long long)n * (n - 1) / 2);
		ASSAY_GPU_EXPECT_EQ(atomicAdd(&g_max, 0u), n - 1);
		ASSAY_GPU_EXPECT_EQ(atomicAdd(&g_min, 0u), 0);
		atomicExch(&g_sum, 0ull);
		atomicExch(&g_max, 0u);
		atomicExch(&g_min, 0xffffffffu);
	}
}

__device__ unsigned g_cas[256], g_exch[256];

/* compare-and-swap (an add made of it) and exchange on global memory,
 * each block on words of its own; what the exchanges returned and the
 * last value left add up to what went in */
ASSAY_GPU_TEST(atomics_cas_exch_global, 256, 128)
{
	__shared__ unsigned long long olds;
	unsigned *c = &g_cas[blockIdx.x], *x = &g_exch[blockIdx.x];
	unsigned t = threadIdx.x, n = blockDim.x, old, seen;

	if (t == 0) {
		atomicExch(c, 0u);
		atomicExch(x, 0xffffffffu);
		olds = 0;
	}
	__syncthreads();
	old = atomicAdd(c, 0u);
	do {
		seen = old;
		old = atomicCAS(c, seen, seen + 1);
	} while (old != seen);
	atomicAdd(&olds, (unsigned long long)atomicExch(x, t));
	__syncthreads();
	if (t == 0) {
		ASSAY_GPU_EXPECT_EQ(atomicAdd(c, 0u), n);
		ASSAY_GPU_EXPECT_EQ(olds + atomicAdd(x, 0u), 0xffffffffull + n * (n - 1) / 2);
	}
}

/* the same operations on shared memory */
ASSAY_GPU_TEST(atomics_shared, 64, 512)
{
	__shared__ unsigned sum, mx, mn, cas, exch;
	__shared__ unsigned long long olds;
	unsigned t = threadIdx.x, n = blockDim.x, old, seen;

	if (t == 0) {
		sum = mx = cas = 0;
		mn = exch = 0xffffffffu;
		olds = 0;
	}
	__syncthreads();
	atomicAdd(&sum, t);
	atomicMax(&mx, t);
	atomicMin(&mn, t);
	old = atomicAdd(&cas, 0u);
	do {
		seen = old;
		old = atomicCAS(&cas, seen, seen + 1);
	} while (old != seen);
	atomicAdd(&olds, (unsigned long long)atomicExch(&exch, t));
	__syncthreads();
	if (t == 0) {
		ASSAY_GPU_EXPECT_EQ(sum, n * (n - 1) / 2);
		ASSAY_GPU_EXPECT_EQ(mx, n - 1);
		ASSAY_GPU_EXPECT_EQ(mn, 0);
		ASSAY_GPU_EXPECT_EQ(cas, n);
		ASSAY_GPU_EXPECT_EQ(olds + exch, 0xffffffffull + n * (n - 1) / 2);
	}
}

/* ---- barriers, warps ---- */

/* after each barrier, every thread sees what another wrote before it */
ASSAY_GPU_TEST(barriers, 32, 1024)
{
	__shared__ unsigned v[1024];
	unsigned t = threadIdx.x, n = blockDim.x;

	for (unsigned round = 0; round < 16; round++) {
		unsigned peer = (t + round * 33 + 1) % n;
		v[t] = t * 16 + round;
		__syncthreads();
		ASSAY_GPU_EXPECT_EQ(v[peer], peer * 16 + round);
		__syncthreads();
	}
}

/* votes and shuffles of whole warps, and a reduction made of them */
ASSAY_GPU_TEST(warp_vote_shuffle, 8, 256)
{
	const unsigned all = 0xffffffffu;
	unsigned lane = threadIdx.x % 32, s = lane;

	ASSAY_GPU_EXPECT_EQ(__ballot_sync(all, lane & 1), 0xaaaaaaaau);
	ASSAY_GPU_EXPECT_EQ(__popc(__ballot_sync(all, 1)), 32);
	ASSAY_GPU_CHECK(__all_sync(all, lane < 32));
	ASSAY_GPU_CHECK(!__all_sync(all, lane != 5));
	ASSAY_GPU_CHECK(__any_sync(all, lane == 31));
	ASSAY_GPU_CHECK(!__any_sync(all, lane == 32));
	ASSAY_GPU_EXPECT_EQ(__shfl_sync(all, lane * 7, 3), 21);
	ASSAY_GPU_EXPECT_EQ(__shfl_xor_sync(all, lane, 1), lane ^ 1);
	ASSAY_GPU_EXPECT_EQ(__shfl_up_sync(all, lane, 1), lane ? lane - 1 : 0);
	ASSAY_GPU_EXPECT_EQ(__shfl_down_sync(all, lane, 1), lane < 31 ? lane + 1 : 31);
	for (int o = 16; o; o >>= 1)
		s += __shfl_xor_sync(all, s, o);
	ASSAY_GPU_EXPECT_EQ(s, 31 * 32 / 2);
}

/* ---- the memory model: litmus tests with fences ---- */

#define PAIRS 4096              /* each test's pairs of threads */
#define TRIES 64                /* each pair's tries a launch */

/* Each launch's generation (1, 2, ...): what it writes, so that what a
 * launch before it left reads as old. */
static __device__ unsigned generation(unsigned *gen)
{
	return *(volatile unsigned *)gen + 1;
}

/* This thread's pair: the same in the first half of the blocks as in
 * the second. */
static __device__ unsigned pair(void)
{
	return (blockIdx.x % (gridDim.x / 2)) * blockDim.x + threadIdx.x;
}

__device__ unsigned mp_data[PAIRS], mp_flag[PAIRS], mp_gen, mp_done;

/* Message passing: a writer stores data, fences, stores a flag; a
 * reader that sees the flag, then fences, must see the data. Writers
 * are the first half of the blocks, readers the second. Forbidden:
 * the flag new and the data old. */
ASSAY_GPU_TEST(litmus_message_passing, 64, 128)
{
	unsigned g = generation(&mp_gen), p = pair();
	volatile unsigned *data = mp_data, *flag = mp_flag;

	if (blockIdx.x < gridDim.x / 2) {
		data[p] = g;
		__threadfence();
		flag[p] = g;
	} else {
		for (unsigned k = 0; k < TRIES; k++) {
			unsigned f = flag[p], d;
			__threadfence();
			d = data[p];
			ASSAY_GPU_CHECK(!(f == g && d != g));
		}
	}
	if (last_block(&mp_done) && threadIdx.x == 0)
		atomicExch(&mp_gen, g);
}

__device__ unsigned sb_x[PAIRS], sb_y[PAIRS], sb_r0[PAIRS], sb_r1[PAIRS], sb_gen, sb_done;

/* Store buffering: one thread stores x, fences, loads y; the other
 * stores y, fences, loads x. Forbidden: both load the old value (with
 * fences, one of the stores comes first). Checked by the last block. */
ASSAY_GPU_TEST(litmus_store_buffering, 64, 128)
{
	unsigned half = gridDim.x / 2, g = generation(&sb_gen), p = pair();
	volatile unsigned *x = sb_x, *y = sb_y;

	if (blockIdx.x < half) {
		x[p] = g;
		__threadfence();
		sb_r0[p] = y[p];
	} else {
		y[p] = g;
		__threadfence();
		sb_r1[p] = x[p];
	}
	if (last_block(&sb_done)) {
		for (unsigned q = threadIdx.x; q < half * blockDim.x; q += blockDim.x) {
			unsigned r0 = ((volatile unsigned *)sb_r0)[q];
			unsigned r1 = ((volatile unsigned *)sb_r1)[q];
			ASSAY_GPU_CHECK(r0 == g || r1 == g);
		}
		__syncthreads();
		if (threadIdx.x == 0)
			atomicExch(&sb_gen, g);
	}
}

/* ---- memory ---- */

#define PATTERN_WORDS (4u << 20)        /* 16 MiB */
__device__ unsigned pattern_mem[PATTERN_WORDS];

static __device__ unsigned pattern(unsigned k, unsigned pass)
{
	switch (pass) {
	case 0: return k * 2654435761u;
	case 1: return ~(k * 2654435761u);
	case 2: return k & 1 ? 0x55555555u : 0xaaaaaaaau;
	default: return k & 1 ? 0u : 0xffffffffu;
	}
}

/* a quick pattern test of 16 MiB: four patterns written and read back,
 * each thread its own words, volatile (past L1; on a GPU whose L2 holds
 * 16 MiB, through L2 more than DRAM) */
ASSAY_GPU_TEST(memory_pattern, 256, 256)
{
	unsigned n = gridDim.x * blockDim.x;
	unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
	volatile unsigned *m = pattern_mem;
	unsigned bad = 0;

	for (unsigned pass = 0; pass < 4; pass++) {
		for (unsigned k = i; k < PATTERN_WORDS; k += n)
			m[k] = pattern(k, pass);
		for (unsigned k = i; k < PATTERN_WORDS; k += n)
			bad += m[k] != pattern(k, pass);
	}
	ASSAY_GPU_EXPECT_EQ(bad, 0);
}

/* ---- the host-driven tests (harness/gpuhost.c) ---- */

/* Each is a case of the module, named by a marker the cuda kind lists
 * (gpuhost.h); assay's worker runs it with the driver's calls, and
 * these kernels. */
#define HOST_TEST(name) extern "C" __device__ const unsigned assay_gpu_host_##name = 1;

HOST_TEST(device_facts)
HOST_TEST(context_churn)
HOST_TEST(jit_good_module)
HOST_TEST(jit_bad_module)
HOST_TEST(launch_storm)
HOST_TEST(copy_bandwidth)
HOST_TEST(stream_event_order)
HOST_TEST(illegal_address)
HOST_TEST(infinite_loop)

/* the launch storm: each thread counts itself */
extern "C" __global__ void assay_gpucheck_count(unsigned long long *n)
{
	atomicAdd(n, 1ull);
}

/* streams and events: spins for cycles, then sets the flag */
extern "C" __global__ void assay_gpucheck_spin_set(unsigned *flag, long long cycles)
{
	long long t0 = clock64();

	while (clock64() - t0 < cycles)
		;
	*(volatile unsigned *)flag = 1;
}

/* ... which another stream reads, after the event it waits for */
extern "C" __global__ void assay_gpucheck_read(unsigned *out, const unsigned *flag)
{
	*out = *(const volatile unsigned *)flag;
}

/* one step of a sequence whose result depends on the steps' order */
extern "C" __global__ void assay_gpucheck_step(unsigned *x, unsigned i)
{
	*x = *x * 31u + i;
}

/* the fault: a store to the address it is given (one nothing maps) */
extern "C" __global__ void assay_gpucheck_store(unsigned *p)
{
	*(volatile unsigned *)p = 0xdeadbeefu;
}

/* the hang: spins until the flag, which stays 0, is set */
extern "C" __global__ void assay_gpucheck_spin_forever(const unsigned *flag)
{
	while (!*(const volatile unsigned *)flag)
		;
}
