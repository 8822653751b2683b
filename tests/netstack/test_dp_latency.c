/*
 * test_dp_latency.c -- ferryd's per-core residence histograms (dataplane/
 * dp_latency.h, --latency-stats) over the fake port: the real poll-loop
 * iteration (dp_loop_iteration) with the TCP stack, the RESP server and
 * the store.  One sample per command, each no longer than the iteration
 * that ran it (TSC around dp_loop_iteration: the residence starts after
 * the rx burst and ends after the tx flush, both inside); replies a full
 * port refused are counted when the queue empties, from their own rx
 * burst; INFO residence's format and CONFIG RESETSTAT over the wire;
 * the SIGUSR1 dump line; nothing recorded when off; the option.  The
 * shared histogram (store/hdr.c) against known inputs
 * (record_n, the relative error bound), and one thread recording while
 * another reads and resets (for TSan).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rte_cycles.h>

#include "buf.h"
#include "client.h"
#include "command.h"
#include "config.h"
#include "dp_latency.h"
#include "dp_loop.h"
#include "dp_options.h"
#include "dp_tcp.h"
#include "hdr.h"
#include "loop_peer.h"
#include "nstest.h"
#include "resp_server.h"
#include "worker.h"

#define NREQ 20

static int
teardown(void **state)
{
	struct nst *t = *state;
	int rc;

	dp_latency_fini(&t->core.lat);
	rc = nst_teardown(state);
	if (st_client_count() != 0)
		return -1;
	st_worker_quiescent();
	return rc;
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


/* A request into the port's RX queue (no iteration yet). */
static void
inject_req(struct lp_peer *p, const char *req)
{
	static uint8_t buf[NST_FRAME_MAX];
	struct nst_tcp s;
	uint32_t n, len = (uint32_t)strlen(req);

	nst_tcp_defaults(p->t, &s);
	s.sport = p->sport;
	s.seq = p->seq;
	s.ack = p->ack;
	s.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	s.win = 65535;
	s.payload = (const uint8_t *)req;
	s.len = len;
	n = nst_build_tcp(buf, sizeof(buf), &s);
	assert_true(n > 0);
	assert_int_equal(nst_inject(p->t, buf, n), 0);
	p->seq += len;
}

/* One request in one iteration: the TSC span of that iteration. */
static uint64_t
timed_send(struct lp_peer *p, const char *req)
{
	uint64_t t0, t1;

	inject_req(p, req);
	t0 = rte_rdtsc();
	assert_true(lp_iterate(p) > 0);
	t1 = rte_rdtsc();
	lp_drain(p);
	return t1 - t0;
}

static void
peer_connect(struct lp_peer *p)
{
	lp_send(p, RTE_TCP_SYN_FLAG, NULL);
	assert_true(p->ack != 0);
	lp_send(p, RTE_TCP_ACK_FLAG, NULL);
}

/* One sample per command, each within its iteration. */
static void
test_samples(void **state)
{
	struct nst *t = *state;
	struct dp_latency *l = &t->core.lat;
	struct lp_peer p;
	uint64_t span_max = 0, span_sum = 0, span_min = UINT64_MAX;
	char req[64];

	lp_init(&p, t, 42000);
	assert_int_equal(dp_latency_enable(l), 0);
	peer_connect(&p);
	assert_int_equal(l->h->count, 0);	/* no command yet */
	for (int i = 0; i < NREQ; i++) {
		uint64_t span;

		snprintf(req, sizeof(req), "SET k%d v%d\r\n", i, i);
		span = timed_send(&p, req);
		if (span > span_max)
			span_max = span;
		if (span < span_min)
			span_min = span;
		span_sum += span;
		assert_int_equal(l->h->count, (uint64_t)i + 1);
	}
	assert_non_null(strstr(p.rx, "+OK\r\n"));
	assert_int_equal(t->core.stats.commands, NREQ);
	/* each sample lies inside its own iteration: positive, never more
	 * than the longest iteration, and all of them (sum is exact) no more
	 * than all the iterations together */
	assert_true(l->h->min > 0);
	assert_true(l->h->max <= span_max);
	assert_true(l->h->sum <= span_sum);
	assert_int_equal(l->held, 0);
	assert_int_equal(l->npend, 0);
	/* a pipeline of 3 in one frame: 3 samples, equal */
	timed_send(&p, "GET k1\r\nGET k2\r\nGET k3\r\n");
	assert_int_equal(l->h->count, NREQ + 3);
	assert_non_null(strstr(p.rx, "$2\r\nv3\r\n"));
	peer_close(&p);
	/* frames without commands (the close) add nothing */
	assert_int_equal(l->h->count, NREQ + 3);
}

