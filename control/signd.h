/*
 * signd: linetimed's client of Samba's ntp_signd socket, which signs the
 * replies to MS-SNTP (Windows domain member) requests. One non-blocking
 * AF_UNIX stream connection to <dir>/socket carries many requests at once
 * (Samba answers in order); a bounded ring of jobs, preallocated at
 * creation, matches each answer to the oldest job still unanswered.
 *
 * The caller's poll loop drives everything: it polls signd_fd() for
 * signd_events() with at most signd_next_timeout_ms(), then calls
 * signd_poll() with what poll() returned. Time is always passed in as a
 * monotonic now_ns; nothing here reads a clock, so tests choose the time.
 *
 * Failure handling, each a counted reason and one done() call per job:
 * - Samba says SIGNING_FAILURE (unknown RID): that job fails, the
 *   connection stays.
 * - Samba closes the connection (a disabled account does that): the oldest
 *   unanswered job fails, the others are re-sent at once on a new
 *   connection. Each close fails exactly one job, so a close loop ends.
 * - No answer within the timeout: every job fails, the connection is
 *   dropped and we back off (250 ms doubling to 2 s by default).
 * - A reply that is not a well-formed answer to the oldest job: that job
 *   fails, the connection is dropped and the rest re-sent.
 * While disconnected nothing is queued: a submit fails at once.
 */
#ifndef LT_SIGND_H
#define LT_SIGND_H

#include <stdint.h>

#define SIGND_QUEUE_MAX_DEFAULT      256
#define SIGND_QUEUE_MAX_LIMIT        65536  /* packet ids are 16 bits */
#define SIGND_TIMEOUT_DEFAULT_NS     1000000000ULL
#define SIGND_BACKOFF_MIN_DEFAULT_NS 250000000ULL
#define SIGND_BACKOFF_MAX_DEFAULT_NS 2000000000ULL

/* Zero in any number field selects its default. */
struct signd_params {
	const char *dir;                /* socket directory; NULL or "" = disabled */
	uint32_t queue_max;             /* jobs queued + in flight */
	uint64_t timeout_ns;            /* oldest job unanswered this long = stalled */
	uint64_t backoff_min_ns;        /* first reconnect delay */
	uint64_t backoff_max_ns;        /* the doubling stops here */
};

/* Where the signed reply goes; carried through untouched for the caller. */
struct signd_route {
	uint16_t port;
	uint8_t family;                 /* 4 or 6 */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint8_t mac[6];
};

enum signd_fail {
	SIGND_FAIL_NONE = 0,            /* signed */
	SIGND_FAIL_NOT_CONNECTED,       /* submit while no connection */
	SIGND_FAIL_QUEUE_FULL,          /* submit with queue_max jobs pending */
	SIGND_FAIL_SAMBA,               /* SIGNING_FAILURE reply (unknown RID...) */
	SIGND_FAIL_PEER_CLOSED,         /* Samba closed with this job unanswered */
	SIGND_FAIL_TIMEOUT,             /* Samba stalled */
	SIGND_FAIL_BAD_REPLY,           /* garbage, wrong id, wrong length */
	SIGND_FAIL_COUNT
};

enum signd_state {
	SIGND_STATE_DISABLED = 0,       /* no directory configured */
	SIGND_STATE_CONNECTING,
	SIGND_STATE_CONNECTED,
	SIGND_STATE_MISSING_DIRECTORY,  /* ENOENT, the directory does not exist */
	SIGND_STATE_NO_SOCKET,          /* ENOENT, the directory exists */
	SIGND_STATE_PERMISSION_DENIED,  /* EACCES/EPERM */
	SIGND_STATE_REFUSED,            /* ECONNREFUSED: stale socket, Samba stopped */
	SIGND_STATE_STALLED,            /* the last connection timed out */
	SIGND_STATE_CLOSED,             /* Samba closed the connection */
	SIGND_STATE_ERROR,              /* anything else; see last_error */
	SIGND_STATE_COUNT
};

