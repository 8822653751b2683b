/*
 * tcp_priv.h -- TCP layer internals shared by tcp.c, tcp_in.c, tcp_out.c,
 * tcp_timer.c and tcp_syncookie.c: the connection (tcb), the explicit state
 * machine, the per-core stack, sequence arithmetic and option parsing.
 *
 * Buffers:
 *   send queue: the bytes from snd_una on (sent-unacknowledged, then
 *              unsent), sbuf_len of them (at most sbuf_size), in a FIFO of
 *              refcounted DPDK-heap blocks that TX frames reference
 *              instead of copying (tcp_sendq.c).
 *   recv ring (allocated with the connection): in-order bytes not yet consumed by the application
 *              (rbuf_len of them from rbuf_head), followed by the receive
 *              window, where out-of-order data is stored at its final place
 *              (offset seq - rcv_nxt after the in-order bytes); ooo
 *              records which ranges of the window hold data (the
 *              reassembly queue, sorted; tcp_ranges.h), ooo_recent the
 *              ranges our SACK blocks report, most recent first.
 *
 * Timers are absolute core->now_us deadlines per connection (0 = off);
 * a connection with any timer sits in one slot of a hashed timer wheel
 * (1 ms ticks) at a time no later than its earliest deadline, so
 * dp_tcp_timers only visits the slots of the ticks that passed.
 */
#ifndef DP_TCP_PRIV_H
#define DP_TCP_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "dp_tcp.h"
#include "tcp_ranges.h"

/* The connection states (RFC 9293 section 3.3.2). */
enum dp_tcp_state {
	TCP_CLOSED = 0,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECEIVED,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
	TCP_STATE__COUNT
};

extern const char *const dp_tcp_state_names[TCP_STATE__COUNT];

/* Header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* Option kinds. */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WS 3
#define TCPOPT_SACK_OK 4
#define TCPOPT_SACK 5
#define TCPOPT_TS 8

#define TCP_HDR_LEN 20
#define TCP_MAX_WSCALE 14
#define TCP_OOO_MAX TCP_RANGES_INLINE /* out-of-order ranges kept by a
				 * connection with ordinary buffers; big
				 * ones grow to dp_tcp_ranges_limit */
#define TCP_MAX_SACK 4		/* SACK blocks parsed from a segment */
#define TCP_SACK_SB TCP_RANGES_INLINE /* SACKed ranges kept by the sender
				 * (likewise) */
#define TCP_RTXLOG 64		/* SACK recovery retransmissions tracked */
#define TCP_DUPTHRESH 3		/* RFC 6675 DupThresh */
#define TCP_TLP_MIN_US 10000	/* RFC 8985 7.2: PTO floor */
#define TCP_TX_BURST 64		/* data segments per connection per flush:
				 * an ACK that opens a whole window (after a
				 * stall) must not overflow the TX ring */
#define TCP_TLP_DELACK_US 200000 /* ... + WCDelAckT with one segment out */
#define TCP_TS_OPT_LEN 12	/* NOP NOP TS */
#define TCP_SYN_RETRIES 6	/* active open */
#define TCP_SYNACK_RETRIES 5	/* passive open (SYN-RECEIVED) */
#define TCP_CHALLENGE_PER_SEC 1000	/* RFC 5961 section 7 */
#define TCP_MAX_LISTENERS 16
#define TCP_DEFAULT_MSS 536	/* peer sent no MSS (RFC 9293 3.7.1) */
#define TCP_WHEEL_SLOTS 4096	/* timer wheel: 1 ms ticks, ~4 s per turn */
#define TCP_WHEEL_TICK_US 1000
#define TCP_SQ_MIN_BLOCK 4096	/* send queue: first block's bytes */
#define TCP_SQ_MAX_BLOCK 65536	/* ... doubling up to this */
#define TCP_SQ_KEEP_MAX 8192	/* an emptied last block up to this size
				 * is kept for the next reply (no heap
				 * allocation per request / response) */
#define TCP_ZC_MIN_DEFAULT 1024	/* segments of at least this many bytes
				 * reference the send queue (zero copy);
				 * shorter ones are copied: an indirect
				 * mbuf costs ~90 cycles (alloc, attach,
				 * refcounts, free), a hot memcpy ~50 +
				 * len/25 (test_tcp_sendq SENDQ_BENCH) */
