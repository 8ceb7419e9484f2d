/* discover.c - see discover.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discover.h"
#include "opts.h"
#include "registry.h"
#include "table.h"
#include "xalloc.h"

/* (dev, ino) pairs already taken, so a file reached twice runs once. */
struct inoset {
	struct { dev_t dev; ino_t ino; bool used; } *v;
	size_t n, cap;          /* cap: a power of 2, kept at most half full */
};

static size_t ino_slot(const struct inoset *s, dev_t dev, ino_t ino)
{
	size_t i = ((size_t)ino * 0x9E3779B97F4A7C15u ^ (size_t)dev) & (s->cap - 1);

	while (s->v[i].used && (s->v[i].dev != dev || s->v[i].ino != ino))
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Adds (dev, ino); returns 0 when it was there already. */
static int inoset_add(struct inoset *s, dev_t dev, ino_t ino)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct inoset big = { NULL, 0, s->cap ? 2 * s->cap : 256 };
		big.v = xcalloc(big.cap, sizeof(*big.v));
		for (size_t k = 0; k < s->cap; k++)
			if (s->v[k].used)
				big.v[ino_slot(&big, s->v[k].dev, s->v[k].ino)] = s->v[k];
		big.n = s->n;
		free(s->v);
		*s = big;
	}
	i = ino_slot(s, dev, ino);
	if (s->v[i].used)
		return 0;
	s->v[i].dev = dev;
	s->v[i].ino = ino;
	s->v[i].used = true;
	s->n++;
	return 1;
}

struct walk {
	const struct discover_opts *o;
	struct test_table *t;
	const struct assay_kind *forced;
	const char *root;
	struct inoset seen;
	struct err *e;
};

static const char *const junk_dirs[] = {
	"CMakeFiles", "autom4te.cache", "__pycache__", "node_modules", NULL,
};
static const char *const junk_files[] = {
	"*.o", "*.a", "*.so", "*.so.*", "*.la", "*.lo", "*.dylib", "*~",
	"Makefile", "Makefile.*", "config.status", "config.log", "libtool",
	"configure", "autogen.sh", "depcomp", "install-sh", "missing",
	"compile", "test-driver", "tap-driver.sh", "ar-lib", "config.guess",
	"config.sub", "ltmain.sh", "py-compile", NULL,
};

int discover_is_junk(const char *name, int is_dir)
{
	const char *const *list = is_dir ? junk_dirs : junk_files;

	if (name[0] == '.')
		return 1;
	for (size_t i = 0; list[i]; i++)
		if (fnmatch(list[i], name, 0) == 0)
			return 1;
	return 0;
}

static int excluded(const struct walk *w, const char *name, const char *rel)
{
	const struct strlist *x = w->o->excludes;

	for (size_t i = 0; x && i < x->n; i++)
		if (fnmatch(x->v[i], name, 0) == 0 || fnmatch(x->v[i], rel, 0) == 0)
			return 1;
	return 0;
}

static void add_test(struct walk *w, const char *suite, const char *path,
		     const struct stat *st, const struct assay_kind *k,
		     const char *problem)
{
	struct test *x;

	if (!inoset_add(&w->seen, st->st_dev, st->st_ino))
		return;
	x = table_add(w->t, w->root, suite, path, w->forced ? w->forced : k,
		      problem);
	x->pub.timeout_s = w->o->timeout_s;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted; NULL with w->e filled when unreadable. */
static char **read_names(struct walk *w, const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		err_set(w->e, ERR_USAGE,
			"cannot read directory '%s': %s (fix its permissions, or skip it with --exclude)",
			dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')       /* hidden, and . and .. */
			continue;
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_names);
	if (!v)
		v = xcalloc(1, sizeof(*v));
	return v;
}

static int walk_dir(struct walk *w, const char *dir, const char *rel);

/* One directory entry: a test, a directory to enter, or nothing. */
static int walk_entry(struct walk *w, const char *dir, const char *rel,
		      const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *sub = rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	struct stat st;
	const struct assay_kind *k;
	int rc = 0, is_dir;

	if (lstat(path, &st) < 0)
		goto out;               /* vanished meanwhile */
	if (S_ISLNK(st.st_mode) && (stat(path, &st) < 0 || S_ISDIR(st.st_mode)))
		goto out;               /* dangling, or a directory: not followed */
	is_dir = S_ISDIR(st.st_mode);
	if (discover_is_junk(name, is_dir) || excluded(w, name, sub))
		goto out;
	if (is_dir) {
		rc = walk_dir(w, path, sub);
		goto out;
	}
	k = registry_claim(w->o->reg, path, st.st_mode, 0);
	if (k)
		add_test(w, sub, path, &st, k, NULL);
out:
	free(sub);
	free(path);
	return rc;
}

static int walk_dir(struct walk *w, const char *dir, const char *rel)
{
	size_t n;
	char **names = read_names(w, dir, &n);
	int rc = 0;

	if (!names)
		return ERR_USAGE;
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = walk_entry(w, dir, rel, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

static const char *named_problem(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file: a test must be an executable program";
	if (!(st->st_mode & 0111))
		return "not executable: make it executable (chmod +x) or give its directory instead";
	return NULL;
}

static int walk_root(struct walk *w, const char *path)
{
	struct stat st;
	const char *suite = path;
	char *dir;
	int rc;

	if (stat(path, &st) < 0)
		return err_set(w->e, ERR_USAGE, "cannot find '%s': %s (check the path)",
			       path, strerror(errno));
	w->root = path;
	if (S_ISDIR(st.st_mode)) {
		dir = xstrdup(path);
		for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
			dir[n - 1] = 0;
		rc = walk_dir(w, dir, NULL);
		free(dir);
		return rc;
	}
	while (suite[0] == '.' && suite[1] == '/')
		suite += 2;
	add_test(w, suite, path, &st, registry_claim(w->o->reg, path, st.st_mode, 1),
		 named_problem(&st));
	return 0;
}

int discover(struct test_table *t, const struct discover_opts *o, struct err *e)
{
	struct walk w = { .o = o, .t = t, .e = e };
	int rc = 0;

	if (o->kind && !(w.forced = registry_kind(o->reg, o->kind))) {
		char *names = registry_kind_names(o->reg);
		err_set(e, ERR_USAGE, "no kind named '%s' (known: %s; --plugin loads more)",
			o->kind, names);
		free(names);
		return ERR_USAGE;
	}
	for (size_t i = 0; !rc && i < o->paths->n; i++)
		rc = walk_root(&w, o->paths->v[i]);
	free(w.seen.v);
	return rc;
}
