/* clockmodel: the cooked clock on the counter and the map served from it. */
#include "clockmodel.h"

#include <math.h>

#include "ntp_packet.h"

/* Shortest secant for a map (s): a kink closer than this is left to the
 * next publish, the error being at most this times the rate change. */
#define MIN_SECANT 1e-3
#define MAX_SECANT 1.0

void clockmodel_init(struct clockmodel *m, double hz, uint64_t c, ntp_ts_t now, double freq)
{
	m->epoch = now;
	m->hz = hz;
	m->base_counter = c;
	m->base_local = 0;
	m->freq = freq;
}

double clockmodel_local(const struct clockmodel *m, uint64_t c)
{
	double ticks = c >= m->base_counter ? (double)(c - m->base_counter)
					    : -(double)(m->base_counter - c);

	return m->base_local + ticks / m->hz * (1 + m->freq);
}

ntp_ts_t clockmodel_ntp(const struct clockmodel *m, double local)
{
	return m->epoch + (ntp_ts_t)ntp_interval_from_double(local);
}

double clockmodel_from_ntp(const struct clockmodel *m, ntp_ts_t t)
{
	return ntp_interval_to_double(ntp_ts_diff(t, m->epoch));
}

void clockmodel_apply(struct clockmodel *m, uint64_t c, double dphase, double freq_ppm)
{
	m->base_local = clockmodel_local(m, c) + dphase;
	m->base_counter = c;
	m->freq = freq_ppm * 1e-6;
}

void clockmodel_step(struct clockmodel *m, uint64_t c, double step)
{
	m->base_local = clockmodel_local(m, c) + step;
	m->base_counter = c;
}

/* Counter value at which the cooked clock reads local (may lie in the past). */
static double counter_at(const struct clockmodel *m, double local)
{
	return (double)m->base_counter + (local - m->base_local) * m->hz / (1 + m->freq);
}

ntp_ts_t clockmodel_published(const struct clockmodel *m, const struct discipline *d, uint64_t c)
{
	double x = clockmodel_local(m, c);

	return clockmodel_ntp(m, x - discipline_slew_remaining(d, x));
}

static ntp_ts_t served_at(const struct clockmodel *m, const struct discipline *d, uint64_t c,
			  uint8_t *li)
{
	return discipline_serve(discipline_leap(d), clockmodel_published(m, d, c), li);
}

double clockmodel_to_local(const struct clockmodel *m, const struct discipline *d, ntp_ts_t pub)
{
	const struct disc_leap *l = discipline_leap(d);
	ntp_ts_t raw = pub;

	/* Served -> raw: serve() has a slope within a few ppm of 1 (a fraction
	 * of a second per day when smearing), so this fixed point converges
	 * to the last bit in two rounds. */
	for (int i = 0; i < 3; i++)
		raw += (ntp_ts_t)ntp_ts_diff(pub, discipline_serve(l, raw, NULL));
	/* Raw -> cooked: raw = x - rem(x), rem changing at the slew rate, so
	 * each round shrinks the error by that rate (1/12 by default, at most
	 * 1/2 as configured): iterate until the change is below 1e-13 s. */
	double p = clockmodel_from_ntp(m, raw), x = p;
	for (int i = 0; i < 64; i++) {
		double nx = p + discipline_slew_remaining(d, x);
		int done = fabs(nx - x) < 1e-13;
		x = nx;
		if (done)
			break;
	}
	/* Measurements are taken on the UTC scale of the cooked clock (see
	 * discipline_utc), continuous across a leap. */
	return clockmodel_from_ntp(m, discipline_utc(l, clockmodel_ntp(m, x)));
}

uint64_t clockmodel_map(const struct clockmodel *m, const struct discipline *d, uint64_t c,
			struct lt_clock_map *out, uint8_t *li)
{
	const struct disc_leap *l = discipline_leap(d);
	double now = clockmodel_local(m, c);
	double h = MAX_SECANT;
	double kinks[3] = {discipline_slew_end(d) - now, -1, -1};

	if (l->type == NTP_LEAP_INSERT || l->type == NTP_LEAP_DELETE) {
		/* Raw time reaches l->at when the cooked clock reads about
		 * at + rem; the rem change over the remaining span is second order. */
		double at = clockmodel_from_ntp(m, l->at);
		double to_at = at + discipline_slew_remaining(d, now) - now;
		kinks[1] = to_at;
		if (l->mode == DISC_LEAPMODE_SLEW)
			kinks[2] = to_at + 1.0 / l->slew_rate;
		else if (l->mode == DISC_LEAPMODE_SMEAR)
			kinks[2] = to_at + l->window / 2, kinks[1] = to_at - l->window / 2;
	}
	for (unsigned int i = 0; i < 3; i++)
		if (kinks[i] >= MIN_SECANT && kinks[i] < h)
			h = kinks[i];
	uint64_t c1 = (uint64_t)llround(counter_at(m, now + h));
	if (c1 <= c)
		c1 = c + 1;
	ntp_ts_t s0 = served_at(m, d, c, li);
	/* A stepped leap is a jump of served time, not a change of its rate:
	 * take the rate from the raw clock then. */
	int64_t du = l->mode == DISC_LEAPMODE_STEP || l->type == NTP_LEAP_NONE
			     ? ntp_ts_diff(clockmodel_published(m, d, c1), clockmodel_published(m, d, c))
			     : ntp_ts_diff(served_at(m, d, c1, NULL), s0);

	out->base_counter = c;
	out->base_ntp = s0;
	out->mult = du > 0 ? (uint64_t)(((unsigned __int128)du << 32) / (c1 - c)) : 0;
	out->valid = 1;
	return c1;
}
