/*
 * Tests for clockmodel: the cooked clock on the counter, the published
 * clock under a slew (discipline), the conversion of published timestamps
 * back to cooked time, and the counter -> served map with its secant end
 * at the next kink. The counter is a plain number at a 2.4 GHz nominal
 * rate; the discipline is driven with discipline_update as sync does.
 */
#include <math.h>

#include "clockmap.h"
#include "clockmodel.h"
#include "discipline.h"
#include "ntp_packet.h"
#include "suites.h"

/* 2024-03-10 00:00:00 UTC. */
#define EPOCH ((ntp_ts_t)(1710028800ULL + NTP_UNIX_OFFSET) << 32)
#define HZ 2.4e9
#define C0 5000000000000ULL    /* an arbitrary counter reading: 2083 s of uptime */
#define NS 1e-9
#define PPM 1e-6

/* Counter s seconds (nominal) after C0; s may be negative. */
static uint64_t cnt(double s)
{
	return (uint64_t)llround((double)C0 + s * HZ);
}

static double sdiff(ntp_ts_t a, ntp_ts_t b)
{
	return ntp_interval_to_double(ntp_ts_diff(a, b));
}

static ntp_ts_t served(const struct clockmodel *m, const struct discipline *d, uint64_t c)
{
	return discipline_serve(discipline_leap(d), clockmodel_published(m, d, c), NULL);
}

/* Counter at which the cooked clock reads local x. */
static double counter_at(const struct clockmodel *m, double x)
{
	return (double)m->base_counter + (x - m->base_local) * m->hz / (1 + m->freq);
}

/* ---- the cooked clock -------------------------------------------------------- */

START_TEST(local_and_ntp)
{
	struct clockmodel m;

	clockmodel_init(&m, HZ, C0, EPOCH, 0);
	ck_assert_double_eq(clockmodel_local(&m, C0), 0);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(1)), 1, 1e-12);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(-0.5)), -0.5, 1e-12);
	/* Local seconds <-> NTP time on the epoch, both signs. */
	ck_assert_uint_eq(clockmodel_ntp(&m, 1.5), EPOCH + (1ULL << 32) + (1ULL << 31));
	ck_assert_uint_eq(clockmodel_ntp(&m, -0.25), EPOCH - (1ULL << 30));
	ck_assert_double_eq(clockmodel_from_ntp(&m, EPOCH - (1ULL << 30)), -0.25);
	ck_assert_double_eq_tol(clockmodel_from_ntp(&m, clockmodel_ntp(&m, 12345.678901234)),
				12345.678901234, 1 * NS);
	/* A frequency: cooked runs (1 + freq) per nominal second. */
	clockmodel_init(&m, HZ, C0, EPOCH, 20 * PPM);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(10)), 10 * (1 + 20 * PPM), 1e-12);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(-10)), -10 * (1 + 20 * PPM), 1e-12);
}
END_TEST

START_TEST(apply_moves_phase_and_sets_rate)
{
	struct clockmodel m;
	uint64_t c1 = cnt(3), c2 = cnt(4);

	clockmodel_init(&m, HZ, C0, EPOCH, 0);
	/* +5 ms now, 10 ppm from now on. */
	clockmodel_apply(&m, c1, 5e-3, 10);
	ck_assert_double_eq_tol(clockmodel_local(&m, c1), 3.005, 1e-12);
	ck_assert_double_eq_tol(clockmodel_local(&m, c2), 3.005 + 1 + 10 * PPM, 1e-12);
	/* The frequency is absolute, not added to the last one. */
	clockmodel_apply(&m, c2, 0, -5);
	ck_assert_double_eq_tol(clockmodel_local(&m, c2), 4.005 + 10 * PPM, 1e-12);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(5)) - clockmodel_local(&m, c2), 1 - 5 * PPM, 1e-12);
	ck_assert_double_eq_tol(m.freq, -5 * PPM, 1e-18);
	/* The epoch never moves: NTP time follows the cooked clock. */
	ck_assert_uint_eq(m.epoch, EPOCH);
	/* A negative phase. */
	double before = clockmodel_local(&m, cnt(6));
	clockmodel_apply(&m, cnt(6), -0.25, -5);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(6)), before - 0.25, 1e-12);
}
END_TEST

