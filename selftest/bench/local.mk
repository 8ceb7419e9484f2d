# selftest/bench/local.mk - benchmarks (make bench); not part of make check.
#
# `make bench` builds harness/assay, then run.sh builds floor.c and the test
# programs in a scratch directory and times assay against the floor and the
# peer runners installed here; see docs/benchmarks.md. The scripts are kept
# non-executable (mode 644) and run with $(SHELL), so that assay does not
# take them for tests. Knobs: N, J, RUNS, FORM, WORK, KEEP (see run.sh).

EXTRA_DIST += \
	selftest/bench/gen-tap.sh \
	selftest/bench/gen-taplog.sh \
	selftest/bench/tap-parse.sh \
	selftest/bench/tapparse.c \
	selftest/bench/junitwrite.c \
	selftest/bench/junit.sh \
	selftest/bench/gen-junit.sh \
	selftest/bench/merge.sh \
	selftest/bench/run.sh \
	selftest/bench/floor.c \
	selftest/bench/gen-sched.sh \
	selftest/bench/sched.sh \
	selftest/bench/schedq.c \
	selftest/bench/lib.sh \
	selftest/bench/gtest.sh \
	selftest/bench/deadline.sh \
	selftest/bench/installed.sh \
	selftest/bench/sleeper.c \
	selftest/bench/lookcost.c \
	selftest/bench/forkcost.c \
	selftest/bench/api.sh

bench: harness/assay
	ASSAY="$(abs_top_builddir)/harness/assay" CC="$(CC)" \
		$(SHELL) $(srcdir)/selftest/bench/run.sh

# The TAP reader's speed against prove's (see tap-parse.sh).
EXTRA_PROGRAMS = selftest/bench/tapparse selftest/bench/junitwrite selftest/bench/schedq \
	selftest/bench/sleeper selftest/bench/lookcost
selftest_bench_tapparse_SOURCES = selftest/bench/tapparse.c
CLEANFILES += selftest/bench/tapparse selftest/bench/junitwrite selftest/bench/schedq \
	selftest/bench/sleeper selftest/bench/lookcost
bench-tap: selftest/bench/tapparse
	TAPPARSE="$(abs_top_builddir)/selftest/bench/tapparse" \
		$(SHELL) $(srcdir)/selftest/bench/tap-parse.sh

# The JUnit writer's speed and memory, against meson (see junit.sh).
selftest_bench_junitwrite_SOURCES = selftest/bench/junitwrite.c
bench-junit: selftest/bench/junitwrite harness/assay
	JUNITWRITE="$(abs_top_builddir)/selftest/bench/junitwrite" \
		ASSAY="$(abs_top_builddir)/harness/assay" \
		$(SHELL) $(srcdir)/selftest/bench/junit.sh

# assay merge on 10 reports of 10,000 cases, against python's xml.etree.
bench-merge: harness/assay
	ASSAY="$(abs_top_builddir)/harness/assay" \
		$(SHELL) $(srcdir)/selftest/bench/merge.sh

# The ready queue's cost per job (schedq.c); then makespan against
# max(work / slots, longest job) on a heterogeneous workload, first run
# and with history, against ctest, prove, lit and xargs; and the balance
# of shards (see sched.sh).
selftest_bench_schedq_SOURCES = selftest/bench/schedq.c
bench-sched: selftest/bench/schedq harness/assay
	$(abs_top_builddir)/selftest/bench/schedq
	ASSAY="$(abs_top_builddir)/harness/assay" \
		$(SHELL) $(srcdir)/selftest/bench/sched.sh

# The gtest kind: one binary of 2,000 trivial cases against the binary run
# whole and ctest with gtest_discover_tests; googletest's own tests, every
# verdict and the makespan against ctest (see gtest.sh).
bench-gtest: harness/assay
	ASSAY="$(abs_top_builddir)/harness/assay" CXX="$(CXX)" \
		$(SHELL) $(srcdir)/selftest/bench/gtest.sh

# What a look and the search for leftovers cost the loop (lookcost.c);
# deadline to SIGTERM over 1,000 timed-out tests at -j64, looked at
# first, and over 64 with gdb's backtraces; the CPU that supervising 64
# idle tests costs (see deadline.sh).
selftest_bench_sleeper_SOURCES = selftest/bench/sleeper.c
selftest_bench_sleeper_LDADD =
selftest_bench_lookcost_SOURCES = selftest/bench/lookcost.c
selftest_bench_lookcost_LDFLAGS = -pthread
bench-deadline: selftest/bench/sleeper selftest/bench/lookcost harness/assay
	$(abs_top_builddir)/selftest/bench/lookcost
	ASSAY="$(abs_top_builddir)/harness/assay" \
		SLEEPER="$(abs_top_builddir)/selftest/bench/sleeper" \
		$(SHELL) $(srcdir)/selftest/bench/deadline.sh

.PHONY: bench bench-tap bench-junit bench-merge bench-sched bench-gtest bench-deadline

# installed-tests suites against gnome-desktop-testing-runner (installed.sh)
bench-installed: harness/assay
	ASSAY="$(abs_top_builddir)/harness/assay" $(SHELL) $(srcdir)/selftest/bench/installed.sh
