/*
 * linetime-gen: an NTP load generator on a DPDK port.
 *
 * Simulates a population of NTP clients (a range of source addresses and
 * ports, IPv4 or IPv6), sends valid client requests at a fixed rate or as
 * fast as it can, checks every reply against the request it answers, and
 * reports sent / replied / lost / invalid, the rate achieved, latency
 * percentiles and offsets, and the server's transmit timestamp against the
 * arrival of the reply it describes (basic mode, or interleaved mode with
 * --xleave, following up as chrony's xleave clients do), as a table or as
 * JSON. One run is one step, a
 * fixed list of steps (--steps) or a capacity search (--search) for the
 * highest rate answered with less than --loss-threshold loss. It can also
 * just write its requests to a pcap file for tcpreplay (--pcap-out).
 *
 * Bounded: every step ends after --duration or --count, whichever comes
 * first; SIGINT ends the run cleanly with the figures so far.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "clockmap.h"
#include "shm.h"
#include "gen_port.h"
#include "genrate.h"
#include "genreq.h"
#include "genstats.h"
#include "genval.h"
#include "tsc.h"


#define MAX_STEPS 64
#define MAX_EAL_ARGS 64
#define DURATION_MAX_S 3600.0
#define PCAP_COUNT_DEFAULT 10000
#define PCAP_COUNT_MAX 100000000ULL

static volatile int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct opts {
	const char *port;
	const char *pcap_out;
	int have_dst_mac, have_src_mac, ipv6, json, search, quiet, xleave;
	uint8_t dst_mac[6], src_mac[6];
	const char *dst_ip, *src_range, *sport_range, *clock_region;
	uint16_t dst_port;
	uint64_t rate, rate_max, count;
	uint32_t burst;
	double duration, drain, warmup, timeout, slack_us, loss_thresh_pct, resolution;
	unsigned int version, max_steps;
	int stratum_min, stratum_max;
	uint64_t steps[MAX_STEPS];
	unsigned int n_steps;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: linetime-gen [OPTIONS] [-- EAL ARGUMENTS]\n"
		"\n"
		"  --port DEV             DPDK port: a vdev (\"net_memif0,role=client,socket=/run/x.sock\",\n"
		"                         \"net_af_packet0,iface=veth0\", \"net_af_xdp0,iface=veth0\") or a PCI address\n"
		"  --dst-ip ADDR          the server (IPv4 or IPv6)\n"
		"  --dst-mac MAC          its MAC (default: resolve with ARP / neighbour discovery)\n"
		"  --dst-port N           server port (123)\n"
		"  --src-ip-range A+N     N client addresses from A (default: the server's address + 1, 1 client)\n"
		"  --src-port-range P+N   N client ports from P (10000+10000)\n"
		"  --src-mac MAC          clients' MAC (default: the port's)\n"
		"  --ipv6                 addresses are IPv6 (also implied by an IPv6 --dst-ip)\n"
		"  --version N            NTP version of the requests, 1..4 (4)\n"
		"  --rate R               requests/s, with k/M suffixes; 0 or max = as fast as possible (10k)\n"
		"  --burst N              requests per burst, 1..64 (32)\n"
		"  --duration S           seconds per step (5; at most 3600)\n"
		"  --count N              requests per step at most (no limit)\n"
		"  --steps R1,R2,...      run one step per rate\n"
		"  --search               capacity search from --rate up to --rate-max for the highest rate\n"
		"                         answered with less than --loss-threshold loss\n"
		"  --rate-max R           ceiling of the search (20M)\n"
		"  --loss-threshold PCT   loss that fails a search step (0.1)\n"
		"  --resolution F         search stops when the bracket is within F of the rate (0.05)\n"
		"  --max-steps N          search steps at most (12)\n"
		"  --warmup S             a discarded low-rate step first, so servers learn the clients (0)\n"
		"  --drain S              seconds to wait for replies after a step (0.2)\n"
		"  --timeout S            a reply later than this is late (1)\n"
		"  --slack-us US          allowed disagreement of the two clocks (100)\n"
		"  --expect-stratum N[-M] stratum replies must carry (1-15)\n"
		"  --clock-region PATH    take the TSC -> time map linetimed publishes in this region\n"
		"                         (linetime on this host) instead of anchoring to CLOCK_REALTIME:\n"
		"                         T3 - T4 then compares two readings of one TSC through one map\n"
		"  --xleave               clients follow up in interleaved mode, as chrony's xleave\n"
		"                         does; T3 - T4 is reported for basic and interleaved replies\n"
		"  --pcap-out FILE        write --count requests (10000) to a classic pcap and exit;\n"
		"                         needs --dst-mac, no port is opened\n"
		"  --json                 JSON on stdout instead of a table\n"
		"  --quiet                no progress lines on stderr\n"
		"  --help\n"
		"\n"
		"EAL arguments default to: -l 0 --no-huge -m 256 --file-prefix linetime-gen (and --no-pci\n"
		"for a virtual port). The port is added to them. With 2 or more lcores, replies are\n"
		"received on the second while the first sends.\n");
}

static int parse_u64(const char *s, uint64_t *out, int allow_suffix)
{
	char *end;
	double v;

	if (allow_suffix && strcmp(s, "max") == 0) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	if (allow_suffix && (*end == 'k' || *end == 'K')) {
		v *= 1e3;
		end++;
	} else if (allow_suffix && (*end == 'm' || *end == 'M')) {
		v *= 1e6;
		end++;
	} else if (allow_suffix && (*end == 'g' || *end == 'G')) {
		v *= 1e9;
		end++;
	}
	if (*end || v > 1e15)
		return -1;
	*out = (uint64_t)(v + 0.5);
	return 0;
}

static int parse_double(const char *s, double *out, double lo, double hi)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (errno || end == s || *end || *out < lo || *out > hi) ? -1 : 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int parse_addr(const char *s, int family, uint8_t out[16])
{
	memset(out, 0, 16);
	return inet_pton(family == 6 ? AF_INET6 : AF_INET, s, out) == 1 ? 0 : -1;
}

/* "A+N" or "A" (N = 1). */
static int parse_addr_range(const char *s, int family, uint8_t first[16], uint32_t *count)
{
	char buf[128];
	const char *plus = strrchr(s, '+');
	uint64_t n = 1;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if (plus) {
		buf[plus - s] = '\0';
		if (parse_u64(plus + 1, &n, 0) || n == 0 || n > UINT32_MAX)
			return -1;
	}
	*count = (uint32_t)n;
	return parse_addr(buf, family, first);
}

