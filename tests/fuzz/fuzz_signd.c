/*
 * fuzz_signd: what Samba's ntp_signd sends back, through the codec
 * (proto/signd_frame.c) and through the whole signing path: mssntp.c takes
 * punted MS-SNTP requests, signd.c queues them on its Unix socket, and a
 * fake Samba in this harness answers as the input says.
 *
 * The input is read twice:
 * 1. As a reply stream for signd_frame_parse(), frame after frame: a frame
 *    lies inside the buffer, a success carries exactly its 68 bytes, and
 *    the verdict on every prefix of the first frame agrees with the verdict
 *    on the whole (more bytes never turn BAD into OK or change a frame).
 * 2. As a script of steps for the fake Samba (a listening socket in a
 *    scratch directory): submit a request, sign the oldest one correctly,
 *    refuse it, write raw bytes, write a signed frame with one byte
 *    changed or cut in two writes, hang up, let time pass. After every
 *    step mssntp_poll() runs with what poll() says.
 *
 * Checked along the way (signd.h, mssntp.h): every request signd writes
 * is a well-formed SIGN_TO_CLIENT frame; every signed reply handed to the
 * dataplane is the 68 bytes of a reply this harness saw submitted, key id
 * included, going back where its request came from; every job ends exactly
 * once (submitted = signed + failed by reason + still queued); every
 * request is either submitted or counted malformed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "config.h"
#include "fuzz.h"
#include "mssntp.h"
#include "ntp_packet.h"
#include "shm.h"
#include "signd.h"
#include "signd_frame.h"

#define STEPS_MAX 64
#define SEEN_MAX 256   /* requests the fake may read in one input */
#define SENT_MAX 128

static struct lt_config cfg;
static int lfd = -1;

/* The fake Samba's side of one input. */
struct fake {
	int cfd;                        /* the accepted connection, -1 if none */
	uint8_t in[SEEN_MAX * 68];      /* request bytes read on this connection */
	size_t in_len;
	unsigned int answered;          /* requests on this connection answered */
	/* Every request read on any connection: reply48 || key id. */
	uint8_t seen[SEEN_MAX][52];
	unsigned int n_seen;
	/* Where each submitted request came from, by its client port. */
	struct lt_msg sub[SEEN_MAX];
	unsigned int n_sub;
	unsigned int injected;
};

static struct fake fk;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[200];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/signd", fuzz_tmpdir());
	FUZZ_CHECK(mkdir(dir, 0700) == 0, "mkdir %s: %s", dir, strerror(errno));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/socket", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		   listen(lfd, 16) == 0, "fake Samba at %s: %s", sa.sun_path, strerror(errno));
	config_defaults(&cfg);
	snprintf(cfg.ntpsigndsocket, sizeof(cfg.ntpsigndsocket), "%s", dir);
	return 0;
}

/* --- part 1: the codec ------------------------------------------------------ */

static void check_frame(const uint8_t *buf, size_t len, enum signd_frame_verdict v,
			const struct signd_frame_reply *r)
{
	if (v != SIGND_FRAME_OK)
		return;
	FUZZ_CHECK(r->frame_len >= SIGND_FRAME_PREFIX_LEN + SIGND_FRAME_REPLY_HDR &&
		   r->frame_len <= len && r->frame_len <= SIGND_FRAME_REPLY_MAX,
		   "frame of %zu bytes in %zu", r->frame_len, len);
	FUZZ_CHECK(r->op == SIGND_OP_SIGNING_SUCCESS || r->op == SIGND_OP_SIGNING_FAILURE, "op %u",
		   r->op);
	if (r->op == SIGND_OP_SIGNING_SUCCESS)
		FUZZ_CHECK(r->payload == buf + 16 && r->payload_len == SIGND_FRAME_SIGNED_LEN &&
			   r->frame_len == 16 + SIGND_FRAME_SIGNED_LEN, "success payload");
	else
		FUZZ_CHECK(!r->payload && !r->payload_len, "failure with a payload");
	FUZZ_CHECK(r->packet_id == be32(buf + 12) && r->version == be32(buf + 4), "header fields");
}

