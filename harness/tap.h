/*
 * tap.h - a streaming TAP 12/13/14 reader: bytes in, test cases and a
 * verdict on the stream out.
 *
 * Fed chunk by chunk as a program writes (any split, any chunk size), it
 * hands each test point to a callback as soon as the point is complete
 * (its YAML block and, after a `not ok`, its comment lines read). Its
 * memory is bounded whatever the stream: a line keeps its first
 * TAP_LINE_MAX bytes, a YAML block its first TAP_YAML_MAX, the output
 * attributed to a case its last TAP_OUTPUT_MAX; subtest depth is bounded
 * by the line length. The rules it judges by are in docs/tap.md.
 *
 * Never reads a clock (times come with the bytes), never does I/O, never
 * stops reading or aborts, whatever the bytes; never judges how the
 * program ended beyond its exit code (signals and deadlines are the
 * kind's to judge).
 */
#ifndef ASSAY_HARNESS_TAP_H
#define ASSAY_HARNESS_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/plugin.h"

#define TAP_LINE_MAX (64 * 1024)
#define TAP_YAML_MAX (64 * 1024)
#define TAP_OUTPUT_MAX (16 * 1024)

/* One test point, as a case of the stream's suite. Strings are valid
 * only during the callback. */
struct tap_case {
	const char *name;       /* "desc", "parent/child", "3", "desc (3)" */
	enum assay_outcome outcome;  /* PASS FAIL SKIP TODO XPASS */
	const char *reason;     /* one line; "" when there is nothing to say */
	unsigned long number;   /* its number within its (sub)test */
	unsigned long line;     /* line of the stream it is on, from 1 */
	unsigned depth;         /* 0: top level, 1: in a subtest, ... */
	uint64_t duration_ns;   /* since the previous point (or the start) */
	const char *output;     /* lines attributed to it: see docs/tap.md */
	size_t output_len;
	uint64_t output_dropped;  /* bytes before output that were not kept */
	const char *yaml;       /* its YAML block, unindented, or NULL */
	/* from the YAML block, when it is a mapping holding them */
	const char *message, *severity, *got, *expected, *at;
};

typedef void tap_case_fn(void *arg, const struct tap_case *c);

/* The verdict on the whole stream, from tap_finish. */
struct tap_summary {
	enum assay_outcome outcome;  /* PASS FAIL SKIP or ERROR */
	const char *reason;     /* one line; valid until tap_free */
	const char *classification;  /* "tap-protocol", "exit-code" or NULL */
	bool report;            /* the cases do not already say it: report
	                         * it as the program's own result */
	unsigned long cases, failed;  /* cases handed out; those failed */
	unsigned long lines;    /* lines read */
	int version;            /* 12, 13, 14, or 0 when none was given */
	bool bailed;            /* "Bail out!": reason names its line */
};

struct tap_parser;

/* Whether a stream must have a plan at its top level (docs/tap.md). */
enum tap_plan {
	TAP_PLAN_AUTO = 1,      /* yes, unless every test point is a skip */
	TAP_PLAN_REQUIRED,      /* yes: without one the stream is an error */
	TAP_PLAN_OPTIONAL,      /* no: the points and the exit status judge,
	                         * none at all included */
};

/* start_ns: when the program started (the first case's duration counts
 * from it). */
struct tap_parser *tap_new(tap_case_fn *fn, void *arg, uint64_t start_ns);
void tap_free(struct tap_parser *p);
/* The plan rule for this stream; TAP_PLAN_AUTO until set. */
void tap_set_plan_rule(struct tap_parser *p, enum tap_plan rule);

/* The program's stdout, as it arrives. */
void tap_feed(struct tap_parser *p, const char *buf, size_t n, uint64_t now_ns);
/* Other output (stderr): not parsed, attributed to the current case. */
void tap_feed_other(struct tap_parser *p, const char *buf, size_t n);

/*
 * The stream is over: reads a last line without a newline, closes what
 * is open, checks the plan and judges the stream. exit_code is the
 * program's exit status, or -1 when it did not exit normally (then the
 * caller judges that and the exit-status rule is not applied).
 */
void tap_finish(struct tap_parser *p, uint64_t now_ns, int exit_code,
		struct tap_summary *out);

/*
 * Whether output that starts with buf[0..n) is TAP beyond doubt: the
 * first line that is neither blank nor a `#` comment is exactly a
 * version line ("TAP version 13"), a plan ("1..N", then at most a
 * comment) or a numbered test point ("ok 1", "not ok 2 - x"): "ok" alone
 * or "1..10 of the steps" is not. 1 yes, 0 no, -1 no such whole line yet (at the end of the
 * stream, -1 means no).
 */
int tap_sniff(const char *buf, size_t n);

#endif
