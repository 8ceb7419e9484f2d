/*
 * selftest/bench/junitwrite.c - how fast the junit reporter
 * (plugins/junit.c) writes a report, and its peak memory: CASES results
 * in programs of PER cases each, one in ten failing with 200 bytes of
 * output and a YAML block, fed as the runner's events, then the report
 * written to FILE. Prints "cases seconds maxrss_kb bytes", the median of
 * RUNS passes (maxrss is the process's peak over all of them).
 *
 * Usage: junitwrite FILE [CASES [PER [RUNS]]]
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "assay/plugin.h"
#include "harness/io.h"
#include "plugins/builtin.h"

static const char output[] =
	"# expected 42, got 41 at t/arith.c:17 while adding the two numbers\n"
	"# stderr: warning: the frobnicator is cold <&> \"quoted\" ]]> end\n"
	"# and a third line of output to make two hundred bytes in all....\n";

static void emit(const struct assay_reporter *rep, void *st,
		 const struct assay_run_info *run, enum assay_event_type type,
		 const struct assay_test *t, const struct assay_result *r,
		 const struct assay_exit *ex)
{
	static struct assay_task task = { .struct_size = sizeof(task) };
	struct assay_event ev = {
		.struct_size = sizeof(ev), .type = type, .run = run, .test = t,
		.result = r, .task = t ? &task : NULL, .exit = ex,
	};

	if (type == ASSAY_EV_TASK_START) {      /* one at a time: a new id */
		task.id++;
		task.test = t;
	}

	rep->event(st, &ev);
}

static double one_pass(const char *file, long cases, long per)
{
	const struct assay_reporter *rep = junit_plugin()->reporters[0];
	static const char *const props[] = { "assay.version", PACKAGE_VERSION, NULL };
	struct assay_reporter_opts o = { .struct_size = sizeof(o), .arg = file,
					 .max_text = 1 << 20 };
	struct assay_run_info run = { .struct_size = sizeof(run), .jobs = 1,
				      .hostname = "bench", .props = props,
				      .start_wall_ns = io_wall_ns() };
	struct assay_output out = { .struct_size = sizeof(out) };
	struct assay_exit ex = { .struct_size = sizeof(ex), .how = ASSAY_EXITED,
				 .out = &out, .err = &out, .duration_ns = 1000000 };
	uint64_t t0 = io_now_ns();
	char errbuf[256], suite[64], id[128];
	void *st;

	if (rep->open(&st, &o, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "junitwrite: %s\n", errbuf);
		exit(1);
	}
	emit(rep, st, &run, ASSAY_EV_RUN_START, NULL, NULL, NULL);
	for (long done = 0, s = 0; done < cases; s++) {
		struct assay_test t = { .struct_size = sizeof(t), .id = suite,
					.suite = suite, .kind = "tap" };
		snprintf(suite, sizeof(suite), "t/suite%05ld.t", s);
		emit(rep, st, &run, ASSAY_EV_TASK_START, &t, NULL, NULL);
		for (long c = 0; c < per && done < cases; c++, done++) {
			bool fail = done % 10 == 9;
			struct assay_result r = {
				.struct_size = sizeof(r), .id = id, .test = &t,
				.outcome = fail ? ASSAY_FAIL : ASSAY_PASS,
				.reason = fail ? "not ok" : "", .duration_ns = 123456,
				.tally = fail ? ASSAY_TALLY_FAILED : ASSAY_TALLY_PASSED,
				.output = fail ? output : NULL,
				.output_len = fail ? sizeof(output) - 1 : 0,
				.diag = fail ? "message: bad\nseverity: fail\n" : NULL,
				.classification = fail ? "tap" : NULL,
			};
			snprintf(id, sizeof(id), "%s::case number %ld does a thing", suite, c);
			emit(rep, st, &run, ASSAY_EV_TEST_END, &t, &r, NULL);
		}
		emit(rep, st, &run, ASSAY_EV_TASK_END, &t, NULL, &ex);
	}
	run.elapsed_ns = io_now_ns() - t0;
	emit(rep, st, &run, ASSAY_EV_RUN_END, NULL, NULL, NULL);
	if (rep->close(st, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "junitwrite: %s\n", errbuf);
		exit(1);
	}
	return (io_now_ns() - t0) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long cases = argc > 2 ? atol(argv[2]) : 100000;
	long per = argc > 3 ? atol(argv[3]) : 100;
	int runs = argc > 4 ? atoi(argv[4]) : 5;
	double t[64];
	struct rusage ru;
	struct stat st;

	if (argc < 2 || cases < 1 || per < 1 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: junitwrite FILE [CASES [PER [RUNS]]]\n");
		return 2;
	}
	for (int i = 0; i < runs; i++)
		t[i] = one_pass(argv[1], cases, per);
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	if (stat(argv[1], &st) < 0)
		return 1;
	printf("%ld %.3f %ld %lld\n", cases, t[runs / 2], ru.ru_maxrss,
	       (long long)st.st_size);
	return 0;
}
