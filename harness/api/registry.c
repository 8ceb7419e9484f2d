/*
 * harness/api/registry.c - the tests a program registered (ASSAY_TEST),
 * and what their attribute strings say. Registration runs before main,
 * so it only links a list; everything that can fail waits for
 * api_tests_load. See api.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

static struct assay_test_def *head, **tail = &head;

void assay_register(struct assay_test_def *t)
{
	t->next = NULL;
	*tail = t;
	tail = &t->next;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* One attribute word: NAME or NAME=VALUE. */
static int one_attr(struct api_test *x, const char *w, size_t n, char **problem)
{
	const char *eq = memchr(w, '=', n);
	size_t k = eq ? (size_t)(eq - w) : n;
	const char *v = eq ? eq + 1 : NULL;
	size_t vn = eq ? n - k - 1 : 0;

#define IS(name) (k == sizeof(name) - 1 && !memcmp(w, name, k))
	if (IS("serial") && !v)
		x->serial = true;
	else if (IS("isolate") && !v)
		x->isolate = true;
	else if (IS("threads") && !v)
		x->threads = true;
	else if (IS("gpu-exclusive") && !v)
		x->gpu_exclusive = true;
	else if (IS("gpus") && v && vn) {
		char *num = dup_n(v, vn), *end;
		unsigned long g;
		errno = 0;
		g = strtoul(num, &end, 10);
		if (errno || *end || !isdigit((unsigned char)*num) || g < 1 || g > 64) {
			*problem = api_format("%s (%s:%d): gpus=%s is not a number of GPUs from 1 to 64",
					      x->id, x->def->file, x->def->line, num);
			free(num);
			return -1;
		}
		x->gpus = (unsigned)g;
		free(num);
	}
	else if (IS("tags") && v && vn)
		x->tags = dup_n(v, vn);
	else if (IS("resources") && v && vn)
		x->resources = dup_n(v, vn);
	else if (IS("timeout") && v && vn) {
		char *num = dup_n(v, vn), *end;
		errno = 0;
		x->timeout_s = strtod(num, &end);
		if (errno || *end || !(x->timeout_s > 0) || x->timeout_s > 1e7) {
			*problem = api_format("%s (%s:%d): timeout=%s is not a number of seconds above 0",
					      x->id, x->def->file, x->def->line, num);
			free(num);
			return -1;
		}
		free(num);
	} else {
		*problem = api_format("%s (%s:%d): unknown attribute '%.*s' (known: timeout=S, tags=A,B, serial, isolate, threads, resources=A,B, gpus=N, gpu-exclusive)",
				      x->id, x->def->file, x->def->line, (int)n, w);
		return -1;
	}
#undef IS
	return 0;
}

static int parse_attrs(struct api_test *x, char **problem)
{
	const char *s = x->def->attrs ? x->def->attrs : "";

	while (*s) {
		size_t n;
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n && one_attr(x, s, n, problem) < 0)
			return -1;
		s += n;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp((*(struct api_test *const *)a)->id,
		      (*(struct api_test *const *)b)->id);
}

/* Two tests of one id would be one name for two things. */
static int unique(struct api_tests *t, char **problem)
{
	struct api_test **v = malloc((t->n + 1) * sizeof(*v));
	int rc = 0;

	if (!v)
		abort();
	for (size_t i = 0; i < t->n; i++)
		v[i] = &t->v[i];
	qsort(v, t->n, sizeof(*v), cmp_id);
	for (size_t i = 1; i < t->n && !rc; i++)
		if (!strcmp(v[i - 1]->id, v[i]->id)) {
			*problem = api_format("%s is defined twice (%s:%d and %s:%d): give one another name",
					      v[i]->id, v[i - 1]->def->file, v[i - 1]->def->line,
					      v[i]->def->file, v[i]->def->line);
			rc = -1;
		}
	free(v);
	return rc;
}

int api_tests_load(struct api_tests *t, char **problem)
{
	size_t n = 0;

	*problem = NULL;
	for (struct assay_test_def *d = head; d; d = d->next)
		n++;
	t->v = calloc(n + 1, sizeof(*t->v));
	if (!t->v)
		abort();
	t->n = 0;
	for (struct assay_test_def *d = head; d; d = d->next) {
		struct api_test *x = &t->v[t->n++];
		x->def = d;
		x->id = api_format("%s::%s", d->suite, d->name);
		if (parse_attrs(x, problem) < 0)
			return -1;
	}
	return unique(t, problem);
}

void api_tests_release(struct api_tests *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].id);
		free(t->v[i].tags);
		free(t->v[i].resources);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
