/*
 * assay/plugin.h - the plugin ABI: test kinds and reporters.
 *
 * A plugin is a shared object that exports one function,
 * assay_plugin_entry(), returning a struct assay_plugin that lists the
 * kinds and reporters it provides. assay's own kinds (exec) and reporters
 * (console) are registered through these same structs.
 *
 * Rules of the ABI:
 * - Every struct starts with abi_version or struct_size. Fields are only
 *   ever appended; the host reads a field only when struct_size covers it.
 * - ASSAY_PLUGIN_ABI changes only when an existing field changes meaning;
 *   the host refuses a plugin built for another ABI.
 * - All callbacks run on assay's loop thread, one at a time. A callback
 *   must never block for long, never fork, never install signal handlers
 *   and never write to the terminal except through the fd it was given.
 * - Strings the host hands to a callback are borrowed: valid for the
 *   duration of the call (test and run info: until the run ends).
 */
#ifndef ASSAY_PLUGIN_H
#define ASSAY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASSAY_PLUGIN_ABI 2

/* What happened to one test. Order is part of the ABI; later hosts may
 * append outcomes, so a reporter counts a value it does not know in the
 * column its result's tally names. */
enum assay_outcome {
	ASSAY_PASS,
	ASSAY_FAIL,
	ASSAY_SKIP,
	ASSAY_TODO,     /* failed, but marked as not done yet */
	ASSAY_XFAIL,    /* failed as expected */
	ASSAY_XPASS,    /* passed although expected to fail */
	ASSAY_TIMEOUT,
	ASSAY_CRASH,    /* killed by a signal it did not ask for */
	ASSAY_ERROR,    /* could not be run or judged: setup, protocol */
	ASSAY_NOT_RUN,  /* never started: interrupted, or a dependency */
	ASSAY_INTERRUPTED,  /* "cancelled": started, then killed because the
	                     * run was interrupted */
	ASSAY_OUTCOME_COUNT
};

/* The three columns of assay's last line, plus not-run (never started,
 * or cancelled). */
enum assay_tally { ASSAY_TALLY_PASSED, ASSAY_TALLY_FAILED, ASSAY_TALLY_SKIPPED,
		   ASSAY_TALLY_NOT_RUN };

static inline const char *assay_outcome_name(enum assay_outcome o)
{
	static const char *const names[ASSAY_OUTCOME_COUNT] = {
		"pass", "fail", "skip", "todo", "xfail", "xpass",
		"timeout", "crash", "error", "not-run", "cancelled",
	};
	return (unsigned)o < ASSAY_OUTCOME_COUNT ? names[o] : "?";
}

/*
 * The column an outcome counts in by default. An xpass (a test marked
 * TODO or expected to fail that passed) counts as passed; the host's
 * --strict-todo counts it as failed, and says so in each result's tally.
 */
static inline enum assay_tally assay_outcome_tally(enum assay_outcome o)
{
	switch (o) {
	case ASSAY_PASS: case ASSAY_TODO: case ASSAY_XFAIL: case ASSAY_XPASS:
		return ASSAY_TALLY_PASSED;
	case ASSAY_SKIP:
		return ASSAY_TALLY_SKIPPED;
	case ASSAY_NOT_RUN: case ASSAY_INTERRUPTED:
		return ASSAY_TALLY_NOT_RUN;
	default:
		return ASSAY_TALLY_FAILED;
	}
}

/* One test the host knows about. Read-only to plugins. */
struct assay_test {
	uint32_t struct_size;
	const char *id;         /* SUITE, or SUITE::CASE */
	const char *suite;      /* path relative to the root it was found under */
	const char *path;       /* a path the host can open and execute */
	const char *kind;       /* name of the kind that runs it */
	double timeout_s;       /* 0: none; for a case, the case's own */
	const char *case_name;  /* a test that is one case of a program its
	                         * kind listed: the case (id is
	                         * SUITE::CASE); a whole program: NULL */
	int tap_plan;           /* for kinds that read TAP: assay.conf's
	                         * tap-plan, 1 auto, 2 required, 3 optional
	                         * (docs/tap.md); 0: unset, the kind's own */
	/* new fields go here, at the end, and nowhere else */
};

