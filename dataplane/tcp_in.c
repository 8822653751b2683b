/*
 * tcp_in.c -- TCP input: validation, option parsing, the per-state
 * handlers (RFC 9293 section 3.10.7), RFC 5961 blind-attack defences,
 * PAWS (RFC 7323), loss recovery on the ACK path -- NewReno (RFC 6582)
 * without SACK; with SACK the RFC 6675 scoreboard, entry on IsLost or a
 * SACKed tail, lost-retransmission detection, Eifel undo of a spurious
 * RTO (RFC 3522 / 4015) -- reassembly into the receive ring.
 *
 * Call chain: dp_ipv4_input -> dp_tcp_input -> tcp_input (header length,
 *             checksum, options) -> dp_tcp_lookup ->
 *               no tcb:  tcp_listen_input (SYN -> SYN-RECEIVED tcb or a
 *                        SYN cookie; cookie ACK -> ESTABLISHED tcb;
 *                        anything else -> core->stray = dp_handover_stray:
 *                        another core's flow?) | tcp_send_reset_for
 *               tcb:     tcp_state_input[c->state] -> tcp_sync_check ->
 *                        tcp_ack_process (-> tcp_sack_loss_detect,
 *                        tcp_lost_rtx_detect, dp_tcp_cc_*) ->
 *                        dp_tcp_reass -> tcp_fin ->
 *                        dp_tcp_deliver -> app->recv / peer_closed
 *             Output is not sent here: handlers set TF_ACK_NOW / TF_DELACK
 *             and mark the tcb pending; dp_tcp_flush sends once per poll
 *             iteration, so an ACK rides on the application's reply.
 *
 * Every malformed or unacceptable segment is counted in
 * core->stats.drops[] and freed; nothing here trusts the wire.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "dp_ipv4.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

/* One received segment, decoded. */
struct tcp_seg {
	struct rte_mbuf *m;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint32_t orig_seq;
	uint32_t len;		/* payload bytes (after trimming) */
	uint32_t doff;		/* payload offset in m (after trimming) */
	uint16_t wnd;		/* raw window field */
	uint8_t flags;
	struct dp_tcp_opts o;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * RFC 9293 3.1 option list.  Malformed lists (a length below 2, an option
 * running past the header, a known option with the wrong length) are
 * rejected as a whole.  MSS / WS / SACK-permitted count only on SYNs.
 */
int
dp_tcp_parse_options(const uint8_t *p, unsigned len, bool syn,
		     struct dp_tcp_opts *o)
{
	unsigned i = 0;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -EINVAL;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -EINVAL;
			if (syn) {
				o->mss_ok = true;
				o->mss = get16(p + i + 2);
				if (o->mss < 64)
					o->mss = 64;
			}
			break;
		case TCPOPT_WS:
			if (olen != 3)
				return -EINVAL;
			if (syn) {
				o->ws_ok = true;
				o->ws = p[i + 2] > TCP_MAX_WSCALE ?
					TCP_MAX_WSCALE : p[i + 2];
			}
			break;
		case TCPOPT_SACK_OK:
			if (olen != 2)
				return -EINVAL;
			if (syn)
				o->sack_ok = true;
			break;
		case TCPOPT_SACK:
			if ((olen - 2) % 8 != 0 || olen == 2)
				return -EINVAL;
			for (unsigned b = 0; b < (olen - 2u) / 8u &&
			     o->nsack < TCP_MAX_SACK; b++) {
				o->sack[o->nsack].start =
					get32(p + i + 2 + 8 * b);
				o->sack[o->nsack].end =
					get32(p + i + 6 + 8 * b);
				o->nsack++;
			}
			break;
		case TCPOPT_TS:
			if (olen != 10)
				return -EINVAL;
			o->ts_ok = true;
			o->ts_val = get32(p + i + 2);
			o->ts_ecr = get32(p + i + 6);
			break;
		default:
			break;	/* unknown: skipped by its length */
		}
		i += olen;
	}
	return 0;
}

/* ---- reassembly ---- */

/* Copy len bytes of m from off into the receive ring at ring offset pos. */
static void
tcp_ring_write(struct dp_tcp_conn *c, uint32_t pos, const struct rte_mbuf *m,
	       uint32_t off, uint32_t len)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0) {
		uint32_t n = m->data_len - off;
		const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *,
							     off);

		if (n > len)
			n = len;
		while (n > 0) {
			uint32_t chunk = c->rbuf_size - pos;

			if (chunk > n)
				chunk = n;
			memcpy(c->rbuf + pos, src, chunk);
			pos = (pos + chunk) % c->rbuf_size;
			src += chunk;
			n -= chunk;
			len -= chunk;
		}
		off = 0;
		m = m->next;
	}
}

/* Record [start, end) in the out-of-order list, merged with what it
 * touches, and make its range the most recent one (ooo_recent[0], the
 * first SACK block, RFC 2018 4); the other reported ranges follow unless
 * the merge swallowed them. */
static void
tcp_ooo_add(struct dp_core *core, struct dp_tcp_conn *c, uint32_t start,
	    uint32_t end)
{
	const struct dp_tcp_range *r;
	uint32_t old[TCP_MAX_SACK];
	unsigned k = 1, nold = c->nrecent;
	int i = dp_tcp_ranges_add(&c->ooo, start, end);

	if (i < 0) {
		/* no room: not recorded, so not SACKed, and the peer resends
		 * it; forgetting a range we SACKed would renege on it and
		 * cost the sender an RTO */
		core->stats.tcp_ooo_full++;
		return;
	}
	r = &dp_tcp_ranges_v(&c->ooo)[i];
	memcpy(old, c->ooo_recent, sizeof(old));
	c->ooo_recent[0] = r->start;
	for (unsigned j = 0; j < nold && k < TCP_MAX_SACK; j++) {
		if (SEQ_LEQ(r->start, old[j]) && SEQ_LT(old[j], r->end))
			continue;	/* the same range now */
		c->ooo_recent[k++] = old[j];
	}
	c->nrecent = (uint8_t)k;
}

uint32_t
dp_tcp_reass(struct dp_core *core, struct dp_tcp_conn *c, uint32_t seq,
	     const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t rel, room, end, adv;

	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		if (d >= len)
			return 0;
		seq += d;
		off += d;
		len -= d;
	}
	rel = seq - c->rcv_nxt;
	room = c->rbuf_size - c->rbuf_len;
	if (rel >= room || len == 0)
		return 0;
	if (len > room - rel)
		len = room - rel;
	tcp_ring_write(c, (c->rbuf_head + c->rbuf_len + rel) % c->rbuf_size,
		       m, off, len);
	if (rel != 0) {
		tcp_ooo_add(core, c, seq, seq + len);
		return 0;
	}
	/* in order: absorb the queued ranges it now reaches */
	end = seq + len;
	{
		const struct dp_tcp_range *v = dp_tcp_ranges_v(&c->ooo);

		for (uint32_t i = 0; i < c->ooo.n &&
		     SEQ_LEQ(v[i].start, end); i++)
			end = SEQ_MAX(end, v[i].end);
	}
	dp_tcp_ranges_trim(&c->ooo, end);
	if (c->ooo.n == 0)
		c->nrecent = 0;
	adv = end - c->rcv_nxt;
	c->rcv_nxt = end;
	c->rbuf_len += adv;
	return adv;
}

