/*
 * dp_core.h -- one polling core's context: its ports (one queue of each)
 * and the route between them, mbuf pool, clock, a TX batch per port, ARP
 * cache, TCP state and counters.
 *
 * Every netstack function takes the core first (as mTCP's mtcp_manager_t):
 * there is no global netstack state, so cores share nothing but the port,
 * the keyspace (store/) and the hand-over rings.
 *
 * Time: core->now_us is sampled once per poll-loop iteration (dp_loop.c);
 * tests drive it by hand (virtual time), so every timer in the netstack
 * reads the core's clock, never the system's.
 *
 * Concurrency: a core's context is touched by its own thread only, except
 * the counters, which other threads read (INFO, telemetry) with relaxed
 * loads of 64-bit words.
 */
#ifndef DP_CORE_H
#define DP_CORE_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_cycles.h"
#include "dp_latency.h"
#include "dp_port.h"

#define DP_TX_BATCH 64
/* Frames a core may hold for its TX queue: what the port does not take at
 * a flush waits here for the next one (a full ring -- a memif peer or a
 * NIC behind our burst -- is a moment, not a loss); beyond this, new
 * frames are dropped (DP_DROP_TX_FULL). */
#define DP_TX_QUEUE 2048
/* Ports one core serves (port 0 carries the default route; the others are
 * reached by their subnets: e.g. clients on a tap, the replication link on
 * memif to the WAN emulator). */
#define DP_MAX_PORTS 4

/* Drop reasons, one counter each; names in dp_stats_names[] (dp_core.c). */
enum dp_drop {
	DP_DROP_ETH_SHORT,
	DP_DROP_ETH_NOT_US,
	DP_DROP_ETH_TYPE,
	DP_DROP_ARP_BAD,
	DP_DROP_IP_SHORT,
	DP_DROP_IP_VERSION,
	DP_DROP_IP_HLEN,
	DP_DROP_IP_LEN,
	DP_DROP_IP_CKSUM,
	DP_DROP_IP_NOT_US,
	DP_DROP_IP_FRAG,
	DP_DROP_IP_PROTO,
	DP_DROP_ICMP_BAD,
	DP_DROP_TCP_SHORT,
	DP_DROP_TCP_CKSUM,
	DP_DROP_TCP_OPTIONS,
	DP_DROP_TCP_NO_CONN,
	DP_DROP_TCP_BAD_SEQ,
	DP_DROP_TCP_BAD_ACK,
	DP_DROP_TCP_BACKLOG,
	DP_DROP_TCP_PAWS,
	DP_DROP_NO_MBUF,
	DP_DROP_TX_FULL,
	DP_DROP_ARP_UNRESOLVED,
	DP_DROP_INJECTED_LOSS,	/* test option: loss injected in the port layer */
	DP_DROP_ETH_VLAN,	/* 802.1Q / 802.1ad tagged frame */
	DP_DROP_ARP_NOT_US,	/* valid ARP about an address that is not ours */
	DP_DROP_ARP_HOLD_REPLACED, /* held packet replaced by a newer one */
	DP_DROP_NO_ROUTE,	/* off-link destination and no gateway */
	DP_DROP_ICMP_TYPE,	/* ICMP type we do not handle */
	DP_DROP_TX_OVERSIZE,	/* a frame of ours over the port's MTU (a
				 * bug: net_tap refuses it forever, and
				 * everything queued behind it would wait) */
	DP_DROP__COUNT
};

struct dp_stats {
	uint64_t rx_pkts, tx_pkts, rx_bytes, tx_bytes;
	uint64_t drops[DP_DROP__COUNT];
	uint64_t arp_requests, arp_replies;
	uint64_t icmp_echo;
	uint64_t tcp_conns_accepted, tcp_conns_connected, tcp_conns_closed;
	uint64_t tcp_conns_reset, tcp_active_conns;
	uint64_t tcp_retransmits, tcp_fast_retransmits, tcp_rto_timeouts;
	/* loss recovery (tcp_in.c / tcp_timer.c): RTOs found spurious and
	 * undone (Eifel, RFC 3522 / 4015), tail loss probes sent (RFC 8985
	 * 7), retransmissions found lost and sent again during SACK
	 * recovery */
	uint64_t tcp_spurious_rtos, tcp_tlp_probes, tcp_lost_retransmits;
	/* slow starts ended by HyStart's delay increase (tcp_cc.c) */
	uint64_t tcp_hystart_exits;
	/* segments whose out-of-order range the receiver could not record
	 * (list full: not SACKed, the peer resends them), SACK blocks the
	 * sender's scoreboard had no room for (tcp_ranges.h) */
	uint64_t tcp_ooo_full, tcp_sack_sb_full;
	uint64_t tcp_syncookies_sent, tcp_syncookies_ok;
	uint64_t tcp_challenge_acks;
	/* TCP payload at TX (tcp_out.c): frames whose payload references
	 * the send queue (zero copy) and their payload bytes; payload bytes
	 * copied into frames (short segments, ports without multi-seg) */
	uint64_t tcp_zc_frames, tcp_zc_bytes, tcp_tx_copy_bytes;
	uint64_t commands;		/* RESP commands executed on this core */
	/* hand-over (dp_handover.c): frames passed to / taken from other
	 * cores, frames dropped because the owner's ring was full, ARP
	 * entries posted to / applied from other cores */
	uint64_t tx_deferred;	/* flushes that left frames for a full port */
	/* reply bytes the store composed straight into the TCP send queue /
	 * copied there from c->out (resp_server.c) */
	uint64_t resp_inplace_bytes, resp_copied_bytes;
	uint64_t handover_out, handover_in, handover_full;
	/* segments of a passive flow this core has no connection for,
	 * handed on to the next core (dp_handover_stray) */
	uint64_t handover_stray;
	uint64_t arp_shared_out, arp_shared_in;
};

