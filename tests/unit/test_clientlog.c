/* Tests for clientlog (client table and GCRA rate limiting), driven by a
 * synthetic 1 GHz counter so every time is an exact integer. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clientlog.h"
#include "suites.h"

#define HZ 1000000000ULL
#define SEC HZ
#define SEED 20240601ULL

static struct clientlog *tab_new(uint32_t n)
{
	struct clientlog *t = aligned_alloc(64, clientlog_bytes(n));

	ck_assert_ptr_nonnull(t);
	clientlog_init(t, n, HZ, SEED);
	return t;
}

/* chrony's "ratelimit interval I burst B leak L" plus linetime's kod. */
static struct clientlog_params rl(int interval, uint32_t burst, uint8_t leak, uint8_t kod)
{
	struct clientlog_params p = {.enabled = 1, .leak = leak, .kod = kod,
				     .ipv4_prefix = 32, .ipv6_prefix = 128, .burst = burst};

	p.interval_ticks = clientlog_interval_ticks(interval, HZ);
	return p;
}

static void ip4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

/* 2001:db8:<hi16>:<net16>::<host32> */
static void ip6(uint8_t a[16], uint16_t hi, uint16_t net, uint32_t host)
{
	static const uint8_t pfx[4] = {0x20, 0x01, 0x0d, 0xb8};

	memset(a, 0, 16);
	memcpy(a, pfx, 4);
	a[4] = (uint8_t)(hi >> 8);
	a[5] = (uint8_t)hi;
	a[6] = (uint8_t)(net >> 8);
	a[7] = (uint8_t)net;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static enum clientlog_verdict acc4(struct clientlog *t, const struct clientlog_params *p, uint32_t addr,
				   uint64_t now)
{
	uint8_t a[16];

	ip4(a, addr);
	return clientlog_account(t, p, 4, a, now);
}

/* The slot holding a masked address, or -1; its copy in *out. */
static int find(const struct clientlog *t, int family, const uint8_t *masked, struct clientlog_entry *out)
{
	for (uint32_t i = 0; i < t->n_entries; i++)
		if (clientlog_read(t, i, out) && out->family == family &&
		    memcmp(out->addr, masked, family == 4 ? 4 : 16) == 0)
			return (int)i;
	return -1;
}

static int find4(const struct clientlog *t, uint32_t addr, struct clientlog_entry *out)
{
	uint8_t a[16];

	ip4(a, addr);
	return find(t, 4, a, out);
}

static uint32_t used(const struct clientlog *t)
{
	struct clientlog_entry e;
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->n_entries; i++)
		n += (uint32_t)clientlog_read(t, i, &e);
	return n;
}

START_TEST(sizing_and_init)
{
	const size_t hdr = sizeof(struct clientlog), es = sizeof(struct clientlog_entry);

	ck_assert_uint_eq(hdr % 64, 0);
	ck_assert_uint_eq(es % 64, 0);
	ck_assert_uint_eq(clientlog_bytes(8), hdr + 8 * es);
	ck_assert_uint_eq(clientlog_bytes(1024), hdr + 1024 * es);
	/* Rounded down to a power of two, at least one bucket. */
	ck_assert_uint_eq(clientlog_bytes(0), clientlog_bytes(CLIENTLOG_WAYS));
	ck_assert_uint_eq(clientlog_bytes(3), clientlog_bytes(CLIENTLOG_WAYS));
	ck_assert_uint_eq(clientlog_bytes(1500), clientlog_bytes(1024));
	ck_assert_uint_eq(clientlog_entries_for(0), CLIENTLOG_WAYS);
	ck_assert_uint_eq(clientlog_entries_for(100), CLIENTLOG_WAYS);
	ck_assert_uint_eq(clientlog_entries_for(clientlog_bytes(1024)), 1024);
	ck_assert_uint_eq(clientlog_entries_for(clientlog_bytes(1024) - 1), 512);
	ck_assert_uint_eq(clientlog_entries_for((size_t)1 << 50), 1U << 31);
	for (size_t b = 0; b < 200000; b += 777) {
		uint32_t n = clientlog_entries_for(b);
		ck_assert_uint_eq(n & (n - 1), 0);
		ck_assert_uint_ge(n, CLIENTLOG_WAYS);
		ck_assert(n == CLIENTLOG_WAYS || clientlog_bytes(n) <= b);
		ck_assert(clientlog_bytes(2 * n) > b);
	}

	/* init rounds like clientlog_bytes() and leaves every slot free,
	 * whatever the memory held before. */
	struct clientlog *t = aligned_alloc(64, clientlog_bytes(1500));
	ck_assert_ptr_nonnull(t);
	memset(t, 0xa5, clientlog_bytes(1500));
	clientlog_init(t, 1500, HZ, 0);
	ck_assert_uint_eq(t->n_entries, 1024);
	ck_assert_uint_eq(t->evictions, 0);
	ck_assert_uint_eq(t->tsc_hz, HZ);
	ck_assert_uint_ne(t->rng, 0);
	ck_assert_uint_eq(used(t), 0);
	for (uint32_t i = 0; i < t->n_entries; i++)
		ck_assert_uint_eq(t->e[i].seq & 1, 0);
	free(t);
}
END_TEST

