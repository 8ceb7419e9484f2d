/* term.c - see term.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "xalloc.h"

/* Bytes shown at s[i], or 0 when the byte passes: a C0 control (but a
 * tab in a line), DEL, or the two bytes of a UTF-8 C1 control. */
static size_t unsafe_at(const unsigned char *s, size_t i, size_t n,
			enum term_mode m)
{
	if (s[i] < 0x20)
		return s[i] == '\t' && m == TERM_LINE ? 0 : 1;
	if (s[i] == 0x7f)
		return 1;
	if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
		return 2;
	return 0;
}

/* Whether s[0..n) needs showing in this mode. */
static bool term_unsafe(const char *s, size_t n, enum term_mode m)
{
	for (size_t i = 0; i < n; i++)
		if (unsafe_at((const unsigned char *)s, i, n, m))
			return true;
	return false;
}

/* The shown form of the unsafe bytes at s (k of them) in buf. */
static const char *shown(const unsigned char *s, size_t k, char buf[8])
{
	static const char names[] = { [0] = '0', ['\t'] = 't', ['\n'] = 'n',
				      ['\r'] = 'r', [0x1b] = 'e' };

	if (k == 2)
		snprintf(buf, 8, "\\u%04x", (unsigned)s[1]);
	else if (*s < sizeof(names) && names[*s])
		snprintf(buf, 8, "\\%c", names[*s]);
	else
		snprintf(buf, 8, "\\x%02x", (unsigned)*s);
	return buf;
}

void term_write(FILE *f, const char *s, size_t n, enum term_mode m)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t from = 0;
	char buf[8];

	for (size_t i = 0; i < n;) {
		size_t k = unsafe_at(u, i, n, m);
		if (!k) {
			i++;
			continue;
		}
		fwrite(s + from, 1, i - from, f);
		fputs(shown(u + i, k, buf), f);
		i += k;
		from = i;
	}
	fwrite(s + from, 1, n - from, f);
}

const char *term_name(const char *s, char **tmp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), w = 0;
	char buf[8], *out;

	*tmp = NULL;
	if (!term_unsafe(s, n, TERM_NAME))
		return s;
	out = xmalloc(n * 6 + 1);       /* "\u009b" for 2 bytes at most */
	for (size_t i = 0; i < n;) {
		size_t k = unsafe_at(u, i, n, TERM_NAME);
		if (!k) {
			out[w++] = s[i++];
			continue;
		}
		w += (size_t)sprintf(out + w, "%s", shown(u + i, k, buf));
		i += k;
	}
	out[w] = 0;
	*tmp = out;
	return out;
}
