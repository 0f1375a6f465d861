/* genreq: request frames for a simulated client population (see genreq.h). */
#include "genreq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inet.h"
#include "ntp_packet.h"

#define REQ_TTL 64
#define NTP_ORG_OFF 24 /* origin timestamp inside the NTP header */
#define NTP_RX_OFF 32  /* receive timestamp */
#define NTP_TX_OFF 40  /* transmit timestamp */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static unsigned __int128 load128(const uint8_t a[16])
{
	unsigned __int128 v = 0;
	for (int i = 0; i < 16; i++)
		v = v << 8 | a[i];
	return v;
}

static void store128(uint8_t a[16], unsigned __int128 v)
{
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint32_t load32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static void store32(uint8_t *a, uint32_t v)
{
	put16(a, (uint16_t)(v >> 16));
	put16(a + 2, (uint16_t)v);
}

/* --- the client population --------------------------------------------- */

void genreq_client_addr(const struct genreq_cfg *c, uint32_t i, uint8_t out[16])
{
	memset(out, 0, 16);
	if (c->family == 4)
		store32(out, load32(c->src_first) + i);
	else
		store128(out, load128(c->src_first) + i);
}

int64_t genreq_client_index(const struct genreq_cfg *c, const uint8_t *addr)
{
	if (c->family == 4) {
		uint32_t d = load32(addr) - load32(c->src_first);
		return d < c->src_count ? (int64_t)d : -1;
	}
	unsigned __int128 d = load128(addr) - load128(c->src_first);
	return d < c->src_count ? (int64_t)d : -1;
}

static int bad(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static int check_cfg(const struct genreq_cfg *c, char *err, size_t errlen)
{
	if (c->family != 4 && c->family != 6)
		return bad(err, errlen, "address family must be 4 or 6");
	if (c->version < 1 || c->version > 4)
		return bad(err, errlen, "NTP version must be 1..4");
	if (c->src_count == 0)
		return bad(err, errlen, "source address count must be at least 1");
	if (c->family == 4) {
		if ((uint64_t)load32(c->src_first) + c->src_count - 1 > UINT32_MAX)
			return bad(err, errlen, "source address range runs past 255.255.255.255");
		if (inet_ip4_is_bad_src(htonl(load32(c->src_first))) ||
		    inet_ip4_is_bad_src(htonl(load32(c->src_first) + c->src_count - 1)))
			return bad(err, errlen, "source address range includes unusable addresses");
	} else {
		unsigned __int128 first = load128(c->src_first);
		if (first + (c->src_count - 1) < first)
			return bad(err, errlen, "source address range runs past the end of IPv6");
		if (inet_ip6_is_multicast(c->src_first) || inet_ip6_is_unspecified(c->src_first))
			return bad(err, errlen, "source address range is not unicast");
	}
	if (c->sport_first == 0 || c->sport_count == 0 ||
	    (uint32_t)c->sport_first + c->sport_count - 1 > 65535)
		return bad(err, errlen, "source port range must lie within 1..65535");
	if (c->dport == 0)
		return bad(err, errlen, "destination port must not be 0");
	if (inet_mac_is_group(c->src_mac))
		return bad(err, errlen, "source MAC must be a unicast address");
	return 0;
}

int genreq_init(struct genreq *g, const struct genreq_cfg *c, char *err, size_t errlen)
{
	int rc = check_cfg(c, err, errlen);
	uint8_t *f = g->tmpl;
	struct ntp_header h;
	uint16_t ulen = INET_UDP_HLEN + NTP_HEADER_LEN;
	struct inet_udp_hdr *udp;

	if (rc)
		return rc;
	memset(g, 0, sizeof(*g));
	g->c = *c;
	memcpy(f, c->dst_mac, 6);
	memcpy(f + 6, c->src_mac, 6);
	g->l3_off = INET_ETH_HLEN;
	if (c->family == 4) {
		struct inet_ipv4_hdr *ip = (struct inet_ipv4_hdr *)(f + g->l3_off);

		put16(f + 12, INET_ETHERTYPE_IPV4);
		ip->ver_ihl = 0x45;
		ip->total_len = htons((uint16_t)(INET_IPV4_HLEN + ulen));
		ip->frag_off = htons(INET_IPV4_DF);
		ip->ttl = REQ_TTL;
		ip->proto = INET_PROTO_UDP;
		memcpy(&ip->dst, c->dst, 4);
		g->l4_off = g->l3_off + INET_IPV4_HLEN;
		g->ip_sum = inet_csum_add(0, ip, INET_IPV4_HLEN);
		g->udp_sum = inet_pseudo4_sum(0, ip->dst, INET_PROTO_UDP, ulen);
	} else {
		struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(f + g->l3_off);
		static const uint8_t zero[16];

		put16(f + 12, INET_ETHERTYPE_IPV6);
		ip6->ver_tc_flow = htonl(6U << 28);
		ip6->payload_len = htons(ulen);
		ip6->next = INET_PROTO_UDP;
		ip6->hop_limit = REQ_TTL;
		memcpy(ip6->dst, c->dst, 16);
		g->l4_off = g->l3_off + INET_IPV6_HLEN;
		g->udp_sum = inet_pseudo6_sum(zero, ip6->dst, INET_PROTO_UDP, ulen);
	}
	udp = (struct inet_udp_hdr *)(f + g->l4_off);
	udp->dport = htons(c->dport);
	udp->len = htons(ulen);
	g->ntp_off = g->l4_off + INET_UDP_HLEN;

	/* What an SNTP client sends (RFC 4330 5): mode 3, everything but the
	 * transmit timestamp zero; the poll and precision a client would
	 * advertise. The transmit field is filled per request. */
	memset(&h, 0, sizeof(h));
	h.leap = NTP_LEAP_NONE;
	h.version = c->version;
	h.mode = NTP_MODE_CLIENT;
	h.poll = c->poll;
	h.precision = -20;
	ntp_packet_encode(&h, f + g->ntp_off, NTP_HEADER_LEN);
	g->udp_sum = inet_csum_add(g->udp_sum, udp, ulen);
	g->len = (uint16_t)(g->ntp_off + NTP_HEADER_LEN);
	return 0;
}

void genreq_rewind(struct genreq *g)
{
	g->addr_i = 0;
	g->port_i = 0;
}

/* --- transmit-timestamp cookies ----------------------------------------- */

/* A 64-bit mixer (the finaliser of splitmix64): every input bit affects
 * every output bit, so without the key the high half cannot be forged. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

ntp_ts_t genreq_cookie(uint64_t key, uint32_t seq)
{
	return (mix64(key ^ seq) & 0xffffffff00000000ULL) | seq;
}

uint64_t genreq_rx_key(uint64_t key)
{
	return mix64(key ^ 0x786c65617665ULL); /* "xleave" */
}

int genreq_cookie_check(uint64_t key, ntp_ts_t ts, uint32_t *seq)
{
	uint32_t s = (uint32_t)ts;

	if (genreq_cookie(key, s) != ts)
		return 0;
	*seq = s;
	return 1;
}

/* --- requests ------------------------------------------------------------ */

static uint32_t sum_words(uint32_t sum, const uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 2)
		sum += get16(p + i);
	return sum;
}

