/* selftest/unit/scratch_test.c - tests harness/scratch.c and nothing else. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	struct scratch s = { 0 };
	struct err e = ERR_INIT;
	char *job = NULL, *job2 = NULL, p[4096], *root;

	CHECK_INT(0, scratch_open(&s, true, &e));
	CHECK(exists(s.root));
	CHECK_INT(0, scratch_job_dir(&s, &job, &e));
	CHECK_INT(0, scratch_job_dir(&s, &job2, &e));
	CHECK(job && job2 && strcmp(job, job2));
	/* the layout: tmp/, home/ (with XDG's defaults) and run/, private */
	for (int i = 0; i < 5; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", job, (const char *[]){
			"tmp", "home", "run", "home/.config", "home/.local/state" }[i]);
		CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	}
	/* what a messy test leaves: nested dirs, a symlink out, a locked dir */
	snprintf(p, sizeof(p), "%s/a", job);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/a/b", job);
	CHECK(mkdir(p, 0700) == 0);
	make_file(p, "f");
	snprintf(p, sizeof(p), "%s/out", job);
	CHECK(symlink("/etc", p) == 0);
	snprintf(p, sizeof(p), "%s/locked", job);
	CHECK(mkdir(p, 0700) == 0);
	make_file(p, "g");
	CHECK(chmod(p, 0) == 0);
	snprintf(p, sizeof(p), "%s/readonly", job);    /* files, no w bit */
	CHECK(mkdir(p, 0700) == 0);
	make_file(p, "h");
	CHECK(chmod(p, 0500) == 0);
	CHECK_INT(0, scratch_remove(job));
	CHECK(!exists(job));
	CHECK(exists("/etc/hostname") || exists("/etc/passwd"));  /* not followed */
	CHECK_INT(0, scratch_remove(job));      /* gone already: fine */
	/* many directories through the janitor, used and given back */
	for (int i = 0; i < 500; i++) {
		char *d = NULL;
		CHECK_INT(0, scratch_job_dir(&s, &d, &e) + (d ? 0 : 1));
		make_file(d, "x");
		if (i == 499) {
			CHECK(exists(d));
			free(job);
			job = strdup(d);
		}
		scratch_discard(&s, d);
	}
	root = strdup(s.root);
	scratch_close(&s);
	CHECK(!exists(job));    /* removed by the janitor or by close */
	CHECK(!exists(job2));
	CHECK(!exists(root));
	/* without a private home: tmp/ alone */
	free(job2);
	CHECK_INT(0, scratch_open(&s, false, &e));
	CHECK_INT(0, scratch_job_dir(&s, &job2, &e));
	snprintf(p, sizeof(p), "%s/tmp", job2);
	CHECK(exists(p));
	snprintf(p, sizeof(p), "%s/home", job2);
	CHECK(!exists(p));
	scratch_discard(&s, job2);
	job2 = NULL;
	scratch_close(&s);
	free(root);
	free(job);
	free(job2);
	return check_done();
}
