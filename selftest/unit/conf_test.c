/* selftest/unit/conf_test.c - tests harness/conf.c and nothing else. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
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

	CHECK_INT(0, load(&c, "[tests \"t/*\"]\n"
			  "\tkind = tap\n\ttimeout = 0.5\n\tslots = 4\n"
			  "\tserial = true\n\tgroup = db\n\tretries = 3\n"
			  "[group \"db\"]\n\tmax = 2\n", &e));
	CHECK_STR(file, c.path);
	conf_lookup(&c, "./t/a.sh", "t/a.sh", &s);
	CHECK_STR("tap", s.kind);
	CHECK(s.timeout_s == 0.5);
	CHECK_INT(4, s.slots);
	CHECK_INT(1, s.serial);
	CHECK_INT(3, s.retries);
	CHECK_INT(1, s.ngroups);
	CHECK_STR("db", s.groups[0]);
	CHECK_STR("tap", conf_kind(&c, "t/a.sh", "x"));
	CHECK_INT(2, conf_group_max(&c, "db"));
	CHECK_INT(1, conf_group_max(&c, "other"));
	conf_lookup(&c, "u/a.sh", "u/a.sh", &s);
	CHECK(s.kind == NULL);
	CHECK(s.timeout_s < 0);
	CHECK_INT(-1, s.slots);
	CHECK_INT(-1, s.serial);
	CHECK_INT(-1, s.retries);
	CHECK_INT(0, s.ngroups);
	conf_release(&c);
	CHECK(c.path == NULL && c.n == 0);
}

/* A glob matches the id, the path, or an end of the path after a '/';
 * sections never matched are found, once per glob. */
static void globs_and_unused(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;
	const struct conf_rule *r[4];

	CHECK_INT(0, load(&c, "[tests \"hang.sh\"]\n\ttimeout = 1\n"
			  "[tests \"tests/slow*\"]\n\tserial = true\n"
			  "[tests \"hnag.sh\"]\n\ttimeout = 2\n\tretries = 1\n"
			  "[tests \"*.t\"]\n\ttap-plan = optional\n"
			  "[tests \"d/*\"]\n\tleaks = allow\n"
			  "[tests \"d/strict\"]\n\tleaks = FAIL\n", &e));
	conf_lookup(&c, "tests/hang.sh", "tests/hang.sh", &s);
	CHECK(s.timeout_s == 1);
	conf_lookup(&c, "./tests/hang.sh", "hang.sh", &s);
	CHECK(s.timeout_s == 1);
	conf_lookup(&c, "/src/p/tests/slow1", "slow1", &s);
	CHECK_INT(1, s.serial);
	conf_lookup(&c, "ahang.sh", "ahang.sh", &s);    /* not at a '/' */
	CHECK(s.timeout_s < 0);
	CHECK_INT(-1, s.tap_plan);
	CHECK_INT(4, conf_unused(&c, r, 4));    /* hnag.sh once, *.t, d's two */
	CHECK_STR("hnag.sh", r[0]->pattern);
	CHECK_STR("*.t", r[1]->pattern);
	conf_lookup(&c, "t/a.t", "a.t", &s);
	CHECK_INT(3, s.tap_plan);               /* enum tap_plan's optional */
	CHECK_INT(-1, s.leaks);
	CHECK_INT(3, conf_unused(&c, r, 4));    /* hnag.sh and d's two */
	conf_lookup(&c, "d/daemon", "d/daemon", &s);
	CHECK_INT(1, s.leaks);
	conf_lookup(&c, "d/strict", "d/strict", &s);
	CHECK_INT(0, s.leaks);                  /* the last match wins */
	CHECK_INT(1, conf_unused(&c, r, 4));
	conf_release(&c);
}

