/*
 * harness/api/run.c - assay_main: a program built with assay/test.h,
 * run by itself. Reads its arguments, chooses its tests, runs them and
 * prints TAP 14 on stdout; the exit status is the usual one (0 passed,
 * 1 a test failed, 77 nothing but skips, 99 a mistake in the program or
 * its arguments).
 *
 * Tests marked `threads` run first, on -j threads at once; every other
 * test then runs alone, one after another, on the main thread; an
 * `isolate` test runs in a child process (forked by the fork server,
 * zygote.c, once nothing else runs), so its crash or hang costs only
 * it. A test past its timeout
 * ends the run with "Bail out!" (in a child: the child is killed, and
 * the test has failed). Test points are numbered as they end.
 *
 * Under assay, the same tests speak the worker protocol instead of TAP
 * (docs/api.md; frames.c writes it): each between a start frame and an
 * end frame, its own output in between. --assay-worker runs the tests
 * its --filter names; --assay-serve runs batch after batch the host
 * sends on stdin, each ended by a "D" frame, until its end. There the
 * host times the tests that run here (it learned their timeouts from
 * --list, and looks at a hung one before it kills the process); an
 * `isolate` test's child is still timed and killed by whoever forked it
 * (the fork server, or this process). Never leaves
 * a child behind, never reads anything but argv, the registry and, when
 * serving, its stdin.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"

#define EXIT_SKIPPED 77
#define EXIT_HARD 99
#define JOBS_MAX 1024

struct run {
	const char *argv0;
	struct api_test **v;    /* the chosen tests */
	size_t n;
	unsigned jobs;
	uint64_t cursor;        /* the tests left to take: the next (low 32
	                         * bits) up to the end (high 32), changed
	                         * whole (a worker gives its tail back) */
	size_t nthreads;        /* v[0..nthreads) run on the pool (on_pool:
	                         * `threads`, not `isolate` or `serial`) */
	bool timed;             /* a test has a timeout the watchdog keeps */
	pthread_mutex_t out;    /* stdout and the counts */
	unsigned long point;    /* the last test point's number */
	size_t failed, skipped;
	/* the watchdog's: each running in-process test and its deadline */
	struct running { const struct api_test *t; double until; } *running;
	pthread_mutex_t watch;
	int stop;               /* the watchdog's end (atomic) */
	bool worker;            /* --assay-worker or --assay-serve: frames */
	bool serve;             /* --assay-serve: batches on stdin */
};

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--list] [--filter GLOB]... [--tag NAME]... [-j N]\n"
		"Runs the tests built into this program and prints TAP.\n"
		"  --list         print each test's id (SUITE::NAME) and attributes\n"
		"  --filter GLOB  only the tests whose id matches GLOB (repeatable)\n"
		"  --tag NAME     only the tests tagged NAME (repeatable: any of them)\n"
		"  -j, --jobs N   run tests marked `threads` on N threads (default 1)\n"
		"  -h, --help     this text\n"
		"Exit status: 0 passed, 1 a test failed, 77 all skipped, 99 an error.\n",
		argv0);
}

/* ---- TAP ---- */

/* s as a YAML double-quoted scalar. */
static void put_yaml(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A description or reason as TAP wants it: '#' and '\' escaped, one line. */
static void put_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '#' || *s == '\\')
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
}

/* One test point for r, with its failures' details as comments; or its
 * end frame. */
