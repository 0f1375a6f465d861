/*
 * tsc: the time-stamp counter, the dataplane's free-running timestamp
 * source. Reading it is one instruction and no syscall; control pairs it
 * with system clock readings to publish the counter -> NTP time map.
 * Requires an invariant TSC (constant rate, synchronised across cores),
 * which every x86 the appliance targets has.
 */
#ifndef LT_TSC_H
#define LT_TSC_H

#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

static inline uint64_t tsc_read(void)
{
	return __rdtsc();
}

/*
 * One (tsc, clock) pair: the clock read between two TSC reads, the tightest
 * of a few tries, the TSC taken as the midpoint. *window gets the bracket
 * width in ticks (the pair's uncertainty). Returns 0 or -errno.
 */
int tsc_sample(clockid_t clk, uint64_t *tsc, struct timespec *ts, uint64_t *window);

/* Measure the TSC rate against CLOCK_MONOTONIC_RAW over about ms
 * milliseconds. Returns ticks per second, or 0 on failure. */
double tsc_measure_hz(unsigned int ms);

/* Nonzero if the CPU says its TSC is invariant (CPUID 0x80000007 EDX bit 8). */
int tsc_invariant(void);

#endif