static int parse_port_range(const char *s, uint16_t *first, uint32_t *count)
{
	uint64_t p, n = 1;
	char buf[64];
	const char *plus = strchr(s, '+');

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if (plus) {
		buf[plus - s] = '\0';
		if (parse_u64(plus + 1, &n, 0))
			return -1;
	}
	if (parse_u64(buf, &p, 0) || p == 0 || p > 65535 || n == 0 || p + n - 1 > 65535)
		return -1;
	*first = (uint16_t)p;
	*count = (uint32_t)n;
	return 0;
}

static int parse_steps(const char *s, struct opts *o)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	o->n_steps = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_steps == MAX_STEPS || parse_u64(tok, &o->steps[o->n_steps], 1))
			return -1;
		o->n_steps++;
	}
	return o->n_steps ? 0 : -1;
}

static int bad_opt(const char *name, const char *val)
{
	fprintf(stderr, "linetime-gen: --%s: invalid value \"%s\"\n", name, val);
	return -1;
}

enum {
	O_PORT = 256, O_DST_MAC, O_DST_IP, O_DST_PORT, O_SRC_RANGE, O_SPORT_RANGE, O_SRC_MAC, O_IPV6,
	O_RATE, O_BURST, O_DURATION, O_COUNT, O_VERSION, O_PCAP, O_JSON, O_STRATUM, O_STEPS,
	O_SEARCH, O_RATE_MAX, O_LOSS, O_RESOLUTION, O_MAX_STEPS, O_WARMUP, O_DRAIN, O_TIMEOUT,
	O_SLACK, O_QUIET, O_XLEAVE, O_CLOCK_REGION, O_HELP,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, O_PORT },
	{ "dst-mac", required_argument, NULL, O_DST_MAC },
	{ "dst-ip", required_argument, NULL, O_DST_IP },
	{ "dst-port", required_argument, NULL, O_DST_PORT },
	{ "src-ip-range", required_argument, NULL, O_SRC_RANGE },
	{ "src-port-range", required_argument, NULL, O_SPORT_RANGE },
	{ "src-mac", required_argument, NULL, O_SRC_MAC },
	{ "ipv6", no_argument, NULL, O_IPV6 },
	{ "rate", required_argument, NULL, O_RATE },
	{ "burst", required_argument, NULL, O_BURST },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "count", required_argument, NULL, O_COUNT },
	{ "version", required_argument, NULL, O_VERSION },
	{ "pcap-out", required_argument, NULL, O_PCAP },
	{ "json", no_argument, NULL, O_JSON },
	{ "expect-stratum", required_argument, NULL, O_STRATUM },
	{ "steps", required_argument, NULL, O_STEPS },
	{ "search", no_argument, NULL, O_SEARCH },
	{ "rate-max", required_argument, NULL, O_RATE_MAX },
	{ "loss-threshold", required_argument, NULL, O_LOSS },
	{ "resolution", required_argument, NULL, O_RESOLUTION },
	{ "max-steps", required_argument, NULL, O_MAX_STEPS },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "drain", required_argument, NULL, O_DRAIN },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "slack-us", required_argument, NULL, O_SLACK },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "xleave", no_argument, NULL, O_XLEAVE },
	{ "clock-region", required_argument, NULL, O_CLOCK_REGION },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0 to run, 1 after --help, -1 on a bad command line. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	uint64_t u;
	double d;

	memset(o, 0, sizeof(*o));
	o->dst_port = 123;
	o->rate = 10000;
	o->rate_max = 20000000;
	o->burst = 32;
	o->duration = 5;
	o->drain = 0.2;
	o->timeout = 1;
	o->slack_us = 100;
	o->loss_thresh_pct = 0.1;
	o->resolution = 0.05;
	o->version = 4;
	o->max_steps = 12;
	o->stratum_min = 1;
	o->stratum_max = 15;
	o->sport_range = "10000+10000";

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case O_PORT: o->port = optarg; break;
		case O_DST_MAC:
			if (parse_mac(optarg, o->dst_mac))
				return bad_opt("dst-mac", optarg);
			o->have_dst_mac = 1;
			break;
		case O_SRC_MAC:
			if (parse_mac(optarg, o->src_mac))
				return bad_opt("src-mac", optarg);
			o->have_src_mac = 1;
			break;
		case O_DST_IP: o->dst_ip = optarg; break;
		case O_DST_PORT:
			if (parse_u64(optarg, &u, 0) || u == 0 || u > 65535)
				return bad_opt("dst-port", optarg);
			o->dst_port = (uint16_t)u;
			break;
		case O_SRC_RANGE: o->src_range = optarg; break;
		case O_SPORT_RANGE: o->sport_range = optarg; break;
		case O_IPV6: o->ipv6 = 1; break;
		case O_RATE:
			if (parse_u64(optarg, &o->rate, 1))
				return bad_opt("rate", optarg);
			break;
		case O_RATE_MAX:
			if (parse_u64(optarg, &o->rate_max, 1) || o->rate_max == 0)
				return bad_opt("rate-max", optarg);
			break;
		case O_BURST:
			if (parse_u64(optarg, &u, 0) || u < 1 || u > 64)
				return bad_opt("burst", optarg);
			o->burst = (uint32_t)u;
			break;
		case O_DURATION:
			if (parse_double(optarg, &o->duration, 0.001, DURATION_MAX_S))
				return bad_opt("duration", optarg);
			break;
		case O_COUNT:
			if (parse_u64(optarg, &o->count, 1))
				return bad_opt("count", optarg);
			break;
		case O_VERSION:
			if (parse_u64(optarg, &u, 0) || u < 1 || u > 4)
				return bad_opt("version", optarg);
			o->version = (unsigned int)u;
			break;
		case O_PCAP: o->pcap_out = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_QUIET: o->quiet = 1; break;
		case O_XLEAVE: o->xleave = 1; break;
		case O_CLOCK_REGION: o->clock_region = optarg; break;
		case O_STRATUM: {
			int a, b;
			char tail;
			if (sscanf(optarg, "%d-%d%c", &a, &b, &tail) == 2)
				;
			else if (sscanf(optarg, "%d%c", &a, &tail) == 1)
				b = a;
			else
				return bad_opt("expect-stratum", optarg);
			if (a < 0 || b > 16 || a > b)
				return bad_opt("expect-stratum", optarg);
			o->stratum_min = a;
			o->stratum_max = b;
			break;
		}
		case O_STEPS:
			if (parse_steps(optarg, o))
				return bad_opt("steps", optarg);
			break;
		case O_SEARCH: o->search = 1; break;
		case O_LOSS:
			if (parse_double(optarg, &o->loss_thresh_pct, 0, 100))
				return bad_opt("loss-threshold", optarg);
			break;
		case O_RESOLUTION:
			if (parse_double(optarg, &o->resolution, 0.001, 1))
				return bad_opt("resolution", optarg);
			break;
		case O_MAX_STEPS:
			if (parse_u64(optarg, &u, 0) || u < 1 || u > MAX_STEPS)
				return bad_opt("max-steps", optarg);
			o->max_steps = (unsigned int)u;
			break;
		case O_WARMUP:
			if (parse_double(optarg, &o->warmup, 0, 60))
				return bad_opt("warmup", optarg);
			break;
		case O_DRAIN:
			if (parse_double(optarg, &o->drain, 0, 10))
				return bad_opt("drain", optarg);
			break;
		case O_TIMEOUT:
			if (parse_double(optarg, &d, 0.000001, 60))
				return bad_opt("timeout", optarg);
			o->timeout = d;
			break;
		case O_SLACK:
			if (parse_double(optarg, &o->slack_us, 0, 1e7))
				return bad_opt("slack-us", optarg);
			break;
		case O_HELP:
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "linetime-gen: unknown option \"%s\"\n", argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if (!o->dst_ip) {
		fprintf(stderr, "linetime-gen: --dst-ip is required\n");
		return -1;
	}
	if (strchr(o->dst_ip, ':'))
		o->ipv6 = 1;
	if (!o->pcap_out && !o->port) {
		fprintf(stderr, "linetime-gen: --port is required (or --pcap-out to write a file)\n");
		return -1;
	}
	if (o->search && o->n_steps) {
		fprintf(stderr, "linetime-gen: --search and --steps exclude each other\n");
		return -1;
	}
	if (o->search && o->rate == 0) {
		fprintf(stderr, "linetime-gen: --search needs a starting --rate above 0\n");
		return -1;
	}
	return 0;
}

