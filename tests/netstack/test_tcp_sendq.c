/*
 * test_tcp_sendq.c -- the TCP send queue (dataplane/tcp_sendq.c): reply
 * bytes live in refcounted DPDK-heap blocks that TX frames reference.
 *
 * Call chain: test -> handshake (nst_input_tcp) -> dp_tcp_send |
 *             dp_tcp_send_reserve / dp_tcp_send_commit -> nst_poll
 *             (dp_tcp_flush -> dp_tcp_send_segment -> dp_tcp_sq_attach |
 *             dp_tcp_sq_copy -> fake port) -> fake_port_pop_tx (the raw
 *             chains are inspected, then parsed and their bytes checked
 *             against the pattern stream at their sequence offset).
 *
 * Covers: chained zero-copy frames pointing into the block; blocks that
 * outlive their ACK while frames sit in the fake port or the core's TX
 * queue; RTO and SACK-recovery resends of ranges spanning two blocks; the
 * copy path of a port without multi-segment TX; dp_tcp_set_buffers with
 * data queued; reserve/commit (partial commit, buffer limit, block
 * boundaries, one block reused by request / response); the memory of
 * 10,000 connections with a small reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "dp_tcp.h"
#include "fake_port.h"
#include "nstest.h"
#include "tcp_priv.h"

#define PEER_ISN 1000u
#define MSS 1460u
#define STREAM_MAX (1u << 20)

struct h {
	struct nst *t;
	struct dp_tcp_conn *c;
	uint32_t iss;			/* ours */
	uint32_t peer_port;
	unsigned sendable;
	unsigned closed;
	uint64_t blocks0;
	/* what the peer got: bytes by stream offset, and a coverage map */
	uint8_t *rx;
	uint8_t *seen;
	uint32_t rx_max;		/* highest offset + 1 received */
	unsigned frames, zc_frames, rtx_frames;
	bool spanned_rtx;		/* a resend spanning two blocks */
};

static uint8_t stream[STREAM_MAX];
static struct nst_frame fr;

static int
h_accepted(struct dp_core *core, struct dp_tcp_conn *c, void **ctx)
{
	(void)core;
	(void)c;
	(void)ctx;
	return 0;
}

static size_t
h_recv(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
       const uint8_t *d, size_t n)
{
	(void)core;
	(void)c;
	(void)ctx;
	(void)d;
	return n;
}

static struct h *cur_h;

static void
h_sendable(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	(void)core;
	(void)c;
	(void)ctx;
	cur_h->sendable++;
}

static void
h_closed(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	 enum dp_tcp_close_reason why)
{
	(void)core;
	(void)c;
	(void)ctx;
	(void)why;
	cur_h->closed++;
}

static const struct dp_tcp_app_ops h_ops = {
	.accepted = h_accepted,
	.recv = h_recv,
	.sendable = h_sendable,
	.closed = h_closed,
};

static struct h *
h_new(unsigned nst_flags, uint32_t snd_buf, uint32_t max_conns)
{
	struct h *h = calloc(1, sizeof(*h));
	struct dp_tcp_config cfg;

	assert_non_null(h);
	h->blocks0 = dp_tcp_sq_blocks_alive();
	h->t = nst_create(nst_flags);
	assert_non_null(h->t);
	dp_tcp_config_defaults(&cfg);
	cfg.mss = MSS;
	if (snd_buf)
		cfg.snd_buf = snd_buf;
	if (max_conns) {
		cfg.max_conns = max_conns;
		cfg.syn_backlog = max_conns;
	}
	assert_int_equal(dp_tcp_stack_init(&h->t->core, &cfg), 0);
	h->t->poll_hook = dp_tcp_flush;
	h->t->timer_hook = dp_tcp_timers;
	assert_int_equal(dp_tcp_listen(&h->t->core, 6379, &h_ops), 0);
	h->rx = calloc(1, STREAM_MAX);
	h->seen = calloc(1, STREAM_MAX);
	h->peer_port = 40000;
	cur_h = h;
	return h;
}

