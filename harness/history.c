/* history.c - see history.h. */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "term.h"
#include "io.h"
#include "xalloc.h"

/*
 * STATE/history, one line per test, the id last so that it may hold
 * spaces (an id with a tab or a newline is never recorded):
 *     # assay history 1
 *     mean_s TAB max_s TAB runs TAB fails TAB flakes TAB last_s TAB
 *     recent TAB id
 * seconds as %.6f, recent as the outcome letters oldest first or "-".
 */
#define HEADER "# assay history 1"
#define NFIELDS 8
#define FILE_MAX ((off_t)256 << 20)     /* bigger is not ours */
#define OUTCOMES "PFSK"
#define SHOW_TOP 10

/* One finished run of a test program, waiting for history_save. */
struct hist_rec {
	char *id;
	double duration_s;
	int64_t when_s;
	size_t seq;             /* order recorded, kept per test */
	char outcome;
};

/* A set of entries, as history keeps them (h->v, h->n, h->cap). */
struct table {
	struct hist_entry *v;
	size_t n, cap;
};

enum load_status {
	LOAD_MISSING,           /* no file: a first run */
	LOAD_OK,
	LOAD_UNREADABLE,        /* a system call failed */
	LOAD_CORRUPT,           /* not a history file as we write them */
};

/*
 * Process-wide state: lock_wait_ms only. HISTORY_LOCK_WAIT_S unless a
 * unit test shortens it (history_test_set_lock_wait_ms) before it saves;
 * nothing else writes it.
 */
static unsigned lock_wait_ms = HISTORY_LOCK_WAIT_S * 1000;

/* Test-only hook, deliberately not in history.h. */
void history_test_set_lock_wait_ms(unsigned ms);
void history_test_set_lock_wait_ms(unsigned ms)
{
	lock_wait_ms = ms;
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].id);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- reading ---- */

/* The whole file in *text (NUL-terminated), or why not. */
static enum load_status read_text(const char *path, char **text, size_t *len,
				  char **why)
{
	if (io_read_file(path, FILE_MAX, text, len) == 0)
		return LOAD_OK;
	if (errno == ENOENT)
		return LOAD_MISSING;
	if (errno == EFBIG || errno == EINVAL) {
		*why = xasprintf("history %s is %s", path, errno == EFBIG ?
				 "larger than 256 MiB" : "not a regular file");
		return LOAD_CORRUPT;
	}
	*why = xasprintf("cannot read history %s: %s", path, strerror(errno));
	return LOAD_UNREADABLE;
}

