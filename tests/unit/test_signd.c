/* Tests for signd_frame (the ntp_signd wire codec) and signd (the
 * connection and pipeline). The Samba side is a fake: a listening AF_UNIX
 * socket in a mkdtemp() directory that the test drives one step at a time
 * (accept, read requests, write replies, close), and the clock is a plain
 * number passed to every call, so every state and time is exact. The fake
 * parses and builds frames with its own offsets, not with signd_frame. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signd.h"
#include "signd_frame.h"
#include "suites.h"

#define US 1000ULL
#define MS 1000000ULL

/* --- the fake Samba ------------------------------------------------------- */

struct fake {
	char dir[64];
	char sub[80];           /* dir/ntp_signd, for the missing-directory cases */
	char path[108];         /* dir/socket */
	int lfd;                /* listener */
	int cfd;                /* the accepted connection */
};

/* One request as the fake reads it. */
struct req {
	uint32_t len, version, op;
	uint16_t id, pad;
	uint8_t key[4];
	uint8_t reply[48];
};

static void fake_init(struct fake *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/lt-signd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->sub, sizeof(f->sub), "%s/ntp_signd", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/socket", f->dir);
	f->lfd = f->cfd = -1;
}

static void fake_listen(struct fake *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	unlink(f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f->lfd, 8), 0);
}

/* Samba stopped: the socket file stays, nobody listens. */
static void fake_stop(struct fake *f)
{
	close(f->lfd);
	f->lfd = -1;
}

