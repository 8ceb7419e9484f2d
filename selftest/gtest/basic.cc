/*
 * selftest/gtest/basic.cc - a GoogleTest binary with one case of each
 * sort gtest has: passing, failing, skipped, disabled (both ways),
 * typed, parameterised and a death test. selftest/e2e/gtest.sh checks
 * assay's verdict on each against gtest's own.
 */
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

TEST(Basic, Passes) { EXPECT_EQ(2, 1 + 1); }

TEST(Basic, Fails)
{
	int got = 41, want = 42;
	EXPECT_EQ(want, got) << "the answer is off by one";
}

TEST(Basic, Skips) { GTEST_SKIP() << "needs a frobnicator"; }

TEST(Basic, DISABLED_NotYet) { FAIL() << "disabled: never runs"; }

TEST(DISABLED_Later, Either) { FAIL() << "disabled: never runs"; }

TEST(Basic, Dies)
{
	EXPECT_DEATH({ fprintf(stderr, "bye\n"); abort(); }, "bye");
}

template <typename T> class Typed : public ::testing::Test {};
using TypedTypes = ::testing::Types<int, double>;
TYPED_TEST_SUITE(Typed, TypedTypes);
TYPED_TEST(Typed, Zero) { EXPECT_EQ(TypeParam(0), TypeParam()); }

class Param : public ::testing::TestWithParam<int> {};
TEST_P(Param, Even) { EXPECT_EQ(0, GetParam() % 2); }
INSTANTIATE_TEST_SUITE_P(Nums, Param, ::testing::Values(2, 3, 4));
