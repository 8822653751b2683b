/*
 * test_tcp_unit.c -- unit tests of TCP internals: option parsing, sequence
 * arithmetic across the wrap, the reassembly queue (out-of-order ranges,
 * overlaps, duplicates, SACK order, ring wrap), SYN cookies, the RTO
 * estimate under per-ACK (timestamp) RTT samples.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dp_tcp.h"
#include "nstest.h"
#include "tcp_priv.h"

static void
test_seq_arith(void **state)
{
	assert_true(SEQ_LT(1, 2));
	assert_false(SEQ_LT(2, 2));
	assert_true(SEQ_LEQ(2, 2));
	assert_true(SEQ_LT(0xfffffff0u, 0x10));	/* across the wrap */
	assert_true(SEQ_GT(0x10, 0xfffffff0u));
	assert_true(SEQ_GEQ(0x80000000u, 1));
	assert_false(SEQ_GT(0x80000001u, 0));	/* more than 2^31 ahead */
	assert_int_equal(SEQ_MAX(0xfffffff0u, 5u), 5u);
	assert_int_equal(SEQ_MIN(0xfffffff0u, 5u), 0xfffffff0u);
}

static void
test_options_syn(void **state)
{
	const uint8_t o[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100,
			      0, 0, 0, 0, 1, 3, 3, 7 };
	struct dp_tcp_opts p;

	assert_int_equal(dp_tcp_parse_options(o, sizeof(o), true, &p), 0);
	assert_true(p.mss_ok);
	assert_int_equal(p.mss, 1460);
	assert_true(p.sack_ok);
	assert_true(p.ts_ok);
	assert_int_equal(p.ts_val, 100);
	assert_int_equal(p.ts_ecr, 0);
	assert_true(p.ws_ok);
	assert_int_equal(p.ws, 7);
	/* on a non-SYN only TS / SACK count */
	assert_int_equal(dp_tcp_parse_options(o, sizeof(o), false, &p), 0);
	assert_false(p.mss_ok);
	assert_false(p.ws_ok);
	assert_false(p.sack_ok);
	assert_true(p.ts_ok);
}

static void
test_options_sack_eol_unknown(void **state)
{
	const uint8_t o[] = { 1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20,
			      0, 0, 0, 30, 0, 0, 0, 40, 254, 4, 1, 2,
			      0, 9, 9, 9 };
	struct dp_tcp_opts p;

	assert_int_equal(dp_tcp_parse_options(o, sizeof(o), false, &p), 0);
	assert_int_equal(p.nsack, 2);
	assert_int_equal(p.sack[0].start, 10);
	assert_int_equal(p.sack[0].end, 20);
	assert_int_equal(p.sack[1].start, 30);
	assert_int_equal(p.sack[1].end, 40);
}

static void
test_options_malformed(void **state)
{
	struct dp_tcp_opts p;
	const uint8_t zero_len[] = { 2, 0, 5, 0xb4 };
	const uint8_t past_end[] = { 1, 1, 8, 10, 0, 0 };
	const uint8_t no_len[] = { 1, 1, 1, 2 };
	const uint8_t bad_mss[] = { 2, 3, 5, 1 };
	const uint8_t bad_ws[] = { 3, 4, 7, 0 };
	const uint8_t bad_sack[] = { 5, 7, 0, 0, 0, 0, 0, 1 };
	const uint8_t bad_ts[] = { 8, 6, 0, 0, 0, 0, 1, 1 };
	const uint8_t big_ws[] = { 3, 3, 20, 0 };

	assert_int_equal(dp_tcp_parse_options(zero_len, 4, true, &p), -EINVAL);
	assert_int_equal(dp_tcp_parse_options(past_end, 6, true, &p), -EINVAL);
	assert_int_equal(dp_tcp_parse_options(no_len, 4, true, &p), -EINVAL);
	assert_int_equal(dp_tcp_parse_options(bad_mss, 4, true, &p), -EINVAL);
	assert_int_equal(dp_tcp_parse_options(bad_ws, 4, true, &p), -EINVAL);
	assert_int_equal(dp_tcp_parse_options(bad_sack, 8, false, &p),
			 -EINVAL);
	assert_int_equal(dp_tcp_parse_options(bad_ts, 8, false, &p), -EINVAL);
	/* a shift above 14 is clamped (RFC 7323 2.3) */
	assert_int_equal(dp_tcp_parse_options(big_ws, 4, true, &p), 0);
	assert_int_equal(p.ws, 14);
	/* empty list */
	assert_int_equal(dp_tcp_parse_options(NULL, 0, true, &p), 0);
	assert_false(p.mss_ok || p.ts_ok || p.ws_ok || p.sack_ok);
}

