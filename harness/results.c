/* results.c - see results.h. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "xalloc.h"

static char *dup_or_null(const char *s, size_t len)
{
	char *d;

	if (!s)
		return NULL;
	d = xmalloc(len + 1);
	memcpy(d, s, len);
	d[len] = 0;
	return d;
}

void results_add(struct results *l, const struct assay_result *res)
{
	struct assay_result *c;

	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	c = &l->v[l->n++];
	*c = *res;
	c->id = xstrdup(res->id);
	c->reason = xstrdup(res->reason);
	c->note = xstrdup_or_null(res->note);
	c->output = dup_or_null(res->output, res->output_len);
	c->diag = xstrdup_or_null(res->diag);
	c->classification = xstrdup_or_null(res->classification);
}

void results_clear(struct results *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct assay_result *c = &l->v[i];
		free((char *)c->id);
		free((char *)c->reason);
		free((char *)c->note);
		free((char *)c->output);
		free((char *)c->diag);
		free((char *)c->classification);
	}
	l->n = 0;
}

void results_release(struct results *l)
{
	results_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Whether v judges by exit status alone: the program exited (or the
 * verdict is a case's, while it ran), and v is no error of another kind
 * (a broken stream, a hard error) nor a crash or a timeout. */
static bool by_exit_status(const struct assay_exit *ex,
			   const struct assay_verdict *v)
{
	const char *c = v->classification;

	if (ex && ex->how != ASSAY_EXITED)
		return false;
	if (v->outcome == ASSAY_CRASH || v->outcome == ASSAY_TIMEOUT)
		return false;
	return v->outcome != ASSAY_ERROR || (c && !strcmp(c, "exit-code"));
}

void results_sanitize(const struct sanitizer_scan *san,
		      const struct assay_exit *ex, struct assay_verdict *v,
		      char *reason, size_t n)
{
	char count[32] = "", was[512];

	snprintf(was, sizeof(was), "%s", v->reason ? v->reason : "");
	if (san->count > 1)
		snprintf(count, sizeof(count), "%lu reports", san->count);
	if (!by_exit_status(ex, v)) {
		snprintf(reason, n, "%s; %s%s%s%s", was, san->summary,
			 *count ? " (" : "", count, *count ? ")" : "");
	} else {
		v->outcome = ASSAY_FAIL;
		if (ex)
			snprintf(reason, n, "%s (%s%sexit code %d)", san->summary,
				 count, *count ? "; " : "", ex->code);
		else
			snprintf(reason, n, "%s%s%s%s", san->summary,
				 *count ? " (" : "", count, *count ? ")" : "");
	}
	v->reason = reason;
	v->classification = san->kind;
}
