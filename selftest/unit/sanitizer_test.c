/*
 * selftest/unit/sanitizer_test.c - tests harness/sanitizer.c and nothing
 * else: each report's first line, whole and split at every byte, what
 * must not match, counts and bounds.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <stdio.h>
#include <string.h>

#include "assay/test.h"
#include "harness/sanitizer.h"

/* A report's first line (without a ==PID== prefix) and what it gives. */
static const struct {
	const char *line, *kind, *summary;
} reports[] = {
	{ "ERROR: AddressSanitizer: heap-use-after-free on address "
	  "0x602000000010 at pc 0x55d4c3 bp 0x7ffd sp 0x7ffd",
	  "sanitizer:asan", "AddressSanitizer: heap-use-after-free" },
	{ "ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 "
	  "(pc 0x55d4c3 bp 0x7ffd sp 0x7ffd T0)",
	  "sanitizer:asan", "AddressSanitizer: SEGV" },
	{ "ERROR: AddressSanitizer: attempting double-free on 0x602000000010 "
	  "in thread T0:",
	  "sanitizer:asan", "AddressSanitizer: attempting double-free" },
	{ "ERROR: HWAddressSanitizer: tag-mismatch on address 0x004200000000 "
	  "at pc 0x5555",
	  "sanitizer:asan", "HWAddressSanitizer: tag-mismatch" },
	{ "ERROR: LeakSanitizer: detected memory leaks",
	  "sanitizer:lsan", "LeakSanitizer: detected memory leaks" },
	{ "WARNING: ThreadSanitizer: data race (pid=4242)",
	  "sanitizer:tsan", "race: ThreadSanitizer: data race" },
	{ "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) "
	  "(pid=4242)", "sanitizer:tsan",
	  "deadlock (potential): ThreadSanitizer: lock-order-inversion" },
	{ "WARNING: MemorySanitizer: use-of-uninitialized-value",
	  "sanitizer:msan", "MemorySanitizer: use-of-uninitialized-value" },
	{ "t/overflow.c:5:7: runtime error: signed integer overflow: "
	  "2147483647 + 1 cannot be represented in type 'int'",
	  "sanitizer:ubsan",
	  "UndefinedBehaviorSanitizer: signed integer overflow" },
	{ "lib.c:12: runtime error: load of misaligned address 0x7ffd for type "
	  "'int'", "sanitizer:ubsan",
	  "UndefinedBehaviorSanitizer: load of misaligned address" },
	{ "ERROR: AddressSanitizer: bad\tthing\r", "sanitizer:asan",
	  "AddressSanitizer: bad thing" },
};

/* Lines that are no report. */
static const char *const others[] = {
	"panic: runtime error: index out of range [5] with length 3",
	"goroutine 1 [running]: runtime error: x",
	"note: ERROR: AddressSanitizer: heap-use-after-free",
	" WARNING: ThreadSanitizer: data race",
	"SUMMARY: AddressSanitizer: heap-use-after-free t.c:9 in main",
	"ThreadSanitizer: reported 2 warnings",
	"AddressSanitizer:DEADLYSIGNAL",
	"==abc==ERROR: AddressSanitizer: x",
	"====ERROR: AddressSanitizer: x",
	"ERROR: AddressSanitizer failed to allocate 0x10 bytes",
	"my file.c:1:2: runtime error: x",
	":5: runtime error: x",
	"==1==",
	"",
};

/* Feeds text in two chunks split at cut, on one stream. */
static void scan2(struct sanitizer_scan *s, const char *text, size_t cut)
{
	size_t n = strlen(text);

	sanitizer_init(s);
	sanitizer_feed(s, 2, text, cut);
	sanitizer_feed(s, 2, text + cut, n - cut);
	sanitizer_finish(s);
}

