/*
 * Tests for srcfilter, srcselect and discipline: direct checks of each
 * module, then the simulation cases (simclock) that check the whole loop
 * against known truth. LT_SIM_VERBOSE=1 prints each case's figures (the
 * table in docs/DISCIPLINE.md comes from it).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discipline.h"
#include "ntp_packet.h"
#include "simclock.h"
#include "srcfilter.h"
#include "srcselect.h"
#include "suites.h"

#define PPM 1e-6
#define US 1e-6
#define MS 1e-3
#define HOUR 3600.0
#ifndef SEED
#define SEED 20240310ULL
#endif
/* 2024-03-10 00:00:00 UTC, an ordinary day. */
#define EPOCH_PLAIN ((ntp_ts_t)(1710028800ULL + NTP_UNIX_OFFSET) << 32)
/* 2017-01-01 00:00:00 UTC ended the last leap day (2016-12-31, 23:59:60). */
#define LEAP_MIDNIGHT ((ntp_ts_t)(1483228800ULL + NTP_UNIX_OFFSET) << 32)

/* Steady-state RMS bound for the 20 us-jitter network: one sample's offset
 * noise is 20 us * sqrt(2) / 2 = 14 us; the fit averages several samples of
 * three sources, but at maxpoll 10 the phase between polls is extrapolated
 * along the fitted slope, which brings the error back to about one
 * sample's noise (measured 3-15 us over seeds). */
#define STEADY_RMS (20 * US)

static void figure(const char *name, const char *fmt, ...)
{
	va_list ap;

	if (!sim_verbose())
		return;
	printf("%-22s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- srcfilter ---------------------------------------------------------- */

static struct srcfilter_config fcfg(void)
{
	struct srcfilter_config c = {.minpoll = 4, .maxpoll = 10, .precision = 1e-7};
	return c;
}

static void add(struct srcfilter *sf, double t, double off, double delay)
{
	struct srcfilter_sample s = {.local = t, .offset = off, .delay = delay, .dispersion = 1e-7,
				     .stratum = 1, .leap = NTP_LEAP_NONE};
	srcfilter_polled(sf);
	srcfilter_add(sf, &s);
}

START_TEST(filter_fits_a_line)
{
	struct srcfilter *sf = srcfilter_init(&(struct srcfilter_config){.minpoll = 4, .maxpoll = 4,
									    .precision = 1e-7});
	struct srcfilter_estimate e;

	/* offset = 1 ms + 5 ppm * t, delays alternating: the fit is exact. */
	for (int i = 0; i < 20; i++)
		add(sf, 16.0 * i, 1e-3 + 5e-6 * 16.0 * i, i % 2 ? 2e-3 : 1e-3);
	srcfilter_estimate(sf, 400, &e);
	ck_assert(e.valid);
	ck_assert_uint_eq(e.n_samples, 20);
	ck_assert_double_eq_tol(e.offset, 1e-3 + 5e-6 * 400, 1e-9);
	ck_assert_double_eq_tol(e.freq, 5e-6, 1e-11);
	ck_assert_double_lt(e.skew, 1e-9);
	ck_assert_double_eq_tol(e.delay, 1e-3, 1e-12);
	/* lambda = delay/2 + dispersion (1e-7 + PHI * 96 s) + jitter + skew * age */
	ck_assert_double_eq_tol(e.root_distance, 0.5e-3 + 1e-7 + 15e-6 * 96, 1e-6);
	ck_assert_uint_eq(e.reach, 0xff);
	srcfilter_fini(sf);
}
END_TEST

START_TEST(filter_reach_register)
{
	struct srcfilter *sf = srcfilter_init(&(struct srcfilter_config){.minpoll = 6, .maxpoll = 10});

	/* RFC 5905 section 13: shifted per poll, low bit set per reply. */
	add(sf, 0, 0, 1e-3);
	ck_assert_uint_eq(srcfilter_reach(sf), 1);
	srcfilter_polled(sf);
	srcfilter_polled(sf);
	ck_assert_uint_eq(srcfilter_reach(sf), 4);
	for (int i = 0; i < 6; i++)
		srcfilter_polled(sf);
	ck_assert_uint_eq(srcfilter_reach(sf), 0);
	add(sf, 600, 0, 1e-3);
	ck_assert_uint_eq(srcfilter_reach(sf), 1);
	srcfilter_fini(sf);
}
END_TEST

START_TEST(filter_rejects_popcorn)
{
	struct srcfilter_config c = fcfg();
	struct srcfilter *sf = srcfilter_init(&c);
	struct srcfilter_sample s = {.offset = 0, .delay = 1e-3, .dispersion = 1e-7, .stratum = 1};
	struct srcfilter_counters ctr;

	for (int i = 0; i < 10; i++) {
		s.local = 16.0 * i;
		s.delay = 1e-3 + (i % 3) * 10e-6;
		ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_ACCEPTED);
	}
	/* 50 ms of queueing: the offset error could be 25 ms, drop it. */
	s.local = 160;
	s.delay = 51e-3;
	s.offset = 25e-3;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_POPCORN);
	/* A path that really changed is accepted after a few. */
	for (int i = 0; i < 3; i++) {
		s.local += 16;
		ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_POPCORN);
	}
	s.local += 16;
	ck_assert_int_ne(srcfilter_add(sf, &s), SRCFILTER_POPCORN);
	srcfilter_counters(sf, &ctr);
	ck_assert_uint_eq(ctr.popcorn, 4);
	srcfilter_fini(sf);
}
END_TEST

START_TEST(filter_detects_step_and_drops_spike)
{
	struct srcfilter_config c = fcfg();
	struct srcfilter *sf = srcfilter_init(&c);
	struct srcfilter_sample s = {.offset = 0, .delay = 1e-3, .dispersion = 1e-7, .stratum = 1};
	struct srcfilter_estimate e;
	double t = 0;

	for (int i = 0; i < 12; i++, t += 16) {
		s.local = t;
		s.offset = (i % 2 ? 1 : -1) * 10e-6;
		srcfilter_add(sf, &s);
	}
	/* One sample 5 ms off, then back: a spike, never used. */
	s.local = t += 16;
	s.offset = 5e-3;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_HELD);
	s.local = t += 16;
	s.offset = 0;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_ACCEPTED);
	srcfilter_estimate(sf, t, &e);
	ck_assert_double_lt(fabs(e.offset), 20e-6);
	/* Three agreeing samples 0.5 s off: the source stepped. */
	s.offset = 0.5;
	s.local = t += 16;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_HELD);
	s.local = t += 16;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_HELD);
	s.local = t += 16;
	ck_assert_int_eq(srcfilter_add(sf, &s), SRCFILTER_STEP);
	srcfilter_estimate(sf, t, &e);
	ck_assert_uint_eq(e.n_samples, 3);
	ck_assert_double_eq_tol(e.offset, 0.5, 1e-9);
	srcfilter_fini(sf);
}
END_TEST

