/* ntpclient: build client requests and check what comes back. */
#include "ntpclient.h"

#include <string.h>

void ntpclient_request(uint8_t out[NTP_HEADER_LEN], int8_t poll, int8_t precision, uint64_t nonce)
{
	struct ntp_header h;

	memset(&h, 0, sizeof(h));
	/* chrony's client requests carry leap 0 and zeroed clock fields: a
	 * server learns nothing about us from them. */
	h.version = 4;
	h.mode = NTP_MODE_CLIENT;
	h.poll = poll;
	h.precision = precision;
	h.tx = nonce;
	ntp_packet_encode(&h, out, NTP_HEADER_LEN);
}

unsigned int ntpclient_request_auth(uint8_t out[NTPCLIENT_REQUEST_MAX], int8_t poll,
				    int8_t precision, uint64_t nonce, const struct ntp_mac_key *key)
{
	ntpclient_request(out, poll, precision, nonce);
	if (!key)
		return NTP_HEADER_LEN;
	/* RFC 5905 7.3: the MAC covers the header (we send no extension fields). */
	return NTP_HEADER_LEN + ntp_mac_write(key, out, NTP_HEADER_LEN, out + NTP_HEADER_LEN);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 5905 7.3 and 9.2: is the reply authentic under key? */
static enum ntpclient_verdict check_mac(const uint8_t *pkt, size_t len, const struct ntp_mac_key *key)
{
	unsigned int off = ntp_mac_find(pkt, len);

	if (!off) {
		/* A crypto-NAK is the key identifier 0 alone, after the header
		 * (RFC 5905 7.4); chrony sends it for a key it does not have. */
		if (len == NTP_HEADER_LEN + NTP_MAC_NAK_LEN && be32(pkt + NTP_HEADER_LEN) == 0)
			return NTPCLIENT_CRYPTO_NAK;
		return NTPCLIENT_AUTH_MISSING;
	}
	if (be32(pkt + off) != key->id)
		return NTPCLIENT_AUTH_KEYID;
	/* A digest of another length (an MD5 MAC for a SHA1 key) is wrong too. */
	if (len - off - 4 != key->digest_len || !ntp_mac_check(key, pkt, off, pkt + off + 4))
		return NTPCLIENT_AUTH_FAIL;
	return NTPCLIENT_OK;
}

enum ntpclient_verdict ntpclient_check(const uint8_t *pkt, size_t len, uint64_t nonce,
				       struct ntpclient_reply *out)
{
	return ntpclient_check_auth(pkt, len, nonce, NULL, out);
}

enum ntpclient_verdict ntpclient_check_auth(const uint8_t *pkt, size_t len, uint64_t nonce,
					    const struct ntp_mac_key *key,
					    struct ntpclient_reply *out)
{
	struct ntp_header h;
	enum ntpclient_verdict av;

	memset(out, 0, sizeof(*out));
	if (len < NTP_HEADER_LEN || ntp_packet_decode(pkt, len, &h) != 0)
		return NTPCLIENT_SHORT;
	if (h.mode != NTP_MODE_SERVER || h.version < 1 || h.version > 4)
		return NTPCLIENT_NOT_REPLY;
	if (h.org != nonce || nonce == 0)
		return NTPCLIENT_BOGUS;
	/* Nothing of an unauthenticated reply is believed, a kiss code least. */
	if (key && (av = check_mac(pkt, len, key)) != NTPCLIENT_OK)
		return av;
	out->leap = h.leap;
	out->version = h.version;
	out->stratum = h.stratum;
	out->poll = h.poll;
	out->precision = h.precision;
	out->refid = h.refid;
	out->root_delay = ntp_short_to_double(h.root_delay);
	out->root_dispersion = ntp_short_to_double(h.root_dispersion);
	out->ref = h.ref;
	out->rx = h.rx;
	out->tx = h.tx;
	if (h.stratum == 0) {
		/* RFC 5905 section 7.4: stratum 0 carries a kiss code in refid. */
		for (int i = 0; i < 4; i++) {
			char c = (char)(h.refid >> (24 - 8 * i));
			out->kiss[i] = c >= 32 && c < 127 ? c : '?';
		}
		out->kiss[4] = '\0';
		if (strcmp(out->kiss, "RATE") == 0)
			return NTPCLIENT_KOD_RATE;
		if (strcmp(out->kiss, "DENY") == 0 || strcmp(out->kiss, "RSTR") == 0)
			return NTPCLIENT_KOD_DENY;
		return NTPCLIENT_KOD_OTHER;
	}
	if (h.leap == NTP_LEAP_UNSYNC || h.stratum >= NTP_STRATUM_UNSYNC)
		return NTPCLIENT_UNSYNC;
	if (h.rx == 0 || h.tx == 0 || ntp_ts_diff(h.tx, h.rx) < 0)
		return NTPCLIENT_BAD_TIME;
	return NTPCLIENT_OK;
}

const char *ntpclient_verdict_name(enum ntpclient_verdict v)
{
	static const char *const names[NTPCLIENT_VERDICTS] = {
		"ok", "short", "not_reply", "bogus", "kod_rate", "kod_deny", "kod_other", "unsync",
		"bad_time", "auth_missing", "auth_keyid", "auth_fail", "crypto_nak",
	};

	return v < NTPCLIENT_VERDICTS ? names[v] : "?";
}
