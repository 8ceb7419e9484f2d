/* gpu.c - see gpu.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "gpu.h"
#include "gpuhelper.h"
#include "io.h"
#include "sched.h"
#include "xalloc.h"

#define GPU_PROBE_NS 60000000000u       /* the probe, at most (cuInit can
                                         * take seconds per device) */
#define GPU_PROBE_MAX (1u << 20)        /* bytes of its output read */

/* One "device" line's fields (after "device "); false when malformed. */
static bool parse_device(char *s, struct gpu_device *g)
{
	char *f[7], *save = NULL;
	size_t k = 0;

	for (char *t = strtok_r(s, "\t", &save); t && k < 7; t = strtok_r(NULL, "\t", &save))
		f[k++] = t;
	if (k != 7)
		return false;
	*g = (struct gpu_device){ .index = (unsigned)strtoul(f[0], NULL, 10),
				  .cc_major = atoi(f[2]), .cc_minor = atoi(f[3]),
				  .mem = strtoull(f[4], NULL, 10) };
	snprintf(g->uuid, sizeof(g->uuid), "%s", f[1]);
	snprintf(g->id, sizeof(g->id), "%u", g->index);
	snprintf(g->pci, sizeof(g->pci), "%s", f[5]);
	snprintf(g->name, sizeof(g->name), "%s", f[6]);
	return true;
}

/* What the probe wrote, into l. */
static void parse(struct gpu_list *l, char *out)
{
	char *missing = NULL;

	for (char *line = out, *nl; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')))
			*nl++ = 0;
		if (!strncmp(line, "driver ", 7)) {
			l->driver = atoi(line + 7);
		} else if (!strncmp(line, "missing ", 8)) {
			free(missing);
			missing = xstrdup(line + 8);
		} else if (!strncmp(line, "device ", 7)) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->n += parse_device(line + 7, &l->v[l->n]);
		}
	}
	if (!l->n && !missing)
		missing = xstrdup("no CUDA device: the GPU probe found none");
	if (l->n)
		free(missing);
	else
		l->missing = missing;
}

int gpu_discover(struct gpu_list *l, struct err *e)
{
	char *argv[] = { "/proc/self/exe", GPU_PROBE_COMMAND, NULL }, *out;
	int status = 0;

	memset(l, 0, sizeof(*l));
	if (io_run_output(argv, GPU_PROBE_NS, GPU_PROBE_MAX, &out, &status) < 0) {
		int errnum = errno;
		free(out);
		if (errnum == ETIMEDOUT) {
			l->missing = xasprintf("the CUDA driver did not answer in %.0f s "
					       "(the GPU probe was killed)", GPU_PROBE_NS / 1e9);
			return 0;
		}
		return err_set(e, ERR_SYS, "cannot start the GPU probe (%s): %s", argv[0],
			       strerror(errnum));
	}
	parse(l, out);
	free(out);
	if (!l->n && WIFSIGNALED(status)) {
		free(l->missing);
		l->missing = xasprintf("the GPU probe died of signal %d while the CUDA "
				       "driver was loaded", WTERMSIG(status));
	}
	return 0;
}

/* Appends s (taken) to the NULL-ended list *v of *n. */
static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* *s (malloc'd; NULL: empty) with x after it, sep between. */
static void append(char **s, const char *sep, const char *x)
{
	char *t = xasprintf("%s%s%s", *s ? *s : "", *s && **s ? sep : "", x);

	free(*s);
	*s = t;
}

char **gpu_env(const struct gpu_list *l, uint64_t mask, bool whole,
	       unsigned slots)
{
	char **v = NULL, *uuids = xstrdup(""), *indexes = xstrdup("");
	size_t n = 0, groups = 0;

	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		append(&uuids, ",", l->v[i].uuid);
		append(&indexes, ",", l->v[i].id);
		push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_%zu=gpus", groups));
		push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_%zu_GPUS=id:%s,slots:%u",
				       groups++, l->v[i].id,
				       !whole ? 1 : l->v[i].slots ? l->v[i].slots : slots));
	}
	push(&v, &n, xasprintf("CTEST_RESOURCE_GROUP_COUNT=%zu", groups));
	push(&v, &n, xasprintf("CUDA_VISIBLE_DEVICES=%s", uuids));
	push(&v, &n, xstrdup("CUDA_DEVICE_ORDER=PCI_BUS_ID"));
	push(&v, &n, xasprintf("ASSAY_GPUS=%s", indexes));
	push(&v, &n, xasprintf("ASSAY_GPU_UUIDS=%s", uuids));
	free(uuids);
	free(indexes);
	return v;
}

