/*
 * tap_ping.c -- the L2/L3 stack over a real ethdev: net_tap (ftap0) in the
 * caller's network namespace, driven by test_tap_ping.sh.  Polls one
 * queue, answers ARP and ping at ADDR/24 until SIGTERM/SIGINT or the time
 * limit, then prints its counters and exits 0.
 *
 * Call chain: main -> rte_eal_init -> dp_port_ethdev_init -> dp_arp_announce
 *             -> loop { dp_port_rx -> dp_eth_input; dp_arp_timers;
 *             dp_core_tx_flush }
 *
 * usage: tap_ping EAL-ARGS -- ADDR SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_eth.h"
#include "dp_port_ethdev.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct dp_port port = { 0 };
	struct dp_core core = { 0 };
	struct rte_mempool *pool;
	struct in_addr a;
	uint64_t hz, t0, limit_us;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "tap_ping: EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc != 3 || inet_pton(AF_INET, argv[1], &a) != 1) {
		fprintf(stderr, "usage: tap_ping EAL-ARGS -- ADDR SECONDS\n");
		return 2;
	}
	limit_us = strtoull(argv[2], NULL, 10) * 1000000ull;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pool = rte_pktmbuf_pool_create("tap_pool", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL || rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "tap_ping: no pool or no port\n");
		return 1;
	}
	rc = dp_port_ethdev_init(&port, 0, 1, &pool, 0, 0);
	if (rc < 0) {
		fprintf(stderr, "tap_ping: port init: %s\n", strerror(-rc));
		return 1;
	}
	port.ip = ntohl(a.s_addr);
	port.prefix_len = 24;
	dp_core_add_port(&core, &port);
	core.pool = pool;
	core.ncores = 1;
	hz = rte_get_timer_hz();
	t0 = rte_get_timer_cycles();
	core.now_us = 1;
	if (dp_arp_init(&core) != 0)
		return 1;
	printf("tap_ping: up, mac " RTE_ETHER_ADDR_PRT_FMT " offloads %#x "
	       "mtu %u\n", RTE_ETHER_ADDR_BYTES(&port.mac), port.offloads,
	       port.mtu);
	fflush(stdout);
	dp_arp_announce(&core);
	dp_core_tx_flush(&core);
	while (!stop && core.now_us < limit_us) {
		struct rte_mbuf *pkts[32];
		uint16_t nb = dp_port_rx(&port, 0, pkts, 32);

		core.now_us = (rte_get_timer_cycles() - t0) * 1000000 / hz + 1;
		for (uint16_t i = 0; i < nb; i++)
			dp_eth_input(&core, pkts[i]);
		dp_arp_timers(&core);
		dp_core_tx_flush(&core);
		if (nb == 0)
			rte_delay_us_sleep(200);
	}
	printf("tap_ping: rx %llu tx %llu icmp_echo %llu arp_replies %llu "
	       "arp_requests %llu\n",
	       (unsigned long long)core.stats.rx_pkts,
	       (unsigned long long)core.stats.tx_pkts,
	       (unsigned long long)core.stats.icmp_echo,
	       (unsigned long long)core.stats.arp_replies,
	       (unsigned long long)core.stats.arp_requests);
	for (int i = 0; i < DP_DROP__COUNT; i++)
		if (core.stats.drops[i])
			printf("tap_ping: drop %s %llu\n", dp_drop_names[i],
			       (unsigned long long)core.stats.drops[i]);
	dp_arp_fini(&core);
	dp_port_ethdev_fini(&port);
	rte_eal_cleanup();
	return 0;
}