START_TEST(disabled_logs_and_passes)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 1, 2, 1);
	struct clientlog_entry e;

	p.enabled = 0;
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(acc4(t, &p, 0xc0000201, 1000 + (uint64_t)i), CLIENTLOG_PASS);
	ck_assert_int_ge(find4(t, 0xc0000201, &e), 0);
	ck_assert_uint_eq(e.hits, 1000);
	ck_assert_uint_eq(e.limited, 0);
	ck_assert_uint_eq(e.first_tsc, 1000);
	ck_assert_uint_eq(e.last_tsc, 1999);
	ck_assert_uint_eq(e.avg_interval, 1);
	free(t);
}
END_TEST

START_TEST(unknown_family_ignored)
{
	struct clientlog *t = tab_new(8);
	struct clientlog_params p = rl(3, 1, 0, 0);
	uint8_t a[16] = {1, 2, 3, 4};

	ck_assert_int_eq(clientlog_account(t, &p, 0, a, 5), CLIENTLOG_PASS);
	ck_assert_int_eq(clientlog_account(t, &p, 5, a, 5), CLIENTLOG_PASS);
	ck_assert_uint_eq(used(t), 0);
	free(t);
}
END_TEST

/* `burst` back-to-back pass, the next is limited; a limited request with
 * leak 0 and kod 0 is dropped. Also across a counter wrap. */
START_TEST(burst_then_limited)
{
	static const uint32_t bursts[] = {1, 2, 8, 255};
	static const uint64_t bases[] = {1000, UINT64_MAX - 3};

	for (unsigned int bi = 0; bi < 2; bi++) {
		for (unsigned int k = 0; k < sizeof(bursts) / sizeof(bursts[0]); k++) {
			struct clientlog *t = tab_new(64);
			struct clientlog_params p = rl(3, bursts[k], 0, 0);
			struct clientlog_entry e;
			uint64_t now = bases[bi];

			for (uint32_t i = 0; i < bursts[k]; i++)
				ck_assert_int_eq(acc4(t, &p, 0x0a000001, now + i), CLIENTLOG_PASS);
			ck_assert_int_eq(acc4(t, &p, 0x0a000001, now + bursts[k]), CLIENTLOG_DROP);
			ck_assert_int_ge(find4(t, 0x0a000001, &e), 0);
			ck_assert_uint_eq(e.hits, bursts[k] + 1);
			ck_assert_uint_eq(e.limited, 1);
			free(t);
		}
	}
}
END_TEST

/* After the burst is spent, waiting k*T buys exactly k more responses, up
 * to the burst; also when the counter wraps in the middle. */
START_TEST(refill_after_k_intervals)
{
	static const uint64_t bases[] = {5 * SEC, UINT64_MAX - 20 * SEC};
	const uint32_t B = 8;

	for (unsigned int bi = 0; bi < 2; bi++) {
		for (uint32_t k = 1; k <= 12; k++) {
			struct clientlog *t = tab_new(64);
			struct clientlog_params p = rl(3, B, 0, 0);
			uint64_t T = p.interval_ticks, t0 = bases[bi], now;
			uint32_t n = 0;

			for (uint32_t i = 0; i < B; i++)
				ck_assert_int_eq(acc4(t, &p, 0x0a000001, t0), CLIENTLOG_PASS);
			ck_assert_int_eq(acc4(t, &p, 0x0a000001, t0), CLIENTLOG_DROP);
			now = t0 + k * T;
			while (acc4(t, &p, 0x0a000001, now) == CLIENTLOG_PASS)
				n++;
			ck_assert_uint_eq(n, k < B ? k : B);
			free(t);
		}
	}
}
END_TEST

/* A client polling at exactly the allowed rate is never limited, even with
 * burst 1; one tick early and it is. */
START_TEST(exact_rate_never_limited)
{
	static const int intervals[] = {-19, -4, 0, 3, 12};

	for (unsigned int k = 0; k < sizeof(intervals) / sizeof(intervals[0]); k++) {
		struct clientlog *t = tab_new(64);
		struct clientlog_params p = rl(intervals[k], 1, 2, 1);
		uint64_t T = p.interval_ticks, now = 77;
		struct clientlog_entry e;

		for (int i = 0; i < 10000; i++, now += T)
			ck_assert_int_eq(acc4(t, &p, 0x0a000002, now), CLIENTLOG_PASS);
		ck_assert_int_ge(find4(t, 0x0a000002, &e), 0);
		ck_assert_uint_eq(e.limited, 0);
		ck_assert_uint_eq(e.avg_interval, T);
		now -= 1;
		ck_assert_int_ne(acc4(t, &p, 0x0a000002, now), CLIENTLOG_PASS);
		free(t);
	}
}
END_TEST

/*
 * At twice the allowed rate with leak 0, half the requests are limited
 * (less the burst). With leak L (p = 1/2^L) a leaked answer consumes the
 * credit left, so after any answer the next request is limited and the
 * one after passes unless that one leaked: cycles of 1 request (prob p) or
 * 2, each with one answer, so answers / requests = 1 / (2 - p).
 */
