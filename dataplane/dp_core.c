/*
 * dp_core.c -- per-core helpers: TX batching, mbuf allocation, drop
 * accounting, random numbers, the ports and the route between them (see
 * dp_core.h).
 */
#include "dp_core.h"

#include <errno.h>
#include <string.h>

#include <rte_ether.h>

const char *const dp_drop_names[DP_DROP__COUNT] = {
	[DP_DROP_ETH_SHORT] = "eth_short",
	[DP_DROP_ETH_NOT_US] = "eth_not_us",
	[DP_DROP_ETH_TYPE] = "eth_type",
	[DP_DROP_ARP_BAD] = "arp_bad",
	[DP_DROP_IP_SHORT] = "ip_short",
	[DP_DROP_IP_VERSION] = "ip_version",
	[DP_DROP_IP_HLEN] = "ip_hlen",
	[DP_DROP_IP_LEN] = "ip_len",
	[DP_DROP_IP_CKSUM] = "ip_cksum",
	[DP_DROP_IP_NOT_US] = "ip_not_us",
	[DP_DROP_IP_FRAG] = "ip_frag",
	[DP_DROP_IP_PROTO] = "ip_proto",
	[DP_DROP_ICMP_BAD] = "icmp_bad",
	[DP_DROP_TCP_SHORT] = "tcp_short",
	[DP_DROP_TCP_CKSUM] = "tcp_cksum",
	[DP_DROP_TCP_OPTIONS] = "tcp_options",
	[DP_DROP_TCP_NO_CONN] = "tcp_no_conn",
	[DP_DROP_TCP_BAD_SEQ] = "tcp_bad_seq",
	[DP_DROP_TCP_BAD_ACK] = "tcp_bad_ack",
	[DP_DROP_TCP_BACKLOG] = "tcp_backlog",
	[DP_DROP_TCP_PAWS] = "tcp_paws",
	[DP_DROP_NO_MBUF] = "no_mbuf",
	[DP_DROP_TX_FULL] = "tx_full",
	[DP_DROP_ARP_UNRESOLVED] = "arp_unresolved",
	[DP_DROP_INJECTED_LOSS] = "injected_loss",
	[DP_DROP_ETH_VLAN] = "eth_vlan",
	[DP_DROP_ARP_NOT_US] = "arp_not_us",
	[DP_DROP_ARP_HOLD_REPLACED] = "arp_hold_replaced",
	[DP_DROP_NO_ROUTE] = "no_route",
	[DP_DROP_ICMP_TYPE] = "icmp_type",
	[DP_DROP_TX_OVERSIZE] = "tx_oversize",
};

int
dp_core_add_port(struct dp_core *core, struct dp_port *p)
{
	if (p == NULL)
		return -EINVAL;
	if (core->nports == DP_MAX_PORTS)
		return -ENOSPC;
	for (unsigned i = 0; i < core->nports; i++) {
		const struct dp_port *q = core->ports[i];
		uint8_t plen = p->prefix_len < q->prefix_len ?
			       p->prefix_len : q->prefix_len;
		uint32_t mask = plen ? ~0u << (32 - plen) : 0;

		if ((p->ip & mask) == (q->ip & mask))
			return -EEXIST;
	}
	core->ports[core->nports++] = p;
	return 0;
}

int
dp_core_route(const struct dp_core *core, uint32_t ip, uint32_t *nexthop)
{
	for (unsigned i = 0; i < core->nports; i++)
		if (dp_port_on_link(core->ports[i], ip)) {
			*nexthop = ip;
			return (int)i;
		}
	if (core->nports > 0 && core->ports[0]->gateway != 0) {
		*nexthop = core->ports[0]->gateway;
		return 0;
	}
	return -EHOSTUNREACH;
}

bool
dp_core_is_local(const struct dp_core *core, uint32_t ip)
{
	if (ip == 0)
		return false;
	for (unsigned i = 0; i < core->nports; i++)
		if (core->ports[i]->ip == ip)
			return true;
	return false;
}

