/*
 * test_ports.c -- one core, two ports (dp_core_add_port): the route picks
 * the port by subnet (port 0 keeps the default route), ARP answers and asks
 * per link, frames leave by the port of their destination with that port's
 * MAC and address, and each port's MTU guards its own TX queue.
 *
 * Port 0: NST_IP 198.18.0.2/24 (gateway NST_GW_IP); port 1: NST2_IP
 * 198.18.61.1/24, no gateway (nst_add_port2).  Fake ports, virtual time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_tcp.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_ipv4.h"
#include "dp_tcp.h"
#include "nst_app.h"
#include "nstest.h"

static const struct rte_ether_addr mac2 = NST2_MAC, peer2_mac = NST2_PEER_MAC;

/* A harness core with its second port (flags: nst_create's). */
static int
setup_two_ports(void **state, unsigned flags)
{
	struct nst *t = nst_create(flags);

	if (t == NULL)
		return -1;
	if (nst_add_port2(t) != 0) {
		nst_destroy(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
setup2(void **state)
{
	return setup_two_ports(state, 0);
}

static int
setup2_no_arp(void **state)
{
	return setup_two_ports(state, NST_F_NO_STATIC_ARP);
}

/* An IPv4 frame from port 1's peer to us, as received on port 1. */
static void
ip2_defaults(const struct nst *t, struct nst_ip *ip, uint8_t proto)
{
	nst_ip_defaults(t, ip, proto);
	ip->eth.dst = mac2;
	ip->eth.src = peer2_mac;
	ip->src = NST2_PEER_IP;
	ip->dst = NST2_IP;
}

static void
input2(struct nst *t, const uint8_t *frame, uint32_t len)
{
	assert_true(len > 0);
	assert_int_equal(nst_inject2(t, frame, len), 0);
	nst_poll(t);
}

/* Adding ports: NULL, overlapping subnets and a fifth port are refused. */
static void
test_add_port_checks(void **state)
{
	struct nst *t = *state;
	struct dp_port overlap = { .ip = 0xc6120063u, .prefix_len = 16 };
	struct dp_port inside = { .ip = 0xc6123d80u, .prefix_len = 25 };
	struct dp_port p3 = { .ip = 0xc6123e01u, .prefix_len = 24 };
	struct dp_port p4 = { .ip = 0xc6123f01u, .prefix_len = 24 };
	struct dp_port p5 = { .ip = 0xc6124001u, .prefix_len = 24 };

	assert_int_equal(t->core.nports, 2);
	assert_int_equal(dp_core_add_port(&t->core, NULL), -EINVAL);
	/* 198.18.0.0/16 holds port 0's 198.18.0.0/24 */
	assert_int_equal(dp_core_add_port(&t->core, &overlap), -EEXIST);
	/* 198.18.61.128/25 lies inside port 1's 198.18.61.0/24 */
	assert_int_equal(dp_core_add_port(&t->core, &inside), -EEXIST);
	assert_int_equal(t->core.nports, 2);
	assert_int_equal(dp_core_add_port(&t->core, &p3), 0);
	assert_int_equal(dp_core_add_port(&t->core, &p4), 0);
	assert_int_equal(t->core.nports, DP_MAX_PORTS);
	assert_int_equal(dp_core_add_port(&t->core, &p5), -ENOSPC);
	/* leave the harness its two ports */
	t->core.nports = 2;
}

/* The route: a port's subnet first, else port 0's gateway. */
static void
test_route(void **state)
{
	struct nst *t = *state;
	uint32_t nh = 0;

	assert_int_equal(dp_core_route(&t->core, NST2_PEER_IP, &nh), 1);
	assert_int_equal(nh, NST2_PEER_IP);
	assert_int_equal(dp_core_route(&t->core, NST_PEER_IP, &nh), 0);
	assert_int_equal(nh, NST_PEER_IP);
	assert_int_equal(dp_core_route(&t->core, NST_FAR_IP, &nh), 0);
	assert_int_equal(nh, NST_GW_IP);
	assert_true(dp_core_is_local(&t->core, NST_IP));
	assert_true(dp_core_is_local(&t->core, NST2_IP));
	assert_false(dp_core_is_local(&t->core, NST2_PEER_IP));
	assert_false(dp_core_is_local(&t->core, 0));
	/* without a gateway, off-link has no route */
	t->port.gateway = 0;
	assert_int_equal(dp_core_route(&t->core, NST_FAR_IP, &nh),
			 -EHOSTUNREACH);
	assert_int_equal(dp_core_route(&t->core, NST2_PEER_IP, &nh), 1);
}

/* ARP on port 1: its own address is answered there, port 0's is not. */
static void
test_arp_per_link(void **state)
{
	struct nst *t = *state;
	struct nst_arp a, r;
	struct nst_eth e;
	struct nst_frame f;
	uint8_t buf[64];

	nst_arp_request_defaults(t, &a, NST2_IP);
	a.eth.src = peer2_mac;
	a.sha = peer2_mac;
	a.spa = NST2_PEER_IP;
	input2(t, buf, nst_build_arp(buf, sizeof(buf), &a));
	assert_int_equal(nst_sent_count(t), 0);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_eth(&f, &e), 0);
	assert_true(rte_is_same_ether_addr(&e.src, &mac2));
	assert_true(rte_is_same_ether_addr(&e.dst, &peer2_mac));
	assert_int_equal(nst_parse_arp(&f, &r), 0);
	assert_int_equal(r.op, RTE_ARP_OP_REPLY);
	assert_int_equal(r.spa, NST2_IP);
	assert_true(rte_is_same_ether_addr(&r.sha, &mac2));
	assert_int_equal(r.tpa, NST2_PEER_IP);

	/* asked on port 1 for port 0's address: not this link's */
	a.tpa = NST_IP;
	input2(t, buf, nst_build_arp(buf, sizeof(buf), &a));
	assert_int_equal(nst_sent_count2(t), 0);
	assert_int_equal(nst_sent_count(t), 0);
	assert_int_equal(nst_drops(t, DP_DROP_ARP_NOT_US), 1);

	/* and port 1's address asked on port 0 */
	nst_arp_request_defaults(t, &a, NST2_IP);
	assert_int_equal(nst_input_arp(t, &a), 0);
	assert_int_equal(nst_sent_count(t), 0);
	assert_int_equal(nst_drops(t, DP_DROP_ARP_NOT_US), 2);
}

/* A frame on port 1 must be to port 1's MAC (or broadcast). */
static void
test_eth_dst_per_port(void **state)
{
	struct nst *t = *state;
	static const struct rte_ether_addr mac0 = NST_MAC;
	struct nst_icmp ic;
	uint8_t buf[256];

	nst_icmp_echo_defaults(t, &ic, 7, 1, "abc", 3);
	ip2_defaults(t, &ic.ip, IPPROTO_ICMP);
	ic.ip.eth.dst = mac0;
	input2(t, buf, nst_build_icmp(buf, sizeof(buf), &ic));
	assert_int_equal(nst_drops(t, DP_DROP_ETH_NOT_US), 1);
	assert_int_equal(nst_sent_count(t) + nst_sent_count2(t), 0);
}

/* ICMP echo on port 1: the reply leaves port 1, from its MAC; an echo to
 * port 0's address received on port 1 (a weak host) is answered too, by
 * the route back to its sender (port 1). */
static void
test_echo_leaves_by_the_route(void **state)
{
	struct nst *t = *state;
	struct nst_icmp ic, r;
	struct nst_eth e;
	struct nst_frame f;
	uint8_t buf[256];

	assert_int_equal(dp_arp_add_static(&t->core, NST2_PEER_IP, &peer2_mac),
			 0);
	nst_icmp_echo_defaults(t, &ic, 7, 1, "abc", 3);
	ip2_defaults(t, &ic.ip, IPPROTO_ICMP);
	input2(t, buf, nst_build_icmp(buf, sizeof(buf), &ic));
	assert_int_equal(nst_sent_count(t), 0);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_eth(&f, &e), 0);
	assert_true(rte_is_same_ether_addr(&e.src, &mac2));
	assert_true(rte_is_same_ether_addr(&e.dst, &peer2_mac));
	assert_int_equal(nst_parse_icmp(&f, &r), 0);
	assert_int_equal(r.type, 0);
	assert_int_equal(r.ip.src, NST2_IP);
	assert_int_equal(r.ip.dst, NST2_PEER_IP);
	assert_true(r.cksum_ok);

	ic.ip.dst = NST_IP;
	input2(t, buf, nst_build_icmp(buf, sizeof(buf), &ic));
	assert_int_equal(nst_sent_count(t), 0);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_icmp(&f, &r), 0);
	assert_int_equal(r.ip.src, NST_IP);
	assert_int_equal(r.ip.dst, NST2_PEER_IP);
	assert_int_equal(nst_drops(t, DP_DROP_IP_NOT_US), 0);

	/* an address that is nobody's here */
	ic.ip.dst = NST2_PEER_IP;
	input2(t, buf, nst_build_icmp(buf, sizeof(buf), &ic));
	assert_int_equal(nst_drops(t, DP_DROP_IP_NOT_US), 1);
	assert_int_equal(nst_sent_count(t) + nst_sent_count2(t), 0);
}

