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
 *
 * An entry also carries the state of chrony's interleaved mode for its
 * client: the receive timestamp of the last reply and the time that reply
 * actually left, for the client to ask for in its next request. It belongs
 * to one host (x_who, a keyed hash of its full address), so a client
 * sharing a rate-limit prefix, or forging an origin timestamp, never gets
 * another's. Not to a port: chrony sends every request from a new one.
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
	/* Interleaved mode, timestamps as on the wire (0: none). */
	uint64_t x_rx;         /* receive timestamp of the last reply to x_who */
	uint64_t x_tx;         /* when that reply left; 0 until it has */
	uint32_t x_who;        /* clientlog_who() of the host it went to */
	uint16_t x_gen;        /* bumped with every x_rx, so a late x_tx finds its own */
	uint16_t pad3;
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

/* clientlog_account() that also gives the entry's index in *slot. */
enum clientlog_verdict clientlog_account_at(struct clientlog *t, const struct clientlog_params *p,
					    int family, const uint8_t *addr, uint64_t now,
					    uint32_t *slot);

/* Who sent a request, for interleaved mode: a keyed hash of the full
 * address, not masked to the client's prefix. */
uint32_t clientlog_who(const struct clientlog *t, int family, const uint8_t *addr);

enum clientlog_xleave {
	CLIENTLOG_XLEAVE_NONE = 0,  /* origin is not our last receive timestamp: basic */
	CLIENTLOG_XLEAVE_SERVE = 1, /* interleaved: *tx is when the last reply left */
	CLIENTLOG_XLEAVE_LATE = 2,  /* interleaved, but the last reply's time is unknown */
};

/*
 * The x_* fields are the worker's own working state: it writes them without
 * the entry's sequence counter, and nobody reads them from a copy. Inline:
 * every reply to a logged client goes through them.
 *
 * A request from who at entry slot carries origin org (wire order): is it
 * the interleaved follow-up of our last reply to who (RFC 9769 2: origin =
 * the receive timestamp we sent)? If so, and that reply's departure is
 * known, *tx gets it (wire order).
 */
static inline enum clientlog_xleave clientlog_xleave_check(const struct clientlog *t, uint32_t slot,
							   uint32_t who, uint64_t org, uint64_t *tx)
{
	const struct clientlog_entry *e = &t->e[slot];

	if (org == 0 || e->x_rx != org || e->x_who != who)
		return CLIENTLOG_XLEAVE_NONE;
	if (e->x_tx == 0)
		return CLIENTLOG_XLEAVE_LATE;
	*tx = e->x_tx;
	return CLIENTLOG_XLEAVE_SERVE;
}

/* A reply with receive timestamp rx (wire order, nonzero) goes to who: it
 * is the one the next request can follow up on. Returns its generation, for
 * clientlog_xleave_sent(). */
static inline uint16_t clientlog_xleave_reply(struct clientlog *t, uint32_t slot, uint32_t who,
					      uint64_t rx)
{
	struct clientlog_entry *e = &t->e[slot];

	e->x_rx = rx;
	e->x_tx = 0;
	e->x_who = who;
	return ++e->x_gen;
}

/* The reply of generation gen at slot left at tx (wire order). Ignored if
 * the entry has moved on (another reply, another client) since. */
static inline void clientlog_xleave_sent(struct clientlog *t, uint32_t slot, uint16_t gen,
					 uint64_t tx)
{
	struct clientlog_entry *e;

	if (slot >= t->n_entries)
		return;
	e = &t->e[slot];
	if (e->x_gen == gen && e->x_rx != 0 && e->x_tx == 0)
		e->x_tx = tx ? tx : 1; /* 0 means "not yet" */
}

/* Copy entry i consistently (another process may be writing it). Returns 1
 * if the copy holds a client, 0 if the slot is free. */
int clientlog_read(const struct clientlog *t, uint32_t i, struct clientlog_entry *out);

/* chrony's interval: log2 seconds -> counter ticks. */
uint64_t clientlog_interval_ticks(int log2_interval, uint64_t tsc_hz);

#endif