/* Whether a connection waits in the listener's backlog. */
static int fake_pending(struct fake *f)
{
	struct pollfd p = {.fd = f->lfd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

static void fake_accept(struct fake *f)
{
	struct pollfd p = {.fd = f->lfd, .events = POLLIN};

	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	if (f->cfd >= 0)
		close(f->cfd);
	f->cfd = accept(f->lfd, NULL, NULL);
	ck_assert_int_ge(f->cfd, 0);
}

static void fake_hangup(struct fake *f)
{
	close(f->cfd);
	f->cfd = -1;
}

static void fake_cleanup(struct fake *f)
{
	if (f->cfd >= 0)
		close(f->cfd);
	if (f->lfd >= 0)
		close(f->lfd);
	unlink(f->path);
	rmdir(f->sub);
	rmdir(f->dir);
}

/* Bytes the fake could read now. */
static int fake_unread(struct fake *f)
{
	int n = 0;

	ck_assert_int_eq(ioctl(f->cfd, FIONREAD, &n), 0);
	return n;
}

static void read_exact(int fd, uint8_t *buf, size_t n)
{
	while (n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		r = read(fd, buf, n);
		ck_assert_int_gt(r, 0);
		buf += r;
		n -= (size_t)r;
	}
}

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

static void decode_req(const uint8_t *b, struct req *r)
{
	r->len = be32(b);
	r->version = be32(b + 4);
	r->op = be32(b + 8);
	r->id = (uint16_t)(b[12] << 8 | b[13]);
	r->pad = (uint16_t)(b[14] << 8 | b[15]);
	memcpy(r->key, b + 16, 4);
	memcpy(r->reply, b + 20, 48);
}

/* Read one request and check the parts that never vary. */
static void fake_read_req(struct fake *f, struct req *r)
{
	uint8_t b[68];

	read_exact(f->cfd, b, sizeof(b));
	decode_req(b, r);
	ck_assert_uint_eq(r->len, 64);
	ck_assert_uint_eq(r->version, 0);
	ck_assert_uint_eq(r->op, 0);
	ck_assert_uint_eq(r->pad, 0);
}

static void fake_write(struct fake *f, const void *buf, size_t n)
{
	ck_assert_int_eq(write(f->cfd, buf, n), (ssize_t)n);
}

/* The fake's "MAC": any bytes the test can predict. */
static void fake_mac(const struct req *r, uint8_t mac[16])
{
	for (int i = 0; i < 16; i++)
		mac[i] = (uint8_t)(r->reply[i] ^ r->key[i % 4] ^ 0x5a);
}

/* A SIGNING_SUCCESS frame for r, answered under packet id `id`. */
static size_t success_frame(const struct req *r, uint32_t id, uint8_t out[84])
{
	put32(out, 80);
	put32(out + 4, 0);
	put32(out + 8, 3);
	put32(out + 12, id);
	memcpy(out + 16, r->reply, 48);
	memcpy(out + 64, r->key, 4);
	fake_mac(r, out + 68);
	return 84;
}

static void fake_sign(struct fake *f, const struct req *r)
{
	uint8_t b[84];

	fake_write(f, b, success_frame(r, r->id, b));
}

static void fake_refuse(struct fake *f, uint32_t id)
{
	uint8_t b[16];

	put32(b, 12);
	put32(b + 4, 0);
	put32(b + 8, 4);
	put32(b + 12, id);
	fake_write(f, b, sizeof(b));
}

/* --- the client side ------------------------------------------------------ */

struct done_rec {
	struct signd_route route;
	int has_signed;
	uint8_t signed68[68];
	enum signd_fail reason;
	uint64_t latency_ns;
};

struct collector {
	int n;
	int inconsistent;       /* signed68 given with a failure, or missing on success */
	struct done_rec r[300];
};

static void on_done(void *arg, const struct signd_route *route, const uint8_t *signed68,
		    enum signd_fail reason, uint64_t latency_ns)
{
	struct collector *c = arg;
	struct done_rec *d;

	ck_assert_int_lt(c->n, (int)(sizeof(c->r) / sizeof(c->r[0])));
	d = &c->r[c->n++];
	d->route = *route;
	d->has_signed = signed68 != NULL;
	if (signed68)
		memcpy(d->signed68, signed68, 68);
	d->reason = reason;
	d->latency_ns = latency_ns;
	if ((signed68 != NULL) != (reason == SIGND_FAIL_NONE))
		c->inconsistent++;
}

static struct signd *mk(const char *dir, uint32_t qmax, struct collector *c)
{
	struct signd_params p = {.dir = dir, .queue_max = qmax};
	struct signd *h;

	memset(c, 0, sizeof(*c));
	h = signd_new(&p, on_done, c);
	ck_assert_ptr_nonnull(h);
	return h;
}

/* One turn of the caller's event loop: poll without waiting (the fake's
 * writes are already queued on a Unix socket), then hand over. */
static void step(struct signd *h, uint64_t now)
{
	struct pollfd p = {.fd = signd_fd(h), .events = signd_events(h)};
	short rev = 0;

	if (p.fd >= 0 && poll(&p, 1, 0) > 0)
		rev = p.revents;
	signd_poll(h, rev, now);
}

/* Job i: a recognisable key id (RID i, "previous password" bit set), reply and route. */
static void job(int i, uint8_t key[4], uint8_t reply[48], struct signd_route *rt)
{
	key[0] = (uint8_t)i;
	key[1] = 0x10;
	key[2] = 0;
	key[3] = 0x80;
	for (int k = 0; k < 48; k++)
		reply[k] = (uint8_t)(i * 7 + k);
	reply[0] = 0x1c; /* LI 0, VN 3, mode 4 */
	memset(rt, 0, sizeof(*rt));
	rt->port = (uint16_t)(i % 4);
	rt->family = i % 2 ? 6 : 4;
	for (int k = 0; k < 16; k++) {
		rt->src[k] = (uint8_t)(0xa0 + k + i);
		rt->dst[k] = (uint8_t)(0x10 + k);
	}
	rt->sport = (uint16_t)(1000 + i);
	rt->dport = 123;
	for (int k = 0; k < 6; k++)
		rt->mac[k] = (uint8_t)(0x02 + k * i);
}

static int sub(struct signd *h, int i, uint64_t now)
{
	uint8_t key[4], reply[48];
	struct signd_route rt;

	job(i, key, reply, &rt);
	return signd_submit(h, key, reply, &rt, now);
}

/* The fake read request r: is it job i's? */
static void assert_req_is(const struct req *r, int i)
{
	uint8_t key[4], reply[48];
	struct signd_route rt;

	job(i, key, reply, &rt);
	ck_assert_mem_eq(r->key, key, 4);
	ck_assert_mem_eq(r->reply, reply, 48);
}

/* Done record d: job i, with this outcome; a signed one carries reply ||
 * key id || the fake's MAC, untouched. */
static void assert_done(const struct done_rec *d, int i, enum signd_fail reason)
{
	uint8_t key[4], reply[48], mac[16];
	struct signd_route rt;
	struct req r;

	job(i, key, reply, &rt);
	ck_assert_msg(memcmp(&d->route, &rt, sizeof(rt)) == 0, "route of job %d changed", i);
	ck_assert_msg(d->reason == reason, "job %d: %s, expected %s", i, signd_fail_name(d->reason),
		      signd_fail_name(reason));
	ck_assert_int_eq(d->has_signed, reason == SIGND_FAIL_NONE);
	if (reason != SIGND_FAIL_NONE)
		return;
	memcpy(r.key, key, 4);
	memcpy(r.reply, reply, 48);
	fake_mac(&r, mac);
	ck_assert_mem_eq(d->signed68, reply, 48);
	ck_assert_mem_eq(d->signed68 + 48, key, 4);
	ck_assert_mem_eq(d->signed68 + 52, mac, 16);
}

static struct signd_stats stats(const struct signd *h)
{
	struct signd_stats st;

	signd_get_stats(h, &st);
	return st;
}

static void assert_state(const struct signd *h, enum signd_state s)
{
	struct signd_stats st = stats(h);

	ck_assert_msg(st.state == s, "state %s, expected %s (%s)", signd_state_name(st.state),
		      signd_state_name(s), st.last_error);
}

/* Every submit is accounted for: signed, failed for a reason, or pending. */
static void assert_books(const struct signd *h)
{
	struct signd_stats st = stats(h);
	uint64_t sum = st.signed_ok + st.queue_depth;

	for (int r = 1; r < SIGND_FAIL_COUNT; r++)
		sum += st.failed[r];
	ck_assert_uint_eq(st.submitted, sum);
}

/* A fake listening and a client connected to it, accepted. */
static struct signd *connected_pair(struct fake *f, struct collector *c, uint32_t qmax, uint64_t now)
{
	struct signd *h;

	fake_init(f);
	fake_listen(f);
	h = mk(f->dir, qmax, c);
	step(h, now);
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_accept(f);
	return h;
}

/* --- frames --------------------------------------------------------------- */

START_TEST(frame_encode_golden)
{
	static const uint8_t key[4] = {0x51, 0x04, 0x00, 0x80};
	static const uint8_t head[20] = {
		0x00, 0x00, 0x00, 0x40,         /* length 64 */
		0x00, 0x00, 0x00, 0x00,         /* version 0 */
		0x00, 0x00, 0x00, 0x00,         /* op SIGN_TO_CLIENT */
		0xbe, 0xef, 0x00, 0x00,         /* packet id, padding */
		0x51, 0x04, 0x00, 0x80,         /* key id bytes as received */
	};
	uint8_t reply[48], buf[80];

	for (int i = 0; i < 48; i++)
		reply[i] = (uint8_t)(0xc0 ^ i);
	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(signd_frame_encode(buf, sizeof(buf), 0xbeef, key, reply), 68);
	ck_assert_mem_eq(buf, head, sizeof(head));
	ck_assert_mem_eq(buf + 20, reply, 48);
	ck_assert_uint_eq(buf[68], 0xee);
	ck_assert_int_eq(signd_frame_encode(buf, 67, 1, key, reply), -ENOSPC);
}
END_TEST

START_TEST(frame_parse_partial_and_multiple)
{
	uint8_t stream[84 + 16 + 20 + 4], *p = stream;
	struct signd_frame_reply r;
	struct req q;

	memset(&q, 0, sizeof(q));
	for (int i = 0; i < 48; i++)
		q.reply[i] = (uint8_t)i;
	memcpy(q.key, "\x01\x02\x03\x84", 4);
	/* success (id 0x0001beef: the reply's id is 32 bits), failure, a failure
	 * with 8 trailing bytes, and the start of another frame */
	p += success_frame(&q, 0x0001beef, p);
	put32(p, 12), put32(p + 4, 0), put32(p + 8, 4), put32(p + 12, 7), p += 16;
	put32(p, 20), put32(p + 4, 1), put32(p + 8, 4), put32(p + 12, 8), memset(p + 16, 0xaa, 8), p += 24;
	ck_assert_uint_eq((size_t)(p - stream), 124);

	for (size_t n = 0; n < 84; n++)
		ck_assert_msg(signd_frame_parse(stream, n, &r) == SIGND_FRAME_NEED_MORE, "prefix %zu", n);
	ck_assert_int_eq(signd_frame_parse(stream, sizeof(stream), &r), SIGND_FRAME_OK);
	ck_assert_uint_eq(r.frame_len, 84);
	ck_assert_uint_eq(r.op, SIGND_OP_SIGNING_SUCCESS);
	ck_assert_uint_eq(r.packet_id, 0x0001beef);
	ck_assert_uint_eq(r.version, 0);
	ck_assert_ptr_eq(r.payload, stream + 16);
	ck_assert_uint_eq(r.payload_len, 68);

	ck_assert_int_eq(signd_frame_parse(stream + 84, 15, &r), SIGND_FRAME_NEED_MORE);
	ck_assert_int_eq(signd_frame_parse(stream + 84, 40, &r), SIGND_FRAME_OK);
	ck_assert_uint_eq(r.frame_len, 16);
	ck_assert_uint_eq(r.op, SIGND_OP_SIGNING_FAILURE);
	ck_assert_uint_eq(r.packet_id, 7);
	ck_assert_ptr_null(r.payload);
	ck_assert_uint_eq(r.payload_len, 0);

	/* Trailing bytes after a FAILURE are skipped as part of the frame. */
	ck_assert_int_eq(signd_frame_parse(stream + 100, 23, &r), SIGND_FRAME_NEED_MORE);
	ck_assert_int_eq(signd_frame_parse(stream + 100, 24, &r), SIGND_FRAME_OK);
	ck_assert_uint_eq(r.frame_len, 24);
	ck_assert_uint_eq(r.version, 1);
	ck_assert_uint_eq(r.packet_id, 8);
	ck_assert_ptr_null(r.payload);
}
END_TEST

struct bad_frame {
	const char *desc;
	uint32_t len, op;
	size_t have;            /* bytes given to the parser */
	enum signd_frame_verdict v;
};

static const struct bad_frame bad_frames[] = {
	{"length 0", 0, 4, 4, SIGND_FRAME_BAD},
	{"length 11, below the header", 11, 4, 4, SIGND_FRAME_BAD},
	{"length 2^32-1", 0xffffffffu, 3, 4, SIGND_FRAME_BAD},
	{"length one past the maximum", SIGND_FRAME_BODY_MAX + 1, 4, 4, SIGND_FRAME_BAD},
	{"failure at the maximum length", SIGND_FRAME_BODY_MAX, 4, 4 + SIGND_FRAME_BODY_MAX, SIGND_FRAME_OK},
	{"op 0 (a request) seen at 12 bytes", 80, 0, 12, SIGND_FRAME_BAD},
	{"op 1", 12, 1, 16, SIGND_FRAME_BAD},
	{"op 2", 12, 2, 16, SIGND_FRAME_BAD},
	{"op 5", 12, 5, 16, SIGND_FRAME_BAD},
	{"op 0x03000000 (little-endian 3)", 80, 0x03000000, 84, SIGND_FRAME_BAD},
	{"success with no payload", 12, 3, 16, SIGND_FRAME_BAD},
	{"success one byte short", 79, 3, 12, SIGND_FRAME_BAD},
	{"success one byte long", 81, 3, 85, SIGND_FRAME_BAD},
	{"success, 11 bytes seen: op unknown yet", 80, 3, 11, SIGND_FRAME_NEED_MORE},
};

START_TEST(frame_parse_bad)
{
	const struct bad_frame *t = &bad_frames[_i];
	uint8_t buf[4 + SIGND_FRAME_BODY_MAX + 8];
	struct signd_frame_reply r;

	memset(buf, 0, sizeof(buf));
	put32(buf, t->len);
	put32(buf + 8, t->op);
	ck_assert_uint_le(t->have, sizeof(buf));
	ck_assert_msg(signd_frame_parse(buf, t->have, &r) == t->v, "%s", t->desc);
}
END_TEST

/* --- states and reconnecting ---------------------------------------------- */

START_TEST(state_disabled)
{
	struct collector c;
	struct signd_params p = {.dir = NULL};
	struct signd *h = signd_new(&p, on_done, &c);

	memset(&c, 0, sizeof(c));
	ck_assert_ptr_nonnull(h);
	signd_poll(h, 0, 5 * MS);
	assert_state(h, SIGND_STATE_DISABLED);
	ck_assert_int_eq(signd_fd(h), -1);
	ck_assert_int_eq(signd_events(h), 0);
	ck_assert_int_eq(signd_next_timeout_ms(h, 0), -1);
	ck_assert_str_eq(signd_socket_path(h), "");
	ck_assert_int_eq(sub(h, 0, 0), -ENOTCONN);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_NOT_CONNECTED], 1);
	ck_assert_uint_eq(stats(h).connects, 0);
	ck_assert_int_eq(c.n, 0);
	signd_free(h);
}
END_TEST

