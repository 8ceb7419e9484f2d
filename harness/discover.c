/* discover.c - see discover.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "discover.h"
#include "opts.h"
#include "registry.h"
#include "strindex.h"
#include "table.h"
#include "xalloc.h"

static const char *itself(const void *item)
{
	return item;
}

/*
 * Directory entries already taken, as "DEV:INO/NAME" of the directory
 * holding them: the same entry reached through two roots runs once,
 * while two names for one program (symlinks, hard links) stay two tests.
 *
 * seen_add takes key (malloc'd); returns 0 when it was there already.
 */
static int seen_add(struct strindex *seen, char *key)
{
	if (!strindex_add(seen, key))
		return 1;
	free(key);
	return 0;
}

static void seen_release(struct strindex *seen)
{
	for (size_t k = 0; k < seen->cap; k++)
		free(seen->v[k]);
	strindex_release(seen);
}

struct walk {
	const struct discover_opts *o;
	struct test_table *t;
	const struct assay_kind *forced;
	const char *root;
	struct strindex seen;   /* of malloc'd strings */
	struct err *e;
	char **dropped;         /* o->dropped, when the caller wants them */
	size_t ndropped;
};

/* An entry left out for a reason the documented rules do not cover: one
 * line naming it, for the caller to show. */
static void drop(struct walk *w, const char *path, const char *why)
{
	char *line = xasprintf("%s%s%s: %s: not a test, left out",
			       w->dropped && *w->dropped ? *w->dropped : "",
			       w->dropped && *w->dropped ? "\n" : "", path, why);

	w->ndropped++;
	if (!w->dropped) {
		free(line);
		return;
	}
	free(*w->dropped);
	*w->dropped = line;
}

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

/* "DEV:INO/" of directory dir, the prefix of its entries' keys. */
static char *dir_key(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return NULL;
	return xasprintf("%ju:%ju/", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
}

/* Adds a test unless the entry (dir_prefix + name) was taken already. */
static void add_test(struct walk *w, const char *suite, const char *path,
		     const char *dir_prefix, const char *name,
		     const struct assay_kind *k, const char *problem)
{
	struct assay_traits tr = { .struct_size = sizeof(tr) };
	struct test *x;

	if (!dir_prefix || !seen_add(&w->seen, xasprintf("%s%s", dir_prefix, name)))
		return;
	if (!w->forced && k && w->o->conf) {
		const char *set = conf_kind(w->o->conf, path, suite);
		if (set)
			k = registry_kind(w->o->reg, set);      /* checked at load */
	}
	if (w->forced)
		k = w->forced;
	if (k && !problem && k->struct_size >= offsetof(struct assay_kind, describe) +
	    sizeof(k->describe) && k->describe) {
		struct assay_test pub = { .struct_size = sizeof(pub), .id = suite,
					  .suite = suite, .path = path,
					  .kind = k->name };
		k->describe(&pub, &tr);         /* its name, problem, traits */
	}
	x = table_add(w->t, w->root, tr.id ? tr.id : suite, path, k,
		      problem ? problem : tr.problem);
	x->kind_serial = tr.serial;
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
	if (!v)                 /* empty: still not NULL, which means error */
		return xcalloc(1, sizeof(*v));
	qsort(v, *n, sizeof(*v), cmp_names);
	return v;
}

static int walk_dir(struct walk *w, const char *dir, const char *rel);

/* One directory entry: a test, a directory to enter, or nothing. */
static int walk_entry(struct walk *w, const char *dir, const char *key,
		      const char *rel, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *sub = rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	struct stat st;
	const struct assay_kind *k;
	int rc = 0, is_dir, is_link;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)    /* ENOENT: it vanished meanwhile */
			drop(w, path, errno == ENAMETOOLONG ? "its path is too long" :
			     strerror(errno));
		goto out;
	}
	is_link = S_ISLNK(st.st_mode);
	if (is_link && stat(path, &st) < 0) {
		drop(w, path, errno == ENOENT ? "a dangling symbolic link" :
		     errno == ELOOP ? "a symbolic link loop" : strerror(errno));
		goto out;
	}
	if (is_link && S_ISDIR(st.st_mode))
		goto out;               /* a link to a directory: not followed */
	is_dir = S_ISDIR(st.st_mode);
	if (discover_is_junk(name, is_dir) || excluded(w, name, sub))
		goto out;
	if (is_dir) {
		rc = walk_dir(w, path, sub);
		goto out;
	}
	k = registry_claim(w->o->reg, path, st.st_mode, 0);
	if (k)
		add_test(w, sub, path, key, name, k, NULL);
out:
	free(sub);
	free(path);
	return rc;
}

static int walk_dir(struct walk *w, const char *dir, const char *rel)
{
	size_t n;
	char **names = read_names(w, dir, &n);
	char *key = dir_key(dir);
	int rc = 0;

	if (!names) {
		free(key);
		return ERR_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = walk_entry(w, dir, key, rel, names[i]);
		free(names[i]);
	}
	free(names);
	free(key);
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
	const char *suite = path, *slash = strrchr(path, '/');
	const struct assay_kind *k;
	char *dir, *key;
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
	dir = slash ? xasprintf("%.*s", (int)(slash - path + 1), path) : xstrdup(".");
	key = dir_key(dir);
	k = registry_claim(w->o->reg, path, st.st_mode, 1);
	add_test(w, suite, path, key, slash ? slash + 1 : path, k,
		 k || w->forced ? NULL : named_problem(&st));
	free(key);
	free(dir);
	return 0;
}

int discover(struct test_table *t, const struct discover_opts *o, struct err *e)
{
	struct walk w = { .o = o, .t = t, .e = e, .dropped = o->dropped,
			  .seen = { .key = itself } };
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
	seen_release(&w.seen);
	if (!rc && w.ndropped && o->strict)
		rc = err_set(e, ERR_USAGE,
			     "%zu entr%s left out of the search (said above); --strict-discovery makes that an error: fix or --exclude them",
			     w.ndropped, w.ndropped == 1 ? "y was" : "ies were");
	return rc;
}
