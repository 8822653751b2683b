/*
 * resp_server.c -- the store's clients over dp_tcp connections (see
 * resp_server.h).
 *
 * Call chains:
 *   accept: dp_tcp (passive open) -> resp_accepted -> st_client_new ->
 *           st_client_register
 *   in:     dp_tcp -> resp_recv -> conn_input -> st_client_feed ->
 *           [dp_tcp_send_reserve -> st_buf_borrow] -> st_client_process
 *           -> [st_buf_unborrow -> dp_tcp_send_commit] | conn_flush ->
 *           dp_tcp_send
 *           (timed per layer with --cycle-stats: resp_recv's body as
 *           DP_CYC_APP, st_client_process as DP_CYC_STORE, dp_tcp_send as
 *           DP_CYC_TCP_SEND; dp_cycles.h)
 *   out:    dp_tcp -> resp_sendable -> conn_flush -> dp_tcp_recv_resume
 *   close:  conn_finish -> dp_tcp_close ... dp_tcp -> resp_closed ->
 *           st_client_unregister -> (conn_free) st_client_free
 *   replication (every iteration, dp_resp_server_flush -> conn_special):
 *           replica connections: ctl_replica_pump -> dp_tcp_send (the
 *           stream straight from the backlog, once c->out is sent);
 *           WAIT-blocked clients: ctl_wait_poll -> reply -> the input
 *           queued behind WAIT runs (conn_resume)
 *
 * A connection's state machine (enum resp_conn_state):
 *   OPEN     -> DRAINING  (QUIT, protocol error, CLIENT KILL, peer FIN,
 *                          server stop: no more input is executed)
 *   DRAINING -> FIN_SENT  (c->out fully handed to TCP: dp_tcp_close)
 *   any      -> GONE      (closed callback; freed when no callback of this
 *                          connection is on the stack)
 * The output buffer c->out is sent from out_off; it is emptied (and
 * shrunk) once all of it is accepted by TCP, and no input is executed
 * while it is non-empty, so the store never appends behind out_off.
 *
 * Replies composed in place: before each st_client_process, c->out (then
 * empty) borrows the free tail of the connection's TCP send queue
 * (dp_tcp_send_reserve, RESP_COMPOSE_WANT bytes), so the store writes the
 * replies where TCP sends them from and they are queued with
 * dp_tcp_send_commit, no copy.  Replies that outgrow that space move to
 * c->out's own memory and go the copying way (conn_flush -> dp_tcp_send).
 * Counters: resp_inplace_bytes / resp_copied_bytes (dp_core stats).
 */
#include "resp_server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "dp_core.h"
#include "dp_tcp.h"
#include "repl.h"
#include "util.h"

#define RESP_COMPOSE_WANT 4096u		/* send-queue tail lent to the store */
#define RESP_CHUNK_MIN 256u		/* input piece after a big reply */
#define RESP_CHUNK_MAX (64u * 1024)	/* input piece while replies are small */
#define RESP_BIG_OUT (64u * 1024)	/* "big reply": shrink the piece */
#define RESP_PUMP_MAX (256u * 1024)	/* replica stream bytes per iteration */

enum resp_conn_state {
	RC_OPEN = 0,
	RC_DRAINING,
	RC_FIN_SENT,
	RC_GONE,
	RC__NSTATES
};

static const char *const resp_conn_state_names[RC__NSTATES]
	__attribute__((unused)) = {
	[RC_OPEN] = "open",
	[RC_DRAINING] = "draining",
	[RC_FIN_SENT] = "fin_sent",
	[RC_GONE] = "gone",
};

struct resp_conn {
	struct dp_tcp_conn *tc;		/* NULL once GONE */
	struct st_client *c;
	struct resp_conn *prev, *next;	/* the core's list */
	size_t out_off;			/* c->out bytes already sent */
	uint32_t chunk;			/* next input piece */
	uint8_t state;			/* enum resp_conn_state */
	uint8_t depth;			/* our callbacks on the stack */
	bool input_paused;		/* recv returned less than offered */
	bool peer_fin;
	bool in_recv;			/* inside the recv callback */
	bool close_pending;		/* on the core's close list */
	struct resp_conn *close_next;
	bool special;			/* on the special list (replica, WAIT) */
	bool repl_bufs;			/* replica: TCP buffers grown */
	struct resp_conn *spec_next;
};

struct resp_core {
	struct resp_conn *head;
	struct resp_conn *closing;	/* FINs deferred out of recv */
	struct resp_conn *special;	/* replicas and blocked clients */
	size_t nconns;
	struct dp_resp_params params;
	bool stopping;
};

