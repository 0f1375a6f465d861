/*
 * Check suite for control/metrics.c: admin reports (literal JSON in the
 * producers' shapes, and the producers' own output) rendered as Prometheus
 * text, each rendering checked line by line against the exposition format
 * 0.0.4 by a small validator.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "counters.h"
#include "health.h"
#include "metrics.h"
#include "mssntp.h"
#include "report.h"
#include "shm.h"
#include "signd.h"
#include "suites.h"

/* --- fixtures: the shapes of the admin answers -------------------------- */

static const char *const SERVERSTATS =
	"{\"counters\": {\"rx_frames\": 9007199254741993, \"ntp_replies\": 5400,"
	"  \"punted\": 3, \"drop_runt\": 18446744073709551615, \"drop_udp_port\": 243},"
	" \"drops_total\": 280, \"replies_total\": 5412,"
	" \"ports\": [{\"index\": 0, \"name\": \"lan0\","
	"              \"counters\": {\"rx_frames\": 9007199254740993, \"ntp_replies\": 2700,"
	"                           \"drop_udp_port\": 200}},"
	"            {\"index\": 1, \"name\": \"lan1\","
	"              \"counters\": {\"rx_frames\": 1000, \"ntp_replies\": 2700, \"punted\": 3,"
	"                           \"drop_runt\": 18446744073709551615, \"drop_udp_port\": 43}}],"
	" \"workers\": [{\"index\": 0, \"polls\": 1000000, \"busy_polls\": 1234, \"rx_frames\": 2000},"
	"              {\"index\": 1, \"polls\": 2000, \"busy_polls\": 12, \"rx_frames\": 4000}],"
	" \"control\": {\"punt_received\": 5, \"punt_udp\": 4, \"tx_stamps\": 3, \"inject_sent\": 2,"
	"              \"inject_ring_full\": 1},"
	" \"clientlog\": {\"tables\": 2, \"entries\": 4096, \"used\": 17, \"evictions\": 0}}";

static const char *const PORTS =
	"{\"ports\": [{\"index\": 0, \"name\": \"lan0\", \"device\": \"0000:01:00.0\","
	"  \"driver\": \"net_igc\", \"mac\": \"02:00:00:00:00:01\", \"link_up\": true,"
	"  \"speed_mbps\": 2500, \"rx_queues\": 1, \"tx_queues\": 1, \"timestamping\": \"nic\","
	"  \"tx_departure\": \"after_burst\", \"tx_correction_ns\": -1250,"
	"  \"ipackets\": 123, \"opackets\": 120, \"ibytes\": 11562, \"obytes\": 10800,"
	"  \"imissed\": 0, \"ierrors\": 0, \"oerrors\": 0, \"rx_nombuf\": 0},"
	" {\"index\": 1, \"name\": \"lan1\", \"device\": \"0000:02:00.0\","
	"  \"driver\": \"net_igc\", \"mac\": \"02:00:00:00:00:02\", \"link_up\": false,"
	"  \"speed_mbps\": 0, \"rx_queues\": 1, \"tx_queues\": 1, \"timestamping\": \"tsc\","
	"  \"ipackets\": 0, \"opackets\": 0, \"ibytes\": 0, \"obytes\": 0,"
	"  \"imissed\": 0, \"ierrors\": 0, \"oerrors\": 0, \"rx_nombuf\": 0}]}";

static const char *const STATUS =
	"{\"dataplane\": {\"pid\": 812, \"epoch\": 2, \"heartbeat\": 5531,"
	"                \"started_unix\": 1795305600, \"alive\": true},"
	" \"control\": {\"pid\": 790, \"epoch\": 1, \"heartbeat\": 5540, \"started_unix\": 1795305590},"
	" \"region\": \"/dev/shm/linetime.region\", \"mode\": \"upstream\", \"stratum\": 3, \"leap\": 0,"
	" \"precision\": -23, \"refid\": \"C612000C\", \"tsc_hz\": 2000000123.4, \"holdover_s\": 60.0,"
	" \"clock_generation\": 553, \"clock_window_resets\": 0,"
	" \"config\": \"/etc/linetime/linetime.conf\", \"policy_generation\": 3, \"reloads\": 2,"
	" \"reloads_failed\": 1}";

static const char *const SIGND =
	"{\"enabled\": true, \"directory\": \"/var/lib/samba/ntp_signd\","
	" \"socket\": \"/var/lib/samba/ntp_signd/socket\", \"state\": \"connected\","
	" \"state_for_s\": 812.4, \"last_error\": \"\", \"connects\": 2, \"disconnects\": 1,"
	" \"queue\": {\"depth\": 0, \"in_flight\": 0, \"max\": 256},"
	" \"requests\": 5120, \"submitted\": 5118, \"signed\": 5110, \"sent\": 5110,"
	" \"failed\": {\"not_connected\": 2, \"queue_full\": 0, \"samba_failure\": 6,"
	"            \"peer_closed\": 2, \"timeout\": 0, \"bad_reply\": 0, \"inject_full\": 0,"
	"            \"malformed\": 0},"
	" \"latency_us\": {\"count\": 5110, \"p50\": 144, \"p90\": 208, \"p99\": 640, \"max\": 2304}}";