#define TCP_ZC_MAX_SEGS 4	/* blocks one zero-copy segment may span */
#define TCP_ZC_POOL_SIZE 8191	/* indirect mbufs per core */

/* Sequence arithmetic (RFC 1982 style, 32-bit wrap). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))

/* The TCP header as on the wire. */
struct dp_tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off;		/* data offset << 4 */
	uint8_t flags;
	uint16_t win;
	uint16_t cksum;
	uint16_t urp;
} __attribute__((packed));

/* Options parsed from one segment. */
struct dp_tcp_opts {
	bool mss_ok, ws_ok, sack_ok, ts_ok;
	uint16_t mss;
	uint8_t ws;
	uint32_t ts_val, ts_ecr;
	uint8_t nsack;
	struct { uint32_t start, end; } sack[TCP_MAX_SACK];
};

/* Connection flags (tcb->flags). */
#define TF_ACK_NOW	(1u << 0)	/* send an ACK at the next flush */
#define TF_DELACK	(1u << 1)	/* an ACK is owed (delayed) */
#define TF_PENDING	(1u << 2)	/* on the stack's flush list */
#define TF_FIN_QUEUED	(1u << 3)	/* app closed: FIN after the data */
#define TF_FIN_ACKED	(1u << 4)
#define TF_RCV_FIN	(1u << 5)	/* peer's FIN received (in order) */
#define TF_RECV_PAUSED	(1u << 6)	/* app consumed less than offered */
#define TF_WS		(1u << 7)	/* window scaling negotiated */
#define TF_SACK		(1u << 8)	/* SACK-permitted negotiated */
#define TF_TS		(1u << 9)	/* timestamps negotiated */
#define TF_APP_KNOWS	(1u << 10)	/* accepted/connected was delivered */
#define TF_DEAD		(1u << 12)	/* ended; freed when the entry point returns */
#define TF_IN_RECOVERY	(1u << 13)	/* NewReno fast recovery */
#define TF_RTT_TIMING	(1u << 14)	/* rtt_seq is being timed (no TS) */
#define TF_SEND_SYN	(1u << 15)	/* (re)send SYN / SYN-ACK at flush */
#define TF_WANT_SENDABLE (1u << 16)	/* send() was short: call sendable */
#define TF_PEER_CLOSED_CB (1u << 17)	/* peer_closed delivered */
#define TF_COOKIE	(1u << 19)	/* created from a SYN cookie */
#define TF_OOO_FIN	(1u << 20)	/* FIN seen beyond a hole (rcv_fin) */
#define TF_RTO_UNDO	(1u << 21)	/* an RTO's reduction may be undone
					 * (Eifel: TSecr below rto_tsval) */
#define TF_TLP_OUT	(1u << 22)	/* a tail loss probe is unanswered */
#define TF_TX_MORE	(1u << 23)	/* output stopped at TCP_TX_BURST:
					 * pending again at the next flush */
#define TF_RTO_IN_REC	(1u << 24)	/* the undoable RTO interrupted a
					 * SACK recovery (resumed on undo) */

/* CUBIC's per-connection state (tcp_cc.c, RFC 9438 4): bytes, seconds. */
struct dp_tcp_cubic {
	uint64_t epoch_us;		/* start of the CA epoch, 0 = none */
	uint32_t w_max;			/* window before the last reduction */
	uint32_t origin;		/* the cubic's plateau this epoch */
	double w_est;			/* Reno-friendly estimate (fractions
					 * of a byte per ACK add up) */
	double k_s;			/* time to reach origin */
	double frac;			/* growth below one byte, carried */
	/* HyStart's delay-increase exit from slow start (tcp_cc.c) */
	uint32_t hs_end;		/* snd_max when this round began */
	uint32_t hs_base_us;		/* lowest RTT seen, 0 = none yet */
	uint32_t hs_cur_us;		/* lowest of this round's samples */
	uint8_t hs_n;			/* samples this round */
};

