/*
 * linetimectl: the operator's tool for linetimed, in the manner of chronyc.
 *
 *   linetimectl [-s SOCKET] [--json] [-n] [-h] COMMAND [ARGS]
 *
 * One connection per invocation: send one request line, read one response
 * line (protocol in docs/ADMIN-PROTOCOL.md), render it as a human table or,
 * with --json, print the server's "data" object as it came. Each command is
 * one row of the commands table below: its name (one word, or two as in
 * "add server"), its help, its renderer and, when it takes arguments, the
 * parser that turns them into the request's "args".
 *
 * Exit codes: 0 success, 1 the server reported an error (or answered
 * something unusable), 2 usage error, 3 linetimed could not be reached or
 * did not answer in time.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin_proto.h"
#include "counters.h"

#ifndef LT_VERSION
#define LT_VERSION "0.1.0"
#endif

#define DEFAULT_SOCKET "/run/linetime/admin.sock"
#define SOCKET_ENV "LINETIME_SOCKET"
#define TIMEOUT_MS 5000

enum {
	EXIT_OK = 0,
	EXIT_SERVER = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
};

struct options {
	const char *socket;
	bool json;
	bool numeric;   /* no reverse DNS; for the commands that will print addresses */
};

struct command {
	const char *name;         /* as typed; may be two words ("add server") */
	const char *wire;         /* "cmd" on the wire when it differs from name */
	const char *synopsis;     /* its arguments, for "COMMAND -h" */
	const char *summary;      /* one line for the usage text */
	const char *description;  /* "linetimectl COMMAND -h" */
	void (*render)(struct json_object *data, const struct options *opt);
	/* Positional arguments to request args; calls die_usage() on a bad one.
	 * NULL: the command takes none. */
	struct json_object *(*parse)(const struct command *c, int n, char **pos);
	bool list_args;           /* takes --limit N and --sort KEY */
	bool nagios;              /* exit with the server's "code": 0 OK, 1 WARNING,
				   * 2 CRITICAL; 3 UNKNOWN when there is no answer */
};

static const char *prog = "linetimectl";
/* A monitoring check (health) says UNKNOWN for a usage error, as plugins do. */
static int usage_exit = EXIT_USAGE;

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s -h' for help.\n", prog);
	exit(usage_exit);
}

/* --- reading the server's data defensively ---------------------------- */

/* A newer or older server may lack a field; print what is there. */
static struct json_object *get(struct json_object *obj, const char *key, enum json_type type)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static uint64_t get_u64(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key, json_type_int);

	if (!v || json_object_get_int64(v) < 0)
		return 0;
	return json_object_get_uint64(v);
}

static int64_t get_i64(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key, json_type_int);

	return v ? json_object_get_int64(v) : 0;
}

static const char *get_str(struct json_object *obj, const char *key, const char *dflt)
{
	struct json_object *v = get(obj, key, json_type_string);

	return v ? json_object_get_string(v) : dflt;
}

static bool get_bool(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key, json_type_boolean);

	return v && json_object_get_boolean(v);
}

static char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xstrdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(EXIT_SERVER);
	}
	va_end(ap);
	return s;
}

/* --- aligned output ----------------------------------------------------- */

/* "Label : value" lines with the colons lined up, as chronyc prints them. */
struct kv {
	int n;
	char *label[128];
	char *value[128];
};

