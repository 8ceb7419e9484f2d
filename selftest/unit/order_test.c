/* selftest/unit/order_test.c - tests harness/order.c (and table_filter). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/conf.h"
#include "harness/history.h"
#include "harness/order.h"
#include "harness/registry.h"
#include "harness/table.h"

static struct registry *reg;

static void add(struct test_table *t, const char *suite)
{
	table_add(t, "root", suite, suite, NULL, NULL);
}

/* A history of (id, mean, recent) entries; ids must come sorted. */
static void fake_history(struct history *h, const char *const *ids,
			 const double *mean, const char *const *recent, size_t n)
{
	memset(h, 0, sizeof(*h));
	h->dir = (char *)"unused";      /* on: history_find looks */
	h->v = calloc(n, sizeof(*h->v));
	for (size_t i = 0; i < n; i++) {
		h->v[i].id = (char *)ids[i];
		h->v[i].mean_s = mean[i];
		h->v[i].runs = 1;
		strcpy(h->v[i].recent, recent[i]);
	}
	h->n = n;
}

static double prio(const struct test_table *t, const char *id)
{
	return table_find(t, id)->priority;
}

static void longest_first_from_history(void)
{
	static const char *const ids[] = { "a/fast", "a/slow", "b/mid" };
	static const double mean[] = { 0.1, 3.0, 1.0 };
	static const char *const recent[] = { "P", "PF", "P" };
	struct order_opts o = { .mode = ORDER_LPT, .slots = 4 };
	struct order_pools pools;
	struct test_table t;
	struct history h;

	table_init(&t);
	add(&t, "a/fast");
	add(&t, "a/slow");
	add(&t, "a/new");       /* unknown: a/'s median, (0.1 + 3.0) / 2 */
	add(&t, "b/mid");
	add(&t, "c/new");       /* unknown, no known neighbour: all's median 1.0 */
	fake_history(&h, ids, mean, recent, 3);
	order_plan(&t, NULL, &h, &o, &pools);
	EXPECT_TRUE(prio(&t, "a/slow") > prio(&t, "a/new"));
	EXPECT_TRUE(prio(&t, "a/new") > prio(&t, "b/mid"));
	EXPECT_TRUE(prio(&t, "b/mid") > prio(&t, "a/fast"));
	EXPECT_TRUE(fabs(table_find(&t, "a/new")->cost_s - 1.55) < 1e-9);
	EXPECT_TRUE(!table_find(&t, "a/new")->cost_known);
	EXPECT_TRUE(table_find(&t, "c/new")->cost_s == 1.0);
	EXPECT_TRUE(table_find(&t, "a/slow")->failed_last);
	EXPECT_TRUE(!table_find(&t, "b/mid")->failed_last);
	EXPECT_EQ(table_find(&t, "a/slow")->need.weight, 1);

	o.failed_first = true;
	order_plan(&t, NULL, &h, &o, &pools);
	EXPECT_TRUE(prio(&t, "a/slow") > 1e14);       /* before anything else */
	o.failed_first = false;
	o.mode = ORDER_GIVEN;
	order_plan(&t, NULL, &h, &o, &pools);
	EXPECT_TRUE(prio(&t, "a/slow") == 0 && prio(&t, "a/fast") == 0);
	free(h.v);
	table_release(&t);
}

static void no_history_costs_the_default(void)
{
	struct order_opts o = { .mode = ORDER_LPT, .slots = 2 };
	struct order_pools pools;
	struct test_table t;

	table_init(&t);
	add(&t, "x");
	add(&t, "y/z");
	order_plan(&t, NULL, NULL, &o, &pools);
	EXPECT_TRUE(table_find(&t, "x")->cost_s == ORDER_DEFAULT_COST_S);
	EXPECT_TRUE(prio(&t, "x") == prio(&t, "y/z"));        /* ties: the order found */
	table_release(&t);
}

/* The same seed gives the same order whatever else is in the table. */
static void random_is_seeded(void)
{
	struct order_opts o = { .mode = ORDER_RANDOM, .seed = 42, .slots = 1 };
	struct order_pools pools;
	struct test_table t, u;
	double p1, p2;
	int differ = 0;

	table_init(&t);
	table_init(&u);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "t%02d", i);
		add(&t, id);
		snprintf(id, sizeof(id), "t%02d", 19 - i);
		add(&u, id);
	}
	add(&u, "extra");
	order_plan(&t, NULL, NULL, &o, &pools);
	order_plan(&u, NULL, NULL, &o, &pools);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "t%02d", i);
		p1 = prio(&t, id);
		p2 = prio(&u, id);
		EXPECT_TRUE(p1 == p2 && p1 >= 0 && p1 < 1);
	}
	o.seed = 43;
	p1 = prio(&t, "t00");
	order_plan(&t, NULL, NULL, &o, &pools);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "t%02d", i);
		differ += prio(&u, id) != prio(&t, id);
	}
	EXPECT_TRUE(differ > 10);
	(void)p1;
	table_release(&t);
	table_release(&u);
}

