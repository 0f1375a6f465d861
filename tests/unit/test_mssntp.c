/* Check suite for control/mssntp.c: a punted MS-SNTP request becomes the
 * right 48-byte reply, goes to a fake ntp_signd over a real Unix socket, and
 * the signed answer goes back to the client's MAC, byte for byte. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "mssntp.h"
#include "ntp_packet.h"
#include "suites.h"

#define RX_TS 0xe9a1b2c3d4e5f601ULL

static const uint8_t OUR4[4] = { 198, 18, 0, 1 };
static const uint8_t CLI4[4] = { 198, 18, 0, 2 };
static const uint8_t CLI_MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t KEY[4] = { 0x4f, 0x04, 0x00, 0x80 }; /* RID 1103, "previous password" bit */

/* A punted Windows request: NTPv3 client, key id, zero MAC. */
static void punted(struct lt_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = LT_MSG_PUNT_UDP;
	m->port = 1;
	m->family = 4;
	memcpy(m->src, CLI4, 4);
	memcpy(m->dst, OUR4, 4);
	m->sport = 50123;
	m->dport = 123;
	memcpy(m->mac, CLI_MAC, 6);
	m->ts = RX_TS;
	m->len = 68;
	m->payload[0] = 0x1b; /* leap 0, version 3, mode 3 */
	m->payload[2] = 10;   /* poll */
	for (int i = 0; i < 8; i++)
		m->payload[40 + i] = (uint8_t)(0xa0 + i); /* client transmit */
	memcpy(m->payload + 48, KEY, 4);
}

/* A clock at stratum 3 whose map gives NTP time = counter (mult 1.0). */
static void clock_at(struct lt_clock_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->p.stratum = 3;
	s->p.leap = NTP_LEAP_NONE;
	s->p.precision = -24;
	s->p.root_delay = 0x00000123;
	s->p.root_dispersion = 0x00000456;
	s->p.refid = 0xc6120005;
	s->p.ref_time = 0xe9a1b2c300000000ULL;
	s->p.holdover_deadline_tsc = UINT64_MAX;
	s->tsc.valid = 1;
	s->tsc.base_counter = 0;
	s->tsc.base_ntp = 0xe9a1b2c3d4e5f000ULL;
	s->tsc.mult = 1ULL << 32;
}

START_TEST(test_is_request)
{
	struct lt_msg m;

	punted(&m);
	ck_assert(mssntp_is_request(&m));
	punted(&m);
	m.payload[0] = 0x23; /* version 4 */
	ck_assert(!mssntp_is_request(&m));
	punted(&m);
	memset(m.payload + 48, 0, 4); /* no key id */
	ck_assert(!mssntp_is_request(&m));
	punted(&m);
	m.payload[60] = 1; /* MAC present */
	ck_assert(!mssntp_is_request(&m));
	punted(&m);
	m.len = 48;
	ck_assert(!mssntp_is_request(&m));
	punted(&m);
	m.dport = 124;
	ck_assert(!mssntp_is_request(&m));
	punted(&m);
	m.type = LT_MSG_TX_STAMP;
	ck_assert(!mssntp_is_request(&m));
}
END_TEST

START_TEST(test_build_reply)
{
	struct lt_clock_snapshot s;
	struct signd_route r;
	struct lt_msg m;
	struct ntp_header h;
	uint8_t reply[48], key[4];

	punted(&m);
	clock_at(&s);
	mssntp_build_reply(&s, 0x100, &m, reply, key, &r);
	ck_assert_int_eq(ntp_packet_decode(reply, 48, &h), 0);
	ck_assert_uint_eq(h.mode, NTP_MODE_SERVER);
	ck_assert_uint_eq(h.version, 3);
	ck_assert_uint_eq(h.leap, NTP_LEAP_NONE);
	ck_assert_uint_eq(h.stratum, 3);
	ck_assert_int_eq(h.poll, 10);
	ck_assert_int_eq(h.precision, -24);
	ck_assert_uint_eq(h.root_delay, 0x123);
	ck_assert_uint_eq(h.root_dispersion, 0x456);
	ck_assert_uint_eq(h.refid, 0xc6120005);
	ck_assert_uint_eq(h.ref, 0xe9a1b2c300000000ULL);
	ck_assert_mem_eq(reply + 24, m.payload + 40, 8); /* origin = client's transmit */
	ck_assert_uint_eq(h.rx, RX_TS);
	ck_assert_uint_eq(h.tx, 0xe9a1b2c3d4e5f100ULL); /* the clock at TSC 0x100 */
	ck_assert_mem_eq(key, KEY, 4);
	/* the route turns the request around */
	ck_assert_uint_eq(r.port, 1);
	ck_assert_uint_eq(r.family, 4);
	ck_assert_mem_eq(r.src, OUR4, 4);
	ck_assert_mem_eq(r.dst, CLI4, 4);
	ck_assert_uint_eq(r.sport, 123);
	ck_assert_uint_eq(r.dport, 50123);
	ck_assert_mem_eq(r.mac, CLI_MAC, 6);

	/* past the holdover deadline the signed reply says unsynchronised too */
	s.p.holdover_deadline_tsc = 0x50;
	mssntp_build_reply(&s, 0x100, &m, reply, key, &r);
	ck_assert_uint_eq(reply[0] >> 6, NTP_LEAP_UNSYNC);
	ck_assert_uint_eq(reply[1], NTP_STRATUM_UNSYNC);
}
END_TEST