static void kv_add(struct kv *kv, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv_add(struct kv *kv, const char *label, const char *fmt, ...)
{
	va_list ap;
	char *v;

	if (kv->n == (int)(sizeof(kv->label) / sizeof(kv->label[0])))
		return;
	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	kv->label[kv->n] = strdup(label);
	kv->value[kv->n] = v;
	kv->n++;
}

static void kv_print(struct kv *kv)
{
	int w = 0;

	for (int i = 0; i < kv->n; i++)
		if (kv->label[i] && (int)strlen(kv->label[i]) > w)
			w = (int)strlen(kv->label[i]);
	for (int i = 0; i < kv->n; i++) {
		printf("%-*s : %s\n", w, kv->label[i] ? kv->label[i] : "",
		       kv->value[i] ? kv->value[i] : "");
		free(kv->label[i]);
		free(kv->value[i]);
	}
	kv->n = 0;
}

/* A table of strings; columns sized to their widest cell. */
struct table {
	int ncols;
	const char *const *head;
	const char *align;   /* per column: 'l' or 'r' */
	char **cell;
	int ncells, cap;
};

static void table_add(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void table_add(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (t->ncells == t->cap) {
		int cap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cell, (size_t)cap * sizeof(*p));

		if (!p) {
			fprintf(stderr, "%s: out of memory\n", prog);
			exit(EXIT_SERVER);
		}
		t->cell = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cell[t->ncells++] = s;
}

static void table_print(struct table *t)
{
	int width[32] = { 0 };

	if (t->ncols > 32)
		t->ncols = 32;
	for (int c = 0; c < t->ncols; c++)
		width[c] = (int)strlen(t->head[c]);
	for (int i = 0; i < t->ncells; i++) {
		int w = t->cell[i] ? (int)strlen(t->cell[i]) : 0;
		if (w > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (int i = -t->ncols; i < t->ncells; i++) {
		int c = (i + t->ncols) % t->ncols;
		const char *s = i < 0 ? t->head[c] : (t->cell[i] ? t->cell[i] : "");
		bool last = c == t->ncols - 1;

		if (t->align[c] == 'r')
			printf("%*s", width[c], s);
		else if (last)
			printf("%s", s);
		else
			printf("%-*s", width[c], s);
		printf(last ? "\n" : "  ");
	}
	for (int i = 0; i < t->ncells; i++)
		free(t->cell[i]);
	free(t->cell);
	t->cell = NULL;
	t->ncells = t->cap = 0;
}

/* --- counters by name ----------------------------------------------------- */

/* The server's names are authoritative; help and kind come from our own
 * list when we know the counter (a newer server may have more). */
static int counter_id(const char *name)
{
	for (unsigned int i = 0; i < LT_CTR_MAX; i++)
		if (strcmp(counters_name(i), name) == 0)
			return (int)i;
	return -1;
}

static bool counter_is_drop(const char *name)
{
	int id = counter_id(name);

	if (id >= 0)
		return strcmp(counters_kind((unsigned int)id), "drop") == 0;
	return strncmp(name, "drop_", 5) == 0;
}

static const char *counter_help(const char *name)
{
	int id = counter_id(name);

	return id >= 0 ? counters_help((unsigned int)id) : "";
}

/* Help text as a label: "frames received" -> "Frames received". */
static char *counter_label(const char *name)
{
	const char *h = counter_help(name);
	char *s = strdup(h[0] ? h : name);

	if (s && s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s;
}

struct drop {
	const char *name;
	uint64_t count;
};

static int drop_cmp(const void *a, const void *b)
{
	const struct drop *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static uint64_t sum_drops(struct json_object *counters)
{
	uint64_t sum = 0;

	json_object_object_foreach(counters, name, val) {
		if (json_object_is_type(val, json_type_int) && counter_is_drop(name))
			sum += json_object_get_uint64(val);
	}
	return sum;
}

/* --- renderers ------------------------------------------------------------ */

static void render_clientlog(struct json_object *cl);

static void render_serverstats(struct json_object *data, const struct options *opt)
{
	struct json_object *counters = get(data, "counters", json_type_object);
	struct json_object *ctl = get(data, "control", json_type_object);
	struct json_object *ports = get(data, "ports", json_type_array);
	struct json_object *workers = get(data, "workers", json_type_array);
	uint64_t ntp_drops = 0, answered = get_u64(counters, "ntp_replies");
	struct drop drops[256];
	size_t n_drops = 0;
	struct kv kv = { 0 };

	(void)opt;
	/*
	 * An NTP packet is one that reached the NTP layer: it was either
	 * answered or dropped for an NTP reason (drop_ntp_*). Frames dropped
	 * earlier (bad IP, wrong port) were never NTP requests to us.
	 */
	if (counters) {
		json_object_object_foreach(counters, name, val) {
			uint64_t v = json_object_is_type(val, json_type_int) ? json_object_get_uint64(val) : 0;

			if (strncmp(name, "drop_ntp_", 9) == 0)
				ntp_drops += v;
			if (v && counter_is_drop(name) && n_drops < sizeof(drops) / sizeof(drops[0]))
				drops[n_drops++] = (struct drop){ name, v };
		}
	}
	/* Requests refused by policy are NTP packets too (chrony counts its
	 * rate-limited ones in "NTP packets dropped"). */
	uint64_t leaked = get_u64(counters, "ntp_replies_leaked");
	uint64_t kod_rate = get_u64(counters, "kod_rate_sent"), kod_deny = get_u64(counters, "kod_deny_sent");
	uint64_t rl_drop = get_u64(counters, "drop_ratelimit"), acl_drop = get_u64(counters, "drop_acl_deny");
	answered += leaked;
	ntp_drops += rl_drop + acl_drop;
	kv_add(&kv, "NTP packets received", "%" PRIu64, answered + ntp_drops + kod_rate + kod_deny);
	kv_add(&kv, "NTP packets answered", "%" PRIu64, answered);
	kv_add(&kv, "NTP packets dropped", "%" PRIu64, ntp_drops);
	kv_add(&kv, "NTP requests over the rate limit", "%" PRIu64 " (%" PRIu64 " dropped, %" PRIu64
	       " KoD RATE, %" PRIu64 " answered by leak)", rl_drop + kod_rate + leaked, rl_drop, kod_rate, leaked);
	kv_add(&kv, "NTP requests denied by access rules", "%" PRIu64 " (%" PRIu64 " KoD DENY)",
	       acl_drop + kod_deny, kod_deny);
	/* Interleaved requests: served interleaved, or in basic mode when our
	 * previous reply's departure was unknown. */
	uint64_t xl = get_u64(counters, "ntp_interleaved"), xl_basic = get_u64(counters, "ntp_interleaved_basic");
	kv_add(&kv, "NTP interleaved requests", "%" PRIu64 " (%" PRIu64 " answered in basic mode)",
	       xl + xl_basic, xl_basic);
	kv_add(&kv, "NTP answered in interleaved mode", "%" PRIu64 " (%.1f %% of answered)", xl,
	       answered ? 100.0 * (double)xl / (double)answered : 0.0);
	kv_add(&kv, "Frames received", "%" PRIu64, get_u64(counters, "rx_frames"));
	kv_add(&kv, "Frames dropped", "%" PRIu64,
	       get(data, "drops_total", json_type_int) ? get_u64(data, "drops_total")
						      : sum_drops(counters));
	if (counters) {
		json_object_object_foreach(counters, name, val) {
			char *label;

			if (!json_object_is_type(val, json_type_int) || counter_is_drop(name) ||
			    strcmp(name, "rx_frames") == 0 || strcmp(name, "ntp_replies") == 0 ||
			    strcmp(name, "ntp_replies_leaked") == 0 || strcmp(name, "kod_rate_sent") == 0 ||
			    strcmp(name, "kod_deny_sent") == 0 || strcmp(name, "ntp_interleaved") == 0 ||
			    strcmp(name, "ntp_interleaved_basic") == 0)
				continue;
			label = counter_label(name);
			kv_add(&kv, label ? label : name, "%" PRIu64, json_object_get_uint64(val));
			free(label);
		}
	}
	if (ctl) {
		kv_add(&kv, "Control: punted frames read", "%" PRIu64, get_u64(ctl, "punt_received"));
		kv_add(&kv, "Control: punted UDP datagrams", "%" PRIu64, get_u64(ctl, "punt_udp"));
		kv_add(&kv, "Control: TX timestamps", "%" PRIu64, get_u64(ctl, "tx_stamps"));
		kv_add(&kv, "Control: frames injected", "%" PRIu64, get_u64(ctl, "inject_sent"));
		kv_add(&kv, "Control: inject ring full", "%" PRIu64, get_u64(ctl, "inject_ring_full"));
	}
	kv_print(&kv);
	render_clientlog(get(data, "clientlog", json_type_object));

	if (n_drops > 0) {
		static const char *const head[] = { "  Drop reason", "Count", "Meaning" };
		struct table t = { .ncols = 3, .head = head, .align = "lrl" };

		qsort(drops, n_drops, sizeof(drops[0]), drop_cmp);
		for (size_t i = 0; i < n_drops; i++) {
			table_add(&t, "  %s", drops[i].name);
			table_add(&t, "%" PRIu64, drops[i].count);
			table_add(&t, "%s", counter_help(drops[i].name));
		}
		printf("\n");
		table_print(&t);
	}

	if (ports && json_object_array_length(ports) > 0) {
		static const char *const head[] = { "Port", "Name", "RX frames", "NTP answered",
						    "Dropped", "Punted" };
		struct table t = { .ncols = 6, .head = head, .align = "rlrrrr" };

		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p = json_object_array_get_idx(ports, i);
			struct json_object *pc = get(p, "counters", json_type_object);

			table_add(&t, "%" PRIu64, get_u64(p, "index"));
			table_add(&t, "%s", get_str(p, "name", "-"));
			table_add(&t, "%" PRIu64, get_u64(pc, "rx_frames"));
			table_add(&t, "%" PRIu64, get_u64(pc, "ntp_replies"));
			table_add(&t, "%" PRIu64, pc ? sum_drops(pc) : 0);
			table_add(&t, "%" PRIu64, get_u64(pc, "punted"));
		}
		printf("\n");
		table_print(&t);
	}

	if (workers && json_object_array_length(workers) > 0) {
		static const char *const head[] = { "Worker", "Polls", "Busy polls", "Busy",
						    "RX frames" };
		struct table t = { .ncols = 5, .head = head, .align = "rrrrr" };

		for (size_t i = 0; i < json_object_array_length(workers); i++) {
			struct json_object *w = json_object_array_get_idx(workers, i);
			uint64_t polls = get_u64(w, "polls"), busy = get_u64(w, "busy_polls");

			table_add(&t, "%" PRIu64, get_u64(w, "index"));
			table_add(&t, "%" PRIu64, polls);
			table_add(&t, "%" PRIu64, busy);
			table_add(&t, "%.1f%%", polls ? 100.0 * (double)busy / (double)polls : 0.0);
			table_add(&t, "%" PRIu64, get_u64(w, "rx_frames"));
		}
		printf("\n");
		table_print(&t);
	}
}

/* 2500 -> "2.5G", 100 -> "100M"; link down or unknown -> "-". */
static char *format_speed(uint64_t mbps, bool up)
{
	if (!up || mbps == 0)
		return strdup("-");
	if (mbps >= 1000 && mbps % 1000 == 0)
		return xstrdup_printf("%" PRIu64 "G", mbps / 1000);
	if (mbps >= 1000)
		return xstrdup_printf("%.1fG", (double)mbps / 1000.0);
	return xstrdup_printf("%" PRIu64 "M", mbps);
}

static void render_ports(struct json_object *data, const struct options *opt)
{
	static const char *const head[] = { "Name", "Device", "Driver", "MAC", "Link",
					    "Speed", "Queues", "Stamps RX/TX", "TX departure", "RX csum",
					    "RX pkts", "TX pkts", "Missed" };
	struct table t = { .ncols = 13, .head = head, .align = "llllllllllrrr" };
	struct json_object *ports = get(data, "ports", json_type_array);

	(void)opt;
	if (!ports || json_object_array_length(ports) == 0) {
		printf("No ports.\n");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);
		bool up = get_bool(p, "link_up");
		char *speed = format_speed(get_u64(p, "speed_mbps"), up);

		table_add(&t, "%s", get_str(p, "name", "-"));
		table_add(&t, "%s", get_str(p, "device", "-"));
		table_add(&t, "%s", get_str(p, "driver", "-"));
		table_add(&t, "%s", get_str(p, "mac", "-"));
		table_add(&t, "%s", up ? "up" : "down");
		table_add(&t, "%s", speed ? speed : "-");
		table_add(&t, "%" PRIu64 "/%" PRIu64, get_u64(p, "rx_queues"), get_u64(p, "tx_queues"));
		table_add(&t, "%s/%s", get_str(p, "timestamping", "-"), get_str(p, "tx_timestamping", "-"));
		/* "before +2500ns": which TSC reading, and the correction added. */
		const char *dep = get_str(p, "tx_departure", "");
		table_add(&t, "%s %+" PRId64 "ns",
			  !strncmp(dep, "before", 6) ? "before" : !strncmp(dep, "after", 5) ? "after" : "-",
			  get_i64(p, "tx_correction_ns"));
		table_add(&t, "%s", get_bool(p, "rx_checksum_offload") ? "nic" : "software");
		table_add(&t, "%" PRIu64, get_u64(p, "ipackets"));
		table_add(&t, "%" PRIu64, get_u64(p, "opackets"));
		table_add(&t, "%" PRIu64, get_u64(p, "imissed"));
		free(speed);
	}
	table_print(&t);
}

static void render_help(struct json_object *data, const struct options *opt)
{
	static const char *const head[] = { "Command", "Access", "Description" };
	struct table t = { .ncols = 3, .head = head, .align = "lll" };
	struct json_object *cmds = get(data, "commands", json_type_array);

	(void)opt;
	for (size_t i = 0; cmds && i < json_object_array_length(cmds); i++) {
		struct json_object *c = json_object_array_get_idx(cmds, i);

		table_add(&t, "%s", get_str(c, "name", "?"));
		table_add(&t, "%s", get_str(c, "access", "?"));
		table_add(&t, "%s", get_str(c, "help", ""));
	}
	table_print(&t);
}

static void render_version(struct json_object *data, const struct options *opt)
{
	(void)opt;
	printf("linetimectl %s (admin protocol %d)\n", LT_VERSION, ADMIN_PROTO_VERSION);
	printf("%s %s (admin protocol %" PRIu64 ")\n", get_str(data, "name", "linetimed"),
	       get_str(data, "version", "unknown"), get_u64(data, "protocol"));
}

static void render_proc(const char *label, struct json_object *p, bool show_alive)
{
	if (!p) {
		printf("%-18s: unknown\n", label);
		return;
	}
	printf("%-18s: pid %" PRIu64 ", started %" PRIu64 " times, heartbeat %" PRIu64 "%s\n", label,
	       get_u64(p, "pid"), get_u64(p, "epoch"), get_u64(p, "heartbeat"),
	       show_alive ? (get_bool(p, "alive") ? ", alive" : ", NOT RESPONDING") : "");
}

static void render_status(struct json_object *data, const struct options *opt)
{
	struct json_object *v;

	(void)opt;
	render_proc("Control", get(data, "control", json_type_object), false);
	render_proc("Dataplane", get(data, "dataplane", json_type_object), true);
	printf("%-18s: %s\n", "Region", get_str(data, "region", "-"));
	printf("%-18s: %s\n", "Mode", get_str(data, "mode", "-"));
	printf("%-18s: %" PRIu64 "\n", "Stratum", get_u64(data, "stratum"));
	printf("%-18s: %" PRIu64 "\n", "Leap", get_u64(data, "leap"));
	printf("%-18s: %s\n", "Reference ID", get_str(data, "refid", "-"));
	v = get(data, "precision", json_type_int);
	printf("%-18s: 2^%d s\n", "Precision", v ? json_object_get_int(v) : 0);
	v = get(data, "tsc_hz", json_type_double);
	printf("%-18s: %.6f MHz\n", "TSC rate", v ? json_object_get_double(v) / 1e6 : 0.0);
	v = get(data, "holdover_s", json_type_double);
	printf("%-18s: %.0f s\n", "Holdover", v ? json_object_get_double(v) : 0.0);
	printf("%-18s: %" PRIu64 "\n", "Clock updates", get_u64(data, "clock_generation"));
}

static char *format_ago(double s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		return xstrdup_printf("%.0fs", s);
	if (s < 7200)
		return xstrdup_printf("%.0fm", s / 60);
	if (s < 172800)
		return xstrdup_printf("%.0fh", s / 3600);
	return xstrdup_printf("%.0fd", s / 86400);
}

static double get_double(struct json_object *obj, const char *key, double dflt)
{
	struct json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	return dflt;
}

/* Like chronyc clients: one line per client, busiest first. */
static void render_clients(struct json_object *data, const struct options *opt)
{
	static const char *const head[] = { "Client", "Hits", "Limited", "KoD", "Leaked",
					    "Interval", "First", "Last", "Worker" };
	struct table t = { .ncols = 9, .head = head, .align = "lrrrrrrrr" };
	struct json_object *cl = get(data, "clients", json_type_array);

	(void)opt;
	for (size_t i = 0; cl && i < json_object_array_length(cl); i++) {
		struct json_object *c = json_object_array_get_idx(cl, i);
		uint64_t plen = get_u64(c, "prefixlen");
		const char *addr = get_str(c, "address", "?");
		bool host = plen == 32 || plen == 128;
		double iv = get_double(c, "avg_interval", -1);
		char *first = format_ago(get_double(c, "first_seen_ago", 0));
		char *last = format_ago(get_double(c, "last_seen_ago", 0));

		if (host)
			table_add(&t, "%s", addr);
		else
			table_add(&t, "%s/%" PRIu64, addr, plen);
		table_add(&t, "%" PRIu64, get_u64(c, "hits"));
		table_add(&t, "%" PRIu64, get_u64(c, "limited"));
		table_add(&t, "%" PRIu64, get_u64(c, "kod"));
		table_add(&t, "%" PRIu64, get_u64(c, "leaked"));
		if (iv < 0)
			table_add(&t, "-");
		else if (iv < 10)
			table_add(&t, "%.2fs", iv);
		else
			table_add(&t, "%.0fs", iv);
		table_add(&t, "%s", first ? first : "-");
		table_add(&t, "%s", last ? last : "-");
		table_add(&t, "%" PRIu64, get_u64(c, "worker"));
		free(first);
		free(last);
	}
	if (!cl || json_object_array_length(cl) == 0) {
		printf("No clients.\n");
		return;
	}
	table_print(&t);
	if (get_u64(data, "shown") < get_u64(data, "total"))
		printf("(%" PRIu64 " of %" PRIu64 " clients shown; --limit 0 for all)\n",
		       get_u64(data, "shown"), get_u64(data, "total"));
}

static void render_clientlog(struct json_object *cl)
{
	if (!cl)
		return;
	printf("%-38s: %" PRIu64 " of %" PRIu64 " entries in %" PRIu64 " table(s)\n", "Client log in use",
	       get_u64(cl, "used"), get_u64(cl, "entries"), get_u64(cl, "tables"));
	printf("%-38s: %" PRIu64 "\n", "Client log records dropped", get_u64(cl, "evictions"));
}

static void render_ratelimit(struct json_object *data, const struct options *opt)
{
	struct json_object *rules = get(data, "access", json_type_array);
	struct json_object *rl = get(data, "ratelimit", json_type_object);

	(void)opt;
	printf("%-38s: %" PRIu64 "\n", "Policy generation", get_u64(data, "generation"));
	if (!rules || json_object_array_length(rules) == 0) {
		printf("%-38s: none (every client allowed)\n", "Access rules");
	} else {
		printf("%-38s: %zu, in order (most specific wins; unmatched: %s)\n", "Access rules",
		       json_object_array_length(rules), get_str(data, "default", "deny"));
		for (size_t i = 0; i < json_object_array_length(rules); i++)
			printf("  %s\n", json_object_get_string(json_object_array_get_idx(rules, i)));
	}
	printf("%-38s: %s\n", "Denied clients get", get_bool(data, "kod_deny") ? "KoD DENY" : "no reply");
	if (!rl || !get_bool(rl, "enabled")) {
		printf("%-38s: off\n", "Rate limit");
	} else {
		struct json_object *iv = get(rl, "interval", json_type_int);
		int interval = iv ? json_object_get_int(iv) : 0;
		uint64_t kod = get_u64(rl, "kod");

		printf("%-38s: interval %d (%g s), burst %" PRIu64 ", leak %" PRIu64 " (1 in %u answered anyway)\n",
		       "Rate limit", interval, interval >= 0 ? (double)(1u << interval) : 1.0 / (double)(1u << -interval),
		       get_u64(rl, "burst"), get_u64(rl, "leak"), 1u << (get_u64(rl, "leak") & 7));
		if (kod)
			printf("%-38s: 1 in %u of the rest\n", "KoD RATE sent to", 1u << (kod & 15));
		else
			printf("%-38s: never (limited requests are dropped)\n", "KoD RATE sent");
		printf("%-38s: IPv4 /%" PRIu64 ", IPv6 /%" PRIu64 "\n", "One client is", get_u64(rl, "ipv4_prefix"),
		       get_u64(rl, "ipv6_prefix"));
	}
	render_clientlog(get(data, "clientlog", json_type_object));
}

static void render_reload(struct json_object *data, const struct options *opt)
{
	struct json_object *applied = get(data, "applied", json_type_array);
	struct json_object *restart = get(data, "restart_needed", json_type_array);

	(void)opt;
	if (!applied || json_object_array_length(applied) == 0)
		printf("Reloaded: no changes to apply.\n");
	for (size_t i = 0; applied && i < json_object_array_length(applied); i++)
		printf("Applied: %s\n", json_object_get_string(json_object_array_get_idx(applied, i)));
	for (size_t i = 0; restart && i < json_object_array_length(restart); i++)
		printf("Needs a restart (running value kept): %s\n",
		       json_object_get_string(json_object_array_get_idx(restart, i)));
	printf("Policy generation %" PRIu64 "\n", get_u64(data, "policy_generation"));
}

static void render_keys(struct json_object *data, const struct options *opt)
{
	struct json_object *keys = get(data, "keys", json_type_array);
	size_t n = keys ? json_object_array_length(keys) : 0;

	(void)opt;
	printf("%-24s: %s\n", "Keyfile", get_str(data, "keyfile", "none"));
	printf("%-24s: %zu\n", "Keys", n);
	printf("%-24s: %" PRIu64 "\n", "Keyfile reloads rejected", get_u64(data, "load_errors"));
	printf("%-24s: %s\n", "A failed MAC gets",
	       get_bool(data, "crypto_nak") ? "a crypto-NAK" : "no reply");
	if (!n)
		return;
	printf("\n%10s  %-7s %5s  %14s  %14s\n", "Key ID", "Type", "Bits", "Authenticated", "Bad MAC");
	printf("==========================================================\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);

		printf("%10" PRIu64 "  %-7s %5" PRIu64 "  %14" PRIu64 "  %14" PRIu64 "\n", get_u64(k, "id"),
		       get_str(k, "type", "?"), get_u64(k, "bits"), get_u64(k, "ok"),
		       get_u64(k, "bad_mac"));
	}
}

static void render_signd(struct json_object *data, const struct options *opt)
{
	struct json_object *q = get(data, "queue", json_type_object);
	struct json_object *failed = get(data, "failed", json_type_object);
	struct json_object *lat = get(data, "latency_us", json_type_object);
	const char *err = get_str(data, "last_error", "");

	(void)opt;
	if (!get_bool(data, "enabled")) {
		printf("MS-SNTP signing is off (no ntpsigndsocket in the configuration).\n");
		printf("%-22s: %" PRIu64 "\n", "Requests dropped", get_u64(data, "requests"));
		return;
	}
	printf("%-22s: %s\n", "Socket", get_str(data, "socket", "-"));
	printf("%-22s: %s for %.0f s\n", "State", get_str(data, "state", "-"),
	       get_double(data, "state_for_s", 0));
	if (*err)
		printf("%-22s: %s\n", "Last error", err);
	printf("%-22s: %" PRIu64 " (%" PRIu64 " lost)\n", "Connections", get_u64(data, "connects"),
	       get_u64(data, "disconnects"));
	printf("%-22s: %" PRIu64 " queued, %" PRIu64 " at Samba, at most %" PRIu64 "\n", "Queue",
	       get_u64(q, "depth"), get_u64(q, "in_flight"), get_u64(q, "max"));
	printf("%-22s: %" PRIu64 "\n", "Requests", get_u64(data, "requests"));
	printf("%-22s: %" PRIu64 "\n", "Signed", get_u64(data, "signed"));
	printf("%-22s: %" PRIu64 "\n", "Sent to clients", get_u64(data, "sent"));
	if (failed) {
		bool any = false;

		json_object_object_foreach(failed, key, val) {
			uint64_t n = (uint64_t)json_object_get_int64(val);

			if (!n)
				continue;
			if (!any)
				printf("Failed, by reason:\n");
			printf("  %-20s: %" PRIu64 "\n", key, n);
			any = true;
		}
		if (!any)
			printf("%-22s: none\n", "Failed");
	}
	if (get_u64(lat, "count"))
		printf("%-22s: p50 %" PRIu64 " us, p90 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64
		       " us (%" PRIu64 " signed)\n",
		       "Signing latency", get_u64(lat, "p50"), get_u64(lat, "p90"), get_u64(lat, "p99"),
		       get_u64(lat, "max"), get_u64(lat, "count"));
}

/* One perfdata item as monitoring plugins print it:
 * label=value[uom];warn;crit;min;max, trailing empty fields left out. */
static void print_perfdata(struct json_object *p)
{
	const char *f[4] = { get_str(p, "warn", ""), get_str(p, "crit", ""), get_str(p, "min", ""),
			     get_str(p, "max", "") };
	struct json_object *v = get(p, "value", json_type_double);
	double value = v ? json_object_get_double(v) : (double)get_u64(p, "value");
	int last = 3;

	while (last >= 0 && !*f[last])
		last--;
	printf(" %s=%.9g%s", get_str(p, "label", "?"), value, get_str(p, "uom", ""));
	for (int i = 0; i <= last; i++)
		printf(";%s", f[i]);
}

static void render_health(struct json_object *data, const struct options *opt)
{
	struct json_object *checks = get(data, "checks", json_type_array);
	struct json_object *perf = get(data, "perfdata", json_type_array);

	(void)opt;
	/* First line as Nagios plugins print it, perfdata after "|"; then one
	 * line per check. */
	printf("LINETIME %s - %s", get_str(data, "status", "UNKNOWN"), get_str(data, "summary", ""));
	if (perf && json_object_array_length(perf)) {
		printf(" |");
		for (size_t i = 0; i < json_object_array_length(perf); i++)
			print_perfdata(json_object_array_get_idx(perf, i));
	}
	printf("\n");
	for (size_t i = 0; checks && i < json_object_array_length(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);

		printf("  %-9s %-9s %s\n", get_str(c, "status", "?"), get_str(c, "name", "?"),
		       get_str(c, "message", ""));
	}
}

/* metrics: the Prometheus text as the server made it. */
static void render_metrics(struct json_object *data, const struct options *opt)
{
	(void)opt;
	fputs(get_str(data, "text", ""), stdout);
}

/* --- synchronisation: chronyc's reports ------------------------------------ */

/* A signed integer field (stratum, poll); false when missing. */
static bool get_int64(struct json_object *obj, const char *key, int64_t *out)
{
	struct json_object *v = get(obj, key, json_type_int);

	if (!v)
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/*
 * An offset with its unit, as chronyc prints it: 6 characters ("  45us",
 * " 1.5s"), or 7 with a sign ("+123us"). A missing field (NaN) gives "-".
 */
static const char *fmt_offset(char *buf, size_t len, double s, bool sign)
{
	static const struct {
		double below;   /* |s| below this uses this row */
		double scale;
		int prec;
		const char *unit;
	} units[] = {
		{ 9999.5e-9, 1e9, 0, "ns" },
		{ 9999.5e-6, 1e6, 0, "us" },
		{ 9999.5e-3, 1e3, 0, "ms" },
		{ 999.5, 1.0, 1, "s" },
		{ 99999.5, 1.0, 0, "s" },
		{ 99999.5 * 60, 1.0 / 60, 0, "m" },
		{ 99999.5 * 3600, 1.0 / 3600, 0, "h" },
		{ 99999.5 * 86400, 1.0 / 86400, 0, "d" },
		{ INFINITY, 1.0 / (86400.0 * 365), 0, "y" },
	};
	int width = sign ? 7 : 6;
	double x = fabs(s);
	size_t i;

	if (isnan(s)) {
		snprintf(buf, len, "%*s", width, "-");
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1 && x >= units[i].below; i++)
		;
	width -= (int)strlen(units[i].unit);
	snprintf(buf, len, sign ? "%+*.*f%s" : "%*.*f%s", width, units[i].prec,
		 (sign ? s : x) * units[i].scale, units[i].unit);
	return buf;
}

/* An age or a span in 4 characters: "12s", "16m", "10h", "5d", "3y"; "-" if
 * negative (never) or missing. chronyc's thresholds, with a unit on seconds. */
static const char *fmt_interval(char *buf, size_t len, double s)
{
	unsigned long u;

	if (isnan(s) || s < 0) {
		snprintf(buf, len, "%4s", "-");
		return buf;
	}
	u = s < 4e9 ? (unsigned long)s : 4000000000UL;
	if (u < 1000)
		snprintf(buf, len, "%3lus", u);
	else if (u < 36000)
		snprintf(buf, len, "%3lum", u / 60);
	else if (u < 345600)
		snprintf(buf, len, "%3luh", u / 3600);
	else if (u / 86400 > 999)
		snprintf(buf, len, "%3luy", u / 86400 / 365);
	else
		snprintf(buf, len, "%3lud", u / 86400);
	return buf;
}

/* A frequency in ppm, 10 wide, as chronyc's sourcestats prints it. */
static const char *fmt_ppm(char *buf, size_t len, double f, bool sign)
{
	if (isnan(f))
		snprintf(buf, len, "%10s", "-");
	else
		snprintf(buf, len, sign ? "%+10.*f" : "%10.*f", fabs(f) < 99999.5 ? 3 : 0, f);
	return buf;
}

/* A source's name for a table: its name, or with -n its address once known;
 * longer than width, cut with '>' as chronyc does. */
static const char *fmt_source_name(char *buf, size_t len, struct json_object *src,
				   const struct options *opt, int width)
{
	const char *name = get_str(src, "name", "");
	const char *addr = get_str(src, "address", "");

	if ((opt->numeric && addr[0]) || !name[0])
		name = addr[0] ? addr : "?";
	snprintf(buf, len, "%s", name);
	if (width > 1 && (int)strlen(buf) > width && (size_t)width < len) {
		buf[width - 1] = '>';
		buf[width] = '\0';
	}
	return buf;
}

/* chronyc's header: the line, then '=' under all of it. */
static void print_header(const char *head)
{
	size_t n = strlen(head);

	printf("%s\n", head);
	while (n--)
		putchar('=');
	putchar('\n');
}

/* "C612000C" -> "LOCL"-style text, the printable bytes of a reference ID,
 * as chronyc shows it for a source without an address. */
static void refid_text(const char *hex, char *out, size_t len)
{
	char *end;
	unsigned long id = strtoul(hex, &end, 16);
	size_t j = 0;

	if (*end || end == hex || len == 0) {
		if (len)
			out[0] = '\0';
		return;
	}
	for (int i = 0; i < 4 && j + 1 < len; i++) {
		int c = (int)((id >> (24 - 8 * i)) & 0xff);

		if (c >= 0x20 && c < 0x7f)
			out[j++] = (char)c;
	}
	out[j] = '\0';
}

static const char *leap_text(const char *leap)
{
	if (strcmp(leap, "normal") == 0)
		return "Normal";
	if (strcmp(leap, "insert") == 0)
		return "Insert second";
	if (strcmp(leap, "delete") == 0)
		return "Delete second";
	if (strcmp(leap, "unsynchronised") == 0)
		return "Not synchronised";
	return leap[0] ? leap : "-";
}

/* A kv line for a numeric field: fmt and its arguments see the value as v_;
 * a missing field prints "-". */
#define KV_NUM(kv, label, data, key, fmt, ...)                                   \
	do {                                                                      \
		double v_ = get_double(data, key, NAN);                           \
		if (isnan(v_))                                                    \
			kv_add(kv, label, "-");                                   \
		else                                                              \
			kv_add(kv, label, fmt, __VA_ARGS__);                      \
	} while (0)

/* Like chronyc tracking, then the mode, the update counts and the leap plan. */
static void render_tracking(struct json_object *data, const struct options *opt)
{
	const char *refid = get_str(data, "refid", "");
	const char *ref = get_str(data, "reference", "");
	const char *pending = get_str(data, "leap_pending", "none");
	double t = get_double(data, "ref_time_unix", NAN);
	char text[16] = "", when[64] = "-";
	int64_t stratum, updates, steps;
	struct kv kv = { 0 };

	(void)opt;
	if (!ref[0])
		refid_text(refid, text, sizeof(text));
	kv_add(&kv, "Reference ID", "%s (%s)", refid[0] ? refid : "-", ref[0] ? ref : text);
	if (get_int64(data, "stratum", &stratum))
		kv_add(&kv, "Stratum", "%" PRId64, stratum);
	else
		kv_add(&kv, "Stratum", "-");
	if (!isnan(t) && t > -1e12 && t < 1e12) {
		time_t secs = (time_t)t;
		struct tm tm;

		if (gmtime_r(&secs, &tm))
			strftime(when, sizeof(when), "%a %b %d %T %Y", &tm);
	}
	kv_add(&kv, "Ref time (UTC)", "%s", when);
	/* Served minus system: positive means the system clock is behind, which
	 * chronyc words as "slow of NTP time". */
	KV_NUM(&kv, "System time", data, "system_time_offset", "%.9f seconds %s of NTP time", fabs(v_),
	       v_ > 0.0 ? "slow" : "fast");
	KV_NUM(&kv, "Last offset", data, "last_offset", "%+.9f seconds", v_);
	KV_NUM(&kv, "RMS offset", data, "rms_offset", "%.9f seconds", v_);
	KV_NUM(&kv, "Frequency", data, "frequency_ppm", "%.3f ppm %s", fabs(v_), v_ > 0.0 ? "fast" : "slow");
	KV_NUM(&kv, "Residual freq", data, "residual_freq_ppm", "%+.3f ppm", v_);
	KV_NUM(&kv, "Skew", data, "skew_ppm", "%.3f ppm", v_);
	KV_NUM(&kv, "Root delay", data, "root_delay", "%.9f seconds", v_);
	KV_NUM(&kv, "Root dispersion", data, "root_dispersion", "%.9f seconds", v_);
	KV_NUM(&kv, "Update interval", data, "update_interval", "%.1f seconds", v_);
	kv_add(&kv, "Leap status", "%s", leap_text(get_str(data, "leap", "")));
	kv_add(&kv, "Leap second", "%s pending (leapsecmode %s)",
	       strcmp(pending, "insert") == 0 ? "insert" : strcmp(pending, "delete") == 0 ? "delete" : "none",
	       get_str(data, "leapsecmode", "-"));
	kv_add(&kv, "Mode", "%s (%s)", get_str(data, "mode", "-"),
	       get(data, "synchronised", json_type_boolean)
		       ? (get_bool(data, "synchronised") ? "synchronised" : "not synchronised")
		       : "-");
	if (get_int64(data, "updates", &updates) && get_int64(data, "steps", &steps))
		kv_add(&kv, "Updates", "%" PRId64 " (%" PRId64 " step%s)", updates, steps, steps == 1 ? "" : "s");
	else
		kv_add(&kv, "Updates", "-");
	kv_print(&kv);
}

static const char *selection_outcome(const char *outcome)
{
	if (strcmp(outcome, "no_sources") == 0)
		return "no selectable sources";
	if (strcmp(outcome, "no_majority") == 0)
		return "no majority";
	if (strcmp(outcome, "minsources") == 0)
		return "fewer selectable sources than minsources";
	return outcome;
}

/* Like chronyc sources; the last sample is the offset +/- the root distance. */
static void render_sources(struct json_object *data, const struct options *opt)
{
	struct json_object *srcs = get(data, "sources", json_type_array);
	const char *outcome = get_str(data, "outcome", "ok");

	print_header("MS Name/IP address         Stratum Poll Reach LastRx Last sample               ");
	for (size_t i = 0; srcs && i < json_object_array_length(srcs); i++) {
		struct json_object *s = json_object_array_get_idx(srcs, i);
		const char *mark = get_str(s, "mark", " ");
		char name[64], stratum[16] = " -", poll[16] = " -", reach[16] = "  -";
		char lastrx[16], off[32], err[32];
		int64_t v;

		if (get_int64(s, "stratum", &v))
			snprintf(stratum, sizeof(stratum), "%2" PRId64, v);
		if (get_int64(s, "poll", &v))
			snprintf(poll, sizeof(poll), "%2" PRId64, v);
		if (get_int64(s, "reach", &v) && v >= 0 && v <= 0xff)
			snprintf(reach, sizeof(reach), "%3o", (unsigned int)v);
		printf("^%c %-27s  %s  %s   %s  %s  %s +/- %s\n", mark[0] ? mark[0] : ' ',
		       fmt_source_name(name, sizeof(name), s, opt, 25), stratum, poll, reach,
		       fmt_interval(lastrx, sizeof(lastrx), get_double(s, "last_rx_ago", NAN)),
		       fmt_offset(off, sizeof(off), get_double(s, "offset", NAN), true),
		       fmt_offset(err, sizeof(err), get_double(s, "root_distance", NAN), false));
	}
	if (strcmp(outcome, "ok") != 0)
		printf("\nNo selection: %s\n", selection_outcome(outcome));
	/* Replies that failed authentication never show as samples: say so. */
	for (size_t i = 0; srcs && i < json_object_array_length(srcs); i++) {
		struct json_object *s = json_object_array_get_idx(srcs, i);
		uint64_t bad = get_u64(s, "auth_missing") + get_u64(s, "auth_keyid") +
			       get_u64(s, "auth_fail") + get_u64(s, "crypto_nak");
		char name[64];

		if (bad)
			printf("%s %s: %" PRIu64 " repl%s failed authentication with key %" PRIu64
			       " (see authdata)\n", i ? "" : "\n", fmt_source_name(name, sizeof(name), s, opt, 0),
			       bad, bad == 1 ? "y" : "ies", get_u64(s, "key_id"));
	}
}

/* Like chronyc authdata: per source, its key and what authentication did. */
static void render_authdata(struct json_object *data, const struct options *opt)
{
	struct json_object *srcs = get(data, "sources", json_type_array);

	print_header("Name/IP address             Mode KeyID   Type KLen       OK   BadMAC BadKeyID    NoMAC    NAK");
	for (size_t i = 0; srcs && i < json_object_array_length(srcs); i++) {
		struct json_object *s = json_object_array_get_idx(srcs, i);
		char name[64], keyid[24] = "-", klen[24] = "-";
		uint64_t id = get_u64(s, "key_id");

		if (id)
			snprintf(keyid, sizeof(keyid), "%" PRIu64, id);
		if (get_u64(s, "bits"))
			snprintf(klen, sizeof(klen), "%" PRIu64, get_u64(s, "bits"));
		printf("%-27s %4s %5s %6s %4s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64
		       "%s\n", fmt_source_name(name, sizeof(name), s, opt, 27), get_str(s, "mode", "-"),
		       keyid, get_str(s, "type", "-"), klen, get_u64(s, "auth_ok"), get_u64(s, "auth_fail"),
		       get_u64(s, "auth_keyid"), get_u64(s, "auth_missing"), get_u64(s, "crypto_nak"),
		       get_bool(s, "key_missing") ? "  (key not in keyfile: not polled)" : "");
	}
}

/* Like chronyc sourcestats. */
static void render_sourcestats(struct json_object *data, const struct options *opt)
{
	struct json_object *srcs = get(data, "sources", json_type_array);

	print_header("Name/IP Address            NP  NR  Span  Frequency  Freq Skew  Offset  Std Dev");
	for (size_t i = 0; srcs && i < json_object_array_length(srcs); i++) {
		struct json_object *s = json_object_array_get_idx(srcs, i);
		char name[64], np[16] = "  -", nr[16] = "  -", span[16], freq[32], skew[32], off[32],
								     sd[32];
		int64_t v;

		if (get_int64(s, "np", &v))
			snprintf(np, sizeof(np), "%3" PRId64, v);
		if (get_int64(s, "nr", &v))
			snprintf(nr, sizeof(nr), "%3" PRId64, v);
		printf("%-25s %s %s  %s %s %s  %s  %s\n", fmt_source_name(name, sizeof(name), s, opt, 25), np,
		       nr, fmt_interval(span, sizeof(span), get_double(s, "span", NAN)),
		       fmt_ppm(freq, sizeof(freq), get_double(s, "frequency_ppm", NAN), true),
		       fmt_ppm(skew, sizeof(skew), get_double(s, "skew_ppm", NAN), false),
		       fmt_offset(off, sizeof(off), get_double(s, "offset", NAN), true),
		       fmt_offset(sd, sizeof(sd), get_double(s, "offset_sd", NAN), false));
	}
}

/* Like chronyc activity, without its "200 OK". */
static void render_activity(struct json_object *data, const struct options *opt)
{
	(void)opt;
	printf("%" PRIu64 " sources online\n", get_u64(data, "online"));
	printf("%" PRIu64 " sources offline\n", get_u64(data, "offline"));
	printf("%" PRIu64 " sources with unknown address\n", get_u64(data, "unresolved"));
	printf("%" PRIu64 " sources stopped by KoD\n", get_u64(data, "kod"));
}

static void render_makestep(struct json_object *data, const struct options *opt)
{
	const char *msg = get_str(data, "message", "");

	(void)opt;
	if (get_bool(data, "stepped"))
		printf("Clock stepped by %+.9f seconds\n", get_double(data, "step", 0));
	else
		printf("%s\n", msg[0] ? msg : "Clock not stepped");
}

static void render_burst(struct json_object *data, const struct options *opt)
{
	uint64_t n = get_u64(data, "sources");

	(void)opt;
	printf("Burst started on %" PRIu64 " source%s\n", n, n == 1 ? "" : "s");
}

static void render_add_server(struct json_object *data, const struct options *opt)
{
	(void)opt;
	printf("Source %s added\n", get_str(data, "name", "?"));
}

static void render_delete(struct json_object *data, const struct options *opt)
{
	(void)opt;
	printf("Source %s deleted\n", get_str(data, "name", "?"));
}

static void render_cyclelogs(struct json_object *data, const struct options *opt)
{
	uint64_t n = get_u64(data, "files");

	(void)opt;
	printf("%" PRIu64 " log file%s reopened\n", n, n == 1 ? "" : "s");
}

/* --- positional arguments --------------------------------------------------- */

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* An address or host name as an argument: not an option, and short enough
 * for the server (host names are at most 255 characters, RFC 1035 2.3.4). */
static const char *need_address(const struct command *c, const char *s)
{
	if (!s[0] || s[0] == '-')
		die_usage("%s: '%s' is not an address or host name", c->name, s);
	if (strlen(s) > 255)
		die_usage("%s: address longer than 255 characters", c->name);
	return s;
}

/* burst [GOOD/TOTAL] [ADDRESS], like chronyc; 4/8 when not given. */
/* health [--offset W,C] [--sources W,C] [--stratum W,C] [--ring-drops W,C]
 * [--heartbeat W,C]: thresholds for this call; an empty side (",0.5" or
 * "0.1,") keeps the configured one, 0 turns that level off. */
static struct json_object *parse_health(const struct command *c, int n, char **pos)
{
	static const struct {
		const char *opt, *key;
		bool whole;
	} th[] = {
		{ "--offset", "offset", false },       { "--sources", "sources", true },
		{ "--stratum", "stratum", true },      { "--ring-drops", "ring_drops", true },
		{ "--heartbeat", "heartbeat", false },
	};
	struct json_object *args = json_object_new_object();

	for (int i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < sizeof(th) / sizeof(th[0]); k++)
			if (strcmp(pos[i], th[k].opt) == 0)
				break;
		if (k == sizeof(th) / sizeof(th[0]))
			die_usage("%s: unexpected argument '%s'", c->name, pos[i]);
		if (i + 1 >= n || !strchr(pos[i + 1], ','))
			die_usage("%s: %s needs WARNING,CRITICAL (e.g. %s)", c->name, th[k].opt,
				  th[k].whole ? "2,1" : "0.01,0.1");
		char *side = pos[++i];
		for (int level = 0; level < 2; level++) {
			size_t len = strcspn(side, ",");
			char buf[32], key[48], *end;

			if (len >= sizeof(buf))
				die_usage("%s: %s: '%s' is too long", c->name, th[k].opt, side);
			memcpy(buf, side, len);
			buf[len] = '\0';
			side += len + (side[len] == ',');
			if (!buf[0])
				continue;
			errno = 0;
			double v = strtod(buf, &end);
			if (*end || errno || !isfinite(v) || v < 0 || (th[k].whole && v != floor(v)))
				die_usage("%s: %s: '%s' is not a %snumber >= 0", c->name, th[k].opt, buf,
					  th[k].whole ? "whole " : "");
			snprintf(key, sizeof(key), "%s_%s", th[k].key, level ? "critical" : "warning");
			json_object_object_add(args, key, th[k].whole ? json_object_new_int64((int64_t)v)
								      : json_object_new_double(v));
		}
	}
	return args;
}

static struct json_object *parse_burst(const struct command *c, int n, char **pos)
{
	long good = 4, total = 8;
	bool have_count = false;
	const char *address = NULL;
	struct json_object *args;

	for (int i = 0; i < n; i++) {
		const char *slash = strchr(pos[i], '/');
		char head[32];

		if (slash && (size_t)(slash - pos[i]) < sizeof(head) &&
		    strspn(pos[i], "0123456789") == (size_t)(slash - pos[i])) {
			if (have_count)
				die_usage("%s: GOOD/TOTAL given twice", c->name);
			memcpy(head, pos[i], (size_t)(slash - pos[i]));
			head[slash - pos[i]] = '\0';
			if (!parse_int(head, 1, 1000, &good) || !parse_int(slash + 1, 1, 1000, &total) ||
			    good > total)
				die_usage("%s: '%s' is not GOOD/TOTAL with 1 <= GOOD <= TOTAL", c->name, pos[i]);
			have_count = true;
		} else if (!address) {
			address = need_address(c, pos[i]);
		} else {
			die_usage("%s: unexpected argument '%s'", c->name, pos[i]);
		}
	}
	args = json_object_new_object();
	json_object_object_add(args, "good", json_object_new_int64(good));
	json_object_object_add(args, "total", json_object_new_int64(total));
	if (address)
		json_object_object_add(args, "address", json_object_new_string(address));
	return args;
}

/* add server ADDRESS [iburst] [prefer] [noselect] [minpoll N] [maxpoll N] */
static struct json_object *parse_add_server(const struct command *c, int n, char **pos)
{
	struct json_object *args;

	if (n < 1)
		die_usage("%s: needs an address or host name", c->name);
	args = json_object_new_object();
	json_object_object_add(args, "address", json_object_new_string(need_address(c, pos[0])));
	for (int i = 1; i < n; i++) {
		const char *o = pos[i];
		long v;

		if (strcmp(o, "iburst") == 0 || strcmp(o, "prefer") == 0 || strcmp(o, "noselect") == 0) {
			json_object_object_add(args, o, json_object_new_boolean(1));
		} else if (strcmp(o, "minpoll") == 0 || strcmp(o, "maxpoll") == 0) {
			if (i + 1 >= n || !parse_int(pos[i + 1], -64, 64, &v))
				die_usage("%s: %s needs a number (log2 seconds)", c->name, o);
			json_object_object_add(args, o, json_object_new_int64(v));
			i++;
		} else {
			die_usage("%s: unknown option '%s' (iburst, prefer, noselect, minpoll N, maxpoll N)",
				  c->name, o);
		}
	}
	return args;
}

/* delete ADDRESS_OR_NAME */
static struct json_object *parse_delete(const struct command *c, int n, char **pos)
{
	struct json_object *args;

	if (n != 1)
		die_usage("%s: needs one address or name, as 'sources' shows it", c->name);
	args = json_object_new_object();
	json_object_object_add(args, "address", json_object_new_string(need_address(c, pos[0])));
	return args;
}

static const struct command commands[] = {
	{ .name = "serverstats",
	  .summary = "show what the dataplane received, answered and dropped",
	  .description =
	  "Show the dataplane's counters summed over all workers: NTP packets received,\n"
	  "answered and dropped, every nonzero drop reason sorted by count, then the\n"
	  "counters per port and the poll statistics per worker.",
	  .render = render_serverstats },
	{ .name = "ports",
	  .summary = "show the dataplane's ports: device, link, queues, timestamps",
	  .description =
	  "Show each dataplane port: its name, DPDK device and driver, MAC address,\n"
	  "link state and speed, RX/TX queues, the timestamp source in use (nic, tsc\n"
	  "or none) and the NIC's packet and missed-packet counters.",
	  .render = render_ports },
	{ .name = "status",
	  .summary = "show both processes' liveness and the clock being served",
	  .description =
	  "Show whether linetimed and linetime-dp are running (pid, how many times each\n"
	  "has started, heartbeat), the shared region, and the clock the dataplane\n"
	  "serves: mode, stratum, leap, reference ID, precision, TSC rate, holdover.",
	  .render = render_status },
	{ .name = "tracking",
	  .summary = "show the clock's synchronisation, like chronyc tracking",
	  .description =
	  "Show the clock being served as chronyc tracking does: reference ID and\n"
	  "address, stratum, reference time, how far the host's system clock is from\n"
	  "it, last and RMS offset, frequency (fast or slow), residual frequency,\n"
	  "skew, root delay and dispersion, update interval and leap status; then the\n"
	  "leap second pending and how it will be handled (leapsecmode), the mode\n"
	  "(upstream, local or holdover) and how many updates and steps there were.",
	  .render = render_tracking },
	{ .name = "sources",
	  .summary = "list the upstream servers and their state, like chronyc sources",
	  .description =
	  "List the upstream servers as chronyc sources does: the selection mark\n"
	  "(* selected, + combined, - selectable but not combined, x falseticker,\n"
	  "~ too variable, ? unusable), name (address with -n), stratum, poll interval\n"
	  "(log2 seconds), reach register (octal), time since the last good reply, and\n"
	  "the last sample's offset +/- its root distance. When nothing could be\n"
	  "selected, says why.",
	  .render = render_sources },
	{ .name = "sourcestats",
	  .summary = "show the statistics of each source, like chronyc sourcestats",
	  .description =
	  "Show per source, as chronyc sourcestats does: samples held (NP), samples\n"
	  "the fit used (NR), the time they span, the residual frequency and its\n"
	  "error (skew) in ppm, and the estimated offset and its standard deviation.",
	  .render = render_sourcestats },
	{ .name = "activity",
	  .summary = "count the sources online, offline, unresolved and stopped by KoD",
	  .description =
	  "Count the sources that are online, offline, waiting for their name to\n"
	  "resolve, and stopped by a Kiss-o'-Death, like chronyc activity.",
	  .render = render_activity },
	{ .name = "authdata",
	  .summary = "show each source's symmetric key and authentication counters",
	  .description =
	  "Show per upstream source, like chronyc authdata: name (address with -n),\n"
	  "mode (SYM for a symmetric key, - for none), key ID, key type, key length in\n"
	  "bits, and the replies that authenticated (OK) and those rejected: bad\n"
	  "digest (BadMAC), a MAC under another key ID (BadKeyID), no MAC (NoMAC), and\n"
	  "crypto-NAKs (NAK, the server does not know the key). A source whose key\n"
	  "is missing from the keyfile is marked and not polled.",
	  .render = render_authdata },
	{ .name = "clients",
	  .synopsis = "[--limit N] [--sort hits|limited|last]",
	  .summary = "list clients: hits, rate-limited, KoD, intervals",
	  .description =
	  "List the clients the dataplane has seen, busiest first, like chronyc clients:\n"
	  "requests (hits), how many were over the rate limit (limited), KoD RATE\n"
	  "replies, limited requests answered anyway (leaked), the average interval\n"
	  "between requests, and when the client was first and last seen. With a rate\n"
	  "limit prefix shorter than a host (e.g. IPv6 /64), a client is a prefix.\n"
	  "Options: --limit N (default 100, 0 for all), --sort hits|limited|last.",
	  .render = render_clients, .list_args = true },
	{ .name = "ratelimit",
	  .summary = "show the access rules and rate limit in force",
	  .description =
	  "Show the policy the dataplane enforces now: access rules in order (the most\n"
	  "specific prefix wins), what denied clients get, the rate limit (interval,\n"
	  "burst, leak, KoD share, client prefix lengths) and client log usage.",
	  .render = render_ratelimit },
	{ .name = "reload",
	  .summary = "re-read the configuration and apply what changed",
	  .description =
	  "Re-read linetime.conf, validate all of it, and apply what can change while\n"
	  "running (access rules, rate limit, KoD, local stratum, holdover, log level,\n"
	  "ntpsigndsocket) "
	  "without restarting the dataplane. An invalid file is rejected with file,\n"
	  "line and setting, and the running configuration stays as it was. Settings\n"
	  "that need a restart are listed. Same as SIGHUP to linetimed. Needs root.",
	  .render = render_reload },
	{ .name = "makestep",
	  .summary = "step the clock now to remove the remaining offset",
	  .description =
	  "Correct the remaining offset of the clock being served by a step instead\n"
	  "of slewing it out, like chronyc makestep. Prints the step, or why there\n"
	  "was none (e.g. no synchronised source). Needs root.",
	  .render = render_makestep },
	{ .name = "burst",
	  .synopsis = "[GOOD/TOTAL] [ADDRESS]",
	  .summary = "send a quick burst of requests to the sources",
	  .description =
	  "Make the sources send a burst of requests, like chronyc burst: up to TOTAL\n"
	  "requests until GOOD good replies came back (default 4/8), to all sources\n"
	  "or to the one with this address or name. Needs root.",
	  .render = render_burst, .parse = parse_burst },
	{ .name = "add server", .wire = "add_server",
	  .synopsis = "ADDRESS [iburst] [prefer] [noselect] [minpoll N] [maxpoll N]",
	  .summary = "add an upstream server (not saved to the configuration)",
	  .description =
	  "Add an NTP server, like chronyc add server: ADDRESS is an IP address or a\n"
	  "host name, the options mean what they mean in linetime.conf (minpoll and\n"
	  "maxpoll in log2 seconds). The server lasts until linetimed restarts; add\n"
	  "it to linetime.conf to keep it. Needs root.",
	  .render = render_add_server, .parse = parse_add_server },
	{ .name = "delete", .wire = "delete_source",
	  .synopsis = "ADDRESS_OR_NAME",
	  .summary = "remove an upstream source",
	  .description =
	  "Remove a source, given by its address or by its name as sources shows it,\n"
	  "like chronyc delete. A source from linetime.conf comes back when linetimed\n"
	  "restarts. Needs root.",
	  .render = render_delete, .parse = parse_delete },
	{ .name = "cyclelogs",
	  .summary = "close and reopen the statistics log files",
	  .description =
	  "Close and reopen the measurements, statistics and tracking logs in logdir,\n"
	  "after logrotate has renamed them, like chronyc cyclelogs. Needs root.",
	  .render = render_cyclelogs },
	{ .name = "keys",
	  .summary = "show the symmetric keys and their counters",
	  .description =
	  "Show the keys of authenticated NTP (RFC 5905 MACs, RFC 8573) read from\n"
	  "the keyfile: identifier, type (MD5, SHA1, SHA256, SHA384, SHA512, AES128,\n"
	  "AES256), key length, and per key the requests whose MAC verified (answered\n"
	  "with a MAC) and those whose MAC did not. Secrets are never shown. Also\n"
	  "whether a failed MAC gets a crypto-NAK, and keyfile reloads rejected.",
	  .render = render_keys },
	{ .name = "signd",
	  .summary = "show MS-SNTP signing through Samba's ntp_signd",
	  .description =
	  "Show signed time for Windows domain members: the ntp_signd socket, its state\n"
	  "(connected, connecting, missing_directory, no_socket, permission_denied,\n"
	  "refused, stalled, closed), the queue to Samba, requests received, signed\n"
	  "and sent, failures by reason, and the signing latency (p50/p90/p99/max).",
	  .render = render_signd },
	{ .name = "health",
	  .synopsis = "[--offset W,C] [--sources W,C] [--stratum W,C] [--ring-drops W,C] "
		      "[--heartbeat W,C]",
	  .summary = "one verdict for monitoring: OK, WARNING or CRITICAL",
	  .description =
	  "Check the dataplane (heartbeat), the clock being served (stratum), the port\n"
	  "links, frames dropped on the rings between the processes in the last\n"
	  "minute, MS-SNTP signing (when configured) and, with upstream servers, the\n"
	  "synchronisation, the number of good sources and the offset from them.\n"
	  "Prints a Nagios plugin's first line (status, summary, | perfdata) and one\n"
	  "line per check; exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no answer).\n"
	  "Thresholds come from linetime.conf's health group; each option overrides one\n"
	  "pair for this call, WARNING,CRITICAL (an empty side keeps the configured\n"
	  "value, 0 turns that level off):\n"
	  "  --offset W,C      |offset| from the sources, seconds (default 0.01,0.1)\n"
	  "  --sources W,C     alert below this many good sources (default 1,0)\n"
	  "  --stratum W,C     alert at or above this served stratum (default 0,0)\n"
	  "  --ring-drops W,C  alert at this many ring drops in a minute (default 1,0)\n"
	  "  --heartbeat W,C   dataplane heartbeat age, seconds (default 0.5,1)",
	  .render = render_health, .parse = parse_health, .nagios = true },
	{ .name = "metrics",
	  .summary = "print every counter and gauge in Prometheus text format",
	  .description =
	  "Print every counter and gauge linetime keeps in the Prometheus text\n"
	  "exposition format (0.0.4), for the node_exporter textfile collector, e.g.\n"
	  "  linetimectl metrics > linetime.prom.tmp && mv linetime.prom.tmp linetime.prom\n"
	  "The same text is served on GET /metrics when metrics.listen is set in\n"
	  "linetime.conf. Names and labels are in METRICS.md. With --json the text\n"
	  "comes as {\"text\": ...}.",
	  .render = render_metrics },
	{ .name = "help",
	  .summary = "list the commands the server offers",
	  .description =
	  "List the commands linetimed offers, whether each needs write access (root)\n"
	  "or read access (root or the admin group), and a line of help for each.",
	  .render = render_help },
	{ .name = "version",
	  .summary = "show the versions of linetimectl and linetimed",
	  .description =
	  "Show the versions of linetimectl and of the running linetimed, and the\n"
	  "admin protocol version each speaks.",
	  .render = render_version },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))


static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-s SOCKET] [--json] [-n] [-h] COMMAND [ARGS]\n"
		"\n"
		"Query linetimed over its admin socket.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH  admin socket (default: $%s, else %s)\n"
		"  -j, --json         print the server's data as JSON\n"
		"  -n, --numeric      print addresses as numbers, without name lookups\n"
		"  -h, --help         show this help\n"
		"\n"
		"Commands:\n",
		prog, SOCKET_ENV, DEFAULT_SOCKET);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun '%s COMMAND -h' for help on one command.\n", prog);
}

