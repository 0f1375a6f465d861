/*
 * inet: the Ethernet, ARP, IPv4, IPv6, UDP, ICMP and ICMPv6 headers on the
 * wire, and the Internet checksum (RFC 1071) with its pseudo-headers.
 *
 * Every struct is packed (alignment 1, so a pointer into any byte of a frame
 * is a valid pointer to it) and may_alias (so it can be laid over a uint8_t
 * buffer). Multi-byte fields are in network order; convert with ntohs/htons
 * at the point of use. Checksum helpers take and return host-order values:
 * store a result with htons().
 */
#ifndef LT_INET_H
#define LT_INET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define INET_WIRE __attribute__((packed, may_alias))

/* --- Ethernet II (IEEE 802.3) ------------------------------------------ */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Destination MAC (48)                        |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                     Source MAC (48)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_eth_hdr {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t type;
} INET_WIRE;
_Static_assert(sizeof(struct inet_eth_hdr) == 14, "Ethernet header is 14 bytes");

#define INET_ETH_ALEN 6
#define INET_ETH_HLEN 14
#define INET_ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded */

#define INET_ETHERTYPE_IPV4 0x0800
#define INET_ETHERTYPE_ARP 0x0806
#define INET_ETHERTYPE_VLAN 0x8100
#define INET_ETHERTYPE_QINQ 0x88a8
#define INET_ETHERTYPE_IPV6 0x86dd

/* --- ARP for Ethernet/IPv4 (RFC 826) ----------------------------------- */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW len (6)   | Proto len (4) |          Operation            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Sender hardware address (48)                   |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |  Sender protocol address (32) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                Target hardware address (48)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Target protocol address (32)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_arp_hdr {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	uint8_t sha[6];
	uint8_t spa[4]; /* network order; a byte array because it sits unaligned */
	uint8_t tha[6];
	uint8_t tpa[4];
} INET_WIRE;
_Static_assert(sizeof(struct inet_arp_hdr) == 28, "ARP for Ethernet/IPv4 is 28 bytes");

#define INET_ARP_HTYPE_ETHER 1
#define INET_ARP_OP_REQUEST 1
#define INET_ARP_OP_REPLY 2

/* --- IPv4 (RFC 791 section 3.1) ---------------------------------------- */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_ipv4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag_off; /* flags in the top 3 bits */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src;
	uint32_t dst;
} INET_WIRE;
_Static_assert(sizeof(struct inet_ipv4_hdr) == 20, "IPv4 header without options is 20 bytes");

#define INET_IPV4_HLEN 20
#define INET_IPV4_DF 0x4000
#define INET_IPV4_MF 0x2000
#define INET_IPV4_OFFMASK 0x1fff

#define INET_PROTO_ICMP 1
#define INET_PROTO_UDP 17
#define INET_PROTO_ICMPV6 58

/* --- IPv6 (RFC 8200 section 3) ----------------------------------------- */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * +                  Source Address (128)                         +
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * +               Destination Address (128)                       +
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_ipv6_hdr {
	uint32_t ver_tc_flow;
	uint16_t payload_len;
	uint8_t next;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
} INET_WIRE;
_Static_assert(sizeof(struct inet_ipv6_hdr) == 40, "IPv6 header is 40 bytes");

#define INET_IPV6_HLEN 40

/* --- UDP (RFC 768) ----------------------------------------------------- */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t csum;
} INET_WIRE;
_Static_assert(sizeof(struct inet_udp_hdr) == 8, "UDP header is 8 bytes");

#define INET_UDP_HLEN 8

/* --- ICMP echo (RFC 792) and ICMPv6 echo (RFC 4443 section 4) ---------- */

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data ...
 * +-+-+-+-+-
 */
struct inet_icmp_echo {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
	uint16_t id;
	uint16_t seq;
} INET_WIRE;
_Static_assert(sizeof(struct inet_icmp_echo) == 8, "ICMP echo header is 8 bytes");

