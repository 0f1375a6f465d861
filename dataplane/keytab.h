/*
 * keytab: the symmetric keys the dataplane authenticates NTP requests with
 * (RFC 5905 MACs, see ntp_mac.h), compiled from the policy control
 * publishes. Keys are prepared once here, sorted by identifier, and never
 * written again: every worker reads the same table, and a MAC costs a copy
 * of a little hash or CMAC state on the worker's stack.
 * Plain C; no DPDK.
 */
#ifndef LT_KEYTAB_H
#define LT_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_mac.h"
#include "shm.h"

struct keytab_key {
	struct ntp_mac_key mac;
	uint16_t slot;          /* the key's per-key counters in the stats block */
};

struct keytab {
	unsigned int n;
	uint32_t *ids;          /* sorted; ids[i] is keys[i].mac.id */
	struct keytab_key *keys;
};

/* Build a table from n published keys. NULL with a message in err if a
 * key is malformed (unknown type, bad length, slot out of range) or an
 * identifier repeats. n == 0 gives an empty table. */
struct keytab *keytab_build(const struct lt_key *src, unsigned int n, char *err, size_t errlen);

/* Free a table (NULL is fine). */
void keytab_free(struct keytab *t);

/* The key with identifier id, or NULL. */
static inline const struct keytab_key *keytab_find(const struct keytab *t, uint32_t id)
{
	unsigned int lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->ids[lo] == id ? &t->keys[lo] : NULL;
}

#endif
