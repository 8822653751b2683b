/*
 * test_le_rate.c -- the link emulator's bandwidth cap
 * (tools/linkemu/le_rate.[ch]) with virtual time: wire-byte accounting,
 * the sustained rate and the burst, exact conformance times, queue limits
 * in packets and bytes (tail drop), overload, a late poll that keeps the
 * link's capacity and reports each frame's departure on the link.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "le_rate.h"

#define HZ 1000000000ULL	/* 1 tick = 1 ns */

static void *
tok(uintptr_t i)
{
	return (void *)(i + 1);
}

static struct le_rate_cfg
cfg_of(uint64_t bps, uint64_t burst, uint32_t limit)
{
	struct le_rate_cfg c = { .rate_bps = bps, .burst_bytes = burst,
				 .limit_pkts = limit,
				 .overhead = LE_RATE_OVERHEAD_DEFAULT };
	return c;
}

static void
test_wire_bytes(void **state)
{
	struct le_rate_cfg c = cfg_of(0, 0, 10);

	assert_int_equal(le_rate_wire_bytes(&c, 1514), 1538);
	assert_int_equal(le_rate_wire_bytes(&c, 42), 84);	/* padded */
	c.overhead = 0;
	assert_int_equal(le_rate_wire_bytes(&c, 100), 100);
}

/* 10 Mbit/s, 1000-byte frames (1024 on the wire): after the bucket's
 * worth, one frame every 819.2 us; 1000 frames in 819.2 ms +- 1 frame. */
static void
test_rate(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(10000000, 3072, 2000);
	uint64_t now = 0, first_gap = 0, t_prev = 0, t_last = 0;
	int out = 0;
	void *p;

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	for (uintptr_t i = 0; i < 1003; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 1000, 0), 0);
	/* the full bucket (3072 B) lets 3 frames go at once */
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(le_rate_dequeue(&q, &c, 0, NULL), tok(i));
	assert_null(le_rate_dequeue(&q, &c, 0, NULL));
	for (now = 1; out < 1000; now += 1000) {	/* 1 us steps */
		while ((p = le_rate_dequeue(&q, &c, now, NULL)) != NULL) {
			if (out == 0)
				first_gap = now;
			t_prev = t_last;
			t_last = now;
			out++;
		}
	}
	(void)t_prev;
	/* first after the burst: 819.2 us (within a step) */
	assert_true(first_gap >= 819200 && first_gap < 819200 + 1000);
	/* 1000 frames: 1000 * 819.2 us, to within a step */
	assert_true(fabs((double)t_last - 819.2e6) < 2000);
	assert_int_equal(le_rate_count(&q), 0);
	le_rate_fini(&q);
}

/* le_rate_next gives the exact instant the head conforms. */
static void
test_next(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(8000000, 0, 10);	/* 1 byte per us */
	uint64_t t;

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	assert_int_equal(le_rate_next(&q, &c, 0), UINT64_MAX);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(0), 1476, 0), 0);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(1), 1476, 0), 0);
	/* bucket = one frame (1500 wire bytes): first goes now */
	assert_int_equal(le_rate_next(&q, &c, 0), 0);
	assert_ptr_equal(le_rate_dequeue(&q, &c, 0, NULL), tok(0));
	t = le_rate_next(&q, &c, 0);
	assert_int_equal(t, 1500000);	/* 1500 bytes at 1 B/us */
	assert_null(le_rate_dequeue(&q, &c, t - 1, NULL));
	assert_ptr_equal(le_rate_dequeue(&q, &c, t, NULL), tok(1));
	le_rate_fini(&q);
}

static void
test_limits(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(1000, 0, 100);	/* slow: nothing leaves */

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	for (uintptr_t i = 0; i < 100; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 500, 0), 0);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(100), 500, 0), -ENOBUFS);
	assert_int_equal(le_rate_count(&q), 100);
	assert_ptr_equal(le_rate_pop_any(&q), tok(0));
	assert_int_equal(le_rate_enqueue(&q, &c, tok(101), 500, 0), 0);
	while (le_rate_pop_any(&q))
		;
	/* bytes: 1000-byte frames are 1024 on the wire; 5000 B hold 4 */
	c.limit_bytes = 5000;
	for (uintptr_t i = 0; i < 4; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 1000, 0), 0);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(4), 1000, 0), -ENOBUFS);
	/* a small one still fits: 4096 + 84 <= 5000 */
	assert_int_equal(le_rate_enqueue(&q, &c, tok(5), 40, 0), 0);
	assert_int_equal(q.qbytes, 4096 + 84);
	while (le_rate_pop_any(&q))
		;
	assert_int_equal(q.qbytes, 0);
	/* the storage bound holds whatever the limit says */
	c.limit_bytes = 0;
	c.limit_pkts = 0;
	for (uintptr_t i = 0; i < LE_RATE_QUEUE_MAX; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 60, 0), 0);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(0), 60, 0), -ENOBUFS);
	le_rate_fini(&q);
}

