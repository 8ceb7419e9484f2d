/*
 * selftest/gpu/vecadd.cu - a GPU test as a process: integer vector adds
 * over several grid and block shapes, compared exactly on the host, on
 * the device assay gave it (CUDA_VISIBLE_DEVICES). Built with nvcc when
 * configure finds it (SASS for sm_75 and sm_90, and PTX for the JIT),
 * with the CUDA runtime linked in. Prints TAP; exit 77 (a skip, with the
 * reason) where there is no device, 1 on a wrong sum.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cuda_runtime.h>

__global__ void add(const unsigned *a, const unsigned *b, unsigned *c, unsigned n)
{
	unsigned i = blockIdx.x * blockDim.x + threadIdx.x;

	if (i < n)
		c[i] = a[i] + b[i] * 3u;
}

/* One shape: n elements, block threads a block; true when every sum is
 * right. */
static bool shape(unsigned n, unsigned block)
{
	unsigned *a, *b, *c, *h = (unsigned *)malloc(n * sizeof(unsigned));
	size_t bytes = n * sizeof(unsigned);
	bool ok = h != NULL;

	for (unsigned i = 0; ok && i < n; i++)
		h[i] = i * 2654435761u;
	if (!ok || cudaMalloc(&a, bytes) != cudaSuccess)
		return false;
	cudaMalloc(&b, bytes);
	cudaMalloc(&c, bytes);
	cudaMemcpy(a, h, bytes, cudaMemcpyHostToDevice);
	cudaMemcpy(b, h, bytes, cudaMemcpyHostToDevice);
	add<<<(n + block - 1) / block, block>>>(a, b, c, n);
	ok = cudaDeviceSynchronize() == cudaSuccess &&
	     cudaMemcpy(h, c, bytes, cudaMemcpyDeviceToHost) == cudaSuccess;
	for (unsigned i = 0; ok && i < n; i++)
		if (h[i] != i * 2654435761u * 4u) {
			printf("# element %u of %u (block %u): %u, not %u\n", i, n, block,
			       h[i], i * 2654435761u * 4u);
			ok = false;
		}
	cudaFree(a);
	cudaFree(b);
	cudaFree(c);
	free(h);
	return ok;
}

int main(void)
{
	static const unsigned sizes[] = { 1, 31, 1000, 65537, 1u << 22 };
	static const unsigned blocks[] = { 32, 128, 256, 1024 };
	const char *visible = getenv("CUDA_VISIBLE_DEVICES");
	cudaDeviceProp p;
	int n = 0, failed = 0, k = 0;
	cudaError_t e = cudaGetDeviceCount(&n);

	if (e != cudaSuccess || n == 0) {
		printf("1..0 # SKIP no CUDA device: %s\n",
		       e != cudaSuccess ? cudaGetErrorString(e) : "none found");
		return 77;
	}
	cudaGetDeviceProperties(&p, 0);
	printf("# device 0 of %d: %s, compute %d.%d (CUDA_VISIBLE_DEVICES=%s)\n", n,
	       p.name, p.major, p.minor, visible ? visible : "");
	printf("1..%zu\n", sizeof(sizes) / sizeof(*sizes) * (sizeof(blocks) / sizeof(*blocks)));
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(*sizes); s++)
		for (unsigned b = 0; b < sizeof(blocks) / sizeof(*blocks); b++) {
			bool ok = shape(sizes[s], blocks[b]);
			failed += !ok;
			printf("%s %d - %u elements, blocks of %u\n", ok ? "ok" : "not ok",
			       ++k, sizes[s], blocks[b]);
		}
	return failed ? 1 : 0;
}