static const char *const HEALTH =
	"{\"status\": \"WARNING\", \"code\": 1, \"summary\": \"ports: link down: lan1 (1 of 2 up)\","
	" \"checks\": [{\"name\": \"dataplane\", \"status\": \"OK\", \"message\": \"running\"},"
	"   {\"name\": \"clock\", \"status\": \"OK\", \"message\": \"serving stratum 3\"},"
	"   {\"name\": \"ports\", \"status\": \"WARNING\", \"message\": \"link down: lan1\"},"
	"   {\"name\": \"signd\", \"status\": \"OK\", \"message\": \"connected\"},"
	"   {\"name\": \"upstream\", \"status\": \"OK\", \"message\": \"synchronised\"}],"
	" \"perfdata\": [{\"label\": \"offset\", \"value\": 0.000123, \"uom\": \"s\","
	"                 \"warn\": \"0.1\", \"crit\": \"1\", \"min\": \"\", \"max\": \"\"},"
	"               {\"label\": \"sources\", \"value\": 3, \"uom\": \"\","
	"                 \"warn\": \"2:\", \"crit\": \"\", \"min\": \"0\", \"max\": \"\"},"
	"               {\"label\": \"signd_p99\", \"value\": 250, \"uom\": \"ms\","
	"                 \"warn\": 500, \"crit\": \"@10:20\", \"min\": \"\", \"max\": \"\"}]}";

static const char *const TRACKING =
	"{\"synchronised\": true, \"mode\": \"upstream\", \"reference\": \"198.18.0.11\","
	" \"refid\": \"C612000B\", \"stratum\": 3, \"leap\": \"normal\","
	" \"ref_time_unix\": 1795305600.25, \"system_time_offset\": 1.234e-06,"
	" \"last_offset\": 1.23e-07, \"rms_offset\": 4.56e-07, \"frequency_ppm\": -1.234,"
	" \"residual_freq_ppm\": 0.001, \"skew_ppm\": 0.012, \"root_delay\": 0.001234567,"
	" \"root_dispersion\": 0.000456789, \"update_interval\": 64.2, \"updates\": 1234,"
	" \"steps\": 1, \"selection\": \"ok\", \"leap_pending\": \"insert\", \"leapsecmode\": \"step\"}";

static const char *const SOURCES =
	"{\"outcome\": \"ok\", \"sources\": ["
	" {\"name\": \"ntp1.example.net\", \"address\": \"198.18.0.11\", \"pool\": \"\","
	"  \"state\": \"sys_peer\", \"mark\": \"*\", \"stratum\": 2, \"poll\": 6, \"reach\": 255,"
	"  \"last_rx_ago\": 12.5, \"offset\": 0.000123, \"offset_sd\": 1e-05, \"delay\": 0.0005,"
	"  \"jitter\": 2e-05, \"root_distance\": 4.5e-05, \"prefer\": false, \"noselect\": false,"
	"  \"kod\": \"\", \"sent\": 40, \"replies\": 39, \"accepted\": 38, \"bogus\": 1},"
	" {\"name\": \"198.18.0.12\", \"address\": \"198.18.0.12\", \"pool\": \"\","
	"  \"state\": \"combined\", \"mark\": \"+\", \"stratum\": 2, \"poll\": 7, \"reach\": 127,"
	"  \"last_rx_ago\": 70, \"offset\": -0.0002, \"offset_sd\": 2e-05, \"delay\": 0.0006,"
	"  \"jitter\": 3e-05, \"root_distance\": 5e-05, \"prefer\": false, \"noselect\": false,"
	"  \"kod\": \"\", \"sent\": 20, \"replies\": 19, \"accepted\": 19, \"bogus\": 0},"
	" {\"name\": \"ntp3.example.net\", \"address\": \"\", \"pool\": \"\","
	"  \"state\": \"unresolved\", \"mark\": \"?\", \"stratum\": 0, \"poll\": 6, \"reach\": 0,"
	"  \"last_rx_ago\": -1, \"offset\": 0, \"offset_sd\": 0, \"delay\": 0, \"jitter\": 0,"
	"  \"root_distance\": 0, \"prefer\": false, \"noselect\": false, \"kod\": \"\","
	"  \"sent\": 0, \"replies\": 0, \"accepted\": 0, \"bogus\": 0}]}";

static const char *const SOURCESTATS =
	"{\"sources\": ["
	" {\"name\": \"ntp1.example.net\", \"address\": \"198.18.0.11\", \"np\": 12, \"nr\": 7,"
	"  \"span\": 714.2, \"frequency_ppm\": 0.012, \"skew_ppm\": 0.345, \"offset\": 1.23e-05,"
	"  \"offset_sd\": 4.5e-06},"
	" {\"name\": \"198.18.0.12\", \"address\": \"198.18.0.12\", \"np\": 8, \"nr\": 8,"
	"  \"span\": 900, \"frequency_ppm\": -0.02, \"skew_ppm\": 0.5, \"offset\": -0.0002,"
	"  \"offset_sd\": 1e-05},"
	" {\"name\": \"ntp3.example.net\", \"address\": \"\", \"np\": 0, \"nr\": 0,"
	"  \"span\": 0, \"frequency_ppm\": 0, \"skew_ppm\": 0, \"offset\": 0, \"offset_sd\": 0}]}";

static struct metrics_input in;

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_msg(o != NULL, "fixture does not parse: %.60s", text);
	return o;
}

static void put_inputs(void)
{
	json_object_put(in.serverstats);
	json_object_put(in.ports);
	json_object_put(in.status);
	json_object_put(in.signd);
	json_object_put(in.health);
	json_object_put(in.tracking);
	json_object_put(in.sources);
	json_object_put(in.sourcestats);
	memset(&in, 0, sizeof(in));
}