static void
tcp_on(struct nst *t)
{
	struct dp_tcp_config cfg;

	dp_tcp_config_defaults(&cfg);
	assert_int_equal(dp_tcp_stack_init(&t->core, &cfg), 0);
	t->poll_hook = dp_tcp_flush;
	t->timer_hook = dp_tcp_timers;
	t->fini_hook = dp_tcp_stack_fini;
}

/* An active open to port 1's subnet: ARP asked on port 1 (from port 1's
 * address), then the SYN from port 1's address; the handshake completes
 * there.  One to port 0's subnet still leaves by port 0. */
static void
test_connect_by_port2(void **state)
{
	struct nst *t = *state;
	struct nst_arp a;
	struct nst_eth e;
	struct nst_tcp syn, sa, ack;
	struct nst_frame f;
	uint8_t buf[256];

	tcp_on(t);
	nst_app_connected_calls = 0;
	assert_non_null(dp_tcp_connect(&t->core, NST2_PEER_IP, 6379, &nst_app_ops,
				       NULL));
	nst_poll(t);
	assert_int_equal(nst_sent_count(t), 0);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_arp(&f, &a), 0);
	assert_int_equal(a.op, RTE_ARP_OP_REQUEST);
	assert_int_equal(a.spa, NST2_IP);
	assert_true(rte_is_same_ether_addr(&a.sha, &mac2));
	assert_int_equal(a.tpa, NST2_PEER_IP);

	/* the peer answers on port 1: the held SYN goes out there */
	memset(&a, 0, sizeof(a));
	a.eth.dst = mac2;
	a.eth.src = peer2_mac;
	a.eth.type = RTE_ETHER_TYPE_ARP;
	a.op = RTE_ARP_OP_REPLY;
	a.sha = peer2_mac;
	a.spa = NST2_PEER_IP;
	a.tha = mac2;
	a.tpa = NST2_IP;
	input2(t, buf, nst_build_arp(buf, sizeof(buf), &a));
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_eth(&f, &e), 0);
	assert_true(rte_is_same_ether_addr(&e.src, &mac2));
	assert_true(rte_is_same_ether_addr(&e.dst, &peer2_mac));
	assert_int_equal(nst_parse_tcp(&f, &syn), 0);
	assert_int_equal(syn.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(syn.ip.src, NST2_IP);
	assert_int_equal(syn.ip.dst, NST2_PEER_IP);
	assert_true(syn.ip_cksum_ok && syn.l4_cksum_ok);

	nst_tcp_defaults(t, &sa);
	ip2_defaults(t, &sa.ip, IPPROTO_TCP);
	sa.sport = 6379;
	sa.dport = syn.sport;
	sa.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	sa.seq = 5000;
	sa.ack = syn.seq + 1;
	sa.opt.mss = 1460;
	input2(t, buf, nst_build_tcp(buf, sizeof(buf), &sa));
	assert_int_equal(nst_app_connected_calls, 1);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_tcp(&f, &ack), 0);
	assert_int_equal(ack.flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(ack.ack, 5001);
	assert_int_equal(ack.ip.src, NST2_IP);
	assert_int_equal(nst_sent_count(t), 0);

	/* port 0's subnet: port 0, from port 0's address */
	{
		static const struct rte_ether_addr peer = NST_PEER_MAC;

		assert_int_equal(dp_arp_add_static(&t->core, NST_PEER_IP,
						   &peer), 0);
	}
	assert_non_null(dp_tcp_connect(&t->core, NST_PEER_IP, 6379, &nst_app_ops,
				       NULL));
	nst_poll(t);
	assert_int_equal(nst_sent_count2(t), 0);
	assert_int_equal(nst_pop_tcp(t, &syn, &f), 0);
	assert_int_equal(syn.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(syn.ip.src, NST_IP);
	assert_int_equal(syn.ip.dst, NST_PEER_IP);
}

/* A passive open on port 1: the SYN-ACK leaves port 1 from its address. */
static void
test_accept_on_port2(void **state)
{
	struct nst *t = *state;
	struct nst_tcp syn, r;
	struct nst_frame f;
	uint8_t buf[256];

	tcp_on(t);
	assert_int_equal(dp_arp_add_static(&t->core, NST2_PEER_IP, &peer2_mac),
			 0);
	assert_int_equal(dp_tcp_listen(&t->core, 6379, &nst_app_ops), 0);
	nst_tcp_defaults(t, &syn);
	ip2_defaults(t, &syn.ip, IPPROTO_TCP);
	syn.flags = RTE_TCP_SYN_FLAG;
	syn.seq = 1000;
	syn.opt.mss = 1460;
	input2(t, buf, nst_build_tcp(buf, sizeof(buf), &syn));
	assert_int_equal(nst_sent_count(t), 0);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_tcp(&f, &r), 0);
	assert_int_equal(r.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(r.ack, 1001);
	assert_int_equal(r.ip.src, NST2_IP);
	assert_int_equal(r.ip.dst, NST2_PEER_IP);
}

/* Each port's MTU guards its own queue; a port index past the core's
 * ports is dropped, not sent somewhere. */
static void
test_mtu_and_index_per_port(void **state)
{
	struct nst *t = *state;
	static uint8_t big[2048];
	uint32_t max2;

	t->port2.mtu = 1000;
	max2 = t->port2.mtu + RTE_ETHER_HDR_LEN;
	dp_core_tx(&t->core, 1, nst_mbuf(t, big, max2 + 1));
	assert_int_equal(nst_drops(t, DP_DROP_TX_OVERSIZE), 1);
	dp_core_tx(&t->core, 1, nst_mbuf(t, big, max2));
	dp_core_tx(&t->core, 0, nst_mbuf(t, big, max2 + 1));	/* port 0: 1500 */
	assert_int_equal(nst_drops(t, DP_DROP_TX_OVERSIZE), 1);
	assert_int_equal(dp_core_tx_pending(&t->core), 2);
	dp_core_tx(&t->core, 2, nst_mbuf(t, big, 64));
	assert_int_equal(nst_drops(t, DP_DROP_NO_ROUTE), 1);
	dp_core_tx_flush(&t->core);
	assert_int_equal(dp_core_tx_pending(&t->core), 0);
	assert_int_equal(nst_sent_count(t), 1);
	assert_int_equal(nst_sent_count2(t), 1);
	assert_int_equal(nst_clear_sent(t), 1);
}

/* The gratuitous announcement goes out on every port, with its address. */
static void
test_announce_every_port(void **state)
{
	struct nst *t = *state;
	struct nst_arp a;
	struct nst_frame f;

	assert_int_equal(dp_arp_announce(&t->core), 0);
	dp_core_tx_flush(&t->core);
	assert_true(nst_pop(t, &f));
	assert_int_equal(nst_parse_arp(&f, &a), 0);
	assert_int_equal(a.spa, NST_IP);
	assert_int_equal(a.tpa, NST_IP);
	assert_true(nst_pop2(t, &f));
	assert_int_equal(nst_parse_arp(&f, &a), 0);
	assert_int_equal(a.spa, NST2_IP);
	assert_int_equal(a.tpa, NST2_IP);
	assert_true(rte_is_same_ether_addr(&a.sha, &mac2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_port_checks, setup2,
						nst_teardown),
		cmocka_unit_test_setup_teardown(test_route, setup2,
						nst_teardown),
		cmocka_unit_test_setup_teardown(test_arp_per_link,
						setup2_no_arp, nst_teardown),
		cmocka_unit_test_setup_teardown(test_eth_dst_per_port, setup2,
						nst_teardown),
		cmocka_unit_test_setup_teardown(test_echo_leaves_by_the_route,
						setup2, nst_teardown),
		cmocka_unit_test_setup_teardown(test_connect_by_port2,
						setup2_no_arp, nst_teardown),
		cmocka_unit_test_setup_teardown(test_accept_on_port2, setup2,
						nst_teardown),
		cmocka_unit_test_setup_teardown(test_mtu_and_index_per_port,
						setup2, nst_teardown),
		cmocka_unit_test_setup_teardown(test_announce_every_port,
						setup2, nst_teardown),
	};

	if (nst_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
