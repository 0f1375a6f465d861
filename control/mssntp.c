/* mssntp: MS-SNTP requests -> signed replies (see mssntp.h). */
#include "mssntp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ntp_packet.h"
#include "tstamp.h"

struct mssntp {
	struct signd *signd;
	mssntp_send_fn *send;
	void *send_arg;
	char dir[LT_CFG_PATH_MAX];
	struct mssntp_counters ctr;
	/* Counters of clients replaced by a reload, so reports keep counting. */
	struct signd_stats past;
};

static void on_signed(void *arg, const struct signd_route *route, const uint8_t *signed68,
		      enum signd_fail reason, uint64_t latency_ns)
{
	struct mssntp *s = arg;
	struct lt_msg m;

	(void)reason;
	(void)latency_ns;
	if (!signed68)
		return; /* counted by signd, by reason */
	mssntp_inject_msg(route, signed68, &m);
	if (s->send(s->send_arg, &m) != 0) {
		s->ctr.inject_full++;
		return;
	}
	s->ctr.sent++;
}

static struct signd *open_signd(struct mssntp *s, const char *dir)
{
	struct signd_params p = {.dir = dir};
	struct signd *h = signd_new(&p, on_signed, s);

	if (!h)
		log_msg(LOG_ERR, "ntpsigndsocket %s: %s", dir, strerror(errno));
	else if (dir[0])
		log_msg(LOG_INFO, "MS-SNTP: signing through %s", signd_socket_path(h));
	return h;
}

struct mssntp *mssntp_new(const struct lt_config *cfg, mssntp_send_fn *send, void *arg)
{
	struct mssntp *s = calloc(1, sizeof(*s));

	if (!s) {
		log_msg(LOG_ERR, "MS-SNTP: out of memory");
		return NULL;
	}
	s->send = send;
	s->send_arg = arg;
	snprintf(s->dir, sizeof(s->dir), "%s", cfg->ntpsigndsocket);
	s->signd = open_signd(s, s->dir);
	if (!s->signd) {
		free(s);
		return NULL;
	}
	return s;
}

void mssntp_free(struct mssntp *s)
{
	if (!s)
		return;
	signd_free(s->signd);
	free(s);
}

/* Add the counters of from to those of to (state and queue are left). */
static void add_totals(struct signd_stats *to, const struct signd_stats *from)
{
	to->connects += from->connects;
	to->disconnects += from->disconnects;
	to->submitted += from->submitted;
	to->signed_ok += from->signed_ok;
	for (int i = 0; i < SIGND_FAIL_COUNT; i++)
		to->failed[i] += from->failed[i];
	for (unsigned int i = 0; i < SIGND_LAT_BUCKETS; i++)
		to->latency.bucket[i] += from->latency.bucket[i];
	to->latency.count += from->latency.count;
	if (from->latency.max_us > to->latency.max_us)
		to->latency.max_us = from->latency.max_us;
}

int mssntp_configure(struct mssntp *s, const struct lt_config *cfg)
{
	static struct signd_stats old;
	struct signd *h;

	if (strcmp(s->dir, cfg->ntpsigndsocket) == 0)
		return 0;
	h = open_signd(s, cfg->ntpsigndsocket);
	if (!h)
		return -errno;
	if (!cfg->ntpsigndsocket[0])
		log_msg(LOG_INFO, "MS-SNTP: signing turned off");
	/* The replaced client's counts live on in the reports. */
	signd_get_stats(s->signd, &old);
	add_totals(&s->past, &old);
	signd_free(s->signd);
	s->signd = h;
	snprintf(s->dir, sizeof(s->dir), "%s", cfg->ntpsigndsocket);
	return 0;
}

int mssntp_enabled(const struct mssntp *s)
{
	return s->dir[0] != '\0';
}

int mssntp_is_request(const struct lt_msg *m)
{
	return m->type == LT_MSG_PUNT_UDP && m->dport == NTP_PORT &&
	       (m->family == 4 || m->family == 6) && ntp_packet_is_mssntp(m->payload, m->len);
}

void mssntp_build_reply(const struct lt_clock_snapshot *snap, uint64_t now_tsc,
			const struct lt_msg *m, uint8_t reply[48], uint8_t key_id[4],
			struct signd_route *route)
{
	struct ntp_server_params sp;
	struct ntp_header h;

	tstamp_server_params(snap, now_tsc, &sp);
	ntp_packet_server_reply(&sp, m->payload, m->ts, tstamp_tx(snap, now_tsc), &h);
	ntp_packet_encode(&h, reply, NTP_HEADER_LEN);
	memcpy(key_id, m->payload + NTP_HEADER_LEN, 4);

