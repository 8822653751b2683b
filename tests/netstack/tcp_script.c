/*
 * tcp_script.c -- the packetdrill-like scenario interpreter (tcp_script.h).
 *
 * Call chain: tcp_script_run -> per line: sc_advance (nst_advance in 1 ms
 *             steps; dp_tcp_timers / dp_tcp_flush as hooks) ->
 *             sc_inject (nst_build_tcp -> nst_input) | sc_expect
 *             (nst_pop_tcp, field by field) | sc_app (dp_tcp_* API) ->
 *             at the end: nothing pending, dp_tcp_stack_fini, nst_destroy
 *             (mbuf leak check; send-queue blocks and indirect mbufs
 *             too).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_tcp.h>

#include "dp_tcp.h"
#include "nstest.h"
#include "tcp_priv.h"
#include "tcp_script.h"

/* Indirect mbufs of core 0's zero-copy pool still out (tcp_sendq.c). */
static unsigned
sc_zc_in_use(void)
{
	struct rte_mempool *mp = dp_tcp_sq_pool(0);

	return mp != NULL ? rte_mempool_in_use_count(mp) : 0;
}

#define SC_MAX_PEERS 64
#define SC_MAX_TOK 64
#define SC_STEP_US 1000

struct sc_peer {
	uint16_t port;			/* peer port */
	bool isn_known;
	uint32_t isn;			/* ours, learned from our SYN */
	uint32_t last_tsval;		/* our latest TS value */
	/* app side */
	struct dp_tcp_conn *c;
	bool open, closed, peer_closed;
	enum dp_tcp_close_reason why;
	uint64_t recvd, sent, sendable;
	bool content_bad;
	unsigned nclosed;		/* closed() calls: must be <= 1 */
};

struct sc {
	const char *name;
	int line;
	char *err;
	size_t errlen;
	bool failed;
	struct nst *t;
	struct dp_tcp_config cfg;
	bool started;
	uint32_t peer_isn;
	uint64_t tolerance_us;
	uint64_t t0, now_rel;		/* script time (us) */
	uint16_t our_port;		/* listen port, or learned */
	uint16_t cur_port;		/* peer port of the current line */
	struct sc_peer peers[SC_MAX_PEERS];
	unsigned npeers;
	uint64_t accepted;
	size_t recv_limit;		/* SIZE_MAX = all */
	uint32_t reply;
	/* reentrancy: what the callbacks do */
	char on_recv[16];		/* "", "abort", "close", "abort_on_accept" */
	bool close_on_peer_closed;
	bool reject;			/* accepted() returns -1 */
	uint32_t greet;			/* bytes sent from accepted() */
	struct dp_tcp_app_ops ops;
};

static void
sc_fail(struct sc *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->failed)
		return;
	s->failed = true;
	n = snprintf(s->err, s->errlen, "%s:%d: ", s->name, s->line);
	if (n < 0 || (size_t)n >= s->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err + n, s->errlen - n, fmt, ap);
	va_end(ap);
}

static uint8_t
sc_pat(uint32_t rel)
{
	return (uint8_t)(rel * 7u + (rel >> 8) + 3u);
}

static struct sc_peer *
sc_peer(struct sc *s, uint16_t port)
{
	for (unsigned i = 0; i < s->npeers; i++)
		if (s->peers[i].port == port)
			return &s->peers[i];
	if (s->npeers == SC_MAX_PEERS)
		return NULL;
	memset(&s->peers[s->npeers], 0, sizeof(s->peers[0]));
	s->peers[s->npeers].port = port;
	return &s->peers[s->npeers++];
}

static struct sc_peer *
sc_peer_of(struct sc *s, const struct dp_tcp_conn *c)
{
	uint16_t rport;

	dp_tcp_conn_addrs(c, NULL, NULL, NULL, &rport);
	return sc_peer(s, rport);
}

/* ---- the application ---- */

static struct sc *sc_cur;	/* callbacks find the running script here */

static void sc_send_bytes(struct sc *s, struct sc_peer *p, uint32_t n,
			  uint32_t expect);

static int
sc_accepted(struct dp_core *core, struct dp_tcp_conn *c, void **ctx)
{
	struct sc_peer *p = sc_peer_of(sc_cur, c);

	if (p == NULL || sc_cur->reject)
		return -1;
	p->c = c;
	p->open = true;
	p->closed = false;
	p->peer_closed = false;
	p->recvd = p->sent = 0;
	p->nclosed = 0;
	*ctx = p;
	sc_cur->accepted++;
	if (sc_cur->greet)
		sc_send_bytes(sc_cur, p, sc_cur->greet, sc_cur->greet);
	if (strcmp(sc_cur->on_recv, "abort_on_accept") == 0)
		dp_tcp_abort(core, c);
	return 0;
}

static void
sc_connected(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	struct sc_peer *p = ctx;

	p->open = true;
}

static void
sc_send_bytes(struct sc *s, struct sc_peer *p, uint32_t n, uint32_t expect)
{
	uint8_t buf[4096];
	uint32_t done = 0;

	while (done < n) {
		uint32_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);
		size_t got;

		for (uint32_t i = 0; i < k; i++)
			buf[i] = sc_pat((uint32_t)(p->sent + i + 1));
		got = dp_tcp_send(&s->t->core, p->c, buf, k);
		p->sent += got;
		done += (uint32_t)got;
		if (got < k)
			break;
	}
	if (done != expect)
		sc_fail(s, "send %u: accepted %u, expected %u", n, done,
			expect);
}

