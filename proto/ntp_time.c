/* ntp_time: NTP time arithmetic (see ntp_time.h). */
#include "ntp_time.h"

#include <math.h>

#define NSEC_PER_SEC 1000000000LL
#define TWO_POW_32 4294967296.0
#define TWO_POW_31 2147483648LL

/* The pivot used when the caller passes 0: 2025-01-01T00:00:00Z, so any
 * timestamp from 1957 to 2093 converts to the right era. */
#define DEFAULT_PIVOT_UNIX 1735689600LL

ntp_ts_t ntp_ts_from_timespec(const struct timespec *ts)
{
	int64_t sec = ts->tv_sec;
	int64_t nsec = ts->tv_nsec;
	uint64_t frac;

	if (nsec < 0 || nsec >= NSEC_PER_SEC) {
		sec += nsec / NSEC_PER_SEC;
		nsec %= NSEC_PER_SEC;
		if (nsec < 0) {
			nsec += NSEC_PER_SEC;
			sec--;
		}
	}
	/* nsec < 2^30, so the shift cannot overflow; the result is below 2^32
	 * for every nsec < 10^9, so rounding never carries into the seconds. */
	frac = (((uint64_t)nsec << 32) + NSEC_PER_SEC / 2) / NSEC_PER_SEC;
	/* RFC 5905 6: the era is not on the wire, so seconds are taken modulo
	 * 2^32 (unsigned arithmetic does exactly that). */
	return ((uint64_t)(uint32_t)((uint64_t)sec + NTP_UNIX_OFFSET) << 32) + frac;
}

double ntp_ts_to_unix(ntp_ts_t t)
{
	struct timespec ts;

	ntp_ts_to_timespec(t, 0, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ntp_ts_to_timespec(ntp_ts_t t, int64_t pivot_unix_sec, struct timespec *out)
{
	uint32_t ntp_sec = (uint32_t)(t >> 32);
	uint64_t frac = t & 0xffffffffU;
	int64_t pivot = pivot_unix_sec ? pivot_unix_sec : DEFAULT_PIVOT_UNIX;
	uint32_t pivot_ntp = (uint32_t)((uint64_t)pivot + NTP_UNIX_OFFSET);
	/* RFC 5905 6: take the era that puts t nearest the pivot, i.e. the signed
	 * 32-bit distance in seconds from the pivot modulo 2^32. */
	int64_t d = (int64_t)(uint32_t)(ntp_sec - pivot_ntp);
	int64_t nsec;

	if (d >= TWO_POW_31)
		d -= 2 * TWO_POW_31;
	nsec = (int64_t)((frac * NSEC_PER_SEC + (1ULL << 31)) >> 32);
	out->tv_sec = (time_t)(pivot + d);
	if (nsec >= NSEC_PER_SEC) {
		out->tv_sec++;
		nsec -= NSEC_PER_SEC;
	}
	out->tv_nsec = (long)nsec;
}

double ntp_interval_to_double(int64_t units)
{
	return (double)units / TWO_POW_32;
}

int64_t ntp_interval_from_double(double seconds)
{
	double u = seconds * TWO_POW_32;

	if (isnan(u))
		return 0;
	/* 2^63 is exactly representable; anything at or beyond it saturates. */
	if (u >= 9223372036854775808.0)
		return INT64_MAX;
	if (u <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)llround(u);
}

uint32_t ntp_short_from_double(double seconds)
{
	double u;

	if (!(seconds > 0))
		return 0;
	u = round(seconds * 65536.0);
	if (u >= 4294967295.0)
		return 0xffffffffU;
	return (uint32_t)u;
}

double ntp_short_to_double(uint32_t s)
{
	return (double)s / 65536.0;
}

int8_t ntp_precision_from_double(double seconds)
{
	int e;
	double m;

	if (isnan(seconds))
		return 0;
	if (seconds <= 0)
		return INT8_MIN;
	if (isinf(seconds))
		return INT8_MAX;
	/* seconds = m * 2^e with m in [0.5, 1): the smallest power of two not
	 * below seconds is 2^(e-1) when m is exactly 0.5, else 2^e. */
	m = frexp(seconds, &e);
	if (m == 0.5)
		e--;
	if (e < INT8_MIN)
		return INT8_MIN;
	if (e > INT8_MAX)
		return INT8_MAX;
	return (int8_t)e;
}