START_TEST(filter_adjust_follows_corrections)
{
	struct srcfilter_config c = fcfg();
	struct srcfilter *sf = srcfilter_init(&c);
	struct srcfilter_estimate e;

	for (int i = 0; i < 10; i++)
		add(sf, 16.0 * i, 2e-3 + 10e-6 * 16.0 * i, 1e-3);
	/* The clock took +offset and +slope at t = 144: nothing is left. */
	srcfilter_estimate(sf, 144, &e);
	srcfilter_adjust(sf, 144, e.offset, e.freq);
	srcfilter_estimate(sf, 144, &e);
	ck_assert_double_lt(fabs(e.offset), 1e-12);
	ck_assert_double_lt(fabs(e.freq), 1e-14);
	srcfilter_fini(sf);
}
END_TEST

START_TEST(filter_ages_out)
{
	struct srcfilter_config c = fcfg();
	struct srcfilter *sf;
	struct srcfilter_estimate e;

	c.max_age = 1000;
	sf = srcfilter_init(&c);
	for (int i = 0; i < 10; i++)
		add(sf, 16.0 * i, 0, 1e-3);
	add(sf, 5000, 0, 1e-3);
	srcfilter_estimate(sf, 5000, &e);
	ck_assert_uint_eq(e.n_samples, 1);
	ck_assert_double_eq(srcfilter_init(&(struct srcfilter_config){.minpoll = 8, .maxpoll = 6}) == NULL, 1);
	srcfilter_fini(sf);
}
END_TEST

/* ---- srcselect ---------------------------------------------------------- */

static struct srcselect_source src(double offset, double dist, int stratum)
{
	struct srcselect_source s;

	memset(&s, 0, sizeof(s));
	s.est.valid = 1;
	s.est.offset = offset;
	s.est.root_distance = dist;
	s.est.jitter = dist / 4;
	s.est.offset_sd = dist / 10;
	s.est.delay = dist;
	s.est.skew = 1e-7;
	s.est.stratum = stratum;
	s.est.reach = 0xff;
	s.est.n_samples = 8;
	return s;
}

START_TEST(select_marks_falseticker)
{
	struct srcselect *ss = srcselect_init(&(struct srcselect_config){0});
	struct srcselect_source s[4] = {src(1e-3, 2e-3, 1), src(0.5e-3, 2e-3, 1), src(100e-3, 2e-3, 1),
					src(1.5e-3, 4e-3, 2)};
	struct srcselect_result r;

	ck_assert_int_eq(srcselect_run(ss, s, 4, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.status[2], SRCSEL_FALSETICKER);
	ck_assert_uint_eq(r.n_truechimers, 3);
	ck_assert_int_eq(r.sys_peer, 0);   /* first of the two best; stratum breaks the tie with 3 */
	ck_assert_int_eq(r.status[0], SRCSEL_SYSPEER);
	ck_assert_int_eq(r.status[1], SRCSEL_COMBINED);
	ck_assert_int_eq(r.status[3], SRCSEL_COMBINED);
	/* Weighted by 1/lambda: (1/2 + 0.5/2 + 1.5/4) / (1/2 + 1/2 + 1/4) ms. */
	ck_assert_double_eq_tol(r.offset, (0.5 + 0.25 + 0.375) / 1.25 * 1e-3, 1e-12);
	ck_assert_int_eq(r.stratum, 2);
	ck_assert(r.low <= 0.5e-3 + 2e-3 && r.high >= 1e-3 - 2e-3);
	srcselect_fini(ss);
}
END_TEST

START_TEST(select_reasons_and_minsources)
{
	struct srcselect *ss = srcselect_init(&(struct srcselect_config){.minsources = 2});
	struct srcselect_source s[5] = {src(0, 1e-3, 1), src(0, 1e-3, 1), src(0, 1e-3, 16),
					src(0, 1e-3, 1), src(0, 5.0, 1)};
	struct srcselect_result r;

	s[1].est.reach = 0;
	s[3].est.n_samples = 1;
	ck_assert_int_eq(srcselect_run(ss, s, 5, &r), SRCSELECT_MINSOURCES);
	ck_assert_int_eq(r.status[0], SRCSEL_CANDIDATE);
	ck_assert_int_eq(r.status[1], SRCSEL_UNREACHABLE);
	ck_assert_int_eq(r.status[2], SRCSEL_UNSYNC);
	ck_assert_int_eq(r.status[3], SRCSEL_TOO_FEW);
	ck_assert_int_eq(r.status[4], SRCSEL_DISTANCE);
	ck_assert_int_eq(r.sys_peer, -1);
	s[1].est.reach = 1;
	ck_assert_int_eq(srcselect_run(ss, s, 5, &r), SRCSELECT_OK);
	ck_assert_uint_eq(r.n_combined, 2);
	srcselect_fini(ss);
}
END_TEST

START_TEST(select_no_majority_and_prefer)
{
	struct srcselect *ss = srcselect_init(&(struct srcselect_config){0});
	struct srcselect_source s[3] = {src(0, 1e-3, 1), src(50e-3, 1e-3, 1), src(0.2e-3, 3e-3, 2)};
	struct srcselect_result r;

	/* Two that disagree: neither is a majority. */
	ck_assert_int_eq(srcselect_run(ss, s, 2, &r), SRCSELECT_NO_MAJORITY);
	ck_assert_int_eq(r.sys_peer, -1);
	/* prefer wins over a lower distance among truechimers. */
	s[2].prefer = 1;
	s[1].est.offset = 0.1e-3;
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.sys_peer, 2);
	srcselect_fini(ss);
}
END_TEST

/* ---- discipline (no simulation) ----------------------------------------- */

static ntp_ts_t secs(double s)
{
	return (ntp_ts_t)ntp_interval_from_double(s);
}

static double diff(ntp_ts_t a, ntp_ts_t b)
{
	return ntp_interval_to_double(ntp_ts_diff(a, b));
}

