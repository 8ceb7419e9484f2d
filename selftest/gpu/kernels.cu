/*
 * selftest/gpu/kernels.cu - test kernels written with assay/gpu.h, built
 * to PTX (kernels.ptx) when configure finds nvcc. Without a GPU,
 * selftest/e2e/cuda.sh checks that assay lists them from the PTX; with
 * one (ci/gpu-check), that they run and pass on every device.
 */
#include <assay/gpu.h>

/* Integer arithmetic each thread can check against itself. */
ASSAY_GPU_TEST(integer_ops, 64, 256)
{
	unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
	unsigned long long w = (unsigned long long)i * 2654435761u;

	ASSAY_GPU_EXPECT_EQ(i + i, 2 * i);
	ASSAY_GPU_EXPECT_EQ((w >> 32) * 4294967296ull + (w & 0xffffffffu), w);
	ASSAY_GPU_EXPECT_EQ(i ^ i, 0);
	ASSAY_GPU_CHECK(i < 64 * 256);
}

/* Every thread of a block adds one in shared memory: the block's count
 * is its size once the barrier is passed. */
ASSAY_GPU_TEST(shared_atomics, 32, 128)
{
	__shared__ unsigned count;

	if (threadIdx.x == 0)
		count = 0;
	__syncthreads();
	atomicAdd(&count, 1u);
	__syncthreads();
	ASSAY_GPU_EXPECT_EQ(count, blockDim.x);
}

/* A warp's vote and shuffle: each lane sees every lane, and lane 0's
 * value is everyone's after a broadcast. */
ASSAY_GPU_TEST(warp_vote_shuffle, 4, 64)
{
	unsigned lane = threadIdx.x % 32;

	ASSAY_GPU_EXPECT_EQ(__popc(__ballot_sync(0xffffffffu, 1)), 32);
	ASSAY_GPU_EXPECT_EQ(__shfl_sync(0xffffffffu, lane + 100, 0), 100);
	ASSAY_GPU_CHECK(__all_sync(0xffffffffu, lane < 32));
}
