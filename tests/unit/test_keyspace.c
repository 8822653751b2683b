/*
 * test_keyspace.c -- the keyspace API below the commands: entries, values,
 * versions, stripes as sequence locks, SCAN cursors across resizes, random
 * sampling, st_db_take, the write order, memory accounting.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "keyspace.h"
#include "object.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

static struct st_client *
fresh(void)
{
	struct st_client *c = th_client();

	th_flushall();
	c->cmd_time_ms = st_mstime();
	return c;
}

static void
test_add_lookup_delete(void **state)
{
	struct st_client *c = fresh();
	struct st_entry *e;
	uint64_t v1;

	(void)state;
	assert_null(st_lookup_read(c, "k", 1));
	e = st_db_add(c, "k", 1, &st_string_new("v", 1)->v);
	assert_non_null(e);
	assert_ptr_equal(st_lookup_read(c, "k", 1), e);
	assert_int_equal(st_db_size(0), 1);
	assert_int_equal(st_entry_value(e)->type, ST_TYPE_STRING);
	v1 = atomic_load(&e->version);
	st_db_set(c, "k", 1, &st_string_new("w", 1)->v, false);
	assert_int_not_equal(atomic_load(&e->version), v1);
	assert_string_equal(st_value_string(st_entry_value(e))->data, "w");
	assert_true(st_db_delete(c, "k", 1));
	assert_false(st_db_delete(c, "k", 1));
	assert_null(st_lookup_read(c, "k", 1));
	assert_int_equal(st_db_size(0), 0);
	st_client_free(c);
}

static void
test_expire_lazy_logs_del(void **state)
{
	struct st_client *c = fresh();
	struct st_entry *e;
	uint64_t seq;

	(void)state;
	e = st_db_add(c, "t", 1, &st_string_new("v", 1)->v);
	st_set_expire(c, e, c->cmd_time_ms - 1);
	assert_int_equal(atomic_load(&st_db_get(0)->expires), 1);
	seq = st_wlog_last_seq();
	/* a lock-free read reports it absent and leaves it in place */
	c->flags |= ST_CLIENT_LOCKFREE_READ;
	assert_null(st_lookup_read(c, "t", 1));
	c->flags &= ~ST_CLIENT_LOCKFREE_READ;
	assert_int_equal(st_db_size(0), 1);
	assert_int_equal(st_wlog_last_seq(), seq);
	/* a locked lookup deletes it and writes a DEL record */
	assert_null(st_lookup_write(c, "t", 1));
	assert_int_equal(st_db_size(0), 0);
	assert_int_equal(atomic_load(&st_db_get(0)->expires), 0);
	assert_int_equal(st_wlog_last_seq(), seq + 1);
	st_client_free(c);
}

static void
test_seqlock_stripes(void **state)
{
	uint64_t h = st_key_hash("abc", 3), b;
	unsigned s = st_stripe_of(h);

	(void)state;
	assert_true(s < ST_STRIPES);
	b = st_stripe_read_begin(s);
	assert_false(st_stripe_read_retry(s, b));
	st_stripe_lock(s);
	assert_true(st_stripe_read_retry(s, b));	/* writer in flight */
	st_stripe_unlock(s);
	assert_true(st_stripe_read_retry(s, b));	/* a write happened */
	b = st_stripe_read_begin(s);
	assert_false(st_stripe_read_retry(s, b));
}

struct scan_seen {
	char *seen;
	long n;
};

static bool
mark_seen(struct st_entry *e, void *arg)
{
	struct scan_seen *ss = arg;
	long i;

	if (e->keylen > 2 && e->key[0] == 'k' && e->key[1] == ':') {
		i = atol(e->key + 2);
		ss->seen[i] = 1;
		ss->n++;
	}
	return true;
}

/*
 * Keys present during the whole scan are returned, while other keys are
 * added (forcing table resizes) and removed between the calls.
 */
static void
test_scan_guarantee(void **state)
{
	struct st_client *c = fresh();
	enum { N = 5000 };
	struct scan_seen ss = { calloc(N, 1), 0 };
	uint64_t cur = 0;
	int calls = 0, extra = 0;
	char key[32];

	(void)state;
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "k:%d", i);

		st_db_add(c, key, (size_t)n, &st_string_new("v", 1)->v);
	}
	do {
		cur = st_db_scan(0, cur, 10, mark_seen, &ss);
		calls++;
		for (int j = 0; j < 20; j++, extra++) {
			int n = snprintf(key, sizeof(key), "x:%d", extra);

			st_db_add(c, key, (size_t)n, &st_string_new("v", 1)->v);
		}
		if (extra % 100 == 0) {
			int n = snprintf(key, sizeof(key), "x:%d", extra - 50);

			st_db_delete(c, key, (size_t)n);
		}
		st_worker_quiescent();
	} while (cur != 0 && calls < 100000);
	for (int i = 0; i < N; i++)
		assert_int_equal(ss.seen[i], 1);
	assert_true(calls > N / 10 - 1);
	free(ss.seen);
	st_client_free(c);
	th_flushall();
}