static inline struct resp_core *
resp_core(struct dp_core *core)
{
	return core->app;
}

static uint64_t
conn_out_limit(struct dp_core *core)
{
	long long lim = st_cfg.client_output_buffer_limit_normal;

	return lim > 0 ? (uint64_t)lim : resp_core(core)->params.output_limit;
}

static void
conn_unlink(struct dp_core *core, struct resp_conn *rc)
{
	struct resp_core *rs = resp_core(core);

	if (rc->prev)
		rc->prev->next = rc->next;
	else if (rs->head == rc)
		rs->head = rc->next;
	if (rc->next)
		rc->next->prev = rc->prev;
	rc->prev = rc->next = NULL;
	rs->nconns--;
	st_client_unregister(rc->c);
}

static void
conn_free(struct dp_core *core, struct resp_conn *rc)
{
	struct resp_core *rs = resp_core(core);

	if (rc->special && rs) {
		for (struct resp_conn **pp = &rs->special; *pp;
		     pp = &(*pp)->spec_next) {
			if (*pp == rc) {
				*pp = rc->spec_next;
				break;
			}
		}
	}
	ctl_wait_abort(rc->c);
	st_client_free(rc->c);
	free(rc);
}

/* A replica connection or a blocked WAIT: polled every iteration. */
static void
conn_mark_special(struct dp_core *core, struct resp_conn *rc)
{
	struct resp_core *rs = resp_core(core);

	if (rc->special)
		return;
	if (!(rc->c->flags & ST_CLIENT_BLOCKED) && ctl_replica_of(rc->c) == NULL)
		return;
	rc->special = true;
	rc->spec_next = rs->special;
	rs->special = rc;
}

/* Hand c->out from out_off to TCP.  True when all of it was accepted
 * (c->out is then empty). */
static bool
conn_flush(struct dp_core *core, struct resp_conn *rc)
{
	struct st_buf *out = &rc->c->out;

	while (rc->out_off < out->len && rc->tc) {
		size_t n;

		DP_CYC_RUN(&core->cyc, DP_CYC_TCP_SEND,
			   n = dp_tcp_send(core, rc->tc, out->p + rc->out_off,
					   out->len - rc->out_off));

		if (n == 0)
			break;
		rc->out_off += n;
		core->stats.resp_copied_bytes += n;
	}
	if (rc->out_off < out->len)
		return false;
	st_buf_reset(out);
	rc->out_off = 0;
	st_buf_shrink(out);
	return true;
}

/* DRAINING and nothing left to send: FIN.  Inside recv the bytes being
 * offered still count as unread for TCP (dp_tcp_close would reset), so
 * the FIN is deferred to dp_resp_server_flush, later in the iteration. */
static void
conn_finish(struct dp_core *core, struct resp_conn *rc)
{
	struct resp_core *rs = resp_core(core);

	if (rc->state != RC_DRAINING || rc->tc == NULL)
		return;
	if (!conn_flush(core, rc))
		return;
	if (rc->in_recv) {
		if (!rc->close_pending) {
			rc->close_pending = true;
			rc->close_next = rs->closing;
			rs->closing = rc;
		}
		return;
	}
	rc->state = RC_FIN_SENT;
	dp_tcp_close(core, rc->tc);
}

static void
conn_drain(struct dp_core *core, struct resp_conn *rc)
{
	if (rc->state != RC_OPEN)
		return;
	rc->state = RC_DRAINING;
	rc->c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
	if (rc->input_paused && rc->tc) {
		/* let TCP hand us (and we discard) the queued input, or
		 * dp_tcp_close would see unread data and reset */
		rc->input_paused = false;
		dp_tcp_recv_resume(core, rc->tc);
	}
	conn_finish(core, rc);
}

/* The client's reply buffer went over its limit: RST (as Redis closes such
 * a client at once). */
static void
conn_abort(struct dp_core *core, struct resp_conn *rc)
{
	struct dp_tcp_conn *tc = rc->tc;

	rc->state = RC_FIN_SENT;
	rc->c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
	if (tc)
		dp_tcp_abort(core, tc);
}

/* st_client_process with c->out (empty) lent the free tail of the TCP
 * send queue: what the store writes there is queued without a copy; what
 * outgrew it is left in c->out for conn_flush.  Returns the commands run. */
