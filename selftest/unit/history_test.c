/* selftest/unit/history_test.c - tests harness/history.c: the file
 * format, the arithmetic, corrupt files, merging under the lock, and
 * `assay history` output. */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/history.h"
#include "harness/io.h"
#include "harness/xalloc.h"

/* in history.c, for tests only */
void history_test_set_lock_wait_ms(unsigned ms);

static char *top_dir;                   /* private, removed at the end */
static unsigned ndirs;

/* A new, not yet created, state directory under top_dir. */
static char *new_dir(void)
{
	return xasprintf("%s/state%u", top_dir, ndirs++);
}

static char *file_in(const char *dir)
{
	return xasprintf("%s/history", dir);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	EXPECT_TRUE(f && fwrite(text, 1, len, f) == len && fclose(f) == 0);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = xmalloc(65536);
	size_t n = f ? fread(s, 1, 65535, f) : 0;

	if (f)
		fclose(f);
	s[n] = 0;
	return s;
}

static bool near(double want, double got, double eps)
{
	return fabs(want - got) < eps;
}

static void off(void)
{
	struct history h;
	struct err e = ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	for (int i = 0; i < 2; i++) {
		history_load(&h, i ? "" : NULL);
		EXPECT_TRUE(h.dir == NULL && h.problem == NULL && h.n == 0);
		history_record(&h, "t/a.sh", 1.0, 'P', 100);
		EXPECT_EQ(h.nrecs, 0);
		EXPECT_TRUE(history_find(&h, "t/a.sh") == NULL);
		EXPECT_EQ(history_save(&h, &e), 0);
		history_release(&h);
	}
	EXPECT_EQ(history_show(NULL, 0, out, &e), 0);
	fclose(out);
	EXPECT_EQ(len, 0);
	free(text);
}

static void missing(void)
{
	struct history h;
	struct err e = ERR_INIT;
	char *dir = new_dir(), *sub = xasprintf("%s/a/b", dir), *path;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	history_load(&h, sub);
	EXPECT_TRUE(h.problem == NULL && h.n == 0);
	EXPECT_EQ(history_save(&h, &e), 0);     /* nothing recorded */
	EXPECT_TRUE(access(sub, F_OK) != 0);
	history_record(&h, "t/a.sh", 1.0, 'P', 100);
	EXPECT_EQ(history_save(&h, &e), 0);     /* mkdir -p */
	path = file_in(sub);
	EXPECT_TRUE(access(path, R_OK) == 0);
	history_release(&h);

	EXPECT_EQ(history_show(dir, 0, out, &e), 0);
	fclose(out);
	EXPECT_CONTAINS(text, "assay: no history in ");
	EXPECT_CONTAINS(text, "yet: it is written after each run");
	free(text), free(path), free(sub), free(dir);
}

/* Runs that loaded the same file, which another then replaced: the
 * second to save reads it again (its copy is stale); one that saves
 * twice merges its own earlier save without reading it again. */
static void merge_with_a_file_loaded(void)
{
	struct history a, b, c;
	struct err e = ERR_INIT;
	char *dir = new_dir();

	history_load(&a, dir);
	history_record(&a, "t/old", 1, 'P', 1);
	EXPECT_EQ(history_save(&a, &e), 0);
	history_release(&a);
	history_load(&b, dir);
	history_load(&c, dir);
	EXPECT_TRUE(b.stamp.valid && c.stamp.valid);
	history_record(&b, "t/from-b", 1, 'P', 2);
	history_record(&c, "t/from-c", 1, 'F', 2);
	EXPECT_EQ(history_save(&b, &e), 0);
	EXPECT_EQ(history_save(&c, &e), 0);    /* c's file was replaced */
	history_record(&c, "t/again", 1, 'P', 3);
	EXPECT_EQ(history_save(&c, &e), 0);    /* its own, not read again */
	history_release(&b);
	history_release(&c);
	history_load(&a, dir);
	EXPECT_EQ(a.n, 4);
	EXPECT_TRUE(history_find(&a, "t/old") && history_find(&a, "t/from-b") &&
	      history_find(&a, "t/from-c") && history_find(&a, "t/again"));
	history_release(&a);
	free(dir);
}