extern const char *const dp_drop_names[DP_DROP__COUNT];

struct dp_arp_cache;
struct dp_tcp_stack;
struct st_worker;
struct dp_handover;
struct rte_ring;

/* Frames waiting for one port's TX queue, oldest first. */
struct dp_core_txq {
	uint16_t n;
	struct rte_mbuf *m[DP_TX_QUEUE];
};

struct dp_core {
	unsigned id;			/* 0..ncores-1 */
	unsigned ncores;
	/* the ports this core polls, queue 'queue' of each; ports[0] holds
	 * the default route (its gateway).  Set with dp_core_add_port. */
	struct dp_port *ports[DP_MAX_PORTS];
	uint8_t nports;
	uint8_t rx_port;		/* index of the port the frame being
					 * processed came from (dp_loop.c) */
	uint16_t queue;
	struct rte_mempool *pool;
	uint64_t now_us;		/* this iteration's clock */
	struct dp_core_txq txq[DP_MAX_PORTS];
	struct dp_arp_cache *arp;
	struct dp_tcp_stack *tcp;
	struct st_worker *worker;	/* store thread context */
	void *app;			/* the application's per-core state (resp_server.c) */
	struct dp_stats stats;
	uint32_t loss_ppm;		/* injected RX/TX loss (tests), 0 = off */
	uint64_t rand_state;
	uint16_t ip_id;			/* next IPv4 identification (ipv4_out.c) */
	/* hand-over between cores (dp_handover.h); all NULL when unused */
	struct dp_handover *ho;		/* shared readiness counters */
	struct dp_core *const *ho_peers; /* every core, indexed by id */
	struct rte_ring *ho_ring;	/* this core's incoming messages */
	uint8_t ho_hops;		/* cores the frame being processed
					 * has been through (stray hand-over) */
	/* Called by tcp_in.c for a segment to a listening port that found
	 * no connection (dp_handover_stray); NULL = single core / no
	 * hand-over: answer it here. */
	bool (*stray)(struct dp_core *core, struct rte_mbuf *m);
	/* Called by arp.c when a frame received on this core taught it a
	 * neighbour (REACHABLE ip -> mac); NULL = nobody to tell. */
	void (*arp_learnt)(struct dp_core *core, uint32_t ip,
			   const struct rte_ether_addr *mac);
	/* per-layer cycle counters (dp_cycles.h); cyc.on = --cycle-stats */
	struct dp_cycles cyc;
	/* residence histogram (dp_latency.h); lat.on = --latency-stats */
	struct dp_latency lat;
};

/* Add port p to the core's ports (set-up, before the first poll).
 * 0, or -ENOSPC past DP_MAX_PORTS, -EEXIST if p's subnet overlaps one the
 * core already has (a destination must name one port), -EINVAL (NULL). */
int dp_core_add_port(struct dp_core *core, struct dp_port *p);
/* The port index a frame to next-hop-or-destination ip leaves by, and its
 * next hop: the port whose subnet holds ip (next hop ip), else ports[0]
 * through its gateway.  -EHOSTUNREACH when neither. */
int dp_core_route(const struct dp_core *core, uint32_t ip, uint32_t *nexthop);
/* True if ip is ferry's address on one of the core's ports (a weak host,
 * as Linux: any port's address is accepted on any port). */
bool dp_core_is_local(const struct dp_core *core, uint32_t ip);
/* Queue a frame for port index pi (sent at the end of the iteration, or
 * once DP_TX_BATCH are queued).  Takes ownership of m; dropped (counted)
 * only when DP_TX_QUEUE frames already wait for a full port. */
void dp_core_tx(struct dp_core *core, unsigned pi, struct rte_mbuf *m);
/* Send the queued frames of every port now, in order; what a port refuses
 * stays queued for the next flush. */
void dp_core_tx_flush(struct dp_core *core);
/* Frames queued for all ports and not yet taken. */
unsigned dp_core_tx_pending(const struct dp_core *core);
/* Teardown: free what is still queued (counted as DP_DROP_TX_FULL). */
void dp_core_tx_discard(struct dp_core *core);
/* A fresh mbuf from the core's pool, or NULL (counted as DP_DROP_NO_MBUF). */
struct rte_mbuf *dp_core_alloc(struct dp_core *core);
/* Count a dropped frame and free it. */
void dp_core_drop(struct dp_core *core, struct rte_mbuf *m, enum dp_drop why);
/* Cheap per-core random numbers (ISN, ports, loss injection). */
uint64_t dp_core_rand(struct dp_core *core);

#endif
