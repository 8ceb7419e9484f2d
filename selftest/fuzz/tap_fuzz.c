/*
 * selftest/fuzz/tap_fuzz.c - libFuzzer target for the TAP reader
 * (harness/tap.c): any bytes, fed in chunks whose sizes come from the
 * input, must be read without a crash, a leak, a hang or a case that
 * breaks the reader's promises (unique names, bounded output).
 *
 * Built by `make fuzz` with clang; see docs/tap.md for a run's figures.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_case(void *arg, const struct tap_case *c)
{
	unsigned long *n = arg;

	(*n)++;
	if (!c->name || !c->reason || strlen(c->reason) >= 1024 ||
	    c->output_len > TAP_OUTPUT_MAX ||
	    (unsigned)c->outcome >= ASSAY_OUTCOME_COUNT)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long cases = 0;
	struct tap_parser *p;
	struct tap_summary s;
	size_t chunk, i;
	int exit_code;

	if (size < 2)
		return 0;
	chunk = (size_t)data[0] % 17 + 1;       /* 1..17 bytes at a time */
	exit_code = (int)data[1] % 4 - 1;       /* -1..2 */
	data += 2;
	size -= 2;
	(void)tap_sniff((const char *)data, size);
	p = tap_new(on_case, &cases, 0);
	for (i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		if (data[i] == 0x01)
			tap_feed_other(p, (const char *)data + i, n);
		else
			tap_feed(p, (const char *)data + i, n, i);
	}
	tap_finish(p, size, exit_code, &s);
	if (s.cases != cases || !s.reason || (unsigned)s.outcome >= ASSAY_OUTCOME_COUNT)
		abort();
	tap_free(p);
	return 0;
}
