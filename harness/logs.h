/*
 * logs.h - the whole output of jobs, kept on disk (--output-dir).
 *
 * In memory a job's stream is only its head and tail (capture.h). When a
 * stream outgrows that, logs_spill copies what the capture holds and then
 * every later byte into a spill file in the log directory, so the whole
 * stream exists somewhere, up to logs->max bytes: past that the file
 * keeps the first half and a ring of the last bytes, and the kept log
 * says how much was left out between them. When the job is over, logs_finish either keeps
 * the stream as DIR/NAME.stdout or .stderr (NAME from logs_name) or
 * drops it, and removes a file of that name left by an earlier run, so
 * the directory never holds a stale log of a test that now passes. When
 * the logs in the directory outgrow logs->cap, the oldest (by their time
 * of change) are removed until they fill nine tenths of it. The
 * directory is made when the first file is. Never fails the run: when
 * the directory cannot be written, logs are off and logs->problem says
 * why. Never removes a file it did not name itself.
 */
#ifndef ASSAY_LOGS_H
#define ASSAY_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/plugin.h"
#include "capture.h"

struct logs {
	char *dir;              /* NULL: logs are off */
	bool keep_all;          /* --keep-logs */
	uint64_t max;           /* bytes kept of one stream (--max-log-size):
	                         * its first half and its last, with a line
	                         * saying what was left out between */
	uint64_t cap;           /* bytes of logs the directory may hold
	                         * (--output-dir-max); past it the oldest go */
	uint64_t used;          /* bytes of logs in it, once counted */
	bool counted;
	unsigned pruned;        /* old logs removed to stay under cap */
	bool made;              /* dir exists (made or found) */
	unsigned swept;         /* killed runs' spill files removed */
	char *problem;          /* why logs were turned off, or NULL */
};

/* One stream of one job. */
struct log_stream {
	int fd;                 /* the spill file, or -1 */
	char *spill;            /* its path */
	char *path;             /* the kept log, after logs_finish */
	uint64_t written;       /* bytes in the spill file */
	uint64_t dropped;       /* bytes written over (the file is full: its
	                         * second half is a ring of the last bytes) */
	uint64_t ring;          /* where in that half the next byte goes */
};

/* max: bytes kept of a stream (0: all); cap: bytes of logs the
 * directory may hold (0: no limit). */
void logs_init(struct logs *l, const char *dir, bool keep_all, uint64_t max,
	       uint64_t cap);
void logs_release(struct logs *l);
void log_stream_init(struct log_stream *s);
/* Frees what the stream held; removes a spill file not kept. */
void log_stream_clear(struct log_stream *s);

/* Call with each chunk before capture_add(c, buf, n). */
void logs_spill(struct logs *l, struct log_stream *s, struct capture *c,
		const char *buf, size_t n);
/*
 * The job is over; v is the capture's view of the stream. Keeps the
 * whole stream when keep (or --keep-logs) and it is not empty, and sets
 * v->path to the file; else drops it.
 */
void logs_finish(struct logs *l, struct log_stream *s, struct assay_output *v,
		 const char *id, const char *suffix, bool keep);

/*
 * After logs_finish: adds text (assay's own last word on the job) at the
 * end of the stream's kept log, or keeps a log of text alone when the
 * stream kept none. Nothing when logs are off.
 */
void logs_add(struct logs *l, struct log_stream *s, struct assay_output *v,
	      const char *id, const char *suffix, const char *text);

/*
 * A file name for a test id: the id with every byte but [A-Za-z0-9._+-]
 * as '_' (and no leading '.'), at most 160 bytes; when that changed
 * anything, a '.' and 16 hex digits of a hash of the whole id follow, so
 * two ids never share a name. Returns malloc'd memory.
 */
char *logs_name(const char *id);

#endif
