/* neigh: fixed-size neighbour table and solicitation builders (see neigh.h). */
#include "neigh.h"

#include <arpa/inet.h>
#include <string.h>

#include "inet.h"

_Static_assert((NEIGH_BUCKETS & (NEIGH_BUCKETS - 1)) == 0, "bucket count is a power of two");

static size_t addr_len(int family)
{
	return family == 4 ? 4 : 16;
}

/* FNV-1a over the address, then a final mix so the low bits used for the
 * bucket depend on every input byte. */
static unsigned int bucket_of(int family, const uint8_t *addr)
{
	uint32_t h = 2166136261U ^ (uint32_t)family;
	size_t i, n = addr_len(family);

	for (i = 0; i < n; i++) {
		h ^= addr[i];
		h *= 16777619U;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	return h & (NEIGH_BUCKETS - 1);
}

static int matches(const struct neigh_entry *e, int family, const uint8_t *addr)
{
	return e->family == family && memcmp(e->addr, addr, addr_len(family)) == 0;
}

/* With tsc_hz 0 the table has no clock and entries never expire. A counter
 * that went backwards (now before updated) counts as fresh. */
static int expired(const struct neigh_table *t, const struct neigh_entry *e, uint64_t now_tsc)
{
	if (t->tsc_hz == 0 || now_tsc <= e->updated_tsc)
		return 0;
	return now_tsc - e->updated_tsc >= (uint64_t)NEIGH_TTL_SEC * t->tsc_hz;
}

void neigh_init(struct neigh_table *t, uint64_t tsc_hz)
{
	memset(t, 0, sizeof(*t));
	t->tsc_hz = tsc_hz;
}

void neigh_learn(struct neigh_table *t, int family, const uint8_t *addr, const uint8_t mac[6],
		 uint64_t now_tsc)
{
	static const uint8_t zero_mac[6];
	struct neigh_entry *b, *victim = NULL;
	unsigned int i;

	if ((family != 4 && family != 6) || !addr || !mac)
		return;
	/* A group or zero MAC is never a neighbour's station address. */
	if (inet_mac_is_group(mac) || memcmp(mac, zero_mac, 6) == 0)
		return;
	b = t->e[bucket_of(family, addr)];
	for (i = 0; i < NEIGH_WAYS; i++) {
		if (matches(&b[i], family, addr)) {
			victim = &b[i];
			break;
		}
	}
	if (!victim) {
		for (i = 0; i < NEIGH_WAYS; i++) {
			if (b[i].family == 0 || expired(t, &b[i], now_tsc)) {
				victim = &b[i];
				break;
			}
		}
	}
	if (!victim) {
		victim = &b[0];
		for (i = 1; i < NEIGH_WAYS; i++)
			if (b[i].updated_tsc < victim->updated_tsc)
				victim = &b[i];
	}
	memset(victim->addr, 0, sizeof(victim->addr));
	memcpy(victim->addr, addr, addr_len(family));
	memcpy(victim->mac, mac, 6);
	victim->family = (uint8_t)family;
	victim->updated_tsc = now_tsc;
}

int neigh_lookup(const struct neigh_table *t, int family, const uint8_t *addr, uint8_t mac_out[6],
		 uint64_t now_tsc)
{
	const struct neigh_entry *b;
	unsigned int i;

	if ((family != 4 && family != 6) || !addr)
		return -1;
	b = t->e[bucket_of(family, addr)];
	for (i = 0; i < NEIGH_WAYS; i++) {
		if (matches(&b[i], family, addr)) {
			if (expired(t, &b[i], now_tsc))
				return -1;
			memcpy(mac_out, b[i].mac, 6);
			return 0;
		}
	}
	return -1;
}

int neigh_build_arp_request(uint8_t *buf, uint16_t cap, const uint8_t our_mac[6], uint32_t our_ip,
			    uint32_t target_ip)
{
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)buf;
	struct inet_arp_hdr *arp = (struct inet_arp_hdr *)(buf + INET_ETH_HLEN);

	if (cap < INET_ETH_HLEN + sizeof(*arp))
		return -1;
	memset(eth->dst, 0xff, 6);
	memcpy(eth->src, our_mac, 6);
	eth->type = htons(INET_ETHERTYPE_ARP);
	arp->htype = htons(INET_ARP_HTYPE_ETHER);
	arp->ptype = htons(INET_ETHERTYPE_IPV4);
	arp->hlen = 6;
	arp->plen = 4;
	arp->op = htons(INET_ARP_OP_REQUEST);
	memcpy(arp->sha, our_mac, 6);
	memcpy(arp->spa, &our_ip, 4);
	/* RFC 826: the target hardware address is what we are asking for. */
	memset(arp->tha, 0, 6);
	memcpy(arp->tpa, &target_ip, 4);
	return INET_ETH_HLEN + (int)sizeof(*arp);
}

int neigh_build_ns(uint8_t *buf, uint16_t cap, const uint8_t our_mac[6], const uint8_t our_ip[16],
		   const uint8_t target[16])
{
	const size_t icmp_len = sizeof(struct inet_nd_msg) + sizeof(struct inet_nd_opt_lla);
	const size_t frame_len = INET_ETH_HLEN + INET_IPV6_HLEN + icmp_len;
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)buf;
	struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(buf + INET_ETH_HLEN);
	struct inet_nd_msg *ns = (struct inet_nd_msg *)(buf + INET_ETH_HLEN + INET_IPV6_HLEN);
	struct inet_nd_opt_lla *opt = (struct inet_nd_opt_lla *)(ns + 1);

	if (cap < frame_len)
		return -1;
	/* A multicast target is invalid (RFC 4861 7.1.1), and an unspecified
	 * source would forbid the link-layer option we need the answer to use. */
	if (inet_ip6_is_multicast(target) || inet_ip6_is_unspecified(our_ip))
		return -1;
	memset(buf, 0, frame_len);
	inet_ip6_solicited_node(target, ip6->dst);
	inet_ip6_mcast_mac(ip6->dst, eth->dst);
	memcpy(eth->src, our_mac, 6);
	eth->type = htons(INET_ETHERTYPE_IPV6);
	ip6->ver_tc_flow = htonl(6U << 28);
	ip6->payload_len = htons((uint16_t)icmp_len);
	ip6->next = INET_PROTO_ICMPV6;
	ip6->hop_limit = INET_ND_HOP_LIMIT;
	memcpy(ip6->src, our_ip, 16);
	ns->type = INET_ICMP6_NEIGH_SOLICIT;
	memcpy(ns->target, target, 16);
	opt->type = INET_ND_OPT_SLLA;
	opt->len = 1;
	memcpy(opt->mac, our_mac, 6);
	inet_icmp6_set_csum(ip6, (struct inet_icmp6_hdr *)ns, (uint16_t)icmp_len);
	return (int)frame_len;
}