START_TEST(double_rate_half_limited)
{
	const int N = 10000;
	const uint32_t B = 8;
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, B, 0, 0);
	uint64_t T = p.interval_ticks, now = SEC;
	struct clientlog_entry e;

	for (int i = 0; i < N; i++, now += T / 2)
		acc4(t, &p, 0x0a000003, now);
	ck_assert_int_ge(find4(t, 0x0a000003, &e), 0);
	ck_assert_msg(labs((long)e.limited - N / 2) <= (long)B, "limited %lu", (unsigned long)e.limited);
	free(t);

	for (uint8_t L = 1; L <= 4; L++) {
		double pl = ldexp(1, -L), answered = 0;

		t = tab_new(64);
		p = rl(3, 1, L, 0);
		now = SEC;
		for (int i = 0; i < N; i++, now += T / 2) {
			enum clientlog_verdict v = acc4(t, &p, 0x0a000003, now);
			answered += v == CLIENTLOG_PASS || v == CLIENTLOG_LEAK;
		}
		ck_assert_msg(fabs(answered / N - 1 / (2 - pl)) < 0.02, "L=%u answered %.4f want %.4f", L,
			      answered / N, 1 / (2 - pl));
		free(t);
	}
}
END_TEST

/* chronyd iburst: 4-8 requests 2 s apart, then polls every 64 s; with the
 * defaults (interval 3, burst 8) none is limited. */
START_TEST(iburst_never_limited)
{
	for (int nb = 4; nb <= 8; nb++) {
		struct clientlog *t = tab_new(64);
		struct clientlog_params p = rl(3, 8, 2, 1);
		uint64_t now = 123 * SEC;

		for (int i = 0; i < nb; i++, now += 2 * SEC)
			ck_assert_int_eq(acc4(t, &p, 0xc6336401, now), CLIENTLOG_PASS);
		for (int i = 0; i < 1000; i++, now += 64 * SEC)
			ck_assert_int_eq(acc4(t, &p, 0xc6336401, now), CLIENTLOG_PASS);
		/* A restart a minute later with another iburst also passes. */
		for (int i = 0; i < nb; i++, now += 2 * SEC)
			ck_assert_int_eq(acc4(t, &p, 0xc6336401, now), CLIENTLOG_PASS);
		free(t);
	}
}
END_TEST

/* Limits a client with burst 1, then counts n limited requests (all at the
 * same instant, so none conforms). */
static void run_limited(uint8_t leak, uint8_t kod, int n, int counts[4])
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 1, leak, kod);
	struct clientlog_entry e;

	memset(counts, 0, 4 * sizeof(counts[0]));
	ck_assert_int_eq(acc4(t, &p, 0x0a000004, SEC), CLIENTLOG_PASS);
	for (int i = 0; i < n; i++)
		counts[acc4(t, &p, 0x0a000004, SEC)]++;
	ck_assert_int_eq(counts[CLIENTLOG_PASS], 0);
	/* The entry's counters agree with the verdicts. */
	ck_assert_int_ge(find4(t, 0x0a000004, &e), 0);
	ck_assert_uint_eq(e.hits, (uint64_t)n + 1);
	ck_assert_uint_eq(e.limited, (uint64_t)n);
	ck_assert_uint_eq(e.leaked, (uint64_t)counts[CLIENTLOG_LEAK]);
	ck_assert_uint_eq(e.kod, (uint64_t)counts[CLIENTLOG_KOD]);
	free(t);
}

/* |got/n - want| within 5 standard deviations of a binomial (fixed seed,
 * so deterministic; the bound says what a sound generator guarantees). */
static void assert_share(int got, int n, double want, const char *what, int param)
{
	double tol = 5 * sqrt(want * (1 - want) / n);

	ck_assert_msg(fabs((double)got / n - want) <= tol, "%s %d: %.5f want %.5f +- %.5f", what, param,
		      (double)got / n, want, tol);
}

START_TEST(leak_share)
{
	const int N = 100000;
	int c[4];

	for (uint8_t L = 1; L <= 4; L++) {
		run_limited(L, 0, N, c);
		assert_share(c[CLIENTLOG_LEAK], N, ldexp(1, -L), "leak", L);
		ck_assert_int_eq(c[CLIENTLOG_KOD], 0);
	}
	/* leak 0: never leaked. */
	run_limited(0, 0, N, c);
	ck_assert_int_eq(c[CLIENTLOG_LEAK], 0);
	ck_assert_int_eq(c[CLIENTLOG_DROP], N);
}
END_TEST

START_TEST(kod_share)
{
	const int N = 100000;
	int c[4];

	for (uint8_t K = 1; K <= 8; K++) {
		run_limited(2, K, N, c);
		assert_share(c[CLIENTLOG_LEAK], N, 0.25, "leak with kod", K);
		/* Of the limited requests not leaked. */
		assert_share(c[CLIENTLOG_KOD], N - c[CLIENTLOG_LEAK], ldexp(1, -K), "kod", K);
	}
	/* kod 0: never a KoD. */
	run_limited(1, 0, N, c);
	ck_assert_int_eq(c[CLIENTLOG_KOD], 0);
	ck_assert_int_eq(c[CLIENTLOG_LEAK] + c[CLIENTLOG_DROP], N);
	/* leak 0 with kod: KoD or drop, never leaked. */
	run_limited(0, 1, N, c);
	ck_assert_int_eq(c[CLIENTLOG_LEAK], 0);
	assert_share(c[CLIENTLOG_KOD], N, 0.5, "kod without leak", 1);
}
END_TEST

