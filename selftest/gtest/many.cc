/*
 * selftest/gtest/many.cc - 10,000 trivial cases in one binary (a
 * parameterised suite), for selftest/e2e/gtest.sh and bench-gtest.
 */
#include <gtest/gtest.h>

class Many : public ::testing::TestWithParam<int> {};
TEST_P(Many, Trivial) { EXPECT_GE(GetParam(), 0); }
INSTANTIATE_TEST_SUITE_P(All, Many, ::testing::Range(0, MANY_CASES));