/* ---- helpers ---- */

static void
tcp_ack_later(struct dp_core *core, struct dp_tcp_conn *c, bool now)
{
	c->flags |= now ? TF_ACK_NOW : TF_DELACK;
	dp_tcp_mark_pending(core, c);
}

/* RST in answer to a segment that has no connection (RFC 9293 3.10.7.1). */
static void
tcp_send_reset_for(struct dp_core *core, const struct tcp_seg *s)
{
	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK)
		dp_tcp_send_rst(core, s->dst, s->dport, s->src, s->sport,
				s->ack, 0, 0);
	else
		dp_tcp_send_rst(core, s->dst, s->dport, s->src, s->sport, 0,
				s->seq + s->len + !!(s->flags & TH_SYN) +
				!!(s->flags & TH_FIN), TH_ACK);
}

/* Negotiate options from the peer's SYN (or SYN-ACK). */
static void
tcp_take_syn_options(struct dp_core *core, struct dp_tcp_conn *c,
		     const struct dp_tcp_opts *o)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;

	c->peer_mss = o->mss_ok ? o->mss : TCP_DEFAULT_MSS;
	c->smss = c->peer_mss < cfg->mss ? c->peer_mss : cfg->mss;
	if (o->ws_ok) {
		c->flags |= TF_WS;
		c->snd_wscale = o->ws;
		c->rcv_wscale = cfg->wscale;
	} else {
		c->flags &= ~TF_WS;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	if (o->sack_ok)
		c->flags |= TF_SACK;
	else
		c->flags &= ~TF_SACK;
	if (o->ts_ok) {
		c->flags |= TF_TS;
		c->ts_recent = o->ts_val;
	} else {
		c->flags &= ~TF_TS;
	}
}

/* The end of a connection on an acceptable RST. */
static void
tcp_reset(struct dp_core *core, struct dp_tcp_conn *c)
{
	enum dp_tcp_close_reason why = DP_TCP_CLOSED_RESET;

	if (c->state == TCP_SYN_SENT)
		why = DP_TCP_CLOSED_REFUSED;
	dp_tcp_conn_destroy(core, c, why);
}

/*
 * Checks every synchronized state applies first (RFC 9293 3.10.7.4 steps
 * 1-5 with RFC 7323 PAWS and RFC 5961): returns 0 to go on with s
 * (trimmed to the window), -1 when the segment was consumed (dropped,
 * answered, or it reset the connection).  check_ack = false leaves the ACK
 * field to the caller (SYN-RECEIVED).
 */
static int
tcp_sync_check(struct dp_core *core, struct dp_tcp_conn *c,
	       struct tcp_seg *s, bool check_ack)
{
	uint32_t wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ?
		       c->rcv_adv - c->rcv_nxt : 0;
	uint32_t seglen = s->len + !!(s->flags & TH_SYN) +
			  !!(s->flags & TH_FIN);
	bool ok;

