/*
 * tcp_out.c -- TCP output: segmentation, options, ACKs, RSTs,
 * retransmission; during SACK recovery the RFC 6675 sender (pipe,
 * NextSeg: lost holes first, then new data, while cwnd - pipe allows).
 * The window arithmetic lives in tcp_cc.c, the recovery state in
 * tcp_in.c's ACK handling, the timers (RTO, tail loss probe) in
 * tcp_timer.c.
 *
 * Call chain: dp_tcp_flush (tcp.c) | tcp_in.c | tcp_timer.c ->
 *             dp_tcp_output -> [tcp_sack_recovery_holes ->
 *             dp_tcp_retransmit_logged] -> dp_tcp_send_segment ->
 *             tcp_build -> [dp_tcp_sq_attach | dp_tcp_sq_copy] ->
 *             dp_ipv4_output -> dp_eth_output -> dp_core_tx
 *
 * Contracts:
 *  - No Nagle: every byte the windows allow goes out at the next flush
 *    (at most TCP_TX_BURST data segments per connection per flush, the
 *    rest at the following ones); the last segment of a burst carries
 *    PSH.
 *  - An owed ACK (TF_ACK_NOW, or TF_DELACK when data is sent anyway)
 *    rides on the first data segment; a pure ACK is sent only when no
 *    data goes out.  TF_DELACK alone arms the delayed-ACK timer instead.
 *  - SYN / SYN-ACK carry MSS, SACK-permitted, timestamps and window scale
 *    (Linux's order); once negotiated, every segment carries timestamps
 *    and ACKs carry SACK blocks for the out-of-order ranges held.
 *  - Checksums are left to dp_ipv4_output (the field is sent as 0).
 *  - Payload: a segment of at least zc_min bytes, on a port that sends
 *    chained mbufs, is the header mbuf chained with indirect mbufs
 *    attached to the send queue's blocks (tcp_sendq.c: zero copy, also
 *    for retransmissions of any sub-range); shorter segments, or when no
 *    indirect mbuf is left, get a copy of the bytes.
 */
#include <errno.h>
#include <string.h>

#include <netinet/in.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "dp_ipv4.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

uint32_t
dp_tcp_eff_mss(const struct dp_tcp_conn *c)
{
	uint32_t mss = c->smss;

	if (c->flags & TF_TS)
		mss -= TCP_TS_OPT_LEN;
	return mss > 0 ? mss : 1;
}

/* SACK blocks that fit next to our other options: 3 beside timestamps,
 * else 4 (40 bytes of options). */
static uint32_t
tcp_sack_max_blocks(const struct dp_tcp_conn *c)
{
	return (c->flags & TF_TS) ? 3 : 4;
}

/* The SACK option a data segment carries now (tcp_data_options): while
 * out-of-order data is held, up to tcp_sack_max_blocks blocks. */
static uint32_t
tcp_sack_opt_len(const struct dp_tcp_conn *c)
{
	uint32_t max = tcp_sack_max_blocks(c);

	if (!(c->flags & TF_SACK) || c->ooo.n == 0)
		return 0;
	return 4 + 8 * (c->ooo.n < max ? c->ooo.n : max);
}

uint32_t
dp_tcp_seg_mss(const struct dp_tcp_conn *c)
{
	uint32_t mss = dp_tcp_eff_mss(c), sack = tcp_sack_opt_len(c);

	/* RFC 6691: options come out of the segment's data, so the IP
	 * datagram stays within the path's MTU (a full-sized segment with
	 * SACK blocks was 28 bytes over: net_tap refuses such a frame and
	 * everything queued behind it waited forever) */
	return mss > sack ? mss - sack : 1;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* SYN options: mss, [sackOK,TS | nop,nop,TS | nop,nop,sackOK], [nop,ws]. */
static unsigned
tcp_syn_options(uint8_t *o, uint16_t mss, bool sack, bool ts, uint32_t tsval,
		uint32_t tsecr, bool ws, uint8_t wscale)
{
	unsigned n = 0;

	o[n++] = TCPOPT_MSS;
	o[n++] = 4;
	put16(o + n, mss);
	n += 2;
	if (ts) {
		if (sack) {
			o[n++] = TCPOPT_SACK_OK;
			o[n++] = 2;
		} else {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
		}
		o[n++] = TCPOPT_TS;
		o[n++] = 10;
		put32(o + n, tsval);
		put32(o + n + 4, tsecr);
		n += 8;
	} else if (sack) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK_OK;
		o[n++] = 2;
	}
	if (ws) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_WS;
		o[n++] = 3;
		o[n++] = wscale;
	}
	return n;
}