/* Each report, with and without a ==PID== prefix, split everywhere. */
static void test_reports(void)
{
	struct sanitizer_scan s;
	char text[1024], what[1200];

	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		for (int pid = 0; pid < 2; pid++) {
			size_t n, cut, bad = 0;

			n = (size_t)snprintf(text, sizeof(text),
					     "%s%s\nafter\n",
					     pid ? "==4242==" : "",
					     reports[i].line);
			for (cut = 0; cut <= n; cut++) {
				scan2(&s, text, cut);
				if (s.count != 1 || !s.kind ||
				    strcmp(s.kind, reports[i].kind) ||
				    strcmp(s.summary, reports[i].summary))
					bad++;
			}
			snprintf(what, sizeof(what),
				 "%s%s: one report, split anywhere",
				 pid ? "==PID== " : "", reports[i].line);
			for (char *c = what; *c; c++)
				*c = (unsigned char)*c < 0x20 ? '?' : *c;
			assay_check_bool(0, 1, !bad, what, __FILE__, __LINE__);
			scan2(&s, text, 0);
			EXPECT_STREQ(s.kind, reports[i].kind);
			EXPECT_STREQ(s.summary, reports[i].summary);
		}
	}
}

static void test_others(void)
{
	struct sanitizer_scan s;
	char what[200];

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		scan2(&s, others[i], strlen(others[i]) / 2);
		snprintf(what, sizeof(what), "no report in '%s'", others[i]);
		assay_check_bool(0, 1, s.count == 0 && !s.kind && !s.summary[0], what,
			  __FILE__, __LINE__);
	}
}

/* Reports are counted; the first one is the one remembered. */
static void test_counts(void)
{
	static const char text[] =
		"==================\n"
		"WARNING: ThreadSanitizer: data race (pid=9)\n"
		"  Write of size 4 at 0x7b04 by thread T1:\n"
		"==================\n"
		"WARNING: ThreadSanitizer: lock-order-inversion (potential "
		"deadlock) (pid=9)\n"
		"ThreadSanitizer: reported 2 warnings\n"
		"a.c:1:1: runtime error: division by zero";   /* no newline */
	struct sanitizer_scan s;

	scan2(&s, text, 0);
	EXPECT_EQ(s.count, 3);
	EXPECT_STREQ(s.kind, "sanitizer:tsan");
	EXPECT_STREQ(s.summary, "race: ThreadSanitizer: data race");
	sanitizer_init(&s);
	sanitizer_feed(&s, 1, text, sizeof(text) - 1);
	EXPECT_EQ(s.count, 2);          /* the last line waits for finish */
	sanitizer_finish(&s);
	EXPECT_EQ(s.count, 3);
	sanitizer_finish(&s);
	EXPECT_EQ(s.count, 3);
}

/* valgrind: its banner names the tool; a report is an ERROR SUMMARY
 * with errors, summed up by helgrind's or drd's first race or lock
 * order report, else by the count. */
static void test_valgrind(void)
{
	static const struct { const char *text, *kind, *summary; } runs[] = {
		{ "==41== Helgrind, a thread error detector\n"
		  "==41== ---Thread-Announcement------\n"
		  "==41== Possible data race during write of size 4 at 0x10C02C by thread #3\n"
		  "==41==    at 0x10916A: w (race.c:4)\n"
		  "==41== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)\n",
		  "sanitizer:helgrind",
		  "race: Helgrind: Possible data race during write of size 4" },
		{ "==42== Helgrind, a thread error detector\n"
		  "==42== Thread #1: lock order \"0x10C040 before 0x10C080\" violated\n"
		  "==42== ERROR SUMMARY: 1 errors from 1 contexts\n",
		  "sanitizer:helgrind",
		  "deadlock (potential): Helgrind: lock order violated" },
		{ "==43== drd, a thread error detector\n"
		  "==43== Conflicting load by thread 3 at 0x0010c02c size 4\n"
		  "==43== ERROR SUMMARY: 3 errors from 2 contexts\n",
		  "sanitizer:drd", "race: DRD: Conflicting load" },
		{ "==44== Memcheck, a memory error detector\n"
		  "==44== Invalid read of size 4\n"
		  "==44== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n",
		  "sanitizer:memcheck", "Memcheck: 1 error (its ERROR SUMMARY)" },
	};
	struct sanitizer_scan s;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		size_t n = strlen(runs[i].text), bad = 0;

		for (size_t cut = 0; cut <= n; cut++) {
			scan2(&s, runs[i].text, cut);
			bad += s.count != 1 || !s.kind || strcmp(s.kind, runs[i].kind) ||
			       strcmp(s.summary, runs[i].summary);
		}
		assay_check_bool(0, 1, !bad, runs[i].summary, __FILE__, __LINE__);
		scan2(&s, runs[i].text, n / 3);
		EXPECT_STREQ(s.kind, runs[i].kind);
		EXPECT_STREQ(s.summary, runs[i].summary);
	}
	/* no errors, or no banner: no report */
	scan2(&s, "==45== Memcheck, a memory error detector\n"
		  "==45== ERROR SUMMARY: 0 errors from 0 contexts\n", 10);
	EXPECT_EQ(s.count, 0);
	scan2(&s, "==46== ERROR SUMMARY: 5 errors from 1 contexts\n", 3);
	EXPECT_EQ(s.count, 0);
	scan2(&s, "ERROR SUMMARY: 5 errors\nHelgrind, a thread error detector\n", 3);
	EXPECT_EQ(s.count, 0);
}

