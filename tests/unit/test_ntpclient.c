/*
 * Tests for ntpclient (one client exchange: the request's bytes and every
 * verdict on a reply) and for md5, which NTP uses for the reference id of
 * an IPv6 upstream (RFC 5905 section 7.3). Packets are written here byte
 * by byte, not with ntp_packet_encode, so the module is checked against
 * the wire layout rather than against its own codec.
 */
#include <stdio.h>
#include <string.h>

#include "md5.h"
#include "ntpclient.h"
#include "suites.h"

/* ---- wire helpers (independent of proto/ntp_packet.c) -------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#define NONCE 0x5eed1234cafef00dULL
/* 2024-03-10 00:00:00 UTC + 0.5 s (receive) and + 0.5000305 s (transmit);
 * the reference time 16 s before midnight. */
#define RX_TS 0xe997768080000000ULL
#define TX_TS 0xe997768080020000ULL
#define REF_TS 0xe997767000000000ULL

/* One reply as the table gives it; build() writes the 48 bytes. */
struct reply {
	uint8_t li, vn, mode, stratum;
	int8_t poll, precision;
	uint32_t root_delay, root_dispersion, refid;
	uint64_t ref, org, rx, tx;
};

static struct reply good(void)
{
	return (struct reply){.li = 0, .vn = 4, .mode = 4, .stratum = 1, .poll = 6, .precision = -20,
			      .root_delay = 0x00018000U, .root_dispersion = 0x00000147U,
			      .refid = 0x47505300U /* "GPS" */, .ref = REF_TS, .org = NONCE,
			      .rx = RX_TS, .tx = TX_TS};
}

static void build(const struct reply *r, uint8_t out[48])
{
	out[0] = (uint8_t)(r->li << 6 | r->vn << 3 | r->mode);
	out[1] = r->stratum;
	out[2] = (uint8_t)r->poll;
	out[3] = (uint8_t)r->precision;
	put32(out + 4, r->root_delay);
	put32(out + 8, r->root_dispersion);
	put32(out + 12, r->refid);
	put64(out + 16, r->ref);
	put64(out + 24, r->org);
	put64(out + 32, r->rx);
	put64(out + 40, r->tx);
}

/* ---- the request ------------------------------------------------------------ */

START_TEST(request_layout)
{
	uint8_t q[NTP_HEADER_LEN + 4];
	static const uint8_t zero[40];

	memset(q, 0xa5, sizeof(q));
	ntpclient_request(q, 6, -23, NONCE);
	/* LI 0, VN 4, mode 3 (RFC 5905 figure 8). */
	ck_assert_uint_eq(q[0], 0x23);
	ck_assert_uint_eq(q[1], 0);
	ck_assert_int_eq((int8_t)q[2], 6);
	ck_assert_int_eq((int8_t)q[3], -23);
	/* Root delay/dispersion, refid, reference, origin, receive: all zero,
	 * so the request says nothing about our clock (chrony). */
	ck_assert_mem_eq(q + 4, zero, 36);
	ck_assert_uint_eq(get64(q + 40), NONCE);
	ck_assert_uint_eq(q[48], 0xa5);   /* nothing past the header */

	/* Negative poll (sub-second) and the other sign of precision. */
	ntpclient_request(q, -3, 0, 1);
	ck_assert_int_eq((int8_t)q[2], -3);
	ck_assert_int_eq((int8_t)q[3], 0);
	ck_assert_uint_eq(get64(q + 40), 1);
}
END_TEST

/* ---- verdicts (a table, one fixture per rule) -------------------------------- */

/* One field of the good reply changed; a fixture lists up to three. */
enum field { F_END = 0, F_LI, F_VN, F_MODE, F_STRATUM, F_REFID, F_ORG, F_RX, F_TX };

struct edit {
	enum field f;
	uint64_t v;
};

struct verdict_case {
	const char *desc;
	struct edit e[3];
	size_t len;
	uint64_t nonce;
	enum ntpclient_verdict want;
	const char *kiss;     /* expected kiss code, NULL = "" */
};

