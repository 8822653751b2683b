/*
 * test_tcp_pair.c -- two TCP stacks back to back over their fake ports
 * (client 198.18.0.2 <-> server 198.18.0.10), moving 1 MiB each way at the
 * same time through a seeded impaired link (loss, duplication,
 * reordering), then closing gracefully.  Checks every byte in order, that
 * both sides see closed(normal), that recovery actually happened (the
 * counters), and that no mbuf leaks.
 *
 * Call chain per 1 ms step: nst_advance(client) / nst_advance(server)
 * (timers, RX, dp_tcp_flush, TX) -> link_move (fake_port_pop_tx ->
 * impairments -> fake_port_inject on the other side).
 * PAIR_DEBUG=1 in the environment prints both tcbs every 5 s of virtual
 * time and a summary per run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dp_arp.h"
#include "dp_tcp.h"
#include "nstest.h"
#include "tcp_priv.h"

#define TOTAL (1u << 20)

struct side {
	struct dp_tcp_conn *c;
	uint64_t sent, rcvd;
	bool bad, closed, peer_closed, close_called;
	enum dp_tcp_close_reason why;
	unsigned nclosed;
};

struct link {
	uint32_t loss_pm, dup_pm, reorder_pm;	/* per mille */
	uint64_t rng;
	struct rte_mbuf *held;			/* reordered frame */
	uint64_t lost, duped, reordered;
};

static struct side cli, srv;
static uint64_t srv_total;	/* the server sends this much (0 or TOTAL) */
/* test_pair_grow_buffers: both sides grow their buffers mid-transfer */
static bool grow_test, grown, busy_checked;
static uint32_t wnd_seen_max;	/* largest send window the client saw */

static uint64_t
side_total(const struct side *s)
{
	return s == &srv ? srv_total : TOTAL;
}

static uint8_t
pat(uint64_t off, bool from_client)
{
	return (uint8_t)(off * 131 + (off >> 9) + (from_client ? 7 : 91));
}

static void
pump(struct dp_core *core, struct side *s, bool client)
{
	uint8_t buf[4096];

	uint64_t total = side_total(s);

	while (s->c != NULL && s->sent < total) {
		uint32_t k = total - s->sent < sizeof(buf) ?
			     (uint32_t)(total - s->sent) : sizeof(buf);
		size_t got;

		for (uint32_t i = 0; i < k; i++)
			buf[i] = pat(s->sent + i, client);
		got = dp_tcp_send(core, s->c, buf, k);
		s->sent += got;
		if (got < k)
			return;
	}
	/* the client closes when all is queued; the server once the client
	 * closed too (a half close in between) */
	if (s->c != NULL && s->sent == total && !s->close_called &&
	    (client || s->peer_closed)) {
		s->close_called = true;
		dp_tcp_close(core, s->c);
	}
}

static int
on_accepted(struct dp_core *core, struct dp_tcp_conn *c, void **ctx)
{
	srv.c = c;
	*ctx = &srv;
	pump(core, &srv, false);
	return 0;
}

static void
on_connected(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	pump(core, &cli, true);
}

static size_t
on_recv(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	const uint8_t *data, size_t len)
{
	struct side *s = ctx;
	bool from_client = s == &srv;

	for (size_t i = 0; i < len; i++)
		if (data[i] != pat(s->rcvd + i, from_client))
			s->bad = true;
	s->rcvd += len;
	if (grow_test && !busy_checked) {
		/* the app reads the ring right now: refused, nothing changes */
		uint32_t size = c->rbuf_size;

		assert_int_equal(dp_tcp_set_buffers(core, c, 1u << 20, 0),
				 -EBUSY);
		assert_int_equal(c->rbuf_size, size);
		busy_checked = true;
	}
	return len;
}

static void
on_sendable(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	pump(core, ctx, ctx == &cli);
}

static void
on_peer_closed(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	struct side *s = ctx;

	s->peer_closed = true;
	pump(core, s, s == &cli);
}

static void
on_closed(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	  enum dp_tcp_close_reason why)
{
	struct side *s = ctx;

	s->closed = true;
	s->why = why;
	s->nclosed++;
	s->c = NULL;
}

static const struct dp_tcp_app_ops ops = {
	.accepted = on_accepted,
	.connected = on_connected,
	.recv = on_recv,
	.sendable = on_sendable,
	.peer_closed = on_peer_closed,
	.closed = on_closed,
};

static uint32_t
rnd(struct link *l)
{
	l->rng ^= l->rng << 13;
	l->rng ^= l->rng >> 7;
	l->rng ^= l->rng << 17;
	return (uint32_t)(l->rng % 1000);
}

