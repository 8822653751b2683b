/*
 * arp.c -- ARP (RFC 826) neighbour cache, answers, resolution and timers
 * (see dp_arp.h for the state machine).
 *
 * Call chains:
 *   in:    dp_eth_input -> dp_arp_input -> arp_learn -> arp_release ->
 *          dp_eth_xmit; arp_share -> core->arp_learnt (other cores);
 *          (request for us) -> arp_send -> dp_eth_xmit
 *   out:   dp_eth_output -> dp_arp_resolve -> arp_send (request)
 *   timer: dp_arp_timers -> arp_timer_<state> -> arp_send | arp_free_entry
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_eth.h"

struct dp_arp_entry {
	uint32_t ip;			/* host order; 0 when FREE */
	uint8_t state;			/* enum dp_arp_state */
	uint8_t retries;		/* INCOMPLETE: retries sent so far */
	struct rte_ether_addr mac;	/* REACHABLE / STATIC */
	uint64_t deadline_us;		/* next retry / expiry */
	struct rte_mbuf *held;		/* INCOMPLETE: packet waiting (IPv4) */
};

struct dp_arp_cache {
	struct dp_arp_entry set[DP_ARP_SETS][DP_ARP_WAYS];
	uint64_t next_due_us;		/* earliest deadline; UINT64_MAX: none */
};

const char *const dp_arp_state_names[DP_ARP__NSTATES] = {
	[DP_ARP_FREE] = "free",
	[DP_ARP_INCOMPLETE] = "incomplete",
	[DP_ARP_REACHABLE] = "reachable",
	[DP_ARP_STATIC] = "static",
};

static const struct rte_ether_addr arp_bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
};
static const struct rte_ether_addr arp_zero;

static struct dp_arp_entry *
arp_set(struct dp_arp_cache *c, uint32_t ip)
{
	uint32_t h = ip * 0x9e3779b1u;

	return c->set[(h >> 16) % DP_ARP_SETS];
}

static struct dp_arp_entry *
arp_find(struct dp_arp_cache *c, uint32_t ip)
{
	struct dp_arp_entry *set = arp_set(c, ip);

	for (unsigned w = 0; w < DP_ARP_WAYS; w++)
		if (set[w].state != DP_ARP_FREE && set[w].ip == ip)
			return &set[w];
	return NULL;
}

static void
arp_set_deadline(struct dp_arp_cache *c, struct dp_arp_entry *e,
		 uint64_t when)
{
	e->deadline_us = when;
	if (when < c->next_due_us)
		c->next_due_us = when;
}

/* Release an entry; a held packet is dropped and counted as why. */
static void
arp_free_entry(struct dp_core *core, struct dp_arp_entry *e, enum dp_drop why)
{
	if (e->held != NULL)
		dp_core_drop(core, e->held, why);
	memset(e, 0, sizeof(*e));
}

/*
 * A way for ip in its set: a free one, else the REACHABLE entry closest to
 * expiry, else the INCOMPLETE entry closest to giving up (its held packet
 * dropped).  NULL if the whole set is STATIC.
 */
static struct dp_arp_entry *
arp_alloc(struct dp_core *core, uint32_t ip)
{
	struct dp_arp_entry *set = arp_set(core->arp, ip);
	struct dp_arp_entry *victim = NULL;

	for (unsigned w = 0; w < DP_ARP_WAYS; w++) {
		struct dp_arp_entry *e = &set[w];

		if (e->state == DP_ARP_FREE)
			return e;
		if (e->state == DP_ARP_STATIC)
			continue;
		if (victim == NULL ||
		    (e->state == DP_ARP_REACHABLE &&
		     victim->state != DP_ARP_REACHABLE) ||
		    (e->state == victim->state &&
		     e->deadline_us < victim->deadline_us))
			victim = e;
	}
	if (victim != NULL)
		arp_free_entry(core, victim, DP_DROP_ARP_UNRESOLVED);
	return victim;
}

/* The port a neighbour is reached by: the one whose subnet holds ip
 * (entries are next hops, so on some port's link), else port 0. */
static unsigned
arp_port(const struct dp_core *core, uint32_t ip)
{
	uint32_t nh;
	int pi = dp_core_route(core, ip, &nh);

	return pi < 0 ? 0 : (unsigned)pi;
}

