/* srcfilter: per-source sample register and regression. */
#include "srcfilter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IBURST_POLLS 4
#define IBURST_INTERVAL 2.0
#define POPCORN_RUN_MAX 4    /* this many spikes in a row means the path changed */
#define STEP_CONFIRM 3       /* held samples that must agree to call a step */
#define SUSPECT_SIGMAS 8.0   /* off the line by this many standard errors */
#define MIN_FIT_FOR_TESTS 4  /* samples before spikes and steps are judged */
#define MIN_RUNS_SAMPLES 8   /* the runs test needs this many to mean anything */
#define RUNS_Z 2.6           /* too few runs at this z-score: the line bends */

struct reg_sample {
	double local, offset, delay, disp, root_delay, root_disp;
	int stratum, leap;
};

struct fit {
	unsigned int n_used;
	unsigned int first;   /* index (0 = oldest) of the first sample used */
	double t_ref;         /* local time of the newest sample: x origin */
	double a, b;          /* offset = a + b * (t - t_ref) */
	double xbar, sxx, w_sum;
	double c2;            /* variance of a unit-weight sample */
	double delay_min, excess_scale;
	double noise;         /* s: offset noise implied by the delay spread */
};

struct srcfilter {
	struct srcfilter_config cfg;
	struct reg_sample reg[SRCFILTER_MAX_SAMPLES];
	unsigned int head;    /* next slot to write */
	unsigned int n;
	struct reg_sample hold[STEP_CONFIRM];
	unsigned int n_hold;
	unsigned int popcorn_run;
	uint8_t reach;
	int poll;
	int poll_score;
	unsigned int iburst_left;
	struct fit fit;
	struct srcfilter_counters ctr;
};

static struct reg_sample *at(struct srcfilter *sf, unsigned int k)
{
	return &sf->reg[(sf->head + SRCFILTER_MAX_SAMPLES - sf->n + k) % SRCFILTER_MAX_SAMPLES];
}

static const struct reg_sample *cat(const struct srcfilter *sf, unsigned int k)
{
	return &sf->reg[(sf->head + SRCFILTER_MAX_SAMPLES - sf->n + k) % SRCFILTER_MAX_SAMPLES];
}

struct srcfilter *srcfilter_init(const struct srcfilter_config *cfg)
{
	struct srcfilter *sf;

	if (!cfg || cfg->minpoll < -6 || cfg->maxpoll > 24 || cfg->minpoll > cfg->maxpoll ||
	    cfg->max_samples > SRCFILTER_MAX_SAMPLES || (cfg->max_samples && cfg->max_samples < 4) ||
	    !(cfg->precision >= 0) || !(cfg->max_age >= 0) || !(cfg->popcorn_ratio >= 0))
		return NULL;
	sf = calloc(1, sizeof(*sf));
	if (!sf)
		return NULL;
	sf->cfg = *cfg;
	if (!sf->cfg.max_samples)
		sf->cfg.max_samples = SRCFILTER_MAX_SAMPLES;
	if (sf->cfg.max_age == 0)
		sf->cfg.max_age = SRCFILTER_MAX_SAMPLES * ldexp(1.0, cfg->maxpoll);
	if (sf->cfg.popcorn_ratio == 0)
		sf->cfg.popcorn_ratio = 5.0;
	if (!sf->cfg.polltarget)
		sf->cfg.polltarget = 8;
	if (sf->cfg.precision < 1e-9)
		sf->cfg.precision = 1e-9;
	sf->poll = cfg->minpoll;
	sf->iburst_left = cfg->iburst ? IBURST_POLLS : 0;
	return sf;
}

void srcfilter_fini(struct srcfilter *sf)
{
	free(sf);
}

void srcfilter_make_sample(double t1, double t2, double t3, double t4, double precision,
			   struct srcfilter_sample *out)
{
	memset(out, 0, sizeof(*out));
	out->local = t1 + (t4 - t1) / 2;
	out->offset = ((t2 - t1) + (t3 - t4)) / 2;
	out->delay = (t4 - t1) - (t3 - t2);
	/* RFC 5905 section 8: a negative delay only means clock error; it is
	 * never less than the precision. */
	if (out->delay < precision)
		out->delay = precision;
	out->dispersion = precision + SRCFILTER_PHI * (t4 - t1);
}

