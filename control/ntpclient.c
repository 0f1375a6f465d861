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

enum ntpclient_verdict ntpclient_check(const uint8_t *pkt, size_t len, uint64_t nonce,
				       struct ntpclient_reply *out)
{
	struct ntp_header h;

	memset(out, 0, sizeof(*out));
	if (len < NTP_HEADER_LEN || ntp_packet_decode(pkt, len, &h) != 0)
		return NTPCLIENT_SHORT;
	if (h.mode != NTP_MODE_SERVER || h.version < 1 || h.version > 4)
		return NTPCLIENT_NOT_REPLY;
	if (h.org != nonce || nonce == 0)
		return NTPCLIENT_BOGUS;
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
		"bad_time",
	};

	return v < NTPCLIENT_VERDICTS ? names[v] : "?";
}