static void command_usage(const struct command *c)
{
	printf("usage: %s [-s SOCKET] [--json] [-n] %s%s%s\n\n%s\n", prog, c->name,
	       c->synopsis ? " " : "", c->synopsis ? c->synopsis : "", c->description);
}

/* How many words of argv spell name ("add server" is two), or 0. */
static int name_words(const char *name, int argc, char **argv)
{
	int n = 0;

	while (*name) {
		size_t len = strcspn(name, " ");

		if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], name, len) != 0)
			return 0;
		n++;
		name += len;
		name += strspn(name, " ");
	}
	return n;
}

/* The command argv starts with, and how many words name it. The wire name
 * ("add_server", as the server's help lists it) is accepted too. */
static const struct command *find_command(int argc, char **argv, int *words)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		*words = name_words(commands[i].name, argc, argv);
		if (*words == 0 && commands[i].wire && strcmp(commands[i].wire, argv[0]) == 0)
			*words = 1;
		if (*words > 0)
			return &commands[i];
	}
	return NULL;
}

static void unknown_first_word(int argc, char **argv) __attribute__((noreturn));

/* argv[0] is the first word of a two-word command but the rest did not match:
 * "add -h" shows the help of every "add ..." command; anything else is an error. */
static void unknown_first_word(int argc, char **argv)
{
	size_t len = strlen(argv[0]);
	const struct command *c = NULL;
	bool help = argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);

	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strncmp(commands[i].name, argv[0], len) != 0 || commands[i].name[len] != ' ')
			continue;
		c = &commands[i];
		if (help)
			command_usage(c);
	}
	if (!c)
		die_usage("unknown command '%s'", argv[0]);
	if (help)
		exit(EXIT_OK);
	if (argc > 1)
		die_usage("unknown command '%s %s' (did you mean '%s'?)", argv[0], argv[1], c->name);
	die_usage("'%s' needs more: did you mean '%s %s'?", argv[0], c->name, c->synopsis ? c->synopsis : "");
}

