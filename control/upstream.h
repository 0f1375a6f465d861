/*
 * upstream: linetimed's upstream service around sync. It gives sync its
 * I/O (requests through the inject ring, replies and transmit times from
 * the punt ring, DNS through the host's resolver, random numbers from the
 * kernel), publishes the clock sync steers into the region, hands the
 * servers their symmetric keys, and serves the admin commands tracking,
 * sources, sourcestats, activity, authdata, makestep, burst, add_server
 * and delete_source.
 */
#ifndef LT_UPSTREAM_H
#define LT_UPSTREAM_H

#include "authkeys.h"
#include "config.h"
#include "localclock.h"
#include "shm.h"

struct upstream;

/* 1 if cfg names any server or pool (else control serves the system clock). */
int upstream_configured(const struct lt_config *cfg);

/* Start, continuing the clock already in the region if it is still
 * within its holdover. cfg, lc and keys (the keys in force, which must
 * hold every key cfg's servers name) must outlive it. NULL on failure. */
struct upstream *upstream_new(const struct lt_config *cfg, struct localclock *lc, struct lt_region *r,
			      const struct authkeys *keys);
/* Stop, and withdraw its admin commands. */
void upstream_free(struct upstream *u);

/* The region was re-attached. */
void upstream_set_region(struct upstream *u, struct lt_region *r);

/* A reload: adopt next's local/holdover settings and its upstream section
 * (sources, selection, loop, logs, leapsectz; see sync_reconfigure), and
 * the keys now in force (the authkeys given to upstream_new, reloaded).
 * cfg given to upstream_new must be updated to next by the caller after.
 * Returns the SYNC_RECONF_* bits; changes says what the sources did. */
struct sources_changes;
unsigned int upstream_configure(struct upstream *u, const struct lt_config *next,
				struct sources_changes *changes);

/* Register the admin commands (once, after admin_init). */
void upstream_register_commands(struct upstream *u);

/* A punted UDP datagram; 1 if it was an upstream's reply. */
int upstream_on_udp(struct upstream *u, const struct lt_msg *m);

/* A transmit timestamp from the dataplane. */
void upstream_on_stamp(struct upstream *u, const struct lt_msg *m);

/* Polls, name resolution, selection, publishing: call every loop round. */
void upstream_run(struct upstream *u);

/* Milliseconds until upstream_run has work (for poll()). */
int upstream_timeout_ms(struct upstream *u);

struct sync_status;

/* What tracking shows (for health). */
void upstream_status(struct upstream *u, struct sync_status *out);

/* "upstream", "holdover" or "local". */
const char *upstream_mode(struct upstream *u);

#endif