START_TEST(params_rejected)
{
	char longdir[200];
	struct signd_params p = {.dir = "/tmp", .queue_max = SIGND_QUEUE_MAX_LIMIT + 1};

	errno = 0;
	ck_assert_ptr_null(signd_new(&p, on_done, NULL));
	ck_assert_int_eq(errno, EINVAL);
	p.queue_max = 0;
	ck_assert_ptr_null(signd_new(&p, NULL, NULL));
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	p.dir = longdir;
	errno = 0;
	ck_assert_ptr_null(signd_new(&p, on_done, NULL));
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

/* linetimed first: no directory, then a directory with no socket, then
 * Samba; retries at 250 ms doubling to 2 s, and never before they are due. */
START_TEST(state_missing_directory_backoff_then_samba)
{
	static const uint64_t at[] = {0, 250, 750, 1750, 3750};
	static const int wait_ms[] = {250, 500, 1000, 2000, 2000};
	char want[96];
	struct collector c;
	struct fake f;
	struct signd *h;

	fake_init(&f);
	h = mk(f.sub, 0, &c);
	ck_assert_str_eq(signd_socket_path(h), strcat(strcpy(want, f.sub), "/socket"));
	ck_assert_int_eq(signd_next_timeout_ms(h, 0), 0); /* first attempt is due at once */
	for (int i = 0; i < 5; i++) {
		if (i) {
			step(h, at[i] * MS - 1); /* 1 ns early: no attempt */
			ck_assert_int_eq(signd_next_timeout_ms(h, at[i] * MS - 1), 1);
		}
		step(h, at[i] * MS);
		assert_state(h, SIGND_STATE_MISSING_DIRECTORY);
		ck_assert_int_eq(signd_fd(h), -1);
		ck_assert_int_eq(signd_next_timeout_ms(h, at[i] * MS), wait_ms[i]);
	}
	ck_assert_ptr_nonnull(strstr(stats(h).last_error, "No such file"));
	ck_assert_int_eq(stats(h).last_errno, ENOENT);
	ck_assert_int_eq(sub(h, 0, 3800 * MS), -ENOTCONN);

	/* The directory appears; the next attempt (5750 ms) tells the difference. */
	ck_assert_int_eq(mkdir(f.sub, 0750), 0);
	step(h, 5750 * MS);
	assert_state(h, SIGND_STATE_NO_SOCKET);
	ck_assert_int_eq(signd_next_timeout_ms(h, 5750 * MS), 2000);

	/* Samba starts; linetimed connects at its next attempt, not before. */
	snprintf(f.path, sizeof(f.path), "%s/socket", f.sub);
	fake_listen(&f);
	step(h, 7750 * MS - 1);
	assert_state(h, SIGND_STATE_NO_SOCKET);
	ck_assert(!fake_pending(&f));
	step(h, 7750 * MS);
	assert_state(h, SIGND_STATE_CONNECTED);
	ck_assert(fake_pending(&f));
	ck_assert_uint_eq(stats(h).connects, 1);
	ck_assert_uint_eq(stats(h).state_since_ns, 7750 * MS);
	ck_assert_int_eq(signd_events(h), POLLIN);
	ck_assert_int_eq(signd_next_timeout_ms(h, 7750 * MS), -1);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_NOT_CONNECTED], 1);
	ck_assert_int_eq(c.n, 0);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

