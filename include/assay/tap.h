/*
 * assay/tap.h - a header-only TAP 14 producer for standalone C test
 * programs (C11 or C++11; POSIX threads).
 *
 *	#include "assay/tap.h"
 *
 *	int main(void)
 *	{
 *		tap_plan(3);
 *		tap_ok(1 + 1 == 2, "addition");
 *		tap_is_int(6 * 7, 42, "multiplication");
 *		tap_is_str(getenv("HOME") ? "set" : "unset", "set", "HOME");
 *		return tap_done_testing();
 *	}
 *
 * The rules:
 * - State lives in one static struct, so include this header from ONE
 *   translation unit per program; a second unit would count from 1
 *   again. Helpers in other files should return results to that unit.
 * - Any thread may call any function. A point's number is taken and its
 *   line (plus its YAML block) written under one mutex, so numbers come
 *   out in order and lines never interleave; each line is one fwrite()
 *   followed by fflush(stdout), so a crash loses nothing already
 *   reported. TODO mode is process-wide, not per thread.
 * - Formatted text is cut to TAP_MSG_MAX - 1 bytes (ending in "...";
 *   define TAP_MSG_MAX before the include to change it); everything is
 *   built on the stack, and no line can outgrow its buffer.
 * - On old glibc (< 2.34) link with -pthread.
 *
 * Never allocates, never writes anything but TAP to stdout (diagnostics
 * are "# " comments), never touches stderr, never calls exit() except in
 * tap_bail_out(). tap_skip_all() returns 0 for main to return.
 */
#ifndef ASSAY_TAP_H
#define ASSAY_TAP_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TAP_MSG_MAX
#define TAP_MSG_MAX 1024        /* bytes of one formatted message, with NUL */
#endif
#if TAP_MSG_MAX < 64
#error "TAP_MSG_MAX must be at least 64"
#endif
/* a point line holds an escaped description and an escaped TODO reason */
#define TAP__LINE_MAX (4 * TAP_MSG_MAX + 64)

#if defined(__GNUC__) || defined(__clang__)
#define TAP__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TAP__NORETURN __attribute__((noreturn))
#else
#define TAP__PRINTF(f, a)
#define TAP__NORETURN
#endif

/* Process-wide producer state; every field is guarded by mu. */
struct tap__state {
	pthread_mutex_t mu;
	int started;            /* "TAP version 14" written */
	int planned;            /* a plan line (or 1..0 skip) written */
	int skipped_all;        /* tap_skip_all() was called */
	unsigned plan;          /* the planned count, when planned */
	unsigned count;         /* points emitted so far */
	unsigned failed;        /* "not ok" points outside TODO */
	int in_todo;            /* tap_todo_start() is in effect */
	char todo[TAP_MSG_MAX]; /* its reason, unescaped */
};

static struct tap__state tap__st = {
	PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0, 0, 0, ""
};

/* A line under construction: bounded, never overflows. */
struct tap__line {
	char p[TAP__LINE_MAX];
	size_t len;
};

static inline void tap__putc(struct tap__line *l, char c)
{
	if (l->len < sizeof(l->p) - 1)  /* room for the '\n' */
		l->p[l->len++] = c;
}

static inline void tap__puts(struct tap__line *l, const char *s)
{
	while (*s)
		tap__putc(l, *s++);
}

