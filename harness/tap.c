/* tap.c - see tap.h; the rules are in docs/tap.md. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "tap.h"
#include "xalloc.h"

#define NAMES_MAX (1u << 20)    /* case names remembered to spot repeats */
#define REASON_MAX 512
#define REASON_SHOWN 200        /* bytes of a directive or bail reason shown */

/* A growable byte buffer that may be capped. */
struct buf {
	char *s;
	size_t len, cap;
};

/* One TAP document: the stream itself, or a subtest. */
struct level {
	char *name;             /* path from the top, "" for the top level */
	unsigned long count;    /* points read */
	unsigned long failed;   /* cases failed within, subtests included */
	unsigned long cases;    /* cases handed out within */
	unsigned long skipped;  /* points read that were skips */
	unsigned long planned;
	unsigned long plan_line;  /* 0: no plan yet */
	unsigned long open_line;  /* where the subtest began */
	bool plan_at_end;       /* the plan came after points */
	bool strict;
};

/* A point read, waiting for its YAML block or diagnostics. */
struct point {
	bool ok, skip, todo;
	unsigned long number, line;
	unsigned depth;
	uint64_t at_ns;
	struct buf desc, reason;
	bool correlated;        /* ends a subtest that gave cases */
	bool sub_failed;        /* ... one of which failed */
};

struct tap_parser {
	tap_case_fn *fn;
	void *arg;
	struct buf line;        /* a line split across chunks */
	uint64_t line_cut;      /* bytes of it beyond TAP_LINE_MAX */
	unsigned long lineno;
	struct level *lv;       /* lv[0] is the top level */
	size_t depth, lv_cap;   /* lv[depth] is the innermost open level */
	bool pending;
	struct point pt;
	bool in_yaml;
	size_t yaml_indent;
	unsigned long yaml_line;
	bool yaml_full;
	struct buf yaml;
	struct buf out;         /* output since the last case; a tail kept */
	uint64_t out_dropped;
	uint64_t last_ns;
	int version;
	bool tap_seen;          /* a plan or point at the top level */
	bool bailed;
	char *problem;          /* the first thing wrong, or NULL */
	enum tap_plan plan_rule;
	bool unplanned;         /* no plan at the top, and the rule let it be */
	char *last_skip;        /* the reason of the last point skipped */
	char *summary_reason;
	uint64_t *names;        /* hashes of case names given out */
	size_t names_len, names_cap;
	struct buf scratch;     /* the name being built */
	/* a "# Subtest: NAME" comment names the subtest whose indented block
	 * may follow, at level sub_depth; a test point at the comment's own
	 * level instead makes it only a comment (TAP 14; Node writes one
	 * before every test point) */
	char *sub_name;         /* or NULL */
	size_t sub_depth;
	unsigned long sub_line; /* the comment's line */
};

/* ---- small helpers ---- */

static void buf_add(struct buf *b, const char *s, size_t n)
{
	xgrow((void **)&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void buf_set(struct buf *b, const char *s, size_t n)
{
	b->len = 0;
	buf_add(b, s, n);
}

static const char *buf_str(struct buf *b)
{
	if (!b->s)
		buf_set(b, "", 0);
	return b->s;
}

static void problem(struct tap_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct tap_parser *p, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;

	if (p->problem)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->problem = xstrdup(msg);
}

/* Output attributed to the next case: only the last TAP_OUTPUT_MAX bytes
 * are kept (moved down when twice that has piled up). */
static void out_add(struct tap_parser *p, const char *s, size_t n)
{
	struct buf *b = &p->out;

	if (n > TAP_OUTPUT_MAX) {
		p->out_dropped += b->len + n - TAP_OUTPUT_MAX;
		b->len = 0;
		s += n - TAP_OUTPUT_MAX;
		n = TAP_OUTPUT_MAX;
	} else if (b->len + n > 2 * TAP_OUTPUT_MAX) {
		size_t keep = TAP_OUTPUT_MAX - n, drop = b->len - keep;
		memmove(b->s, b->s + drop, keep);
		b->len = keep;
		p->out_dropped += drop;
	}
	buf_add(b, s, n);
}

static void out_line(struct tap_parser *p, const char *s, size_t n)
{
	out_add(p, s, n);
	if (p->line_cut) {
		char note[64];
		int k = snprintf(note, sizeof(note), " [line cut: %llu more bytes]",
				 (unsigned long long)p->line_cut);
		out_add(p, note, (size_t)k);
	}
	out_add(p, "\n", 1);
}

/* Text to show in a one-line reason: at most max bytes (then "..."),
 * control characters as '?'. */
static void quote(char *dst, size_t n, const char *s, size_t len, size_t max)
{
	size_t i = 0;

	if (max > n - 4)
		max = n - 4;

	for (; i < len && i < max; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (len > max)
		memcpy(dst + i, "...", 3), i += 3;
	dst[i] = 0;
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* Reads a decimal number of at most 18 digits at s[*i]; 1 when read. */
static int read_num(const char *s, size_t *i, size_t n, unsigned long *out)
{
	size_t j = *i;
	unsigned long v = 0;

	while (j < n && s[j] >= '0' && s[j] <= '9' && j - *i < 18)
		v = v * 10 + (unsigned long)(s[j++] - '0');
	if (j == *i || (j < n && s[j] >= '0' && s[j] <= '9'))
		return 0;
	*i = j;
	*out = v;
	return 1;
}

/* Sets b to s[0..n) with TAP 14's escapes undone: \# and \\. */
static void unescape_into(struct buf *b, const char *s, size_t n)
{
	const char *end = s + n, *bs;

	b->len = 0;
	buf_add(b, "", 0);
	while ((bs = memchr(s, '\\', (size_t)(end - s)))) {
		buf_add(b, s, (size_t)(bs - s));
		if (bs + 1 < end && (bs[1] == '#' || bs[1] == '\\'))
			bs++;                   /* drop the backslash */
		buf_add(b, bs, 1);
		s = bs + 1;
	}
	buf_add(b, s, (size_t)(end - s));
}

/* The first '#' in s[from..n) that can start a directive: unescaped,
 * after whitespace or an escaped backslash ("\\\\#"), or at the start; n
 * when there is none. */
static size_t find_hash(const char *s, size_t from, size_t n)
{
	bool after_escape = false;

	if (from >= n || !memchr(s + from, '#', n - from))
		return n;               /* the common case: no '#' at all */
	for (size_t i = from; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			after_escape = s[++i] == '\\';
			continue;
		}
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' ||
				    after_escape))
			return i;
		after_escape = false;
	}
	return n;
}

/* At s[h] == '#': a SKIP or TODO directive? 1 with *skip set and the
 * reason's start in *r. */
static int directive(const char *s, size_t h, size_t n, bool *skip, size_t *r)
{
	size_t i = skip_ws(s, h + 1, n);

	if (n - i < 4)
		return 0;
	if (!strncasecmp(s + i, "skip", 4))
		*skip = true;
	else if (!strncasecmp(s + i, "todo", 4))
		*skip = false;
	else
		return 0;
	i += 4;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;                            /* "# Skipped: why" */
	*r = skip_ws(s, i, n);
	return 1;
}

/* A 64-bit hash of s[0..n), eight bytes at a time. */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h | 1;           /* 0 marks a free slot */
}

