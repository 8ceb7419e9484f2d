/*
 * capture.h - one output stream of a job, kept within a fixed budget.
 *
 * Keeps the first CAPTURE_HEAD bytes and the last CAPTURE_TAIL bytes of a
 * stream and counts the rest, so a test that prints 100 GB costs assay
 * the same memory as one that prints 100 KB. Never allocates after
 * capture_init, never blocks, never looks at what the bytes mean.
 */
#ifndef ASSAY_CAPTURE_H
#define ASSAY_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "assay/plugin.h"

#define CAPTURE_HEAD (16 * 1024)
#define CAPTURE_TAIL (64 * 1024)

struct capture {
	char *head;             /* CAPTURE_HEAD bytes */
	size_t head_len;
	char *ring;             /* CAPTURE_TAIL bytes, written circularly */
	size_t ring_pos;        /* next write position */
	size_t ring_len;        /* valid bytes in ring */
	uint64_t total;         /* every byte seen */
	char *flat;             /* tail made contiguous by capture_view */
};

void capture_init(struct capture *c);
void capture_release(struct capture *c);
void capture_reset(struct capture *c);
void capture_add(struct capture *c, const char *buf, size_t n);
/*
 * Fills v with views into c: head is the first bytes, tail the last bytes
 * that head does not already hold (never overlapping). Valid until the
 * next capture_add or capture_release.
 */
void capture_view(struct capture *c, struct assay_output *v);

#endif