static void setup(void)
{
	memset(&in, 0, sizeof(in));
	in.serverstats = parse(SERVERSTATS);
	in.ports = parse(PORTS);
	in.status = parse(STATUS);
	in.signd = parse(SIGND);
	in.health = parse(HEALTH);
	in.tracking = parse(TRACKING);
	in.sources = parse(SOURCES);
	in.sourcestats = parse(SOURCESTATS);
	in.version = "0.1.0";
}

static void teardown(void)
{
	put_inputs();
}

/* --- the exposition format validator ------------------------------------ */

static int name_start(char c, int colon)
{
	return isalpha((unsigned char)c) || c == '_' || (colon && c == ':');
}

static int name_char(char c, int colon)
{
	return isalnum((unsigned char)c) || c == '_' || (colon && c == ':');
}

/* Length of the metric (colon 1) or label (colon 0) name at p, 0 if none. */
static size_t name_len(const char *p, int colon)
{
	size_t n = 0;

	if (!name_start(p[0], colon))
		return 0;
	while (name_char(p[n], colon))
		n++;
	return n;
}

/* A Go-style float as Prometheus writes them: NaN, +Inf, -Inf or decimal. */
static int valid_value(const char *s, double *out)
{
	const char *p = s;
	int digits = 0;

	if (strcmp(s, "NaN") == 0 || strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0) {
		*out = strtod(s[0] == 'N' ? "nan" : s, NULL);
		return 1;
	}
	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return 0;
	*out = strtod(s, NULL);
	return 1;
}

static int has(struct json_object *set, const char *key)
{
	return json_object_object_get_ex(set, key, NULL);
}

static void add(struct json_object *set, const char *key, const char *val)
{
	json_object_object_add(set, key, json_object_new_string(val));
}

/*
 * Every line is "# HELP", "# TYPE" or a sample; each family has one HELP
 * followed by one TYPE (counter, gauge or summary) and then all of its
 * samples, at least one; no name+labels twice; counters end in _total and
 * are >= 0; quantile labels only on a summary's quantiles;
 * the text ends with a newline. Returns the number of samples.
 */
static int validate(const char *text, size_t len)
{
	struct json_object *helped = json_object_new_object(), *typed = json_object_new_object(),
			   *series = json_object_new_object();
	char cur[4096] = "", pending_help[4096] = "", line[4096];
	const char *type = NULL;
	int samples = 0, cur_samples = 0;

	ck_assert_uint_eq(strlen(text), len);
	if (len)
		ck_assert_msg(text[len - 1] == '\n', "output does not end with a newline");
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p), k;

		ck_assert_msg(n > 0, "empty line");
		ck_assert_uint_lt(n, sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;

		if (strncmp(line, "# HELP ", 7) == 0) {
			k = name_len(line + 7, 1);
			ck_assert_msg(k && line[7 + k] == ' ', "bad HELP: %s", line);
			line[7 + k] = '\0';
			ck_assert_msg(!has(helped, line + 7), "second HELP for %s", line + 7);
			ck_assert_msg(cur_samples || !cur[0], "family %s has no samples", cur);
			add(helped, line + 7, "");
			snprintf(pending_help, sizeof(pending_help), "%s", line + 7);
			/* HELP text: only \\ and \n escapes. */
			for (const char *h = line + 8 + k; *h; h++)
				if (*h == '\\') {
					h++;
					ck_assert_msg(*h == '\\' || *h == 'n', "bad HELP escape: %s", line);
				}
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			k = name_len(line + 7, 1);
			ck_assert_msg(k && line[7 + k] == ' ', "bad TYPE: %s", line);
			line[7 + k] = '\0';
			ck_assert_msg(!has(typed, line + 7), "second TYPE for %s", line + 7);
			ck_assert_str_eq(line + 7, pending_help);
			type = line + 8 + k;
			ck_assert_msg(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
					      strcmp(type, "summary") == 0,
				      "bad type: %s", type);
			add(typed, line + 7, type);
			snprintf(cur, sizeof(cur), "%s", line + 7);
			type = strcmp(type, "counter") == 0   ? "counter"
			       : strcmp(type, "summary") == 0 ? "summary"
							      : "gauge";
			cur_samples = 0;
			pending_help[0] = '\0';
			continue;
		}
		ck_assert_msg(line[0] != '#', "unexpected comment: %s", line);

		/* name{label="value",...} value; a summary's are name, name_count
		 * and name_sum, the first with a quantile label. */
		k = name_len(line, 1);
		ck_assert_msg(k > 0, "bad metric name: %s", line);
		size_t fk = strlen(cur);
		int in_family = k == fk && strncmp(line, cur, k) == 0;
		if (strcmp(type, "summary") == 0 && k > fk && strncmp(line, cur, fk) == 0)
			in_family = (k - fk == 6 && strncmp(line + fk, "_count", 6) == 0) ||
				    (k - fk == 4 && strncmp(line + fk, "_sum", 4) == 0);
		ck_assert_msg(in_family, "sample outside its family (%s): %s", cur, line);
		const char *q = line + k;
		if (*q == '{') {
			q++;
			for (;;) {
				size_t ln = name_len(q, 0);

				ck_assert_msg(ln > 0, "bad label name: %s", line);
				ck_assert_msg((ln == 8 && strncmp(q, "quantile", 8) == 0) ==
						      (strcmp(type, "summary") == 0 && k == fk),
					      "quantile label out of a summary's quantiles: %s", line);
				q += ln;
				ck_assert_msg(q[0] == '=' && q[1] == '"', "bad label: %s", line);
				for (q += 2; *q != '"'; q++) {
					ck_assert_msg(*q, "unterminated label value: %s", line);
					if (*q == '\\') {
						q++;
						ck_assert_msg(*q == '\\' || *q == '"' || *q == 'n',
							      "bad label escape: %s", line);
					}
				}
				q++;
				if (*q == ',') {
					q++;
					continue;
				}
				ck_assert_msg(*q == '}', "bad label list: %s", line);
				q++;
				break;
			}
		}
		ck_assert_msg(*q == ' ', "no value: %s", line);
		char key[4096];
		memcpy(key, line, (size_t)(q - line));
		key[q - line] = '\0';
		ck_assert_msg(!has(series, key), "duplicate series: %s", key);
		add(series, key, "");

		double v;
		ck_assert_msg(valid_value(q + 1, &v), "bad value: %s", line);
		if (strcmp(type, "counter") == 0) {
			ck_assert_msg(k > 6 && strncmp(line + k - 6, "_total", 6) == 0,
				      "counter without _total: %s", line);
			ck_assert_msg(v >= 0, "negative counter: %s", line);
		}
		samples++;
		cur_samples++;
	}
	ck_assert_msg(cur_samples || !cur[0], "family %s has no samples", cur);
	ck_assert_msg(!pending_help[0], "HELP without TYPE: %s", pending_help);
	json_object_put(helped);
	json_object_put(typed);
	json_object_put(series);
	return samples;
}

