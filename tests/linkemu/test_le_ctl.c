/*
 * test_le_ctl.c -- the link emulator's control protocol
 * (tools/linkemu/le_ctl.[ch]): good lines change the configuration and
 * answer "OK", bad lines answer exact "ERR" texts and change nothing, the
 * renderers' exact output (show, stats text and JSON).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "le_ctl.h"

#define MS 1000000ULL

static struct le_dir_cfg cfg[LE_NDIR];
static char reply[8192];

static int
setup(void **state)
{
	for (int d = 0; d < LE_NDIR; d++)
		le_dir_cfg_defaults(&cfg[d]);
	return 0;
}

static enum le_ctl_op
exec(const char *line)
{
	return le_ctl_execute(line, cfg, reply, sizeof(reply));
}

/* line -> LE_CTL_ERROR with exactly this reply, cfg untouched */
static void
expect_err(const char *line, const char *err)
{
	struct le_dir_cfg before[LE_NDIR];

	memcpy(before, cfg, sizeof(before));
	assert_int_equal(exec(line), LE_CTL_ERROR);
	assert_string_equal(reply, err);
	assert_memory_equal(before, cfg, sizeof(before));
}

static void
test_set(void **state)
{
	assert_int_equal(exec("set a2b delay 35ms jitter 1ms dist normal "
			      "loss 1% dup 0.5 reorder on\n"), LE_CTL_CONFIG);
	assert_string_equal(reply, "OK\n");
	assert_int_equal(cfg[LE_A2B].delay.delay_ns, 35 * MS);
	assert_int_equal(cfg[LE_A2B].delay.jitter_ns, 1 * MS);
	assert_int_equal(cfg[LE_A2B].delay.dist, LE_DIST_NORMAL);
	assert_true(cfg[LE_A2B].delay.reorder);
	assert_true(fabs(cfg[LE_A2B].loss.loss - 0.01) < 1e-12);
	assert_true(fabs(cfg[LE_A2B].dup - 0.005) < 1e-12);
	/* the other direction is untouched */
	assert_int_equal(cfg[LE_B2A].delay.delay_ns, 0);
	/* units; a bare time is ms; CRLF */
	assert_int_equal(exec("set b2a delay 1.5s jitter 250us\r\n"),
			 LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_B2A].delay.delay_ns, 1500 * MS);
	assert_int_equal(cfg[LE_B2A].delay.jitter_ns, 250000);
	assert_int_equal(exec("set both delay 70"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].delay.delay_ns, 70 * MS);
	assert_int_equal(cfg[LE_B2A].delay.delay_ns, 70 * MS);
	assert_int_equal(exec("SET A2B DELAY 250NS"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].delay.delay_ns, 250);
	/* rate, bucket, limits */
	assert_int_equal(exec("set a2b rate 100mbit burst 64kb limit 500 "
			      "limit-bytes 1mb overhead 0"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].rate.rate_bps, 100000000);
	assert_int_equal(cfg[LE_A2B].rate.burst_bytes, 65536);
	assert_int_equal(cfg[LE_A2B].rate.limit_pkts, 500);
	assert_int_equal(cfg[LE_A2B].rate.limit_bytes, 1048576);
	assert_int_equal(cfg[LE_A2B].rate.overhead, 0);
	assert_int_equal(exec("set a2b rate 1.5gbit"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].rate.rate_bps, 1500000000);
	assert_int_equal(exec("set a2b rate off"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].rate.rate_bps, 0);
	/* Gilbert-Elliott */
	assert_int_equal(exec("set b2a ge 1% 25% 100% 0%"), LE_CTL_CONFIG);
	assert_true(cfg[LE_B2A].loss.ge);
	assert_true(fabs(cfg[LE_B2A].loss.ge_p - 0.01) < 1e-12);
	assert_true(fabs(cfg[LE_B2A].loss.ge_r - 0.25) < 1e-12);
	assert_true(fabs(cfg[LE_B2A].loss.ge_bad_loss - 1) < 1e-12);
	assert_true(fabs(cfg[LE_B2A].loss.ge_good_loss - 0) < 1e-12);
	assert_int_equal(exec("set b2a ge off loss 2"), LE_CTL_CONFIG);
	assert_false(cfg[LE_B2A].loss.ge);
	assert_true(fabs(cfg[LE_B2A].loss.loss - 0.02) < 1e-12);
}