/* Fill the request configuration from the options; mac fields later. */
static int request_cfg(const struct opts *o, struct genreq_cfg *c)
{
	int fam = o->ipv6 ? 6 : 4;

	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)fam;
	c->version = (uint8_t)o->version;
	c->dport = o->dst_port;
	c->poll = 6;
	if (parse_addr(o->dst_ip, fam, c->dst))
		return bad_opt("dst-ip", o->dst_ip);
	if (o->src_range) {
		if (parse_addr_range(o->src_range, fam, c->src_first, &c->src_count))
			return bad_opt("src-ip-range", o->src_range);
	} else {
		/* The server's neighbour: one client. */
		struct genreq_cfg t = *c;
		memcpy(t.src_first, c->dst, 16);
		genreq_client_addr(&t, 1, c->src_first);
		c->src_count = 1;
	}
	if (parse_port_range(o->sport_range, &c->sport_first, &c->sport_count))
		return bad_opt("src-port-range", o->sport_range);
	return 0;
}

static uint64_t random_key(void)
{
	uint64_t k = 0;
	FILE *f = fopen("/dev/urandom", "rb");

	if (!f || fread(&k, sizeof(k), 1, f) != 1)
		k = tsc_read() ^ ((uint64_t)getpid() << 32);
	if (f)
		fclose(f);
	return k;
}

