/*
 * fuzz_pktproc: one Ethernet frame through pktproc_handle(), and through
 * pktproc_stamp_tx() when the verdict leaves an NTP reply to finish; and
 * through pktproc_handle_general(), whose full walk must give the same
 * verdict and bytes as the one pass for the common request.
 *
 * Input: two bytes choosing the context, then the frame.
 *   byte 0  bit 0 access rules          bit 4 MS-SNTP signing on
 *           bit 1 KoD DENY              bit 5 neighbour table
 *           bit 2 client log            bit 6 server unsynchronised
 *           bit 3 rate limit on         bit 7 the harness fixes the frame's
 *                                             IP/UDP/ICMP checksums first
 *   byte 1  bits 0-1 the frame is handled 1..4 times (so the limiter bites),
 *           bits 2-3 leak, bits 4-5 kod, bits 6-7 burst - 1
 *
 * Each time the frame is handled three ways from the same table state: in
 * a buffer of exactly len bytes (cap == len, so ASan sees any access past
 * the frame), and twice with 64 bytes of room whose contents differ (0x00,
 * 0xff): the verdicts and reply bytes of those two must agree, or pktproc
 * read bytes past the frame. Then the contract of pktproc.h is checked:
 * one counter per outcome, of the outcome's kind; an NTP reply never
 * longer than its request, only for a client the rules allow; MS-SNTP
 * requests never answered unsigned; replies with consistent lengths and
 * valid checksums, from our own addresses.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "clientlog.h"
#include "config.h"
#include "counters.h"
#include "fuzz.h"
#include "keytab.h"
#include "neigh.h"
#include "ntp_mac.h"
#include "ntp_packet.h"
#include "pktproc.h"

#define FRAME_MAX 2048
#define ROOM 64
#define HZ 1000000000ULL
#define T0 1000000000000ULL
#define CLOG_ENTRIES 64
#define RX_TS 0xeeac95c881900000ULL
#define TX_TS 0xeeac95c881990001ULL

enum {
	F_ACL = 1 << 0,
	F_KOD_DENY = 1 << 1,
	F_CLOG = 1 << 2,
	F_RATELIMIT = 1 << 3,
	F_MSSNTP = 1 << 4,
	F_NEIGH = 1 << 5,
	F_UNSYNC = 1 << 6,
	F_FIX_CSUM = 1 << 7,
};

/* The lab's addresses (board/lab/linetime.conf), so the captured frames in
 * the seed corpus are ours once their destination MAC is ours. */
static const uint8_t our_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const char *const our4[] = { "198.18.0.1", "198.18.0.3" };
static const char *const our6[] = { "2001:2::1", "2001:2::3" };
/* Allows the lab's clients except a /25 and an IPv6 /64. */
static const char *const rules[] = {
	"allow 198.18.0.0/15", "deny 198.18.0.128/25", "allow 2001:2::/48",
	"deny 2001:2:0:8000::/64", "allow 192.0.2.0/24",
};

static struct pktproc_port port;
static struct acl *acl;
static struct keytab *keys;
/* Keys 1..4, one of each kind of MAC, for requests that carry one. */
static const struct lt_key key_list[] = {
	{ .id = 1, .slot = 0, .type = NTP_MAC_MD5, .len = 3, .secret = "md5" },
	{ .id = 2, .slot = 1, .type = NTP_MAC_SHA1, .len = 4, .secret = "sha1" },
	{ .id = 3, .slot = 2, .type = NTP_MAC_AES128, .len = 16, .secret = "sixteen byte key" },
	{ .id = 4, .slot = 3, .type = NTP_MAC_SHA512, .len = 6, .secret = "sha512" },
};
static struct neigh_table neigh, neigh_saved;
static struct clientlog *clog, *clog_saved;
static size_t clog_size;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct lt_cfg_access r[sizeof(rules) / sizeof(rules[0])];
	char why[256];

	(void)argc;
	(void)argv;
	memcpy(port.mac, our_mac, 6);
	port.n_ip4 = 2;
	port.n_ip6 = 2;
	for (int i = 0; i < 2; i++) {
		if (inet_pton(AF_INET, our4[i], &port.ip4[i]) != 1 ||
		    inet_pton(AF_INET6, our6[i], port.ip6[i]) != 1)
			abort();
	}
	pktproc_ip6_linklocal(our_mac, port.ip6_ll);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		FUZZ_CHECK(config_access_rule(rules[i], &r[i], why, sizeof(why)) == 0, "%s: %s",
			   rules[i], why);
	acl = acl_build(r, sizeof(rules) / sizeof(rules[0]), why, sizeof(why));
	FUZZ_CHECK(acl, "acl_build: %s", why);
	keys = keytab_build(key_list, sizeof(key_list) / sizeof(key_list[0]), why, sizeof(why));
	FUZZ_CHECK(keys, "keytab_build: %s", why);
	clog_size = clientlog_bytes(CLOG_ENTRIES);
	clog = aligned_alloc(64, clog_size);
	clog_saved = aligned_alloc(64, clog_size);
	if (!clog || !clog_saved)
		abort();
	return 0;
}

