/*
 * gen suite: linetime-gen's plain-C parts. Requests are checked with this
 * file's own byte readers and testutil's reference checksum; replies to
 * validate are built here by hand from the requests, one fault at a time;
 * pacing is checked tick for tick; percentiles against a sorted copy of the
 * data; the capacity search against a synthetic loss curve.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/gen/genrate.h"
#include "../../tools/gen/genreq.h"
#include "../../tools/gen/genstats.h"
#include "../../tools/gen/genval.h"
#include "clockmap.h"
#include "pcap_read.h"
#include "suites.h"
#include "testutil.h"

static const uint8_t GEN_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0xb0, 0x02 };
static const uint8_t SRV_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0xb0, 0x01 };
#define KEY 0x0123456789abcdefULL

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)tu_get16(p) << 16 | tu_get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void cfg4(struct genreq_cfg *c, const char *first, uint32_t n, uint16_t p0, uint32_t np)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->src_mac, GEN_MAC, 6);
	memcpy(c->dst_mac, SRV_MAC, 6);
	c->family = 4;
	c->version = 4;
	inet_pton(AF_INET, first, c->src_first);
	c->src_count = n;
	inet_pton(AF_INET, "198.19.0.1", c->dst);
	c->sport_first = p0;
	c->sport_count = np;
	c->dport = 123;
	c->poll = 6;
	c->key = KEY;
}

static void cfg6(struct genreq_cfg *c, const char *first, uint32_t n)
{
	cfg4(c, "198.19.1.0", 1, 40000, 100);
	c->family = 6;
	memset(c->src_first, 0, 16);
	memset(c->dst, 0, 16);
	inet_pton(AF_INET6, first, c->src_first);
	c->src_count = n;
	inet_pton(AF_INET6, "2001:2:0:b::1", c->dst);
}

/* UDP checksum over the pseudo-header, by the book (RFC 768, RFC 8200 8.1):
 * 0 when the datagram's checksum field is right. */
static uint16_t ref_udp_csum(const uint8_t *f, int v6)
{
	uint8_t tmp[256];
	size_t n;

	if (!v6) {
		const uint8_t *ip = f + 14, *udp = ip + 20;
		uint16_t ulen = tu_get16(udp + 4);
		memcpy(tmp, ip + 12, 8);
		tmp[8] = 0;
		tmp[9] = 17;
		put16(tmp + 10, ulen);
		memcpy(tmp + 12, udp, ulen);
		n = 12 + ulen;
	} else {
		const uint8_t *ip = f + 14, *udp = ip + 40;
		uint16_t ulen = tu_get16(udp + 4);
		memcpy(tmp, ip + 8, 32);
		memset(tmp + 32, 0, 8);
		put16(tmp + 34, ulen);
		tmp[39] = 17;
		memcpy(tmp + 40, udp, ulen);
		n = 40 + ulen;
	}
	return tu_ref_csum(tmp, n);
}

/* --- requests ----------------------------------------------------------- */

START_TEST(request_ipv4)
{
	struct genreq_cfg c;
	struct genreq g;
	uint8_t f[GENREQ_FRAME_MAX];
	char err[128];
	uint32_t ai;
	uint16_t sp;

	cfg4(&c, "198.19.1.0", 10, 10000, 5);
	ck_assert_int_eq(genreq_init(&g, &c, err, sizeof(err)), 0);
	for (uint32_t seq = 0; seq < 25; seq++) {
		uint16_t len = genreq_next(&g, seq + 1000, f, &ai, &sp);
		ck_assert_uint_eq(len, 90);
		ck_assert_mem_eq(f, SRV_MAC, 6);
		ck_assert_mem_eq(f + 6, GEN_MAC, 6);
		ck_assert_uint_eq(tu_get16(f + 12), 0x0800);
		ck_assert_uint_eq(f[14], 0x45);
		ck_assert_uint_eq(tu_get16(f + 16), 76);
		ck_assert_uint_eq(f[23], 17);
		ck_assert_uint_eq(tu_ref_csum(f + 14, 20), 0);
		ck_assert_uint_eq(get32(f + 26), 0xc6130100U + seq % 10);
		ck_assert_uint_eq(get32(f + 30), 0xc6130001U);
		ck_assert_uint_eq(tu_get16(f + 34), 10000 + (seq / 10) % 5);
		ck_assert_uint_eq(tu_get16(f + 36), 123);
		ck_assert_uint_eq(tu_get16(f + 38), 56);
		ck_assert_uint_ne(tu_get16(f + 40), 0);
		ck_assert_uint_eq(ref_udp_csum(f, 0), 0);
		ck_assert_uint_eq(f[42], 4 << 3 | 3); /* leap 0, version 4, mode 3 */
		ck_assert_uint_eq(get64(f + 42 + 24), 0); /* origin */
		uint64_t tx = get64(f + 42 + 40);
		uint32_t back;
		ck_assert_uint_eq(tx, genreq_cookie(KEY, seq + 1000));
		ck_assert_int_eq(genreq_cookie_check(KEY, tx, &back), 1);
		ck_assert_uint_eq(back, seq + 1000);
		ck_assert_uint_eq(ai, seq % 10);
		ck_assert_uint_eq(sp, 10000 + (seq / 10) % 5);
	}
}
END_TEST

