/* pktproc: classify one frame and build its reply in place (see pktproc.h). */
#include "pktproc.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "acl.h"
#include "clientlog.h"
#include "inet.h"
#include "keytab.h"
#include "ntp_mac.h"
#include "ntp_packet.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define REPLY_TTL 64

/* For the few helpers of the common request's path: inlined where it is
 * taken, the compiler folds its constant offsets into them. */
#define FAST_PATH static inline __attribute__((always_inline))

enum dst_kind {
	DST_OURS,   /* unicast to the port's MAC */
	DST_BCAST,  /* ff:ff:ff:ff:ff:ff */
	DST_MCAST6, /* 33:33:xx:xx:xx:xx, IPv6 multicast (RFC 2464 7) */
};

/* One frame in flight: the buffer, how much of it is the frame, and the
 * verdict being filled in as the headers are walked. */
struct pkt {
	const struct pktproc_ctx *ctx;
	uint8_t *buf;
	uint16_t len; /* frame bytes, trimmed to the IP length once that is known */
	uint16_t cap;
	uint8_t dst_kind;
	uint8_t ip6_mcast; /* IPv6 destination is a group (solicited-node, all-nodes) */
	uint8_t rx_ok;     /* PKTPROC_RX_*_CSUM_OK: checksums the NIC verified */
	uint8_t ntp_tail;  /* bytes after a (non-KoD) NTP reply's header: its MAC */
	const struct ntp_reply_tmpl *tmpl;
	ntp_ts_t rx_ts;
	struct pktproc_verdict v;
};

FAST_PATH struct pktproc_verdict finish(struct pkt *p, enum pktproc_action action, enum lt_ctr ctr)
{
	p->v.action = (uint8_t)action;
	p->v.ctr = (uint16_t)ctr;
	return p->v;
}

static struct pktproc_verdict drop(struct pkt *p, enum lt_ctr ctr)
{
	return finish(p, PKTPROC_DROP, ctr);
}

/* --- our addresses ---------------------------------------------------- */

static unsigned int n_addrs(uint8_t n)
{
	return n < LT_MAX_ADDRS ? n : LT_MAX_ADDRS;
}

static int ip4_is_ours(const struct pktproc_port *port, uint32_t a)
{
	unsigned int i;

	if (a == 0)
		return 0;
	for (i = 0; i < n_addrs(port->n_ip4); i++)
		if (port->ip4[i] == a)
			return 1;
	return 0;
}

/* An all-zero slot (such as an unset link-local) never matches. */
static int ip6_is_ours(const struct pktproc_port *port, const uint8_t a[16])
{
	unsigned int i;

	if (inet_ip6_is_unspecified(a))
		return 0;
	for (i = 0; i < n_addrs(port->n_ip6); i++)
		if (memcmp(port->ip6[i], a, 16) == 0)
			return 1;
	return memcmp(port->ip6_ll, a, 16) == 0;
}

/* Solicited-node group of one of our addresses (RFC 4291 2.7.1). */
static int ip6_is_our_solicited(const struct pktproc_port *port, const uint8_t a[16])
{
	unsigned int i;

	if (!inet_ip6_is_solicited_node(a))
		return 0;
	for (i = 0; i < n_addrs(port->n_ip6); i++)
		if (!inet_ip6_is_unspecified(port->ip6[i]) && memcmp(port->ip6[i] + 13, a + 13, 3) == 0)
			return 1;
	return !inet_ip6_is_unspecified(port->ip6_ll) && memcmp(port->ip6_ll + 13, a + 13, 3) == 0;
}

/* Next-header values that are IPv6 extension headers (RFC 8200 4, IANA
 * "IPv6 Extension Header Types"): we serve no datagram that carries one. */
static int ip6_is_ext(uint8_t nh)
{
	switch (nh) {
	case 0: case 43: case 44: case 50: case 51: case 60:
	case 135: case 139: case 140: case 253: case 254:
		return 1;
	default:
		return 0;
	}
}

/* --- turning a request around ----------------------------------------- */

FAST_PATH void reply_eth(struct pkt *p, const uint8_t dst[6])
{
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)p->buf;

	memmove(eth->dst, dst, 6);
	memcpy(eth->src, p->ctx->port->mac, 6);
}

/* Swap the addresses and write a fresh header: no options (we never accept
 * any), ID 0 with DF (an atomic datagram, RFC 6864 4.1). */
FAST_PATH void reply_ip4(struct inet_ipv4_hdr *ip, uint16_t l4_len)
{
	uint32_t a = ip->src;
	uint16_t csum;

	ip->src = ip->dst;
	ip->dst = a;
	ip->ver_ihl = 0x45;
	ip->tos = 0;
	ip->total_len = htons((uint16_t)(INET_IPV4_HLEN + l4_len));
	ip->id = 0;
	ip->frag_off = htons(INET_IPV4_DF);
	ip->ttl = REPLY_TTL;
	ip->csum = 0;
	csum = inet_nsum_csum(inet_nsum(0, ip, INET_IPV4_HLEN));
	ip->csum = csum;
}

static void reply_ip6(struct inet_ipv6_hdr *ip6, uint16_t l4_len)
{
	uint8_t a[16];

	memcpy(a, ip6->src, 16);
	memcpy(ip6->src, ip6->dst, 16);
	memcpy(ip6->dst, a, 16);
	ip6->ver_tc_flow = htonl(6U << 28);
	ip6->payload_len = htons(l4_len);
	ip6->hop_limit = REPLY_TTL;
}

/* --- NTP --------------------------------------------------------------- */

/*
 * What may follow the 48-byte header: extension fields (RFC 7822 3: each at
 * least 16 bytes, a multiple of 4, inside the datagram), optionally ended by
 * a MAC (RFC 5905 7.3: key id + 16-byte MD5 or 20-byte SHA-1), a 4-byte
 * crypto-NAK, or an MS-SNTP authenticator ([MS-SNTP] 2.2: 20 bytes, or 72
 * for the extended one; 68 is also let through). A remainder of one of those
 * sizes is taken as the MAC, as RFC 7822 7.5 has receivers do.
 */
