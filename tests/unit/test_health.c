/* Check suite for control/health.c: the monitoring verdict from made-up
 * states of the dataplane, the clock, the links and signd. */
#include <check.h>
#include <errno.h>
#include <math.h>
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

	/* dataplane, clock, ports, rings, signd */
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "5 checks passed");
	in.signd_enabled = 0; /* signd not configured: not checked */
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "4 checks passed");
	/* enabled but no stats to read: not checked either */
	in.signd_enabled = 1;
	in.signd = NULL;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "4 checks passed");
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
	in.upstream_offset = 0.0002;
	in.good_sources = 2;
	in.uptime_s = 3600;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	/* ... plus upstream, sources and offset */
	ck_assert_str_eq(sum, "8 checks passed");
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

/* ---- thresholds ------------------------------------------------------------ */

/* The full report of in; json_object_put() it. */
static struct json_object *report(const struct health_inputs *in)
{
	struct json_object *d = json_object_new_object();

	health_report(in, d);
	return d;
}

/* The check called name in d, or NULL. */
static struct json_object *find_check(struct json_object *d, const char *name)
{
	struct json_object *checks, *c, *v;

	ck_assert(json_object_object_get_ex(d, "checks", &checks));
	for (size_t i = 0; i < json_object_array_length(checks); i++) {
		c = json_object_array_get_idx(checks, i);
		ck_assert(json_object_object_get_ex(c, "name", &v));
		if (strcmp(json_object_get_string(v), name) == 0)
			return c;
	}
	return NULL;
}

