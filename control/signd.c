/* signd: the ntp_signd connection and request pipeline (see signd.h). */
#include "signd.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "signd_frame.h"

#define NS_PER_MS 1000000ULL
/* Replies are at most SIGND_FRAME_REPLY_MAX bytes, so after parsing fewer
 * than that remain and a read always has room. */
#define IN_CAP 4096

struct job {
	struct signd_route route;
	uint8_t key_id[SIGND_FRAME_KEYID_LEN];
	uint8_t reply[SIGND_FRAME_NTP_LEN];
	uint16_t packet_id;
	uint64_t submit_ns;
	uint64_t sent_ns;               /* framed on the current connection */
};

struct signd {
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t timeout_ns, backoff_min_ns, backoff_max_ns;
	signd_done_fn *done;
	void *arg;

	int fd;
	int connecting;                 /* connect() said EINPROGRESS */
	uint64_t conn_start_ns;
	uint64_t next_attempt_ns;
	uint64_t backoff_ns;

	/* Jobs in submit order; the head is the oldest unanswered. */
	struct job *ring;
	uint32_t cap, head, count;
	uint16_t next_id;

	/* Request bytes not yet accepted by the socket: out[off..len). Sized
	 * for every job's frame, so appending never runs out of room. */
	uint8_t *out;
	size_t out_cap, out_off, out_len;
	/* Frames are all SIGND_FRAME_REQ_LEN bytes, so these two say which
	 * jobs Samba has seen on this connection. */
	uint64_t conn_sent;             /* request bytes written */
	uint64_t conn_answered;         /* replies matched */

	uint8_t in[IN_CAP];
	size_t in_len;

	struct signd_stats st;
};

static const char *const state_names[SIGND_STATE_COUNT] = {
	[SIGND_STATE_DISABLED] = "disabled",
	[SIGND_STATE_CONNECTING] = "connecting",
	[SIGND_STATE_CONNECTED] = "connected",
	[SIGND_STATE_MISSING_DIRECTORY] = "missing_directory",
	[SIGND_STATE_NO_SOCKET] = "no_socket",
	[SIGND_STATE_PERMISSION_DENIED] = "permission_denied",
	[SIGND_STATE_REFUSED] = "refused",
	[SIGND_STATE_STALLED] = "stalled",
	[SIGND_STATE_CLOSED] = "closed",
	[SIGND_STATE_ERROR] = "error",
};

static const char *const fail_names[SIGND_FAIL_COUNT] = {
	[SIGND_FAIL_NONE] = "none",
	[SIGND_FAIL_NOT_CONNECTED] = "not_connected",
	[SIGND_FAIL_QUEUE_FULL] = "queue_full",
	[SIGND_FAIL_SAMBA] = "samba_failure",
	[SIGND_FAIL_PEER_CLOSED] = "peer_closed",
	[SIGND_FAIL_TIMEOUT] = "timeout",
	[SIGND_FAIL_BAD_REPLY] = "bad_reply",
};

const char *signd_state_name(enum signd_state s)
{
	return (unsigned int)s < SIGND_STATE_COUNT ? state_names[s] : "unknown";
}

const char *signd_fail_name(enum signd_fail f)
{
	return (unsigned int)f < SIGND_FAIL_COUNT ? fail_names[f] : "unknown";
}

/* --- latency histogram ---------------------------------------------------- */

static unsigned int lat_index(uint64_t us)
{
	unsigned int e;

	if (us < SIGND_LAT_SUB)
		return (unsigned int)us;
	e = 63u - (unsigned int)__builtin_clzll(us);
	if (e > SIGND_LAT_MAX_EXP)
		return SIGND_LAT_BUCKETS - 1;
	return SIGND_LAT_SUB + (e - SIGND_LAT_SUB_BITS) * SIGND_LAT_SUB +
	       (unsigned int)((us >> (e - SIGND_LAT_SUB_BITS)) & (SIGND_LAT_SUB - 1));
}

static uint64_t lat_upper(unsigned int i)
{
	unsigned int shift, sub;

	if (i < SIGND_LAT_SUB)
		return i;
	shift = (i - SIGND_LAT_SUB) / SIGND_LAT_SUB;
	sub = (i - SIGND_LAT_SUB) % SIGND_LAT_SUB;
	return ((uint64_t)(SIGND_LAT_SUB + sub + 1) << shift) - 1;
}

