# docs/local.mk - man pages and guides.
dist_man_MANS += docs/assay.1
EXTRA_DIST += docs/benchmarks.md
