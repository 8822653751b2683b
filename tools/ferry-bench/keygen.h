/*
 * keygen.h -- which key a request uses, and the value a key holds.
 *
 * Keys are PREFIX + the index as 12 zero-padded digits (redis-benchmark's
 * key:__rand_int__ form), the index drawn uniformly or Zipf-distributed
 * (rejection-inversion sampling, Hörmann & Derflinger 1996: O(1) per draw,
 * no table, any exponent s > 0) over [0, keyspace).
 *
 * Values are deterministic functions of the key, so any reply can be
 * verified without remembering what was written: the size is fixed per key
 * (data_min, or data_min + hash(key) mod the range), the bytes are the
 * key's 12 digits followed by 'a'..'z' cycling from an offset of the key.
 *
 * Concurrency: a keygen is immutable after fb_keygen_init and shared by
 * every core; the random state is the caller's (one per core).
 */
#ifndef FB_KEYGEN_H
#define FB_KEYGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define FB_KEY_DIGITS 12

struct fb_zipf {
	uint64_t n;
	double s;
	double h_x1, h_n, sk;		/* sampler constants */
};

struct fb_keygen {
	const char *prefix;
	size_t prefix_len;
	uint64_t keyspace;		/* >= 1 */
	enum fb_dist dist;
	struct fb_zipf zipf;
	uint32_t data_min, data_max;
	char *pattern;			/* 'a'..'z' cycling, data_max + 26 bytes */
};

/* From the options; 0 or -ENOMEM.  fb_keygen_fini frees the pattern. */
int fb_keygen_init(struct fb_keygen *kg, const struct fb_options *o);
void fb_keygen_fini(struct fb_keygen *kg);

/* xorshift64* step; state must not be 0. */
uint64_t fb_rand(uint64_t *state);
/* Uniform in [0, 1). */
double fb_rand01(uint64_t *state);

/* Zipf(n, s): 0 (the most popular) .. n-1.  0 or -EINVAL. */
int fb_zipf_init(struct fb_zipf *z, uint64_t n, double s);
uint64_t fb_zipf_next(const struct fb_zipf *z, uint64_t *state);

/* A key index per the distribution. */
uint64_t fb_key_next(const struct fb_keygen *kg, uint64_t *state);

/* Longest key fb_key_format writes. */
size_t fb_key_max_len(const struct fb_keygen *kg);
/* Write key k (no NUL) to dst (fb_key_max_len bytes); returns its length.
 * 'infix' ("" or "counter:") goes between prefix and digits. */
size_t fb_key_format(const struct fb_keygen *kg, const char *infix,
		     uint64_t k, char *dst);

/* The value of key k: its size, its bytes, and whether buf is it. */
uint32_t fb_value_len(const struct fb_keygen *kg, uint64_t k);
void fb_value_fill(const struct fb_keygen *kg, uint64_t k, char *dst,
		   uint32_t len);
bool fb_value_check(const struct fb_keygen *kg, uint64_t k, const char *buf,
		    size_t len);

#endif
