/*
 * test_repl_stream.c -- the replication stream's bytes (control/
 * repl_stream.c) and the write-log feed merged by the replication core
 * (repl_feed.c, repl_core.c).
 *
 * Bytes: records become exactly what a stock Redis 7.0.15 master sends
 * (the captured stream of shared/reference/redis_repl_interop.md §1.3):
 * SELECT only when the db changes, PXAT rewrites passed through, MULTI /
 * EXEC around multi-command records, ping and GETACK.
 * Feed + core: 4 threads write through the real dispatcher (INCRBYFLOAT on
 * one shared key, whose propagated "SET g <n> KEEPTTL" carries the order
 * the stripe lock imposed, plus RPUSHes to per-thread lists); the stream
 * the core builds in the backlog must hold every record, the shared key's
 * values strictly 1..N (global sequence order) and each thread's pushes
 * in its order; a record bigger than a ring goes by pointer intact.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "harness.h"
#include "repl.h"
#include "util.h"
#include "wlog.h"

static struct st_arg
A(const char *s)
{
	struct st_arg a = { s, strlen(s) };

	return a;
}

static void
add(struct ctl_stream *s, int ncmds, const struct st_wlog_cmd *cmds)
{
	struct st_wlog_rec rec = { 1, ncmds, cmds };

	ctl_stream_append_rec(s, &rec);
}

static void
test_exact_bytes(void **state)
{
	struct st_buf out;
	struct ctl_stream s = { -1, &out };
	struct st_arg set1[] = { A("set"), A("k1"), A("v1") };
	struct st_arg set2[] = { A("SET"), A("k2"), A("v2"), A("PXAT"),
				 A("1795667861912") };
	struct st_arg pexp[] = { A("PEXPIREAT"), A("k1"), A("1795667811916") };
	struct st_arg incr[] = { A("incr"), A("ctr") };
	struct st_arg seta[] = { A("SET"), A("a"), A("1") };
	struct st_arg incrb[] = { A("INCR"), A("b") };
	static const char expect[] =
		"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
		"*3\r\n$3\r\nset\r\n$2\r\nk1\r\n$2\r\nv1\r\n"
		"*5\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n$4\r\nPXAT\r\n$13\r\n1795667861912\r\n"
		"*3\r\n$9\r\nPEXPIREAT\r\n$2\r\nk1\r\n$13\r\n1795667811916\r\n"
		"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*2\r\n$4\r\nincr\r\n$3\r\nctr\r\n"
		"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n"
		"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
		"*1\r\n$4\r\nEXEC\r\n"
		"*1\r\n$4\r\nping\r\n"
		"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
		/* after a reset (full sync set up): SELECT again */
		"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
		/* db 11: two digits; a transaction spanning two dbs */
		"*2\r\n$6\r\nSELECT\r\n$2\r\n11\r\n*1\r\n$5\r\nMULTI\r\n"
		"*2\r\n$4\r\nincr\r\n$3\r\nctr\r\n"
		"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
		"*1\r\n$4\r\nEXEC\r\n";
	struct st_wlog_cmd c;

	st_buf_init(&out);
	c = (struct st_wlog_cmd){ 0, 3, set1 };
	add(&s, 1, &c);
	c = (struct st_wlog_cmd){ 0, 5, set2 };
	add(&s, 1, &c);
	c = (struct st_wlog_cmd){ 0, 3, pexp };
	add(&s, 1, &c);
	c = (struct st_wlog_cmd){ 2, 2, incr };
	add(&s, 1, &c);
	{
		struct st_wlog_cmd tx[] = { { 0, 3, seta }, { 0, 2, incrb } };

		add(&s, 2, tx);
	}
	ctl_stream_append_ping(&s);
	ctl_stream_append_getack(&s);
	s.seldb = -1;
	c = (struct st_wlog_cmd){ 0, 2, incrb };
	add(&s, 1, &c);
	{
		struct st_wlog_cmd tx[] = { { 11, 2, incr }, { 3, 2, incrb } };

		add(&s, 2, tx);
	}
	if (out.len != sizeof(expect) - 1 || memcmp(out.p, expect, out.len) != 0) {
		th_print_escaped("got", out.p, out.len);
		th_print_escaped("expected", expect, sizeof(expect) - 1);
		fail();
	}
	st_buf_free(&out);
}