static char *render(const struct metrics_input *mi, size_t *len)
{
	char *text = NULL;

	ck_assert_int_eq(metrics_render(mi, &text, len), 0);
	ck_assert_ptr_nonnull(text);
	validate(text, *len);
	return text;
}

/* Whether text has line as one whole line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define ck_line(text, line) ck_assert_msg(has_line(text, line), "missing line: %s", line)
#define ck_no_line(text, line) ck_assert_msg(!has_line(text, line), "unexpected line: %s", line)

/* Samples of metric name (any labels). */
static int count_samples(const char *text, const char *name)
{
	size_t n = strlen(name);
	int c = 0;

	for (const char *p = text; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, name, n) == 0 && (p[n] == '{' || p[n] == ' '))
			c++;
	return c;
}

/* --- tests ---------------------------------------------------------------- */

START_TEST(test_full_render)
{
	size_t len;
	char *t = render(&in, &len);
	int dropc = 0, others = 0;

	/* One family per counter, by port; drops by port and reason. */
	for (unsigned int c = 0; c < LT_CTR_MAX; c++) {
		if (!json_object_object_get_ex(json_object_object_get(in.serverstats, "counters"),
					       counters_name(c), NULL))
			continue;
		if (strcmp(counters_kind(c), "drop") == 0)
			dropc++;
		else
			others++;
	}
	ck_assert_int_eq(dropc, 2);
	ck_assert_int_eq(others, 3);
	ck_assert_int_eq(count_samples(t, "linetime_dataplane_drops_total"), 2 * dropc);
	ck_assert_int_eq(count_samples(t, "linetime_dataplane_rx_frames_total"), 2);
	ck_assert_int_eq(count_samples(t, "linetime_dataplane_worker_polls_total"), 2);
	ck_assert_int_eq(count_samples(t, "linetime_source_offset_seconds"), 3);
	ck_assert_int_eq(count_samples(t, "linetime_sourcestats_samples"), 3);
	ck_assert_int_eq(count_samples(t, "linetime_health_check_status"), 5);
	ck_assert_int_eq(count_samples(t, "linetime_signd_state"), SIGND_STATE_COUNT);
	ck_assert_int_eq(count_samples(t, "linetime_clock_mode"), 4);
	/* The first family is the build. */
	ck_assert_int_eq(strncmp(t, "# HELP linetime_build_info ", 27), 0);
	free(t);
}
END_TEST

