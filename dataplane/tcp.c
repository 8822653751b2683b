/*
 * tcp.c -- the TCP layer's connection table and application API.
 *
 * Call chains:
 *   app -> dp_tcp_listen | dp_tcp_connect | dp_tcp_send | dp_tcp_close |
 *          dp_tcp_abort | dp_tcp_recv_resume -> (marks the tcb pending)
 *   dp_loop -> dp_tcp_flush -> dp_tcp_output (tcp_out.c) -> dp_ipv4_output
 *   tcp_in.c / tcp_timer.c -> dp_tcp_conn_new / dp_tcp_conn_destroy /
 *          dp_tcp_deliver -> app->recv / app->closed
 *
 * Connections are hashed by 4-tuple (chained buckets sized from max_conns).
 * A connection that ends while the stack is inside one of its entry points
 * (input, timers, flush) is unhashed at once but freed when the outermost
 * entry point returns, so no caller ever touches freed memory; the app's
 * closed callback runs exactly once.
 *
 * ISN (RFC 6528): ISN = M + F(4-tuple, secret), M a 4 us clock read from
 * core->now_us, F SipHash-2-4 keyed by a per-process secret drawn once from
 * getrandom() (immutable afterwards; shared by the cores so a flow handed
 * to another core, or a SYN cookie, validates anywhere).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dp_core.h"
#include "dp_handover.h"
#include "dp_port.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

const char *const dp_tcp_state_names[TCP_STATE__COUNT] = {
	[TCP_CLOSED] = "CLOSED",
	[TCP_LISTEN] = "LISTEN",
	[TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECEIVED] = "SYN-RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT_1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT_2] = "FIN-WAIT-2",
	[TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_CLOSING] = "CLOSING",
	[TCP_LAST_ACK] = "LAST-ACK",
	[TCP_TIME_WAIT] = "TIME-WAIT",
};

/* ---- keyed hash (SipHash-2-4) over the process secret ---- */

static uint64_t tcp_secret[2];
static pthread_once_t tcp_secret_once = PTHREAD_ONCE_INIT;

