/* selftest/unit/discover_test.c - tests harness/discover.c and nothing else. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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
	CHECK_INT(0, run_discover(&t, &paths, &ex, NULL, &e));
	CHECK_INT(5, t.n);
	if (t.n == 5) {         /* sorted by name, depth first */
		CHECK_STR("b/a_test", t.v[0]->pub.id);
		CHECK_STR("b/sub/deep", t.v[1]->pub.id);
		CHECK_STR("b/z_test", t.v[2]->pub.id);
		CHECK_STR("c_link", t.v[3]->pub.id);    /* a second name: a test */
		CHECK_STR("c_test", t.v[4]->pub.id);
		CHECK_STR("./b/a_test", t.v[0]->pub.path);
		CHECK_STR("auto", t.v[0]->pub.kind);
		CHECK(t.v[0]->pub.timeout_s == 0);     /* order.c sets it */
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
	CHECK_INT(0, run_discover(&t, &paths, NULL, NULL, &e));
	CHECK_INT(4, t.n);
	if (t.n == 4) {
		CHECK_STR("b/data.txt", t.v[0]->pub.id);
		CHECK_HAS(t.v[0]->problem, "not executable");
		CHECK_STR("b/z_test", t.v[1]->pub.id);
		CHECK(t.v[1]->problem == NULL);
		CHECK_STR("a_test", t.v[2]->pub.id);
		CHECK_STR("sub/deep", t.v[3]->pub.id);
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
	CHECK_INT(ERR_USAGE, run_discover(&t, &paths, NULL, NULL, &e));
	CHECK_HAS(e.msg, "cannot find 'no/such/thing'");
	table_release(&t);
	strlist_release(&paths);

	strlist_push(&paths, "b");
	CHECK_INT(ERR_USAGE, run_discover(&t, &paths, NULL, "nonesuch", &e));
	CHECK_HAS(e.msg, "no kind named 'nonesuch'");
	CHECK_HAS(e.msg, "exec");
	table_release(&t);
	strlist_release(&paths);

	strlist_push(&paths, "/dev/null");
	CHECK_INT(0, run_discover(&t, &paths, NULL, NULL, &e));
	CHECK(t.n == 1 && t.v[0]->problem && strstr(t.v[0]->problem, "not a regular file"));
	table_release(&t);
	strlist_release(&paths);
}

static void junk_names(void)
{
	CHECK(discover_is_junk("libx.so.1", 0));
	CHECK(discover_is_junk("Makefile.in", 0));
	CHECK(discover_is_junk(".git", 1));
	CHECK(discover_is_junk("autom4te.cache", 1));
	CHECK(!discover_is_junk("test_x", 0));
	CHECK(!discover_is_junk("configure_test", 0));
}

int main(void)
{
	make_tree();
	walks_a_tree();
	named_files();
	bad_paths();
	junk_names();
	return check_done();
}
