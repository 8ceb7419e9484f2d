# selftest/local.mk - assay's own tests, run by assay itself (dogfood).
#
# `make check` builds the unit tests (selftest/unit/*_test), the sample
# plugin and the helper tools, then runs
#     harness/assay run selftest/
# over the build tree's selftest/ (unit test programs) and the source
# tree's (end-to-end scripts); the same directory reached twice runs once.
# bench/, tools/, fuzz/, gtest/ and hang/ hold programs that are not tests.

check_PROGRAMS += \
	selftest/unit/attempt_test \
	selftest/unit/capture_test \
	selftest/unit/conf_test \
	selftest/unit/discover_test \
	selftest/unit/exec_test \
	selftest/unit/gitinfo_test \
	selftest/unit/history_test \
	selftest/unit/hunt_test \
	selftest/unit/logs_test \
	selftest/unit/loop_test \
	selftest/unit/makespan_test \
	selftest/unit/opts_test \
	selftest/unit/order_test \
	selftest/unit/owner_test \
	selftest/unit/proc_test \
	selftest/unit/registry_test \
	selftest/unit/sanitizer_test \
	selftest/unit/sched_test \
	selftest/unit/scratch_test \
	selftest/unit/select_test \
	selftest/unit/shard_test \
	selftest/unit/spawn_test \
	selftest/unit/strindex_test \
	selftest/unit/table_test \
	selftest/unit/tap_test \
	selftest/unit/tapgen_test \
	selftest/unit/xmltext_test
EXTRA_DIST += selftest/tap/conformance.txt
# the unit tests are written with include/assay/test.h (dogfood)
selftest_unit_attempt_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_attempt_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_capture_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_capture_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_conf_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_conf_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_discover_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_discover_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_exec_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_exec_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_gitinfo_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_gitinfo_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_history_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_history_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_hunt_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_hunt_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_logs_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_logs_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_loop_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_loop_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_makespan_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_makespan_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_opts_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_opts_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_order_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_order_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_owner_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_owner_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_proc_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_proc_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_registry_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_registry_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_sanitizer_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_sanitizer_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_sched_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_sched_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_scratch_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_scratch_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_select_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_select_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_shard_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_shard_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_spawn_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_spawn_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_strindex_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_strindex_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_table_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_table_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_tap_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_tap_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_tapgen_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_tapgen_test_LDFLAGS = $(AM_LDFLAGS) -static
selftest_unit_xmltext_test_LDADD = harness/api/libassay.la $(LDADD)
selftest_unit_xmltext_test_LDFLAGS = $(AM_LDFLAGS) -static