static void codec(const uint8_t *data, size_t size)
{
	struct signd_frame_reply whole, part;
	enum signd_frame_verdict v, pv;
	size_t pos = 0, first_len;

	v = signd_frame_parse(data, size, &whole);
	check_frame(data, size, v, &whole);
	/* Every prefix of the first frame, and one byte past it. */
	first_len = v == SIGND_FRAME_OK ? whole.frame_len : size;
	for (size_t k = 0; k <= first_len && k <= size && k <= SIGND_FRAME_REPLY_MAX + 1; k++) {
		pv = signd_frame_parse(data, k, &part);
		check_frame(data, k, pv, &part);
		if (v == SIGND_FRAME_BAD)
			FUZZ_CHECK(pv != SIGND_FRAME_OK, "a prefix of %zu bytes is OK, the whole BAD", k);
		else if (v == SIGND_FRAME_OK && k < whole.frame_len)
			FUZZ_CHECK(pv == SIGND_FRAME_NEED_MORE, "prefix of %zu bytes: verdict %d", k, pv);
		else if (v == SIGND_FRAME_OK)
			FUZZ_CHECK(pv == SIGND_FRAME_OK && part.frame_len == whole.frame_len,
				   "frame changes with more bytes");
		else
			FUZZ_CHECK(pv == SIGND_FRAME_NEED_MORE, "a prefix is %d, the whole wants more",
				   pv);
	}
	/* The stream, frame after frame, as signd reads it. */
	while (pos < size) {
		v = signd_frame_parse(data + pos, size - pos, &part);
		check_frame(data + pos, size - pos, v, &part);
		if (v != SIGND_FRAME_OK)
			break;
		pos += part.frame_len;
	}
}

/* --- part 2: the fake Samba ------------------------------------------------- */

static void fake_read(void);

static int sink_send(void *arg, const struct lt_msg *m)
{
	struct fake *f = arg;
	const struct lt_msg *req = NULL;
	unsigned int i;

	/* A reply may come before the fake read its request (raw bytes can
	 * forge one): what signd wrote counts as submitted. */
	fake_read();
	FUZZ_CHECK(m->type == LT_MSG_INJECT_UDP && (m->flags & LT_MSG_F_DIRECT) &&
		   m->len == NTP_MSSNTP_LEN, "inject message type %u flags %#x len %u", m->type,
		   m->flags, m->len);
	for (i = 0; i < f->n_seen; i++)
		if (memcmp(f->seen[i], m->payload, 52) == 0)
			break;
	FUZZ_CHECK(i < f->n_seen, "signed reply that was never submitted for signing");
	for (i = 0; i < f->n_sub; i++)
		if (f->sub[i].sport == m->dport)
			req = &f->sub[i];
	FUZZ_CHECK(req && m->family == req->family && m->sport == req->dport &&
		   memcmp(m->dst, req->src, 16) == 0 && memcmp(m->src, req->dst, 16) == 0 &&
		   memcmp(m->mac, req->mac, 6) == 0 && memcmp(m->payload + 48, req->payload + 48, 4) == 0,
		   "signed reply not going back to its client");
	f->injected++;
	return 0;
}

static void fake_hangup(void)
{
	if (fk.cfd >= 0)
		close(fk.cfd);
	fk.cfd = -1;
	fk.in_len = 0;
	fk.answered = 0;
}

/* Whether the request frame q (reply48 at 20, key id at 16) was read before. */
static int seen(const uint8_t *q)
{
	for (unsigned int i = 0; i < fk.n_seen; i++)
		if (!memcmp(fk.seen[i], q + 20, 48) && !memcmp(fk.seen[i] + 48, q + 16, 4))
			return 1;
	return 0;
}

