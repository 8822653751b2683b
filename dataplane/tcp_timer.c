/*
 * tcp_timer.c -- TCP timers: retransmission (RFC 6298, exponential
 * backoff; the first timeout remembers its TSval for the Eifel undo in
 * tcp_in.c), tail loss probe (RFC 8985 section 7), delayed ACK, persist
 * (zero-window probes), keepalive, TIME-WAIT / FIN-WAIT-2 expiry,
 * SYN-SENT / SYN-RECEIVED give-up.
 *
 * Call chain: dp_loop -> dp_tcp_timers -> tcp_timer_conn -> per-timer
 *             handler -> dp_tcp_output / dp_tcp_retransmit_first /
 *             dp_tcp_send_segment (probe) / dp_tcp_conn_destroy
 *
 * Each tcb holds absolute deadlines on core->now_us (0 = off) and sits in
 * the stack's timer wheel (1 ms slots) no later than the earliest one; an
 * iteration visits only the slots of the ticks that passed.
 */
#include <stdio.h>
#include <string.h>

#include "dp_core.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

#define TCP_FIN_WAIT_2_US 60000000ull	/* orphaned FIN-WAIT-2 lifetime */

static uint64_t
tcp_rto_cur(struct dp_core *core, const struct dp_tcp_conn *c)
{
	uint64_t rto = (uint64_t)c->rto_us << (c->backoff < 20 ? c->backoff :
					       20);

	if (rto > core->tcp->cfg.rto_max_us)
		rto = core->tcp->cfg.rto_max_us;
	return rto;
}

void
dp_tcp_rto_arm(struct dp_core *core, struct dp_tcp_conn *c)
{
	dp_tcp_timer_set(core, c, &c->t_rto, core->now_us + tcp_rto_cur(core, c));
}

/*
 * RFC 6298 section 2: SRTT / RTTVAR / RTO from a measurement.  With
 * timestamps every ACK is a sample, about flight / (2 MSS) of them per
 * round trip: the gains (1/8, 1/4) are divided by that many (RFC 7323
 * appendix G) so the estimates move per round trip as RFC 6298 means.
 * Per-ACK gains let RTTVAR shrink to the ACK-to-ACK jitter (a few ms on a
 * 250 ms path) and the RTO sit just above SRTT, so a queue that grows
 * during slow start, or the round trip of a retransmission behind a full
 * queue, outlasted it: spurious RTOs (seen live, issue 6).
 */
void
dp_tcp_rtt_sample(struct dp_core *core, struct dp_tcp_conn *c,
		  uint32_t rtt_us)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;
	uint64_t rto;
	int64_t r, es = 1;

	if (rtt_us == 0)
		rtt_us = 1;
	dp_tcp_cc_rtt(core, c, rtt_us);
	r = (int64_t)rtt_us << 16;
	if (c->flags & TF_TS) {
		int64_t two = 2 * (int64_t)dp_tcp_eff_mss(c);
		int64_t fl = (int64_t)(uint32_t)(c->snd_max - c->snd_una);

		if (two > 0 && fl > two)
			es = (fl + two - 1) / two;
	}
	if (c->srtt_us == 0) {
		c->srtt_x = (uint64_t)r;
		c->rttvar_x = (uint64_t)r / 2;
	} else {
		int64_t s = (int64_t)c->srtt_x, v = (int64_t)c->rttvar_x;
		int64_t d = r > s ? r - s : s - r;

		c->rttvar_x = (uint64_t)(v + (d - v) / (4 * es));
		c->srtt_x = (uint64_t)(s + (r - s) / (8 * es));
	}
	c->srtt_us = (uint32_t)(c->srtt_x >> 16);
	c->rttvar_us = (uint32_t)(c->rttvar_x >> 16);
	if (c->srtt_us == 0)
		c->srtt_us = 1;		/* 0 means "no sample yet" */
	rto = (uint64_t)c->srtt_us +
	      (4 * c->rttvar_us > 1000 ? 4 * c->rttvar_us : 1000);
	if (rto < cfg->rto_min_us)
		rto = cfg->rto_min_us;
	if (rto > cfg->rto_max_us)
		rto = cfg->rto_max_us;
	c->rto_us = (uint32_t)rto;
}