static void
tcp_secret_init(void)
{
	uint64_t k[2] = {0, 0};

	if (getrandom(k, sizeof(k), 0) != sizeof(k)) {
		/* no entropy source: fall back to addresses and time */
		k[0] = (uint64_t)(uintptr_t)&k ^ 0x736f6d6570736575ULL;
		k[1] = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
	}
	tcp_secret[0] = k[0];
	tcp_secret[1] = k[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND							\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0;			\
		v0 = ROTL(v0, 32);					\
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2;			\
		v2 = ROTL(v2, 32);					\
	} while (0)

uint64_t
dp_tcp_keyed_hash(const void *data, size_t len, uint64_t tweak)
{
	const uint8_t *p = data;
	uint64_t k0, k1, v0, v1, v2, v3, b, m;
	size_t i, left;

	pthread_once(&tcp_secret_once, tcp_secret_init);
	k0 = tcp_secret[0] ^ tweak;
	k1 = tcp_secret[1];
	v0 = 0x736f6d6570736575ULL ^ k0;
	v1 = 0x646f72616e646f6dULL ^ k1;
	v2 = 0x6c7967656e657261ULL ^ k0;
	v3 = 0x7465646279746573ULL ^ k1;
	b = (uint64_t)len << 56;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	left = len - i;
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct tcp_tuple {
	uint32_t lip, rip;
	uint16_t lport, rport;
};

uint32_t
dp_tcp_isn(struct dp_core *core, uint32_t lip, uint16_t lport, uint32_t rip,
	   uint16_t rport)
{
	struct tcp_tuple t = { lip, rip, lport, rport };

	return (uint32_t)(core->now_us / 4) +
	       (uint32_t)dp_tcp_keyed_hash(&t, sizeof(t), 1);
}

uint32_t
dp_tcp_ts_offset(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	struct tcp_tuple t = { lip, rip, lport, rport };

	return (uint32_t)dp_tcp_keyed_hash(&t, sizeof(t), 2);
}

uint32_t
dp_tcp_ts_now(struct dp_core *core, uint32_t ts_offset)
{
	return (uint32_t)(core->now_us / 1000) + ts_offset;
}

/* ---- configuration and stack lifetime ---- */

void
dp_tcp_config_defaults(struct dp_tcp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rcv_buf = 65536;
	cfg->snd_buf = 131072;
	cfg->mss = 1460;
	cfg->wscale = 7;
	cfg->syn_backlog = 128;
	cfg->max_conns = 16384;
	cfg->rto_min_us = 200000;
	cfg->rto_max_us = 60000000;
	cfg->rto_initial_us = 1000000;
	cfg->delack_us = 40000;
	cfg->time_wait_us = 2000000;
	cfg->keepalive_idle_us = 300000000;
	cfg->keepalive_intvl_us = 75000000;
	cfg->keepalive_probes = 9;
	cfg->max_retries = 15;
	cfg->cc = DP_TCP_CC_CUBIC;
	cfg->tlp = 1;
	cfg->hystart = 1;
}

int
dp_tcp_stack_init(struct dp_core *core, const struct dp_tcp_config *cfg)
{
	struct dp_tcp_stack *st;
	uint32_t n = 64;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	if (cfg != NULL)
		st->cfg = *cfg;
	else
		dp_tcp_config_defaults(&st->cfg);
	if (st->cfg.wscale > TCP_MAX_WSCALE)
		st->cfg.wscale = TCP_MAX_WSCALE;
	if (st->cfg.mss < 64)
		st->cfg.mss = 64;
	if (st->cfg.rcv_buf < 1024)
		st->cfg.rcv_buf = 1024;
	if (st->cfg.snd_buf < 1024)
		st->cfg.snd_buf = 1024;
	if (st->cfg.max_conns == 0)
		st->cfg.max_conns = 1;
	if (st->cfg.rto_min_us == 0)
		st->cfg.rto_min_us = 1000;
	if (st->cfg.rto_max_us < st->cfg.rto_min_us)
		st->cfg.rto_max_us = st->cfg.rto_min_us;
	if (st->cfg.rto_initial_us == 0)
		st->cfg.rto_initial_us = st->cfg.rto_min_us;
	if (dp_tcp_trace_parse(getenv("FERRY_TCP_TRACE"),
			       &st->trace_min_buf) < 0)
		fprintf(stderr, "ferryd: FERRY_TCP_TRACE='%s' is not a byte "
			"count (1..4294967295): no trace\n",
			getenv("FERRY_TCP_TRACE"));
	while (n < st->cfg.max_conns * 2 && n < (1u << 24))
		n <<= 1;
	st->buckets = calloc(n, sizeof(*st->buckets));
	if (st->buckets == NULL) {
		free(st);
		return -ENOMEM;
	}
	st->nbuckets = n;
	st->wheel_tick = core->now_us / TCP_WHEEL_TICK_US;
	st->next_eport = 32768;
	/* zero copy needs ports that send chained mbufs: every one of them
	 * (a connection's frames may leave by any) */
	bool zc = core->nports > 0;

	for (unsigned i = 0; i < core->nports; i++)
		if (!(core->ports[i]->offloads & DP_OFF_MULTI_SEGS))
			zc = false;
	if (zc)
		st->zc_pool = dp_tcp_sq_pool(core->id);
	st->zc_min = TCP_ZC_MIN_DEFAULT;
	core->tcp = st;
	return 0;
}

static void tcp_reap(struct dp_core *core);

void
dp_tcp_stack_fini(struct dp_core *core)
{
	struct dp_tcp_stack *st = core->tcp;

	if (st == NULL)
		return;
	st->depth++;
	for (struct dp_tcp_conn *c = st->all; c != NULL; c = c->next) {
		if (c->flags & TF_DEAD)
			continue;
		if (c->state != TCP_TIME_WAIT && c->state != TCP_SYN_SENT)
			dp_tcp_send_rst_conn(core, c);
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_ABORTED);
	}
	st->depth--;
	tcp_reap(core);
	free(st->buckets);
	free(st);
	core->tcp = NULL;
}

/* ---- connection table ---- */

uint32_t
dp_tcp_hash(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint64_t h = ((uint64_t)rip << 32 | lip) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)rport << 16 | lport) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ (h >> 32));
}

