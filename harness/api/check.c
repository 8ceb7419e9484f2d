/*
 * harness/api/check.c - the checks behind ASSERT_* and EXPECT_*: judge,
 * and when a check fails, write what failed into the running test's
 * record (where, the expression as written, both values); a fatal one
 * then leaves the test; and libassay's small helpers (api_format,
 * api_now_s, api_write_all). Never prints: run.c reports the record.
 * See api.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"

#define SHOWN_MAX 200           /* bytes of a string a failure shows */

/* (initial-exec: a load of the thread's block, not a call, in a shared
 * libassay too) */
static _Thread_local struct api_record *current __attribute__((tls_model("initial-exec")));

void api_record_set(struct api_record *r)
{
	current = r;
}

struct api_record *api_record_get(void)
{
	return current;
}

void api_record_release(struct api_record *r)
{
	free(r->message);
	free(r->at);
	free(r->details);
	r->message = r->at = r->details = NULL;
	r->details_len = 0;
}

/* The record a check writes to; a check outside any test is a bug of
 * the program's, said at once. */
static struct api_record *record(const char *file, int line)
{
	if (!current) {
		fprintf(stderr, "%s:%d: an assay check ran outside a test (in main, or a thread the test did not wait for)\n",
			file, line);
		abort();
	}
	return current;
}

char *api_format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();        /* no memory: no test can be judged */
	return s;
}

double api_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool api_write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Appends s to r's details, and frees it. */
static void add_details(struct api_record *r, char *s)
{
	size_t n = strlen(s);

	r->details = realloc(r->details, r->details_len + n + 1);
	if (!r->details)
		abort();
	memcpy(r->details + r->details_len, s, n + 1);
	r->details_len += n;
	free(s);
}

/*
 * A failed check: its line ("ASSERT_EQ(a, b): 4 == 5 is false") is the
 * record's message when it is the first; the line with where, and the
 * lines of values under it, go to the details. Frees what and values
 * (malloc'd; values may be NULL). A fatal one leaves the test. Returns 0
 * (the check did not hold).
 */
static int failed(int fatal, const char *file, int line, char *what,
		  char *values)
{
	struct api_record *r = record(file, line);

	r->failed = true;
	if (!r->message) {
		r->message = strdup(what);
		r->at = api_format("%s:%d", file, line);
	}
	add_details(r, api_format("%s:%d: %s\n%s", file, line, what,
				  values ? values : ""));
	free(what);
	free(values);
	if (fatal)
		longjmp(r->out, 1);
	return 0;
}

static const char *const op_sym[] = { "==", "!=", "<", "<=", ">", ">=" };
static const char *const op_name[] = { "EQ", "NE", "LT", "LE", "GT", "GE" };

/* Which of a and b is the greater, as the integers they stand for
 * (-1, 0 or 1): ua, ub say which was unsigned (its bits are its value);
 * a signed one's bits are its value as intmax_t. */
static int compare_integers(uintmax_t a, int ua, uintmax_t b, int ub)
{
	int na = !ua && (intmax_t)a < 0, nb = !ub && (intmax_t)b < 0;

	if (na != nb)
		return na ? -1 : 1;
	if (na)
		return ((intmax_t)a > (intmax_t)b) - ((intmax_t)a < (intmax_t)b);
	return (a > b) - (a < b);
}

/* v as the integer it stands for. */
static char *integer_text(uintmax_t v, int is_unsigned)
{
	return is_unsigned ? api_format("%" PRIuMAX, v) : api_format("%" PRIdMAX, (intmax_t)v);
}

