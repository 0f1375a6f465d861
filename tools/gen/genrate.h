/*
 * genrate: how fast linetime-gen sends, in TSC ticks, and which rates a
 * capacity search tries. Plain integer arithmetic, so the long-run rate is
 * exact and the unit tests can check it tick for tick.
 *
 * Pacing: packets leave in bursts of `burst`; burst k (packets kB..kB+B-1)
 * is due at t0 + ceil(k * B * hz / rate). Deadlines are computed from t0,
 * never by adding a rounded interval to the previous one, so rounding never
 * accumulates. A sender that falls more than max_lag packets behind (it was
 * descheduled, or cannot keep up) does not catch up in one long burst: the
 * excess is skipped and counted, so the report can say the rate was not
 * held. Rate 0 means as fast as possible.
 *
 * Capacity search: offered rates grow by a factor while the loss stays under
 * the threshold, then bisect between the highest rate that passed and the
 * lowest that failed, until they are within a resolution or the step budget
 * is spent.
 */
#ifndef LT_GENRATE_H
#define LT_GENRATE_H

#include <stdint.h>

struct genrate {
	uint64_t hz;        /* ticks per second */
	uint64_t rate;      /* packets per second; 0 = as fast as possible */
	uint32_t burst;     /* packets per burst, >= 1 */
	uint64_t t0;        /* tick the first burst is due */
	uint64_t max_lag;   /* packets behind schedule before the excess is skipped */
	uint64_t skipped;   /* packets skipped because the sender fell behind */
};

/* One step of a run: what is offered and for how long. The step ends when
 * its duration has passed or its count has been offered, whichever is
 * first; replies are then awaited for drain_s more. */
struct genrate_step {
	uint64_t rate;       /* packets per second; 0 = as fast as possible */
	uint32_t burst;
	double duration_s;
	uint64_t count;      /* 0 = no limit but the duration */
	double drain_s;
};

/* Start pacing at tick t0. max_lag 0 picks 4 bursts or 1 ms of packets,
 * whichever is more. */
void genrate_init(struct genrate *r, uint64_t hz, uint64_t rate, uint32_t burst, uint64_t t0,
		  uint64_t max_lag);

/* Tick at which packet n (counting from 0) is due: its burst's deadline. */
uint64_t genrate_due(const struct genrate *r, uint64_t n);

/* Packets due by tick now (whole bursts), less those skipped. */
uint64_t genrate_allowed(const struct genrate *r, uint64_t now);

/* How many packets may leave at tick now, when sent have left so far: at
 * most one burst. Skips (and counts) a backlog beyond max_lag. */
uint32_t genrate_ready(struct genrate *r, uint64_t now, uint64_t sent);

/* Mean ticks per packet, as a double (for reports). */
double genrate_ticks_per_packet(const struct genrate *r);

/* n offered rates from lo to hi inclusive, evenly spaced on a log scale
 * (n >= 2) and rounded to 3 significant digits. Returns n. */
unsigned int genrate_steps(uint64_t lo, uint64_t hi, unsigned int n, uint64_t *out);

struct gensearch {
	double thresh;        /* loss fraction that fails a step (0.001 = 0.1 %) */
	double factor;        /* growth while no step has failed, > 1 */
	double resolution;    /* stop when (hi - lo) <= lo * resolution */
	uint64_t min, max;    /* rates never tried outside [min, max] */
	uint64_t lo;          /* highest rate that passed (0: none) */
	uint64_t hi;          /* lowest rate that failed (0: none) */
	uint64_t next;        /* rate to try next; 0 when finished */
	uint32_t steps_left;
};

void gensearch_init(struct gensearch *s, uint64_t start, uint64_t min, uint64_t max, double factor,
		    double resolution, double thresh, uint32_t max_steps);

/* The next rate to offer, or 0 when the search is over. */
uint64_t gensearch_next(const struct gensearch *s);

/* Feed the outcome of a step at rate: requests sent and valid replies.
 * Returns 1 if the step passed (loss below the threshold). */
int gensearch_result(struct gensearch *s, uint64_t rate, uint64_t sent, uint64_t replied);

/* Highest rate that passed, 0 if none did. */
uint64_t gensearch_best(const struct gensearch *s);

#endif
