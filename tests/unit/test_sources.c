/*
 * Tests for sources: the upstream set, driven with the world injected. The
 * send callback records what would go on the wire (family, address,
 * payload, cookie), the random callback is a fixed sequence, names are
 * "resolved" by the test, and every time is a plain number: `mono` for
 * schedules, local seconds from EPOCH for T1/T4. Server replies are built
 * with ntp_packet_encode from the recorded request, T2/T3 as NTP
 * timestamps EPOCH + seconds.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ntp_packet.h"
#include "sources.h"
#include "suites.h"

/* 2024-03-10 00:00:00 UTC. */
#define EPOCH ((ntp_ts_t)(1710028800ULL + NTP_UNIX_OFFSET) << 32)
#define MS 1e-3
#define NS 1e-9

/* ---- the fake world --------------------------------------------------------- */

struct sent {
	int family;
	uint8_t addr[16];
	uint8_t payload[NTPCLIENT_REQUEST_MAX];
	unsigned int len;
	uint64_t cookie;
};

struct world {
	struct sent sent[512];
	unsigned int n_sent;
	uint64_t rnd;             /* next random value */
	unsigned int zeros;       /* return this many zeros first */
	int fail;                 /* send returns -1 */
};

static int fake_send(void *arg, int family, const uint8_t addr[16], const uint8_t *payload,
		     unsigned int len, uint64_t cookie)
{
	struct world *w = arg;

	ck_assert_uint_lt(w->n_sent, sizeof(w->sent) / sizeof(w->sent[0]));
	ck_assert_uint_le(len, NTPCLIENT_REQUEST_MAX);
	struct sent *x = &w->sent[w->n_sent++];
	x->family = family;
	memcpy(x->addr, addr, 16);
	memcpy(x->payload, payload, len);
	x->len = len;
	x->cookie = cookie;
	return w->fail ? -1 : 0;
}

static uint64_t fake_random(void *arg)
{
	struct world *w = arg;

	if (w->zeros) {
		w->zeros--;
		return 0;
	}
	w->rnd += 0x9e3779b97f4a7c15ULL;
	return w->rnd;
}

static struct sources *new_set(struct world *w)
{
	struct sources_config c = {.precision = 1e-7, .precision_log2 = -23, .send = fake_send,
				   .random = fake_random, .arg = w};

	memset(w, 0, sizeof(*w));
	w->rnd = 0x0123456789abcdefULL;
	struct sources *s = sources_new(&c, EPOCH);
	ck_assert_ptr_nonnull(s);
	return s;
}

static const struct lt_cfg_poll POLL4 = {.minpoll = 4, .maxpoll = 6};
static const struct lt_cfg_poll POLL0 = {.minpoll = 0, .maxpoll = 0};

static void a4(uint8_t out[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(out, 0, 16);
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
}

/* Requests sent since index `from` to this address. */
static unsigned int sent_to(const struct world *w, unsigned int from, int family, const uint8_t addr[16])
{
	unsigned int n = 0;

	for (unsigned int i = from; i < w->n_sent; i++)
		if (w->sent[i].family == family && memcmp(w->sent[i].addr, addr, family == 4 ? 4 : 16) == 0)
			n++;
	return n;
}

/* The last request sent to this address. */
static const struct sent *last_to(const struct world *w, int family, const uint8_t addr[16])
{
	for (unsigned int i = w->n_sent; i-- > 0;)
		if (w->sent[i].family == family && memcmp(w->sent[i].addr, addr, family == 4 ? 4 : 16) == 0)
			return &w->sent[i];
	ck_abort_msg("nothing sent to that address");
	return NULL;
}

static ntp_ts_t at(double local)
{
	return EPOCH + (ntp_ts_t)ntp_interval_from_double(local);
}

/* A server's mode 4 answer to req: T2/T3 local seconds on the server's clock. */
static void reply_to(const struct sent *req, double t2, double t3, uint8_t out[NTP_HEADER_LEN])
{
	struct ntp_header h;

	ck_assert_int_eq(ntp_packet_decode(req->payload, NTP_HEADER_LEN, &h), 0);
	struct ntp_header r = {.leap = NTP_LEAP_NONE, .version = 4, .mode = NTP_MODE_SERVER, .stratum = 1,
			       .poll = h.poll, .precision = -20, .root_delay = 0x00000100U,
			       .root_dispersion = 0x00000200U, .refid = 0x47505300U, .ref = at(t2 - 8),
			       .org = h.tx, .rx = at(t2), .tx = at(t3)};
	ck_assert_int_eq(ntp_packet_encode(&r, out, NTP_HEADER_LEN), NTP_HEADER_LEN);
}

static void kod_to(const struct sent *req, const char *code, uint8_t out[NTP_HEADER_LEN])
{
	struct ntp_header h;

	ck_assert_int_eq(ntp_packet_decode(req->payload, req->len, &h), 0);
	struct ntp_header r = {.leap = NTP_LEAP_UNSYNC, .version = 4, .mode = NTP_MODE_SERVER, .stratum = 0,
			       .poll = h.poll, .org = h.tx, .rx = at(1), .tx = at(1),
			       .refid = (uint32_t)(uint8_t)code[0] << 24 | (uint32_t)(uint8_t)code[1] << 16 |
					(uint32_t)(uint8_t)code[2] << 8 | (uint8_t)code[3]};
	ck_assert_int_eq(ntp_packet_encode(&r, out, NTP_HEADER_LEN), NTP_HEADER_LEN);
}

static struct source_info info(const struct sources *s, unsigned int i)
{
	struct source_info si;

	ck_assert_int_eq(sources_info(s, i, &si), 0);
	return si;
}

/* ---- membership ------------------------------------------------------------- */

START_TEST(add_literals_and_names)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct source_info si;
	const char *name = NULL;
	int pool = 7;
	char buf[64];
	uint8_t a[16];
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	int i4 = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	int i6 = sources_add_server(s, "2001:db8::1", &POLL4, 0);
	int ih = sources_add_server(s, "ntp.example.org", &POLL4, 0);
	ck_assert_int_ge(i4, 0);
	ck_assert_int_ge(i6, 0);
	ck_assert_int_ge(ih, 0);
	ck_assert_int_ne(i4, i6);
	ck_assert_int_ne(i6, ih);
	ck_assert_uint_eq(sources_slots(s), SOURCES_MAX);
	ck_assert(sources_used(s, (unsigned int)i4) && sources_used(s, (unsigned int)ih));
	ck_assert(!sources_used(s, SOURCES_MAX));

	/* Literals are active at once. */
	si = info(s, (unsigned int)i4);
	a4(a, 192, 0, 2, 1);
	ck_assert_int_eq(si.state, SOURCE_ACTIVE);
	ck_assert_int_eq(si.family, 4);
	ck_assert_mem_eq(si.addr, a, 4);
	ck_assert_str_eq(si.name, "192.0.2.1");
	ck_assert_str_eq(si.pool, "");
	ck_assert_str_eq(sources_addr_text(&si, buf, sizeof(buf)), "192.0.2.1");
	si = info(s, (unsigned int)i6);
	ck_assert_int_eq(si.state, SOURCE_ACTIVE);
	ck_assert_int_eq(si.family, 6);
	ck_assert_mem_eq(si.addr, a6, 16);
	ck_assert_str_eq(sources_addr_text(&si, buf, sizeof(buf)), "2001:db8::1");

	/* A host name waits for the caller's resolver. */
	si = info(s, (unsigned int)ih);
	ck_assert_int_eq(si.state, SOURCE_UNRESOLVED);
	ck_assert_int_eq(si.family, 0);
	ck_assert_str_eq(sources_addr_text(&si, buf, sizeof(buf)), "");
	ck_assert_int_eq(sources_want_resolve(s, 0, &name, &pool), ih);
	ck_assert_str_eq(name, "ntp.example.org");
	ck_assert_int_eq(pool, -1);
	unsigned int on, off, unres, kod;
	sources_activity(s, &on, &off, &unres, &kod);
	ck_assert_uint_eq(unres, 1);
	ck_assert_uint_eq(on + off, 2);

	/* Polling sends to the two literals only. */
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 2);

	int fam[1] = {4};
	uint8_t addr[1][16];
	a4(addr[0], 198, 51, 100, 7);
	sources_resolved(s, ih, -1, fam, (const uint8_t(*)[16])addr, 1, 0.5);
	si = info(s, (unsigned int)ih);
	ck_assert_int_eq(si.state, SOURCE_ACTIVE);
	ck_assert_int_eq(si.family, 4);
	ck_assert_mem_eq(si.addr, addr[0], 4);
	ck_assert_str_eq(si.name, "ntp.example.org");
	ck_assert_int_eq(sources_want_resolve(s, 1000, &name, &pool), -1);
	/* ... and it is polled from then on. */
	sources_poll(s, 0.5);
	ck_assert_uint_eq(w.n_sent, 3);
	ck_assert_uint_eq(sent_to(&w, 0, 4, addr[0]), 1);
	sources_free(s);
}
END_TEST

