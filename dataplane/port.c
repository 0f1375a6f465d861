/* port: ethdev configuration, timestamp source choice, port reporting. */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* rte_eth_read_clock() is still "experimental" in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "ealargs.h"
#include "log.h"
#include "tsc.h"

#define RX_DESC 1024
#define TX_DESC 1024

void port_dev_name(const char *device, char *out, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, device, n);
	out[n] = '\0';
}

int port_is_vdev(const char *device)
{
	return ealargs_is_vdev(device);
}

static void fill_addrs(const struct lt_cfg_port *cp, struct dp_port *p)
{
	struct pktproc_port *a = &p->addr;
	struct inject_route *r = &p->route;

	for (unsigned int i = 0; i < cp->n_addrs; i++) {
		const struct lt_cfg_addr *ca = &cp->addrs[i];
		if (ca->family == 4 && a->n_ip4 < LT_MAX_ADDRS) {
			memcpy(&a->ip4[a->n_ip4++], ca->addr, 4);
			memcpy(&r->net4[r->n4], ca->addr, 4);
			r->len4[r->n4++] = ca->prefixlen;
		} else if (ca->family == 6 && a->n_ip6 < LT_MAX_ADDRS) {
			memcpy(a->ip6[a->n_ip6++], ca->addr, 16);
			memcpy(r->net6[r->n6], ca->addr, 16);
			r->len6[r->n6++] = ca->prefixlen;
		}
	}
	if (cp->gw4.family == 4) {
		memcpy(&r->gw4, cp->gw4.addr, 4);
		r->has_gw4 = 1;
	}
	if (cp->gw6.family == 6) {
		memcpy(r->gw6, cp->gw6.addr, 16);
		r->has_gw6 = 1;
	}
	pktproc_ip6_linklocal(a->mac, a->ip6_ll);
}

#define RX_CSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

/* Enable NIC RX timestamps when the PMD has them and the config allows. */
static int choose_timestamps(const struct lt_cfg_port *cp, const struct rte_eth_dev_info *info,
			     struct rte_eth_conf *conf, struct dp_port *p)
{
	int offload = (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) != 0;

	p->ts_dynfield_offset = -1;
	p->ts.use_nic = 0;
	if (cp->timestamping == LT_TS_SOFTWARE)
		return 0;
	if (!offload) {
		if (cp->timestamping == LT_TS_HARDWARE) {
			log_msg(LOG_ERR, "port %s (%s): timestamping = \"hardware\" but the %s PMD has no RX timestamp offload",
				cp->name, cp->device, info->driver_name);
			return -ENOTSUP;
		}
		return 0;
	}
	int rc = rte_mbuf_dyn_rx_timestamp_register(&p->ts_dynfield_offset, &p->ts_dynflag);
	if (rc != 0) {
		log_msg(LOG_WARNING, "port %s: cannot register the RX timestamp field; using the TSC",
			cp->name);
		p->ts_dynfield_offset = -1;
		return cp->timestamping == LT_TS_HARDWARE ? -ENOTSUP : 0;
	}
	conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	p->ts.use_nic = 1;
	return 0;
}

/* Departures from the TSC before tx_burst where the PMD's tx_burst is a
 * system call that hands the frame to the peer inside the call (af_packet:
 * a veth peer's whole receive path runs before sendto() returns, so "after"
 * is late by a varying amount); after it everywhere else, where tx_burst
 * only writes descriptors and the NIC sends later. */
int port_tx_anchor_before(int anchor, const char *driver)
{
	if (anchor == LT_TX_BEFORE)
		return 1;
	if (anchor == LT_TX_AFTER)
		return 0;
	return driver && strcmp(driver, "net_af_packet") == 0;
}

