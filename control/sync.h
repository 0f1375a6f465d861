/*
 * sync: linetimed as a client of its upstream servers. It ties together
 * the sources (polls and replies), selection (srcselect), the loop
 * (discipline) and the clock it steers (clockmodel), and says what the
 * dataplane should serve:
 *
 *   upstream  a selection holds: stratum = system peer's + 1, reference id
 *             = its address (IPv4) or the first four bytes of the MD5 of
 *             its address (IPv6, RFC 5905 section 7.3), root delay and
 *             dispersion propagated;
 *   holdover  no selection now, but the last one is recent enough: the
 *             same identity, with a root dispersion that grows at 15 ppm
 *             plus the frequency's uncertainty, so clients see honestly
 *             how much the time may have drifted;
 *   local     never synchronised, or the root distance has grown past
 *             `local.distance`: the appliance's own clock at the local
 *             stratum (chrony's "local" reference), reference id LOCL.
 *
 * The clock is one free-running, disciplined counter map in all three
 * modes, so a change of mode never moves the time served.
 *
 * Times: `c` is a counter (TSC) reading, `mono` monotonic seconds. DNS is
 * the caller's (sources_want_resolve on sync_sources()).
 */
#ifndef LT_SYNC_H
#define LT_SYNC_H

#include <stdint.h>

#include "clockmodel.h"
#include "config.h"
#include "discipline.h"
#include "shm.h"
#include "sources.h"
#include "srcselect.h"

enum sync_mode {
	SYNC_LOCAL = 0,
	SYNC_UPSTREAM,
	SYNC_HOLDOVER,
};

struct sync_env {
	double hz;                 /* counter rate measured at start */
	double precision;          /* s */
	sources_send_fn send;
	sources_random_fn random;
	void *arg;
	/* The prepared keys the servers' "key ID" names (copied by the
	 * sources at sync_new); none if n_keys is 0. */
	const struct ntp_mac_key *keys;
	unsigned int n_keys;
};

/* What tracking shows. */
struct sync_status {
	enum sync_mode mode;
	int ever_synced;
	int stratum;
	uint32_t refid;
	char reference[64];        /* the system peer's address, "" if none */
	ntp_ts_t ref_time;         /* served time of the last update */
	double last_offset;        /* s: combined offset at the last update */
	double rms_offset;         /* s */
	double freq_ppm;           /* correction applied to the counter's nominal rate */
	double residual_ppm;       /* the sources' residual frequency at the last update */
	double skew_ppm;
	double root_delay;         /* s, as served now */
	double root_dispersion;    /* s, as served now */
	double update_interval;    /* s between the last two updates */
	unsigned long updates, steps;
	enum srcselect_outcome outcome;
	unsigned int good_sources; /* truechimers of the last selection, 0 if none selected */
	uint8_t leap;              /* leap indicator served now */
	const struct disc_leap *leap_pending;
	enum lt_leapsecmode leapsecmode;
	int logs_on;               /* statistics logs are being written in logdir */
	uint64_t log_lines_lost;   /* lines they lost since start (disk full...) */
	int log_errno;             /* why, while the latest line is being lost; else 0 */
};

struct sync;

/*
 * Start at counter c. If prev (the snapshot found in the region) is valid
 * and still within its holdover, the clock continues from it (a restart of
 * linetimed does not move the time served) and, if it was synchronised,
 * holdover starts from its identity; otherwise the clock starts at now
 * (the system clock). A driftfile, if configured and readable, gives the
 * frequency. NULL on a bad config.
 */
struct sync *sync_new(const struct lt_config *cfg, const struct sync_env *env, uint64_t c,
		      ntp_ts_t now, double mono, const struct lt_clock_snapshot *prev);
void sync_free(struct sync *s);

/* Adopt reloadable settings (local stratum and distance, holdover, logs). */
void sync_configure(struct sync *s, const struct lt_config *cfg);

/* What sync_reconfigure changed. */
enum {
	SYNC_RECONF_SOURCES = 1 << 0,
	SYNC_RECONF_SELECTION = 1 << 1,    /* minsources, maxdistance */
	SYNC_RECONF_DISCIPLINE = 1 << 2,   /* makestep, maxslewrate, ..., leapsecmode, smoothtime */
	SYNC_RECONF_LOGS = 1 << 3,         /* logdir, log.*, logchange */
	SYNC_RECONF_LEAPSECTZ = 1 << 4,
	SYNC_RECONF_DRIFTFILE = 1 << 5,
};

/* A reload: take next's sources (see sources_reconfigure), selection and
 * loop settings, logs and leap table, keeping the clock's state. Returns
 * the SYNC_RECONF_* bits of what changed; changes says what the sources did. */
unsigned int sync_reconfigure(struct sync *s, const struct lt_cfg_sync *next, double mono,
			      struct sources_changes *changes);

/* The keys in force changed (a reload read the keyfile), or the servers
 * did (after sync_reconfigure): give each configured server a copy of its
 * key from keys[0..n) (see sources_set_keys). */
void sync_set_keys(struct sync *s, const struct ntp_mac_key *keys, unsigned int n);

/* The dataplane sent request `cookie` at published time t1. */
void sync_tx_stamp(struct sync *s, uint64_t cookie, ntp_ts_t t1);

/* A datagram punted from port 123 of an upstream (received at published
 * time m->ts); may update the clock. Returns 1 if it was an upstream's. */
int sync_reply(struct sync *s, const struct lt_msg *m, uint64_t c, double mono);

/* Periodic work at c/mono: polls due, a leap second folded, selection
 * re-run so a lost upstream is noticed. */
void sync_tick(struct sync *s, uint64_t c, double mono);

/* Seconds until sync_tick has something to do. */
double sync_timeout(const struct sync *s, double mono);

/* Nonzero if the clock changed since the last sync_snapshot (publish now). */
int sync_dirty(const struct sync *s);

/*
 * The snapshot to publish at c (TSC map and reply fields; NIC maps are the
 * caller's), holdover deadline `holdover` seconds ahead. Returns the
 * counter value at which it must be published again at the latest.
 */
uint64_t sync_snapshot(struct sync *s, uint64_t c, struct lt_clock_snapshot *out);

/* Served time at counter c. */
ntp_ts_t sync_served(const struct sync *s, uint64_t c);

void sync_status(const struct sync *s, uint64_t c, struct sync_status *out);
struct sources *sync_sources(struct sync *s);
const struct srcselect_result *sync_selection(const struct sync *s);

/* chronyc makestep: end the slew in progress with a step; returns it (s). */
double sync_makestep(struct sync *s, uint64_t c);

/* Reopen the statistics logs (after logrotate); how many, or -errno. */
int sync_cyclelogs(struct sync *s);

/* Write the driftfile now (also done hourly and by sync_free). 0 or -errno. */
int sync_write_drift(struct sync *s);

const char *sync_mode_name(enum sync_mode m);

#endif
