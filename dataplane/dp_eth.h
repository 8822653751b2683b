/*
 * dp_eth.h -- the Ethernet layer: frame demultiplexing in, header
 * prepending and next-hop resolution out.
 *
 * Call chains:
 *   in:  dp_loop (rx burst) -> dp_eth_input -> dp_arp_input | dp_ipv4_input
 *   out: dp_ipv4_output -> dp_eth_output -> dp_arp_resolve -> dp_eth_xmit ->
 *        dp_core_tx
 *        dp_arp_* (requests, replies, released held packets) -> dp_eth_xmit
 *
 * Untagged frames only: 802.1Q/802.1ad tagged frames are counted
 * (DP_DROP_ETH_VLAN) and dropped.
 */
#ifndef DP_ETH_H
#define DP_ETH_H

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

struct dp_core;

/*
 * One received frame, m's data at the Ethernet header.  Counts
 * rx_pkts/rx_bytes, applies the injected RX loss (core->loss_ppm), accepts
 * frames to the MAC of the port it came from (core->rx_port) or to
 * broadcast (anything else: DP_DROP_ETH_NOT_US),
 * strips the header and hands IPv4 / ARP on (other types: DP_DROP_ETH_TYPE).
 * Takes ownership of m.
 */
void dp_eth_input(struct dp_core *core, struct rte_mbuf *m);

/*
 * Send an IPv4 packet (m's data at the IPv4 header, m->l3_len etc. set by
 * the caller) out of port index pi to next hop nexthop (host order; the
 * route, dp_core_route, chose both; UINT32_MAX: Ethernet broadcast).
 * Takes ownership of m.
 * 0: queued on the core's TX batch.
 * -EHOSTUNREACH: the next hop is being resolved and m is held by ARP (sent
 *   when the reply arrives, dropped and counted if it never does).
 * -ENOBUFS: no headroom for the Ethernet header (DP_DROP_NO_MBUF, dropped).
 */
int dp_eth_output(struct dp_core *core, unsigned pi, struct rte_mbuf *m,
		  uint32_t nexthop);

/*
 * Prepend an Ethernet header (port pi's MAC -> dst, ether_type in host
 * order), set m->l2_len and queue m on the core's TX batch for port pi.
 * Takes ownership of m.  0 or -ENOBUFS (no headroom: DP_DROP_NO_MBUF,
 * dropped).
 */
int dp_eth_xmit(struct dp_core *core, unsigned pi, struct rte_mbuf *m,
		const struct rte_ether_addr *dst, uint16_t ether_type);

#endif