START_TEST(resolve_failure_backs_off)
{
	struct world w;
	struct sources *s = new_set(&w);
	const char *name;
	int pool;

	int ih = sources_add_server(s, "ntp.example.org", &POLL4, 100);
	ck_assert_int_eq(sources_want_resolve(s, 100, &name, &pool), ih);
	ck_assert_double_eq(sources_next_due(s, 100), 0);
	sources_resolved(s, ih, -1, NULL, NULL, 0, 100);
	ck_assert_int_eq(info(s, (unsigned int)ih).state, SOURCE_UNRESOLVED);
	/* Not asked again until the backoff has passed. */
	double b1 = sources_next_due(s, 100);
	ck_assert_double_gt(b1, 0);
	ck_assert_int_eq(sources_want_resolve(s, 100, &name, &pool), -1);
	ck_assert_int_eq(sources_want_resolve(s, 100 + b1 - 0.01, &name, &pool), -1);
	ck_assert_int_eq(sources_want_resolve(s, 100 + b1, &name, &pool), ih);
	/* A second failure waits longer. */
	double t = 100 + b1;
	sources_resolved(s, ih, -1, NULL, NULL, 0, t);
	double b2 = sources_next_due(s, t);
	ck_assert_double_gt(b2, b1);
	ck_assert_int_eq(sources_want_resolve(s, t + b2 - 0.01, &name, &pool), -1);
	ck_assert_int_eq(sources_want_resolve(s, t + b2, &name, &pool), ih);
	/* Nothing was ever sent for it. */
	sources_poll(s, t + b2);
	ck_assert_uint_eq(w.n_sent, 0);
	sources_free(s);
}
END_TEST

START_TEST(add_duplicates_and_capacity)
{
	struct world w;
	struct sources *s = new_set(&w);
	char name[32];
	struct lt_cfg_poll bad = {.minpoll = 8, .maxpoll = 6};

	ck_assert_int_ge(sources_add_server(s, "192.0.2.1", &POLL4, 0), 0);
	ck_assert_int_eq(sources_add_server(s, "192.0.2.1", &POLL4, 0), -EEXIST);
	ck_assert_int_ge(sources_add_server(s, "2001:db8::1", &POLL4, 0), 0);
	/* The same address spelt differently is the same server. */
	ck_assert_int_eq(sources_add_server(s, "2001:db8:0:0::1", &POLL4, 0), -EEXIST);
	ck_assert_int_ge(sources_add_server(s, "ntp.example.org", &POLL4, 0), 0);
	ck_assert_int_eq(sources_add_server(s, "ntp.example.org", &POLL4, 0), -EEXIST);
	ck_assert_int_eq(sources_add_server(s, "", &POLL4, 0), -EINVAL);
	ck_assert_int_eq(sources_add_server(s, "192.0.2.200", &bad, 0), -EINVAL);
	for (int i = 3; i < SOURCES_MAX; i++) {
		snprintf(name, sizeof(name), "192.0.2.%d", 10 + i);
		ck_assert_int_ge(sources_add_server(s, name, &POLL4, 0), 0);
	}
	/* The 17th. */
	ck_assert_int_eq(sources_add_server(s, "192.0.2.99", &POLL4, 0), -ENOSPC);
	ck_assert_int_eq(sources_add_server(s, "ntp2.example.org", &POLL4, 0), -ENOSPC);
	/* Freeing one makes room. */
	ck_assert_int_eq(sources_delete(s, "192.0.2.13"), 0);
	ck_assert_int_ge(sources_add_server(s, "192.0.2.99", &POLL4, 0), 0);
	sources_free(s);
}
END_TEST

START_TEST(delete_by_name_and_address)
{
	struct world w;
	struct sources *s = new_set(&w);
	int fam[1] = {4};
	uint8_t addr[1][16];

	int i1 = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	int ih = sources_add_server(s, "ntp.example.org", &POLL4, 0);
	a4(addr[0], 198, 51, 100, 7);
	sources_resolved(s, ih, -1, fam, (const uint8_t(*)[16])addr, 1, 0);
	ck_assert_int_eq(sources_delete(s, "nope.example.org"), -ENOENT);
	/* A resolved name goes by its address text ... */
	ck_assert_int_eq(sources_delete(s, "198.51.100.7"), 0);
	ck_assert(!sources_used(s, (unsigned int)ih));
	/* ... and a literal by its name. */
	ck_assert_int_eq(sources_delete(s, "192.0.2.1"), 0);
	ck_assert(!sources_used(s, (unsigned int)i1));
	ck_assert_int_eq(sources_delete(s, "192.0.2.1"), -ENOENT);
	struct source_info si;
	ck_assert_int_eq(sources_info(s, (unsigned int)i1, &si), -ENOENT);
	/* Deleted sources are not polled. */
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 0);
	/* Replies from a deleted address are not taken. */
	enum srcfilter_verdict v;
	uint8_t junk[48] = {0x24};
	ck_assert_int_eq(sources_reply(s, 4, addr[0], junk, 48, 1, 1, &v), -1);
	sources_free(s);
}
END_TEST

/* ---- polls and requests ----------------------------------------------------- */

START_TEST(poll_schedule_and_request)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16];
	struct ntp_header h;

	a4(a, 192, 0, 2, 1);
	int i = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	ck_assert_double_eq(sources_next_due(s, 0), 0);
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 1);
	/* Not again before it is due. */
	sources_poll(s, 0);
	sources_poll(s, 10);
	ck_assert_uint_eq(w.n_sent, 1);
	ck_assert_double_eq_tol(sources_next_due(s, 0), 16, 1e-12);
	ck_assert_double_eq_tol(sources_next_due(s, 10), 6, 1e-12);
	sources_poll(s, 15.99);
	ck_assert_uint_eq(w.n_sent, 1);
	sources_poll(s, 16);
	ck_assert_uint_eq(w.n_sent, 2);

	/* The request: family/address, 48 bytes, v4 mode 3, poll and
	 * precision, transmit = the random nonce, every clock field zero. */
	const struct sent *q = &w.sent[0];
	ck_assert_int_eq(q->family, 4);
	ck_assert_mem_eq(q->addr, a, 4);
	ck_assert_uint_eq(q->len, NTP_HEADER_LEN);
	ck_assert_uint_ne(q->cookie, 0);
	ck_assert_uint_ne(q->cookie, w.sent[1].cookie);
	ck_assert_int_eq(ntp_packet_decode(q->payload, q->len, &h), 0);
	ck_assert_uint_eq(h.version, 4);
	ck_assert_uint_eq(h.mode, NTP_MODE_CLIENT);
	ck_assert_uint_eq(h.leap, 0);
	ck_assert_int_eq(h.poll, 4);
	ck_assert_int_eq(h.precision, -23);
	ck_assert_uint_eq(h.stratum, 0);
	ck_assert_uint_eq(h.org | h.rx | h.ref | h.refid | h.root_delay | h.root_dispersion, 0);
	ck_assert_uint_eq(h.tx, 0x0123456789abcdefULL + 0x9e3779b97f4a7c15ULL);
	ck_assert_int_eq(ntp_packet_decode(w.sent[1].payload, 48, &h), 0);
	ck_assert_uint_eq(h.tx, 0x0123456789abcdefULL + 2 * 0x9e3779b97f4a7c15ULL);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.sent, 2);

	/* A failed send is counted as such. */
	w.fail = 1;
	sources_poll(s, 32);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.send_failed, 1);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.sent, 2);
	sources_free(s);
}
END_TEST

START_TEST(nonce_never_zero)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct ntp_header h;

	sources_add_server(s, "192.0.2.1", &POLL4, 0);
	w.zeros = 3;
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 1);
	ck_assert_int_eq(ntp_packet_decode(w.sent[0].payload, 48, &h), 0);
	ck_assert_uint_ne(h.tx, 0);
	ck_assert_uint_eq(w.zeros, 0);
	sources_free(s);
}
END_TEST

START_TEST(iburst_four_quick_polls)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_poll p = {.minpoll = 6, .maxpoll = 10, .iburst = 1};
	double t = 0;

	sources_add_server(s, "192.0.2.1", &p, 0);
	/* chrony: the first four requests 2 s apart, then minpoll. */
	for (int k = 0; k < 4; k++) {
		sources_poll(s, t);
		ck_assert_uint_eq(w.n_sent, (unsigned int)k + 1);
		t += sources_next_due(s, t);
		if (k < 3)
			ck_assert_double_eq_tol(t, 2.0 * (k + 1), 1e-12);
	}
	ck_assert_double_eq_tol(t, 6 + 64, 1e-12);
	sources_free(s);
}
END_TEST

