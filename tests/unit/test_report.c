/* Check suite for control/report.c: JSON from synthetic stats and ports blocks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "counters.h"
#include "report.h"
#include "shm.h"
#include "suites.h"

static struct lt_stats_block *st;
static struct lt_ports_block *pb;

/*
 * Zeroed like calloc, but aligned as the region's blocks are
 * (cache-line aligned structs; calloc only promises 16 bytes, which
 * UBSan's alignment check rightly rejects).
 */
static void *zalloc_aligned(size_t size)
{
	size_t rounded = (size + LT_CACHE_LINE - 1) / LT_CACHE_LINE * LT_CACHE_LINE;
	void *p = aligned_alloc(LT_CACHE_LINE, rounded);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, rounded);
	return p;
}

static void set_port(unsigned int i, const char *name)
{
	struct lt_port_info *p = &pb->port[i];

	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->device, sizeof(p->device), "0000:0%u:00.0", i + 1);
	snprintf(p->driver, sizeof(p->driver), "net_igc");
}

static void setup(void)
{
	st = zalloc_aligned(sizeof(*st));
	pb = zalloc_aligned(sizeof(*pb));
	pb->n_ports = 2;
	pb->n_workers = 3;
	set_port(0, "lan0");
	set_port(1, "lan1");

	/* Three workers, each on both ports; worker w port p sees (w+1)*(p+1)*100 frames. */
	for (unsigned int w = 0; w < 3; w++) {
		st->w[w].polls = 1000 * (w + 1);
		st->w[w].busy_polls = 10 * (w + 1);
		for (unsigned int p = 0; p < 2; p++) {
			uint64_t rx = (w + 1) * (p + 1) * 100;

			st->w[w].ctr[p][LT_CTR_rx_frames] = rx;
			st->w[w].ctr[p][LT_CTR_ntp_replies] = rx - 10;
			st->w[w].ctr[p][LT_CTR_drop_udp_port] = 10;
		}
	}
	/* Counters only one port or one worker has. */
	st->w[1].ctr[1][LT_CTR_drop_ipv4_csum] = 7;
	st->w[2].ctr[0][LT_CTR_arp_replies] = 3;
	st->w[0].ctr[0][LT_CTR_injected] = 4;
	st->w[0].ctr[1][LT_CTR_icmp_echo_replies] = 2;
}

static void teardown(void)
{
	free(st);
	free(pb);
}

static uint64_t u64(struct json_object *obj, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(obj, key, &v), "missing key %s", key);
	ck_assert_msg(json_object_is_type(v, json_type_int), "%s is not an integer", key);
	return json_object_get_uint64(v);
}

static struct json_object *member(struct json_object *obj, const char *key, enum json_type type)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(obj, key, &v), "missing key %s", key);
	ck_assert_msg(json_object_is_type(v, type), "%s has the wrong type", key);
	return v;
}

START_TEST(test_serverstats_totals)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *ctr;

	report_serverstats(obj, st, pb, NULL);
	ctr = member(obj, "counters", json_type_object);
	/* Every counter is listed, zero or not. */
	ck_assert_int_eq(json_object_object_length(ctr), LT_CTR_MAX);
	for (unsigned int i = 0; i < LT_CTR_MAX; i++)
		(void)u64(ctr, counters_name(i));
	/* rx: sum over w=1..3, p=1..2 of w*p*100 = 6 * 3 * 100 */
	ck_assert_uint_eq(u64(ctr, "rx_frames"), 1800);
	ck_assert_uint_eq(u64(ctr, "ntp_replies"), 1800 - 60);
	ck_assert_uint_eq(u64(ctr, "drop_udp_port"), 60);
	ck_assert_uint_eq(u64(ctr, "drop_ipv4_csum"), 7);
	ck_assert_uint_eq(u64(ctr, "arp_replies"), 3);
	ck_assert_uint_eq(u64(ctr, "drop_runt"), 0);
	ck_assert_uint_eq(u64(obj, "drops_total"), 67);
	/* Replies are what the dataplane answered itself: NTP, ARP, ICMP; not injections. */
	ck_assert_uint_eq(u64(obj, "replies_total"), 1740 + 3 + 2);
	json_object_put(obj);
}
END_TEST

