/*
 * bench_core.c -- the per-core state machine of a run and core 0's
 * coordination of phases (see bench.h for the call chain and states).
 */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "conn.h"
#include "dp_arp.h"
#include "dp_core.h"

const char *const fb_core_state_names[FB_CORE__COUNT] = {
	[FB_CORE_RESOLVING] = "RESOLVING",
	[FB_CORE_CONNECTING] = "CONNECTING",
	[FB_CORE_READY] = "READY",
	[FB_CORE_RUNNING] = "RUNNING",
	[FB_CORE_DRAINING] = "DRAINING",
	[FB_CORE_DONE] = "DONE",
};

/* ---- statistics ---- */

struct fb_stats *
fb_core_stats(struct fb_core *fc)
{
	unsigned n = fc->run->wl.nphases;

	if (fc->state <= FB_CORE_CONNECTING || n == 0)
		return &fc->stats[0];
	return &fc->stats[(fc->phase < n ? fc->phase : n - 1) + 1];
}

void
fb_stats_error(struct fb_stats *s, enum fb_err e, const char *text,
	       size_t len)
{
	size_t wl = 0;

	fb_bump(&s->errors[e], 1);
	if (text == NULL)
		return;
	/* group -ERR replies by their first word ("NOAUTH", "WRONGTYPE") */
	while (wl < len && wl < FB_ERRTEXT_LEN - 1 && text[wl] != ' ')
		wl++;
	for (int i = 0; i < FB_ERRTEXT_SLOTS; i++) {
		if (s->errtext[i].n == 0) {
			memcpy(s->errtext[i].text, text, wl);
			s->errtext[i].text[wl] = 0;
		}
		if (strlen(s->errtext[i].text) == wl &&
		    memcmp(s->errtext[i].text, text, wl) == 0) {
			fb_bump(&s->errtext[i].n, 1);
			return;
		}
	}
	fb_bump(&s->errtext_other, 1);
}

/* ---- state changes ---- */

static void
core_set_state(struct fb_core *fc, enum fb_core_state to, uint64_t now)
{
	fc->state = to;
	fc->state_tsc = now;
}

static bool
core_can_issue(const struct fb_core *fc, uint64_t now)
{
	return fc->issued < fc->quota && (fc->end_tsc == 0 || now < fc->end_tsc);
}

bool
fb_core_take(struct fb_core *fc, struct fb_conn *conn, uint64_t now,
	     uint64_t *t0, uint64_t *preload_key)
{
	if (fc->state != FB_CORE_RUNNING || fc->issued >= fc->quota)
		return false;
	if (fc->interval_tsc) {
		/* open loop: what was scheduled before the end is sent even
		 * after it (late), so a backlog is measured, not dropped */
		if (conn->next_tsc > now ||
		    (fc->end_tsc && conn->next_tsc >= fc->end_tsc))
			return false;
		*t0 = conn->next_tsc;
		conn->next_tsc += fc->interval_tsc;
	} else {
		if (fc->end_tsc && now >= fc->end_tsc)
			return false;
		*t0 = now;
	}
	*preload_key = fc->preload_base + fc->issued;
	fc->issued++;
	return true;
}

/* This core's share of n: by its connections' global indices. */
static uint64_t
share_before(uint64_t n, uint64_t gidx, uint64_t clients)
{
	return (uint64_t)((unsigned __int128)n * gidx / clients);
}

static void
core_begin_phase(struct fb_core *fc, uint64_t now)
{
	struct fb_run *run = fc->run;
	const struct fb_phase *ph = &run->wl.phases[fc->phase];
	uint64_t start = run->phase_start_tsc[fc->phase];
	uint64_t clients = run->opt.clients;

	fc->issued = 0;
	if (ph->requests) {
		fc->preload_base = share_before(ph->requests, fc->first_gidx,
						clients);
		fc->quota = share_before(ph->requests,
					 fc->first_gidx + fc->nconns,
					 clients) - fc->preload_base;
	} else {
		fc->preload_base = 0;
		fc->quota = UINT64_MAX;
	}
	fc->end_tsc = run->phase_end_tsc[fc->phase];
	fc->warm_end_tsc = ph->test != FB_TEST_PRELOAD && run->opt.warmup_s > 0 ?
		start + (uint64_t)(run->opt.warmup_s * (double)run->tsc_hz) : 0;
	fc->interval_tsc = 0;
	if (run->opt.rate > 0 && ph->test != FB_TEST_PRELOAD) {
		fc->interval_tsc = (uint64_t)((double)clients / run->opt.rate *
					      (double)run->tsc_hz);
		if (fc->interval_tsc == 0)
			fc->interval_tsc = 1;
	}
	/* connections spread evenly over one interval */
	for (uint32_t i = 0; i < fc->nconns; i++)
		fc->conns[i].next_tsc = start + (uint64_t)(
			(unsigned __int128)fc->interval_tsc *
			fc->conns[i].gidx / clients);
	fc->last_reply_tsc = now;
	core_set_state(fc, FB_CORE_RUNNING, now);
	for (uint32_t i = 0; i < fc->nconns; i++)
		fb_conn_pump(&fc->conns[i], now);
}

