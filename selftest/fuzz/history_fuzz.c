/*
 * selftest/fuzz/history_fuzz.c - libFuzzer target for the history file
 * (harness/history.c): any bytes, written as DIR/history, must be loaded
 * or refused without a crash, a leak or a hang, and either way keep
 * history.h's promises:
 *
 *   loaded:  every entry has a non-empty id without a tab or a newline,
 *            ids sorted strictly by strcmp, runs >= 1, fails + flakes
 *            <= runs, at most HISTORY_RECENT outcomes, all of P F S K,
 *            and a mean and a max that are finite and >= 0; one more run
 *            recorded and saved loads back with the same entries (one
 *            more when its id was new), the others unchanged (seconds as
 *            they print with %.6f, which is how the file keeps them);
 *   refused: a one-line problem and no entries; a save with one run
 *            rebuilds the file, which then loads without a problem;
 *   both:    nothing but history and history.lock left in DIR.
 *
 * Built by `make fuzz` or `make fuzz-history` with clang.
 *
 * Process-wide state: the paths below, made once by
 * LLVMFuzzerInitialize, removed at exit. Under $TMPDIR, else /tmp.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/err.h"
#include "harness/history.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_ID "fuzz: a new id"
#define RUN_S 0.25              /* the recorded run's duration */
#define RUN_WHEN 1700000000     /* and its time */

static char dir[4096];          /* private: history, history.lock */
static char hist_path[4096];
static char lock_path[4096];

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("history_fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void cleanup(void)
{
	unlink(hist_path);
	unlink(lock_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/history_fuzz.XXXXXX", tmp);
	if (!mkdtemp(dir))
		die("cannot make a temporary directory in %s", tmp);
	snprintf(hist_path, sizeof(hist_path), "%s/history", dir);
	snprintf(lock_path, sizeof(lock_path), "%s/history.lock", dir);
	atexit(cleanup);
	return 0;
}

/* DIR/history := data; a save before may have renamed a new file in. */
static void write_input(const uint8_t *data, size_t size)
{
	int fd = open(hist_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);
	ssize_t w;

	if (fd < 0)
		die("cannot open %s: %s", hist_path, strerror(errno));
	while (size) {
		w = write(fd, data, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("cannot write %s: %s", hist_path, strerror(errno));
		data += w;
		size -= (size_t)w;
	}
	if (close(fd) < 0)
		die("cannot write %s: %s", hist_path, strerror(errno));
}

/* Whether two numbers of seconds read the same in the file. */
static bool same_seconds(double a, double b)
{
	char x[512], y[512];

	snprintf(x, sizeof(x), "%.6f", a);
	snprintf(y, sizeof(y), "%.6f", b);
	return !strcmp(x, y);
}

/* The promises of a history loaded without a problem. */
static void check_entries(const struct history *h, const char *when)
{
	if (h->n && !h->v)
		die("%s: %zu entries, no array", when, h->n);
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_entry *en = &h->v[i];
		const char *r = en->recent;
		size_t k;

		if (!en->id || !*en->id)
			die("%s: entry %zu has no id", when, i);
		if (strpbrk(en->id, "\t\n"))
			die("%s: id \"%s\" holds a tab or a newline", when,
			    en->id);
		if (i && strcmp(h->v[i - 1].id, en->id) >= 0)
			die("%s: \"%s\" before \"%s\"", when, h->v[i - 1].id,
			    en->id);
		if (!en->runs ||
		    (uint64_t)en->fails + en->flakes > en->runs)
			die("%s: \"%s\": runs %u, fails %u, flakes %u", when,
			    en->id, en->runs, en->fails, en->flakes);
		if (!memchr(r, 0, sizeof(en->recent)))
			die("%s: \"%s\": recent not terminated", when, en->id);
		k = strlen(r);
		if (strspn(r, "PFSK") != k)
			die("%s: \"%s\": recent \"%s\"", when, en->id, r);
		if (!isfinite(en->mean_s) || en->mean_s < 0 ||
		    !isfinite(en->max_s) || en->max_s < 0)
			die("%s: \"%s\": mean %g, max %g", when, en->id,
			    en->mean_s, en->max_s);
		if (en->last_s < 0)
			die("%s: \"%s\": last run %" PRId64, when, en->id,
			    en->last_s);
		if (history_find(h, en->id) != en)
			die("%s: history_find misses \"%s\"", when, en->id);
	}
}

/* Aborts if DIR holds anything but history and history.lock. */
static void check_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		die("cannot list %s", dir);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "history") &&
		    strcmp(de->d_name, "history.lock"))
			die("%s left beside the history", de->d_name);
	closedir(d);
}