/* Everything from's port sent goes to to's port, impaired. */
static void
link_move(struct nst *from, struct nst *to, struct link *l)
{
	struct rte_mbuf *m;

	while ((m = fake_port_pop_tx(&from->fp, 0)) != NULL) {
		if (rnd(l) < l->loss_pm) {
			l->lost++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (rnd(l) < l->dup_pm) {
			struct rte_mbuf *d = rte_pktmbuf_copy(m, m->pool, 0,
							      UINT32_MAX);

			if (d != NULL) {
				l->duped++;
				if (fake_port_inject(&to->fp, 0, d) != 0)
					rte_pktmbuf_free(d);
			}
		}
		if (l->held == NULL && rnd(l) < l->reorder_pm) {
			l->reordered++;
			l->held = m;	/* goes after the next frame */
			continue;
		}
		if (fake_port_inject(&to->fp, 0, m) != 0)
			rte_pktmbuf_free(m);
		if (l->held != NULL) {
			if (fake_port_inject(&to->fp, 0, l->held) != 0)
				rte_pktmbuf_free(l->held);
			l->held = NULL;
		}
	}
}

static void
dump(struct nst *t, const char *who, const struct dp_tcp_conn *c)
{
	fprintf(stderr, "%.3f %s %s una %u nxt %u max %u sbuf %u rnxt %u "
		"rbuf %u nooo %u swnd %u cwnd %u ssthresh %u rto %u bo %u\n",
		(t->core.now_us - NST_START_US) / 1e6, who,
		dp_tcp_state_names[c->state], c->snd_una - c->iss,
		c->snd_nxt - c->iss, c->snd_max - c->iss, c->sbuf_len,
		c->rcv_nxt - c->irs, c->rbuf_len, c->ooo.n, c->snd_wnd,
		c->cwnd, c->ssthresh, c->rto_us, c->backoff);
}

/* expect_fr: fast retransmits must have happened (one-way transfers:
 * with data both ways every ACK carries data and none is a duplicate ACK
 * in the RFC 5681 sense, so recovery is by RTO there). */
static void
run_pair(uint32_t loss_pm, uint32_t dup_pm, uint32_t reorder_pm,
	 uint32_t rcv_buf, uint64_t seed, bool bidir, bool expect_fr)
{
	struct rte_mempool *pool = nst_pool();
	unsigned avail0;
	struct nst *a, *b;
	struct dp_tcp_config cfg;
	struct link ab = { loss_pm, dup_pm, reorder_pm, seed, NULL, 0, 0, 0 };
	struct link ba = { loss_pm, dup_pm, reorder_pm, seed * 7 + 1, NULL,
			   0, 0, 0 };
	const struct rte_ether_addr amac = NST_MAC, bmac = NST_PEER_MAC;
	uint64_t steps = 0;

	assert_non_null(pool);
	avail0 = rte_mempool_avail_count(pool);
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	srv_total = bidir ? TOTAL : 0;
	a = nst_create(0);
	b = nst_create(0);
	assert_non_null(a);
	assert_non_null(b);
	/* b is the peer: its own address, and a static entry for a */
	b->port.ip = NST_PEER_IP;
	b->port.mac = bmac;
	assert_int_equal(dp_arp_add_static(&b->core, NST_IP, &amac), 0);
	dp_tcp_config_defaults(&cfg);
	cfg.rcv_buf = rcv_buf;
	assert_int_equal(dp_tcp_stack_init(&a->core, &cfg), 0);
	assert_int_equal(dp_tcp_stack_init(&b->core, &cfg), 0);
	a->poll_hook = b->poll_hook = dp_tcp_flush;
	a->timer_hook = b->timer_hook = dp_tcp_timers;
	assert_int_equal(dp_tcp_listen(&b->core, 6379, &ops), 0);
	cli.c = dp_tcp_connect(&a->core, NST_PEER_IP, 6379, &ops, &cli);
	assert_non_null(cli.c);
	dp_tcp_flush(&a->core);
	dp_core_tx_flush(&a->core);

	while (!(cli.closed && srv.closed) && steps < 600000) {
		link_move(a, b, &ab);
		link_move(b, a, &ba);
		nst_advance(a, 1000);
		nst_advance(b, 1000);
		steps++;
		if (grow_test && cli.c && srv.c) {
			if (cli.c->snd_wnd > wnd_seen_max)
				wnd_seen_max = cli.c->snd_wnd;
			if (!grown && cli.sent > TOTAL / 4 &&
			    srv.c->ooo.n > 0 && srv.c->rbuf_head != 0 &&
			    cli.c->sq_head != cli.c->sq_tail &&
			    cli.c->sbuf_len > 0) {
				/* mid-transfer, with data queued, in flight and
				 * out of order in both directions */
				assert_int_equal(dp_tcp_set_buffers(&a->core,
					cli.c, 4 * rcv_buf, 1u << 20), 0);
				assert_int_equal(dp_tcp_set_buffers(&b->core,
					srv.c, 4 * rcv_buf, 1u << 20), 0);
				assert_int_equal(srv.c->rbuf_size, 4 * rcv_buf);
				assert_int_equal(cli.c->sbuf_size, 1u << 20);
				/* never shrinks */
				assert_int_equal(dp_tcp_set_buffers(&b->core,
					srv.c, 1024, 1024), 0);
				assert_int_equal(srv.c->rbuf_size, 4 * rcv_buf);
				grown = true;
			}
		}
		if (getenv("PAIR_DEBUG") && steps % 5000 == 0 && cli.c &&
		    srv.c) {
			dump(a, "cli", cli.c);
			dump(b, "srv", srv.c);
		}
	}
	if (getenv("PAIR_DEBUG"))
		fprintf(stderr, "steps %lu cli %d/%d sent %lu rcvd %lu srv %d/%d "
			"sent %lu rcvd %lu lost %lu/%lu rtx %lu/%lu fr %lu/%lu "
			"rto %lu/%lu\n", (unsigned long)steps, cli.closed,
			cli.why, cli.sent, cli.rcvd, srv.closed, srv.why,
			srv.sent, srv.rcvd, ab.lost, ba.lost,
			a->core.stats.tcp_retransmits,
			b->core.stats.tcp_retransmits,
			a->core.stats.tcp_fast_retransmits,
			b->core.stats.tcp_fast_retransmits,
			a->core.stats.tcp_rto_timeouts,
			b->core.stats.tcp_rto_timeouts);
	assert_true(cli.closed);
	assert_true(srv.closed);
	assert_int_equal(cli.why, DP_TCP_CLOSED_NORMAL);
	assert_int_equal(srv.why, DP_TCP_CLOSED_NORMAL);
	assert_int_equal(cli.nclosed, 1);
	assert_int_equal(srv.nclosed, 1);
	assert_int_equal(cli.sent, TOTAL);
	assert_int_equal(srv.sent, srv_total);
	assert_int_equal(cli.rcvd, srv_total);
	assert_int_equal(srv.rcvd, TOTAL);
	assert_false(cli.bad);
	assert_false(srv.bad);
	if (loss_pm > 0) {
		assert_true(ab.lost + ba.lost > 0);
		assert_true(a->core.stats.tcp_retransmits +
			    b->core.stats.tcp_retransmits > 0);
		if (expect_fr)
			assert_true(a->core.stats.tcp_fast_retransmits > 0);
	} else {
		assert_int_equal(a->core.stats.tcp_retransmits, 0);
		assert_int_equal(b->core.stats.tcp_retransmits, 0);
	}
	/* the client is in TIME-WAIT, the server's tcb is gone */
	assert_int_equal(a->core.tcp->nconns, 1);
	assert_int_equal(b->core.tcp->nconns, 0);

	dp_tcp_stack_fini(&a->core);
	dp_tcp_stack_fini(&b->core);
	dp_core_tx_flush(&a->core);
	dp_core_tx_flush(&b->core);
	if (ab.held)
		rte_pktmbuf_free(ab.held);
	if (ba.held)
		rte_pktmbuf_free(ba.held);
	fake_port_drain(&a->fp);
	fake_port_drain(&b->fp);
	nst_destroy(b);
	nst_destroy(a);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
}

static void
test_pair_clean(void **state)
{
	run_pair(0, 0, 0, 65536, 1, true, false);
}

/* Buffers grown mid-transfer on a lossy, reordering link: every byte
 * still arrives in order, and the receiver then offers the wider window
 * (more than the 64 KiB it started with). */
static void
test_pair_grow_buffers(void **state)
{
	grow_test = true;
	grown = busy_checked = false;
	wnd_seen_max = 0;
	run_pair(20, 5, 20, 65536, 777, true, false);
	grow_test = false;
	assert_true(grown);
	assert_true(busy_checked);
	assert_true(wnd_seen_max > 65536);
}

static void
test_pair_lossy_both_ways(void **state)
{
	run_pair(30, 10, 20, 65536, 12345, true, false);
}

static void
test_pair_lossy_one_way(void **state)
{
	run_pair(30, 10, 20, 65536, 999, false, true);
}

static void
test_pair_lossy_small_window(void **state)
{
	run_pair(20, 5, 30, 8192, 777, true, false);
}

static void
test_pair_heavy_loss(void **state)
{
	run_pair(100, 0, 50, 32768, 4242, false, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_clean),
		cmocka_unit_test(test_pair_grow_buffers),
		cmocka_unit_test(test_pair_lossy_both_ways),
		cmocka_unit_test(test_pair_lossy_one_way),
		cmocka_unit_test(test_pair_lossy_small_window),
		cmocka_unit_test(test_pair_heavy_loss),
	};

	if (nst_eal_init() != 0 || nst_pool() == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
