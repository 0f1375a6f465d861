/*
 * pktproc suite: a golden table of frames with their expected verdicts and
 * replies, the reference captures replayed through the classifier, and a
 * seeded mutation run for robustness. Also the inet checksum helpers that
 * pktproc is built on.
 *
 * Frames and expected replies are built here byte by byte, with this file's
 * own checksum code, so a bug in pktproc or inet cannot hide in the test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "clientlog.h"
#include "inet.h"
#include "keytab.h"
#include "neigh.h"
#include "ntp_mac.h"
#include "pcap_read.h"
#include "pktproc.h"
#include "suites.h"
#include "testutil.h"

#define FRAME_MAX 1600
#define CANARY_LEN 32
#define CANARY_BYTE 0xa5
#define C(name) LT_CTR_##name
#define REQUIRE(cond, ...)                      \
	do {                                    \
		if (!(cond))                    \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static const uint8_t OUR_MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t PEER_MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t OTHER_MAC[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x07 };
static const uint8_t BCAST_MAC[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t OUR4[4] = { 192, 0, 2, 1 };
static const uint8_t OUR4B[4] = { 192, 0, 2, 2 };
static const uint8_t PEER4[4] = { 198, 51, 100, 7 };
static const uint8_t OTHER4[4] = { 192, 0, 2, 99 };
static const uint8_t OUR6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t OUR6B[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [13] = 0xab, 0xcd, 0xef };
/* fe80::11:22ff:fe33:4455, the EUI-64 address of OUR_MAC */
static const uint8_t OUR_LL[16] = { 0xfe, 0x80, [8] = 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
static const uint8_t PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };
static const uint8_t PEER_LL[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0xab, 0xcd, 0xef };
static const uint8_t OTHER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 };
/* shares the low 24 bits (so the solicited-node group) with OUR6 */
static const uint8_t OTHER6_SAME_SN[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 0x01 };
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t UNSPEC6[16];
static const uint8_t LOOP6[16] = { [15] = 1 };
static const uint8_t SN_OUR6[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01 };
static const uint8_t SN_OUR6B[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0xab, 0xcd, 0xef };
static const uint8_t SN_OUR_LL[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x33, 0x44, 0x55 };
static const uint8_t SN_OTHER[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x99, 0x99, 0x99 };
static const uint8_t MAC_SN_OUR6[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
static const uint8_t MAC_SN_OUR6B[6] = { 0x33, 0x33, 0xff, 0xab, 0xcd, 0xef };
static const uint8_t MAC_SN_OUR_LL[6] = { 0x33, 0x33, 0xff, 0x33, 0x44, 0x55 };
static const uint8_t MAC_SN_OTHER[6] = { 0x33, 0x33, 0xff, 0x99, 0x99, 0x99 };
static const uint8_t MAC_ALL_NODES[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

#define SRV_LEAP 1
#define SRV_STRATUM 2
#define SRV_PRECISION (-24)
#define SRV_ROOT_DELAY 0x00001234U
#define SRV_ROOT_DISP 0x00005678U
#define SRV_REFID 0xc0000205U
#define SRV_REF 0xeeac95c5e56f70deULL
#define RX_TS 0xeeac95c881900000ULL
#define TX_TS 0xeeac95c881990001ULL
#define REQ_TX 0xeeac95c8818a0800ULL

static struct pktproc_port g_port;
static struct ntp_server_params g_server;
static struct neigh_table g_neigh;

static const char *const ctr_names[] = {
#define CTR_NAME(name, kind, help) #name,
	LT_COUNTER_LIST(CTR_NAME)
#undef CTR_NAME
};

static const char *ctr_name(unsigned int c)
{
	return c < LT_CTR_MAX ? ctr_names[c] : "(out of range)";
}

static void setup_port(void)
{
	memset(&g_port, 0, sizeof(g_port));
	g_port.port_id = 0;
	memcpy(g_port.mac, OUR_MAC, 6);
	g_port.n_ip4 = 2;
	memcpy(&g_port.ip4[0], OUR4, 4);
	memcpy(&g_port.ip4[1], OUR4B, 4);
	g_port.n_ip6 = 2;
	memcpy(g_port.ip6[0], OUR6, 16);
	memcpy(g_port.ip6[1], OUR6B, 16);
	memcpy(g_port.ip6_ll, OUR_LL, 16);

	memset(&g_server, 0, sizeof(g_server));
	g_server.leap = SRV_LEAP;
	g_server.stratum = SRV_STRATUM;
	g_server.precision = SRV_PRECISION;
	g_server.root_delay = SRV_ROOT_DELAY;
	g_server.root_dispersion = SRV_ROOT_DISP;
	g_server.refid = SRV_REFID;
	g_server.ref_time = SRV_REF;
}

/* --- the test's own byte and checksum helpers ------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
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

static uint16_t ref_csum4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
			  uint16_t pseudo_len, const uint8_t *l4, size_t n)
{
	uint8_t tmp[12 + FRAME_MAX];

	memcpy(tmp, src, 4);
	memcpy(tmp + 4, dst, 4);
	tmp[8] = 0;
	tmp[9] = proto;
	put16(tmp + 10, pseudo_len);
	memcpy(tmp + 12, l4, n);
	return tu_ref_csum(tmp, 12 + n);
}

static uint16_t ref_csum6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
			  uint32_t pseudo_len, const uint8_t *l4, size_t n)
{
	uint8_t tmp[40 + FRAME_MAX];

	memcpy(tmp, src, 16);
	memcpy(tmp + 16, dst, 16);
	put32(tmp + 32, pseudo_len);
	tmp[36] = tmp[37] = tmp[38] = 0;
	tmp[39] = nh;
	memcpy(tmp + 40, l4, n);
	return tu_ref_csum(tmp, 40 + n);
}

/* --- frame specs and the builder -------------------------------------- */

enum l3_kind { L3_RAW, L3_ARP, L3_IP4, L3_IP6 };
enum l4_kind { L4_UDP, L4_ICMP, L4_RAW };

struct spec {
	uint8_t dmac[6], smac[6];
	uint16_t ethertype;
	int l3, l4;
	uint8_t ver_ihl, tos, ttl, proto;
	uint16_t id, frag;
	uint8_t src4[4], dst4[4];
	uint32_t vtf;
	uint8_t nh, hlim;
	uint8_t src6[16], dst6[16];
	uint16_t sport, dport;
	uint8_t data[1200]; /* UDP payload, whole ICMP message, ARP body or raw L3 */
	uint16_t dlen;
	int ip_len_delta, udp_len_delta;
	int bad_ip_csum, bad_l4_csum, zero_udp_csum;
	uint16_t pad;      /* Ethernet padding after the IP packet */
	uint16_t truncate; /* bytes cut off the end of the finished frame */
};

static uint16_t build(const struct spec *s, uint8_t *f)
{
	uint16_t off = 14, l4off, l4n, hbytes = 0;

	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	put16(f + 12, s->ethertype);
	if (s->l3 == L3_RAW || s->l3 == L3_ARP) {
		memcpy(f + off, s->data, s->dlen);
		off = (uint16_t)(off + s->dlen);
		goto tail;
	}
	if (s->l3 == L3_IP4) {
		hbytes = (uint16_t)((s->ver_ihl & 0x0f) * 4);
		if (hbytes < 20)
			hbytes = 20;
		memset(f + off, 0x01, hbytes); /* NOP options past 20 bytes */
	} else {
		hbytes = 40;
	}
	l4off = (uint16_t)(off + hbytes);
	l4n = (uint16_t)(s->l4 == L4_UDP ? 8 + s->dlen : s->dlen);
	if (s->l4 == L4_UDP) {
		uint16_t ulen = (uint16_t)(8 + s->dlen + s->udp_len_delta);
		uint16_t covered = ulen < l4n ? ulen : l4n;
		uint16_t c;

		put16(f + l4off, s->sport);
		put16(f + l4off + 2, s->dport);
		put16(f + l4off + 4, ulen);
		put16(f + l4off + 6, 0);
		memcpy(f + l4off + 8, s->data, s->dlen);
		if (s->l3 == L3_IP4)
			c = ref_csum4(s->src4, s->dst4, INET_PROTO_UDP, ulen, f + l4off, covered);
		else
			c = ref_csum6(s->src6, s->dst6, INET_PROTO_UDP, ulen, f + l4off, covered);
		if (c == 0)
			c = 0xffff;
		if (s->bad_l4_csum)
			c ^= 0x5555;
		if (s->zero_udp_csum)
			c = 0;
		put16(f + l4off + 6, c);
	} else {
		memcpy(f + l4off, s->data, s->dlen);
		if (s->l4 == L4_ICMP && s->dlen >= 4) {
			uint16_t c;

			put16(f + l4off + 2, 0);
			if (s->l3 == L3_IP4)
				c = tu_ref_csum(f + l4off, s->dlen);
			else
				c = ref_csum6(s->src6, s->dst6, INET_PROTO_ICMPV6, s->dlen, f + l4off, s->dlen);
			if (s->bad_l4_csum)
				c ^= 0x5555;
			put16(f + l4off + 2, c);
		}
	}
	if (s->l3 == L3_IP4) {
		uint8_t *h = f + off;

		h[0] = s->ver_ihl;
		h[1] = s->tos;
		put16(h + 2, (uint16_t)(hbytes + l4n + s->ip_len_delta));
		put16(h + 4, s->id);
		put16(h + 6, s->frag);
		h[8] = s->ttl;
		h[9] = s->proto;
		put16(h + 10, 0);
		memcpy(h + 12, s->src4, 4);
		memcpy(h + 16, s->dst4, 4);
		put16(h + 10, (uint16_t)(tu_ref_csum(h, hbytes) ^ (s->bad_ip_csum ? 0x1111 : 0)));
	} else {
		uint8_t *h = f + off;

		put32(h, s->vtf);
		put16(h + 4, (uint16_t)(l4n + s->ip_len_delta));
		h[6] = s->nh;
		h[7] = s->hlim;
		memcpy(h + 8, s->src6, 16);
		memcpy(h + 24, s->dst6, 16);
	}
	off = (uint16_t)(l4off + l4n);
tail:
	memset(f + off, 0, s->pad);
	off = (uint16_t)(off + s->pad);
	return (uint16_t)(off - s->truncate);
}

/* --- base frames ------------------------------------------------------ */

static void ntp_request(uint8_t *d, int version, int mode)
{
	memset(d, 0, 48);
	d[0] = (uint8_t)(3 << 6 | version << 3 | mode); /* leap 3, as clients send */
	d[2] = 6;
	d[3] = 0xe9;
	/* chrony puts a random cookie in the origin field: it must not leak into
	 * the reply's origin */
	put64(d + 24, 0x1122334455667788ULL);
	put64(d + 40, REQ_TX + (uint64_t)version);
}

static void base_eth(struct spec *s, uint16_t type)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->dmac, OUR_MAC, 6);
	memcpy(s->smac, PEER_MAC, 6);
	s->ethertype = type;
}

static void base_ip4(struct spec *s, uint8_t proto, int l4)
{
	base_eth(s, INET_ETHERTYPE_IPV4);
	s->l3 = L3_IP4;
	s->l4 = l4;
	s->ver_ihl = 0x45;
	s->tos = 0xb8;
	s->ttl = 57;
	s->id = 0x1234;
	s->frag = INET_IPV4_DF;
	s->proto = proto;
	memcpy(s->src4, PEER4, 4);
	memcpy(s->dst4, OUR4, 4);
}

static void base_ip6(struct spec *s, uint8_t nh, int l4)
{
	base_eth(s, INET_ETHERTYPE_IPV6);
	s->l3 = L3_IP6;
	s->l4 = l4;
	s->vtf = 0x6b8abcdeU; /* traffic class and flow label, cleared in replies */
	s->nh = nh;
	s->hlim = 55;
	memcpy(s->src6, PEER6, 16);
	memcpy(s->dst6, OUR6, 16);
}

static void ntp4(struct spec *s, int version, int mode)
{
	base_ip4(s, INET_PROTO_UDP, L4_UDP);
	s->sport = 40123;
	s->dport = 123;
	ntp_request(s->data, version, mode);
	s->dlen = 48;
}

static void ntp6(struct spec *s, int version, int mode)
{
	base_ip6(s, INET_PROTO_UDP, L4_UDP);
	s->sport = 51234;
	s->dport = 123;
	ntp_request(s->data, version, mode);
	s->dlen = 48;
}

static void arp_body(uint8_t *d, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
		     const uint8_t tha[6], const uint8_t tpa[4])
{
	put16(d, 1);
	put16(d + 2, 0x0800);
	d[4] = 6;
	d[5] = 4;
	put16(d + 6, op);
	memcpy(d + 8, sha, 6);
	memcpy(d + 14, spa, 4);
	memcpy(d + 18, tha, 6);
	memcpy(d + 24, tpa, 4);
}

static void arp_req(struct spec *s)
{
	static const uint8_t zero_mac[6];

	base_eth(s, INET_ETHERTYPE_ARP);
	memcpy(s->dmac, BCAST_MAC, 6);
	s->l3 = L3_ARP;
	arp_body(s->data, 1, PEER_MAC, PEER4, zero_mac, OUR4);
	s->dlen = 28;
	s->pad = 18; /* as received from the wire: padded to 60 bytes */
}

static void echo_body(uint8_t *d, uint8_t type, uint16_t *len)
{
	static const char text[] = "linetime echo payload!";

	memset(d, 0, 8);
	d[0] = type;
	put16(d + 4, 0x4242);
	put16(d + 6, 7);
	memcpy(d + 8, text, sizeof(text) - 1);
	*len = (uint16_t)(8 + sizeof(text) - 1);
}

static void echo4(struct spec *s)
{
	base_ip4(s, INET_PROTO_ICMP, L4_ICMP);
	echo_body(s->data, 8, &s->dlen);
}

static void echo6(struct spec *s)
{
	base_ip6(s, INET_PROTO_ICMPV6, L4_ICMP);
	s->hlim = 64;
	echo_body(s->data, 128, &s->dlen);
}

/* An NS or NA message with an optional link-layer option (opt_type 0: none). */
static uint16_t nd_body(uint8_t *d, uint8_t type, uint32_t flags, const uint8_t target[16],
			uint8_t opt_type, const uint8_t mac[6])
{
	memset(d, 0, 32);
	d[0] = type;
	put32(d + 4, flags);
	memcpy(d + 8, target, 16);
	if (!opt_type)
		return 24;
	d[24] = opt_type;
	d[25] = 1;
	memcpy(d + 26, mac, 6);
	return 32;
}

/* Multicast NS for OUR6 from PEER6, as a host resolving us sends it. */
static void ns_mcast(struct spec *s)
{
	base_ip6(s, INET_PROTO_ICMPV6, L4_ICMP);
	s->vtf = 0x60000000U;
	s->hlim = 255;
	memcpy(s->dmac, MAC_SN_OUR6, 6);
	memcpy(s->dst6, SN_OUR6, 16);
	s->dlen = nd_body(s->data, 135, 0, OUR6, 1, PEER_MAC);
}

static void ns_dad(struct spec *s)
{
	ns_mcast(s);
	memcpy(s->src6, UNSPEC6, 16);
	s->dlen = nd_body(s->data, 135, 0, OUR6, 0, NULL);
}

static void ns_unicast(struct spec *s)
{
	ns_mcast(s);
	memcpy(s->dmac, OUR_MAC, 6);
	memcpy(s->dst6, OUR6, 16);
}

static void na_to_us(struct spec *s)
{
	base_ip6(s, INET_PROTO_ICMPV6, L4_ICMP);
	s->hlim = 255;
	s->dlen = nd_body(s->data, 136, INET_ND_NA_SOLICITED | INET_ND_NA_OVERRIDE, PEER6, 2,
			  PEER_MAC);
}

/* --- expected replies ------------------------------------------------- */

static void ntp_expect(const uint8_t *req, uint8_t *d)
{
	d[0] = (uint8_t)(SRV_LEAP << 6 | (req[0] & 0x38) | 4);
	d[1] = SRV_STRATUM;
	d[2] = req[2];
	d[3] = (uint8_t)SRV_PRECISION;
	put32(d + 4, SRV_ROOT_DELAY);
	put32(d + 8, SRV_ROOT_DISP);
	put32(d + 12, SRV_REFID);
	put64(d + 16, SRV_REF);
	memcpy(d + 24, req + 40, 8);
	put64(d + 32, RX_TS);
	put64(d + 40, TX_TS);
}

/* The request's spec turned around the way every reply is: MACs, addresses
 * and ports swapped, fresh IP header fields. */
