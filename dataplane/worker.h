/*
 * worker: the poll-mode loop of one dataplane lcore, the other file that
 * includes rte_ethdev.h. Read top to bottom: rx_burst -> stamp -> handle ->
 * stamp transmit time -> tx_burst, then the inject ring. Never allocates
 * from the heap, blocks, locks, logs or makes a syscall (but an optional
 * short sleep when a whole round was idle, for shared lab machines).
 */
#ifndef LT_WORKER_H
#define LT_WORKER_H

#include <stdint.h>

#include "clientlog.h"
#include "neigh.h"
#include "policy.h"
#include "port.h"
#include "shm.h"

#define WORKER_MAX_RXQ 16

struct rte_mempool;
struct rte_ring;

struct worker_rxq {
	uint16_t port;   /* index into ports[] */
	uint16_t queue;
};

struct worker_ctx {
	unsigned int index;                /* worker number: stats entry, TX queue id */
	unsigned int lcore;
	unsigned int n_rxq;
	struct worker_rxq rxq[WORKER_MAX_RXQ];
	const struct dp_port *ports;
	unsigned int n_ports;
	const struct lt_clock_block *clock;
	struct lt_worker_stats *stats;
	struct rte_ring *punt;
	struct rte_ring *inject;
	struct rte_mempool *pool;
	struct clientlog *clog;            /* this worker's client table (in the region) */
	struct dp_policy *const *policy;   /* current policy, swapped by the main lcore */
	unsigned int idle_sleep_us;
	volatile int *stop;
	struct neigh_table neigh;
} __attribute__((aligned(64)));

/* Spread every port's RX queues over n workers, round robin. */
void worker_assign_queues(struct worker_ctx *w, unsigned int n, const struct dp_port *ports,
			  unsigned int n_ports);

/* The lcore entry point (rte_eal_remote_launch); arg is a struct worker_ctx. */
int worker_main(void *arg);

#endif
