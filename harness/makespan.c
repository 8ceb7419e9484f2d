/* makespan.c - see makespan.h. */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "makespan.h"
#include "xalloc.h"

void makespan_init(struct makespan *m)
{
	memset(m, 0, sizeof(*m));
}

static void keep_id(char **slot, const char *id)
{
	free(*slot);
	*slot = xstrdup(id);
}

void makespan_add(struct makespan *m, const char *id, uint64_t start_ns,
		  uint64_t end_ns, unsigned weight)
{
	uint64_t ns;

	assert(end_ns >= start_ns);
	ns = end_ns - start_ns;
	if (!m->jobs || start_ns < m->first_start)
		m->first_start = start_ns;
	m->work_ns += ns * weight;
	if (!m->jobs || ns > m->longest_ns) {           /* ties: the first */
		m->longest_ns = ns;
		keep_id(&m->longest_id, id);
	}
	if (!m->jobs || end_ns >= m->last_end) {        /* ties: the last */
		m->last_end = end_ns;
		m->critical_start = start_ns;
		m->critical_ns = ns;
		keep_id(&m->critical_id, id);
	}
	m->jobs++;
}

void makespan_finish(const struct makespan *m, unsigned slots,
		     struct assay_schedule *out)
{
	uint64_t wall = m->jobs ? m->last_end - m->first_start : 0;
	uint64_t capacity = wall * slots;

	assert(slots > 0);
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	out->wall_ns = wall;
	out->work_ns = m->work_ns;
	out->slots = slots;
	out->bound_ns = m->work_ns / slots > m->longest_ns ?
			m->work_ns / slots : m->longest_ns;
	out->idle_ns = capacity > m->work_ns ? capacity - m->work_ns : 0;
	out->efficiency = !capacity ? 0 :
			  m->work_ns >= capacity ? 1.0 :
			  (double)m->work_ns / (double)capacity;
	out->jobs = m->jobs;
	out->longest_id = m->longest_id;
	out->longest_ns = m->longest_ns;
	out->critical_id = m->critical_id;
	out->critical_start_ns = m->jobs ? m->critical_start - m->first_start : 0;
	out->critical_ns = m->critical_ns;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/*
 * {"shuffled": true, "seed": N, "seed_str": "N"}. A seed above what a
 * JSON integer holds in jansson (2^63 - 1) has only seed_str, which is
 * the exact value for any seed (readers lose precision above 2^53).
 */
static json_t *order_json(int shuffled, uint64_t seed)
{
	json_t *o = json_pack("{s:b}", "shuffled", shuffled);
	char text[32];

	if (!o || !shuffled)
		return o;
	snprintf(text, sizeof(text), "%" PRIu64, seed);
	if (seed <= (uint64_t)INT64_MAX)
		json_object_set_new(o, "seed", json_integer((json_int_t)seed));
	json_object_set_new(o, "seed_str", json_string(text));
	return o;
}

static json_t *schedule_json(const struct assay_schedule *s, int shuffled,
			     uint64_t seed, unsigned shard, unsigned nshards)
{
	json_t *longest = NULL, *critical = NULL, *part = NULL;

	if (s->longest_id)
		longest = json_pack("{s:s, s:f}", "id", s->longest_id,
				    "duration_s", secs(s->longest_ns));
	if (s->critical_id)
		critical = json_pack("{s:s, s:f, s:f}", "id", s->critical_id,
				     "start_s", secs(s->critical_start_ns),
				     "duration_s", secs(s->critical_ns));
	if (nshards)
		part = json_pack("{s:I, s:I}", "index", (json_int_t)shard,
				 "total", (json_int_t)nshards);
	return json_pack("{s:f, s:f, s:I, s:f, s:f, s:f, s:f, s:I, s:o?, s:o?, s:o, s:o?}",
			 "wall_s", secs(s->wall_ns), "work_s", secs(s->work_ns),
			 "slots", (json_int_t)s->slots,
			 "bound_s", secs(s->bound_ns),
			 "ratio", s->bound_ns ? (double)s->wall_ns / (double)s->bound_ns : 0.0,
			 "efficiency", s->efficiency,
			 "idle_slot_s", secs(s->idle_ns),
			 "jobs", (json_int_t)s->jobs,
			 "longest", longest, "critical_path", critical,
			 "order", order_json(shuffled, seed), "shard", part);
}

int makespan_write_json(const struct assay_schedule *s, const char *path,
			int shuffled, uint64_t seed, unsigned shard,
			unsigned nshards, struct err *e)
{
	json_t *root = schedule_json(s, shuffled, seed, shard, nshards);
	char *text = NULL, *tmp = NULL;
	int fd, rc = 0;

	if (root)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text) {                    /* jansson fails only out of memory */
		errno = ENOMEM;
		return err_set(e, ERR_SYS, "cannot write '%s'", path);
	}
	if ((fd = io_atomic_open(path, &tmp)) < 0) {
		rc = err_set(e, ERR_SYS, "cannot create '%s'", path);
	} else if (io_write_all(fd, text, strlen(text)) < 0 ||
		   io_write_all(fd, "\n", 1) < 0) {
		rc = err_set(e, ERR_SYS, "cannot write '%s'", path);
		io_atomic_abort(fd, tmp);
	} else if (io_atomic_commit(fd, tmp, path) < 0) {
		rc = err_set(e, ERR_SYS, "cannot write '%s'", path);
	}
	free(text);
	return rc;
}

void makespan_release(struct makespan *m)
{
	free(m->longest_id);
	free(m->critical_id);
	memset(m, 0, sizeof(*m));
}
