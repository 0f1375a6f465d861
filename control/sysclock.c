/* sysclock: PI loop steering CLOCK_REALTIME to the served clock. */
#include "sysclock.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#define DEFAULT_TC 16.0
#define GAP_TCS 10.0               /* a gap above this many T does not integrate */
#define FREQ_SCALE 65536.0         /* timex.freq is ppm << 16 */
#define KERNEL_MAX_ERROR_US 16000000L  /* NTP_PHASE_LIMIT: the kernel's unsync bound */

static double clampd(double v, double lim)
{
	return v < -lim ? -lim : v > lim ? lim : v;
}

void sysclock_init(struct sysclock *c, const struct sysclock_config *cfg, double kernel_freq_ppm)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	if (!(c->cfg.max_ppm > 0) || c->cfg.max_ppm > SYSCLOCK_KERNEL_MAX_PPM)
		c->cfg.max_ppm = SYSCLOCK_KERNEL_MAX_PPM;
	if (!(c->cfg.time_constant > 0) || !isfinite(c->cfg.time_constant))
		c->cfg.time_constant = DEFAULT_TC;
	if (!isfinite(kernel_freq_ppm))
		kernel_freq_ppm = 0;
	c->integ_ppm = c->freq_ppm = clampd(kernel_freq_ppm, c->cfg.max_ppm);
}

static int may_step(const struct sysclock *c, double x)
{
	const struct sysclock_config *k = &c->cfg;

	/* !(<=) so a NaN threshold never steps. */
	if (!(k->step_threshold > 0) || !(fabs(x) > k->step_threshold))
		return 0;
	return k->step_limit < 0 || c->n_updates <= (unsigned long)k->step_limit;
}

void sysclock_update(struct sysclock *c, double offset, double dt, struct sysclock_action *out)
{
	double tc = c->cfg.time_constant, max = c->cfg.max_ppm;
	double kp = 1e6 / tc, ki = 1e6 / (4 * tc * tc);   /* per s, per s^2, in ppm */
	double p;

	memset(out, 0, sizeof(*out));
	if (!isfinite(offset)) {
		out->freq_ppm = c->freq_ppm;
		return;
	}
	c->n_updates++;
	if (may_step(c, offset)) {
		out->step = 1;
		out->step_s = offset;
		c->n_steps++;
		offset = 0;
	}
	p = kp * offset;
	/* Integrate unless this is the first update or follows a long gap, or
	 * the output is held at the bound and the error pushes further out. */
	if (dt > 0 && dt <= GAP_TCS * tc &&
	    !(fabs(c->integ_ppm + p) >= max && (offset > 0) == (c->integ_ppm + p > 0)))
		c->integ_ppm = clampd(c->integ_ppm + ki * offset * dt, max);
	c->freq_ppm = out->freq_ppm = clampd(c->integ_ppm + p, max);
}

double sysclock_freq_ppm(const struct sysclock *c)
{
	return c->freq_ppm;
}

void sysclock_counts(const struct sysclock *c, unsigned long *updates, unsigned long *steps)
{
	*updates = c->n_updates;
	*steps = c->n_steps;
}

/* ---- kernel ---------------------------------------------------------------- */

static int adjtime_rt(struct timex *tx)
{
	/* A non-negative return is the clock state (TIME_ERROR when unsynchronised). */
	return clock_adjtime(CLOCK_REALTIME, tx) < 0 ? -errno : 0;
}

int sysclock_kernel_freq(double *ppm)
{
	struct timex tx = {.modes = 0};
	int rc = adjtime_rt(&tx);

	if (rc == 0)
		*ppm = tx.freq / FREQ_SCALE;
	return rc;
}

int sysclock_kernel_reset(void)
{
	struct timex tx = {.modes = ADJ_OFFSET | ADJ_STATUS, .status = STA_PLL | STA_UNSYNC, .offset = 0};
	int rc;

	/* The kernel only takes ADJ_OFFSET with the PLL on; then turn it off. */
	if ((rc = adjtime_rt(&tx)))
		return rc;
	tx = (struct timex){.modes = ADJ_STATUS, .status = STA_UNSYNC};
	return adjtime_rt(&tx);
}

int sysclock_apply(const struct sysclock_action *a, double maxerror_s)
{
	struct timex tx = {.modes = 0};
	long maxerr_us;
	int rc, status;

	if (!isfinite(a->freq_ppm) || (a->step && !isfinite(a->step_s)))
		return -EINVAL;
	if ((rc = adjtime_rt(&tx)))
		return rc;
	status = tx.status & ~(STA_PLL | STA_FLL);   /* keep leap and PPS bits */

	if (a->step) {
		double sec = floor(a->step_s);
		long ns = lround((a->step_s - sec) * 1e9);

		if (ns >= 1000000000L) {
			sec += 1;
			ns -= 1000000000L;
		}
		/* The kernel wants 0 <= tv_usec (ns with ADJ_NANO) < 1e9. */
		tx = (struct timex){.modes = ADJ_SETOFFSET | ADJ_NANO};
		tx.time.tv_sec = (time_t)sec;
		tx.time.tv_usec = ns;
		if ((rc = adjtime_rt(&tx)))
			return rc;
	}

	if (maxerror_s >= 0 && maxerror_s * 1e6 < KERNEL_MAX_ERROR_US) {
		maxerr_us = lround(maxerror_s * 1e6);
		status &= ~STA_UNSYNC;
	} else {
		maxerr_us = KERNEL_MAX_ERROR_US;
		status |= STA_UNSYNC;
	}
	tx = (struct timex){.modes = ADJ_FREQUENCY | ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR};
	tx.freq = lround(clampd(a->freq_ppm, SYSCLOCK_KERNEL_MAX_PPM) * FREQ_SCALE);
	tx.status = status;
	tx.maxerror = maxerr_us;
	tx.esterror = maxerr_us;   /* only the bound is known; no tighter estimate */
	return adjtime_rt(&tx);
}
