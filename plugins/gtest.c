/*
 * plugins/gtest.c - the gtest kind: a GoogleTest binary, each of its
 * cases a test of its own.
 *
 * Recognised by what it is: an ELF executable that carries GoogleTest
 * (its help text, or its symbols when it links libgtest.so). Listed with
 * --gtest_list_tests, typed and parameterised names included; DISABLED_
 * cases are listed as skips. A task runs a batch of cases with
 * --gtest_filter. Verdicts come from the output as the cases run
 * ("[ RUN ]" starts a case, which restarts its deadline; "[ OK ]",
 * "[ FAILED ]", "[ SKIPPED ]" end it, with the failure or skip message as
 * the reason), and from --gtest_output=xml in its private TMPDIR for any
 * case the output did not show (a binary whose own listener replaces
 * gtest's printer, say). A case that was running when the
 * process crashed or timed out is blamed for it; the cases after it are
 * the host's to run again. Never sets GTEST_SHARD_* or GTEST_TOTAL_SHARDS,
 * never judges a case the output and the XML are silent on.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/plugin.h"
#include "builtin.h"
#include "harness/binary.h"
#include "harness/io.h"
#include "harness/xalloc.h"

#define LINE_MAX_KEPT 4096      /* a longer stdout line is cut for matching */
#define CASE_OUTPUT_MAX (64 * 1024)
#define REASON_MAX 300
#define XML_MAX (64u << 20)
#define XML_NAME "gtest.xml"

/* ---- recognising a GoogleTest binary ---- */

/*
 * GoogleTest's colour-coded help text ("@G--gtest_list_tests@D"), linked
 * into every binary built with libgtest.a, or its symbols, which a binary
 * linked with libgtest.so names. Each marker is put together at run time,
 * so that no program that merely mentions them (assay itself) carries
 * them whole.
 */
#define NMARKERS 2

static void markers(char m[NMARKERS][BINARY_MARKER_MAX])
{
	snprintf(m[0], BINARY_MARKER_MAX, "%s%s", "@G--gtest_", "list_tests@D");
	snprintf(m[1], BINARY_MARKER_MAX, "%s%s", "_ZN7testing8", "internal");
}

static int gtest_claim(const char *path, unsigned mode, int named)
{
	char m[NMARKERS][BINARY_MARKER_MAX];
	const char *v[NMARKERS] = { m[0], m[1] };

	markers(m);
	return binary_file_carries(path, mode, v, NMARKERS) ? 30 : 0;
}

/* ---- listing ---- */

extern char **environ;

/* The list depends on the binary and on GTEST_* variables (GTEST_FILTER
 * lists fewer cases): those key the host's cached listing. */
static int gtest_list_spec(const struct assay_test *t, struct assay_spec *spec)
{
	/* used before the next call: the host starts the process at once */
	static const char *argv[3];
	static char *key;
	size_t n = 1;

	argv[0] = t->path;
	argv[1] = "--gtest_list_tests";
	argv[2] = NULL;
	spec->argv = argv;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "GTEST_", 6))
			n += strlen(*e) + 1;
	free(key);
	key = xmalloc(n);
	key[0] = 0;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "GTEST_", 6))
			strcat(strcat(key, *e), "\x1f");
	spec->cache_key = key;
	return 0;
}

/* gtest's own rule (kDisableTestFilter): "DISABLED_*:*\/DISABLED_*". */
static bool disabled(const char *name, size_t n)
{
	static const char tag[] = "DISABLED_";
	const char *slash = memchr(name, '/', n);

	return (n >= sizeof(tag) - 1 && !memcmp(name, tag, sizeof(tag) - 1)) ||
	       (slash && (size_t)(name + n - slash - 1) >= sizeof(tag) - 1 &&
		!memcmp(slash + 1, tag, sizeof(tag) - 1));
}

/* Length of a name: up to the first blank ("Even/1  # GetParam() = 3"). */
static size_t name_len(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
		k++;
	return k;
}

/*
 * The list is "Suite." lines (maybe "  # TypeParam = ..." after), each
 * followed by "  Case" lines (maybe "  # GetParam() = ..." after). Any
 * other line is not part of it (gtest_main's "Running main() from",
 * whatever a program prints before), and ends the suite it follows.
 */
