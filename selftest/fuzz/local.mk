# selftest/fuzz/local.mk - fuzz targets, built and run on demand with
# clang's libFuzzer (not part of `make check`):
#     make fuzz                       10 CPU-minutes on the TAP reader,
#                                     then 10 on assay merge
#     make fuzz FUZZ_SECONDS=60 FUZZ_JOBS=1
#     make fuzz-merge                 assay merge only
# Crashes and leaks land in selftest/fuzz/findings/ (merge-* for merge).
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
CLEANFILES += selftest/fuzz/tap_fuzz selftest/fuzz/merge_fuzz

selftest/fuzz/tap_fuzz: $(srcdir)/selftest/fuzz/tap_fuzz.c $(srcdir)/harness/tap.c \
		$(srcdir)/harness/xalloc.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		$(LIBYAML_CFLAGS) -o $@ $(srcdir)/selftest/fuzz/tap_fuzz.c \
		$(srcdir)/harness/tap.c $(srcdir)/harness/xalloc.c $(LIBYAML_LIBS)

# merge.c and what it calls are built here, instrumented, not taken from
# harness/libassay.a (built by $(CC) without coverage or ASan).
FUZZ_MERGE_SRC = $(srcdir)/harness/merge.c $(srcdir)/harness/io.c \
	$(srcdir)/harness/err.c $(srcdir)/harness/xmltext.c $(srcdir)/harness/junitfile.c \
	$(srcdir)/harness/xalloc.c
selftest/fuzz/merge_fuzz: $(srcdir)/selftest/fuzz/merge_fuzz.c \
		$(FUZZ_MERGE_SRC)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		$(LIBXML2_CFLAGS) -o $@ \
		$(srcdir)/selftest/fuzz/merge_fuzz.c $(FUZZ_MERGE_SRC) \
		$(LIBXML2_LIBS)

# Run from selftest/fuzz/, so that its fuzz-N.log files do not replace
# the TAP run's in the top directory.
FUZZ_MERGE_RUN = mkdir -p selftest/fuzz/corpus-merge selftest/fuzz/findings && \
	cp $(srcdir)/selftest/fuzz/seeds-merge/* selftest/fuzz/corpus-merge/ && \
	cd selftest/fuzz && ./merge_fuzz -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=512 -max_len=65536 \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) \
		-artifact_prefix=findings/merge- corpus-merge

# FUZZ_JOBS workers for FUZZ_SECONDS each, per target: 2 x 300 s x 2
# targets = 20 CPU-minutes
fuzz: selftest/fuzz/tap_fuzz selftest/fuzz/merge_fuzz
	mkdir -p selftest/fuzz/corpus selftest/fuzz/findings
	cp $(srcdir)/selftest/fuzz/seeds/* selftest/fuzz/corpus/
	selftest/fuzz/tap_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=512 -max_len=65536 -jobs=$(FUZZ_JOBS) \
		-workers=$(FUZZ_JOBS) -artifact_prefix=selftest/fuzz/findings/ \
		selftest/fuzz/corpus
	$(FUZZ_MERGE_RUN)

fuzz-merge: selftest/fuzz/merge_fuzz
	$(FUZZ_MERGE_RUN)
.PHONY: fuzz fuzz-merge
