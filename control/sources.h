/*
 * sources: linetimed's upstream servers as a set. For each source it keeps
 * the address, a srcfilter, the poll schedule and the one request in
 * flight; it builds requests (ntpclient), pairs each with the transmit
 * time the dataplane reports and its reply with the receive time, and
 * turns valid exchanges into samples. Pools add and replace members; KoD
 * RATE raises a source's poll, DENY/RSTR stops it (a pool member is then
 * dropped and replaced).
 *
 * A server configured with a key (chrony's "server ADDR key ID") holds a
 * copy of the prepared key: its requests carry a MAC, and only replies
 * whose MAC verifies under that key count (ntpclient_check_auth); the
 * others are counted and otherwise ignored, so a forger cannot even
 * cancel the request in flight. The keys are handed in (sources_set_keys):
 * this module never reads the keyfile.
 *
 * Plain C with the world injected: requests leave through a send callback,
 * random numbers come from a callback, host names are resolved by the
 * caller (sources_want_resolve / sources_resolved / sources_pool_offer).
 * Two timescales are arguments: `mono` (monotonic seconds, for schedules)
 * and `local` (the cooked clock, for measurements).
 */
#ifndef LT_SOURCES_H
#define LT_SOURCES_H

#include <stdint.h>

#include "config.h"
#include "ntpclient.h"
#include "srcfilter.h"
#include "srcselect.h"

#define SOURCES_MAX SRCSELECT_MAX

/* Send one request: payload to family/addr port 123; cookie asks the
 * dataplane for the frame's transmit time. Returns 0 or -1. */
typedef int (*sources_send_fn)(void *arg, int family, const uint8_t addr[16],
			       const uint8_t *payload, unsigned int len, uint64_t cookie);
typedef uint64_t (*sources_random_fn)(void *arg);

struct sources_config {
	double precision;          /* s: our timestamping precision */
	int8_t precision_log2;     /* advertised in requests */
	sources_send_fn send;
	sources_random_fn random;
	void *arg;
};

enum source_state {
	SOURCE_UNRESOLVED = 0,     /* no address yet */
	SOURCE_ACTIVE,
	SOURCE_KOD_STOPPED,        /* DENY/RSTR: not polled any more */
};

struct source_counters {
	uint64_t sent, send_failed, replies, accepted, no_tx_stamp, late;
	uint64_t auth_ok;          /* replies whose MAC verified (keyed sources) */
	uint64_t no_key;           /* polls not sent: the key is not in the keyfile */
	uint64_t verdict[NTPCLIENT_VERDICTS];
	uint64_t filter[SRCFILTER_INVALID + 1];
};

/* What a report shows of one source. */
struct source_info {
	const char *name;
	const char *pool;          /* "" if not a pool member */
	int family;                /* 0 while unresolved */
	uint8_t addr[16];
	enum source_state state;
	struct lt_cfg_poll poll_cfg;
	int poll;                  /* current log2 s */
	char kod[5];               /* last kiss code, "" if none */
	double last_rx_mono;       /* -1: never */
	struct srcfilter_sample last; /* newest sample as measured */
	uint32_t last_refid;          /* reference id of the newest reply */
	int have_last;
	int unsync;                /* its last reply said leap 3 / stratum 16 */
	const struct srcfilter *filter;
	uint32_t key_id;           /* 0: unauthenticated */
	int key_type;              /* enum ntp_mac_type; NTP_MAC_NONE if the key is missing */
	struct source_counters ctr;
};

struct sources;

/* A new, empty set; epoch is the NTP time of local 0 (for the server's
 * timestamps). */
struct sources *sources_new(const struct sources_config *cfg, ntp_ts_t epoch);
void sources_free(struct sources *s);

/* Add a server by name or address literal (resolved at once if it is a
 * literal). Returns its index, -EEXIST, -ENOSPC or -EINVAL. */
int sources_add_server(struct sources *s, const char *name, const struct lt_cfg_poll *poll, double mono);

/* Add a pool (members come from sources_pool_offer). Returns 0 or -ENOSPC. */
int sources_add_pool(struct sources *s, const struct lt_cfg_pool *p, double mono);

