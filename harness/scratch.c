/* scratch.c - see scratch.h. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owner.h"
#include "scratch.h"
#include "xalloc.h"

/* Makes root/n and its layout (scratch.h); NULL when it cannot. */
static char *make_dir(struct scratch *s, unsigned long n)
{
	static const char *const parts[] = {
		"tmp", "home", "run", "home/.config", "home/.cache",
		"home/.local", "home/.local/share", "home/.local/state",
	};
	char *d = xasprintf("%s/%lu", s->root, n);
	size_t len = strlen(d), k = s->home ? sizeof(parts) / sizeof(*parts) : 1;
	char *sub = xmalloc(len + 24);
	bool ok = mkdir(d, 0700) == 0;

	for (size_t i = 0; ok && i < k; i++) {
		snprintf(sub, len + 24, "%s/%s", d, parts[i]);
		ok = mkdir(sub, 0700) == 0;
	}
	free(sub);
	if (ok)
		return d;
	(void)scratch_remove(d);
	free(d);
	return NULL;
}

/*
 * The janitor: refills the ready list, empties the trash, sleeps when
 * neither needs it. Keeps two directories ready before anything else,
 * so the loop rarely has to make one itself.
 */
static void *janitor_main(void *arg)
{
	struct scratch *s = arg;
	char *d;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		bool low = s->nready < 2, room = s->nready < SCRATCH_AHEAD;
		if (!s->stopping && (low || (room && !s->ntrash))) {
			unsigned long n = s->next++;
			pthread_mutex_unlock(&s->mu);
			d = make_dir(s, n);
			pthread_mutex_lock(&s->mu);
			if (!d)         /* the loop will make its own and say why */
				s->stopping = true;
			else
				s->ready[s->nready++] = d;
		} else if (s->ntrash) {
			d = s->trash[--s->ntrash];
			pthread_mutex_unlock(&s->mu);
			(void)scratch_remove(d);
			free(d);
			pthread_mutex_lock(&s->mu);
		} else if (s->stopping) {
			break;
		} else {
			pthread_cond_wait(&s->wake, &s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int scratch_open(struct scratch *s, bool home, struct err *e)
{
	const char *base = getenv("TMPDIR");
	sigset_t all, old;

	memset(s, 0, sizeof(*s));
	s->home = home;
	if (!base || !*base)
		base = "/tmp";
	/* what runs killed before their end left behind */
	s->swept = owner_sweep(base, "assay-", true, scratch_remove);
	s->root = xasprintf("%s/assay-%s-XXXXXX", base, owner_tag());
	if (!mkdtemp(s->root)) {
		free(s->root);
		s->root = NULL;
		return err_set(e, ERR_SYS,
			       "cannot create a temporary directory in '%s' (set TMPDIR to a writable directory)",
			       base);
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->wake, NULL);
	/* the janitor must never take a signal meant for the loop's
	 * signalfd: it starts with all of them blocked. Without a thread,
	 * everything is simply done inline. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	s->threaded = pthread_create(&s->janitor, NULL, janitor_main, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int scratch_job_dir(struct scratch *s, char **out, struct err *e)
{
	unsigned long n;

	pthread_mutex_lock(&s->mu);
	*out = s->nready ? s->ready[--s->nready] : NULL;
	n = s->next++;
	if (s->nready <= SCRATCH_AHEAD / 2)     /* wake it for a batch */
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
	if (*out || (*out = make_dir(s, n)))
		return 0;
	return err_set(e, ERR_SYS, "cannot create a test directory in '%s'",
		       s->root);
}

void scratch_discard(struct scratch *s, char *dir)
{
	if (!dir)
		return;
	if (!s->threaded) {
		(void)scratch_remove(dir);
		free(dir);
		return;
	}
	pthread_mutex_lock(&s->mu);
	xgrow((void **)&s->trash, &s->cap, s->ntrash + 1, sizeof(*s->trash));
	s->trash[s->ntrash++] = dir;
	if (s->ntrash >= SCRATCH_AHEAD / 2)
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

/* Top-down: every directory readable, writable and searchable by us. */
static int open_up(const char *path, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	if (flag == FTW_D || flag == FTW_DNR)
		(void)chmod(path, 0700);
	return 0;
}

/* Bottom-up: everything removed. */
static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)remove(path);
	return 0;
}

int scratch_remove(const char *dir)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	/* a test may have locked directories (chmod 0, or 0500 with files
	 * in them); a directory it made unreadable is only entered on the
	 * pass after the one that opened it up */
	for (int pass = 0; pass < 3; pass++) {
		(void)chmod(dir, 0700);
		(void)nftw(dir, open_up, 16, FTW_PHYS | FTW_MOUNT);
		(void)nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
	}
	return -1;
}

void scratch_close(struct scratch *s)
{
	if (!s->root)
		return;
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->stopping = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->janitor, NULL);
	}
	for (size_t i = 0; i < s->nready; i++)
		free(s->ready[i]);
	for (size_t i = 0; i < s->ntrash; i++)
		free(s->trash[i]);
	free(s->trash);
	(void)scratch_remove(s->root);  /* and whatever is still in it */
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->mu);
	free(s->root);
	s->root = NULL;
}