static void turn_around(const struct spec *req, struct spec *e)
{
	*e = *req;
	memcpy(e->dmac, req->smac, 6);
	memcpy(e->smac, OUR_MAC, 6);
	e->ver_ihl = 0x45;
	e->tos = 0;
	e->ttl = 64;
	e->id = 0;
	e->frag = INET_IPV4_DF;
	memcpy(e->src4, req->dst4, 4);
	memcpy(e->dst4, req->src4, 4);
	e->vtf = 0x60000000U;
	e->hlim = 64;
	memcpy(e->src6, req->dst6, 16);
	memcpy(e->dst6, req->src6, 16);
	e->sport = req->dport;
	e->dport = req->sport;
	e->ip_len_delta = e->udp_len_delta = 0;
	e->bad_ip_csum = e->bad_l4_csum = e->zero_udp_csum = 0;
	e->pad = e->truncate = 0;
}

/* --- policy: access rules and rate limiting ---------------------------- */

static struct acl *deny_all_acl(void)
{
	/* "deny": every address, both families. */
	static const struct lt_cfg_access deny_all = {.allow = 0, .family = 0, .prefixlen = 0};
	struct acl *a = acl_build(&deny_all, 1, NULL, 0);

	ck_assert_ptr_nonnull(a);
	return a;
}

static struct clientlog *new_clientlog(void)
{
	struct clientlog *t = aligned_alloc(64, (clientlog_bytes(64) + 63) / 64 * 64);

	ck_assert_ptr_nonnull(t);
	clientlog_init(t, 64, 1000000000ULL, 12345);
	return t;
}

/* One response, then one an hour: the second request is over the limit. */
static const struct clientlog_params strict_rl = {.enabled = 1, .leak = 0, .kod = 0,
						  .ipv4_prefix = 32, .ipv6_prefix = 128,
						  .burst = 1, .interval_ticks = 3600000000000ULL};

/* --- fixture runner --------------------------------------------------- */

struct run {
	struct spec req;
	uint8_t in[FRAME_MAX];
	uint16_t inlen;
	uint8_t *out;
	uint16_t cap;
	struct pktproc_verdict v;
};

struct fixture {
	const char *desc;
	void (*make)(struct spec *s);
	uint8_t action;
	uint16_t ctr;
	void (*check)(const struct run *r);
	int flags;
};

#define F_TIGHT 1      /* cap == len: no spare room after the frame */
#define F_KNOWN_PEER 2 /* the table already holds PEER6 (at OTHER_MAC) */
#define F_DENY 4       /* access rules deny every client */
#define F_LIMITED 8    /* the client already used its one-response burst */
#define F_KOD_DENY 16  /* denied clients get KoD DENY */
#define F_MSSNTP 32    /* signing is on: MS-SNTP requests go to control */
#define F_KEYS 64      /* the test keys are in force */
#define F_NAK 128      /* a failed MAC gets a crypto-NAK */

/* The test's keys: one of each type (AES-128 is RFC 4493's example key). */
static const struct lt_key test_keys[] = {
	{ .id = 7, .slot = 0, .type = NTP_MAC_MD5, .len = 16, .secret = "linetime-md5-key" },
	{ .id = 9, .slot = 1, .type = NTP_MAC_SHA1, .len = 20, .secret = "a-twenty-byte-secret" },
	{ .id = 11, .slot = 2, .type = NTP_MAC_AES128, .len = 16,
	  .secret = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09,
		      0xcf, 0x4f, 0x3c } },
	{ .id = 12, .slot = 3, .type = NTP_MAC_AES256, .len = 32,
	  .secret = "0123456789abcdef0123456789abcdef" },
	{ .id = 4000000000U, .slot = 9, .type = NTP_MAC_SHA512, .len = 5, .secret = "short" },
};

