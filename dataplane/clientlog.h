/*
 * clientlog: the per-worker client table and chrony-style response rate
 * limiting, in one fixed block of memory that lives in the shared region
 * (so control can list clients) and is written only by its worker.
 *
 * A "client" is an address masked to a configurable prefix (so a /64 is one
 * IPv6 client). Each entry counts hits, rate-limited drops, KoD sent and
 * leaked responses, and keeps first/last seen and an average interval.
 *
 * Rate limiting is a token bucket kept as one theoretical-arrival time
 * (GCRA): a client may take `burst` responses back to back and then one per
 * 2^interval seconds. A limited request is still answered with probability
 * 1/2^leak (so a spoofed victim is never shut out completely, chrony's
 * "leak"); of the remaining limited requests 1/2^kod get a KoD RATE reply
 * (kod 0: none), the rest are dropped. Work per packet is bounded: one hash,
 * at most CLIENTLOG_WAYS entries probed; when a bucket is full the least
 * recently seen entry is evicted (counted). The bucket hash is keyed with a
 * per-table secret drawn at init, so a flood cannot be aimed at the bucket
 * of a chosen victim. No allocation after init.
 *
 * A leaked answer uses up the client's credit (chrony sets its tokens to
 * zero): the next conforming request is one interval later, and a spoofed
 * flood can never build up a debt that outlasts it.
 *
 * Readers in other processes copy an entry under its sequence counter
 * (odd while the worker writes it) and retry if it changed.
 */
#ifndef LT_CLIENTLOG_H
#define LT_CLIENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define CLIENTLOG_WAYS 8

/* What the limiter decided for one request. */
enum clientlog_verdict {
	CLIENTLOG_PASS = 0,    /* within the limit: answer */
	CLIENTLOG_LEAK = 1,    /* over the limit but leaked: answer */
	CLIENTLOG_KOD = 2,     /* over the limit: answer with KoD RATE */
	CLIENTLOG_DROP = 3,    /* over the limit: no answer */
};

struct clientlog_params {
	uint8_t enabled;       /* rate limiting on (the log itself is always kept) */
	uint8_t leak;          /* 0..4 */
	uint8_t kod;           /* 0..8 */
	uint8_t ipv4_prefix;   /* 1..32 */
	uint8_t ipv6_prefix;   /* 1..128 */
	uint8_t pad[3];
	uint32_t burst;        /* >= 1 */
	uint64_t interval_ticks; /* counter ticks per response at the sustained rate */
};

struct clientlog_entry {
	/* First cache line: everything a lookup and the limiter touch. */
	uint32_t seq;          /* odd while being written */
	uint8_t family;        /* 0 free, 4 or 6 */
	uint8_t prefixlen;
	uint16_t pad;
	uint8_t addr[16];      /* masked; IPv4 in the first 4 bytes */
	uint64_t last_tsc;
	uint64_t tat;          /* GCRA theoretical arrival time */
	uint64_t hits;         /* requests seen (answered or not) */
	uint64_t limited;      /* over the limit (leaked + KoD + dropped) */
	/* Second line: statistics. */
	uint64_t kod;          /* KoD RATE sent */
	uint64_t leaked;       /* answered although over the limit */
	uint64_t first_tsc;
	uint64_t avg_interval; /* ticks, exponential average over requests (1/8 weight) */
} __attribute__((aligned(64)));

struct clientlog {
	uint32_t n_entries;    /* power of 2, multiple of CLIENTLOG_WAYS */
	uint32_t pad;
	uint64_t evictions;    /* entries replaced because their bucket was full */
	uint64_t rng;          /* xorshift state for leak/kod draws */
	uint64_t tsc_hz;       /* rate of the counter in *_tsc fields */
	uint64_t hash_key;     /* per-table secret, so nobody can aim addresses at one bucket */
	uint8_t pad2[24];
	struct clientlog_entry e[];
};

/* Bytes for a table of n_entries (rounded as clientlog_init() would). */
size_t clientlog_bytes(uint32_t n_entries);

/* Entries that fit in `bytes` for one worker: a power of two >= CLIENTLOG_WAYS. */
uint32_t clientlog_entries_for(size_t bytes);

/* Empty table of n_entries (power of 2, >= CLIENTLOG_WAYS) in caller memory. */
void clientlog_init(struct clientlog *t, uint32_t n_entries, uint64_t tsc_hz, uint64_t seed);

/*
 * Account one request from addr (family 4: 4 bytes; 6: 16 bytes, network
 * order) at counter value now, and decide. With p->enabled == 0 the
 * request is logged and always passes.
 */
enum clientlog_verdict clientlog_account(struct clientlog *t, const struct clientlog_params *p,
					 int family, const uint8_t *addr, uint64_t now);

/* Copy entry i consistently (another process may be writing it). Returns 1
 * if the copy holds a client, 0 if the slot is free. */
int clientlog_read(const struct clientlog *t, uint32_t i, struct clientlog_entry *out);

/* chrony's interval: log2 seconds -> counter ticks. */
uint64_t clientlog_interval_ticks(int log2_interval, uint64_t tsc_hz);

#endif
