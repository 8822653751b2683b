/*
 * test_dp_options.c -- ferryd's command line (dataplane/dp_options.c):
 * the EAL / ferry split, the embedded default, ferry options, store
 * directives (--name value, --config FILE) and the errors of bad input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "dp_options.h"
#include "dp_tcp.h"
#include "worker.h"

static int
parse(struct dp_options *o, char *err, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	dp_options_defaults(o);
	return dp_options_parse(o, argc, argv, err, 256);
}

static void
test_split(void **state)
{
	char *argv[] = {"ferryd", "-l", "0-1", "--no-huge", "--", "--addr",
			"198.18.0.2/24", NULL};
	struct dp_argv_split s;

	assert_int_equal(dp_options_split(7, argv, &s), 0);
	assert_false(s.is_default);
	assert_int_equal(s.eal_argc, 4);
	assert_string_equal(s.eal_argv[0], "ferryd");
	assert_string_equal(s.eal_argv[3], "--no-huge");
	assert_int_equal(s.ferry_argc, 2);
	assert_string_equal(s.ferry_argv[0], "--addr");
	/* no "--": everything is EAL's */
	assert_int_equal(dp_options_split(4, argv, &s), 0);
	assert_int_equal(s.eal_argc, 4);
	assert_int_equal(s.ferry_argc, 0);
}

static void
test_default(void **state)
{
	char *argv1[] = {"ferryd", NULL};
	char *argv2[] = {"ferryd", "--default", NULL};
	struct dp_argv_split s;
	struct dp_options o;
	char err[256];

	assert_int_equal(dp_options_split(1, argv1, &s), 0);
	assert_true(s.is_default);
	assert_string_equal(s.eal_argv[0], "ferryd");
	assert_string_equal(s.eal_argv[1], "--no-huge");
	assert_int_equal(s.ferry_argc, 4);
	dp_options_defaults(&o);
	assert_int_equal(dp_options_parse(&o, s.ferry_argc, s.ferry_argv, err,
					  sizeof(err)), 0);
	assert_int_equal(o.addr, 0xc6120002u);
	assert_int_equal(o.prefix_len, 24);
	assert_int_equal(o.port, 6379);
	assert_int_equal(dp_options_split(2, argv2, &s), 0);
	assert_true(s.is_default);
	assert_int_equal(s.ferry_argc, 4);
}

static void
test_ferry_options(void **state)
{
	struct dp_options o;
	char err[256];

	assert_int_equal(parse(&o, err, 14, "--addr", "10.1.2.3/16",
			       "--gateway", "10.1.0.1", "--port=7000",
			       "--data-cores", "2", "--busy-poll",
			       "--loss-ppm", "10000", "--mbufs", "4096",
			       "--idle-sleep-us", "0"), 0);
	assert_int_equal(o.addr, 0x0a010203u);
	assert_int_equal(o.prefix_len, 16);
	assert_int_equal(o.gateway, 0x0a010001u);
	assert_int_equal(o.port, 7000);
	assert_int_equal(o.data_cores, 2);
	assert_true(o.busy_poll);
	assert_int_equal(o.loss_ppm, 10000);
	assert_int_equal(o.mbufs, 4096);
	assert_int_equal(o.idle_sleep_us, 0);
	assert_int_equal(parse(&o, err, 2, "--output-limit", "64mb"), 0);
	assert_int_equal(o.output_limit, 64ull << 20);
	assert_int_equal(parse(&o, err, 1, "--help"), 0);
	assert_true(o.help);
	/* TCP congestion control: CUBIC unless told */
	assert_int_equal(o.tcp_cc, DP_TCP_CC_CUBIC);
	assert_int_equal(parse(&o, err, 2, "--tcp-cc", "newreno"), 0);
	assert_int_equal(o.tcp_cc, DP_TCP_CC_NEWRENO);
	assert_int_equal(parse(&o, err, 1, "--tcp-cc=cubic"), 0);
	assert_int_equal(o.tcp_cc, DP_TCP_CC_CUBIC);
}

/* --extra-port ID,IP/PREFIX: repeatable up to DP_OPT_EXTRA_PORTS, every
 * malformed form refused with the option's name. */