static void
h_free(struct h *h)
{
	dp_tcp_stack_fini(&h->t->core);
	/* the RSTs of the teardown (10,000 of them overflow the port) */
	nst_clear_sent(h->t);
	dp_core_tx_flush(&h->t->core);
	nst_clear_sent(h->t);
	dp_core_tx_discard(&h->t->core);
	assert_int_equal(nst_destroy(h->t), 0);
	/* every block and indirect mbuf came back */
	assert_int_equal(dp_tcp_sq_blocks_alive(), h->blocks0);
	assert_int_equal(rte_mempool_in_use_count(dp_tcp_sq_pool(0)), 0);
	free(h->rx);
	free(h->seen);
	free(h);
	cur_h = NULL;
}

/* A segment from the peer (port h->peer_port) to 6379. */
static void
peer_send(struct h *h, uint32_t seq, uint32_t ack, uint8_t flags,
	  uint16_t win, const struct nst_tcp_opts *o)
{
	struct nst_tcp s;

	nst_tcp_defaults(h->t, &s);
	s.sport = (uint16_t)h->peer_port;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.win = win;
	if (o != NULL)
		s.opt = *o;
	else
		s.opt.ws = -1;
	assert_int_equal(nst_input_tcp(h->t, &s), 0);
}

/* Passive open from the peer (MSS 1460, SACK permitted, no TS / WS). */
static struct dp_tcp_conn *
h_open(struct h *h)
{
	struct nst_tcp_opts o = { .mss = MSS, .ws = -1, .sack_perm = true };
	struct nst_tcp s;
	struct dp_tcp_conn *c;

	peer_send(h, PEER_ISN, 0, RTE_TCP_SYN_FLAG, 65535, &o);
	assert_int_equal(nst_pop_tcp(h->t, &s, &fr), 0);
	assert_int_equal(s.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	h->iss = s.seq;
	peer_send(h, PEER_ISN + 1, h->iss + 1, RTE_TCP_ACK_FLAG, 65535, NULL);
	c = dp_tcp_lookup(&h->t->core, NST_IP, 6379, NST_PEER_IP,
			  (uint16_t)h->peer_port);
	assert_non_null(c);
	assert_int_equal(c->state, TCP_ESTABLISHED);
	h->c = c;
	return c;
}

/* The peer acknowledges up to stream offset rel, optional SACK block. */
static void
peer_ack(struct h *h, uint32_t rel, uint32_t sack_from, uint32_t sack_to)
{
	struct nst_tcp_opts o = { .ws = -1 };

	if (sack_to > sack_from) {
		o.nsack = 1;
		o.sack[0].left = h->iss + 1 + sack_from;
		o.sack[0].right = h->iss + 1 + sack_to;
	}
	peer_send(h, PEER_ISN + 1, h->iss + 1 + rel, RTE_TCP_ACK_FLAG, 65535,
		  &o);
}

/* Check one raw frame: its payload matches the stream at its offset;
 * zero-copy frames are a header mbuf plus segments attached to blocks.
 * Returns the payload length, *rel its stream offset. */
static uint32_t
check_frame(struct h *h, struct rte_mbuf *m, uint32_t *rel)
{
	struct nst_tcp s;
	const void *d;
	uint32_t off, snd_max_rel = h->c ? h->c->snd_max - h->iss - 1 : 0;

	fr.len = m->pkt_len;
	fr.ol_flags = m->ol_flags;
	fr.nb_segs = m->nb_segs;
	fr.l2_len = m->l2_len;
	fr.l3_len = m->l3_len;
	d = rte_pktmbuf_read(m, 0, fr.len, fr.data);
	assert_non_null(d);
	if (d != fr.data)
		memcpy(fr.data, d, fr.len);
	assert_int_equal(nst_parse_tcp(&fr, &s), 0);
	assert_true(s.ip_cksum_ok);
	assert_true(s.l4_cksum_ok);
	off = s.seq - h->iss - 1;
	*rel = off;
	if (s.len == 0)
		return 0;
	assert_true(off + s.len <= STREAM_MAX);
	assert_memory_equal(s.payload, stream + off, s.len);
	h->frames++;
	if (m->nb_segs > 1) {
		const struct rte_mbuf *seg = m->next;
		uint32_t hdr = m->data_len, sum = hdr;

		h->zc_frames++;
		/* the header mbuf holds Ethernet + IP + TCP only */
		assert_int_equal(hdr, fr.len - s.len);
		for (; seg != NULL; seg = seg->next) {
			assert_true(RTE_MBUF_HAS_EXTBUF(seg));
			assert_non_null(seg->shinfo);
			/* the bytes are the block's, not a copy */
			assert_true(rte_mbuf_ext_refcnt_read(seg->shinfo) >= 1);
			sum += seg->data_len;
		}
		assert_int_equal(sum, m->pkt_len);
		if (m->nb_segs > 2 && (int32_t)(off - snd_max_rel) < 0)
			h->spanned_rtx = true;
	}
	for (uint32_t i = 0; i < s.len; i++) {
		h->rx[off + i] = s.payload[i];
		h->seen[off + i] = 1;
	}
	if (off + s.len > h->rx_max)
		h->rx_max = off + s.len;
	return s.len;
}

/* Pop and check every frame the port holds; returns the payload bytes. */
static uint32_t
drain(struct h *h)
{
	struct rte_mbuf *m;
	uint32_t n = 0, rel;

	while ((m = fake_port_pop_tx(&h->t->fp, 0)) != NULL) {
		n += check_frame(h, m, &rel);
		rte_pktmbuf_free(m);
	}
	return n;
}

static void
fill_stream(void)
{
	for (uint32_t i = 0; i < STREAM_MAX; i++)
		stream[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + 1);
}

/* ---- tests ---- */

/* A reply of several MSS leaves as chained frames whose payload segments
 * point into the block the reply was composed in. */
static void
test_zero_copy_chain(void **state)
{
	struct h *h = h_new(0, 0, 0);
	struct dp_tcp_conn *c = h_open(h);
	uint8_t *p;
	size_t n;
	struct rte_mbuf *m;
	uint32_t rel, total = 0;
	unsigned frames = 0;

	(void)state;
	n = dp_tcp_send_reserve(&h->t->core, c, 5000, &p);
	assert_true(n >= 5000);
	memcpy(p, stream, 5000);
	dp_tcp_send_commit(&h->t->core, c, 5000);
	nst_poll(h->t);
	while ((m = fake_port_pop_tx(&h->t->fp, 0)) != NULL) {
		uint32_t len = check_frame(h, m, &rel);

		if (len >= h->t->core.tcp->zc_min) {
			/* one block: header + one attached segment */
			assert_int_equal(m->nb_segs, 2);
			assert_ptr_equal(rte_pktmbuf_mtod(m->next, uint8_t *),
					 p + rel);
		}
		total += len;
		frames++;
		rte_pktmbuf_free(m);
	}
	assert_int_equal(total, 5000);
	assert_int_equal(frames, 4);	/* 1460 * 3 + 620 */
	/* 3 x 1460 by reference, the 620-byte tail (below zc_min) copied */
	assert_int_equal(h->t->core.tcp->zc_min, 1024);
	assert_int_equal(h->t->core.stats.tcp_zc_frames, 3);
	assert_int_equal(h->t->core.stats.tcp_zc_bytes, 4380);
	assert_int_equal(h->t->core.stats.tcp_tx_copy_bytes, 620);
	/* below the threshold: copied */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream + 5000, 100), 100);
	nst_poll(h->t);
	m = fake_port_pop_tx(&h->t->fp, 0);
	assert_non_null(m);
	assert_int_equal(check_frame(h, m, &rel), 100);
	assert_int_equal(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	assert_int_equal(h->t->core.stats.tcp_tx_copy_bytes, 720);
	h_free(h);
}

