/*
 * harness/api/frames.c - the worker's side of the worker protocol
 * (docs/api.md): its frames, the tests' output between them, and the
 * batches the host sends when the worker serves (--assay-serve).
 *
 * The tests' standard output and error are a pipe of the worker's own
 * (the capture), read back in order: a test's output is drained into
 * the frame buffer before its end frame is, so it lands between its
 * frames whatever the test wrote it with (tests running at once on
 * threads share the capture: there it lands before the next end). Frames and output leave in
 * few writes: when the buffer is big, when a batch ends, and within
 * FLUSH_MS of being written (a pump thread), so the host hears of a
 * test that hangs; a crash (a fatal signal, exit, a sanitizer's death)
 * writes out what is buffered first, so its test is still the one
 * blamed. Never runs a test; ends the process only when the host is
 * gone (nobody to tell) or a fatal signal came; holds the lock across
 * the buffer, the capture, a write, and the host's "Y" with the give
 * back it calls (so that a batch cannot end meanwhile), nothing else.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "api.h"

#define FRAME '\x1e'
#define FLUSH_AT (64 * 1024)    /* buffered bytes that go out at once */
#define FLUSH_MS 2              /* the longest a frame waits to go out */
#define PIPE_BYTES (1 << 20)    /* the capture pipe's size, when allowed */

static struct frames {
	bool open;
	pid_t pid;              /* the worker's: its children are not it */
	int out;                /* the host's pipe: fd 1 as it was */
	int in;                 /* the host's batches: fd 0 as it was, or -1 */
	int cap[2];             /* the capture: fds 1 and 2 write cap[1] */
	int wake[2];            /* tells the pump the buffer filled */
	pthread_mutex_t lock;   /* everything below */
	char *buf;
	size_t len, size;
	double since;           /* when the buffer stopped being empty */
	int stop;               /* the pump's end */
	pthread_t pump;
	/* what the host's batches left unread */
	char *req;
	size_t req_len, req_size;
	/* a batch runs: the pump reads the host's input for "Y" (give
	 * work back), and calls yield with its arg */
	bool batching;
	bool in_over;           /* the host's input ended */
	void (*yield)(void *arg);
	void *yield_arg;
} fr = { .out = -1, .in = -1, .cap = { -1, -1 }, .wake = { -1, -1 },
	 .lock = PTHREAD_MUTEX_INITIALIZER };

/* stdout's buffer into the capture, when it holds anything (fflush
 * itself writes the stream's lock: a fault after each fork). */
static void flush_stdout(void)
{
	if (__fpending(stdout))
		fflush(stdout);
}

/* Makes room for n more bytes (the lock held). */
static void reserve(size_t n)
{
	if (fr.len + n <= fr.size)
		return;
	while (fr.len + n > fr.size)
		fr.size = fr.size ? 2 * fr.size : FLUSH_AT * 2;
	if (!(fr.buf = realloc(fr.buf, fr.size)))
		abort();        /* libassay's rule: no memory, no judging */
}

/* The buffer is about to hold something: the pump's clock starts. */
static void filling(void)
{
	if (fr.len)
		return;
	fr.since = api_now_s();
	if (fr.wake[1] >= 0)
		(void)!write(fr.wake[1], "", 1);
}

static void put(const char *s, size_t n)
{
	filling();
	reserve(n);
	memcpy(fr.buf + fr.len, s, n);
	fr.len += n;
}

static void put_str(const char *s)
{
	put(s, strlen(s));
}

/* " N" in decimal. */
static void put_number(unsigned long long n)
{
	char b[24], *p = b + sizeof(b);

	do
		*--p = (char)('0' + n % 10);
	while (n /= 10);
	*--p = ' ';
	put(p, (size_t)(b + sizeof(b) - p));
}

/* What the tests wrote so far, into the buffer (the lock held). Read
 * straight into it: a buffer on the stack would be pages written again
 * after each fork of an isolate test, a fault each. */