/* --pcap-out: the requests as a file, no port. */
static int write_pcap(const struct opts *o, struct genreq_cfg *c)
{
	struct genreq g;
	char err[128];
	uint8_t f[GENREQ_FRAME_MAX];
	uint64_t n = o->count ? o->count : PCAP_COUNT_DEFAULT;
	uint64_t rate = o->rate ? o->rate : 1000000;
	struct timespec now;

	if (!o->have_dst_mac) {
		fprintf(stderr, "linetime-gen: --pcap-out needs --dst-mac (no port to resolve it on)\n");
		return 1;
	}
	if (n > PCAP_COUNT_MAX) {
		fprintf(stderr, "linetime-gen: --count: at most %llu frames in a pcap\n", PCAP_COUNT_MAX);
		return 1;
	}
	memcpy(c->dst_mac, o->dst_mac, 6);
	if (o->have_src_mac)
		memcpy(c->src_mac, o->src_mac, 6);
	else
		memcpy(c->src_mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x01 }, 6);
	if (genreq_init(&g, c, err, sizeof(err)) != 0) {
		fprintf(stderr, "linetime-gen: %s\n", err);
		return 1;
	}
	FILE *fp = fopen(o->pcap_out, "wb");
	if (!fp) {
		fprintf(stderr, "linetime-gen: %s: %s\n", o->pcap_out, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t t0 = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	int rc = genreq_pcap_header(fp);
	for (uint64_t i = 0; i < n && rc == 0; i++) {
		uint16_t len = genreq_next(&g, (uint32_t)i, f, NULL, NULL);
		rc = genreq_pcap_frame(fp, t0 + i * 1000000000ULL / rate, f, len);
	}
	if (fclose(fp) != 0 || rc != 0) {
		fprintf(stderr, "linetime-gen: %s: write failed\n", o->pcap_out);
		return 1;
	}
	if (!o->quiet)
		fprintf(stderr, "linetime-gen: wrote %llu requests to %s\n", (unsigned long long)n,
			o->pcap_out);
	return 0;
}

/* EAL argv: the user's after "--" or the defaults, then the port. */
static int eal_args(const struct opts *o, int argc, char **argv, int first_extra, char **out,
		    char *devbuf, size_t devlen)
{
	int n = 0;
	int is_vdev = strncmp(o->port, "net_", 4) == 0;

	out[n++] = "linetime-gen";
	if (first_extra < argc) {
		for (int i = first_extra; i < argc && n < MAX_EAL_ARGS - 4; i++)
			out[n++] = argv[i];
	} else {
		static char *defaults[] = { "-l", "0", "--no-huge", "-m", "256", "--file-prefix",
					    "linetime-gen", "--log-level", "*:warning" };
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			out[n++] = defaults[i];
		if (is_vdev)
			out[n++] = "--no-pci";
	}
	out[n++] = is_vdev ? "--vdev" : "-a";
	out[n++] = (char *)o->port;
	out[n] = NULL;
	/* The device name is what comes before the first comma. */
	size_t k = strcspn(o->port, ",");
	if (k >= devlen)
		k = devlen - 1;
	memcpy(devbuf, o->port, k);
	devbuf[k] = '\0';
	return n;
}

/* The generator's clock: TSC -> NTP time, anchored to CLOCK_REALTIME (the
 * clock both linetime and chronyd serve on one host), its rate measured
 * over the whole run so far; or, with --clock-region, linetime's own TSC
 * map as its control daemon last published it. */
struct gen_clock {
	uint64_t c0;
	struct timespec t0;
	double hz;
	struct lt_region *region;
};

static void clock_start(struct gen_clock *k)
{
	tsc_sample(CLOCK_REALTIME, &k->c0, &k->t0, NULL);
	k->hz = (double)rte_get_tsc_hz();
}

static void clock_map(struct gen_clock *k, struct lt_clock_map *m)
{
	uint64_t c;
	struct timespec t;

	if (k->region) {
		struct lt_clock_snapshot snap;
		shm_clock_read(shm_clock(k->region), &snap);
		if (snap.tsc.valid) {
			*m = snap.tsc;
			return;
		}
		fprintf(stderr, "linetime-gen: no clock published in the region yet; using CLOCK_REALTIME\n");
	}
	tsc_sample(CLOCK_REALTIME, &c, &t, NULL);
	double dt = (double)(t.tv_sec - k->t0.tv_sec) + (double)(t.tv_nsec - k->t0.tv_nsec) * 1e-9;
	if (dt > 0.5 && c > k->c0)
		k->hz = (double)(c - k->c0) / dt;
	m->base_counter = c;
	m->base_ntp = ntp_ts_from_timespec(&t);
	m->mult = clockmap_mult_from_hz(k->hz);
	m->valid = 1;
}

struct step_result {
	struct genstats st;
	struct genstats_summary m;
	int pass;
	int held; /* the generator offered (nearly) the rate asked */
};

static void print_addr(FILE *f, int family, const uint8_t *a)
{
	char b[INET6_ADDRSTRLEN];
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, b, sizeof(b));
	fputs(b, f);
}

