/* genrate: pacing in TSC ticks and the capacity search (see genrate.h). */
#include "genrate.h"

#include <math.h>

/* floor(a * b / c) without overflow (c > 0). */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	return (uint64_t)((unsigned __int128)a * b / c);
}

void genrate_init(struct genrate *r, uint64_t hz, uint64_t rate, uint32_t burst, uint64_t t0,
		  uint64_t max_lag)
{
	r->hz = hz ? hz : 1;
	r->rate = rate;
	r->burst = burst ? burst : 1;
	r->t0 = t0;
	r->skipped = 0;
	if (max_lag == 0) {
		uint64_t per_ms = rate / 1000;
		max_lag = 4 * (uint64_t)r->burst;
		if (per_ms > max_lag)
			max_lag = per_ms;
	}
	r->max_lag = max_lag;
}

uint64_t genrate_due(const struct genrate *r, uint64_t n)
{
	if (r->rate == 0)
		return r->t0;
	/* The first tick at or after the burst's exact time, ceil(first * hz /
	 * rate): the same instant genrate_allowed() lets it go. */
	uint64_t first = n - n % r->burst;
	unsigned __int128 num = (unsigned __int128)first * r->hz + (r->rate - 1);
	return r->t0 + (uint64_t)(num / r->rate);
}

uint64_t genrate_allowed(const struct genrate *r, uint64_t now)
{
	if (r->rate == 0)
		return UINT64_MAX;
	if (now < r->t0)
		return 0;
	/* Packet n is due once n * hz / rate <= now - t0, i.e. for n <=
	 * floor((now - t0) * rate / hz); bursts leave whole. */
	uint64_t n = muldiv(now - r->t0, r->rate, r->hz);
	uint64_t bursts = n / r->burst + 1;
	uint64_t due = bursts * r->burst;
	return due > r->skipped ? due - r->skipped : 0;
}

uint32_t genrate_ready(struct genrate *r, uint64_t now, uint64_t sent)
{
	if (r->rate == 0)
		return r->burst;
	uint64_t allowed = genrate_allowed(r, now);
	if (allowed <= sent)
		return 0;
	uint64_t backlog = allowed - sent;
	if (backlog > r->max_lag) {
		r->skipped += backlog - r->max_lag;
		backlog = r->max_lag;
	}
	return backlog < r->burst ? (uint32_t)backlog : r->burst;
}

double genrate_ticks_per_packet(const struct genrate *r)
{
	return r->rate ? (double)r->hz / (double)r->rate : 0.0;
}

static uint64_t round3(double x)
{
	if (x < 1000)
		return (uint64_t)llround(x);
	double scale = pow(10.0, floor(log10(x)) - 2);
	return (uint64_t)llround(round(x / scale) * scale);
}

unsigned int genrate_steps(uint64_t lo, uint64_t hi, unsigned int n, uint64_t *out)
{
	if (n == 0)
		return 0;
	if (n == 1 || lo == 0 || hi <= lo) {
		for (unsigned int i = 0; i < n; i++)
			out[i] = n == 1 ? hi : lo + (hi - lo) * i / (n - 1);
		return n;
	}
	double ratio = pow((double)hi / (double)lo, 1.0 / (n - 1));
	for (unsigned int i = 0; i < n; i++)
		out[i] = round3((double)lo * pow(ratio, i));
	out[0] = lo;
	out[n - 1] = hi;
	return n;
}

/* --- capacity search ------------------------------------------------------ */

void gensearch_init(struct gensearch *s, uint64_t start, uint64_t min, uint64_t max, double factor,
		    double resolution, double thresh, uint32_t max_steps)
{
	s->thresh = thresh;
	s->factor = factor > 1.0 ? factor : 2.0;
	s->resolution = resolution > 0 ? resolution : 0.02;
	s->min = min ? min : 1;
	s->max = max >= s->min ? max : s->min;
	s->lo = 0;
	s->hi = 0;
	s->next = start < s->min ? s->min : start > s->max ? s->max : start;
	s->steps_left = max_steps;
	if (max_steps == 0)
		s->next = 0;
}

uint64_t gensearch_next(const struct gensearch *s)
{
	return s->next;
}

uint64_t gensearch_best(const struct gensearch *s)
{
	return s->lo;
}

static void plan(struct gensearch *s)
{
	if (s->steps_left == 0) {
		s->next = 0;
		return;
	}
	if (s->hi == 0) {
		/* Nothing failed yet: grow, up to the ceiling. */
		if (s->lo >= s->max) {
			s->next = 0;
			return;
		}
		double up = (double)s->lo * s->factor;
		s->next = up >= (double)s->max ? s->max : (uint64_t)up;
		if (s->next <= s->lo)
			s->next = s->lo + 1;
		return;
	}
	if (s->lo == 0) {
		/* Everything tried failed: come down, to the floor. */
		if (s->hi <= s->min) {
			s->next = 0;
			return;
		}
		uint64_t down = (uint64_t)((double)s->hi / s->factor);
		s->next = down < s->min ? s->min : down;
		return;
	}
	if (s->hi <= s->lo || (double)(s->hi - s->lo) <= (double)s->lo * s->resolution) {
		s->next = 0;
		return;
	}
	s->next = s->lo + (s->hi - s->lo) / 2;
	if (s->next == s->lo)
		s->next = 0;
}

int gensearch_result(struct gensearch *s, uint64_t rate, uint64_t sent, uint64_t replied)
{
	int pass = sent > 0 && replied <= sent &&
		   (double)(sent - replied) < s->thresh * (double)sent;

	if (s->steps_left)
		s->steps_left--;
	if (pass) {
		if (rate > s->lo)
			s->lo = rate;
		/* A pass above an earlier failure (noise) moves the failure up. */
		if (s->hi && s->hi <= rate)
			s->hi = 0;
	} else if (s->hi == 0 || rate < s->hi) {
		s->hi = rate;
		if (s->lo >= rate)
			s->lo = 0;
	}
	plan(s);
	return pass;
}
