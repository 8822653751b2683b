/*
 * tcp_syncookie.c -- stateless SYN cookies (used above a listener's SYN
 * backlog, or when the connection table is full).
 *
 * Call chain: tcp_in.c tcp_listen_input -> dp_tcp_cookie_make ->
 *             dp_tcp_send_synack_stateless;  the returning ACK ->
 *             dp_tcp_cookie_check -> a tcb born ESTABLISHED.
 *
 * Cookie (our ISN), as 32 bits:
 *   [31..27] 5-bit counter of 64 s periods (now_us >> 26, ~67 s)
 *   [26..24] MSS index into tcp_msstab
 *   [23..0 ] keyed hash of (4-tuple, peer ISN, counter, MSS index)
 * A cookie is valid in its period and the next one.  Window scale and
 * SACK-permitted travel in the low 5 bits of our TS value (like Linux):
 * bits 0..3 the peer's shift (0xf = none), bit 4 SACK-permitted; without
 * timestamps the SYN-ACK offers neither.
 */
#include <string.h>

#include "dp_core.h"
#include "dp_tcp.h"
#include "tcp_priv.h"

static const uint16_t tcp_msstab[] = { 536, 1300, 1440, 1460 };

static uint32_t
tcp_cookie_period(struct dp_core *core)
{
	return (uint32_t)(core->now_us >> 26);
}

static uint32_t
tcp_cookie_hash(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport,
		uint32_t peer_isn, uint32_t period, uint32_t mssidx)
{
	struct {
		uint32_t lip, rip, peer_isn, period, mssidx;
		uint16_t lport, rport;
	} k = { lip, rip, peer_isn, period, mssidx, lport, rport };

	return (uint32_t)dp_tcp_keyed_hash(&k, sizeof(k), 3) & 0xffffff;
}

uint32_t
dp_tcp_cookie_make(struct dp_core *core, uint32_t lip, uint16_t lport,
		   uint32_t rip, uint16_t rport, uint32_t peer_isn,
		   uint16_t *mss)
{
	uint32_t idx = 0, period = tcp_cookie_period(core);

	for (uint32_t i = 0; i < sizeof(tcp_msstab) / sizeof(*tcp_msstab);
	     i++)
		if (tcp_msstab[i] <= *mss)
			idx = i;
	*mss = tcp_msstab[idx];
	return (period & 0x1f) << 27 | idx << 24 |
	       tcp_cookie_hash(lip, lport, rip, rport, peer_isn, period & 0x1f,
			       idx);
}

uint16_t
dp_tcp_cookie_check(struct dp_core *core, uint32_t lip, uint16_t lport,
		    uint32_t rip, uint16_t rport, uint32_t peer_isn,
		    uint32_t cookie)
{
	uint32_t now = tcp_cookie_period(core);
	uint32_t p = cookie >> 27, idx = (cookie >> 24) & 7;

	if (idx >= sizeof(tcp_msstab) / sizeof(*tcp_msstab))
		return 0;
	if (p != (now & 0x1f) && p != ((now - 1) & 0x1f))
		return 0;
	if ((cookie & 0xffffff) !=
	    tcp_cookie_hash(lip, lport, rip, rport, peer_isn, p, idx))
		return 0;
	return tcp_msstab[idx];
}

uint32_t
dp_tcp_cookie_tsval(uint32_t ts, const struct dp_tcp_opts *peer)
{
	uint32_t bits = (peer->ws_ok ? (peer->ws & 0xf) : 0xf) |
			(peer->sack_ok ? 0x10 : 0);
	uint32_t v = (ts & ~0x1fu) | bits;

	/* never run ahead of the clock (the peer's PAWS sees it later) */
	if (SEQ_GT(v, ts))
		v -= 0x20;
	return v;
}

void
dp_tcp_cookie_ts_opts(uint32_t ecr, struct dp_tcp_opts *o)
{
	o->ws_ok = (ecr & 0xf) != 0xf;
	o->ws = ecr & 0xf;
	if (o->ws > TCP_MAX_WSCALE)
		o->ws = TCP_MAX_WSCALE;
	o->sack_ok = (ecr & 0x10) != 0;
}