/* A count: digits only, at most UINT_MAX. */
static bool parse_count(const char *s, unsigned *out)
{
	unsigned long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Seconds as we write them: digits, then optionally '.' and digits. */
static bool parse_seconds(const char *s, double *out)
{
	size_t k = strspn(s, "0123456789");

	if (!k)
		return false;
	if (s[k] == '.') {
		size_t f = strspn(s + k + 1, "0123456789");
		if (!f)
			return false;
		k += 1 + f;
	}
	if (s[k])
		return false;
	*out = strtod(s, NULL);
	return isfinite(*out);
}

static bool parse_epoch(const char *s, int64_t *out)
{
	long long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

static const char *parse_recent(const char *s, char *out)
{
	size_t n = strlen(s);

	if (!strcmp(s, "-")) {
		out[0] = 0;
		return NULL;
	}
	if (!n)
		return "recent outcomes are empty (\"-\" when none)";
	if (strspn(s, OUTCOMES) != n)
		return "recent outcomes hold a letter other than P F S K";
	if (n > HISTORY_RECENT)
		return "more than 16 recent outcomes";
	memcpy(out, s, n + 1);
	return NULL;
}

/* An id as the file stores it: a backslash, a tab, a newline and every
 * other control byte escaped (\\ \t \n \r \xNN), so that any id
 * fits on one line of tab-separated fields and reads back exactly. */
static void id_escape(FILE *f, const char *id)
{
	for (const unsigned char *c = (const unsigned char *)id; *c; c++)
		if (*c == '\\')
			fputs("\\\\", f);
		else if (*c == '\t')
			fputs("\\t", f);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c == '\r')
			fputs("\\r", f);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* id_escape undone; an escape it never writes stays as it is. */
static char *id_unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;

	while (*s) {
		if (s[0] != '\\' || !s[1]) {
			*w++ = *s++;
		} else if (s[1] == '\\' || s[1] == 't' || s[1] == 'n' || s[1] == 'r') {
			*w++ = s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : s[1] == 'r' ? '\r' : '\\';
			s += 2;
		} else if (s[1] == 'x' && hex(s[2]) >= 0 && hex(s[3]) >= 0 &&
			   hex(s[2]) * 16 + hex(s[3]) > 0) {
			*w++ = (char)(hex(s[2]) * 16 + hex(s[3]));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = 0;
	return out;
}

/* Fills en from one line (split in place); NULL, or what is wrong. */
static const char *parse_line(char *s, struct hist_entry *en)
{
	char *f[NFIELDS];
	const char *what;
	int n = 0;

	for (f[n++] = s; n < NFIELDS && (s = strchr(s, '\t')); f[n++] = s)
		*s++ = 0;
	if (n < NFIELDS)
		return "too few fields (8, tab-separated)";
	if (strchr(f[NFIELDS - 1], '\t'))
		return "too many fields (8, tab-separated)";
	if (!parse_seconds(f[0], &en->mean_s))
		return "mean is not a number of seconds >= 0";
	if (!parse_seconds(f[1], &en->max_s))
		return "max is not a number of seconds >= 0";
	if (!parse_count(f[2], &en->runs) || !parse_count(f[3], &en->fails) ||
	    !parse_count(f[4], &en->flakes))
		return "runs, fails or flakes is not a count >= 0";
	if (!en->runs || (uint64_t)en->fails + en->flakes > en->runs)
		return "fails and flakes do not fit in runs";
	if (!parse_epoch(f[5], &en->last_s))
		return "last run is not a time in epoch seconds";
	if ((what = parse_recent(f[6], en->recent)))
		return what;
	if (!*f[7])
		return "empty test id";
	en->id = id_unescape(f[7]);
	return NULL;
}

static int cmp_index(const void *a, const void *b, void *ctx)
{
	const struct hist_entry *v = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(v[i].id, v[j].id);

	return c ? c : (i > j) - (i < j);
}

/*
 * Sorts t by id, dropping an id seen on an earlier line (the first one
 * stands); entry i came from line[i]. Returns how many were dropped, and
 * the line of the first in *first.
 */
static unsigned sort_table(struct table *t, const unsigned *line,
			   unsigned *first)
{
	size_t *ord = xmalloc((t->n + 1) * sizeof(*ord)), n = 0;
	struct hist_entry *w = xmalloc((t->n + 1) * sizeof(*w));
	unsigned dups = 0;

	for (size_t i = 0; i < t->n; i++)
		ord[i] = i;
	qsort_r(ord, t->n, sizeof(*ord), cmp_index, t->v);
	for (size_t i = 0; i < t->n; i++) {
		struct hist_entry *en = &t->v[ord[i]];
		if (n && !strcmp(w[n - 1].id, en->id)) {
			if (!dups++ || line[ord[i]] < *first)
				*first = line[ord[i]];
			free(en->id);
			continue;
		}
		w[n++] = *en;
	}
	free(t->v);
	t->v = w;
	t->n = n;
	t->cap = t->n + 1;
	free(ord);
	return dups;
}

/* The next line, its '\n' made a NUL; NULL at the end of the text. */
static char *next_line(char **p, char *end, size_t *len)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;       /* a last line without '\n' is still a line */
	*nl = 0;
	*len = (size_t)(nl - s);
	*p = nl + 1;
	return s;
}

/*
 * Reads the text into t. A file that does not start with the header is
 * LOAD_CORRUPT; a line that cannot be read (a torn last line, a byte
 * gone wrong, an id seen before) is left out, and *why says how many and
 * the first, while every good line is kept.
 */
static enum load_status parse_text(char *text, size_t len, const char *path,
				   struct table *t, char **why)
{
	char *p = text, *end = text + len, *s;
	const char *what, *first_what = NULL;
	unsigned line = 1, bad = 0, first_bad = 0, dups, first_dup = 0;
	unsigned *lines = NULL;
	size_t n, lcap = 0;

	s = next_line(&p, end, &n);
	if (!s || strlen(s) != n || strcmp(s, HEADER)) {
		*why = xasprintf("corrupt history %s: the first line is not \"" HEADER "\"",
				 path);
		return LOAD_CORRUPT;
	}
	while ((s = next_line(&p, end, &n))) {
		line++;
		xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
		xgrow((void **)&lines, &lcap, t->n + 1, sizeof(*lines));
		memset(&t->v[t->n], 0, sizeof(*t->v));
		what = strlen(s) != n ? "a NUL byte" : parse_line(s, &t->v[t->n]);
		if (!what) {
			lines[t->n++] = line;
		} else if (!bad++) {
			first_bad = line;
			first_what = what;
		}
	}
	if ((dups = sort_table(t, lines, &first_dup)) && (!bad || first_dup < first_bad)) {
		first_bad = first_dup;
		first_what = "the same test id as an earlier line";
	}
	free(lines);
	bad += dups;
	if (bad)
		*why = xasprintf("history %s: %u line%s left out (line %u: %s); the other %zu kept",
				 path, bad, bad == 1 ? "" : "s", first_bad, first_what, t->n);
	return LOAD_OK;
}

/* Reads path into t (empty unless LOAD_OK); why says what went wrong. */
static enum load_status load_table(const char *path, struct table *t,
				   char **why)
{
	enum load_status st;
	char *text;
	size_t len;

	memset(t, 0, sizeof(*t));
	*why = NULL;
	st = read_text(path, &text, &len, why);
	if (st == LOAD_OK)
		st = parse_text(text, len, path, t, why);
	free(text);
	return st;
}

/* The identity of the file at path now; invalid when it is not there. */
static struct history_stamp stamp_of(const char *path)
{
	struct history_stamp s = { 0 };
	struct stat st;

	if (stat(path, &st) == 0)
		s = (struct history_stamp){ true, st.st_dev, st.st_ino, st.st_size,
					    st.st_mtim };
	return s;
}

static bool same_stamp(const struct history_stamp *a,
		       const struct history_stamp *b)
{
	return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

void history_load(struct history *h, const char *dir)
{
	struct table t;
	struct history_stamp before;
	char *path, *why;
	enum load_status st;

	memset(h, 0, sizeof(*h));
	if (!dir || !*dir)
		return;
	h->dir = xstrdup(dir);
	path = xasprintf("%s/history", dir);
	/* stamped before the read: a file replaced in between is read
	 * again at save, never taken for the one read */
	before = stamp_of(path);
	st = load_table(path, &t, &why);
	if (st == LOAD_OK && why)       /* some lines left out: rewritten */
		h->problem = xasprintf("%s; the file is rewritten without them", why);
	else if (st == LOAD_OK)
		h->stamp = before;
	else if (st > LOAD_OK)
		h->problem = xasprintf("%s; it will be rebuilt from this run",
				       why);
	free(why);
	free(path);
	h->v = t.v;
	h->n = t.n;
	h->cap = t.cap;
}

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct hist_entry *)elem)->id);
}