START_TEST(test_inject_msg)
{
	struct lt_clock_snapshot s;
	struct signd_route r;
	struct lt_msg m, out;
	uint8_t reply[48], key[4], signed68[68];

	punted(&m);
	clock_at(&s);
	mssntp_build_reply(&s, 0, &m, reply, key, &r);
	for (int i = 0; i < 68; i++)
		signed68[i] = (uint8_t)(i * 7 + 1);
	memset(&out, 0x5a, sizeof(out));
	mssntp_inject_msg(&r, signed68, &out);
	ck_assert_uint_eq(out.type, LT_MSG_INJECT_UDP);
	ck_assert_uint_eq(out.flags, LT_MSG_F_DIRECT);
	ck_assert_uint_eq(out.port, 1);
	ck_assert_uint_eq(out.family, 4);
	ck_assert_mem_eq(out.src, OUR4, 4);
	ck_assert_mem_eq(out.dst, CLI4, 4);
	ck_assert_uint_eq(out.sport, 123);
	ck_assert_uint_eq(out.dport, 50123);
	ck_assert_mem_eq(out.mac, CLI_MAC, 6);
	ck_assert_uint_eq(out.len, 68);
	ck_assert_mem_eq(out.payload, signed68, 68);
	ck_assert_uint_eq(out.payload[68], 0);
	ck_assert_uint_eq(out.cookie, 0);
}
END_TEST

/* --- end to end against a fake ntp_signd ----------------------------- */

struct sink {
	int n;
	int fail;
	struct lt_msg last;
};

