/*
 * merge.c - see merge.h.
 *
 * One pass over each input with libxml2's xmlTextReader, one node at a
 * time. A suite's counts come first in its start tag but are known only
 * at its end tag, so an open suite's head (its name and other
 * attributes) and its own content go to the spool: one unlinked
 * temporary file beside OUT, used as a stack, the innermost open
 * suite's bytes at its end. At a suite's end tag its start tag is
 * written to the report's body with the counts, then its spooled bytes,
 * and the spool is cut back to where the suite began; the suite it was
 * nested in goes on writing there. So each byte is spooled once, and a
 * nested suite is written before the suite it was in. Memory is the
 * open suites' bookkeeping, a bounded table of namespace declarations,
 * two buffers of fixed size and what libxml2 holds of one node,
 * whatever the input's size.
 *
 * Everything written is either structure made here or a value the
 * reader gave, escaped here (put_escaped), through struct ofile; the
 * suites go straight to junitfile's body file, and junitfile writes the
 * root around them.
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

#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "io.h"
#include "junitfile.h"
#include "merge.h"
#include "xalloc.h"
#include "xmltext.h"

/* Every input is read with these and nothing else: never NOENT, DTDLOAD,
 * DTDATTR, DTDVALID or HUGE (HUGE would lift libxml2's caps on a text
 * node, 10 MB, and on the names it keeps, 10 MB). */
#define READ_OPTIONS (XML_PARSE_NONET | XML_PARSE_COMPACT)

#define COPY_CHUNK (256 * 1024)

/* Where the prolog scanner is (see prolog_scan). */
enum prolog {
	P_TEXT, P_LT, P_BANG, P_BANG_DASH, P_PI, P_PI_Q,
	P_COMMENT, P_COMMENT_D1, P_COMMENT_D2, P_DONE
};

/* One input as libxml2 reads it, through src_read. */
struct src {
	int fd;
	long long seen;         /* bytes read so far */
	int rerrno;             /* errno of a failed read, 0 if none */
	bool too_big;
	bool dtd;               /* a <!DOCTYPE> before the root */
	enum prolog prolog;
};

/* The namespaces declared on the open suites and the root, outermost
 * first, that a suite's start tag may have to declare again. Bounded:
 * past SCOPE_NS_MAX entries or SCOPE_NS_BYTES of names, declarations
 * are counted as lost, and a suite that then uses any namespace at all
 * is refused. A JUnit report needs none. */
#define SUITE_NS_MAX 16         /* distinct namespaces one suite uses */
#define SCOPE_NS_MAX 256        /* declarations on a suite and above it */
#define SCOPE_NS_BYTES 65536

/* One suite whose end tag has not been read yet. Offsets are in the
 * spool: its head from start (" name=..." to name_end, the other
 * attributes to head_end), then its own content. */
struct level {
	off_t start, name_end, head_end;
	off_t inject_at;        /* where assay.merged_from goes, once known */
	int depth;              /* the reader's depth of its element */
	long line;
	bool injecting;         /* inject_at is set */
	bool own_props;         /* its first child element is <properties> */
	bool props_open;        /* ... and its end tag is not read yet */
	bool had_suite, had_other;      /* child elements: suites, others */
	bool in_case, case_failure, case_error, case_skipped;
	size_t tests, failures, errors, skipped;
	bool time_ok;
	double time, nested;    /* its own time; its nested suites' sum */
	size_t scope_n, scope_lost;     /* the scope when it began */
	size_t used[SUITE_NS_MAX];      /* scope entries its copy uses */
	size_t nused;
};

struct nsdecl {
	char *prefix;           /* NULL: the default namespace */
	char *uri;
};

/*
 * Bytes on their way to a file: a buffer in front of an fd, written with
 * pwrite at the file's logical end, so that what is still in the buffer
 * can be cut or read back without a system call (most suites never
 * reach the disk). The spool and the report's body are both such files.
 */
struct ofile {
	int fd;
	off_t base;             /* bytes in the file before buf */
	char *buf;              /* OFILE_BUF bytes */
	size_t len;
	int werrno;             /* errno of the first failed write, or 0 */
};

#define OFILE_BUF (256 * 1024)

