/*
 * tcp_cc.c -- congestion control behind a small ops table: NewReno
 * (RFC 5681 / 6582, ferry's original arithmetic, kept exactly) and CUBIC
 * (RFC 9438: the cubic window function, the Reno-friendly region, beta
 * 0.7, fast convergence; slow start ends early on HyStart's delay
 * increase), plus the undo of a reduction found spurious
 * (tcp_timer.c / tcp_in.c, Eifel RFC 3522 / 4015).
 *
 * Call chain: tcp_in.c (ACK processing) -> dp_tcp_cc_ack (window growth
 *             outside recovery) | dp_tcp_cc_loss (fast retransmit, RTO:
 *             the new ssthresh) | dp_tcp_cc_loss_in_recovery (RTO
 *             inside a recovery: ssthresh kept) | dp_tcp_cc_undo;
 *             tcp_timer.c (a first timeout) -> dp_tcp_cc_rto (HyStart
 *             learns the path again); tcp_in.c (handshake
 *             done) -> dp_tcp_cc_init; tcp_timer.c dp_tcp_rtt_sample (every
 *             RTT sample) -> dp_tcp_cc_rtt (HyStart).
 *
 * Units: cwnd and ssthresh in bytes; CUBIC's formula works in segments of
 * the connection's effective MSS and seconds (RFC 9438 section 4), in
 * double precision (a handful of operations per ACK).
 *
 * Which algorithm: dp_tcp_config.cc (default CUBIC), per connection at
 * its handshake.
 */
#include <errno.h>
#include <string.h>

#include "dp_core.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

#define CUBIC_C 0.4			/* RFC 9438 4.1 */
#define CUBIC_BETA_NUM 7		/* beta_cubic = 0.7 (4.6) */
#define CUBIC_BETA_DEN 10
#define TCP_CWND_MAX (1u << 30)		/* far above any window (wscale 14) */
#define HS_LOW_WINDOW 16		/* segments: no HyStart below */
#define HS_MIN_SAMPLES 8		/* RTT samples per round it needs */
#define HS_THRESH_DIV 4			/* the delay increase that ends slow */
#define HS_THRESH_MIN_US 4000		/* start: base / 4 within these */
#define HS_THRESH_MAX_US 64000

struct tcp_cc_ops {
	const char *name;
	/* new data acknowledged outside recovery; cwnd_limited: the flight
	 * before this ACK filled the window (RFC 7661: grow only then) */
	void (*ack)(struct dp_core *core, struct dp_tcp_conn *c,
		    uint32_t acked, bool cwnd_limited);
	/* a congestion event (fast retransmit or the first RTO): the new
	 * ssthresh, from the flight size at the event */
	uint32_t (*ssthresh)(struct dp_core *core, struct dp_tcp_conn *c,
			     uint32_t flight);
	/* an RTT sample (may be NULL) */
	void (*rtt)(struct dp_core *core, struct dp_tcp_conn *c,
		    uint32_t rtt_us);
};

static const char *const cc_names[DP_TCP_CC__COUNT] = {
	[DP_TCP_CC_NEWRENO] = "newreno",
	[DP_TCP_CC_CUBIC] = "cubic",
};

