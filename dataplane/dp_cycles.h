/*
 * dp_cycles.h -- where a polling core's cycles go, per layer (ferryd
 * --cycle-stats): TSC deltas accumulated per core, exclusive times.
 *
 * Model: at any instant the core is "in" exactly one layer (cur).  Entering
 * a layer (dp_cyc_switch) charges the TSC cycles since the last switch to
 * the layer being left, so nested calls are exclusive: tcp_in's time stops
 * while it is inside the application's recv callback, which stops while
 * the store executes, and so on.  An iteration's layer times therefore sum
 * exactly to the iteration's cycles.  Iterations that moved frames (busy)
 * add their per-layer times to busy[]; idle iterations (empty polls) only
 * count as a whole (idle_cycles); time between iterations (the idle
 * backoff's pause and sleep, the stats dump) is outside_cycles.  A busy
 * iteration longer than DP_CYC_LONG_US is counted apart (long_*): on a
 * shared machine that is the thread being descheduled mid-iteration, and
 * one such stall would otherwise swamp the layer it hit.  Commands are
 * attributed the same way (busy_cmds, long_cmds), so busy[layer] /
 * busy_cmds is the cycles per command of a layer.
 *
 * Call chain (dp_loop.c): dp_loop_iteration -> dp_cyc_iter_begin ->
 *   DP_CYC_RUN(RX, dp_port_rx) -> DP_CYC_RUN(ETH, dp_handover_input ->
 *   dp_eth_input -> dp_ipv4_input -> DP_CYC_RUN(TCP_IN, dp_tcp_input ->
 *   recv -> (resp_server.c) DP_CYC_RUN(APP, conn_input ->
 *   DP_CYC_RUN(STORE, st_client_process), conn_flush ->
 *   DP_CYC_RUN(TCP_SEND, dp_tcp_send)))) -> DP_CYC_RUN(TIMERS, ...) ->
 *   DP_CYC_RUN(APP, app_flush) -> DP_CYC_RUN(TCP_OUT, dp_tcp_flush) ->
 *   (dp_core.c) DP_CYC_RUN(TX, dp_port_tx) -> DP_CYC_RUN(QSBR,
 *   st_worker_quiescent) -> dp_cyc_iter_end.
 *
 * Cost when off (the default): one predictable branch per DP_CYC_RUN
 * (the statement is compiled twice, with and without the switches).
 *
 * Concurrency: a core's counters are written by its own thread only; the
 * SIGUSR1 dump (dp_loop_dump_stats, on core 0) reads them with relaxed
 * loads.  Counters are cumulative: diff two dumps for one measurement.
 */
#ifndef DP_CYCLES_H
#define DP_CYCLES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>

#define DP_CYC_LONG_US 1000	/* a busy iteration this long: a stall */

enum dp_cyc_layer {
	DP_CYC_LOOP = 0,	/* the loop's own code, in no layer */
	DP_CYC_RX,		/* PMD rx burst */
	DP_CYC_ETH,		/* eth, arp, ipv4, icmp, hand-over */
	DP_CYC_TCP_IN,		/* tcp_in (incl. the ACKs it sends at once) */
	DP_CYC_APP,		/* resp_server.c glue, st_client_feed */
	DP_CYC_STORE,		/* st_client_process: parse, execute, compose */
	DP_CYC_TCP_SEND,	/* dp_tcp_send: reply copied into the send ring */
	DP_CYC_TIMERS,		/* tcp/arp timers, active expiry, app poll */
	DP_CYC_TCP_OUT,		/* dp_tcp_flush: segments into mbufs */
	DP_CYC_TX,		/* PMD tx burst (dp_core_tx_flush) */
	DP_CYC_QSBR,		/* st_worker_quiescent */
	DP_CYC__COUNT
};

/* "loop", "rx", ... (dp_loop.c) */
extern const char *const dp_cyc_names[DP_CYC__COUNT];