/* --- the harness's own view of a frame ----------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Checksum of an L4 segment with the IPv4 or IPv6 pseudo-header. */
static uint16_t l4_sum(const uint8_t *f, int v6, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint8_t ph[4] = { 0, proto, (uint8_t)(n >> 8), (uint8_t)n };
	uint32_t s;

	if (v6)
		s = fuzz_sum(0, f + 14 + 8, 32);
	else
		s = fuzz_sum(0, f + 14 + 12, 8);
	s = fuzz_sum(s, ph, 4);
	return fuzz_fold(fuzz_sum(s, l4, n));
}

/* Make the checksums of an IPv4/IPv6 frame right where its lengths allow,
 * so mutations get past the checksum checks to what lies behind them. */
static void fix_csums(uint8_t *f, size_t len)
{
	uint16_t type;

	if (len < 14)
		return;
	type = get16(f + 12);
	if (type == 0x0800 && len >= 34) {
		size_t ihl = (size_t)(f[14] & 0x0f) * 4, total = get16(f + 16), n;
		uint8_t *l4 = f + 14 + ihl;

		if (ihl < 20 || 14 + ihl > len)
			return;
		put16(f + 24, 0);
		put16(f + 24, (uint16_t)~fuzz_fold(fuzz_sum(0, f + 14, ihl)));
		if (total < ihl || 14 + total > len)
			return;
		n = total - ihl;
		if (f[23] == 17 && n >= 8 && get16(l4 + 4) >= 8 && get16(l4 + 4) <= n) {
			n = get16(l4 + 4);
			put16(l4 + 6, 0);
			put16(l4 + 6, (uint16_t)~l4_sum(f, 0, 17, l4, n));
		} else if (f[23] == 1 && n >= 4) {
			put16(l4 + 2, 0);
			put16(l4 + 2, (uint16_t)~fuzz_fold(fuzz_sum(0, l4, n)));
		}
	} else if (type == 0x86dd && len >= 54) {
		size_t n = get16(f + 18);
		uint8_t *l4 = f + 54;

		if (54 + n > len)
			return;
		if (f[20] == 17 && n >= 8 && get16(l4 + 4) >= 8 && get16(l4 + 4) <= n) {
			n = get16(l4 + 4);
			put16(l4 + 6, 0);
			put16(l4 + 6, (uint16_t)~l4_sum(f, 1, 17, l4, n));
		} else if (f[20] == 58 && n >= 4) {
			put16(l4 + 2, 0);
			put16(l4 + 2, (uint16_t)~l4_sum(f, 1, 58, l4, n));
		}
	}
}

/* --- the contract ------------------------------------------------------- */

static int kind_is(unsigned int ctr, const char *kind)
{
	return strcmp(counters_kind(ctr), kind) == 0;
}

static int is_ntp_reply_ctr(unsigned int c)
{
	return c == LT_CTR_ntp_replies || c == LT_CTR_ntp_replies_leaked ||
	       c == LT_CTR_kod_deny_sent || c == LT_CTR_kod_rate_sent ||
	       c == LT_CTR_crypto_nak_unknown_key || c == LT_CTR_crypto_nak_bad_mac;
}

static int ours4(const uint8_t *a)
{
	for (int i = 0; i < port.n_ip4; i++)
		if (memcmp(&port.ip4[i], a, 4) == 0)
			return 1;
	return 0;
}

static int ours6(const uint8_t *a)
{
	for (int i = 0; i < port.n_ip6; i++)
		if (memcmp(port.ip6[i], a, 16) == 0)
			return 1;
	return memcmp(port.ip6_ll, a, 16) == 0;
}