/* ---- exchanges -------------------------------------------------------------- */

/* One source at 192.0.2.1 polled at mono 0; returns its index. */
static int one_polled(struct sources *s, struct world *w, uint8_t a[16])
{
	a4(a, 192, 0, 2, 1);
	int i = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	ck_assert_int_ge(i, 0);
	sources_poll(s, 0);
	ck_assert_uint_eq(w->n_sent, 1);
	return i;
}

START_TEST(sample_offset_and_delay)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v = SRCFILTER_INVALID;
	int i = one_polled(s, &w, a);

	/* Our clock is 250 ms behind the server's; 1 ms out, 3 ms back,
	 * 0.5 ms in the server. By hand (RFC 5905 section 8):
	 *   t1 = 100, t2 = 100.251, t3 = 100.2515, t4 = 100.0045
	 *   offset = ((t2 - t1) + (t3 - t4)) / 2 = (0.251 + 0.247) / 2 = 0.249
	 *   delay  = (t4 - t1) - (t3 - t2)        = 0.0045 - 0.0005   = 0.004 */
	sources_tx_stamp(s, w.sent[0].cookie, 100.0);
	reply_to(&w.sent[0], 100.251, 100.2515, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.0045, 0.1, &v), i);
	ck_assert_int_eq(v, SRCFILTER_ACCEPTED);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert(si.have_last);
	ck_assert_double_eq_tol(si.last.offset, 0.249, 1 * NS);
	ck_assert_double_eq_tol(si.last.delay, 0.004, 1 * NS);
	ck_assert_double_eq_tol(si.last.local, 100.00225, 1 * NS);
	ck_assert_int_eq(si.last.stratum, 1);
	ck_assert_int_eq(si.last.leap, NTP_LEAP_NONE);
	ck_assert_double_eq_tol(si.last.root_delay, 256.0 / 65536, 1e-12);
	ck_assert_double_eq_tol(si.last.root_dispersion, 512.0 / 65536, 1e-12);
	ck_assert_uint_eq(si.last_refid, 0x47505300U);
	ck_assert_double_eq(si.last_rx_mono, 0.1);
	ck_assert_uint_eq(si.ctr.replies, 1);
	ck_assert_uint_eq(si.ctr.accepted, 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_OK], 1);
	ck_assert_uint_eq(srcfilter_reach(si.filter) & 1, 1);
	/* The estimate carries it. */
	struct srcselect_source est[SOURCES_MAX];
	sources_estimates(s, 100.01, est);
	ck_assert(est[i].est.valid);
	ck_assert_double_eq_tol(est[i].est.offset, 0.249, 1e-6);
	ck_assert_int_eq(est[i].est.stratum, 1);
	/* Every other slot is given as unreachable. */
	for (unsigned int k = 0; k < SOURCES_MAX; k++)
		if ((int)k != i)
			ck_assert(!est[k].est.valid && est[k].est.reach == 0);
	unsigned int on, off, unres, kod;
	sources_activity(s, &on, &off, &unres, &kod);
	ck_assert_uint_eq(on, 1);
	ck_assert_uint_eq(off + unres + kod, 0);
	sources_free(s);
}
END_TEST

START_TEST(tx_stamp_pairs_by_cookie)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], b[16], r[48];
	enum srcfilter_verdict v;

	a4(a, 192, 0, 2, 1);
	a4(b, 192, 0, 2, 2);
	int ia = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	int ib = sources_add_server(s, "192.0.2.2", &POLL4, 0);
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 2);
	const struct sent *qa = last_to(&w, 4, a), *qb = last_to(&w, 4, b);
	/* Stamps in the other order, a stranger and a broken cookie between. */
	sources_tx_stamp(s, qb->cookie, 50.0);
	sources_tx_stamp(s, 0, 1.0);
	sources_tx_stamp(s, 0xff00000000000001ULL, 1.0);
	sources_tx_stamp(s, qa->cookie ^ 0x10, 1.0);
	sources_tx_stamp(s, qa->cookie, 10.0);
	/* Each reply is measured against its own T1: offset 0, delay 2 ms. */
	reply_to(qa, 10.001, 10.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 10.002, 0, &v), ia);
	reply_to(qb, 50.001, 50.001, r);
	ck_assert_int_eq(sources_reply(s, 4, b, r, 48, 50.002, 0, &v), ib);
	ck_assert_double_eq_tol(info(s, (unsigned int)ia).last.offset, 0, 1 * NS);
	ck_assert_double_eq_tol(info(s, (unsigned int)ia).last.delay, 0.002, 1 * NS);
	ck_assert_double_eq_tol(info(s, (unsigned int)ib).last.offset, 0, 1 * NS);
	ck_assert_double_eq_tol(info(s, (unsigned int)ib).last.delay, 0.002, 1 * NS);

	/* A stamp for a request that has been replaced by the next poll is
	 * not taken for the new one. */
	sources_poll(s, 16);
	qa = last_to(&w, 4, a);
	ck_assert_mem_eq(w.sent[0].addr, a, 4);
	ck_assert_uint_ne(w.sent[0].cookie, qa->cookie);
	sources_tx_stamp(s, w.sent[0].cookie, 16.0);
	reply_to(qa, 16.001, 16.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 16.002, 16, &v), -1);
	ck_assert_uint_eq(info(s, (unsigned int)ia).ctr.no_tx_stamp, 1);
	sources_free(s);
}
END_TEST

START_TEST(wrong_origin_then_real_then_duplicate)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48], forged[48];
	enum srcfilter_verdict v;
	int i = one_polled(s, &w, a);
	struct ntp_header h;

	sources_tx_stamp(s, w.sent[0].cookie, 100.0);
	reply_to(&w.sent[0], 100.001, 100.001, r);
	/* A forged reply: same everything, origin off by one bit. */
	memcpy(forged, r, 48);
	ck_assert_int_eq(ntp_packet_decode(forged, 48, &h), 0);
	h.org ^= 1;
	ntp_packet_encode(&h, forged, 48);
	ck_assert_int_eq(sources_reply(s, 4, a, forged, 48, 100.002, 0, &v), -1);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.verdict[NTPCLIENT_BOGUS], 1);
	ck_assert_uint_eq(info(s, (unsigned int)i).have_last, 0);
	/* A short one and a request-shaped one are not answers either. */
	ck_assert_int_eq(sources_reply(s, 4, a, r, 40, 100.002, 0, &v), -1);
	ck_assert_int_eq(sources_reply(s, 4, a, w.sent[0].payload, 48, 100.002, 0, &v), -1);
	/* The real one still counts. */
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.002, 0, &v), i);
	ck_assert_int_eq(v, SRCFILTER_ACCEPTED);
	/* Its duplicate does not. */
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.003, 0, &v), -1);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_uint_eq(si.ctr.accepted, 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_BOGUS], 2);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_SHORT], 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_NOT_REPLY], 1);
	/* A reply from an address we never asked is nobody's. */
	uint8_t other[16];
	a4(other, 192, 0, 2, 77);
	ck_assert_int_eq(sources_reply(s, 4, other, r, 48, 100.003, 0, &v), -1);
	sources_free(s);
}
END_TEST

START_TEST(reply_without_tx_stamp_counts_reach)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v;
	int i = one_polled(s, &w, a);

	reply_to(&w.sent[0], 100.001, 100.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.002, 0, &v), -1);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_uint_eq(si.ctr.no_tx_stamp, 1);
	ck_assert_uint_eq(si.have_last, 0);
	ck_assert_uint_eq(srcfilter_reach(si.filter), 1);
	ck_assert_double_eq(si.last_rx_mono, 0);
	/* It was the answer: a stamp arriving late does not revive it. */
	sources_tx_stamp(s, w.sent[0].cookie, 100.0);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.002, 0, &v), -1);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.accepted, 0);
	sources_free(s);
}
END_TEST

START_TEST(reply_before_t1_is_late)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v;
	int i = one_polled(s, &w, a);

	/* t4 before t1: no measurement, but the server is reachable. */
	sources_tx_stamp(s, w.sent[0].cookie, 100.0);
	reply_to(&w.sent[0], 100.001, 100.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 99.999, 0, &v), -1);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.late, 1);
	ck_assert_uint_eq(srcfilter_reach(info(s, (unsigned int)i).filter), 1);
	sources_free(s);
}
END_TEST

/* ---- kiss-o'-death and unsynchronised servers ------------------------------- */

