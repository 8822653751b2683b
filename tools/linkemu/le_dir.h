/*
 * le_dir.h -- one direction of the emulated link: ingress port -> partition
 * -> loss (Bernoulli, Gilbert-Elliott) -> duplication -> rate queue (token
 * bucket, tail drop) -> delay queue (jitter) -> egress port.
 *
 * Call chain: le_main poll loop -> rte_eth_rx_burst -> le_dir_input
 *   -> (partition | le_loss_decide | rte_pktmbuf_copy) -> le_rate_enqueue
 *      or (rate off, FIFO empty) le_delay_push;
 *   le_main -> le_dir_output -> le_rate_dequeue -> le_delay_push;
 *      le_delay_pop_due -> rte_eth_tx_burst (lateness recorded)
 *
 * A packet in flight when its direction is partitioned is dropped at
 * release (counted as partition): a cut link delivers nothing after the
 * cut.  Everything here runs on the one forwarding thread (the main lcore);
 * the control socket is served by the same thread between bursts, so no
 * locking.
 */
#ifndef LE_DIR_H
#define LE_DIR_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "le_ctl.h"
#include "le_delay.h"
#include "le_loss.h"
#include "le_rand.h"
#include "le_rate.h"

#define LE_BURST 32

struct le_dir {
	enum le_dir_id id;
	uint16_t in_port;
	uint16_t out_port;
	uint64_t hz;			/* TSC ticks per second */
	struct rte_mempool *pool;	/* duplicates */
	struct le_dir_cfg cfg;
	struct le_rand rand;
	struct le_loss_state loss;
	struct le_rate rate;
	struct le_delay_queue delay;
	struct le_dir_stats st;
};

/* Set up direction id from in_port to out_port with a delay queue of
 * queue_cap packets (malloc: 24 bytes each, plus 1 MiB for the rate FIFO).
 * 0 or -ENOMEM / -EINVAL. */
int
le_dir_init(struct le_dir *d, enum le_dir_id id, uint16_t in_port,
	    uint16_t out_port, struct rte_mempool *pool, uint32_t queue_cap,
	    uint64_t seed, uint64_t hz, uint64_t now);

/* Free every queued mbuf and the queues. */
void
le_dir_fini(struct le_dir *d);

/* Take ownership of n received frames at time now (TSC). */
void
le_dir_input(struct le_dir *d, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t now);

/* Move conforming packets from the rate FIFO to the delay queue and send
 * what is due at now.  Returns the number of frames moved or dropped (0:
 * nothing to do). */
unsigned
le_dir_output(struct le_dir *d, uint64_t now);

/* The next time (TSC) something is due: UINT64_MAX when idle. */
uint64_t
le_dir_next_event(struct le_dir *d, uint64_t now);

/* Replace the configuration (queued packets keep their release times). */
void
le_dir_set_cfg(struct le_dir *d, const struct le_dir_cfg *cfg);

/* Zero the counters (queue_depth keeps its current value). */
void
le_dir_stats_reset(struct le_dir *d);

#endif
