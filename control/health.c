/* health: the monitoring verdict (see health.h). */
#include "health.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ntp_packet.h"

struct verdict {
	enum health_state worst;
	char summary[300];
	struct json_object *checks;
	struct json_object *perfdata;
};

/* Level of a measurement that is bad when high (>= a threshold; 0 is off). */
static enum health_state above(double v, double warn, double crit)
{
	if (crit > 0 && v >= crit)
		return HEALTH_CRITICAL;
	if (warn > 0 && v >= warn)
		return HEALTH_WARNING;
	return HEALTH_OK;
}

/* ... and one that is bad when low (< a threshold; 0 is off). */
static enum health_state below(double v, double warn, double crit)
{
	if (crit > 0 && v < crit)
		return HEALTH_CRITICAL;
	if (warn > 0 && v < warn)
		return HEALTH_WARNING;
	return HEALTH_OK;
}

/*
 * One perfdata item. Nagios ranges: "10" alerts above 10, "5:" below 5;
 * the threshold is only written when that level is on. Whole numbers are
 * printed without decimals.
 */
static void perf(struct verdict *v, const char *label, double value, const char *uom, double warn,
		 double crit, int low_is_bad, const char *min, const char *max)
{
	struct json_object *p = json_object_new_object();
	char w[32] = "", c[32] = "";

	if (warn > 0)
		snprintf(w, sizeof(w), "%.9g%s", warn, low_is_bad ? ":" : "");
	if (crit > 0)
		snprintf(c, sizeof(c), "%.9g%s", crit, low_is_bad ? ":" : "");
	json_object_object_add(p, "label", json_object_new_string(label));
	json_object_object_add(p, "value", json_object_new_double(value));
	json_object_object_add(p, "uom", json_object_new_string(uom));
	json_object_object_add(p, "warn", json_object_new_string(w));
	json_object_object_add(p, "crit", json_object_new_string(c));
	json_object_object_add(p, "min", json_object_new_string(min));
	json_object_object_add(p, "max", json_object_new_string(max));
	json_object_array_add(v->perfdata, p);
}

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

static void check_clock(struct verdict *v, const struct lt_clock_snapshot *s, uint64_t now_tsc,
			const struct lt_cfg_health *lim)
{
	const struct lt_clock_params *p = &s->p;
	enum health_state st = above(p->stratum, lim->stratum_warning, lim->stratum_critical);

	if (s->tsc.valid)
		perf(v, "stratum", p->stratum, "", lim->stratum_warning, lim->stratum_critical, 0,
		     "0", "16");
	if (!s->tsc.valid)
		check(v, "clock", HEALTH_CRITICAL, "no clock published yet: replies say unsynchronised");
	else if (now_tsc > p->holdover_deadline_tsc)
		check(v, "clock", HEALTH_CRITICAL,
		      "holdover expired (control not publishing): replies say unsynchronised");
	else if (p->leap == NTP_LEAP_UNSYNC || p->stratum >= NTP_STRATUM_UNSYNC || p->stratum == 0)
		check(v, "clock", HEALTH_CRITICAL, "unsynchronised (stratum %u, leap %u)", p->stratum,
		      p->leap);
	else if (st != HEALTH_OK)
		check(v, "clock", st, "serving stratum %u, at or above the %s threshold %u", p->stratum,
		      st == HEALTH_CRITICAL ? "critical" : "warning",
		      st == HEALTH_CRITICAL ? lim->stratum_critical : lim->stratum_warning);
	else
		check(v, "clock", HEALTH_OK, "serving stratum %u", p->stratum);
}

static void check_dataplane(struct verdict *v, const struct health_inputs *in,
			    const struct lt_cfg_health *lim)
{
	enum health_state st = above(in->dp_heartbeat_age, lim->heartbeat_warning,
				     lim->heartbeat_critical);

	perf(v, "dp_heartbeat_age", in->dp_heartbeat_age, "s", lim->heartbeat_warning,
	     lim->heartbeat_critical, 0, "0", "");
	if (!in->dp_alive)
		check(v, "dataplane", HEALTH_CRITICAL,
		      "not responding (no heartbeat for %.1f s): no NTP replies are sent",
		      in->dp_heartbeat_age);
	else if (st != HEALTH_OK)
		check(v, "dataplane", st, "heartbeat %.2f s old (threshold %.2f s)",
		      in->dp_heartbeat_age,
		      st == HEALTH_CRITICAL ? lim->heartbeat_critical : lim->heartbeat_warning);
	else
		check(v, "dataplane", HEALTH_OK, "running");
}