struct dp_tcp_listener {
	uint16_t port;
	bool used;
	const struct dp_tcp_app_ops *ops;
	uint32_t syn_rcvd;		/* half-open connections (backlog) */
};

struct dp_tcp_conn {
	/* lookup and lists */
	struct dp_tcp_conn *hnext;		/* hash chain */
	struct dp_tcp_conn *prev, *next;	/* all connections */
	struct dp_tcp_conn *pprev, *pnext;	/* flush list */
	struct dp_tcp_conn *txnext;		/* flush: TF_TX_MORE ones */
	struct dp_tcp_conn *twprev, *twnext;	/* TIME_WAIT fifo */
	uint32_t lip, rip;			/* host order */
	uint16_t lport, rport;
	uint32_t hash;

	enum dp_tcp_state state;
	uint32_t flags;
	struct dp_tcp_listener *listener;	/* SYN-RECEIVED: backlog slot */
	const struct dp_tcp_app_ops *ops;
	void *ctx;
	enum dp_tcp_close_reason why;

	/* send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint8_t snd_wscale, rcv_wscale;
	uint16_t peer_mss;		/* from the peer's SYN */
	uint16_t smss;			/* payload per segment (w/o options) */
	uint32_t cwnd, ssthresh, recover;
	uint32_t dupacks;
	/* SACK scoreboard (RFC 6675, simplified): ranges above snd_una the
	 * peer holds, sorted and disjoint; high_rxt: retransmitted up to
	 * here in the current recovery (HighRxt) */
	struct dp_tcp_ranges sacked;
	uint32_t high_rxt;
	/* retransmissions of this SACK recovery: [seq, end) sent when
	 * snd_max was mark, with our TSval then (tsval); lost when more than DupThresh-1 segments sent
	 * after it are SACKed while it is not (tcp_in.c) */
	uint8_t nrtxlog;
	struct { uint32_t seq, end, mark, tsval; } rtxlog[TCP_RTXLOG];
	/* time-ordered loss detection (the idea of RACK, RFC 8985 6.2, by
	 * send order instead of timestamps): a logged retransmission sent
	 * when snd_max was M has been delivered, so every byte below M that
	 * is still un-SACKed went out before it and is lost (a FIFO path);
	 * bytes in [high_rxt, rack_edge) are resent by pipe.  snd_una when
	 * none (reset on entering and leaving recovery, and at an RTO) */
	uint32_t rack_edge;
	/* Proportional Rate Reduction (RFC 6937, SACK recovery): bytes the
	 * peer got since recovery began (cumulatively or SACKed), bytes we
	 * sent since, and the flight when it began */
	uint32_t prr_delivered, prr_out, recover_fs;
	/* congestion control (tcp_cc.c) and what an undo restores */
	uint8_t cc;			/* enum dp_tcp_cc */
	struct dp_tcp_cubic cubic, undo_cubic;
	uint32_t undo_cwnd, undo_ssthresh;
	uint32_t undo_recover;		/* recover before the undoable RTO */
	uint32_t undo_high_rxt;		/* high_rxt then: what the cut
					 * short recovery had resent */
	uint32_t rto_tsval;		/* TSval of the RTO's retransmission */
	uint32_t tlp_high;		/* snd_max when the probe went out */
	/* send queue (tcp_sendq.c); sq_cur / sq_cur_off: the block the
	 * last lookup found and the queue offset of its first byte */
	struct dp_tcp_sblk *sq_head, *sq_tail, *sq_cur;
	uint32_t sq_cur_off;
	uint32_t sbuf_size, sbuf_len;

	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
	uint8_t *rbuf;
	uint32_t rbuf_size, rbuf_head, rbuf_len;
	uint32_t rcv_offered;		/* bytes inside a running recv() */
	uint32_t rcv_unacked;		/* bytes received since our last ACK */
	uint32_t rcv_fin;		/* seq of an out-of-order FIN */
	struct dp_tcp_ranges ooo;
	/* what our SACK blocks report (RFC 2018 4): a seq inside each
	 * range, the most recently received first; an entry whose range was
	 * delivered or merged into another's is skipped */
	uint8_t nrecent;
	uint32_t ooo_recent[TCP_MAX_SACK];

	/* timestamps (RFC 7323) */
	uint32_t ts_recent, ts_offset;

