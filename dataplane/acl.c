/*
 * acl: allow/deny rules as two multibit tries with an 8-bit stride (see
 * acl.h).
 *
 * Every node is 256 slots, one per value of the address byte at its depth.
 * A slot holds the verdict of the most specific rule covering all of the
 * slot's addresses, plus the index of a child node when some longer rule
 * splits the slot. A prefix that ends inside a byte is expanded to the run
 * of slots it covers (controlled prefix expansion, Srinivasan & Varghese,
 * "Fast address lookups using controlled prefix expansion", 1999), and a new
 * child starts with its parent slot's verdict in every slot (leaf pushing),
 * so a lookup only needs the verdict of the last slot it reads.
 *
 * The rules are reduced first, following chrony's allow/deny: in file order,
 * an "all" rule drops the earlier rules strictly inside its prefix, and a
 * rule replaces an earlier one with the same prefix. The survivors are then
 * painted shortest prefix first, so a longer prefix always overwrites a
 * shorter one and no slot it paints can have a child yet.
 *
 * chrony's addrfilt.c expands prefixes to 4-bit steps and lets a later rule
 * overwrite the expanded entries, so there "deny 1.2.0.0/16" followed by
 * "allow 1.0.0.0/14" allows 1.2.x.x. Here the longer prefix decides in any
 * order, as acl.h and chrony.conf(5) describe; aligned prefixes agree.
 */
#include "acl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256
#define ROOT4 0
#define ROOT6 1

/* Slot = child << 2 | verdict. Child 0 means none: a root is never a child. */
enum { V_NONE = 0, V_DENY = 1, V_ALLOW = 2 };
#define VERDICT_MASK 3u
#define CHILD_SHIFT 2
#define MAX_NODES (UINT32_MAX >> CHILD_SHIFT)

struct acl {
	uint32_t n_nodes;
	uint32_t cap_nodes;
	uint32_t slot[]; /* n_nodes * SLOTS; node 0 is the IPv4 root, node 1 IPv6 */
};

/* A rule after validation: family 4 or 6, prefix zero-padded to 16 bytes. */
struct rule {
	uint8_t family;
	uint8_t len;
	uint8_t allow;
	uint8_t addr[16];
};

static unsigned int max_len(int family)
{
	return family == 4 ? 32 : 128;
}

static int bit_at(const uint8_t *addr, unsigned int i)
{
	return (addr[i >> 3] >> (7 - (i & 7))) & 1;
}

/* 1 if a's first len bits equal b's. */
static int same_bits(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len >> 3, rest = len & 7;

	if (memcmp(a, b, full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & (0xff00u >> rest) & 0xff) == 0;
}

static int host_bits_clear(const uint8_t *addr, unsigned int len, unsigned int bits)
{
	for (unsigned int i = len; i < bits; i++)
		if (bit_at(addr, i))
			return 0;
	return 1;
}

static int check_rule(const struct lt_cfg_access *r, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN] = "";
	unsigned int bits;

	if (r->family != 0 && r->family != 4 && r->family != 6) {
		snprintf(err, errlen, "access rule at line %u: unknown address family %u", r->line,
			 r->family);
		return -EINVAL;
	}
	/* family 0 is "every address": a /0 whose address must be all zero. */
	bits = max_len(r->family);
	if (r->prefixlen > (r->family == 0 ? 0 : bits)) {
		snprintf(err, errlen, "access rule at line %u: prefix length %u out of range", r->line,
			 r->prefixlen);
		return -EINVAL;
	}
	if (!host_bits_clear(r->addr, r->prefixlen, bits)) {
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, text, sizeof(text));
		snprintf(err, errlen, "access rule at line %u: %s/%u has bits set beyond the prefix length",
			 r->line, text, r->prefixlen);
		return -EINVAL;
	}
	return 0;
}

/* Apply one rule, for one family, to the reduced set of n rules: an "all"
 * rule drops the rules strictly inside it, then a rule with the same prefix
 * takes the new verdict or the rule is appended. Returns the new count. */
static unsigned int reduce(struct rule *set, unsigned int n, const struct rule *r, int all)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		const struct rule *e = &set[i];
		int inside = e->family == r->family && e->len > r->len && same_bits(e->addr, r->addr, r->len);

		if (all && inside)
			continue;
		set[k++] = *e;
	}
	n = k;
	for (i = 0; i < n; i++)
		if (set[i].family == r->family && set[i].len == r->len &&
		    same_bits(set[i].addr, r->addr, r->len)) {
			set[i].allow = r->allow;
			return n;
		}
	set[n] = *r;
	return n + 1;
}

static int by_length(const void *pa, const void *pb)
{
	const struct rule *a = pa, *b = pb;

	return (int)a->len - (int)b->len;
}

