/*
 * main.c - the assay program: parses the command line and runs one
 * command (run, list, merge, history, help, version) through the
 * pipeline options -> discover -> test table -> order (history, conf)
 * -> shard -> runner -> bus -> reporters.
 *
 * The only place that prints assay's own errors and picks the exit
 * status (0 passed, 1 a test failed, 2 usage, 3 internal, 130
 * interrupted). Never runs a test itself.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "conf.h"
#include "discover.h"
#include "gpu.h"
#include "gpucheck.h"
#include "gpuhelper.h"
#include "gpuhost.h"
#include "history.h"
#include "hunt.h"
#include "io.h"
#include "lister.h"
#include "merge.h"
#include "wrapper.h"
#include "opts.h"
#include "order.h"
#include "props.h"
#include "registry.h"
#include "runner.h"
#include "select.h"
#include "shard.h"
#include "table.h"
#include "term.h"
#include "xalloc.h"

enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3,
       EXIT_INTERRUPTED = 130 };

/* A test must never get assay's pipes as its stdin/out/err because one
 * of 0, 1, 2 was closed when assay started. */
static void ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static int fail(int code, const struct err *e)
{
	fprintf(stderr, "assay: %s\n", e->msg);
	return err_exit_status(code);
}

/* Without PATH: the first of ./tests, ./test, ./t that is a directory. */
static int default_paths(struct opts *o, struct err *e)
{
	static const char *const dirs[] = { "tests", "test", "t", NULL };
	struct stat st;

	if (o->paths.n)
		return 0;
	for (size_t i = 0; dirs[i]; i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			strlist_push(&o->paths, dirs[i]);
			return 0;
		}
	return err_set(e, ERR_USAGE,
		       "no PATH given and no tests/, test/ or t/ directory here: name the files or directories that hold your tests");
}

static int load_plugins(struct registry *reg, const struct opts *o, struct err *e)
{
	int rc;

	for (size_t i = 0; i < o->plugins.n; i++)
		if ((rc = registry_load(reg, o->plugins.v[i], e)) < 0)
			return rc;
	return 0;
}

/* One line per test, its id made harmless (term.h), and why it cannot
 * run when it cannot; nul: each id as it is, ended by a NUL. */
static int list_tests(const struct test_table *t, bool nul)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct test *x = t->v[i];
		if (nul) {
			fputs(x->pub.id, stdout);
			putchar(0);
			continue;
		}
		term_write(stdout, x->pub.id, strlen(x->pub.id), TERM_NAME);
		if (x->problem) {
			fputs("\t# error: ", stdout);
			term_write(stdout, x->problem, strlen(x->problem), TERM_NAME);
		}
		putchar('\n');
	}
	return fflush(stdout) == 0 ? EXIT_PASSED : EXIT_INTERNAL;
}

static int open_reporters(struct bus *bus, const struct registry *reg,
			  const struct opts *o, struct err *e)
{
	const char *nc = getenv("NO_COLOR");
	struct assay_reporter_opts ro = {
		.struct_size = sizeof(ro), .fd = 1, .is_tty = isatty(1),
		.tail_lines = o->tail_lines,
	};
	int rc;

	ro.all_output = o->junit_all_output;
	ro.max_text = o->junit_max_text;
	if (o->junit) {
		ro.arg = o->junit;
		if ((rc = bus_open(bus, reg, "junit", &ro, e)) < 0)
			return rc;
	}
	if (o->format != OPTS_FORMAT_HUMAN) {
		ro.arg = NULL;
		/* TAP owns stdout; people read the console on stderr */
		if ((rc = bus_open(bus, reg, o->format == OPTS_FORMAT_TAP ?
					     "tap" : "tap13", &ro, e)) < 0)
			return rc;
		ro.fd = 2;
		ro.is_tty = isatty(2);
	}

	ro.color = o->color == OPTS_COLOR_ALWAYS ||
		   (o->color == OPTS_COLOR_AUTO && ro.is_tty);
	if (nc && *nc)
		ro.color = 0;
	for (size_t i = 0; i < o->reporters.n; i++) {
		ro.arg = NULL;
		if ((rc = bus_open(bus, reg, o->reporters.v[i], &ro, e)) < 0)
			return rc;
	}
	/* the console hears every event last, so its summary line is the
	 * last line of the run whatever other reporters print */
	ro.arg = o->quiet ? "quiet" : o->verbose ? "verbose" : NULL;
	return bus_open(bus, reg, "console", &ro, e);
}

