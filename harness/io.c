/* io.c - see io.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "xalloc.h"

extern char **environ;

int io_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

ssize_t io_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static _Thread_local uint64_t recent;

uint64_t io_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return recent = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t io_recent_ns(void)
{
	return recent ? recent : io_now_ns();
}

uint64_t io_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int io_atomic_open(const char *path, char **tmp)
{
	mode_t mask = umask(0);
	int fd;

	umask(mask);
	*tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0666 & ~mask) < 0) {
		int saved = errno;
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		return -1;
	}
	return fd;
}

int io_atomic_commit(int fd, char *tmp, const char *path)
{
	int rc = fsync(fd), saved = errno;

	if (close(fd) < 0 && !rc) {
		rc = -1;
		saved = errno;
	}
	if (!rc && rename(tmp, path) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}

void io_atomic_abort(int fd, char *tmp)
{
	int saved = errno;

	close(fd);
	unlink(tmp);
	free(tmp);
	errno = saved;
}

int io_mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	int rc = 0, saved;

	if (!p)
		return -1;
	for (char *s = p + 1; ; s++) {
		char c = *s;

		if (c && c != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		if (!(*s = c))
			break;
	}
	saved = errno;
	free(p);
	errno = saved;
	return rc;
}

int io_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), saved;
	struct stat st;
	size_t cap, n = 0;
	ssize_t r = 0;

	*buf = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	errno = !S_ISREG(st.st_mode) ? EINVAL : EFBIG;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		goto fail;
	cap = (size_t)st.st_size + 2;   /* +1 sees growth, +1 for the NUL */
	*buf = xmalloc(cap);
	while (n <= max && (r = io_read(fd, *buf + n, cap - 1 - n)) > 0) {
		n += (size_t)r;
		if (n == cap - 1)
			xgrow((void **)buf, &cap, cap + 1, 1);
	}
	if (r >= 0 && n > max)
		errno = EFBIG;
	if (r < 0 || n > max)
		goto fail;
	close(fd);
	(*buf)[n] = 0;
	*len = n;
	return 0;
fail:
	saved = errno;
	close(fd);
	free(*buf);
	*buf = NULL;
	errno = saved;
	return -1;
}

int io_run(char *const *argv, uint64_t timeout_ns, int out_fd, int err_fd,
	   int *status)
{
	posix_spawn_file_actions_t fa;
	uint64_t end = io_now_ns() + timeout_ns;
	pid_t pid, w;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		return -1;
	}
	while (((w = waitpid(pid, status, WNOHANG)) == 0 && io_now_ns() < end) ||
	       (w < 0 && errno == EINTR))
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	if (w == 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
		errno = ETIMEDOUT;
	}
	return w > 0 ? 0 : -1;
}

int io_run_output(char *const *argv, uint64_t timeout_ns, size_t max, char **out,
		  int *status)
{
	int fd = memfd_create("assay-helper", MFD_CLOEXEC), rc, errnum;
	off_t len;

	*out = xstrdup("");
	if (fd < 0)
		return -1;
	rc = io_run(argv, timeout_ns, fd, -1, status);
	errnum = errno;
	len = lseek(fd, 0, SEEK_CUR);
	if (len > 0) {
		if ((size_t)len > max)
			len = (off_t)max;
		*out = xrealloc(*out, (size_t)len + 1);
		if (pread(fd, *out, (size_t)len, 0) != len)
			len = 0;
		(*out)[len] = '\0';
	}
	close(fd);
	errno = errnum;
	return rc;
}

char *io_find_program(const char *name)
{
	const char *p = getenv("PATH"), *end;

	if (strchr(name, '/'))
		return NULL;
	for (p = p ? p : "/usr/bin:/bin";; p = end + 1) {
		char *full;

		end = strchrnul(p, ':');
		full = end > p ? xasprintf("%.*s/%s", (int)(end - p), p, name)
			       : xasprintf("./%s", name);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
		if (!*end)
			return NULL;
	}
}
