/* ntp_time suite: Unix <-> NTP conversions across the 2036 era boundary,
 * rounding, intervals, the short format and precision. */
#include <math.h>
#include <stdint.h>

#include "ntp_time.h"
#include "suites.h"

/* 2036-02-07T06:28:16Z: NTP era 0 ends, era 1 second 0 begins. */
#define ERA1_START_UNIX 2085978496LL

static ntp_ts_t from(int64_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = (time_t)sec, .tv_nsec = nsec };
	return ntp_ts_from_timespec(&ts);
}

START_TEST(test_known_values)
{
	struct timespec ts;

	ck_assert_uint_eq(from(0, 0), NTP_UNIX_OFFSET << 32);
	ck_assert_uint_eq(from(0, 0) >> 32, 2208988800U);
	/* 2026-11-21T22:12:24Z, from the reference capture */
	ck_assert_uint_eq(from(1795299144, 0) >> 32, 4004287944U);
	ntp_ts_to_timespec((uint64_t)4004287944U << 32, 0, &ts);
	ck_assert_int_eq(ts.tv_sec, 1795299144);
	ck_assert_int_eq(ts.tv_nsec, 0);
	/* 1900-01-01 is NTP 0 of era 0 */
	ck_assert_uint_eq(from(-(int64_t)NTP_UNIX_OFFSET, 0), 0);
}
END_TEST

START_TEST(test_to_unix)
{
	/* the capture's instant plus half a second, and one past the 2036 era */
	ck_assert_double_eq_tol(ntp_ts_to_unix(((uint64_t)4004287944U << 32) | 0x80000000U),
				1795299144.5, 1e-6);
	ck_assert_double_eq_tol(ntp_ts_to_unix(from(2085978496 + 10, 0)), 2085978506.0, 1e-6);
}
END_TEST

START_TEST(test_era_boundary)
{
	struct timespec ts;

	ck_assert_uint_eq(from(ERA1_START_UNIX - 1, 0), 0xffffffffULL << 32);
	ck_assert_uint_eq(from(ERA1_START_UNIX, 0), 0);
	ck_assert_uint_eq(from(ERA1_START_UNIX + 1, 500000000), (1ULL << 32) | 0x80000000U);

	/* the default pivot (2020s) puts NTP second 0 in 2036, not 1900 */
	ntp_ts_to_timespec(0, 0, &ts);
	ck_assert_int_eq(ts.tv_sec, ERA1_START_UNIX);
	ntp_ts_to_timespec(0xffffffffULL << 32, 0, &ts);
	ck_assert_int_eq(ts.tv_sec, ERA1_START_UNIX - 1);
	/* with a pivot near 1900 the same timestamp is era 0 */
	ntp_ts_to_timespec(0, -(int64_t)NTP_UNIX_OFFSET + 86400, &ts);
	ck_assert_int_eq(ts.tv_sec, -(int64_t)NTP_UNIX_OFFSET);
	/* a pivot in 2100 still maps 2036 correctly, and 2100 into era 1 */
	ntp_ts_to_timespec(from(ERA1_START_UNIX + 10, 0), 4102444800LL, &ts);
	ck_assert_int_eq(ts.tv_sec, ERA1_START_UNIX + 10);
	ntp_ts_to_timespec(from(4102444800LL, 0), 4102444800LL, &ts);
	ck_assert_int_eq(ts.tv_sec, 4102444800LL);
	/* but 2100 read with the default pivot lands 136 years earlier */
	ntp_ts_to_timespec(from(4102444800LL, 0), 0, &ts);
	ck_assert_int_eq(ts.tv_sec, 4102444800LL - 4294967296LL);
}
END_TEST

START_TEST(test_round_trip)
{
	const int64_t pivots[] = { 0, 1735689600LL, ERA1_START_UNIX, 0x7fffffffLL, 3000000000LL };
	uint64_t x = 88172645463325252ULL;

	for (size_t p = 0; p < sizeof(pivots) / sizeof(pivots[0]); p++) {
		int64_t pivot = pivots[p] ? pivots[p] : 1735689600LL;

		for (int i = 0; i < 20000; i++) {
			struct timespec in, out;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* anywhere within +-68 years of the pivot */
			in.tv_sec = (time_t)(pivot + (int64_t)(x % 4294967295ULL) - 2147483647LL);
			in.tv_nsec = (long)((x >> 32) % 1000000000ULL);
			ntp_ts_to_timespec(ntp_ts_from_timespec(&in), pivots[p], &out);
			ck_assert_int_eq(out.tv_sec, in.tv_sec);
			/* 2^-32 s steps are finer than 1 ns: the round trip is exact */
			ck_assert_int_eq(out.tv_nsec, in.tv_nsec);
		}
	}
}
END_TEST

START_TEST(test_fraction_rounding)
{
	struct timespec ts;

	ck_assert_uint_eq(from(0, 1) & 0xffffffffU, 4);           /* 4.29 -> 4 */
	ck_assert_uint_eq(from(0, 500000000) & 0xffffffffU, 0x80000000U);
	ck_assert_uint_eq(from(0, 999999999) & 0xffffffffU, 4294967292U);
	/* the largest fraction reads as the next second, not 1e9 ns */
	ntp_ts_to_timespec((NTP_UNIX_OFFSET << 32) | 0xffffffffU, 0, &ts);
	ck_assert_int_eq(ts.tv_sec, 1);
	ck_assert_int_eq(ts.tv_nsec, 0);
	ntp_ts_to_timespec((NTP_UNIX_OFFSET << 32) | 0x80000000U, 0, &ts);
	ck_assert_int_eq(ts.tv_nsec, 500000000);
	/* an unnormalised timespec is normalised first */
	ck_assert_uint_eq(from(0, 1500000000L), from(1, 500000000));
	ck_assert_uint_eq(from(1, -500000000L), from(0, 500000000));
}
END_TEST