static void
txq_flush(struct dp_core *core, unsigned pi)
{
	struct dp_core_txq *q = &core->txq[pi];
	uint16_t sent = 0;

	/* a PMD takes at most what its ring has room for; offer it the
	 * queue a batch at a time until it stops taking */
	DP_CYC_RUN(&core->cyc, DP_CYC_TX, {
		while (sent < q->n) {
			uint16_t n = q->n - sent, k;

			if (n > DP_TX_BATCH)
				n = DP_TX_BATCH;
			k = dp_port_tx(core->ports[pi], core->queue,
				       q->m + sent, n);
			sent += k;
			if (k < n)
				break;
		}
	});
	for (uint16_t i = 0; i < sent; i++) {
		core->stats.tx_pkts++;
		core->stats.tx_bytes += q->m[i]->pkt_len;
	}
	if (sent < q->n) {
		/* the port is full: the rest waits, in order */
		core->stats.tx_deferred++;
		if (sent > 0)
			memmove(q->m, q->m + sent,
				(size_t)(q->n - sent) * sizeof(q->m[0]));
	}
	q->n -= sent;
}

void
dp_core_tx_flush(struct dp_core *core)
{
	for (unsigned pi = 0; pi < core->nports; pi++)
		if (core->txq[pi].n > 0)
			txq_flush(core, pi);
}

unsigned
dp_core_tx_pending(const struct dp_core *core)
{
	unsigned n = 0;

	for (unsigned pi = 0; pi < core->nports; pi++)
		n += core->txq[pi].n;
	return n;
}

void
dp_core_tx_discard(struct dp_core *core)
{
	for (unsigned pi = 0; pi < core->nports; pi++) {
		struct dp_core_txq *q = &core->txq[pi];

		for (uint16_t i = 0; i < q->n; i++)
			dp_core_drop(core, q->m[i], DP_DROP_TX_FULL);
		q->n = 0;
	}
}

void
dp_core_tx(struct dp_core *core, unsigned pi, struct rte_mbuf *m)
{
	struct dp_core_txq *q;
	const struct dp_port *p;

	if (unlikely(pi >= core->nports)) {
		/* a caller bug: no such port */
		dp_core_drop(core, m, DP_DROP_NO_ROUTE);
		return;
	}
	q = &core->txq[pi];
	p = core->ports[pi];
	if (core->loss_ppm &&
	    dp_core_rand(core) % 1000000 < core->loss_ppm) {
		dp_core_drop(core, m, DP_DROP_INJECTED_LOSS);
		return;
	}
	/* the port cannot send it (net_tap would refuse it at the head of
	 * the queue on every flush: nothing behind it would ever go out) */
	if (unlikely(p->mtu != 0 &&
		     m->pkt_len > (uint32_t)p->mtu + RTE_ETHER_HDR_LEN)) {
		dp_core_drop(core, m, DP_DROP_TX_OVERSIZE);
		return;
	}
	if (q->n == DP_TX_QUEUE) {
		txq_flush(core, pi);
		if (q->n == DP_TX_QUEUE) {
			dp_core_drop(core, m, DP_DROP_TX_FULL);
			return;
		}
	}
	q->m[q->n++] = m;
	if (q->n % DP_TX_BATCH == 0)
		txq_flush(core, pi);
}

struct rte_mbuf *
dp_core_alloc(struct dp_core *core)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(core->pool);

	if (m == NULL)
		core->stats.drops[DP_DROP_NO_MBUF]++;
	return m;
}

void
dp_core_drop(struct dp_core *core, struct rte_mbuf *m, enum dp_drop why)
{
	core->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

uint64_t
dp_core_rand(struct dp_core *core)
{
	/* xorshift64* */
	uint64_t x = core->rand_state ? core->rand_state : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	core->rand_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}