/* Remove the source whose name or address text is name. 0 or -ENOENT. */
int sources_delete(struct sources *s, const char *name);

/* What a reload did to the sources. */
struct sources_changes {
	unsigned int added, removed, changed, failed;
};

/*
 * A reload: make the configured sources those of next (servers by address,
 * pools by name, compared with old, the configuration they came from). New
 * ones are added, those gone removed, those with other options removed and
 * added again (their samples start over, as chrony does); the others keep
 * their state, and sources added at run time are left alone.
 */
void sources_reconfigure(struct sources *s, const struct lt_cfg_sync *old,
			 const struct lt_cfg_sync *next, double mono, struct sources_changes *out);

/* Authenticate source i with key (copied; NULL and id 0: not at all).
 * With id nonzero and key NULL the key is missing: the source sends
 * nothing until it comes. 0 or -ENOENT for an empty slot. */
int sources_set_key(struct sources *s, unsigned int i, uint32_t id, const struct ntp_mac_key *key);

/* The keys of the servers configured in y (lt_cfg_server.key), taken from
 * the prepared keys keys[0..n): each source y names gets a copy of its
 * key, or none; a changed secret takes effect at the next request. Call
 * after sources_add_server / sources_reconfigure for y. */
void sources_set_keys(struct sources *s, const struct lt_cfg_sync *y, const struct ntp_mac_key *keys,
		      unsigned int n);

/* Index of the source with this address, or -1. */
int sources_find(const struct sources *s, int family, const uint8_t addr[16]);

/* Slot count (indices 0..n-1; a slot may be empty) and whether i is used. */
unsigned int sources_slots(const struct sources *s);
int sources_used(const struct sources *s, unsigned int i);

/* A name due for (re)resolution at mono: fills name (a server's or a
 * pool's), *pool (-1 for a server) and returns the source index (server)
 * or 0 (pool); -1 when nothing is due. Mark it done with
 * sources_resolved(), passing the addresses found (n may be 0). */
int sources_want_resolve(const struct sources *s, double mono, const char **name, int *pool);
void sources_resolved(struct sources *s, int index, int pool, const int *family,
		      const uint8_t (*addr)[16], unsigned int n, double mono);

/* Send every request due at mono. */
void sources_poll(struct sources *s, double mono);

/* Seconds until the next request or resolution is due (>= 0). */
double sources_next_due(const struct sources *s, double mono);

/* The dataplane sent the request with this cookie at local time t1. */
void sources_tx_stamp(struct sources *s, uint64_t cookie, double t1);

/* A UDP payload from family/addr port 123 received at local time t4.
 * Returns the index of the source whose filter took a new sample, with
 * the filter's verdict in *verdict (the caller re-runs selection when it
 * is SRCFILTER_ACCEPTED or SRCFILTER_STEP), or -1 if none did. */
int sources_reply(struct sources *s, int family, const uint8_t addr[16], const uint8_t *payload,
		  unsigned int len, double t4, double mono, enum srcfilter_verdict *verdict);

/* The local clock moved by dphase and its rate by dfreq at local time when:
 * replay it on every filter and on requests in flight. A request whose
 * transmit time is still unknown is abandoned. */
void sources_adjust(struct sources *s, double when, double dphase, double dfreq);

/* Fill srcselect inputs for every slot (n = sources_slots); an empty or
 * unresolved slot is given as unreachable. */
void sources_estimates(const struct sources *s, double local, struct srcselect_source *out);

/* Start a burst of `total` quick requests (2 s apart) on every source, or
 * the one named (NULL = all). Returns how many sources. */
int sources_burst(struct sources *s, const char *name, unsigned int total, double mono);

/* One source's view for reports; 0 or -ENOENT for an empty slot. */
int sources_info(const struct sources *s, unsigned int i, struct source_info *out);

/* Counts for `activity`: online (resolved and reachable), offline,
 * unresolved, stopped by KoD. */
void sources_activity(const struct sources *s, unsigned int *online, unsigned int *offline,
		      unsigned int *unresolved, unsigned int *kod);

/* Text of a source's address (or its name while unresolved). */
const char *sources_addr_text(const struct source_info *si, char *buf, unsigned int len);

#endif
