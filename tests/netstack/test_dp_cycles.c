/*
 * test_dp_cycles.c -- ferryd's per-layer cycle counters (dataplane/
 * dp_cycles.h, --cycle-stats) over the fake port: the real poll-loop
 * iteration (dp_loop_iteration) with the TCP stack, the RESP server and
 * the store.  A client connects and sends requests, one per iteration;
 * the counters must then be nonzero in every layer a request crosses,
 * their sum must equal the busy iterations' cycles exactly (exclusive
 * times), busy + idle + outside must not exceed the wall time, idle
 * iterations must count as idle, iterations over the stall threshold must
 * be kept out of the layers, the dump must print per-command figures, and
 * with the counters off nothing may be counted.  The option itself
 * (--cycle-stats) is parsed by dp_options_parse.  The loop also sets the
 * store's command clock each iteration (test_store_clock).
 *
 * Time is the TSC here (dp_loop_iteration samples it), not virtual time.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_cycles.h>

#include "client.h"
#include "config.h"
#include "dp_cycles.h"
#include "dp_loop.h"
#include "dp_options.h"
#include "dp_tcp.h"
#include "loop_peer.h"
#include "nstest.h"
#include "resp_server.h"
#include "util.h"
#include "worker.h"

#define NREQ 20

static int
teardown(void **state)
{
	struct nst *t = *state;
	int rc;

	t->core.cyc.on = false;
	rc = nst_teardown(state);
	if (st_client_count() != 0)
		return -1;
	st_worker_quiescent();
	return rc;
}

/* Connect, send NREQ GETs/SETs one per iteration, close. */
static void
run_traffic(struct lp_peer *p)
{
	char req[64];

	lp_send(p, RTE_TCP_SYN_FLAG, NULL);
	assert_true(p->ack != 0);
	lp_send(p, RTE_TCP_ACK_FLAG, NULL);
	for (int i = 0; i < NREQ; i++) {
		if (i % 2 == 0)
			snprintf(req, sizeof(req), "SET k%d v%d\r\n", i, i);
		else
			snprintf(req, sizeof(req), "GET k%d\r\n", i - 1);
		lp_send(p, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, req);
	}
	assert_non_null(strstr(p->rx, "+OK\r\n$2\r\nv0\r\n"));
	assert_non_null(strstr(p->rx, "$3\r\nv18\r\n"));
	assert_int_equal(p->t->core.stats.commands, NREQ);
}

static void
peer_close(struct lp_peer *p)
{
	lp_send(p, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, NULL);
	for (int i = 0; i < 10; i++) {
		lp_iterate(p);
		lp_drain(p);
	}
	/* the server's FIN came: ACK it (LAST_ACK -> CLOSED) */
	p->ack++;
	lp_send(p, RTE_TCP_ACK_FLAG, NULL);
	nst_clear_sent(p->t);
}

static void
test_counters(void **state)
{
	struct nst *t = *state;
	struct dp_cycles *c = &t->core.cyc;
	struct lp_peer p;
	uint64_t t0, t1, sum = 0, idle_iters, busy_iters, busy_cycles;
	static const enum dp_cyc_layer crossed[] = {
		DP_CYC_RX, DP_CYC_ETH, DP_CYC_TCP_IN, DP_CYC_APP, DP_CYC_STORE,
		DP_CYC_TCP_SEND, DP_CYC_TIMERS, DP_CYC_TCP_OUT, DP_CYC_TX,
		DP_CYC_QSBR,
	};

	lp_init(&p, t, 41000);
	dp_cycles_enable(c);
	/* no stall threshold: a sanitizer build or a loaded machine may
	 * take over 1 ms for an iteration (test_long covers stalls) */
	c->long_tsc = UINT64_MAX;
	t0 = rte_rdtsc();
	run_traffic(&p);
	t1 = rte_rdtsc();
	/* every request had its busy iteration */
	assert_true(c->busy_iters >= NREQ + 2);
	assert_int_equal(c->busy_cmds, NREQ);
	assert_int_equal(c->long_iters, 0);
	for (size_t i = 0; i < sizeof(crossed) / sizeof(crossed[0]); i++) {
		if (c->busy[crossed[i]] == 0)
			fail_msg("layer %s counted nothing",
				 dp_cyc_names[crossed[i]]);
	}
	/* exclusive times: the layers add up to the busy iterations */
	for (int i = 0; i < DP_CYC__COUNT; i++)
		sum += c->busy[i];
	assert_int_equal(sum, c->busy_cycles);
	assert_true(c->busy_cycles + c->idle_cycles + c->long_cycles +
		    c->outside_cycles <= t1 - t0);
	/* nested layers are excluded from the caller: the store's time is
	 * not in resp's, resp's not in tcp_in's (each is less than all) */
	assert_true(c->busy[DP_CYC_STORE] < c->busy_cycles);
	assert_true(c->busy[DP_CYC_TCP_IN] < c->busy_cycles);
	/* an iteration with nothing to do is idle, busy stays as it was
	 * (every reply ACKed first: no retransmission may be due) */
	lp_send(&p, RTE_TCP_ACK_FLAG, NULL);
	idle_iters = c->idle_iters;
	busy_iters = c->busy_iters;
	busy_cycles = c->busy_cycles;
	assert_int_equal(lp_iterate(&p), 0);
	assert_int_equal(c->idle_iters, idle_iters + 1);
	assert_int_equal(c->busy_iters, busy_iters);
	assert_int_equal(c->busy_cycles, busy_cycles);
	assert_true(c->idle_cycles > 0);
	/* the time between the two iterations counts as outside */
	assert_true(c->outside_cycles > 0);
	peer_close(&p);
}