/* What a kind says of a test it was given, at discovery (describe).
 * Every field starts empty, meaning the host's default; strings are the
 * kind's, copied by the host before the next call. */
struct assay_traits {
	uint32_t struct_size;
	const char *id;         /* the test's id in place of the path it was
	                         * found by, or NULL */
	const char *problem;    /* why it cannot run: it is reported as an
	                         * error with this reason; or NULL */
	int serial;             /* 1: it runs alone (as serial = true) */
	/* new fields go here, at the end, and nowhere else */
};

/*
 * One attempt at one test, or at a batch of cases of one program: what
 * a kind prepares a process for. Valid from job_begin until job_end
 * returns; the tmpdir is removed after that.
 */
struct assay_task {
	uint32_t struct_size;
	uint64_t id;            /* unique in the run, never 0 */
	const struct assay_test *test;  /* the program's test, or the case's
	                                 * own for a task of one case */
	const char *const *cases;       /* the cases it runs (names as the
	                                 * kind listed them), NULL-terminated;
	                                 * NULL: the whole program */
	size_t ncases;
	const char *tmpdir;     /* the process's private TMPDIR, empty */
	unsigned attempt;       /* 1, then one more per retry */
	/* new fields go here, at the end, and nowhere else */
};

/*
 * How to start the process of a task, filled by a kind's job_begin (or a
 * listing's list_spec). Every field starts empty, meaning the default;
 * the strings stay the kind's, valid until job_end (list_parse).
 */
struct assay_spec {
	uint32_t struct_size;
	const char *const *argv;        /* argv[0] is exec'd as given (no
	                                 * PATH search); NULL: the test's path
	                                 * alone */
	const char *const *env;         /* "NAME=VALUE" sets, "NAME" removes,
	                                 * after assay's own; NULL-terminated */
	const char *cwd;                /* NULL: assay's own */
	const char *stdin_path;         /* NULL: /dev/null */
	double timeout_s;               /* list_spec: the listing's deadline;
	                                 * 0: the host's */
	const char *cache_key;          /* list_spec: what else the list
	                                 * depends on (the environment variables
	                                 * the program reads, say); with the
	                                 * program's identity (device, inode,
	                                 * size, times) and this spec it keys a
	                                 * listing the host keeps in its state
	                                 * directory. NULL: list every run */
	const char *request;            /* job_begin of a kind with
	                                 * serve_spec: what the host writes to
	                                 * a worker's stdin to start this job
	                                 * there (argv and the rest are then
	                                 * the one-process way to run it);
	                                 * NULL: never on a worker */
	size_t request_len;
	const char *give_back;          /* serve_spec: what the host writes
	                                 * to a worker busy with a job to ask
	                                 * for some of its cases back (it
	                                 * says which through
	                                 * ctx->give_back); NULL: never */
	size_t give_back_len;
	/* new fields go here, at the end, and nowhere else */
};

/* What a program says of one of its cases (its attributes), for the
 * host's scheduler. Every field starts empty, meaning the host's
 * default; assay.conf's settings for the case win over them. Strings
 * are the kind's, copied by the host before the call returns. */
struct assay_case_traits {
	uint32_t struct_size;
	double timeout_s;       /* its deadline; 0: the run's */
	int serial;             /* 1: it runs alone */
	const char *tags;       /* names to choose it by, "a,b"; or NULL */
	const char *groups;     /* assay.conf groups (pools) it needs a unit
	                         * of, "a,b"; or NULL */
	unsigned gpus;          /* GPUs (devices) it needs; 0: none */
	int gpu_exclusive;      /* 1: every slot of each */
	/* new fields go here, at the end, and nowhere else */
};

/* Where list_parse puts the cases it read. */
struct assay_case_sink {
	uint32_t struct_size;
	void *host;                     /* private to the host */
	/* One case, in the order the program runs them. skip_reason: the
	 * case is never run and is reported skipped with it (a disabled
	 * test); NULL: it runs. */
	void (*add)(struct assay_case_sink *s, const char *case_name,
		    const char *skip_reason);
	/* What the program says of the case added last, beside its name
	 * (check struct_size before calling it: older hosts lack it). */
	void (*traits)(struct assay_case_sink *s,
		       const struct assay_case_traits *traits);
	/* new fields go here, at the end, and nowhere else */
};

