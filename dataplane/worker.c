/* worker: the dataplane poll loop. */
#include "worker.h"

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "inject.h"
#include "keytab.h"
#include "pktproc.h"
#include "tsc.h"
#include "tstamp.h"

#define BURST 32
#define INJECT_BURST 4

void worker_assign_queues(struct worker_ctx *w, unsigned int n, const struct dp_port *ports,
			  unsigned int n_ports)
{
	unsigned int next = 0;

	for (unsigned int i = 0; i < n; i++)
		w[i].n_rxq = 0;
	for (unsigned int p = 0; p < n_ports; p++) {
		for (uint16_t q = 0; q < ports[p].n_rxq; q++) {
			struct worker_ctx *x = &w[next++ % n];
			if (x->n_rxq < WORKER_MAX_RXQ)
				x->rxq[x->n_rxq++] = (struct worker_rxq){.port = (uint16_t)p, .queue = q};
		}
	}
}

static inline void count(struct worker_ctx *w, uint16_t port, uint16_t ctr)
{
	w->stats->ctr[port][ctr]++;
}

/* A request that carried a MAC, under a key we have: its key's counters. */
static inline void count_key(struct worker_ctx *w, const struct pktproc_verdict *v)
{
	if (v->key) {
		if (v->auth == PKTPROC_AUTH_OK)
			w->stats->key_ok[v->key->slot]++;
		else
			w->stats->key_bad[v->key->slot]++;
	}
}

static void punt_frame(struct worker_ctx *w, const uint8_t *buf, const struct pktproc_verdict *v,
		       uint16_t port, ntp_ts_t rx_ts)
{
	struct lt_msg msg;

	if (inject_punt_msg(buf, v, port, rx_ts, &msg) != 0) {
		count(w, port, LT_CTR_drop_punt_full);
		return;
	}
	if (rte_ring_mp_enqueue_elem(w->punt, &msg, sizeof(msg)) != 0)
		count(w, port, LT_CTR_drop_punt_full);
	else
		count(w, port, v->ctr); /* punted, or mssntp_punted */
}

/* Handle one RX queue's burst; returns the number of frames received. */
/* What the NIC vouched for in one received frame (PKTPROC_RX_*). */
static inline unsigned int rx_csum_ok(const struct dp_port *p, const struct rte_mbuf *m)
{
	unsigned int ok = 0;

	if (!p->rx_csum)
		return 0;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		ok |= PKTPROC_RX_IP_CSUM_OK;
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		ok |= PKTPROC_RX_L4_CSUM_OK;
	return ok;
}

