/*
 * selftest/bench/tapparse.c - how fast the TAP reader (harness/tap.c)
 * reads a TAP file on one core: fed in 64 KiB chunks, as a pipe hands
 * them over, each case handed to a callback that looks at it. Prints
 * "bytes lines cases seconds", the median of RUNS passes.
 *
 * Usage: tapparse FILE [RUNS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/io.h"
#include "harness/tap.h"

static void on_case(void *arg, const struct tap_case *c)
{
	unsigned long *sum = arg;

	*sum += strlen(c->name) + (unsigned)c->outcome;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	int runs = argc > 2 ? atoi(argv[2]) : 5;

	if (runs < 1 || runs > 64)
		runs = 5;
	char *buf;
	long len;
	double t[64];
	struct tap_summary s = { 0 };
	unsigned long sum = 0, lines = 0;

	if (!f) {
		fprintf(stderr, "usage: tapparse FILE [RUNS]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = io_now_ns();
		struct tap_parser *p = tap_new(on_case, &sum, t0);
		for (long i = 0; i < len; i += 65536)
			tap_feed(p, buf + i, len - i < 65536 ? (size_t)(len - i) : 65536,
				 io_now_ns());
		tap_finish(p, io_now_ns(), 0, &s);
		lines = s.lines;
		tap_free(p);
		t[r] = (io_now_ns() - t0) / 1e9;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
	printf("%ld %lu %lu %.4f\n", len, lines, s.cases, t[runs / 2]);
	free(buf);
	return sum ? 0 : 1;
}