START_TEST(test_exact_lines)
{
	size_t len;
	char *t = render(&in, &len);

	ck_line(t, "# HELP linetime_dataplane_rx_frames_total Dataplane counter rx_frames, per port: "
		   "frames received.");
	ck_line(t, "# TYPE linetime_dataplane_rx_frames_total counter");
	ck_line(t, "# TYPE linetime_dataplane_drops_total counter");
	ck_line(t, "linetime_build_info{version=\"0.1.0\"} 1");
	ck_line(t, "linetime_dataplane_up 1");
	ck_line(t, "linetime_process_start_time_seconds{process=\"dataplane\"} 1795305600");
	ck_line(t, "linetime_process_starts_total{process=\"control\"} 1");
	ck_line(t, "linetime_clock_mode{mode=\"upstream\"} 1");
	ck_line(t, "linetime_clock_mode{mode=\"system\"} 0");
	ck_line(t, "linetime_clock_precision_seconds 1.1920928955078125e-07");
	ck_line(t, "linetime_clock_tsc_hz 2000000123.4");
	ck_line(t, "linetime_clock_holdover_seconds 60");
	ck_line(t, "linetime_reloads_failed_total 1");
	/* Absent from a port's counters: 0, so the series does not come and go. */
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan0\",reason=\"runt\"} 0");
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan1\",reason=\"udp_port\"} 43");
	ck_line(t, "linetime_dataplane_punted_total{port=\"lan0\"} 0");
	ck_line(t, "linetime_dataplane_worker_busy_polls_total{worker=\"1\"} 12");
	ck_line(t, "linetime_control_inject_ring_full_total 1");
	ck_line(t, "linetime_clientlog_entries 4096");
	ck_line(t, "linetime_clientlog_evictions_total 0");
	ck_line(t, "linetime_port_info{port=\"lan0\",device=\"0000:01:00.0\",driver=\"net_igc\","
		   "mac=\"02:00:00:00:00:01\",timestamping=\"nic\",tx_departure=\"after_burst\"} 1");
	ck_line(t, "linetime_port_tx_correction_seconds{port=\"lan0\"} -1.25e-06");
	ck_line(t, "linetime_port_link_up{port=\"lan1\"} 0");
	ck_line(t, "linetime_port_speed_bytes_per_second{port=\"lan0\"} 312500000");
	ck_line(t, "linetime_port_nic_received_bytes_total{port=\"lan0\"} 11562");
	ck_line(t, "linetime_tracking_synchronised 1");
	ck_line(t, "linetime_tracking_frequency_ppm -1.234");
	ck_line(t, "linetime_tracking_root_delay_seconds 0.001234567");
	ck_line(t, "linetime_tracking_ref_time_seconds 1795305600.25");
	ck_line(t, "linetime_tracking_updates_total 1234");
	ck_line(t, "linetime_tracking_leap_pending 1");
	ck_line(t, "linetime_tracking_selection{outcome=\"ok\"} 1");
	ck_line(t, "linetime_tracking_selection{outcome=\"no_majority\"} 0");
	ck_line(t, "linetime_source_state{source=\"ntp1.example.net\",address=\"198.18.0.11\","
		   "state=\"sys_peer\"} 1");
	ck_line(t, "linetime_source_state{source=\"ntp1.example.net\",address=\"198.18.0.11\","
		   "state=\"falseticker\"} 0");
	ck_line(t, "linetime_source_state{source=\"ntp3.example.net\",address=\"\","
		   "state=\"unresolved\"} 1");
	ck_line(t, "linetime_source_poll_seconds{source=\"198.18.0.12\",address=\"198.18.0.12\"} 128");
	ck_line(t, "linetime_source_reach{source=\"198.18.0.12\",address=\"198.18.0.12\"} 127");
	ck_line(t, "linetime_source_reachable{source=\"ntp3.example.net\",address=\"\"} 0");
	ck_line(t, "linetime_source_last_rx_age_seconds{source=\"ntp3.example.net\",address=\"\"} +Inf");
	ck_line(t, "linetime_source_offset_seconds{source=\"198.18.0.12\",address=\"198.18.0.12\"} "
		   "-0.0002");
	ck_line(t, "linetime_sourcestats_span_seconds{source=\"ntp1.example.net\","
		   "address=\"198.18.0.11\"} 714.2");
	ck_line(t, "linetime_signd_enabled 1");
	ck_line(t, "linetime_signd_state{state=\"connected\"} 1");
	ck_line(t, "linetime_signd_state{state=\"stalled\"} 0");
	ck_line(t, "linetime_signd_queue_max 256");
	ck_line(t, "linetime_signd_failures_total{reason=\"samba_failure\"} 6");
	ck_line(t, "linetime_signd_failures_total{reason=\"inject_full\"} 0");
	ck_line(t, "linetime_signd_latency_seconds{quantile=\"0.99\"} 0.00064");
	ck_line(t, "linetime_signd_latency_seconds{quantile=\"1\"} 0.002304");
	ck_line(t, "# TYPE linetime_signd_latency_seconds summary");
	ck_line(t, "linetime_signd_latency_seconds_count 5110");
	ck_line(t, "linetime_health_status 1");
	ck_line(t, "linetime_health_check_status{check=\"ports\"} 1");
	ck_line(t, "linetime_health_check_status{check=\"dataplane\"} 0");
	ck_line(t, "linetime_health_perfdata{label=\"offset\",uom=\"s\"} 0.000123");
	ck_line(t, "linetime_health_perfdata{label=\"signd_p99\",uom=\"s\"} 0.25");
	ck_line(t, "linetime_health_perfdata{label=\"sources\",uom=\"\"} 3");
	ck_line(t, "linetime_health_perfdata_warning{label=\"offset\",uom=\"s\",bound=\"upper\"} 0.1");
	ck_line(t, "linetime_health_perfdata_critical{label=\"offset\",uom=\"s\",bound=\"upper\"} 1");
	ck_line(t, "linetime_health_perfdata_warning{label=\"sources\",uom=\"\",bound=\"lower\"} 2");
	ck_line(t, "linetime_health_perfdata_warning{label=\"signd_p99\",uom=\"s\",bound=\"upper\"} "
		   "0.5");
	/* A level that is off ("") and a range of another form: left out. */
	ck_assert_int_eq(count_samples(t, "linetime_health_perfdata_critical"), 1);
	free(t);
}
END_TEST

START_TEST(test_big_counters_exact)
{
	size_t len;
	char *t = render(&in, &len);

	/* 2^53 + 1 is not a double: a double would print ...992. */
	ck_line(t, "linetime_dataplane_rx_frames_total{port=\"lan0\"} 9007199254740993");
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan1\",reason=\"runt\"} 18446744073709551615");
	free(t);
}
END_TEST