/* stdout and stderr each keep their own partial line. */
static void test_streams(void)
{
	struct sanitizer_scan s;

	sanitizer_init(&s);
	sanitizer_feed(&s, 1, "ok 1 - fi", 9);
	sanitizer_feed(&s, 2, "==7==ERROR: Leak", 16);
	sanitizer_feed(&s, 1, "ne\nok 2\n", 8);
	sanitizer_feed(&s, 2, "Sanitizer: detected memory leaks\n", 33);
	EXPECT_EQ(s.count, 1);
	EXPECT_STREQ(s.kind, "sanitizer:lsan");
	EXPECT_STREQ(s.summary, "LeakSanitizer: detected memory leaks");
}

/* A line keeps only its first SANITIZER_LINE_MAX bytes. */
static void test_long_lines(void)
{
	static char text[3 * SANITIZER_LINE_MAX + 200];
	struct sanitizer_scan s;
	size_t n;

	/* a report far into a long line is not at its start */
	memset(text, 'x', 2 * SANITIZER_LINE_MAX);
	n = 2 * SANITIZER_LINE_MAX;
	n += (size_t)sprintf(text + n, "ERROR: AddressSanitizer: x\n");
	scan2(&s, text, SANITIZER_LINE_MAX + 3);
	EXPECT_EQ(s.count, 0);
	/* a report line too long to keep still counts, its summary bounded */
	n = (size_t)sprintf(text, "ERROR: AddressSanitizer: ");
	memset(text + n, 'y', 2 * SANITIZER_LINE_MAX);
	n += 2 * SANITIZER_LINE_MAX;
	n += (size_t)sprintf(text + n, "\nWARNING: ThreadSanitizer: z\n");
	scan2(&s, text, 100);
	EXPECT_EQ(s.count, 2);
	EXPECT_STREQ(s.kind, "sanitizer:asan");
	EXPECT_TRUE(strlen(s.summary) == SANITIZER_SUMMARY_MAX - 1);
	EXPECT_TRUE(!strncmp(s.summary, "AddressSanitizer: yyy", 21));
}

ASSAY_TEST(sanitizer, test_reports)
{
	test_reports();
}

ASSAY_TEST(sanitizer, test_others)
{
	test_others();
}

ASSAY_TEST(sanitizer, test_counts)
{
	test_counts();
}

ASSAY_TEST(sanitizer, test_valgrind)
{
	test_valgrind();
}

ASSAY_TEST(sanitizer, test_streams)
{
	test_streams();
}

ASSAY_TEST(sanitizer, test_long_lines)
{
	test_long_lines();
}

int main(int argc, char **argv)
{
	int rc;
	rc = assay_main(argc, argv);

	return rc;
}
