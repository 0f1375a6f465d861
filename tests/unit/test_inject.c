/* inject suite: message validation, frames built from messages and parsed
 * back (and answered by pktproc), next-hop choice, punt messages. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "inject.h"
#include "suites.h"
#include "testutil.h"

static const uint8_t SRV_MAC[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t CLI_MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
static const uint8_t SRV4[4] = { 192, 0, 2, 1 };
static const uint8_t CLI4[4] = { 192, 0, 2, 50 };
static const uint8_t FAR4[4] = { 203, 0, 113, 9 };
static const uint8_t GW4[4] = { 192, 0, 2, 254 };
static const uint8_t SRV6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t CLI6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x50 };
static const uint8_t FAR6[16] = { 0x20, 0x01, 0x0d, 0xb9, [15] = 9 };
static const uint8_t GW6[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t LL6[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0xab, 0xcd, 0xef };

#define RX_TS 0xeeac95c881900000ULL

static struct pktproc_port srv_port, cli_port;
static struct ntp_server_params server = { .leap = 0, .stratum = 1, .precision = -20,
					.refid = 0x47505300U };

static void setup(void)
{
	memset(&srv_port, 0, sizeof(srv_port));
	memcpy(srv_port.mac, SRV_MAC, 6);
	srv_port.n_ip4 = 1;
	memcpy(&srv_port.ip4[0], SRV4, 4);
	srv_port.n_ip6 = 1;
	memcpy(srv_port.ip6[0], SRV6, 16);
	pktproc_ip6_linklocal(SRV_MAC, srv_port.ip6_ll);

	memset(&cli_port, 0, sizeof(cli_port));
	memcpy(cli_port.mac, CLI_MAC, 6);
	cli_port.n_ip4 = 1;
	memcpy(&cli_port.ip4[0], CLI4, 4);
	cli_port.n_ip6 = 1;
	memcpy(cli_port.ip6[0], CLI6, 16);
	pktproc_ip6_linklocal(CLI_MAC, cli_port.ip6_ll);
}

/* The UDP checksum of a frame verifies (pseudo-header built here). */
static int udp_csum_ok(const uint8_t *f, int v6)
{
	static uint8_t tmp[40 + 2048];
	uint16_t l4 = v6 ? 54 : 34, ulen = tu_get16(f + l4 + 4);
	size_t ph;

	if (v6) {
		memcpy(tmp, f + 22, 32);
		memset(tmp + 32, 0, 8);
		tmp[34] = (uint8_t)(ulen >> 8);
		tmp[35] = (uint8_t)ulen;
		tmp[39] = 17;
		ph = 40;
	} else {
		memcpy(tmp, f + 26, 8);
		tmp[8] = 0;
		tmp[9] = 17;
		tmp[10] = (uint8_t)(ulen >> 8);
		tmp[11] = (uint8_t)ulen;
		ph = 12;
	}
	memcpy(tmp + ph, f + l4, ulen);
	return tu_get16(f + l4 + 6) != 0 && tu_ref_csum(tmp, ph + ulen) == 0;
}

static void ntp_client_payload(uint8_t *p)
{
	memset(p, 0, 48);
	p[0] = 0x23; /* v4, mode 3 */
	for (int i = 40; i < 48; i++)
		p[i] = (uint8_t)(0xa0 + i);
}

static void msg_v4(struct lt_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = LT_MSG_INJECT_UDP;
	m->family = 4;
	memcpy(m->src, CLI4, 4);
	memcpy(m->dst, SRV4, 4);
	m->sport = 123;
	m->dport = 123;
	m->len = 48;
	ntp_client_payload(m->payload);
}

static void msg_v6(struct lt_msg *m)
{
	msg_v4(m);
	m->family = 6;
	memset(m->src, 0, 16);
	memset(m->dst, 0, 16);
	memcpy(m->src, CLI6, 16);
	memcpy(m->dst, SRV6, 16);
}

