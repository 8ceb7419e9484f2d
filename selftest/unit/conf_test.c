/* selftest/unit/conf_test.c - tests harness/conf.c and nothing else. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/conf.h"
#include "harness/registry.h"

static char dir[4096], file[8192];
static struct registry *reg;

/* Writes text to dir/assay.conf and loads it into c. */
static int load(struct conf *c, const char *text, struct err *e)
{
	FILE *f = fopen(file, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		exit(99);
	return conf_load(c, file, reg, e);
}

static void every_key(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	EXPECT_EQ(load(&c, "[tests \"t/*\"]\n"
			  "\tkind = tap\n\ttimeout = 0.5\n\tslots = 4\n"
			  "\tserial = true\n\tgroup = db\n\tretries = 3\n"
			  "[group \"db\"]\n\tmax = 2\n", &e), 0);
	EXPECT_STREQ(c.path, file);
	conf_lookup(&c, "./t/a.sh", "t/a.sh", &s);
	EXPECT_STREQ(s.kind, "tap");
	EXPECT_TRUE(s.timeout_s == 0.5);
	EXPECT_EQ(s.slots, 4);
	EXPECT_EQ(s.serial, 1);
	EXPECT_EQ(s.retries, 3);
	EXPECT_EQ(s.ngroups, 1);
	EXPECT_STREQ(s.groups[0], "db");
	EXPECT_STREQ(conf_kind(&c, "t/a.sh", "x"), "tap");
	EXPECT_EQ(conf_group_max(&c, "db"), 2);
	EXPECT_EQ(conf_group_max(&c, "other"), 1);
	conf_lookup(&c, "u/a.sh", "u/a.sh", &s);
	EXPECT_TRUE(s.kind == NULL);
	EXPECT_TRUE(s.timeout_s < 0);
	EXPECT_EQ(s.slots, -1);
	EXPECT_EQ(s.serial, -1);
	EXPECT_EQ(s.retries, -1);
	EXPECT_EQ(s.ngroups, 0);
	conf_release(&c);
	EXPECT_TRUE(c.path == NULL && c.n == 0);
}

/* A glob matches the id, the path, or an end of the path after a '/';
 * sections never matched are found, once per glob. */
static void globs_and_unused(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;
	const struct conf_rule *r[4];

	EXPECT_EQ(load(&c, "[tests \"hang.sh\"]\n\ttimeout = 1\n"
			  "[tests \"tests/slow*\"]\n\tserial = true\n"
			  "[tests \"hnag.sh\"]\n\ttimeout = 2\n\tretries = 1\n"
			  "[tests \"*.t\"]\n\ttap-plan = optional\n"
			  "[tests \"d/*\"]\n\tleaks = allow\n"
			  "[tests \"d/strict\"]\n\tleaks = FAIL\n", &e), 0);
	conf_lookup(&c, "tests/hang.sh", "tests/hang.sh", &s);
	EXPECT_TRUE(s.timeout_s == 1);
	conf_lookup(&c, "./tests/hang.sh", "hang.sh", &s);
	EXPECT_TRUE(s.timeout_s == 1);
	conf_lookup(&c, "/src/p/tests/slow1", "slow1", &s);
	EXPECT_EQ(s.serial, 1);
	conf_lookup(&c, "ahang.sh", "ahang.sh", &s);    /* not at a '/' */
	EXPECT_TRUE(s.timeout_s < 0);
	EXPECT_EQ(s.tap_plan, -1);
	EXPECT_EQ(conf_unused(&c, r, 4), 4);    /* hnag.sh once, *.t, d's two */
	EXPECT_STREQ(r[0]->pattern, "hnag.sh");
	EXPECT_STREQ(r[1]->pattern, "*.t");
	conf_lookup(&c, "t/a.t", "a.t", &s);
	EXPECT_EQ(s.tap_plan, 3);               /* enum tap_plan's optional */
	EXPECT_EQ(s.leaks, -1);
	EXPECT_EQ(conf_unused(&c, r, 4), 3);    /* hnag.sh and d's two */
	conf_lookup(&c, "d/daemon", "d/daemon", &s);
	EXPECT_EQ(s.leaks, 1);
	conf_lookup(&c, "d/strict", "d/strict", &s);
	EXPECT_EQ(s.leaks, 0);                  /* the last match wins */
	EXPECT_EQ(conf_unused(&c, r, 4), 1);
	conf_release(&c);
}

static void last_match_wins(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	EXPECT_EQ(load(&c, "[tests \"t/*\"]\n\ttimeout = 10\n\tslots = 2\n"
			  "\tgroup = a, b\n"
			  "[tests \"t/slow/*\"]\n\ttimeout = 600\n\tserial = on\n"
			  "[tests \"u/*\"]\n\ttimeout = 1\n", &e), 0);
	conf_lookup(&c, "t/slow/x", "t/slow/x", &s);
	EXPECT_TRUE(s.timeout_s == 600);      /* same key: the later section */
	EXPECT_EQ(s.slots, 2);          /* other keys: the earlier one */
	EXPECT_EQ(s.serial, 1);
	EXPECT_EQ(s.ngroups, 2);
	conf_lookup(&c, "t/fast/x", "t/fast/x", &s);
	EXPECT_TRUE(s.timeout_s == 10);
	EXPECT_EQ(s.serial, -1);
	conf_release(&c);

	/* order is the file's, not the globs' specificity */
	EXPECT_EQ(load(&c, "[tests \"t/slow/*\"]\n\ttimeout = 600\n"
			  "[tests \"t/*\"]\n\ttimeout = 10\n"
			  "[tests \"t/slow/*\"]\n\tretries = 1\n", &e), 0);
	conf_lookup(&c, "t/slow/x", "t/slow/x", &s);
	EXPECT_TRUE(s.timeout_s == 10);
	EXPECT_EQ(s.retries, 1);
	conf_release(&c);
}

static void path_or_id(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	EXPECT_EQ(load(&c, "[tests \"suite/*\"]\n\tslots = 3\n"
			  "[tests \"*.sh\"]\n\tretries = 2\n", &e), 0);
	conf_lookup(&c, "build/x/a", "suite/a", &s);     /* by id */
	EXPECT_EQ(s.slots, 3);
	EXPECT_EQ(s.retries, -1);
	conf_lookup(&c, "./././suite/b", "other", &s);  /* by path, ./ off */
	EXPECT_EQ(s.slots, 3);
	conf_lookup(&c, "x/b.sh", "b", &s);             /* '*' crosses '/' */
	EXPECT_EQ(s.slots, -1);
	EXPECT_EQ(s.retries, 2);
	conf_lookup(&c, "suitex/a", "suitex/a", &s);
	EXPECT_EQ(s.slots, -1);
	conf_release(&c);
}

static void command_line(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	EXPECT_EQ(load(&c, "[tests \"t/*\"]\n\ttimeout = 10\n\tserial = no\n"
			  "[group \"db\"]\n\tmax = 3\n", &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.t/*.timeout=20", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.t/*.sh.serial=true", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "group.db.max=5", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "group.a.b.max=7", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.t/x.y.z.group=a.b", reg, &e), 0);
	conf_lookup(&c, "t/a.sh", "t/a.sh", &s);
	EXPECT_TRUE(s.timeout_s == 20);
	EXPECT_EQ(s.serial, 1);
	conf_lookup(&c, "t/a.py", "t/a.py", &s);
	EXPECT_EQ(s.serial, 0);
	conf_lookup(&c, "t/x.y.z", "t/x.y.z", &s);
	EXPECT_EQ(s.ngroups, 1);
	EXPECT_STREQ(s.groups[0], "a.b");
	EXPECT_EQ(conf_group_max(&c, "db"), 5);
	EXPECT_EQ(conf_group_max(&c, "a.b"), 7);
	EXPECT_STREQ(c.v[c.n - 1].where, "-c");
	EXPECT_STREQ(c.v[0].where, file);
	conf_release(&c);

	/* no file at all: -c alone; a name alone is a boolean true */
	EXPECT_EQ(chdir(dir), 0);
	unlink(file);
	EXPECT_EQ(conf_load(&c, NULL, reg, &e), 0);
	EXPECT_TRUE(c.path == NULL);
	EXPECT_EQ(conf_set(&c, "tests.*.serial", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "TESTS.*.Kind=tap", reg, &e), 0);
	conf_lookup(&c, "a", "a", &s);
	EXPECT_EQ(s.serial, 1);
	EXPECT_STREQ(s.kind, "tap");
	conf_release(&c);
}

static void booleans(void)
{
	static const struct { const char *v; int want; } forms[] = {
		{ "true", 1 }, { "TRUE", 1 }, { "yes", 1 }, { "On", 1 },
		{ "1", 1 }, { "false", 0 }, { "No", 0 }, { "off", 0 },
		{ "0", 0 }, { "", 0 },
	};
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;
	char text[128];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(text, sizeof(text), "[tests \"*\"]\nserial = %s\n",
			 forms[i].v);
		EXPECT_EQ(load(&c, text, &e), 0);
		conf_lookup(&c, "a", "a", &s);
		EXPECT_EQ(s.serial, forms[i].want);
		conf_release(&c);
	}
	/* a key with no '=' is true, as git reads it */
	EXPECT_EQ(load(&c, "[tests \"*\"]\nserial\n", &e), 0);
	conf_lookup(&c, "a", "a", &s);
	EXPECT_EQ(s.serial, 1);
	conf_release(&c);
}

static void groups(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = \" db ,net,  gpu-0 \"\n", &e), 0);
	conf_lookup(&c, "a", "a", &s);
	EXPECT_EQ(s.ngroups, 3);
	EXPECT_STREQ(s.groups[0], "db");
	EXPECT_STREQ(s.groups[1], "net");
	EXPECT_STREQ(s.groups[2], "gpu-0");
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = a,b,c,d\n", &e), 0);
	conf_release(&c);

	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = a,b,c,d,e\n", &e), ERR_INPUT);
	EXPECT_CONTAINS(e.msg, "at most 4");
	EXPECT_CONTAINS(e.msg, "[tests \"*\"] group = a,b,c,d,e");
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = a,,b\n", &e), ERR_INPUT);
	EXPECT_CONTAINS(e.msg, "is not a group name");
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = \"a b\"\n", &e), ERR_INPUT);
	EXPECT_CONTAINS(e.msg, "'a b' is not a group name");
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = a,b,\n", &e), ERR_INPUT);
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup = a, a\n", &e), ERR_INPUT);
	EXPECT_CONTAINS(e.msg, "names group 'a' twice");
	conf_release(&c);
	EXPECT_EQ(load(&c, "[tests \"*\"]\ngroup\n", &e), ERR_INPUT);
	conf_release(&c);
}