void
dp_tcp_keepalive_reset(struct dp_core *core, struct dp_tcp_conn *c)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;

	c->last_rcv_us = core->now_us;
	c->keep_probes = 0;
	if (cfg->keepalive_idle_us == 0 ||
	    (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT))
		return;
	if (c->t_keep == 0)	/* else it re-arms from last_rcv_us */
		dp_tcp_timer_set(core, c, &c->t_keep,
				 core->now_us + cfg->keepalive_idle_us);
}

/* A probe the peer must answer: seq snd_una - 1, no data (Linux style for
 * both keepalive and zero-window probes). */
static void
tcp_send_probe(struct dp_core *core, struct dp_tcp_conn *c)
{
	dp_tcp_send_segment(core, c, c->snd_una - 1, 0, TH_ACK);
}

static void
tcp_timer_rto(struct dp_core *core, struct dp_tcp_conn *c)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;
	uint32_t flight, mss;

	c->retries++;
	switch (c->state) {
	case TCP_SYN_SENT:
		if (c->retries > TCP_SYN_RETRIES) {
			dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_TIMEOUT);
			return;
		}
		break;
	case TCP_SYN_RECEIVED:
		if (c->retries > TCP_SYNACK_RETRIES) {
			dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_TIMEOUT);
			return;
		}
		break;
	default:
		if (c->snd_una == c->snd_max) {
			c->retries = 0;
			return;		/* nothing outstanding */
		}
		if (c->retries > cfg->max_retries) {
			dp_tcp_send_rst_conn(core, c);
			dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_TIMEOUT);
			return;
		}
		if (c->snd_wnd == 0) {
			/* the peer closed its window over data in flight:
			 * probe it (persist) instead of retransmitting into
			 * a closed window; the data follows when it opens */
			c->snd_nxt = c->snd_una;
			tcp_send_probe(core, c);
			if (c->backoff < 31)
				c->backoff++;
			dp_tcp_timer_set(core, c, &c->t_persist,
					 core->now_us + tcp_rto_cur(core, c));
			return;
		}
		break;
	}
	core->stats.tcp_rto_timeouts++;
	mss = dp_tcp_eff_mss(c);
	if (c->backoff == 0 && c->state != TCP_SYN_SENT &&
	    c->state != TCP_SYN_RECEIVED) {
		/* RFC 5681 (4): first timeout of this segment; the
		 * congestion control keeps what an undo restores.  Inside
		 * a recovery the episode has reduced ssthresh already */
		flight = c->snd_max - c->snd_una;
		if (c->flags & TF_IN_RECOVERY)
			dp_tcp_cc_loss_in_recovery(core, c);
		else
			dp_tcp_cc_loss(core, c, flight);
		dp_tcp_cc_rto(core, c);
		/* Eifel (RFC 3522): the retransmission carries this TSval;
		 * an ACK echoing an older one proves the timeout spurious */
		if (c->flags & TF_TS) {
			c->flags |= TF_RTO_UNDO;
			c->rto_tsval = dp_tcp_ts_now(core, c->ts_offset);
			c->undo_recover = c->recover;
			c->undo_high_rxt = c->high_rxt;
			c->flags &= ~TF_RTO_IN_REC;
			if ((c->flags & (TF_IN_RECOVERY | TF_SACK)) ==
			    (TF_IN_RECOVERY | TF_SACK))
				c->flags |= TF_RTO_IN_REC;
		}
	}
	dp_tcp_trace(core, c, "rto");
	c->t_tlp = 0;
	c->flags &= ~TF_TLP_OUT;
	c->nrtxlog = 0;
	if (c->backoff < 31)
		c->backoff++;
	c->cwnd = mss;			/* loss window */
	c->dupacks = 0;
	c->flags &= ~(TF_IN_RECOVERY | TF_RTT_TIMING);
	c->recover = c->snd_max;	/* RFC 6582 section 4 */
	/* RFC 6675 section 5.1: after a timeout the peer may have reneged
	 * on its SACKs; the go back N below ignores them (it runs outside
	 * recovery), and they are forgotten at a backed-off timeout.  The
	 * first timeout keeps them while it may still prove spurious
	 * (Eifel): the recovery it cut short resumes with them on undo
	 * instead of taking every un-SACKed byte for lost */
	if (!(c->flags & TF_RTO_UNDO) || c->backoff > 1)
		dp_tcp_ranges_clear(&c->sacked);
	c->high_rxt = c->snd_una;
	c->rack_edge = c->snd_una;
	if (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
		dp_tcp_retransmit_first(core, c);
	} else {
		/* go back N from snd_una; cwnd lets one segment out */
		c->snd_nxt = c->snd_una;
		dp_tcp_output(core, c);
		if (c->snd_nxt == c->snd_una)	/* e.g. zero window */
			dp_tcp_retransmit_first(core, c);
	}
	dp_tcp_rto_arm(core, c);
}