/* Remembers a name: 1 when it was new, 0 when it was given before, -1
 * when NAMES_MAX names are remembered already (nothing is known). */
static int name_is_new(struct tap_parser *p, const char *s, size_t n)
{
	uint64_t h = hash(s, n);
	size_t mask, i;

	if (p->names_len * 2 >= p->names_cap) {
		uint64_t *old = p->names;
		size_t oldcap = p->names_cap;
		if (p->names_cap >= 2 * NAMES_MAX)
			return -1;
		p->names_cap = oldcap ? oldcap * 2 : 256;
		p->names = xcalloc(p->names_cap, sizeof(*p->names));
		p->names_len = 0;
		for (size_t k = 0; k < oldcap; k++) {
			if (!old[k])
				continue;
			for (i = old[k] & (p->names_cap - 1); p->names[i];
			     i = (i + 1) & (p->names_cap - 1))
				;
			p->names[i] = old[k];
			p->names_len++;
		}
		free(old);
	}
	mask = p->names_cap - 1;
	for (i = h & mask; p->names[i]; i = (i + 1) & mask)
		if (p->names[i] == h)
			return 0;
	p->names[i] = h;
	p->names_len++;
	return 1;
}

/* ---- YAML ---- */

struct yaml_fields {
	char *message, *severity, *got, *expected, *at, *duration_ms;
};

static char *scalar(yaml_document_t *d, yaml_node_t *v)
{
	if (!v)
		return NULL;
	if (v->type == YAML_SCALAR_NODE)
		return xstrdup((const char *)v->data.scalar.value);
	if (v->type == YAML_MAPPING_NODE) {     /* at: {file: x, line: 3} */
		const char *file = NULL, *line = NULL;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
		     q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *k = yaml_document_get_node(d, q->key);
			yaml_node_t *x = yaml_document_get_node(d, q->value);
			if (!k || !x || k->type != YAML_SCALAR_NODE ||
			    x->type != YAML_SCALAR_NODE)
				continue;
			if (!strcmp((char *)k->data.scalar.value, "file"))
				file = (const char *)x->data.scalar.value;
			else if (!strcmp((char *)k->data.scalar.value, "line"))
				line = (const char *)x->data.scalar.value;
		}
		if (file)
			return line ? xasprintf("%s:%s", file, line) : xstrdup(file);
	}
	return NULL;
}

/* Reads the keys assay shows from a YAML block; quietly nothing when the
 * block is not a mapping or not YAML at all (it is still shown raw). */
static void yaml_read(const char *s, size_t n, struct yaml_fields *f)
{
	/* the TAP 13 convention's keys, then Test::More's and node-tap's
	 * (wanted, found), then Node's test runner's (error, actual,
	 * location, duration_ms) */
	static const char *const keys[] = { "message", "severity", "got",
					    "expected", "at", "wanted", "found",
					    "expect", "error", "actual",
					    "location", "duration_ms", NULL };
	yaml_parser_t yp;
	yaml_document_t d;
	yaml_node_t *root;

	if (!yaml_parser_initialize(&yp))
		return;
	yaml_parser_set_input_string(&yp, (const unsigned char *)s, n);
	if (!yaml_parser_load(&yp, &d)) {
		yaml_parser_delete(&yp);
		return;
	}
	root = yaml_document_get_root_node(&d);
	for (yaml_node_pair_t *q = root && root->type == YAML_MAPPING_NODE ?
				   root->data.mapping.pairs.start : NULL;
	     q && q < root->data.mapping.pairs.top; q++) {
		yaml_node_t *k = yaml_document_get_node(&d, q->key);
		char **slot[] = { &f->message, &f->severity, &f->got,
				  &f->expected, &f->at, &f->expected, &f->got,
				  &f->expected, &f->message, &f->got, &f->at,
				  &f->duration_ms };
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		for (size_t i = 0; keys[i]; i++)
			if (!strcmp((char *)k->data.scalar.value, keys[i]) &&
			    !*slot[i])
				*slot[i] = scalar(&d, yaml_document_get_node(&d, q->value));
	}
	yaml_document_delete(&d);
	yaml_parser_delete(&yp);
}