/* Captured output of one stream: the first and the last bytes. */
struct assay_output {
	uint32_t struct_size;
	const char *head;       /* first head_len bytes of the stream */
	size_t head_len;
	const char *tail;       /* last tail_len bytes, contiguous */
	size_t tail_len;
	uint64_t total;         /* bytes the stream carried in all; when it
	                         * exceeds head_len + tail_len, the middle
	                         * was dropped */
	const char *path;       /* the whole stream in a file (--output-dir),
	                         * or NULL; set from JOB_END on */
	/* new fields go here, at the end, and nowhere else */
};

/* How the process of a job ended. A kind must judge a value it does not
 * know as ASSAY_ERROR: later hosts may add some. */
enum assay_exit_how {
	ASSAY_EXITED,           /* code is the exit status */
	ASSAY_SIGNALED,         /* code is the signal number */
	ASSAY_TIMED_OUT,        /* killed at its deadline; code: last signal */
	ASSAY_CANCELLED,        /* killed because the run was interrupted */
	ASSAY_SPAWN_FAILED,     /* never ran; code is the errno */
	ASSAY_SERVED,           /* a job on a worker (serve_spec) that the
	                         * kind said was over (ctx->job_done); the
	                         * worker lives on; code 0 */
};

struct assay_exit {
	uint32_t struct_size;
	enum assay_exit_how how;
	int code;
	uint64_t duration_ns;
	const struct assay_output *out;   /* stdout */
	const struct assay_output *err;   /* stderr */
	double timeout_s;       /* ASSAY_TIMED_OUT: the timeout that passed
	                         * (in a batch, the running case's) */
	/* new fields go here, at the end, and nowhere else */
};

/* A verdict on one test, as a kind reports it. */
struct assay_verdict {
	uint32_t struct_size;
	const char *case_name;  /* NULL: the job's own test */
	enum assay_outcome outcome;
	const char *reason;     /* one line, e.g. "exit code 1"; may be NULL */
	/* for a case reported while its job runs (all optional): */
	uint64_t duration_ns;   /* 0: the host measures it */
	const char *output;     /* what the case printed, or NULL */
	size_t output_len;
	const char *diag;       /* its diagnostics (a TAP YAML block), or NULL */
	const char *classification;  /* what kind of failure, for reports:
	                         * "tap", "exit-code", "sanitizer:asan" ...
	                         * (docs/junit.md lists them); or NULL */
	/* new fields go here, at the end, and nowhere else */
};

/* Host services a kind may call while it handles one task. */
struct assay_job_ctx {
	uint32_t struct_size;
	const struct assay_test *test;      /* the task's */
	void *host;                         /* private to the host */
	/* A verdict: on the program, or on one of its cases (case_name).
	 * For a task of listed cases, every case of the task must get one;
	 * the host reports the rest (see job_end). */
	void (*report)(struct assay_job_ctx *c, const struct assay_verdict *v);
	const struct assay_task *task;
	/* A case of the task began: the host restarts the task's deadline
	 * with the case's timeout (with several running at once, the task's
	 * deadline is the earliest of theirs) and sends
	 * ASSAY_EV_CASE_START. Optional
	 * to call; a crash or a timeout is then blamed on this case. */
	void (*case_start)(struct assay_job_ctx *c, const char *case_name);
	/* The job on a worker is over, its verdicts all reported (the
	 * worker waits for its next request): job_end follows with
	 * ASSAY_SERVED. Ignored for a job with a process of its own. */
	void (*job_done)(struct assay_job_ctx *c);
	/* A case of the task its worker gave back unstarted (asked to by
	 * the spec's give_back): it gets no verdict from this job; the
	 * host runs it in another. */
	void (*give_back)(struct assay_job_ctx *c, const char *case_name);
	/* A case of the task that was running when its process ended and
	 * cannot be judged for it (several ran at once; which one crashed
	 * cannot be told): the host runs it again, alone. From job_end. */
	void (*rerun)(struct assay_job_ctx *c, const char *case_name);
	/* At job_end after a timeout: the case whose deadline passed (the
	 * earliest of those running: each case's deadline is its start
	 * plus its timeout), or NULL (none said it began). */
	const char *timed_out_case;
	/* new fields go here, at the end, and nowhere else */
};

