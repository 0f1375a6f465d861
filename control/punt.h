/*
 * punt: control's side of the rings. Drains the punt ring (frames the
 * dataplane passed up, transmit timestamps of injected frames) and sends
 * frames through the inject ring. Later modules (upstream sync, signd)
 * register as consumers of the UDP datagrams; today they are counted and
 * logged at debug level.
 */
#ifndef LT_PUNT_H
#define LT_PUNT_H

#include <stdint.h>

#include "report.h"
#include "shm.h"

/* Drain up to max messages from the punt ring; returns how many. */
unsigned int punt_drain(struct lt_region *r, unsigned int max);

/* Queue m for transmission by the dataplane. 0, or -ENOBUFS if the ring is full. */
int punt_inject(struct lt_region *r, const struct lt_msg *m);

/* Control's ring counters, for serverstats. */
const struct report_ctl_counters *punt_counters(void);

#endif
