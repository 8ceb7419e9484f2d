/* capture.c - see capture.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "xalloc.h"

void capture_init(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->head = xmalloc(CAPTURE_HEAD);
	c->ring = xmalloc(CAPTURE_TAIL);
	c->flat = xmalloc(CAPTURE_TAIL);
}

void capture_release(struct capture *c)
{
	free(c->head);
	free(c->ring);
	free(c->flat);
	memset(c, 0, sizeof(*c));
}

void capture_reset(struct capture *c)
{
	c->head_len = c->ring_pos = c->ring_len = 0;
	c->total = 0;
}

void capture_add(struct capture *c, const char *buf, size_t n)
{
	size_t room = CAPTURE_HEAD - c->head_len, k;

	c->total += n;
	if (room) {
		k = n < room ? n : room;
		memcpy(c->head + c->head_len, buf, k);
		c->head_len += k;
		buf += k;
		n -= k;
	}
	if (n >= CAPTURE_TAIL) {        /* only the last bytes matter */
		buf += n - CAPTURE_TAIL;
		n = CAPTURE_TAIL;
	}
	while (n) {
		k = CAPTURE_TAIL - c->ring_pos;
		k = n < k ? n : k;
		memcpy(c->ring + c->ring_pos, buf, k);
		c->ring_pos = (c->ring_pos + k) % CAPTURE_TAIL;
		c->ring_len = c->ring_len + k > CAPTURE_TAIL ? CAPTURE_TAIL
							     : c->ring_len + k;
		buf += k;
		n -= k;
	}
}

void capture_view(struct capture *c, struct assay_output *v)
{
	size_t start = (c->ring_pos + CAPTURE_TAIL - c->ring_len) % CAPTURE_TAIL;
	size_t first = CAPTURE_TAIL - start;

	if (first > c->ring_len)
		first = c->ring_len;
	memcpy(c->flat, c->ring + start, first);
	memcpy(c->flat + first, c->ring, c->ring_len - first);
	v->struct_size = sizeof(*v);
	v->head = c->head;
	v->head_len = c->head_len;
	v->tail = c->flat;
	v->tail_len = c->ring_len;
	v->total = c->total;
}