#define INET_ICMP_ECHO_REPLY 0
#define INET_ICMP_ECHO_REQUEST 8

/* The first 4 bytes every ICMPv6 message shares (RFC 4443 section 2.1). */
struct inet_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
} INET_WIRE;
_Static_assert(sizeof(struct inet_icmp6_hdr) == 4, "ICMPv6 header is 4 bytes");

#define INET_ICMP6_ECHO_REQUEST 128
#define INET_ICMP6_ECHO_REPLY 129
#define INET_ICMP6_ROUTER_SOLICIT 133
#define INET_ICMP6_ROUTER_ADVERT 134
#define INET_ICMP6_NEIGH_SOLICIT 135
#define INET_ICMP6_NEIGH_ADVERT 136

/* --- ICMPv6 neighbour discovery (RFC 4861 sections 4.3, 4.4, 4.6.1) ---- */

/*
 * Neighbor Solicitation (type 135) and Neighbor Advertisement (type 136):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|S|O|                 Reserved (NS: all 32 bits)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * +                       Target Address (128)                    +
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options ...
 * +-+-+-+-+-+-+-+-+-+-+-+-
 */
struct inet_nd_msg {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
	uint32_t flags; /* NA: R/S/O in the top bits; NS: reserved */
	uint8_t target[16];
} INET_WIRE;
_Static_assert(sizeof(struct inet_nd_msg) == 24, "NS/NA without options is 24 bytes");

#define INET_ND_NA_ROUTER 0x80000000U
#define INET_ND_NA_SOLICITED 0x40000000U
#define INET_ND_NA_OVERRIDE 0x20000000U

/*
 * Source/Target Link-layer Address option for Ethernet (RFC 4861 4.6.1);
 * every ND option starts with the same type and length (in 8-byte units).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |    Length     |    Link-Layer Address ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct inet_nd_opt_lla {
	uint8_t type;
	uint8_t len; /* units of 8 bytes; 1 for Ethernet, 0 is invalid */
	uint8_t mac[6];
} INET_WIRE;
_Static_assert(sizeof(struct inet_nd_opt_lla) == 8, "Ethernet link-layer option is 8 bytes");

#define INET_ND_OPT_SLLA 1
#define INET_ND_OPT_TLLA 2

#define INET_ND_HOP_LIMIT 255 /* RFC 4861 7.1.1: proves the sender is on-link */

/* --- address facts ---------------------------------------------------- */

static inline int inet_mac_is_group(const uint8_t mac[6])
{
	return mac[0] & 0x01;
}

static inline int inet_ip6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static inline int inet_ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

static inline int inet_ip6_is_loopback(const uint8_t a[16])
{
	static const uint8_t lo[16] = { [15] = 1 };
	return memcmp(a, lo, 16) == 0;
}

static inline int inet_ip6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Nonzero if the first bits bits of a and b are equal (addresses in
 * network order, IPv4 or IPv6). */
static inline int inet_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return 0;
	return !rest || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Nonzero if a is some address's solicited-node group ff02::1:ffXX:XXXX
 * (RFC 4291 section 2.7.1). */
int inet_ip6_is_solicited_node(const uint8_t a[16]);

/* The solicited-node multicast address of addr. */
void inet_ip6_solicited_node(const uint8_t addr[16], uint8_t out[16]);

/* The Ethernet group address of an IPv6 multicast address, 33:33 followed by
 * its last 32 bits (RFC 2464 section 7). */
void inet_ip6_mcast_mac(const uint8_t group[16], uint8_t mac[6]);

/* Nonzero if an IPv4 source address (network order) can never be a
 * legitimate unicast sender: 0.0.0.0, 127/8, 224/4 multicast, 240/4
 * reserved and 255.255.255.255 (RFC 1122 3.2.1.3, RFC 1812 5.3.7). Inline:
 * the fast path asks it of every request. */
