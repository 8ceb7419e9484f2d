/* selftest/unit/hunt_test.c - tests harness/hunt.c: what a --hunt run's
 * seed means. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/hunt.h"

static void a_seed_decides_the_run(void)
{
	struct hunt h;
	struct hunt_run a, b, c, f;
	struct err e = ERR_INIT;
	cpu_set_t both;
	unsigned varied = 0;

	EXPECT_EQ(hunt_init(&h, 10, 42, 0, false, &e), 0);
	EXPECT_TRUE(h.nallowed >= 1);
	EXPECT_TRUE(!h.rr && !h.rr_problem);          /* no --record: rr untouched */
	hunt_plan(&h, "t/a", 1, &a);
	hunt_plan(&h, "t/a", 1, &b);
	hunt_plan(&h, "t/a", 2, &c);
	EXPECT_TRUE(a.seed && a.seed == b.seed);      /* the same run, the same seed */
	EXPECT_TRUE(!strcmp(a.env, b.env) && !strcmp(a.what, b.what));
	EXPECT_TRUE(a.seed != c.seed);                /* another run, another */
	for (unsigned it = 1; it <= 64; it++) {
		struct hunt_run r;
		hunt_plan(&h, "t/b", it, &r);
		CPU_AND(&both, &r.cpus, &h.allowed);
		EXPECT_EQ(CPU_COUNT(&both), r.ncpus);   /* only assay's CPUs */
		EXPECT_TRUE(r.ncpus >= 1 && r.ncpus <= h.nallowed);
		EXPECT_TRUE(r.max_us >= 50 && r.max_us <= 1000 && r.one_in >= 2);
		varied |= 1u << (r.ncpus == h.nallowed);
	}
	EXPECT_EQ(varied, h.nallowed > 1 ? 3 : 2);   /* squeezed, and spread */
	/* the env holds the seed, the pauses and their rate, as huntlib reads */
	{
		char want[64];
		snprintf(want, sizeof(want), "ASSAY_HUNT=%llx:%u:%u",
			 (unsigned long long)a.seed, a.max_us, a.one_in);
		EXPECT_STREQ(a.env, want);
	}
	hunt_release(&h);
	/* --hunt-seed: every run is that one */
	EXPECT_EQ(hunt_init(&h, 3, 42, a.seed, false, &e), 0);
	hunt_plan(&h, "t/other", 3, &f);
	EXPECT_TRUE(f.seed == a.seed && !strcmp(f.env, a.env));
	hunt_release(&h);
}

/* The log: the first seeds of each test's failing runs, its first
 * recording kept and the others not, the failure's note. */
static void the_log_keeps_what_failed(void)
{
	struct hunt h;
	struct hunt_log l;
	struct hunt_run a, b;
	struct err e = ERR_INIT;
	char seeds[200], *note;

	EXPECT_EQ(hunt_init(&h, 10, 7, 0, false, &e), 0);
	hunt_plan(&h, "t/a", 1, &a);
	hunt_plan(&h, "t/a", 2, &b);
	hunt_log_init(&l, 2);
	note = hunt_log_failure(&l, 1, &a, "st/rr/a-1", "its own note");
	EXPECT_CONTAINS(note, "its own note\nhunt seed ");
	EXPECT_CONTAINS(note, a.what);
	EXPECT_CONTAINS(note, "rr recording of this run: st/rr/a-1");
	free(note);
	note = hunt_log_failure(&l, 1, &b, "st/rr/a-2", NULL);
	EXPECT_TRUE(strstr(note, "rr recording") == NULL);  /* the first stays */
	free(note);
	EXPECT_TRUE(hunt_log_kept(&l, "st/rr/a-1"));
	EXPECT_FALSE(hunt_log_kept(&l, "st/rr/a-2"));
	hunt_log_seeds(&l, 1, 3, seeds, sizeof(seeds));
	{
		char want[80];
		snprintf(want, sizeof(want), "%llx, %llx, ...",
			 (unsigned long long)a.seed, (unsigned long long)b.seed);
		EXPECT_STREQ(seeds, want);
	}
	hunt_log_seeds(&l, 0, 0, seeds, sizeof(seeds));
	EXPECT_STREQ(seeds, "");
	hunt_log_release(&l);
	hunt_release(&h);
}

ASSAY_TEST(hunt, the_log_keeps_what_failed)
{
	the_log_keeps_what_failed();
}

ASSAY_TEST(hunt, a_seed_decides_the_run)
{
	a_seed_decides_the_run();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
