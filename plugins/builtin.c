/* plugins/builtin.c - see builtin.h. */
#include "config.h"

#include "builtin.h"

assay_plugin_entry_fn *const builtin_plugins[] = {
	exec_plugin,
	tap_plugin,
	gtest_plugin,
	api_plugin,
	installed_plugin,
	console_plugin,
	tapout_plugin,
	junit_plugin,
	NULL,
};