static int ntp_tail_ok(const uint8_t *q, uint16_t n)
{
	while (n) {
		uint16_t flen;

		if (n == 4 || n == 20 || n == 24 || n == 68 || n == 72)
			return 1;
		if (n < 16)
			return 0;
		flen = (uint16_t)(q[2] << 8 | q[3]);
		if (flen < 16 || (flen & 3) || flen > n)
			return 0;
		q += flen;
		n -= flen;
	}
	return 1;
}

/* Kiss codes (RFC 5905 7.4), host order. */
#define KISS_DENY 0x44454e59U
#define KISS_RATE 0x52415445U

/* A Kiss-o'-Death in place of the request at q (RFC 5905 7.4): leap 3,
 * stratum 0, the code as reference id, nothing of our clock but the
 * precision; receive and transmit repeat the client's own timestamp. */
static void ntp_kod_write(const struct ntp_reply_tmpl *t, uint8_t *q, uint32_t kiss)
{
	uint8_t client_tx[8];

	memcpy(client_tx, q + 40, 8);
	q[0] = (uint8_t)(NTP_LEAP_UNSYNC << 6 | (q[0] & 0x38) | NTP_MODE_SERVER);
	q[1] = 0;
	q[3] = t->head[3];
	memset(q + 4, 0, 8);
	q[12] = (uint8_t)(kiss >> 24);
	q[13] = (uint8_t)(kiss >> 16);
	q[14] = (uint8_t)(kiss >> 8);
	q[15] = (uint8_t)kiss;
	memset(q + 16, 0, 8);
	memcpy(q + 24, client_tx, 8);
	memcpy(q + 32, client_tx, 8);
	memcpy(q + 40, client_tx, 8);
}

/*
 * Rewrite the request at ntp_off into its mode 4 reply. kiss == 0: a normal
 * reply, its transmit timestamp, MAC digest and UDP checksum left for
 * pktproc_stamp_tx(); it carries p->ntp_tail bytes of MAC (the key
 * identifier written here, the digest there). kiss != 0: a Kiss-o'-Death,
 * bare and checksummed here.
 */
FAST_PATH struct pktproc_verdict ntp_reply(struct pkt *p, uint16_t ntp_off, enum lt_ctr ctr,
					       uint32_t kiss)
{
	uint8_t *q = p->buf + ntp_off;
	struct inet_udp_hdr *udp = (struct inet_udp_hdr *)(p->buf + p->v.l4_off);
	const uint16_t ntp_len = (uint16_t)(NTP_HEADER_LEN + (kiss ? 0 : p->ntp_tail));
	const uint16_t ulen_be = htons(INET_UDP_HLEN + ntp_len);
	uint16_t port = udp->sport;
	uint64_t sum;

	/* Extension fields are not echoed and a MAC is only as long as the
	 * request's: the reply is never longer than the request (no
	 * amplification). */
	if (kiss) {
		ntp_kod_write(p->tmpl, q, kiss);
		sum = inet_nsum(0, q, NTP_HEADER_LEN);
	} else {
		sum = ntp_reply_write(p->tmpl, q, p->rx_ts);
		if (unlikely(p->ntp_tail)) {
			/* The key identifier (0: a crypto-NAK); the digest follows in
			 * pktproc_stamp_tx(). */
			uint32_t id = p->v.auth == PKTPROC_AUTH_OK ? htonl(p->v.key->mac.id) : 0;

			memcpy(q + NTP_HEADER_LEN, &id, 4);
			sum = inet_nsum(sum, q + NTP_HEADER_LEN, 4);
		}
	}
	udp->sport = udp->dport;
	udp->dport = port;
	udp->len = ulen_be;
	udp->csum = 0;
	/* Swapping the addresses leaves the pseudo-header's sum as it was. */
	if (p->v.ipv6) {
		struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(p->buf + p->v.l3_off);
		reply_ip6(ip6, (uint16_t)(INET_UDP_HLEN + ntp_len));
		sum = inet_nsum_add(sum, inet_nsum_pseudo6(ip6, INET_PROTO_UDP,
							   htonl(INET_UDP_HLEN + ntp_len)));
	} else {
		struct inet_ipv4_hdr *ip = (struct inet_ipv4_hdr *)(p->buf + p->v.l3_off);
		reply_ip4(ip, (uint16_t)(INET_UDP_HLEN + ntp_len));
		sum = inet_nsum_add(sum, inet_nsum_pseudo4(ip, INET_PROTO_UDP, ulen_be));
	}
	sum = inet_nsum(sum, udp, INET_UDP_HLEN);
	reply_eth(p, ((struct inet_eth_hdr *)p->buf)->src);
	p->v.len = (uint16_t)(ntp_off + ntp_len);
	if (kiss) {
		udp->csum = inet_nsum_udp_csum(sum);
	} else {
		p->v.ntp_off = ntp_off;
		p->v.l4_nsum = inet_nsum_fold32(sum);
	}
	return finish(p, PKTPROC_REPLY, ctr);
}

/*
 * The MAC at mac_off of the request at ntp_off (n bytes): 0 if it verifies
 * under one of our keys, and the reply will carry a MAC under the same key.
 * Otherwise 1, with the verdict made: a crypto-NAK (RFC 5905 A.5.1.1: a
 * server reply whose MAC is the key identifier 0 alone) or a drop.
 */
static int ntp_auth(struct pkt *p, uint16_t ntp_off, uint16_t n, uint16_t mac_off)
{
	const struct pktproc_ctx *c = p->ctx;
	const uint8_t *q = p->buf + ntp_off;
	const uint16_t dlen = (uint16_t)(n - mac_off - 4);
	uint32_t id;
	const struct keytab_key *k;

	memcpy(&id, q + mac_off, 4);
	k = c->keys ? keytab_find(c->keys, ntohl(id)) : NULL;
	p->v.key = k;
	if (likely(k && k->mac.digest_len == dlen &&
		   ntp_mac_check(&k->mac, q, mac_off, q + mac_off + 4))) {
		p->v.auth = PKTPROC_AUTH_OK;
		p->ntp_tail = (uint8_t)(4 + dlen);
		return 0;
	}
	p->v.auth = PKTPROC_AUTH_FAIL;
	if (c->crypto_nak) {
		p->ntp_tail = NTP_MAC_NAK_LEN;
		ntp_reply(p, ntp_off, k ? LT_CTR_crypto_nak_bad_mac : LT_CTR_crypto_nak_unknown_key, 0);
	} else {
		drop(p, k ? LT_CTR_drop_auth_bad_mac : LT_CTR_drop_auth_unknown_key);
	}
	return 1;
}

