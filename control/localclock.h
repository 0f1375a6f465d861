/*
 * localclock: the clock control publishes when it has no upstream sources
 * ("local stratum N" in chrony terms): the system clock, as seen through
 * the TSC. Control pairs TSC readings with CLOCK_REALTIME, estimates the
 * rate at which system time advances per TSC tick over a sliding window
 * (so a slewing system clock is followed), and publishes the map with a
 * holdover deadline; the dataplane only multiplies and adds.
 *
 * It also maps each port's NIC clock (when the dataplane samples one) by
 * composing the NIC-against-TSC samples with the TSC map.
 */
#ifndef LT_LOCALCLOCK_H
#define LT_LOCALCLOCK_H

#include <stdint.h>

#include "config.h"
#include "shm.h"

#define LOCALCLOCK_WINDOW 16

struct localclock {
	double nominal_hz;        /* measured at start */
	double hz;                /* current rate estimate: TSC ticks per system second */
	double precision;         /* advertised, s */
	double holdover;          /* s */
	unsigned int stratum;
	unsigned int n;           /* samples in the window */
	unsigned int head;
	uint64_t tsc[LOCALCLOCK_WINDOW];
	ntp_ts_t ntp[LOCALCLOCK_WINDOW];
	uint64_t nic_prev_tsc[LT_MAX_PORTS];
	uint64_t nic_prev_clock[LT_MAX_PORTS];
	struct lt_clock_snapshot snap;  /* last published */
	uint64_t resets;          /* window restarts after a system clock step */
};

/* Measure the TSC and the clock's precision; takes about 200 ms. */
int localclock_init(struct localclock *lc, const struct lt_config *cfg);

/* Apply changed settings (stratum, holdover, precision) from a config. */
void localclock_configure(struct localclock *lc, const struct lt_config *cfg);

/*
 * Add one (tsc, system time) sample and return the snapshot to publish.
 * Pure function of its inputs so tests can drive it with synthetic clocks.
 */
void localclock_sample(struct localclock *lc, uint64_t tsc, ntp_ts_t now,
		       const struct lt_ports_block *ports, struct lt_clock_snapshot *out);

/* Map each port's NIC clock in out (whose TSC map is set) from the
 * dataplane's NIC-against-TSC samples; used by upstream sync too. */
void localclock_map_nic(struct localclock *lc, const struct lt_ports_block *ports,
			struct lt_clock_snapshot *out);

/* Sample the real clocks and publish into the region's clock block. */
int localclock_update(struct localclock *lc, struct lt_clock_block *b,
		      const struct lt_ports_block *ports);

#endif