/* ---- reassembly: a bare tcb with small rings, data from mbufs ---- */

struct rq {
	struct nst *t;
	struct dp_tcp_conn c;
	uint8_t buf[64];
};

static int
rq_setup(void **state)
{
	struct rq *r = calloc(1, sizeof(*r));

	r->t = nst_create(0);
	if (r->t == NULL)
		return -1;
	r->c.rbuf = r->buf;
	r->c.rbuf_size = sizeof(r->buf);
	r->c.rcv_nxt = 0xfffffff0u;	/* cross the wrap on the way */
	*state = r;
	return 0;
}

static int
rq_teardown(void **state)
{
	struct rq *r = *state;
	int leaked = nst_destroy(r->t);

	dp_tcp_ranges_release(&r->c.ooo);
	free(r);
	return leaked == 0 ? 0 : -1;
}

static uint8_t
pat(uint32_t rel)
{
	return (uint8_t)(rel * 13 + 1);
}

/* place [rel, rel+len) of the pattern stream (rel from 0xfffffff0) */
static uint32_t
put(struct rq *r, uint32_t rel, uint32_t len)
{
	uint8_t d[64];
	struct rte_mbuf *m;
	uint32_t adv;

	for (uint32_t i = 0; i < len; i++)
		d[i] = pat(rel + i);
	m = nst_mbuf(r->t, d, len);
	assert_non_null(m);
	adv = dp_tcp_reass(&r->t->core, &r->c, 0xfffffff0u + rel, m, 0, len);
	rte_pktmbuf_free(m);
	return adv;
}

/* the i-th out-of-order range (sorted) */
#define OOO(r, i) (dp_tcp_ranges_v(&(r)->c.ooo)[i])

/* consume n in-order bytes and check them */
static void
take(struct rq *r, uint32_t *consumed, uint32_t n)
{
	assert_true(r->c.rbuf_len >= n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(r->c.rbuf[(r->c.rbuf_head + i) %
					   r->c.rbuf_size],
				 pat(*consumed + i));
	}
	r->c.rbuf_head = (r->c.rbuf_head + n) % r->c.rbuf_size;
	r->c.rbuf_len -= n;
	*consumed += n;
}

static void
test_reass_in_order_and_holes(void **state)
{
	struct rq *r = *state;
	uint32_t done = 0;

	assert_int_equal(put(r, 0, 10), 10);
	assert_int_equal(r->c.rcv_nxt, 0xfffffffau);
	/* hole [10,20): two out-of-order pieces */
	assert_int_equal(put(r, 30, 5), 0);
	assert_int_equal(put(r, 20, 5), 0);
	assert_int_equal(r->c.ooo.n, 2);
	/* sorted ranges; the most recent one reported first (RFC 2018 SACK
	 * order) */
	assert_int_equal(OOO(r, 0).start, 0xfffffff0u + 20);
	assert_int_equal(OOO(r, 1).start, 0xfffffff0u + 30);
	assert_int_equal(r->c.nrecent, 2);
	assert_int_equal(r->c.ooo_recent[0], 0xfffffff0u + 20);
	assert_int_equal(r->c.ooo_recent[1], 0xfffffff0u + 30);
	/* bridge [25,30) merges both ranges */
	assert_int_equal(put(r, 25, 5), 0);
	assert_int_equal(r->c.ooo.n, 1);
	assert_int_equal(OOO(r, 0).start, 0xfffffff0u + 20);
	assert_int_equal(OOO(r, 0).end, 0xfffffff0u + 35);
	assert_int_equal(r->c.nrecent, 1);
	assert_int_equal(r->c.ooo.bytes, 15);
	/* filling the hole delivers everything up to 35 */
	assert_int_equal(put(r, 10, 10), 25);
	assert_int_equal(r->c.ooo.n, 0);
	assert_int_equal(r->c.ooo.bytes, 0);
	assert_int_equal(r->c.rcv_nxt, 0xfffffff0u + 35);	/* wrapped */
	take(r, &done, 35);
}