static void round_trip(void)
{
	struct history h;
	struct err e = ERR_INIT;
	const struct hist_entry *en;
	char *dir = new_dir(), *path = file_in(dir), *text;

	history_load(&h, dir);
	history_record(&h, "t/b.sh", 1.5, 'P', 1700000000);
	history_record(&h, "t/with space.sh", 0.25, 'F', 1700000001);
	history_record(&h, "t/\xc3\xbcnic\xc3\xb6" "de \xe2\x9c\x93", 2, 'S',
		       1700000002);
	history_record(&h, "t/tab\there", 1, 'P', 1);  /* escaped */
	history_record(&h, "t/nl\nhere", 1, 'P', 1);
	history_record(&h, "", 1, 'P', 1);             /* never written */
	history_record(&h, "t/neg", -3, 'K', -5);      /* clamped to 0 */
	EXPECT_EQ(h.nrecs, 6);
	EXPECT_EQ(history_save(&h, &e), 0);
	EXPECT_EQ(h.nrecs, 0);
	EXPECT_EQ(h.n, 6);                      /* h sees what it saved */
	EXPECT_TRUE(history_find(&h, "t/b.sh") != NULL);
	history_release(&h);

	text = read_file(path);
	EXPECT_STREQ(text, "# assay history 1\n"
		  "1.500000\t1.500000\t1\t0\t0\t1700000000\tP\tt/b.sh\n"
		  "0.000000\t0.000000\t1\t0\t1\t0\tK\tt/neg\n"
		  "1.000000\t1.000000\t1\t0\t0\t1\tP\tt/nl\\nhere\n"
		  "1.000000\t1.000000\t1\t0\t0\t1\tP\tt/tab\\there\n"
		  "0.250000\t0.250000\t1\t1\t0\t1700000001\tF\t"
		  "t/with space.sh\n"
		  "2.000000\t2.000000\t1\t0\t0\t1700000002\tS\t"
		  "t/\xc3\xbcnic\xc3\xb6" "de \xe2\x9c\x93\n");
	free(text);

	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL);
	EXPECT_EQ(h.n, 6);
	for (size_t i = 1; i < h.n; i++)
		EXPECT_TRUE(strcmp(h.v[i - 1].id, h.v[i].id) < 0);
	en = history_find(&h, "t/with space.sh");
	EXPECT_TRUE(en && near(0.25, en->mean_s, 1e-9) &&
	      near(0.25, en->max_s, 1e-9));
	EXPECT_TRUE(en && en->runs == 1 && en->fails == 1 && en->flakes == 0);
	EXPECT_TRUE(en && en->last_s == 1700000001);
	EXPECT_STREQ(en ? en->recent : NULL, "F");
	en = history_find(&h, "t/\xc3\xbcnic\xc3\xb6" "de \xe2\x9c\x93");
	EXPECT_TRUE(en && near(2, en->mean_s, 1e-9));
	EXPECT_STREQ(en ? en->recent : NULL, "S");
	EXPECT_TRUE(history_find(&h, "t/tab\there") != NULL);
	EXPECT_TRUE(history_find(&h, "t/nl\nhere") != NULL);
	EXPECT_TRUE(history_find(&h, "t/none") == NULL);
	history_release(&h);
	free(path), free(dir);
}