START_TEST(request_ipv6)
{
	struct genreq_cfg c;
	struct genreq g;
	uint8_t f[GENREQ_FRAME_MAX], want[16];
	char err[128];

	cfg6(&c, "2001:2:0:b::ffff", 3);
	c.version = 3;
	ck_assert_int_eq(genreq_init(&g, &c, err, sizeof(err)), 0);
	for (uint32_t seq = 0; seq < 7; seq++) {
		ck_assert_uint_eq(genreq_next(&g, seq, f, NULL, NULL), 110);
		ck_assert_uint_eq(tu_get16(f + 12), 0x86dd);
		ck_assert_uint_eq(f[14] >> 4, 6);
		ck_assert_uint_eq(tu_get16(f + 18), 56);
		ck_assert_uint_eq(f[20], 17);
		ck_assert_uint_eq(ref_udp_csum(f, 1), 0);
		ck_assert_uint_eq(f[62], 3 << 3 | 3);
		ck_assert_uint_eq(tu_get16(f + 54), 40000 + seq / 3);
	}
	/* The range carries across the 16-bit group boundary. */
	genreq_client_addr(&c, 1, want);
	uint8_t expect[16];
	inet_pton(AF_INET6, "2001:2:0:b::1:0", expect);
	ck_assert_mem_eq(want, expect, 16);
	ck_assert_int_eq(genreq_client_index(&c, expect), 1);
	inet_pton(AF_INET6, "2001:2:0:b::1:2", expect);
	ck_assert_int_eq(genreq_client_index(&c, expect), -1);
}
END_TEST

START_TEST(request_ranges_wrap)
{
	struct genreq_cfg c;
	struct genreq g;
	uint8_t f[GENREQ_FRAME_MAX];
	char err[128];
	static const uint32_t addr[] = { 0xc61200fe, 0xc61200ff, 0xc6120100 };
	static const uint16_t port[] = { 65534, 65535 };

	/* Three addresses across an octet boundary, two ports at the top. */
	cfg4(&c, "198.18.0.254", 3, 65534, 2);
	ck_assert_int_eq(genreq_init(&g, &c, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 13; i++) {
		genreq_next(&g, i, f, NULL, NULL);
		ck_assert_uint_eq(get32(f + 26), addr[i % 3]);
		ck_assert_uint_eq(tu_get16(f + 34), port[(i / 3) % 2]);
		ck_assert_uint_eq(tu_ref_csum(f + 14, 20), 0);
		ck_assert_uint_eq(ref_udp_csum(f, 0), 0);
	}
	genreq_rewind(&g);
	genreq_next(&g, 0, f, NULL, NULL);
	ck_assert_uint_eq(get32(f + 26), addr[0]);

	/* Ranges that do not fit are refused with a reason. */
	cfg4(&c, "198.18.0.1", 1, 65535, 2);
	ck_assert_int_lt(genreq_init(&g, &c, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "port"));
	cfg4(&c, "223.255.255.250", 10, 1000, 1);
	ck_assert_int_lt(genreq_init(&g, &c, err, sizeof(err)), 0);
	cfg4(&c, "198.18.0.1", 0, 1000, 1);
	ck_assert_int_lt(genreq_init(&g, &c, err, sizeof(err)), 0);
	cfg4(&c, "198.18.0.1", 1, 0, 1);
	ck_assert_int_lt(genreq_init(&g, &c, err, sizeof(err)), 0);
	cfg4(&c, "198.18.0.1", 1, 1000, 1);
	c.version = 5;
	ck_assert_int_lt(genreq_init(&g, &c, err, sizeof(err)), 0);
}
END_TEST

START_TEST(request_cookies)
{
	uint32_t s;

	for (uint32_t seq = 0; seq < 1000; seq += 7) {
		ntp_ts_t t = genreq_cookie(KEY, seq);
		ck_assert_int_eq(genreq_cookie_check(KEY, t, &s), 1);
		ck_assert_uint_eq(s, seq);
		ck_assert_int_eq(genreq_cookie_check(KEY ^ 1, t, &s), 0);
		ck_assert_int_eq(genreq_cookie_check(KEY, t ^ (1ULL << 40), &s), 0);
		ck_assert_int_eq(genreq_cookie_check(KEY, t + 1, &s), 0);
	}
}
END_TEST

START_TEST(neighbours)
{
	struct genreq_cfg c;
	uint8_t f[GENREQ_FRAME_MAX], mac[6];
	uint16_t n;

	cfg4(&c, "198.19.1.0", 256, 10000, 1);
	/* Our own resolution request is a well-formed broadcast ARP request. */
	n = genreq_resolve_frame(&c, f);
	ck_assert_uint_eq(n, 60);
	ck_assert_uint_eq(f[0] & f[5], 0xff);
	ck_assert_uint_eq(tu_get16(f + 12), 0x0806);
	ck_assert_uint_eq(tu_get16(f + 20), 1);
	ck_assert_uint_eq(get32(f + 38), 0xc6130001U);

	/* The server's ARP request for client .1.200 is answered; for .2.0 not. */
	uint8_t q[GENREQ_FRAME_MAX];
	memset(q, 0, sizeof(q));
	memset(q, 0xff, 6);
	memcpy(q + 6, SRV_MAC, 6);
	put16(q + 12, 0x0806);
	put16(q + 14, 1);
	put16(q + 16, 0x0800);
	q[18] = 6;
	q[19] = 4;
	put16(q + 20, 1);
	memcpy(q + 22, SRV_MAC, 6);
	memcpy(q + 28, c.dst, 4);
	inet_pton(AF_INET, "198.19.1.200", q + 38);
	memcpy(f, q, sizeof(q));
	n = genreq_answer_neigh(&c, f, 42, sizeof(f));
	ck_assert_uint_eq(n, 60);
	ck_assert_mem_eq(f, SRV_MAC, 6);
	ck_assert_mem_eq(f + 6, GEN_MAC, 6);
	ck_assert_uint_eq(tu_get16(f + 20), 2);
	ck_assert_mem_eq(f + 22, GEN_MAC, 6);
	ck_assert_uint_eq(get32(f + 28), 0xc61301c8U);
	ck_assert_mem_eq(f + 32, SRV_MAC, 6);
	ck_assert_mem_eq(f + 38, c.dst, 4);
	/* ... and that reply, seen from the other side, teaches a MAC. */
	struct genreq_cfg peer = c;
	inet_pton(AF_INET, "198.19.1.200", peer.dst);
	ck_assert_int_eq(genreq_resolve_learn(&peer, f, n, mac), 1);
	ck_assert_mem_eq(mac, GEN_MAC, 6);
	ck_assert_int_eq(genreq_resolve_learn(&c, f, n, mac), 0);

	inet_pton(AF_INET, "198.19.2.0", q + 38);
	memcpy(f, q, sizeof(q));
	ck_assert_uint_eq(genreq_answer_neigh(&c, f, 42, sizeof(f)), 0);

	/* IPv6: our solicitation for the server, answered by a test-built
	 * advert; a solicitation for a client gets a valid advert. */
	struct genreq_cfg c6;
	cfg6(&c6, "2001:2:0:b::100", 16);
	n = genreq_resolve_frame(&c6, f);
	ck_assert_uint_eq(n, 86);
	ck_assert_uint_eq(f[0], 0x33);
	ck_assert_uint_eq(f[54], 135);
	/* Turn it into the client's solicitation for 2001:2:0:b::105, as if
	 * the server had sent it: target, source, MAC, checksum. */
	uint8_t *ip6 = f + 14, *icmp = f + 54;
	memcpy(ip6 + 8, c6.dst, 16);
	memcpy(f + 6, SRV_MAC, 6);
	inet_pton(AF_INET6, "2001:2:0:b::105", icmp + 8);
	memcpy(icmp + 26, SRV_MAC, 6);
	put16(icmp + 2, 0);
	{
		uint8_t tmp[80];
		memcpy(tmp, ip6 + 8, 32);
		memset(tmp + 32, 0, 8);
		put16(tmp + 34, 32);
		tmp[39] = 58;
		memcpy(tmp + 40, icmp, 32);
		put16(icmp + 2, tu_ref_csum(tmp, 72));
	}
	n = genreq_answer_neigh(&c6, f, 86, sizeof(f));
	ck_assert_uint_eq(n, 86);
	ck_assert_uint_eq(icmp[0], 136);
	ck_assert_mem_eq(f, SRV_MAC, 6);
	ck_assert_mem_eq(ip6 + 24, c6.dst, 16);
	struct genreq_cfg peer6 = c6;
	inet_pton(AF_INET6, "2001:2:0:b::105", peer6.dst);
	ck_assert_int_eq(genreq_resolve_learn(&peer6, f, n, mac), 1);
	ck_assert_mem_eq(mac, GEN_MAC, 6);
}
END_TEST

START_TEST(pcap_roundtrip)
{
	struct genreq_cfg c;
	struct genreq g;
	uint8_t f[3][GENREQ_FRAME_MAX], buf[256];
	uint16_t len[3];
	char err[128], path[] = "/tmp/lt-gen-test.XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");

	cfg4(&c, "198.19.1.0", 2, 10000, 1);
	ck_assert_int_eq(genreq_init(&g, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(genreq_pcap_header(fp), 0);
	for (int i = 0; i < 3; i++) {
		len[i] = genreq_next(&g, (uint32_t)i, f[i], NULL, NULL);
		ck_assert_int_eq(genreq_pcap_frame(fp, 1700000000000000000ULL + (uint64_t)i * 1000, f[i], len[i]), 0);
	}
	fclose(fp);

	struct pcap_read r;
	struct pcap_read_frame fr;
	ck_assert_int_eq(pcap_read_open(&r, path), 0);
	ck_assert_uint_eq(r.linktype, PCAP_READ_LINKTYPE_ETHERNET);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pcap_read_next(&r, buf, sizeof(buf), &fr), 1);
		ck_assert_uint_eq(fr.caplen, len[i]);
		ck_assert_mem_eq(buf, f[i], len[i]);
		ck_assert_uint_eq(fr.ts_ns, 1700000000000000000ULL + (uint64_t)i * 1000);
	}
	ck_assert_int_eq(pcap_read_next(&r, buf, sizeof(buf), &fr), 0);
	pcap_read_close(&r);
	unlink(path);
}
END_TEST

