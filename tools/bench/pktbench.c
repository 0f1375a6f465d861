/*
 * pktbench: the cost of one NTP reply on the fast path, without I/O.
 *
 * Builds a fixed batch of client requests (tools/gen/genreq, one client
 * address per request), then for each of N passes restores the batch and
 * runs every frame through pktproc_handle() + pktproc_stamp_tx(), exactly
 * what a linetime-dp worker does between rx_burst and tx_burst (less the
 * timestamp conversion and the mbuf handling). Prints ns per reply and the
 * replies per second one core would sustain on this logic alone.
 *
 * Deterministic (fixed frames, fixed timestamps, a synthetic clock), so
 * `valgrind --tool=callgrind --toggle-collect=pktbench_reply` over it counts
 * exactly the instructions spent inside the fast path; divide by the
 * "replies" it prints. The restore copy is outside pktbench_reply() and is
 * timed separately and subtracted from the wall-clock figure.
 *
 *   pktbench [-n PASSES] [-b BATCH] [--ipv6] [--policy] [--rx-csum-ok]
 *            [--auth md5|sha1|aes128|aes256] [--quiet]
 *
 * --auth signs every request with a MAC under one key of that type (RFC
 * 5905 7.3), so each reply costs a MAC check and a MAC write (IPv4 only).
 *
 * --rx-csum-ok hands every frame over as a NIC with RX checksum offload
 * would (IPv4 header and UDP checksums verified), so nothing is summed
 * twice; what the i226 and most server NICs do.
 *
 * --policy turns on what pktproc_ctx offers beyond the plain path: an access
 * list, the client log and rate limiting (set so nothing is limited: the
 * cost measured is the bookkeeping, not dropping).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../gen/genreq.h"
#include "keytab.h"
#include "ntp_mac.h"
#include "acl.h"
#include "clientlog.h"
#include "config.h"
#include "counters.h"
#include "neigh.h"
#include "pktproc.h"

#define FRAME_ROOM 256
#define SIM_TSC_HZ 2000000000ULL   /* the synthetic clock the client log sees */
#define SIM_RATE 10000000ULL       /* requests per second it pretends to serve */

/* The fast path for one frame: what callgrind counts (--toggle-collect). */
__attribute__((noinline)) uint16_t pktbench_reply(const struct pktproc_ctx *ctx, uint8_t *buf,
						  uint16_t len, ntp_ts_t rx, ntp_ts_t tx,
						  unsigned int rx_ok);

uint16_t pktbench_reply(const struct pktproc_ctx *ctx, uint8_t *buf, uint16_t len, ntp_ts_t rx,
			ntp_ts_t tx, unsigned int rx_ok)
{
	struct pktproc_verdict v = pktproc_handle_rx(ctx, buf, len, FRAME_ROOM, rx, rx_ok);

	if (v.action != PKTPROC_REPLY)
		return v.ctr;
	if (v.ntp_off)
		pktproc_stamp_tx(buf, &v, tx);
	return v.ctr;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pktbench [-n PASSES] [-b BATCH] [--ipv6] [--policy] [--rx-csum-ok]\n"
		   "                [--auth md5|sha1|aes128|aes256] [--quiet]\n");
}

/* Append a MAC under k to the IPv4 request of len bytes at f (NTP at 42)
 * and fix its lengths and checksums. Returns the new length. */