struct merge {
	struct err *e;
	const char *out;
	const char *path;       /* the input being read */
	struct junitfile jf;    /* holds the body file and writes the root */
	struct ofile body;      /* the suites, on jf.body_fd */
	struct ofile spool;     /* the open suites */
	char *chunk;            /* COPY_CHUNK bytes of scratch space */
	struct level *lv;       /* the open suites, outermost first (libxml2
				 * caps the depth at 256) */
	size_t nlv, lv_cap;
	struct nsdecl scope[SCOPE_NS_MAX];
	size_t scope_n, scope_bytes, scope_lost;
	size_t tests, failures, errors;
	double time;
	bool first;             /* no suite of this input written yet */
	bool root;              /* the root element was read */
	bool has_dtd;           /* the input has a <!DOCTYPE> */
	int xml_line;           /* where libxml2's first error was */
	char xml_msg[256];      /* its message; "" if none since reset */
};

/* What merge_reports changes for its thread and puts back. */
struct env {
	xmlStructuredErrorFunc handler;
	void *handler_ctx;
	locale_t c_numeric;     /* (locale_t)0 if it could not be made */
	locale_t prev;
};

/* libxml2's reports while merge_reports runs, reader and writer alike:
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

/* ---- the input ---- */

static int too_big(const char *path, struct err *e)
{
	return err_set(e, ERR_INPUT,
		       "%s: larger than 1 GiB; assay merge refuses reports that big",
		       path);
}

/*
 * Looks through the prolog for a <!DOCTYPE, byte by byte as it is read,
 * so that a DTD is refused before libxml2 reads its declarations (its
 * reader hands over no node before the whole prolog is parsed: a 24 MB
 * internal subset took it 2 minutes to refuse). Passes over the XML
 * declaration, processing instructions, comments and white space; stops
 * at the root's '<'. NUL bytes are passed over, so UTF-16 reads as ASCII
 * here. Any "<!" other than a comment counts as a DTD (in a prolog it is
 * one, or not XML).
 */
static void prolog_scan(struct src *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && s->prolog != P_DONE; i++) {
		char c = buf[i];

		if (c == '\0')
			continue;
		switch (s->prolog) {
		case P_TEXT:
			s->prolog = c == '<' ? P_LT : P_TEXT;
			break;
		case P_LT:
			s->prolog = c == '?' ? P_PI : c == '!' ? P_BANG : P_DONE;
			break;
		case P_BANG:
			s->dtd = c != '-';
			s->prolog = s->dtd ? P_DONE : P_BANG_DASH;
			break;
		case P_BANG_DASH:
			s->prolog = c == '-' ? P_COMMENT : P_DONE;
			break;
		case P_PI:
			s->prolog = c == '?' ? P_PI_Q : P_PI;
			break;
		case P_PI_Q:
			s->prolog = c == '>' ? P_TEXT : c == '?' ? P_PI_Q : P_PI;
			break;
		case P_COMMENT:
			s->prolog = c == '-' ? P_COMMENT_D1 : P_COMMENT;
			break;
		case P_COMMENT_D1:
			s->prolog = c == '-' ? P_COMMENT_D2 : P_COMMENT;
			break;
		case P_COMMENT_D2:
			s->prolog = c == '>' ? P_TEXT : c == '-' ? P_COMMENT_D2 : P_COMMENT;
			break;
		case P_DONE:
			break;
		}
	}
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
	prolog_scan(s, buf, (size_t)n);
	return s->dtd ? -1 : (int)n;
}

static int src_open(struct src *s, const char *path, struct err *e)
{
	struct stat st;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->prolog = P_TEXT;
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
	else if (st.st_size > MERGE_INPUT_MAX)
		rc = too_big(path, e);
	if (rc < 0)
		close(s->fd);
	return rc;
}

/* Judges how reading path ended: r is the reader's last return. */
static int input_check(struct merge *m, const char *path,
		       const struct src *s, int r)
{
	errno = s->rerrno;
	if (s->too_big)
		return too_big(path, m->e);
	if (s->rerrno)
		return err_set(m->e, ERR_INPUT, "cannot read report '%s': %m", path);
	if (s->dtd || m->has_dtd)
		return err_set(m->e, ERR_INPUT,
			       "%s: has a DTD (<!DOCTYPE>); assay merge refuses DTDs and entities: remove it",
			       path);
	if (m->xml_msg[0])
		return err_set(m->e, ERR_INPUT, "%s:%d: %s (truncated or not XML?)",
			       path, m->xml_line, m->xml_msg);
	if (r < 0 || !m->root)
		return err_set(m->e, ERR_INPUT,
			       "%s: not well-formed XML (truncated or not XML?)", path);
	return 0;
}

