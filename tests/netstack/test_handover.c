/*
 * test_handover.c -- two cores (core 0 and core 1, each a dp_core on its own
 * fake port, sharing one address, one pool and one dp_handover) in one
 * thread, virtual time.  Checks that:
 *   - an active open from core 0 whose SYN-ACK arrives on core 1 is handed
 *     to core 0 and completes there (core 1 sends nothing, drops nothing);
 *   - SYNs to a listening port stay on the core that received them, even a
 *     listening port inside the ephemeral range owned by another core;
 *   - a full hand-over ring drops (counted) and leaks nothing;
 *   - an ARP reply received on core 1 resolves a packet held on core 0
 *     within one drain, and shared entries are not posted back;
 *   - a passive connection's segments that arrive on the other core (its
 *     queue moved) are handed on to the owner instead of being reset; a
 *     segment nobody owns is reset by the last core it reaches, once.
 * Every scenario ends with a leak check over the whole pool.
 *
 * Call chain per poll (ho_poll): dp_port_rx -> dp_handover_input ->
 * (steered) rte_ring | dp_eth_input; dp_handover_drain; dp_tcp_flush;
 * dp_core_tx_flush -- what dp_loop_iteration does, minus TSC and store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_mempool.h>

#include "dp_arp.h"
#include "dp_handover.h"
#include "dp_tcp.h"
#include "nst_app.h"
#include "nstest.h"
#include "tcp_priv.h"

struct pair {
	struct nst *t[2];
	struct dp_core *peers[2];
	struct dp_handover ho;
	unsigned avail0;
	bool tcp;
};

static void
pair_create(struct pair *p, unsigned flags, bool tcp, unsigned ring0)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(nst_eal_init(), 0);
	p->avail0 = rte_mempool_avail_count(nst_pool());
	for (unsigned i = 0; i < 2; i++) {
		p->t[i] = nst_create(flags);
		assert_non_null(p->t[i]);
		p->t[i]->core.id = i;
		p->t[i]->core.ncores = 2;
		p->t[i]->core.rand_state = 0x1234567887654321ull + i;
		p->peers[i] = &p->t[i]->core;
	}
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(dp_handover_core_init(p->peers[i], &p->ho,
						       p->peers,
						       i == 0 ? ring0 : 0), 0);
		if (tcp) {
			struct dp_tcp_config cfg;

			dp_tcp_config_defaults(&cfg);
			assert_int_equal(dp_tcp_stack_init(p->peers[i], &cfg),
					 0);
		}
	}
	p->tcp = tcp;
}

/* Tear down both cores; fails on any mbuf still out of the pool. */
static void
pair_destroy(struct pair *p)
{
	for (unsigned i = 0; i < 2; i++) {
		if (p->tcp)
			dp_tcp_stack_fini(p->peers[i]);
		dp_core_tx_flush(p->peers[i]);
		dp_handover_core_stop(p->peers[i]);
	}
	assert_true(dp_handover_all_stopped(p->peers[0]));
	for (unsigned i = 0; i < 2; i++) {
		fake_port_drain(&p->t[i]->fp);
		dp_handover_core_fini(p->peers[i]);
		assert_null(p->peers[i]->ho_ring);
	}
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(nst_destroy(p->t[i]), 0);
	assert_int_equal(rte_mempool_avail_count(nst_pool()), p->avail0);
}

/* One loop iteration of core i (see the call chain above). */
static unsigned
ho_poll(struct pair *p, unsigned i)
{
	struct dp_core *core = p->peers[i];
	struct rte_mbuf *pkts[32];
	unsigned total = 0;
	uint16_t n;

	while ((n = dp_port_rx(core->ports[0], core->queue, pkts, 32)) > 0) {
		for (uint16_t k = 0; k < n; k++)
			dp_handover_input(core, pkts[k]);
		total += n;
	}
	total += dp_handover_drain(core);
	if (core->tcp != NULL)
		dp_tcp_flush(core);
	dp_core_tx_flush(core);
	return total;
}

static void
inject_tcp(struct nst *t, const struct nst_tcp *s)
{
	uint8_t buf[NST_FRAME_MAX];
	uint32_t len = nst_build_tcp(buf, sizeof(buf), s);

	assert_true(len > 0);
	assert_int_equal(nst_inject(t, buf, len), 0);
}

static void
test_port_owner(void **state)
{
	(void)state;
	assert_int_equal(dp_handover_port_owner(6379, 2), -1);
	assert_int_equal(dp_handover_port_owner(DP_EPHEMERAL_HI, 2), -1);
	assert_int_equal(dp_handover_port_owner(DP_EPHEMERAL_LO, 2), 0);
	assert_int_equal(dp_handover_port_owner(DP_EPHEMERAL_LO + 5, 2), 1);
	assert_int_equal(dp_handover_port_owner(DP_EPHEMERAL_LO + 5, 3), 2);
	assert_int_equal(dp_handover_port_owner(40000, 1), 0);
}