static size_t
sc_recv(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	const uint8_t *data, size_t len)
{
	struct sc_peer *p = ctx;
	size_t n = len < sc_cur->recv_limit ? len : sc_cur->recv_limit;

	for (size_t i = 0; i < n; i++)
		if (data[i] != sc_pat((uint32_t)(p->recvd + i + 1)))
			p->content_bad = true;
	p->recvd += n;
	if (n > 0 && sc_cur->reply)
		sc_send_bytes(sc_cur, p, sc_cur->reply, sc_cur->reply);
	if (strcmp(sc_cur->on_recv, "abort") == 0)
		dp_tcp_abort(core, c);	/* c stays valid until we return */
	else if (strcmp(sc_cur->on_recv, "close") == 0)
		dp_tcp_close(core, c);
	return n;
}

static void
sc_sendable(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	struct sc_peer *p = ctx;

	p->sendable++;
}

static void
sc_peer_closed_cb(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	struct sc_peer *p = ctx;

	p->peer_closed = true;
	if (sc_cur->close_on_peer_closed)
		dp_tcp_close(core, c);
}

static void
sc_closed(struct dp_core *core, struct dp_tcp_conn *c, void *ctx,
	  enum dp_tcp_close_reason why)
{
	struct sc_peer *p = ctx;

	if (++p->nclosed > 1)
		sc_fail(sc_cur, "closed() called twice");
	p->closed = true;
	p->open = false;
	p->why = why;
	p->c = NULL;
}

/* ---- lexing ---- */

