/* Tests for acl: rules written as the config lines a user writes, checked
 * against chrony's documented allow/deny behaviour and, for random rule
 * sets, against a slow reference written here without the trie. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "suites.h"

#define MAX_RULES LT_CFG_MAX_ACCESS

/* "allow|deny [all] [address[/len]]" -> one rule, numbered line. Host bits
 * are kept as written so the tests can feed acl_build() bad prefixes. */
static struct lt_cfg_access parse_rule(const char *text, unsigned int line)
{
	struct lt_cfg_access r = {.line = line};
	char buf[128], *tok, *save = NULL, *slash;

	ck_assert_uint_lt(strlen(text), sizeof(buf));
	strcpy(buf, text);
	tok = strtok_r(buf, " ", &save);
	ck_assert_msg(tok && (!strcmp(tok, "allow") || !strcmp(tok, "deny")), "bad rule: %s", text);
	r.allow = !strcmp(tok, "allow");
	tok = strtok_r(NULL, " ", &save);
	if (tok && !strcmp(tok, "all")) {
		r.all = 1;
		tok = strtok_r(NULL, " ", &save);
	}
	if (!tok)
		return r; /* family 0: every address */
	slash = strchr(tok, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, tok, r.addr) == 1)
		r.family = 4;
	else if (inet_pton(AF_INET6, tok, r.addr) == 1)
		r.family = 6;
	else
		ck_abort_msg("bad address in rule: %s", text);
	r.prefixlen = slash ? (uint8_t)atoi(slash) : (r.family == 4 ? 32 : 128);
	return r;
}

/* Build from config lines, numbered from 1; must succeed. */
static struct acl *build_lines(const char *const *lines, unsigned int n)
{
	static struct lt_cfg_access rules[MAX_RULES];
	char err[LT_CFG_ERR_MAX] = "";
	struct acl *a;

	ck_assert_uint_le(n, MAX_RULES);
	for (unsigned int i = 0; i < n; i++)
		rules[i] = parse_rule(lines[i], i + 1);
	a = acl_build(rules, n, err, sizeof(err));
	ck_assert_msg(a != NULL, "acl_build: %s", err);
	return a;
}

#define BUILD(...)                                                             \
	({                                                                     \
		static const char *const lines_[] = {__VA_ARGS__};             \
		build_lines(lines_, sizeof(lines_) / sizeof(lines_[0]));       \
	})

/* The verdict for a textual address, either family. */
static int allowed(const struct acl *a, const char *addr)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, addr, b) == 1)
		return acl_allow4(a, b);
	ck_assert_msg(inet_pton(AF_INET6, addr, b) == 1, "bad address %s", addr);
	return acl_allow6(a, b);
}

#define ck_allowed(a, addr) ck_assert_msg(allowed(a, addr), "%s should be allowed", addr)
#define ck_denied(a, addr) ck_assert_msg(!allowed(a, addr), "%s should be denied", addr)

