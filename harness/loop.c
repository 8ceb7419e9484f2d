/* loop.c - see loop.h. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "loop.h"
#include "xalloc.h"

#define LOOP_MAX_BATCH 64
#define NOT_ARMED ((size_t)-1)
#define CHILD_BUCKETS 64        /* a power of 2; chains stay short: the
                                 * registry holds running processes only */

struct loop {
	int epfd, sigfd, wakefd;
	struct loop_io sig_io, wake_io;
	loop_signal_fn *on_signal;
	void *signal_arg;
	loop_wakeup_fn *on_wakeup;
	void *wakeup_arg;
	struct loop_timer **heap;
	size_t nheap, capheap, seq;
	struct loop_child *children[CHILD_BUCKETS];
	size_t nchildren;
	bool sigchld;                   /* seen in this iteration */
	unsigned stops;                 /* stop signals seen: 1 << signo */
	struct epoll_event *batch;      /* the iteration's fetched events */
	int nbatch;
	bool no_pwait2;                 /* the kernel lacks epoll_pwait2 */
};

/* Signals that stop a run, unless they were ignored when assay started
 * (nohup ignores SIGHUP; a shell's background job ignores SIGINT). */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static bool ignored(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

static void read_signals(struct loop_io *io);
static void read_wakeups(struct loop_io *io);

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++)
		if (!ignored(stop_signals[i]))
			sigaddset(set, stop_signals[i]);
	return sigprocmask(SIG_BLOCK, set, NULL);
}

int loop_new(struct loop **out, struct err *e)
{
	struct loop *l = xcalloc(1, sizeof(*l));
	sigset_t set;

	l->epfd = l->sigfd = l->wakefd = -1;
	loop_io_init(&l->sig_io, read_signals, l);
	loop_io_init(&l->wake_io, read_wakeups, l);
	if (block_signals(&set) < 0)
		goto fail;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->epfd < 0 || l->sigfd < 0 || l->wakefd < 0 ||
	    loop_io_start(l, &l->sig_io, l->sigfd, NULL) < 0 ||
	    loop_io_start(l, &l->wake_io, l->wakefd, NULL) < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	err_set(e, ERR_SYS, "cannot set up the event loop");
	loop_free(l);
	return ERR_SYS;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->wakefd >= 0)
		close(l->wakefd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->heap);
	free(l);
}

void loop_on_signal(struct loop *l, loop_signal_fn *cb, void *arg)
{
	l->on_signal = cb;
	l->signal_arg = arg;
}

void loop_on_wakeup(struct loop *l, loop_wakeup_fn *cb, void *arg)
{
	l->on_wakeup = cb;
	l->wakeup_arg = arg;
}

/* ---- fd watchers ---- */

void loop_io_init(struct loop_io *io, loop_io_fn *cb, void *arg)
{
	io->fd = -1;
	io->cb = cb;
	io->arg = arg;
}

int loop_io_start(struct loop *l, struct loop_io *io, int fd, struct err *e)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = io };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return err_set(e, ERR_SYS, "cannot watch fd %d", fd);
	io->fd = fd;
	return 0;
}

void loop_io_stop(struct loop *l, struct loop_io *io)
{
	if (io->fd < 0)
		return;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->fd = -1;
	for (int i = 0; i < l->nbatch; i++)     /* fetched, not yet called */
		if (l->batch[i].data.ptr == io)
			l->batch[i].data.ptr = NULL;
}

/* ---- timers: a binary min-heap on (at_ns, seq) ---- */

static bool before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->at_ns < b->at_ns || (a->at_ns == b->at_ns && a->seq < b->seq);
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void sift_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0 && before(t, l->heap[(i - 1) / 2])) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void sift_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn *cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->slot = NOT_ARMED;
	t->cb = cb;
	t->arg = arg;
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	size_t i = t->slot;
	struct loop_timer *last;

	if (i == NOT_ARMED)
		return;
	t->slot = NOT_ARMED;
	last = l->heap[--l->nheap];
	if (last == t)
		return;
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->slot);
}

void loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t at_ns)
{
	loop_timer_stop(l, t);
	xgrow((void **)&l->heap, &l->capheap, l->nheap + 1, sizeof(*l->heap));
	t->at_ns = at_ns;
	t->seq = l->seq++;
	heap_set(l, l->nheap++, t);
	sift_up(l, t->slot);
}

/* Fires the timers due at now, the earliest first. One armed again by
 * its own callback for a time not later than now waits for the next
 * iteration, so a callback cannot keep the loop here. */
static void run_timers(struct loop *l, uint64_t now)
{
	size_t last = l->seq;

	while (l->nheap && l->heap[0]->at_ns <= now && l->heap[0]->seq < last) {
		struct loop_timer *t = l->heap[0];
		loop_timer_stop(l, t);
		t->cb(t);
	}
}

/* ---- children ---- */

static struct loop_child **child_chain(struct loop *l, pid_t pid)
{
	return &l->children[(unsigned)pid & (CHILD_BUCKETS - 1)];
}

