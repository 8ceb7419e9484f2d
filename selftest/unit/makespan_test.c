/* selftest/unit/makespan_test.c - tests harness/makespan.c and nothing else. */
#include "config.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/makespan.h"

#define S 1000000000ULL                 /* one second in ns */

static char dir[4096];

static int near(double want, double got)
{
	double d = want - got;

	return d < 1e-9 && d > -1e-9;
}

static void no_jobs(void)
{
	struct makespan m;
	struct assay_schedule s;

	makespan_init(&m);
	makespan_finish(&m, 4, &s);
	EXPECT_EQ(s.struct_size, sizeof(s));
	EXPECT_EQ(s.wall_ns, 0);
	EXPECT_EQ(s.work_ns, 0);
	EXPECT_EQ(s.slots, 4);
	EXPECT_EQ(s.bound_ns, 0);
	EXPECT_EQ(s.idle_ns, 0);
	EXPECT_TRUE(s.efficiency == 0);
	EXPECT_EQ(s.jobs, 0);
	EXPECT_TRUE(s.longest_id == NULL);
	EXPECT_TRUE(s.critical_id == NULL);
	EXPECT_EQ(s.critical_start_ns, 0);
	makespan_release(&m);
}

/* 2 slots kept busy: the bound is work / slots. */
static void work_bound(void)
{
	struct makespan m;
	struct assay_schedule s;
	char id[8] = "a";

	makespan_init(&m);
	makespan_add(&m, id, 1000, 1300, 1);    /* a: 300, longest first */
	strcpy(id, "zz");                       /* ids are copies */
	makespan_add(&m, "b", 1000, 1200, 1);
	makespan_add(&m, "c", 1200, 1500, 1);   /* c: 300 too, later */
	makespan_add(&m, "d", 1300, 1400, 2);   /* 100 x 2 */
	makespan_finish(&m, 2, &s);
	EXPECT_EQ(s.wall_ns, 500);
	EXPECT_EQ(s.work_ns, 1000);
	EXPECT_EQ(s.bound_ns, 500);             /* 1000 / 2 > 300 */
	EXPECT_EQ(s.idle_ns, 0);
	EXPECT_TRUE(near(1.0, s.efficiency));
	EXPECT_EQ(s.jobs, 4);
	EXPECT_STREQ(s.longest_id, "a");
	EXPECT_EQ(s.longest_ns, 300);
	EXPECT_STREQ(s.critical_id, "c");
	EXPECT_EQ(s.critical_start_ns, 200);
	EXPECT_EQ(s.critical_ns, 300);

	/* ends with c: the later one is critical; more work than slot-time
	 * (weights) clamps idle at 0 and caps efficiency at 1 */
	makespan_add(&m, "e", 1450, 1500, 1);
	makespan_finish(&m, 2, &s);
	EXPECT_EQ(s.work_ns, 1050);
	EXPECT_EQ(s.bound_ns, 525);
	EXPECT_EQ(s.idle_ns, 0);
	EXPECT_TRUE(s.efficiency == 1.0);
	EXPECT_STREQ(s.critical_id, "e");
	EXPECT_EQ(s.critical_start_ns, 450);
	EXPECT_EQ(s.critical_ns, 50);
	EXPECT_STREQ(s.longest_id, "a");
	makespan_release(&m);
	EXPECT_TRUE(m.longest_id == NULL && m.jobs == 0);
}

/* One long job on 4 slots: the bound is the longest job. */
static void fill_longest_bound(struct makespan *m)
{
	makespan_init(m);
	makespan_add(m, "y", 6 * S, 7 * S, 1);
	makespan_add(m, "x", 5 * S, 8 * S, 1);  /* started first, added last */
}

static void longest_bound(void)
{
	struct makespan m;
	struct assay_schedule s;

	fill_longest_bound(&m);
	makespan_finish(&m, 4, &s);
	EXPECT_EQ(s.wall_ns, 3 * S);
	EXPECT_EQ(s.work_ns, 4 * S);
	EXPECT_EQ(s.bound_ns, 3 * S);           /* 3 s > 4 s / 4 */
	EXPECT_EQ(s.idle_ns, 8 * S);            /* 12 slot-seconds - 4 */
	EXPECT_TRUE(near(1.0 / 3, s.efficiency));
	EXPECT_STREQ(s.longest_id, "x");
	EXPECT_STREQ(s.critical_id, "x");
	EXPECT_EQ(s.critical_start_ns, 0);
	EXPECT_EQ(s.critical_ns, 3 * S);
	makespan_release(&m);
}