# the TAP conformance table is read from the source tree
selftest_unit_tap_test_CPPFLAGS = $(AM_CPPFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'

# An external plugin, loaded with --plugin by selftest/e2e/plugin.sh.
check_PROGRAMS += selftest/plugin/sample.so
selftest_plugin_sample_so_SOURCES = selftest/plugin/sample.c
selftest_plugin_sample_so_CFLAGS = $(AM_CFLAGS) -fPIC
selftest_plugin_sample_so_LDFLAGS = $(AM_LDFLAGS) -shared
selftest_plugin_sample_so_LDADD =
# linked by the compiler itself: libtool would link a program
selftest_plugin_sample_so_LINK = $(CCLD) $(selftest_plugin_sample_so_CFLAGS) $(CFLAGS) \
	$(selftest_plugin_sample_so_LDFLAGS) $(LDFLAGS) -o $@

# Stand-ins for the CUDA driver (selftest/e2e/gpu.sh): the second lacks
# an entry point assay needs. Linked as the sample plugin is.
check_PROGRAMS += selftest/gpu/fakecuda.so selftest/gpu/fakecuda-old.so
selftest_gpu_fakecuda_so_SOURCES = selftest/gpu/fakecuda.c
selftest_gpu_fakecuda_so_CFLAGS = $(AM_CFLAGS) -fPIC
selftest_gpu_fakecuda_so_LDFLAGS = $(AM_LDFLAGS) -shared
selftest_gpu_fakecuda_so_LDADD =
selftest_gpu_fakecuda_so_LINK = $(CCLD) $(selftest_gpu_fakecuda_so_CFLAGS) $(CFLAGS) \
	$(selftest_gpu_fakecuda_so_LDFLAGS) $(LDFLAGS) -o $@
selftest_gpu_fakecuda_old_so_SOURCES = selftest/gpu/fakecuda.c
selftest_gpu_fakecuda_old_so_CFLAGS = $(AM_CFLAGS) -fPIC -DFAKECUDA_OLD
selftest_gpu_fakecuda_old_so_LDFLAGS = $(AM_LDFLAGS) -shared
selftest_gpu_fakecuda_old_so_LDADD =
selftest_gpu_fakecuda_old_so_LINK = $(CCLD) $(selftest_gpu_fakecuda_old_so_CFLAGS) $(CFLAGS) \
	$(selftest_gpu_fakecuda_old_so_LDFLAGS) $(LDFLAGS) -o $@

# A GPU test as a process (CUDA runtime, linked in), built with nvcc
# when configure found it: SASS for sm_75 and sm_90 and PTX for newer
# devices. gpu.sh runs it (a skip without a device, a pass with one).
EXTRA_DIST += selftest/gpu/vecadd.cu selftest/gpu/kernels.cu
if HAVE_NVCC
check_SCRIPTS = selftest/gpu/vecadd selftest/gpu/kernels.ptx
CLEANFILES += selftest/gpu/vecadd selftest/gpu/kernels.ptx
# test kernels written with assay/gpu.h, as PTX for the cuda kind (the
# driver's JIT compiles it for whatever device runs it)
selftest/gpu/kernels.ptx: $(srcdir)/selftest/gpu/kernels.cu $(srcdir)/include/assay/gpu.h
	$(AM_V_GEN)$(MKDIR_P) selftest/gpu && $(NVCC) -ptx -arch=compute_75 \
		-I$(srcdir)/include -o $@ $(srcdir)/selftest/gpu/kernels.cu
selftest/gpu/vecadd: $(srcdir)/selftest/gpu/vecadd.cu
	$(AM_V_GEN)$(MKDIR_P) selftest/gpu && $(NVCC) -O2 -cudart static \
		-gencode arch=compute_75,code=sm_75 \
		-gencode arch=compute_90,code=[sm_90,compute_90] \
		-o $@ $(srcdir)/selftest/gpu/vecadd.cu
endif

# GoogleTest binaries the gtest kind is tested on (selftest/e2e/gtest.sh),
# built when configure found libgtest-dev; gtest.sh skips without them.
GTEST_FIXTURES = selftest/gtest/basic.cc selftest/gtest/nasty.cc \
	selftest/gtest/many.cc
EXTRA_DIST += $(GTEST_FIXTURES)
if HAVE_GTEST
check_PROGRAMS += selftest/gtest/basic selftest/gtest/nasty selftest/gtest/many
selftest_gtest_basic_SOURCES = selftest/gtest/basic.cc
selftest_gtest_basic_LDADD = -lgtest_main -lgtest
selftest_gtest_basic_LDFLAGS = -pthread
selftest_gtest_nasty_SOURCES = selftest/gtest/nasty.cc
selftest_gtest_nasty_LDADD = -lgtest
selftest_gtest_nasty_LDFLAGS = -pthread
selftest_gtest_many_SOURCES = selftest/gtest/many.cc
selftest_gtest_many_CPPFLAGS = $(AM_CPPFLAGS) -DMANY_CASES=10000
selftest_gtest_many_LDADD = -lgtest_main -lgtest
selftest_gtest_many_LDFLAGS = -pthread
endif

# Helpers the end-to-end tests call.
check_PROGRAMS += selftest/tools/maxrss
selftest_tools_maxrss_LDADD =

# Fixtures of selftest/e2e/hangs.sh and hunt.sh, built without
# sanitizers: a sanitizer's own threads would change what assay sees of
# them, and a race must be found without one.
check_PROGRAMS += selftest/hang/prog1
selftest_hang_prog1_CFLAGS = -std=c11 $(WARN_CFLAGS) -pthread
selftest_hang_prog1_LDFLAGS = -pthread
selftest_hang_prog1_LDADD =
check_PROGRAMS += selftest/hang/prog2
selftest_hang_prog2_CFLAGS = -std=c11 $(WARN_CFLAGS) -pthread
selftest_hang_prog2_LDFLAGS = -pthread
selftest_hang_prog2_LDADD =

SELFTEST_E2E = \
	selftest/e2e/lib.sh \
	selftest/e2e/api.sh \
	selftest/e2e/bad_input.sh \
	selftest/e2e/console.sh \
	selftest/e2e/gpu.sh \
	selftest/e2e/cuda.sh \
	selftest/e2e/gtest.sh \
	selftest/e2e/hangs.sh \
	selftest/e2e/home.sh \
	selftest/e2e/hunt.sh \
	selftest/e2e/installed.sh \
	selftest/e2e/isolate.sh \
	selftest/e2e/interrupt.sh \
	selftest/e2e/junit.sh \
	selftest/e2e/leftovers.sh \
	selftest/e2e/list.sh \
	selftest/e2e/many.sh \
	selftest/e2e/merge.sh \
	selftest/e2e/outcomes.sh \
	selftest/e2e/output.sh \
	selftest/e2e/plugin.sh \
	selftest/e2e/producers.sh \
	selftest/e2e/rerun.sh \
	selftest/e2e/sanitizer.sh \
	selftest/e2e/schedule.sh \
	selftest/e2e/tap.sh \
	selftest/e2e/timeout.sh
EXTRA_DIST += $(SELFTEST_E2E)
# merge.sh makes its big input with the bench generator (in bench/local.mk's EXTRA_DIST)

SELFTEST_ENV = \
	ASSAY="$(abs_top_builddir)/harness/assay" \
	ASSAY_SRCDIR="$(abs_top_srcdir)" \
	ASSAY_BUILDDIR="$(abs_top_builddir)" \
	ASSAY_SANITIZE="$(SAN_CFLAGS)"

# The independent judge: run by automake's own driver, before assay's
# selftest (so that assay's summary stays the last line of make check).
TESTS = selftest/judge.sh
AM_TESTS_ENVIRONMENT = ASSAY="$(abs_top_builddir)/harness/assay"; export ASSAY;
EXTRA_DIST += selftest/judge.sh

check-local: harness/assay $(check_PROGRAMS) check-TESTS
	@for f in $(SELFTEST_E2E); do case $$f in */lib.sh) ;; *) \
		test -x "$(srcdir)/$$f" || { echo "$$f is not executable, so assay would skip it: chmod +x it"; exit 1; };; \
	esac; done
	$(SELFTEST_ENV) harness/assay run --timeout 120 \
		--exclude bench --exclude tools --exclude plugin --exclude fuzz \
		--exclude gtest --exclude hang --exclude api --exclude gpu --exclude judge.sh \
		selftest $(top_srcdir)/selftest