/* Enough tests to grow every array; merged in order with new ones. */
static void many(void)
{
	struct history h;
	struct err e = ERR_INIT;
	const struct hist_entry *en;
	char *dir = new_dir(), id[32];
	bool all = true;

	history_load(&h, dir);
	for (int i = 2000; i-- > 0; )           /* recorded out of order */
		if (i % 2 == 0) {
			snprintf(id, sizeof(id), "t/%05d", i);
			history_record(&h, id, i, 'P', i);
		}
	EXPECT_EQ(history_save(&h, &e), 0);
	history_release(&h);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL && h.n == 1000);
	for (int i = 0; i < 2000; i++) {        /* odd ones new, even seen */
		snprintf(id, sizeof(id), "t/%05d", i);
		history_record(&h, id, 1, i % 3 ? 'P' : 'F', 5000);
	}
	EXPECT_EQ(history_save(&h, &e), 0);
	history_release(&h);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL && h.n == 2000);
	for (int i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "t/%05d", i);
		en = history_find(&h, id);
		all &= en && en->runs == 1u + (i % 2 == 0) &&
		       en->fails == (i % 3 == 0) && en->last_s == 5000 &&
		       !strcmp(en->recent, i % 2 ? (i % 3 ? "P" : "F") :
			       (i % 3 ? "PP" : "PF"));
	}
	EXPECT_TRUE(all);
	history_release(&h);
	free(dir);
}

static void arithmetic(void)
{
	struct history h;
	struct err e = ERR_INIT;
	const struct hist_entry *en;
	char *dir = new_dir();

	history_load(&h, dir);
	history_record(&h, "t/x", 10, 'P', 1);
	history_record(&h, "t/y", 7, 'P', 1);
	history_record(&h, "t/x", 20, 'P', 2);
	history_record(&h, "t/x", 10, 'P', 3);
	EXPECT_EQ(history_save(&h, &e), 0);
	en = history_find(&h, "t/x");
	/* mean 10, .3*20+.7*10 = 13, .3*10+.7*13 = 12.1;
	 * max 10, 20 (above), 20-.1*(20-10) = 19 */
	EXPECT_TRUE(en && near(12.1, en->mean_s, 1e-9) && near(19, en->max_s, 1e-9));
	EXPECT_TRUE(en && en->runs == 3 && en->last_s == 3);
	history_release(&h);

	history_load(&h, dir);                  /* through the file */
	history_record(&h, "t/x", 5, 'P', 4);
	EXPECT_EQ(history_save(&h, &e), 0);
	en = history_find(&h, "t/x");
	/* .3*5+.7*12.1 = 9.97; 19-.1*(19-5) = 17.6 */
	EXPECT_TRUE(en && near(9.97, en->mean_s, 1e-9) &&
	      near(17.6, en->max_s, 1e-9));
	EXPECT_TRUE(en && en->runs == 4);
	en = history_find(&h, "t/y");
	EXPECT_TRUE(en && near(7, en->mean_s, 1e-9) && en->runs == 1);
	history_release(&h);
	free(dir);
}

static void counts_and_recent(void)
{
	const char *runs = "PPPPFFFFKKKKSSSSPFKS";
	struct history h;
	struct err e = ERR_INIT;
	const struct hist_entry *en;
	char *dir = new_dir();

	history_load(&h, dir);
	for (int i = 0; runs[i]; i++)
		history_record(&h, "t/r", 1, runs[i], i);
	EXPECT_EQ(history_save(&h, &e), 0);
	history_release(&h);
	history_load(&h, dir);
	en = history_find(&h, "t/r");
	EXPECT_STREQ(en ? en->recent : NULL, "FFFFKKKKSSSSPFKS");
	EXPECT_TRUE(en && en->runs == 20 && en->fails == 5 && en->flakes == 5);
	history_record(&h, "t/r", 1, 'P', 99);
	EXPECT_EQ(history_save(&h, &e), 0);
	en = history_find(&h, "t/r");
	EXPECT_STREQ(en ? en->recent : NULL, "FFFKKKKSSSSPFKSP");
	history_release(&h);
	free(dir);
}

/* Each kind of damage: a file that is not a history is set aside; a
 * line that cannot be read is left out, naming it, and every good line is
 * kept. */