static const struct keytab *test_keytab(void)
{
	static struct keytab *t;
	char err[128];

	if (!t)
		t = keytab_build(test_keys, sizeof(test_keys) / sizeof(test_keys[0]), err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	return t;
}

/* End the NTP payload at off with a MAC under test key id. */
static void sign(struct spec *s, uint32_t id, uint16_t off)
{
	const struct keytab_key *k = keytab_find(test_keytab(), id);

	ck_assert_ptr_nonnull(k);
	s->dlen = (uint16_t)(off + ntp_mac_write(&k->mac, s->data, off, s->data + off));
}

static void expect_frame(const struct run *r, const uint8_t *exp, uint16_t explen)
{
	ck_assert_uint_eq(r->v.len, explen);
	for (uint16_t i = 0; i < explen; i++)
		ck_assert_msg(r->out[i] == exp[i], "byte %u: got %02x, want %02x", i, r->out[i], exp[i]);
}

/* Lengths agree with the frame and every checksum verifies. */
static int ip4_reply_ok(const uint8_t *f, uint16_t len)
{
	uint16_t tot;

	if (len < 14 + 28)
		return 0;
	tot = tu_get16(f + 16);
	if (14u + tot != len || tu_ref_csum(f + 14, 20) != 0)
		return 0;
	if (f[23] == INET_PROTO_UDP)
		return ref_csum4(f + 26, f + 30, 17, tu_get16(f + 38), f + 34, (size_t)tot - 20) == 0;
	return tu_ref_csum(f + 34, (size_t)tot - 20) == 0;
}

static int ip6_reply_ok(const uint8_t *f, uint16_t len)
{
	if (len < 54 + 4 || 54u + tu_get16(f + 18) != len)
		return 0;
	return ref_csum6(f + 22, f + 38, f[20], tu_get16(f + 18), f + 54, tu_get16(f + 18)) == 0;
}

static void verify_ip4_reply_csums(const uint8_t *f, uint16_t len)
{
	ck_assert_msg(ip4_reply_ok(f, len), "IPv4 reply: length or checksum wrong");
}

static void verify_ip6_reply_csums(const uint8_t *f, uint16_t len)
{
	ck_assert_msg(ip6_reply_ok(f, len), "IPv6 reply: length or checksum wrong");
}

static void check_ntp(const struct run *r)
{
	struct spec e;
	uint8_t exp[FRAME_MAX];
	uint16_t explen;
	int v6 = r->req.l3 == L3_IP6;

	turn_around(&r->req, &e);
	ntp_expect(r->req.data, e.data);
	e.dlen = 48;
	explen = build(&e, exp);
	expect_frame(r, exp, explen);
	ck_assert_uint_le(r->v.len, r->inlen);
	ck_assert_uint_eq(r->v.ipv6, v6);
	ck_assert_uint_eq(r->v.l3_off, 14);
	ck_assert_uint_eq(r->v.l4_off, v6 ? 54 : 34);
	ck_assert_uint_eq(r->v.ntp_off, v6 ? 62 : 42);
	if (v6)
		verify_ip6_reply_csums(r->out, r->v.len);
	else
		verify_ip4_reply_csums(r->out, r->v.len);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The reply the request asks for, then tail bytes as the reply has them. */
static void expect_ntp_with_tail(const struct run *r, uint16_t tail)
{
	struct spec e;
	uint8_t exp[FRAME_MAX];
	int v6 = r->req.l3 == L3_IP6;
	uint16_t ntp_off = v6 ? 62 : 42;

	ck_assert_uint_eq(r->v.len, ntp_off + 48 + tail);
	turn_around(&r->req, &e);
	ntp_expect(r->req.data, e.data);
	memcpy(e.data + 48, r->out + ntp_off + 48, tail);
	e.dlen = (uint16_t)(48 + tail);
	expect_frame(r, exp, build(&e, exp));
	ck_assert_uint_le(r->v.len, r->inlen);
	if (v6)
		verify_ip6_reply_csums(r->out, r->v.len);
	else
		verify_ip4_reply_csums(r->out, r->v.len);
}

/* A reply with a MAC under the request's key that verifies. */
static void check_auth(const struct run *r)
{
	uint16_t ntp_off = r->req.l3 == L3_IP6 ? 62 : 42;
	const uint8_t *q = r->out + ntp_off;
	const struct keytab_key *k = keytab_find(test_keytab(), get32(q + 48));

	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(r->v.auth, PKTPROC_AUTH_OK);
	ck_assert_ptr_eq(r->v.key, k);
	expect_ntp_with_tail(r, (uint16_t)(4 + k->mac.digest_len));
	ck_assert_msg(ntp_mac_check(&k->mac, q, 48, q + 52), "reply MAC does not verify");
}

/* A crypto-NAK: the plain reply with a MAC of key id 0 alone. */
static void check_nak(const struct run *r)
{
	const uint8_t *q = r->out + (r->req.l3 == L3_IP6 ? 62 : 42);

	ck_assert_uint_eq(r->v.auth, PKTPROC_AUTH_FAIL);
	expect_ntp_with_tail(r, 4);
	ck_assert_uint_eq(get32(q + 48), 0);
}

static void check_punt(const struct run *r)
{
	int v6 = r->req.l3 == L3_IP6;

	ck_assert_uint_eq(r->v.l3_off, 14);
	ck_assert_uint_eq(r->v.l4_off, v6 ? 54 : 34);
	ck_assert_uint_eq(r->v.ntp_off, 0);
	ck_assert_uint_eq(r->v.ipv6, v6);
}

static void check_arp_reply(const struct run *r)
{
	struct spec e;
	uint8_t exp[FRAME_MAX], mac[6];
	uint8_t spa[4], tpa[4];
	uint16_t explen;

	memcpy(spa, r->req.data + 14, 4);
	memcpy(tpa, r->req.data + 24, 4);
	base_eth(&e, INET_ETHERTYPE_ARP);
	e.l3 = L3_ARP;
	memcpy(e.dmac, r->req.data + 8, 6);
	memcpy(e.smac, OUR_MAC, 6);
	arp_body(e.data, 2, OUR_MAC, tpa, r->req.data + 8, spa);
	e.dlen = 28;
	explen = build(&e, exp);
	expect_frame(r, exp, explen);
	if (spa[0] | spa[1] | spa[2] | spa[3]) {
		ck_assert_int_eq(neigh_lookup(&g_neigh, 4, spa, mac, 5000), 0);
		ck_assert_mem_eq(mac, r->req.data + 8, 6);
	}
}

static void check_arp_learned(const struct run *r)
{
	uint8_t mac[6];

	ck_assert_int_eq(neigh_lookup(&g_neigh, 4, r->req.data + 14, mac, 5000), 0);
	ck_assert_mem_eq(mac, r->req.data + 8, 6);
}

static void check_echo_reply(const struct run *r)
{
	struct spec e;
	uint8_t exp[FRAME_MAX];
	uint16_t explen;
	int v6 = r->req.l3 == L3_IP6;

	turn_around(&r->req, &e);
	e.data[0] = v6 ? 129 : 0;
	explen = build(&e, exp);
	expect_frame(r, exp, explen);
	if (v6)
		verify_ip6_reply_csums(r->out, r->v.len);
	else
		verify_ip4_reply_csums(r->out, r->v.len);
}

/* NA from the target to the solicitation's source (all-nodes for DAD). */
static void check_na(const struct run *r, int with_tlla)
{
	struct spec e;
	uint8_t exp[FRAME_MAX], mac[6];
	const uint8_t *target = r->req.data + 8;
	int dad = memcmp(r->req.src6, UNSPEC6, 16) == 0;
	uint16_t explen;

	base_ip6(&e, INET_PROTO_ICMPV6, L4_ICMP);
	e.vtf = 0x60000000U;
	e.hlim = 255;
	memcpy(e.dmac, dad ? MAC_ALL_NODES : r->req.smac, 6);
	memcpy(e.smac, OUR_MAC, 6);
	memcpy(e.src6, target, 16);
	memcpy(e.dst6, dad ? ALL_NODES : r->req.src6, 16);
	e.dlen = nd_body(e.data, 136, (dad ? 0 : INET_ND_NA_SOLICITED) | INET_ND_NA_OVERRIDE, target,
			 with_tlla ? 2 : 0, OUR_MAC);
	explen = build(&e, exp);
	expect_frame(r, exp, explen);
	verify_ip6_reply_csums(r->out, r->v.len);
	/* the solicitation's source link-layer option was learned */
	if (!dad && r->req.dlen >= 32 && r->req.data[24] == 1)
		ck_assert_int_eq(neigh_lookup(&g_neigh, 6, r->req.src6, mac, 5000), 0);
}

static void check_na_tlla(const struct run *r)
{
	check_na(r, 1);
}

static void check_na_no_tlla(const struct run *r)
{
	check_na(r, 0);
}

static void check_nothing_learned(const struct run *r)
{
	uint8_t mac[6];

	ck_assert_int_eq(neigh_lookup(&g_neigh, 6, r->req.data + 8, mac, 5000), -1);
}

static void check_nd_learned(const struct run *r)
{
	uint8_t mac[6];

	ck_assert_int_eq(neigh_lookup(&g_neigh, 6, r->req.data + 8, mac, 5000), 0);
	ck_assert_mem_eq(mac, r->req.data + 26, 6);
}

/* --- fixtures: what each one changes from its base ------------------- */

#define FX(name) static void name(struct spec *s)

FX(ntp4_v1) { ntp4(s, 1, 3); }
FX(ntp4_v2) { ntp4(s, 2, 3); }
FX(ntp4_v3) { ntp4(s, 3, 3); }
FX(ntp4_v4) { ntp4(s, 4, 3); }
FX(ntp6_v1) { ntp6(s, 1, 3); }
FX(ntp6_v2) { ntp6(s, 2, 3); }
FX(ntp6_v3) { ntp6(s, 3, 3); }
FX(ntp6_v4) { ntp6(s, 4, 3); }
FX(ntp4_second_addr) { ntp4(s, 4, 3); memcpy(s->dst4, OUR4B, 4); }
FX(ntp6_second_addr) { ntp6(s, 4, 3); memcpy(s->dst6, OUR6B, 16); }
FX(ntp6_to_ll) { ntp6(s, 4, 3); memcpy(s->src6, PEER_LL, 16); memcpy(s->dst6, OUR_LL, 16); }
FX(ntp4_padded) { ntp4(s, 4, 3); s->pad = 10; }
FX(ntp6_padded) { ntp6(s, 4, 3); s->pad = 6; }
FX(ntp4_no_udp_csum) { ntp4(s, 4, 3); s->zero_udp_csum = 1; }
FX(ntp4_poll_17) { ntp4(s, 4, 3); s->data[2] = 17; }
FX(ntp4_udp_shorter_than_ip) { ntp4(s, 4, 3); s->dlen = 52; s->udp_len_delta = -4; }
FX(ntp4_tight) { ntp4(s, 4, 3); }
FX(ntp4_keyid_only) { ntp4(s, 4, 3); put32(s->data + 48, 0); s->dlen = 52; }
FX(ntp4_md5_mac) { ntp4(s, 4, 3); put32(s->data + 48, 7); memset(s->data + 52, 0x3c, 16); s->dlen = 68; }
FX(ntp4_sha1_mac) { ntp4(s, 4, 3); put32(s->data + 48, 9); memset(s->data + 52, 0x5a, 20); s->dlen = 72; }
FX(ntp4_mssntp) { ntp4(s, 3, 3); put32(s->data + 48, 0x4f040000); memset(s->data + 52, 0, 16); s->dlen = 68; }
FX(ntp6_mssntp) { ntp6(s, 3, 3); put32(s->data + 48, 0x4f040000); memset(s->data + 52, 0, 16); s->dlen = 68; }
/* Not MS-SNTP: version 4, or a key id of 0, or a MAC already there. */
FX(ntp4_mssntp_v4) { ntp4(s, 4, 3); put32(s->data + 48, 0x4f040000); memset(s->data + 52, 0, 16); s->dlen = 68; }
FX(ntp4_mssntp_key0) { ntp4(s, 3, 3); put32(s->data + 48, 0); memset(s->data + 52, 0, 16); s->dlen = 68; }
FX(ntp4_mssntp_macset) { ntp4(s, 3, 3); put32(s->data + 48, 0x4f040000); memset(s->data + 52, 0, 16); s->data[67] = 1; s->dlen = 68; }
FX(ntp4_mssntp_ext)
{
	ntp4(s, 3, 3);
	put32(s->data + 48, 1103);
	s->data[53] = 0;    /* flags */
	s->data[54] = 1;    /* ClientHashIDHints: NTLM_PWD_HASH */
	memset(s->data + 56, 0, 64);
	s->dlen = 120;
}
FX(ntp6_ext_one)
{
	ntp6(s, 4, 3);
	put16(s->data + 48, 0x0104); /* NTS unique identifier */
	put16(s->data + 50, 36);
	memset(s->data + 52, 0xab, 32);
	s->dlen = 84;
}
FX(ntp4_auth_md5) { ntp4(s, 4, 3); sign(s, 7, 48); }
FX(ntp4_auth_sha1) { ntp4(s, 4, 3); sign(s, 9, 48); }
FX(ntp4_auth_aes128) { ntp4(s, 4, 3); sign(s, 11, 48); }
FX(ntp6_auth_aes256) { ntp6(s, 4, 3); sign(s, 12, 48); }
FX(ntp4_auth_sha512) { ntp4(s, 4, 3); sign(s, 4000000000U, 48); }
FX(ntp4_auth_v3) { ntp4(s, 3, 3); sign(s, 7, 48); }
/* An extension field is covered by the MAC and not echoed. */
FX(ntp4_auth_ext)
{
	ntp4(s, 4, 3);
	put16(s->data + 48, 0x0104);
	put16(s->data + 50, 16);
	memset(s->data + 52, 1, 12);
	sign(s, 11, 64);
}
FX(ntp4_auth_bad) { ntp4(s, 4, 3); sign(s, 11, 48); s->data[60] ^= 1; }
FX(ntp6_auth_bad) { ntp6(s, 4, 3); sign(s, 9, 48); s->data[20] ^= 0x80; }
/* A 20-byte digest under a key whose digests are 16 bytes. */
FX(ntp4_auth_wrong_len) { ntp4(s, 4, 3); sign(s, 9, 48); put32(s->data + 48, 11); }
FX(ntp4_auth_unknown) { ntp4(s, 4, 3); sign(s, 7, 48); put32(s->data + 48, 99); }
FX(ntp4_ext_chain_mac)
{
	ntp4(s, 4, 3);
	put16(s->data + 48, 0x0104);
	put16(s->data + 50, 16);
	memset(s->data + 52, 1, 12);
	put16(s->data + 64, 0x0204);
	put16(s->data + 66, 28);
	memset(s->data + 68, 2, 24);
	put32(s->data + 92, 5); /* key id + MD5 */
	memset(s->data + 96, 3, 16);
	s->dlen = 112;
}
FX(ext_short_field) { ntp4(s, 4, 3); put16(s->data + 48, 0x0104); put16(s->data + 50, 12); s->dlen = 64; }
FX(ext_odd_len) { ntp4(s, 4, 3); put16(s->data + 48, 0x0104); put16(s->data + 50, 18); s->dlen = 84; }
FX(ext_overlong) { ntp4(s, 4, 3); put16(s->data + 48, 0x0104); put16(s->data + 50, 64); s->dlen = 80; }
FX(ext_garbage_tail) { ntp4(s, 4, 3); memset(s->data + 48, 0xee, 8); s->dlen = 56; }
FX(ext_then_garbage)
{
	ntp4(s, 4, 3);
	put16(s->data + 48, 0x0104);
	put16(s->data + 50, 16);
	s->dlen = 48 + 16 + 12;
}

FX(punt_mode1) { ntp4(s, 4, 1); }
FX(punt_mode2) { ntp6(s, 4, 2); }
FX(punt_mode4) { ntp4(s, 4, 4); s->sport = 123; }
FX(punt_mode4_v6) { ntp6(s, 4, 4); s->sport = 123; }

FX(runt_eth) { ntp4(s, 4, 3); s->truncate = (uint16_t)(90 - 10); }
FX(runt_ip4) { ntp4(s, 4, 3); s->truncate = (uint16_t)(90 - 30); }
FX(runt_ip6) { ntp6(s, 4, 3); s->truncate = (uint16_t)(110 - 50); }
FX(runt_arp) { arp_req(s); s->pad = 0; s->truncate = 4; }
FX(vlan_tagged)
{
	base_eth(s, INET_ETHERTYPE_VLAN);
	s->l3 = L3_RAW;
	put16(s->data, 0x0064);
	put16(s->data + 2, INET_ETHERTYPE_IPV4);
	s->dlen = 46;
}
FX(lldp_to_us) { base_eth(s, 0x88cc); s->l3 = L3_RAW; s->dlen = 46; }
FX(other_unicast_mac) { ntp4(s, 4, 3); memcpy(s->dmac, OTHER_MAC, 6); }
FX(bcast_ip4) { ntp4(s, 4, 3); memcpy(s->dmac, BCAST_MAC, 6); }
FX(mcast_mac_ip4) { ntp4(s, 4, 3); memcpy(s->dmac, MAC_ALL_NODES, 6); }
FX(mcast_mac_arp) { arp_req(s); memcpy(s->dmac, MAC_ALL_NODES, 6); }
FX(bcast_ip6) { ntp6(s, 4, 3); memcpy(s->dmac, BCAST_MAC, 6); }
FX(mcast_mac_to_unicast6) { ntp6(s, 4, 3); memcpy(s->dmac, MAC_SN_OUR6, 6); }
FX(ns_wrong_group_mac) { ns_mcast(s); memcpy(s->dmac, MAC_SN_OUR6B, 6); }
FX(group_src_mac) { ntp4(s, 4, 3); s->smac[0] |= 1; }
FX(ip4_wrong_version) { ntp4(s, 4, 3); s->ver_ihl = 0x65; }
FX(ip6_wrong_version) { ntp6(s, 4, 3); s->vtf = 0x40000000U; }
FX(ip4_ihl4) { ntp4(s, 4, 3); s->ver_ihl = 0x44; }
FX(ip4_options) { ntp4(s, 4, 3); s->ver_ihl = 0x46; }
FX(ip4_len_long) { ntp4(s, 4, 3); s->ip_len_delta = 4; }
FX(ip4_len_short) { ntp4(s, 4, 3); s->ip_len_delta = -(8 + 48 + 1); }
FX(ip4_bad_csum) { ntp4(s, 4, 3); s->bad_ip_csum = 1; }
FX(ip4_mf) { ntp4(s, 4, 3); s->frag = INET_IPV4_MF; }
FX(ip4_offset) { ntp4(s, 4, 3); s->frag = 185; }
FX(ip4_not_ours) { ntp4(s, 4, 3); memcpy(s->dst4, OTHER4, 4); }
FX(ip4_dst_bcast) { static const uint8_t b[4] = { 255, 255, 255, 255 }; ntp4(s, 4, 3); memcpy(s->dst4, b, 4); }
FX(ip6_len_long) { ntp6(s, 4, 3); s->ip_len_delta = 2; }
FX(ip6_hop_by_hop) { ntp6(s, 4, 3); s->nh = 0; s->l4 = L4_RAW; }
FX(ip6_fragment_hdr) { ntp6(s, 4, 3); s->nh = 44; s->l4 = L4_RAW; }
FX(ip6_not_ours) { ntp6(s, 4, 3); memcpy(s->dst6, OTHER6, 16); }
FX(echo6_all_nodes) { echo6(s); memcpy(s->dmac, MAC_ALL_NODES, 6); memcpy(s->dst6, ALL_NODES, 16); }
FX(echo6_all_nodes_our_mac) { echo6(s); memcpy(s->dst6, ALL_NODES, 16); }
FX(all_nodes_wrong_mac) { echo6(s); memcpy(s->dmac, MAC_SN_OUR6, 6); memcpy(s->dst6, ALL_NODES, 16); }
FX(ntp6_all_nodes) { ntp6(s, 4, 3); memcpy(s->dmac, MAC_ALL_NODES, 6); memcpy(s->dst6, ALL_NODES, 16); }
FX(echo6_all_routers)
{
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };
	static const uint8_t mac[6] = { 0x33, 0x33, 0, 0, 0, 0x02 };

	echo6(s);
	memcpy(s->dmac, mac, 6);
	memcpy(s->dst6, all_routers, 16);
}
FX(ns_other_group) { ns_mcast(s); memcpy(s->dmac, MAC_SN_OTHER, 6); memcpy(s->dst6, SN_OTHER, 16); }
FX(ntp6_to_solicited) { ntp6(s, 4, 3); memcpy(s->dmac, MAC_SN_OUR6, 6); memcpy(s->dst6, SN_OUR6, 16); }
FX(src4_zero) { static const uint8_t a[4]; ntp4(s, 4, 3); memcpy(s->src4, a, 4); }
FX(src4_loopback) { static const uint8_t a[4] = { 127, 0, 0, 1 }; ntp4(s, 4, 3); memcpy(s->src4, a, 4); }
FX(src4_multicast) { static const uint8_t a[4] = { 224, 0, 1, 1 }; ntp4(s, 4, 3); memcpy(s->src4, a, 4); }
FX(src4_bcast) { static const uint8_t a[4] = { 255, 255, 255, 255 }; ntp4(s, 4, 3); memcpy(s->src4, a, 4); }
FX(src4_class_e) { static const uint8_t a[4] = { 240, 1, 2, 3 }; ntp4(s, 4, 3); memcpy(s->src4, a, 4); }
FX(src6_multicast) { ntp6(s, 4, 3); memcpy(s->src6, ALL_NODES, 16); }
FX(src6_loopback) { ntp6(s, 4, 3); memcpy(s->src6, LOOP6, 16); }
FX(src6_unspec_udp) { ntp6(s, 4, 3); memcpy(s->src6, UNSPEC6, 16); }
FX(src6_unspec_echo) { echo6(s); memcpy(s->src6, UNSPEC6, 16); }
FX(ip4_tcp) { ntp4(s, 4, 3); s->proto = 6; s->l4 = L4_RAW; s->dlen = 40; }
FX(ip6_tcp) { ntp6(s, 4, 3); s->nh = 6; s->l4 = L4_RAW; s->dlen = 40; }
FX(ip6_no_next) { ntp6(s, 4, 3); s->nh = 59; s->l4 = L4_RAW; s->dlen = 0; }
FX(udp_len_long) { ntp4(s, 4, 3); s->udp_len_delta = 1; }
FX(udp_len_below_8) { ntp4(s, 4, 3); s->udp_len_delta = -(48 + 1); }
FX(udp_hdr_cut) { ntp4(s, 4, 3); s->l4 = L4_RAW; s->dlen = 4; }
FX(udp6_len_long) { ntp6(s, 4, 3); s->udp_len_delta = 8; }
FX(udp4_bad_csum) { ntp4(s, 4, 3); s->bad_l4_csum = 1; }
FX(udp6_bad_csum) { ntp6(s, 4, 3); s->bad_l4_csum = 1; }
FX(udp6_zero_csum) { ntp6(s, 4, 3); s->zero_udp_csum = 1; }
FX(udp_port_124) { ntp4(s, 4, 3); s->dport = 124; }
FX(udp6_port_53) { ntp6(s, 4, 3); s->dport = 53; }
FX(udp_sport_0) { ntp4(s, 4, 3); s->sport = 0; }
FX(ntp_47) { ntp4(s, 4, 3); s->dlen = 47; }
FX(ntp_empty) { ntp6(s, 4, 3); s->dlen = 0; }
FX(ntp_v0) { ntp4(s, 0, 3); }
FX(ntp_v5) { ntp4(s, 5, 3); }
FX(ntp_v7) { ntp6(s, 7, 3); }
FX(ntp_mode6) { ntp4(s, 2, 6); }
FX(ntp_mode7) { ntp4(s, 2, 7); }
FX(ntp_mode6_ntpq) { ntp4(s, 2, 6); s->dlen = 12; }   /* ntpq's 12-byte header */
FX(ntp_mode7_short) { ntp6(s, 2, 7); s->dlen = 8; }
FX(ntp_mode0) { ntp4(s, 1, 0); }
FX(ntp_mode5) { ntp6(s, 4, 5); }
FX(arp_htype) { arp_req(s); put16(s->data, 6); }
FX(arp_ptype) { arp_req(s); put16(s->data + 2, 0x86dd); }
FX(arp_plen) { arp_req(s); s->data[5] = 16; }
FX(arp_group_sha) { arp_req(s); s->data[8] |= 1; }
FX(arp_other_target) { arp_req(s); memcpy(s->data + 24, OTHER4, 4); }
FX(arp_rarp_op) { arp_req(s); put16(s->data + 6, 3); }
FX(arp_unicast_req) { arp_req(s); memcpy(s->dmac, OUR_MAC, 6); memcpy(s->data + 24, OUR4B, 4); }
FX(arp_probe) { static const uint8_t z[4]; arp_req(s); memcpy(s->data + 14, z, 4); }
FX(arp_loopback_sender) { static const uint8_t a[4] = { 127, 0, 0, 1 }; arp_req(s); memcpy(s->data + 14, a, 4); }
FX(arp_reply_to_us)
{
	arp_req(s);
	memcpy(s->dmac, OUR_MAC, 6);
	arp_body(s->data, 2, PEER_MAC, PEER4, OUR_MAC, OUR4);
}
FX(arp_reply_claims_ours)
{
	arp_req(s);
	memcpy(s->dmac, OUR_MAC, 6);
	arp_body(s->data, 2, PEER_MAC, OUR4B, OUR_MAC, OUR4);
}
FX(echo4_ok) { echo4(s); }
FX(echo4_padded) { echo4(s); s->dlen = 8; s->pad = 18; }
FX(echo6_ok) { echo6(s); }
FX(echo6_to_ll) { echo6(s); memcpy(s->src6, PEER_LL, 16); memcpy(s->dst6, OUR_LL, 16); }
FX(echo4_bad_csum) { echo4(s); s->bad_l4_csum = 1; }
FX(echo4_code1) { echo4(s); s->data[1] = 1; }
FX(echo4_short) { echo4(s); s->dlen = 6; }
FX(icmp4_timestamp) { echo4(s); s->data[0] = 13; }
FX(icmp4_unreach) { echo4(s); s->data[0] = 3; s->data[1] = 3; }
FX(echo6_bad_csum) { echo6(s); s->bad_l4_csum = 1; }
FX(echo6_code1) { echo6(s); s->data[1] = 1; }
FX(icmp6_short) { echo6(s); s->dlen = 3; }
FX(icmp6_ra)
{
	echo6(s);
	memcpy(s->src6, PEER_LL, 16);
	memcpy(s->dst6, OUR_LL, 16);
	s->hlim = 255;
	memset(s->data, 0, 16);
	s->data[0] = 134;
	s->dlen = 16;
}
FX(icmp6_ra_all_nodes)
{
	icmp6_ra(s);
	memcpy(s->dmac, MAC_ALL_NODES, 6);
	memcpy(s->dst6, ALL_NODES, 16);
}
FX(mld_query)
{
	echo6(s);
	memcpy(s->src6, PEER_LL, 16);
	memcpy(s->dmac, MAC_ALL_NODES, 6);
	memcpy(s->dst6, ALL_NODES, 16);
	s->hlim = 1;
	memset(s->data, 0, 24);
	s->data[0] = 130;
	s->dlen = 24;
}
FX(icmp6_unreach) { echo6(s); s->data[0] = 1; s->data[1] = 4; }
FX(ns_mcast_ok) { ns_mcast(s); }
FX(ns_second_addr)
{
	ns_mcast(s);
	memcpy(s->dmac, MAC_SN_OUR6B, 6);
	memcpy(s->dst6, SN_OUR6B, 16);
	memcpy(s->data + 8, OUR6B, 16);
}
FX(ns_for_ll)
{
	ns_mcast(s);
	memcpy(s->src6, PEER_LL, 16);
	memcpy(s->dmac, MAC_SN_OUR_LL, 6);
	memcpy(s->dst6, SN_OUR_LL, 16);
	memcpy(s->data + 8, OUR_LL, 16);
}
FX(ns_unicast_ok) { ns_unicast(s); }
FX(ns_solicited_on_our_mac) { ns_mcast(s); memcpy(s->dmac, OUR_MAC, 6); }
FX(ns_dad_ok) { ns_dad(s); }
FX(ns_unicast_no_slla_tight) { ns_unicast(s); s->dlen = 24; }
FX(ns_dad_tight) { ns_dad(s); }
FX(ns_unknown_option)
{
	ns_mcast(s);
	/* a nonce option (RFC 3971 5.3.2, type 14) before the SLLA */
	memmove(s->data + 32, s->data + 24, 8);
	s->data[24] = 14;
	s->data[25] = 1;
	memset(s->data + 26, 0x77, 6);
	s->dlen = 40;
}
FX(ns_hop64) { ns_mcast(s); s->hlim = 64; }
FX(ns_code1) { ns_mcast(s); s->data[1] = 1; }
FX(ns_short) { ns_unicast(s); s->dlen = 20; }
FX(ns_target_mcast) { ns_unicast(s); memcpy(s->data + 8, ALL_NODES, 16); }
FX(ns_opt_len0) { ns_mcast(s); s->data[25] = 0; }
FX(ns_opt_overrun) { ns_mcast(s); s->data[25] = 2; }
FX(ns_dad_with_slla) { ns_dad(s); s->dlen = nd_body(s->data, 135, 0, OUR6, 1, PEER_MAC); }
FX(ns_dad_to_unicast) { ns_dad(s); memcpy(s->dmac, OUR_MAC, 6); memcpy(s->dst6, OUR6, 16); }
FX(ns_other_target) { ns_unicast(s); memcpy(s->data + 8, OTHER6, 16); }
FX(ns_other_target_same_group) { ns_mcast(s); memcpy(s->data + 8, OTHER6_SAME_SN, 16); }
FX(na_ok) { na_to_us(s); }
FX(na_to_ll) { na_to_us(s); memcpy(s->src6, PEER_LL, 16); memcpy(s->dst6, OUR_LL, 16); memcpy(s->data + 8, PEER_LL, 16); }
FX(na_no_tlla) { na_to_us(s); s->dlen = 24; }
FX(na_for_our_addr) { na_to_us(s); memcpy(s->data + 8, OUR6, 16); }
FX(na_unsolicited)
{
	na_to_us(s);
	memcpy(s->dmac, MAC_ALL_NODES, 6);
	memcpy(s->dst6, ALL_NODES, 16);
	s->dlen = nd_body(s->data, 136, INET_ND_NA_OVERRIDE, PEER6, 2, PEER_MAC);
}
FX(na_unsolicited_s) { na_unsolicited(s); put32(s->data + 4, INET_ND_NA_SOLICITED); }
FX(na_hop64) { na_to_us(s); s->hlim = 64; }
FX(na_target_mcast) { na_to_us(s); memcpy(s->data + 8, ALL_NODES, 16); }
FX(na_opt_len0) { na_to_us(s); s->data[25] = 0; }

#define REPLY PKTPROC_REPLY
#define DROP PKTPROC_DROP
#define PUNT PKTPROC_PUNT

/* Defined with the policy tests below. */
static void check_kod_deny(const struct run *r);

static const struct fixture fixtures[] = {
	/* NTP answered */
	{ "NTPv1 client request over IPv4", ntp4_v1, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv2 client request over IPv4", ntp4_v2, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv3 client request over IPv4", ntp4_v3, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv4 client request over IPv4", ntp4_v4, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv1 client request over IPv6", ntp6_v1, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv2 client request over IPv6", ntp6_v2, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv3 client request over IPv6", ntp6_v3, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTPv4 client request over IPv6", ntp6_v4, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP to the port's second IPv4 address", ntp4_second_addr, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP to the port's second IPv6 address", ntp6_second_addr, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP link-local to link-local", ntp6_to_ll, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP over IPv4 with Ethernet padding", ntp4_padded, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP over IPv6 with Ethernet padding", ntp6_padded, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP over IPv4 without UDP checksum", ntp4_no_udp_csum, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP poll value copied", ntp4_poll_17, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "UDP length below IP payload: datagram trimmed", ntp4_udp_shorter_than_ip, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP reply with cap == len", ntp4_tight, REPLY, C(ntp_replies), check_ntp, F_TIGHT },
	{ "NTP 52 bytes (crypto-NAK key id): not a MAC", ntp4_keyid_only, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP 68 bytes (key id + MD5), no keys", ntp4_md5_mac, DROP, C(drop_auth_unknown_key), NULL, 0 },
	{ "NTP 72 bytes (key id + SHA-1), no keys, crypto-NAK", ntp4_sha1_mac, REPLY, C(crypto_nak_unknown_key), check_nak, F_NAK },
	{ "MD5-authenticated request", ntp4_auth_md5, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "SHA1-authenticated request", ntp4_auth_sha1, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "AES128-CMAC-authenticated request", ntp4_auth_aes128, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "AES256-CMAC-authenticated request over IPv6", ntp6_auth_aes256, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "SHA512-authenticated request (digest cut to 20)", ntp4_auth_sha512, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "NTPv3 MD5-authenticated request", ntp4_auth_v3, REPLY, C(ntp_replies), check_auth, F_KEYS | F_MSSNTP },
	{ "authenticated request with an extension field", ntp4_auth_ext, REPLY, C(ntp_replies), check_auth, F_KEYS },
	{ "MAC that does not verify, crypto-NAK", ntp4_auth_bad, REPLY, C(crypto_nak_bad_mac), check_nak, F_KEYS | F_NAK },
	{ "MAC that does not verify, dropped", ntp4_auth_bad, DROP, C(drop_auth_bad_mac), NULL, F_KEYS },
	{ "IPv6 request altered after signing, crypto-NAK", ntp6_auth_bad, REPLY, C(crypto_nak_bad_mac), check_nak, F_KEYS | F_NAK },
	{ "digest length wrong for the key", ntp4_auth_wrong_len, DROP, C(drop_auth_bad_mac), NULL, F_KEYS },
	{ "MAC under a key we do not have, crypto-NAK", ntp4_auth_unknown, REPLY, C(crypto_nak_unknown_key), check_nak, F_KEYS | F_NAK },
	{ "MAC under a key we do not have, dropped", ntp4_auth_unknown, DROP, C(drop_auth_unknown_key), NULL, F_KEYS },
	{ "authenticated request from a denied client, KoD DENY", ntp4_auth_md5, REPLY, C(kod_deny_sent), check_kod_deny, F_KEYS | F_DENY | F_KOD_DENY },
	{ "MS-SNTP request punted for signing", ntp4_mssntp, PUNT, C(mssntp_punted), check_punt, F_MSSNTP },
	{ "MS-SNTP request over IPv6 punted", ntp6_mssntp, PUNT, C(mssntp_punted), check_punt, F_MSSNTP },
	{ "MS-SNTP request, signing off", ntp4_mssntp, DROP, C(drop_mssntp_off), NULL, 0 },
	{ "MS-SNTP from a denied client: no KoD", ntp4_mssntp, DROP, C(drop_acl_deny), NULL, F_MSSNTP | F_DENY | F_KOD_DENY },
	{ "MS-SNTP extended 120-byte request", ntp4_mssntp_ext, DROP, C(drop_mssntp_extended), NULL, F_MSSNTP },
	{ "68-byte NTPv4 request with a key id, zero MAC: not MS-SNTP", ntp4_mssntp_v4, DROP, C(drop_auth_unknown_key), NULL, F_MSSNTP },
	{ "68-byte NTPv3 request with key id 0: not MS-SNTP", ntp4_mssntp_key0, DROP, C(drop_auth_unknown_key), NULL, F_MSSNTP },
	{ "68-byte NTPv3 request with a MAC set: not MS-SNTP", ntp4_mssntp_macset, REPLY, C(crypto_nak_unknown_key), check_nak, F_MSSNTP | F_KEYS | F_NAK },
	{ "NTP with one extension field", ntp6_ext_one, REPLY, C(ntp_replies), check_ntp, 0 },
	{ "NTP with two extension fields and a MAC", ntp4_ext_chain_mac, DROP, C(drop_auth_unknown_key), NULL, F_KEYS },
	/* NTP punted */
	{ "NTP mode 1 punted", punt_mode1, PUNT, C(punted), check_punt, 0 },
	{ "NTP mode 2 punted", punt_mode2, PUNT, C(punted), check_punt, 0 },
	{ "NTP mode 4 (upstream reply) punted", punt_mode4, PUNT, C(punted), check_punt, 0 },
	{ "NTP mode 4 over IPv6 punted", punt_mode4_v6, PUNT, C(punted), check_punt, 0 },
	/* NTP dropped */
	{ "NTP payload 47 bytes", ntp_47, DROP, C(drop_ntp_short), NULL, 0 },
	{ "UDP to 123 without payload", ntp_empty, DROP, C(drop_ntp_short), NULL, 0 },
	{ "NTP version 0", ntp_v0, DROP, C(drop_ntp_version), NULL, 0 },
	{ "NTP version 5", ntp_v5, DROP, C(drop_ntp_version), NULL, 0 },
	{ "NTP version 7", ntp_v7, DROP, C(drop_ntp_version), NULL, 0 },
	{ "NTP mode 6 (control)", ntp_mode6, DROP, C(drop_ntp_mode_control), NULL, 0 },
	{ "NTP mode 7 (private, monlist)", ntp_mode7, DROP, C(drop_ntp_mode_private), NULL, 0 },
	{ "NTP mode 6, 12 bytes as ntpq sends", ntp_mode6_ntpq, DROP, C(drop_ntp_mode_control), NULL, 0 },
	{ "NTP request from a denied client", ntp4_v4, DROP, C(drop_acl_deny), NULL, F_DENY },
	{ "NTPv3 IPv6 request from a denied client", ntp6_v3, DROP, C(drop_acl_deny), NULL, F_DENY },
	{ "NTP request from a denied client, KoD DENY", ntp4_v2, REPLY, C(kod_deny_sent), check_kod_deny, F_DENY | F_KOD_DENY },
	{ "NTP IPv6 request from a denied client, KoD DENY", ntp6_v4, REPLY, C(kod_deny_sent), check_kod_deny, F_DENY | F_KOD_DENY },
	{ "NTP request over the rate limit", ntp4_v4, DROP, C(drop_ratelimit), NULL, F_LIMITED },
	{ "NTP IPv6 request over the rate limit", ntp6_v4, DROP, C(drop_ratelimit), NULL, F_LIMITED },
	{ "mode 6 from a denied client is still counted as mode 6", ntp_mode6, DROP, C(drop_ntp_mode_control), NULL, F_DENY },
	{ "NTP mode 7, 8 bytes over IPv6", ntp_mode7_short, DROP, C(drop_ntp_mode_private), NULL, 0 },
	{ "NTP mode 0", ntp_mode0, DROP, C(drop_ntp_mode_other), NULL, 0 },
	{ "NTP mode 5 (broadcast)", ntp_mode5, DROP, C(drop_ntp_mode_other), NULL, 0 },
	{ "extension field shorter than 16", ext_short_field, DROP, C(drop_ntp_ext), NULL, 0 },
	{ "extension field length not a multiple of 4", ext_odd_len, DROP, C(drop_ntp_ext), NULL, 0 },
	{ "extension field longer than the datagram", ext_overlong, DROP, C(drop_ntp_ext), NULL, 0 },
	{ "8 stray bytes after the header", ext_garbage_tail, DROP, C(drop_ntp_ext), NULL, 0 },
	{ "12 stray bytes after an extension field", ext_then_garbage, DROP, C(drop_ntp_ext), NULL, 0 },
	/* Ethernet */
	{ "10-byte frame", runt_eth, DROP, C(drop_runt), NULL, 0 },
	{ "IPv4 header cut", runt_ip4, DROP, C(drop_runt), NULL, 0 },
	{ "IPv6 header cut", runt_ip6, DROP, C(drop_runt), NULL, 0 },
	{ "ARP body cut", runt_arp, DROP, C(drop_runt), NULL, 0 },
	{ "802.1Q tagged frame", vlan_tagged, DROP, C(drop_ethertype), NULL, 0 },
	{ "LLDP to our MAC", lldp_to_us, DROP, C(drop_ethertype), NULL, 0 },
	{ "another host's MAC", other_unicast_mac, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "IPv4 to broadcast MAC", bcast_ip4, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "IPv4 to a 33:33 MAC", mcast_mac_ip4, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "ARP to a 33:33 MAC", mcast_mac_arp, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "IPv6 to broadcast MAC", bcast_ip6, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "our IPv6 unicast on a 33:33 MAC", mcast_mac_to_unicast6, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "NS on a group MAC that is not its group's", ns_wrong_group_mac, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "group source MAC", group_src_mac, DROP, C(drop_bad_src), NULL, 0 },
	/* IPv4 */
	{ "IPv4 ethertype, version 6", ip4_wrong_version, DROP, C(drop_ip_version), NULL, 0 },
	{ "IPv4 IHL 4", ip4_ihl4, DROP, C(drop_ipv4_ihl), NULL, 0 },
	{ "IPv4 with options", ip4_options, DROP, C(drop_ipv4_options), NULL, 0 },
	{ "IPv4 total length beyond the frame", ip4_len_long, DROP, C(drop_ipv4_len), NULL, 0 },
	{ "IPv4 total length below the header", ip4_len_short, DROP, C(drop_ipv4_len), NULL, 0 },
	{ "IPv4 header checksum wrong", ip4_bad_csum, DROP, C(drop_ipv4_csum), NULL, 0 },
	{ "IPv4 first fragment (MF)", ip4_mf, DROP, C(drop_ipv4_fragment), NULL, 0 },
	{ "IPv4 later fragment (offset)", ip4_offset, DROP, C(drop_ipv4_fragment), NULL, 0 },
	{ "IPv4 to another address", ip4_not_ours, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "IPv4 to limited broadcast", ip4_dst_bcast, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "IPv4 from 0.0.0.0", src4_zero, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv4 from 127.0.0.1", src4_loopback, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv4 from 224.0.1.1", src4_multicast, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv4 from 255.255.255.255", src4_bcast, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv4 from 240/4", src4_class_e, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv4 TCP", ip4_tcp, DROP, C(drop_l4_proto), NULL, 0 },
	/* IPv6 */
	{ "IPv6 ethertype, version 4", ip6_wrong_version, DROP, C(drop_ip_version), NULL, 0 },
	{ "IPv6 payload length beyond the frame", ip6_len_long, DROP, C(drop_ipv6_len), NULL, 0 },
	{ "IPv6 hop-by-hop header", ip6_hop_by_hop, DROP, C(drop_ipv6_ext), NULL, 0 },
	{ "IPv6 fragment header", ip6_fragment_hdr, DROP, C(drop_ipv6_ext), NULL, 0 },
	{ "IPv6 TCP", ip6_tcp, DROP, C(drop_l4_proto), NULL, 0 },
	{ "IPv6 no next header", ip6_no_next, DROP, C(drop_l4_proto), NULL, 0 },
	{ "IPv6 to another address", ip6_not_ours, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "ICMPv6 echo to all-nodes not answered", echo6_all_nodes, DROP, C(drop_icmp_type), NULL, 0 },
	{ "ICMPv6 echo to all-nodes on our MAC", echo6_all_nodes_our_mac, DROP, C(drop_icmp_type), NULL, 0 },
	{ "all-nodes on a group MAC that is not its own", all_nodes_wrong_mac, DROP, C(drop_not_our_mac), NULL, 0 },
	{ "NTP to all-nodes", ntp6_all_nodes, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "ICMPv6 to all-routers", echo6_all_routers, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "NS to another host's solicited-node group", ns_other_group, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "NTP to our solicited-node group", ntp6_to_solicited, DROP, C(drop_not_our_ip), NULL, 0 },
	{ "IPv6 from ff02::1", src6_multicast, DROP, C(drop_bad_src), NULL, 0 },
	{ "IPv6 from ::1", src6_loopback, DROP, C(drop_bad_src), NULL, 0 },
	{ "NTP from ::", src6_unspec_udp, DROP, C(drop_bad_src), NULL, 0 },
	{ "echo from ::", src6_unspec_echo, DROP, C(drop_bad_src), NULL, 0 },
	/* UDP */
	{ "UDP length beyond IPv4 payload", udp_len_long, DROP, C(drop_udp_len), NULL, 0 },
	{ "UDP length below 8", udp_len_below_8, DROP, C(drop_udp_len), NULL, 0 },
	{ "IPv4 payload too short for UDP", udp_hdr_cut, DROP, C(drop_udp_len), NULL, 0 },
	{ "UDP length beyond IPv6 payload", udp6_len_long, DROP, C(drop_udp_len), NULL, 0 },
	{ "UDP checksum wrong (IPv4)", udp4_bad_csum, DROP, C(drop_udp_csum), NULL, 0 },
	{ "UDP checksum wrong (IPv6)", udp6_bad_csum, DROP, C(drop_udp_csum), NULL, 0 },
	{ "UDP checksum 0 over IPv6", udp6_zero_csum, DROP, C(drop_udp_csum), NULL, 0 },
	{ "UDP to port 124", udp_port_124, DROP, C(drop_udp_port), NULL, 0 },
	{ "UDP to port 53 over IPv6", udp6_port_53, DROP, C(drop_udp_port), NULL, 0 },
	{ "UDP from port 0", udp_sport_0, DROP, C(drop_udp_src_port), NULL, 0 },
	/* ARP */
	{ "ARP request for us (broadcast)", arp_req, REPLY, C(arp_replies), check_arp_reply, 0 },
	{ "ARP request for our second address (unicast)", arp_unicast_req, REPLY, C(arp_replies), check_arp_reply, 0 },
	{ "ARP probe from 0.0.0.0 answered", arp_probe, REPLY, C(arp_replies), check_arp_reply, 0 },
	{ "ARP reply to us learned", arp_reply_to_us, DROP, C(arp_learned), check_arp_learned, 0 },
	{ "ARP reply claiming our address", arp_reply_claims_ours, DROP, C(drop_arp_other), NULL, 0 },
	{ "ARP request from 127.0.0.1", arp_loopback_sender, DROP, C(drop_bad_src), NULL, 0 },
	{ "ARP hardware type 6", arp_htype, DROP, C(drop_arp_bad), NULL, 0 },
	{ "ARP protocol type IPv6", arp_ptype, DROP, C(drop_arp_bad), NULL, 0 },
	{ "ARP protocol length 16", arp_plen, DROP, C(drop_arp_bad), NULL, 0 },
	{ "ARP with a group sender MAC", arp_group_sha, DROP, C(drop_arp_bad), NULL, 0 },
	{ "ARP for another host", arp_other_target, DROP, C(drop_arp_other), NULL, 0 },
	{ "RARP operation", arp_rarp_op, DROP, C(drop_arp_other), NULL, 0 },
	/* ICMP */
	{ "ICMP echo request", echo4_ok, REPLY, C(icmp_echo_replies), check_echo_reply, 0 },
	{ "ICMP echo request, padded frame", echo4_padded, REPLY, C(icmp_echo_replies), check_echo_reply, 0 },
	{ "ICMP checksum wrong", echo4_bad_csum, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMP echo code 1", echo4_code1, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMP shorter than 8 bytes", echo4_short, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMP timestamp request", icmp4_timestamp, DROP, C(drop_icmp_type), NULL, 0 },
	{ "ICMP port unreachable", icmp4_unreach, DROP, C(drop_icmp_type), NULL, 0 },
	{ "ICMPv6 echo request", echo6_ok, REPLY, C(icmp_echo_replies), check_echo_reply, 0 },
	{ "ICMPv6 echo to our link-local", echo6_to_ll, REPLY, C(icmp_echo_replies), check_echo_reply, 0 },
	{ "ICMPv6 checksum wrong", echo6_bad_csum, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMPv6 echo code 1", echo6_code1, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMPv6 shorter than 4 bytes", icmp6_short, DROP, C(drop_icmp_bad), NULL, 0 },
	{ "ICMPv6 router advertisement (unicast)", icmp6_ra, DROP, C(drop_icmp_type), NULL, 0 },
	{ "ICMPv6 router advertisement to all-nodes", icmp6_ra_all_nodes, DROP, C(drop_icmp_type), NULL, 0 },
	{ "MLD query to all-nodes", mld_query, DROP, C(drop_icmp_type), NULL, 0 },
	{ "ICMPv6 destination unreachable", icmp6_unreach, DROP, C(drop_icmp_type), NULL, 0 },
	/* Neighbour discovery */
	{ "NS to our solicited-node group", ns_mcast_ok, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "NS for our second address", ns_second_addr, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "NS for our link-local", ns_for_ll, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "NS unicast (reachability probe)", ns_unicast_ok, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "NS to solicited-node on our unicast MAC", ns_solicited_on_our_mac, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "NS with an unknown option", ns_unknown_option, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "DAD NS: NA to all-nodes, S=0", ns_dad_ok, REPLY, C(nd_adverts), check_na_tlla, 0 },
	{ "unicast NS, no room for TLLA: NA without it", ns_unicast_no_slla_tight, REPLY, C(nd_adverts), check_na_no_tlla, F_TIGHT },
	{ "DAD NS, no room for TLLA", ns_dad_tight, DROP, C(drop_runt), NULL, F_TIGHT },
	{ "NS hop limit 64", ns_hop64, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS code 1", ns_code1, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS shorter than 24 bytes", ns_short, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS for a multicast target", ns_target_mcast, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS option of length 0", ns_opt_len0, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS option past the end", ns_opt_overrun, DROP, C(drop_nd_bad), NULL, 0 },
	{ "DAD NS with a source link-layer option", ns_dad_with_slla, DROP, C(drop_nd_bad), NULL, 0 },
	{ "DAD NS to a unicast address", ns_dad_to_unicast, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NS for another target", ns_other_target, DROP, C(drop_nd_other), NULL, 0 },
	{ "NS for another target in our group", ns_other_target_same_group, DROP, C(drop_nd_other), NULL, 0 },
	{ "NA to us learned", na_ok, DROP, C(nd_learned), check_nd_learned, 0 },
	{ "NA link-local learned", na_to_ll, DROP, C(nd_learned), check_nd_learned, 0 },
	{ "NA without TLLA", na_no_tlla, DROP, C(drop_nd_other), NULL, 0 },
	{ "unsolicited NA updates a known neighbour", na_unsolicited, DROP, C(nd_learned), check_nd_learned, F_KNOWN_PEER },
	{ "unsolicited NA for an unknown neighbour", na_unsolicited, DROP, C(drop_nd_other), check_nothing_learned, 0 },
	{ "NA to all-nodes with S=1", na_unsolicited_s, DROP, C(drop_nd_bad), NULL, F_KNOWN_PEER },
	{ "NA for our own address", na_for_our_addr, DROP, C(drop_nd_other), NULL, 0 },
	{ "NA hop limit 64", na_hop64, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NA for a multicast target", na_target_mcast, DROP, C(drop_nd_bad), NULL, 0 },
	{ "NA option of length 0", na_opt_len0, DROP, C(drop_nd_bad), NULL, 0 },
};

#define N_FIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

static int is_reply_ctr(unsigned int c)
{
	return c == C(ntp_replies) || c == C(arp_replies) || c == C(nd_adverts) ||
	       c == C(icmp_echo_replies);
}

START_TEST(test_golden)
{
	const struct fixture *fx = &fixtures[_i];
	static struct run r;
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .neigh = &g_neigh,
				   .now_tsc = 5000 };
	uint8_t *mem;

	setup_port();
	neigh_init(&g_neigh, 1000);
	memset(&r, 0, sizeof(r));
	fx->make(&r.req);
	r.inlen = build(&r.req, r.in);
	r.cap = (fx->flags & F_TIGHT) ? r.inlen : (uint16_t)(r.inlen + 64);
	if (fx->flags & F_KNOWN_PEER)
		neigh_learn(&g_neigh, 6, PEER6, OTHER_MAC, 4000);
	struct acl *acl = NULL;
	struct clientlog *clog = NULL;
	if (fx->flags & F_DENY)
		ctx.acl = acl = deny_all_acl();
	ctx.kod_deny = (fx->flags & F_KOD_DENY) != 0;
	ctx.mssntp = (fx->flags & F_MSSNTP) != 0;
	ctx.crypto_nak = (fx->flags & F_NAK) != 0;
	if (fx->flags & F_KEYS)
		ctx.keys = test_keytab();
	if (fx->flags & F_LIMITED) {
		uint8_t first[FRAME_MAX];

		ctx.clog = clog = new_clientlog();
		ctx.rl = &strict_rl;
		memcpy(first, r.in, r.inlen);
		ck_assert_uint_eq(pktproc_handle(&ctx, first, r.inlen, r.inlen, RX_TS).ctr, C(ntp_replies));
	}
	mem = malloc((size_t)r.cap + CANARY_LEN);
	ck_assert_ptr_nonnull(mem);
	memcpy(mem, r.in, r.inlen);
	memset(mem + r.inlen, CANARY_BYTE, (size_t)r.cap - r.inlen + CANARY_LEN);
	r.out = mem;

	r.v = pktproc_handle(&ctx, mem, r.inlen, r.cap, RX_TS);
	ck_assert_msg(r.v.action == fx->action && r.v.ctr == fx->ctr,
		      "%s: got action %u ctr %s, want action %u ctr %s", fx->desc, r.v.action,
		      ctr_name(r.v.ctr), fx->action, ctr_name(fx->ctr));
	for (int i = 0; i < CANARY_LEN; i++)
		ck_assert_msg(mem[r.cap + i] == CANARY_BYTE, "%s: wrote past cap", fx->desc);
	ck_assert_uint_le(r.v.len, r.cap);
	if (r.v.action != PKTPROC_REPLY) {
		/* drops and punts leave the frame as it came */
		ck_assert_msg(memcmp(mem, r.in, r.inlen) == 0, "%s: frame modified", fx->desc);
		ck_assert_uint_eq(r.v.ntp_off, 0);
	}
	if (r.v.ntp_off)
		pktproc_stamp_tx(mem, &r.v, TX_TS);
	if (fx->check)
		fx->check(&r);
	free(mem);
	acl_free(acl);
	free(clog);
}
END_TEST

/* A KoD (RFC 5905 7.4): leap 3, stratum 0, the kiss code as reference id,
 * no clock revealed (receive and transmit repeat the client's transmit),
 * 48 bytes, checksums right, never longer than the request. */
static void check_kod(const struct run *r, const char *code)
{
	int v6 = r->req.l3 == L3_IP6;
	const uint8_t *q = r->out + (v6 ? 62 : 42);
	const uint8_t *req = r->req.data;

	ck_assert_uint_eq(r->v.len, (v6 ? 62 : 42) + 48);
	ck_assert_uint_le(r->v.len, r->inlen);
	ck_assert_uint_eq(r->v.ntp_off, 0); /* nothing left to stamp */
	ck_assert_uint_eq(q[0], (uint8_t)(3 << 6 | (req[0] & 0x38) | 4));
	ck_assert_uint_eq(q[1], 0);
	ck_assert_int_eq(memcmp(q + 12, code, 4), 0);
	ck_assert_int_eq(memcmp(q + 24, req + 40, 8), 0);
	ck_assert_int_eq(memcmp(q + 32, req + 40, 8), 0);
	ck_assert_int_eq(memcmp(q + 40, req + 40, 8), 0);
	ck_assert_int_eq(memcmp(r->out, r->req.smac, 6), 0);
	if (v6)
		verify_ip6_reply_csums(r->out, r->v.len);
	else
		verify_ip4_reply_csums(r->out, r->v.len);
}

static void check_kod_deny(const struct run *r)
{
	check_kod(r, "DENY");
}

/* Run one request through ctx; the frame is built fresh each time. */
static void run_once(struct pktproc_ctx *ctx, void (*make)(struct spec *), struct run *r)
{
	memset(r, 0, sizeof(*r));
	make(&r->req);
	r->inlen = build(&r->req, r->in);
	r->cap = (uint16_t)(r->inlen + 64);
	r->out = malloc(r->cap);
	ck_assert_ptr_nonnull(r->out);
	memcpy(r->out, r->in, r->inlen);
	r->v = pktproc_handle(ctx, r->out, r->inlen, r->cap, RX_TS);
}


START_TEST(test_policy_kod_deny)
{
	struct pktproc_ctx ctx = {.port = &g_port, .server = &g_server, .now_tsc = 5000};
	struct run r;

	setup_port();
	ctx.acl = deny_all_acl();
	ctx.kod_deny = 1;
	run_once(&ctx, ntp4_ext_chain_mac, &r);
	ck_assert_uint_eq(r.v.action, PKTPROC_REPLY);
	ck_assert_uint_eq(r.v.ctr, C(kod_deny_sent));
	ck_assert_uint_lt(r.v.len, r.inlen); /* extension fields not echoed */
	check_kod(&r, "DENY");
	free(r.out);
	acl_free((struct acl *)ctx.acl);
}
END_TEST

/* Over the limit with kod 1 and no leak: about half get KoD RATE, the rest
 * are dropped, and every KoD is well formed. */
/* Over the limit, a signed-time request is dropped: never a KoD (a Windows
 * client rejects anything unsigned) and never a leaked unsigned reply; a
 * leak sends it on for signing instead. */
START_TEST(test_policy_mssntp_ratelimit)
{
	struct pktproc_ctx ctx = {.port = &g_port, .server = &g_server, .now_tsc = 5000, .mssntp = 1};
	struct clientlog_params rl = strict_rl;
	struct run r;
	unsigned int punted = 0, dropped = 0;

	setup_port();
	rl.kod = 1;
	rl.leak = 2;
	ctx.clog = new_clientlog();
	ctx.rl = &rl;
	for (int i = 0; i < 400; i++) {
		ctx.now_tsc += 1000;
		run_once(&ctx, ntp4_mssntp, &r);
		ck_assert_uint_ne(r.v.action, PKTPROC_REPLY);
		if (r.v.ctr == C(mssntp_punted)) {
			ck_assert_mem_eq(r.out, r.in, r.inlen);
			punted++;
		} else {
			ck_assert_uint_eq(r.v.ctr, C(drop_ratelimit));
			dropped++;
		}
		free(r.out);
	}
	/* the first request, then about 1 in 4 leaked (leak 2) */
	ck_assert_msg(punted > 60 && punted < 150, "punted %u of 400", punted);
	ck_assert_uint_eq(punted + dropped, 400);
	free(ctx.clog);
}
END_TEST

START_TEST(test_policy_kod_rate)
{
	struct pktproc_ctx ctx = {.port = &g_port, .server = &g_server, .now_tsc = 5000};
	struct clientlog_params rl = strict_rl;
	struct run r;
	unsigned int kod = 0, dropped = 0;

	setup_port();
	rl.kod = 1;
	ctx.clog = new_clientlog();
	ctx.rl = &rl;
	run_once(&ctx, ntp6_v4, &r);
	ck_assert_uint_eq(r.v.ctr, C(ntp_replies));
	free(r.out);
	for (int i = 0; i < 400; i++) {
		ctx.now_tsc += 1000;
		run_once(&ctx, ntp6_v4, &r);
		if (r.v.ctr == C(kod_rate_sent)) {
			check_kod(&r, "RATE");
			kod++;
		} else {
			ck_assert_uint_eq(r.v.ctr, C(drop_ratelimit));
			ck_assert_uint_eq(r.v.action, PKTPROC_DROP);
			dropped++;
		}
		free(r.out);
	}
	ck_assert_msg(kod > 140 && kod < 260, "kod %u of 400", kod);
	ck_assert_uint_eq(kod + dropped, 400);
	free(ctx.clog);
}
END_TEST

/* Leak 1: about half of the limited requests are answered normally. */
START_TEST(test_policy_leak)
{
	struct pktproc_ctx ctx = {.port = &g_port, .server = &g_server, .now_tsc = 5000};
	struct clientlog_params rl = strict_rl;
	struct run r;
	unsigned int leaked = 0;

	setup_port();
	rl.leak = 1;
	ctx.clog = new_clientlog();
	ctx.rl = &rl;
	for (int i = 0; i < 401; i++) {
		ctx.now_tsc += 1000;
		run_once(&ctx, ntp4_v4, &r);
		if (i == 0)
			ck_assert_uint_eq(r.v.ctr, C(ntp_replies));
		else if (r.v.ctr == C(ntp_replies_leaked)) {
			pktproc_stamp_tx(r.out, &r.v, TX_TS);
			check_ntp(&r);
			leaked++;
		} else
			ck_assert_uint_eq(r.v.ctr, C(drop_ratelimit));
		free(r.out);
	}
	ck_assert_msg(leaked > 140 && leaked < 260, "leaked %u of 400", leaked);
	free(ctx.clog);
}
END_TEST

/* The client log counts what the dataplane decided. */
START_TEST(test_policy_clientlog_counts)
{
	struct pktproc_ctx ctx = {.port = &g_port, .server = &g_server, .now_tsc = 5000};
	struct clientlog_entry e;
	struct run r;
	int found = 0;

	setup_port();
	ctx.clog = new_clientlog();
	ctx.rl = &strict_rl;
	for (int i = 0; i < 5; i++) {
		ctx.now_tsc += 1000000;
		run_once(&ctx, ntp4_v4, &r);
		free(r.out);
	}
	for (uint32_t i = 0; i < ctx.clog->n_entries; i++) {
		if (!clientlog_read(ctx.clog, i, &e))
			continue;
		found++;
		ck_assert_uint_eq(e.family, 4);
		ck_assert_uint_eq(e.hits, 5);
		ck_assert_uint_eq(e.limited, 4);
		ck_assert_int_eq(memcmp(e.addr, r.req.src4, 4), 0);
	}
	ck_assert_int_eq(found, 1);
	free(ctx.clog);
}
END_TEST

/* Every drop reason pktproc can give has a fixture. */
START_TEST(test_golden_covers_drops)
{
	static const struct {
		unsigned int id;
		const char *kind;
	} all[] = {
#define CTR_KIND(name, kind, help) { LT_CTR_##name, #kind },
		LT_COUNTER_LIST(CTR_KIND)
#undef CTR_KIND
	};
	/* counted by the poll loop, not pktproc: TX queue, punt ring, inject
	 * path, multi-segment mbufs */
	static const unsigned int not_pktproc[] = { C(drop_tx_full), C(drop_punt_full),
						    C(drop_inject_bad), C(drop_inject_no_neigh),
						    C(drop_multiseg) };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int skip = strcmp(all[i].kind, "drop") != 0, found = 0;

		for (size_t j = 0; j < sizeof(not_pktproc) / sizeof(not_pktproc[0]); j++)
			skip |= all[i].id == not_pktproc[j];
		if (skip)
			continue;
		for (int k = 0; k < N_FIXTURES; k++)
			found |= fixtures[k].ctr == all[i].id;
		ck_assert_msg(found, "no golden fixture for %s", ctr_name(all[i].id));
	}
}
END_TEST

START_TEST(test_linklocal)
{
	uint8_t ll[16];

	pktproc_ip6_linklocal(OUR_MAC, ll);
	ck_assert_mem_eq(ll, OUR_LL, 16);
	pktproc_ip6_linklocal(PEER_MAC, ll);
	ck_assert_mem_eq(ll, PEER_LL, 16);
}
END_TEST

/* The neighbour table is optional: replies go out the same without it. */
START_TEST(test_no_neigh_table)
{
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .neigh = NULL };
	struct spec s;
	uint8_t f[FRAME_MAX];
	uint16_t len;
	struct pktproc_verdict v;

	setup_port();
	arp_req(&s);
	len = build(&s, f);
	v = pktproc_handle(&ctx, f, len, sizeof(f), RX_TS);
	ck_assert_uint_eq(v.ctr, C(arp_replies));
	na_to_us(&s);
	len = build(&s, f);
	v = pktproc_handle(&ctx, f, len, sizeof(f), RX_TS);
	ck_assert_uint_eq(v.ctr, C(nd_learned));
	ns_mcast(&s);
	len = build(&s, f);
	v = pktproc_handle(&ctx, f, len, sizeof(f), RX_TS);
	ck_assert_uint_eq(v.ctr, C(nd_adverts));
}
END_TEST

/* A port with fewer addresses, and an unset (zero) link-local, must not
 * match :: or the solicited-node group of the zero address. */
START_TEST(test_unset_addresses)
{
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server };
	struct spec s;
	uint8_t f[FRAME_MAX];
	static const uint8_t sn_zero[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0, 0, 0 };
	static const uint8_t mac_sn_zero[6] = { 0x33, 0x33, 0xff, 0, 0, 0 };
	uint16_t len;

	setup_port();
	g_port.n_ip6 = 0;
	memset(g_port.ip6_ll, 0, 16);
	g_port.n_ip4 = 0;
	ntp6(&s, 4, 3);
	memcpy(s.dst6, UNSPEC6, 16);
	len = build(&s, f);
	ck_assert_uint_eq(pktproc_handle(&ctx, f, len, sizeof(f), RX_TS).ctr, C(drop_not_our_ip));
	ns_mcast(&s);
	memcpy(s.dmac, mac_sn_zero, 6);
	memcpy(s.dst6, sn_zero, 16);
	memcpy(s.data + 8, UNSPEC6, 16);
	len = build(&s, f);
	ck_assert_uint_eq(pktproc_handle(&ctx, f, len, sizeof(f), RX_TS).ctr, C(drop_not_our_ip));
	ntp4(&s, 4, 3);
	len = build(&s, f);
	ck_assert_uint_eq(pktproc_handle(&ctx, f, len, sizeof(f), RX_TS).ctr, C(drop_not_our_ip));
	/* n_ip4 larger than the array is clamped, not read past */
	g_port.n_ip4 = 200;
	g_port.n_ip6 = 200;
	len = build(&s, f);
	ck_assert_uint_eq(pktproc_handle(&ctx, f, len, sizeof(f), RX_TS).ctr, C(ntp_replies));
}
END_TEST

/* stamp_tx rewrites the transmit timestamp and keeps the checksum right
 * when called again (a retransmit after a full TX queue, say). */
START_TEST(test_stamp_tx_twice)
{
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server };
	struct spec s;
	uint8_t f[FRAME_MAX];
	uint16_t len;
	struct pktproc_verdict v;

	setup_port();
	for (int fam = 4; fam <= 6; fam += 2) {
		if (fam == 4)
			ntp4(&s, 4, 3);
		else
			ntp6(&s, 4, 3);
		len = build(&s, f);
		v = pktproc_handle(&ctx, f, len, sizeof(f), RX_TS);
		ck_assert_uint_eq(v.ctr, C(ntp_replies));
		pktproc_stamp_tx(f, &v, 1);
		pktproc_stamp_tx(f, &v, 0xffffffffffffffffULL);
		ck_assert_uint_eq(get64(f + v.ntp_off + 40), 0xffffffffffffffffULL);
		if (fam == 4)
			verify_ip4_reply_csums(f, v.len);
		else
			verify_ip6_reply_csums(f, v.len);
	}
}
END_TEST

/* --- inet helpers ------------------------------------------------------ */

START_TEST(test_inet_rfc1071_example)
{
	/* RFC 1071 1.(3) numerical example: the sum is ddf2. */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(inet_csum(b, 8), (uint16_t)~0xddf2);
	ck_assert_uint_eq(inet_csum_fold(inet_csum_add(inet_csum_add(0, b, 4), b + 4, 4)),
			  (uint16_t)~0xddf2);
	/* odd length: the last byte is padded with zero */
	ck_assert_uint_eq(inet_csum(b, 7), tu_ref_csum(b, 7));
	ck_assert_uint_eq(inet_csum(b, 0), 0xffff);
}
END_TEST

START_TEST(test_inet_random_sums)
{
	uint8_t b[1500];
	uint32_t x = 12345;

	for (int n = 0; n < 1500; n += 37) {
		for (int i = 0; i < n; i++) {
			x = x * 1103515245U + 12345U;
			b[i] = (uint8_t)(x >> 16);
		}
		ck_assert_uint_eq(inet_csum(b, (size_t)n), tu_ref_csum(b, (size_t)n));
	}
	/* all-ones data: the sum that most often trips carry handling */
	memset(b, 0xff, sizeof(b));
	ck_assert_uint_eq(inet_csum(b, sizeof(b)), tu_ref_csum(b, sizeof(b)));
}
END_TEST

START_TEST(test_inet_pseudo)
{
	uint8_t l4[20];
	struct inet_ipv4_hdr ip4;
	struct inet_ipv6_hdr ip6;

	for (int i = 0; i < 20; i++)
		l4[i] = (uint8_t)(0x90 + i);
	memcpy(&ip4.src, PEER4, 4);
	memcpy(&ip4.dst, OUR4, 4);
	memcpy(ip6.src, PEER6, 16);
	memcpy(ip6.dst, OUR6, 16);
	ck_assert_uint_eq(inet_csum_fold(inet_csum_add(inet_pseudo4_sum(ip4.src, ip4.dst, 17, 20), l4, 20)),
			  ref_csum4(PEER4, OUR4, 17, 20, l4, 20));
	ck_assert_uint_eq(inet_csum_fold(inet_csum_add(inet_pseudo6_sum(PEER6, OUR6, 58, 20), l4, 20)),
			  ref_csum6(PEER6, OUR6, 58, 20, l4, 20));
	/* a length above 0xffff (jumbogram) goes into the pseudo-header whole */
	ck_assert_uint_eq(inet_csum_fold(inet_pseudo6_sum(PEER6, OUR6, 17, 0x12345)),
			  ref_csum6(PEER6, OUR6, 17, 0x12345, l4, 0));
	put16(l4 + 6, 0);
	inet_udp4_set_csum(&ip4, (struct inet_udp_hdr *)l4, 20);
	ck_assert(inet_l4_csum4_ok(&ip4, 17, l4, 20));
	inet_udp6_set_csum(&ip6, (struct inet_udp_hdr *)l4, 20);
	ck_assert(inet_l4_csum6_ok(&ip6, 17, l4, 20));
	l4[19] ^= 1;
	ck_assert(!inet_l4_csum6_ok(&ip6, 17, l4, 20));
}
END_TEST

/* A datagram whose checksum computes to 0 is sent as 0xffff (RFC 768). */
START_TEST(test_inet_udp_zero_becomes_ffff)
{
	struct inet_ipv4_hdr ip4;
	uint8_t u[10] = { 0 };
	uint16_t want;

	memcpy(&ip4.src, PEER4, 4);
	memcpy(&ip4.dst, OUR4, 4);
	put16(u + 4, 10);
	/* choose the last two payload bytes so that the sum is 0xffff */
	want = ref_csum4(PEER4, OUR4, 17, 10, u, 10);
	put16(u + 8, want);
	ck_assert_uint_eq(ref_csum4(PEER4, OUR4, 17, 10, u, 10), 0);
	inet_udp4_set_csum(&ip4, (struct inet_udp_hdr *)u, 10);
	ck_assert_uint_eq(tu_get16(u + 6), 0xffff);
	ck_assert(inet_l4_csum4_ok(&ip4, 17, u, 10));
}
END_TEST

START_TEST(test_inet_addresses)
{
	uint8_t sn[16], mac[6];
	static const uint8_t a[4][4] = { { 0, 0, 0, 0 }, { 127, 1, 2, 3 }, { 239, 1, 1, 1 }, { 255, 255, 255, 255 } };
	uint32_t v;

	inet_ip6_solicited_node(OUR6B, sn);
	ck_assert_mem_eq(sn, SN_OUR6B, 16);
	ck_assert(inet_ip6_is_solicited_node(sn));
	ck_assert(!inet_ip6_is_solicited_node(ALL_NODES));
	inet_ip6_mcast_mac(sn, mac);
	ck_assert_mem_eq(mac, MAC_SN_OUR6B, 6);
	ck_assert(inet_ip6_is_linklocal(OUR_LL));
	ck_assert(!inet_ip6_is_linklocal(OUR6));
	ck_assert(inet_ip6_is_unspecified(UNSPEC6));
	ck_assert(inet_ip6_is_loopback(LOOP6));
	ck_assert(inet_ip6_is_multicast(ALL_NODES));
	for (int i = 0; i < 4; i++) {
		memcpy(&v, a[i], 4);
		ck_assert(inet_ip4_is_bad_src(v));
	}
	memcpy(&v, PEER4, 4);
	ck_assert(!inet_ip4_is_bad_src(v));
}
END_TEST

/* --- reference captures ------------------------------------------------ */

struct cap_frame {
	uint8_t b[FRAME_MAX];
	uint16_t len;
};

static int load_capture(const char *name, struct cap_frame *out, int max)
{
	char path[512];
	struct pcap_read r;
	struct pcap_read_frame fr;
	int n = 0, rc;

	snprintf(path, sizeof(path), "%s/%s", test_captures_dir(), name);
	ck_assert_msg(pcap_read_open(&r, path) == 0, "cannot open %s", path);
	ck_assert_uint_eq(r.linktype, PCAP_READ_LINKTYPE_ETHERNET);
	while ((rc = pcap_read_next(&r, out[n].b, sizeof(out[n].b), &fr)) == 1) {
		ck_assert_uint_eq(fr.caplen, fr.origlen);
		out[n].len = (uint16_t)fr.caplen;
		if (++n == max)
			break;
	}
	ck_assert_int_ge(rc, 0);
	pcap_read_close(&r);
	return n;
}

/* Offsets of the UDP header and payload in a captured Ethernet frame. */
static int udp_offsets(const uint8_t *f, uint16_t len, uint16_t *l4, int *v6)
{
	uint16_t type = tu_get16(f + 12);

	if (type == 0x0800 && len >= 34 + 8 && f[23] == 17) {
		*l4 = (uint16_t)(14 + (f[14] & 0x0f) * 4);
		*v6 = 0;
		return 0;
	}
	if (type == 0x86dd && len >= 54 + 8 && f[20] == 17) {
		*l4 = 54;
		*v6 = 1;
		return 0;
	}
	return -1;
}

/*
 * The captures were taken on a veth whose sender offloads UDP checksums:
 * the UDP checksum field holds only the pseudo-header sum (tcpdump -vv says
 * "bad udp cksum"). A NIC on a wire would have completed it; do what it
 * would have done.
 */
static void complete_udp_csum(uint8_t *f, uint16_t len)
{
	uint16_t l4, ulen, c;
	int v6;

	ck_assert_int_eq(udp_offsets(f, len, &l4, &v6), 0);
	ulen = tu_get16(f + l4 + 4);
	ck_assert_uint_le((unsigned)l4 + ulen, len);
	put16(f + l4 + 6, 0);
	if (v6)
		c = ref_csum6(f + 22, f + 38, 17, ulen, f + l4, ulen);
	else
		c = ref_csum4(f + 26, f + 30, 17, ulen, f + l4, ulen);
	put16(f + l4 + 6, c ? c : 0xffff);
}

static void capture_port(const uint8_t mac[6], const uint8_t ip4[4], const uint8_t ip6[16])
{
	setup_port();
	memcpy(g_port.mac, mac, 6);
	g_port.n_ip4 = 1;
	memcpy(&g_port.ip4[0], ip4, 4);
	g_port.n_ip6 = 1;
	memcpy(g_port.ip6[0], ip6, 16);
	pktproc_ip6_linklocal(mac, g_port.ip6_ll);
}

/*
 * Replay a capture of request/reply pairs: each client request must be
 * answered like the reference server answered it (same addresses, ports,
 * version, poll, mode 4; origin = the request's transmit), and each server
 * reply, received as an upstream answer, must be punted.
 */
/*
 * A Windows-style signed-time request from the capture: with signing off it
 * is dropped, with it on it goes to control untouched; the 48-byte reply
 * control has signed carries the same header as the reference server's,
 * whose signed answer (68 bytes, key id echoed) is the next frame.
 */
static void check_capture_mssntp(struct pktproc_ctx *ctx, uint8_t *f, uint16_t len, uint16_t l4,
				 const uint8_t *req, const struct cap_frame *next)
{
	static const uint8_t zero_mac[16];
	uint8_t copy[FRAME_MAX];
	struct pktproc_verdict v;
	struct ntp_header h;
	uint8_t reply[48];

	/* [MS-SNTP] 2.2.1: NTPv3, key id = RID, MAC all zero */
	ck_assert_uint_eq(tu_get16(f + l4 + 4), 8 + 68);
	ck_assert_uint_eq((req[0] >> 3) & 7, 3);
	ck_assert(req[48] | req[49] | req[50] | req[51]);
	ck_assert_mem_eq(req + 52, zero_mac, 16);

	memcpy(copy, f, len);
	ctx->mssntp = 0;
	v = pktproc_handle(ctx, copy, len, len, RX_TS);
	ck_assert_uint_eq(v.ctr, C(drop_mssntp_off));
	ctx->mssntp = 1;
	v = pktproc_handle(ctx, f, len, len, RX_TS);
	ck_assert_msg(v.action == PKTPROC_PUNT && v.ctr == C(mssntp_punted), "%s", ctr_name(v.ctr));
	ck_assert_mem_eq(f, copy, len);
	ck_assert_uint_eq(v.l4_off, l4);

	ntp_packet_server_reply(&g_server, req, RX_TS, TX_TS, &h);
	ck_assert_int_eq(ntp_packet_encode(&h, reply, sizeof(reply)), 48);
	ck_assert_mem_eq(reply + 24, req + 40, 8); /* origin */
	ck_assert_uint_eq(get64(reply + 32), RX_TS);
	ck_assert_uint_eq(get64(reply + 40), TX_TS);
	if (next && (next->b[l4 + 8] & 7) == 4) {
		const uint8_t *ref = next->b + l4 + 8;

		ck_assert_uint_eq(tu_get16(next->b + l4 + 4), 8 + 68); /* signed: 68 bytes */
		ck_assert_mem_eq(ref + 48, req + 48, 4);                 /* key id echoed */
		ck_assert_uint_eq(reply[0] & 0x3f, ref[0] & 0x3f);       /* version, mode */
		ck_assert_uint_eq(reply[2], ref[2]);                     /* poll */
		ck_assert_mem_eq(reply + 24, ref + 24, 8);               /* origin */
	}
}

static void replay_capture(const char *name, const uint8_t srv_mac[6], const uint8_t cli_mac[6],
			   int want_requests, int want_replies, int mssntp)
{
	static const uint8_t srv4[4] = { 198, 18, 0, 1 }, cli4[4] = { 198, 18, 0, 2 };
	static const uint8_t srv6[16] = { 0x20, 0x01, 0, 0x02, [15] = 1 };
	static const uint8_t cli6[16] = { 0x20, 0x01, 0, 0x02, [15] = 2 };
	static struct cap_frame cf[64];
	int n = load_capture(name, cf, 64), requests = 0, replies = 0;
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .neigh = &g_neigh,
				   .now_tsc = 1 };

	neigh_init(&g_neigh, 0);
	for (int i = 0; i < n; i++) {
		uint8_t f[FRAME_MAX + CANARY_LEN];
		const uint8_t *in = cf[i].b;
		uint16_t len = cf[i].len, l4;
		int v6, mode;
		struct pktproc_verdict v;

		ck_assert_int_eq(udp_offsets(in, len, &l4, &v6), 0);
		mode = in[l4 + 8] & 7;

		if (mode == 3) {
			const uint8_t *req = in + l4 + 8;

			capture_port(srv_mac, srv4, srv6);
			/* as captured, the checksum is the offload's partial one */
			memcpy(f, in, len);
			v = pktproc_handle(&ctx, f, len, len, RX_TS);
			ck_assert_uint_eq(v.ctr, C(drop_udp_csum));

			memcpy(f, in, len);
			complete_udp_csum(f, len);
			memset(f + len, CANARY_BYTE, CANARY_LEN);
			if (mssntp) {
				check_capture_mssntp(&ctx, f, len, l4, req, i + 1 < n ? &cf[i + 1] : NULL);
				requests++;
				continue;
			}
			v = pktproc_handle(&ctx, f, len, len, RX_TS);
			ck_assert_msg(v.action == PKTPROC_REPLY && v.ctr == C(ntp_replies),
				      "%s frame %d: %s", name, i + 1, ctr_name(v.ctr));
			ck_assert_uint_le(v.len, len);
			ck_assert_uint_eq(f[len], CANARY_BYTE);
			pktproc_stamp_tx(f, &v, TX_TS);
			if (v6)
				verify_ip6_reply_csums(f, v.len);
			else
				verify_ip4_reply_csums(f, v.len);
			ck_assert_uint_eq(v.len, l4 + 8 + 48);
			ck_assert_mem_eq(f + v.ntp_off + 24, req + 40, 8);  /* origin */
			ck_assert_uint_eq(f[v.ntp_off] & 0x38, req[0] & 0x38); /* version */
			ck_assert_uint_eq(f[v.ntp_off] & 7, 4);
			ck_assert_uint_eq(get64(f + v.ntp_off + 32), RX_TS);
			/* the reference server's answer, the next frame when there is one */
			if (i + 1 < n && (cf[i + 1].b[l4 + 8] & 7) == 4 &&
			    tu_get16(cf[i + 1].b + l4 + 2) == tu_get16(in + l4)) {
				const uint8_t *ref = cf[i + 1].b;

				ck_assert_mem_eq(f, ref, 12); /* MACs */
				if (v6)
					ck_assert_mem_eq(f + 22, ref + 22, 32);
				else
					ck_assert_mem_eq(f + 26, ref + 26, 8);
				ck_assert_mem_eq(f + l4, ref + l4, 4); /* ports */
				ck_assert_uint_eq(f[v.ntp_off] & 0x3f, ref[l4 + 8] & 0x3f);
				ck_assert_uint_eq(f[v.ntp_off + 2], ref[l4 + 8 + 2]); /* poll */
			}
			requests++;
		} else {
			ck_assert_int_eq(mode, 4);
			/* Received by the client's side: to an ephemeral port it is
			 * not ours to serve... */
			capture_port(cli_mac, cli4, cli6);
			memcpy(f, in, len);
			complete_udp_csum(f, len);
			v = pktproc_handle(&ctx, f, len, len, RX_TS);
			ck_assert_uint_eq(v.ctr, C(drop_udp_port));
			/* ...to port 123, where control sends its queries from, it is
			 * an upstream answer for control. */
			put16(f + l4 + 2, 123);
			complete_udp_csum(f, len);
			v = pktproc_handle(&ctx, f, len, len, RX_TS);
			ck_assert_msg(v.action == PKTPROC_PUNT && v.ctr == C(punted), "%s frame %d: %s",
				      name, i + 1, ctr_name(v.ctr));
			ck_assert_uint_eq(v.l4_off, l4);
			replies++;
		}
	}
	ck_assert_int_eq(requests, want_requests);
	ck_assert_int_eq(replies, want_replies);
}

START_TEST(test_pcap_read_errors)
{
	char path[512];
	struct pcap_read r;

	snprintf(path, sizeof(path), "%s/README.md", test_captures_dir());
	ck_assert_int_eq(pcap_read_open(&r, path), -EPROTO);
	snprintf(path, sizeof(path), "%s/no-such-file.pcap", test_captures_dir());
	ck_assert_int_eq(pcap_read_open(&r, path), -ENOENT);
}
END_TEST

START_TEST(test_capture_clients_vs_chronyd)
{
	static const uint8_t srv_mac[6] = { 0x1a, 0xf6, 0xc9, 0x5c, 0x74, 0xb8 };
	static const uint8_t cli_mac[6] = { 0x7a, 0x5f, 0x85, 0x02, 0xe2, 0x29 };

	setup_port();
	replay_capture("clients-vs-chronyd.pcap", srv_mac, cli_mac, 12, 12, 0);
}
END_TEST

/* Every prefix of every captured frame, in a buffer of exactly that size:
 * whatever the verdict, nothing is touched outside it (ASan watches). */
START_TEST(test_capture_truncations)
{
	static const char *const names[] = { "clients-vs-chronyd.pcap", "mssntp-chronyd-samba.pcap" };
	static const uint8_t macs[2][6] = { { 0x1a, 0xf6, 0xc9, 0x5c, 0x74, 0xb8 },
					    { 0x62, 0xe6, 0x6c, 0x17, 0x17, 0x40 } };
	static const uint8_t srv4[4] = { 198, 18, 0, 1 };
	static const uint8_t srv6[16] = { 0x20, 0x01, 0, 0x02, [15] = 1 };
	static struct cap_frame cf[64];
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .neigh = &g_neigh };

	neigh_init(&g_neigh, 0);
	for (int c = 0; c < 2; c++) {
		int n = load_capture(names[c], cf, 64);

		capture_port(macs[c], srv4, srv6);
		for (int i = 0; i < n; i++) {
			complete_udp_csum(cf[i].b, cf[i].len);
			for (uint16_t len = 0; len <= cf[i].len; len++) {
				uint8_t *mem = malloc(len ? len : 1);
				struct pktproc_verdict v;

				memcpy(mem, cf[i].b, len);
				v = pktproc_handle(&ctx, mem, len, len, RX_TS);
				REQUIRE(v.len <= len, "%s frame %d cut to %u", names[c], i + 1, len);
				/* only the whole request is answered */
				REQUIRE(v.action != PKTPROC_REPLY || len == cf[i].len,
					"%s frame %d cut to %u: %s", names[c], i + 1, len, ctr_name(v.ctr));
				free(mem);
			}
		}
	}
}
END_TEST

START_TEST(test_capture_mssntp)
{
	static const uint8_t srv_mac[6] = { 0x62, 0xe6, 0x6c, 0x17, 0x17, 0x40 };
	static const uint8_t cli_mac[6] = { 0x0e, 0x24, 0x87, 0xb9, 0x19, 0x86 };

	setup_port();
	replay_capture("mssntp-chronyd-samba.pcap", srv_mac, cli_mac, 6, 4, 1);
}
END_TEST

/* --- seeded mutation run ---------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, so a failure replays exactly */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Repair checksums after a mutation, where the headers still allow it, so
 * mutated frames get past the checksum checks and reach the deeper code. */
static void fix_checksums(uint8_t *f, uint16_t len)
{
	uint16_t type;

	if (len < 14)
		return;
	type = tu_get16(f + 12);
	if (type == 0x0800 && len >= 34 && (f[14] & 0x0f) == 5) {
		uint16_t tot = tu_get16(f + 16);

		put16(f + 24, 0);
		put16(f + 24, tu_ref_csum(f + 14, 20));
		if (tot < 20 || 14u + tot > len)
			return;
		if (f[23] == 17 && tot >= 28) {
			uint16_t ulen = tu_get16(f + 38);
			if (ulen >= 8 && ulen <= tot - 20) {
				put16(f + 40, 0);
				uint16_t c = ref_csum4(f + 26, f + 30, 17, ulen, f + 34, ulen);
				put16(f + 40, c ? c : 0xffff);
			}
		} else if (f[23] == 1 && tot >= 24) {
			put16(f + 36, 0);
			put16(f + 36, tu_ref_csum(f + 34, (size_t)tot - 20));
		}
	} else if (type == 0x86dd && len >= 54) {
		uint16_t plen = tu_get16(f + 18);

		if (54u + plen > len)
			return;
		if (f[20] == 17 && plen >= 8) {
			uint16_t ulen = tu_get16(f + 58);
			if (ulen >= 8 && ulen <= plen) {
				put16(f + 60, 0);
				uint16_t c = ref_csum6(f + 22, f + 38, 17, ulen, f + 54, ulen);
				put16(f + 60, c ? c : 0xffff);
			}
		} else if (f[20] == 58 && plen >= 4) {
			put16(f + 56, 0);
			put16(f + 56, ref_csum6(f + 22, f + 38, 58, plen, f + 54, plen));
		}
	}
}

START_TEST(test_mutations)
{
	void (*bases[])(struct spec *) = { ntp4_v4, ntp6_v4, ntp4_ext_chain_mac, ntp4_mssntp,
					   ntp6_ext_one, punt_mode4, arp_req, arp_reply_to_us,
					   echo4_ok, echo6_ok, ns_mcast_ok, ns_dad_ok, ns_unicast_ok,
					   na_ok, ntp4_padded, na_unsolicited, icmp6_ra_all_nodes,
					   arp_probe };
	const int n_bases = (int)(sizeof(bases) / sizeof(bases[0]));
	static uint8_t base_frames[24][FRAME_MAX];
	uint16_t base_len[24];
	static struct spec s;
	unsigned long hits[LT_CTR_MAX] = { 0 };
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .neigh = &g_neigh,
				   .now_tsc = 77 };
	const long iterations = 200000;

	ck_assert_int_le(n_bases, 24);
	setup_port();
	neigh_init(&g_neigh, 1000);
	for (int b = 0; b < n_bases; b++) {
		bases[b](&s);
		base_len[b] = build(&s, base_frames[b]);
	}
	rng_state = 0x6c696e6574696d65ULL; /* "linetime" */

	for (long it = 0; it < iterations; it++) {
		int b = (int)(rng() % (uint64_t)n_bases);
		uint8_t work[FRAME_MAX];
		uint16_t len = base_len[b], cap;
		int tight = (it & 1) == 0;
		uint8_t *mem;
		struct pktproc_verdict v;

		memcpy(work, base_frames[b], len);
		memset(work + len, 0, sizeof(work) - len);
		switch (rng() % 5) {
		case 0: /* a few bit flips in the headers */
			for (int k = 0, m = 1 + (int)(rng() % 4); k < m; k++) {
				uint16_t at = (uint16_t)(rng() % (len < 96 ? len : 96));
				work[at] ^= (uint8_t)(1u << (rng() % 8));
			}
			break;
		case 1: /* bit flips anywhere */
			for (int k = 0, m = 1 + (int)(rng() % 8); k < m; k++)
				work[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 2: /* truncation */
			len = (uint16_t)(rng() % (len + 1u));
			break;
		case 3: /* random bytes */
			for (int k = 0, m = 1 + (int)(rng() % 6); k < m; k++)
				work[rng() % len] = (uint8_t)rng();
			break;
		default: /* random trailing bytes, and a length field or two */
			for (int k = 0, m = (int)(rng() % 40); k < m; k++)
				work[len++] = (uint8_t)rng();
			if (rng() & 1) {
				uint16_t at = (uint16_t)(rng() % (len - 1u));
				put16(work + at, (uint16_t)rng());
			}
			break;
		}
		if (rng() & 1)
			fix_checksums(work, len);

		cap = tight ? len : (uint16_t)(len + rng() % 64);
		/* tight: a heap block of exactly len bytes, so ASan sees any
		 * access past it; else a canary after cap */
		mem = malloc(tight ? (len ? len : 1) : (size_t)cap + CANARY_LEN);
		REQUIRE(mem != NULL, "out of memory");
		memcpy(mem, work, len);
		if (!tight)
			memset(mem + len, CANARY_BYTE, (size_t)cap - len + CANARY_LEN);

		v = pktproc_handle(&ctx, mem, len, cap, RX_TS);

		/* REQUIRE, not ck_assert: Check records every passing assertion,
		 * which would dominate 200k iterations. */
		REQUIRE(v.ctr < LT_CTR_MAX && v.ctr != C(rx_frames), "iteration %ld: ctr %u", it, v.ctr);
		REQUIRE(v.action <= PKTPROC_PUNT, "iteration %ld: action %u", it, v.action);
		REQUIRE(v.len <= cap, "iteration %ld: reply of %u bytes, cap %u", it, v.len, cap);
		REQUIRE((v.action == PKTPROC_REPLY) == is_reply_ctr(v.ctr) &&
				(v.action == PKTPROC_PUNT) == (v.ctr == C(punted)),
			"iteration %ld: action %u with %s", it, v.action, ctr_name(v.ctr));
		if (!tight)
			for (int k = 0; k < CANARY_LEN; k++)
				REQUIRE(mem[cap + k] == CANARY_BYTE, "iteration %ld wrote past cap", it);
		if (v.action != PKTPROC_REPLY)
			REQUIRE(memcmp(mem, work, len) == 0, "iteration %ld changed a %s frame", it,
				ctr_name(v.ctr));
		if (v.ctr == C(ntp_replies)) {
			REQUIRE(v.len <= len && v.ntp_off + 48u == v.len,
				"iteration %ld: NTP reply of %u bytes to %u", it, v.len, len);
			pktproc_stamp_tx(mem, &v, TX_TS);
		}
		if (v.action == PKTPROC_REPLY && v.ctr != C(arp_replies))
			REQUIRE(v.ipv6 ? ip6_reply_ok(mem, v.len) : ip4_reply_ok(mem, v.len),
				"iteration %ld: %s reply with a bad length or checksum", it,
				ctr_name(v.ctr));
		hits[v.ctr]++;
		free(mem);
	}
	/* the repaired checksums let most runs reach an answer */
	ck_assert_uint_gt(hits[C(ntp_replies)], 1000);
	ck_assert_uint_gt(hits[C(nd_adverts)], 100);
	ck_assert_uint_gt(hits[C(drop_udp_csum)], 100);
}
END_TEST

/* An echo whose identifier, sequence and data are all zero: its reply sums
 * to zero but for the type, and its checksum must be 0xffff, not 0x0000
 * (the incremental update gave 0x0000; tests/fuzz/regress). */
START_TEST(test_echo_all_zero)
{
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server };
	static struct spec s;
	uint8_t f[FRAME_MAX];
	struct pktproc_verdict v;
	uint16_t len;

	setup_port();
	for (int v6 = 0; v6 < 2; v6++) {
		if (v6)
			echo6(&s);
		else
			echo4(&s);
		memset(s.data + 4, 0, s.dlen - 4);
		len = build(&s, f);
		v = pktproc_handle(&ctx, f, len, len, RX_TS);
		ck_assert_uint_eq(v.ctr, C(icmp_echo_replies));
		if (v6) {
			ck_assert(ip6_reply_ok(f, v.len));
		} else {
			ck_assert(ip4_reply_ok(f, v.len));
			ck_assert_uint_eq(tu_get16(f + 36), 0xffff);
		}
	}
}
END_TEST