static int exit_status(const struct assay_run_info *info)
{
	if (info->interrupted)
		return EXIT_INTERRUPTED;
	return info->failed ? EXIT_FAILED : EXIT_PASSED;
}

/* What the run is told beside the tests: the order and shard facts. */
struct plan {
	struct history history;
	struct order_pools pools;
	struct shard shard;
	uint64_t seed;
	struct wrapper wrapper;         /* argv NULL: none */
	struct hunt hunt;               /* runs 0: no --hunt */
	double timeout_scale;           /* --timeout-multiplier x the wrapper's */
	struct gpu_list gpus;           /* when a test needs one */
	bool gpus_loaded;               /* gpus is read (load_gpus) */
};

static int run_tests(struct test_table *t, const struct registry *reg,
		     const struct opts *o, struct plan *p, int argc, char **argv)
{
	struct runner_opts ro = {
		.jobs = o->jobs, .timeout_s = o->timeout_s, .grace_s = o->grace_s,
		.workers = o->workers, .threads = o->threads,
		.strict_todo = o->strict_todo, .output_dir = o->output_dir,
		.max_log = o->max_log, .max_logs_total = o->max_logs_total,
		.keep_logs = o->keep_logs, .shared_home = o->shared_home, .repeat = o->repeat, .stress = o->hunt ? o->hunt : o->stress,
		.until_fail = o->until_fail, .flaky_fails = o->flaky_fails,
		.retries = o->retries, .isolate = o->isolate, .pools = &p->pools, .history = &p->history,
		.shuffled = o->order == ORDER_RANDOM, .seed = p->seed,
		.shard = p->shard.k, .nshards = p->shard.n, .batch = o->batch,
		.idle_timeout_s = o->idle_timeout_s, .backtrace = !o->no_backtrace,
		.max_output = o->max_output,
		.wrapper = p->wrapper.argv ? &p->wrapper : NULL,
		.hunt = p->hunt.runs ? &p->hunt : NULL,
		.timeout_scale = p->timeout_scale,
		.timeout_multiplier = o->timeout_multiplier,
		.gpus = &p->gpus, .gpu_slots = o->gpu_slots,
	};
	struct run_state rs = { 0 };
	struct err e = ERR_INIT;
	struct props props;
	struct bus *bus;
	int rc;

	/* git facts cost a status scan: only for reports that keep them */
	props_build(&props, argc, argv, o->jobs, io_wall_ns(),
		    o->junit || o->reporters.n);
	if (ro.shuffled)
		props_add(&props, "assay.seed", xasprintf("%llu",
			  (unsigned long long)p->seed));
	if (p->shard.n)
		props_add(&props, "assay.shard", xasprintf("%u/%u", p->shard.k,
			  p->shard.n));
	ro.props = props.v;
	ro.hostname = props.hostname;
	ro.state_dir = p->history.dir;
	bus_new(&bus);
	if ((rc = open_reporters(bus, reg, o, &e)) < 0)
		goto out;
	if ((rc = runner_run(t, &ro, bus, &rs, &e)) < 0) {
		bus_close(bus, NULL);
		goto out;
	}
	rc = bus_close(bus, &e);
out:
	bus_free(bus);
	run_state_release(&rs);
	props_release(&props);
	if (rc < 0)
		return fail(rc, &e);
	return exit_status(&rs.info);
}

/* Keeps what this run runs (select.c), saying which shard it is. */
static int pick_tests(struct test_table *t, const struct opts *o,
		      struct plan *p, struct err *e)
{
	struct select_opts so = { .shard = o->shard, .tags = o->tags.v,
				  .ntags = o->tags.n };
	struct selection sel;
	int rc = select_tests(t, &so, &sel, e);

	p->shard = sel.shard;
	if (!rc && so.ntags)
		fprintf(stderr, "assay: --tag: %zu of %zu test%s\n", sel.tagged,
			sel.found, sel.found == 1 ? "" : "s");
	if (!rc && sel.shard.n)
		fprintf(stderr, "assay: shard %u/%u (%s): %zu of %zu test%s\n",
			sel.shard.k, sel.shard.n, sel.shard.source, t->n, sel.found,
			sel.found == 1 ? "" : "s");
	return rc;
}

/* Each line of text (NULL: none) as "assay: warning: LINE", made
 * harmless for a terminal: test ids may be in it. */
static void warn_lines(const char *text)
{
	for (const char *s = text, *nl; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		fputs("assay: warning: ", stderr);
		term_write(stderr, s, nl ? (size_t)(nl - s) : strlen(s), TERM_LINE);
		fputc('\n', stderr);
	}
}

