/*
 * pcap_read: a minimal reader for classic pcap files (the libpcap format of
 * tcpdump -w), enough for tests to replay captured frames without libpcap.
 * Both byte orders and both the microsecond and nanosecond variants are
 * understood; pcapng is not.
 */
#ifndef LT_PCAP_READ_H
#define LT_PCAP_READ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCAP_READ_LINKTYPE_ETHERNET 1

struct pcap_read {
	FILE *f;
	int swapped;       /* file written on a host of the other byte order */
	int nsec;          /* timestamps carry nanoseconds, not microseconds */
	uint32_t linktype; /* LINKTYPE_* of every frame in the file */
	uint32_t snaplen;
};

struct pcap_read_frame {
	uint64_t ts_ns;    /* capture time, ns since the Unix epoch */
	uint32_t caplen;   /* bytes stored (and copied out) */
	uint32_t origlen;  /* bytes on the wire */
};

/* Open path and read its global header. Returns 0, or -errno (-EPROTO for a
 * file that is not classic pcap). */
int pcap_read_open(struct pcap_read *r, const char *path);

/* Copy the next frame into buf (cap bytes). Returns 1 with *fr filled, 0 at
 * the end of the file, -EMSGSIZE if the frame does not fit in buf, -EPROTO
 * for a truncated or corrupt record. */
int pcap_read_next(struct pcap_read *r, uint8_t *buf, size_t cap, struct pcap_read_frame *fr);

void pcap_read_close(struct pcap_read *r);

#endif