/* Options of a synchronized segment: [nop,nop,TS] [nop,nop,SACK blocks]. */
static unsigned
tcp_data_options(struct dp_core *core, const struct dp_tcp_conn *c,
		 uint8_t *o, bool ack)
{
	unsigned n = 0;

	if (c->flags & TF_TS) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_TS;
		o[n++] = 10;
		put32(o + n, dp_tcp_ts_now(core, c->ts_offset));
		put32(o + n + 4, c->ts_recent);
		n += 8;
	}
	if (ack && (c->flags & TF_SACK) && c->ooo.n > 0) {
		/* the ranges of ooo_recent, most recent first, each once */
		const struct dp_tcp_range *v = dp_tcp_ranges_cv(&c->ooo);
		unsigned max = tcp_sack_max_blocks(c), k = 0;
		int idx[TCP_MAX_SACK];

		for (unsigned j = 0; j < c->nrecent && k < max; j++) {
			int i = dp_tcp_ranges_find(&c->ooo, c->ooo_recent[j]);
			bool dup = false;

			for (unsigned d = 0; d < k; d++)
				dup |= idx[d] == i;
			if (i >= 0 && !dup)
				idx[k++] = i;
		}
		if (k == 0)
			idx[k++] = 0;	/* none recent left: the lowest */
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK;
		o[n++] = (uint8_t)(2 + 8 * k);
		for (unsigned i = 0; i < k; i++) {
			put32(o + n, v[idx[i]].start);
			put32(o + n + 4, v[idx[i]].end);
			n += 8;
		}
	}
	return n;
}

/* A segment with header + options (+ len payload bytes to be filled by the
 * caller at the returned payload pointer). */
static struct rte_mbuf *
tcp_build(struct dp_core *core, uint16_t sport, uint16_t dport, uint32_t seq,
	  uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opts,
	  unsigned optlen, uint32_t len, uint8_t **payload)
{
	struct rte_mbuf *m = dp_core_alloc(core);
	struct dp_tcp_hdr *th;
	unsigned hlen = TCP_HDR_LEN + optlen;

	if (m == NULL)
		return NULL;
	th = (struct dp_tcp_hdr *)rte_pktmbuf_append(m, hlen + len);
	if (th == NULL) {
		rte_pktmbuf_free(m);
		core->stats.drops[DP_DROP_NO_MBUF]++;
		return NULL;
	}
	th->sport = rte_cpu_to_be_16(sport);
	th->dport = rte_cpu_to_be_16(dport);
	th->seq = rte_cpu_to_be_32(seq);
	th->ack = rte_cpu_to_be_32(ack);
	th->off = (uint8_t)((hlen / 4) << 4);
	th->flags = flags;
	th->win = rte_cpu_to_be_16(win);
	th->cksum = 0;
	th->urp = 0;
	if (optlen)
		memcpy(th + 1, opts, optlen);
	if (payload)
		*payload = (uint8_t *)th + hlen;
	return m;
}

/* The window to advertise (scaled field value); moves rcv_adv.  Receiver
 * SWS avoidance: the right edge advances only by a segment or half the
 * buffer at a time, and never moves left. */