/* The reader's names and values, as char. */
static const char *rd_name(xmlTextReaderPtr rd)
{
	return (const char *)xmlTextReaderConstName(rd);
}

static const char *rd_local(xmlTextReaderPtr rd)
{
	return (const char *)xmlTextReaderConstLocalName(rd);
}

static const char *rd_value(xmlTextReaderPtr rd)
{
	const xmlChar *v = xmlTextReaderConstValue(rd);

	return v ? (const char *)v : "";
}

static bool is_local(xmlTextReaderPtr rd, const char *name)
{
	const char *l = rd_local(rd);

	return l && !strcmp(l, name);
}

/* Whether a text node holds only XML white space. */
static bool is_blank(const char *v)
{
	return v[strspn(v, " \t\r\n")] == '\0';
}

/* ---- writing ---- */


static off_t of_end(const struct ofile *f)
{
	return f->base + (off_t)f->len;
}

/* s[0..n) at the file's offset at. */
static int of_pwrite(struct ofile *f, const char *s, size_t n, off_t at)
{
	while (n) {
		ssize_t k = pwrite(f->fd, s, n, at);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			f->werrno = k < 0 ? errno : EIO;
			return -1;
		}
		s += k;
		n -= (size_t)k;
		at += k;
	}
	return 0;
}

static int of_flush(struct ofile *f)
{
	if (f->werrno || of_pwrite(f, f->buf, f->len, f->base) < 0)
		return -1;
	f->base += (off_t)f->len;
	f->len = 0;
	return 0;
}

static int put_len(struct ofile *f, const char *s, size_t n)
{
	if (f->len + n > OFILE_BUF && of_flush(f) < 0)
		return -1;
	if (n >= OFILE_BUF) {
		if (of_pwrite(f, s, n, f->base) < 0)
			return -1;
		f->base += (off_t)n;
		return 0;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return 0;
}

/* Forgets f's bytes from at (at most its end) on. */
static void of_cut(struct ofile *f, off_t at)
{
	if (at >= f->base) {
		f->len = (size_t)(at - f->base);
	} else {
		f->base = at;
		f->len = 0;
	}
}

/* from's bytes [a, b) appended to to; chunk: COPY_CHUNK bytes of
 * scratch space. */
static int of_copy(struct ofile *to, struct ofile *from, off_t a, off_t b,
		   char *chunk)
{
	while (a < b && a < from->base) {       /* the part on disk */
		off_t end = b < from->base ? b : from->base;
		size_t want = (size_t)(end - a) < COPY_CHUNK ?
			      (size_t)(end - a) : COPY_CHUNK;
		ssize_t n = pread(from->fd, chunk, want, a);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			from->werrno = n < 0 ? errno : EIO;
			return -1;
		}
		if (put_len(to, chunk, (size_t)n) < 0)
			return -1;
		a += n;
	}
	if (a >= b)
		return 0;
	return put_len(to, from->buf + (a - from->base), (size_t)(b - a));
}

static int put(struct ofile *f, const char *s)
{
	return put_len(f, s, strlen(s));
}

/* v as text (attr false) or as an attribute's value in double quotes:
 * markup, '\r' and, in an attribute, the white space it would fold
 * escaped. The reader's values are XML Chars already; a path given on
 * the command line is made so by xmltext first. */
static int put_escaped(struct ofile *f, const char *v, bool attr)
{
	const char *run = v;

	for (const char *p = v;; p++) {
		const char *esc;

		switch (*p) {
		case '\0':
			return put_len(f, run, (size_t)(p - run));
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '\r': esc = "&#13;"; break;
		case '"': esc = attr ? "&quot;" : NULL; break;
		case '\n': esc = attr ? "&#10;" : NULL; break;
		case '\t': esc = attr ? "&#9;" : NULL; break;
		default: esc = NULL; break;
		}
		if (esc && (put_len(f, run, (size_t)(p - run)) < 0 ||
			    put(f, esc) < 0))
			return -1;
		if (esc)
			run = p + 1;
	}
}

/* ` name="value"` */
static int put_attr(struct ofile *f, const char *name, const char *value)
{
	if (put(f, " ") < 0 || put(f, name) < 0 || put(f, "=\"") < 0 ||
	    put_escaped(f, value, true) < 0)
		return -1;
	return put(f, "\"");
}

