/*
 * xalloc.h - allocation that cannot return NULL.
 *
 * Out of memory is the one failure assay does not survive: these print
 * one line and exit 3. Everything else uses struct err. Never returns
 * NULL (but xstrdup_or_null given NULL), never frees on the caller's behalf.
 */
#ifndef ASSAY_XALLOC_H
#define ASSAY_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p to hold at least need elements of size each; *cap tracks it. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
/* xstrdup, but NULL for NULL (an optional string copied). */
char *xstrdup_or_null(const char *s);
/* The first n bytes of s (fewer at a NUL), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
