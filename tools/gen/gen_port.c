/*
 * gen_port: linetime-gen's DPDK side, one of the two files that include
 * rte_ethdev.h. Opens the one port, finds the server's MAC, and runs a step:
 * the TX loop paces requests (genrate) built by genreq and records each in
 * the outstanding table (genval); the RX loop answers ARP/ND for the client
 * addresses and checks every reply. With two lcores or more RX runs on the
 * first worker lcore and TX on the main one; with one they interleave.
 *
 * The interface (declared again in gen_main.c, which calls it):
 *   gen_port_open, gen_port_close, gen_port_resolve, gen_port_run_step.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "gen_port.h"
#include "genrate.h"
#include "genreq.h"
#include "genstats.h"
#include "genval.h"
#include "ntp_time.h"

#define BURST_MAX 64
#define RX_BURST 32
#define RING_DESC 1024
#define MBUFS 16383
#define MBUF_CACHE 256
#define NEIGH_RING 256
#define LINK_WAIT_S 10


static struct rte_mempool *pool;
static struct rte_ring *neigh_ring; /* RX lcore -> TX lcore: ARP/ND answers */

int gen_port_open(const char *devname, uint16_t *port_id, uint8_t mac[6])
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr ea;
	uint16_t pid, nrx = RING_DESC, ntx = RING_DESC;
	int rc;

	if (rte_eth_dev_get_port_by_name(devname, &pid) != 0) {
		fprintf(stderr, "linetime-gen: no DPDK port \"%s\" (vdev arguments, or PCI device bound to vfio-pci?)\n",
			devname);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		return rc;
	pool = rte_pktmbuf_pool_create("gen_mbufs", MBUFS, MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	neigh_ring = rte_ring_create("gen_neigh", NEIGH_RING, (int)rte_socket_id(),
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!pool || !neigh_ring) {
		fprintf(stderr, "linetime-gen: mbuf pool/ring: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (rc != 0) {
		fprintf(stderr, "linetime-gen: configure %s: %s\n", devname, rte_strerror(-rc));
		return rc;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	int socket = rte_eth_dev_socket_id(pid);
	unsigned int sock = socket < 0 ? 0 : (unsigned int)socket;
	rc = rte_eth_rx_queue_setup(pid, 0, nrx, sock, NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(pid, 0, ntx, sock, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(pid);
	if (rc != 0) {
		fprintf(stderr, "linetime-gen: set up %s: %s\n", devname, rte_strerror(-rc));
		return rc;
	}
	/* Replies come to the simulated clients' MAC, which is the port's own;
	 * promiscuous mode also lets a custom --src-mac work. */
	rte_eth_promiscuous_enable(pid);
	rte_eth_macaddr_get(pid, &ea);
	memcpy(mac, ea.addr_bytes, 6);

	/* memif comes up when its peer connects; a NIC when the cable has
	 * negotiated. Wait, bounded. */
	for (int i = 0; i < LINK_WAIT_S * 10; i++) {
		struct rte_eth_link link;
		if (rte_eth_link_get_nowait(pid, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
			break;
		if (i == LINK_WAIT_S * 10 - 1) {
			fprintf(stderr, "linetime-gen: %s: link still down after %d s\n", devname,
				LINK_WAIT_S);
			rte_eth_dev_stop(pid);
			return -ENOLINK;
		}
		rte_delay_us_sleep(100000);
	}
	*port_id = pid;
	return 0;
}

void gen_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}

static void tx_one(uint16_t port, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

static struct rte_mbuf *frame_mbuf(const uint8_t *f, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (!m)
		return NULL;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f, len);
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

int gen_port_resolve(uint16_t port_id, const struct genreq_cfg *c, double timeout_s, uint8_t mac[6],
		     volatile int *stop)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t end = rte_rdtsc() + (uint64_t)(timeout_s * (double)hz);
	uint64_t next_ask = 0;
	uint8_t f[GENREQ_FRAME_MAX];

	while (!*stop && rte_rdtsc() < end) {
		struct rte_mbuf *pkts[RX_BURST];

		if (rte_rdtsc() >= next_ask) {
			struct rte_mbuf *m = frame_mbuf(f, genreq_resolve_frame(c, f));
			if (m)
				tx_one(port_id, m);
			next_ask = rte_rdtsc() + hz / 5;
		}
		uint16_t n = rte_eth_rx_burst(port_id, 0, pkts, RX_BURST);
		int found = 0;
		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
			uint16_t cap = (uint16_t)(m->data_len + rte_pktmbuf_tailroom(m));

			if (!found && genreq_resolve_learn(c, buf, m->data_len, mac)) {
				found = 1;
				rte_pktmbuf_free(m);
				continue;
			}
			uint16_t nl = genreq_answer_neigh(c, buf, m->data_len, cap);
			if (nl) {
				m->data_len = nl;
				m->pkt_len = nl;
				tx_one(port_id, m);
				continue;
			}
			rte_pktmbuf_free(m);
		}
		if (found)
			return 0;
		if (n == 0)
			rte_delay_us_sleep(1000);
	}
	return -ETIMEDOUT;
}

/* --- a step --------------------------------------------------------------- */

struct step_ctx {
	uint16_t port;
	struct genreq *rq;
	struct genval *val;
	const struct genrate_step *st;
	uint64_t hz;
	int interleaved;
	volatile int rx_stop;
	volatile int *stop;
	struct genstats tx_stats;
	struct genstats rx_stats;
};

static uint32_t next_seq; /* across steps, so cookies never repeat within a run */

/* One RX burst: answer neighbour queries, check replies. */
static unsigned int rx_poll(struct step_ctx *x)
{
	struct rte_mbuf *pkts[RX_BURST];
	struct genstats *s = &x->rx_stats;
	uint16_t n = rte_eth_rx_burst(x->port, 0, pkts, RX_BURST);

	if (n == 0)
		return 0;
	uint64_t now = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
		uint16_t cap = (uint16_t)(m->data_len + rte_pktmbuf_tailroom(m));
		struct genval_result r;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		uint16_t nl = genreq_answer_neigh(&x->rq->c, buf, m->data_len, cap);
		if (nl) {
			m->data_len = nl;
			m->pkt_len = nl;
			s->neigh_answered++;
			if (x->interleaved)
				tx_one(x->port, m);
			else if (rte_ring_sp_enqueue(neigh_ring, m) != 0)
				rte_pktmbuf_free(m);
			continue;
		}
		enum genval_reason rc = genval_check(x->val, buf, m->data_len, now, &r);
		if (rc == GENVAL_OK) {
			genstats_reply(s, r.latency_tsc * 1000000000ULL / x->hz,
				       ntp_interval_to_double(r.offset));
			genstats_txerr(s, r.interleaved,
				       (int64_t)llround(ntp_interval_to_double(r.tx_err) * 1e9));
		} else if (rc == GENVAL_IGNORED) {
			s->ignored++;
		} else {
			s->invalid[rc]++;
			if (r.matched)
				s->answered_invalid++;
		}
		rte_pktmbuf_free(m);
	}
	return n;
}

static int rx_main(void *arg)
{
	struct step_ctx *x = arg;

	while (!x->rx_stop)
		rx_poll(x);
	/* What is still queued arrived before the end of the drain. */
	while (rx_poll(x))
		;
	return 0;
}

static void drain_neigh(struct step_ctx *x)
{
	void *m;

	while (rte_ring_sc_dequeue(neigh_ring, &m) == 0)
		tx_one(x->port, m);
}

/* Offer the step's requests; [*first_tsc, *last_tsc] is the window. */
static void tx_main(struct step_ctx *x, uint64_t *first_tsc, uint64_t *last_tsc)
{
	const struct genrate_step *st = x->st;
	struct genstats *s = &x->tx_stats;
	struct genrate r;
	uint64_t t_start = rte_rdtsc();
	uint64_t t_end = t_start + (uint64_t)(st->duration_s * (double)x->hz);
	uint64_t offered = 0;
	uint32_t burst = st->burst ? st->burst : 32;

	if (burst > BURST_MAX)
		burst = BURST_MAX;
	genrate_init(&r, x->hz, st->rate, burst, t_start, 0);
	while (!*x->stop) {
		struct rte_mbuf *m[BURST_MAX];
		uint32_t seqs[BURST_MAX], addr_i[BURST_MAX];
		uint16_t sport[BURST_MAX];
		struct genval_follow fw[BURST_MAX];
		uint8_t follows[BURST_MAX];
		uint64_t now = rte_rdtsc();

		if (now >= t_end || (st->count && offered >= st->count))
			break;
		if (x->interleaved)
			rx_poll(x);
		else if (!rte_ring_empty(neigh_ring))
			drain_neigh(x);
		uint32_t n = genrate_ready(&r, now, offered);
		if (st->count && n > st->count - offered)
			n = (uint32_t)(st->count - offered);
		if (n == 0 || rte_pktmbuf_alloc_bulk(pool, m, n) != 0)
			continue;
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);
			seqs[i] = next_seq++;
			/* Interleaved clients follow up on their last reply. */
			follows[i] = (uint8_t)genval_xl_follow(x->val, genreq_next_client(x->rq), &fw[i]);
			uint16_t len = follows[i] ? genreq_next_xleave(x->rq, seqs[i], fw[i].org, d,
								       &addr_i[i], &sport[i])
						  : genreq_next(x->rq, seqs[i], d, &addr_i[i], &sport[i]);
			m[i]->data_len = len;
			m[i]->pkt_len = len;
		}
		/* The send time is read after building, as close to the port as
		 * the generator gets; recorded before the frames leave, so a reply
		 * can never beat its own record. */
		uint64_t t = rte_rdtsc();
		for (uint32_t i = 0; i < n; i++)
			s->slot_reused += (uint64_t)genval_sent_xl(x->val, seqs[i], t, addr_i[i], sport[i],
								   follows[i] ? &fw[i] : NULL);
		uint16_t k = rte_eth_tx_burst(x->port, 0, m, (uint16_t)n);
		for (uint32_t i = k; i < n; i++) {
			genval_unsent(x->val, seqs[i]);
			rte_pktmbuf_free(m[i]);
		}
		s->sent += k;
		s->tx_refused += n - k;
		offered += n;
	}
	s->pace_skipped = r.skipped;
	*first_tsc = t_start;
	*last_tsc = rte_rdtsc();

	/* Wait for the last replies, bounded by the drain time. */
	uint64_t drain_end = rte_rdtsc() + (uint64_t)(st->drain_s * (double)x->hz);
	while (rte_rdtsc() < drain_end) {
		if (x->interleaved) {
			if (rx_poll(x) == 0)
				rte_pause();
		} else {
			drain_neigh(x);
			rte_delay_us_sleep(200);
		}
	}
}

int gen_port_run_step(uint16_t port_id, struct genreq *rq, struct genval *val,
		      const struct genrate_step *st, struct genstats *out, double *duration_s,
		      volatile int *stop)
{
	static struct step_ctx x; /* large (two histograms): not on the stack */
	unsigned int rx_lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	uint64_t first, last;

	memset(&x, 0, sizeof(x));
	x.port = port_id;
	x.rq = rq;
	x.val = val;
	x.st = st;
	x.hz = rte_get_tsc_hz();
	x.stop = stop;
	x.interleaved = rx_lcore >= RTE_MAX_LCORE;
	genstats_init(&x.tx_stats);
	genstats_init(&x.rx_stats);
	if (!x.interleaved) {
		int rc = rte_eal_remote_launch(rx_main, &x, rx_lcore);
		if (rc != 0)
			return rc;
	}
	tx_main(&x, &first, &last);
	x.rx_stop = 1;
	if (!x.interleaved)
		rte_eal_wait_lcore(rx_lcore);
	drain_neigh(&x);
	genval_expire_all(val);

	genstats_init(out);
	genstats_merge(out, &x.tx_stats);
	genstats_merge(out, &x.rx_stats);
	/* The offering window: from the step's start to its last send. */
	*duration_s = (double)(last - first) / (double)x.hz;
	return 0;
}
