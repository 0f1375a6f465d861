/* tstamp: RX/TX timestamp selection and reply clock fields. */
#include "tstamp.h"

#include "clockmap.h"
#include "ntp_packet.h"

/* ns -> NTP units (2^-32 s), exact enough for latencies of microseconds. */
static int64_t ns_to_units(int64_t ns)
{
	return (ns * 4294967296LL) / 1000000000LL;
}

ntp_ts_t tstamp_rx(const struct lt_clock_snapshot *s, uint16_t port, const struct tstamp_port *tp,
		   int has_hw, uint64_t hw_ts, uint64_t burst_tsc, uint8_t *src)
{
	ntp_ts_t t;

	if (has_hw && tp && tp->use_nic && port < LT_MAX_PORTS && s->nic[port].valid) {
		t = clockmap_apply(&s->nic[port], hw_ts);
		*src = LT_TS_SRC_NIC;
	} else {
		t = clockmap_apply(&s->tsc, burst_tsc);
		*src = LT_TS_SRC_TSC;
	}
	if (tp && tp->rx_comp_ns)
		t -= (uint64_t)ns_to_units(tp->rx_comp_ns);
	return t;
}

ntp_ts_t tstamp_tx(const struct lt_clock_snapshot *s, uint64_t now_tsc)
{
	return clockmap_apply(&s->tsc, now_tsc);
}

ntp_ts_t tstamp_sent(const struct lt_clock_snapshot *s, const struct tstamp_port *tp,
		     uint64_t pre_tsc, uint64_t post_tsc)
{
	ntp_ts_t t = clockmap_apply(&s->tsc, tp && tp->tx_before ? pre_tsc : post_tsc);

	if (tp && tp->tx_comp_ns)
		t += (uint64_t)ns_to_units(tp->tx_comp_ns);
	return t;
}

void tstamp_server_params(const struct lt_clock_snapshot *s, uint64_t now_tsc,
			  struct ntp_server_params *out)
{
	out->precision = s->p.precision;
	out->root_delay = s->p.root_delay;
	out->root_dispersion = s->p.root_dispersion;
	out->refid = s->p.refid;
	out->ref_time = s->p.ref_time;
	if (!s->tsc.valid || now_tsc > s->p.holdover_deadline_tsc) {
		out->leap = NTP_LEAP_UNSYNC;
		out->stratum = NTP_STRATUM_UNSYNC;
	} else {
		out->leap = s->p.leap;
		out->stratum = s->p.stratum;
	}
}
