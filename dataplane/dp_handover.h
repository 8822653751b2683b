/*
 * dp_handover.h -- passing frames and ARP knowledge between polling cores.
 *
 * Why: a flow's frames arrive on the queue the NIC (RSS) or the kernel
 * (net_tap multi-queue) picks, which is not always the core that owns the
 * flow.  Each core has one incoming rte_ring (multi-producer, single
 * consumer: every other core may post, only the owner dequeues), of
 * 16-byte messages, each of one enum dp_ho_type.
 *
 * Call chains:
 *   rx:    dp_loop_iteration -> dp_handover_input -> dp_handover_steer ->
 *          (not ours) rte_ring enqueue to the owner | dp_eth_input
 *   drain: dp_loop_iteration -> dp_handover_drain -> (FRAME) dp_eth_input
 *                                                 | (ARP) dp_arp_learn
 *   arp:   dp_arp_input -> core->arp_learnt = dp_handover_arp_post ->
 *          rte_ring enqueue to every other core
 *
 * Ownership rules (what is steered):
 *   - Active opens (dp_tcp_connect) use a local port in the ephemeral range
 *     [DP_EPHEMERAL_LO, DP_EPHEMERAL_HI) with (port - DP_EPHEMERAL_LO) %
 *     ncores == core id (tcp.c, tcp_pick_port).  An IPv4 TCP segment to our
 *     address whose destination port is in that range, is not a listening
 *     port of the receiving core, and belongs to another core is handed to
 *     that core before any protocol processing (it has not been counted
 *     on the receiving core; the owner counts and validates it).  IP
 *     fragments are never steered (ipv4_in.c drops them anyway).
 *   - SYNs (and everything else) to a listening port are processed by the
 *     core that received them: a passive-open connection lives on the core
 *     that got its SYN.
 *   - Passive connections are not steered up front: a passive connection
 *     lives on the core that got its SYN, and its segments normally arrive
 *     there (RSS: until the redirection table is reprogrammed; net_tap: the
 *     kernel's flow table records the queue we last transmitted the flow
 *     on, falling back to the flow hash).  But queues do move (a RETA
 *     change, the tap's flow table ageing or being rewritten under load:
 *     integ_conns once saw 64 flows of core 0 reset by core 1), so a
 *     segment to a listening port that finds no connection, is not a SYN
 *     and carries no valid SYN cookie is handed on to the next core
 *     (dp_handover_stray, a DP_HO_STRAY message with a hop count) instead
 *     of being answered with RST; only the core where it has been through
 *     every core answers it as "no connection".  Cost: nothing on the
 *     normal path, one ring hop per core for a real stray.  No shared
 *     flow-owner table (a shared cache line per connection).
 *   - ARP: a neighbour learnt from a received ARP frame (reply or request
 *     to us, or a refresh of a cached sender) is posted to every other
 *     core, which applies it with dp_arp_learn at its next drain (one poll
 *     iteration): the entry becomes REACHABLE there and a packet held for
 *     it is sent.  Entries applied from a message are not posted again.
 *
 * Setup and teardown (dp_loop_run does both): every core calls
 * dp_handover_core_init before any core steers; steering waits until all
 * ncores rings exist (ho->ready == ncores), until then frames are processed
 * where they arrive.  dp_handover_core_fini may only run when no core can
 * post to this one any more (every core counted itself in ho->stopped).
 *
 * A full ring drops the frame (stats.handover_full); a lost ARP message
 * only costs the other core its own resolution.
 */
#ifndef DP_HANDOVER_H
#define DP_HANDOVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

struct dp_core;

/* Local ports of active opens: [LO, HI), split between cores by residue. */
#define DP_EPHEMERAL_LO 32768u
#define DP_EPHEMERAL_HI 61000u

#define DP_HO_RING_SIZE 1024u	/* messages per incoming ring */
#define DP_HO_BURST 32u		/* messages drained per call */

/* Shared by all cores (lives in struct dp_loop_shared); zero-initialised. */
struct dp_handover {
	_Atomic unsigned ready;		/* cores whose ring exists */
	_Atomic unsigned stopped;	/* cores that will post no more */
};

enum dp_ho_type {
	DP_HO_FRAME = 1,	/* a received frame, data at Ethernet */
	DP_HO_ARP = 2,		/* ip -> mac learnt by the sender */
	DP_HO_STRAY = 3,	/* a frame no connection of the sender's
				 * took, data at Ethernet, with a hop count */
};

/* The core owning active-open local port 'port', or -1 when the port is
 * outside the ephemeral range. */
static inline int
dp_handover_port_owner(uint16_t port, unsigned ncores)
{
	if (port < DP_EPHEMERAL_LO || port >= DP_EPHEMERAL_HI || ncores == 0)
		return -1;
	return (int)((port - DP_EPHEMERAL_LO) % ncores);
}

/*
 * Create core's incoming ring (ring_size a power of two, 0 = default) and
 * join ho: peers[0..core->ncores-1] are all the cores, by id.  Sets
 * core->ho, ho_peers, ho_ring and core->arp_learnt.  0, -EINVAL or
 * -ENOMEM.
 */
int dp_handover_core_init(struct dp_core *core, struct dp_handover *ho,
			  struct dp_core *const *peers, unsigned ring_size);
/* Count core in ho->stopped: it posts nothing from now on. */
void dp_handover_core_stop(struct dp_core *core);
/* True once every core counted itself stopped. */
bool dp_handover_all_stopped(const struct dp_core *core);
/* Free the messages still queued (frames freed, not processed) and the
 * ring; clears the core's hand-over fields.  Precondition: no core posts
 * to this one any more. */
void dp_handover_core_fini(struct dp_core *core);

/* True (and m posted to its owner) if m belongs to another core; false:
 * m is still the caller's.  Never processes m. */
bool dp_handover_steer(struct dp_core *core, struct rte_mbuf *m);
/* Called by TCP input for a segment to a listening port that no
 * connection of this core took (and that is no SYN, no valid cookie ACK):
 * if another core may own its flow (core->ho_hops + 1 < ncores), post the
 * frame (m's data back at Ethernet: m->l3_len must be set) to the next
 * core with one more hop and return true; m gains a reference, so the
 * caller still frees its own.  False (nothing done): answer it here. */
bool dp_handover_stray(struct dp_core *core, struct rte_mbuf *m);
/* dp_handover_steer, else dp_eth_input.  Takes ownership of m. */
void dp_handover_input(struct dp_core *core, struct rte_mbuf *m);
/* Process up to DP_HO_BURST messages from the core's ring; returns how
 * many. */
unsigned dp_handover_drain(struct dp_core *core);
/* Free (not process) every queued message; returns how many. */
unsigned dp_handover_discard(struct dp_core *core);
/* Post ip -> mac to every other core (core->arp_learnt hook). */
void dp_handover_arp_post(struct dp_core *core, uint32_t ip,
			  const struct rte_ether_addr *mac);

#endif