static uint16_t sign4(uint8_t *f, uint16_t len, const struct ntp_mac_key *k)
{
	uint8_t pseudo[12 + 8 + 48 + NTP_MAC_LEN_MAX];
	uint16_t mac = (uint16_t)ntp_mac_write(k, f + 42, 48, f + 90);
	uint16_t ulen = (uint16_t)(8 + 48 + mac), csum;

	(void)len;
	f[16] = (uint8_t)((20 + ulen) >> 8);
	f[17] = (uint8_t)(20 + ulen);
	f[24] = f[25] = 0;
	csum = htons(inet_csum(f + 14, 20));
	memcpy(f + 24, &csum, 2);
	f[38] = (uint8_t)(ulen >> 8);
	f[39] = (uint8_t)ulen;
	f[40] = f[41] = 0;
	memcpy(pseudo, f + 26, 8); /* source and destination */
	pseudo[8] = 0;
	pseudo[9] = INET_PROTO_UDP;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	memcpy(pseudo + 12, f + 34, ulen);
	csum = htons(inet_csum(pseudo, 12u + ulen));
	if (csum == 0)
		csum = 0xffff; /* RFC 768: 0 means none */
	memcpy(f + 40, &csum, 2);
	return (uint16_t)(42 + 48 + mac);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ipv6", no_argument, NULL, '6' }, { "policy", no_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ "rx-csum-ok", no_argument, NULL, 'o' }, { "auth", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long passes = 2000, batch = 256;
	int ipv6 = 0, policy = 0, quiet = 0, c;
	unsigned int rx_ok = 0;
	enum ntp_mac_type auth = NTP_MAC_NONE;

	while ((c = getopt_long(argc, argv, "n:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': passes = strtoul(optarg, NULL, 0); break;
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		case '6': ipv6 = 1; break;
		case 'p': policy = 1; break;
		case 'q': quiet = 1; break;
		case 'o': rx_ok = PKTPROC_RX_IP_CSUM_OK | PKTPROC_RX_L4_CSUM_OK; break;
		case 'a':
			auth = ntp_mac_type_parse(optarg);
			if (auth == NTP_MAC_NONE) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (passes < 1 || passes > 100000000UL || batch < 1 || batch > 65536 ||
	    (auth != NTP_MAC_NONE && ipv6)) {
		usage(stderr);
		return 2;
	}

	/* The server: one port, one address per family, a synchronised clock. */
	struct pktproc_port port;
	struct ntp_server_params server;
	static struct neigh_table neigh;
	memset(&port, 0, sizeof(port));
	memset(&server, 0, sizeof(server));
	memcpy(port.mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0xb0, 0x01 }, 6);
	port.n_ip4 = 1;
	inet_pton(AF_INET, "198.19.0.1", &port.ip4[0]);
	port.n_ip6 = 1;
	inet_pton(AF_INET6, "2001:2:0:b::1", port.ip6[0]);
	pktproc_ip6_linklocal(port.mac, port.ip6_ll);
	server.leap = 0;
	server.stratum = 2;
	server.precision = -24;
	server.refid = 0xc6130001U;
	server.ref_time = 0xeeac95c500000000ULL;
	neigh_init(&neigh, SIM_TSC_HZ);

	/* The clients: batch addresses, one request each. */
	struct genreq_cfg rc;
	struct genreq rq;
	char err[128];
	memset(&rc, 0, sizeof(rc));
	memcpy(rc.src_mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0xb0, 0x02 }, 6);
	memcpy(rc.dst_mac, port.mac, 6);
	rc.family = ipv6 ? 6 : 4;
	rc.version = 4;
	rc.poll = 6;
	rc.src_count = (uint32_t)batch;
	rc.sport_first = 10000;
	rc.sport_count = 1;
	rc.dport = 123;
	rc.key = 0x6c696e6574696d65ULL;
	if (ipv6) {
		memcpy(rc.dst, port.ip6[0], 16);
		inet_pton(AF_INET6, "2001:2:0:b::1:0", rc.src_first);
	} else {
		memcpy(rc.dst, &port.ip4[0], 4);
		inet_pton(AF_INET, "198.19.1.0", rc.src_first);
	}
	if (genreq_init(&rq, &rc, err, sizeof(err)) != 0) {
		fprintf(stderr, "pktbench: %s\n", err);
		return 1;
	}
	uint8_t *pristine = malloc(batch * FRAME_ROOM);
	uint8_t *work = malloc(batch * FRAME_ROOM);
	uint16_t *len = malloc(batch * sizeof(*len));
	if (!pristine || !work || !len) {
		fprintf(stderr, "pktbench: out of memory\n");
		return 1;
	}
	memset(pristine, 0, batch * FRAME_ROOM);
	for (unsigned long i = 0; i < batch; i++)
		len[i] = genreq_next(&rq, (uint32_t)i, pristine + i * FRAME_ROOM, NULL, NULL);

	struct keytab *keys = NULL;
	if (auth != NTP_MAC_NONE) {
		static const uint8_t secret[32] = "pktbench-secret-of-32-bytes-long";
		struct lt_key k = { .id = 1, .type = (uint8_t)auth,
				    .len = (uint8_t)(ntp_mac_key_len(auth) ? ntp_mac_key_len(auth) : 20) };
		memcpy(k.secret, secret, k.len);
		keys = keytab_build(&k, 1, err, sizeof(err));
		if (!keys) {
			fprintf(stderr, "pktbench: keys: %s\n", err);
			return 1;
		}
		for (unsigned long i = 0; i < batch; i++)
			len[i] = sign4(pristine + i * FRAME_ROOM, len[i], &keys->keys[0].mac);
	}

	struct pktproc_ctx ctx;
	memset(&ctx, 0, sizeof(ctx)); /* fields added later default to off */
	ctx.keys = keys;
	ctx.port = &port;
	ctx.server = &server;
	struct ntp_reply_tmpl reply; /* as a worker prepares it once per round */
	ntp_reply_tmpl_init(&reply, &server);
	ctx.reply = &reply;
	ctx.neigh = &neigh;

	struct acl *acl = NULL;
	struct clientlog *clog = NULL;
	struct clientlog_params rl;
	if (policy) {
		/* A small, realistic rule set: our benchmark range allowed, a
		 * few holes punched in it, the rest of the world denied. */
		static const char *const rules[][2] = {
			{ "1", "198.18.0.0/15" }, { "0", "198.18.99.0/24" }, { "0", "198.19.200.0/24" },
			{ "1", "2001:2::/48" },   { "0", "2001:2:0:99::/64" },
		};
		struct lt_cfg_access acc[sizeof(rules) / sizeof(rules[0])];
		memset(acc, 0, sizeof(acc));
		for (unsigned int i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			char a[64];
			int plen;
			snprintf(a, sizeof(a), "%s", rules[i][1]);
			char *slash = strchr(a, '/');
			*slash = '\0';
			plen = atoi(slash + 1);
			acc[i].allow = rules[i][0][0] == '1';
			acc[i].family = strchr(a, ':') ? 6 : 4;
			acc[i].prefixlen = (uint8_t)plen;
			inet_pton(acc[i].family == 6 ? AF_INET6 : AF_INET, a, acc[i].addr);
		}
		acl = acl_build(acc, sizeof(acc) / sizeof(acc[0]), err, sizeof(err));
		if (!acl) {
			fprintf(stderr, "pktbench: acl: %s\n", err);
			return 1;
		}
		uint32_t entries = clientlog_entries_for(4u << 20); /* 4 MiB per worker */
		clog = aligned_alloc(64, (clientlog_bytes(entries) + 63) & ~(size_t)63);
		if (!clog) {
			fprintf(stderr, "pktbench: out of memory\n");
			return 1;
		}
		clientlog_init(clog, entries, SIM_TSC_HZ, 1);
		memset(&rl, 0, sizeof(rl));
		rl.enabled = 1;
		rl.leak = 2;
		rl.kod = 0;
		rl.ipv4_prefix = 32;
		rl.ipv6_prefix = 128; /* each simulated address is a client */
		rl.burst = 16;
		/* Each client asks once per pass; allow 4 times that. */
		rl.interval_ticks = SIM_TSC_HZ / SIM_RATE * batch / 4;
		ctx.acl = acl;
		ctx.clog = clog;
		ctx.rl = &rl;
	}

	/* Timed: restore + handle. Then restore alone, to subtract. */
	uint64_t ctr[LT_CTR_MAX + 1];
	memset(ctr, 0, sizeof(ctr));
	uint64_t tsc = SIM_TSC_HZ; /* synthetic counter: SIM_RATE requests/s */
	ntp_ts_t rx = 0xeeac95c800000000ULL;
	double t0 = now_s();
	for (unsigned long p = 0; p < passes; p++) {
		memcpy(work, pristine, batch * FRAME_ROOM);
		for (unsigned long i = 0; i < batch; i++) {
			ctx.now_tsc = tsc;
			tsc += SIM_TSC_HZ / SIM_RATE;
			uint16_t r = pktbench_reply(&ctx, work + i * FRAME_ROOM, len[i], rx, rx + 4295, rx_ok);
			ctr[r < LT_CTR_MAX ? r : LT_CTR_MAX]++;
			rx += 429; /* 100 ns */
		}
	}
	double t1 = now_s();
	volatile uint8_t sink = 0;
	for (unsigned long p = 0; p < passes; p++) {
		memcpy(work, pristine, batch * FRAME_ROOM);
		sink = (uint8_t)(sink + work[(p * 7) % (batch * FRAME_ROOM)]);
	}
	double t2 = now_s();

	uint64_t frames = (uint64_t)passes * batch;
	uint64_t replies = ctr[LT_CTR_ntp_replies];
	double ns_total = (t1 - t0) * 1e9 / (double)frames;
	double ns_copy = (t2 - t1) * 1e9 / (double)frames;
	double ns = ns_total - ns_copy > 0 ? ns_total - ns_copy : ns_total;

	if (!quiet) {
		printf("pktbench: %lu passes x %lu %s requests%s\n", passes, batch, ipv6 ? "IPv6" : "IPv4",
		       policy ? ", ACL + client log + rate limit on" : ", plain (no ACL, no client log)");
		if (rx_ok)
			printf("  checksums verified by the \"NIC\" (--rx-csum-ok)\n");
		if (auth != NTP_MAC_NONE)
			printf("  every request and reply authenticated with %s\n", ntp_mac_type_name(auth));
		printf("  %.1f ns per reply (%.1f with the restore copy), %.2f Mpps on one core\n", ns,
		       ns_total, 1e3 / ns);
		for (unsigned int i = 0; i <= LT_CTR_MAX; i++)
			if (ctr[i] && i != LT_CTR_ntp_replies)
				printf("  unexpected outcome: %llu x %s\n", (unsigned long long)ctr[i],
				       i < LT_CTR_MAX ? counters_name(i) : "(out of range)");
	}
	printf("frames=%llu replies=%llu ns_per_reply=%.2f mpps=%.3f copy_ns=%.2f policy=%d ipv6=%d "
	       "rx_csum_ok=%d auth=%s\n",
	       (unsigned long long)frames, (unsigned long long)replies, ns, 1e3 / ns, ns_copy, policy,
	       ipv6, rx_ok != 0, auth == NTP_MAC_NONE ? "none" : ntp_mac_type_name(auth));
	free(clog);
	acl_free(acl);
	keytab_free(keys);
	free(pristine);
	free(work);
	free(len);
	return replies == frames ? 0 : 1;
}
