/*
 * merge.c - see merge.h.
 *
 * Each input is held in memory only while it is read; its suites go to
 * the body of a struct junitfile, which writes the root with the totals
 * around them and renames the result over OUT at the end.
 *
 * Process-wide state: none of ours. While merge_reports runs, libxml2's
 * structured error handler (per thread) points at its struct merge, and
 * the thread's locale is "C" (strtod and %.3f read and write a '.');
 * both are put back before it returns.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>

#include "io.h"
#include "junitfile.h"
#include "merge.h"
#include "xmltext.h"

/* Every input is read with these and nothing else: never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID or HUGE. (A DOCTYPE stops the parser anyway.) */
#define READ_OPTIONS (XML_PARSE_NONET | XML_PARSE_COMPACT)

/* One input as libxml2 reads it, through src_read. */
struct src {
	int fd;
	long long seen;         /* bytes read so far */
	int rerrno;             /* errno of a failed read, 0 if none */
	bool too_big;
};

struct merge {
	struct err *e;
	const char *out;
	const char *path;       /* the input being read or written */
	struct junitfile jf;    /* the suites go to jf.body, before the root */
	xmlBuffer *dump;        /* scratch space for write_copy */
	size_t tests, failures, errors;
	double time;
	bool first;             /* the next suite is its input's first */
	bool has_dtd;           /* the input being read has a <!DOCTYPE> */
	int xml_line;           /* where libxml2's first error was */
	char xml_msg[256];      /* its message; "" if none since reset */
};

/* One suite's own test cases, by the element each holds. */
struct tally {
	size_t tests, failures, errors, skipped;
};

/* What merge_reports changes for its thread and puts back. */
struct env {
	xmlStructuredErrorFunc handler;
	void *handler_ctx;
	locale_t c_numeric;     /* (locale_t)0 if it could not be made */
	locale_t prev;
};

/* libxml2's reports while merge_reports runs, parser and writer alike:
 * the first error (warnings aside) is kept, nothing is printed. */
static void on_xml_error(void *ctx, XML_ERROR_CONST xmlError *x)
{
	struct merge *m = ctx;

	if (x->level < XML_ERR_ERROR || m->xml_msg[0])
		return;
	m->xml_line = x->line;
	snprintf(m->xml_msg, sizeof(m->xml_msg), "%s",
		 x->message ? x->message : "unknown error");
	m->xml_msg[strcspn(m->xml_msg, "\n")] = '\0';
}

/* The parser's own channel for the same (libxml2 >= 2.13 may not fall
 * back to the global handler for parser errors). */
static void on_parse_error(void *ctx, XML_ERROR_CONST xmlError *x)
{
	xmlParserCtxtPtr ctxt = ctx;

	on_xml_error(ctxt->_private, x);
}

static void env_enter(struct env *v, struct merge *m)
{
	v->handler = xmlStructuredError;
	v->handler_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(m, on_xml_error);
	v->c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	v->prev = v->c_numeric ? uselocale(v->c_numeric) : (locale_t)0;
}

static void env_leave(struct env *v)
{
	if (v->c_numeric) {
		uselocale(v->prev);
		freelocale(v->c_numeric);
	}
	xmlSetStructuredErrorFunc(v->handler_ctx, v->handler);
}

/* ---- reading ---- */

static bool is_elem(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

static int too_big(const char *path, struct err *e)
{
	return err_set(e, ERR_INPUT,
		       "%s: larger than 1 GiB; assay merge refuses reports that big",
		       path);
}

/* SAX internalSubset: called at <!DOCTYPE, before anything declared in
 * it is read; stops the parser there. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
		       const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct merge *m = ctxt->_private;

	m->has_dtd = true;
	xmlStopParser(ctxt);
}

static int src_read(void *ctx, char *buf, int len)
{
	struct src *s = ctx;
	ssize_t n = io_read(s->fd, buf, (size_t)len);

	if (n < 0) {
		s->rerrno = errno;
		return -1;
	}
	s->seen += n;
	if (s->seen > MERGE_INPUT_MAX) {
		s->too_big = true;
		return -1;
	}
	return (int)n;
}

static int src_open(struct src *s, const char *path, struct err *e)
{
	struct stat st;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!strcmp(path, "-")) {       /* standard input, whatever it is */
		if ((s->fd = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0)
			return err_set(e, ERR_INPUT, "cannot read standard input: %m");
		return 0;
	}
	/* O_NONBLOCK: a FIFO without a writer must not hang the open */
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return err_set(e, ERR_INPUT, "cannot read report '%s': %m", path);
	if (fstat(s->fd, &st) < 0)
		rc = err_set(e, ERR_INPUT, "cannot read report '%s': %m", path);
	else if (S_ISDIR(st.st_mode))
		rc = err_set(e, ERR_INPUT,
			     "%s: is a directory; assay merge reads JUnit XML files",
			     path);
	else if (!S_ISREG(st.st_mode))
		rc = err_set(e, ERR_INPUT,
			     "%s: not a regular file (a FIFO, socket or device); to merge a stream, give it as '-' on standard input",
			     path);
	else if (S_ISREG(st.st_mode) && st.st_size > MERGE_INPUT_MAX)
		rc = too_big(path, e);
	if (rc < 0)
		close(s->fd);
	return rc;
}