static uint16_t
tcp_rcv_window(struct dp_tcp_conn *c, bool syn)
{
	uint32_t space = dp_tcp_rcv_space(c);
	uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ?
		       c->rcv_adv - c->rcv_nxt : 0;
	uint32_t win;
	uint8_t ws = (c->flags & TF_WS) ? c->rcv_wscale : 0;

	if (syn) {
		win = space > 65535 ? 65535 : space;
		c->rcv_adv = c->rcv_nxt + win;
		return (uint16_t)win;
	}
	win = space;
	if (win > cur && win - cur < c->smss && win - cur < c->rbuf_size / 2)
		win = cur;
	if (win < cur)
		win = cur;
	if ((win >> ws) > 65535)
		win = 65535u << ws;
	/* to the scale unit: up when the buffer has room (the edge must not
	 * move left), else down */
	{
		uint32_t unit = 1u << ws;
		uint32_t up = (win + unit - 1) & ~(unit - 1);

		win = up <= space && (up >> ws) <= 65535 ? up :
		      win & ~(unit - 1);
	}
	if (SEQ_GT(c->rcv_nxt + win, c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + win;
	return (uint16_t)(win >> ws);
}

/* Bookkeeping common to every segment that carries an ACK. */
static void
tcp_acked_now(struct dp_tcp_conn *c)
{
	c->flags &= ~(TF_ACK_NOW | TF_DELACK);
	c->t_delack = 0;
	c->rcv_unacked = 0;
	c->last_ack_sent = c->rcv_nxt;
}

int
dp_tcp_send_segment(struct dp_core *core, struct dp_tcp_conn *c, uint32_t seq,
		    uint32_t len, uint8_t flags)
{
	struct dp_tcp_stack *st = core->tcp;
	uint8_t opts[40];
	unsigned optlen;
	uint8_t *payload;
	struct rte_mbuf *m;
	uint16_t win;
	bool zc = len != 0 && len >= st->zc_min && st->zc_pool != NULL;

	if (flags & TH_SYN) {
		bool ts = (c->state == TCP_SYN_SENT) || (c->flags & TF_TS);
		bool sack = (c->state == TCP_SYN_SENT) || (c->flags & TF_SACK);
		bool ws = (c->state == TCP_SYN_SENT) || (c->flags & TF_WS);
		uint16_t mss = core->tcp->cfg.mss;

		optlen = tcp_syn_options(opts, mss, sack, ts,
					 dp_tcp_ts_now(core, c->ts_offset),
					 c->ts_recent, ws, c->rcv_wscale);
		win = tcp_rcv_window(c, true);
	} else {
		optlen = (flags & TH_RST) && !(c->flags & TF_TS) ? 0 :
			 tcp_data_options(core, c, opts,
					  (flags & (TH_ACK | TH_RST)) == TH_ACK);
		/* never over the MSS (callers size data by dp_tcp_seg_mss;
		 * a resend of a range cut before out-of-order data arrived
		 * may not fit with SACK blocks): drop the blocks instead */
		if (len + optlen > c->smss && !(flags & TH_RST))
			optlen = tcp_data_options(core, c, opts, false);
		win = (flags & TH_RST) ? 0 : tcp_rcv_window(c, false);
	}
	m = tcp_build(core, c->lport, c->rport, seq,
		      (flags & TH_ACK) ? c->rcv_nxt : 0, flags, win, opts,
		      optlen, zc ? 0 : len, &payload);
	if (m == NULL)
		return -ENOBUFS;
	if (zc && dp_tcp_sq_attach(core, c, seq - c->snd_una, len, m) != 0) {
		/* no indirect mbuf, or a range that does not suit: copy */
		zc = false;
		if (rte_pktmbuf_append(m, len) == NULL) {
			dp_core_drop(core, m, DP_DROP_NO_MBUF);
			return -ENOBUFS;
		}
	}
	if (zc) {
		core->stats.tcp_zc_frames++;
		core->stats.tcp_zc_bytes += len;
	} else if (len) {
		dp_tcp_sq_copy(c, seq - c->snd_una, payload, len);
		core->stats.tcp_tx_copy_bytes += len;
	}
	if ((len || (flags & (TH_SYN | TH_FIN))) && SEQ_LT(seq, c->snd_max)) {
		core->stats.tcp_retransmits++;
		c->rtx_high = c->snd_max;
	}
	if (len && (c->flags & TF_IN_RECOVERY))
		c->prr_out += len;	/* RFC 6937 prr_out */
	if (flags & TH_ACK)
		tcp_acked_now(c);
	/* Karn: time one segment at a time, never a retransmission (used
	 * when timestamps are not negotiated) */
	if (!(c->flags & (TF_TS | TF_RTT_TIMING)) &&
	    (len || (flags & (TH_SYN | TH_FIN))) &&
	    SEQ_GEQ(seq, c->snd_max)) {
		c->flags |= TF_RTT_TIMING;
		c->rtt_seq = seq;
		c->rtt_start = core->now_us;
	}
	return dp_ipv4_output(core, m, c->lip, c->rip, IPPROTO_TCP);
}

/* Pure ACKs (and RSTs) carry snd_max, not snd_nxt: after an RTO rewound
 * snd_nxt the peer may hold everything up to snd_max, and would discard a
 * segment below its rcv_nxt -- with the ACK it carries (BSD does the
 * same). */
void
dp_tcp_send_ack(struct dp_core *core, struct dp_tcp_conn *c)
{
	dp_tcp_send_segment(core, c, c->snd_max, 0, TH_ACK);
}

void
dp_tcp_send_challenge_ack(struct dp_core *core, struct dp_tcp_conn *c)
{
	struct dp_tcp_stack *st = core->tcp;
	uint64_t sec = core->now_us / 1000000;

	if (sec != st->challenge_sec) {
		st->challenge_sec = sec;
		st->challenge_count = 0;
	}
	if (st->challenge_count >= TCP_CHALLENGE_PER_SEC)
		return;
	st->challenge_count++;
	core->stats.tcp_challenge_acks++;
	dp_tcp_send_ack(core, c);
}

void
dp_tcp_send_rst_conn(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t seq = c->snd_max;

	if (c->state == TCP_SYN_SENT)
		return;
	dp_tcp_send_segment(core, c, seq, 0, TH_RST | TH_ACK);
}

void
dp_tcp_send_rst(struct dp_core *core, uint32_t lip, uint16_t lport,
		uint32_t rip, uint16_t rport, uint32_t seq, uint32_t ack,
		uint8_t flags)
{
	struct rte_mbuf *m = tcp_build(core, lport, rport, seq, ack,
				       flags | TH_RST, 0, NULL, 0, 0, NULL);

	if (m != NULL)
		dp_ipv4_output(core, m, lip, rip, IPPROTO_TCP);
}

void
dp_tcp_send_synack_stateless(struct dp_core *core, uint32_t lip,
			     uint16_t lport, uint32_t rip, uint16_t rport,
			     uint32_t iss, uint32_t ack, uint16_t mss,
			     const struct dp_tcp_opts *peer, uint32_t tsval)
{
	struct dp_tcp_stack *st = core->tcp;
	uint8_t opts[40];
	unsigned optlen;
	uint32_t win = st->cfg.rcv_buf > 65535 ? 65535 : st->cfg.rcv_buf;
	struct rte_mbuf *m;

	/* without timestamps there is nowhere to keep WS / SACK: drop them */
	/* we offer our own MSS; the peer's (rounded) lives in the cookie */
	optlen = tcp_syn_options(opts, st->cfg.mss,
				 peer->ts_ok && peer->sack_ok, peer->ts_ok,
				 tsval, peer->ts_val,
				 peer->ts_ok && peer->ws_ok, st->cfg.wscale);
	m = tcp_build(core, lport, rport, iss, ack, TH_SYN | TH_ACK,
		      (uint16_t)win, opts, optlen, 0, NULL);
	if (m != NULL)
		dp_ipv4_output(core, m, lip, rip, IPPROTO_TCP);
}

/* Bytes [snd_una, snd_una+sbuf_len) are data; the FIN (if queued) follows. */
static bool
tcp_fin_wanted(const struct dp_tcp_conn *c)
{
	return (c->flags & TF_FIN_QUEUED) && !(c->flags & TF_FIN_ACKED);
}

void
dp_tcp_retransmit_first(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t len = c->sbuf_len;
	uint32_t mss = dp_tcp_seg_mss(c);
	uint8_t flags = TH_ACK;

	if (c->state == TCP_SYN_SENT) {
		dp_tcp_send_segment(core, c, c->iss, 0, TH_SYN);
		return;
	}
	if (c->state == TCP_SYN_RECEIVED) {
		dp_tcp_send_segment(core, c, c->iss, 0, TH_SYN | TH_ACK);
		return;
	}
	if (len > mss)
		len = mss;
	if (SEQ_GT(c->snd_una + len, c->snd_max))
		len = c->snd_max - c->snd_una;
	if (tcp_fin_wanted(c) && len == c->sbuf_len &&
	    SEQ_GT(c->snd_max, c->snd_una + c->sbuf_len))
		flags |= TH_FIN;
	if (len == 0 && !(flags & TH_FIN))
		return;
	if (len && len == c->sbuf_len)
		flags |= TH_PSH;
	dp_tcp_send_segment(core, c, c->snd_una, len, flags);
}

uint32_t
dp_tcp_retransmit_hole(struct dp_core *core, struct dp_tcp_conn *c)
{
	uint32_t seq = SEQ_GT(c->high_rxt, c->snd_una) ? c->high_rxt :
		       c->snd_una;
	uint32_t data_end = c->snd_una + c->sbuf_len;
	uint32_t mss = dp_tcp_seg_mss(c);
	const struct dp_tcp_range *v = dp_tcp_ranges_cv(&c->sacked);

	for (uint32_t i = dp_tcp_ranges_first_after(&c->sacked, seq);
	     i < c->sacked.n; i++) {
		uint32_t len;

		if (SEQ_LEQ(v[i].start, seq)) {
			seq = v[i].end;	/* inside a SACKed range */
			continue;
		}
		/* [seq, v[i].start) is a hole below SACKed data */
		len = v[i].start - seq;
		if (SEQ_GT(seq + len, data_end))
			len = SEQ_GT(data_end, seq) ? data_end - seq : 0;
		if (len > mss)
			len = mss;
		if (len == 0)
			return 0;
		if (dp_tcp_send_segment(core, c, seq, len, TH_ACK) != 0)
			return 0;
		c->high_rxt = seq + len;
		return len;
	}
	return 0;
}

uint32_t
dp_tcp_sacked_bytes(const struct dp_tcp_conn *c)
{
	return c->sacked.bytes;
}

uint32_t
dp_tcp_lost_edge(const struct dp_tcp_conn *c)
{
	uint32_t cum = 0, need = (TCP_DUPTHRESH - 1) * dp_tcp_eff_mss(c);

	uint32_t edge = c->snd_una;
	const struct dp_tcp_range *v = dp_tcp_ranges_cv(&c->sacked);

	for (uint32_t i = c->sacked.n; i-- > 0;) {
		cum += v[i].end - v[i].start;
		if (cum > need) {
			edge = v[i].start;
			break;
		}
	}
	/* time-ordered detection (rack_edge, tcp_priv.h) during recovery */
	if ((c->flags & TF_IN_RECOVERY) && SEQ_GT(c->rack_edge, edge) &&
	    SEQ_LEQ(c->rack_edge, c->snd_max))
		edge = c->rack_edge;
	return edge;
}

uint32_t
dp_tcp_pipe(const struct dp_tcp_conn *c)
{
	uint32_t edge = dp_tcp_lost_edge(c);
	uint32_t from = SEQ_GT(c->high_rxt, c->snd_una) ? c->high_rxt :
			c->snd_una;
	uint32_t pipe = c->snd_max - c->snd_una - dp_tcp_sacked_bytes(c);
	uint32_t lost;

	if (!SEQ_LT(from, edge))
		return pipe;
	/* holes in [from, edge): lost and not resent, not in the network */
	lost = edge - from;
	for (uint32_t i = dp_tcp_ranges_first_after(&c->sacked, from);
	     i < c->sacked.n; i++) {
		const struct dp_tcp_range *r = &dp_tcp_ranges_cv(&c->sacked)[i];
		uint32_t st = SEQ_MAX(r->start, from);
		uint32_t en = SEQ_MIN(r->end, edge);

		if (!SEQ_LT(st, en))
			break;
		lost -= en - st;
	}
	return pipe > lost ? pipe - lost : 0;
}

int
dp_tcp_retransmit_logged(struct dp_core *core, struct dp_tcp_conn *c,
			 uint32_t seq, uint32_t len)
{
	int rc = dp_tcp_send_segment(core, c, seq, len, TH_ACK);

	if (rc != 0)
		return rc;
	if (c->nrtxlog == TCP_RTXLOG)
		return 0;	/* keep the oldest: they hold snd_una back and
				 * are the first to come back (rack_edge); the
				 * RTO covers the rest */
	c->rtxlog[c->nrtxlog].seq = seq;
	c->rtxlog[c->nrtxlog].end = seq + len;
	c->rtxlog[c->nrtxlog].mark = c->snd_max;
	c->rtxlog[c->nrtxlog].tsval = dp_tcp_ts_now(core, c->ts_offset);
	c->nrtxlog++;
	return 0;
}

/*
 * RFC 6675 section 5 (3): while cwnd - pipe >= one segment, resend the
 * next lost hole above HighRxt (NextSeg rule 1).  Returns the room left
 * for new data (rule 2, the caller's loop).
 */
static uint32_t
tcp_sack_recovery_holes(struct dp_core *core, struct dp_tcp_conn *c,
			uint32_t mss, bool *sent, unsigned *burst)
{
	uint32_t pipe = dp_tcp_pipe(c), edge = dp_tcp_lost_edge(c);
	uint32_t data_end = c->snd_una + c->sbuf_len;

	while (pipe + mss <= c->cwnd) {
		if (*burst >= TCP_TX_BURST) {
			c->flags |= TF_TX_MORE;
			return 0;
		}
		uint32_t cur = SEQ_GT(c->high_rxt, c->snd_una) ? c->high_rxt :
			       c->snd_una;
		uint32_t hole_end = 0, len;
		bool found = false;

		const struct dp_tcp_range *v = dp_tcp_ranges_cv(&c->sacked);

		for (uint32_t i = dp_tcp_ranges_first_after(&c->sacked, cur);
		     i < c->sacked.n; i++) {
			if (SEQ_LEQ(v[i].start, cur)) {
				cur = v[i].end;
				continue;
			}
			hole_end = v[i].start;
			found = true;
			break;
		}
		if (!found)
			hole_end = edge;	/* above the highest SACK:
						 * lost by rack_edge */
		if (!SEQ_LT(cur, edge) || !SEQ_LT(cur, data_end))
			break;
		len = hole_end - cur;
		if (SEQ_GT(cur + len, data_end))
			len = data_end - cur;
		if (len > mss)
			len = mss;
		if (dp_tcp_retransmit_logged(core, c, cur, len) != 0)
			break;
		core->stats.tcp_fast_retransmits++;
		c->high_rxt = cur + len;
		pipe += len;
		*sent = true;
		(*burst)++;
	}
	return c->cwnd > pipe ? c->cwnd - pipe : 0;
}

/*
 * Send what the windows allow.  State decides what may go out:
 * SYN-SENT / SYN-RECEIVED only the SYN (on TF_SEND_SYN); TIME-WAIT only
 * ACKs; the rest data, FIN and ACKs.
 */
void
dp_tcp_output(struct dp_core *core, struct dp_tcp_conn *c)
{
	bool sent = false, sack_rec, new_data = false;
	uint32_t mss, budget = UINT32_MAX;
	unsigned burst = 0;		/* data segments this call */

	if (c->flags & TF_DEAD)
		return;
	switch (c->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		return;
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		if (c->flags & TF_SEND_SYN) {
			uint8_t f = c->state == TCP_SYN_SENT ? TH_SYN :
				    TH_SYN | TH_ACK;

			c->flags &= ~TF_SEND_SYN;
			dp_tcp_send_segment(core, c, c->iss, 0, f);
			c->snd_nxt = c->iss + 1;
			if (SEQ_GT(c->snd_nxt, c->snd_max))
				c->snd_max = c->snd_nxt;
			if (c->t_rto == 0)
				dp_tcp_rto_arm(core, c);
		} else if (c->flags & TF_ACK_NOW && c->state ==
			   TCP_SYN_RECEIVED) {
			dp_tcp_send_segment(core, c, c->iss, 0,
					    TH_SYN | TH_ACK);
		}
		return;
	case TCP_TIME_WAIT:
		if (c->flags & TF_ACK_NOW)
			dp_tcp_send_ack(core, c);
		return;
	default:
		break;
	}

	mss = dp_tcp_seg_mss(c);
	{
		/* a segment must fit one mbuf of the pool */
		uint32_t room = rte_pktmbuf_data_room_size(core->pool) -
				RTE_PKTMBUF_HEADROOM - 60;

		if (mss > room)
			mss = room;
	}
	/* SACK recovery: lost holes first, new data in what pipe leaves */
	sack_rec = (c->flags & (TF_IN_RECOVERY | TF_SACK)) ==
		   (TF_IN_RECOVERY | TF_SACK);
	if (sack_rec)
		budget = tcp_sack_recovery_holes(core, c, mss, &sent, &burst);
	for (;;) {
		uint32_t off = c->snd_nxt - c->snd_una;
		uint32_t avail = off <= c->sbuf_len ? c->sbuf_len - off : 0;
		uint32_t wnd = c->snd_wnd < c->cwnd ? c->snd_wnd : c->cwnd;
		uint32_t usable = wnd > off ? wnd - off : 0;
		uint32_t len = avail;

		if (sack_rec) {
			usable = c->snd_wnd > off ? c->snd_wnd - off : 0;
			if (usable > budget)
				usable = budget;
		}
		bool fin;
		uint8_t flags = TH_ACK;

		if (len > usable)
			len = usable;
		if (len > mss)
			len = mss;
		if (len > 0 && len < avail && len < mss &&
		    len < c->max_snd_wnd / 2 && c->snd_nxt != c->snd_una)
			len = 0;	/* sender SWS avoidance */
		fin = tcp_fin_wanted(c) && off <= c->sbuf_len &&
		      off + len == c->sbuf_len;
		if (len == 0 && !fin)
			break;
		if (len > 0 && burst >= TCP_TX_BURST) {
			/* the rest at the next flush (dp_tcp_flush) */
			c->flags |= TF_TX_MORE;
			break;
		}
		if (fin)
			flags |= TH_FIN;
		if (len && len == avail)
			flags |= TH_PSH;
		if (dp_tcp_send_segment(core, c, c->snd_nxt, len, flags) ==
		    -ENOBUFS)
			break;
		sent = true;
		new_data = true;
		burst++;
		if (sack_rec)
			budget -= len < budget ? len : budget;
		c->snd_nxt += len + (fin ? 1 : 0);
		if (SEQ_GT(c->snd_nxt, c->snd_max))
			c->snd_max = c->snd_nxt;
		if (c->t_rto == 0)
			dp_tcp_rto_arm(core, c);
		c->t_persist = 0;
		if (fin)
			break;
	}
	if (new_data && !(c->flags & TF_IN_RECOVERY))
		dp_tcp_tlp_arm(core, c);
	if (!sent && (c->flags & TF_ACK_NOW))
		dp_tcp_send_ack(core, c);
	else if (!sent && (c->flags & TF_DELACK) && c->t_delack == 0)
		dp_tcp_timer_set(core, c, &c->t_delack,
				 core->now_us + core->tcp->cfg.delack_us);
	/* zero window with data waiting and nothing in flight: persist */
	if (c->snd_wnd == 0 && c->snd_una == c->snd_max &&
	    c->sbuf_len > (c->snd_nxt - c->snd_una) && c->t_persist == 0 &&
	    c->t_rto == 0) {
		uint64_t iv = (uint64_t)c->rto_us;

		if (iv > core->tcp->cfg.rto_max_us)
			iv = core->tcp->cfg.rto_max_us;
		dp_tcp_timer_set(core, c, &c->t_persist, core->now_us + iv);
	}
}
