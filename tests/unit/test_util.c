/*
 * test_util.c -- number parsing/formatting, glob matching, hashing, PRNG,
 * clock (store/util.c) and the growable buffer (store/buf.c).
 *
 * Expected values were taken from redis-server 7.0.15: INCRBYFLOAT results
 * for st_ld2str_human, ZADD + ZSCORE for st_str2d / st_d2str, SCAN cursors
 * for st_str2ull, KEYS for st_glob_match.  No store state is needed.
 */
#include "harness.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alloc.h"
#include "buf.h"
#include "util.h"

/* ---- st_str2ll ---------------------------------------------------------- */

static int
ll_ok(const char *s, long long want)
{
	long long v = 12345;

	if (st_str2ll(s, strlen(s), &v) != 0)
		return 0;
	return v == want;
}

static int
ll_bad(const char *s, size_t len)
{
	long long v = 12345;

	return st_str2ll(s, len, &v) == -EINVAL && v == 12345;
}

#define LL_BAD(lit) ll_bad(lit, sizeof(lit) - 1)

static void
test_str2ll(void **state)
{
	(void)state;
	assert_true(ll_ok("0", 0));
	assert_true(ll_ok("1", 1));
	assert_true(ll_ok("-1", -1));
	assert_true(ll_ok("10", 10));
	assert_true(ll_ok("1234567890", 1234567890));
	assert_true(ll_ok("9223372036854775807", LLONG_MAX));
	assert_true(ll_ok("-9223372036854775808", LLONG_MIN));
	assert_true(ll_ok("-9223372036854775807", -LLONG_MAX));
	/* overflow by one, and far */
	assert_true(LL_BAD("9223372036854775808"));
	assert_true(LL_BAD("-9223372036854775809"));
	assert_true(LL_BAD("18446744073709551615"));
	assert_true(LL_BAD("18446744073709551616"));
	assert_true(LL_BAD("99999999999999999999"));
	assert_true(LL_BAD("-99999999999999999999"));
	assert_true(LL_BAD("100000000000000000000"));	/* 21 chars */
	/* strictness */
	assert_true(LL_BAD(""));
	assert_true(LL_BAD("-"));
	assert_true(LL_BAD("-0"));
	assert_true(LL_BAD("00"));
	assert_true(LL_BAD("007"));
	assert_true(LL_BAD("-007"));
	assert_true(LL_BAD("+1"));
	assert_true(LL_BAD(" 1"));
	assert_true(LL_BAD("1 "));
	assert_true(LL_BAD("1\0"));
	assert_true(LL_BAD("12a"));
	assert_true(LL_BAD("a12"));
	assert_true(LL_BAD("1e3"));
	assert_true(LL_BAD("1.0"));
	assert_true(LL_BAD("--1"));
	assert_true(LL_BAD("0x10"));
	/* length is honoured: the bytes after 'len' are not read */
	{
		long long v;

		assert_int_equal(st_str2ll("123xyz", 3, &v), 0);
		assert_true(v == 123);
		assert_int_equal(st_str2ll("-5", 1, &v), -EINVAL);
	}
}

/* ---- st_str2ull (SCAN cursor rules) ------------------------------------- */

static int
ull_ok(const char *s, size_t len, unsigned long long want)
{
	unsigned long long v = 777;

	return st_str2ull(s, len, &v) == 0 && v == want;
}

#define ULL_OK(lit, want) ull_ok(lit, sizeof(lit) - 1, want)
#define ULL_BAD(lit) (st_str2ull(lit, sizeof(lit) - 1, &u) == -EINVAL)