static int
sc_split(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	while (*p && n < max) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

/* A number or "*" (wild). */
static bool
sc_num(struct sc *s, const char *str, uint64_t *v, bool *wild)
{
	char *end;

	if (wild)
		*wild = false;
	if (strcmp(str, "*") == 0) {
		if (wild == NULL) {
			sc_fail(s, "'*' not allowed here");
			return false;
		}
		*wild = true;
		*v = 0;
		return true;
	}
	errno = 0;
	*v = strtoull(str, &end, 0);
	if (errno || end == str || *end) {
		sc_fail(s, "bad number '%s'", str);
		return false;
	}
	return true;
}

/* ---- segment descriptions ---- */

struct sc_opt {
	uint8_t kind;
	uint32_t v[8];
	bool wild[8];
	uint8_t nv;
	bool ecr_last;
	uint8_t raw[40];	/* "raw B B ...": bytes as given */
	uint8_t nraw;
};

struct sc_seg {
	uint8_t flags;
	uint64_t start, end, len;
	bool wstart, wend, wlen;
	bool has_ack, wack;
	uint64_t ack;
	bool has_win, wwin;
	uint64_t win;
	bool has_opts;
	struct sc_opt opts[16];
	unsigned nopts;
	uint16_t port;
	uint16_t dport;		/* injected: 0 = our port */
	bool bad_csum;
	int doff;		/* -1 = natural */
	int trunc;		/* -1 = none */
};

static bool
sc_parse_flags(struct sc *s, const char *f, uint8_t *out)
{
	*out = 0;
	for (; *f; f++) {
		switch (*f) {
		case 'S': *out |= TH_SYN; break;
		case 'F': *out |= TH_FIN; break;
		case 'R': *out |= TH_RST; break;
		case 'P': *out |= TH_PSH; break;
		case '.': *out |= TH_ACK; break;
		case 'U': *out |= TH_URG; break;
		case 'E': *out |= TH_ECE; break;
		case 'W': *out |= TH_CWR; break;
		default:
			sc_fail(s, "bad flags '%s'", f);
			return false;
		}
	}
	return true;
}

static bool
sc_parse_opts(struct sc *s, char *str, struct sc_seg *g)
{
	char *save = NULL, *item;

	g->has_opts = true;
	g->nopts = 0;
	for (item = strtok_r(str, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *tok[12];
		int n = sc_split(item, tok, 12);
		struct sc_opt *o;

		if (n == 0)
			continue;
		if (g->nopts == 16) {
			sc_fail(s, "too many options");
			return false;
		}
		o = &g->opts[g->nopts++];
		memset(o, 0, sizeof(*o));
		if (strcmp(tok[0], "nop") == 0) {
			o->kind = TCPOPT_NOP;
		} else if (strcmp(tok[0], "eol") == 0) {
			o->kind = TCPOPT_EOL;
		} else if (strcmp(tok[0], "sackOK") == 0) {
			o->kind = TCPOPT_SACK_OK;
		} else if (strcmp(tok[0], "mss") == 0 && n == 2) {
			uint64_t v;

			o->kind = TCPOPT_MSS;
			o->nv = 1;
			if (!sc_num(s, tok[1], &v, &o->wild[0]))
				return false;
			o->v[0] = (uint32_t)v;
		} else if (strcmp(tok[0], "wscale") == 0 && n == 2) {
			uint64_t v;

			o->kind = TCPOPT_WS;
			o->nv = 1;
			if (!sc_num(s, tok[1], &v, &o->wild[0]))
				return false;
			o->v[0] = (uint32_t)v;
		} else if (strcmp(tok[0], "TS") == 0 && n == 5 &&
			   strcmp(tok[1], "val") == 0 &&
			   strcmp(tok[3], "ecr") == 0) {
			uint64_t v;

			o->kind = TCPOPT_TS;
			o->nv = 2;
			if (!sc_num(s, tok[2], &v, &o->wild[0]))
				return false;
			o->v[0] = (uint32_t)v;
			if (strcmp(tok[4], "last") == 0) {
				o->ecr_last = true;
			} else if (strncmp(tok[4], "last-", 5) == 0) {
				/* an older value of our TS clock (1 ms
				 * ticks): the original of a retransmission */
				if (!sc_num(s, tok[4] + 5, &v, NULL))
					return false;
				o->ecr_last = true;
				o->v[1] = (uint32_t)v;
			} else {
				if (!sc_num(s, tok[4], &v, &o->wild[1]))
					return false;
				o->v[1] = (uint32_t)v;
			}
		} else if (strcmp(tok[0], "raw") == 0 && n >= 2) {
			o->kind = 0xff;
			for (int i = 1; i < n && o->nraw < 40; i++) {
				uint64_t b;

				if (!sc_num(s, tok[i], &b, NULL))
					return false;
				o->raw[o->nraw++] = (uint8_t)b;
			}
		} else if (strcmp(tok[0], "sack") == 0 && n >= 2 && n <= 5) {
			o->kind = TCPOPT_SACK;
			for (int i = 1; i < n; i++) {
				unsigned long a, b;

				if (sscanf(tok[i], "%lu:%lu", &a, &b) != 2) {
					sc_fail(s, "bad sack block '%s'",
						tok[i]);
					return false;
				}
				o->v[o->nv++] = (uint32_t)a;
				o->v[o->nv++] = (uint32_t)b;
			}
		} else {
			sc_fail(s, "unknown option '%s'", tok[0]);
			return false;
		}
	}
	return true;
}

/* "S:E(L)" with '*' allowed in each part. */
static bool
sc_parse_range(struct sc *s, const char *str, struct sc_seg *g)
{
	char a[32], b[32], c[32];

	if (sscanf(str, "%31[^:]:%31[^(](%31[^)])", a, b, c) != 3) {
		sc_fail(s, "bad sequence range '%s'", str);
		return false;
	}
	return sc_num(s, a, &g->start, &g->wstart) &&
	       sc_num(s, b, &g->end, &g->wend) &&
	       sc_num(s, c, &g->len, &g->wlen);
}

static bool
sc_parse_seg(struct sc *s, char *rest, struct sc_seg *g)
{
	char *lt = strchr(rest, '<'), *tok[SC_MAX_TOK];
	int n, i = 0;

	memset(g, 0, sizeof(*g));
	g->port = s->cur_port;
	g->doff = -1;
	g->trunc = -1;
	if (lt != NULL) {
		char *gt = strchr(lt, '>');

		if (gt == NULL) {
			sc_fail(s, "unterminated option list");
			return false;
		}
		*gt = 0;
		*lt = 0;
		if (!sc_parse_opts(s, lt + 1, g))
			return false;
		/* what follows the options is parsed with the rest */
		memmove(lt, gt + 1, strlen(gt + 1) + 1);
	}
	n = sc_split(rest, tok, SC_MAX_TOK);
	if (n < 2) {
		sc_fail(s, "segment needs flags and a range");
		return false;
	}
	if (!sc_parse_flags(s, tok[i++], &g->flags) ||
	    !sc_parse_range(s, tok[i++], g))
		return false;
	while (i < n) {
		uint64_t v;

		if (strcmp(tok[i], "bad_csum") == 0) {
			g->bad_csum = true;
			i++;
			continue;
		}
		if (i + 1 >= n) {
			sc_fail(s, "'%s' needs a value", tok[i]);
			return false;
		}
		if (strcmp(tok[i], "ack") == 0) {
			g->has_ack = true;
			if (!sc_num(s, tok[i + 1], &g->ack, &g->wack))
				return false;
		} else if (strcmp(tok[i], "win") == 0) {
			g->has_win = true;
			if (!sc_num(s, tok[i + 1], &g->win, &g->wwin))
				return false;
		} else if (strcmp(tok[i], "port") == 0) {
			if (!sc_num(s, tok[i + 1], &v, NULL))
				return false;
			g->port = (uint16_t)v;
		} else if (strcmp(tok[i], "dport") == 0) {
			if (!sc_num(s, tok[i + 1], &v, NULL))
				return false;
			g->dport = (uint16_t)v;
		} else if (strcmp(tok[i], "doff") == 0) {
			if (!sc_num(s, tok[i + 1], &v, NULL))
				return false;
			g->doff = (int)v;
		} else if (strcmp(tok[i], "trunc") == 0) {
			if (!sc_num(s, tok[i + 1], &v, NULL))
				return false;
			g->trunc = (int)v;
		} else {
			sc_fail(s, "unknown field '%s'", tok[i]);
			return false;
		}
		i += 2;
	}
	if (!g->wstart && !g->wend && !g->wlen &&
	    (uint32_t)(g->end - g->start) != g->len) {
		sc_fail(s, "range %" PRIu64 ":%" PRIu64 " is not %" PRIu64
			" bytes", g->start, g->end, g->len);
		return false;
	}
	s->cur_port = g->port;
	return true;
}

/* ---- stack lifetime ---- */

static void
sc_fini_hook(struct dp_core *core)
{
	dp_tcp_stack_fini(core);
}

static bool
sc_start(struct sc *s)
{
	if (s->started)
		return true;
	s->t = nst_create(0);
	if (s->t == NULL) {
		sc_fail(s, "nst_create failed");
		return false;
	}
	if (dp_tcp_stack_init(&s->t->core, &s->cfg) != 0) {
		sc_fail(s, "dp_tcp_stack_init failed");
		return false;
	}
	s->t->poll_hook = dp_tcp_flush;
	s->t->timer_hook = dp_tcp_timers;
	s->t->fini_hook = sc_fini_hook;
	s->t0 = s->t->core.now_us;
	s->started = true;
	return true;
}

static bool
sc_config(struct sc *s, char **tok, int n)
{
	struct {
		const char *name;
		void *field;
		int size;
	} keys[] = {
		{ "rcv_buf", &s->cfg.rcv_buf, 4 },
		{ "snd_buf", &s->cfg.snd_buf, 4 },
		{ "mss", &s->cfg.mss, 2 },
		{ "wscale", &s->cfg.wscale, 1 },
		{ "syn_backlog", &s->cfg.syn_backlog, 4 },
		{ "max_conns", &s->cfg.max_conns, 4 },
		{ "rto_min_us", &s->cfg.rto_min_us, 4 },
		{ "rto_max_us", &s->cfg.rto_max_us, 4 },
		{ "rto_initial_us", &s->cfg.rto_initial_us, 4 },
		{ "delack_us", &s->cfg.delack_us, 4 },
		{ "time_wait_us", &s->cfg.time_wait_us, 4 },
		{ "keepalive_idle_us", &s->cfg.keepalive_idle_us, 4 },
		{ "keepalive_intvl_us", &s->cfg.keepalive_intvl_us, 4 },
		{ "keepalive_probes", &s->cfg.keepalive_probes, 4 },
		{ "max_retries", &s->cfg.max_retries, 4 },
		{ "tlp", &s->cfg.tlp, 1 },
		{ "peer_isn", &s->peer_isn, 4 },
	};
	uint64_t v;

	if (n != 3) {
		sc_fail(s, "config KEY VALUE");
		return false;
	}
	if (s->started) {
		sc_fail(s, "config after the first event");
		return false;
	}
	if (strcmp(tok[1], "cc") == 0) {
		/* congestion control by name (dp_tcp_cc_parse) */
		int cc = dp_tcp_cc_parse(tok[2]);

		if (cc < 0) {
			sc_fail(s, "unknown congestion control '%s'", tok[2]);
			return false;
		}
		s->cfg.cc = (uint8_t)cc;
		return true;
	}
	if (!sc_num(s, tok[2], &v, NULL))
		return false;
	if (strcmp(tok[1], "tolerance_us") == 0) {
		s->tolerance_us = v;
		return true;
	}
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(tok[1], keys[i].name) != 0)
			continue;
		if (keys[i].size == 4)
			*(uint32_t *)keys[i].field = (uint32_t)v;
		else if (keys[i].size == 2)
			*(uint16_t *)keys[i].field = (uint16_t)v;
		else
			*(uint8_t *)keys[i].field = (uint8_t)v;
		return true;
	}
	sc_fail(s, "unknown config key '%s'", tok[1]);
	return false;
}

