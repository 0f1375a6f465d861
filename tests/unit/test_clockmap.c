/* Tests for clockmap (affine counter -> NTP maps) and localclock (the
 * local-mode publisher), driven by synthetic clocks with a known truth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clockmap.h"
#include "localclock.h"
#include "ntp_packet.h"
#include "suites.h"

#define NTP_UNITS 4294967296.0

static double map_seconds(const struct lt_clock_map *m, uint64_t c)
{
	return ntp_interval_to_double(ntp_ts_diff(clockmap_apply(m, c), m->base_ntp));
}

START_TEST(apply_forward_and_backward)
{
	struct lt_clock_map m = {.base_counter = 5000000000ULL,
				 .base_ntp = (ntp_ts_t)3900000000ULL << 32,
				 .mult = clockmap_mult_from_hz(3e9),
				 .valid = 1};

	ck_assert_uint_eq(clockmap_apply(&m, m.base_counter), m.base_ntp);
	/* 3e9 ticks later = 1 s later, within a unit of rounding. */
	ck_assert(fabs(map_seconds(&m, m.base_counter + 3000000000ULL) - 1.0) < 1e-9);
	ck_assert(fabs(map_seconds(&m, m.base_counter - 1500000000ULL) + 0.5) < 1e-9);
	/* An hour of extrapolation does not overflow. */
	ck_assert(fabs(map_seconds(&m, m.base_counter + 3600ULL * 3000000000ULL) - 3600.0) < 1e-6);
}
END_TEST

START_TEST(mult_round_trip)
{
	const double rates[] = {1e6, 25e6, 1e9, 1.8e9, 2.8e9, 3.4e9, 5e9};

	for (unsigned int i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t m = clockmap_mult_from_hz(rates[i]);
		/* A 32.32 mult resolves the rate to one part in mult: 0.27 ppb
		 * at 5 GHz, 0.27 ns per second of extrapolation. */
		ck_assert(fabs(clockmap_hz_from_mult(m) / rates[i] - 1.0) <= 1.0 / (double)m);
	}
	ck_assert_uint_eq(clockmap_mult_from_hz(0), 0);
	ck_assert_uint_eq(clockmap_mult_from_hz(-5), 0);
}
END_TEST

/* A synthetic NIC clock in ns, 20 ppm fast against a 2.5 GHz TSC. */
START_TEST(compose_nic_from_samples)
{
	const double tsc_hz = 2.5e9, nic_ppm = 20.0;
	struct lt_clock_map tsc = {.base_counter = 5000000000ULL,
				   .base_ntp = (ntp_ts_t)3950000000ULL << 32,
				   .mult = clockmap_mult_from_hz(tsc_hz),
				   .valid = 1};
	struct lt_clock_map nic;
	uint64_t tsc0 = 6000000000ULL, tsc1 = tsc0 + 2500000000ULL; /* 1 s apart */
	uint64_t nic0 = 1700000000000000000ULL;
	uint64_t nic1 = nic0 + (uint64_t)llround(1e9 * (1 + nic_ppm * 1e-6));

	ck_assert_int_eq(clockmap_compose_nic(&tsc, tsc0, nic0, tsc1, nic1, &nic), 0);
	ck_assert_uint_eq(nic.valid, 1);
	/* Any NIC timestamp maps to the same time as the TSC at that instant. */
	for (int k = -3; k <= 3; k++) {
		double dt = k * 0.37;
		uint64_t nt = nic1 + (uint64_t)(int64_t)llround(dt * 1e9 * (1 + nic_ppm * 1e-6));
		uint64_t tt = tsc1 + (uint64_t)(int64_t)llround(dt * tsc_hz);
		double err = ntp_interval_to_double(ntp_ts_diff(clockmap_apply(&nic, nt), clockmap_apply(&tsc, tt)));
		ck_assert_msg(fabs(err) < 5e-9, "k=%d err=%g", k, err);
	}
	/* Degenerate samples are refused. */
	ck_assert_int_eq(clockmap_compose_nic(&tsc, tsc0, nic0, tsc0, nic1, &nic), -22);
	ck_assert_int_eq(clockmap_compose_nic(&tsc, tsc0, nic1, tsc1, nic0, &nic), -22);
	tsc.valid = 0;
	ck_assert_int_eq(clockmap_compose_nic(&tsc, tsc0, nic0, tsc1, nic1, &nic), -22);
}
END_TEST

static void lc_fixture(struct localclock *lc, double hz)
{
	memset(lc, 0, sizeof(*lc));
	lc->nominal_hz = hz;
	lc->hz = hz;
	lc->precision = 1e-7;
	lc->holdover = 60;
	lc->stratum = 10;
}

/* The system clock runs 50 ppm slow against a 3 GHz TSC (it is being
 * slewed); the published map must follow it, not the nominal TSC rate. */