START_TEST(step_moves_both_clocks)
{
	struct clockmodel m;
	struct disc_config dc = {0};
	struct discipline *d = discipline_init(&dc, EPOCH);
	uint64_t c = cnt(100);

	clockmodel_init(&m, HZ, C0, EPOCH, 7 * PPM);
	ntp_ts_t p0 = clockmodel_published(&m, d, c);
	double l0 = clockmodel_local(&m, c);
	clockmodel_step(&m, c, 1.0);
	ck_assert_double_eq_tol(clockmodel_local(&m, c), l0 + 1, 1e-12);
	ck_assert_double_eq_tol(sdiff(clockmodel_published(&m, d, c), p0), 1.0, 1 * NS);
	/* The rate is untouched. */
	ck_assert_double_eq_tol(m.freq, 7 * PPM, 1e-18);
	ck_assert_double_eq_tol(clockmodel_local(&m, cnt(101)) - clockmodel_local(&m, c), 1 + 7 * PPM, 1e-12);
	clockmodel_step(&m, c, -1.0);
	ck_assert_double_eq_tol(clockmodel_local(&m, c), l0, 1e-12);
	discipline_fini(d);
}
END_TEST

/* ---- published <-> cooked ------------------------------------------------------ */

START_TEST(round_trip_without_slew)
{
	struct clockmodel m;
	struct disc_config dc = {0};
	struct discipline *d = discipline_init(&dc, EPOCH);

	clockmodel_init(&m, HZ, C0, EPOCH, 20 * PPM);
	ck_assert_double_eq(discipline_slew_remaining(d, 0), 0);
	static const double at[] = {-2000, -3, -1e-6, 0, 0.37, 1, 99.99, 1234.5678, 86400, 1e6};
	for (unsigned int k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		double s = at[k];
		uint64_t c = cnt(s);
		double back = clockmodel_to_local(&m, d, clockmodel_published(&m, d, c));
		ck_assert_msg(fabs(back - clockmodel_local(&m, c)) <= 1 * NS, "at %.3f s: %.3g s off", s,
			      back - clockmodel_local(&m, c));
	}
	discipline_fini(d);
}
END_TEST

/* A loop with a slew of +10 ms started at counter *c1 (10 s after C0). */
static struct discipline *slewing(struct clockmodel *m, double maxslewrate, double offset_sd, uint64_t *c1)
{
	struct disc_config dc = {.maxslewrate = maxslewrate};
	struct discipline *d = discipline_init(&dc, EPOCH);
	/* skew 1: leave the frequency alone, only the phase is corrected. */
	struct disc_estimate e = {.offset = 10e-3, .offset_sd = offset_sd, .skew = 1};
	struct disc_action act;

	ck_assert_ptr_nonnull(d);
	/* The loop and the clock agree on the frequency (as sync starts them). */
	discipline_set_freq(d, 20, 0.01);
	clockmodel_init(m, HZ, C0, EPOCH, 20 * PPM);
	*c1 = cnt(10);
	ck_assert_int_eq(discipline_update(d, clockmodel_local(m, *c1), &e, &act), 0);
	clockmodel_apply(m, *c1, act.dphase, act.freq_ppm);
	/* The cooked clock took the 10 ms; the published one has it to come. */
	ck_assert_double_gt(discipline_slew_remaining(d, clockmodel_local(m, *c1)), 0);
	ck_assert_double_eq_tol(discipline_slew_remaining(d, clockmodel_local(m, *c1)), 10e-3, 1e-12);
	ck_assert_double_eq_tol(m->freq, 20 * PPM, 1e-15);
	return d;
}

START_TEST(round_trip_during_slow_slew)
{
	struct clockmodel m;
	uint64_t c1;
	/* 500 ppm: the 10 ms take 20 s. */
	struct discipline *d = slewing(&m, 500, 1e-3, &c1);
	double end = discipline_slew_end(d) - clockmodel_local(&m, c1);

	ck_assert_double_eq_tol(end, 20, 1e-6);
	/* Published lags cooked by the slew still to go. */
	ck_assert_double_eq_tol(sdiff(clockmodel_ntp(&m, clockmodel_local(&m, c1)),
				      clockmodel_published(&m, d, c1)), 10e-3, 1 * NS);
	static const double at[] = {-5, -1e-3, 0, 1e-3, 1, 5.5, 10, 19.9, 19.999, 20.0001, 20.1, 25, 100};
	for (unsigned int k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		uint64_t c = c1 + (uint64_t)llround(at[k] * HZ);
		if (at[k] < 0)
			c = c1 - (uint64_t)llround(-at[k] * HZ);
		double back = clockmodel_to_local(&m, d, clockmodel_published(&m, d, c));
		ck_assert_msg(fabs(back - clockmodel_local(&m, c)) <= 1 * NS, "at %+.4f s: %.3g s off", at[k],
			      back - clockmodel_local(&m, c));
	}
	discipline_fini(d);
}
END_TEST

