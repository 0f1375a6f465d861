/*
 * report: the dataplane's state as JSON for the admin commands, read from
 * the shared region. Plain C over the region's structs, so the Check suite
 * feeds it synthetic blocks.
 *
 * serverstats:
 *   {"counters": {"rx_frames": N, ...every counter...},
 *    "drops_total": N, "replies_total": N,
 *    "ports": [{"index":0,"name":"lan0","counters":{...nonzero only...}}],
 *    "workers": [{"index":0,"polls":N,"busy_polls":N,"rx_frames":N}],
 *    "control": {"punt_received": N, "punt_udp": N, "tx_stamps": N, "inject_sent": N,
 *                "inject_ring_full": N}}
 * ports:
 *   {"ports": [{"index":0,"name":"lan0","device":"...","driver":"...",
 *     "mac":"02:..","link_up":true,"speed_mbps":N,"rx_queues":1,"tx_queues":1,
 *     "timestamping":"tsc"|"nic"|"none","ipackets":N,"opackets":N,"ibytes":N,
 *     "obytes":N,"imissed":N,"ierrors":N,"oerrors":N,"rx_nombuf":N}]}
 */
#ifndef LT_REPORT_H
#define LT_REPORT_H

#include <stdint.h>

#include "shm.h"

struct json_object;

/* Control's own counters about the rings (kept by control/punt.c). */
struct report_ctl_counters {
	uint64_t punt_received;
	uint64_t punt_udp;
	uint64_t tx_stamps;
	uint64_t inject_sent;
	uint64_t inject_ring_full;
};

/* Fill obj with serverstats from the stats block, summing all workers;
 * n_ports ports are listed. */
void report_serverstats(struct json_object *obj, const struct lt_stats_block *st,
			const struct lt_ports_block *ports, const struct report_ctl_counters *cc);

/* One counter (an enum lt_ctr) summed over every worker and port. */
uint64_t report_counter_total(const struct lt_stats_block *st, unsigned int id);

/* Fill obj with the ports table from the ports block. */
void report_ports(struct json_object *obj, const struct lt_ports_block *ports);

#endif