void
dp_tcp_trace(struct dp_core *core, const struct dp_tcp_conn *c,
	     const char *why)
{
	const struct dp_tcp_stack *st = core->tcp;

	if (st->trace_min_buf == 0 || c->sbuf_size < st->trace_min_buf)
		return;
	fprintf(stderr, "tcptrace %.3f %s %u->%u st %s cwnd %u ssthresh %u "
		"snd_wnd %u flight %u sbuf %u/%u srtt %u rttvar %u rto %u "
		"backoff %u rec %d sacked %u/%u rack %u prr %u/%u "
		"rtx %llu frtx %llu rtos %llu spur %llu tlp %llu lrtx %llu "
		"rcvwin %u rbuf %u/%u ooo %u\n",
		core->now_us / 1e6, why, c->lport, c->rport,
		dp_tcp_state_names[c->state], c->cwnd, c->ssthresh,
		c->snd_wnd, c->snd_max - c->snd_una, c->sbuf_len, c->sbuf_size,
		c->srtt_us, c->rttvar_us, c->rto_us, c->backoff,
		!!(c->flags & TF_IN_RECOVERY), c->sacked.n,
		dp_tcp_sacked_bytes(c), c->rack_edge - c->snd_una,
		c->prr_delivered, c->prr_out,
		(unsigned long long)core->stats.tcp_retransmits,
		(unsigned long long)core->stats.tcp_fast_retransmits,
		(unsigned long long)core->stats.tcp_rto_timeouts,
		(unsigned long long)core->stats.tcp_spurious_rtos,
		(unsigned long long)core->stats.tcp_tlp_probes,
		(unsigned long long)core->stats.tcp_lost_retransmits,
		c->rcv_adv - c->rcv_nxt, c->rbuf_len, c->rbuf_size, c->ooo.n);
}

/* Every 100 ms: the trace line of each qualifying connection. */
static void
tcp_trace_tick(struct dp_core *core)
{
	struct dp_tcp_stack *st = core->tcp;

	if (core->now_us < st->trace_next_us)
		return;
	st->trace_next_us = core->now_us + 100000;
	for (const struct dp_tcp_conn *c = st->all; c != NULL; c = c->next)
		if (!(c->flags & TF_DEAD))
			dp_tcp_trace(core, c, "tick");
}