static void
test_str2ull(void **state)
{
	unsigned long long u;

	(void)state;
	/* redis 7.0.15: SCAN accepts all of these */
	assert_true(ULL_OK("0", 0));
	assert_true(ULL_OK("17", 17));
	assert_true(ULL_OK("", 0));
	assert_true(ULL_OK("007", 7));
	assert_true(ULL_OK("+0", 0));
	assert_true(ULL_OK("-1", ULLONG_MAX));
	assert_true(ULL_OK("18446744073709551615", ULLONG_MAX));
	assert_true(ULL_OK("-18446744073709551615", 1));
	assert_true(ULL_OK("5\0garbage", 5));
	/* ... and reject these ("ERR invalid cursor") */
	assert_true(ULL_BAD(" 0"));
	assert_true(ULL_BAD("\t0"));
	assert_true(ULL_BAD("0 "));
	assert_true(ULL_BAD("0x1"));
	assert_true(ULL_BAD("18446744073709551616"));
	assert_true(ULL_BAD("99999999999999999999999"));
	assert_true(ULL_BAD("+"));
	assert_true(ULL_BAD("-"));
	assert_true(ULL_BAD("abc"));
	assert_true(ULL_BAD("1a"));
}

/* ---- st_str2ld ---------------------------------------------------------- */

static int
ld_ok(const char *s, size_t len, long double want)
{
	long double v = 0;

	return st_str2ld(s, len, &v) == 0 && v == want;
}

#define LD_OK(lit, want) ld_ok(lit, sizeof(lit) - 1, want)
#define LD_BAD(lit) (st_str2ld(lit, sizeof(lit) - 1, &ld) == -EINVAL)

static void
test_str2ld(void **state)
{
	long double ld;
	char *big;

	(void)state;
	assert_true(LD_OK("10.5", 10.5L));
	assert_true(LD_OK("0", 0.0L));
	assert_true(LD_OK("-3", -3.0L));
	assert_true(LD_OK("3.0e3", 3000.0L));
	assert_true(LD_OK("+1.5", 1.5L));
	assert_true(LD_OK(".5", 0.5L));
	assert_true(LD_OK("5.", 5.0L));
	assert_true(LD_OK("0x10", 16.0L));
	assert_true(LD_OK("007", 7.0L));
	assert_true(LD_OK("1\0junk", 1.0L));	/* copied as a C string */
	/* inf parses (INCRBYFLOAT then reports NaN or Infinity) */
	assert_int_equal(st_str2ld("inf", 3, &ld), 0);
	assert_true(isinf(ld) && ld > 0);
	assert_int_equal(st_str2ld("-Infinity", 9, &ld), 0);
	assert_true(isinf(ld) && ld < 0);
	/* "-0" is a valid float */
	assert_int_equal(st_str2ld("-0", 2, &ld), 0);
	assert_true(ld == 0 && signbit(ld));
	assert_true(LD_BAD(""));
	assert_true(LD_BAD(" 1"));
	assert_true(LD_BAD("\n1"));
	assert_true(LD_BAD("1 "));
	assert_true(LD_BAD("1x"));
	assert_true(LD_BAD("nan"));
	assert_true(LD_BAD("-nan"));
	assert_true(LD_BAD("NaN"));
	assert_true(LD_BAD("1e5000"));		/* overflow */
	assert_true(LD_BAD("-1e5000"));
	assert_true(LD_BAD("1e-5000"));		/* underflow to zero */
	assert_true(LD_BAD("abc"));
	assert_true(LD_BAD("."));
	/* 5 KB limit: 5119 bytes are fine, 5120 are not */
	big = malloc(5120);
	memset(big, '0', 5120);
	big[5118] = '1';
	assert_true(ld_ok(big, 5119, 1.0L));
	big[5119] = '1';
	assert_int_equal(st_str2ld(big, 5120, &ld), -EINVAL);
	free(big);
}

/* ---- st_str2d ----------------------------------------------------------- */

static int
d_ok(const char *s, size_t len, double want)
{
	double v = 0;

	return st_str2d(s, len, &v) == 0 && v == want;
}

#define D_OK(lit, want) d_ok(lit, sizeof(lit) - 1, want)
#define D_BAD(lit) (st_str2d(lit, sizeof(lit) - 1, &d) == -EINVAL)

