/*
 * conn.c -- one benchmark connection's state machine (see conn.h).
 *
 * Call chains:
 *   open:  fb_core_step -> fb_conn_open -> dp_tcp_connect
 *          ... conn_connected -> (AUTH) | OPEN
 *   in:    dp_tcp_input -> conn_recv -> fb_reply_parse ->
 *          conn_reply_handlers[state] -> fb_workload_verify -> st_hdr_record
 *          -> fb_conn_pump
 *   out:   fb_conn_pump -> fb_core_take -> fb_workload_compose ->
 *          conn_flush -> dp_tcp_send;  conn_sendable -> conn_flush
 *   end:   conn_peer_closed -> dp_tcp_close;  conn_closed -> CLOSED
 */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_core.h"

/* Composed but unsent bytes above which a connection stops composing. */
#define FB_OUT_MAX (256u * 1024)
/* A partial reply larger than this is a protocol error. */
#define FB_IN_MAX ((size_t)FB_REPLY_MAX_BULK + 4096)

const char *const fb_conn_state_names[FB_CONN__COUNT] = {
	[FB_CONN_IDLE] = "IDLE",
	[FB_CONN_CONNECTING] = "CONNECTING",
	[FB_CONN_AUTH] = "AUTH",
	[FB_CONN_OPEN] = "OPEN",
	[FB_CONN_CLOSING] = "CLOSING",
	[FB_CONN_CLOSED] = "CLOSED",
};

static bool
is_pending(enum fb_conn_state s)
{
	return s == FB_CONN_IDLE || s == FB_CONN_CONNECTING ||
	       s == FB_CONN_AUTH;
}

static bool
is_live(enum fb_conn_state s)
{
	return s == FB_CONN_CONNECTING || s == FB_CONN_AUTH ||
	       s == FB_CONN_OPEN || s == FB_CONN_CLOSING;
}

/* Every transition goes through here: it keeps the core's counts. */
static void
conn_set_state(struct fb_conn *c, enum fb_conn_state to)
{
	struct fb_core *fc = c->core;
	enum fb_conn_state from = c->state;

	if (from == to)
		return;
	fc->npending += (int)is_pending(to) - (int)is_pending(from);
	fc->nopen += (int)(to == FB_CONN_OPEN) - (int)(from == FB_CONN_OPEN);
	fc->nlive += (int)is_live(to) - (int)is_live(from);
	c->state = to;
}

int
fb_conn_init(struct fb_conn *c, struct fb_core *fc, uint32_t gidx,
	     uint32_t depth)
{
	uint32_t n = 1;

	memset(c, 0, sizeof(*c));
	while (n < depth)
		n <<= 1;
	c->ring = calloc(n, sizeof(*c->ring));
	if (c->ring == NULL)
		return -ENOMEM;
	c->ring_mask = n - 1;
	c->core = fc;
	c->gidx = gidx;
	c->state = FB_CONN_IDLE;
	fc->npending++;
	return 0;
}

void
fb_conn_fini(struct fb_conn *c)
{
	free(c->ring);
	c->ring = NULL;
	fb_buf_free(&c->out);
	fb_buf_free(&c->in);
}

static struct fb_req *
conn_push(struct fb_conn *c)
{
	struct fb_req *r = &c->ring[c->tail & c->ring_mask];

	c->tail++;
	c->core->inflight++;
	return r;
}

static struct fb_req *
conn_pop(struct fb_conn *c)
{
	struct fb_req *r;

	if (c->head == c->tail)
		return NULL;
	r = &c->ring[c->head & c->ring_mask];
	c->head++;
	c->core->inflight--;
	return r;
}

/* Hand what is composed to TCP; the rest waits for conn_sendable. */
static void
conn_flush(struct fb_conn *c)
{
	while (c->tcp && c->out.off < c->out.len) {
		size_t n = dp_tcp_send(c->core->dp, c->tcp, c->out.p + c->out.off,
				       c->out.len - c->out.off);

		if (n == 0)
			break;
		c->out.off += n;
	}
	if (c->out.off == c->out.len)
		c->out.off = c->out.len = 0;
	else if (c->out.off > c->out.cap / 2)
		fb_buf_compact(&c->out);
}

/* The stream cannot be trusted any more: count it, reset the connection
 * (what else is in flight counts as lost in conn_closed). */
static void
conn_protocol_error(struct fb_conn *c)
{
	struct fb_stats *s = fb_core_stats(c->core);

	if (conn_pop(c))
		fb_bump(&s->replies, 1);
	fb_stats_error(s, FB_ERR_PROTOCOL, NULL, 0);
	if (c->tcp)
		dp_tcp_abort(c->core->dp, c->tcp);
}

/* ---- reply handlers, one per state ---- */

static void
reply_unexpected(struct fb_conn *c, const struct fb_reply *r, uint64_t now)
{
	conn_protocol_error(c);
}

