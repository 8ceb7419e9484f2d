/*
 * lister.h - asks kinds for the cases of their programs, at discovery.
 *
 * For each test whose kind can list (list_spec, list_parse), starts the
 * listing process its kind describes as a helper proc, at most jobs at a
 * time, each bounded in time (LISTER_TIMEOUT_S unless the kind says),
 * collects what it prints (up to LISTER_MAX_OUTPUT), lets the kind
 * parse it, and puts the cases into the test table in place of their
 * program. A listing is kept in the state directory, keyed by the
 * program's identity and what its kind says the list depends on, and
 * used again while they stay the same. A program that cannot be listed
 * (it failed, hung, printed nothing the kind could read) keeps its row
 * and runs whole; the reason is one warning line. Never runs a test,
 * never judges one.
 */
#ifndef ASSAY_LISTER_H
#define ASSAY_LISTER_H

#include "err.h"

#define LISTER_TIMEOUT_S 30.0
#define LISTER_MAX_OUTPUT (64u << 20)

struct test_table;

/*
 * Lists the cases of every listable test in t, keeping listings in
 * STATE_DIR/lists (NULL or "": none kept). Warnings go to *notes as
 * lines (malloc'd, or NULL when none). Returns 0, or a negative code when
 * assay itself could not (no event loop), or ERR_USAGE when a stop
 * signal came while listing.
 */
int lister_run(struct test_table *t, unsigned jobs, const char *state_dir,
	       char **notes, struct err *e);

#endif
