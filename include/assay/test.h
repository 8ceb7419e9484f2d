/*
 * assay/test.h - tests written in C or C++ for assay, in libassay
 * (`pkg-config --cflags --libs assay`).
 *
 *     #include <assay/test.h>
 *
 *     ASSAY_TEST(math, adds) {
 *             ASSERT_EQ(2 + 2, 4);
 *             EXPECT_STREQ("b", "b");
 *     }
 *     ASSAY_MAIN()
 *
 * A test registers itself before main runs: there is no list to keep.
 * The program runs by itself (`./tests` prints TAP; `--list`, `--filter
 * GLOB`, `-j N`; `./tests --help`), and assay runs it too (docs/api.md).
 *
 * ASSERT_* stops the test at the first failure (it jumps out of the test
 * and its helpers, as longjmp does: in C++, the destructors of the frames
 * it leaves do not run; use EXPECT_* and return where that matters).
 * EXPECT_* records the failure and goes on. Each failure says where
 * (file:line), what (the expression as written) and both values.
 *
 * Attributes, in ASSAY_TEST_WITH's string, separated by spaces:
 *     timeout=S      seconds (a number); past it the test has failed
 *     tags=a,b       names to choose tests by
 *     serial         runs while no other test of this program runs
 *     isolate        runs in a child process of its own (a crash there
 *                    costs only it)
 *     threads        may run beside other tests of this program, on
 *                    another thread (without it, a test runs alone)
 *     resources=a,b  names of things it needs to itself (assay.conf's
 *                    groups, under assay)
 *     gpus=N         under assay: N GPUs of its own (any free ones; it
 *                    is told which in CUDA_VISIBLE_DEVICES)
 *     gpu-exclusive  under assay: every slot of its GPU(s)
 *
 * Everything here is usable from C11 and C++11 (and later); the
 * library's own names start with assay_ and ASSAY_.
 */
#ifndef ASSAY_TEST_H
#define ASSAY_TEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#include <type_traits>
extern "C" {
#endif

/* A fixture: size bytes (zeroed) given to setup, the test, then teardown,
 * which runs whatever became of the test. */
struct assay_fixture_def {
	const char *name;
	size_t size;
	void (*setup)(void *fixture);
	void (*teardown)(void *fixture);
};

/* A test, as ASSAY_TEST fills it; the library keeps the pointer. */
struct assay_test_def {
	const char *suite, *name;
	void (*fn)(void *fixture);
	const struct assay_fixture_def *fixture;    /* or NULL */
	const char *attrs;
	const char *file;
	int line;
	struct assay_test_def *next;                /* the library's */
};

void assay_register(struct assay_test_def *t);
/* Runs the registered tests as argv asks; returns the exit status. */
int assay_main(int argc, char **argv);

enum assay_cmp { ASSAY_CMP_EQ, ASSAY_CMP_NE, ASSAY_CMP_LT, ASSAY_CMP_LE,
		 ASSAY_CMP_GT, ASSAY_CMP_GE };

/* The checks behind the macros: each returns whether it held; a fatal
 * one that did not never returns. */
/* a op b, as the integers they stand for: which_unsigned's bit 0 says a
 * is unsigned (its bits are its value), bit 1 the same of b; a signed
 * one's bits are its value as intmax_t. */
int assay_check_integer(int fatal, enum assay_cmp op, uintmax_t a, uintmax_t b,
			unsigned which_unsigned, const char *ea, const char *eb,
			const char *file, int line);
/* (both signed: what programs built against the first header call) */
int assay_check_int(int fatal, enum assay_cmp op, intmax_t a, intmax_t b,
		    const char *ea, const char *eb, const char *file, int line);
int assay_check_near(int fatal, double a, double b, double tol,
		     const char *ea, const char *eb, const char *etol,
		     const char *file, int line);
int assay_check_str(int fatal, int equal, const char *a, const char *b,
		    const char *ea, const char *eb, const char *file, int line);
int assay_check_contains(int fatal, const char *haystack, const char *needle,
			 const char *eh, const char *en, const char *file, int line);
int assay_check_memory(int fatal, const void *a, const void *b, size_t n,
		       const char *ea, const char *eb, const char *en,
		       const char *file, int line);
/* (n without its expression: what programs built against the first
 * header call) */
int assay_check_mem(int fatal, const void *a, const void *b, size_t n,
		    const char *ea, const char *eb, const char *file, int line);
int assay_check_ptr(int fatal, int equal, const void *a, const void *b,
		    const char *ea, const char *eb, const char *file, int line);
int assay_check_null(int fatal, int want_null, const void *p, const char *e,
		     const char *file, int line);
int assay_check_bool(int fatal, int want, int got, const char *e,
		     const char *file, int line);
void assay_fail_here(int fatal, const char *what, const char *file, int line);
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void assay_skip_here(const char *reason, const char *file, int line);

#ifdef __cplusplus
}
#endif

/* What tells assay's `assay` kind that a program is built with this API
 * (it looks for these bytes in the file): in each file that includes
 * this header (but libassay's own). Never mentioned elsewhere, so
 * nothing else carries it. Each test's constructor refers to it, so a
 * linker that drops what nothing refers to (--gc-sections) keeps it. */
