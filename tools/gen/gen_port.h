/*
 * gen_port: linetime-gen's DPDK side (the only generator file with
 * rte_ethdev.h): open one port, resolve the server's MAC by ARP/ND, and run
 * one paced step of requests and replies. The logic it drives (building,
 * validating, pacing, statistics) is plain C in genreq/genval/genrate/genstats.
 */
#ifndef LT_GEN_PORT_H
#define LT_GEN_PORT_H

#include <stdint.h>

#include "genrate.h"
#include "genreq.h"
#include "genstats.h"
#include "genval.h"

/* Set up and start the EAL device devname; fills its port id and MAC. 0 or -errno. */
int gen_port_open(const char *devname, uint16_t *port_id, uint8_t mac[6]);

/* Stop and close the port. */
void gen_port_close(uint16_t port_id);

/* Find the server's MAC by ARP (IPv4) or ND (IPv6) within timeout_s. 0 or -errno. */
int gen_port_resolve(uint16_t port_id, const struct genreq_cfg *c, double timeout_s, uint8_t mac[6],
		     volatile int *stop);

/* Offer one step's rate for its duration, validating every reply into out. */
int gen_port_run_step(uint16_t port_id, struct genreq *rq, struct genval *val,
		      const struct genrate_step *st, struct genstats *out, double *duration_s,
		      volatile int *stop);

#endif