/* The verdict and, for a reply, the frame it left (before stamping). */
static void check_verdict(const struct pktproc_ctx *ctx, const struct pktproc_verdict *v,
			  const uint8_t *req, uint16_t len, const uint8_t *buf, uint16_t cap)
{
	unsigned int c = v->ctr;

	FUZZ_CHECK(c < LT_CTR_MAX, "counter %u out of range", c);
	/* The worker's own counters are never a classification outcome. */
	FUZZ_CHECK(c != LT_CTR_rx_frames && c != LT_CTR_injected && c != LT_CTR_drop_tx_full &&
		   c != LT_CTR_drop_punt_full && c != LT_CTR_drop_inject_bad &&
		   c != LT_CTR_drop_inject_no_neigh && c != LT_CTR_drop_multiseg,
		   "worker counter %s from pktproc", counters_name(c));
	switch (v->action) {
	case PKTPROC_REPLY:
		FUZZ_CHECK(kind_is(c, "tx"), "reply counted as %s", counters_name(c));
		FUZZ_CHECK(v->len >= 14 && v->len <= cap, "reply of %u bytes, cap %u", v->len, cap);
		/* Only an ND advert may outgrow its solicitation (pktproc.h). */
		FUZZ_CHECK(c == LT_CTR_nd_adverts || v->len <= len,
			   "%s reply of %u bytes to a %u-byte frame", counters_name(c), v->len, len);
		FUZZ_CHECK(memcmp(buf + 6, our_mac, 6) == 0, "reply not from our MAC");
		break;
	case PKTPROC_PUNT:
		FUZZ_CHECK(kind_is(c, "punt"), "punt counted as %s", counters_name(c));
		FUZZ_CHECK(memcmp(buf, req, len) == 0, "punted frame was changed");
		FUZZ_CHECK(c != LT_CTR_mssntp_punted || ctx->mssntp, "MS-SNTP punted while off");
		break;
	case PKTPROC_DROP:
		FUZZ_CHECK(kind_is(c, "drop") || kind_is(c, "ok"), "drop counted as %s",
			   counters_name(c));
		FUZZ_CHECK(v->ntp_off == 0, "drop with an NTP reply pending");
		break;
	default:
		FUZZ_CHECK(0, "action %u", v->action);
	}
	FUZZ_CHECK(v->ntp_off == 0 || (v->action == PKTPROC_REPLY && is_ntp_reply_ctr(c) &&
				       c != LT_CTR_kod_deny_sent && c != LT_CTR_kod_rate_sent),
		   "ntp_off %u with %s", v->ntp_off, counters_name(c));
	if (c == LT_CTR_crypto_nak_unknown_key || c == LT_CTR_crypto_nak_bad_mac)
		FUZZ_CHECK(ctx->crypto_nak && v->auth == PKTPROC_AUTH_FAIL, "%s while crypto_nak is off",
			   counters_name(c));
	if (c == LT_CTR_drop_auth_unknown_key || c == LT_CTR_drop_auth_bad_mac)
		FUZZ_CHECK(!ctx->crypto_nak && v->auth == PKTPROC_AUTH_FAIL, "%s while crypto_nak is on",
			   counters_name(c));
	FUZZ_CHECK(v->auth != PKTPROC_AUTH_OK || (v->key && v->action == PKTPROC_REPLY),
		   "authenticated %s", counters_name(c));
	if (c == LT_CTR_drop_ratelimit || c == LT_CTR_kod_rate_sent || c == LT_CTR_ntp_replies_leaked)
		FUZZ_CHECK(ctx->clog && ctx->rl && ctx->rl->enabled, "%s without a rate limit",
			   counters_name(c));
	if (c == LT_CTR_kod_deny_sent)
		FUZZ_CHECK(ctx->acl && ctx->kod_deny, "KoD DENY while not configured");
	if (c == LT_CTR_drop_acl_deny)
		FUZZ_CHECK(ctx->acl, "ACL drop without rules");

	if (v->action == PKTPROC_REPLY && is_ntp_reply_ctr(c)) {
		const int v6 = v->ipv6;
		const uint8_t *src = req + 14 + (v6 ? 8 : 12);
		const uint16_t l4 = v->l4_off;
		uint16_t ulen, ntp;

		FUZZ_CHECK(v->l3_off == 14 && l4 > v->l3_off && l4 + 8 + 48 <= len,
			   "NTP reply offsets l3 %u l4 %u in a %u-byte frame", v->l3_off, l4, len);
		ulen = get16(req + l4 + 4);
		ntp = (uint16_t)(l4 + 8);
		FUZZ_CHECK(ulen >= 8 + 48 && l4 + ulen <= len, "reply to a %u-byte UDP datagram", ulen);
		/* The MAC: under the request's key if it verified (checked here
		 * again), key id 0 alone for a crypto-NAK, none for a KoD. */
		uint16_t tail = 0;
		if (c == LT_CTR_crypto_nak_unknown_key || c == LT_CTR_crypto_nak_bad_mac) {
			tail = 4;
		} else if (v->auth == PKTPROC_AUTH_OK && c != LT_CTR_kod_deny_sent &&
			   c != LT_CTR_kod_rate_sent) {
			unsigned int mac = ntp_mac_find(req + ntp, (size_t)(ulen - 8));

			FUZZ_CHECK(mac && get32(req + ntp + mac) == v->key->mac.id &&
					   ntp_mac_check(&v->key->mac, req + ntp, mac, req + ntp + mac + 4),
				   "reply authenticated for a request whose MAC does not verify");
			tail = (uint16_t)(4 + v->key->mac.digest_len);
		}
		FUZZ_CHECK(v->len == ntp + 48 + tail, "NTP reply of %u bytes, header at %u", v->len, ntp);
		/* [MS-SNTP]: a signing request is never answered unsigned. */
		FUZZ_CHECK(!ntp_packet_is_mssntp(req + ntp, (size_t)(ulen - 8)),
			   "MS-SNTP request answered with %s", counters_name(c));
		/* Rules first: a denied client gets KoD DENY or nothing. */
		if (ctx->acl && c != LT_CTR_kod_deny_sent)
			FUZZ_CHECK(v6 ? acl_allow6(ctx->acl, src) : acl_allow4(ctx->acl, src),
				   "%s to a denied client", counters_name(c));
		FUZZ_CHECK((buf[ntp] & 7) == NTP_MODE_SERVER, "reply mode %u", buf[ntp] & 7);
		FUZZ_CHECK(((buf[ntp] >> 3) & 7) == ((req[ntp] >> 3) & 7), "reply version changed");
		FUZZ_CHECK(memcmp(buf, req + 6, 6) == 0, "NTP reply not to the client's MAC");
		if (c == LT_CTR_kod_deny_sent || c == LT_CTR_kod_rate_sent) {
			/* A KoD tells nothing of our clock (pktproc.h). */
			FUZZ_CHECK(buf[ntp + 1] == 0 && (buf[ntp] >> 6) == NTP_LEAP_UNSYNC,
				   "KoD with stratum %u", buf[ntp + 1]);
			FUZZ_CHECK(get64(buf + ntp + 32) == get64(req + ntp + 40) &&
				   get64(buf + ntp + 40) == get64(req + ntp + 40),
				   "KoD carries a time of ours");
		} else {
			FUZZ_CHECK(get64(buf + ntp + 24) == get64(req + ntp + 40), "origin is not the "
				   "request's transmit time");
			FUZZ_CHECK(get64(buf + ntp + 32) == RX_TS, "receive time is not rx_ts");
		}
	}
}