static int put_count(struct ofile *f, const char *name, size_t n)
{
	char v[32];

	snprintf(v, sizeof(v), "%zu", n);
	return put_attr(f, name, v);
}

/* A line break and depth levels of two-space indentation. */
static int indent(struct ofile *f, int depth)
{
	static const char *const pad[] = { "\n", "\n  ", "\n    ", "\n      " };

	assert(depth >= 0 && depth < (int)(sizeof(pad) / sizeof(pad[0])));
	return put(f, pad[depth]);
}

/* The error for a failed write of the report, the body or the spool. */
static int write_failed(struct merge *m)
{
	errno = m->body.werrno ? m->body.werrno :
		m->spool.werrno ? m->spool.werrno : m->jf.werrno;
	if (errno)
		return err_set(m->e, ERR_SYS, "cannot write the merged report '%s'",
			       m->out);
	return err_set(m->e, ERR_SYS, "cannot write the merged report '%s': %s",
		       m->out, m->xml_msg[0] ? m->xml_msg : "libxml2's writer failed");
}

/* The spool's bytes [a, b) to the report's body. */
static int spool_copy(struct merge *m, off_t a, off_t b)
{
	return of_copy(&m->body, &m->spool, a, b, m->chunk);
}

/* ---- namespaces ---- */

static void scope_push(struct merge *m, const char *prefix, const char *uri)
{
	size_t bytes = (prefix ? strlen(prefix) : 0) + strlen(uri) + 2;

	/* once one is lost, the later ones are too: the table then holds
	 * the outermost declarations, never a gap */
	if (m->scope_lost || m->scope_n == SCOPE_NS_MAX ||
	    m->scope_bytes + bytes > SCOPE_NS_BYTES) {
		m->scope_lost++;
		return;
	}
	m->scope[m->scope_n++] = (struct nsdecl){
		prefix ? xstrdup(prefix) : NULL, xstrdup(uri)
	};
	m->scope_bytes += bytes;
}

/* Forgets the declarations made since the table held n and lost. */
static void scope_pop(struct merge *m, size_t n, size_t lost)
{
	while (m->scope_n > n) {
		struct nsdecl *d = &m->scope[--m->scope_n];

		m->scope_bytes -= (d->prefix ? strlen(d->prefix) : 0) +
				  strlen(d->uri) + 2;
		free(d->prefix);
		free(d->uri);
	}
	m->scope_lost = lost;
}

/* The declarations on the element the reader is on, to the table. */
static void scope_add_decls(struct merge *m, xmlTextReaderPtr rd)
{
	while (xmlTextReaderMoveToNextAttribute(rd) == 1)
		if (xmlTextReaderIsNamespaceDecl(rd) == 1)
			scope_push(m, strcmp(rd_name(rd), "xmlns") ? rd_local(rd) : NULL,
				   rd_value(rd));
	xmlTextReaderMoveToElement(rd);
}

static int too_many_ns(struct merge *m, const struct level *lv)
{
	return err_set(m->e, ERR_INPUT,
		       "%s:%ld: suite uses more than %d XML namespaces, or sits under more than %d declarations; a JUnit report needs none: remove them",
		       m->path, lv->line, SUITE_NS_MAX, SCOPE_NS_MAX);
}

/*
 * The node the reader is on, in lv's copy, is in namespace uri under
 * prefix (NULL: none): when the innermost declaration of prefix in the
 * table binds it to uri, lv's start tag must declare it again. (A prefix
 * bound to something else, or not in the table, is declared inside the
 * copy, which keeps its declarations.)
 */
static int ns_use(struct merge *m, struct level *lv, const char *prefix,
		  const char *uri)
{
	if (!uri || (prefix && !strcmp(prefix, "xml")))
		return 0;
	if (m->scope_lost)      /* the innermost declarations are not known */
		return too_many_ns(m, lv);
	for (size_t i = m->scope_n; i-- > 0;) {
		const struct nsdecl *d = &m->scope[i];

		if (!(prefix ? d->prefix && !strcmp(d->prefix, prefix) : !d->prefix))
			continue;
		if (strcmp(d->uri, uri))
			return 0;
		for (size_t k = 0; k < lv->nused; k++)
			if (lv->used[k] == i)
				return 0;
		if (lv->nused == SUITE_NS_MAX)
			return too_many_ns(m, lv);
		lv->used[lv->nused++] = i;
		return 0;
	}
	return 0;
}