static void
test_set_errors(void **state)
{
	expect_err("set", "ERR usage: set a2b|b2a|both PARAM VALUE ...\n");
	expect_err("set up delay 1ms",
		   "ERR unknown direction 'up' (a2b, b2a or both)\n");
	expect_err("set a2b", "ERR no parameters\n");
	expect_err("set a2b delay", "ERR missing value for delay\n");
	expect_err("set a2b delay 5xs", "ERR bad time '5xs' for delay\n");
	expect_err("set a2b delay -5ms", "ERR bad time '-5ms' for delay\n");
	expect_err("set a2b delay 2h", "ERR bad time '2h' for delay\n");
	expect_err("set a2b delay 3601s", "ERR bad time '3601s' for delay\n");
	expect_err("set a2b jitter nan", "ERR bad time 'nan' for jitter\n");
	expect_err("set a2b loss 101%", "ERR bad percentage '101%' for loss\n");
	expect_err("set a2b loss 1%%", "ERR bad percentage '1%%' for loss\n");
	expect_err("set a2b dup x", "ERR bad percentage 'x' for dup\n");
	expect_err("set a2b dist pareto",
		   "ERR bad value 'pareto' for dist (uniform or normal)\n");
	expect_err("set a2b reorder maybe",
		   "ERR bad value 'maybe' for reorder (on or off)\n");
	expect_err("set a2b rate 10mbps", "ERR bad rate '10mbps'\n");
	expect_err("set a2b burst 1.5", "ERR bad size '1.5' for burst\n");
	expect_err("set a2b limit 0", "ERR bad value '0' for limit (1..65536)\n");
	expect_err("set a2b limit 65537",
		   "ERR bad value '65537' for limit (1..65536)\n");
	expect_err("set a2b overhead 2000",
		   "ERR bad value '2000' for overhead (0..1000)\n");
	expect_err("set a2b ge 1% 2%",
		   "ERR ge needs 4 values (P R BAD GOOD) or off\n");
	expect_err("set a2b ge 1% 2% 3% x", "ERR bad percentage 'x' for ge\n");
	expect_err("set a2b colour red", "ERR unknown parameter 'colour'\n");
	/* all or nothing: a good parameter before a bad one is not applied,
	 * in neither direction */
	expect_err("set both delay 10ms loss 200%",
		   "ERR bad percentage '200%' for loss\n");
	assert_int_equal(cfg[LE_A2B].delay.delay_ns, 0);
}

static void
test_partition_reset(void **state)
{
	assert_int_equal(exec("partition on"), LE_CTL_CONFIG);
	assert_string_equal(reply, "OK\n");
	assert_true(cfg[LE_A2B].partition && cfg[LE_B2A].partition);
	assert_int_equal(exec("partition off b2a"), LE_CTL_CONFIG);
	assert_true(cfg[LE_A2B].partition);
	assert_false(cfg[LE_B2A].partition);
	assert_int_equal(exec("set b2a partition on"), LE_CTL_CONFIG);
	assert_true(cfg[LE_B2A].partition);
	assert_int_equal(exec("partition off both"), LE_CTL_CONFIG);
	assert_false(cfg[LE_A2B].partition || cfg[LE_B2A].partition);
	expect_err("partition", "ERR usage: partition on|off [a2b|b2a|both]\n");
	expect_err("partition maybe",
		   "ERR bad value 'maybe' for partition (on or off)\n");
	expect_err("partition on sideways",
		   "ERR unknown direction 'sideways' (a2b, b2a or both)\n");
	expect_err("partition on a2b extra",
		   "ERR usage: partition on|off [a2b|b2a|both]\n");
	/* reset */
	assert_int_equal(exec("set both delay 5ms loss 3%"), LE_CTL_CONFIG);
	assert_int_equal(exec("reset a2b"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_A2B].delay.delay_ns, 0);
	assert_int_equal(cfg[LE_B2A].delay.delay_ns, 5 * MS);
	assert_int_equal(exec("reset"), LE_CTL_CONFIG);
	assert_int_equal(cfg[LE_B2A].delay.delay_ns, 0);
	expect_err("reset up", "ERR unknown direction 'up' (a2b, b2a or both)\n");
}

static void
test_other_commands(void **state)
{
	assert_int_equal(exec(""), LE_CTL_EMPTY);
	assert_int_equal(exec("  \t\r\n"), LE_CTL_EMPTY);
	assert_int_equal(exec("stats"), LE_CTL_STATS);
	assert_int_equal(exec("stats json"), LE_CTL_STATS_JSON);
	assert_int_equal(exec("stats reset"), LE_CTL_STATS_RESET);
	assert_string_equal(reply, "OK\n");
	expect_err("stats xml", "ERR usage: stats [json|reset]\n");
	assert_int_equal(exec("quit"), LE_CTL_QUIT);
	assert_string_equal(reply, "OK\n");
	assert_int_equal(exec("help"), LE_CTL_REPLY);
	assert_true(strncmp(reply, "set DIR", 7) == 0);
	assert_string_equal(reply + strlen(reply) - 4, "\nOK\n");
	expect_err("help me", "ERR 'help' takes no arguments\n");
	expect_err("bogus", "ERR unknown command 'bogus' (try help)\n");
	/* overlong and over-tokenised lines */
	{
		char big[1100], many[400];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		expect_err(big, "ERR line too long\n");
		strcpy(many, "set a2b");
		for (int i = 0; i < 70; i++)
			strcat(many, " d");
		expect_err(many, "ERR too many words\n");
	}
}

