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

struct genval {
	struct genval_cfg c;
	struct genval_slot *slot;  /* 2^table_bits entries */
	uint32_t mask;
	struct lt_clock_map map;   /* the generator's TSC -> NTP time */
};

/* The four timestamps and what follows from them, for a valid reply. */
struct genval_result {
	uint8_t matched;           /* the reply answered a waiting request (now done) */
	uint32_t seq;
	uint64_t latency_tsc;      /* receive - send, TSC ticks */
	int64_t offset;            /* ((T2 - T1) + (T3 - T4)) / 2, NTP units */
	int64_t delay;             /* (T4 - T1) - (T3 - T2), NTP units */
};

/* Allocate the table (calloc). Returns 0 or -ENOMEM/-EINVAL. */
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
