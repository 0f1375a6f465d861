/*
 * clockmap: counter -> NTP time through a published affine map, the only
 * time arithmetic the dataplane does per packet (a multiply and an add).
 * Also the fit helpers control uses to build maps from (counter, time) pairs.
 */
#ifndef LT_CLOCKMAP_H
#define LT_CLOCKMAP_H

#include <stdint.h>

#include "shm.h"

/* NTP time of counter value c under map m (c may precede base_counter). */
static inline ntp_ts_t clockmap_apply(const struct lt_clock_map *m, uint64_t c)
{
	if (c >= m->base_counter) {
		unsigned __int128 d = (unsigned __int128)(c - m->base_counter) * m->mult;
		return m->base_ntp + (uint64_t)(d >> 32);
	}
	unsigned __int128 d = (unsigned __int128)(m->base_counter - c) * m->mult;
	return m->base_ntp - (uint64_t)(d >> 32);
}

/* mult for a counter running at hz ticks per second (exact to 2^-32 units). */
uint64_t clockmap_mult_from_hz(double hz);

/* Counter rate implied by a mult. */
double clockmap_hz_from_mult(uint64_t mult);

/*
 * Build the map for a NIC clock from two samples of (tsc, nic) taken by the
 * dataplane and the published TSC map: nic_map(n) == tsc_map(tsc at n).
 * Returns 0, or -EINVAL if the samples do not define a rate.
 */
int clockmap_compose_nic(const struct lt_clock_map *tsc_map, uint64_t tsc0, uint64_t nic0,
			 uint64_t tsc1, uint64_t nic1, struct lt_clock_map *out);

#endif
