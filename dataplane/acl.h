/*
 * acl: allow/deny rules compiled into longest-prefix-match tables, one for
 * IPv4 and one for IPv6, as plain C (the dataplane's equivalent of
 * rte_lpm/rte_lpm6, testable without DPDK).
 *
 * Semantics are chrony's: rules are applied in order; the most specific
 * prefix covering an address decides; a later rule for the same prefix
 * replaces an earlier one; an "all" rule first removes every earlier rule
 * strictly inside its prefix. An address no rule covers is denied (with no
 * rules at all the dataplane uses no table and allows everyone). Prefixes
 * are exact: chrony rounds them to 4-bit steps internally, which can differ
 * for rules that do not end on a nibble; linetime does what the rule says.
 *
 * acl_build() allocates (off the fast path: the dataplane's main lcore
 * builds a new table when control publishes a policy generation); the
 * lookups never allocate, lock or branch on more than one table level per
 * 8 address bits: at most 4 reads for IPv4 and 16 for IPv6.
 */
#ifndef LT_ACL_H
#define LT_ACL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct acl;

/* Compile n rules (struct lt_cfg_access, file order). Returns a table, or
 * NULL with a message in err (out of memory, bad family or prefix). */
struct acl *acl_build(const struct lt_cfg_access *rules, unsigned int n, char *err, size_t errlen);

/* Release a table from acl_build(). NULL is fine. */
void acl_free(struct acl *a);

/* 1 if the address (network order) is allowed, 0 if denied. */
int acl_allow4(const struct acl *a, const uint8_t addr[4]);
int acl_allow6(const struct acl *a, const uint8_t addr[16]);

/* Bytes the compiled table occupies (for logs and the ratelimit command). */
size_t acl_bytes(const struct acl *a);

#endif