/* Judges what the parser made of path: doc (may be NULL) and s. */
static int input_check(struct merge *m, const char *path,
		       const struct src *s, xmlDoc *doc)
{
	xmlNode *root;

	errno = s->rerrno;
	if (s->too_big)
		return too_big(path, m->e);
	if (s->rerrno)
		return err_set(m->e, ERR_INPUT, "cannot read report '%s': %m", path);
	if (m->has_dtd)
		return err_set(m->e, ERR_INPUT,
			       "%s: has a DTD (<!DOCTYPE>); assay merge refuses DTDs and entities: remove it",
			       path);
	if (m->xml_msg[0])
		return err_set(m->e, ERR_INPUT, "%s:%d: %s (truncated or not XML?)",
			       path, m->xml_line, m->xml_msg);
	if (!doc)
		return err_set(m->e, ERR_INPUT,
			       "%s: not well-formed XML (truncated or not XML?)", path);
	root = xmlDocGetRootElement(doc);
	if (!is_elem(root, "testsuites") && !is_elem(root, "testsuite"))
		return err_set(m->e, ERR_INPUT,
			       "%s: the root element is <%s>, not <testsuites> or <testsuite>: is it a JUnit report?",
			       path, root ? (const char *)root->name : "");
	return 0;
}

/* Parses path into *doc, refusing a DTD and any error libxml2 reports. */
static int input_load(struct merge *m, const char *path, xmlDoc **doc)
{
	xmlParserCtxtPtr ctxt;
	struct src s;
	int rc;

	*doc = NULL;
	if ((rc = src_open(&s, path, m->e)) < 0)
		return rc;
	m->has_dtd = false;
	m->xml_msg[0] = '\0';
	if (!(ctxt = xmlNewParserCtxt())) {
		close(s.fd);
		errno = ENOMEM;
		return err_set(m->e, ERR_SYS, "cannot read report '%s'", path);
	}
	ctxt->_private = m;
	ctxt->sax->internalSubset = on_doctype;
	ctxt->sax->serror = on_parse_error;
	*doc = xmlCtxtReadIO(ctxt, src_read, NULL, &s, path, NULL, READ_OPTIONS);
	xmlFreeParserCtxt(ctxt);
	close(s.fd);
	if ((rc = input_check(m, path, &s, *doc)) < 0) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	return rc;
}

/* Counts a suite's own <testcase> children; each counts once. */
static void tally_suite(const xmlNode *s, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (const xmlNode *tc = s->children; tc; tc = tc->next) {
		bool failure = false, error = false, skipped = false;

		if (!is_elem(tc, "testcase"))
			continue;
		for (const xmlNode *c = tc->children; c; c = c->next) {
			failure |= is_elem(c, "failure");
			error |= is_elem(c, "error");
			skipped |= is_elem(c, "skipped");
		}
		t->tests++;
		t->failures += failure;
		t->errors += !failure && error;
		t->skipped += !failure && !error && skipped;
	}
}

/* The suite's time attribute in seconds, when it reads as a number
 * from 0 to SUITE_TIME_MAX ("1,234.5" included: Surefire groups
 * thousands); the cap keeps the sum finite whatever the inputs say. */
