/*
 * report: serverstats and ports as JSON, read from the shared region.
 *
 * The ports block is copied whole under its seqlock, so one report never
 * mixes two publications of the port table. Stats counters have one writer
 * each (a worker lcore) and are only ever incremented, so each is read with
 * a relaxed atomic load: a report may be a few packets stale between two
 * counters, but no single value is ever torn.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "counters.h"
#include "report.h"
#include "seqlock.h"
#include "shm.h"

_Static_assert(sizeof(struct lt_ports_block) % 8 == 0, "seqlock_copy copies 8-byte words");
_Static_assert(_Alignof(struct lt_ports_block) >= 8, "seqlock_copy needs 8-byte alignment");

static const char *const ts_source_names[] = {
	[LT_TS_SRC_NONE] = "none",
	[LT_TS_SRC_TSC] = "tsc",
	[LT_TS_SRC_NIC] = "nic",
};

static const char *ts_source_name(uint8_t src)
{
	if (src < sizeof(ts_source_names) / sizeof(ts_source_names[0]))
		return ts_source_names[src];
	return "unknown";
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* The region's fixed-size strings need not be NUL-terminated. */
static void add_fixed_str(struct json_object *obj, const char *key, const char *s, size_t size)
{
	json_object_object_add(obj, key, json_object_new_string_len(s, (int)strnlen(s, size)));
}

static void add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

static int is_kind(unsigned int id, const char *kind)
{
	const char *k = counters_kind(id);
	return k && strcmp(k, kind) == 0;
}

uint64_t report_counter_total(const struct lt_stats_block *st, unsigned int id)
{
	uint64_t sum = 0;

	if (!st || id >= LT_CTR_MAX)
		return 0;
	for (unsigned int w = 0; w < LT_MAX_WORKERS; w++)
		for (unsigned int p = 0; p < LT_MAX_PORTS; p++)
			sum += load(&st->w[w].ctr[p][id]);
	return sum;
}

void report_serverstats(struct json_object *obj, const struct lt_stats_block *st,
			const struct lt_ports_block *ports, const struct report_ctl_counters *cc)
{
	static const struct lt_ports_block no_ports;
	static const struct report_ctl_counters no_cc;
	struct lt_ports_block pb;
	uint64_t total[LT_CTR_MAX] = { 0 };
	uint64_t per_port[LT_MAX_PORTS][LT_CTR_MAX] = { { 0 } };
	uint64_t drops = 0, replies = 0;
	struct json_object *counters, *jports, *workers, *ctl;

	shm_ports_read(ports ? ports : &no_ports, &pb);
	if (!cc)
		cc = &no_cc;

	/*
	 * Totals run over every worker slot, not only the n_workers now
	 * running: after a dataplane restart with fewer workers the old
	 * slots still hold packets that were counted, and totals must not
	 * go backwards.
	 */
	if (st) {
		for (unsigned int w = 0; w < LT_MAX_WORKERS; w++)
			for (unsigned int p = 0; p < LT_MAX_PORTS; p++)
				for (unsigned int c = 0; c < LT_CTR_MAX; c++)
					per_port[p][c] += load(&st->w[w].ctr[p][c]);
	}
	for (unsigned int p = 0; p < LT_MAX_PORTS; p++)
		for (unsigned int c = 0; c < LT_CTR_MAX; c++)
			total[c] += per_port[p][c];

	counters = json_object_new_object();
	for (unsigned int c = 0; c < LT_CTR_MAX; c++) {
		add_u64(counters, counters_name(c), total[c]);
		if (is_kind(c, "drop"))
			drops += total[c];
		/* Injected frames are control's own packets, not answers to anyone. */
		else if (is_kind(c, "tx") && c != LT_CTR_injected)
			replies += total[c];
	}
	json_object_object_add(obj, "counters", counters);
	add_u64(obj, "drops_total", drops);
	add_u64(obj, "replies_total", replies);

	jports = json_object_new_array();
	for (unsigned int p = 0; p < pb.n_ports; p++) {
		struct json_object *jp = json_object_new_object();
		struct json_object *jc = json_object_new_object();

		json_object_object_add(jp, "index", json_object_new_int((int)p));
		add_fixed_str(jp, "name", pb.port[p].name, sizeof(pb.port[p].name));
		for (unsigned int c = 0; c < LT_CTR_MAX; c++)
			if (per_port[p][c])
				add_u64(jc, counters_name(c), per_port[p][c]);
		json_object_object_add(jp, "counters", jc);
		json_object_array_add(jports, jp);
	}
	json_object_object_add(obj, "ports", jports);

	workers = json_object_new_array();
	for (unsigned int w = 0; st && w < pb.n_workers; w++) {
		struct json_object *jw = json_object_new_object();
		uint64_t rx = 0;

		for (unsigned int p = 0; p < LT_MAX_PORTS; p++)
			rx += load(&st->w[w].ctr[p][LT_CTR_rx_frames]);
		json_object_object_add(jw, "index", json_object_new_int((int)w));
		add_u64(jw, "polls", load(&st->w[w].polls));
		add_u64(jw, "busy_polls", load(&st->w[w].busy_polls));
		add_u64(jw, "rx_frames", rx);
		json_object_array_add(workers, jw);
	}
	json_object_object_add(obj, "workers", workers);

	ctl = json_object_new_object();
	add_u64(ctl, "punt_received", cc->punt_received);
	add_u64(ctl, "punt_udp", cc->punt_udp);
	add_u64(ctl, "tx_stamps", cc->tx_stamps);
	add_u64(ctl, "inject_sent", cc->inject_sent);
	add_u64(ctl, "inject_ring_full", cc->inject_ring_full);
	json_object_object_add(obj, "control", ctl);
}