static void drain(void)
{
	for (;;) {
		ssize_t r;

		reserve(4096);
		r = read(fr.cap[0], fr.buf + fr.len, fr.size - fr.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		filling();
		fr.len += (size_t)r;
	}
}

static void flush(void)
{
	if (fr.len && !api_write_all(fr.out, fr.buf, fr.len))
		_exit(1);       /* the host is gone: nobody to tell */
	fr.len = 0;
}

/* Whether the host's unread input starts with a "Y" line (taken). */
static bool take_yield(void)
{
	if (fr.req_len < 2 || fr.req[0] != 'Y' || fr.req[1] != '\n')
		return false;
	memmove(fr.req, fr.req + 2, fr.req_len - 2);
	fr.req_len -= 2;
	return true;
}

static bool read_more(bool wait);

/* The host spoke while a batch runs: "Y" asks for work back. */
static void hear_host(void)
{
	bool yield = false;

	pthread_mutex_lock(&fr.lock);
	if (fr.batching && read_more(false))
		while (take_yield())
			yield = true;
	/* under the lock: the batch cannot end (and its tests be freed)
	 * while its tests are given back */
	if (yield && fr.yield)
		fr.yield(fr.yield_arg);
	pthread_mutex_unlock(&fr.lock);
}

/* The pump: drains the capture as the tests write (a test writing more
 * than the pipe holds never blocks), and sends out what waited
 * FLUSH_MS. */
static void *pump(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), API_PUMP_NAME);
	for (;;) {
		struct pollfd p[3] = { { .fd = fr.cap[0], .events = POLLIN },
				       { .fd = fr.wake[0], .events = POLLIN },
				       { .fd = fr.in, .events = POLLIN } };
		double wait;
		char junk[64];
		bool batching;

		pthread_mutex_lock(&fr.lock);
		if (fr.stop) {
			pthread_mutex_unlock(&fr.lock);
			return NULL;
		}
		drain();
		wait = fr.len ? fr.since + FLUSH_MS / 1e3 - api_now_s() : -1;
		if (fr.len && wait <= 0) {
			flush();
			wait = -1;
		}
		batching = fr.batching && fr.in >= 0 && !fr.in_over;
		pthread_mutex_unlock(&fr.lock);
		if (poll(p, batching ? 3 : 2, wait < 0 ? -1 : (int)(wait * 1e3) + 1) <= 0)
			continue;
		if (p[1].revents)
			(void)!read(fr.wake[0], junk, sizeof(junk));
		if (batching && p[2].revents)
			hear_host();
	}
}

/* A crash: what is buffered and captured goes out before the process
 * dies, so the host blames the test that ran. Async-signal-safe. */