/* With no rate limit configured, the client log still counts every client. */
static const struct clientlog_params log_only = {.ipv4_prefix = 32, .ipv6_prefix = 128};

/* A signed-time request that passed the rules: control has Samba sign it. A
 * refusal is silent, as a Windows client rejects anything unsigned anyway. */
static struct pktproc_verdict mssntp_client(struct pkt *p, const uint8_t *src)
{
	const struct pktproc_ctx *c = p->ctx;

	if (c->acl && !(p->v.ipv6 ? acl_allow6(c->acl, src) : acl_allow4(c->acl, src)))
		return drop(p, LT_CTR_drop_acl_deny);
	if (!c->mssntp)
		return drop(p, LT_CTR_drop_mssntp_off);
	if (c->clog) {
		switch (clientlog_account(c->clog, c->rl ? c->rl : &log_only, p->v.ipv6 ? 6 : 4, src,
					  c->now_tsc)) {
		case CLIENTLOG_KOD:
		case CLIENTLOG_DROP:
			return drop(p, LT_CTR_drop_ratelimit);
		case CLIENTLOG_LEAK:
		case CLIENTLOG_PASS:
			break;
		}
	}
	return finish(p, PKTPROC_PUNT, LT_CTR_mssntp_punted);
}

/*
 * A reply to a client the log knows (entry slot): basic, or interleaved
 * when the request's origin is the receive timestamp of our last reply to
 * the same host and we know when that reply left (RFC 9769 2).
 * An interleaved reply carries the request's receive field as origin, this
 * request's receive time and the last reply's departure; it is complete
 * here and needs no transmit stamp. Either way this reply becomes the one
 * the next request can follow up on.
 */
FAST_PATH struct pktproc_verdict ntp_answer(struct pkt *p, uint16_t ntp_off, enum lt_ctr ctr,
					 const uint8_t *src, uint32_t slot)
{
	struct clientlog *clog = p->ctx->clog;
	uint8_t *q = p->buf + ntp_off;
	uint64_t org, req_rx, req_tx, tx = 0, rx;
	enum clientlog_xleave x;
	uint32_t who;

	if (unlikely(slot >= clog->n_entries))
		return ntp_reply(p, ntp_off, ctr, 0);
	who = clientlog_who(clog, p->v.ipv6 ? 6 : 4, src);

	memcpy(&org, q + 24, 8);
	memcpy(&req_rx, q + 32, 8);
	memcpy(&req_tx, q + 40, 8);
	x = clientlog_xleave_check(clog, slot, who, org, &tx);
	ntp_reply(p, ntp_off, ctr, 0);
	memcpy(&rx, q + 32, 8);
	if (x == CLIENTLOG_XLEAVE_SERVE) {
		/* The partial sum has the request's transmit timestamp as
		 * origin and 0 as transmit: take the one out (adding ~w
		 * subtracts w), put the two new ones in. Finish it now, unless
		 * a MAC is still to come. */
		uint64_t sum = inet_nsum_add(inet_nsum_add(inet_nsum_add(p->v.l4_nsum, ~req_tx), req_rx), tx);

		memcpy(q + 24, &req_rx, 8);
		memcpy(q + 40, &tx, 8);
		if (unlikely(p->v.auth == PKTPROC_AUTH_OK)) {
			p->v.l4_nsum = inet_nsum_fold32(sum);
		} else {
			uint16_t csum = inet_nsum_udp_csum(sum);

			memcpy(p->buf + p->v.l4_off + offsetof(struct inet_udp_hdr, csum), &csum, 2);
			p->v.ntp_off = 0;
		}
	}
	p->v.xleave = x == CLIENTLOG_XLEAVE_SERVE ? PKTPROC_XLEAVE_SERVED
		      : x == CLIENTLOG_XLEAVE_LATE ? PKTPROC_XLEAVE_BASIC : PKTPROC_XLEAVE_NO;
	p->v.xl_gen = clientlog_xleave_reply(clog, slot, who, rx);
	p->v.xl_slot = slot + 1;
	return p->v;
}

/* A client request: access rules, then the client log and rate limit. */
FAST_PATH struct pktproc_verdict ntp_client(struct pkt *p, uint16_t ntp_off, uint16_t n)
{
	const struct pktproc_ctx *c = p->ctx;
	const uint8_t *src = p->buf + p->v.l3_off +
			     (p->v.ipv6 ? offsetof(struct inet_ipv6_hdr, src) : offsetof(struct inet_ipv4_hdr, src));

	if (unlikely(ntp_packet_is_mssntp(p->buf + ntp_off, n)))
		return mssntp_client(p, src);
	/* A MAC is looked at only once the rules let the request through. */
	const uint16_t mac_off = n > NTP_HEADER_LEN ? (uint16_t)ntp_mac_find(p->buf + ntp_off, n) : 0;

	if (c->acl && !(p->v.ipv6 ? acl_allow6(c->acl, src) : acl_allow4(c->acl, src))) {
		if (c->kod_deny)
			return ntp_reply(p, ntp_off, LT_CTR_kod_deny_sent, KISS_DENY);
		return drop(p, LT_CTR_drop_acl_deny);
	}
	if (c->clog) {
		uint32_t slot;

		switch (clientlog_account_at(c->clog, c->rl ? c->rl : &log_only, p->v.ipv6 ? 6 : 4,
					     src, c->now_tsc, &slot)) {
		case CLIENTLOG_LEAK:
			if (unlikely(mac_off) && ntp_auth(p, ntp_off, n, mac_off))
				return p->v;
			return ntp_answer(p, ntp_off, LT_CTR_ntp_replies_leaked, src, slot);
		case CLIENTLOG_KOD:
			return ntp_reply(p, ntp_off, LT_CTR_kod_rate_sent, KISS_RATE);
		case CLIENTLOG_DROP:
			return drop(p, LT_CTR_drop_ratelimit);
		case CLIENTLOG_PASS:
			break;
		}
		if (unlikely(mac_off) && ntp_auth(p, ntp_off, n, mac_off))
			return p->v;
		return ntp_answer(p, ntp_off, LT_CTR_ntp_replies, src, slot);
	}
	if (unlikely(mac_off) && ntp_auth(p, ntp_off, n, mac_off))
		return p->v;
	return ntp_reply(p, ntp_off, LT_CTR_ntp_replies, 0);
}