static const char *field(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_ptr_nonnull(o);
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

/* Status of check name ("" when there is no such check) and its message. */
static void check_state(const struct health_inputs *in, const char *name, char *status, size_t slen,
			char *msg, size_t mlen)
{
	struct json_object *d = report(in), *c = find_check(d, name);

	snprintf(status, slen, "%s", c ? field(c, "status") : "");
	if (msg)
		snprintf(msg, mlen, "%s", c ? field(c, "message") : "");
	json_object_put(d);
}

#define ASSERT_CHECK(in, name, want)                                                  \
	do {                                                                          \
		char st_[16];                                                         \
		check_state(in, name, st_, sizeof(st_), NULL, 0);                     \
		ck_assert_msg(strcmp(st_, want) == 0, "%s: %s, want %s (line %d)",    \
			      name, st_[0] ? st_ : "(absent)", want[0] ? want : "(absent)", \
			      __LINE__);                                              \
	} while (0)

/* The perfdata item with this label, or NULL. */
static struct json_object *find_perf(struct json_object *d, const char *label)
{
	struct json_object *pd, *p, *v;

	ck_assert(json_object_object_get_ex(d, "perfdata", &pd));
	for (size_t i = 0; i < json_object_array_length(pd); i++) {
		p = json_object_array_get_idx(pd, i);
		ck_assert(json_object_object_get_ex(p, "label", &v));
		if (strcmp(json_object_get_string(v), label) == 0)
			return p;
	}
	return NULL;
}

/* One perfdata item as Nagios would print it: label=value;warn;crit;min;max uom. */
static void perf_line(struct json_object *d, const char *label, char *out, size_t len)
{
	struct json_object *p = find_perf(d, label), *v;

	ck_assert_msg(p != NULL, "no perfdata %s", label);
	ck_assert(json_object_object_get_ex(p, "value", &v));
	snprintf(out, len, "%s=%.9g;%s;%s;%s;%s %s", label, json_object_get_double(v), field(p, "warn"),
		 field(p, "crit"), field(p, "min"), field(p, "max"), field(p, "uom"));
}

static struct health_inputs upstream_ok(void)
{
	struct health_inputs in = healthy();

	in.upstream_configured = 1;
	in.upstream_mode = "upstream";
	in.upstream_reference = "198.18.0.11";
	in.upstream_stratum = 1;
	in.upstream_offset = 0.0001;
	in.good_sources = 3;
	in.uptime_s = 3600;
	return in;
}

START_TEST(test_default_limits)
{
	/* NULL limits are linetime.conf's defaults: the same verdicts as
	 * an explicit copy of them. */
	static const struct lt_cfg_health conf = {
		.offset_warning = 0.01, .offset_critical = 0.1, .sources_warning = 1,
		.ring_drops_warning = 1, .heartbeat_warning = 0.5, .heartbeat_critical = 1.0,
	};
	static const double offsets[] = {0, 0.00999, 0.01, 0.0999, 0.1, -0.2};
	static const double ages[] = {0, 0.499, 0.5, 0.999, 1.0, 30};
	struct health_inputs in = upstream_ok();
	char a[300], b[300];

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		for (size_t j = 0; j < sizeof(ages) / sizeof(ages[0]); j++)
			for (unsigned int drops = 0; drops < 3; drops++)
				for (unsigned int good = 0; good < 3; good++) {
					in.upstream_offset = offsets[i];
					in.dp_heartbeat_age = ages[j];
					in.ring_drops = drops;
					in.good_sources = good;
					in.limits = NULL;
					int c1 = verdict(&in, a, sizeof(a));
					in.limits = &conf;
					int c2 = verdict(&in, b, sizeof(b));
					ck_assert_int_eq(c1, c2);
					ck_assert_str_eq(a, b);
				}
}
END_TEST

START_TEST(test_dataplane_heartbeat)
{
	struct health_inputs in = healthy();
	struct lt_cfg_health lim = {.heartbeat_warning = 2, .heartbeat_critical = 5};
	char st[16], msg[256], sum[256];

	/* Defaults: 0.5 s WARNING, 1 s CRITICAL; a threshold reached triggers. */
	in.dp_heartbeat_age = 0.499;
	ASSERT_CHECK(&in, "dataplane", "OK");
	in.dp_heartbeat_age = 0.5;
	ASSERT_CHECK(&in, "dataplane", "WARNING");
	check_state(&in, "dataplane", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "heartbeat 0.50 s old (threshold 0.50 s)");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	in.dp_heartbeat_age = 0.999;
	ASSERT_CHECK(&in, "dataplane", "WARNING");
	in.dp_heartbeat_age = 1.0;
	ASSERT_CHECK(&in, "dataplane", "CRITICAL");
	check_state(&in, "dataplane", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "heartbeat 1.00 s old (threshold 1.00 s)");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);

	/* Configured ones. */
	in.limits = &lim;
	in.dp_heartbeat_age = 1.99;
	ASSERT_CHECK(&in, "dataplane", "OK");
	in.dp_heartbeat_age = 2;
	ASSERT_CHECK(&in, "dataplane", "WARNING");
	in.dp_heartbeat_age = 4.99;
	ASSERT_CHECK(&in, "dataplane", "WARNING");
	in.dp_heartbeat_age = 5;
	ASSERT_CHECK(&in, "dataplane", "CRITICAL");
	/* 0 turns a level off. */
	lim.heartbeat_critical = 0;
	in.dp_heartbeat_age = 1000;
	ASSERT_CHECK(&in, "dataplane", "WARNING");
	lim.heartbeat_warning = 0;
	ASSERT_CHECK(&in, "dataplane", "OK");
	lim.heartbeat_critical = 5;
	in.dp_heartbeat_age = 4.99;
	ASSERT_CHECK(&in, "dataplane", "OK");
	in.dp_heartbeat_age = 5;
	ASSERT_CHECK(&in, "dataplane", "CRITICAL");

	/* Not alive is CRITICAL whatever the age and the thresholds. */
	lim.heartbeat_warning = lim.heartbeat_critical = 0;
	in.dp_alive = 0;
	in.dp_heartbeat_age = 3;
	ASSERT_CHECK(&in, "dataplane", "CRITICAL");
	check_state(&in, "dataplane", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "not responding (no heartbeat for 3.0 s): no NTP replies are sent");
	in.dp_heartbeat_age = 0;
	ASSERT_CHECK(&in, "dataplane", "CRITICAL");
	/* ... and the links of a dead dataplane are not looked at. */
	ASSERT_CHECK(&in, "ports", "");
}
END_TEST