/* ns_use for the node the reader is on. */
static int ns_use_node(struct merge *m, struct level *lv, xmlTextReaderPtr rd)
{
	return ns_use(m, lv, (const char *)xmlTextReaderConstPrefix(rd),
		      (const char *)xmlTextReaderConstNamespaceUri(rd));
}

/* ---- suites ---- */

/* The suite's time attribute in seconds, when it reads as a number
 * from 0 to SUITE_TIME_MAX ("1,234.5" included: Surefire groups
 * thousands); the cap keeps the sum finite whatever the inputs say. */
#define SUITE_TIME_MAX 1e9
static bool suite_time(const char *v, double *out)
{
	char buf[64], *end;
	size_t n = 0;

	for (const char *p = v; *p && n < sizeof(buf) - 1; p++)
		if (*p != ',')
			buf[n++] = *p;
	buf[n] = '\0';
	*out = strtod(buf, &end);
	while (isspace((unsigned char)*end))
		end++;
	return end != buf && !*end && n < sizeof(buf) - 1 && isfinite(*out) &&
	       *out >= 0 && *out <= SUITE_TIME_MAX;
}

/* Whether the attribute the reader is on is one a suite gets anew. */
static bool is_rewritten(xmlTextReaderPtr rd)
{
	static const char *const names[] = {
		"name", "tests", "failures", "errors", "skipped", NULL
	};

	if (xmlTextReaderConstNamespaceUri(rd))
		return false;
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(rd_name(rd), names[i]))
			return true;
	return false;
}

static struct level *top(struct merge *m)
{
	return m->nlv ? &m->lv[m->nlv - 1] : NULL;
}

static int suite_end(struct merge *m);

/* The reader is on a <testsuite> start tag: opens its level and spools
 * its head. */
static int suite_begin(struct merge *m, xmlTextReaderPtr rd)
{
	struct ofile *w = &m->spool;
	struct level *lv;
	xmlChar *name, *time;
	int rc;

	if (m->nlv)
		top(m)->had_suite = true;
	if (m->nlv == m->lv_cap) {
		m->lv_cap = m->lv_cap ? 2 * m->lv_cap : 8;
		m->lv = xrealloc(m->lv, m->lv_cap * sizeof(*m->lv));
	}
	lv = &m->lv[m->nlv++];
	memset(lv, 0, sizeof(*lv));
	lv->depth = xmlTextReaderDepth(rd);
	lv->line = xmlGetLineNo(xmlTextReaderCurrentNode(rd));
	lv->line = lv->line > 0 ? lv->line : 0;
	lv->scope_n = m->scope_n;
	lv->scope_lost = m->scope_lost;
	scope_add_decls(m, rd);
	if ((rc = ns_use_node(m, lv, rd)) < 0)
		return rc;

	name = xmlTextReaderGetAttribute(rd, BAD_CAST "name");
	time = xmlTextReaderGetAttribute(rd, BAD_CAST "time");
	lv->time_ok = time && suite_time((const char *)time, &lv->time);
	xmlFree(time);
	lv->start = of_end(w);
	rc = put_attr(w, "name", name && *name ? (const char *)name : "(unnamed)");
	xmlFree(name);
	if (rc < 0)
		return write_failed(m);
	lv->name_end = of_end(w);
	while (xmlTextReaderMoveToNextAttribute(rd) == 1) {
		if (xmlTextReaderIsNamespaceDecl(rd) == 1 || is_rewritten(rd))
			continue;
		if ((rc = ns_use_node(m, lv, rd)) < 0)
			return rc;
		if (put_attr(w, rd_name(rd), rd_value(rd)) < 0)
			return write_failed(m);
	}
	xmlTextReaderMoveToElement(rd);
	lv->head_end = of_end(w);
	return xmlTextReaderIsEmptyElement(rd) == 1 ? suite_end(m) : 0;
}

/* <property name="assay.merged_from" value=PATH/>, in <properties> when
 * the suite has none of its own. */
static int put_merged_from(struct merge *m, const struct level *lv)
{
	struct ofile *w = &m->body;
	struct xmltext path = { 0 };
	int rc;

	xmltext_puts(&path, m->path);
	rc = (!lv->own_props &&
	      (indent(w, 2) < 0 || put(w, "<properties>") < 0)) ||
	     indent(w, 3) < 0 ||
	     put(w, "<property name=\"assay.merged_from\"") < 0 ||
	     put_attr(w, "value", xmltext_str(&path)) < 0 || put(w, "/>") < 0 ||
	     (!lv->own_props &&
	      (indent(w, 2) < 0 || put(w, "</properties>") < 0));
	xmltext_release(&path);
	return rc ? -1 : 0;
}