static struct pktproc_verdict ntp_in(struct pkt *p, uint16_t off, uint16_t n)
{
	const uint8_t *q = p->buf + off;
	uint8_t version, mode;

	/* Modes 6 and 7 first, whatever their length: ntpq's and ntpdc's
	 * requests are shorter than 48 bytes, and an operator looking at an
	 * amplification scan wants it counted as what it is. */
	if (n >= 1 && (q[0] & 7) == NTP_MODE_CONTROL)
		return drop(p, LT_CTR_drop_ntp_mode_control);
	if (n >= 1 && (q[0] & 7) == NTP_MODE_PRIVATE)
		return drop(p, LT_CTR_drop_ntp_mode_private);
	if (n < NTP_HEADER_LEN)
		return drop(p, LT_CTR_drop_ntp_short);
	version = (q[0] >> 3) & 7;
	mode = q[0] & 7;
	if (version == 0 || version > 4)
		return drop(p, LT_CTR_drop_ntp_version);
	switch (mode) {
	case NTP_MODE_CLIENT:
		break;
	case NTP_MODE_SYMMETRIC_ACTIVE:
	case NTP_MODE_SYMMETRIC_PASSIVE:
	case NTP_MODE_SERVER:
		/* Control owns upstream associations and checks these itself. */
		return finish(p, PKTPROC_PUNT, LT_CTR_punted);
	case NTP_MODE_CONTROL:
		return drop(p, LT_CTR_drop_ntp_mode_control);
	case NTP_MODE_PRIVATE:
		return drop(p, LT_CTR_drop_ntp_mode_private);
	default:
		return drop(p, LT_CTR_drop_ntp_mode_other);
	}
	/* [MS-SNTP] 2.2.2: the extended authenticator, which Samba cannot sign. */
	if (unlikely(n == NTP_MSSNTP_EXT_LEN && version == 3))
		return drop(p, LT_CTR_drop_mssntp_extended);
	if (!ntp_tail_ok(q + NTP_HEADER_LEN, (uint16_t)(n - NTP_HEADER_LEN)))
		return drop(p, LT_CTR_drop_ntp_ext);
	return ntp_client(p, off, n);
}

/* --- UDP --------------------------------------------------------------- */

static struct pktproc_verdict udp_in(struct pkt *p)
{
	const uint16_t l4 = p->v.l4_off;
	const uint16_t avail = (uint16_t)(p->len - l4);
	const struct inet_udp_hdr *udp = (const struct inet_udp_hdr *)(p->buf + l4);
	uint16_t ulen;

	if (avail < INET_UDP_HLEN)
		return drop(p, LT_CTR_drop_udp_len);
	ulen = ntohs(udp->len);
	/* A datagram shorter than the IP payload is legal (RFC 768: the length
	 * field rules); one that claims more than the payload is not. */
	if (ulen < INET_UDP_HLEN || ulen > avail)
		return drop(p, LT_CTR_drop_udp_len);
	if (p->v.ipv6) {
		/* RFC 8200 8.1: an IPv6 UDP checksum is mandatory; 0 is invalid. */
		const struct inet_ipv6_hdr *ip6 = (const void *)(p->buf + p->v.l3_off);
		if (udp->csum == 0 ||
		    (!(p->rx_ok & PKTPROC_RX_L4_CSUM_OK) && !inet_l4_csum6_ok(ip6, INET_PROTO_UDP, udp, ulen)))
			return drop(p, LT_CTR_drop_udp_csum);
	} else {
		/* RFC 768: 0 means the sender computed none. */
		const struct inet_ipv4_hdr *ip = (const void *)(p->buf + p->v.l3_off);
		if (udp->csum != 0 && !(p->rx_ok & PKTPROC_RX_L4_CSUM_OK) &&
		    !inet_l4_csum4_ok(ip, INET_PROTO_UDP, udp, ulen))
			return drop(p, LT_CTR_drop_udp_csum);
	}
	if (ntohs(udp->dport) != NTP_PORT)
		return drop(p, LT_CTR_drop_udp_port);
	/* Port 0 cannot be answered (RFC 768: "no port"), and replying to it is
	 * a classic reflection trick. */
	if (udp->sport == 0)
		return drop(p, LT_CTR_drop_udp_src_port);
	return ntp_in(p, (uint16_t)(l4 + INET_UDP_HLEN), (uint16_t)(ulen - INET_UDP_HLEN));
}

/* --- IPv4 and ICMP ----------------------------------------------------- */

static struct pktproc_verdict icmp4_in(struct pkt *p, struct inet_ipv4_hdr *ip)
{
	const uint16_t n = (uint16_t)(p->len - p->v.l4_off);
	struct inet_icmp_echo *icmp = (struct inet_icmp_echo *)(p->buf + p->v.l4_off);

	if (n < sizeof(*icmp) || inet_csum(icmp, n) != 0)
		return drop(p, LT_CTR_drop_icmp_bad);
	if (icmp->type != INET_ICMP_ECHO_REQUEST)
		return drop(p, LT_CTR_drop_icmp_type);
	if (icmp->code != 0)
		return drop(p, LT_CTR_drop_icmp_bad);
	/* RFC 792: the reply is the request with type 0. Summed in full: the
	 * incremental update (RFC 1624) gives 0x0000 for an all-zero echo,
	 * which receivers reject (found by fuzz_pktproc). */
	icmp->type = INET_ICMP_ECHO_REPLY;
	icmp->csum = 0;
	icmp->csum = inet_nsum_csum(inet_nsum(0, icmp, n));
	reply_ip4(ip, n);
	reply_eth(p, ((struct inet_eth_hdr *)p->buf)->src);
	p->v.len = p->len;
	return finish(p, PKTPROC_REPLY, LT_CTR_icmp_echo_replies);
}

static struct pktproc_verdict ipv4_in(struct pkt *p)
{
	const uint16_t l3 = INET_ETH_HLEN;
	struct inet_ipv4_hdr *ip = (struct inet_ipv4_hdr *)(p->buf + l3);
	uint16_t ihl, total;