/* Frames lost between the processes: punts control did not take in time,
 * injects the dataplane had no room for. */
static void check_rings(struct verdict *v, uint64_t drops, const struct lt_cfg_health *lim)
{
	enum health_state st = above((double)drops, lim->ring_drops_warning,
				     lim->ring_drops_critical);

	perf(v, "ring_drops", (double)drops, "", lim->ring_drops_warning, lim->ring_drops_critical,
	     0, "0", "");
	if (st == HEALTH_OK)
		check(v, "rings", HEALTH_OK, "%" PRIu64 " drops in the last minute", drops);
	else
		check(v, "rings", st, "%" PRIu64 " frames dropped on the shared-memory rings in "
		      "the last minute", drops);
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

static void check_signd(struct verdict *v, const struct signd_stats *st, uint64_t now_ns,
			uint64_t timeouts)
{
	uint64_t in_state = now_ns > st->state_since_ns ? now_ns - st->state_since_ns : 0;
	const char *state = signd_state_name(st->state);

	/* A hung Samba still accepts connections: between two timeouts the
	 * state is "connected" again, so the timeouts themselves are the sign. */
	if (timeouts) {
		check(v, "signd", HEALTH_WARNING,
		      "%s, but %" PRIu64 " signing requests timed out in the last minute: "
		      "Samba accepts and does not answer", state, timeouts);
		return;
	}
	if (st->state == SIGND_STATE_CONNECTED) {
		check(v, "signd", HEALTH_OK, "connected, %" PRIu64 " replies signed", st->signed_ok);
		return;
	}
	/* A reconnect in progress is expected after a Samba restart. */
	check(v, "signd", in_state < HEALTH_SIGND_GRACE_NS ? HEALTH_WARNING : HEALTH_CRITICAL,
	      "%s for %.0f s%s%s: signed-time (MS-SNTP) requests are dropped", state,
	      (double)in_state / 1e9, st->last_error[0] ? ", " : "", st->last_error);
}

/* The statistics logs: losing lines does not hurt clients, but an operator
 * wants to know before the post-mortem that needs them. */
static void check_logs(struct verdict *v, const struct health_inputs *in)
{
	const char *dir = in->logdir ? in->logdir : "";

	perf(v, "log_lines_lost", (double)in->log_lines_lost, "", 1, 0, 0, "0", "");
	if (in->log_lines_lost)
		check(v, "logs", HEALTH_WARNING, "%" PRIu64 " statistics log lines lost in the last "
		      "minute in %s%s%s", in->log_lines_lost, dir, in->log_errno ? ": " : "",
		      in->log_errno ? strerror(in->log_errno) : " (writing again)");
	else
		check(v, "logs", HEALTH_OK, "written to %s", dir);
}

static void check_offset(struct verdict *v, double offset, const struct lt_cfg_health *lim)
{
	double a = fabs(offset);
	enum health_state st = above(a, lim->offset_warning, lim->offset_critical);

	perf(v, "offset", offset, "s", lim->offset_warning, lim->offset_critical, 0, "", "");
	if (st == HEALTH_OK)
		check(v, "offset", HEALTH_OK, "%+.6f s from the sources", offset);
	else
		check(v, "offset", st, "%+.6f s from the sources (threshold %g s)", offset,
		      st == HEALTH_CRITICAL ? lim->offset_critical : lim->offset_warning);
}

static void check_sources(struct verdict *v, unsigned int good, const struct lt_cfg_health *lim)
{
	enum health_state st = below(good, lim->sources_warning, lim->sources_critical);

	perf(v, "sources", good, "", lim->sources_warning, lim->sources_critical, 1, "0", "");
	if (st == HEALTH_OK)
		check(v, "sources", HEALTH_OK, "%u good", good);
	else
		check(v, "sources", st, "%u good, fewer than %u", good,
		      st == HEALTH_CRITICAL ? lim->sources_critical : lim->sources_warning);
}

static void check_upstream(struct verdict *v, const struct health_inputs *in, const char *mode)
{
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
	struct verdict v = {.worst = HEALTH_OK, .checks = json_object_new_array(),
			    .perfdata = json_object_new_array()};
	const struct lt_cfg_health *lim = in->limits ? in->limits : &config_health_defaults;

	check_dataplane(&v, in, lim);
	check_clock(&v, in->clock, in->now_tsc, lim);
	if (in->dp_alive)
		check_ports(&v, in->ports);
	check_rings(&v, in->ring_drops, lim);
	if (in->signd_enabled && in->signd)
		check_signd(&v, in->signd, in->now_ns, in->signd_timeouts);
	if (in->upstream_configured) {
		const char *mode = in->upstream_mode ? in->upstream_mode : "local";

		check_upstream(&v, in, mode);
		check_sources(&v, in->good_sources, lim);
		/* Only a clock that follows its sources has an offset from them. */
		if (strcmp(mode, "local") != 0 && isfinite(in->upstream_offset))
			check_offset(&v, in->upstream_offset, lim);
	}
	if (in->logs_on)
		check_logs(&v, in);
	if (v.worst == HEALTH_OK)
		snprintf(v.summary, sizeof(v.summary), "%zu checks passed",
			 json_object_array_length(v.checks));
	json_object_object_add(data, "status", json_object_new_string(health_state_name(v.worst)));
	json_object_object_add(data, "code", json_object_new_int(v.worst));
	json_object_object_add(data, "summary", json_object_new_string(v.summary));
	json_object_object_add(data, "checks", v.checks);
	json_object_object_add(data, "perfdata", v.perfdata);
	return v.worst;
}

int health_limits_from_args(struct lt_cfg_health *limits, struct json_object *args, char *err,
			    size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
		int is_double;
	} keys[] = {
#define D(f) { #f, offsetof(struct lt_cfg_health, f), 1 }
#define U(f) { #f, offsetof(struct lt_cfg_health, f), 0 }
		D(offset_warning), D(offset_critical), U(sources_warning), U(sources_critical),
		U(stratum_warning), U(stratum_critical), U(ring_drops_warning),
		U(ring_drops_critical), D(heartbeat_warning), D(heartbeat_critical),
#undef D
#undef U
	};

	if (!args)
		return 0;
	json_object_object_foreach(args, key, val) {
		size_t i;
		double d;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			snprintf(err, errlen, "unknown health threshold \"%.40s\"", key);
			return -EINVAL;
		}
		if (!json_object_is_type(val, json_type_int) && !json_object_is_type(val, json_type_double)) {
			snprintf(err, errlen, "health threshold %s must be a number", key);
			return -EINVAL;
		}
		d = json_object_get_double(val);
		if (!isfinite(d) || d < 0 || d > 1e9 || (!keys[i].is_double && d != floor(d))) {
			snprintf(err, errlen, "health threshold %s: %g is not %s", key, d,
				 keys[i].is_double ? "a number >= 0" : "a whole number >= 0");
			return -EINVAL;
		}
		if (keys[i].is_double)
			*(double *)((char *)limits + keys[i].off) = d;
		else
			*(unsigned int *)((char *)limits + keys[i].off) = (unsigned int)d;
	}
	return 0;
}

