/*
 * fuzz_ntpclient: replies from upstream NTP servers, checked by
 * ntpclient_check() and then taken the whole way in: sync_reply() (the
 * entry point linetimed's punt handler calls) passes them to the sources,
 * their filters, selection, the discipline loop and the clock model.
 * (control/punt.c itself only drains the DPDK ring and hands each message
 * to sync_reply(); it parses nothing.)
 *
 * The input is read twice:
 * 1. As one reply for ntpclient_check(), against the nonce it echoes (so
 *    the checks past the origin test are reached) and against nonce 0:
 *    verdicts as ntpclient.h documents them, and an OK reply that really
 *    is a mode 4 answer from a synchronised server with sane times.
 * 2. As a script for a small world: sync with three upstreams (two IPv4,
 *    one IPv6) whose requests the harness records; steps let time pass
 *    and tick, report transmit times, deliver replies (raw bytes from the
 *    input, with the right origin patched in or not, a stated length up to
 *    65535 for a message of 1024 payload bytes, from a source or a
 *    stranger) and well-formed replies whose offset and delay the input
 *    chooses, so the loop gets steered, stepped and confused.
 *    UBSan watches the floating-point conversions on the way; at the end
 *    the status and the snapshot to publish must be sane.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "ntp_mac.h"
#include "ntp_packet.h"
#include "ntpclient.h"
#include "shm.h"
#include "sync.h"

#define EPOCH ((ntp_ts_t)(1710028800ULL + NTP_UNIX_OFFSET) << 32)
#define HZ 2.0e9
#define C0 1000000000000ULL
#define STEPS_MAX 96
#define REQ_MAX 64

static const char *const servers[] = { "192.0.2.1", "192.0.2.2", "2001:db8::3" };
#define N_SRV 3

/* --- part 1: one reply --------------------------------------------------- */

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A keyed source: a reply gets past the MAC only if it carries one under
 * our key that verifies, checked here independently of ntpclient. */
static void check_keyed(const uint8_t *pkt, size_t len, uint64_t nonce)
{
	static const uint8_t secret[16] = "fuzz-aes128-key!";
	static struct ntp_mac_key key;
	struct ntpclient_reply r;
	enum ntpclient_verdict v;
	unsigned int mac;

	if (!key.digest_len)
		FUZZ_CHECK(ntp_mac_key_init(&key, 7, NTP_MAC_AES128, secret, 16) == 0, "key");
	v = ntpclient_check_auth(pkt, len, nonce, &key, &r);
	FUZZ_CHECK(v < NTPCLIENT_VERDICTS, "verdict %d", v);
	if ((v >= NTPCLIENT_SHORT && v <= NTPCLIENT_BOGUS) || v == NTPCLIENT_AUTH_MISSING ||
	    v == NTPCLIENT_AUTH_KEYID || v == NTPCLIENT_AUTH_FAIL || v == NTPCLIENT_CRYPTO_NAK)
		return;
	mac = ntp_mac_find(pkt, len);
	FUZZ_CHECK(mac && len - mac == 20 && pkt[mac] == 0 && pkt[mac + 1] == 0 && pkt[mac + 2] == 0 &&
			   pkt[mac + 3] == 7 && ntp_mac_check(&key, pkt, mac, pkt + mac + 4),
		   "%s for a reply whose MAC does not verify", ntpclient_verdict_name(v));
}

static void check_one(const uint8_t *pkt, size_t len, uint64_t nonce)
{
	struct ntpclient_reply r;
	enum ntpclient_verdict v = ntpclient_check(pkt, len, nonce, &r);

	check_keyed(pkt, len, nonce);

	FUZZ_CHECK(v < NTPCLIENT_VERDICTS && strcmp(ntpclient_verdict_name(v), "?") != 0,
		   "verdict %d", v);
	if (len < NTP_HEADER_LEN) {
		FUZZ_CHECK(v == NTPCLIENT_SHORT, "%zu bytes: %s", len, ntpclient_verdict_name(v));
		return;
	}
	if (nonce == 0)
		FUZZ_CHECK(v == NTPCLIENT_NOT_REPLY || v == NTPCLIENT_BOGUS,
			   "no request outstanding, yet %s", ntpclient_verdict_name(v));
	if (v <= NTPCLIENT_BOGUS)
		return;
	FUZZ_CHECK((pkt[0] & 7) == NTP_MODE_SERVER && get64(pkt + 24) == nonce,
		   "%s for mode %u", ntpclient_verdict_name(v), pkt[0] & 7);
	FUZZ_CHECK(r.version >= 1 && r.version <= 4 && r.stratum == pkt[1] && r.rx == get64(pkt + 32) &&
		   r.tx == get64(pkt + 40), "reply fields");
	FUZZ_CHECK(r.root_delay >= 0 && r.root_dispersion >= 0 && r.root_delay < 65536 &&
		   r.root_dispersion < 65536, "root delay %g dispersion %g", r.root_delay,
		   r.root_dispersion);
	switch (v) {
	case NTPCLIENT_KOD_RATE:
	case NTPCLIENT_KOD_DENY:
	case NTPCLIENT_KOD_OTHER:
		FUZZ_CHECK(pkt[1] == 0 && strlen(r.kiss) == 4, "KoD at stratum %u", pkt[1]);
		break;
	case NTPCLIENT_OK:
		FUZZ_CHECK(r.stratum >= 1 && r.stratum < NTP_STRATUM_UNSYNC && r.leap != NTP_LEAP_UNSYNC,
			   "OK from stratum %u leap %u", r.stratum, r.leap);
		FUZZ_CHECK(r.rx && r.tx && ntp_ts_diff(r.tx, r.rx) >= 0 && !r.kiss[0],
			   "OK with bad times");
		break;
	default:
		FUZZ_CHECK(!r.kiss[0], "kiss code \"%s\" with %s", r.kiss, ntpclient_verdict_name(v));
		break;
	}
}