static void corrupt(void)
{
	static const struct {
		const char *text, *where, *what;
		size_t kept;    /* (size_t)-1: the whole file set aside */
	} bad[] = {
		{ "", "first line", "first line", (size_t)-1 },
		{ "# assay history 2\n", "first line", "first line", (size_t)-1 },
		{ "1\t1\t1\t0\t0\t1\tP\tt/a\n", "first line", "first line", (size_t)-1 },
#define H "# assay history 1\n"
#define OK "1.000000\t1.000000\t1\t0\t0\t1\tP\tt/ok\n"
		{ H OK "1.x\t1\t1\t0\t0\t1\tP\tt/a\n", "line 3", "mean", 1 },
		{ H "1\t-1\t1\t0\t0\t1\tP\tt/a\n", "line 2", "max", 0 },
		{ H "nan\t1\t1\t0\t0\t1\tP\tt/a\n", "line 2", "mean", 0 },
		{ H "1\t1\t-1\t0\t0\t1\tP\tt/a\n", "line 2", "count", 0 },
		{ H "1\t1\t1.5\t0\t0\t1\tP\tt/a\n", "line 2", "count", 0 },
		{ H "1\t1\t99999999999\t0\t0\t1\tP\tt/a\n", "line 2", "count", 0 },
		{ H "1\t1\t1\t1\t1\t1\tP\tt/a\n", "line 2", "runs", 0 },
		{ H "1\t1\t1\t0\t0\t-1\tP\tt/a\n", "line 2", "epoch", 0 },
		{ H "1\t1\t1\t0\t0\t1\tPX\tt/a\n", "line 2", "P F S K", 0 },
		{ H "1\t1\t1\t0\t0\t1\t\tt/a\n", "line 2", "\"-\" when none", 0 },
		{ H "1\t1\t99\t0\t0\t1\tPPPPPPPPPPPPPPPPP\tt/a\n", "line 2",
		  "more than 16", 0 },
		{ H "1\t1\t1\t0\t0\t1\tP\n", "line 2", "too few", 0 },
		{ H "1\t1\t1\t0\t0\t1\tP\tt/a\tb\n", "line 2", "too many", 0 },
		{ H "1\t1\t1\t0\t0\t1\tP\t\n", "line 2", "empty test id", 0 },
		{ H OK "\n", "line 3", "too few", 1 },
		{ H OK OK, "line 3", "same test id", 1 },
		{ H OK "1.000000\t1.0", "line 3", "too few", 1 },     /* torn */
#undef OK
#undef H
	};
	static const char nul[] =
		"# assay history 1\n1\t1\t1\t0\t0\t1\tP\tt/\0a\n";
	static const char no_nl[] =
		"# assay history 1\n1\t2\t3\t1\t1\t4\t-\tt/a";
	struct history h;
	struct err e = ERR_INIT;
	char *dir = new_dir(), *path = file_in(dir), *text;
	size_t len;
	FILE *out;

	EXPECT_TRUE(mkdir(dir, 0777) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		write_file(path, bad[i].text, strlen(bad[i].text));
		history_load(&h, dir);
		EXPECT_CONTAINS(h.problem, path);
		EXPECT_CONTAINS(h.problem, bad[i].where);
		EXPECT_CONTAINS(h.problem, bad[i].what);
		EXPECT_CONTAINS(h.problem, bad[i].kept == (size_t)-1 ?
			  "; it will be rebuilt from this run" :
			  "; the file is rewritten without them");
		EXPECT_TRUE(h.problem && !strchr(h.problem, '\n'));
		EXPECT_EQ(h.n, bad[i].kept == (size_t)-1 ? 0 : bad[i].kept);
		history_release(&h);
	}
	write_file(path, nul, sizeof(nul) - 1);
	history_load(&h, dir);
	EXPECT_CONTAINS(h.problem, "line 2: a NUL byte");
	history_release(&h);

	/* a good file without its last newline is still read */
	write_file(path, no_nl, strlen(no_nl));
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL && h.n == 1);
	EXPECT_TRUE(h.n == 1 && !strcmp(h.v[0].id, "t/a") && h.v[0].runs == 3 &&
	      h.v[0].recent[0] == 0 && h.v[0].last_s == 4);
	history_release(&h);

	/* `assay history` shows what is good (and warns); the next save
	 * rewrites it without the bad line */
	write_file(path, "# assay history 1\nbad\n", 22);
	out = open_memstream(&text, &len);
	EXPECT_EQ(history_show(dir, 0, out, &e), 0);
	fclose(out);
	EXPECT_CONTAINS(text, "slowest");
	free(text);
	write_file(path, "junk\n", 5);
	out = open_memstream(&text, &len);
	EXPECT_EQ(history_show(dir, 0, out, &e), ERR_INPUT);
	fclose(out);
	EXPECT_CONTAINS(e.msg, "the first line is not");
	EXPECT_CONTAINS(e.msg, path);
	free(text);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem != NULL);
	history_record(&h, "t/new", 1, 'P', 5);
	EXPECT_EQ(history_save(&h, &e), 0);
	history_release(&h);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL && h.n == 1 && history_find(&h, "t/new"));
	history_release(&h);

	/* damaged between load and save: replaced, and said once */
	history_load(&h, dir);
	write_file(path, "junk\n", 5);
	history_record(&h, "t/new2", 1, 'P', 5);
	EXPECT_EQ(history_save(&h, &e), 0);
	EXPECT_CONTAINS(h.problem, "the first line is not");
	history_release(&h);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL && h.n == 1 && history_find(&h, "t/new2"));
	history_release(&h);

	/* too big to be ours (sparse, so cheap) */
	EXPECT_TRUE(truncate(path, ((off_t)256 << 20) + 1) == 0);
	history_load(&h, dir);
	EXPECT_CONTAINS(h.problem, "larger than 256 MiB");
	EXPECT_EQ(h.n, 0);
	history_release(&h);

	/* not a file at all */
	EXPECT_TRUE(unlink(path) == 0 && mkdir(path, 0777) == 0);
	history_load(&h, dir);
	EXPECT_CONTAINS(h.problem, "not a regular file");
	history_release(&h);
	EXPECT_TRUE(rmdir(path) == 0);

	if (geteuid() != 0) {                   /* root reads anything */
		write_file(path, "# assay history 1\n", 18);
		EXPECT_TRUE(chmod(path, 0) == 0);
		history_load(&h, dir);
		EXPECT_CONTAINS(h.problem, "cannot read history");
		history_release(&h);
	}
	free(path), free(dir);
}

