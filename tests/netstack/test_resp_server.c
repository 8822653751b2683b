/*
 * test_resp_server.c -- the RESP server (dataplane/resp_server.c) over the
 * real TCP stack and store, on the fake port: request/reply, pipelining
 * with backpressure (input not consumed while replies are unsent, then
 * resumed), the output-buffer limit (RST), QUIT, CLIENT KILL, peer FIN,
 * graceful stop, maxclients; every scenario checks the mbuf pool is back
 * to its initial count and the client registry is empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "config.h"
#include "dp_tcp.h"
#include "nstest.h"
#include "resp_server.h"
#include "loop_peer.h"
#include "worker.h"

#define BIG_LEN 100000

struct peer {
	struct nst *t;
	uint16_t sport;
	uint32_t seq;		/* our next sequence number */
	uint32_t ack;		/* the server's next sequence number */
	uint16_t win;		/* the window we advertise */
	uint16_t srv_win;	/* the last window the server advertised */
	bool got_fin, got_rst;
	char *rx;		/* bytes received from the server */
	size_t rx_len, rx_cap;
};

/* the loop's order: deferred closes, then TCP output */
static void
poll_hook(struct dp_core *core)
{
	dp_resp_server_flush(core);
	dp_tcp_flush(core);
}

/* loop_peer.c's server (TCP stack + RESP server on the fake port), driven
 * here by nst's own polling instead of the poll loop */
static int
setup(void **state)
{
	struct nst *t;

	if (lp_setup(state) < 0)
		return -1;
	t = *state;
	t->poll_hook = poll_hook;
	t->timer_hook = dp_tcp_timers;
	return 0;
}

static int
teardown(void **state)
{
	int rc = nst_teardown(state);

	/* every client unregistered and freed */
	if (st_client_count() != 0)
		return -1;
	st_worker_quiescent();
	return rc;
}

/* Read every frame the server sent: collect payload, note FIN / RST. */
static void
peer_drain(struct peer *p)
{
	struct nst_tcp s;
	struct nst_frame f;

	while (nst_pop_tcp(p->t, &s, &f) == 0) {
		assert_true(s.ip_cksum_ok && s.l4_cksum_ok);
		if (s.dport != p->sport)
			continue;
		if (s.flags & RTE_TCP_RST_FLAG) {
			p->got_rst = true;
			continue;
		}
		p->srv_win = s.win;
		if (s.len && s.seq == p->ack) {
			if (p->rx_len + s.len + 1 > p->rx_cap) {
				p->rx_cap = (p->rx_len + s.len + 1) * 2;
				p->rx = realloc(p->rx, p->rx_cap);
			}
			memcpy(p->rx + p->rx_len, s.payload, s.len);
			p->rx_len += s.len;
			p->rx[p->rx_len] = '\0';
			p->ack += s.len;
		}
		if ((s.flags & RTE_TCP_FIN_FLAG) && s.seq + s.len == p->ack) {
			p->got_fin = true;
			p->ack++;
		}
	}
}

static void
peer_send(struct peer *p, uint8_t flags, const void *data, uint32_t len)
{
	struct nst_tcp s;

	nst_tcp_defaults(p->t, &s);
	s.sport = p->sport;
	s.seq = p->seq;
	s.ack = p->ack;
	s.flags = flags;
	s.win = p->win;
	s.payload = data;
	s.len = len;
	assert_int_equal(nst_input_tcp(p->t, &s), 0);
	p->seq += len + ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ? 1 : 0);
}