/* --- reply validation --------------------------------------------------- */

#define T0 0xeeac95c800000000ULL /* NTP time at TSC 0 */
#define NS(n) ((uint64_t)(n) * 4294967296ULL / 1000000000ULL) /* n ns in NTP units */

/* NTP time ns nanoseconds after (or before) T0. */
static ntp_ts_t at(int64_t ns)
{
	return ns >= 0 ? T0 + NS(ns) : T0 - NS(-ns);
}

struct vfix {
	struct genreq_cfg c;
	struct genreq g;
	struct genval v;
};

static void vfix_init_xl(struct vfix *x, int v6, int xleave)
{
	struct genval_cfg vc;
	struct lt_clock_map m;
	char err[128];

	if (v6)
		cfg6(&x->c, "2001:2:0:b::100", 16);
	else
		cfg4(&x->c, "198.19.1.0", 16, 10000, 4);
	ck_assert_int_eq(genreq_init(&x->g, &x->c, err, sizeof(err)), 0);
	memset(&vc, 0, sizeof(vc));
	vc.family = x->c.family;
	vc.version = 4;
	vc.stratum_min = 1;
	vc.stratum_max = 15;
	memcpy(vc.server, x->c.dst, 16);
	vc.server_port = 123;
	vc.req_ntp_len = 48;
	vc.key = KEY;
	vc.slack_ntp = NS(10000);       /* 10 us */
	vc.timeout_tsc = 1000000000ULL; /* 1 s at 1 GHz */
	vc.table_bits = 8;
	vc.pop = &x->g.c;
	vc.xleave = (uint8_t)xleave;
	ck_assert_int_eq(genval_init(&x->v, &vc), 0);
	/* The generator's clock: 1 tick = 1 ns, TSC 0 = T0. */
	memset(&m, 0, sizeof(m));
	m.base_counter = 0;
	m.base_ntp = T0;
	m.mult = clockmap_mult_from_hz(1e9);
	m.valid = 1;
	genval_set_map(&x->v, &m);
}