/* A finished reply (after pktproc_stamp_tx where one was due): lengths
 * that agree with each other and checksums that verify. */
static void check_reply(const struct pktproc_verdict *v, const uint8_t *req, const uint8_t *f)
{
	const uint16_t type = get16(f + 12);
	const uint16_t l4 = v->l4_off;

	if (type == 0x0806) {
		FUZZ_CHECK(v->len == 42 && get16(f + 20) == 2, "ARP reply op %u len %u",
			   get16(f + 20), v->len);
		FUZZ_CHECK(memcmp(f + 22, our_mac, 6) == 0 && ours4(f + 28), "ARP reply not ours");
		return;
	}
	if (type == 0x0800) {
		FUZZ_CHECK(v->l3_off == 14 && f[14] == 0x45, "IPv4 reply header %#x", f[14]);
		FUZZ_CHECK(fuzz_fold(fuzz_sum(0, f + 14, 20)) == 0xffff, "IPv4 header checksum");
		FUZZ_CHECK(get16(f + 16) == v->len - 14, "IPv4 total length %u for %u bytes",
			   get16(f + 16), v->len);
		FUZZ_CHECK(ours4(f + 26), "IPv4 reply from an address not ours");
		FUZZ_CHECK(memcmp(f + 30, req + 26, 4) == 0, "IPv4 reply not to the sender");
		FUZZ_CHECK(l4 == 34 && v->len >= l4 + 8, "IPv4 reply l4 offset %u", l4);
		if (f[23] == 17) {
			FUZZ_CHECK(get16(f + l4 + 4) == v->len - l4, "UDP length %u", get16(f + l4 + 4));
			FUZZ_CHECK(get16(f + l4 + 6) == 0 ||
				   l4_sum(f, 0, 17, f + l4, v->len - l4) == 0xffff, "UDP checksum");
		} else {
			FUZZ_CHECK(f[23] == 1, "IPv4 reply of protocol %u", f[23]);
			FUZZ_CHECK(fuzz_fold(fuzz_sum(0, f + l4, v->len - l4)) == 0xffff,
				   "ICMP reply checksum");
		}
		return;
	}
	FUZZ_CHECK(type == 0x86dd, "reply of ethertype %#x", type);
	FUZZ_CHECK(v->l3_off == 14 && l4 == 54 && v->len >= 54 + 8, "IPv6 reply offsets");
	FUZZ_CHECK((f[14] >> 4) == 6, "IPv6 reply version");
	FUZZ_CHECK(get16(f + 18) == v->len - 54, "IPv6 payload length %u for %u bytes",
		   get16(f + 18), v->len);
	FUZZ_CHECK(ours6(f + 22), "IPv6 reply from an address not ours");
	FUZZ_CHECK(f[20] == 17 || f[20] == 58, "IPv6 reply next header %u", f[20]);
	if (f[20] == 17)
		FUZZ_CHECK(get16(f + l4 + 4) == v->len - l4, "UDP length %u", get16(f + l4 + 4));
	FUZZ_CHECK(l4_sum(f, 1, f[20], f + l4, v->len - l4) == 0xffff, "IPv6 %s checksum",
		   f[20] == 17 ? "UDP" : "ICMPv6");
}

