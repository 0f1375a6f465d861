/* localclock: serving the system clock through a TSC map. */
#include "localclock.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "clockmap.h"
#include "log.h"
#include "ntp_packet.h"
#include "tsc.h"

/* A rate this far from the nominal means the system clock was stepped. */
#define MAX_RATE_PPM 1000.0

void localclock_configure(struct localclock *lc, const struct lt_config *cfg)
{
	lc->stratum = cfg->local_stratum;
	lc->holdover = cfg->holdover;
	if (cfg->precision > 0)
		lc->precision = cfg->precision;
}

int localclock_init(struct localclock *lc, const struct lt_config *cfg)
{
	uint64_t t, window;
	struct timespec ts;

	memset(lc, 0, sizeof(*lc));
	lc->nominal_hz = tsc_measure_hz(200);
	if (lc->nominal_hz <= 0) {
		log_msg(LOG_ERR, "cannot measure the TSC rate");
		return -EIO;
	}
	lc->hz = lc->nominal_hz;
	/* Precision: how finely a (TSC, system time) pair pins the time. */
	if (tsc_sample(CLOCK_REALTIME, &t, &ts, &window) != 0)
		return -errno;
	lc->precision = fmax((double)window / lc->hz, 1.0 / lc->hz);
	localclock_configure(lc, cfg);
	log_msg(LOG_INFO, "TSC %.3f MHz%s, precision %.0f ns (2^%d), local stratum %u, holdover %.0f s",
		lc->nominal_hz / 1e6, tsc_invariant() ? " invariant" : "", lc->precision * 1e9,
		ntp_precision_from_double(lc->precision), lc->stratum, lc->holdover);
	return 0;
}

void localclock_map_nic(struct localclock *lc, const struct lt_ports_block *ports,
			struct lt_clock_snapshot *out)
{
	if (!ports)
		return;
	for (unsigned int i = 0; i < ports->n_ports && i < LT_MAX_PORTS; i++) {
		const struct lt_port_info *p = &ports->port[i];
		if (!p->nic_clock_hz || p->nic_sample_clock == lc->nic_prev_clock[i])
			continue;
		if (lc->nic_prev_tsc[i]) {
			struct lt_clock_map m;
			if (clockmap_compose_nic(&out->tsc, lc->nic_prev_tsc[i], lc->nic_prev_clock[i],
						 p->nic_sample_tsc, p->nic_sample_clock, &m) == 0)
				out->nic[i] = m;
		}
		lc->nic_prev_tsc[i] = p->nic_sample_tsc;
		lc->nic_prev_clock[i] = p->nic_sample_clock;
	}
}

void localclock_sample(struct localclock *lc, uint64_t tsc, ntp_ts_t now,
		       const struct lt_ports_block *ports, struct lt_clock_snapshot *out)
{
	lc->tsc[lc->head] = tsc;
	lc->ntp[lc->head] = now;
	lc->head = (lc->head + 1) % LOCALCLOCK_WINDOW;
	if (lc->n < LOCALCLOCK_WINDOW)
		lc->n++;

	if (lc->n >= 2) {
		unsigned int oldest = (lc->head + LOCALCLOCK_WINDOW - lc->n) % LOCALCLOCK_WINDOW;
		double dt = ntp_interval_to_double(ntp_ts_diff(now, lc->ntp[oldest]));
		double rate = dt > 0 && tsc > lc->tsc[oldest] ? (double)(tsc - lc->tsc[oldest]) / dt : 0;
		if (fabs(rate / lc->nominal_hz - 1.0) * 1e6 > MAX_RATE_PPM) {
			/* Stepped: restart the window from this sample. */
			lc->tsc[0] = tsc;
			lc->ntp[0] = now;
			lc->head = 1 % LOCALCLOCK_WINDOW;
			lc->n = 1;
			lc->resets++;
		} else {
			lc->hz = rate;
		}
	}

	*out = lc->snap;
	out->tsc.base_counter = tsc;
	out->tsc.base_ntp = now;
	out->tsc.mult = clockmap_mult_from_hz(lc->hz);
	out->tsc.valid = 1;
	out->p.leap = NTP_LEAP_NONE;
	out->p.stratum = (uint8_t)lc->stratum;
	out->p.precision = ntp_precision_from_double(lc->precision);
	out->p.refid = NTP_REFID_LOCL;
	out->p.ref_time = now;
	out->p.root_delay = 0;
	out->p.root_dispersion = ntp_short_from_double(lc->precision);
	out->p.holdover_deadline_tsc = tsc + (uint64_t)(lc->holdover * lc->hz);
	out->p.tsc_hz = (uint64_t)llround(lc->hz);
	localclock_map_nic(lc, ports, out);
	lc->snap = *out;
}

int localclock_update(struct localclock *lc, struct lt_clock_block *b,
		      const struct lt_ports_block *ports)
{
	struct lt_clock_snapshot s;
	struct lt_ports_block pcopy;
	struct timespec ts;
	uint64_t tsc;
	int rc = tsc_sample(CLOCK_REALTIME, &tsc, &ts, NULL);

	if (rc)
		return rc;
	if (ports) {
		shm_ports_read(ports, &pcopy);
		ports = &pcopy;
	}
	localclock_sample(lc, tsc, ntp_ts_from_timespec(&ts), ports, &s);
	shm_clock_publish(b, &s);
	return 0;
}
