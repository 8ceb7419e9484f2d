/* owner.c - see owner.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "owner.h"
#include "xalloc.h"

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

unsigned owner_sweep(const char *dir, const char *prefix, bool dirs,
		     int (*remove)(const char *path))
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d))) {
		struct stat st;
		char *path;
		if (!owner_dead(de->d_name, prefix))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && st.st_uid == geteuid() &&
		    (dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) &&
		    remove(path) == 0)
			n++;
		free(path);
	}
	if (d)
		closedir(d);
	return n;
}

bool owner_dead(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long long pid, start, now;
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
	now = start_of((pid_t)pid);     /* 0: unreadable, or just gone */
	return now && now != start;
}
