/* logs.c - see logs.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"
#include "logs.h"
#include "owner.h"
#include "xalloc.h"

#define NAME_MAX_READABLE 160

/* Removes the spill files of runs that died with them open (a kill -9):
 * named by a tag whose process is gone. */
static void sweep(struct logs *l)
{
	DIR *d = opendir(l->dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *path;
		if (!owner_dead(de->d_name, ".assay-spill."))
			continue;
		path = xasprintf("%s/%s", l->dir, de->d_name);
		if (unlink(path) == 0)
			l->swept++;
		free(path);
	}
	if (d)
		closedir(d);
}

void logs_init(struct logs *l, const char *dir, bool keep_all)
{
	memset(l, 0, sizeof(*l));
	l->dir = dir && *dir ? xstrdup(dir) : NULL;
	l->keep_all = keep_all;
	if (l->dir)
		sweep(l);
}

void logs_release(struct logs *l)
{
	free(l->dir);
	free(l->problem);
	memset(l, 0, sizeof(*l));
}

void log_stream_init(struct log_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

void log_stream_clear(struct log_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->spill)
		unlink(s->spill);
	free(s->spill);
	free(s->path);
	log_stream_init(s);
}

/* Logs go off for the rest of the run, saying why once. */
static void turn_off(struct logs *l, const char *what, const char *path)
{
	l->problem = xasprintf("cannot keep test logs: %s %s: %s (choose another place with --output-dir DIR)",
			       what, path, strerror(errno));
	free(l->dir);
	l->dir = NULL;
}

/* mkdir -p, once. */
static bool make_dir(struct logs *l)
{
	if (l->made)
		return true;
	if (io_mkdir_p(l->dir) < 0) {
		turn_off(l, "cannot create", l->dir);
		return false;
	}
	return l->made = true;
}

static int write_view(int fd, const struct assay_output *v)
{
	if (io_write_all(fd, v->head, v->head_len) < 0)
		return -1;
	return io_write_all(fd, v->tail, v->tail_len);
}

void logs_spill(struct logs *l, struct log_stream *s, struct capture *c,
		const char *buf, size_t n)
{
	struct assay_output v;
	char *path;

	if (!l->dir)
		return;
	if (s->fd < 0) {
		if (c->total + n <= CAPTURE_HEAD + CAPTURE_TAIL || !make_dir(l))
			return;         /* memory still holds all of it */
		path = xasprintf("%s/.assay-spill.%s", l->dir, owner_tag());
		s->fd = io_atomic_open(path, &s->spill);
		free(path);
		if (s->fd < 0) {
			turn_off(l, "cannot create a file in", l->dir);
			return;
		}
		capture_view(c, &v);
		if (write_view(s->fd, &v) < 0)
			turn_off(l, "cannot write", s->spill);
	}
	if (l->dir && io_write_all(s->fd, buf, n) < 0)
		turn_off(l, "cannot write", s->spill);
}

/* Writes what memory holds (the whole stream: it never spilled); a
 * failed write leaves no partial file. */
static int write_new(const char *path, const struct assay_output *v)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_view(fd, v);
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
	}
	return rc;
}

void logs_finish(struct logs *l, struct log_stream *s, struct assay_output *v,
		 const char *id, const char *suffix, bool keep)
{
	char *name, *path;

	v->path = NULL;
	if (!l->dir)
		return;
	name = logs_name(id);
	path = xasprintf("%s/%s.%s", l->dir, name, suffix);
	free(name);
	keep = (keep || l->keep_all) && v->total;
	if (!keep) {
		if (l->made || access(l->dir, F_OK) == 0)
			(void)unlink(path);     /* an earlier run's */
	} else if (s->fd >= 0 ? rename(s->spill, path) < 0 :
		   !make_dir(l) || write_new(path, v) < 0) {
		if (l->dir)
			turn_off(l, "cannot write", path);
	} else {
		free(s->spill);
		s->spill = NULL;
		s->path = path;
		v->path = path;
		return;
	}
	free(path);
}

char *logs_name(const char *id)
{
	uint64_t h = hash_str(id);
	size_t n = strlen(id), k = n < NAME_MAX_READABLE ? n : NAME_MAX_READABLE;
	char *out = xmalloc(k + 1 + 16 + 1);
	bool changed = k < n || !n;

	for (size_t i = 0; i < k; i++) {
		char c = id[i];
		bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
			    c == '+' || (c == '.' && i > 0);
		out[i] = safe ? c : '_';
		changed |= !safe;
	}
	if (changed)
		sprintf(out + k, ".%016" PRIx64, h);
	else
		out[k] = 0;
	return out;
}
