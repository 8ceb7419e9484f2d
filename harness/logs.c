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

void logs_init(struct logs *l, const char *dir, bool keep_all, uint64_t max,
	       uint64_t cap)
{
	memset(l, 0, sizeof(*l));
	l->dir = dir && *dir ? xstrdup(dir) : NULL;
	l->keep_all = keep_all;
	l->max = max;
	l->cap = cap;
	if (l->dir)     /* spill files of runs killed before their end */
		l->swept = owner_sweep(l->dir, ".assay-spill.", false, unlink);
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

/* Appends buf[0..n) to the spill file; once it holds l->max bytes, the
 * second half is a ring: each new byte takes the place of the oldest. */
static int spill_write(const struct logs *l, struct log_stream *s,
		       const char *buf, size_t n)
{
	uint64_t head = l->max / 2, tail = l->max - head;

	while (n) {
		size_t k;
		if (!l->max || s->written < l->max) {
			k = l->max && n > l->max - s->written ? (size_t)(l->max - s->written) : n;
			if (io_write_all(s->fd, buf, k) < 0)
				return -1;
			s->written += k;
		} else {
			k = n > tail - s->ring ? (size_t)(tail - s->ring) : n;
			for (size_t done = 0; done < k;) {
				ssize_t w = pwrite(s->fd, buf + done, k - done,
						   (off_t)(head + s->ring + done));
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return -1;
				done += (size_t)w;
			}
			s->ring = (s->ring + k) % tail;
			s->dropped += k;
		}
		buf += k;
		n -= k;
	}
	return 0;
}

/* The kept log of a spill file that was cut: its head, a line saying
 * what was left out, then its ring in order; into path. */
static int write_cut(const struct logs *l, const struct log_stream *s,
		     const char *path)
{
	uint64_t head = l->max / 2, tail = l->max - head;
	uint64_t parts[3][2] = { { 0, head }, { head + s->ring, tail - s->ring },
				 { head, s->ring } };
	char *tmp, buf[65536], line[160];
	int fd = io_atomic_open(path, &tmp), rc = fd < 0 ? -1 : 0;

	for (int i = 0; !rc && i < 3; i++) {
		if (i == 1) {
			int k = snprintf(line, sizeof(line),
					 "\n[... assay left out %" PRIu64 " bytes here (--max-log-size %" PRIu64 ") ...]\n",
					 s->dropped, l->max);
			rc = io_write_all(fd, line, (size_t)k);
		}
		for (uint64_t at = parts[i][0], left = parts[i][1]; !rc && left;) {
			ssize_t r = pread(s->fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf),
					  (off_t)at);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0 || io_write_all(fd, buf, (size_t)r) < 0)
				rc = -1;
			at += (uint64_t)(r > 0 ? r : 0);
			left -= (uint64_t)(r > 0 ? r : 0);
		}
	}
	if (fd >= 0 && !rc)
		return io_atomic_commit(fd, tmp, path);
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
		free(tmp);
	}
	return -1;
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
		if (spill_write(l, s, v.head, v.head_len) < 0 ||
		    spill_write(l, s, v.tail, v.tail_len) < 0)
			turn_off(l, "cannot write", s->spill);
	}
	if (l->dir && spill_write(l, s, buf, n) < 0)
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

/* Whether name is a log this module names: NAME.stdout or NAME.stderr. */
static bool is_log(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 7 && (!strcmp(name + n - 7, ".stdout") ||
					  !strcmp(name + n - 7, ".stderr"));
}

struct old_log {
	char *path;
	struct timespec mtime;
	uint64_t size;
};

static int cmp_old(const void *a, const void *b)
{
	const struct old_log *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	return (x->mtime.tv_nsec > y->mtime.tv_nsec) - (x->mtime.tv_nsec < y->mtime.tv_nsec);
}

/* The logs in the directory, and their bytes in *total. */
static struct old_log *scan_logs(const struct logs *l, size_t *n, uint64_t *total)
{
	DIR *d = opendir(l->dir);
	struct old_log *v = NULL;
	struct dirent *de;
	size_t cap = 0;

	*n = 0;
	*total = 0;
	while (d && (de = readdir(d))) {
		struct stat st;
		char *path;
		if (!is_log(de->d_name))
			continue;
		path = xasprintf("%s/%s", l->dir, de->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = (struct old_log){ path, st.st_mtim, (uint64_t)st.st_size };
		*total += (uint64_t)st.st_size;
	}
	if (d)
		closedir(d);
	return v;
}

/* Keeps the logs under l->cap: when they outgrow it, the oldest go
 * (never keep, the one just written) until they fill 9/10 of it. */
static void prune(struct logs *l, const char *keep, uint64_t added)
{
	struct old_log *v;
	size_t n;

	if (!l->cap)
		return;
	if (l->counted && l->used + added <= l->cap) {
		l->used += added;
		return;
	}
	v = scan_logs(l, &n, &l->used);
	l->counted = true;
	if (l->used > l->cap) {
		qsort(v, n, sizeof(*v), cmp_old);
		for (size_t i = 0; i < n && l->used > l->cap / 10 * 9; i++)
			if (strcmp(v[i].path, keep) && unlink(v[i].path) == 0) {
				l->used -= v[i].size;
				l->pruned++;
			}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
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
	} else if (s->fd >= 0 && s->dropped ? write_cut(l, s, path) < 0 :
		   s->fd >= 0 ? rename(s->spill, path) < 0 :
		   !make_dir(l) || write_new(path, v) < 0) {
		if (l->dir)
			turn_off(l, "cannot write", path);
	} else {
		struct stat st;
		if (s->spill && s->dropped)     /* cut into path: not renamed */
			unlink(s->spill);
		free(s->spill);
		s->spill = NULL;
		s->path = path;
		v->path = path;
		prune(l, path, stat(path, &st) == 0 ? (uint64_t)st.st_size : 0);
		return;
	}
	free(path);
}

void logs_add(struct logs *l, struct log_stream *s, struct assay_output *v,
	      const char *id, const char *suffix, const char *text)
{
	char *path, *name;
	int fd;

	if (!l->dir || !make_dir(l))
		return;
	if (v->path) {
		path = xstrdup(v->path);
	} else {
		name = logs_name(id);
		path = xasprintf("%s/%s.%s", l->dir, name, suffix);
		free(name);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		  (v->path ? 0 : O_TRUNC), 0644);
	if (fd < 0 || io_write_all(fd, text, strlen(text)) < 0) {
		if (fd >= 0)
			close(fd);
		turn_off(l, "cannot write", path);
		free(path);
		return;
	}
	close(fd);
	if (!v->path) {
		free(s->path);
		s->path = path;
		v->path = path;
	} else {
		free(path);
	}
	prune(l, v->path, strlen(text));
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