#if defined(__GNUC__) && !defined(ASSAY_API_INTERNAL)
static const char assay_api_marker_[] __attribute__((used, unused)) =
	"\x1f" "assay-test-api:1" "\x1f";
#define ASSAY_KEEP_MARKER_() __asm__ __volatile__("" : : "r"(assay_api_marker_))
#else
#define ASSAY_KEEP_MARKER_() ((void)0)
#endif

#define ASSAY_CTOR_(f) static void f(void) __attribute__((constructor)); \
	static void f(void)

/* ---- tests ---- */

#define ASSAY_TEST(suite, name) ASSAY_TEST_WITH(suite, name, "")
#define ASSAY_TEST_WITH(suite, name, attrs)                                   \
	static void assay_fn_##suite##__##name(void);                         \
	static void assay_call_##suite##__##name(void *fixture)               \
	{                                                                     \
		(void)fixture;                                                \
		assay_fn_##suite##__##name();                                 \
	}                                                                     \
	static struct assay_test_def assay_def_##suite##__##name = {          \
		#suite, #name, assay_call_##suite##__##name, NULL, attrs,     \
		__FILE__, __LINE__, NULL };                                   \
	ASSAY_CTOR_(assay_reg_##suite##__##name)                              \
	{                                                                     \
		ASSAY_KEEP_MARKER_();                                         \
		assay_register(&assay_def_##suite##__##name);                 \
	}                                                                     \
	static void assay_fn_##suite##__##name(void)

/* ASSAY_FIXTURE(db, struct db, db_setup, db_teardown): tests of suite db
 * get a `struct db *fixture` (setup and teardown take a void *; either
 * may be NULL). */
#define ASSAY_FIXTURE(fx, type, setup, teardown)                              \
	typedef type assay_fixture_type_##fx;                                 \
	static const struct assay_fixture_def assay_fixture_##fx = {          \
		#fx, sizeof(type), setup, teardown }

#define ASSAY_TEST_F(fx, name) ASSAY_TEST_F_WITH(fx, name, "")
#define ASSAY_TEST_F_WITH(fx, name, attrs)                                    \
	static void assay_fn_##fx##__##name(assay_fixture_type_##fx *fixture); \
	static void assay_call_##fx##__##name(void *fixture)                  \
	{                                                                     \
		assay_fn_##fx##__##name((assay_fixture_type_##fx *)fixture);  \
	}                                                                     \
	static struct assay_test_def assay_def_##fx##__##name = {             \
		#fx, #name, assay_call_##fx##__##name, &assay_fixture_##fx,   \
		attrs, __FILE__, __LINE__, NULL };                            \
	ASSAY_CTOR_(assay_reg_##fx##__##name)                                 \
	{                                                                     \
		ASSAY_KEEP_MARKER_();                                         \
		assay_register(&assay_def_##fx##__##name);                    \
	}                                                                     \
	static void assay_fn_##fx##__##name(assay_fixture_type_##fx *fixture)

#define ASSAY_MAIN()                                                          \
	int main(int argc, char **argv)                                       \
	{                                                                     \
		return assay_main(argc, argv);                                \
	}

#define ASSAY_SKIP(reason) assay_skip_here((reason), __FILE__, __LINE__)
#define ASSAY_FAIL(what) assay_fail_here(1, (what), __FILE__, __LINE__)
#define ASSAY_ADD_FAILURE(what) assay_fail_here(0, (what), __FILE__, __LINE__)

/* ---- checks: ASSERT_* stop the test, EXPECT_* go on ---- */

/* Integers of any type, compared as the numbers they are (an unsigned
 * one is never taken for a negative one). Neither expression is
 * evaluated twice: in C only one arm of ASSAY_BITS_ runs, and
 * ASSAY_UNSIGNED_ evaluates nothing; in C++ each is an argument. */
/* (ea, eb: the expressions as written, made strings by the macro the
 * test called, before their own macros are expanded) */
#ifdef __cplusplus
/* (a function template: usable in templates and lambdas alike) */
template <class A, class B>
inline int assay_int_(int fatal, enum assay_cmp op, const A &a, const B &b,
		      const char *ea, const char *eb, const char *file, int line)
{
	const bool ua = std::is_unsigned<A>::value, ub = std::is_unsigned<B>::value;

	return assay_check_integer(fatal, op,
				   ua ? (uintmax_t)a : (uintmax_t)(intmax_t)a,
				   ub ? (uintmax_t)b : (uintmax_t)(intmax_t)b,
				   (ua ? 1u : 0u) | (ub ? 2u : 0u), ea, eb, file, line);
}
#define ASSAY_INT_(f, op, a, b, ea, eb) assay_int_(f, op, (a), (b), ea, eb,    \
	__FILE__, __LINE__)
#else
/* (smaller unsigned types hold no value an int cannot; _Generic drops
 * qualifiers, and evaluates nothing) */
#define ASSAY_UNSIGNED_(x) _Generic((x), unsigned int: 1u, unsigned long: 1u,      \
	unsigned long long: 1u, default: 0u)
#define ASSAY_BITS_(x) (ASSAY_UNSIGNED_(x) ? (uintmax_t)(x) : (uintmax_t)(intmax_t)(x))
#define ASSAY_INT_(f, op, a, b, ea, eb) assay_check_integer(f, op,             \
	ASSAY_BITS_(a), ASSAY_BITS_(b), ASSAY_UNSIGNED_(a) | ASSAY_UNSIGNED_(b) << 1, \
	ea, eb, __FILE__, __LINE__)
