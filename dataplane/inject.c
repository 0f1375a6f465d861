/* inject: frames from control's messages and messages from punted frames
 * (see inject.h). */
#include "inject.h"

#include <arpa/inet.h>
#include <string.h>

#include "inet.h"

#define INJECT_TTL 64

static int zero_tail(const uint8_t a[16])
{
	static const uint8_t zero[12];
	return memcmp(a + 4, zero, sizeof(zero)) == 0;
}

static int src_is_ours(const struct lt_msg *m, const struct pktproc_port *port)
{
	unsigned int i, n;

	if (m->family == 4) {
		uint32_t a;

		memcpy(&a, m->src, 4);
		if (a == 0 || !zero_tail(m->src))
			return 0;
		n = port->n_ip4 < LT_MAX_ADDRS ? port->n_ip4 : LT_MAX_ADDRS;
		for (i = 0; i < n; i++)
			if (port->ip4[i] == a)
				return 1;
		return 0;
	}
	if (inet_ip6_is_unspecified(m->src))
		return 0;
	n = port->n_ip6 < LT_MAX_ADDRS ? port->n_ip6 : LT_MAX_ADDRS;
	for (i = 0; i < n; i++)
		if (memcmp(port->ip6[i], m->src, 16) == 0)
			return 1;
	return memcmp(port->ip6_ll, m->src, 16) == 0;
}

/* A destination we could never deliver to: unspecified, or (IPv4) with
 * stray bytes after the address. */
static int dst_is_bad(const struct lt_msg *m)
{
	if (m->family == 4) {
		uint32_t a;

		memcpy(&a, m->dst, 4);
		return a == 0 || !zero_tail(m->dst);
	}
	return inet_ip6_is_unspecified(m->dst);
}

int inject_check(const struct lt_msg *m, const struct pktproc_port *port)
{
	if (m->type != LT_MSG_INJECT_UDP)
		return -1;
	if (m->family != 4 && m->family != 6)
		return -1;
	if (m->len > LT_MSG_PAYLOAD_MAX)
		return -1;
	if (m->sport == 0 || m->dport == 0)
		return -1;
	if (!src_is_ours(m, port) || dst_is_bad(m))
		return -1;
	/* A direct send needs a unicast MAC: never flood a reply to a group. */
	if ((m->flags & LT_MSG_F_DIRECT) &&
	    ((m->mac[0] & 1) || !(m->mac[0] | m->mac[1] | m->mac[2] | m->mac[3] | m->mac[4] | m->mac[5])))
		return -1;
	return 0;
}

int inject_build(const struct lt_msg *m, const struct pktproc_port *port, const uint8_t dst_mac[6],
		 uint8_t *buf, uint16_t cap, uint16_t *payload_off)
{
	const uint16_t l3 = INET_ETH_HLEN;
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)buf;
	struct inet_udp_hdr *udp;
	uint16_t l4, ulen;
	size_t frame_len;

	/* Checked here too: m->len decides how much of m->payload is read. */
	if ((m->family != 4 && m->family != 6) || m->len > LT_MSG_PAYLOAD_MAX)
		return -1;
	l4 = (uint16_t)(l3 + (m->family == 4 ? INET_IPV4_HLEN : INET_IPV6_HLEN));
	ulen = (uint16_t)(INET_UDP_HLEN + m->len);
	frame_len = (size_t)l4 + ulen;
	if (frame_len > cap)
		return -1;

	memcpy(eth->dst, dst_mac, 6);
	memcpy(eth->src, port->mac, 6);
	udp = (struct inet_udp_hdr *)(buf + l4);
	udp->sport = htons(m->sport);
	udp->dport = htons(m->dport);
	udp->len = htons(ulen);
	memcpy(buf + l4 + INET_UDP_HLEN, m->payload, m->len);

	if (m->family == 4) {
		struct inet_ipv4_hdr *ip = (struct inet_ipv4_hdr *)(buf + l3);

		eth->type = htons(INET_ETHERTYPE_IPV4);
		ip->ver_ihl = 0x45;
		ip->tos = 0;
		ip->total_len = htons((uint16_t)(INET_IPV4_HLEN + ulen));
		ip->id = 0;
		ip->frag_off = htons(INET_IPV4_DF);
		ip->ttl = INJECT_TTL;
		ip->proto = INET_PROTO_UDP;
		memcpy(&ip->src, m->src, 4);
		memcpy(&ip->dst, m->dst, 4);
		inet_ipv4_set_csum(ip, INET_IPV4_HLEN);
		inet_udp4_set_csum(ip, udp, ulen);
	} else {
		struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(buf + l3);

		eth->type = htons(INET_ETHERTYPE_IPV6);
		ip6->ver_tc_flow = htonl(6U << 28);
		ip6->payload_len = htons(ulen);
		ip6->next = INET_PROTO_UDP;
		ip6->hop_limit = INJECT_TTL;
		memcpy(ip6->src, m->src, 16);
		memcpy(ip6->dst, m->dst, 16);
		inet_udp6_set_csum(ip6, udp, ulen);
	}
	if (payload_off)
		*payload_off = (uint16_t)(l4 + INET_UDP_HLEN);
	return (int)frame_len;
}

