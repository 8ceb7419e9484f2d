/* selftest/unit/xmltext_test.c - tests harness/xmltext.c, and that what
 * it makes is text libxml2 parses back unchanged. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
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
	EXPECT_STREQ(CLEAN("plain text\ttab\nline\r"), "plain text\ttab\nline\r");
	EXPECT_STREQ(CLEAN("<&>\"' ]]> stay for the writer"), "<&>\"' ]]> stay for the writer");
	EXPECT_STREQ(CLEAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	EXPECT_STREQ(CLEAN("\x7f stays (XML 1.0 allows it)"), "\x7f stays (XML 1.0 allows it)");
	EXPECT_STREQ(CLEAN(""), "");
}

static void shows_forbidden_characters(void)
{
	EXPECT_STREQ(CLEAN("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
	EXPECT_STREQ(CLEAN("a\0b"), "a\\x00b");
	EXPECT_STREQ(CLEAN("\x01\x1f\x0b\x0c"), "\\x01\\x1f\\x0b\\x0c");
	EXPECT_STREQ(CLEAN("\xef\xbf\xbe \xef\xbf\xbf"), "\\uFFFE \\uFFFF");
}

static void replaces_invalid_utf8(void)
{
	EXPECT_STREQ(CLEAN("\xff"), "\xef\xbf\xbd");
	EXPECT_STREQ(CLEAN("a\xc0\x80" "b"), "a\xef\xbf\xbd\xef\xbf\xbd" "b");  /* overlong */
	EXPECT_STREQ(CLEAN("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  /* surrogate */
	EXPECT_STREQ(CLEAN("\xf4\x90\x80\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  /* > U+10FFFF */
	EXPECT_STREQ(CLEAN("x\xe2\x82"), "x\xef\xbf\xbd\xef\xbf\xbd");  /* cut short: each byte */
	EXPECT_STREQ(CLEAN("\x80" "A"), "\xef\xbf\xbd" "A");    /* stray continuation */
}

static void caps_keep_head_and_tail(void)
{
	struct xmltext t = { 0 };
	char *big = malloc(100000);

	memset(big, 'a', 50000);
	memset(big + 50000, 'z', 50000);
	xmltext_add(&t, big, 100000);
	xmltext_cap(&t, 4096, "logs/x.stdout");
	EXPECT_TRUE(t.len <= 4096);
	EXPECT_TRUE(t.s[0] == 'a' && t.s[t.len - 1] == 'z');
	EXPECT_CONTAINS(t.s, "[... assay left out ");
	EXPECT_CONTAINS(t.s, " bytes here; the whole output is in logs/x.stdout ...]");
	xmltext_release(&t);

	/* never splits a character: 3-byte euros across the cut */
	for (size_t i = 0; i + 3 <= 99999; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	xmltext_add(&t, big, 99999);
	xmltext_cap(&t, 1000, NULL);
	EXPECT_TRUE(t.len <= 1000);
	EXPECT_TRUE(!strstr(t.s, "\xef\xbf\xbd"));
	EXPECT_TRUE(!strncmp(t.s + t.len - 3, "\xe2\x82\xac", 3));
	xmltext_release(&t);

	xmltext_add(&t, "short", 5);
	xmltext_cap(&t, 1000, NULL);
	EXPECT_STREQ(xmltext_str(&t), "short");
	xmltext_release(&t);
	free(big);
}

static void omission_line(void)
{
	struct xmltext t = { 0 };

	xmltext_puts(&t, "head");
	xmltext_omission(&t, 42, NULL);
	xmltext_puts(&t, "tail");
	EXPECT_STREQ(xmltext_str(&t), "head\n[... assay left out 42 bytes here ...]\ntail");
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
	EXPECT_TRUE(doc != NULL);
	back = doc ? xmlNodeGetContent(xmlDocGetRootElement(doc)) : NULL;
	EXPECT_TRUE(back && !strcmp((const char *)back, t.s));
	xmlFree(back);
	xmlFreeDoc(doc);
	xmlBufferFree(buf);
	xmltext_release(&t);
}

ASSAY_TEST(xmltext, passes_what_xml_holds)
{
	passes_what_xml_holds();
}

ASSAY_TEST(xmltext, shows_forbidden_characters)
{
	shows_forbidden_characters();
}

ASSAY_TEST(xmltext, replaces_invalid_utf8)
{
	replaces_invalid_utf8();
}

ASSAY_TEST(xmltext, caps_keep_head_and_tail)
{
	caps_keep_head_and_tail();
}

ASSAY_TEST(xmltext, omission_line)
{
	omission_line();
}

ASSAY_TEST(xmltext, libxml2_reads_it_back)
{
	libxml2_reads_it_back();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	xmlCleanupParser();
	return rc;
}