static void
test_show(void **state)
{
	assert_int_equal(exec("set a2b delay 35ms jitter 1500us dist normal "
			      "loss 1% ge 1% 25% 100% 0% rate 100mbit burst 3000"),
			 LE_CTL_CONFIG);
	assert_int_equal(exec("show"), LE_CTL_REPLY);
	assert_string_equal(reply,
		"a2b delay 35ms jitter 1500us dist normal reorder off loss 1% "
		"ge 1% 25% 100% 0% dup 0% rate 100mbit burst 3000 limit 1000 "
		"limit-bytes 0 overhead 24 partition off\n"
		"b2a delay 0ms jitter 0ms dist uniform reorder off loss 0% "
		"ge off dup 0% rate off burst 0 limit 1000 limit-bytes 0 "
		"overhead 24 partition off\n"
		"OK\n");
	/* what show prints is accepted back */
	{
		struct le_dir_cfg c;
		char err[160];

		le_dir_cfg_defaults(&c);
		assert_int_equal(le_ctl_parse_spec(
			"delay 35ms jitter 1500us dist normal reorder off "
			"loss 1% ge 1% 25% 100% 0% dup 0% rate 100mbit "
			"burst 3000 limit 1000 limit-bytes 0 overhead 24 "
			"partition off", &c, err, sizeof(err)), 0);
		assert_memory_equal(&c, &cfg[LE_A2B], sizeof(c));
		assert_int_equal(le_ctl_parse_spec("delay", &c, err,
						   sizeof(err)), -EINVAL);
		assert_string_equal(err, "missing value for delay");
		assert_memory_equal(&c, &cfg[LE_A2B], sizeof(c));
	}
}

static void
test_stats_format(void **state)
{
	struct le_dir_stats st[LE_NDIR];

	memset(st, 0, sizeof(st));
	st[0].received = 10;
	st[0].forwarded = 7;
	st[0].delayed = 7;
	st[0].drop_loss = 2;
	st[0].drop_partition = 1;
	st[0].late_hist[0] = 6;
	st[0].late_hist[3] = 1;
	st[0].late_sum_ns = 7000;
	st[0].late_max_ns = 60000;
	st[1].received = 3;
	st[1].queue_depth = 3;
	st[1].queue_depth_max = 5;
	le_ctl_format_stats(st, false, reply, sizeof(reply));
	assert_string_equal(reply,
		"a2b received=10 forwarded=7 delayed=7 duplicated=0 "
		"dropped_loss=2 dropped_burst=0 dropped_queue=0 "
		"dropped_overflow=0 dropped_partition=1 dropped_nombuf=0 "
		"dropped_tx=0 queue_depth=0 queue_depth_max=0 "
		"late_max_ns=60000 late_mean_ns=1000 "
		"late_hist=6,0,0,1,0,0,0,0,0,0\n"
		"b2a received=3 forwarded=0 delayed=0 duplicated=0 "
		"dropped_loss=0 dropped_burst=0 dropped_queue=0 "
		"dropped_overflow=0 dropped_partition=0 dropped_nombuf=0 "
		"dropped_tx=0 queue_depth=3 queue_depth_max=5 "
		"late_max_ns=0 late_mean_ns=0 late_hist=0,0,0,0,0,0,0,0,0,0\n"
		"OK\n");
	le_ctl_format_stats(st, true, reply, sizeof(reply));
	assert_string_equal(reply,
		"{\"a2b\":{\"received\":10,\"forwarded\":7,\"delayed\":7,"
		"\"duplicated\":0,\"dropped_loss\":2,\"dropped_burst\":0,"
		"\"dropped_queue\":0,\"dropped_overflow\":0,"
		"\"dropped_partition\":1,\"dropped_nombuf\":0,"
		"\"dropped_tx\":0,\"queue_depth\":0,\"queue_depth_max\":0,"
		"\"late_max_ns\":60000,\"late_mean_ns\":1000,"
		"\"late_hist\":[6,0,0,1,0,0,0,0,0,0]},"
		"\"b2a\":{\"received\":3,\"forwarded\":0,\"delayed\":0,"
		"\"duplicated\":0,\"dropped_loss\":0,\"dropped_burst\":0,"
		"\"dropped_queue\":0,\"dropped_overflow\":0,"
		"\"dropped_partition\":0,\"dropped_nombuf\":0,"
		"\"dropped_tx\":0,\"queue_depth\":3,\"queue_depth_max\":5,"
		"\"late_max_ns\":0,\"late_mean_ns\":0,"
		"\"late_hist\":[0,0,0,0,0,0,0,0,0,0]},"
		"\"late_hist_bounds_us\":[10,20,50,100,200,500,1000,2000,5000]}\n"
		"OK\n");
	/* a short buffer truncates, never overflows */
	{
		char small[16];

		memset(small, 'Z', sizeof(small));
		le_ctl_format_stats(st, true, small, 8);
		assert_int_equal(strlen(small), 7);
		assert_int_equal(small[8], 'Z');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set, setup),
		cmocka_unit_test_setup(test_set_errors, setup),
		cmocka_unit_test_setup(test_partition_reset, setup),
		cmocka_unit_test_setup(test_other_commands, setup),
		cmocka_unit_test_setup(test_show, setup),
		cmocka_unit_test_setup(test_stats_format, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
