/*
 * neigh: the dataplane's neighbour table (IPv4 ARP and IPv6 ND), fixed size,
 * no allocation after neigh_init(), plus builders for the solicitations that
 * resolve a next hop. Replies to clients go to the request's source MAC and
 * need no lookup; the table serves frames control injects (upstream queries,
 * signed replies) towards addresses or the gateway.
 *
 * Entries are learned from ARP requests/replies and ND solicitations/adverts
 * addressed to us; they expire after NEIGH_TTL_SEC and are replaced oldest
 * first when a hash bucket is full.
 */
#ifndef LT_NEIGH_H
#define LT_NEIGH_H

#include <stdint.h>

#define NEIGH_BUCKETS 256
#define NEIGH_WAYS 4
#define NEIGH_TTL_SEC 1200

struct neigh_entry {
	uint8_t addr[16];   /* IPv4 in the first 4 bytes (network order), rest zero */
	uint8_t mac[6];
	uint8_t family;     /* 0 = free, 4 or 6 */
	uint8_t pad;
	uint64_t updated_tsc;
};

struct neigh_table {
	uint64_t tsc_hz;    /* for the TTL */
	struct neigh_entry e[NEIGH_BUCKETS][NEIGH_WAYS];
};

/* Empty the table; tsc_hz is the counter rate used by now_tsc arguments. */
void neigh_init(struct neigh_table *t, uint64_t tsc_hz);

/* Learn or refresh addr (4 or 16 bytes, per family) -> mac. */
void neigh_learn(struct neigh_table *t, int family, const uint8_t *addr, const uint8_t mac[6],
		 uint64_t now_tsc);

/* Look addr up; copies the MAC and returns 0, or -1 if absent or expired. */
int neigh_lookup(const struct neigh_table *t, int family, const uint8_t *addr, uint8_t mac_out[6],
		 uint64_t now_tsc);

/*
 * Build a broadcast ARP request for target_ip (network order) from our
 * mac/ip into buf (>= 42 bytes). Returns the frame length or -1.
 */
int neigh_build_arp_request(uint8_t *buf, uint16_t cap, const uint8_t our_mac[6], uint32_t our_ip,
			    uint32_t target_ip);

/*
 * Build an ICMPv6 neighbour solicitation for target (to its solicited-node
 * multicast address, with our link-layer address option) from our_ip.
 * Returns the frame length or -1.
 */
int neigh_build_ns(uint8_t *buf, uint16_t cap, const uint8_t our_mac[6], const uint8_t our_ip[16],
		   const uint8_t target[16]);

#endif
