/* clientlog: per-worker client table and GCRA rate limiting (see clientlog.h). */
#include "clientlog.h"

#include <stddef.h>
#include <string.h>

#include "seqlock.h"

#define cl_likely(x)   __builtin_expect(!!(x), 1)
#define cl_unlikely(x) __builtin_expect(!!(x), 0)

/* The largest table: n_entries is a uint32_t power of two. */
#define CL_MAX_ENTRIES (1U << 31)

/* The interval and the burst tolerance are each capped so that tat - now
 * (at most tau + T) fits a signed 64-bit integer with room to spare
 * (2^61 ticks is 73 years at 1 GHz). */
#define CL_SPAN_MAX (1ULL << 61)

/* A reader gives up on an entry that stays odd or keeps changing this many
 * times (a writer that died mid-update): tens of ms, never forever. */
#define CL_READ_TRIES 1000000UL

/* Leak and KoD draws use disjoint 16-bit fields of one random word. */
#define CL_DRAW_BITS 16

_Static_assert((CLIENTLOG_WAYS & (CLIENTLOG_WAYS - 1)) == 0, "ways is a power of two");
_Static_assert(sizeof(struct clientlog) % 64 == 0, "entries start on a cache line");
_Static_assert(sizeof(struct clientlog_entry) % 64 == 0, "entries fill whole cache lines");
_Static_assert(offsetof(struct clientlog_entry, seq) == 0, "seq leads the entry");
_Static_assert(sizeof(struct clientlog_entry) == 128, "two cache lines per client");

/* Round to what a table holds: a power of two, rounded down so a table
 * never outgrows memory sized for the request, and at least one bucket. */
static uint32_t round_entries(uint64_t n)
{
	if (n <= CLIENTLOG_WAYS)
		return CLIENTLOG_WAYS;
	if (n >= CL_MAX_ENTRIES)
		return CL_MAX_ENTRIES;
	return 1U << (31 - __builtin_clz((uint32_t)n));
}

size_t clientlog_bytes(uint32_t n_entries)
{
	return sizeof(struct clientlog) + (size_t)round_entries(n_entries) * sizeof(struct clientlog_entry);
}

uint32_t clientlog_entries_for(size_t bytes)
{
	if (bytes <= sizeof(struct clientlog))
		return CLIENTLOG_WAYS;
	return round_entries((bytes - sizeof(struct clientlog)) / sizeof(struct clientlog_entry));
}

/* The seqlock.h protocol on the entry's own counter: odd before any data
 * store, even (release) after the last. The worker is the only writer. */
static inline void entry_write_begin(struct clientlog_entry *e)
{
	uint32_t v = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, v + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void entry_write_end(struct clientlog_entry *e)
{
	uint32_t v = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, v + 1, __ATOMIC_RELEASE);
}

/* Empty an entry a reader may be copying. The counter may hold anything
 * (fresh memory, a writer that died mid-update): force it odd, then even. */
static void entry_clear(struct clientlog_entry *e)
{
	uint32_t v = __atomic_load_n(&e->seq, __ATOMIC_RELAXED) | 1U;

	__atomic_store_n(&e->seq, v, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset((char *)e + sizeof(e->seq), 0, sizeof(*e) - sizeof(e->seq));
	__atomic_store_n(&e->seq, v + 1, __ATOMIC_RELEASE);
}

static inline uint64_t rng_next(struct clientlog *t);

void clientlog_init(struct clientlog *t, uint32_t n_entries, uint64_t tsc_hz, uint64_t seed)
{
	uint32_t i, n = round_entries(n_entries);
	uint64_t s = seed + 0x9e3779b97f4a7c15ULL;

	/* Spread the seed so that nearby seeds give unrelated sequences;
	 * xorshift's only forbidden state is zero. */
	s = (s ^ (s >> 30)) * 0xbf58476d1ce4e5b9ULL;
	s = (s ^ (s >> 27)) * 0x94d049bb133111ebULL;
	s ^= s >> 31;
	t->n_entries = n;
	t->pad = 0;
	t->evictions = 0;
	t->rng = s ? s : 0x2545f4914f6cdd1dULL;
	t->tsc_hz = tsc_hz;
	t->hash_key = rng_next(t) | 1;
	memset(t->pad2, 0, sizeof(t->pad2));
	for (i = 0; i < n; i++)
		entry_clear(&t->e[i]);
}

/* xorshift64* (Vigna): three shifts and a multiply; the high bits of the
 * product are the good ones, and those are the bits drawn from. */
static inline uint64_t rng_next(struct clientlog *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* True with probability 1/2^bits, from the top field of r (bits <= 16). */
static inline int one_in_pow2(uint64_t r, unsigned int bits)
{
	return bits != 0 && (r >> (64 - bits)) == 0;
}

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap64(v);
}

static inline uint32_t load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return __builtin_bswap32(v);
}

