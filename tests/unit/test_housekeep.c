/*
 * test_housekeep.c -- the store's housekeeping thread (store/housekeep.c):
 *   - it grows a database's hash table to one bucket per key on its own
 *     (40,000 keys -> 65,536 buckets) within a few periods, and every key
 *     is still found afterwards (GET through the normal path);
 *   - more keys later: grown again to the next power of two;
 *   - start twice -> -EALREADY; stop is prompt (the sleep is
 *     interruptible: a 60 s period stops at once) and idempotent; it can
 *     be started again.
 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "housekeep.h"
#include "keyspace.h"

#define NKEYS 40000

static struct st_client *cli;

static void
fill(int n)
{
	char k[32];

	for (int i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		assert_string_equal(th_cmd(cli, "SET", k, "v", NULL), "+OK\r\n");
	}
}

/* Wait (offline: the housekeeper's resize waits for our grace periods)
 * until db 0 was grown to at least 'want' buckets. */
static bool
wait_grown(unsigned long want)
{
	for (int i = 0; i < 3000; i++) {
		if (st_keyspace_grown_size(0) >= want)
			return true;
		st_worker_offline();
		th_sleep_ms(1);
		st_worker_online();
	}
	return false;
}

static void
test_grows_tables(void **state)
{
	char k[32];

	(void)state;
	th_flushall();
	assert_int_equal(st_keyspace_grown_size(0), 1024);
	fill(NKEYS);
	assert_int_equal(st_housekeep_start(5), 0);
	assert_int_equal(st_housekeep_start(5), -EALREADY);
	assert_true(wait_grown(65536));
	assert_int_equal(st_keyspace_grown_size(0), 65536);
	for (int i = 0; i < NKEYS; i += 97) {
		snprintf(k, sizeof(k), "key:%d", i);
		assert_string_equal(th_cmd(cli, "GET", k, NULL), "$1\r\nv\r\n");
	}
	assert_string_equal(th_cmd(cli, "DBSIZE", NULL), ":40000\r\n");
	/* more keys: grown again, to the next power of two */
	for (int i = NKEYS; i < 70000; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		assert_string_equal(th_cmd(cli, "SET", k, "v", NULL), "+OK\r\n");
	}
	assert_true(wait_grown(131072));
	assert_string_equal(th_cmd(cli, "GET", "key:69999", NULL), "$1\r\nv\r\n");
	st_worker_offline();
	st_housekeep_stop();
	st_worker_online();
	assert_true(st_housekeep_rounds() > 0);
	st_housekeep_stop();		/* idempotent */
	th_flushall();
}

static void
test_stop_is_prompt(void **state)
{
	struct timespec a, b;
	double secs;

	(void)state;
	assert_int_equal(st_housekeep_start(60000), 0);
	th_sleep_ms(20);
	clock_gettime(CLOCK_MONOTONIC, &a);
	st_worker_offline();
	st_housekeep_stop();
	st_worker_online();
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_true(secs < 5.0);	/* not the 60 s period */
	assert_int_equal(st_housekeep_rounds(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_tables),
		cmocka_unit_test(test_stop_is_prompt),
	};
	int rc;

	th_init();
	cli = th_client();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	st_client_free(cli);
	th_thread_done();
	return rc;
}
