/* floor.c - the bare spawn pool: the floor no test runner can beat.
 *
 * Usage: floor J PROGRAM...   or   floor J DIR   (every executable *.t in DIR)
 *
 * posix_spawn each program with stdout and stderr on /dev/null, keep J
 * children running, reap with waitpid, until all are done. Nothing else:
 * no capture, no parsing, no timeouts. The last line says what happened,
 * in the same form as assay's: "floor: N passed, N failed".
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct stat st;
	char **prog = argv + 2;
	int n = argc - 2, j = argc > 2 ? atoi(argv[1]) : 0;

	if (j < 1) {
		fprintf(stderr, "usage: floor J PROGRAM... | floor J DIR\n");
		return 2;
	}
	if (n == 1 && stat(prog[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = opendir(prog[0]);
		struct dirent *e;
		size_t len, cap = 0;
		char *dir = prog[0];

		n = 0;
		prog = NULL;
		while (d && (e = readdir(d))) {
			len = strlen(e->d_name);
			if (len < 3 || strcmp(e->d_name + len - 2, ".t"))
				continue;
			if ((size_t)n == cap && !(prog = realloc(prog, (cap = 2 * cap + 64) * sizeof *prog)))
				return 3;
			if (!(prog[n] = malloc(strlen(dir) + len + 2)))
				return 3;
			sprintf(prog[n], "%s/%s", dir, e->d_name);
			if (access(prog[n], X_OK) == 0)
				n++;
		}
	}

	posix_spawn_file_actions_t fa;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_adddup2(&fa, devnull, 1) ||
	    posix_spawn_file_actions_adddup2(&fa, devnull, 2))
		return 3;

	int next = 0, running = 0, passed = 0, failed = 0, status;
	while (next < n || running > 0) {
		while (running < j && next < n) {
			char *a[] = { prog[next], NULL };
			pid_t pid;
			if (posix_spawn(&pid, prog[next++], &fa, NULL, a, environ))
				failed++;
			else
				running++;
		}
		if (waitpid(-1, &status, 0) < 0)
			return 3;
		running--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			passed++;
		else
			failed++;
	}
	printf("floor: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