struct dp_tcp_conn *
dp_tcp_lookup(struct dp_core *core, uint32_t lip, uint16_t lport,
	      uint32_t rip, uint16_t rport)
{
	struct dp_tcp_stack *st = core->tcp;
	uint32_t h = dp_tcp_hash(lip, lport, rip, rport);

	for (struct dp_tcp_conn *c = st->buckets[h & (st->nbuckets - 1)];
	     c != NULL; c = c->hnext)
		if (c->hash == h && c->lport == lport && c->rport == rport &&
		    c->lip == lip && c->rip == rip)
			return c;
	return NULL;
}

struct dp_tcp_listener *
dp_tcp_listener_find(struct dp_core *core, uint16_t port)
{
	struct dp_tcp_stack *st = core->tcp;

	for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
		if (st->listeners[i].used && st->listeners[i].port == port)
			return &st->listeners[i];
	return NULL;
}

static void
tcp_unhash(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;
	struct dp_tcp_conn **pp = &st->buckets[c->hash & (st->nbuckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			return;
		}
}

static void
tcp_tw_unlink(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;

	if (c->twprev)
		c->twprev->twnext = c->twnext;
	else if (st->tw_head == c)
		st->tw_head = c->twnext;
	if (c->twnext)
		c->twnext->twprev = c->twprev;
	else if (st->tw_tail == c)
		st->tw_tail = c->twprev;
	c->twprev = c->twnext = NULL;
}

void
dp_tcp_set_state(struct dp_core *core, struct dp_tcp_conn *c,
		 enum dp_tcp_state s)
{
	if (c->state == s)
		return;
	if (c->state == TCP_SYN_RECEIVED && c->listener != NULL) {
		if (c->listener->syn_rcvd > 0)
			c->listener->syn_rcvd--;
		c->listener = NULL;
	}
	if (c->state == TCP_TIME_WAIT)
		tcp_tw_unlink(core, c);
	else if (s == TCP_TIME_WAIT || s == TCP_CLOSED) {
		if (core->stats.tcp_active_conns > 0)
			core->stats.tcp_active_conns--;
	}
	c->state = s;
}

/*
 * The range limits of c's out-of-order list and SACK scoreboard follow its
 * buffers (dp_tcp_ranges_limit): a window of thousands of segments can
 * have thousands of holes after a tail-drop burst, and a range that is
 * not recorded is resent (receiver) or resent needlessly (sender).  The
 * arrays grow only when the inline ones fill, so an ordinary connection
 * allocates nothing; the limits never shrink.
 */
static void
tcp_ranges_size(struct dp_tcp_conn *c)
{
	uint32_t r = dp_tcp_ranges_limit(c->rbuf_size);
	uint32_t s = dp_tcp_ranges_limit(c->sbuf_size);

	if (r > c->ooo.max)
		dp_tcp_ranges_set_max(&c->ooo, r);
	if (s > c->sacked.max)
		dp_tcp_ranges_set_max(&c->sacked, s);
}

struct dp_tcp_conn *
dp_tcp_conn_new(struct dp_core *core, uint32_t lip, uint16_t lport,
		uint32_t rip, uint16_t rport)
{
	struct dp_tcp_stack *st = core->tcp;
	struct dp_tcp_conn *c;
	uint32_t b;

	if (st->nconns >= st->cfg.max_conns) {
		/* recycle the oldest TIME_WAIT connection (its ISN space is
		 * protected by the ISN clock and timestamps) */
		if (st->tw_head == NULL)
			return NULL;
		dp_tcp_conn_destroy(core, st->tw_head, DP_TCP_CLOSED_NORMAL);
		if (st->nconns >= st->cfg.max_conns)
			return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->sbuf_size = st->cfg.snd_buf;
	c->rbuf_size = st->cfg.rcv_buf;
	c->rbuf = malloc(c->rbuf_size);
	if (c->rbuf == NULL) {
		free(c);
		return NULL;
	}
	tcp_ranges_size(c);
	c->lip = lip;
	c->lport = lport;
	c->rip = rip;
	c->rport = rport;
	c->hash = dp_tcp_hash(lip, lport, rip, rport);
	c->state = TCP_CLOSED;
	c->rto_us = st->cfg.rto_initial_us;
	c->peer_mss = TCP_DEFAULT_MSS;
	c->smss = TCP_DEFAULT_MSS;
	c->ts_offset = dp_tcp_ts_offset(lip, lport, rip, rport);
	c->last_rcv_us = core->now_us;
	b = c->hash & (st->nbuckets - 1);
	c->hnext = st->buckets[b];
	st->buckets[b] = c;
	c->next = st->all;
	if (st->all)
		st->all->prev = c;
	st->all = c;
	st->nconns++;
	core->stats.tcp_active_conns++;
	return c;
}

static void
tcp_pending_unlink(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;

	if (!(c->flags & TF_PENDING))
		return;
	if (c->pprev)
		c->pprev->pnext = c->pnext;
	else
		st->pending = c->pnext;
	if (c->pnext)
		c->pnext->pprev = c->pprev;
	c->pprev = c->pnext = NULL;
	c->flags &= ~TF_PENDING;
}

void
dp_tcp_conn_free(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;

	tcp_pending_unlink(core, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		st->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	dp_tcp_sq_free(c);
	free(c->rbuf);
	dp_tcp_ranges_release(&c->ooo);
	dp_tcp_ranges_release(&c->sacked);
	free(c);
}

static void
tcp_reap(struct dp_core *core)
{
	struct dp_tcp_stack *st = core->tcp;

	if (st->depth != 0)
		return;
	while (st->dead != NULL) {
		struct dp_tcp_conn *c = st->dead;

		st->dead = c->hnext;
		dp_tcp_conn_free(core, c);
	}
}

void
dp_tcp_enter(struct dp_core *core)
{
	core->tcp->depth++;
}

void
dp_tcp_leave(struct dp_core *core)
{
	core->tcp->depth--;
	tcp_reap(core);
}

void
dp_tcp_conn_destroy(struct dp_core *core, struct dp_tcp_conn *c,
		    enum dp_tcp_close_reason why)
{
	struct dp_tcp_stack *st = core->tcp;
	bool tell = (c->flags & TF_APP_KNOWS) && c->ops && c->ops->closed;

	if (c->flags & TF_DEAD)
		return;
	c->flags |= TF_DEAD;
	c->flags &= ~TF_APP_KNOWS;
	c->why = why;
	dp_tcp_set_state(core, c, TCP_CLOSED);
	c->t_rto = c->t_delack = c->t_persist = c->t_keep = c->t_tw = 0;
	c->t_tlp = 0;
	dp_tcp_wheel_unlink(core, c);
	tcp_unhash(core, c);
	st->nconns--;		/* live tcbs; the memory goes at reap */
	core->stats.tcp_conns_closed++;
	if (why == DP_TCP_CLOSED_RESET)
		core->stats.tcp_conns_reset++;
	if (tell)
		c->ops->closed(core, c, c->ctx, why);
	/* free now unless an entry point is running (it reaps on return) */
	c->hnext = st->dead;
	st->dead = c;
	tcp_reap(core);
}

void
dp_tcp_mark_pending(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;

	if (c->flags & (TF_PENDING | TF_DEAD))
		return;
	c->flags |= TF_PENDING;
	c->pprev = NULL;
	c->pnext = st->pending;
	if (st->pending)
		st->pending->pprev = c;
	st->pending = c;
}

void
dp_tcp_wheel_unlink(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;

	if (c->wheel_at == 0)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		st->wheel[c->wslot] = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	c->wprev = c->wnext = NULL;
	c->wheel_at = 0;
}

void
dp_tcp_wheel_link(struct dp_core *core, struct dp_tcp_conn *c, uint64_t at)
{
	struct dp_tcp_stack *st = core->tcp;
	uint64_t tick = at / TCP_WHEEL_TICK_US;
	uint32_t slot;

	dp_tcp_wheel_unlink(core, c);
	if (tick < st->wheel_tick)
		tick = st->wheel_tick;	/* due: seen at the next call */
	slot = (uint32_t)(tick % TCP_WHEEL_SLOTS);
	c->wslot = slot;
	c->wheel_at = at;
	c->wprev = NULL;
	c->wnext = st->wheel[slot];
	if (c->wnext)
		c->wnext->wprev = c;
	st->wheel[slot] = c;
}

void
dp_tcp_timer_set(struct dp_core *core, struct dp_tcp_conn *c, uint64_t *t,
		 uint64_t at)
{
	if (at == 0)
		at = 1;
	*t = at;
	if (c->flags & TF_DEAD)
		return;
	if (c->wheel_at == 0 || at < c->wheel_at)
		dp_tcp_wheel_link(core, c, at);
}

void
dp_tcp_enter_time_wait(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;
	bool tell = (c->flags & TF_APP_KNOWS) && c->ops && c->ops->closed;

	dp_tcp_set_state(core, c, TCP_TIME_WAIT);
	c->t_rto = c->t_persist = c->t_keep = 0;
	dp_tcp_timer_set(core, c, &c->t_tw, core->now_us + st->cfg.time_wait_us);
	c->twprev = st->tw_tail;
	c->twnext = NULL;
	if (st->tw_tail)
		st->tw_tail->twnext = c;
	else
		st->tw_head = c;
	st->tw_tail = c;
	/* the application is done with it: the tcb lingers alone */
	c->flags &= ~TF_APP_KNOWS;
	/* buffers are not needed any more (the window size stays) */
	dp_tcp_sq_free(c);
	free(c->rbuf);
	c->rbuf = NULL;
	c->rbuf_len = 0;
	dp_tcp_ranges_release(&c->ooo);
	dp_tcp_ranges_release(&c->sacked);
	c->nrecent = 0;
	if (tell)
		c->ops->closed(core, c, c->ctx, DP_TCP_CLOSED_NORMAL);
}

uint32_t
dp_tcp_rcv_space(const struct dp_tcp_conn *c)
{
	return c->rbuf_size - c->rbuf_len;
}

/*
 * Hand in-order bytes to the application, in at most two contiguous pieces
 * (the ring wraps).  Stops when the app consumes less than offered
 * (TF_RECV_PAUSED until dp_tcp_recv_resume).  Then reports the peer's FIN
 * once every byte before it was consumed.
 */
void
dp_tcp_deliver(struct dp_core *core, struct dp_tcp_conn *c)
{
	while (c->rbuf_len > 0 && !(c->flags & (TF_RECV_PAUSED | TF_DEAD))) {
		uint32_t piece = c->rbuf_size - c->rbuf_head;
		size_t n;

		if (piece > c->rbuf_len)
			piece = c->rbuf_len;
		if (!(c->flags & TF_APP_KNOWS) || c->ops->recv == NULL) {
			n = piece;	/* nobody listens: discard */
		} else {
			c->rcv_offered = piece;
			n = c->ops->recv(core, c, c->ctx,
					 c->rbuf + c->rbuf_head, piece);
			c->rcv_offered = 0;
			if (c->flags & TF_DEAD)
				return;
		}
		if (n > piece)
			n = piece;
		c->rbuf_head = (c->rbuf_head + n) % c->rbuf_size;
		c->rbuf_len -= n;
		if (n < piece)
			c->flags |= TF_RECV_PAUSED;
	}
	if ((c->flags & TF_RCV_FIN) && c->rbuf_len == 0 &&
	    !(c->flags & (TF_PEER_CLOSED_CB | TF_DEAD))) {
		c->flags |= TF_PEER_CLOSED_CB;
		if ((c->flags & TF_APP_KNOWS) && c->ops->peer_closed)
			c->ops->peer_closed(core, c, c->ctx);
	}
}

void
dp_tcp_established(struct dp_core *core, struct dp_tcp_conn *c)
{
	/* passive: from a listener or a cookie (an active open that went
	 * through a simultaneous open is known to the app already) */
	bool passive = c->state == TCP_SYN_RECEIVED &&
		       !(c->flags & TF_APP_KNOWS);

	dp_tcp_set_state(core, c, TCP_ESTABLISHED);
	c->retries = 0;
	c->backoff = 0;
	dp_tcp_keepalive_reset(core, c);
	if (passive) {
		void *ctx = NULL;

		core->stats.tcp_conns_accepted++;
		if (c->ops->accepted && c->ops->accepted(core, c, &ctx) < 0) {
			dp_tcp_send_rst_conn(core, c);
			dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_ABORTED);
			return;
		}
		c->ctx = ctx;
		if (c->flags & TF_DEAD) {
			/* aborted from inside accepted(): the app took c,
			 * so it hears closed() as for any abort */
			if (c->ops->closed)
				c->ops->closed(core, c, ctx, c->why);
			return;
		}
		c->flags |= TF_APP_KNOWS;
	} else {
		core->stats.tcp_conns_connected++;
		if (c->ops->connected)
			c->ops->connected(core, c, c->ctx);
	}
}

/* ---- application API ---- */

int
dp_tcp_listen(struct dp_core *core, uint16_t port,
	      const struct dp_tcp_app_ops *ops)
{
	struct dp_tcp_stack *st = core->tcp;

	if (st == NULL || ops == NULL || port == 0)
		return -EINVAL;
	if (dp_tcp_listener_find(core, port) != NULL)
		return -EADDRINUSE;
	for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++) {
		if (st->listeners[i].used)
			continue;
		st->listeners[i].used = true;
		st->listeners[i].port = port;
		st->listeners[i].ops = ops;
		st->listeners[i].syn_rcvd = 0;
		return 0;
	}
	return -ENOSPC;
}

/*
 * Ephemeral port: [DP_EPHEMERAL_LO, DP_EPHEMERAL_HI) with (port -
 * DP_EPHEMERAL_LO) % ncores == core->id, i.e. dp_handover_port_owner(port)
 * is this core: a reply that arrives on another core's queue is handed
 * back here (dp_handover.c).  A TIME_WAIT tcb on the tuple is recycled.
 */
static int
tcp_pick_port(struct dp_core *core, uint32_t lip, uint32_t dst,
	      uint16_t dport, uint16_t *out)
{
	unsigned n = core->ncores ? core->ncores : 1;
	unsigned span = (DP_EPHEMERAL_HI - DP_EPHEMERAL_LO) / n;
	unsigned start = (dp_core_rand(core) % span);

	for (unsigned i = 0; i < span; i++) {
		uint16_t p = (uint16_t)(DP_EPHEMERAL_LO +
					((start + i) % span) * n +
					core->id % n);
		struct dp_tcp_conn *c = dp_tcp_lookup(core, lip, p, dst,
						      dport);

		if (dp_tcp_listener_find(core, p) != NULL)
			continue;
		if (c == NULL) {
			*out = p;
			return 0;
		}
		if (c->state == TCP_TIME_WAIT) {
			dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_NORMAL);
			*out = p;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

struct dp_tcp_conn *
dp_tcp_connect(struct dp_core *core, uint32_t dst, uint16_t port,
	       const struct dp_tcp_app_ops *ops, void *ctx)
{
	struct dp_tcp_conn *c;
	uint32_t lip;
	uint16_t lport;
	int rc;

	if (core->tcp == NULL || ops == NULL || port == 0 || dst == 0) {
		errno = EINVAL;
		return NULL;
	}
	{
		/* the source address is that of the port the route takes */
		uint32_t nh;
		int pi = dp_core_route(core, dst, &nh);

		if (pi < 0) {
			errno = EHOSTUNREACH;
			return NULL;
		}
		lip = core->ports[pi]->ip;
	}
	rc = tcp_pick_port(core, lip, dst, port, &lport);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	c = dp_tcp_conn_new(core, lip, lport, dst, port);
	if (c == NULL) {
		errno = ENOBUFS;
		return NULL;
	}
	c->ops = ops;
	c->ctx = ctx;
	c->flags |= TF_APP_KNOWS | TF_SEND_SYN;
	c->iss = dp_tcp_isn(core, lip, lport, dst, port);
	c->snd_una = c->snd_nxt = c->snd_max = c->rtx_high = c->iss;
	c->rcv_wscale = core->tcp->cfg.wscale;
	dp_tcp_set_state(core, c, TCP_SYN_SENT);
	dp_tcp_mark_pending(core, c);
	return c;
}

/* Copy a whole ring of 'size' bytes into dst, starting at its head. */
static void
ring_linearize(uint8_t *dst, const uint8_t *ring, uint32_t size,
	       uint32_t head)
{
	memcpy(dst, ring + head, size - head);
	memcpy(dst + (size - head), ring, head);
}

int
dp_tcp_trace_parse(const char *s, uint32_t *min_buf)
{
	unsigned long long v;
	char *end;

	*min_buf = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (*s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*min_buf = (uint32_t)v;
	return 0;
}

int
dp_tcp_set_buffers(struct dp_core *core, struct dp_tcp_conn *c, uint32_t rcv,
		   uint32_t snd)
{
	uint32_t nr = rcv > c->rbuf_size ? rcv : c->rbuf_size;
	uint32_t ns = snd > c->sbuf_size ? snd : c->sbuf_size;
	uint8_t *nb;

	if (c->flags & TF_DEAD)
		return -ENOTCONN;
	if (c->rcv_offered != 0)
		return -EBUSY;		/* the app is reading the ring now */
	if (nr == c->rbuf_size && ns == c->sbuf_size)
		return 0;
	if ((uint64_t)nr + ns > (uint64_t)INT32_MAX)
		return -EINVAL;
	if (nr > c->rbuf_size) {
		nb = malloc(nr);
		if (nb == NULL)
			return -ENOMEM;
		/* the ring keeps its contents at the same offsets from its
		 * head: in-order bytes and out-of-order data placed
		 * relative to rbuf_head */
		ring_linearize(nb, c->rbuf, c->rbuf_size, c->rbuf_head);
		free(c->rbuf);
		c->rbuf = nb;
		c->rbuf_head = 0;
		c->flags |= TF_ACK_NOW;	/* announce the wider window */
		c->rbuf_size = nr;
	}
	/* the send queue is a list of blocks: only its bound moves */
	c->sbuf_size = ns;
	tcp_ranges_size(c);
	dp_tcp_mark_pending(core, c);
	return 0;
}

size_t
dp_tcp_send_space(const struct dp_tcp_conn *c)
{
	if (c->flags & (TF_DEAD | TF_FIN_QUEUED))
		return 0;
	return c->sbuf_size - c->sbuf_len;
}

/* States in which the application may queue data. */
static bool
tcp_may_send(const struct dp_tcp_conn *c)
{
	if (c->flags & (TF_DEAD | TF_FIN_QUEUED))
		return false;
	switch (c->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		return true;
	default:
		return false;
	}
}

size_t
dp_tcp_send_reserve(struct dp_core *core, struct dp_tcp_conn *c, size_t want,
		    uint8_t **p)
{
	size_t n;

	(void)core;
	*p = NULL;
	if (!tcp_may_send(c)) {
		if (want > 0)
			c->flags |= TF_WANT_SENDABLE;
		return 0;
	}
	n = dp_tcp_sq_reserve(c, want, p);
	if (n < want)
		c->flags |= TF_WANT_SENDABLE;
	return n;
}

void
dp_tcp_send_commit(struct dp_core *core, struct dp_tcp_conn *c, size_t n)
{
	if (n == 0 || !tcp_may_send(c))
		return;
	dp_tcp_sq_commit(c, n);
	dp_tcp_mark_pending(core, c);
}

size_t
dp_tcp_send(struct dp_core *core, struct dp_tcp_conn *c, const void *data,
	    size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint8_t *p;
		/* first what the tail block has, then blocks sized for the
		 * rest (up to TCP_SQ_MAX_BLOCK each) */
		size_t want = done == 0 ? 1 : len - done, n;

		if (want > TCP_SQ_MAX_BLOCK)
			want = TCP_SQ_MAX_BLOCK;
		n = dp_tcp_send_reserve(core, c, want, &p);
		if (n == 0)
			break;
		if (n > len - done)
			n = len - done;
		memcpy(p, (const uint8_t *)data + done, n);
		dp_tcp_send_commit(core, c, n);
		done += n;
	}
	if (done < len)
		c->flags |= TF_WANT_SENDABLE;
	return done;
}

void
dp_tcp_recv_resume(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t old_wnd, space;

	if (c->flags & TF_DEAD)
		return;
	old_wnd = c->rcv_adv - c->rcv_nxt;
	c->flags &= ~TF_RECV_PAUSED;
	core->tcp->depth++;
	dp_tcp_deliver(core, c);
	if (!(c->flags & TF_DEAD)) {
		space = dp_tcp_rcv_space(c);
		/* window update (RFC 1122 4.2.3.3): when it grew by a
		 * segment or half the buffer */
		if (space > old_wnd &&
		    (space - old_wnd >= c->smss ||
		     space - old_wnd >= c->rbuf_size / 2 || old_wnd == 0)) {
			c->flags |= TF_ACK_NOW;
			dp_tcp_mark_pending(core, c);
		}
	}
	core->tcp->depth--;
	tcp_reap(core);
}

void
dp_tcp_close(struct dp_core *core, struct dp_tcp_conn *c)
{
	if (c->flags & (TF_DEAD | TF_FIN_QUEUED))
		return;
	if (c->rbuf_len > c->rcv_offered && c->state != TCP_SYN_SENT) {
		/* unread data (beyond what recv() is looking at now):
		 * RFC 2525 2.17, reset like Linux */
		dp_tcp_abort(core, c);
		return;
	}
	switch (c->state) {
	case TCP_SYN_SENT:
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_NORMAL);
		return;
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		c->flags |= TF_FIN_QUEUED;
		dp_tcp_set_state(core, c, TCP_FIN_WAIT_1);
		break;
	case TCP_CLOSE_WAIT:
		c->flags |= TF_FIN_QUEUED;
		dp_tcp_set_state(core, c, TCP_LAST_ACK);
		break;
	default:
		return;
	}
	c->t_keep = 0;
	dp_tcp_mark_pending(core, c);
}

void
dp_tcp_abort(struct dp_core *core, struct dp_tcp_conn *c)
{
	if (c->flags & TF_DEAD)
		return;
	if (c->state != TCP_SYN_SENT && c->state != TCP_TIME_WAIT &&
	    c->state != TCP_CLOSED)
		dp_tcp_send_rst_conn(core, c);
	dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_ABORTED);
}

void
dp_tcp_conn_addrs(const struct dp_tcp_conn *c, uint32_t *lip, uint16_t *lport,
		  uint32_t *rip, uint16_t *rport)
{
	if (lip)
		*lip = c->lip;
	if (lport)
		*lport = c->lport;
	if (rip)
		*rip = c->rip;
	if (rport)
		*rport = c->rport;
}

void
dp_tcp_flush(struct dp_core *core)
{
	struct dp_tcp_stack *st = core->tcp;
	struct dp_tcp_conn *c, *more = NULL;

	if (st == NULL)
		return;
	st->depth++;
	while ((c = st->pending) != NULL) {
		tcp_pending_unlink(core, c);
		if (c->flags & TF_DEAD)
			continue;
		dp_tcp_output(core, c);
		if ((c->flags & (TF_TX_MORE | TF_DEAD)) == TF_TX_MORE) {
			c->txnext = more;
			more = c;
		}
	}
	/* the ones that hit their burst limit go on at the next flush */
	for (c = more; c != NULL; c = more) {
		more = c->txnext;
		c->txnext = NULL;
		c->flags &= ~TF_TX_MORE;
		dp_tcp_mark_pending(core, c);
	}
	st->depth--;
	tcp_reap(core);
}