/* text must fail to load with a message holding want (after the file name). */
static void bad(const char *text, const char *want)
{
	struct conf c;
	struct err e = ERR_INIT;
	char prefix[8300];

	EXPECT_EQ(load(&c, text, &e), ERR_INPUT);
	snprintf(prefix, sizeof(prefix), "%s: ", file);
	EXPECT_TRUE(!strncmp(e.msg, prefix, strlen(prefix)));
	EXPECT_CONTAINS(e.msg, want);
	conf_release(&c);
}

static void bad_values(void)
{
	bad("[tests \"t/*\"]\nkind = nope\n",
	    "[tests \"t/*\"] kind = nope: no such kind (known: auto, exec, tap, gtest, assay, cuda, installed-tests)");
	bad("[tests \"t/*\"]\ntimeout = -1\n",
	    "[tests \"t/*\"] timeout = -1: not a number of seconds");
	bad("[tests \"t/*\"]\ntimeout = 10s\n", "timeout = 10s: ");
	bad("[tests \"t/*\"]\ntimeout = inf\n", "timeout = inf: ");
	bad("[tests \"t/*\"]\ntimeout = 1e3\n", "timeout = 1e3: ");
	bad("[tests \"t/*\"]\ntimeout = 10000001\n", "0 to 10000000");
	bad("[tests \"t/*\"]\ntimeout = .\n", "timeout = .: ");
	bad("[tests \"t/*\"]\ntimeout = \n", "timeout = : ");
	bad("[tests \"t/*\"]\nslots = 0\n", "slots = 0: not a number of slots (want a whole number from 1 to 4096)");
	bad("[tests \"t/*\"]\nslots = 4097\n", "slots = 4097: ");
	bad("[tests \"t/*\"]\nslots = 99999999999999999999\n", "slots = 9");
	bad("[tests \"t/*\"]\nslots = +2\n", "slots = +2: ");
	bad("[tests \"t/*\"]\nslots\n", "[tests \"t/*\"] slots: not a number");
	bad("[tests \"t/*\"]\nserial = maybe\n",
	    "[tests \"t/*\"] serial = maybe: not a boolean (want true or false");
	bad("[tests \"t/*\"]\nretries = 101\n",
	    "retries = 101: not a number of retries (want a whole number from 0 to 100)");
	bad("[tests \"t/*\"]\nretries = x\n", "retries = x: ");
	bad("[tests \"t/*\"]\ntimout = 5\n",
	    "[tests \"t/*\"] timout = 5: unknown key (known: kind, timeout, slots, serial, group, retries, tap-plan, leaks, gpus, gpu-exclusive)");
	bad("[tests \"t/*\"]\ngpus = 65\n",
	    "[tests \"t/*\"] gpus = 65: not a number of GPUs (want a whole number from 0 to 64)");
	bad("[tests \"t/*\"]\ngpus = one\n", "gpus = one: not a number of GPUs");
	bad("[tests \"t/*\"]\ngpu-exclusive = maybe\n",
	    "[tests \"t/*\"] gpu-exclusive = maybe: not a boolean");
	bad("[tests \"t/*\"]\nleaks = maybe\n",
	    "[tests \"t/*\"] leaks = maybe: not a leak rule (want fail or allow)");
	bad("[group \"db\"]\nmax = 0\n",
	    "[group \"db\"] max = 0: not a group size (want a whole number from 1 to 4096)");
	bad("[group \"db\"]\nmax = 4097\n", "[group \"db\"] max = 4097: ");
	bad("[group \"db\"]\nmin = 1\n", "[group \"db\"] min = 1: unknown key (known: max)");
	bad("[group \"d b\"]\nmax = 1\n", "[group \"d b\"] max = 1: not a group name");
	bad("[core]\nbare = true\n",
	    "[core] bare = true: unknown section (known: [tests \"GLOB\"], [group \"NAME\"])");
	bad("[tests]\nkind = tap\n", "[tests] kind = tap: unknown section");
	bad("[tests \"t/*\"\nkind = tap\n", "");     /* not git-config */
}