/* --- interleaved mode ------------------------------------------------- */

/* One request from src/sport with origin, receive and transmit fields as
 * given, received at srv_rx; f gets the reply (transmit stamped TX_TS when
 * it is a basic one), whose checksums are verified. */
static struct pktproc_verdict xl_ask(struct pktproc_ctx *ctx, int v6, const uint8_t *src,
				     uint16_t sport, uint64_t org, uint64_t rx, uint64_t tx,
				     ntp_ts_t srv_rx, uint8_t *f)
{
	static struct spec s;
	struct pktproc_verdict v;
	uint16_t len;

	if (v6) {
		ntp6(&s, 4, 3);
		memcpy(s.src6, src, 16);
	} else {
		ntp4(&s, 4, 3);
		memcpy(s.src4, src, 4);
	}
	s.sport = sport;
	put64(s.data + 24, org);
	put64(s.data + 32, rx);
	put64(s.data + 40, tx);
	len = build(&s, f);
	v = pktproc_handle(ctx, f, len, len, srv_rx);
	ck_assert_uint_eq(v.action, PKTPROC_REPLY);
	if (v.ntp_off)
		pktproc_stamp_tx(f, &v, TX_TS);
	if (v6)
		verify_ip6_reply_csums(f, v.len);
	else
		verify_ip4_reply_csums(f, v.len);
	return v;
}