void signd_latency_add(struct signd_latency *l, uint64_t ns)
{
	/* Rounded up so a sub-microsecond answer never reads as zero. */
	uint64_t us = ns / 1000 + (ns % 1000 != 0);

	l->bucket[lat_index(us)]++;
	l->count++;
	if (us > l->max_us)
		l->max_us = us;
}

static uint64_t lat_percentile(const struct signd_latency *l, unsigned int pct)
{
	uint64_t rank = (l->count * pct + 99) / 100, seen = 0;

	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < SIGND_LAT_BUCKETS; i++) {
		seen += l->bucket[i];
		if (seen >= rank) {
			uint64_t up = lat_upper(i);
			return up < l->max_us ? up : l->max_us;
		}
	}
	return l->max_us;
}

void signd_latency_percentiles(const struct signd_latency *l, struct signd_percentiles *out)
{
	memset(out, 0, sizeof(*out));
	if (!l->count)
		return;
	out->count = l->count;
	out->p50_us = lat_percentile(l, 50);
	out->p90_us = lat_percentile(l, 90);
	out->p99_us = lat_percentile(l, 99);
	out->max_us = l->max_us;
}

/* --- state ---------------------------------------------------------------- */

static void set_state(struct signd *h, enum signd_state s, uint64_t now, int level, int err,
		      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Record a state and, when it changed, say so once: repeated failures of
 * the same kind during backoff stay quiet. */
static void set_state(struct signd *h, enum signd_state s, uint64_t now, int level, int err,
		      const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(h->st.last_error, sizeof(h->st.last_error), fmt, ap);
		va_end(ap);
		h->st.last_errno = err;
	}
	if (s == h->st.state)
		return;
	h->st.state = s;
	h->st.state_since_ns = now;
	if (s == SIGND_STATE_CONNECTED)
		log_msg(level, "signd: connected to %s", h->path);
	else
		log_msg(level, "signd: %s: %s", signd_state_name(s), fmt ? h->st.last_error : h->path);
}

static int connected(const struct signd *h)
{
	return h->fd >= 0 && !h->connecting;
}

static struct job *job_at(struct signd *h, uint32_t i)
{
	return &h->ring[(h->head + i) % h->cap];
}

/* Jobs whose request reached the socket, in part or whole. */
static uint32_t in_flight(const struct signd *h)
{
	uint64_t seen = (h->conn_sent + SIGND_FRAME_REQ_LEN - 1) / SIGND_FRAME_REQ_LEN;
	uint64_t n = seen > h->conn_answered ? seen - h->conn_answered : 0;

	return n < h->count ? (uint32_t)n : h->count;
}

/* Take the head off the ring, then tell the caller: the slot may be
 * reused by a submit from inside done(). */
static void finish_head(struct signd *h, const uint8_t *signed68, enum signd_fail reason, uint64_t now)
{
	struct job *j = job_at(h, 0);
	struct signd_route route = j->route;
	uint64_t lat = now > j->submit_ns ? now - j->submit_ns : 0;

	h->head = (h->head + 1) % h->cap;
	h->count--;
	if (reason == SIGND_FAIL_NONE) {
		h->st.signed_ok++;
		signd_latency_add(&h->st.latency, lat);
	} else {
		h->st.failed[reason]++;
	}
	h->done(h->arg, &route, signed68, reason, lat);
}

static void fail_all(struct signd *h, enum signd_fail reason, uint64_t now)
{
	while (h->count)
		finish_head(h, NULL, reason, now);
}

static void append_frame(struct signd *h, const struct job *j)
{
	if (h->out_cap - h->out_len < SIGND_FRAME_REQ_LEN) {
		memmove(h->out, h->out + h->out_off, h->out_len - h->out_off);
		h->out_len -= h->out_off;
		h->out_off = 0;
	}
	signd_frame_encode(h->out + h->out_len, h->out_cap - h->out_len, j->packet_id, j->key_id,
			   j->reply);
	h->out_len += SIGND_FRAME_REQ_LEN;
}

static void drop_connection(struct signd *h)
{
	if (h->fd < 0)
		return;
	close(h->fd);
	if (!h->connecting)
		h->st.disconnects++;
	h->fd = -1;
	h->connecting = 0;
	h->out_off = h->out_len = 0;
	h->in_len = 0;
	h->conn_sent = h->conn_answered = 0;
}

static void schedule_retry(struct signd *h, uint64_t now)
{
	h->next_attempt_ns = now + h->backoff_ns;
	h->backoff_ns = h->backoff_ns * 2 > h->backoff_max_ns ? h->backoff_max_ns : h->backoff_ns * 2;
}

