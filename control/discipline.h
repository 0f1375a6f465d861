/*
 * discipline: the clock loop. At each update it takes the combined estimate
 * of the selected sources (srcselect) and says what to do to the clock:
 * step it (makestep), or slew a phase correction at a rate bounded by
 * maxslewrate, and set an absolute frequency correction (ppm of our
 * counter against true time, the value a driftfile keeps).
 *
 * Two clocks are involved, as in chrony. The "cooked" clock takes every
 * correction the moment it is decided; upstream measurements are made in it
 * and the source registers are re-expressed in it (srcfilter_adjust with
 * the action's dphase and dfreq). The "published" clock is what the
 * dataplane serves: cooked minus the phase still being slewed
 * (discipline_slew_remaining), so it never jumps unless a step is ordered.
 * The frequency estimate is the sources' residual slope, blended with the
 * prior (driftfile) by inverse variance; estimates with a skew above
 * maxupdateskew leave the frequency alone.
 *
 * Leap seconds: a leap announced by the sources is scheduled at the end of
 * that UTC day. The published ("raw") clock runs straight through it;
 * discipline_serve maps raw time to served time under the leap mode:
 * step (23:59:59 repeated / skipped, what UTC in NTP timestamps does),
 * slew (the second is corrected after the event at maxslewrate), or smear
 * (spread linearly or quadratically over a window centred on the leap;
 * served time never jumps and is within 0.5 s of UTC). A smeared clock is
 * not UTC: serve it only to clients you control, never on a public server
 * or mixed with non-smearing servers. When the leap is over,
 * discipline_leap_tick folds it into the clocks with a one-second step that
 * served time does not see.
 *
 * Local times are seconds (double) from an epoch given at init as an NTP
 * timestamp; the module never reads a clock. Config rates are in ppm.
 */
#ifndef LT_DISCIPLINE_H
#define LT_DISCIPLINE_H

#include <stdint.h>

#include "ntp_time.h"

enum disc_leapmode {
	DISC_LEAPMODE_STEP = 0,
	DISC_LEAPMODE_SLEW,
	DISC_LEAPMODE_SMEAR,
};

enum disc_smear_shape {
	DISC_SMEAR_LINEAR = 0,
	DISC_SMEAR_QUADRATIC,     /* constant acceleration: rate ramps up, then down */
};

struct disc_config {
	double makestep_threshold;  /* s: step above this (<= 0: never step) */
	int makestep_limit;         /* only in the first N updates; -1 = always */
	double maxslewrate;         /* ppm (0 = chrony's 83333.333) */
	double maxupdateskew;       /* ppm (0 = chrony's 1000) */
	double maxdrift;            /* ppm: bound on |frequency| (0 = 500) */
	double corrtimeratio;       /* chrony corrtimeratio (0 = 3) */
	enum disc_leapmode leapsecmode;
	double smear_window;        /* s: whole smear window, centred on the leap (0 = 86400) */
	enum disc_smear_shape smear_shape;
};

/* What the sources agree on at one update (from srcselect_result). */
struct disc_estimate {
	double offset;     /* s: source minus cooked local time */
	double offset_sd;  /* s */
	double freq;       /* residual frequency error (fraction) */
	double skew;       /* its standard error (fraction) */
	int leap;          /* NTP_LEAP_* the sources announce */
};

enum disc_freq_verdict {
	DISC_FREQ_UPDATED = 0,
	DISC_FREQ_SKEW,       /* skew above maxupdateskew: frequency left alone */
	DISC_FREQ_CLAMPED,    /* updated, but held at maxdrift */
};

/* What to do to the clock, all effective at the update's local time. */
struct disc_action {
	int step;              /* 1: step the published clock by step_s now */
	double step_s;         /* s, includes cancelling the slew in progress */
	double slew_s;         /* s: phase the published clock must still gain (replaces any slew) */
	double slew_rate;      /* fraction: the rate it gains it at, sign of slew_s */
	double freq_ppm;       /* absolute frequency correction from now on */
	double dphase;         /* s: change of the cooked clock (for srcfilter_adjust) */
	double dfreq;          /* fraction: change of its rate (for srcfilter_adjust) */
	enum disc_freq_verdict freq_verdict;
};

