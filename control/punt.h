/*
 * punt: control's side of the rings. Drains the punt ring (frames the
 * dataplane passed up, transmit timestamps of injected frames) and sends
 * frames through the inject ring. UDP datagrams go to the consumer the
 * caller passes (MS-SNTP signing, upstream replies); what it does
 * not take is counted and logged at debug level.
 */
#ifndef LT_PUNT_H
#define LT_PUNT_H

#include <stdint.h>

#include "report.h"
#include "shm.h"

/* Takes a punted UDP datagram: returns 1 if it was handled, 0 if not. */
typedef int punt_udp_fn(void *arg, const struct lt_msg *m);

/* Takes the transmit time of an injected frame (m->cookie, m->ts). */
typedef void punt_stamp_fn(void *arg, const struct lt_msg *m);

/* Drain up to max messages from the punt ring, offering each UDP datagram
 * to udp(arg, m) and each transmit timestamp to stamp(arg, m) (either may
 * be NULL); returns how many were drained. */
unsigned int punt_drain(struct lt_region *r, unsigned int max, punt_udp_fn *udp,
			punt_stamp_fn *stamp, void *arg);

/* Queue m for transmission by the dataplane. 0, or -ENOBUFS if the ring is full. */
int punt_inject(struct lt_region *r, const struct lt_msg *m);

/* Control's ring counters, for serverstats. */
const struct report_ctl_counters *punt_counters(void);

#endif