/* Weight of a sample from its delay excess: a sample that queued longer has a
 * larger worst-case offset error (half the excess), but Gaussian path noise
 * makes the minimum-delay sample no better than its neighbours, so the
 * weights are relative to the register's typical excess and bounded. */
static double weight(const struct fit *f, double delay)
{
	double e = (delay - f->delay_min) / f->excess_scale;

	return 1.0 / (1.0 + e * e);
}

/* Weighted least squares over samples [first, n). */
static void fit_range(const struct srcfilter *sf, struct fit *f, unsigned int first)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	unsigned int m = sf->n - first;

	f->first = first;
	f->n_used = m;
	for (unsigned int k = first; k < sf->n; k++) {
		const struct reg_sample *s = cat(sf, k);
		double w = weight(f, s->delay), x = s->local - f->t_ref;
		sw += w;
		sx += w * x;
		sy += w * s->offset;
	}
	f->w_sum = sw;
	f->xbar = sx / sw;
	double ybar = sy / sw;
	for (unsigned int k = first; k < sf->n; k++) {
		const struct reg_sample *s = cat(sf, k);
		double w = weight(f, s->delay), dx = s->local - f->t_ref - f->xbar;
		sxx += w * dx * dx;
		sxy += w * dx * (s->offset - ybar);
	}
	f->sxx = sxx;
	f->b = (m >= 2 && sxx > 0) ? sxy / sxx : 0.0;
	f->a = ybar - f->b * f->xbar;

	/* Until the register can measure its own scatter, assume the RFC 5905
	 * worst case for one sample: half the delay. */
	double floor2 = sf->cfg.precision * sf->cfg.precision;
	if (m < 3) {
		double s0 = fmax(f->delay_min / 2, sf->cfg.precision);
		f->c2 = s0 * s0;
		return;
	}
	double r2 = 0;
	for (unsigned int k = first; k < sf->n; k++) {
		const struct reg_sample *s = cat(sf, k);
		double r = s->offset - (f->a + f->b * (s->local - f->t_ref));
		r2 += weight(f, s->delay) * r * r;
	}
	f->c2 = fmax(r2 / (m - 2), floor2);
	/* With a handful of samples the scatter estimate has 1-5 degrees of
	 * freedom and is often far too small by luck; the delay spread is an
	 * independent measure of the same noise, so it bounds it from below
	 * until the fit has enough samples to stand on its own. */
	if (m < MIN_RUNS_SAMPLES)
		f->c2 = fmax(f->c2, f->noise * f->noise);
}

/* Wald-Wolfowitz runs test on the residual signs: too few runs means the
 * samples curve away from one line (the oscillator wandered), so older
 * samples should go. */
static int runs_ok(const struct srcfilter *sf, const struct fit *f)
{
	unsigned int np = 0, nn = 0, runs = 0;
	int prev = 0;

	if (f->n_used < MIN_RUNS_SAMPLES)
		return 1;
	for (unsigned int k = f->first; k < sf->n; k++) {
		const struct reg_sample *s = cat(sf, k);
		int sign = s->offset - (f->a + f->b * (s->local - f->t_ref)) >= 0 ? 1 : -1;
		if (sign > 0)
			np++;
		else
			nn++;
		if (sign != prev)
			runs++;
		prev = sign;
	}
	if (!np || !nn)
		return 0;
	double n = np + nn;
	double mu = 1.0 + 2.0 * np * nn / n;
	double var = (mu - 1.0) * (mu - 2.0) / (n - 1.0);
	return runs >= mu - RUNS_Z * sqrt(fmax(var, 0.0));
}