START_TEST(test_value_forms)
{
	struct metrics_input mi = {0};
	size_t len;
	char *t;

	mi.tracking = parse("{\"last_offset\": 0.1, \"rms_offset\": -0.0, \"system_time_offset\": 1e-300,"
			    " \"frequency_ppm\": 123456789012345678, \"skew_ppm\": -5,"
			    " \"root_delay\": 1e+21, \"update_interval\": 0.30000000000000004}");
	t = render(&mi, &len);
	ck_line(t, "linetime_tracking_last_offset_seconds 0.1");
	ck_line(t, "linetime_tracking_rms_offset_seconds -0");
	ck_line(t, "linetime_tracking_system_time_offset_seconds 1e-300");
	ck_line(t, "linetime_tracking_frequency_ppm 123456789012345678");
	ck_line(t, "linetime_tracking_skew_ppm -5");
	ck_line(t, "linetime_tracking_root_delay_seconds 1e+21");
	ck_line(t, "linetime_tracking_update_interval_seconds 0.30000000000000004");
	free(t);
	json_object_put(mi.tracking);
}
END_TEST

START_TEST(test_label_escaping)
{
	struct json_object *ports = json_object_object_get(in.ports, "ports");
	struct json_object *p0 = json_object_array_get_idx(ports, 0);
	struct json_object *p1 = json_object_array_get_idx(ports, 1);
	struct json_object *checks = json_object_object_get(in.health, "checks");
	struct json_object *c0 = json_object_array_get_idx(checks, 0);
	size_t len;
	char *t;

	json_object_object_add(p0, "name", json_object_new_string("we\"ird\\lan"));
	json_object_object_add(p1, "name", json_object_new_string("bad\xff" "utf8"));
	json_object_object_add(c0, "name", json_object_new_string("two\nlines"));
	t = render(&in, &len);
	ck_line(t, "linetime_port_link_up{port=\"we\\\"ird\\\\lan\"} 1");
	ck_line(t, "linetime_port_link_up{port=\"bad\xef\xbf\xbdutf8\"} 0");
	ck_line(t, "linetime_health_check_status{check=\"two\\nlines\"} 0");
	free(t);
}
END_TEST

START_TEST(test_system_mode)
{
	size_t len;
	char *t;

	json_object_put(in.tracking);
	json_object_put(in.sources);
	json_object_put(in.sourcestats);
	in.tracking = in.sources = in.sourcestats = NULL;
	json_object_object_add(in.status, "mode", json_object_new_string("system"));
	json_object_object_del(in.health, "perfdata"); /* a health report without perfdata */
	t = render(&in, &len);
	ck_assert_ptr_null(strstr(t, "linetime_health_perfdata"));
	ck_line(t, "linetime_health_status 1");
	ck_assert_ptr_null(strstr(t, "linetime_tracking_"));
	ck_assert_ptr_null(strstr(t, "linetime_source_"));
	ck_assert_ptr_null(strstr(t, "linetime_sourcestats_"));
	ck_line(t, "linetime_clock_mode{mode=\"system\"} 1");
	ck_line(t, "linetime_clock_mode{mode=\"upstream\"} 0");
	ck_line(t, "linetime_dataplane_up 1");
	free(t);
}
END_TEST

START_TEST(test_empty_and_null)
{
	struct metrics_input mi = {0};
	size_t len = 99;
	char *t;

	t = render(&mi, &len);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(t, "");
	free(t);
	t = render(NULL, &len);
	ck_assert_uint_eq(len, 0);
	free(t);
	ck_assert_int_eq(metrics_render(&mi, NULL, &len), -EINVAL);

	/* Empty objects everywhere: only what needs no field. */
	mi.serverstats = json_object_new_object();
	mi.ports = json_object_new_object();
	mi.status = json_object_new_object();
	mi.signd = json_object_new_object();
	mi.health = json_object_new_object();
	mi.tracking = json_object_new_object();
	mi.sources = json_object_new_object();
	mi.sourcestats = json_object_new_object();
	t = render(&mi, &len);
	ck_assert_uint_eq(len, 0);
	free(t);
	json_object_put(mi.serverstats);
	json_object_put(mi.ports);
	json_object_put(mi.status);
	json_object_put(mi.signd);
	json_object_put(mi.health);
	json_object_put(mi.tracking);
	json_object_put(mi.sources);
	json_object_put(mi.sourcestats);

	/* Reports of the wrong type altogether. */
	mi.serverstats = parse("[1, 2]");
	mi.ports = parse("\"ports\"");
	mi.status = parse("42");
	mi.signd = NULL; /* JSON null */
	mi.health = parse("true");
	mi.tracking = parse("[]");
	mi.sources = parse("1.5");
	mi.sourcestats = parse("[{}]");
	t = render(&mi, &len);
	ck_assert_uint_eq(len, 0);
	free(t);
	json_object_put(mi.serverstats);
	json_object_put(mi.ports);
	json_object_put(mi.status);
	json_object_put(mi.signd);
	json_object_put(mi.health);
	json_object_put(mi.tracking);
	json_object_put(mi.sources);
	json_object_put(mi.sourcestats);
}
END_TEST