/*
 * A kind of test: decides which files it runs, and turns what a job
 * did into verdicts.
 */
struct assay_kind {
	uint32_t abi_version;   /* ASSAY_PLUGIN_ABI */
	uint32_t struct_size;   /* sizeof(struct assay_kind) as built */
	const char *name;       /* "exec", "tap", ...: unique */
	const char *summary;    /* one line for `assay --help` */

	/*
	 * How much this kind wants the file at path: 0 not at all, higher
	 * wins (the built-in exec kind answers 10 for executables). mode is
	 * st_mode from stat(2); named is 1 when the user named the file
	 * itself on the command line.
	 */
	int (*claim)(const char *path, unsigned mode, int named);

	/*
	 * Per-task state, optional: job_begin is called before the process
	 * starts and may fill spec (return 0, or -1 to fail the task as an
	 * error); job_output for every chunk the process writes (stream 1
	 * stdout, 2 stderr); job_end once after the process is gone and its
	 * pipes are drained, while task->tmpdir still holds what it wrote
	 * (a results file, say). job_end must report a verdict for the
	 * program, or one for each case of the task. Cases it leaves
	 * unreported are the host's: run again in a new process when the
	 * process crashed or timed out in an earlier case, failed as
	 * "never reported" otherwise. The host frees nothing of the kind's
	 * state. A sanitizer report in the output is judged by the host for
	 * every kind (docs/sanitizers.md).
	 */
	int (*job_begin)(void **state, const struct assay_task *task,
			 struct assay_spec *spec);
	void (*job_output)(void *state, int stream, const char *buf, size_t n,
			   struct assay_job_ctx *ctx);
	void (*job_end)(void *state, const struct assay_exit *ex,
			struct assay_job_ctx *ctx);

	/*
	 * Listing, optional: whether a program has cases the host schedules
	 * as tests of their own. At discovery the host starts the process
	 * list_spec describes (return 0, or -1: this program is not listed
	 * and runs whole), bounded in time, and hands what it printed to
	 * list_parse, which adds each case to sink. list_parse returns 0,
	 * or -1 with one line in errbuf: the program is then reported once
	 * as a warning and run whole.
	 */
	int (*list_spec)(const struct assay_test *t, struct assay_spec *spec);
	int (*list_parse)(const struct assay_test *t, const struct assay_exit *ex,
			  const char *out, size_t len, struct assay_case_sink *sink,
			  char *errbuf, size_t errlen);

	/*
	 * Optional: called at discovery for each test this kind will run
	 * (t->id is the path it was found by), to name it, refuse it or
	 * schedule it alone (struct assay_traits).
	 */
	void (*describe)(const struct assay_test *t, struct assay_traits *out);

	/*
	 * Workers, optional: how to start a process that runs job after job
	 * of program t, on threads threads where its tests allow (return 0,
	 * or -1: a process per job). Each job is then started by writing
	 * its spec's request to the worker's stdin, and ends when the kind
	 * calls ctx->job_done; a worker that dies or is killed in a job ends
	 * it as a process of its own would. The host keeps workers between
	 * jobs, and closes their stdin when it needs them no more.
	 */
	int (*serve_spec)(const struct assay_test *t, unsigned threads,
			  struct assay_spec *spec);
	/* new fields go here, at the end, and nowhere else */
};

