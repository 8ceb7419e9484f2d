/* junitfile.c - see junitfile.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "junitfile.h"

#define COPY_CHUNK (256 * 1024)

/* A writer's sink: an fd, keeping the errno of its first failed write. */
struct sink {
	int fd;
	int *werrno;
};

static int sink_write(void *ctx, const char *buf, int len)
{
	struct sink *s = ctx;

	if (io_write_all(s->fd, buf, (size_t)len) == 0)
		return len;
	if (!*s->werrno)
		*s->werrno = errno;
	return -1;
}

static int sink_close(void *ctx)
{
	free(ctx);
	return 0;
}

/* A writer on fd that records its first failed write in *werrno. */
static xmlTextWriterPtr writer_on(int fd, int *werrno)
{
	struct sink *s = malloc(sizeof(*s));
	xmlOutputBufferPtr ob;
	xmlTextWriterPtr w;

	if (!s)
		return NULL;
	*s = (struct sink){ fd, werrno };
	ob = xmlOutputBufferCreateIO(sink_write, sink_close, s, NULL);
	if (!ob) {
		free(s);
		return NULL;
	}
	if (!(w = xmlNewTextWriter(ob)))
		xmlOutputBufferClose(ob);
	return w;
}

int junitfile_scratch(const char *path)
{
	char *tmp;
	int fd = io_atomic_open(path, &tmp);

	if (fd < 0)
		return -1;
	unlink(tmp);            /* only the fd needs it */
	free(tmp);
	return fd;
}

int junitfile_open(struct junitfile *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	if ((f->body_fd = junitfile_scratch(path)) < 0)
		return -1;
	if (!(f->body = writer_on(f->body_fd, &f->werrno))) {
		close(f->body_fd);
		f->body_fd = -1;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void junitfile_abort(struct junitfile *f)
{
	if (f->body)
		xmlFreeTextWriter(f->body);
	if (f->body_fd >= 0)
		close(f->body_fd);
	f->body = NULL;
	f->body_fd = -1;
}

static int write_count(xmlTextWriterPtr w, const char *name, unsigned long long n)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%llu", n);
}

/* The body, copied after the root's start tag. */
static int copy_body(struct junitfile *f, xmlTextWriterPtr w, char *buf)
{
	ssize_t n;

	if (lseek(f->body_fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = io_read(f->body_fd, buf, COPY_CHUNK)) > 0)
		if (xmlTextWriterWriteRawLen(w, BAD_CAST buf, (int)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int write_report(struct junitfile *f, xmlTextWriterPtr w,
			const struct junit_totals *t)
{
	char *buf = malloc(COPY_CHUNK);
	int rc = !buf ||
		 xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
		 xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0 ||
		 xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "assay") < 0 ||
		 write_count(w, "tests", t->tests) < 0 ||
		 write_count(w, "failures", t->failures) < 0 ||
		 write_count(w, "errors", t->errors) < 0 ||
		 xmlTextWriterWriteAttribute(w, BAD_CAST "time", BAD_CAST t->time) < 0 ||
		 copy_body(f, w, buf) < 0 ||
		 xmlTextWriterEndDocument(w) < 0 || xmlTextWriterFlush(w) < 0;

	free(buf);
	return rc ? -1 : 0;
}

int junitfile_commit(struct junitfile *f, const struct junit_totals *t)
{
	xmlTextWriterPtr w = NULL;
	char *tmp = NULL;
	int fd = -1, werrno = 0, rc;

	errno = 0;
	rc = xmlTextWriterFlush(f->body) < 0 || f->werrno ? -1 : 0;
	werrno = f->werrno ? f->werrno : errno;
	if (!rc && (fd = io_atomic_open(f->path, &tmp)) < 0) {
		rc = -1;
		werrno = errno;
	}
	if (!rc && !(w = writer_on(fd, &werrno))) {
		rc = -1;
		werrno = ENOMEM;
	}
	if (!rc && write_report(f, w, t) < 0) {
		rc = -1;
		werrno = werrno ? werrno : errno;
	}
	if (w)
		xmlFreeTextWriter(w);
	if (fd >= 0 && rc)
		io_atomic_abort(fd, tmp);
	else if (fd >= 0 && io_atomic_commit(fd, tmp, f->path) < 0) {
		rc = -1;
		werrno = errno;
	}
	junitfile_abort(f);
	errno = werrno;
	return rc;
}