/* The SYN-ACK of core 0's connect arrives on core 1. */
static void
test_connect_reply_on_other_core(void **state)
{
	struct pair p;
	struct dp_tcp_conn *c;
	struct nst_tcp syn, sa, ack;
	struct nst_frame f;

	(void)state;
	pair_create(&p, 0, true, 0);
	nst_app_connected_calls = 0;
	c = dp_tcp_connect(p.peers[0], NST_PEER_IP, 6379, &nst_app_ops,
			   NULL);
	assert_non_null(c);
	ho_poll(&p, 0);
	assert_int_equal(nst_pop_tcp(p.t[0], &syn, &f), 0);
	assert_int_equal(syn.flags, RTE_TCP_SYN_FLAG);
	assert_int_equal(dp_handover_port_owner(syn.sport, 2), 0);

	nst_tcp_defaults(p.t[1], &sa);
	sa.sport = 6379;
	sa.dport = syn.sport;
	sa.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	sa.seq = 5000;
	sa.ack = syn.seq + 1;
	sa.opt.mss = 1460;
	inject_tcp(p.t[1], &sa);

	/* core 1: no tcb, not a listener -> handed to core 0 untouched */
	assert_int_equal(ho_poll(&p, 1), 1);
	assert_int_equal(p.peers[1]->stats.handover_out, 1);
	assert_int_equal(p.peers[1]->stats.rx_pkts, 0);
	assert_int_equal(nst_drops(p.t[1], DP_DROP_TCP_NO_CONN), 0);
	assert_int_equal(nst_sent_count(p.t[1]), 0);	/* no RST */
	assert_int_equal(nst_app_connected_calls, 0);

	/* core 0 drains it: ESTABLISHED, ACK sent from core 0 */
	assert_int_equal(ho_poll(&p, 0), 1);
	assert_int_equal(p.peers[0]->stats.handover_in, 1);
	assert_int_equal(p.peers[0]->stats.rx_pkts, 1);
	assert_int_equal(nst_app_connected_calls, 1);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	assert_int_equal(nst_pop_tcp(p.t[0], &ack, &f), 0);
	assert_int_equal(ack.flags, RTE_TCP_ACK_FLAG);
	assert_int_equal(ack.ack, 5001);
	assert_int_equal(ack.sport, syn.sport);

	/* data from the peer arriving on core 1 follows the same way */
	sa.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	sa.seq = 5001;
	sa.ack = syn.seq + 1;
	sa.opt.mss = 0;
	sa.payload = (const uint8_t *)"hello";
	sa.len = 5;
	inject_tcp(p.t[1], &sa);
	ho_poll(&p, 1);
	ho_poll(&p, 0);
	assert_int_equal(c->rcv_nxt, 5006);
	assert_int_equal(p.peers[1]->stats.handover_out, 2);
	assert_int_equal(nst_sent_count(p.t[1]), 0);
	nst_clear_sent(p.t[0]);
	pair_destroy(&p);
}