static void try_connect(struct signd *h, uint64_t now);

/*
 * The connection ended under us (Samba closed it, or an error on the
 * socket). Samba answers in order and closes on the request it refuses,
 * so the oldest unanswered job is the one to fail; the rest never got an
 * answer and go again on a new connection right away, Samba being alive.
 * With no job to blame, nothing proves Samba is healthy: back off. The
 * new connection is written by signd_poll(), not from here, so a run of
 * closes is a loop there rather than a recursion.
 */
static void peer_lost(struct signd *h, int err, uint64_t now)
{
	int blamed = h->count > 0;

	drop_connection(h);
	if (err)
		set_state(h, SIGND_STATE_CLOSED, now, LOG_NOTICE, err, "connection to %s lost: %s",
			  h->path, strerror(err));
	else
		set_state(h, SIGND_STATE_CLOSED, now, LOG_NOTICE, 0, "%s closed the connection%s",
			  h->path, blamed ? " with a request unanswered" : "");
	if (blamed) {
		finish_head(h, NULL, SIGND_FAIL_PEER_CLOSED, now);
		try_connect(h, now);
	} else {
		schedule_retry(h, now);
	}
}

/* A reply we cannot trust: the stream is out of step, so the connection
 * goes. Like a close, it costs exactly the head job. */
static void bad_reply(struct signd *h, const char *why, uint64_t now)
{
	int blamed = h->count > 0;

	drop_connection(h);
	set_state(h, SIGND_STATE_ERROR, now, LOG_WARNING, EPROTO, "bad reply from %s: %s", h->path, why);
	if (blamed) {
		finish_head(h, NULL, SIGND_FAIL_BAD_REPLY, now);
		try_connect(h, now);
	} else {
		schedule_retry(h, now);
	}
}

static void connect_failed(struct signd *h, int err, uint64_t now)
{
	enum signd_state s;
	struct stat sb;

	drop_connection(h);
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		s = stat(h->dir, &sb) == 0 && S_ISDIR(sb.st_mode) ? SIGND_STATE_NO_SOCKET
								   : SIGND_STATE_MISSING_DIRECTORY;
		break;
	case EACCES:
	case EPERM:
		s = SIGND_STATE_PERMISSION_DENIED;
		break;
	case ECONNREFUSED:
		s = SIGND_STATE_REFUSED;
		break;
	default:
		s = SIGND_STATE_ERROR;
		break;
	}
	set_state(h, s, now, LOG_WARNING, err, "connect %s: %s", h->path, strerror(err));
	/* Jobs carried over from a lost connection have nowhere to go. */
	fail_all(h, SIGND_FAIL_NOT_CONNECTED, now);
	schedule_retry(h, now);
}

static void on_connected(struct signd *h, uint64_t now)
{
	h->connecting = 0;
	h->st.connects++;
	set_state(h, SIGND_STATE_CONNECTED, now,
		  h->st.state == SIGND_STATE_CLOSED ? LOG_DEBUG : LOG_INFO, 0, NULL);
	for (uint32_t i = 0; i < h->count; i++) {
		struct job *j = job_at(h, i);
		j->sent_ns = now;
		append_frame(h, j);
	}
}

static void try_connect(struct signd *h, uint64_t now)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	memcpy(sa.sun_path, h->path, sizeof(h->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		connect_failed(h, errno, now);
		return;
	}
	h->fd = fd;
	h->connecting = 1;
	h->conn_start_ns = now;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		on_connected(h, now);
		return;
	}
	if (errno != EINPROGRESS) {
		connect_failed(h, errno, now);
		return;
	}
	/* Not on Linux for AF_UNIX, but allowed by POSIX: finish on POLLOUT.
	 * Carried-over jobs wait, timed from now. */
	for (uint32_t i = 0; i < h->count; i++)
		job_at(h, i)->sent_ns = now;
	set_state(h, SIGND_STATE_CONNECTING, now, LOG_DEBUG, 0, NULL);
}

static void finish_connect(struct signd *h, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		connect_failed(h, err, now);
	else
		on_connected(h, now);
}

/* --- I/O ------------------------------------------------------------------ */

/* Write what the socket takes. Returns 0 when drained or on EAGAIN, -1
 * when the connection was lost (and perhaps already replaced). */