/* --- talking to linetimed ------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline. Returns 0 or -ETIMEDOUT/-errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int64_t left = deadline - now_ms();
		int rc;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int connect_to(const char *path, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		/* A full backlog says EAGAIN on a Unix socket: the server is busy, try again. */
		if (errno == EAGAIN && now_ms() < deadline) {
			poll(NULL, 0, 50);
			continue;
		}
		if (errno == EINPROGRESS) {
			int soerr = 0;
			socklen_t len = sizeof(soerr);

			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc == 0) {
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
					soerr = errno;
				if (soerr == 0)
					return fd;
				rc = -soerr;
			}
		} else {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		close(fd);
		return rc;
	}
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int rc;

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Read one line (with its newline) into a malloc'd buffer. */
static int recv_line(int fd, char **out, size_t *outlen, int64_t deadline)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int rc;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		char *nl;

		if (len == cap) {
			char *p;

			if (cap >= ADMIN_MAX_RESPONSE) {
				free(buf);
				return -EMSGSIZE;
			}
			cap *= 2;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n > 0) {
			nl = memchr(buf + len, '\n', (size_t)n);
			len += (size_t)n;
			if (nl) {
				*out = buf;
				*outlen = (size_t)(nl - buf) + 1;
				return 0;
			}
			continue;
		}
		if (n == 0) {
			free(buf);
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = -errno;
			/* The server may answer and close at once (e.g. "permission denied"):
			 * whatever line arrived before the reset still counts. */
			nl = memchr(buf, '\n', len);
			if (nl) {
				*out = buf;
				*outlen = (size_t)(nl - buf) + 1;
				return 0;
			}
			free(buf);
			return rc;
		}
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0) {
			free(buf);
			return rc;
		}
	}
}