	memset(route, 0, sizeof(*route));
	route->port = m->port;
	route->family = m->family;
	memcpy(route->src, m->dst, sizeof(route->src)); /* from the address it was sent to */
	memcpy(route->dst, m->src, sizeof(route->dst));
	route->sport = m->dport;
	route->dport = m->sport;
	memcpy(route->mac, m->mac, sizeof(route->mac));
}

void mssntp_inject_msg(const struct signd_route *route, const uint8_t signed68[68],
		       struct lt_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->type = LT_MSG_INJECT_UDP;
	out->flags = LT_MSG_F_DIRECT;
	out->port = route->port;
	out->family = route->family;
	memcpy(out->src, route->src, sizeof(out->src));
	memcpy(out->dst, route->dst, sizeof(out->dst));
	out->sport = route->sport;
	out->dport = route->dport;
	memcpy(out->mac, route->mac, sizeof(out->mac));
	out->len = NTP_MSSNTP_LEN;
	memcpy(out->payload, signed68, NTP_MSSNTP_LEN);
}

void mssntp_request(struct mssntp *s, const struct lt_msg *m, const struct lt_clock_snapshot *snap,
		    uint64_t now_tsc, uint64_t now_ns)
{
	struct signd_route route;
	uint8_t reply[NTP_HEADER_LEN], key_id[4];

	s->ctr.requests++;
	if (!mssntp_is_request(m)) {
		s->ctr.malformed++;
		return;
	}
	mssntp_build_reply(snap, now_tsc, m, reply, key_id, &route);
	/* Refusals (no connection, queue full) are counted by signd. */
	signd_submit(s->signd, key_id, reply, &route, now_ns);
}

int mssntp_pollfd(const struct mssntp *s, struct pollfd *pfd)
{
	int fd = signd_fd(s->signd);

	if (fd < 0)
		return 0;
	pfd->fd = fd;
	pfd->events = signd_events(s->signd);
	pfd->revents = 0;
	return 1;
}

int mssntp_timeout_ms(const struct mssntp *s, uint64_t now_ns)
{
	return signd_next_timeout_ms(s->signd, now_ns);
}

void mssntp_poll(struct mssntp *s, short revents, uint64_t now_ns)
{
	signd_poll(s->signd, revents, now_ns);
}

void mssntp_stats(const struct mssntp *s, struct signd_stats *st, struct mssntp_counters *c)
{
	signd_get_stats(s->signd, st);
	add_totals(st, &s->past);
	if (c)
		*c = s->ctr;
}

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

void mssntp_report(const struct mssntp *s, uint64_t now_ns, struct json_object *data)
{
	static struct signd_stats st;
	struct mssntp_counters c;
	struct signd_percentiles pc;
	struct json_object *q = json_object_new_object(), *f = json_object_new_object(),
			   *lat = json_object_new_object();

	mssntp_stats(s, &st, &c);
	json_object_object_add(data, "enabled", json_object_new_boolean(mssntp_enabled(s)));
	json_object_object_add(data, "directory", json_object_new_string(s->dir));
	json_object_object_add(data, "socket", json_object_new_string(signd_socket_path(s->signd)));
	json_object_object_add(data, "state", json_object_new_string(signd_state_name(st.state)));
	json_object_object_add(data, "state_for_s",
			       json_object_new_double(st.state_since_ns && now_ns > st.state_since_ns
							      ? (double)(now_ns - st.state_since_ns) / 1e9
							      : 0.0));
	json_object_object_add(data, "last_error", json_object_new_string(st.last_error));
	add_u64(data, "connects", st.connects);
	add_u64(data, "disconnects", st.disconnects);
	add_u64(q, "depth", st.queue_depth);
	add_u64(q, "in_flight", st.in_flight);
	add_u64(q, "max", st.queue_max);
	json_object_object_add(data, "queue", q);
	add_u64(data, "requests", c.requests);
	add_u64(data, "submitted", st.submitted);
	add_u64(data, "signed", st.signed_ok);
	add_u64(data, "sent", c.sent);
	for (int i = SIGND_FAIL_NONE + 1; i < SIGND_FAIL_COUNT; i++)
		add_u64(f, signd_fail_name((enum signd_fail)i), st.failed[i]);
	add_u64(f, "inject_full", c.inject_full);
	add_u64(f, "malformed", c.malformed);
	json_object_object_add(data, "failed", f);
	signd_latency_percentiles(&st.latency, &pc);
	add_u64(lat, "count", pc.count);
	add_u64(lat, "p50", pc.p50_us);
	add_u64(lat, "p90", pc.p90_us);
	add_u64(lat, "p99", pc.p99_us);
	add_u64(lat, "max", pc.max_us);
	json_object_object_add(data, "latency_us", lat);
}
