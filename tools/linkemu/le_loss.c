/*
 * le_loss.c -- Bernoulli and Gilbert-Elliott loss (see le_loss.h).
 */
#include "le_loss.h"

const char *const le_ge_state_names[LE_GE__COUNT] = {
	[LE_GE_GOOD] = "good",
	[LE_GE_BAD] = "bad",
};

/* One handler per chain state: the packet's fate, then the transition. */
static bool
ge_good(const struct le_loss_cfg *cfg, struct le_loss_state *st,
	struct le_rand *r)
{
	bool lost = le_rand_chance(r, cfg->ge_good_loss);

	if (le_rand_chance(r, cfg->ge_p))
		st->ge = LE_GE_BAD;
	return lost;
}

static bool
ge_bad(const struct le_loss_cfg *cfg, struct le_loss_state *st,
       struct le_rand *r)
{
	bool lost = le_rand_chance(r, cfg->ge_bad_loss);

	if (le_rand_chance(r, cfg->ge_r))
		st->ge = LE_GE_GOOD;
	return lost;
}

static bool (*const ge_handlers[LE_GE__COUNT])(const struct le_loss_cfg *,
					       struct le_loss_state *,
					       struct le_rand *) = {
	[LE_GE_GOOD] = ge_good,
	[LE_GE_BAD] = ge_bad,
};

enum le_loss_verdict
le_loss_decide(const struct le_loss_cfg *cfg, struct le_loss_state *st,
	       struct le_rand *r)
{
	if (cfg->loss > 0 && le_rand_chance(r, cfg->loss))
		return LE_LOSS_DROP;
	if (!cfg->ge)
		return LE_LOSS_PASS;
	return ge_handlers[st->ge](cfg, st, r) ? LE_LOSS_BURST : LE_LOSS_PASS;
}

double
le_loss_stationary(const struct le_loss_cfg *cfg)
{
	double ge = 0;
	double l = cfg->loss > 1 ? 1 : (cfg->loss < 0 ? 0 : cfg->loss);

	if (cfg->ge) {
		if (cfg->ge_p + cfg->ge_r > 0)
			ge = (cfg->ge_r * cfg->ge_good_loss +
			      cfg->ge_p * cfg->ge_bad_loss) /
			     (cfg->ge_p + cfg->ge_r);
		else
			ge = cfg->ge_good_loss;	/* stays in Good */
	}
	return l + (1 - l) * ge;
}
