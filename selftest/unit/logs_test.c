/* selftest/unit/logs_test.c - tests harness/logs.c: names, spilling,
 * keeping and dropping. */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/hash.h"
#include "harness/io.h"
#include "harness/logs.h"
#include "harness/xalloc.h"

static void names(void)
{
	char *a = logs_name("plain-name_1.t"), *b = logs_name("dir/name.t");
	char *c = logs_name("dir_name.t"), *d = logs_name(".hidden");
	char *e = logs_name("t/x::a \"quoted\" <case>"), *long_id = xmalloc(1001);
	char *f;

	EXPECT_STREQ(a, "plain-name_1.t");
	EXPECT_TRUE(!strncmp(b, "dir_name.t.", 11) && strlen(b) == 11 + 16);
	EXPECT_TRUE(strcmp(b, c) != 0);               /* never the same name */
	EXPECT_TRUE(d[0] == '_');
	EXPECT_TRUE(!strpbrk(e, "/:\" <>"));
	memset(long_id, 'x', 1000);
	long_id[1000] = 0;
	f = logs_name(long_id);
	EXPECT_TRUE(strlen(f) == 160 + 1 + 16);
	free(a), free(b), free(c), free(d), free(e), free(f), free(long_id);
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A stream of n bytes through capture and logs, kept or not. */
static char *one_stream(struct logs *l, const char *id, size_t n, bool keep)
{
	struct capture c;
	struct log_stream s;
	struct assay_output v;
	char chunk[4096];
	char *path;

	memset(chunk, 'x', sizeof(chunk));
	capture_init(&c);
	log_stream_init(&s);
	for (size_t done = 0; done < n; done += sizeof(chunk)) {
		size_t k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		logs_spill(l, &s, &c, chunk, k);
		capture_add(&c, chunk, k);
	}
	capture_view(&c, &v);
	logs_finish(l, &s, &v, id, "stdout", keep);
	path = v.path ? xstrdup(v.path) : NULL;
	log_stream_clear(&s);
	capture_release(&c);
	return path;
}

static void keeps_and_drops(void)
{
	char tmpl[] = "/tmp/logs_test.XXXXXX", *dir = mkdtemp(tmpl), *sub, *p, *q;
	struct logs l;

	EXPECT_TRUE(dir != NULL);
	sub = xasprintf("%s/a/b", dir);
	logs_init(&l, sub, false, 0, 0);
	EXPECT_TRUE(one_stream(&l, "pass", 100, false) == NULL);
	EXPECT_TRUE(access(sub, F_OK) != 0);          /* made only when needed */
	p = one_stream(&l, "small", 100, true);
	EXPECT_TRUE(p && size_of(p) == 100);
	q = one_stream(&l, "t/big", 1000000, true);     /* spilled */
	EXPECT_TRUE(q && size_of(q) == 1000000);
	free(one_stream(&l, "t/big", 1000000, false));  /* passes now */
	EXPECT_TRUE(access(q, F_OK) != 0);
	EXPECT_TRUE(one_stream(&l, "empty", 0, true) == NULL);
	free(one_stream(&l, "huge-pass", 500000, false));
	free(p), free(q);
	p = xasprintf("test \"$(ls -A '%s')\" = small.stdout", sub);
	EXPECT_TRUE(system(p) == 0);                  /* no spill file left */
	free(p);
	p = xasprintf("rm -r '%s'", dir);
	EXPECT_TRUE(system(p) == 0);
	free(p);
	EXPECT_TRUE(l.problem == NULL);
	logs_release(&l);

	logs_init(&l, "/proc/self/no/such", true, 0, 0);
	EXPECT_TRUE(one_stream(&l, "x", 10, true) == NULL);
	EXPECT_CONTAINS(l.problem, "cannot keep test logs");
	logs_release(&l);
	free(sub);
}

/* The byte at offset i of a test stream: every offset tells its own. */
static char byte_at(size_t i)
{
	return (char)('a' + (i * 7 + i / 4093) % 26);
}

/* --max-log-size: a long stream keeps its first half and its last, in
 * order, with one line between saying how much was left out. */
static void capped(void)
{
	char tmpl[] = "/tmp/logs_test.XXXXXX", *dir = mkdtemp(tmpl), *text, *cmd;
	const size_t n = 1000003, max = 10000;
	struct capture c;
	struct log_stream s;
	struct assay_output v;
	struct logs l;
	char chunk[3001], want[200];
	size_t len, k;
	FILE *f;

	EXPECT_TRUE(dir != NULL);
	logs_init(&l, dir, false, max, 0);
	capture_init(&c);
	log_stream_init(&s);
	for (size_t done = 0; done < n; done += k) {
		k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		for (size_t i = 0; i < k; i++)
			chunk[i] = byte_at(done + i);
		logs_spill(&l, &s, &c, chunk, k);
		capture_add(&c, chunk, k);
	}
	capture_view(&c, &v);
	logs_finish(&l, &s, &v, "t/loud", "stdout", true);
	EXPECT_TRUE(v.path != NULL);
	f = v.path ? fopen(v.path, "r") : NULL;
	text = xmalloc(2 * max);
	len = f ? fread(text, 1, 2 * max, f) : 0;
	if (f)
		fclose(f);
	k = (size_t)snprintf(want, sizeof(want),
			     "\n[... assay left out %zu bytes here (--max-log-size %zu) ...]\n",
			     n - max, max);
	EXPECT_EQ(len, max + k);
	for (size_t i = 0; i < max / 2 && len == max + k; i++)
		if (text[i] != byte_at(i)) {
			EXPECT_TRUE(!"the head is the stream's first bytes");
			break;
		}
	EXPECT_TRUE(len == max + k && !memcmp(text + max / 2, want, k));
	for (size_t i = 0; i < max / 2 && len == max + k; i++)
		if (text[max / 2 + k + i] != byte_at(n - max / 2 + i)) {
			EXPECT_TRUE(!"the tail is the stream's last bytes, in order");
			break;
		}
	free(text);
	log_stream_clear(&s);
	capture_release(&c);
	cmd = xasprintf("test \"$(ls -A '%s')\" = t_loud.%016" PRIx64 ".stdout || ls -A '%s'",
			dir, hash_str("t/loud"), dir);
	EXPECT_TRUE(system(cmd) == 0);        /* the spill file is gone */
	free(cmd);
	cmd = xasprintf("rm -r '%s'", dir);
	EXPECT_TRUE(system(cmd) == 0);
	free(cmd);
	logs_release(&l);
}

/* --output-dir-max: past the cap, the oldest logs go, never the new
 * one, and nothing but logs. */
static void pruned(void)
{
	char tmpl[] = "/tmp/logs_test.XXXXXX", *dir = mkdtemp(tmpl), *p, *q;
	const char *old[] = { "a.stdout", "b.stderr", "c.stdout" };
	struct logs l;

	EXPECT_TRUE(dir != NULL);
	for (int i = 0; i < 3; i++) {    /* 3 old logs of 40,000 bytes */
		struct timespec t[2] = { { 1000 + i, 0 }, { 1000 + i, 0 } };
		char *cmd = xasprintf("head -c 40000 /dev/zero >'%s/%s'", dir, old[i]);
		EXPECT_TRUE(system(cmd) == 0);
		free(cmd);
		cmd = xasprintf("%s/%s", dir, old[i]);
		EXPECT_TRUE(utimensat(AT_FDCWD, cmd, t, 0) == 0);
		free(cmd);
	}
	p = xasprintf("echo keep >'%s/notes.txt'", dir);
	EXPECT_TRUE(system(p) == 0);
	free(p);
	p = xasprintf("%s/notes.txt", dir);     /* not a log: never touched */
	logs_init(&l, dir, false, 0, 100000);
	q = one_stream(&l, "t/new", 50000, true);
	EXPECT_TRUE(q && size_of(q) == 50000);
	/* 170,000 > 100,000: a and b go (80,000 left <= 90,000) */
	EXPECT_EQ(l.pruned, 2);
	free(q);
	q = xasprintf("%s/a.stdout", dir);
	EXPECT_TRUE(access(q, F_OK) != 0);
	free(q);
	q = xasprintf("%s/c.stdout", dir);
	EXPECT_TRUE(access(q, F_OK) == 0);
	free(q);
	EXPECT_TRUE(access(p, F_OK) == 0);
	free(p);
	logs_release(&l);
	p = xasprintf("rm -r '%s'", dir);
	EXPECT_TRUE(system(p) == 0);
	free(p);
}

/* logs_add: assay's last word at the end of a kept log, or a log of its
 * own when the stream kept none; nothing when logs are off. */
static void added(void)
{
	char tmpl[] = "/tmp/logs_test.XXXXXX", *dir = mkdtemp(tmpl), *buf = NULL;
	struct logs l, off;
	struct log_stream s;
	struct assay_output v = { 0 };
	struct capture c;
	size_t len = 0;

	EXPECT_TRUE(dir != NULL);
	logs_init(&l, dir, false, 0, 0);
	capture_init(&c);
	log_stream_init(&s);
	capture_add(&c, "out\n", 4);
	capture_view(&c, &v);
	logs_finish(&l, &s, &v, "t", "stderr", true);
	logs_add(&l, &s, &v, "t", "stderr", "-- look --\n");
	EXPECT_TRUE(v.path && io_read_file(v.path, 1024, &buf, &len) == 0);
	EXPECT_TRUE(len == 15 && !memcmp(buf, "out\n-- look --\n", 15));
	free(buf);
	buf = NULL;
	log_stream_clear(&s);
	/* an empty stream: the added text is the whole log */
	memset(&v, 0, sizeof(v));
	log_stream_init(&s);
	logs_finish(&l, &s, &v, "u", "stderr", true);
	EXPECT_TRUE(v.path == NULL);
	logs_add(&l, &s, &v, "u", "stderr", "only\n");
	EXPECT_TRUE(v.path && io_read_file(v.path, 1024, &buf, &len) == 0 && len == 5);
	free(buf);
	log_stream_clear(&s);
	/* logs off */
	logs_init(&off, NULL, false, 0, 0);
	memset(&v, 0, sizeof(v));
	log_stream_init(&s);
	logs_add(&off, &s, &v, "w", "stderr", "x");
	EXPECT_TRUE(v.path == NULL);
	logs_release(&off);
	capture_release(&c);
	logs_release(&l);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);
		EXPECT_TRUE(system(cmd) == 0);
		free(cmd);
	}
}

ASSAY_TEST(logs, names)
{
	names();
}

ASSAY_TEST(logs, keeps_and_drops)
{
	keeps_and_drops();
}

ASSAY_TEST(logs, capped)
{
	capped();
}

ASSAY_TEST(logs, pruned)
{
	pruned();
}

ASSAY_TEST(logs, added)
{
	added();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
