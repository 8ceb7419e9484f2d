/* selftest/unit/makespan_test.c - tests harness/makespan.c and nothing else. */
#include "config.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
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
	CHECK_INT(sizeof(s), s.struct_size);
	CHECK_INT(0, s.wall_ns);
	CHECK_INT(0, s.work_ns);
	CHECK_INT(4, s.slots);
	CHECK_INT(0, s.bound_ns);
	CHECK_INT(0, s.idle_ns);
	CHECK(s.efficiency == 0);
	CHECK_INT(0, s.jobs);
	CHECK(s.longest_id == NULL);
	CHECK(s.critical_id == NULL);
	CHECK_INT(0, s.critical_start_ns);
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
	CHECK_INT(500, s.wall_ns);
	CHECK_INT(1000, s.work_ns);
	CHECK_INT(500, s.bound_ns);             /* 1000 / 2 > 300 */
	CHECK_INT(0, s.idle_ns);
	CHECK(near(1.0, s.efficiency));
	CHECK_INT(4, s.jobs);
	CHECK_STR("a", s.longest_id);
	CHECK_INT(300, s.longest_ns);
	CHECK_STR("c", s.critical_id);
	CHECK_INT(200, s.critical_start_ns);
	CHECK_INT(300, s.critical_ns);

	/* ends with c: the later one is critical; more work than slot-time
	 * (weights) clamps idle at 0 and caps efficiency at 1 */
	makespan_add(&m, "e", 1450, 1500, 1);
	makespan_finish(&m, 2, &s);
	CHECK_INT(1050, s.work_ns);
	CHECK_INT(525, s.bound_ns);
	CHECK_INT(0, s.idle_ns);
	CHECK(s.efficiency == 1.0);
	CHECK_STR("e", s.critical_id);
	CHECK_INT(450, s.critical_start_ns);
	CHECK_INT(50, s.critical_ns);
	CHECK_STR("a", s.longest_id);
	makespan_release(&m);
	CHECK(m.longest_id == NULL && m.jobs == 0);
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
	CHECK_INT(3 * S, s.wall_ns);
	CHECK_INT(4 * S, s.work_ns);
	CHECK_INT(3 * S, s.bound_ns);           /* 3 s > 4 s / 4 */
	CHECK_INT(8 * S, s.idle_ns);            /* 12 slot-seconds - 4 */
	CHECK(near(1.0 / 3, s.efficiency));
	CHECK_STR("x", s.longest_id);
	CHECK_STR("x", s.critical_id);
	CHECK_INT(0, s.critical_start_ns);
	CHECK_INT(3 * S, s.critical_ns);
	makespan_release(&m);
}

static json_t *read_back(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!CHECK(j != NULL))
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
	CHECK_INT(0, makespan_write_json(&s, path, 1, 9007199254740993ULL, 2, 4, &e));
	makespan_release(&m);
	if (!(j = read_back(path)))
		return;
	CHECK(near(3.0, num(j, "wall_s")));
	CHECK(near(4.0, num(j, "work_s")));
	CHECK_INT(4, json_integer_value(json_object_get(j, "slots")));
	CHECK(near(3.0, num(j, "bound_s")));
	CHECK(near(1.0, num(j, "ratio")));
	CHECK(near(1.0 / 3, num(j, "efficiency")));
	CHECK(near(8.0, num(j, "idle_slot_s")));
	CHECK_INT(2, json_integer_value(json_object_get(j, "jobs")));
	o = json_object_get(j, "longest");
	CHECK_STR("x", json_string_value(json_object_get(o, "id")));
	CHECK(near(3.0, num(o, "duration_s")));
	o = json_object_get(j, "critical_path");
	CHECK_STR("x", json_string_value(json_object_get(o, "id")));
	CHECK(near(0.0, num(o, "start_s")));
	CHECK(near(3.0, num(o, "duration_s")));
	o = json_object_get(j, "order");
	CHECK(json_is_true(json_object_get(o, "shuffled")));
	CHECK(json_integer_value(json_object_get(o, "seed")) == 9007199254740993LL);
	CHECK_STR("9007199254740993", json_string_value(json_object_get(o, "seed_str")));
	o = json_object_get(j, "shard");
	CHECK_INT(2, json_integer_value(json_object_get(o, "index")));
	CHECK_INT(4, json_integer_value(json_object_get(o, "total")));
	json_decref(j);

	/* fields in the documented order, indented by 2 */
	if ((f = fopen(path, "r"))) {
		(void)!fread(head, 1, sizeof(head) - 1, f);
		fclose(f);
	}
	CHECK(!strncmp(head, "{\n  \"wall_s\": ", 14));
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
	CHECK_INT(0, makespan_write_json(&s, path, 0, 42, 0, 0, &e));
	if (!(j = read_back(path)))
		return;
	CHECK(json_is_null(json_object_get(j, "longest")));
	CHECK(json_is_null(json_object_get(j, "critical_path")));
	CHECK(json_is_null(json_object_get(j, "shard")));
	CHECK(json_is_real(json_object_get(j, "ratio")));
	CHECK(near(0.0, num(j, "ratio")));
	CHECK(near(0.0, num(j, "efficiency")));
	CHECK_INT(0, json_integer_value(json_object_get(j, "jobs")));
	o = json_object_get(j, "order");
	CHECK(json_is_false(json_object_get(o, "shuffled")));
	CHECK(json_object_get(o, "seed") == NULL);
	CHECK(json_object_get(o, "seed_str") == NULL);
	json_decref(j);

	/* a seed no JSON integer holds: only the string */
	CHECK_INT(0, makespan_write_json(&s, path, 1, UINT64_MAX, 0, 0, &e));
	if (!(j = read_back(path)))
		return;
	o = json_object_get(j, "order");
	CHECK(json_object_get(o, "seed") == NULL);
	CHECK_STR("18446744073709551615", json_string_value(json_object_get(o, "seed_str")));
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
	CHECK_INT(ERR_SYS, makespan_write_json(&s, path, 0, 0, 0, 0, &e));
	CHECK_HAS(e.msg, path);
	/* a directory in the way: the rename fails, the temporary goes */
	snprintf(path, sizeof(path), "%s/taken", dir);
	mkdir(path, 0755);
	CHECK_INT(ERR_SYS, makespan_write_json(&s, path, 0, 0, 0, 0, &e));
	CHECK_HAS(e.msg, path);
	CHECK_INT(before + 1, entries());
	rmdir(path);
	makespan_release(&m);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[8300];

	snprintf(dir, sizeof(dir), "%s/makespan-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	no_jobs();
	work_bound();
	longest_bound();
	json_full();
	json_empty();
	json_unwritable();
	snprintf(p, sizeof(p), "%s/schedule.json", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/empty.json", dir);
	unlink(p);
	rmdir(dir);
	return check_done();
}
