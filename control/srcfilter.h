/*
 * srcfilter: what linetimed knows about one upstream source. It keeps a
 * register of the source's recent measurements (offset, delay, dispersion,
 * root values; RFC 5905 section 8) and fits a weighted linear regression
 * of offset against local time, chrony-style, so each source yields an
 * offset, a frequency (the slope), a jitter (the scatter about the line),
 * a skew (the slope's standard error) and an RFC 5905 root distance.
 *
 * Samples with a delay far above the register's minimum are rejected
 * (popcorn spikes, queueing); samples far off the fitted line are held
 * until a run of them agrees, which is taken as a step of the source's
 * time and restarts the register. A runs test drops old samples that no
 * longer lie on one line (oscillator wander). Every clock correction the
 * discipline makes is replayed on the register (srcfilter_adjust), so the
 * slope is the residual frequency error of the corrected clock.
 *
 * All times are seconds on the caller's local timescale (a double with an
 * epoch the caller chooses); the module never reads a clock. Rates are
 * fractions (1e-6 = 1 ppm). Nothing is allocated after srcfilter_init.
 */
#ifndef LT_SRCFILTER_H
#define LT_SRCFILTER_H

#include <stdint.h>

#define SRCFILTER_MAX_SAMPLES 64   /* chrony's default maxsamples */
#define SRCFILTER_PHI 15e-6        /* RFC 5905 section 7.3: frequency tolerance */
#define SRCFILTER_SKEW_MAX 2e-3    /* skew reported before two samples exist */

struct srcfilter_config {
	int minpoll;               /* log2 s */
	int maxpoll;               /* log2 s */
	int iburst;                /* first four polls 2 s apart */
	unsigned int max_samples;  /* register size, 4..SRCFILTER_MAX_SAMPLES (0 = max) */
	double max_age;            /* s: older samples are dropped; 0 = 64 polls at maxpoll */
	double precision;          /* s: timestamping precision, the floor of every error */
	double popcorn_ratio;      /* reject delay - min > ratio * mean excess (0 = 5) */
	unsigned int polltarget;   /* the poll rises only with polltarget / 2 samples in the fit (0 = 8) */
};

/* One measurement, on the local timescale. */
struct srcfilter_sample {
	double local;              /* s: local time of the sample, (T1 + T4) / 2 */
	double offset;             /* s: source minus local (theta) */
	double delay;              /* s: round-trip delay (delta) */
	double dispersion;         /* s: epsilon at sample time */
	double root_delay;         /* s: the source's root delay */
	double root_dispersion;    /* s: the source's root dispersion */
	int stratum;
	int leap;                  /* NTP_LEAP_* as the source sent it */
};

/* The source's state as seen at one local time. */
struct srcfilter_estimate {
	int valid;                 /* 0 until the register holds a sample */
	double offset;             /* s: source minus local, at the time asked */
	double offset_sd;          /* s: standard error of offset */
	double freq;               /* d(offset)/dt: residual frequency error of the local clock */
	double skew;               /* standard error of freq */
	double jitter;             /* s: RMS scatter of samples about the fit (psi) */
	double delay;              /* s: minimum delay among the samples used */
	double dispersion;         /* s: newest sample's epsilon, grown at PHI since */
	double root_delay;         /* s */
	double root_dispersion;    /* s */
	double root_distance;      /* s: lambda, RFC 5905 section 11.2 */
	double age;                /* s: since the newest sample */
	int stratum;
	int leap;
	uint8_t reach;
	unsigned int n_samples;    /* in the register */
	unsigned int n_used;       /* by the fit after the runs test */
};

enum srcfilter_verdict {
	SRCFILTER_ACCEPTED = 0,
	SRCFILTER_POPCORN,         /* delay spike: dropped */
	SRCFILTER_HELD,            /* off the line: kept aside until a run agrees */
	SRCFILTER_STEP,            /* a run agreed: register restarted from it */
	SRCFILTER_INVALID,         /* not a number, or out of range */
};

struct srcfilter_counters {
	uint64_t accepted, popcorn, held, outliers, steps, aged, invalid;
};

struct srcfilter;

/* Create a filter; NULL on a bad config or no memory. */
struct srcfilter *srcfilter_init(const struct srcfilter_config *cfg);

/* Free a filter. */
void srcfilter_fini(struct srcfilter *sf);

/* RFC 5905 section 8 offset and delay from T1..T4 (T1, T4 local; T2, T3
 * the source's); dispersion is precision plus PHI times the round trip. */
void srcfilter_make_sample(double t1, double t2, double t3, double t4, double precision,
			   struct srcfilter_sample *out);

/* A request was sent: shift the reachability register (RFC 5905 section 13). */
void srcfilter_polled(struct srcfilter *sf);

/* A reply came that carries no usable sample (e.g. the server is
 * unsynchronised): the source is reachable all the same. */
void srcfilter_reached(struct srcfilter *sf);

/* Add a measurement (its reply was valid: sets the low reach bit). */
enum srcfilter_verdict srcfilter_add(struct srcfilter *sf, const struct srcfilter_sample *s);

/* The estimate at local time now (now >= the newest sample). */
void srcfilter_estimate(const struct srcfilter *sf, double now, struct srcfilter_estimate *out);

/* The local clock was corrected at local time when: its time moved by
 * dphase and its rate by dfreq; re-express the register in the new clock. */
void srcfilter_adjust(struct srcfilter *sf, double when, double dphase, double dfreq);

/* Forget every sample (e.g. after an unexplained jump of the local clock). */
void srcfilter_reset(struct srcfilter *sf);

/* Seconds until the next request should be sent. */
double srcfilter_poll_interval(const struct srcfilter *sf);

/* Current poll exponent (log2 s). */
int srcfilter_poll(const struct srcfilter *sf);

/* Seconds between the oldest and newest samples in the register. */
double srcfilter_span(const struct srcfilter *sf);

/* The 8-bit reachability register. */
uint8_t srcfilter_reach(const struct srcfilter *sf);

/* Counters since init. */
void srcfilter_counters(const struct srcfilter *sf, struct srcfilter_counters *out);

/* Name of a verdict, for logs. */
const char *srcfilter_verdict_name(enum srcfilter_verdict v);

#endif