	/* RTT / RTO (RFC 6298), microseconds */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint64_t srtt_x, rttvar_x;	/* the same, microseconds << 16: the
					 * per-ACK gains of RFC 7323 G are
					 * fractions of a microsecond */
	uint32_t rtt_seq;
	uint32_t rtx_high;		/* snd_max at the last retransmission */
	uint64_t rtt_start;
	uint8_t backoff, retries, keep_probes;

	/* timers: absolute now_us deadlines, 0 = off */
	uint64_t t_rto, t_delack, t_persist, t_keep, t_tw;
	uint64_t t_tlp;			/* tail loss probe (PTO) */
	/* timer wheel: linked at wheel_at (<= the earliest deadline) */
	struct dp_tcp_conn *wprev, *wnext, *wdue;
	uint64_t wheel_at;		/* 0 = not in the wheel */
	uint32_t wslot;
	uint64_t last_rcv_us;		/* keepalive idle reference */
};

struct dp_tcp_stack {
	struct dp_tcp_config cfg;
	struct dp_tcp_conn **buckets;
	uint32_t nbuckets;		/* power of two */
	uint32_t nconns;
	struct dp_tcp_conn *all;	/* every connection */
	struct dp_tcp_conn *pending;	/* flush list */
	struct dp_tcp_conn *tw_head, *tw_tail;	/* TIME_WAIT, oldest first */
	struct dp_tcp_listener listeners[TCP_MAX_LISTENERS];
	struct dp_tcp_conn *wheel[TCP_WHEEL_SLOTS];
	uint64_t wheel_tick;		/* last tick processed */
	uint64_t challenge_sec;		/* RFC 5961 rate limit window */
	uint32_t challenge_count;
	uint16_t next_eport;		/* ephemeral port cursor */
	/* debug trace (FERRY_TCP_TRACE=BYTES in the environment): one
	 * stderr line per connection whose send buffer is >= trace_min_buf
	 * (the replication link's) every 100 ms and at each RTO, recovery
	 * entry and undo; 0 = off */
	uint32_t trace_min_buf;
	uint64_t trace_next_us;
	unsigned depth;			/* entry points running */
	struct dp_tcp_conn *dead;	/* ended, freed when depth is 0 */
	struct rte_mempool *zc_pool;	/* indirect mbufs (tcp_sendq.c);
					 * NULL: every segment is copied */
	uint32_t zc_min;		/* zero-copy threshold (bytes) */
};

/* ---- tcp.c ---- */
uint32_t dp_tcp_hash(uint32_t lip, uint16_t lport, uint32_t rip,
		     uint16_t rport);
struct dp_tcp_conn *dp_tcp_lookup(struct dp_core *core, uint32_t lip,
				  uint16_t lport, uint32_t rip, uint16_t rport);
struct dp_tcp_listener *dp_tcp_listener_find(struct dp_core *core,
					     uint16_t port);
/* New tcb in state CLOSED, hashed, buffers allocated (may recycle the
 * oldest TIME_WAIT connection when the table is full).  NULL if none. */
struct dp_tcp_conn *dp_tcp_conn_new(struct dp_core *core, uint32_t lip,
				    uint16_t lport, uint32_t rip,
				    uint16_t rport);
/* End a connection: closed callback (if the app knows it), unhash, free
 * (deferred while the input path holds it). */
void dp_tcp_conn_destroy(struct dp_core *core, struct dp_tcp_conn *c,
			 enum dp_tcp_close_reason why);
/* Unlink and free an ended tcb (TF_DEAD), from the reaper. */
void dp_tcp_conn_free(struct dp_core *core, struct dp_tcp_conn *c);
void dp_tcp_set_state(struct dp_core *core, struct dp_tcp_conn *c,
		      enum dp_tcp_state st);
/* Entry points (input, timers, flush) bracket their work so tcbs that end
 * meanwhile are freed only on the way out. */
void dp_tcp_enter(struct dp_core *core);
void dp_tcp_leave(struct dp_core *core);
/* Mark c for the next dp_tcp_flush. */
void dp_tcp_mark_pending(struct dp_core *core, struct dp_tcp_conn *c);
/* RFC 6528 initial sequence number; keyed hash of the 4-tuple. */
uint32_t dp_tcp_isn(struct dp_core *core, uint32_t lip, uint16_t lport,
		    uint32_t rip, uint16_t rport);