/*
 * Latency histogram: 8 exact buckets for 0..7 us, then 8 buckets per power
 * of two up to 2^32 us. A percentile is reported as the upper bound of its
 * bucket (capped at the maximum seen): never below the true value and less
 * than 1/8 above it. Adding a sample is an increment, never an allocation.
 */
#define SIGND_LAT_SUB_BITS 3
#define SIGND_LAT_SUB      (1u << SIGND_LAT_SUB_BITS)
#define SIGND_LAT_MAX_EXP  31
#define SIGND_LAT_BUCKETS  (SIGND_LAT_SUB + (SIGND_LAT_MAX_EXP - SIGND_LAT_SUB_BITS + 1) * SIGND_LAT_SUB)

struct signd_latency {
	uint64_t count;
	uint64_t max_us;
	uint64_t bucket[SIGND_LAT_BUCKETS];
};

struct signd_percentiles {
	uint64_t count;
	uint64_t p50_us, p90_us, p99_us, max_us;
};

struct signd_stats {
	enum signd_state state;
	uint64_t state_since_ns;
	int last_errno;                 /* of the last failure, 0 if none */
	char last_error[160];           /* its text, "" if none */
	uint64_t connects, disconnects;
	uint64_t submitted;             /* every submit call */
	uint64_t signed_ok;
	uint64_t failed[SIGND_FAIL_COUNT];
	uint32_t queue_max;
	uint32_t queue_depth;           /* queued + in flight */
	uint32_t in_flight;             /* written, at least in part, to Samba */
	struct signd_latency latency;   /* submit -> signed, signed jobs only */
};

/*
 * Called once per accepted job: signed68 is reply || key id || MAC (valid
 * only during the call) or NULL with the reason. It may call
 * signd_submit(), not signd_poll() or signd_free().
 */
typedef void signd_done_fn(void *arg, const struct signd_route *route, const uint8_t *signed68,
			   enum signd_fail reason, uint64_t latency_ns);

struct signd;

/* Create a client; allocates everything it will ever use. NULL with errno
 * (EINVAL, ENAMETOOLONG, ENOMEM) on bad params. Connects on the first poll. */
struct signd *signd_new(const struct signd_params *p, signd_done_fn *done, void *arg);

/* Close the connection and release h; pending jobs are dropped silently. */
void signd_free(struct signd *h);

/* The socket path, "" when disabled. */
const char *signd_socket_path(const struct signd *h);

/* Queue one reply for signing. 0, or -ENOTCONN / -ENOBUFS (counted; done()
 * is not called for a job refused here). */
int signd_submit(struct signd *h, const uint8_t key_id[4], const uint8_t reply48[48],
		 const struct signd_route *route, uint64_t now_ns);

/* The descriptor to poll, or -1; it changes across reconnects. */
int signd_fd(const struct signd *h);

/* poll() events wanted on signd_fd(): POLLIN, POLLOUT while output is pending. */
short signd_events(const struct signd *h);

/* Milliseconds until signd_poll() has work without I/O (retry, timeout), -1 if none. */
int signd_next_timeout_ms(const struct signd *h, uint64_t now_ns);

/* Connect or retry, write, read and match replies, expire stalled jobs. */
void signd_poll(struct signd *h, short revents, uint64_t now_ns);

/* A snapshot of state and counters. */
void signd_get_stats(const struct signd *h, struct signd_stats *st);

/* Names for reports: "connected", "peer_closed", ... */
const char *signd_state_name(enum signd_state s);
const char *signd_fail_name(enum signd_fail f);

/* Record one latency sample. */
void signd_latency_add(struct signd_latency *l, uint64_t ns);

/* p50/p90/p99/max in microseconds; all zero when there are no samples. */
void signd_latency_percentiles(const struct signd_latency *l, struct signd_percentiles *out);

#endif
