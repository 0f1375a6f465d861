/* clients: listing the dataplane's client logs. */
#include "clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clientlog.h"

#define DEFAULT_LIMIT 100

struct row {
	struct clientlog_entry e;
	unsigned int worker;
	uint64_t tsc_hz;
};

static enum clients_sort sort_key;

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t kx, ky;

	switch (sort_key) {
	case CLIENTS_BY_LIMITED:
		kx = x->e.limited;
		ky = y->e.limited;
		break;
	case CLIENTS_BY_LAST:
		kx = x->e.last_tsc;
		ky = y->e.last_tsc;
		break;
	default:
		kx = x->e.hits;
		ky = y->e.hits;
		break;
	}
	if (kx != ky)
		return kx < ky ? 1 : -1;
	return memcmp(x->e.addr, y->e.addr, sizeof(x->e.addr));
}

static const struct clientlog *table(struct lt_region *r, unsigned int i)
{
	const struct clientlog *t = shm_client_table(r, i);

	/* A table the dataplane has not initialised yet, or one whose header
	 * would point past its reservation, is skipped. */
	if (!t || !t->n_entries ||
	    clientlog_bytes(t->n_entries) > shm_hdr(r)->client_table_bytes)
		return NULL;
	return t;
}

static double ticks_to_s(uint64_t ticks, uint64_t hz)
{
	return hz ? (double)ticks / (double)hz : 0.0;
}

static int parse_args(struct json_object *args, long *limit, char *err, size_t errlen)
{
	struct json_object *v;

	*limit = DEFAULT_LIMIT;
	sort_key = CLIENTS_BY_HITS;
	if (json_object_object_get_ex(args, "limit", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0) {
			snprintf(err, errlen, "limit must be a non-negative integer");
			return -EINVAL;
		}
		*limit = (long)json_object_get_int64(v);
	}
	if (json_object_object_get_ex(args, "sort", &v)) {
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		if (strcmp(s, "hits") == 0)
			sort_key = CLIENTS_BY_HITS;
		else if (strcmp(s, "limited") == 0)
			sort_key = CLIENTS_BY_LIMITED;
		else if (strcmp(s, "last") == 0)
			sort_key = CLIENTS_BY_LAST;
		else {
			snprintf(err, errlen, "sort must be one of hits, limited, last");
			return -EINVAL;
		}
	}
	json_object_object_foreach(args, key, val) {
		(void)val;
		if (strcmp(key, "limit") != 0 && strcmp(key, "sort") != 0) {
			snprintf(err, errlen, "unknown argument '%s'", key);
			return -EINVAL;
		}
	}
	return 0;
}

int clients_report(struct json_object *data, struct lt_region *r, struct json_object *args,
		   uint64_t now_tsc, char *err, size_t errlen)
{
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	long limit;
	int rc = parse_args(args, &limit, err, errlen);

	if (rc)
		return rc;
	for (unsigned int w = 0; w < shm_hdr(r)->client_tables; w++) {
		const struct clientlog *t = table(r, w);
		for (uint32_t i = 0; t && i < t->n_entries; i++) {
			struct clientlog_entry e;
			if (!clientlog_read(t, i, &e))
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct row *nr = realloc(rows, ncap * sizeof(*rows));
				if (!nr) {
					free(rows);
					snprintf(err, errlen, "out of memory");
					return -ENOMEM;
				}
				rows = nr;
				cap = ncap;
			}
			rows[n++] = (struct row){.e = e, .worker = w, .tsc_hz = t->tsc_hz};
		}
	}
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_rows);

	struct json_object *arr = json_object_new_array();
	size_t shown = limit == 0 || (size_t)limit > n ? n : (size_t)limit;
	for (size_t i = 0; i < shown; i++) {
		const struct row *x = &rows[i];
		char addr[INET6_ADDRSTRLEN];
		struct json_object *o = json_object_new_object();

		inet_ntop(x->e.family == 6 ? AF_INET6 : AF_INET, x->e.addr, addr, sizeof(addr));
		json_object_object_add(o, "address", json_object_new_string(addr));
		json_object_object_add(o, "prefixlen", json_object_new_int(x->e.prefixlen));
		json_object_object_add(o, "worker", json_object_new_int((int)x->worker));
		json_object_object_add(o, "hits", json_object_new_uint64(x->e.hits));
		json_object_object_add(o, "limited", json_object_new_uint64(x->e.limited));
		json_object_object_add(o, "kod", json_object_new_uint64(x->e.kod));
		json_object_object_add(o, "leaked", json_object_new_uint64(x->e.leaked));
		json_object_object_add(o, "first_seen_ago",
				       json_object_new_double(ticks_to_s(now_tsc - x->e.first_tsc, x->tsc_hz)));
		json_object_object_add(o, "last_seen_ago",
				       json_object_new_double(ticks_to_s(now_tsc - x->e.last_tsc, x->tsc_hz)));
		json_object_object_add(o, "avg_interval",
				       x->e.hits > 1 ? json_object_new_double(ticks_to_s(x->e.avg_interval, x->tsc_hz))
						     : NULL);
		json_object_array_add(arr, o);
	}
	json_object_object_add(data, "clients", arr);
	json_object_object_add(data, "total", json_object_new_uint64(n));
	json_object_object_add(data, "shown", json_object_new_uint64(shown));
	free(rows);
	return 0;
}

void clients_summary(struct json_object *data, struct lt_region *r)
{
	uint64_t entries = 0, used = 0, evictions = 0;
	unsigned int tables = 0;

	for (unsigned int w = 0; w < shm_hdr(r)->client_tables; w++) {
		const struct clientlog *t = table(r, w);
		if (!t)
			continue;
		tables++;
		entries += t->n_entries;
		evictions += __atomic_load_n(&t->evictions, __ATOMIC_RELAXED);
		for (uint32_t i = 0; i < t->n_entries; i++)
			used += __atomic_load_n(&t->e[i].family, __ATOMIC_RELAXED) != 0;
	}
	json_object_object_add(data, "tables", json_object_new_int((int)tables));
	json_object_object_add(data, "entries", json_object_new_uint64(entries));
	json_object_object_add(data, "used", json_object_new_uint64(used));
	json_object_object_add(data, "evictions", json_object_new_uint64(evictions));
}
