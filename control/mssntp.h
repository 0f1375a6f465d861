/*
 * mssntp: signed time for Windows domain members ([MS-SNTP]). The dataplane
 * passes up each MS-SNTP request that got through the access rules and the
 * rate limit, with its receive timestamp; here it becomes the 48-byte reply
 * the fast path would have sent (the published clock, the same header rule),
 * Samba's ntp_signd signs it (see signd.h), and the 68-byte result goes back
 * out through the inject ring, straight to the MAC the request came from.
 *
 * A request that cannot be signed (no Samba, a stalled one, an unknown or
 * disabled account, a full queue) is dropped and counted by reason: never an
 * unsigned reply and never a KoD, which a Windows client would reject or
 * misread. Samba may appear, vanish or restart at any time; signing resumes
 * by itself within the reconnect backoff.
 */
#ifndef LT_MSSNTP_H
#define LT_MSSNTP_H

#include <poll.h>
#include <stdint.h>

#include <json-c/json.h>

#include "config.h"
#include "shm.h"
#include "signd.h"

struct mssntp;

/* What the service counted beyond signd's own statistics. */
struct mssntp_counters {
	uint64_t requests;       /* MS-SNTP requests received from the dataplane */
	uint64_t malformed;      /* punted as MS-SNTP but not one (never expected) */
	uint64_t sent;           /* signed replies handed to the dataplane */
	uint64_t inject_full;    /* signed, but the inject ring was full */
};

/* Hands a signed reply to the dataplane: 0, or -ENOBUFS (ring full). */
typedef int mssntp_send_fn(void *arg, const struct lt_msg *m);

/* Create the service for cfg->ntpsigndsocket ("" = off, still reporting);
 * signed replies leave through send(arg, m). NULL with a message in the log
 * on bad settings. */
struct mssntp *mssntp_new(const struct lt_config *cfg, mssntp_send_fn *send, void *arg);

/* Stop signing and release everything; pending requests are dropped. */
void mssntp_free(struct mssntp *s);

/* Follow a reload: a changed directory reconnects there (or turns signing
 * off); an unchanged one keeps the connection. 0, or -errno. */
int mssntp_configure(struct mssntp *s, const struct lt_config *cfg);

/* Whether a punted datagram is an MS-SNTP request for us (dport 123, 68
 * bytes, version 3 mode 3, key id, zero MAC). */
int mssntp_is_request(const struct lt_msg *m);

/*
 * The 48-byte reply to the punted request m from the clock snapshot at TSC
 * now_tsc: the header rule of the fast path, transmit time now (it is signed,
 * so it cannot be stamped later). Fills key_id and route for signd.
 */
void mssntp_build_reply(const struct lt_clock_snapshot *snap, uint64_t now_tsc,
			const struct lt_msg *m, uint8_t reply[48], uint8_t key_id[4],
			struct signd_route *route);

/* The inject message that sends signed68 back along route. */
void mssntp_inject_msg(const struct signd_route *route, const uint8_t signed68[68],
		       struct lt_msg *out);

/* Handle one punted MS-SNTP request, replying from the clock snapshot as it
 * stands at TSC now_tsc; now_ns is the monotonic time for signd. */
void mssntp_request(struct mssntp *s, const struct lt_msg *m, const struct lt_clock_snapshot *snap,
		    uint64_t now_tsc, uint64_t now_ns);

/* Fill *pfd for poll(); returns 1 if there is a descriptor, else 0. */
int mssntp_pollfd(const struct mssntp *s, struct pollfd *pfd);

/* Poll timeout contribution in ms (-1: none). */
int mssntp_timeout_ms(const struct mssntp *s, uint64_t now_ns);

/* Do the I/O and timers; revents from poll() (0 on a timeout). */
void mssntp_poll(struct mssntp *s, short revents, uint64_t now_ns);

/* Whether signing is configured. */
int mssntp_enabled(const struct mssntp *s);

/* signd's statistics and ours. */
void mssntp_stats(const struct mssntp *s, struct signd_stats *st, struct mssntp_counters *c);

/* The "signd" admin report: socket, state, queue, counts, latency. */
void mssntp_report(const struct mssntp *s, uint64_t now_ns, struct json_object *data);

#endif