/* Blocks ACKed while frames referencing them wait in the fake port's TX
 * ring or in the core's TX queue stay valid until those frames are freed,
 * and are freed then. */
static void
test_block_outlives_ack(void **state)
{
	struct h *h = h_new(0, 0, 0);
	struct dp_tcp_conn *c = h_open(h);
	uint64_t b0 = dp_tcp_sq_blocks_alive();

	(void)state;
	/* 4 KiB + 8 KiB blocks; frames 1460 x 4 (zero copy, the third
	 * spanning both blocks) + 160 (copied) */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream, 6000), 6000);
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0 + 2);
	nst_poll(h->t);
	assert_int_equal(fake_port_tx_pending(&h->t->fp, 0), 5);
	/* everything ACKed: the queue lets go, the frames still hold them */
	peer_ack(h, 6000, 0, 0);
	assert_int_equal(c->sbuf_len, 0);
	assert_null(c->sq_head);
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0 + 2);
	assert_int_equal(drain(h), 6000);	/* bytes still right */
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0);

	/* the same with the frames in the core's TX queue (port refusing) */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream + 6000, 6000),
			 6000);
	h->t->fp.tx_refuse_calls = 1000;
	nst_poll(h->t);
	assert_int_equal(dp_core_tx_pending(&h->t->core), 5);
	assert_int_equal(fake_port_tx_pending(&h->t->fp, 0), 0);
	peer_ack(h, 12000, 0, 0);
	assert_int_equal(c->sbuf_len, 0);
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0 + 2);
	h->t->fp.tx_refuse_calls = 0;
	dp_core_tx_flush(&h->t->core);
	assert_int_equal(dp_core_tx_pending(&h->t->core), 0);
	assert_int_equal(drain(h), 6000);
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0);
	/* and when the core's queue is discarded at teardown */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream + 12000, 6000),
			 6000);
	h->t->fp.tx_refuse_calls = 1000;
	nst_poll(h->t);
	h->t->fp.tx_refuse_calls = 0;
	dp_tcp_stack_fini(&h->t->core);
	assert_true(dp_tcp_sq_blocks_alive() > b0);	/* frames hold them */
	dp_core_tx_discard(&h->t->core);
	assert_int_equal(dp_tcp_sq_blocks_alive(), b0);
	h->c = NULL;
	assert_int_equal(nst_destroy(h->t), 0);
	assert_int_equal(rte_mempool_in_use_count(dp_tcp_sq_pool(0)), 0);
	free(h->rx);
	free(h->seen);
	free(h);
}