/* Build and queue an ARP packet from us, on port index pi. */
static int
arp_send(struct dp_core *core, unsigned pi, uint16_t op,
	 const struct rte_ether_addr *eth_dst,
	 const struct rte_ether_addr *tha, uint32_t tip)
{
	const struct dp_port *p = core->ports[pi];
	struct rte_mbuf *m = dp_core_alloc(core);
	struct rte_arp_hdr *a;

	if (m == NULL)
		return -ENOBUFS;
	a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
	if (a == NULL) {
		dp_core_drop(core, m, DP_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&p->mac, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = rte_cpu_to_be_32(p->ip);
	rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	if (op == RTE_ARP_OP_REQUEST)
		core->stats.arp_requests++;
	else
		core->stats.arp_replies++;
	return dp_eth_xmit(core, pi, m, eth_dst, RTE_ETHER_TYPE_ARP);
}

/* Entry became resolved: send its held packet. */
static void
arp_release(struct dp_core *core, struct dp_arp_entry *e)
{
	struct rte_mbuf *m = e->held;

	if (m == NULL)
		return;
	e->held = NULL;
	dp_eth_xmit(core, arp_port(core, e->ip), m, &e->mac,
		    RTE_ETHER_TYPE_IPV4);
}

/* Record ip -> mac (create when create is set, else only refresh). */
static void
arp_learn(struct dp_core *core, uint32_t ip, const struct rte_ether_addr *mac,
	  bool create)
{
	struct dp_arp_entry *e = arp_find(core->arp, ip);

	if (e == NULL) {
		if (!create || (e = arp_alloc(core, ip)) == NULL)
			return;
		e->ip = ip;
	}
	if (e->state == DP_ARP_STATIC)
		return;
	e->state = DP_ARP_REACHABLE;
	e->retries = 0;
	rte_ether_addr_copy(mac, &e->mac);
	arp_set_deadline(core->arp, e, core->now_us + DP_ARP_REACHABLE_US);
	arp_release(core, e);
}

/* Sharing hook: tell the other cores (core->arp_learnt, set by
 * dp_handover.c) what a received frame taught us about ip, if it is now
 * REACHABLE.  Entries applied through dp_arp_learn are not shared again. */
static void
arp_share(struct dp_core *core, uint32_t ip)
{
	struct dp_arp_entry *e;

	if (core->arp_learnt == NULL)
		return;
	e = arp_find(core->arp, ip);
	if (e != NULL && e->state == DP_ARP_REACHABLE)
		core->arp_learnt(core, ip, &e->mac);
}

int
dp_arp_init(struct dp_core *core)
{
	struct dp_arp_cache *c;

	c = rte_zmalloc_socket("dp_arp", sizeof(*c), RTE_CACHE_LINE_SIZE,
			       rte_socket_id());
	if (c == NULL)
		return -ENOMEM;
	c->next_due_us = UINT64_MAX;
	core->arp = c;
	return 0;
}

void
dp_arp_fini(struct dp_core *core)
{
	struct dp_arp_cache *c = core->arp;

	if (c == NULL)
		return;
	for (unsigned s = 0; s < DP_ARP_SETS; s++)
		for (unsigned w = 0; w < DP_ARP_WAYS; w++)
			if (c->set[s][w].held != NULL)
				rte_pktmbuf_free(c->set[s][w].held);
	rte_free(c);
	core->arp = NULL;
}

void
dp_arp_input(struct dp_core *core, struct rte_mbuf *m)
{
	struct rte_arp_hdr *a;
	/* ARP is per link: the address asked about is the receiving
	 * port's */
	unsigned pi = core->rx_port < core->nports ? core->rx_port : 0;
	const struct dp_port *p = core->ports[pi];
	uint32_t sip, tip, us = p->ip;
	uint16_t op;
	bool for_us;

	if (m->data_len < sizeof(*a)) {
		dp_core_drop(core, m, DP_DROP_ARP_BAD);
		return;
	}
	a = rte_pktmbuf_mtod(m, struct rte_arp_hdr *);
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (a->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4 ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
	    !rte_is_unicast_ether_addr(&a->arp_data.arp_sha)) {
		dp_core_drop(core, m, DP_DROP_ARP_BAD);
		return;
	}
	sip = rte_be_to_cpu_32(a->arp_data.arp_sip);
	tip = rte_be_to_cpu_32(a->arp_data.arp_tip);
	for_us = (tip == us && us != 0);
	/* sip 0 is an RFC 5227 probe: nothing to learn; our own address
	 * from another MAC is a conflict we do not arbitrate. */
	if (sip != 0 && sip != us) {
		arp_learn(core, sip, &a->arp_data.arp_sha, for_us);
		arp_share(core, sip);
	}
	if (!for_us) {
		dp_core_drop(core, m, DP_DROP_ARP_NOT_US);
		return;
	}
	if (op == RTE_ARP_OP_REPLY) {
		rte_pktmbuf_free(m);	/* learnt above */
		return;
	}
	/* Request for us: answer in place (a fresh mbuf if m is chained). */
	if (m->nb_segs != 1) {
		struct rte_ether_addr sha = a->arp_data.arp_sha;

		rte_pktmbuf_free(m);
		arp_send(core, pi, RTE_ARP_OP_REPLY, &sha, &sha, sip);
		return;
	}
	rte_pktmbuf_trim(m, m->pkt_len - sizeof(*a));	/* Ethernet padding */
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&a->arp_data.arp_sha, &a->arp_data.arp_tha);
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	rte_ether_addr_copy(&p->mac, &a->arp_data.arp_sha);
	a->arp_data.arp_sip = rte_cpu_to_be_32(us);
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	core->stats.arp_replies++;
	dp_eth_xmit(core, pi, m, &a->arp_data.arp_tha, RTE_ETHER_TYPE_ARP);
}

int
dp_arp_resolve(struct dp_core *core, unsigned pi, uint32_t ip,
	       struct rte_mbuf *m, struct rte_ether_addr *mac)
{
	struct dp_arp_entry *e = arp_find(core->arp, ip);

	if (e != NULL) {
		switch ((enum dp_arp_state)e->state) {
		case DP_ARP_REACHABLE:
		case DP_ARP_STATIC:
			rte_ether_addr_copy(&e->mac, mac);
			return 0;
		case DP_ARP_INCOMPLETE:
			if (e->held != NULL)
				dp_core_drop(core, e->held,
					     DP_DROP_ARP_HOLD_REPLACED);
			e->held = m;
			return -EHOSTUNREACH;
		case DP_ARP_FREE:
		case DP_ARP__NSTATES:
			break;
		}
	}
	e = arp_alloc(core, ip);
	if (e == NULL) {
		dp_core_drop(core, m, DP_DROP_ARP_UNRESOLVED);
		return -EHOSTUNREACH;
	}
	e->ip = ip;
	e->state = DP_ARP_INCOMPLETE;
	e->retries = 0;
	e->held = m;
	arp_set_deadline(core->arp, e, core->now_us + DP_ARP_RETRY_US);
	arp_send(core, pi, RTE_ARP_OP_REQUEST, &arp_bcast, &arp_zero, ip);
	return -EHOSTUNREACH;
}

int
dp_arp_announce(struct dp_core *core)
{
	int rc = 0;

	for (unsigned pi = 0; pi < core->nports; pi++) {
		int r = arp_send(core, pi, RTE_ARP_OP_REQUEST, &arp_bcast,
				 &arp_zero, core->ports[pi]->ip);

		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

/* Timer handlers, one per state; e's deadline has passed. */
static void
arp_timer_incomplete(struct dp_core *core, struct dp_arp_entry *e)
{
	if (e->retries >= DP_ARP_RETRIES) {
		arp_free_entry(core, e, DP_DROP_ARP_UNRESOLVED);
		return;
	}
	e->retries++;
	arp_set_deadline(core->arp, e, core->now_us + DP_ARP_RETRY_US);
	arp_send(core, arp_port(core, e->ip), RTE_ARP_OP_REQUEST, &arp_bcast,
		 &arp_zero, e->ip);
}

static void
arp_timer_reachable(struct dp_core *core, struct dp_arp_entry *e)
{
	arp_free_entry(core, e, DP_DROP_ARP_UNRESOLVED);
}

void
dp_arp_timers(struct dp_core *core)
{
	struct dp_arp_cache *c = core->arp;
	uint64_t now = core->now_us;
	uint64_t next = UINT64_MAX;

	if (c == NULL || now < c->next_due_us)
		return;
	c->next_due_us = UINT64_MAX;
	for (unsigned s = 0; s < DP_ARP_SETS; s++) {
		for (unsigned w = 0; w < DP_ARP_WAYS; w++) {
			struct dp_arp_entry *e = &c->set[s][w];

			if (e->state == DP_ARP_FREE ||
			    e->state == DP_ARP_STATIC)
				continue;
			if (e->deadline_us <= now) {
				if (e->state == DP_ARP_INCOMPLETE)
					arp_timer_incomplete(core, e);
				else
					arp_timer_reachable(core, e);
			}
			if (e->state != DP_ARP_FREE && e->deadline_us < next)
				next = e->deadline_us;
		}
	}
	if (next < c->next_due_us)
		c->next_due_us = next;
}

void
dp_arp_learn(struct dp_core *core, uint32_t ip,
	     const struct rte_ether_addr *mac)
{
	if (ip != 0 && rte_is_unicast_ether_addr(mac))
		arp_learn(core, ip, mac, true);
}

int
dp_arp_add_static(struct dp_core *core, uint32_t ip,
		  const struct rte_ether_addr *mac)
{
	struct dp_arp_entry *e;

	if (ip == 0)
		return -EINVAL;
	e = arp_find(core->arp, ip);
	if (e == NULL) {
		e = arp_alloc(core, ip);
		if (e == NULL)
			return -ENOSPC;
		e->ip = ip;
	}
	e->state = DP_ARP_STATIC;
	e->retries = 0;
	e->deadline_us = UINT64_MAX;
	rte_ether_addr_copy(mac, &e->mac);
	arp_release(core, e);
	return 0;
}

enum dp_arp_state
dp_arp_lookup(struct dp_core *core, uint32_t ip, struct rte_ether_addr *mac)
{
	struct dp_arp_entry *e = arp_find(core->arp, ip);

	if (e == NULL)
		return DP_ARP_FREE;
	if (mac != NULL && (e->state == DP_ARP_REACHABLE ||
			    e->state == DP_ARP_STATIC))
		rte_ether_addr_copy(&e->mac, mac);
	return (enum dp_arp_state)e->state;
}
