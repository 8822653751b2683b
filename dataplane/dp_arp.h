/*
 * dp_arp.h -- ARP for IPv4 over Ethernet (RFC 826): a per-core neighbour
 * cache, answers for our address, resolution with one held packet per
 * unresolved neighbour, gratuitous announcement.
 *
 * Call chains:
 *   in:    dp_eth_input -> dp_arp_input -> (reply) dp_eth_xmit
 *                                       -> (learn) release held packet ->
 *                                          dp_eth_xmit
 *   out:   dp_eth_output -> dp_arp_resolve -> (miss) request -> dp_eth_xmit
 *   timer: dp_loop -> dp_arp_timers -> retry request | drop entry
 *
 * Cache: DP_ARP_SETS x DP_ARP_WAYS entries (set-associative on the IP), no
 * allocation after dp_arp_init.  An entry is in one state of enum
 * dp_arp_state:
 *   FREE -> INCOMPLETE (we need the address: request sent, one packet held)
 *   INCOMPLETE -> REACHABLE (reply or request from it to us; held packet sent)
 *   INCOMPLETE -> FREE after DP_ARP_RETRIES unanswered retries, one every
 *     DP_ARP_RETRY_US (held packet dropped as DP_DROP_ARP_UNRESOLVED)
 *   REACHABLE -> FREE DP_ARP_REACHABLE_US after it was last confirmed
 *   STATIC (dp_arp_add_static): never expires, never replaced by learning.
 * Learning: a request or reply whose target is our IP creates/updates the
 * sender's entry; any ARP from a sender already cached refreshes its MAC
 * (RFC 826 merge), so gratuitous ARPs of known neighbours are honoured.
 *
 * Counters: stats.arp_requests / stats.arp_replies count requests and
 * replies we SENT (including the announcement, which is a request).
 * All times come from core->now_us.
 */
#ifndef DP_ARP_H
#define DP_ARP_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

struct dp_core;

#define DP_ARP_SETS 64
#define DP_ARP_WAYS 8
#define DP_ARP_REACHABLE_US (300ull * 1000000)
#define DP_ARP_RETRY_US (1ull * 1000000)
#define DP_ARP_RETRIES 3	/* retries after the first request */

enum dp_arp_state {
	DP_ARP_FREE = 0,
	DP_ARP_INCOMPLETE,
	DP_ARP_REACHABLE,
	DP_ARP_STATIC,
	DP_ARP__NSTATES
};

extern const char *const dp_arp_state_names[DP_ARP__NSTATES];

/* Allocate core->arp (on the core's NUMA socket).  0 or -ENOMEM. */
int dp_arp_init(struct dp_core *core);
/* Free core->arp and every held packet (not counted as drops). */
void dp_arp_fini(struct dp_core *core);

/* m's data at the ARP header.  Takes ownership of m. */
void dp_arp_input(struct dp_core *core, struct rte_mbuf *m);

/*
 * Resolve next hop ip (host order, on port index pi's link; a request
 * goes out there) for m (data at the IPv4 header).
 * 0: *mac is set, m untouched (still the caller's).
 * -EHOSTUNREACH: not resolved yet; m is held (replacing, and dropping as
 *   DP_DROP_ARP_HOLD_REPLACED, an older held packet) and a request is sent
 *   if none is outstanding; or the cache set is full of static entries
 *   (m dropped, DP_DROP_ARP_UNRESOLVED).  Either way m is no longer the
 *   caller's.
 */
int dp_arp_resolve(struct dp_core *core, unsigned pi, uint32_t ip,
		   struct rte_mbuf *m, struct rte_ether_addr *mac);

/* Gratuitous ARP announcing our address on every port (an ARP request
 * with sender and target IP = the port's, target MAC zero, to broadcast).
 * 0 or -ENOBUFS (the first failure; the other ports are still tried). */
int dp_arp_announce(struct dp_core *core);

/* Retry / expire entries whose deadline is <= core->now_us.  Cheap when
 * nothing is due (one comparison). */
void dp_arp_timers(struct dp_core *core);

/* Sharing: after a received ARP frame leaves its sender REACHABLE here,
 * dp_arp_input calls core->arp_learnt(core, ip, mac) when set
 * (dp_handover.c posts it to the other cores, which apply it with
 * dp_arp_learn, which never calls the hook). */

/* Record ip -> mac as REACHABLE (refreshing an entry, creating one if
 * needed; STATIC entries are left alone) and send a held packet.  For
 * sharing what one core learnt with the others: with RSS, ARP frames
 * (not IP) all arrive on one queue. */
void dp_arp_learn(struct dp_core *core, uint32_t ip,
		  const struct rte_ether_addr *mac);

/* A permanent entry (tests, static neighbours).  0, -ENOSPC (set full of
 * static entries) or -EINVAL (ip 0).  Releases a held packet if any. */
int dp_arp_add_static(struct dp_core *core, uint32_t ip,
		      const struct rte_ether_addr *mac);

/* Look up without side effects: the entry's state, and its MAC if
 * REACHABLE or STATIC. */
enum dp_arp_state dp_arp_lookup(struct dp_core *core, uint32_t ip,
				struct rte_ether_addr *mac);

#endif
