/* spawn.c - see spawn.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include "spawn.h"

/* Signals whose disposition or mask assay changes; the child gets them
 * back at their defaults. */
static void reset_set(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGPIPE);
	sigaddset(s, SIGINT);
	sigaddset(s, SIGTERM);
	sigaddset(s, SIGHUP);
	sigaddset(s, SIGQUIT);
	sigaddset(s, SIGCHLD);
}

int spawn_start(pid_t *out, const struct spawn_opts *o, int *spawn_errno,
		struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t empty, dfl;
	int rc;

	*spawn_errno = 0;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		return err_set(e, ERR_SYS, "cannot prepare to start '%s'", o->path);
	}
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		goto out_fa;
	sigemptyset(&empty);
	reset_set(&dfl);
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, o->out_fd, 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, o->err_fd, 2);
	if (!rc)        /* nothing else assay inherited reaches the test */
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!rc)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	if (!rc)
		rc = posix_spawnattr_setsigmask(&attr, &empty);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(&attr, &dfl);
	if (rc)
		goto out_attr;
	rc = posix_spawn(out, o->path, &fa, &attr, o->argv, o->envp);
	if (rc)
		*spawn_errno = rc;
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	if (!rc)
		return 0;
	errno = rc;
	return err_set(e, ERR_SYS, "cannot start '%s'", o->path);
}