static unsigned int poll_queue(struct worker_ctx *w, const struct worker_rxq *q,
			       const struct lt_clock_snapshot *snap,
			       const struct ntp_server_params *server,
			       const struct ntp_reply_tmpl *reply, const struct dp_policy *pol)
{
	struct rte_mbuf *pkts[BURST], *tx[BURST];
	struct pktproc_verdict txv[BURST];
	const struct dp_port *p = &w->ports[q->port];
	struct pktproc_ctx ctx = {.port = &p->addr,
				  .server = server,
				  .reply = reply,
				  .neigh = &w->neigh,
				  .acl = pol->acl,
				  .kod_deny = pol->kod_deny,
				  .mssntp = pol->mssntp,
				  .crypto_nak = pol->crypto_nak,
				  .keys = pol->keys,
				  .clog = w->clog,
				  .rl = &pol->rl};
	unsigned int ntx = 0;

	uint16_t n = rte_eth_rx_burst(p->port_id, q->queue, pkts, BURST);
	if (n == 0)
		return 0;
	uint64_t burst_tsc = tsc_read();
	ctx.now_tsc = burst_tsc;
	/* Frames without a NIC timestamp all arrived by this reading. */
	uint8_t src;
	const ntp_ts_t burst_rx = tstamp_rx(snap, q->port, &p->ts, 0, 0, burst_tsc, &src);

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);

		count(w, q->port, LT_CTR_rx_frames);
		if (unlikely(m->nb_segs != 1)) {
			count(w, q->port, LT_CTR_drop_multiseg);
			rte_pktmbuf_free(m);
			continue;
		}
		ntp_ts_t rx_ts = burst_rx;
		if (p->ts_dynfield_offset >= 0 && (m->ol_flags & p->ts_dynflag)) {
			uint64_t hw = *RTE_MBUF_DYNFIELD(m, p->ts_dynfield_offset, rte_mbuf_timestamp_t *);
			rx_ts = tstamp_rx(snap, q->port, &p->ts, 1, hw, burst_tsc, &src);
		}
		uint16_t cap = (uint16_t)(m->data_len + rte_pktmbuf_tailroom(m));

		struct pktproc_verdict v =
			pktproc_handle_rx(&ctx, buf, m->data_len, cap, rx_ts, rx_csum_ok(p, m));
		if (unlikely(v.auth))
			count_key(w, &v);
		switch (v.action) {
		case PKTPROC_REPLY:
			m->data_len = v.len;
			m->pkt_len = v.len;
			txv[ntx] = v;
			tx[ntx++] = m;
			break;
		case PKTPROC_PUNT:
			punt_frame(w, buf, &v, q->port, rx_ts);
			rte_pktmbuf_free(m);
			break;
		default:
			count(w, q->port, v.ctr);
			rte_pktmbuf_free(m);
			break;
		}
	}
	if (ntx == 0)
		return n;

	/* The transmit timestamp is the last thing written before the NIC. */
	ntp_ts_t tx_ts = tstamp_tx(snap, tsc_read());
	for (unsigned int i = 0; i < ntx; i++)
		if (txv[i].ntp_off)
			pktproc_stamp_tx(rte_pktmbuf_mtod(tx[i], uint8_t *), &txv[i], tx_ts);
	uint64_t pre = tsc_read();
	uint16_t sent = rte_eth_tx_burst(p->port_id, (uint16_t)w->index, tx, (uint16_t)ntx);
	/* Interleaved mode serves this to the clients' next requests: when
	 * the replies left as near as the TSC can tell, from the reading the
	 * port is anchored on plus its calibrated correction (TIMESTAMPS.md). */
	ntp_ts_t left = tstamp_sent(snap, &p->ts, pre, tsc_read());
	for (unsigned int i = 0; i < sent; i++) {
		count(w, q->port, txv[i].ctr);
		if (unlikely(txv[i].auth == PKTPROC_AUTH_OK))
			count(w, q->port, LT_CTR_ntp_auth_ok);
		if (txv[i].xl_slot) {
			pktproc_sent(&ctx, &txv[i], left);
			if (txv[i].xleave == PKTPROC_XLEAVE_SERVED)
				count(w, q->port, LT_CTR_ntp_interleaved);
			else if (txv[i].xleave == PKTPROC_XLEAVE_BASIC)
				count(w, q->port, LT_CTR_ntp_interleaved_basic);
		}
	}
	for (unsigned int i = sent; i < ntx; i++) {
		count(w, q->port, LT_CTR_drop_tx_full);
		rte_pktmbuf_free(tx[i]);
	}
	return n;
}

static void send_tx_stamp(struct worker_ctx *w, const struct lt_msg *m, ntp_ts_t ts)
{
	struct lt_msg r;

	memset(&r, 0, offsetof(struct lt_msg, payload));
	r.type = LT_MSG_TX_STAMP;
	r.port = m->port;
	r.family = m->family;
	r.cookie = m->cookie;
	r.ts = ts;
	if (rte_ring_mp_enqueue_elem(w->punt, &r, sizeof(r)) != 0)
		count(w, m->port, LT_CTR_drop_punt_full);
}

/* Resolve the next hop of m, or send a solicitation for it. */
static int next_hop_mac(struct worker_ctx *w, const struct dp_port *p, const struct lt_msg *m,
			uint8_t mac[6])
{
	uint8_t nh[16];
	struct rte_mbuf *s;
	int len;

	if (inject_next_hop(m, &p->route, nh) != 0)
		return -1;
	if (neigh_lookup(&w->neigh, m->family, nh, mac, tsc_read()) == 0)
		return 0;
	s = rte_pktmbuf_alloc(w->pool);
	if (!s)
		return -1;
	uint8_t *buf = rte_pktmbuf_mtod(s, uint8_t *);
	uint16_t cap = (uint16_t)rte_pktmbuf_tailroom(s);
	if (m->family == 4) {
		uint32_t nh4;
		memcpy(&nh4, nh, 4);
		len = neigh_build_arp_request(buf, cap, p->addr.mac, p->addr.ip4[0], nh4);
	} else {
		len = neigh_build_ns(buf, cap, p->addr.mac, m->src, nh);
	}
	if (len <= 0) {
		rte_pktmbuf_free(s);
		return -1;
	}
	s->data_len = (uint16_t)len;
	s->pkt_len = (uint32_t)len;
	if (rte_eth_tx_burst(p->port_id, (uint16_t)w->index, &s, 1) != 1)
		rte_pktmbuf_free(s);
	return -1;
}