/* RTO resend of a range spanning two blocks: right bytes, zero copy. */
static void
test_rto_resend_spans_blocks(void **state)
{
	struct h *h = h_new(0, 0, 0);
	struct dp_tcp_conn *c = h_open(h);
	struct rte_mbuf *m;
	uint32_t rel;
	bool found = false;

	(void)state;
	/* blocks [0, 4096) and [4096, 6000) */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream, 6000), 6000);
	nst_poll(h->t);
	nst_clear_sent(h->t);			/* all lost */
	peer_ack(h, 3000, 0, 0);		/* snd_una inside block 1 */
	nst_clear_sent(h->t);
	/* RTO: [3000, 4460) = 1096 bytes of block 1 + 364 of block 2 */
	for (int i = 0; i < 400 && !found; i++) {
		nst_advance(h->t, 10000);
		while ((m = fake_port_pop_tx(&h->t->fp, 0)) != NULL) {
			uint32_t len = check_frame(h, m, &rel);

			if (len > 0 && rel == 3000) {
				assert_int_equal(len, MSS);
				assert_int_equal(m->nb_segs, 3);
				assert_int_equal(m->next->data_len, 1096);
				assert_int_equal(m->next->next->data_len, 364);
				found = true;
			}
			rte_pktmbuf_free(m);
		}
	}
	assert_true(found);
	assert_true(h->t->core.stats.tcp_retransmits > 0);
	h_free(h);
}

/* SACK recovery resends the holes, one spanning two blocks. */
static void
test_sack_resend_spans_blocks(void **state)
{
	struct h *h = h_new(0, 0, 0);
	struct dp_tcp_conn *c = h_open(h);

	(void)state;
	/* blocks: [0, 4096) and [4096, 9000) */
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream, 9000), 9000);
	nst_poll(h->t);
	nst_clear_sent(h->t);
	/* the peer got only [4380, 9000): duplicate ACKs with SACK */
	peer_ack(h, 0, 4380, 5840);
	peer_ack(h, 0, 4380, 7300);
	peer_ack(h, 0, 4380, 9000);
	memset(h->seen, 0, 9000);
	drain(h);
	for (int i = 0; i < 8 && !(h->seen[0] && h->seen[4379]); i++) {
		peer_ack(h, 0, 4380, 9000);
		drain(h);
	}
	/* the holes resent with the right bytes, [2920, 4380) spanning the
	 * blocks at 4096 (1176 + 284 bytes) */
	for (uint32_t i = 0; i < 4380; i++)
		assert_int_equal(h->seen[i], 1);
	assert_true(h->spanned_rtx);
	assert_true(h->t->core.stats.tcp_fast_retransmits > 0);
	peer_ack(h, 9000, 0, 0);
	assert_int_equal(c->sbuf_len, 0);
	h_free(h);
}