static int flush_out(struct signd *h, uint64_t now)
{
	while (h->out_off < h->out_len) {
		ssize_t n = send(h->fd, h->out + h->out_off, h->out_len - h->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			h->out_off += (size_t)n;
			h->conn_sent += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		peer_lost(h, n < 0 ? errno : EPIPE, now);
		return -1;
	}
	h->out_off = h->out_len = 0;
	return 0;
}

/* Match one reply to the head job. Returns NULL, or why it does not match. */
static const char *take_reply(struct signd *h, const struct signd_frame_reply *r, uint64_t now)
{
	const struct job *j;

	/* Samba cannot answer a request it has not read in full. */
	if (!h->count || h->conn_sent < (h->conn_answered + 1) * SIGND_FRAME_REQ_LEN)
		return "reply with no request outstanding";
	j = job_at(h, 0);
	if (r->packet_id != j->packet_id)
		return "packet id does not match the oldest request";
	/* Samba returns our reply and key id verbatim before the MAC; any
	 * other bytes would be a signature over something we did not send. */
	if (r->op == SIGND_OP_SIGNING_SUCCESS &&
	    (memcmp(r->payload, j->reply, SIGND_FRAME_NTP_LEN) != 0 ||
	     memcmp(r->payload + SIGND_FRAME_NTP_LEN, j->key_id, SIGND_FRAME_KEYID_LEN) != 0))
		return "signed packet is not the reply that was sent";
	h->conn_answered++;
	/* Any answer shows Samba is working: the next outage starts afresh. */
	h->backoff_ns = h->backoff_min_ns;
	if (r->op == SIGND_OP_SIGNING_FAILURE)
		finish_head(h, NULL, SIGND_FAIL_SAMBA, now);
	else
		finish_head(h, r->payload, SIGND_FAIL_NONE, now);
	return NULL;
}

/* Returns 0 while the connection lives, -1 once it was dropped. */
static int parse_in(struct signd *h, uint64_t now)
{
	struct signd_frame_reply r;
	size_t pos = 0;
	const char *why = NULL;

	for (;;) {
		enum signd_frame_verdict v = signd_frame_parse(h->in + pos, h->in_len - pos, &r);
		if (v == SIGND_FRAME_NEED_MORE)
			break;
		if (v == SIGND_FRAME_BAD) {
			why = "malformed frame";
			break;
		}
		why = take_reply(h, &r, now);
		if (why)
			break;
		pos += r.frame_len;
	}
	if (why) {
		bad_reply(h, why, now);
		return -1;
	}
	memmove(h->in, h->in + pos, h->in_len - pos);
	h->in_len -= pos;
	return 0;
}

static void read_in(struct signd *h, uint64_t now)
{
	while (connected(h)) {
		ssize_t n = recv(h->fd, h->in + h->in_len, sizeof(h->in) - h->in_len, MSG_DONTWAIT);
		if (n > 0) {
			h->in_len += (size_t)n;
			if (parse_in(h, now) < 0)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* Replies that came before the close were matched above. */
		peer_lost(h, n < 0 ? errno : 0, now);
		return;
	}
}

static uint64_t deadline(const struct signd *h)
{
	if (h->connecting)
		return h->conn_start_ns + h->timeout_ns;
	return h->ring[h->head].sent_ns + h->timeout_ns;
}

static void check_timeout(struct signd *h, uint64_t now)
{
	if (h->fd < 0 || (!h->connecting && !h->count) || now < deadline(h))
		return;
	drop_connection(h);
	set_state(h, SIGND_STATE_STALLED, now, LOG_WARNING, ETIMEDOUT,
		  "%s did not answer within %llu ms", h->path,
		  (unsigned long long)(h->timeout_ns / NS_PER_MS));
	fail_all(h, SIGND_FAIL_TIMEOUT, now);
	schedule_retry(h, now);
}

/* --- exports -------------------------------------------------------------- */

struct signd *signd_new(const struct signd_params *p, signd_done_fn *done, void *arg)
{
	struct signd *h;
	uint32_t qmax = p->queue_max ? p->queue_max : SIGND_QUEUE_MAX_DEFAULT;

	if (qmax > SIGND_QUEUE_MAX_LIMIT) {
		log_msg(LOG_ERR, "signd: queue size %u out of range 1..%u", qmax, SIGND_QUEUE_MAX_LIMIT);
		errno = EINVAL;
		return NULL;
	}
	if (!done) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->fd = -1;
	h->done = done;
	h->arg = arg;
	h->cap = qmax;
	h->timeout_ns = p->timeout_ns ? p->timeout_ns : SIGND_TIMEOUT_DEFAULT_NS;
	h->backoff_min_ns = p->backoff_min_ns ? p->backoff_min_ns : SIGND_BACKOFF_MIN_DEFAULT_NS;
	h->backoff_max_ns = p->backoff_max_ns ? p->backoff_max_ns : SIGND_BACKOFF_MAX_DEFAULT_NS;
	if (h->backoff_max_ns < h->backoff_min_ns)
		h->backoff_max_ns = h->backoff_min_ns;
	h->backoff_ns = h->backoff_min_ns;
	h->st.queue_max = qmax;
	h->st.state = SIGND_STATE_DISABLED;

	if (p->dir && p->dir[0]) {
		int n = snprintf(h->path, sizeof(h->path), "%s/socket", p->dir);
		if (n < 0 || (size_t)n >= sizeof(h->path)) {
			log_msg(LOG_ERR, "signd: socket path %s/socket is longer than %zu bytes",
				p->dir, sizeof(h->path) - 1);
			free(h);
			errno = ENAMETOOLONG;
			return NULL;
		}
		snprintf(h->dir, sizeof(h->dir), "%s", p->dir);
		h->st.state = SIGND_STATE_CONNECTING;
	}
	h->ring = calloc(qmax, sizeof(*h->ring));
	h->out_cap = (size_t)qmax * SIGND_FRAME_REQ_LEN;
	h->out = malloc(h->out_cap);
	if (!h->ring || !h->out) {
		free(h->ring);
		free(h->out);
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void signd_free(struct signd *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	free(h->ring);
	free(h->out);
	free(h);
}

const char *signd_socket_path(const struct signd *h)
{
	return h->path;
}

int signd_submit(struct signd *h, const uint8_t key_id[4], const uint8_t reply48[48],
		 const struct signd_route *route, uint64_t now_ns)
{
	struct job *j;

	h->st.submitted++;
	if (!connected(h)) {
		h->st.failed[SIGND_FAIL_NOT_CONNECTED]++;
		return -ENOTCONN;
	}
	if (h->count == h->cap) {
		h->st.failed[SIGND_FAIL_QUEUE_FULL]++;
		return -ENOBUFS;
	}
	j = job_at(h, h->count);
	j->route = *route;
	memcpy(j->key_id, key_id, sizeof(j->key_id));
	memcpy(j->reply, reply48, sizeof(j->reply));
	/* Sequential ids are unique among at most 65536 pending jobs. */
	j->packet_id = h->next_id++;
	j->submit_ns = j->sent_ns = now_ns;
	h->count++;
	append_frame(h, j);
	return 0;
}

int signd_fd(const struct signd *h)
{
	return h->fd;
}

short signd_events(const struct signd *h)
{
	if (h->fd < 0)
		return 0;
	if (h->connecting)
		return POLLOUT;
	return POLLIN | (h->out_off < h->out_len ? POLLOUT : 0);
}

int signd_next_timeout_ms(const struct signd *h, uint64_t now_ns)
{
	uint64_t when, ms;

	if (h->st.state == SIGND_STATE_DISABLED)
		return -1;
	if (h->fd < 0)
		when = h->next_attempt_ns;
	else if (h->connecting || h->count)
		when = deadline(h);
	else
		return -1;
	if (when <= now_ns)
		return 0;
	/* Rounded up: waking early would only spin. */
	ms = (when - now_ns + NS_PER_MS - 1) / NS_PER_MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void signd_poll(struct signd *h, short revents, uint64_t now_ns)
{
	if (h->st.state == SIGND_STATE_DISABLED)
		return;
	if (h->fd >= 0 && h->connecting) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			finish_connect(h, now_ns);
	} else if (h->fd >= 0) {
		if (revents & (POLLIN | POLLERR | POLLHUP))
			read_in(h, now_ns);
	}
	check_timeout(h, now_ns);
	if (h->fd < 0 && now_ns >= h->next_attempt_ns)
		try_connect(h, now_ns);
	/* A write that loses the connection fails one job and reconnects at
	 * once, so this ends within as many turns as there are jobs. */
	while (connected(h) && h->out_off < h->out_len)
		if (flush_out(h, now_ns) == 0)
			break;
}

void signd_get_stats(const struct signd *h, struct signd_stats *st)
{
	*st = h->st;
	st->queue_depth = h->count;
	st->in_flight = h->fd >= 0 ? in_flight(h) : 0;
}
