/*
 * hdr.c -- the log-linear latency histogram (see hdr.h).
 *
 * Call chain: conn.c (a verified reply) -> st_hdr_record;  report.c ->
 * st_hdr_merge / st_hdr_percentile / st_hdr_write_percentiles.
 */
#include "hdr.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define HALF (1u << (ST_HDR_BITS - 1))
#define FULL (1u << ST_HDR_BITS)

static inline uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* single writer: a plain read, an atomic store (readers never tear) */
static inline void
bump(uint64_t *p, uint64_t by)
{
	__atomic_store_n(p, *p + by, __ATOMIC_RELAXED);
}

void
st_hdr_reset(struct st_hdr *h)
{
	/* count first: a reader never sees more count than buckets hold */
	__atomic_store_n(&h->count, 0, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < ST_HDR_NBUCKETS; i++)
		__atomic_store_n(&h->counts[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->sum, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->clamped, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->max, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&h->min, UINT64_MAX, __ATOMIC_RELAXED);
}

unsigned
st_hdr_index(uint64_t v)
{
	unsigned e;

	if (v > ST_HDR_MAX)
		v = ST_HDR_MAX;
	if (v < FULL)
		return (unsigned)v;
	e = (unsigned)(63 - __builtin_clzll(v)) - (ST_HDR_BITS - 1);
	return FULL + (e - 1) * HALF + (unsigned)((v >> e) - HALF);
}

uint64_t
st_hdr_lowest(unsigned idx)
{
	unsigned e;

	if (idx < FULL)
		return idx;
	e = (idx - FULL) / HALF + 1;
	return (uint64_t)(HALF + (idx - FULL) % HALF) << e;
}

uint64_t
st_hdr_highest(unsigned idx)
{
	/* a bucket above FULL is 2^e wide, e as in st_hdr_lowest */
	return idx < FULL ? idx : st_hdr_lowest(idx) +
		(UINT64_C(1) << ((idx - FULL) / HALF + 1)) - 1;
}

void
st_hdr_record_n(struct st_hdr *h, uint64_t v, uint64_t n)
{
	if (n == 0)
		return;
	if (v > ST_HDR_MAX) {
		bump(&h->clamped, n);
		v = ST_HDR_MAX;
	}
	bump(&h->counts[st_hdr_index(v)], n);
	bump(&h->sum, v * n);
	if (v < h->min)
		__atomic_store_n(&h->min, v, __ATOMIC_RELAXED);
	if (v > h->max)
		__atomic_store_n(&h->max, v, __ATOMIC_RELAXED);
	/* count last: a reader never sees more count than buckets hold */
	__atomic_store_n(&h->count, h->count + n, __ATOMIC_RELEASE);
}

void
st_hdr_record(struct st_hdr *h, uint64_t v)
{
	st_hdr_record_n(h, v, 1);
}

void
st_hdr_merge(struct st_hdr *dst, const struct st_hdr *src)
{
	uint64_t min = rd(&src->min), max = rd(&src->max);

	/* relaxed loads: src may be a live histogram (progress lines) */
	for (unsigned i = 0; i < ST_HDR_NBUCKETS; i++)
		dst->counts[i] += rd(&src->counts[i]);
	dst->count += rd(&src->count);
	dst->sum += rd(&src->sum);
	dst->clamped += rd(&src->clamped);
	if (min < dst->min)
		dst->min = min;
	if (max > dst->max)
		dst->max = max;
}

uint64_t
st_hdr_percentile(const struct st_hdr *h, double p)
{
	uint64_t total = __atomic_load_n(&h->count, __ATOMIC_ACQUIRE);
	uint64_t want, cum = 0, max = rd(&h->max);

	if (total == 0)
		return 0;
	if (p <= 0.0)
		return rd(&h->min);
	if (p > 100.0)
		p = 100.0;
	want = (uint64_t)ceil(p / 100.0 * (double)total);
	if (want == 0)
		want = 1;
	for (unsigned i = 0; i < ST_HDR_NBUCKETS; i++) {
		cum += rd(&h->counts[i]);
		if (cum >= want) {
			uint64_t v = st_hdr_highest(i);

			return v < max ? v : max;
		}
	}
	return max;
}

double
st_hdr_mean(const struct st_hdr *h)
{
	uint64_t n = rd(&h->count);

	return n ? (double)rd(&h->sum) / (double)n : 0.0;
}

double
st_hdr_stddev(const struct st_hdr *h)
{
	double mean = st_hdr_mean(h), acc = 0.0;
	uint64_t n = rd(&h->count);

	if (n == 0)
		return 0.0;
	for (unsigned i = 0; i < ST_HDR_NBUCKETS; i++) {
		uint64_t c = rd(&h->counts[i]);
		double mid, d;

		if (c == 0)
			continue;
		mid = ((double)st_hdr_lowest(i) + (double)st_hdr_highest(i)) / 2;
		d = mid - mean;
		acc += d * d * (double)c;
	}
	return sqrt(acc / (double)n);
}

/* HdrHistogram's PercentileIterator step: ticks_per_half rows per halving
 * of the distance to 100%. */
static double
next_level(double level, unsigned ticks_per_half)
{
	double half_distance, ticks;

	if (level >= 100.0)
		return 100.0;
	half_distance = pow(2.0, floor(log2(100.0 / (100.0 - level))) + 1);
	ticks = (double)ticks_per_half * half_distance;
	return level + 100.0 / ticks;
}

int
st_hdr_write_percentiles(const struct st_hdr *h, FILE *f,
			 unsigned ticks_per_half, double scale)
{
	uint64_t total = h->count, cum = 0;
	unsigned i = 0;
	double level = 0.0;

	if (ticks_per_half == 0)
		ticks_per_half = 5;
	fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile",
		"TotalCount", "1/(1-Percentile)");
	while (total > 0 && i < ST_HDR_NBUCKETS) {
		uint64_t want = (uint64_t)ceil(level / 100.0 * (double)total);
		uint64_t v;

		if (want == 0)
			want = 1;
		while (cum < want && i < ST_HDR_NBUCKETS)
			cum += h->counts[i++];
		v = st_hdr_highest(i - 1);
		if (v > h->max)
			v = h->max;
		if (cum >= total) {
			fprintf(f, "%12.6f %14.12f %10llu\n", (double)v / scale,
				1.0, (unsigned long long)cum);
			break;
		}
		fprintf(f, "%12.6f %14.12f %10llu %14.2f\n", (double)v / scale,
			level / 100.0, (unsigned long long)cum,
			1.0 / (1.0 - level / 100.0));
		/* skip levels this bucket already covers */
		do
			level = next_level(level, ticks_per_half);
		while ((uint64_t)ceil(level / 100.0 * (double)total) <= cum &&
		       level < 100.0);
	}
	fprintf(f, "#[Mean    = %12.6f, StdDeviation   = %12.6f]\n",
		st_hdr_mean(h) / scale, st_hdr_stddev(h) / scale);
	fprintf(f, "#[Max     = %12.6f, Total count    = %12llu]\n",
		total ? (double)h->max / scale : 0.0,
		(unsigned long long)total);
	fprintf(f, "#[Buckets = %12u, SubBuckets     = %12u]\n",
		ST_HDR_MAX_EXP - ST_HDR_BITS + 1, FULL);
	return ferror(f) ? -EIO : 0;
}
