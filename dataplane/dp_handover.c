/*
 * dp_handover.c -- frames and ARP entries passed between cores (see
 * dp_handover.h for the ownership rules).
 *
 * Call chains:
 *   rx:    dp_loop_iteration -> dp_handover_input -> dp_handover_steer ->
 *          ho_classify -> ho_post (owner's ring) | dp_eth_input
 *   drain: dp_loop_iteration -> dp_handover_drain -> ho_apply[type] ->
 *          dp_eth_input | dp_arp_learn
 *   stray: tcp_in.c (listening port, no connection) -> dp_handover_stray
 *          -> ho_post (next core's ring, hops + 1)
 *   arp:   dp_arp_input -> core->arp_learnt = dp_handover_arp_post ->
 *          ho_post (each other core's ring)
 */
#include "dp_handover.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_eth.h"
#include "tcp_priv.h"

/* One ring element (16 bytes, a multiple of 4 as rte_ring_elem needs). */
struct dp_ho_msg {
	uint16_t type;			/* enum dp_ho_type */
	uint8_t mac[RTE_ETHER_ADDR_LEN]; /* DP_HO_ARP; [0]: DP_HO_STRAY hops */
	union {
		struct rte_mbuf *m;	/* DP_HO_FRAME, DP_HO_STRAY */
		uint32_t ip;		/* DP_HO_ARP, host order */
	} u;
};

_Static_assert(sizeof(struct dp_ho_msg) == 16, "dp_ho_msg is 16 bytes");

int
dp_handover_core_init(struct dp_core *core, struct dp_handover *ho,
		      struct dp_core *const *peers, unsigned ring_size)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	if (ho == NULL || peers == NULL || core->ncores == 0 ||
	    core->id >= core->ncores || peers[core->id] != core)
		return -EINVAL;
	if (ring_size == 0)
		ring_size = DP_HO_RING_SIZE;
	/* unique per process: the shared block's address and the core */
	snprintf(name, sizeof(name), "ho%u_%lx", core->id,
		 (unsigned long)((uintptr_t)ho & 0xffffffffffu));
	r = rte_ring_create_elem(name, sizeof(struct dp_ho_msg), ring_size,
				 (int)rte_socket_id(),
				 RING_F_SC_DEQ);	/* MP enqueue */
	if (r == NULL)
		return -ENOMEM;
	core->ho = ho;
	core->ho_peers = peers;
	core->ho_ring = r;
	core->arp_learnt = dp_handover_arp_post;
	core->stray = dp_handover_stray;
	/* release: the ring pointer is visible to whoever sees the count */
	atomic_fetch_add_explicit(&ho->ready, 1, memory_order_release);
	return 0;
}

void
dp_handover_core_stop(struct dp_core *core)
{
	if (core->ho == NULL)
		return;
	core->arp_learnt = NULL;
	core->stray = NULL;
	atomic_fetch_add_explicit(&core->ho->stopped, 1, memory_order_acq_rel);
}

bool
dp_handover_all_stopped(const struct dp_core *core)
{
	if (core->ho == NULL)
		return true;
	return atomic_load_explicit(&core->ho->stopped, memory_order_acquire) >=
	       core->ncores;
}

void
dp_handover_core_fini(struct dp_core *core)
{
	if (core->ho_ring == NULL)
		return;
	while (dp_handover_discard(core) != 0)
		;
	rte_ring_free(core->ho_ring);
	core->ho_ring = NULL;
	core->ho_peers = NULL;
	core->ho = NULL;
	core->arp_learnt = NULL;
	core->stray = NULL;
}

/* The ring of core 'id' once every core has one, else NULL. */
static struct rte_ring *
ho_ring_of(struct dp_core *core, unsigned id)
{
	if (core->ho == NULL || id >= core->ncores ||
	    atomic_load_explicit(&core->ho->ready, memory_order_acquire) <
		    core->ncores)
		return NULL;
	return core->ho_peers[id]->ho_ring;
}

/* Enqueue one message; 0 or -ENOBUFS (ring full). */
static int
ho_post(struct rte_ring *r, const struct dp_ho_msg *msg)
{
	return rte_ring_mp_enqueue_elem(r, (void *)(uintptr_t)msg,
					sizeof(*msg)) == 0 ? 0 : -ENOBUFS;
}

/*
 * The core m belongs to, or -1 for "process here": an unfragmented IPv4 TCP
 * segment to our address whose destination port is an active-open port
 * of another core and not one of our listening ports.  Reads only the
 * first segment; anything short or odd is left to the normal input path
 * (which counts it).
 */
static int
ho_classify(struct dp_core *core, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ip;
	const uint8_t *l4;
	unsigned ihl;
	uint16_t dport;
	int owner;

	if (m->data_len < sizeof(*eh) + sizeof(*ip) + 4)
		return -1;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -1;
	ip = (const struct rte_ipv4_hdr *)(eh + 1);
	ihl = (ip->version_ihl & 0xf) * 4u;
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    m->data_len < sizeof(*eh) + ihl + 4 ||
	    ip->next_proto_id != IPPROTO_TCP ||
	    (ip->fragment_offset &
	     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ||
	    !dp_core_is_local(core, rte_be_to_cpu_32(ip->dst_addr)))
		return -1;
	l4 = (const uint8_t *)ip + ihl;
	dport = (uint16_t)(l4[2] << 8 | l4[3]);
	owner = dp_handover_port_owner(dport, core->ncores);
	if (owner < 0 || (unsigned)owner == core->id)
		return -1;
	if (core->tcp != NULL && dp_tcp_listener_find(core, dport) != NULL)
		return -1;
	return owner;
}