/* --- part 2: the world ----------------------------------------------------- */

struct req {
	int family;
	uint8_t addr[16];
	uint8_t payload[NTP_HEADER_LEN];
	uint64_t cookie;
	uint64_t c_sent;
};

struct world {
	struct sync *s;
	uint64_t c;
	uint64_t rnd;
	struct req q[REQ_MAX];
	unsigned int nq, next;  /* requests recorded; the next one to answer */
};

static struct lt_config cfg;

static double mono_at(uint64_t c)
{
	return (double)(c - C0) / HZ;
}

static int world_send(void *arg, int family, const uint8_t addr[16], const uint8_t *payload,
		      unsigned int len, uint64_t cookie)
{
	struct world *w = arg;
	struct req *r;

	FUZZ_CHECK(len == NTP_HEADER_LEN && (family == 4 || family == 6), "request %u bytes", len);
	if (w->nq == REQ_MAX)
		return -1;
	r = &w->q[w->nq++];
	r->family = family;
	memcpy(r->addr, addr, 16);
	memcpy(r->payload, payload, NTP_HEADER_LEN);
	r->cookie = cookie;
	r->c_sent = w->c;
	return 0;
}

static uint64_t world_random(void *arg)
{
	struct world *w = arg;

	w->rnd = w->rnd * 6364136223846793005ULL + 1442695040888963407ULL;
	return w->rnd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	config_defaults(&cfg);
	for (unsigned int i = 0; i < N_SRV; i++) {
		snprintf(cfg.sync.servers[i].address, sizeof(cfg.sync.servers[i].address), "%s",
			 servers[i]);
		cfg.sync.servers[i].poll = (struct lt_cfg_poll){ .minpoll = 0, .maxpoll = 2, .iburst = 1 };
	}
	cfg.sync.n_servers = N_SRV;
	cfg.sync.makestep_threshold = 0.1;
	cfg.sync.makestep_limit = 3;
	return 0;
}

/* The punted datagram that carries a reply to request r. */
static void deliver(struct world *w, const struct req *r, const uint8_t *payload, unsigned int n,
		    uint16_t stated_len, int stranger)
{
	struct lt_msg *m = malloc(sizeof(*m)); /* exactly one message: ASan sees reads past it */

	if (!m)
		abort();
	memset(m, 0, sizeof(*m));
	m->type = LT_MSG_PUNT_UDP;
	m->family = (uint8_t)r->family;
	memcpy(m->src, r->addr, 16);
	if (stranger)
		m->src[15] ^= 0x40;
	m->dst[0] = 198;
	m->dst[1] = 18;
	m->dst[3] = 1;
	m->sport = NTP_PORT;
	m->dport = NTP_PORT;
	memcpy(m->payload, payload, n);
	m->len = stated_len;
	m->ts = sync_served(w->s, w->c);
	sync_reply(w->s, m, w->c, mono_at(w->c));
	free(m);
}

/* The oldest request still in flight: one a later request to the same
 * server has replaced is skipped (its reply would only be bogus). */
static struct req *pending(struct world *w)
{
	for (; w->next < w->nq; w->next++) {
		unsigned int k;

		for (k = w->next + 1; k < w->nq; k++)
			if (w->q[k].family == w->q[w->next].family &&
			    memcmp(w->q[k].addr, w->q[w->next].addr, 16) == 0)
				break;
		if (k == w->nq)
			return &w->q[w->next];
	}
	return NULL;
}