START_TEST(kod_rate_raises_interval)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v;
	int i = one_polled(s, &w, a);
	int poll = info(s, (unsigned int)i).poll;

	kod_to(&w.sent[0], "RATE", r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 1, 1, &v), -1);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_str_eq(si.kod, "RATE");
	ck_assert_int_eq(si.state, SOURCE_ACTIVE);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_KOD_RATE], 1);
	/* RFC 5905 section 7.4: poll less often: at least twice the interval. */
	ck_assert_double_ge(sources_next_due(s, 1), ldexp(1.0, poll + 1));
	sources_poll(s, 1 + ldexp(1.0, poll + 1) - 0.01);
	ck_assert_uint_eq(w.n_sent, 1);
	/* A second RATE doubles it again. */
	sources_poll(s, 1 + sources_next_due(s, 1));
	ck_assert_uint_eq(w.n_sent, 2);
	double now = 1 + ldexp(1.0, poll + 1);
	kod_to(&w.sent[1], "RATE", r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, now, now, &v), -1);
	ck_assert_double_ge(sources_next_due(s, now), ldexp(1.0, poll + 2));
	sources_free(s);
}
END_TEST

START_TEST(kod_deny_stops_polling)
{
	static const char *const codes[] = {"DENY", "RSTR"};

	for (int k = 0; k < 2; k++) {
		struct world w;
		struct sources *s = new_set(&w);
		uint8_t a[16], r[48];
		enum srcfilter_verdict v;
		unsigned int on, off, unres, kod;
		int i = one_polled(s, &w, a);

		kod_to(&w.sent[0], codes[k], r);
		ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 1, 1, &v), -1);
		struct source_info si = info(s, (unsigned int)i);
		ck_assert_str_eq(si.kod, codes[k]);
		ck_assert_int_eq(si.state, SOURCE_KOD_STOPPED);
		for (double t = 1; t < 5000; t += 7)
			sources_poll(s, t);
		ck_assert_uint_eq(w.n_sent, 1);
		sources_activity(s, &on, &off, &unres, &kod);
		ck_assert_uint_eq(kod, 1);
		ck_assert_uint_eq(on + off + unres, 0);
		/* A stopped source is not given to selection. */
		struct srcselect_source est[SOURCES_MAX];
		sources_estimates(s, 10, est);
		ck_assert(!est[i].est.valid);
		sources_free(s);
	}
}
END_TEST

START_TEST(kod_other_is_ignored)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v;
	int i = one_polled(s, &w, a);

	kod_to(&w.sent[0], "INIT", r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 1, 1, &v), -1);
	ck_assert_int_eq(info(s, (unsigned int)i).state, SOURCE_ACTIVE);
	ck_assert_double_eq_tol(sources_next_due(s, 1), 15, 1e-12);
	sources_free(s);
}
END_TEST

START_TEST(unsync_marks_estimate)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], r[48];
	enum srcfilter_verdict v;
	struct srcselect_source est[SOURCES_MAX];
	struct ntp_header h;
	int i = one_polled(s, &w, a);

	/* A good sample first, then the server loses sync (leap 3). */
	sources_tx_stamp(s, w.sent[0].cookie, 100.0);
	reply_to(&w.sent[0], 100.001, 100.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.002, 0, &v), i);
	sources_estimates(s, 101, est);
	ck_assert_int_eq(est[i].est.leap, NTP_LEAP_NONE);
	sources_poll(s, 16);
	sources_tx_stamp(s, w.sent[1].cookie, 116.0);
	reply_to(&w.sent[1], 116.001, 116.001, r);
	ntp_packet_decode(r, 48, &h);
	h.leap = NTP_LEAP_UNSYNC;
	ntp_packet_encode(&h, r, 48);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 116.002, 16, &v), -1);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_int_eq(si.unsync, 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_UNSYNC], 1);
	ck_assert_uint_eq(srcfilter_reach(si.filter) & 1, 1);
	sources_estimates(s, 117, est);
	ck_assert_int_eq(est[i].est.leap, NTP_LEAP_UNSYNC);
	/* Back in sync: the mark goes. */
	sources_poll(s, 32);
	sources_tx_stamp(s, w.sent[2].cookie, 132.0);
	reply_to(&w.sent[2], 132.001, 132.001, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 132.002, 32, &v), i);
	ck_assert_int_eq(info(s, (unsigned int)i).unsync, 0);
	sources_estimates(s, 133, est);
	ck_assert_int_eq(est[i].est.leap, NTP_LEAP_NONE);
	sources_free(s);
}
END_TEST

/* ---- pools ------------------------------------------------------------------ */

static void pool_addrs(int fam[3], uint8_t addr[3][16])
{
	for (int k = 0; k < 3; k++) {
		fam[k] = 4;
		a4(addr[k], 203, 0, 113, (uint8_t)(10 + k));
	}
}

START_TEST(pool_resolves_to_maxsources)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_pool p = {.poll = POLL4, .maxsources = 2};
	const char *name;
	int pool = -5, fam[3];
	uint8_t addr[3][16];

	snprintf(p.name, sizeof(p.name), "pool.example.org");
	ck_assert_int_eq(sources_add_pool(s, &p, 0), 0);
	ck_assert_int_eq(sources_want_resolve(s, 0, &name, &pool), 0);
	ck_assert_str_eq(name, "pool.example.org");
	ck_assert_int_eq(pool, 0);
	pool_addrs(fam, addr);
	sources_resolved(s, 0, pool, fam, (const uint8_t(*)[16])addr, 3, 0);
	unsigned int members = 0;
	for (unsigned int i = 0; i < sources_slots(s); i++) {
		if (!sources_used(s, i))
			continue;
		struct source_info si = info(s, i);
		members++;
		ck_assert_str_eq(si.pool, "pool.example.org");
		ck_assert_int_eq(si.state, SOURCE_ACTIVE);
		ck_assert(memcmp(si.addr, addr[0], 4) == 0 || memcmp(si.addr, addr[1], 4) == 0);
	}
	ck_assert_uint_eq(members, 2);
	/* Full: nothing to resolve. */
	ck_assert_int_eq(sources_want_resolve(s, 1e6, &name, &pool), -1);
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 2);
	/* Pools beyond LT_CFG_MAX_POOLS are refused. */
	for (int k = 1; k < LT_CFG_MAX_POOLS; k++)
		ck_assert_int_eq(sources_add_pool(s, &p, 0), 0);
	ck_assert_int_eq(sources_add_pool(s, &p, 0), -ENOSPC);
	/* Deleting the pool deletes its members. */
	ck_assert_int_eq(sources_delete(s, "pool.example.org"), 0);
	for (unsigned int i = 0; i < sources_slots(s); i++)
		ck_assert(!sources_used(s, i));
	sources_free(s);
}
END_TEST

/*
 * A member is dropped at the first poll after UNREACH_POLLS (8) unanswered
 * requests. Regression: the request still in flight was once not counted,
 * so a member got a 9th request and was dropped at the 10th poll.
 */
START_TEST(pool_member_unanswered_is_dropped)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_pool p = {.poll = POLL0, .maxsources = 2};
	const char *name;
	int pool, fam[3];
	uint8_t addr[3][16], r[48];
	enum srcfilter_verdict v;

	snprintf(p.name, sizeof(p.name), "pool.example.org");
	sources_add_pool(s, &p, 0);
	pool_addrs(fam, addr);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 2, 0);
	/* Member 0 never answers; member 1 answers every poll (reachable
	 * without a measurement is enough to keep it). Polls every 1 s. */
	unsigned int polls = 0;
	double t = 0;
	for (; t < 20; t += 1) {
		unsigned int before = w.n_sent;
		sources_poll(s, t);
		if (sent_to(&w, before, 4, addr[1])) {
			reply_to(last_to(&w, 4, addr[1]), t, t, r);
			sources_reply(s, 4, addr[1], r, 48, t + 0.001, t + 0.001, &v);
		}
		if (!sent_to(&w, before, 4, addr[0]))
			break;
		polls++;
	}
	/* Dropped at the first poll after 8 unanswered requests ... */
	ck_assert_uint_eq(polls, 8);
	ck_assert_uint_eq(sent_to(&w, 0, 4, addr[0]), 8);
	ck_assert_uint_eq(sent_to(&w, 0, 4, addr[1]), 9);
	/* ... and the pool looks for a replacement at once. */
	ck_assert_int_eq(sources_want_resolve(s, t, &name, &pool), 0);
	ck_assert_int_eq(pool, 0);
	unsigned int members = 0;
	for (unsigned int i = 0; i < sources_slots(s); i++)
		if (sources_used(s, i)) {
			members++;
			ck_assert_mem_eq(info(s, i).addr, addr[1], 4);
		}
	ck_assert_uint_eq(members, 1);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 3, t);
	members = 0;
	for (unsigned int i = 0; i < sources_slots(s); i++)
		members += (unsigned int)sources_used(s, i);
	ck_assert_uint_eq(members, 2);
	sources_free(s);
}
END_TEST

/* The same drop, without pinning the poll it happens at: a member that
 * never answers is gone within 10 polls and the pool resolves again. */