bool
dp_handover_steer(struct dp_core *core, struct rte_mbuf *m)
{
	struct dp_ho_msg msg;
	struct rte_ring *r;
	int owner;

	if (core->ho_ring == NULL || core->ncores < 2)
		return false;
	owner = ho_classify(core, m);
	if (owner < 0)
		return false;
	r = ho_ring_of(core, (unsigned)owner);
	if (r == NULL)
		return false;	/* not all cores up yet: best effort here */
	memset(&msg, 0, sizeof(msg));
	msg.type = DP_HO_FRAME;
	msg.u.m = m;
	if (ho_post(r, &msg) < 0) {
		core->stats.handover_full++;
		rte_pktmbuf_free(m);
		return true;
	}
	core->stats.handover_out++;
	return true;
}

bool
dp_handover_stray(struct dp_core *core, struct rte_mbuf *m)
{
	struct dp_ho_msg msg;
	struct rte_ring *r;
	unsigned hdrs = (unsigned)sizeof(struct rte_ether_hdr) + m->l3_len;

	if (core->ho_ring == NULL || core->ncores < 2 ||
	    core->ho_hops + 1u >= core->ncores || m->l3_len == 0 ||
	    rte_pktmbuf_headroom(m) < hdrs)
		return false;
	r = ho_ring_of(core, (core->id + 1) % core->ncores);
	if (r == NULL)
		return false;
	/* the headers are still in front of the data (eth_in / ipv4_in
	 * only moved the data pointer past them) */
	if (rte_pktmbuf_prepend(m, (uint16_t)hdrs) == NULL)
		return false;
	memset(&msg, 0, sizeof(msg));
	msg.type = DP_HO_STRAY;
	msg.mac[0] = (uint8_t)(core->ho_hops + 1);
	msg.u.m = m;
	rte_mbuf_refcnt_update(m, 1);	/* the caller frees its own */
	if (ho_post(r, &msg) < 0) {
		rte_mbuf_refcnt_update(m, -1);
		rte_pktmbuf_adj(m, (uint16_t)hdrs);
		core->stats.handover_full++;
		return false;
	}
	core->stats.handover_stray++;
	return true;
}

void
dp_handover_input(struct dp_core *core, struct rte_mbuf *m)
{
	if (!dp_handover_steer(core, m))
		dp_eth_input(core, m);
}

void
dp_handover_arp_post(struct dp_core *core, uint32_t ip,
		     const struct rte_ether_addr *mac)
{
	struct dp_ho_msg msg;

	memset(&msg, 0, sizeof(msg));
	msg.type = DP_HO_ARP;
	memcpy(msg.mac, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	msg.u.ip = ip;
	for (unsigned i = 0; i < core->ncores; i++) {
		struct rte_ring *r;

		if (i == core->id || (r = ho_ring_of(core, i)) == NULL)
			continue;
		if (ho_post(r, &msg) == 0)
			core->stats.arp_shared_out++;
		else
			core->stats.handover_full++;
	}
}

/* Message handlers, one per type. */
static void
ho_apply_frame(struct dp_core *core, const struct dp_ho_msg *msg)
{
	core->stats.handover_in++;
	dp_eth_input(core, msg->u.m);
}

static void
ho_apply_stray(struct dp_core *core, const struct dp_ho_msg *msg)
{
	core->stats.handover_in++;
	core->ho_hops = msg->mac[0];
	dp_eth_input(core, msg->u.m);
	core->ho_hops = 0;
}

static void
ho_apply_arp(struct dp_core *core, const struct dp_ho_msg *msg)
{
	struct rte_ether_addr mac;

	if (core->arp == NULL)
		return;
	memcpy(mac.addr_bytes, msg->mac, RTE_ETHER_ADDR_LEN);
	core->stats.arp_shared_in++;
	dp_arp_learn(core, msg->u.ip, &mac);	/* does not post again */
}

unsigned
dp_handover_drain(struct dp_core *core)
{
	struct dp_ho_msg msgs[DP_HO_BURST];
	unsigned n;

	if (core->ho_ring == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(core->ho_ring, msgs, sizeof(msgs[0]),
					   DP_HO_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		switch ((enum dp_ho_type)msgs[i].type) {
		case DP_HO_FRAME:
			ho_apply_frame(core, &msgs[i]);
			break;
		case DP_HO_STRAY:
			ho_apply_stray(core, &msgs[i]);
			break;
		case DP_HO_ARP:
			ho_apply_arp(core, &msgs[i]);
			break;
		}
	}
	return n;
}

unsigned
dp_handover_discard(struct dp_core *core)
{
	struct dp_ho_msg msgs[DP_HO_BURST];
	unsigned n;

	if (core->ho_ring == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst_elem(core->ho_ring, msgs, sizeof(msgs[0]),
					   DP_HO_BURST, NULL);
	for (unsigned i = 0; i < n; i++)
		if (msgs[i].type == DP_HO_FRAME || msgs[i].type == DP_HO_STRAY)
			rte_pktmbuf_free(msgs[i].u.m);
	return n;
}
