/* selftest/unit/gitinfo_test.c - tests harness/gitinfo.c and nothing else.
 * Makes its repositories with libgit2 itself, so needs no git program. */
#include "config.h"

#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/gitinfo.h"
#include "harness/scratch.h"

static char base[PATH_MAX];

/* base/rel, in a rotating set of buffers so two can be live at once. */
static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static git_repository *init(const char *rel, bool bare)
{
	git_repository_init_options o;
	git_repository *r = NULL;

	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	o.flags = GIT_REPOSITORY_INIT_MKPATH | (bare ? GIT_REPOSITORY_INIT_BARE : 0);
	o.initial_head = "trunk";       /* whatever init.defaultBranch says */
	EXPECT_TRUE(git_repository_init_ext(&r, at(rel), &o) == 0);
	return r;
}

/* Stages path (relative to the work tree); 0 or a libgit2 error. */
static int stage(git_repository *r, const char *path)
{
	git_index *idx = NULL;
	int rc;

	if ((rc = git_repository_index(&idx, r)) == 0 &&
	    (rc = git_index_add_bypath(idx, path)) == 0)
		rc = git_index_write(idx);
	git_index_free(idx);
	return rc;
}

/* Commits the index on HEAD; 0 or a libgit2 error. */
static int commit(git_repository *r, git_oid *out)
{
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_oid tree_id, head;
	int rc;

	if (git_reference_name_to_id(&head, r, "HEAD") == 0 &&
	    (rc = git_commit_lookup(&parent, r, &head)) < 0)
		return rc;
	if ((rc = git_repository_index(&idx, r)) == 0 &&
	    (rc = git_index_write_tree(&tree_id, idx)) == 0 &&
	    (rc = git_tree_lookup(&tree, r, &tree_id)) == 0 &&
	    (rc = git_signature_new(&sig, "T", "t@example.com", 1700000000, 0)) == 0)
		rc = git_commit_create_v(out, r, "HEAD", sig, sig, NULL, "msg\n",
					 tree, parent ? 1 : 0, parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	git_commit_free(parent);
	return rc;
}

static void check_unknown(const char *what, const char *rel)
{
	struct gitinfo g;

	printf("# %s: %s\n", what, rel);
	gitinfo_read(&g, at(rel));
	EXPECT_TRUE(!g.found);
	EXPECT_STREQ(g.commit, "");
	EXPECT_TRUE(g.branch == NULL);
	EXPECT_EQ(g.dirty, -1);
	gitinfo_release(&g);
}

static void check_info(const char *what, const char *rel,
		       const char *commit_hex, const char *branch, int dirty)
{
	struct gitinfo g;

	printf("# %s: %s\n", what, rel);
	gitinfo_read(&g, at(rel));
	EXPECT_TRUE(g.found);
	EXPECT_STREQ(g.commit, commit_hex);
	EXPECT_STREQ(g.branch, branch);
	EXPECT_EQ(g.dirty, dirty);
	gitinfo_release(&g);
}

ASSAY_TEST(gitinfo, repositories)
{
	git_repository *r;
	git_oid first, second;
	char first_hex[41], second_hex[41], tmp[] = "/tmp/gitinfo_test.XXXXXX";

	if (!EXPECT_TRUE(mkdtemp(tmp) && realpath(tmp, base)))
	
	/* the search stops below base, whatever holds /tmp */
	setenv("GIT_CEILING_DIRECTORIES", base, 1);
	setenv("GIT_DIR", "/nonexistent", 1);  /* ignored: dir decides */
	mkdir(at("norepo"), 0700);
	check_unknown("no repository, before libgit2 is set up", "norepo");

	git_libgit2_init();
	git_repository_free(init("bare.git", true));
	check_unknown("bare", "bare.git");
	mkdir(at("broken"), 0700);
	put("broken/.git", "gitdir: /nonexistent\n");
	check_unknown("broken .git file", "broken");

	git_repository_free(init("unborn", false));
	check_info("unborn", "unborn", "", "trunk", 0);

	r = init("repo", false);
	mkdir(at("repo/sub"), 0700);
	put("repo/a.txt", "a\n");
	put("repo/sub/b.txt", "b\n");
	EXPECT_TRUE(stage(r, "a.txt") == 0 && stage(r, "sub/b.txt") == 0);
	EXPECT_TRUE(commit(r, &first) == 0);
	git_oid_tostr(first_hex, sizeof(first_hex), &first);
	check_info("clean", "repo", first_hex, "trunk", 0);
	check_info("from below", "repo/sub", first_hex, "trunk", 0);
	check_info("from inside .git", "repo/.git", first_hex, "trunk", 0);

	put("repo/new.txt", "untracked\n");
	put("repo/.gitignore", "*.log\n");
	check_info("untracked only", "repo", first_hex, "trunk", 0);
	EXPECT_TRUE(stage(r, "new.txt") == 0);
	check_info("staged", "repo", first_hex, "trunk", 1);
	EXPECT_TRUE(stage(r, ".gitignore") == 0 && commit(r, &second) == 0);
	git_oid_tostr(second_hex, sizeof(second_hex), &second);
	put("repo/x.log", "ignored\n");
	check_info("ignored only", "repo", second_hex, "trunk", 0);
	put("repo/sub/b.txt", "changed\n");
	check_info("modified", "repo/sub", second_hex, "trunk", 1);

	EXPECT_TRUE(git_repository_set_head_detached(r, &first) == 0);
	check_info("detached", "repo", first_hex, "HEAD", 1);
	git_repository_free(r);

	setenv("GIT_CEILING_DIRECTORIES", at("repo"), 1);
	check_unknown("above the ceiling", "repo/sub");

	git_libgit2_shutdown();
	EXPECT_TRUE(scratch_remove(base) == 0);
}

ASSAY_MAIN()
