/*
 * bench.h -- ferry-bench's run: the shared state of the cores, each core's
 * state machine, and the per-phase statistics.
 *
 * Call chain (each core, inside dataplane's poll loop, dp_loop.c):
 *   dp_loop_run -> hooks.core_init = fb_core_init (ARP, TCP, first connect)
 *   -> every iteration hooks.app_flush = fb_core_step:
 *        core 0 first runs fb_run_coordinate (starts phases, stops the run)
 *        then the core's state handler:
 *          RESOLVING  -> one connection's SYN resolves the server's MAC;
 *                        then every other connection is opened
 *          CONNECTING -> until every connection is open (or failed)
 *          READY      -> until core 0 starts the next phase
 *          RUNNING    -> (--rate: send what is due) until the phase's
 *                        requests or time are used up (--rate: and every
 *                        request scheduled before the end was sent)
 *          DRAINING   -> until every reply is in (or --timeout)
 *          DONE       -> every phase run
 *   -> hooks.app_poll = fb_core_poll (core 0: the progress line)
 *   -> hooks.app_stop / app_active: close every connection, wait for them
 *   -> hooks.core_fini = fb_core_fini.
 * Replies arrive through conn.c's TCP callbacks (recv -> verify -> record
 * -> pump the next requests).
 *
 * Concurrency: a core's struct and its connections are touched by its own
 * lcore only, except the statistics, which core 0 reads for the progress
 * line with relaxed loads (the owner stores them with relaxed stores), and
 * which main reads after every lcore returned.  Phase hand-off: core 0
 * writes phase_start/phase_end, then store-releases 'phase'; a core reads
 * 'phase' with acquire.  A core's last write to its stats of a phase comes
 * before its release increment of done[phase].
 */
#ifndef FB_BENCH_H
#define FB_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_lcore.h>

#include "dp_loop.h"
#include "dp_port.h"
#include "dp_tcp.h"
#include "hdr.h"
#include "options.h"
#include "workload.h"

struct dp_core;
struct fb_conn;

#define FB_ERRTEXT_SLOTS 8
#define FB_ERRTEXT_LEN 40

/* One phase's figures on one core (index 0 of a core's array: set-up,
 * i.e. connecting and AUTH; index p + 1: phase p). */
struct fb_stats {
	uint64_t sent;			/* requests written */
	uint64_t replies;		/* replies received (any) */
	uint64_t ok;			/* verified, recorded */
	uint64_t warmup_ok;		/* verified, inside --warmup */
	uint64_t errors[FB_ERR__COUNT];
	struct {
		char text[FB_ERRTEXT_LEN];	/* first words of -ERR replies */
		uint64_t n;
	} errtext[FB_ERRTEXT_SLOTS];
	uint64_t errtext_other;
	uint64_t first_tsc, last_tsc;	/* this core's first send / last reply */
	struct st_hdr hdr;		/* latency, ns */
};

enum fb_core_state {
	FB_CORE_RESOLVING,
	FB_CORE_CONNECTING,
	FB_CORE_READY,
	FB_CORE_RUNNING,
	FB_CORE_DRAINING,
	FB_CORE_DONE,
	FB_CORE__COUNT
};

extern const char *const fb_core_state_names[FB_CORE__COUNT];

struct fb_run;

struct fb_core {
	struct fb_run *run;
	struct dp_core *dp;
	unsigned id;
	enum fb_core_state state;
	uint64_t state_tsc;		/* when the state was entered */
	struct fb_conn *conns;
	uint32_t nconns;
	uint32_t first_gidx;		/* global index of conns[0] */
	uint32_t npending;		/* IDLE, CONNECTING or AUTH */
	uint32_t nopen;			/* connections OPEN */
	uint32_t nlive;			/* connections not CLOSED */
	uint64_t inflight;		/* requests awaiting replies */
	unsigned phase;			/* the phase run / next to run */
	uint64_t quota, issued;		/* this phase (quota 0: by time) */
	uint64_t preload_base;		/* first PRELOAD key of this core */
	uint64_t end_tsc;		/* this phase, by time (0: none) */
	uint64_t warm_end_tsc;		/* --warmup ends */
	uint64_t interval_tsc;		/* --rate: per connection */
	uint64_t last_reply_tsc;	/* stall detection */
	uint64_t rng;
	bool stopping;			/* app_stop ran: no more steps */
	struct fb_stats *stats;		/* [nphases + 1] */
};

struct fb_run {
	struct fb_options opt;
	struct fb_workload wl;
	struct dp_port port;
	struct dp_tcp_config tcp;
	struct dp_loop_shared sh;
	struct dp_core *dcores[RTE_MAX_LCORE];
	struct fb_core *cores[RTE_MAX_LCORE];
	unsigned ncores;
	uint64_t tsc_hz;
	double ns_per_tsc;
	uint64_t timeout_tsc;
	uint32_t nexthop;		/* the server or the gateway */
	_Atomic unsigned ready;		/* cores done connecting */
	_Atomic int phase;		/* phase running, -1 before the first */
	_Atomic unsigned done[FB_MAX_PHASES];
	uint64_t phase_start_tsc[FB_MAX_PHASES];
	uint64_t phase_end_tsc[FB_MAX_PHASES];	/* planned (by time), or 0 */
	uint64_t finish_tsc[FB_MAX_PHASES];	/* when core 0 saw it done */
	_Atomic int interrupted;
	/* core 0's progress line */
	uint64_t next_progress_tsc;
	uint64_t last_progress_ok;
	uint64_t last_progress_tsc;
	struct st_hdr *scratch;
};

/* ---- bench_core.c: the per-core state machine (runs on the core) ---- */

/* The loop hooks (see the call chain above); arg is the fb_run. */
int fb_core_init(struct dp_core *dp, void *arg);
void fb_core_step(struct dp_core *dp, void *arg);
void fb_core_poll(struct dp_core *dp, void *arg);
void fb_core_stop(struct dp_core *dp, void *arg);
size_t fb_core_active(struct dp_core *dp, void *arg);
void fb_core_fini(struct dp_core *dp, void *arg);

/* May the connection send one more request now?  If so *t0 is its time
 * (now, or its scheduled time with --rate), the core's quota is charged,
 * and *preload_key is the key a PRELOAD request writes.  Core's thread. */
bool fb_core_take(struct fb_core *fc, struct fb_conn *conn, uint64_t now,
		  uint64_t *t0, uint64_t *preload_key);

/* The statistics requests and errors count into now: the current phase's
 * (or set-up's before the first phase). */
struct fb_stats *fb_core_stats(struct fb_core *fc);

/* Count an error (with an -ERR text, or NULL).  Owner only. */
void fb_stats_error(struct fb_stats *s, enum fb_err e, const char *text,
		    size_t len);

/* Relaxed-atomic counter bump (owner only; readers use relaxed loads). */
static inline void
fb_bump(uint64_t *p, uint64_t by)
{
	__atomic_store_n(p, *p + by, __ATOMIC_RELAXED);
}

#endif
