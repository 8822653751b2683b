/*
 * fuzz_stack.c -- libFuzzer target: arbitrary frames through the whole
 * stack on a fake-port core: dp_eth_input -> ARP / IPv4 (ICMP) -> TCP ->
 * the RESP server (dataplane/resp_server.c) -> the store, with the real
 * timers on virtual time (the setup of tests/netstack/test_resp_server.c).
 *
 * Input: a sequence of records (at most STACK_MAX_RECORDS), each led by a
 * tag byte:
 *   tag < 0x80   a frame: a 2-byte big-endian length L and L bytes (a
 *                length past the end takes the rest).  Tag bits:
 *                0x40 FIX: if the frame is Ethernet/IPv4, set the IPv4 total
 *                     length from the frame length and recompute the IPv4
 *                     header checksum, and, if it is an unfragmented TCP
 *                     segment, the TCP checksum;
 *                0x20 ACK: (TCP only) set the TCP acknowledgment number to
 *                     the server's next sequence number on this 4-tuple, as
 *                     learned from what it sent (its ISN is secret-keyed, so
 *                     a fixed input could not acknowledge its SYN-ACK
 *                     otherwise); implies FIX;
 *                0x10 HOLD: queue the frame without polling, so that the
 *                     next frame or time record delivers several frames in
 *                     one poll iteration;
 *                0x0f the injected mbuf's segment size / 16 (0 = one mbuf).
 *   tag >= 0x80  advance virtual time: N = (tag & 0x1f) + 1 steps of
 *                1 / 10 / 100 / 1000 ms by (tag >> 5) & 3; the ARP and TCP
 *                timers run at every step.
 *
 * Invariants, checked per input (abort() on a violation): no crash, leak
 * or UB (ASan/UBSan); every frame sent is ARP from us or IPv4 from us with
 * a correct header checksum and, for ICMP and TCP, a correct L4 checksum;
 * after the input, once every connection is aborted and time has run past
 * TIME_WAIT, no TCP connection and no RESP connection is left, the store's
 * client registry is empty, and the mbuf pool is back to its initial count.
 * Every input runs on a fresh core (runs are independent); the store's
 * configuration is reset per input and the keyspace flushed every 256.
 *
 * Linked with replay_main.c instead of libFuzzer it replays the corpus
 * directories given as arguments (the 'fuzz' test suite); built with
 * -DFUZZ_STACK_GEN it is a program writing the seed corpus into the directory
 * given as argument (fuzz_stack_gen, not built by default:
 * `ninja -C BUILD tests/fuzz/fuzz_stack_gen && BUILD/tests/fuzz/fuzz_stack_gen
 * tests/fuzz/corpus/stack`).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "client.h"
#include "config.h"
#include "dp_arp.h"
#include "dp_eth.h"
#include "dp_ipv4.h"
#include "dp_tcp.h"
#include "nstest.h"
#include "resp_server.h"
#include "tcp_priv.h"
#include "worker.h"

#define STACK_MAX_RECORDS	256
#define STACK_MAX_FLOWS		32
#define STACK_PORT		6379

#define REC_TIME		0x80
#define REC_FIX			0x40
#define REC_ACK			0x20
#define REC_HOLD		0x10

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The server's next sequence number per 4-tuple, learned from its output. */
struct flow {
	uint32_t rip;
	uint16_t rport, lport;
	uint32_t snd_end;
};

struct stack_run {
	struct nst *t;
	struct flow flows[STACK_MAX_FLOWS];
	unsigned nflows;
};

static struct st_worker *worker;
static unsigned long runs;
/* the last input's core counters (the generator prints them) */
static struct dp_stats last_stats;

static void
fini_hook(struct dp_core *core)
{
	dp_tcp_stack_fini(core);
	dp_resp_server_fini(core);
}

/* the loop's order: killed clients, deferred closes, then TCP output */
static void
poll_hook(struct dp_core *core)
{
	dp_resp_server_poll(core);
	dp_resp_server_flush(core);
	dp_tcp_flush(core);
}

static struct flow *
flow_find(struct stack_run *r, uint32_t rip, uint16_t rport, uint16_t lport,
	  bool add)
{
	for (unsigned i = 0; i < r->nflows; i++) {
		struct flow *f = &r->flows[i];

		if (f->rip == rip && f->rport == rport && f->lport == lport)
			return f;
	}
	if (!add)
		return NULL;
	if (r->nflows == STACK_MAX_FLOWS)
		r->nflows = 0;	/* recycle: the oldest flows are forgotten */
	r->flows[r->nflows] = (struct flow){ rip, rport, lport, 0 };
	return &r->flows[r->nflows++];
}

