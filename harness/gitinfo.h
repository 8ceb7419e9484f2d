/*
 * gitinfo.h - the facts about the git work tree holding a directory
 * (HEAD's commit, its branch, whether tracked files changed), read
 * through libgit2 for the JUnit report's properties.
 *
 * Best effort: any failure just leaves a fact unknown. Never fails the
 * caller, never prints, never writes to the repository (not even the
 * index's stat cache).
 */
#ifndef ASSAY_GITINFO_H
#define ASSAY_GITINFO_H

#include <stdbool.h>

struct gitinfo {
	bool found;             /* dir lies in a work tree (a bare
				 * repository does not count) */
	char commit[41];        /* HEAD's full hex id; "" when HEAD is
				 * unborn (no commit yet) or unknown */
	char *branch;           /* HEAD's branch, short ("main"), also when
				 * unborn; "HEAD" when detached; NULL when
				 * unknown. Owned: gitinfo_release frees it */
	int dirty;              /* 1: a tracked file differs from HEAD in
				 * the index or the work tree; 0: none does;
				 * -1: unknown */
};

/*
 * Fills g for the work tree containing dir, searching upward from dir
 * like git does, stopping at a file-system boundary and at the
 * directories in $GIT_CEILING_DIRECTORIES. dir decides: $GIT_DIR and
 * $GIT_WORK_TREE are not honoured, because a git hook sets them for a
 * repository that need not be the one holding dir.
 * dirty follows `git describe --dirty`: untracked and ignored files and
 * submodules do not count; in an unborn repository, a staged file does.
 * No repository, a bare one, a broken one or a libgit2 error leaves the
 * affected facts unknown (found false, commit "", branch NULL,
 * dirty -1). Any thread; call gitinfo_release after, whatever happened.
 */
void gitinfo_read(struct gitinfo *g, const char *dir);

/* Frees what g owns and leaves it as unknown facts. */
void gitinfo_release(struct gitinfo *g);

#endif