	if (p->len < l3 + INET_IPV4_HLEN)
		return drop(p, LT_CTR_drop_runt);
	p->v.l3_off = l3;
	if (ip->ver_ihl >> 4 != 4)
		return drop(p, LT_CTR_drop_ip_version);
	ihl = (uint16_t)((ip->ver_ihl & 0x0f) * 4);
	if (ihl < INET_IPV4_HLEN)
		return drop(p, LT_CTR_drop_ipv4_ihl);
	if (ihl > INET_IPV4_HLEN)
		return drop(p, LT_CTR_drop_ipv4_options);
	total = ntohs(ip->total_len);
	if (total < ihl || total > p->len - l3)
		return drop(p, LT_CTR_drop_ipv4_len);
	/* Bytes past the total length are Ethernet padding. */
	p->len = (uint16_t)(l3 + total);
	if (!(p->rx_ok & PKTPROC_RX_IP_CSUM_OK) && !inet_ipv4_csum_ok(ip, ihl))
		return drop(p, LT_CTR_drop_ipv4_csum);
	if (ntohs(ip->frag_off) & (INET_IPV4_MF | INET_IPV4_OFFMASK))
		return drop(p, LT_CTR_drop_ipv4_fragment);
	if (!ip4_is_ours(p->ctx->port, ip->dst))
		return drop(p, LT_CTR_drop_not_our_ip);
	if (inet_ip4_is_bad_src(ip->src))
		return drop(p, LT_CTR_drop_bad_src);
	p->v.l4_off = (uint16_t)(l3 + ihl);
	switch (ip->proto) {
	case INET_PROTO_UDP:
		return udp_in(p);
	case INET_PROTO_ICMP:
		return icmp4_in(p, ip);
	default:
		return drop(p, LT_CTR_drop_l4_proto);
	}
}

/* --- ARP --------------------------------------------------------------- */

static struct pktproc_verdict arp_in(struct pkt *p)
{
	struct inet_arp_hdr *arp = (struct inet_arp_hdr *)(p->buf + INET_ETH_HLEN);
	struct neigh_table *nt = p->ctx->neigh;
	const struct pktproc_port *port = p->ctx->port;
	uint32_t spa, tpa;
	uint8_t sha[6];

	if (p->len < INET_ETH_HLEN + sizeof(*arp))
		return drop(p, LT_CTR_drop_runt);
	if (ntohs(arp->htype) != INET_ARP_HTYPE_ETHER || ntohs(arp->ptype) != INET_ETHERTYPE_IPV4 ||
	    arp->hlen != 6 || arp->plen != 4 || inet_mac_is_group(arp->sha))
		return drop(p, LT_CTR_drop_arp_bad);
	memcpy(&spa, arp->spa, 4);
	memcpy(&tpa, arp->tpa, 4);
	memcpy(sha, arp->sha, 6);
	if (!ip4_is_ours(port, tpa))
		return drop(p, LT_CTR_drop_arp_other);

	if (ntohs(arp->op) == INET_ARP_OP_REQUEST) {
		/* A sender of 0.0.0.0 is an address probe (RFC 5227 2.1.1): answer
		 * it so the prober sees the address is taken, but learn nothing. */
		if (spa != 0 && inet_ip4_is_bad_src(spa))
			return drop(p, LT_CTR_drop_bad_src);
		if (nt && spa != 0 && !ip4_is_ours(port, spa))
			neigh_learn(nt, 4, (const uint8_t *)&spa, sha, p->ctx->now_tsc);
		arp->op = htons(INET_ARP_OP_REPLY);
		memcpy(arp->tha, sha, 6);
		memcpy(arp->tpa, &spa, 4);
		memcpy(arp->sha, port->mac, 6);
		memcpy(arp->spa, &tpa, 4);
		reply_eth(p, sha);
		/* The NIC pads the 42-byte frame to the Ethernet minimum. */
		p->v.len = INET_ETH_HLEN + sizeof(*arp);
		return finish(p, PKTPROC_REPLY, LT_CTR_arp_replies);
	}
	if (ntohs(arp->op) == INET_ARP_OP_REPLY) {
		if (inet_ip4_is_bad_src(spa))
			return drop(p, LT_CTR_drop_bad_src);
		/* Someone answering for our own address is a conflict, not a
		 * neighbour. */
		if (ip4_is_ours(port, spa))
			return drop(p, LT_CTR_drop_arp_other);
		if (nt)
			neigh_learn(nt, 4, (const uint8_t *)&spa, sha, p->ctx->now_tsc);
		return drop(p, LT_CTR_arp_learned);
	}
	return drop(p, LT_CTR_drop_arp_other);
}

/* --- IPv6, ICMPv6 and neighbour discovery ----------------------------- */

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/*
 * Walk the ND options from off to the end of the message (RFC 4861 4.6):
 * every option has a nonzero length that fits. Returns the first Ethernet
 * link-layer address of the wanted type in *lla (or NULL); -1 if malformed.
 */
static int nd_options(const uint8_t *icmp, uint16_t off, uint16_t n, uint8_t want,
		      const uint8_t **lla)
{
	*lla = NULL;
	while (off < n) {
		uint16_t olen;

		if (n - off < 2)
			return -1;
		olen = (uint16_t)(icmp[off + 1] * 8);
		if (olen == 0 || olen > n - off)
			return -1;
		if (icmp[off] == want && olen >= sizeof(struct inet_nd_opt_lla) && !*lla)
			*lla = icmp + off + 2;
		off = (uint16_t)(off + olen);
	}
	return 0;
}

static struct pktproc_verdict echo6_in(struct pkt *p, struct inet_ipv6_hdr *ip6, uint16_t n)
{
	struct inet_icmp_echo *icmp = (struct inet_icmp_echo *)(p->buf + p->v.l4_off);