void
dp_tcp_tlp_arm(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint64_t pto, at;

	if (!core->tcp->cfg.tlp || !(c->flags & TF_SACK) ||
	    (c->flags & (TF_IN_RECOVERY | TF_TLP_OUT)) ||
	    c->snd_una == c->snd_max || c->srtt_us == 0 ||
	    (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)) {
		c->t_tlp = 0;
		return;
	}
	/* RFC 8985 7.2: PTO = 2 SRTT, + WCDelAckT with one segment out;
	 * only if earlier than the RTO */
	pto = 2 * (uint64_t)c->srtt_us;
	if (c->snd_max - c->snd_una <= dp_tcp_eff_mss(c))
		pto += TCP_TLP_DELACK_US;
	if (pto < TCP_TLP_MIN_US)
		pto = TCP_TLP_MIN_US;
	at = core->now_us + pto;
	if (c->t_rto != 0 && at >= c->t_rto) {
		c->t_tlp = 0;
		return;
	}
	dp_tcp_timer_set(core, c, &c->t_tlp, at);
}

/*
 * RFC 8985 7.3: the probe -- one new segment if the receive window
 * allows one (whatever cwnd says), else the last segment sent again -- so that a loss at the tail is answered by an ACK (with SACK)
 * that starts fast recovery instead of waiting for the RTO.  One probe
 * until an ACK advances snd_una; the RTO is re-armed behind it.
 */
static void
tcp_timer_tlp(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t mss = dp_tcp_seg_mss(c);
	uint32_t off = c->snd_nxt - c->snd_una, len;

	if (c->snd_una == c->snd_max ||
	    (c->flags & (TF_IN_RECOVERY | TF_TLP_OUT)) ||
	    (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT) ||
	    SEQ_GT(c->snd_max, c->snd_una + c->sbuf_len))
		return;		/* (a FIN out: the RTO handles it) */
	if (off < c->sbuf_len && c->snd_wnd > off) {
		len = c->sbuf_len - off;
		if (len > c->snd_wnd - off)
			len = c->snd_wnd - off;
		if (len > mss)
			len = mss;
		if (dp_tcp_send_segment(core, c, c->snd_nxt, len,
					len == c->sbuf_len - off ?
					TH_ACK | TH_PSH : TH_ACK) != 0)
			return;
		c->snd_nxt += len;
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
	} else {
		len = c->snd_max - c->snd_una;
		if (len > mss)
			len = mss;
		if (dp_tcp_send_segment(core, c, c->snd_max - len, len,
					TH_ACK | TH_PSH) != 0)
			return;
	}
	core->stats.tcp_tlp_probes++;
	c->flags |= TF_TLP_OUT;
	c->tlp_high = c->snd_max;
	dp_tcp_rto_arm(core, c);
}

static void
tcp_timer_persist(struct dp_core *core, struct dp_tcp_conn *c)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;
	uint64_t iv;

	if (c->snd_wnd != 0 || c->sbuf_len == 0) {
		dp_tcp_output(core, c);
		return;
	}
	if (++c->retries > cfg->max_retries) {
		dp_tcp_send_rst_conn(core, c);
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_TIMEOUT);
		return;
	}
	tcp_send_probe(core, c);
	if (c->backoff < 31)
		c->backoff++;
	iv = tcp_rto_cur(core, c);
	dp_tcp_timer_set(core, c, &c->t_persist, core->now_us + iv);
}

static void
tcp_timer_keepalive(struct dp_core *core, struct dp_tcp_conn *c)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;

	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
		return;
	if (c->snd_una != c->snd_max || c->sbuf_len > 0) {
		/* data in flight: the RTO watches the peer */
		dp_tcp_timer_set(core, c, &c->t_keep,
				 core->now_us + cfg->keepalive_idle_us);
		return;
	}
	if (c->keep_probes >= cfg->keepalive_probes) {
		dp_tcp_send_rst_conn(core, c);
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_TIMEOUT);
		return;
	}
	c->keep_probes++;
	tcp_send_probe(core, c);
	dp_tcp_timer_set(core, c, &c->t_keep,
			 core->now_us + cfg->keepalive_intvl_us);
}

