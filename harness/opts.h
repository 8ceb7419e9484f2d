/*
 * opts.h - the command line, turned into a struct opts.
 *
 * Parses and validates argv once; everything later reads struct opts.
 * Never touches the file system (paths are checked by discover), never
 * prints: problems come back as ERR_USAGE with a message naming the fix.
 */
#ifndef ASSAY_OPTS_H
#define ASSAY_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "order.h"
#include "runner.h"
#include "shard.h"

enum opts_command { OPTS_RUN, OPTS_LIST, OPTS_MERGE, OPTS_HISTORY,
		    OPTS_DEVICES, OPTS_HELP, OPTS_VERSION };
enum opts_color { OPTS_COLOR_AUTO, OPTS_COLOR_ALWAYS, OPTS_COLOR_NEVER };
enum opts_format { OPTS_FORMAT_HUMAN, OPTS_FORMAT_TAP, OPTS_FORMAT_TAP13 };

/* A growable list of borrowed strings (they point into argv). */
struct strlist {
	const char **v;
	size_t n, cap;
};

struct opts {
	enum opts_command command;
	unsigned jobs;                  /* resolved: 0 became the CPU count */
	double timeout_s;               /* 0: no deadline */
	double grace_s;                 /* SIGTERM to SIGKILL */
	double timeout_multiplier;      /* every deadline times this (1) */
	double idle_timeout_s;          /* no output this long: hung; 0 none */
	bool no_backtrace;              /* no gdb at a deadline */
	const char *wrapper;            /* --wrapper CMD, or NULL */
	bool allow_leaks;               /* leftovers do not fail a test */
	bool require_gpu;               /* GPU tests without GPUs fail */
	bool each_gpu;                  /* a one-GPU test runs on each device */
	unsigned gpu_slots;             /* --gpu-slots (1) */
	const char *resource_spec;      /* --resource-spec FILE, or NULL */
	const char *kind;               /* --kind: forced for every path */
	const char *config;             /* --config FILE, or NULL */
	enum opts_color color;
	unsigned tail_lines;
	bool quiet;
	bool verbose;                   /* -v */
	bool nul;                       /* -z: list separated by NUL */
	bool strict_discovery;          /* an entry left out fails the run */
	bool strict_todo;               /* an xpass fails the run */
	enum opts_format format;        /* what goes to stdout */
	const char *junit;              /* --junit FILE, or NULL */
	bool junit_all_output;          /* --junit-output=all */
	size_t junit_max_text;          /* bytes per text node */
	size_t max_log;                 /* --max-log-size: bytes per stream */
	size_t max_logs_total;          /* --output-dir-max: bytes in all */
	size_t max_output;              /* --max-output: a flood; 0: none */
	const char *output_dir;         /* full logs of failed jobs */
	bool keep_logs;                 /* logs of every job */
	bool shared_home;               /* --no-isolate-home */
	const char *merge_out;          /* merge -o FILE */
	bool jobs_given;                /* -j was given */
	unsigned workers;               /* --workers, resolved */
	bool workers_given;
	unsigned threads;               /* --threads, resolved (1) */
	const char *state_dir;          /* history; "" for none */
	bool gpu_check;                 /* assay gpu-check: a run of the
	                                 * built-in GPU suite */
	enum order_mode order;
	bool failed_first;
	uint64_t seed;                  /* --seed, or 0 */
	bool seed_given;
	unsigned repeat, stress;        /* runs of each test: 1 and 1 */
	bool until_fail;
	unsigned retries;
	unsigned isolate;               /* --isolate-failures N (10); 0: off */
	unsigned hunt;                  /* --hunt N; 0: no hunt */
	uint64_t hunt_seed;             /* --hunt-seed; 0: none */
	bool record;                    /* --record: rr, with --hunt */
	bool flaky_fails;               /* --flaky-result fail */
	struct shard shard;             /* --shard; n 0: none given */
	unsigned top;                   /* assay history --top */
	enum runner_batch batch;        /* --gtest-granularity */
	struct strlist sets;            /* -c NAME=VALUE */
	struct strlist plugins;         /* --plugin PATH */
	struct strlist reporters;       /* --reporter NAME[=ARG] */
	struct strlist excludes;        /* --exclude GLOB */
	struct strlist tags;            /* --tag NAME */
	struct strlist paths;           /* operands */
	const char *help_topic;         /* `assay help run` */
};

#define OPTS_DEFAULT_TIMEOUT 300.0
#define OPTS_DEFAULT_GRACE 3.0
#define OPTS_DEFAULT_TAIL 20
#define OPTS_DEFAULT_OUTPUT_DIR ".assay/logs"
#define OPTS_DEFAULT_MAX_TEXT (1024 * 1024)
#define OPTS_DEFAULT_MAX_LOG ((size_t)64 << 20)
#define OPTS_DEFAULT_MAX_LOGS_TOTAL ((size_t)1 << 30)
#define OPTS_DEFAULT_STATE_DIR ".assay"
#define OPTS_DEFAULT_ISOLATE 10

void strlist_push(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/* Parses argv into o (which it initialises). Returns 0 or ERR_USAGE. */
int opts_parse(struct opts *o, int argc, char **argv, struct err *e);
void opts_release(struct opts *o);
/* The text of `assay --help`. */
const char *opts_usage(void);

#endif
