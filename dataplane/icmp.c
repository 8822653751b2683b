/*
 * icmp.c -- ICMP input: echo request -> echo reply (see dp_icmp.h).
 *
 * Call chain: dp_ipv4_input -> dp_icmp_input -> (echo request)
 *             dp_ipv4_output -> dp_eth_output
 */
#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "dp_icmp.h"
#include "dp_ipv4.h"

void
dp_icmp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
	      uint32_t dst)
{
	struct rte_icmp_hdr *ic;
	uint16_t sum;

	if (m->data_len < sizeof(*ic) ||
	    dp_raw_cksum_mbuf(m, 0, m->pkt_len) != 0xffff) {
		dp_core_drop(core, m, DP_DROP_ICMP_BAD);
		return;
	}
	ic = rte_pktmbuf_mtod(m, struct rte_icmp_hdr *);
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST) {
		dp_core_drop(core, m, DP_DROP_ICMP_TYPE);
		return;
	}
	/* Same identifier, sequence number and data; new type and sum. */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	sum = dp_raw_cksum_mbuf(m, 0, m->pkt_len);
	ic->icmp_cksum = (uint16_t)~sum;
	core->stats.icmp_echo++;
	dp_ipv4_output(core, m, dst, src, IPPROTO_ICMP);
}
