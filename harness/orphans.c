/* orphans.c - see orphans.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"
#include "procfs.h"
#include "xalloc.h"

#define SWEEP_ROUNDS 32         /* each round reaches one generation deeper */
#define NOTE_LINES_MAX 20
#define REAP_WAIT_MS 2000       /* SIGKILL to giving up on a stuck process */

int orphans_adopt(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void note_line(char **note, size_t count, pid_t pid, const char *comm,
		      const char *id, int reaped)
{
	char *s;

	if (count > NOTE_LINES_MAX)
		return;
	if (count == NOTE_LINES_MAX)
		s = xasprintf("%sassay: ... and more leftover processes killed\n",
			      *note ? *note : "");
	else
		s = xasprintf("%sassay: %s leftover process %d (%s)%s%s\n",
			      *note ? *note : "",
			      reaped ? "killed" : "could not kill (stuck in the kernel?)",
			      (int)pid, comm, *id ? " started by test " : "", id);
	free(*note);
	*note = s;
}

/*
 * SIGKILL, then reap. A process in uninterruptible sleep may never die:
 * wait for it on a pidfd for a bounded time instead of in waitpid.
 * Returns 1 when it was reaped.
 */
static int kill_and_reap(pid_t pid)
{
	int fd = pidfd_open(pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	(void)kill(pid, SIGKILL);
	if (fd < 0)             /* no pidfd (old kernel): wait unbounded */
		return waitpid(pid, NULL, 0) == pid;
	while (poll(&p, 1, REAP_WAIT_MS) < 0 && errno == EINTR)
		;
	close(fd);
	return waitpid(pid, NULL, WNOHANG) == pid;
}

/* One pass over /proc: kills and reaps the children found, and adds to
 * *found those it named (not those already dying: reaped quietly).
 * Returns whether it reaped any: their children are the next pass's. */
static bool sweep_once(pid_t self, char **note, size_t *found)
{
	struct procfs_proc *v;
	size_t n = procfs_list(0, &v);
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		struct procfs_stat st;
		char id[256];
		int reaped;

		if (v[i].ppid != self || !procfs_pid_stat(v[i].pid, &st))
			continue;
		if (procfs_dying(v[i].pid)) {  /* killed already: a test's
						 * leftover, named in its note */
			any |= kill_and_reap(v[i].pid);
			continue;
		}
		if (!procfs_env(v[i].pid, "ASSAY_TEST_ID", id, sizeof(id)))
			id[0] = '\0';
		reaped = kill_and_reap(v[i].pid);
		note_line(note, *found, v[i].pid, st.comm, id, reaped);
		*found += (size_t)reaped;
		any |= reaped;
	}
	free(v);
	return any;
}

size_t orphans_sweep(char **note)
{
	pid_t self = getpid();
	size_t total = 0;

	*note = NULL;
	for (int round = 0; round < SWEEP_ROUNDS; round++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)  /* the already dead */
			;
		if (!sweep_once(self, note, &total))
			break;
	}
	return total;
}