START_TEST(test_wrong_types_skipped)
{
	struct json_object *ss = in.serverstats, *ports = json_object_object_get(ss, "ports");
	size_t len;
	char *t;

	json_object_object_add(in.status, "stratum", json_object_new_string("three"));
	json_object_object_add(in.status, "dataplane", json_object_new_int(5));
	json_object_object_add(in.status, "mode", json_object_new_int(1));
	json_object_object_add(ss, "workers", json_object_new_string("two"));
	json_object_object_add(ss, "control", json_object_new_array());
	/* lan1's counters are not an object: lan1 is left out of the counters. */
	json_object_object_add(json_object_array_get_idx(ports, 1), "counters",
			       json_object_new_string("x"));
	json_object_object_add(json_object_object_get(json_object_array_get_idx(ports, 0), "counters"),
			       "ntp_replies", json_object_new_string("2700"));
	json_object_array_add(ports, json_object_new_int(3));
	json_object_array_add(ports, json_object_new_object());
	json_object_object_add(in.health, "checks",
			       parse("[1, \"x\", {\"name\": 3}, {\"name\": \"clock\", \"status\": [1]},"
				     " {\"name\": \"odd\", \"status\": \"PENDING\"}]"));
	json_object_object_add(in.health, "perfdata", parse("{\"label\": \"x\"}"));
	json_object_object_add(in.signd, "failed", json_object_new_array());
	json_object_object_add(in.signd, "latency_us", json_object_new_string("fast"));
	json_object_object_add(in.signd, "queue", json_object_new_int(0));
	json_object_object_add(in.sources, "sources",
			       parse("[null, 7, {\"state\": \"sys_peer\"}, {\"name\": \"\", \"address\": \"\"},"
				     " {\"name\": \"s1\", \"state\": 5, \"poll\": \"six\", \"reach\": null}]"));
	json_object_object_add(in.tracking, "leap_pending", json_object_new_int(1));
	json_object_object_add(in.tracking, "stratum", json_object_new_double(3.0));
	t = render(&in, &len);
	ck_assert_ptr_null(strstr(t, "linetime_clock_stratum"));
	ck_assert_ptr_null(strstr(t, "linetime_dataplane_up"));
	ck_assert_ptr_null(strstr(t, "process=\"dataplane\""));
	ck_line(t, "linetime_process_starts_total{process=\"control\"} 1");
	ck_assert_ptr_null(strstr(t, "linetime_clock_mode"));
	ck_assert_ptr_null(strstr(t, "linetime_dataplane_worker_"));
	ck_assert_ptr_null(strstr(t, "linetime_control_"));
	ck_assert_ptr_null(strstr(t, "port=\"lan1\",reason"));
	ck_assert_ptr_null(strstr(t, "linetime_dataplane_ntp_replies_total"));
	ck_line(t, "linetime_dataplane_punted_total{port=\"lan0\"} 0");
	ck_line(t, "linetime_health_check_status{check=\"odd\"} 3");
	ck_assert_int_eq(count_samples(t, "linetime_health_check_status"), 1);
	ck_assert_ptr_null(strstr(t, "linetime_health_perfdata"));
	ck_assert_ptr_null(strstr(t, "linetime_signd_failures_total"));
	ck_assert_ptr_null(strstr(t, "linetime_signd_latency"));
	ck_assert_ptr_null(strstr(t, "linetime_signd_queue"));
	ck_line(t, "linetime_signd_signed_total 5110");
	/* Only s1 is a source; its state, poll and reach are unreadable. */
	ck_assert_int_eq(count_samples(t, "linetime_source_state"), 0);
	ck_assert_ptr_null(strstr(t, "linetime_source_poll_seconds"));
	ck_assert_ptr_null(strstr(t, "linetime_source_reach"));
	ck_assert_ptr_null(strstr(t, "linetime_tracking_leap_pending"));
	ck_line(t, "linetime_tracking_stratum 3");
	free(t);
}
END_TEST

START_TEST(test_duplicates_refused)
{
	struct json_object *ports = json_object_object_get(in.ports, "ports");
	struct json_object *srcs = json_object_object_get(in.sources, "sources");
	size_t len;
	char *t;

	json_object_array_add(ports, json_object_get(json_object_array_get_idx(ports, 0)));
	json_object_array_add(srcs, json_object_get(json_object_array_get_idx(srcs, 0)));
	t = render(&in, &len); /* the validator refuses duplicate series */
	ck_assert_int_eq(count_samples(t, "linetime_port_link_up"), 2);
	ck_assert_int_eq(count_samples(t, "linetime_source_stratum"), 3);
	free(t);
}
END_TEST

START_TEST(test_unknown_counters)
{
	struct json_object *totals = json_object_object_get(in.serverstats, "counters");
	struct json_object *lan0 = json_object_array_get_idx(json_object_object_get(in.serverstats, "ports"), 0);
	size_t len;
	char *t;

	/* A newer dataplane's counters: still shown; an unusable name is not. */
	json_object_object_add(totals, "drop_future", json_object_new_int(4));
	json_object_object_add(totals, "future_thing", json_object_new_int(5));
	json_object_object_add(totals, "bad-name", json_object_new_int(6));
	/* Would be linetime_dataplane_drops_total again: refused, not reopened. */
	json_object_object_add(totals, "drops", json_object_new_int(7));
	json_object_object_add(json_object_object_get(lan0, "counters"), "drop_future",
			       json_object_new_int(4));
	t = render(&in, &len);
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan0\",reason=\"future\"} 4");
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan1\",reason=\"future\"} 0");
	ck_line(t, "linetime_dataplane_future_thing_total{port=\"lan1\"} 0");
	ck_assert_ptr_null(strstr(t, "bad-name"));
	ck_assert_ptr_null(strstr(t, "linetime_dataplane_drops_total{port=\"lan0\"}"));
	free(t);
}
END_TEST

START_TEST(test_one_hot_unknown_state)
{
	size_t len;
	char *t;

	json_object_object_add(in.signd, "state", json_object_new_string("quantum"));
	json_object_object_add(in.signd, "enabled", json_object_new_boolean(0));
	t = render(&in, &len);
	ck_line(t, "linetime_signd_state{state=\"quantum\"} 1");
	ck_line(t, "linetime_signd_state{state=\"connected\"} 0");
	ck_line(t, "linetime_signd_enabled 0");
	ck_assert_int_eq(count_samples(t, "linetime_signd_state"), SIGND_STATE_COUNT + 1);
	free(t);
}
END_TEST