	/* RFC 7323 5.3: PAWS */
	if ((c->flags & TF_TS) && s->o.ts_ok && !(s->flags & TH_RST) &&
	    SEQ_LT(s->o.ts_val, c->ts_recent)) {
		core->stats.drops[DP_DROP_TCP_PAWS]++;
		tcp_ack_later(core, c, true);
		return -1;
	}
	/* RFC 5961 3.2: RST must hit rcv_nxt exactly */
	if (s->flags & TH_RST) {
		bool inwin = wnd == 0 ? s->seq == c->rcv_nxt :
			     (SEQ_GEQ(s->seq, c->rcv_nxt) &&
			      SEQ_LT(s->seq, c->rcv_nxt + wnd));

		if (s->seq == c->rcv_nxt) {
			tcp_reset(core, c);
			return -1;
		}
		core->stats.drops[DP_DROP_TCP_BAD_SEQ]++;
		if (inwin)
			dp_tcp_send_challenge_ack(core, c);
		return -1;
	}
	/* RFC 5961 4.2: a SYN, whatever its sequence number, gets a
	 * challenge ACK */
	if (s->flags & TH_SYN) {
		dp_tcp_send_challenge_ack(core, c);
		core->stats.drops[DP_DROP_TCP_BAD_SEQ]++;
		return -1;
	}
	/* RFC 9293 3.10.7.4 first: sequence acceptability */
	if (seglen == 0)
		ok = wnd == 0 ? s->seq == c->rcv_nxt :
		     SEQ_GEQ(s->seq, c->rcv_nxt) &&
		     SEQ_LT(s->seq, c->rcv_nxt + wnd);
	else
		ok = wnd != 0 &&
		     ((SEQ_GEQ(s->seq, c->rcv_nxt) &&
		       SEQ_LT(s->seq, c->rcv_nxt + wnd)) ||
		      (SEQ_GEQ(s->seq + seglen - 1, c->rcv_nxt) &&
		       SEQ_LT(s->seq + seglen - 1, c->rcv_nxt + wnd)));
	if (!ok) {
		core->stats.drops[DP_DROP_TCP_BAD_SEQ]++;
		if (c->state == TCP_TIME_WAIT && (s->flags & TH_FIN))
			dp_tcp_timer_set(core, c, &c->t_tw, core->now_us +
					 core->tcp->cfg.time_wait_us);
		tcp_ack_later(core, c, true);	/* duplicate ACK */
		return -1;
	}
	if (!(s->flags & TH_ACK)) {
		core->stats.drops[DP_DROP_TCP_BAD_ACK]++;
		return -1;
	}
	/* RFC 7323 4.3: ts_recent from the segment covering last_ack_sent */
	if ((c->flags & TF_TS) && s->o.ts_ok &&
	    SEQ_LEQ(s->seq, c->last_ack_sent))
		c->ts_recent = s->o.ts_val;
	/* trim to the window */
	if (SEQ_LT(s->seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - s->seq;

		if (d > s->len)
			d = s->len;
		s->seq += d;
		s->doff += d;
		s->len -= d;
		if (d > 0 && s->len == 0 && !(s->flags & TH_FIN))
			tcp_ack_later(core, c, true);	/* all duplicate */
	}
	if (SEQ_GT(s->seq + s->len, c->rcv_nxt + wnd)) {
		s->len = c->rcv_nxt + wnd - s->seq;
		s->flags &= ~TH_FIN;
		tcp_ack_later(core, c, true);
	}
	if (check_ack) {
		/* RFC 5961 5.2: ACK within [snd_una - max_snd_wnd, snd_max] */
		if (SEQ_GT(s->ack, c->snd_max) ||
		    SEQ_LT(s->ack, c->snd_una - c->max_snd_wnd)) {
			core->stats.drops[DP_DROP_TCP_BAD_ACK]++;
			dp_tcp_send_challenge_ack(core, c);
			return -1;
		}
	}
	c->last_rcv_us = core->now_us;
	c->keep_probes = 0;
	return 0;
}

static void
tcp_update_window(struct dp_core *core, struct dp_tcp_conn *c,
		  const struct tcp_seg *s)
{
	uint32_t wnd = (uint32_t)s->wnd << c->snd_wscale;

	if (SEQ_LT(c->snd_wl1, s->seq) ||
	    (c->snd_wl1 == s->seq && SEQ_LEQ(c->snd_wl2, s->ack))) {
		uint32_t old = c->snd_wnd;

		c->snd_wnd = wnd;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
		if (old == 0 && wnd > 0 && c->t_persist) {
			c->t_persist = 0;
			c->backoff = 0;
			c->retries = 0;
		}
		if (wnd > old)
			dp_tcp_mark_pending(core, c);
	}
}

/*
 * Sender SACK scoreboard (RFC 2018 / 6675): merge the segment's blocks
 * that lie inside (snd_una, snd_max] -- D-SACKs (below the ACK) and
 * blocks beyond what we sent are ignored -- into c->sacked, sorted and
 * disjoint (tcp_ranges.h; it grows with the connection's buffers).  When
 * full, the highest range is dropped (the lowest ones locate the holes to
 * repair first; forgetting a SACK only costs a needless resend).
 */
static void
tcp_sack_update(struct dp_core *core, struct dp_tcp_conn *c,
		const struct tcp_seg *s)
{
	for (unsigned b = 0; b < s->o.nsack; b++) {
		uint32_t st = s->o.sack[b].start, en = s->o.sack[b].end;

		if (!SEQ_LT(st, en) || SEQ_LEQ(en, s->ack) ||
		    SEQ_LEQ(en, c->snd_una) || SEQ_GT(en, c->snd_max))
			continue;
		if (SEQ_LT(st, c->snd_una))
			st = c->snd_una;
		if (dp_tcp_ranges_add(&c->sacked, st, en) >= 0)
			continue;
		core->stats.tcp_sack_sb_full++;
		if (SEQ_GT(st,
			   dp_tcp_ranges_v(&c->sacked)[c->sacked.n - 1].start))
			continue;	/* the highest: drop it */
		dp_tcp_ranges_pop(&c->sacked);	/* drop the highest */
		(void)dp_tcp_ranges_add(&c->sacked, st, en);
	}
}

/* Forget SACKed ranges the cumulative ACK covers. */
static void
tcp_sack_prune(struct dp_tcp_conn *c)
{
	dp_tcp_ranges_trim(&c->sacked, c->snd_una);
}

/* Forget logged retransmissions the cumulative ACK covers. */
static void
tcp_rtxlog_prune(struct dp_tcp_conn *c)
{
	unsigned k = 0;

	for (unsigned i = 0; i < c->nrtxlog; i++)
		if (SEQ_GT(c->rtxlog[i].end, c->snd_una))
			c->rtxlog[k++] = c->rtxlog[i];
	c->nrtxlog = (uint8_t)k;
}

static bool
tcp_sacked_range(const struct dp_tcp_conn *c, uint32_t st, uint32_t en)
{
	int i = dp_tcp_ranges_find(&c->sacked, st);

	return i >= 0 &&
	       SEQ_GEQ(dp_tcp_ranges_cv(&c->sacked)[i].end, en);
}

/* Bytes SACKed above seq (from the top: the callers ask about the
 * recent end of the window). */
static uint32_t
tcp_sacked_above(const struct dp_tcp_conn *c, uint32_t seq)
{
	const struct dp_tcp_range *v = dp_tcp_ranges_cv(&c->sacked);
	uint32_t n = 0;

	for (uint32_t i = c->sacked.n; i-- > 0;) {
		if (SEQ_LEQ(v[i].end, seq))
			break;
		n += v[i].end - SEQ_MAX(v[i].start, seq);
	}
	return n;
}

/*
 * Lost retransmissions (as Linux's lost-retransmit marking, RACK's idea
 * in RFC 8985): a retransmission is lost when more than DupThresh - 1
 * segments sent after it are SACKed while it is neither SACKed nor
 * cumulatively acknowledged.  Sent once more, its mark moves on.  Marks
 * grow along the log, so the walk stops at the first that does not
 * qualify.
 */
static void
tcp_lost_rtx_detect(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t need = (TCP_DUPTHRESH - 1) * dp_tcp_eff_mss(c);

	for (unsigned i = 0; i < c->nrtxlog; i++) {
		uint32_t seq = c->rtxlog[i].seq, end = c->rtxlog[i].end;

		if (tcp_sacked_range(c, seq, end))
			continue;
		if (tcp_sacked_above(c, c->rtxlog[i].mark) <= need)
			break;
		if (SEQ_LT(seq, c->snd_una))
			seq = c->snd_una;
		if (!SEQ_LT(seq, end) ||
		    dp_tcp_send_segment(core, c, seq, end - seq, TH_ACK) != 0)
			break;
		core->stats.tcp_lost_retransmits++;
		c->rtxlog[i].mark = c->snd_max;
		/* keep the log sorted by mark: move it to the end */
		{
			__typeof__(c->rtxlog[0]) e = c->rtxlog[i];

			memmove(&c->rtxlog[i], &c->rtxlog[i + 1],
				(c->nrtxlog - i - 1) * sizeof(e));
			c->rtxlog[c->nrtxlog - 1] = e;
		}
		break;		/* one per ACK: the rest wait for the next */
	}
}

/*
 * Time-ordered loss detection in SACK recovery (rack_edge, tcp_priv.h):
 * a logged retransmission that the scoreboard now covers, or that ack
 * covers with an echoed TSval no older than the retransmission's (its
 * own arrival, not the original's: Eifel's test), was delivered, so
 * everything sent before it -- every byte below the
 * snd_max it was sent at -- that is not SACKed is lost.  This finds the
 * losses above the highest SACKed byte (a tail-drop burst, or segments the
 * receiver could not record), which IsLost never marks, without waiting
 * for the RTO.  Before the log is pruned by the new snd_una.
 */
static void
tcp_rack_detect(struct dp_tcp_conn *c, const struct tcp_seg *s, uint32_t ack)
{
	if (!(c->flags & TF_IN_RECOVERY) || !(c->flags & TF_SACK))
		return;
	if (!SEQ_GEQ(c->rack_edge, c->snd_una))
		c->rack_edge = c->snd_una;
	for (unsigned i = 0; i < c->nrtxlog; i++) {
		if (!SEQ_GT(c->rtxlog[i].mark, c->rack_edge))
			continue;
		if (tcp_sacked_range(c, c->rtxlog[i].seq, c->rtxlog[i].end) ||
		    (SEQ_LEQ(c->rtxlog[i].end, ack) &&
		     (!(c->flags & TF_TS) || !s->o.ts_ok ||
		      SEQ_GEQ(s->o.ts_ecr, c->rtxlog[i].tsval))))
			c->rack_edge = c->rtxlog[i].mark;
	}
}

/*
 * Proportional Rate Reduction (RFC 6937 section 3.1, with the slow start
 * reduction bound): in SACK recovery, on each ACK that delivered
 * delivered bytes, cwnd = pipe + what may go out now -- in proportion to
 * what was delivered while pipe is above ssthresh, and at most what was
 * delivered plus one segment below it (so a burst of losses found at once,
 * e.g. by rack_edge, is repaired at the rate the ACKs come back instead of
 * one burst into the queue that just overflowed).
 */
static void
tcp_prr_update(struct dp_tcp_conn *c, uint32_t delivered)
{
	uint32_t mss = dp_tcp_eff_mss(c), pipe = dp_tcp_pipe(c), sndcnt;

	c->prr_delivered += delivered;
	if (pipe > c->ssthresh) {
		uint64_t want = c->recover_fs ?
			((uint64_t)c->prr_delivered * c->ssthresh +
			 c->recover_fs - 1) / c->recover_fs : 0;

		sndcnt = want > c->prr_out ? (uint32_t)(want - c->prr_out) : 0;
	} else {
		uint32_t lim = c->prr_delivered > c->prr_out ?
			       c->prr_delivered - c->prr_out : 0;

		if (lim < delivered)
			lim = delivered;
		lim += mss;
		sndcnt = c->ssthresh - pipe < lim ? c->ssthresh - pipe : lim;
	}
	c->cwnd = pipe + sndcnt;
}

/*
 * SACK loss detection outside recovery (RFC 6675 section 5): enter
 * recovery when the first unacknowledged segment IsLost (more than
 * (DupThresh - 1) * MSS bytes SACKed above it), after DupThresh duplicate
 * ACKs, or when everything sent above the first hole has been SACKed (the
 * tail of a burst or the answer to a tail loss probe: nothing else will
 * come to count).  cwnd = ssthresh from the congestion control; the first
 * segment goes out now, the rest by pipe in dp_tcp_output.
 */
static void
tcp_sack_loss_detect(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t mss = dp_tcp_eff_mss(c), len;
	bool tail;

	if (c->sacked.n == 0 || (c->flags & TF_IN_RECOVERY) ||
	    SEQ_LT(c->snd_una, c->recover) || c->snd_una == c->snd_max)
		return;
	tail = dp_tcp_ranges_v(&c->sacked)[c->sacked.n - 1].end ==
	       c->snd_max && c->snd_nxt == c->snd_max;
	if (!SEQ_GT(dp_tcp_lost_edge(c), c->snd_una) && !tail &&
	    c->dupacks < TCP_DUPTHRESH)
		return;
	dp_tcp_cc_loss(core, c, c->snd_max - c->snd_una);
	c->cwnd = c->ssthresh;
	c->recover = c->snd_max;
	c->recover_fs = c->snd_max - c->snd_una;
	c->prr_delivered = 0;
	c->prr_out = 0;
	dp_tcp_trace(core, c, "recovery");
	c->flags |= TF_IN_RECOVERY;
	c->flags &= ~(TF_RTT_TIMING | TF_TLP_OUT);
	c->t_tlp = 0;
	c->nrtxlog = 0;
	c->rack_edge = c->snd_una;
	len = dp_tcp_ranges_v(&c->sacked)[0].start - c->snd_una;
	if (len > mss)
		len = mss;
	if (len > c->sbuf_len)
		len = c->sbuf_len;
	core->stats.tcp_fast_retransmits++;
	if (len > 0)
		dp_tcp_retransmit_logged(core, c, c->snd_una, len);
	else
		dp_tcp_retransmit_first(core, c);
	c->high_rxt = c->snd_una + len;
	dp_tcp_rto_arm(core, c);
	dp_tcp_mark_pending(core, c);
}

/*
 * The ACK field of an acceptable segment: advance snd_una and the send
 * ring, RTT sample, Eifel check after an RTO, congestion window
 * (tcp_cc.c), NewReno duplicate-ACK counting / fast retransmit / partial
 * ACKs (RFC 6582) without SACK, the RFC 6675 scoreboard with it, send
 * window, tail loss probe.
 */
static void
tcp_ack_process(struct dp_core *core, struct dp_tcp_conn *c,
		const struct tcp_seg *s)
{
	uint32_t ack = s->ack, mss = dp_tcp_eff_mss(c);
	uint32_t wnd = (uint32_t)s->wnd << c->snd_wscale;
	uint32_t flight0 = c->snd_max - c->snd_una;
	bool sack = (c->flags & TF_SACK) != 0;
	uint32_t una0 = c->snd_una, sacked0 = 0;	/* PRR DeliveredData */

	if (sack && c->sacked.n)
		sacked0 = dp_tcp_sacked_bytes(c);
	if (sack && s->o.nsack)
		tcp_sack_update(core, c, s);
	if (c->nrtxlog)
		tcp_rack_detect(c, s, SEQ_GT(ack, c->snd_una) ? ack : c->snd_una);
	if (SEQ_GT(ack, c->snd_una)) {
		uint32_t acked = ack - c->snd_una;
		uint32_t data = acked < c->sbuf_len ? acked : c->sbuf_len;
		bool fin_out = SEQ_GT(c->snd_max, c->snd_una + c->sbuf_len);

		/* RTT (RFC 6298 / 7323) */
		if ((c->flags & TF_TS) && s->o.ts_ok && s->o.ts_ecr != 0) {
			uint32_t d = dp_tcp_ts_now(core, c->ts_offset) -
				     s->o.ts_ecr;

			/* not for data sent before a retransmission: the
			 * peer may echo the timestamp of an older copy
			 * (its ACK of the first arrival got lost) */
			if (d < 600000 && SEQ_GT(ack, c->rtx_high))
				dp_tcp_rtt_sample(core, c, d ? d * 1000 : 500);
		} else if ((c->flags & TF_RTT_TIMING) &&
			   SEQ_GT(ack, c->rtt_seq)) {
			c->flags &= ~TF_RTT_TIMING;
			dp_tcp_rtt_sample(core, c, (uint32_t)(core->now_us -
							      c->rtt_start));
		}
		/* Eifel (RFC 3522): the first ACK after an RTO echoes a
		 * timestamp older than the retransmission's: the original
		 * arrived, the timeout was spurious; undo the reduction and
		 * go on with new data instead of going back N (RFC 4015) */
		if (c->flags & TF_RTO_UNDO) {
			c->flags &= ~TF_RTO_UNDO;
			if ((c->flags & TF_TS) && s->o.ts_ok &&
			    s->o.ts_ecr != 0 &&
			    SEQ_LT(s->o.ts_ecr, c->rto_tsval)) {
				dp_tcp_cc_undo(core, c);
				c->snd_nxt = c->snd_max;
				core->stats.tcp_spurious_rtos++;
				/* the timeout's recover (RFC 6582 4) would
				 * keep SACK loss detection off until all
				 * it resent is acked: the holes waited for
				 * the next, real, RTO and its go-back-N.
				 * Back to before it; a SACK recovery it
				 * cut short resumes (PRR from here). */
				c->recover = c->undo_recover;
				if ((c->flags & TF_RTO_IN_REC) &&
				    SEQ_LT(ack, c->recover)) {
					c->flags |= TF_IN_RECOVERY;
					/* what it resent is still on its
					 * way (the RTO fired while it sat
					 * in a deep queue): not again */
					c->high_rxt = SEQ_GT(c->undo_high_rxt,
							     c->snd_una) &&
						      SEQ_LEQ(c->undo_high_rxt,
							      c->snd_max) ?
						      c->undo_high_rxt :
						      c->snd_una;
					c->rack_edge = c->snd_una;
					c->nrtxlog = 0;
					c->recover_fs = c->snd_max -
							c->snd_una;
					c->prr_delivered = 0;
					c->prr_out = 0;
				}
				dp_tcp_trace(core, c, "undo");
			}
			c->flags &= ~TF_RTO_IN_REC;
		}
		dp_tcp_sq_drop(c, data);
		if (acked > data && fin_out && (c->flags & TF_FIN_QUEUED))
			c->flags |= TF_FIN_ACKED;
		c->snd_una = ack;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		if (c->sacked.n)
			tcp_sack_prune(c);
		if (c->nrtxlog)
			tcp_rtxlog_prune(c);
		c->flags &= ~TF_TLP_OUT;
		if (c->flags & TF_IN_RECOVERY) {
			if (SEQ_GEQ(ack, c->recover)) {
				/* full ACK: leave recovery */
				uint32_t flight = c->snd_max - c->snd_una;

				/* NewReno: RFC 6582 3.2 (5) option 2; SACK:
				 * RFC 6675 (cwnd = ssthresh) -- with flight
				 * + MSS a recovery that drained the pipe left
				 * one segment, which the peer's delayed ACK
				 * then held for 40 ms per round */
				c->cwnd = sack || c->ssthresh < flight + mss ?
					  c->ssthresh : flight + mss;
				c->flags &= ~TF_IN_RECOVERY;
				c->dupacks = 0;
				c->high_rxt = c->snd_una;
				c->nrtxlog = 0;
				c->rack_edge = c->snd_una;
			} else if (sack && c->sacked.n > 0) {
				/* RFC 6675: no deflation; dp_tcp_output
				 * sends by pipe (holes first) */
				dp_tcp_rto_arm(core, c);
			} else {
				/* partial ACK: resend the next hole (with
				 * SACK: the next one not yet resent, RFC
				 * 6675; NewReno: the first unacknowledged
				 * segment), deflate by what was acked */
				if (!(c->flags & TF_SACK) ||
				    SEQ_GEQ(c->snd_una, c->high_rxt)) {
					uint32_t len = c->sbuf_len < mss ?
						       c->sbuf_len : mss;

					if (sack && len > 0)
						dp_tcp_retransmit_logged(core,
							c, c->snd_una, len);
					else
						dp_tcp_retransmit_first(core,
									c);
					c->high_rxt = c->snd_una + len;
					core->stats.tcp_fast_retransmits++;
				} else if (dp_tcp_retransmit_hole(core, c)) {
					core->stats.tcp_fast_retransmits++;
				}
				if (!sack)
					c->cwnd = c->cwnd > acked ?
						  c->cwnd - acked + mss : mss;
				dp_tcp_rto_arm(core, c);
			}
		} else {
			/* cwnd-limited (RFC 7661): the flight filled the
			 * window (slow start: half of it, as Linux) */
			bool limited = c->cwnd < c->ssthresh ?
				       2 * (uint64_t)flight0 >= c->cwnd :
				       flight0 + 3 * mss >= c->cwnd;

			c->dupacks = 0;
			dp_tcp_cc_ack(core, c, acked, limited);
		}
		c->retries = 0;
		c->backoff = 0;
		if (c->snd_una == c->snd_max)
			c->t_rto = 0;
		else if (!(c->flags & TF_IN_RECOVERY) || SEQ_GEQ(ack,
								 c->recover))
			dp_tcp_rto_arm(core, c);
		dp_tcp_tlp_arm(core, c);
		dp_tcp_mark_pending(core, c);
		if ((c->flags & TF_WANT_SENDABLE) &&
		    c->sbuf_len < c->sbuf_size && !(c->flags & TF_FIN_QUEUED)) {
			c->flags &= ~TF_WANT_SENDABLE;
			if ((c->flags & TF_APP_KNOWS) && c->ops->sendable)
				c->ops->sendable(core, c, c->ctx);
			if (c->flags & TF_DEAD)
				return;
		}
	} else if (ack == c->snd_una && s->len == 0 &&
		   !(s->flags & (TH_SYN | TH_FIN)) && wnd == c->snd_wnd &&
		   c->snd_una != c->snd_max && c->snd_wnd != 0) {
		/* duplicate ACK (RFC 5681 section 2) */
		c->dupacks++;
		if (sack && c->sacked.n > 0) {
			/* the scoreboard decides (below) */
		} else if (c->dupacks == 3 && !(c->flags & TF_IN_RECOVERY) &&
		    SEQ_GT(ack, c->recover)) {
			uint32_t flight = c->snd_max - c->snd_una;

			dp_tcp_cc_loss(core, c, flight);
			c->recover = c->snd_max;
			c->recover_fs = flight;		/* PRR, if SACK */
			c->prr_delivered = 0;
			c->prr_out = 0;
			c->rack_edge = c->snd_una;
			c->flags |= TF_IN_RECOVERY;
			c->flags &= ~TF_RTT_TIMING;
			core->stats.tcp_fast_retransmits++;
			dp_tcp_retransmit_first(core, c);
			c->high_rxt = c->snd_una +
				      (c->sbuf_len < mss ? c->sbuf_len : mss);
			c->cwnd = c->ssthresh + 3 * mss;
			dp_tcp_rto_arm(core, c);
		} else if (c->dupacks > 3 && (c->flags & TF_IN_RECOVERY)) {
			c->cwnd += mss;		/* inflate */
			/* SACK: each further duplicate ACK (a segment left
			 * the network) repairs the next known hole at once
			 * instead of one hole per round trip (NewReno) */
			if (c->sacked.n && dp_tcp_retransmit_hole(core, c))
				core->stats.tcp_fast_retransmits++;
			dp_tcp_mark_pending(core, c);
		}
	}
	if (sack && c->sacked.n > 0) {
		if (c->flags & TF_IN_RECOVERY) {
			if (c->nrtxlog)
				tcp_lost_rtx_detect(core, c);
			dp_tcp_mark_pending(core, c);
		} else {
			tcp_sack_loss_detect(core, c);
		}
	}
	if (sack && (c->flags & TF_IN_RECOVERY)) {
		/* RFC 6937 DeliveredData: cumulatively acked + newly SACKed */
		int64_t d = (int64_t)(uint32_t)(c->snd_una - una0) +
			    (int64_t)dp_tcp_sacked_bytes(c) - sacked0;

		tcp_prr_update(c, d > 0 ? (uint32_t)d : 0);
	}
	if (c->t_persist)
		c->retries = 0;		/* the peer answers our probes */
	tcp_update_window(core, c, s);
}

/*
 * Fast path: an in-order segment (no FIN) while nothing is queued goes to
 * the app straight from the mbuf; only what it leaves unconsumed is
 * copied into the ring (at rbuf_head, where rcv_nxt's byte belongs).
 * Returns false when the general path must run.
 */
static bool
tcp_data_direct(struct dp_core *core, struct dp_tcp_conn *c,
		const struct tcp_seg *s)
{
	const uint8_t *p;
	size_t n;

	if (s->seq != c->rcv_nxt || c->rbuf_len != 0 || c->ooo.n != 0 ||
	    (s->flags & TH_FIN) ||
	    (c->flags & (TF_RECV_PAUSED | TF_OOO_FIN)) ||
	    !(c->flags & TF_APP_KNOWS) || c->ops->recv == NULL ||
	    s->doff + s->len > s->m->data_len ||
	    s->len > c->rbuf_size - c->rbuf_len)
		return false;
	p = rte_pktmbuf_mtod_offset(s->m, const uint8_t *, s->doff);
	c->rcv_nxt += s->len;
	c->rcv_unacked += s->len;
	c->rcv_offered = s->len;
	n = c->ops->recv(core, c, c->ctx, p, s->len);
	c->rcv_offered = 0;
	if (c->flags & TF_DEAD)
		return true;
	if (n > s->len)
		n = s->len;
	if (n < s->len) {
		/* keep the rest for dp_tcp_recv_resume */
		tcp_ring_write(c, c->rbuf_head, s->m, s->doff + n,
			       s->len - n);
		c->rbuf_len = s->len - n;
		c->flags |= TF_RECV_PAUSED;
	}
	tcp_ack_later(core, c, c->rcv_unacked >= 2 * dp_tcp_eff_mss(c));
	return true;
}

/* Data of an acceptable segment into the ring; sets the ACK policy:
 * out of order or filling a hole -> now; else every 2 full segments. */
static void
tcp_data(struct dp_core *core, struct dp_tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t had_ooo = c->ooo.n;
	uint32_t adv;

	if (s->len == 0 || (c->flags & TF_RCV_FIN))
		return;
	if (tcp_data_direct(core, c, s))
		return;
	adv = dp_tcp_reass(core, c, s->seq, s->m, s->doff, s->len);
	if (adv == 0) {
		/* out of order: one duplicate ACK (with SACK blocks) per
		 * segment, now, not coalesced with the rest of the burst --
		 * the sender counts them (RFC 5681 4.2) */
		dp_tcp_send_ack(core, c);
		return;
	}
	c->rcv_unacked += adv;
	tcp_ack_later(core, c, had_ooo != 0 || c->ooo.n != 0 ||
		      c->rcv_unacked >= 2 * dp_tcp_eff_mss(c));
}

/* The peer's FIN is in order: account it and move the state. */
static void
tcp_fin_accept(struct dp_core *core, struct dp_tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags |= TF_RCV_FIN;
	c->flags &= ~TF_OOO_FIN;
	tcp_ack_later(core, c, true);
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		dp_tcp_set_state(core, c, TCP_CLOSE_WAIT);
		c->t_keep = 0;
		break;
	case TCP_FIN_WAIT_1:
		if (c->flags & TF_FIN_ACKED) {
			dp_tcp_deliver(core, c);
			if (c->flags & TF_DEAD)
				return;
			c->t_tw = 0;
			dp_tcp_enter_time_wait(core, c);
		} else {
			dp_tcp_set_state(core, c, TCP_CLOSING);
		}
		break;
	case TCP_FIN_WAIT_2:
		dp_tcp_deliver(core, c);
		if (c->flags & TF_DEAD)
			return;
		c->t_tw = 0;
		dp_tcp_enter_time_wait(core, c);
		break;
	default:
		break;
	}
}

