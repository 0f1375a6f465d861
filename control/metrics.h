/*
 * metrics: every counter and gauge of linetime in the Prometheus text
 * exposition format, version 0.0.4. A view over the JSON objects the admin
 * commands already answer with (serverstats, ports, status, signd, health,
 * tracking, sources, sourcestats), so a metric always equals what
 * linetimectl shows. A field or object that is missing or of another type
 * (an older or newer daemon) is skipped; nothing here reads a clock or the
 * region. docs/METRICS.md lists every family.
 */
#ifndef LT_METRICS_H
#define LT_METRICS_H

#include <stddef.h>

struct json_object;

/* The admin commands' answers; NULL for any that is not available. */
struct metrics_input {
	struct json_object *serverstats; /* serverstats, with its "clientlog" */
	struct json_object *ports;       /* ports */
	struct json_object *status;      /* status */
	struct json_object *signd;       /* signd ("enabled" false when off) */
	struct json_object *health;      /* health */
	struct json_object *tracking;    /* tracking: NULL without upstream servers */
	struct json_object *sources;     /* sources: NULL without upstream servers */
	struct json_object *sourcestats; /* sourcestats: NULL without upstream servers */
	struct json_object *keys;        /* keys: symmetric keys and their counters */
	struct json_object *admin;       /* reserved for the admin server's own stats; unused */
	const char *version;             /* build version, NULL to leave out build_info */
};

/* The HTTP Content-Type of what metrics_render() writes. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Render in to *text (malloc'd, NUL-terminated, ends with a newline unless
 * empty; the caller frees it) of *len bytes. 0, or -ENOMEM (*text NULL). */
int metrics_render(const struct metrics_input *in, char **text, size_t *len);

#endif