/* Programs whose kind lists their cases become those cases; a program
 * that cannot be listed is a warning, and runs whole. */
static int list_cases(struct test_table *t, const struct opts *o, struct err *e)
{
	char *notes = NULL;
	int rc = lister_run(t, o->jobs, o->state_dir, &notes, e);

	warn_lines(notes);
	free(notes);
	return rc;
}

/* One warning per [tests] section that matched no test found: a user
 * who mistyped a glob must not wait out a default timeout to learn it. */
static void warn_unused(const struct conf *c, const struct test_table *t)
{
	const struct conf_rule *r[8];
	size_t n = conf_unused(c, r, 8);

	for (size_t i = 0; i < n && i < 8; i++)
		fprintf(stderr,
			"assay: warning: %s: [tests \"%s\"] matches no test found (its glob is matched against ids like '%s' and their paths; check it, or run 'assay list')\n",
			r[i]->where, r[i]->pattern, t->n ? t->v[0]->pub.id : "unit/buf_test");
}

/*
 * The devices, once: a CTest resource spec's (read even when no test
 * needs it: a mistake in it is told now) or, when want, the driver's
 * (the probe of assay devices). None is not an error (p->gpus.missing).
 */
static int load_gpus(const struct opts *o, struct plan *p, bool want,
		     struct err *e)
{
	char *ignored = NULL;
	int rc;

	if (p->gpus_loaded)
		return 0;
	if (o->resource_spec) {
		if ((rc = gpu_read_spec(&p->gpus, o->resource_spec, &ignored, e)) < 0)
			return rc;
		if (ignored)
			fprintf(stderr, "assay: warning: %s: assay schedules its gpus only, "
				"not: %s\n", o->resource_spec, ignored);
		free(ignored);
	} else if (!want) {
		return 0;
	} else if ((rc = gpu_discover(&p->gpus, e)) < 0) {
		return rc;
	}
	p->gpus_loaded = true;
	if (p->gpus.n > SCHED_MAX_GPUS) {
		fprintf(stderr, "assay: warning: %zu CUDA devices; GPU tests use the first %d\n",
			p->gpus.n, SCHED_MAX_GPUS);
		p->gpus.n = SCHED_MAX_GPUS;
	}
	return 0;
}

/* Orders the tests by what conf and history say, then shards them. */
static int plan_run(struct test_table *t, struct conf *c,
		    const struct opts *o, struct plan *p, struct err *e)
{
	struct order_opts oo = { .mode = o->order, .failed_first = o->failed_first,
				 .timeout_s = o->timeout_s,
				 .slots = o->jobs, .retries = o->retries,
				 .allow_leaks = o->allow_leaks };
	const char *gpu_names[SCHED_MAX_GPUS];
	int rc;

	if (o->wrapper && (rc = wrapper_parse(&p->wrapper, o->wrapper, e)) < 0)
		return rc;
	p->timeout_scale = o->timeout_multiplier *
			   (p->wrapper.argv ? p->wrapper.scale : 1);
	oo.timeout_scale = p->timeout_scale;

	history_load(&p->history, o->state_dir);
	warn_lines(p->history.problem);
	p->seed = o->seed_given ? o->seed : order_new_seed();
	oo.seed = p->seed;
	if (o->hunt && (rc = hunt_init(&p->hunt, o->hunt, p->seed, o->hunt_seed,
				       o->record, e)) < 0)
		return rc;
	if (p->hunt.rr) {       /* a test runs about 3 times slower under rr */
		p->timeout_scale *= WRAPPER_RR_SCALE;
		oo.timeout_scale = p->timeout_scale;
	}
	/* --each-gpu: the devices, before the tests copied for them meet
	 * their history */
	if (o->each_gpu && (rc = load_gpus(o, p, true, e)) < 0)
		return rc;
	if (o->each_gpu)
		for (size_t k = 0; k < p->gpus.n; k++)
			gpu_names[oo.each_gpu++] = p->gpus.v[k].id;
	oo.gpu_names = gpu_names;
	order_plan(t, c, &p->history, &oo, &p->pools);
	warn_unused(c, t);
	return pick_tests(t, o, p, e);
}

static int load_conf(struct conf *c, const struct opts *o,
		     const struct registry *reg, struct err *e)
{
	int rc = conf_load(c, o->config, reg, e);

	for (size_t i = 0; !rc && i < o->sets.n; i++)
		rc = conf_set(c, o->sets.v[i], reg, e);
	return rc;
}

