/*
 * inject: turn a message from control (struct lt_msg, LT_MSG_INJECT_UDP) into
 * a complete Ethernet/IPv4-or-IPv6/UDP frame, and a punted frame back into a
 * message. Plain C on byte buffers; the poll loop supplies the next-hop MAC
 * from the neighbour table.
 */
#ifndef LT_INJECT_H
#define LT_INJECT_H

#include <stdint.h>

#include "pktproc.h"
#include "shm.h"

/* A port's on-link prefixes and gateways, for choosing the next hop. */
struct inject_route {
	uint8_t n4, n6;
	uint8_t has_gw4, has_gw6;
	uint32_t net4[LT_MAX_ADDRS];   /* network order; our address on that prefix */
	uint8_t len4[LT_MAX_ADDRS];
	uint8_t net6[LT_MAX_ADDRS][16];
	uint8_t len6[LT_MAX_ADDRS];
	uint32_t gw4;                  /* network order */
	uint8_t gw6[16];
};

/* Validate an inject message against the port: known type, family 4 or 6,
 * len <= LT_MSG_PAYLOAD_MAX, source address one of the port's, nonzero
 * ports, a unicast MAC for LT_MSG_F_DIRECT. Returns 0 or -1 (counted as drop_inject_bad by the caller). */
int inject_check(const struct lt_msg *m, const struct pktproc_port *port);

/*
 * Build the frame for m into buf (cap bytes) with destination MAC dst_mac.
 * IPv4 TTL/IPv6 hop limit 64, checksums filled. Returns the frame length,
 * or -1 if it does not fit. The UDP payload starts at *payload_off (for a
 * transmit timestamp written just before sending).
 */
int inject_build(const struct lt_msg *m, const struct pktproc_port *port, const uint8_t dst_mac[6],
		 uint8_t *buf, uint16_t cap, uint16_t *payload_off);

/*
 * The next hop for m's destination: the destination itself when it is on
 * one of the port's subnets, else the configured gateway of that family.
 * Writes the address (4 or 16 bytes) to nh and returns 0, or -1 if there is
 * no route.
 */
int inject_next_hop(const struct lt_msg *m, const struct inject_route *rt, uint8_t nh[16]);

/*
 * Fill a punt message from a frame that pktproc_handle() marked PKTPROC_PUNT
 * (UDP over IPv4 or IPv6, offsets from its verdict). Returns 0, or -1 if the
 * payload exceeds LT_MSG_PAYLOAD_MAX (the caller counts a drop).
 */
int inject_punt_msg(const uint8_t *buf, const struct pktproc_verdict *v, uint16_t port,
		    ntp_ts_t rx_ts, struct lt_msg *out);

#endif
