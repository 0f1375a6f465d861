/*
 * signd_frame: the wire codec of Samba's ntp_signd socket, the Unix stream
 * socket through which an AD DC signs MS-SNTP replies for its domain members
 * (MS-SNTP 3.2.5.1; Samba's ntp_signd.idl). It builds SIGN_TO_CLIENT
 * requests and cuts the reply stream into signed_reply frames; it holds no
 * state and does no I/O, so control/signd.c owns the connection and this
 * file owns the bytes. Byte order is converted here and nowhere else.
 *
 * Every message on the socket is a 4-byte big-endian length, not counting
 * itself, followed by the body.
 *
 * Request (sign_request), always 68 bytes with its length prefix:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Length = 64 (big-endian)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Version = 0 (big-endian)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Op = 0 SIGN_TO_CLIENT (big-endian)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Packet id (big-endian)    |       Padding (zero)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Key id: the 4 raw bytes at offset 48 of the client request  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * .              NTP reply to sign (48 bytes)                     .
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Reply (signed_reply), 16 bytes with its prefix, then the payload:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Length = 12 + payload (big-endian)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Version (big-endian)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Op = 3 SIGNING_SUCCESS / 4 SIGNING_FAILURE (BE)        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Packet id, now 32 bits wide (big-endian)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .  SUCCESS: NTP reply (48) | key id (4) | MD5 MAC (16) = 68      .
 * .  FAILURE: nothing                                             .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef LT_SIGND_FRAME_H
#define LT_SIGND_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define SIGND_FRAME_VERSION     0
#define SIGND_FRAME_PREFIX_LEN  4
#define SIGND_FRAME_NTP_LEN     48
#define SIGND_FRAME_KEYID_LEN   4
#define SIGND_FRAME_MAC_LEN     16
#define SIGND_FRAME_REQ_LEN     68      /* prefix + 16-byte header + 48 */
#define SIGND_FRAME_REPLY_HDR   12      /* reply body without payload */
#define SIGND_FRAME_SIGNED_LEN  68      /* reply || key id || MAC */
/* Largest reply body accepted: a SUCCESS is 80 bytes; the slack only
 * tolerates trailing bytes after a FAILURE (see signd_frame_parse()). */
#define SIGND_FRAME_BODY_MAX    (SIGND_FRAME_REPLY_HDR + SIGND_FRAME_SIGNED_LEN + 48)
#define SIGND_FRAME_REPLY_MAX   (SIGND_FRAME_PREFIX_LEN + SIGND_FRAME_BODY_MAX)

enum signd_frame_op {
	SIGND_OP_SIGN_TO_CLIENT = 0,
	SIGND_OP_SIGNING_SUCCESS = 3,
	SIGND_OP_SIGNING_FAILURE = 4,
};

/* The request as it goes on the wire; every integer is big-endian. */
struct signd_request_wire {
	uint32_t length;
	uint32_t version;
	uint32_t op;
	uint16_t packet_id;
	uint16_t pad;
	uint8_t key_id[SIGND_FRAME_KEYID_LEN];
	uint8_t reply[SIGND_FRAME_NTP_LEN];
} __attribute__((packed));
_Static_assert(sizeof(struct signd_request_wire) == SIGND_FRAME_REQ_LEN,
	       "sign_request frame is 68 bytes");

/* The fixed part of a reply on the wire; the payload follows. */
struct signd_reply_wire {
	uint32_t length;
	uint32_t version;
	uint32_t op;
	uint32_t packet_id;
} __attribute__((packed));
_Static_assert(sizeof(struct signd_reply_wire) == SIGND_FRAME_PREFIX_LEN + SIGND_FRAME_REPLY_HDR,
	       "signed_reply header is 16 bytes with its prefix");

enum signd_frame_verdict {
	SIGND_FRAME_NEED_MORE = 0,      /* a prefix of a valid frame; read more */
	SIGND_FRAME_OK,                 /* one frame, described by the out struct */
	SIGND_FRAME_BAD,                /* cannot be a signed_reply; resync impossible */
};

/* Host-order view of one reply frame; payload points into the parsed buffer. */
struct signd_frame_reply {
	uint32_t version;
	uint32_t op;                    /* SIGND_OP_SIGNING_SUCCESS or _FAILURE */
	uint32_t packet_id;
	const uint8_t *payload;         /* SIGNED_LEN bytes on success, else NULL */
	size_t payload_len;
	size_t frame_len;               /* bytes to consume, prefix included */
};

/* Write a SIGN_TO_CLIENT frame into buf. Returns 68, or -ENOSPC if len < 68. */
int signd_frame_encode(uint8_t *buf, size_t len, uint16_t packet_id,
		       const uint8_t key_id[SIGND_FRAME_KEYID_LEN],
		       const uint8_t reply[SIGND_FRAME_NTP_LEN]);

/* Look at the first frame of a reply stream buffered in buf[0..len). */
enum signd_frame_verdict signd_frame_parse(const uint8_t *buf, size_t len,
					   struct signd_frame_reply *out);

#endif