START_TEST(localclock_follows_slewed_clock)
{
	struct localclock lc;
	struct lt_clock_snapshot s;
	const double hz = 3e9, sys_per_tsc_s = 1 - 50e-6;
	ntp_ts_t t0 = (ntp_ts_t)3960000000ULL << 32;
	uint64_t c0 = 1000;

	lc_fixture(&lc, hz);
	for (int i = 0; i <= 10; i++) {
		uint64_t c = c0 + (uint64_t)i * 3000000000ULL;
		ntp_ts_t t = t0 + (ntp_ts_t)llround(i * sys_per_tsc_s * NTP_UNITS);
		localclock_sample(&lc, c, t, NULL, &s);
	}
	ck_assert(fabs(lc.hz / (hz / sys_per_tsc_s) - 1) < 1e-9);
	/* Extrapolating 1 s of TSC ahead lands on the system clock's truth. */
	uint64_t c = c0 + 11ULL * 3000000000ULL;
	double truth = 11 * sys_per_tsc_s;
	double got = ntp_interval_to_double(ntp_ts_diff(clockmap_apply(&s.tsc, c), t0));
	ck_assert_msg(fabs(got - truth) < 1e-8, "got %.9f want %.9f", got, truth);
	ck_assert_uint_eq(s.p.stratum, 10);
	ck_assert_uint_eq(s.p.refid, NTP_REFID_LOCL);
	ck_assert_uint_eq(s.p.leap, NTP_LEAP_NONE);
	ck_assert_uint_eq(s.tsc.valid, 1);
	/* Holdover deadline: 60 s of TSC after the last sample. */
	double hold = (double)(s.p.holdover_deadline_tsc - (c0 + 10ULL * 3000000000ULL)) / lc.hz;
	ck_assert(fabs(hold - 60) < 1e-6);
}
END_TEST

START_TEST(localclock_step_restarts_window)
{
	struct localclock lc;
	struct lt_clock_snapshot s;
	ntp_ts_t t = (ntp_ts_t)3960000000ULL << 32;

	lc_fixture(&lc, 2e9);
	localclock_sample(&lc, 0, t, NULL, &s);
	localclock_sample(&lc, 2000000000ULL, t + (1ULL << 32), NULL, &s);
	/* The system clock is stepped 5 s forward. */
	localclock_sample(&lc, 4000000000ULL, t + (7ULL << 32), NULL, &s);
	ck_assert_uint_eq(lc.resets, 1);
	ck_assert(fabs(lc.hz - 2e9) < 1);
	/* The map is based on the new time right away. */
	ck_assert_uint_eq(clockmap_apply(&s.tsc, 4000000000ULL), t + (7ULL << 32));
}
END_TEST

START_TEST(localclock_maps_nic_clock)
{
	struct localclock lc;
	struct lt_clock_snapshot s;
	static struct lt_ports_block ports;
	ntp_ts_t t = (ntp_ts_t)3960000000ULL << 32;

	lc_fixture(&lc, 1e9);
	memset(&ports, 0, sizeof(ports));
	ports.n_ports = 2;
	ports.port[1].nic_clock_hz = 1000000000ULL;
	ports.port[1].nic_sample_tsc = 100;
	ports.port[1].nic_sample_clock = 500000;
	localclock_sample(&lc, 100, t, &ports, &s);
	ck_assert_uint_eq(s.nic[1].valid, 0); /* one sample defines no rate */
	ports.port[1].nic_sample_tsc = 100 + 1000000000ULL;
	ports.port[1].nic_sample_clock = 500000 + 1000000000ULL;
	localclock_sample(&lc, 100 + 1000000000ULL, t + (1ULL << 32), &ports, &s);
	ck_assert_uint_eq(s.nic[1].valid, 1);
	ck_assert_uint_eq(s.nic[0].valid, 0);
	ntp_ts_t via_nic = clockmap_apply(&s.nic[1], 500000 + 1500000000ULL);
	ntp_ts_t via_tsc = clockmap_apply(&s.tsc, 100 + 1500000000ULL);
	ck_assert(llabs(ntp_ts_diff(via_nic, via_tsc)) < 5);
}
END_TEST

Suite *clockmap_suite(void)
{
	Suite *s = suite_create("clockmap");
	TCase *tc = tcase_create("maps");

	tcase_add_test(tc, apply_forward_and_backward);
	tcase_add_test(tc, mult_round_trip);
	tcase_add_test(tc, compose_nic_from_samples);
	tcase_add_test(tc, localclock_follows_slewed_clock);
	tcase_add_test(tc, localclock_step_restarts_window);
	tcase_add_test(tc, localclock_maps_nic_clock);
	suite_add_tcase(s, tc);
	return s;
}