/* Keyed 64-bit hash (SipHash-2-4 over the process secret). */
uint64_t dp_tcp_keyed_hash(const void *data, size_t len, uint64_t tweak);
/* Our timestamp clock for c (ms + per-connection offset). */
uint32_t dp_tcp_ts_now(struct dp_core *core, uint32_t ts_offset);
uint32_t dp_tcp_ts_offset(uint32_t lip, uint16_t lport, uint32_t rip,
			  uint16_t rport);
/* Deliver queued in-order receive data to the application. */
void dp_tcp_deliver(struct dp_core *core, struct dp_tcp_conn *c);
/* Receive window we can advertise now (bytes, unscaled). */
uint32_t dp_tcp_rcv_space(const struct dp_tcp_conn *c);
/* Move a connection into TIME_WAIT. */
void dp_tcp_enter_time_wait(struct dp_core *core, struct dp_tcp_conn *c);
/* Arm one of c's timers: *t = at, and c enters the timer wheel at at if it
 * is not linked earlier.  Timers are stopped by writing 0 (the wheel finds
 * out lazily). */
void dp_tcp_timer_set(struct dp_core *core, struct dp_tcp_conn *c,
		      uint64_t *t, uint64_t at);
/* (Re)link c in the timer wheel at at (its earliest deadline). */
void dp_tcp_wheel_link(struct dp_core *core, struct dp_tcp_conn *c,
		       uint64_t at);
/* Take c out of the timer wheel. */
void dp_tcp_wheel_unlink(struct dp_core *core, struct dp_tcp_conn *c);
/* ESTABLISHED reached: counters, the app's accepted / connected. */
void dp_tcp_established(struct dp_core *core, struct dp_tcp_conn *c);

/* ---- tcp_in.c ---- */
/* Parse options; 0 or -EINVAL on a malformed option list. */
int dp_tcp_parse_options(const uint8_t *p, unsigned len, bool syn,
			 struct dp_tcp_opts *o);
/* Reassembly: place [seq, seq+len) of data; returns how many bytes became
 * in order (rcv_nxt advanced by that). */
uint32_t dp_tcp_reass(struct dp_core *core, struct dp_tcp_conn *c,
		      uint32_t seq, const struct rte_mbuf *m, uint32_t off,
		      uint32_t len);

/* ---- tcp_out.c ---- */
/* Send what the windows allow, plus an owed ACK. */
void dp_tcp_output(struct dp_core *core, struct dp_tcp_conn *c);
/* One segment from the send queue: [seq, seq+len) with flags. 0/-errno. */
int dp_tcp_send_segment(struct dp_core *core, struct dp_tcp_conn *c,
			uint32_t seq, uint32_t len, uint8_t flags);
/* An ACK now (also challenge ACKs, window updates). */
void dp_tcp_send_ack(struct dp_core *core, struct dp_tcp_conn *c);
/* RFC 5961 challenge ACK, rate limited. */
void dp_tcp_send_challenge_ack(struct dp_core *core, struct dp_tcp_conn *c);
/* RST on behalf of a connection (abort, timeout). */
void dp_tcp_send_rst_conn(struct dp_core *core, struct dp_tcp_conn *c);
/* Stateless RST / SYN-ACK (no tcb). */
void dp_tcp_send_rst(struct dp_core *core, uint32_t lip, uint16_t lport,
		     uint32_t rip, uint16_t rport, uint32_t seq, uint32_t ack,
		     uint8_t flags);
void dp_tcp_send_synack_stateless(struct dp_core *core, uint32_t lip,
				  uint16_t lport, uint32_t rip, uint16_t rport,
				  uint32_t iss, uint32_t ack, uint16_t mss,
				  const struct dp_tcp_opts *peer,
				  uint32_t tsval);