START_TEST(test_check_valid)
{
	struct lt_msg m;

	setup();
	msg_v4(&m);
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
	msg_v6(&m);
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
	memcpy(m.src, cli_port.ip6_ll, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
	m.len = 0;
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
	m.len = LT_MSG_PAYLOAD_MAX;
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
	/* a direct send to a unicast MAC (a reply to a punted request) */
	msg_v4(&m);
	m.flags = LT_MSG_F_DIRECT;
	memcpy(m.mac, CLI_MAC, 6);
	ck_assert_int_eq(inject_check(&m, &cli_port), 0);
}
END_TEST

START_TEST(test_check_invalid)
{
	struct lt_msg m;

	setup();
	msg_v4(&m);
	m.type = LT_MSG_PUNT_UDP;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.type = LT_MSG_NONE;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.family = 5;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.len = LT_MSG_PAYLOAD_MAX + 1;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.sport = 0;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.dport = 0;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	memcpy(m.src, FAR4, 4); /* not the port's address */
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	m.src[7] = 1; /* IPv4 with bytes after the address */
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v4(&m);
	memset(m.dst, 0, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v6(&m);
	memcpy(m.src, SRV6, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v6(&m);
	memset(m.src, 0, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	msg_v6(&m);
	memset(m.dst, 0, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	/* a direct send needs a unicast MAC */
	msg_v4(&m);
	m.flags = LT_MSG_F_DIRECT;
	ck_assert_int_eq(inject_check(&m, &cli_port), -1); /* 00:00:00:00:00:00 */
	memset(m.mac, 0xff, 6);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	m.mac[0] = 0x01; /* multicast bit */
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
	/* an unset (zero) link-local never makes :: acceptable */
	msg_v6(&m);
	memset(m.src, 0, 16);
	memset(cli_port.ip6_ll, 0, 16);
	ck_assert_int_eq(inject_check(&m, &cli_port), -1);
}
END_TEST

START_TEST(test_build_v4)
{
	struct lt_msg m;
	uint8_t f[1600];
	uint16_t off = 0;
	int len;

	setup();
	msg_v4(&m);
	m.sport = 40000;
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, 89, &off), -1);
	len = inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), &off);
	ck_assert_int_eq(len, 14 + 20 + 8 + 48);
	ck_assert_uint_eq(off, 42);
	ck_assert_mem_eq(f, SRV_MAC, 6);
	ck_assert_mem_eq(f + 6, CLI_MAC, 6);
	ck_assert_uint_eq(tu_get16(f + 12), 0x0800);
	ck_assert_uint_eq(f[14], 0x45);
	ck_assert_uint_eq(tu_get16(f + 16), 76);
	ck_assert_uint_eq(tu_get16(f + 20) & 0x4000, 0x4000); /* DF */
	ck_assert_uint_eq(f[22], 64);
	ck_assert_uint_eq(f[23], 17);
	ck_assert_uint_eq(tu_ref_csum(f + 14, 20), 0);
	ck_assert_mem_eq(f + 26, CLI4, 4);
	ck_assert_mem_eq(f + 30, SRV4, 4);
	ck_assert_uint_eq(tu_get16(f + 34), 40000);
	ck_assert_uint_eq(tu_get16(f + 36), 123);
	ck_assert_uint_eq(tu_get16(f + 38), 56);
	ck_assert(udp_csum_ok(f, 0));
	ck_assert_mem_eq(f + off, m.payload, 48);
}
END_TEST

START_TEST(test_build_v6)
{
	struct lt_msg m;
	uint8_t f[1600];
	uint16_t off = 0;
	int len;

	setup();
	msg_v6(&m);
	m.len = 68;
	memset(m.payload + 48, 0x11, 20);
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, 129, &off), -1);
	len = inject_build(&m, &cli_port, SRV_MAC, f, 130, &off);
	ck_assert_int_eq(len, 14 + 40 + 8 + 68);
	ck_assert_uint_eq(off, 62);
	ck_assert_uint_eq(tu_get16(f + 12), 0x86dd);
	ck_assert_uint_eq(f[14] >> 4, 6);
	ck_assert_uint_eq(tu_get16(f + 18), 76);
	ck_assert_uint_eq(f[20], 17);
	ck_assert_uint_eq(f[21], 64);
	ck_assert_mem_eq(f + 22, CLI6, 16);
	ck_assert_mem_eq(f + 38, SRV6, 16);
	ck_assert(udp_csum_ok(f, 1));
	ck_assert_mem_eq(f + off, m.payload, 68);
	/* the largest payload fits a standard frame */
	m.len = LT_MSG_PAYLOAD_MAX;
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), NULL),
			 14 + 40 + 8 + LT_MSG_PAYLOAD_MAX);
	ck_assert(udp_csum_ok(f, 1));
}
END_TEST