static void last_words(void)
{
	char b[4096];
	ssize_t r;
	bool locked = false;

	/* (a test's own child, forked without exec, has these handlers
	 * too: its exit or crash must not say the worker's last words) */
	if (!fr.open || getpid() != fr.pid)
		return;
	fr.open = false;
	/* the pump may be between reading the capture and buffering it:
	 * wait for it a while (this thread may hold the lock itself, if it
	 * crashed in here: then go on without) */
	for (int i = 0; i < 1000 && !(locked = !pthread_mutex_trylock(&fr.lock)); i++) {
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	(void)api_write_all(fr.out, fr.buf, fr.len);
	fr.len = 0;
	while ((r = read(fr.cap[0], b, sizeof(b))) > 0)
		(void)api_write_all(fr.out, b, (size_t)r);
	if (locked)
		pthread_mutex_unlock(&fr.lock);
}

/* The first thread to crash says the last words and ends the process
 * with its signal; another crashing meanwhile waits for that (with
 * SA_RESETHAND, the second crash killed the process at once, before
 * the first had written a thing). The first crashing again, in the
 * last words, ends the process at once. */
static void on_fatal(int sig)
{
	static pid_t dying;
	pid_t self = (pid_t)syscall(SYS_gettid), first = 0;

	if (!__atomic_compare_exchange_n(&dying, &first, self, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) && first != self)
		for (;;)
			pause();
	if (!first)
		last_words();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	flush_stdout();
	fflush(stderr);
	last_words();
}

/* A sanitizer's runtime ends the process with _exit after its report:
 * its death callback is the last word's chance. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* fd onto target, or the failure's why. */
static int move_fd(int fd, int target, char **problem, const char *what)
{
	if (dup2(fd, target) < 0) {
		*problem = api_format("cannot set up %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

int api_frames_open(bool serve, char **problem)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	int null;

	*problem = NULL;
	flush_stdout();
	fflush(stderr);
	fr.pid = getpid();
	if ((fr.out = fcntl(1, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    pipe2(fr.cap, O_CLOEXEC) < 0 || pipe2(fr.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		*problem = api_format("cannot set up the worker's pipes: %s", strerror(errno));
		return -1;
	}
	(void)fcntl(fr.cap[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(fr.cap[0], F_SETPIPE_SZ, PIPE_BYTES);
	if (move_fd(fr.cap[1], 1, problem, "the tests' output") < 0 ||
	    move_fd(fr.cap[1], 2, problem, "the tests' output") < 0)
		return -1;
	if (serve) {    /* the batches come on fd 0: the tests read nothing */
		if ((fr.in = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0 ||
		    (null = open("/dev/null", O_RDONLY)) < 0 ||
		    move_fd(null, 0, problem, "the tests' input") < 0) {
			if (!*problem)
				*problem = api_format("cannot set up the worker's input: %s",
						      strerror(errno));
			return -1;
		}
		close(null);
	}
	setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
	fr.open = true;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++) {
		struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_NODEFER };
		struct sigaction old;

		/* a handler the program installed is its own business */
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(fatal[i], &sa, NULL);
	}
	atexit(at_exit);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(last_words);
	return 0;
}

int api_frames_pump(char **problem)
{
	*problem = NULL;
	if (pthread_create(&fr.pump, NULL, pump, NULL)) {
		*problem = api_format("cannot start the worker's pump thread");
		return -1;
	}
	return 0;
}

void api_frames_close(void)
{
	flush_stdout();
	fflush(stderr);
	pthread_mutex_lock(&fr.lock);
	fr.stop = 1;
	drain();
	flush();
	pthread_mutex_unlock(&fr.lock);
	(void)!write(fr.wake[1], "", 1);
	pthread_join(fr.pump, NULL);
	fr.open = false;
	free(fr.req);
	fr.req = NULL;
}

void api_frames_forked(void)
{
	/* the parent's buffer is the parent's (its last words are said in
	 * its own process only: last_words), and so are the host's pipes
	 * (held open here, they would keep the host waiting for this
	 * process too once the program ended); each written only if not
	 * yet (a page written in a forked child is a page copied) */
	if (fr.len)
		fr.len = 0;
	if (fr.out >= 0) {
		close(fr.out);
		fr.out = -1;
	}
	if (fr.in >= 0) {
		close(fr.in);
		fr.in = -1;
	}
}

void api_frames_start(const char *id)
{
	flush_stdout();
	pthread_mutex_lock(&fr.lock);
	/* the capture was drained at the last end frame: a test's output is
	 * what comes from here to its end frame */
	put("\x1eS ", 3);
	put_str(id);
	put("\n", 1);
	pthread_mutex_unlock(&fr.lock);
}

void api_frames_end(const char *id, const char *outcome, double took_s,
		    const char *message, const char *at, const char *details)
{
	size_t m = message ? strlen(message) : 0, a = at ? strlen(at) : 0;
	size_t d = details ? strlen(details) : 0;

	flush_stdout();         /* its printf'd output, into the capture */
	pthread_mutex_lock(&fr.lock);
	drain();
	put("\x1e" "E ", 3);
	put_str(id);
	put(" ", 1);
	put_str(outcome);
	put_number(took_s > 0 ? (unsigned long long)(took_s * 1e6 + 0.5) : 0);
	put_number(m);
	put_number(a);
	put_number(d);
	put("\n", 1);
	put(message ? message : "", m);
	put(at ? at : "", a);
	put(details ? details : "", d);
	if (fr.len >= FLUSH_AT)
		flush();
	pthread_mutex_unlock(&fr.lock);
}

void api_frames_batch_begin(void (*yield)(void *arg), void *arg)
{
	bool now = false;

	pthread_mutex_lock(&fr.lock);
	fr.yield = yield;
	fr.yield_arg = arg;
	fr.batching = true;
	while (take_yield())    /* read with the batch */
		now = true;
	if (now && yield)
		yield(arg);
	pthread_mutex_unlock(&fr.lock);
	(void)!write(fr.wake[1], "", 1);        /* the pump listens now */
}

void api_frames_give_back(const char *id)
{
	put("\x1eG ", 3);     /* (the lock is held: see api_frames_batch_begin) */
	put_str(id);
	put("\n", 1);
}

void api_frames_batch_done(void)
{
	flush_stdout();
	pthread_mutex_lock(&fr.lock);
	fr.batching = false;
	drain();
	put("\x1e" "D\n", 3);
	flush();
	pthread_mutex_unlock(&fr.lock);
}

/* Reads more of the host's input (without wait: only what is there
 * now); false at its end, or when nothing was there. */
static bool read_more(bool wait)
{
	struct pollfd p = { .fd = fr.in, .events = POLLIN };
	ssize_t r;

	if (!wait && poll(&p, 1, 0) <= 0)
		return false;
	if (fr.req_len == fr.req_size &&
	    !(fr.req = realloc(fr.req, fr.req_size = fr.req_size ? 2 * fr.req_size : 65536)))
		abort();
	do
		r = read(fr.in, fr.req + fr.req_len, fr.req_size - fr.req_len);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		fr.in_over = true;
		return false;
	}
	fr.req_len += (size_t)r;
	return true;
}

char *api_frames_next_batch(size_t *len)
{
	size_t from = 0;

	for (;;) {
		char *end = NULL;

		/* a batch ends with an empty line */
		for (size_t i = from; i < fr.req_len; i++)
			if (fr.req[i] == '\n' && (i == 0 || fr.req[i - 1] == '\n')) {
				end = fr.req + i;
				break;
			}
		if (end) {
			size_t n = (size_t)(end - fr.req) + 1;
			char *b = malloc(n + 1);

			if (!b)
				abort();
			memcpy(b, fr.req, n);
			b[n] = 0;
			memmove(fr.req, fr.req + n, fr.req_len - n);
			fr.req_len -= n;
			*len = n;
			return b;
		}
		from = fr.req_len;
		if (!read_more(true))
			return NULL;
	}
}