static void drain_inject(struct worker_ctx *w, const struct lt_clock_snapshot *snap)
{
	struct lt_msg msgs[INJECT_BURST];
	unsigned int n = rte_ring_mc_dequeue_burst_elem(w->inject, msgs, sizeof(msgs[0]), INJECT_BURST, NULL);

	for (unsigned int i = 0; i < n; i++) {
		const struct lt_msg *m = &msgs[i];
		uint16_t pidx = m->port < w->n_ports ? m->port : 0;
		const struct dp_port *p = &w->ports[pidx];
		uint8_t mac[6];
		uint16_t payload_off;

		if (m->port >= w->n_ports || inject_check(m, &p->addr) != 0) {
			count(w, pidx, LT_CTR_drop_inject_bad);
			continue;
		}
		if (m->flags & LT_MSG_F_DIRECT)
			memcpy(mac, m->mac, sizeof(mac));
		else if (next_hop_mac(w, p, m, mac) != 0) {
			count(w, pidx, LT_CTR_drop_inject_no_neigh);
			continue;
		}
		struct rte_mbuf *f = rte_pktmbuf_alloc(w->pool);
		if (!f) {
			count(w, pidx, LT_CTR_drop_tx_full);
			continue;
		}
		int len = inject_build(m, &p->addr, mac, rte_pktmbuf_mtod(f, uint8_t *),
				       (uint16_t)rte_pktmbuf_tailroom(f), &payload_off);
		if (len <= 0) {
			count(w, pidx, LT_CTR_drop_inject_bad);
			rte_pktmbuf_free(f);
			continue;
		}
		f->data_len = (uint16_t)len;
		f->pkt_len = (uint32_t)len;
		ntp_ts_t ts = tstamp_tx(snap, tsc_read());
		if (rte_eth_tx_burst(p->port_id, (uint16_t)w->index, &f, 1) != 1) {
			count(w, pidx, LT_CTR_drop_tx_full);
			rte_pktmbuf_free(f);
			continue;
		}
		count(w, pidx, LT_CTR_injected);
		if (m->cookie)
			send_tx_stamp(w, m, ts);
	}
}

int worker_main(void *arg)
{
	struct worker_ctx *w = arg;
	struct lt_clock_snapshot snap;
	struct ntp_server_params server;
	struct ntp_reply_tmpl reply;
	uint32_t seen = 1; /* odd: forces the first read */

	memset(&snap, 0, sizeof(snap));
	while (!*w->stop) {
		/* Re-read the clock only when control has published. */
		uint32_t seq = __atomic_load_n(&w->clock->lock.seq, __ATOMIC_ACQUIRE);
		if (unlikely(seq != seen)) {
			shm_clock_read(w->clock, &snap);
			seen = seq;
		}
		tstamp_server_params(&snap, tsc_read(), &server);
		ntp_reply_tmpl_init(&reply, &server);
		/* The policy in force for this whole round; the main lcore frees a
		 * replaced one only after this round has ended (polls advanced). */
		const struct dp_policy *pol = __atomic_load_n(w->policy, __ATOMIC_ACQUIRE);

		unsigned int got = 0;
		for (unsigned int i = 0; i < w->n_rxq; i++)
			got += poll_queue(w, &w->rxq[i], &snap, &server, &reply, pol);
		if (!rte_ring_empty(w->inject))
			drain_inject(w, &snap);

		__atomic_store_n(&w->stats->polls, w->stats->polls + 1, __ATOMIC_RELEASE);
		if (got)
			w->stats->busy_polls++;
		else if (w->idle_sleep_us)
			rte_delay_us_sleep(w->idle_sleep_us);
	}
	return 0;
}
