/*
 * dp_tcp.h -- the TCP layer: its interface to IPv4 below and to the
 * application (the RESP server, ferry-bench, the replication link) above.
 *
 * Call chains (one file per direction, lwIP/mTCP style):
 *   in:    dp_ipv4_input -> dp_tcp_input (tcp_in.c) -> per-state handler ->
 *          reassembly -> app->recv
 *   out:   app -> dp_tcp_send (copies into the send queue) |
 *          dp_tcp_send_reserve + dp_tcp_send_commit (composed in place)
 *          -> tcp_output (tcp_out.c: frames reference the queue's blocks,
 *          tcp_sendq.c) -> dp_ipv4_output
 *   timer: dp_tcp_timers (tcp_timer.c) -> RTO / persist / delayed ACK /
 *          keepalive / TIME_WAIT
 *
 * The application is event driven: it registers callbacks when it listens
 * or connects; every callback runs on the connection's core, inside the
 * poll loop, and may call dp_tcp_send / dp_tcp_close / dp_tcp_abort.
 * A connection lives on one core.
 */
#ifndef DP_TCP_H
#define DP_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <rte_mbuf.h>

struct dp_core;
struct dp_tcp_conn;

/* Why a connection ended (closed callback). */
enum dp_tcp_close_reason {
	DP_TCP_CLOSED_NORMAL = 0,	/* both FINs exchanged, or we closed */
	DP_TCP_CLOSED_RESET,		/* RST received */
	DP_TCP_CLOSED_TIMEOUT,		/* retransmissions or keepalive gave up */
	DP_TCP_CLOSED_REFUSED,		/* active open: RST to our SYN */
	DP_TCP_CLOSED_ABORTED,		/* we sent RST (dp_tcp_abort, limits) */
};

struct dp_tcp_app_ops {
	/* Passive open completed (ESTABLISHED); set *ctx for later calls.
	 * Return 0 to accept, or <0 to reset the connection. */
	int (*accepted)(struct dp_core *core, struct dp_tcp_conn *c, void **ctx);
	/* Active open completed (ESTABLISHED). */
	void (*connected)(struct dp_core *core, struct dp_tcp_conn *c, void *ctx);
	/* In-order bytes.  Return how many were consumed; unconsumed bytes
	 * stay queued (and close the receive window) until
	 * dp_tcp_recv_resume() is called. */
	size_t (*recv)(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
		       const uint8_t *data, size_t len);
	/* Send space became available after dp_tcp_send() accepted less than
	 * asked. */
	void (*sendable)(struct dp_core *core, struct dp_tcp_conn *c, void *ctx);
	/* The peer sent FIN (no more data will arrive); we may still send. */
	void (*peer_closed)(struct dp_core *core, struct dp_tcp_conn *c, void *ctx);
	/* The connection is gone; c must not be used after this returns. */
	void (*closed)(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
		       enum dp_tcp_close_reason why);
};

struct dp_tcp_config {
	uint32_t rcv_buf;		/* receive buffer (window) bytes */
	uint32_t snd_buf;		/* send buffer bytes */
	uint16_t mss;			/* our MSS (from the MTU) */
	uint8_t wscale;			/* our window scale shift */
	uint32_t syn_backlog;		/* half-open limit before SYN cookies */
	uint32_t max_conns;		/* per core */
	uint32_t rto_min_us, rto_max_us, rto_initial_us;
	uint32_t delack_us;		/* delayed-ACK timeout */
	uint32_t time_wait_us;		/* 2*MSL */
	uint32_t keepalive_idle_us;	/* 0 = off */
	uint32_t keepalive_intvl_us;
	uint32_t keepalive_probes;
	uint32_t max_retries;		/* RTO retries before giving up */
	uint8_t cc;			/* enum dp_tcp_cc: congestion control */
	uint8_t tlp;			/* 1: tail loss probes (RFC 8985 7) */
	uint8_t hystart;		/* 1: CUBIC leaves slow start on
					 * HyStart's delay increase */
};

/* Congestion control algorithms (tcp_cc.c); dp_tcp_config.cc. */
enum dp_tcp_cc {
	DP_TCP_CC_NEWRENO = 0,		/* RFC 5681 / 6582 */
	DP_TCP_CC_CUBIC = 1,		/* RFC 9438 (the default) */
	DP_TCP_CC__COUNT
};

