/*
 * xmltext.h - any bytes made into text XML 1.0 can hold.
 *
 * libxml2's writer escapes markup but passes through bytes that make a
 * document ill-formed (controls, invalid UTF-8), and every CI parser then
 * rejects the whole report. Text built here is valid UTF-8 of XML Chars
 * only: invalid bytes become U+FFFD, forbidden characters are shown
 * (`\x1b`, `\uFFFE`), and a cap keeps the head and tail with a line
 * saying how much was left out. Never loses the fact that something was
 * changed or cut, never produces a byte sequence that is not UTF-8.
 */
#ifndef ASSAY_XMLTEXT_H
#define ASSAY_XMLTEXT_H

#include <stddef.h>
#include <stdint.h>

struct xmltext {
	char *s;                /* NUL-terminated; NULL until something is added */
	size_t len, cap;
};

/* Appends src[0..n) made valid. */
void xmltext_add(struct xmltext *t, const char *src, size_t n);
/* Appends a C string made valid. */
void xmltext_puts(struct xmltext *t, const char *s);
/* Appends the line "[... assay left out N bytes here...]": after
 * "here", where (may be NULL) as "; the whole output is in PATH". */
void xmltext_omission(struct xmltext *t, uint64_t n, const char *where);
/*
 * Cuts t to at most max bytes (max >= 256; where, cleaned, must fit in
 * it, else it is left out): keeps the first and last
 * parts, split on character boundaries, with an omission line between.
 */
void xmltext_cap(struct xmltext *t, size_t max, const char *where);
/* The text so far ("" when empty). */
const char *xmltext_str(const struct xmltext *t);
void xmltext_reset(struct xmltext *t);
void xmltext_release(struct xmltext *t);

#endif