struct dp_cycles {
	bool on;			/* --cycle-stats (dp_cycles_enable) */
	uint64_t long_tsc;		/* DP_CYC_LONG_US in TSC cycles */
	uint64_t last_cmds;		/* the core's command count at the
					 * last iteration's end */
	uint8_t cur;			/* enum dp_cyc_layer */
	uint64_t last;			/* TSC at the last switch */
	uint64_t iter_start;		/* TSC at this iteration's start */
	uint64_t iter_end;		/* TSC at the last iteration's end */
	uint64_t tmp[DP_CYC__COUNT];	/* this iteration, per layer */
	/* results, cumulative (read by the dump with relaxed loads) */
	uint64_t busy[DP_CYC__COUNT];	/* busy iterations, per layer */
	uint64_t busy_iters, idle_iters, long_iters;
	uint64_t busy_cycles;		/* == sum of busy[] */
	uint64_t busy_cmds, long_cmds;	/* commands run in those */
	uint64_t long_cycles;		/* whole long iterations */
	uint64_t idle_cycles;		/* whole idle iterations */
	uint64_t outside_cycles;	/* between iterations (backoff, dump) */
};

/* Charge the cycles since the last switch to the current layer and make
 * 'layer' current; returns the layer left.  Only with c->on; the core's
 * own thread. */
static inline uint8_t
dp_cyc_switch(struct dp_cycles *c, uint8_t layer)
{
	uint64_t now = rte_rdtsc();
	uint8_t prev = c->cur;

	c->tmp[prev] += now - c->last;
	c->last = now;
	c->cur = layer;
	return prev;
}

/* Run the statements (the variadic part) charged to 'layer' (exclusive of layers it enters), then
 * return to the layer we were in.  One branch when off. */
#define DP_CYC_RUN(cyc, layer, ...)					\
	do {								\
		struct dp_cycles *cyc_ = (cyc);				\
		if (unlikely(cyc_->on)) {				\
			uint8_t cyc_prev_ = dp_cyc_switch(cyc_, (layer)); \
			__VA_ARGS__;					\
			dp_cyc_switch(cyc_, cyc_prev_);			\
		} else {						\
			__VA_ARGS__;					\
		}							\
	} while (0)

/* Start of a poll-loop iteration (with c->on). */
static inline void
dp_cyc_iter_begin(struct dp_cycles *c)
{
	uint64_t now = rte_rdtsc();

	if (c->iter_end != 0)
		c->outside_cycles += now - c->iter_end;
	c->iter_start = c->last = now;
	c->cur = DP_CYC_LOOP;
}

/* End of an iteration that moved 'work' frames, 'commands' the core's
 * command counter now (with c->on): a busy one adds its layer times to
 * busy[] (or, longer than long_tsc, counts as a whole in long_*), an idle
 * one counts as a whole. */
static inline void
dp_cyc_iter_end(struct dp_cycles *c, unsigned work, uint64_t commands)
{
	uint64_t now = rte_rdtsc();
	uint64_t total, cmds = commands - c->last_cmds;

	c->last_cmds = commands;
	c->tmp[c->cur] += now - c->last;
	total = now - c->iter_start;
	if (work && total > c->long_tsc) {
		c->long_cycles += total;
		c->long_cmds += cmds;
		c->long_iters++;
	} else if (work) {
		for (int i = 0; i < DP_CYC__COUNT; i++)
			c->busy[i] += c->tmp[i];
		c->busy_cycles += total;
		c->busy_cmds += cmds;
		c->busy_iters++;
	} else {
		c->busy_cmds += cmds;	/* normally none */
		c->idle_cycles += total;
		c->idle_iters++;
	}
	memset(c->tmp, 0, sizeof(c->tmp));
	c->last = c->iter_end = now;
}

/* Turn the counters on (before the core's loop starts; ferryd
 * --cycle-stats, tests).  Any thread, while the core is not running. */
void dp_cycles_enable(struct dp_cycles *c);

/* One line of a core's cycle counters (cumulative, raw) and one of busy
 * cycles per command, per layer; nothing when off.  Any thread (relaxed
 * loads of another core's counters). */
void dp_cycles_dump(FILE *f, unsigned core_id, const struct dp_cycles *c,
		    uint64_t commands, uint64_t rx_pkts);

#endif