START_TEST(test_build_rejects)
{
	struct lt_msg m;
	uint8_t f[1600];

	setup();
	msg_v4(&m);
	m.len = LT_MSG_PAYLOAD_MAX + 1;
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), NULL), -1);
	msg_v4(&m);
	m.family = 0;
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), NULL), -1);
	msg_v4(&m);
	ck_assert_int_eq(inject_build(&m, &cli_port, SRV_MAC, f, 0, NULL), -1);
}
END_TEST

/* A query control injects is a request pktproc answers: the two agree on
 * the wire format, checksums included. */
START_TEST(test_built_frame_is_answered)
{
	struct pktproc_ctx ctx = { .port = &srv_port, .server = &server };
	struct lt_msg m;
	uint8_t f[1600];
	uint16_t off;

	setup();
	for (int fam = 4; fam <= 6; fam += 2) {
		struct pktproc_verdict v;
		int len;

		if (fam == 4)
			msg_v4(&m);
		else
			msg_v6(&m);
		len = inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), &off);
		ck_assert_int_gt(len, 0);
		ck_assert_uint_eq(off, fam == 6 ? 62 : 42);
		ck_assert(udp_csum_ok(f, fam == 6));
		v = pktproc_handle(&ctx, f, (uint16_t)len, sizeof(f), RX_TS);
		ck_assert_uint_eq(v.action, PKTPROC_REPLY);
		ck_assert_uint_eq(v.ctr, LT_CTR_ntp_replies);
		ck_assert_mem_eq(f, CLI_MAC, 6);
	}
}
END_TEST

static void route(struct inject_route *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->n4 = 1;
	memcpy(&rt->net4[0], SRV4, 4);
	rt->len4[0] = 24;
	rt->has_gw4 = 1;
	memcpy(&rt->gw4, GW4, 4);
	rt->n6 = 1;
	memcpy(rt->net6[0], SRV6, 16);
	rt->len6[0] = 64;
	rt->has_gw6 = 1;
	memcpy(rt->gw6, GW6, 16);
}

START_TEST(test_next_hop)
{
	struct inject_route rt;
	struct lt_msg m;
	uint8_t nh[16];
	static const uint8_t zero12[12];

	route(&rt);
	memset(&m, 0, sizeof(m));
	m.family = 4;
	memcpy(m.dst, CLI4, 4);
	memset(nh, 0xee, 16);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, CLI4, 4);
	ck_assert_mem_eq(nh + 4, zero12, 12);
	memcpy(m.dst, FAR4, 4);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, GW4, 4);
	rt.has_gw4 = 0;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);
	/* /0 makes everything on-link; /32 only the address itself; a length
	 * above 32 is ignored */
	rt.len4[0] = 0;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, FAR4, 4);
	rt.len4[0] = 32;
	memcpy(m.dst, CLI4, 4);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);
	rt.len4[0] = 33;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);
	/* a prefix length that is not a byte multiple */
	rt.len4[0] = 26; /* 192.0.2.0-63 */
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	m.dst[3] = 64;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);

	route(&rt);
	m.family = 6;
	memcpy(m.dst, CLI6, 16);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, CLI6, 16);
	memcpy(m.dst, FAR6, 16);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, GW6, 16);
	memcpy(m.dst, LL6, 16);
	rt.has_gw6 = 0;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), 0);
	ck_assert_mem_eq(nh, LL6, 16);
	memcpy(m.dst, FAR6, 16);
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);
	m.family = 7;
	ck_assert_int_eq(inject_next_hop(&m, &rt, nh), -1);
}
END_TEST

/* An upstream server's reply punted by pktproc becomes a message carrying
 * the datagram; a message answered through inject_build rebuilds it. */
