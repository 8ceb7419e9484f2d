/*
 * junitfile.h - one JUnit XML report being written, whole or not at all.
 *
 * The root's totals come first in the file but are known only at the
 * end. So suites are written, through libxml2's writer jf->body, to an
 * unlinked body file as they become known, and junitfile_commit writes
 * the declaration and <testsuites name="assay" tests failures errors
 * time> around the body to a temporary file beside the path, flushes it
 * to disk and renames it over the path. Shared by the junit reporter and
 * assay merge. Never touches the path before the commit, never leaves a
 * temporary file behind, never prints.
 */
#ifndef ASSAY_JUNITFILE_H
#define ASSAY_JUNITFILE_H

#include <libxml/xmlwriter.h>

/* For the libxml2 error handlers of junitfile's users: 2.12 made the
 * handler's argument const. */
#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif

struct junitfile {
	const char *path;       /* borrowed: valid until commit or abort */
	xmlTextWriterPtr body;  /* write the suites here, */
	int body_fd;            /* or straight to this fd (not both) */
	int werrno;             /* errno of the first failed write, or 0 */
};

struct junit_totals {
	unsigned long long tests, failures, errors;
	const char *time;       /* seconds, "%.3f" */
};

/*
 * Creates the body file (beside path, so a path that cannot be written
 * fails here, before any work). 0, or -1 with errno.
 */
int junitfile_open(struct junitfile *f, const char *path);
/*
 * Writes the report and renames it over the path; frees f either way.
 * 0, or -1 with errno (0 when libxml2's writer failed on its own).
 */
int junitfile_commit(struct junitfile *f, const struct junit_totals *t);
/* Gives up: the path keeps what it held. */
void junitfile_abort(struct junitfile *f);

/* An unlinked temporary file beside path, open for reading and writing
 * (scratch space that vanishes with its fd); -1 with errno. */
int junitfile_scratch(const char *path);

#endif