	if (n < sizeof(*icmp) || icmp->code != 0)
		return drop(p, LT_CTR_drop_icmp_bad);
	/* Echoes to all-nodes are not served: one frame would draw an answer
	 * from every host on the link. */
	if (p->ip6_mcast)
		return drop(p, LT_CTR_drop_icmp_type);
	/* RFC 4443 4.2; summed in full, as for IPv4 (swapping the addresses
	 * leaves the pseudo-header's sum as it was). */
	icmp->type = INET_ICMP6_ECHO_REPLY;
	reply_ip6(ip6, n);
	inet_icmp6_set_csum(ip6, (struct inet_icmp6_hdr *)icmp, n);
	reply_eth(p, ((struct inet_eth_hdr *)p->buf)->src);
	p->v.len = p->len;
	return finish(p, PKTPROC_REPLY, LT_CTR_icmp_echo_replies);
}

static struct pktproc_verdict ns_in(struct pkt *p, struct inet_ipv6_hdr *ip6, uint16_t n)
{
	const struct pktproc_port *port = p->ctx->port;
	struct inet_eth_hdr *eth = (struct inet_eth_hdr *)p->buf;
	struct inet_nd_msg *nd = (struct inet_nd_msg *)(p->buf + p->v.l4_off);
	struct inet_nd_opt_lla *opt = (struct inet_nd_opt_lla *)(nd + 1);
	const uint8_t *slla;
	uint8_t target[16], peer[16], peer_mac[6];
	uint16_t icmp_len = sizeof(*nd) + sizeof(*opt);
	int dad;

	/* RFC 4861 7.1.1 validity checks. */
	if (ip6->hop_limit != INET_ND_HOP_LIMIT || nd->code != 0 || n < sizeof(*nd) ||
	    inet_ip6_is_multicast(nd->target) ||
	    nd_options((const uint8_t *)nd, sizeof(*nd), n, INET_ND_OPT_SLLA, &slla) < 0)
		return drop(p, LT_CTR_drop_nd_bad);
	dad = inet_ip6_is_unspecified(ip6->src);
	if (dad && (!inet_ip6_is_solicited_node(ip6->dst) || slla))
		return drop(p, LT_CTR_drop_nd_bad);
	if (!ip6_is_ours(port, nd->target))
		return drop(p, LT_CTR_drop_nd_other);

	/* RFC 4861 7.2.4: the advert to a multicast solicitation must carry
	 * our link-layer address; to a unicast one it may be left out, which is
	 * what we do if the buffer has no room for it. */
	if (p->cap < p->v.l4_off + icmp_len) {
		if (inet_ip6_is_multicast(ip6->dst))
			return drop(p, LT_CTR_drop_runt);
		icmp_len = sizeof(*nd);
	}
	if (p->ctx->neigh && slla)
		neigh_learn(p->ctx->neigh, 6, ip6->src, slla, p->ctx->now_tsc);

	memcpy(target, nd->target, 16);
	memcpy(peer, dad ? all_nodes : ip6->src, 16);
	if (dad)
		inet_ip6_mcast_mac(all_nodes, peer_mac);
	else
		memcpy(peer_mac, eth->src, 6);

	/* ND passes no extension headers, so the ICMPv6 message sits where
	 * inet_nd_write_na() expects it. A DAD probe is answered to all-nodes
	 * with S=0; O=1 as we own the address and proxy nothing. */
	icmp_len = inet_nd_write_na(p->buf, port->mac, target, peer, peer_mac,
				    icmp_len > sizeof(*nd));
	p->v.len = (uint16_t)(p->v.l4_off + icmp_len);
	return finish(p, PKTPROC_REPLY, LT_CTR_nd_adverts);
}

static struct pktproc_verdict na_in(struct pkt *p, const struct inet_ipv6_hdr *ip6, uint16_t n)
{
	const struct inet_nd_msg *nd = (const struct inet_nd_msg *)(p->buf + p->v.l4_off);
	struct neigh_table *nt = p->ctx->neigh;
	const uint8_t *tlla;
	uint8_t known[6];

	/* RFC 4861 7.1.2 validity checks. */
	if (ip6->hop_limit != INET_ND_HOP_LIMIT || nd->code != 0 || n < sizeof(*nd) ||
	    inet_ip6_is_multicast(nd->target) ||
	    (p->ip6_mcast && (ntohl(nd->flags) & INET_ND_NA_SOLICITED)) ||
	    nd_options((const uint8_t *)nd, sizeof(*nd), n, INET_ND_OPT_TLLA, &tlla) < 0)
		return drop(p, LT_CTR_drop_nd_bad);
	/* Without a link-layer address there is nothing to learn; an advert for
	 * our own address is a conflict, not a neighbour. */
	if (!tlla || ip6_is_ours(p->ctx->port, nd->target))
		return drop(p, LT_CTR_drop_nd_other);
	/* An unsolicited advert to all-nodes updates a neighbour we know (a
	 * router that changed its MAC) but creates none (RFC 4861 7.2.5). */
	if (p->ip6_mcast && (!nt || neigh_lookup(nt, 6, nd->target, known, p->ctx->now_tsc) != 0))
		return drop(p, LT_CTR_drop_nd_other);
	if (nt)
		neigh_learn(nt, 6, nd->target, tlla, p->ctx->now_tsc);
	return drop(p, LT_CTR_nd_learned);
}

static struct pktproc_verdict icmp6_in(struct pkt *p, struct inet_ipv6_hdr *ip6)
{
	const uint16_t n = (uint16_t)(p->len - p->v.l4_off);
	const struct inet_icmp6_hdr *icmp = (const void *)(p->buf + p->v.l4_off);

	if (n < sizeof(*icmp) || !inet_l4_csum6_ok(ip6, INET_PROTO_ICMPV6, icmp, n))
		return drop(p, LT_CTR_drop_icmp_bad);
	switch (icmp->type) {
	case INET_ICMP6_ECHO_REQUEST:
		return echo6_in(p, ip6, n);
	case INET_ICMP6_NEIGH_SOLICIT:
		return ns_in(p, ip6, n);
	case INET_ICMP6_NEIGH_ADVERT:
		return na_in(p, ip6, n);
	default:
		return drop(p, LT_CTR_drop_icmp_type);
	}
}

static struct pktproc_verdict ipv6_in(struct pkt *p)
{
	const uint16_t l3 = INET_ETH_HLEN, l4 = l3 + INET_IPV6_HLEN;
	const struct pktproc_port *port = p->ctx->port;
	struct inet_ipv6_hdr *ip6 = (struct inet_ipv6_hdr *)(p->buf + l3);
	const struct inet_eth_hdr *eth = (const struct inet_eth_hdr *)p->buf;
	uint16_t plen;
	int is_ns;

