/*
 * results.h - results kept past the event that carried them, and the
 * verdicts the host itself adds to what a kind reported.
 *
 * A struct results owns copies of its results' strings (a result whose
 * task is gone keeps no exit). The sanitizer verdict is judged here for
 * every kind: a report in a program's output fails what its kind judged
 * by exit status, and is named in the reason of a crash, a timeout or an
 * error (docs/sanitizers.md). Never prints, never counts, never sends an
 * event: the runner does.
 */
#ifndef ASSAY_RESULTS_H
#define ASSAY_RESULTS_H

#include <stddef.h>

#include "assay/plugin.h"
#include "sanitizer.h"

struct results {
	struct assay_result *v;
	size_t n, cap;
};

/* Appends a copy of res (its strings copied). */
void results_add(struct results *l, const struct assay_result *res);
/* Empties l, keeping its array. */
void results_clear(struct results *l);
void results_release(struct results *l);

/*
 * Applies what san found to v, a verdict on a program (ex: how it ended)
 * or on a case reported while it ran (ex NULL). A verdict judged by exit
 * status (it exited, and it is no error of another kind) becomes a
 * failure whose reason is the report's summary; any other keeps its
 * outcome and has the summary appended. The reason is written to
 * reason (n bytes; v->reason may point into it already) and
 * v->classification becomes the report's kind.
 */
void results_sanitize(const struct sanitizer_scan *san,
		      const struct assay_exit *ex, struct assay_verdict *v,
		      char *reason, size_t n);

#endif
