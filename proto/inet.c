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

int inet_ip4_is_bad_src(uint32_t addr)
{
	uint32_t a = ntohl(addr);
	uint8_t first = (uint8_t)(a >> 24);
	/* 224/4 and 240/4 together are 224/3, which includes 255.255.255.255. */
	return a == 0 || first == 127 || first >= 224;
}

static uint32_t fold32(uint64_t acc)
{
	acc = (acc & 0xffffffffU) + (acc >> 32);
	acc = (acc & 0xffffffffU) + (acc >> 32);
	return (uint32_t)acc;
}

/*
 * The one's complement sum does not depend on byte order (RFC 1071 2(B)):
 * sum the data as native (little-endian) 64-bit words with end-around
 * carry, fold, and swap the two bytes of the result once. This is the
 * dataplane's hottest loop, so it goes 8 bytes per step, not 2.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "inet_csum_add sums little-endian words");

uint32_t inet_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = 0, w;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&w, b, 8);
		acc += w;
		acc += acc < w; /* end-around carry */
	}
	if (len >= 4) {
		uint32_t w4;
		memcpy(&w4, b, 4);
		acc += w4;
		acc += acc < w4;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w2;
		memcpy(&w2, b, 2);
		acc += w2;
		acc += acc < w2;
		b += 2;
		len -= 2;
	}
	/* RFC 1071 4.1: an odd trailing byte is padded with a zero byte; in
	 * native little-endian order it is the low byte of its word. */
	if (len) {
		acc += b[0];
		acc += acc < b[0];
	}
	uint32_t x = fold32(acc);
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	x = __builtin_bswap16((uint16_t)x);
	return fold32((uint64_t)sum + x);
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

uint16_t inet_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	/* HC' = ~(~HC + ~m + m') */
	uint32_t sum = (uint16_t)~csum;
	sum += (uint16_t)~old_word;
	sum += new_word;
	return inet_csum_fold(sum);
}

uint32_t inet_pseudo4_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len)
{
	uint64_t acc = 0;
	uint32_t s = ntohl(src), d = ntohl(dst);

	acc += (s >> 16) + (s & 0xffff);
	acc += (d >> 16) + (d & 0xffff);
	acc += proto;
	acc += l4_len;
	return fold32(acc);
}

uint32_t inet_pseudo6_sum(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
			  uint32_t l4_len)
{
	uint32_t sum = inet_csum_add(0, src, 16);
	uint64_t acc;

	sum = inet_csum_add(sum, dst, 16);
	acc = (uint64_t)sum + (l4_len >> 16) + (l4_len & 0xffff) + next;
	return fold32(acc);
}

void inet_ipv4_set_csum(struct inet_ipv4_hdr *ip, size_t hlen)
{
	ip->csum = 0;
	ip->csum = htons(inet_csum(ip, hlen));
}

int inet_ipv4_csum_ok(const struct inet_ipv4_hdr *ip, size_t hlen)
{
	return inet_csum(ip, hlen) == 0;
}

static uint16_t nonzero_csum(uint16_t c)
{
	return c ? c : 0xffff;
}

void inet_udp4_set_csum(const struct inet_ipv4_hdr *ip, struct inet_udp_hdr *udp, uint16_t len)
{
	uint32_t sum = inet_pseudo4_sum(ip->src, ip->dst, INET_PROTO_UDP, len);

	udp->csum = 0;
	udp->csum = htons(nonzero_csum(inet_csum_fold(inet_csum_add(sum, udp, len))));
}

void inet_udp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_udp_hdr *udp, uint16_t len)
{
	uint32_t sum = inet_pseudo6_sum(ip->src, ip->dst, INET_PROTO_UDP, len);

	udp->csum = 0;
	udp->csum = htons(nonzero_csum(inet_csum_fold(inet_csum_add(sum, udp, len))));
}

void inet_icmp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_icmp6_hdr *icmp, uint16_t len)
{
	uint32_t sum = inet_pseudo6_sum(ip->src, ip->dst, INET_PROTO_ICMPV6, len);

	icmp->csum = 0;
	icmp->csum = htons(inet_csum_fold(inet_csum_add(sum, icmp, len)));
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
	uint32_t sum = inet_pseudo4_sum(ip->src, ip->dst, proto, len);
	return inet_csum_fold(inet_csum_add(sum, l4, len)) == 0;
}

int inet_l4_csum6_ok(const struct inet_ipv6_hdr *ip, uint8_t next, const void *l4, uint32_t len)
{
	uint32_t sum = inet_pseudo6_sum(ip->src, ip->dst, next, len);
	return inet_csum_fold(inet_csum_add(sum, l4, len)) == 0;
}
