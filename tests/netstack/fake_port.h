/*
 * fake_port.h -- an in-memory dp_port for the netstack tests: the test
 * injects received frames into a queue's RX ring, and every frame the stack
 * transmits is kept, in order, on the queue's TX ring until the test pops
 * it.  Like a NIC, tx_burst performs the checksum offloads the frame asks
 * for (RTE_MBUF_F_TX_IP_CKSUM / RTE_MBUF_F_TX_TCP_CKSUM, the latter seeded
 * by the pseudo-header sum the stack left in the field), so what the test
 * reads is what would be on the wire; m->ol_flags is left as the stack set
 * it, so tests can assert on the requests too.
 *
 * tx_room limits how many more frames tx_burst accepts (to test a full TX
 * ring); UINT32_MAX by default.  tx_refuse_calls makes that many next
 * tx_burst calls accept nothing (a ring full for a moment).  Not thread-safe: one test thread.
 */
#ifndef FAKE_PORT_H
#define FAKE_PORT_H

#include <stdint.h>
#include <rte_mbuf.h>

#include "dp_port.h"

#define FAKE_PORT_MAXQ 4
#define FAKE_PORT_QLEN 4096	/* power of two */

struct fake_ring {
	struct rte_mbuf *m[FAKE_PORT_QLEN];
	uint32_t head, tail;	/* head - tail = frames queued */
};

struct fake_port {
	struct fake_ring rx[FAKE_PORT_MAXQ];
	struct fake_ring tx[FAKE_PORT_MAXQ];
	uint32_t tx_room;	/* frames tx_burst may still accept */
	uint32_t tx_refuse_calls; /* next tx_burst calls that accept nothing
				   * (a ring the peer drains a moment later) */
	uint64_t tx_total;	/* frames ever accepted */
};

/* Make p a fake port with nb_queues queues (<= FAKE_PORT_MAXQ), backed by
 * fp (zeroed here).  Address fields of p are left to the caller. */
void fake_port_init(struct dp_port *p, struct fake_port *fp,
		    uint16_t nb_queues);
/* Queue m for the stack to receive on queue q.  0, or -ENOSPC (m still
 * the caller's). */
int fake_port_inject(struct fake_port *fp, uint16_t q, struct rte_mbuf *m);
/* Oldest frame the stack sent on q (the caller frees it), or NULL. */
struct rte_mbuf *fake_port_pop_tx(struct fake_port *fp, uint16_t q);
uint32_t fake_port_tx_pending(const struct fake_port *fp, uint16_t q);
uint32_t fake_port_rx_pending(const struct fake_port *fp, uint16_t q);
/* Free every queued frame, both directions, all queues. */
void fake_port_drain(struct fake_port *fp);

#endif
