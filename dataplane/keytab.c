/* keytab: published keys -> prepared, sorted table. */
#include "keytab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_id(const void *a, const void *b)
{
	const struct lt_key *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct keytab *keytab_build(const struct lt_key *src, unsigned int n, char *err, size_t errlen)
{
	struct keytab *t = calloc(1, sizeof(*t));
	struct lt_key *sorted = NULL;

	if (!t)
		goto oom;
	if (n > LT_KEYS_MAX) {
		snprintf(err, errlen, "%u keys, at most %d", n, LT_KEYS_MAX);
		goto fail;
	}
	if (n == 0)
		return t;
	t->ids = calloc(n, sizeof(*t->ids));
	t->keys = calloc(n, sizeof(*t->keys));
	sorted = malloc(n * sizeof(*sorted));
	if (!t->ids || !t->keys || !sorted)
		goto oom;
	t->n = n; /* so keytab_free() wipes every prepared key */
	memcpy(sorted, src, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_id);
	for (unsigned int i = 0; i < n; i++) {
		const struct lt_key *k = &sorted[i];

		if (i && k->id == sorted[i - 1].id) {
			snprintf(err, errlen, "key %u listed twice", k->id);
			goto fail;
		}
		if (k->slot >= LT_KEYS_MAX) {
			snprintf(err, errlen, "key %u: counter slot %u out of range", k->id, k->slot);
			goto fail;
		}
		if (k->len > sizeof(k->secret) ||
		    ntp_mac_key_init(&t->keys[i].mac, k->id, k->type, k->secret, k->len) != 0) {
			snprintf(err, errlen, "key %u: type %u with a %u-byte secret is not usable",
				 k->id, k->type, k->len);
			goto fail;
		}
		t->keys[i].slot = k->slot;
		t->ids[i] = k->id;
	}
	explicit_bzero(sorted, n * sizeof(*sorted));
	free(sorted);
	return t;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (sorted)
		explicit_bzero(sorted, n * sizeof(*sorted));
	free(sorted);
	keytab_free(t);
	return NULL;
}

void keytab_free(struct keytab *t)
{
	if (!t)
		return;
	if (t->keys)
		explicit_bzero(t->keys, t->n * sizeof(*t->keys));
	free(t->keys);
	free(t->ids);
	free(t);
}