static uint16_t build(struct genreq *g, uint32_t seq, ntp_ts_t org, uint8_t *out,
		      uint32_t *addr_i, uint16_t *sport)
{
	const struct genreq_cfg *c = &g->c;
	uint16_t port = (uint16_t)(c->sport_first + g->port_i);
	ntp_ts_t tx = genreq_cookie(c->key, seq);
	uint8_t *ntp = out + g->ntp_off;
	uint8_t *udp = out + g->l4_off;
	uint8_t src[16];
	uint32_t usum;

	memcpy(out, g->tmpl, g->len);
	genreq_client_addr(c, g->addr_i, src);
	ntp_ts_store(ntp + NTP_TX_OFF, tx);
	put16(udp, port);
	usum = g->udp_sum + port;
	usum = sum_words(usum, ntp + NTP_TX_OFF, 8);
	if (org) {
		ntp_ts_store(ntp + NTP_ORG_OFF, org);
		ntp_ts_store(ntp + NTP_RX_OFF, genreq_cookie(genreq_rx_key(c->key), seq));
		usum = sum_words(usum, ntp + NTP_ORG_OFF, 16);
	}
	if (c->family == 4) {
		uint8_t *ip = out + g->l3_off;

		memcpy(ip + 12, src, 4);
		usum = sum_words(usum, src, 4);
		put16(ip + 10, inet_csum_fold(sum_words(g->ip_sum, src, 4)));
	} else {
		memcpy(out + g->l3_off + 8, src, 16);
		usum = sum_words(usum, src, 16);
	}
	uint16_t cs = inet_csum_fold(usum);
	put16(udp + 6, cs ? cs : 0xffff); /* RFC 768: a computed 0 is sent as all ones */

	if (addr_i)
		*addr_i = g->addr_i;
	if (sport)
		*sport = port;
	if (++g->addr_i == c->src_count) {
		g->addr_i = 0;
		if (++g->port_i == c->sport_count)
			g->port_i = 0;
	}
	return g->len;
}