START_TEST(state_no_socket_then_samba)
{
	struct collector c;
	struct fake f;
	struct signd *h;

	fake_init(&f);
	h = mk(f.dir, 0, &c);
	step(h, 0);
	assert_state(h, SIGND_STATE_NO_SOCKET);
	ck_assert_int_eq(stats(h).last_errno, ENOENT);
	fake_listen(&f);
	step(h, 249 * MS);
	assert_state(h, SIGND_STATE_NO_SOCKET);
	step(h, 250 * MS);
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_accept(&f);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Samba stopped: a socket file nobody listens on. */
START_TEST(state_refused_then_restart)
{
	struct collector c;
	struct fake f;
	struct signd *h;

	fake_init(&f);
	fake_listen(&f);
	fake_stop(&f);
	h = mk(f.dir, 0, &c);
	step(h, 0);
	assert_state(h, SIGND_STATE_REFUSED);
	ck_assert_int_eq(stats(h).last_errno, ECONNREFUSED);
	ck_assert_int_eq(signd_fd(h), -1);
	step(h, 250 * MS);
	assert_state(h, SIGND_STATE_REFUSED);
	ck_assert_int_eq(signd_next_timeout_ms(h, 250 * MS), 500);
	fake_listen(&f);
	step(h, 750 * MS);
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_accept(&f);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* The directory is closed to us (Samba's is 0750, we need its group). As
 * root, permissions do not apply, so a child drops to nobody to try. */
static int permission_state(const char *dir)
{
	struct collector c;
	struct signd_params p = {.dir = dir};
	struct signd *h = signd_new(&p, on_done, &c);
	struct signd_stats st;

	memset(&c, 0, sizeof(c));
	if (!h)
		return -1;
	signd_poll(h, 0, 0);
	signd_get_stats(h, &st);
	signd_free(h);
	return st.state == SIGND_STATE_PERMISSION_DENIED && st.last_errno == EACCES ? 0 : 1 + (int)st.state;
}

START_TEST(state_permission_denied)
{
	struct fake f;
	int rc;

	fake_init(&f);
	fake_listen(&f);
	if (geteuid() == 0) {
		int status;
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(100);
			_exit(permission_state(f.dir));
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		rc = WEXITSTATUS(status);
	} else {
		ck_assert_int_eq(chmod(f.dir, 0), 0);
		rc = permission_state(f.dir);
		chmod(f.dir, 0700);
	}
	ck_assert_msg(rc == 0, "child saw state %d", rc - 1);
	fake_cleanup(&f);
}
END_TEST

/* Samba first: connected at the first poll; nothing is queued before. */
START_TEST(state_connected_samba_first)
{
	struct collector c;
	struct fake f;
	struct signd *h;

	fake_init(&f);
	fake_listen(&f);
	h = mk(f.dir, 0, &c);
	ck_assert_int_eq(sub(h, 0, 0), -ENOTCONN);
	step(h, 0);
	assert_state(h, SIGND_STATE_CONNECTED);
	ck_assert_int_ge(signd_fd(h), 0);
	ck_assert_uint_eq(stats(h).connects, 1);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_NOT_CONNECTED], 1);
	ck_assert_uint_eq(stats(h).queue_max, SIGND_QUEUE_MAX_DEFAULT);
	fake_accept(&f);
	ck_assert_int_eq(c.n, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* --- signing -------------------------------------------------------------- */

START_TEST(sign_one)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct signd_percentiles pc;
	struct signd_stats st;
	struct req r;

	ck_assert_int_eq(sub(h, 3, 1000 * MS), 0);
	/* Submitting only buffers: the write waits for POLLOUT. */
	ck_assert_int_eq(signd_events(h), POLLIN | POLLOUT);
	ck_assert_int_eq(fake_unread(&f), 0);
	ck_assert_uint_eq(stats(h).in_flight, 0);
	ck_assert_uint_eq(stats(h).queue_depth, 1);
	step(h, 1000 * MS);
	ck_assert_int_eq(signd_events(h), POLLIN);
	ck_assert_uint_eq(stats(h).in_flight, 1);
	ck_assert_int_eq(signd_next_timeout_ms(h, 1000 * MS), 1000);
	fake_read_req(&f, &r);
	assert_req_is(&r, 3);
	fake_sign(&f, &r);
	step(h, 1000 * MS + 150 * US);
	ck_assert_int_eq(c.n, 1);
	assert_done(&c.r[0], 3, SIGND_FAIL_NONE);
	ck_assert_uint_eq(c.r[0].latency_ns, 150 * US);
	ck_assert_uint_eq(stats(h).signed_ok, 1);
	ck_assert_uint_eq(stats(h).queue_depth, 0);
	ck_assert_int_eq(signd_next_timeout_ms(h, 1001 * MS), -1);
	st = stats(h);
	signd_latency_percentiles(&st.latency, &pc);
	ck_assert_uint_eq(pc.count, 1);
	ck_assert_uint_eq(pc.p50_us, 150);
	ck_assert_uint_eq(pc.max_us, 150);
	ck_assert_int_eq(c.inconsistent, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Many requests on the wire before the first answer; answers in order. */
START_TEST(pipelining)
{
	enum { N = 8 };
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r[N];

	for (int i = 0; i < N; i++)
		ck_assert_int_eq(sub(h, i, (uint64_t)i * US), 0);
	step(h, 10 * US);
	ck_assert_int_eq(fake_unread(&f), N * 68);
	ck_assert_uint_eq(stats(h).in_flight, N);
	for (int i = 0; i < N; i++) {
		fake_read_req(&f, &r[i]);
		assert_req_is(&r[i], i);
		for (int k = 0; k < i; k++)
			ck_assert_uint_ne(r[i].id, r[k].id);
	}
	/* Half the answers, then more requests, then the rest. */
	for (int i = 0; i < N / 2; i++)
		fake_sign(&f, &r[i]);
	step(h, 100 * US);
	ck_assert_int_eq(c.n, N / 2);
	ck_assert_uint_eq(stats(h).in_flight, N / 2);
	ck_assert_int_eq(sub(h, N, 100 * US), 0);
	step(h, 100 * US);
	for (int i = N / 2; i < N; i++)
		fake_sign(&f, &r[i]);
	step(h, 200 * US);
	ck_assert_int_eq(c.n, N);
	for (int i = 0; i < N; i++) {
		assert_done(&c.r[i], i, SIGND_FAIL_NONE);
		ck_assert_uint_eq(c.r[i].latency_ns, (i < N / 2 ? 100 : 200) * US - (uint64_t)i * US);
	}
	ck_assert_uint_eq(stats(h).queue_depth, 1);
	fake_read_req(&f, &r[0]);
	assert_req_is(&r[0], N);
	ck_assert_uint_eq(stats(h).connects, 1);
	ck_assert_uint_eq(stats(h).disconnects, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* A reply arriving in pieces is delivered once, when complete. */
START_TEST(reply_in_pieces)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	uint8_t b[84 + 84];
	struct req r[2];

	ck_assert_int_eq(sub(h, 0, 0), 0);
	ck_assert_int_eq(sub(h, 1, 0), 0);
	step(h, 0);
	fake_read_req(&f, &r[0]);
	fake_read_req(&f, &r[1]);
	success_frame(&r[0], r[0].id, b);
	success_frame(&r[1], r[1].id, b + 84);
	fake_write(&f, b, 1);
	step(h, 1 * US);
	fake_write(&f, b + 1, 14);
	step(h, 2 * US);
	fake_write(&f, b + 15, 68);
	step(h, 3 * US);
	ck_assert_int_eq(c.n, 0);
	/* the last byte of the first and most of the second */
	fake_write(&f, b + 83, 80);
	step(h, 4 * US);
	ck_assert_int_eq(c.n, 1);
	assert_done(&c.r[0], 0, SIGND_FAIL_NONE);
	fake_write(&f, b + 163, 5);
	step(h, 5 * US);
	ck_assert_int_eq(c.n, 2);
	assert_done(&c.r[1], 1, SIGND_FAIL_NONE);
	assert_state(h, SIGND_STATE_CONNECTED);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* SIGNING_FAILURE (unknown RID) fails that job only; the connection stays. */
START_TEST(samba_failure_keeps_connection)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r[3];

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	step(h, 0);
	for (int i = 0; i < 3; i++)
		fake_read_req(&f, &r[i]);
	fake_sign(&f, &r[0]);
	fake_refuse(&f, r[1].id);
	fake_sign(&f, &r[2]);
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, 3);
	assert_done(&c.r[0], 0, SIGND_FAIL_NONE);
	assert_done(&c.r[1], 1, SIGND_FAIL_SAMBA);
	assert_done(&c.r[2], 2, SIGND_FAIL_NONE);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_SAMBA], 1);
	ck_assert_uint_eq(stats(h).signed_ok, 2);
	ck_assert_uint_eq(stats(h).latency.count, 2);
	ck_assert_uint_eq(stats(h).disconnects, 0);
	assert_state(h, SIGND_STATE_CONNECTED);
	/* still usable */
	ck_assert_int_eq(sub(h, 3, 2 * MS), 0);
	step(h, 2 * MS);
	fake_read_req(&f, &r[0]);
	assert_req_is(&r[0], 3);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* A disabled account: Samba closes with three requests unanswered. The
 * oldest fails, the other two go again on a new connection at once. */
START_TEST(peer_close_fails_only_oldest)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r[3];

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	step(h, 0);
	for (int i = 0; i < 3; i++)
		fake_read_req(&f, &r[i]);
	fake_hangup(&f);
	step(h, 5 * MS);
	ck_assert_int_eq(c.n, 1);
	assert_done(&c.r[0], 0, SIGND_FAIL_PEER_CLOSED);
	ck_assert_uint_eq(c.r[0].latency_ns, 5 * MS);
	/* reconnected in the same call, no backoff */
	assert_state(h, SIGND_STATE_CONNECTED);
	ck_assert_uint_eq(stats(h).connects, 2);
	ck_assert_uint_eq(stats(h).disconnects, 1);
	ck_assert_uint_eq(stats(h).queue_depth, 2);
	ck_assert_uint_eq(stats(h).in_flight, 2);
	fake_accept(&f);
	fake_read_req(&f, &r[1]);
	fake_read_req(&f, &r[2]);
	assert_req_is(&r[1], 1);
	assert_req_is(&r[2], 2);
	fake_sign(&f, &r[1]);
	fake_sign(&f, &r[2]);
	step(h, 6 * MS);
	ck_assert_int_eq(c.n, 3);
	assert_done(&c.r[1], 1, SIGND_FAIL_NONE);
	assert_done(&c.r[2], 2, SIGND_FAIL_NONE);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_PEER_CLOSED], 1);
	ck_assert_uint_eq(stats(h).signed_ok, 2);
	ck_assert_int_eq(c.inconsistent, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Samba answers the first, then closes on the second: the answered one is
 * delivered, the second fails, the third is re-sent. */
START_TEST(peer_close_after_an_answer)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r[3];

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	step(h, 0);
	for (int i = 0; i < 3; i++)
		fake_read_req(&f, &r[i]);
	fake_sign(&f, &r[0]);
	fake_hangup(&f);
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, 2);
	assert_done(&c.r[0], 0, SIGND_FAIL_NONE);
	assert_done(&c.r[1], 1, SIGND_FAIL_PEER_CLOSED);
	fake_accept(&f);
	fake_read_req(&f, &r[2]);
	assert_req_is(&r[2], 2);
	fake_sign(&f, &r[2]);
	step(h, 2 * MS);
	ck_assert_int_eq(c.n, 3);
	assert_done(&c.r[2], 2, SIGND_FAIL_NONE);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Samba closes every connection: each close costs exactly one job, and a
 * close with nothing outstanding backs off instead of reconnecting. */
START_TEST(peer_close_loop_is_bounded)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	step(h, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = round; i < 3; i++) {
			fake_read_req(&f, &r);
			assert_req_is(&r, i);
		}
		fake_hangup(&f);
		step(h, (uint64_t)(round + 1) * MS);
		ck_assert_int_eq(c.n, round + 1);
		assert_done(&c.r[round], round, SIGND_FAIL_PEER_CLOSED);
		ck_assert_uint_eq(stats(h).connects, (uint64_t)round + 2);
		fake_accept(&f);
	}
	/* Nothing left; this close blames nobody. */
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_hangup(&f);
	step(h, 10 * MS);
	ck_assert_int_eq(c.n, 3);
	assert_state(h, SIGND_STATE_CLOSED);
	ck_assert_int_eq(signd_fd(h), -1);
	ck_assert(!fake_pending(&f));
	ck_assert_int_eq(signd_next_timeout_ms(h, 10 * MS), 250);
	ck_assert_int_eq(sub(h, 9, 11 * MS), -ENOTCONN);
	step(h, 260 * MS);
	assert_state(h, SIGND_STATE_CONNECTED);
	ck_assert_uint_eq(stats(h).connects, 5);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_PEER_CLOSED], 3);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Samba reads but never answers: everything in flight fails at the
 * timeout, the connection is dropped and retried after the backoff. */
