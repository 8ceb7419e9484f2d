/* sanitizer.c - see sanitizer.h; the rules are in docs/sanitizers.md. */
#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sanitizer.h"

/* What starts a report's first line, after an optional ==PID== prefix. */
struct marker {
	const char *prefix;     /* up to what the report is about */
	const char *kind;
	const char *name;       /* as the summary says it */
};

static const struct marker markers[] = {
	{ "ERROR: AddressSanitizer: ", "sanitizer:asan", "AddressSanitizer" },
	{ "ERROR: HWAddressSanitizer: ", "sanitizer:asan",
	  "HWAddressSanitizer" },
	{ "ERROR: LeakSanitizer: ", "sanitizer:lsan", "LeakSanitizer" },
	{ "WARNING: ThreadSanitizer: ", "sanitizer:tsan", "ThreadSanitizer" },
	{ "WARNING: MemorySanitizer: ", "sanitizer:msan", "MemorySanitizer" },
};

/* UBSan's is FILE:LINE:COL: runtime error: WHAT */
static const struct marker ubsan = {
	": runtime error: ", "sanitizer:ubsan", "UndefinedBehaviorSanitizer"
};

/* Where the summary stops: before addresses, pids and details. */
static const char *const cuts[] = {
	": ", " (", ", ", " on address", " on unknown address", " on 0x", " 0x",
};

void sanitizer_init(struct sanitizer_scan *s)
{
	memset(s, 0, sizeof(*s));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* p past an "==1234==" prefix, if it has one. */
static const char *skip_pid(const char *p, const char *end)
{
	const char *q = p + 2;

	if (end - p < 5 || p[0] != '=' || p[1] != '=')
		return p;
	while (q < end && is_digit(*q))
		q++;
	if (q == p + 2 || end - q < 2 || q[0] != '=' || q[1] != '=')
		return p;
	return q + 2;
}

/* Whether p[0..n) is FILE:LINE:COL (or FILE:LINE), FILE without
 * spaces and not empty. */
static bool is_location(const char *p, size_t n)
{
	int groups;

	for (groups = 0; groups < 2; groups++) {
		size_t k = n;

		while (k > 0 && is_digit(p[k - 1]))
			k--;
		if (k == n || k < 2 || p[k - 1] != ':')
			break;
		n = k - 1;
	}
	if (!groups)
		return false;
	while (n > 0 && p[n - 1] != ' ' && p[n - 1] != '\t')
		n--;
	return n == 0;
}

/* The one-line summary: "AddressSanitizer: heap-use-after-free". */
static void set_summary(struct sanitizer_scan *s, const struct marker *m,
			const char *what, size_t n)
{
	size_t i, len;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *c = memmem(what, n, cuts[i], strlen(cuts[i]));

		if (c)
			n = (size_t)(c - what);
	}
	snprintf(s->summary, sizeof(s->summary), "%s: %.*s", m->name, (int)n,
		 what);
	len = strlen(s->summary);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s->summary[i];

		if (c < 0x20 || c == 0x7f)
			s->summary[i] = ' ';
	}
	while (len > 0 && s->summary[len - 1] == ' ')
		s->summary[--len] = 0;
}

/* The marker that p[0..n) starts with, and where its WHAT begins. */
static const struct marker *match(const char *p, size_t n, const char **what)
{
	const char *end = p + n, *c;
	size_t i, k;

	p = skip_pid(p, end);
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const struct marker *m = &markers[i];

		k = strlen(m->prefix);
		if ((size_t)(end - p) >= k && !memcmp(p, m->prefix, k)) {
			*what = p + k;
			return m;
		}
	}
	k = strlen(ubsan.prefix);
	c = memmem(p, (size_t)(end - p), ubsan.prefix, k);
	if (c && is_location(p, (size_t)(c - p))) {
		*what = c + k;
		return &ubsan;
	}
	return NULL;
}

static void line_done(struct sanitizer_scan *s, struct sanitizer_line *l)
{
	const char *what;
	const struct marker *m = match(l->s, l->len, &what);

	if (m && !s->count++) {
		s->kind = m->kind;
		set_summary(s, m, what, (size_t)(l->s + l->len - what));
	}
	l->len = 0;
}

void sanitizer_feed(struct sanitizer_scan *s, int stream, const char *buf,
		    size_t n)
{
	struct sanitizer_line *l = &s->line[stream == 2];
	const char *end = buf + n;

	assert(stream == 1 || stream == 2);
	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t k = (size_t)((nl ? nl : end) - buf);

		if (k > SANITIZER_LINE_MAX - l->len)    /* the rest: dropped */
			k = SANITIZER_LINE_MAX - l->len;
		memcpy(l->s + l->len, buf, k);
		l->len += k;
		if (!nl)
			break;
		line_done(s, l);
		buf = nl + 1;
	}
}

void sanitizer_finish(struct sanitizer_scan *s)
{
	for (size_t i = 0; i < 2; i++)
		if (s->line[i].len)
			line_done(s, &s->line[i]);
}