/* SYNs to listening ports are accepted where they arrive. */
static void
test_syn_stays_local(void **state)
{
	struct pair p;
	struct nst_tcp s, r;
	struct nst_frame f;
	unsigned seen = 0;

	(void)state;
	pair_create(&p, 0, true, 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(dp_tcp_listen(p.peers[i], 6379,
					       &nst_app_ops), 0);
	/* 40000 is core 0's active-open port, but core 1 listens on it */
	assert_int_equal(dp_handover_port_owner(40000, 2), 0);
	assert_int_equal(dp_tcp_listen(p.peers[1], 40000, &nst_app_ops), 0);

	nst_tcp_defaults(p.t[1], &s);
	s.sport = 45001;
	s.flags = RTE_TCP_SYN_FLAG;
	s.seq = 77;
	s.opt.mss = 1460;
	inject_tcp(p.t[1], &s);
	s.sport = 45003;
	s.dport = 40000;
	inject_tcp(p.t[1], &s);
	ho_poll(&p, 1);
	assert_int_equal(p.peers[1]->stats.handover_out, 0);
	/* two SYN-ACKs from core 1, one per listening port (any order) */
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(nst_pop_tcp(p.t[1], &r, &f), 0);
		assert_int_equal(r.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		assert_true(r.sport == 6379 || r.sport == 40000);
		seen |= r.sport == 6379 ? 1u : 2u;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(ho_poll(&p, 0), 0);
	assert_int_equal(nst_sent_count(p.t[0]), 0);

	/* a segment for core 1's own active-open range stays too, and meets
	 * the normal no-tcb path (RST) there */
	s.dport = DP_EPHEMERAL_LO + 1;
	s.flags = RTE_TCP_ACK_FLAG;
	s.ack = 1;
	inject_tcp(p.t[1], &s);
	ho_poll(&p, 1);
	assert_int_equal(p.peers[1]->stats.handover_out, 0);
	assert_int_equal(nst_drops(p.t[1], DP_DROP_TCP_NO_CONN), 1);
	assert_int_equal(nst_pop_tcp(p.t[1], &r, &f), 0);
	assert_true(r.flags & RTE_TCP_RST_FLAG);
	pair_destroy(&p);
}

/* A passive connection accepted on core 0 whose queue moves to core 1. */
static void
test_passive_stray(void **state)
{
	struct pair p;
	struct nst_tcp s, r;
	struct nst_frame f;
	struct dp_tcp_conn *c;

	(void)state;
	pair_create(&p, 0, true, 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(dp_tcp_listen(p.peers[i], 6379,
					       &nst_app_ops), 0);
	nst_tcp_defaults(p.t[0], &s);
	s.sport = 45010;
	s.flags = RTE_TCP_SYN_FLAG;
	s.seq = 1000;
	s.opt.mss = 1460;
	inject_tcp(p.t[0], &s);
	ho_poll(&p, 0);
	assert_int_equal(nst_pop_tcp(p.t[0], &r, &f), 0);
	assert_int_equal(r.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	s.flags = RTE_TCP_ACK_FLAG;
	s.seq = 1001;
	s.ack = r.seq + 1;
	s.opt.mss = 0;
	inject_tcp(p.t[0], &s);
	ho_poll(&p, 0);
	c = dp_tcp_lookup(p.peers[0], NST_IP, 6379, NST_PEER_IP, 45010);
	assert_non_null(c);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	nst_clear_sent(p.t[0]);

	/* data of that flow on core 1: handed to core 0, no RST anywhere */
	s.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	s.payload = (const uint8_t *)"hello";
	s.len = 5;
	inject_tcp(p.t[1], &s);
	assert_int_equal(ho_poll(&p, 1), 1);
	assert_int_equal(p.peers[1]->stats.handover_stray, 1);
	assert_int_equal(nst_drops(p.t[1], DP_DROP_TCP_NO_CONN), 0);
	assert_int_equal(nst_sent_count(p.t[1]), 0);
	assert_int_equal(ho_poll(&p, 0), 1);
	assert_int_equal(p.peers[0]->stats.handover_in, 1);
	assert_int_equal(p.peers[0]->ho_hops, 0);
	assert_int_equal(c->rcv_nxt, 1006);
	assert_int_equal(nst_drops(p.t[0], DP_DROP_TCP_NO_CONN), 0);
	nst_clear_sent(p.t[0]);

	/* a segment of no flow at all, arriving on core 1: core 1 hands it
	 * on, core 0 (every core seen) resets it, once; nothing comes back */
	s.sport = 45999;
	s.seq = 7;
	s.ack = 12345;
	s.len = 0;
	s.payload = NULL;
	s.flags = RTE_TCP_ACK_FLAG;
	inject_tcp(p.t[1], &s);
	ho_poll(&p, 1);
	assert_int_equal(p.peers[1]->stats.handover_stray, 2);
	assert_int_equal(nst_sent_count(p.t[1]), 0);
	ho_poll(&p, 0);
	assert_int_equal(p.peers[0]->stats.handover_stray, 0);
	assert_int_equal(nst_drops(p.t[0], DP_DROP_TCP_NO_CONN), 1);
	assert_int_equal(nst_pop_tcp(p.t[0], &r, &f), 0);
	assert_true(r.flags & RTE_TCP_RST_FLAG);
	assert_int_equal(r.dport, 45999);
	assert_int_equal(ho_poll(&p, 1), 0);
	assert_int_equal(nst_sent_count(p.t[1]), 0);

	/* the peer's RST of the real flow arriving on core 1 closes it on
	 * core 0 */
	s.sport = 45010;
	s.seq = 1006;
	s.ack = 0;
	s.flags = RTE_TCP_RST_FLAG;
	inject_tcp(p.t[1], &s);
	ho_poll(&p, 1);
	ho_poll(&p, 0);
	assert_null(dp_tcp_lookup(p.peers[0], NST_IP, 6379, NST_PEER_IP,
				  45010));
	nst_clear_sent(p.t[0]);
	pair_destroy(&p);
}

/* Core 0's ring holds 3 messages: the 4th and 5th frames are dropped. */
static void
test_ring_full(void **state)
{
	struct pair p;
	struct nst_tcp s;

	(void)state;
	pair_create(&p, 0, true, 4);
	nst_tcp_defaults(p.t[1], &s);
	s.sport = 6379;
	s.flags = RTE_TCP_ACK_FLAG;
	s.seq = 1;
	s.ack = 1;
	for (unsigned i = 0; i < 5; i++) {
		s.dport = (uint16_t)(DP_EPHEMERAL_LO + 2 * (i + 1));
		inject_tcp(p.t[1], &s);
	}
	ho_poll(&p, 1);
	assert_int_equal(p.peers[1]->stats.handover_out, 3);
	assert_int_equal(p.peers[1]->stats.handover_full, 2);
	/* core 0 has no such connections: each is counted and reset there */
	assert_int_equal(ho_poll(&p, 0), 3);
	assert_int_equal(nst_drops(p.t[0], DP_DROP_TCP_NO_CONN), 3);
	assert_int_equal(nst_sent_count(p.t[0]), 3);
	nst_clear_sent(p.t[0]);
	pair_destroy(&p);
}

/* An ARP reply on core 1 releases the packet core 0 holds. */
static void
test_arp_shared(void **state)
{
	struct pair p;
	struct nst_icmp ic;
	struct nst_arp a;
	struct nst_frame f;
	struct nst_eth e;
	struct rte_ether_addr mac;
	uint8_t buf[256];
	uint32_t len;

	(void)state;
	pair_create(&p, NST_F_NO_STATIC_ARP, false, 0);
	/* core 0 must answer an echo request: the reply waits for ARP */
	nst_icmp_echo_defaults(p.t[0], &ic, 1, 1, "x", 1);
	assert_int_equal(nst_input_icmp(p.t[0], &ic), 0);
	assert_int_equal(dp_arp_lookup(p.peers[0], NST_PEER_IP, NULL),
			 DP_ARP_INCOMPLETE);
	assert_true(nst_pop(p.t[0], &f));
	assert_int_equal(nst_parse_arp(&f, &a), 0);	/* the request */
	assert_int_equal(a.tpa, NST_PEER_IP);
	assert_int_equal(nst_sent_count(p.t[0]), 0);

	/* the peer's reply lands on core 1 */
	nst_arp_request_defaults(p.t[1], &a, NST_IP);
	a.op = 2;
	a.eth.dst = p.t[1]->mac;
	a.tha = p.t[1]->mac;
	len = nst_build_arp(buf, sizeof(buf), &a);
	assert_true(len > 0);
	assert_int_equal(nst_inject(p.t[1], buf, len), 0);
	ho_poll(&p, 1);
	assert_int_equal(dp_arp_lookup(p.peers[1], NST_PEER_IP, &mac),
			 DP_ARP_REACHABLE);
	assert_true(rte_is_same_ether_addr(&mac, &p.t[1]->peer_mac));
	assert_int_equal(p.peers[1]->stats.arp_shared_out, 1);
	assert_int_equal(nst_sent_count(p.t[1]), 0);
	assert_int_equal(dp_arp_lookup(p.peers[0], NST_PEER_IP, NULL),
			 DP_ARP_INCOMPLETE);

	/* one iteration of core 0: entry applied, echo reply released */
	assert_int_equal(ho_poll(&p, 0), 1);
	assert_int_equal(p.peers[0]->stats.arp_shared_in, 1);
	assert_int_equal(dp_arp_lookup(p.peers[0], NST_PEER_IP, &mac),
			 DP_ARP_REACHABLE);
	assert_true(rte_is_same_ether_addr(&mac, &p.t[0]->peer_mac));
	assert_true(nst_pop(p.t[0], &f));
	assert_int_equal(nst_parse_eth(&f, &e), 0);
	assert_int_equal(e.type, RTE_ETHER_TYPE_IPV4);
	assert_true(rte_is_same_ether_addr(&e.dst, &p.t[0]->peer_mac));
	assert_int_equal(nst_parse_icmp(&f, &ic), 0);
	/* applied entries are not posted back */
	assert_int_equal(p.peers[0]->stats.arp_shared_out, 0);
	assert_int_equal(ho_poll(&p, 1), 0);
	assert_int_equal(nst_drops(p.t[0], DP_DROP_ARP_UNRESOLVED), 0);
	pair_destroy(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_owner),
		cmocka_unit_test(test_connect_reply_on_other_core),
		cmocka_unit_test(test_syn_stays_local),
		cmocka_unit_test(test_ring_full),
		cmocka_unit_test(test_passive_stray),
		cmocka_unit_test(test_arp_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
