/*
 * port: DPDK port set-up for linetime-dp, one of the two files that include
 * rte_ethdev.h. Turns the config's ports into started ethdev ports with one
 * RX queue per configured queue and one TX queue per worker, picks each
 * port's timestamp source (NIC RX timestamp offload where the PMD offers
 * it, else the TSC), and reports port state into the shared region.
 */
#ifndef LT_PORT_H
#define LT_PORT_H

#include <stdint.h>

#include "config.h"
#include "inject.h"
#include "pktproc.h"
#include "shm.h"
#include "tstamp.h"

struct rte_mempool;

struct dp_port {
	uint16_t port_id;          /* DPDK port id */
	uint16_t index;            /* position in the config, also the stats index */
	uint16_t n_rxq;
	uint16_t n_txq;
	struct pktproc_port addr;
	struct inject_route route;
	struct tstamp_port ts;
	int ts_dynfield_offset;    /* mbuf dynfield of the RX timestamp, -1 if none */
	uint64_t ts_dynflag;       /* ol_flags bit saying the timestamp is valid */
	int has_clock;             /* rte_eth_read_clock() works */
	int rx_csum;               /* RX IPv4 + UDP checksum offload enabled */
	char name[32];
	char device[96];
	char driver[32];
};

/* EAL device name of a config device string: "net_af_packet0,iface=x" ->
 * "net_af_packet0"; a PCI address stays as it is. */
void port_dev_name(const char *device, char *out, size_t len);

/* 1 if departures on a port with this tx_departure setting (enum
 * lt_tx_anchor) and PMD are read before tx_burst, 0 if after. */
int port_tx_anchor_before(int anchor, const char *driver);

/* Nonzero if the device string names a virtual device (--vdev). */
int port_is_vdev(const char *device);

/* Configure and start every configured port. n_workers TX queues each.
 * Returns 0 or -errno (logged with the port's name). */
int port_init_all(const struct lt_config *c, unsigned int n_workers, struct rte_mempool *pool,
		  struct dp_port *ports);

/* Stop and close the ports. */
void port_fini_all(struct dp_port *ports, unsigned int n);

/* Publish identity, link state, NIC counters and a NIC-clock sample. */
void port_publish(const struct dp_port *ports, unsigned int n, unsigned int n_workers,
		  struct lt_ports_block *b);

#endif