/* --- one input ------------------------------------------------------------ */

struct run {
	struct pktproc_verdict v;
	uint8_t *buf;
};

/* general: the full walk only (pktproc_handle_general), which must agree
 * with pktproc_handle()'s one pass for the common request. */
static struct run handle(const struct pktproc_ctx *ctx, const uint8_t *frame, uint16_t len,
			 uint16_t room, int fill, int general)
{
	struct run r;
	size_t cap = (size_t)len + room;

	r.buf = malloc(cap ? cap : 1);
	if (!r.buf)
		abort();
	memcpy(r.buf, frame, len);
	memset(r.buf + len, fill, room);
	r.v = general ? pktproc_handle_general(ctx, r.buf, len, (uint16_t)cap, RX_TS, 0)
		      : pktproc_handle(ctx, r.buf, len, (uint16_t)cap, RX_TS);
	check_verdict(ctx, &r.v, frame, len, r.buf, (uint16_t)cap);
	if (r.v.action == PKTPROC_REPLY) {
		if (r.v.ntp_off) {
			pktproc_stamp_tx(r.buf, &r.v, TX_TS);
			FUZZ_CHECK(get64(r.buf + r.v.ntp_off + 40) == TX_TS, "transmit time not stamped");
		}
		check_reply(&r.v, frame, r.buf);
	}
	return r;
}

static int same_verdict(const struct pktproc_verdict *a, const struct pktproc_verdict *b)
{
	return a->action == b->action && a->ipv6 == b->ipv6 && a->ctr == b->ctr && a->len == b->len &&
	       a->l3_off == b->l3_off && a->l4_off == b->l4_off && a->ntp_off == b->ntp_off;
}

static void save_state(void)
{
	memcpy(&neigh_saved, &neigh, sizeof(neigh));
	memcpy(clog_saved, clog, clog_size);
}