START_TEST(pool_member_unanswered_is_dropped_eventually)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_pool p = {.poll = POLL0, .maxsources = 1};
	const char *name;
	int pool, fam[3];
	uint8_t addr[3][16];

	snprintf(p.name, sizeof(p.name), "pool.example.org");
	sources_add_pool(s, &p, 0);
	pool_addrs(fam, addr);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 1, 0);
	ck_assert_int_eq(sources_want_resolve(s, 0, &name, &pool), -1);
	for (double t = 0; t < 10; t += 1)
		sources_poll(s, t);
	ck_assert_uint_le(w.n_sent, 9);
	for (unsigned int i = 0; i < sources_slots(s); i++)
		ck_assert(!sources_used(s, i));
	ck_assert_int_eq(sources_want_resolve(s, 10, &name, &pool), 0);
	sources_free(s);
}
END_TEST

START_TEST(pool_member_kod_deny_is_replaced)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_pool p = {.poll = POLL4, .maxsources = 2};
	const char *name;
	int pool, fam[3];
	uint8_t addr[3][16], r[48];
	enum srcfilter_verdict v;

	snprintf(p.name, sizeof(p.name), "pool.example.org");
	sources_add_pool(s, &p, 0);
	pool_addrs(fam, addr);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 3, 0);
	sources_poll(s, 0);
	kod_to(last_to(&w, 4, addr[0]), "DENY", r);
	sources_reply(s, 4, addr[0], r, 48, 1, 1, &v);
	/* The pool wants another member ... */
	ck_assert_int_eq(sources_want_resolve(s, 1, &name, &pool), 0);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 3, 1);
	/* ... and takes the address it did not have, not the one that said DENY. */
	unsigned int from = w.n_sent;
	sources_poll(s, 1);
	ck_assert_uint_eq(sent_to(&w, from, 4, addr[2]), 1);
	ck_assert_int_eq(sources_want_resolve(s, 1, &name, &pool), -1);
	for (double t = 1; t < 200; t += 1)
		sources_poll(s, t);
	ck_assert_uint_eq(sent_to(&w, from, 4, addr[0]), 0);
	sources_free(s);
}
END_TEST

/* ---- clock corrections and bursts -------------------------------------------- */

START_TEST(adjust_shifts_t1_and_abandons_unstamped)
{
	struct world w;
	struct sources *s = new_set(&w);
	uint8_t a[16], b[16], r[48];
	enum srcfilter_verdict v;

	a4(a, 192, 0, 2, 1);
	a4(b, 192, 0, 2, 2);
	int ia = sources_add_server(s, "192.0.2.1", &POLL4, 0);
	int ib = sources_add_server(s, "192.0.2.2", &POLL4, 0);
	sources_poll(s, 0);
	const struct sent *qa = last_to(&w, 4, a), *qb = last_to(&w, 4, b);
	sources_tx_stamp(s, qa->cookie, 100.0);
	/* At local 100.5 the clock moved +10 ms and its rate +10 ppm: T1 in
	 * the new clock is 100 + 0.01 + 10e-6 * (100 - 100.5). */
	sources_adjust(s, 100.5, 0.01, 10e-6);
	double t1 = 100 + 0.01 + 10e-6 * (100 - 100.5);
	reply_to(qa, 100.020, 100.021, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, 48, 100.030, 1, &v), ia);
	struct source_info si = info(s, (unsigned int)ia);
	ck_assert_double_eq_tol(si.last.offset, ((100.020 - t1) + (100.021 - 100.030)) / 2, 1 * NS);
	ck_assert_double_eq_tol(si.last.delay, (100.030 - t1) - 0.001, 1 * NS);
	/* b's transmit time was unknown at the correction: abandoned, and
	 * neither a late stamp nor the reply revives it. */
	sources_tx_stamp(s, qb->cookie, 100.0);
	reply_to(qb, 100.020, 100.021, r);
	ck_assert_int_eq(sources_reply(s, 4, b, r, 48, 100.030, 1, &v), -1);
	si = info(s, (unsigned int)ib);
	ck_assert_uint_eq(si.have_last, 0);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_BOGUS], 1);
	/* The newest sample follows corrections made after it. */
	double before = info(s, (unsigned int)ia).last.offset;
	sources_adjust(s, 101, -0.002, 0);
	ck_assert_double_eq_tol(info(s, (unsigned int)ia).last.offset, before + 0.002, 1 * NS);
	sources_free(s);
}
END_TEST

/*
 * A burst is `total` requests 2 s apart, then the usual poll. Regression:
 * the request that used up the burst once scheduled one more 2 s later,
 * so a burst of `total` sent total + 1.
 */
START_TEST(burst_sends_total_quick_polls)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_poll p = {.minpoll = 6, .maxpoll = 6};
	uint8_t a[16], b[16];

	a4(a, 192, 0, 2, 1);
	a4(b, 192, 0, 2, 2);
	sources_add_server(s, "192.0.2.1", &p, 0);
	sources_add_server(s, "192.0.2.2", &p, 0);
	sources_poll(s, 0);
	ck_assert_uint_eq(w.n_sent, 2);
	ck_assert_int_eq(sources_burst(s, "nope", 3, 10), 0);
	ck_assert_int_eq(sources_burst(s, "192.0.2.1", 3, 10), 1);
	unsigned int from = w.n_sent;
	/* 10, 12, 14: three quick ones, 2 s apart; then the 64 s poll. */
	for (double t = 10; t < 60; t += 0.5)
		sources_poll(s, t);
	ck_assert_uint_eq(sent_to(&w, from, 4, b), 0);
	ck_assert_uint_eq(sent_to(&w, from, 4, a), 3);
	sources_free(s);
}
END_TEST

START_TEST(burst_all_uses_two_second_intervals)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_poll p = {.minpoll = 6, .maxpoll = 6};
	uint8_t a[16], b[16];

	a4(a, 192, 0, 2, 1);
	a4(b, 192, 0, 2, 2);
	sources_add_server(s, "192.0.2.1", &p, 0);
	sources_add_server(s, "192.0.2.2", &p, 0);
	sources_poll(s, 0);
	ck_assert_int_eq(sources_burst(s, NULL, 4, 10), 2);
	ck_assert_double_eq(sources_next_due(s, 10), 0);
	sources_poll(s, 10);
	ck_assert_double_eq_tol(sources_next_due(s, 10), 2, 1e-12);
	sources_poll(s, 11.9);
	ck_assert_uint_eq(w.n_sent, 4);
	sources_poll(s, 12);
	ck_assert_uint_eq(w.n_sent, 6);
	ck_assert_double_eq_tol(sources_next_due(s, 12), 2, 1e-12);
	sources_poll(s, 14);
	sources_poll(s, 16);
	ck_assert_uint_eq(sent_to(&w, 0, 4, a), 5);
	ck_assert_uint_eq(sent_to(&w, 0, 4, b), 5);
	/* Well after the burst the source is back on its 64 s poll. */
	for (double t = 18.5; t < 70; t += 0.5)
		sources_poll(s, t);
	ck_assert_uint_le(sent_to(&w, 0, 4, a), 6);
	sources_free(s);
}
END_TEST

/* ---- reconfigure (a reload) -------------------------------------------------- */

static void cfg_server(struct lt_cfg_sync *y, const char *address, struct lt_cfg_poll poll)
{
	ck_assert_uint_lt(y->n_servers, LT_CFG_MAX_SERVERS);
	struct lt_cfg_server *x = &y->servers[y->n_servers++];
	snprintf(x->address, sizeof(x->address), "%s", address);
	x->poll = poll;
	x->line = y->n_servers;
}

static void cfg_pool(struct lt_cfg_sync *y, const char *name, struct lt_cfg_poll poll,
		     unsigned int maxsources)
{
	ck_assert_uint_lt(y->n_pools, LT_CFG_MAX_POOLS);
	struct lt_cfg_pool *x = &y->pools[y->n_pools++];
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->poll = poll;
	x->maxsources = maxsources;
}

/* Slot of the source named (or with the address text) name, or -1. */
static int slot_named(const struct sources *s, const char *name)
{
	char buf[64];

	for (unsigned int i = 0; i < sources_slots(s); i++) {
		struct source_info si;
		if (sources_info(s, i, &si) != 0)
			continue;
		if (strcmp(si.name, name) == 0 || strcmp(sources_addr_text(&si, buf, sizeof(buf)), name) == 0)
			return (int)i;
	}
	return -1;
}

static unsigned int n_used(const struct sources *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sources_slots(s); i++)
		n += sources_used(s, i) ? 1 : 0;
	return n;
}

/* Members of the pool called name. */
static unsigned int n_members(const struct sources *s, const char *name)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sources_slots(s); i++) {
		struct source_info si;
		if (sources_info(s, i, &si) == 0 && strcmp(si.pool, name) == 0)
			n++;
	}
	return n;
}