/* A deep copy of h's entries, to compare with after a save. */
static struct hist_entry *snapshot(const struct history *h)
{
	struct hist_entry *v = malloc((h->n + 1) * sizeof(*v));

	if (!v)
		die("out of memory");
	for (size_t i = 0; i < h->n; i++) {
		v[i] = h->v[i];
		if (!(v[i].id = strdup(h->v[i].id)))
			die("out of memory");
	}
	return v;
}

static void snapshot_free(struct hist_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].id);
	free(v);
}

/* en, as old with one passed run of RUN_S at RUN_WHEN applied. */
static void check_recorded(const struct hist_entry *en,
			   const struct hist_entry *old)
{
	char want[HISTORY_RECENT + 2];
	size_t k = strlen(old->recent);
	unsigned runs = old->runs + (old->runs < UINT_MAX);
	double mean = HISTORY_ALPHA * RUN_S +
		      (1 - HISTORY_ALPHA) * old->mean_s;

	memcpy(want, old->recent, k + 1);
	if (k == HISTORY_RECENT)
		memmove(want, want + 1, k--);
	want[k] = 'P';
	want[k + 1] = 0;
	if (en->runs != runs || en->fails != old->fails ||
	    en->flakes != old->flakes || en->last_s != RUN_WHEN ||
	    strcmp(en->recent, want) || !same_seconds(en->mean_s, mean))
		die("\"%s\" after one passed run: runs %u fails %u flakes %u "
		    "last %" PRId64 " recent %s mean %.6f",
		    en->id, en->runs, en->fails, en->flakes, en->last_s,
		    en->recent, en->mean_s);
}

/* Step 2: one more run of a loaded history, saved and loaded again. */
static void check_save(struct history *h)
{
	struct err e = ERR_INIT;
	size_t n = h->n;
	struct hist_entry *old = snapshot(h);
	const char *id = n ? old[0].id : FIXED_ID;
	const struct hist_entry *en;
	int rc;

	history_record(h, id, RUN_S, 'P', RUN_WHEN);
	if ((rc = history_save(h, &e)) != 0)
		die("save of a loaded history: %d \"%s\"", rc, e.msg);
	if (h->problem)
		die("save of a loaded history found: %s", h->problem);
	check_dir();
	history_release(h);
	history_load(h, dir);
	if (h->problem)
		die("reloaded: %s", h->problem);
	check_entries(h, "reloaded");
	if (h->n != n + !n)
		die("reloaded %zu entries, %zu before", h->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct hist_entry *o = &old[i];

		if (!(en = history_find(h, o->id)))
			die("\"%s\" lost in the save", o->id);
		if (i == 0) {
			check_recorded(en, o);
			continue;
		}
		if (en->runs != o->runs || en->fails != o->fails ||
		    en->flakes != o->flakes || en->last_s != o->last_s ||
		    strcmp(en->recent, o->recent) ||
		    !same_seconds(en->mean_s, o->mean_s) ||
		    !same_seconds(en->max_s, o->max_s))
			die("\"%s\" changed in the save", o->id);
	}
	if (!n && (!(en = history_find(h, FIXED_ID)) || en->runs != 1 ||
		   strcmp(en->recent, "P") || en->mean_s != RUN_S ||
		   en->max_s != RUN_S))
		die("new id \"%s\" not saved as one run", FIXED_ID);
	snapshot_free(old, n);
}

/* Step 3: a history refused is empty, and one run rebuilds it. */
static void check_rebuild(struct history *h)
{
	struct err e = ERR_INIT;
	int rc;

	if (h->n)
		die("problem \"%s\", but %zu entries", h->problem, h->n);
	if (!*h->problem || strchr(h->problem, '\n'))
		die("problem \"%s\" is not one line", h->problem);
	history_record(h, FIXED_ID, RUN_S, 'F', RUN_WHEN);
	if ((rc = history_save(h, &e)) != 0)
		die("rebuild: %d \"%s\"", rc, e.msg);
	check_dir();
	history_release(h);
	history_load(h, dir);
	if (h->problem)
		die("rebuilt, then: %s", h->problem);
	check_entries(h, "rebuilt");
	if (h->n != 1 || strcmp(h->v[0].id, FIXED_ID) || h->v[0].runs != 1 ||
	    h->v[0].fails != 1 || strcmp(h->v[0].recent, "F"))
		die("rebuilt into %zu entries, not the one run", h->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history h;

	write_input(data, size);
	history_load(&h, dir);
	if (!h.dir)
		die("loaded with history off");
	if (!h.problem) {
		check_entries(&h, "loaded");
		check_save(&h);
	} else {
		check_rebuild(&h);
	}
	history_release(&h);
	return 0;
}