#define XL_ORG(f, v6) get64((f) + ((v6) ? 62 : 42) + 24)
#define XL_RX(f, v6) get64((f) + ((v6) ? 62 : 42) + 32)
#define XL_TX(f, v6) get64((f) + ((v6) ? 62 : 42) + 40)

/*
 * A chrony client with xleave, step by step (RFC 9769 2): the first
 * request is basic; a follow-up whose origin is our last receive timestamp
 * gets the last reply's departure; a lost reply, a reply that never left,
 * a restarted client and an evicted entry all fall back to basic.
 */
START_TEST(test_interleaved_exchange)
{
	const int v6 = _i;
	const uint8_t *a = v6 ? PEER6 : PEER4;
	const ntp_ts_t R1 = RX_TS + 1000, R2 = RX_TS + 2000, R3 = RX_TS + 3000, R4 = RX_TS + 4000,
		       R5 = RX_TS + 5000, R6 = RX_TS + 6000;
	const ntp_ts_t S1 = TX_TS + 11, S2 = TX_TS + 22, S3 = TX_TS + 33;
	const uint64_t C1 = 0xeeac95c9aaaa0001ULL, C2 = 0xeeac95c9aaaa0002ULL; /* client's T4s */
	struct clientlog *clog = new_clientlog();
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .clog = clog, .now_tsc = 5 };
	static uint8_t f[FRAME_MAX];
	struct pktproc_verdict v;

	setup_port();
	/* 1: basic request (origin 0) gets a basic reply, noted for later */
	v = xl_ask(&ctx, v6, a, 40000, 0, 0, 0x1111, R1, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
	ck_assert_uint_ne(v.xl_slot, 0);
	ck_assert_uint_eq(XL_ORG(f, v6), 0x1111);
	ck_assert_uint_eq(XL_RX(f, v6), R1);
	ck_assert_uint_eq(XL_TX(f, v6), TX_TS);
	pktproc_sent(&ctx, &v, S1);

	/* 2: the follow-up: origin R1 -> interleaved, transmit S1, origin
	 * the request's receive field, receive this request's */
	v = xl_ask(&ctx, v6, a, 40000, R1, C1, 0x2222, R2, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_SERVED);
	ck_assert_uint_eq(v.ctr, C(ntp_replies));
	ck_assert_uint_eq(v.ntp_off, 0); /* complete: no transmit stamp */
	ck_assert_uint_eq(XL_ORG(f, v6), C1);
	ck_assert_uint_eq(XL_RX(f, v6), R2);
	ck_assert_uint_eq(XL_TX(f, v6), S1);
	pktproc_sent(&ctx, &v, S2);

	/* 3: reply 2 was lost, the client asks about R1 again: basic */
	v = xl_ask(&ctx, v6, a, 40000, R1, C1, 0x3333, R3, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
	ck_assert_uint_eq(XL_ORG(f, v6), 0x3333);
	ck_assert_uint_eq(XL_TX(f, v6), TX_TS);
	pktproc_sent(&ctx, &v, S3);

	/* 4: and picks up from reply 3 */
	v = xl_ask(&ctx, v6, a, 40000, R3, C2, 0x4444, R4, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_SERVED);
	ck_assert_uint_eq(XL_TX(f, v6), S3);
	ck_assert_uint_eq(XL_ORG(f, v6), C2);
	/* reply 4 never left (TX queue full): no pktproc_sent() */

	/* 5: its follow-up cannot be served interleaved, and says so */
	v = xl_ask(&ctx, v6, a, 40000, R4, C2, 0x5555, R5, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_BASIC);
	ck_assert_uint_eq(XL_ORG(f, v6), 0x5555);
	ck_assert_uint_eq(XL_TX(f, v6), TX_TS);
	pktproc_sent(&ctx, &v, S1);

	/* 6: two replies in one burst, of which only the first left: the
	 * report for the first does not pass for the second */
	{
		struct pktproc_verdict first;

		first = xl_ask(&ctx, v6, a, 40000, 0, 0, 0x5656, R2, f);
		v = xl_ask(&ctx, v6, a, 40000, 0, 0, 0x5657, R3, f);
		pktproc_sent(&ctx, &first, S3);
		v = xl_ask(&ctx, v6, a, 40000, R3, C1, 0x5658, R4, f);
		ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_BASIC);
	}
	/* the client restarts: a basic request, and the state starts over */
	v = xl_ask(&ctx, v6, a, 40000, 0, 0, 0x6666, R6, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
	pktproc_sent(&ctx, &v, S2);
	v = xl_ask(&ctx, v6, a, 40000, R5, C1, 0x7777, R1, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO); /* R5 is history */
	free(clog);
}
END_TEST

/*
 * Nobody gets another client's timestamps: not a forger on another address
 * that copies a victim's receive timestamp, not one sharing the victim's
 * rate-limit prefix. The same host asking from another source port is the
 * same client (chrony uses a new port for every request). An evicted entry
 * forgets, and answers in basic mode.
 */
START_TEST(test_interleaved_no_leak)
{
	static const uint8_t A[4] = { 198, 51, 100, 7 }, B[4] = { 198, 51, 100, 8 };
	static const struct clientlog_params by24 = { .ipv4_prefix = 24, .ipv6_prefix = 64 };
	const ntp_ts_t RA = RX_TS + 100, SA = TX_TS + 0x5a5a;
	struct clientlog *clog = new_clientlog();
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .clog = clog, .now_tsc = 5 };
	static uint8_t f[FRAME_MAX];
	struct pktproc_verdict v;

	setup_port();
	for (int round = 0; round < 3; round++) {
		clientlog_init(clog, 64, 1000000000ULL, 99 + (uint64_t)round);
		ctx.rl = round == 2 ? &by24 : NULL; /* round 2: A and B share one entry */
		v = xl_ask(&ctx, 0, A, 40000, 0, 0, 1, RA, f);
		pktproc_sent(&ctx, &v, SA);
		/* round 0: B on another address; 1: A from another port;
		 * 2: B in A's /24 */
		v = xl_ask(&ctx, 0, round == 1 ? A : B, round == 1 ? 40001 : 40000, RA, 7, 2,
			   RX_TS + 200, f);
		if (round == 1) { /* A itself */
			ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_SERVED);
			ck_assert_uint_eq(XL_TX(f, 0), SA);
			continue;
		}
		ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
		ck_assert_uint_ne(XL_TX(f, 0), SA);
		ck_assert_uint_ne(XL_ORG(f, 0), SA);
		ck_assert_uint_eq(XL_ORG(f, 0), 2);
		/* A is not served its timestamp by anyone else's request, and
		 * A itself still is where the entry is its own */
		v = xl_ask(&ctx, 0, A, 40000, RA, 7, 3, RX_TS + 300, f);
		if (round == 0)
			ck_assert_uint_eq(XL_TX(f, 0), SA);
		else /* the shared entry was taken over by B: basic, never wrong */
			ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
	}

	/* eviction: A's bucket filled by others, A's state is gone */
	clientlog_init(clog, CLIENTLOG_WAYS, 1000000000ULL, 7); /* one bucket */
	ctx.rl = NULL;
	v = xl_ask(&ctx, 0, A, 40000, 0, 0, 1, RA, f);
	pktproc_sent(&ctx, &v, SA);
	for (int i = 0; i < CLIENTLOG_WAYS; i++) {
		uint8_t other[4] = { 198, 51, 101, (uint8_t)(i + 1) };

		ctx.now_tsc += 1000;
		xl_ask(&ctx, 0, other, 40000, 0, 0, 1, RX_TS + 400, f);
	}
	v = xl_ask(&ctx, 0, A, 40000, RA, 7, 4, RX_TS + 500, f);
	ck_assert_uint_eq(v.xleave, PKTPROC_XLEAVE_NO);
	ck_assert_uint_eq(XL_ORG(f, 0), 4);
	free(clog);
}
END_TEST

