/*
 * selftest/api/attrs.c - for selftest/e2e/api.sh: tests whose attributes
 * only assay's scheduler can keep, each test in a process of its own.
 * Every test marks itself running in the directory $ATTRS_DIR (an entry
 * named after it) for a while; a serial test fails when it sees any
 * other entry there, a test needing the resource "db" when it sees
 * another such test's. The test that needs a GPU fails when it is not
 * told one.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <assay/test.h>

/* Marks name running for 0.3 s; how many entries beginning with prefix
 * (all: "") it saw beside its own meanwhile. */
static int beside(const char *name, const char *prefix)
{
	const char *dir = getenv("ATTRS_DIR");
	char path[4096];
	int seen = 0;
	FILE *f;

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	fclose(f);
	for (int i = 0; i < 6; i++) {
		DIR *d = opendir(dir);
		struct dirent *de;
		int n = 0;

		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.' && strcmp(de->d_name, name) &&
			    !strncmp(de->d_name, prefix, strlen(prefix)))
				n++;
		if (d)
			closedir(d);
		if (n > seen)
			seen = n;
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
	unlink(path);
	return seen;
}

ASSAY_TEST(plain, one) { EXPECT_EQ(beside("plain1", "none"), 0); }
ASSAY_TEST(plain, two) { EXPECT_EQ(beside("plain2", "none"), 0); }
ASSAY_TEST(plain, three) { EXPECT_EQ(beside("plain3", "none"), 0); }
ASSAY_TEST_WITH(alone, first, "serial") { EXPECT_EQ(beside("serial1", ""), 0); }
ASSAY_TEST_WITH(alone, second, "serial") { EXPECT_EQ(beside("serial2", ""), 0); }
ASSAY_TEST_WITH(db, reads, "resources=db") { EXPECT_EQ(beside("db-reads", "db"), 0); }
ASSAY_TEST_WITH(db, writes, "resources=db tags=slow") { EXPECT_EQ(beside("db-writes", "db"), 0); }
ASSAY_TEST_WITH(db, migrates, "resources=db,disk") { EXPECT_EQ(beside("db-migrates", "db"), 0); }
ASSAY_TEST_WITH(late, sleeps, "timeout=1\ttags=slow,net") { sleep(30); }  /* a tab between */
/* given a device by assay, it is told which (selftest/e2e/gpu.sh) */
ASSAY_TEST_WITH(gpu, told, "gpus=1 tags=gpu")
{
	const char *v = getenv("CUDA_VISIBLE_DEVICES");

	ASSERT_TRUE(v != NULL);
	EXPECT_EQ(strncmp(v, "GPU-", 4), 0);
}

ASSAY_MAIN()