static void assert_changes(const struct sources_changes *c, unsigned int added, unsigned int removed,
			   unsigned int changed, unsigned int failed)
{
	ck_assert_msg(c->added == added && c->removed == removed && c->changed == changed &&
			      c->failed == failed,
		      "added %u removed %u changed %u failed %u, want %u %u %u %u", c->added, c->removed,
		      c->changed, c->failed, added, removed, changed, failed);
}

/* Poll the source at slot i at mono and have it answer: one sample, reach 1. */
static void exchange(struct sources *s, struct world *w, int i, double mono)
{
	struct source_info si = info(s, (unsigned int)i);
	enum srcfilter_verdict v;
	uint8_t r[48];

	sources_poll(s, mono);
	const struct sent *q = last_to(w, si.family, si.addr);
	sources_tx_stamp(s, q->cookie, mono);
	reply_to(q, mono + 0.001, mono + 0.0011, r);
	ck_assert_int_eq(sources_reply(s, si.family, si.addr, r, 48, mono + 0.002, mono + 0.002, &v), i);
}

/* ---- symmetric-key authentication ------------------------------------------------ */

static struct ntp_mac_key test_key(uint32_t id, const char *secret)
{
	struct ntp_mac_key k;

	ck_assert_int_eq(ntp_mac_key_init(&k, id, NTP_MAC_SHA1, (const uint8_t *)secret, strlen(secret)), 0);
	return k;
}

/* A reply to the request at slot i's address, MAC'd under k if k is not NULL;
 * returns its length. */
static unsigned int signed_reply(const struct sent *q, double mono, const struct ntp_mac_key *k,
				 uint8_t out[NTP_HEADER_LEN + NTP_MAC_LEN_MAX])
{
	reply_to(q, mono + 0.001, mono + 0.0011, out);
	return NTP_HEADER_LEN + (k ? ntp_mac_write(k, out, NTP_HEADER_LEN, out + NTP_HEADER_LEN) : 0);
}

START_TEST(keyed_source_signs_and_checks)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct ntp_mac_key k = test_key(42, "right secret"), wrong = test_key(42, "wrong secret"),
			   other_id = test_key(43, "right secret");
	uint8_t r[NTP_HEADER_LEN + NTP_MAC_LEN_MAX], a[16];
	enum srcfilter_verdict v;
	int i = sources_add_server(s, "192.0.2.1", &POLL4, 0);

	a4(a, 192, 0, 2, 1);
	ck_assert_int_eq(sources_set_key(s, (unsigned int)i, 42, &k), 0);
	ck_assert_uint_eq(info(s, (unsigned int)i).key_id, 42);
	ck_assert_int_eq(info(s, (unsigned int)i).key_type, NTP_MAC_SHA1);
	sources_poll(s, 0);
	const struct sent *q = last_to(&w, 4, a);
	/* 48 bytes, key id 42, the 20-byte digest of the header under k. */
	ck_assert_uint_eq(q->len, 72);
	ck_assert_uint_eq(q->payload[51], 42);
	ck_assert(ntp_mac_check(&k, q->payload, NTP_HEADER_LEN, q->payload + 52));
	sources_tx_stamp(s, q->cookie, 0);

	/* Forgeries with the right origin: each counted, none used, and the
	 * request stays in flight for the real answer. */
	unsigned int n = signed_reply(q, 0, &wrong, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, n, 0.002, 0.002, &v), -1);
	n = signed_reply(q, 0, &other_id, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, n, 0.002, 0.002, &v), -1);
	n = signed_reply(q, 0, NULL, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, n, 0.002, 0.002, &v), -1);
	memset(r + NTP_HEADER_LEN, 0, 4);
	ck_assert_int_eq(sources_reply(s, 4, a, r, NTP_HEADER_LEN + 4, 0.002, 0.002, &v), -1);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_AUTH_FAIL], 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_AUTH_KEYID], 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_AUTH_MISSING], 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_CRYPTO_NAK], 1);
	ck_assert_uint_eq(si.ctr.auth_ok, 0);
	ck_assert_uint_eq(si.ctr.accepted, 0);
	ck_assert_int_eq(si.have_last, 0);
	ck_assert_int_eq(srcfilter_reach(si.filter), 0);

	/* The genuine reply is still taken. */
	n = signed_reply(q, 0, &k, r);
	ck_assert_int_eq(sources_reply(s, 4, a, r, n, 0.002, 0.002, &v), i);
	si = info(s, (unsigned int)i);
	ck_assert_uint_eq(si.ctr.auth_ok, 1);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_OK], 1);
	ck_assert_int_eq(si.have_last, 1);
	sources_free(s);
}
END_TEST

START_TEST(unkeyed_source_ignores_macs)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct ntp_mac_key k = test_key(42, "some secret");
	uint8_t r[NTP_HEADER_LEN + NTP_MAC_LEN_MAX], a[16];
	enum srcfilter_verdict v;
	int i = sources_add_server(s, "192.0.2.1", &POLL4, 0);

	a4(a, 192, 0, 2, 1);
	sources_poll(s, 0);
	const struct sent *q = last_to(&w, 4, a);
	ck_assert_uint_eq(q->len, NTP_HEADER_LEN);
	sources_tx_stamp(s, q->cookie, 0);
	unsigned int n = signed_reply(q, 0, &k, r);
	r[n - 1] ^= 0xff;   /* not even a good one */
	ck_assert_int_eq(sources_reply(s, 4, a, r, n, 0.002, 0.002, &v), i);
	struct source_info si = info(s, (unsigned int)i);
	ck_assert_uint_eq(si.key_id, 0);
	ck_assert_uint_eq(si.ctr.auth_ok, 0);
	ck_assert_uint_eq(si.ctr.verdict[NTPCLIENT_OK], 1);
	sources_free(s);
}
END_TEST

START_TEST(missing_key_sends_nothing)
{
	struct world w;
	struct sources *s = new_set(&w);
	int i = sources_add_server(s, "192.0.2.1", &POLL0, 0);

	ck_assert_int_eq(sources_set_key(s, (unsigned int)i, 5, NULL), 0);
	ck_assert_int_eq(info(s, (unsigned int)i).key_type, NTP_MAC_NONE);
	sources_poll(s, 0);
	sources_poll(s, 10);
	ck_assert_uint_eq(w.n_sent, 0);
	ck_assert_uint_eq(info(s, (unsigned int)i).ctr.no_key, 2);
	ck_assert_int_eq(sources_set_key(s, 99, 5, NULL), -ENOENT);
	sources_free(s);
}
END_TEST

