/*
 * Tests for sysclock: the PI loop against a simulated system clock with a
 * known frequency error, plus one read-only look at the kernel's frequency.
 * Nothing here sets the host clock: sysclock_apply and sysclock_kernel_reset
 * are never called. LT_SIM_VERBOSE=1 prints each case's figures.
 *
 * Loop algebra used for the bounds (see sysclock.h): with a = 1/(2T), a
 * phase error x0 and frequency error e give
 *     x(t) = [x0 - (a x0 + e) t] e^(-a t)
 * from a start with the integrator at zero. The loop runs once a second,
 * so its discrete poles (0.963 and 0.974 for T = 16 s) sit either side of
 * e^(-a) = 0.969 and the continuous figures hold to a few per cent.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "sysclock.h"

#define PPM 1e-6
#define US 1e-6
#define MS 1e-3
#define TC 16.0
#define NOISE (3 * US)   /* sd of one (TSC, CLOCK_REALTIME) offset reading */
#ifndef SEED
#define SEED 20240310ULL
#endif

/* Steady state: the noise reaches the true offset through the loop's
 * closed-loop response, noise bandwidth B = (1/4T)(1 + 1/4) = 5/(16 T) Hz,
 * so sd(x) = NOISE sqrt(2 B * 1 s) = 0.2 NOISE = 0.6 us at T = 16 s. Over
 * 600 correlated samples the largest excursion stays under 5 sd = 3 us;
 * 5 us leaves room for other seeds. */
#define STEADY_MAX (5 * US)
#define SETTLED (10 * US)

