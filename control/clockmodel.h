/*
 * clockmodel: the disciplined clock on the counter (TSC) that control
 * publishes. It holds the "cooked" clock of docs/DISCIPLINE.md as an affine
 * function of the counter,
 *
 *     cooked(c) = base_local + (c - base_counter) / hz * (1 + freq)
 *
 * in seconds from an epoch (an NTP timestamp), and derives from it, with
 * the discipline's slew and leap state, the map the dataplane serves:
 *
 *     published(c) = cooked(c) - slew_remaining(cooked(c))
 *     served(c)    = discipline_serve(leap, published(c))
 *
 * Timestamps the dataplane reports (T1 of our requests, T4 of replies) are
 * in the published clock; clockmodel_to_local() turns one back into the
 * cooked local time the measurements need.
 *
 * Plain C: every counter value and clock state is an argument.
 */
#ifndef LT_CLOCKMODEL_H
#define LT_CLOCKMODEL_H

#include <stdint.h>

#include "discipline.h"
#include "shm.h"

struct clockmodel {
	ntp_ts_t epoch;        /* NTP time of local 0 */
	double hz;             /* nominal counter rate */
	uint64_t base_counter;
	double base_local;     /* cooked local seconds at base_counter */
	double freq;           /* fraction: cooked runs at (1 + freq) / hz s per tick */
};

/* Start a clock that reads time `now` at counter c, running at hz (1 + freq). */
void clockmodel_init(struct clockmodel *m, double hz, uint64_t c, ntp_ts_t now, double freq);

/* Cooked local seconds at counter c. */
double clockmodel_local(const struct clockmodel *m, uint64_t c);

/* Local seconds <-> NTP time on this model's epoch. */
ntp_ts_t clockmodel_ntp(const struct clockmodel *m, double local);
double clockmodel_from_ntp(const struct clockmodel *m, ntp_ts_t t);

/* Apply a discipline action taken at counter c: the cooked clock moves by
 * dphase and runs at freq_ppm from then on. */
void clockmodel_apply(struct clockmodel *m, uint64_t c, double dphase, double freq_ppm);

/* Step both clocks by step s at counter c (a leap fold). */
void clockmodel_step(struct clockmodel *m, uint64_t c, double step);

/*
 * A published (served-before-leap) timestamp back to cooked local time,
 * under the discipline's current slew state. Exact while that state holds;
 * a timestamp taken before the last update must be converted before it.
 */
double clockmodel_to_local(const struct clockmodel *m, const struct discipline *d, ntp_ts_t pub);

/* Published raw time at counter c (cooked minus the slew still to go). */
ntp_ts_t clockmodel_published(const struct clockmodel *m, const struct discipline *d, uint64_t c);

/*
 * The counter -> served-time map to publish at counter c: its base is the
 * served time at c, its rate the secant to c + h, where h is at most one
 * second and ends at the next kink of the published clock (the end of the
 * slew in progress, the leap). *li gets the leap indicator to serve.
 * Returns the counter value at which the map stops being exact (publish
 * again then).
 */
uint64_t clockmodel_map(const struct clockmodel *m, const struct discipline *d, uint64_t c,
			struct lt_clock_map *out, uint8_t *li);

#endif