static void
reply_auth(struct fb_conn *c, const struct fb_reply *r, uint64_t now)
{
	struct fb_core *fc = c->core;
	struct fb_req *req = conn_pop(c);
	enum fb_err e;

	if (req == NULL) {
		conn_protocol_error(c);
		return;
	}
	e = fb_workload_verify(&fc->run->wl, req, r);
	if (e != FB_ERR_NONE) {
		fb_stats_error(fb_core_stats(fc), FB_ERR_AUTH,
			       r->type == FB_REPLY_ERROR ? r->str : NULL,
			       r->len);
		fb_conn_close(c);
		return;
	}
	conn_set_state(c, FB_CONN_OPEN);
}

static void
reply_request(struct fb_conn *c, const struct fb_reply *r, uint64_t now)
{
	struct fb_core *fc = c->core;
	struct fb_req *req = conn_pop(c);
	struct fb_stats *s = fb_core_stats(fc);
	enum fb_err e;

	if (req == NULL) {
		conn_protocol_error(c);	/* a reply nobody asked for */
		return;
	}
	fb_bump(&s->replies, 1);
	fc->last_reply_tsc = now;
	__atomic_store_n(&s->last_tsc, now, __ATOMIC_RELAXED);
	e = fb_workload_verify(&fc->run->wl, req, r);
	if (e != FB_ERR_NONE) {
		fb_stats_error(s, e, r->type == FB_REPLY_ERROR ? r->str : NULL,
			       r->len);
		return;
	}
	if (req->t0 < fc->warm_end_tsc) {
		fb_bump(&s->warmup_ok, 1);
		return;
	}
	fb_bump(&s->ok, 1);
	st_hdr_record(&s->hdr, now > req->t0 ?
		      (uint64_t)((double)(now - req->t0) *
				 fc->run->ns_per_tsc) : 0);
}

static void (*const conn_reply_handlers[FB_CONN__COUNT])(
	struct fb_conn *, const struct fb_reply *, uint64_t) = {
	[FB_CONN_IDLE] = reply_unexpected,
	[FB_CONN_CONNECTING] = reply_unexpected,
	[FB_CONN_AUTH] = reply_auth,
	[FB_CONN_OPEN] = reply_request,
	[FB_CONN_CLOSING] = reply_request,
	[FB_CONN_CLOSED] = reply_unexpected,
};

/* ---- TCP callbacks ---- */

static void
conn_connected(struct dp_core *dp, struct dp_tcp_conn *t, void *ctx)
{
	struct fb_conn *c = ctx;
	struct fb_core *fc = c->core;

	if (c->state != FB_CONN_CONNECTING)
		return;
	if (fc->run->wl.password) {
		if (fb_workload_compose_auth(&fc->run->wl, &c->out,
					     conn_push(c)) < 0) {
			conn_protocol_error(c);
			return;
		}
		conn_set_state(c, FB_CONN_AUTH);
		conn_flush(c);
		return;
	}
	conn_set_state(c, FB_CONN_OPEN);
	fb_conn_pump(c, rte_rdtsc());
}

static size_t
conn_recv(struct dp_core *dp, struct dp_tcp_conn *t, void *ctx,
	  const uint8_t *data, size_t len)
{
	struct fb_conn *c = ctx;
	uint64_t now = rte_rdtsc();
	bool buffered = c->in.len > c->in.off;
	const char *buf = (const char *)data;
	size_t blen = len, pos = 0;

	if (buffered) {
		if (c->in.len - c->in.off + len > FB_IN_MAX ||
		    fb_buf_append(&c->in, data, len) < 0) {
			conn_protocol_error(c);
			return len;
		}
		buf = c->in.p + c->in.off;
		blen = c->in.len - c->in.off;
	}
	while (pos < blen && c->tcp) {
		struct fb_reply r;
		size_t used;
		enum fb_reply_status st;

		st = fb_reply_parse(buf + pos, blen - pos, &r, &used);
		if (st == FB_REPLY_EUNFIN)
			break;
		if (st == FB_REPLY_EPROTO) {
			conn_protocol_error(c);
			return len;
		}
		pos += used;
		conn_reply_handlers[c->state](c, &r, now);
	}
	if (c->tcp == NULL)
		return len;
	if (buffered) {
		c->in.off += pos;
		fb_buf_compact(&c->in);
	} else if (pos < blen && fb_buf_append(&c->in, buf + pos,
					       blen - pos) < 0) {
		conn_protocol_error(c);
		return len;
	}
	fb_conn_pump(c, now);
	return len;
}

static void
conn_sendable(struct dp_core *dp, struct dp_tcp_conn *t, void *ctx)
{
	struct fb_conn *c = ctx;

	conn_flush(c);
	fb_conn_pump(c, rte_rdtsc());
}

