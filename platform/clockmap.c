/* clockmap: building affine counter -> NTP time maps. */
#include "clockmap.h"

#include <errno.h>
#include <math.h>

uint64_t clockmap_mult_from_hz(double hz)
{
	/* NTP units per tick = 2^32 / hz; in 32.32 fixed point: 2^64 / hz. */
	if (hz <= 0)
		return 0;
	return (uint64_t)llround(18446744073709551616.0 / hz);
}

double clockmap_hz_from_mult(uint64_t mult)
{
	return mult ? 18446744073709551616.0 / (double)mult : 0.0;
}

int clockmap_compose_nic(const struct lt_clock_map *tsc_map, uint64_t tsc0, uint64_t nic0,
			 uint64_t tsc1, uint64_t nic1, struct lt_clock_map *out)
{
	if (!tsc_map->valid || nic1 <= nic0 || tsc1 <= tsc0)
		return -EINVAL;
	/* NIC ticks per TSC tick, then NTP units per NIC tick via the TSC map. */
	double tsc_per_nic = (double)(tsc1 - tsc0) / (double)(nic1 - nic0);
	double mult = (double)tsc_map->mult * tsc_per_nic;
	if (!(mult > 0) || mult >= 18446744073709551616.0)
		return -EINVAL;
	out->base_counter = nic1;
	out->base_ntp = clockmap_apply(tsc_map, tsc1);
	out->mult = (uint64_t)llround(mult);
	out->valid = 1;
	return 0;
}