/* Spends a burst at t0, then has one request at t1 limited: leaked if the
 * params leak (retrying until the draw says so), else dropped. */
static struct clientlog *spent_then_limited(const struct clientlog_params *p, uint64_t t0, uint64_t t1)
{
	struct clientlog *t = tab_new(64);
	int tries = 0;

	for (uint32_t i = 0; i < p->burst; i++)
		ck_assert_int_eq(acc4(t, p, 0x0a000005, t0), CLIENTLOG_PASS);
	if (p->leak == 0)
		ck_assert_int_eq(acc4(t, p, 0x0a000005, t1), CLIENTLOG_DROP);
	else
		while (acc4(t, p, 0x0a000005, t1) != CLIENTLOG_LEAK)
			ck_assert_int_lt(++tries, 64);
	return t;
}

/* A leaked answer uses up the credit that was building: one tick short of
 * T after the burst a request is limited. At T the next would pass (the
 * control, leak 0); if that limited request leaked, it consumed the
 * credit, and the next pass is a full T after the leak. */
START_TEST(leak_consumes_credit)
{
	struct clientlog_params p = rl(3, 4, 0, 0);
	uint64_t T = p.interval_ticks, t0 = SEC, t1 = t0 + T - 1;
	struct clientlog *t;

	t = spent_then_limited(&p, t0, t1);
	ck_assert_int_eq(acc4(t, &p, 0x0a000005, t0 + T), CLIENTLOG_PASS);
	free(t);

	p.leak = 1;
	t = spent_then_limited(&p, t0, t1);
	ck_assert_int_ne(acc4(t, &p, 0x0a000005, t0 + T), CLIENTLOG_PASS);
	free(t);
	t = spent_then_limited(&p, t0, t1);
	ck_assert_int_ne(acc4(t, &p, 0x0a000005, t1 + T - 1), CLIENTLOG_PASS);
	free(t);
	t = spent_then_limited(&p, t0, t1);
	ck_assert_int_eq(acc4(t, &p, 0x0a000005, t1 + T), CLIENTLOG_PASS);
	free(t);
}
END_TEST

/* A spoofed flood at a victim's address: leaks are answered throughout,
 * and once the flood stops the victim is back to normal within T (the
 * debt does not grow with the size of the flood). */
START_TEST(flood_leaves_no_debt)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 8, 2, 0);
	uint64_t T = p.interval_ticks, now = SEC;
	int leaked = 0;

	for (int i = 0; i < 1000000; i++, now += SEC / 1000)
		leaked += acc4(t, &p, 0xc0000263, now) == CLIENTLOG_LEAK;
	ck_assert_int_gt(leaked, 200000);
	now += T;
	ck_assert_int_eq(acc4(t, &p, 0xc0000263, now), CLIENTLOG_PASS);
	free(t);
}
END_TEST

START_TEST(ipv6_prefix_grouping)
{
	uint8_t a[16], b[16], m[16];
	struct clientlog_entry e;

	ip6(a, 1, 2, 1);
	ip6(b, 1, 2, 0xffff0009);
	b[8] = 0xff; /* differs in the interface id only */
	for (int plen = 64; plen <= 128; plen += 64) {
		struct clientlog *t = tab_new(64);
		struct clientlog_params p = rl(3, 8, 0, 0);
		int passed = 0;

		p.ipv6_prefix = (uint8_t)plen;
		for (int i = 0; i < 8; i++) {
			passed += clientlog_account(t, &p, 6, a, SEC) == CLIENTLOG_PASS;
			passed += clientlog_account(t, &p, 6, b, SEC) == CLIENTLOG_PASS;
		}
		if (plen == 64) {
			/* One client: one entry, one burst between them. */
			ck_assert_int_eq(passed, 8);
			ck_assert_uint_eq(used(t), 1);
			ip6(m, 1, 2, 0);
			ck_assert_int_ge(find(t, 6, m, &e), 0);
			ck_assert_uint_eq(e.prefixlen, 64);
			ck_assert_uint_eq(e.hits, 16);
			ck_assert_uint_eq(e.limited, 8);
		} else {
			ck_assert_int_eq(passed, 16);
			ck_assert_uint_eq(used(t), 2);
			ck_assert_int_ge(find(t, 6, a, &e), 0);
			ck_assert_uint_eq(e.hits, 8);
			ck_assert_uint_eq(e.prefixlen, 128);
		}
		free(t);
	}

	/* Prefixes that end inside a byte. */
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 8, 0, 0);
	p.ipv6_prefix = 61;
	ip6(a, 0xabcd, 0x12ff, 77);
	clientlog_account(t, &p, 6, a, SEC);
	ip6(m, 0xabcd, 0x12f8, 0);
	ck_assert_int_ge(find(t, 6, m, &e), 0);
	ck_assert_mem_eq(e.addr, m, 16);
	free(t);
}
END_TEST