/* A pending leap second, as plain data for whoever builds the served map. */
struct disc_leap {
	int type;                  /* NTP_LEAP_NONE, _INSERT or _DELETE */
	enum disc_leapmode mode;
	enum disc_smear_shape shape;
	ntp_ts_t at;               /* raw time of the discontinuity: the start of 23:59:60
				    * (insert) or of 23:59:59 (delete) */
	double slew_rate;          /* fraction, slew mode */
	double window;             /* s, smear mode */
};

struct discipline;

/* Create a loop whose local time 0 is NTP time epoch; NULL on a bad config. */
struct discipline *discipline_init(const struct disc_config *cfg, ntp_ts_t epoch);

/* Take new settings (a reload): the frequency, the slew in progress and a
 * scheduled leap stay; the next update follows the new rules. 0 or -EINVAL
 * (then nothing changed). */
int discipline_set_config(struct discipline *d, const struct disc_config *cfg);

/* Free a loop. */
void discipline_fini(struct discipline *d);

/* Start from a known frequency (a driftfile's), with its uncertainty. */
void discipline_set_freq(struct discipline *d, double freq_ppm, double skew_ppm);

/* One update at cooked local time now; fills *act. Returns 1 if it steps. */
int discipline_update(struct discipline *d, double now, const struct disc_estimate *e,
		      struct disc_action *act);

/* Phase (s) the published clock still lags the cooked one at cooked time now. */
double discipline_slew_remaining(const struct discipline *d, double now);

/* Cancel the slew in progress at cooked time now (chronyc makestep): the
 * published clock must step by the returned amount (s) to meet the cooked one. */
double discipline_cancel_slew(struct discipline *d, double now);

/* Cooked local time at which the slew in progress ends (-INFINITY if none). */
double discipline_slew_end(const struct discipline *d);

/* Current absolute frequency correction, ppm. */
double discipline_freq_ppm(const struct discipline *d);

/* Uncertainty of that frequency, ppm (what a driftfile stores as skew). */
double discipline_skew_ppm(const struct discipline *d);

/* Updates and steps so far. */
void discipline_counts(const struct discipline *d, unsigned long *updates, unsigned long *steps);

/* Schedule (or with NTP_LEAP_NONE cancel) a leap at the end of the UTC day
 * containing raw time now. Returns 0; -EINVAL if that day does not end a
 * month (leap seconds only end months, ITU-R TF.460); -EALREADY within 28
 * days of the last leap (a source still announcing it is stale). */
int discipline_leap_set(struct discipline *d, int type, ntp_ts_t now);

/* The pending leap (type NTP_LEAP_NONE when none). */
const struct disc_leap *discipline_leap(const struct discipline *d);

/* Once the leap is over in served time, fold it into the clocks: returns 1
 * and the step (s) to apply to both clocks, without srcfilter_adjust. */
int discipline_leap_tick(struct discipline *d, double now, double *step_s);

/* Served NTP time for raw (published) time under a pending leap; *li gets the
 * leap indicator to serve (cleared when smearing: clients must not leap). */
ntp_ts_t discipline_serve(const struct disc_leap *l, ntp_ts_t raw, uint8_t *li);

/* UTC (as NTP timestamps label it) of raw time: what step mode serves; the
 * timescale to take upstream measurements in, continuous across the fold. */
ntp_ts_t discipline_utc(const struct disc_leap *l, ntp_ts_t raw);

/* 1 if raw time is within guard seconds of the leap: measurements spanning
 * it are meaningless and should be dropped (chrony uses 5 s). */
int discipline_leap_near(const struct disc_leap *l, ntp_ts_t raw, double guard);

/* Read a chrony-format driftfile ("freq_ppm skew_ppm"); 0 or -errno. */
int discipline_driftfile_read(const char *path, double *freq_ppm, double *skew_ppm);

/* Write one atomically (temporary file, then rename); 0 or -errno. */
int discipline_driftfile_write(const char *path, double freq_ppm, double skew_ppm);

#endif
