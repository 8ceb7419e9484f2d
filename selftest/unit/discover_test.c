/* selftest/unit/discover_test.c - tests harness/discover.c and nothing else. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/discover.h"
#include "harness/opts.h"
#include "harness/registry.h"
#include "harness/table.h"

static char root[4096];

static void put(const char *rel, int mode)
{
	char p[8192];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, mode);
	if (fd >= 0) {
		(void)!write(fd, "#!/bin/sh\n", 10);
		close(fd);
	}
	chmod(p, (mode_t)mode);
}

static void dir(const char *rel)
{
	char p[8192];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkdir(p, 0755);
}

static void make_tree(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[8192];

	snprintf(root, sizeof(root), "%s/discover-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		exit(99);
	dir("b");
	dir("b/sub");
	dir(".hidden");
	dir(".deps");
	dir("CMakeFiles");
	dir("skipme");
	put("b/z_test", 0755);
	put("b/a_test", 0755);
	put("b/sub/deep", 0755);
	put("b/data.txt", 0644);        /* not executable: not a test */
	put("b/libfoo.so", 0755);       /* build junk */
	put("b/foo.o", 0755);
	put("b/configure", 0755);
	put("b/.secret", 0755);         /* hidden */
	put(".hidden/t", 0755);
	put(".deps/t", 0755);
	put("CMakeFiles/t", 0755);
	put("skipme/t", 0755);
	put("c_test", 0755);
	snprintf(p, sizeof(p), "%s/b", root);
	chdir(root);
	symlink("b", "linkdir");        /* directory symlink: not followed */
	symlink("c_test", "c_link");    /* file symlink: another test */
	symlink("nowhere", "dangling");
}

static int run_discover(struct test_table *t, struct strlist *paths,
			struct strlist *ex, const char *kind, struct err *e)
{
	struct registry *reg;
	struct discover_opts o = { .paths = paths, .excludes = ex, .kind = kind };
	int rc;

	registry_new(&reg);
	o.reg = reg;
	table_init(t);
	rc = discover(t, &o, e);
	registry_free(reg);
	return rc;
}

static void walks_a_tree(void)
{
	struct strlist paths = { 0 }, ex = { 0 };
	struct test_table t;
	struct err e = ERR_INIT;

	strlist_push(&paths, ".");
	strlist_push(&ex, "skipme");
	EXPECT_EQ(run_discover(&t, &paths, &ex, NULL, &e), 0);
	EXPECT_EQ(t.n, 5);
	if (t.n == 5) {         /* sorted by name, depth first */
		EXPECT_STREQ(t.v[0]->pub.id, "b/a_test");
		EXPECT_STREQ(t.v[1]->pub.id, "b/sub/deep");
		EXPECT_STREQ(t.v[2]->pub.id, "b/z_test");
		EXPECT_STREQ(t.v[3]->pub.id, "c_link");    /* a second name: a test */
		EXPECT_STREQ(t.v[4]->pub.id, "c_test");
		EXPECT_STREQ(t.v[0]->pub.path, "./b/a_test");
		EXPECT_STREQ(t.v[0]->pub.kind, "auto");
		EXPECT_TRUE(t.v[0]->pub.timeout_s == 0);     /* order.c sets it */
	}
	table_release(&t);
	strlist_release(&paths);
	strlist_release(&ex);
}

static void named_files(void)
{
	struct strlist paths = { 0 };
	struct test_table t;
	struct err e = ERR_INIT;

	strlist_push(&paths, "./b/data.txt");
	strlist_push(&paths, "b/z_test");
	strlist_push(&paths, "b");              /* z_test again: runs once */
	strlist_push(&paths, "./b/");           /* all of b again */
	EXPECT_EQ(run_discover(&t, &paths, NULL, NULL, &e), 0);
	EXPECT_EQ(t.n, 4);
	if (t.n == 4) {
		EXPECT_STREQ(t.v[0]->pub.id, "b/data.txt");
		EXPECT_CONTAINS(t.v[0]->problem, "not executable");
		EXPECT_STREQ(t.v[1]->pub.id, "b/z_test");
		EXPECT_TRUE(t.v[1]->problem == NULL);
		EXPECT_STREQ(t.v[2]->pub.id, "a_test");
		EXPECT_STREQ(t.v[3]->pub.id, "sub/deep");
	}
	table_release(&t);
	strlist_release(&paths);
}

static void bad_paths(void)
{
	struct strlist paths = { 0 };
	struct test_table t;
	struct err e = ERR_INIT;

	strlist_push(&paths, "b");
	strlist_push(&paths, "no/such/thing");
	EXPECT_EQ(run_discover(&t, &paths, NULL, NULL, &e), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "cannot find 'no/such/thing'");
	table_release(&t);
	strlist_release(&paths);

	strlist_push(&paths, "b");
	EXPECT_EQ(run_discover(&t, &paths, NULL, "nonesuch", &e), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "no kind named 'nonesuch'");
	EXPECT_CONTAINS(e.msg, "exec");
	table_release(&t);
	strlist_release(&paths);

	strlist_push(&paths, "/dev/null");
	EXPECT_EQ(run_discover(&t, &paths, NULL, NULL, &e), 0);
	EXPECT_TRUE(t.n == 1 && t.v[0]->problem && strstr(t.v[0]->problem, "not a regular file"));
	table_release(&t);
	strlist_release(&paths);
}

static void junk_names(void)
{
	EXPECT_TRUE(discover_is_junk("libx.so.1", 0));
	EXPECT_TRUE(discover_is_junk("Makefile.in", 0));
	EXPECT_TRUE(discover_is_junk(".git", 1));
	EXPECT_TRUE(discover_is_junk("autom4te.cache", 1));
	EXPECT_TRUE(!discover_is_junk("test_x", 0));
	EXPECT_TRUE(!discover_is_junk("configure_test", 0));
}

ASSAY_TEST(discover, walks_a_tree)
{
	walks_a_tree();
}

ASSAY_TEST(discover, named_files)
{
	named_files();
}

ASSAY_TEST(discover, bad_paths)
{
	bad_paths();
}

ASSAY_TEST(discover, junk_names)
{
	junk_names();
}

/* the tree every test walks, made once */
int main(int argc, char **argv)
{
	make_tree();
	return assay_main(argc, argv);
}