/* A result as reporters see it. */
struct assay_result {
	uint32_t struct_size;
	const char *id;              /* SUITE or SUITE::CASE */
	const struct assay_test *test;
	enum assay_outcome outcome;
	const char *reason;          /* one line; "" when there is nothing to say */
	uint64_t duration_ns;
	const struct assay_exit *exit;  /* how the job's process ended, once
	                                 * it has; NULL for a case reported
	                                 * while its job still runs */
	const char *note;            /* extra line, e.g. leaked processes; or NULL */
	const char *output;          /* a case's own output (then exit's
	                              * streams are the whole job's), or NULL */
	size_t output_len;
	const char *diag;            /* a case's diagnostics, or NULL */
	enum assay_tally tally;      /* the column the host counted it in */
	const char *classification;  /* from the verdict, or NULL */
	/* which run of the test this came from: iteration of --repeat or
	 * --stress (1..iterations), attempt (1 + retries before it) */
	unsigned iteration, iterations, attempt;
	int flaky;                   /* passed after failing in an earlier
	                              * attempt (ASSAY_EV_TEST_RETRY had it) */
	uint64_t task;               /* the task it came from; 0: none (never
	                              * started) */
	int alone;                   /* --isolate-failures: in TEST_RETRY, the
	                              * next attempt runs alone, once the
	                              * parallel phase is over; in TEST_END,
	                              * this attempt ran alone */
	/* new fields go here, at the end, and nowhere else */
};

/* The column a result was counted in, from hosts old and new. */
static inline enum assay_tally assay_result_tally(const struct assay_result *r)
{
	return r->struct_size >= offsetof(struct assay_result, tally) + sizeof(r->tally)
		       ? r->tally : assay_outcome_tally(r->outcome);
}

/*
 * The run as a whole, as reporters see it. Valid from RUN_START until
 * the reporter's close() returns; the host updates it between events.
 */
struct assay_run_info {
	uint32_t struct_size;
	size_t total;                /* tests planned */
	unsigned jobs;               /* parallel slots */
	double timeout_s;            /* default per-job deadline, 0: none */
	uint64_t elapsed_ns;         /* since the run started */
	/* the summary line's columns so far, as the host counts them */
	size_t passed, failed, skipped, not_run;
	const size_t *counts;        /* results so far by enum assay_outcome */
	size_t ncounts;              /* entries in counts */
	int interrupted;             /* a signal stopped the run */
	int interrupt_signal;
	const char *note;            /* RUN_END: lines to show, or NULL
	                              * (e.g. leftover processes killed) */
	int strict_todo;             /* an xpass counts as failed */
	uint64_t start_wall_ns;      /* when the run started, since the epoch */
	const char *hostname;
	/* facts about the run for reports, as name, value, name, value, ...,
	 * NULL (assay.version, git.commit ...: docs/junit.md); never NULL */
	const char *const *props;
	size_t flaky;                /* results that passed on a retry (in
	                              * passed, or failed with --flaky-result
	                              * fail) */
	unsigned repeat, stress, retries;   /* --repeat/--stress/--retries */
	unsigned shard, nshards;     /* --shard K/N; nshards 0: whole suite */
	int shuffled;                /* --shuffle: seed ordered the queue */
	uint64_t seed;
	/* RUN_END: how well the run used its slots, or NULL */
	const struct assay_schedule *schedule;
	/* RUN_END: tests that ran more than once (--repeat, --stress), runs
	 * counted by how their job ended, in table order */
	const struct assay_repeat_row *const *repeats;
	size_t nrepeats;
	/* after an interrupt: how many signals came (1: running tests were
	 * sent SIGTERM, 2: SIGKILL), and when those still running get
	 * SIGKILL (elapsed_ns's clock; 0: not waiting) */
	unsigned interrupts;
	uint64_t kill_at_ns;
	/* new fields go here, at the end, and nowhere else */
};

/*
 * The schedule's own report (RUN_END): the run's makespan against the
 * lower bound max(work / slots, longest job) no schedule can beat.
 */
struct assay_schedule {
	uint32_t struct_size;
	uint64_t wall_ns;            /* first start to last end */
	uint64_t work_ns;            /* sum of job durations x weight */
	unsigned slots;
	uint64_t bound_ns;           /* max(work / slots, longest_ns) */
	uint64_t idle_ns;            /* slot-time no job used: wall x slots
	                              * - work, at least 0 */
	double efficiency;           /* work / (wall x slots), 0..1 */
	size_t jobs;                 /* runs that started */
	const char *longest_id;      /* the longest job, or NULL */
	uint64_t longest_ns;
	const char *critical_id;     /* the job that ended last, or NULL */
	uint64_t critical_start_ns;  /* its start, since the first start */
	uint64_t critical_ns;        /* its duration */
	/* new fields go here, at the end, and nowhere else */
};