void health_window_add(struct health_window *w, uint64_t now_s, uint64_t total)
{
	unsigned int last = (w->head + HEALTH_WINDOW - 1) % HEALTH_WINDOW;

	/* One sample a second is plenty: a second one in the same second replaces it. */
	if (w->n && w->at[last] == now_s) {
		w->total[last] = total;
		return;
	}
	w->at[w->head] = now_s;
	w->total[w->head] = total;
	w->head = (w->head + 1) % HEALTH_WINDOW;
	if (w->n < HEALTH_WINDOW)
		w->n++;
}

uint64_t health_window_rise(const struct health_window *w, uint64_t now_s, unsigned int span_s)
{
	unsigned int newest = (w->head + HEALTH_WINDOW - 1) % HEALTH_WINDOW;
	uint64_t base;

	if (!w->n)
		return 0;
	/* The base is the newest sample at least span old, so a stall longer
	 * than span (when drops pile up) still counts; while the history is
	 * younger than span, its oldest sample. */
	base = w->total[(w->head + HEALTH_WINDOW - w->n) % HEALTH_WINDOW];
	for (unsigned int k = 1; k <= w->n; k++) {
		unsigned int i = (w->head + HEALTH_WINDOW - k) % HEALTH_WINDOW;

		if (w->at[i] + span_s <= now_s) {
			base = w->total[i];
			break;
		}
	}
	/* A counter that went backwards (a reset) counts from zero. */
	return w->total[newest] >= base ? w->total[newest] - base : w->total[newest];
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
	case HEALTH_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}