static const struct verdict_case verdicts[] = {
	{"valid", {{F_END, 0}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"valid, with a MAC behind", {{F_END, 0}}, 68, NONCE, NTPCLIENT_OK, NULL},
	{"valid, version 1", {{F_VN, 1}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"valid, version 3", {{F_VN, 3}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"valid, leap insert", {{F_LI, 1}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"valid, stratum 15", {{F_STRATUM, 15}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"valid, rx == tx", {{F_TX, RX_TS}}, 48, NONCE, NTPCLIENT_OK, NULL},
	{"short: 47 bytes", {{F_END, 0}}, 47, NONCE, NTPCLIENT_SHORT, NULL},
	{"short: empty", {{F_END, 0}}, 0, NONCE, NTPCLIENT_SHORT, NULL},
	{"mode 3 (a request)", {{F_MODE, 3}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"mode 5 (broadcast)", {{F_MODE, 5}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"mode 1 (symmetric)", {{F_MODE, 1}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"version 0", {{F_VN, 0}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"version 5", {{F_VN, 5}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"version 7", {{F_VN, 7}}, 48, NONCE, NTPCLIENT_NOT_REPLY, NULL},
	{"origin mismatch", {{F_ORG, NONCE ^ 1}}, 48, NONCE, NTPCLIENT_BOGUS, NULL},
	{"origin is our clock, not the nonce", {{F_ORG, RX_TS}}, 48, NONCE, NTPCLIENT_BOGUS, NULL},
	{"nonce 0 (nothing outstanding)", {{F_ORG, 0}}, 48, 0, NTPCLIENT_BOGUS, NULL},
	{"KoD RATE", {{F_LI, 3}, {F_STRATUM, 0}, {F_REFID, 0x52415445U}}, 48, NONCE, NTPCLIENT_KOD_RATE, "RATE"},
	{"KoD DENY", {{F_LI, 3}, {F_STRATUM, 0}, {F_REFID, 0x44454e59U}}, 48, NONCE, NTPCLIENT_KOD_DENY, "DENY"},
	{"KoD RSTR", {{F_LI, 3}, {F_STRATUM, 0}, {F_REFID, 0x52535452U}}, 48, NONCE, NTPCLIENT_KOD_DENY, "RSTR"},
	{"KoD INIT (other)", {{F_LI, 3}, {F_STRATUM, 0}, {F_REFID, 0x494e4954U}}, 48, NONCE, NTPCLIENT_KOD_OTHER,
	 "INIT"},
	{"KoD rate (lower case: other)", {{F_STRATUM, 0}, {F_REFID, 0x72617465U}}, 48, NONCE, NTPCLIENT_KOD_OTHER,
	 "rate"},
	{"KoD RATE with zero times", {{F_STRATUM, 0}, {F_REFID, 0x52415445U}, {F_TX, 0}}, 48, NONCE,
	 NTPCLIENT_KOD_RATE, "RATE"},
	{"leap 3", {{F_LI, 3}}, 48, NONCE, NTPCLIENT_UNSYNC, NULL},
	{"stratum 16", {{F_STRATUM, 16}}, 48, NONCE, NTPCLIENT_UNSYNC, NULL},
	{"stratum 255", {{F_STRATUM, 255}}, 48, NONCE, NTPCLIENT_UNSYNC, NULL},
	{"zero receive", {{F_RX, 0}}, 48, NONCE, NTPCLIENT_BAD_TIME, NULL},
	{"zero transmit", {{F_TX, 0}}, 48, NONCE, NTPCLIENT_BAD_TIME, NULL},
	{"transmit before receive", {{F_TX, RX_TS - 1}}, 48, NONCE, NTPCLIENT_BAD_TIME, NULL},
};

static struct reply edited(const struct edit *e, unsigned int n)
{
	struct reply r = good();

	for (unsigned int k = 0; k < n && e[k].f != F_END; k++) {
		uint64_t v = e[k].v;
		switch (e[k].f) {
		case F_LI: r.li = (uint8_t)v; break;
		case F_VN: r.vn = (uint8_t)v; break;
		case F_MODE: r.mode = (uint8_t)v; break;
		case F_STRATUM: r.stratum = (uint8_t)v; break;
		case F_REFID: r.refid = (uint32_t)v; break;
		case F_ORG: r.org = v; break;
		case F_RX: r.rx = v; break;
		case F_TX: r.tx = v; break;
		case F_END: break;
		}
	}
	return r;
}

START_TEST(check_verdicts)
{
	const struct verdict_case *v = &verdicts[_i];
	struct reply r = edited(v->e, 3);
	uint8_t pkt[68];
	struct ntpclient_reply out;

	memset(pkt, 0, sizeof(pkt));
	build(&r, pkt);
	memset(&out, 0x5a, sizeof(out));
	enum ntpclient_verdict got = ntpclient_check(pkt, v->len, v->nonce, &out);
	ck_assert_msg(got == v->want, "%s: got %s, want %s", v->desc, ntpclient_verdict_name(got),
		      ntpclient_verdict_name(v->want));
	if (got > NTPCLIENT_BOGUS) {
		/* Filled for every verdict past BOGUS. */
		ck_assert_uint_eq(out.stratum, r.stratum);
		ck_assert_uint_eq(out.leap, r.li);
		ck_assert_uint_eq(out.version, r.vn);
		ck_assert_uint_eq(out.refid, r.refid);
		ck_assert_uint_eq(out.rx, r.rx);
		ck_assert_uint_eq(out.tx, r.tx);
		ck_assert_str_eq(out.kiss, v->kiss ? v->kiss : "");
	}
}
END_TEST

START_TEST(check_decodes_every_field)
{
	struct reply r = good();
	uint8_t pkt[48];
	struct ntpclient_reply out;

	r.li = NTP_LEAP_DELETE;
	r.vn = 3;
	r.stratum = 2;
	r.poll = -2;
	r.precision = -29;
	r.root_delay = 0x00018000U;        /* 1.5 s */
	r.root_dispersion = 0x00000147U;   /* 327 / 65536 s */
	r.refid = 0xc0000201U;
	build(&r, pkt);
	ck_assert_int_eq(ntpclient_check(pkt, sizeof(pkt), NONCE, &out), NTPCLIENT_OK);
	ck_assert_uint_eq(out.leap, NTP_LEAP_DELETE);
	ck_assert_uint_eq(out.version, 3);
	ck_assert_uint_eq(out.stratum, 2);
	ck_assert_int_eq(out.poll, -2);
	ck_assert_int_eq(out.precision, -29);
	ck_assert_uint_eq(out.refid, 0xc0000201U);
	/* 16.16 fixed point to seconds (RFC 5905 section 6, short format). */
	ck_assert_double_eq_tol(out.root_delay, 1.5, 1e-12);
	ck_assert_double_eq_tol(out.root_dispersion, 327.0 / 65536, 1e-12);
	ck_assert_uint_eq(out.ref, REF_TS);
	ck_assert_uint_eq(out.rx, RX_TS);
	ck_assert_uint_eq(out.tx, TX_TS);
	ck_assert_str_eq(out.kiss, "");
}
END_TEST

/* chronyd 4.3's reply to ntpdig (clients-vs-chronyd.pcap, frame 2), the
 * same bytes test_ntp_packet decodes: a real server's answer is OK. */
static const uint8_t chrony_reply[48] = {
	0x24, 0x01, 0x00, 0xe6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x7f, 0x7f, 0x01, 0x01, 0xee, 0xac, 0x95, 0xc5, 0xe5, 0x6f, 0x70, 0xde,
	0xee, 0xac, 0x95, 0xc8, 0x81, 0x8a, 0x08, 0x00, 0xee, 0xac, 0x95, 0xc8,
	0x81, 0x90, 0x49, 0x3f, 0xee, 0xac, 0x95, 0xc8, 0x81, 0x99, 0xa5, 0xca,
};

START_TEST(check_real_chrony_reply)
{
	struct ntpclient_reply out;

	ck_assert_int_eq(ntpclient_check(chrony_reply, 48, 0xeeac95c8818a0800ULL, &out), NTPCLIENT_OK);
	ck_assert_uint_eq(out.stratum, 1);
	ck_assert_int_eq(out.precision, -26);
	ck_assert_uint_eq(out.refid, 0x7f7f0101U);
	ck_assert_uint_eq(out.rx, 0xeeac95c88190493fULL);
	ck_assert_uint_eq(out.tx, 0xeeac95c88199a5caULL);
	ck_assert_double_eq(out.root_delay, 0);
	/* Any other outstanding nonce: not our answer. */
	ck_assert_int_eq(ntpclient_check(chrony_reply, 48, 0xeeac95c8818a0801ULL, &out), NTPCLIENT_BOGUS);
}
END_TEST

START_TEST(request_reply_round_trip)
{
	uint8_t q[48], r[48];
	struct reply rr = good();
	struct ntpclient_reply out;

	/* A server echoes the request's transmit timestamp as origin. */
	ntpclient_request(q, 4, -20, NONCE);
	rr.org = get64(q + 40);
	build(&rr, r);
	ck_assert_int_eq(ntpclient_check(r, 48, NONCE, &out), NTPCLIENT_OK);
}
END_TEST

START_TEST(verdict_names)
{
	for (int v = 0; v < NTPCLIENT_VERDICTS; v++) {
		const char *n = ntpclient_verdict_name((enum ntpclient_verdict)v);
		ck_assert_ptr_nonnull(n);
		ck_assert_str_ne(n, "?");
		for (int w = 0; w < v; w++)
			ck_assert_str_ne(n, ntpclient_verdict_name((enum ntpclient_verdict)w));
	}
	ck_assert_str_eq(ntpclient_verdict_name(NTPCLIENT_OK), "ok");
	ck_assert_str_eq(ntpclient_verdict_name(NTPCLIENT_BOGUS), "bogus");
	ck_assert_str_eq(ntpclient_verdict_name(NTPCLIENT_KOD_RATE), "kod_rate");
	ck_assert_str_eq(ntpclient_verdict_name(NTPCLIENT_VERDICTS), "?");
}
END_TEST

/* ---- symmetric-key authentication (RFC 5905 7.3, RFC 8573) ----------------------- */

#define MD5_SECRET "linetime-md5-key"
static const uint8_t sha1_secret[20] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x23, 0x45, 0x67,
};
/* RFC 4493's example key. */
static const uint8_t aes_secret[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

static struct ntp_mac_key key_of(uint32_t id, enum ntp_mac_type t)
{
	struct ntp_mac_key k;
	int rc = t == NTP_MAC_MD5    ? ntp_mac_key_init(&k, id, t, (const uint8_t *)MD5_SECRET, 16)
		 : t == NTP_MAC_SHA1 ? ntp_mac_key_init(&k, id, t, sha1_secret, sizeof(sha1_secret))
				     : ntp_mac_key_init(&k, id, t, aes_secret, sizeof(aes_secret));

	ck_assert_int_eq(rc, 0);
	return k;
}

/* The request of request_layout (poll 6, precision -23, NONCE) with its MAC;
 * the digests were computed outside linetime, with Python's hashlib
 * (MD5(secret || request), SHA1(secret || request)) and the cryptography
 * package's AES-CMAC. */
static const struct {
	enum ntp_mac_type type;
	uint32_t id;
	unsigned int len;
	uint8_t digest[20];
} request_macs[] = {
	{NTP_MAC_MD5, 7, 68,
	 {0x51, 0x35, 0xe1, 0x45, 0x74, 0x56, 0x43, 0x14, 0xde, 0xf4, 0xca, 0xaa, 0xb3, 0x12, 0x65,
	  0x06}},
	{NTP_MAC_SHA1, 0x01020304, 72,
	 {0xd5, 0x39, 0xcb, 0xe0, 0x63, 0xe1, 0x57, 0xa9, 0x70, 0x4d, 0x69, 0xc6, 0x67, 0x87, 0xcf,
	  0x2b, 0xa2, 0xdf, 0x85, 0x10}},
	{NTP_MAC_AES128, 65535, 68,
	 {0x91, 0xc6, 0x27, 0xc0, 0x81, 0xb9, 0x67, 0x6b, 0xce, 0x10, 0x2a, 0x91, 0x6b, 0x0b, 0x30,
	  0x6c}},
};

START_TEST(request_with_mac)
{
	struct ntp_mac_key k = key_of(request_macs[_i].id, request_macs[_i].type);
	uint8_t q[NTPCLIENT_REQUEST_MAX + 4], plain[NTP_HEADER_LEN];
	unsigned int len;

	memset(q, 0xa5, sizeof(q));
	len = ntpclient_request_auth(q, 6, -23, NONCE, &k);
	ck_assert_uint_eq(len, request_macs[_i].len);
	/* The header is the unauthenticated request's, byte for byte. */
	ntpclient_request(plain, 6, -23, NONCE);
	ck_assert_mem_eq(q, plain, NTP_HEADER_LEN);
	ck_assert_uint_eq(q[48], (uint8_t)(request_macs[_i].id >> 24));
	ck_assert_uint_eq(q[49], (uint8_t)(request_macs[_i].id >> 16));
	ck_assert_uint_eq(q[50], (uint8_t)(request_macs[_i].id >> 8));
	ck_assert_uint_eq(q[51], (uint8_t)request_macs[_i].id);
	ck_assert_mem_eq(q + 52, request_macs[_i].digest, len - 52);
	ck_assert_uint_eq(q[len], 0xa5);
	/* Without a key: the 48 bytes alone. */
	ck_assert_uint_eq(ntpclient_request_auth(q, 6, -23, NONCE, NULL), NTP_HEADER_LEN);
}
END_TEST

/* good() with MD5 key 7, digest by hashlib: MD5(MD5_SECRET || reply). */
static const uint8_t good_md5_mac[20] = {
	0x00, 0x00, 0x00, 0x07, 0xc3, 0x4b, 0x6c, 0x01, 0x18, 0x1e,
	0x16, 0x22, 0xa6, 0x1a, 0xed, 0xb0, 0xca, 0xd8, 0x3b, 0xbc,
};

enum mac_kind {
	M_NONE,        /* 48 bytes */
	M_GOOD,        /* the reply's MAC under the checking key */
	M_GOOD_FIXED,  /* good_md5_mac, written as bytes */
	M_BAD_DIGEST,  /* a bit of the digest flipped */
	M_OTHER_ID,    /* the same secret under key 8 */
	M_NAK,         /* key identifier 0 alone */
	M_SHORT,       /* 12 bytes: neither a MAC nor a NAK */
	M_SHA1_LEN,    /* key 7's identifier with a 20-byte digest */
};

struct auth_case {
	const char *desc;
	struct edit e[3];
	enum mac_kind mac;
	int keyed;                 /* check with key 7 (MD5) or AES key 9, or none */
	enum ntp_mac_type type;
	enum ntpclient_verdict want;
};

static const struct auth_case auth_cases[] = {
	{"keyed: good MAC (hashlib)", {{F_END, 0}}, M_GOOD_FIXED, 1, NTP_MAC_MD5, NTPCLIENT_OK},
	{"keyed: good MAC", {{F_END, 0}}, M_GOOD, 1, NTP_MAC_MD5, NTPCLIENT_OK},
	{"keyed: good AES-CMAC", {{F_END, 0}}, M_GOOD, 1, NTP_MAC_AES128, NTPCLIENT_OK},
	{"keyed: good SHA1", {{F_END, 0}}, M_GOOD, 1, NTP_MAC_SHA1, NTPCLIENT_OK},
	{"keyed: bad digest", {{F_END, 0}}, M_BAD_DIGEST, 1, NTP_MAC_MD5, NTPCLIENT_AUTH_FAIL},
	{"keyed: bad AES-CMAC", {{F_END, 0}}, M_BAD_DIGEST, 1, NTP_MAC_AES128, NTPCLIENT_AUTH_FAIL},
	{"keyed: header changed after signing", {{F_STRATUM, 2}}, M_GOOD_FIXED, 1, NTP_MAC_MD5,
	 NTPCLIENT_AUTH_FAIL},
	{"keyed: wrong key id", {{F_END, 0}}, M_OTHER_ID, 1, NTP_MAC_MD5, NTPCLIENT_AUTH_KEYID},
	{"keyed: crypto-NAK", {{F_END, 0}}, M_NAK, 1, NTP_MAC_MD5, NTPCLIENT_CRYPTO_NAK},
	{"keyed: missing MAC", {{F_END, 0}}, M_NONE, 1, NTP_MAC_MD5, NTPCLIENT_AUTH_MISSING},
	{"keyed: 12 bytes after the header", {{F_END, 0}}, M_SHORT, 1, NTP_MAC_MD5,
	 NTPCLIENT_AUTH_MISSING},
	{"keyed: a 20-byte digest for an MD5 key", {{F_END, 0}}, M_SHA1_LEN, 1, NTP_MAC_MD5,
	 NTPCLIENT_AUTH_FAIL},
	{"keyed: unauthenticated KoD DENY is not believed",
	 {{F_STRATUM, 0}, {F_REFID, 0x44454e59U}}, M_NONE, 1, NTP_MAC_MD5, NTPCLIENT_AUTH_MISSING},
	{"keyed: authenticated KoD DENY is", {{F_STRATUM, 0}, {F_REFID, 0x44454e59U}}, M_GOOD, 1,
	 NTP_MAC_MD5, NTPCLIENT_KOD_DENY},
	{"keyed: origin mismatch is bogus first", {{F_ORG, NONCE ^ 1}}, M_GOOD, 1, NTP_MAC_MD5,
	 NTPCLIENT_BOGUS},
	{"keyed: authenticated but unsynchronised", {{F_LI, 3}}, M_GOOD, 1, NTP_MAC_MD5,
	 NTPCLIENT_UNSYNC},
	{"unkeyed: a MAC is ignored", {{F_END, 0}}, M_GOOD_FIXED, 0, NTP_MAC_MD5, NTPCLIENT_OK},
	{"unkeyed: a bad MAC is ignored", {{F_END, 0}}, M_BAD_DIGEST, 0, NTP_MAC_MD5, NTPCLIENT_OK},
	{"unkeyed: a crypto-NAK is ignored", {{F_END, 0}}, M_NAK, 0, NTP_MAC_MD5, NTPCLIENT_OK},
};

START_TEST(check_auth_verdicts)
{
	const struct auth_case *c = &auth_cases[_i];
	uint32_t id = c->type == NTP_MAC_MD5 ? 7 : 9;
	struct ntp_mac_key k = key_of(id, c->type), other = key_of(8, c->type);
	struct reply r = edited(c->e, 3);
	struct reply signed_r = good();
	uint8_t pkt[NTP_HEADER_LEN + NTP_MAC_LEN_MAX];
	size_t len = NTP_HEADER_LEN;
	struct ntpclient_reply out;

	memset(pkt, 0, sizeof(pkt));
	/* The MAC is over the reply as sent, edits included, except for the
	 * case that edits the header after signing. */
	if (c->mac == M_GOOD_FIXED)
		build(&signed_r, pkt);
	else
		build(&r, pkt);
	switch (c->mac) {
	case M_NONE:
		break;
	case M_GOOD:
		len += ntp_mac_write(&k, pkt, NTP_HEADER_LEN, pkt + len);
		break;
	case M_GOOD_FIXED:
		memcpy(pkt + len, good_md5_mac, sizeof(good_md5_mac));
		len += sizeof(good_md5_mac);
		break;
	case M_BAD_DIGEST:
		len += ntp_mac_write(&k, pkt, NTP_HEADER_LEN, pkt + len);
		pkt[len - 1] ^= 0x01;
		break;
	case M_OTHER_ID:
		len += ntp_mac_write(&other, pkt, NTP_HEADER_LEN, pkt + len);
		break;
	case M_NAK:
		len += 4;
		break;
	case M_SHORT:
		put32(pkt + len, id);
		len += 12;
		break;
	case M_SHA1_LEN:
		len += ntp_mac_write(&k, pkt, NTP_HEADER_LEN, pkt + len);
		len += 4;
		break;
	}
	build(&r, pkt);   /* the header as received */
	enum ntpclient_verdict got = ntpclient_check_auth(pkt, len, NONCE, c->keyed ? &k : NULL, &out);
	ck_assert_msg(got == c->want, "%s: got %s, want %s", c->desc, ntpclient_verdict_name(got),
		      ntpclient_verdict_name(c->want));
	if (!c->keyed)
		ck_assert_int_eq(ntpclient_check(pkt, len, NONCE, &out), got);
}
END_TEST

/* ---- md5 ----------------------------------------------------------------------- */

static void hex(const uint8_t d[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 1321 appendix A.5, all seven. */
static const struct {
	const char *in, *md5;
} rfc1321[] = {
	{"", "d41d8cd98f00b204e9800998ecf8427e"},
	{"a", "0cc175b9c0f1b6a831c399e269772661"},
	{"abc", "900150983cd24fb0d6963f7d28e17f72"},
	{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	 "d174ab98d277d9f5a5611c2c9f419d9f"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	 "57edf4a22be3c955ac49da2e2107b67a"},
};

START_TEST(md5_rfc1321)
{
	uint8_t d[16];
	char h[33];

	md5(rfc1321[_i].in, strlen(rfc1321[_i].in), d);
	hex(d, h);
	ck_assert_str_eq(h, rfc1321[_i].md5);
}
END_TEST

/* Padding boundaries: 55 bytes is the last length whose padding and bit
 * count fit in one block, 56..63 need a second, 64 and 65 start a second
 * data block. Expected values from Python's hashlib.md5(b"a" * n). */
static const struct {
	size_t n;
	const char *md5;
} boundary[] = {
	{55, "ef1772b6dff9a122358552954ad0df65"},
	{56, "3b0c8ac703f828b04c6c197006d17218"},
	{63, "b06521f39153d618550606be297466d5"},
	{64, "014842d480b571495a4a0363793f7367"},
	{65, "c743a45e0d2e6a95cb859adae0248435"},
};

START_TEST(md5_padding_boundaries)
{
	uint8_t buf[65], d[16];
	char h[33];

	memset(buf, 'a', sizeof(buf));
	md5(buf, boundary[_i].n, d);
	hex(d, h);
	ck_assert_msg(strcmp(h, boundary[_i].md5) == 0, "%zu bytes: %s, want %s", boundary[_i].n, h,
		      boundary[_i].md5);
}
END_TEST

START_TEST(md5_multiblock_and_ipv6_refid)
{
	uint8_t buf[1024], d[16];
	char h[33];
	/* 2001:db8::1 */
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	/* bytes(range(256)) * 4, hashlib: many full blocks, no tail. */
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	md5(buf, sizeof(buf), d);
	hex(d, h);
	ck_assert_str_eq(h, "b2ea9f7fcea831a4a63b213f41a8855b");
	/* RFC 5905 section 7.3: an IPv6 upstream's refid is the first four
	 * octets of the MD5 of its address; hashlib gives 39ab9b37. */
	md5(a6, sizeof(a6), d);
	ck_assert_uint_eq((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3],
			  0x39ab9b37U);
	/* Unaligned input gives the same digest. */
	memcpy(buf + 1, a6, sizeof(a6));
	uint8_t d2[16];
	md5(buf + 1, sizeof(a6), d2);
	ck_assert_mem_eq(d, d2, 16);
}
END_TEST

Suite *ntpclient_suite(void)
{
	Suite *s = suite_create("ntpclient");
	TCase *cl = tcase_create("client");
	TCase *m = tcase_create("md5");

	tcase_add_test(cl, request_layout);
	tcase_add_loop_test(cl, check_verdicts, 0, (int)(sizeof(verdicts) / sizeof(verdicts[0])));
	tcase_add_test(cl, check_decodes_every_field);
	tcase_add_test(cl, check_real_chrony_reply);
	tcase_add_test(cl, request_reply_round_trip);
	tcase_add_test(cl, verdict_names);
	tcase_add_loop_test(cl, request_with_mac, 0, (int)(sizeof(request_macs) / sizeof(request_macs[0])));
	tcase_add_loop_test(cl, check_auth_verdicts, 0, (int)(sizeof(auth_cases) / sizeof(auth_cases[0])));
	suite_add_tcase(s, cl);

	tcase_add_loop_test(m, md5_rfc1321, 0, (int)(sizeof(rfc1321) / sizeof(rfc1321[0])));
	tcase_add_loop_test(m, md5_padding_boundaries, 0, (int)(sizeof(boundary) / sizeof(boundary[0])));
	tcase_add_test(m, md5_multiblock_and_ipv6_refid);
	suite_add_tcase(s, m);
	return s;
}
