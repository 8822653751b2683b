/*
 * le_loss.h -- the link emulator's loss models: independent (Bernoulli)
 * loss and Gilbert-Elliott burst loss, on the direction's seeded PRNG.
 *
 * Gilbert-Elliott (4 parameters, as netem's "loss gemodel p r 1-h 1-k"):
 * a two-state Markov chain, Good and Bad.  A packet seen in Good is lost
 * with probability good_loss (1-k), in Bad with bad_loss (1-h); after each
 * packet the chain moves Good->Bad with probability p and Bad->Good with
 * probability r.  Stationary P(Bad) = p / (p + r); stationary loss =
 * (r * good_loss + p * bad_loss) / (p + r); with bad_loss 1 and good_loss 0
 * the mean loss burst is 1 / r packets.
 *
 * le_loss_decide runs Bernoulli first (verdict LE_LOSS_DROP), then the
 * chain (LE_LOSS_BURST; the chain advances for every packet that reaches
 * it).  Not thread safe: one owner per state.
 */
#ifndef LE_LOSS_H
#define LE_LOSS_H

#include <stdbool.h>

#include "le_rand.h"

struct le_loss_cfg {
	double loss;		/* Bernoulli loss probability, 0..1 */
	bool ge;		/* Gilbert-Elliott on */
	double ge_p;		/* P(Good -> Bad) per packet */
	double ge_r;		/* P(Bad -> Good) per packet */
	double ge_bad_loss;	/* 1-h: loss probability in Bad */
	double ge_good_loss;	/* 1-k: loss probability in Good */
};

/* The Gilbert-Elliott chain's state. */
enum le_ge_state {
	LE_GE_GOOD,
	LE_GE_BAD,
	LE_GE__COUNT
};

extern const char *const le_ge_state_names[LE_GE__COUNT];

struct le_loss_state {
	enum le_ge_state ge;
};

enum le_loss_verdict {
	LE_LOSS_PASS,
	LE_LOSS_DROP,		/* Bernoulli */
	LE_LOSS_BURST,		/* Gilbert-Elliott */
};

/* Reset the chain to Good. */
static inline void
le_loss_init(struct le_loss_state *st)
{
	st->ge = LE_GE_GOOD;
}

/* The verdict for the next packet (advances the chain). */
enum le_loss_verdict
le_loss_decide(const struct le_loss_cfg *cfg, struct le_loss_state *st,
	       struct le_rand *r);

/* The model's stationary loss probability (both stages together). */
double
le_loss_stationary(const struct le_loss_cfg *cfg);

#endif
