/*
 * conn.h -- one benchmark connection: its state machine over a dp_tcp
 * connection (active open), its in-flight requests and its buffers.
 *
 * States (enum fb_conn_state, names in fb_conn_state_names[]):
 *   IDLE --fb_conn_open--> CONNECTING --connected--> AUTH (with -a) --+OK-->
 *   OPEN --fb_conn_close / peer FIN--> CLOSING --closed--> CLOSED;
 *   any state --closed (RST, timeout, refused)--> CLOSED.
 * A reply is handled by its state's handler (conn_reply_handlers[]), a TCP
 * close by conn_closed, which counts what was still in flight as lost (or
 * timed out) and a failed open as a connect error.
 *
 * Call chains:
 *   in:   dp_tcp_input -> ... -> conn_recv -> fb_reply_parse ->
 *         conn_reply_handlers[state] -> fb_workload_verify -> st_hdr_record
 *         -> fb_conn_pump
 *   out:  fb_conn_pump -> fb_core_take -> fb_workload_compose ->
 *         conn_flush -> dp_tcp_send (the rest waits for conn_sendable)
 *
 * Concurrency: everything runs on the connection's core (its TCP callbacks
 * and the core's state machine).
 */
#ifndef FB_CONN_H
#define FB_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "bench.h"
#include "workload.h"

enum fb_conn_state {
	FB_CONN_IDLE,
	FB_CONN_CONNECTING,
	FB_CONN_AUTH,
	FB_CONN_OPEN,
	FB_CONN_CLOSING,
	FB_CONN_CLOSED,
	FB_CONN__COUNT
};

extern const char *const fb_conn_state_names[FB_CONN__COUNT];

struct fb_conn {
	struct fb_core *core;
	struct dp_tcp_conn *tcp;	/* NULL once CLOSED */
	enum fb_conn_state state;
	uint32_t gidx;			/* 0..clients-1 over every core */
	struct fb_req *ring;		/* in flight, oldest at head */
	uint32_t ring_mask, head, tail;
	struct fb_buf out;		/* composed, not yet taken by TCP */
	struct fb_buf in;		/* a partial reply */
	uint64_t next_tsc;		/* --rate: next scheduled request */
	bool timed_out;			/* aborted by --timeout */
};

/* Set up conns[i] (IDLE) with room for 'depth' requests in flight.
 * 0 or -ENOMEM. */
int fb_conn_init(struct fb_conn *c, struct fb_core *fc, uint32_t gidx,
		 uint32_t depth);
/* Free its buffers (the TCP connection must be gone). */
void fb_conn_fini(struct fb_conn *c);

/* Active open to the server.  0, or -errno (counted as a connect error,
 * the connection CLOSED). */
int fb_conn_open(struct fb_conn *c);

/* Send as many requests as the phase allows now. */
void fb_conn_pump(struct fb_conn *c, uint64_t now);

/* Graceful close (FIN after what is queued). */
void fb_conn_close(struct fb_conn *c);
/* Abortive close for --timeout: what is in flight counts as timed out. */
void fb_conn_abort_timeout(struct fb_conn *c);

static inline uint32_t
fb_conn_inflight(const struct fb_conn *c)
{
	return c->tail - c->head;
}

#endif
