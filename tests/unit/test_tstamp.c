/* Tests for tstamp: RX source selection (NIC vs TSC, with synthetic NIC
 * timestamps), latency compensation, holdover expiry. */
#include <math.h>
#include <string.h>

#include "clockmap.h"
#include "ntp_packet.h"
#include "suites.h"
#include "tstamp.h"

static struct lt_clock_snapshot snap;

static void setup(void)
{
	memset(&snap, 0, sizeof(snap));
	snap.tsc = (struct lt_clock_map){.base_counter = 1000000,
					 .base_ntp = (ntp_ts_t)3960000000ULL << 32,
					 .mult = clockmap_mult_from_hz(1e9),
					 .valid = 1};
	/* Port 2's NIC clock reads 1e12 ns at the same instant as TSC 1000000. */
	snap.nic[2] = (struct lt_clock_map){.base_counter = 1000000000000ULL,
					    .base_ntp = (ntp_ts_t)3960000000ULL << 32,
					    .mult = clockmap_mult_from_hz(1e9),
					    .valid = 1};
	snap.p.leap = NTP_LEAP_NONE;
	snap.p.stratum = 3;
	snap.p.precision = -24;
	snap.p.refid = 0xc6120001;
	snap.p.root_delay = 0x123;
	snap.p.root_dispersion = 0x456;
	snap.p.holdover_deadline_tsc = 5000000;
}

static double secs_after_base(ntp_ts_t t)
{
	return ntp_interval_to_double(ntp_ts_diff(t, snap.tsc.base_ntp));
}

START_TEST(rx_uses_nic_when_available)
{
	struct tstamp_port tp = {.use_nic = 1};
	uint8_t src;
	/* The frame arrived at NIC time base + 250 us; the burst was read
	 * 40 us later by TSC. The NIC time wins. */
	ntp_ts_t t = tstamp_rx(&snap, 2, &tp, 1, 1000000000000ULL + 250000, 1000000 + 290000, &src);
	ck_assert_uint_eq(src, LT_TS_SRC_NIC);
	ck_assert(fabs(secs_after_base(t) - 250e-6) < 1e-9);
}
END_TEST

START_TEST(rx_falls_back_to_tsc)
{
	struct tstamp_port tp = {.use_nic = 1};
	uint8_t src;

	/* No timestamp in the mbuf. */
	ntp_ts_t t = tstamp_rx(&snap, 2, &tp, 0, 0, 1000000 + 290000, &src);
	ck_assert_uint_eq(src, LT_TS_SRC_TSC);
	ck_assert(fabs(secs_after_base(t) - 290e-6) < 1e-9);
	/* A port whose NIC map control has not published yet. */
	t = tstamp_rx(&snap, 1, &tp, 1, 12345, 1000000 + 10000, &src);
	ck_assert_uint_eq(src, LT_TS_SRC_TSC);
	/* Offload disabled on the port. */
	tp.use_nic = 0;
	tstamp_rx(&snap, 2, &tp, 1, 1000000000000ULL, 1000000, &src);
	ck_assert_uint_eq(src, LT_TS_SRC_TSC);
	/* Port index out of range never reads past the maps. */
	tp.use_nic = 1;
	tstamp_rx(&snap, LT_MAX_PORTS + 3, &tp, 1, 1, 1000000, &src);
	ck_assert_uint_eq(src, LT_TS_SRC_TSC);
}
END_TEST

START_TEST(rx_latency_compensation)
{
	/* igc at 2.5 Gb/s: 1485 ns from the wire to the timestamp point. */
	struct tstamp_port tp = {.use_nic = 1, .rx_comp_ns = 1485};
	uint8_t src;
	ntp_ts_t t = tstamp_rx(&snap, 2, &tp, 1, 1000000000000ULL + 100000, 0, &src);
	ck_assert(fabs(secs_after_base(t) - (100e-6 - 1485e-9)) < 2e-9);
}
END_TEST

/* A departure is the anchored reading (before or after tx_burst) through
 * the TSC map, plus the port's correction, which may be negative. */
START_TEST(departure_anchor_and_correction)
{
	struct tstamp_port after = {.tx_comp_ns = 0};
	struct tstamp_port before = {.tx_before = 1, .tx_comp_ns = 2500};
	struct tstamp_port early = {.tx_comp_ns = -4000};

	/* tx_burst called at TSC base + 10 us, returned 30 us later. */
	ck_assert(fabs(secs_after_base(tstamp_sent(&snap, &after, 1010000, 1040000)) - 40e-6) < 1e-9);
	ck_assert(fabs(secs_after_base(tstamp_sent(&snap, &before, 1010000, 1040000)) - 12.5e-6) < 1e-9);
	ck_assert(fabs(secs_after_base(tstamp_sent(&snap, &early, 1010000, 1040000)) - 36e-6) < 1e-9);
	ck_assert(fabs(secs_after_base(tstamp_sent(&snap, NULL, 1010000, 1040000)) - 40e-6) < 1e-9);
}
END_TEST

START_TEST(server_params_synchronised_then_holdover)
{
	struct ntp_server_params s;

	tstamp_server_params(&snap, 4999999, &s);
	ck_assert_uint_eq(s.leap, NTP_LEAP_NONE);
	ck_assert_uint_eq(s.stratum, 3);
	ck_assert_int_eq(s.precision, -24);
	ck_assert_uint_eq(s.refid, 0xc6120001);
	ck_assert_uint_eq(s.root_delay, 0x123);
	ck_assert_uint_eq(s.root_dispersion, 0x456);
	/* Control stopped publishing: past the deadline replies say unsynchronised. */
	tstamp_server_params(&snap, 5000001, &s);
	ck_assert_uint_eq(s.leap, NTP_LEAP_UNSYNC);
	ck_assert_uint_eq(s.stratum, NTP_STRATUM_UNSYNC);
	/* Nothing published yet. */
	memset(&snap, 0, sizeof(snap));
	tstamp_server_params(&snap, 0, &s);
	ck_assert_uint_eq(s.leap, NTP_LEAP_UNSYNC);
	ck_assert_uint_eq(s.stratum, NTP_STRATUM_UNSYNC);
}
END_TEST

START_TEST(tx_after_rx)
{
	ntp_ts_t rx = tstamp_tx(&snap, 2000000), tx = tstamp_tx(&snap, 2000100);
	ck_assert(ntp_ts_diff(tx, rx) > 0);
	ck_assert(fabs(ntp_interval_to_double(ntp_ts_diff(tx, rx)) - 100e-9) < 1e-9);
}
END_TEST

Suite *tstamp_suite(void)
{
	Suite *s = suite_create("tstamp");
	TCase *tc = tcase_create("select");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, rx_uses_nic_when_available);
	tcase_add_test(tc, rx_falls_back_to_tsc);
	tcase_add_test(tc, rx_latency_compensation);
	tcase_add_test(tc, departure_anchor_and_correction);
	tcase_add_test(tc, server_params_synchronised_then_holdover);
	tcase_add_test(tc, tx_after_rx);
	suite_add_tcase(s, tc);
	return s;
}
