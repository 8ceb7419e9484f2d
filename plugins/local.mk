# plugins/local.mk - the plugins compiled into assay (registered through
# the same ABI as external ones; see plugins/builtin.h).
builtin_plugin_sources = \
	plugins/api.c \
	plugins/builtin.c plugins/builtin.h \
	plugins/console.c \
	plugins/cuda.c \
	plugins/exec.c \
	plugins/gtest.c \
	plugins/installed.c \
	plugins/junit.c \
	plugins/tap.c \
	plugins/tapout.c