static void report(struct run *run, const struct api_record *r, double took_s)
{
	pthread_mutex_lock(&run->out);
	if (run->worker) {
		run->failed += r->failed;
		run->skipped += !r->failed && r->skipped;
		api_frames_end(r->test->id, r->how == 'c' ? "crash" : r->how == 't' ? "timeout" :
			       r->failed ? "fail" : r->skipped ? "skip" : "pass",
			       took_s, r->message, r->at, r->details);
		pthread_mutex_unlock(&run->out);
		return;
	}
	run->point++;
	if (r->failed) {
		run->failed++;
		printf("not ok %lu - ", run->point);
		put_text(stdout, r->test->id);
		printf("\n  ---\n  message: ");
		put_yaml(stdout, r->message);
		if (r->at) {
			printf("\n  at: ");
			put_yaml(stdout, r->at);
		}
		printf("\n  severity: fail\n  ...\n");
		for (const char *s = r->details, *nl; s && *s; s = nl + 1) {
			nl = strchr(s, '\n');
			printf("# %.*s\n", (int)(nl ? nl - s : (long)strlen(s)), s);
			if (!nl)
				break;
		}
	} else {
		printf("ok %lu - ", run->point);
		put_text(stdout, r->test->id);
		if (r->skipped) {
			run->skipped++;
			printf(" # SKIP ");
			put_text(stdout, r->message);
		}
		putchar('\n');
	}
	fflush(stdout);
	pthread_mutex_unlock(&run->out);
}

/* ---- one test, here ---- */

static void watch(struct run *run, unsigned slot, const struct api_test *t)
{
	pthread_mutex_lock(&run->watch);
	run->running[slot].t = t;
	run->running[slot].until = t && t->timeout_s > 0 ? api_now_s() + t->timeout_s : 0;
	pthread_mutex_unlock(&run->watch);
}

/* Runs t on this thread: fixture set-up, the test, tear-down (whatever
 * became of the set-up and the test: the fixture starts zeroed, so what
 * a failed set-up did not reach is still zero), each fatal check or
 * skip leaving its part. */
static void run_here(const struct api_test *t, struct api_record *r)
{
	const struct assay_fixture_def *fx = t->def->fixture;
	void *f = fx ? calloc(1, fx->size ? fx->size : 1) : NULL;

	memset(r, 0, sizeof(*r));
	r->test = t;
	api_record_set(r);
	if (!setjmp(r->out)) {
		if (fx && fx->setup)
			fx->setup(f);
		t->def->fn(f);
	}
	if (fx && fx->teardown && !setjmp(r->out))
		fx->teardown(f);
	api_record_set(NULL);
	free(f);
}

/* ---- one test, in a child ---- */

/* _exit, its address taken as the program loaded: a child that calls
 * a function nothing called before it binds it (lazy binding), which
 * touches pages each child then faults in or copies anew (volatile: so
 * that the compiler calls the pointer, not _exit's PLT entry). */
static void (*volatile quit)(int) = _exit;

/* Calls once what a test's child calls (but the test itself and quit),
 * so that the children forked after it find them bound: for a program
 * linked with libassay.a (libassay.so is linked -z now). (Each call is
 * one the compiler cannot leave out.) */
static void bind_child_calls(void)
{
	jmp_buf j;
	char b[8];
	int sig;
	volatile size_t n = 0;
	const char *volatile empty = "";

	if (!setjmp(j)) {
		void *volatile p = calloc(1, 1);
		free(p);
	}
	memset(b, 0, n);
	memcpy(b + n, empty, n);
	n = strlen(empty);
	(void)__fpending(stdout);
	(void)!write(-1, b, n);
	(void)prctl(PR_GET_PDEATHSIG, &sig);
	(void)getppid();
}

/* Appends s's length and bytes, n at most, to b at *len (b holds them:
 * see send_record). */
static void put_str(char *b, size_t *len, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max)
		n = max;
	memcpy(b + *len, &n, sizeof(n));
	memcpy(b + *len + sizeof(n), s ? s : "", n);
	*len += sizeof(n) + n;
}

/* Sends r to fd in one write, max bytes at most (its details cut, then
 * its message), in the child: no stdio (nothing the parent never
 * called, which each child would bind anew). */