START_TEST(set_keys_follows_config)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, y, y2;
	struct sources_changes c;
	struct ntp_mac_key keys[2] = {test_key(1, "first secret"), test_key(2, "second secret")};
	struct ntp_mac_key newer = test_key(1, "first secret, rotated");
	uint8_t a[16];

	a4(a, 192, 0, 2, 1);
	memset(&empty, 0, sizeof(empty));
	memset(&y, 0, sizeof(y));
	cfg_server(&y, "192.0.2.1", POLL0);
	cfg_server(&y, "192.0.2.2", POLL0);
	y.servers[0].key = 1;
	sources_reconfigure(s, &empty, &y, 0, &c);
	sources_set_keys(s, &y, keys, 2);
	int i1 = slot_named(s, "192.0.2.1"), i2 = slot_named(s, "192.0.2.2");
	ck_assert_uint_eq(info(s, (unsigned int)i1).key_id, 1);
	ck_assert_uint_eq(info(s, (unsigned int)i2).key_id, 0);
	exchange(s, &w, i2, 0);

	/* A new secret under the same id: the same source, the new MAC. */
	sources_set_keys(s, &y, &newer, 1);
	ck_assert_int_eq(slot_named(s, "192.0.2.1"), i1);
	sources_poll(s, 100);
	const struct sent *q = last_to(&w, 4, a);
	ck_assert_uint_eq(q->len, 72);
	ck_assert(ntp_mac_check(&newer, q->payload, NTP_HEADER_LEN, q->payload + 52));

	/* Another key id (none on 192.0.2.1, 2 on 192.0.2.2): both sources
	 * are replaced, as for any other changed option. */
	y2 = y;
	y2.servers[0].key = 0;
	y2.servers[1].key = 2;
	sources_reconfigure(s, &y, &y2, 200, &c);
	assert_changes(&c, 0, 0, 2, 0);
	sources_set_keys(s, &y2, keys, 2);
	i1 = slot_named(s, "192.0.2.1");
	i2 = slot_named(s, "192.0.2.2");
	ck_assert_uint_eq(info(s, (unsigned int)i1).key_id, 0);
	ck_assert_uint_eq(info(s, (unsigned int)i2).key_id, 2);
	ck_assert_uint_eq(info(s, (unsigned int)i2).ctr.replies, 0);
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_from_nothing_adds_all)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, y;
	struct sources_changes c;

	memset(&empty, 0, sizeof(empty));
	memset(&y, 0, sizeof(y));
	cfg_server(&y, "192.0.2.1", POLL4);
	cfg_server(&y, "2001:db8::1", POLL4);
	cfg_server(&y, "ntp.example.org", POLL0);
	cfg_pool(&y, "pool.example.org", POLL4, 2);
	sources_reconfigure(s, &empty, &y, 0, &c);
	assert_changes(&c, 4, 0, 0, 0);
	ck_assert_uint_eq(n_used(s), 3);
	ck_assert_int_eq(info(s, (unsigned int)slot_named(s, "192.0.2.1")).state, SOURCE_ACTIVE);
	ck_assert_int_eq(info(s, (unsigned int)slot_named(s, "ntp.example.org")).state, SOURCE_UNRESOLVED);
	ck_assert_int_eq(info(s, (unsigned int)slot_named(s, "ntp.example.org")).poll_cfg.maxpoll, 0);
	/* The pool is there: it wants resolving. */
	const char *name;
	int pool;
	int seen_pool = 0;
	for (int k = 0; k < 3; k++) {
		int idx = sources_want_resolve(s, 0, &name, &pool);
		if (idx < 0)
			break;
		if (pool >= 0) {
			ck_assert_str_eq(name, "pool.example.org");
			seen_pool = 1;
		}
		sources_resolved(s, idx, pool, NULL, NULL, 0, 0);
	}
	ck_assert(seen_pool);
	/* And back to nothing: everything removed. */
	sources_reconfigure(s, &y, &empty, 1, &c);
	assert_changes(&c, 0, 4, 0, 0);
	ck_assert_uint_eq(n_used(s), 0);
	ck_assert_int_eq(sources_want_resolve(s, 1e6, &name, &pool), -1);
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_identical_keeps_everything)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, y, y2;
	struct sources_changes c;
	int fam[3];
	uint8_t addr[3][16];

	memset(&empty, 0, sizeof(empty));
	memset(&y, 0, sizeof(y));
	cfg_server(&y, "192.0.2.1", POLL4);
	cfg_server(&y, "192.0.2.2", POLL4);
	cfg_pool(&y, "pool.example.org", POLL4, 2);
	sources_reconfigure(s, &empty, &y, 0, &c);
	pool_addrs(fam, addr);
	sources_resolved(s, 0, 0, fam, (const uint8_t(*)[16])addr, 3, 0);
	ck_assert_uint_eq(n_members(s, "pool.example.org"), 2);
	int i1 = slot_named(s, "192.0.2.1");
	exchange(s, &w, i1, 0);
	struct source_info before = info(s, (unsigned int)i1);
	ck_assert_uint_eq(before.ctr.replies, 1);

	/* The same config (a copy, and spelt in another case) changes nothing. */
	y2 = y;
	snprintf(y2.pools[0].name, sizeof(y2.pools[0].name), "POOL.example.org");
	y2.servers[0].line = 40;
	sources_reconfigure(s, &y, &y2, 100, &c);
	assert_changes(&c, 0, 0, 0, 0);
	ck_assert_int_eq(slot_named(s, "192.0.2.1"), i1);
	struct source_info after = info(s, (unsigned int)i1);
	ck_assert_uint_eq(after.ctr.sent, before.ctr.sent);
	ck_assert_uint_eq(after.ctr.replies, 1);
	ck_assert_uint_eq(srcfilter_reach(after.filter), srcfilter_reach(before.filter));
	ck_assert_uint_eq(n_members(s, "pool.example.org"), 2);
	ck_assert_uint_eq(n_used(s), 4);
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_add_remove_change)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, old, next;
	struct sources_changes c;
	struct lt_cfg_poll iburst = {.minpoll = 4, .maxpoll = 6, .iburst = 1};
	struct lt_cfg_poll prefer = {.minpoll = 4, .maxpoll = 6, .prefer = 1};
	struct lt_cfg_poll noselect = {.minpoll = 4, .maxpoll = 6, .noselect = 1};
	int fam[1] = {4};
	uint8_t ha[1][16];

	memset(&empty, 0, sizeof(empty));
	memset(&old, 0, sizeof(old));
	cfg_server(&old, "192.0.2.1", POLL4);       /* kept */
	cfg_server(&old, "192.0.2.2", POLL4);       /* maxpoll changes */
	cfg_server(&old, "ntp.example.org", POLL4); /* removed */
	cfg_server(&old, "192.0.2.5", POLL4);       /* gains iburst */
	cfg_server(&old, "192.0.2.6", POLL4);       /* gains prefer */
	cfg_server(&old, "192.0.2.7", POLL4);       /* gains noselect */
	cfg_server(&old, "192.0.2.8", POLL4);       /* removed */
	sources_reconfigure(s, &empty, &old, 0, &c);
	assert_changes(&c, 7, 0, 0, 0);
	int ih = slot_named(s, "ntp.example.org");
	a4(ha[0], 198, 51, 100, 7);
	sources_resolved(s, ih, -1, fam, (const uint8_t(*)[16])ha, 1, 0);
	int i1 = slot_named(s, "192.0.2.1"), i2 = slot_named(s, "192.0.2.2");
	exchange(s, &w, i1, 0);
	exchange(s, &w, i2, 0);
	ck_assert_uint_eq(info(s, (unsigned int)i2).ctr.replies, 1);
	ck_assert_uint_eq(info(s, (unsigned int)i2).ctr.sent, 1);

	memset(&next, 0, sizeof(next));
	cfg_server(&next, "192.0.2.9", POLL4);      /* new */
	cfg_server(&next, "192.0.2.7", noselect);
	cfg_server(&next, "192.0.2.6", prefer);
	cfg_server(&next, "192.0.2.5", iburst);
	cfg_server(&next, "192.0.2.2", (struct lt_cfg_poll){.minpoll = 4, .maxpoll = 8});
	cfg_server(&next, "192.0.2.1", POLL4);
	sources_reconfigure(s, &old, &next, 50, &c);
	assert_changes(&c, 1, 2, 4, 0);
	ck_assert_uint_eq(n_used(s), 6);

	/* Unchanged: the same slot, its counters and reach. */
	ck_assert_int_eq(slot_named(s, "192.0.2.1"), i1);
	struct source_info si = info(s, (unsigned int)i1);
	ck_assert_uint_eq(si.ctr.sent, 1);
	ck_assert_uint_eq(si.ctr.replies, 1);
	ck_assert_uint_eq(srcfilter_reach(si.filter) & 1, 1);
	ck_assert(si.have_last);
	/* Changed: the new options, and its samples start over. */
	int k = slot_named(s, "192.0.2.2");
	ck_assert_int_ge(k, 0);
	si = info(s, (unsigned int)k);
	ck_assert_int_eq(si.poll_cfg.maxpoll, 8);
	ck_assert_uint_eq(si.ctr.sent, 0);
	ck_assert_uint_eq(si.ctr.replies, 0);
	ck_assert_uint_eq(srcfilter_reach(si.filter), 0);
	ck_assert(!si.have_last);
	ck_assert_int_eq(si.state, SOURCE_ACTIVE);
	ck_assert(info(s, (unsigned int)slot_named(s, "192.0.2.5")).poll_cfg.iburst);
	ck_assert(info(s, (unsigned int)slot_named(s, "192.0.2.6")).poll_cfg.prefer);
	ck_assert(info(s, (unsigned int)slot_named(s, "192.0.2.7")).poll_cfg.noselect);
	/* Removed: by name, whether resolved or not. */
	ck_assert_int_eq(slot_named(s, "ntp.example.org"), -1);
	ck_assert_int_eq(slot_named(s, "198.51.100.7"), -1);
	ck_assert_int_eq(slot_named(s, "192.0.2.8"), -1);
	/* Added: active and polled from the reload on. */
	k = slot_named(s, "192.0.2.9");
	ck_assert_int_ge(k, 0);
	ck_assert_int_eq(info(s, (unsigned int)k).state, SOURCE_ACTIVE);
	uint8_t a9[16];
	a4(a9, 192, 0, 2, 9);
	unsigned int from = w.n_sent;
	ck_assert_double_eq(sources_next_due(s, 50), 0);
	sources_poll(s, 50);
	ck_assert_uint_eq(sent_to(&w, from, 4, a9), 1);
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_leaves_run_time_sources)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, old, next;
	struct sources_changes c;

	memset(&empty, 0, sizeof(empty));
	memset(&old, 0, sizeof(old));
	cfg_server(&old, "192.0.2.1", POLL4);
	sources_reconfigure(s, &empty, &old, 0, &c);
	/* An operator's "add server" of three more. */
	int r1 = sources_add_server(s, "192.0.2.50", &POLL0, 0);
	int r2 = sources_add_server(s, "192.0.2.60", &POLL0, 0);
	int r3 = sources_add_server(s, "2001:db8::60", &POLL0, 0);
	ck_assert_int_ge(r1, 0);
	ck_assert_int_ge(r2, 0);
	ck_assert_int_ge(r3, 0);
	exchange(s, &w, r2, 0);

	/* The new config names two of them (one spelt differently) and
	 * drops its own server: adding those is -EEXIST, not a failure, and
	 * they keep the operator's options and their state. */
	memset(&next, 0, sizeof(next));
	cfg_server(&next, "192.0.2.60", POLL4);
	cfg_server(&next, "2001:db8:0::60", POLL4);
	sources_reconfigure(s, &old, &next, 10, &c);
	assert_changes(&c, 0, 1, 0, 0);
	ck_assert_int_eq(slot_named(s, "192.0.2.1"), -1);
	ck_assert_int_eq(slot_named(s, "192.0.2.50"), r1);
	ck_assert_int_eq(slot_named(s, "192.0.2.60"), r2);
	ck_assert_int_eq(slot_named(s, "2001:db8::60"), r3);
	struct source_info si = info(s, (unsigned int)r2);
	ck_assert_int_eq(si.poll_cfg.maxpoll, 0);
	ck_assert_uint_eq(si.ctr.replies, 1);
	ck_assert_uint_eq(n_used(s), 3);
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_pools)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, old, next;
	struct sources_changes c;
	const char *name;
	int pool, fam[3];
	uint8_t addr[3][16], addr2[3][16];

	memset(&empty, 0, sizeof(empty));
	memset(&old, 0, sizeof(old));
	cfg_pool(&old, "a.pool.example", POLL4, 2);  /* maxsources changes */
	cfg_pool(&old, "b.pool.example", POLL4, 1);  /* kept */
	cfg_pool(&old, "c.pool.example", POLL4, 1);  /* removed */
	cfg_pool(&old, "d.pool.example", POLL4, 1);  /* poll changes */
	sources_reconfigure(s, &empty, &old, 0, &c);
	assert_changes(&c, 4, 0, 0, 0);
	/* Each resolves (pools are asked for in order). */
	pool_addrs(fam, addr);
	for (int p = 0; p < 4; p++) {
		ck_assert_int_eq(sources_want_resolve(s, 0, &name, &pool), 0);
		ck_assert_int_eq(pool, p);
		for (int k = 0; k < 3; k++)
			a4(addr2[k], 203, 0, (uint8_t)(114 + p), (uint8_t)(10 + k));
		sources_resolved(s, 0, pool, fam, (const uint8_t(*)[16])(p ? addr2 : addr), 3, 0);
	}
	ck_assert_uint_eq(n_members(s, "a.pool.example"), 2);
	ck_assert_uint_eq(n_members(s, "b.pool.example"), 1);
	ck_assert_uint_eq(n_members(s, "c.pool.example"), 1);
	ck_assert_uint_eq(n_members(s, "d.pool.example"), 1);
	int bm = slot_named(s, "203.0.115.10");
	ck_assert_int_ge(bm, 0);
	exchange(s, &w, bm, 0);

	memset(&next, 0, sizeof(next));
	cfg_pool(&next, "b.pool.example", POLL4, 1);
	cfg_pool(&next, "a.pool.example", POLL4, 3);
	cfg_pool(&next, "d.pool.example", POLL0, 1);
	cfg_pool(&next, "e.pool.example", POLL4, 2);
	sources_reconfigure(s, &old, &next, 10, &c);
	assert_changes(&c, 1, 1, 2, 0);
	/* Kept: its member and that member's state. */
	ck_assert_uint_eq(n_members(s, "b.pool.example"), 1);
	ck_assert_int_eq(slot_named(s, "203.0.115.10"), bm);
	ck_assert_uint_eq(info(s, (unsigned int)bm).ctr.replies, 1);
	/* Removed and changed: their members are gone... */
	ck_assert_uint_eq(n_members(s, "c.pool.example"), 0);
	ck_assert_uint_eq(n_members(s, "a.pool.example"), 0);
	ck_assert_uint_eq(n_members(s, "d.pool.example"), 0);
	ck_assert_uint_eq(n_used(s), 1);
	/* ...and the changed and new ones resolve again, with the new settings. */
	int want_a = 0, want_d = 0, want_e = 0, asked = 0;
	while (sources_want_resolve(s, 10, &name, &pool) >= 0) {
		ck_assert_int_ge(pool, 0);
		ck_assert_int_lt(++asked, 10);
		want_a |= strcmp(name, "a.pool.example") == 0;
		want_d |= strcmp(name, "d.pool.example") == 0;
		want_e |= strcmp(name, "e.pool.example") == 0;
		ck_assert_str_ne(name, "c.pool.example");
		ck_assert_str_ne(name, "b.pool.example");
		if (strcmp(name, "a.pool.example") == 0)
			sources_resolved(s, 0, pool, fam, (const uint8_t(*)[16])addr, 3, 10);
		else
			sources_resolved(s, 0, pool, NULL, NULL, 0, 10);
	}
	ck_assert(want_a && want_d && want_e);
	ck_assert_uint_eq(n_members(s, "a.pool.example"), 3); /* maxsources 3 now */
	sources_free(s);
}
END_TEST