/* -c ASSIGNMENT must fail with a message holding want. */
static void bad_set(const char *assignment, const char *want)
{
	struct conf c;
	struct err e = ERR_INIT;
	char prefix[512];

	memset(&c, 0, sizeof(c));
	EXPECT_EQ(conf_set(&c, assignment, reg, &e), ERR_USAGE);
	snprintf(prefix, sizeof(prefix), "-c '%s': ", assignment);
	EXPECT_TRUE(!strncmp(e.msg, prefix, strlen(prefix)));
	EXPECT_CONTAINS(e.msg, want);
	EXPECT_EQ(c.n, 0);
	conf_release(&c);
}

static void bad_command_line(void)
{
	bad_set("tests.t/*.kind=nope", "no such kind (known: auto, exec, tap, gtest, assay, cuda, installed-tests)");
	bad_set("tests.t/*.slots=0", "want a whole number from 1 to 4096");
	bad_set("tests.t/*.sh.serial=perhaps", "not a boolean");
	bad_set("tests.t/*.timeout=1e9", "not a number of seconds");
	bad_set("tests.t/*.group=a,b,c,d,e", "at most 4");
	bad_set("tests.t/*.retries=-1", "from 0 to 100");
	bad_set("tests.t/*.colour=red", "unknown key (known: kind,");
	bad_set("group.db.max=0", "not a group size");
	bad_set("group.db.size=2", "unknown key (known: max)");
	bad_set("core.bare=true", "unknown section");
	bad_set("serial=true", "not a setting (want tests.GLOB.KEY=VALUE");
	bad_set("tests.t/*.slots", "not a number of slots");
}

