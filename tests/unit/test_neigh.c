/* neigh suite: learn and look up, refresh, expiry, replacement of the
 * oldest way in a full bucket, and the ARP/NS builders parsed back. */
#include <string.h>

#include "neigh.h"
#include "suites.h"
#include "testutil.h"

#define HZ 1000ULL

static struct neigh_table t;

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t IP4_A[4] = { 10, 0, 0, 1 };
static const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
/* the IPv4 address whose 16-byte form equals IP4_A followed by zeros */
static const uint8_t IP6_LIKE_IP4_A[16] = { 10, 0, 0, 1 };

/* Index of the bucket holding addr, found through the public table. */
static int bucket_holding(int family, const uint8_t *addr)
{
	size_t n = family == 4 ? 4 : 16;

	for (int b = 0; b < NEIGH_BUCKETS; b++)
		for (int w = 0; w < NEIGH_WAYS; w++)
			if (t.e[b][w].family == family && memcmp(t.e[b][w].addr, addr, n) == 0)
				return b;
	return -1;
}

START_TEST(test_learn_lookup)
{
	uint8_t mac[6];

	neigh_init(&t, HZ);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 0), -1);
	neigh_learn(&t, 4, IP4_A, MAC_A, 10);
	neigh_learn(&t, 6, IP6_A, MAC_B, 10);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 20), 0);
	ck_assert_mem_eq(mac, MAC_A, 6);
	ck_assert_int_eq(neigh_lookup(&t, 6, IP6_A, mac, 20), 0);
	ck_assert_mem_eq(mac, MAC_B, 6);
	/* families are separate even when the bytes agree */
	ck_assert_int_eq(neigh_lookup(&t, 6, IP6_LIKE_IP4_A, mac, 20), -1);
	/* refresh replaces the MAC in place, no second entry */
	neigh_learn(&t, 4, IP4_A, MAC_B, 30);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 40), 0);
	ck_assert_mem_eq(mac, MAC_B, 6);
	{
		int count = 0;
		for (int b = 0; b < NEIGH_BUCKETS; b++)
			for (int w = 0; w < NEIGH_WAYS; w++)
				count += t.e[b][w].family == 4;
		ck_assert_int_eq(count, 1);
	}
}
END_TEST

START_TEST(test_expiry)
{
	uint8_t mac[6];
	const uint64_t ttl = NEIGH_TTL_SEC * HZ;

	neigh_init(&t, HZ);
	neigh_learn(&t, 4, IP4_A, MAC_A, 100);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 100 + ttl - 1), 0);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 100 + ttl), -1);
	/* learning again revives it */
	neigh_learn(&t, 4, IP4_A, MAC_A, 100 + ttl);
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 100 + 2 * ttl - 1), 0);
	/* a counter that appears to go backwards does not expire anything */
	ck_assert_int_eq(neigh_lookup(&t, 4, IP4_A, mac, 5), 0);
	/* without a counter rate there is no expiry */
	neigh_init(&t, 0);
	neigh_learn(&t, 6, IP6_A, MAC_A, 1);
	ck_assert_int_eq(neigh_lookup(&t, 6, IP6_A, mac, UINT64_MAX), 0);
}
END_TEST

/* Fill one bucket with NEIGH_WAYS entries; the next one replaces the
 * oldest, and expired entries are reused before live ones. */
START_TEST(test_full_bucket_replaces_oldest)
{
	uint8_t addrs[NEIGH_WAYS + 2][4];
	int n = 0, target;
	uint8_t mac[6];

	neigh_init(&t, HZ);
	neigh_learn(&t, 4, IP4_A, MAC_A, 1000);
	target = bucket_holding(4, IP4_A);
	ck_assert_int_ge(target, 0);
	memcpy(addrs[n++], IP4_A, 4);
	/* find more addresses that hash to the same bucket */
	for (uint32_t i = 2; n < NEIGH_WAYS + 2 && i < 1000000; i++) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		struct neigh_table *probe = &t;
		int b;

		neigh_learn(probe, 4, a, MAC_B, 0);
		b = bucket_holding(4, a);
		/* undo: clear the probe entry */
		for (int w = 0; w < NEIGH_WAYS; w++)
			if (b >= 0 && t.e[b][w].family == 4 && memcmp(t.e[b][w].addr, a, 4) == 0)
				memset(&t.e[b][w], 0, sizeof(t.e[b][w]));
		if (b == target)
			memcpy(addrs[n++], a, 4);
	}
	ck_assert_int_eq(n, NEIGH_WAYS + 2);

	neigh_init(&t, HZ);
	for (int i = 0; i < NEIGH_WAYS; i++)
		neigh_learn(&t, 4, addrs[i], MAC_A, 1000 + (uint64_t)i * 10);
	/* refresh the oldest so the second-oldest becomes the victim */
	neigh_learn(&t, 4, addrs[0], MAC_A, 2000);
	neigh_learn(&t, 4, addrs[NEIGH_WAYS], MAC_B, 2001);
	ck_assert_int_eq(neigh_lookup(&t, 4, addrs[1], mac, 2002), -1);
	ck_assert_int_eq(neigh_lookup(&t, 4, addrs[0], mac, 2002), 0);
	for (int i = 2; i <= NEIGH_WAYS; i++)
		ck_assert_int_eq(neigh_lookup(&t, 4, addrs[i], mac, 2002), 0);

	/* once everything has expired, a newcomer takes an expired way and
	 * the rest stay (though expired) untouched */
	neigh_learn(&t, 4, addrs[NEIGH_WAYS + 1], MAC_B, 2001 + NEIGH_TTL_SEC * HZ * 2);
	ck_assert_int_eq(neigh_lookup(&t, 4, addrs[NEIGH_WAYS + 1], mac, 2001 + NEIGH_TTL_SEC * HZ * 2), 0);
}
END_TEST

