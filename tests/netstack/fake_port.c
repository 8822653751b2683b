/*
 * fake_port.c -- the in-memory test port (see fake_port.h).
 *
 * Call chains: dp_port_rx -> fake_rx_burst;  dp_core_tx_flush ->
 *              dp_port_tx -> fake_tx_burst -> fake_offload
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "fake_port.h"

#define RING_MASK (FAKE_PORT_QLEN - 1)

static uint32_t
ring_count(const struct fake_ring *r)
{
	return r->head - r->tail;
}

static int
ring_put(struct fake_ring *r, struct rte_mbuf *m)
{
	if (ring_count(r) == FAKE_PORT_QLEN)
		return -ENOSPC;
	r->m[r->head++ & RING_MASK] = m;
	return 0;
}

static struct rte_mbuf *
ring_get(struct fake_ring *r)
{
	if (ring_count(r) == 0)
		return NULL;
	return r->m[r->tail++ & RING_MASK];
}

/* What the NIC would do for the checksum requests in m->ol_flags. */
static void
fake_offload(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;
	uint16_t sum = 0;
	uint32_t l4off;

	if (!(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK)))
		return;
	if (m->data_len < m->l2_len + sizeof(*ip))
		return;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	l4off = m->l2_len + m->l3_len;
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if ((m->ol_flags & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM &&
	    m->data_len >= l4off + sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
				struct rte_tcp_hdr *, l4off);

		/* the field holds the pseudo-header sum: sum over it (on a
		 * contiguous copy: rte_raw_cksum_mbuf of DPDK 22.11 is wrong
		 * for odd-length segments) */
		static uint8_t flat[16384];
		uint32_t n = m->pkt_len - l4off;
		const void *p;

		if (n > sizeof(flat))
			return;
		p = rte_pktmbuf_read(m, l4off, n, flat);
		sum = rte_raw_cksum(p, n);
		th->cksum = (uint16_t)~sum;
	}
}

static uint16_t
fake_rx_burst(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts,
	      uint16_t n)
{
	struct fake_port *fp = p->priv;
	uint16_t i;

	for (i = 0; i < n; i++) {
		pkts[i] = ring_get(&fp->rx[q]);
		if (pkts[i] == NULL)
			break;
	}
	return i;
}

static uint16_t
fake_tx_burst(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts,
	      uint16_t n)
{
	struct fake_port *fp = p->priv;
	uint16_t i;

	if (fp->tx_refuse_calls > 0) {
		fp->tx_refuse_calls--;
		return 0;
	}
	for (i = 0; i < n && fp->tx_room > 0; i++) {
		if (ring_put(&fp->tx[q], pkts[i]) != 0)
			break;
		fake_offload(pkts[i]);
		if (fp->tx_room != UINT32_MAX)
			fp->tx_room--;
		fp->tx_total++;
	}
	return i;
}

static const struct dp_port_ops fake_ops = {
	.rx_burst = fake_rx_burst,
	.tx_burst = fake_tx_burst,
};

void
fake_port_init(struct dp_port *p, struct fake_port *fp, uint16_t nb_queues)
{
	memset(fp, 0, sizeof(*fp));
	fp->tx_room = UINT32_MAX;
	p->ops = &fake_ops;
	p->priv = fp;
	p->nb_queues = nb_queues;
	if (p->mtu == 0)
		p->mtu = 1500;
}

int
fake_port_inject(struct fake_port *fp, uint16_t q, struct rte_mbuf *m)
{
	return ring_put(&fp->rx[q], m);
}

struct rte_mbuf *
fake_port_pop_tx(struct fake_port *fp, uint16_t q)
{
	return ring_get(&fp->tx[q]);
}

uint32_t
fake_port_tx_pending(const struct fake_port *fp, uint16_t q)
{
	return ring_count(&fp->tx[q]);
}

uint32_t
fake_port_rx_pending(const struct fake_port *fp, uint16_t q)
{
	return ring_count(&fp->rx[q]);
}

void
fake_port_drain(struct fake_port *fp)
{
	struct rte_mbuf *m;

	for (unsigned q = 0; q < FAKE_PORT_MAXQ; q++) {
		while ((m = ring_get(&fp->rx[q])) != NULL)
			rte_pktmbuf_free(m);
		while ((m = ring_get(&fp->tx[q])) != NULL)
			rte_pktmbuf_free(m);
	}
}
