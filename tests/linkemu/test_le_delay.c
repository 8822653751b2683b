/*
 * test_le_delay.c -- the link emulator's delay queue and jitter
 * (tools/linkemu/le_delay.[ch]) with virtual time: release order and
 * times, 100k packets in flight, jitter distribution statistics, and no
 * reordering when order is kept.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "le_delay.h"
#include "le_time.h"

#define HZ 1000000000ULL	/* virtual clock: 1 tick = 1 ns */
#define MS 1000000ULL

static void *
tok(uintptr_t i)
{
	return (void *)(i + 1);	/* never NULL */
}

static uintptr_t
untok(void *p)
{
	return (uintptr_t)p - 1;
}

/* Random release times: pops come out sorted, ties in arrival order. */
static void
test_order(void **state)
{
	struct le_delay_queue q;
	struct le_rand r;
	enum { N = 5000 };
	uint64_t rel[N], last_rel = 0, t;
	uintptr_t last_i = 0;
	void *p;

	assert_int_equal(le_delay_init(&q, N), 0);
	le_rand_seed(&r, 7);
	for (uintptr_t i = 0; i < N; i++) {
		rel[i] = le_rand_u64(&r) % 100;	/* many ties */
		assert_int_equal(le_delay_push(&q, rel[i], tok(i)), 0);
	}
	assert_int_equal(le_delay_count(&q), N);
	for (int k = 0; k < N; k++) {
		p = le_delay_pop_due(&q, 1000, &t);
		assert_non_null(p);
		assert_int_equal(t, rel[untok(p)]);
		assert_true(t >= last_rel);
		if (k > 0 && t == last_rel)
			assert_true(untok(p) > last_i);
		last_rel = t;
		last_i = untok(p);
	}
	assert_null(le_delay_pop_due(&q, UINT64_MAX, NULL));
	assert_int_equal(le_delay_next(&q), UINT64_MAX);
	le_delay_fini(&q);
}

/* Fixed delay: released exactly at arrival + delay, not a tick before;
 * the TSC-like clock converts exactly. */
static void
test_release_times(void **state)
{
	struct le_delay_queue q;
	struct le_delay_cfg cfg = { .delay_ns = 70 * MS };
	struct le_rand r;
	uint64_t rel, t;

	le_rand_seed(&r, 1);
	assert_int_equal(le_delay_init(&q, 4), 0);
	rel = le_delay_release_time(&q, &cfg, &r, 5000, HZ);
	assert_int_equal(rel, 5000 + 70 * MS);
	assert_int_equal(le_delay_push(&q, rel, tok(0)), 0);
	assert_int_equal(le_delay_next(&q), rel);
	assert_null(le_delay_pop_due(&q, rel - 1, NULL));
	assert_ptr_equal(le_delay_pop_due(&q, rel, &t), tok(0));
	assert_int_equal(t, rel);
	/* 2.6 GHz TSC: 70 ms = 182,000,000 ticks */
	q.last_release = 0;
	assert_int_equal(le_delay_release_time(&q, &cfg, &r, 0, 2600000000ULL),
			 182000000ULL);
	assert_int_equal(le_ns_to_ticks(1, 2600000000ULL), 3);
	assert_int_equal(le_ticks_to_ns(2600, 2600000000ULL), 1000);
	/* zero delay: due at once */
	cfg.delay_ns = 0;
	q.last_release = 0;
	rel = le_delay_release_time(&q, &cfg, &r, 42, HZ);
	assert_int_equal(rel, 42);
	le_delay_fini(&q);
}

/* 100k packets in flight (one per us, 70 ms each): all held, released in
 * order at exactly arrival + 70 ms; one more than the capacity is
 * refused. */
static void
test_100k_in_flight(void **state)
{
	enum { N = 100000 };
	struct le_delay_queue q;
	struct le_delay_cfg cfg = { .delay_ns = 70 * MS };
	struct le_rand r;
	uint64_t rel, t, now;
	uintptr_t next = 0;
	void *p;

	le_rand_seed(&r, 1);
	assert_int_equal(le_delay_init(&q, N), 0);
	for (uintptr_t i = 0; i < N; i++) {
		now = i * 1000;	/* 1 us apart: 100 ms of arrivals > 70 ms */
		rel = le_delay_release_time(&q, &cfg, &r, now, HZ);
		assert_int_equal(le_delay_push(&q, rel, tok(i)), 0);
	}
	assert_int_equal(le_delay_count(&q), N);
	assert_int_equal(le_delay_push(&q, UINT64_MAX, tok(N)), -ENOBUFS);
	/* nothing is due before the first release */
	assert_null(le_delay_pop_due(&q, 70 * MS - 1, NULL));
	/* walk virtual time in 10 us steps */
	for (now = 70 * MS; next < N; now += 10000) {
		while ((p = le_delay_pop_due(&q, now, &t)) != NULL) {
			assert_int_equal(untok(p), next);
			assert_int_equal(t, next * 1000 + 70 * MS);
			assert_true(t <= now && now - t < 10000);
			next++;
		}
	}
	assert_int_equal(le_delay_count(&q), 0);
	le_delay_fini(&q);
}