static void
test_str2d(void **state)
{
	double d;
	char big[300];

	(void)state;
	assert_true(D_OK("1.1", 1.1));
	assert_true(D_OK("0", 0.0));
	assert_true(D_OK("123", 123.0));
	assert_true(D_OK("-123", -123.0));
	assert_true(D_OK("9223372036854775807", 9223372036854775807.0));
	assert_true(D_OK("3.0e3", 3000.0));
	assert_true(D_OK("0x10", 16.0));
	assert_true(D_OK(".5", 0.5));
	assert_true(D_OK("007", 7.0));
	assert_true(D_OK("+2", 2.0));
	assert_true(D_OK("1e-310", 1e-310));	/* denormal: accepted */
	assert_true(D_OK("inf", INFINITY));
	assert_true(D_OK("+inf", INFINITY));
	assert_true(D_OK("-inf", -INFINITY));
	assert_true(D_OK("INF", INFINITY));
	assert_true(D_OK("Infinity", INFINITY));
	assert_true(D_OK("-INFINITY", -INFINITY));
	assert_int_equal(st_str2d("-0", 2, &d), 0);
	assert_true(d == 0 && signbit(d));
	assert_true(D_BAD(""));
	assert_true(D_BAD(" 1"));
	assert_true(D_BAD("1 "));
	assert_true(D_BAD("\t1"));
	assert_true(D_BAD("nan"));
	assert_true(D_BAD("NaN"));
	assert_true(D_BAD("-nan"));
	assert_true(D_BAD("1e400"));
	assert_true(D_BAD("-1e400"));
	assert_true(D_BAD("1e-400"));
	assert_true(D_BAD("1\0"));
	assert_true(D_BAD("1a"));
	assert_true(D_BAD("a"));
	assert_true(D_BAD("infx"));
	/* longer than the stack copy */
	memset(big, '0', sizeof(big));
	big[1] = '.';
	big[299] = '5';
	assert_true(d_ok(big, sizeof(big), 5e-298));
	big[299] = ' ';
	assert_int_equal(st_str2d(big, sizeof(big), &d), -EINVAL);
	/* the bytes after len are not looked at */
	assert_true(d_ok("2.5e", 3, 2.5));
}

/* ---- formatting --------------------------------------------------------- */