/*
 * The fastest slew (chrony's default maxslewrate, 1/12): published ->
 * cooked is solved by rounds of x = p + rem(x), each shrinking the error
 * only by the slew rate. Regression: four rounds once left up to
 * 10 ms / 12^4 = 0.48 us (0.36 us measured) of a 10 ms slew.
 */
START_TEST(round_trip_during_fast_slew)
{
	struct clockmodel m;
	uint64_t c1;
	/* Default maxslewrate and a sharp estimate: slewed at 1/12, 0.12 s. */
	struct discipline *d = slewing(&m, 0, 1e-6, &c1);
	double end = discipline_slew_end(d) - clockmodel_local(&m, c1);
	double worst = 0;

	ck_assert_double_eq_tol(end, 0.12, 1e-6);
	static const double at[] = {-1, 0, 1e-3, 0.03, 0.06, 0.1, 0.119, 0.1201, 0.5, 3};
	for (unsigned int k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		uint64_t c = at[k] < 0 ? c1 - (uint64_t)llround(-at[k] * HZ) : c1 + (uint64_t)llround(at[k] * HZ);
		double back = clockmodel_to_local(&m, d, clockmodel_published(&m, d, c));
		worst = fmax(worst, fabs(back - clockmodel_local(&m, c)));
	}
	discipline_fini(d);
	ck_assert_msg(worst <= 1 * NS, "round trip off by up to %.3g s during a 1/12 slew", worst);
}
END_TEST

/*
 * At the fastest slew the config allows (maxslewrate 500000 ppm), each
 * round of the slew inversion only halves the error: a fixed number of
 * rounds tuned for chrony's 1/12 would leave microseconds. The conversion
 * iterates to convergence.
 */
START_TEST(round_trip_during_slew_at_config_max)
{
	struct clockmodel m;
	uint64_t c1;
	struct discipline *d = slewing(&m, 500000, 1e-6, &c1);
	double end = discipline_slew_end(d) - clockmodel_local(&m, c1);
	double worst = 0;

	/* 10 ms at 0.5: 20 ms. */
	ck_assert_double_eq_tol(end, 0.02, 1e-9);
	static const double at[] = {-1, 0, 1e-3, 0.005, 0.01, 0.019, 0.0201, 0.5};
	for (unsigned int k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		uint64_t c = at[k] < 0 ? c1 - (uint64_t)llround(-at[k] * HZ) : c1 + (uint64_t)llround(at[k] * HZ);
		double back = clockmodel_to_local(&m, d, clockmodel_published(&m, d, c));
		worst = fmax(worst, fabs(back - clockmodel_local(&m, c)));
	}
	discipline_fini(d);
	ck_assert_msg(worst <= 1 * NS, "round trip off by up to %.3g s during a 0.5 slew", worst);
}
END_TEST

/* ---- the served map ---------------------------------------------------------- */

static void check_map_at(const struct clockmodel *m, const struct discipline *d, uint64_t c, uint64_t *end)
{
	struct lt_clock_map map;
	uint8_t li = 0xff;

	*end = clockmodel_map(m, d, c, &map, &li);
	ck_assert_uint_eq(map.valid, 1);
	ck_assert_uint_eq(map.base_counter, c);
	ck_assert_uint_eq(li, NTP_LEAP_NONE);
	ck_assert_uint_gt(*end, c);
	/* At most a second of the cooked clock ahead. */
	ck_assert_double_le((double)(*end - c), HZ / (1 + m->freq) + 2);
	ck_assert_double_le(fabs(sdiff(clockmap_apply(&map, c), served(m, d, c))), 1 * NS);
	ck_assert_msg(fabs(sdiff(clockmap_apply(&map, *end), served(m, d, *end))) <= 10 * NS,
		      "map off at its end by %.3g s", sdiff(clockmap_apply(&map, *end), served(m, d, *end)));
	/* No kink inside: exact in between too. */
	uint64_t mid = c + (*end - c) / 2;
	ck_assert_double_le(fabs(sdiff(clockmap_apply(&map, mid), served(m, d, mid))), 10 * NS);
}