/* "newreno" / "cubic" -> enum dp_tcp_cc; -EINVAL for another name. */
int dp_tcp_cc_parse(const char *name);
/* The algorithm's name (logs, stats); "?" out of range. */
const char *dp_tcp_cc_name(int cc);

/* Defaults (Linux-like). */
void dp_tcp_config_defaults(struct dp_tcp_config *cfg);

/* Per-core stack lifetime.  0 or -ENOMEM. */
int dp_tcp_stack_init(struct dp_core *core, const struct dp_tcp_config *cfg);
void dp_tcp_stack_fini(struct dp_core *core);	/* aborts what is left */

/* Listen on a local port (every core listens on the same ports). */
int dp_tcp_listen(struct dp_core *core, uint16_t port,
		  const struct dp_tcp_app_ops *ops);

/* Active open from our address to dst:port; the local port is chosen so
 * that the flow returns to this core when RSS hashing is in use (or via
 * the hand-over ring).  NULL with errno set on failure. */
struct dp_tcp_conn *dp_tcp_connect(struct dp_core *core, uint32_t dst,
				   uint16_t port,
				   const struct dp_tcp_app_ops *ops, void *ctx);

/* Queue bytes for sending; returns how many were accepted (0..len): the
 * send buffer bounds it (backpressure).  Sends immediately (no Nagle). */
size_t dp_tcp_send(struct dp_core *core, struct dp_tcp_conn *c,
		   const void *data, size_t len);
size_t dp_tcp_send_space(const struct dp_tcp_conn *c);
/*
 * Compose in place (zero copy for the application): reserve returns how
 * many contiguous free bytes lie at the tail of c's send queue -- at least
 * want when the send buffer has that much room, else what there is,
 * possibly 0 -- and points *p at them (NULL when 0).  It may add a block
 * to the queue; nothing is queued yet, and the space stays valid until the
 * next call on c (send, reserve, commit, close, abort) or the end of the
 * callback / poll iteration.  When it returns less than want (buffer
 * limit, or a state that does not send) the sendable callback follows once
 * space frees up, as after a short dp_tcp_send.
 * commit queues the first n bytes written at *p (n <= what reserve
 * returned), exactly as dp_tcp_send of those bytes would: the connection
 * is marked for the next flush; ignored (0 bytes) in a state that cannot
 * send.  Owner core only, from callbacks or the poll loop; no locks, not
 * an RCU read-side matter.  dp_tcp_send is reserve + memcpy + commit.
 */
size_t dp_tcp_send_reserve(struct dp_core *core, struct dp_tcp_conn *c,
			   size_t want, uint8_t **p);
void dp_tcp_send_commit(struct dp_core *core, struct dp_tcp_conn *c,
			size_t n);
/* Grow c's receive and send buffers (never shrinks; 0 keeps a size):
 * long fat links (a replica 70 ms away) need a window of the
 * bandwidth-delay product.  The receive window can open only up to what
 * the window scale negotiated at the SYN allows (65535 << wscale).  Not
 * from inside c's own recv callback (-EBUSY: the app reads the ring).
 * 0, -EBUSY, -ENOTCONN, -EINVAL (too large) or -ENOMEM (c unchanged). */
int dp_tcp_set_buffers(struct dp_core *core, struct dp_tcp_conn *c,
		       uint32_t rcv, uint32_t snd);
/* Re-open the receive side after recv() consumed less than offered. */
void dp_tcp_recv_resume(struct dp_core *core, struct dp_tcp_conn *c);
/* Graceful close: FIN after the queued data. */
void dp_tcp_close(struct dp_core *core, struct dp_tcp_conn *c);
/* Abortive close: RST now, closed(ABORTED) follows. */
void dp_tcp_abort(struct dp_core *core, struct dp_tcp_conn *c);

/* Addresses (host order) for logs, CLIENT LIST. */
void dp_tcp_conn_addrs(const struct dp_tcp_conn *c, uint32_t *lip,
		       uint16_t *lport, uint32_t *rip, uint16_t *rport);

/* Called by IPv4 with m at the TCP header, m->pkt_len = segment length. */
void dp_tcp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
		  uint32_t dst);
/* Run the timers due at core->now_us. */
void dp_tcp_timers(struct dp_core *core);
/* Send what is pending on every connection touched this iteration
 * (coalesces ACKs and data of one poll iteration into few segments). */
void dp_tcp_flush(struct dp_core *core);

#endif
