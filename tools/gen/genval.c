/* genval: outstanding requests and reply validation (see genval.h). */
#include "genval.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clockmap.h"
#include "inet.h"
#include "ntp_packet.h"

static const char *const reason_names[] = {
#define GENVAL_NAME(name, help) #name,
	GENVAL_REASONS(GENVAL_NAME)
#undef GENVAL_NAME
};

static const char *const reason_helps[] = {
#define GENVAL_HELP(name, help) help,
	GENVAL_REASONS(GENVAL_HELP)
#undef GENVAL_HELP
};

const char *genval_reason_name(unsigned int r)
{
	return r < GENVAL_MAX ? reason_names[r] : "IGNORED";
}

const char *genval_reason_help(unsigned int r)
{
	return r < GENVAL_MAX ? reason_helps[r] : "not a reply from the server";
}

int genval_init(struct genval *v, const struct genval_cfg *c)
{
	memset(v, 0, sizeof(*v));
	if (c->table_bits < 1 || c->table_bits > 28 || !c->pop || (c->family != 4 && c->family != 6))
		return -EINVAL;
	if (c->xleave && c->pop->src_count > GENVAL_XLEAVE_MAX_CLIENTS)
		return -EINVAL;
	v->c = *c;
	v->mask = (1U << c->table_bits) - 1;
	v->slot = calloc((size_t)v->mask + 1, sizeof(*v->slot));
	if (v->slot && c->xleave) {
		v->xl = calloc((size_t)v->mask + 1, sizeof(*v->xl));
		v->last = calloc(c->pop->src_count, sizeof(*v->last));
		v->rx_key = genreq_rx_key(c->key);
		if (!v->xl || !v->last) {
			genval_fini(v);
			return -ENOMEM;
		}
	}
	return v->slot ? 0 : -ENOMEM;
}

void genval_fini(struct genval *v)
{
	free(v->slot);
	free(v->xl);
	free(v->last);
	v->slot = NULL;
	v->xl = NULL;
	v->last = NULL;
}

void genval_set_map(struct genval *v, const struct lt_clock_map *m)
{
	v->map = *m;
}

uint32_t genval_table_bits(double rate, double timeout_s)
{
	double want = 2.0 * rate * timeout_s;
	uint32_t bits = 12;

	while (bits < 22 && (double)(1U << bits) < want)
		bits++;
	return bits;
}

int genval_sent_xl(struct genval *v, uint32_t seq, uint64_t send_tsc, uint32_t addr_i,
		   uint16_t sport, const struct genval_follow *f)
{
	struct genval_slot *s = &v->slot[seq & v->mask];
	int lost = s->state == GENVAL_SLOT_SENT;

	s->send_tsc = send_tsc;
	s->seq = seq;
	s->addr_i = addr_i;
	s->sport = sport;
	s->state = GENVAL_SLOT_SENT;
	if (v->xl) {
		struct genval_xl *x = &v->xl[seq & v->mask];
		memset(x, 0, sizeof(*x));
		if (f)
			x->prev = *f;
	}
	return lost;
}

int genval_sent(struct genval *v, uint32_t seq, uint64_t send_tsc, uint32_t addr_i, uint16_t sport)
{
	return genval_sent_xl(v, seq, send_tsc, addr_i, sport, NULL);
}

/*
 * The receiving side publishes a client's last valid reply (its slot's
 * t4/t2 written first, then last[] with release order); the sending side
 * reads last[] with acquire order and then the slot. Only the sender
 * reuses slots, so the slot cannot change under it, and a reply checked
 * later never rewrites a slot that is done.
 */
int genval_xl_follow(const struct genval *v, uint32_t addr_i, struct genval_follow *f)
{
	if (!v->xl || addr_i >= v->c.pop->src_count)
		return 0;
	uint64_t last = __atomic_load_n(&v->last[addr_i], __ATOMIC_ACQUIRE);
	if (last == 0)
		return 0;
	uint32_t seq = (uint32_t)(last - 1);
	const struct genval_slot *s = &v->slot[seq & v->mask];
	const struct genval_xl *x = &v->xl[seq & v->mask];
	if (s->seq != seq || s->state != GENVAL_SLOT_DONE || x->t2 == 0)
		return 0;
	f->org = x->t2;
	f->t1_tsc = s->send_tsc;
	f->t4_tsc = x->t4_tsc;
	return 1;
}

void genval_unsent(struct genval *v, uint32_t seq)
{
	struct genval_slot *s = &v->slot[seq & v->mask];

	if (s->seq == seq)
		s->state = GENVAL_SLOT_FREE;
}