static int setup_one(const struct lt_cfg_port *cp, unsigned int index, unsigned int n_workers,
		     struct rte_mempool *pool, struct dp_port *p)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char devname[96];
	uint16_t pid;
	int rc;

	memset(p, 0, sizeof(*p));
	port_dev_name(cp->device, devname, sizeof(devname));
	rc = rte_eth_dev_get_port_by_name(devname, &pid);
	if (rc != 0) {
		log_msg(LOG_ERR, "port %s: no DPDK device \"%s\" (is it bound to a DPDK driver, or the vdev arguments right?)",
			cp->name, devname);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0) {
		log_msg(LOG_ERR, "port %s: dev_info: %s", cp->name, rte_strerror(-rc));
		return rc;
	}
	p->port_id = pid;
	p->index = (uint16_t)index;
	p->n_rxq = (uint16_t)cp->rx_queues;
	p->n_txq = (uint16_t)n_workers;
	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	snprintf(p->device, sizeof(p->device), "%.95s", cp->device);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	if (p->n_rxq > info.max_rx_queues || p->n_txq > info.max_tx_queues) {
		log_msg(LOG_ERR, "port %s: %u RX / %u TX queues wanted, %s offers %u / %u", cp->name,
			p->n_rxq, p->n_txq, info.driver_name, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}

	memset(&conf, 0, sizeof(conf));
	if (p->n_rxq > 1) {
		/* RSS on addresses only, so one client always lands on one worker. */
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6) & info.flow_type_rss_offloads;
	}
	rc = choose_timestamps(cp, &info, &conf, p);
	if (rc)
		return rc;
	p->ts.tx_before = (uint8_t)port_tx_anchor_before(cp->tx_departure, info.driver_name);
	p->ts.tx_comp_ns = cp->tx_correction_ns;
	/* Where the NIC verifies the IPv4 and UDP checksums, the fast path
	 * trusts its "good" and sums again only what it could not vouch for. */
	if ((info.rx_offload_capa & RX_CSUM_OFFLOADS) == RX_CSUM_OFFLOADS) {
		conf.rxmode.offloads |= RX_CSUM_OFFLOADS;
		p->rx_csum = 1;
	}
	rc = rte_eth_dev_configure(pid, p->n_rxq, p->n_txq, &conf);
	if (rc != 0) {
		log_msg(LOG_ERR, "port %s: configure: %s", cp->name, rte_strerror(-rc));
		return rc;
	}
	uint16_t nrx = RX_DESC, ntx = TX_DESC;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	int socket = rte_eth_dev_socket_id(pid);
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nrx, socket < 0 ? 0 : (unsigned)socket, NULL, pool);
		if (rc != 0) {
			log_msg(LOG_ERR, "port %s: RX queue %u: %s", cp->name, q, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, ntx, socket < 0 ? 0 : (unsigned)socket, NULL);
		if (rc != 0) {
			log_msg(LOG_ERR, "port %s: TX queue %u: %s", cp->name, q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0) {
		log_msg(LOG_ERR, "port %s: start: %s", cp->name, rte_strerror(-rc));
		return rc;
	}
	/* ND needs solicited-node multicast; fall back to promiscuous mode
	 * where the PMD has no all-multicast switch. The classifier filters. */
	if (rte_eth_allmulticast_enable(pid) != 0)
		rte_eth_promiscuous_enable(pid);
	rte_eth_macaddr_get(pid, &mac);
	memcpy(p->addr.mac, mac.addr_bytes, 6);
	p->addr.port_id = (uint16_t)index;
	fill_addrs(cp, p);

	uint64_t clk;
	p->has_clock = rte_eth_read_clock(pid, &clk) == 0;
	log_msg(LOG_INFO,
		"port %s: %s (%s) mac %02x:%02x:%02x:%02x:%02x:%02x, %u RX / %u TX queues, RX timestamps from %s, departures from the TSC %s tx_burst %+lld ns",
		p->name, devname, p->driver, mac.addr_bytes[0], mac.addr_bytes[1], mac.addr_bytes[2],
		mac.addr_bytes[3], mac.addr_bytes[4], mac.addr_bytes[5], p->n_rxq, p->n_txq,
		p->ts.use_nic ? "the NIC" : "the TSC", p->ts.tx_before ? "before" : "after",
		(long long)p->ts.tx_comp_ns);
	return 0;
}

int port_init_all(const struct lt_config *c, unsigned int n_workers, struct rte_mempool *pool,
		  struct dp_port *ports)
{
	for (unsigned int i = 0; i < c->n_ports; i++) {
		int rc = setup_one(&c->ports[i], i, n_workers, pool, &ports[i]);
		if (rc) {
			port_fini_all(ports, i);
			return rc;
		}
	}
	return 0;
}

void port_fini_all(struct dp_port *ports, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		rte_eth_dev_stop(ports[i].port_id);
		rte_eth_dev_close(ports[i].port_id);
	}
}

void port_publish(const struct dp_port *ports, unsigned int n, unsigned int n_workers,
		  struct lt_ports_block *b)
{
	struct lt_port_info info[LT_MAX_PORTS];

	memset(info, 0, sizeof(info));
	for (unsigned int i = 0; i < n && i < LT_MAX_PORTS; i++) {
		const struct dp_port *p = &ports[i];
		struct lt_port_info *o = &info[i];
		struct rte_eth_link link;
		struct rte_eth_stats st;

		snprintf(o->name, sizeof(o->name), "%s", p->name);
		snprintf(o->device, sizeof(o->device), "%s", p->device);
		snprintf(o->driver, sizeof(o->driver), "%s", p->driver);
		memcpy(o->mac, p->addr.mac, 6);
		o->rx_queues = p->n_rxq;
		o->tx_queues = p->n_txq;
		o->ts_source = p->ts.use_nic ? LT_TS_SRC_NIC : LT_TS_SRC_TSC;
		o->rx_csum_offload = (uint8_t)(p->rx_csum != 0);
		/* No PMD here gives per-packet TX timestamps at rate (ethdev
		 * timesync stamps one IEEE 1588 frame at a time): departures
		 * are the TSC read as tx_burst returns. */
		o->tx_ts_source = LT_TS_SRC_TSC;
		o->tx_before = p->ts.tx_before;
		o->tx_comp_ns = (int32_t)p->ts.tx_comp_ns;
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
			o->link_up = link.link_status == RTE_ETH_LINK_UP;
			o->link_speed = link.link_speed;
		}
		if (rte_eth_stats_get(p->port_id, &st) == 0) {
			o->ipackets = st.ipackets;
			o->opackets = st.opackets;
			o->ibytes = st.ibytes;
			o->obytes = st.obytes;
			o->imissed = st.imissed;
			o->ierrors = st.ierrors;
			o->oerrors = st.oerrors;
			o->rx_nombuf = st.rx_nombuf;
		}
		if (p->has_clock) {
			uint64_t clk;
			uint64_t t0 = tsc_read();
			if (rte_eth_read_clock(p->port_id, &clk) == 0) {
				o->nic_sample_tsc = t0 + (tsc_read() - t0) / 2;
				o->nic_sample_clock = clk;
				o->nic_clock_hz = 1000000000ULL; /* ethdev clocks count ns */
			}
		}
	}
	seqlock_write_begin(&b->lock);
	b->n_ports = n;
	b->n_workers = n_workers;
	seqlock_copy(b->port, info, sizeof(info));
	seqlock_write_end(&b->lock);
}
