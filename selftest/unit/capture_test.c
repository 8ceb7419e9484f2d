/* selftest/unit/capture_test.c - tests harness/capture.c and nothing else. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/capture.h"

static void small_output_is_all_head(void)
{
	struct capture c;
	struct assay_output v;

	capture_init(&c);
	capture_add(&c, "hello\n", 6);
	capture_view(&c, &v);
	EXPECT_EQ(v.total, 6);
	EXPECT_EQ(v.head_len, 6);
	EXPECT_EQ(v.tail_len, 0);
	EXPECT_TRUE(!memcmp(v.head, "hello\n", 6));
	capture_release(&c);
}

/* Feeds n bytes of a counter pattern in chunks of size chunk. */
static void feed(struct capture *c, size_t n, size_t chunk)
{
	char *buf = malloc(chunk);
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < chunk ? n - done : chunk;
		for (size_t i = 0; i < k; i++)
			buf[i] = (char)((done + i) % 251);
		capture_add(c, buf, k);
		done += k;
	}
	free(buf);
}

static int pattern_ok(const char *p, size_t len, size_t offset)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (char)((offset + i) % 251))
			return 0;
	return 1;
}

static void big_output_keeps_head_and_tail(size_t chunk)
{
	struct capture c;
	struct assay_output v;
	size_t n = 10 * 1000 * 1000 + 17;

	capture_init(&c);
	feed(&c, n, chunk);
	capture_view(&c, &v);
	EXPECT_EQ(v.total, n);
	EXPECT_EQ(v.head_len, CAPTURE_HEAD);
	EXPECT_EQ(v.tail_len, CAPTURE_TAIL);
	EXPECT_TRUE(pattern_ok(v.head, v.head_len, 0));
	EXPECT_TRUE(pattern_ok(v.tail, v.tail_len, n - CAPTURE_TAIL));
	capture_release(&c);
}

static void tail_without_gap(void)
{
	struct capture c;
	struct assay_output v;
	size_t n = CAPTURE_HEAD + 100;

	capture_init(&c);
	feed(&c, n, 7);
	capture_view(&c, &v);
	EXPECT_EQ(v.head_len, CAPTURE_HEAD);
	EXPECT_EQ(v.tail_len, 100);
	EXPECT_TRUE(v.head_len + v.tail_len == v.total);     /* nothing dropped */
	EXPECT_TRUE(pattern_ok(v.tail, v.tail_len, CAPTURE_HEAD));
	capture_reset(&c);
	capture_view(&c, &v);
	EXPECT_EQ(v.total, 0);
	EXPECT_EQ(v.head_len + v.tail_len, 0);
	capture_release(&c);
}

ASSAY_TEST(capture, small_output_is_all_head)
{
	small_output_is_all_head();
}

ASSAY_TEST(capture, big_output_keeps_head_and_tail_1)
{
	big_output_keeps_head_and_tail(4096);
}

ASSAY_TEST(capture, big_output_keeps_head_and_tail_2)
{
	big_output_keeps_head_and_tail(CAPTURE_TAIL * 3 + 5);  /* chunk > ring */
}

ASSAY_TEST(capture, big_output_keeps_head_and_tail_3)
{
	big_output_keeps_head_and_tail(1);
}

ASSAY_TEST(capture, tail_without_gap)
{
	tail_without_gap();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
