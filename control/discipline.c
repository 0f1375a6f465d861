/* discipline: phase/frequency loop, makestep, leap seconds, driftfile. */
#include "discipline.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ntp_packet.h"

#define PPM 1e-6
#define DEFAULT_SKEW (1000 * PPM)   /* no driftfile: any estimate beats the prior */
#define DRIFT_MIN_SKEW (1 * PPM)    /* the oscillator moved while we were down */
#define LEAP_MIN_SPACING (28 * 86400.0)
#define LEAP_CANCEL_GUARD 600.0     /* a leap this close is not cancelled by one silent vote */

struct discipline {
	struct disc_config cfg;
	ntp_ts_t epoch;
	double freq;          /* fraction: absolute correction */
	double skew;          /* fraction: its uncertainty */
	double prior_skew;    /* fraction: weight of the starting frequency */
	double slew_start;    /* cooked local time the slew in progress started */
	double slew_amount;   /* s */
	double slew_rate;     /* fraction, sign of slew_amount */
	double last_update;
	int have_last;
	unsigned long n_updates, n_steps;
	struct disc_leap leap;
	ntp_ts_t last_leap_at;
};

/* cfg with chrony's defaults for its zeros, or -EINVAL. */
static int normalise(const struct disc_config *cfg, struct disc_config *out)
{
	if (!cfg || !(cfg->maxslewrate >= 0) || !(cfg->maxupdateskew >= 0) || !(cfg->maxdrift >= 0) ||
	    !(cfg->corrtimeratio >= 0) || !(cfg->smear_window >= 0) || cfg->makestep_limit < -1 ||
	    isnan(cfg->makestep_threshold) || cfg->leapsecmode > DISC_LEAPMODE_SMEAR ||
	    cfg->smear_shape > DISC_SMEAR_QUADRATIC)
		return -EINVAL;
	*out = *cfg;
	if (out->maxslewrate == 0)
		out->maxslewrate = 1e6 / 12;
	if (out->maxupdateskew == 0)
		out->maxupdateskew = 1000;
	if (out->maxdrift == 0)
		out->maxdrift = 500;
	if (out->corrtimeratio == 0)
		out->corrtimeratio = 3;
	if (out->smear_window == 0)
		out->smear_window = 86400;
	return 0;
}

struct discipline *discipline_init(const struct disc_config *cfg, ntp_ts_t epoch)
{
	struct disc_config c;
	struct discipline *d;