/* Appends s with TAP escaping: '#' and '\' get a '\', newlines a space. */
static inline void tap__put_escaped(struct tap__line *l, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			tap__putc(l, '\\');
		tap__putc(l, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

/* Appends s as a double-quoted YAML scalar; NULL becomes ~. */
static inline void tap__put_yaml(struct tap__line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *end;
	unsigned char c;

	if (!s) {
		tap__putc(l, '~');
		return;
	}
	for (end = s; *end && end - s < TAP_MSG_MAX - 1; end++)
		;                       /* at most TAP_MSG_MAX - 1 bytes */
	tap__putc(l, '"');
	for (; s < end; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			tap__putc(l, '\\');
			tap__putc(l, (char)c);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			tap__putc(l, '\\');
			tap__putc(l, c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		} else if (c < 0x20 || c == 0x7f) {
			tap__puts(l, "\\x");
			tap__putc(l, hex[c >> 4]);
			tap__putc(l, hex[c & 15]);
		} else {
			tap__putc(l, (char)c);
		}
	}
	if (*end)
		tap__puts(l, "...");
	tap__putc(l, '"');
}

static inline void tap__put_uint(struct tap__line *l, unsigned n)
{
	char num[24];

	snprintf(num, sizeof(num), "%u", n);
	tap__puts(l, num);
}

/* Writes l as one line and flushes it. Call with mu held. */
static inline void tap__emit(struct tap__line *l)
{
	l->p[l->len++] = '\n';
	fwrite(l->p, 1, l->len, stdout);
	fflush(stdout);
	l->len = 0;
}

/* Writes "TAP version 14" once, before anything else. Call with mu held. */
static inline void tap__start(void)
{
	struct tap__line l;

	if (tap__st.started)
		return;
	tap__st.started = 1;
	l.len = 0;
	tap__puts(&l, "TAP version 14");
	tap__emit(&l);
}

/* Formats into buf (TAP_MSG_MAX bytes); cut text ends in "...". */
static inline void tap__vformat(char *buf, const char *fmt, va_list ap)
	TAP__PRINTF(2, 0);
static inline void tap__vformat(char *buf, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, TAP_MSG_MAX, fmt, ap);

	if (n < 0)
		buf[0] = '\0';
	else if (n >= TAP_MSG_MAX)
		memcpy(buf + TAP_MSG_MAX - 4, "...", 4);
}

/* Writes one point; desc is unescaped text. Call with mu held. */
static inline void tap__point(int ok, const char *desc)
{
	struct tap__line l;

	l.len = 0;
	tap__start();
	tap__puts(&l, ok ? "ok " : "not ok ");
	tap__put_uint(&l, ++tap__st.count);
	if (desc[0]) {
		tap__puts(&l, " - ");
		tap__put_escaped(&l, desc);
	}
	if (tap__st.in_todo) {
		tap__puts(&l, " # TODO ");
		tap__put_escaped(&l, tap__st.todo);
	} else if (!ok) {
		tap__st.failed++;
	}
	tap__emit(&l);
}

/* Writes "HEAD escaped-msg" (a plan's skip, a bail out). Call with mu
 * held. */
static inline void tap__reason_line(const char *head, const char *msg)
{
	struct tap__line l;

	l.len = 0;
	tap__start();
	tap__puts(&l, head);
	tap__put_escaped(&l, msg);
	tap__emit(&l);
}

/* Writes a "# " line for each line of msg. Call with mu held. */
static inline void tap__comment(const char *msg)
{
	struct tap__line l;
	const char *nl;

	do {
		nl = strchr(msg, '\n');
		l.len = 0;
		tap__putc(&l, '#');
		if (msg[0] && msg[0] != '\n')
			tap__putc(&l, ' ');
		while (*msg && *msg != '\n')
			tap__putc(&l, *msg++);
		tap__emit(&l);
		msg = nl ? nl + 1 : msg;
	} while (nl && *msg);
}

/*
 * Writes "1..n", after the version line. Call it once, before the first
 * point; without it, tap_done_testing() writes the plan at the end.
 */
static inline void tap_plan(unsigned n)
{
	struct tap__line l;

	l.len = 0;
	pthread_mutex_lock(&tap__st.mu);
	tap__start();
	tap__puts(&l, "1..");
	tap__put_uint(&l, n);
	tap__emit(&l);
	tap__st.planned = 1;
	tap__st.plan = n;
	pthread_mutex_unlock(&tap__st.mu);
}

/*
 * Writes "1..0 # SKIP reason": the whole program is skipped. Call it
 * instead of tap_plan(), before any point. Returns 0, the exit status:
 *	if (!have_gpu()) return tap_skip_all("no GPU");
 */
static inline int tap_skip_all(const char *fmt, ...) TAP__PRINTF(1, 2);
static inline int tap_skip_all(const char *fmt, ...)
{
	char msg[TAP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__reason_line("1..0 # SKIP ", msg);
	tap__st.planned = tap__st.skipped_all = 1;
	tap__st.plan = 0;
	pthread_mutex_unlock(&tap__st.mu);
	return 0;
}

/*
 * Writes "ok N - desc" if cond, else "not ok N - desc" (the " - desc"
 * is left out when desc formats to ""). Returns cond != 0.
 */
static inline int tap_ok(int cond, const char *fmt, ...) TAP__PRINTF(2, 3);
static inline int tap_ok(int cond, const char *fmt, ...)
{
	char desc[TAP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(desc, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__point(cond != 0, desc);
	pthread_mutex_unlock(&tap__st.mu);
	return cond != 0;
}

/* Writes the message as comment lines, "# " before each of its lines. */
static inline void tap_diag(const char *fmt, ...) TAP__PRINTF(1, 2);
static inline void tap_diag(const char *fmt, ...)
{
	char msg[TAP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__start();
	tap__comment(msg);
	pthread_mutex_unlock(&tap__st.mu);
}

/* Writes n passing points "ok N # SKIP reason", numbered consecutively. */
static inline void tap_skip(unsigned n, const char *fmt, ...)
	TAP__PRINTF(2, 3);
static inline void tap_skip(unsigned n, const char *fmt, ...)
{
	char msg[TAP_MSG_MAX];
	struct tap__line l;
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__start();
	while (n--) {
		l.len = 0;
		tap__puts(&l, "ok ");
		tap__put_uint(&l, ++tap__st.count);
		tap__puts(&l, " # SKIP ");
		tap__put_escaped(&l, msg);
		tap__emit(&l);
	}
	pthread_mutex_unlock(&tap__st.mu);
}

/*
 * Until tap_todo_end(), every point gets " # TODO reason" and a failing
 * one no longer fails the program. Process-wide; a second call replaces
 * the reason (no nesting).
 */
static inline void tap_todo_start(const char *fmt, ...) TAP__PRINTF(1, 2);
static inline void tap_todo_start(const char *fmt, ...)
{
	char msg[TAP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	memcpy(tap__st.todo, msg, sizeof(msg));
	tap__st.in_todo = 1;
	pthread_mutex_unlock(&tap__st.mu);
}

static inline void tap_todo_end(void)
{
	pthread_mutex_lock(&tap__st.mu);
	tap__st.in_todo = 0;
	pthread_mutex_unlock(&tap__st.mu);
}

/* Writes "Bail out! reason" and exits with status 255. */
static inline void tap_bail_out(const char *fmt, ...)
	TAP__PRINTF(1, 2) TAP__NORETURN;
static inline void tap_bail_out(const char *fmt, ...)
{
	char msg[TAP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__reason_line("Bail out! ", msg);    /* TAP 14 escapes it too */
	pthread_mutex_unlock(&tap__st.mu);
	exit(255);
}

/* The status for main, call with mu held: see tap_exit_status(). */
static inline int tap__status(void)
{
	if (tap__st.skipped_all)
		return 0;
	if (tap__st.failed || (tap__st.planned && tap__st.plan != tap__st.count))
		return 1;
	return 0;
}

/*
 * Returns 0 if no point failed outside TODO and the plan (if written)
 * matches the points written, else 1. Writes nothing.
 */
static inline int tap_exit_status(void)
{
	int rc;

	pthread_mutex_lock(&tap__st.mu);
	rc = tap__status();
	pthread_mutex_unlock(&tap__st.mu);
	return rc;
}

/*
 * Ends the run: writes the trailing plan "1..N" unless a plan was
 * written, and a comment if a written plan does not match. Returns
 * tap_exit_status(). Safe to call more than once.
 */
static inline int tap_done_testing(void)
{
	struct tap__line l;
	char msg[64];
	int rc;

	l.len = 0;
	pthread_mutex_lock(&tap__st.mu);
	tap__start();
	if (!tap__st.planned) {
		tap__puts(&l, "1..");
		tap__put_uint(&l, tap__st.count);
		tap__emit(&l);
		tap__st.planned = 1;
		tap__st.plan = tap__st.count;
	} else if (!tap__st.skipped_all && tap__st.plan != tap__st.count) {
		snprintf(msg, sizeof(msg), "planned %u points, ran %u",
			 tap__st.plan, tap__st.count);
		tap__comment(msg);
	}
	rc = tap__status();
	pthread_mutex_unlock(&tap__st.mu);
	return rc;
}

/* Writes the YAML block of a failed comparison. Call with mu held. */
static inline void tap__yaml(const char *got, const char *want,
			     const char *file, int line)
{
	struct tap__line l;

	l.len = 0;
	tap__puts(&l, "  ---");
	tap__emit(&l);
	tap__puts(&l, "  message: \"values differ\"");
	tap__emit(&l);
	tap__puts(&l, "  got: ");
	tap__puts(&l, got);
	tap__emit(&l);
	tap__puts(&l, "  expected: ");
	tap__puts(&l, want);
	tap__emit(&l);
	tap__puts(&l, "  at: {file: ");
	tap__put_yaml(&l, file);
	tap__puts(&l, ", line: ");
	tap__put_uint(&l, (unsigned)line);
	tap__puts(&l, "}");
	tap__emit(&l);
	tap__puts(&l, "  ...");
	tap__emit(&l);
}

static inline int tap__is_int(const char *file, int line, long long got,
			      long long want, const char *fmt, ...)
	TAP__PRINTF(5, 6);
static inline int tap__is_int(const char *file, int line, long long got,
			      long long want, const char *fmt, ...)
{
	char desc[TAP_MSG_MAX], g[24], w[24];
	int ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(desc, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__point(ok, desc);
	if (!ok) {
		snprintf(g, sizeof(g), "%lld", got);
		snprintf(w, sizeof(w), "%lld", want);
		tap__yaml(g, w, file, line);
	}
	pthread_mutex_unlock(&tap__st.mu);
	return ok;
}

static inline int tap__is_str(const char *file, int line, const char *got,
			      const char *want, const char *fmt, ...)
	TAP__PRINTF(5, 6);
static inline int tap__is_str(const char *file, int line, const char *got,
			      const char *want, const char *fmt, ...)
{
	char desc[TAP_MSG_MAX];
	struct tap__line g, w;
	int ok = got && want ? !strcmp(got, want) : got == want;
	va_list ap;

	va_start(ap, fmt);
	tap__vformat(desc, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&tap__st.mu);
	tap__point(ok, desc);
	if (!ok) {
		g.len = w.len = 0;
		tap__put_yaml(&g, got);
		tap__put_yaml(&w, want);
		g.p[g.len] = w.p[w.len] = '\0';
		tap__yaml(g.p, w.p, file, line);
	}
	pthread_mutex_unlock(&tap__st.mu);
	return ok;
}

/*
 * tap_ok(got == want) that, on failure, writes a TAP 14 YAML block with
 * got, expected and this call's file and line. Strings compare with
 * strcmp; NULL equals only NULL. Both return the result.
 */
#define tap_is_int(got, want, ...)                                            \
	tap__is_int(__FILE__, __LINE__, (long long)(got), (long long)(want),  \
		    __VA_ARGS__)
#define tap_is_str(got, want, ...)                                            \
	tap__is_str(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

#endif
