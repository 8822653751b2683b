/*
 * dp_port_ethdev.c -- dp_port ops over rte_ethdev, and the port's setup
 * (see dp_port_ethdev.h).
 *
 * Call chains:
 *   setup: ferryd -> dp_port_ethdev_init -> rte_eth_dev_configure ->
 *          rte_eth_{rx,tx}_queue_setup -> rte_eth_dev_start
 *   I/O:   dp_port_rx -> ethdev_rx_burst -> rte_eth_rx_burst
 *          dp_port_tx -> ethdev_tx_burst -> rte_eth_tx_burst
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "dp_port_ethdev.h"

#define ETHDEV_DEFAULT_DESC 1024

const uint8_t dp_port_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

static uint16_t
ethdev_rx_burst(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts,
		uint16_t n)
{
	return rte_eth_rx_burst(p->port_id, q, pkts, n);
}

static uint16_t
ethdev_tx_burst(struct dp_port *p, uint16_t q, struct rte_mbuf **pkts,
		uint16_t n)
{
	return rte_eth_tx_burst(p->port_id, q, pkts, n);
}

static const struct dp_port_ops ethdev_ops = {
	.rx_burst = ethdev_rx_burst,
	.tx_burst = ethdev_tx_burst,
};

/* Fill conf (RSS, offloads) from what the device offers. */
static void
ethdev_conf(struct dp_port *p, const struct rte_eth_dev_info *info,
	    uint16_t nb_queues, struct rte_eth_conf *conf)
{
	uint64_t rss = (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP) &
		       info->flow_type_rss_offloads;

	memset(conf, 0, sizeof(*conf));
	if (nb_queues > 1) {
		if (rss != 0) {
			conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf->rx_adv_conf.rss_conf.rss_hf = rss;
			if (info->hash_key_size == sizeof(dp_port_rss_key)) {
				conf->rx_adv_conf.rss_conf.rss_key =
					(uint8_t *)dp_port_rss_key;
				conf->rx_adv_conf.rss_conf.rss_key_len =
					sizeof(dp_port_rss_key);
			}
		} else {
			RTE_LOG(WARNING, EAL, "port %u: no IPv4/TCP RSS; "
				"queue 0 receives everything\n", p->port_id);
		}
	}
	p->offloads = 0;
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->offloads |= DP_OFF_IPV4_CKSUM;
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->offloads |= DP_OFF_TCP_CKSUM;
	}
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->offloads |= DP_OFF_MULTI_SEGS;
	}
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
}

int
dp_port_ethdev_init(struct dp_port *p, uint16_t port_id, uint16_t nb_queues,
		    struct rte_mempool **pools, uint16_t nb_rxd,
		    uint16_t nb_txd)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	int socket, rc;
	uint16_t mtu = 0;

	if (!rte_eth_dev_is_valid_port(port_id) || nb_queues == 0)
		return -EINVAL;
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues)
		return -EINVAL;
	p->ops = &ethdev_ops;
	p->priv = NULL;
	p->port_id = port_id;
	p->nb_queues = nb_queues;
	ethdev_conf(p, &info, nb_queues, &conf);
	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc != 0)
		return rc;
	if (nb_rxd == 0)
		nb_rxd = ETHDEV_DEFAULT_DESC;
	if (nb_txd == 0)
		nb_txd = ETHDEV_DEFAULT_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	socket = rte_eth_dev_socket_id(port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (uint16_t q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd,
					    (unsigned)socket, &rxconf,
					    pools[q]);
		if (rc != 0)
			return rc;
		rc = rte_eth_tx_queue_setup(port_id, q, nb_txd,
					    (unsigned)socket, &txconf);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0)
		return rc;
	rc = rte_eth_macaddr_get(port_id, &p->mac);
	if (rc != 0) {
		rte_eth_dev_stop(port_id);
		return rc;
	}
	rc = rte_eth_promiscuous_disable(port_id);
	if (rc != 0 && rc != -ENOTSUP)
		RTE_LOG(WARNING, EAL, "port %u: promiscuous off: %d\n",
			port_id, rc);
	if (rte_eth_dev_get_mtu(port_id, &mtu) != 0 || mtu == 0)
		mtu = RTE_ETHER_MTU;
	p->mtu = mtu;
	return 0;
}

void
dp_port_ethdev_fini(struct dp_port *p)
{
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
}

int
dp_port_tap_trigger_off(void)
{
	int n = 0;

	for (int sig = SIGRTMIN + 1; sig < SIGRTMAX; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = SIG_IGN;
		if (sigaction(sig, &sa, NULL) == 0)
			n++;
	}
	return n;
}
