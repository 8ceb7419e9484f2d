/* gpucheck.c - see gpucheck.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gpucheck.h"
#include "io.h"
#include "xalloc.h"

bool gpucheck_built(void)
{
	return gpucheck_ptx[0] != NULL;
}

int gpucheck_write(const char *dir, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, GPUCHECK_MODULE);
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = NULL;
	int rc = 0;

	errno = 0;
	if (io_mkdir_p(dir) < 0 || !(f = fopen(tmp, "w"))) {
		rc = err_set(e, ERR_SYS,
			     "cannot write the GPU suite's module %s (--state-dir DIR puts it elsewhere; '' in a temporary directory)",
			     tmp);
		goto out;
	}
	for (size_t i = 0; gpucheck_ptx[i]; i++)
		fputs(gpucheck_ptx[i], f);
	if (fclose(f) != 0) {
		rc = err_set(e, ERR_SYS, "cannot write the GPU suite's module %s", tmp);
		remove(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = err_set(e, ERR_SYS, "cannot put the GPU suite's module in place as %s", path);
		remove(tmp);
	}
out:
	free(path);
	free(tmp);
	return rc;
}
