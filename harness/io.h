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
/* Monotonic time in nanoseconds. */
uint64_t io_now_ns(void);

#endif