/* A reply the port refused is counted when the queue empties, measured
 * from the rx burst of its request. */
static void
test_tx_refused(void **state)
{
	struct nst *t = *state;
	struct dp_latency *l = &t->core.lat;
	struct lp_peer p;
	uint64_t t0, t1, t2, wait, before;

	lp_init(&p, t, 42001);
	assert_int_equal(dp_latency_enable(l), 0);
	peer_connect(&p);
	before = l->h->count;
	t->fp.tx_refuse_calls = 1;
	inject_req(&p, "SET a 1\r\n");
	t0 = rte_rdtsc();
	assert_true(lp_iterate(&p) > 0);
	assert_true(dp_core_tx_pending(&t->core) > 0);		/* the reply waits */
	assert_int_equal(l->h->count, before);	/* not yet counted */
	assert_int_equal(l->npend, 1);
	/* let time pass, then an iteration that flushes the queue */
	wait = rte_get_tsc_hz() / 10000;	/* 100 us */
	t1 = rte_rdtsc();
	while (rte_rdtsc() - t1 < wait)
		;
	lp_iterate(&p);
	t2 = rte_rdtsc();
	assert_int_equal(dp_core_tx_pending(&t->core), 0);
	assert_int_equal(l->h->count, before + 1);
	assert_int_equal(l->npend, 0);
	lp_drain(&p);
	assert_non_null(strstr(p.rx, "+OK\r\n"));
	/* from the first iteration's rx burst to the second's flush: at
	 * least the wait in between, at most both iterations and the wait */
	assert_true(l->h->max >= wait);
	assert_true(l->h->max <= t2 - t0);
	assert_int_equal(l->held, 0);
	peer_close(&p);
}