static void yaml_fields_free(struct yaml_fields *f)
{
	free(f->message);
	free(f->severity);
	free(f->got);
	free(f->expected);
	free(f->at);
	free(f->duration_ms);
}

/* s[0..n) starts with the text t; returns what follows, or NULL. */
static const char *after(const char *s, size_t n, const char *t)
{
	size_t k = strlen(t);

	return n >= k && !memcmp(s, t, k) ? s + k : NULL;
}

/* A copy of s[0..n) without the blanks around it. */
static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

/* One "# ..." diagnostic line (# and one blank gone) of a failed point,
 * as producers write them: Test::More's "  Failed test 'x'",
 * "  at FILE line N.", "         got: 'a'", "    expected: 'b'";
 * cmocka's "FILE:LINE: error: Failure!" after the message. Fills what
 * the YAML did not. */
static void diag_line(const char *s, size_t n, struct yaml_fields *f,
		      char **last)
{
	const char *v, *line, *end = s + n;

	if ((v = after(s, n, "  Failed test")) && !f->message) {
		f->message = trimmed(s + 2, n - 2);
	} else if ((v = after(s, n, "  at ")) && !f->at &&
		   (line = memmem(v, (size_t)(end - v), " line ", 6))) {
		size_t k = strspn(line + 6, "0123456789");
		f->at = xasprintf("%.*s:%.*s", (int)(line - v), v, (int)k, line + 6);
	} else if ((v = memmem(s, n, "      got: ", 11)) && !f->got) {
		f->got = trimmed(v + 11, (size_t)(end - v - 11));
	} else if ((v = memmem(s, n, " expected: ", 11)) && !f->expected) {
		f->expected = trimmed(v + 11, (size_t)(end - v - 11));
	} else if ((v = memmem(s, n, ": error: ", 9)) && !f->at && v > s) {
		f->at = xstrndup(s, (size_t)(v - s));
		if (!f->message && *last)       /* cmocka: the line before */
			f->message = xstrdup(*last);
	} else {
		free(*last);
		*last = trimmed(s, n);
	}
}

/* The diagnostics of a failed point: its output's comment lines. */
static void diag_read(const char *out, size_t n, struct yaml_fields *f)
{
	const char *p = out, *end = out + n;
	char *last = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (k > 2 && p[0] == '#' && p[1] == ' ')
			diag_line(p + 2, k - 2, f, &last);
		p += k + 1;
	}
	free(last);
}

/* The YAML block open at this line was never closed by "...". */
static void yaml_unclosed(struct tap_parser *p)
{
	problem(p, "line %lu: the YAML block opened at line %lu is not closed by '...'",
		p->lineno, p->yaml_line);
	p->in_yaml = false;
}

/* ---- cases ---- */

/* Builds the case's unique name in p->scratch: path/desc, or the number
 * when the description is empty; "NAME (N)" when NAME was given before,
 * and "NAME (line L)" when that was too (or too many names were given
 * to remember: line numbers never repeat). */
static const char *case_name(struct tap_parser *p, const struct point *pt)
{
	const struct level *l = &p->lv[pt->depth];
	struct buf *b = &p->scratch;
	char num[48];
	int k = snprintf(num, sizeof(num), "%lu", pt->number), is_new;

	buf_set(b, l->name, strlen(l->name));
	if (b->len)
		buf_add(b, "/", 1);
	if (pt->desc.len)
		buf_add(b, pt->desc.s, pt->desc.len);
	else
		buf_add(b, num, (size_t)k);
	if ((is_new = name_is_new(p, b->s, b->len)) == 0) {
		k = snprintf(num, sizeof(num), " (%lu)", pt->number);
		buf_add(b, num, (size_t)k);
		is_new = name_is_new(p, b->s, b->len);
	}
	if (is_new <= 0) {
		k = snprintf(num, sizeof(num), " (line %lu)", pt->line);
		buf_add(b, num, (size_t)k);
	}
	return b->s;
}

static enum assay_outcome point_outcome(const struct point *pt)
{
	if (pt->skip)
		return ASSAY_SKIP;
	if (pt->todo)
		return pt->ok ? ASSAY_XPASS : ASSAY_TODO;
	return pt->ok ? ASSAY_PASS : ASSAY_FAIL;
}

/* Makes r one line: control characters become blanks, and a run of
 * blanks one (a multi-line message, indented, reads as a sentence). */
