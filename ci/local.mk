# ci/local.mk - the CI scripts travel with the tarball.
EXTRA_DIST += ci/setup ci/test ci/gpu-check .ci/run