START_TEST(test_stratum_thresholds)
{
	struct health_inputs in = healthy();
	struct lt_cfg_health lim = {.stratum_warning = 4, .stratum_critical = 6};
	char st[16], msg[256];

	/* Off by default: any synchronised stratum is OK. */
	clk.p.stratum = 15;
	ASSERT_CHECK(&in, "clock", "OK");
	in.limits = &lim;
	clk.p.stratum = 3;
	ASSERT_CHECK(&in, "clock", "OK");
	check_state(&in, "clock", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "serving stratum 3");
	clk.p.stratum = 4;
	ASSERT_CHECK(&in, "clock", "WARNING");
	check_state(&in, "clock", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "serving stratum 4, at or above the warning threshold 4");
	clk.p.stratum = 5;
	ASSERT_CHECK(&in, "clock", "WARNING");
	clk.p.stratum = 6;
	ASSERT_CHECK(&in, "clock", "CRITICAL");
	check_state(&in, "clock", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "serving stratum 6, at or above the critical threshold 6");
	/* A critical level alone. */
	lim.stratum_warning = 0;
	clk.p.stratum = 5;
	ASSERT_CHECK(&in, "clock", "OK");
	clk.p.stratum = 6;
	ASSERT_CHECK(&in, "clock", "CRITICAL");
	/* Unsynchronised keeps its own message. */
	clk.p.stratum = 16;
	check_state(&in, "clock", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(st, "CRITICAL");
	ck_assert_ptr_nonnull(strstr(msg, "unsynchronised"));
}
END_TEST

START_TEST(test_rings)
{
	struct health_inputs in = healthy();
	struct lt_cfg_health lim = {.ring_drops_warning = 10, .ring_drops_critical = 100};
	char st[16], msg[256], sum[256];

	/* Always checked: default WARNING at the first drop, no CRITICAL. */
	ASSERT_CHECK(&in, "rings", "OK");
	check_state(&in, "rings", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "0 drops in the last minute");
	in.ring_drops = 1;
	ASSERT_CHECK(&in, "rings", "WARNING");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_str_eq(sum, "rings: 1 frames dropped on the shared-memory rings in the last minute");
	in.ring_drops = 1000000;
	ASSERT_CHECK(&in, "rings", "WARNING");

	in.limits = &lim;
	in.ring_drops = 9;
	ASSERT_CHECK(&in, "rings", "OK");
	in.ring_drops = 10;
	ASSERT_CHECK(&in, "rings", "WARNING");
	in.ring_drops = 99;
	ASSERT_CHECK(&in, "rings", "WARNING");
	in.ring_drops = 100;
	ASSERT_CHECK(&in, "rings", "CRITICAL");
	lim.ring_drops_warning = 0;
	in.ring_drops = 99;
	ASSERT_CHECK(&in, "rings", "OK");
	lim.ring_drops_critical = 0;
	in.ring_drops = UINT64_MAX;
	ASSERT_CHECK(&in, "rings", "OK");
	/* Also without a dataplane. */
	in.dp_alive = 0;
	ASSERT_CHECK(&in, "rings", "OK");
}
END_TEST

START_TEST(test_sources_threshold)
{
	struct health_inputs in = upstream_ok();
	struct lt_cfg_health lim = {.sources_warning = 3, .sources_critical = 2};
	char st[16], msg[256], sum[256];

	/* Default: WARNING below one good source, no CRITICAL. */
	in.good_sources = 1;
	ASSERT_CHECK(&in, "sources", "OK");
	check_state(&in, "sources", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "1 good");
	in.good_sources = 0;
	ASSERT_CHECK(&in, "sources", "WARNING");
	check_state(&in, "sources", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "0 good, fewer than 1");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);

	in.limits = &lim;
	in.good_sources = 4;
	ASSERT_CHECK(&in, "sources", "OK");
	in.good_sources = 3;
	ASSERT_CHECK(&in, "sources", "OK");
	in.good_sources = 2;
	ASSERT_CHECK(&in, "sources", "WARNING");
	check_state(&in, "sources", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "2 good, fewer than 3");
	in.good_sources = 1;
	ASSERT_CHECK(&in, "sources", "CRITICAL");
	check_state(&in, "sources", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "1 good, fewer than 2");
	/* 0 turns a level off. */
	lim.sources_critical = 0;
	in.good_sources = 0;
	ASSERT_CHECK(&in, "sources", "WARNING");
	lim.sources_warning = 0;
	ASSERT_CHECK(&in, "sources", "OK");
	/* Only with upstreams configured. */
	in.upstream_configured = 0;
	lim.sources_warning = 3;
	ASSERT_CHECK(&in, "sources", "");
}
END_TEST