/* Retransmit the first unacknowledged segment (fast retransmit, RTO). */
void dp_tcp_retransmit_first(struct dp_core *core, struct dp_tcp_conn *c);
/* SACK recovery: retransmit one segment of the first hole at or above
 * high_rxt and below the highest SACKed byte; advances high_rxt.  Returns
 * the bytes sent (0: no such hole, or no mbuf). */
uint32_t dp_tcp_retransmit_hole(struct dp_core *core, struct dp_tcp_conn *c);
/* Segment payload limit with our options on data segments (timestamps):
 * the unit of cwnd / PRR / loss-detection arithmetic. */
uint32_t dp_tcp_eff_mss(const struct dp_tcp_conn *c);
/* The payload a data segment sent now may carry: dp_tcp_eff_mss less the
 * SACK blocks it will carry while we hold out-of-order data. */
uint32_t dp_tcp_seg_mss(const struct dp_tcp_conn *c);
/* SACK scoreboard queries (RFC 6675 section 4): bytes SACKed, and the
 * edge below which every un-SACKed byte is deemed lost (IsLost: more
 * than (DupThresh - 1) * MSS bytes SACKed above it), or rack_edge in
 * recovery when that is higher; snd_una if none. */
uint32_t dp_tcp_sacked_bytes(const struct dp_tcp_conn *c);
uint32_t dp_tcp_lost_edge(const struct dp_tcp_conn *c);
/* RFC 6675 pipe: bytes deemed in the network during SACK recovery. */
uint32_t dp_tcp_pipe(const struct dp_tcp_conn *c);
/* Send one segment [seq, seq+len) again during SACK recovery and log it
 * (rtxlog) for lost-retransmission detection; 0 or -errno. */
int dp_tcp_retransmit_logged(struct dp_core *core, struct dp_tcp_conn *c,
			     uint32_t seq, uint32_t len);

/* ---- tcp_sendq.c (the send queue; the owner core only) ---- */
struct dp_tcp_sblk;
/* Contiguous free bytes at the queue's tail (>= want when sbuf_size
 * allows, else what there is; 0 when the buffer is full or no memory);
 * may add a block; *p points at them (NULL when 0).  want 0: only what the
 * tail block has. */
size_t dp_tcp_sq_reserve(struct dp_tcp_conn *c, size_t want, uint8_t **p);
/* Queue the first n reserved bytes (sbuf_len += n). */
void dp_tcp_sq_commit(struct dp_tcp_conn *c, size_t n);
/* n bytes at the front were ACKed: releases emptied blocks (freed now, or
 * when the last frame referencing them is freed). */
void dp_tcp_sq_drop(struct dp_tcp_conn *c, uint32_t n);
/* Release every block (connection freed / TIME-WAIT); sbuf_len = 0. */
void dp_tcp_sq_free(struct dp_tcp_conn *c);
/* Copy len bytes from queue offset off (bytes after snd_una) to dst;
 * returns the bytes copied (fewer only past the queued bytes). */
uint32_t dp_tcp_sq_copy(struct dp_tcp_conn *c, uint32_t off, uint8_t *dst,
			uint32_t len);
/* Zero copy: chain to m (header mbuf) one indirect mbuf per block that
 * [off, off+len) touches, attached to the block's bytes (refcount +1
 * each).  0, or -errno with m unchanged (-ENOBUFS: pool empty; -EINVAL:
 * the range does not suit, copy it instead). */
int dp_tcp_sq_attach(struct dp_core *core, struct dp_tcp_conn *c,
		     uint32_t off, uint32_t len, struct rte_mbuf *m);
/* The per-core indirect-mbuf pool (looked up or created; never freed). */
struct rte_mempool *dp_tcp_sq_pool(unsigned core_id);
/* Blocks alive in the process and their bytes (tests, stats). */
uint64_t dp_tcp_sq_blocks_alive(void);
uint64_t dp_tcp_sq_bytes_alive(void);

/* FERRY_TCP_TRACE's value -> the send-buffer size from which connections
 * are traced (tcp_timer.c dp_tcp_trace); NULL or empty: 0 (off).  0, or
 * -EINVAL (and 0) for anything but a byte count 1..UINT32_MAX. */
int dp_tcp_trace_parse(const char *s, uint32_t *min_buf);

