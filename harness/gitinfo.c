/* gitinfo.c - see gitinfo.h. */
#include "config.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "gitinfo.h"
#include "xalloc.h"

#define HEADS "refs/heads/"

static void unknown(struct gitinfo *g)
{
	memset(g, 0, sizeof(*g));
	g->dirty = -1;
}

/* HEAD's branch from the unresolved reference (so an unborn branch has
 * a name too), then the commit it resolves to. */
static void read_head(struct gitinfo *g, git_repository *repo)
{
	git_reference *head = NULL;
	const char *t;
	git_oid id;

	if (git_reference_lookup(&head, repo, "HEAD") == 0) {
		if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC)
			g->branch = xstrdup("HEAD");
		else if ((t = git_reference_symbolic_target(head)))
			g->branch = xstrdup(strncmp(t, HEADS, strlen(HEADS)) ?
					    t : t + strlen(HEADS));
		git_reference_free(head);
	}
	if (git_reference_name_to_id(&id, repo, "HEAD") == 0)
		git_oid_tostr(g->commit, sizeof(g->commit), &id);
}

/* 1 if any tracked file differs from HEAD, in the index or the work
 * tree; 0 if none; -1 unknown. Does not refresh the index on disk. */
static int read_dirty(git_repository *repo)
{
	git_status_options o;
	git_status_list *list = NULL;
	int dirty;

	if (git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION) < 0)
		return -1;
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	o.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, repo, &o) < 0)
		return -1;
	dirty = git_status_list_entrycount(list) > 0;
	git_status_list_free(list);
	return dirty;
}

void gitinfo_read(struct gitinfo *g, const char *dir)
{
	git_repository *repo = NULL;

	unknown(g);
	if (git_libgit2_init() < 0)
		return;
	if (git_repository_open_ext(&repo, dir, 0,
				    getenv("GIT_CEILING_DIRECTORIES")) == 0 &&
	    !git_repository_is_bare(repo)) {
		g->found = true;
		read_head(g, repo);
		g->dirty = read_dirty(repo);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
}

void gitinfo_release(struct gitinfo *g)
{
	free(g->branch);
	unknown(g);
}