START_TEST(leap_step_insert_and_delete)
{
	struct disc_config c = {.leapsecmode = DISC_LEAPMODE_STEP};
	struct discipline *d = discipline_init(&c, LEAP_MIDNIGHT - secs(HOUR));
	const struct disc_leap *l;
	uint8_t li;

	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_INSERT, LEAP_MIDNIGHT - secs(HOUR)), 0);
	l = discipline_leap(d);
	ck_assert(l->at == LEAP_MIDNIGHT);
	/* 23:59:59.5 is served as is, with LI = 1 ... */
	ck_assert(discipline_serve(l, LEAP_MIDNIGHT - secs(0.5), &li) == LEAP_MIDNIGHT - secs(0.5));
	ck_assert_uint_eq(li, NTP_LEAP_INSERT);
	/* ... 23:59:60.5 (raw midnight + 0.5) is labelled 23:59:59.5 again ... */
	ck_assert_double_eq_tol(diff(discipline_serve(l, LEAP_MIDNIGHT + secs(0.5), &li), LEAP_MIDNIGHT),
				-0.5, 1e-9);
	ck_assert_uint_eq(li, NTP_LEAP_NONE);
	/* ... and raw midnight + 1 is 00:00:00. */
	ck_assert_double_eq_tol(diff(discipline_serve(l, LEAP_MIDNIGHT + secs(1), NULL), LEAP_MIDNIGHT),
				0, 1e-9);
	/* Not the last day of a month: refused. */
	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_INSERT, LEAP_MIDNIGHT - secs(3 * 86400)), -EINVAL);
	/* Delete: 23:59:59 never happens; 23:59:58.5 -> 23:59:58.5, 23:59:59.5 -> 00:00:00.5. */
	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_DELETE, LEAP_MIDNIGHT - secs(HOUR)), 0);
	ck_assert_double_eq_tol(diff(discipline_serve(l, LEAP_MIDNIGHT - secs(1.5), NULL), LEAP_MIDNIGHT),
				-1.5, 1e-9);
	ck_assert_double_eq_tol(diff(discipline_serve(l, LEAP_MIDNIGHT - secs(0.5), NULL), LEAP_MIDNIGHT),
				0.5, 1e-9);
	discipline_fini(d);
}
END_TEST

START_TEST(leap_smear_shapes)
{
	for (int shape = DISC_SMEAR_LINEAR; shape <= DISC_SMEAR_QUADRATIC; shape++) {
		struct disc_config c = {.leapsecmode = DISC_LEAPMODE_SMEAR, .smear_window = 7200,
					.smear_shape = (enum disc_smear_shape)shape};
		struct discipline *d = discipline_init(&c, LEAP_MIDNIGHT - secs(HOUR));
		const struct disc_leap *l;
		double prev = -INFINITY;
		uint8_t li;

		ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_INSERT, LEAP_MIDNIGHT - secs(HOUR)), 0);
		l = discipline_leap(d);
		for (double t = -4000; t <= 4000; t += 0.25) {
			ntp_ts_t raw = LEAP_MIDNIGHT + (ntp_ts_t)ntp_interval_from_double(t);
			double sv = diff(discipline_serve(l, raw, &li), LEAP_MIDNIGHT);
			double utc = diff(discipline_utc(l, raw), LEAP_MIDNIGHT);
			ck_assert_uint_eq(li, NTP_LEAP_NONE);
			/* Monotonic, never faster than the steepest smear slope. */
			ck_assert(sv > prev);
			if (prev > -INFINITY)
				ck_assert_double_le(0.25 - (sv - prev), 0.25 * 2.0 / 7200 + 1e-9);
			prev = sv;
			ck_assert_double_le(fabs(sv - utc), 0.5 + 1e-9);
			if (fabs(t) > 3600)
				ck_assert_double_eq_tol(sv, utc, 1e-9);
		}
		discipline_fini(d);
	}
}
END_TEST

START_TEST(makestep_limit)
{
	struct disc_config c = {.makestep_threshold = 1.0, .makestep_limit = 3};
	struct discipline *d = discipline_init(&c, EPOCH_PLAIN);
	struct disc_estimate e = {.offset = 2.0, .offset_sd = 1e-3, .skew = 1};
	struct disc_action a;
	unsigned long u, st;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(discipline_update(d, 10.0 * i, &e, &a), 1);
	/* The fourth update is past the limit: slewed, at most maxslewrate. */
	ck_assert_int_eq(discipline_update(d, 40, &e, &a), 0);
	ck_assert_double_eq_tol(a.slew_s, 2.0, 1e-12);
	ck_assert_double_le(a.slew_rate, 1.0 / 12 + 1e-12);
	ck_assert_int_eq(a.freq_verdict, DISC_FREQ_SKEW);
	discipline_counts(d, &u, &st);
	ck_assert_uint_eq(u, 4);
	ck_assert_uint_eq(st, 3);
	/* The cooked clock took the 2 s at once (t = 40 became 42); the
	 * published one lags it by the slew, which runs out. */
	ck_assert_double_eq_tol(discipline_slew_remaining(d, 42), 2.0, 1e-12);
	ck_assert_double_eq_tol(discipline_slew_remaining(d, 44), 2.0 - 2 * a.slew_rate, 1e-9);
	ck_assert_double_eq(discipline_slew_remaining(d, 1000), 0);
	discipline_fini(d);
}
END_TEST

START_TEST(driftfile_round_trip)
{
	char path[] = "/tmp/lt-drift-XXXXXX";
	int fd = mkstemp(path);
	double f, s;
	FILE *fp;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(discipline_driftfile_write(path, -12.345678, 0.0421), 0);
	ck_assert_int_eq(discipline_driftfile_read(path, &f, &s), 0);
	ck_assert_double_eq_tol(f, -12.345678, 1e-9);
	ck_assert_double_eq_tol(s, 0.0421, 1e-9);
	fp = fopen(path, "w");
	fputs("garbage\n", fp);
	fclose(fp);
	ck_assert_int_eq(discipline_driftfile_read(path, &f, &s), -EINVAL);
	unlink(path);
	ck_assert_int_eq(discipline_driftfile_read(path, &f, &s), -ENOENT);
}
END_TEST

/* ---- reloads: new settings, same state ------------------------------------- */

START_TEST(select_set_config)
{
	struct srcselect *ss = srcselect_init(&(struct srcselect_config){0});
	struct srcselect_source s[3] = {src(0, 1e-3, 1), src(0.1e-3, 1e-3, 1), src(0, 5.0, 1)};
	struct srcselect_result r;

	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.status[2], SRCSEL_DISTANCE); /* default maxdistance 3 s */
	/* minsources 3: two truechimers are too few. */
	ck_assert_int_eq(srcselect_set_config(ss, &(struct srcselect_config){.minsources = 3}), 0);
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_MINSOURCES);
	/* maxdistance 10: the third is a candidate, and there are three. */
	ck_assert_int_eq(srcselect_set_config(ss, &(struct srcselect_config){.minsources = 3,
									     .maxdistance = 10}),
			 0);
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_uint_eq(r.n_truechimers, 3);

	/* Bad settings are refused and the old ones stay. */
	static const struct srcselect_config bad[] = {
		{.minsources = SRCSELECT_MAX + 1},
		{.maxdistance = -1},
		{.maxdistance = NAN},
		{.stratumweight = -0.001},
		{.stratumweight = NAN},
		{.reselectdist = -1e-4},
		{.combinelimit = NAN},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(srcselect_set_config(ss, &bad[i]), -EINVAL);
		ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
		ck_assert_uint_eq(r.n_truechimers, 3);
		ck_assert_int_ne(r.status[2], SRCSEL_DISTANCE);
	}
	ck_assert_int_eq(srcselect_set_config(ss, NULL), -EINVAL);
	/* Zeros take chrony's defaults, as at init: minsources 1,
	 * maxdistance 3, minsamples 2. */
	ck_assert_int_eq(srcselect_set_config(ss, &(struct srcselect_config){0}), 0);
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.status[2], SRCSEL_DISTANCE);
	s[1].est.n_samples = 1;
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.status[1], SRCSEL_TOO_FEW);
	ck_assert_int_eq(srcselect_set_config(ss, &(struct srcselect_config){.minsamples = 1}), 0);
	ck_assert_int_eq(srcselect_run(ss, s, 3, &r), SRCSELECT_OK);
	ck_assert_int_ne(r.status[1], SRCSEL_TOO_FEW);
	srcselect_fini(ss);
}
END_TEST