static void
test_reass_duplicates_overlaps(void **state)
{
	struct rq *r = *state;
	uint32_t done = 0;

	assert_int_equal(put(r, 0, 8), 8);
	/* a full duplicate changes nothing */
	assert_int_equal(put(r, 0, 8), 0);
	assert_int_equal(r->c.rbuf_len, 8);
	/* overlapping the delivered edge: only the new part counts */
	assert_int_equal(put(r, 4, 8), 4);
	/* overlapping out-of-order pieces */
	assert_int_equal(put(r, 20, 6), 0);
	assert_int_equal(put(r, 18, 4), 0);
	assert_int_equal(put(r, 24, 6), 0);
	assert_int_equal(r->c.ooo.n, 1);
	assert_int_equal(OOO(r, 0).end - OOO(r, 0).start, 12);
	assert_int_equal(put(r, 12, 6), 18);
	take(r, &done, 30);
	assert_int_equal(r->c.rbuf_len, 0);
}

static void
test_reass_window_and_ring_wrap(void **state)
{
	struct rq *r = *state;
	uint32_t done = 0;

	/* fill 50, consume 40: the ring head moves near the end */
	assert_int_equal(put(r, 0, 50), 50);
	take(r, &done, 40);
	/* beyond the free space (64 - 10 = 54 from rcv_nxt): clipped */
	assert_int_equal(put(r, 50 + 60, 4), 0);
	assert_int_equal(r->c.ooo.n, 0);
	assert_int_equal(put(r, 50, 60), 54);	/* only 54 fit */
	take(r, &done, 64);
	assert_int_equal(r->c.rbuf_len, 0);
	/* and the stream goes on correctly after the wrap */
	assert_int_equal(put(r, 104, 20), 20);
	take(r, &done, 20);
}

static void
test_reass_ooo_limit(void **state)
{
	struct rq *r = *state;
	static uint8_t big[4 * (TCP_OOO_MAX + 4)];
	uint32_t done = 0, end = 2 + 4 * (TCP_OOO_MAX + 1) + 1;

	r->c.rbuf = big;
	r->c.rbuf_size = sizeof(big);
	/* more disjoint ranges than kept: a range already SACKed is never
	 * forgotten (that would renege on it and leave the sender waiting
	 * for its RTO); the new ones beyond the limit are not recorded, so
	 * not SACKed, and the peer resends them (a ring this small keeps
	 * the inline limit: dp_tcp_ranges_limit) */
	for (uint32_t i = 0; i < TCP_OOO_MAX + 2; i++)
		assert_int_equal(put(r, 2 + 4 * i, 1), 0);
	assert_int_equal(r->c.ooo.n, TCP_OOO_MAX);
	assert_null(r->c.ooo.heap);
	assert_int_equal(r->c.ooo_recent[0], 0xfffffff0u + 2 +
			 4 * (TCP_OOO_MAX - 1));
	assert_int_equal(OOO(r, TCP_OOO_MAX - 1).start, 0xfffffff0u + 2 +
			 4 * (TCP_OOO_MAX - 1));
	assert_int_equal(OOO(r, 0).start, 0xfffffff0u + 2);
	assert_int_equal(r->t->core.stats.tcp_ooo_full, 2);
	/* the peer resends everything: the stream is whole */
	for (uint32_t off = 0, adv = 0; off < end; off += 64) {
		adv += put(r, off, end - off < 64 ? end - off : 64);
		if (off + 64 >= end)
			assert_int_equal(adv, end);
	}
	assert_int_equal(r->c.ooo.n, 0);
	take(r, &done, end);
}

/* A connection with big buffers (dp_tcp_ranges_limit): the list grows
 * past the inline ranges and records every hole; nothing is resent but
 * the holes. */