static void check_world(struct world *w)
{
	struct sync_status st;
	struct lt_clock_snapshot snap;

	sync_status(w->s, w->c, &st);
	FUZZ_CHECK(st.mode == SYNC_LOCAL || st.mode == SYNC_UPSTREAM || st.mode == SYNC_HOLDOVER,
		   "mode %d", st.mode);
	FUZZ_CHECK(st.stratum >= 1 && st.stratum <= NTP_STRATUM_UNSYNC, "stratum %d", st.stratum);
	FUZZ_CHECK(strnlen(st.reference, sizeof(st.reference)) < sizeof(st.reference),
		   "reference not terminated");
	FUZZ_CHECK(!isnan(st.root_delay) && !isnan(st.root_dispersion) && st.root_delay >= 0 &&
		   st.root_dispersion >= 0, "root delay %g dispersion %g", st.root_delay,
		   st.root_dispersion);
	if (fuzz_verbose())
		fprintf(stderr, "mode %s stratum %d updates %lu steps %lu offset %g, %u requests\n",
			sync_mode_name(st.mode), st.stratum, st.updates, st.steps, st.last_offset, w->nq);
	sync_snapshot(w->s, w->c, &snap);
	FUZZ_CHECK(snap.tsc.valid == 1, "snapshot without a TSC map");
	FUZZ_CHECK(snap.p.stratum >= 1 && snap.p.stratum <= NTP_STRATUM_UNSYNC && snap.p.leap <= 3,
		   "snapshot stratum %u leap %u", snap.p.stratum, snap.p.leap);
}

static void world(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct sync_env env = { .hz = HZ, .precision = 1e-8, .send = world_send,
				.random = world_random };
	struct world w;

	memset(&w, 0, sizeof(w));
	w.rnd = 42;
	w.c = C0 + (uint64_t)(HZ * 1000);
	env.arg = &w;
	w.s = sync_new(&cfg, &env, w.c, EPOCH + ((ntp_ts_t)1000 << 32), mono_at(w.c), NULL);
	FUZZ_CHECK(w.s, "sync_new");
	sync_tick(w.s, w.c, mono_at(w.c));

	for (unsigned int step = 0; step < STEPS_MAX && in.n; step++) {
		uint8_t op = fuzz_u8(&in), a = fuzz_u8(&in);
		struct req *r = pending(&w);
		uint8_t pkt[NTP_HEADER_LEN];
		struct ntp_header h;
		const uint8_t *raw;
		size_t n;

		switch (op & 3) {
		case 0: /* time passes: 10 ms steps up to 40 min */
			w.c += (uint64_t)(a + 1) * (uint64_t)(HZ / 100) * (op & 4 ? 1000 : 1);
			sync_tick(w.s, w.c, mono_at(w.c));
			break;
		case 1: /* the dataplane reports when request `next` left */
			if (r)
				sync_tx_stamp(w.s, r->cookie, sync_served(w.s, r->c_sent + (op & 4 ? a : 0)));
			break;
		case 2: /* raw bytes as the reply */
			if (!r)
				break;
			raw = fuzz_bytes(&in, a % 96, &n);
			memset(pkt, 0, sizeof(pkt));
			memcpy(pkt, raw, n < sizeof(pkt) ? n : sizeof(pkt));
			if (op & 4) /* the origin it must echo */
				memcpy(pkt + 24, r->payload + 40, 8);
			w.c += (uint64_t)a * 100000;
			deliver(&w, r, pkt, sizeof(pkt), op & 8 ? fuzz_u16(&in) : (uint16_t)n, op & 16);
			w.next += !!(op & 32);
			break;
		case 3: /* a well-formed reply: offset, delay and fields from the input */
			if (!r)
				break;
			ntp_packet_decode(r->payload, NTP_HEADER_LEN, &h);
			{
				double offset = (double)(int8_t)a * (op & 4 ? 1e-3 : 1.0);
				double delay = (double)fuzz_u8(&in) * 1e-4;
				ntp_ts_t t1 = sync_served(w.s, r->c_sent);
				struct ntp_header rep = {
					.leap = (op >> 4) & 3 ? 0 : fuzz_u8(&in) & 3, .version = 4,
					.mode = NTP_MODE_SERVER, .stratum = (uint8_t)(1 + ((op >> 6) & 3)),
					.poll = h.poll, .precision = -20,
					.root_delay = fuzz_u16(&in), .root_dispersion = fuzz_u16(&in),
					.refid = 0x47505300U, .org = h.tx,
				};
				rep.rx = t1 + (ntp_ts_t)ntp_interval_from_double(offset + delay / 2);
				rep.tx = rep.rx + (ntp_ts_t)fuzz_u16(&in);
				rep.ref = rep.rx - ((ntp_ts_t)16 << 32);
				ntp_packet_encode(&rep, pkt, sizeof(pkt));
				/* Time only moves forward: a late reply has a longer delay. */
				if (w.c < r->c_sent + (uint64_t)(delay * HZ) + 1)
					w.c = r->c_sent + (uint64_t)(delay * HZ) + 1;
				deliver(&w, r, pkt, sizeof(pkt), NTP_HEADER_LEN, 0);
				w.next++;
			}
			break;
		}
		if (w.next > w.nq)
			w.next = w.nq;
	}
	check_world(&w);
	sync_free(w.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size, size >= 32 ? get64(data + 24) : 1);
	check_one(data, size, 0);
	world(data, size);
	return 0;
}