/* Two runs that loaded the same history: both saves land. */
/* Ids holding any byte but NUL (tabs, newlines, backslashes, escapes)
 * are stored on one line and read back exactly. */
static void ids_with_every_byte(void)
{
	struct history h;
	struct err e = ERR_INIT;
	char *dir = new_dir(), ids[8][64];
	const char *fixed[] = { "a\tb", "a\nb", "a\\nb", "a\\", "\\x41",
				"\r\x1b[0m\x7f", "t/caf\xc3\xa9" };

	history_load(&h, dir);
	for (int i = 0; i < 7; i++)
		history_record(&h, fixed[i], 1, 'F', 10);
	for (int b = 1; b < 256; b += 32) {     /* every byte, in 8 ids */
		char *w = ids[b / 32];
		for (int c = b; c < b + 32 && c < 256; c++)
			*w++ = (char)c;
		*w = 0;
		history_record(&h, ids[b / 32], 2, 'P', 10);
	}
	EXPECT_EQ(history_save(&h, &e), 0);
	history_release(&h);
	history_load(&h, dir);
	EXPECT_TRUE(h.problem == NULL);
	EXPECT_EQ(h.n, 15);
	for (int i = 0; i < 7; i++) {
		const struct hist_entry *en = history_find(&h, fixed[i]);
		EXPECT_TRUE(en && en->recent[0] == 'F');
	}
	for (int i = 0; i < 8; i++)
		EXPECT_TRUE(history_find(&h, ids[i]) != NULL);
	EXPECT_TRUE(history_find(&h, "a\\tb") == NULL);       /* not a\tb */
	history_release(&h);
	free(dir);
}