START_TEST(test_serverstats_ports)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *ports, *p0, *p1, *c0, *c1;

	report_serverstats(obj, st, pb, NULL);
	ports = member(obj, "ports", json_type_array);
	ck_assert_uint_eq(json_object_array_length(ports), 2);
	p0 = json_object_array_get_idx(ports, 0);
	p1 = json_object_array_get_idx(ports, 1);
	ck_assert_uint_eq(u64(p0, "index"), 0);
	ck_assert_str_eq(json_object_get_string(member(p0, "name", json_type_string)), "lan0");
	ck_assert_uint_eq(u64(p1, "index"), 1);
	ck_assert_str_eq(json_object_get_string(member(p1, "name", json_type_string)), "lan1");

	c0 = member(p0, "counters", json_type_object);
	c1 = member(p1, "counters", json_type_object);
	ck_assert_uint_eq(u64(c0, "rx_frames"), 600);
	ck_assert_uint_eq(u64(c1, "rx_frames"), 1200);
	ck_assert_uint_eq(u64(c0, "arp_replies"), 3);
	ck_assert_uint_eq(u64(c0, "injected"), 4);
	ck_assert_uint_eq(u64(c1, "drop_ipv4_csum"), 7);
	ck_assert_uint_eq(u64(c1, "icmp_echo_replies"), 2);
	/* Nonzero counters only. */
	ck_assert(!json_object_object_get_ex(c0, "drop_ipv4_csum", NULL));
	ck_assert(!json_object_object_get_ex(c1, "arp_replies", NULL));
	ck_assert(!json_object_object_get_ex(c0, "drop_runt", NULL));
	ck_assert_int_eq(json_object_object_length(c0), 5);
	ck_assert_int_eq(json_object_object_length(c1), 5);
	json_object_put(obj);
}
END_TEST

START_TEST(test_serverstats_workers_and_control)
{
	struct report_ctl_counters cc = { .punt_received = 11, .punt_udp = 9, .tx_stamps = 5,
					  .inject_sent = 4, .inject_ring_full = 1 };
	struct json_object *obj = json_object_new_object();
	struct json_object *workers, *ctl;

	report_serverstats(obj, st, pb, &cc);
	workers = member(obj, "workers", json_type_array);
	ck_assert_uint_eq(json_object_array_length(workers), 3);
	for (unsigned int w = 0; w < 3; w++) {
		struct json_object *jw = json_object_array_get_idx(workers, w);

		ck_assert_uint_eq(u64(jw, "index"), w);
		ck_assert_uint_eq(u64(jw, "polls"), 1000 * (w + 1));
		ck_assert_uint_eq(u64(jw, "busy_polls"), 10 * (w + 1));
		ck_assert_uint_eq(u64(jw, "rx_frames"), (w + 1) * 300);
	}
	ctl = member(obj, "control", json_type_object);
	ck_assert_uint_eq(u64(ctl, "punt_received"), 11);
	ck_assert_uint_eq(u64(ctl, "punt_udp"), 9);
	ck_assert_uint_eq(u64(ctl, "tx_stamps"), 5);
	ck_assert_uint_eq(u64(ctl, "inject_sent"), 4);
	ck_assert_uint_eq(u64(ctl, "inject_ring_full"), 1);
	json_object_put(obj);
}
END_TEST

/* Totals never go backwards: a slot left by a worker that no longer runs still counts. */
START_TEST(test_serverstats_stale_worker_slot)
{
	struct json_object *obj = json_object_new_object();

	st->w[LT_MAX_WORKERS - 1].ctr[0][LT_CTR_rx_frames] = 5;
	st->w[LT_MAX_WORKERS - 1].ctr[0][LT_CTR_drop_runt] = 5;
	report_serverstats(obj, st, pb, NULL);
	ck_assert_uint_eq(u64(member(obj, "counters", json_type_object), "rx_frames"), 1805);
	ck_assert_uint_eq(u64(obj, "drops_total"), 72);
	ck_assert_uint_eq(json_object_array_length(member(obj, "workers", json_type_array)), 3);
	json_object_put(obj);
}
END_TEST