static int gtest_list_parse(const struct assay_test *t, const struct assay_exit *ex,
			    const char *out, size_t len, struct assay_case_sink *sink,
			    char *errbuf, size_t errlen)
{
	static const char skip_reason[] =
		"disabled (DISABLED_ prefix); --gtest_also_run_disabled_tests runs it";
	const char *p = out, *end = out + len;
	char suite[1024] = "", full[2048];
	size_t ns = 0, added = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k;
		if (n > 2 && p[0] == ' ' && p[1] == ' ' && p[2] != ' ' && ns) {
			k = name_len(p + 2, n - 2);
			snprintf(full, sizeof(full), "%.*s%.*s", (int)ns, suite,
				 (int)k, p + 2);
			sink->add(sink, full, disabled(suite, ns - 1) ||
				  disabled(p + 2, k) ? skip_reason : NULL);
			added++;
		} else if ((k = name_len(p, n)) > 1 && p[k - 1] == '.' &&
			   k < sizeof(suite) && p[0] != ' ') {
			memcpy(suite, p, k);
			ns = k;
		} else {
			ns = 0;
		}
		p += n + 1;
	}
	if (!added)
		snprintf(errbuf, errlen, "--gtest_list_tests printed no test names");
	return added ? 0 : -1;
}

/* ---- running ---- */

struct gtest_job {
	const struct assay_task *task;
	const char *argv[6];
	char *filter, *xml_arg, *xml_path;
	char line[LINE_MAX_KEPT];       /* stdout's current line */
	size_t line_len;
	char *cur;                      /* the case running, or NULL */
	uint64_t cur_start;
	char *out;                      /* what the running case printed */
	size_t out_len;
	char **seen;                    /* cases given a verdict */
	size_t nseen;
	size_t nsorted;                 /* seen[0..nsorted) sorted (from_xml) */
	const char **asked;             /* task->cases sorted (from_xml) */
	unsigned long failed;           /* of them, failed or crashed */
	bool own;                       /* the program's own verdict sent */
};

static int gtest_job_begin(void **state, const struct assay_task *task,
			   struct assay_spec *spec)
{
	struct gtest_job *g = xcalloc(1, sizeof(*g));
	size_t n = 0, len = 1;

	g->task = task;
	g->out = xmalloc(CASE_OUTPUT_MAX);
	g->xml_path = xasprintf("%s/" XML_NAME, task->tmpdir);
	g->xml_arg = xasprintf("--gtest_output=xml:%s", g->xml_path);
	g->argv[n++] = task->test->path;
	if (task->cases) {
		char *f;
		for (size_t i = 0; i < task->ncases; i++)
			len += strlen(task->cases[i]) + 1;
		f = g->filter = xmalloc(len + sizeof("--gtest_filter="));
		f += sprintf(f, "--gtest_filter=");
		for (size_t i = 0; i < task->ncases; i++)
			f += sprintf(f, "%s%s", i ? ":" : "", task->cases[i]);
		g->argv[n++] = g->filter;
	}
	g->argv[n++] = g->xml_arg;
	g->argv[n++] = "--gtest_color=no";
	g->argv[n] = NULL;
	spec->argv = g->argv;
	*state = g;
	return 0;
}

static void seen_add(struct gtest_job *g, const char *name)
{
	g->seen = xrealloc(g->seen, (g->nseen + 1) * sizeof(*g->seen));
	g->seen[g->nseen++] = xstrdup(name);
}

/* Appends text to dst (of n bytes) as one line: blanks collapsed. */
static void join_line(char *dst, size_t n, const char *s, size_t len)
{
	size_t k = strlen(dst);
	bool blank = k > 0 && dst[k - 1] == ' ';

	for (size_t i = 0; i < len && k + 1 < n; i++) {
		char c = (unsigned char)s[i] < ' ' ? ' ' : s[i];
		if (c == ' ' && (blank || !k))
			continue;
		dst[k++] = c;
		blank = c == ' ';
	}
	dst[k] = 0;
}

