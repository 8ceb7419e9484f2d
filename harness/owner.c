/* owner.c - see owner.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "owner.h"

/* The start time of process pid, or 0 when it cannot be read (gone). */
static unsigned long long start_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* after the command's ")" (it may hold anything): field 3 on; the
	 * start time is field 22 */
	if (!(p = strrchr(buf, ')')))
		return 0;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &start) != 1)
		return 0;
	return start;
}

const char *owner_tag(void)
{
	static char tag[48];

	if (!*tag)
		snprintf(tag, sizeof(tag), "%d.%llu", (int)getpid(), start_of(getpid()));
	return tag;
}

bool owner_dead(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long long pid, start;
	char *end;

	if (strncmp(name, prefix, n))
		return false;
	errno = 0;
	pid = strtoull(name + n, &end, 10);
	if (errno || *end != '.' || end == name + n || !pid || pid > 0x7fffffff)
		return false;
	start = strtoull(end + 1, &end, 10);
	if (errno || !start || (*end != '.' && *end != '-'))
		return false;           /* not a whole tag */
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return true;
	return start_of((pid_t)pid) != start && start_of((pid_t)pid) != 0;
}