START_TEST(test_offset_threshold)
{
	struct health_inputs in = upstream_ok();
	struct lt_cfg_health lim = {.offset_warning = 0.001, .offset_critical = 0.005,
				    .sources_warning = 1};
	char st[16], msg[256], sum[256];

	/* Defaults 0.01 s and 0.1 s, on |offset|. */
	in.upstream_offset = 0.0099;
	ASSERT_CHECK(&in, "offset", "OK");
	check_state(&in, "offset", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "+0.009900 s from the sources");
	in.upstream_offset = 0.01;
	ASSERT_CHECK(&in, "offset", "WARNING");
	in.upstream_offset = -0.01;
	ASSERT_CHECK(&in, "offset", "WARNING");
	check_state(&in, "offset", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "-0.010000 s from the sources (threshold 0.01 s)");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	in.upstream_offset = 0.0999;
	ASSERT_CHECK(&in, "offset", "WARNING");
	in.upstream_offset = -0.1;
	ASSERT_CHECK(&in, "offset", "CRITICAL");
	check_state(&in, "offset", st, sizeof(st), msg, sizeof(msg));
	ck_assert_str_eq(msg, "-0.100000 s from the sources (threshold 0.1 s)");
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_CRITICAL);

	in.limits = &lim;
	in.upstream_offset = 0.000999;
	ASSERT_CHECK(&in, "offset", "OK");
	in.upstream_offset = -0.001;
	ASSERT_CHECK(&in, "offset", "WARNING");
	in.upstream_offset = 0.005;
	ASSERT_CHECK(&in, "offset", "CRITICAL");
	lim.offset_critical = 0;
	in.upstream_offset = 100;
	ASSERT_CHECK(&in, "offset", "WARNING");
	lim.offset_warning = 0;
	ASSERT_CHECK(&in, "offset", "OK");

	/* Only a clock that follows its sources has an offset from them. */
	lim.offset_warning = 0.001;
	in.upstream_offset = 1;
	in.upstream_mode = "holdover";
	ASSERT_CHECK(&in, "offset", "WARNING");
	in.upstream_mode = "local";
	ASSERT_CHECK(&in, "offset", "");
	in.upstream_mode = NULL; /* no mode: local */
	ASSERT_CHECK(&in, "offset", "");
	in.upstream_mode = "upstream";
	in.upstream_offset = NAN; /* never synchronised */
	ASSERT_CHECK(&in, "offset", "");
	in.upstream_offset = INFINITY;
	ASSERT_CHECK(&in, "offset", "");
	in.upstream_offset = 1;
	in.upstream_configured = 0;
	ASSERT_CHECK(&in, "offset", "");
	ASSERT_CHECK(&in, "upstream", "");
}
END_TEST