static void
test_reass_ooo_grows(void **state)
{
	struct rq *r = *state;
	static uint8_t big[4 * 600];
	uint32_t done = 0, n = 500, end = 4 * n;

	r->c.rbuf = big;
	r->c.rbuf_size = sizeof(big);
	dp_tcp_ranges_set_max(&r->c.ooo, 600);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(put(r, 2 + 4 * i, 2), 0);
	assert_int_equal(r->c.ooo.n, n);
	assert_non_null(r->c.ooo.heap);
	assert_int_equal(r->c.ooo.bytes, 2 * n);
	assert_int_equal(r->t->core.stats.tcp_ooo_full, 0);
	/* RFC 2018: the latest first, then the ones reported before */
	assert_int_equal(r->c.nrecent, TCP_MAX_SACK);
	assert_int_equal(r->c.ooo_recent[0], 0xfffffff0u + 2 + 4 * (n - 1));
	assert_int_equal(r->c.ooo_recent[1], 0xfffffff0u + 2 + 4 * (n - 2));
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(OOO(r, i).start, 0xfffffff0u + 2 + 4 * i);
	/* a hole in the middle merges two ranges, reported first */
	assert_int_equal(put(r, 4 * 100, 2), 0);
	assert_int_equal(r->c.ooo.n, n - 1);
	assert_int_equal(r->c.ooo_recent[0], 0xfffffff0u + 2 + 4 * 99);
	assert_int_equal(OOO(r, 99).end, 0xfffffff0u + 2 + 4 * 100 + 2);
	/* only the holes are resent: all of it comes in order */
	for (uint32_t i = 0, adv = 0; i < n; i++) {
		if (i != 100)
			adv += put(r, 4 * i, 2);
		if (i == n - 1)
			assert_int_equal(adv, end);
	}
	assert_int_equal(r->c.ooo.n, 0);
	assert_int_equal(r->c.ooo.bytes, 0);
	take(r, &done, end);
}

/* ---- the range set (tcp_ranges.c) ---- */

#define RG(rs) dp_tcp_ranges_cv(&(rs))

static void
test_ranges_merge_trim(void **state)
{
	struct dp_tcp_ranges rs = { 0 };
	const uint32_t b = 0xffffff00u;		/* across the wrap */

	(void)state;
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 100, b + 200), 0);
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 400, b + 500), 1);
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 300, b + 350), 1);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.bytes, 250);
	/* touching merges: [200, 210) joins [100, 200) */
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 200, b + 210), 0);
	assert_int_equal(RG(rs)[0].end, b + 210);
	assert_int_equal(rs.n, 3);
	/* a duplicate inside changes nothing */
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 420, b + 430), 2);
	assert_int_equal(rs.bytes, 260);
	/* one range over two and the gaps between: they become one */
	assert_int_equal(dp_tcp_ranges_add(&rs, b + 340, b + 410), 1);
	assert_int_equal(rs.n, 2);
	assert_int_equal(RG(rs)[1].start, b + 300);
	assert_int_equal(RG(rs)[1].end, b + 500);
	assert_int_equal(rs.bytes, 110 + 200);
	/* lookups */
	assert_int_equal(dp_tcp_ranges_find(&rs, b + 100), 0);
	assert_int_equal(dp_tcp_ranges_find(&rs, b + 209), 0);
	assert_int_equal(dp_tcp_ranges_find(&rs, b + 210), -1);
	assert_int_equal(dp_tcp_ranges_find(&rs, b + 499), 1);
	assert_int_equal(dp_tcp_ranges_first_after(&rs, b + 50), 0);
	assert_int_equal(dp_tcp_ranges_first_after(&rs, b + 210), 1);
	assert_int_equal(dp_tcp_ranges_first_after(&rs, b + 500), 2);
	/* trim across a range: it is cut at seq (below goes) */
	assert_int_equal(dp_tcp_ranges_trim(&rs, b + 150), 0);
	assert_int_equal(RG(rs)[0].start, b + 150);
	assert_int_equal(rs.bytes, 60 + 200);
	assert_int_equal(dp_tcp_ranges_trim(&rs, b + 350), 1);
	assert_int_equal(rs.n, 1);
	assert_int_equal(RG(rs)[0].start, b + 350);
	assert_int_equal(rs.bytes, 150);
	dp_tcp_ranges_pop(&rs);
	assert_int_equal(rs.n, 0);
	assert_int_equal(rs.bytes, 0);
	assert_int_equal(dp_tcp_ranges_trim(&rs, b + 900), 0);
	dp_tcp_ranges_release(&rs);
}

