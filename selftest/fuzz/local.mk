# selftest/fuzz/local.mk - fuzz targets, built and run on demand with
# clang's libFuzzer (not part of `make check`):
#     make fuzz                       10 CPU-minutes on the TAP reader,
#                                     then 10 on assay merge, then 10 on
#                                     the history file
#     make fuzz FUZZ_SECONDS=60 FUZZ_JOBS=1
#     make fuzz-merge                 assay merge only
#     make fuzz-worker                the worker protocol (plugins/api.c)
#     make fuzz-history               the history file only (each run
#                                     fsyncs a save: ~100x faster with
#                                     TMPDIR=/dev/shm in the environment)
# Crashes and leaks land in selftest/fuzz/findings/ (merge-* for merge,
# history-* for the history file).
FUZZ_CC = clang
FUZZ_SECONDS = 300
FUZZ_JOBS = 2
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
EXTRA_DIST += selftest/fuzz/tap_fuzz.c selftest/fuzz/seeds/subtest.tap \
	selftest/fuzz/seeds/escapes.tap selftest/fuzz/seeds/strict.tap
EXTRA_DIST += selftest/fuzz/merge_fuzz.c selftest/fuzz/seeds-merge/assay.xml \
	selftest/fuzz/seeds-merge/bare-suite.xml \
	selftest/fuzz/seeds-merge/doctype.xml \
	selftest/fuzz/seeds-merge/nested.xml \
	selftest/fuzz/seeds-merge/namespaces.xml \
	selftest/fuzz/seeds-merge/odd-counts.xml
EXTRA_DIST += selftest/fuzz/history_fuzz.c \
	selftest/fuzz/seeds-history/several.history \
	selftest/fuzz/seeds-history/unicode-ids.history \
	selftest/fuzz/seeds-history/bad-header.history \
	selftest/fuzz/seeds-history/bad-number.history \
	selftest/fuzz/seeds-history/empty.history \
	selftest/fuzz/seeds-history/header-only.history
EXTRA_DIST += selftest/fuzz/worker_fuzz.c
CLEANFILES += selftest/fuzz/tap_fuzz selftest/fuzz/merge_fuzz \
	selftest/fuzz/history_fuzz selftest/fuzz/worker_fuzz

selftest/fuzz/tap_fuzz: $(srcdir)/selftest/fuzz/tap_fuzz.c $(srcdir)/harness/tap.c \
		$(srcdir)/harness/xalloc.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		$(LIBYAML_CFLAGS) -o $@ $(srcdir)/selftest/fuzz/tap_fuzz.c \
		$(srcdir)/harness/tap.c $(srcdir)/harness/xalloc.c $(LIBYAML_LIBS)

# merge.c and what it calls are built here, instrumented, not taken from
# harness/libassaycore.a (built by $(CC) without coverage or ASan).
FUZZ_MERGE_SRC = $(srcdir)/harness/merge.c $(srcdir)/harness/io.c \
	$(srcdir)/harness/err.c $(srcdir)/harness/xmltext.c $(srcdir)/harness/junitfile.c \
	$(srcdir)/harness/xalloc.c
selftest/fuzz/merge_fuzz: $(srcdir)/selftest/fuzz/merge_fuzz.c \
		$(FUZZ_MERGE_SRC)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		$(LIBXML2_CFLAGS) -o $@ \
		$(srcdir)/selftest/fuzz/merge_fuzz.c $(FUZZ_MERGE_SRC) \
		$(LIBXML2_LIBS)

# history.c and what it calls, built here for the same reason.
FUZZ_HISTORY_SRC = $(srcdir)/harness/history.c $(srcdir)/harness/io.c \
	$(srcdir)/harness/err.c $(srcdir)/harness/xalloc.c
selftest/fuzz/history_fuzz: $(srcdir)/selftest/fuzz/history_fuzz.c \
		$(FUZZ_HISTORY_SRC)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		-o $@ $(srcdir)/selftest/fuzz/history_fuzz.c \
		$(FUZZ_HISTORY_SRC)

# The assay kind's reading of the worker protocol; what it calls besides
# its parser are stand-ins in the target.
FUZZ_WORKER_SRC = $(srcdir)/plugins/api.c $(srcdir)/harness/io.c \
	$(srcdir)/harness/xalloc.c
selftest/fuzz/worker_fuzz: $(srcdir)/selftest/fuzz/worker_fuzz.c $(FUZZ_WORKER_SRC)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		-I$(srcdir)/plugins -o $@ $(srcdir)/selftest/fuzz/worker_fuzz.c \
		$(FUZZ_WORKER_SRC)

# Run from selftest/fuzz/, so that their fuzz-N.log files do not replace
# the TAP run's in the top directory.
FUZZ_MERGE_RUN = mkdir -p selftest/fuzz/corpus-merge selftest/fuzz/findings && \
	cp $(srcdir)/selftest/fuzz/seeds-merge/* selftest/fuzz/corpus-merge/ && \
	cd selftest/fuzz && ./merge_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=512 -max_len=65536 \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-artifact_prefix=findings/merge- corpus-merge
FUZZ_HISTORY_RUN = mkdir -p selftest/fuzz/corpus-history \
		selftest/fuzz/findings && \
	cp $(srcdir)/selftest/fuzz/seeds-history/* \
		selftest/fuzz/corpus-history/ && \
	cd selftest/fuzz && ./history_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=512 -max_len=65536 \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-artifact_prefix=findings/history- corpus-history

# FUZZ_JOBS workers for FUZZ_SECONDS each, per target: 2 x 300 s x 3
# targets = 30 CPU-minutes
fuzz: selftest/fuzz/tap_fuzz selftest/fuzz/merge_fuzz \
		selftest/fuzz/history_fuzz
	mkdir -p selftest/fuzz/corpus selftest/fuzz/findings
	cp $(srcdir)/selftest/fuzz/seeds/* selftest/fuzz/corpus/
	selftest/fuzz/tap_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=512 -max_len=65536 -jobs=$(FUZZ_JOBS) \
		-workers=$(FUZZ_JOBS) -artifact_prefix=selftest/fuzz/findings/ \
		selftest/fuzz/corpus
	$(FUZZ_MERGE_RUN)
	$(FUZZ_HISTORY_RUN)

fuzz-merge: selftest/fuzz/merge_fuzz
	$(FUZZ_MERGE_RUN)

fuzz-history: selftest/fuzz/history_fuzz
	$(FUZZ_HISTORY_RUN)

fuzz-worker: selftest/fuzz/worker_fuzz
	mkdir -p selftest/fuzz/corpus-worker selftest/fuzz/findings
	cd selftest/fuzz && ./worker_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=512 -max_len=65536 \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-artifact_prefix=findings/worker- corpus-worker
.PHONY: fuzz fuzz-merge fuzz-history fuzz-worker