static void vfix_init(struct vfix *x, int v6)
{
	vfix_init_xl(x, v6, 0);
}

/* A reply to request f (len bytes), built by hand: turned around, NTP
 * fields as given, extra bytes of extension appended, checksums fixed. */
struct rspec {
	uint8_t mode, version, stratum;
	ntp_ts_t org, rx, tx;
	uint16_t extra;
};

static uint16_t make_reply(const uint8_t *req, uint16_t len, int v6, const struct rspec *s,
			   uint8_t *out)
{
	uint16_t l3 = 14, l4 = v6 ? 54 : 34, ntp = (uint16_t)(l4 + 8);
	uint16_t ulen = (uint16_t)(8 + 48 + s->extra);

	memcpy(out, req, len);
	memcpy(out, req + 6, 6);
	memcpy(out + 6, req, 6);
	if (v6) {
		memcpy(out + l3 + 8, req + l3 + 24, 16);
		memcpy(out + l3 + 24, req + l3 + 8, 16);
		put16(out + l3 + 4, ulen);
	} else {
		memcpy(out + l3 + 12, req + l3 + 16, 4);
		memcpy(out + l3 + 16, req + l3 + 12, 4);
		put16(out + l3 + 2, (uint16_t)(20 + ulen));
		put16(out + l3 + 10, 0);
		put16(out + l3 + 10, tu_ref_csum(out + l3, 20));
	}
	memcpy(out + l4, req + l4 + 2, 2);
	memcpy(out + l4 + 2, req + l4, 2);
	put16(out + l4 + 4, ulen);
	memset(out + ntp, 0, 48 + s->extra);
	out[ntp] = (uint8_t)(s->version << 3 | s->mode);
	out[ntp + 1] = s->stratum;
	put64(out + ntp + 24, s->org);
	put64(out + ntp + 32, s->rx);
	put64(out + ntp + 40, s->tx);
	if (s->extra >= 4)
		put16(out + ntp + 48 + 2, s->extra); /* an extension field's length */
	put16(out + l4 + 6, 0);
	uint16_t cs = ref_udp_csum(out, v6);
	put16(out + l4 + 6, cs ? cs : 0xffff);
	return (uint16_t)(ntp + 48 + s->extra);
}

/* Send request seq at TSC 1000 and return a good reply spec for it:
 * received by the server 20 us later, answered 1 us after that. */
static struct rspec sent(struct vfix *x, uint32_t seq, uint8_t *req, uint16_t *len)
{
	uint32_t ai;
	uint16_t sp;
	struct rspec s = { 4, 4, 2, 0, 0, 0, 0 };

	*len = genreq_next(&x->g, seq, req, &ai, &sp);
	ck_assert_int_eq(genval_sent(&x->v, seq, 1000, ai, sp), 0);
	s.org = get64(req + *len - 8);
	s.rx = T0 + NS(1000 + 20000);
	s.tx = T0 + NS(1000 + 21000);
	return s;
}