static json_t *read_back(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!EXPECT_TRUE(j != NULL))
		printf("#   %s: %s\n", path, je.text);
	return j;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void json_full(void)
{
	struct makespan m;
	struct assay_schedule s;
	struct err e = ERR_INIT;
	char path[8300];
	json_t *j, *o;
	FILE *f;
	char head[32] = "";

	snprintf(path, sizeof(path), "%s/schedule.json", dir);
	fill_longest_bound(&m);
	makespan_finish(&m, 4, &s);
	EXPECT_EQ(makespan_write_json(&s, path, 1, 9007199254740993ULL, 2, 4, &e), 0);
	makespan_release(&m);
	if (!(j = read_back(path)))
		return;
	EXPECT_TRUE(near(3.0, num(j, "wall_s")));
	EXPECT_TRUE(near(4.0, num(j, "work_s")));
	EXPECT_EQ(json_integer_value(json_object_get(j, "slots")), 4);
	EXPECT_TRUE(near(3.0, num(j, "bound_s")));
	EXPECT_TRUE(near(1.0, num(j, "ratio")));
	EXPECT_TRUE(near(1.0 / 3, num(j, "efficiency")));
	EXPECT_TRUE(near(8.0, num(j, "idle_slot_s")));
	EXPECT_EQ(json_integer_value(json_object_get(j, "jobs")), 2);
	o = json_object_get(j, "longest");
	EXPECT_STREQ(json_string_value(json_object_get(o, "id")), "x");
	EXPECT_TRUE(near(3.0, num(o, "duration_s")));
	o = json_object_get(j, "critical_path");
	EXPECT_STREQ(json_string_value(json_object_get(o, "id")), "x");
	EXPECT_TRUE(near(0.0, num(o, "start_s")));
	EXPECT_TRUE(near(3.0, num(o, "duration_s")));
	o = json_object_get(j, "order");
	EXPECT_TRUE(json_is_true(json_object_get(o, "shuffled")));
	EXPECT_TRUE(json_integer_value(json_object_get(o, "seed")) == 9007199254740993LL);
	EXPECT_STREQ(json_string_value(json_object_get(o, "seed_str")), "9007199254740993");
	o = json_object_get(j, "shard");
	EXPECT_EQ(json_integer_value(json_object_get(o, "index")), 2);
	EXPECT_EQ(json_integer_value(json_object_get(o, "total")), 4);
	json_decref(j);

	/* fields in the documented order, indented by 2 */
	if ((f = fopen(path, "r"))) {
		(void)!fread(head, 1, sizeof(head) - 1, f);
		fclose(f);
	}
	EXPECT_TRUE(!strncmp(head, "{\n  \"wall_s\": ", 14));
}

static void json_empty(void)
{
	struct makespan m;
	struct assay_schedule s;
	struct err e = ERR_INIT;
	char path[8300];
	json_t *j, *o;

	snprintf(path, sizeof(path), "%s/empty.json", dir);
	makespan_init(&m);
	makespan_finish(&m, 1, &s);
	EXPECT_EQ(makespan_write_json(&s, path, 0, 42, 0, 0, &e), 0);
	if (!(j = read_back(path)))
		return;
	EXPECT_TRUE(json_is_null(json_object_get(j, "longest")));
	EXPECT_TRUE(json_is_null(json_object_get(j, "critical_path")));
	EXPECT_TRUE(json_is_null(json_object_get(j, "shard")));
	EXPECT_TRUE(json_is_real(json_object_get(j, "ratio")));
	EXPECT_TRUE(near(0.0, num(j, "ratio")));
	EXPECT_TRUE(near(0.0, num(j, "efficiency")));
	EXPECT_EQ(json_integer_value(json_object_get(j, "jobs")), 0);
	o = json_object_get(j, "order");
	EXPECT_TRUE(json_is_false(json_object_get(o, "shuffled")));
	EXPECT_TRUE(json_object_get(o, "seed") == NULL);
	EXPECT_TRUE(json_object_get(o, "seed_str") == NULL);
	json_decref(j);

	/* a seed no JSON integer holds: only the string */
	EXPECT_EQ(makespan_write_json(&s, path, 1, UINT64_MAX, 0, 0, &e), 0);
	if (!(j = read_back(path)))
		return;
	o = json_object_get(j, "order");
	EXPECT_TRUE(json_object_get(o, "seed") == NULL);
	EXPECT_STREQ(json_string_value(json_object_get(o, "seed_str")), "18446744073709551615");
	json_decref(j);
	makespan_release(&m);
}

static size_t entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void json_unwritable(void)
{
	struct makespan m;
	struct assay_schedule s;
	struct err e = ERR_INIT;
	char path[8300];
	size_t before = entries();

	makespan_init(&m);
	makespan_finish(&m, 1, &s);
	snprintf(path, sizeof(path), "%s/no/such/dir/s.json", dir);
	EXPECT_EQ(makespan_write_json(&s, path, 0, 0, 0, 0, &e), ERR_SYS);
	EXPECT_CONTAINS(e.msg, path);
	/* a directory in the way: the rename fails, the temporary goes */
	snprintf(path, sizeof(path), "%s/taken", dir);
	mkdir(path, 0755);
	EXPECT_EQ(makespan_write_json(&s, path, 0, 0, 0, 0, &e), ERR_SYS);
	EXPECT_CONTAINS(e.msg, path);
	EXPECT_EQ(entries(), before + 1);
	rmdir(path);
	makespan_release(&m);
}

ASSAY_TEST(makespan, no_jobs)
{
	no_jobs();
}

ASSAY_TEST(makespan, work_bound)
{
	work_bound();
}

ASSAY_TEST(makespan, longest_bound)
{
	longest_bound();
}

ASSAY_TEST(makespan, json_full)
{
	json_full();
}

ASSAY_TEST(makespan, json_empty)
{
	json_empty();
}

ASSAY_TEST(makespan, json_unwritable)
{
	json_unwritable();
}

int main(int argc, char **argv)
{
	int rc;
	const char *tmp = getenv("TMPDIR");
	char p[8300];

	snprintf(dir, sizeof(dir), "%s/makespan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	rc = assay_main(argc, argv);

	snprintf(p, sizeof(p), "%s/schedule.json", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/empty.json", dir);
	unlink(p);
	rmdir(dir);
	return rc;
}