static void
test_random_and_take(void **state)
{
	struct st_client *c = fresh();
	struct st_entry *e, *d;
	struct st_value *v;
	int hits[4] = { 0 };

	(void)state;
	assert_null(st_db_random(0));
	for (int i = 0; i < 4; i++) {
		char k[4] = { 'r', (char)('0' + i), 0 };

		st_db_add(c, k, 2, &st_string_new(k, 2)->v);
	}
	for (int i = 0; i < 400; i++) {
		e = st_db_random(0);
		assert_non_null(e);
		hits[e->key[1] - '0']++;
		st_worker_quiescent();
	}
	for (int i = 0; i < 4; i++)
		assert_true(hits[i] > 0);
	/* take moves the value without copying it */
	e = st_lookup_write(c, "r0", 2);
	v = st_db_take(c, e);
	assert_null(st_lookup_read(c, "r0", 2));
	d = st_db_set(c, "moved", 5, v, false);
	assert_ptr_equal(st_entry_value(d), v);
	assert_string_equal(st_value_string(v)->data, "r0");
	st_worker_quiescent();
	st_client_free(c);
	th_flushall();
}

static void
test_swap_and_flush(void **state)
{
	struct st_client *c = fresh();

	(void)state;
	st_db_add(c, "a", 1, &st_string_new("1", 1)->v);
	st_db_swap(c, 0, 3);
	assert_int_equal(st_db_size(0), 0);
	assert_int_equal(st_db_size(3), 1);
	c->db = 3;
	assert_non_null(st_lookup_read(c, "a", 1));
	st_db_flush(c, 3);
	assert_int_equal(st_db_size(3), 0);
	assert_null(st_lookup_read(c, "a", 1));
	c->db = 0;
	st_client_free(c);
}

static void
test_memory_accounting(void **state)
{
	struct st_client *c = fresh();
	int64_t before, during;
	char *big = malloc(1 << 20);

	(void)state;
	urcu_qsbr_barrier();
	st_worker_quiescent();
	before = st_mem_used();
	memset(big, 'x', 1 << 20);
	st_db_add(c, "big", 3, &st_string_new(big, 1 << 20)->v);
	during = st_mem_used();
	assert_true(during - before >= (1 << 20));
	assert_true(st_entry_mem(st_lookup_read(c, "big", 3)) >= (1 << 20));
	st_db_delete(c, "big", 3);
	/* freed after a grace period, by this thread's reclaim batches */
	for (int i = 0; i < 100 && st_mem_used() > before + (1 << 19); i++) {
		st_worker_quiescent();	/* seal the batch: one call_rcu */
		urcu_qsbr_barrier();	/* its callback has run */
		st_worker_quiescent();	/* the owner frees it */
	}
	assert_true(st_mem_used() < before + (1 << 19));
	free(big);
	st_client_free(c);
}

/* Writers on one key and lock-free readers: readers see whole values only. */
struct rw_arg {
	_Atomic int stop;
	long torn;
};

static void *
reader_main(void *p)
{
	struct rw_arg *a = p;
	struct st_client *c = th_client();

	while (!atomic_load(&a->stop)) {
		const char *r = th_cmd(c, "MGET", "x", "y", NULL);
		long x = -1, y = -2;

		if (sscanf(r, "*2\r\n$%*d\r\n%ld\r\n$%*d\r\n%ld", &x, &y) == 2 &&
		    x != y)
			a->torn++;
		st_worker_quiescent();
	}
	st_client_free(c);
	th_thread_done();
	return NULL;
}

static void
test_lockfree_reads_see_whole_writes(void **state)
{
	struct st_client *c = fresh();
	struct rw_arg a = { 0, 0 };
	pthread_t th;
	char num[32];

	(void)state;
	pthread_create(&th, NULL, reader_main, &a);
	for (int i = 0; i < 20000; i++) {
		snprintf(num, sizeof(num), "%d", i);
		th_cmd(c, "MSET", "x", num, "y", num, NULL);
		st_worker_quiescent();
	}
	atomic_store(&a.stop, 1);
	st_worker_offline();	/* QSBR: never block while online */
	pthread_join(th, NULL);
	st_worker_online();
	assert_int_equal(a.torn, 0);
	st_client_free(c);
	th_flushall();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lookup_delete),
		cmocka_unit_test(test_expire_lazy_logs_del),
		cmocka_unit_test(test_seqlock_stripes),
		cmocka_unit_test(test_scan_guarantee),
		cmocka_unit_test(test_random_and_take),
		cmocka_unit_test(test_swap_and_flush),
		cmocka_unit_test(test_memory_accounting),
		cmocka_unit_test(test_lockfree_reads_see_whole_writes),
	};

	th_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