static void check_v(int v6)
{
	struct vfix x;
	uint8_t req[GENREQ_FRAME_MAX], rep[256];
	uint16_t len, n;
	struct genval_result r;
	struct rspec s;
	uint32_t seq = 0;

	vfix_init(&x, v6);

	/* Good: T1 = 1000 ns, T2 = 21000, T3 = 22000, T4 = 41000. */
	s = sent(&x, seq, req, &len);
	n = make_reply(req, len, v6, &s, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_OK);
	ck_assert_uint_eq(r.matched, 1);
	ck_assert_uint_eq(r.latency_tsc, 40000);
	ck_assert(fabs(ntp_interval_to_double(r.offset) - 500e-9) < 1e-8);
	ck_assert(fabs(ntp_interval_to_double(r.delay) - 39e-6) < 1e-8);
	/* The same reply again is a duplicate. */
	ck_assert_int_eq(genval_check(&x.v, rep, n, 42000, &r), GENVAL_DUPLICATE);

	struct {
		const char *what;
		int mode, version, stratum;
		int64_t rx_ns, tx_ns;  /* server times relative to the send (T1) */
		uint16_t extra;
		uint64_t recv_tsc;
		int origin_bad, csum_bad, client_bad;
		enum genval_reason want;
	} cases[] = {
		{ "good, tx just inside the slack", 4, 4, 2, 20000, 49900, 0, 41000, 0, 0, 0, GENVAL_OK },
		{ "origin not ours", 4, 4, 2, 21000, 22000, 0, 41000, 1, 0, 0, GENVAL_ORIGIN },
		{ "mode 3", 3, 4, 2, 21000, 22000, 0, 41000, 0, 0, 0, GENVAL_MODE },
		{ "mode 5", 5, 4, 2, 21000, 22000, 0, 41000, 0, 0, 0, GENVAL_MODE },
		{ "version 3", 4, 3, 2, 21000, 22000, 0, 41000, 0, 0, 0, GENVAL_VERSION },
		{ "stratum 0 (kiss)", 4, 4, 0, 21000, 22000, 0, 41000, 0, 0, 0, GENVAL_STRATUM },
		{ "stratum 16", 4, 4, 16, 21000, 22000, 0, 41000, 0, 0, 0, GENVAL_STRATUM },
		{ "receive before send - slack", 4, 4, 2, -10010, 22000, 0, 41000, 0, 0, 0, GENVAL_TIME },
		{ "receive before send, within slack", 4, 4, 2, -8000, 22000, 0, 41000, 0, 0, 0, GENVAL_OK },
		{ "transmit after receive + slack", 4, 4, 2, 21000, 51001, 0, 41000, 0, 0, 0, GENVAL_TIME },
		{ "transmit before receive", 4, 4, 2, 21000, 20000, 0, 41000, 0, 0, 0, GENVAL_TIME },
		{ "reply longer than request", 4, 4, 2, 21000, 22000, 16, 41000, 0, 0, 0, GENVAL_LENGTH },
		{ "after the timeout", 4, 4, 2, 21000, 22000, 0, 1000001001ULL, 0, 0, 0, GENVAL_LATE },
		{ "UDP checksum wrong", 4, 4, 2, 21000, 22000, 0, 41000, 0, 1, 0, GENVAL_CHECKSUM },
		{ "to another client", 4, 4, 2, 21000, 22000, 0, 41000, 0, 0, 1, GENVAL_ADDRESS },
	};
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		seq++;
		s = sent(&x, seq, req, &len);
		s.mode = (uint8_t)cases[i].mode;
		s.version = (uint8_t)cases[i].version;
		s.stratum = (uint8_t)cases[i].stratum;
		s.rx = at(cases[i].rx_ns + 1000);
		s.tx = at(cases[i].tx_ns + 1000);
		s.extra = cases[i].extra;
		if (cases[i].origin_bad)
			s.org ^= 1ULL << 45;
		n = make_reply(req, len, v6, &s, rep);
		if (cases[i].csum_bad)
			rep[(v6 ? 54 : 34) + 7] ^= 0x40;
		if (cases[i].client_bad)
			rep[v6 ? 14 + 24 + 15 : 14 + 16 + 3] ^= 0x80; /* destination address */
		if (cases[i].client_bad) {
			put16(rep + (v6 ? 54 : 34) + 6, 0);
			if (!v6) {
				put16(rep + 24, 0);
				put16(rep + 24, tu_ref_csum(rep + 14, 20));
			}
			uint16_t cs = ref_udp_csum(rep, v6);
			put16(rep + (v6 ? 54 : 34) + 6, cs ? cs : 0xffff);
		}
		enum genval_reason got = genval_check(&x.v, rep, n, cases[i].recv_tsc, &r);
		ck_assert_msg(got == cases[i].want, "%s (IPv%d): got %s, want %s", cases[i].what,
			      v6 ? 6 : 4, genval_reason_name(got), genval_reason_name(cases[i].want));
	}

	/* A reply to a request whose slot has been reused is late; the reused
	 * slot reports the loss. */
	seq++;
	s = sent(&x, seq, req, &len);
	n = make_reply(req, len, v6, &s, rep);
	uint8_t req2[GENREQ_FRAME_MAX];
	uint16_t len2;
	len2 = genreq_next(&x.g, seq + 256, req2, NULL, NULL);
	(void)len2;
	ck_assert_int_eq(genval_sent(&x.v, seq + 256, 2000, 0, 10000), 1);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_LATE);
	/* Still waiting: the one sent last, and the two whose replies were
	 * rejected before they could match (bad origin, bad checksum). */
	ck_assert_uint_eq(genval_expire_all(&x.v), 3);
	ck_assert_uint_eq(genval_expire_all(&x.v), 0);

	/* Someone else's frame is ignored, not invalid. */
	memcpy(rep, req, len);
	ck_assert_int_eq(genval_check(&x.v, rep, len, 41000, &r), GENVAL_IGNORED);
	genval_fini(&x.v);
}

START_TEST(validate_ipv4)
{
	check_v(0);
}
END_TEST

START_TEST(validate_ipv6)
{
	check_v(1);
}
END_TEST

/* Interleaved clients (RFC 9769 2): a follow-up carries the last reply's
 * receive timestamp as origin and a second cookie as receive; a reply that
 * echoes that cookie is interleaved and its transmit timestamp is measured
 * against the previous reply's arrival. */