/* A port without multi-segment TX: every frame is one copied mbuf. */
static void
test_no_multiseg_copies(void **state)
{
	struct h *h = h_new(NST_F_NO_MULTI_SEGS, 0, 0);
	struct dp_tcp_conn *c = h_open(h);
	struct rte_mbuf *m;
	uint32_t rel, total = 0;

	(void)state;
	assert_null(h->t->core.tcp->zc_pool);
	assert_int_equal(dp_tcp_send(&h->t->core, c, stream, 5000), 5000);
	nst_poll(h->t);
	while ((m = fake_port_pop_tx(&h->t->fp, 0)) != NULL) {
		assert_int_equal(m->nb_segs, 1);
		assert_false(RTE_MBUF_HAS_EXTBUF(m));
		total += check_frame(h, m, &rel);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(total, 5000);
	assert_int_equal(h->t->core.stats.tcp_zc_frames, 0);
	assert_int_equal(h->t->core.stats.tcp_tx_copy_bytes, 5000);
	h_free(h);
}

/* dp_tcp_set_buffers with data queued: grows the bound, never shrinks,
 * keeps every queued byte. */
static void
test_set_buffers_with_data(void **state)
{
	struct h *h = h_new(0, 8192, 0);
	struct dp_tcp_conn *c = h_open(h);
	uint32_t sent = 0;

	(void)state;
	sent += (uint32_t)dp_tcp_send(&h->t->core, c, stream, 20000);
	assert_int_equal(sent, 8192);
	assert_true(c->flags & TF_WANT_SENDABLE);
	assert_int_equal(dp_tcp_set_buffers(&h->t->core, c, 0, 16384), 0);
	assert_int_equal(c->sbuf_size, 16384);
	assert_int_equal(dp_tcp_send_space(c), 16384 - 8192);
	sent += (uint32_t)dp_tcp_send(&h->t->core, c, stream + sent, 20000);
	assert_int_equal(sent, 16384);
	/* shrinking is ignored, the data stays */
	assert_int_equal(dp_tcp_set_buffers(&h->t->core, c, 1024, 1024), 0);
	assert_int_equal(c->sbuf_size, 16384);
	assert_int_equal(c->sbuf_len, 16384);
	/* the peer takes it all, ACKing as it goes; more is queued as the
	 * sendable callback reports room */
	for (int i = 0; h->rx_max < 40000; i++) {
		assert_true(i < 1000);
		nst_poll(h->t);
		drain(h);
		peer_ack(h, h->rx_max, 0, 0);
		if (sent < 40000)
			sent += (uint32_t)dp_tcp_send(&h->t->core, c,
						      stream + sent,
						      40000 - sent);
	}
	assert_true(h->sendable > 0);
	for (uint32_t i = 0; i < 40000; i++)
		assert_int_equal(h->seen[i], 1);
	assert_memory_equal(h->rx, stream, 40000);
	h_free(h);
}

/* reserve / commit: partial commits continue where they stopped; at the
 * buffer limit reserve returns 0 and asks for sendable; no byte lost or
 * duplicated across block boundaries. */
static void
test_reserve_commit(void **state)
{
	struct h *h = h_new(0, 16384, 0);
	struct dp_tcp_conn *c = h_open(h);
	struct dp_core *core = &h->t->core;
	uint32_t q = 0;			/* stream bytes committed */
	uint8_t *p, *p2;
	size_t n;

	(void)state;
	n = dp_tcp_send_reserve(core, c, 100, &p);
	assert_true(n >= 100);
	memcpy(p, stream, 100);
	dp_tcp_send_commit(core, c, 40);	/* partial */
	q = 40;
	assert_int_equal(c->sbuf_len, 40);
	n = dp_tcp_send_reserve(core, c, 10, &p2);
	assert_ptr_equal(p2, p + 40);		/* continues in place */
	/* odd pieces of assorted sizes, forcing new blocks */
	while (q < 16384) {
		size_t want = 1 + (q * 2654435761u) % 3000;

		n = dp_tcp_send_reserve(core, c, want, &p);
		if (n == 0)
			break;
		assert_true(n >= want || n == 16384 - q);
		if (n > want)
			n = want;
		memcpy(p, stream + q, n);
		dp_tcp_send_commit(core, c, n);
		q += (uint32_t)n;
	}
	assert_int_equal(q, 16384);
	assert_int_equal(c->sbuf_len, 16384);
	c->flags &= ~TF_WANT_SENDABLE;
	assert_int_equal(dp_tcp_send_reserve(core, c, 1, &p), 0);
	assert_null(p);
	assert_true(c->flags & TF_WANT_SENDABLE);
	/* drain and ACK: sendable fires, the bytes are the stream */
	for (int i = 0; h->rx_max < 16384; i++) {
		assert_true(i < 1000);
		nst_poll(h->t);
		drain(h);
		peer_ack(h, h->rx_max, 0, 0);
	}
	assert_true(h->sendable > 0);
	for (uint32_t i = 0; i < 16384; i++)
		assert_int_equal(h->seen[i], 1);
	assert_memory_equal(h->rx, stream, 16384);
	/* commit in a state that cannot send: ignored */
	dp_tcp_close(core, c);
	assert_int_equal(dp_tcp_send_reserve(core, c, 10, &p), 0);
	dp_tcp_send_commit(core, c, 10);
	assert_int_equal(c->sbuf_len, 0);
	h_free(h);
}

/* Request / response with the RESP server's pattern (reserve a 4 KiB
 * tail, commit a short reply, ACKed before the next): one block, rewound
 * and reused each time, no heap allocation per reply. */
static void
test_reserve_reuses_block(void **state)
{
	struct h *h = h_new(0, 0, 0);
	struct dp_tcp_conn *c = h_open(h);
	struct dp_core *core = &h->t->core;
	uint64_t b0 = dp_tcp_sq_blocks_alive();
	uint8_t *p, *first = NULL;
	uint32_t q = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		uint32_t n = 20 + i % 7;

		assert_true(dp_tcp_send_reserve(core, c, 4096, &p) >= 4096);
		if (first == NULL)
			first = p;
		assert_ptr_equal(p, first);
		memcpy(p, stream + q, n);
		dp_tcp_send_commit(core, c, n);
		q += n;
		assert_int_equal(dp_tcp_sq_blocks_alive(), b0 + 1);
		nst_poll(h->t);
		drain(h);
		peer_ack(h, q, 0, 0);
		assert_int_equal(c->sbuf_len, 0);
	}
	assert_int_equal(h->rx_max, q);
	assert_memory_equal(h->rx, stream, q);
	h_free(h);
}

