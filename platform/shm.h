/*
 * shm: the shared-memory region between linetime-dp and linetimed.
 *
 * One file mapped MAP_SHARED by both processes (hugetlbfs or tmpfs; no DPDK
 * multi-process, no hugepages needed). A header carrying magic, ABI version
 * and size comes first, then blocks that each have exactly one writer:
 *
 *   clock   control    -> dataplane  seqlocked time maps and reply fields
 *   policy  control    -> dataplane  access rules and rate limit, by generation
 *   stats   dataplane  -> control    per-worker cache-aligned counters
 *   ports   dataplane  -> control    port identity, link, NIC counters
 *   punt    dataplane  -> control    rte_ring of struct lt_msg by value
 *   inject  control    -> dataplane  rte_ring of struct lt_msg by value
 *   clients dataplane  -> control    one client log per worker (see clientlog.h)
 *
 * Nothing in the region is a pointer, so the two processes may map it at
 * different addresses. The region outlives either process: whoever starts
 * first creates it (built under a temporary name and renamed into place, so
 * the other never sees it half-made); a restarted process attaches to what is
 * there and carries on with the counters and rings it finds.
 */
#ifndef LT_SHM_H
#define LT_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "counters.h"
#include "ntp_time.h"
#include "seqlock.h"

#define LT_REGION_MAGIC 0x4e4f494745525f4cULL /* "L_REGION" little-endian */
#define LT_REGION_ABI 5

#define LT_MAX_WORKERS 16
#define LT_MAX_PORTS 8
#define LT_CACHE_LINE 64

#define LT_PUNT_RING_SIZE 1024
#define LT_INJECT_RING_SIZE 256
#define LT_MSG_PAYLOAD_MAX 1024

/* --- clock block (writer: control) ------------------------------------ */

/* counter -> NTP time: ntp = base_ntp + (counter - base_counter) * mult / 2^32 */
struct lt_clock_map {
	uint64_t base_counter;
	ntp_ts_t base_ntp;
	uint64_t mult;       /* NTP units (2^-32 s) per counter tick, 32.32 fixed point */
	uint64_t valid;      /* 0 until control has published this map */
};

struct lt_clock_params {
	uint8_t leap;        /* NTP_LEAP_* while synchronised */
	uint8_t stratum;
	int8_t precision;
	uint8_t pad0;
	uint32_t refid;
	uint32_t root_delay;      /* 16.16 */
	uint32_t root_dispersion; /* 16.16 */
	ntp_ts_t ref_time;
	uint64_t holdover_deadline_tsc; /* past this TSC value, replies say leap 3 */
	uint64_t tsc_hz;                /* nominal TSC rate */
};

struct lt_clock_snapshot {
	struct lt_clock_params p;
	struct lt_clock_map tsc;
	struct lt_clock_map nic[LT_MAX_PORTS];
};

struct lt_clock_block {
	seqlock_t lock;
	uint32_t generation;   /* bumped on every publish */
	struct lt_clock_snapshot snap;
} __attribute__((aligned(LT_CACHE_LINE)));

/* --- policy block (writer: control) ----------------------------------- */

#define LT_KEYS_MAX 1024
#define LT_KEY_SECRET_MAX 64

/* One symmetric key (RFC 5905 MAC) as control publishes it. slot names its
 * per-key counters in the stats block; control keeps a key's slot across
 * reloads and restarts while the key stays, and the counters' values when
 * the key took the slot as its baselines (for control only). */
struct lt_key {
	uint32_t id;
	uint16_t slot;
	uint8_t type;            /* enum ntp_mac_type */
	uint8_t len;             /* bytes of secret */
	uint8_t secret[LT_KEY_SECRET_MAX];
	uint64_t base_ok, base_bad;
};

/* What the dataplane enforces: access rules in file order, the rate limit
 * and the keys of authenticated NTP, as control last published them. */
struct lt_policy {
	uint32_t n_access;
	uint8_t kod_deny;
	uint8_t rl_enabled;
	uint8_t rl_leak;
	uint8_t rl_kod;
	uint8_t rl_ipv4_prefix;
	uint8_t rl_ipv6_prefix;
	uint8_t mssntp;          /* punt MS-SNTP requests for signing */
	uint8_t crypto_nak;      /* a failed MAC gets a crypto-NAK, not silence */
	uint8_t pad[4];
	int32_t rl_interval;     /* log2 s */
	uint32_t rl_burst;
	struct lt_cfg_access access[LT_CFG_MAX_ACCESS];
	uint32_t n_keys;
	uint32_t pad2;
	struct lt_key keys[LT_KEYS_MAX];
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct lt_policy) % 8 == 0, "seqlock_copy copies 8-byte words");

