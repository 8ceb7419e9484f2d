/* spawn.c - see spawn.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "xalloc.h"

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

/* Whether posix_spawn can do all the spec asks. */
static bool plain(const struct spawn_opts *o)
{
	return !o->nrlimits && !o->ptracer_any && !o->pdeathsig && !o->cwd &&
	       !o->stdin_path && !o->cpus;
}

static int by_posix_spawn(pid_t *out, const struct spawn_opts *o)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t empty, dfl;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return -rc;
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		goto out_fa;
	sigemptyset(&empty);
	reset_set(&dfl);
	rc = o->in_fd >= 0 ? posix_spawn_file_actions_adddup2(&fa, o->in_fd, 0)
			   : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
							      O_RDONLY, 0);
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
	if (rc) {
		rc = -rc;       /* assay's own failure, not the test's */
		goto out_attr;
	}
	rc = posix_spawn(out, o->path, &fa, &attr, o->argv, o->envp);
out_attr:
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* ---- fork + exec ---- */

enum step { STEP_SESSION, STEP_STDIN, STEP_FDS, STEP_CWD, STEP_RLIMIT,
	    STEP_PTRACER, STEP_PDEATHSIG, STEP_CPUS, STEP_EXEC };

static const char *const step_names[] = {
	[STEP_SESSION] = "setsid", [STEP_STDIN] = "open its standard input",
	[STEP_FDS] = "set up its output pipes",
	[STEP_CWD] = "enter its working directory",
	[STEP_RLIMIT] = "set its resource limits",
	[STEP_PTRACER] = "allow a debugger to attach",
	[STEP_PDEATHSIG] = "set its parent-death signal",
	[STEP_CPUS] = "set the CPUs it may use", [STEP_EXEC] = "exec",
};

struct child_failure {
	int step;
	int errnum;
};

/* In the child: tells the parent which step failed, and dies. */
static _Noreturn void child_fail(int status_fd, enum step step)
{
	struct child_failure f = { step, errno };

	(void)!write(status_fd, &f, sizeof(f));
	_exit(127);
}

/* Moves fd to at least 3, so the dup2 onto 0-2 cannot clobber it. */
static int lift(int fd)
{
	return fd < 3 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
}

/* In the child: closes every fd from 3 up but keep. */
static void close_all_but(int keep)
{
	if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0)
		for (int fd = 3; fd < keep; fd++)
			close(fd);
	closefrom(keep < 3 ? 3 : keep + 1);
}

/* The child's side: async-signal-safe calls only; every argument was
 * prepared by the parent. */
static _Noreturn void child(const struct spawn_opts *o, int status_fd,
			    pid_t parent)
{
	sigset_t dfl, empty;
	int in = o->in_fd >= 0 ? lift(o->in_fd) : -1;
	int out = lift(o->out_fd), err = lift(o->err_fd);

	if (setsid() < 0)
		child_fail(status_fd, STEP_SESSION);
	if (o->in_fd < 0)
		in = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0)
		child_fail(status_fd, STEP_STDIN);
	if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		child_fail(status_fd, STEP_FDS);
	if (o->cwd && chdir(o->cwd) < 0)
		child_fail(status_fd, STEP_CWD);
	for (size_t i = 0; i < o->nrlimits; i++)
		if (setrlimit(o->rlimits[i].resource, &o->rlimits[i].limit) < 0)
			child_fail(status_fd, STEP_RLIMIT);
	/* EINVAL: no Yama in this kernel, so nothing to allow */
	if (o->ptracer_any && prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		child_fail(status_fd, STEP_PTRACER);
	if (o->pdeathsig) {
		if (prctl(PR_SET_PDEATHSIG, o->pdeathsig, 0, 0, 0) < 0)
			child_fail(status_fd, STEP_PDEATHSIG);
		if (getppid() != parent)        /* it died before the prctl */
			_exit(128 + o->pdeathsig);
	}
	if (o->cpus && sched_setaffinity(0, sizeof(*o->cpus), o->cpus) < 0)
		child_fail(status_fd, STEP_CPUS);
	reset_set(&dfl);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&dfl, sig))
			signal(sig, SIG_DFL);
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	close_all_but(status_fd);       /* close-on-exec: exec closes it */
	execve(o->path, o->argv, o->envp);
	child_fail(status_fd, STEP_EXEC);
}

