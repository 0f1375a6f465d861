/*
 * ntp_packet: the NTPv4 header on the wire (RFC 5905 section 7.3) and a
 * host-order view of it. Byte order is converted by ntp_packet_decode() and
 * ntp_packet_encode(), and logic works on struct ntp_header, with one
 * exception: the fast path writes a reply in place from a template already
 * in wire order (struct ntp_reply_tmpl), which must give the same bytes.
 */
#ifndef LT_NTP_PACKET_H
#define LT_NTP_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inet.h"
#include "ntp_time.h"

/*
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |LI | VN  |Mode |    Stratum     |     Poll      |  Precision   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Root Delay                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Root Dispersion                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Reference ID                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * +                     Reference Timestamp (64)                  +
 * +                      Origin Timestamp (64)                    +
 * +                      Receive Timestamp (64)                   +
 * +                      Transmit Timestamp (64)                  +
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .    Extension fields / Key Identifier + MAC (optional)         .
 */
struct ntp_wire {
	uint8_t li_vn_mode;
	uint8_t stratum;
	int8_t poll;
	int8_t precision;
	uint32_t root_delay;      /* network order, 16.16 */
	uint32_t root_dispersion; /* network order, 16.16 */
	uint32_t refid;           /* network order */
	uint32_t ref_ts[2];       /* network order, seconds then fraction */
	uint32_t org_ts[2];
	uint32_t rx_ts[2];
	uint32_t tx_ts[2];
} __attribute__((packed));
_Static_assert(sizeof(struct ntp_wire) == 48, "NTP header is 48 bytes");

#define NTP_HEADER_LEN 48
#define NTP_PORT 123

enum ntp_mode {
	NTP_MODE_RESERVED = 0,
	NTP_MODE_SYMMETRIC_ACTIVE = 1,
	NTP_MODE_SYMMETRIC_PASSIVE = 2,
	NTP_MODE_CLIENT = 3,
	NTP_MODE_SERVER = 4,
	NTP_MODE_BROADCAST = 5,
	NTP_MODE_CONTROL = 6,
	NTP_MODE_PRIVATE = 7,
};

enum ntp_leap {
	NTP_LEAP_NONE = 0,
	NTP_LEAP_INSERT = 1,
	NTP_LEAP_DELETE = 2,
	NTP_LEAP_UNSYNC = 3,
};

#define NTP_STRATUM_UNSYNC 16

/* [MS-SNTP] 2.2.1/2.2.2: the 48-byte header plus an authenticator of a key
 * id and 16 MAC bytes, or the 72-byte extended one Samba cannot sign. */
#define NTP_MSSNTP_LEN (NTP_HEADER_LEN + 20)
#define NTP_MSSNTP_EXT_LEN (NTP_HEADER_LEN + 72)

/* Reference id "LOCL" as a host-order 32-bit value. */
#define NTP_REFID_LOCL 0x4c4f434cU

/* Host-order view of the 48-byte header. */
struct ntp_header {
	uint8_t leap;
	uint8_t version;
	uint8_t mode;
	uint8_t stratum;
	int8_t poll;
	int8_t precision;
	uint32_t root_delay;      /* 16.16 */
	uint32_t root_dispersion; /* 16.16 */
	uint32_t refid;
	ntp_ts_t ref;
	ntp_ts_t org;
	ntp_ts_t rx;
	ntp_ts_t tx;
};

/* What a server says about its clock in every reply (host order). */
struct ntp_server_params {
	uint8_t leap;        /* NTP_LEAP_*; NTP_LEAP_UNSYNC when not synchronised */
	uint8_t stratum;     /* 1..15, or 16 when unsynchronised */
	int8_t precision;
	uint32_t root_delay; /* 16.16 */
	uint32_t root_dispersion;
	uint32_t refid;
	ntp_ts_t ref_time;
};

/*
 * The mode 4 reply header to the client request req (48 bytes or more):
 * the server's clock fields, the request's version and poll (RFC 5905 9.2),
 * origin = the request's transmit timestamp, rx_ts and tx_ts as given. The
 * one rule for every reply linetime sends, fast path or signed.
 */
void ntp_packet_server_reply(const struct ntp_server_params *s, const uint8_t *req, ntp_ts_t rx_ts,
			     ntp_ts_t tx_ts, struct ntp_header *out);

/*
 * The server's part of every mode 4 reply, in wire order, prepared once per
 * clock update: bytes 0-23 (leap and mode with the version bits clear,
 * stratum, poll 0, precision, root delay, root dispersion, reference id,
 * reference timestamp) and their native one's complement sum (inet.h).
 */
struct ntp_reply_tmpl {
	uint8_t head[24];
	uint64_t nsum;
};

void ntp_reply_tmpl_init(struct ntp_reply_tmpl *t, const struct ntp_server_params *s);

/* The request bits a reply keeps, as a native 32-bit load of bytes 0-3
 * sees them: the version (byte 0, bits 3-5) and the poll (byte 2). */
#define NTP_REPLY_KEEP_MASK 0x00ff0038U

/*
 * Turn the client request at q (48 bytes or more) into its reply header in
 * place: exactly ntp_packet_server_reply() with tx_ts 0, then
 * ntp_packet_encode(). The transmit timestamp is left 0 for the caller to
 * write last. Returns the native sum of the 48 bytes written, for the UDP
 * checksum. Inline: it is most of the fast path's reply.
 */
static inline uint64_t ntp_reply_write(const struct ntp_reply_tmpl *t, uint8_t *q, ntp_ts_t rx_ts)
{
	const uint64_t rx = __builtin_bswap64(rx_ts), zero = 0;
	uint32_t w0, keep;
	uint64_t org;

	memcpy(&keep, q, 4);
	keep &= NTP_REPLY_KEEP_MASK;
	memcpy(&org, q + 40, 8);
	memcpy(&w0, t->head, 4);
	w0 |= keep;
	memcpy(q, &w0, 4);
	memcpy(q + 4, t->head + 4, 20);
	memcpy(q + 24, &org, 8);
	memcpy(q + 32, &rx, 8);
	memcpy(q + 40, &zero, 8);
	/* keep's bits are clear in the template, so adding is or-ing. */
	return inet_nsum_add(inet_nsum_add(inet_nsum_add(t->nsum, keep), org), rx);
}

/* Decode the first 48 bytes of buf. Returns 0, or -EINVAL if len < 48. */
int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_header *h);

/* Encode h into the first 48 bytes of buf. Returns 48, or -ENOSPC. */
int ntp_packet_encode(const struct ntp_header *h, uint8_t *buf, size_t len);

/* Read/write a 64-bit NTP timestamp at p (network order on the wire). */
ntp_ts_t ntp_ts_load(const void *p);
void ntp_ts_store(void *p, ntp_ts_t t);

/*
 * Whether the n-byte NTP packet at q is an MS-SNTP signing request: a
 * version 3 client request of NTP_MSSNTP_LEN bytes whose key id (the
 * machine account's RID) is set and whose MAC is all zero. Inline: the
 * fast path asks it of every request.
 */
static inline int ntp_packet_is_mssntp(const uint8_t *q, size_t n)
{
	uint64_t mac[2];

	if (n != NTP_MSSNTP_LEN || (q[0] & 0x3f) != (3 << 3 | NTP_MODE_CLIENT))
		return 0;
	if (!(q[48] | q[49] | q[50] | q[51]))
		return 0;
	memcpy(mac, q + 52, sizeof(mac));
	return (mac[0] | mac[1]) == 0;
}

#endif
