/*
 * le_rand.h -- the link emulator's seeded PRNG (xoshiro256**, seeded
 * through splitmix64), with the draws the models need: uniform integers and
 * reals, Bernoulli trials and normal deviates.
 *
 * One generator per direction, owned by the thread that runs that
 * direction; no locking.  The same seed gives the same sequence.
 */
#ifndef LE_RAND_H
#define LE_RAND_H

#include <stdbool.h>
#include <stdint.h>

struct le_rand {
	uint64_t s[4];
	double spare;		/* second normal deviate of the last pair */
	bool has_spare;
};

/* Seed the generator (any value, 0 included). */
void
le_rand_seed(struct le_rand *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t
le_rand_u64(struct le_rand *r);

/* Uniform real in [0, 1) with 53 random bits. */
double
le_rand_double(struct le_rand *r);

/* True with probability p (p <= 0: never, p >= 1: always). */
bool
le_rand_chance(struct le_rand *r, double p);

/* Standard normal deviate (mean 0, stddev 1; Marsaglia's polar method). */
double
le_rand_normal(struct le_rand *r);

#endif
