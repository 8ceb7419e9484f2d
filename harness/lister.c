/* lister.c - see lister.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "io.h"
#include "lister.h"
#include "proc.h"
#include "table.h"
#include "xalloc.h"

#define STUCK_NS 10000000000u
#define GRACE_NS 1000000000u

extern char **environ;

/* One listing in flight. */
struct listing {
	struct proc proc;
	struct lister *ls;
	struct test *test;
	char *out;                      /* all it printed on stdout */
	size_t len, cap;
	bool too_much;                  /* past LISTER_MAX_OUTPUT */
	char **envp;
	char *key;                      /* its cache key, or NULL */
};

struct lister {
	struct test_table *t;
	struct proc_env env;
	struct table_cases *cases;      /* per test index */
	size_t next;                    /* the next test to look at */
	unsigned running, jobs;
	struct listing **live;          /* jobs entries; NULL: free */
	bool stopped;                   /* a stop signal came */
	char *notes;
	const char *state_dir;          /* where listings are kept, or NULL */
};

/* ---- the cache: STATE/lists/HASH, one file per program ----
 *
 * The file is the key on one line, then per case
 * "NAME\tSKIP_REASON\tTIMEOUT\tSERIAL\tTAGS\tGROUPS\tGPUS\tGPU_EXCLUSIVE"
 * (an empty reason: the case runs; a trait empty or 0 when the kind gave
 * none). The key holds the program's path and identity (device, inode, size, modification and change times), the
 * listing's argv and env and the kind's own cache_key: a rebuilt binary,
 * or another environment the kind says matters, lists again. */

/* Appends s to the key, or fails (returns false) on a byte the file
 * format cannot hold. */
static bool key_add(char **key, const char *s)
{
	char *k;

	if (!s || strpbrk(s, "\n"))
		return s == NULL;
	k = xasprintf("%s%s\x1e", *key, s);
	free(*key);
	*key = k;
	return true;
}

static char *cache_key(const struct test *x, const struct assay_spec *spec,
		       char *const *argv)
{
	struct stat st;
	char *key, id[160];
	bool ok;

	if (!spec->cache_key || stat(x->pub.path, &st) < 0)
		return NULL;
	snprintf(id, sizeof(id), "%llu %llu %lld %lld.%09ld %lld.%09ld",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
		 st.st_ctim.tv_nsec);
	key = xstrdup("assay-list 3\x1e");
	ok = key_add(&key, x->kind->name) && key_add(&key, x->pub.path) &&
	     key_add(&key, id) && key_add(&key, spec->cache_key);
	for (size_t i = 0; ok && argv[i]; i++)
		ok = key_add(&key, argv[i]);
	for (size_t i = 0; ok && spec->env && spec->env[i]; i++)
		ok = key_add(&key, spec->env[i]);
	if (!ok) {
		free(key);
		return NULL;
	}
	return key;
}

static char *cache_path(const struct lister *ls, const struct test *x)
{
	return xasprintf("%s/lists/%016llx", ls->state_dir,
			 (unsigned long long)hash_mix(hash_str(x->pub.path)));
}

static void add_case(struct assay_case_sink *s, const char *name,
		     const char *skip);
static void add_traits(struct assay_case_sink *s,
		       const struct assay_case_traits *tr);

/* The next tab-ended field of a cache line at *p (NULL past its end). */
static char *field(char **p)
{
	char *f = *p, *tab;

	if (!f)
		return NULL;
	tab = strchr(f, '\t');
	*p = tab ? tab + 1 : NULL;
	if (tab)
		*tab = 0;
	return f;
}