START_TEST(empty_denies_everything)
{
	char err[64] = "";
	struct acl *a = acl_build(NULL, 0, err, sizeof(err));

	ck_assert_ptr_nonnull(a);
	ck_denied(a, "0.0.0.0");
	ck_denied(a, "192.0.2.1");
	ck_denied(a, "255.255.255.255");
	ck_denied(a, "::");
	ck_denied(a, "2001:db8::1");
	ck_denied(a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* Just the two roots. */
	ck_assert_uint_ge(acl_bytes(a), 2 * 256 * sizeof(uint32_t));
	ck_assert_uint_lt(acl_bytes(a), 2 * 256 * sizeof(uint32_t) + 64);
	acl_free(a);
}
END_TEST

START_TEST(allow_alone_allows_both_families)
{
	struct acl *a = BUILD("allow");

	ck_allowed(a, "0.0.0.0");
	ck_allowed(a, "203.0.113.9");
	ck_allowed(a, "255.255.255.255");
	ck_allowed(a, "::");
	ck_allowed(a, "2001:db8::1");
	ck_allowed(a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	acl_free(a);

	a = BUILD("allow", "deny 203.0.113.0/24", "deny 2001:db8::/32");
	ck_denied(a, "203.0.113.9");
	ck_allowed(a, "203.0.112.255");
	ck_denied(a, "2001:db8:ffff::1");
	ck_allowed(a, "2001:db9::");
	acl_free(a);
}
END_TEST

/* chrony.conf(5), "allow": the most specific rule wins whatever the order. */
START_TEST(chrony_example_any_order)
{
	static const char *const rules[3] = {"allow 1.2.3.4", "deny 1.2.3.0/24", "allow 1.2.0.0/16"};
	static const unsigned int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
						{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

	for (unsigned int p = 0; p < 6; p++) {
		const char *lines[3];
		struct acl *a;

		for (unsigned int i = 0; i < 3; i++)
			lines[i] = rules[perm[p][i]];
		a = build_lines(lines, 3);
		ck_allowed(a, "1.2.3.4");
		ck_denied(a, "1.2.3.5");
		ck_allowed(a, "1.2.4.1");
		ck_denied(a, "1.3.0.1");
		ck_denied(a, "::ffff:1.2.3.4"); /* mapped addresses are IPv6 here */
		acl_free(a);
	}
}
END_TEST

START_TEST(all_drops_earlier_rules_inside)
{
	struct acl *a = BUILD("allow 1.2.3.4", "deny 1.2.3.0/24", "allow all 1.2.0.0/16");

	ck_allowed(a, "1.2.3.4");
	ck_allowed(a, "1.2.3.5");
	ck_allowed(a, "1.2.4.1");
	ck_denied(a, "1.3.0.1");
	acl_free(a);

	/* Given first, "all" has nothing to drop. */
	a = BUILD("allow all 1.2.0.0/16", "allow 1.2.3.4", "deny 1.2.3.0/24");
	ck_allowed(a, "1.2.3.4");
	ck_denied(a, "1.2.3.5");
	ck_allowed(a, "1.2.4.1");
	acl_free(a);

	/* A rule after the "all" survives it; one for another family too. */
	a = BUILD("deny 10.1.0.0/16", "allow 2001:db8::/32", "allow all 10.0.0.0/8", "deny 10.2.0.0/16");
	ck_allowed(a, "10.1.0.1");
	ck_denied(a, "10.2.0.1");
	ck_allowed(a, "2001:db8::1");
	acl_free(a);

	/* "deny all" with no address clears both families. */
	a = BUILD("allow 192.0.2.0/24", "allow 2001:db8::/32", "deny all", "allow 2001:2::/48");
	ck_denied(a, "192.0.2.1");
	ck_denied(a, "2001:db8::1");
	ck_allowed(a, "2001:2::1");
	acl_free(a);

	a = BUILD("allow", "allow 2001:2::/64", "deny all 2001:2::/48", "deny 2001:2:0:1::/64");
	ck_denied(a, "2001:2::1");
	ck_denied(a, "2001:2:0:1::1");
	ck_allowed(a, "2001:2:1::1");
	ck_allowed(a, "198.51.100.1");
	acl_free(a);
}
END_TEST

START_TEST(same_prefix_later_wins)
{
	struct acl *a = BUILD("allow 192.0.2.0/24", "deny 192.0.2.0/24");

	ck_denied(a, "192.0.2.77");
	acl_free(a);
	a = BUILD("deny 192.0.2.0/24", "allow 192.0.2.0/24");
	ck_allowed(a, "192.0.2.77");
	acl_free(a);
	a = BUILD("allow", "deny");
	ck_denied(a, "192.0.2.77");
	ck_denied(a, "2001:db8::77");
	acl_free(a);
	a = BUILD("deny all 2001:db8::/32", "allow 2001:db8::/32");
	ck_allowed(a, "2001:db8::77");
	acl_free(a);
	/* family 0 and an explicit /0 are the same key. */
	a = BUILD("allow", "deny 0.0.0.0/0");
	ck_denied(a, "192.0.2.77");
	ck_allowed(a, "2001:db8::77");
	acl_free(a);
}
END_TEST

/* Add (+1) or subtract (-1) one to a big-endian address; 0 on wrap. */
static int step(uint8_t *b, unsigned int n, int dir)
{
	for (unsigned int i = n; i-- > 0;) {
		uint8_t old = b[i];

		b[i] = (uint8_t)(b[i] + dir);
		if ((dir > 0 && old != 0xff) || (dir < 0 && old != 0x00))
			return 1;
	}
	return 0;
}

static int verdict(const struct acl *a, const uint8_t *b, unsigned int n)
{
	return n == 4 ? acl_allow4(a, b) : acl_allow6(a, b);
}

/* allow P/len alone, then deny P/len under a plain "allow": the first and
 * last address inside take the rule's verdict, the neighbours outside the
 * other one. */
static void check_boundary(int family, unsigned int len)
{
	static const uint8_t base4[4] = {203, 0, 113, 77};
	static const uint8_t base6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xab, 0xcd, 0xef, 0x01,
					  0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01};
	unsigned int n = family == 4 ? 4 : 16;
	struct lt_cfg_access r[2] = {{.allow = 1, .line = 1},
				     {.family = (uint8_t)family, .prefixlen = (uint8_t)len, .line = 2}};
	uint8_t first[16], last[16], out[16];
	char err[LT_CFG_ERR_MAX];

	memcpy(first, family == 4 ? base4 : base6, n);
	memcpy(last, first, n);
	for (unsigned int i = len; i < 8 * n; i++) {
		first[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		last[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	memcpy(r[1].addr, first, n);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: "allow P/len" alone; pass 1: "allow" then "deny P/len". */
		int inside = pass == 0;
		struct acl *a;

		r[1].allow = (uint8_t)inside;
		a = pass == 0 ? acl_build(&r[1], 1, err, sizeof(err)) : acl_build(r, 2, err, sizeof(err));
		ck_assert_msg(a != NULL, "%s", err);
		ck_assert_msg(verdict(a, first, n) == inside, "IPv%d /%u first", family, len);
		ck_assert_msg(verdict(a, last, n) == inside, "IPv%d /%u last", family, len);
		memcpy(out, first, n);
		if (step(out, n, -1))
			ck_assert_msg(verdict(a, out, n) == !inside, "IPv%d /%u below", family, len);
		memcpy(out, last, n);
		if (step(out, n, +1))
			ck_assert_msg(verdict(a, out, n) == !inside, "IPv%d /%u above", family, len);
		acl_free(a);
	}
}

START_TEST(non_byte_boundaries)
{
	static const unsigned int len4[] = {0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32};
	static const unsigned int len6[] = {0, 1, 7, 9, 48, 56, 63, 64, 65, 120, 127, 128};

	for (unsigned int i = 0; i < sizeof(len4) / sizeof(len4[0]); i++)
		check_boundary(4, len4[i]);
	for (unsigned int i = 0; i < sizeof(len6) / sizeof(len6[0]); i++)
		check_boundary(6, len6[i]);
}
END_TEST

/* 256 rules (the config's limit): 10.x.0.0/16 allowed for even x, with
 * 10.x.(x).0/24 carved out as denied; IPv6 the mirror image. */
START_TEST(many_rules)
{
	static struct lt_cfg_access rules[MAX_RULES];
	char text[64], err[LT_CFG_ERR_MAX] = "";
	struct acl *a;

	for (unsigned int i = 0; i < MAX_RULES; i++) {
		unsigned int x = i / 2 * 2;

		if (i < MAX_RULES / 2)
			snprintf(text, sizeof(text), i % 2 ? "deny 10.%u.%u.0/24" : "allow 10.%u.0.0/16", x, x);
		else
			snprintf(text, sizeof(text), i % 2 ? "allow 2001:db8:%x:%x00::/56" : "deny 2001:db8:%x::/48",
				 x, x);
		rules[i] = parse_rule(text, i + 1);
	}
	a = acl_build(rules, MAX_RULES, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s", err);
	for (unsigned int x = 0; x < 256; x++)
		for (unsigned int k = 0; k < 7; k++) {
			unsigned int y = k < 6 ? k * 51 : x;
			uint8_t b4[4] = {10, (uint8_t)x, (uint8_t)y, (uint8_t)(x ^ y)};
			uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, (uint8_t)x, (uint8_t)y, 0x42};
			int v4 = x < 128 && x % 2 == 0 && y != x;
			int v6 = x >= 128 && x % 2 == 0 && y == x;

			ck_assert_msg(acl_allow4(a, b4) == v4, "10.%u.%u.x", x, y);
			ck_assert_msg(acl_allow6(a, b6) == v6, "2001:db8:%x:%x42::", x, y);
		}
	ck_denied(a, "10.255.0.1");
	ck_denied(a, "2001:db8:1::");
	ck_assert_uint_gt(acl_bytes(a), 100 * 256 * sizeof(uint32_t));
	acl_free(a);
}
END_TEST

/* --- reference: the rule list scanned as chrony's text describes it ---- */

/* 1 if the first len bits of x and y agree, compared one bit at a time. */
static int ref_match(const uint8_t *x, const uint8_t *y, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		if (((x[i / 8] ^ y[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

static int ref_has_family(const struct lt_cfg_access *r, int family)
{
	return r->family == 0 || r->family == family;
}

/* A rule decides for its prefix iff no later rule has the same prefix and
 * no later "all" rule strictly contains it: the declarative reading of
 * "a later rule replaces, an all rule drops the rules inside". */
static int ref_live(const struct lt_cfg_access *rules, unsigned int n, unsigned int i, int family)
{
	const struct lt_cfg_access *r = &rules[i];

	for (unsigned int j = i + 1; j < n; j++) {
		const struct lt_cfg_access *q = &rules[j];

		if (!ref_has_family(q, family))
			continue;
		if (q->prefixlen == r->prefixlen && ref_match(q->addr, r->addr, r->prefixlen))
			return 0;
		if (q->all && q->prefixlen < r->prefixlen && ref_match(q->addr, r->addr, q->prefixlen))
			return 0;
	}
	return 1;
}

static int ref_allow(const struct lt_cfg_access *rules, const uint8_t *live, unsigned int n,
		     int family, const uint8_t *addr)
{
	int best = -1, allow = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct lt_cfg_access *r = &rules[i];

		if (live[i] && ref_has_family(r, family) && r->prefixlen > best &&
		    ref_match(r->addr, addr, r->prefixlen)) {
			best = r->prefixlen;
			allow = r->allow;
		}
	}
	return allow;
}

/* splitmix64, so the run is the same everywhere. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(uint64_t *s, unsigned int n)
{
	return (unsigned int)(rnd(s) % n);
}

static void set_bit(uint8_t *b, unsigned int i, int v)
{
	if (v)
		b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	else
		b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

START_TEST(random_cross_check)
{
	static struct lt_cfg_access rules[40];
	uint64_t seed = 20240229;
	char err[LT_CFG_ERR_MAX];

	for (unsigned int set = 0; set < 200; set++) {
		uint8_t base[2][3][16], live[2][40];
		unsigned int n = 1 + rnd_below(&seed, 40);
		struct acl *a;

		/* A few base addresses per family so prefixes nest and collide. */
		for (unsigned int f = 0; f < 2; f++)
			for (unsigned int k = 0; k < 3; k++)
				for (unsigned int i = 0; i < 16; i++)
					base[f][k][i] = (uint8_t)rnd(&seed);
		for (unsigned int i = 0; i < n; i++) {
			struct lt_cfg_access *r = &rules[i];
			unsigned int pick = rnd_below(&seed, 20), f = pick % 2, bits = f ? 128 : 32;

			memset(r, 0, sizeof(*r));
			r->line = i + 1;
			r->allow = (uint8_t)rnd_below(&seed, 2);
			r->all = rnd_below(&seed, 5) == 0;
			if (pick == 0)
				continue; /* family 0 */
			r->family = f ? 6 : 4;
			r->prefixlen = (uint8_t)rnd_below(&seed, bits + 1);
			memcpy(r->addr, base[f][rnd_below(&seed, 3)], 16);
			if (r->prefixlen && rnd_below(&seed, 3) == 0) /* a sibling */
				set_bit(r->addr, rnd_below(&seed, r->prefixlen), (int)rnd_below(&seed, 2));
			for (unsigned int b = r->prefixlen; b < 128; b++)
				set_bit(r->addr, b, 0);
		}
		a = acl_build(rules, n, err, sizeof(err));
		ck_assert_msg(a != NULL, "set %u: %s", set, err);
		for (unsigned int i = 0; i < n; i++) {
			live[0][i] = (uint8_t)ref_live(rules, n, i, 4);
			live[1][i] = (uint8_t)ref_live(rules, n, i, 6);
		}

		for (unsigned int t = 0; t < 2000; t++) {
			const struct lt_cfg_access *r = &rules[rnd_below(&seed, n)];
			unsigned int f = r->family ? r->family == 6 : rnd_below(&seed, 2);
			unsigned int bits = f ? 128 : 32;
			uint8_t addr[16];
			int got, want;

			/* Mostly inside a rule's prefix, sometimes a bit flipped near
			 * its end, sometimes anywhere. */
			for (unsigned int i = 0; i < 16; i++)
				addr[i] = (uint8_t)rnd(&seed);
			if (rnd_below(&seed, 10) != 0)
				for (unsigned int b = 0; b < r->prefixlen; b++)
					set_bit(addr, b, (r->addr[b / 8] >> (7 - b % 8)) & 1);
			if (r->prefixlen && rnd_below(&seed, 3) == 0) {
				unsigned int b = r->prefixlen - 1 - rnd_below(&seed, r->prefixlen < 3 ? r->prefixlen : 3);

				addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
			}
			if (rnd_below(&seed, 8) == 0) /* the last and first address of a block */
				for (unsigned int b = r->prefixlen; b < bits; b++)
					set_bit(addr, b, (int)(t & 1));
			got = f ? acl_allow6(a, addr) : acl_allow4(a, addr);
			want = ref_allow(rules, live[f], n, f ? 6 : 4, addr);
			ck_assert_msg(got == want, "set %u address %u: got %d want %d", set, t, got, want);
		}
		acl_free(a);
	}
}
END_TEST

/* Build must fail with the rule's line in the message. */
static void check_rejected(struct lt_cfg_access r, const char *what)
{
	struct lt_cfg_access rules[3] = {parse_rule("allow", 1), parse_rule("deny 192.0.2.0/24", 2), r};
	char err[LT_CFG_ERR_MAX] = "";

	rules[2].line = 42;
	ck_assert_msg(acl_build(rules, 3, err, sizeof(err)) == NULL, "%s accepted", what);
	ck_assert_msg(strstr(err, "line 42") != NULL, "%s: message \"%s\" has no line", what, err);
}

START_TEST(invalid_rules_rejected)
{
	struct lt_cfg_access r;
	char err[8];

	check_rejected(parse_rule("allow 1.2.3.4/24", 0), "IPv4 host bits");
	check_rejected(parse_rule("deny 1.2.3.1/31", 0), "IPv4 host bit /31");
	check_rejected(parse_rule("allow 2001:db8::1/64", 0), "IPv6 host bits");
	check_rejected(parse_rule("allow 1.2.3.0/33", 0), "prefixlen 33");
	check_rejected(parse_rule("allow 2001:db8::/129", 0), "prefixlen 129");
	r = parse_rule("allow 1.2.3.0/24", 0);
	r.family = 5;
	check_rejected(r, "family 5");
	r = parse_rule("allow", 0);
	r.prefixlen = 8;
	check_rejected(r, "family 0 with a prefix length");

	/* No room for a message is no reason to crash. */
	r = parse_rule("allow 1.2.3.4/24", 1);
	ck_assert_ptr_null(acl_build(&r, 1, NULL, 0));
	ck_assert_ptr_null(acl_build(&r, 1, err, sizeof(err)));
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_ptr_null(acl_build(NULL, 1, err, sizeof(err)));
}
END_TEST

START_TEST(null_table)
{
	static const uint8_t a4[4] = {192, 0, 2, 1}, a6[16] = {0x20, 0x01, 0x0d, 0xb8};

	acl_free(NULL);
	ck_assert_int_eq(acl_allow4(NULL, a4), 0);
	ck_assert_int_eq(acl_allow6(NULL, a6), 0);
	ck_assert_uint_eq(acl_bytes(NULL), 0);
}
END_TEST

Suite *acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, empty_denies_everything);
	tcase_add_test(tc, allow_alone_allows_both_families);
	tcase_add_test(tc, chrony_example_any_order);
	tcase_add_test(tc, all_drops_earlier_rules_inside);
	tcase_add_test(tc, same_prefix_later_wins);
	tcase_add_test(tc, non_byte_boundaries);
	tcase_add_test(tc, many_rules);
	tcase_add_test(tc, invalid_rules_rejected);
	tcase_add_test(tc, null_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("reference");
	/* 400k lookups against an O(n) reference; generous for ASan builds. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, random_cross_check);
	suite_add_tcase(s, tc);
	return s;
}
