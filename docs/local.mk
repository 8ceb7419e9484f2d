# docs/local.mk - man pages and guides.
dist_man_MANS += docs/assay.1
EXTRA_DIST += docs/architecture.md docs/benchmarks.md docs/gtest.md docs/installed-tests.md docs/ci.md docs/scheduling.md docs/tap.md docs/junit.md docs/junit.xsd docs/sanitizers.md docs/hangs.md docs/api.md docs/gpu.md
EXTRA_DIST += docs/examples/README.md \
	docs/examples/suite/arithmetic.sh docs/examples/suite/scratch-files.sh \
	docs/examples/suite/windows-only.sh \
	docs/examples/failing/fails.sh docs/examples/failing/crashes.sh \
	docs/examples/failing/hangs.sh docs/examples/failing/hard-error.sh

# a C test program for the example suite, built with everything else
noinst_PROGRAMS = docs/examples/suite/strings
docs_examples_suite_strings_LDADD =