struct moments {
	double mean, sd, min, max;
};

/* n release offsets (ns) drawn at one instant with reordering allowed. */
static struct moments
sample(const struct le_delay_cfg *cfg, int n, uint64_t seed, double *within1)
{
	struct le_delay_queue q;
	struct le_rand r;
	struct moments m = { 0, 0, INFINITY, -INFINITY };
	double s = 0, s2 = 0;
	int in1 = 0;

	le_rand_seed(&r, seed);
	assert_int_equal(le_delay_init(&q, 1), 0);
	for (int i = 0; i < n; i++) {
		double x = (double)le_delay_release_time(&q, cfg, &r, 0, HZ);

		s += x;
		s2 += x * x;
		if (x < m.min)
			m.min = x;
		if (x > m.max)
			m.max = x;
		if (fabs(x - (double)cfg->delay_ns) <= (double)cfg->jitter_ns)
			in1++;
	}
	le_delay_fini(&q);
	m.mean = s / n;
	m.sd = sqrt(s2 / n - m.mean * m.mean);
	if (within1)
		*within1 = (double)in1 / n;
	return m;
}

static void
test_jitter_uniform(void **state)
{
	struct le_delay_cfg cfg = { .delay_ns = 10 * MS, .jitter_ns = 2 * MS,
				    .dist = LE_DIST_UNIFORM, .reorder = true };
	struct moments m = sample(&cfg, 200000, 3, NULL);

	/* U(-2, 2) ms: mean 10 ms, sd 2/sqrt(3) ms, support [8, 12] ms */
	assert_true(fabs(m.mean - 10e6) < 0.01e6);
	assert_true(fabs(m.sd - 2e6 / sqrt(3)) < 0.02 * 2e6 / sqrt(3));
	assert_true(m.min >= 8e6 && m.min < 8.01e6);
	assert_true(m.max <= 12e6 && m.max > 11.99e6);
}

static void
test_jitter_normal(void **state)
{
	struct le_delay_cfg cfg = { .delay_ns = 50 * MS, .jitter_ns = 5 * MS,
				    .dist = LE_DIST_NORMAL, .reorder = true };
	double in1;
	struct moments m = sample(&cfg, 200000, 4, &in1);

	assert_true(fabs(m.mean - 50e6) < 0.05e6);
	assert_true(fabs(m.sd - 5e6) < 0.02 * 5e6);
	assert_true(fabs(in1 - 0.6827) < 0.01);	/* 68.27% within 1 sd */
	assert_true(m.min < 30e6 && m.max > 70e6);	/* real tails (4 sd) */
	/* a huge stddev never releases before arrival */
	cfg.jitter_ns = 100 * MS;
	m = sample(&cfg, 10000, 5, NULL);
	assert_true(m.min >= 0);
}

/* Reorder off: release times never decrease, packets leave in arrival
 * order; with reorder on the same draws do reorder. */
static void
test_jitter_order(void **state)
{
	for (int reorder = 0; reorder <= 1; reorder++) {
		enum { N = 20000 };
		struct le_delay_queue q;
		struct le_delay_cfg cfg = { .delay_ns = 10 * MS,
					    .jitter_ns = 5 * MS,
					    .dist = LE_DIST_NORMAL,
					    .reorder = reorder };
		struct le_rand r;
		uint64_t last = 0, rel;
		uintptr_t expect = 0;
		int out_of_order = 0;
		void *p;

		le_rand_seed(&r, 9);
		assert_int_equal(le_delay_init(&q, N), 0);
		for (uintptr_t i = 0; i < N; i++) {
			rel = le_delay_release_time(&q, &cfg, &r, i * 100000, HZ);
			if (!reorder)
				assert_true(rel >= last);
			last = rel;
			assert_int_equal(le_delay_push(&q, rel, tok(i)), 0);
		}
		while ((p = le_delay_pop_due(&q, UINT64_MAX, NULL)) != NULL) {
			if (untok(p) != expect)
				out_of_order++;
			expect = untok(p) + 1;
		}
		if (reorder)
			assert_true(out_of_order > 100);
		else
			assert_int_equal(out_of_order, 0);
		le_delay_fini(&q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_release_times),
		cmocka_unit_test(test_100k_in_flight),
		cmocka_unit_test(test_jitter_uniform),
		cmocka_unit_test(test_jitter_normal),
		cmocka_unit_test(test_jitter_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