static const char *connect_hint(int err)
{
	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		return "is linetimed running?";
	case EACCES:
	case EPERM:
		return "run as root or as a member of the admin group";
	default:
		return "is linetimed running?";
	}
}

/*
 * One request, one response. Returns an exit code; on success *data holds
 * the response's data object.
 */
static int transact(const struct options *opt, const char *cmd, struct json_object *args,
		    struct json_object **data)
{
	int64_t deadline = now_ms() + TIMEOUT_MS;
	char err[512], *req, *resp = NULL;
	size_t resp_len = 0;
	int fd, rc;

	req = admin_request_format(cmd, args);
	if (!req) {
		fprintf(stderr, "%s: cannot format the request for '%s'\n", prog, cmd);
		return EXIT_USAGE;
	}
	fd = connect_to(opt->socket, deadline);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot connect to %s: %s (%s)\n", prog, opt->socket,
			strerror(-fd), connect_hint(-fd));
		free(req);
		return EXIT_CONNECT;
	}
	rc = send_all(fd, req, strlen(req), deadline);
	free(req);
	if (rc == 0) {
		/* Responses come after the whole request: a fresh 5 s for the answer. */
		rc = recv_line(fd, &resp, &resp_len, now_ms() + TIMEOUT_MS);
	}
	close(fd);
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "%s: no response from linetimed on %s within %d s\n", prog,
			opt->socket, TIMEOUT_MS / 1000);
		return EXIT_CONNECT;
	}
	if (rc == -EMSGSIZE) {
		fprintf(stderr, "%s: response from %s is larger than %d bytes\n", prog, opt->socket,
			ADMIN_MAX_RESPONSE);
		return EXIT_SERVER;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: lost the connection to %s: %s\n", prog, opt->socket,
			rc == -ECONNRESET ? "closed without a response" : strerror(-rc));
		return EXIT_CONNECT;
	}
	rc = admin_response_parse(resp, resp_len, data, err, sizeof(err));
	free(resp);
	if (rc == -EREMOTEIO) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_SERVER;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: malformed response from linetimed: %s\n", prog, err);
		return EXIT_SERVER;
	}
	return EXIT_OK;
}