int inject_next_hop(const struct lt_msg *m, const struct inject_route *rt, uint8_t nh[16])
{
	unsigned int i, n;

	if (m->family == 4) {
		n = rt->n4 < LT_MAX_ADDRS ? rt->n4 : LT_MAX_ADDRS;
		for (i = 0; i < n; i++) {
			if (rt->len4[i] > 32)
				continue;
			if (inet_prefix_match(m->dst, (const uint8_t *)&rt->net4[i], rt->len4[i])) {
				memset(nh, 0, 16);
				memcpy(nh, m->dst, 4);
				return 0;
			}
		}
		if (!rt->has_gw4)
			return -1;
		memset(nh, 0, 16);
		memcpy(nh, &rt->gw4, 4);
		return 0;
	}
	if (m->family != 6)
		return -1;
	/* fe80::/10 is on-link on every interface (RFC 4291 2.5.6). */
	if (inet_ip6_is_linklocal(m->dst)) {
		memcpy(nh, m->dst, 16);
		return 0;
	}
	n = rt->n6 < LT_MAX_ADDRS ? rt->n6 : LT_MAX_ADDRS;
	for (i = 0; i < n; i++) {
		if (rt->len6[i] > 128)
			continue;
		if (inet_prefix_match(m->dst, rt->net6[i], rt->len6[i])) {
			memcpy(nh, m->dst, 16);
			return 0;
		}
	}
	if (!rt->has_gw6)
		return -1;
	memcpy(nh, rt->gw6, 16);
	return 0;
}

int inject_punt_msg(const uint8_t *buf, const struct pktproc_verdict *v, uint16_t port,
		    ntp_ts_t rx_ts, struct lt_msg *out)
{
	const struct inet_udp_hdr *udp;
	uint16_t ulen, n;

	if (!v->l3_off || !v->l4_off || (size_t)v->l4_off + INET_UDP_HLEN > v->len)
		return -1;
	udp = (const struct inet_udp_hdr *)(buf + v->l4_off);
	ulen = ntohs(udp->len);
	if (ulen < INET_UDP_HLEN || (size_t)v->l4_off + ulen > v->len)
		return -1;
	n = (uint16_t)(ulen - INET_UDP_HLEN);
	if (n > LT_MSG_PAYLOAD_MAX)
		return -1;

	/* Whole message cleared so no stale bytes cross to control. */
	memset(out, 0, sizeof(*out));
	out->type = LT_MSG_PUNT_UDP;
	out->port = port;
	out->len = n;
	out->ts = rx_ts;
	out->sport = ntohs(udp->sport);
	out->dport = ntohs(udp->dport);
	memcpy(out->mac, ((const struct inet_eth_hdr *)buf)->src, sizeof(out->mac));
	if (v->ipv6) {
		const struct inet_ipv6_hdr *ip6 = (const void *)(buf + v->l3_off);

		out->family = 6;
		memcpy(out->src, ip6->src, 16);
		memcpy(out->dst, ip6->dst, 16);
	} else {
		const struct inet_ipv4_hdr *ip = (const void *)(buf + v->l3_off);

		out->family = 4;
		memcpy(out->src, &ip->src, 4);
		memcpy(out->dst, &ip->dst, 4);
	}
	memcpy(out->payload, buf + v->l4_off + INET_UDP_HLEN, n);
	return 0;
}
