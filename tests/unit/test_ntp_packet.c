/* ntp_packet suite: decode and encode the 48-byte header against bytes
 * taken from a real server reply, byte order, bounds and field masking. */
#include <errno.h>
#include <string.h>

#include "ntp_packet.h"
#include "suites.h"

/* chronyd 4.3's reply to ntpdig (clients-vs-chronyd.pcap, frame 2). */
static const uint8_t chrony_reply[48] = {
	0x24, 0x01, 0x00, 0xe6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x7f, 0x7f, 0x01, 0x01, 0xee, 0xac, 0x95, 0xc5, 0xe5, 0x6f, 0x70, 0xde,
	0xee, 0xac, 0x95, 0xc8, 0x81, 0x8a, 0x08, 0x00, 0xee, 0xac, 0x95, 0xc8,
	0x81, 0x90, 0x49, 0x3f, 0xee, 0xac, 0x95, 0xc8, 0x81, 0x99, 0xa5, 0xca,
};

START_TEST(test_decode_reference_reply)
{
	struct ntp_header h;

	ck_assert_int_eq(ntp_packet_decode(chrony_reply, sizeof(chrony_reply), &h), 0);
	ck_assert_uint_eq(h.leap, NTP_LEAP_NONE);
	ck_assert_uint_eq(h.version, 4);
	ck_assert_uint_eq(h.mode, NTP_MODE_SERVER);
	ck_assert_uint_eq(h.stratum, 1);
	ck_assert_int_eq(h.poll, 0);
	ck_assert_int_eq(h.precision, -26);
	ck_assert_uint_eq(h.root_delay, 0);
	ck_assert_uint_eq(h.root_dispersion, 0);
	ck_assert_uint_eq(h.refid, 0x7f7f0101U);
	ck_assert_uint_eq(h.ref, 0xeeac95c5e56f70deULL);
	ck_assert_uint_eq(h.org, 0xeeac95c8818a0800ULL);
	ck_assert_uint_eq(h.rx, 0xeeac95c88190493fULL);
	ck_assert_uint_eq(h.tx, 0xeeac95c88199a5caULL);
}
END_TEST

START_TEST(test_encode_round_trip)
{
	struct ntp_header h;
	uint8_t out[64];

	memset(out, 0xcc, sizeof(out));
	ck_assert_int_eq(ntp_packet_decode(chrony_reply, 48, &h), 0);
	ck_assert_int_eq(ntp_packet_encode(&h, out, sizeof(out)), NTP_HEADER_LEN);
	ck_assert_mem_eq(out, chrony_reply, 48);
	ck_assert_uint_eq(out[48], 0xcc); /* nothing written past the header */
}
END_TEST

START_TEST(test_encode_fields)
{
	struct ntp_header h = {
		.leap = NTP_LEAP_UNSYNC, .version = 3, .mode = NTP_MODE_CLIENT,
		.stratum = NTP_STRATUM_UNSYNC, .poll = -3, .precision = -20,
		.root_delay = 0x00018000U, .root_dispersion = 0x12345678U,
		.refid = NTP_REFID_LOCL, .ref = 1, .org = 0x0102030405060708ULL,
		.rx = 0xfffffffffffffffeULL, .tx = 0x8000000000000000ULL,
	};
	uint8_t b[48];
	static const uint8_t want[48] = {
		0xdb, 16, 0xfd, 0xec, 0x00, 0x01, 0x80, 0x00, 0x12, 0x34, 0x56, 0x78,
		'L', 'O', 'C', 'L', 0, 0, 0, 0, 0, 0, 0, 1,
		1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0x80, 0, 0, 0, 0, 0, 0, 0,
	};

	ck_assert_int_eq(ntp_packet_encode(&h, b, sizeof(b)), 48);
	ck_assert_mem_eq(b, want, 48);
}
END_TEST

/* Out-of-range values stay inside their own bits of the first byte. */
START_TEST(test_encode_masks_fields)
{
	struct ntp_header h = { .leap = 0xff, .version = 0x0c, .mode = 0x0b };
	uint8_t b[48];

	ntp_packet_encode(&h, b, sizeof(b));
	ck_assert_uint_eq(b[0], 0xc0 | (4 << 3) | 3);
}
END_TEST