/* ---- tcp_cc.c ---- */
/* Initial window (RFC 6928 IW10), the algorithm from the stack config,
 * fresh algorithm state.  Input path (handshake completed). */
void dp_tcp_cc_init(struct dp_core *core, struct dp_tcp_conn *c);
/* acked new bytes outside recovery: grow cwnd (slow start / CA). */
void dp_tcp_cc_ack(struct dp_core *core, struct dp_tcp_conn *c,
		   uint32_t acked, bool cwnd_limited);
/* A congestion event with flight bytes out: saves what an undo restores,
 * sets ssthresh (NewReno flight/2, CUBIC 0.7 with fast convergence).
 * The caller sets cwnd (recovery: ssthresh; RTO: one segment). */
void dp_tcp_cc_loss(struct dp_core *core, struct dp_tcp_conn *c,
		    uint32_t flight);
/* A first timeout, after dp_tcp_cc_loss / _in_recovery: HyStart forgets
 * its base RTT and round (they are in the undo state). */
void dp_tcp_cc_rto(struct dp_core *core, struct dp_tcp_conn *c);
/* The last reduction was spurious: restore cwnd, ssthresh, CUBIC state. */
void dp_tcp_cc_undo(struct dp_core *core, struct dp_tcp_conn *c);
/* A timeout inside a recovery that already reduced ssthresh: saves what
 * an undo restores and keeps ssthresh (one reduction per loss episode). */
void dp_tcp_cc_loss_in_recovery(struct dp_core *core, struct dp_tcp_conn *c);
/* An RTT sample (dp_tcp_rtt_sample): CUBIC ends slow start on HyStart's
 * delay increase (ssthresh = cwnd; counted in tcp_hystart_exits). */
void dp_tcp_cc_rtt(struct dp_core *core, struct dp_tcp_conn *c,
		   uint32_t rtt_us);
/* The connection's algorithm name ("newreno", "cubic"). */
const char *dp_tcp_cc_conn_name(const struct dp_tcp_conn *c);

/* ---- tcp_timer.c ---- */
void dp_tcp_rto_arm(struct dp_core *core, struct dp_tcp_conn *c);
void dp_tcp_rtt_sample(struct dp_core *core, struct dp_tcp_conn *c,
		       uint32_t rtt_us);
void dp_tcp_keepalive_reset(struct dp_core *core, struct dp_tcp_conn *c);
/* Arm the tail loss probe (RFC 8985 7.2) if it applies: SACK, tlp on,
 * data outstanding, not in recovery, no probe unanswered, earlier than
 * the RTO.  Otherwise stops it. */
void dp_tcp_tlp_arm(struct dp_core *core, struct dp_tcp_conn *c);
/* Debug trace of c's sender state (cwnd, ssthresh, windows, flight, RTT
 * estimate, recovery, scoreboard, the core's counters) to stderr, tagged
 * why, if the trace is on and c's send buffer qualifies (trace_min_buf).
 * Data core (c's owner). */
void dp_tcp_trace(struct dp_core *core, const struct dp_tcp_conn *c,
		  const char *why);
/* Orphaned FIN-WAIT-2 lifetime (t_tw). */
void dp_tcp_arm_fin_wait_2(struct dp_core *core, struct dp_tcp_conn *c);

/* ---- tcp_syncookie.c ---- */
uint32_t dp_tcp_cookie_make(struct dp_core *core, uint32_t lip,
			    uint16_t lport, uint32_t rip, uint16_t rport,
			    uint32_t peer_isn, uint16_t *mss);
/* Validates the cookie acknowledged by ack (-1); returns the MSS or 0. */
uint16_t dp_tcp_cookie_check(struct dp_core *core, uint32_t lip,
			     uint16_t lport, uint32_t rip, uint16_t rport,
			     uint32_t peer_isn, uint32_t cookie);
/* Encode/decode WS and SACK-permitted in the low bits of our TS value. */
uint32_t dp_tcp_cookie_tsval(uint32_t ts, const struct dp_tcp_opts *peer);
void dp_tcp_cookie_ts_opts(uint32_t ecr, struct dp_tcp_opts *o);

static inline struct dp_tcp_stack *
tcp_stack(struct dp_core *core)
{
	return core->tcp;
}

#endif