/* --- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options opt = { 0 };
	const struct command *cmd;
	struct json_object *data = NULL;
	int c, rc, words = 0;

	opt.socket = getenv(SOCKET_ENV);
	if (!opt.socket || opt.socket[0] == '\0')
		opt.socket = DEFAULT_SOCKET;

	/* "+": options end at the command; what follows belongs to it. */
	while ((c = getopt_long(argc, argv, "+s:jnh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (optarg[0] == '\0')
				die_usage("-s needs a socket path");
			opt.socket = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'n':
			opt.numeric = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s -h' for help.\n", prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argc - optind, argv + optind, &words);
	if (!cmd)
		unknown_first_word(argc - optind, argv + optind);
	if (cmd->nagios)
		usage_exit = 3;

	/* The display options may also follow the command, as people type them;
	 * what is left are the command's own arguments. */
	struct json_object *args = NULL;
	char **pos = calloc((size_t)argc, sizeof(*pos));
	int npos = 0;

	if (!pos) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_SERVER;
	}
	for (int i = optind + words; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			command_usage(cmd);
			free(pos);
			return EXIT_OK;
		} else if (cmd->list_args && (strcmp(a, "--limit") == 0 || strcmp(a, "-l") == 0)) {
			char *end;
			long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
			if (i + 1 >= argc || *end || v < 0)
				die_usage("%s: --limit needs a number (0 for all)", cmd->name);
			if (!args)
				args = json_object_new_object();
			json_object_object_add(args, "limit", json_object_new_int64(v));
			i++;
		} else if (cmd->list_args && strcmp(a, "--sort") == 0) {
			if (i + 1 >= argc)
				die_usage("%s: --sort needs hits, limited or last", cmd->name);
			if (!args)
				args = json_object_new_object();
			json_object_object_add(args, "sort", json_object_new_string(argv[++i]));
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
			opt.json = true;
		} else if (strcmp(a, "-n") == 0 || strcmp(a, "--numeric") == 0) {
			opt.numeric = true;
		} else if (cmd->parse) {
			pos[npos++] = argv[i];
		} else {
			die_usage("%s: unexpected argument '%s'", cmd->name, a);
		}
	}
	if (cmd->parse)
		args = cmd->parse(cmd, npos, pos);
	free(pos);

	rc = transact(&opt, cmd->wire ? cmd->wire : cmd->name, args, &data);
	json_object_put(args);
	if (rc != EXIT_OK) {
		if (cmd->nagios) {
			printf("LINETIME UNKNOWN - no answer from linetimed\n");
			return 3;
		}
		return rc;
	}
	if (opt.json) {
		printf("%s\n", json_object_to_json_string_ext(data, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_SPACED |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		cmd->render(data, &opt);
	}
	if (cmd->nagios) {
		struct json_object *code = get(data, "code", json_type_int);

		rc = code ? json_object_get_int(code) : 3;
		if (rc < 0 || rc > 3)
			rc = 3;
	}
	json_object_put(data);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write output: %s\n", prog, strerror(errno));
		return EXIT_SERVER;
	}
	return rc;
}
