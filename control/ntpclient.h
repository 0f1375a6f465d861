/*
 * ntpclient: the client side of one NTP exchange (RFC 5905 mode 3 / 4),
 * hardened as chrony's is. A request carries a random transmit timestamp
 * (so it reveals nothing of our clock and a reply must echo 64 unguessable
 * bits as its origin); a reply is taken only if it is a mode 4 answer to
 * the request outstanding. Kiss-o'-death codes and unsynchronised servers
 * are told apart so the caller can back off or stop.
 *
 * Pure byte handling: no clock, no socket.
 */
#ifndef LT_NTPCLIENT_H
#define LT_NTPCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_packet.h"

enum ntpclient_verdict {
	NTPCLIENT_OK = 0,
	NTPCLIENT_SHORT,          /* fewer than 48 bytes */
	NTPCLIENT_NOT_REPLY,      /* not mode 4, or version outside 1..4 */
	NTPCLIENT_BOGUS,          /* origin does not match the request outstanding */
	NTPCLIENT_KOD_RATE,       /* kiss code RATE: poll less often */
	NTPCLIENT_KOD_DENY,       /* DENY or RSTR: stop using this server */
	NTPCLIENT_KOD_OTHER,      /* another kiss code: ignore the reply */
	NTPCLIENT_UNSYNC,         /* leap 3, or stratum 16 and above */
	NTPCLIENT_BAD_TIME,       /* zero receive/transmit time, or transmit before receive */
	NTPCLIENT_VERDICTS
};

/* What a valid reply says (times in NTP format, server's clock). */
struct ntpclient_reply {
	uint8_t leap;
	uint8_t version;
	uint8_t stratum;
	int8_t poll;
	int8_t precision;
	uint32_t refid;
	double root_delay;        /* s */
	double root_dispersion;   /* s */
	ntp_ts_t ref, rx, tx;     /* T2 = rx, T3 = tx */
	char kiss[5];             /* kiss code for a KoD, "" otherwise */
};

/* Write a 48-byte version 4 client request whose transmit timestamp is
 * nonce (random, nonzero). */
void ntpclient_request(uint8_t out[NTP_HEADER_LEN], int8_t poll, int8_t precision, uint64_t nonce);

/* Check a reply against the nonce of the request outstanding; fills *out
 * for every verdict past NTPCLIENT_BOGUS. */
enum ntpclient_verdict ntpclient_check(const uint8_t *pkt, size_t len, uint64_t nonce,
				       struct ntpclient_reply *out);

/* Short name of a verdict ("bogus", "kod_rate", ...). */
const char *ntpclient_verdict_name(enum ntpclient_verdict v);

#endif