static void
test_ranges_full_inline(void **state)
{
	struct dp_tcp_ranges rs = { 0 };	/* no growth allowed */

	(void)state;
	for (uint32_t i = 0; i < TCP_RANGES_INLINE; i++)
		assert_int_equal(dp_tcp_ranges_add(&rs, 10 * i, 10 * i + 5),
				 (int)i);
	/* full: a new range is refused, nothing changes */
	assert_int_equal(dp_tcp_ranges_add(&rs, 10 * TCP_RANGES_INLINE,
					   10 * TCP_RANGES_INLINE + 5),
			 -ENOSPC);
	assert_int_equal(dp_tcp_ranges_add(&rs, 6, 7), -ENOSPC);
	assert_int_equal(rs.n, TCP_RANGES_INLINE);
	assert_int_equal(rs.bytes, 5 * TCP_RANGES_INLINE);
	assert_null(rs.heap);
	/* merging needs no room: [5, 10) joins the first two */
	assert_int_equal(dp_tcp_ranges_add(&rs, 5, 10), 0);
	assert_int_equal(rs.n, TCP_RANGES_INLINE - 1);
	assert_int_equal(dp_tcp_ranges_cv(&rs)[0].end, 15);
	/* and then there is room again */
	assert_int_equal(dp_tcp_ranges_add(&rs, 10 * TCP_RANGES_INLINE,
					   10 * TCP_RANGES_INLINE + 5),
			 TCP_RANGES_INLINE - 1);
	/* the limits from the buffers */
	assert_int_equal(dp_tcp_ranges_limit(65536), TCP_RANGES_INLINE);
	assert_int_equal(dp_tcp_ranges_limit(8u << 20), 4096);
	assert_int_equal(dp_tcp_ranges_limit(32u << 20), TCP_RANGES_MAX);
	assert_int_equal(dp_tcp_ranges_limit(UINT32_MAX), TCP_RANGES_MAX);
}

static unsigned ranges_fail;	/* allocations to refuse */

static void *
ranges_realloc_failing(void *p, size_t n)
{
	if (ranges_fail > 0) {
		ranges_fail--;
		return NULL;
	}
	return realloc(p, n);
}

static void
test_ranges_grow_and_alloc_failure(void **state)
{
	struct dp_tcp_ranges rs = { 0 };
	void *(*saved)(void *, size_t) = dp_tcp_ranges_realloc;
	uint32_t n = 1000;

	(void)state;
	dp_tcp_ranges_realloc = ranges_realloc_failing;
	dp_tcp_ranges_set_max(&rs, n);
	for (uint32_t i = 0; i < TCP_RANGES_INLINE; i++)
		assert_true(dp_tcp_ranges_add(&rs, 4 * i, 4 * i + 2) >= 0);
	/* growing fails: refused, the set intact and inline */
	ranges_fail = 1;
	assert_int_equal(dp_tcp_ranges_add(&rs, 4 * n, 4 * n + 2), -ENOSPC);
	assert_int_equal(rs.n, TCP_RANGES_INLINE);
	assert_null(rs.heap);
	assert_int_equal(dp_tcp_ranges_capacity(&rs), TCP_RANGES_INLINE);
	/* the next growth works: inline ranges moved to the heap */
	for (uint32_t i = TCP_RANGES_INLINE; i < n; i++)
		assert_int_equal(dp_tcp_ranges_add(&rs, 4 * i, 4 * i + 2),
				 (int)i);
	assert_non_null(rs.heap);
	assert_int_equal(rs.n, n);
	assert_int_equal(rs.bytes, 2 * n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(dp_tcp_ranges_cv(&rs)[i].start, 4 * i);
		assert_int_equal(dp_tcp_ranges_find(&rs, 4 * i + 1), (int)i);
	}
	/* at the limit */
	assert_int_equal(dp_tcp_ranges_capacity(&rs), n);
	assert_int_equal(dp_tcp_ranges_add(&rs, 4 * n, 4 * n + 2), -ENOSPC);
	/* growing fails in the middle of the heap's life too */
	dp_tcp_ranges_release(&rs);
	assert_null(rs.heap);
	assert_int_equal(rs.n, 0);
	for (uint32_t i = 0; i < 2 * TCP_RANGES_INLINE; i++)
		assert_true(dp_tcp_ranges_add(&rs, 4 * i, 4 * i + 2) >= 0);
	ranges_fail = 1;
	assert_int_equal(dp_tcp_ranges_add(&rs, 4 * n, 4 * n + 2), -ENOSPC);
	assert_int_equal(rs.n, 2 * TCP_RANGES_INLINE);
	assert_int_equal(dp_tcp_ranges_cv(&rs)[2 * TCP_RANGES_INLINE - 1].end,
			 4 * (2 * TCP_RANGES_INLINE - 1) + 2);
	/* front removal keeps the order */
	assert_int_equal(dp_tcp_ranges_trim(&rs, 4 * 10 + 1), 10);
	assert_int_equal(dp_tcp_ranges_cv(&rs)[0].start, 4 * 10 + 1);
	dp_tcp_ranges_release(&rs);	/* LSan: nothing left */
	dp_tcp_ranges_realloc = saved;
}