START_TEST(test_punt_msg)
{
	struct pktproc_ctx ctx = { .port = &cli_port, .server = &server };
	struct lt_msg reply, punted;
	uint8_t f[1600];

	setup();
	for (int fam = 4; fam <= 6; fam += 2) {
		struct pktproc_verdict v;
		int len;

		/* the server sends a mode 4 reply to the client's port 123 */
		if (fam == 4) {
			msg_v4(&reply);
			memcpy(reply.src, SRV4, 4);
			memcpy(reply.dst, CLI4, 4);
		} else {
			msg_v6(&reply);
			memcpy(reply.src, SRV6, 16);
			memcpy(reply.dst, CLI6, 16);
		}
		reply.payload[0] = 0x24;
		reply.sport = 123;
		reply.dport = 123;
		ck_assert_int_eq(inject_check(&reply, &srv_port), 0);
		len = inject_build(&reply, &srv_port, CLI_MAC, f, sizeof(f), NULL);
		v = pktproc_handle(&ctx, f, (uint16_t)len, sizeof(f), RX_TS);
		ck_assert_uint_eq(v.action, PKTPROC_PUNT);

		memset(&punted, 0x5a, sizeof(punted));
		ck_assert_int_eq(inject_punt_msg(f, &v, 3, RX_TS, &punted), 0);
		ck_assert_uint_eq(punted.type, LT_MSG_PUNT_UDP);
		ck_assert_uint_eq(punted.port, 3);
		ck_assert_uint_eq(punted.family, fam);
		ck_assert_mem_eq(punted.src, reply.src, 16);
		ck_assert_mem_eq(punted.dst, reply.dst, 16);
		ck_assert_uint_eq(punted.sport, 123);
		ck_assert_uint_eq(punted.dport, 123);
		ck_assert_uint_eq(punted.ts, RX_TS);
		ck_assert_uint_eq(punted.len, 48);
		ck_assert_mem_eq(punted.payload, reply.payload, 48);
		ck_assert_uint_eq(punted.payload[48], 0); /* no stale bytes */
		ck_assert_uint_eq(punted.cookie, 0);
		ck_assert_mem_eq(punted.mac, srv_port.mac, 6); /* where a reply goes back to */
		ck_assert_uint_eq(punted.flags, 0);
	}
}
END_TEST

START_TEST(test_punt_msg_invalid)
{
	struct lt_msg m, out;
	uint8_t f[1600];
	struct pktproc_verdict v = { 0 };
	int len;

	setup();
	msg_v4(&m);
	m.len = LT_MSG_PAYLOAD_MAX;
	len = inject_build(&m, &cli_port, SRV_MAC, f, sizeof(f), NULL);
	v.action = PKTPROC_PUNT;
	v.l3_off = 14;
	v.l4_off = 34;
	v.len = (uint16_t)len;
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), 0);
	ck_assert_uint_eq(out.len, LT_MSG_PAYLOAD_MAX);
	/* one byte more than a message holds */
	f[38] = (uint8_t)((8 + LT_MSG_PAYLOAD_MAX + 1) >> 8);
	f[39] = (uint8_t)(8 + LT_MSG_PAYLOAD_MAX + 1);
	v.len = (uint16_t)(len + 1);
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), -1);
	/* UDP length past the frame, below 8, or no offsets at all */
	v.len = (uint16_t)len;
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), -1);
	f[38] = 0;
	f[39] = 7;
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), -1);
	f[39] = 56;
	v.l4_off = 0;
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), -1);
	v.l4_off = 34;
	v.len = 40;
	ck_assert_int_eq(inject_punt_msg(f, &v, 0, 0, &out), -1);
}
END_TEST

Suite *inject_suite(void)
{
	Suite *s = suite_create("inject");
	TCase *tc = tcase_create("inject");

	tcase_add_test(tc, test_check_valid);
	tcase_add_test(tc, test_check_invalid);
	tcase_add_test(tc, test_build_v4);
	tcase_add_test(tc, test_build_v6);
	tcase_add_test(tc, test_build_rejects);
	tcase_add_test(tc, test_built_frame_is_answered);
	tcase_add_test(tc, test_next_hop);
	tcase_add_test(tc, test_punt_msg);
	tcase_add_test(tc, test_punt_msg_invalid);
	suite_add_tcase(s, tc);
	return s;
}