#define SUITE_TIME_MAX 1e9
static bool suite_time(xmlNode *s, double *out)
{
	xmlChar *v = xmlGetNoNsProp(s, BAD_CAST "time");
	char buf[64], *end;
	size_t n = 0;

	if (!v)
		return false;
	for (const xmlChar *p = v; *p && n < sizeof(buf) - 1; p++)
		if (*p != ',')
			buf[n++] = (char)*p;
	buf[n] = '\0';
	xmlFree(v);
	*out = strtod(buf, &end);
	while (isspace((unsigned char)*end))
		end++;
	return end != buf && !*end && n < sizeof(buf) - 1 && isfinite(*out) &&
	       *out >= 0 && *out <= SUITE_TIME_MAX;
}

/* Whether s has suites nested in it and no other element. */
static bool only_suites(const xmlNode *s)
{
	bool any = false;

	for (const xmlNode *c = s->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_elem(c, "testsuite"))
			return false;
		any = true;
	}
	return any;
}

static xmlNode *first_child(xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* ---- writing ---- */

/* The error for a failed write of the report (its or the body's). */
static int write_failed(struct merge *m)
{
	errno = m->jf.werrno;
	if (errno)
		return err_set(m->e, ERR_SYS, "cannot write the merged report '%s'",
			       m->out);
	return err_set(m->e, ERR_SYS, "cannot write the merged report '%s': %s",
		       m->out, m->xml_msg[0] ? m->xml_msg : "libxml2's writer failed");
}

/* A line break and depth levels of two-space indentation, as text.
 * (Not xmlTextWriterWriteFormat*: each of those allocates 8 KiB.) */
static int indent(xmlTextWriterPtr w, int depth)
{
	static const char *const pad[] = { "\n", "\n  ", "\n    ", "\n      " };

	assert(depth >= 0 && depth < (int)(sizeof(pad) / sizeof(pad[0])));
	return xmlTextWriterWriteString(w, BAD_CAST pad[depth]);
}

static int write_count(xmlTextWriterPtr w, const char *name, size_t n)
{
	char v[32];

	snprintf(v, sizeof(v), "%zu", n);
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
}

/* node and everything in it, as libxml2 serialises it, on a new line;
 * buf is scratch space. */
static int write_copy(xmlTextWriterPtr w, xmlBuffer *buf, xmlNode *node,
		      int depth)
{
	xmlBufferEmpty(buf);
	if (indent(w, depth) < 0 || xmlNodeDump(buf, node->doc, node, 0, 0) < 0)
		return -1;
	return xmlTextWriterWriteRawLen(w, xmlBufferContent(buf),
					xmlBufferLength(buf));
}

/* Whether an attribute of a suite is one written anew. */
static bool is_rewritten(const xmlAttr *a)
{
	static const char *const names[] = {
		"name", "tests", "failures", "errors", "skipped", NULL
	};

	for (size_t i = 0; !a->ns && names[i]; i++)
		if (xmlStrEqual(a->name, BAD_CAST names[i]))
			return true;
	return false;
}

static int write_attr(xmlTextWriterPtr w, xmlAttr *a)
{
	xmlChar *v = xmlNodeGetContent((xmlNode *)a);
	int rc = xmlTextWriterWriteAttributeNS(w, a->ns ? a->ns->prefix : NULL,
					       a->name, NULL,
					       v ? v : BAD_CAST "");

	xmlFree(v);
	return rc;
}

static int write_suite_attrs(xmlTextWriterPtr w, xmlNode *s,
			     const struct tally *t)
{
	xmlChar *name = xmlGetNoNsProp(s, BAD_CAST "name");
	int rc = xmlTextWriterWriteAttribute(w, BAD_CAST "name",
					     name && *name ? name : BAD_CAST "(unnamed)");

	xmlFree(name);
	if (rc < 0 || write_count(w, "tests", t->tests) < 0 ||
	    write_count(w, "failures", t->failures) < 0 ||
	    write_count(w, "errors", t->errors) < 0 ||
	    write_count(w, "skipped", t->skipped) < 0)
		return -1;
	for (xmlAttr *a = s->properties; a; a = a->next)
		if (!is_rewritten(a) && write_attr(w, a) < 0)
			return -1;
	return 0;
}

/* The namespaces a suite's copy uses that are declared on the suite or
 * above it: its start tag must declare them once its ancestors are gone.
 * Bounded, so that a hostile report cannot make each suite repeat (or
 * look through) thousands of declarations; a JUnit report needs none. */
#define SUITE_NS_MAX 16         /* distinct namespaces one suite uses */
#define SCOPE_NS_MAX 256        /* declarations on a suite and above it */

struct nsset {
	const xmlNs *v[SUITE_NS_MAX];
	size_t n;
	bool over;
};

static bool declares(const xmlNode *n, const xmlNs *ns)
{
	for (const xmlNs *d = n->nsDef; d; d = d->next)
		if (d == ns)
			return true;
	return false;
}

/* ns, used at n: remembered unless n, copied whole, declares it itself
 * (the suite top's start tag is written anew: its own count), or it is
 * the built-in xml prefix. */
static void ns_use(struct nsset *u, const xmlNode *n, const xmlNode *top,
		   const xmlNs *ns)
{
	if (!ns || (n != top && declares(n, ns)) ||
	    (ns->prefix && xmlStrEqual(ns->prefix, BAD_CAST "xml")))
		return;
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i] == ns)
			return;
	if (u->n == SUITE_NS_MAX)
		u->over = true;
	else
		u->v[u->n++] = ns;
}