/* The previous system peer is state, not config: a reload keeps it. */
START_TEST(select_set_config_keeps_peer)
{
	struct srcselect_config c = {.stratumweight = 0.001, .reselectdist = 1e-4};
	struct srcselect *ss = srcselect_init(&c);
	struct srcselect_source s[2] = {src(0, 1e-3, 1), src(0, 1.05e-3, 1)};
	struct srcselect_result r;

	ck_assert_int_eq(srcselect_run(ss, s, 2, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.sys_peer, 0);
	/* The other is now better, but by less than reselectdist. */
	s[1].est.root_distance = 0.96e-3;
	ck_assert_int_eq(srcselect_set_config(ss, &c), 0);
	ck_assert_int_eq(srcselect_run(ss, s, 2, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.sys_peer, 0);
	/* With reselectdist 0 it takes over. */
	c.reselectdist = 0;
	ck_assert_int_eq(srcselect_set_config(ss, &c), 0);
	ck_assert_int_eq(srcselect_run(ss, s, 2, &r), SRCSELECT_OK);
	ck_assert_int_eq(r.sys_peer, 1);
	srcselect_fini(ss);
}
END_TEST

/* Updates of a 2 s offset (makestep's and maxslewrate's rules apply). */
static int big_update(struct discipline *d, double now, struct disc_action *a)
{
	struct disc_estimate e = {.offset = 2.0, .offset_sd = 1e-3, .skew = 1};

	return discipline_update(d, now, &e, a);
}

START_TEST(disc_set_config_refuses_bad)
{
	struct disc_config c = {.makestep_threshold = 1.0, .makestep_limit = -1, .maxslewrate = 1000};
	struct discipline *d = discipline_init(&c, EPOCH_PLAIN);
	struct disc_action a;
	static const struct disc_config bad[] = {
		{.maxslewrate = -1},
		{.maxslewrate = NAN},
		{.maxupdateskew = -1},
		{.maxdrift = -1},
		{.corrtimeratio = -1},
		{.corrtimeratio = NAN},
		{.smear_window = -1},
		{.makestep_limit = -2},
		{.makestep_threshold = NAN},
		{.leapsecmode = (enum disc_leapmode)(DISC_LEAPMODE_SMEAR + 1)},
		{.smear_shape = (enum disc_smear_shape)(DISC_SMEAR_QUADRATIC + 1)},
	};

	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_null(discipline_init(&bad[i], EPOCH_PLAIN));
		ck_assert_int_eq(discipline_set_config(d, &bad[i]), -EINVAL);
	}
	ck_assert_int_eq(discipline_set_config(d, NULL), -EINVAL);
	/* Still the old rules: a 2 s offset steps (threshold 1, no limit). */
	ck_assert_int_eq(big_update(d, 10, &a), 1);
	ck_assert_int_eq(big_update(d, 20, &a), 1);
	/* And the old maxslewrate, 1000 ppm, once makestep is off. */
	ck_assert_int_eq(discipline_set_config(d, &(struct disc_config){.maxslewrate = 1000}), 0);
	ck_assert_int_eq(big_update(d, 30, &a), 0);
	ck_assert_double_eq_tol(a.slew_rate, 1000 * PPM, 1e-12);
	discipline_fini(d);
}
END_TEST

/* A loop given cfg by set_config acts exactly as one created with it. */
static void same_actions(const struct disc_config *cfg)
{
	struct discipline *a = discipline_init(cfg, EPOCH_PLAIN);
	struct discipline *b = discipline_init(&(struct disc_config){.maxslewrate = 7, .maxdrift = 3,
								     .corrtimeratio = 9,
								     .makestep_threshold = 100},
					       EPOCH_PLAIN);
	static const double offs[] = {2.0, 0.3, -0.05, 1e-4, 0.8, -3.0};
	struct disc_action x, y;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(discipline_set_config(b, cfg), 0);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct disc_estimate e = {.offset = offs[i], .offset_sd = 1e-4, .freq = 3e-4,
					  .skew = 1e-6};
		double now = 16.0 * (double)(i + 1);
		ck_assert_int_eq(discipline_update(a, now, &e, &x), discipline_update(b, now, &e, &y));
		ck_assert_int_eq(x.step, y.step);
		ck_assert_double_eq(x.step_s, y.step_s);
		ck_assert_double_eq(x.slew_s, y.slew_s);
		ck_assert_double_eq(x.slew_rate, y.slew_rate);
		ck_assert_double_eq(x.freq_ppm, y.freq_ppm);
		ck_assert_int_eq(x.freq_verdict, y.freq_verdict);
	}
	discipline_fini(a);
	discipline_fini(b);
}

START_TEST(disc_set_config_zeros_are_defaults)
{
	struct discipline *d = discipline_init(&(struct disc_config){.maxslewrate = 1000}, EPOCH_PLAIN);
	struct disc_action a;

	/* 1000 ppm, then zeros: chrony's 83333 ppm (1/12), as at init. */
	ck_assert_int_eq(big_update(d, 10, &a), 0);
	ck_assert_double_eq_tol(a.slew_rate, 1000 * PPM, 1e-12);
	ck_assert_int_eq(discipline_set_config(d, &(struct disc_config){0}), 0);
	ck_assert_int_eq(big_update(d, 20, &a), 0);
	ck_assert_double_eq_tol(a.slew_rate, 1.0 / 12, 1e-9);
	/* maxdrift 0 is 500 ppm again. */
	discipline_set_freq(d, 800, 1);
	ck_assert_double_eq_tol(discipline_freq_ppm(d), 500, 1e-9);
	discipline_fini(d);

	same_actions(&(struct disc_config){0});
	same_actions(&(struct disc_config){.makestep_threshold = 0.5, .makestep_limit = 3,
					   .maxslewrate = 500, .maxupdateskew = 100, .maxdrift = 100,
					   .corrtimeratio = 10});
	same_actions(&(struct disc_config){.makestep_threshold = 0.1, .makestep_limit = -1});
}
END_TEST