START_TEST(test_invalid_input)
{
	static const uint8_t group_mac[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t zero_mac[6];
	uint8_t mac[6];

	neigh_init(&t, HZ);
	neigh_learn(&t, 5, IP4_A, MAC_A, 1);
	neigh_learn(&t, 0, IP4_A, MAC_A, 1);
	neigh_learn(&t, 4, NULL, MAC_A, 1);
	neigh_learn(&t, 4, IP4_A, group_mac, 1);
	neigh_learn(&t, 4, IP4_A, zero_mac, 1);
	for (int b = 0; b < NEIGH_BUCKETS; b++)
		for (int w = 0; w < NEIGH_WAYS; w++)
			ck_assert_uint_eq(t.e[b][w].family, 0);
	ck_assert_int_eq(neigh_lookup(&t, 5, IP4_A, mac, 1), -1);
	ck_assert_int_eq(neigh_lookup(&t, 4, NULL, mac, 1), -1);
}
END_TEST

START_TEST(test_arp_request)
{
	uint8_t f[64];
	uint32_t our, target;
	static const uint8_t our_ip[4] = { 192, 0, 2, 1 }, tgt_ip[4] = { 192, 0, 2, 254 };
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x0a, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 254,
	};

	memcpy(&our, our_ip, 4);
	memcpy(&target, tgt_ip, 4);
	ck_assert_int_eq(neigh_build_arp_request(f, 41, MAC_A, our, target), -1);
	ck_assert_int_eq(neigh_build_arp_request(f, sizeof(f), MAC_A, our, target), 42);
	ck_assert_mem_eq(f, want, 42);
}
END_TEST

START_TEST(test_ns)
{
	uint8_t f[128], all[40 + 32];
	static const uint8_t our_ip[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t target[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 0x12, 0x34, 0x56 };
	static const uint8_t sn[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x12, 0x34, 0x56 };
	static const uint8_t mcast[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspec[16];

	ck_assert_int_eq(neigh_build_ns(f, 85, MAC_A, our_ip, target), -1);
	ck_assert_int_eq(neigh_build_ns(f, sizeof(f), MAC_A, our_ip, mcast), -1);
	ck_assert_int_eq(neigh_build_ns(f, sizeof(f), MAC_A, unspec, target), -1);
	ck_assert_int_eq(neigh_build_ns(f, sizeof(f), MAC_A, our_ip, target), 86);
	/* Ethernet: to the group MAC of the solicited-node address */
	ck_assert_uint_eq(f[0], 0x33);
	ck_assert_uint_eq(f[1], 0x33);
	ck_assert_mem_eq(f + 2, sn + 12, 4);
	ck_assert_mem_eq(f + 6, MAC_A, 6);
	ck_assert_uint_eq(tu_get16(f + 12), 0x86dd);
	/* IPv6 */
	ck_assert_uint_eq(f[14] >> 4, 6);
	ck_assert_uint_eq(tu_get16(f + 18), 32);
	ck_assert_uint_eq(f[20], 58);
	ck_assert_uint_eq(f[21], 255);
	ck_assert_mem_eq(f + 22, our_ip, 16);
	ck_assert_mem_eq(f + 38, sn, 16);
	/* ICMPv6 NS with a source link-layer option */
	ck_assert_uint_eq(f[54], 135);
	ck_assert_uint_eq(f[55], 0);
	ck_assert_mem_eq(f + 62, target, 16);
	ck_assert_uint_eq(f[78], 1);
	ck_assert_uint_eq(f[79], 1);
	ck_assert_mem_eq(f + 80, MAC_A, 6);
	/* checksum over the pseudo-header, computed here independently */
	memcpy(all, f + 22, 32);
	memset(all + 32, 0, 8);
	all[35] = 32;
	all[39] = 58;
	memcpy(all + 40, f + 54, 32);
	ck_assert_uint_eq(tu_ref_csum(all, sizeof(all)), 0);
}
END_TEST

Suite *neigh_suite(void)
{
	Suite *s = suite_create("neigh");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_learn_lookup);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_full_bucket_replaces_oldest);
	tcase_add_test(tc, test_invalid_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("builders");
	tcase_add_test(tc, test_arp_request);
	tcase_add_test(tc, test_ns);
	suite_add_tcase(s, tc);
	return s;
}
