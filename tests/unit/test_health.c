/* Check suite for control/health.c: the monitoring verdict from made-up
 * states of the dataplane, the clock, the links and signd. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "ntp_packet.h"
#include "suites.h"

static struct lt_clock_snapshot clk;
static struct lt_ports_block ports;
static struct signd_stats sg;

/* A healthy appliance: dataplane up, stratum 2, two links up, signd connected. */
static struct health_inputs healthy(void)
{
	memset(&clk, 0, sizeof(clk));
	clk.tsc.valid = 1;
	clk.p.stratum = 2;
	clk.p.leap = NTP_LEAP_NONE;
	clk.p.holdover_deadline_tsc = 2000;
	memset(&ports, 0, sizeof(ports));
	ports.n_ports = 2;
	strcpy(ports.port[0].name, "lan0");
	strcpy(ports.port[1].name, "lan1");
	ports.port[0].link_up = ports.port[1].link_up = 1;
	memset(&sg, 0, sizeof(sg));
	sg.state = SIGND_STATE_CONNECTED;
	sg.state_since_ns = 1000;
	return (struct health_inputs){.dp_alive = 1, .clock = &clk, .now_tsc = 1000,
				      .ports = &ports, .signd_enabled = 1, .signd = &sg,
				      .now_ns = 100000000000ULL};
}

/* Run the report; return the code and copy the summary. */
static int verdict(const struct health_inputs *in, char *summary, size_t len)
{
	struct json_object *d = json_object_new_object(), *v;
	int code = (int)health_report(in, d);

	ck_assert(json_object_object_get_ex(d, "code", &v));
	ck_assert_int_eq(json_object_get_int(v), code);
	ck_assert(json_object_object_get_ex(d, "status", &v));
	ck_assert_str_eq(json_object_get_string(v), health_state_name((enum health_state)code));
	ck_assert(json_object_object_get_ex(d, "checks", &v));
	ck_assert_int_ge((int)json_object_array_length(v), 3);
	ck_assert(json_object_object_get_ex(d, "summary", &v));
	snprintf(summary, len, "%s", json_object_get_string(v));
	json_object_put(d);
	return code;
}

START_TEST(test_ok)
{
	struct health_inputs in = healthy();
	char sum[256];

	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "4 checks passed");
	in.signd_enabled = 0; /* signd not configured: not checked */
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "3 checks passed");
}
END_TEST

START_TEST(test_dataplane_down)
{
	struct health_inputs in = healthy();
	char sum[256];

	in.dp_alive = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "dataplane: not responding"));
}
END_TEST

START_TEST(test_clock)
{
	struct health_inputs in = healthy();
	char sum[256];

	in.now_tsc = 3000; /* past the holdover deadline */
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "holdover expired"));
	in = healthy();
	clk.p.leap = NTP_LEAP_UNSYNC;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "unsynchronised"));
	in = healthy();
	clk.tsc.valid = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "no clock published"));
}
END_TEST

START_TEST(test_links)
{
	struct health_inputs in = healthy();
	char sum[256];

	ports.port[1].link_up = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_str_eq(sum, "ports: link down: lan1 (1 of 2 up)");
	ports.port[0].link_up = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_str_eq(sum, "ports: every link is down: lan0, lan1");
}
END_TEST

START_TEST(test_signd)
{
	struct health_inputs in = healthy();
	char sum[256];

	/* just lost: a Samba restart in progress is a WARNING... */
	sg.state = SIGND_STATE_REFUSED;
	sg.state_since_ns = in.now_ns - 1000000000ULL;
	strcpy(sg.last_error, "connect: Connection refused");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_ptr_nonnull(strstr(sum, "signd: refused for 1 s, connect: Connection refused"));
	/* ...that lasts past the grace is CRITICAL */
	sg.state_since_ns = in.now_ns - HEALTH_SIGND_GRACE_NS - 1;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	sg.state = SIGND_STATE_MISSING_DIRECTORY;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "missing_directory"));
	/* the worst problem is the summary: the dataplane outranks signd */
	in.dp_alive = 0;
	ports.port[0].link_up = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "dataplane"));
}
END_TEST

START_TEST(test_upstream)
{
	struct health_inputs in = healthy();
	char sum[256];

	in.upstream_configured = 1;
	in.upstream_mode = "upstream";
	in.upstream_reference = "198.18.0.11";
	in.upstream_stratum = 2;
	in.uptime_s = 3600;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	/* sources lost: holdover is served, degraded */
	in.upstream_mode = "holdover";
	in.upstream_distance = 0.0123;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_ptr_nonnull(strstr(sum, "holdover, root distance 0.012300 s"));
	/* past local.distance: the local clock, CRITICAL for a server with upstreams */
	in.upstream_mode = "local";
	in.upstream_stratum = 10;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);
	ck_assert_ptr_nonnull(strstr(sum, "not synchronised: serving the local clock at stratum 10"));
	/* ...but only a WARNING while it is still starting */
	in.uptime_s = HEALTH_SYNC_GRACE_S - 1;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	/* no upstream configured: no such check */
	in.upstream_configured = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
}
END_TEST

Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("verdict");

	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_dataplane_down);
	tcase_add_test(tc, test_clock);
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_signd);
	tcase_add_test(tc, test_upstream);
	suite_add_tcase(s, tc);
	return s;
}
