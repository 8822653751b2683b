/*
 * test_fb_keygen.c -- ferry-bench's keys and values (tools/ferry-bench/
 * keygen.c): the key format, per-key values that verify only for their own
 * key, value sizes inside --data-size, and the Zipf sampler's frequencies
 * against the exact Zipf probabilities (exponents below and above 1); and
 * options.c's reading of a memif vdev's role=.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "keygen.h"

static void
opts(struct fb_options *o, uint64_t keyspace, uint32_t dmin, uint32_t dmax)
{
	fb_options_defaults(o);
	o->keyspace = keyspace;
	o->data_min = dmin;
	o->data_max = dmax;
}

static void
test_key_format(void **state)
{
	struct fb_options o;
	struct fb_keygen kg;
	char buf[256];
	size_t n;

	(void)state;
	opts(&o, 1000, 3, 3);
	assert_int_equal(fb_keygen_init(&kg, &o), 0);
	n = fb_key_format(&kg, "", 42, buf);
	assert_int_equal(n, 16);
	assert_memory_equal(buf, "key:000000000042", 16);
	n = fb_key_format(&kg, "counter:", 999999999999ULL, buf);
	assert_memory_equal(buf, "key:counter:999999999999", n);
	assert_true(n <= fb_key_max_len(&kg));
	fb_keygen_fini(&kg);
}

static void
test_values(void **state)
{
	struct fb_options o;
	struct fb_keygen kg;
	char *buf = malloc(70000);
	unsigned seen_min = 0, seen_max = 0;

	(void)state;
	assert_non_null(buf);
	opts(&o, 100000, 1, 65536);
	assert_int_equal(fb_keygen_init(&kg, &o), 0);
	for (uint64_t k = 0; k < 2000; k++) {
		uint32_t len = fb_value_len(&kg, k);

		assert_true(len >= 1 && len <= 65536);
		assert_int_equal(fb_value_len(&kg, k), len);	/* fixed */
		seen_min |= len < 1000;
		seen_max |= len > 60000;
		fb_value_fill(&kg, k, buf, len);
		assert_true(fb_value_check(&kg, k, buf, len));
		/* another key's value, a flipped byte, a short value: no */
		assert_false(fb_value_check(&kg, k + 1, buf, len));
		buf[len - 1] ^= 1;
		assert_false(fb_value_check(&kg, k, buf, len));
		assert_false(fb_value_check(&kg, k, buf, len - 1));
	}
	assert_true(seen_min && seen_max);
	/* a fixed size: the key's digits lead, small values keep the last */
	fb_keygen_fini(&kg);
	opts(&o, 100, 3, 3);
	assert_int_equal(fb_keygen_init(&kg, &o), 0);
	fb_value_fill(&kg, 12345, buf, 3);
	assert_memory_equal(buf, "345", 3);
	assert_true(fb_value_check(&kg, 12345, "345", 3));
	assert_false(fb_value_check(&kg, 12345, "346", 3));
	fb_keygen_fini(&kg);
	free(buf);
}

static void
check_zipf(uint64_t n, double s)
{
	struct fb_zipf z;
	uint64_t *cnt = calloc(n, sizeof(*cnt)), rng = 88172645463325252ULL;
	const int draws = 2000000;
	double h = 0;

	assert_non_null(cnt);
	assert_int_equal(fb_zipf_init(&z, n, s), 0);
	for (uint64_t k = 1; k <= n; k++)
		h += pow((double)k, -s);
	for (int i = 0; i < draws; i++) {
		uint64_t k = fb_zipf_next(&z, &rng);

		assert_true(k < n);
		cnt[k]++;
	}
	/* the most popular ranks within 3% of the exact probability */
	for (uint64_t k = 0; k < 10; k++) {
		double want = pow((double)(k + 1), -s) / h * draws;

		assert_true(fabs((double)cnt[k] - want) < 0.03 * want + 50);
	}
	assert_true(cnt[0] > cnt[1] && cnt[1] > cnt[9] && cnt[9] > cnt[99]);
	free(cnt);
}

static void
test_zipf(void **state)
{
	(void)state;
	check_zipf(1000, 0.99);
	check_zipf(100000, 0.5);
	check_zipf(1000, 1.5);
	{
		struct fb_zipf z;

		assert_int_equal(fb_zipf_init(&z, 0, 1), -22);
		assert_int_equal(fb_zipf_init(&z, 10, 0), -22);
	}
}

static void
test_uniform(void **state)
{
	struct fb_options o;
	struct fb_keygen kg;
	uint64_t rng = 12345, cnt[10] = {0};

	(void)state;
	opts(&o, 10, 3, 3);
	assert_int_equal(fb_keygen_init(&kg, &o), 0);
	for (int i = 0; i < 100000; i++) {
		uint64_t k = fb_key_next(&kg, &rng);

		assert_true(k < 10);
		cnt[k]++;
	}
	for (int k = 0; k < 10; k++)
		assert_true(cnt[k] > 9000 && cnt[k] < 11000);
	fb_keygen_fini(&kg);
	opts(&o, 0, 3, 3);	/* no -r: one key */
	assert_int_equal(fb_keygen_init(&kg, &o), 0);
	assert_int_equal(fb_key_next(&kg, &rng), 0);
	fb_keygen_fini(&kg);
}

/* options.c: which memif vdevs are the server (ferry-bench reconnects only
 * as the client) -- the PMD's reading of role=, deprecated names included */
static void
test_memif_role(void **state)
{
	assert_true(fb_memif_args_server("role=server,socket=/tmp/m.sock"));
	assert_true(fb_memif_args_server("socket=/tmp/m.sock,role=server"));
	assert_true(fb_memif_args_server("id=0,role=master"));
	assert_false(fb_memif_args_server("role=client,socket=/tmp/m.sock"));
	assert_false(fb_memif_args_server("role=slave"));
	assert_false(fb_memif_args_server("socket=/tmp/role=server"));
	assert_false(fb_memif_args_server("socket=/tmp/m.sock"));
	assert_false(fb_memif_args_server(""));
	assert_false(fb_memif_args_server(NULL));
	assert_false(fb_memif_args_server("role="));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_format),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_zipf),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_memif_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