static void one_line(char *r)
{
	char *w = r;

	for (const char *c = r; *c; c++) {
		char ch = (unsigned char)*c < 0x20 ? ' ' : *c;
		if (ch == ' ' && (w == r || w[-1] == ' '))
			continue;
		*w++ = ch;
	}
	while (w > r && w[-1] == ' ')
		w--;
	*w = 0;
}

/* One line saying why: the directive's reason, the YAML message with
 * got/expected, or where the failing point is. */
static void case_reason(char *r, size_t n, const struct point *pt,
			enum assay_outcome o, const struct yaml_fields *f)
{
	*r = 0;
	if (o == ASSAY_SKIP || o == ASSAY_TODO || o == ASSAY_XPASS) {
		if (pt->reason.len)
			quote(r, n, pt->reason.s, pt->reason.len, REASON_SHOWN);
		if (o == ASSAY_XPASS) {
			char tmp[REASON_MAX];
			snprintf(tmp, sizeof(tmp), "TODO passed%s%s", *r ? ": " : "", r);
			snprintf(r, n, "%s", tmp);
		}
		return;
	}
	if (o != ASSAY_FAIL)
		return;
	if (f->message && f->at && !strstr(f->message, f->at))
		snprintf(r, n, "%s: %s", f->at, f->message);
	else if (f->message)
		snprintf(r, n, "%s", f->message);
	else if (f->at)
		snprintf(r, n, "%s: not ok %lu", f->at, pt->number);
	else
		snprintf(r, n, "not ok %lu (line %lu)", pt->number, pt->line);
	if (f->got || f->expected) {
		size_t k = strlen(r);
		snprintf(r + k, n - k, " (got %s, expected %s)",
			 f->got ? f->got : "?", f->expected ? f->expected : "?");
	}
	one_line(r);
}

/* Hands the pending point out as a case, with its YAML and output. */
static void flush_point(struct tap_parser *p)
{
	struct point *pt = &p->pt;
	struct yaml_fields f = { 0 };
	char reason[REASON_MAX];
	struct tap_case c = { 0 };

	if (!p->pending)
		return;
	p->pending = false;
	if (p->in_yaml)
		yaml_unclosed(p);
	c.outcome = point_outcome(pt);
	if (pt->correlated && (c.outcome != ASSAY_FAIL || pt->sub_failed)) {
		/* the subtest's own cases speak for it, unless it failed
		 * while they all passed; its output goes to the next case */
		p->last_ns = pt->at_ns;
		p->yaml.len = 0;
		return;
	}
	if (p->yaml.len)
		yaml_read(p->yaml.s, p->yaml.len, &f);
	if (c.outcome == ASSAY_FAIL)
		diag_read(buf_str(&p->out), p->out.len, &f);
	case_reason(reason, sizeof(reason), pt, c.outcome, &f);
	if (c.outcome == ASSAY_SKIP && *reason) {
		free(p->last_skip);
		p->last_skip = xstrdup(reason);
	}
	c.name = case_name(p, pt);
	c.reason = reason;
	c.number = pt->number;
	c.line = pt->line;
	c.depth = pt->depth;
	c.duration_ns = pt->at_ns > p->last_ns ? pt->at_ns - p->last_ns : 0;
	if (f.duration_ms && strtod(f.duration_ms, NULL) > 0)  /* its own */
		c.duration_ns = (uint64_t)(strtod(f.duration_ms, NULL) * 1e6);
	c.output = buf_str(&p->out);
	c.output_len = p->out.len;
	c.output_dropped = p->out_dropped;
	if (c.output_len > TAP_OUTPUT_MAX) {
		c.output += c.output_len - TAP_OUTPUT_MAX;
		c.output_dropped += c.output_len - TAP_OUTPUT_MAX;
		c.output_len = TAP_OUTPUT_MAX;
	}
	c.yaml = p->yaml.len ? p->yaml.s : NULL;
	c.message = f.message;
	c.severity = f.severity;
	c.got = f.got;
	c.expected = f.expected;
	c.at = f.at;
	for (size_t d = 0; d <= pt->depth && d <= p->depth; d++) {
		p->lv[d].cases++;
		if (assay_outcome_tally(c.outcome) == ASSAY_TALLY_FAILED)
			p->lv[d].failed++;
	}
	p->fn(p->arg, &c);
	yaml_fields_free(&f);
	p->last_ns = pt->at_ns;
	p->yaml.len = 0;
	p->out.len = 0;
	p->out_dropped = 0;
}

/* ---- levels ---- */

/* Whether the top level may go without a plan (docs/tap.md): never
 * under TAP_PLAN_REQUIRED; always under TAP_PLAN_OPTIONAL; under
 * TAP_PLAN_AUTO when every point was a skip, since a skip never claims
 * that anything was checked. */
static bool plan_waived(const struct tap_parser *p, const struct level *l)
{
	if (l != &p->lv[0])
		return false;
	return p->plan_rule == TAP_PLAN_OPTIONAL ||
	       (p->plan_rule == TAP_PLAN_AUTO && l->count && l->skipped == l->count);
}

static void check_plan(struct tap_parser *p, const struct level *l,
		       const char *who)
{
	if (!l->plan_line && plan_waived(p, l))
		p->unplanned = true;
	else if (!l->plan_line && !p->lineno)
		problem(p, "%sno plan: the program printed nothing on stdout", who);
	else if (!l->plan_line)
		problem(p, "line %lu: %sno plan: %lu test point%s and no 1..N line",
			p->lineno, who, l->count, l->count == 1 ? "" : "s");
	else if (l->planned != l->count)
		problem(p, "line %lu: %splanned %lu test%s but ran %lu",
			l->plan_line, who, l->planned, l->planned == 1 ? "" : "s",
			l->count);
}

