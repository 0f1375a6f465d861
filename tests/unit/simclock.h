/*
 * simclock: a deterministic simulation of linetimed's upstream sync, to
 * check srcfilter -> srcselect -> discipline against known truth.
 *
 * True time runs in seconds from an epoch (true UTC at 0 is cfg.epoch).
 * The client's oscillator has a frequency error and optional random-walk
 * wander; its cooked clock advances at (1 + error)(1 + correction) and
 * takes the discipline's phase jumps, and the published clock is cooked
 * minus the slew still to go, exactly as linetimed would build its map.
 * Each simulated server reads true UTC plus its own error, and sits behind
 * a path with fixed one-way delays (asymmetry allowed), Gaussian jitter,
 * exponential queueing and loss, all drawn from one seeded PRNG, so a run
 * is a pure function of its config. The client polls each server at the
 * interval its srcfilter asks for and applies every action it is given.
 *
 * Every tick the served time (discipline_serve of the published clock) is
 * compared with true UTC and recorded; the helpers below read the trace.
 */
#ifndef LT_SIMCLOCK_H
#define LT_SIMCLOCK_H

#include <stdint.h>

#include "discipline.h"
#include "srcfilter.h"
#include "srcselect.h"

#define SIM_MAX_SERVERS 8

struct sim_server {
	double offset;            /* s: the server's error (serves true UTC + offset) */
	double delay_out;         /* s: fixed client -> server delay */
	double delay_in;          /* s: fixed server -> client delay */
	double jitter;            /* s: Gaussian sd added to each direction */
	double queue;             /* s: mean exponential queueing added to each direction */
	double loss;              /* probability that a request, or its reply, is lost */
	int stratum;              /* 0 = 1 */
	double root_delay;        /* s */
	double root_dispersion;   /* s */
	int down;                 /* 1: does not answer */
	int prefer;
};

struct sim_config {
	uint64_t seed;
	ntp_ts_t epoch;           /* true UTC at simulated time 0 */
	double duration;          /* s: longest run (sizes the trace) */
	double tick;              /* s: how often the served time is checked (0 = 1) */
	double init_offset;       /* s: client clock minus true UTC at time 0 */
	double osc_freq;          /* fraction: oscillator error, + runs fast */
	double osc_wander;        /* fraction per sqrt(s): random walk of the error */
	double precision;         /* s: client timestamp resolution */
	unsigned int n_servers;
	struct sim_server srv[SIM_MAX_SERVERS];
	struct srcfilter_config filter;
	struct srcselect_config select;
	struct disc_config disc;
	int leap_type;            /* NTP_LEAP_INSERT/DELETE: the servers leap at leap_midnight */
	ntp_ts_t leap_midnight;   /* NTP time of the UTC midnight ending the leap day */
	double leap_announce;     /* s before the leap the servers start announcing it */
	const char *driftfile;    /* read at start when set */
};

struct sim_point {
	double t;                 /* s: true time */
	double err;               /* s: served minus true UTC */
	double served;            /* s: served minus true time (no leap), to see jumps */
	double freq_err;          /* ppm: rate error of the corrected clock */
	uint8_t li;               /* leap indicator that would be served */
	uint8_t outcome;          /* last srcselect outcome */
};

struct sim;

/* Build a simulation; NULL on a bad config. */
struct sim *sim_new(const struct sim_config *cfg);

/* Free it. */
void sim_free(struct sim *s);

/* Run until true time until (s). */
void sim_run(struct sim *s, double until);

/* A server's parameters, to change between runs (jumps, outages). */
struct sim_server *sim_server(struct sim *s, unsigned int i);

/* The recorded trace. */
const struct sim_point *sim_trace(const struct sim *s, unsigned int *n);

/* The client's loop, filters and last selection. */
struct discipline *sim_discipline(struct sim *s);
struct srcfilter *sim_filter(struct sim *s, unsigned int i);
const struct srcselect_result *sim_selection(const struct sim *s);

/* Steps the discipline ordered, and leap folds applied. */
unsigned long sim_steps(const struct sim *s);

/* Earliest time >= from after which |err| <= tol to the end (INFINITY if
 * the last point is out of bounds). */
double sim_converge_time(const struct sim *s, double tol, double from);

/* Same for |freq_err| <= tol_ppm. */
double sim_freq_converge_time(const struct sim *s, double tol_ppm, double from);

/* Max |err|, mean err and RMS err over [from, to]. */
double sim_max_err(const struct sim *s, double from, double to);
double sim_mean_err(const struct sim *s, double from, double to);
double sim_rms_err(const struct sim *s, double from, double to);

/* Largest |d served / dt - 1| between ticks over [from, to]: the rate
 * error clients see; a step shows as step / tick. */
double sim_max_rate(const struct sim *s, double from, double to);

/* 1 if LT_SIM_VERBOSE=1: tests then print their figures. */
int sim_verbose(void);

#endif
