/*
 * authkeys: linetimed's symmetric keys (RFC 5905 MACs, RFC 8573). It
 * loads the keyfile at start and on reload (a bad file keeps the keys in
 * force), gives each key a counter slot in the region that the key keeps
 * while it stays (across reloads and restarts of either process), hands
 * the keys to the dataplane through the policy, prepares them for the
 * upstream sources, and reports per-key counters.
 *
 * keys: {"keyfile": path, "loaded": unix time|null, "load_errors": N,
 *        "crypto_nak": bool,
 *        "keys": [{"id": N, "type": "AES128", "bits": 128,
 *                  "ok": N, "bad_mac": N}]}
 * Secrets never leave this module except into the region.
 */
#ifndef LT_AUTHKEYS_H
#define LT_AUTHKEYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "keyfile.h"
#include "ntp_mac.h"
#include "shm.h"

struct json_object;

struct authkeys {
	char path[LT_CFG_PATH_MAX];     /* "" = no keyfile */
	unsigned int n;
	struct lt_key pub[LT_KEYS_MAX];  /* as published, with slots and baselines */
	struct ntp_mac_key mac[LT_KEYS_MAX]; /* the same keys, prepared for control */
	time_t loaded;                  /* when the keys in force were read; 0 never */
	unsigned int load_errors;       /* reloads whose keyfile was rejected */
};

/* Load path ("" = no keys). The slots of keys already in the region's
 * published policy (a restarted linetimed) are kept; new keys take free
 * slots with the counters' present values as baselines. Returns 0, or a
 * negative errno with "path:line: problem" in err, leaving a unchanged. */
int authkeys_load(struct authkeys *a, const char *path, struct lt_region *r, char *err,
		  size_t errlen);

/* Put the keys in force into p (n_keys and keys). */
void authkeys_to_policy(const struct authkeys *a, struct lt_policy *p);

/* The prepared key with identifier id, or NULL. */
const struct ntp_mac_key *authkeys_find(const struct authkeys *a, uint32_t id);

/* Per-key counters since the key took its slot, summed over the workers. */
void authkeys_counters(const struct authkeys *a, struct lt_region *r, unsigned int i,
		       uint64_t *ok, uint64_t *bad);

/* The admin command "keys" (see above). */
void authkeys_report(const struct authkeys *a, struct lt_region *r, int crypto_nak,
		     struct json_object *data);

/* Wipe every secret. */
void authkeys_clear(struct authkeys *a);

#endif