START_TEST(stalled_peer_times_out)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct req r;

	ck_assert_int_eq(sub(h, 0, 10 * MS), 0);
	ck_assert_int_eq(sub(h, 1, 20 * MS), 0);
	step(h, 20 * MS);
	fake_read_req(&f, &r);
	fake_read_req(&f, &r);
	/* timed from the oldest job */
	ck_assert_int_eq(signd_next_timeout_ms(h, 20 * MS), 990);
	step(h, 1010 * MS - 1);
	ck_assert_int_eq(c.n, 0);
	ck_assert_int_eq(signd_next_timeout_ms(h, 1010 * MS - 1), 1);
	step(h, 1010 * MS);
	ck_assert_int_eq(c.n, 2);
	assert_done(&c.r[0], 0, SIGND_FAIL_TIMEOUT);
	assert_done(&c.r[1], 1, SIGND_FAIL_TIMEOUT);
	ck_assert_uint_eq(c.r[0].latency_ns, 1000 * MS);
	ck_assert_uint_eq(c.r[1].latency_ns, 990 * MS);
	assert_state(h, SIGND_STATE_STALLED);
	ck_assert_int_eq(stats(h).last_errno, ETIMEDOUT);
	ck_assert_int_eq(signd_fd(h), -1);
	ck_assert_uint_eq(stats(h).disconnects, 1);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_TIMEOUT], 2);
	ck_assert_uint_eq(stats(h).latency.count, 0);
	ck_assert_int_eq(sub(h, 2, 1011 * MS), -ENOTCONN);
	ck_assert_int_eq(signd_next_timeout_ms(h, 1010 * MS), 250);
	step(h, 1259 * MS);
	ck_assert(!fake_pending(&f));
	step(h, 1260 * MS);
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_accept(&f);
	/* A second stall waits twice as long: no answer came in between. */
	ck_assert_int_eq(sub(h, 3, 1260 * MS), 0);
	step(h, 1260 * MS);
	fake_read_req(&f, &r);
	step(h, 2260 * MS);
	ck_assert_int_eq(c.n, 3);
	assert_done(&c.r[2], 3, SIGND_FAIL_TIMEOUT);
	ck_assert_int_eq(signd_next_timeout_ms(h, 2260 * MS), 500);
	step(h, 2760 * MS);
	fake_accept(&f);
	ck_assert_int_eq(sub(h, 4, 2760 * MS), 0);
	step(h, 2760 * MS);
	fake_read_req(&f, &r);
	assert_req_is(&r, 4);
	fake_sign(&f, &r);
	step(h, 2761 * MS);
	assert_done(&c.r[3], 4, SIGND_FAIL_NONE);
	/* That answer proved Samba well: the next stall backs off from the start. */
	ck_assert_int_eq(sub(h, 5, 2800 * MS), 0);
	step(h, 2800 * MS);
	step(h, 3800 * MS);
	ck_assert_int_eq(c.n, 5);
	assert_done(&c.r[4], 5, SIGND_FAIL_TIMEOUT);
	ck_assert_int_eq(signd_next_timeout_ms(h, 3800 * MS), 250);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* Replies that cannot be trusted, given the fake's view of the oldest
 * request (r0) and the next one (r1). Each writes into out, returns length. */