/*
 * Random adds, trims and pops against a model (one flag per sequence
 * number), with small limits and failing allocations: after every step
 * the set is sorted, disjoint, apart, its byte count right, and it holds
 * exactly what the model does (an add refused for room changes nothing).
 */
#define RM_SPAN 6000

static void
test_ranges_random_model(void **state)
{
	static bool model[RM_SPAN];
	struct dp_tcp_ranges rs = { 0 };
	void *(*saved)(void *, size_t) = dp_tcp_ranges_realloc;
	const uint32_t b = 0xfffff000u;		/* across the wrap */
	uint32_t lo = 0;			/* everything below trimmed */
	uint64_t x = 88172645463325252ull;
	unsigned nospc = 0, max_n = 0, max_off = 0, grown = 0;

	(void)state;
	memset(model, 0, sizeof(model));
	dp_tcp_ranges_realloc = ranges_realloc_failing;
	dp_tcp_ranges_set_max(&rs, 150);
	for (unsigned step = 0; step < 200000; step++) {
		uint32_t op, st, len, cnt = 0, i = 0;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		op = (uint32_t)(x % 100);
		st = lo + (uint32_t)((x >> 8) % 1500);
		len = 1 + (uint32_t)((x >> 24) % 4);
		if (st + len >= RM_SPAN || (op < 2 && lo > RM_SPAN - 1600)) {
			/* start over (the window slides to the end) */
			dp_tcp_ranges_clear(&rs);
			memset(model, 0, sizeof(model));
			lo = 0;
			continue;
		}
		if ((x >> 40) % 500 == 0)
			ranges_fail = 1;
		if (op < 2) {
			lo += (uint32_t)((x >> 32) % 40);
			dp_tcp_ranges_trim(&rs, b + lo);
			for (uint32_t k = 0; k < lo; k++)
				model[k] = false;
		} else if (op < 3 && rs.n > 0) {
			uint32_t e = RG(rs)[rs.n - 1].end - b;

			dp_tcp_ranges_pop(&rs);
			for (uint32_t k = e; k-- > 0 && model[k];)
				model[k] = false;
		} else {
			int r = dp_tcp_ranges_add(&rs, b + st, b + st + len);

			if (r >= 0) {
				for (uint32_t k = st; k < st + len; k++)
					model[k] = true;
				assert_true(SEQ_LEQ(RG(rs)[r].start, b + st));
				assert_true(SEQ_GEQ(RG(rs)[r].end,
						    b + st + len));
			} else {
				assert_int_equal(r, -ENOSPC);
				assert_true(rs.n >= TCP_RANGES_INLINE);
				nospc++;
			}
		}
		/* compare */
		for (uint32_t k = 0; k < RM_SPAN; k++) {
			if (!model[k])
				continue;
			cnt++;
			if (k == 0 || !model[k - 1]) {
				assert_true(i < rs.n);
				assert_int_equal(RG(rs)[i].start, b + k);
			}
			if (k + 1 == RM_SPAN || !model[k + 1]) {
				assert_int_equal(RG(rs)[i].end, b + k + 1);
				i++;
			}
		}
		assert_int_equal(i, rs.n);
		assert_int_equal(cnt, rs.bytes);
		assert_true(rs.n <= 150);
		assert_true(rs.off + rs.n <= dp_tcp_ranges_capacity(&rs));
		max_n = rs.n > max_n ? rs.n : max_n;
		max_off = rs.off > max_off ? rs.off : max_off;
		grown += rs.heap != NULL;
	}
	printf("# %u refused, most ranges %u, most off %u, %u steps grown\n",
	       nospc, max_n, max_off, grown);
	/* every path was taken: full, grown, trimmed from below */
	assert_true(nospc > 0);
	assert_int_equal(max_n, 150);
	assert_true(max_off > 10);
	assert_true(grown > 0);
	ranges_fail = 0;
	dp_tcp_ranges_release(&rs);
	dp_tcp_ranges_realloc = saved;
}

