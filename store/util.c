/*
 * util.c -- number parsing and formatting with Redis 7.0's exact rules,
 * glob matching, hashing, a thread-local PRNG and the wall clock.
 *
 * Each parser mirrors one Redis function, including its odd corners, since
 * the store must accept and reject exactly what Redis 7.0.15 does:
 *   st_str2ll       string2ll (getLongLongFromObject)
 *   st_str2ull      parseScanCursorOrReply (strtoul based)
 *   st_str2ld       string2ld (INCRBYFLOAT, HINCRBYFLOAT)
 *   st_str2d        string2d (getDoubleFromObject, ZADD scores)
 *   st_ld2str_human ld2string(LD_STR_HUMAN)
 *   st_d2str        addReplyDouble ("%.17g")
 *   st_glob_match   stringmatchlen, with its nesting limit
 *
 * The hash is a multiply-fold design in the spirit of wyhash: 64x64->128
 * bit products folded back to 64 bits, over 16-byte blocks.
 */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"

/* Redis's LONG_STR_SIZE: strings this long or longer are not integers. */
#define LONG_STR_SIZE 21
/* Redis's MAX_LONG_DOUBLE_CHARS (string2ld input limit). */
#define MAX_LONG_DOUBLE_CHARS (5 * 1024)
/* Redis's stringmatchlen nesting limit. */
#define GLOB_MAX_NESTING 1000

/* isspace() in the C locale (Redis never sets LC_CTYPE). */
static inline int
c_isspace(int ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* tolower() in the C locale, on a (possibly negative) char value. */
static inline int
c_tolower(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch;
}

/* ---- integers ----------------------------------------------------------- */

int
st_str2ll(const char *s, size_t len, long long *out)
{
	const char *p = s, *end = s + len;
	unsigned long long v;
	int neg = 0;

	if (len == 0 || len >= LONG_STR_SIZE)
		return -EINVAL;
	if (len == 1 && p[0] == '0') {
		*out = 0;
		return 0;
	}
	if (*p == '-') {
		neg = 1;
		if (++p == end)
			return -EINVAL;
	}
	/* First digit 1-9: no leading zeros, no "-0". */
	if (*p < '1' || *p > '9')
		return -EINVAL;
	v = (unsigned long long)(*p++ - '0');
	/* At most 19 digits remain (len < 21), so 'v' cannot wrap before
	 * the range checks below, except past 20 digits which len forbids. */
	while (p < end) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9)
			return -EINVAL;
		if (v > (~0ULL - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
		p++;
	}
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -EINVAL;
		*out = (long long)(0 - v);
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return -EINVAL;
		*out = (long long)v;
	}
	return 0;
}

/*
 * Redis 7.0 parses SCAN cursors with strtoul(): a leading blank or trailing
 * garbage is refused, as is overflow, but "" (0), "+5", "007" and "-1"
 * (ULONG_MAX) are accepted, and the string ends at an embedded NUL.
 */
int
st_str2ull(const char *s, size_t len, unsigned long long *out)
{
	const char *p = s, *end;
	unsigned long long v = 0;
	int neg = 0, range = 0;
	const char *nul = len ? memchr(s, '\0', len) : NULL;

	end = nul ? nul : s + len;
	if (p == end) {
		*out = 0;
		return 0;
	}
	if (c_isspace((unsigned char)*p))
		return -EINVAL;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -EINVAL;	/* strtoul stops at the sign: trailing garbage */
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (v > (~0ULL - d) / 10)
			range = 1;
		v = v * 10 + d;
		p++;
	}
	if (p != end || range)
		return -EINVAL;
	*out = neg ? 0 - v : v;
	return 0;
}

/* ---- floating point ----------------------------------------------------- */