static void
core_finish_phase(struct fb_core *fc, uint64_t now)
{
	struct fb_run *run = fc->run;

	atomic_fetch_add_explicit(&run->done[fc->phase], 1,
				  memory_order_release);
	fc->phase++;
	core_set_state(fc, fc->phase < run->wl.nphases ? FB_CORE_READY :
		       FB_CORE_DONE, now);
}

/* Replies stopped coming for --timeout: give up on those connections. */
static void
core_check_stall(struct fb_core *fc, uint64_t now)
{
	if (fc->inflight == 0) {
		fc->last_reply_tsc = now;
		return;
	}
	if (now - fc->last_reply_tsc < fc->run->timeout_tsc)
		return;
	for (uint32_t i = 0; i < fc->nconns; i++)
		if (fb_conn_inflight(&fc->conns[i]))
			fb_conn_abort_timeout(&fc->conns[i]);
	fc->last_reply_tsc = now;
}

/* ---- one handler per state ---- */

static void
open_rest(struct fb_core *fc, uint64_t now)
{
	for (uint32_t i = 1; i < fc->nconns; i++)
		fb_conn_open(&fc->conns[i]);
	core_set_state(fc, FB_CORE_CONNECTING, now);
}

static void
state_resolving(struct fb_core *fc, uint64_t now)
{
	struct rte_ether_addr mac;
	enum dp_arp_state a = dp_arp_lookup(fc->dp, fc->run->nexthop, &mac);

	/* the first SYN is held by ARP; the others wait for the answer so
	 * that they are not dropped from ARP's one-packet hold */
	if (a == DP_ARP_REACHABLE || a == DP_ARP_STATIC ||
	    fc->conns[0].state == FB_CONN_OPEN ||
	    fc->conns[0].state == FB_CONN_AUTH ||
	    now - fc->state_tsc >= fc->run->timeout_tsc)
		open_rest(fc, now);
}

static void
state_connecting(struct fb_core *fc, uint64_t now)
{
	if (fc->npending == 0) {
		atomic_fetch_add_explicit(&fc->run->ready, 1,
					  memory_order_release);
		core_set_state(fc, FB_CORE_READY, now);
		return;
	}
	if (now - fc->state_tsc < fc->run->timeout_tsc)
		return;
	for (uint32_t i = 0; i < fc->nconns; i++) {
		struct fb_conn *c = &fc->conns[i];

		if (c->state == FB_CONN_CONNECTING || c->state == FB_CONN_AUTH)
			fb_conn_abort_timeout(c);
		else if (c->state == FB_CONN_IDLE)
			fb_conn_close(c);
	}
}

static void
state_ready(struct fb_core *fc, uint64_t now)
{
	int p = atomic_load_explicit(&fc->run->phase, memory_order_acquire);

	if (p == (int)fc->phase)
		core_begin_phase(fc, now);
}

/* --rate: does an open connection still owe requests scheduled before
 * the end? */
static bool
core_backlog(const struct fb_core *fc)
{
	for (uint32_t i = 0; i < fc->nconns; i++)
		if (fc->conns[i].state == FB_CONN_OPEN &&
		    fc->conns[i].next_tsc < fc->end_tsc)
			return true;
	return false;
}

static void
state_running(struct fb_core *fc, uint64_t now)
{
	bool more = core_can_issue(fc, now);

	if (fc->interval_tsc) {
		for (uint32_t i = 0; i < fc->nconns; i++)
			fb_conn_pump(&fc->conns[i], now);
		if (!more && fc->issued < fc->quota && core_backlog(fc))
			more = true;
	}
	if (!more || fc->nopen == 0)
		core_set_state(fc, FB_CORE_DRAINING, now);
	core_check_stall(fc, now);
}

static void
state_draining(struct fb_core *fc, uint64_t now)
{
	if (fc->inflight == 0) {
		core_finish_phase(fc, now);
		return;
	}
	core_check_stall(fc, now);
}

static void
state_done(struct fb_core *fc, uint64_t now)
{
}

static void (*const core_state_handlers[FB_CORE__COUNT])(struct fb_core *,
							  uint64_t) = {
	[FB_CORE_RESOLVING] = state_resolving,
	[FB_CORE_CONNECTING] = state_connecting,
	[FB_CORE_READY] = state_ready,
	[FB_CORE_RUNNING] = state_running,
	[FB_CORE_DRAINING] = state_draining,
	[FB_CORE_DONE] = state_done,
};

/* ---- core 0: phases ---- */