const struct hist_entry *history_find(const struct history *h, const char *id)
{
	if (!h->dir || !h->n)
		return NULL;
	return bsearch(id, h->v, h->n, sizeof(*h->v), cmp_id);
}

void history_record(struct history *h, const char *id, double duration_s,
		    char outcome, int64_t when_s)
{
	struct hist_rec *r;

	assert(outcome && strchr(OUTCOMES, outcome));
	if (!h->dir || !*id || !outcome || !strchr(OUTCOMES, outcome))
		return;         /* could not be read back: never written */
	xgrow((void **)&h->recs, &h->reccap, h->nrecs + 1, sizeof(*h->recs));
	r = &h->recs[h->nrecs];
	r->id = xstrdup(id);
	/* a clock step can make it negative; -0.0 would print as "-0" */
	r->duration_s = isfinite(duration_s) && duration_s > 0 ? duration_s : 0;
	r->when_s = when_s > 0 ? when_s : 0;
	r->seq = h->nrecs++;
	r->outcome = outcome;
}

/* ---- saving ---- */

/* Opens and locks DIR/history.lock, waiting at most lock_wait_ms. */
static int lock_dir(const char *dir, int *out, struct err *e)
{
	char *path = xasprintf("%s/history.lock", dir);
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	uint64_t deadline = io_now_ns() + lock_wait_ms * (uint64_t)1000000;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666), rc = 0;

	if (fd < 0) {
		rc = err_set(e, ERR_SYS, "cannot open %s", path);
		goto out_free;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = err_set(e, ERR_SYS, "cannot lock %s", path);
			break;
		}
		if (io_now_ns() >= deadline) {
			errno = 0;
			rc = err_set(e, ERR_SYS, "history not saved: another assay run holds %s (waited %.1f s)",
				     path, lock_wait_ms / 1000.0);
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (rc < 0)
		close(fd);
	else
		*out = fd;
out_free:
	free(path);
	return rc;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct hist_rec *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* One more run of en; en->runs == 0 for a test seen the first time. */
static void apply(struct hist_entry *en, const struct hist_rec *r)
{
	double d = r->duration_s;
	size_t k = strlen(en->recent);

	if (!en->runs) {
		en->mean_s = en->max_s = d;
	} else {
		en->mean_s = HISTORY_ALPHA * d +
			     (1 - HISTORY_ALPHA) * en->mean_s;
		en->max_s = d > en->max_s ? d :
			    en->max_s - 0.1 * (en->max_s - d);
	}
	if (en->runs < UINT_MAX) {      /* counts stop together */
		en->runs++;
		en->fails += r->outcome == 'F';
		en->flakes += r->outcome == 'K';
	}
	if (k == HISTORY_RECENT)
		memmove(en->recent, en->recent + 1, --k);
	en->recent[k] = r->outcome;
	en->recent[k + 1] = 0;
	en->last_s = r->when_s;
}

/* Merges h's records into old (sorted), giving out sorted; old's ids
 * move to out, old's array is freed. */
static void merge(struct table *old, struct history *h, struct table *out)
{
	struct hist_rec *r = h->recs;
	size_t i = 0, j = 0;
	struct hist_entry en;
	int c;

	qsort(r, h->nrecs, sizeof(*r), cmp_rec);
	memset(out, 0, sizeof(*out));
	while (i < old->n || j < h->nrecs) {
		c = i == old->n ? 1 : j == h->nrecs ? -1 :
		    strcmp(old->v[i].id, r[j].id);
		if (c <= 0) {
			en = old->v[i++];
		} else {
			memset(&en, 0, sizeof(en));
			en.id = xstrdup(r[j].id);
		}
		for (; j < h->nrecs && !strcmp(r[j].id, en.id); j++)
			apply(&en, &r[j]);
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = en;
	}
	free(old->v);
	memset(old, 0, sizeof(*old));
}

/* The file's text, built in memory; NULL when out of memory. */
static char *format_table(const struct table *t, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	fputs(HEADER "\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct hist_entry *en = &t->v[i];
		fprintf(f, "%.6f\t%.6f\t%u\t%u\t%u\t%" PRId64 "\t%s\t",
			en->mean_s, en->max_s, en->runs, en->fails, en->flakes,
			en->last_s, *en->recent ? en->recent : "-");
		id_escape(f, en->id);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int write_table(const char *path, const struct table *t, struct err *e)
{
	size_t len;
	char *tmp, *text = format_table(t, &len);
	int fd;

	if (!text)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	fd = io_atomic_open(path, &tmp);
	if (fd < 0) {
		free(text);
		return err_set(e, ERR_SYS, "cannot create a file beside %s",
			       path);
	}
	if (io_write_all(fd, text, len) < 0) {
		free(text);
		io_atomic_abort(fd, tmp);
		return err_set(e, ERR_SYS, "cannot write %s", path);
	}
	free(text);
	if (io_atomic_commit(fd, tmp, path) < 0)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	return 0;
}

static void records_clear(struct history *h)
{
	for (size_t i = 0; i < h->nrecs; i++)
		free(h->recs[i].id);
	h->nrecs = 0;
}

int history_save(struct history *h, struct err *e)
{
	struct table old, merged, mine = { h->v, h->n, h->cap };
	struct history_stamp cur;
	char *path, *why = NULL;
	int lock_fd = -1, rc;

	if (!h->dir || !h->nrecs)
		return 0;
	if (io_mkdir_p(h->dir) < 0)
		return err_set(e, ERR_SYS, "cannot create %s", h->dir);
	if ((rc = lock_dir(h->dir, &lock_fd, e)) < 0)
		return rc;
	path = xasprintf("%s/history", h->dir);
	cur = stamp_of(path);
	if (same_stamp(&h->stamp, &cur)) {
		/* no other run wrote since we loaded: what we hold is it */
		old = mine;
		memset(&mine, 0, sizeof(mine));
	} else {
		/* what another run wrote since we loaded, or rebuilt from here */
		if (load_table(path, &old, &why) > LOAD_OK && !h->problem)
			h->problem = xasprintf("%s; it will be rebuilt from this run",
					       why);
		free(why);
	}
	h->v = NULL;            /* merged into old or released below */
	h->n = h->cap = 0;
	merge(&old, h, &merged);
	rc = write_table(path, &merged, e);
	/* merged holds the file's entries with this run's applied: it is
	 * what h knows now, written or not */
	table_release(&mine);
	h->v = merged.v;
	h->n = merged.n;
	h->cap = merged.cap;
	records_clear(h);
	h->stamp = rc < 0 ? (struct history_stamp){ 0 } : stamp_of(path);
	close(lock_fd);         /* drops the lock */
	free(path);
	return rc;
}

void history_release(struct history *h)
{
	struct table t = { h->v, h->n, h->cap };

	table_release(&t);
	records_clear(h);
	free(h->recs);
	free(h->dir);
	free(h->problem);
	memset(h, 0, sizeof(*h));
}

/* ---- assay history ---- */

static int cmp_slowest(const void *a, const void *b)
{
	const struct hist_entry *x = *(const struct hist_entry *const *)a;
	const struct hist_entry *y = *(const struct hist_entry *const *)b;

	if (x->mean_s != y->mean_s)
		return x->mean_s < y->mean_s ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* Higher num/den first, compared exactly. */
static int cmp_rate(unsigned xn, unsigned xd, unsigned yn, unsigned yd)
{
	uint64_t l = (uint64_t)xn * yd, r = (uint64_t)yn * xd;

	return (l < r) - (l > r);
}

static int cmp_failing(const void *a, const void *b)
{
	const struct hist_entry *x = *(const struct hist_entry *const *)a;
	const struct hist_entry *y = *(const struct hist_entry *const *)b;
	int c = cmp_rate(x->fails, x->runs, y->fails, y->runs);

	if (c || x->fails != y->fails)
		return c ? c : x->fails < y->fails ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int cmp_flaky(const void *a, const void *b)
{
	const struct hist_entry *x = *(const struct hist_entry *const *)a;
	const struct hist_entry *y = *(const struct hist_entry *const *)b;
	int c = cmp_rate(x->flakes, x->runs, y->flakes, y->runs);

	if (x->flakes != y->flakes)
		return x->flakes < y->flakes ? 1 : -1;
	return c ? c : strcmp(x->id, y->id);
}

static unsigned fails_of(const struct hist_entry *en)
{
	return en->fails;
}

static unsigned flakes_of(const struct hist_entry *en)
{
	return en->flakes;
}

/* One part of `assay history`; count NULL: the slowest, with times. */
struct section {
	const char *title;
	unsigned (*count)(const struct hist_entry *);
	int (*cmp)(const void *, const void *);
};

static const struct section sections[] = {
	{ "slowest (mean, recent max, runs):", NULL, cmp_slowest },
	{ "most often failing (fails/runs, recent):", fails_of, cmp_failing },
	{ "flaky (passed on a retry; flaky/runs, recent):", flakes_of,
	  cmp_flaky },
};
#define NSECTIONS (sizeof(sections) / sizeof(*sections))

/* The top rows of t that the section counts, best first. */
static size_t pick(const struct table *t, const struct section *s,
		   unsigned top, const struct hist_entry **rows)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!s->count || s->count(&t->v[i]))
			rows[n++] = &t->v[i];
	qsort(rows, n, sizeof(*rows), s->cmp);
	return n < top ? n : top;
}

/* An id on the terminal, made harmless (term.h). */
static void put_id(const char *id, FILE *out)
{
	term_write(out, id, strlen(id), TERM_NAME);
	fputc('\n', out);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void show_slowest(const struct hist_entry **rows, size_t n, FILE *out)
{
	int wm = 0, wx = 0, wr = 0;
	char num[64];

	for (size_t i = 0; i < n; i++) {
		wm = max_int(wm, snprintf(num, sizeof(num), "%.3f",
					  rows[i]->mean_s));
		wx = max_int(wx, snprintf(num, sizeof(num), "%.3f",
					  rows[i]->max_s));
		wr = max_int(wr, snprintf(num, sizeof(num), "%u",
					  rows[i]->runs));
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %*.3fs  %*.3fs  %*u  ", wm, rows[i]->mean_s,
			wx, rows[i]->max_s, wr, rows[i]->runs);
		put_id(rows[i]->id, out);
	}
}

/* "count/runs  recent  id" rows. */
static void show_counted(const struct section *s,
			 const struct hist_entry **rows, size_t n, FILE *out)
{
	int wc = 0, wr = 1;
	char num[32];

	for (size_t i = 0; i < n; i++) {
		wc = max_int(wc, snprintf(num, sizeof(num), "%u/%u",
					  s->count(rows[i]), rows[i]->runs));
		wr = max_int(wr, (int)strlen(rows[i]->recent));
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%u/%u", s->count(rows[i]),
			 rows[i]->runs);
		fprintf(out, "  %*s  %-*s  ", wc, num, wr,
			*rows[i]->recent ? rows[i]->recent : "-");
		put_id(rows[i]->id, out);
	}
}

static void show_table(const struct table *t, unsigned top, FILE *out)
{
	const struct hist_entry **rows = xmalloc((t->n + 1) * sizeof(*rows));
	const struct section *s;
	size_t n;

	for (s = sections; s < sections + NSECTIONS; s++) {
		n = pick(t, s, top, rows);
		fprintf(out, "%s\n", s->title);
		if (!n)
			fputs("  (none)\n", out);
		else if (!s->count)
			show_slowest(rows, n, out);
		else
			show_counted(s, rows, n, out);
	}
	free(rows);
}

int history_show(const char *dir, unsigned top, FILE *out, struct err *e)
{
	struct table t;
	char *path, *why;
	int rc = 0;

	if (!dir || !*dir)
		return 0;
	path = xasprintf("%s/history", dir);
	switch (load_table(path, &t, &why)) {
	case LOAD_MISSING:
		fprintf(out, "assay: no history in %s yet: it is written after each run\n",
			dir);
		break;
	case LOAD_OK:
		if (why)
			fprintf(stderr, "assay: warning: %s; the next run rewrites it without them\n",
				why);
		show_table(&t, top ? top : SHOW_TOP, out);
		break;
	case LOAD_UNREADABLE:
		errno = 0;      /* why has strerror already */
		rc = err_set(e, ERR_SYS, "%s", why);
		break;
	case LOAD_CORRUPT:
		rc = err_set(e, ERR_INPUT, "%s; the next run rebuilds it", why);
		break;
	}
	table_release(&t);
	free(why);
	free(path);
	return rc;
}