/* The suite's start tag, as it goes to the report: its name, the counts,
 * its other attributes, the namespaces it needs. */
static int put_start_tag(struct merge *m, const struct level *lv)
{
	struct ofile *w = &m->body;

	if (indent(w, 1) < 0 || put(w, "<testsuite") < 0 ||
	    spool_copy(m, lv->start, lv->name_end) < 0 ||
	    put_count(w, "tests", lv->tests) < 0 ||
	    put_count(w, "failures", lv->failures) < 0 ||
	    put_count(w, "errors", lv->errors) < 0 ||
	    put_count(w, "skipped", lv->skipped) < 0 ||
	    spool_copy(m, lv->name_end, lv->head_end) < 0)
		return -1;
	for (size_t i = 0; i < lv->nused; i++) {
		const struct nsdecl *d = &m->scope[lv->used[i]];

		if (put(w, d->prefix ? " xmlns:" : " xmlns") < 0 ||
		    (d->prefix && put(w, d->prefix) < 0) ||
		    put(w, "=\"") < 0 || put_escaped(w, d->uri, true) < 0 ||
		    put(w, "\"") < 0)
			return -1;
	}
	return put(w, ">");
}

/* The reader is past the top suite's end tag: writes the suite (unless
 * it only grouped suites, which were written already) and closes its
 * level. */
static int suite_end(struct merge *m)
{
	struct level *lv = top(m);
	struct ofile *w = &m->body;
	off_t end = of_end(&m->spool);
	double t;

	if (!lv->injecting)
		lv->inject_at = end;
	if (!lv->had_suite || lv->had_other) {
		if (put_start_tag(m, lv) < 0 ||
		    spool_copy(m, lv->head_end, lv->inject_at) < 0 ||
		    (m->first && put_merged_from(m, lv) < 0) ||
		    spool_copy(m, lv->inject_at, end) < 0 ||
		    indent(w, 1) < 0 || put(w, "</testsuite>") < 0)
			return write_failed(m);
		m->tests += lv->tests;
		m->failures += lv->failures;
		m->errors += lv->errors;
		m->first = false;
	}
	t = lv->time_ok ? lv->time : lv->nested;
	if (m->nlv > 1)
		lv[-1].nested += t;
	else
		m->time += t;
	of_cut(&m->spool, lv->start);
	scope_pop(m, lv->scope_n, lv->scope_lost);
	m->nlv--;
	return 0;
}

/* ---- the suite's own content ---- */

/* A test case's end: counted by the first of failure, error, skipped
 * among its children. */
static void case_end(struct level *lv)
{
	lv->in_case = false;
	lv->tests++;
	lv->failures += lv->case_failure;
	lv->errors += !lv->case_failure && lv->case_error;
	lv->skipped += !lv->case_failure && !lv->case_error && lv->case_skipped;
}

/* "<NAME ATTRS" of the element the reader is on, as read; the namespaces
 * it uses are noted in lv. The caller ends the tag. */
static int copy_start_tag(struct merge *m, struct level *lv,
			  xmlTextReaderPtr rd)
{
	struct ofile *w = &m->spool;
	int rc;

	if ((rc = ns_use_node(m, lv, rd)) < 0)
		return rc;
	if (put(w, "<") < 0 || put(w, rd_name(rd)) < 0)
		return write_failed(m);
	while (xmlTextReaderMoveToNextAttribute(rd) == 1) {
		if (xmlTextReaderIsNamespaceDecl(rd) != 1 &&
		    (rc = ns_use_node(m, lv, rd)) < 0)
			return rc;
		if (put_attr(w, rd_name(rd), rd_value(rd)) < 0)
			return write_failed(m);
	}
	xmlTextReaderMoveToElement(rd);
	return 0;
}

/* "</NAME>" of the element the reader is on, on a new line at depth
 * (-1: as it comes). */
static int put_end_tag(struct merge *m, xmlTextReaderPtr rd, int depth)
{
	struct ofile *w = &m->spool;

	if ((depth >= 0 && indent(w, depth) < 0) || put(w, "</") < 0 ||
	    put(w, rd_name(rd)) < 0 || put(w, ">") < 0)
		return write_failed(m);
	return 0;
}