	if (normalise(cfg, &c) != 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = c;
	d->epoch = epoch;
	d->skew = d->prior_skew = DEFAULT_SKEW;
	return d;
}

int discipline_set_config(struct discipline *d, const struct disc_config *cfg)
{
	return normalise(cfg, &d->cfg);
}

void discipline_fini(struct discipline *d)
{
	free(d);
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void discipline_set_freq(struct discipline *d, double freq_ppm, double skew_ppm)
{
	d->freq = clampd(freq_ppm, -d->cfg.maxdrift, d->cfg.maxdrift) * PPM;
	d->prior_skew = d->skew = fmax(fabs(skew_ppm) * PPM, DRIFT_MIN_SKEW);
}

double discipline_slew_remaining(const struct discipline *d, double now)
{
	double el = now - d->slew_start;

	if (d->slew_amount == 0)
		return 0;
	if (el <= 0)
		return d->slew_amount;
	if (fabs(d->slew_rate * el) >= fabs(d->slew_amount))
		return 0;
	return d->slew_amount - d->slew_rate * el;
}

static ntp_ts_t to_ntp(const struct discipline *d, double t)
{
	return d->epoch + (ntp_ts_t)ntp_interval_from_double(t);
}

/* Frequency: the sources' slope is the residual error of our corrected
 * clock, with standard error skew. Blend it with the prior by inverse
 * variance; the prior is only the starting knowledge (driftfile), since
 * every later estimate already contains the data of the one before. */
static enum disc_freq_verdict update_freq(struct discipline *d, const struct disc_estimate *e, double *dfreq)
{
	double s = e->skew, sp = d->prior_skew;

	*dfreq = 0;
	if (!(s <= d->cfg.maxupdateskew * PPM) || !isfinite(e->freq))
		return DISC_FREQ_SKEW;
	s = fmax(s, 1e-12);
	double alpha = sp * sp / (sp * sp + s * s);
	double lim = d->cfg.maxdrift * PPM;
	double nf = d->freq + alpha * e->freq;
	enum disc_freq_verdict v = DISC_FREQ_UPDATED;
	if (fabs(nf) > lim) {
		nf = clampd(nf, -lim, lim);
		v = DISC_FREQ_CLAMPED;
	}
	*dfreq = nf - d->freq;
	d->freq = nf;
	d->skew = 1.0 / sqrt(1.0 / (sp * sp) + 1.0 / (s * s));
	return v;
}

int discipline_update(struct discipline *d, double now, const struct disc_estimate *e,
		      struct disc_action *act)
{
	double interval = d->have_last ? clampd(now - d->last_update, 1.0, 1e6) : 2.0;
	double theta = e->offset, rem = discipline_slew_remaining(d, now);

	memset(act, 0, sizeof(*act));
	d->n_updates++;
	act->freq_verdict = update_freq(d, e, &act->dfreq);
	act->freq_ppm = d->freq / PPM;
	act->dphase = theta;

	if (d->cfg.makestep_threshold > 0 && fabs(theta) > d->cfg.makestep_threshold &&
	    (d->cfg.makestep_limit < 0 || d->n_updates <= (unsigned long)d->cfg.makestep_limit)) {
		/* chrony makestep: cancel the slew in progress and step by the
		 * whole correction at once. */
		act->step = 1;
		act->step_s = theta + rem;
		d->slew_amount = 0;
		d->slew_rate = 0;
		d->n_steps++;
	} else {
		/* chrony corrtimeratio: an offset the size of the estimate's
		 * standard error is slewed over ratio update intervals, larger
		 * ones proportionally faster (noise is smoothed, real offsets
		 * are not left standing), never faster than maxslewrate. */
		double total = rem + theta;
		double maxdur = d->cfg.corrtimeratio * interval;
		double mindur = fabs(total) / (d->cfg.maxslewrate * PPM);
		double dur = fabs(total) > 0 ? maxdur * fmax(e->offset_sd, 1e-9) / fabs(total) : 0;
		dur = fmax(fmin(dur, maxdur), mindur);
		d->slew_start = now + theta;
		d->slew_amount = total;
		d->slew_rate = dur > 0 ? total / dur : 0;
		act->slew_s = total;
		act->slew_rate = d->slew_rate;
	}
	d->last_update = now + theta;
	d->have_last = 1;

	/* Leap bits: arm on the sources' majority; a withdrawn announcement
	 * cancels it unless it is almost due (the sources stop announcing
	 * once it has happened for them). */
	ntp_ts_t raw = to_ntp(d, now + theta - discipline_slew_remaining(d, now + theta));
	if ((e->leap == NTP_LEAP_INSERT || e->leap == NTP_LEAP_DELETE) && d->leap.type == NTP_LEAP_NONE)
		discipline_leap_set(d, e->leap, raw);
	else if (e->leap == NTP_LEAP_NONE && d->leap.type != NTP_LEAP_NONE &&
		 ntp_interval_to_double(ntp_ts_diff(d->leap.at, raw)) > LEAP_CANCEL_GUARD)
		discipline_leap_set(d, NTP_LEAP_NONE, raw);
	return act->step;
}

double discipline_cancel_slew(struct discipline *d, double now)
{
	double rem = discipline_slew_remaining(d, now);

	d->slew_amount = 0;
	d->slew_rate = 0;
	if (rem != 0)
		d->n_steps++;
	return rem;
}

double discipline_slew_end(const struct discipline *d)
{
	if (d->slew_amount == 0 || d->slew_rate == 0)
		return -INFINITY;
	return d->slew_start + d->slew_amount / d->slew_rate;
}

double discipline_freq_ppm(const struct discipline *d)
{
	return d->freq / PPM;
}

double discipline_skew_ppm(const struct discipline *d)
{
	return d->skew / PPM;
}

void discipline_counts(const struct discipline *d, unsigned long *updates, unsigned long *steps)
{
	*updates = d->n_updates;
	*steps = d->n_steps;
}

int discipline_leap_set(struct discipline *d, int type, ntp_ts_t now)
{
	struct timespec ts;
	struct tm tm;

	if (type == NTP_LEAP_NONE) {
		d->leap.type = NTP_LEAP_NONE;
		return 0;
	}
	if (type != NTP_LEAP_INSERT && type != NTP_LEAP_DELETE)
		return -EINVAL;
	/* Unix days are UTC days (POSIX time has no leap seconds), and going
	 * through Unix time picks the NTP era. */
	ntp_ts_to_timespec(now, 0, &ts);
	time_t end = (time_t)((ts.tv_sec / 86400 + 1) * 86400);
	if (!gmtime_r(&end, &tm) || tm.tm_mday != 1)
		return -EINVAL;
	struct timespec e = {.tv_sec = end, .tv_nsec = 0};
	ntp_ts_t at = ntp_ts_from_timespec(&e);
	if (type == NTP_LEAP_DELETE)
		at -= 1ULL << 32;
	/* A source still announcing the leap we just made is stale. */
	if (d->last_leap_at &&
	    fabs(ntp_interval_to_double(ntp_ts_diff(at, d->last_leap_at))) < LEAP_MIN_SPACING)
		return -EALREADY;
	d->leap.type = type;
	d->leap.mode = d->cfg.leapsecmode;
	d->leap.shape = d->cfg.smear_shape;
	d->leap.at = at;
	d->leap.slew_rate = d->cfg.maxslewrate * PPM;
	d->leap.window = d->cfg.smear_window;
	return 0;
}

const struct disc_leap *discipline_leap(const struct discipline *d)
{
	return &d->leap;
}

/* How far (s) the leap is done in served time at dt seconds past it. */
static double leap_frac(const struct disc_leap *l, double dt)
{
	double u;

	switch (l->mode) {
	case DISC_LEAPMODE_SLEW:
		return clampd(dt * l->slew_rate, 0, 1);
	case DISC_LEAPMODE_SMEAR:
		u = clampd((dt + l->window / 2) / l->window, 0, 1);
		if (l->shape == DISC_SMEAR_LINEAR)
			return u;
		return u < 0.5 ? 2 * u * u : 1 - 2 * (1 - u) * (1 - u);
	case DISC_LEAPMODE_STEP:
		break;
	}
	return dt >= 0 ? 1 : 0;
}

static double leap_end(const struct disc_leap *l)
{
	switch (l->mode) {
	case DISC_LEAPMODE_SLEW:
		return 1.0 / l->slew_rate;
	case DISC_LEAPMODE_SMEAR:
		return l->window / 2;
	case DISC_LEAPMODE_STEP:
		break;
	}
	return 0;
}

int discipline_leap_tick(struct discipline *d, double now, double *step_s)
{
	const struct disc_leap *l = &d->leap;

	*step_s = 0;
	if (l->type == NTP_LEAP_NONE)
		return 0;
	ntp_ts_t raw = to_ntp(d, now - discipline_slew_remaining(d, now));
	if (ntp_interval_to_double(ntp_ts_diff(raw, l->at)) < leap_end(l))
		return 0;
	*step_s = l->type == NTP_LEAP_INSERT ? -1.0 : 1.0;
	d->slew_start += *step_s;
	d->last_update += *step_s;
	d->last_leap_at = l->at;
	d->leap.type = NTP_LEAP_NONE;
	return 1;
}

static ntp_ts_t shift(const struct disc_leap *l, ntp_ts_t raw, double frac)
{
	int64_t u = ntp_interval_from_double(frac);

	return l->type == NTP_LEAP_INSERT ? raw - (ntp_ts_t)u : raw + (ntp_ts_t)u;
}

ntp_ts_t discipline_serve(const struct disc_leap *l, ntp_ts_t raw, uint8_t *li)
{
	if (li)
		*li = NTP_LEAP_NONE;
	if (!l || (l->type != NTP_LEAP_INSERT && l->type != NTP_LEAP_DELETE))
		return raw;
	double dt = ntp_interval_to_double(ntp_ts_diff(raw, l->at));
	/* RFC 5905 section 7.3: LI warns until the leap; a smearing server
	 * hides the leap, so its clients must not apply it a second time. */
	if (li && dt < 0 && l->mode != DISC_LEAPMODE_SMEAR)
		*li = (uint8_t)l->type;
	return shift(l, raw, leap_frac(l, dt));
}

ntp_ts_t discipline_utc(const struct disc_leap *l, ntp_ts_t raw)
{
	if (!l || (l->type != NTP_LEAP_INSERT && l->type != NTP_LEAP_DELETE))
		return raw;
	return shift(l, raw, ntp_ts_diff(raw, l->at) >= 0 ? 1.0 : 0.0);
}

int discipline_leap_near(const struct disc_leap *l, ntp_ts_t raw, double guard)
{
	if (!l || (l->type != NTP_LEAP_INSERT && l->type != NTP_LEAP_DELETE))
		return 0;
	return fabs(ntp_interval_to_double(ntp_ts_diff(raw, l->at))) < guard;
}

int discipline_driftfile_read(const char *path, double *freq_ppm, double *skew_ppm)
{
	FILE *f = fopen(path, "r");
	double fr, sk;
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%lf %lf", &fr, &sk);
	fclose(f);
	if (n != 2 || !isfinite(fr) || !isfinite(sk) || fabs(fr) > 1e4 || sk < 0 || sk > 1e4)
		return -EINVAL;
	*freq_ppm = fr;
	*skew_ppm = sk;
	return 0;
}

int discipline_driftfile_write(const char *path, double freq_ppm, double skew_ppm)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc = 0;

	if (!isfinite(freq_ppm) || !isfinite(skew_ppm))
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%20.6f %20.6f\n", freq_ppm, skew_ppm) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