/* Off (the default): nothing recorded, nothing printed. */
static void
test_off(void **state)
{
	struct nst *t = *state;
	struct dp_core *cores[1] = { &t->core };
	struct lp_peer p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct st_buf b;

	lp_init(&p, t, 42002);
	assert_false(t->core.lat.on);
	assert_null(t->core.lat.h);
	peer_connect(&p);
	timed_send(&p, "SET x 1\r\n");
	assert_int_equal(t->core.stats.commands, 1);
	assert_int_equal(t->core.lat.t_rx, 0);	/* never sampled */
	assert_int_equal(t->core.lat.cmds_rx, 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	dp_loop_dump_stats(f, cores, 1);
	fclose(f);
	assert_null(strstr(buf, "residence"));
	free(buf);
	st_buf_init(&b);
	dp_latency_info(&b, cores, 1);
	st_buf_putc(&b, '\0');
	assert_string_equal((char *)b.p, "residence_enabled:0\r\n");
	st_buf_free(&b);
	peer_close(&p);
}

static double
field(const char *s, const char *name)
{
	const char *f = strstr(s, name);
	double v = -1;

	assert_non_null(f);
	assert_int_equal(sscanf(f + strlen(name), "%lf", &v), 1);
	return v;
}

/* INFO residence and CONFIG RESETSTAT over the wire; the SIGUSR1 line. */
static void
test_info_resetstat(void **state)
{
	struct nst *t = *state;
	struct dp_core *cores[1] = { &t->core };
	struct lp_peer p;
	char *buf = NULL, *s;
	size_t len = 0;
	FILE *f;
	char req[64];
	double p50, p90, p99, p999, max;

	lp_init(&p, t, 42003);
	assert_int_equal(dp_latency_enable(&t->core.lat), 0);
	dp_latency_register_info(cores, 1);
	peer_connect(&p);
	for (int i = 0; i < NREQ; i++) {
		snprintf(req, sizeof(req), "SET k%d v%d\r\n", i, i);
		timed_send(&p, req);
	}
	p.rx_len = 0;
	p.rx[0] = '\0';
	timed_send(&p, "INFO residence\r\n");
	s = p.rx;
	/* a bulk string holding exactly the one section */
	assert_memory_equal(s, "$", 1);
	s = strstr(s, "\r\n") + 2;
	{
		static const char want[] = "# Residence\r\nresidence_enabled:1"
			"\r\nresidence_percentiles_usec:p50=";

		assert_memory_equal(s, want, strlen(want));
	}
	p50 = field(s, "p50=");
	p90 = field(s, ",p90=");
	p99 = field(s, ",p99=");
	p999 = field(s, ",p99.9=");
	max = field(s, ",max=");
	assert_true(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 &&
		    p999 <= max);
	assert_non_null(strstr(s, "\r\nresidence_count:20\r\n"));
	assert_non_null(strstr(s, "\r\nresidence_held:0\r\n"));
	assert_non_null(strstr(s, "\r\ncore0_residence_percentiles_usec:p50="));
	assert_non_null(strstr(s, ",count=20\r\n"));
	assert_null(strstr(s, "# Server"));
	/* "everything" has it, the default and "all" do not */
	p.rx_len = 0;
	timed_send(&p, "INFO everything\r\n");
	assert_non_null(strstr(p.rx, "# Keyspace\r\n"));
	assert_non_null(strstr(p.rx, "# Residence\r\nresidence_enabled:1"));
	p.rx_len = 0;
	timed_send(&p, "INFO all\r\n");
	assert_non_null(strstr(p.rx, "# Keyspace\r\n"));
	assert_null(strstr(p.rx, "Residence"));
	p.rx_len = 0;
	timed_send(&p, "INFO\r\n");
	assert_null(strstr(p.rx, "Residence"));
	/* the dump line */
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	dp_loop_dump_stats(f, cores, 1);
	fclose(f);
	s = strstr(buf, "core 0 residence_usec: count=24 p50=");
	assert_non_null(s);
	assert_non_null(strstr(s, " p90="));
	assert_non_null(strstr(s, " p99="));
	assert_non_null(strstr(s, " p99.9="));
	assert_non_null(strstr(s, " max="));
	assert_non_null(strstr(s, " held=0\n"));
	free(buf);
	/* RESETSTAT: afterwards only RESETSTAT itself is counted (as Redis
	 * counts the CONFIG call in its commandstats after the reset) */
	p.rx_len = 0;
	timed_send(&p, "CONFIG RESETSTAT\r\n");
	assert_string_equal(p.rx, "+OK\r\n");
	p.rx_len = 0;
	timed_send(&p, "INFO RESIDENCE\r\n");
	assert_non_null(strstr(p.rx, "\r\nresidence_count:1\r\n"));
	assert_non_null(strstr(p.rx, ",count=1\r\n"));
	peer_close(&p);
	st_set_info_section(NULL);
}

/* The shared histogram on known inputs: record_n, percentiles within the
 * relative error bound (2^-(ST_HDR_BITS-1)), an atomic reset. */
static void
test_hdr_known(void **state)
{
	struct st_hdr *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	const double bound = 1.0 / (1u << (ST_HDR_BITS - 1));

	assert_non_null(a);
	assert_non_null(b);
	st_hdr_reset(a);
	st_hdr_reset(b);
	/* 1..100000 cycles (3 GHz: up to 33 us), one each */
	for (uint64_t v = 1; v <= 100000; v++)
		st_hdr_record(a, v);
	{
		static const double pct[] = { 50, 90, 99, 99.9 };

		for (size_t i = 0; i < 4; i++) {
			double want = pct[i] * 1000.0;
			double got = (double)st_hdr_percentile(a, pct[i]);

			assert_true(got >= want);
			assert_true(got <= want * (1 + bound));
		}
	}
	assert_int_equal(st_hdr_percentile(a, 100), 100000);
	/* record_n: the same as n records */
	st_hdr_record_n(b, 12345, 7);
	st_hdr_record_n(b, 99, 0);		/* nothing */
	for (int i = 0; i < 7; i++)
		st_hdr_record(a, 12345);
	assert_int_equal(b->count, 7);
	assert_int_equal(b->sum, 12345 * 7);
	assert_int_equal(b->min, 12345);
	assert_int_equal(b->max, 12345);
	assert_int_equal(b->counts[st_hdr_index(12345)], 7);
	st_hdr_reset(b);
	assert_int_equal(b->count, 0);
	assert_int_equal(b->counts[st_hdr_index(12345)], 0);
	assert_int_equal(b->min, UINT64_MAX);
	assert_int_equal(st_hdr_percentile(b, 99), 0);
	free(a);
	free(b);
}

/* One thread records as a core does while another reads and resets (the
 * INFO / RESETSTAT side): TSan must see no race; the counts must add up. */
struct rec_arg {
	struct dp_latency *l;
	uint64_t n;
};

static void *
recorder(void *arg)
{
	struct rec_arg *r = arg;
	uint64_t cmds = 0;

	for (uint64_t i = 0; i < r->n; i++) {
		dp_lat_rx(r->l, cmds);
		cmds += 1 + i % 3;
		dp_lat_tx(r->l, cmds, 0);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct dp_core *core = calloc(1, sizeof(*core));
	struct dp_core *cores[1];
	struct rec_arg r;
	struct dp_lat_summary s;
	pthread_t th;
	uint64_t want = 0;

	assert_non_null(core);
	cores[0] = core;
	assert_int_equal(dp_latency_enable(&core->lat), 0);
	r.l = &core->lat;
	r.n = 200000;
	assert_int_equal(pthread_create(&th, NULL, recorder, &r), 0);
	for (int i = 0; i < 200; i++) {
		struct st_buf b;

		assert_int_equal(dp_latency_summary(cores, 1, &s), 0);
		assert_true(s.p50 <= s.max || s.count == 0);
		st_buf_init(&b);
		dp_latency_info(&b, cores, 1);
		st_buf_free(&b);
		if (i == 100)
			dp_latency_reset_all();
	}
	pthread_join(th, NULL);
	/* the recorder saw the reset at its next iteration: what is left is
	 * a suffix of its commands; one more iteration after the join
	 * proves the count is consistent with a full run when no reset
	 * intervenes */
	dp_latency_reset_all();
	r.n = 1000;
	recorder(&r);
	for (uint64_t i = 0; i < 1000; i++)
		want += 1 + i % 3;
	assert_int_equal(dp_latency_summary(cores, 1, &s), 0);
	assert_int_equal(s.count, want);
	assert_int_equal(s.held, 0);
	dp_latency_fini(&core->lat);
	free(core);
}

static void
test_option(void **state)
{
	struct dp_options o;
	char err[256];
	char *ok[] = { "--addr", "198.18.0.2/24", "--latency-stats" };
	char *bad[] = { "--latency-stats=1" };

	dp_options_defaults(&o);
	assert_false(o.latency_stats);
	assert_int_equal(dp_options_parse(&o, 3, ok, err, sizeof(err)), 0);
	assert_true(o.latency_stats);
	dp_options_defaults(&o);
	assert_int_equal(dp_options_parse(&o, 1, bad, err, sizeof(err)),
			 -EINVAL);
	assert_true(strlen(err) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_samples, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_refused, lp_setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_off, lp_setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_resetstat, lp_setup,
						teardown),
		cmocka_unit_test(test_hdr_known),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