/* Unlimited: everything leaves at once. */
static void
test_unlimited(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(0, 0, 1000);

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	for (uintptr_t i = 0; i < 500; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 1514, 0), 0);
	for (uintptr_t i = 0; i < 500; i++)
		assert_ptr_equal(le_rate_dequeue(&q, &c, 0, NULL), tok(i));
	assert_null(le_rate_dequeue(&q, &c, 0, NULL));
	le_rate_fini(&q);
}

/* Offered 20 Mbit/s into 10 Mbit/s with a 50-packet queue for 1 s: about
 * half is tail-dropped, the output is the capped rate. */
static void
test_overload(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(10000000, 1538, 50);
	uint64_t sent_bits = 0;
	long in = 0, dropped = 0, out = 0;

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	/* a 1226-byte frame (1250 wire bytes = 10,000 bits) every 500 us */
	for (uint64_t now = 0; now < HZ; now += 10000) {
		if (now % 500000 == 0) {
			in++;
			if (le_rate_enqueue(&q, &c, tok(0), 1226, now) < 0)
				dropped++;
		}
		while (le_rate_dequeue(&q, &c, now, NULL)) {
			out++;
			sent_bits += 1250 * 8;
		}
	}
	assert_int_equal(in, 2000);
	assert_int_equal(in, out + dropped + (long)le_rate_count(&q));
	/* 10 Mbit in 1 s (+ the initial bucket), to within 0.5% */
	assert_true(fabs((double)sent_bits - 10.0e6) < 0.005 * 10e6 + 1538 * 8);
	assert_true(labs(dropped - 950) < 15);
	le_rate_fini(&q);
}

/* A poll that comes late (the emulator descheduled) must not cost the link
 * capacity: 10 Mbit/s, 1000-byte frames (819.2 us each), a one-frame
 * bucket, 1000 frames queued at once, polled only every 50 ms.  Every
 * frame leaves at its exact time on the emulated link (reported in dep),
 * the last one at 999 * 819.2 us, and the poll that finds it is at most
 * one poll interval later. */
static void
test_late_poll(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(10000000, 0, 2000);
	uint64_t now, dep, found = 0;
	int out = 0;
	void *p;

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	for (uintptr_t i = 0; i < 1000; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 1000, 0), 0);
	for (now = 0; out < 1000 && now < 10 * HZ; now += 50000000) {
		while ((p = le_rate_dequeue(&q, &c, now, &dep)) != NULL) {
			assert_ptr_equal(p, tok((uintptr_t)out));
			/* frame k leaves at k * 819.2 us (the first one
			 * takes the full bucket at 0) */
			assert_true(llabs((long long)dep - out * 819200LL) <= 1);
			assert_true(dep <= now);
			out++;
			found = now;
		}
	}
	assert_int_equal(out, 1000);
	assert_true(found >= 999 * 819200ULL && found < 999 * 819200ULL + 50000000);
	le_rate_fini(&q);
}

/* While the FIFO is empty the bucket saves at most its depth: a frame
 * after 1 s of silence leaves at once, the next ones at the line rate
 * again (a late poll after that releases only what the link could have
 * sent since, not the whole second). */
static void
test_idle_saves_only_the_bucket(void **state)
{
	struct le_rate q;
	struct le_rate_cfg c = cfg_of(8000000, 3000, 100);	/* 1 B/us */
	uint64_t dep;

	assert_int_equal(le_rate_init(&q, HZ, 0), 0);
	assert_int_equal(le_rate_enqueue(&q, &c, tok(0), 976, 0), 0);
	assert_ptr_equal(le_rate_dequeue(&q, &c, 0, &dep), tok(0));
	assert_int_equal(dep, 0);
	/* 1 s idle, then 10 frames of 1000 wire bytes at once */
	for (uintptr_t i = 1; i <= 10; i++)
		assert_int_equal(le_rate_enqueue(&q, &c, tok(i), 976, HZ), 0);
	/* the bucket (3000 B) lets 3 go at HZ, not 10 */
	for (uintptr_t i = 1; i <= 3; i++) {
		assert_ptr_equal(le_rate_dequeue(&q, &c, HZ, &dep), tok(i));
		assert_int_equal(dep, HZ);	/* not before it arrived */
	}
	assert_null(le_rate_dequeue(&q, &c, HZ, &dep));
	/* polled 5 ms late: the 5 frames the link sent meanwhile, each at
	 * its own time (1000 us apart) */
	for (uintptr_t i = 4; i <= 8; i++) {
		assert_ptr_equal(le_rate_dequeue(&q, &c, HZ + 5000000, &dep),
				 tok(i));
		assert_int_equal(dep, HZ + (i - 3) * 1000000);
	}
	assert_null(le_rate_dequeue(&q, &c, HZ + 5000000, &dep));
	le_rate_fini(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_bytes),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_late_poll),
		cmocka_unit_test(test_idle_saves_only_the_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