/* The reader is on a child element of the suite (rel 1): marks where
 * assay.merged_from goes; an own <properties> first is opened here, its
 * children to be indented as the suite's are. 1 when it wrote the
 * element itself. */
static int child_begin(struct merge *m, struct level *lv, xmlTextReaderPtr rd)
{
	bool first = !lv->injecting;
	int rc;

	lv->had_other = true;
	if (first)
		lv->inject_at = of_end(&m->spool);
	lv->injecting = true;
	if (!first || !is_local(rd, "properties"))
		return 0;
	lv->own_props = true;
	if (indent(&m->spool, 2) < 0)
		return write_failed(m);
	if ((rc = copy_start_tag(m, lv, rd)) < 0)
		return rc;
	if (put(&m->spool, ">") < 0)
		return write_failed(m);
	lv->inject_at = of_end(&m->spool);
	lv->props_open = xmlTextReaderIsEmptyElement(rd) != 1;
	if (!lv->props_open && (rc = put_end_tag(m, rd, 2)) < 0)
		return rc;
	return 1;
}

/* Text, CDATA, a comment or a processing instruction of the copy. */
static int copy_other(struct merge *m, xmlTextReaderPtr rd, int type)
{
	struct ofile *w = &m->spool;
	const char *v = rd_value(rd);
	int rc;

	switch (type) {
	case XML_READER_TYPE_CDATA:
		rc = put(w, "<![CDATA[") < 0 || put(w, v) < 0 || put(w, "]]>") < 0;
		break;
	case XML_READER_TYPE_COMMENT:
		rc = put(w, "<!--") < 0 || put(w, v) < 0 || put(w, "-->") < 0;
		break;
	case XML_READER_TYPE_PROCESSING_INSTRUCTION:
		rc = put(w, "<?") < 0 || put(w, rd_name(rd)) < 0 ||
		     (*v && (put(w, " ") < 0 || put(w, v) < 0)) || put(w, "?>") < 0;
		break;
	default:
		rc = put_escaped(w, v, false) < 0;
		break;
	}
	return rc ? write_failed(m) : 0;
}

static bool is_text(int type)
{
	return type == XML_READER_TYPE_TEXT ||
	       type == XML_READER_TYPE_WHITESPACE ||
	       type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* A node inside the top suite (rel levels below its element). */
static int suite_node(struct merge *m, xmlTextReaderPtr rd, int type, int rel)
{
	struct level *lv = top(m);
	/* the suite's children and its own <properties>' are re-indented */
	bool outline = rel == 1 || (rel == 2 && lv->props_open);
	int rc;

	if (type == XML_READER_TYPE_END_ELEMENT) {
		if (rel == 0)
			return suite_end(m);
		rc = put_end_tag(m, rd, rel == 1 && lv->props_open ? 2 : -1);
		if (rc < 0)
			return rc;
		if (rel == 1)
			lv->props_open = false;
		if (rel == 1 && lv->in_case)
			case_end(lv);
		return 0;
	}
	if (type == XML_READER_TYPE_ELEMENT) {
		if (rel == 1 && is_local(rd, "testsuite"))
			return suite_begin(m, rd);
		if (rel == 1 && (rc = child_begin(m, lv, rd)) != 0)
			return rc < 0 ? rc : 0;
		if (rel == 1 && is_local(rd, "testcase")) {
			lv->in_case = true;
			lv->case_failure = lv->case_error = lv->case_skipped = false;
		}
		if (rel == 2 && lv->in_case) {
			lv->case_failure |= is_local(rd, "failure");
			lv->case_error |= is_local(rd, "error");
			lv->case_skipped |= is_local(rd, "skipped");
		}
		if (outline && indent(&m->spool, rel + 1) < 0)
			return write_failed(m);
		if ((rc = copy_start_tag(m, lv, rd)) < 0)
			return rc;
		if (put(&m->spool, xmlTextReaderIsEmptyElement(rd) == 1 ? "/>" : ">") < 0)
			return write_failed(m);
		if (rel == 1 && lv->in_case && xmlTextReaderIsEmptyElement(rd) == 1)
			case_end(lv);
		return 0;
	}
	if (type != XML_READER_TYPE_CDATA && type != XML_READER_TYPE_COMMENT &&
	    type != XML_READER_TYPE_PROCESSING_INSTRUCTION && !is_text(type))
		return 0;
	if (outline && is_text(type) && is_blank(rd_value(rd)))
		return 0;
	if (outline && indent(&m->spool, rel + 1) < 0)
		return write_failed(m);
	return copy_other(m, rd, type);
}

/* A node outside every suite: the root, or what a <testsuites> root
 * holds. *skip: pass over the node's subtree. */
static int outer_node(struct merge *m, xmlTextReaderPtr rd, int type,
		      bool *skip)
{
	int depth = xmlTextReaderDepth(rd);

	if (type != XML_READER_TYPE_ELEMENT)
		return 0;
	if (depth == 0) {
		m->root = true;
		if (is_local(rd, "testsuite"))
			return suite_begin(m, rd);
		if (!is_local(rd, "testsuites"))
			return err_set(m->e, ERR_INPUT,
				       "%s: the root element is <%s>, not <testsuites> or <testsuite>: is it a JUnit report?",
				       m->path, rd_local(rd));
		scope_add_decls(m, rd);
		return 0;
	}
	if (depth == 1 && is_local(rd, "testsuite"))
		return suite_begin(m, rd);
	*skip = true;
	return 0;
}

static int on_node(struct merge *m, xmlTextReaderPtr rd, bool *skip)
{
	int type = xmlTextReaderNodeType(rd);

	*skip = false;
	if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
		m->has_dtd = true;
		return 0;
	}
	if (!m->nlv)
		return outer_node(m, rd, type, skip);
	return suite_node(m, rd, type, xmlTextReaderDepth(rd) - top(m)->depth);
}

