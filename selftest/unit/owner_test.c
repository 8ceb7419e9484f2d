/* selftest/unit/owner_test.c - tests harness/owner.c and nothing else. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/owner.h"

ASSAY_TEST(owner, names)
{
	char name[128];
	const char *tag = owner_tag();
	pid_t child;
	int st;

	/* this process: its own tag, alive */
	snprintf(name, sizeof(name), "%d.", (int)getpid());
	EXPECT_TRUE(!strncmp(tag, name, strlen(name)));
	snprintf(name, sizeof(name), "assay-%s-AbC123", tag);
	EXPECT_TRUE(!owner_dead(name, "assay-"));
	snprintf(name, sizeof(name), ".assay-spill.%s.tmp.AbC123", tag);
	EXPECT_TRUE(!owner_dead(name, ".assay-spill."));
	/* the same pid, another start time: a process long gone */
	snprintf(name, sizeof(name), "assay-%d.1-AbC123", (int)getpid());
	EXPECT_TRUE(owner_dead(name, "assay-"));
	/* a child that has exited: its tag names no process now */
	child = fork();
	if (child == 0) {
		snprintf(name, sizeof(name), "%s", owner_tag());
		if (write(1, "", 0) < 0)
			_exit(1);
		_exit(0);
	}
	EXPECT_TRUE(child > 0 && waitpid(child, &st, 0) == child);
	snprintf(name, sizeof(name), "assay-%d.12345-AbC123", (int)child);
	EXPECT_TRUE(owner_dead(name, "assay-"));
	/* names without a whole tag are never dead */
	EXPECT_TRUE(!owner_dead("assay-AbC123", "assay-"));
	EXPECT_TRUE(!owner_dead("assay-123-AbC123", "assay-"));
	EXPECT_TRUE(!owner_dead("assay-123.-AbC123", "assay-"));
	EXPECT_TRUE(!owner_dead("assay-0.5-AbC123", "assay-"));
	EXPECT_TRUE(!owner_dead("other-123.5-AbC123", "assay-"));
	EXPECT_TRUE(!owner_dead("assay-99999999999.5-x", "assay-"));
}

ASSAY_MAIN()