START_TEST(ipv4_prefix_grouping)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 2, 0, 0);
	struct clientlog_entry e;
	uint8_t m[16];

	p.ipv4_prefix = 24;
	ck_assert_int_eq(acc4(t, &p, 0xc0000201, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0xc00002c8, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0xc00002fe, SEC), CLIENTLOG_DROP); /* same /24: shared burst */
	ck_assert_int_eq(acc4(t, &p, 0xc0000301, SEC), CLIENTLOG_PASS); /* next /24 */
	ck_assert_uint_eq(used(t), 2);
	ck_assert_int_ge(find4(t, 0xc0000200, &e), 0);
	ck_assert_uint_eq(e.hits, 3);
	ck_assert_uint_eq(e.prefixlen, 24);
	ck_assert_mem_eq(e.addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);

	/* /20 masks inside the third byte: 198.51.100.77 -> 198.51.96.0. */
	p.ipv4_prefix = 20;
	acc4(t, &p, 0xc633644d, SEC);
	ck_assert_int_ge(find4(t, 0xc6336000, &e), 0);
	ck_assert_uint_eq(e.prefixlen, 20);

	/* The same 4 bytes as IPv6 are another client. */
	p.ipv4_prefix = 32;
	p.ipv6_prefix = 128;
	acc4(t, &p, 0xc0000201, SEC);
	memset(m, 0, sizeof(m));
	memcpy(m, "\xc0\x00\x02\x01", 4);
	clientlog_account(t, &p, 6, m, SEC);
	ck_assert_int_ge(find(t, 4, m, &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	ck_assert_int_ge(find(t, 6, m, &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	free(t);
}
END_TEST

/* avg_interval: unknown (0) after one request, the gap after two, then an
 * exponential average (weight 1/8) that settles within 8 ticks of a
 * steady interval, from below and from above. */
START_TEST(avg_interval_converges)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 8, 2, 0);
	struct clientlog_entry e;
	uint64_t now = SEC;

	p.enabled = 0;
	acc4(t, &p, 0x0a000006, now);
	find4(t, 0x0a000006, &e);
	ck_assert_uint_eq(e.avg_interval, 0);
	now += 1500000000ULL;
	acc4(t, &p, 0x0a000006, now);
	find4(t, 0x0a000006, &e);
	ck_assert_uint_eq(e.avg_interval, 1500000000ULL);
	for (int i = 0; i < 300; i++)
		acc4(t, &p, 0x0a000006, now += 4 * SEC);
	find4(t, 0x0a000006, &e);
	ck_assert_msg(llabs((long long)e.avg_interval - (long long)(4 * SEC)) < 8, "avg %llu",
		      (unsigned long long)e.avg_interval);
	for (int i = 0; i < 300; i++)
		acc4(t, &p, 0x0a000006, now += SEC);
	find4(t, 0x0a000006, &e);
	ck_assert_msg(llabs((long long)e.avg_interval - (long long)SEC) < 8, "avg %llu",
		      (unsigned long long)e.avg_interval);
	/* A counter that goes backwards counts as a zero gap, not 2^64. */
	acc4(t, &p, 0x0a000006, now - 10);
	find4(t, 0x0a000006, &e);
	ck_assert_uint_lt(e.avg_interval, SEC);
	free(t);
}
END_TEST

/* One bucket (8 entries): the least recently seen client goes; a client
 * that comes back after eviction starts afresh (hits 1, a new burst). */
START_TEST(eviction_lru)
{
	struct clientlog *t = tab_new(CLIENTLOG_WAYS);
	struct clientlog_params p = rl(3, 1, 0, 0);
	struct clientlog_entry e;

	for (uint32_t i = 0; i < 8; i++)
		acc4(t, &p, 0x0a000100 + i, (i + 1) * SEC);
	ck_assert_uint_eq(t->evictions, 0);
	acc4(t, &p, 0x0a000100, 9 * SEC); /* client 0 seen again */
	acc4(t, &p, 0x0a000101, 9 * SEC + 1); /* client 1 limited */
	acc4(t, &p, 0x0a000108, 10 * SEC);
	ck_assert_uint_eq(t->evictions, 1);
	ck_assert_int_lt(find4(t, 0x0a000102, &e), 0);
	ck_assert_int_ge(find4(t, 0x0a000100, &e), 0);
	ck_assert_uint_eq(e.hits, 2);
	ck_assert_int_ge(find4(t, 0x0a000108, &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	/* Client 1 was limited; evicted, it would return with a new burst. */
	ck_assert_int_ge(find4(t, 0x0a000101, &e), 0);
	ck_assert_uint_eq(e.limited, 1);
	/* Seven newcomers evict clients 3..7, 0 and 1, oldest first. */
	for (uint32_t i = 0; i < 7; i++)
		acc4(t, &p, 0x0a000200 + i, (11 + i) * SEC);
	ck_assert_uint_eq(t->evictions, 8);
	ck_assert_int_ge(find4(t, 0x0a000108, &e), 0);
	ck_assert_int_lt(find4(t, 0x0a000101, &e), 0);
	ck_assert_int_eq(acc4(t, &p, 0x0a000101, 30 * SEC), CLIENTLOG_PASS);
	ck_assert_int_ge(find4(t, 0x0a000101, &e), 0);
	ck_assert_uint_eq(e.hits, 1);
	ck_assert_uint_eq(e.first_tsc, 30 * SEC);
	ck_assert_uint_eq(e.limited, 0);
	ck_assert_uint_eq(t->evictions, 9);
	ck_assert_uint_eq(t->n_entries, CLIENTLOG_WAYS);
	ck_assert_uint_eq(used(t), CLIENTLOG_WAYS);
	free(t);
}
END_TEST

/* In a bigger table eviction stays inside the full bucket: the clients
 * hashed elsewhere are untouched. Addresses for one bucket are found by
 * placing each candidate in a scratch table. */
START_TEST(eviction_stays_in_bucket)
{
	const uint32_t n = 64;
	struct clientlog *scratch = tab_new(n), *t = tab_new(n);
	struct clientlog_params p = rl(3, 8, 0, 0);
	struct clientlog_entry e;
	uint32_t same[CLIENTLOG_WAYS + 1], other[16];
	unsigned int ns = 0, no = 0;
	int bucket0 = -1;

	for (uint32_t a = 0x0a100000; ns < CLIENTLOG_WAYS + 1 || no < 16; a++) {
		clientlog_init(scratch, n, HZ, SEED);
		acc4(scratch, &p, a, SEC);
		int b = find4(scratch, a, &e) / CLIENTLOG_WAYS;
		if (bucket0 < 0)
			bucket0 = b;
		if (b == bucket0 && ns < CLIENTLOG_WAYS + 1)
			same[ns++] = a;
		else if (b != bucket0 && no < 16)
			other[no++] = a;
		ck_assert_uint_lt(a, 0x0a200000);
	}
	for (unsigned int i = 0; i < 16; i++)
		acc4(t, &p, other[i], SEC);
	for (unsigned int i = 0; i < CLIENTLOG_WAYS; i++)
		acc4(t, &p, same[i], (2 + i) * SEC);
	ck_assert_uint_eq(t->evictions, 0);
	acc4(t, &p, same[CLIENTLOG_WAYS], 100 * SEC);
	ck_assert_uint_eq(t->evictions, 1);
	ck_assert_int_lt(find4(t, same[0], &e), 0);
	for (unsigned int i = 1; i <= CLIENTLOG_WAYS; i++)
		ck_assert_int_ge(find4(t, same[i], &e), 0);
	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_ge(find4(t, other[i], &e), 0);
	free(scratch);
	free(t);
}
END_TEST

/* What LRU promises a polling client: it survives as long as fewer than
 * CLIENTLOG_WAYS new sources land in its bucket between two of its
 * requests, and is evicted (losing its state) when that many do. */
START_TEST(poller_vs_flood_in_one_bucket)
{
	struct clientlog_params p = rl(3, 8, 0, 0);
	struct clientlog_entry e;

	for (uint32_t flood = CLIENTLOG_WAYS - 1; flood <= CLIENTLOG_WAYS; flood++) {
		struct clientlog *t = tab_new(CLIENTLOG_WAYS);
		uint64_t now = SEC;
		uint32_t src = 0x64000000;

		for (int round = 0; round < 1000; round++) {
			acc4(t, &p, 0xc0000201, now += 1000);
			for (uint32_t i = 0; i < flood; i++)
				acc4(t, &p, src++, now += 1000);
		}
		if (flood < CLIENTLOG_WAYS) {
			ck_assert_int_ge(find4(t, 0xc0000201, &e), 0);
			ck_assert_uint_eq(e.hits, 1000);
			ck_assert_uint_eq(t->evictions, (uint64_t)flood * 999);
		} else {
			ck_assert_int_lt(find4(t, 0xc0000201, &e), 0);
			ck_assert_uint_eq(t->evictions, 1000ULL * (flood + 1) - CLIENTLOG_WAYS);
		}
		free(t);
	}
}
END_TEST

/* A million distinct sources (IPv4 and IPv6) through a 4096-entry table:
 * it completes, the table stays full and fixed, every new source beyond
 * the table's size is one eviction, and a client polling every 64 flood
 * packets (0.125 arrivals per bucket between its polls) keeps its entry. */
START_TEST(flood_bounded)
{
	const uint32_t n = 4096, N = 1000000;
	struct clientlog *t = tab_new(n);
	struct clientlog_params p = rl(-19, 8, 2, 1);
	struct clientlog_entry e;
	uint64_t now = SEC;
	uint32_t polls = 0;
	uint8_t a[16];

	for (uint32_t i = 0; i < N; i++) {
		now += 1000;
		if (i % 64 == 0) {
			ck_assert_int_eq(acc4(t, &p, 0xc0000201, now), CLIENTLOG_PASS);
			polls++;
		}
		if (i & 1) {
			ip6(a, (uint16_t)(i >> 16), (uint16_t)i, i * 2654435761U);
			clientlog_account(t, &p, 6, a, now);
		} else {
			acc4(t, &p, 0x0b000000 + i, now);
		}
	}
	ck_assert_uint_eq(t->n_entries, n);
	ck_assert_uint_eq(used(t), n);
	ck_assert_uint_eq(t->evictions, (uint64_t)N + 1 - n);
	ck_assert_int_ge(find4(t, 0xc0000201, &e), 0);
	ck_assert_uint_eq(e.hits, polls);
	ck_assert_uint_eq(e.limited, 0);
	free(t);
}
END_TEST

/* The hash spreads structured addresses: half-filling a table with
 * sequential /24s, /64s, /48s or hosts overflows few buckets (a
 * Poisson(4) load overflows by ~17 entries in 512 buckets; a hash that
 * ignored masked-off or low bits would evict nearly all of them). */
START_TEST(hash_spreads_sequential_prefixes)
{
	const uint32_t n = 4096;

	for (int kind = 0; kind < 4; kind++) {
		struct clientlog *t = tab_new(n);
		struct clientlog_params p = rl(3, 8, 2, 0);
		uint8_t a[16];

		p.ipv4_prefix = 24;
		p.ipv6_prefix = 64;
		for (uint32_t i = 0; i < n / 2; i++) {
			switch (kind) {
			case 0: /* 10.x.y.0/24 */
				acc4(t, &p, 0x0a000000 + (i << 8), SEC);
				break;
			case 1: /* 2001:db8:0:i::/64 */
				ip6(a, 0, (uint16_t)i, 1);
				clientlog_account(t, &p, 6, a, SEC);
				break;
			case 2: /* 2001:db8:i::/48 sites */
				ip6(a, (uint16_t)i, 0, 1);
				clientlog_account(t, &p, 6, a, SEC);
				break;
			default: /* hosts of one /21, at /32 */
				p.ipv4_prefix = 32;
				acc4(t, &p, 0xac100000 + i, SEC);
				break;
			}
		}
		ck_assert_msg(t->evictions < 64, "kind %d: %lu evictions", kind, (unsigned long)t->evictions);
		free(t);
	}
}
END_TEST

START_TEST(read_free_and_used)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 8, 2, 0);
	struct clientlog_entry e;
	int slot;

	for (uint32_t i = 0; i < t->n_entries; i++) {
		memset(&e, 0x5a, sizeof(e));
		ck_assert_int_eq(clientlog_read(t, i, &e), 0);
		ck_assert_uint_eq(e.family, 0);
		ck_assert_uint_eq(e.hits, 0);
	}
	acc4(t, &p, 0xcb007107, 3 * SEC);
	acc4(t, &p, 0xcb007107, 5 * SEC);
	slot = find4(t, 0xcb007107, &e);
	ck_assert_int_ge(slot, 0);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(clientlog_read(t, (uint32_t)slot, &e), 1);
	ck_assert_uint_eq(e.family, 4);
	ck_assert_uint_eq(e.prefixlen, 32);
	ck_assert_mem_eq(e.addr, "\xcb\x00\x71\x07", 4);
	ck_assert_uint_eq(e.seq % 2, 0);
	ck_assert_uint_eq(e.hits, 2);
	ck_assert_uint_eq(e.first_tsc, 3 * SEC);
	ck_assert_uint_eq(e.last_tsc, 5 * SEC);
	ck_assert_uint_eq(e.avg_interval, 2 * SEC);
	/* Two responses taken from the burst: tat = first + 2T. */
	ck_assert_uint_eq(e.tat, 3 * SEC + 2 * p.interval_ticks);
	/* Out of range: free. */
	ck_assert_int_eq(clientlog_read(t, t->n_entries, &e), 0);
	ck_assert_uint_eq(e.family, 0);
	free(t);
}
END_TEST

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * A writer process hammers one client (burst 1, a request every T/2, leak
 * and kod 0), so every field is a function of hits h: last = first +
 * (h-1)*step, limited = h/2, tat = first + 2*step*ceil(h/2), avg = step.
 * The reader (this process) copies the entry as fast as it can; a torn
 * copy breaks one of those. Bounded: the writer stops after 1.5 s.
 */
START_TEST(cross_process_reads_consistent)
{
	const uint64_t step = 1000, base = 5000;
	size_t bytes = clientlog_bytes(CLIENTLOG_WAYS);
	struct clientlog *t = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct clientlog_params p = {.enabled = 1, .ipv4_prefix = 32, .ipv6_prefix = 128, .burst = 1,
				     .interval_ticks = 2 * step};
	unsigned long reads = 0, changes = 0;
	uint64_t last_hits = 0;
	double deadline;
	int status = -1;
	pid_t pid;

	ck_assert_ptr_ne(t, MAP_FAILED);
	clientlog_init(t, CLIENTLOG_WAYS, HZ, SEED);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		double stop = mono_s() + 1.5;
		for (uint64_t k = 0; k < 100000000; k++) {
			acc4(t, &p, 0x0a0000fe, base + k * step);
			if ((k & 0xffff) == 0 && mono_s() > stop)
				break;
		}
		_exit(0);
	}
	deadline = mono_s() + 20;
	for (;;) {
		for (uint32_t i = 0; i < CLIENTLOG_WAYS; i++) {
			struct clientlog_entry c;
			if (!clientlog_read(t, i, &c))
				continue;
			uint64_t h = c.hits;
			reads++;
			ck_assert_uint_eq(c.seq % 2, 0);
			ck_assert_uint_eq(c.family, 4);
			ck_assert_mem_eq(c.addr, "\x0a\x00\x00\xfe", 4);
			ck_assert_uint_ge(h, 1);
			ck_assert_uint_eq(c.first_tsc, base);
			ck_assert_uint_eq(c.last_tsc, base + (h - 1) * step);
			ck_assert_uint_eq(c.limited, h / 2);
			ck_assert_uint_eq(c.tat, base + 2 * step * ((h + 1) / 2));
			ck_assert_uint_eq(c.avg_interval, h >= 2 ? step : 0);
			ck_assert_uint_eq(c.kod, 0);
			ck_assert_uint_eq(c.leaked, 0);
			changes += h != last_hits;
			last_hits = h;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (mono_s() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ck_abort_msg("writer did not finish");
		}
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_gt(reads, 1000);
	ck_assert_uint_gt(changes, 100);
	munmap(t, bytes);
}
END_TEST

START_TEST(interval_ticks)
{
	ck_assert_uint_eq(clientlog_interval_ticks(0, HZ), HZ);
	ck_assert_uint_eq(clientlog_interval_ticks(3, HZ), 8 * HZ);
	ck_assert_uint_eq(clientlog_interval_ticks(12, HZ), 4096 * HZ);
	/* 1e9 / 2^19 = 1907.35: nearest tick. */
	ck_assert_uint_eq(clientlog_interval_ticks(-19, HZ), 1907);
	ck_assert_uint_eq(clientlog_interval_ticks(-1, 3), 2);
	ck_assert_uint_eq(clientlog_interval_ticks(-4, 2400000000ULL), 150000000ULL);
	/* Never 0, saturating, whatever the inputs. */
	ck_assert_uint_eq(clientlog_interval_ticks(-19, 1000), 1);
	ck_assert_uint_eq(clientlog_interval_ticks(0, 0), 1);
	ck_assert_uint_eq(clientlog_interval_ticks(-100, HZ), 1);
	ck_assert_uint_eq(clientlog_interval_ticks(40, HZ), UINT64_MAX);
	ck_assert_uint_eq(clientlog_interval_ticks(100, HZ), UINT64_MAX);
}
END_TEST

/* Out-of-contract parameters do not overflow: burst 0 acts as 1, an
 * interval of 0 never limits, a huge burst * interval saturates, leak and
 * kod beyond their ranges act as very rare. */
START_TEST(degenerate_params)
{
	struct clientlog *t = tab_new(64);
	struct clientlog_params p = rl(3, 0, 0, 0);

	ck_assert_int_eq(acc4(t, &p, 0x0a000007, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0x0a000007, SEC), CLIENTLOG_DROP);
	p.interval_ticks = 0;
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(acc4(t, &p, 0x0a000008, SEC), CLIENTLOG_PASS);
	p.interval_ticks = SEC;
	p.burst = UINT32_MAX;
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(acc4(t, &p, 0x0a000009, SEC), CLIENTLOG_PASS);
	/* An absurd interval (and tolerance) saturates instead of wrapping. */
	p.interval_ticks = UINT64_MAX;
	p.burst = 1;
	ck_assert_int_eq(acc4(t, &p, 0x0a00000b, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0x0a00000b, 2 * SEC), CLIENTLOG_DROP);
	p.burst = UINT32_MAX;
	ck_assert_int_eq(acc4(t, &p, 0x0a00000c, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0x0a00000c, SEC), CLIENTLOG_PASS);
	ck_assert_int_eq(acc4(t, &p, 0x0a00000c, SEC), CLIENTLOG_DROP);
	p = rl(3, 1, 200, 200);
	ck_assert_int_eq(acc4(t, &p, 0x0a00000a, SEC), CLIENTLOG_PASS);
	ck_assert_int_ne(acc4(t, &p, 0x0a00000a, SEC), CLIENTLOG_PASS);
	free(t);
}
END_TEST

Suite *clientlog_suite(void)
{
	Suite *s = suite_create("clientlog");
	TCase *tc = tcase_create("table");
	TCase *lim = tcase_create("limit");
	TCase *xp = tcase_create("shared");

	tcase_add_test(tc, sizing_and_init);
	tcase_add_test(tc, disabled_logs_and_passes);
	tcase_add_test(tc, unknown_family_ignored);
	tcase_add_test(tc, ipv6_prefix_grouping);
	tcase_add_test(tc, ipv4_prefix_grouping);
	tcase_add_test(tc, avg_interval_converges);
	tcase_add_test(tc, eviction_lru);
	tcase_add_test(tc, eviction_stays_in_bucket);
	tcase_add_test(tc, poller_vs_flood_in_one_bucket);
	tcase_add_test(tc, flood_bounded);
	tcase_add_test(tc, hash_spreads_sequential_prefixes);
	tcase_add_test(tc, read_free_and_used);
	tcase_add_test(tc, interval_ticks);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tcase_add_test(lim, burst_then_limited);
	tcase_add_test(lim, refill_after_k_intervals);
	tcase_add_test(lim, exact_rate_never_limited);
	tcase_add_test(lim, double_rate_half_limited);
	tcase_add_test(lim, iburst_never_limited);
	tcase_add_test(lim, leak_share);
	tcase_add_test(lim, kod_share);
	tcase_add_test(lim, leak_consumes_credit);
	tcase_add_test(lim, flood_leaves_no_debt);
	tcase_add_test(lim, degenerate_params);
	tcase_set_timeout(lim, 60);
	suite_add_tcase(s, lim);

	tcase_add_test(xp, cross_process_reads_consistent);
	tcase_set_timeout(xp, 60);
	suite_add_tcase(s, xp);
	return s;
}
