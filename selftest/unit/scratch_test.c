/* selftest/unit/scratch_test.c - tests harness/scratch.c and nothing else. */
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
#include "harness/scratch.h"

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static void make_file(const char *dir, const char *name)
{
	char p[4096];
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, name) >= sizeof(p))
		return;
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
}

ASSAY_TEST(scratch, directories)
{
	struct scratch s = { 0 };
	struct err e = ERR_INIT;
	char *job = NULL, *job2 = NULL, p[4096], *root;

	EXPECT_EQ(scratch_open(&s, true, &e), 0);
	EXPECT_TRUE(exists(s.root));
	EXPECT_EQ(scratch_job_dir(&s, &job, &e), 0);
	EXPECT_EQ(scratch_job_dir(&s, &job2, &e), 0);
	EXPECT_TRUE(job && job2 && strcmp(job, job2));
	/* the layout: tmp/, home/ (with XDG's defaults) and run/, private */
	for (int i = 0; i < 5; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", job, (const char *[]){
			"tmp", "home", "run", "home/.config", "home/.local/state" }[i]);
		EXPECT_TRUE(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	}
	/* what a messy test leaves: nested dirs, a symlink out, a locked dir */
	snprintf(p, sizeof(p), "%s/a", job);
	EXPECT_TRUE(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/a/b", job);
	EXPECT_TRUE(mkdir(p, 0700) == 0);
	make_file(p, "f");
	snprintf(p, sizeof(p), "%s/out", job);
	EXPECT_TRUE(symlink("/etc", p) == 0);
	snprintf(p, sizeof(p), "%s/locked", job);
	EXPECT_TRUE(mkdir(p, 0700) == 0);
	make_file(p, "g");
	EXPECT_TRUE(chmod(p, 0) == 0);
	snprintf(p, sizeof(p), "%s/readonly", job);    /* files, no w bit */
	EXPECT_TRUE(mkdir(p, 0700) == 0);
	make_file(p, "h");
	EXPECT_TRUE(chmod(p, 0500) == 0);
	EXPECT_EQ(scratch_remove(job), 0);
	EXPECT_TRUE(!exists(job));
	EXPECT_TRUE(exists("/etc/hostname") || exists("/etc/passwd"));  /* not followed */
	EXPECT_EQ(scratch_remove(job), 0);      /* gone already: fine */
	/* many directories through the janitor, used and given back */
	for (int i = 0; i < 500; i++) {
		char *d = NULL;
		EXPECT_EQ(scratch_job_dir(&s, &d, &e) + (d ? 0 : 1), 0);
		make_file(d, "x");
		if (i == 499) {
			EXPECT_TRUE(exists(d));
			free(job);
			job = strdup(d);
		}
		scratch_discard(&s, d);
	}
	root = strdup(s.root);
	scratch_close(&s);
	EXPECT_TRUE(!exists(job));    /* removed by the janitor or by close */
	EXPECT_TRUE(!exists(job2));
	EXPECT_TRUE(!exists(root));
	/* without a private home: tmp/ alone */
	free(job2);
	EXPECT_EQ(scratch_open(&s, false, &e), 0);
	EXPECT_EQ(scratch_job_dir(&s, &job2, &e), 0);
	snprintf(p, sizeof(p), "%s/tmp", job2);
	EXPECT_TRUE(exists(p));
	snprintf(p, sizeof(p), "%s/home", job2);
	EXPECT_TRUE(!exists(p));
	scratch_discard(&s, job2);
	job2 = NULL;
	scratch_close(&s);
	free(root);
	free(job);
	free(job2);
}

ASSAY_MAIN()
