/*
 * clients: the dataplane's client logs as admin-command JSON. Reads every
 * worker's table in the region entry by entry (each under its sequence
 * counter), so listing clients never stops the fast path.
 *
 * clients:   {"clients": [{"address": "198.18.0.2", "prefixlen": 32,
 *             "worker": 0, "hits": N, "limited": N, "kod": N, "leaked": N,
 *             "first_seen_ago": s, "last_seen_ago": s, "avg_interval": s|null}],
 *             "total": N, "shown": N}
 * args:      {"limit": N (default 100, 0 = all), "sort": "hits"|"limited"|"last"}
 * summary:   {"tables": N, "entries": N, "used": N, "evictions": N}
 */
#ifndef LT_CLIENTS_H
#define LT_CLIENTS_H

#include <stdint.h>

#include "shm.h"

struct json_object;

enum clients_sort {
	CLIENTS_BY_HITS = 0,
	CLIENTS_BY_LIMITED,
	CLIENTS_BY_LAST,
};

/* List clients from every table of the region at counter time now_tsc.
 * Returns 0, or -EINVAL with a message for bad args. */
int clients_report(struct json_object *data, struct lt_region *r, struct json_object *args,
		   uint64_t now_tsc, char *err, size_t errlen);

/* Table sizes, occupancy and evictions summed over the workers. */
void clients_summary(struct json_object *data, struct lt_region *r);

#endif