static void last_match_wins(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	CHECK_INT(0, load(&c, "[tests \"t/*\"]\n\ttimeout = 10\n\tslots = 2\n"
			  "\tgroup = a, b\n"
			  "[tests \"t/slow/*\"]\n\ttimeout = 600\n\tserial = on\n"
			  "[tests \"u/*\"]\n\ttimeout = 1\n", &e));
	conf_lookup(&c, "t/slow/x", "t/slow/x", &s);
	CHECK(s.timeout_s == 600);      /* same key: the later section */
	CHECK_INT(2, s.slots);          /* other keys: the earlier one */
	CHECK_INT(1, s.serial);
	CHECK_INT(2, s.ngroups);
	conf_lookup(&c, "t/fast/x", "t/fast/x", &s);
	CHECK(s.timeout_s == 10);
	CHECK_INT(-1, s.serial);
	conf_release(&c);

	/* order is the file's, not the globs' specificity */
	CHECK_INT(0, load(&c, "[tests \"t/slow/*\"]\n\ttimeout = 600\n"
			  "[tests \"t/*\"]\n\ttimeout = 10\n"
			  "[tests \"t/slow/*\"]\n\tretries = 1\n", &e));
	conf_lookup(&c, "t/slow/x", "t/slow/x", &s);
	CHECK(s.timeout_s == 10);
	CHECK_INT(1, s.retries);
	conf_release(&c);
}

static void path_or_id(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	CHECK_INT(0, load(&c, "[tests \"suite/*\"]\n\tslots = 3\n"
			  "[tests \"*.sh\"]\n\tretries = 2\n", &e));
	conf_lookup(&c, "build/x/a", "suite/a", &s);     /* by id */
	CHECK_INT(3, s.slots);
	CHECK_INT(-1, s.retries);
	conf_lookup(&c, "./././suite/b", "other", &s);  /* by path, ./ off */
	CHECK_INT(3, s.slots);
	conf_lookup(&c, "x/b.sh", "b", &s);             /* '*' crosses '/' */
	CHECK_INT(-1, s.slots);
	CHECK_INT(2, s.retries);
	conf_lookup(&c, "suitex/a", "suitex/a", &s);
	CHECK_INT(-1, s.slots);
	conf_release(&c);
}

static void command_line(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	CHECK_INT(0, load(&c, "[tests \"t/*\"]\n\ttimeout = 10\n\tserial = no\n"
			  "[group \"db\"]\n\tmax = 3\n", &e));
	CHECK_INT(0, conf_set(&c, "tests.t/*.timeout=20", reg, &e));
	CHECK_INT(0, conf_set(&c, "tests.t/*.sh.serial=true", reg, &e));
	CHECK_INT(0, conf_set(&c, "group.db.max=5", reg, &e));
	CHECK_INT(0, conf_set(&c, "group.a.b.max=7", reg, &e));
	CHECK_INT(0, conf_set(&c, "tests.t/x.y.z.group=a.b", reg, &e));
	conf_lookup(&c, "t/a.sh", "t/a.sh", &s);
	CHECK(s.timeout_s == 20);
	CHECK_INT(1, s.serial);
	conf_lookup(&c, "t/a.py", "t/a.py", &s);
	CHECK_INT(0, s.serial);
	conf_lookup(&c, "t/x.y.z", "t/x.y.z", &s);
	CHECK_INT(1, s.ngroups);
	CHECK_STR("a.b", s.groups[0]);
	CHECK_INT(5, conf_group_max(&c, "db"));
	CHECK_INT(7, conf_group_max(&c, "a.b"));
	CHECK_STR("-c", c.v[c.n - 1].where);
	CHECK_STR(file, c.v[0].where);
	conf_release(&c);

	/* no file at all: -c alone; a name alone is a boolean true */
	CHECK_INT(0, chdir(dir));
	unlink(file);
	CHECK_INT(0, conf_load(&c, NULL, reg, &e));
	CHECK(c.path == NULL);
	CHECK_INT(0, conf_set(&c, "tests.*.serial", reg, &e));
	CHECK_INT(0, conf_set(&c, "TESTS.*.Kind=tap", reg, &e));
	conf_lookup(&c, "a", "a", &s);
	CHECK_INT(1, s.serial);
	CHECK_STR("tap", s.kind);
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
		CHECK_INT(0, load(&c, text, &e));
		conf_lookup(&c, "a", "a", &s);
		CHECK_INT(forms[i].want, s.serial);
		conf_release(&c);
	}
	/* a key with no '=' is true, as git reads it */
	CHECK_INT(0, load(&c, "[tests \"*\"]\nserial\n", &e));
	conf_lookup(&c, "a", "a", &s);
	CHECK_INT(1, s.serial);
	conf_release(&c);
}

