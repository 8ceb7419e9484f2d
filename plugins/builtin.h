/*
 * plugins/builtin.h - the plugins compiled into assay.
 *
 * Each built-in plugin is an ordinary struct assay_plugin, registered
 * through the same ABI an external one uses. Never add a kind or a
 * reporter anywhere but here and in its own file.
 */
#ifndef ASSAY_PLUGINS_BUILTIN_H
#define ASSAY_PLUGINS_BUILTIN_H

#include "assay/plugin.h"

const struct assay_plugin *exec_plugin(void);
const struct assay_plugin *console_plugin(void);

/* NULL-terminated, in registration order. */
extern assay_plugin_entry_fn *const builtin_plugins[];

#endif