START_TEST(reconfigure_counts_failures)
{
	struct world w;
	struct sources *s = new_set(&w);
	struct lt_cfg_sync empty, next;
	struct sources_changes c;
	char name[32];

	memset(&empty, 0, sizeof(empty));
	/* Every slot taken by run-time sources: a configured one has no room. */
	for (int i = 0; i < SOURCES_MAX; i++) {
		snprintf(name, sizeof(name), "198.51.100.%d", i + 1);
		ck_assert_int_ge(sources_add_server(s, name, &POLL4, 0), 0);
	}
	memset(&next, 0, sizeof(next));
	cfg_server(&next, "192.0.2.1", POLL4);
	cfg_server(&next, "198.51.100.1", POLL4); /* already there: not a failure */
	sources_reconfigure(s, &empty, &next, 0, &c);
	assert_changes(&c, 0, 0, 0, 1);
	ck_assert_int_eq(slot_named(s, "192.0.2.1"), -1);
	ck_assert_uint_eq(n_used(s), SOURCES_MAX);
	sources_free(s);
}
END_TEST

Suite *sources_suite(void)
{
	Suite *s = suite_create("sources");
	TCase *m = tcase_create("membership");
	TCase *p = tcase_create("polls");
	TCase *x = tcase_create("exchanges");
	TCase *k = tcase_create("kod");
	TCase *pl = tcase_create("pools");
	TCase *c = tcase_create("corrections");

	tcase_add_test(m, add_literals_and_names);
	tcase_add_test(m, resolve_failure_backs_off);
	tcase_add_test(m, add_duplicates_and_capacity);
	tcase_add_test(m, delete_by_name_and_address);
	suite_add_tcase(s, m);

	tcase_add_test(p, poll_schedule_and_request);
	tcase_add_test(p, nonce_never_zero);
	tcase_add_test(p, iburst_four_quick_polls);
	suite_add_tcase(s, p);

	tcase_add_test(x, sample_offset_and_delay);
	tcase_add_test(x, tx_stamp_pairs_by_cookie);
	tcase_add_test(x, wrong_origin_then_real_then_duplicate);
	tcase_add_test(x, reply_without_tx_stamp_counts_reach);
	tcase_add_test(x, reply_before_t1_is_late);
	suite_add_tcase(s, x);

	tcase_add_test(k, kod_rate_raises_interval);
	tcase_add_test(k, kod_deny_stops_polling);
	tcase_add_test(k, kod_other_is_ignored);
	tcase_add_test(k, unsync_marks_estimate);
	suite_add_tcase(s, k);

	tcase_add_test(pl, pool_resolves_to_maxsources);
	tcase_add_test(pl, pool_member_unanswered_is_dropped);
	tcase_add_test(pl, pool_member_unanswered_is_dropped_eventually);
	tcase_add_test(pl, pool_member_kod_deny_is_replaced);
	suite_add_tcase(s, pl);

	tcase_add_test(c, adjust_shifts_t1_and_abandons_unstamped);
	tcase_add_test(c, burst_sends_total_quick_polls);
	tcase_add_test(c, burst_all_uses_two_second_intervals);
	suite_add_tcase(s, c);

	TCase *r = tcase_create("reconfigure");
	tcase_add_test(r, reconfigure_from_nothing_adds_all);
	tcase_add_test(r, keyed_source_signs_and_checks);
	tcase_add_test(r, unkeyed_source_ignores_macs);
	tcase_add_test(r, missing_key_sends_nothing);
	tcase_add_test(r, set_keys_follows_config);
	tcase_add_test(r, reconfigure_identical_keeps_everything);
	tcase_add_test(r, reconfigure_add_remove_change);
	tcase_add_test(r, reconfigure_leaves_run_time_sources);
	tcase_add_test(r, reconfigure_pools);
	tcase_add_test(r, reconfigure_counts_failures);
	suite_add_tcase(s, r);
	return s;
}
