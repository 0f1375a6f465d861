/* policy: config -> published policy -> compiled tables. */
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void policy_from_config(const struct lt_config *c, struct lt_policy *out)
{
	memset(out, 0, sizeof(*out));
	out->n_access = c->n_access;
	memcpy(out->access, c->access, sizeof(c->access[0]) * c->n_access);
	out->kod_deny = (uint8_t)(c->kod_deny != 0);
	out->rl_enabled = (uint8_t)(c->ratelimit.enabled != 0);
	out->rl_interval = c->ratelimit.interval;
	out->rl_burst = c->ratelimit.burst;
	out->rl_leak = (uint8_t)c->ratelimit.leak;
	out->rl_kod = (uint8_t)c->ratelimit.kod;
	out->rl_ipv4_prefix = (uint8_t)c->ratelimit.ipv4_prefix;
	out->rl_ipv6_prefix = (uint8_t)c->ratelimit.ipv6_prefix;
	out->mssntp = (uint8_t)(c->ntpsigndsocket[0] != '\0');
	out->crypto_nak = (uint8_t)(c->crypto_nak != 0);
}

uint32_t policy_publish(struct lt_policy_block *b, const struct lt_policy *p)
{
	uint32_t gen;

	seqlock_write_begin(&b->lock);
	seqlock_copy(&b->p, p, sizeof(*p));
	gen = b->generation + 1;
	if (gen == 0)
		gen = 1; /* 0 means "never published" */
	__atomic_store_n(&b->generation, gen, __ATOMIC_RELAXED);
	seqlock_write_end(&b->lock);
	return gen;
}

uint32_t policy_read(const struct lt_policy_block *b, struct lt_policy *out)
{
	uint32_t seq, gen;

	do {
		seq = seqlock_read_begin(&b->lock);
		gen = __atomic_load_n(&b->generation, __ATOMIC_RELAXED);
		seqlock_copy(out, &b->p, sizeof(*out));
	} while (seqlock_read_retry(&b->lock, seq));
	return gen;
}

struct dp_policy *policy_compile(const struct lt_policy *p, uint32_t generation, uint64_t tsc_hz,
				 char *err, size_t errlen)
{
	struct dp_policy *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->generation = generation;
	d->kod_deny = p->kod_deny;
	d->mssntp = p->mssntp;
	d->crypto_nak = p->crypto_nak;
	d->n_access = p->n_access;
	if (p->n_access > LT_CFG_MAX_ACCESS) {
		snprintf(err, errlen, "policy has %u access rules, at most %d", p->n_access,
			 LT_CFG_MAX_ACCESS);
		free(d);
		return NULL;
	}
	if (p->n_access) {
		d->acl = acl_build(p->access, p->n_access, err, errlen);
		if (!d->acl) {
			free(d);
			return NULL;
		}
	}
	d->keys = keytab_build(p->keys, p->n_keys, err, errlen);
	if (!d->keys) {
		policy_free(d);
		return NULL;
	}
	d->rl.enabled = p->rl_enabled;
	d->rl.leak = p->rl_leak;
	d->rl.kod = p->rl_kod;
	d->rl.ipv4_prefix = p->rl_ipv4_prefix ? p->rl_ipv4_prefix : 32;
	d->rl.ipv6_prefix = p->rl_ipv6_prefix ? p->rl_ipv6_prefix : 64;
	d->rl.burst = p->rl_burst ? p->rl_burst : 1;
	d->rl.interval_ticks = clientlog_interval_ticks(p->rl_interval, tsc_hz);
	return d;
}

void policy_free(struct dp_policy *p)
{
	if (!p)
		return;
	acl_free(p->acl);
	keytab_free(p->keys);
	free(p);
}

void policy_geometry(const struct lt_config *c, struct shm_geometry *g)
{
	unsigned int workers = c->n_lcores ? c->n_lcores : 1;

	g->client_tables = workers;
	g->client_table_bytes =
		clientlog_bytes(clientlog_entries_for(c->clientloglimit / workers));
}