START_TEST(test_serverstats_large_values)
{
	struct json_object *obj = json_object_new_object();

	memset(st, 0, sizeof(*st));
	st->w[0].ctr[0][LT_CTR_rx_frames] = UINT64_C(1) << 63;
	st->w[1].ctr[0][LT_CTR_rx_frames] = 12345;
	st->w[0].polls = UINT64_MAX;
	report_serverstats(obj, st, pb, NULL);
	ck_assert_uint_eq(u64(member(obj, "counters", json_type_object), "rx_frames"),
			  (UINT64_C(1) << 63) + 12345);
	ck_assert_uint_eq(u64(json_object_array_get_idx(member(obj, "workers", json_type_array), 0),
			      "polls"),
			  UINT64_MAX);
	json_object_put(obj);
}
END_TEST

START_TEST(test_serverstats_empty)
{
	struct json_object *obj = json_object_new_object();

	/* No dataplane yet: every key is there, with zeros and empty lists. */
	report_serverstats(obj, NULL, NULL, NULL);
	ck_assert_int_eq(json_object_object_length(member(obj, "counters", json_type_object)),
			 LT_CTR_MAX);
	ck_assert_uint_eq(u64(obj, "drops_total"), 0);
	ck_assert_uint_eq(u64(obj, "replies_total"), 0);
	ck_assert_uint_eq(json_object_array_length(member(obj, "ports", json_type_array)), 0);
	ck_assert_uint_eq(json_object_array_length(member(obj, "workers", json_type_array)), 0);
	ck_assert_uint_eq(u64(member(obj, "control", json_type_object), "punt_received"), 0);
	json_object_put(obj);
}
END_TEST

START_TEST(test_ports_fields)
{
	static const uint8_t mac[6] = { 0x02, 0xab, 0x00, 0x10, 0xff, 0x01 };
	struct lt_port_info *p = &pb->port[0];
	struct json_object *obj = json_object_new_object();
	struct json_object *ports, *jp;

	memcpy(p->mac, mac, sizeof(mac));
	p->link_up = 1;
	p->ts_source = LT_TS_SRC_NIC;
	p->link_speed = 2500;
	p->rx_queues = 2;
	p->tx_queues = 3;
	p->ipackets = 1001;
	p->opackets = 1002;
	p->ibytes = 1003;
	p->obytes = 1004;
	p->imissed = 1005;
	p->ierrors = 1006;
	p->oerrors = 1007;
	p->rx_nombuf = 1008;
	pb->port[1].ts_source = LT_TS_SRC_TSC;
	pb->lock.seq = 42; /* any even value: a completed publication */

	report_ports(obj, pb);
	ports = member(obj, "ports", json_type_array);
	ck_assert_uint_eq(json_object_array_length(ports), 2);
	jp = json_object_array_get_idx(ports, 0);
	ck_assert_uint_eq(u64(jp, "index"), 0);
	ck_assert_str_eq(json_object_get_string(member(jp, "name", json_type_string)), "lan0");
	ck_assert_str_eq(json_object_get_string(member(jp, "device", json_type_string)),
			 "0000:01:00.0");
	ck_assert_str_eq(json_object_get_string(member(jp, "driver", json_type_string)), "net_igc");
	ck_assert_str_eq(json_object_get_string(member(jp, "mac", json_type_string)),
			 "02:ab:00:10:ff:01");
	ck_assert(json_object_get_boolean(member(jp, "link_up", json_type_boolean)));
	ck_assert_uint_eq(u64(jp, "speed_mbps"), 2500);
	ck_assert_uint_eq(u64(jp, "rx_queues"), 2);
	ck_assert_uint_eq(u64(jp, "tx_queues"), 3);
	ck_assert_str_eq(json_object_get_string(member(jp, "timestamping", json_type_string)), "nic");
	ck_assert_uint_eq(u64(jp, "ipackets"), 1001);
	ck_assert_uint_eq(u64(jp, "opackets"), 1002);
	ck_assert_uint_eq(u64(jp, "ibytes"), 1003);
	ck_assert_uint_eq(u64(jp, "obytes"), 1004);
	ck_assert_uint_eq(u64(jp, "imissed"), 1005);
	ck_assert_uint_eq(u64(jp, "ierrors"), 1006);
	ck_assert_uint_eq(u64(jp, "oerrors"), 1007);
	ck_assert_uint_eq(u64(jp, "rx_nombuf"), 1008);

	jp = json_object_array_get_idx(ports, 1);
	ck_assert_str_eq(json_object_get_string(member(jp, "name", json_type_string)), "lan1");
	ck_assert(!json_object_get_boolean(member(jp, "link_up", json_type_boolean)));
	ck_assert_str_eq(json_object_get_string(member(jp, "timestamping", json_type_string)), "tsc");
	ck_assert_str_eq(json_object_get_string(member(jp, "mac", json_type_string)),
			 "00:00:00:00:00:00");
	json_object_put(obj);
}
END_TEST