START_TEST(validate_xleave)
{
	struct vfix x;
	uint8_t req[GENREQ_FRAME_MAX], rep[256];
	uint16_t len, n;
	uint32_t ai, back;
	uint16_t sp;
	struct genval_result r;
	struct genval_follow f;
	struct rspec s;

	vfix_init_xl(&x, 0, 1);
	ck_assert_int_eq(genval_xl_follow(&x.v, 0, &f), 0);

	/* Exchange 1, basic: T1 1000, T2 21000, T3 22000, T4 41000. */
	s = sent(&x, 1, req, &len);
	n = make_reply(req, len, 0, &s, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_OK);
	ck_assert_uint_eq(r.interleaved, 0);
	ck_assert(llabs((long long)r.tx_err + (long long)NS(19000)) <= 1);

	/* Client 0 now follows up on that reply. */
	ck_assert_int_eq(genval_xl_follow(&x.v, 0, &f), 1);
	ck_assert_uint_eq(f.org, s.rx);
	ck_assert_uint_eq(f.t1_tsc, 1000);
	ck_assert_uint_eq(f.t4_tsc, 41000);
	ck_assert_int_eq(genval_xl_follow(&x.v, 1, &f), 1 - 1); /* client 1 has none */
	ck_assert_int_eq(genval_xl_follow(&x.v, 0, &f), 1);
	genreq_rewind(&x.g);
	ck_assert_uint_eq(genreq_next_client(&x.g), 0);
	len = genreq_next_xleave(&x.g, 2, f.org, req, &ai, &sp);
	ck_assert_uint_eq(ai, 0);
	ck_assert_uint_eq(get64(req + 42 + 24), f.org);
	ck_assert_uint_eq(get64(req + 42 + 32), genreq_cookie(genreq_rx_key(KEY), 2));
	ck_assert_uint_eq(get64(req + 42 + 40), genreq_cookie(KEY, 2));
	ck_assert_int_eq(genreq_cookie_check(KEY, get64(req + 42 + 32), &back), 0);
	ck_assert_uint_eq(ref_udp_csum(req, 0), 0);
	ck_assert_int_eq(genval_sent_xl(&x.v, 2, 100000, ai, sp, &f), 0);

	/* Interleaved reply: origin = our receive cookie, receive = this
	 * request's arrival (120000), transmit = when the last reply left
	 * (40000, 1 us before it arrived here). */
	struct rspec il = { 4, 4, 2, get64(req + 42 + 32), at(120000), at(40000), 0 };
	n = make_reply(req, len, 0, &il, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 140000, &r), GENVAL_OK);
	ck_assert_uint_eq(r.interleaved, 1);
	ck_assert(llabs((long long)r.tx_err + (long long)NS(1000)) <= 1);
	/* Offset of the previous exchange: ((21000 - 1000) + (40000 - 41000)) / 2. */
	ck_assert(fabs(ntp_interval_to_double(r.offset) - 9.5e-6) < 1e-8);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 140000, &r), GENVAL_DUPLICATE);

	/* The next follow-up is on the interleaved reply. */
	ck_assert_int_eq(genval_xl_follow(&x.v, 0, &f), 1);
	ck_assert_uint_eq(f.org, at(120000));
	ck_assert_uint_eq(f.t4_tsc, 140000);

	/* A server that answers a follow-up in basic mode is fine too. */
	genreq_rewind(&x.g);
	len = genreq_next_xleave(&x.g, 3, f.org, req, &ai, &sp);
	genval_sent_xl(&x.v, 3, 200000, ai, sp, &f);
	struct rspec b = { 4, 4, 2, genreq_cookie(KEY, 3), at(220000), at(221000), 0 };
	n = make_reply(req, len, 0, &b, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 240000, &r), GENVAL_OK);
	ck_assert_uint_eq(r.interleaved, 0);

	/* An interleaved transmit timestamp after the last reply arrived here
	 * (beyond the slack), or before the server had the last request. */
	const int64_t bad_tx[] = { 240000 + 10001, 219999 - 1000 };
	for (unsigned int i = 0; i < 2; i++) {
		ck_assert_int_eq(genval_xl_follow(&x.v, 0, &f), 1);
		genreq_rewind(&x.g);
		len = genreq_next_xleave(&x.g, 4 + i, f.org, req, &ai, &sp);
		genval_sent_xl(&x.v, 4 + i, 300000, ai, sp, &f);
		struct rspec t = { 4, 4, 2, get64(req + 42 + 32), at(320000), at(bad_tx[i]), 0 };
		n = make_reply(req, len, 0, &t, rep);
		ck_assert_int_eq(genval_check(&x.v, rep, n, 340000, &r), GENVAL_TIME);
	}

	/* A basic request has no receive cookie: echoing one is forged. */
	s = sent(&x, 10, req, &len);
	s.org = genreq_cookie(genreq_rx_key(KEY), 10);
	n = make_reply(req, len, 0, &s, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_ORIGIN);
	genval_fini(&x.v);
}
END_TEST

START_TEST(txerr_quantiles)
{
	struct gentxerr h;
	int64_t v[1000];

	gentxerr_init(&h);
	ck_assert_int_eq(gentxerr_quantile(&h, 0.5), 0);
	for (int i = 0; i < 1000; i++) {
		v[i] = (int64_t)(i - 300) * 37; /* -11100 .. +25863 ns */
		gentxerr_add(&h, v[i]);
	}
	gentxerr_add(&h, -5000000); /* below the range */
	gentxerr_add(&h, 7000000);  /* above */
	ck_assert_uint_eq(h.n, 1002);
	ck_assert_int_eq(gentxerr_quantile(&h, 0.0001), -5000000);
	ck_assert_int_eq(gentxerr_quantile(&h, 1.0), 7000000);
	/* Rank ceil(0.5 * 1002) = 501: the 500th of v, v[499] = 7363. */
	ck_assert(llabs(gentxerr_quantile(&h, 0.5) - 7363) <= GENTXERR_BIN_NS / 2);
	ck_assert(llabs(gentxerr_quantile(&h, 0.1) - v[99]) <= GENTXERR_BIN_NS / 2);
	struct genstats a, c;
	struct genstats_summary m;
	genstats_init(&a);
	genstats_init(&c);
	genstats_txerr(&a, 1, -2000);
	genstats_txerr(&c, 1, -4000);
	genstats_txerr(&c, 0, 9000);
	genstats_merge(&a, &c);
	genstats_summarise(&a, 0, 1, &m);
	ck_assert_uint_eq(m.tx[GENTX_INTERLEAVED].n, 2);
	ck_assert(fabs(m.tx[GENTX_INTERLEAVED].mean + 3.0) < 1e-9);
	ck_assert(fabs(m.tx[GENTX_INTERLEAVED].sd - 1.0) < 1e-9);
	ck_assert(fabs(m.tx[GENTX_BASIC].p50 - 9.0) < 1e-9);
}
END_TEST

START_TEST(validate_expected_stratum)
{
	struct vfix x;
	uint8_t req[GENREQ_FRAME_MAX], rep[256];
	uint16_t len, n;
	struct genval_result r;
	struct rspec s;

	vfix_init(&x, 0);
	x.v.c.stratum_min = x.v.c.stratum_max = 10;
	s = sent(&x, 1, req, &len);
	s.stratum = 10;
	n = make_reply(req, len, 0, &s, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_OK);
	s = sent(&x, 2, req, &len);
	s.stratum = 2;
	n = make_reply(req, len, 0, &s, rep);
	ck_assert_int_eq(genval_check(&x.v, rep, n, 41000, &r), GENVAL_STRATUM);
	ck_assert_uint_eq(r.matched, 1);
	genval_fini(&x.v);
	ck_assert_uint_eq(genval_table_bits(10e6, 1.0), 22);
	ck_assert_uint_eq(genval_table_bits(100, 1.0), 12);
	ck_assert_uint_eq(genval_table_bits(1e6, 0.5), 20);
}
END_TEST

/* --- pacing ---------------------------------------------------------------- */

