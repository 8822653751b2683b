/*
 * le_rand.c -- xoshiro256** with splitmix64 seeding (see le_rand.h).
 */
#include "le_rand.h"

#include <math.h>

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
le_rand_seed(struct le_rand *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->has_spare = false;
	r->spare = 0;
}

uint64_t
le_rand_u64(struct le_rand *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
le_rand_double(struct le_rand *r)
{
	return (double)(le_rand_u64(r) >> 11) * 0x1.0p-53;
}

bool
le_rand_chance(struct le_rand *r, double p)
{
	if (p <= 0)
		return false;
	if (p >= 1)
		return true;
	return le_rand_double(r) < p;
}

double
le_rand_normal(struct le_rand *r)
{
	double u, v, s;

	if (r->has_spare) {
		r->has_spare = false;
		return r->spare;
	}
	do {
		u = 2 * le_rand_double(r) - 1;
		v = 2 * le_rand_double(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	s = sqrt(-2 * log(s) / s);
	r->spare = v * s;
	r->has_spare = true;
	return u * s;
}
