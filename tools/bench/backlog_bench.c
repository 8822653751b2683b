/*
 * backlog_bench.c -- micro-benchmark of the replication backlog's growth
 * (control/repl_backlog.c): what one append costs the writer while a
 * lagging replica pins everything.
 *
 *   backlog_bench [-n MIB] [-p KIB] [-s BYTES]
 *
 * One writer thread (registered, announcing a quiescent state after each
 * append, as the replication core does) appends -n MiB (default 512) in
 * -p KiB pieces (16) to a backlog created with repl-backlog-size -s bytes
 * (1 MiB), with a pin at offset 1 (a replica that sends nothing), so the
 * backlog must keep everything and grows all the way.  Each append is timed
 * alone (CLOCK_MONOTONIC); the piece's bytes are filled outside the timed
 * region.  Prints the total time of the appends, the slowest single append,
 * p50 / p99 / p99.9, the number of remaps (grow / shrink / resize) and the
 * bytes they copied, the slowest append that remapped and the slowest
 * that did not, the final capacity and the peak RSS.  The slowest
 * append is what the data cores wait for (the writer holds the backlog's
 * lock; their feed rings fill meanwhile).
 *
 * The remap counters come from ctl_backlog_get_stats when the backlog
 * provides it (a weak reference: the same source also links against the
 * flat ring, control/repl_backlog.c up to commit 14c0c66); without it the
 * remaps are counted as capacity changes and the bytes copied estimated
 * as the live span at each remap (the flat ring copied all of it).
 *
 * Build: ninja -C BUILD tests/control/backlog_bench (tests/control/
 * meson.build declares it next to the backlog's test).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "repl.h"
#include "worker.h"

/* NULL when linked against a backlog without counters. */
extern void ctl_backlog_get_stats(struct ctl_backlog_stats *st)
	__attribute__((weak));

/* The replica that sends nothing: it needs every byte from offset 1. */
static long long
pin_at_one(long long floor, long long end)
{
	return 1 >= floor && 1 <= end ? 1 : LLONG_MAX;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long
pct(const long long *sorted, long n, double p)
{
	long i = (long)(p * (double)(n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

static void
usage(void)
{
	fprintf(stderr, "usage: backlog_bench [-n MIB] [-p KIB] [-s BYTES]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long long mib = 512, piece_kib = 16, size = 1 << 20;
	long long total, done = 0, t_all = 0, cap_prev, remaps_seen = 0;
	long long copied_est = 0, remap_max = 0, other_max = 0;
	long long *lat;
	unsigned char *piece;
	struct ctl_backlog_stats st0 = { 0 }, st1 = { 0 };
	struct rusage ru;
	long n = 0, nmax;
	int opt;
	char one;

	while ((opt = getopt(argc, argv, "n:p:s:")) != -1) {
		switch (opt) {
		case 'n': mib = atoll(optarg); break;
		case 'p': piece_kib = atoll(optarg); break;
		case 's': size = atoll(optarg); break;
		default: usage();
		}
	}
	if (mib <= 0 || piece_kib <= 0 || size <= 0)
		usage();
	total = mib << 20;
	nmax = (long)((total + (piece_kib << 10) - 1) / (piece_kib << 10));
	lat = malloc((size_t)nmax * sizeof(*lat));
	piece = malloc((size_t)piece_kib << 10);
	if (lat == NULL || piece == NULL) {
		fprintf(stderr, "backlog_bench: out of memory\n");
		return 1;
	}
	if (ctl_repl_init() != 0 || st_store_init() != 0) {
		fprintf(stderr, "backlog_bench: init failed\n");
		return 1;
	}
	st_thread_register();
	ctl_backlog_set_pin_fn(pin_at_one);
	if (ctl_backlog_create(size) != 0) {
		fprintf(stderr, "backlog_bench: ctl_backlog_create failed\n");
		return 1;
	}
	if (ctl_backlog_get_stats)
		ctl_backlog_get_stats(&st0);
	cap_prev = ctl_backlog_capacity();
	while (done < total) {
		size_t k = (size_t)(piece_kib << 10);
		long long t0, t1, cap;

		if ((long long)k > total - done)
			k = (size_t)(total - done);
		memset(piece, 'a' + (int)(n % 26), k);
		t0 = now_ns();
		ctl_backlog_append(piece, k);
		t1 = now_ns();
		lat[n++] = t1 - t0;
		t_all += t1 - t0;
		cap = ctl_backlog_capacity();
		if (cap != cap_prev && t1 - t0 > remap_max)
			remap_max = t1 - t0;
		if (cap == cap_prev && t1 - t0 > other_max)
			other_max = t1 - t0;
		if (cap != cap_prev) {
			remaps_seen++;
			copied_est += done;	/* the live span then: all of it */
			cap_prev = cap;
		}
		done += (long long)k;
		st_worker_quiescent();
	}
	if (ctl_backlog_get_stats)
		ctl_backlog_get_stats(&st1);
	/* the pinned first byte is still there */
	if (ctl_backlog_read(1, &one, 1) != 1 || one != 'a') {
		fprintf(stderr, "backlog_bench: offset 1 lost\n");
		return 1;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_ll);
	getrusage(RUSAGE_SELF, &ru);
	printf("backlog_bench: %lld MiB in %lld KiB pieces, repl-backlog-size "
	       "%lld, pin at offset 1 (%s)\n", mib, piece_kib, size,
	       ctl_backlog_get_stats ? "chunked backlog" : "flat ring");
	printf("appends %ld  total %.1f ms  mean %.2f us  p50 %.2f us  "
	       "p99 %.2f us  p99.9 %.2f us  max %.1f us\n", n, t_all / 1e6,
	       t_all / 1e3 / n, pct(lat, n, 0.5) / 1e3, pct(lat, n, 0.99) / 1e3,
	       pct(lat, n, 0.999) / 1e3, lat[n - 1] / 1e3);
	if (ctl_backlog_get_stats)
		printf("remaps %lld  copied %lld bytes (%.2f MiB)  chunk %lld "
		       "bytes\n", st1.remaps - st0.remaps,
		       st1.copied_bytes - st0.copied_bytes,
		       (st1.copied_bytes - st0.copied_bytes) / 1048576.0,
		       st1.chunk_bytes);
	else
		printf("remaps %lld (capacity changes)  copied ~%lld bytes "
		       "(%.2f MiB, the live span at each remap)\n", remaps_seen,
		       copied_est, copied_est / 1048576.0);
	printf("slowest append that remapped %.1f us, that did not %.1f us\n",
	       remap_max / 1e3, other_max / 1e3);
	printf("capacity %lld bytes  peak RSS %ld MiB\n", ctl_backlog_capacity(),
	       ru.ru_maxrss / 1024);
	ctl_backlog_free();
	free(lat);
	free(piece);
	return 0;
}