static void
tcp_fin(struct dp_core *core, struct dp_tcp_conn *c, const struct tcp_seg *s)
{
	if (c->flags & TF_RCV_FIN)
		return;
	if (s->flags & TH_FIN) {
		uint32_t fin = s->seq + s->len;

		if (fin == c->rcv_nxt) {
			tcp_fin_accept(core, c);
			return;
		}
		if (SEQ_GT(fin, c->rcv_nxt)) {
			/* beyond a hole: remember it, duplicate ACK */
			c->flags |= TF_OOO_FIN;
			c->rcv_fin = fin;
			tcp_ack_later(core, c, true);
		}
	}
	if ((c->flags & TF_OOO_FIN) && c->rcv_fin == c->rcv_nxt)
		tcp_fin_accept(core, c);
}

/* ACK, data, FIN, delivery: the tail shared by the synchronized states
 * once their own ACK consequences are done. */
static void
tcp_data_fin_deliver(struct dp_core *core, struct dp_tcp_conn *c,
		     const struct tcp_seg *s)
{
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		tcp_data(core, c, s);
		break;
	default:
		/* the peer has sent FIN: no data after it (RFC 9293
		 * 3.10.7.4 seventh); dropped, our ACK restates the end */
		if (s->len > 0) {
			core->stats.drops[DP_DROP_TCP_BAD_SEQ]++;
			tcp_ack_later(core, c, true);
		}
		break;
	}
	tcp_fin(core, c, s);
	if (!(c->flags & TF_DEAD) && c->state != TCP_TIME_WAIT)
		dp_tcp_deliver(core, c);
}

