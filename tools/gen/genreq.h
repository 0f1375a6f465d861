/*
 * genreq: the frames linetime-gen sends, as plain C on byte buffers.
 *
 * A simulated client population is a range of source addresses (first +
 * count, IPv4 or IPv6) times a range of source ports. Request n comes from
 * address (n mod count) and port ((n / count) mod ports): consecutive
 * requests come from different clients, and every (address, port) pair is
 * used before any repeats.
 *
 * Every request's transmit timestamp is a cookie: the low 32 bits are the
 * request's sequence number, the high 32 bits a keyed hash of it. To the
 * server it looks like chrony's random transmit timestamp (chrony does not
 * reveal its clock in requests); to the generator it says which request a
 * reply answers (the reply's origin) and whether the cookie is its own.
 *
 * The module also builds and answers the neighbour frames a population needs
 * on a real link: an ARP request / neighbour solicitation to find the
 * server's MAC, and ARP replies / neighbour adverts for every simulated
 * client address (a kernel server resolves each client before replying).
 * Finally a classic pcap writer, so the same requests can be replayed by
 * tcpreplay or a hardware generator.
 */
#ifndef LT_GENREQ_H
#define LT_GENREQ_H

#include <stdint.h>
#include <stdio.h>

#include "ntp_time.h"

#define GENREQ_FRAME_MAX 128 /* an IPv6 request is 110 bytes */

struct genreq_cfg {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t family;          /* 4 or 6 */
	uint8_t version;         /* NTP version of the requests, 1..4 */
	uint8_t src_first[16];   /* first client address, network order (IPv4: first 4 bytes) */
	uint32_t src_count;      /* client addresses, >= 1 */
	uint8_t dst[16];         /* the server */
	uint16_t sport_first;    /* first client port, host order, >= 1 */
	uint32_t sport_count;    /* client ports, >= 1, first + count - 1 <= 65535 */
	uint16_t dport;          /* server port, usually 123 */
	int8_t poll;             /* poll exponent the requests carry */
	uint64_t key;            /* secret for the transmit-timestamp cookies */
};

/* A request template with its checksums precomputed, and the position of
 * the next request in the client population. */
struct genreq {
	struct genreq_cfg c;
	uint8_t tmpl[GENREQ_FRAME_MAX];
	uint16_t len;          /* frame bytes: 90 (IPv4) or 110 (IPv6) */
	uint16_t l3_off, l4_off, ntp_off;
	uint32_t ip_sum;       /* IPv4 header sum without source and checksum */
	uint32_t udp_sum;      /* pseudo-header + UDP + NTP sum without source, port, cookie */
	uint32_t addr_i;       /* client address index of the next request */
	uint32_t port_i;       /* client port index of the next request */
};

/* Check a configuration and build the template. Returns 0, or -EINVAL with
 * the reason in err. */
int genreq_init(struct genreq *g, const struct genreq_cfg *c, char *err, size_t errlen);

/* Address number i of the population (i < src_count) into out (16 bytes,
 * IPv4 in the first 4). */
void genreq_client_addr(const struct genreq_cfg *c, uint32_t i, uint8_t out[16]);

/* The transmit-timestamp cookie of sequence number seq. */
ntp_ts_t genreq_cookie(uint64_t key, uint32_t seq);

/* 1 if ts is a cookie made with key (its sequence number in *seq), else 0. */
int genreq_cookie_check(uint64_t key, ntp_ts_t ts, uint32_t *seq);

/* The key of the second cookie an interleaved-style request carries in its
 * receive field: a server answering in interleaved mode echoes that field
 * as the origin (RFC 9769 2), so the reply's origin says both which request
 * it answers and in which mode. */
uint64_t genreq_rx_key(uint64_t key);

/*
 * Write the next request into out (>= GENREQ_FRAME_MAX bytes) with sequence
 * number seq, and advance the population. *addr_i and *sport get the client
 * it comes from (either may be NULL). Returns the frame length.
 */
uint16_t genreq_next(struct genreq *g, uint32_t seq, uint8_t *out, uint32_t *addr_i,
		     uint16_t *sport);

/*
 * genreq_next() for a client that follows up in interleaved mode, as chrony
 * does with xleave: origin = org, the receive timestamp of the last reply
 * this client got (as decoded, nonzero), and the receive field
 * a cookie of genreq_rx_key(). The transmit field is the usual cookie.
 */
uint16_t genreq_next_xleave(struct genreq *g, uint32_t seq, ntp_ts_t org, uint8_t *out,
			    uint32_t *addr_i, uint16_t *sport);

/* Address index of the client the next request comes from. */
static inline uint32_t genreq_next_client(const struct genreq *g)
{
	return g->addr_i;
}

/* Rewind the population to its first client. */
void genreq_rewind(struct genreq *g);

/* Broadcast ARP request (IPv4) or neighbour solicitation to the
 * solicited-node group (IPv6) for the server, from the first client
 * address. Returns the frame length (out >= GENREQ_FRAME_MAX bytes). */
uint16_t genreq_resolve_frame(const struct genreq_cfg *c, uint8_t *out);

/* If frame is an ARP reply from the server, or a neighbour advert for it
 * carrying a link-layer address, copy the MAC to mac and return 1; else 0. */
int genreq_resolve_learn(const struct genreq_cfg *c, const uint8_t *frame, uint16_t len,
			 uint8_t mac[6]);

/*
 * If frame is an ARP request or a neighbour solicitation for one of the
 * simulated client addresses, rewrite it in place into the reply (our MAC
 * in src_mac) and return the reply's length; buf has cap bytes. Else 0.
 */
uint16_t genreq_answer_neigh(const struct genreq_cfg *c, uint8_t *buf, uint16_t len, uint16_t cap);

/* Index of addr in the population, or -1 if it is not a client address. */
int64_t genreq_client_index(const struct genreq_cfg *c, const uint8_t *addr);

/* --- classic pcap (microsecond timestamps, LINKTYPE_ETHERNET) ------------ */

/* Write the global header. Returns 0 or -errno. */
int genreq_pcap_header(FILE *f);

/* Write one frame with capture time ts_ns (ns since the Unix epoch). */
int genreq_pcap_frame(FILE *f, uint64_t ts_ns, const uint8_t *frame, uint16_t len);

#endif