static void format_mac(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

void report_ports(struct json_object *obj, const struct lt_ports_block *ports)
{
	static const struct lt_ports_block no_ports;
	struct lt_ports_block pb;
	struct json_object *arr;
	char mac[18];

	shm_ports_read(ports ? ports : &no_ports, &pb);
	arr = json_object_new_array();
	for (unsigned int p = 0; p < pb.n_ports; p++) {
		const struct lt_port_info *pi = &pb.port[p];
		struct json_object *jp = json_object_new_object();

		json_object_object_add(jp, "index", json_object_new_int((int)p));
		add_fixed_str(jp, "name", pi->name, sizeof(pi->name));
		add_fixed_str(jp, "device", pi->device, sizeof(pi->device));
		add_fixed_str(jp, "driver", pi->driver, sizeof(pi->driver));
		format_mac(pi->mac, mac, sizeof(mac));
		json_object_object_add(jp, "mac", json_object_new_string(mac));
		json_object_object_add(jp, "link_up", json_object_new_boolean(pi->link_up != 0));
		add_u64(jp, "speed_mbps", pi->link_speed);
		add_u64(jp, "rx_queues", pi->rx_queues);
		add_u64(jp, "tx_queues", pi->tx_queues);
		json_object_object_add(jp, "timestamping",
				       json_object_new_string(ts_source_name(pi->ts_source)));
		json_object_object_add(jp, "tx_timestamping",
				       json_object_new_string(ts_source_name(pi->tx_ts_source)));
		json_object_object_add(jp, "tx_departure",
				       json_object_new_string(pi->tx_before ? "before_burst" : "after_burst"));
		json_object_object_add(jp, "tx_correction_ns", json_object_new_int(pi->tx_comp_ns));
		json_object_object_add(jp, "rx_checksum_offload",
				       json_object_new_boolean(pi->rx_csum_offload != 0));
		add_u64(jp, "ipackets", pi->ipackets);
		add_u64(jp, "opackets", pi->opackets);
		add_u64(jp, "ibytes", pi->ibytes);
		add_u64(jp, "obytes", pi->obytes);
		add_u64(jp, "imissed", pi->imissed);
		add_u64(jp, "ierrors", pi->ierrors);
		add_u64(jp, "oerrors", pi->oerrors);
		add_u64(jp, "rx_nombuf", pi->rx_nombuf);
		json_object_array_add(arr, jp);
	}
	json_object_object_add(obj, "ports", arr);
}