static inline int inet_ip4_is_bad_src(uint32_t addr)
{
	uint8_t first = (uint8_t)(__builtin_bswap32(addr) >> 24);

	/* 224/4 and 240/4 together are 224/3, which includes 255.255.255.255. */
	return addr == 0 || first == 127 || first >= 224;
}

/* --- Internet checksum (RFC 1071, RFC 1624) --------------------------- */

/*
 * The one's complement sum does not depend on byte order (RFC 1071 2(B)):
 * data summed as native (little-endian) words gives the byte-swapped sum,
 * and its complement stored natively is the right checksum on the wire. The
 * inet_nsum* helpers work that way, 8 bytes per step, with no swapping at
 * all; they are inline because the fast path sums every request and reply
 * with them. A native sum is a uint64_t accumulator: start from 0, add
 * pieces (every piece but the last of even length), fold at the end.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "inet_nsum sums little-endian words");

/* Add a 64-bit word to a native sum, with end-around carry. */
static inline uint64_t inet_nsum_add(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

/*
 * Add len bytes at p to a native sum. On x86-64 the words go through one
 * add-with-carry chain, so with a constant len this unrolls into about one
 * instruction per 8 bytes; elsewhere the carries collect in the upper half
 * of a 128-bit accumulator.
 */
#if defined(__x86_64__)
static inline __attribute__((always_inline)) uint64_t inet_nsum(uint64_t acc, const void *p,
								size_t len)
{
	const uint8_t *b = p;
	unsigned long long a = acc;
	unsigned char c = 0;

#pragma GCC unroll 16
	for (; len >= 8; b += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		c = _addcarry_u64(c, a, w, &a);
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, b, 4);
		c = _addcarry_u64(c, a, w, &a);
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, 2);
		c = _addcarry_u64(c, a, w, &a);
		b += 2;
		len -= 2;
	}
	/* RFC 1071 4.1: an odd trailing byte is padded with a zero byte; in
	 * native order it is the low byte of its word. */
	if (len)
		c = _addcarry_u64(c, a, b[0], &a);
	c = _addcarry_u64(c, a, 0, &a);
	return a + c;
}
#else
static inline __attribute__((always_inline)) uint64_t inet_nsum(uint64_t acc, const void *p,
								size_t len)
{
	const uint8_t *b = p;
	unsigned __int128 s = acc;

	for (; len >= 8; b += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		s += w;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, b, 4);
		s += w;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, 2);
		s += w;
		b += 2;
		len -= 2;
	}
	if (len) /* the odd byte, padded (RFC 1071 4.1) */
		s += b[0];
	return inet_nsum_add((uint64_t)s, (uint64_t)(s >> 64));
}
#endif

/* Fold a native sum to 32 bits, to keep it in a smaller field. Adding a
 * word to itself rotated by half its width leaves, in the upper half, the
 * sum of both halves with the end-around carry. */
static inline uint32_t inet_nsum_fold32(uint64_t acc)
{
	return (uint32_t)((acc + (acc >> 32 | acc << 32)) >> 32);
}

/* Fold a native sum to 16 bits (native order). A message with a correct
 * checksum folds to 0xffff; the checksum to store is the complement. */
static inline uint16_t inet_nsum_fold(uint64_t acc)
{
	uint32_t x = inet_nsum_fold32(acc);

	return (uint16_t)((x + (x >> 16 | x << 16)) >> 16);
}

/* The checksum to store (native order) for the native sum of everything it
 * covers. */
static inline uint16_t inet_nsum_csum(uint64_t acc)
{
	return (uint16_t)~inet_nsum_fold(acc);
}

/* The same for UDP, which sends a computed 0 as 0xffff (RFC 768: 0 means
 * "none" over IPv4; RFC 8200 8.1: invalid over IPv6). */
static inline uint16_t inet_nsum_udp_csum(uint64_t acc)
{
	uint16_t c = inet_nsum_csum(acc);

	return c ? c : 0xffff;
}

/* Native sum of the IPv4 pseudo-header (RFC 768): the addresses as they
 * lie in the header, the protocol, and the length in network order. */