/* Whether file (its directory resolved) lies inside dir; a dir that is
 * not there yet holds nothing. */
static bool lies_in(const char *file, const char *dir)
{
	const char *slash = strrchr(file, '/');
	char *parent = slash ? xasprintf("%.*s", (int)(slash - file + 1), file) : xstrdup(".");
	char *d = dir && *dir ? realpath(dir, NULL) : NULL, *p = realpath(parent, NULL);
	size_t n = d ? strlen(d) : 0;
	bool in = d && p && !strncmp(p, d, n) && (p[n] == '/' || !p[n]);

	free(parent);
	free(d);
	free(p);
	return in;
}

/* --junit must not name a file assay writes itself: a log would be
 * overwritten and the report would point at it. */
static int check_junit(const struct opts *o, struct err *e)
{
	if (o->command != OPTS_RUN || !o->junit)
		return 0;
	if (lies_in(o->junit, o->output_dir))
		return err_set(e, ERR_USAGE,
			       "--junit '%s' is in the log directory '%s', where assay writes the tests' output: write the report elsewhere",
			       o->junit, o->output_dir);
	if (lies_in(o->junit, o->state_dir))
		return err_set(e, ERR_USAGE,
			       "--junit '%s' is in the state directory '%s', where assay keeps its history: write the report elsewhere",
			       o->junit, o->state_dir);
	return 0;
}

/*
 * When a test needs GPUs, finds the devices (load_gpus). A test that
 * needs more than there are is skipped, saying why, or with
 * --require-gpu is an error; one line says what the GPU tests have.
 */
static int find_gpus(struct test_table *t, const struct opts *o,
		     struct plan *p, struct err *e)
{
	size_t want = 0, left = 0;
	int rc;

	for (size_t i = 0; i < t->n; i++)
		want += t->v[i]->need.gpus > 0;
	if ((rc = load_gpus(o, p, want > 0, e)) < 0 || !want)
		return rc;
	for (size_t i = 0; i < t->n; i++) {
		struct test *x = t->v[i];
		char *why;

		if (x->need.gpus <= p->gpus.n)
			continue;
		why = p->gpus.n ? xasprintf("it needs %u GPUs, and this machine has %zu",
					    x->need.gpus, p->gpus.n)
				: xasprintf("it needs a GPU: %s", p->gpus.missing);
		if (o->require_gpu && !x->problem) {
			x->problem = xasprintf("%s (--require-gpu)", why);
			free(why);
		} else if (!x->skip && !x->problem) {
			x->skip = why;
		} else {
			free(why);
		}
		x->need.gpus = 0;
		x->need.gpu_whole = false;
		left++;
	}
	if (p->gpus.n && o->resource_spec)
		fprintf(stderr, "assay: %zu test%s need%s GPUs: %zu device%s of %s\n",
			want, want == 1 ? "" : "s", want == 1 ? "s" : "", p->gpus.n,
			p->gpus.n == 1 ? "" : "s", o->resource_spec);
	else if (p->gpus.n)
		fprintf(stderr, "assay: %zu test%s need%s GPUs: %zu CUDA device%s, %u at once on each\n",
			want, want == 1 ? "" : "s", want == 1 ? "s" : "", p->gpus.n,
			p->gpus.n == 1 ? "" : "s", o->gpu_slots);
	if (left)
		fprintf(stderr, "assay: %zu test%s that need%s GPUs cannot have them: %s%s\n",
			left, left == 1 ? "" : "s", left == 1 ? "s" : "",
			p->gpus.n ? "too few devices" : p->gpus.missing,
			o->require_gpu ? " (--require-gpu: they fail)" : " (they are skipped)");
	return 0;
}