static void push_level(struct tap_parser *p, const char *name, size_t n)
{
	struct level *parent = &p->lv[p->depth];
	struct level *l;

	xgrow((void **)&p->lv, &p->lv_cap, p->depth + 2, sizeof(*p->lv));
	parent = &p->lv[p->depth];
	l = &p->lv[++p->depth];
	memset(l, 0, sizeof(*l));
	if (n)
		l->name = *parent->name ? xasprintf("%s/%.*s", parent->name, (int)n, name)
					: xasprintf("%.*s", (int)n, name);
	else
		l->name = *parent->name ? xasprintf("%s/%lu", parent->name, parent->count + 1)
					: xasprintf("%lu", parent->count + 1);
	l->open_line = p->lineno;
}

/* Closes the innermost subtest; reports what was wrong with it. */
static void pop_level(struct tap_parser *p)
{
	struct level *l = &p->lv[p->depth];
	char who[256];

	snprintf(who, sizeof(who), "subtest '%.200s': ", l->name);
	check_plan(p, l, who);
	free(l->name);
	p->depth--;
}

static void close_levels_to(struct tap_parser *p, size_t depth, const char *why)
{
	while (p->depth > depth) {
		if (why)
			problem(p, "line %lu: subtest '%.200s' (line %lu) %s",
				p->lineno, p->lv[p->depth].name,
				p->lv[p->depth].open_line, why);
		pop_level(p);
	}
}

/* ---- lines ---- */

enum kind { L_VERSION, L_PLAN, L_POINT, L_BAIL, L_PRAGMA, L_OTHER };

static enum kind classify(const char *s, size_t n)
{
	if (n >= 2 && !memcmp(s, "ok", 2) && (n == 2 || s[2] == ' ' || s[2] == '\t'))
		return L_POINT;
	if (n >= 6 && !memcmp(s, "not ok", 6) &&
	    (n == 6 || s[6] == ' ' || s[6] == '\t'))
		return L_POINT;
	if (n >= 4 && s[0] >= '0' && s[0] <= '9') {
		size_t i = 0;
		unsigned long a;
		if (read_num(s, &i, n, &a) && i + 1 < n && s[i] == '.' && s[i + 1] == '.')
			return L_PLAN;
	}
	if (n >= 12 && !memcmp(s, "TAP version ", 12))
		return L_VERSION;
	if (n >= 9 && !strncasecmp(s, "bail out!", 9))
		return L_BAIL;
	if (n >= 8 && !memcmp(s, "pragma ", 7) && (s[7] == '+' || s[7] == '-'))
		return L_PRAGMA;
	return L_OTHER;
}

static void on_version(struct tap_parser *p, const char *s, size_t n)
{
	size_t i = 12;
	unsigned long v;

	if (p->depth)
		return;                 /* allowed, meaningless in a subtest */
	if (p->version || p->tap_seen) {
		problem(p, "line %lu: the TAP version line must come first", p->lineno);
		return;
	}
	if (!read_num(s, &i, n, &v) || trim_end(s, n) != i) {
		problem(p, "line %lu: a version line must read 'TAP version N'", p->lineno);
		return;
	}
	if (v < 12 || v > 14) {
		problem(p, "line %lu: TAP version %lu is not supported (12, 13 and 14 are)",
			p->lineno, v);
		p->version = 14;
		return;
	}
	p->version = (int)v;
}

static void on_plan(struct tap_parser *p, const char *s, size_t n)
{
	struct level *l = &p->lv[p->depth];
	size_t i = 0, h, r;
	unsigned long first = 0, last = 0;
	bool skip;

	(void)read_num(s, &i, n, &first);
	i += 2;                         /* ".." */
	if (!read_num(s, &i, n, &last) ||
	    ((h = skip_ws(s, i, n)) < n && (s[h] != '#' || h == i))) {
		problem(p, "line %lu: a plan must read '1..N' (with an optional '# reason')",
			p->lineno);
		return;
	}
	if (!p->depth)
		p->tap_seen = true;
	if (first != 1) {
		problem(p, "line %lu: a plan must start at 1 (this one is %lu..%lu)",
			p->lineno, first, last);
		return;
	}
	if (l->plan_line) {
		problem(p, "line %lu: a second plan (the first is at line %lu)",
			p->lineno, l->plan_line);
		return;
	}
	l->plan_line = p->lineno;
	l->planned = last;
	l->plan_at_end = l->count > 0;
	if (last || l->count || p->depth)
		return;
	/* skip-all: "1..0 # SKIP why", "1..0 # why", or just "1..0" */
	if (h < n && directive(s, h, n, &skip, &r) && skip)
		unescape_into(&p->pt.reason, s + r, trim_end(s + r, n - r));
	else if (h < n && (r = skip_ws(s, h + 1, n)) <= n)
		unescape_into(&p->pt.reason, s + r, trim_end(s + r, n - r));
	else
		p->pt.reason.len = 0;
	free(p->summary_reason);
	p->summary_reason = p->pt.reason.len ? xstrdup(p->pt.reason.s)
					     : xstrdup("no tests (plan 1..0)");
}

