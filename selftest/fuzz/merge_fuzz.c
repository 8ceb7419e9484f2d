/*
 * selftest/fuzz/merge_fuzz.c - libFuzzer target for `assay merge`
 * (harness/merge.c): any bytes, written to a file and merged twice over
 * (as `assay merge -o out.xml f f`), must be merged or refused without a
 * crash, a leak or a hang, and either way keep merge.h's promises:
 *
 *   merged:  out.xml is well-formed; its root is <testsuites> holding
 *            only <testsuite>s, each with tests/failures/errors/skipped
 *            equal to its own <testcase> children counted again, the
 *            root's tests/failures/errors are their sums, and exactly the
 *            first suite of each input carries assay.merged_from;
 *   refused: ERR_INPUT or ERR_SYS with a message, and no out.xml;
 *   both:    no temporary file left beside out.xml.
 *
 * Built by `make fuzz` with clang; see docs/junit.md for a run's figures.
 *
 * Process-wide state: the paths and fd below, made once by
 * LLVMFuzzerInitialize, removed at exit. Under $TMPDIR, else /tmp.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "harness/err.h"
#include "harness/merge.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char in_path[4096];      /* the input, rewritten by each run */
static int in_fd = -1;
static char dir[4096];          /* private: out.xml and nothing else */
static char out_path[4096];
static int reread_errors;       /* libxml2 errors while re-reading out */

/* The totals a <testsuite> should carry, counted as merge.h says. */
struct counts {
	size_t tests, failures, errors, skipped;
};

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("merge_fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* libxml2 2.12 made the error handler's argument const. */
#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif

static void on_reread_error(void *ctx, XML_ERROR_CONST xmlError *x)
{
	(void)ctx;
	if (x->level >= XML_ERR_ERROR)
		reread_errors++;
}

static void cleanup(void)
{
	unlink(out_path);
	rmdir(dir);
	if (in_fd >= 0)
		close(in_fd);
	unlink(in_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(in_path, sizeof(in_path), "%s/merge_fuzz.in.XXXXXX", tmp);
	snprintf(dir, sizeof(dir), "%s/merge_fuzz.out.XXXXXX", tmp);
	if ((in_fd = mkstemp(in_path)) < 0 || !mkdtemp(dir))
		die("cannot make temporary files in %s", tmp);
	snprintf(out_path, sizeof(out_path), "%s/out.xml", dir);
	atexit(cleanup);
	xmlInitParser();
	/* Ours while the output is re-read; merge_reports puts it back. */
	xmlSetStructuredErrorFunc(NULL, on_reread_error);
	return 0;
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

/* Aborts unless attribute name of n reads exactly as the number want. */
static void expect_count(const xmlNode *n, const char *name, size_t want)
{
	xmlChar *v = xmlGetNoNsProp(n, BAD_CAST name);
	char buf[32];

	snprintf(buf, sizeof(buf), "%zu", want);
	if (!v || !xmlStrEqual(v, BAD_CAST buf))
		die("<%s %s=\"%s\">, but it holds %zu", n->name, name,
		    v ? (const char *)v : "(none)", want);
	xmlFree(v);
}

static void count_cases(const xmlNode *s, struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (const xmlNode *tc = s->children; tc; tc = tc->next) {
		bool failure = false, error = false, skipped = false;

		if (!is_elem(tc, "testcase"))
			continue;
		for (const xmlNode *k = tc->children; k; k = k->next) {
			failure |= is_elem(k, "failure");
			error |= is_elem(k, "error");
			skipped |= is_elem(k, "skipped");
		}
		c->tests++;
		c->failures += failure;
		c->errors += !failure && error;
		c->skipped += !failure && !error && skipped;
	}
}

/* Whether s's first <properties> starts with assay.merged_from = in. */
static bool is_marked(const xmlNode *s)
{
	const xmlNode *props = s->children, *p;
	xmlChar *name, *value;
	bool marked;

	while (props && !is_elem(props, "properties"))
		props = props->next;
	if (!props)
		return false;
	for (p = props->children; p && p->type != XML_ELEMENT_NODE;)
		p = p->next;
	if (!is_elem(p, "property"))
		return false;
	name = xmlGetNoNsProp(p, BAD_CAST "name");
	value = xmlGetNoNsProp(p, BAD_CAST "value");
	marked = name && value &&
		 xmlStrEqual(name, BAD_CAST "assay.merged_from") &&
		 xmlStrEqual(value, BAD_CAST in_path);
	xmlFree(name);
	xmlFree(value);
	return marked;
}

/* The promises of a merged report, checked on out_path. */
static void check_report(void)
{
	xmlDoc *doc;
	xmlNode *root;
	struct counts sum = { 0 }, c;
	size_t suites = 0, marked = 0;

	reread_errors = 0;
	doc = xmlReadFile(out_path, NULL, XML_PARSE_NONET);
	if (!doc || reread_errors)
		die("merged, but %s is not well-formed", out_path);
	root = xmlDocGetRootElement(doc);
	if (!is_elem(root, "testsuites") || root->ns)
		die("merged, but the root is not <testsuites>");
	for (xmlNode *s = root->children; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(s, "testsuite"))
			die("merged, but the root holds a <%s>", s->name);
		count_cases(s, &c);
		expect_count(s, "tests", c.tests);
		expect_count(s, "failures", c.failures);
		expect_count(s, "errors", c.errors);
		expect_count(s, "skipped", c.skipped);
		sum.tests += c.tests;
		sum.failures += c.failures;
		sum.errors += c.errors;
		suites++;
		marked += is_marked(s);
	}
	expect_count(root, "tests", sum.tests);
	expect_count(root, "failures", sum.failures);
	expect_count(root, "errors", sum.errors);
	/* The same input twice: as many suites from each, one marked each. */
	if (suites % 2 || marked != (suites ? 2 : 0))
		die("merged into %zu suites, %zu marked assay.merged_from",
		    suites, marked);
	xmlFreeDoc(doc);
}

/* Aborts if dir holds anything but out.xml, and that only when merged. */
static void check_dir(bool merged)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool seen_out = false;

	if (!d)
		die("cannot list %s", dir);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, "out.xml"))
			seen_out = true;
		else
			die("%s left beside the output", de->d_name);
	}
	closedir(d);
	if (seen_out != merged)
		die(merged ? "merged, but no output" :
			     "refused, but an output was written");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in[2] = { in_path, in_path };
	struct err e = ERR_INIT;
	int rc;

	if (pwrite(in_fd, data, size, 0) != (ssize_t)size ||
	    ftruncate(in_fd, (off_t)size) < 0)
		die("cannot write %s", in_path);
	rc = merge_reports(out_path, in, 2, &e);
	if (rc < 0 && (rc != e.code || !e.msg[0] ||
		       (rc != ERR_INPUT && rc != ERR_SYS)))
		die("refused with %d (err %d) and message \"%s\"", rc, e.code,
		    e.msg);
	if (rc > 0)
		die("merge_reports returned %d", rc);
	check_dir(rc == 0);
	if (rc == 0)
		check_report();
	unlink(out_path);
	return 0;
}
