/*
 * dp_port_ethdev.h -- a dp_port over a DPDK ethdev (PCI NIC, net_tap,
 * net_memif, net_af_packet, net_ring...).
 *
 * Call chains: dp_port_rx -> rte_eth_rx_burst;  dp_port_tx -> rte_eth_tx_burst
 */
#ifndef DP_PORT_ETHDEV_H
#define DP_PORT_ETHDEV_H

#include <stdint.h>
#include <rte_mempool.h>

#include "dp_port.h"

/* The Toeplitz key programmed when RSS is used (40 bytes, 0x6d5a repeated:
 * symmetric, so both directions of a flow hash alike).  With it,
 * rte_softrss(tuple, len, dp_port_rss_key) predicts the hash of a flow
 * (to pick a local port that lands on a given queue, via the RETA). */
extern const uint8_t dp_port_rss_key[40];

/*
 * Before rte_eal_init (main thread, once): keep net_tap's "RX trigger"
 * off.  DPDK 22.11's tap PMD takes the first free real-time signal
 * (SIGRTMIN+1 .. SIGRTMAX-1 with a default handler), has the kernel send
 * it for every received packet (F_SETSIG, O_ASYNC on each queue's fd) and
 * skips the read() while none arrived; each signal interrupts whichever
 * thread the kernel picks (the polling lcore or an EAL control thread),
 * which costs ferryd more CPU per request than the read() it saves
 * (BENCHMARKS.md, issue 3).  Setting those signals to SIG_IGN leaves the
 * PMD none ("No Rx trigger signal available"): it then reads its fds on
 * every burst.  Other PMDs do not use them.  Returns how many signals were
 * set aside.
 */
int dp_port_tap_trigger_off(void);

/*
 * Configure, start and describe ethdev port_id for nb_queues polling cores:
 * RX/TX queue q uses pools[q] and nb_rxd/nb_txd descriptors (0: 1024, then
 * adjusted to the device's limits).  With nb_queues > 1, RSS over IPv4 /
 * IPv4-TCP with dp_port_rss_key when the device offers it (else queue 0
 * receives everything: a warning is logged).  IPv4/TCP checksum offloads
 * are enabled when offered and recorded in p->offloads; RX checksum
 * offloads too (the stack trusts RTE_MBUF_F_RX_IP_CKSUM_GOOD).  Fills
 * p->ops, port_id, nb_queues, mac, mtu and turns promiscuous mode off.
 * The caller sets p->ip / prefix_len / gateway.
 * 0 or -errno (-EINVAL: bad port or too many queues; else from ethdev).
 */
int dp_port_ethdev_init(struct dp_port *p, uint16_t port_id,
			uint16_t nb_queues, struct rte_mempool **pools,
			uint16_t nb_rxd, uint16_t nb_txd);

/* Stop and close the port. */
void dp_port_ethdev_fini(struct dp_port *p);

#endif
