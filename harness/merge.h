/*
 * merge.h - `assay merge`: joins JUnit reports into one (docs/junit.md,
 * "Merging reports").
 *
 * Reads each input once, one node at a time, on hostile terms: no
 * network, no DTD, no entity expansion, a document with a DTD at all
 * refused, an input over 1 GiB refused. Memory does not grow with the
 * inputs' size; a suite's own content waits in a temporary file beside
 * OUT until its end tag gives its counts. Writes the output to a
 * temporary file renamed over OUT when everything went well.
 *
 * Never leaves OUT half-written or changed after a failure, never
 * combines suites of different inputs, never trusts an input's counts,
 * never lets libxml2 print anything itself, never holds a whole input.
 */
#ifndef ASSAY_MERGE_H
#define ASSAY_MERGE_H

#include <stddef.h>

#include "err.h"

/* Largest input read, in bytes; a bigger one is refused. */
#define MERGE_INPUT_MAX ((long long)1 << 30)

/*
 * Writes to out one <testsuites name="assay"> report holding the
 * <testsuite> elements of in[0..n), input by input: a <testsuites> root
 * gives its suites, a <testsuite> root itself; each suite is written
 * when its end tag is read, so a suite nested in another comes before
 * the suite it was in (a suite that held nothing but suites is left
 * out). Each suite's tests, failures, errors and skipped are counted
 * again from its <testcase> children (a case holding <failure> is a
 * failure, else <error> an error, else <skipped> skipped); its other
 * attributes and children are copied as they were, "(unnamed)" standing
 * in for a missing or empty name. The first suite written of each input
 * gets the property assay.merged_from = the path as given. The root's
 * counts are the sums; its time is the sum of the inputs' top-level
 * suite times (a suite without a readable time counts the times of the
 * suites nested in it), printed %.3f.
 *
 * Borrows every argument. Returns 0, or:
 *   ERR_INPUT (exit status 2): an input is missing, unreadable, too big,
 *     a FIFO, socket or device (unless it is "-", standard input), not
 *     well-formed XML ("IN.xml:LINE: libxml2's message"), has a DTD, its
 *     root is neither <testsuites> nor <testsuite>, or a suite uses
 *     namespaces past merge.c's bounds;
 *   ERR_USAGE (exit status 2, as run --junit): the output cannot be
 *     created;
 *   ERR_SYS (exit status 3): writing the output (or the temporary file
 *     beside it) failed part way.
 * Either way out is left as it was. n may be 0 (an empty report).
 * Main thread only: while it runs, the thread's libxml2 structured error
 * handler is its own and its locale is "C"; it puts the previous ones
 * back before it returns.
 */
int merge_reports(const char *out, const char *const *in, size_t n,
		  struct err *e);

#endif
