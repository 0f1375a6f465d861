/*
 * pktproc: what the dataplane does with one received frame, as plain C on a
 * byte buffer (no DPDK here, so the Check suites drive it with golden frames).
 *
 * pktproc_handle() classifies the frame (Ethernet, ARP, IPv4, IPv6, UDP,
 * ICMP/ICMPv6, NTP), checks every header's bounds before touching it, and
 * either rewrites the frame in place into its reply (NTP mode 4, ARP reply,
 * ICMP echo reply, ND neighbour advertisement), marks it for control (punt),
 * or drops it. Every outcome names exactly one counter from counters.h.
 *
 * NTP client requests pass the access rules, then the client log and rate
 * limiter; a refused request is dropped or answered with a Kiss-o'-Death
 * (DENY or RATE) that is never longer than the request and carries only the
 * client's own transmit timestamp, so it reveals nothing of our clock.
 *
 * MS-SNTP requests ([MS-SNTP] 2.2.1: version 3, 68 bytes, a key id and an
 * all-zero MAC) pass the same rules and are then punted, with their receive
 * timestamp, for control to have them signed by Samba. They never get a KoD
 * or an unsigned reply: a refused one is dropped.
 *
 * Interleaved mode (RFC 9769 2, as chrony's xleave clients use it): with a
 * client log, every reply's receive timestamp is remembered for its client
 * (host and port), and the worker reports when the reply actually left
 * (pktproc_sent()). A request whose origin is that receive timestamp gets
 * the departure time of the previous reply as its transmit timestamp and
 * its own receive field as origin; anything else, or a missing departure,
 * gets a basic reply.
 *
 * Authenticated requests (RFC 5905 7.3, RFC 8573: a MAC after the header
 * and any extension fields) pass the same rules first, so a flood of bad
 * MACs costs no crypto beyond the rate limit; then the MAC is checked
 * against the policy's keys. A good one gets a reply with a MAC under the
 * same key, the same length as the request without its extension fields.
 * An unknown key or a wrong digest gets a crypto-NAK (the reply with a
 * MAC of key identifier 0 alone, RFC 5905 9.2 and A.5.1.1) or, without
 * crypto_nak, nothing.
 *
 * An NTP reply is finished in two steps so the transmit timestamp is taken as
 * late as possible: pktproc_handle() writes everything but the transmit
 * timestamp, and pktproc_stamp_tx() writes it, the MAC of an authenticated
 * reply and the UDP checksum just before the burst goes to the NIC.
 *
 * The common request (IPv4 without options, UDP to port 123, a bare 48-byte
 * client request) is decided in one straight pass; every other frame, and
 * any that pass has a doubt about, takes the general walk. Both give the
 * same verdict and the same bytes (the unit tests compare them).
 */
#ifndef LT_PKTPROC_H
#define LT_PKTPROC_H

#include <stdint.h>

#include "counters.h"
#include "neigh.h"
#include "ntp_packet.h"
#include "ntp_time.h"

#define LT_MAX_ADDRS 4

/* A port's own addresses, as the classifier needs them. */
struct pktproc_port {
	uint16_t port_id;
	uint8_t mac[6];
	uint8_t n_ip4;
	uint8_t n_ip6;
	uint32_t ip4[LT_MAX_ADDRS];     /* network byte order */
	uint8_t ip6[LT_MAX_ADDRS][16];  /* global/ULA addresses */
	uint8_t ip6_ll[16];             /* link-local, EUI-64 from mac */
};

enum pktproc_action {
	PKTPROC_DROP = 0,  /* frame is not sent anywhere */
	PKTPROC_REPLY = 1, /* frame was rewritten in place: send it back out the port */
	PKTPROC_PUNT = 2,  /* frame goes to control unchanged */
};

struct pktproc_verdict {
	uint8_t action;  /* enum pktproc_action */
	uint8_t ipv6;    /* 1 if the frame is IPv6 */
	uint16_t ctr;    /* enum lt_ctr: the one counter this outcome bumps */
	uint16_t len;    /* frame length after handling (reply length) */
	uint16_t l3_off; /* offset of the IP header (0 if none) */
	uint16_t l4_off; /* offset of the UDP/ICMP header (0 if none) */
	uint16_t ntp_off;/* NTP reply awaiting pktproc_stamp_tx(): offset of the NTP header; else 0 */
	uint32_t l4_nsum;/* with ntp_off: native sum (inet.h) of the UDP pseudo-header, header
			  * and payload as written, for pktproc_stamp_tx() to finish */
	uint32_t xl_slot;/* NTP reply noted in the client log for interleaved mode: the
			  * entry's index + 1, for pktproc_sent(); else 0 */
	uint16_t xl_gen; /* with xl_slot: which reply of that entry this is */
	uint8_t xleave;  /* enum pktproc_xleave */
	uint8_t auth;    /* enum pktproc_auth */
	const struct keytab_key *key; /* the request's key, if we have it (else NULL) */
};

