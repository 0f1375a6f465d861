/*
 * genval: the generator's table of outstanding requests and the check of
 * every reply against it, as plain C on byte buffers.
 *
 * Each request sent is recorded in a slot chosen by the low bits of its
 * sequence number (the cookie in its transmit timestamp, see genreq.h):
 * send time in TSC ticks, client address and port, NTP version. A reply is
 * matched by its origin timestamp, then checked (RFC 5905 8, RFC 4330 5):
 * mode 4, the request's version, a stratum in the expected range, addressed
 * to the client that asked, no longer than the request, and receive <=
 * transmit, both between the request's send and the reply's receive time
 * as the generator's own clock saw them (within a slack). The offset and
 * delay of every valid reply follow from the four timestamps.
 *
 * A slot is reused when the sequence numbers come round again; a request
 * not answered by then, or answered after its timeout, is lost (and a late
 * answer is counted invalid as "late"). Size the table for rate x timeout.
 *
 * Interleaved mode (cfg.xleave): each client address follows up on the last
 * valid reply it got, as chrony's xleave clients do (RFC 9769 2): origin =
 * that reply's receive timestamp, receive field = a second cookie. A server
 * that answers in interleaved mode echoes the receive field as origin and
 * sends as transmit timestamp the time its previous reply to this client
 * left; a server that does not answers in basic mode. Either way every
 * valid reply yields the server's transmit timestamp against the time the
 * reply it describes arrived here (T3 - T4): the reply itself in basic
 * mode, the previous one in interleaved mode.
 */
#ifndef LT_GENVAL_H
#define LT_GENVAL_H

#include <stdint.h>

#include "genreq.h"
#include "shm.h"

/* Why a received frame is not a valid reply; GENVAL_OK when it is. */
#define GENVAL_REASONS(X)                                                         \
	X(OK, "valid reply")                                                      \
	X(MALFORMED, "headers inconsistent or NTP shorter than 48 bytes")         \
	X(CHECKSUM, "IPv4 header or UDP checksum wrong")                          \
	X(ADDRESS, "not from the server, or to a client or port that did not ask")\
	X(ORIGIN, "origin timestamp is no request of this run")                   \
	X(LATE, "answer after the request's timeout or slot reuse")               \
	X(DUPLICATE, "second answer to one request")                              \
	X(MODE, "mode is not 4 (server)")                                         \
	X(VERSION, "version differs from the request's")                          \
	X(STRATUM, "stratum outside the expected range")                          \
	X(TIME, "receive/transmit outside the request's send..receive window")    \
	X(LENGTH, "reply longer than the request")

enum genval_reason {
#define GENVAL_ENUM(name, help) GENVAL_##name,
	GENVAL_REASONS(GENVAL_ENUM)
#undef GENVAL_ENUM
	GENVAL_MAX,
	GENVAL_IGNORED = GENVAL_MAX, /* not NTP from the server's port: someone else's frame */
};

struct genval_cfg {
	uint8_t family;          /* 4 or 6 */
	uint8_t version;         /* the requests' version */
	uint8_t stratum_min;     /* accepted stratum range, 1..15 by default */
	uint8_t stratum_max;
	uint8_t server[16];      /* replies come from here */
	uint16_t server_port;
	uint16_t req_ntp_len;    /* UDP payload bytes of a request (48) */
	uint64_t key;            /* cookie key (genreq_cfg.key) */
	uint64_t slack_ntp;      /* allowed clock disagreement, NTP units (2^-32 s) */
	uint64_t timeout_tsc;    /* a reply later than this after its request is late */
	uint32_t table_bits;     /* 2^bits slots */
	const struct genreq_cfg *pop; /* the client population (reply destinations) */
	uint8_t xleave;          /* clients follow up in interleaved mode */
};

struct genval_slot {
	uint64_t send_tsc;
	uint32_t seq;
	uint32_t addr_i;
	uint16_t sport;
	uint8_t state;           /* GENVAL_SLOT_* */
	uint8_t pad[5];
};

enum { GENVAL_SLOT_FREE = 0, GENVAL_SLOT_SENT = 1, GENVAL_SLOT_DONE = 2 };