START_TEST(rate_ticks)
{
	struct genrate r;

	/* 3 Mpps on a 1 GHz counter: 333.33 ticks per packet, no drift. */
	genrate_init(&r, 1000000000ULL, 3000000, 1, 500, 1000000);
	ck_assert(fabs(genrate_ticks_per_packet(&r) - 333.333333) < 1e-5);
	ck_assert_uint_eq(genrate_due(&r, 0), 500);
	ck_assert_uint_eq(genrate_due(&r, 1), 834);
	ck_assert_uint_eq(genrate_due(&r, 2), 1167);
	ck_assert_uint_eq(genrate_due(&r, 3), 1500);
	ck_assert_uint_eq(genrate_due(&r, 3000000), 500 + 1000000000ULL);
	ck_assert_uint_eq(genrate_allowed(&r, 499), 0);
	ck_assert_uint_eq(genrate_allowed(&r, 500), 1);
	ck_assert_uint_eq(genrate_allowed(&r, 833), 1);
	ck_assert_uint_eq(genrate_allowed(&r, 834), 2);
	/* Over any whole number of seconds the count is exact. */
	for (uint64_t s = 1; s <= 100; s++)
		ck_assert_uint_eq(genrate_allowed(&r, 500 + s * 1000000000ULL), s * 3000000 + 1);
	/* Every packet's deadline is the first tick at or after its exact
	 * time, and packet n is allowed from that tick on: none drifts. */
	for (uint64_t n = 0; n < 100000; n += 37) {
		uint64_t due = 500 + (n * 1000000000ULL + 2999999) / 3000000;
		ck_assert_uint_eq(genrate_due(&r, n), due);
		ck_assert_uint_eq(genrate_allowed(&r, due), n + 1);
		if (n)
			ck_assert_uint_eq(genrate_allowed(&r, due - 1), n);
	}
}
END_TEST

START_TEST(rate_bursts)
{
	struct genrate r;
	uint64_t sent = 0, now;

	/* 1 Mpps in bursts of 32 at 1 GHz: a burst every 32 us. */
	genrate_init(&r, 1000000000ULL, 1000000, 32, 0, 0);
	ck_assert_uint_eq(r.max_lag, 1000); /* 1 ms of packets > 4 bursts */
	ck_assert_uint_eq(genrate_due(&r, 31), 0);
	ck_assert_uint_eq(genrate_due(&r, 32), 32000);
	ck_assert_uint_eq(genrate_allowed(&r, 31999), 32);
	ck_assert_uint_eq(genrate_allowed(&r, 32000), 64);
	ck_assert_uint_eq(genrate_ready(&r, 0, 0), 32);
	ck_assert_uint_eq(genrate_ready(&r, 10, 32), 0);
	ck_assert_uint_eq(genrate_ready(&r, 32000, 32), 32);
	/* A sender polling every 7 us for 10 s offers exactly the rate. */
	for (now = 0; now < 10000000000ULL; now += 7000)
		sent += genrate_ready(&r, now, sent);
	ck_assert_uint_eq(sent, 10000000);
	ck_assert_uint_eq(r.skipped, 0);

	/* One that stalls for 10 ms skips what it cannot send in one lag. */
	genrate_init(&r, 1000000000ULL, 1000000, 32, 0, 0);
	sent = 0;
	for (now = 0; now < 1000000; now += 1000)
		sent += genrate_ready(&r, now, sent);
	uint64_t before = sent;
	now += 10000000;
	while (genrate_ready(&r, now, sent)) {
		uint32_t k = genrate_ready(&r, now, sent);
		ck_assert_uint_le(k, 32);
		sent += k;
	}
	ck_assert_uint_eq(sent - before, 1000);
	ck_assert_uint_ge(r.skipped, 8900);

	/* As fast as possible: always a whole burst. */
	genrate_init(&r, 1000000000ULL, 0, 16, 0, 0);
	ck_assert_uint_eq(genrate_ready(&r, 0, 1000000), 16);
}
END_TEST

START_TEST(rate_steps)
{
	uint64_t s[6];

	ck_assert_uint_eq(genrate_steps(100000, 10000000, 5, s), 5);
	ck_assert_uint_eq(s[0], 100000);
	ck_assert_uint_eq(s[1], 316000);
	ck_assert_uint_eq(s[2], 1000000);
	ck_assert_uint_eq(s[3], 3160000);
	ck_assert_uint_eq(s[4], 10000000);
	ck_assert_uint_eq(genrate_steps(5, 5, 1, s), 1);
	ck_assert_uint_eq(s[0], 5);
}
END_TEST

/* --- statistics ----------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(percentiles)
{
	static struct genhist h;
	enum { N = 20001 };
	static uint64_t v[N];
	uint64_t rng = 88172645463325252ULL;
	static const double qs[] = { 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0 };

	genhist_init(&h);
	for (int i = 0; i < N; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		/* Latency-like: mostly tens of us, a long tail to tens of ms. */
		double u = (double)(rng >> 11) / 9007199254740992.0;
		v[i] = (uint64_t)(20000.0 * exp(4.0 * u * u * u)) + (rng & 7);
		if (i < 20)
			v[i] = (uint64_t)i; /* small values are exact */
		genhist_add(&h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	for (unsigned int i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t rank = (uint64_t)ceil(qs[i] * N);
		uint64_t ref = v[rank - 1];
		uint64_t got = genhist_quantile(&h, qs[i]);
		double err = fabs((double)got - (double)ref);
		ck_assert_msg(err <= (double)ref / 64.0 + 1.0, "q %.3f: got %llu, reference %llu", qs[i],
			      (unsigned long long)got, (unsigned long long)ref);
	}
	ck_assert_uint_eq(genhist_quantile(&h, 1.0), v[N - 1]);
	ck_assert_uint_eq(h.min, 0);
	/* Buckets tile the number line. */
	for (uint64_t x = 0; x < 5000; x++) {
		uint64_t lo, w;
		genhist_range(genhist_bucket(x), &lo, &w);
		ck_assert(x >= lo && x < lo + w);
	}
	uint64_t lo, w;
	genhist_range(genhist_bucket(UINT64_MAX), &lo, &w);
	ck_assert_uint_lt(genhist_bucket(UINT64_MAX), GENHIST_BUCKETS);
	ck_assert_uint_eq(lo + (w - 1), UINT64_MAX);
}
END_TEST