/* --- the producers' own output ------------------------------------------ */

static void *zalloc_aligned(size_t size)
{
	size_t rounded = (size + LT_CACHE_LINE - 1) / LT_CACHE_LINE * LT_CACHE_LINE;
	void *p = aligned_alloc(LT_CACHE_LINE, rounded);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, rounded);
	return p;
}

static int no_send(void *arg, const struct lt_msg *m)
{
	(void)arg;
	(void)m;
	return 0;
}

START_TEST(test_producers)
{
	struct lt_stats_block *st = zalloc_aligned(sizeof(*st));
	struct lt_ports_block *pb = zalloc_aligned(sizeof(*pb));
	struct report_ctl_counters cc = {.punt_received = 7};
	static struct lt_clock_snapshot clk;
	static struct lt_config cfg;
	struct metrics_input mi = {.version = "test"};
	struct mssntp *ms;
	char line[256];
	size_t len;
	char *t;

	pb->n_ports = 2;
	pb->n_workers = 2;
	snprintf(pb->port[0].name, sizeof(pb->port[0].name), "lan0");
	snprintf(pb->port[1].name, sizeof(pb->port[1].name), "lan1");
	pb->port[0].link_up = 1;
	pb->port[0].link_speed = 2500;
	pb->port[0].ts_source = LT_TS_SRC_NIC;
	st->w[1].ctr[1][LT_CTR_drop_runt] = (1ULL << 53) + 1;
	st->w[0].polls = 10;

	mi.serverstats = json_object_new_object();
	report_serverstats(mi.serverstats, st, pb, &cc);
	mi.ports = json_object_new_object();
	report_ports(mi.ports, pb);

	config_defaults(&cfg);
	ms = mssntp_new(&cfg, no_send, NULL);
	ck_assert_ptr_nonnull(ms);
	mi.signd = json_object_new_object();
	mssntp_report(ms, 1000, mi.signd);

	clk.tsc.valid = 1;
	clk.p.stratum = 2;
	clk.p.holdover_deadline_tsc = 2000;
	struct health_inputs hi = {.dp_alive = 1, .clock = &clk, .now_tsc = 1000, .ports = pb};
	mi.health = json_object_new_object();
	health_report(&hi, mi.health);

	t = render(&mi, &len);
	/* Whatever perfdata the health report has, one series each. */
	struct json_object *perf = json_object_object_get(mi.health, "perfdata");
	if (json_object_is_type(perf, json_type_array))
		ck_assert_int_eq(count_samples(t, "linetime_health_perfdata"),
				 (int)json_object_array_length(perf));
	/* Every counter of counters.h, for both ports. */
	for (unsigned int c = 0; c < LT_CTR_MAX; c++) {
		const char *name = counters_name(c);

		for (int p = 0; p < 2; p++) {
			if (strcmp(counters_kind(c), "drop") == 0)
				snprintf(line, sizeof(line),
					 "linetime_dataplane_drops_total{port=\"lan%d\",reason=\"%s\"} ", p,
					 name + 5);
			else
				snprintf(line, sizeof(line), "linetime_dataplane_%s_total{port=\"lan%d\"} ",
					 name, p);
			ck_assert_msg(strstr(t, line), "missing %s", line);
		}
	}
	ck_line(t, "linetime_dataplane_drops_total{port=\"lan1\",reason=\"runt\"} 9007199254740993");
	ck_line(t, "linetime_dataplane_worker_polls_total{worker=\"0\"} 10");
	ck_line(t, "linetime_control_punt_received_total 7");
	ck_line(t, "linetime_port_info{port=\"lan0\",device=\"\",driver=\"\",mac=\"00:00:00:00:00:00\","
		   "timestamping=\"nic\",tx_departure=\"after_burst\"} 1");
	ck_line(t, "linetime_port_tx_correction_seconds{port=\"lan0\"} 0");
	ck_line(t, "linetime_port_speed_bytes_per_second{port=\"lan0\"} 312500000");
	ck_line(t, "linetime_signd_enabled 0");
	ck_line(t, "linetime_signd_state{state=\"disabled\"} 1");
	ck_line(t, "linetime_signd_failures_total{reason=\"timeout\"} 0");
	ck_line(t, "linetime_signd_latency_seconds{quantile=\"0.5\"} 0");
	ck_line(t, "linetime_health_status 1");
	ck_line(t, "linetime_health_check_status{check=\"clock\"} 0");
	ck_line(t, "linetime_health_check_status{check=\"ports\"} 1");
	free(t);

	json_object_put(mi.serverstats);
	json_object_put(mi.ports);
	json_object_put(mi.signd);
	json_object_put(mi.health);
	mssntp_free(ms);
	config_free(&cfg);
	free(st);
	free(pb);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("render");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_render);
	tcase_add_test(tc, test_exact_lines);
	tcase_add_test(tc, test_big_counters_exact);
	tcase_add_test(tc, test_value_forms);
	tcase_add_test(tc, test_label_escaping);
	tcase_add_test(tc, test_system_mode);
	tcase_add_test(tc, test_empty_and_null);
	tcase_add_test(tc, test_wrong_types_skipped);
	tcase_add_test(tc, test_duplicates_refused);
	tcase_add_test(tc, test_unknown_counters);
	tcase_add_test(tc, test_one_hot_unknown_state);
	tcase_add_test(tc, test_producers);
	suite_add_tcase(s, tc);
	return s;
}