START_TEST(test_ports_ts_source_names)
{
	static const struct {
		uint8_t src;
		const char *name;
	} cases[] = { { LT_TS_SRC_NONE, "none" }, { LT_TS_SRC_TSC, "tsc" }, { LT_TS_SRC_NIC, "nic" },
		      { 9, "unknown" } };

	pb->n_ports = 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_object *obj = json_object_new_object();
		struct json_object *jp;

		pb->port[0].ts_source = cases[i].src;
		report_ports(obj, pb);
		jp = json_object_array_get_idx(member(obj, "ports", json_type_array), 0);
		ck_assert_str_eq(json_object_get_string(member(jp, "timestamping", json_type_string)),
				 cases[i].name);
		json_object_put(obj);
	}
}
END_TEST

/* The region's strings are fixed arrays written by another process: an
 * unterminated one must be cut at its array, and a bogus port count clamped. */
START_TEST(test_ports_hostile_block)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *ports, *name;

	memset(pb->port[0].name, 'x', sizeof(pb->port[0].name));
	memset(pb->port[0].device, 'd', sizeof(pb->port[0].device));
	pb->n_ports = 1000;
	pb->n_workers = 1000;

	report_ports(obj, pb);
	ports = member(obj, "ports", json_type_array);
	ck_assert_uint_eq(json_object_array_length(ports), LT_MAX_PORTS);
	name = member(json_object_array_get_idx(ports, 0), "name", json_type_string);
	ck_assert_int_eq(json_object_get_string_len(name), (int)sizeof(pb->port[0].name));
	ck_assert_int_eq(json_object_get_string_len(member(json_object_array_get_idx(ports, 0), "device",
							   json_type_string)),
			 (int)sizeof(pb->port[0].device));
	json_object_put(obj);

	obj = json_object_new_object();
	report_serverstats(obj, st, pb, NULL);
	ck_assert_uint_eq(json_object_array_length(member(obj, "ports", json_type_array)),
			  LT_MAX_PORTS);
	ck_assert_uint_eq(json_object_array_length(member(obj, "workers", json_type_array)),
			  LT_MAX_WORKERS);
	json_object_put(obj);
}
END_TEST

START_TEST(test_ports_empty)
{
	struct json_object *obj = json_object_new_object();

	report_ports(obj, NULL);
	ck_assert_uint_eq(json_object_array_length(member(obj, "ports", json_type_array)), 0);
	json_object_put(obj);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("serverstats");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_serverstats_totals);
	tcase_add_test(tc, test_serverstats_ports);
	tcase_add_test(tc, test_serverstats_workers_and_control);
	tcase_add_test(tc, test_serverstats_stale_worker_slot);
	tcase_add_test(tc, test_serverstats_large_values);
	tcase_add_test(tc, test_serverstats_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("ports");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ports_fields);
	tcase_add_test(tc, test_ports_ts_source_names);
	tcase_add_test(tc, test_ports_hostile_block);
	tcase_add_test(tc, test_ports_empty);
	suite_add_tcase(s, tc);
	return s;
}
