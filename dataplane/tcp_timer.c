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

/* RFC 6298 section 2: SRTT / RTTVAR / RTO from a measurement. */
void
dp_tcp_rtt_sample(struct dp_core *core, struct dp_tcp_conn *c,
		  uint32_t rtt_us)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;
	uint64_t rto;

	if (rtt_us == 0)
		rtt_us = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = rtt_us;
		c->rttvar_us = rtt_us / 2;
	} else {
		uint32_t d = c->srtt_us > rtt_us ? c->srtt_us - rtt_us :
			     rtt_us - c->srtt_us;

		c->rttvar_us = (3 * c->rttvar_us + d) / 4;
		c->srtt_us = (7 * c->srtt_us + rtt_us) / 8;
	}
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
		 * congestion control keeps what an undo restores */
		flight = c->snd_max - c->snd_una;
		dp_tcp_cc_loss(core, c, flight);
		/* Eifel (RFC 3522): the retransmission carries this TSval;
		 * an ACK echoing an older one proves the timeout spurious */
		if (c->flags & TF_TS) {
			c->flags |= TF_RTO_UNDO;
			c->rto_tsval = dp_tcp_ts_now(core, c->ts_offset);
		}
	}
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
	 * on its SACKs; start over from the cumulative ACK */
	c->nsacked = 0;
	c->high_rxt = c->snd_una;
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
	uint32_t mss = dp_tcp_eff_mss(c);
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
