/* authkeys: linetimed's symmetric keys (see authkeys.h). */
#include "authkeys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "policy.h"

static uint64_t slot_sum(struct lt_region *r, uint16_t slot, int bad)
{
	struct lt_stats_block *st = r ? shm_stats(r) : NULL;
	uint64_t sum = 0;

	if (!st || slot >= LT_KEYS_MAX)
		return 0;
	for (unsigned int w = 0; w < LT_MAX_WORKERS; w++)
		sum += __atomic_load_n(bad ? &st->w[w].key_bad[slot] : &st->w[w].key_ok[slot],
				       __ATOMIC_RELAXED);
	return sum;
}

static const struct lt_key *find_pub(const struct lt_key *k, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (k[i].id == id)
			return &k[i];
	return NULL;
}

int authkeys_load(struct authkeys *a, const char *path, struct lt_region *r, char *err,
		  size_t errlen)
{
	static struct keyfile kf;
	static struct lt_policy prev;
	static struct lt_key next[LT_KEYS_MAX];
	static struct ntp_mac_key mac[LT_KEYS_MAX];
	const struct lt_key *old = a->pub;
	unsigned int n_old = a->n;
	uint8_t used[LT_KEYS_MAX];
	int rc = 0;

	kf.n = 0;
	if (path[0] && (rc = keyfile_load(path, &kf, err, errlen)) != 0)
		goto out;
	/* A restarted linetimed finds the slots in the region's policy. */
	if (!a->loaded && r && policy_read(shm_policy(r), &prev) != 0 && prev.n_keys <= LT_KEYS_MAX) {
		old = prev.keys;
		n_old = prev.n_keys;
	}
	memset(used, 0, sizeof(used));
	memset(next, 0, sizeof(next));
	for (unsigned int i = 0; i < kf.n; i++) {
		const struct lt_key *o = find_pub(old, n_old, kf.keys[i].id);
		if (o && o->slot < LT_KEYS_MAX && !used[o->slot]) {
			next[i].slot = o->slot;
			next[i].base_ok = o->base_ok;
			next[i].base_bad = o->base_bad;
			used[o->slot] = 1;
		} else {
			next[i].slot = UINT16_MAX;
		}
	}
	for (unsigned int i = 0, s = 0; i < kf.n; i++) {
		struct lt_key *k = &next[i];
		const struct keyfile_key *f = &kf.keys[i];

		if (k->slot == UINT16_MAX) {
			while (used[s])
				s++;
			k->slot = (uint16_t)s;
			used[s] = 1;
			k->base_ok = slot_sum(r, k->slot, 0);
			k->base_bad = slot_sum(r, k->slot, 1);
		}
		k->id = f->id;
		k->type = f->type;
		k->len = f->len;
		memcpy(k->secret, f->secret, f->len);
		if (ntp_mac_key_init(&mac[i], f->id, f->type, f->secret, f->len) != 0) {
			rc = -EINVAL;
			snprintf(err, errlen, "%s:%u: key %u: not usable", path, f->line, f->id);
			goto out;
		}
	}
	snprintf(a->path, sizeof(a->path), "%s", path);
	explicit_bzero(a->pub, sizeof(a->pub));
	explicit_bzero(a->mac, sizeof(a->mac));
	memcpy(a->pub, next, kf.n * sizeof(next[0]));
	memcpy(a->mac, mac, kf.n * sizeof(mac[0]));
	a->n = kf.n;
	a->loaded = time(NULL);
out:
	if (rc)
		a->load_errors++;
	keyfile_clear(&kf);
	explicit_bzero(&prev, sizeof(prev));
	explicit_bzero(next, sizeof(next));
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

void authkeys_to_policy(const struct authkeys *a, struct lt_policy *p)
{
	p->n_keys = a->n;
	memcpy(p->keys, a->pub, a->n * sizeof(a->pub[0]));
}

const struct ntp_mac_key *authkeys_find(const struct authkeys *a, uint32_t id)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (a->mac[i].id == id)
			return &a->mac[i];
	return NULL;
}

void authkeys_counters(const struct authkeys *a, struct lt_region *r, unsigned int i,
		       uint64_t *ok, uint64_t *bad)
{
	const struct lt_key *k = &a->pub[i];
	uint64_t o = slot_sum(r, k->slot, 0), b = slot_sum(r, k->slot, 1);

	/* Below the baseline: the region was made anew, counting from 0. */
	*ok = o >= k->base_ok ? o - k->base_ok : o;
	*bad = b >= k->base_bad ? b - k->base_bad : b;
}

void authkeys_report(const struct authkeys *a, struct lt_region *r, int crypto_nak,
		     struct json_object *data)
{
	struct json_object *keys = json_object_new_array();

	json_object_object_add(data, "keyfile", a->path[0] ? json_object_new_string(a->path) : NULL);
	json_object_object_add(data, "loaded", a->loaded ? json_object_new_int64(a->loaded) : NULL);
	json_object_object_add(data, "load_errors", json_object_new_int64(a->load_errors));
	json_object_object_add(data, "crypto_nak", json_object_new_boolean(crypto_nak));
	for (unsigned int i = 0; i < a->n; i++) {
		struct json_object *k = json_object_new_object();
		const struct lt_key *p = &a->pub[i];
		uint64_t ok, bad;

		authkeys_counters(a, r, i, &ok, &bad);
		json_object_object_add(k, "id", json_object_new_int64(p->id));
		json_object_object_add(k, "type", json_object_new_string(ntp_mac_type_name(p->type)));
		json_object_object_add(k, "bits", json_object_new_int(p->len * 8));
		json_object_object_add(k, "ok", json_object_new_int64((int64_t)ok));
		json_object_object_add(k, "bad_mac", json_object_new_int64((int64_t)bad));
		json_object_array_add(keys, k);
	}
	json_object_object_add(data, "keys", keys);
}

void authkeys_clear(struct authkeys *a)
{
	explicit_bzero(a, sizeof(*a));
}
