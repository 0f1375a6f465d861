/*
 * policy: what the dataplane enforces, on its way from the config file to
 * the fast path. Control turns its config into a struct lt_policy and
 * publishes it in the region with a new generation; the dataplane's main
 * lcore compiles each new generation into a struct dp_policy (ACL tables,
 * limiter parameters in TSC ticks) and hands it to the workers by swapping
 * one pointer. The old one is freed only after every worker has finished a
 * poll round since the swap, so a reload never stalls or races the fast path.
 * Plain C; both processes link it.
 */
#ifndef LT_POLICY_H
#define LT_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "clientlog.h"
#include "config.h"
#include "keytab.h"
#include "shm.h"

struct dp_policy {
	uint32_t generation;      /* 0: compiled from the dataplane's own config */
	uint8_t kod_deny;
	uint8_t mssntp;
	uint8_t crypto_nak;       /* failed MACs get a crypto-NAK */
	struct acl *acl;          /* NULL: no access rules, every client allowed */
	struct clientlog_params rl;
	unsigned int n_access;
	struct keytab *keys;      /* never NULL: an empty table without keys */
};

/* The policy a config asks for, without keys (control adds those from
 * the keyfile). */
void policy_from_config(const struct lt_config *c, struct lt_policy *out);

/* Publish p as the next generation (control). Returns the new generation. */
uint32_t policy_publish(struct lt_policy_block *b, const struct lt_policy *p);

/* Copy the published policy and its generation (0: nothing published yet). */
uint32_t policy_read(const struct lt_policy_block *b, struct lt_policy *out);

/* Compile p for the fast path. NULL with a message on failure. */
struct dp_policy *policy_compile(const struct lt_policy *p, uint32_t generation, uint64_t tsc_hz,
				 char *err, size_t errlen);

/* Free a compiled policy (NULL is fine). */
void policy_free(struct dp_policy *p);

/* Region geometry for a config: one client table per worker, the
 * clientloglimit split between them. */
void policy_geometry(const struct lt_config *c, struct shm_geometry *g);

#endif