uint16_t genreq_next(struct genreq *g, uint32_t seq, uint8_t *out, uint32_t *addr_i,
		     uint16_t *sport)
{
	return build(g, seq, 0, out, addr_i, sport);
}

uint16_t genreq_next_xleave(struct genreq *g, uint32_t seq, ntp_ts_t org, uint8_t *out,
			    uint32_t *addr_i, uint16_t *sport)
{
	return build(g, seq, org, out, addr_i, sport);
}

/* --- neighbours ---------------------------------------------------------- */

static uint16_t pad_min(uint8_t *buf, uint16_t len, uint16_t cap)
{
	if (len < INET_ETH_MIN_FRAME && cap >= INET_ETH_MIN_FRAME) {
		memset(buf + len, 0, INET_ETH_MIN_FRAME - len);
		return INET_ETH_MIN_FRAME;
	}
	return len;
}

uint16_t genreq_resolve_frame(const struct genreq_cfg *c, uint8_t *out)
{
	memcpy(out + 6, c->src_mac, 6);
	if (c->family == 4) {
		struct inet_arp_hdr *arp = (struct inet_arp_hdr *)(out + INET_ETH_HLEN);

		memset(out, 0xff, 6);
		put16(out + 12, INET_ETHERTYPE_ARP);
		memset(arp, 0, sizeof(*arp));
		arp->htype = htons(INET_ARP_HTYPE_ETHER);
		arp->ptype = htons(INET_ETHERTYPE_IPV4);
		arp->hlen = 6;
		arp->plen = 4;
		arp->op = htons(INET_ARP_OP_REQUEST);
		memcpy(arp->sha, c->src_mac, 6);
		memcpy(arp->spa, c->src_first, 4);
		memcpy(arp->tpa, c->dst, 4);
		return pad_min(out, INET_ETH_HLEN + sizeof(*arp), GENREQ_FRAME_MAX);
	}
	struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(out + INET_ETH_HLEN);
	struct inet_nd_msg *nd = (struct inet_nd_msg *)(ip6 + 1);
	struct inet_nd_opt_lla *opt = (struct inet_nd_opt_lla *)(nd + 1);
	const uint16_t icmp_len = sizeof(*nd) + sizeof(*opt);

	put16(out + 12, INET_ETHERTYPE_IPV6);
	ip6->ver_tc_flow = htonl(6U << 28);
	ip6->payload_len = htons(icmp_len);
	ip6->next = INET_PROTO_ICMPV6;
	ip6->hop_limit = INET_ND_HOP_LIMIT; /* RFC 4861 7.1.1 */
	memcpy(ip6->src, c->src_first, 16);
	inet_ip6_solicited_node(c->dst, ip6->dst);
	inet_ip6_mcast_mac(ip6->dst, out);
	memset(nd, 0, sizeof(*nd));
	nd->type = INET_ICMP6_NEIGH_SOLICIT;
	memcpy(nd->target, c->dst, 16);
	opt->type = INET_ND_OPT_SLLA;
	opt->len = 1;
	memcpy(opt->mac, c->src_mac, 6);
	inet_icmp6_set_csum(ip6, (struct inet_icmp6_hdr *)nd, icmp_len);
	return (uint16_t)(INET_ETH_HLEN + INET_IPV6_HLEN + icmp_len);
}