static void refit(struct srcfilter *sf)
{
	struct fit *f = &sf->fit;
	double excess = 0;

	memset(f, 0, sizeof(*f));
	if (!sf->n)
		return;
	f->t_ref = at(sf, sf->n - 1)->local;
	f->delay_min = at(sf, 0)->delay;
	for (unsigned int k = 1; k < sf->n; k++)
		f->delay_min = fmin(f->delay_min, at(sf, k)->delay);
	for (unsigned int k = 0; k < sf->n; k++)
		excess += at(sf, k)->delay - f->delay_min;
	f->excess_scale = fmax(excess / sf->n, 2 * sf->cfg.precision);
	/* Half the delay's standard deviation: for independent noise on the
	 * two directions it is the offset's standard deviation. */
	double dmean = 0, dvar = 0;
	for (unsigned int k = 0; k < sf->n; k++)
		dmean += at(sf, k)->delay / sf->n;
	for (unsigned int k = 0; k < sf->n; k++)
		dvar += pow(at(sf, k)->delay - dmean, 2);
	f->noise = fmax(sf->n > 1 ? sqrt(dvar / (sf->n - 1)) / 2 : 0, sf->cfg.precision);

	unsigned int first = 0;
	fit_range(sf, f, first);
	while (!runs_ok(sf, f)) {
		unsigned int drop = f->n_used / 4 ? f->n_used / 4 : 1;
		if (f->n_used - drop < MIN_RUNS_SAMPLES)
			break;
		first += drop;
		fit_range(sf, f, first);
	}
}

static double skew_of(const struct fit *f)
{
	if (f->n_used < 2 || f->sxx <= 0)
		return SRCFILTER_SKEW_MAX;
	return fmin(sqrt(f->c2 / f->sxx), SRCFILTER_SKEW_MAX);
}

/* Standard error of the fit's prediction at x (relative to t_ref). */
static double pred_sd(const struct fit *f, double x)
{
	if (f->n_used < 2 || f->sxx <= 0)
		return sqrt(f->c2);
	double dx = x - f->xbar;
	return sqrt(f->c2 * (1.0 / f->w_sum + dx * dx / f->sxx));
}

static void drop_oldest(struct srcfilter *sf, unsigned int k)
{
	sf->n -= k;
}

static void push(struct srcfilter *sf, const struct reg_sample *s)
{
	sf->reg[sf->head] = *s;
	sf->head = (sf->head + 1) % SRCFILTER_MAX_SAMPLES;
	if (sf->n < sf->cfg.max_samples)
		sf->n++;
}

static void age_out(struct srcfilter *sf, double now)
{
	unsigned int k = 0;

	while (k < sf->n && now - at(sf, k)->local > sf->cfg.max_age)
		k++;
	if (k) {
		sf->ctr.aged += k;
		drop_oldest(sf, k);
		refit(sf);
	}
}

/* Poll adjustment (RFC 5905 section 13 and ntpd's hysteresis): a sample
 * the fit predicted to within the network's noise argues for a longer poll,
 * one far off (the oscillator wandered more than the poll can follow)
 * for a shorter one. The noise is taken from the spread of the delays, not
 * from the fit, so a fit spoiled by wander cannot hide behind its own
 * inflated scatter. Raising also needs polltarget / 2 samples in the fit. */
static void adjust_poll(struct srcfilter *sf, double ratio)
{
	if (ratio < 1.5 && sf->fit.n_used >= sf->cfg.polltarget / 2)
		sf->poll_score++;
	else if (ratio > 4.0)
		sf->poll_score -= 4;
	else if (ratio > 2.5)
		sf->poll_score = sf->poll_score > 0 ? -1 : sf->poll_score - 1;
	if (sf->poll_score >= 4) {
		if (sf->poll < sf->cfg.maxpoll)
			sf->poll++;
		sf->poll_score = 0;
	} else if (sf->poll_score <= -4) {
		if (sf->poll > sf->cfg.minpoll)
			sf->poll--;
		sf->poll_score = 0;
		/* The line no longer predicts: its oldest half is what bends
		 * it, and with few samples the runs test is slow to see it. */
		if (sf->n > sf->cfg.polltarget) {
			unsigned int drop = sf->n / 2 < sf->n - sf->cfg.polltarget ? sf->n / 2 :
										      sf->n - sf->cfg.polltarget;
			drop_oldest(sf, drop);
			refit(sf);
		}
	}
}

static int is_finite_sample(const struct srcfilter_sample *s)
{
	return isfinite(s->local) && isfinite(s->offset) && isfinite(s->delay) &&
	       isfinite(s->dispersion) && isfinite(s->root_delay) && isfinite(s->root_dispersion) &&
	       s->delay >= 0 && s->dispersion >= 0 && s->root_delay >= 0 && s->root_dispersion >= 0;
}

/* Held samples are a step when they all sit on the same side of the line
 * and agree with each other better than they disagree with it. */