/* 10,000 connections, each with a 16-byte reply ACKed: one minimum block
 * each, kept for the next reply. */
static void
test_10k_connections_memory(void **state)
{
	enum { N = 10000 };
	struct h *h = h_new(0, 0, N + 16);
	uint64_t b0 = dp_tcp_sq_blocks_alive(), by0 = dp_tcp_sq_bytes_alive();
	uint64_t blocks, bytes;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		struct dp_tcp_conn *c;

		h->peer_port = 20000 + i;
		c = h_open(h);
		assert_int_equal(dp_tcp_send(&h->t->core, c, "+OK-a-small-rep\r\n",
					     16), 16);
		nst_poll(h->t);
		nst_clear_sent(h->t);
		peer_ack(h, 16, 0, 0);
		assert_int_equal(c->sbuf_len, 0);
		nst_clear_sent(h->t);
	}
	blocks = dp_tcp_sq_blocks_alive() - b0;
	bytes = dp_tcp_sq_bytes_alive() - by0;
	printf("10k connections with a 16 B reply: %llu blocks alive x %llu B "
	       "= %.1f MiB of send queue\n", (unsigned long long)blocks,
	       (unsigned long long)(blocks ? bytes / blocks : 0),
	       (double)bytes / 1048576.0);
	assert_int_equal(blocks, N);
	assert_int_equal(bytes, (uint64_t)N * TCP_SQ_MIN_BLOCK);
	h->c = NULL;
	h_free(h);
}