static void print_json(const struct opts *o, const struct genreq_cfg *c, const char *dev,
		       struct step_result *r, unsigned int n, int best_i, double tsc_hz)
{
	printf("{\n  \"config\": {\n    \"port\": \"%s\",\n    \"family\": %u,\n    \"dst_ip\": \"", dev,
	       c->family);
	print_addr(stdout, c->family, c->dst);
	printf("\",\n    \"dst_mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\",\n", c->dst_mac[0],
	       c->dst_mac[1], c->dst_mac[2], c->dst_mac[3], c->dst_mac[4], c->dst_mac[5]);
	printf("    \"src_first\": \"");
	print_addr(stdout, c->family, c->src_first);
	printf("\",\n    \"src_count\": %u,\n    \"sport_first\": %u,\n    \"sport_count\": %u,\n",
	       c->src_count, c->sport_first, c->sport_count);
	printf("    \"version\": %u,\n    \"burst\": %u,\n    \"step_duration_s\": %.3f,\n", c->version,
	       o->burst, o->duration);
	printf("    \"lcores\": %u,\n    \"tsc_hz\": %.0f,\n    \"mode\": \"%s\"\n  },\n",
	       rte_lcore_count(), tsc_hz, o->search ? "search" : o->n_steps ? "steps" : "single");
	printf("  \"xleave\": %s,\n  \"clock\": \"%s\",\n", o->xleave ? "true" : "false",
	       o->clock_region ? "region" : "CLOCK_REALTIME");
	printf("  \"steps\": [");
	for (unsigned int i = 0; i < n; i++) {
		printf("%s\n    ", i ? "," : "");
		genstats_print_json(stdout, &r[i].st, &r[i].m, 4);
	}
	printf("\n  ],\n");
	printf("  \"step_held\": [");
	for (unsigned int i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", r[i].held ? "true" : "false");
	printf("],\n");
	printf("  \"step_pass\": [");
	for (unsigned int i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", r[i].pass ? "true" : "false");
	printf("],\n");
	if (best_i >= 0) {
		const struct step_result *b = &r[best_i];
		printf("  \"capacity\": {\"offered_pps\": %llu, \"reply_pps\": %.1f, \"loss_pct\": %.6f, "
		       "\"latency_p99_us\": %.3f, \"rate_held\": %s},\n",
		       (unsigned long long)b->m.offered_pps, b->m.reply_pps, b->m.loss_pct,
		       b->m.lat_p99_us, b->held ? "true" : "false");
	} else {
		printf("  \"capacity\": null,\n");
	}
	printf("  \"interrupted\": %s\n}\n", stop ? "true" : "false");
}

static void print_tables(struct step_result *r, unsigned int n, int best_i, int search)
{
	if (n == 1 && !search) {
		genstats_print_table(stdout, "linetime-gen", &r[0].st, &r[0].m);
		return;
	}
	printf("%12s %12s %12s %9s %9s %12s %10s %10s %10s %s\n", "offered/s", "sent", "replied",
	       "invalid", "loss %", "replied/s", "p50 us", "p99 us", "p99.9 us", "");
	for (unsigned int i = 0; i < n; i++) {
		const struct genstats_summary *m = &r[i].m;
		printf("%12llu %12llu %12llu %9llu %9.4f %12.0f %10.1f %10.1f %10.1f %s%s\n",
		       (unsigned long long)m->offered_pps, (unsigned long long)m->sent,
		       (unsigned long long)m->replied, (unsigned long long)m->invalid, m->loss_pct,
		       m->reply_pps, m->lat_p50_us, m->lat_p99_us, m->lat_p999_us,
		       r[i].pass ? "pass" : "FAIL", r[i].held ? "" : " (rate not held)");
	}
	if (best_i >= 0)
		printf("capacity: %llu requests/s offered, %.0f replied/s, loss %.4f %%\n",
		       (unsigned long long)r[best_i].m.offered_pps, r[best_i].m.reply_pps,
		       r[best_i].m.loss_pct);
	else if (search)
		printf("capacity: no step passed\n");
}

int main(int argc, char **argv)
{
	static struct step_result res[MAX_STEPS];
	struct opts o;
	struct genreq_cfg rc;
	struct genreq rq;
	struct genval val;
	struct genval_cfg vc;
	struct gen_clock clk = { .region = NULL };
	char err[160], dev[128];
	char *eal_argv[MAX_EAL_ARGS];
	int first_extra = argc, exit_code = 0;
	uint16_t port;
	uint8_t port_mac[6];

	/* Our options end at "--"; EAL's follow it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			first_extra = i + 1;
			argc = i;
			break;
		}
	}
	switch (parse_opts(argc, argv, &o)) {
	case 1:
		return 0;
	case -1:
		return 2;
	default:
		break;
	}
	if (request_cfg(&o, &rc) != 0)
		return 2;
	rc.key = random_key();
	if (o.pcap_out)
		return write_pcap(&o, &rc);

	/* argv beyond our own argc still holds the EAL part. */
	int all_argc = first_extra;
	while (all_argc < 1024 && argv[all_argc])
		all_argc++;
	int eal_argc = eal_args(&o, all_argc, argv, first_extra, eal_argv, dev, sizeof(dev));
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "linetime-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (gen_port_open(dev, &port, port_mac) != 0) {
		exit_code = 1;
		goto out_eal;
	}
	memcpy(rc.src_mac, o.have_src_mac ? o.src_mac : port_mac, 6);
	if (o.have_dst_mac) {
		memcpy(rc.dst_mac, o.dst_mac, 6);
	} else if (gen_port_resolve(port, &rc, 3.0, rc.dst_mac, &stop) != 0) {
		fprintf(stderr, "linetime-gen: %s does not answer %s; give --dst-mac\n", o.dst_ip,
			rc.family == 4 ? "ARP" : "neighbour solicitations");
		exit_code = 1;
		goto out_port;
	}
	if (genreq_init(&rq, &rc, err, sizeof(err)) != 0) {
		fprintf(stderr, "linetime-gen: %s\n", err);
		exit_code = 2;
		goto out_port;
	}
	uint64_t top = o.search ? o.rate_max : o.rate;
	for (unsigned int i = 0; i < o.n_steps; i++)
		if (o.steps[i] > top || o.steps[i] == 0)
			top = o.steps[i] ? o.steps[i] : 20000000;
	if (top == 0)
		top = 20000000;
	clock_start(&clk);
	if (o.clock_region &&
	    shm_attach_existing(o.clock_region, NULL, &clk.region, err, sizeof(err)) != 0) {
		fprintf(stderr, "linetime-gen: --clock-region: %s\n", err);
		exit_code = 2;
		goto out_port;
	}
	memset(&vc, 0, sizeof(vc));
	vc.family = rc.family;
	vc.version = rc.version;
	vc.stratum_min = (uint8_t)o.stratum_min;
	vc.stratum_max = (uint8_t)o.stratum_max;
	memcpy(vc.server, rc.dst, 16);
	vc.server_port = rc.dport;
	vc.req_ntp_len = 48;
	vc.key = rc.key;
	vc.slack_ntp = (uint64_t)ntp_interval_from_double(o.slack_us * 1e-6);
	vc.timeout_tsc = (uint64_t)(o.timeout * clk.hz);
	vc.table_bits = genval_table_bits((double)top, o.timeout);
	vc.pop = &rq.c;
	vc.xleave = (uint8_t)o.xleave;
	if (o.xleave && rc.src_count > GENVAL_XLEAVE_MAX_CLIENTS) {
		fprintf(stderr, "linetime-gen: --xleave follows at most %u clients\n",
			GENVAL_XLEAVE_MAX_CLIENTS);
		exit_code = 2;
		goto out_port;
	}
	if (genval_init(&val, &vc) != 0) {
		fprintf(stderr, "linetime-gen: no memory for 2^%u outstanding requests\n", vc.table_bits);
		exit_code = 1;
		goto out_port;
	}

	struct lt_clock_map map;
	struct genrate_step step = { .burst = o.burst, .duration_s = o.duration, .count = o.count,
				     .drain_s = o.drain };
	double dur;
	if (o.warmup > 0 && !stop) {
		struct genrate_step w = step;
		w.rate = o.rate && o.rate < 20000 ? o.rate : 20000;
		w.duration_s = o.warmup;
		w.count = 0;
		clock_map(&clk, &map);
		genval_set_map(&val, &map);
		gen_port_run_step(port, &rq, &val, &w, &res[0].st, &dur, &stop);
	}

	struct gensearch search;
	unsigned int n = 0;
	int best_i = -1;
	if (o.search)
		gensearch_init(&search, o.rate, 1000, o.rate_max, 2.0, o.resolution,
			       o.loss_thresh_pct / 100.0, o.max_steps);
	while (!stop && n < MAX_STEPS) {
		if (o.search) {
			step.rate = gensearch_next(&search);
			if (step.rate == 0)
				break;
		} else if (o.n_steps) {
			if (n == o.n_steps)
				break;
			step.rate = o.steps[n];
		} else {
			if (n == 1)
				break;
			step.rate = o.rate;
		}
		clock_map(&clk, &map);
		genval_set_map(&val, &map);
		struct step_result *r = &res[n];
		if (gen_port_run_step(port, &rq, &val, &step, &r->st, &dur, &stop) != 0) {
			fprintf(stderr, "linetime-gen: cannot start the receive lcore\n");
			exit_code = 1;
			break;
		}
		genstats_summarise(&r->st, step.rate, dur, &r->m);
		uint64_t offered = r->st.sent + r->st.tx_refused;
		double offer_pps = dur > 0 ? (double)offered / dur : 0;
		/* Held: within 3 % of the rate asked (the pacer's skips show here). */
		r->held = step.rate == 0 || offer_pps >= 0.97 * (double)step.rate ||
			  (step.count && offered >= step.count);
		/* Loss decides; whether the rate was held is reported beside it.
		 * The capacity is the highest rate actually replied to in a
		 * passing step, so a step the generator could not offer in full
		 * never overstates it. */
		r->pass = offered > 0 && r->m.loss_pct < o.loss_thresh_pct;
		if (o.search)
			gensearch_result(&search, step.rate, offered ? offered : 1, r->st.replied);
		if (r->pass && (best_i < 0 || r->m.reply_pps > res[best_i].m.reply_pps))
			best_i = (int)n;
		if (!o.quiet)
			fprintf(stderr,
				"linetime-gen: step %u: offered %llu/s, sent %.0f/s, replied %.0f/s, loss %.4f %%, p99 %.1f us%s\n",
				n + 1, (unsigned long long)step.rate, r->m.tx_pps, r->m.reply_pps,
				r->m.loss_pct, r->m.lat_p99_us, r->held ? "" : " (rate not held)");
		n++;
	}
	if (!o.search && !o.n_steps)
		best_i = n && res[0].pass ? 0 : -1;

	if (o.json)
		print_json(&o, &rq.c, dev, res, n, best_i, clk.hz);
	else
		print_tables(res, n, best_i, o.search);
	genval_fini(&val);
out_port:
	if (clk.region)
		shm_detach(clk.region);
	gen_port_close(port);
out_eal:
	rte_eal_cleanup();
	return exit_code;
}
