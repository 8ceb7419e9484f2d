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

/* valgrind's tools, by the banner each prints first ("==PID== Helgrind,
 * a thread error detector"); a report is its ERROR SUMMARY with errors */
static const struct marker valgrinds[] = {
	{ "Memcheck, a memory error detector", "sanitizer:memcheck", "Memcheck" },
	{ "Helgrind, a thread error detector", "sanitizer:helgrind", "Helgrind" },
	{ "drd, a thread error detector", "sanitizer:drd", "DRD" },
};

/* What a report is about, when it says so: the word that leads its
 * summary ("race: ThreadSanitizer: data race"). */
static const struct {
	const char *what;       /* how the report's WHAT starts */
	const char *word;
} kinds_of[] = {
	{ "data race", "race" },                        /* TSan */
	{ "lock-order-inversion", "deadlock (potential)" },
	{ "Possible data race", "race" },               /* helgrind */
	{ "Conflicting load", "race" },                 /* drd */
	{ "Conflicting store", "race" },
	{ "lock order", "deadlock (potential)" },       /* helgrind, drd */
};

/* UBSan's is FILE:LINE:COL: runtime error: WHAT */
static const struct marker ubsan = {
	": runtime error: ", "sanitizer:ubsan", "UndefinedBehaviorSanitizer"
};

/* Where the summary stops: before addresses, pids and details. */
static const char *const cuts[] = {
	": ", " (", ", ", " on address", " on unknown address", " on 0x",
	" at 0x", " 0x", " by thread",
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
	const char *word = NULL;

	for (i = 0; i < sizeof(kinds_of) / sizeof(kinds_of[0]); i++)
		if (n >= strlen(kinds_of[i].what) &&
		    !memcmp(what, kinds_of[i].what, strlen(kinds_of[i].what)))
			word = kinds_of[i].word;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *c = memmem(what, n, cuts[i], strlen(cuts[i]));

		if (c)
			n = (size_t)(c - what);
	}
	snprintf(s->summary, sizeof(s->summary), "%s%s%s: %.*s",
		 word ? word : "", word ? ": " : "", m->name, (int)n, what);
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

/* Whether p[0..n) starts with s. */
static bool starts(const char *p, size_t n, const char *s)
{
	return n >= strlen(s) && !memcmp(p, s, strlen(s));
}

/* A line of valgrind's ("==PID== ..."): its banner names the tool; a
 * race or lock order report of helgrind or drd is remembered; an ERROR
 * SUMMARY with errors is a report. */
static void valgrind_line(struct sanitizer_scan *s, const char *p, size_t n)
{
	static const char summary[] = "ERROR SUMMARY: ";
	char line[SANITIZER_LINE_MAX + 1];
	unsigned long errors;

	for (size_t i = 0; i < sizeof(valgrinds) / sizeof(valgrinds[0]); i++)
		if (starts(p, n, valgrinds[i].prefix)) {
			s->vg = &valgrinds[i];
			s->vg_first[0] = '\0';
			return;
		}
	if (!s->vg)
		return;
	if (!s->vg_first[0] && memmem(p, n, "lock order", 10)) {
		/* helgrind: "Thread #1: lock order "0x.. before 0x.." violated" */
		snprintf(s->vg_first, sizeof(s->vg_first),
			 "deadlock (potential): %s: lock order violated", s->vg->name);
		return;
	}
	if (!s->vg_first[0] && (starts(p, n, "Possible data race") ||
				starts(p, n, "Conflicting "))) {
		struct sanitizer_scan tmp = { 0 };

		set_summary(&tmp, s->vg, p, n);
		memcpy(s->vg_first, tmp.summary, sizeof(s->vg_first));
		return;
	}
	if (!starts(p, n, summary))
		return;
	snprintf(line, sizeof(line), "%.*s", (int)(n - strlen(summary)),
		 p + strlen(summary));
	if (sscanf(line, "%lu", &errors) != 1 || !errors)
		return;
	if (!s->count++) {
		s->kind = s->vg->kind;
		if (s->vg_first[0])
			memcpy(s->summary, s->vg_first, sizeof(s->summary));
		else
			snprintf(s->summary, sizeof(s->summary), "%s: %lu error%s (its ERROR SUMMARY)",
				 s->vg->name, errors, errors == 1 ? "" : "s");
	}
}

static void line_done(struct sanitizer_scan *s, struct sanitizer_line *l)
{
	const char *what, *end = l->s + l->len, *p = skip_pid(l->s, end);
	const struct marker *m;

	if (l->len && l->s[0] == '\x1e') {     /* a worker protocol's frame */
		l->len = 0;
		return;
	}
	m = match(l->s, l->len, &what);

	if (m && !s->count++) {
		s->kind = m->kind;
		set_summary(s, m, what, (size_t)(l->s + l->len - what));
	} else if (!m && p != l->s && p < end && *p == ' ') {
		valgrind_line(s, p + 1, (size_t)(end - p - 1));
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