int
dp_tcp_cc_parse(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	for (int i = 0; i < DP_TCP_CC__COUNT; i++)
		if (strcmp(name, cc_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *
dp_tcp_cc_name(int cc)
{
	return cc >= 0 && cc < DP_TCP_CC__COUNT ? cc_names[cc] : "?";
}

/* ---- NewReno: RFC 5681 3.1 as ferry always did it ---- */

static void
newreno_ack(struct dp_core *core, struct dp_tcp_conn *c, uint32_t acked,
	    bool cwnd_limited)
{
	uint32_t mss = dp_tcp_eff_mss(c);

	(void)core;
	(void)cwnd_limited;
	if (c->cwnd >= TCP_CWND_MAX)
		return;		/* NewReno grows unused windows: saturate */
	if (c->cwnd < c->ssthresh)
		c->cwnd += acked < mss ? acked : mss;
	else
		c->cwnd += mss * mss / c->cwnd ? mss * mss / c->cwnd : 1;
}

static uint32_t
newreno_ssthresh(struct dp_core *core, struct dp_tcp_conn *c, uint32_t flight)
{
	uint32_t mss = dp_tcp_eff_mss(c);

	(void)core;
	return flight / 2 > 2 * mss ? flight / 2 : 2 * mss;
}

/* ---- CUBIC (RFC 9438) ---- */

/* Cube root by Newton's method (no libm in the dataplane). */
static double
cc_cbrt(double x)
{
	double y = x > 1 ? x / 3 : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 60; i++) {
		double n = y - (y * y * y - x) / (3 * y * y);

		if (n == y)
			break;
		y = n;
	}
	return y;
}

/* Slow start (RFC 9438 4.10 leaves it to RFC 5681): byte counting of
 * every acknowledged byte (RFC 3465 without the L limit, as Linux does):
 * a poll-mode receiver ACKs a whole burst at once (stretch ACKs), which
 * would slow the doubling to a crawl with "one MSS per ACK". */
static void
cubic_slow_start(struct dp_tcp_conn *c, uint32_t *acked)
{
	uint32_t room = c->ssthresh - c->cwnd;
	uint32_t n = *acked < room ? *acked : room;

	c->cwnd += n;
	*acked -= n;
}

static void
cubic_ack(struct dp_core *core, struct dp_tcp_conn *c, uint32_t acked,
	  bool cwnd_limited)
{
	struct dp_tcp_cubic *cu = &c->cubic;
	double mss = dp_tcp_eff_mss(c), cwnd, t, target, w_cubic, alpha;

	if (!cwnd_limited)
		return;		/* RFC 7661: the window was not used */
	if (c->cwnd < c->ssthresh) {
		cubic_slow_start(c, &acked);
		if (acked == 0)
			return;
	}
	cwnd = c->cwnd / mss;
	if (cu->epoch_us == 0) {
		/* 4.2: a new congestion avoidance epoch */
		cu->epoch_us = core->now_us;
		if (cu->w_max > c->cwnd) {
			cu->k_s = cc_cbrt((cu->w_max / mss - cwnd) / CUBIC_C);
			cu->origin = cu->w_max;
		} else {
			cu->k_s = 0;
			cu->origin = c->cwnd;
		}
		cu->w_est = c->cwnd;
	}
	/* 4.3 Reno-friendly estimate: alpha_cubic per RTT, 1 past w_max */
	alpha = cu->w_est >= cu->w_max ? 1.0 :
		3.0 * (CUBIC_BETA_DEN - CUBIC_BETA_NUM) /
		(CUBIC_BETA_DEN + CUBIC_BETA_NUM);
	cu->w_est += alpha * mss * acked / c->cwnd;
	/* 4.2: the cubic window one RTT ahead */
	t = (double)(core->now_us - cu->epoch_us + c->srtt_us) / 1e6;
	w_cubic = CUBIC_C * (t - cu->k_s) * (t - cu->k_s) * (t - cu->k_s) +
		  cu->origin / mss;
	if (w_cubic * mss < cu->w_est) {
		/* Reno-friendly region */
		if (cu->w_est > c->cwnd)
			c->cwnd = (uint32_t)cu->w_est;
		return;
	}
	target = w_cubic;
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	/* 4.4 / 4.5: (target - cwnd) / cwnd per segment acknowledged */
	cu->frac += (target - cwnd) * mss * (acked / mss) / cwnd;
	if (cu->frac >= 1) {
		uint32_t inc = (uint32_t)cu->frac;

		c->cwnd += inc;
		cu->frac -= inc;
	}
}

static uint32_t
cubic_ssthresh(struct dp_core *core, struct dp_tcp_conn *c, uint32_t flight)
{
	struct dp_tcp_cubic *cu = &c->cubic;
	uint32_t mss = dp_tcp_eff_mss(c);
	uint64_t base = c->cwnd < flight ? c->cwnd : flight, ss;

	(void)core;
	if (base < 2 * mss)
		base = 2 * mss;
	/* 4.7 fast convergence */
	if (base < cu->w_max)
		cu->w_max = (uint32_t)(base * (CUBIC_BETA_DEN + CUBIC_BETA_NUM) /
				       (2 * CUBIC_BETA_DEN));
	else
		cu->w_max = (uint32_t)base;
	cu->epoch_us = 0;
	cu->frac = 0;
	ss = base * CUBIC_BETA_NUM / CUBIC_BETA_DEN;
	return ss > 2 * mss ? (uint32_t)ss : 2 * mss;
}

/*
 * HyStart's delay increase (Ha and Rhee 2011; the detection of Linux's
 * tcp_cubic.c and RFC 9406 4.2): per round trip, the lowest of the first 8
 * RTT samples; once it exceeds the lowest RTT seen by the threshold, the
 * bottleneck's queue holds that much delay, the flight is above the
 * bandwidth-delay product and slow start ends there (ssthresh = cwnd,
 * Linux's exit; RFC 9406's Conservative Slow Start was tried in the model
 * in session 4 and still overflowed the queue).  The threshold is base / 4
 * within 4..64 ms, not Linux's base / 8 within 4..16 ms: in the model
 * (tcp_wan_sim) the first samples of a round already rise by ~13 ms at
 * 80% of the BDP on a 1 Gbit/s, 70 ms path, and Linux's threshold left
 * slow start there (goodput 88.8% -> 74.1% over 10 s; 66.8% -> 31.8% at
 * 250 ms), while base / 4 changes nothing there and still ends slow start
 * in time behind a 200 Mbit/s link.  Without HyStart slow start doubles
 * until the first loss, a round trip after the queue overflowed: at 70 ms
 * RTT behind 200 Mbit/s it reached 15.9 MB for a path that holds 7.7 MB
 * (link + queue), ~6300 frames were dropped at once and the recovery ran
 * into timeouts (BENCHMARKS.md, session 6).  Only in slow start outside
 * recovery, from 16 segments up.
 */
static void
cubic_rtt(struct dp_core *core, struct dp_tcp_conn *c, uint32_t rtt_us)
{
	struct dp_tcp_cubic *cu = &c->cubic;
	uint32_t th;

	if (cu->hs_base_us == 0 || rtt_us < cu->hs_base_us)
		cu->hs_base_us = rtt_us;
	if (!core->tcp->cfg.hystart || c->cwnd >= c->ssthresh ||
	    (c->flags & TF_IN_RECOVERY) ||
	    c->cwnd < HS_LOW_WINDOW * dp_tcp_eff_mss(c))
		return;
	if (cu->hs_n == 0 || SEQ_GEQ(c->snd_una, cu->hs_end)) {
		/* a new round: it ends when what is sent now is acked */
		cu->hs_end = c->snd_max;
		cu->hs_cur_us = UINT32_MAX;
		cu->hs_n = 1;
	}
	if (cu->hs_n > HS_MIN_SAMPLES)
		return;		/* this round has decided */
	if (rtt_us < cu->hs_cur_us)
		cu->hs_cur_us = rtt_us;
	if (cu->hs_n++ < HS_MIN_SAMPLES)
		return;
	th = cu->hs_base_us / HS_THRESH_DIV;
	th = th < HS_THRESH_MIN_US ? HS_THRESH_MIN_US :
	     th > HS_THRESH_MAX_US ? HS_THRESH_MAX_US : th;
	if (cu->hs_cur_us >= cu->hs_base_us + th) {
		c->ssthresh = c->cwnd;
		core->stats.tcp_hystart_exits++;
		dp_tcp_trace(core, c, "hystart");
	}
}

static const struct tcp_cc_ops tcp_cc_ops[DP_TCP_CC__COUNT] = {
	[DP_TCP_CC_NEWRENO] = { "newreno", newreno_ack, newreno_ssthresh,
				NULL },
	[DP_TCP_CC_CUBIC] = { "cubic", cubic_ack, cubic_ssthresh, cubic_rtt },
};

static const struct tcp_cc_ops *
cc_of(const struct dp_tcp_conn *c)
{
	return &tcp_cc_ops[c->cc < DP_TCP_CC__COUNT ? c->cc :
			   DP_TCP_CC_CUBIC];
}

void
dp_tcp_cc_init(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t mss = dp_tcp_eff_mss(c);

	c->cc = core->tcp->cfg.cc < DP_TCP_CC__COUNT ? core->tcp->cfg.cc :
		DP_TCP_CC_CUBIC;
	/* RFC 6928 initial window: 10 segments */
	c->cwnd = 10 * mss;
	c->ssthresh = UINT32_MAX;
	c->recover = c->snd_una;
	c->dupacks = 0;
	memset(&c->cubic, 0, sizeof(c->cubic));
}

void
dp_tcp_cc_ack(struct dp_core *core, struct dp_tcp_conn *c, uint32_t acked,
	      bool cwnd_limited)
{
	cc_of(c)->ack(core, c, acked, cwnd_limited);
}

void
dp_tcp_cc_rtt(struct dp_core *core, struct dp_tcp_conn *c, uint32_t rtt_us)
{
	if (cc_of(c)->rtt)
		cc_of(c)->rtt(core, c, rtt_us);
}

void
dp_tcp_cc_loss(struct dp_core *core, struct dp_tcp_conn *c, uint32_t flight)
{
	/* what an undo restores */
	c->undo_cwnd = c->cwnd;
	c->undo_ssthresh = c->ssthresh;
	c->undo_cubic = c->cubic;
	c->ssthresh = cc_of(c)->ssthresh(core, c, flight);
}

void
dp_tcp_cc_loss_in_recovery(struct dp_core *core, struct dp_tcp_conn *c)
{
	(void)core;
	/* the episode's reduction stands: a second one from the window PRR
	 * has already shrunk would cut ssthresh (and CUBIC's w_max) to a
	 * fraction of what the path carried (Linux tcp_enter_loss: no new
	 * ssthresh while in Recovery) */
	c->undo_cwnd = c->cwnd;
	c->undo_ssthresh = c->ssthresh;
	c->undo_cubic = c->cubic;
	c->cubic.epoch_us = 0;
	c->cubic.frac = 0;
}

void
dp_tcp_cc_rto(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_cubic *cu = &c->cubic;

	(void)core;
	/* the path may have changed (a new route, a standing queue gone):
	 * the slow start after the timeout judges delay against RTTs of its
	 * own, not a minimum from before (Linux: cubictcp_state resets
	 * delay_min and the round on TCP_CA_Loss).  Saved already in
	 * undo_cubic: a spurious timeout's undo brings them back */
	cu->hs_base_us = 0;
	cu->hs_cur_us = 0;
	cu->hs_n = 0;
	cu->hs_end = 0;
}

void
dp_tcp_cc_undo(struct dp_core *core, struct dp_tcp_conn *c)
{
	(void)core;
	/* RFC 4015 3.2: back to the window before the reduction */
	if (c->undo_cwnd > c->cwnd)
		c->cwnd = c->undo_cwnd;
	c->ssthresh = c->undo_ssthresh;
	c->cubic = c->undo_cubic;
	c->cubic.epoch_us = 0;
}

const char *
dp_tcp_cc_conn_name(const struct dp_tcp_conn *c)
{
	return cc_of(c)->name;
}