/* What an interleaved-style request follows up on: the exchange whose
 * reply's receive timestamp it sends as origin. */
struct genval_follow {
	ntp_ts_t org;              /* that reply's receive timestamp (T2) */
	uint64_t t1_tsc;           /* when that request left */
	uint64_t t4_tsc;           /* when that reply arrived */
};

/* Per slot, in interleaved mode only. */
struct genval_xl {
	struct genval_follow prev; /* prev.org == 0: a basic request */
	uint64_t t4_tsc;           /* this request's valid reply: when it arrived */
	ntp_ts_t t2;               /* and its receive timestamp */
};

struct genval {
	struct genval_cfg c;
	struct genval_slot *slot;  /* 2^table_bits entries */
	struct genval_xl *xl;      /* 2^table_bits entries, with cfg.xleave */
	uint64_t *last;            /* per client address: 1 + seq of its last valid reply, 0 none */
	uint64_t rx_key;           /* key of the receive-field cookies */
	uint32_t mask;
	struct lt_clock_map map;   /* the generator's TSC -> NTP time */
};

/* Clients an interleaved run can follow (one word each). */
#define GENVAL_XLEAVE_MAX_CLIENTS (1U << 24)

/* The four timestamps and what follows from them, for a valid reply. */
struct genval_result {
	uint8_t matched;           /* the reply answered a waiting request (now done) */
	uint8_t interleaved;       /* an interleaved reply (about the previous exchange) */
	uint32_t seq;
	uint64_t latency_tsc;      /* receive - send, TSC ticks */
	int64_t offset;            /* ((T2 - T1) + (T3 - T4)) / 2, NTP units */
	int64_t delay;             /* (T4 - T1) - (T3 - T2), NTP units */
	int64_t tx_err;            /* T3 - T4, NTP units: the server's transmit timestamp
				    * against the arrival here of the reply it describes */
};

/* Allocate the table (calloc). Returns 0 or -ENOMEM/-EINVAL (also for
 * interleaved mode with more than GENVAL_XLEAVE_MAX_CLIENTS addresses). */
int genval_init(struct genval *v, const struct genval_cfg *c);
void genval_fini(struct genval *v);

/* Replace the generator's clock map (it is re-anchored while running). */
void genval_set_map(struct genval *v, const struct lt_clock_map *m);

/* Slots needed for rate pps and a timeout of timeout_s: 2 x rate x timeout,
 * as a power of two between 2^12 and 2^22; returns the exponent. */
uint32_t genval_table_bits(double rate, double timeout_s);

/* Record request seq sent at send_tsc from client addr_i:sport. Returns 1 if
 * the slot still held an unanswered request (now lost for good), else 0. */
int genval_sent(struct genval *v, uint32_t seq, uint64_t send_tsc, uint32_t addr_i, uint16_t sport);

/* In interleaved mode: what the next request of client addr_i follows up
 * on. Returns 1 and fills *f, or 0 when the client has no usable last
 * reply (its request is then a basic one). */
int genval_xl_follow(const struct genval *v, uint32_t addr_i, struct genval_follow *f);

/* genval_sent() for a request built with genreq_next_xleave() from *f
 * (NULL: a basic request). */
int genval_sent_xl(struct genval *v, uint32_t seq, uint64_t send_tsc, uint32_t addr_i,
		   uint16_t sport, const struct genval_follow *f);

/* Forget request seq (it was built but never sent). */
void genval_unsent(struct genval *v, uint32_t seq);

/*
 * Classify one received frame at recv_tsc. On GENVAL_OK *r holds the
 * timestamps' verdicts; the request is marked answered. Any other reason
 * but GENVAL_IGNORED is an invalid reply.
 */
enum genval_reason genval_check(struct genval *v, const uint8_t *frame, uint16_t len,
				uint64_t recv_tsc, struct genval_result *r);

/* Requests still waiting for an answer (a full scan, for the end of a
 * step): counted, then given up, so they are not counted again. */
uint64_t genval_expire_all(struct genval *v);

/* Name ("time") and description of a reason. */
const char *genval_reason_name(unsigned int r);
const char *genval_reason_help(unsigned int r);

#endif