START_TEST(test_before_1970)
{
	struct timespec ts;
	ntp_ts_t t = from(-1, 250000000);

	ck_assert_uint_eq(t >> 32, 2208988799U);
	ck_assert_uint_eq(t & 0xffffffffU, 0x40000000U);
	ntp_ts_to_timespec(t, 0, &ts);
	ck_assert_int_eq(ts.tv_sec, -1);
	ck_assert_int_eq(ts.tv_nsec, 250000000);
}
END_TEST

START_TEST(test_intervals)
{
	ck_assert_int_eq(ntp_interval_from_double(1.0), 1LL << 32);
	ck_assert_int_eq(ntp_interval_from_double(-1.5), -(3LL << 31));
	ck_assert_int_eq(ntp_interval_from_double(0.0), 0);
	ck_assert(ntp_interval_to_double(-(1LL << 32)) == -1.0);
	ck_assert(ntp_interval_to_double(1LL << 31) == 0.5);
	ck_assert(fabs(ntp_interval_to_double(ntp_interval_from_double(-0.000123)) + 0.000123) < 1e-9);
	/* saturation and NaN */
	ck_assert_int_eq(ntp_interval_from_double(1e30), INT64_MAX);
	ck_assert_int_eq(ntp_interval_from_double(-1e30), INT64_MIN);
	ck_assert_int_eq(ntp_interval_from_double(NAN), 0);
	/* differences across the era boundary are small and signed */
	ck_assert_int_eq(ntp_ts_diff(1ULL << 32, 0xffffffffULL << 32), 2LL << 32);
	ck_assert_int_eq(ntp_ts_diff(0xffffffffULL << 32, 1ULL << 32), -(2LL << 32));
	ck_assert_int_eq(ntp_ts_diff(from(ERA1_START_UNIX + 5, 0), from(ERA1_START_UNIX - 5, 0)),
			 10LL << 32);
}
END_TEST

START_TEST(test_short_format)
{
	ck_assert_uint_eq(ntp_short_from_double(1.5), 0x00018000U);
	ck_assert_uint_eq(ntp_short_from_double(0.0), 0);
	ck_assert_uint_eq(ntp_short_from_double(1.0 / 65536), 1);
	ck_assert_uint_eq(ntp_short_from_double(0.4 / 65536), 0);
	ck_assert_uint_eq(ntp_short_from_double(0.6 / 65536), 1);
	ck_assert_uint_eq(ntp_short_from_double(65535.99998), 0xffffffffU);
	ck_assert_uint_eq(ntp_short_from_double(65536.0), 0xffffffffU);
	ck_assert_uint_eq(ntp_short_from_double(1e12), 0xffffffffU);
	ck_assert_uint_eq(ntp_short_from_double(INFINITY), 0xffffffffU);
	ck_assert_uint_eq(ntp_short_from_double(-0.25), 0);
	ck_assert_uint_eq(ntp_short_from_double(NAN), 0);
	ck_assert(ntp_short_to_double(0x00018000U) == 1.5);
	ck_assert(ntp_short_to_double(0xffffffffU) > 65535.9999);
	ck_assert(ntp_short_to_double(ntp_short_from_double(0.0123)) - 0.0123 < 1.0 / 65536);
}
END_TEST

START_TEST(test_precision)
{
	ck_assert_int_eq(ntp_precision_from_double(1e-9), -29);
	ck_assert_int_eq(ntp_precision_from_double(1e-6), -19);
	ck_assert_int_eq(ntp_precision_from_double(ldexp(1.0, -20)), -20);
	ck_assert_int_eq(ntp_precision_from_double(ldexp(1.0, -20) * 1.0001), -19);
	ck_assert_int_eq(ntp_precision_from_double(1.0), 0);
	ck_assert_int_eq(ntp_precision_from_double(0.75), 0);
	ck_assert_int_eq(ntp_precision_from_double(1.5), 1);
	/* the advertised precision is never better than the resolution */
	for (double s = 1e-10; s < 10; s *= 1.37)
		ck_assert(ldexp(1.0, ntp_precision_from_double(s)) >= s);
	ck_assert_int_eq(ntp_precision_from_double(1e-300), -128);
	ck_assert_int_eq(ntp_precision_from_double(0.0), -128);
	ck_assert_int_eq(ntp_precision_from_double(1e300), 127);
	ck_assert_int_eq(ntp_precision_from_double(NAN), 0);
}
END_TEST

Suite *ntp_time_suite(void)
{
	Suite *s = suite_create("ntp_time");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_known_values);
	tcase_add_test(tc, test_era_boundary);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_fraction_rounding);
	tcase_add_test(tc, test_before_1970);
	tcase_add_test(tc, test_intervals);
	tcase_add_test(tc, test_short_format);
	tcase_add_test(tc, test_precision);
	tcase_add_test(tc, test_to_unix);
	suite_add_tcase(s, tc);
	return s;
}