static int command(struct opts *o, struct registry *reg, int argc,
		   char **argv, struct err *e)
{
	struct conf conf;
	char *dropped = NULL;
	struct discover_opts d = { .paths = &o->paths, .excludes = &o->excludes,
				   .kind = o->kind, .conf = &conf,
				   .reg = reg, .dropped = &dropped,
				   .strict = o->strict_discovery };
	struct plan p = { 0 };
	struct test_table t;
	int rc;

	if ((rc = default_paths(o, e)) < 0 || (rc = check_junit(o, e)) < 0 ||
	    (rc = load_plugins(reg, o, e)) < 0)
		return fail(rc, e);
	if ((rc = load_conf(&conf, o, reg, e)) < 0) {
		conf_release(&conf);
		return fail(rc, e);
	}
	table_init(&t);
	rc = discover(&t, &d, e);
	warn_lines(dropped);
	free(dropped);
	if (rc < 0 || (rc = list_cases(&t, o, e)) < 0 ||
	    (rc = plan_run(&t, &conf, o, &p, e)) < 0) {
		rc = fail(rc, e);
	} else if (o->command == OPTS_LIST) {
		rc = list_tests(&t, o->nul);
	} else if (!t.n && !p.shard.n) {
		err_set(e, ERR_USAGE,
			"no tests found under the paths given (a test is an executable file; see 'assay --help')");
		rc = fail(ERR_USAGE, e);
	} else if ((rc = find_gpus(&t, o, &p, e)) < 0) {
		rc = fail(rc, e);
	} else {
		rc = run_tests(&t, reg, o, &p, argc, argv);
	}
	table_release(&t);
	conf_release(&conf);
	history_release(&p.history);
	order_pools_release(&p.pools);
	wrapper_release(&p.wrapper);
	hunt_release(&p.hunt);
	gpu_list_release(&p.gpus);
	return rc;
}

/* assay devices: what the GPU probe found, or what is missing. */
static int show_devices(struct err *e)
{
	struct gpu_list l;
	int rc = gpu_discover(&l, e);

	if (rc < 0)
		return rc;
	if (!l.n) {
		printf("assay: %s\n", l.missing);
		printf("assay: tests that need a GPU will be skipped\n");
	} else {
		printf("assay: %zu CUDA device%s, driver %d.%d\n", l.n, l.n == 1 ? "" : "s",
		       l.driver / 1000, l.driver % 1000 / 10);
		printf("  %-5s %-40s %-7s %10s  %-12s  %s\n", "INDEX", "UUID",
		       "COMPUTE", "MEMORY", "PCI", "NAME");
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct gpu_device *g = &l.v[i];
		char cc[16];

		snprintf(cc, sizeof(cc), "%d.%d", g->cc_major, g->cc_minor);
		printf("  %-5u %-40s %-7s %6.1f GiB  %-12s  ", g->index, g->uuid, cc,
		       g->mem / 1073741824.0, g->pci);
		term_write(stdout, g->name, strlen(g->name), TERM_LINE);
		putchar('\n');
	}
	gpu_list_release(&l);
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = ERR_INIT;
	struct registry *reg;
	struct opts o;
	struct gpucheck g = { 0 };
	int rc;

	ensure_std_fds();
	if (argc == 2 && !strcmp(argv[1], GPU_PROBE_COMMAND))
		return gpu_probe_main();
	if (argc == 3 && !strcmp(argv[1], GPU_CANARY_COMMAND))
		return gpu_canary_main(argv[2]);
	if (argc == 3 && !strcmp(argv[1], CUDA_LIST_COMMAND))
		return cuda_list_main(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], GPU_FAULT_COMMAND))
		return gpu_fault_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], CUDA_RUN_COMMAND))
		return cuda_run_main(argc - 2, argv + 2);
	signal(SIGPIPE, SIG_IGN);
	/* inherited SIG_IGN would make the kernel reap tests unseen */
	signal(SIGCHLD, SIG_DFL);
	if ((rc = opts_parse(&o, argc, argv, &e)) < 0) {
		opts_release(&o);
		return fail(rc, &e);
	}
	if (o.command == OPTS_HELP) {
		fputs(opts_usage(), stdout);
		rc = EXIT_PASSED;
	} else if (o.command == OPTS_MERGE) {
		rc = merge_reports(o.merge_out, o.paths.v, o.paths.n, &e);
		rc = rc < 0 ? fail(rc, &e) : EXIT_PASSED;
	} else if (o.command == OPTS_DEVICES) {
		rc = show_devices(&e);
		rc = rc < 0 ? fail(rc, &e) : EXIT_PASSED;
	} else if (o.command == OPTS_HISTORY) {
		rc = history_show(o.state_dir, o.top, stdout, &e);
		rc = rc < 0 ? fail(rc, &e) : EXIT_PASSED;
	} else if (o.command == OPTS_VERSION) {
		printf("assay %s\n", PACKAGE_VERSION);
		rc = EXIT_PASSED;
	} else if (o.gpu_check && (rc = gpucheck_prepare(&g, o.state_dir, &e)) < 0) {
		rc = fail(rc, &e);
	} else {
		if (o.gpu_check)        /* assay gpu-check: a run of its module */
			strlist_push(&o.paths, g.dir);
		registry_new(&reg);
		rc = command(&o, reg, argc, argv, &e);
		registry_free(reg);
	}
	gpucheck_release(&g);
	opts_release(&o);
	return rc;
}