/* Check and free everything the stack sent; learn the server's sequence
 * numbers from its TCP segments (RSTs excluded). */
static void
check_sent(struct stack_run *r)
{
	static struct nst_frame f;

	while (nst_pop(r->t, &f)) {
		struct nst_eth e;
		struct nst_arp a;
		struct nst_ip ip;
		struct nst_icmp ic;
		struct nst_tcp s;

		if (nst_parse_eth(&f, &e) != 0)
			abort();
		if (e.type == RTE_ETHER_TYPE_ARP) {
			if (nst_parse_arp(&f, &a) != 0 || a.spa != NST_IP ||
			    (a.op != 1 && a.op != 2))
				abort();
			continue;
		}
		if (e.type != RTE_ETHER_TYPE_IPV4 ||
		    nst_parse_ipv4(&f, &ip) != 0 || !ip.cksum_ok ||
		    ip.src != NST_IP)
			abort();
		if (ip.proto == IPPROTO_ICMP &&
		    (nst_parse_icmp(&f, &ic) != 0 || !ic.cksum_ok))
			abort();
		if (ip.proto != IPPROTO_TCP)
			continue;
		if (nst_parse_tcp(&f, &s) != 0 || !s.l4_cksum_ok)
			abort();
		if (!(s.flags & RTE_TCP_RST_FLAG)) {
			struct flow *fl = flow_find(r, s.ip.dst, s.dport,
						    s.sport, true);
			uint32_t end = s.seq + s.len +
				((s.flags & RTE_TCP_SYN_FLAG) ? 1 : 0) +
				((s.flags & RTE_TCP_FIN_FLAG) ? 1 : 0);

			if (fl->snd_end == 0 || (int32_t)(end - fl->snd_end) > 0)
				fl->snd_end = end;
		}
	}
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* REC_FIX / REC_ACK on a frame copy (see the header comment). */
static void
fix_frame(struct stack_run *r, uint8_t *p, uint32_t len, bool patch_ack)
{
	uint32_t ihl, tot, l4len, src;
	uint8_t *ip = p + RTE_ETHER_HDR_LEN, *th;
	uint32_t sum;

	if (len < RTE_ETHER_HDR_LEN + 20 ||
	    rd16(p + 12) != RTE_ETHER_TYPE_IPV4 || (ip[0] >> 4) != 4)
		return;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	tot = len - RTE_ETHER_HDR_LEN;
	if (tot > 0xffff)
		tot = 0xffff;
	if (ihl < 20 || ihl > tot)
		return;
	wr16(ip + 2, (uint16_t)tot);
	if (ip[9] == IPPROTO_TCP && (rd16(ip + 6) & 0x3fff) == 0 &&
	    tot - ihl >= 20) {
		th = ip + ihl;
		l4len = tot - ihl;
		src = (uint32_t)rd16(ip + 12) << 16 | rd16(ip + 14);
		if (patch_ack) {
			struct flow *fl = flow_find(r, src, rd16(th),
						    rd16(th + 2), false);

			if (fl != NULL) {
				th[8] = (uint8_t)(fl->snd_end >> 24);
				th[9] = (uint8_t)(fl->snd_end >> 16);
				th[10] = (uint8_t)(fl->snd_end >> 8);
				th[11] = (uint8_t)fl->snd_end;
			}
		}
		wr16(th + 16, 0);
		sum = nst_pseudo_sum(src,
				     (uint32_t)rd16(ip + 16) << 16 | rd16(ip + 18),
				     IPPROTO_TCP, (uint16_t)l4len);
		wr16(th + 16, (uint16_t)~nst_sum16(th, l4len, sum));
	}
	wr16(ip + 10, 0);
	wr16(ip + 10, (uint16_t)~nst_sum16(ip, ihl, 0));
}

static struct nst *
stack_create(void)
{
	struct dp_tcp_config cfg;
	struct dp_resp_params rp = { .port = STACK_PORT,
				     .output_limit = 1u << 20 };
	struct nst *t;

	t = nst_create(0);
	if (t == NULL)
		abort();
	t->core.worker = worker;
	dp_tcp_config_defaults(&cfg);
	/* small limits the fuzzer can reach: SYN cookies, a full table */
	cfg.syn_backlog = 8;
	cfg.max_conns = 32;
	if (dp_tcp_stack_init(&t->core, &cfg) < 0)
		abort();
	t->poll_hook = poll_hook;
	t->timer_hook = dp_tcp_timers;
	t->fini_hook = fini_hook;
	if (dp_resp_server_init(&t->core, &rp) < 0)
		abort();
	return t;
}

/* Abort every connection, run time past TIME_WAIT and the ARP timers,
 * check that nothing is left, destroy the core. */
static void
stack_finish(struct stack_run *r)
{
	struct nst *t = r->t;
	struct dp_tcp_stack *st = tcp_stack(&t->core);
	struct dp_tcp_conn *conns[64];
	unsigned n = 0;

	for (struct dp_tcp_conn *c = st->all; c != NULL; c = c->next) {
		if (n == sizeof(conns) / sizeof(conns[0]))
			abort();	/* more than max_conns */
		if (!(c->flags & TF_DEAD))
			conns[n++] = c;
	}
	for (unsigned i = 0; i < n; i++)
		dp_tcp_abort(&t->core, conns[i]);
	nst_poll(t);
	check_sent(r);
	nst_advance_by_steps(t, 2ull * st->cfg.time_wait_us +
			     10 * DP_ARP_RETRY_US, DP_ARP_RETRY_US);
	nst_advance(t, DP_ARP_REACHABLE_US);
	check_sent(r);
	if (st->all != NULL || st->nconns != 0) {
		fprintf(stderr, "fuzz_stack: %u TCP connections left\n",
			st->nconns);
		abort();
	}
	if (dp_resp_server_conns(&t->core) != 0) {
		fprintf(stderr, "fuzz_stack: RESP connections left\n");
		abort();
	}
	if (st_client_count() != 0) {
		fprintf(stderr, "fuzz_stack: %zu store clients left\n",
			st_client_count());
		abort();
	}
	last_stats = t->core.stats;
	if (nst_destroy(t) != 0)
		abort();	/* mbufs leaked (message printed) */
	r->t = NULL;
}

static void
fuzz_stack_one(const uint8_t *data, size_t size)
{
	static uint8_t frame[NST_FRAME_MAX];
	struct stack_run r;
	bool held = false;

	if (worker == NULL) {
		if (st_store_init() != 0)
			abort();
		worker = st_thread_register();
	}
	st_config_defaults();
	/* keep single inputs from asking for gigabytes */
	st_cfg.proto_max_bulk_len = 1 << 20;
	st_cfg.client_query_buffer_limit = 1 << 24;
	memset(&r, 0, sizeof(r));
	r.t = stack_create();
	for (int i = 0; i < STACK_MAX_RECORDS && size > 0; i++) {
		uint8_t tag = data[0];

		data++;
		size--;
		if (tag & REC_TIME) {
			static const uint64_t unit[4] = { 1000, 10000, 100000,
							  1000000 };
			uint64_t step = unit[(tag >> 5) & 3];

			nst_advance_by_steps(r.t, ((tag & 0x1f) + 1) * step,
					     step);
			held = false;
			check_sent(&r);
			continue;
		}
		if (size < 2)
			break;
		uint32_t len = rd16(data);

		data += 2;
		size -= 2;
		if (len > size)
			len = (uint32_t)size;
		if (len > NST_FRAME_MAX)
			len = NST_FRAME_MAX;
		memcpy(frame, data, len);
		data += len;
		size -= len;
		if (tag & (REC_FIX | REC_ACK))
			fix_frame(&r, frame, len, (tag & REC_ACK) != 0);
		if (nst_inject_segmented(r.t, frame, len,
					 (uint32_t)(tag & 0xf) * 16) != 0) {
			/* queue full: deliver what is queued, retry once */
			nst_poll(r.t);
			check_sent(&r);
			if (nst_inject_segmented(r.t, frame, len,
						 (uint32_t)(tag & 0xf) * 16) != 0)
				abort();
		}
		held = (tag & REC_HOLD) != 0;
		if (!held) {
			nst_poll(r.t);
			check_sent(&r);
		}
	}
	if (held) {
		nst_poll(r.t);
		check_sent(&r);
	}
	stack_finish(&r);
	if (++runs % 256 == 0) {
		struct st_client *c = st_client_new(worker);

		st_client_feed(c, "FLUSHALL\r\n", 10);
		st_client_process(c);
		st_client_free(c);
	}
	st_worker_quiescent();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (nst_pool() == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_stack_one(data, size);
	return 0;
}


#ifdef FUZZ_STACK_GEN
/* ---- seed generator: records built with the nstest frame builders ---- */
#include <errno.h>
#include <sys/stat.h>

#define GEN_MAX 65536

struct gen {
	struct nst *t;
	uint8_t buf[GEN_MAX];
	size_t len;
};

/* A peer's side of one connection: 198.18.0.10:sport -> us:6379. */
struct gpeer {
	uint16_t sport;
	uint32_t seq;		/* our next sequence number */
	uint16_t win;
	bool ts;		/* send timestamps */
	uint32_t tsval;
};

static void
gen_byte(struct gen *g, uint8_t b)
{
	if (g->len >= GEN_MAX)
		abort();
	g->buf[g->len++] = b;
}

static void
gen_frame(struct gen *g, uint8_t tag, const uint8_t *f, uint32_t len)
{
	gen_byte(g, tag);
	gen_byte(g, (uint8_t)(len >> 8));
	gen_byte(g, (uint8_t)len);
	if (g->len + len > GEN_MAX)
		abort();
	memcpy(g->buf + g->len, f, len);
	g->len += len;
}

/* advance ms (rounded to what one or more time records express) */
static void
gen_time(struct gen *g, uint32_t ms)
{
	static const uint32_t unit[4] = { 1, 10, 100, 1000 };

	while (ms > 0) {
		int u = 3;

		while (u > 0 && ms < unit[u])
			u--;
		uint32_t n = ms / unit[u];

		if (n > 32)
			n = 32;
		gen_byte(g, (uint8_t)(REC_TIME | u << 5 | (n - 1)));
		ms -= n * unit[u];
	}
}

static void
gen_tcp(struct gen *g, uint8_t tag, const struct nst_tcp *s)
{
	static uint8_t f[NST_FRAME_MAX];
	uint32_t len = nst_build_tcp(f, sizeof(f), s);

	if (len == 0)
		abort();
	gen_frame(g, tag, f, len);
}

static void
gpeer_init(struct gpeer *p, uint16_t sport)
{
	memset(p, 0, sizeof(*p));
	p->sport = sport;
	p->seq = 1000u * sport;
	p->win = 65535;
	p->tsval = 100;
}

static void
gpeer_seg(struct gen *g, struct gpeer *p, uint8_t flags, const void *data,
	  uint32_t len, uint8_t tag, struct nst_tcp *s)
{
	struct nst_tcp d;

	if (s == NULL) {
		nst_tcp_defaults(g->t, &d);
		s = &d;
	}
	s->sport = p->sport;
	s->dport = STACK_PORT;
	s->seq = p->seq;
	s->flags = flags;
	s->win = p->win;
	s->payload = data;
	s->len = len;
	if (p->ts && !(flags & RTE_TCP_SYN_FLAG)) {
		s->opt.ts = true;
		s->opt.tsval = p->tsval++;
	}
	gen_tcp(g, tag | ((flags & RTE_TCP_ACK_FLAG) ? REC_ACK : REC_FIX),
		s);
	p->seq += len + ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ?
			 1 : 0);
}

static void
gpeer_send(struct gen *g, struct gpeer *p, uint8_t flags, const char *data)
{
	gpeer_seg(g, p, flags, data, data ? (uint32_t)strlen(data) : 0, 0,
		  NULL);
}

/* SYN (options as given, or MSS 1460), then the ACK of the SYN-ACK. */
static void
gpeer_connect(struct gen *g, struct gpeer *p, const struct nst_tcp_opts *o)
{
	struct nst_tcp s;

	nst_tcp_defaults(g->t, &s);
	if (o != NULL)
		s.opt = *o;
	else
		s.opt.mss = 1460;
	p->ts = s.opt.ts;
	gpeer_seg(g, p, RTE_TCP_SYN_FLAG, NULL, 0, 0, &s);
	gpeer_send(g, p, RTE_TCP_ACK_FLAG, NULL);
}

/* FIN, the ACK of the server's FIN, TIME_WAIT on the server's side ends */
static void
gpeer_close(struct gen *g, struct gpeer *p)
{
	gpeer_send(g, p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL);
	gen_time(g, 50);
	gpeer_send(g, p, RTE_TCP_ACK_FLAG, NULL);
}

#define AP (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG)

static void
gen_write(struct gen *g, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(g->buf, 1, g->len, f) != g->len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	/* the seed must run clean */
	fuzz_stack_one(g->buf, g->len);
	for (int i = 0; i < DP_DROP__COUNT; i++)
		if (last_stats.drops[i] != 0)
			printf("  drop %s: %llu\n", dp_drop_names[i],
			       (unsigned long long)last_stats.drops[i]);
	printf("%-26s %5zu bytes: %2llu accepted, %3llu commands, "
	       "%2llu resets, %2llu cookies ok, %3llu rtx\n", name, g->len,
	       (unsigned long long)last_stats.tcp_conns_accepted,
	       (unsigned long long)last_stats.commands,
	       (unsigned long long)last_stats.tcp_conns_reset,
	       (unsigned long long)last_stats.tcp_syncookies_ok,
	       (unsigned long long)last_stats.tcp_retransmits);
	g->len = 0;
}

/* A request split in pieces at the given offsets, one segment each. */
static void
gpeer_split(struct gen *g, struct gpeer *p, const char *req,
	    const uint32_t *cuts, unsigned ncuts, uint8_t tag)
{
	uint32_t off = 0, n = (uint32_t)strlen(req);

	for (unsigned i = 0; i <= ncuts; i++) {
		uint32_t end = i < ncuts ? cuts[i] : n;

		gpeer_seg(g, p, AP, req + off, end - off, tag, NULL);
		off = end;
	}
}

static void
gen_seeds(struct gen *g, const char *dir)
{
	struct gpeer p, q;
	struct nst_tcp s;
	struct nst_tcp_opts o;

	/* 1 PING then a graceful close from the peer */
	gpeer_init(&p, 40000);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "*1\r\n$4\r\nPING\r\n");
	gpeer_close(g, &p);
	gen_time(g, 3000);
	gen_write(g, dir, "ping_close");

	/* 2 SET / GET / DEL */
	gpeer_init(&p, 40001);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n");
	gpeer_send(g, &p, AP, "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n");
	gpeer_send(g, &p, AP, "*2\r\n$3\r\nDEL\r\n$3\r\nfoo\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "set_get_del");

	/* 3 INCR, INCRBY, overflow, wrong type */
	gpeer_init(&p, 40002);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "INCR n\r\n");
	gpeer_send(g, &p, AP, "INCRBY n 9223372036854775806\r\n");
	gpeer_send(g, &p, AP, "INCR n\r\nLPUSH l a\r\nINCR l\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "incr");

	/* 4 MULTI ... EXEC in one segment */
	gpeer_init(&p, 40003);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\n"
		   "k\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n*1\r\n"
		   "$4\r\nEXEC\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "multi_exec");

	/* 5 MULTI / WATCH / DISCARD / EXECABORT across segments */
	gpeer_init(&p, 40004);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "WATCH k\r\n");
	gpeer_send(g, &p, AP, "MULTI\r\n");
	gpeer_send(g, &p, AP, "SET k 2\r\n");
	gpeer_send(g, &p, AP, "NOSUCHCMD\r\n");
	gpeer_send(g, &p, AP, "EXEC\r\nMULTI\r\nDISCARD\r\nEXEC\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "multi_split_abort");

	/* 6 a pipeline of 12 commands in one segment */
	gpeer_init(&p, 40005);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "SET a 1\r\nSET b 2\r\nMGET a b c\r\nINCR a\r\n"
		   "APPEND b xyz\r\nSTRLEN b\r\nRPUSH l 1 2 3\r\nLRANGE l 0 -1\r\n"
		   "HSET h f v\r\nHGETALL h\r\nEXPIRE a 100\r\nTTL a\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "pipeline");

	/* 7 a pipeline split mid-command (and mid-bulk) in 4 segments, the
	 * frames in chains of 64-byte mbufs (the headers fit in the first:
	 * IPv4 drops frames whose first mbuf holds less as IP_SHORT) */
	{
		static const uint32_t cuts[] = { 3, 17, 40 };

		gpeer_init(&p, 40006);
		gpeer_connect(g, &p, NULL);
		gpeer_split(g, &p, "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n"
			    "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n", cuts, 3, 4);
		gpeer_close(g, &p);
		gen_write(g, dir, "pipeline_split_chained");
	}

	/* 8 malformed RESP: protocol error, reply then FIN */
	gpeer_init(&p, 40007);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "PING\r\n*2\r\n$3\r\nGET\r\n$-5\r\nxx\r\n");
	gpeer_send(g, &p, AP, "PING\r\n");
	gen_time(g, 100);
	gpeer_close(g, &p);
	gen_write(g, dir, "malformed_bulk_len");

	/* 9 malformed: bad multibulk count, unbalanced quotes, bulk not
	 * terminated by CRLF */
	gpeer_init(&p, 40008);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "SET \"a b\" \"c\r\n");
	gpeer_init(&q, 40009);
	gpeer_connect(g, &q, NULL);
	gpeer_send(g, &q, AP, "*1\r\n$4\r\nPINGxx*abc\r\n");
	gen_time(g, 500);
	gpeer_close(g, &p);
	gpeer_close(g, &q);
	gen_write(g, dir, "malformed_two_conns");

	/* 10 QUIT with more data behind it, then the peer keeps sending */
	gpeer_init(&p, 40010);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "QUIT\r\nPING\r\n");
	gpeer_send(g, &p, AP, "PING\r\n");
	gen_time(g, 100);
	gpeer_close(g, &p);
	gen_time(g, 3000);
	gen_write(g, dir, "quit");

	/* 11 RST after a request (in window), reply pending */
	gpeer_init(&p, 40011);
	gpeer_connect(g, &p, NULL);
	p.win = 0;
	gpeer_send(g, &p, AP, "SET k v\r\nGET k\r\n");
	gpeer_send(g, &p, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, NULL);
	gen_time(g, 1000);
	gen_write(g, dir, "rst_in_window");

	/* 12 RST out of window (challenge ACK), RST at rcv_nxt - 1, then a
	 * clean close */
	gpeer_init(&p, 40012);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "PING\r\n");
	p.seq += 100000;
	gpeer_send(g, &p, RTE_TCP_RST_FLAG, NULL);
	p.seq -= 100001;
	gpeer_send(g, &p, RTE_TCP_RST_FLAG, NULL);
	p.seq += 1;
	gpeer_send(g, &p, AP, "PING\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "rst_out_of_window");

	/* 13 request and FIN in one segment, then RST after the FIN */
	gpeer_init(&p, 40013);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP | RTE_TCP_FIN_FLAG, "GET k\r\n");
	gen_time(g, 100);
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	gpeer_send(g, &p, RTE_TCP_RST_FLAG, NULL);
	gen_write(g, dir, "data_fin_then_rst");

	/* 14 out of order: the second half arrives first */
	gpeer_init(&p, 40014);
	gpeer_connect(g, &p, NULL);
	{
		const char *req = "*3\r\n$3\r\nSET\r\n$3\r\nooo\r\n$5\r\nvalue\r\n"
				  "*2\r\n$3\r\nGET\r\n$3\r\nooo\r\n";
		uint32_t n = (uint32_t)strlen(req), h = 20, base = p.seq;

		p.seq = base + h;
		gpeer_seg(g, &p, AP, req + h, n - h, 0, NULL);
		p.seq = base;
		gpeer_seg(g, &p, AP, req, h, 0, NULL);
		p.seq = base + n;
	}
	gpeer_close(g, &p);
	gen_write(g, dir, "out_of_order");

	/* 15 overlapping segments: a retransmission covering new and old
	 * bytes with different content, and three holes filled backwards */
	gpeer_init(&p, 40015);
	gpeer_connect(g, &p, NULL);
	{
		const char *req = "SET a 1\r\nSET b 2\r\nSET c 3\r\nMGET a b c\r\n";
		uint32_t base = p.seq;

		p.seq = base + 27;
		gpeer_seg(g, &p, AP, req + 27, 13, 0, NULL);
		p.seq = base + 18;
		gpeer_seg(g, &p, AP, req + 18, 9, 0, NULL);
		p.seq = base + 5;
		gpeer_seg(g, &p, AP, "XXXXXXXXXXXXXXXXXXXXXXXXX", 25, 0, NULL);
		p.seq = base;
		gpeer_seg(g, &p, AP, req, 12, 0, NULL);
		p.seq = base + 9;
		gpeer_seg(g, &p, AP, req + 9, 31, 0, NULL);
		p.seq = base + 40;
	}
	gpeer_close(g, &p);
	gen_write(g, dir, "overlapping");

	/* 16 duplicates, old data, data beyond the window, a future FIN */
	gpeer_init(&p, 40016);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "PING\r\n");
	p.seq -= 6;
	gpeer_send(g, &p, AP, "PING\r\n");
	p.seq += 200000;
	gpeer_send(g, &p, AP, "PING\r\n");
	p.seq -= 200006 - 10;
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL);
	p.seq -= 11;
	gpeer_send(g, &p, AP, "ECHO 0123\r\n");
	gen_time(g, 100);
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	gen_time(g, 3000);
	gen_write(g, dir, "dup_old_future");

	/* 17 SYN with every option; data with timestamps and SACK blocks */
	memset(&o, 0, sizeof(o));
	o.mss = 536;
	o.ws = 14;
	o.sack_perm = true;
	o.ts = true;
	o.tsval = 7;
	gpeer_init(&p, 40017);
	gpeer_connect(g, &p, &o);
	gpeer_send(g, &p, AP, "SET x 1\r\n");
	nst_tcp_defaults(g->t, &s);
	s.opt.nsack = 2;
	s.opt.sack[0].left = 1;
	s.opt.sack[0].right = 100;
	s.opt.sack[1].left = 0xfffffff0u;
	s.opt.sack[1].right = 5;
	gpeer_seg(g, &p, AP, "GET x\r\n", 7, 0, &s);
	p.tsval -= 50;		/* PAWS: an old timestamp */
	gpeer_send(g, &p, AP, "GET x\r\n");
	p.tsval += 100;
	gpeer_close(g, &p);
	gen_write(g, dir, "syn_all_options_sack_ts");

	/* 18 SYNs with malformed options: zero length, length past the end,
	 * truncated MSS, ws > 14, EOL then garbage */
	{
		static const uint8_t bad[][8] = {
			{ 2, 0, 5, 180, 1, 1, 1, 1 },
			{ 2, 4, 5, 180, 3, 9, 1, 1 },
			{ 1, 1, 1, 2, 3, 0, 0, 0 },
			{ 3, 3, 200, 4, 2, 1, 1, 1 },
			{ 0, 2, 4, 0, 0, 8, 10, 0 },
			{ 8, 10, 1, 2, 3, 4, 5, 6 },
		};

		for (unsigned i = 0; i < 6; i++) {
			gpeer_init(&p, (uint16_t)(40100 + i));
			nst_tcp_defaults(g->t, &s);
			s.opt.raw = bad[i];
			s.opt.raw_len = 8;
			gpeer_seg(g, &p, RTE_TCP_SYN_FLAG, NULL, 0, 0, &s);
			gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
			gpeer_send(g, &p, AP, "PING\r\n");
		}
		gen_time(g, 2000);
		gen_write(g, dir, "syn_bad_options");
	}

	/* 19 SYN to a closed port, ACK without a connection, SYN+FIN,
	 * SYN+RST, no flags, data on a SYN */
	gpeer_init(&p, 40019);
	nst_tcp_defaults(g->t, &s);
	s.dport = 80;
	s.sport = p.sport;
	s.seq = p.seq;
	s.flags = RTE_TCP_SYN_FLAG;
	gen_tcp(g, REC_FIX, &s);
	s.dport = STACK_PORT;
	s.flags = RTE_TCP_ACK_FLAG;
	s.ack = 12345;
	gen_tcp(g, REC_FIX, &s);
	s.flags = RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG;
	gen_tcp(g, REC_FIX, &s);
	s.flags = RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG;
	gen_tcp(g, REC_FIX, &s);
	s.flags = 0;
	gen_tcp(g, REC_FIX, &s);
	gpeer_init(&p, 40020);
	nst_tcp_defaults(g->t, &s);
	gpeer_seg(g, &p, RTE_TCP_SYN_FLAG, "PING\r\n", 6, 0, &s);
	gpeer_send(g, &p, AP, "PING\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "odd_flags_closed_port");

	/* 20 two connections interleaved, the second one RST by the peer */
	gpeer_init(&p, 40021);
	gpeer_init(&q, 40022);
	gpeer_connect(g, &p, NULL);
	gpeer_connect(g, &q, NULL);
	gpeer_send(g, &p, AP, "SET shared 1\r\n");
	gpeer_send(g, &q, AP, "INCR shared\r\n");
	gpeer_send(g, &p, AP, "CLIENT LIST\r\n");
	gpeer_send(g, &q, AP, "CLIENT KILL ADDR 198.18.0.10:40021\r\n");
	gpeer_send(g, &p, AP, "GET shared\r\n");
	gpeer_send(g, &q, RTE_TCP_RST_FLAG, NULL);
	gen_time(g, 200);
	gpeer_close(g, &p);
	gen_write(g, dir, "two_conns_client_kill");

	/* 21 corrupted checksums (not fixed up) between good segments */
	gpeer_init(&p, 40023);
	gpeer_connect(g, &p, NULL);
	nst_tcp_defaults(g->t, &s);
	s.bad_cksum = true;
	s.sport = p.sport;
	s.seq = p.seq;
	s.flags = AP;
	s.payload = (const uint8_t *)"PING\r\n";
	s.len = 6;
	gen_tcp(g, 0, &s);
	s.bad_cksum = false;
	s.ip.bad_cksum = true;
	gen_tcp(g, 0, &s);
	gpeer_send(g, &p, AP, "PING\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "bad_checksums");

	/* 22 several segments delivered in one poll (HOLD), 80-byte mbufs */
	gpeer_init(&p, 40024);
	gpeer_connect(g, &p, NULL);
	gpeer_seg(g, &p, AP, "SET h", 5, REC_HOLD | 5, NULL);
	gpeer_seg(g, &p, AP, "old 1\r\nGET", 10, REC_HOLD | 5, NULL);
	gpeer_seg(g, &p, AP, " hold\r\nINCR hold\r\n", 18, REC_HOLD | 5, NULL);
	gpeer_seg(g, &p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL, 0,
		  REC_HOLD, NULL);
	gen_time(g, 100);
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	gen_write(g, dir, "held_batch_chained");

	/* 23 the peer's window closed: persist probes, then it opens */
	gpeer_init(&p, 40025);
	gpeer_connect(g, &p, NULL);
	p.win = 0;
	gpeer_send(g, &p, AP, "SET z 1\r\nGET z\r\nPING\r\n");
	gen_time(g, 8000);
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	p.win = 65535;
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	gpeer_close(g, &p);
	gen_write(g, dir, "zero_window_persist");

	/* 24 replies never acknowledged: RTO backoff until the stack gives
	 * up; a half-open SYN-RECEIVED never completed */
	gpeer_init(&p, 40026);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "PING\r\n");
	gpeer_init(&q, 40027);
	nst_tcp_defaults(g->t, &s);
	gpeer_seg(g, &q, RTE_TCP_SYN_FLAG, NULL, 0, 0, &s);
	for (int i = 0; i < 24; i++)
		gen_time(g, 30000);
	gen_write(g, dir, "rto_give_up");

	/* 25 SYN flood past the backlog (SYN cookies), one cookie ACKed and
	 * used */
	for (unsigned i = 0; i < 12; i++) {
		gpeer_init(&p, (uint16_t)(41000 + i));
		nst_tcp_defaults(g->t, &s);
		s.opt.mss = 1400;
		gpeer_seg(g, &p, RTE_TCP_SYN_FLAG, NULL, 0, 0, &s);
	}
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
	gpeer_send(g, &p, AP, "SET cookie 1\r\nGET cookie\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "syn_cookies");

	/* 26 a 3000-byte value over three segments, then a big reply */
	{
		static char req[4000];
		int n = sprintf(req, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$3000\r\n");
		static const uint32_t cuts[2] = { 1200, 2400 };

		memset(req + n, 'v', 3000);
		memcpy(req + n + 3000, "\r\nGET big\r\n", 12);
		gpeer_init(&p, 40028);
		gpeer_connect(g, &p, NULL);
		gpeer_split(g, &p, req, cuts, 2, 0);
		gen_time(g, 50);
		gpeer_send(g, &p, RTE_TCP_ACK_FLAG, NULL);
		gpeer_close(g, &p);
		gen_write(g, dir, "big_value");
	}

	/* 27 the server closes first (QUIT): FIN-WAIT, the peer's FIN,
	 * TIME_WAIT, then a new SYN on the same 4-tuple */
	gpeer_init(&p, 40029);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "QUIT\r\n");
	gen_time(g, 50);
	gpeer_send(g, &p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL);
	p.seq += 100000;
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "PING\r\n");
	gpeer_close(g, &p);
	gen_write(g, dir, "time_wait_reuse");

	/* 28 ARP request and ICMP echo to us, then a connection */
	{
		static uint8_t f[NST_FRAME_MAX];
		struct nst_arp a;
		struct nst_icmp ic;
		uint32_t len;

		nst_arp_request_defaults(g->t, &a, NST_IP);
		len = nst_build_arp(f, sizeof(f), &a);
		gen_frame(g, 0, f, len);
		nst_icmp_echo_defaults(g->t, &ic, 1, 1, "abcd", 4);
		len = nst_build_icmp(f, sizeof(f), &ic);
		gen_frame(g, 0, f, len);
		gpeer_init(&p, 40030);
		gpeer_connect(g, &p, NULL);
		gpeer_send(g, &p, AP, "PING\r\n");
		gpeer_close(g, &p);
		gen_write(g, dir, "arp_icmp_then_tcp");
	}

	/* 29 inline commands and RESP3: HELLO 3, CLIENT SETNAME, SELECT,
	 * FLUSHDB, DBSIZE, CONFIG SET maxclients */
	gpeer_init(&p, 40031);
	gpeer_connect(g, &p, NULL);
	gpeer_send(g, &p, AP, "HELLO 3\r\nCLIENT SETNAME fz\r\nSELECT 2\r\n"
		   "SET a b\r\nDBSIZE\r\nFLUSHDB\r\nCONFIG SET maxclients 1\r\n");
	gpeer_init(&q, 40032);
	gpeer_connect(g, &q, NULL);
	gpeer_send(g, &q, AP, "PING\r\n");
	gpeer_close(g, &p);
	gpeer_close(g, &q);
	gen_write(g, dir, "resp3_config");
}

int
main(int argc, char **argv)
{
	static struct gen g;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_stack_gen CORPUS_DIR\n");
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	g.t = nst_create(0);	/* for the builders' addresses only */
	if (g.t == NULL)
		return 1;
	gen_seeds(&g, argv[1]);
	nst_destroy(g.t);
	printf("seeds written to %s\n", argv[1]);
	return 0;
}
#endif
