/*
 * dp_port.h -- the packet I/O boundary of the netstack.
 *
 * The netstack never calls rte_eth_* directly: it goes through a dp_port,
 * whose ops are either the DPDK ethdev (dp_port_ethdev.c: a PCI NIC,
 * net_tap, net_memif, net_af_packet, net_ring) or the in-memory fake port
 * of the tests (tests/netstack/fake_port.c), which records what the stack
 * sends and lets a test inject frames.  Frames are rte_mbufs in both cases.
 *
 * Concurrency: queue q of a port is used by exactly one polling core.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

struct dp_port;

struct dp_port_ops {
	/* Burst functions return how many frames they moved.  tx_burst takes
	 * ownership of the frames it accepted; the caller frees the rest. */
	uint16_t (*rx_burst)(struct dp_port *p, uint16_t q,
			     struct rte_mbuf **pkts, uint16_t n);
	uint16_t (*tx_burst)(struct dp_port *p, uint16_t q,
			     struct rte_mbuf **pkts, uint16_t n);
};

/* Checksum offloads the port does for us (else software checksums). */
enum dp_port_offload {
	DP_OFF_IPV4_CKSUM = 1u << 0,
	DP_OFF_TCP_CKSUM = 1u << 1,
	/* the port sends chained mbufs (RTE_ETH_TX_OFFLOAD_MULTI_SEGS):
	 * TCP frames may reference the send queue (zero copy) */
	DP_OFF_MULTI_SEGS = 1u << 2,
};

struct dp_port {
	const struct dp_port_ops *ops;
	void *priv;			/* ethdev id or fake-port state */
	uint16_t port_id;		/* DPDK port id (ethdev) */
	uint16_t nb_queues;
	uint16_t mtu;			/* IP MTU, 1500 by default */
	uint32_t offloads;		/* enum dp_port_offload */
	struct rte_ether_addr mac;
	/* ferry's own address on this port (host byte order) */
	uint32_t ip;
	uint8_t prefix_len;
	uint32_t gateway;		/* 0 = none */
};

static inline uint16_t
dp_port_rx(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->rx_burst(p, q, pkts, n);
}

static inline uint16_t
dp_port_tx(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->tx_burst(p, q, pkts, n);
}

/* True if ip (host order) is on the port's subnet. */
static inline bool
dp_port_on_link(const struct dp_port *p, uint32_t ip)
{
	uint32_t mask = p->prefix_len ? ~0u << (32 - p->prefix_len) : 0;

	return (ip & mask) == (p->ip & mask);
}

#endif