# check-local's history and schedule report (harness/assay's .assay)
clean-local:
	rm -rf .assay

include selftest/bench/local.mk
include selftest/fuzz/local.mk

# Programs written with include/assay/test.h, for selftest/e2e/api.sh
# (most of their tests fail on purpose: selftest's run leaves api/ out).
# Linked with libassay statically: a program, not libtool's wrapper.
SELFTEST_API = selftest/api/sample selftest/api/badattr selftest/api/cxx \
	selftest/api/worker selftest/api/garbage selftest/api/attrs selftest/api/pool \
	selftest/api/checks selftest/api/checks-cxx
check_PROGRAMS += $(SELFTEST_API)

# The test API's checks alone (quick to run in a build made with
# --enable-sanitize=thread: the worker pools' threads under ThreadSanitizer)
check-api: harness/assay $(SELFTEST_API) selftest/plugin/sample.so
	$(SELFTEST_ENV) harness/assay run --timeout 120 --state-dir '' \
		$(top_srcdir)/selftest/e2e/api.sh
.PHONY: check-api
EXTRA_DIST += selftest/api/checks.expected
# (checks: what a release build's linker may drop, it drops)
selftest_api_checks_CFLAGS = $(AM_CFLAGS) -ffunction-sections -fdata-sections
selftest_api_checks_LDADD = harness/api/libassay.la
selftest_api_checks_LDFLAGS = $(AM_LDFLAGS) -static -Wl,--gc-sections
selftest_api_checks_cxx_SOURCES = selftest/api/checks-cxx.cc
selftest_api_checks_cxx_LDADD = harness/api/libassay.la
selftest_api_checks_cxx_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_pool_LDADD = harness/api/libassay.la
selftest_api_pool_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_attrs_LDADD = harness/api/libassay.la
selftest_api_attrs_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_garbage_LDADD = harness/api/libassay.la
selftest_api_garbage_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_worker_LDADD = harness/api/libassay.la
selftest_api_worker_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_sample_LDADD = harness/api/libassay.la
selftest_api_sample_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_badattr_LDADD = harness/api/libassay.la
selftest_api_badattr_LDFLAGS = $(AM_LDFLAGS) -static
selftest_api_cxx_SOURCES = selftest/api/cxx.cc
selftest_api_cxx_LDADD = harness/api/libassay.la
selftest_api_cxx_LDFLAGS = $(AM_LDFLAGS) -static