START_TEST(disc_set_config_keeps_state)
{
	struct disc_config c = {.leapsecmode = DISC_LEAPMODE_STEP};
	struct discipline *d = discipline_init(&c, LEAP_MIDNIGHT - secs(HOUR));
	struct disc_estimate e = {.offset = 0.2, .offset_sd = 1e-3, .skew = 1,
				  .leap = NTP_LEAP_INSERT};
	struct disc_action a;
	unsigned long u, st;

	discipline_set_freq(d, -12.5, 0.25);
	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_INSERT, LEAP_MIDNIGHT - secs(HOUR)), 0);
	ck_assert_int_eq(discipline_update(d, 10, &e, &a), 0);
	double rem = discipline_slew_remaining(d, 10.5), end = discipline_slew_end(d);
	double skew = discipline_skew_ppm(d);
	ck_assert_double_gt(rem, 0);

	/* New rules: smear leaps, a slower slew, a step threshold. */
	c = (struct disc_config){.makestep_threshold = 0.5, .makestep_limit = 10, .maxslewrate = 100,
				 .leapsecmode = DISC_LEAPMODE_SMEAR, .smear_window = 3600};
	ck_assert_int_eq(discipline_set_config(d, &c), 0);
	/* The frequency, its skew, the counts, the slew in progress and the
	 * scheduled leap (in the mode it was scheduled with) all stay. */
	ck_assert_double_eq(discipline_freq_ppm(d), -12.5);
	ck_assert_double_eq(discipline_skew_ppm(d), skew);
	discipline_counts(d, &u, &st);
	ck_assert_uint_eq(u, 1);
	ck_assert_uint_eq(st, 0);
	ck_assert_double_eq(discipline_slew_remaining(d, 10.5), rem);
	ck_assert_double_eq(discipline_slew_end(d), end);
	ck_assert_int_eq(discipline_leap(d)->type, NTP_LEAP_INSERT);
	ck_assert_int_eq(discipline_leap(d)->mode, DISC_LEAPMODE_STEP);
	/* The next update follows the new rules: 0.8 s steps now (the 2nd
	 * update, within makestep's limit of 10), a small one slews at
	 * most 100 ppm. */
	e.offset = 0.8;
	double rem20 = discipline_slew_remaining(d, 20);
	ck_assert_int_eq(discipline_update(d, 20, &e, &a), 1);
	ck_assert_double_eq_tol(a.step_s, 0.8 + rem20, 1e-12);
	e.offset = 0.3;
	ck_assert_int_eq(discipline_update(d, 30, &e, &a), 0);
	ck_assert_double_le(a.slew_rate, 100 * PPM + 1e-15);
	ck_assert_double_eq_tol(a.slew_rate, 100 * PPM, 1e-12);
	/* A leap scheduled from now on takes the new mode. */
	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_NONE, LEAP_MIDNIGHT - secs(HOUR)), 0);
	ck_assert_int_eq(discipline_leap_set(d, NTP_LEAP_INSERT, LEAP_MIDNIGHT - secs(HOUR)), 0);
	ck_assert_int_eq(discipline_leap(d)->mode, DISC_LEAPMODE_SMEAR);
	ck_assert_double_eq(discipline_leap(d)->window, 3600);
	/* makestep's limit counts updates since start, not since the reload. */
	ck_assert_int_eq(discipline_set_config(d, &(struct disc_config){.makestep_threshold = 0.5,
									    .makestep_limit = 3}),
			 0);
	e.offset = 0.8;
	ck_assert_int_eq(discipline_update(d, 40, &e, &a), 0);
	discipline_fini(d);
}
END_TEST

/* ---- simulation ----------------------------------------------------------- */

/* Three stratum-1 servers 1 ms away each way with 20 us of Gaussian jitter
 * per direction, a +20 ppm oscillator, chrony's default polling (iburst,
 * minpoll 6, maxpoll 10) and chrony's default loop settings. */
static struct sim_config base(double duration)
{
	struct sim_config c;

	memset(&c, 0, sizeof(c));
	c.seed = SEED;
	c.epoch = EPOCH_PLAIN;
	c.duration = duration;
	c.tick = 1.0;
	c.osc_freq = 20 * PPM;
	c.precision = 1e-7;
	c.n_servers = 3;
	for (int i = 0; i < 3; i++)
		c.srv[i] = (struct sim_server){.delay_out = 1 * MS, .delay_in = 1 * MS, .jitter = 20 * US,
					      .stratum = 1, .root_dispersion = 10 * US};
	c.filter = (struct srcfilter_config){.minpoll = 6, .maxpoll = 10, .iburst = 1, .precision = 1e-7};
	c.select = (struct srcselect_config){.stratumweight = 1e-3, .reselectdist = 1e-4};
	return c;
}

static struct sim *run(const struct sim_config *c)
{
	struct sim *s = sim_new(c);

	ck_assert_ptr_nonnull(s);
	sim_run(s, c->duration);
	return s;
}

START_TEST(sim_offset_slewed)
{
	struct sim_config c = base(3 * HOUR);
	struct sim *s;

	c.init_offset = 50 * MS;
	c.disc.maxslewrate = 500;
	s = run(&c);
	double tc = sim_converge_time(s, 100 * US, 0);
	double rms = sim_rms_err(s, HOUR, c.duration);
	double rate = sim_max_rate(s, 0, c.duration);
	figure("offset +50ms slew", "converge(100us) %.0f s  rms %.2f us  max %.2f us  rate %.1f ppm steps %lu",
	       tc, rms / US, sim_max_err(s, HOUR, c.duration) / US, rate / PPM, sim_steps(s));
	ck_assert_uint_eq(sim_steps(s), 0);
	/* Slewed, never stepped: clients saw at most maxslewrate plus the
	 * oscillator's 20 ppm before it was corrected. */
	ck_assert_double_le(rate, (500 + 20 + 1) * PPM);
	/* 50 ms at 500 ppm takes 100 s, after the 4 iburst polls (8 s). */
	ck_assert_double_le(tc, 150);
	ck_assert_double_ge(tc, 100);
	ck_assert_double_le(rms, STEADY_RMS);
	sim_free(s);
}
END_TEST