int
st_str2ld(const char *s, size_t len, long double *out)
{
	char buf[MAX_LONG_DOUBLE_CHARS];
	long double v;
	char *eptr;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	/* As Redis: a NUL-terminated copy, so an embedded NUL ends it. */
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtold(buf, &eptr);
	if (c_isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
	    (errno == ERANGE &&
	     (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
	    errno == EINVAL || isnan(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int
st_str2d(const char *s, size_t len, double *out)
{
	char stackbuf[128];
	char *buf = stackbuf, *eptr;
	long long ll;
	double v;
	int ret = 0;

	if (len == 0 || c_isspace((unsigned char)s[0]))
		return -EINVAL;
	/* Fast path: an integer strtod would convert exactly. */
	if (len < 17 && st_str2ll(s, len, &ll) == 0) {
		*out = (double)ll;
		return 0;
	}
	if (len >= sizeof(stackbuf))
		buf = st_malloc(len + 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &eptr);
	if ((size_t)(eptr - buf) != len ||
	    (errno == ERANGE &&
	     (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) ||
	    isnan(v))
		ret = -EINVAL;
	else
		*out = v;
	if (buf != stackbuf)
		st_free(buf);
	return ret;
}

/* ---- formatting --------------------------------------------------------- */

static const char digits100[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

int
st_ull2str(char *buf, unsigned long long v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	int n;

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = digits100[i + 1];
		*--p = digits100[i];
	}
	if (v < 10) {
		*--p = (char)('0' + v);
	} else {
		unsigned i = (unsigned)v * 2;

		*--p = digits100[i + 1];
		*--p = digits100[i];
	}
	n = (int)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

int
st_ll2str(char *buf, long long v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + st_ull2str(buf + 1, 0ULL - (unsigned long long)v);
	}
	return st_ull2str(buf, (unsigned long long)v);
}

int
st_ld2str_human(char *buf, size_t cap, long double v)
{
	int l;

	if (isinf(v)) {
		if (cap < 5)
			return 0;
		l = v > 0 ? 3 : 4;
		memcpy(buf, v > 0 ? "inf" : "-inf", l + 1);
		return l;
	}
	l = snprintf(buf, cap, "%.17Lf", v);
	if (l < 0 || (size_t)l + 1 > cap) {
		if (cap)
			buf[0] = '\0';
		return 0;	/* no room, as Redis's ld2string */
	}
	/* Remove trailing zeroes after the '.', then a bare '.'. */
	if (memchr(buf, '.', l) != NULL) {
		while (buf[l - 1] == '0')
			l--;
		if (buf[l - 1] == '.')
			l--;
	}
	if (l == 2 && buf[0] == '-' && buf[1] == '0') {
		buf[0] = '0';
		l = 1;
	}
	buf[l] = '\0';
	return l;
}

int
st_d2str(char *buf, size_t cap, double v)
{
	int l;

	if (cap == 0)
		return 0;
	if (isinf(v)) {
		l = v > 0 ? 3 : 4;
		if ((size_t)l + 1 > cap)
			return 0;
		memcpy(buf, v > 0 ? "inf" : "-inf", l + 1);
		return l;
	}
	/* "%.17g" prints integers below 1e17 in plain digits: a faster path
	 * for the integral scores that are common, except -0 ("-0"). */
	if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    v == (double)(long long)v && !(v == 0 && signbit(v)) && cap >= 18)
		return st_ll2str(buf, (long long)v);
	l = snprintf(buf, cap, "%.17g", v);
	if (l < 0)
		return 0;
	if ((size_t)l >= cap)
		l = (int)cap - 1;
	return l;
}

/* ---- glob matching ------------------------------------------------------ */

/*
 * Redis's stringmatchlen_impl(), bounded by the lengths instead of relying
 * on a NUL terminator.  Characters are compared as (signed) char, as Redis
 * does on x86 for ranges.  'skip' is Redis's skipLongerMatches: once the
 * rest of the pattern after a '*' matched nowhere, no earlier '*' can help.
 */
static int
glob_impl(const char *pat, long plen, const char *str, long slen, int nocase,
	  int *skip, int nesting)
{
	if (nesting > GLOB_MAX_NESTING)
		return 0;
	while (plen && slen) {
		switch (pat[0]) {
		case '*':
			while (plen > 1 && pat[1] == '*') {
				pat++;
				plen--;
			}
			if (plen == 1)
				return 1;
			while (slen) {
				if (glob_impl(pat + 1, plen - 1, str, slen, nocase,
					      skip, nesting + 1))
					return 1;
				if (*skip)
					return 0;
				str++;
				slen--;
			}
			*skip = 1;
			return 0;
		case '?':
			str++;
			slen--;
			break;
		case '[': {
			int not, match = 0;

			pat++;
			plen--;
			not = plen > 0 && pat[0] == '^';
			if (not) {
				pat++;
				plen--;
			}
			for (;;) {
				if (plen >= 2 && pat[0] == '\\') {
					pat++;
					plen--;
					if (pat[0] == str[0])
						match = 1;
				} else if (plen == 0) {
					pat--;
					plen++;
					break;
				} else if (pat[0] == ']') {
					break;
				} else if (plen >= 3 && pat[1] == '-') {
					int start = pat[0], end = pat[2];
					int ch = str[0];

					if (start > end) {
						int t = start;

						start = end;
						end = t;
					}
					if (nocase) {
						start = c_tolower(start);
						end = c_tolower(end);
						ch = c_tolower(ch);
					}
					pat += 2;
					plen -= 2;
					if (ch >= start && ch <= end)
						match = 1;
				} else if (!nocase) {
					if (pat[0] == str[0])
						match = 1;
				} else if (c_tolower(pat[0]) == c_tolower(str[0])) {
					match = 1;
				}
				pat++;
				plen--;
			}
			if (not)
				match = !match;
			if (!match)
				return 0;
			str++;
			slen--;
			break;
		}
		case '\\':
			if (plen >= 2) {
				pat++;
				plen--;
			}
			/* fall through */
		default:
			if (!nocase) {
				if (pat[0] != str[0])
					return 0;
			} else if (c_tolower(pat[0]) != c_tolower(str[0])) {
				return 0;
			}
			str++;
			slen--;
			break;
		}
		pat++;
		plen--;
		if (slen == 0) {
			while (plen > 0 && pat[0] == '*') {
				pat++;
				plen--;
			}
			break;
		}
	}
	return plen == 0 && slen == 0;
}

bool
st_glob_match(const char *pat, size_t patlen, const char *s, size_t slen,
	      bool nocase)
{
	int skip = 0;

	return glob_impl(pat, (long)patlen, s, (long)slen, nocase, &skip, 0);
}

/* ---- hashing ------------------------------------------------------------ */

#define H_K0 0x2d358dccaa6c78a5ULL
#define H_K1 0x8bb84b93962eacc9ULL
#define H_K2 0x4b33a62ed433d4a3ULL
#define H_K3 0x4d5a2da51de1aa47ULL

/* Multiply to 128 bits and fold the halves together. */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t
load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

uint64_t
st_hash64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = H_K0 ^ fold_mul(H_K0 ^ (uint64_t)len, H_K1);
	uint64_t a, b;

	if (len <= 16) {
		if (len >= 4) {
			/* Two (possibly overlapping) 32-bit words from each end. */
			size_t mid = (len >> 3) << 2;

			a = (load32(p) << 32) | load32(p + mid);
			b = (load32(p + len - 4) << 32) | load32(p + len - 4 - mid);
		} else if (len > 0) {
			a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) |
			    p[len - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t left = len;

		if (left > 32) {
			uint64_t h2 = h;

			/* Two independent lanes over 32-byte blocks. */
			do {
				h = fold_mul(load64(p) ^ H_K1, load64(p + 8) ^ h);
				h2 = fold_mul(load64(p + 16) ^ H_K2,
					      load64(p + 24) ^ h2);
				p += 32;
				left -= 32;
			} while (left > 32);
			h ^= h2;
		}
		if (left > 16) {
			h = fold_mul(load64(p) ^ H_K1, load64(p + 8) ^ h);
			p += 16;
			left -= 16;
		}
		/* The last 16 bytes of the input (overlapping is fine). */
		a = load64(p + left - 16);
		b = load64(p + left - 8);
	}
	a ^= H_K1;
	b ^= h;
	a = fold_mul(a, b);
	return fold_mul(a ^ H_K3 ^ (uint64_t)len, H_K2 ^ h);
}

/* ---- random numbers ----------------------------------------------------- */

static _Thread_local uint64_t rng_state;

static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t
st_rand64(void)
{
	uint64_t x = rng_state;

	if (x == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = splitmix64((uint64_t)st_ustime() ^
			       ((uint64_t)ts.tv_nsec << 20) ^
			       (uint64_t)(uintptr_t)&rng_state ^
			       (uint64_t)pthread_self());
		if (x == 0)
			x = 0x9e3779b97f4a7c15ULL;
	}
	/* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* ---- clock -------------------------------------------------------------- */

int64_t
st_ustime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
st_mstime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