static void
test_ping_getack_sizes(void **state)
{
	struct st_buf out;
	struct ctl_stream s = { 0, &out };

	st_buf_init(&out);
	ctl_stream_append_ping(&s);
	assert_int_equal(out.len, 14);	/* counted in offsets */
	ctl_stream_append_getack(&s);
	assert_int_equal(out.len, 14 + 37);
	st_buf_free(&out);
}

/* ---- feed + core ---------------------------------------------------------- */

#define NTHREADS 4
#define PER_THREAD 3000

static void *
writer(void *arg)
{
	long t = (long)arg;
	struct st_client *c = th_client();
	char key[32], val[32];

	snprintf(key, sizeof(key), "l:%ld", t);
	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(val, sizeof(val), "%d", i);
		if (strncmp(th_cmd(c, "INCRBYFLOAT", "g", "1", NULL), "$", 1) != 0)
			abort();
		if (th_cmd(c, "RPUSH", key, val, NULL)[0] != ':')
			abort();
		st_worker_quiescent();
	}
	st_client_free(c);
	th_thread_done();
	return NULL;
}

/* Parse one multibulk at p; fills argv (pointers into p); returns bytes
 * used or 0 on malformed input. */
static size_t
parse_mb(const char *p, size_t len, int *argc, struct st_arg *argv, int max)
{
	const char *s = p, *e = p + len;
	long n;

	if (s >= e || *s != '*')
		return 0;
	n = strtol(s + 1, NULL, 10);
	s = memchr(s, '\n', (size_t)(e - s));
	if (s == NULL || n > max)
		return 0;
	s++;
	for (long i = 0; i < n; i++) {
		long l;

		if (*s != '$')
			return 0;
		l = strtol(s + 1, NULL, 10);
		s = memchr(s, '\n', (size_t)(e - s));
		if (s == NULL || s + 1 + l + 2 > e)
			return 0;
		argv[i].p = s + 1;
		argv[i].len = (size_t)l;
		s += 1 + l + 2;
	}
	*argc = (int)n;
	return (size_t)(s - p);
}

static bool
arg_is(const struct st_arg *a, const char *s)
{
	return a->len == strlen(s) && strncasecmp(a->p, s, a->len) == 0;
}

static void
wait_core_caught_up(void)
{
	for (int i = 0; i < 5000 && (ctl_repl_core_seq() < st_wlog_last_seq() ||
				     ctl_feed_pending() > 0); i++) {
		struct timespec ts = { 0, 1000000 };

		st_worker_offline();
		nanosleep(&ts, NULL);
		st_worker_online();
	}
	assert_true(ctl_repl_core_seq() >= st_wlog_last_seq());
	/* the core publishes at the end of its iteration */
	for (int i = 0; i < 100; i++) {
		struct timespec ts = { 0, 2000000 };

		nanosleep(&ts, NULL);
	}
}

