/* props.c - see props.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gitinfo.h"
#include "props.h"
#include "xalloc.h"

static void add(struct props *p, const char *name, const char *value)
{
	xgrow((void **)&p->v, &p->cap, p->n + 3, sizeof(*p->v));
	p->v[p->n++] = name;
	p->v[p->n++] = value;
	p->v[p->n] = NULL;
}

void props_add(struct props *p, const char *name, char *value)
{
	xgrow((void **)&p->owned, &p->owned_cap, p->nowned + 1, sizeof(*p->owned));
	p->owned[p->nowned++] = value;
	add(p, name, value);
}

char *props_command_line(int argc, char **argv)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_-+=./:,@%";
	size_t len = 1;
	char *s, *w;

	for (int i = 0; i < argc; i++)
		len += 4 * strlen(argv[i]) + 3;
	w = s = xmalloc(len);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i)
			*w++ = ' ';
		if (*a && strspn(a, plain) == strlen(a)) {
			w = stpcpy(w, a);
			continue;
		}
		*w++ = '\'';
		for (; *a; a++)
			w = *a == '\'' ? stpcpy(w, "'\\''") : (*w = *a, w + 1);
		*w++ = '\'';
	}
	*w = 0;
	return s;
}

static void add_git(struct props *p)
{
	struct gitinfo g;

	gitinfo_read(&g, ".");
	if (g.found) {
		if (g.commit[0])
			props_add(p, "git.commit", xstrdup(g.commit));
		if (g.branch)
			props_add(p, "git.branch", xstrdup(g.branch));
		if (g.dirty >= 0)
			add(p, "git.dirty", g.dirty ? "true" : "false");
	}
	gitinfo_release(&g);
}

void props_build(struct props *p, int argc, char **argv, unsigned jobs,
		 uint64_t start_wall_ns, int git)
{
	time_t secs = (time_t)(start_wall_ns / 1000000000u);
	char when[32];
	struct tm tm;

	memset(p, 0, sizeof(*p));
	add(p, "assay.version", PACKAGE_VERSION);
	props_add(p, "assay.command", props_command_line(argc, argv));
	if (gethostname(p->hostname, sizeof(p->hostname) - 1) == 0 && p->hostname[0])
		add(p, "assay.hostname", p->hostname);
	if (gmtime_r(&secs, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		props_add(p, "assay.start_time", xstrdup(when));
	props_add(p, "assay.jobs", xasprintf("%u", jobs));
	if (git)
		add_git(p);
}

void props_release(struct props *p)
{
	for (size_t i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
