/* punt: draining the punt ring and feeding the inject ring. */
#include "punt.h"

#include <errno.h>
#include <arpa/inet.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "log.h"

#define DRAIN_BURST 16

static struct report_ctl_counters ctl;

static void log_udp(const struct lt_msg *m)
{
	char src[INET6_ADDRSTRLEN];

	inet_ntop(m->family == 6 ? AF_INET6 : AF_INET, m->src, src, sizeof(src));
	log_msg(LOG_DEBUG, "punted UDP %u bytes from [%s]:%u to port %u on port %u", m->len, src,
		m->sport, m->dport, m->port);
}

unsigned int punt_drain(struct lt_region *r, unsigned int max, punt_udp_fn *udp,
			punt_stamp_fn *stamp, void *arg)
{
	static struct lt_msg msgs[DRAIN_BURST];
	unsigned int total = 0;

	while (total < max) {
		unsigned int n = rte_ring_sc_dequeue_burst_elem(shm_punt_ring(r), msgs, sizeof(msgs[0]),
								DRAIN_BURST, NULL);
		if (n == 0)
			break;
		for (unsigned int i = 0; i < n; i++) {
			ctl.punt_received++;
			switch (msgs[i].type) {
			case LT_MSG_PUNT_UDP:
				ctl.punt_udp++;
				if (!udp || !udp(arg, &msgs[i]))
					log_udp(&msgs[i]);
				break;
			case LT_MSG_TX_STAMP:
				ctl.tx_stamps++;
				if (stamp)
					stamp(arg, &msgs[i]);
				break;
			default:
				log_msg(LOG_WARNING, "punt ring: unknown message type %u", msgs[i].type);
				break;
			}
		}
		total += n;
	}
	return total;
}

int punt_inject(struct lt_region *r, const struct lt_msg *m)
{
	if (rte_ring_sp_enqueue_elem(shm_inject_ring(r), (void *)m, sizeof(*m)) != 0) {
		ctl.inject_ring_full++;
		return -ENOBUFS;
	}
	ctl.inject_sent++;
	return 0;
}

const struct report_ctl_counters *punt_counters(void)
{
	return &ctl;
}