/* ---- per-state handlers ---- */

static void
tcp_in_syn_sent(struct dp_core *core, struct dp_tcp_conn *c,
		struct tcp_seg *s)
{
	bool ack_ok = false;

	if (s->flags & TH_ACK) {
		if (SEQ_LEQ(s->ack, c->iss) || SEQ_GT(s->ack, c->snd_max)) {
			core->stats.drops[DP_DROP_TCP_BAD_ACK]++;
			if (!(s->flags & TH_RST))
				dp_tcp_send_rst(core, c->lip, c->lport, c->rip,
						c->rport, s->ack, 0, 0);
			return;
		}
		ack_ok = true;
	}
	if (s->flags & TH_RST) {
		if (ack_ok)
			tcp_reset(core, c);
		else
			core->stats.drops[DP_DROP_TCP_BAD_SEQ]++;
		return;
	}
	if (!(s->flags & TH_SYN)) {
		core->stats.drops[DP_DROP_TCP_BAD_ACK]++;
		return;
	}
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->last_ack_sent = c->rcv_nxt;
	tcp_take_syn_options(core, c, &s->o);
	c->snd_wnd = s->wnd;		/* never scaled on a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->rcv_adv = c->rcv_nxt;
	if (ack_ok) {
		c->snd_una = s->ack;
		c->t_rto = 0;
		c->flags &= ~TF_RTT_TIMING;
		if (c->retries == 0)
			dp_tcp_rtt_sample(core, c, (uint32_t)(core->now_us -
							      c->rtt_start));
		dp_tcp_cc_init(core, c);
		c->recover = c->iss;
		tcp_ack_later(core, c, true);
		dp_tcp_established(core, c);
		return;
	}
	/* simultaneous open (RFC 9293 3.5) */
	dp_tcp_set_state(core, c, TCP_SYN_RECEIVED);
	c->flags |= TF_SEND_SYN;
	c->retries = 0;
	dp_tcp_mark_pending(core, c);
}