void loop_child_watch(struct loop *l, struct loop_child *c, pid_t pid,
		      loop_child_fn *cb, void *arg)
{
	struct loop_child **chain = child_chain(l, pid);

	c->pid = pid;
	c->status = 0;
	c->cb = cb;
	c->arg = arg;
	c->next = *chain;
	*chain = c;
	l->nchildren++;
}

void loop_child_forget(struct loop *l, struct loop_child *c)
{
	struct loop_child **p;

	if (!c->pid)
		return;
	for (p = child_chain(l, c->pid); *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			l->nchildren--;
			break;
		}
	c->pid = 0;
	c->next = NULL;
}

size_t loop_children(const struct loop *l)
{
	return l->nchildren;
}

static struct loop_child *child_find(struct loop *l, pid_t pid)
{
	struct loop_child *c = *child_chain(l, pid);

	while (c && c->pid != pid)
		c = c->next;
	return c;
}

bool loop_child_watched(struct loop *l, pid_t pid)
{
	return child_find(l, pid) != NULL;
}

/* waitid's account of an exit, as waitpid's status word. */
static int wait_status(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	default:
		return si->si_status & 0x7f;
	}
}

/* Every child that has exited: its owner's callback while it is still
 * a zombie (WNOWAIT), then the reap. */
static void reap_children(struct loop *l)
{
	for (;;) {
		siginfo_t si;
		struct loop_child *c;
		pid_t pid;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			return;
		pid = si.si_pid;
		if ((c = child_find(l, pid))) {
			c->status = wait_status(&si);
			loop_child_forget(l, c);
			c->pid = pid;           /* still a name while in cb;
			                         * c may be freed by it */
			c->cb(c);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

/* ---- signals and wakeups ---- */

static void read_signals(struct loop_io *io)
{
	struct loop *l = io->arg;
	struct signalfd_siginfo si;

	while (io_read(l->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			l->sigchld = true;
		else if (si.ssi_signo < 32)
			l->stops |= 1u << si.ssi_signo;
	}
}

/* After the reaping: a test that ended just before the signal keeps its
 * own result (the signalfd may hand out SIGINT before the SIGCHLD that
 * came with it). */
static void deliver_signals(struct loop *l)
{
	unsigned stops = l->stops;

	l->stops = 0;
	for (int sig = 1; stops && sig < 32; sig++)
		if (stops & (1u << sig) && l->on_signal)
			l->on_signal(l->signal_arg, sig);
}

static void read_wakeups(struct loop_io *io)
{
	struct loop *l = io->arg;
	uint64_t n;

	while (io_read(l->wakefd, &n, sizeof(n)) == sizeof(n))
		;
	if (l->on_wakeup)
		l->on_wakeup(l->wakeup_arg);
}

void loop_wakeup(struct loop *l)
{
	uint64_t one = 1;
	int saved = errno;

	/* a full counter means a wakeup is pending already */
	(void)!write(l->wakefd, &one, sizeof(one));
	errno = saved;
}

/* ---- the iteration ---- */

static int wait_for(struct loop *l, uint64_t now, uint64_t max_wait_ns,
		    struct epoll_event *got)
{
	uint64_t ns = max_wait_ns;
	struct timespec ts;

	if (l->nheap) {
		uint64_t due = l->heap[0]->at_ns;
		uint64_t until = due > now ? due - now : 0;
		if (until < ns)
			ns = until;
	}
	if (ns == UINT64_MAX)
		return epoll_wait(l->epfd, got, LOOP_MAX_BATCH, -1);
	ts.tv_sec = (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	if (!l->no_pwait2) {
		int n = epoll_pwait2(l->epfd, got, LOOP_MAX_BATCH, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		l->no_pwait2 = true;    /* a kernel before 5.11 */
	}
	ns = (ns + 999999) / 1000000;   /* whole ms, rounded up */
	return epoll_wait(l->epfd, got, LOOP_MAX_BATCH,
			  ns > 3600000 ? 3600000 : (int)ns);
}

int loop_run_once(struct loop *l, uint64_t max_wait_ns, struct err *e)
{
	struct epoll_event got[LOOP_MAX_BATCH];
	int n = wait_for(l, io_now_ns(), max_wait_ns, got);

	if (n < 0 && errno != EINTR)
		return err_set(e, ERR_SYS, "waiting for events failed");
	(void)io_now_ns();      /* what the callbacks' io_recent_ns says */
	l->batch = got;
	l->nbatch = n > 0 ? n : 0;
	l->sigchld = false;
	for (int i = 0; i < l->nbatch; i++) {
		struct loop_io *io = got[i].data.ptr;
		if (io)                 /* NULL: stopped by an earlier callback */
			io->cb(io);
	}
	l->batch = NULL;
	l->nbatch = 0;
	if (l->sigchld)
		reap_children(l);
	deliver_signals(l);
	run_timers(l, io_now_ns());
	return 0;
}