/* The ICMPv6 message of an IPv6 frame, or NULL; *n gets its length. */
static uint8_t *icmp6_of(uint8_t *buf, uint16_t len, uint16_t *n)
{
	const struct inet_ipv6_hdr *ip6 = (const struct inet_ipv6_hdr *)(buf + INET_ETH_HLEN);
	uint16_t plen;

	if (len < INET_ETH_HLEN + INET_IPV6_HLEN + sizeof(struct inet_nd_msg) ||
	    get16(buf + 12) != INET_ETHERTYPE_IPV6 || (buf[INET_ETH_HLEN] >> 4) != 6 ||
	    ip6->next != INET_PROTO_ICMPV6 || ip6->hop_limit != INET_ND_HOP_LIMIT)
		return NULL;
	plen = ntohs(ip6->payload_len);
	if (plen < sizeof(struct inet_nd_msg) || plen > len - INET_ETH_HLEN - INET_IPV6_HLEN ||
	    !inet_l4_csum6_ok(ip6, INET_PROTO_ICMPV6, ip6 + 1, plen))
		return NULL;
	*n = plen;
	return buf + INET_ETH_HLEN + INET_IPV6_HLEN;
}

/* First Ethernet link-layer address option of type want, or NULL. */
static const uint8_t *nd_lla(const uint8_t *icmp, uint16_t n, uint8_t want)
{
	uint16_t off = sizeof(struct inet_nd_msg);

	while (off + 2 <= n) {
		uint16_t olen = (uint16_t)(icmp[off + 1] * 8);
		if (olen == 0 || olen > n - off)
			return NULL;
		if (icmp[off] == want && olen >= sizeof(struct inet_nd_opt_lla))
			return icmp + off + 2;
		off = (uint16_t)(off + olen);
	}
	return NULL;
}

int genreq_resolve_learn(const struct genreq_cfg *c, const uint8_t *frame, uint16_t len,
			 uint8_t mac[6])
{
	if (c->family == 4) {
		const struct inet_arp_hdr *arp = (const struct inet_arp_hdr *)(frame + INET_ETH_HLEN);

		if (len < INET_ETH_HLEN + sizeof(*arp) || get16(frame + 12) != INET_ETHERTYPE_ARP ||
		    ntohs(arp->htype) != INET_ARP_HTYPE_ETHER || ntohs(arp->ptype) != INET_ETHERTYPE_IPV4 ||
		    arp->hlen != 6 || arp->plen != 4 || ntohs(arp->op) != INET_ARP_OP_REPLY ||
		    memcmp(arp->spa, c->dst, 4) != 0 || inet_mac_is_group(arp->sha))
			return 0;
		memcpy(mac, arp->sha, 6);
		return 1;
	}
	uint8_t tmp[GENREQ_FRAME_MAX * 2];
	uint16_t n;
	const uint8_t *icmp, *lla;

	if (len > sizeof(tmp))
		return 0;
	memcpy(tmp, frame, len); /* icmp6_of() takes a writable buffer */
	icmp = icmp6_of(tmp, len, &n);
	if (!icmp || icmp[0] != INET_ICMP6_NEIGH_ADVERT || icmp[1] != 0 ||
	    memcmp(((const struct inet_nd_msg *)icmp)->target, c->dst, 16) != 0)
		return 0;
	lla = nd_lla(icmp, n, INET_ND_OPT_TLLA);
	if (!lla || inet_mac_is_group(lla))
		return 0;
	memcpy(mac, lla, 6);
	return 1;
}