/* Walks n and the elements under it (not into the suites nested in the
 * suite top: they are written on their own). */
static void ns_collect(struct nsset *u, const xmlNode *n, const xmlNode *top)
{
	ns_use(u, n, top, n->ns);
	for (const xmlAttr *a = n->properties; a; a = a->next)
		ns_use(u, n, top, a->ns);
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !(n == top && is_elem(c, "testsuite")))
			ns_collect(u, c, top);
}

/* 1: ns is declared on s or above it; 0: inside the copy; -1: more
 * than SCOPE_NS_MAX declarations were looked at. */
static int declared_in_scope(const xmlNode *s, const xmlNs *ns)
{
	size_t seen = 0;

	for (const xmlNode *n = s; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		for (const xmlNs *d = n->nsDef; d; d = d->next) {
			if (d == ns)
				return 1;
			if (++seen > SCOPE_NS_MAX)
				return -1;
		}
	return 0;
}

static int too_many_ns(struct merge *m, const xmlNode *s)
{
	long line = xmlGetLineNo(s);

	return err_set(m->e, ERR_INPUT,
		       "%s:%ld: suite uses more than %d XML namespaces, or sits under more than %d declarations; a JUnit report needs none: remove them",
		       m->path, line > 0 ? line : 0L, SUITE_NS_MAX, SCOPE_NS_MAX);
}

/* Declares on s's start tag the namespaces its copy needs. */
static int write_ns_decls(struct merge *m, xmlNode *s)
{
	struct nsset u = { .n = 0 };

	ns_collect(&u, s, s);
	if (u.over)
		return too_many_ns(m, s);
	for (size_t i = 0; i < u.n; i++) {
		const xmlNs *ns = u.v[i];
		int in_scope = declared_in_scope(s, ns);

		if (in_scope < 0)
			return too_many_ns(m, s);
		if (in_scope && xmlTextWriterWriteAttributeNS(m->jf.body,
				ns->prefix ? BAD_CAST "xmlns" : NULL,
				ns->prefix ? ns->prefix : BAD_CAST "xmlns",
				NULL, ns->href ? ns->href : BAD_CAST "") < 0)
			return write_failed(m);
	}
	return 0;
}

static int copy_children(struct merge *m, xmlNode *parent, int depth,
			 xmlNode *props);

/* <properties> with assay.merged_from first, then what props (the
 * suite's own, or NULL) holds. */
static int write_properties(struct merge *m, xmlNode *props)
{
	xmlTextWriterPtr w = m->jf.body;
	struct xmltext path = { 0 };
	int rc;

	xmltext_puts(&path, m->path);
	rc = indent(w, 2) < 0 ||
	     xmlTextWriterStartElement(w, BAD_CAST "properties") < 0 ||
	     indent(w, 3) < 0 ||
	     xmlTextWriterStartElement(w, BAD_CAST "property") < 0 ||
	     xmlTextWriterWriteAttribute(w, BAD_CAST "name",
					 BAD_CAST "assay.merged_from") < 0 ||
	     xmlTextWriterWriteAttribute(w, BAD_CAST "value",
					 BAD_CAST xmltext_str(&path)) < 0 ||
	     xmlTextWriterEndElement(w) < 0;
	xmltext_release(&path);
	if (rc || (props && copy_children(m, props, 3, NULL) < 0) ||
	    indent(w, 2) < 0 || xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

/* Copies parent's children at depth but blank text (the output is
 * indented anew) and nested suites (written on their own); props, when
 * met, gets assay.merged_from. */
static int copy_children(struct merge *m, xmlNode *parent, int depth,
			 xmlNode *props)
{
	for (xmlNode *c = parent->children; c; c = c->next) {
		int rc;

		if ((c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) ||
		    is_elem(c, "testsuite"))
			continue;
		rc = c == props ? write_properties(m, c) :
				  write_copy(m->jf.body, m->dump, c, depth);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Writes suite s with its own children (not the suites nested in it). */
static int write_suite(struct merge *m, xmlNode *s)
{
	xmlTextWriterPtr w = m->jf.body;
	xmlNode *props = m->first ? first_child(s, "properties") : NULL;
	struct tally t;
	int rc;

	tally_suite(s, &t);
	if (indent(w, 1) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0 ||
	    write_suite_attrs(w, s, &t) < 0)
		return write_failed(m);
	if ((rc = write_ns_decls(m, s)) < 0)
		return rc;
	if ((m->first && !props && write_properties(m, NULL) < 0) ||
	    copy_children(m, s, 2, props) < 0 || indent(w, 1) < 0 ||
	    xmlTextWriterEndElement(w) < 0)
		return write_failed(m);
	m->tests += t.tests;
	m->failures += t.failures;
	m->errors += t.errors;
	m->first = false;
	return 0;
}

/* Writes s (unless it only groups suites), then each suite nested in
 * it, in document order; adds s's time to *time (its nested suites'
 * when it has none of its own). */
static int write_tree(struct merge *m, xmlNode *s, double *time)
{
	double own, nested = 0;
	int rc;

	if (!only_suites(s) && (rc = write_suite(m, s)) < 0)
		return rc;
	for (xmlNode *c = s->children; c; c = c->next)
		if (is_elem(c, "testsuite") && (rc = write_tree(m, c, &nested)) < 0)
			return rc;
	*time += suite_time(s, &own) ? own : nested;
	return 0;
}

/* Reads path and writes its suites to the body. */
static int merge_input(struct merge *m, const char *path)
{
	xmlDoc *doc;
	xmlNode *root;
	int rc;

	if ((rc = input_load(m, path, &doc)) < 0)
		return rc;
	m->path = path;
	m->first = true;
	root = xmlDocGetRootElement(doc);
	if (is_elem(root, "testsuite"))
		rc = write_tree(m, root, &m->time);
	else
		for (xmlNode *s = root->children; s && !rc; s = s->next)
			if (is_elem(s, "testsuite"))
				rc = write_tree(m, s, &m->time);
	xmlFreeDoc(doc);
	return rc;
}

/* Appends the body file to the report, as the writer made it. */
/* The report: the root with the totals around the suites. */
static int write_report(struct merge *m)
{
	char time[400];         /* %.3f of up to DBL_MAX */

	snprintf(time, sizeof(time), "%.3f", m->time);
	if (indent(m->jf.body, 0) < 0)
		return write_failed(m);
	if (junitfile_commit(&m->jf, &(struct junit_totals){
			m->tests, m->failures, m->errors, time }) < 0) {
		m->jf.werrno = errno;
		return write_failed(m);
	}
	return 0;
}

int merge_reports(const char *out, const char *const *in, size_t n,
		  struct err *e)
{
	struct merge m = { .e = e, .out = out, .jf = { .body_fd = -1 } };
	struct env v;
	int rc = 0;

	assert(out && (in || !n));
	env_enter(&v, &m);
	if (!(m.dump = xmlBufferCreate())) {
		errno = ENOMEM;
		rc = err_set(e, ERR_SYS, "cannot merge reports into '%s'", out);
	} else {
		if (junitfile_open(&m.jf, out) < 0)     /* as run --junit */
			rc = err_set(e, ERR_USAGE,
				     "cannot create a temporary file beside '%s' to write the merged report (check that its directory exists and is writable)",
				     out);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = merge_input(&m, in[i]);
	if (!rc)
		rc = write_report(&m);
	junitfile_abort(&m.jf);
	if (m.dump)
		xmlBufferFree(m.dump);
	env_leave(&v);
	return rc;
}
