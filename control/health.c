/* health: the monitoring verdict (see health.h). */
#include "health.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ntp_packet.h"

struct verdict {
	enum health_state worst;
	char summary[300];
	struct json_object *checks;
};

static void check(struct verdict *v, const char *name, enum health_state st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void check(struct verdict *v, const char *name, enum health_state st, const char *fmt, ...)
{
	struct json_object *c = json_object_new_object();
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "status", json_object_new_string(health_state_name(st)));
	json_object_object_add(c, "message", json_object_new_string(msg));
	json_object_array_add(v->checks, c);
	/* The summary names the first of the worst problems. */
	if (st > v->worst || (st != HEALTH_OK && !v->summary[0])) {
		v->worst = st;
		snprintf(v->summary, sizeof(v->summary), "%s: %s", name, msg);
	}
}

static void check_clock(struct verdict *v, const struct lt_clock_snapshot *s, uint64_t now_tsc)
{
	const struct lt_clock_params *p = &s->p;

	if (!s->tsc.valid)
		check(v, "clock", HEALTH_CRITICAL, "no clock published yet: replies say unsynchronised");
	else if (now_tsc > p->holdover_deadline_tsc)
		check(v, "clock", HEALTH_CRITICAL,
		      "holdover expired (control not publishing): replies say unsynchronised");
	else if (p->leap == NTP_LEAP_UNSYNC || p->stratum >= NTP_STRATUM_UNSYNC || p->stratum == 0)
		check(v, "clock", HEALTH_CRITICAL, "unsynchronised (stratum %u, leap %u)", p->stratum,
		      p->leap);
	else
		check(v, "clock", HEALTH_OK, "serving stratum %u", p->stratum);
}

static void check_ports(struct verdict *v, const struct lt_ports_block *b)
{
	unsigned int up = 0, n = b->n_ports < LT_MAX_PORTS ? b->n_ports : LT_MAX_PORTS;
	char down[128] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (b->port[i].link_up) {
			up++;
			continue;
		}
		int w = snprintf(down + used, sizeof(down) - used, "%s%.31s", used ? ", " : "",
				 b->port[i].name);
		if (w > 0 && (size_t)w < sizeof(down) - used)
			used += (size_t)w;
	}
	if (n == 0)
		check(v, "ports", HEALTH_CRITICAL, "the dataplane reports no ports");
	else if (up == 0)
		check(v, "ports", HEALTH_CRITICAL, "every link is down: %s", down);
	else if (up < n)
		check(v, "ports", HEALTH_WARNING, "link down: %s (%u of %u up)", down, up, n);
	else
		check(v, "ports", HEALTH_OK, "%u of %u links up", up, n);
}

static void check_signd(struct verdict *v, const struct signd_stats *st, uint64_t now_ns)
{
	uint64_t in_state = now_ns > st->state_since_ns ? now_ns - st->state_since_ns : 0;
	const char *state = signd_state_name(st->state);

	if (st->state == SIGND_STATE_CONNECTED) {
		check(v, "signd", HEALTH_OK, "connected, %" PRIu64 " replies signed", st->signed_ok);
		return;
	}
	/* A reconnect in progress is expected after a Samba restart. */
	check(v, "signd", in_state < HEALTH_SIGND_GRACE_NS ? HEALTH_WARNING : HEALTH_CRITICAL,
	      "%s for %.0f s%s%s: signed-time (MS-SNTP) requests are dropped", state,
	      (double)in_state / 1e9, st->last_error[0] ? ", " : "", st->last_error);
}

static void check_upstream(struct verdict *v, const struct health_inputs *in)
{
	const char *mode = in->upstream_mode ? in->upstream_mode : "local";

	if (strcmp(mode, "upstream") == 0)
		check(v, "upstream", HEALTH_OK, "synchronised to %s, stratum %d",
		      in->upstream_reference && *in->upstream_reference ? in->upstream_reference : "?",
		      in->upstream_stratum);
	else if (strcmp(mode, "holdover") == 0)
		check(v, "upstream", HEALTH_WARNING,
		      "no usable source: holdover, root distance %.6f s and growing", in->upstream_distance);
	else
		check(v, "upstream", in->uptime_s < HEALTH_SYNC_GRACE_S ? HEALTH_WARNING : HEALTH_CRITICAL,
		      "not synchronised: serving the local clock at stratum %d", in->upstream_stratum);
}

enum health_state health_report(const struct health_inputs *in, struct json_object *data)
{
	struct verdict v = {.worst = HEALTH_OK, .checks = json_object_new_array()};

	if (in->dp_alive)
		check(&v, "dataplane", HEALTH_OK, "running");
	else
		check(&v, "dataplane", HEALTH_CRITICAL, "not responding: no NTP replies are sent");
	check_clock(&v, in->clock, in->now_tsc);
	if (in->dp_alive)
		check_ports(&v, in->ports);
	if (in->signd_enabled && in->signd)
		check_signd(&v, in->signd, in->now_ns);
	if (in->upstream_configured)
		check_upstream(&v, in);
	if (v.worst == HEALTH_OK)
		snprintf(v.summary, sizeof(v.summary), "%zu checks passed",
			 json_object_array_length(v.checks));
	json_object_object_add(data, "status", json_object_new_string(health_state_name(v.worst)));
	json_object_object_add(data, "code", json_object_new_int(v.worst));
	json_object_object_add(data, "summary", json_object_new_string(v.summary));
	json_object_object_add(data, "checks", v.checks);
	return v.worst;
}

const char *health_state_name(enum health_state s)
{
	switch (s) {
	case HEALTH_OK:
		return "OK";
	case HEALTH_WARNING:
		return "WARNING";
	case HEALTH_CRITICAL:
		return "CRITICAL";
	}
	return "UNKNOWN";
}