/* The top `bits` bits of a 64-bit word (0..64). */
static inline uint64_t mask_top(unsigned int bits)
{
	return bits == 0 ? 0 : ~0ULL << (64 - bits);
}

/* Two multiply-xorshift rounds over the masked address: every input bit
 * reaches the low bits that pick the bucket, in a dozen cycles. */
static inline uint64_t hash_key(uint64_t key, uint64_t hi, uint64_t lo, unsigned int family)
{
	uint64_t h = (hi ^ key) * 0x9e3779b97f4a7c15ULL ^ lo * 0xc2b2ae3d27d4eb4fULL ^ family ^ key;

	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

static inline uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * GCRA on e->tat with T = interval and tau = (burst - 1) * T: a request
 * conforms if tat - now <= tau (compared as a signed difference, so the
 * counter may wrap) and then moves tat to max(tat, now) + T. A leaked
 * answer consumes the credit left, as chrony zeroes the tokens: tat =
 * now + tau + T, so the next conforming request is at least T later. It is
 * not tat += T: that would let a spoofed flood push a victim's tat
 * arbitrarily far ahead and shut it out for hours after the flood ends.
 */
static enum clientlog_verdict limit(struct clientlog *t, const struct clientlog_params *p,
				    struct clientlog_entry *e, uint64_t now)
{
	uint64_t T = min_u64(p->interval_ticks, CL_SPAN_MAX);
	uint64_t bm1 = p->burst > 1 ? p->burst - 1 : 0;
	uint64_t tau = T == 0 || bm1 <= CL_SPAN_MAX / T ? bm1 * T : CL_SPAN_MAX;
	int64_t ahead = (int64_t)(e->tat - now);
	uint64_t r;

	if (cl_likely(ahead <= (int64_t)tau)) {
		e->tat = (ahead > 0 ? e->tat : now) + T;
		return CLIENTLOG_PASS;
	}
	e->limited++;
	r = rng_next(t);
	if (one_in_pow2(r, p->leak < CL_DRAW_BITS ? p->leak : CL_DRAW_BITS)) {
		e->leaked++;
		e->tat = now + tau + T;
		return CLIENTLOG_LEAK;
	}
	if (one_in_pow2(r << CL_DRAW_BITS, p->kod < CL_DRAW_BITS ? p->kod : CL_DRAW_BITS)) {
		e->kod++;
		return CLIENTLOG_KOD;
	}
	return CLIENTLOG_DROP;
}

/* The entry for a masked key in bucket b: its own, else the first free
 * way, else the least recently seen (an eviction). *fresh says whether the
 * caller must fill it in. Entries are replaced, never freed, so a bucket's
 * free ways are all at its end and the first free way ends the search. */
static inline struct clientlog_entry *lookup(struct clientlog *t, struct clientlog_entry *b, int family,
					     unsigned int plen, uint64_t k0, uint64_t k1, uint64_t now,
					     int *fresh)
{
	struct clientlog_entry *lru = b;
	int64_t age, oldest;
	uint64_t a0, a1;
	unsigned int i;

	for (i = 0; i < CLIENTLOG_WAYS; i++) {
		if (b[i].family == 0) {
			*fresh = 1;
			return &b[i];
		}
		memcpy(&a0, b[i].addr, 8);
		memcpy(&a1, b[i].addr + 8, 8);
		if (b[i].family == family && b[i].prefixlen == plen && a0 == k0 && a1 == k1) {
			*fresh = 0;
			return &b[i];
		}
	}
	oldest = (int64_t)(now - b[0].last_tsc);
	for (i = 1; i < CLIENTLOG_WAYS; i++) {
		age = (int64_t)(now - b[i].last_tsc);
		if (age > oldest) {
			oldest = age;
			lru = &b[i];
		}
	}
	__atomic_store_n(&t->evictions, t->evictions + 1, __ATOMIC_RELAXED);
	*fresh = 1;
	return lru;
}

enum clientlog_verdict clientlog_account(struct clientlog *t, const struct clientlog_params *p,
					 int family, const uint8_t *addr, uint64_t now)
{
	uint32_t slot;

	return clientlog_account_at(t, p, family, addr, now, &slot);
}

enum clientlog_verdict clientlog_account_at(struct clientlog *t, const struct clientlog_params *p,
					    int family, const uint8_t *addr, uint64_t now,
					    uint32_t *slot)
{
	enum clientlog_verdict v = CLIENTLOG_PASS;
	struct clientlog_entry *b, *e;
	unsigned int plen;
	uint64_t hi, lo;
	int64_t gap;
	int fresh;

	if (family == 4) {
		plen = p->ipv4_prefix < 32 ? p->ipv4_prefix : 32;
		hi = ((uint64_t)load_be32(addr) << 32) & mask_top(plen);
		lo = 0;
	} else if (cl_likely(family == 6)) {
		plen = p->ipv6_prefix < 128 ? p->ipv6_prefix : 128;
		hi = load_be64(addr) & mask_top(plen < 64 ? plen : 64);
		lo = load_be64(addr + 8) & mask_top(plen > 64 ? plen - 64 : 0);
	} else {
		*slot = UINT32_MAX;
		return CLIENTLOG_PASS;
	}
	/* Back to network byte order: the words are what the entry stores. */
	hi = __builtin_bswap64(hi);
	lo = __builtin_bswap64(lo);
	b = &t->e[hash_key(t->hash_key, hi, lo, (unsigned int)family) & (t->n_entries - 1) &
		  ~(uint64_t)(CLIENTLOG_WAYS - 1)];
	e = lookup(t, b, family, plen, hi, lo, now, &fresh);
	*slot = (uint32_t)(e - t->e);

	entry_write_begin(e);
	if (fresh) {
		e->family = (uint8_t)family;
		e->prefixlen = (uint8_t)plen;
		e->pad = 0;
		memcpy(e->addr, &hi, 8);
		memcpy(e->addr + 8, &lo, 8);
		e->hits = 0;
		e->limited = 0;
		e->kod = 0;
		e->leaked = 0;
		e->first_tsc = now;
		e->last_tsc = now;
		e->tat = now;
		e->avg_interval = 0;
		e->x_rx = 0;
		e->x_tx = 0;
		e->x_who = 0;
	}
	/* A counter that went backwards counts as no gap. */
	gap = (int64_t)(now - e->last_tsc);
	if (gap < 0)
		gap = 0;
	if (e->hits == 1)
		e->avg_interval = (uint64_t)gap;
	else if (e->hits > 1)
		e->avg_interval = (uint64_t)((int64_t)e->avg_interval + (gap - (int64_t)e->avg_interval) / 8);
	e->hits++;
	e->last_tsc = now;
	if (p->enabled)
		v = limit(t, p, e, now);
	entry_write_end(e);
	return v;
}

uint32_t clientlog_who(const struct clientlog *t, int family, const uint8_t *addr)
{
	uint64_t hi, lo = 0;

	if (family == 6) {
		memcpy(&hi, addr, 8);
		memcpy(&lo, addr + 8, 8);
	} else {
		uint32_t a;
		memcpy(&a, addr, 4);
		hi = a;
	}
	/* Another key than the buckets' (rotated). */
	return (uint32_t)hash_key(t->hash_key << 17 | t->hash_key >> 47, hi, lo,
				  (unsigned int)family);
}

int clientlog_read(const struct clientlog *t, uint32_t i, struct clientlog_entry *out)
{
	const struct clientlog_entry *e;
	unsigned long tries;
	uint32_t s;

	if (i >= t->n_entries)
		goto none;
	e = &t->e[i];
	for (tries = 0; tries < CL_READ_TRIES; tries++) {
		s = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
		if (s & 1U) {
			__builtin_ia32_pause();
			continue;
		}
		seqlock_copy(out, e, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) == s) {
			out->seq = s;
			return out->family != 0;
		}
	}
none:
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Rounded to the nearest tick (-19 at 1 GHz: 1907 ticks, not 1907.35),
 * saturating for absurd rates, and never 0. */
uint64_t clientlog_interval_ticks(int log2_interval, uint64_t tsc_hz)
{
	uint64_t ticks;
	int s;

	if (log2_interval >= 0) {
		s = log2_interval;
		ticks = s >= 64 || tsc_hz > (UINT64_MAX >> s) ? UINT64_MAX : tsc_hz << s;
	} else {
		s = -log2_interval;
		ticks = s >= 64 ? 0 : (tsc_hz >> s) + ((tsc_hz >> (s - 1)) & 1);
	}
	return ticks ? ticks : 1;
}