int assay_check_integer(int fatal, enum assay_cmp op, uintmax_t a, uintmax_t b,
			unsigned which_unsigned, const char *ea, const char *eb,
			const char *file, int line)
{
	int ua = which_unsigned & 1, ub = (which_unsigned >> 1) & 1;
	int c = compare_integers(a, ua, b, ub);
	int ok = op == ASSAY_CMP_EQ ? c == 0 : op == ASSAY_CMP_NE ? c != 0 :
		 op == ASSAY_CMP_LT ? c < 0 : op == ASSAY_CMP_LE ? c <= 0 :
		 op == ASSAY_CMP_GT ? c > 0 : c >= 0;
	char *what, *values, *ta, *tb;

	if (ok)
		return 1;
	ta = integer_text(a, ua);
	tb = integer_text(b, ub);
	what = api_format("%s_%s(%s, %s): %s %s %s is false", fatal ? "ASSERT" : "EXPECT",
			  op_name[op], ea, eb, ta, op_sym[op], tb);
	values = api_format("    %s = %s\n    %s = %s\n", ea, ta, eb, tb);
	free(ta);
	free(tb);
	return failed(fatal, file, line, what, values);
}

/* What programs built against the first header call. */
int assay_check_int(int fatal, enum assay_cmp op, intmax_t a, intmax_t b,
		    const char *ea, const char *eb, const char *file, int line)
{
	return assay_check_integer(fatal, op, (uintmax_t)a, (uintmax_t)b, 0, ea, eb,
				   file, line);
}

int assay_check_near(int fatal, double a, double b, double tol,
		     const char *ea, const char *eb, const char *etol,
		     const char *file, int line)
{
	char *what, *values;

	if (fabs(a - b) <= tol)
		return 1;
	what = api_format("%s_NEAR(%s, %s, %s): %.17g and %.17g differ by %.17g, more than %.17g",
			  fatal ? "ASSERT" : "EXPECT", ea, eb, etol, a, b, fabs(a - b), tol);
	values = api_format("    %s = %.17g\n    %s = %.17g\n", ea, a, eb, b);
	return failed(fatal, file, line, what, values);
}

/* s as a C string literal, at most SHOWN_MAX bytes of it (malloc'd). */
static char *quoted(const char *s)
{
	size_t n, cap;
	char *q;

	if (!s)
		return strdup("NULL");
	n = strlen(s);
	cap = 4 * (n < SHOWN_MAX ? n : SHOWN_MAX) + 16;
	q = malloc(cap);
	if (!q)
		abort();
	size_t k = 0;
	q[k++] = '"';
	for (size_t i = 0; i < n && i < SHOWN_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			k += (size_t)sprintf(q + k, "\\%c", c);
		else if (c == '\n')
			k += (size_t)sprintf(q + k, "\\n");
		else if (c < 0x20 || c == 0x7f)
			k += (size_t)sprintf(q + k, "\\x%02x", c);
		else
			q[k++] = (char)c;
	}
	q[k++] = '"';
	if (n > SHOWN_MAX)
		k += (size_t)sprintf(q + k, "...");
	q[k] = 0;
	return q;
}

int assay_check_str(int fatal, int equal, const char *a, const char *b,
		    const char *ea, const char *eb, const char *file, int line)
{
	int same = a && b ? !strcmp(a, b) : a == b;
	char *qa, *qb, *what, *values;

	if (same == !!equal)
		return 1;
	qa = quoted(a);
	qb = quoted(b);
	what = api_format("%s_%s(%s, %s): %s %s %s is false",
			  fatal ? "ASSERT" : "EXPECT", equal ? "STREQ" : "STRNE",
			  ea, eb, qa, equal ? "==" : "!=", qb);
	values = api_format("    %s = %s\n    %s = %s\n", ea, qa, eb, qb);
	free(qa);
	free(qb);
	return failed(fatal, file, line, what, values);
}

int assay_check_contains(int fatal, const char *haystack, const char *needle,
			 const char *eh, const char *en, const char *file, int line)
{
	char *qh, *qn, *what, *values;

	if (haystack && needle && strstr(haystack, needle))
		return 1;
	qh = quoted(haystack);
	qn = quoted(needle);
	what = api_format("%s_CONTAINS(%s, %s): %s does not contain %s",
			  fatal ? "ASSERT" : "EXPECT", eh, en, qh, qn);
	values = api_format("    %s = %s\n    %s = %s\n", eh, qh, en, qn);
	free(qh);
	free(qn);
	return failed(fatal, file, line, what, values);
}