static void
peer_connect(struct nst *t, struct peer *p, uint16_t sport)
{
	struct nst_tcp s;
	struct nst_frame f;

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->sport = sport;
	p->seq = 1000;
	p->win = 65535;
	{
		struct nst_tcp syn;

		nst_tcp_defaults(t, &syn);
		syn.sport = sport;
		syn.seq = p->seq;
		syn.flags = RTE_TCP_SYN_FLAG;
		syn.win = p->win;
		syn.opt.mss = 1460;
		assert_int_equal(nst_input_tcp(t, &syn), 0);
		p->seq++;
	}
	assert_int_equal(nst_pop_tcp(t, &s, &f), 0);
	assert_int_equal(s.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	p->ack = s.seq + 1;
	peer_send(p, RTE_TCP_ACK_FLAG, NULL, 0);
}

/* Send a request and ACK replies until nothing more comes. */
static void
peer_request(struct peer *p, const char *req)
{
	peer_send(p, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, req,
		  (uint32_t)strlen(req));
	peer_drain(p);
}

/* ACK what arrived (window open) until the server sends nothing new. */
static void
peer_ack_all(struct peer *p)
{
	for (int i = 0; i < 100000; i++) {
		size_t before = p->rx_len;
		bool fin = p->got_fin;

		peer_send(p, RTE_TCP_ACK_FLAG, NULL, 0);
		peer_drain(p);
		if (p->rx_len == before && p->got_fin == fin) {
			nst_advance(p->t, 50000);	/* delayed work */
			peer_drain(p);
			if (p->rx_len == before && p->got_fin == fin)
				return;
		}
	}
}

static void
peer_close(struct peer *p)
{
	if (!p->got_rst) {
		peer_send(p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL, 0);
		peer_ack_all(p);
	}
	/* TIME_WAIT or LAST_ACK: let the timers finish it */
	nst_advance_by_steps(p->t, 3000000, 200000);
	nst_clear_sent(p->t);
	free(p->rx);
	p->rx = NULL;
}

static void
set_big(void)
{
	struct st_client *c = st_client_new(lp_worker());
	char *req = malloc(BIG_LEN + 64);
	int n = sprintf(req, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n", BIG_LEN);

	memset(req + n, 'v', BIG_LEN);
	memcpy(req + n + BIG_LEN, "\r\n", 2);
	st_client_feed(c, req, (size_t)n + BIG_LEN + 2);
	assert_int_equal(st_client_process(c), 1);
	assert_memory_equal(c->out.p, "+OK\r\n", 5);
	st_client_free(c);
	free(req);
}

static void
test_ping(void **state)
{
	struct nst *t = *state;
	struct peer p;

	peer_connect(t, &p, 40000);
	assert_int_equal(dp_resp_server_conns(&t->core), 1);
	assert_int_equal(st_client_count(), 1);
	peer_request(&p, "*1\r\n$4\r\nPING\r\n");
	assert_string_equal(p.rx, "+PONG\r\n");
	peer_request(&p, "PING\r\nECHO hello\r\n");
	assert_string_equal(p.rx, "+PONG\r\n+PONG\r\n$5\r\nhello\r\n");
	assert_int_equal(t->core.stats.commands, 3);
	/* CLIENT LIST shows the peer's address */
	free(p.rx);
	p.rx = NULL;
	p.rx_len = p.rx_cap = 0;
	peer_request(&p, "CLIENT LIST\r\n");
	assert_non_null(strstr(p.rx, "addr=198.18.0.10:40000"));
	assert_non_null(strstr(p.rx, "laddr=198.18.0.2:6379"));
	peer_close(&p);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

static void
test_backpressure(void **state)
{
	struct nst *t = *state;
	struct peer p;
	char req[22 * 100 + 1] = "";
	uint64_t cmds0;
	size_t unit = strlen("$100000\r\n") + BIG_LEN + 2;

	set_big();
	peer_connect(t, &p, 40001);
	cmds0 = t->core.stats.commands;
	/* 20 GETs: 2 MB of replies, far more than TCP's send buffer */
	for (int i = 0; i < 20; i++)
		strcat(req, "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
	p.win = 0;	/* we read nothing: the server cannot send */
	peer_request(&p, req);
	assert_int_equal(t->core.stats.commands - cmds0, 20);
	/* 100 more GETs are not executed while the replies are unsent */
	req[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(req, "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
	peer_request(&p, req);
	peer_request(&p, "");
	assert_int_equal(t->core.stats.commands - cmds0, 20);
	assert_true(p.srv_win < 65535 - 2000);	/* the window closed */
	/* reading resumes: all 220 replies arrive, in order, intact */
	p.win = 65535;
	peer_ack_all(&p);
	assert_int_equal(t->core.stats.commands - cmds0, 120);
	assert_int_equal(p.rx_len, 120 * unit);
	for (int i = 0; i < 120; i++) {
		assert_memory_equal(p.rx + i * unit, "$100000\r\nvvvv", 13);
		assert_memory_equal(p.rx + (i + 1) * unit - 3, "v\r\n", 3);
	}
	peer_close(&p);
}

/* Replies are composed straight into the TCP send queue (no copy from
 * c->out); one bigger than the lent space goes the copying way, intact;
 * pipelined small replies after it are in place again. */
static void
test_compose_in_place(void **state)
{
	struct nst *t = *state;
	struct dp_stats *s = &t->core.stats;
	const char *r1 = "+OK\r\n$5\r\nhello\r\n";
	size_t unit = strlen("$100000\r\n") + BIG_LEN + 2;
	uint64_t in0, cp0;
	struct peer p;

	set_big();
	peer_connect(t, &p, 40010);
	in0 = s->resp_inplace_bytes;
	cp0 = s->resp_copied_bytes;
	peer_request(&p, "SET k hello\r\nGET k\r\n");
	assert_string_equal(p.rx, r1);
	assert_int_equal(s->resp_inplace_bytes - in0, strlen(r1));
	assert_int_equal(s->resp_copied_bytes - cp0, 0);
	/* 100 kB: outgrows the lent space, copied, every byte right */
	peer_request(&p, "GET big\r\n");
	peer_ack_all(&p);
	assert_int_equal(p.rx_len, strlen(r1) + unit);
	assert_memory_equal(p.rx + strlen(r1), "$100000\r\nvvvv", 13);
	assert_memory_equal(p.rx + p.rx_len - 3, "v\r\n", 3);
	assert_true(s->resp_copied_bytes - cp0 >= unit);
	assert_int_equal(s->resp_inplace_bytes - in0, strlen(r1));
	/* then small pipelined replies are composed in place again */
	peer_request(&p, "GET k\r\nGET k\r\nPING\r\n");
	peer_ack_all(&p);
	assert_int_equal(p.rx_len, strlen(r1) + unit + 2 * 11 + 7);
	assert_memory_equal(p.rx + strlen(r1) + unit,
			    "$5\r\nhello\r\n$5\r\nhello\r\n+PONG\r\n", 29);
	assert_int_equal(s->resp_inplace_bytes - in0, strlen(r1) + 29);
	assert_true(s->resp_copied_bytes - cp0 < unit + 64);
	peer_close(&p);
}

static void
test_output_limit(void **state)
{
	struct nst *t = *state;
	struct peer p;
	char req[22 * 20 + 1] = "";
	long long old = st_cfg.client_output_buffer_limit_normal;

	set_big();
	st_cfg.client_output_buffer_limit_normal = 1 << 20;
	peer_connect(t, &p, 40002);
	for (int i = 0; i < 20; i++)
		strcat(req, "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
	p.win = 0;
	peer_request(&p, req);
	assert_true(p.got_rst);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
	assert_int_equal(st_client_count(), 0);
	st_cfg.client_output_buffer_limit_normal = old;
	peer_close(&p);
}

static void
test_quit(void **state)
{
	struct nst *t = *state;
	struct peer p;

	peer_connect(t, &p, 40003);
	peer_request(&p, "QUIT\r\nPING\r\n");
	assert_string_equal(p.rx, "+OK\r\n");
	assert_true(p.got_fin);
	assert_false(p.got_rst);
	peer_close(&p);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

static void
kill_all(struct st_client *c, void *arg)
{
	atomic_store(&c->kill, 1);
}

static void
test_client_kill(void **state)
{
	struct nst *t = *state;
	struct peer p;

	peer_connect(t, &p, 40004);
	peer_request(&p, "PING\r\n");
	st_client_foreach(kill_all, NULL);
	dp_resp_server_poll(&t->core);
	nst_poll(t);
	peer_drain(&p);
	assert_true(p.got_fin);
	peer_close(&p);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

static void
test_peer_fin(void **state)
{
	struct nst *t = *state;
	struct peer p;

	peer_connect(t, &p, 40005);
	/* request and FIN together: the reply still comes, then our FIN */
	peer_send(&p, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG,
		  "PING\r\n", 6);
	peer_drain(&p);
	peer_ack_all(&p);
	assert_string_equal(p.rx, "+PONG\r\n");
	assert_true(p.got_fin);
	nst_advance_by_steps(t, 3000000, 200000);
	nst_clear_sent(t);
	free(p.rx);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

static void
test_stop(void **state)
{
	struct nst *t = *state;
	struct peer p, q;

	peer_connect(t, &p, 40006);
	dp_resp_server_stop(&t->core);
	nst_poll(t);
	peer_drain(&p);
	assert_true(p.got_fin);
	/* new connections are refused once stopping */
	{
		struct nst_tcp s;
		struct nst_frame f;

		memset(&q, 0, sizeof(q));
		nst_tcp_defaults(t, &s);
		s.sport = 40007;
		s.seq = 5000;
		s.flags = RTE_TCP_SYN_FLAG;
		s.opt.mss = 1460;
		assert_int_equal(nst_input_tcp(t, &s), 0);
		assert_int_equal(nst_pop_tcp(t, &s, &f), 0);
		s.flags &= RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		assert_int_equal(s.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		q.t = t;
		q.sport = 40007;
		q.seq = 5001;
		q.ack = s.seq + 1;
		q.win = 65535;
		peer_send(&q, RTE_TCP_ACK_FLAG, NULL, 0);
		peer_drain(&q);
		assert_true(q.got_rst);
	}
	peer_close(&p);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

static void
test_maxclients(void **state)
{
	struct nst *t = *state;
	struct peer p, q;
	long long old = st_cfg.maxclients;

	st_cfg.maxclients = 1;
	peer_connect(t, &p, 40008);
	peer_connect(t, &q, 40009);
	peer_drain(&q);
	assert_string_equal(q.rx, "-ERR max number of clients reached\r\n");
	assert_true(q.got_fin);
	peer_request(&p, "PING\r\n");
	assert_string_equal(p.rx, "+PONG\r\n");
	st_cfg.maxclients = old;
	peer_close(&q);
	peer_close(&p);
	assert_int_equal(dp_resp_server_conns(&t->core), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maxclients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
