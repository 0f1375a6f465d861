/*
 * health: one verdict for monitoring, with the checks behind it, in the
 * states Nagios and Icinga use (linetimectl health exits with the code):
 * OK 0, WARNING 1, CRITICAL 2 (3 UNKNOWN is linetimectl's, when there is no
 * answer). A check is CRITICAL when clients are not getting what they need
 * (no dataplane, no valid time, no signed time for a configured AD domain),
 * WARNING when service is degraded or recovering, or something around it
 * fails (statistics logs that cannot be written); the thresholds of
 * linetime.conf's health group (offset, good sources, stratum, ring drops,
 * dataplane heartbeat) move the line for the measured ones, and each
 * measurement is reported as perfdata. A pure function of its inputs, so
 * the rules are tested with made-up states.
 */
#ifndef LT_HEALTH_H
#define LT_HEALTH_H

#include <stdint.h>

#include <json-c/json.h>

#include "config.h"
#include "shm.h"
#include "signd.h"

enum health_state {
	HEALTH_OK = 0,
	HEALTH_WARNING = 1,
	HEALTH_CRITICAL = 2,
	HEALTH_UNKNOWN = 3,
};

/* How long signd may be reconnecting before it is CRITICAL, not WARNING:
 * past the longest reconnect backoff, so a Samba restart stays a WARNING. */
#define HEALTH_SIGND_GRACE_NS 5000000000ULL

struct health_inputs {
	const struct lt_cfg_health *limits;    /* thresholds; NULL: linetime.conf's defaults */
	int dp_alive;                          /* dataplane heartbeat seen lately */
	double dp_heartbeat_age;               /* s since the heartbeat last moved */
	uint64_t ring_drops;                   /* frames dropped on the rings in the last minute */
	const struct lt_clock_snapshot *clock; /* as published */
	uint64_t now_tsc;
	const struct lt_ports_block *ports;    /* a consistent copy */
	int signd_enabled;                     /* ntpsigndsocket configured */
	const struct signd_stats *signd;       /* NULL when not enabled */
	uint64_t now_ns;                       /* monotonic, as signd's times */
	int upstream_configured;               /* servers or pools in the config */
	const char *upstream_mode;             /* "upstream", "holdover" or "local" */
	const char *upstream_reference;        /* system peer, "" if none */
	int upstream_stratum;
	double upstream_distance;              /* s: root delay / 2 + root dispersion served */
	double upstream_offset;                /* s: offset at the last clock update */
	unsigned int good_sources;             /* truechimers of the last selection */
	double uptime_s;                       /* since linetimed started */
	uint64_t signd_timeouts;               /* signing requests timed out in the last minute */
	int logs_on;                           /* statistics logs are written in logdir */
	const char *logdir;
	uint64_t log_lines_lost;               /* ... lines they lost in the last minute */
	int log_errno;                         /* why the latest line was lost; 0 if written */
};

/* A linetimed that has not synchronised within this long of starting is
 * CRITICAL rather than WARNING (iburst takes seconds; DNS may take more). */
#define HEALTH_SYNC_GRACE_S 120.0

/*
 * Fill data with "status" (OK/WARNING/CRITICAL), "code" (0/1/2), "summary",
 * "checks" (name, status, message each) and "perfdata" (label, value, uom,
 * warn, crit, min, max: Nagios plugin perfdata; warn and crit are ranges as
 * text, "" when off). Returns the code.
 */
enum health_state health_report(const struct health_inputs *in, struct json_object *data);

/* Override limits with args' thresholds (the health group's names, numbers
 * >= 0). Returns 0 or -EINVAL with the reason in err. */
int health_limits_from_args(struct lt_cfg_health *limits, struct json_object *args, char *err,
			    size_t errlen);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *health_state_name(enum health_state s);

/*
 * How much a growing counter rose over the last minute, from one sample a
 * second or so: add() the running total, rise() what it grew since the
 * newest sample at least span seconds old (since the oldest while the
 * history is younger than span).
 */
#define HEALTH_WINDOW 64
struct health_window {
	uint64_t at[HEALTH_WINDOW];     /* s, monotonic */
	uint64_t total[HEALTH_WINDOW];
	unsigned int head, n;
};
void health_window_add(struct health_window *w, uint64_t now_s, uint64_t total);
uint64_t health_window_rise(const struct health_window *w, uint64_t now_s, unsigned int span_s);

#endif
