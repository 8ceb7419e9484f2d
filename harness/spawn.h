/*
 * spawn.h - start one test process, the way every test is started.
 *
 * posix_spawn (vfork-speed on glibc), never a shell: argv as given, its
 * own session and process group (no terminal, and no way into assay's
 * group), stdin from /dev/null, stdout and stderr onto the given pipe
 * ends, no other inherited fd, signal mask and dispositions reset. Never waits for
 * the child and never reads its output: the loop does that.
 */
#ifndef ASSAY_SPAWN_H
#define ASSAY_SPAWN_H

#include <sys/types.h>

#include "err.h"

struct spawn_opts {
	const char *path;               /* executed as is (no PATH search) */
	char *const *argv;
	char *const *envp;
	int out_fd;                     /* becomes the child's fd 1 */
	int err_fd;                     /* becomes the child's fd 2 */
};

/*
 * Starts the child. Returns 0 and its pid (also its process group id),
 * or a negative code with e filled; *spawn_errno is then the errno that
 * made exec fail (ENOENT, EACCES, ENOEXEC...), so the caller can report
 * the test as an error rather than assay as broken.
 */
int spawn_start(pid_t *out, const struct spawn_opts *o, int *spawn_errno,
		struct err *e);

#endif