static void
tcp_timer_conn(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint64_t now = core->now_us;

	if (c->t_tw && c->t_tw <= now) {
		c->t_tw = 0;
		/* TIME-WAIT over, or an orphaned FIN-WAIT-2 gave up */
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_NORMAL);
		return;
	}
	if (c->t_rto && c->t_rto <= now) {
		c->t_rto = 0;
		tcp_timer_rto(core, c);
		if (c->flags & TF_DEAD)
			return;
	}
	if (c->t_tlp && c->t_tlp <= now) {
		c->t_tlp = 0;
		tcp_timer_tlp(core, c);
		if (c->flags & TF_DEAD)
			return;
	}
	if (c->t_persist && c->t_persist <= now) {
		c->t_persist = 0;
		tcp_timer_persist(core, c);
		if (c->flags & TF_DEAD)
			return;
	}
	if (c->t_delack && c->t_delack <= now) {
		c->t_delack = 0;
		if (c->flags & (TF_DELACK | TF_ACK_NOW)) {
			c->flags |= TF_ACK_NOW;
			dp_tcp_output(core, c);
		}
	}
	if (c->t_keep && c->t_keep <= now) {
		c->t_keep = 0;
		if (now - c->last_rcv_us >= core->tcp->cfg.keepalive_idle_us ||
		    c->keep_probes > 0)
			tcp_timer_keepalive(core, c);
		else
			dp_tcp_timer_set(core, c, &c->t_keep, c->last_rcv_us +
					 core->tcp->cfg.keepalive_idle_us);
	}
}

void
dp_tcp_arm_fin_wait_2(struct dp_core *core, struct dp_tcp_conn *c)
{
	dp_tcp_timer_set(core, c, &c->t_tw, core->now_us + TCP_FIN_WAIT_2_US);
}

/* The earliest armed deadline of c, 0 if none. */
static uint64_t
tcp_next_deadline(const struct dp_tcp_conn *c)
{
	const uint64_t ts[6] = { c->t_rto, c->t_delack, c->t_persist,
				 c->t_keep, c->t_tw, c->t_tlp };
	uint64_t m = 0;

	for (unsigned i = 0; i < 6; i++)
		if (ts[i] && (m == 0 || ts[i] < m))
			m = ts[i];
	return m;
}

/*
 * Visit the wheel slots of the ticks since the last call (at most one
 * turn), take out the connections whose wheel time has come (without
 * running anything while walking a slot), then run their due timers and
 * put each back at its next deadline.  The current tick is visited again
 * next time, so nothing linked late in a tick waits a whole turn.
 */
void
dp_tcp_timers(struct dp_core *core)
{
	struct dp_tcp_stack *st = core->tcp;
	uint64_t now = core->now_us, now_tick, n;
	struct dp_tcp_conn *due = NULL, *c, *nx;

	if (st == NULL)
		return;
	if (st->trace_min_buf)
		tcp_trace_tick(core);
	now_tick = now / TCP_WHEEL_TICK_US;
	if (now_tick < st->wheel_tick)
		return;
	n = now_tick - st->wheel_tick + 1;
	if (n > TCP_WHEEL_SLOTS)
		n = TCP_WHEEL_SLOTS;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t slot = (uint32_t)((now_tick - n + 1 + i) %
					   TCP_WHEEL_SLOTS);

		for (c = st->wheel[slot]; c != NULL; c = nx) {
			nx = c->wnext;
			if (c->wheel_at > now)
				continue;	/* a later turn */
			dp_tcp_wheel_unlink(core, c);
			c->wdue = due;
			due = c;
		}
	}
	st->wheel_tick = now_tick;
	if (due == NULL)
		return;
	dp_tcp_enter(core);
	for (c = due; c != NULL; c = nx) {
		uint64_t at;

		nx = c->wdue;
		c->wdue = NULL;
		if (c->flags & TF_DEAD)
			continue;
		tcp_timer_conn(core, c);
		if (c->flags & TF_DEAD)
			continue;
		at = tcp_next_deadline(c);
		if (at != 0 && (c->wheel_at == 0 || at < c->wheel_at))
			dp_tcp_wheel_link(core, c, at);
	}
	dp_tcp_leave(core);
}