	if (p->len < l4)
		return drop(p, LT_CTR_drop_runt);
	p->v.l3_off = l3;
	p->v.ipv6 = 1;
	if (p->buf[l3] >> 4 != 6)
		return drop(p, LT_CTR_drop_ip_version);
	plen = ntohs(ip6->payload_len);
	if (plen > p->len - l4)
		return drop(p, LT_CTR_drop_ipv6_len);
	p->len = (uint16_t)(l4 + plen);
	if (ip6->next != INET_PROTO_UDP && ip6->next != INET_PROTO_ICMPV6)
		return drop(p, ip6_is_ext(ip6->next) ? LT_CTR_drop_ipv6_ext : LT_CTR_drop_l4_proto);
	p->v.l4_off = l4;
	is_ns = ip6->next == INET_PROTO_ICMPV6 && plen >= 1 && p->buf[l4] == INET_ICMP6_NEIGH_SOLICIT;

	/* Our unicast addresses arrive on our MAC. Two groups are ours too,
	 * for ICMPv6 only: the solicited-node groups of our addresses (for
	 * solicitations) and all-nodes (router adverts, unsolicited neighbour
	 * adverts); either on our MAC or on the group's own 33:33 MAC. */
	if (ip6_is_ours(port, ip6->dst)) {
		if (p->dst_kind != DST_OURS)
			return drop(p, LT_CTR_drop_not_our_mac);
	} else if ((is_ns && ip6_is_our_solicited(port, ip6->dst)) ||
		   (ip6->next == INET_PROTO_ICMPV6 && memcmp(ip6->dst, all_nodes, 16) == 0)) {
		uint8_t group_mac[6];

		inet_ip6_mcast_mac(ip6->dst, group_mac);
		if (p->dst_kind == DST_MCAST6 && memcmp(group_mac, eth->dst, 6) != 0)
			return drop(p, LT_CTR_drop_not_our_mac);
		p->ip6_mcast = 1;
	} else {
		return drop(p, LT_CTR_drop_not_our_ip);
	}
	/* RFC 4291 2.5.2/2.5.3/2.7: never a source, except :: for a duplicate
	 * address detection probe (RFC 4862 5.4.2). */
	if (inet_ip6_is_multicast(ip6->src) || inet_ip6_is_loopback(ip6->src) ||
	    (inet_ip6_is_unspecified(ip6->src) && !is_ns))
		return drop(p, LT_CTR_drop_bad_src);
	if (ip6->next == INET_PROTO_UDP)
		return udp_in(p);
	return icmp6_in(p, ip6);
}

/* --- the common request, in one pass ---------------------------------- */

#define FAST4_NTP_OFF (INET_ETH_HLEN + INET_IPV4_HLEN + INET_UDP_HLEN)
#define FAST4_LEN (FAST4_NTP_OFF + NTP_HEADER_LEN)

static inline uint16_t load16(const uint8_t *b)
{
	uint16_t v;
	memcpy(&v, b, 2);
	return v;
}

static inline uint32_t load32(const uint8_t *b)
{
	uint32_t v;
	memcpy(&v, b, 4);
	return v;
}

/*
 * A bare 48-byte NTP client request in untagged IPv4 without options, to our
 * MAC and one of our addresses, from a unicast sender, not a fragment, UDP
 * from a nonzero port to 123, every checksum right, version 1 to 4. The
 * general walk would accept such a frame as an NTP client request with
 * exactly these checks (in its own order, each with its counter), so a
 * frame that passes here goes straight to the client policy; any that fails
 * goes the general way, which counts why. Loads are native: the constants
 * are the wire bytes as a little-endian load sees them.
 */
static inline int fast4_is_request(const struct pktproc_port *port, const uint8_t *b, uint16_t len,
				   unsigned int rx_ok)
{
	const struct inet_ipv4_hdr *ip = (const struct inet_ipv4_hdr *)(b + INET_ETH_HLEN);
	const uint8_t *udp = b + INET_ETH_HLEN + INET_IPV4_HLEN;
	uint8_t v0;

	if (len < FAST4_LEN || load32(b) != load32(port->mac) || load16(b + 4) != load16(port->mac + 4) ||
	    (b[6] & 1))
		return 0;
	/* Ethertype 0x0800, version 4 with a 20-byte header; any TOS. */
	if ((load32(b + 12) & 0x00ffffffU) != 0x00450008U)
		return 0;
	/* Total length 76, neither MF nor an offset, protocol UDP. */
	if (ip->total_len != htons(INET_IPV4_HLEN + INET_UDP_HLEN + NTP_HEADER_LEN) ||
	    (ip->frag_off & htons(INET_IPV4_MF | INET_IPV4_OFFMASK)) || ip->proto != INET_PROTO_UDP)
		return 0;
	if (!(rx_ok & PKTPROC_RX_IP_CSUM_OK) &&
	    inet_nsum_fold(inet_nsum(0, ip, INET_IPV4_HLEN)) != 0xffff)
		return 0;
	if (!ip4_is_ours(port, ip->dst) || inet_ip4_is_bad_src(ip->src))
		return 0;
	/* Source port nonzero, destination port 123, UDP length 56. */
	if (load16(udp) == 0 || load16(udp + 2) != htons(NTP_PORT) ||
	    load16(udp + 4) != htons(INET_UDP_HLEN + NTP_HEADER_LEN))
		return 0;
	if (load16(udp + 6) != 0 && !(rx_ok & PKTPROC_RX_L4_CSUM_OK) &&
	    inet_nsum_fold(inet_nsum(inet_nsum_pseudo4(ip, INET_PROTO_UDP, load16(udp + 4)), udp,
				     INET_UDP_HLEN + NTP_HEADER_LEN)) != 0xffff)
		return 0;
	/* Mode 3, version 1 to 4. */
	v0 = b[FAST4_NTP_OFF];
	return (v0 & 7) == NTP_MODE_CLIENT && (unsigned int)((v0 >> 3) & 7) - 1 < 4;
}

/* --- entry points ------------------------------------------------------ */

