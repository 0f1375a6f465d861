/* inet: Internet checksum and address helpers (see inet.h). */
#include "inet.h"

#include <string.h>

#include <arpa/inet.h>

int inet_ip6_is_solicited_node(const uint8_t a[16])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

void inet_ip6_solicited_node(const uint8_t addr[16], uint8_t out[16])
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + 13, addr + 13, 3);
}

void inet_ip6_mcast_mac(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* The host-order interface over the native sum (see inet.h). */
uint32_t inet_csum_add(uint32_t sum, const void *p, size_t len)
{
	uint16_t x = __builtin_bswap16(inet_nsum_fold(inet_nsum(0, p, len)));

	return inet_nsum_fold32((uint64_t)sum + x);
}

uint16_t inet_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_csum(const void *p, size_t len)
{
	return inet_csum_fold(inet_csum_add(0, p, len));
}

uint32_t inet_pseudo4_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	uint64_t acc = 0;
	uint32_t s = ntohl(src), d = ntohl(dst);

	acc += (s >> 16) + (s & 0xffff);
	acc += (d >> 16) + (d & 0xffff);
	acc += proto;
	acc += l4_len;
	return inet_nsum_fold32(acc);
}

uint32_t inet_pseudo6_sum(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
			  uint32_t l4_len)
{
	uint32_t sum = inet_csum_add(0, src, 16);
	uint64_t acc;

	sum = inet_csum_add(sum, dst, 16);
	acc = (uint64_t)sum + (l4_len >> 16) + (l4_len & 0xffff) + next;
	return inet_nsum_fold32(acc);
}

void inet_ipv4_set_csum(struct inet_ipv4_hdr *ip, size_t hlen)
{
	ip->csum = 0;
	ip->csum = inet_nsum_csum(inet_nsum(0, ip, hlen));
}

int inet_ipv4_csum_ok(const struct inet_ipv4_hdr *ip, size_t hlen)
{
	return inet_nsum_fold(inet_nsum(0, ip, hlen)) == 0xffff;
}

void inet_udp4_set_csum(const struct inet_ipv4_hdr *ip, struct inet_udp_hdr *udp, uint16_t len)
{
	udp->csum = 0;
	udp->csum = inet_nsum_udp_csum(
		inet_nsum(inet_nsum_pseudo4(ip, INET_PROTO_UDP, htons(len)), udp, len));
}

void inet_udp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_udp_hdr *udp, uint16_t len)
{
	udp->csum = 0;
	udp->csum = inet_nsum_udp_csum(
		inet_nsum(inet_nsum_pseudo6(ip, INET_PROTO_UDP, htonl(len)), udp, len));
}

void inet_icmp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_icmp6_hdr *icmp, uint16_t len)
{
	icmp->csum = 0;
	icmp->csum = inet_nsum_csum(inet_nsum(inet_nsum_pseudo6(ip, INET_PROTO_ICMPV6, htonl(len)), icmp, len));
}

uint16_t inet_nd_write_na(uint8_t *buf, const uint8_t our_mac[6], const uint8_t target[16],
			  const uint8_t peer[16], const uint8_t peer_mac[6], int with_tlla)
{
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)buf;
	struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(buf + INET_ETH_HLEN);
	struct inet_nd_msg *nd = (struct inet_nd_msg *)(buf + INET_ETH_HLEN + INET_IPV6_HLEN);
	struct inet_nd_opt_lla *opt = (struct inet_nd_opt_lla *)(nd + 1);
	uint16_t icmp_len = (uint16_t)(sizeof(*nd) + (with_tlla ? sizeof(*opt) : 0));

	memcpy(eth->dst, peer_mac, 6);
	memcpy(eth->src, our_mac, 6);
	ip6->ver_tc_flow = htonl(6U << 28);
	ip6->payload_len = htons(icmp_len);
	ip6->next = INET_PROTO_ICMPV6;
	ip6->hop_limit = INET_ND_HOP_LIMIT;
	memcpy(ip6->src, target, 16);
	memcpy(ip6->dst, peer, 16);
	memset(nd, 0, sizeof(*nd));
	nd->type = INET_ICMP6_NEIGH_ADVERT;
	nd->flags = htonl((inet_ip6_is_multicast(peer) ? 0 : INET_ND_NA_SOLICITED) | INET_ND_NA_OVERRIDE);
	memcpy(nd->target, target, 16);
	if (with_tlla) {
		opt->type = INET_ND_OPT_TLLA;
		opt->len = 1;
		memcpy(opt->mac, our_mac, 6);
	}
	inet_icmp6_set_csum(ip6, (struct inet_icmp6_hdr *)nd, icmp_len);
	return icmp_len;
}

int inet_l4_csum4_ok(const struct inet_ipv4_hdr *ip, uint8_t proto, const void *l4, uint16_t len)
{
	return inet_nsum_fold(inet_nsum(inet_nsum_pseudo4(ip, proto, htons(len)), l4, len)) == 0xffff;
}

int inet_l4_csum6_ok(const struct inet_ipv6_hdr *ip, uint8_t next, const void *l4, uint32_t len)
{
	return inet_nsum_fold(inet_nsum(inet_nsum_pseudo6(ip, next, htonl(len)), l4, len)) == 0xffff;
}
