/*
 * hdr.h -- an HdrHistogram-style log-linear latency histogram.
 *
 * Values (nanoseconds in ferry-bench, any unsigned unit here) fall into
 * buckets whose width doubles with every power of two above 2^FB_HDR_BITS,
 * each power split into 2^(FB_HDR_BITS-1) linear sub-buckets.  So a value is
 * known to within a relative error of at most 2^-(FB_HDR_BITS-1) (FB_HDR_BITS
 * 11: 1/1024, under 0.1%), values below 2^FB_HDR_BITS exactly; percentiles
 * report the highest value equivalent to the bucket (as HdrHistogram's
 * getValueAtPercentile), min, max, count and sum are exact.  Values above
 * FB_HDR_MAX are clamped to it (counted in 'clamped').
 *
 * Layout: index v for v < 2^B; above, with e = floor(log2 v) - (B-1) >= 1
 * and s = v >> e in [2^(B-1), 2^B):  2^B + (e-1) 2^(B-1) + (s - 2^(B-1)).
 *
 * Concurrency: one writer thread (fb_hdr_record); other threads may read a
 * live histogram for progress lines (fb_hdr_* readers use relaxed atomic
 * loads, so they see a slightly stale but never torn count).  Merging and
 * the exact queries are for histograms no longer written.
 */
#ifndef FB_HDR_H
#define FB_HDR_H

#include <stdint.h>
#include <stdio.h>

#define FB_HDR_BITS 11
#define FB_HDR_MAX_EXP 40		/* values up to 2^40 - 1 (18 min in ns) */
#define FB_HDR_MAX ((UINT64_C(1) << FB_HDR_MAX_EXP) - 1)
#define FB_HDR_NBUCKETS ((1u << FB_HDR_BITS) + \
	(FB_HDR_MAX_EXP - FB_HDR_BITS) * (1u << (FB_HDR_BITS - 1)))

struct fb_hdr {
	uint64_t count;
	uint64_t sum;			/* of the recorded (clamped) values */
	uint64_t min, max;		/* exact; min is UINT64_MAX when empty */
	uint64_t clamped;		/* values above FB_HDR_MAX */
	uint64_t counts[FB_HDR_NBUCKETS];
};

/* Empty the histogram.  Any thread owning it. */
void fb_hdr_reset(struct fb_hdr *h);

/* Record one value (the owner thread only). */
void fb_hdr_record(struct fb_hdr *h, uint64_t v);

/* Add every count of src into dst (dst: the caller's; src may be live,
 * then the sum is approximate). */
void fb_hdr_merge(struct fb_hdr *dst, const struct fb_hdr *src);

/* The bucket index of v, and the lowest / highest value of a bucket. */
unsigned fb_hdr_index(uint64_t v);
uint64_t fb_hdr_lowest(unsigned idx);
uint64_t fb_hdr_highest(unsigned idx);

/* The value at percentile p (0..100): the highest value equivalent to the
 * bucket holding the ceil(p/100 * count)-th smallest value (clamped to the
 * exact max; p 0 gives the exact min).  0 when empty.  Safe on a live
 * histogram (approximate then). */
uint64_t fb_hdr_percentile(const struct fb_hdr *h, double p);

/* Mean of the recorded values, 0 when empty. */
double fb_hdr_mean(const struct fb_hdr *h);
/* Standard deviation, from bucket midpoints (as HdrHistogram). */
double fb_hdr_stddev(const struct fb_hdr *h);

/*
 * Write HdrHistogram's percentile distribution text (the format of
 * outputPercentileDistribution, which HdrHistogram's plotter reads):
 * "Value Percentile TotalCount 1/(1-Percentile)" rows, ticks_per_half
 * rows per halving of the remaining distance to 100%, then the #[Mean ...]
 * footer.  Values are divided by 'scale' (1e6: nanoseconds written as
 * milliseconds).  0 or -EIO.
 */
int fb_hdr_write_percentiles(const struct fb_hdr *h, FILE *f,
			     unsigned ticks_per_half, double scale);

#endif
