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