typedef size_t bad_reply_fn(const struct req *r0, const struct req *r1, uint8_t *out);

static size_t br_oversized(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r1;
	put32(out, 0x10000);
	put32(out + 4, 0);
	put32(out + 8, 3);
	put32(out + 12, r0->id);
	return 16;
}

static size_t br_short_length(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r0, (void)r1;
	put32(out, 8);
	memset(out + 4, 0, 8);
	return 12;
}

static size_t br_text(const struct req *r0, const struct req *r1, uint8_t *out)
{
	static const char text[] = "HTTP/1.1 400 Bad Request\r\n\r\n";

	(void)r0, (void)r1;
	memcpy(out, text, sizeof(text) - 1);
	return sizeof(text) - 1;
}

static size_t br_unknown_op(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r1;
	put32(out, 12);
	put32(out + 4, 0);
	put32(out + 8, 7);
	put32(out + 12, r0->id);
	return 16;
}

static size_t br_short_success(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r1;
	put32(out, 12 + 48);
	put32(out + 4, 0);
	put32(out + 8, 3);
	put32(out + 12, r0->id);
	memcpy(out + 16, r0->reply, 48);
	return 64;
}

static size_t br_answer_to_next(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r0;
	return success_frame(r1, r1->id, out);
}

static size_t br_id_high_bits(const struct req *r0, const struct req *r1, uint8_t *out)
{
	(void)r1;
	return success_frame(r0, 0x10000u | r0->id, out);
}

static size_t br_reply_altered(const struct req *r0, const struct req *r1, uint8_t *out)
{
	size_t n = success_frame(r0, r0->id, out);

	(void)r1;
	out[16 + 40] ^= 1; /* a transmit timestamp bit */
	return n;
}

