/* ntp_packet: NTPv4 header codec (see ntp_packet.h). */
#include "ntp_packet.h"

#include <errno.h>

#include "bytes.h"

ntp_ts_t ntp_ts_load(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)bytes_get_be32(b) << 32 | bytes_get_be32(b + 4);
}

void ntp_ts_store(void *p, ntp_ts_t t)
{
	uint8_t *b = p;
	bytes_put_be32(b, (uint32_t)(t >> 32));
	bytes_put_be32(b + 4, (uint32_t)t);
}

int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_header *h)
{
	if (len < NTP_HEADER_LEN)
		return -EINVAL;
	h->leap = buf[0] >> 6;
	h->version = (buf[0] >> 3) & 7;
	h->mode = buf[0] & 7;
	h->stratum = buf[1];
	h->poll = (int8_t)buf[2];
	h->precision = (int8_t)buf[3];
	h->root_delay = bytes_get_be32(buf + 4);
	h->root_dispersion = bytes_get_be32(buf + 8);
	h->refid = bytes_get_be32(buf + 12);
	h->ref = ntp_ts_load(buf + 16);
	h->org = ntp_ts_load(buf + 24);
	h->rx = ntp_ts_load(buf + 32);
	h->tx = ntp_ts_load(buf + 40);
	return 0;
}

int ntp_packet_encode(const struct ntp_header *h, uint8_t *buf, size_t len)
{
	if (len < NTP_HEADER_LEN)
		return -ENOSPC;
	/* Out-of-range values are masked to their field rather than spilling
	 * into the neighbouring one. */
	buf[0] = (uint8_t)((h->leap & 3) << 6 | (h->version & 7) << 3 | (h->mode & 7));
	buf[1] = h->stratum;
	buf[2] = (uint8_t)h->poll;
	buf[3] = (uint8_t)h->precision;
	bytes_put_be32(buf + 4, h->root_delay);
	bytes_put_be32(buf + 8, h->root_dispersion);
	bytes_put_be32(buf + 12, h->refid);
	ntp_ts_store(buf + 16, h->ref);
	ntp_ts_store(buf + 24, h->org);
	ntp_ts_store(buf + 32, h->rx);
	ntp_ts_store(buf + 40, h->tx);
	return NTP_HEADER_LEN;
}

void ntp_packet_server_reply(const struct ntp_server_params *s, const uint8_t *req, ntp_ts_t rx_ts,
			     ntp_ts_t tx_ts, struct ntp_header *out)
{
	out->leap = s->leap & 3;
	out->version = (req[0] >> 3) & 7;
	out->mode = NTP_MODE_SERVER;
	out->stratum = s->stratum;
	out->poll = (int8_t)req[2];
	out->precision = s->precision;
	out->root_delay = s->root_delay;
	out->root_dispersion = s->root_dispersion;
	out->refid = s->refid;
	out->ref = s->ref_time;
	out->org = ntp_ts_load(req + 40);
	out->rx = rx_ts;
	out->tx = tx_ts;
}

void ntp_reply_tmpl_init(struct ntp_reply_tmpl *t, const struct ntp_server_params *s)
{
	static const uint8_t bare[NTP_HEADER_LEN]; /* version 0, poll 0, timestamps 0 */
	struct ntp_header h;
	uint8_t b[NTP_HEADER_LEN];

	/* Built by the one rule, so the template cannot drift from it. */
	ntp_packet_server_reply(s, bare, 0, 0, &h);
	ntp_packet_encode(&h, b, sizeof(b));
	memcpy(t->head, b, sizeof(t->head));
	t->nsum = inet_nsum(0, t->head, sizeof(t->head));
}