static void send_record(int fd, const struct api_record *r, size_t max)
{
	size_t head = 1 + 3 * sizeof(size_t), m = r->message ? strlen(r->message) : 0;
	size_t a = r->at ? strlen(r->at) : 0, d = r->details ? strlen(r->details) : 0;
	char small[1024], *b = small;
	size_t len = 1;

	if (max < head + a + 64)
		quit(EXIT_HARD);
	max -= head + a;
	if (m > max)
		m = max;
	if (d > max - m)
		d = max - m;
	/* a passing test's fits on the stack, a page written anyway */
	if (head + a + m + d > sizeof(small) && !(b = malloc(head + a + m + d)))
		quit(EXIT_HARD);
	b[0] = r->failed ? 'F' : r->skipped ? 'S' : 'P';
	put_str(b, &len, r->message, m);
	put_str(b, &len, r->at, a);
	put_str(b, &len, r->details, d);
	if (!api_write_all(fd, b, len))
		quit(EXIT_HARD);
}

static char *get_str(const char **p, const char *end)
{
	size_t n;
	char *s;

	if ((size_t)(end - *p) < sizeof(n))
		return NULL;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	if ((size_t)(end - *p) < n)
		return NULL;
	if (!(s = malloc(n + 1)))
		abort();
	memcpy(s, *p, n);
	s[n] = 0;
	*p += n;
	return s;
}