/* A system clock whose oscillator runs err fast, steered by a sysclock. */
struct scsim {
	struct sysclock c;
	double x;          /* s: true served - system */
	double err;        /* fraction: oscillator error, + runs fast */
	double freq_ppm;   /* kernel frequency in force */
	double t;          /* s since the start */
	int first;
	uint64_t rng;
	unsigned long steps;
	double first_step;  /* s: the first step applied */
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double gauss(uint64_t *s)
{
	double u1 = ((splitmix(s) >> 11) + 1.0) / 9007199254740993.0;
	double u2 = (splitmix(s) >> 11) / 9007199254740992.0;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void scsim_start(struct scsim *s, const struct sysclock_config *cfg, double x0, double err_ppm,
		      double kernel_ppm)
{
	*s = (struct scsim){.x = x0, .err = err_ppm * PPM, .freq_ppm = kernel_ppm, .first = 1,
			  .rng = SEED};
	sysclock_init(&s->c, cfg, kernel_ppm);
}

/* Measure, update, apply; then let the clock run for dt seconds. */
static void scsim_step(struct scsim *s, double dt, double gap, struct sysclock_action *a)
{
	double m = s->x + NOISE * gauss(&s->rng);

	sysclock_update(&s->c, m, s->first ? 0 : gap, a);
	s->first = 0;
	if (a->step) {
		if (!s->steps++)
			s->first_step = a->step_s;
		s->x -= a->step_s;
	}
	s->freq_ppm = a->freq_ppm;
	s->x -= ((1 + s->err) * (1 + s->freq_ppm * PPM) - 1) * dt;
	s->t += dt;
}

struct run {
	double settle;      /* s: first time after which |x| stays under SETTLED */
	double tail_max;    /* s: largest |x| in the last tail seconds */
	double tail_freq;   /* ppm: mean frequency over the tail */
	double peak;        /* s: largest |x| */
	double min_x;       /* s: most negative x */
	double clamped;     /* s: time spent with |freq| at the bound */
};

static struct run scsim_run(struct scsim *s, double duration, double tail)
{
	struct run r = {.settle = 0};
	struct sysclock_action a;
	double n = 0;

	while (s->t < duration) {
		double t0 = s->t, x0 = fabs(s->x);

		if (x0 > r.peak)
			r.peak = x0;
		if (s->x < r.min_x)
			r.min_x = s->x;
		if (x0 >= SETTLED)
			r.settle = t0 + 1;
		scsim_step(s, 1, 1, &a);
		if (fabs(a.freq_ppm) >= s->c.cfg.max_ppm)
			r.clamped += 1;
		if (t0 >= duration - tail) {
			r.tail_max = fmax(r.tail_max, x0);
			r.tail_freq += a.freq_ppm;
			n++;
		}
	}
	if (n > 0)
		r.tail_freq /= n;
	return r;
}

static void figure(const char *name, const struct scsim *s, const struct run *r)
{
	const char *v = getenv("LT_SIM_VERBOSE");

	if (!v || strcmp(v, "1") != 0)
		return;
	printf("%-20s settle %6.0f s  tail max %5.2f us  tail freq %9.4f ppm  peak %8.3f ms  "
	       "min %8.3f ms  clamped %5.0f s  steps %lu\n",
	       name, r->settle, r->tail_max / US, r->tail_freq, r->peak / MS, r->min_x / MS,
	       r->clamped, s->steps);
	fflush(stdout);
}

/* Continuous-loop time after which |x| stays under lim, from the formula above. */
static double predicted_settle(double x0, double e, double lim)
{
	double a = 1 / (2 * TC), t;

	for (t = 20000; t > 0; t -= 0.5)
		if (fabs((x0 - (a * x0 + e) * t) * exp(-a * t)) >= lim)
			break;
	return t;
}

static const struct sysclock_config CFG = {.step_threshold = 0.1, .step_limit = 3, .max_ppm = 500,
					    .time_constant = TC};

/* ---- simulation --------------------------------------------------------- */

START_TEST(slews_small_offset_fast_clock)
{
	/* 5 ms behind, oscillator 50 ppm fast: slewed, no step. */
	struct scsim s;
	struct run r;
	double want = predicted_settle(5 * MS, 50 * PPM, SETTLED);

	scsim_start(&s, &CFG, 5 * MS, 50, 0);
	r = scsim_run(&s, 1200, 600);
	figure("5ms +50ppm", &s, &r);
	ck_assert_uint_eq(s.steps, 0);
	/* 272 s = 17 T by the formula; the discrete loop and noise move it a
	 * few seconds. */
	ck_assert_msg(fabs(r.settle - want) < 0.1 * want, "settled at %.0f s, predicted %.0f s",
		      r.settle, want);
	ck_assert_msg(r.tail_max < STEADY_MAX, "steady |x| %.2f us", r.tail_max / US);
	/* Frequency: the integrator settles on -e; the tail mean averages the
	 * proportional term's 0.2 ppm of noise (NOISE / T) down to ~0.01 ppm. */
	ck_assert_msg(fabs(r.tail_freq - -50) < 0.05, "freq %.4f ppm", r.tail_freq);
	/* Nothing near the bound: 5 ms / 16 s = 312 ppm at most. */
	ck_assert(r.clamped == 0);
}
END_TEST

START_TEST(tracks_slow_clock)
{
	/* In phase, oscillator 200 ppm slow: x = e t e^(-t/2T) peaks at
	 * 2 T e / e = 2.35 ms at t = 2T; settles by the formula at ~22 T. */
	struct scsim s;
	struct run r;
	double peak = 2 * TC * 200 * PPM / M_E, want = predicted_settle(0, -200 * PPM, SETTLED);

	scsim_start(&s, &CFG, 0, -200, 0);
	r = scsim_run(&s, 1200, 600);
	figure("0 -200ppm", &s, &r);
	ck_assert_uint_eq(s.steps, 0);
	ck_assert_msg(fabs(r.peak - peak) < 0.05 * peak, "peak %.3f ms, predicted %.3f ms",
		      r.peak / MS, peak / MS);
	ck_assert_msg(fabs(r.settle - want) < 0.1 * want, "settled at %.0f s, predicted %.0f s",
		      r.settle, want);
	ck_assert_msg(r.tail_max < STEADY_MAX, "steady |x| %.2f us", r.tail_max / US);
	/* Kernel frequency f with (1 + e)(1 + f) = 1: f = 200.04 ppm. */
	ck_assert_msg(fabs(r.tail_freq - 200.04) < 0.05, "freq %.4f ppm", r.tail_freq);
}
END_TEST

START_TEST(starts_from_kernel_frequency)
{
	/* The kernel already holds the right frequency (a previous run, or
	 * chronyd before us): nothing to learn, the loop stays within noise. */
	struct scsim s;
	struct run r;

	scsim_start(&s, &CFG, 0, -200, 200.04);
	r = scsim_run(&s, 600, 600);
	figure("kernel freq kept", &s, &r);
	ck_assert_msg(r.peak < STEADY_MAX, "peak %.2f us", r.peak / US);
	ck_assert_msg(fabs(r.tail_freq - 200.04) < 0.05, "freq %.4f ppm", r.tail_freq);
}
END_TEST

START_TEST(steps_large_offset)
{
	/* 0.3 s ahead with threshold 0.1 s: the first update steps it out (to
	 * within one reading's noise); what is left is the 50 ppm error. */
	struct scsim s;
	struct run r;
	double want = predicted_settle(0, 50 * PPM, SETTLED);

	scsim_start(&s, &CFG, -0.3, 50, 0);
	r = scsim_run(&s, 1200, 600);
	figure("-0.3s step", &s, &r);
	ck_assert_uint_eq(s.steps, 1);
	ck_assert_msg(fabs(s.first_step - -0.3) < 5 * NOISE, "stepped %.6f s", s.first_step);
	ck_assert_msg(r.settle < want + 2 * TC, "settled at %.0f s, predicted %.0f s", r.settle, want);
	ck_assert_msg(r.tail_max < STEADY_MAX, "steady |x| %.2f us", r.tail_max / US);
	ck_assert_msg(fabs(r.tail_freq - -50) < 0.05, "freq %.4f ppm", r.tail_freq);
}
END_TEST

START_TEST(slews_at_max_without_stepping)
{
	/* 2 s behind, stepping off, oscillator 50 ppm fast: the output sits at
	 * +500 ppm for 2 s / 550 ppm = 3636 s, less the last 8 ms (500 ppm x T)
	 * where the proportional term falls under the bound. The integrator is
	 * held meanwhile, so the loop leaves the bound as if starting from
	 * x1 = 8 ms moving at -550 ppm; the formula (with x'(0) = -550 ppm)
	 * undershoots to [x1 - 3e-4 t] e^(-t/2T) at t = 59 s: -1.5 ms. A
	 * wound-up integrator would start that at +500 ppm and undershoot by
	 * tens of ms. */
	struct sysclock_config cfg = CFG;
	struct scsim s;
	struct run r;

	cfg.step_threshold = 0;
	scsim_start(&s, &cfg, 2.0, 50, 0);
	r = scsim_run(&s, 6000, 1200);
	figure("2s no step", &s, &r);
	ck_assert_uint_eq(s.steps, 0);
	ck_assert_msg(fabs(r.clamped - 3622) < 20, "clamped %.0f s", r.clamped);
	ck_assert_msg(r.min_x > -2 * MS && r.min_x < -1 * MS, "undershoot %.3f ms", r.min_x / MS);
	ck_assert_msg(r.settle < 3636 + 30 * TC, "settled at %.0f s", r.settle);
	ck_assert_msg(r.tail_max < STEADY_MAX, "steady |x| %.2f us", r.tail_max / US);
	ck_assert_msg(fabs(r.tail_freq - -50) < 0.05, "freq %.4f ppm", r.tail_freq);
}
END_TEST

/* ---- direct checks ------------------------------------------------------ */

START_TEST(clamps_to_max_ppm)
{
	struct sysclock_config cfg = {.step_threshold = 0, .step_limit = -1, .max_ppm = 100,
				      .time_constant = TC};
	struct sysclock c;
	struct sysclock_action a;

	/* 10 ms asks for 625 ppm proportional: held at the configured bound,
	 * both ways, and the integrator does not move while held. */
	sysclock_init(&c, &cfg, 0);
	for (int i = 0; i < 100; i++) {
		sysclock_update(&c, 10 * MS, i ? 1 : 0, &a);
		ck_assert(a.freq_ppm == 100);
	}
	sysclock_update(&c, 0, 1, &a);
	ck_assert_msg(a.freq_ppm == 0, "integrator moved to %g ppm while clamped", a.freq_ppm);
	sysclock_update(&c, -10 * MS, 1, &a);
	ck_assert(a.freq_ppm == -100);
	ck_assert(sysclock_freq_ppm(&c) == -100);

	/* Defaults and the kernel's own bound. */
	cfg = (struct sysclock_config){.max_ppm = 0, .time_constant = 0};
	sysclock_init(&c, &cfg, 700);
	ck_assert(sysclock_freq_ppm(&c) == 500);
	ck_assert(c.cfg.time_constant == 16);
	cfg.max_ppm = 2000;
	sysclock_init(&c, &cfg, -700);
	sysclock_update(&c, -1, 0, &a);
	ck_assert(a.freq_ppm == -500 && !a.step);
}
END_TEST

START_TEST(step_limit_honoured)
{
	struct sysclock_config cfg = {.step_threshold = 0.1, .step_limit = 2, .time_constant = TC};
	struct sysclock c;
	struct sysclock_action a;
	unsigned long n, steps;

	/* Limit 2: the first two updates may step, the third slews. A step
	 * zeroes the proportional term: with no integration yet the frequency
	 * stays at the kernel's. */
	sysclock_init(&c, &cfg, 12.5);
	sysclock_update(&c, 0.5, 0, &a);
	ck_assert(a.step && a.step_s == 0.5 && a.freq_ppm == 12.5);
	sysclock_update(&c, -0.2, 1, &a);
	ck_assert(a.step && a.step_s == -0.2 && a.freq_ppm == 12.5);
	sysclock_update(&c, 0.5, 1, &a);
	ck_assert(!a.step && a.step_s == 0 && a.freq_ppm == 500);
	sysclock_counts(&c, &n, &steps);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(steps, 2);

	/* At the threshold is not above it. */
	sysclock_init(&c, &cfg, 0);
	sysclock_update(&c, 0.1, 0, &a);
	ck_assert(!a.step);

	/* -1: always; threshold <= 0: never. */
	cfg.step_limit = -1;
	sysclock_init(&c, &cfg, 0);
	for (int i = 0; i < 50; i++) {
		sysclock_update(&c, 1.0, 1, &a);
		ck_assert(a.step);
	}
	cfg.step_threshold = 0;
	sysclock_init(&c, &cfg, 0);
	sysclock_update(&c, 1000.0, 0, &a);
	ck_assert(!a.step);

	/* Limit 0: never. */
	cfg = (struct sysclock_config){.step_threshold = 0.1, .step_limit = 0};
	sysclock_init(&c, &cfg, 0);
	sysclock_update(&c, 1.0, 0, &a);
	ck_assert(!a.step);
}
END_TEST

START_TEST(gap_not_integrated)
{
	struct sysclock c;
	struct sysclock_action a;
	double kp = 1e6 / TC, ki = 1e6 / (4 * TC * TC), i0;
	unsigned long n, steps;

	/* Read the integrator as the output at zero offset (P = 0, nothing to
	 * integrate). */
	sysclock_init(&c, &CFG, -30);
	sysclock_update(&c, 0, 0, &a);
	ck_assert(a.freq_ppm == -30);
	i0 = a.freq_ppm;

	/* After 200 s = 12.5 T (a suspend): proportional only. */
	sysclock_update(&c, 1 * MS, 200, &a);
	ck_assert_msg(fabs(a.freq_ppm - (i0 + kp * MS)) < 1e-9, "freq %g", a.freq_ppm);
	sysclock_update(&c, 0, 1, &a);
	ck_assert_msg(a.freq_ppm == i0, "integrator moved to %g ppm after a gap", a.freq_ppm);

	/* After 100 s (6 T): integrated, x dt = 0.1 s^2. */
	sysclock_update(&c, 1 * MS, 100, &a);
	ck_assert_msg(fabs(a.freq_ppm - (i0 + ki * 0.1 + kp * MS)) < 1e-9, "freq %g", a.freq_ppm);
	sysclock_update(&c, 0, 1, &a);
	ck_assert_msg(fabs(a.freq_ppm - (i0 + ki * 0.1)) < 1e-9, "freq %g", a.freq_ppm);

	/* A non-finite reading holds the frequency and is not counted. */
	i0 = a.freq_ppm;
	sysclock_update(&c, NAN, 1, &a);
	ck_assert(!a.step && a.freq_ppm == i0);
	sysclock_counts(&c, &n, &steps);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(steps, 0);
}
END_TEST

START_TEST(gap_in_simulation)
{
	/* Converged on a 50 ppm error, then 1 h without updates (suspended,
	 * with the kernel frequency still in force): the clock is back on
	 * time within the noise, and a 1 ms offset after the gap is slewed
	 * out by the usual loop without touching the learnt frequency. */
	struct scsim s;
	struct sysclock_action a;
	struct run r;

	scsim_start(&s, &CFG, 0, 50, 0);
	scsim_run(&s, 600, 0);
	s.x += 1 * MS;
	scsim_step(&s, 1, 3600, &a);
	ck_assert(!a.step);
	r = scsim_run(&s, 1800, 600);
	figure("1h gap", &s, &r);
	ck_assert_msg(r.peak < 1.01 * MS, "peak %.3f ms", r.peak / MS);
	ck_assert_msg(r.tail_max < STEADY_MAX, "steady |x| %.2f us", r.tail_max / US);
	ck_assert_msg(fabs(r.tail_freq - -50) < 0.05, "freq %.4f ppm", r.tail_freq);
}
END_TEST

/* ---- kernel, read-only -------------------------------------------------- */

START_TEST(kernel_freq_read_only)
{
	double ppm = NAN;

	ck_assert_int_eq(sysclock_kernel_freq(&ppm), 0);
	ck_assert_msg(fabs(ppm) <= 600, "kernel frequency %g ppm", ppm);
}
END_TEST

Suite *sysclock_suite(void)
{
	Suite *s = suite_create("sysclock");
	TCase *unit = tcase_create("loop");
	TCase *sim = tcase_create("simulation");

	tcase_add_test(unit, clamps_to_max_ppm);
	tcase_add_test(unit, step_limit_honoured);
	tcase_add_test(unit, gap_not_integrated);
	tcase_add_test(unit, kernel_freq_read_only);
	suite_add_tcase(s, unit);

	tcase_add_test(sim, slews_small_offset_fast_clock);
	tcase_add_test(sim, tracks_slow_clock);
	tcase_add_test(sim, starts_from_kernel_frequency);
	tcase_add_test(sim, steps_large_offset);
	tcase_add_test(sim, slews_at_max_without_stepping);
	tcase_add_test(sim, gap_in_simulation);
	suite_add_tcase(s, sim);
	return s;
}