/* The cases of x from the cache, into c; false when there are none. */
static bool cache_read(struct lister *ls, const struct test *x,
		       const char *key, struct table_cases *c)
{
	struct assay_case_sink sink = { sizeof(sink), c, add_case, add_traits };
	char *path = cache_path(ls, x), *buf, *p;
	size_t len, klen = strlen(key);

	if (io_read_file(path, LISTER_MAX_OUTPUT, &buf, &len) < 0)
		buf = NULL;
	free(path);
	if (!buf || len < klen + 1 || memcmp(buf, key, klen) || buf[klen] != '\n') {
		free(buf);
		return false;
	}
	for (p = buf + klen + 1; *p;) {
		char *nl = strchr(p, '\n'), *tab = strchr(p, '\t'), *rest = p;
		char *name, *skip, *timeout, *serial, *tags, *groups, *gpus, *whole;
		if (!nl || !tab || tab > nl)
			break;          /* torn: what is whole still counts */
		*nl = 0;
		name = field(&rest);
		skip = field(&rest);
		timeout = field(&rest);
		serial = field(&rest);
		tags = field(&rest);
		groups = field(&rest);
		gpus = field(&rest);
		whole = field(&rest);
		sink.add(&sink, name, *skip ? skip : NULL);
		sink.traits(&sink, &(struct assay_case_traits){
			.struct_size = sizeof(struct assay_case_traits),
			.timeout_s = timeout ? strtod(timeout, NULL) : 0,
			.serial = serial && *serial == '1',
			.tags = tags && *tags ? tags : NULL,
			.groups = groups && *groups ? groups : NULL,
			.gpus = gpus ? (unsigned)strtoul(gpus, NULL, 10) : 0,
			.gpu_exclusive = whole && *whole == '1' });
		p = nl + 1;
	}
	free(buf);
	return c->n > 0;
}

/* Keeps the listing of x; a failure only costs a listing next time. */
static void cache_write(struct lister *ls, const struct test *x,
			const char *key, const struct table_cases *c)
{
	char *dir = xasprintf("%s/lists", ls->state_dir);
	char *path = cache_path(ls, x), *tmp;
	FILE *f;
	int fd;

	for (size_t i = 0; i < c->n; i++)
		if (strpbrk(c->names[i], "\t\n") ||
		    (c->skips[i] && strpbrk(c->skips[i], "\t\n")) ||
		    (c->traits[i].tags && strpbrk(c->traits[i].tags, "\t\n")) ||
		    (c->traits[i].groups && strpbrk(c->traits[i].groups, "\t\n")))
			goto out;
	if (io_mkdir_p(dir) < 0 || (fd = io_atomic_open(path, &tmp)) < 0)
		goto out;
	if (!(f = fdopen(dup(fd), "w"))) {
		io_atomic_abort(fd, tmp);
		goto out;
	}
	fprintf(f, "%s\n", key);
	for (size_t i = 0; i < c->n; i++) {
		const struct case_traits *tr = &c->traits[i];
		fprintf(f, "%s\t%s\t%.17g\t%d\t%s\t%s\t%u\t%d\n", c->names[i],
			c->skips[i] ? c->skips[i] : "", tr->timeout_s, tr->serial,
			tr->tags ? tr->tags : "", tr->groups ? tr->groups : "",
			tr->gpus, tr->gpu_exclusive);
	}
	if (fclose(f) != 0)
		io_atomic_abort(fd, tmp);
	else
		(void)io_atomic_commit(fd, tmp, path);
out:
	free(dir);
	free(path);
}

static void add_note(struct lister *ls, const struct test *x, const char *why)
{
	char *s = xasprintf("%s%s%s: cannot list its cases (%s); it runs whole",
			    ls->notes ? ls->notes : "", ls->notes ? "\n" : "",
			    x->pub.id, why);
	free(ls->notes);
	ls->notes = s;
}

static void on_output(struct proc *p, int stream, const char *buf, size_t n)
{
	struct listing *li = p->owner;

	if (stream != 1 || li->too_much)
		return;
	if (li->len + n > LISTER_MAX_OUTPUT) {
		li->too_much = true;
		proc_dispatch(p, EV_KILL_NOW, io_now_ns());
		return;
	}
	xgrow((void **)&li->out, &li->cap, li->len + n + 1, 1);
	memcpy(li->out + li->len, buf, n);
	li->len += n;
}

static void add_case(struct assay_case_sink *s, const char *name,
		     const char *skip)
{
	struct table_cases *c = s->host;

	c->names = xrealloc(c->names, (c->n + 1) * sizeof(*c->names));
	c->skips = xrealloc(c->skips, (c->n + 1) * sizeof(*c->skips));
	c->traits = xrealloc(c->traits, (c->n + 1) * sizeof(*c->traits));
	c->names[c->n] = xstrdup(name);
	c->traits[c->n] = (struct case_traits){ 0 };
	c->skips[c->n++] = skip ? xstrdup(skip) : NULL;
}