static void missing_file(void)
{
	struct conf c;
	struct err e = ERR_INIT;
	char p[8300];

	snprintf(p, sizeof(p), "%s/nope.conf", dir);
	EXPECT_EQ(conf_load(&c, p, reg, &e), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "nope.conf");
	conf_release(&c);
}

ASSAY_TEST(conf, every_key)
{
	every_key();
}

ASSAY_TEST(conf, globs_and_unused)
{
	globs_and_unused();
}

ASSAY_TEST(conf, last_match_wins)
{
	last_match_wins();
}

ASSAY_TEST(conf, path_or_id)
{
	path_or_id();
}

ASSAY_TEST(conf, command_line)
{
	command_line();
}

ASSAY_TEST(conf, booleans)
{
	booleans();
}

ASSAY_TEST(conf, groups)
{
	groups();
}

ASSAY_TEST(conf, bad_values)
{
	bad_values();
}

ASSAY_TEST(conf, bad_command_line)
{
	bad_command_line();
}

ASSAY_TEST(conf, missing_file)
{
	missing_file();
}

int main(int argc, char **argv)
{
	int rc;
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/conf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	snprintf(file, sizeof(file), "%s/assay.conf", dir);
	registry_new(&reg);
	rc = assay_main(argc, argv);

	registry_free(reg);
	unlink(file);
	rmdir(dir);
	return rc;
}