static int
conn_process_in_place(struct dp_core *core, struct resp_conn *rc)
{
	struct st_client *c = rc->c;
	struct st_buf save;
	uint8_t *mem = NULL;
	size_t room = 0, n;
	int cmds;

	if (rc->tc != NULL && c->out.len == 0 && !c->out.ext)
		DP_CYC_RUN(&core->cyc, DP_CYC_TCP_SEND,
			   room = dp_tcp_send_reserve(core, rc->tc,
						      RESP_COMPOSE_WANT, &mem));
	if (room == 0) {
		DP_CYC_RUN(&core->cyc, DP_CYC_STORE, cmds = st_client_process(c));
		return cmds;
	}
	st_buf_borrow(&c->out, mem, room, &save);
	DP_CYC_RUN(&core->cyc, DP_CYC_STORE, cmds = st_client_process(c));
	if (st_buf_unborrow(&c->out, &save, &n) && n > 0 && rc->tc != NULL) {
		/* (rc->tc cannot go inside st_client_process: closes and
		 * kills are flags acted on after it) */
		DP_CYC_RUN(&core->cyc, DP_CYC_TCP_SEND,
			   dp_tcp_send_commit(core, rc->tc, n));
		core->stats.resp_inplace_bytes += n;
	}
	return cmds;
}

/* Execute input; returns the bytes consumed (less than len only while
 * output is pending: backpressure). */
static size_t
conn_input(struct dp_core *core, struct resp_conn *rc, const uint8_t *data,
	   size_t len)
{
	struct st_client *c = rc->c;
	size_t used = 0;

	rc->input_paused = false;	/* TCP offers input only when not paused */
	if (rc->state != RC_OPEN)
		return len;		/* closing: input is discarded */
	if (!conn_flush(core, rc)) {
		rc->input_paused = true;
		return 0;
	}
	while (used < len) {
		size_t piece = len - used;
		int n;

		if (piece > rc->chunk)
			piece = rc->chunk;
		st_client_feed(c, data + used, piece);
		used += piece;
		n = conn_process_in_place(core, rc);
		if (n > 0)
			core->stats.commands += (uint64_t)n;
		if (c->out.len > conn_out_limit(core)) {
			conn_abort(core, rc);
			return len;
		}
		if (c->out.len > RESP_BIG_OUT)
			rc->chunk = RESP_CHUNK_MIN;
		else if (rc->chunk < RESP_CHUNK_MAX)
			rc->chunk *= 2;
		if ((c->flags & ST_CLIENT_CLOSE_AFTER_REPLY) ||
		    atomic_load_explicit(&c->kill, memory_order_relaxed)) {
			conn_drain(core, rc);
			return len;
		}
		if (c->repl != NULL || (c->flags & ST_CLIENT_BLOCKED))
			conn_mark_special(core, rc);
		if (!conn_flush(core, rc) || (c->flags & ST_CLIENT_BLOCKED))
			break;
	}
	rc->input_paused = used < len;
	return used;
}

/* Leave a callback: free the connection if it closed under us (unless
 * the close list still points to it: dp_resp_server_flush frees it). */
static bool
conn_leave(struct dp_core *core, struct resp_conn *rc)
{
	if (--rc->depth == 0 && rc->state == RC_GONE && !rc->close_pending) {
		conn_free(core, rc);
		return true;
	}
	return false;
}

/* ---- dp_tcp callbacks ------------------------------------------------------ */

static int
resp_accepted(struct dp_core *core, struct dp_tcp_conn *tc, void **ctx)
{
	static const char full[] = "-ERR max number of clients reached\r\n";
	struct resp_core *rs = resp_core(core);
	struct resp_conn *rc;
	uint32_t lip, rip;
	uint16_t lport, rport;

	if (rs == NULL || rs->stopping || core->worker == NULL)
		return -ECONNREFUSED;
	rc = calloc(1, sizeof(*rc));
	if (rc == NULL)
		return -ENOMEM;
	rc->c = st_client_new(core->worker);
	rc->tc = tc;
	rc->chunk = 1024;
	dp_tcp_conn_addrs(tc, &lip, &lport, &rip, &rport);
	snprintf(rc->c->addr, sizeof(rc->c->addr), "%u.%u.%u.%u:%u",
		 rip >> 24, (rip >> 16) & 255, (rip >> 8) & 255, rip & 255,
		 rport);
	snprintf(rc->c->laddr, sizeof(rc->c->laddr), "%u.%u.%u.%u:%u",
		 lip >> 24, (lip >> 16) & 255, (lip >> 8) & 255, lip & 255,
		 lport);
	rc->next = rs->head;
	if (rs->head)
		rs->head->prev = rc;
	rs->head = rc;
	rs->nconns++;
	st_client_register(rc->c);
	*ctx = rc;
	if ((long long)st_client_count() > st_cfg.maxclients) {
		/* as Redis: an error reply, then close */
		rc->depth++;
		st_buf_append(&rc->c->out, full, sizeof(full) - 1);
		conn_drain(core, rc);
		if (conn_leave(core, rc))
			*ctx = NULL;
	}
	return 0;
}