static void
test_dump(void **state)
{
	struct nst *t = *state;
	struct dp_core *cores[1] = { &t->core };
	struct lp_peer p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	double store = -1, busy = -1;
	const char *s;

	lp_init(&p, t, 41001);
	dp_cycles_enable(&t->core.cyc);
	t->core.cyc.long_tsc = UINT64_MAX;	/* as in test_counters */
	run_traffic(&p);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	dp_loop_dump_stats(f, cores, 1);
	fclose(f);
	assert_non_null(strstr(buf, "core 0 cycles: tsc_hz="));
	assert_non_null(strstr(buf, " commands=20 "));
	s = strstr(buf, "core 0 cycles/command:");
	assert_non_null(s);
	assert_non_null(strstr(s, " store="));
	assert_int_equal(sscanf(strstr(s, " store=") + 7, "%lf", &store), 1);
	assert_int_equal(sscanf(strstr(s, " busy=") + 6, "%lf", &busy), 1);
	assert_true(store > 0 && store < busy);
	/* the busy figure is busy cycles / their commands */
	{
		double n = (double)t->core.cyc.busy_cmds;
		double want = (double)t->core.cyc.busy_cycles / n;

		assert_true(busy <= want + 0.1 && busy >= want - 0.1);
	}
	free(buf);
	peer_close(&p);
}

/* Iterations longer than long_tsc are stalls: counted apart, never in a
 * layer (here every busy iteration is "long": the threshold is 0). */
static void
test_long(void **state)
{
	struct nst *t = *state;
	struct dp_cycles *c = &t->core.cyc;
	struct lp_peer p;

	lp_init(&p, t, 41003);
	dp_cycles_enable(c);
	c->long_tsc = 0;
	run_traffic(&p);
	assert_true(c->long_iters >= NREQ + 2);
	assert_int_equal(c->long_cmds, NREQ);
	assert_true(c->long_cycles > 0);
	assert_int_equal(c->busy_iters, 0);
	assert_int_equal(c->busy_cmds, 0);
	assert_int_equal(c->busy_cycles, 0);
	for (int i = 0; i < DP_CYC__COUNT; i++)
		assert_int_equal(c->busy[i], 0);
	peer_close(&p);
}

static void
test_off(void **state)
{
	struct nst *t = *state;
	struct dp_core *cores[1] = { &t->core };
	const struct dp_cycles *c = &t->core.cyc;
	struct lp_peer p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	lp_init(&p, t, 41002);
	assert_false(c->on);	/* off by default */
	run_traffic(&p);
	for (int i = 0; i < DP_CYC__COUNT; i++)
		assert_int_equal(c->busy[i], 0);
	assert_int_equal(c->busy_iters + c->idle_iters, 0);
	assert_int_equal(c->busy_cycles + c->idle_cycles + c->outside_cycles,
			 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	dp_loop_dump_stats(f, cores, 1);
	fclose(f);
	assert_null(strstr(buf, "cycles"));
	free(buf);
	peer_close(&p);
}

/* The loop keeps the store's command clock (st_client_clock_set, one per
 * iteration): a stale clock left on the thread is replaced by the real
 * time (TSC-derived) before the iteration's commands run. */
static void
test_store_clock(void **state)
{
	struct nst *t = *state;
	struct lp_peer p;
	long long exp = 0;
	int64_t t0, t1;
	const char *s;

	lp_init(&p, t, 41004);
	lp_send(&p, RTE_TCP_SYN_FLAG, NULL);
	lp_send(&p, RTE_TCP_ACK_FLAG, NULL);
	st_client_clock_set(1);			/* 1970 */
	t0 = st_mstime();
	lp_send(&p, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		  "SET clk v PX 60000\r\nPEXPIRETIME clk\r\n");
	t1 = st_mstime();
	s = strstr(p.rx, "+OK\r\n:");
	assert_non_null(s);
	assert_int_equal(sscanf(s + 6, "%lld", &exp), 1);
	assert_true(exp >= t0 + 60000 - 2 && exp <= t1 + 60000 + 2);
	peer_close(&p);
	st_client_clock_set(0);
}

static void
test_option(void **state)
{
	struct dp_options o;
	char err[256];
	char *ok[] = { "--addr", "198.18.0.2/24", "--cycle-stats" };
	char *bad[] = { "--cycle-stats=1" };

	dp_options_defaults(&o);
	assert_false(o.cycle_stats);
	assert_int_equal(dp_options_parse(&o, 3, ok, err, sizeof(err)), 0);
	assert_true(o.cycle_stats);
	dp_options_defaults(&o);
	assert_int_equal(dp_options_parse(&o, 1, bad, err, sizeof(err)),
			 -EINVAL);
	assert_true(strlen(err) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counters, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_long, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_clock, lp_setup,
						teardown),
		cmocka_unit_test(test_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
