/* tsc: bracketed TSC/clock sampling and rate measurement. */
#include "tsc.h"

#include <cpuid.h>
#include <errno.h>

#define SAMPLE_TRIES 7

int tsc_sample(clockid_t clk, uint64_t *tsc, struct timespec *ts, uint64_t *window)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		struct timespec t;
		uint64_t a = tsc_read();
		if (clock_gettime(clk, &t) != 0)
			return -errno;
		uint64_t b = tsc_read();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ts = t;
		}
	}
	if (window)
		*window = best;
	return 0;
}

static double ts_seconds(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec * 1e-9;
}

double tsc_measure_hz(unsigned int ms)
{
	struct timespec t0, t1, req = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	uint64_t c0, c1;

	if (tsc_sample(CLOCK_MONOTONIC_RAW, &c0, &t0, NULL) != 0)
		return 0;
	while (nanosleep(&req, &req) != 0 && errno == EINTR)
		;
	if (tsc_sample(CLOCK_MONOTONIC_RAW, &c1, &t1, NULL) != 0)
		return 0;
	double dt = ts_seconds(&t1) - ts_seconds(&t0);
	if (dt <= 0 || c1 <= c0)
		return 0;
	return (double)(c1 - c0) / dt;
}

int tsc_invariant(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000007, &a, &b, &c, &d))
		return 0;
	return (d >> 8) & 1;
}
