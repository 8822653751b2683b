/*
 * eth_out.c -- Ethernet output: ARP resolution of the next hop, header
 * (see dp_eth.h).
 *
 * Call chains:
 *   dp_ipv4_output -> dp_eth_output -> dp_arp_resolve -> dp_eth_xmit ->
 *   dp_core_tx
 *   arp.c (requests, replies, released packets) -> dp_eth_xmit
 */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_eth.h"

int
dp_eth_xmit(struct dp_core *core, unsigned pi, struct rte_mbuf *m,
	    const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (eh == NULL) {
		dp_core_drop(core, m, DP_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	rte_ether_addr_copy(dst, &eh->dst_addr);
	if (unlikely(pi >= core->nports)) {
		dp_core_drop(core, m, DP_DROP_NO_ROUTE);	/* caller bug */
		return -EINVAL;
	}
	rte_ether_addr_copy(&core->ports[pi]->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	m->l2_len = sizeof(*eh);
	dp_core_tx(core, pi, m);
	return 0;
}

int
dp_eth_output(struct dp_core *core, unsigned pi, struct rte_mbuf *m,
	      uint32_t nexthop)
{
	struct rte_ether_addr mac;
	int rc;

	if (nexthop == UINT32_MAX) {
		rte_ether_addr_copy(&(const struct rte_ether_addr){
			.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
			&mac);
		return dp_eth_xmit(core, pi, m, &mac, RTE_ETHER_TYPE_IPV4);
	}
	rc = dp_arp_resolve(core, pi, nexthop, m, &mac);
	if (rc < 0)
		return rc;	/* held or dropped by ARP */
	return dp_eth_xmit(core, pi, m, &mac, RTE_ETHER_TYPE_IPV4);
}