static void add_traits(struct assay_case_sink *s,
		       const struct assay_case_traits *tr)
{
	struct table_cases *c = s->host;
	struct case_traits *to;

	if (!c->n)
		return;
	to = &c->traits[c->n - 1];
	free(to->tags);
	free(to->groups);
	*to = (struct case_traits){
		.timeout_s = tr->timeout_s > 0 ? tr->timeout_s : 0,
		.serial = tr->serial == 1,
		.tags = tr->tags && *tr->tags ? xstrdup(tr->tags) : NULL,
		.groups = tr->groups && *tr->groups ? xstrdup(tr->groups) : NULL,
	};
	/* fields a kind built against an older header lacks stay 0 */
	if (tr->struct_size >= offsetof(struct assay_case_traits, gpu_exclusive) +
			       sizeof(tr->gpu_exclusive)) {
		to->gpus = tr->gpus <= 64 ? tr->gpus : 64;
		to->gpu_exclusive = tr->gpu_exclusive == 1;
	}
}

static void traits_free(struct case_traits *tr)
{
	free(tr->tags);
	free(tr->groups);
}

/* Orders case indexes by name, then by place, so the first of equal
 * names comes first. */
static int cmp_named(const void *a, const void *b, void *arg)
{
	char **names = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(names[i], names[j]);

	return c ? c : (i > j) - (i < j);
}

/* Keeps the first of cases listed twice (GoogleTest lets two tests have
 * one name: they are one test here, and both their results count). */
static void dedupe(struct table_cases *c)
{
	size_t *by = xmalloc((c->n + 1) * sizeof(*by)), n = 0;
	bool *drop = xcalloc(c->n + 1, sizeof(*drop));

	for (size_t i = 0; i < c->n; i++)
		by[i] = i;
	qsort_r(by, c->n, sizeof(*by), cmp_named, c->names);
	for (size_t i = 1; i < c->n; i++)
		drop[by[i]] = !strcmp(c->names[by[i]], c->names[by[i - 1]]);
	for (size_t i = 0; i < c->n; i++) {
		if (drop[i]) {
			free(c->names[i]);
			free(c->skips[i]);
			traits_free(&c->traits[i]);
			continue;
		}
		c->names[n] = c->names[i];
		c->traits[n] = c->traits[i];
		c->skips[n++] = c->skips[i];
	}
	c->n = n;
	free(by);
	free(drop);
}

/* Frees what the listing of c gathered: it will not be used. */
static void drop_cases(struct table_cases *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->skips[i]);
		traits_free(&c->traits[i]);
	}
	free(c->names);
	free(c->skips);
	free(c->traits);
	memset(c, 0, sizeof(*c));
}

/* Why a listing process gives nothing to parse, or NULL. */
static const char *failed_how(const struct listing *li, char *buf, size_t n)
{
	const struct assay_exit *ex = &li->proc.exit;

	if (li->too_much)
		return "it printed more than 64 MiB";
	switch (ex->how) {
	case ASSAY_EXITED:
		if (!ex->code)
			return NULL;
		snprintf(buf, n, "exit code %d", ex->code);
		return buf;
	case ASSAY_SIGNALED:
		snprintf(buf, n, "killed by signal %d", ex->code);
		return buf;
	case ASSAY_TIMED_OUT:
		return "it did not finish in time";
	case ASSAY_SPAWN_FAILED:
		snprintf(buf, n, "cannot start it: %s", strerror(ex->code));
		return buf;
	default:
		return "it was interrupted";
	}
}

static void parse(struct lister *ls, struct listing *li)
{
	const struct assay_kind *k = li->test->kind;
	struct table_cases *c = &ls->cases[li->test->index];
	struct assay_case_sink sink = { sizeof(sink), c, add_case, add_traits };
	char why[256] = "", how[64];
	const char *failed = failed_how(li, how, sizeof(how));

	if (failed) {
		add_note(ls, li->test, failed);
		return;
	}
	if (k->list_parse(&li->test->pub, &li->proc.exit, li->out ? li->out : "",
			  li->len, &sink, why, sizeof(why)) < 0 || !c->n) {
		drop_cases(c);
		add_note(ls, li->test, *why ? why : "it listed no cases");
		return;
	}
	dedupe(c);
	if (li->key)
		cache_write(ls, li->test, li->key, c);
}

static void on_done(struct proc *p)
{
	struct listing *li = p->owner;
	struct lister *ls = li->ls;

	if (!ls->stopped)
		parse(ls, li);
	for (unsigned i = 0; i < ls->jobs; i++)
		if (ls->live[i] == li)
			ls->live[i] = NULL;
	proc_clear(p);
	proc_release(p);
	spawn_env_free(li->envp);
	free(li->out);
	free(li->key);
	free(li);
	ls->running--;
}

