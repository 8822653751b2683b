/*
 * test_hdr.c -- ferry-bench's log-linear histogram (tools/ferry-bench/
 * hdr.c): bucket layout, percentiles against exact percentiles of the same
 * values (sorted) within the stated relative error 2^-(ST_HDR_BITS-1),
 * exact min/max/count/mean, merge, clamping, and the HdrHistogram
 * percentile-distribution text.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hdr.h"

#define REL_ERR (1.0 / (double)(1u << (ST_HDR_BITS - 1)))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct st_hdr *
new_hdr(void)
{
	struct st_hdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	st_hdr_reset(h);
	return h;
}

/* every bucket: lowest <= highest, contiguous with the next, index round
 * trips, and the width is within the relative error */
static void
test_layout(void **state)
{
	(void)state;
	for (unsigned i = 0; i + 1 < ST_HDR_NBUCKETS; i++) {
		uint64_t lo = st_hdr_lowest(i), hi = st_hdr_highest(i);

		assert_true(lo <= hi);
		assert_int_equal(st_hdr_lowest(i + 1), hi + 1);
		assert_int_equal(st_hdr_index(lo), i);
		assert_int_equal(st_hdr_index(hi), i);
		assert_true((double)(hi - lo) <= REL_ERR * (double)lo + 1e-9 ||
			    hi == lo);
	}
	assert_int_equal(st_hdr_highest(ST_HDR_NBUCKETS - 1), ST_HDR_MAX);
	assert_int_equal(st_hdr_index(ST_HDR_MAX), ST_HDR_NBUCKETS - 1);
	assert_int_equal(st_hdr_index(UINT64_MAX), ST_HDR_NBUCKETS - 1);
	/* small values are exact */
	for (uint64_t v = 0; v < (1u << ST_HDR_BITS); v++)
		assert_int_equal(st_hdr_highest(st_hdr_index(v)), v);
}

static void
check_against_exact(struct st_hdr *h, uint64_t *vals, size_t n)
{
	static const double ps[] = {1, 10, 25, 50, 75, 90, 99, 99.9, 99.99,
				    99.999, 100};
	long double sum = 0;

	qsort(vals, n, sizeof(*vals), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += vals[i];
	assert_int_equal(h->count, n);
	assert_int_equal(h->min, vals[0]);
	assert_int_equal(h->max, vals[n - 1]);
	assert_true(fabs(st_hdr_mean(h) - (double)(sum / n)) <=
		    1e-9 * (double)(sum / n) + 1e-9);
	assert_int_equal(st_hdr_percentile(h, 0), vals[0]);
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		size_t rank = (size_t)ceil(ps[k] / 100.0 * (double)n);
		uint64_t exact = vals[rank ? rank - 1 : 0];
		uint64_t got = st_hdr_percentile(h, ps[k]);

		/* never below the exact value, never above by more than
		 * the bucket width */
		assert_true(got >= exact);
		assert_true((double)(got - exact) <= REL_ERR * (double)exact);
	}
}

/* latency-like values: log-uniform from 1 us to 100 ms in ns, plus a tail */
static void
test_percentiles_log_uniform(void **state)
{
	size_t n = 200000;
	uint64_t *vals = malloc(n * sizeof(*vals));
	struct st_hdr *h = new_hdr();

	(void)state;
	assert_non_null(vals);
	for (size_t i = 0; i < n; i++) {
		double u = (double)(next_rand() >> 11) / 9007199254740992.0;
		uint64_t v = (uint64_t)exp(log(1e3) + u * (log(1e8) - log(1e3)));

		if (i % 1000 == 0)
			v *= 50;	/* a tail */
		vals[i] = v;
		st_hdr_record(h, v);
	}
	check_against_exact(h, vals, n);
	free(vals);
	free(h);
}

