# selftest/bench/local.mk - benchmarks (make bench); not part of make check.