static const struct proc_ops listing_ops = { .output = on_output,
					     .done = on_done };

static void start(struct lister *ls, struct test *x)
{
	const struct assay_kind *k = x->kind;
	struct assay_spec spec = { .struct_size = sizeof(spec) };
	struct spawn_opts so = SPAWN_OPTS_INIT;
	char *argv[] = { (char *)x->pub.path, NULL };
	struct listing *li;
	double limit;
	char *key;

	if (k->list_spec(&x->pub, &spec) < 0)
		return;                 /* not this program: it runs whole */
	so.argv = spec.argv ? (char *const *)spec.argv : argv;
	key = ls->state_dir ? cache_key(x, &spec, so.argv) : NULL;
	if (key && cache_read(ls, x, key, &ls->cases[x->index])) {
		free(key);
		return;
	}
	drop_cases(&ls->cases[x->index]);
	li = xcalloc(1, sizeof(*li));
	li->ls = ls;
	li->test = x;
	li->key = key;
	li->envp = spawn_env(environ, NULL, spec.env);
	so.path = so.argv[0];
	so.envp = li->envp;
	so.cwd = spec.cwd;
	so.stdin_path = spec.stdin_path;
	so.pdeathsig = SIGKILL;
	limit = spec.timeout_s > 0 ? spec.timeout_s : LISTER_TIMEOUT_S;
	proc_init(&li->proc, &ls->env, PROC_HELPER, &listing_ops, li);
	for (unsigned i = 0; i < ls->jobs; i++)
		if (!ls->live[i]) {
			ls->live[i] = li;
			break;
		}
	ls->running++;
	proc_start(&li->proc, &so, (uint64_t)(limit * 1e9));
}

static bool listable(const struct test *x)
{
	const struct assay_kind *k = x->kind;

	return k && !x->problem && !x->program &&
	       k->struct_size >= offsetof(struct assay_kind, list_parse) +
				 sizeof(k->list_parse) &&
	       k->list_spec && k->list_parse;
}

static void fill(struct lister *ls)
{
	while (!ls->stopped && ls->running < ls->jobs && ls->next < ls->t->n) {
		struct test *x = ls->t->v[ls->next++];
		if (listable(x))
			start(ls, x);
	}
}

/* A stop signal: kill what is listing, list nothing more. */
static void on_signal(void *arg, int signo)
{
	struct lister *ls = arg;

	ls->stopped = true;
	for (unsigned i = 0; i < ls->jobs; i++)
		if (ls->live[i])
			proc_dispatch(&ls->live[i]->proc, EV_KILL_NOW, io_now_ns());
}

int lister_run(struct test_table *t, unsigned jobs, const char *state_dir,
	       char **notes, struct err *e)
{
	struct lister ls = { .t = t, .jobs = jobs ? jobs : 1,
			     .state_dir = state_dir && *state_dir ? state_dir : NULL };
	bool any = false;
	int rc = 0;

	*notes = NULL;
	for (size_t i = 0; i < t->n && !any; i++)
		any = listable(t->v[i]);
	if (!any)
		return 0;
	if ((rc = loop_new(&ls.env.loop, e)) < 0)
		return rc;
	loop_on_signal(ls.env.loop, on_signal, &ls);
	ls.env.grace_ns = GRACE_NS;
	ls.env.drain_ns = GRACE_NS;
	ls.env.stuck_ns = STUCK_NS;
	ls.cases = xcalloc(t->n + 1, sizeof(*ls.cases));
	ls.live = xcalloc(ls.jobs, sizeof(*ls.live));
	for (fill(&ls); ls.running && rc == 0; fill(&ls))
		rc = loop_run_once(ls.env.loop, UINT64_MAX, e);
	/* a failed wait leaves listings running: not expected, but end them */
	loop_free(ls.env.loop);
	if (!rc && ls.stopped)
		rc = err_set(e, ERR_USAGE, "interrupted while listing the tests' cases");
	if (!rc)
		table_expand(t, ls.cases);
	else
		for (size_t i = 0; i < t->n; i++)
			drop_cases(&ls.cases[i]);
	free(ls.cases);
	free(ls.live);
	*notes = ls.notes;
	return rc;
}