/* What a request's MAC came to. */
enum pktproc_auth {
	PKTPROC_AUTH_NONE = 0, /* no MAC */
	PKTPROC_AUTH_OK = 1,   /* verified under key; the reply carries a MAC under it */
	PKTPROC_AUTH_FAIL = 2, /* unknown key (key NULL) or wrong digest (under key) */
};

/* How an NTP reply relates to interleaved mode (chrony's xleave, RFC 9769). */
enum pktproc_xleave {
	PKTPROC_XLEAVE_NO = 0,     /* a basic request, answered in basic mode */
	PKTPROC_XLEAVE_SERVED = 1, /* an interleaved request, answered interleaved */
	PKTPROC_XLEAVE_BASIC = 2,  /* an interleaved request answered in basic mode: our
				    * previous reply's departure is unknown (never sent) */
};

struct acl;
struct clientlog;
struct keytab;
struct keytab_key;
struct clientlog_params;

/* Per-call inputs that are not the frame itself. */
struct pktproc_ctx {
	const struct pktproc_port *port;
	const struct ntp_server_params *server;
	/* server's reply fields in wire order, ntp_reply_tmpl_init(server); NULL:
	 * built per frame (tests, tools). A worker prepares it once per round. */
	const struct ntp_reply_tmpl *reply;
	struct neigh_table *neigh;  /* may be NULL: nothing is learned */
	uint64_t now_tsc;           /* for neighbour ageing and the client log */
	/* Policy for NTP client requests, applied in this order (RFC 5905 7.4
	 * kiss codes): */
	const struct acl *acl;      /* NULL: every client allowed */
	uint8_t kod_deny;           /* denied clients get KoD DENY instead of nothing */
	struct clientlog *clog;     /* NULL: no client log and no rate limit */
	const struct clientlog_params *rl; /* limiter settings for clog */
	uint8_t mssntp;             /* MS-SNTP requests go to control for signing */
	uint8_t crypto_nak;         /* a failed MAC is answered with a crypto-NAK */
	const struct keytab *keys;  /* symmetric keys; NULL: none (every MAC fails) */
};

/*
 * Handle one frame of len bytes in buf, which has room for cap bytes (cap >=
 * len; an ND advert may need a few bytes more than its solicitation).
 * rx_ts is the frame's receive time. Never reads outside [0, len), never
 * writes outside [0, cap). An NTP reply is never longer than its request.
 */
struct pktproc_verdict pktproc_handle_rx(const struct pktproc_ctx *ctx, uint8_t *buf, uint16_t len,
					 uint16_t cap, ntp_ts_t rx_ts, unsigned int rx_ok);

/* What the NIC already verified (RX checksum offload), for rx_ok: those
 * checksums are not summed again. A bad or unknown one is checked here. */
#define PKTPROC_RX_IP_CSUM_OK 0x1U /* the IPv4 header checksum */
#define PKTPROC_RX_L4_CSUM_OK 0x2U /* the UDP checksum (IPv4 or IPv6) */

/* pktproc_handle_rx() with nothing verified by the NIC. */
static inline struct pktproc_verdict pktproc_handle(const struct pktproc_ctx *ctx, uint8_t *buf,
						    uint16_t len, uint16_t cap, ntp_ts_t rx_ts)
{
	return pktproc_handle_rx(ctx, buf, len, cap, rx_ts, 0);
}

/* pktproc_handle_rx() without the one-pass path for the common request:
 * every frame takes the full walk. The same verdict and bytes for every
 * frame; for the tests that prove it, and for fuzzing both. */
struct pktproc_verdict pktproc_handle_general(const struct pktproc_ctx *ctx, uint8_t *buf,
					      uint16_t len, uint16_t cap, ntp_ts_t rx_ts,
					      unsigned int rx_ok);

/* Write the transmit timestamp into an NTP reply that pktproc_handle()
 * produced (v->ntp_off != 0), its MAC if it is authenticated, and finish
 * its UDP checksum. Nothing in the frame may have changed in between, and
 * the keys v->key points into must still be in force. */
void pktproc_stamp_tx(uint8_t *buf, const struct pktproc_verdict *v, ntp_ts_t tx_ts);

/* The reply v (to a frame of ctx) left the port at tx: interleaved mode
 * can serve that time to the client's next request. */
void pktproc_sent(const struct pktproc_ctx *ctx, const struct pktproc_verdict *v, ntp_ts_t tx);

/* Derive the EUI-64 link-local address fe80::/64 from a MAC. */
void pktproc_ip6_linklocal(const uint8_t mac[6], uint8_t out[16]);

#endif