static void restore_state(void)
{
	memcpy(&neigh, &neigh_saved, sizeof(neigh));
	memcpy(clog, clog_saved, clog_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	const uint8_t flags = fuzz_u8(&in), opts = fuzz_u8(&in);
	const unsigned int reps = 1 + (opts & 3);
	struct ntp_server_params server = {
		.leap = 0, .stratum = 2, .precision = -24, .root_delay = 0x1234,
		.root_dispersion = 0x5678, .refid = 0xc0000205, .ref_time = 0xeeac95c5e56f70deULL,
	};
	struct clientlog_params rl = {
		.enabled = !!(flags & F_RATELIMIT), .leak = (opts >> 2) & 3, .kod = (opts >> 4) & 3,
		.ipv4_prefix = 32, .ipv6_prefix = 64, .burst = 1 + (opts >> 6),
		.interval_ticks = clientlog_interval_ticks(0, HZ),
	};
	struct pktproc_ctx ctx = {
		.port = &port,
		.server = &server,
		.neigh = flags & F_NEIGH ? &neigh : NULL,
		.now_tsc = T0,
		.acl = flags & F_ACL ? acl : NULL,
		.kod_deny = !!(flags & F_KOD_DENY),
		.clog = flags & F_CLOG ? clog : NULL,
		.rl = flags & F_CLOG ? &rl : NULL,
		.mssntp = !!(flags & F_MSSNTP),
		/* the flags are all taken: crypto-NAKs go with KoD DENY */
		.crypto_nak = !!(flags & F_KOD_DENY),
		.keys = keys,
	};
	uint8_t frame[FRAME_MAX];
	uint16_t len;
	size_t got;
	const uint8_t *p = fuzz_bytes(&in, FRAME_MAX, &got);

	len = (uint16_t)got;
	memcpy(frame, p, len);
	if (flags & F_FIX_CSUM)
		fix_csums(frame, len);
	if (flags & F_UNSYNC) {
		server.leap = NTP_LEAP_UNSYNC;
		server.stratum = NTP_STRATUM_UNSYNC;
	}
	neigh_init(&neigh, HZ);
	clientlog_init(clog, CLOG_ENTRIES, HZ, 0x5eed);

	for (unsigned int i = 0; i < reps; i++) {
		struct run exact, lo, hi, walk;

		ctx.now_tsc = T0 + i * (HZ / 1000);
		save_state();
		exact = handle(&ctx, frame, len, 0, 0, 0);
		restore_state();
		walk = handle(&ctx, frame, len, ROOM, 0x00, 1);
		restore_state();
		lo = handle(&ctx, frame, len, ROOM, 0x00, 0);
		restore_state();
		hi = handle(&ctx, frame, len, ROOM, 0xff, 0);
		if (fuzz_verbose())
			fprintf(stderr, "flags %#04x opts %#04x run %u: %s, %u bytes (cap == len: %s)\n",
				flags, opts, i, counters_name(hi.v.ctr), hi.v.len,
				counters_name(exact.v.ctr));
		/* Same verdict and reply whatever lies past the frame. */
		FUZZ_CHECK(same_verdict(&lo.v, &hi.v),
			   "verdict depends on bytes past the frame: %s/%u vs %s/%u",
			   counters_name(lo.v.ctr), lo.v.len, counters_name(hi.v.ctr), hi.v.len);
		if (lo.v.action == PKTPROC_REPLY)
			FUZZ_CHECK(memcmp(lo.buf, hi.buf, lo.v.len) == 0,
				   "reply depends on bytes past the frame");
		/* The one pass and the full walk: same verdict, same bytes. */
		FUZZ_CHECK(same_verdict(&lo.v, &walk.v), "one pass %s/%u, full walk %s/%u",
			   counters_name(lo.v.ctr), lo.v.len, counters_name(walk.v.ctr), walk.v.len);
		if (lo.v.action == PKTPROC_REPLY)
			FUZZ_CHECK(memcmp(lo.buf, walk.buf, lo.v.len) == 0,
				   "one pass and full walk build different replies");
		/* With no room to spare, only an ND advert may come out different
		 * (without its link-layer option, or not at all). */
		if (exact.v.ctr != LT_CTR_nd_adverts && lo.v.ctr != LT_CTR_nd_adverts &&
		    exact.v.ctr != LT_CTR_drop_runt)
			FUZZ_CHECK(exact.v.ctr == lo.v.ctr && exact.v.len == lo.v.len,
				   "verdict depends on cap: %s vs %s", counters_name(exact.v.ctr),
				   counters_name(lo.v.ctr));
		free(exact.buf);
		free(walk.buf);
		free(lo.buf);
		free(hi.buf);
	}
	return 0;
}