static int holds_agree(const struct srcfilter *sf)
{
	double lo = sf->hold[0].offset, hi = lo, mean = 0;
	int side = 0;

	for (unsigned int i = 0; i < sf->n_hold; i++) {
		const struct reg_sample *h = &sf->hold[i];
		double r = h->offset - (sf->fit.a + sf->fit.b * (h->local - sf->fit.t_ref));
		int sgn = r > 0 ? 1 : -1;
		if (side && sgn != side)
			return 0;
		side = sgn;
		mean += r / sf->n_hold;
		lo = fmin(lo, h->offset);
		hi = fmax(hi, h->offset);
	}
	return hi - lo < fabs(mean) / 2;
}

enum srcfilter_verdict srcfilter_add(struct srcfilter *sf, const struct srcfilter_sample *in)
{
	struct reg_sample s;

	if (!is_finite_sample(in) || (sf->n && in->local < at(sf, sf->n - 1)->local)) {
		sf->ctr.invalid++;
		return SRCFILTER_INVALID;
	}
	sf->reach |= 1;
	s.local = in->local;
	s.offset = in->offset;
	s.delay = fmax(in->delay, sf->cfg.precision);
	s.disp = in->dispersion;
	s.root_delay = in->root_delay;
	s.root_disp = in->root_dispersion;
	s.stratum = in->stratum;
	s.leap = in->leap;

	age_out(sf, s.local);

	double ratio = 0;
	if (sf->n >= MIN_FIT_FOR_TESTS) {
		struct fit *f = &sf->fit;
		double excess = s.delay - f->delay_min;
		/* Popcorn spike (RFC 5905 section 10 discards them by keeping the
		 * minimum-delay sample; chrony by a delay ratio). */
		if (excess > sf->cfg.popcorn_ratio * fmax(f->excess_scale, 10 * sf->cfg.precision) &&
		    sf->popcorn_run < POPCORN_RUN_MAX) {
			sf->popcorn_run++;
			sf->ctr.popcorn++;
			return SRCFILTER_POPCORN;
		}
		double x = s.local - f->t_ref;
		double pred = f->a + f->b * x;
		double sd = sqrt(f->c2 / weight(f, s.delay) + pow(pred_sd(f, x), 2));
		double lim = SUSPECT_SIGMAS * sd + excess / 2 + 10 * sf->cfg.precision;
		/* The residual in units of what network noise alone allows:
		 * the sample's own and the fit's extrapolation, both scaled by
		 * the delay-derived noise rather than the fit's scatter. */
		double dx = x - f->xbar;
		double unit = 1.0 / weight(f, s.delay) + 1.0 / f->w_sum +
			      (f->sxx > 0 ? dx * dx / f->sxx : 0);
		ratio = fabs(s.offset - pred) / (f->noise * sqrt(unit));
		if (fabs(s.offset - pred) > lim) {
			if (sf->n_hold == STEP_CONFIRM) {
				memmove(&sf->hold[0], &sf->hold[1], (STEP_CONFIRM - 1) * sizeof(sf->hold[0]));
				sf->n_hold--;
				sf->ctr.outliers++;
			}
			sf->hold[sf->n_hold++] = s;
			sf->popcorn_run = 0;
			if (sf->n_hold == STEP_CONFIRM && holds_agree(sf)) {
				sf->n = 0;
				for (unsigned int i = 0; i < sf->n_hold; i++)
					push(sf, &sf->hold[i]);
				sf->n_hold = 0;
				sf->ctr.steps++;
				sf->poll = sf->cfg.minpoll;
				sf->poll_score = 0;
				refit(sf);
				return SRCFILTER_STEP;
			}
			sf->ctr.held++;
			return SRCFILTER_HELD;
		}
	}
	/* Back on the line: anything held was a spike. */
	sf->ctr.outliers += sf->n_hold;
	sf->n_hold = 0;
	sf->popcorn_run = 0;
	push(sf, &s);
	refit(sf);
	sf->ctr.accepted++;
	adjust_poll(sf, ratio);
	return SRCFILTER_ACCEPTED;
}

