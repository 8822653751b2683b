/*
 * dp_loop.c -- the per-core poll loop (see dp_loop.h).
 *
 * Call chain: rte_eal_remote_launch -> (ferryd.c) lcore_main -> dp_loop_run
 *   -> dp_loop_iteration -> loop_store_clock (st_client_clock_set: one
 *      command time per iteration) -> dp_port_rx -> dp_handover_input ->
 *      (owner elsewhere) its ring | dp_eth_input -> ... ;
 *      dp_handover_drain -> dp_eth_input | dp_arp_learn;
 *      dp_tcp_timers; dp_arp_timers; st_expire_cycle; hooks.app_poll;
 *      hooks.app_flush; dp_tcp_flush; dp_core_tx_flush; st_worker_quiescent
 *   (the rx burst and its frames: once per port, core->rx_port naming it)
 *   (each step inside DP_CYC_RUN: per-layer cycles with --cycle-stats,
 *   dp_cycles.h; dp_lat_rx after the rx burst and dp_lat_tx after the tx
 *   flush: command residence with --latency-stats, dp_latency.h)
 *   -> idle backoff (rte_pause / nanosleep with QSBR offline)
 */
#include "dp_loop.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "dp_arp.h"
#include "dp_core.h"
#include "dp_cycles.h"
#include "dp_eth.h"
#include "dp_handover.h"
#include "dp_latency.h"
#include "dp_tcp.h"
#include "client.h"
#include "expire.h"
#include "worker.h"

#define DP_SLEEP_MIN_US 10
/* how often the loop's wall clock is resynced with CLOCK_REALTIME (TSC
 * drift, NTP steps) */
#define DP_LOOP_WALL_SYNC_US 100000

void
dp_loop_params_defaults(struct dp_loop_params *p)
{
	p->busy_poll = false;
	p->idle_pause_us = 20;
	p->idle_sleep_us = 200;
	p->sleep_max_us = 100;
	p->expire_budget = 64;
	p->expire_interval_us = 1000;
	p->app_interval_us = 10000;
	p->drain_us = 1000000;
}

void
dp_loop_state_init(struct dp_loop_state *ls)
{
	ls->tsc_per_us = rte_get_tsc_hz() / 1000000;
	if (ls->tsc_per_us == 0)
		ls->tsc_per_us = 1;
	ls->next_expire_us = 0;
	ls->next_app_us = 0;
	ls->idle_since_us = 0;
	ls->last_tx_pkts = 0;
	ls->sleep_us = DP_SLEEP_MIN_US;
	ls->wall_off_us = 0;
	ls->next_wall_sync_us = 0;
}

static inline uint64_t
loop_now_us(const struct dp_loop_state *ls)
{
	return rte_get_tsc_cycles() / ls->tsc_per_us;
}

/* The store's command time for this iteration's requests (one clock per
 * iteration, as Redis per event-loop cycle): the TSC's microseconds moved
 * to CLOCK_REALTIME, resynced every DP_LOOP_WALL_SYNC_US. */
static inline void
loop_store_clock(struct dp_loop_state *ls, uint64_t now_us)
{
	if (unlikely(now_us >= ls->next_wall_sync_us)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ls->wall_off_us = (int64_t)ts.tv_sec * 1000000 +
				  ts.tv_nsec / 1000 - (int64_t)now_us;
		ls->next_wall_sync_us = now_us + DP_LOOP_WALL_SYNC_US;
	}
	st_client_clock_set(((int64_t)now_us + ls->wall_off_us) / 1000);
}

unsigned
dp_loop_iteration(struct dp_core *core, struct dp_loop_shared *sh,
		  struct dp_loop_state *ls)
{
	const struct dp_loop_params *p = &sh->params;
	struct rte_mbuf *pkts[DP_RX_BURST];
	struct dp_cycles *cyc = &core->cyc;
	uint16_t n;
	unsigned work;

