/* hunt.c - see hunt.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hash.h"
#include "hunt.h"
#include "io.h"
#include "scratch.h"
#include "xalloc.h"

#define RR_PROBE_NS 20000000000u        /* rr recording /bin/true, at most */

/* assay-hunt.so: beside the assay program (the build tree), else where
 * `make install` put it. */
static char *find_lib(void)
{
	char self[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		if ((slash = strrchr(self, '/'))) {
			*slash = 0;
			p = xasprintf("%s/assay-hunt.so", self);
			if (access(p, R_OK) == 0)
				return p;
			free(p);
		}
	}
	p = xasprintf("%s/assay-hunt.so", PKGLIBDIR);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* rr's own words for why it failed: its last line that says anything. */
static char *rr_words(int fd)
{
	char buf[4096], *line, *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return xstrdup("it failed and said nothing");
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	line = (end = strrchr(buf, '\n')) ? end + 1 : buf;
	return xstrdup(line);
}

/*
 * Tries `rr record` on /bin/true, at most RR_PROBE_NS; returns NULL when
 * it recorded, else why not (malloc'd).
 */
static char *rr_try(const char *rr)
{
	char dir[] = "/tmp/assay-rr.XXXXXX", *trace, *why = NULL;
	char *argv[] = { (char *)rr, "record", "--output-trace-dir", NULL,
			 "/bin/true", NULL };
	int out = memfd_create("rr", MFD_CLOEXEC), status = 0;

	if (out < 0 || !mkdtemp(dir)) {
		if (out >= 0)
			close(out);
		return xasprintf("cannot try it: %s", strerror(errno));
	}
	argv[3] = trace = xasprintf("%s/trace", dir);
	if (io_run(argv, RR_PROBE_NS, out, out, &status) < 0)
		why = errno == ETIMEDOUT ?
		      xstrdup("`rr record /bin/true` did not end in 20 s") :
		      xasprintf("cannot start %s: %s", rr, strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		why = rr_words(out);
	close(out);
	(void)scratch_remove(dir);
	free(trace);
	return why;
}

int hunt_init(struct hunt *h, unsigned runs, uint64_t base, uint64_t fixed,
	      bool record, struct err *e)
{
	memset(h, 0, sizeof(*h));
	h->runs = runs;
	h->base = base;
	h->fixed = fixed;
	if (sched_getaffinity(0, sizeof(h->allowed), &h->allowed) < 0)
		return err_set(e, ERR_SYS, "--hunt: cannot read the CPUs assay may use: %s",
			       strerror(errno));
	h->nallowed = CPU_COUNT(&h->allowed);
	h->lib = find_lib();
	if (!record)
		return 0;
	if (!(h->rr = io_find_program("rr"))) {
		h->rr_problem = xstrdup("rr is not installed (Debian: apt-get install rr)");
	} else if ((h->rr_problem = rr_try(h->rr))) {
		free(h->rr);
		h->rr = NULL;
	}
	return 0;
}

void hunt_release(struct hunt *h)
{
	free(h->lib);
	free(h->rr);
	free(h->rr_problem);
	memset(h, 0, sizeof(*h));
}

/* The k-th of the allowed CPUs (k < nallowed). */
static int allowed_cpu(const struct hunt *h, int k)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &h->allowed) && k-- == 0)
			return c;
	return 0;
}

void hunt_plan(const struct hunt *h, const char *id, unsigned it,
	       struct hunt_run *out)
{
	static const unsigned pause_us[] = { 50, 200, 1000 };
	static const unsigned one_in[] = { 2, 4, 16 };
	uint64_t s = h->fixed ? h->fixed
			      : hash_mix(h->base ^ hash_str(id) ^
					 (it * 0x9e3779b97f4a7c15u));
	uint64_t r = hash_mix(s);
	int want = r % 4 < 2 ? 1 : r % 4 == 2 ? 2 : h->nallowed;
	int first = (int)((r >> 8) % (uint64_t)h->nallowed);
	char cpus[40] = "";

	memset(out, 0, sizeof(*out));
	out->seed = s ? s : 1;
	if (want > h->nallowed)
		want = h->nallowed;
	CPU_ZERO(&out->cpus);
	for (int k = 0; k < want; k++) {
		int c = allowed_cpu(h, (first + k) % h->nallowed);
		CPU_SET(c, &out->cpus);
		if (want < h->nallowed)
			snprintf(cpus + strlen(cpus), sizeof(cpus) - strlen(cpus),
				 "%s%d", k ? "," : "", c);
	}
	out->ncpus = want;
	out->max_us = pause_us[(r >> 16) % 3];
	out->one_in = one_in[(r >> 24) % 3];
	snprintf(out->env, sizeof(out->env), "ASSAY_HUNT=%llx:%u:%u",
		 (unsigned long long)out->seed, out->max_us, out->one_in);
	if (want < h->nallowed)
		snprintf(out->what, sizeof(out->what), "CPU %s of %d", cpus,
			 h->nallowed);
	else
		snprintf(out->what, sizeof(out->what), "all %d CPUs", h->nallowed);
	if (h->lib)
		snprintf(out->what + strlen(out->what),
			 sizeof(out->what) - strlen(out->what),
			 ", pauses up to %u us at 1 in %u thread meetings",
			 out->max_us, out->one_in);
}

/* ---- what the hunt saw ---- */

void hunt_log_init(struct hunt_log *l, size_t ntests)
{
	memset(l, 0, sizeof(*l));
	l->seen = xcalloc(ntests + 1, sizeof(*l->seen));
	l->n = ntests;
}

void hunt_log_release(struct hunt_log *l)
{
	for (size_t i = 0; l->seen && i < l->n; i++)
		free(l->seen[i].trace);
	free(l->seen);
	free(l->kept);
	memset(l, 0, sizeof(*l));
}

char *hunt_log_failure(struct hunt_log *l, size_t index,
		       const struct hunt_run *run, const char *trace,
		       const char *note)
{
	struct hunt_seen *h = &l->seen[index];
	char *rec = NULL, *s;

	if (h->nseeds < HUNT_SEEDS &&
	    (!h->nseeds || h->seed[h->nseeds - 1] != run->seed))
		h->seed[h->nseeds++] = run->seed;
	if (trace && !h->trace) {
		h->trace = xstrdup(trace);
		xgrow((void **)&l->kept, &l->kept_cap, l->nkept + 1, sizeof(*l->kept));
		l->kept[l->nkept++] = h->trace;
		rec = xasprintf("\nrr recording of this run: %s (rr replay %s)",
				h->trace, h->trace);
	}
	s = xasprintf("%s%shunt seed %llx: %s (--hunt-seed %llx runs it again)%s",
		      note ? note : "", note ? "\n" : "",
		      (unsigned long long)run->seed, run->what,
		      (unsigned long long)run->seed, rec ? rec : "");
	free(rec);
	return s;
}

bool hunt_log_kept(const struct hunt_log *l, const char *trace)
{
	for (size_t i = 0; i < l->nkept; i++)
		if (!strcmp(l->kept[i], trace))
			return true;
	return false;
}

void hunt_log_seeds(const struct hunt_log *l, size_t index, unsigned failed,
		    char *buf, size_t n)
{
	const struct hunt_seen *h = &l->seen[index];

	buf[0] = 0;
	for (unsigned k = 0; k < h->nseeds; k++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%llx",
			 k ? ", " : "", (unsigned long long)h->seed[k]);
	if (failed > h->nseeds)
		snprintf(buf + strlen(buf), n - strlen(buf), ", ...");
}
