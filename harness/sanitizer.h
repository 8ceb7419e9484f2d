/*
 * sanitizer.h - spots sanitizer reports (ASan, HWASan, LSan, TSan, MSan,
 * UBSan) and valgrind's (memcheck, helgrind, drd) in a program's output,
 * so that a report fails the program whatever its exit status (the
 * rules are in docs/sanitizers.md). A race is called one ("race: ..."),
 * and a lock order inversion a potential deadlock.
 *
 * Fed chunk by chunk as the program writes, on stdout and stderr at
 * once (any split, any chunk size; each stream has its own partial
 * line). It looks only at the first SANITIZER_LINE_MAX bytes of each
 * line, so its memory is fixed whatever the output; it remembers the
 * first report and counts them all. Never allocates, never does I/O,
 * never reads a clock, never judges a verdict (plugins/tap.c does).
 */
#ifndef ASSAY_SANITIZER_H
#define ASSAY_SANITIZER_H

#include <stddef.h>

#define SANITIZER_LINE_MAX 512
#define SANITIZER_SUMMARY_MAX 160

struct marker;

/* A value type: lives in its owner, needs no release. */
struct sanitizer_scan {
	/* read-only: what was found */
	const char *kind;       /* "sanitizer:asan" ... of the first report,
	                         * or NULL while there is none */
	/* of the first report, one line, e.g.
	 * "AddressSanitizer: heap-use-after-free" */
	char summary[SANITIZER_SUMMARY_MAX];
	unsigned long count;    /* reports seen */
	/* private: valgrind's tool, from its banner, and the first race or
	 * lock-order report of helgrind or drd, until its ERROR SUMMARY */
	const struct marker *vg;
	char vg_first[SANITIZER_SUMMARY_MAX];
	/* private: the first bytes of each stream's current line */
	struct sanitizer_line {
		char s[SANITIZER_LINE_MAX];
		size_t len;
	} line[2];
};

void sanitizer_init(struct sanitizer_scan *s);

/*
 * Output of the program as it arrives: stream 1 is stdout, 2 stderr (as
 * a kind's job_output numbers them). A report counts once its first
 * line is complete.
 */
void sanitizer_feed(struct sanitizer_scan *s, int stream, const char *buf,
		    size_t n);

/* The output is over: reads the last line of each stream when it has
 * no newline. */
void sanitizer_finish(struct sanitizer_scan *s);

#endif
