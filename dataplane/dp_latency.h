/*
 * dp_latency.h -- server-side residence time of commands, per polling core
 * (ferryd --latency-stats): a log-linear histogram (tools/ferry-bench/
 * hdr.h, relative error under 0.1%) of the time from the rx burst that
 * returned a request's frame to the tx burst that handed its reply's frame
 * to the port.
 *
 * Model: the poll loop is run to completion, so the commands an iteration
 * executes (the core's command counter's growth, dp_stats.commands) got
 * their input from that iteration's rx burst (or hand-over drain) and
 * queued their replies before its dp_core_tx_flush.  dp_lat_rx samples
 * the TSC right after the first port's dp_port_rx returned; dp_lat_tx
 * samples it again after dp_core_tx_flush and records the difference once
 * per command of the iteration.  When the flush left frames queued for a
 * full port (dp_core_tx_pending > 0) the replies have not all left: the
 * iteration is parked (TSC at rx, commands) and its commands are recorded when a later flush
 * empties the queue (the queue is FIFO, so by then every frame queued
 * before has left), measured from their own rx burst.  Parked iterations
 * beyond DP_LAT_PEND are not recorded; their commands count in 'held'.
 *
 * Not included (say so wherever the figure is quoted):
 *  - the wait in the port's RX ring before the poll (no NIC timestamps on
 *    virtual ports); with idle backoff the core may sleep up to
 *    sleep_max_us (100 us) while a request waits there -- use --busy-poll
 *    for the server's full time;
 *  - the wait in a hand-over ring (the frame reached another core first):
 *    measured from the owner core's rx burst;
 *  - a reply held by the peer's TCP window (the bytes stay in the send
 *    ring; the client is not reading): counted at the iteration that ran
 *    the command;
 *  - WAIT: counted in the iteration that executed it (it blocks there; its
 *    reply, sent when replicas answer, is not timed); the commands queued
 *    behind it are counted in the iteration that resumes them, measured
 *    from that iteration's rx burst.
 *
 * Cost when off (the default): one predictable branch after the rx burst
 * and one after the tx flush.  When on: two rdtsc and one histogram bucket
 * increment per iteration that ran commands.
 *
 * Concurrency: a core's histogram is written by its own thread only.  Any
 * thread reads it (SIGUSR1 dump on core 0, INFO residence on whichever
 * core runs it) with relaxed atomic loads.  CONFIG RESETSTAT
 * (dp_latency_reset_all) bumps a process-wide generation; each core
 * empties its own histogram at its next dp_lat_tx, and readers ignore a
 * histogram whose generation is not the current one (as if empty).
 *
 * Call chain: dp_loop_iteration -> dp_port_rx -> dp_lat_rx -> ... ->
 *   dp_core_tx_flush -> dp_lat_tx -> st_hdr_record_n;
 *   SIGUSR1 -> dp_loop_dump_stats -> dp_latency_dump;
 *   INFO residence -> (store/cmd_server.c) st_info_section ->
 *   dp_latency_info; CONFIG RESETSTAT -> dp_latency_reset_all.
 */
#ifndef DP_LATENCY_H
#define DP_LATENCY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>

struct st_hdr;
struct dp_core;
struct st_buf;

#define DP_LAT_PEND 64		/* iterations parked behind a full port */

struct dp_lat_pend {
	uint64_t t_rx;			/* TSC after that iteration's rx burst */
	uint64_t cmds;			/* commands it ran */
};

struct dp_latency {
	bool on;			/* --latency-stats (dp_latency_enable) */
	uint32_t gen;			/* reset generation of h (atomic) */
	uint64_t t_rx;			/* this iteration: TSC after rx burst */
	uint64_t cmds_rx;		/* the core's command count then */
	unsigned npend;
	struct dp_lat_pend pend[DP_LAT_PEND];	/* oldest first */
	uint64_t held;			/* commands not recorded (atomic) */
	struct st_hdr *h;		/* TSC cycles; NULL when off */
};

/* Allocate the histogram and turn recording on (before the core's loop
 * starts: ferryd --latency-stats, tests).  0 or -ENOMEM. */
int dp_latency_enable(struct dp_latency *l);

/* Turn off and free the histogram (the core's loop has stopped). */
void dp_latency_fini(struct dp_latency *l);

/* Slow path of dp_lat_tx (dp_latency.c). */
void dp_latency_account(struct dp_latency *l, uint64_t commands,
			unsigned queued);

/* After the rx burst (the core's own thread, with l->on). */
static inline void
dp_lat_rx(struct dp_latency *l, uint64_t commands)
{
	l->t_rx = rte_rdtsc();
	l->cmds_rx = commands;
}

/* After dp_core_tx_flush: record the iteration's commands ('commands' the
 * core's counter now), or park them while 'queued' frames still wait for
 * the port (the core's own thread, with l->on). */
static inline void
dp_lat_tx(struct dp_latency *l, uint64_t commands, unsigned queued)
{
	if (commands != l->cmds_rx || l->npend)
		dp_latency_account(l, commands, queued);
}

/* CONFIG RESETSTAT: every core's histogram empties (lazily: at that
 * core's next iteration; readers see it empty at once).  Any thread. */
void dp_latency_reset_all(void);

/* Percentiles of core histograms merged (cores[i]->lat, n of them), in
 * microseconds; count 0 when none is on or all are empty.  Any thread
 * (relaxed loads).  0 or -ENOMEM. */
struct dp_lat_summary {
	uint64_t count, held;
	double p50, p90, p99, p999, max;	/* usec */
};
int dp_latency_summary(struct dp_core *const *cores, unsigned n,
		       struct dp_lat_summary *out);

/* One line per core with recording on ("core N residence_usec: count=..
 * p50=.. p90=.. p99=.. p99.9=.. max=.. held=.."); nothing when off.  Any
 * thread. */
void dp_latency_dump(FILE *f, const struct dp_core *core);

/* The INFO "# Residence" section's fields (after its title) for these
 * cores: residence_enabled, residence_percentiles_usec (all cores
 * merged), residence_count, residence_held and one
 * coreN_residence_percentiles_usec line per core.  Any thread. */
void dp_latency_info(struct st_buf *b, struct dp_core *const *cores,
		     unsigned n);

/* Make INFO residence / CONFIG RESETSTAT reach these cores (ferryd, once,
 * before the cores run; the array must outlive the process's INFO). */
void dp_latency_register_info(struct dp_core *const *cores, unsigned n);

#endif