static inline uint64_t inet_nsum_pseudo4(const struct inet_ipv4_hdr *ip, uint8_t proto,
					 uint16_t len_be)
{
	return inet_nsum(inet_nsum_add((uint64_t)proto << 8, len_be), &ip->src, 8);
}

/* The same for IPv6 (RFC 8200 8.1), whose upper-layer length has 32 bits
 * (len_be32, network order). */
static inline uint64_t inet_nsum_pseudo6(const struct inet_ipv6_hdr *ip, uint8_t next,
					 uint32_t len_be32)
{
	return inet_nsum(inet_nsum_add((uint64_t)next << 8, len_be32), ip->src, 32);
}

/*
 * Add len bytes at p to a running one's complement sum, taking the bytes as
 * big-endian 16-bit words. When a message is summed in pieces, every piece
 * but the last must have an even length.
 */
uint32_t inet_csum_add(uint32_t sum, const void *p, size_t len);

/* Fold a running sum to 16 bits and complement it: the checksum to store
 * (host order). Summing a message that carries a correct checksum gives 0. */
uint16_t inet_csum_fold(uint32_t sum);

/* Checksum of len bytes at p (inet_csum_fold(inet_csum_add(0, p, len))). */
uint16_t inet_csum(const void *p, size_t len);

/* Running sums of the IPv4 (RFC 768) and IPv6 (RFC 8200 section 8.1)
 * pseudo-headers; src/dst in network order, l4_len in host order. */
uint32_t inet_pseudo4_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len);
uint32_t inet_pseudo6_sum(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
			  uint32_t l4_len);

/* Fill the header checksum of an IPv4 header of hlen bytes. */
void inet_ipv4_set_csum(struct inet_ipv4_hdr *ip, size_t hlen);

/* Nonzero if the IPv4 header of hlen bytes carries a correct checksum. */
int inet_ipv4_csum_ok(const struct inet_ipv4_hdr *ip, size_t hlen);

/*
 * Fill the checksum of a UDP datagram of len bytes (header included) over
 * IPv4 or IPv6. A computed 0 is sent as 0xffff, because 0 on the wire means
 * "no checksum" for IPv4 and is invalid for IPv6 (RFC 768, RFC 8200 8.1).
 */
void inet_udp4_set_csum(const struct inet_ipv4_hdr *ip, struct inet_udp_hdr *udp, uint16_t len);
void inet_udp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_udp_hdr *udp, uint16_t len);

/* Fill the checksum of an ICMPv6 message of len bytes (RFC 4443 2.3). */
void inet_icmp6_set_csum(const struct inet_ipv6_hdr *ip, struct inet_icmp6_hdr *icmp, uint16_t len);

/*
 * Rewrite a received neighbour solicitation at buf (Ethernet, a 40-byte
 * IPv6 header, the ICMPv6 message right after) into our advertisement for
 * target, sent from our_mac to peer at peer_mac: hop limit 255, Override
 * set, Solicited unless peer is a multicast group (a DAD reply to all-nodes,
 * RFC 4861 7.2.4), with our link-layer address option when with_tlla, and
 * the checksum. target, peer and peer_mac must not point into buf. Returns
 * the ICMPv6 length (24, or 32 with the option); buf must have room for it.
 */
uint16_t inet_nd_write_na(uint8_t *buf, const uint8_t our_mac[6], const uint8_t target[16],
			  const uint8_t peer[16], const uint8_t peer_mac[6], int with_tlla);

/* Nonzero if the UDP/ICMPv6 message of len bytes at l4 checksums correctly
 * with the IPv4/IPv6 pseudo-header of ip (protocol proto/next). */
int inet_l4_csum4_ok(const struct inet_ipv4_hdr *ip, uint8_t proto, const void *l4, uint16_t len);
int inet_l4_csum6_ok(const struct inet_ipv6_hdr *ip, uint8_t next, const void *l4, uint32_t len);

#endif