/* A new node at the end of the array, every slot set to verdict. */
static int new_node(struct acl **ap, uint32_t verdict, uint32_t *idx)
{
	struct acl *a = *ap;
	uint32_t *s;

	if (a->n_nodes == a->cap_nodes) {
		uint32_t cap = a->cap_nodes * 2;

		if (cap > MAX_NODES)
			return -ENOMEM;
		a = realloc(a, sizeof(*a) + (size_t)cap * SLOTS * sizeof(a->slot[0]));
		if (!a)
			return -ENOMEM;
		a->cap_nodes = cap;
		*ap = a;
	}
	*idx = a->n_nodes++;
	s = &a->slot[(size_t)*idx * SLOTS];
	for (unsigned int i = 0; i < SLOTS; i++)
		s[i] = verdict;
	return 0;
}

/* Paint one rule: walk (and create) nodes down to the byte where the
 * prefix ends, then set the 2^(8 - bits in that byte) slots it covers. */
static int paint(struct acl **ap, const struct rule *r)
{
	unsigned int depth = r->len ? (r->len - 1u) / 8 : 0;
	unsigned int used = r->len - 8 * depth; /* prefix bits in the last byte, 0..8 */
	unsigned int first = r->addr[depth] & (0xff00u >> used) & 0xff;
	unsigned int count = 1u << (8 - used);
	uint32_t node = r->family == 4 ? ROOT4 : ROOT6;

	for (unsigned int d = 0; d < depth; d++) {
		uint32_t *s = &(*ap)->slot[(size_t)node * SLOTS + r->addr[d]];
		uint32_t child = *s >> CHILD_SHIFT;

		if (child == 0) {
			int rc = new_node(ap, *s & VERDICT_MASK, &child);

			if (rc < 0)
				return rc;
			s = &(*ap)->slot[(size_t)node * SLOTS + r->addr[d]];
			*s = child << CHILD_SHIFT | (*s & VERDICT_MASK);
		}
		node = child;
	}
	for (unsigned int i = first; i < first + count; i++) {
		uint32_t *s = &(*ap)->slot[(size_t)node * SLOTS + i];

		*s = (*s & ~VERDICT_MASK) | (r->allow ? V_ALLOW : V_DENY);
	}
	return 0;
}

struct acl *acl_build(const struct lt_cfg_access *rules, unsigned int n, char *err, size_t errlen)
{
	struct rule *set = NULL;
	struct acl *a = NULL, *shrunk;
	unsigned int i, n_set = 0;
	uint32_t root;
	char dummy[1];

	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (n && !rules) {
		snprintf(err, errlen, "access rules missing");
		return NULL;
	}
	/* Each rule adds at most one entry per family (family 0 adds two). */
	set = malloc(((size_t)n * 2 + 1) * sizeof(*set));
	a = malloc(sizeof(*a) + 2 * SLOTS * sizeof(a->slot[0]));
	if (!set || !a)
		goto nomem;
	a->n_nodes = 0;
	a->cap_nodes = 2;
	if (new_node(&a, V_NONE, &root) < 0 || new_node(&a, V_NONE, &root) < 0)
		goto nomem;

	for (i = 0; i < n; i++) {
		const struct lt_cfg_access *c = &rules[i];
		struct rule r = {.len = c->prefixlen, .allow = c->allow ? 1 : 0};

		if (check_rule(c, err, errlen) < 0)
			goto fail;
		memcpy(r.addr, c->addr, c->family == 4 ? 4 : 16);
		if (c->family != 6) {
			r.family = 4;
			n_set = reduce(set, n_set, &r, c->all);
		}
		if (c->family != 4) {
			r.family = 6;
			n_set = reduce(set, n_set, &r, c->all);
		}
	}

	qsort(set, n_set, sizeof(*set), by_length);
	for (i = 0; i < n_set; i++)
		if (paint(&a, &set[i]) < 0)
			goto nomem;
	free(set);
	/* Give back what the last doubling did not use; keeping it is harmless. */
	shrunk = realloc(a, sizeof(*a) + (size_t)a->n_nodes * SLOTS * sizeof(a->slot[0]));
	if (shrunk) {
		a = shrunk;
		a->cap_nodes = a->n_nodes;
	}
	return a;

nomem:
	snprintf(err, errlen, "access rules: out of memory");
fail:
	free(set);
	free(a);
	return NULL;
}

void acl_free(struct acl *a)
{
	free(a);
}

/* One read per byte until a slot has no child; the last slot's verdict is
 * that of the longest prefix covering the address (leaf pushing). */
static inline int lookup(const struct acl *a, uint32_t node, const uint8_t *addr, unsigned int bytes)
{
	unsigned int i = 0;
	uint32_t s;

	do
		s = a->slot[(size_t)node * SLOTS + addr[i]];
	while ((node = s >> CHILD_SHIFT) != 0 && ++i < bytes);
	return (s & VERDICT_MASK) == V_ALLOW;
}

int acl_allow4(const struct acl *a, const uint8_t addr[4])
{
	return a ? lookup(a, ROOT4, addr, 4) : 0;
}

int acl_allow6(const struct acl *a, const uint8_t addr[16])
{
	return a ? lookup(a, ROOT6, addr, 16) : 0;
}

size_t acl_bytes(const struct acl *a)
{
	return a ? sizeof(*a) + (size_t)a->cap_nodes * SLOTS * sizeof(a->slot[0]) : 0;
}