/* Up to 8 bytes of p around offset i, in hex. */
static void hex_around(char *out, size_t cap, const unsigned char *p,
		       size_t n, size_t i)
{
	size_t from = i > 3 ? i - 3 : 0, k = 0;

	out[0] = 0;
	for (size_t j = from; j < n && j < from + 8 && k + 8 < cap; j++)
		k += (size_t)snprintf(out + k, cap - k, j == i ? "%s[%02x]" : "%s%02x",
				      k ? " " : "", p[j]);
}

int assay_check_memory(int fatal, const void *a, const void *b, size_t n,
		       const char *ea, const char *eb, const char *en,
		       const char *file, int line)
{
	const unsigned char *x = a, *y = b;
	char *what, *values, ha[64], hb[64];
	size_t i = 0;

	if (a && b && !memcmp(a, b, n))
		return 1;
	if (!a || !b) {
		what = api_format("%s_MEMEQ(%s, %s, %s): %s is NULL",
				  fatal ? "ASSERT" : "EXPECT", ea, eb, en, a ? eb : ea);
		return failed(fatal, file, line, what, NULL);
	}
	while (x[i] == y[i])
		i++;
	hex_around(ha, sizeof(ha), x, n, i);
	hex_around(hb, sizeof(hb), y, n, i);
	what = api_format("%s_MEMEQ(%s, %s, %s): they differ first at byte %zu of %zu: 0x%02x != 0x%02x",
			  fatal ? "ASSERT" : "EXPECT", ea, eb, en, i, n, x[i], y[i]);
	values = api_format("    %s from byte %zu: %s\n    %s from byte %zu: %s\n",
			    ea, i > 3 ? i - 3 : 0, ha, eb, i > 3 ? i - 3 : 0, hb);
	return failed(fatal, file, line, what, values);
}

/* What programs built against the first header call: n as its value. */
int assay_check_mem(int fatal, const void *a, const void *b, size_t n,
		    const char *ea, const char *eb, const char *file, int line)
{
	char en[32];

	snprintf(en, sizeof(en), "%zu", n);
	return assay_check_memory(fatal, a, b, n, ea, eb, en, file, line);
}

int assay_check_ptr(int fatal, int equal, const void *a, const void *b,
		    const char *ea, const char *eb, const char *file, int line)
{
	char *what, *values;

	if ((a == b) == !!equal)
		return 1;
	what = api_format("%s_%s(%s, %s): %p %s %p is false",
			  fatal ? "ASSERT" : "EXPECT", equal ? "PTR_EQ" : "PTR_NE",
			  ea, eb, a, equal ? "==" : "!=", b);
	values = api_format("    %s = %p\n    %s = %p\n", ea, a, eb, b);
	return failed(fatal, file, line, what, values);
}

int assay_check_null(int fatal, int want_null, const void *p, const char *e,
		     const char *file, int line)
{
	char *what, *values;

	if (!p == !!want_null)
		return 1;
	what = want_null
		? api_format("%s_NULL(%s): %p is not NULL", fatal ? "ASSERT" : "EXPECT", e, p)
		: api_format("%s_NOT_NULL(%s): it is NULL", fatal ? "ASSERT" : "EXPECT", e);
	values = want_null ? api_format("    %s = %p\n", e, p) : NULL;
	return failed(fatal, file, line, what, values);
}

int assay_check_bool(int fatal, int want, int got, const char *e,
		     const char *file, int line)
{
	char *what;

	if (!got == !want)
		return 1;
	what = api_format("%s_%s(%s): it is %s", fatal ? "ASSERT" : "EXPECT",
			  want ? "TRUE" : "FALSE", e, got ? "true" : "false");
	return failed(fatal, file, line, what, NULL);
}

void assay_fail_here(int fatal, const char *what, const char *file, int line)
{
	char *s = strdup(what ? what : "failed");

	if (!s)
		abort();
	failed(fatal, file, line, s, NULL);
}

void assay_skip_here(const char *reason, const char *file, int line)
{
	struct api_record *r = record(file, line);

	r->skipped = true;
	if (!r->failed) {
		free(r->message);
		r->message = strdup(reason ? reason : "");
	}
	longjmp(r->out, 1);
}
