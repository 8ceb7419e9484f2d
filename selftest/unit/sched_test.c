/* selftest/unit/sched_test.c - tests harness/sched.c and nothing else. */
#include "config.h"

#include "check.h"
#include "harness/sched.h"

/* sched only stores test pointers; any distinct addresses will do */
static char tests[1000];
#define T(i) ((struct test *)&tests[i])

static void fifo_for_equal_priority(void)
{
	struct sched s;
	unsigned slot;
	int in_order = 1;

	sched_init(&s, 1000);
	for (int i = 0; i < 1000; i++)
		sched_push(&s, T(i), 0);
	CHECK_INT(1000, sched_queued(&s));
	for (int i = 0; i < 1000; i++)
		in_order &= sched_next(&s, &slot) == T(i);
	CHECK(in_order);
	CHECK(sched_next(&s, &slot) == NULL);
	sched_release(&s);
}

static void higher_priority_first(void)
{
	struct sched s;

	sched_init(&s, 1);
	sched_push(&s, T(0), 1);
	sched_push(&s, T(1), 5);
	sched_push(&s, T(2), 3);
	sched_push(&s, T(3), 5);
	CHECK(sched_pop(&s) == T(1));
	CHECK(sched_pop(&s) == T(3));   /* ties: queued first, out first */
	CHECK(sched_pop(&s) == T(2));
	CHECK(sched_pop(&s) == T(0));
	CHECK(sched_pop(&s) == NULL);
	sched_release(&s);
}

static void slots_are_counted(void)
{
	struct sched s;
	unsigned a, b, c;

	sched_init(&s, 2);
	for (int i = 0; i < 3; i++)
		sched_push(&s, T(i), 0);
	CHECK(sched_idle(&s));
	CHECK(sched_next(&s, &a) == T(0));
	CHECK(sched_next(&s, &b) == T(1));
	CHECK(a != b && a < 2 && b < 2);
	CHECK(sched_next(&s, &c) == NULL);      /* no slot free */
	CHECK_INT(1, sched_queued(&s));         /* and nothing taken */
	CHECK(!sched_idle(&s));
	sched_release_slot(&s, a);
	CHECK(sched_next(&s, &c) == T(2));
	CHECK_INT(a, c);
	sched_release_slot(&s, b);
	sched_release_slot(&s, c);
	CHECK(sched_idle(&s));
	sched_release(&s);
}

int main(void)
{
	fifo_for_equal_priority();
	higher_priority_first();
	slots_are_counted();
	return check_done();
}