static void
test_ll2str(void **state)
{
	char buf[ST_NUMBUF];
	static const struct {
		long long v;
		const char *s;
	} t[] = {
		{ 0, "0" }, { 1, "1" }, { -1, "-1" }, { 9, "9" }, { 10, "10" },
		{ 99, "99" }, { 100, "100" }, { -100, "-100" }, { 12345, "12345" },
		{ 1000000007, "1000000007" },
		{ LLONG_MAX, "9223372036854775807" },
		{ LLONG_MIN, "-9223372036854775808" },
		{ LLONG_MIN + 1, "-9223372036854775807" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = st_ll2str(buf, t[i].v);

		assert_int_equal(n, strlen(t[i].s));
		assert_string_equal(buf, t[i].s);
	}
	assert_int_equal(st_ull2str(buf, ULLONG_MAX), 20);
	assert_string_equal(buf, "18446744073709551615");
	assert_int_equal(st_ull2str(buf, 0), 1);
	assert_string_equal(buf, "0");
	/* round trip */
	for (long long v = -100000; v <= 100000; v += 7) {
		long long back;
		int n = st_ll2str(buf, v);

		assert_int_equal(st_str2ll(buf, n, &back), 0);
		assert_true(back == v);
	}
}

/* INCRBYFLOAT a b, as Redis computes it: long double sum, LD_STR_HUMAN. */
static const char *
incrbyfloat(const char *a, const char *b)
{
	static char out[5200];
	long double x, y;
	int n;

	assert_int_equal(st_str2ld(a, strlen(a), &x), 0);
	assert_int_equal(st_str2ld(b, strlen(b), &y), 0);
	n = st_ld2str_human(out, sizeof(out), x + y);
	assert_int_equal(n, strlen(out));
	return out;
}

static void
test_ld2str_human(void **state)
{
	char buf[ST_NUMBUF];

	(void)state;
	/* expected values: redis-server 7.0.15 SET f a; INCRBYFLOAT f b */
	assert_string_equal(incrbyfloat("10.5", "0.1"), "10.6");
	assert_string_equal(incrbyfloat("0", "3.0e3"), "3000");
	assert_string_equal(incrbyfloat("0", "5.0e-3"), "0.005");
	assert_string_equal(incrbyfloat("0", "-5.0e-3"), "-0.005");
	assert_string_equal(incrbyfloat("0.1", "0.2"), "0.3");
	assert_string_equal(incrbyfloat("1", "0.2"), "1.2");
	assert_string_equal(incrbyfloat("0", "-0"), "0");
	assert_string_equal(incrbyfloat("3", "-3"), "0");
	assert_string_equal(incrbyfloat("0", "1e-20"), "0");
	assert_string_equal(incrbyfloat("0", "-1e-20"), "0");
	assert_string_equal(incrbyfloat("0", "1e-17"), "0.00000000000000001");
	assert_string_equal(incrbyfloat("0", "-1e-17"), "-0.00000000000000001");
	assert_string_equal(incrbyfloat("1", "1e-17"), "1.00000000000000001");
	assert_string_equal(incrbyfloat("0", "123456789.123456789"),
			    "123456789.12345678899873747");
	assert_string_equal(incrbyfloat("10", "-10.00001"), "-0.00001");
	assert_string_equal(incrbyfloat("0", "0x1p-3"), "0.125");
	assert_string_equal(incrbyfloat("0", "12345678901234567890"),
			    "12345678901234567890");
	assert_string_equal(incrbyfloat("0", "4.9e-324"), "0");
	assert_string_equal(incrbyfloat("-785851", "0.2"),
			    "-785850.80000000000001137");
	assert_string_equal(incrbyfloat("0", "1.5e300"),
		"1500000000000000000049800109861472166362379239118673928551219718"
		"2489735299298127087928543105758309306865306445660502294069266467"
		"3931101760698425828837743414393760277819671066123465594419577083"
		"8513268846826150205418632995547271874827072936230594920013241190"
		"363994471886080567336615911694509046614720512");
	/* infinities */
	assert_int_equal(st_ld2str_human(buf, sizeof(buf), INFINITY), 3);
	assert_string_equal(buf, "inf");
	assert_int_equal(st_ld2str_human(buf, sizeof(buf), -INFINITY), 4);
	assert_string_equal(buf, "-inf");
	/* no room: 0, as Redis's ld2string */
	assert_int_equal(st_ld2str_human(buf, 4, 123.0L), 0);
	assert_int_equal(st_ld2str_human(buf, 4, -INFINITY), 0);
	assert_int_equal(st_ld2str_human(buf, sizeof(buf), 1e200L), 0);
}

static const char *
d2s(double v)
{
	static char buf[ST_NUMBUF];
	int n = st_d2str(buf, sizeof(buf), v);

	assert_int_equal(n, strlen(buf));
	return buf;
}

/* ZADD z s m; ZSCORE z m */
static const char *
zscore(const char *s)
{
	double d;

	assert_int_equal(st_str2d(s, strlen(s), &d), 0);
	return d2s(d);
}

static void
test_d2str(void **state)
{
	(void)state;
	/* expected values: redis-server 7.0.15 ZADD + ZSCORE / ZINCRBY */
	assert_string_equal(zscore("1.1"), "1.1000000000000001");
	assert_string_equal(zscore("0.1"), "0.10000000000000001");
	assert_string_equal(zscore("0.3"), "0.29999999999999999");
	assert_string_equal(zscore("2.5"), "2.5");
	assert_string_equal(zscore("-1.5e-7"), "-1.4999999999999999e-07");
	assert_string_equal(zscore("-2.5e-5"), "-2.5000000000000001e-05");
	assert_string_equal(zscore("1e22"), "1e+22");
	assert_string_equal(zscore("1e15"), "1000000000000000");
	assert_string_equal(zscore("1e16"), "10000000000000000");
	assert_string_equal(zscore("1e17"), "1e+17");
	assert_string_equal(zscore("123456789012345678"), "1.2345678901234568e+17");
	assert_string_equal(zscore("123456789012345.6"), "123456789012345.59");
	assert_string_equal(zscore("4503599627370496"), "4503599627370496");
	assert_string_equal(zscore("9007199254740993"), "9007199254740992");
	assert_string_equal(zscore("-9007199254740992"), "-9007199254740992");
	assert_string_equal(zscore("1.7976931348623157e308"),
			    "1.7976931348623157e+308");
	assert_string_equal(zscore("5e-324"), "4.9406564584124654e-324");
	assert_string_equal(zscore("1e-310"), "9.9999999999999694e-311");
	assert_string_equal(zscore("2.2250738585072014e-308"),
			    "2.2250738585072014e-308");
	assert_string_equal(zscore("3.0e3"), "3000");
	assert_string_equal(zscore("0x10"), "16");
	assert_string_equal(zscore(".5"), "0.5");
	assert_string_equal(zscore("inf"), "inf");
	assert_string_equal(zscore("+inf"), "inf");
	assert_string_equal(zscore("-inf"), "-inf");
	assert_string_equal(zscore("Infinity"), "inf");
	assert_string_equal(d2s(1.0 + 0.1), "1.1000000000000001"); /* ZINCRBY */
	assert_string_equal(d2s(0.0), "0");
	assert_string_equal(d2s(-0.0), "-0");		/* addReplyDouble */
	assert_string_equal(d2s(-3.0), "-3");
	assert_string_equal(d2s(9007199254740991.0), "9007199254740991");
	assert_string_equal(d2s(-9007199254740991.0), "-9007199254740991");
	assert_string_equal(d2s(1e300), "1.0000000000000001e+300");
	/* every integral value formats like "%.17g" */
	for (double v = -3e6; v < 3e6; v += 997.0) {
		char want[64];

		snprintf(want, sizeof(want), "%.17g", v);
		assert_string_equal(d2s(v), want);
	}
}

/* ---- st_glob_match ------------------------------------------------------ */

static int
gm(const char *pat, const char *s)
{
	return st_glob_match(pat, strlen(pat), s, strlen(s), false);
}

static int
gmi(const char *pat, const char *s)
{
	return st_glob_match(pat, strlen(pat), s, strlen(s), true);
}

static void
test_glob(void **state)
{
	char *s, *p;

	(void)state;
	/* KEYS with pattern (Redis keyspace.tcl) */
	assert_true(gm("foo*", "foo_a"));
	assert_true(gm("foo*", "foo"));
	assert_false(gm("foo*", "key_x"));
	assert_true(gm("*", "anything"));
	/* as stringmatchlen: "*" does not match "" (KEYS and SCAN special-case
	 * a lone "*"; KEYS ** does not list the empty key) */
	assert_false(gm("*", ""));
	assert_false(gm("**", ""));
	assert_true(gm("a*", "a"));
	assert_false(gm("?", ""));
	assert_true(gm("", ""));
	assert_false(gm("", "a"));
	/* util.c stringmatch examples */
	assert_true(gm("h?llo", "hello"));
	assert_true(gm("h?llo", "hallo"));
	assert_false(gm("h?llo", "hllo"));
	assert_true(gm("h*llo", "hllo"));
	assert_true(gm("h*llo", "heeeello"));
	assert_true(gm("h[ae]llo", "hello"));
	assert_true(gm("h[ae]llo", "hallo"));
	assert_false(gm("h[ae]llo", "hillo"));
	assert_true(gm("h[^e]llo", "hallo"));
	assert_false(gm("h[^e]llo", "hello"));
	assert_true(gm("h[a-b]llo", "hbllo"));
	assert_false(gm("h[a-b]llo", "hcllo"));
	assert_true(gm("h[b-a]llo", "hallo"));	/* reversed range */
	assert_true(gm("h\\*llo", "h*llo"));
	assert_false(gm("h\\*llo", "hello"));
	assert_true(gm("\\?", "?"));
	assert_false(gm("\\?", "a"));
	assert_true(gm("a\\", "a\\"));		/* trailing backslash: literal */
	assert_true(gm("[\\]]", "]"));
	assert_true(gm("[\\-]", "-"));
	assert_true(gm("[a-]", "a"));
	assert_false(gm("[a-]", "-"));	/* a range a..']' (Redis quirk) */
	assert_true(gm("[a-]", "^"));
	assert_true(gm("[]", "]") == 0);
	/* unterminated class: what was seen so far */
	assert_true(gm("[a", "a"));
	assert_false(gm("[a", "b"));
	assert_true(gm("[^", "x"));
	assert_false(gm("[", "x"));
	assert_true(gm("a**b", "ab"));
	assert_true(gm("a*b*c", "axxbyyc"));
	assert_false(gm("a*b*c", "axxbyy"));
	assert_true(gm("*a*", "bab"));
	assert_true(gm("a*", "a"));
	assert_true(gm("a***", "a"));
	/* case */
	assert_false(gm("HELLO", "hello"));
	assert_true(gmi("HELLO", "hello"));
	assert_true(gmi("h[A-C]llo", "hbllo"));
	assert_true(gmi("h[a-c]llo", "hBllo"));
	assert_true(gmi("[X]", "x"));
	/* binary: high bytes compare as signed char in ranges, as Redis */
	assert_true(st_glob_match("a\0b", 3, "a\0b", 3, false));
	assert_false(st_glob_match("a\0b", 3, "a", 1, false));
	assert_true(gm("[\x80-\xff]", "\x90"));
	assert_false(gm("[a-\xff]", "b"));	/* -1..97 */
	assert_true(gm("[a-\xff]", "\xff"));
	assert_true(gm("[a-\xff]", "0"));
	/* Regression for pattern matching long nested loops (keyspace.tcl) */
	assert_false(gm("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	/* nesting limit (7.0.15): 1000 nested '*' match, 1001 never do */
	s = malloc(50001);
	p = malloc(100001);
	memset(s, 'a', 50000);
	s[50000] = '\0';
	for (int i = 0; i < 50000; i++) {
		p[2 * i] = '*';
		p[2 * i + 1] = '?';
	}
	assert_true(st_glob_match(p, 2000, s, 1000, false));
	assert_false(st_glob_match(p, 2002, s, 1001, false));
	assert_false(st_glob_match(p, 100000, s, 50000, false));
	assert_true(st_glob_match(p, 100000, "*", 1, false) == 0);
	memset(p, '*', 5000);
	assert_true(st_glob_match(p, 5000, s, 5000, false));	/* stars fold */
	free(s);
	free(p);
}

/* ---- st_hash64 ---------------------------------------------------------- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_hash64(void **state)
{
	uint8_t data[256];
	uint64_t seen[1024];
	int n = 0;
	long flips = 0, trials = 0;

	(void)state;
	for (int i = 0; i < 256; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	/* deterministic, and independent of alignment */
	assert_true(st_hash64("hello", 5) == st_hash64("hello", 5));
	{
		char al[40];

		memcpy(al + 1, data, 33);
		assert_true(st_hash64(al + 1, 33) == st_hash64(data, 33));
	}
	/* every prefix length gives a distinct hash */
	for (int len = 0; len <= 256; len++) {
		uint64_t h = st_hash64(data, len);

		for (int j = 0; j < n; j++)
			assert_true(seen[j] != h);
		seen[n++] = h;
	}
	/* zero-filled keys of different lengths differ too */
	memset(data, 0, sizeof(data));
	n = 0;
	for (int len = 0; len <= 64; len++) {
		uint64_t h = st_hash64(data, len);

		for (int j = 0; j < n; j++)
			assert_true(seen[j] != h);
		seen[n++] = h;
	}
	/* avalanche: one flipped input bit flips about half the output */
	for (int len = 1; len <= 80; len += 3) {
		for (int t = 0; t < 8; t++) {
			for (int i = 0; i < len; i++)
				data[i] = (uint8_t)st_rand64();
			for (int bit = 0; bit < len * 8; bit += 5) {
				uint64_t a = st_hash64(data, len), b;

				data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				b = st_hash64(data, len);
				data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				assert_true(a != b);
				flips += __builtin_popcountll(a ^ b);
				trials++;
			}
		}
	}
	assert_true(flips > trials * 30 && flips < trials * 34);
	/* typical keys: no collisions among 100k "key:N" */
	{
		enum { NK = 100000 };
		uint64_t *h = malloc(NK * sizeof(*h));
		char k[32];

		for (int i = 0; i < NK; i++)
			h[i] = st_hash64(k, snprintf(k, sizeof(k), "key:%d", i));
		qsort(h, NK, sizeof(*h), u64_cmp);
		for (int i = 1; i < NK; i++)
			assert_true(h[i] != h[i - 1]);
		free(h);
	}
}

/* ---- st_rand64 / clock -------------------------------------------------- */

static void *
rand_thread(void *arg)
{
	uint64_t *out = arg;

	out[0] = st_rand64();
	out[1] = st_rand64();
	return NULL;
}

static void
test_rand64(void **state)
{
	uint64_t a[2], b[2];
	pthread_t t1, t2;
	int ones = 0;
	uint64_t prev = st_rand64();

	(void)state;
	for (int i = 0; i < 10000; i++) {
		uint64_t v = st_rand64();

		assert_true(v != prev);
		ones += __builtin_popcountll(v);
		prev = v;
	}
	/* about 32 bits set per value */
	assert_true(ones > 10000 * 31 && ones < 10000 * 33);
	/* each thread has its own sequence */
	assert_int_equal(pthread_create(&t1, NULL, rand_thread, a), 0);
	assert_int_equal(pthread_create(&t2, NULL, rand_thread, b), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_true(a[0] != b[0] && a[1] != b[1] && a[0] != a[1]);
}

static void
test_clock(void **state)
{
	int64_t ms, us, now;

	(void)state;
	now = (int64_t)time(NULL);
	ms = st_mstime();
	us = st_ustime();
	assert_true(ms / 1000 >= now - 1 && ms / 1000 <= now + 1);
	assert_true(us / 1000 >= ms && us / 1000 <= ms + 1000);
	assert_true(st_ustime() >= us);
}

/* ---- st_buf ------------------------------------------------------------- */

/* Borrowed memory (resp_server.c lends the TCP send queue's tail): appends
 * land in it; outgrowing it moves the bytes to the buffer's own heap;
 * unborrow gives the buffer its own storage back; nothing leaks or is
 * freed that was lent. */
static void
test_buf_borrow(void **state)
{
	struct st_buf b, save;
	char lent[16], *own;
	size_t n = 99;
	int64_t mem0;

	(void)state;
	/* st_buf_printf: appends, any length (INFO lines, SIGUSR1 dumps) */
	st_buf_init(&b);
	st_buf_printf(&b, "a:%d,", 1);
	st_buf_printf(&b, "%s", "");
	st_buf_printf(&b, "b:%0600d", 7);
	assert_int_equal(b.len, 4 + 2 + 600);
	assert_memory_equal(b.p, "a:1,b:000", 9);
	assert_int_equal(b.p[b.len - 1], '7');
	st_buf_free(&b);
	st_buf_init(&b);
	st_buf_append(&b, "own", 3);
	st_buf_reset(&b);
	own = b.p;
	mem0 = st_mem_used();
	/* fits: written in place, own storage back untouched */
	memset(lent, 0, sizeof(lent));
	st_buf_borrow(&b, lent, sizeof(lent), &save);
	assert_ptr_equal(b.p, lent);
	st_buf_append(&b, "+OK\r\n", 5);
	st_buf_putc(&b, ':');
	assert_memory_equal(lent, "+OK\r\n:", 6);
	st_buf_shrink(&b);			/* never frees lent memory */
	assert_ptr_equal(b.p, lent);
	assert_true(st_buf_unborrow(&b, &save, &n));
	assert_int_equal(n, 6);
	assert_ptr_equal(b.p, own);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.ext, 0);
	assert_true(st_mem_used() == mem0);
	/* outgrows: the bytes move to the heap, the parked storage is freed */
	st_buf_borrow(&b, lent, sizeof(lent), &save);
	st_buf_append(&b, "0123456789", 10);
	st_buf_append(&b, "abcdefghij", 10);
	assert_int_equal(b.ext, 0);
	assert_true(b.p != lent);
	assert_int_equal(b.len, 20);
	assert_memory_equal(b.p, "0123456789abcdefghij", 20);
	assert_memory_equal(lent, "0123456789", 10);	/* left as it was */
	assert_false(st_buf_unborrow(&b, &save, &n));
	assert_int_equal(n, 0);
	assert_int_equal(b.len, 20);
	assert_memory_equal(b.p, "0123456789abcdefghij", 20);
	st_buf_free(&b);
	/* freeing a buffer while it borrows releases nothing of mem */
	st_buf_borrow(&b, lent, sizeof(lent), &save);
	st_buf_append(&b, "x", 1);
	st_buf_free(&b);
	assert_null(b.p);
	st_buf_free(&save);
	assert_true(st_mem_used() <= mem0);
}

static void
test_buf(void **state)
{
	struct st_buf b;
	int64_t mem0 = st_mem_used();
	size_t caps[8];
	int ncaps = 0;

	(void)state;
	st_buf_init(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	st_buf_append(&b, "hello", 5);
	st_buf_putc(&b, ' ');
	st_buf_append(&b, "world", 5);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.p, "hello world", 11);
	assert_true(b.cap >= 11);
	assert_true(st_mem_used() > mem0);
	st_buf_consume(&b, 6);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "world", 5);
	st_buf_consume(&b, 5);
	assert_int_equal(b.len, 0);
	/* geometric growth: few reallocations for 1 MB of single bytes */
	for (int i = 0; i < (1 << 20); i++) {
		size_t cap = b.cap;

		st_buf_putc(&b, (char)i);
		if (b.cap != cap) {
			if (ncaps < 8)
				caps[ncaps] = b.cap;
			ncaps++;
			assert_true(b.cap >= 2 * cap);
		}
	}
	assert_true(ncaps <= 16);
	assert_true(caps[0] >= 64);
	for (int i = 0; i < (1 << 20); i += 4099)
		assert_int_equal((unsigned char)b.p[i], (unsigned char)i);
	/* reserve makes room without changing len; a big reservation is not
	 * rounded up to twice its size */
	st_buf_reset(&b);
	st_buf_reserve(&b, 3 << 20);
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= (3u << 20) && b.cap < (3u << 20) + 65536);
	/* shrink: mostly empty big buffer gets smaller, keeps its bytes */
	st_buf_append(&b, "abc", 3);
	st_buf_shrink(&b);
	assert_true(b.cap < (1u << 20));
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.p, "abc", 3);
	/* shrink: big empty buffer is freed */
	st_buf_reserve(&b, 1 << 20);
	st_buf_reset(&b);
	st_buf_shrink(&b);
	assert_null(b.p);
	assert_int_equal(b.cap, 0);
	/* shrink: a small buffer is left alone */
	st_buf_append(&b, "xy", 2);
	{
		char *keep = b.p;

		st_buf_reset(&b);
		st_buf_shrink(&b);
		assert_ptr_equal(b.p, keep);
	}
	/* shrink: a big full buffer is left alone */
	st_buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		st_buf_putc(&b, 'z');
	{
		size_t cap = b.cap;

		st_buf_shrink(&b);
		assert_int_equal(b.cap, cap);
	}
	st_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_true(st_mem_used() == mem0);
	/* appending nothing to an empty buffer allocates nothing */
	st_buf_append(&b, "", 0);
	assert_null(b.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str2ll),
		cmocka_unit_test(test_str2ull),
		cmocka_unit_test(test_str2ld),
		cmocka_unit_test(test_str2d),
		cmocka_unit_test(test_ll2str),
		cmocka_unit_test(test_ld2str_human),
		cmocka_unit_test(test_d2str),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_hash64),
		cmocka_unit_test(test_rand64),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_borrow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