START_TEST(test_perfdata)
{
	struct health_inputs in = upstream_ok();
	struct lt_cfg_health lim = {.offset_warning = 0.002, .offset_critical = 0.25,
				    .sources_warning = 3, .sources_critical = 2,
				    .stratum_warning = 4, .stratum_critical = 6,
				    .ring_drops_warning = 10, .ring_drops_critical = 100,
				    .heartbeat_warning = 1.5, .heartbeat_critical = 3};
	struct json_object *d, *pd;
	char line[200];

	in.dp_heartbeat_age = 0.25;
	in.ring_drops = 7;
	in.upstream_offset = -0.000125;
	/* Defaults: "" for a level that is off, "N:" when low is bad. */
	d = report(&in);
	ck_assert(json_object_object_get_ex(d, "perfdata", &pd));
	ck_assert_uint_eq(json_object_array_length(pd), 5);
	ck_assert_str_eq(field(json_object_array_get_idx(pd, 0), "label"), "dp_heartbeat_age");
	ck_assert_str_eq(field(json_object_array_get_idx(pd, 1), "label"), "stratum");
	ck_assert_str_eq(field(json_object_array_get_idx(pd, 2), "label"), "ring_drops");
	ck_assert_str_eq(field(json_object_array_get_idx(pd, 3), "label"), "sources");
	ck_assert_str_eq(field(json_object_array_get_idx(pd, 4), "label"), "offset");
	perf_line(d, "dp_heartbeat_age", line, sizeof(line));
	ck_assert_str_eq(line, "dp_heartbeat_age=0.25;0.5;1;0; s");
	perf_line(d, "stratum", line, sizeof(line));
	ck_assert_str_eq(line, "stratum=2;;;0;16 ");
	perf_line(d, "ring_drops", line, sizeof(line));
	ck_assert_str_eq(line, "ring_drops=7;1;;0; ");
	perf_line(d, "sources", line, sizeof(line));
	ck_assert_str_eq(line, "sources=3;1:;;0; ");
	perf_line(d, "offset", line, sizeof(line));
	ck_assert_str_eq(line, "offset=-0.000125;0.01;0.1;; s");
	json_object_put(d);

	/* Configured ones. */
	in.limits = &lim;
	d = report(&in);
	perf_line(d, "dp_heartbeat_age", line, sizeof(line));
	ck_assert_str_eq(line, "dp_heartbeat_age=0.25;1.5;3;0; s");
	perf_line(d, "stratum", line, sizeof(line));
	ck_assert_str_eq(line, "stratum=2;4;6;0;16 ");
	perf_line(d, "ring_drops", line, sizeof(line));
	ck_assert_str_eq(line, "ring_drops=7;10;100;0; ");
	perf_line(d, "sources", line, sizeof(line));
	ck_assert_str_eq(line, "sources=3;3:;2:;0; ");
	perf_line(d, "offset", line, sizeof(line));
	ck_assert_str_eq(line, "offset=-0.000125;0.002;0.25;; s");
	json_object_put(d);

	/* Every level off: empty ranges. */
	memset(&lim, 0, sizeof(lim));
	d = report(&in);
	perf_line(d, "sources", line, sizeof(line));
	ck_assert_str_eq(line, "sources=3;;;0; ");
	perf_line(d, "offset", line, sizeof(line));
	ck_assert_str_eq(line, "offset=-0.000125;;;; s");
	perf_line(d, "dp_heartbeat_age", line, sizeof(line));
	ck_assert_str_eq(line, "dp_heartbeat_age=0.25;;;0; s");
	json_object_put(d);

	/* What is not measured is not reported: no clock, no stratum; no
	 * upstream, no sources or offset; a local clock, no offset. */
	clk.tsc.valid = 0;
	in.upstream_mode = "local";
	d = report(&in);
	ck_assert_ptr_null(find_perf(d, "stratum"));
	ck_assert_ptr_null(find_perf(d, "offset"));
	ck_assert_ptr_nonnull(find_perf(d, "sources"));
	json_object_put(d);
	in.upstream_configured = 0;
	d = report(&in);
	ck_assert(json_object_object_get_ex(d, "perfdata", &pd));
	ck_assert_uint_eq(json_object_array_length(pd), 2);
	ck_assert_ptr_nonnull(find_perf(d, "dp_heartbeat_age"));
	ck_assert_ptr_nonnull(find_perf(d, "ring_drops"));
	json_object_put(d);
}
END_TEST

/* A hung Samba accepts connections: the state reads "connected" between
 * two timeouts, so recent timeouts alone make it a WARNING. */
START_TEST(test_signd_timeouts)
{
	struct health_inputs in = healthy();
	char sum[256];

	in.signd_timeouts = 3;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_str_eq(sum, "signd: connected, but 3 signing requests timed out in the last minute: "
			      "Samba accepts and does not answer");
	/* stalled for longer than the grace: still the timeouts that speak */
	sg.state = SIGND_STATE_STALLED;
	sg.state_since_ns = in.now_ns - HEALTH_SIGND_GRACE_NS - 1;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_ptr_nonnull(strstr(sum, "signd: stalled, but 3 signing"));
	/* a minute without a timeout: OK again */
	in = healthy();
	in.signd_timeouts = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
}
END_TEST

/* Statistics logs that lose lines (disk full) are a WARNING, never more:
 * clients are served all the same. */