	if (unlikely(cyc->on))
		dp_cyc_iter_begin(cyc);
	core->now_us = loop_now_us(ls);
	loop_store_clock(ls, core->now_us);
	n = 0;
	for (unsigned pi = 0; pi < core->nports; pi++) {
		uint16_t k;

		DP_CYC_RUN(cyc, DP_CYC_RX,
			   k = dp_port_rx(core->ports[pi], core->queue, pkts,
					  DP_RX_BURST));
		if (unlikely(core->lat.on) && pi == 0)
			dp_lat_rx(&core->lat, core->stats.commands);
		core->rx_port = (uint8_t)pi;
		DP_CYC_RUN(cyc, DP_CYC_ETH,
			for (uint16_t i = 0; i < k; i++) {
				if (i + 1 < k)
					rte_prefetch0(rte_pktmbuf_mtod(
						pkts[i + 1], void *));
				/* dp_eth_input counts rx and injects loss,
				 * on the owner */
				dp_handover_input(core, pkts[i]);
			});
		n += k;
	}
	/* hand-over runs with one port only (ferryd.c) */
	core->rx_port = 0;
	DP_CYC_RUN(cyc, DP_CYC_ETH, n += dp_handover_drain(core));
	DP_CYC_RUN(cyc, DP_CYC_TIMERS,
		dp_tcp_timers(core);
		dp_arp_timers(core);
		if (core->now_us >= ls->next_expire_us) {
			st_expire_cycle(core->worker, p->expire_budget);
			ls->next_expire_us = core->now_us + p->expire_interval_us;
		}
		if (sh->hooks.app_poll && core->now_us >= ls->next_app_us) {
			sh->hooks.app_poll(core, sh->hooks.arg);
			ls->next_app_us = core->now_us + p->app_interval_us;
		});
	if (sh->hooks.app_flush)
		DP_CYC_RUN(cyc, DP_CYC_APP,
			   sh->hooks.app_flush(core, sh->hooks.arg));
	DP_CYC_RUN(cyc, DP_CYC_TCP_OUT, dp_tcp_flush(core));
	dp_core_tx_flush(core);		/* DP_CYC_TX inside */
	if (unlikely(core->lat.on))
		dp_lat_tx(&core->lat, core->stats.commands,
			  dp_core_tx_pending(core));
	DP_CYC_RUN(cyc, DP_CYC_QSBR, st_worker_quiescent());
	work = n + (unsigned)(core->stats.tx_pkts - ls->last_tx_pkts);
	ls->last_tx_pkts = core->stats.tx_pkts;
	if (unlikely(cyc->on))
		dp_cyc_iter_end(cyc, work, core->stats.commands);
	return work;
}

/* Idle backoff after an iteration that moved no frame. */
static void
loop_backoff(struct dp_core *core, const struct dp_loop_params *p,
	     struct dp_loop_state *ls, unsigned work)
{
	uint64_t idle;
	struct timespec ts;

	if (work || p->busy_poll) {
		ls->idle_since_us = core->now_us;
		ls->sleep_us = DP_SLEEP_MIN_US;
		return;
	}
	idle = core->now_us - ls->idle_since_us;
	if (idle >= p->idle_sleep_us) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)ls->sleep_us * 1000;
		st_worker_offline();
		nanosleep(&ts, NULL);
		st_worker_online();
		ls->sleep_us *= 2;
		if (ls->sleep_us > p->sleep_max_us)
			ls->sleep_us = p->sleep_max_us;
	} else if (idle >= p->idle_pause_us) {
		for (int i = 0; i < 8; i++)
			rte_pause();
	}
}

/*
 * This core will post nothing more; discard what others still post until
 * every core said the same (bounded by drain_us + DP_LOOP_HO_WAIT_US).  True when the
 * ring may be freed.  A core that failed before creating its ring still
 * counts itself, so the others do not wait for it.
 */