/* Read what signd wrote on the connection, check each request. */
static void fake_read(void)
{
	if (fk.cfd < 0)
		return;
	for (;;) {
		size_t before = fk.in_len / 68;
		ssize_t n;

		if (fk.in_len == sizeof(fk.in))
			break;
		n = recv(fk.cfd, fk.in + fk.in_len, sizeof(fk.in) - fk.in_len, MSG_DONTWAIT);
		if (n <= 0)
			break;
		fk.in_len += (size_t)n;
		for (size_t i = before; i < fk.in_len / 68; i++) {
			const uint8_t *q = fk.in + i * 68;

			FUZZ_CHECK(be32(q) == 64 && be32(q + 4) == 0 && be32(q + 8) == 0 && q[14] == 0 &&
				   q[15] == 0, "malformed SIGN_TO_CLIENT frame");
			FUZZ_CHECK((q[20] & 7) == NTP_MODE_SERVER, "asked to sign mode %u", q[20] & 7);
			/* Re-sent after a reconnect: seen already. */
			if (!seen(q) && fk.n_seen < SEEN_MAX) {
				memcpy(fk.seen[fk.n_seen], q + 20, 48);
				memcpy(fk.seen[fk.n_seen] + 48, q + 16, 4);
				fk.n_seen++;
			}
		}
	}
}

/* Take a new connection, then read. */
static void fake_io(void)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0) {
		/* signd opens a new connection only after dropping the old one. */
		fake_hangup();
		fk.cfd = fd;
	}
	fake_read();
}

