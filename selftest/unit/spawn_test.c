/* selftest/unit/spawn_test.c - tests harness/spawn.c: both paths, every
 * step of the spec, and the failures named. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/spawn.h"

/* Runs sh -c SCRIPT under o, returns its exit status and fills out
 * with what it printed on stdout. */
static int run(struct spawn_opts *o, const char *script, char *out, size_t n)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	int p[2], errnum, st = -1;
	const char *what;
	pid_t pid;
	ssize_t r, got = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	o->path = argv[0];
	o->argv = argv;
	o->out_fd = o->err_fd = p[1];
	if (spawn_start(&pid, o, &errnum, &what, NULL) < 0) {
		close(p[0]);
		close(p[1]);
		return -1000 - errnum;
	}
	close(p[1]);
	while (got < (ssize_t)n - 1 && (r = read(p[0], out + got, n - 1 - got)) > 0)
		got += r;
	out[got] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	return st;
}

static void plain_spec_runs(void)
{
	char *envp[] = { "A=1", NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char out[256];
	int st;

	o.envp = envp;
	/* its own session, stdin from /dev/null, only fds 0-2 */
	st = run(&o, "echo $A; test $(ps -o sid= $$) -eq $$ && echo sid; "
		 "read x || echo eof; ls /proc/self/fd | wc -l", out, sizeof(out));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_STREQ(out, "1\nsid\neof\n4\n");     /* 0 1 2 and ls's own */
}

static void forked_spec_applies_every_step(void)
{
	char *envp[] = { NULL };
	static const struct spawn_rlimit lim[] = {
		{ RLIMIT_NOFILE, { 77, 77 } },
	};
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char out[256], path[] = "/tmp/assay-spawn-XXXXXX";
	int fd = mkstemp(path), st;

	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(write(fd, "input\n", 6), 6);
	close(fd);
	o.envp = envp;
	o.cwd = "/proc";
	o.stdin_path = path;
	o.rlimits = lim;
	o.nrlimits = 1;
	o.pdeathsig = SIGKILL;
	o.ptracer_any = true;
	st = run(&o, "pwd; read x; echo $x; ulimit -n; "
		 "grep -c . /proc/self/fd/0; ls /proc/self/fd | wc -l",
		 out, sizeof(out));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_STREQ(out, "/proc\ninput\n77\n1\n4\n");
	unlink(path);
}

/* A pipe as stdin, on both paths: the child reads what the parent wrote. */
static void stdin_from_a_pipe(void)
{
	char *envp[] = { NULL }, out[64];
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int p[2], st;

	for (int forked = 0; forked < 2; forked++) {
		EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
		EXPECT_EQ(write(p[1], "piped\n", 6), 6);
		close(p[1]);
		o = (struct spawn_opts)SPAWN_OPTS_INIT;
		o.envp = envp;
		o.in_fd = p[0];
		o.stdin_path = "/nonexistent";  /* in_fd wins */
		o.cwd = forked ? "/" : NULL;
		st = run(&o, "read x; echo got $x", out, sizeof(out));
		close(p[0]);
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		EXPECT_STREQ(out, "got piped\n");
	}
}

static void failures_name_their_step(void)
{
	char *argv[] = { "/nonexistent", NULL }, *envp[] = { NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	const char *what;
	int errnum;
	pid_t pid;

	o.path = argv[0];
	o.argv = argv;
	o.envp = envp;
	o.out_fd = o.err_fd = 2;
	EXPECT_TRUE(spawn_start(&pid, &o, &errnum, &what, NULL) < 0);
	EXPECT_EQ(errnum, ENOENT);
	EXPECT_STREQ(what, "exec");
	o.cwd = "/nonexistent-dir";             /* the fork path */
	argv[0] = "/bin/true";
	o.path = argv[0];
	EXPECT_TRUE(spawn_start(&pid, &o, &errnum, &what, NULL) < 0);
	EXPECT_EQ(errnum, ENOENT);
	EXPECT_STREQ(what, "enter its working directory");
	EXPECT_TRUE(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* reaped */
	o.cwd = "/";                            /* the exec itself, forked */
	argv[0] = "/nonexistent";
	o.path = argv[0];
	EXPECT_TRUE(spawn_start(&pid, &o, &errnum, &what, NULL) < 0);
	EXPECT_EQ(errnum, ENOENT);
	EXPECT_STREQ(what, "exec");
	EXPECT_TRUE(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	argv[0] = "/bin/true";
	o.path = argv[0];
	o.cwd = NULL;
	o.stdin_path = "/nonexistent-input";
	EXPECT_TRUE(spawn_start(&pid, &o, &errnum, &what, NULL) < 0);
	EXPECT_STREQ(what, "open its standard input");
}

static void environments_are_built_in_order(void)
{
	char *base[] = { "A=1", "B=2", "C=3", NULL };
	const char *own[] = { "B=20", "D=4", NULL };
	const char *mods[] = { "C", "A=10", "E=5", "NOPE", NULL };
	char **v = spawn_env(base, own, mods), joined[128] = "";

	for (size_t i = 0; v[i]; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined),
			 "%s ", v[i]);
	EXPECT_STREQ(joined, "B=20 D=4 A=10 E=5 ");
	EXPECT_TRUE(v[2] != mods[1]);         /* copied */
	spawn_env_free(v);
	v = spawn_env(base, NULL, NULL);
	EXPECT_TRUE(v[0] == base[0] && v[2] == base[2] && !v[3]);   /* borrowed */
	spawn_env_free(v);
}

ASSAY_TEST(spawn, environments_are_built_in_order)
{
	environments_are_built_in_order();
}

ASSAY_TEST(spawn, plain_spec_runs)
{
	plain_spec_runs();
}

ASSAY_TEST(spawn, forked_spec_applies_every_step)
{
	forked_spec_applies_every_step();
}

ASSAY_TEST(spawn, stdin_from_a_pipe)
{
	stdin_from_a_pipe();
}

ASSAY_TEST(spawn, failures_name_their_step)
{
	failures_name_their_step();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
