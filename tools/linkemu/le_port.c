/*
 * le_port.c -- ethdev setup of the emulator's ports (see le_port.h).
 *
 * Call chain: le_main -> le_port_init -> rte_eth_dev_configure ->
 *   rte_eth_rx_queue_setup / rte_eth_tx_queue_setup ->
 *   rte_eth_promiscuous_enable -> rte_eth_dev_start ->
 *   rte_eth_dev_rx_intr_enable -> rte_eth_dev_rx_intr_ctl_q_get_fd;
 *   le_main (exit) -> le_port_fini -> rte_eth_dev_stop -> rte_eth_dev_close
 */
#include "le_port.h"

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

int
le_port_init(uint16_t port_id, struct rte_mempool *pool, bool want_rx_fd,
	     int *rx_fd)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = LE_PORT_NB_RXD, nb_txd = LE_PORT_NB_TXD;
	int rc;

	*rx_fd = -1;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: port %u: info: %s\n", port_id,
			strerror(-rc));
		return rc;
	}
	conf.intr_conf.rxq = want_rx_fd;
	rc = rte_eth_dev_configure(port_id, 1, 1, &conf);
	if (rc < 0 && want_rx_fd) {	/* no RX interrupts: plain polling */
		conf.intr_conf.rxq = 0;
		rc = rte_eth_dev_configure(port_id, 1, 1, &conf);
	}
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: port %u: configure: %s\n",
			port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		return rc;
	rc = rte_eth_rx_queue_setup(port_id, 0, nb_rxd,
				    rte_eth_dev_socket_id(port_id), NULL, pool);
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: port %u: rx queue: %s\n",
			port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_tx_queue_setup(port_id, 0, nb_txd,
				    rte_eth_dev_socket_id(port_id), NULL);
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: port %u: tx queue: %s\n",
			port_id, strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc < 0)
		fprintf(stderr, "ferry-linkemu: port %u: promiscuous: %s "
			"(continuing)\n", port_id, strerror(-rc));
	rc = rte_eth_dev_start(port_id);
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: port %u: start: %s\n", port_id,
			strerror(-rc));
		return rc;
	}
	if (conf.intr_conf.rxq) {
		/* net_tap has no enable op (its fd is always armed) */
		(void)rte_eth_dev_rx_intr_enable(port_id, 0);
		rc = rte_eth_dev_rx_intr_ctl_q_get_fd(port_id, 0);
		*rx_fd = rc >= 0 ? rc : -1;
	}
	return 0;
}

void
le_port_fini(uint16_t port_id)
{
	int rc = rte_eth_dev_stop(port_id);

	if (rc < 0)
		fprintf(stderr, "ferry-linkemu: port %u: stop: %s\n", port_id,
			strerror(-rc));
	rte_eth_dev_close(port_id);
}
