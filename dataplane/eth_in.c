/*
 * eth_in.c -- Ethernet input: filter on destination MAC, demultiplex on
 * ether_type (see dp_eth.h).
 *
 * Call chain: dp_loop (rx burst) -> dp_eth_input -> dp_arp_input |
 *             dp_ipv4_input
 */
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_eth.h"
#include "dp_ipv4.h"

void
dp_eth_input(struct dp_core *core, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint16_t type;

	core->stats.rx_pkts++;
	core->stats.rx_bytes += m->pkt_len;
	if (core->loss_ppm &&
	    dp_core_rand(core) % 1000000 < core->loss_ppm) {
		dp_core_drop(core, m, DP_DROP_INJECTED_LOSS);
		return;
	}
	/* The headers of every layer must lie in the first segment. */
	if (m->data_len < sizeof(*eh)) {
		dp_core_drop(core, m, DP_DROP_ETH_SHORT);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (!rte_is_same_ether_addr(&eh->dst_addr,
				    &core->ports[core->rx_port]->mac) &&
	    !rte_is_broadcast_ether_addr(&eh->dst_addr)) {
		dp_core_drop(core, m, DP_DROP_ETH_NOT_US);
		return;
	}
	type = rte_be_to_cpu_16(eh->ether_type);
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		rte_pktmbuf_adj(m, sizeof(*eh));
		dp_ipv4_input(core, m);
		return;
	case RTE_ETHER_TYPE_ARP:
		rte_pktmbuf_adj(m, sizeof(*eh));
		dp_arp_input(core, m);
		return;
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
		dp_core_drop(core, m, DP_DROP_ETH_VLAN);
		return;
	default:
		dp_core_drop(core, m, DP_DROP_ETH_TYPE);
		return;
	}
}
