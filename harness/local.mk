# harness/local.mk - the core as a library (so unit tests link the same
# objects) and the assay program.
noinst_LIBRARIES += harness/libassaycore.a
harness_libassaycore_a_SOURCES = \
	harness/attempt.c harness/attempt.h \
	harness/bus.c harness/bus.h \
	harness/binary.c harness/binary.h \
	harness/capture.c harness/capture.h \
	harness/conf.c harness/conf.h \
	harness/discover.c harness/discover.h \
	harness/err.c harness/err.h \
	harness/gitinfo.c harness/gitinfo.h \
	harness/gpu.c harness/gpu.h \
	harness/cudadrv.c harness/cudadrv.h \
	harness/gpuhelper.c harness/gpuhelper.h \
	harness/gpuhost.c harness/gpuhost.h \
	harness/health.c harness/health.h \
	harness/hash.h \
	harness/history.c harness/history.h \
	harness/hunt.c harness/hunt.h \
	harness/io.c harness/io.h \
	harness/junitfile.c harness/junitfile.h \
	harness/lister.c harness/lister.h \
	harness/logs.c harness/logs.h \
	harness/look.c harness/look.h \
	harness/loop.c harness/loop.h \
	harness/makespan.c harness/makespan.h \
	harness/merge.c harness/merge.h \
	harness/opts.c harness/opts.h \
	harness/order.c harness/order.h \
	harness/orphans.c harness/orphans.h \
	harness/owner.c harness/owner.h \
	harness/proc.c harness/proc.h \
	harness/procfs.c harness/procfs.h \
	harness/props.c harness/props.h \
	harness/registry.c harness/registry.h \
	harness/results.c harness/results.h \
	harness/runner.c harness/runner.h \
	harness/sanitizer.c harness/sanitizer.h \
	harness/sched.c harness/sched.h \
	harness/scratch.c harness/scratch.h \
	harness/select.c harness/select.h \
	harness/shard.c harness/shard.h \
	harness/sinks.c harness/sinks.h \
	harness/spawn.c harness/spawn.h \
	harness/strindex.c harness/strindex.h \
	harness/table.c harness/table.h \
	harness/tap.c harness/tap.h \
	harness/term.c harness/term.h \
	harness/task.c harness/task.h harness/worker.c harness/worker.h \
	harness/xalloc.c harness/xalloc.h \
	harness/watchdog.c harness/watchdog.h \
	harness/wrapper.c harness/wrapper.h \
	harness/xmltext.c harness/xmltext.h \
	$(builtin_plugin_sources)

bin_PROGRAMS += harness/assay
harness_assay_SOURCES = harness/main.c harness/gpucheck.c harness/gpucheck.h
nodist_harness_assay_SOURCES = harness/gpucheck-ptx.c

# The built-in GPU suite (assay gpu-check): harness/gpucheck.cu's test
# kernels as PTX, carried in assay as lines of text (gpucheck.h); built
# without nvcc, assay carries none and says so.
BUILT_SOURCES = harness/gpucheck-ptx.c
CLEANFILES += harness/gpucheck-ptx.c harness/gpucheck.ptx
EXTRA_DIST += harness/gpucheck.cu
if HAVE_NVCC
harness/gpucheck.ptx: $(srcdir)/harness/gpucheck.cu $(srcdir)/include/assay/gpu.h
	$(AM_V_GEN)$(MKDIR_P) harness && $(NVCC) -ptx -arch=compute_75 \
		-I$(srcdir)/include $(srcdir)/harness/gpucheck.cu -o $@
harness/gpucheck-ptx.c: harness/gpucheck.ptx
	$(AM_V_GEN)awk 'BEGIN { print "/* harness/gpucheck.cu as PTX (nvcc): made by make, do not edit */"; \
		print "#include <stddef.h>"; print "const char *const gpucheck_ptx[] = {" } \
		{ gsub(/[\\"]/, "\\\\&"); printf "\t\"%s\\n\",\n", $$0 } \
		END { print "\tNULL"; print "};" }' harness/gpucheck.ptx >$@.tmp && mv $@.tmp $@
else
harness/gpucheck-ptx.c:
	$(AM_V_GEN)printf '%s\n' '/* assay was built without nvcc: no GPU suite */' \
		'#include <stddef.h>' 'const char *const gpucheck_ptx[] = { NULL };' >$@
endif

# assay-hunt.so: preloaded into --hunt's runs. Built without the
# sanitizers: their runtime must be the first library a program loads.
huntdir = $(pkglibdir)
hunt_PROGRAMS = harness/assay-hunt.so
harness_assay_hunt_so_SOURCES = harness/huntlib.c
harness_assay_hunt_so_CFLAGS = -std=c11 $(WARN_CFLAGS) -fPIC
harness_assay_hunt_so_LDFLAGS = -shared
harness_assay_hunt_so_LDADD =
# linked by the compiler itself: libtool would link a program
harness_assay_hunt_so_LINK = $(CCLD) $(harness_assay_hunt_so_CFLAGS) $(CFLAGS) \
	$(harness_assay_hunt_so_LDFLAGS) $(LDFLAGS) -o $@

# libassay: the library of tests written with include/assay/test.h
# (registration, checks, the standalone run; docs/api.md).
lib_LTLIBRARIES = harness/api/libassay.la
harness_api_libassay_la_SOURCES = harness/api/api.h harness/api/registry.c \
	harness/api/check.c harness/api/frames.c harness/api/run.c \
	harness/api/zygote.c
harness_api_libassay_la_CFLAGS = $(AM_CFLAGS) -pthread
# (-z now: every function it calls is bound as it loads, so no isolate
# test's child binds one anew: harness/api/zygote.c)
harness_api_libassay_la_LDFLAGS = $(AM_LDFLAGS) -pthread -version-info 1:0:1 \
	-export-symbols-regex '^assay_' -Wl,-z,now
harness_api_libassay_la_LIBADD = -lm