/* small exact values and values straddling bucket boundaries */
static void
test_percentiles_small_and_edges(void **state)
{
	size_t n = 0;
	uint64_t vals[6000];
	struct st_hdr *h = new_hdr();

	(void)state;
	for (uint64_t v = 0; v < 3000; v++)
		vals[n++] = v;
	for (unsigned e = ST_HDR_BITS; e < 40 && n + 3 <= 6000; e++) {
		vals[n++] = (UINT64_C(1) << e) - 1;
		vals[n++] = UINT64_C(1) << e;
		vals[n++] = (UINT64_C(1) << e) + 1;
	}
	for (size_t i = 0; i < n; i++)
		st_hdr_record(h, vals[i]);
	/* values below 2^B are exact: the median of 0..2999 region */
	assert_int_equal(st_hdr_percentile(h, 10),
			 (uint64_t)ceil(0.10 * (double)n) - 1);
	check_against_exact(h, vals, n);
	free(h);
}

static void
test_empty_single_clamp(void **state)
{
	struct st_hdr *h = new_hdr();

	(void)state;
	assert_int_equal(st_hdr_percentile(h, 50), 0);
	assert_true(st_hdr_mean(h) == 0.0);
	st_hdr_record(h, 123456789);
	assert_int_equal(st_hdr_percentile(h, 0), 123456789);
	/* a single value: every percentile is the exact max */
	assert_int_equal(st_hdr_percentile(h, 50), 123456789);
	assert_int_equal(st_hdr_percentile(h, 100), 123456789);
	st_hdr_record(h, UINT64_MAX);
	assert_int_equal(h->clamped, 1);
	assert_int_equal(h->max, ST_HDR_MAX);
	assert_int_equal(st_hdr_percentile(h, 100), ST_HDR_MAX);
	free(h);
}

/* merging per-core histograms equals recording everything in one */
static void
test_merge(void **state)
{
	struct st_hdr *a = new_hdr(), *b = new_hdr(), *all = new_hdr();

	(void)state;
	for (int i = 0; i < 50000; i++) {
		uint64_t v = next_rand() % 10000000;

		st_hdr_record(i % 3 ? a : b, v);
		st_hdr_record(all, v);
	}
	st_hdr_merge(a, b);
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->sum, all->sum);
	assert_int_equal(a->min, all->min);
	assert_int_equal(a->max, all->max);
	assert_memory_equal(a->counts, all->counts, sizeof(a->counts));
	free(a);
	free(b);
	free(all);
}

/* the text: header, increasing percentiles, a last row at 1.0 with the
 * total count and the max, and the footer */
static void
test_percentile_text(void **state)
{
	struct st_hdr *h = new_hdr();
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	double last_p = -1, last_v = -1, v, p;
	unsigned long long tc, last_tc = 0;
	int rows = 0, final = 0;

	(void)state;
	assert_non_null(f);
	for (uint64_t i = 1; i <= 10000; i++)
		st_hdr_record(h, i * 1000);	/* 1 us .. 10 ms */
	assert_int_equal(st_hdr_write_percentiles(h, f, 5, 1e6), 0);
	fclose(f);
	assert_non_null(strstr(buf, "Value"));
	assert_non_null(strstr(buf, "#[Mean    ="));
	assert_non_null(strstr(buf, "Total count    =        10000]"));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lf %lf %llu", &v, &p, &tc) != 3)
			continue;
		assert_true(p > last_p);
		assert_true(v >= last_v);
		assert_true(tc >= last_tc);
		last_p = p;
		last_v = v;
		last_tc = tc;
		rows++;
		if (p == 1.0) {
			final = 1;
			assert_int_equal(tc, 10000);
			assert_true(fabs(v - 10.0) < 1e-9);	/* 10 ms */
		}
	}
	assert_true(rows > 20);
	assert_true(final);
	free(buf);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_percentiles_log_uniform),
		cmocka_unit_test(test_percentiles_small_and_edges),
		cmocka_unit_test(test_empty_single_clamp),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_percentile_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
