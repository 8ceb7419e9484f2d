/* xmltext.c - see xmltext.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "xmltext.h"

static void put(struct xmltext *t, const char *s, size_t n)
{
	xgrow((void **)&t->s, &t->cap, t->len + n + 1, 1);
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), its code
 * point in *cp; 0 when the bytes there are not one (stray, truncated,
 * overlong, a surrogate, beyond U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	uint32_t c;

	if (!len || s[0] > 0xf4 || len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Whether an ASCII byte may appear as itself. */
static int ascii_ok(unsigned char c)
{
	return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

void xmltext_add(struct xmltext *t, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0;

	while (i < n) {
		size_t run = i, len;
		uint32_t cp;
		char esc[16];

		while (run < n && s[run] < 0x80 && ascii_ok(s[run]))
			run++;
		put(t, src + i, run - i);
		if ((i = run) == n)
			break;
		if (s[i] < 0x80) {              /* a forbidden control */
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			put(t, esc, strlen(esc));
			i++;
		} else if (!(len = utf8_seq(s + i, n - i, &cp))) {
			put(t, "\xef\xbf\xbd", 3);      /* U+FFFD */
			i++;
		} else if (cp == 0xfffe || cp == 0xffff) {
			snprintf(esc, sizeof(esc), "\\u%04" PRIX32, cp);
			put(t, esc, strlen(esc));
			i += len;
		} else {
			put(t, src + i, len);
			i += len;
		}
	}
	if (!t->s)
		put(t, "", 0);
}

void xmltext_puts(struct xmltext *t, const char *s)
{
	xmltext_add(t, s, strlen(s));
}

void xmltext_omission(struct xmltext *t, uint64_t n, const char *where)
{
	char line[64];

	snprintf(line, sizeof(line), "%s[... assay left out %" PRIu64 " bytes here",
		 t->len && t->s[t->len - 1] != '\n' ? "\n" : "", n);
	put(t, line, strlen(line));
	if (where) {
		put(t, "; the whole output is in ", 25);
		xmltext_puts(t, where);
	}
	put(t, " ...]\n", 6);
}

/* Moves i back (dir -1) or forward (dir 1) off UTF-8 continuation bytes. */
static size_t boundary(const char *s, size_t len, size_t i, int dir)
{
	while (i > 0 && i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
		i += dir;
	return i;
}

void xmltext_cap(struct xmltext *t, size_t max, const char *where)
{
	struct xmltext out = { 0 }, line = { 0 };
	size_t room, head, tail;

	if (t->len <= max)
		return;
	/* the longest the omission line can be, where cleaned included */
	xmltext_puts(&line, "x");
	xmltext_omission(&line, UINT64_MAX, where);
	room = max - line.len;
	xmltext_release(&line);
	if (room > max || room < 16) {  /* where is about as long as the cap */
		if (where)
			xmltext_cap(t, max, NULL);
		return;
	}
	head = boundary(t->s, t->len, room / 2, -1);
	tail = boundary(t->s, t->len, t->len - (room - room / 2), 1);
	put(&out, t->s, head);
	xmltext_omission(&out, tail - head, where);
	put(&out, t->s + tail, t->len - tail);
	xmltext_release(t);
	*t = out;
}

const char *xmltext_str(const struct xmltext *t)
{
	return t->s ? t->s : "";
}

void xmltext_reset(struct xmltext *t)
{
	t->len = 0;
	if (t->s)
		t->s[0] = 0;
}

void xmltext_release(struct xmltext *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}