/* What the child of clone needs, on the parent's memory. */
struct clone_arg {
	const struct spawn_opts *o;
	int status_fd;
	pid_t parent;
};

static int clone_main(void *arg)
{
	struct clone_arg *a = arg;

	child(a->o, a->status_fd, a->parent);
}

#define CHILD_STACK (64 * 1024)

/*
 * Like posix_spawn, a vfork-style clone: the child borrows the parent's
 * memory (on a stack of its own) until it execs, so starting a test
 * costs no copy of assay's page tables. The parent waits meanwhile, with
 * every signal blocked so that no handler runs in the child.
 */
static int by_fork(pid_t *out, const struct spawn_opts *o, const char **what)
{
	static char *stack;
	struct child_failure f;
	struct clone_arg a = { o, -1, getpid() };
	sigset_t all, old;
	pid_t pid;
	int st[2], saved;
	ssize_t r;

	if (!stack)
		stack = xmalloc(CHILD_STACK);
	if (pipe2(st, O_CLOEXEC) < 0)
		return -errno;
	a.status_fd = st[1];
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* a sanitizer's shadow memory and interceptors cannot be shared
	 * with a child that runs on them: a plain fork there */
	pid = fork();
	if (pid == 0)
		clone_main(&a);
#else
	pid = clone(clone_main, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
#endif
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		close(st[0]);
		close(st[1]);
		return -saved;
	}
	close(st[1]);
	do
		r = read(st[0], &f, sizeof(f));
	while (r < 0 && errno == EINTR);
	close(st[0]);
	if (r != (ssize_t)sizeof(f)) {  /* EOF: the exec closed the pipe */
		*out = pid;
		return 0;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	*what = (unsigned)f.step < STEP_EXEC + 1u ? step_names[f.step] : "start";
	return f.errnum ? f.errnum : EIO;
}

int spawn_start(pid_t *out, const struct spawn_opts *o, int *spawn_errno,
		const char **what, struct err *e)
{
	int rc;

	*spawn_errno = 0;
	*what = "exec";
	*out = 0;
	rc = plain(o) ? by_posix_spawn(out, o) : by_fork(out, o, what);
	if (!rc)
		return 0;
	if (rc < 0) {           /* assay could not even try */
		errno = -rc;
		return err_set(e, ERR_SYS, "cannot start '%s'", o->path);
	}
	*spawn_errno = rc;
	errno = rc;
	return err_set(e, ERR_SYS, "cannot start '%s': %s failed", o->path, *what);
}

/* ---- environments ---- */

static size_t name_len(const char *kv)
{
	return strcspn(kv, "=");
}

/* Removes NAME (the part of kv before '=') from v[0..*n). */
static void env_drop(char **v, size_t *n, const char *kv)
{
	size_t len = name_len(kv), k = 0;

	for (size_t i = 0; i < *n; i++)
		if (name_len(v[i]) != len || memcmp(v[i], kv, len))
			v[k++] = v[i];
	*n = k;
}

static size_t count(const void *list)
{
	const char *const *l = list;
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

/* One allocation per environment: the pointer array, then copies of the
 * own and mods strings; base's strings are pointed to, not copied. */
char **spawn_env(char *const *base, const char *const *own,
		 const char *const *mods)
{
	size_t nb = count(base), no = count(own), nm = count(mods), n = 0;
	size_t bytes = 0;
	char **v, *arena;

	for (size_t i = 0; i < no + nm; i++)
		bytes += strlen(i < no ? own[i] : mods[i - no]) + 1;
	v = xmalloc((nb + no + nm + 1) * sizeof(*v) + bytes);
	arena = (char *)(v + nb + no + nm + 1);
	memcpy(v, base, nb * sizeof(*v));
	n = nb;
	for (size_t i = 0; i < no + nm; i++) {
		const char *kv = i < no ? own[i] : mods[i - no];
		size_t len = strlen(kv) + 1;
		env_drop(v, &n, kv);
		if (kv[name_len(kv)] != '=')
			continue;
		v[n++] = memcpy(arena, kv, len);
		arena += len;
	}
	v[n] = NULL;
	return v;
}

void spawn_env_free(char **env)
{
	free(env);
}