/*
 * The reason of a failed or skipped case, from what it printed: the first
 * "FILE:LINE: Failure" (or "Skipped") block, made one line:
 * "FILE:LINE: Expected equality of these values: a Which is: 1 ...".
 */
static void reason_from(const char *out, size_t len, const char *mark,
			char *reason, size_t n)
{
	const char *p = out, *end = out + len, *hit = NULL;
	size_t ml = strlen(mark);

	reason[0] = 0;
	while (p < end && !hit) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (k >= ml && !memcmp(p + k - ml, mark, ml)) {
			join_line(reason, n, p, k - ml + 1);     /* "FILE:LINE:" */
			hit = p + k + 1;
		}
		p += k + 1;
	}
	for (p = hit; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!k || (k >= 9 && (!memcmp(p + k - 9, ": Failure", 9))))
			break;
		join_line(reason, n, " ", 1);
		join_line(reason, n, p, k);
		p += k + 1;
	}
}

static void report(struct gtest_job *g, struct assay_job_ctx *ctx,
		   const char *name, enum assay_outcome o, const char *reason,
		   uint64_t duration_ns, const char *out, size_t out_len,
		   const char *classification)
{
	struct assay_verdict v = {
		.struct_size = sizeof(v), .case_name = name, .outcome = o,
		.reason = reason, .duration_ns = duration_ns ? duration_ns : 1,
		.output = out, .output_len = out_len,
		.classification = classification,
	};

	seen_add(g, name);
	g->failed += assay_outcome_tally(o) == ASSAY_TALLY_FAILED;
	ctx->report(ctx, &v);
}

/* "[  FAILED  ] NAME, where GetParam() = 3 (12 ms)": NAME, and the ms. */
static size_t end_name(const char *s, size_t n, uint64_t *ms)
{
	const char *open = NULL, *where;

	*ms = 0;
	if (n > 4 && !memcmp(s + n - 4, " ms)", 4))
		for (size_t i = n - 4; i > 0 && !open; i--)
			if (s[i - 1] == '(')
				open = s + i - 1;
	if (open) {
		*ms = strtoull(open + 1, NULL, 10);
		n = (size_t)(open - s);
		while (n && s[n - 1] == ' ')
			n--;
	}
	where = memmem(s, n, ", where ", 8);
	return where ? (size_t)(where - s) : n;
}

static void case_ends(struct gtest_job *g, struct assay_job_ctx *ctx,
		      enum assay_outcome o, const char *rest, size_t n)
{
	char reason[REASON_MAX] = "";
	uint64_t ms, took = io_now_ns() - g->cur_start;
	size_t k = end_name(rest, n, &ms);

	if (!g->cur || strlen(g->cur) != k || memcmp(g->cur, rest, k))
		return;                 /* the summary at the end, say */
	if (o == ASSAY_SKIP) {
		reason_from(g->out, g->out_len, ": Skipped", reason, sizeof(reason));
		if (!strchr(reason, ' '))       /* no message after FILE:LINE: */
			join_line(reason, sizeof(reason), " skipped (GTEST_SKIP)", 21);
	} else if (o == ASSAY_FAIL) {
		reason_from(g->out, g->out_len, ": Failure", reason, sizeof(reason));
		if (!reason[0])
			snprintf(reason, sizeof(reason), "failed");
	}
	report(g, ctx, g->cur, o, reason, ms ? ms * 1000000u : took, g->out,
	       g->out_len, o == ASSAY_FAIL ? "gtest" : NULL);
	free(g->cur);
	g->cur = NULL;
}

static void out_add(struct gtest_job *g, const char *buf, size_t n)
{
	if (g->cur)
		case_output_add(g->out, &g->out_len, CASE_OUTPUT_MAX, buf, n);
}