#endif
#define ASSERT_EQ(a, b) ASSAY_INT_(1, ASSAY_CMP_EQ, a, b, #a, #b)
#define ASSERT_NE(a, b) ASSAY_INT_(1, ASSAY_CMP_NE, a, b, #a, #b)
#define ASSERT_LT(a, b) ASSAY_INT_(1, ASSAY_CMP_LT, a, b, #a, #b)
#define ASSERT_LE(a, b) ASSAY_INT_(1, ASSAY_CMP_LE, a, b, #a, #b)
#define ASSERT_GT(a, b) ASSAY_INT_(1, ASSAY_CMP_GT, a, b, #a, #b)
#define ASSERT_GE(a, b) ASSAY_INT_(1, ASSAY_CMP_GE, a, b, #a, #b)
#define EXPECT_EQ(a, b) ASSAY_INT_(0, ASSAY_CMP_EQ, a, b, #a, #b)
#define EXPECT_NE(a, b) ASSAY_INT_(0, ASSAY_CMP_NE, a, b, #a, #b)
#define EXPECT_LT(a, b) ASSAY_INT_(0, ASSAY_CMP_LT, a, b, #a, #b)
#define EXPECT_LE(a, b) ASSAY_INT_(0, ASSAY_CMP_LE, a, b, #a, #b)
#define EXPECT_GT(a, b) ASSAY_INT_(0, ASSAY_CMP_GT, a, b, #a, #b)
#define EXPECT_GE(a, b) ASSAY_INT_(0, ASSAY_CMP_GE, a, b, #a, #b)

/* |a - b| <= tol */
#define ASSERT_NEAR(a, b, tol) assay_check_near(1, (a), (b), (tol), #a, #b,  \
	#tol, __FILE__, __LINE__)
#define EXPECT_NEAR(a, b, tol) assay_check_near(0, (a), (b), (tol), #a, #b,  \
	#tol, __FILE__, __LINE__)

/* C strings; NULL equals only NULL */
#define ASSERT_STREQ(a, b) assay_check_str(1, 1, (a), (b), #a, #b, __FILE__, __LINE__)
#define ASSERT_STRNE(a, b) assay_check_str(1, 0, (a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_STREQ(a, b) assay_check_str(0, 1, (a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_STRNE(a, b) assay_check_str(0, 0, (a), (b), #a, #b, __FILE__, __LINE__)

/* strstr(haystack, needle) != NULL; a NULL haystack contains nothing */
#define ASSERT_CONTAINS(h, n) assay_check_contains(1, (h), (n), #h, #n, __FILE__, __LINE__)
#define EXPECT_CONTAINS(h, n) assay_check_contains(0, (h), (n), #h, #n, __FILE__, __LINE__)

/* n bytes; a failure shows the first byte that differs and its neighbours */
#define ASSERT_MEMEQ(a, b, n) assay_check_memory(1, (a), (b), (n), #a, #b, #n,       \
	__FILE__, __LINE__)
#define EXPECT_MEMEQ(a, b, n) assay_check_memory(0, (a), (b), (n), #a, #b, #n,       \
	__FILE__, __LINE__)

#define ASSERT_PTR_EQ(a, b) assay_check_ptr(1, 1, (a), (b), #a, #b, __FILE__, __LINE__)
#define ASSERT_PTR_NE(a, b) assay_check_ptr(1, 0, (a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_PTR_EQ(a, b) assay_check_ptr(0, 1, (a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_PTR_NE(a, b) assay_check_ptr(0, 0, (a), (b), #a, #b, __FILE__, __LINE__)
#define ASSERT_NULL(p) assay_check_null(1, 1, (p), #p, __FILE__, __LINE__)
#define ASSERT_NOT_NULL(p) assay_check_null(1, 0, (p), #p, __FILE__, __LINE__)
#define EXPECT_NULL(p) assay_check_null(0, 1, (p), #p, __FILE__, __LINE__)
#define EXPECT_NOT_NULL(p) assay_check_null(0, 0, (p), #p, __FILE__, __LINE__)

#define ASSERT_TRUE(c) assay_check_bool(1, 1, !!(c), #c, __FILE__, __LINE__)
#define ASSERT_FALSE(c) assay_check_bool(1, 0, !!(c), #c, __FILE__, __LINE__)
#define EXPECT_TRUE(c) assay_check_bool(0, 1, !!(c), #c, __FILE__, __LINE__)
#define EXPECT_FALSE(c) assay_check_bool(0, 0, !!(c), #c, __FILE__, __LINE__)

#endif