static size_t br_key_altered(const struct req *r0, const struct req *r1, uint8_t *out)
{
	size_t n = success_frame(r0, r0->id, out);

	(void)r1;
	out[16 + 48 + 3] ^= 0x80;
	return n;
}

struct bad_reply_case {
	const char *desc;
	bad_reply_fn *fn;
};

static const struct bad_reply_case bad_replies[] = {
	{"oversized frame", br_oversized},
	{"length below the header", br_short_length},
	{"text garbage", br_text},
	{"unknown op", br_unknown_op},
	{"success of the wrong length", br_short_success},
	{"answer to the next request (packet id mismatch)", br_answer_to_next},
	{"packet id with bits above 16", br_id_high_bits},
	{"signed reply differs from the one sent", br_reply_altered},
	{"key id differs from the one sent", br_key_altered},
};

/* A bad reply fails the oldest job, drops the connection, and the rest is
 * signed on the next one. */
START_TEST(bad_reply_and_recovery)
{
	const struct bad_reply_case *t = &bad_replies[_i];
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	uint8_t b[128];
	struct req r[2];

	ck_assert_int_eq(sub(h, 0, 0), 0);
	ck_assert_int_eq(sub(h, 1, 0), 0);
	step(h, 0);
	fake_read_req(&f, &r[0]);
	fake_read_req(&f, &r[1]);
	fake_write(&f, b, t->fn(&r[0], &r[1], b));
	step(h, 1 * MS);
	ck_assert_msg(c.n == 1, "%s: %d done", t->desc, c.n);
	assert_done(&c.r[0], 0, SIGND_FAIL_BAD_REPLY);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_BAD_REPLY], 1);
	ck_assert_int_eq(stats(h).last_errno, EPROTO);
	ck_assert_uint_eq(stats(h).disconnects, 1);
	ck_assert_uint_eq(stats(h).connects, 2);
	assert_state(h, SIGND_STATE_CONNECTED);
	fake_accept(&f);
	fake_read_req(&f, &r[1]);
	assert_req_is(&r[1], 1);
	fake_sign(&f, &r[1]);
	step(h, 2 * MS);
	ck_assert_msg(c.n == 2, "%s: not recovered", t->desc);
	assert_done(&c.r[1], 1, SIGND_FAIL_NONE);
	ck_assert_int_eq(c.inconsistent, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* An answer to nothing: no job to blame, so the connection is dropped and
 * we back off, and no callback runs. */
START_TEST(unsolicited_reply)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);

	fake_refuse(&f, 0);
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, 0);
	assert_state(h, SIGND_STATE_ERROR);
	ck_assert_ptr_nonnull(strstr(stats(h).last_error, "no request outstanding"));
	ck_assert_int_eq(signd_fd(h), -1);
	ck_assert_int_eq(signd_next_timeout_ms(h, 1 * MS), 250);
	ck_assert(!fake_pending(&f));
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* A "signed" answer to a request still in our output buffer cannot come
 * from Samba, even with the right id (the first job's is 0) and bytes. */
START_TEST(reply_before_request_sent)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 0, 0);
	struct signd_route rt;
	struct req r;

	memset(&r, 0, sizeof(r));
	job(0, r.key, r.reply, &rt);
	r.id = 0;
	ck_assert_int_eq(sub(h, 0, 0), 0);
	fake_sign(&f, &r);
	/* read before write: the reply is seen while the request is unsent */
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, 1);
	assert_done(&c.r[0], 0, SIGND_FAIL_BAD_REPLY);
	ck_assert_ptr_nonnull(strstr(stats(h).last_error, "no request outstanding"));
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