/* One test's runs under --repeat or --stress. */
struct assay_repeat_row {
	uint32_t struct_size;
	const char *id;
	unsigned runs, passed, failed, skipped;
	/* new fields go here, at the end, and nowhere else */
};

/*
 * A run is RUN_START, then per task TASK_START, CASE_START for each case
 * whose start its kind saw, one TEST_END per result (the task's test, or
 * each case), TASK_END; then RUN_END. A task whose attempt is retried
 * sends TEST_RETRY instead of TEST_END. Tests that never start (not
 * runnable, not run) get TEST_END only, with no task. Tasks run at once
 * number at most run->jobs. Reporters must ignore event types they do
 * not know.
 */
enum assay_event_type {
	ASSAY_EV_RUN_START,
	ASSAY_EV_TASK_START,
	ASSAY_EV_TEST_END,
	ASSAY_EV_TICK,               /* periodic, when the reporter asked */
	ASSAY_EV_RUN_END,
	ASSAY_EV_TASK_END,           /* a started task is over, results out */
	ASSAY_EV_TEST_RETRY,         /* a result of an attempt that failed
	                              * and runs again (--retries, or alone:
	                              * --isolate-failures): shown,
	                              * counted in no column; the attempt's
	                              * TASK_END follows */
	ASSAY_EV_CASE_START,         /* a case of the task began */
};

struct assay_event {
	uint32_t struct_size;
	enum assay_event_type type;
	const struct assay_run_info *run;    /* always */
	const struct assay_test *test;       /* TASK_*, TEST_*: the task's
	                                      * test (the program's for a
	                                      * batch); CASE_START: the case's,
	                                      * when it is a test of its own */
	const struct assay_result *result;   /* TEST_END, TEST_RETRY */
	const struct assay_task *task;       /* TASK_*, CASE_START, and
	                                      * TEST_* of a started task; else
	                                      * NULL */
	const struct assay_exit *exit;       /* TASK_END */
	const char *case_name;               /* CASE_START */
	/* new fields go here, at the end, and nowhere else */
};

/* What the host tells a reporter when it opens, and what it answers. */
struct assay_reporter_opts {
	uint32_t struct_size;
	const char *arg;        /* from --reporter NAME=ARG, or NULL */
	int fd;                 /* the console: where human output goes */
	int is_tty;             /* fd is a terminal */
	int color;              /* colours wanted (never with NO_COLOR) */
	unsigned tail_lines;    /* output lines to show for a failure */
	unsigned tick_ms;       /* out: ASSAY_EV_TICK period wanted, 0 none */
	/* for reporters that write files (from struct_size on): */
	int all_output;         /* output of passing tests too, not only of
	                         * failures */
	size_t max_text;        /* cap on one text (an output, a message) */
	/* new fields go here, at the end, and nowhere else */
};

struct assay_reporter {
	uint32_t abi_version;
	uint32_t struct_size;
	const char *name;
	const char *summary;
	/* 0, or -1 with a one-line message in errbuf (size errlen) */
	int (*open)(void **state, struct assay_reporter_opts *o, char *errbuf,
		    size_t errlen);
	void (*event)(void *state, const struct assay_event *ev);
	/* Flush and free; 0, or -1 with a message (the run then exits 3). */
	int (*close)(void *state, char *errbuf, size_t errlen);
	/* new fields go here, at the end, and nowhere else */
};

struct assay_plugin {
	uint32_t abi_version;   /* ASSAY_PLUGIN_ABI */
	uint32_t struct_size;
	const char *name;
	const struct assay_kind *const *kinds;         /* NULL-terminated */
	const struct assay_reporter *const *reporters; /* NULL-terminated */
};

/* The one symbol a plugin exports. */
#define ASSAY_PLUGIN_ENTRY "assay_plugin_entry"
typedef const struct assay_plugin *assay_plugin_entry_fn(void);
const struct assay_plugin *assay_plugin_entry(void);

#ifdef __cplusplus
}
#endif
#endif