static void
test_syncookie_roundtrip(void **state)
{
	struct nst *t = *state;
	struct dp_core *core = &t->core;
	uint16_t mss = 1400;
	uint32_t ck;
	struct dp_tcp_opts o = { .ws_ok = true, .ws = 9, .sack_ok = true };
	struct dp_tcp_opts back;

	assert_int_equal(dp_tcp_stack_init(core, NULL), 0);
	ck = dp_tcp_cookie_make(core, 1, 2, 3, 4, 1000, &mss);
	assert_int_equal(mss, 1300);	/* rounded down to the table */
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 4, 1000, ck),
			 1300);
	/* wrong tuple, peer ISN, or tampered bits: rejected */
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 5, 1000, ck), 0);
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 4, 1001, ck), 0);
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 4, 1000,
					     ck ^ (1u << 24)), 0);
	/* valid in the next period, not two later */
	core->now_us += 1ull << 26;
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 4, 1000, ck),
			 1300);
	core->now_us += 1ull << 26;
	assert_int_equal(dp_tcp_cookie_check(core, 1, 2, 3, 4, 1000, ck), 0);
	/* options in the timestamp */
	memset(&back, 0, sizeof(back));
	dp_tcp_cookie_ts_opts(dp_tcp_cookie_tsval(123456, &o), &back);
	assert_true(back.ws_ok && back.sack_ok);
	assert_int_equal(back.ws, 9);
	assert_true(SEQ_LEQ(dp_tcp_cookie_tsval(123456, &o), 123456));
	dp_tcp_stack_fini(core);
}

static void
test_isn_differs_and_advances(void **state)
{
	struct nst *t = *state;
	struct dp_core *core = &t->core;
	uint32_t a = dp_tcp_isn(core, 1, 2, 3, 4);
	uint32_t b = dp_tcp_isn(core, 1, 2, 3, 5);

	assert_int_not_equal(a, b);
	core->now_us += 4000;	/* RFC 6528: +1 per 4 us */
	assert_int_equal(dp_tcp_isn(core, 1, 2, 3, 4) - a, 1000);
}

/*
 * RFC 7323 appendix G: a queue that grows while a 32 MiB window is in
 * flight (the live 125 ms replication run of issue 6: 250 ms -> 1.35 s
 * over 6 s at ~200 Mbit/s), one timestamp sample per two segments.  With
 * per-ACK gains RTTVAR fell to the ACK-to-ACK jitter and the RTO to a few
 * ms above SRTT, below the round trip of a segment sent at that moment:
 * spurious RTOs.  The RTO must stay above that round trip throughout.
 */