static void
tcp_in_syn_received(struct dp_core *core, struct dp_tcp_conn *c,
		    struct tcp_seg *s)
{
	/* the peer retransmitted its SYN: answer with our SYN-ACK again */
	if ((s->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    s->seq == c->irs) {
		tcp_ack_later(core, c, true);
		return;
	}
	if (tcp_sync_check(core, c, s, false) < 0)
		return;
	if (SEQ_LEQ(s->ack, c->snd_una) || SEQ_GT(s->ack, c->snd_max)) {
		core->stats.drops[DP_DROP_TCP_BAD_ACK]++;
		dp_tcp_send_rst(core, c->lip, c->lport, c->rip, c->rport,
				s->ack, 0, 0);
		return;
	}
	c->snd_una = s->ack;
	c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->t_rto = 0;
	if (c->retries == 0 && !(c->flags & TF_TS) &&
	    (c->flags & TF_RTT_TIMING))
		dp_tcp_rtt_sample(core, c, (uint32_t)(core->now_us -
						      c->rtt_start));
	c->flags &= ~TF_RTT_TIMING;
	dp_tcp_cc_init(core, c);
	c->recover = c->iss;
	dp_tcp_established(core, c);
	if (c->flags & TF_DEAD)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_in_established(struct dp_core *core, struct dp_tcp_conn *c,
		   struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_in_fin_wait_1(struct dp_core *core, struct dp_tcp_conn *c,
		  struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	if (c->state == TCP_FIN_WAIT_1 && (c->flags & TF_FIN_ACKED)) {
		dp_tcp_set_state(core, c, TCP_FIN_WAIT_2);
		c->t_rto = 0;
		dp_tcp_arm_fin_wait_2(core, c);
	}
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_in_fin_wait_2(struct dp_core *core, struct dp_tcp_conn *c,
		  struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_in_close_wait(struct dp_core *core, struct dp_tcp_conn *c,
		  struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_in_closing(struct dp_core *core, struct dp_tcp_conn *c,
	       struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	if (c->flags & TF_FIN_ACKED) {
		dp_tcp_deliver(core, c);
		if (!(c->flags & TF_DEAD))
			dp_tcp_enter_time_wait(core, c);
	}
}

static void
tcp_in_last_ack(struct dp_core *core, struct dp_tcp_conn *c,
		struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	tcp_ack_process(core, c, s);
	if (c->flags & TF_DEAD)
		return;
	if (c->flags & TF_FIN_ACKED)
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_NORMAL);
}

static void
tcp_in_time_wait(struct dp_core *core, struct dp_tcp_conn *c,
		 struct tcp_seg *s)
{
	if (tcp_sync_check(core, c, s, true) < 0)
		return;
	/* a FIN again (in window, e.g. after our ACK was lost): ACK it and
	 * restart the 2*MSL timer */
	if (s->flags & TH_FIN) {
		dp_tcp_timer_set(core, c, &c->t_tw, core->now_us +
				 core->tcp->cfg.time_wait_us);
		tcp_ack_later(core, c, true);
	}
}

typedef void (*tcp_state_fn)(struct dp_core *, struct dp_tcp_conn *,
			     struct tcp_seg *);

static const tcp_state_fn tcp_state_input[TCP_STATE__COUNT] = {
	[TCP_SYN_SENT] = tcp_in_syn_sent,
	[TCP_SYN_RECEIVED] = tcp_in_syn_received,
	[TCP_ESTABLISHED] = tcp_in_established,
	[TCP_FIN_WAIT_1] = tcp_in_fin_wait_1,
	[TCP_FIN_WAIT_2] = tcp_in_fin_wait_2,
	[TCP_CLOSE_WAIT] = tcp_in_close_wait,
	[TCP_CLOSING] = tcp_in_closing,
	[TCP_LAST_ACK] = tcp_in_last_ack,
	[TCP_TIME_WAIT] = tcp_in_time_wait,
};

/* ---- no connection: listeners, SYN cookies, resets ---- */

/* A segment to a listening port that no connection here took: another
 * core's flow whose queue moved?  True: handed on (dp_handover_stray). */
static inline bool
tcp_hand_on(struct dp_core *core, struct rte_mbuf *m)
{
	return core->stray != NULL && core->stray(core, m);
}

static void
tcp_cookie_ack(struct dp_core *core, struct dp_tcp_listener *l,
	       struct tcp_seg *s)
{
	const struct dp_tcp_config *cfg = &core->tcp->cfg;
	struct dp_tcp_conn *c;
	struct dp_tcp_opts co;
	uint16_t mss;

	mss = dp_tcp_cookie_check(core, s->dst, s->dport, s->src, s->sport,
				  s->seq - 1, s->ack - 1);
	if (mss == 0 || (s->flags & (TH_SYN | TH_RST))) {
		/* another core's connection whose queue moved? */
		if (!(s->flags & TH_SYN) && tcp_hand_on(core, s->m))
			return;
		core->stats.drops[DP_DROP_TCP_NO_CONN]++;
		tcp_send_reset_for(core, s);
		return;
	}
	c = dp_tcp_conn_new(core, s->dst, s->dport, s->src, s->sport);
	if (c == NULL) {
		core->stats.drops[DP_DROP_TCP_BACKLOG]++;
		return;
	}
	core->stats.tcp_syncookies_ok++;
	c->ops = l->ops;
	c->flags |= TF_COOKIE;
	c->state = TCP_SYN_RECEIVED;	/* no backlog slot */
	c->iss = s->ack - 1;
	c->rtx_high = c->iss;
	c->snd_una = c->snd_nxt = c->snd_max = s->ack;
	c->irs = s->seq - 1;
	c->rcv_nxt = s->seq;
	c->last_ack_sent = s->seq;
	memset(&co, 0, sizeof(co));
	co.mss_ok = true;
	co.mss = mss;
	if (s->o.ts_ok) {
		co.ts_ok = true;
		co.ts_val = s->o.ts_val;
		dp_tcp_cookie_ts_opts(s->o.ts_ecr, &co);
	}
	tcp_take_syn_options(core, c, &co);
	c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->rcv_adv = c->rcv_nxt + (cfg->rcv_buf > 65535 ? 65535 : cfg->rcv_buf);
	dp_tcp_cc_init(core, c);
	c->recover = c->iss;
	dp_tcp_established(core, c);
	if (c->flags & TF_DEAD)
		return;
	tcp_data_fin_deliver(core, c, s);
}

static void
tcp_listen_input(struct dp_core *core, struct dp_tcp_listener *l,
		 struct tcp_seg *s)
{
	struct dp_tcp_stack *st = core->tcp;
	struct dp_tcp_conn *c = NULL;

	if (s->flags & TH_RST) {
		if (!tcp_hand_on(core, s->m))
			core->stats.drops[DP_DROP_TCP_NO_CONN]++;
		return;
	}
	if (s->flags & TH_ACK) {
		tcp_cookie_ack(core, l, s);
		return;
	}
	if (!(s->flags & TH_SYN)) {
		if (!tcp_hand_on(core, s->m))
			core->stats.drops[DP_DROP_TCP_NO_CONN]++;
		return;
	}
	if (l->syn_rcvd < st->cfg.syn_backlog)
		c = dp_tcp_conn_new(core, s->dst, s->dport, s->src, s->sport);
	if (c == NULL) {
		/* over the backlog (or no room): answer statelessly */
		uint16_t mss = s->o.mss_ok ? s->o.mss : TCP_DEFAULT_MSS;
		uint32_t tsval = 0, iss;

		if (mss > st->cfg.mss)
			mss = st->cfg.mss;
		iss = dp_tcp_cookie_make(core, s->dst, s->dport, s->src,
					 s->sport, s->seq, &mss);
		if (s->o.ts_ok)
			tsval = dp_tcp_cookie_tsval(
				dp_tcp_ts_now(core, dp_tcp_ts_offset(s->dst,
					s->dport, s->src, s->sport)), &s->o);
		core->stats.tcp_syncookies_sent++;
		core->stats.drops[DP_DROP_TCP_BACKLOG]++;
		dp_tcp_send_synack_stateless(core, s->dst, s->dport, s->src,
					     s->sport, iss, s->seq + 1, mss,
					     &s->o, tsval);
		return;
	}
	c->ops = l->ops;
	dp_tcp_set_state(core, c, TCP_SYN_RECEIVED);
	c->listener = l;
	l->syn_rcvd++;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->last_ack_sent = c->rcv_nxt;
	c->rcv_adv = c->rcv_nxt;
	c->iss = dp_tcp_isn(core, s->dst, s->dport, s->src, s->sport);
	c->snd_una = c->snd_nxt = c->snd_max = c->rtx_high = c->iss;
	tcp_take_syn_options(core, c, &s->o);
	c->snd_wnd = s->wnd;
	c->max_snd_wnd = s->wnd;
	c->snd_wl1 = s->seq;
	c->flags |= TF_SEND_SYN;
	dp_tcp_mark_pending(core, c);
}

/* RFC 6191: a new SYN may reuse a TIME-WAIT tuple when it is clearly newer
 * (timestamp, or sequence number without timestamps). */
static bool
tcp_tw_reusable(const struct dp_tcp_conn *c, const struct tcp_seg *s)
{
	if ((s->flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN)
		return false;
	if ((c->flags & TF_TS) && s->o.ts_ok)
		return SEQ_GT(s->o.ts_val, c->ts_recent);
	return SEQ_GT(s->seq, c->rcv_nxt);
}

static void
tcp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
	  uint32_t dst)
{
	const struct dp_tcp_hdr *th;
	struct dp_tcp_conn *c;
	struct dp_tcp_listener *l;
	struct tcp_seg s;
	unsigned hlen;
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (m->pkt_len < TCP_HDR_LEN || m->data_len < TCP_HDR_LEN) {
		core->stats.drops[DP_DROP_TCP_SHORT]++;
		return;
	}
	th = rte_pktmbuf_mtod(m, const struct dp_tcp_hdr *);
	hlen = (th->off >> 4) * 4u;
	if (hlen < TCP_HDR_LEN || hlen > m->pkt_len || hlen > m->data_len) {
		core->stats.drops[DP_DROP_TCP_SHORT]++;
		return;
	}
	if (ck == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    (ck != RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	     dp_ipv4_l4_cksum(src, dst, 6, m, 0, m->pkt_len) != 0)) {
		core->stats.drops[DP_DROP_TCP_CKSUM]++;
		return;
	}
	memset(&s, 0, sizeof(s));
	s.flags = th->flags;
	if (dp_tcp_parse_options((const uint8_t *)(th + 1),
				 hlen - TCP_HDR_LEN, s.flags & TH_SYN,
				 &s.o) < 0) {
		core->stats.drops[DP_DROP_TCP_OPTIONS]++;
		return;
	}
	s.m = m;
	s.src = src;
	s.dst = dst;
	s.sport = rte_be_to_cpu_16(th->sport);
	s.dport = rte_be_to_cpu_16(th->dport);
	s.seq = s.orig_seq = rte_be_to_cpu_32(th->seq);
	s.ack = rte_be_to_cpu_32(th->ack);
	s.wnd = rte_be_to_cpu_16(th->win);
	s.doff = hlen;
	s.len = m->pkt_len - hlen;
	if (s.sport == 0 || s.dport == 0) {
		core->stats.drops[DP_DROP_TCP_NO_CONN]++;
		return;
	}

	c = dp_tcp_lookup(core, dst, s.dport, src, s.sport);
	if (c != NULL && c->state == TCP_TIME_WAIT && tcp_tw_reusable(c, &s) &&
	    dp_tcp_listener_find(core, s.dport) != NULL) {
		dp_tcp_conn_destroy(core, c, DP_TCP_CLOSED_NORMAL);
		c = NULL;
	}
	if (c == NULL) {
		l = dp_tcp_listener_find(core, s.dport);
		if (l != NULL) {
			tcp_listen_input(core, l, &s);
			return;
		}
		core->stats.drops[DP_DROP_TCP_NO_CONN]++;
		tcp_send_reset_for(core, &s);
		return;
	}
	if (tcp_state_input[c->state] != NULL)
		tcp_state_input[c->state](core, c, &s);
}

void
dp_tcp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
	     uint32_t dst)
{
	if (core->tcp == NULL) {
		dp_core_drop(core, m, DP_DROP_TCP_NO_CONN);
		return;
	}
	dp_tcp_enter(core);
	tcp_input(core, m, src, dst);
	rte_pktmbuf_free(m);
	dp_tcp_leave(core);
}