/* The full walk, for every frame the one pass above does not take. */
static struct pktproc_verdict general(struct pkt *p)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct inet_eth_hdr *eth = (const struct inet_eth_hdr *)p->buf;
	const struct pktproc_ctx *ctx = p->ctx;

	if (unlikely(p->len < INET_ETH_HLEN))
		return drop(p, LT_CTR_drop_runt);
	if (memcmp(eth->dst, ctx->port->mac, 6) == 0)
		p->dst_kind = DST_OURS;
	else if (memcmp(eth->dst, bcast, 6) == 0)
		p->dst_kind = DST_BCAST;
	else if (eth->dst[0] == 0x33 && eth->dst[1] == 0x33)
		p->dst_kind = DST_MCAST6;
	else
		return drop(p, LT_CTR_drop_not_our_mac);
	/* IEEE 802: a station address is never a group address. */
	if (unlikely(inet_mac_is_group(eth->src)))
		return drop(p, LT_CTR_drop_bad_src);

	switch (ntohs(eth->type)) {
	case INET_ETHERTYPE_IPV4:
		if (p->dst_kind != DST_OURS)
			return drop(p, LT_CTR_drop_not_our_mac);
		return ipv4_in(p);
	case INET_ETHERTYPE_IPV6:
		if (p->dst_kind == DST_BCAST)
			return drop(p, LT_CTR_drop_not_our_mac);
		return ipv6_in(p);
	case INET_ETHERTYPE_ARP:
		if (p->dst_kind == DST_MCAST6)
			return drop(p, LT_CTR_drop_not_our_mac);
		return arp_in(p);
	default:
		/* Includes 802.1Q/802.1ad tags: no VLAN support yet. */
		return drop(p, LT_CTR_drop_ethertype);
	}
}

/* A frame in flight, before any header is read. tmpl is room for the reply
 * template when the caller has not prepared one. */
FAST_PATH void pkt_init(struct pkt *p, const struct pktproc_ctx *ctx, uint8_t *buf, uint16_t len,
			uint16_t cap, ntp_ts_t rx_ts, unsigned int rx_ok,
			struct ntp_reply_tmpl *tmpl)
{
	/* cap < len breaks the contract; reading only what may be written keeps
	 * both promises anyway. */
	if (unlikely(cap < len))
		len = cap;
	p->ctx = ctx;
	p->buf = buf;
	p->len = len;
	p->cap = cap;
	p->dst_kind = DST_OURS;
	p->ip6_mcast = 0;
	p->rx_ok = (uint8_t)rx_ok;
	p->ntp_tail = 0;
	p->rx_ts = rx_ts;
	p->tmpl = ctx->reply;
	if (unlikely(!p->tmpl)) {
		ntp_reply_tmpl_init(tmpl, ctx->server);
		p->tmpl = tmpl;
	}
	memset(&p->v, 0, sizeof(p->v));
	p->v.len = len;
}

struct pktproc_verdict pktproc_handle_rx(const struct pktproc_ctx *ctx, uint8_t *buf, uint16_t len,
					 uint16_t cap, ntp_ts_t rx_ts, unsigned int rx_ok)
{
	struct ntp_reply_tmpl tmpl;
	struct pkt p;

	pkt_init(&p, ctx, buf, len, cap, rx_ts, rx_ok, &tmpl);
	if (likely(fast4_is_request(ctx->port, buf, p.len, rx_ok))) {
		p.len = FAST4_LEN; /* bytes past the IP length are padding */
		p.v.l3_off = INET_ETH_HLEN;
		p.v.l4_off = INET_ETH_HLEN + INET_IPV4_HLEN;
		return ntp_client(&p, FAST4_NTP_OFF, NTP_HEADER_LEN);
	}
	return general(&p);
}

struct pktproc_verdict pktproc_handle_general(const struct pktproc_ctx *ctx, uint8_t *buf,
					      uint16_t len, uint16_t cap, ntp_ts_t rx_ts,
					      unsigned int rx_ok)
{
	struct ntp_reply_tmpl tmpl;
	struct pkt p;

	pkt_init(&p, ctx, buf, len, cap, rx_ts, rx_ok, &tmpl);
	return general(&p);
}

/* An authenticated reply: the transmit timestamp unless interleaved mode
 * already put the previous departure there, then the MAC over the header. */
static __attribute__((noinline)) void stamp_auth(uint8_t *buf, const struct pktproc_verdict *v,
						 uint64_t tx)
{
	uint8_t *q = buf + v->ntp_off;
	uint64_t sum = v->l4_nsum;
	uint16_t csum;

	if (v->xleave != PKTPROC_XLEAVE_SERVED) {
		memcpy(q + 40, &tx, 8);
		sum = inet_nsum_add(sum, tx);
	}
	ntp_mac_write(&v->key->mac, q, NTP_HEADER_LEN, q + NTP_HEADER_LEN);
	sum = inet_nsum(sum, q + NTP_HEADER_LEN + 4, v->key->mac.digest_len);
	csum = inet_nsum_udp_csum(sum);
	memcpy(buf + v->l4_off + offsetof(struct inet_udp_hdr, csum), &csum, 2);
}

void pktproc_stamp_tx(uint8_t *buf, const struct pktproc_verdict *v, ntp_ts_t tx_ts)
{
	const uint64_t tx = __builtin_bswap64(tx_ts);
	uint16_t csum;

	if (!v->ntp_off || !v->l3_off || !v->l4_off)
		return;
	if (unlikely(v->auth == PKTPROC_AUTH_OK && v->key)) {
		stamp_auth(buf, v, tx);
		return;
	}
	memcpy(buf + v->ntp_off + 40, &tx, 8);
	csum = inet_nsum_udp_csum(inet_nsum_add(v->l4_nsum, tx));
	memcpy(buf + v->l4_off + offsetof(struct inet_udp_hdr, csum), &csum, 2);
}

void pktproc_sent(const struct pktproc_ctx *ctx, const struct pktproc_verdict *v, ntp_ts_t tx)
{
	if (v->xl_slot && ctx->clog)
		clientlog_xleave_sent(ctx->clog, v->xl_slot - 1, v->xl_gen, __builtin_bswap64(tx));
}

void pktproc_ip6_linklocal(const uint8_t mac[6], uint8_t out[16])
{
	/* RFC 4291 2.5.1 and appendix A: modified EUI-64, universal/local bit
	 * inverted, ff:fe in the middle. */
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}