static void
run_start_phase(struct fb_run *run, int p, uint64_t now)
{
	const struct fb_phase *ph = &run->wl.phases[p];

	run->phase_start_tsc[p] = now;
	run->phase_end_tsc[p] = ph->duration_s > 0 ?
		now + (uint64_t)(ph->duration_s * (double)run->tsc_hz) : 0;
	run->last_progress_ok = 0;
	run->last_progress_tsc = now;
	run->next_progress_tsc = now + run->tsc_hz;
	atomic_store_explicit(&run->phase, p, memory_order_release);
}

static void
run_coordinate(struct fb_run *run, uint64_t now)
{
	int p = atomic_load_explicit(&run->phase, memory_order_relaxed);

	if (p < 0) {
		if (atomic_load_explicit(&run->ready, memory_order_acquire) ==
		    run->ncores)
			run_start_phase(run, 0, now);
		return;
	}
	if (p >= (int)run->wl.nphases ||
	    atomic_load_explicit(&run->done[p], memory_order_acquire) !=
	    run->ncores)
		return;
	run->finish_tsc[p] = now;
	if (p + 1 < (int)run->wl.nphases) {
		run_start_phase(run, p + 1, now);
		return;
	}
	atomic_store_explicit(&run->phase, p + 1, memory_order_release);
	atomic_store(&run->sh.stop, 1);
}

/* ---- the loop hooks ---- */

int
fb_core_init(struct dp_core *dp, void *arg)
{
	struct fb_run *run = arg;
	struct fb_core *fc = run->cores[dp->id];
	uint64_t now = rte_rdtsc();
	int rc;

	fc->dp = dp;
	dp->app = fc;
	rc = dp_arp_init(dp);
	if (rc < 0)
		return rc;
	rc = dp_tcp_stack_init(dp, &run->tcp);
	if (rc < 0)
		return rc;
	core_set_state(fc, FB_CORE_RESOLVING, now);
	if (fc->nconns == 0)
		core_set_state(fc, FB_CORE_CONNECTING, now);
	else
		fb_conn_open(&fc->conns[0]);
	return 0;
}

void
fb_core_step(struct dp_core *dp, void *arg)
{
	struct fb_core *fc = dp->app;
	uint64_t now = rte_rdtsc();

	if (fc->stopping)
		return;
	if (fc->id == 0)
		run_coordinate(fc->run, now);
	core_state_handlers[fc->state](fc, now);
}

static double
ms(const struct fb_run *run, uint64_t ns)
{
	return (double)ns / 1e6;
}

void
fb_core_poll(struct dp_core *dp, void *arg)
{
	struct fb_run *run = arg;
	uint64_t now = rte_rdtsc(), ok = 0, err = 0, sent = 0;
	int p;

	if (dp->id != 0 || run->opt.quiet || now < run->next_progress_tsc)
		return;
	p = atomic_load_explicit(&run->phase, memory_order_relaxed);
	if (p < 0 || p >= (int)run->wl.nphases)
		return;
	st_hdr_reset(run->scratch);
	for (unsigned c = 0; c < run->ncores; c++) {
		struct fb_stats *s = &run->cores[c]->stats[p + 1];

		ok += __atomic_load_n(&s->ok, __ATOMIC_RELAXED);
		sent += __atomic_load_n(&s->sent, __ATOMIC_RELAXED);
		for (int e = 1; e < FB_ERR__COUNT; e++)
			err += __atomic_load_n(&s->errors[e], __ATOMIC_RELAXED);
		st_hdr_merge(run->scratch, &s->hdr);
	}
	fprintf(stderr, "%s: %.1f s: %.0f ops/s, %" PRIu64 " verified of %"
		PRIu64 " sent, p50 %.3f ms, p99 %.3f ms, errors %" PRIu64 "\n",
		fb_phase_name(&run->wl, (unsigned)p),
		(double)(now - run->phase_start_tsc[p]) / (double)run->tsc_hz,
		(double)(ok - run->last_progress_ok) * (double)run->tsc_hz /
		(double)(now - run->last_progress_tsc), ok, sent,
		ms(run, st_hdr_percentile(run->scratch, 50)),
		ms(run, st_hdr_percentile(run->scratch, 99)), err);
	run->last_progress_ok = ok;
	run->last_progress_tsc = now;
	run->next_progress_tsc = now + run->tsc_hz;
}

void
fb_core_stop(struct dp_core *dp, void *arg)
{
	struct fb_core *fc = dp->app;

	if (fc == NULL)
		return;
	fc->stopping = true;
	for (uint32_t i = 0; i < fc->nconns; i++)
		fb_conn_close(&fc->conns[i]);
}

size_t
fb_core_active(struct dp_core *dp, void *arg)
{
	struct fb_core *fc = dp->app;

	return fc ? fc->nlive : 0;
}

void
fb_core_fini(struct dp_core *dp, void *arg)
{
	if (dp->tcp)
		dp_tcp_stack_fini(dp);	/* closed() of what is left */
	if (dp->arp)
		dp_arp_fini(dp);
}