/* ---- time ---- */

static uint64_t
sc_now(struct sc *s)
{
	return s->t->core.now_us - s->t0;
}

static const char *
sc_describe(const struct nst_tcp *r, char *buf, size_t len)
{
	snprintf(buf, len, "flags 0x%02x seq %u ack %u len %u port %u->%u",
		 r->flags, r->seq, r->ack, r->len, r->sport, r->dport);
	return buf;
}

/* Advance to script time target; any segment sent on the way is
 * unexpected. */
static bool
sc_advance_quiet(struct sc *s, uint64_t target)
{
	while (sc_now(s) < target) {
		uint64_t d = target - sc_now(s);

		if (nst_sent_count(s->t) > 0)
			break;
		nst_advance(s->t, d < SC_STEP_US ? d : SC_STEP_US);
	}
	if (nst_sent_count(s->t) > 0) {
		struct nst_frame f;
		struct nst_tcp r;
		char d[128];

		if (nst_pop_tcp(s->t, &r, &f) == 0)
			sc_fail(s, "unexpected segment at %.3f s: %s",
				sc_now(s) / 1e6, sc_describe(&r, d,
							     sizeof(d)));
		else
			sc_fail(s, "unexpected non-TCP frame");
		return false;
	}
	return true;
}

/* ---- inject ---- */

