/*
 * io.h - system calls with EINTR and short transfers handled once.
 *
 * Thin wrappers only: they return -1 with errno set, as the system
 * calls do, and never print.
 */
#ifndef ASSAY_IO_H
#define ASSAY_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes all n bytes (retrying EINTR, EAGAIN waits in poll); 0 or -1. */
int io_write_all(int fd, const void *buf, size_t n);
/* One read, retrying EINTR. Returns bytes, 0 at EOF, -1 with errno. */
ssize_t io_read(int fd, void *buf, size_t n);
/*
 * The whole of the regular file at path, at most max bytes, into *buf
 * (malloc'd, NUL-terminated; *len bytes before the NUL). Returns 0, or -1
 * with errno: the open's or read's, EINVAL for a file that is not a
 * regular file (a FIFO is refused without waiting on it), EFBIG for one
 * larger than max.
 */
int io_read_file(const char *path, size_t max, char **buf, size_t *len);
/*
 * Runs argv (argv[0] a path, no PATH search, no shell) to its end, at
 * most timeout_ns (then SIGKILL): stdin from /dev/null, stdout on out_fd
 * and stderr on err_fd (-1: /dev/null). For the short helpers a run
 * waits for before it starts (rr's probe, the GPU probe), never a test.
 * Returns 0 with the wait status in *status, or -1 with errno (the
 * spawn's or the wait's; ETIMEDOUT when it ran past and was killed).
 */
int io_run(char *const *argv, uint64_t timeout_ns, int out_fd, int err_fd,
	   int *status);
/*
 * io_run with its stdout kept: what it wrote (at most max bytes of it,
 * malloc'd and NUL-ended in *out, also when it fails: a child killed at
 * its timeout may have said something first), stderr to /dev/null.
 */
int io_run_output(char *const *argv, uint64_t timeout_ns, size_t max, char **out,
		  int *status);
/* Monotonic time in nanoseconds. */
uint64_t io_now_ns(void);
/* io_now_ns as this thread last read it: for what a result's path
 * stamps many times a millisecond (events, a case's start), where a
 * read per chunk of output (the loop's, proc.c's) is close enough. */
uint64_t io_recent_ns(void);
/* Wall-clock time in nanoseconds since the epoch. */
uint64_t io_wall_ns(void);

/*
 * A file that is whole on disk or not there: io_atomic_open creates a
 * new temporary file beside path (same directory, so the rename cannot
 * cross file systems), mode 0666 less the umask, and returns its fd with
 * its name in *tmp. io_atomic_commit flushes it to disk and renames it
 * over path; io_atomic_abort removes it. Both close fd and free *tmp.
 * All return -1 with errno on failure, leaving no temporary file behind.
 */
int io_atomic_open(const char *path, char **tmp);
int io_atomic_commit(int fd, char *tmp, const char *path);
void io_atomic_abort(int fd, char *tmp);
/* name as execvp would find it in PATH (malloc'd), or NULL: not there,
 * or name holds a '/' (it is a path already). */
char *io_find_program(const char *name);
/* mkdir -p: dir and its missing parents (mode 0777 less the umask);
 * 0, or -1 with errno from the mkdir that failed. */
int io_mkdir_p(const char *dir);

#endif
