/*
 * le_port.h -- the link emulator's two DPDK ports: one RX and one TX queue
 * each, promiscuous (the emulator is a wire: every frame is forwarded).
 *
 * Called from the main thread only (start-up and shutdown).
 */
#ifndef LE_PORT_H
#define LE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#define LE_PORT_NB_RXD 1024
#define LE_PORT_NB_TXD 1024

/* Configure port_id (1 RX + 1 TX queue, RX mbufs from pool), enable
 * promiscuous mode (a failure there is only logged) and start it.
 * With want_rx_fd, RX interrupts are asked for and *rx_fd is a file
 * descriptor that polls readable while the RX queue holds frames (net_tap:
 * the tap queue itself), or -1 when the driver offers none (the caller
 * then sleeps and polls).  0 or a negative errno (logged). */
int
le_port_init(uint16_t port_id, struct rte_mempool *pool, bool want_rx_fd,
	     int *rx_fd);

/* Stop and close port_id (mbufs the driver holds go back to the pool). */
void
le_port_fini(uint16_t port_id);

#endif