static void
test_extra_port(void **state)
{
	struct dp_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, 3, "--extra-port", "1,198.18.61.1/24",
			       "--extra-port=2,198.18.62.1/30"), 0);
	assert_int_equal(o.nextra, 2);
	assert_int_equal(o.extra[0].port_id, 1);
	assert_int_equal(o.extra[0].addr, 0xc6123d01u);
	assert_int_equal(o.extra[0].prefix_len, 24);
	assert_int_equal(o.extra[1].port_id, 2);
	assert_int_equal(o.extra[1].addr, 0xc6123e01u);
	assert_int_equal(o.extra[1].prefix_len, 30);

	const char *bad[] = {
		"198.18.61.1/24", "1", "1,", ",198.18.61.1/24",
		"x,198.18.61.1/24", "1,198.18.61.1", "1,198.18.61.1/33",
		"1,198.18.61.1/0", "1,0.0.0.0/24", "1,198.18.61/24",
		"65535,198.18.61.1/24", "-1,198.18.61.1/24", "1;198.18.61.1/24",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, err, 2, "--extra-port", bad[i]),
				 -EINVAL);
		assert_non_null(strstr(err, "--extra-port"));
		assert_int_equal(o.nextra, 0);
	}
	assert_int_equal(parse(&o, err, 8, "--extra-port", "1,198.18.61.1/24",
			       "--extra-port", "2,198.18.62.1/24",
			       "--extra-port", "3,198.18.63.1/24",
			       "--extra-port", "4,198.18.64.1/24"), -EINVAL);
	assert_non_null(strstr(err, "at most 3"));
	assert_int_equal(parse(&o, err, 1, "--extra-port"), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
}

static void
test_store_directives(void **state)
{
	struct dp_options o;
	char err[256], val[64];
	char path[] = "/tmp/ferry-opt-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_int_equal(parse(&o, err, 4, "--maxmemory", "64mb",
			       "--maxmemory-policy", "allkeys-lru"), 0);
	assert_int_equal(st_config_get("maxmemory", val, sizeof(val)), 0);
	assert_string_equal(val, "67108864");
	assert_int_equal(st_cfg.maxmemory_policy, ST_MM_ALLKEYS_LRU);
	/* --config FILE */
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "# comment\nmaxclients 12345\nhz 25\n");
	fclose(f);
	assert_int_equal(parse(&o, err, 2, "--config", path), 0);
	assert_int_equal(st_cfg.maxclients, 12345);
	assert_int_equal(st_cfg.hz, 25);
	unlink(path);
	assert_int_equal(parse(&o, err, 2, "--config", path), -EINVAL);
	assert_true(strlen(err) > 0);
	st_config_defaults();
}

static void
test_errors(void **state)
{
	struct dp_options o;
	char err[256];

	assert_int_equal(parse(&o, err, 2, "--addr", "198.18.0.2"), -EINVAL);
	assert_non_null(strstr(err, "--addr"));
	assert_int_equal(parse(&o, err, 2, "--addr", "198.18.0.300/24"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--addr", "198.18.0.2/33"), -EINVAL);
	assert_int_equal(parse(&o, err, 1, "--addr"), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(&o, err, 2, "--port", "0"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--port", "65536"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--port", "12x"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--data-cores", "-1"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--loss-ppm", "1000001"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--busy-poll=1", "x"), -EINVAL);
	assert_int_equal(parse(&o, err, 2, "--no-such-thing", "1"), -EINVAL);
	assert_non_null(strstr(err, "unknown option"));
	assert_int_equal(parse(&o, err, 2, "--maxmemory", "lots"), -EINVAL);
	assert_non_null(strstr(err, "maxmemory"));
	assert_int_equal(parse(&o, err, 2, "--tcp-cc", "reno"), -EINVAL);
	assert_non_null(strstr(err, "tcp-cc"));
	assert_int_equal(parse(&o, err, 1, "stray"), -EINVAL);
	assert_int_equal(parse(&o, err, 1, "--"), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_ferry_options),
		cmocka_unit_test(test_extra_port),
		cmocka_unit_test(test_store_directives),
		cmocka_unit_test(test_errors),
	};

	if (st_store_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
