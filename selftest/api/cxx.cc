// selftest/api/cxx.cc - for selftest/e2e/api.sh: include/assay/test.h
// from C++: a fixture, checks on C++ values.
#include <string>
#include <vector>

#include <assay/test.h>

struct stack {          // a fixture is plain data: calloc'd, no constructor
	int v[4];
	int n;
};

static void stack_setup(void *p)
{
	static_cast<stack *>(p)->n = 0;
}

ASSAY_FIXTURE(stack, struct stack, stack_setup, nullptr);

ASSAY_TEST_F(stack, pushes)
{
	fixture->v[fixture->n++] = 3;
	ASSERT_EQ(fixture->n, 1);
	ASSERT_EQ(fixture->v[0], 3);
}

ASSAY_TEST(cxx, values)
{
	std::string s = "assay";
	std::vector<int> v{1, 2, 3};

	ASSERT_STREQ(s.c_str(), "assay");
	ASSERT_EQ(v.size(), 3u);
	EXPECT_TRUE(s.size() == 5);
}

// the integer checks in a function template and in a lambda
template <class T>
static void twice_is_sum(T v)
{
	EXPECT_EQ(v + v, 2 * v);
	ASSERT_GT(v, 0);
}

ASSAY_TEST(cxx, generic)
{
	twice_is_sum(3);
	twice_is_sum(7u);
	twice_is_sum(static_cast<unsigned long long>(-1) / 4);
	auto twice = [](auto x) { EXPECT_EQ(x + x, 2 * x); return x; };
	EXPECT_EQ(twice(5), 5);
	EXPECT_EQ([] { return 9; }(), 9);
}

ASSAY_MAIN()