static bool
loop_handover_stop(struct dp_core *core, struct dp_loop_shared *sh,
		   struct dp_loop_state *ls)
{
	uint64_t end;

	if (core->ho == NULL)
		return true;
	dp_handover_core_stop(core);
	/* the slowest core may still be draining its connections */
	end = loop_now_us(ls) + sh->params.drain_us + DP_LOOP_HO_WAIT_US;
	while (!dp_handover_all_stopped(core)) {
		if (dp_handover_discard(core) == 0) {
			if (loop_now_us(ls) >= end)
				return false;
			st_worker_quiescent();
			rte_pause();
		}
	}
	dp_handover_discard(core);
	return true;
}

int
dp_loop_run(struct dp_core *core, struct dp_loop_shared *sh)
{
	struct dp_loop_state ls;
	uint64_t drain_end;
	bool stopped;
	int rc = 0;

	/* nanosleep(10 us) must not become 60 us */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	core->worker = st_thread_register();
	if (core->worker == NULL)
		return -ENOSPC;
	dp_loop_state_init(&ls);
	core->now_us = loop_now_us(&ls);
	ls.idle_since_us = core->now_us;
	if (core->ncores > 1 && core->id < sh->ncores &&
	    sh->cores[core->id] == core) {
		rc = dp_handover_core_init(core, &sh->ho, sh->cores, 0);
		if (rc < 0)	/* the others must not wait for us */
			atomic_fetch_add(&sh->ho.stopped, 1);
	}
	if (rc == 0 && sh->hooks.core_init)
		rc = sh->hooks.core_init(core, sh->hooks.arg);
	if (rc < 0) {
		atomic_store(&sh->stop, 1);
		if (loop_handover_stop(core, sh, &ls))
			dp_handover_core_fini(core);
		st_thread_unregister(core->worker);
		core->worker = NULL;
		return rc;
	}
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		unsigned work = dp_loop_iteration(core, sh, &ls);

		if (core->id == 0 &&
		    atomic_load_explicit(&sh->dump_stats, memory_order_relaxed)) {
			atomic_store(&sh->dump_stats, 0);
			dp_loop_dump_stats(stderr, sh->cores, sh->ncores);
		}
		loop_backoff(core, &sh->params, &ls, work);
	}
	/* graceful stop: FIN every connection, keep polling while they close */
	if (sh->hooks.app_stop)
		sh->hooks.app_stop(core, sh->hooks.arg);
	drain_end = core->now_us + sh->params.drain_us;
	while (core->now_us < drain_end) {
		unsigned work = dp_loop_iteration(core, sh, &ls);

		if (sh->hooks.app_active == NULL ||
		    sh->hooks.app_active(core, sh->hooks.arg) == 0) {
			/* one more pass so the last ACKs and FINs leave */
			dp_loop_iteration(core, sh, &ls);
			break;
		}
		loop_backoff(core, &sh->params, &ls, work);
	}
	stopped = loop_handover_stop(core, sh, &ls);
	if (sh->hooks.core_fini)
		sh->hooks.core_fini(core, sh->hooks.arg);
	if (stopped)
		dp_handover_core_fini(core);
	dp_core_tx_flush(core);
	dp_core_tx_discard(core);	/* what the port never took */
	st_client_clock_set(0);		/* this thread polls no more */
	st_thread_unregister(core->worker);
	core->worker = NULL;
	return 0;
}