START_TEST(queue_full)
{
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, 4, 0);
	struct req r;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	ck_assert_int_eq(sub(h, 4, 0), -ENOBUFS);
	ck_assert_int_eq(sub(h, 5, 0), -ENOBUFS);
	ck_assert_int_eq(c.n, 0);
	ck_assert_uint_eq(stats(h).failed[SIGND_FAIL_QUEUE_FULL], 2);
	ck_assert_uint_eq(stats(h).queue_depth, 4);
	ck_assert_uint_eq(stats(h).submitted, 6);
	step(h, 0);
	fake_read_req(&f, &r);
	assert_req_is(&r, 0);
	fake_sign(&f, &r);
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, 1);
	/* room for one more, and only one */
	ck_assert_int_eq(sub(h, 6, 1 * MS), 0);
	ck_assert_int_eq(sub(h, 7, 1 * MS), -ENOBUFS);
	step(h, 1 * MS);
	for (int i = 1; i < 4; i++) {
		fake_read_req(&f, &r);
		assert_req_is(&r, i);
	}
	fake_read_req(&f, &r);
	assert_req_is(&r, 6);
	ck_assert_int_eq(fake_unread(&f), 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* A full queue against a small socket buffer: writes are partial, POLLOUT
 * stays wanted, and every frame still arrives whole and in order. */
START_TEST(partial_writes)
{
	enum { N = 256 };
	struct collector c;
	struct fake f;
	struct signd *h = connected_pair(&f, &c, N, 0);
	static uint8_t got[N * 68];
	size_t have = 0;
	int small = 1, turns = 0;

	ck_assert_int_eq(setsockopt(signd_fd(h), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(sub(h, i, 0), 0);
	step(h, 0);
	ck_assert_msg(signd_events(h) & POLLOUT, "all %d bytes went in one write", N * 68);
	ck_assert_uint_lt(stats(h).in_flight, N);
	while (have < sizeof(got)) {
		ssize_t n = recv(f.cfd, got + have, sizeof(got) - have, MSG_DONTWAIT);
		if (n > 0)
			have += (size_t)n;
		step(h, 0);
		ck_assert_int_lt(++turns, 100000);
	}
	ck_assert_int_eq(signd_events(h), POLLIN);
	ck_assert_uint_eq(stats(h).in_flight, N);
	for (int i = 0; i < N; i++) {
		struct req r;

		decode_req(got + i * 68, &r);
		ck_assert_uint_eq(r.len, 64);
		ck_assert_uint_eq(r.op, 0);
		assert_req_is(&r, i);
		fake_sign(&f, &r);
		if (i % 16 == 15)
			step(h, 1 * MS);
	}
	step(h, 1 * MS);
	ck_assert_int_eq(c.n, N);
	for (int i = 0; i < N; i++)
		assert_done(&c.r[i], i, SIGND_FAIL_NONE);
	ck_assert_uint_eq(stats(h).disconnects, 0);
	assert_books(h);
	signd_free(h);
	fake_cleanup(&f);
}
END_TEST

/* --- latency -------------------------------------------------------------- */

START_TEST(latency_percentiles)
{
	struct signd_latency l;
	struct signd_percentiles p;

	memset(&l, 0, sizeof(l));
	signd_latency_percentiles(&l, &p);
	ck_assert_uint_eq(p.count, 0);
	ck_assert_uint_eq(p.p50_us | p.p90_us | p.p99_us | p.max_us, 0);

	/* 1..1000 us once each: p50 = 500, p90 = 900, p99 = 990 reported as the
	 * top of their buckets [480,511], [896,959], [960,1023] (capped at max). */
	for (uint64_t us = 1000; us >= 1; us--)
		signd_latency_add(&l, us * US);
	signd_latency_percentiles(&l, &p);
	ck_assert_uint_eq(p.count, 1000);
	ck_assert_uint_eq(p.p50_us, 511);
	ck_assert_uint_eq(p.p90_us, 959);
	ck_assert_uint_eq(p.p99_us, 1000);
	ck_assert_uint_eq(p.max_us, 1000);

	/* 98 answers at 100 us and two at 50 ms: the tail shows at p99 only. */
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 98; i++)
		signd_latency_add(&l, 100 * US);
	signd_latency_add(&l, 50 * MS);
	signd_latency_add(&l, 50 * MS);
	signd_latency_percentiles(&l, &p);
	ck_assert_uint_eq(p.p50_us, 103);
	ck_assert_uint_eq(p.p90_us, 103);
	ck_assert_uint_eq(p.p99_us, 50000);
	ck_assert_uint_eq(p.max_us, 50000);

	/* Below 8 us buckets are exact; sub-microsecond rounds up. */
	memset(&l, 0, sizeof(l));
	signd_latency_add(&l, 1);
	for (int i = 0; i < 9; i++)
		signd_latency_add(&l, 3 * US);
	signd_latency_percentiles(&l, &p);
	ck_assert_uint_eq(p.p50_us, 3);
	ck_assert_uint_eq(p.max_us, 3);
	memset(&l, 0, sizeof(l));
	signd_latency_add(&l, 1);
	signd_latency_percentiles(&l, &p);
	ck_assert_uint_eq(p.p50_us, 1);

	/* The promise, over a wide spread: never below the true value, less
	 * than 1/8 above it; and a huge sample lands in the last bucket. */
	memset(&l, 0, sizeof(l));
	for (uint64_t v = 1, i = 0; i < 200; i++, v = v * 11 / 10 + 1)
		signd_latency_add(&l, v * US);
	signd_latency_add(&l, 1ULL << 62);
	ck_assert_uint_eq(l.bucket[SIGND_LAT_BUCKETS - 1], 1);
	ck_assert_uint_eq(l.count, 201);
	for (uint64_t v = 1; v < (1ULL << 31); v = v * 3 + 1) {
		memset(&l, 0, sizeof(l));
		signd_latency_add(&l, v * US);
		signd_latency_add(&l, (v + 1) * US * 2); /* the max, above v */
		signd_latency_percentiles(&l, &p);
		ck_assert_uint_ge(p.p50_us, v);
		ck_assert_uint_lt(p.p50_us, v + v / 8 + 1);
	}
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(signd_state_name(SIGND_STATE_DISABLED), "disabled");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_MISSING_DIRECTORY), "missing_directory");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_NO_SOCKET), "no_socket");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_PERMISSION_DENIED), "permission_denied");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_REFUSED), "refused");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_STALLED), "stalled");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_CLOSED), "closed");
	ck_assert_str_eq(signd_state_name(SIGND_STATE_COUNT), "unknown");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_NOT_CONNECTED), "not_connected");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_QUEUE_FULL), "queue_full");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_SAMBA), "samba_failure");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_PEER_CLOSED), "peer_closed");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_TIMEOUT), "timeout");
	ck_assert_str_eq(signd_fail_name(SIGND_FAIL_BAD_REPLY), "bad_reply");
	for (int s = 0; s < SIGND_STATE_COUNT; s++)
		ck_assert_str_ne(signd_state_name((enum signd_state)s), "unknown");
	for (int r = 0; r < SIGND_FAIL_COUNT; r++)
		ck_assert_str_ne(signd_fail_name((enum signd_fail)r), "unknown");
}
END_TEST

Suite *signd_suite(void)
{
	Suite *s = suite_create("signd");
	TCase *fr = tcase_create("frame");
	TCase *st = tcase_create("state");
	TCase *pl = tcase_create("pipeline");
	TCase *lat = tcase_create("latency");

	tcase_add_test(fr, frame_encode_golden);
	tcase_add_test(fr, frame_parse_partial_and_multiple);
	tcase_add_loop_test(fr, frame_parse_bad, 0, (int)(sizeof(bad_frames) / sizeof(bad_frames[0])));
	suite_add_tcase(s, fr);

	tcase_add_test(st, state_disabled);
	tcase_add_test(st, params_rejected);
	tcase_add_test(st, state_missing_directory_backoff_then_samba);
	tcase_add_test(st, state_no_socket_then_samba);
	tcase_add_test(st, state_refused_then_restart);
	tcase_add_test(st, state_permission_denied);
	tcase_add_test(st, state_connected_samba_first);
	tcase_set_timeout(st, 30);
	suite_add_tcase(s, st);

	tcase_add_test(pl, sign_one);
	tcase_add_test(pl, pipelining);
	tcase_add_test(pl, reply_in_pieces);
	tcase_add_test(pl, samba_failure_keeps_connection);
	tcase_add_test(pl, peer_close_fails_only_oldest);
	tcase_add_test(pl, peer_close_after_an_answer);
	tcase_add_test(pl, peer_close_loop_is_bounded);
	tcase_add_test(pl, stalled_peer_times_out);
	tcase_add_loop_test(pl, bad_reply_and_recovery, 0,
			    (int)(sizeof(bad_replies) / sizeof(bad_replies[0])));
	tcase_add_test(pl, unsolicited_reply);
	tcase_add_test(pl, reply_before_request_sent);
	tcase_add_test(pl, queue_full);
	tcase_add_test(pl, partial_writes);
	tcase_set_timeout(pl, 30);
	suite_add_tcase(s, pl);

	tcase_add_test(lat, latency_percentiles);
	tcase_add_test(lat, names);
	suite_add_tcase(s, lat);
	return s;
}
