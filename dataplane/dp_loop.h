/*
 * dp_loop.h -- the per-core poll loop.
 *
 * One iteration (dp_loop_iteration):
 *   now_us <- TSC -> rx_burst -> dp_handover_input (each frame: to its
 *   owner core's ring, or dp_eth_input) -> dp_handover_drain (frames and
 *   ARP entries other cores posted to us) -> dp_tcp_timers
 *   -> dp_arp_timers -> st_expire_cycle (bounded, every expire_interval_us)
 *   -> app poll (every app_interval_us) -> app flush -> dp_tcp_flush
 *   -> dp_core_tx_flush
 *   -> st_worker_quiescent
 * then idle backoff: after idle_pause_us without traffic rte_pause(), after
 * idle_sleep_us short sleeps (10 us doubling to sleep_max_us, QSBR offline
 * around each); busy_poll disables both.
 *
 * Lifetime of a core (dp_loop_run, on its own lcore):
 *   st_thread_register -> dp_handover_core_init (with ncores > 1) ->
 *   hooks.core_init -> iterations until 'stop' -> hooks.app_stop (graceful
 *   FINs) -> iterations until hooks.app_active is 0 or drain_us passed ->
 *   dp_handover_core_stop, then discard incoming messages until every core
 *   stopped (at most drain_us + DP_LOOP_HO_WAIT_US) -> hooks.core_fini ->
 *   dp_handover_core_fini (only if every core stopped; else the ring is
 *   left allocated, a one-off leak at exit rather than a use after free)
 *   -> st_thread_unregister.
 *
 * Concurrency: each core runs on one thread; 'stop' and 'dump_stats' are
 * atomics set by signal handlers or other threads; the counters of other
 * cores are read with relaxed loads when printing (dp_loop_dump_stats).
 */
#ifndef DP_LOOP_H
#define DP_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dp_handover.h"

struct dp_core;

#define DP_RX_BURST 32
#define DP_LOOP_HO_WAIT_US 500000	/* teardown: wait for the other cores */

struct dp_loop_params {
	bool busy_poll;
	uint32_t idle_pause_us;
	uint32_t idle_sleep_us;
	uint32_t sleep_max_us;
	int expire_budget;		/* keys per active-expiry step */
	uint32_t expire_interval_us;
	uint32_t app_interval_us;	/* hooks.app_poll period */
	uint32_t drain_us;		/* graceful-close wait at stop */
};

struct dp_loop_hooks {
	/* On the core's thread after st_thread_register; 0 or -errno (the
	 * core then stops and dp_loop_run returns the error). */
	int (*core_init)(struct dp_core *core, void *arg);
	/* Every iteration, before dp_tcp_flush (deferred closes). */
	void (*app_flush)(struct dp_core *core, void *arg);
	/* Periodic application work (CLIENT KILL sweep, ...). */
	void (*app_poll)(struct dp_core *core, void *arg);
	/* Stop requested: close connections gracefully. */
	void (*app_stop)(struct dp_core *core, void *arg);
	/* Connections still open (drain ends at 0). */
	size_t (*app_active)(struct dp_core *core, void *arg);
	/* Before st_thread_unregister: free what core_init made. */
	void (*core_fini)(struct dp_core *core, void *arg);
	void *arg;
};

struct dp_loop_shared {
	_Atomic int stop;
	_Atomic int dump_stats;
	struct dp_core **cores;
	unsigned ncores;
	struct dp_loop_params params;
	struct dp_loop_hooks hooks;
	/* hand-over readiness counters (zero-initialised with the rest) */
	struct dp_handover ho;
};

/* A core's loop bookkeeping (lives on the core's stack in dp_loop_run). */
struct dp_loop_state {
	uint64_t tsc_per_us;
	uint64_t next_expire_us;
	uint64_t next_app_us;
	uint64_t idle_since_us;
	uint64_t last_tx_pkts;
	uint32_t sleep_us;
	/* the store's command clock (st_client_clock_set): unix us =
	 * TSC us + wall_off_us, resynced with CLOCK_REALTIME every
	 * DP_LOOP_WALL_SYNC_US */
	int64_t wall_off_us;
	uint64_t next_wall_sync_us;
};

void dp_loop_params_defaults(struct dp_loop_params *p);
void dp_loop_state_init(struct dp_loop_state *ls);

/* One iteration at the current TSC time; returns the frames received plus
 * the frames sent (0 = idle).  Expects core->worker registered. */
unsigned dp_loop_iteration(struct dp_core *core, struct dp_loop_shared *sh,
			   struct dp_loop_state *ls);

/* The body of a polling lcore: runs until sh->stop, then drains.
 * 0 or the core_init error. */
int dp_loop_run(struct dp_core *core, struct dp_loop_shared *sh);

/* One line per core: packets, bytes, commands, TCP and drop counters;
 * with --cycle-stats two more (dp_cycles_dump). */
void dp_loop_dump_stats(FILE *f, struct dp_core *const *cores, unsigned n);

#endif