static void
test_rto_per_ack_samples(void **state)
{
	struct nst *t = *state;
	struct dp_core *core = &t->core;
	struct dp_tcp_conn c;
	const double rate = 25e6;		/* bytes/s */
	const uint32_t mss = 1448;
	double worst = 1e9;

	assert_int_equal(dp_tcp_stack_init(core, NULL), 0);
	memset(&c, 0, sizeof(c));
	c.flags = TF_TS;
	c.smss = mss + TCP_TS_OPT_LEN;
	for (double s = 0; s < 6.0; s += 2.0 * mss / rate) {
		double rtt = 0.25 + 1.1 * s / 6.0;
		double later = 0.25 + 1.1 * (s + rtt < 6.0 ? s + rtt : 6.0) /
			       6.0;

		c.snd_una = 1000;
		c.snd_max = 1000 + (uint32_t)(rate * rtt);
		dp_tcp_rtt_sample(core, &c, (uint32_t)(rtt * 1e6));
		if (c.rto_us / 1e6 - later < worst)
			worst = c.rto_us / 1e6 - later;
	}
	printf("# RTO minus the round trip of a segment sent then, worst: "
	       "%.1f ms (srtt %u us, rttvar %u us)\n", worst * 1e3,
	       c.srtt_us, c.rttvar_us);
	assert_true(worst > 0.05);
	/* one sample per round trip (no timestamps, Karn) keeps RFC 6298's
	 * gains: 7/8 and 3/4 of the old values */
	memset(&c, 0, sizeof(c));
	c.smss = mss;
	c.snd_max = 100 * mss;
	dp_tcp_rtt_sample(core, &c, 100000);
	assert_int_equal(c.srtt_us, 100000);
	assert_int_equal(c.rttvar_us, 50000);
	dp_tcp_rtt_sample(core, &c, 180000);
	assert_int_equal(c.srtt_us, 110000);
	assert_int_equal(c.rttvar_us, 57500);
	assert_int_equal(c.rto_us, 110000 + 4 * 57500);
	dp_tcp_stack_fini(core);
}

/* FERRY_TCP_TRACE: a byte count or nothing; garbage is refused (off). */
static void
test_trace_env(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(dp_tcp_trace_parse(NULL, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dp_tcp_trace_parse("4194304", &v), 0);
	assert_int_equal(v, 4194304);
	assert_int_equal(dp_tcp_trace_parse("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(dp_tcp_trace_parse("", &v), 0);
	assert_int_equal(v, 0);
	v = 7;
	assert_int_equal(dp_tcp_trace_parse("abc", &v), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(dp_tcp_trace_parse("12k", &v), -EINVAL);
	assert_int_equal(dp_tcp_trace_parse("-1", &v), -EINVAL);
	assert_int_equal(dp_tcp_trace_parse("0", &v), -EINVAL);
	assert_int_equal(dp_tcp_trace_parse("4294967296", &v), -EINVAL);
	assert_int_equal(dp_tcp_trace_parse("99999999999999999999999", &v),
			 -EINVAL);
	assert_int_equal(v, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_arith),
		cmocka_unit_test(test_options_syn),
		cmocka_unit_test(test_options_sack_eol_unknown),
		cmocka_unit_test(test_options_malformed),
		cmocka_unit_test_setup_teardown(test_reass_in_order_and_holes,
						rq_setup, rq_teardown),
		cmocka_unit_test_setup_teardown(test_reass_duplicates_overlaps,
						rq_setup, rq_teardown),
		cmocka_unit_test_setup_teardown(test_reass_window_and_ring_wrap,
						rq_setup, rq_teardown),
		cmocka_unit_test_setup_teardown(test_reass_ooo_limit,
						rq_setup, rq_teardown),
		cmocka_unit_test_setup_teardown(test_reass_ooo_grows,
						rq_setup, rq_teardown),
		cmocka_unit_test(test_ranges_merge_trim),
		cmocka_unit_test(test_ranges_full_inline),
		cmocka_unit_test(test_ranges_grow_and_alloc_failure),
		cmocka_unit_test(test_ranges_random_model),
		cmocka_unit_test_setup_teardown(test_syncookie_roundtrip,
						nst_setup, nst_teardown),
		cmocka_unit_test_setup_teardown(test_isn_differs_and_advances,
						nst_setup, nst_teardown),
		cmocka_unit_test_setup_teardown(test_rto_per_ack_samples,
						nst_setup, nst_teardown),
		cmocka_unit_test(test_trace_env),
	};

	if (nst_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
