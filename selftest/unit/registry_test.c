/* selftest/unit/registry_test.c - tests harness/registry.c and nothing else. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/registry.h"

static int claim_ten(const char *p, unsigned mode, int named) { return 10; }
static void end(void *s, const struct assay_exit *x, struct assay_job_ctx *c) { }

static const struct assay_kind greedy = {
	.abi_version = ASSAY_PLUGIN_ABI, .struct_size = sizeof(struct assay_kind),
	.name = "greedy", .summary = "", .claim = claim_ten, .job_end = end,
};
static const struct assay_kind *const greedy_kinds[] = { &greedy, NULL };
static const struct assay_plugin greedy_plugin = {
	ASSAY_PLUGIN_ABI, sizeof(struct assay_plugin), "greedy", greedy_kinds, NULL,
};
static const struct assay_plugin future_plugin = {
	ASSAY_PLUGIN_ABI + 1, sizeof(struct assay_plugin), "future", NULL, NULL,
};

static void builtins(void)
{
	struct registry *r;
	char *names;

	registry_new(&r);
	EXPECT_TRUE(registry_kind(r, "exec") != NULL);
	EXPECT_TRUE(registry_reporter(r, "console") != NULL);
	EXPECT_TRUE(registry_kind(r, "console") == NULL);
	EXPECT_TRUE(registry_claim(r, "x", S_IFREG | 0755, 0) == registry_kind(r, "auto"));
	EXPECT_TRUE(registry_claim(r, "x", S_IFREG | 0644, 0) == NULL);
	names = registry_kind_names(r);
	EXPECT_STREQ(names, "auto, exec, tap, gtest, assay, cuda, installed-tests");
	free(names);
	registry_free(r);
}

static void added_plugins(void)
{
	struct registry *r;
	struct err e = ERR_INIT;

	registry_new(&r);
	EXPECT_EQ(registry_add(r, &greedy_plugin, "test", &e), 0);
	/* a tie goes to the later registration */
	EXPECT_TRUE(registry_claim(r, "x", S_IFREG | 0755, 0) == &greedy);
	EXPECT_EQ(registry_add(r, &greedy_plugin, "again", &e), ERR_PLUGIN);
	EXPECT_CONTAINS(e.msg, "kind 'greedy' is already registered");
	EXPECT_EQ(registry_add(r, &future_plugin, "future.so", &e), ERR_PLUGIN);
	EXPECT_CONTAINS(e.msg, "another assay plugin ABI");
	registry_free(r);
}

static void loaded_plugins(void)
{
	const char *b = getenv("ASSAY_BUILDDIR");
	struct registry *r;
	struct err e = ERR_INIT;
	char path[4096];

	registry_new(&r);
	EXPECT_EQ(registry_load(r, "/no/such/plugin.so", &e), ERR_USAGE);
	EXPECT_CONTAINS(e.msg, "cannot load plugin '/no/such/plugin.so'");
	EXPECT_EQ(registry_load(r, "/lib/x86_64-linux-gnu/libm.so.6", &e) < 0 ? ERR_USAGE : 0, ERR_USAGE);
	if (b) {
		snprintf(path, sizeof(path), "%s/selftest/plugin/sample.so", b);
		EXPECT_EQ(registry_load(r, path, &e), 0);
		EXPECT_TRUE(registry_kind(r, "xfail") != NULL);
		EXPECT_TRUE(registry_reporter(r, "tally") != NULL);
		EXPECT_TRUE(registry_load(r, path, &e) < 0);  /* names taken */
	} else {
		printf("# ASSAY_BUILDDIR unset: sample plugin not loaded\n");
	}
	registry_free(r);
}

ASSAY_TEST(registry, builtins)
{
	builtins();
}

ASSAY_TEST(registry, added_plugins)
{
	added_plugins();
}

ASSAY_TEST(registry, loaded_plugins)
{
	loaded_plugins();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