/* One whole line of stdout (without its newline). */
static void on_line(struct gtest_job *g, struct assay_job_ctx *ctx,
		    const char *s, size_t n)
{
	static const struct { char prefix[14]; enum assay_outcome o; } ends[] = {
		{ "[       OK ] ", ASSAY_PASS },
		{ "[  FAILED  ] ", ASSAY_FAIL },
		{ "[  SKIPPED ] ", ASSAY_SKIP },
	};

	if (n > 13 && !memcmp(s, "[ RUN      ] ", 13)) {
		free(g->cur);
		g->cur = xstrndup(s + 13, n - 13);
		g->cur_start = io_now_ns();
		g->out_len = 0;
		if (ctx->struct_size >= offsetof(struct assay_job_ctx, case_start) +
					sizeof(ctx->case_start) && ctx->case_start)
			ctx->case_start(ctx, g->cur);
		return;
	}
	for (size_t i = 0; n > 13 && i < sizeof(ends) / sizeof(*ends); i++)
		if (!memcmp(s, ends[i].prefix, 13)) {
			case_ends(g, ctx, ends[i].o, s + 13, n - 13);
			return;
		}
	out_add(g, s, n);
	out_add(g, "\n", 1);
}

static void gtest_job_output(void *state, int stream, const char *buf, size_t n,
			     struct assay_job_ctx *ctx)
{
	struct gtest_job *g = state;

	if (stream != 1) {              /* stderr: only the case's output */
		out_add(g, buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (g->line_len < sizeof(g->line))
				g->line[g->line_len++] = buf[i];
			continue;
		}
		on_line(g, ctx, g->line, g->line_len);
		g->line_len = 0;
	}
}

/* ---- the end ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the output showed name (what from_xml sorted of it; the XML's
 * own verdicts are added after, each testcase once). */
static bool seen(const struct gtest_job *g, const char *name)
{
	return g->nsorted && bsearch(&name, g->seen, g->nsorted,
				     sizeof(*g->seen), cmp_str);
}

/* Whether the task asked for name (a whole run asked for all). */
static bool asked(const struct gtest_job *g, const char *name)
{
	return !g->task->cases ||
	       bsearch(&name, g->asked, g->task->ncases, sizeof(*g->asked),
		       cmp_str);
}

