/* plugins/builtin.c - see builtin.h. */
#include "config.h"

#include <string.h>

#include "builtin.h"

assay_plugin_entry_fn *const builtin_plugins[] = {
	exec_plugin,
	tap_plugin,
	gtest_plugin,
	api_plugin,
	cuda_plugin,
	installed_plugin,
	console_plugin,
	tapout_plugin,
	junit_plugin,
	NULL,
};

void case_output_add(char *out, size_t *len, size_t cap, const char *buf,
		     size_t n)
{
	if (n > cap - *len)
		n = cap - *len;
	memcpy(out + *len, buf, n);
	*len += n;
}