/*
 * The one-pass path for the common request against the full walk: frames
 * near the common one (header bytes mutated, checksums repaired half the
 * time, with and without "NIC-verified" checksums, with and without access
 * rules) must get the same verdict and the same bytes from both.
 */
START_TEST(test_fast_path_matches_general)
{
	void (*bases[])(struct spec *) = { ntp4_v4, ntp4_padded, ntp4_ext_chain_mac, ntp4_mssntp };
	const int n_bases = (int)(sizeof(bases) / sizeof(bases[0]));
	static uint8_t base_frames[4][FRAME_MAX];
	uint16_t base_len[4];
	static struct spec s;
	struct acl *deny = deny_all_acl();
	unsigned long replies = 0, others = 0;

	setup_port();
	for (int b = 0; b < n_bases; b++) {
		bases[b](&s);
		base_len[b] = build(&s, base_frames[b]);
	}
	rng_state = 0x66617374ULL; /* "fast" */
	for (long it = 0; it < 100000; it++) {
		int b = (int)(rng() % (uint64_t)n_bases);
		uint8_t fast[FRAME_MAX], slow[FRAME_MAX];
		uint16_t len = base_len[b];
		struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server, .now_tsc = 77 };
		struct ntp_reply_tmpl reply;
		unsigned int rx_ok = (unsigned int)(rng() % 4);
		struct pktproc_verdict vf, vs;

		memcpy(fast, base_frames[b], len);
		/* mostly the bytes the one pass looks at: Ethernet, IPv4, UDP
		 * and the first NTP byte */
		for (int k = 0, m = (int)(rng() % 3); k < m; k++) {
			uint16_t at = (uint16_t)(rng() % 43);
			if (rng() & 1)
				fast[at] ^= (uint8_t)(1u << (rng() % 8));
			else
				fast[at] = (uint8_t)rng();
		}
		/* or a 16-bit field set to a value that matters somewhere */
		if (rng() % 3 == 0) {
			static const uint16_t special[] = { 0, 0xffff, 0x0800, 0x86dd, 0x4500, 0x4600,
							    76, 56, 123, 0x4000, 0x2000, 0x0001,
							    0x1b00, 0x2300, 0x0300 };
			put16(fast + 2 * (rng() % 22), special[rng() % (sizeof(special) / 2)]);
		}
		if (rng() % 8 == 0)
			len = (uint16_t)(len - rng() % 8);
		if (rng() & 1)
			fix_checksums(fast, len);
		if (rng() % 4 == 0)
			ctx.acl = deny;
		ctx.kod_deny = rng() & 1;
		if (rng() & 1) {
			ntp_reply_tmpl_init(&reply, &g_server);
			ctx.reply = &reply;
		}
		memcpy(slow, fast, len);
		vf = pktproc_handle_rx(&ctx, fast, len, len, RX_TS, rx_ok);
		vs = pktproc_handle_general(&ctx, slow, len, len, RX_TS, rx_ok);
		REQUIRE(vf.action == vs.action && vf.ctr == vs.ctr && vf.len == vs.len &&
				vf.ipv6 == vs.ipv6 && vf.l3_off == vs.l3_off && vf.l4_off == vs.l4_off &&
				vf.ntp_off == vs.ntp_off,
			"iteration %ld: one pass says %s (%u bytes), the full walk %s (%u bytes)", it,
			ctr_name(vf.ctr), vf.len, ctr_name(vs.ctr), vs.len);
		if (vf.ntp_off) {
			pktproc_stamp_tx(fast, &vf, TX_TS);
			pktproc_stamp_tx(slow, &vs, TX_TS);
		}
		REQUIRE(memcmp(fast, slow, len) == 0, "iteration %ld: %s frames differ", it,
			ctr_name(vf.ctr));
		if (vf.ctr == C(ntp_replies)) {
			REQUIRE(ip4_reply_ok(fast, vf.len), "iteration %ld: bad reply", it);
			replies++;
		} else {
			others++;
		}
	}
	/* both outcomes well represented */
	ck_assert_uint_gt(replies, 10000);
	ck_assert_uint_gt(others, 10000);
	acl_free(deny);
}
END_TEST