static void merge_under_lock(void)
{
	struct history a, b;
	struct err e = ERR_INIT;
	const struct hist_entry *en;
	char *dir = new_dir();

	history_load(&a, dir);
	history_load(&b, dir);
	history_record(&a, "t/only-a", 1, 'P', 1);
	history_record(&a, "t/both", 2, 'F', 1);
	history_record(&b, "t/only-b", 3, 'P', 2);
	history_record(&b, "t/both", 4, 'P', 2);
	EXPECT_EQ(history_save(&a, &e), 0);
	EXPECT_EQ(history_save(&b, &e), 0);
	history_release(&a);
	history_release(&b);
	history_load(&a, dir);
	EXPECT_EQ(a.n, 3);
	EXPECT_TRUE(history_find(&a, "t/only-a") && history_find(&a, "t/only-b"));
	en = history_find(&a, "t/both");
	EXPECT_TRUE(en && en->runs == 2 && en->fails == 1);
	EXPECT_STREQ(en ? en->recent : NULL, "FP");
	EXPECT_TRUE(en && near(0.3 * 4 + 0.7 * 2, en->mean_s, 1e-9));
	history_release(&a);
	free(dir);
}

static void lock_wait(void)
{
	struct history h;
	struct err e = ERR_INIT;
	char *dir = new_dir(), *lock = xasprintf("%s/history.lock", dir);
	int fd, ready[2];
	uint64_t t0;
	pid_t pid;
	char c;

	EXPECT_TRUE(mkdir(dir, 0777) == 0);
	history_load(&h, dir);
	history_record(&h, "t/a", 1, 'P', 1);

	/* held by another open file description: gives up, says why */
	fd = open(lock, O_RDWR | O_CREAT, 0666);
	EXPECT_TRUE(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
	history_test_set_lock_wait_ms(50);
	t0 = io_now_ns();
	EXPECT_EQ(history_save(&h, &e), ERR_SYS);
	EXPECT_TRUE(io_now_ns() - t0 >= 50000000u);
	EXPECT_CONTAINS(e.msg, lock);
	EXPECT_CONTAINS(e.msg, "another assay run holds");
	EXPECT_EQ(h.nrecs, 1);                  /* kept for another try */
	close(fd);
	history_test_set_lock_wait_ms(HISTORY_LOCK_WAIT_S * 1000);

	/* held for 0.3 s by another process: waits, then saves */
	EXPECT_TRUE(pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		fd = open(lock, O_RDWR);
		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		usleep(300000);
		_exit(0);
	}
	close(ready[1]);
	EXPECT_TRUE(pid > 0 && read(ready[0], &c, 1) == 1);
	close(ready[0]);
	t0 = io_now_ns();
	EXPECT_EQ(history_save(&h, &e), 0);
	EXPECT_TRUE(io_now_ns() - t0 >= 200000000u);
	EXPECT_TRUE(waitpid(pid, NULL, 0) == pid);
	EXPECT_EQ(h.nrecs, 0);
	history_release(&h);

	/* a directory that cannot be made: an error naming it */
	history_load(&h, lock);                 /* a file, not a dir */
	history_record(&h, "t/a", 1, 'P', 1);
	EXPECT_EQ(history_save(&h, &e), ERR_SYS);
	EXPECT_CONTAINS(e.msg, lock);
	history_release(&h);
	free(lock), free(dir);
}

static char *show(const char *dir, unsigned top)
{
	struct err e = ERR_INIT;
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	EXPECT_EQ(history_show(dir, top, out, &e), 0);
	fclose(out);
	return text;
}

static void show_output(void)
{
	static const char file[] =
		"# assay history 1\n"
		"3.000000\t3.500000\t4\t0\t0\t100\tPPPP\tt/slow.sh\n"
		"0.250000\t0.300000\t10\t3\t1\t100\tPFFKFPPPPP\tt/flaky.sh\n"
		"12.301000\t13.002000\t40\t2\t0\t100\tPPFF\tt/big.sh\n"
		"3.000000\t3.000000\t2\t1\t0\t100\tPF\tt/a-tie.sh\n"
		"0.100000\t0.100000\t1\t0\t1\t100\tK\tt/esc\x1b[0m\n";
	static const char one[] =
		"# assay history 1\n1.000000\t1.000000\t1\t0\t0\t1\t-\tt/a\n";
	char *dir = new_dir(), *path = file_in(dir), *text;

	EXPECT_TRUE(mkdir(dir, 0777) == 0);
	write_file(path, file, strlen(file));
	text = show(dir, 0);
	EXPECT_STREQ(text, "slowest (mean, recent max, runs):\n"
		  "  12.301s  13.002s  40  t/big.sh\n"
		  "   3.000s   3.000s   2  t/a-tie.sh\n"
		  "   3.000s   3.500s   4  t/slow.sh\n"
		  "   0.250s   0.300s  10  t/flaky.sh\n"
		  "   0.100s   0.100s   1  t/esc\\e[0m\n"
		  "most often failing (fails/runs, recent):\n"
		  "   1/2  PF          t/a-tie.sh\n"
		  "  3/10  PFFKFPPPPP  t/flaky.sh\n"
		  "  2/40  PPFF        t/big.sh\n"
		  "flaky (passed on a retry; flaky/runs, recent):\n"
		  "   1/1  K           t/esc\\e[0m\n"
		  "  1/10  PFFKFPPPPP  t/flaky.sh\n");
	free(text);

	text = show(dir, 1);
	EXPECT_STREQ(text, "slowest (mean, recent max, runs):\n"
		  "  12.301s  13.002s  40  t/big.sh\n"
		  "most often failing (fails/runs, recent):\n"
		  "  1/2  PF  t/a-tie.sh\n"
		  "flaky (passed on a retry; flaky/runs, recent):\n"
		  "  1/1  K  t/esc\\e[0m\n");
	free(text);

	write_file(path, one, strlen(one));
	text = show(dir, 0);
	EXPECT_STREQ(text, "slowest (mean, recent max, runs):\n"
		  "  1.000s  1.000s  1  t/a\n"
		  "most often failing (fails/runs, recent):\n"
		  "  (none)\n"
		  "flaky (passed on a retry; flaky/runs, recent):\n"
		  "  (none)\n");
	free(text);

	write_file(path, "# assay history 1\n", 18);
	text = show(dir, 0);
	EXPECT_STREQ(text, "slowest (mean, recent max, runs):\n  (none)\n"
		  "most often failing (fails/runs, recent):\n  (none)\n"
		  "flaky (passed on a retry; flaky/runs, recent):\n  (none)\n");
	free(text);
	free(path), free(dir);
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return remove(path);
}

ASSAY_TEST(history, off)
{
	off();
}

ASSAY_TEST(history, missing)
{
	missing();
}

ASSAY_TEST(history, round_trip)
{
	round_trip();
}

ASSAY_TEST(history, many)
{
	many();
}

ASSAY_TEST(history, arithmetic)
{
	arithmetic();
}

ASSAY_TEST(history, counts_and_recent)
{
	counts_and_recent();
}

ASSAY_TEST(history, corrupt)
{
	corrupt();
}

ASSAY_TEST(history, ids_with_every_byte)
{
	ids_with_every_byte();
}

ASSAY_TEST(history, merge_under_lock)
{
	merge_under_lock();
}

ASSAY_TEST(history, merge_with_a_file_loaded)
{
	merge_with_a_file_loaded();
}

ASSAY_TEST(history, lock_wait)
{
	lock_wait();
}

ASSAY_TEST(history, show_output)
{
	show_output();
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/history_test.XXXXXX",
			       tmp && *tmp ? tmp : "/tmp");
	int rc;

	if (!(top_dir = mkdtemp(tmpl))) {
		perror(tmpl);
		return 99;
	}
	rc = assay_main(argc, argv);
	if (nftw(top_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		perror(top_dir);
	free(tmpl);
	return rc;
}