uint16_t genreq_answer_neigh(const struct genreq_cfg *c, uint8_t *buf, uint16_t len, uint16_t cap)
{
	if (len < INET_ETH_HLEN)
		return 0;
	if (c->family == 4 && get16(buf + 12) == INET_ETHERTYPE_ARP) {
		struct inet_arp_hdr *arp = (struct inet_arp_hdr *)(buf + INET_ETH_HLEN);
		uint8_t sha[6], spa[4], tpa[4];

		if (len < INET_ETH_HLEN + sizeof(*arp) || ntohs(arp->htype) != INET_ARP_HTYPE_ETHER ||
		    ntohs(arp->ptype) != INET_ETHERTYPE_IPV4 || arp->hlen != 6 || arp->plen != 4 ||
		    ntohs(arp->op) != INET_ARP_OP_REQUEST || inet_mac_is_group(arp->sha) ||
		    genreq_client_index(c, arp->tpa) < 0)
			return 0;
		memcpy(sha, arp->sha, 6);
		memcpy(spa, arp->spa, 4);
		memcpy(tpa, arp->tpa, 4);
		memcpy(buf, sha, 6);
		memcpy(buf + 6, c->src_mac, 6);
		arp->op = htons(INET_ARP_OP_REPLY);
		memcpy(arp->sha, c->src_mac, 6);
		memcpy(arp->spa, tpa, 4);
		memcpy(arp->tha, sha, 6);
		memcpy(arp->tpa, spa, 4);
		return pad_min(buf, INET_ETH_HLEN + sizeof(*arp), cap);
	}
	if (c->family != 6)
		return 0;

	uint16_t n;
	uint8_t *icmp = icmp6_of(buf, len, &n);
	struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(buf + INET_ETH_HLEN);
	struct inet_nd_msg *nd = (struct inet_nd_msg *)icmp;
	struct inet_nd_opt_lla *opt;
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	const uint16_t icmp_len = sizeof(*nd) + sizeof(*opt);
	uint8_t target[16], peer[16], peer_mac[6];

	if (!icmp || nd->type != INET_ICMP6_NEIGH_SOLICIT || nd->code != 0 ||
	    genreq_client_index(c, nd->target) < 0 ||
	    cap < INET_ETH_HLEN + INET_IPV6_HLEN + icmp_len)
		return 0;
	memcpy(target, nd->target, 16);
	if (inet_ip6_is_unspecified(ip6->src)) {
		/* A duplicate address probe: answer all-nodes (RFC 4861 7.2.4). */
		memcpy(peer, all_nodes, 16);
		inet_ip6_mcast_mac(all_nodes, peer_mac);
	} else {
		memcpy(peer, ip6->src, 16);
		memcpy(peer_mac, buf + 6, 6);
	}
	inet_nd_write_na(buf, c->src_mac, target, peer, peer_mac, 1);
	return (uint16_t)(INET_ETH_HLEN + INET_IPV6_HLEN + icmp_len);
}

/* --- pcap ---------------------------------------------------------------- */

int genreq_pcap_header(FILE *f)
{
	/* Written in host order; readers detect the order from the magic. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = { 0xa1b2c3d4U, 2, 4, 0, 0, 65535, 1 };

	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

int genreq_pcap_frame(FILE *f, uint64_t ts_ns, const uint8_t *frame, uint16_t len)
{
	struct {
		uint32_t sec, usec, caplen, origlen;
	} r = { (uint32_t)(ts_ns / 1000000000ULL), (uint32_t)(ts_ns % 1000000000ULL / 1000), len, len };

	if (fwrite(&r, sizeof(r), 1, f) != 1 || fwrite(frame, 1, len, f) != len)
		return -EIO;
	return 0;
}
