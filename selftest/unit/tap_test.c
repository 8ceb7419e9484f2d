/*
 * selftest/unit/tap_test.c - the TAP reader against its conformance
 * table, selftest/tap/conformance.txt, plus what a table cannot say
 * (durations, memory bounds).
 *
 * Each entry of the table is fed whole, one byte at a time, and in
 * chunks of odd sizes; all three must give the expected rendering, so
 * every rule is also a test of the streaming. The format is described
 * at the top of the table.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/tap.h"
#include "harness/xalloc.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s, size_t n)
{
	xgrow((void **)&t->s, &t->cap, t->len + n + 1, 1);
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

static void adds(struct text *t, const char *s)
{
	add(t, s, strlen(s));
}

/* Shows s on one line: \n, \r, \t and other controls escaped. */
static void add_escaped(struct text *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char e[8];
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			adds(t, "\\n");
		else if (c == '\\')
			adds(t, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", c), adds(t, e);
		else
			add(t, s + i, 1);
	}
}

static void field(struct text *t, const char *name, const char *v)
{
	if (!v)
		return;
	adds(t, "  ");
	adds(t, name);
	adds(t, ": ");
	add_escaped(t, v, strlen(v));
	adds(t, "\n");
}

/* One rendering line per case, then its details. */
static void on_case(void *arg, const struct tap_case *c)
{
	struct text *t = arg;

	adds(t, assay_outcome_name(c->outcome));
	adds(t, " ");
	add_escaped(t, c->name, strlen(c->name));
	if (*c->reason) {
		adds(t, " -- ");
		adds(t, c->reason);
	}
	adds(t, "\n");
	field(t, "message", c->message);
	field(t, "severity", c->severity);
	field(t, "got", c->got);
	field(t, "expected", c->expected);
	field(t, "at", c->at);
	if (c->output_len) {
		adds(t, "  output: ");
		add_escaped(t, c->output, c->output_len);
		adds(t, "\n");
	}
}

static char *render(const char *in, size_t n, size_t chunk, int exit_code)
{
	struct text t = { 0 };
	struct tap_parser *p = tap_new(on_case, &t, 0);
	struct tap_summary s;

	for (size_t i = 0; i < n; i += chunk)
		tap_feed(p, in + i, n - i < chunk ? n - i : chunk, i);
	tap_finish(p, n, exit_code, &s);
	adds(&t, "=> ");
	adds(&t, assay_outcome_name(s.outcome));
	adds(&t, s.report ? " reported" : "");
	adds(&t, " -- ");
	adds(&t, s.reason);
	adds(&t, "\n");
	tap_free(p);
	return t.s;
}

/* The input's markers: {CR} {NUL} {ESC} {FF} (a byte 0xff), {LONG:N}
 * (N bytes of 'x'); {NONL} at the end of the last line: no newline. */
static void decode_line(struct text *in, const char *s, size_t n, int last_nonl)
{
	static const struct { const char *m; const char *b; size_t n; } marks[] = {
		{ "{CR}", "\r", 1 }, { "{NUL}", "", 1 }, { "{ESC}", "\033", 1 },
		{ "{FF}", "\xff", 1 },
	};
	for (size_t i = 0; i < n;) {
		size_t k, done = 0;
		for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
			size_t ml = strlen(marks[k].m);
			if (n - i >= ml && !memcmp(s + i, marks[k].m, ml)) {
				add(in, marks[k].b, marks[k].n);
				i += ml;
				done = 1;
				break;
			}
		}
		if (!done && n - i > 6 && !memcmp(s + i, "{LONG:", 6)) {
			size_t len = strtoul(s + i + 6, NULL, 10);
			char *x = xmalloc(len);
			memset(x, 'x', len);
			add(in, x, len);
			free(x);
			i = (size_t)((char *)memchr(s + i, '}', n - i) - s) + 1;
			done = 1;
		}
		if (!done && n - i == 6 && !memcmp(s + i, "{NONL}", 6))
			return;
		if (!done)
			add(in, s + i++, 1);
	}
	if (!last_nonl)
		add(in, "\n", 1);
}

struct entry {
	char name[200];
	int exit_code;
	struct text in, want;
	unsigned line;
};