/* Reads all of fd until EOF or the deadline (0: none); -1 past it. */
static int read_all(int fd, double until, char **buf, size_t *len)
{
	size_t cap = 4096;
	char *b = malloc(cap);

	if (!b)
		abort();
	*len = 0;
	for (;;) {
		int ms = until > 0 ? (int)((until - api_now_s()) * 1000) + 1 : -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		if (until > 0 && ms <= 0) {
			*buf = b;
			return -1;
		}
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			break;
		if (!p.revents)
			continue;
		if (*len == cap && !(b = realloc(b, cap *= 2)))
			abort();
		r = read(fd, b + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	*buf = b;
	return 0;
}

static void set_message(struct api_record *r, char *message)
{
	r->failed = true;
	free(r->message);
	r->message = message;
}

/* Runs t in a child: it sends its record back over a pipe and exits
 * (an api_apart_fn: here, or in the fork server). */
static void run_child(const struct api_test *t, int line, struct api_apart *a)
{
	int fds[2];
	pid_t pid, parent = getpid();
	double until = t->timeout_s > 0 ? api_now_s() + t->timeout_s : 0;

	memset(a, 0, sizeof(*a));
	if (__fpending(stdout))         /* (fflush writes its lock: a fault) */
		fflush(stdout);
	/* close-on-exec: what the test starts must not hold the record open */
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto fail;
	if ((pid = fork()) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		goto fail;
	}
	if (pid == 0) {
		struct api_record r;
		api_frames_forked();
		/* its parent's end is its own: what waits for it is gone */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			quit(EXIT_HARD);
		close(fds[0]);
		if (line >= 0)
			close(line);
		run_here(t, &r);
		if (__fpending(stdout))
			fflush(stdout);
		send_record(fds[1], &r, 1 << 20);
		quit(0);
	}
	close(fds[1]);
	a->late = read_all(fds[0], until, &a->buf, &a->len) < 0;
	close(fds[0]);
	if (a->late)
		kill(pid, SIGKILL);
	while (waitpid(pid, &a->status, 0) < 0 && errno == EINTR)
		;
	return;
fail:
	/* an exit status no child gives: its record says why */
	a->status = -1;
	a->buf = api_format("%s", strerror(errno));
	a->len = strlen(a->buf);
}

static void judge_apart(const struct api_test *t, struct api_record *r,
			const struct api_apart *a);

/* Runs t in a child, forked by the fork server if there is one. */
static void run_apart(const struct api_test *t, struct api_record *r)
{
	struct api_apart a;

	if (!api_zygote_run(t, &a))
		run_child(t, -1, &a);
	judge_apart(t, r, &a);
	free(a.buf);
}

/* The record of t, run apart: from its child's wait status and what it
 * sent (buf[0..len)). */
static void judge_apart(const struct api_test *t, struct api_record *r,
			const struct api_apart *a)
{
	int status = a->status;
	size_t len = a->len;
	const char *buf = a->buf;

	memset(r, 0, sizeof(*r));
	r->test = t;
	if (status == -1) {
		set_message(r, api_format("cannot start its child: %.*s", (int)len, buf));
	} else if (a->late) {
		set_message(r, api_format("timeout: it ran past %gs (killed)", t->timeout_s));
		r->how = 't';
	} else if (WIFSIGNALED(status)) {
		set_message(r, api_format("crashed: %s (signal %d)", strsignal(WTERMSIG(status)),
					  WTERMSIG(status)));
		r->how = 'c';
	} else if (len < 1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		set_message(r, api_format("its child exited (status %d) before it ended",
					  WIFEXITED(status) ? WEXITSTATUS(status) : -1));
	} else {
		const char *p = buf + 1, *end = buf + len;
		r->failed = buf[0] == 'F';
		r->skipped = buf[0] == 'S';
		r->message = get_str(&p, end);
		r->at = get_str(&p, end);
		r->details = get_str(&p, end);
		r->details_len = r->details ? strlen(r->details) : 0;
		if (r->message && !*r->message && !r->failed && !r->skipped) {
			free(r->message);
			r->message = NULL;
		}
	}
}

/* ---- the run ---- */

static void run_one(struct run *run, unsigned slot, const struct api_test *t)
{
	struct api_record r;
	double start = api_now_s();

	if (run->worker)
		api_frames_start(t->id);
	if (t->isolate) {
		run_apart(t, &r);
	} else if (run->timed) {
		watch(run, slot, t);
		run_here(t, &r);
		watch(run, slot, NULL);
	} else {
		run_here(t, &r);
	}
	report(run, &r, api_now_s() - start);
	api_record_release(&r);
}

struct worker { struct run *run; unsigned slot; };

#define CURSOR(next, end) ((uint64_t)(end) << 32 | (uint32_t)(next))

/* The next test to run below limit, or -1: none is left. */
static ptrdiff_t take(struct run *run, size_t limit)
{
	uint64_t c = __atomic_load_n(&run->cursor, __ATOMIC_ACQUIRE);

	for (;;) {
		size_t next = (uint32_t)c, end = c >> 32;
		if (next >= end || next >= limit)
			return -1;
		if (__atomic_compare_exchange_n(&run->cursor, &c, CURSOR(next + 1, end), false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return (ptrdiff_t)next;
	}
}

/* The host asked for work back: the second half of the tests not taken
 * yet leave the batch, each said in a frame. */
static void give_back(void *arg)
{
	struct run *run = arg;
	uint64_t c = __atomic_load_n(&run->cursor, __ATOMIC_ACQUIRE);
	size_t next, end, mid;

	do {
		next = (uint32_t)c;
		end = c >> 32;
		if (next >= end)
			return;
		mid = next + (end - next + 1) / 2;
	} while (!__atomic_compare_exchange_n(&run->cursor, &c, CURSOR(next, mid), false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	for (size_t i = mid; i < end; i++)
		api_frames_give_back(run->v[i]->id);
}

static bool on_pool(const struct api_test *t)
{
	return t->threads && !t->isolate && !t->serial;
}

/* A thread of the pool: takes the next `threads` test until none is left. */
static void *pool_thread(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	ptrdiff_t i;

	while ((i = take(run, run->nthreads)) >= 0)
		run_one(run, w->slot, run->v[i]);
	return NULL;
}

/* The watchdog: a test past its timeout ends the run (the test may hold
 * anything: no other way out is safe). */
static void *watchdog(void *arg)
{
	struct run *run = arg;

	while (!__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 10000000 };
		double t = api_now_s();
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&run->watch);
		for (unsigned s = 0; s < run->jobs; s++) {
			const struct running *x = &run->running[s];
			if (!x->t || !x->until || t < x->until)
				continue;
			pthread_mutex_lock(&run->out);
			printf("not ok %lu - ", run->point + 1);
			put_text(stdout, x->t->id);
			printf("\n  ---\n  message: \"timeout: it ran past %gs\"\n  severity: fail\n  ...\n",
			       x->t->timeout_s);
			printf("Bail out! %s ran past its timeout of %gs\n", x->t->id,
			       x->t->timeout_s);
			fflush(stdout);
			_exit(1);
		}
		pthread_mutex_unlock(&run->watch);
	}
	return NULL;
}

static int parse_args(int argc, char **argv, bool *list, const char ***filters,
		      size_t *nfilters, const char **tags, size_t *ntags,
		      unsigned *jobs, bool *worker, bool *serve)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char *end;
		if (!strcmp(a, "--list")) {
			*list = true;
		} else if (!strcmp(a, "--assay-worker")) {
			*worker = true;
		} else if (!strcmp(a, "--assay-serve")) {
			*worker = *serve = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, argv[0]);
			exit(0);
		} else if (!strcmp(a, "--filter") || !strncmp(a, "--filter=", 9)) {
			v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (!v) {
				fprintf(stderr, "%s: --filter needs a GLOB, e.g. --filter 'math::*'\n", argv[0]);
				return -1;
			}
			(*filters)[(*nfilters)++] = v;
		} else if (!strcmp(a, "--tag") || !strncmp(a, "--tag=", 6)) {
			v = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || !*v) {
				fprintf(stderr, "%s: --tag needs a NAME, e.g. --tag slow\n", argv[0]);
				return -1;
			}
			tags[(*ntags)++] = v;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") ||
			   !strncmp(a, "--jobs=", 7) || (!strncmp(a, "-j", 2) && a[2])) {
			v = !strncmp(a, "--jobs=", 7) ? a + 7 : a[1] == 'j' && a[2] ? a + 2 :
			    i + 1 < argc ? argv[++i] : "";
			errno = 0;
			unsigned long n = strtoul(v, &end, 10);
			if (!*v || *end || errno || n < 1 || n > JOBS_MAX) {
				fprintf(stderr, "%s: -j wants a number of threads from 1 to %d, got '%s'\n",
					argv[0], JOBS_MAX, v);
				return -1;
			}
			*jobs = (unsigned)n;
		} else {
			fprintf(stderr, "%s: unknown argument '%s': see %s --help\n",
				argv[0], a, argv[0]);
			return -1;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The filters: the exact ids (no glob character: a batch under assay
 * names thousands) sorted first, the globs after; returns how many are
 * exact. */
static size_t sort_filters(const char **f, size_t n)
{
	size_t exact = 0;

	for (size_t i = 0; i < n; i++)
		if (!strpbrk(f[i], "*?[\\")) {
			const char *x = f[exact];
			f[exact++] = f[i];
			f[i] = x;
		}
	qsort(f, exact, sizeof(*f), cmp_str);
	return exact;
}

static bool chosen(const struct api_test *t, const char **filters, size_t n,
		   size_t exact)
{
	if (exact && bsearch(&t->id, filters, exact, sizeof(*filters), cmp_str))
		return true;
	for (size_t i = exact; i < n; i++)
		if (!fnmatch(filters[i], t->id, 0))
			return true;
	return n == 0;
}

/* Whether t is tagged with any of tags[0..n) (n 0: it is chosen). */
static bool tagged(const struct api_test *t, const char **tags, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(tags[k]);
		for (const char *p = t->tags; p && *p; p += strcspn(p, ","), p += *p == ',')
			if (!strncmp(p, tags[k], len) && (p[len] == ',' || !p[len]))
				return true;
	}
	return n == 0;
}

static void list(const struct run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct api_test *t = run->v[i];
		const char *a = t->def->attrs ? t->def->attrs : "";
		char sep = '\t';

		printf("%s", t->id);
		/* its words as checked, one space between: the host splits
		 * them there */
		for (a += strspn(a, " \t"); *a; a += strspn(a, " \t"), sep = ' ') {
			size_t n = strcspn(a, " \t");

			printf("%c%.*s", sep, (int)n, a);
			a += n;
		}
		putchar('\n');
	}
}

/* Runs run->v[0..n): the `threads` tests on the pool (this thread
 * too), then every other test alone, each in the order given. */
static void run_tests(struct run *run, pthread_t *threads, struct worker *workers)
{
	struct api_test **rest = malloc((run->n + 1) * sizeof(*rest));
	size_t nrest = 0;
	ptrdiff_t i;

	if (!rest)
		abort();
	run->nthreads = 0;
	for (size_t k = 0; k < run->n; k++)
		if (on_pool(run->v[k]))
			run->v[run->nthreads++] = run->v[k];
		else
			rest[nrest++] = run->v[k];
	memcpy(run->v + run->nthreads, rest, nrest * sizeof(*rest));
	free(rest);
	__atomic_store_n(&run->cursor, CURSOR(0, run->n), __ATOMIC_RELEASE);
	if (run->serve)
		api_frames_batch_begin(give_back, run);
	for (unsigned s = 0; s < run->jobs; s++) {
		workers[s] = (struct worker){ .run = run, .slot = s };
		if (s)
			pthread_create(&threads[s], NULL, pool_thread, &workers[s]);
	}
	pool_thread(&workers[0]);
	for (unsigned s = 1; s < run->jobs; s++)
		pthread_join(threads[s], NULL);
	while ((i = take(run, run->n)) >= 0)
		run_one(run, 0, run->v[i]);
}

/* The tests by id, for a worker's batches: open addressing over a
 * power of two at least twice their number. */
struct index {
	struct api_test **slot;
	size_t mask;
};

static size_t hash_id(const char *s, size_t n)
{
	size_t h = 14695981039346656037u;      /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static void index_build(struct index *x, const struct api_tests *all)
{
	size_t size = 16;

	while (size < 2 * all->n)
		size *= 2;
	if (!(x->slot = calloc(size, sizeof(*x->slot))))
		abort();
	x->mask = size - 1;
	for (size_t i = 0; i < all->n; i++) {
		size_t h = hash_id(all->v[i].id, strlen(all->v[i].id)) & x->mask;
		while (x->slot[h])
			h = (h + 1) & x->mask;
		x->slot[h] = &all->v[i];
	}
}

static struct api_test *index_find(const struct index *x, const char *id, size_t n)
{
	for (size_t h = hash_id(id, n) & x->mask; x->slot[h]; h = (h + 1) & x->mask)
		if (!strncmp(x->slot[h]->id, id, n) && !x->slot[h]->id[n])
			return x->slot[h];
	return NULL;
}

/* --assay-serve: batch after batch from the host, each the tests its
 * lines name (an id it does not know is left out: the host judges what
 * it never heard of), until the host's input ends. */
static void serve(struct run *run, const struct api_tests *all,
		  pthread_t *threads, struct worker *workers)
{
	struct index x;
	char *batch;
	size_t len;

	index_build(&x, all);
	while ((batch = api_frames_next_batch(&len))) {
		size_t lines = 0;
		for (size_t i = 0; i < len; i++)
			lines += batch[i] == '\n';
		free(run->v);
		if (!(run->v = calloc(lines + 1, sizeof(*run->v))))
			abort();
		run->n = 0;
		for (char *p = batch, *nl; (nl = memchr(p, '\n', len - (size_t)(p - batch))) && nl > p;
		     p = nl + 1) {
			struct api_test *t = index_find(&x, p, (size_t)(nl - p));
			if (t)
				run->v[run->n++] = t;
		}
		run_tests(run, threads, workers);
		api_frames_batch_done();
		free(batch);
	}
	free(x.slot);
}

/* The fork server, for the `isolate` tests to run (serving: any of
 * all's may come); without one, each is forked here. */
static void start_zygote(const struct run *run, const struct api_tests *all)
{
	size_t n = 0;

	for (size_t i = 0; i < (run->serve ? all->n : run->n); i++)
		n += (run->serve ? &all->v[i] : run->v[i])->isolate;
	if (n) {
		bind_child_calls();
		(void)api_zygote_start(all, run_child);
	}
}

/* A worker's frames, and its pump going; the fork server between the
 * two, so that it starts as small as the program is, with the tests'
 * output captured and no thread but this one. */
static int set_up(const struct run *run, const struct api_tests *all, char **problem)
{
	*problem = NULL;
	if (run->worker && api_frames_open(run->serve, problem) < 0)
		return -1;
	start_zygote(run, all);
	return run->worker ? api_frames_pump(problem) : 0;
}

int assay_main(int argc, char **argv)
{
	struct api_tests all;
	struct run run = { .argv0 = argv[0], .jobs = 1 };
	const char **filters = calloc((size_t)argc + 1, sizeof(*filters));
	const char **tags = calloc((size_t)argc + 1, sizeof(*tags));
	size_t nfilters = 0, ntags = 0, exact;
	bool want_list = false;
	char *problem;
	pthread_t *threads, dog;
	struct worker *workers;

	if (!filters || !tags ||
	    parse_args(argc, argv, &want_list, &filters, &nfilters, tags, &ntags,
		       &run.jobs, &run.worker, &run.serve) < 0) {
		free(filters);
		free(tags);
		return EXIT_HARD;
	}
	if (api_tests_load(&all, &problem) < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], problem ? problem : "out of memory");
		free(problem);
		free(filters);
		free(tags);
		api_tests_release(&all);
		return EXIT_HARD;
	}
	run.v = calloc(all.n + 1, sizeof(*run.v));
	exact = sort_filters(filters, nfilters);
	for (size_t i = 0; i < all.n; i++)
		if (chosen(&all.v[i], filters, nfilters, exact) &&
		    tagged(&all.v[i], tags, ntags)) {
			run.v[run.n++] = &all.v[i];
			run.timed |= all.v[i].timeout_s > 0;
		}
	free(filters);
	free(tags);
	if (want_list) {
		list(&run);
		free(run.v);
		api_tests_release(&all);
		return 0;
	}
	if (set_up(&run, &all, &problem) < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], problem ? problem : "out of memory");
		api_zygote_stop();
		free(problem);
		free(run.v);
		api_tests_release(&all);
		return EXIT_HARD;
	}
	if (!run.worker)
		printf("TAP version 14\n1..%zu%s\n", run.n,
		       run.n ? "" : nfilters || ntags ? " # SKIP no test matches --filter or --tag" : " # SKIP no tests");
	fflush(stdout);
	pthread_mutex_init(&run.out, NULL);
	pthread_mutex_init(&run.watch, NULL);
	run.running = calloc(run.jobs, sizeof(*run.running));
	threads = calloc(run.jobs, sizeof(*threads));
	workers = calloc(run.jobs, sizeof(*workers));
	run.timed &= !run.worker;       /* the host times a worker's tests */
	if (run.timed)
		pthread_create(&dog, NULL, watchdog, &run);
	if (run.serve)
		serve(&run, &all, threads, workers);
	else
		run_tests(&run, threads, workers);
	if (run.timed) {
		__atomic_store_n(&run.stop, 1, __ATOMIC_RELEASE);
		pthread_join(dog, NULL);
	}
	api_zygote_stop();
	if (run.worker)
		api_frames_close();
	free(threads);
	free(workers);
	free(run.running);
	free(run.v);
	api_tests_release(&all);
	if (run.serve)
		return 0;       /* each batch's verdicts are in its frames */
	return run.failed ? 1 : run.skipped == run.n ? EXIT_SKIPPED : 0;
}