static void fake_write(const uint8_t *b, size_t n)
{
	if (fk.cfd >= 0 && n) {
		ssize_t w = send(fk.cfd, b, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		(void)w;
	}
}

/* The reply to the oldest unanswered request on this connection: a
 * success (68 bytes signed with a MAC made of mac_seed) or a failure
 * followed by extra bytes. Returns its length, 0 if there is none. */
static size_t fake_reply(int success, uint8_t mac_seed, size_t extra, uint8_t *out)
{
	const uint8_t *q;

	if (fk.answered >= fk.in_len / 68)
		return 0;
	q = fk.in + fk.answered++ * 68;
	put32(out + 4, 0);
	put32(out + 12, (uint32_t)(q[12] << 8 | q[13]));
	if (!success) {
		put32(out, (uint32_t)(12 + extra));
		put32(out + 8, SIGND_OP_SIGNING_FAILURE);
		memset(out + 16, 0xee, extra);
		return 16 + extra;
	}
	put32(out, 12 + 68);
	put32(out + 8, SIGND_OP_SIGNING_SUCCESS);
	memcpy(out + 16, q + 20, 48);
	memcpy(out + 64, q + 16, 4);
	for (int i = 0; i < 16; i++)
		out[68 + i] = (uint8_t)(mac_seed + i * 7);
	return 84;
}

/* One turn of linetimed's loop for the signing service, without waiting. */
static void turn(struct mssntp *s, uint64_t now)
{
	struct pollfd p;
	short rev = 0;

	fake_io();
	if (mssntp_pollfd(s, &p) && poll(&p, 1, 0) > 0)
		rev = p.revents;
	mssntp_poll(s, rev, now);
	fake_io();
}

/* An MS-SNTP request as the dataplane punts it: RID 1100 + k, from a
 * client port that names it; with bad set, something that is not one. */
static void punted(struct lt_msg *m, uint8_t k, int v6, int bad, uint16_t port)
{
	memset(m, 0, sizeof(*m));
	m->type = LT_MSG_PUNT_UDP;
	m->family = v6 ? 6 : 4;
	m->port = 0;
	m->sport = port;
	m->dport = NTP_PORT;
	m->src[0] = 198;
	m->src[1] = 18;
	m->src[3] = (uint8_t)(2 + k);
	m->dst[0] = 198;
	m->dst[1] = 18;
	m->dst[3] = 1;
	memcpy(m->mac, "\x52\x54\x00\xab\xcd", 5);
	m->mac[5] = k;
	m->ts = 0xeeac95c881900000ULL + k;
	m->len = NTP_MSSNTP_LEN;
	m->payload[0] = 3 << 3 | NTP_MODE_CLIENT;
	m->payload[40] = k; /* the client's transmit time */
	m->payload[48] = (uint8_t)(1100 + k);
	m->payload[49] = (uint8_t)((1100 + k) >> 8);
	if (bad)
		m->payload[52 + (k & 15)] = 1; /* a MAC: not a signing request */
}

static void pipeline(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct lt_clock_snapshot snap;
	struct signd_stats st;
	struct mssntp_counters c;
	struct json_object *report;
	struct mssntp *s;
	uint64_t now = 1000000000ULL, fails = 0;
	uint8_t buf[256];

	memset(&snap, 0, sizeof(snap));
	memset(&fk, 0, sizeof(fk));
	fk.cfd = -1;
	s = mssntp_new(&cfg, sink_send, &fk);
	FUZZ_CHECK(s, "mssntp_new");
	turn(s, now);

	for (unsigned int step = 0; step < STEPS_MAX && in.n; step++) {
		uint8_t op = fuzz_u8(&in), a = fuzz_u8(&in);
		size_t n, k;
		const uint8_t *raw;
		struct lt_msg m;

		switch (op % 9) {
		case 0: /* a request from the dataplane */
			if (fk.n_sub < SEEN_MAX) {
				punted(&m, a, op & 0x10, (a & 0xc0) == 0xc0, (uint16_t)(40000 + fk.n_sub));
				fk.sub[fk.n_sub++] = m;
				mssntp_request(s, &m, &snap, 0x200 + step, now);
			}
			break;
		case 1: /* Samba signs the oldest request */
			fake_write(buf, fake_reply(1, a, 0, buf));
			break;
		case 2: /* Samba refuses it (unknown RID), maybe with trailing bytes */
			fake_write(buf, fake_reply(0, 0, a % 100, buf));
			break;
		case 3: /* anything at all */
			raw = fuzz_bytes(&in, a % 100, &n);
			fake_write(raw, n);
			break;
		case 4: /* a signed frame with one byte changed */
			if ((n = fake_reply(1, a, 0, buf))) {
				buf[fuzz_u8(&in) % n] ^= (uint8_t)(a | 1);
				fake_write(buf, n);
			}
			break;
		case 5: /* a signed frame in two writes */
			if ((n = fake_reply(1, a, 0, buf))) {
				k = a % n;
				fake_write(buf, k);
				turn(s, now);
				fake_write(buf + k, n - k);
			}
			break;
		case 6: /* Samba closes the connection (a disabled account) */
			fake_hangup();
			break;
		case 7: /* time passes: timeouts, backoff */
			now += (uint64_t)a * 10000000ULL;
			break;
		default: /* a loop round with nothing new */
			break;
		}
		turn(s, now);
		now += 1000;
	}

	mssntp_stats(s, &st, &c);
	for (int i = 0; i < SIGND_FAIL_COUNT; i++)
		fails += st.failed[i];
	FUZZ_CHECK(st.submitted == st.signed_ok + fails + st.queue_depth,
		   "jobs lost: %llu submitted, %llu signed, %llu failed, %u queued",
		   (unsigned long long)st.submitted, (unsigned long long)st.signed_ok,
		   (unsigned long long)fails, st.queue_depth);
	FUZZ_CHECK(c.requests == st.submitted + c.malformed, "requests %llu, submitted %llu, "
		   "malformed %llu", (unsigned long long)c.requests, (unsigned long long)st.submitted,
		   (unsigned long long)c.malformed);
	FUZZ_CHECK(c.sent + c.inject_full == st.signed_ok && c.sent == fk.injected,
		   "signed %llu, sent %llu", (unsigned long long)st.signed_ok,
		   (unsigned long long)c.sent);
	FUZZ_CHECK(st.in_flight <= st.queue_depth && st.queue_depth <= st.queue_max, "queue %u/%u/%u",
		   st.in_flight, st.queue_depth, st.queue_max);
	report = json_object_new_object();
	mssntp_report(s, now, report);
	FUZZ_CHECK(json_object_to_json_string(report), "signd report");
	json_object_put(report);
	if (fuzz_verbose())
		fprintf(stderr, "state %s: submitted %llu signed %llu failed %llu queued %u, %s\n",
			signd_state_name(st.state), (unsigned long long)st.submitted,
			(unsigned long long)st.signed_ok, (unsigned long long)fails, st.queue_depth,
			st.last_error);
	mssntp_free(s);
	fake_hangup();
	/* A connection signd made and nobody accepted yet goes too. */
	for (int fd; (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0;)
		close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	codec(data, size);
	pipeline(data, size);
	return 0;
}
