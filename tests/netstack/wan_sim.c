/*
 * wan_sim.c -- the virtual-time WAN model (see wan_sim.h): two TCP stacks,
 * a rate-capped, delayed, lossy link between them, a bulk sender and a
 * receiver that consumes at once.
 *
 * Call chain: wan_sim_run -> per step: link_deliver -> nst_advance (both
 * sides: timers, RX -> dp_tcp_input, dp_tcp_flush, TX) -> link_take.
 *
 * Frames stay in their mbufs while on the link (a private pool sized for
 * a window of 8 MiB and more plus the ACKs); the link keeps them in a FIFO
 * in departure order, which is also arrival order (one fixed delay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_tcp.h"
#include "nstest.h"
#include "tcp_priv.h"
#include "wan_sim.h"

#define WAN_POOL_SIZE 49151
#define WAN_FIFO 65536		/* frames on one direction (power of two) */

struct wan_pkt {
	struct rte_mbuf *m;
	uint64_t depart, arrive;
};

/* One direction of the link. */
struct wan_dir {
	struct wan_pkt *q;	/* FIFO, WAN_FIFO entries */
	uint32_t head, tail;	/* tail - head = frames on the link */
	uint32_t unsent;	/* first frame not yet serialised (index) */
	uint64_t busy_until;	/* the serialiser is busy until then */
	uint64_t rng;
	uint64_t lost, qdrops;
	uint32_t max_queue;
};

/* The transfer's two ends. */
struct wan_end {
	struct dp_tcp_conn *c;
	uint64_t bytes;		/* receiver: consumed; sender: queued */
	uint32_t buf;
	bool closed, sender;
};

static struct wan_end wan_rx, wan_tx;
static uint8_t wan_zeros[65536];

static struct rte_mempool *
wan_pool(void)
{
	static struct rte_mempool *pool;

	if (pool == NULL) {
		pool = rte_pktmbuf_pool_create("wan_pool", WAN_POOL_SIZE, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       rte_socket_id());
		if (pool == NULL)
			fprintf(stderr, "wan_sim: pool: %s\n",
				rte_strerror(rte_errno));
	}
	return pool;
}

void
wan_params_defaults(struct wan_params *p)
{
	memset(p, 0, sizeof(*p));
	p->delay_us = 35000;
	p->rate_bps = 1000000000ull;
	p->queue_pkts = 20000;
	p->loss_ppm = 0;
	p->seed = 1;
	p->buf_bytes = 8u << 20;
	p->warmup_us = 3000000;
	p->measure_us = 5000000;
	p->step_us = 100;
	p->cc = -1;
	p->tlp = -1;
	p->hystart = -1;
	p->wscale = -1;
}

/* ---- the application: a bulk sender, a receiver that reads at once ---- */

static void
wan_fill(struct dp_core *core, struct wan_end *e)
{
	while (e->c != NULL) {
		size_t got = dp_tcp_send(core, e->c, wan_zeros,
					 sizeof(wan_zeros));

		e->bytes += got;
		if (got < sizeof(wan_zeros))
			break;
	}
}

static void
wan_grow(struct dp_core *core, struct wan_end *e)
{
	if (dp_tcp_set_buffers(core, e->c, e->buf, e->buf) != 0)
		fprintf(stderr, "wan_sim: cannot grow the buffers to %u\n",
			e->buf);
}

static int
wan_accepted(struct dp_core *core, struct dp_tcp_conn *c, void **ctx)
{
	wan_tx.c = c;
	*ctx = &wan_tx;
	wan_grow(core, &wan_tx);
	wan_fill(core, &wan_tx);
	return 0;
}

static void
wan_connected(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	wan_grow(core, &wan_rx);
}

static size_t
wan_recv(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	 const uint8_t *data, size_t len)
{
	struct wan_end *e = ctx;

	if (!e->sender)
		e->bytes += len;
	return len;
}

static void
wan_sendable(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	wan_fill(core, ctx);
}

static void
wan_closed(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	   enum dp_tcp_close_reason why)
{
	struct wan_end *e = ctx;

	e->closed = true;
	e->c = NULL;
}

static const struct dp_tcp_app_ops wan_ops = {
	.accepted = wan_accepted,
	.connected = wan_connected,
	.recv = wan_recv,
	.sendable = wan_sendable,
	.closed = wan_closed,
};

/* ---- the link ---- */

static uint32_t
wan_rand_ppm(struct wan_dir *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return (uint32_t)(d->rng % 1000000u);
}

/* Frames from's stack sent during the step that ended at now: loss, then
 * the bottleneck FIFO (tail drop), departure and arrival times. */