static void run_entry(struct entry *e)
{
	static const size_t chunks[] = { (size_t)-1, 1, 3, 7, 64 };
	char *whole = render(e->in.s ? e->in.s : "", e->in.len, chunks[0], e->exit_code);
	int same = 1;

	for (size_t k = 1; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		char *r = render(e->in.s ? e->in.s : "", e->in.len, chunks[k], e->exit_code);
		if (strcmp(r, whole)) {
			if (same)
				printf("# %s: fed in chunks of %zu:\n%s", e->name, chunks[k], r);
			same = 0;
		}
		free(r);
	}
	if (!assay_check_bool(0, 1, same && e->want.s && !strcmp(whole, e->want.s), e->name,
		       "selftest/tap/conformance.txt", (int)e->line))
		printf("# want:\n%s# got:\n%s", e->want.s ? e->want.s : "", whole);
	free(whole);
}

/* Turns the input section's raw lines into the bytes fed. */
static void decode_input(struct text *in, const struct text *raw)
{
	const char *s = raw->s, *end = raw->s + raw->len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)(nl - s);
		int last = nl + 1 == end;
		decode_line(in, s, n, last && n >= 6 && !memcmp(nl - 6, "{NONL}", 6));
		s = nl + 1;
	}
}

/* Reads the table and runs each entry as it ends. */
static void run_table(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0, entries = 0;
	enum { NONE, INPUT, EXPECT } where = NONE;
	struct entry e = { 0 };
	struct text raw = { 0 };

	if (!f) {
		assay_check_bool(0, 1, 0, "the conformance table opens", path, 0);
		return;
	}
	for (;;) {
		len = getline(&line, &cap, f);
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (len < 0 || !strncmp(line, "=== ", 4)) {
			if (*e.name) {
				decode_input(&e.in, &raw);
				run_entry(&e);
				entries++;
			}
			free(e.in.s);
			free(e.want.s);
			memset(&e, 0, sizeof(e));
			raw.len = 0;
			where = NONE;
			if (len < 0)
				break;
			snprintf(e.name, sizeof(e.name), "%s", line + 4);
			e.line = lineno;
		} else if (where == NONE && !strncmp(line, "exit ", 5)) {
			e.exit_code = atoi(line + 5);
		} else if (!strcmp(line, "--- input")) {
			where = INPUT;
		} else if (!strcmp(line, "--- expect")) {
			where = EXPECT;
			adds(&e.want, "");
		} else if (where == INPUT) {
			add(&raw, line, (size_t)len);
			adds(&raw, "\n");
		} else if (where == EXPECT && len) {
			add(&e.want, line, (size_t)len);
			adds(&e.want, "\n");
		}
	}
	free(raw.s);
	free(line);
	fclose(f);
	printf("# %u entries in %s\n", entries, path);
	EXPECT_TRUE(entries >= 80);
}

struct timing {
	uint64_t d[4];
	unsigned n;
};

static void on_timed(void *arg, const struct tap_case *c)
{
	struct timing *t = arg;

	if (t->n < 4)
		t->d[t->n++] = c->duration_ns;
}

/* Durations run from the start, then from point to point; a point is
 * timed when its line arrives, not when its YAML block ends. */
static void test_durations(void)
{
	struct timing t = { 0 };
	struct tap_parser *p = tap_new(on_timed, &t, 1000);
	struct tap_summary s;

	tap_feed(p, "1..3\nok 1 - a\n", 14, 1500);
	tap_feed(p, "not ok 2 - b\n", 13, 4000);
	tap_feed(p, "  ---\n  message: x\n", 19, 9000);
	tap_feed(p, "  ...\nok 3", 10, 9500);
	tap_finish(p, 12000, 0, &s);
	EXPECT_EQ(t.n, 3);
	EXPECT_EQ(t.d[0], 500);
	EXPECT_EQ(t.d[1], 2500);
	EXPECT_EQ(t.d[2], 8000);
	EXPECT_EQ(s.outcome, ASSAY_FAIL);
	tap_free(p);
}

/* A producer's own duration_ms (Node's test runner) is the case's. */
static void test_own_durations(void)
{
	struct timing t = { 0 };
	struct tap_parser *p = tap_new(on_timed, &t, 1000);
	struct tap_summary s;
	static const char in[] = "1..2\nok 1 - a\n  ---\n  duration_ms: 2.5\n"
				 "  ...\nok 2 - b\n  ---\n  duration_ms: 'x'\n  ...\n";

	tap_feed(p, in, sizeof(in) - 1, 99000);
	tap_finish(p, 100000, 0, &s);
	EXPECT_EQ(t.n, 2);
	EXPECT_EQ(t.d[0], 2500000);
	EXPECT_EQ(t.d[1], 0);           /* not a number: assay's own (0 here) */
	tap_free(p);
}