START_TEST(map_without_slew)
{
	struct clockmodel m;
	struct disc_config dc = {0};
	struct discipline *d = discipline_init(&dc, EPOCH);
	uint64_t end;

	clockmodel_init(&m, HZ, C0, EPOCH, -35 * PPM);
	for (double s = 0; s < 100; s += 7.3) {
		check_map_at(&m, d, cnt(s), &end);
		/* Nothing to wait for: a whole second. */
		ck_assert_double_eq_tol(clockmodel_local(&m, end) - clockmodel_local(&m, cnt(s)), 1.0, 1e-9);
	}
	discipline_fini(d);
}
END_TEST

START_TEST(map_during_slew_and_at_its_end)
{
	struct clockmodel m;
	uint64_t c1, end;
	struct discipline *d = slewing(&m, 500, 1e-3, &c1);
	double slew_end = discipline_slew_end(d);
	double c_end = counter_at(&m, slew_end);

	/* Well inside the slew: a one-second secant, exact (the slew is linear). */
	for (double s = 0; s < 18; s += 2.5)
		check_map_at(&m, d, c1 + (uint64_t)llround(s * HZ), &end);
	/* The slew ends 0.3 s after c: the map ends there, within two ticks. */
	uint64_t c = (uint64_t)llround(c_end - 0.3 * HZ);
	check_map_at(&m, d, c, &end);
	ck_assert_msg(fabs((double)end - c_end) <= 2, "map ends %.1f ticks from the slew end", (double)end - c_end);
	/* The next map, from there, runs at the unslewed rate for a second. */
	check_map_at(&m, d, end, &end);
	ck_assert_double_eq(discipline_slew_remaining(d, clockmodel_local(&m, end)), 0);
	/* And after the slew, plain seconds. */
	for (double s = 21; s < 40; s += 3.1)
		check_map_at(&m, d, c1 + (uint64_t)llround(s * HZ), &end);
	discipline_fini(d);
}
END_TEST

START_TEST(map_rate_follows_slew)
{
	struct clockmodel m;
	uint64_t c1, end;
	struct lt_clock_map map;
	uint8_t li;
	struct discipline *d = slewing(&m, 500, 1e-3, &c1);

	/* During the slew the served clock gains 500 ppm on the cooked rate. */
	end = clockmodel_map(&m, d, c1 + (uint64_t)(HZ * 2), &map, &li);
	double rate = sdiff(clockmap_apply(&map, end), map.base_ntp) / ((double)(end - map.base_counter) / HZ);
	ck_assert_double_eq_tol(rate, (1 + 20 * PPM) * (1 + 500 * PPM), 1e-9);
	/* After it, the cooked rate again. */
	end = clockmodel_map(&m, d, c1 + (uint64_t)(HZ * 30), &map, &li);
	rate = sdiff(clockmap_apply(&map, end), map.base_ntp) / ((double)(end - map.base_counter) / HZ);
	ck_assert_double_eq_tol(rate, 1 + 20 * PPM, 1e-9);
	discipline_fini(d);
}
END_TEST

Suite *clockmodel_suite(void)
{
	Suite *s = suite_create("clockmodel");
	TCase *c = tcase_create("cooked");
	TCase *r = tcase_create("round_trip");
	TCase *m = tcase_create("map");

	tcase_add_test(c, local_and_ntp);
	tcase_add_test(c, apply_moves_phase_and_sets_rate);
	tcase_add_test(c, step_moves_both_clocks);
	suite_add_tcase(s, c);

	tcase_add_test(r, round_trip_without_slew);
	tcase_add_test(r, round_trip_during_slow_slew);
	tcase_add_test(r, round_trip_during_fast_slew);
	tcase_add_test(r, round_trip_during_slew_at_config_max);
	suite_add_tcase(s, r);

	tcase_add_test(m, map_without_slew);
	tcase_add_test(m, map_during_slew_and_at_its_end);
	tcase_add_test(m, map_rate_follows_slew);
	suite_add_tcase(s, m);
	return s;
}
