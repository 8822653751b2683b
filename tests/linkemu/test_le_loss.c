/*
 * test_le_loss.c -- the link emulator's loss models
 * (tools/linkemu/le_loss.[ch]): Bernoulli loss rate, Gilbert-Elliott
 * stationary loss and mean burst length against the model, determinism of
 * the seeded PRNG.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "le_loss.h"

struct run {
	double loss;		/* fraction of packets lost */
	double mean_burst;	/* mean run of consecutive losses */
	long drop, burst;	/* verdict counts */
};

static struct run
simulate(const struct le_loss_cfg *cfg, long n, uint64_t seed)
{
	struct le_loss_state st;
	struct le_rand r;
	struct run out = { 0 };
	long lost = 0, bursts = 0, cur = 0;

	le_rand_seed(&r, seed);
	le_loss_init(&st);
	for (long i = 0; i < n; i++) {
		enum le_loss_verdict v = le_loss_decide(cfg, &st, &r);

		if (v == LE_LOSS_DROP)
			out.drop++;
		if (v == LE_LOSS_BURST)
			out.burst++;
		if (v != LE_LOSS_PASS) {
			lost++;
			cur++;
		} else if (cur) {
			bursts++;
			cur = 0;
		}
	}
	if (cur)
		bursts++;
	out.loss = (double)lost / n;
	out.mean_burst = bursts ? (double)lost / bursts : 0;
	return out;
}

static void
test_bernoulli(void **state)
{
	struct le_loss_cfg cfg = { .loss = 0.01 };
	struct run r = simulate(&cfg, 1000000, 11);

	/* sd of the estimate ~1e-4: 5 sd */
	assert_true(fabs(r.loss - 0.01) < 0.0005);
	assert_int_equal(r.burst, 0);
	/* independent: mean run of losses 1 / (1 - p) */
	assert_true(fabs(r.mean_burst - 1 / 0.99) < 0.01);
	cfg.loss = 0;
	assert_int_equal(simulate(&cfg, 100000, 1).drop, 0);
	cfg.loss = 1;
	assert_int_equal(simulate(&cfg, 100000, 1).drop, 100000);
	cfg.loss = 0.25;
	assert_true(fabs(simulate(&cfg, 1000000, 2).loss - 0.25) < 0.002);
}

/* Simple Gilbert (bad loses all, good none): loss p/(p+r), burst 1/r. */
static void
test_gilbert_elliott_bursts(void **state)
{
	struct le_loss_cfg cfg = { .ge = true, .ge_p = 0.01, .ge_r = 0.25,
				   .ge_bad_loss = 1, .ge_good_loss = 0 };
	double stat = 0.01 / 0.26;
	struct run r = simulate(&cfg, 4000000, 12);

	assert_true(fabs(le_loss_stationary(&cfg) - stat) < 1e-12);
	assert_true(fabs(r.loss - stat) < 0.04 * stat);
	assert_true(fabs(r.mean_burst - 4.0) < 0.04 * 4.0);
	assert_int_equal(r.drop, 0);
	assert_true(r.burst > 0);
	/* longer bursts: r = 10% -> 10 */
	cfg.ge_r = 0.10;
	r = simulate(&cfg, 4000000, 13);
	assert_true(fabs(r.mean_burst - 10.0) < 0.05 * 10.0);
	assert_true(fabs(r.loss - 0.01 / 0.11) < 0.05 * 0.01 / 0.11);
}

/* All four parameters: loss (r*(1-k) + p*(1-h)) / (p + r). */
static void
test_gilbert_elliott_4param(void **state)
{
	struct le_loss_cfg cfg = { .ge = true, .ge_p = 0.05, .ge_r = 0.20,
				   .ge_bad_loss = 0.8, .ge_good_loss = 0.01 };
	double stat = (0.20 * 0.01 + 0.05 * 0.8) / 0.25;
	struct run r = simulate(&cfg, 4000000, 14);

	assert_true(fabs(le_loss_stationary(&cfg) - stat) < 1e-12);
	assert_true(fabs(r.loss - stat) < 0.03 * stat);
	/* bursts are longer than independent loss of the same rate gives */
	assert_true(r.mean_burst > 1.5 / (1 - stat));
	/* Bernoulli and GE together */
	cfg.loss = 0.1;
	stat = 0.1 + 0.9 * stat;
	assert_true(fabs(le_loss_stationary(&cfg) - stat) < 1e-12);
	r = simulate(&cfg, 2000000, 15);
	assert_true(fabs(r.loss - stat) < 0.03 * stat);
	assert_true(fabs((double)r.drop / 2000000 - 0.1) < 0.002);
}

static void
test_seed(void **state)
{
	struct le_loss_cfg cfg = { .loss = 0.3, .ge = true, .ge_p = 0.1,
				   .ge_r = 0.3, .ge_bad_loss = 1 };
	struct le_rand a, b;
	struct le_loss_state sa, sb;
	int differ = 0;

	le_rand_seed(&a, 99);
	le_rand_seed(&b, 99);
	le_loss_init(&sa);
	le_loss_init(&sb);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(le_loss_decide(&cfg, &sa, &a),
				 le_loss_decide(&cfg, &sb, &b));
	le_rand_seed(&b, 100);
	for (int i = 0; i < 10000; i++)
		differ += le_loss_decide(&cfg, &sa, &a) !=
			  le_loss_decide(&cfg, &sb, &b);
	assert_true(differ > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bernoulli),
		cmocka_unit_test(test_gilbert_elliott_bursts),
		cmocka_unit_test(test_gilbert_elliott_4param),
		cmocka_unit_test(test_seed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