static void conf_sets_the_need(void)
{
	struct order_opts o = { .mode = ORDER_LPT, .slots = 4, .retries = 1,
				.timeout_s = 300 };
	struct order_pools pools;
	struct err e = ERR_INIT;
	struct test_table t;
	struct conf c;
	const struct test *x;

	memset(&c, 0, sizeof(c));
	EXPECT_EQ(conf_set(&c, "tests.s/*.serial=true", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.w.slots=9", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.g*.group=db, net", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "group.db.max=2", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.g2.retries=0", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.w.timeout=7", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.g1.gpus=2", reg, &e), 0);
	EXPECT_EQ(conf_set(&c, "tests.g2.gpu-exclusive=true", reg, &e), 0);
	table_init(&t);
	add(&t, "s/one");
	add(&t, "w");
	add(&t, "g1");
	add(&t, "g2");
	add(&t, "plain");
	order_plan(&t, &c, NULL, &o, &pools);
	EXPECT_EQ(table_find(&t, "s/one")->need.weight, 4);     /* serial: all */
	x = table_find(&t, "w");
	EXPECT_EQ(x->need.weight, 4);                           /* 9 clamped */
	EXPECT_TRUE(x->pub.timeout_s == 7);
	EXPECT_TRUE(table_find(&t, "plain")->pub.timeout_s == 300);  /* --timeout */
	EXPECT_TRUE(prio(&t, "w") == 4 * ORDER_DEFAULT_COST_S);       /* slot-seconds */
	x = table_find(&t, "g1");
	EXPECT_EQ(x->need.npools, 2);
	EXPECT_EQ(pools.n, 2);
	EXPECT_STREQ(pools.names[x->need.pool[0]], "db");
	EXPECT_EQ(pools.cap[x->need.pool[0]], 2);
	EXPECT_STREQ(pools.names[x->need.pool[1]], "net");
	EXPECT_EQ(pools.cap[x->need.pool[1]], 1);               /* undeclared */
	EXPECT_EQ(x->retries, 1);                               /* --retries */
	EXPECT_EQ(table_find(&t, "g2")->retries, 0);            /* conf wins */
	EXPECT_EQ(x->need.gpus, 2);
	EXPECT_FALSE(x->need.gpu_whole);
	x = table_find(&t, "g2");
	EXPECT_EQ(x->need.gpus, 1);                     /* exclusive: one */
	EXPECT_TRUE(x->need.gpu_whole);
	EXPECT_EQ(table_find(&t, "plain")->need.npools, 0);
	EXPECT_EQ(table_find(&t, "plain")->need.weight, 1);
	EXPECT_EQ(table_find(&t, "plain")->need.gpus, 0);
	order_pools_release(&pools);
	conf_release(&c);
	table_release(&t);
}

static void filter_keeps_order_and_ids(void)
{
	struct test_table t;
	bool keep[100];

	table_init(&t);
	for (int i = 0; i < 100; i++) {
		char id[16];
		snprintf(id, sizeof(id), "t%03d", i);
		add(&t, id);
		keep[i] = i % 3 == 0;
	}
	table_filter(&t, keep);
	EXPECT_EQ(t.n, 34);
	EXPECT_STREQ(t.v[1]->pub.id, "t003");
	EXPECT_EQ(t.v[1]->index, 1);
	EXPECT_TRUE(table_find(&t, "t099") == t.v[33]);
	EXPECT_TRUE(table_find(&t, "t001") == NULL);
	table_release(&t);
}

ASSAY_TEST(order, longest_first_from_history)
{
	longest_first_from_history();
}

ASSAY_TEST(order, no_history_costs_the_default)
{
	no_history_costs_the_default();
}

ASSAY_TEST(order, random_is_seeded)
{
	random_is_seeded();
}

ASSAY_TEST(order, conf_sets_the_need)
{
	conf_sets_the_need();
}

ASSAY_TEST(order, filter_keeps_order_and_ids)
{
	filter_keeps_order_and_ids();
}

int main(int argc, char **argv)
{
	int rc;
	registry_new(&reg);
	rc = assay_main(argc, argv);

	registry_free(reg);
	return rc;
}