struct last {
	unsigned long cases;
	size_t output_len;
	uint64_t dropped;
	char name[64];
	char tail[128];
};

static void on_last(void *arg, const struct tap_case *c)
{
	struct last *l = arg;

	l->cases++;
	l->output_len = c->output_len;
	l->dropped = c->output_dropped;
	snprintf(l->tail, sizeof(l->tail), "%s",
		 c->output + (c->output_len > 100 ? c->output_len - 100 : 0));
	snprintf(l->name, sizeof(l->name), "%s", c->name);
}

/* A 10 MB line and 20 lines of 1 MB between two points: lines are cut
 * (and say so), the case keeps a bounded tail and counts what it
 * dropped. */
static void test_bounds(void)
{
	struct last l = { 0 };
	struct tap_parser *p = tap_new(on_last, &l, 0);
	struct tap_summary s;
	size_t big = 10u << 20;
	char *x = xmalloc(big);

	memset(x, 'y', big);
	tap_feed(p, "1..1\nnoise ", 11, 0);
	tap_feed(p, x, big, 0);                 /* one 10 MB line ... */
	tap_feed(p, "\n", 1, 0);
	for (int i = 0; i < 20; i++) {          /* ... and 20 MB of lines */
		memset(x, 'z', 1u << 20);
		x[(1u << 20) - 1] = '\n';
		tap_feed(p, x, 1u << 20, 0);
	}
	tap_feed(p, "ok 1 - ", 7, 0);
	tap_feed(p, x, big, 0);                 /* a 10 MB description */
	tap_finish(p, 0, 0, &s);
	EXPECT_EQ(l.cases, 1);
	EXPECT_TRUE(l.output_len <= TAP_OUTPUT_MAX);
	EXPECT_TRUE(l.dropped >= 19 * (TAP_LINE_MAX + 30));
	EXPECT_CONTAINS(l.tail, "[line cut: 983039 more bytes]\n");
	EXPECT_TRUE(strlen(l.name) == 63);
	EXPECT_EQ(s.outcome, ASSAY_PASS);
	free(x);
	tap_free(p);
}

/* tap_sniff: the first line that is not blank or a comment decides, and
 * only a line that is TAP beyond doubt makes the output TAP. */
static void test_sniff(void)
{
	EXPECT_EQ(tap_sniff("TAP version 14\n", 15), 1);
	EXPECT_EQ(tap_sniff("# random seed: R02S\n\n1..3\n", 26), 1);
	EXPECT_EQ(tap_sniff("ok 1 - fine\n", 12), 1);
	EXPECT_EQ(tap_sniff("not ok 2\r\n", 10), 1);
	EXPECT_EQ(tap_sniff("1..0 # SKIP no GPU\n", 19), 1);
	EXPECT_EQ(tap_sniff("not ok\r\n", 8), 0);     /* beyond doubt only */
	EXPECT_EQ(tap_sniff("ok\n", 3), 0);
	EXPECT_EQ(tap_sniff("ok 1a\n", 6), 0);
	EXPECT_EQ(tap_sniff("1..10 of the steps\n", 19), 0);
	EXPECT_EQ(tap_sniff("2..3\n", 5), 0);
	EXPECT_EQ(tap_sniff("TAP version 14 or so\n", 21), 0);
	EXPECT_EQ(tap_sniff("hello\n1..3\n", 11), 0);
	EXPECT_EQ(tap_sniff("okay\n", 5), 0);
	EXPECT_EQ(tap_sniff("    ok 1\n", 9), 0);
	EXPECT_EQ(tap_sniff("# only a comment\n", 17), -1);
	EXPECT_EQ(tap_sniff("1..", 3), -1);
}

ASSAY_TEST(tap, conformance_table)
{
	run_table(TOP_SRCDIR "/selftest/tap/conformance.txt");
}

ASSAY_TEST(tap, test_durations)
{
	test_durations();
}

ASSAY_TEST(tap, test_own_durations)
{
	test_own_durations();
}

ASSAY_TEST(tap, test_bounds)
{
	test_bounds();
}

ASSAY_TEST(tap, test_sniff)
{
	test_sniff();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