START_TEST(stats_summary)
{
	static struct genstats a, b;
	struct genstats_summary m;
	char *buf = NULL;
	size_t len = 0;

	genstats_init(&a);
	genstats_init(&b);
	a.sent = 1000;
	a.tx_refused = 1000;
	b.invalid[GENVAL_MODE] = 3;
	b.answered_invalid = 3;
	for (int i = 0; i < 900; i++)
		genstats_reply(&b, 10000 + (uint64_t)i, (i % 2 ? 1e-6 : -1e-6));
	genstats_merge(&a, &b);
	genstats_summarise(&a, 1000, 1.0, &m);
	ck_assert_uint_eq(m.replied, 900);
	ck_assert_uint_eq(m.invalid, 3);
	ck_assert_uint_eq(m.lost, 97);
	ck_assert(fabs(m.loss_pct - 55.0) < 1e-9); /* 1100 of 2000 offered unanswered */
	ck_assert(fabs(m.off_mean_us) < 1e-9);
	ck_assert(fabs(m.off_sd_us - 1.0) < 1e-6);
	ck_assert(fabs(m.off_min_us + 1.0) < 1e-9);
	ck_assert(fabs(m.reply_pps - 900.0) < 1e-9);
	FILE *f = open_memstream(&buf, &len);
	genstats_print_json(f, &a, &m, 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"replied\": 900,"));
	ck_assert_ptr_nonnull(strstr(buf, "\"MODE\": 3"));
	ck_assert_uint_eq(buf[len - 1], '}');
	free(buf);
}
END_TEST

/* --- capacity search ------------------------------------------------------ */

/* Loss of a server that answers at most cap requests per second. */
static void step(struct gensearch *s, uint64_t cap, uint64_t rate)
{
	uint64_t replied = rate <= cap ? rate : cap;
	gensearch_result(s, rate, rate, replied);
}

START_TEST(capacity_search)
{
	static const uint64_t caps[] = { 110000, 450000, 3700000, 9999999 };

	for (unsigned int i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct gensearch s;
		unsigned int steps = 0;
		uint64_t r;

		gensearch_init(&s, 100000, 1000, 20000000, 2.0, 0.02, 0.001, 30);
		while ((r = gensearch_next(&s)) != 0) {
			ck_assert_uint_ge(r, 1000);
			ck_assert_uint_le(r, 20000000);
			step(&s, caps[i], r);
			steps++;
		}
		uint64_t best = gensearch_best(&s);
		/* Highest passing rate: its loss is under 0.1 %, and the next
		 * 3 % up would not be. */
		ck_assert_msg((double)best * 0.999 <= (double)caps[i] && (double)best >= (double)caps[i] * 0.97,
			      "capacity %llu: found %llu", (unsigned long long)caps[i],
			      (unsigned long long)best);
		ck_assert_uint_le(steps, 16);
	}
	/* Every rate passes: the ceiling is the answer. */
	struct gensearch s;
	uint64_t r;
	gensearch_init(&s, 100000, 1000, 1000000, 2.0, 0.02, 0.001, 30);
	while ((r = gensearch_next(&s)) != 0)
		step(&s, UINT64_MAX, r);
	ck_assert_uint_eq(gensearch_best(&s), 1000000);
	/* Nothing passes: 0, and the search stops at the floor. */
	gensearch_init(&s, 100000, 1000, 1000000, 2.0, 0.02, 0.001, 30);
	while ((r = gensearch_next(&s)) != 0)
		step(&s, 0, r);
	ck_assert_uint_eq(gensearch_best(&s), 0);
	/* The threshold is strict: 0.1 % loss fails, just under passes. */
	gensearch_init(&s, 100000, 1000, 1000000, 2.0, 0.02, 0.001, 30);
	ck_assert_int_eq(gensearch_result(&s, 100000, 100000, 99900), 0);
	ck_assert_int_eq(gensearch_result(&s, 50000, 100000, 99901), 1);
	/* The step budget ends the search. */
	gensearch_init(&s, 100000, 1000, 20000000, 2.0, 0.001, 0.001, 3);
	for (int k = 0; k < 3; k++)
		step(&s, 5000000, gensearch_next(&s));
	ck_assert_uint_eq(gensearch_next(&s), 0);
}
END_TEST

Suite *gen_suite(void); /* also in suites.h */

Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *t = tcase_create("requests");

	tcase_add_test(t, request_ipv4);
	tcase_add_test(t, request_ipv6);
	tcase_add_test(t, request_ranges_wrap);
	tcase_add_test(t, request_cookies);
	tcase_add_test(t, neighbours);
	tcase_add_test(t, pcap_roundtrip);
	suite_add_tcase(s, t);
	t = tcase_create("validation");
	tcase_add_test(t, validate_ipv4);
	tcase_add_test(t, validate_ipv6);
	tcase_add_test(t, validate_expected_stratum);
	tcase_add_test(t, validate_xleave);
	suite_add_tcase(s, t);
	t = tcase_create("rate");
	tcase_add_test(t, rate_ticks);
	tcase_add_test(t, rate_bursts);
	tcase_add_test(t, rate_steps);
	tcase_add_test(t, capacity_search);
	suite_add_tcase(s, t);
	t = tcase_create("stats");
	tcase_add_test(t, percentiles);
	tcase_add_test(t, stats_summary);
	tcase_add_test(t, txerr_quantiles);
	suite_add_tcase(s, t);
	return s;
}