static void on_point(struct tap_parser *p, const char *s, size_t n,
		     uint64_t now, bool correlated, bool sub_failed)
{
	struct level *l = &p->lv[p->depth];
	struct point *pt = &p->pt;
	bool ok = s[0] == 'o', skip = false;
	size_t i = skip_ws(s, ok ? 2 : 6, n), h, r = n, end;
	unsigned long num;

	if (!p->depth)
		p->tap_seen = true;
	if (l->plan_line && l->plan_at_end)
		problem(p, "line %lu: a test point after the plan at the end (line %lu)",
			p->lineno, l->plan_line);
	else if (l->plan_line && l->planned == 0)
		problem(p, "line %lu: a test point after the skip-all plan 1..0 (line %lu)",
			p->lineno, l->plan_line);
	l->count++;
	num = l->count;
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		unsigned long got = 0;
		if (!read_num(s, &i, n, &got))
			problem(p, "line %lu: test number too large", p->lineno);
		else if (got == 0)
			problem(p, "line %lu: test number 0 (numbers start at 1)",
				p->lineno);
		else if (got < l->count)
			problem(p, "line %lu: test number %lu again (expected %lu)",
				p->lineno, got, l->count);
		else if (got > l->count)
			problem(p, "line %lu: test number %lu out of order (expected %lu)",
				p->lineno, got, l->count);
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (got >= 1 && got <= l->count + 1000000)
			num = got;
	}
	if (l->plan_line && !l->plan_at_end && num > l->planned && l->planned)
		problem(p, "line %lu: test %lu is beyond the plan 1..%lu (line %lu)",
			p->lineno, num, l->planned, l->plan_line);
	i = skip_ws(s, i, n);
	if (i < n && s[i] == '-' && (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t'))
		i = skip_ws(s, i + 1, n);
	end = n;
	for (h = find_hash(s, i, n); h < n; h = find_hash(s, h + 1, n))
		if (directive(s, h, n, &skip, &r)) {
			end = h;
			break;
		}
	pt->ok = ok;
	pt->skip = end < n && skip;
	l->skipped += pt->skip;
	pt->todo = end < n && !skip;
	pt->number = num;
	pt->line = p->lineno;
	pt->depth = (unsigned)p->depth;
	pt->at_ns = now;
	pt->correlated = correlated;
	pt->sub_failed = sub_failed;
	unescape_into(&pt->desc, s + i, trim_end(s + i, end - i));
	if (end < n)
		unescape_into(&pt->reason, s + r, trim_end(s + r, n - r));
	else
		pt->reason.len = 0;
	p->pending = true;
}

static void on_bail(struct tap_parser *p, const char *s, size_t n)
{
	size_t i = skip_ws(s, 9, n);
	struct buf b = { 0 };
	char q[REASON_SHOWN + 4];

	unescape_into(&b, s + i, trim_end(s + i, n - i));
	quote(q, sizeof(q), b.s, b.len, REASON_SHOWN);
	free(b.s);
	p->bailed = true;
	free(p->problem);       /* a bail-out says more than what came before */
	p->problem = NULL;
	problem(p, "line %lu: Bail out!%s%s", p->lineno, *q ? " " : "", q);
}

static void on_pragma(struct tap_parser *p, const char *s, size_t n)
{
	n = trim_end(s, n);
	if (n == 14 && !memcmp(s + 8, "strict", 6))
		p->lv[p->depth].strict = s[7] == '+';
}

static void on_other(struct tap_parser *p, const char *s, size_t n,
		     const char *content, size_t cn)
{
	if (cn && content[0] != '#' && p->lv[p->depth].strict) {
		char q[80];
		quote(q, sizeof(q), content, cn, 60);
		problem(p, "line %lu: not TAP, under pragma +strict: '%s'", p->lineno, q);
	}
	out_line(p, s, n);
}

/* Inside a YAML block: 1 when the line was the block's. */
static int yaml_line(struct tap_parser *p, const char *s, size_t n, size_t ind)
{
	size_t body = trim_end(s, n);

	if (body == ind + 3 && ind >= p->yaml_indent && !memcmp(s + ind, "...", 3)) {
		p->in_yaml = false;
		return 1;
	}
	if (ind < p->yaml_indent && ind < body) {
		yaml_unclosed(p);
		return 0;
	}
	if (p->yaml_full || p->yaml.len + n + 1 > TAP_YAML_MAX) {
		p->yaml_full = true;    /* the first TAP_YAML_MAX bytes only */
	} else {
		size_t from = n < p->yaml_indent ? n : p->yaml_indent;
		buf_add(&p->yaml, s + from, n - from);
		buf_add(&p->yaml, "\n", 1);
	}
	return 1;
}

static void forget_sub_name(struct tap_parser *p)
{
	free(p->sub_name);
	p->sub_name = NULL;
}

/* Opens the level below the innermost, named by a "# Subtest:" comment
 * when one announced it. */
static void open_level(struct tap_parser *p)
{
	if (p->sub_name && p->sub_depth == p->depth + 1) {
		push_level(p, p->sub_name, strlen(p->sub_name));
		p->lv[p->depth].open_line = p->sub_line;  /* named there */
	} else {
		push_level(p, NULL, 0);
	}
	forget_sub_name(p);
}

/* A "# Subtest: NAME" comment at level d (NAME: s[0..n)). At the level
 * below the innermost, it shows that level's block began: the name
 * announced for it opens it. It announces a subtest at level d + 1. */
static void on_subtest_comment(struct tap_parser *p, size_t d, const char *s,
			       size_t n)
{
	if (d == p->depth + 1 && p->sub_name && p->sub_depth == d)
		open_level(p);
	if (d > p->depth)
		return;
	close_levels_to(p, d, "has no test point after it at its parent's level");
	forget_sub_name(p);
	p->sub_name = xstrndup(s, n);
	p->sub_depth = d + 1;
	p->sub_line = p->lineno;
}

/* A line at indentation ind: moves to its level (opening bare subtests,
 * closing finished ones); 0 when it cannot belong to any level. */
static int enter_level(struct tap_parser *p, size_t ind, enum kind k,
		       bool *correlated, bool *sub_failed)
{
	size_t want;

	if (ind % 4)
		return 0;
	want = ind / 4;
	*correlated = false;
	*sub_failed = false;
	if (want > p->depth) {
		while (p->depth < want)
			open_level(p);
	} else if (want < p->depth) {
		if (k == L_POINT) {
			*correlated = p->lv[want + 1].cases > 0;
			*sub_failed = p->lv[want + 1].failed > 0;
			close_levels_to(p, want + 1,
					"has no test point after it at its parent's level");
			pop_level(p);
		} else {
			close_levels_to(p, want,
					"has no test point after it at its parent's level");
		}
	}
	/* a subtest announced, whose block never came: a comment only */
	forget_sub_name(p);
	return 1;
}

static void on_line(struct tap_parser *p, const char *s, size_t n, uint64_t now)
{
	size_t ind = 0, cn;
	const char *c;
	enum kind k;
	bool correlated, sub_failed;

	p->lineno++;
	if (n && s[n - 1] == '\r')
		n--;
	while (ind < n && s[ind] == ' ')
		ind++;
	if (p->in_yaml && yaml_line(p, s, n, ind))
		return;
	c = s + ind;
	cn = n - ind;
	if (p->bailed) {
		out_line(p, s, n);
		return;
	}
	if (p->pending && !p->in_yaml && cn == 3 && !memcmp(c, "---", 3) &&
	    ind == 4 * p->pt.depth + 2 && !p->yaml.len) {
		p->in_yaml = true;
		p->yaml_full = false;
		p->yaml_indent = ind;
		p->yaml_line = p->lineno;
		return;
	}
	if (!cn || c[0] == '#') {
		bool subtest = cn >= 9 && !memcmp(c, "# Subtest", 9) &&
			       (cn == 9 || c[9] == ':' || c[9] == ' ');
		if (p->pending && cn && (subtest || p->pt.ok))
			flush_point(p);
		if (subtest && ind % 4 == 0) {
			size_t i = skip_ws(c, cn > 9 && c[9] == ':' ? 10 : 9, cn);
			on_subtest_comment(p, ind / 4, c + i, trim_end(c + i, cn - i));
		}
		if (cn)
			out_line(p, s, n);
		return;
	}
	flush_point(p);
	k = classify(c, cn);
	if (k == L_BAIL) {              /* at any depth: it ends everything */
		on_bail(p, c, cn);
		return;
	}
	if (k == L_OTHER || !enter_level(p, ind, k, &correlated, &sub_failed)) {
		on_other(p, s, n, c, cn);
		return;
	}
	switch (k) {
	case L_VERSION: on_version(p, c, cn); break;
	case L_PLAN: on_plan(p, c, cn); break;
	case L_POINT: on_point(p, c, cn, now, correlated, sub_failed); break;
	case L_PRAGMA: on_pragma(p, c, cn); break;
	default: break;
	}
}

/* ---- the stream ---- */

struct tap_parser *tap_new(tap_case_fn *fn, void *arg, uint64_t start_ns)
{
	struct tap_parser *p = xcalloc(1, sizeof(*p));

	p->fn = fn;
	p->arg = arg;
	p->last_ns = start_ns;
	xgrow((void **)&p->lv, &p->lv_cap, 4, sizeof(*p->lv));
	memset(p->lv, 0, sizeof(*p->lv));
	p->lv[0].name = xstrdup("");
	p->plan_rule = TAP_PLAN_AUTO;
	return p;
}

void tap_set_plan_rule(struct tap_parser *p, enum tap_plan rule)
{
	p->plan_rule = rule;
}

void tap_free(struct tap_parser *p)
{
	if (!p)
		return;
	for (size_t d = 0; d <= p->depth; d++)
		free(p->lv[d].name);
	free(p->lv);
	free(p->line.s);
	free(p->pt.desc.s);
	free(p->pt.reason.s);
	free(p->yaml.s);
	free(p->out.s);
	free(p->scratch.s);
	free(p->sub_name);
	free(p->names);
	free(p->problem);
	free(p->last_skip);
	free(p->summary_reason);
	free(p);
}

/* Adds bytes of an unfinished line, keeping the first TAP_LINE_MAX and
 * counting the rest. NUL bytes read as U+FFFD, so strings stay whole. */
static void line_add(struct tap_parser *p, const char *s, size_t n)
{
	while (n) {
		const char *z = memchr(s, 0, n);
		size_t k = z ? (size_t)(z - s) : n, room;

		room = TAP_LINE_MAX - (p->line.len < TAP_LINE_MAX ? p->line.len
								   : TAP_LINE_MAX);
		if (k > room) {
			p->line_cut += k - room;
			k = room;
		}
		buf_add(&p->line, s, k);
		if (!z)
			return;
		if (p->line.len + 3 <= TAP_LINE_MAX)
			buf_add(&p->line, "\xef\xbf\xbd", 3);
		else
			p->line_cut++;
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
}

static void line_done(struct tap_parser *p, uint64_t now)
{
	on_line(p, buf_str(&p->line), p->line.len, now);
	p->line.len = 0;
	p->line_cut = 0;
}

void tap_feed(struct tap_parser *p, const char *buf, size_t n, uint64_t now_ns)
{
	while (n) {
		const char *nl = memchr(buf, '\n', n);
		size_t k = nl ? (size_t)(nl - buf) : n;

		if (!nl) {
			line_add(p, buf, n);
			return;
		}
		if (!p->line.len && !p->line_cut && k <= TAP_LINE_MAX &&
		    !memchr(buf, 0, k)) {
			on_line(p, buf, k, now_ns);     /* the whole line is here */
		} else {
			line_add(p, buf, k);
			line_done(p, now_ns);
		}
		buf += k + 1;
		n -= k + 1;
	}
}

void tap_feed_other(struct tap_parser *p, const char *buf, size_t n)
{
	out_add(p, buf, n);
}

/* The one-line reason for the whole stream, and whether to report it. */
static void judge(struct tap_parser *p, int exit_code, struct tap_summary *o)
{
	const struct level *top = &p->lv[0];
	char r[REASON_MAX];

	o->report = true;
	o->classification = NULL;
	if (p->problem) {
		o->outcome = ASSAY_ERROR;
		o->classification = "tap-protocol";
		snprintf(r, sizeof(r), "%s", p->problem);
	} else if (exit_code == 77 && !top->failed) {
		/* automake's and GLib's "skipped", after any passing points */
		o->outcome = ASSAY_SKIP;
		snprintf(r, sizeof(r), "%s", p->last_skip ? p->last_skip :
			 "exit code 77 (skipped)");
		o->report = !top->count || top->skipped < top->count;
	} else if (exit_code > 0 && !top->failed) {
		o->outcome = ASSAY_ERROR;
		o->classification = "exit-code";
		snprintf(r, sizeof(r), "exit code %d although no test point failed",
			 exit_code);
	} else if (top->plan_line && top->planned == 0) {
		o->outcome = ASSAY_SKIP;
		snprintf(r, sizeof(r), "%s", p->summary_reason);
	} else if (top->failed) {
		o->outcome = ASSAY_FAIL;
		snprintf(r, sizeof(r), "%lu of %lu test points failed", top->failed,
			 top->cases);
		o->report = false;
	} else {
		o->outcome = ASSAY_PASS;
		snprintf(r, sizeof(r), "%lu test point%s%s", top->cases,
			 top->cases == 1 ? "" : "s", p->unplanned ? ", no plan" : "");
		o->report = !top->cases;
	}
	free(p->summary_reason);
	p->summary_reason = xstrdup(r);
	o->reason = p->summary_reason;
}

void tap_finish(struct tap_parser *p, uint64_t now_ns, int exit_code,
		struct tap_summary *out)
{
	if (p->line.len || p->line_cut)
		line_done(p, now_ns);   /* a last line without a newline */
	flush_point(p);                 /* closes an open YAML block too */
	if (!p->bailed) {
		close_levels_to(p, 0, "is not ended by a test point at its parent's level");
		check_plan(p, &p->lv[0], "");
	}
	memset(out, 0, sizeof(*out));
	judge(p, exit_code, out);
	out->cases = p->lv[0].cases;
	out->failed = p->lv[0].failed;
	out->lines = p->lineno;
	out->version = p->version;
	out->bailed = p->bailed;
}

/* Whether line s[0..n) is TAP beyond doubt: "TAP version N", a plan
 * "1..N" with nothing after it but a comment, or a numbered point. */
static bool sniff_line(const char *s, size_t n)
{
	size_t i = 0;
	unsigned long v;

	switch (classify(s, n)) {
	case L_VERSION:
		i = 12;
		return read_num(s, &i, n, &v) && trim_end(s, n) == i;
	case L_PLAN:
		if (!read_num(s, &i, n, &v) || v != 1)
			return false;
		i += 2;
		if (!read_num(s, &i, n, &v))
			return false;
		i = skip_ws(s, i, n);
		return i == n || s[i] == '#';
	case L_POINT:
		i = skip_ws(s, s[0] == 'o' ? 2 : 6, n);
		return i < n && s[i] >= '0' && s[i] <= '9' && read_num(s, &i, n, &v) &&
		       (i == n || s[i] == ' ' || s[i] == '\t');
	default:
		return false;
	}
}

int tap_sniff(const char *buf, size_t n)
{
	const char *end = buf + n;

	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		size_t len, i = 0;

		if (!nl)
			return -1;
		len = (size_t)(nl - buf);
		if (len && buf[len - 1] == '\r')
			len--;
		i = skip_ws(buf, 0, len);
		if (i < len && buf[i] != '#')
			return i == 0 && sniff_line(buf, len);
		buf = nl + 1;
	}
	return -1;
}
