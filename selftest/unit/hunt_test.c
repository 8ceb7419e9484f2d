/* selftest/unit/hunt_test.c - tests harness/hunt.c: what a --hunt run's
 * seed means. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "harness/hunt.h"

static void a_seed_decides_the_run(void)
{
	struct hunt h;
	struct hunt_run a, b, c, f;
	struct err e = ERR_INIT;
	cpu_set_t both;
	unsigned varied = 0;

	CHECK_INT(0, hunt_init(&h, 10, 42, 0, false, &e));
	CHECK(h.nallowed >= 1);
	CHECK(!h.rr && !h.rr_problem);          /* no --record: rr untouched */
	hunt_plan(&h, "t/a", 1, &a);
	hunt_plan(&h, "t/a", 1, &b);
	hunt_plan(&h, "t/a", 2, &c);
	CHECK(a.seed && a.seed == b.seed);      /* the same run, the same seed */
	CHECK(!strcmp(a.env, b.env) && !strcmp(a.what, b.what));
	CHECK(a.seed != c.seed);                /* another run, another */
	for (unsigned it = 1; it <= 64; it++) {
		struct hunt_run r;
		hunt_plan(&h, "t/b", it, &r);
		CPU_AND(&both, &r.cpus, &h.allowed);
		CHECK_INT(r.ncpus, CPU_COUNT(&both));   /* only assay's CPUs */
		CHECK(r.ncpus >= 1 && r.ncpus <= h.nallowed);
		CHECK(r.max_us >= 50 && r.max_us <= 1000 && r.one_in >= 2);
		varied |= 1u << (r.ncpus == h.nallowed);
	}
	CHECK_INT(h.nallowed > 1 ? 3 : 2, varied);   /* squeezed, and spread */
	/* the env holds the seed, the pauses and their rate, as huntlib reads */
	{
		char want[64];
		snprintf(want, sizeof(want), "ASSAY_HUNT=%llx:%u:%u",
			 (unsigned long long)a.seed, a.max_us, a.one_in);
		CHECK_STR(want, a.env);
	}
	hunt_release(&h);
	/* --hunt-seed: every run is that one */
	CHECK_INT(0, hunt_init(&h, 3, 42, a.seed, false, &e));
	hunt_plan(&h, "t/other", 3, &f);
	CHECK(f.seed == a.seed && !strcmp(f.env, a.env));
	hunt_release(&h);
}

int main(void)
{
	a_seed_decides_the_run();
	return check_done();
}
