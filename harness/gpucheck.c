/* gpucheck.c - see gpucheck.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gpucheck.h"
#include "io.h"
#include "owner.h"
#include "scratch.h"
#include "xalloc.h"

bool gpucheck_built(void)
{
	return gpucheck_ptx[0] != NULL;
}

/* The module as one text (malloc'd, *len bytes). */
static char *module_text(size_t *len)
{
	char *text, *p;

	*len = 0;
	for (size_t i = 0; gpucheck_ptx[i]; i++)
		*len += strlen(gpucheck_ptx[i]);
	p = text = xmalloc(*len + 1);
	for (size_t i = 0; gpucheck_ptx[i]; i++)
		p = stpcpy(p, gpucheck_ptx[i]);
	return text;
}

/* The module into dir, unless it is there already as it is (a file
 * rewritten is one listed again: the listing cache keys on it). */
static int write_module(const char *dir, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, GPUCHECK_MODULE), *tmp = NULL, *old = NULL;
	size_t len, old_len;
	char *text = module_text(&len);
	int fd = -1, rc = 0;

	if (io_read_file(path, len + 1, &old, &old_len) == 0 && old_len == len &&
	    !memcmp(old, text, len))
		goto out;
	if (io_mkdir_p(dir) < 0 || (fd = io_atomic_open(path, &tmp)) < 0) {
		rc = err_set(e, ERR_SYS,
			     "cannot write the GPU suite's module %s (--state-dir DIR puts it elsewhere; '' in a temporary directory)",
			     path);
		goto out;
	}
	if (io_write_all(fd, text, len) < 0) {
		rc = err_set(e, ERR_SYS, "cannot write the GPU suite's module %s", path);
		io_atomic_abort(fd, tmp);
	} else if (io_atomic_commit(fd, tmp, path) < 0) {
		rc = err_set(e, ERR_SYS, "cannot write the GPU suite's module %s", path);
	}
out:
	free(old);
	free(text);
	free(path);
	return rc;
}

int gpucheck_prepare(struct gpucheck *g, const char *state_dir, struct err *e)
{
	const char *tmp = getenv("TMPDIR");

	memset(g, 0, sizeof(*g));
	if (!gpucheck_built())
		return err_set(e, ERR_NOTSUP,
			       "this assay was built without nvcc, so it carries no GPU suite: build it again where the CUDA toolkit is (configure looks for nvcc in PATH and /usr/local/cuda/bin; NVCC=PATH names it)");
	if (*state_dir) {
		g->dir = xasprintf("%s/gpu-check", state_dir);
	} else {
		/* named as the run's scratch is: a run killed before it
		 * removes it leaves it to the next run's sweep */
		g->dir = xasprintf("%s/assay-%s-gpu-check-XXXXXX", tmp && *tmp ? tmp : "/tmp",
				   owner_tag());
		if (!mkdtemp(g->dir))
			return err_set(e, ERR_SYS, "cannot make a directory like %s for the GPU suite",
				       g->dir);
		g->temporary = true;
	}
	setenv("CUDA_CACHE_DISABLE", "1", 1);
	return write_module(g->dir, e);
}

void gpucheck_release(struct gpucheck *g)
{
	if (g->temporary)
		(void)scratch_remove(g->dir);
	free(g->dir);
	g->dir = NULL;
}