static void groups(void)
{
	struct conf c;
	struct conf_settings s;
	struct err e = ERR_INIT;

	CHECK_INT(0, load(&c, "[tests \"*\"]\ngroup = \" db ,net,  gpu-0 \"\n", &e));
	conf_lookup(&c, "a", "a", &s);
	CHECK_INT(3, s.ngroups);
	CHECK_STR("db", s.groups[0]);
	CHECK_STR("net", s.groups[1]);
	CHECK_STR("gpu-0", s.groups[2]);
	conf_release(&c);
	CHECK_INT(0, load(&c, "[tests \"*\"]\ngroup = a,b,c,d\n", &e));
	conf_release(&c);

	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup = a,b,c,d,e\n", &e));
	CHECK_HAS(e.msg, "at most 4");
	CHECK_HAS(e.msg, "[tests \"*\"] group = a,b,c,d,e");
	conf_release(&c);
	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup = a,,b\n", &e));
	CHECK_HAS(e.msg, "is not a group name");
	conf_release(&c);
	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup = \"a b\"\n", &e));
	CHECK_HAS(e.msg, "'a b' is not a group name");
	conf_release(&c);
	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup = a,b,\n", &e));
	conf_release(&c);
	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup = a, a\n", &e));
	CHECK_HAS(e.msg, "names group 'a' twice");
	conf_release(&c);
	CHECK_INT(ERR_INPUT, load(&c, "[tests \"*\"]\ngroup\n", &e));
	conf_release(&c);
}

/* text must fail to load with a message holding want (after the file name). */
static void bad(const char *text, const char *want)
{
	struct conf c;
	struct err e = ERR_INIT;
	char prefix[8300];

	CHECK_INT(ERR_INPUT, load(&c, text, &e));
	snprintf(prefix, sizeof(prefix), "%s: ", file);
	CHECK(!strncmp(e.msg, prefix, strlen(prefix)));
	CHECK_HAS(e.msg, want);
	conf_release(&c);
}

static void bad_values(void)
{
	bad("[tests \"t/*\"]\nkind = nope\n",
	    "[tests \"t/*\"] kind = nope: no such kind (known: auto, exec, tap, gtest, assay, installed-tests)");
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
	    "[tests \"t/*\"] timout = 5: unknown key (known: kind, timeout, slots, serial, group, retries, tap-plan, leaks)");
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
	CHECK_INT(ERR_USAGE, conf_set(&c, assignment, reg, &e));
	snprintf(prefix, sizeof(prefix), "-c '%s': ", assignment);
	CHECK(!strncmp(e.msg, prefix, strlen(prefix)));
	CHECK_HAS(e.msg, want);
	CHECK_INT(0, c.n);
	conf_release(&c);
}

static void bad_command_line(void)
{
	bad_set("tests.t/*.kind=nope", "no such kind (known: auto, exec, tap, gtest, assay, installed-tests)");
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
	CHECK_INT(ERR_USAGE, conf_load(&c, p, reg, &e));
	CHECK_HAS(e.msg, "nope.conf");
	conf_release(&c);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/conf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	snprintf(file, sizeof(file), "%s/assay.conf", dir);
	registry_new(&reg);
	every_key();
	globs_and_unused();
	last_match_wins();
	path_or_id();
	command_line();
	booleans();
	groups();
	bad_values();
	bad_command_line();
	missing_file();
	registry_free(reg);
	unlink(file);
	rmdir(dir);
	return check_done();
}
