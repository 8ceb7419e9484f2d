/*
 * spawn.h - starts one process from a spawn spec, the way every process
 * assay supervises is started.
 *
 * Never a shell: argv as given, its own session and process group (no
 * terminal, and no way into assay's group), stdin from /dev/null, a file
 * or a pipe, stdout and stderr onto the given pipe ends, no other inherited
 * fd, signal mask and dispositions reset. posix_spawn (vfork speed on
 * glibc) does it when the spec asks for nothing more; a spec with a
 * working directory, rlimits, a ptracer or a parent-death signal takes
 * the clone+exec path: a vfork-style clone (the child borrows assay's
 * memory until it execs, with every signal blocked), where the child
 * makes only async-signal-safe calls and reports a failed step and its
 * errno over a close-on-exec status pipe. Never waits for
 * the child and never reads its output: the supervisor does that.
 */
#ifndef ASSAY_SPAWN_H
#define ASSAY_SPAWN_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "err.h"

struct spawn_rlimit {
	int resource;                   /* RLIMIT_AS, RLIMIT_CORE, ... */
	struct rlimit limit;
};

struct spawn_opts {
	const char *path;               /* executed as is (no PATH search) */
	char *const *argv;
	char *const *envp;              /* the whole environment */
	const char *cwd;                /* NULL: assay's own */
	const char *stdin_path;         /* NULL: /dev/null */
	int in_fd;                      /* >= 0: becomes the child's fd 0 (a
	                                 * pipe its owner writes); wins over
	                                 * stdin_path */
	int out_fd;                     /* becomes the child's fd 1 */
	int err_fd;                     /* becomes the child's fd 2 */
	const struct spawn_rlimit *rlimits;
	size_t nrlimits;
	/* Lets any process of the same user attach with ptrace, as a
	 * debugger that looks at a hung test must under Yama's
	 * ptrace_scope=1 (prctl PR_SET_PTRACER). */
	bool ptracer_any;
	int pdeathsig;                  /* sent to the child when assay dies;
	                                 * 0: none */
	const cpu_set_t *cpus;          /* the CPUs it may use; NULL: assay's */
};

#define SPAWN_OPTS_INIT { .out_fd = -1, .err_fd = -1, .in_fd = -1 }

/*
 * A child's whole environment, built before the spawn: base, then own,
 * then mods, each entry "NAME=VALUE"; a later entry replaces an earlier
 * one of the same NAME, and a mods entry without '=' removes NAME. Any
 * list may be NULL. own and mods are copied; base's strings are borrowed
 * (environ: they must outlive the result). spawn_env_free frees it.
 */
char **spawn_env(char *const *base, const char *const *own,
		 const char *const *mods);
void spawn_env_free(char **env);

/*
 * Starts the child. Returns 0 and its pid (also its process group id),
 * or a negative code with e filled; *spawn_errno is then the errno that
 * made the child's set-up or exec fail (ENOENT, EACCES, ENOEXEC...), so
 * the caller can report the test as an error rather than assay as
 * broken, and *what names the step that failed ("exec", "chdir to the
 * working directory", ...).
 */
int spawn_start(pid_t *out, const struct spawn_opts *o, int *spawn_errno,
		const char **what, struct err *e);

#endif
