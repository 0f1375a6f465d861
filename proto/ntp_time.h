/*
 * ntp_time: NTP time arithmetic (RFC 5905 section 6).
 *
 * linetime keeps absolute time as a 64-bit NTP timestamp in host order:
 * the high 32 bits are seconds since the era start (1900-01-01 for era 0),
 * the low 32 bits the fraction. Conversions to and from Unix time pick the
 * era by the "nearest to a pivot" rule, so the code keeps working after the
 * era 0 rollover on 2036-02-07. The short format (16.16) carries root delay
 * and root dispersion.
 */
#ifndef LT_NTP_TIME_H
#define LT_NTP_TIME_H

#include <stdint.h>
#include <time.h>

/* Seconds from 1900-01-01 (NTP era 0 start) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800ULL

/* 64-bit NTP timestamp, host byte order, 32.32 fixed point. */
typedef uint64_t ntp_ts_t;

/* Unix timespec -> NTP timestamp (fraction rounded to nearest). */
ntp_ts_t ntp_ts_from_timespec(const struct timespec *ts);

/* NTP timestamp -> Unix timespec; the era is chosen so the result lies
 * within +-68 years of pivot_unix_sec (pass 0 for "now-ish": uses a built-in
 * pivot in the 2020s). */
void ntp_ts_to_timespec(ntp_ts_t t, int64_t pivot_unix_sec, struct timespec *out);

/* Signed difference a - b in NTP units (2^-32 s), valid while |a-b| < 68 y. */
static inline int64_t ntp_ts_diff(ntp_ts_t a, ntp_ts_t b)
{
	return (int64_t)(a - b);
}

/* POSIX seconds (with fraction) of t, era chosen as ntp_ts_to_timespec's
 * default pivot does; for logs and reports. */
double ntp_ts_to_unix(ntp_ts_t t);

/* Signed NTP-unit interval -> seconds as double. */
double ntp_interval_to_double(int64_t units);

/* Seconds (double, may be negative) -> signed NTP units. */
int64_t ntp_interval_from_double(double seconds);

/* NTP short format (16.16, unsigned) from seconds, saturating at the
 * maximum (65535.99998 s) and at zero for negative input. */
uint32_t ntp_short_from_double(double seconds);

/* NTP short format -> seconds. */
double ntp_short_to_double(uint32_t s);

/* log2(seconds) precision exponent from a resolution in seconds, rounded
 * up so the advertised precision is never better than the truth
 * (e.g. 1e-9 s -> -29, 1e-6 s -> -19). */
int8_t ntp_precision_from_double(double seconds);

#endif