START_TEST(test_logs)
{
	struct health_inputs in = healthy();
	struct json_object *d;
	char sum[256], line[200];

	in.logs_on = 1;
	in.logdir = "/var/log/linetime";
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	ck_assert_str_eq(sum, "6 checks passed");
	in.log_lines_lost = 12;
	in.log_errno = ENOSPC;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_str_eq(sum, "logs: 12 statistics log lines lost in the last minute in "
			      "/var/log/linetime: No space left on device");
	/* space again, lines lost within the minute: still said, until it passes */
	in.log_errno = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_WARNING);
	ck_assert_ptr_nonnull(strstr(sum, "/var/log/linetime (writing again)"));
	d = report(&in);
	perf_line(d, "log_lines_lost", line, sizeof(line));
	ck_assert_str_eq(line, "log_lines_lost=12;1;;0; ");
	json_object_put(d);
	/* no logs configured: no check, no perfdata */
	in.logs_on = 0;
	ck_assert_int_eq(verdict(&in, sum, sizeof(sum)), HEALTH_OK);
	d = report(&in);
	ck_assert_ptr_null(find_perf(d, "log_lines_lost"));
	json_object_put(d);
}
END_TEST

/* health_limits_from_args on a JSON text; returns its code. */
static int from_args(struct lt_cfg_health *lim, const char *json, char *err, size_t len)
{
	struct json_object *args = json ? json_tokener_parse(json) : NULL;
	int rc;

	if (json)
		ck_assert_msg(args != NULL, "bad test JSON %s", json);
	err[0] = '\0';
	rc = health_limits_from_args(lim, args, err, len);
	json_object_put(args);
	return rc;
}

