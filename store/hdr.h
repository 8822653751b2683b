/*
 * hdr.h -- an HdrHistogram-style log-linear latency histogram.
 *
 * Values (nanoseconds in ferry-bench, any unsigned unit here) fall into
 * buckets whose width doubles with every power of two above 2^ST_HDR_BITS,
 * each power split into 2^(ST_HDR_BITS-1) linear sub-buckets.  So a value is
 * known to within a relative error of at most 2^-(ST_HDR_BITS-1) (ST_HDR_BITS
 * 11: 1/1024, under 0.1%), values below 2^ST_HDR_BITS exactly; percentiles
 * report the highest value equivalent to the bucket (as HdrHistogram's
 * getValueAtPercentile), min, max, count and sum are exact.  Values above
 * ST_HDR_MAX are clamped to it (counted in 'clamped').
 *
 * Layout: index v for v < 2^B; above, with e = floor(log2 v) - (B-1) >= 1
 * and s = v >> e in [2^(B-1), 2^B):  2^B + (e-1) 2^(B-1) + (s - 2^(B-1)).
 *
 * Concurrency: one writer thread (st_hdr_record, st_hdr_record_n,
 * st_hdr_reset); other threads may read a live histogram for progress
 * lines (st_hdr_* readers use relaxed atomic loads, so they see a slightly
 * stale but never torn count).  Merging and the exact queries are for
 * histograms no longer written.
 *
 * Shared (libferrystore): ferry-bench (client-side latency, ns), ferryd's per-core
 * residence histograms (dataplane/dp_latency.h, TSC cycles) and the
 * replica's lag probe (control/repl_lagprobe.h, microseconds) use this
 * one file; it depends on libc and libm only.
 */
#ifndef ST_HDR_H
#define ST_HDR_H

#include <stdint.h>
#include <stdio.h>

#define ST_HDR_BITS 11
#define ST_HDR_MAX_EXP 40		/* values up to 2^40 - 1 (18 min in ns) */
#define ST_HDR_MAX ((UINT64_C(1) << ST_HDR_MAX_EXP) - 1)
#define ST_HDR_NBUCKETS ((1u << ST_HDR_BITS) + \
	(ST_HDR_MAX_EXP - ST_HDR_BITS) * (1u << (ST_HDR_BITS - 1)))

struct st_hdr {
	uint64_t count;
	uint64_t sum;			/* of the recorded (clamped) values */
	uint64_t min, max;		/* exact; min is UINT64_MAX when empty */
	uint64_t clamped;		/* values above ST_HDR_MAX */
	uint64_t counts[ST_HDR_NBUCKETS];
};

/* Empty the histogram.  The writer thread (relaxed atomic stores, so a
 * concurrent reader sees zeros or old counts, never torn words). */
void st_hdr_reset(struct st_hdr *h);

/* Record one value (the owner thread only). */
void st_hdr_record(struct st_hdr *h, uint64_t v);
/* Record n equal values at once (n 0: nothing).  The owner thread only. */
void st_hdr_record_n(struct st_hdr *h, uint64_t v, uint64_t n);

/* Add every count of src into dst (dst: the caller's; src may be live,
 * then the sum is approximate). */
void st_hdr_merge(struct st_hdr *dst, const struct st_hdr *src);

/* The bucket index of v, and the lowest / highest value of a bucket. */
unsigned st_hdr_index(uint64_t v);
uint64_t st_hdr_lowest(unsigned idx);
uint64_t st_hdr_highest(unsigned idx);

/* The value at percentile p (0..100): the highest value equivalent to the
 * bucket holding the ceil(p/100 * count)-th smallest value (clamped to the
 * exact max; p 0 gives the exact min).  0 when empty.  Safe on a live
 * histogram (approximate then). */
uint64_t st_hdr_percentile(const struct st_hdr *h, double p);

/* Mean of the recorded values, 0 when empty. */
double st_hdr_mean(const struct st_hdr *h);
/* Standard deviation, from bucket midpoints (as HdrHistogram). */
double st_hdr_stddev(const struct st_hdr *h);

/*
 * Write HdrHistogram's percentile distribution text (the format of
 * outputPercentileDistribution, which HdrHistogram's plotter reads):
 * "Value Percentile TotalCount 1/(1-Percentile)" rows, ticks_per_half
 * rows per halving of the remaining distance to 100%, then the #[Mean ...]
 * footer.  Values are divided by 'scale' (1e6: nanoseconds written as
 * milliseconds).  0 or -EIO.
 */
int st_hdr_write_percentiles(const struct st_hdr *h, FILE *f,
			     unsigned ticks_per_half, double scale);

#endif
