/* scratch.c - see scratch.h. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"
#include "xalloc.h"

int scratch_open(struct scratch *s, struct err *e)
{
	const char *base = getenv("TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	s->next = 0;
	s->root = xasprintf("%s/assay-XXXXXX", base);
	if (!mkdtemp(s->root)) {
		err_set(e, ERR_SYS,
			"cannot create a temporary directory in '%s' (set TMPDIR to a writable directory)",
			base);
		free(s->root);
		s->root = NULL;
		return e ? e->code : ERR_SYS;
	}
	return 0;
}

int scratch_job_dir(struct scratch *s, char **out, struct err *e)
{
	char *d = xasprintf("%s/%lu", s->root, s->next++);

	if (mkdir(d, 0700) < 0) {
		free(d);
		return err_set(e, ERR_SYS, "cannot create a test directory in '%s'",
			       s->root);
	}
	*out = d;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	if (flag == FTW_DNR)            /* unreadable dir: make it readable */
		(void)chmod(path, 0700);
	(void)remove(path);
	return 0;
}

int scratch_remove(const char *dir)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	/* walk bottom-up; a directory a test made unreadable is opened up
	 * on one pass and emptied on the next */
	for (int pass = 0; pass < 3; pass++) {
		(void)chmod(dir, 0700);
		(void)nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
	}
	return -1;
}

void scratch_close(struct scratch *s)
{
	if (s->root)
		(void)scratch_remove(s->root);
	free(s->root);
	s->root = NULL;
}
