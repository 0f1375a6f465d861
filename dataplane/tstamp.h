/*
 * tstamp: which clock stamps a frame, and what the replies of a burst say
 * about the server's clock. Plain C over a clock snapshot, so the hardware
 * path (NIC RX timestamps mapped through a per-port NIC-clock map) is tested
 * with synthetic NIC clocks on machines whose ports have none.
 */
#ifndef LT_TSTAMP_H
#define LT_TSTAMP_H

#include <stdint.h>

#include "pktproc.h"
#include "shm.h"

/* Per-port timestamping state the poll loop keeps. */
struct tstamp_port {
	uint8_t use_nic;        /* RX timestamp offload enabled on this port */
	int64_t rx_comp_ns;     /* fixed RX latency to subtract (PHY/MAC), ns */
	uint8_t tx_before;      /* departures from the TSC read before tx_burst, not after */
	int64_t tx_comp_ns;     /* from that reading to the wire (may be < 0), ns */
};

/*
 * Receive time of one frame: the NIC timestamp hw_ts through the port's NIC
 * map when has_hw and both port and map allow it, else the TSC burst_tsc
 * (read at rx-burst time) through the TSC map; minus the port's RX latency.
 * *src gets the source used (enum lt_ts_source).
 */
ntp_ts_t tstamp_rx(const struct lt_clock_snapshot *s, uint16_t port, const struct tstamp_port *tp,
		   int has_hw, uint64_t hw_ts, uint64_t burst_tsc, uint8_t *src);

/* Transmit time for a reply about to be handed to the NIC at TSC now_tsc. */
ntp_ts_t tstamp_tx(const struct lt_clock_snapshot *s, uint64_t now_tsc);

/* When a burst left that was handed to tx_burst at TSC pre_tsc, which
 * returned at post_tsc: the port's anchor (before or after) through the map
 * plus the port's correction. Interleaved mode serves this. */
ntp_ts_t tstamp_sent(const struct lt_clock_snapshot *s, const struct tstamp_port *tp,
		     uint64_t pre_tsc, uint64_t post_tsc);

/*
 * The reply fields for a burst handled at now_tsc. Before control has
 * published a map, or once the holdover deadline has passed (control gone),
 * replies say leap 3 (unsynchronised) and stratum 16 (RFC 5905 7.3).
 */
void tstamp_server_params(const struct lt_clock_snapshot *s, uint64_t now_tsc,
			  struct ntp_server_params *out);

#endif
