/*
 * report.h -- ferry-bench's results: the summary on stdout, --json and
 * --hdr files, and the exit status.
 *
 * Call chain: main (after every lcore returned) -> fb_report ->
 *   report_merge (each phase over the cores) -> report_text |
 *   report_json | st_hdr_write_percentiles.
 * The echo mode writes its own figures through fb_report_echo.
 *
 * Figures per phase: requests sent, replies received, verified (ops, plus
 * those of --warmup), errors by kind (and -ERR replies by first word),
 * throughput = ops / (last reply - (phase start + warmup)), latency
 * p50/p90/p99/p99.9/p99.99/max/mean from the merged histogram.
 *
 * Concurrency: main thread only, after the run.
 */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"

#define FB_EXIT_OK 0
#define FB_EXIT_START 1
#define FB_EXIT_USAGE 2
#define FB_EXIT_ERRORS 3

/* Print every phase's summary to out, write --json / --hdr.  Returns the
 * exit status: FB_EXIT_OK when every request of every phase was sent,
 * answered and verified, else FB_EXIT_ERRORS (FB_EXIT_START if a file
 * could not be written). */
int fb_report(struct fb_run *run, FILE *out);

/* The echo client's figures: round trips, lost frames, seconds, RTT. */
struct fb_echo_result {
	uint64_t round_trips, sent, lost;
	double seconds;
	uint32_t frame_len;
	uint32_t in_flight;
	struct st_hdr *hdr;
};

/* Print and (with --json) write the echo client's result; exit status. */
int fb_report_echo(struct fb_run *run, const struct fb_echo_result *r,
		   FILE *out);

#endif