/* Not a test: with SENDQ_BENCH set, main prints the cycles one data
 * segment's payload costs -- header mbuf + indirect mbuf attached to the
 * block (+ the frees), or header mbuf + memcpy -- by payload size, alone
 * and followed by what a copying PMD (net_memif, net_tap) does: read the
 * frame out segment by segment.  Header mbufs come from a pool with a
 * per-lcore cache (hot, as the core's pool in ferryd).  The measurement
 * behind TCP_ZC_MIN_DEFAULT (run it on a release build). */
static uint64_t
bench_one(struct h *h, struct rte_mempool *pool, uint32_t len, bool zc,
	  bool pmd)
{
	enum { N = 200000 };
	static uint8_t wire[2048];
	uint64_t r[5];

	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = rte_rdtsc();

		for (uint32_t i = 0; i < N; i++) {
			uint32_t off = ((i * len) % 32768) & ~1u;	/* hot */
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

			if (zc) {
				rte_pktmbuf_append(m, 66);
				if (dp_tcp_sq_attach(&h->t->core, h->c, off, len,
						     m) != 0)
					abort();
			} else {
				uint8_t *p = (uint8_t *)rte_pktmbuf_append(m,
								66 + len);

				dp_tcp_sq_copy(h->c, off, p + 66, len);
			}
			if (pmd) {
				for (struct rte_mbuf *s = m; s; s = s->next)
					memcpy(wire, rte_pktmbuf_mtod(s, void *),
					       s->data_len);
			}
			rte_pktmbuf_free(m);
		}
		r[rep] = (rte_rdtsc() - t0) / N;
	}
	for (int i = 0; i < 5; i++)	/* sort for the median */
		for (int j = i + 1; j < 5; j++)
			if (r[j] < r[i]) {
				uint64_t x = r[i];

				r[i] = r[j];
				r[j] = x;
			}
	return r[2];
}

static void
bench_segment_cost(void)
{
	static const uint32_t sizes[] = { 32, 64, 128, 192, 256, 384, 512,
					  768, 1024, 1460 };
	struct h *h = h_new(0, 1u << 20, 0);
	struct rte_mempool *pool;

	h_open(h);
	pool = rte_pktmbuf_pool_create("sendq_bench", 4095, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	assert_non_null(pool);
	assert_int_equal(dp_tcp_send(&h->t->core, h->c, stream, 1u << 19),
			 1u << 19);
	printf("cycles per segment (medians of 5 x 200000)\n"
	       "payload  zero-copy  copy  | + PMD copy: zero-copy  copy\n");
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint32_t len = sizes[k];

		printf("%7u  %9llu  %4llu  | %20llu  %4llu\n", len,
		       (unsigned long long)bench_one(h, pool, len, true, false),
		       (unsigned long long)bench_one(h, pool, len, false, false),
		       (unsigned long long)bench_one(h, pool, len, true, true),
		       (unsigned long long)bench_one(h, pool, len, false, true));
	}
	rte_mempool_free(pool);
	h_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_copy_chain),
		cmocka_unit_test(test_block_outlives_ack),
		cmocka_unit_test(test_rto_resend_spans_blocks),
		cmocka_unit_test(test_sack_resend_spans_blocks),
		cmocka_unit_test(test_no_multiseg_copies),
		cmocka_unit_test(test_set_buffers_with_data),
		cmocka_unit_test(test_reserve_commit),
		cmocka_unit_test(test_reserve_reuses_block),
		cmocka_unit_test(test_10k_connections_memory),
	};

	if (nst_eal_init() != 0)
		return 1;
	fill_stream();
	if (getenv("SENDQ_BENCH") != NULL) {
		bench_segment_cost();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