START_TEST(test_limits_from_args)
{
	const struct lt_cfg_health base = {
		.offset_warning = 0.01, .offset_critical = 0.1, .sources_warning = 1,
		.ring_drops_warning = 1, .heartbeat_warning = 0.5, .heartbeat_critical = 1.0,
	};
	struct lt_cfg_health lim = base;
	char err[128];

	/* None given: unchanged. */
	ck_assert_int_eq(from_args(&lim, NULL, err, sizeof(err)), 0);
	ck_assert_mem_eq(&lim, &base, sizeof(lim));
	ck_assert_int_eq(from_args(&lim, "{}", err, sizeof(err)), 0);
	ck_assert_mem_eq(&lim, &base, sizeof(lim));

	/* Every name; integers for numbers, whole doubles for counts; the
	 * others stay. */
	ck_assert_int_eq(from_args(&lim, "{\"offset_warning\": 0.002, \"offset_critical\": 1,"
				   " \"sources_warning\": 3, \"sources_critical\": 2.0,"
				   " \"stratum_warning\": 4, \"stratum_critical\": 6,"
				   " \"ring_drops_warning\": 0, \"ring_drops_critical\": 1000000000,"
				   " \"heartbeat_warning\": 0.25, \"heartbeat_critical\": 0}",
				   err, sizeof(err)),
			 0);
	ck_assert_str_eq(err, "");
	ck_assert_double_eq(lim.offset_warning, 0.002);
	ck_assert_double_eq(lim.offset_critical, 1.0);
	ck_assert_uint_eq(lim.sources_warning, 3);
	ck_assert_uint_eq(lim.sources_critical, 2);
	ck_assert_uint_eq(lim.stratum_warning, 4);
	ck_assert_uint_eq(lim.stratum_critical, 6);
	ck_assert_uint_eq(lim.ring_drops_warning, 0);
	ck_assert_uint_eq(lim.ring_drops_critical, 1000000000);
	ck_assert_double_eq(lim.heartbeat_warning, 0.25);
	ck_assert_double_eq(lim.heartbeat_critical, 0);
	lim = base;
	ck_assert_int_eq(from_args(&lim, "{\"stratum_critical\": 3}", err, sizeof(err)), 0);
	ck_assert_uint_eq(lim.stratum_critical, 3);
	lim.stratum_critical = 0;
	ck_assert_mem_eq(&lim, &base, sizeof(lim));

	/* Refused, with the reason. */
	static const struct {
		const char *json, *err;
	} bad[] = {
		{"{\"offset_warn\": 0.1}", "unknown health threshold \"offset_warn\""},
		{"{\"offset\": 0.1}", "unknown health threshold \"offset\""},
		{"{\"offset_warning\": -0.001}", "health threshold offset_warning: -0.001 is not a number >= 0"},
		{"{\"sources_warning\": -1}", "health threshold sources_warning: -1 is not a whole number >= 0"},
		{"{\"sources_warning\": 1.5}", "health threshold sources_warning: 1.5 is not a whole number >= 0"},
		{"{\"ring_drops_critical\": 0.5}",
		 "health threshold ring_drops_critical: 0.5 is not a whole number >= 0"},
		{"{\"stratum_warning\": 1e10}", "health threshold stratum_warning: 1e+10 is not a whole number >= 0"},
		{"{\"heartbeat_warning\": \"0.5\"}", "health threshold heartbeat_warning must be a number"},
		{"{\"heartbeat_warning\": true}", "health threshold heartbeat_warning must be a number"},
		{"{\"heartbeat_warning\": null}", "health threshold heartbeat_warning must be a number"},
		{"{\"offset_critical\": [0.1]}", "health threshold offset_critical must be a number"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lim = base;
		ck_assert_int_eq(from_args(&lim, bad[i].json, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strcmp(err, bad[i].err) == 0, "%s:\n  got:  %s\n  want: %s", bad[i].json,
			      err, bad[i].err);
		ck_assert_mem_eq(&lim, &base, sizeof(lim));
	}
	/* A NaN can only come from a C caller; refused too. */
	struct json_object *args = json_object_new_object();
	json_object_object_add(args, "offset_warning", json_object_new_double(NAN));
	ck_assert_int_eq(health_limits_from_args(&lim, args, err, sizeof(err)), -EINVAL);
	json_object_put(args);
	ck_assert_mem_eq(&lim, &base, sizeof(lim));
}
END_TEST

/* ---- the ring-drop window ---------------------------------------------------- */

START_TEST(test_window_basics)
{
	struct health_window w;

	memset(&w, 0, sizeof(w));
	/* Nothing yet, then one sample: no rise. */
	ck_assert_uint_eq(health_window_rise(&w, 100, 60), 0);
	health_window_add(&w, 100, 500);
	ck_assert_uint_eq(health_window_rise(&w, 100, 60), 0);
	/* Younger than the span: all of the history. */
	for (uint64_t t = 101; t <= 130; t++)
		health_window_add(&w, t, 500 + 2 * (t - 100));
	ck_assert_uint_eq(w.n, 31);
	ck_assert_uint_eq(health_window_rise(&w, 130, 60), 60);
	/* Older: the last 60 s only. */
	for (uint64_t t = 131; t <= 200; t++)
		health_window_add(&w, t, 500 + 2 * (t - 100));
	ck_assert_uint_eq(health_window_rise(&w, 200, 60), 120);
	ck_assert_uint_eq(health_window_rise(&w, 200, 10), 20);
	/* A sample exactly span old is still the base; one older is not. */
	ck_assert_uint_eq(health_window_rise(&w, 201, 60), 118);
	/* A counter that stands still rose by nothing. */
	for (uint64_t t = 201; t <= 300; t++)
		health_window_add(&w, t, 700);
	ck_assert_uint_eq(health_window_rise(&w, 300, 60), 0);
	health_window_add(&w, 301, 705);
	ck_assert_uint_eq(health_window_rise(&w, 301, 60), 5);
}
END_TEST

START_TEST(test_window_same_second)
{
	struct health_window w;

	memset(&w, 0, sizeof(w));
	health_window_add(&w, 10, 100);
	health_window_add(&w, 11, 100);
	/* A second sample in second 11 replaces the first. */
	health_window_add(&w, 11, 103);
	health_window_add(&w, 11, 104);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_uint_eq(health_window_rise(&w, 11, 60), 4);
	/* The base too is its second's last value. */
	memset(&w, 0, sizeof(w));
	health_window_add(&w, 10, 1);
	health_window_add(&w, 10, 50);
	health_window_add(&w, 11, 60);
	ck_assert_uint_eq(health_window_rise(&w, 11, 60), 10);
	/* Many calls in one second take one slot. */
	memset(&w, 0, sizeof(w));
	for (unsigned int k = 0; k < 1000; k++)
		health_window_add(&w, 5, k);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_uint_eq(w.total[0], 999);
}
END_TEST

START_TEST(test_window_reset_and_gaps)
{
	struct health_window w;

	/* A counter reset (a new region) counts from zero. */
	memset(&w, 0, sizeof(w));
	health_window_add(&w, 0, 1000);
	health_window_add(&w, 1, 1010);
	health_window_add(&w, 2, 3);
	ck_assert_uint_eq(health_window_rise(&w, 2, 60), 3);
	health_window_add(&w, 3, 8);
	ck_assert_uint_eq(health_window_rise(&w, 3, 60), 8);
	/* Once the old samples are out of the span it is plain again. */
	health_window_add(&w, 63, 20);
	ck_assert_uint_eq(health_window_rise(&w, 63, 60), 12);

	/* Gaps: the base is the newest sample at least the span old, so a
	 * stall longer than the span still counts what piled up in it. */
	memset(&w, 0, sizeof(w));
	health_window_add(&w, 0, 0);
	health_window_add(&w, 10, 5);
	ck_assert_uint_eq(health_window_rise(&w, 10, 60), 5);
	ck_assert_uint_eq(health_window_rise(&w, 70, 60), 0);
	/* No sample inside the span: nothing new since the last one. */
	ck_assert_uint_eq(health_window_rise(&w, 71, 60), 0);
	ck_assert_uint_eq(health_window_rise(&w, 10000, 60), 0);
	/* After a 90 s silence: measured from the sample before it. */
	health_window_add(&w, 100, 50);
	health_window_add(&w, 130, 70);
	ck_assert_uint_eq(health_window_rise(&w, 130, 60), 65);
	ck_assert_uint_eq(health_window_rise(&w, 130, 200), 70);
	ck_assert_uint_eq(health_window_rise(&w, 161, 60), 20);
}
END_TEST

START_TEST(test_window_wraps)
{
	struct health_window w;

	memset(&w, 0, sizeof(w));
	/* 200 samples, one a second: 64 kept, the oldest overwritten. */
	for (uint64_t t = 1000; t < 1200; t++)
		health_window_add(&w, t, t * t);
	ck_assert_uint_eq(w.n, HEALTH_WINDOW);
	ck_assert_uint_eq(health_window_rise(&w, 1199, 60), 1199 * 1199 - 1139 * 1139);
	/* A span longer than what is kept: from the oldest kept. */
	uint64_t oldest = 1200 - HEALTH_WINDOW;
	ck_assert_uint_eq(health_window_rise(&w, 1199, 600), 1199 * 1199 - oldest * oldest);
	/* Samples two seconds apart: 64 of them cover the span. */
	memset(&w, 0, sizeof(w));
	for (uint64_t t = 0; t < 1000; t += 2)
		health_window_add(&w, t, t / 2);
	ck_assert_uint_eq(health_window_rise(&w, 998, 60), 30);
	/* ...and the head wrapped many times over. */
	ck_assert_uint_eq(w.n, HEALTH_WINDOW);
	ck_assert_uint_eq(w.head, 500 % HEALTH_WINDOW);
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
	tcase_add_test(tc, test_signd_timeouts);
	tcase_add_test(tc, test_logs);
	tcase_add_test(tc, test_upstream);
	suite_add_tcase(s, tc);

	tc = tcase_create("thresholds");
	tcase_add_test(tc, test_default_limits);
	tcase_add_test(tc, test_dataplane_heartbeat);
	tcase_add_test(tc, test_stratum_thresholds);
	tcase_add_test(tc, test_rings);
	tcase_add_test(tc, test_sources_threshold);
	tcase_add_test(tc, test_offset_threshold);
	tcase_add_test(tc, test_perfdata);
	tcase_add_test(tc, test_limits_from_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("window");
	tcase_add_test(tc, test_window_basics);
	tcase_add_test(tc, test_window_same_second);
	tcase_add_test(tc, test_window_reset_and_gaps);
	tcase_add_test(tc, test_window_wraps);
	suite_add_tcase(s, tc);
	return s;
}
