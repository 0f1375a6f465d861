/*
 * ntpclient: the client side of one NTP exchange (RFC 5905 mode 3 / 4),
 * hardened as chrony's is. A request carries a random transmit timestamp
 * (so it reveals nothing of our clock and a reply must echo 64 unguessable
 * bits as its origin); a reply is taken only if it is a mode 4 answer to
 * the request outstanding. Kiss-o'-death codes and unsynchronised servers
 * are told apart so the caller can back off or stop.
 *
 * With a symmetric key (RFC 5905 7.3, RFC 8573) a request ends with a MAC
 * under it, and a reply counts only if it ends with a MAC under the same
 * key identifier whose digest verifies. Before that test a reply is not
 * believed in anything, KoD included: a crypto-NAK, a missing MAC, another
 * key identifier or a bad digest each has its own verdict. Without a key,
 * a MAC in a reply is ignored, as chrony ignores it.
 *
 * Pure byte handling: no clock, no socket.
 */
#ifndef LT_NTPCLIENT_H
#define LT_NTPCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_mac.h"
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
	/* Keyed sources only; tested right after BOGUS. */
	NTPCLIENT_AUTH_MISSING,   /* no MAC (or not one of 20/24 bytes) */
	NTPCLIENT_AUTH_KEYID,     /* a MAC under another key identifier */
	NTPCLIENT_AUTH_FAIL,      /* our key identifier, but the digest is wrong */
	NTPCLIENT_CRYPTO_NAK,     /* a crypto-NAK: the server does not know our key */
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

/* Longest request: the header and a MAC with a 20-byte digest. */
#define NTPCLIENT_REQUEST_MAX (NTP_HEADER_LEN + NTP_MAC_LEN_MAX)

/* Write a 48-byte version 4 client request whose transmit timestamp is
 * nonce (random, nonzero). */
void ntpclient_request(uint8_t out[NTP_HEADER_LEN], int8_t poll, int8_t precision, uint64_t nonce);

/* The same request, followed by its MAC under key if key is not NULL.
 * Returns its length: 48, or 68 / 72 with a 16- / 20-byte digest. */
unsigned int ntpclient_request_auth(uint8_t out[NTPCLIENT_REQUEST_MAX], int8_t poll,
				    int8_t precision, uint64_t nonce, const struct ntp_mac_key *key);

/* Check a reply against the nonce of the request outstanding; fills *out
 * for the verdicts from NTPCLIENT_OK to NTPCLIENT_BAD_TIME except
 * NTPCLIENT_SHORT, NOT_REPLY and BOGUS. Any MAC is ignored. */
enum ntpclient_verdict ntpclient_check(const uint8_t *pkt, size_t len, uint64_t nonce,
				       struct ntpclient_reply *out);

/* ntpclient_check for a source with key (NULL: none, as ntpclient_check):
 * after the origin test, the reply must carry a MAC under key->id that
 * verifies, else one of the NTPCLIENT_AUTH_* / CRYPTO_NAK verdicts. */
enum ntpclient_verdict ntpclient_check_auth(const uint8_t *pkt, size_t len, uint64_t nonce,
					    const struct ntp_mac_key *key,
					    struct ntpclient_reply *out);

/* Short name of a verdict ("bogus", "kod_rate", ...). */
const char *ntpclient_verdict_name(enum ntpclient_verdict v);

#endif