static void
test_feed_merge_order(void **state)
{
	pthread_t t[NTHREADS];
	long long first;
	char *all;
	long n;
	size_t pos = 0;
	long next_g = 1, next_l[NTHREADS] = { 0 };
	int selects = 0;
	long long off;
	int db;

	th_flushall();
	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	assert_int_equal(ctl_backlog_create(64 << 20), 0);
	assert_int_equal(ctl_repl_core_start(-1), 0);
	first = ctl_backlog_first_byte();
	for (long i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	st_worker_offline();
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	st_worker_online();
	wait_core_caught_up();
	n = (long)(atomic_load(&ctl_repl.master_repl_offset) - first + 1);
	assert_true(n > 0);
	all = malloc((size_t)n);
	assert_int_equal(ctl_backlog_read(first, all, (size_t)n), n);
	while (pos < (size_t)n) {
		struct st_arg argv[8];
		int argc;
		size_t used = parse_mb(all + pos, (size_t)n - pos, &argc, argv, 8);

		if (used == 0) {
			print_error("malformed stream at %zu\n", pos);
			fail();
		}
		pos += used;
		if (arg_is(&argv[0], "SELECT")) {
			selects++;
			assert_true(arg_is(&argv[1], "0"));
		} else if (arg_is(&argv[0], "SET")) {
			/* INCRBYFLOAT g 1 -> SET g <n> KEEPTTL, in lock order */
			char want[32];

			snprintf(want, sizeof(want), "%ld", next_g);
			assert_true(arg_is(&argv[1], "g"));
			if (!arg_is(&argv[2], want)) {
				print_error("SET g %.*s, expected %s\n",
					    (int)argv[2].len, argv[2].p, want);
				fail();
			}
			assert_true(arg_is(&argv[3], "KEEPTTL"));
			next_g++;
		} else if (arg_is(&argv[0], "RPUSH")) {
			long th = strtol(argv[1].p + 2, NULL, 10);
			char want[32];

			snprintf(want, sizeof(want), "%ld", next_l[th]);
			assert_true(arg_is(&argv[2], want));
			next_l[th]++;
		} else if (!arg_is(&argv[0], "ping")) {
			print_error("unexpected %.*s\n", (int)argv[0].len, argv[0].p);
			fail();
		}
	}
	assert_int_equal(next_g, NTHREADS * PER_THREAD + 1);
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(next_l[i], PER_THREAD);
	assert_int_equal(selects, 1);
	/* the seq -> offset map ends where the stream ends */
	assert_int_equal(ctl_repl_core_seq_offset(st_wlog_last_seq(), &off, &db,
						  1000, false), 0);
	assert_int_equal(off, atomic_load(&ctl_repl.master_repl_offset));
	assert_int_equal(db, 0);
	assert_int_equal(atomic_load(&ctl_repl_stats.records) >=
			 (uint64_t)(2 * NTHREADS * PER_THREAD), 1);
	free(all);

	/* a record bigger than a ring travels by pointer, intact */
	{
		struct st_client *c = th_client();
		size_t big = 700 * 1024;
		char *v = malloc(big + 1);
		const char *argv[3] = { "SET", "big", v };
		size_t lens[3] = { 3, 3, big };
		long long before = atomic_load(&ctl_repl.master_repl_offset);
		char hdr[32];
		int hl = snprintf(hdr, sizeof(hdr), "$%zu\r\n", big);

		for (size_t i = 0; i < big; i++)
			v[i] = (char)('a' + i % 26);
		assert_string_equal(th_cmdv(c, 3, argv, lens), "+OK\r\n");
		wait_core_caught_up();
		n = (long)(atomic_load(&ctl_repl.master_repl_offset) - before);
		assert_int_equal(n, 4 + 4 + 3 + 2 + 4 + 3 + 2 + hl + (long)big + 2);
		all = malloc((size_t)n);
		assert_int_equal(ctl_backlog_read(before + 1, all, (size_t)n), n);
		assert_memory_equal(all + n - 2 - (long)big, v, big);
		free(all);
		free(v);
		st_client_free(c);
	}
	ctl_repl_core_stop();
	assert_false(ctl_repl_core_running());
}

/* Records of every size modulo 8 wrap the 1 MiB ring at every possible
 * tail (8, 16, ... bytes left: SKIP entries); the stream must hold each
 * record exactly (checked byte for byte against the encoder). */
static void
test_feed_wrap_sizes(void **state)
{
	struct st_buf expect;
	struct ctl_stream es = { 0, &expect };	/* db 0 already selected */
	long long before;
	char *got, val[400];
	long n;

	memset(val, 'v', sizeof(val));
	st_buf_init(&expect);
	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	assert_int_equal(ctl_backlog_create(64 << 20), 0);
	assert_int_equal(ctl_repl_core_start(-1), 0);
	{
		/* first record: SELECT 0 */
		struct st_arg argv[2] = { { "DEL", 3 }, { "x", 1 } };
		struct st_wlog_cmd cmd = { 0, 2, argv };
		struct st_wlog_rec rec = { 0, 1, &cmd };

		st_wlog_emit(&rec);
		wait_core_caught_up();
	}
	before = atomic_load(&ctl_repl.master_repl_offset);
	for (int i = 0; i < 200000; i++) {
		struct st_arg argv[3] = { { "SET", 3 }, { "k", 1 },
					  { val, (size_t)(i * 7) % 397 } };
		struct st_wlog_cmd cmd = { 0, 3, argv };
		struct st_wlog_rec rec = { 0, 1, &cmd };

		st_wlog_emit(&rec);
		ctl_stream_append_rec(&es, &rec);
	}
	wait_core_caught_up();
	n = (long)(atomic_load(&ctl_repl.master_repl_offset) - before);
	assert_int_equal(n, (long)expect.len);
	got = malloc((size_t)n);
	assert_int_equal(ctl_backlog_read(before + 1, got, (size_t)n), n);
	assert_memory_equal(got, expect.p, expect.len);
	free(got);
	st_buf_free(&expect);
	ctl_repl_core_stop();
}

/* repl-batch-window-us: with a window the core holds what it staged until
 * the window elapsed (not when its rings run dry); with 0 it publishes at
 * the end of the iteration.  Behaviour, not speed: the window is 400 ms,
 * the check of "not yet" comes well before it. */
static void
emit_del_x(void)
{
	struct st_arg argv[2] = { { "DEL", 3 }, { "x", 1 } };
	struct st_wlog_cmd cmd = { 0, 2, argv };
	struct st_wlog_rec rec = { 0, 1, &cmd };

	st_wlog_emit(&rec);
}

static void
test_batch_window(void **state)
{
	long long before;
	int64_t t0;

	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	assert_int_equal(ctl_backlog_create(1 << 20), 0);
	assert_int_equal(st_config_set("repl-batch-window-us", "400000", NULL, 0), 0);
	assert_int_equal(ctl_repl_core_start(-1), 0);
	before = atomic_load(&ctl_repl.master_repl_offset);
	t0 = st_mstime();
	emit_del_x();
	/* consumed, staged, but held: nothing published yet */
	for (int i = 0; i < 5000 && ctl_repl_core_seq() < st_wlog_last_seq();
	     i++) {
		struct timespec ts = { 0, 1000000 };

		st_worker_offline();
		nanosleep(&ts, NULL);
		st_worker_online();
	}
	assert_true(ctl_repl_core_seq() >= st_wlog_last_seq());
	if (st_mstime() - t0 < 200)
		assert_int_equal(atomic_load(&ctl_repl.master_repl_offset),
				 before);
	/* published once the window elapsed */
	for (int i = 0; i < 300 && atomic_load(&ctl_repl.master_repl_offset) ==
					    before; i++) {
		struct timespec ts = { 0, 10000000 };

		st_worker_offline();
		nanosleep(&ts, NULL);
		st_worker_online();
	}
	assert_true(atomic_load(&ctl_repl.master_repl_offset) > before);
	assert_true(st_mstime() - t0 >= 400);
	/* window 0: at once */
	assert_int_equal(st_config_set("repl-batch-window-us", "0", NULL, 0), 0);
	before = atomic_load(&ctl_repl.master_repl_offset);
	emit_del_x();
	wait_core_caught_up();
	assert_true(atomic_load(&ctl_repl.master_repl_offset) > before);
	ctl_repl_core_stop();
}

/* As a replica the core leaves the seq -> offset map to the master link,
 * which records where each applied command's bytes end
 * (ctl_repl_core_map_applied): a full sync of a sub-replica reads it. */
static void
test_replica_applied_map(void **state)
{
	long long off;
	int db;
	uint64_t n;

	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	assert_int_equal(ctl_backlog_create(1 << 20), 0);
	assert_int_equal(ctl_repl_core_start(-1), 0);
	ctl_repl_set_role(CTL_ROLE_REPLICA);
	emit_del_x();
	n = st_wlog_last_seq();
	wait_core_caught_up();
	/* consumed as a replica: not mapped by the core */
	assert_int_not_equal(ctl_repl_core_applied_offset(n, &off, &db, 20), 0);
	/* what the master link records is what a full sync reads */
	ctl_repl_core_map_applied(n, n, 4242, 3);
	assert_int_equal(ctl_repl_core_applied_offset(n, &off, &db, 20), 0);
	assert_int_equal(off, 4242);
	assert_int_equal(db, 3);
	/* a command that drew several records: all end at its last byte */
	ctl_repl_core_map_applied(n + 1, n + 3, 5000, 1);
	for (uint64_t s = n + 1; s <= n + 3; s++) {
		assert_int_equal(ctl_repl_core_applied_offset(s, &off, &db, 20), 0);
		assert_int_equal(off, 5000);
	}
	/* not recorded (yet): a bounded wait, then an error */
	assert_int_equal(ctl_repl_core_applied_offset(n + 10, &off, &db, 30),
			 -ETIMEDOUT);
	ctl_repl_set_role(CTL_ROLE_MASTER);
	ctl_repl_core_stop();
}

/* Throughput of feed -> core -> stream -> backlog alone: threads emit a
 * prebuilt "SET key:NNNNNNNN <16 bytes>" record straight into the write log
 * (no dispatch, no keyspace).  Prints the rate; asserts every record made
 * it into the stream (bytes = records x record size). */
#define TP_THREADS 2
#define TP_RECORDS 400000

static void *
tp_emitter(void *arg)
{
	struct st_arg argv[3] = { { "SET", 3 }, { "key:00000000", 12 },
				  { "0123456789abcdef", 16 } };
	struct st_wlog_cmd cmd = { 0, 3, argv };
	struct st_wlog_rec rec = { 0, 1, &cmd };

	for (int i = 0; i < TP_RECORDS; i++)
		st_wlog_emit(&rec);
	return NULL;
}

static void
test_core_throughput(void **state)
{
	pthread_t t[TP_THREADS];
	struct timespec a, b;
	long long before, per = 4 + 4 + 3 + 2 + 5 + 12 + 2 + 5 + 16 + 2;
	double secs;
	uint64_t waits0 = atomic_load(&ctl_repl_stats.feed_waits);

	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	assert_int_equal(ctl_backlog_create(1 << 20), 0);
	assert_int_equal(ctl_repl_core_start(-1), 0);
	before = atomic_load(&ctl_repl.master_repl_offset);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < TP_THREADS; i++)
		pthread_create(&t[i], NULL, tp_emitter, NULL);
	st_worker_offline();
	for (int i = 0; i < TP_THREADS; i++)
		pthread_join(t[i], NULL);
	st_worker_online();
	while (ctl_repl_core_seq() < st_wlog_last_seq()) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ctl_repl_core_stop();
	/* one SELECT, then every record */
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset) - before,
			 23 + per * TP_THREADS * TP_RECORDS);
	printf("replication core: %d records from %d threads in %.3f s = "
	       "%.0f records/s (%.1f MB/s of stream), %llu ring-full waits\n",
	       TP_THREADS * TP_RECORDS, TP_THREADS, secs,
	       TP_THREADS * TP_RECORDS / secs,
	       (double)per * TP_THREADS * TP_RECORDS / secs / 1e6,
	       (unsigned long long)(atomic_load(&ctl_repl_stats.feed_waits) - waits0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_bytes),
		cmocka_unit_test(test_ping_getack_sizes),
		cmocka_unit_test(test_feed_merge_order),
		cmocka_unit_test(test_feed_wrap_sizes),
		cmocka_unit_test(test_batch_window),
		cmocka_unit_test(test_replica_applied_map),
		cmocka_unit_test(test_core_throughput),
	};

	assert_int_equal(ctl_repl_init(), 0);
	th_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