char *gpu_note(const struct gpu_list *l, uint64_t mask, const char *note)
{
	char *s = xstrdup(""), *on;

	for (size_t i = 0; i < l->n && i < 64; i++) {
		if (!(mask >> i & 1))
			continue;
		on = xasprintf("on GPU %s (%s, %s)", l->v[i].id, l->v[i].uuid,
			       l->v[i].name);
		append(&s, "\n", on);
		free(on);
	}
	if (note && *note)
		append(&s, "\n", note);
	return s;
}

void gpu_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* The one object of spec's "local" array, or NULL with why in e. */
static json_t *spec_local(json_t *spec, const char *path, struct err *e)
{
	json_t *version = json_object_get(spec, "version"), *local;
	json_int_t major = json_integer_value(json_object_get(version, "major"));
	json_int_t minor = json_integer_value(json_object_get(version, "minor"));

	if (!json_is_object(spec) || !json_is_object(version)) {
		err_set(e, ERR_INPUT, "%s: not a resource spec (want an object with "
			"\"version\" and \"local\", as ctest --resource-spec-file reads)", path);
		return NULL;
	}
	if (major != 1 || minor != 0) {
		err_set(e, ERR_INPUT, "%s: resource spec version %lld.%lld: assay reads 1.0",
			path, (long long)major, (long long)minor);
		return NULL;
	}
	local = json_object_get(spec, "local");
	if (!json_is_array(local) || json_array_size(local) != 1 ||
	    !json_is_object(json_array_get(local, 0))) {
		err_set(e, ERR_INPUT, "%s: \"local\" must be an array of one object "
			"(the resources of this machine)", path);
		return NULL;
	}
	return json_array_get(local, 0);
}

int gpu_read_spec(struct gpu_list *l, const char *path, char **ignored,
		  struct err *e)
{
	json_error_t je;
	json_t *spec = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *local, *gpus, *g;
	const char *type;
	size_t i;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	*ignored = NULL;
	if (!spec && je.line < 1)       /* not read at all */
		return err_set(e, ERR_INPUT, "cannot read the resource spec: %s", je.text);
	if (!spec)
		return err_set(e, ERR_INPUT, "%s:%d: not JSON, so not a resource spec: %s",
			       path, je.line, je.text);
	if (!(local = spec_local(spec, path, e))) {
		json_decref(spec);
		return ERR_INPUT;
	}
	json_object_foreach(local, type, g) {
		if (strcmp(type, "gpus"))
			append(ignored, ", ", type);
	}
	gpus = json_object_get(local, "gpus");
	if (gpus && !json_is_array(gpus))
		rc = err_set(e, ERR_INPUT, "%s: \"gpus\" must be an array", path);
	json_array_foreach(gpus, i, g) {
		const char *id = json_string_value(json_object_get(g, "id"));
		json_t *slots = json_object_get(g, "slots");
		struct gpu_device *d;

		if (rc < 0)
			break;
		if (!id || !*id || strlen(id) >= sizeof(d->id) || strchr(id, ',')) {
			rc = err_set(e, ERR_INPUT, "%s: gpus[%zu] needs an \"id\": a string of "
				     "1 to %zu characters, without a comma", path, i,
				     sizeof(d->id) - 1);
		} else if (!json_is_integer(slots) || json_integer_value(slots) < 1 ||
			   json_integer_value(slots) > 64) {
			rc = err_set(e, ERR_INPUT, "%s: gpus[%zu] (id %s) needs \"slots\": a whole "
				     "number from 1 to 64", path, i, id);
		} else if (l->n == SCHED_MAX_GPUS) {
			rc = err_set(e, ERR_INPUT, "%s: more than %d gpus", path,
				     SCHED_MAX_GPUS);
		} else {
			for (size_t k = 0; k < l->n && rc == 0; k++)
				if (!strcmp(l->v[k].id, id))
					rc = err_set(e, ERR_INPUT, "%s: gpu id %s is there twice",
						     path, id);
			if (rc < 0)
				break;
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			d = &l->v[l->n];
			*d = (struct gpu_device){ .index = (unsigned)l->n,
						  .slots = (unsigned)json_integer_value(slots) };
			snprintf(d->id, sizeof(d->id), "%s", id);
			snprintf(d->uuid, sizeof(d->uuid), "%s", id);
			snprintf(d->name, sizeof(d->name), "from %s", path);
			l->n++;
		}
	}
	if (!rc && !l->n)
		l->missing = xasprintf("no CUDA device: the resource spec %s lists no gpus", path);
	json_decref(spec);
	if (rc < 0) {
		gpu_list_release(l);
		free(*ignored);
		*ignored = NULL;
	}
	return rc;
}

void gpu_list_release(struct gpu_list *l)
{
	free(l->v);
	free(l->missing);
	memset(l, 0, sizeof(*l));
}