struct lt_policy_block {
	seqlock_t lock;
	uint32_t generation;   /* the dataplane rebuilds its tables when this changes */
	struct lt_policy p;
} __attribute__((aligned(LT_CACHE_LINE)));

/* --- stats block (writer: one dataplane worker per entry) -------------- */

struct lt_worker_stats {
	uint64_t ctr[LT_MAX_PORTS][LT_CTR_MAX];
	uint64_t polls;         /* poll rounds, a liveness signal per worker */
	uint64_t busy_polls;    /* rounds that received at least one frame */
	/* per key (by lt_key.slot): requests whose MAC verified, and
	 * requests whose MAC did not */
	uint64_t key_ok[LT_KEYS_MAX];
	uint64_t key_bad[LT_KEYS_MAX];
} __attribute__((aligned(LT_CACHE_LINE)));

struct lt_stats_block {
	struct lt_worker_stats w[LT_MAX_WORKERS];
};

/* --- ports block (writer: dataplane main lcore) ----------------------- */

enum lt_ts_source {
	LT_TS_SRC_NONE = 0,
	LT_TS_SRC_TSC = 1,    /* TSC read at rx-burst time */
	LT_TS_SRC_NIC = 2,    /* NIC RX timestamp offload, mapped by clock.nic[port] */
};

struct lt_port_info {
	char name[32];
	char device[96];
	char driver[32];
	uint8_t mac[6];
	uint8_t link_up;
	uint8_t ts_source;       /* enum lt_ts_source in use */
	uint32_t link_speed;     /* Mb/s */
	uint16_t rx_queues;
	uint16_t tx_queues;
	uint8_t rx_csum_offload; /* the NIC verifies IPv4 and UDP checksums */
	uint8_t tx_ts_source;    /* enum lt_ts_source of the departure times served
				  * in interleaved mode */
	uint8_t tx_before;       /* departures from the TSC read before tx_burst, not after */
	uint8_t pad;
	int32_t tx_comp_ns;      /* the port's tx_correction_ns, added to departures */
	uint32_t pad2;
	uint64_t ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf;
	/* NIC clock against TSC, sampled by the dataplane for control's fit */
	uint64_t nic_sample_tsc;
	uint64_t nic_sample_clock;
	uint64_t nic_clock_hz;   /* 0 if the port has no readable clock */
};

struct lt_ports_block {
	seqlock_t lock;
	uint32_t n_ports;
	uint32_t n_workers;     /* poll-mode workers running (entries used in stats) */
	uint32_t pad;
	struct lt_port_info port[LT_MAX_PORTS];
} __attribute__((aligned(LT_CACHE_LINE)));

_Static_assert(sizeof(struct lt_ports_block) % 8 == 0, "seqlock_copy copies 8-byte words");
_Static_assert(sizeof(struct lt_clock_snapshot) % 8 == 0, "seqlock_copy copies 8-byte words");

/* --- process liveness (one writer each) ------------------------------- */

struct lt_proc_info {
	uint64_t pid;
	uint64_t epoch;           /* incremented at every start of that process */
	uint64_t heartbeat;       /* incremented about every 100 ms while alive */
	uint64_t started_unix;
	uint64_t alive_tsc;       /* TSC of the last heartbeat */
} __attribute__((aligned(LT_CACHE_LINE)));

/* --- messages on the punt and inject rings ---------------------------- */

enum lt_msg_type {
	LT_MSG_NONE = 0,
	LT_MSG_PUNT_UDP = 1,     /* dp -> control: a UDP datagram for control */
	LT_MSG_TX_STAMP = 2,     /* dp -> control: actual TX time of an injected frame */
	LT_MSG_INJECT_UDP = 3,   /* control -> dp: send this UDP payload */
};

/* lt_msg.flags */
#define LT_MSG_F_DIRECT 0x01     /* inject: send to mac, no next-hop lookup (a
				  * reply goes back where its request came from) */

struct lt_msg {
	uint16_t type;           /* enum lt_msg_type */
	uint16_t port;           /* port index */
	uint16_t len;            /* payload bytes used */
	uint8_t family;          /* 4 or 6 */
	uint8_t flags;
	uint8_t src[16];         /* IPv4 in the first 4 bytes, network order */
	uint8_t dst[16];
	uint16_t sport;          /* host order */
	uint16_t dport;
	uint8_t mac[6];          /* punt: the frame's source MAC; inject with
				  * LT_MSG_F_DIRECT: the destination MAC */
	uint8_t pad[6];
	ntp_ts_t ts;             /* RX time (punt) or TX time (tx stamp) */
	uint64_t cookie;         /* inject: nonzero asks for a LT_MSG_TX_STAMP */
	uint8_t payload[LT_MSG_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct lt_msg) % 4 == 0, "ring elements are multiples of 4 bytes");
_Static_assert(offsetof(struct lt_msg, ts) == 56, "lt_msg layout is part of the region ABI");

