/* selftest/unit/xmltext_test.c - tests harness/xmltext.c, and that what
 * it makes is text libxml2 parses back unchanged. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include "check.h"
#include "harness/xmltext.h"

/* src cleaned, as a string to compare (owned by a static buffer). */
static const char *cleaned(const char *src, size_t n)
{
	static struct xmltext t;

	xmltext_reset(&t);
	xmltext_add(&t, src, n);
	return xmltext_str(&t);
}

#define CLEAN(s) cleaned(s, sizeof(s) - 1)

static void passes_what_xml_holds(void)
{
	CHECK_STR("plain text\ttab\nline\r", CLEAN("plain text\ttab\nline\r"));
	CHECK_STR("<&>\"' ]]> stay for the writer", CLEAN("<&>\"' ]]> stay for the writer"));
	CHECK_STR("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", CLEAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
	CHECK_STR("\x7f stays (XML 1.0 allows it)", CLEAN("\x7f stays (XML 1.0 allows it)"));
	CHECK_STR("", CLEAN(""));
}

static void shows_forbidden_characters(void)
{
	CHECK_STR("\\x1b[31mred\\x1b[0m", CLEAN("\x1b[31mred\x1b[0m"));
	CHECK_STR("a\\x00b", CLEAN("a\0b"));
	CHECK_STR("\\x01\\x1f\\x0b\\x0c", CLEAN("\x01\x1f\x0b\x0c"));
	CHECK_STR("\\uFFFE \\uFFFF", CLEAN("\xef\xbf\xbe \xef\xbf\xbf"));
}

static void replaces_invalid_utf8(void)
{
	CHECK_STR("\xef\xbf\xbd", CLEAN("\xff"));
	CHECK_STR("a\xef\xbf\xbd\xef\xbf\xbd" "b", CLEAN("a\xc0\x80" "b"));  /* overlong */
	CHECK_STR("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", CLEAN("\xed\xa0\x80"));  /* surrogate */
	CHECK_STR("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", CLEAN("\xf4\x90\x80\x80"));  /* > U+10FFFF */
	CHECK_STR("x\xef\xbf\xbd\xef\xbf\xbd", CLEAN("x\xe2\x82"));  /* cut short: each byte */
	CHECK_STR("\xef\xbf\xbd" "A", CLEAN("\x80" "A"));    /* stray continuation */
}

static void caps_keep_head_and_tail(void)
{
	struct xmltext t = { 0 };
	char *big = malloc(100000);

	memset(big, 'a', 50000);
	memset(big + 50000, 'z', 50000);
	xmltext_add(&t, big, 100000);
	xmltext_cap(&t, 4096, "logs/x.stdout");
	CHECK(t.len <= 4096);
	CHECK(t.s[0] == 'a' && t.s[t.len - 1] == 'z');
	CHECK_HAS(t.s, "[... assay left out ");
	CHECK_HAS(t.s, " bytes here; the whole output is in logs/x.stdout ...]");
	xmltext_release(&t);

	/* never splits a character: 3-byte euros across the cut */
	for (size_t i = 0; i + 3 <= 99999; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	xmltext_add(&t, big, 99999);
	xmltext_cap(&t, 1000, NULL);
	CHECK(t.len <= 1000);
	CHECK(!strstr(t.s, "\xef\xbf\xbd"));
	CHECK(!strncmp(t.s + t.len - 3, "\xe2\x82\xac", 3));
	xmltext_release(&t);

	xmltext_add(&t, "short", 5);
	xmltext_cap(&t, 1000, NULL);
	CHECK_STR("short", xmltext_str(&t));
	xmltext_release(&t);
	free(big);
}

static void omission_line(void)
{
	struct xmltext t = { 0 };

	xmltext_puts(&t, "head");
	xmltext_omission(&t, 42, NULL);
	xmltext_puts(&t, "tail");
	CHECK_STR("head\n[... assay left out 42 bytes here ...]\ntail", xmltext_str(&t));
	xmltext_release(&t);
}

/* Every byte value, in every position, through the writer and back. */
static void libxml2_reads_it_back(void)
{
	unsigned char all[256 * 3];
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	struct xmltext t = { 0 };
	xmlDocPtr doc;
	xmlChar *back;

	for (int i = 0; i < 256; i++) {
		all[i] = (unsigned char)i;
		all[256 + i] = (unsigned char)(255 - i);
		all[512 + i] = (unsigned char)(i * 7);
	}
	xmltext_add(&t, (const char *)all, sizeof(all));
	xmltext_puts(&t, " ]]> <![CDATA[ x ]]>");
	xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
	xmlTextWriterStartElement(w, BAD_CAST "t");
	xmlTextWriterWriteAttribute(w, BAD_CAST "a", BAD_CAST t.s);
	xmlTextWriterWriteString(w, BAD_CAST t.s);
	xmlTextWriterEndDocument(w);
	xmlFreeTextWriter(w);
	doc = xmlReadMemory((const char *)buf->content, (int)buf->use, "t.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	CHECK(doc != NULL);
	back = doc ? xmlNodeGetContent(xmlDocGetRootElement(doc)) : NULL;
	CHECK(back && !strcmp((const char *)back, t.s));
	xmlFree(back);
	xmlFreeDoc(doc);
	xmlBufferFree(buf);
	xmltext_release(&t);
}

int main(void)
{
	passes_what_xml_holds();
	shows_forbidden_characters();
	replaces_invalid_utf8();
	caps_keep_head_and_tail();
	omission_line();
	libxml2_reads_it_back();
	xmlCleanupParser();
	return check_done();
}