static size_t
resp_recv(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx,
	  const uint8_t *data, size_t len)
{
	struct resp_conn *rc = ctx;
	size_t used;

	if (rc == NULL)
		return len;
	rc->depth++;
	rc->in_recv = true;
	DP_CYC_RUN(&core->cyc, DP_CYC_APP,
		   used = conn_input(core, rc, data, len));
	rc->in_recv = false;
	if (conn_leave(core, rc))
		return len;
	return used;
}

static void
resp_sendable(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx)
{
	struct resp_conn *rc = ctx;

	if (rc == NULL)
		return;
	rc->depth++;
	if (rc->state == RC_DRAINING) {
		conn_finish(core, rc);
	} else if (rc->state == RC_OPEN && conn_flush(core, rc) &&
		   !(rc->c->flags & ST_CLIENT_BLOCKED)) {
		if (rc->input_paused) {
			/* re-offers the queued input: resp_recv may run now */
			rc->input_paused = false;
			dp_tcp_recv_resume(core, tc);
		}
		if (rc->state == RC_OPEN && rc->peer_fin &&
		    !rc->input_paused && rc->c->out.len == 0)
			conn_drain(core, rc);
	}
	conn_leave(core, rc);
}

static void
resp_peer_closed(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx)
{
	struct resp_conn *rc = ctx;

	if (rc == NULL)
		return;
	rc->depth++;
	rc->peer_fin = true;
	/* replies still queued or input still paused: resp_sendable closes */
	if (rc->state == RC_OPEN && !rc->input_paused && rc->c->out.len == 0)
		conn_drain(core, rc);
	conn_leave(core, rc);
}

static void
resp_closed(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx,
	    enum dp_tcp_close_reason why)
{
	struct resp_conn *rc = ctx;

	if (rc == NULL || rc->state == RC_GONE)
		return;
	conn_unlink(core, rc);
	rc->tc = NULL;
	rc->state = RC_GONE;
	if (rc->depth == 0 && !rc->close_pending)
		conn_free(core, rc);
}

static const struct dp_tcp_app_ops resp_ops = {
	.accepted = resp_accepted,
	.recv = resp_recv,
	.sendable = resp_sendable,
	.peer_closed = resp_peer_closed,
	.closed = resp_closed,
};

/* ---- per-core server ------------------------------------------------------- */

int
dp_resp_server_init(struct dp_core *core, const struct dp_resp_params *p)
{
	struct resp_core *rs = calloc(1, sizeof(*rs));
	int rc;

	if (rs == NULL)
		return -ENOMEM;
	rs->params = *p;
	core->app = rs;
	rc = dp_tcp_listen(core, p->port, &resp_ops);
	if (rc < 0) {
		core->app = NULL;
		free(rs);
	}
	return rc;
}

void
dp_resp_server_poll(struct dp_core *core)
{
	struct resp_core *rs = resp_core(core);
	long long timeout_ms = (long long)st_cfg.timeout * 1000;
	int64_t now_ms = timeout_ms ? st_mstime() : 0;
	struct resp_conn *rc, *next;

	if (rs == NULL)
		return;
	for (rc = rs->head; rc; rc = next) {
		next = rc->next;
		if (rc->state != RC_OPEN)
			continue;
		if (atomic_load_explicit(&rc->c->kill, memory_order_relaxed) ||
		    (timeout_ms && rc->c->out.len == 0 &&
		     !(rc->c->flags & ST_CLIENT_MULTI) &&
		     now_ms - rc->c->last_ms > timeout_ms)) {
			rc->depth++;
			conn_drain(core, rc);
			/* conn_leave may free rc; next was taken before */
			conn_leave(core, rc);
		}
	}
}

void
dp_resp_server_stop(struct dp_core *core)
{
	struct resp_core *rs = resp_core(core);
	struct resp_conn *rc, *next;

	if (rs == NULL)
		return;
	rs->stopping = true;
	for (rc = rs->head; rc; rc = next) {
		next = rc->next;
		rc->depth++;
		conn_drain(core, rc);
		conn_leave(core, rc);
	}
}