START_TEST(sim_offset_stepped)
{
	struct sim_config c = base(2 * HOUR);
	struct sim *s;

	c.init_offset = 2.0;
	c.disc.makestep_threshold = 1.0;
	c.disc.makestep_limit = 3;
	s = run(&c);
	double tc = sim_converge_time(s, 100 * US, 0);
	double tc5 = sim_converge_time(s, 500 * US, 0);
	double rms = sim_rms_err(s, HOUR, c.duration);
	figure("offset +2s makestep", "converge(500us) %.0f s  converge(100us) %.0f s  rms %.2f us  steps %lu",
	       tc5, tc, rms / US, sim_steps(s));
	ck_assert_uint_eq(sim_steps(s), 1);
	/* Stepped at the first update (second iburst sample, t ~ 2 s). The
	 * iburst's 6 s span leaves a frequency error of ~3 ppm at most
	 * (skew ~1 ppm), so until the first 64 s poll the clock drifts
	 * < 200 us: inside 500 us at once, inside 100 us after that poll. */
	ck_assert_double_le(tc5, 10);
	ck_assert_double_le(tc, 64 + 8 + 10);
	ck_assert_double_le(rms, STEADY_RMS);
	sim_free(s);
}
END_TEST

START_TEST(sim_frequency_error)
{
	for (int sign = -1; sign <= 1; sign += 2) {
		struct sim_config c = base(4 * HOUR);
		struct sim *s;

		c.osc_freq = sign * 100 * PPM;
		c.osc_wander = 1e-10;
		s = run(&c);
		double tf = sim_freq_converge_time(s, 0.1, 0);
		double tc = sim_converge_time(s, 50 * US, 0);
		double rms = sim_rms_err(s, HOUR, c.duration);
		double fe = fabs(s ? sim_trace(s, &(unsigned int){0})[0].freq_err : 0);
		figure(sign > 0 ? "freq +100ppm" : "freq -100ppm",
		       "freq(0.1ppm) %.0f s  converge(50us) %.0f s  rms %.2f us  max %.2f us  start %.0f ppm",
		       tf, tc, rms / US, sim_max_err(s, HOUR, c.duration) / US, fe);
		ck_assert_uint_eq(sim_steps(s), 0);
		/* The iburst's four samples over 6 s pin the slope to a few ppm;
		 * 0.1 ppm needs a span of minutes at minpoll 6. */
		ck_assert_double_le(tf, 1200);
		ck_assert_double_le(tc, 600);
		/* At maxpoll 10 the phase between polls is extrapolated along a
		 * slope known to ~0.005 ppm (5 us per 1024 s) from samples with
		 * 14 us of noise each: about one sample's noise, allow 2x. */
		ck_assert_double_le(rms, 2 * STEADY_RMS);
		sim_free(s);
	}
}
END_TEST

START_TEST(sim_jitter)
{
	struct sim_config c = base(6 * HOUR);
	struct sim *s;

	for (int i = 0; i < 3; i++)
		c.srv[i].jitter = 1 * MS;
	c.osc_wander = 1e-10;
	s = run(&c);
	double tc = sim_converge_time(s, 300 * US, 0);
	double rms = sim_rms_err(s, 2 * HOUR, c.duration);
	figure("jitter 1ms", "converge(300us) %.0f s  rms %.2f us  max %.2f us", tc, rms / US,
	       sim_max_err(s, 2 * HOUR, c.duration) / US);
	ck_assert_uint_eq(sim_steps(s), 0);
	/* One sample's offset error is 1 ms * sqrt(2) / 2 = 0.71 ms; the
	 * regression over n samples of three sources should be near
	 * 0.71 ms / sqrt(3 n); with n >= 8, < 150 us, and we allow 2x. */
	ck_assert_double_le(rms, 300 * US);
	ck_assert_double_le(tc, 3 * HOUR);
	sim_free(s);
}
END_TEST

START_TEST(sim_asymmetry)
{
	struct sim_config c = base(3 * HOUR);
	struct sim *sym = run(&c), *asym;
	unsigned int n, m;

	for (int i = 0; i < 3; i++) {
		c.srv[i].delay_out = 3 * MS;
		c.srv[i].delay_in = 1 * MS;
	}
	asym = run(&c);
	const struct sim_point *p = sim_trace(sym, &n), *q = sim_trace(asym, &m);
	double diff = 0, dmax = 0;
	unsigned int k, cnt = 0;
	for (k = 0; k < n && k < m; k++) {
		if (p[k].t < HOUR)
			continue;
		diff += q[k].err - p[k].err;
		dmax = fmax(dmax, fabs(q[k].err - p[k].err - 1 * MS));
		cnt++;
	}
	diff /= cnt;
	double mean = sim_mean_err(asym, HOUR, c.duration);
	figure("asymmetry 3/1 ms", "mean err %.2f us (expect +1000)  paired diff %.3f us  max |diff-1ms| %.3f us",
	       mean / US, diff / US, dmax / US);
	/* NTP cannot see asymmetry: the offset is biased by half of it,
	 * (3 - 1) / 2 = +1 ms. The same seed draws the same path noise with
	 * and without the asymmetry, so the difference between the two runs
	 * is that bias alone; the absolute mean also carries the 2 h mean of
	 * the ordinary error (sd ~5 us), so it gets 3 sd. */
	ck_assert_double_eq_tol(diff, 1 * MS, 1 * US);
	ck_assert_double_le(dmax, 5 * US);
	ck_assert_double_eq_tol(mean, 1 * MS, 15 * US);
	sim_free(sym);
	sim_free(asym);
}
END_TEST

START_TEST(sim_falseticker)
{
	struct sim_config c = base(3 * HOUR);
	struct sim *s;
	const struct srcselect_result *r;

	c.srv[1].offset = 100 * MS;
	s = run(&c);
	r = sim_selection(s);
	double rms = sim_rms_err(s, HOUR, c.duration);
	double tc = sim_converge_time(s, 100 * US, 0);
	figure("falseticker +100ms", "status %s/%s/%s  converge(100us) %.0f s  rms %.2f us  max %.2f us",
	       srcselect_status_name(r->status[0]), srcselect_status_name(r->status[1]),
	       srcselect_status_name(r->status[2]), tc, rms / US, sim_max_err(s, 0.5 * HOUR, c.duration) / US);
	ck_assert_int_eq(r->status[1], SRCSEL_FALSETICKER);
	ck_assert(r->status[0] == SRCSEL_SYSPEER || r->status[0] == SRCSEL_COMBINED);
	ck_assert(r->status[2] == SRCSEL_SYSPEER || r->status[2] == SRCSEL_COMBINED);
	ck_assert_uint_eq(r->n_combined, 2);
	ck_assert_double_le(rms, STEADY_RMS);
	ck_assert_double_le(tc, 600);
	sim_free(s);
}
END_TEST