void srcfilter_estimate(const struct srcfilter *sf, double now, struct srcfilter_estimate *out)
{
	const struct fit *f = &sf->fit;

	memset(out, 0, sizeof(*out));
	out->reach = sf->reach;
	out->n_samples = sf->n;
	out->n_used = f->n_used;
	if (!sf->n || !f->n_used) {
		out->skew = SRCFILTER_SKEW_MAX;
		out->stratum = 16;
		out->leap = 3;
		out->root_distance = INFINITY;
		return;
	}
	const struct reg_sample *last = cat(sf, sf->n - 1);
	double x = now - f->t_ref;
	double age = fmax(now - last->local, 0.0);

	out->valid = 1;
	out->offset = f->a + f->b * x;
	out->freq = f->b;
	out->skew = skew_of(f);
	out->offset_sd = f->n_used >= 3 ? pred_sd(f, x) : sqrt(f->c2) + out->skew * age;
	out->jitter = sqrt(f->c2 * f->n_used / f->w_sum);
	out->delay = f->delay_min;
	out->dispersion = last->disp + SRCFILTER_PHI * age;
	out->root_delay = last->root_delay;
	out->root_dispersion = last->root_disp;
	out->stratum = last->stratum;
	out->leap = last->leap;
	out->age = age;
	/* RFC 5905 section 11.2: lambda = (root delay + delay) / 2 + root
	 * dispersion + dispersion (grown at PHI) + jitter; plus the skew times
	 * the age, since the offset is extrapolated along the fitted slope. */
	out->root_distance = (out->root_delay + out->delay) / 2 + out->root_dispersion +
			     out->dispersion + out->jitter + out->skew * age;
}

void srcfilter_adjust(struct srcfilter *sf, double when, double dphase, double dfreq)
{
	for (unsigned int k = 0; k < sf->n; k++) {
		struct reg_sample *s = at(sf, k);
		double d = dphase + dfreq * (s->local - when);
		s->offset -= d;
		s->local += d;
	}
	for (unsigned int i = 0; i < sf->n_hold; i++) {
		struct reg_sample *s = &sf->hold[i];
		double d = dphase + dfreq * (s->local - when);
		s->offset -= d;
		s->local += d;
	}
	refit(sf);
}

void srcfilter_reset(struct srcfilter *sf)
{
	sf->n = 0;
	sf->n_hold = 0;
	sf->popcorn_run = 0;
	sf->poll = sf->cfg.minpoll;
	sf->poll_score = 0;
	memset(&sf->fit, 0, sizeof(sf->fit));
}

void srcfilter_polled(struct srcfilter *sf)
{
	sf->reach = (uint8_t)(sf->reach << 1);
	if (sf->iburst_left)
		sf->iburst_left--;
	/* An unreachable source is polled at minpoll so it is found again
	 * quickly when it returns. */
	if (!sf->reach) {
		sf->poll = sf->cfg.minpoll;
		sf->poll_score = 0;
	}
}

void srcfilter_reached(struct srcfilter *sf)
{
	sf->reach |= 1;
}

double srcfilter_poll_interval(const struct srcfilter *sf)
{
	if (sf->iburst_left)
		return fmin(IBURST_INTERVAL, ldexp(1.0, sf->cfg.minpoll));
	/* Samples held off the line are a spike or a step: find out at
	 * minpoll rather than after three polls at maxpoll. */
	if (sf->n_hold)
		return ldexp(1.0, sf->cfg.minpoll);
	return ldexp(1.0, sf->poll);
}

int srcfilter_poll(const struct srcfilter *sf)
{
	return sf->poll;
}

double srcfilter_span(const struct srcfilter *sf)
{
	return sf->n >= 2 ? cat(sf, sf->n - 1)->local - cat(sf, 0)->local : 0;
}

uint8_t srcfilter_reach(const struct srcfilter *sf)
{
	return sf->reach;
}

void srcfilter_counters(const struct srcfilter *sf, struct srcfilter_counters *out)
{
	*out = sf->ctr;
}

const char *srcfilter_verdict_name(enum srcfilter_verdict v)
{
	switch (v) {
	case SRCFILTER_ACCEPTED:
		return "accepted";
	case SRCFILTER_POPCORN:
		return "popcorn";
	case SRCFILTER_HELD:
		return "held";
	case SRCFILTER_STEP:
		return "step";
	case SRCFILTER_INVALID:
		return "invalid";
	}
	return "?";
}
