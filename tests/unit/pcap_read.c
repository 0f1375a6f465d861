/* pcap_read: classic pcap reader for tests (see pcap_read.h). */
#include "pcap_read.h"

#include <errno.h>
#include <string.h>

#define MAGIC_USEC 0xa1b2c3d4U
#define MAGIC_NSEC 0xa1b23c4dU
/* No real capture has frames this big; a larger record length means the
 * file is corrupt. */
#define MAX_RECORD (256U * 1024U)

static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00U) | (v << 8 & 0xff0000U) | v << 24;
}

static uint32_t field(const struct pcap_read *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swapped ? swap32(v) : v;
}

int pcap_read_open(struct pcap_read *r, const char *path)
{
	uint8_t hdr[24];
	uint32_t magic;

	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "rb");
	if (!r->f)
		return -errno;
	if (fread(hdr, 1, sizeof(hdr), r->f) != sizeof(hdr))
		goto bad;
	memcpy(&magic, hdr, 4);
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		r->swapped = 0;
	} else if (swap32(magic) == MAGIC_USEC || swap32(magic) == MAGIC_NSEC) {
		r->swapped = 1;
		magic = swap32(magic);
	} else {
		goto bad;
	}
	r->nsec = magic == MAGIC_NSEC;
	r->snaplen = field(r, hdr + 16);
	/* The upper bits of the link-type word carry FCS information. */
	r->linktype = field(r, hdr + 20) & 0x0fffffffU;
	return 0;
bad:
	fclose(r->f);
	r->f = NULL;
	return -EPROTO;
}

int pcap_read_next(struct pcap_read *r, uint8_t *buf, size_t cap, struct pcap_read_frame *fr)
{
	uint8_t rec[16];
	size_t got;
	uint32_t sec, frac;

	if (!r->f)
		return -EPROTO;
	got = fread(rec, 1, sizeof(rec), r->f);
	if (got == 0 && feof(r->f))
		return 0;
	if (got != sizeof(rec))
		return -EPROTO;
	sec = field(r, rec);
	frac = field(r, rec + 4);
	fr->caplen = field(r, rec + 8);
	fr->origlen = field(r, rec + 12);
	fr->ts_ns = (uint64_t)sec * 1000000000U + (r->nsec ? frac : (uint64_t)frac * 1000U);
	if (fr->caplen > MAX_RECORD)
		return -EPROTO;
	if (fr->caplen > cap) {
		/* Skip it so the caller may go on with the next frame. */
		if (fseek(r->f, (long)fr->caplen, SEEK_CUR) != 0)
			return -EPROTO;
		return -EMSGSIZE;
	}
	if (fread(buf, 1, fr->caplen, r->f) != fr->caplen)
		return -EPROTO;
	return 1;
}

void pcap_read_close(struct pcap_read *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}