static void
link_take(struct nst *from, struct wan_dir *d, const struct wan_params *p,
	  uint64_t now, bool data_dir)
{
	struct rte_mbuf *m;

	/* frames serialised by now leave the queue */
	while (d->unsent != d->tail &&
	       d->q[d->unsent & (WAN_FIFO - 1)].depart <= now)
		d->unsent++;
	while ((m = fake_port_pop_tx(&from->fp, 0)) != NULL) {
		struct wan_pkt *k;
		uint64_t start, ser;

		if (p->loss_ppm && wan_rand_ppm(d) < p->loss_ppm) {
			d->lost++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (d->tail - d->unsent >= p->queue_pkts ||
		    d->tail - d->head >= WAN_FIFO) {
			d->qdrops++;
			rte_pktmbuf_free(m);
			continue;
		}
		start = d->busy_until > now ? d->busy_until : now;
		ser = (uint64_t)m->pkt_len * 8 * 1000000000ull / p->rate_bps;
		/* ns -> the FIFO keeps ns; times compare in ns below */
		k = &d->q[d->tail & (WAN_FIFO - 1)];
		k->m = m;
		k->depart = start + ser;
		k->arrive = k->depart + p->delay_us * 1000;
		d->busy_until = k->depart;
		d->tail++;
		if (d->tail - d->unsent > d->max_queue)
			d->max_queue = d->tail - d->unsent;
	}
	(void)data_dir;
}

/* Frames whose arrival time came go to to's RX ring. */
static void
link_deliver(struct nst *to, struct wan_dir *d, uint64_t now)
{
	while (d->head != d->tail &&
	       d->q[d->head & (WAN_FIFO - 1)].arrive <= now) {
		struct rte_mbuf *m = d->q[d->head & (WAN_FIFO - 1)].m;

		if (fake_port_inject(&to->fp, 0, m) != 0) {
			/* the receiver's RX ring is full: a NIC drop */
			d->qdrops++;
			rte_pktmbuf_free(m);
		}
		d->head++;
		if ((int32_t)(d->unsent - d->head) < 0)
			d->unsent = d->head;
	}
}

static void
link_free(struct wan_dir *d)
{
	while (d->head != d->tail) {
		rte_pktmbuf_free(d->q[d->head & (WAN_FIFO - 1)].m);
		d->head++;
	}
	free(d->q);
}

static struct nst *
wan_side(struct rte_mempool *pool, const struct dp_tcp_config *cfg)
{
	struct nst *t = nst_create(0);

	if (t == NULL)
		return NULL;
	t->core.pool = pool;
	t->pool = pool;
	t->avail0 = 0;		/* leaks: checked on the pool, both sides gone */
	if (dp_tcp_stack_init(&t->core, cfg) != 0) {
		nst_destroy(t);
		return NULL;
	}
	t->poll_hook = dp_tcp_flush;
	t->timer_hook = dp_tcp_timers;
	t->fini_hook = dp_tcp_stack_fini;
	return t;
}

int
wan_sim_run(const struct wan_params *p, struct wan_result *r)
{
	struct rte_mempool *pool = wan_pool();
	const struct rte_ether_addr amac = NST_MAC, bmac = NST_PEER_MAC;
	struct dp_tcp_config cfg;
	struct wan_dir ab, ba;	/* a = receiver (replica), b = sender */
	struct nst *a, *b;
	uint64_t t0, now, end, mark = 0;
	unsigned avail0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (pool == NULL)
		return -1;
	avail0 = rte_mempool_avail_count(pool);
	memset(&wan_rx, 0, sizeof(wan_rx));
	memset(&wan_tx, 0, sizeof(wan_tx));
	wan_rx.buf = wan_tx.buf = p->buf_bytes;
	wan_tx.sender = true;
	memset(&ab, 0, sizeof(ab));
	memset(&ba, 0, sizeof(ba));
	ab.q = calloc(WAN_FIFO, sizeof(*ab.q));
	ba.q = calloc(WAN_FIFO, sizeof(*ba.q));
	ab.rng = p->seed * 0x9e3779b97f4a7c15ull + 1;
	ba.rng = p->seed * 0xc2b2ae3d27d4eb4full + 7;
	dp_tcp_config_defaults(&cfg);
	if (p->cc >= 0)
		cfg.cc = (uint8_t)p->cc;
	if (p->tlp >= 0)
		cfg.tlp = (uint8_t)p->tlp;
	if (p->hystart >= 0)
		cfg.hystart = (uint8_t)p->hystart;
	if (p->wscale >= 0)
		cfg.wscale = (uint8_t)p->wscale;
	a = wan_side(pool, &cfg);
	b = wan_side(pool, &cfg);
	if (ab.q == NULL || ba.q == NULL || a == NULL || b == NULL) {
		fprintf(stderr, "wan_sim: set-up failed\n");
		free(ab.q);
		free(ba.q);
		nst_destroy(a);
		nst_destroy(b);
		return -1;
	}
	b->port.ip = NST_PEER_IP;
	b->port.mac = bmac;
	dp_arp_add_static(&b->core, NST_IP, &amac);
	dp_tcp_listen(&b->core, 6379, &wan_ops);
	wan_rx.c = dp_tcp_connect(&a->core, NST_PEER_IP, 6379, &wan_ops,
				  &wan_rx);
	if (wan_rx.c == NULL) {
		fprintf(stderr, "wan_sim: connect failed\n");
		rc = -1;
		goto out;
	}
	dp_tcp_flush(&a->core);
	dp_core_tx_flush(&a->core);
	t0 = a->core.now_us;
	end = t0 + p->warmup_us + p->measure_us;
	for (now = t0; now < end && !wan_rx.closed && !wan_tx.closed;) {
		/* ns on the link, us on the cores */
		link_take(a, &ab, p, now * 1000, false);
		link_take(b, &ba, p, now * 1000, true);
		now += p->step_us;
		if (p->stall_every_us && p->stall_us &&
		    (now - t0) % p->stall_every_us == 0 && now - t0 >= 1000000)
			r->stalls++;
		if (!(p->stall_every_us && p->stall_us &&
		      now - t0 >= 1000000 &&
		      (now - t0) % p->stall_every_us < p->stall_us))
			link_deliver(b, &ab, now * 1000);
		link_deliver(a, &ba, now * 1000);
		nst_advance(a, p->step_us);
		wan_fill(&b->core, &wan_tx);
		nst_advance(b, p->step_us);
		if (now - t0 >= p->warmup_us && mark == 0)
			mark = wan_rx.bytes + 1;
		if (wan_rx.c != NULL && wan_rx.c->ooo.n > r->max_ooo)
			r->max_ooo = wan_rx.c->ooo.n;
		if (wan_tx.c != NULL && wan_tx.c->sacked.n > r->max_sacked)
			r->max_sacked = wan_tx.c->sacked.n;
		if (getenv("WAN_DEBUG") && (now - t0) % (getenv("WAN_DEBUG")[0] == '2' ? 10000 : 500000) == 0 &&
		    wan_tx.c != NULL)
			fprintf(stderr, "%.1f s: rcvd %llu flight %u sbuf %u/%u "
				"swnd %u cwnd %u ssthresh %u srtt %u rto %u "
				"sacked %u rq %u rec %u frtx %lu rto %lu\n", (now - t0) / 1e6,
				(unsigned long long)wan_rx.bytes,
				wan_tx.c->snd_max - wan_tx.c->snd_una,
				wan_tx.c->sbuf_len, wan_tx.c->sbuf_size,
				wan_tx.c->snd_wnd, wan_tx.c->cwnd,
				wan_tx.c->ssthresh, wan_tx.c->srtt_us,
				wan_tx.c->rto_us, wan_tx.c->sacked.n,
				ba.tail - ba.unsent,
				!!(wan_tx.c->flags & TF_IN_RECOVERY),
				(unsigned long)b->core.stats.tcp_fast_retransmits,
				(unsigned long)b->core.stats.tcp_rto_timeouts);
	}
	if (mark == 0)
		mark = 1;
	r->total_bytes = wan_rx.bytes;
	r->bytes = wan_rx.bytes - (mark - 1);
	r->goodput_bps = p->measure_us ?
		r->bytes * 8 * 1000000 / p->measure_us : 0;
	r->retransmits = b->core.stats.tcp_retransmits;
	r->fast_retransmits = b->core.stats.tcp_fast_retransmits;
	r->rto_timeouts = b->core.stats.tcp_rto_timeouts;
	r->spurious_rtos = b->core.stats.tcp_spurious_rtos;
	r->tlp_probes = b->core.stats.tcp_tlp_probes;
	r->lost_retransmits = b->core.stats.tcp_lost_retransmits;
	r->ooo_full = a->core.stats.tcp_ooo_full;
	r->sack_sb_full = b->core.stats.tcp_sack_sb_full;
	r->lost_data = ba.lost;
	r->lost_acks = ab.lost;
	r->queue_drops = ba.qdrops + ab.qdrops;
	r->max_queue = ba.max_queue;
	r->tx_full = b->core.stats.drops[DP_DROP_TX_FULL];
	if (wan_tx.c != NULL) {
		r->cwnd_end = wan_tx.c->cwnd;
		r->ssthresh_end = wan_tx.c->ssthresh;
		r->srtt_us_end = wan_tx.c->srtt_us;
	}
	if (wan_rx.closed || wan_tx.closed) {
		fprintf(stderr, "wan_sim: the connection ended early\n");
		rc = -1;
	}
out:
	link_free(&ab);
	link_free(&ba);
	nst_destroy(a);
	nst_destroy(b);
	if (rte_mempool_avail_count(pool) != avail0) {
		fprintf(stderr, "wan_sim: mbufs leaked\n");
		rc = -1;
	}
	return rc;
}