/* Reads path and writes its suites to the body. */
static int merge_input(struct merge *m, const char *path)
{
	xmlTextReaderPtr rd;
	struct src s;
	bool skip = false;
	int r = 0, rc;

	if ((rc = src_open(&s, path, m->e)) < 0)
		return rc;
	m->path = path;
	m->first = true;
	m->root = m->has_dtd = false;
	m->xml_msg[0] = '\0';
	if (!(rd = xmlReaderForIO(src_read, NULL, &s, path, NULL, READ_OPTIONS))) {
		close(s.fd);
		errno = ENOMEM;
		return err_set(m->e, ERR_SYS, "cannot read report '%s'", path);
	}
	xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, m);
	while (!rc && !m->has_dtd && !m->xml_msg[0] &&
	       (r = skip ? xmlTextReaderNext(rd) : xmlTextReaderRead(rd)) == 1)
		rc = on_node(m, rd, &skip);
	xmlFreeTextReader(rd);
	close(s.fd);
	if (!rc)
		rc = input_check(m, path, &s, r);
	/* a refused input may leave suites open: the report is dropped */
	m->nlv = 0;
	scope_pop(m, 0, 0);
	return rc;
}

/* The report: the root with the totals around the suites. */
static int write_report(struct merge *m)
{
	char time[400];         /* %.3f of up to DBL_MAX */

	snprintf(time, sizeof(time), "%.3f", m->time);
	if (indent(&m->body, 0) < 0 || of_flush(&m->body) < 0)
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
	struct merge m = {
		.e = e, .out = out, .jf = { .body_fd = -1 },
		.body = { .fd = -1 }, .spool = { .fd = -1 }
	};
	struct env v;
	int rc = 0;

	assert(out && (in || !n));
	env_enter(&v, &m);
	m.chunk = xmalloc(COPY_CHUNK);
	m.body.buf = xmalloc(OFILE_BUF);
	m.spool.buf = xmalloc(OFILE_BUF);
	/* both beside OUT, as run --junit's */
	if (junitfile_open(&m.jf, out) < 0 ||
	    (m.spool.fd = junitfile_scratch(out)) < 0)
		rc = err_set(e, ERR_USAGE,
			     "cannot create a temporary file beside '%s' to write the merged report (check that its directory exists and is writable)",
			     out);
	m.body.fd = m.jf.body_fd;
	for (size_t i = 0; !rc && i < n; i++)
		rc = merge_input(&m, in[i]);
	if (!rc)
		rc = write_report(&m);
	junitfile_abort(&m.jf);
	if (m.spool.fd >= 0)
		close(m.spool.fd);
	scope_pop(&m, 0, 0);
	free(m.lv);
	free(m.spool.buf);
	free(m.body.buf);
	free(m.chunk);
	env_leave(&v);
	return rc;
}