/* --- the header and the whole region ---------------------------------- */

struct lt_region_hdr {
	uint64_t magic;
	uint32_t abi;
	uint32_t hdr_size;
	uint64_t size;            /* total bytes mapped */
	uint64_t created_unix;
	uint64_t off_clock, off_policy, off_stats, off_ports, off_punt, off_inject, off_clients;
	uint32_t punt_count, inject_count, msg_size, n_workers_max;
	uint32_t client_tables;       /* one client table per worker */
	uint32_t pad;
	uint64_t client_table_bytes;  /* each table's size (page aligned in the region) */
	struct lt_proc_info dp;   /* writer: dataplane */
	struct lt_proc_info ctl;  /* writer: control */
};

struct lt_region; /* opaque handle: mapping address, size, path */

/* The parts of the layout that come from the configuration. The client
 * tables' contents belong to the dataplane (dataplane/clientlog.h); the
 * region only reserves and zeroes them. */
struct shm_geometry {
	uint32_t client_tables;
	uint64_t client_table_bytes;
};

/* Who owns the region file and its lock: linetimed's configured user, so
 * that linetimed can still open them once it runs as that user (the
 * dataplane, root, opens them either way). */
struct shm_owner {
	uid_t uid;
	gid_t gid;
};

/* Map the region at path, creating it if it is missing or incompatible
 * (wrong magic, ABI, size or geometry: logged, then replaced). With owner
 * (NULL: whoever creates them), the region and its lock, mode 0600, are
 * made that user's, whether created now or found owned by root; a file
 * owned by anybody else is refused. Returns 0 or -errno. */
int shm_attach(const char *path, const struct shm_geometry *g, const struct shm_owner *owner,
	       struct lt_region **out, char *err, size_t errlen);

/* Map an existing region only; -ENOENT if absent, -EPROTO if incompatible
 * with this ABI or (when g is not NULL) with geometry g. */
int shm_attach_existing(const char *path, const struct shm_geometry *g, struct lt_region **out,
			char *err, size_t errlen);

/* Check a mapped header for magic, ABI, size and (g != NULL) geometry.
 * Returns 0 or -EPROTO. */
int shm_validate(const struct lt_region_hdr *h, size_t mapped, const struct shm_geometry *g);

/* Unmap (the file stays). */
void shm_detach(struct lt_region *r);

/* Nonzero if the file at the region's path is no longer the one mapped
 * (another process replaced it): the caller should re-attach. */
int shm_replaced(const struct lt_region *r);

/* Total size of a region of this ABI and geometry. */
size_t shm_region_size(const struct shm_geometry *g);

struct lt_region_hdr *shm_hdr(struct lt_region *r);
struct lt_clock_block *shm_clock(struct lt_region *r);
struct lt_policy_block *shm_policy(struct lt_region *r);
struct lt_stats_block *shm_stats(struct lt_region *r);
struct lt_ports_block *shm_ports(struct lt_region *r);
struct rte_ring *shm_punt_ring(struct lt_region *r);
struct rte_ring *shm_inject_ring(struct lt_region *r);
/* Client table i (i < client_tables), or NULL. */
void *shm_client_table(struct lt_region *r, unsigned int i);
const char *shm_path(const struct lt_region *r);

/* Mark the calling process started in its liveness block (epoch + 1). */
void shm_proc_start(struct lt_proc_info *p);

/* Heartbeat: the caller is alive at TSC value tsc. */
void shm_proc_beat(struct lt_proc_info *p, uint64_t tsc);

/* Publish a clock snapshot (control). */
void shm_clock_publish(struct lt_clock_block *b, const struct lt_clock_snapshot *s);

/* Read a consistent clock snapshot (dataplane, any process). */
void shm_clock_read(const struct lt_clock_block *b, struct lt_clock_snapshot *out);

/* Read a consistent copy of the ports block (control), with n_ports and
 * n_workers clamped to what the block can hold. */
void shm_ports_read(const struct lt_ports_block *b, struct lt_ports_block *out);

/*
 * A process killed inside a ring operation leaves its end of the ring half
 * done: the head moved, the tail not. The next multi-producer enqueue (or
 * multi-consumer dequeue) would wait for the dead one's tail for ever, and
 * a single-producer enqueue would publish slots the dead one never filled.
 * These put one end right again: an unfinished enqueue is dropped, an
 * unfinished dequeue is taken as done (a message is lost rather than acted
 * on twice). Only for the end's owner, when nothing else uses that end: a
 * restarted process, before it starts its threads. Each returns the slots
 * reclaimed, 0 if that end was consistent.
 */
unsigned int shm_ring_recover_producer(struct rte_ring *r);
unsigned int shm_ring_recover_consumer(struct rte_ring *r);

#endif