/* Checksums the NIC verified are not summed again; one it did not verify
 * is, whatever the other flag says. IPv6 UDP checksum 0 stays invalid. */
START_TEST(test_rx_csum_offload)
{
	struct pktproc_ctx ctx = { .port = &g_port, .server = &g_server };
	const unsigned int ip_ok = PKTPROC_RX_IP_CSUM_OK, l4_ok = PKTPROC_RX_L4_CSUM_OK;
	static struct spec s;
	uint8_t f[FRAME_MAX];
	uint16_t len;
	struct pktproc_verdict v;

	setup_port();
	for (int bad = 0; bad < 2; bad++) { /* 0: IPv4 header checksum, 1: UDP */
		for (unsigned int rx_ok = 0; rx_ok < 4; rx_ok++) {
			int trusted = bad == 0 ? (rx_ok & ip_ok) != 0 : (rx_ok & l4_ok) != 0;

			ntp4(&s, 4, 3);
			len = build(&s, f);
			f[bad == 0 ? 24 : 40] ^= 0x40;
			for (int general = 0; general < 2; general++) {
				uint8_t w[FRAME_MAX];

				memcpy(w, f, len);
				v = general ? pktproc_handle_general(&ctx, w, len, len, RX_TS, rx_ok)
					    : pktproc_handle_rx(&ctx, w, len, len, RX_TS, rx_ok);
				ck_assert_msg(v.ctr == (trusted ? C(ntp_replies)
						       : bad == 0 ? C(drop_ipv4_csum) : C(drop_udp_csum)),
					      "bad %d rx_ok %u general %d: %s", bad, rx_ok, general,
					      ctr_name(v.ctr));
				if (trusted) {
					/* the reply's checksums are computed, not copied */
					pktproc_stamp_tx(w, &v, TX_TS);
					verify_ip4_reply_csums(w, v.len);
				}
			}
		}
	}
	ntp6(&s, 4, 3);
	len = build(&s, f);
	f[60] ^= 0x40;
	v = pktproc_handle_rx(&ctx, f, len, len, RX_TS, l4_ok);
	ck_assert_uint_eq(v.ctr, C(ntp_replies));
	pktproc_stamp_tx(f, &v, TX_TS);
	verify_ip6_reply_csums(f, v.len);
	len = build(&s, f);
	put16(f + 60, 0);
	v = pktproc_handle_rx(&ctx, f, len, len, RX_TS, l4_ok);
	ck_assert_uint_eq(v.ctr, C(drop_udp_csum));
}
END_TEST