struct pump_ctx {
	struct dp_core *core;
	struct dp_tcp_conn *tc;
};

static size_t
pump_send(void *ctx, const void *p, size_t n)
{
	struct pump_ctx *x = ctx;

	return dp_tcp_send(x->core, x->tc, p, n);
}

/* WAIT answered: run the input queued behind it, then take input again. */
static void
conn_resume(struct dp_core *core, struct resp_conn *rc)
{
	struct st_client *c = rc->c;
	int n = st_client_process(c);

	if (n > 0)
		core->stats.commands += (uint64_t)n;
	if (c->out.len > conn_out_limit(core)) {
		conn_abort(core, rc);
		return;
	}
	if ((c->flags & ST_CLIENT_CLOSE_AFTER_REPLY) ||
	    atomic_load_explicit(&c->kill, memory_order_relaxed)) {
		conn_drain(core, rc);
		return;
	}
	if (!conn_flush(core, rc) || (c->flags & ST_CLIENT_BLOCKED))
		return;
	if (rc->input_paused && rc->tc) {
		rc->input_paused = false;
		dp_tcp_recv_resume(core, rc->tc);
	} else if (rc->peer_fin && rc->state == RC_OPEN) {
		conn_drain(core, rc);
	}
}

/* One special connection's turn (see conn_mark_special). */
static void
conn_special(struct dp_core *core, struct resp_conn *rc)
{
	struct st_client *c = rc->c;
	struct ctl_replica *r;

	if (c->flags & ST_CLIENT_BLOCKED) {
		if (ctl_wait_poll(c))
			conn_resume(core, rc);
		return;
	}
	r = ctl_replica_of(c);
	if (r != NULL && rc->tc && !rc->repl_bufs) {
		/* a replica far away needs a window of the link's
		 * bandwidth-delay product (repl-tcp-buffer); here, outside
		 * the recv callback, the rings may move */
		uint32_t b = (uint32_t)CTL_CFG(repl_tcp_buffer);

		if (dp_tcp_set_buffers(core, rc->tc, b, b) == 0)
			rc->repl_bufs = true;
	}
	if (r != NULL && rc->tc && rc->out_off == 0 && c->out.len == 0) {
		struct pump_ctx x = { core, rc->tc };

		long n = ctl_replica_pump(r, pump_send, &x, RESP_PUMP_MAX);

		/* repl-timeout without an ACK: the peer is unreachable, a
		 * graceful close would keep the replica registered until TCP
		 * gives up; Redis frees a timed-out replica at once */
		if (n == -ETIMEDOUT)
			conn_abort(core, rc);
		else if (n < 0)
			conn_drain(core, rc);	/* it may resync */
	}
}

void
dp_resp_server_flush(struct dp_core *core)
{
	struct resp_core *rs = resp_core(core);
	struct resp_conn *rc, **pp;

	if (rs == NULL)
		return;
	pp = &rs->special;
	while ((rc = *pp) != NULL) {
		if (rc->state != RC_OPEN ||
		    (!(rc->c->flags & ST_CLIENT_BLOCKED) &&
		     ctl_replica_of(rc->c) == NULL)) {
			*pp = rc->spec_next;
			rc->special = false;
			continue;
		}
		rc->depth++;
		conn_special(core, rc);
		if (conn_leave(core, rc))
			continue;	/* freed: conn_free unlinked it */
		pp = &rc->spec_next;
	}
	while ((rc = rs->closing) != NULL) {
		rs->closing = rc->close_next;
		rc->close_pending = false;
		if (rc->state == RC_GONE) {
			if (rc->depth == 0)
				conn_free(core, rc);
			continue;
		}
		rc->depth++;
		conn_finish(core, rc);
		conn_leave(core, rc);
	}
}

size_t
dp_resp_server_conns(struct dp_core *core)
{
	struct resp_core *rs = resp_core(core);

	return rs ? rs->nconns : 0;
}

void
dp_resp_server_fini(struct dp_core *core)
{
	struct resp_core *rs = resp_core(core);

	if (rs == NULL)
		return;
	dp_resp_server_flush(core);
	/* normally empty: dp_tcp_stack_fini closed every connection */
	while (rs->head) {
		struct resp_conn *rc = rs->head;

		conn_unlink(core, rc);
		conn_free(core, rc);
	}
	core->app = NULL;
	free(rs);
}
