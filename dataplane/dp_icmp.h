/*
 * dp_icmp.h -- ICMP (RFC 792): echo replies only.
 *
 * Call chains:
 *   in:  dp_ipv4_input -> dp_icmp_input -> (echo request) dp_ipv4_output
 *
 * Everything but echo request is counted (DP_DROP_ICMP_TYPE) and dropped;
 * short messages and bad checksums are DP_DROP_ICMP_BAD.
 */
#ifndef DP_ICMP_H
#define DP_ICMP_H

#include <stdint.h>
#include <rte_mbuf.h>

struct dp_core;

/* m's data at the ICMP header, m->pkt_len = ICMP message length (padding
 * trimmed); src/dst host order.  Takes ownership of m (an echo request is
 * turned into the reply in place; stats.icmp_echo counts replies sent). */
void dp_icmp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
		   uint32_t dst);

#endif