static void server_set_step(int makestep)
{
	struct sim_config c = base(4 * HOUR);
	struct sim *s;

	if (makestep) {
		c.disc.makestep_threshold = 0.1;
		c.disc.makestep_limit = -1;
	} else {
		c.disc.maxslewrate = 1000;
	}
	s = sim_new(&c);
	ck_assert_ptr_nonnull(s);
	sim_run(s, 2 * HOUR);
	ck_assert_uint_eq(sim_steps(s), 0);
	for (int i = 0; i < 3; i++)
		sim_server(s, (unsigned int)i)->offset = 0.5;
	sim_run(s, c.duration);
	/* The truth moved: measure error against the servers' new time. */
	unsigned int n;
	const struct sim_point *p = sim_trace(s, &n);
	double last_bad = 2 * HOUR, rms = 0;
	unsigned int m = 0;
	for (unsigned int k = 0; k < n; k++) {
		if (p[k].t < 2 * HOUR)
			continue;
		if (fabs(p[k].err - 0.5) > 100 * US)
			last_bad = p[k].t;
		if (p[k].t > 3 * HOUR) {
			rms += (p[k].err - 0.5) * (p[k].err - 0.5);
			m++;
		}
	}
	rms = sqrt(rms / m);
	double tc = last_bad + 1 - 2 * HOUR;
	figure(makestep ? "server step, makestep" : "server step, slew", "converge(100us) %.0f s  rms %.2f us  steps %lu  rate %.0f ppm",
	       tc, rms / US, sim_steps(s), sim_max_rate(s, 2 * HOUR, c.duration) / PPM);
	ck_assert_double_le(rms, STEADY_RMS);
	if (makestep) {
		ck_assert_uint_eq(sim_steps(s), 1);
		/* The first sample off the line comes at the current poll (up
		 * to 1024 s); two more at minpoll (64 s) confirm the step. */
		ck_assert_double_le(tc, 1024 + 3 * 64);
	} else {
		ck_assert_uint_eq(sim_steps(s), 0);
		ck_assert_double_le(sim_max_rate(s, 2 * HOUR, c.duration), (1000 + 1) * PPM);
		/* Detection as above, then 0.5 s at 1000 ppm = 500 s. */
		ck_assert_double_le(tc, 1024 + 3 * 64 + 500 + 64);
	}
	sim_free(s);
}

START_TEST(sim_server_step_makestep)
{
	server_set_step(1);
}
END_TEST

START_TEST(sim_server_step_slewed)
{
	server_set_step(0);
}
END_TEST

static struct sim_config leap_cfg(enum disc_leapmode mode)
{
	struct sim_config c = base(5 * HOUR);

	c.epoch = LEAP_MIDNIGHT - ((ntp_ts_t)(3 * 3600) << 32);  /* 2016-12-31 21:00 UTC */
	c.leap_type = NTP_LEAP_INSERT;
	c.leap_midnight = LEAP_MIDNIGHT;
	c.leap_announce = 24 * HOUR;
	c.disc.leapsecmode = mode;
	c.disc.smear_window = 2 * HOUR;
	c.disc.smear_shape = DISC_SMEAR_QUADRATIC;
	return c;
}

START_TEST(sim_leap_step)
{
	struct sim_config c = leap_cfg(DISC_LEAPMODE_STEP);
	struct sim *s = run(&c);
	unsigned int n;
	const struct sim_point *p = sim_trace(s, &n);
	double L = 3 * HOUR, jump = 0, at = 0;

	for (unsigned int k = 1; k < n; k++) {
		double d = (p[k].served - p[k - 1].served);
		if (fabs(d) > fabs(jump)) {
			jump = d;
			at = p[k].t;
		}
		/* LI = 1 until the leap, 0 after (RFC 5905 section 7.3). */
		if (p[k].t > HOUR && p[k].t < L - 1)
			ck_assert_uint_eq(p[k].li, NTP_LEAP_INSERT);
		if (p[k].t > L + 1)
			ck_assert_uint_eq(p[k].li, NTP_LEAP_NONE);
	}
	double rms = sim_rms_err(s, L + 60, c.duration);
	/* Within the sync error of the boundary either side of it is right. */
	double maxe = fmax(sim_max_err(s, HOUR, L - 1), sim_max_err(s, L + 1, c.duration));
	figure("leap insert, step", "served jump %.6f s at t-L %+.0f s  max err %.2f us  rms after %.2f us",
	       jump, at - L, maxe / US, rms / US);
	/* 23:59:59 served twice: one backward jump of 1 s at the leap, and
	 * the served time matches UTC on both sides of it. */
	ck_assert_double_eq_tol(jump, -1.0, 100 * US);
	ck_assert_double_le(fabs(at - L), 1.0);
	ck_assert_double_le(maxe, 50 * US);
	ck_assert_uint_eq(sim_steps(s), 0);
	sim_free(s);
}
END_TEST

START_TEST(sim_leap_smear)
{
	struct sim_config c = leap_cfg(DISC_LEAPMODE_SMEAR);
	struct sim *s = run(&c);
	unsigned int n;
	const struct sim_point *p = sim_trace(s, &n);
	double L = 3 * HOUR, w = c.disc.smear_window, maxrate = 0, maxdev = 0, outside = 0;

	for (unsigned int k = 1; k < n; k++) {
		double r = fabs(p[k].served - p[k - 1].served) / (p[k].t - p[k - 1].t);
		if (p[k].t > HOUR)
			maxrate = fmax(maxrate, r);
		maxdev = fmax(maxdev, fabs(p[k].err));
		if (p[k].t > HOUR && fabs(p[k].t - L) > w / 2 + 60)
			outside = fmax(outside, fabs(p[k].err));
		ck_assert_uint_eq(p[k].li, NTP_LEAP_NONE);
	}
	figure("leap insert, smear 2h", "max rate %.1f ppm  max |served-UTC| %.3f s  outside window %.2f us",
	       maxrate / PPM, maxdev, outside / US);
	/* Quadratic smear of 1 s over 2 h peaks at 2 s / 7200 s = 278 ppm;
	 * never a jump, never more than 0.5 s from UTC, UTC outside. */
	ck_assert_double_le(maxrate, 278 * PPM + 5 * PPM);
	ck_assert_double_le(maxdev, 0.5 + 100 * US);
	ck_assert_double_le(outside, 50 * US);
	ck_assert_uint_eq(sim_steps(s), 0);
	sim_free(s);
}
END_TEST