uint64_t genval_expire_all(struct genval *v)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i <= v->mask; i++) {
		if (v->slot[i].state == GENVAL_SLOT_SENT) {
			v->slot[i].state = GENVAL_SLOT_FREE;
			n++;
		}
	}
	return n;
}

/* Where the UDP datagram of a reply is, once the IP layer has been checked. */
struct l4 {
	const uint8_t *src, *dst;   /* IP addresses in the frame */
	const uint8_t *udp;
	uint16_t ulen;              /* UDP length field, checked against the IP length */
};

static enum genval_reason ip_layer(const struct genval *v, const uint8_t *f, uint16_t len,
				   struct l4 *o)
{
	uint16_t type;

	if (len < INET_ETH_HLEN)
		return GENVAL_IGNORED;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (v->c.family == 4) {
		const struct inet_ipv4_hdr *ip = (const struct inet_ipv4_hdr *)(f + INET_ETH_HLEN);
		uint16_t ihl, total;

		if (type != INET_ETHERTYPE_IPV4 || len < INET_ETH_HLEN + INET_IPV4_HLEN ||
		    ip->ver_ihl >> 4 != 4 || ip->proto != INET_PROTO_UDP)
			return GENVAL_IGNORED;
		ihl = (uint16_t)((ip->ver_ihl & 0x0f) * 4);
		total = ntohs(ip->total_len);
		if (ihl < INET_IPV4_HLEN || total < ihl + INET_UDP_HLEN || total > len - INET_ETH_HLEN ||
		    (ntohs(ip->frag_off) & (INET_IPV4_MF | INET_IPV4_OFFMASK)))
			return GENVAL_MALFORMED;
		if (!inet_ipv4_csum_ok(ip, ihl))
			return GENVAL_CHECKSUM;
		o->src = (const uint8_t *)&ip->src;
		o->dst = (const uint8_t *)&ip->dst;
		o->udp = f + INET_ETH_HLEN + ihl;
		o->ulen = ntohs(((const struct inet_udp_hdr *)o->udp)->len);
		if (o->ulen < INET_UDP_HLEN || o->ulen > total - ihl)
			return GENVAL_MALFORMED;
		return GENVAL_OK;
	}
	const struct inet_ipv6_hdr *ip6 = (const struct inet_ipv6_hdr *)(f + INET_ETH_HLEN);
	uint16_t plen;

	if (type != INET_ETHERTYPE_IPV6 || len < INET_ETH_HLEN + INET_IPV6_HLEN ||
	    f[INET_ETH_HLEN] >> 4 != 6 || ip6->next != INET_PROTO_UDP)
		return GENVAL_IGNORED;
	plen = ntohs(ip6->payload_len);
	if (plen < INET_UDP_HLEN || plen > len - INET_ETH_HLEN - INET_IPV6_HLEN)
		return GENVAL_MALFORMED;
	o->src = ip6->src;
	o->dst = ip6->dst;
	o->udp = f + INET_ETH_HLEN + INET_IPV6_HLEN;
	o->ulen = ntohs(((const struct inet_udp_hdr *)o->udp)->len);
	if (o->ulen < INET_UDP_HLEN || o->ulen > plen)
		return GENVAL_MALFORMED;
	return GENVAL_OK;
}

static int l4_csum_ok(const struct genval *v, const uint8_t *f, const struct l4 *o)
{
	const struct inet_udp_hdr *udp = (const struct inet_udp_hdr *)o->udp;

	if (v->c.family == 4) {
		/* RFC 768: 0 means the sender computed none. */
		return udp->csum == 0 ||
		       inet_l4_csum4_ok((const struct inet_ipv4_hdr *)(f + INET_ETH_HLEN),
					INET_PROTO_UDP, udp, o->ulen);
	}
	/* RFC 8200 8.1: mandatory over IPv6. */
	return udp->csum != 0 &&
	       inet_l4_csum6_ok((const struct inet_ipv6_hdr *)(f + INET_ETH_HLEN), INET_PROTO_UDP,
				udp, o->ulen);
}