static char *prop(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static xmlNode *child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* One <testcase> the output did not show. */
static void from_xml_case(struct gtest_job *g, struct assay_job_ctx *ctx,
			  xmlNode *tc)
{
	char *cls = prop(tc, "classname"), *name = prop(tc, "name");
	char *status = prop(tc, "status"), *result = prop(tc, "result");
	char *time = prop(tc, "time"), full[2048], reason[REASON_MAX] = "";
	xmlNode *f = child(tc, "failure"), *sk = child(tc, "skipped");
	char *msg = f ? prop(f, "message") : sk ? prop(sk, "message") : NULL;
	enum assay_outcome o;

	snprintf(full, sizeof(full), "%s.%s", cls ? cls : "", name ? name : "");
	if (msg)
		join_line(reason, sizeof(reason), msg, strlen(msg));
	if (cls && name && !*cls && !*name && f) {
		/* a failure outside any test (an environment's, an
		 * uninstantiated suite's): the program's own */
		struct assay_verdict v = { .struct_size = sizeof(v),
					   .outcome = ASSAY_FAIL, .reason = reason,
					   .classification = "gtest" };
		g->failed++;
		g->own = true;
		ctx->report(ctx, &v);
		goto out;
	}
	if (!cls || !name || seen(g, full) || !asked(g, full) ||
	    (status && strcmp(status, "run")))
		goto out;
	o = f ? ASSAY_FAIL : sk || (result && !strcmp(result, "skipped"))
		? ASSAY_SKIP : ASSAY_PASS;
	report(g, ctx, full, o, reason,
	       (uint64_t)((time ? strtod(time, NULL) : 0) * 1e9), NULL, 0,
	       o == ASSAY_FAIL ? "gtest" : NULL);
out:
	xmlFree(cls);
	xmlFree(name);
	xmlFree(status);
	xmlFree(result);
	xmlFree(time);
	xmlFree(msg);
}

/* The XML report: verdicts for cases the output did not show (a program
 * that redirects its stdout, say). Read without the network, entities
 * or a DTD; a missing or broken file is simply not used. */
static void from_xml(struct gtest_job *g, struct assay_job_ctx *ctx)
{
	static const char outside[] = "<testcase name=\"\"";
	xmlDoc *doc;
	xmlNode *root;
	char *text;
	size_t len;

	if (io_read_file(g->xml_path, XML_MAX, &text, &len) < 0)
		return;
	/* every case it asked for was shown already: the XML has something
	 * to add only when it records a failure outside any test */
	if (g->task->cases && g->nseen >= g->task->ncases &&
	    !memmem(text, len, outside, sizeof(outside) - 1)) {
		free(text);
		return;
	}
	if (g->nseen)           /* none seen: seen is NULL, which qsort refuses */
		qsort(g->seen, g->nseen, sizeof(*g->seen), cmp_str);
	g->nsorted = g->nseen;
	if (g->task->cases) {
		g->asked = xmalloc((g->task->ncases + 1) * sizeof(*g->asked));
		memcpy(g->asked, g->task->cases, g->task->ncases * sizeof(*g->asked));
		qsort(g->asked, g->task->ncases, sizeof(*g->asked), cmp_str);
	}
	doc = xmlReadMemory(text, (int)len, g->xml_path, NULL, XML_PARSE_NONET |
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_NOCDATA);
	free(text);
	if (!doc)
		return;
	root = xmlDocGetRootElement(doc);
	for (xmlNode *s = root ? root->children : NULL; s; s = s->next)
		for (xmlNode *tc = s->children; tc; tc = tc->next)
			if (tc->type == XML_ELEMENT_NODE &&
			    !strcmp((const char *)tc->name, "testcase"))
				from_xml_case(g, ctx, tc);
	xmlFreeDoc(doc);
}

static void gtest_job_end(void *state, const struct assay_exit *ex,
			  struct assay_job_ctx *ctx)
{
	struct gtest_job *g = state;
	struct assay_verdict v = { .struct_size = sizeof(v) };
	char reason[REASON_MAX];

	if (g->line_len)                /* a last line with no newline */
		on_line(g, ctx, g->line, g->line_len);
	if (g->cur) {                   /* it died in this case */
		exec_judge_cut(ex, ctx->test, &v, reason, sizeof(reason));
		if (v.outcome == ASSAY_FAIL)
			v.classification = "gtest";
		report(g, ctx, g->cur, v.outcome, reason,
		       io_now_ns() - g->cur_start, g->out, g->out_len,
		       v.classification);
		free(g->cur);
		g->cur = NULL;
	}
	from_xml(g, ctx);
	/* the program's own verdict: a whole run that showed no case, or an
	 * end that disagrees with every case passing */
	exec_judge(ex, ctx->test, &v, reason, sizeof(reason));
	if (g->own) {
		/* the XML's failure outside any case said it */
	} else if (!g->nseen && !g->task->cases) {
		v.reason = reason;
		ctx->report(ctx, &v);
	} else if (g->nseen && !g->failed && v.outcome != ASSAY_PASS &&
		   (!g->task->cases || g->nseen >= g->task->ncases)) {
		if (ex->how == ASSAY_EXITED)
			snprintf(reason, sizeof(reason),
				 "exit code %d, though every case it ran passed",
				 ex->code);
		v.reason = reason;
		ctx->report(ctx, &v);
	}
	for (size_t i = 0; i < g->nseen; i++)
		free(g->seen[i]);
	free(g->seen);
	free(g->asked);
	free(g->cur);
	free(g->out);
	free(g->filter);
	free(g->xml_arg);
	free(g->xml_path);
	free(g);
}

static const struct assay_kind gtest_kind = {
	.abi_version = ASSAY_PLUGIN_ABI,
	.struct_size = sizeof(struct assay_kind),
	.name = "gtest",
	.summary = "a GoogleTest binary: each of its cases is a test",
	.claim = gtest_claim,
	.job_begin = gtest_job_begin,
	.job_output = gtest_job_output,
	.job_end = gtest_job_end,
	.list_spec = gtest_list_spec,
	.list_parse = gtest_list_parse,
};

static const struct assay_kind *const kinds[] = { &gtest_kind, NULL };

const struct assay_plugin *gtest_plugin(void)
{
	static const struct assay_plugin p = {
		.abi_version = ASSAY_PLUGIN_ABI,
		.struct_size = sizeof(p),
		.name = "gtest",
		.kinds = kinds,
	};
	return &p;
}
