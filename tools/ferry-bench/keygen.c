/*
 * keygen.c -- keys, key distributions and per-key values (see keygen.h).
 *
 * Call chain: workload.c (composing a request) -> fb_key_next ->
 *   fb_zipf_next; fb_key_format; fb_value_fill.  Verification:
 *   workload.c -> fb_value_check.
 */
#include "keygen.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t
fb_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

double
fb_rand01(uint64_t *state)
{
	return (double)(fb_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* ---- Zipf by rejection-inversion (as Apache Commons RNG's sampler) ---- */

/* log1p(x)/x, continuous at 0 */
static double
helper1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
}

/* expm1(x)/x, continuous at 0 */
static double
helper2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0);
}

static double
zipf_h(const struct fb_zipf *z, double x)
{
	return exp(-z->s * log(x));
}

static double
zipf_hint(const struct fb_zipf *z, double x)
{
	double lx = log(x);

	return helper2((1.0 - z->s) * lx) * lx;
}

static double
zipf_hint_inv(const struct fb_zipf *z, double x)
{
	double t = x * (1.0 - z->s);

	if (t < -1.0)
		t = -1.0;
	return exp(helper1(t) * x);
}

int
fb_zipf_init(struct fb_zipf *z, uint64_t n, double s)
{
	if (n < 1 || !(s > 0))
		return -EINVAL;
	z->n = n;
	z->s = s;
	z->h_x1 = zipf_hint(z, 1.5) - 1.0;
	z->h_n = zipf_hint(z, (double)n + 0.5);
	z->sk = 2.0 - zipf_hint_inv(z, zipf_hint(z, 2.5) - zipf_h(z, 2.0));
	return 0;
}

uint64_t
fb_zipf_next(const struct fb_zipf *z, uint64_t *state)
{
	for (;;) {
		double u = z->h_n + fb_rand01(state) * (z->h_x1 - z->h_n);
		double x = zipf_hint_inv(z, u);
		double kd = floor(x + 0.5);
		uint64_t k;

		if (kd < 1)
			kd = 1;
		else if (kd > (double)z->n)
			kd = (double)z->n;
		k = (uint64_t)kd;
		if (kd - x <= z->sk ||
		    u >= zipf_hint(z, kd + 0.5) - zipf_h(z, kd))
			return k - 1;
	}
}

/* ---- keys and values ---- */

int
fb_keygen_init(struct fb_keygen *kg, const struct fb_options *o)
{
	memset(kg, 0, sizeof(*kg));
	kg->prefix = o->key_prefix;
	kg->prefix_len = strlen(o->key_prefix);
	kg->keyspace = o->keyspace ? o->keyspace : 1;
	kg->dist = o->dist;
	kg->data_min = o->data_min;
	kg->data_max = o->data_max;
	if (kg->dist == FB_DIST_ZIPF &&
	    fb_zipf_init(&kg->zipf, kg->keyspace, o->zipf_s) < 0)
		return -EINVAL;
	kg->pattern = malloc((size_t)kg->data_max + 26);
	if (kg->pattern == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < (size_t)kg->data_max + 26; i++)
		kg->pattern[i] = (char)('a' + i % 26);
	return 0;
}

void
fb_keygen_fini(struct fb_keygen *kg)
{
	free(kg->pattern);
	kg->pattern = NULL;
}

uint64_t
fb_key_next(const struct fb_keygen *kg, uint64_t *state)
{
	if (kg->keyspace == 1)
		return 0;
	if (kg->dist == FB_DIST_ZIPF)
		return fb_zipf_next(&kg->zipf, state);
	return fb_rand(state) % kg->keyspace;
}

size_t
fb_key_max_len(const struct fb_keygen *kg)
{
	return kg->prefix_len + 16 + FB_KEY_DIGITS;
}

static void
digits12(uint64_t k, char *dst)
{
	for (int i = FB_KEY_DIGITS - 1; i >= 0; i--) {
		dst[i] = (char)('0' + k % 10);
		k /= 10;
	}
}

size_t
fb_key_format(const struct fb_keygen *kg, const char *infix, uint64_t k,
	      char *dst)
{
	size_t n = kg->prefix_len, il = strlen(infix);

	memcpy(dst, kg->prefix, n);
	memcpy(dst + n, infix, il);
	n += il;
	digits12(k, dst + n);
	return n + FB_KEY_DIGITS;
}

uint32_t
fb_value_len(const struct fb_keygen *kg, uint64_t k)
{
	if (kg->data_min == kg->data_max)
		return kg->data_min;
	return kg->data_min +
	       (uint32_t)(mix64(k) % ((uint64_t)kg->data_max - kg->data_min + 1));
}

void
fb_value_fill(const struct fb_keygen *kg, uint64_t k, char *dst, uint32_t len)
{
	char d[FB_KEY_DIGITS];
	uint32_t head = len < FB_KEY_DIGITS ? len : FB_KEY_DIGITS;

	digits12(k, d);
	memcpy(dst, d + (FB_KEY_DIGITS - head), head);
	memcpy(dst + head, kg->pattern + k % 26, len - head);
}

bool
fb_value_check(const struct fb_keygen *kg, uint64_t k, const char *buf,
	       size_t len)
{
	char d[FB_KEY_DIGITS];
	uint32_t head;

	if (len != fb_value_len(kg, k))
		return false;
	head = len < FB_KEY_DIGITS ? (uint32_t)len : FB_KEY_DIGITS;
	digits12(k, d);
	return memcmp(buf, d + (FB_KEY_DIGITS - head), head) == 0 &&
	       memcmp(buf + head, kg->pattern + k % 26, len - head) == 0;
}