enum genval_reason genval_check(struct genval *v, const uint8_t *frame, uint16_t len,
				uint64_t recv_tsc, struct genval_result *r)
{
	const struct genval_cfg *c = &v->c;
	const unsigned int alen = c->family == 4 ? 4 : 16;
	struct l4 o;
	enum genval_reason rc = ip_layer(v, frame, len, &o);
	const struct inet_udp_hdr *udp;
	struct genval_slot *s;
	struct ntp_header h;
	uint32_t seq;

	r->matched = 0;
	r->interleaved = 0;
	if (rc != GENVAL_OK)
		return rc;
	udp = (const struct inet_udp_hdr *)o.udp;
	if (ntohs(udp->sport) != c->server_port)
		return GENVAL_IGNORED;
	if (memcmp(o.src, c->server, alen) != 0)
		return GENVAL_ADDRESS;
	if (!l4_csum_ok(v, frame, &o))
		return GENVAL_CHECKSUM;
	if (o.ulen < INET_UDP_HLEN + NTP_HEADER_LEN)
		return GENVAL_MALFORMED;
	ntp_packet_decode(o.udp + INET_UDP_HLEN, NTP_HEADER_LEN, &h);

	/* Match: the origin must be one of our cookies, for a request still
	 * waiting in its slot. */
	int il = 0;
	if (!genreq_cookie_check(c->key, h.org, &seq)) {
		/* An interleaved reply echoes the receive-field cookie. */
		if (!v->xl || !genreq_cookie_check(v->rx_key, h.org, &seq))
			return GENVAL_ORIGIN;
		il = 1;
	}
	s = &v->slot[seq & v->mask];
	if (s->seq != seq || s->state == GENVAL_SLOT_FREE)
		return GENVAL_LATE;
	if (s->state == GENVAL_SLOT_DONE)
		return GENVAL_DUPLICATE;
	/* A basic request carried no receive cookie to echo. */
	const struct genval_follow *prev = v->xl ? &v->xl[seq & v->mask].prev : NULL;
	if (il && prev->org == 0)
		return GENVAL_ORIGIN;
	s->state = GENVAL_SLOT_DONE;
	r->matched = 1;
	r->interleaved = (uint8_t)il;
	r->seq = seq;
	r->latency_tsc = recv_tsc - s->send_tsc;
	if (recv_tsc < s->send_tsc || r->latency_tsc > c->timeout_tsc)
		return GENVAL_LATE;

	/* The answer must go back to the client and port that asked. */
	uint8_t client[16];
	genreq_client_addr(c->pop, s->addr_i, client);
	if (memcmp(o.dst, client, alen) != 0 || ntohs(udp->dport) != s->sport)
		return GENVAL_ADDRESS;
	if (o.ulen - INET_UDP_HLEN > c->req_ntp_len)
		return GENVAL_LENGTH;
	if (h.mode != NTP_MODE_SERVER)
		return GENVAL_MODE;
	if (h.version != c->version)
		return GENVAL_VERSION;
	if (h.stratum < c->stratum_min || h.stratum > c->stratum_max)
		return GENVAL_STRATUM;

	/* RFC 5905 8: T1 and T4 on our clock, T2 and T3 on the server's. A
	 * server that tells the time can only have received after we sent and
	 * transmitted before we received; the slack covers the two clocks'
	 * disagreement (same host: both follow the system clock). */
	ntp_ts_t t1 = clockmap_apply(&v->map, s->send_tsc);
	ntp_ts_t t4 = clockmap_apply(&v->map, recv_tsc);
	int64_t slack = (int64_t)c->slack_ntp;
	if (ntp_ts_diff(h.rx, t1) < -slack || ntp_ts_diff(h.rx, t4) > slack)
		return GENVAL_TIME;
	if (!il) {
		if (ntp_ts_diff(h.tx, h.rx) < 0 || ntp_ts_diff(h.tx, t4) > slack)
			return GENVAL_TIME;
		r->offset = (ntp_ts_diff(h.rx, t1) + ntp_ts_diff(h.tx, t4)) / 2;
		r->delay = ntp_ts_diff(t4, t1) - ntp_ts_diff(h.tx, h.rx);
		r->tx_err = ntp_ts_diff(h.tx, t4);
	} else {
		/* The transmit timestamp is the previous reply's departure: after
		 * the server received the previous request, before that reply
		 * arrived here, and before this request arrived there. */
		ntp_ts_t p1 = clockmap_apply(&v->map, prev->t1_tsc);
		ntp_ts_t p4 = clockmap_apply(&v->map, prev->t4_tsc);
		if (ntp_ts_diff(h.tx, prev->org) < 0 || ntp_ts_diff(h.tx, p4) > slack ||
		    ntp_ts_diff(h.tx, h.rx) > 0)
			return GENVAL_TIME;
		r->offset = (ntp_ts_diff(prev->org, p1) + ntp_ts_diff(h.tx, p4)) / 2;
		r->delay = ntp_ts_diff(p4, p1) - ntp_ts_diff(h.tx, prev->org);
		r->tx_err = ntp_ts_diff(h.tx, p4);
	}
	if (v->xl) {
		struct genval_xl *x = &v->xl[seq & v->mask];
		x->t4_tsc = recv_tsc;
		x->t2 = h.rx;
		if (s->addr_i < c->pop->src_count)
			__atomic_store_n(&v->last[s->addr_i], (uint64_t)seq + 1, __ATOMIC_RELEASE);
	}
	return GENVAL_OK;
}
