/*
 * health: one verdict for monitoring, with the checks behind it, in the
 * states Nagios and Icinga use (linetimectl health exits with the code):
 * OK 0, WARNING 1, CRITICAL 2. A check is CRITICAL when clients are not
 * getting what they need (no dataplane, no valid time, no signed time for a
 * configured AD domain), WARNING when service is degraded or recovering.
 * A pure function of its inputs, so the rules are tested with made-up
 * states.
 */
#ifndef LT_HEALTH_H
#define LT_HEALTH_H

#include <stdint.h>

#include <json-c/json.h>

#include "shm.h"
#include "signd.h"

enum health_state {
	HEALTH_OK = 0,
	HEALTH_WARNING = 1,
	HEALTH_CRITICAL = 2,
};

/* How long signd may be reconnecting before it is CRITICAL, not WARNING:
 * past the longest reconnect backoff, so a Samba restart stays a WARNING. */
#define HEALTH_SIGND_GRACE_NS 5000000000ULL

struct health_inputs {
	int dp_alive;                          /* dataplane heartbeat seen lately */
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
	double uptime_s;                       /* since linetimed started */
};

/* A linetimed that has not synchronised within this long of starting is
 * CRITICAL rather than WARNING (iburst takes seconds; DNS may take more). */
#define HEALTH_SYNC_GRACE_S 120.0

/* Fill data with "status" (OK/WARNING/CRITICAL), "code" (0/1/2), "summary"
 * and "checks" (name, status, message each). Returns the code. */
enum health_state health_report(const struct health_inputs *in, struct json_object *data);

/* "OK", "WARNING", "CRITICAL". */
const char *health_state_name(enum health_state s);

#endif