static inline uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
dp_loop_dump_stats(FILE *f, struct dp_core *const *cores, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct dp_stats *s = &cores[i]->stats;

		fprintf(f, "core %u: rx_pkts=%" PRIu64 " tx_pkts=%" PRIu64
			" rx_bytes=%" PRIu64 " tx_bytes=%" PRIu64
			" commands=%" PRIu64 " accepted=%" PRIu64
			" active=%" PRIu64 " closed=%" PRIu64 " reset=%" PRIu64
			" retransmits=%" PRIu64 " arp_req=%" PRIu64
			" arp_rep=%" PRIu64 " icmp_echo=%" PRIu64,
			cores[i]->id, rd(&s->rx_pkts), rd(&s->tx_pkts),
			rd(&s->rx_bytes), rd(&s->tx_bytes), rd(&s->commands),
			rd(&s->tcp_conns_accepted), rd(&s->tcp_active_conns),
			rd(&s->tcp_conns_closed), rd(&s->tcp_conns_reset),
			rd(&s->tcp_retransmits), rd(&s->arp_requests),
			rd(&s->arp_replies), rd(&s->icmp_echo));
		/* TCP loss recovery (issue 6): fast retransmits, RTOs and the
		 * spurious ones undone, tail loss probes, retransmissions
		 * found lost and resent in SACK recovery */
		fprintf(f, " fast_retransmits=%" PRIu64 " rto_timeouts=%"
			PRIu64 " spurious_rtos=%" PRIu64 " tlp_probes=%"
			PRIu64 " lost_retransmits=%" PRIu64,
			rd(&s->tcp_fast_retransmits), rd(&s->tcp_rto_timeouts),
			rd(&s->tcp_spurious_rtos), rd(&s->tcp_tlp_probes),
			rd(&s->tcp_lost_retransmits));
		if (rd(&s->tcp_hystart_exits))
			fprintf(f, " hystart_exits=%" PRIu64,
				rd(&s->tcp_hystart_exits));
		if (rd(&s->tcp_ooo_full) || rd(&s->tcp_sack_sb_full))
			fprintf(f, " tcp_ooo_full=%" PRIu64
				" tcp_sack_sb_full=%" PRIu64,
				rd(&s->tcp_ooo_full), rd(&s->tcp_sack_sb_full));
		/* TCP payload at TX: zero-copy frames / bytes (they reference
		 * the send queue), bytes copied into frames */
		fprintf(f, " tcp_zc_frames=%" PRIu64 " tcp_zc_bytes=%" PRIu64
			" tcp_tx_copy_bytes=%" PRIu64, rd(&s->tcp_zc_frames),
			rd(&s->tcp_zc_bytes), rd(&s->tcp_tx_copy_bytes));
		if (rd(&s->tx_deferred))
			fprintf(f, " tx_deferred=%" PRIu64, rd(&s->tx_deferred));
		if (rd(&s->resp_inplace_bytes) || rd(&s->resp_copied_bytes))
			fprintf(f, " resp_inplace_bytes=%" PRIu64
				" resp_copied_bytes=%" PRIu64,
				rd(&s->resp_inplace_bytes),
				rd(&s->resp_copied_bytes));
		if (rd(&s->handover_out) || rd(&s->handover_in) ||
		    rd(&s->handover_stray) ||
		    rd(&s->handover_full) || rd(&s->arp_shared_out) ||
		    rd(&s->arp_shared_in))
			fprintf(f, " handover_out=%" PRIu64 " handover_in=%"
				PRIu64 " handover_full=%" PRIu64
				" handover_stray=%" PRIu64
				" arp_shared_out=%" PRIu64 " arp_shared_in=%"
				PRIu64, rd(&s->handover_out),
				rd(&s->handover_in), rd(&s->handover_full),
				rd(&s->handover_stray),
				rd(&s->arp_shared_out), rd(&s->arp_shared_in));
		for (int d = 0; d < DP_DROP__COUNT; d++)
			if (rd(&s->drops[d]))
				fprintf(f, " drop_%s=%" PRIu64, dp_drop_names[d],
					rd(&s->drops[d]));
		fputc('\n', f);
		dp_cycles_dump(f, cores[i]->id, &cores[i]->cyc,
			       rd(&s->commands), rd(&s->rx_pkts));
		dp_latency_dump(f, cores[i]);
	}
	fprintf(f, "stats end\n");
	fflush(f);
}