START_TEST(test_bounds)
{
	struct ntp_header h;
	uint8_t b[48] = { 0 };

	ck_assert_int_eq(ntp_packet_decode(b, 47, &h), -EINVAL);
	ck_assert_int_eq(ntp_packet_decode(b, 0, &h), -EINVAL);
	ck_assert_int_eq(ntp_packet_encode(&h, b, 47), -ENOSPC);
	ck_assert_int_eq(ntp_packet_decode(b, 48, &h), 0);
	ck_assert_uint_eq(h.version, 0);
}
END_TEST

START_TEST(test_ts_load_store)
{
	uint8_t b[10];

	memset(b, 0, sizeof(b));
	ntp_ts_store(b + 1, 0x0123456789abcdefULL);
	ck_assert_uint_eq(b[0], 0);
	ck_assert_uint_eq(b[1], 0x01);
	ck_assert_uint_eq(b[8], 0xef);
	ck_assert_uint_eq(b[9], 0);
	/* unaligned load */
	ck_assert_uint_eq(ntp_ts_load(b + 1), 0x0123456789abcdefULL);
	ck_assert_uint_eq(ntp_ts_load(chrony_reply + 40), 0xeeac95c88199a5caULL);
}
END_TEST

/* The wire struct lays the fields out as the RFC diagram does. */
START_TEST(test_wire_layout)
{
	const struct ntp_wire *w = (const struct ntp_wire *)chrony_reply;

	ck_assert_uint_eq(w->li_vn_mode, 0x24);
	ck_assert_int_eq(w->precision, -26);
	ck_assert_uint_eq((const uint8_t *)&w->refid - chrony_reply, 12);
	ck_assert_uint_eq((const uint8_t *)&w->tx_ts[0] - chrony_reply, 40);
}
END_TEST

/* The fast path's template writes exactly what the one rule gives:
 * ntp_packet_server_reply() with transmit 0, then ntp_packet_encode(), and
 * returns the native sum of what it wrote. Random servers and requests. */
START_TEST(test_reply_tmpl_matches_rule)
{
	uint64_t x = 0x746d706cULL; /* "tmpl" */

	for (int it = 0; it < 20000; it++) {
		struct ntp_server_params sp;
		struct ntp_reply_tmpl t;
		struct ntp_header h;
		uint8_t req[68], fast[68], want[48];
		ntp_ts_t rx;
		uint64_t sum;

		for (size_t i = 0; i < sizeof(req); i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			req[i] = (uint8_t)(x >> 56);
		}
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sp.leap = (uint8_t)(x >> 62);
		sp.stratum = (uint8_t)(x >> 40);
		sp.precision = (int8_t)(x >> 32);
		sp.root_delay = (uint32_t)(x >> 7);
		sp.root_dispersion = (uint32_t)(x >> 19);
		sp.refid = (uint32_t)x;
		sp.ref_time = x * 0x9e3779b97f4a7c15ULL;
		rx = x ^ 0x5555aaaa5555aaaaULL;

		ntp_packet_server_reply(&sp, req, rx, 0, &h);
		ntp_packet_encode(&h, want, sizeof(want));
		ntp_reply_tmpl_init(&t, &sp);
		memcpy(fast, req, sizeof(req));
		sum = ntp_reply_write(&t, fast, rx);
		if (memcmp(fast, want, 48) != 0 || memcmp(fast + 48, req + 48, 20) != 0)
			ck_abort_msg("iteration %d: template reply differs from the rule", it);
		if (inet_nsum_fold(sum) != inet_nsum_fold(inet_nsum(0, want, 48)))
			ck_abort_msg("iteration %d: returned sum is wrong", it);
	}
}
END_TEST

Suite *ntp_packet_suite(void)
{
	Suite *s = suite_create("ntp_packet");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_decode_reference_reply);
	tcase_add_test(tc, test_encode_round_trip);
	tcase_add_test(tc, test_encode_fields);
	tcase_add_test(tc, test_encode_masks_fields);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_ts_load_store);
	tcase_add_test(tc, test_wire_layout);
	tcase_add_test(tc, test_reply_tmpl_matches_rule);
	suite_add_tcase(s, tc);
	return s;
}
