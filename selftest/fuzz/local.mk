# selftest/fuzz/local.mk - fuzz targets, built and run on demand with
# clang's libFuzzer (not part of `make check`):
#     make fuzz                       10 CPU-minutes on the TAP reader
#     make fuzz FUZZ_SECONDS=60 FUZZ_JOBS=1
# Crashes and leaks land in selftest/fuzz/findings/.
FUZZ_CC = clang
FUZZ_SECONDS = 300
FUZZ_JOBS = 2
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
EXTRA_DIST += selftest/fuzz/tap_fuzz.c selftest/fuzz/seeds/subtest.tap \
	selftest/fuzz/seeds/escapes.tap selftest/fuzz/seeds/strict.tap
CLEANFILES += selftest/fuzz/tap_fuzz

selftest/fuzz/tap_fuzz: $(srcdir)/selftest/fuzz/tap_fuzz.c $(srcdir)/harness/tap.c \
		$(srcdir)/harness/xalloc.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(builddir) -I$(srcdir) -I$(srcdir)/include \
		$(LIBYAML_CFLAGS) -o $@ $(srcdir)/selftest/fuzz/tap_fuzz.c \
		$(srcdir)/harness/tap.c $(srcdir)/harness/xalloc.c $(LIBYAML_LIBS)

# FUZZ_JOBS workers for FUZZ_SECONDS each: 2 x 300 s = 10 CPU-minutes
fuzz: selftest/fuzz/tap_fuzz
	mkdir -p selftest/fuzz/corpus selftest/fuzz/findings
	cp $(srcdir)/selftest/fuzz/seeds/* selftest/fuzz/corpus/
	selftest/fuzz/tap_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=512 -max_len=65536 -jobs=$(FUZZ_JOBS) \
		-workers=$(FUZZ_JOBS) -artifact_prefix=selftest/fuzz/findings/ \
		selftest/fuzz/corpus
.PHONY: fuzz
