/*
 * dp_ipv4.h -- the IPv4 layer's interface to the layers above and below.
 *
 * Call chains:
 *   in:  dp_eth_input -> dp_ipv4_input -> dp_icmp_input | dp_tcp_input
 *   out: dp_tcp_output... -> dp_ipv4_output -> dp_eth_output -> dp_core_tx
 *
 * Addresses are host byte order in every function signature.
 */
#ifndef DP_IPV4_H
#define DP_IPV4_H

#include <stdint.h>
#include <rte_mbuf.h>

struct dp_core;

/* m's data starts at the IPv4 header (Ethernet header already stripped).
 * Validates (version, header length, total length, checksum unless the NIC
 * verified it, destination is us or broadcast), drops fragments (counted),
 * trims padding and hands the payload to ICMP or TCP.  Takes ownership. */
void dp_ipv4_input(struct dp_core *core, struct rte_mbuf *m);

/*
 * Send an L4 packet: m's data starts at the L4 header and m->pkt_len is the
 * L4 length.  Prepends the IPv4 header (DF set, TTL 64, id from a per-core
 * counter, checksum by the NIC if offered else in software) and, for TCP
 * (proto 6), fills the TCP checksum (offload with the pseudo-header sum, or
 * software over the whole segment; the caller leaves the field 0), then
 * dp_core_route picks the port and next hop and dp_eth_output resolves it
 * (ARP) and queues the frame.  Takes ownership of m.  0, or -EHOSTUNREACH
 * if there is no route (DP_DROP_NO_ROUTE) or the next hop is unresolved
 * (the frame is held until ARP answers or dropped), -ENOBUFS (no headroom).
 * (Added: -EINVAL, dropped as DP_DROP_TCP_SHORT, if proto is TCP and the
 * first segment does not hold the 20-byte TCP header.)
 */
int dp_ipv4_output(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
		   uint32_t dst, uint8_t proto);

/* The Internet checksum helpers (also used by tests to craft packets). */
uint16_t dp_ipv4_l4_cksum(uint32_t src, uint32_t dst, uint8_t proto,
			  const struct rte_mbuf *m, uint32_t off, uint32_t len);

/*
 * The folded (not complemented) one's complement sum of len bytes of m from
 * off, across segments of any length, as rte_raw_cksum would give over the
 * same bytes made contiguous; 0 if off + len exceeds m.  Use this, not
 * rte_raw_cksum_mbuf: DPDK 22.11's truncates the unfolded sum of a segment
 * that starts at an odd offset, giving wrong sums for chains with odd-length
 * segments.
 */
uint16_t dp_raw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off,
			   uint32_t len);

#endif