static int sink_send(void *arg, const struct lt_msg *m)
{
	struct sink *k = arg;

	if (k->fail)
		return -ENOBUFS;
	k->n++;
	k->last = *m;
	return 0;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int read_full(int fd, uint8_t *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 2000) != 1)
			return -1;
		ssize_t r = read(fd, b + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Everything submitted has been written to the peer. */
static int out_flushed(const struct mssntp *s)
{
	struct pollfd p;

	return mssntp_pollfd(s, &p) && !(p.events & POLLOUT);
}

/* Drive the service until cond holds or 2 s of real time pass. */
#define DRIVE(s, t, cond)                                                                          \
	do {                                                                                       \
		for (int i_ = 0; i_ < 400 && !(cond); i_++) {                                      \
			struct pollfd p_;                                                          \
			int h_ = mssntp_pollfd(s, &p_);                                            \
			int r_ = h_ ? poll(&p_, 1, 5) : 0;                                         \
			*(t) += 1000000;                                                           \
			mssntp_poll(s, r_ > 0 ? p_.revents : 0, *(t));                             \
		}                                                                                  \
	} while (0)

START_TEST(test_signed_end_to_end)
{
	char dir[] = "/tmp/lt-mssntp-XXXXXX", path[64];
	struct lt_config cfg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct lt_clock_snapshot snap;
	struct sink k = { 0 };
	struct signd_stats st;
	struct mssntp_counters c;
	struct lt_msg m;
	uint64_t t = 1000000000ULL;
	uint8_t req[68], resp[4 + 12 + 68];
	int lfd, pfd = -1;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/socket", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);

	config_defaults(&cfg);
	snprintf(cfg.ntpsigndsocket, sizeof(cfg.ntpsigndsocket), "%s", dir);
	struct mssntp *s = mssntp_new(&cfg, sink_send, &k);
	ck_assert_ptr_nonnull(s);
	ck_assert(mssntp_enabled(s));
	mssntp_stats(s, &st, &c);
	DRIVE(s, &t, (mssntp_stats(s, &st, NULL), st.state == SIGND_STATE_CONNECTED));
	ck_assert_str_eq(signd_state_name(st.state), "connected");
	pfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(pfd, 0);

	/* one request: the peer sees our 48-byte reply and the key id */
	clock_at(&snap);
	punted(&m);
	mssntp_request(s, &m, &snap, 0x200, t);
	DRIVE(s, &t, (mssntp_stats(s, &st, NULL), st.in_flight == 1 && st.queue_depth == 1 &&
						   out_flushed(s)));
	ck_assert_int_eq(read_full(pfd, req, sizeof(req)), 0);
	ck_assert_uint_eq(req[3], 64);               /* length */
	ck_assert_uint_eq(req[7], 0);                /* version */
	ck_assert_uint_eq(req[11], 0);               /* SIGN_TO_CLIENT */
	ck_assert_mem_eq(req + 16, KEY, 4);
	ck_assert_uint_eq(req[20] & 7, NTP_MODE_SERVER);
	ck_assert_mem_eq(req + 20 + 24, m.payload + 40, 8);

	/* Samba signs: the 68 bytes go back to the client untouched */
	put32be(resp, 12 + 68);
	put32be(resp + 4, 0);
	put32be(resp + 8, 3);
	put32be(resp + 12, (uint32_t)(req[12] << 8 | req[13]));
	memcpy(resp + 16, req + 20, 48);
	memcpy(resp + 64, KEY, 4);
	for (int i = 0; i < 16; i++)
		resp[68 + i] = (uint8_t)(0xc0 + i);
	ck_assert_int_eq(write(pfd, resp, sizeof(resp)), (ssize_t)sizeof(resp));
	DRIVE(s, &t, k.n == 1);
	ck_assert_int_eq(k.n, 1);
	ck_assert_uint_eq(k.last.flags, LT_MSG_F_DIRECT);
	ck_assert_mem_eq(k.last.mac, CLI_MAC, 6);
	ck_assert_mem_eq(k.last.dst, CLI4, 4);
	ck_assert_uint_eq(k.last.dport, 50123);
	ck_assert_uint_eq(k.last.len, 68);
	ck_assert_mem_eq(k.last.payload, resp + 16, 68);

	/* the inject ring full: signed, counted, not sent */
	k.fail = 1;
	mssntp_request(s, &m, &snap, 0x300, t);
	DRIVE(s, &t, (mssntp_stats(s, &st, NULL), st.in_flight == 1 && out_flushed(s)));
	ck_assert_int_eq(read_full(pfd, req, sizeof(req)), 0);
	put32be(resp + 12, (uint32_t)(req[12] << 8 | req[13]));
	memcpy(resp + 16, req + 20, 48);
	ck_assert_int_eq(write(pfd, resp, sizeof(resp)), (ssize_t)sizeof(resp));
	DRIVE(s, &t, (mssntp_stats(s, &st, &c), c.inject_full == 1));

	/* a datagram that is not MS-SNTP is counted, never signed */
	m.payload[0] = 0x23;
	mssntp_request(s, &m, &snap, 0x400, t);

	mssntp_stats(s, &st, &c);
	ck_assert_uint_eq(c.requests, 3);
	ck_assert_uint_eq(c.malformed, 1);
	ck_assert_uint_eq(c.sent, 1);
	ck_assert_uint_eq(c.inject_full, 1);
	ck_assert_uint_eq(st.signed_ok, 2);
	ck_assert_uint_eq(st.submitted, 2);

	/* the report carries the state and the counts */
	struct json_object *j = json_object_new_object(), *v;
	mssntp_report(s, t, j);
	ck_assert(json_object_object_get_ex(j, "state", &v));
	ck_assert_str_eq(json_object_get_string(v), "connected");
	ck_assert(json_object_object_get_ex(j, "signed", &v));
	ck_assert_int_eq(json_object_get_int(v), 2);
	ck_assert(json_object_object_get_ex(j, "socket", &v));
	ck_assert_str_eq(json_object_get_string(v), path);
	json_object_put(j);

	/* a reload that turns signing off keeps the totals */
	cfg.ntpsigndsocket[0] = '\0';
	ck_assert_int_eq(mssntp_configure(s, &cfg), 0);
	ck_assert(!mssntp_enabled(s));
	mssntp_stats(s, &st, NULL);
	ck_assert_uint_eq(st.signed_ok, 2);
	ck_assert_str_eq(signd_state_name(st.state), "disabled");

	mssntp_free(s);
	close(pfd);
	close(lfd);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *mssntp_suite(void)
{
	Suite *s = suite_create("mssntp");
	TCase *tc = tcase_create("reply");

	tcase_add_test(tc, test_is_request);
	tcase_add_test(tc, test_build_reply);
	tcase_add_test(tc, test_inject_msg);
	suite_add_tcase(s, tc);
	tc = tcase_create("signd");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_signed_end_to_end);
	suite_add_tcase(s, tc);
	return s;
}