/* The native sums the fast path uses against the test's own byte-by-byte
 * reference, in one piece and in pieces, at every length and alignment. */
START_TEST(test_inet_native_sums)
{
	static uint8_t b[300];

	rng_state = 0x6e73756dULL; /* "nsum" */
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = round == 0 ? (uint8_t)rng() : round == 1 ? 0xff : (uint8_t)(0xf0 | (rng() & 15));
		for (size_t off = 0; off < 8; off++) {
			for (size_t n = 0; n + off <= 280; n++) {
				uint16_t c = (uint16_t)~inet_nsum_fold(inet_nsum(0, b + off, n));
				uint8_t wire[2];
				size_t cut = (n / 2) & ~(size_t)1; /* an even first piece */
				uint64_t two = inet_nsum(inet_nsum(0, b + off, cut), b + off + cut, n - cut);

				memcpy(wire, &c, 2);
				REQUIRE(tu_get16(wire) == tu_ref_csum(b + off, n),
					"round %d off %zu n %zu: %04x != %04x", round, off, n, tu_get16(wire),
					tu_ref_csum(b + off, n));
				REQUIRE(inet_nsum_fold(two) == inet_nsum_fold(inet_nsum(0, b + off, n)),
					"pieces: round %d off %zu n %zu", round, off, n);
				REQUIRE(inet_nsum_fold(inet_nsum_fold32(two)) == inet_nsum_fold(two),
					"fold32: round %d off %zu n %zu", round, off, n);
			}
		}
	}
	/* folding with the end-around carry at the edges */
	ck_assert_uint_eq(inet_nsum_fold(0), 0);
	ck_assert_uint_eq(inet_nsum_fold(0xffffffffffffffffULL), 0xffff);
	ck_assert_uint_eq(inet_nsum_fold(0x100000000ULL), 1);
	ck_assert_uint_eq(inet_nsum_fold(0xffff0000ffff0001ULL), 1);
	ck_assert_uint_eq(inet_nsum_fold32(0xffffffff00000001ULL), 1);
	ck_assert_uint_eq(inet_nsum_add(0xffffffffffffffffULL, 1), 1);
}
END_TEST

Suite *pktproc_suite(void)
{
	Suite *s = suite_create("pktproc");
	TCase *tc = tcase_create("golden");

	tcase_add_loop_test(tc, test_golden, 0, N_FIXTURES);
	tcase_add_test(tc, test_golden_covers_drops);
	tcase_add_test(tc, test_linklocal);
	tcase_add_test(tc, test_no_neigh_table);
	tcase_add_test(tc, test_unset_addresses);
	tcase_add_test(tc, test_stamp_tx_twice);
	tcase_add_test(tc, test_fast_path_matches_general);
	tcase_add_test(tc, test_echo_all_zero);
	tcase_add_loop_test(tc, test_interleaved_exchange, 0, 2);
	tcase_add_test(tc, test_interleaved_no_leak);
	tcase_add_test(tc, test_rx_csum_offload);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_test(tc, test_policy_kod_deny);
	tcase_add_test(tc, test_policy_kod_rate);
	tcase_add_test(tc, test_policy_mssntp_ratelimit);
	tcase_add_test(tc, test_policy_leak);
	tcase_add_test(tc, test_policy_clientlog_counts);
	suite_add_tcase(s, tc);

	tc = tcase_create("inet");
	tcase_add_test(tc, test_inet_rfc1071_example);
	tcase_add_test(tc, test_inet_random_sums);
	tcase_add_test(tc, test_inet_native_sums);
	tcase_add_test(tc, test_inet_pseudo);
	tcase_add_test(tc, test_inet_udp_zero_becomes_ffff);
	tcase_add_test(tc, test_inet_addresses);
	suite_add_tcase(s, tc);

	tc = tcase_create("captures");
	tcase_add_test(tc, test_pcap_read_errors);
	tcase_add_test(tc, test_capture_clients_vs_chronyd);
	tcase_add_test(tc, test_capture_mssntp);
	tcase_add_test(tc, test_capture_truncations);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return s;
}