static void
put32b(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static bool
sc_inject(struct sc *s, struct sc_seg *g)
{
	static uint8_t frame[NST_FRAME_MAX];
	static uint8_t payload[NST_FRAME_MAX];
	uint8_t raw[64];
	unsigned rl = 0;
	struct sc_peer *p = sc_peer(s, g->port);
	struct nst_tcp t;
	uint32_t n, our = p && p->isn_known ? p->isn : 0;

	if (g->wstart || g->wend || g->wlen || g->wack || g->wwin) {
		sc_fail(s, "'*' in an injected segment");
		return false;
	}
	if (p == NULL) {
		sc_fail(s, "too many peers");
		return false;
	}
	nst_tcp_defaults(s->t, &t);
	t.sport = g->port;
	t.dport = g->dport ? g->dport : s->our_port;
	t.seq = s->peer_isn + (uint32_t)g->start;
	t.ack = g->has_ack ? our + (uint32_t)g->ack : 0;
	t.flags = g->flags;
	if (g->has_win)
		t.win = (uint16_t)g->win;
	if (g->len > sizeof(payload) - 100) {
		sc_fail(s, "payload too large");
		return false;
	}
	for (uint32_t i = 0; i < g->len; i++)
		payload[i] = sc_pat((uint32_t)g->start + i);
	t.payload = payload;
	t.len = (uint32_t)g->len;
	for (unsigned i = 0; i < g->nopts; i++) {
		const struct sc_opt *o = &g->opts[i];

		if (rl + 2 + 8 * 4 > sizeof(raw))
			break;
		switch (o->kind) {
		case TCPOPT_NOP:
		case TCPOPT_EOL:
			raw[rl++] = o->kind;
			break;
		case TCPOPT_SACK_OK:
			raw[rl++] = 4;
			raw[rl++] = 2;
			break;
		case TCPOPT_MSS:
			raw[rl++] = 2;
			raw[rl++] = 4;
			raw[rl++] = (uint8_t)(o->v[0] >> 8);
			raw[rl++] = (uint8_t)o->v[0];
			break;
		case TCPOPT_WS:
			raw[rl++] = 3;
			raw[rl++] = 3;
			raw[rl++] = (uint8_t)o->v[0];
			break;
		case TCPOPT_TS:
			raw[rl++] = 8;
			raw[rl++] = 10;
			put32b(raw + rl, o->v[0]);
			put32b(raw + rl + 4, o->ecr_last ?
			       p->last_tsval - o->v[1] : o->v[1]);
			rl += 8;
			break;
		case 0xff:
			if (rl + o->nraw > sizeof(raw))
				break;
			memcpy(raw + rl, o->raw, o->nraw);
			rl += o->nraw;
			break;
		case TCPOPT_SACK:
			raw[rl++] = 5;
			raw[rl++] = (uint8_t)(2 + 4 * o->nv);
			for (unsigned k = 0; k < o->nv; k++) {
				put32b(raw + rl, our + o->v[k]);
				rl += 4;
			}
			break;
		}
	}
	if (rl > 40) {
		sc_fail(s, "options longer than 40 bytes");
		return false;
	}
	if (g->nopts) {
		t.opt.raw = raw;
		t.opt.raw_len = (uint8_t)rl;
	}
	t.bad_cksum = g->bad_csum;
	n = nst_build_tcp(frame, sizeof(frame), &t);
	if (n == 0) {
		sc_fail(s, "cannot build the segment");
		return false;
	}
	if (g->doff >= 0 || g->trunc >= 0) {
		uint8_t *ip = frame + 14, *th = ip + 20;
		uint32_t l4len = n - 34;

		if (g->doff >= 0) {
			th[12] = (uint8_t)((g->doff & 0xf) << 4);
			th[16] = th[17] = 0;
			{
				uint16_t ck = (uint16_t)~nst_sum16(th, l4len,
					nst_pseudo_sum(NST_PEER_IP, NST_IP, 6,
						       (uint16_t)l4len));

				th[16] = ck >> 8;
				th[17] = ck & 0xff;
			}
		}
		if (g->trunc >= 0 && (uint32_t)g->trunc < l4len) {
			uint16_t tot = (uint16_t)(20 + g->trunc), ck;

			ip[2] = tot >> 8;
			ip[3] = tot & 0xff;
			ip[10] = ip[11] = 0;
			ck = (uint16_t)~nst_sum16(ip, 20, 0);
			ip[10] = ck >> 8;
			ip[11] = ck & 0xff;
			n = 34 + (uint32_t)g->trunc;
		}
	}
	if (nst_input(s->t, frame, n) != 0) {
		sc_fail(s, "injection failed");
		return false;
	}
	return true;
}

/* ---- expect ---- */

static bool
sc_check_opts(struct sc *s, const struct sc_seg *g, const struct nst_tcp *r,
	      uint32_t peer_base)
{
	const uint8_t *o = r->ip.l4 + 20;
	unsigned n = r->doff - 20u, i = 0, k = 0;

	while (i < n) {
		const struct sc_opt *e;
		uint8_t kind = o[i], len = kind <= 1 ? 1 : (i + 1 < n ?
							   o[i + 1] : 0);

		if (kind == TCPOPT_EOL && k == g->nopts) {
			/* trailing padding */
			for (; i < n; i++)
				if (o[i] != 0) {
					sc_fail(s, "garbage after EOL");
					return false;
				}
			break;
		}
		if (k == g->nopts) {
			sc_fail(s, "extra option kind %u at byte %u", kind, i);
			return false;
		}
		e = &g->opts[k++];
		if (len < 1 || i + len > n) {
			sc_fail(s, "malformed option sent");
			return false;
		}
		if (kind != e->kind) {
			sc_fail(s, "option %u: kind %u, expected %u", k, kind,
				e->kind);
			return false;
		}
		switch (kind) {
		case TCPOPT_MSS:
			if (!e->wild[0] && (o[i + 2] << 8 | o[i + 3]) !=
			    (int)e->v[0]) {
				sc_fail(s, "mss %u, expected %u",
					o[i + 2] << 8 | o[i + 3], e->v[0]);
				return false;
			}
			break;
		case TCPOPT_WS:
			if (!e->wild[0] && o[i + 2] != e->v[0]) {
				sc_fail(s, "wscale %u, expected %u", o[i + 2],
					e->v[0]);
				return false;
			}
			break;
		case TCPOPT_TS: {
			uint32_t val = (uint32_t)o[i + 2] << 24 |
				       o[i + 3] << 16 | o[i + 4] << 8 |
				       o[i + 5];
			uint32_t ecr = (uint32_t)o[i + 6] << 24 |
				       o[i + 7] << 16 | o[i + 8] << 8 |
				       o[i + 9];

			if ((!e->wild[0] && val != e->v[0]) ||
			    (!e->wild[1] && ecr != e->v[1])) {
				sc_fail(s, "TS val %u ecr %u, expected %u %u",
					val, ecr, e->v[0], e->v[1]);
				return false;
			}
			break;
		}
		case TCPOPT_SACK:
			if (len != 2 + 4 * e->nv) {
				sc_fail(s, "sack with %u blocks, expected %u",
					(len - 2) / 8, e->nv / 2);
				return false;
			}
			for (unsigned b = 0; b < e->nv; b++) {
				const uint8_t *q = o + i + 2 + 4 * b;
				uint32_t v = ((uint32_t)q[0] << 24 |
					      q[1] << 16 | q[2] << 8 | q[3]) -
					     peer_base;

				if (v != e->v[b]) {
					sc_fail(s, "sack edge %u is %u, "
						"expected %u", b, v, e->v[b]);
					return false;
				}
			}
			break;
		default:
			break;
		}
		i += len;
	}
	if (k != g->nopts) {
		sc_fail(s, "%u options sent, expected %u", k, g->nopts);
		return false;
	}
	return true;
}

static bool
sc_expect(struct sc *s, struct sc_seg *g, uint64_t target)
{
	uint64_t lo = target > s->tolerance_us ? target - s->tolerance_us : 0;
	uint64_t hi = target + s->tolerance_us;
	struct nst_frame f;
	struct nst_tcp r;
	struct sc_peer *p;
	uint32_t rel_seq, rel_ack;
	char d[128];

	while (nst_sent_count(s->t) == 0 && sc_now(s) < hi)
		nst_advance(s->t, hi - sc_now(s) < SC_STEP_US ?
			    hi - sc_now(s) : SC_STEP_US);
	if (nst_sent_count(s->t) == 0) {
		sc_fail(s, "expected segment not sent by %.3f s",
			hi / 1e6);
		return false;
	}
	if (sc_now(s) < lo) {
		sc_fail(s, "segment sent too early: at %.3f s, expected "
			"%.3f s", sc_now(s) / 1e6, target / 1e6);
		return false;
	}
	if (nst_pop_tcp(s->t, &r, &f) != 0) {
		sc_fail(s, "sent frame is not TCP");
		return false;
	}
	if (!r.ip_cksum_ok || !r.l4_cksum_ok) {
		sc_fail(s, "bad checksum on a sent segment");
		return false;
	}
	if (r.ip.dst != NST_PEER_IP || r.dport != g->port) {
		sc_fail(s, "sent to port %u, expected %u (%s)", r.dport,
			g->port, sc_describe(&r, d, sizeof(d)));
		return false;
	}
	p = sc_peer(s, g->port);
	if (s->our_port == 0)
		s->our_port = r.sport;
	if (r.sport != s->our_port) {
		sc_fail(s, "sent from port %u, expected %u", r.sport,
			s->our_port);
		return false;
	}
	if ((r.flags & TH_SYN) && !(r.flags & TH_RST)) {
		p->isn = r.seq;
		p->isn_known = true;
	}
	if (r.opt.ts)
		p->last_tsval = r.opt.tsval;
	if (r.flags != g->flags) {
		sc_fail(s, "flags 0x%02x, expected 0x%02x (%s)", r.flags,
			g->flags, sc_describe(&r, d, sizeof(d)));
		return false;
	}
	rel_seq = r.seq - (p->isn_known ? p->isn : 0);
	rel_ack = r.ack - s->peer_isn;
	if ((!g->wstart && rel_seq != (uint32_t)g->start) ||
	    (!g->wlen && r.len != g->len)) {
		sc_fail(s, "seq %u len %u, expected %" PRIu64 " len %" PRIu64
			" (%s)", rel_seq, r.len, g->start, g->len,
			sc_describe(&r, d, sizeof(d)));
		return false;
	}
	if (g->has_ack && !g->wack && rel_ack != (uint32_t)g->ack) {
		sc_fail(s, "ack %u, expected %" PRIu64, rel_ack, g->ack);
		return false;
	}
	if (g->has_win && !g->wwin && r.win != g->win) {
		sc_fail(s, "win %u, expected %" PRIu64, r.win, g->win);
		return false;
	}
	for (uint32_t i = 0; i < r.len; i++)
		if (r.payload[i] != sc_pat(rel_seq + i)) {
			sc_fail(s, "payload byte %u (seq %u) is wrong", i,
				rel_seq + i);
			return false;
		}
	if (g->has_opts && !sc_check_opts(s, g, &r, s->peer_isn))
		return false;
	return true;
}

/* ---- app ---- */

static struct sc_peer *
sc_app_peer(struct sc *s, char **tok, int *n)
{
	if (*n >= 2 && strcmp(tok[*n - 2], "port") == 0) {
		uint64_t v;

		if (!sc_num(s, tok[*n - 1], &v, NULL))
			return NULL;
		s->cur_port = (uint16_t)v;
		*n -= 2;
	}
	return sc_peer(s, s->cur_port);
}

static bool
sc_need_conn(struct sc *s, struct sc_peer *p)
{
	if (p->c == NULL || !p->open) {
		sc_fail(s, "no open connection for peer port %u", p->port);
		return false;
	}
	return true;
}

static const char *const sc_reasons[] = {
	[DP_TCP_CLOSED_NORMAL] = "normal",
	[DP_TCP_CLOSED_RESET] = "reset",
	[DP_TCP_CLOSED_TIMEOUT] = "timeout",
	[DP_TCP_CLOSED_REFUSED] = "refused",
	[DP_TCP_CLOSED_ABORTED] = "aborted",
};

static bool
sc_app(struct sc *s, char **tok, int n)
{
	struct dp_core *core = &s->t->core;
	struct sc_peer *p = sc_app_peer(s, tok, &n);
	const char *v = n >= 2 ? tok[1] : "";
	uint64_t a = 0;

	if (p == NULL || s->failed)
		return false;
	if (n >= 3 && strcmp(v, "connect") != 0 &&
	    strcmp(v, "expect_closed") != 0 && strcmp(v, "expect_state") &&
	    strcmp(v, "recv_limit") != 0 && strcmp(v, "on_recv") != 0 &&
	    strcmp(v, "on_peer_closed") != 0 && strcmp(v, "reject") != 0 &&
	    !sc_num(s, tok[2], &a, NULL))
		return false;
	if (strcmp(v, "listen") == 0 && n == 3) {
		int rc = dp_tcp_listen(core, (uint16_t)a, &s->ops);

		if (rc != 0)
			sc_fail(s, "listen: %d", rc);
		s->our_port = (uint16_t)a;
	} else if (strcmp(v, "connect") == 0 && n == 3) {
		unsigned b1, b2, b3, b4, port;
		struct dp_tcp_conn *c;

		if (sscanf(tok[2], "%u.%u.%u.%u:%u", &b1, &b2, &b3, &b4,
			   &port) != 5) {
			sc_fail(s, "connect IP:PORT");
			return false;
		}
		s->cur_port = (uint16_t)port;
		p = sc_peer(s, (uint16_t)port);
		memset(&p->c, 0, sizeof(*p) - offsetof(struct sc_peer, c));
		c = dp_tcp_connect(core, b1 << 24 | b2 << 16 | b3 << 8 | b4,
				   (uint16_t)port, &s->ops, p);
		if (c == NULL) {
			sc_fail(s, "connect failed: %s", strerror(errno));
			return false;
		}
		p->c = c;
		/* our port is learned from the SYN */
		s->our_port = 0;
		/* packets to "peer port" = the server port here */
	} else if (strcmp(v, "send") == 0 && (n == 3 || n == 5)) {
		uint64_t acc = a;

		if (n == 5 && (strcmp(tok[3], "accept") != 0 ||
			       !sc_num(s, tok[4], &acc, NULL)))
			return false;
		if (!sc_need_conn(s, p))
			return false;
		sc_send_bytes(s, p, (uint32_t)a, (uint32_t)acc);
	} else if (strcmp(v, "close") == 0 && n == 2) {
		if (!sc_need_conn(s, p))
			return false;
		dp_tcp_close(core, p->c);
	} else if (strcmp(v, "abort") == 0 && n == 2) {
		if (!sc_need_conn(s, p))
			return false;
		dp_tcp_abort(core, p->c);
	} else if (strcmp(v, "resume") == 0 && n == 2) {
		if (!sc_need_conn(s, p))
			return false;
		dp_tcp_recv_resume(core, p->c);
	} else if (strcmp(v, "recv_limit") == 0 && n == 3) {
		if (strcmp(tok[2], "off") == 0)
			s->recv_limit = SIZE_MAX;
		else if (sc_num(s, tok[2], &a, NULL))
			s->recv_limit = (size_t)a;
	} else if (strcmp(v, "reply") == 0 && n == 3) {
		s->reply = (uint32_t)a;
	} else if (strcmp(v, "greet") == 0 && n == 3) {
		s->greet = (uint32_t)a;
	} else if (strcmp(v, "on_recv") == 0 && n == 3) {
		snprintf(s->on_recv, sizeof(s->on_recv), "%s",
			 strcmp(tok[2], "none") == 0 ? "" : tok[2]);
	} else if (strcmp(v, "on_peer_closed") == 0 && n == 3) {
		s->close_on_peer_closed = strcmp(tok[2], "close") == 0;
	} else if (strcmp(v, "reject") == 0 && n == 3) {
		s->reject = strcmp(tok[2], "on") == 0;
	} else if (strcmp(v, "expect_recv") == 0 && n == 3) {
		if (p->recvd != a)
			sc_fail(s, "app received %" PRIu64 " bytes, expected "
				"%" PRIu64, p->recvd, a);
		else if (p->content_bad)
			sc_fail(s, "app received wrong bytes");
	} else if (strcmp(v, "expect_closed") == 0 && n == 3) {
		if (!p->closed)
			sc_fail(s, "connection not closed");
		else if (strcmp(sc_reasons[p->why], tok[2]) != 0)
			sc_fail(s, "closed: %s, expected %s",
				sc_reasons[p->why], tok[2]);
	} else if (strcmp(v, "expect_open") == 0 && n == 2) {
		if (!p->open || p->closed)
			sc_fail(s, "connection not open");
	} else if (strcmp(v, "expect_peer_closed") == 0 && n == 2) {
		if (!p->peer_closed)
			sc_fail(s, "peer_closed not reported");
	} else if (strcmp(v, "expect_accepted") == 0 && n == 3) {
		if (s->accepted != a)
			sc_fail(s, "accepted %" PRIu64 ", expected %" PRIu64,
				s->accepted, a);
	} else if (strcmp(v, "expect_state") == 0 && n == 3) {
		struct dp_tcp_conn *c = dp_tcp_lookup(core, NST_IP,
						      s->our_port,
						      NST_PEER_IP, p->port);
		const char *st = c ? dp_tcp_state_names[c->state] : "CLOSED";

		if (strcmp(st, tok[2]) != 0)
			sc_fail(s, "state %s, expected %s", st, tok[2]);
	} else if (strcmp(v, "expect_nconns") == 0 && n == 3) {
		if (core->tcp->nconns != a)
			sc_fail(s, "%u tcbs, expected %" PRIu64,
				core->tcp->nconns, a);
	} else if (strcmp(v, "expect_send_space") == 0 && n == 3) {
		if (!sc_need_conn(s, p))
			return false;
		if (dp_tcp_send_space(p->c) != a)
			sc_fail(s, "send space %zu, expected %" PRIu64,
				dp_tcp_send_space(p->c), a);
	} else if ((strcmp(v, "expect_ssthresh") == 0 ||
		    strcmp(v, "expect_cwnd") == 0) && n == 3) {
		uint32_t w;

		if (!sc_need_conn(s, p))
			return false;
		w = v[7] == 's' ? p->c->ssthresh : p->c->cwnd;
		if (w != a)
			sc_fail(s, "%s %u, expected %" PRIu64, v + 7, w, a);
	} else if (strcmp(v, "expect_hystart_base") == 0 && n == 3) {
		if (!sc_need_conn(s, p))
			return false;
		if (p->c->cubic.hs_base_us != a)
			sc_fail(s, "HyStart base RTT %u us, expected %" PRIu64,
				p->c->cubic.hs_base_us, a);
	} else if (strcmp(v, "expect_sendable") == 0 && n == 3) {
		if (p->sendable != a)
			sc_fail(s, "sendable called %" PRIu64 " times, "
				"expected %" PRIu64, p->sendable, a);
	} else {
		sc_fail(s, "unknown app action '%s'", v);
		return false;
	}
	/* what the action queued goes out now, as in the poll loop */
	dp_tcp_flush(core);
	dp_core_tx_flush(core);
	return !s->failed;
}

static bool
sc_expect_stat(struct sc *s, char **tok, int n)
{
	const struct dp_stats *st = &s->t->core.stats;
	struct {
		const char *name;
		uint64_t v;
	} c[] = {
		{ "conns_accepted", st->tcp_conns_accepted },
		{ "conns_connected", st->tcp_conns_connected },
		{ "conns_closed", st->tcp_conns_closed },
		{ "conns_reset", st->tcp_conns_reset },
		{ "active_conns", st->tcp_active_conns },
		{ "retransmits", st->tcp_retransmits },
		{ "fast_retransmits", st->tcp_fast_retransmits },
		{ "rto_timeouts", st->tcp_rto_timeouts },
		{ "syncookies_sent", st->tcp_syncookies_sent },
		{ "syncookies_ok", st->tcp_syncookies_ok },
		{ "challenge_acks", st->tcp_challenge_acks },
		{ "spurious_rtos", st->tcp_spurious_rtos },
		{ "tlp_probes", st->tcp_tlp_probes },
		{ "lost_retransmits", st->tcp_lost_retransmits },
		{ "hystart_exits", st->tcp_hystart_exits },
	};
	uint64_t want;

	if (n != 3 || !sc_num(s, tok[2], &want, NULL)) {
		sc_fail(s, "expect_stat NAME N");
		return false;
	}
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (strcmp(tok[1], c[i].name) == 0) {
			if (c[i].v != want)
				sc_fail(s, "%s = %" PRIu64 ", expected %"
					PRIu64, tok[1], c[i].v, want);
			return !s->failed;
		}
	for (unsigned i = 0; i < DP_DROP__COUNT; i++)
		if (strcmp(tok[1], dp_drop_names[i]) == 0) {
			if (st->drops[i] != want)
				sc_fail(s, "drops[%s] = %" PRIu64
					", expected %" PRIu64, tok[1],
					st->drops[i], want);
			return !s->failed;
		}
	sc_fail(s, "unknown counter '%s'", tok[1]);
	return false;
}

/* ---- driver ---- */

static bool
sc_line(struct sc *s, char *line)
{
	char *tok[SC_MAX_TOK], copy[1024];
	char *p = line, *c;
	uint64_t target = s->now_rel;
	int n;

	if ((c = strstr(p, "//")) != NULL)
		*c = 0;
	if ((c = strchr(p, '#')) != NULL)
		*c = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return true;
	snprintf(copy, sizeof(copy), "%s", p);
	n = sc_split(copy, tok, SC_MAX_TOK);
	if (strcmp(tok[0], "config") == 0)
		return sc_config(s, tok, n);
	if (!sc_start(s))
		return false;
	/* time */
	if (tok[0][0] == '+' || isdigit((unsigned char)tok[0][0])) {
		double sec = strtod(tok[0] + (tok[0][0] == '+'), NULL);
		uint64_t us = (uint64_t)(sec * 1e6 + 0.5);

		target = tok[0][0] == '+' ? s->now_rel + us : us;
		p += strlen(tok[0]);
		while (isspace((unsigned char)*p))
			p++;
		memmove(tok, tok + 1, (n - 1) * sizeof(*tok));
		n--;
		if (n == 0) {
			sc_fail(s, "time without an event");
			return false;
		}
	}
	s->now_rel = target;
	if (tok[0][0] == '>' && tok[0][1] == 0) {
		struct sc_seg g;

		if (!sc_parse_seg(s, p + 1, &g))
			return false;
		/* nothing else may be pending before this one's time */
		if (nst_sent_count(s->t) == 0 &&
		    !sc_advance_quiet(s, target > s->tolerance_us ?
				      target - s->tolerance_us : 0))
			return false;
		return sc_expect(s, &g, target);
	}
	if (!sc_advance_quiet(s, target))
		return false;
	if (tok[0][0] == '<' && tok[0][1] == 0) {
		struct sc_seg g;

		if (!sc_parse_seg(s, p + 1, &g))
			return false;
		return sc_inject(s, &g);
	}
	if (strcmp(tok[0], "app") == 0)
		return sc_app(s, tok, n);
	if (strcmp(tok[0], "expect_stat") == 0)
		return sc_expect_stat(s, tok, n);
	sc_fail(s, "unknown event '%s'", tok[0]);
	return false;
}

int
tcp_script_run(const char *name, const char *text, char *err, size_t errlen)
{
	struct sc *s = calloc(1, sizeof(*s));
	char *buf = strdup(text), *line;
	int rc;

	if (s == NULL || buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		free(s);
		free(buf);
		return -1;
	}
	s->name = name;
	s->err = err;
	s->errlen = errlen;
	err[0] = 0;
	dp_tcp_config_defaults(&s->cfg);
	s->tolerance_us = 2000;
	s->cur_port = 40000;
	s->recv_limit = SIZE_MAX;
	s->ops = (struct dp_tcp_app_ops){
		.accepted = sc_accepted,
		.connected = sc_connected,
		.recv = sc_recv,
		.sendable = sc_sendable,
		.peer_closed = sc_peer_closed_cb,
		.closed = sc_closed,
	};
	sc_cur = s;
	/* strtok_r on lines would merge blank lines: count them by hand */
	line = buf;
	while (line != NULL && !s->failed) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = 0;
		s->line++;
		if (strlen(line) >= 1000) {
			sc_fail(s, "line too long");
			break;
		}
		sc_line(s, line);
		line = nl ? nl + 1 : NULL;
	}
	if (!s->failed && s->started && nst_sent_count(s->t) > 0) {
		s->line++;
		sc_advance_quiet(s, sc_now(s));
	}
	if (s->started) {
		int leaked = nst_destroy(s->t);

		if (leaked != 0 && !s->failed)
			sc_fail(s, "%d mbufs leaked", leaked);
		/* the send queue's blocks and indirect mbufs too (every
		 * frame is freed by now) */
		if (dp_tcp_sq_blocks_alive() != 0 && !s->failed)
			sc_fail(s, "%llu send-queue blocks leaked",
				(unsigned long long)dp_tcp_sq_blocks_alive());
		if (!s->failed && sc_zc_in_use() != 0)
			sc_fail(s, "%u indirect mbufs leaked", sc_zc_in_use());
	}
	rc = s->failed ? -1 : 0;
	sc_cur = NULL;
	free(buf);
	free(s);
	return rc;
}

int
tcp_script_run_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;
	const char *name = strrchr(path, '/');
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)len + 1);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: read failed", path);
		return -1;
	}
	text[len] = 0;
	fclose(f);
	rc = tcp_script_run(name ? name + 1 : path, text, err, errlen);
	free(text);
	return rc;
}
