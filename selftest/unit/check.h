/*
 * selftest/unit/check.h - the few macros assay's unit tests use.
 *
 * Each check prints one TAP line ("ok N - what" / "not ok N - what at
 * file:line"); check_done() prints the plan and gives the exit status
 * (0 all passed, 1 any failed), which is what assay's exec kind judges.
 * Moves to include/assay/test.h when the in-process API lands.
 */
#ifndef ASSAY_SELFTEST_CHECK_H
#define ASSAY_SELFTEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_count, check_failed;

/* A description as TAP wants it: '#' and '\\' escaped, one line. */
static inline void check_put_desc(const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			putchar('\\');
		putchar(*s == '\n' ? ' ' : *s);
	}
	putchar('\n');
}

static inline int check_one(int ok, const char *what, const char *file,
			    int line)
{
	check_count++;
	if (!ok)
		check_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", check_count);
	check_put_desc(what);
	if (!ok)
		printf("#   at %s:%d\n", file, line);
	fflush(stdout);
	return ok;
}

#define CHECK(cond) check_one(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_INT(want, got)                                                  \
	do {                                                                  \
		long long w_ = (long long)(want), g_ = (long long)(got);      \
		if (!check_one(w_ == g_, #got " == " #want, __FILE__, __LINE__)) \
			printf("#   want %lld, got %lld\n", w_, g_);          \
	} while (0)
#define CHECK_STR(want, got)                                                  \
	do {                                                                  \
		const char *w_ = (want), *g_ = (got);                         \
		if (!check_one(g_ && !strcmp(w_, g_), #got " is \"" #want "\"", \
			       __FILE__, __LINE__))                           \
			printf("#   want \"%s\", got \"%s\"\n", w_,           \
			       g_ ? g_ : "(null)");                           \
	} while (0)
/* strstr(haystack, needle) */
#define CHECK_HAS(haystack, needle)                                           \
	do {                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                  \
		if (!check_one(h_ && strstr(h_, n_) != NULL,                  \
			       #haystack " contains \"" #needle "\"", __FILE__, __LINE__)) \
			printf("#   \"%s\" not in \"%s\"\n", n_, h_ ? h_ : "(null)"); \
	} while (0)

static inline int check_done(void)
{
	printf("1..%d\n", check_count);
	return check_failed ? 1 : 0;
}

#endif