START_TEST(sim_lost_and_regained)
{
	struct sim_config c = base(9 * HOUR);
	struct sim *s;
	const struct srcselect_result *r;

	c.osc_wander = 1e-10;
	c.filter.max_age = 2 * HOUR;
	s = sim_new(&c);
	ck_assert_ptr_nonnull(s);
	sim_run(s, 2 * HOUR);
	/* Source 0 goes away: unreachable after 8 unanswered polls (at most
	 * 8 * 1024 s = 2.3 h), and the other two carry on. */
	sim_server(s, 0)->down = 1;
	sim_run(s, 5 * HOUR);
	r = sim_selection(s);
	ck_assert_int_eq(r->status[0], SRCSEL_UNREACHABLE);
	ck_assert_uint_eq(srcfilter_reach(sim_filter(s, 0)), 0);
	ck_assert_uint_ge(r->n_combined, 1);
	double during_one = sim_max_err(s, 2 * HOUR, 5 * HOUR);
	/* Then all three for 30 minutes: holdover on the last frequency. */
	sim_server(s, 1)->down = 1;
	sim_server(s, 2)->down = 1;
	sim_run(s, 5.5 * HOUR);
	double holdover = sim_max_err(s, 5 * HOUR, 5.5 * HOUR);
	for (int i = 0; i < 3; i++)
		sim_server(s, (unsigned int)i)->down = 0;
	sim_run(s, c.duration);
	r = sim_selection(s);
	struct srcfilter_counters ctr;
	srcfilter_counters(sim_filter(s, 0), &ctr);
	double rms = sim_rms_err(s, 6.5 * HOUR, c.duration);
	double rate = sim_max_rate(s, 2 * HOUR, c.duration);
	figure("lost and regained", "one down max %.2f us  holdover 30min max %.2f us  after rms %.2f us  rate %.3f ppm  aged %lu",
	       during_one / US, holdover / US, rms / US, rate / PPM, (unsigned long)ctr.aged);
	ck_assert(r->status[0] == SRCSEL_SYSPEER || r->status[0] == SRCSEL_COMBINED ||
		  r->status[0] == SRCSEL_SELECTABLE);
	ck_assert_uint_eq(r->n_truechimers, 3);
	ck_assert_uint_eq(sim_steps(s), 0);
	/* Source 0's register aged out during its 3.5 h absence (max_age 2 h). */
	ck_assert_uint_gt(ctr.aged, 0);
	/* Two sources: still about the single-source noise (14 us/sample). */
	ck_assert_double_le(during_one, 50 * US);
	/* Holdover: the frequency was known to ~0.01 ppm and wandered
	 * 1e-10 * sqrt(1800 s) = 0.004 ppm: 30 min * 0.02 ppm = 36 us,
	 * plus the error at the start; allow 60 us. */
	ck_assert_double_le(holdover, 60 * US);
	/* No jump when sources return: the served time never moves by
	 * more than the error it corrects (a step of even 100 us would
	 * show as 100 ppm across one 1 s tick). */
	ck_assert_double_le(rate, (holdover + 10 * US) / c.tick);
	ck_assert_double_le(rms, STEADY_RMS);
	sim_free(s);
}
END_TEST

/* Cold start, then warm start from the driftfile the cold run wrote, over
 * a few seeds so one lucky iburst cannot decide it. */
START_TEST(sim_driftfile)
{
	char path[] = "/tmp/lt-simdrift-XXXXXX";
	int fd = mkstemp(path);
	double cold = 0, warm = 0, cold_max = 0, warm_max = 0, cold_f = 0, warm_f = 0;
	const int runs = 4;

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (int k = 0; k < runs; k++) {
		struct sim_config c = base(HOUR);
		struct sim *s;

		c.seed = SEED + 100 * (uint64_t)k;
		c.osc_freq = 60 * PPM;
		c.osc_wander = 1e-10;
		s = run(&c);
		cold += sim_converge_time(s, 100 * US, 0) / runs;
		cold_f += sim_freq_converge_time(s, 0.5, 0) / runs;
		cold_max = fmax(cold_max, sim_max_err(s, 10, 600));
		ck_assert_int_eq(discipline_driftfile_write(path, discipline_freq_ppm(sim_discipline(s)),
							    discipline_skew_ppm(sim_discipline(s))), 0);
		sim_free(s);

		c.seed++;
		c.driftfile = path;
		s = run(&c);
		warm += sim_converge_time(s, 100 * US, 0) / runs;
		warm_f += sim_freq_converge_time(s, 0.5, 0) / runs;
		warm_max = fmax(warm_max, sim_max_err(s, 10, 600));
		sim_free(s);
	}
	unlink(path);
	figure("driftfile", "mean converge(100us) cold %.0f s warm %.0f s; freq(0.5ppm) cold %.0f s warm %.0f s; "
	       "max err 10-600 s cold %.1f us warm %.1f us", cold, warm, cold_f, warm_f, cold_max / US, warm_max / US);
	/* Cold, the iburst's four samples (6 s) leave ~1-3 ppm of frequency
	 * error, worth 60-200 us by the first 64 s poll. Warm, the clock
	 * starts within the driftfile's skew (floored at 1 ppm, weighing
	 * the iburst's noisy slope down to a nudge of ~0.3 ppm), so at worst
	 * it leaves 100 us once, before the first 64 s poll. */
	ck_assert_double_lt(warm, cold);
	ck_assert_double_le(warm, 64 + 8);
	ck_assert_double_le(warm_f, cold_f);
	ck_assert_double_lt(warm_max, cold_max / 2);
}
END_TEST

Suite *discipline_suite(void)
{
	Suite *s = suite_create("discipline");
	TCase *unit = tcase_create("modules");
	TCase *sim = tcase_create("simulation");

	tcase_add_test(unit, filter_fits_a_line);
	tcase_add_test(unit, filter_reach_register);
	tcase_add_test(unit, filter_rejects_popcorn);
	tcase_add_test(unit, filter_detects_step_and_drops_spike);
	tcase_add_test(unit, filter_adjust_follows_corrections);
	tcase_add_test(unit, filter_ages_out);
	tcase_add_test(unit, select_marks_falseticker);
	tcase_add_test(unit, select_reasons_and_minsources);
	tcase_add_test(unit, select_no_majority_and_prefer);
	tcase_add_test(unit, leap_step_insert_and_delete);
	tcase_add_test(unit, leap_smear_shapes);
	tcase_add_test(unit, makestep_limit);
	tcase_add_test(unit, driftfile_round_trip);
	tcase_add_test(unit, select_set_config);
	tcase_add_test(unit, select_set_config_keeps_peer);
	tcase_add_test(unit, disc_set_config_refuses_bad);
	tcase_add_test(unit, disc_set_config_zeros_are_defaults);
	tcase_add_test(unit, disc_set_config_keeps_state);
	suite_add_tcase(s, unit);

	tcase_add_test(sim, sim_offset_slewed);
	tcase_add_test(sim, sim_offset_stepped);
	tcase_add_test(sim, sim_frequency_error);
	tcase_add_test(sim, sim_jitter);
	tcase_add_test(sim, sim_asymmetry);
	tcase_add_test(sim, sim_falseticker);
	tcase_add_test(sim, sim_server_step_makestep);
	tcase_add_test(sim, sim_server_step_slewed);
	tcase_add_test(sim, sim_leap_step);
	tcase_add_test(sim, sim_leap_smear);
	tcase_add_test(sim, sim_lost_and_regained);
	tcase_add_test(sim, sim_driftfile);
	tcase_set_timeout(sim, 60);
	suite_add_tcase(s, sim);
	return s;
}