static void
conn_peer_closed(struct dp_core *dp, struct dp_tcp_conn *t, void *ctx)
{
	struct fb_conn *c = ctx;

	/* no more replies will come: close our side too; what is in
	 * flight is counted as lost when the connection ends */
	if (c->state != FB_CONN_CLOSED && c->state != FB_CONN_CLOSING) {
		dp_tcp_close(dp, t);
		conn_set_state(c, FB_CONN_CLOSING);
	}
}

static void
conn_closed(struct dp_core *dp, struct dp_tcp_conn *t, void *ctx,
	    enum dp_tcp_close_reason why)
{
	struct fb_conn *c = ctx;
	struct fb_stats *s = fb_core_stats(c->core);
	uint32_t lost = fb_conn_inflight(c);

	c->tcp = NULL;
	switch (c->state) {
	case FB_CONN_CONNECTING:
		fb_stats_error(s, FB_ERR_CONNECT, NULL, 0);
		break;
	case FB_CONN_AUTH:
		fb_stats_error(s, FB_ERR_AUTH, NULL, 0);
		break;
	case FB_CONN_OPEN:
	case FB_CONN_CLOSING:
		if (lost)
			fb_bump(&s->errors[c->timed_out ? FB_ERR_TIMEOUT :
					   FB_ERR_LOST], lost);
		break;
	case FB_CONN_IDLE:
	case FB_CONN_CLOSED:
	case FB_CONN__COUNT:
		break;
	}
	while (conn_pop(c))
		;
	c->out.off = c->out.len = 0;
	c->in.off = c->in.len = 0;
	conn_set_state(c, FB_CONN_CLOSED);
}

static const struct dp_tcp_app_ops conn_ops = {
	.connected = conn_connected,
	.recv = conn_recv,
	.sendable = conn_sendable,
	.peer_closed = conn_peer_closed,
	.closed = conn_closed,
};

/* ---- the core's side ---- */

int
fb_conn_open(struct fb_conn *c)
{
	struct fb_core *fc = c->core;
	const struct fb_options *o = &fc->run->opt;

	if (c->state != FB_CONN_IDLE)
		return -EALREADY;
	c->tcp = dp_tcp_connect(fc->dp, o->host, o->port, &conn_ops, c);
	if (c->tcp == NULL) {
		int rc = -errno;

		fb_stats_error(fb_core_stats(fc), FB_ERR_CONNECT, NULL, 0);
		conn_set_state(c, FB_CONN_CLOSED);
		return rc ? rc : -EIO;
	}
	conn_set_state(c, FB_CONN_CONNECTING);
	return 0;
}

void
fb_conn_pump(struct fb_conn *c, uint64_t now)
{
	struct fb_core *fc = c->core;
	const struct fb_run *run = fc->run;
	uint32_t depth = run->opt.pipeline;
	uint64_t t0, pk;

	if (c->state != FB_CONN_OPEN || fc->state != FB_CORE_RUNNING)
		return;
	/* closed loop: a batch of -P, the next when all of it is answered
	 * (redis-benchmark's pipelining) */
	if (run->opt.rate == 0 && fb_conn_inflight(c) > 0)
		return;
	while (fb_conn_inflight(c) < depth &&
	       c->out.len - c->out.off < FB_OUT_MAX &&
	       fb_core_take(fc, c, now, &t0, &pk)) {
		struct fb_stats *s = fb_core_stats(fc);
		struct fb_req *req = &c->ring[c->tail & c->ring_mask];

		if (fb_workload_compose(&run->wl, fc->phase, pk, &fc->rng,
					&c->out, req) < 0) {
			conn_protocol_error(c);
			return;
		}
		req->t0 = t0;
		conn_push(c);
		fb_bump(&s->sent, 1);
		if (s->first_tsc == 0)
			__atomic_store_n(&s->first_tsc, t0, __ATOMIC_RELAXED);
	}
	conn_flush(c);
}

void
fb_conn_close(struct fb_conn *c)
{
	switch (c->state) {
	case FB_CONN_CONNECTING:
		dp_tcp_abort(c->core->dp, c->tcp);	/* closed() follows */
		break;
	case FB_CONN_AUTH:
	case FB_CONN_OPEN:
		dp_tcp_close(c->core->dp, c->tcp);
		conn_set_state(c, FB_CONN_CLOSING);
		break;
	case FB_CONN_IDLE:
		conn_set_state(c, FB_CONN_CLOSED);
		break;
	case FB_CONN_CLOSING:
	case FB_CONN_CLOSED:
	case FB_CONN__COUNT:
		break;
	}
}

void
fb_conn_abort_timeout(struct fb_conn *c)
{
	if (c->tcp == NULL)
		return;
	c->timed_out = true;
	dp_tcp_abort(c->core->dp, c->tcp);
}
