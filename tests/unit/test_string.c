/*
 * test_string.c -- the string commands (cmd_string.c) end to end.
 *
 * Every command goes through the whole path (RESP encode -> parser ->
 * dispatcher -> handler -> composer) and the raw reply bytes are compared
 * with those of stock redis-server 7.0.15 for the same sequence of commands.
 * TTLs and encodings are read through the keyspace API (keyspace.h), and
 * what each write hands on is captured with a write-log sink (wlog.h).
 *
 * The tests depend only on the string and list families: the database is
 * emptied through the keyspace API (all stripes locked, st_db_flush).
 */
#include "harness.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyspace.h"
#include "object.h"
#include "util.h"
#include "wlog.h"

#define OK "+OK\r\n"
#define NIL "$-1\r\n"
#define EMPTY "$0\r\n\r\n"
#define WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
#define NOTINT "-ERR value is not an integer or out of range\r\n"
#define NOTFLOAT "-ERR value is not a valid float\r\n"
#define SYNTAX "-ERR syntax error\r\n"
#define OVERFLOW "-ERR increment or decrement would overflow\r\n"
#define NANINF "-ERR increment would produce NaN or Infinity\r\n"
#define EXPIRE_ERR(cmd) "-ERR invalid expire time in '" cmd "' command\r\n"
#define ARITY(cmd) "-ERR wrong number of arguments for '" cmd "' command\r\n"
#define TOOBIG "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"

static struct st_client *tc;

/* ---- helpers ------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	th_flush_store();
	tc = th_client();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	st_client_free(tc);
	tc = NULL;
	return 0;
}

/* Absolute expire time of a key in ms; -1 no TTL, -2 no such key. */
static int64_t
expire_of(struct st_client *c, const char *key)
{
	unsigned s = st_stripe_of(st_key_hash(key, strlen(key)));
	struct st_entry *e;
	int64_t when;

	st_stripe_lock(s);
	c->cmd_time_ms = st_mstime();
	e = st_lookup_nostats(c, key, strlen(key));
	when = e ? st_get_expire(e) : -2;
	st_stripe_unlock(s);
	return when;
}

/* Remaining TTL in ms as PTTL would report it: -1 none, -2 missing. */
static int64_t
pttl(struct st_client *c, const char *key)
{
	int64_t when = expire_of(c, key);

	return when < 0 ? when : when - st_mstime();
}

/* Encoding of a key's value (enum st_encoding), -1 if missing. */
static int
enc_of(struct st_client *c, const char *key)
{
	unsigned s = st_stripe_of(st_key_hash(key, strlen(key)));
	struct st_entry *e;
	int enc;

	st_stripe_lock(s);
	c->cmd_time_ms = st_mstime();
	e = st_lookup_nostats(c, key, strlen(key));
	enc = e ? st_entry_value(e)->enc : -1;
	st_stripe_unlock(s);
	return enc;
}

static void
ttl_between_at(const char *file, int line, struct st_client *c, const char *key,
	       int64_t lo, int64_t hi)
{
	int64_t t = pttl(c, key);

	if (t < lo || t > hi)
		print_error("PTTL %s = %lld, expected in [%lld, %lld]\n", key,
			    (long long)t, (long long)lo, (long long)hi);
	_assert_true(t >= lo && t <= hi, "ttl in range", file, line);
}

/* The key's remaining TTL in ms is in [lo, hi]. */
#define assert_ttl_between(c, key, lo, hi) \
	ttl_between_at(__FILE__, __LINE__, (c), (key), (lo), (hi))

/* ---- GET / SET ----------------------------------------------------------- */

static void
t_get_set_basic(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, NIL, "GET", "nokey");
	th_expect(c, OK, "SET", "k", "v");
	th_expect(c, "$1\r\nv\r\n", "GET", "k");
	th_expect(c, OK, "set", "k", "v2", "xx");
	th_expect(c, "$2\r\nv2\r\n", "GET", "k");
	th_expect(c, NIL, "SET", "k2", "v", "XX");
	th_expect(c, NIL, "GET", "k2");
	th_expect(c, OK, "SET", "k3", "v", "NX");
	th_expect(c, NIL, "SET", "k3", "w", "nx");
	th_expect(c, "$1\r\nv\r\n", "GET", "k3");
	/* empty and binary values */
	th_expect(c, OK, "SET", "e", "");
	th_expect(c, EMPTY, "GET", "e");
	{
		const char *argv[] = { "SET", "bin", "a\0b\r\nc" };
		const size_t lens[] = { 3, 3, 6 };

		assert_string_equal(th_cmdv(c, 3, argv, lens), OK);
		th_expect_bin(c, "$6\r\na\0b\r\nc\r\n", 12, "GET", "bin");
	}
	/* SET overwrites any type */
	th_expect(c, ":2\r\n", "RPUSH", "lst", "a", "b");
	th_expect(c, OK, "SET", "lst", "v");
	th_expect(c, "$1\r\nv\r\n", "GET", "lst");
	th_expect(c, ":2\r\n", "RPUSH", "l2", "a", "b");
	th_expect(c, WRONGTYPE, "GET", "l2");
	/* arity and unknown options */
	th_expect(c, ARITY("set"), "SET");
	th_expect(c, ARITY("set"), "SET", "k");
	th_expect(c, ARITY("get"), "GET");
	th_expect(c, ARITY("get"), "GET", "a", "b");
	th_expect(c, SYNTAX, "SET", "k", "v", "foo");
	th_expect(c, "$2\r\nv2\r\n", "GET", "k");
}

static void
t_set_option_syntax(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "v");
	/* mutually exclusive options */
	th_expect(c, SYNTAX, "SET", "k", "w", "NX", "XX");
	th_expect(c, SYNTAX, "SET", "k", "w", "xx", "nx");
	th_expect(c, SYNTAX, "SET", "k", "w", "KEEPTTL", "EX", "10");
	th_expect(c, SYNTAX, "SET", "k", "w", "EX", "10", "KEEPTTL");
	th_expect(c, SYNTAX, "SET", "k", "w", "PX", "10", "KEEPTTL");
	th_expect(c, SYNTAX, "SET", "k", "w", "KEEPTTL", "PXAT", "10");
	th_expect(c, SYNTAX, "SET", "k", "w", "EX", "10", "PX", "20");
	th_expect(c, SYNTAX, "SET", "k", "w", "EXAT", "10", "PXAT", "20");
	th_expect(c, SYNTAX, "SET", "k", "w", "PX", "10", "EXAT", "20");
	/* an expire option without its value */
	th_expect(c, SYNTAX, "SET", "k", "w", "EX");
	th_expect(c, SYNTAX, "SET", "k", "w", "GET", "EX");
	th_expect(c, SYNTAX, "SET", "k", "w", "PXAT");
	th_expect(c, "$1\r\nv\r\n", "GET", "k");
	/* repeating an option is accepted (Redis 7.0 checks only conflicts) */
	th_expect(c, NIL, "SET", "k", "w", "NX", "NX");
	th_expect(c, "$1\r\nv\r\n", "GET", "k");
	th_expect(c, OK, "SET", "k2", "w", "NX", "NX");
	th_expect(c, "$1\r\nw\r\n", "GET", "k2");
	th_expect(c, OK, "SET", "k", "w", "XX", "XX");
	th_expect(c, OK, "SET", "k", "x", "KEEPTTL", "KEEPTTL");
	th_expect(c, "$1\r\nx\r\n", "SET", "k", "y", "GET", "GET");
	th_expect(c, "$1\r\ny\r\n", "GET", "k");
}

/* The same expire option twice: accepted, the last one wins (Redis 7.0's
 * parser only refuses a different expire option). */
static void
t_set_repeated_expire(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "v", "EX", "10", "EX", "20");
	assert_ttl_between(c, "k", 19000, 20000);
	th_expect(c, OK, "SET", "k", "v", "PX", "100000", "PX", "200000");
	assert_ttl_between(c, "k", 199000, 200000);
	th_expect(c, OK, "SET", "k", "v", "EXAT", "99999999998", "EXAT", "99999999999");
	assert_int_equal(expire_of(c, "k"), 99999999999000LL);
	th_expect(c, OK, "SET", "k", "v", "PXAT", "99999999999998", "pxat", "99999999999999");
	assert_int_equal(expire_of(c, "k"), 99999999999999LL);
	/* only the last value counts, good or bad */
	th_expect(c, OK, "SET", "k", "w", "EX", "0", "EX", "10");
	assert_ttl_between(c, "k", 9000, 10000);
	th_expect(c, OK, "SET", "k", "x", "EX", "abc", "EX", "30");
	assert_ttl_between(c, "k", 29000, 30000);
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "y", "EX", "10", "EX", "0");
	th_expect(c, "$1\r\nx\r\n", "GET", "k");
}

static void
t_set_expire_errors(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "old", "EX", "1000");
	/* none of these touches the key */
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "0");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "-1");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "abc");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "1.5");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", " 1");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "+1");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "01");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "");
	th_expect(c, NOTINT, "SET", "k", "v", "EX", "9223372036854775808");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "9223372036854775807");
	/* seconds * 1000 fits, but adding "now" overflows */
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "9223372036854775");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "9223372036854776");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "PX", "0");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "PX", "-100");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "PX", "9223372036854775807");
	th_expect(c, NOTINT, "SET", "k", "v", "PX", "1e3");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EXAT", "0");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EXAT", "-5");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EXAT", "9223372036854775807");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "PXAT", "0");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "PXAT", "-5");
	th_expect(c, NOTINT, "SET", "k", "v", "PXAT", "abc");
	/* a syntax error is reported before a bad number */
	th_expect(c, SYNTAX, "SET", "k", "v", "EX", "abc", "PX", "1");
	th_expect(c, "$3\r\nold\r\n", "GET", "k");
	assert_ttl_between(c, "k", 990000, 1000000);
	/* the errors of the other spellings of SET */
	th_expect(c, EXPIRE_ERR("setex"), "SETEX", "se", "0", "v");
	th_expect(c, EXPIRE_ERR("setex"), "SETEX", "se", "-1", "v");
	th_expect(c, NOTINT, "SETEX", "se", "abc", "v");
	th_expect(c, EXPIRE_ERR("setex"), "SETEX", "se", "9223372036854775807", "v");
	th_expect(c, EXPIRE_ERR("psetex"), "PSETEX", "se", "0", "v");
	th_expect(c, EXPIRE_ERR("psetex"), "PSETEX", "se", "-10", "v");
	th_expect(c, NOTINT, "PSETEX", "se", "abc", "v");
	th_expect(c, EXPIRE_ERR("psetex"), "PSETEX", "se", "9223372036854775807", "v");
	th_expect(c, NIL, "GET", "se");
	th_expect(c, ARITY("setex"), "SETEX", "se", "10");
	th_expect(c, ARITY("psetex"), "PSETEX", "se", "10");
}

static void
t_set_expire_values(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "v", "EX", "100");
	assert_ttl_between(c, "k", 99000, 100000);
	th_expect(c, OK, "SET", "k", "v", "px", "1500");
	assert_ttl_between(c, "k", 500, 1500);
	th_expect(c, OK, "SET", "k", "v", "EXAT", "99999999999");
	assert_int_equal(expire_of(c, "k"), 99999999999000LL);
	th_expect(c, OK, "SET", "k", "v", "PXAT", "99999999999999");
	assert_int_equal(expire_of(c, "k"), 99999999999999LL);
	/* the largest absolute time is accepted */
	th_expect(c, OK, "SET", "k", "v", "PXAT", "9223372036854775807");
	assert_int_equal(expire_of(c, "k"), LLONG_MAX);
	/* a plain SET clears the TTL, KEEPTTL keeps it */
	th_expect(c, OK, "SET", "k", "v", "EX", "100");
	th_expect(c, OK, "SET", "k", "w", "KEEPTTL");
	assert_ttl_between(c, "k", 99000, 100000);
	th_expect(c, "$1\r\nw\r\n", "SET", "k", "x", "GET", "KEEPTTL");
	assert_ttl_between(c, "k", 99000, 100000);
	th_expect(c, OK, "SET", "k", "y", "XX");
	assert_int_equal(pttl(c, "k"), -1);
	th_expect(c, OK, "SET", "k", "v", "XX", "EX", "50");
	assert_ttl_between(c, "k", 49000, 50000);
	th_expect(c, "$1\r\nv\r\n", "SET", "k", "z", "GET");
	assert_int_equal(pttl(c, "k"), -1);
	/* KEEPTTL on a new key: no TTL */
	th_expect(c, OK, "SET", "nk", "v", "KEEPTTL");
	assert_int_equal(pttl(c, "nk"), -1);
	/* an absolute time in the past: the key is gone at once */
	th_expect(c, OK, "SET", "past", "v", "PXAT", "1");
	th_expect(c, NIL, "GET", "past");
	th_expect(c, OK, "SET", "past", "v", "EXAT", "1");
	th_expect(c, NIL, "GET", "past");
	/* a short TTL runs out */
	th_expect(c, OK, "SET", "short", "v", "PX", "20");
	th_expect(c, "$1\r\nv\r\n", "GET", "short");
	th_sleep_ms(40);
	th_expect(c, NIL, "GET", "short");
	th_expect(c, NIL, "SET", "short", "v", "XX");	/* it expired */
	th_expect(c, NIL, "GET", "short");
}

static void
t_set_get_option(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, NIL, "SET", "k", "v", "GET");
	th_expect(c, "$1\r\nv\r\n", "SET", "k", "w", "GET");
	th_expect(c, "$1\r\nw\r\n", "GET", "k");
	/* on another type: WRONGTYPE and nothing changes */
	th_expect(c, ":2\r\n", "RPUSH", "lst", "a", "b");
	th_expect(c, WRONGTYPE, "SET", "lst", "v", "GET");
	th_expect(c, WRONGTYPE, "SET", "lst", "v", "NX", "GET");
	th_expect(c, WRONGTYPE, "SET", "lst", "v", "XX", "GET");
	th_expect(c, WRONGTYPE, "SET", "lst", "v", "GET", "EX", "100");
	th_expect(c, ":2\r\n", "LLEN", "lst");
	th_expect(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "LRANGE", "lst", "0", "-1");
	assert_int_equal(pttl(c, "lst"), -1);
	/* NX GET (allowed since 7.0): the old value, and no write if it exists */
	th_expect(c, "$1\r\nw\r\n", "SET", "k", "x", "NX", "GET");
	th_expect(c, "$1\r\nw\r\n", "GET", "k");
	th_expect(c, NIL, "SET", "k4", "w", "NX", "GET");
	th_expect(c, "$1\r\nw\r\n", "GET", "k4");
	/* XX GET */
	th_expect(c, "$1\r\nw\r\n", "SET", "k4", "x", "XX", "GET");
	th_expect(c, "$1\r\nx\r\n", "GET", "k4");
	th_expect(c, NIL, "SET", "k5", "x", "XX", "GET");
	th_expect(c, NIL, "GET", "k5");
	/* GET with an expire */
	th_expect(c, "$1\r\nx\r\n", "SET", "k4", "y", "EX", "100", "GET");
	assert_ttl_between(c, "k4", 99000, 100000);
	th_expect(c, "$1\r\ny\r\n", "GET", "k4");
	/* expire errors come first */
	th_expect(c, EXPIRE_ERR("set"), "SET", "k4", "z", "GET", "EX", "0");
	th_expect(c, EXPIRE_ERR("set"), "SET", "lst", "z", "GET", "EX", "0");
}

static void
t_setnx_setex(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, ":1\r\n", "SETNX", "sn", "1");
	th_expect(c, ":0\r\n", "SETNX", "sn", "2");
	th_expect(c, "$1\r\n1\r\n", "GET", "sn");
	th_expect(c, ARITY("setnx"), "SETNX", "sn");
	th_expect(c, ":1\r\n", "RPUSH", "l", "a");
	th_expect(c, ":0\r\n", "SETNX", "l", "x");
	th_expect(c, ":1\r\n", "LLEN", "l");

	th_expect(c, OK, "SETEX", "se", "100", "v");
	th_expect(c, "$1\r\nv\r\n", "GET", "se");
	assert_ttl_between(c, "se", 99000, 100000);
	th_expect(c, OK, "PSETEX", "pse", "100000", "v");
	assert_ttl_between(c, "pse", 99000, 100000);
	th_expect(c, OK, "SETEX", "se", "5", "w");
	assert_ttl_between(c, "se", 4000, 5000);
	/* SETEX overwrites another type */
	th_expect(c, OK, "SETEX", "l", "100", "v");
	th_expect(c, "$1\r\nv\r\n", "GET", "l");
	assert_ttl_between(c, "l", 99000, 100000);
	/* SETEX arguments are value after seconds, whatever they look like */
	th_expect(c, OK, "SETEX", "se", "10", "20");
	th_expect(c, "$2\r\n20\r\n", "GET", "se");
	assert_ttl_between(c, "se", 9000, 10000);
}

static void
t_mget_mset(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "v");
	th_expect(c, ":1\r\n", "RPUSH", "l2", "a");
	th_expect(c, "*4\r\n$1\r\nv\r\n$-1\r\n$-1\r\n$1\r\nv\r\n", "MGET", "k", "nokey", "l2", "k");
	th_expect(c, "*1\r\n$-1\r\n", "MGET", "nokey");
	th_expect(c, ARITY("mget"), "MGET");

	th_expect(c, OK, "MSET", "a", "1", "b", "2");
	th_expect(c, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "a", "b");
	th_expect(c, ARITY("mset"), "MSET", "a", "1", "b");
	th_expect(c, ARITY("mset"), "MSET", "a");
	th_expect(c, ARITY("msetnx"), "MSETNX", "a", "1", "b");
	/* the last of a repeated key wins */
	th_expect(c, OK, "MSET", "m4", "1", "m4", "2");
	th_expect(c, "$1\r\n2\r\n", "GET", "m4");
	/* MSET overwrites other types and clears TTLs */
	th_expect(c, OK, "SET", "t", "v", "EX", "100");
	th_expect(c, OK, "MSET", "t", "w", "l2", "x");
	assert_int_equal(pttl(c, "t"), -1);
	th_expect(c, "*2\r\n$1\r\nw\r\n$1\r\nx\r\n", "MGET", "t", "l2");

	/* MSETNX: all or nothing */
	th_expect(c, ":0\r\n", "MSETNX", "a", "5", "zz", "6");
	th_expect(c, "*2\r\n$1\r\n1\r\n$-1\r\n", "MGET", "a", "zz");
	th_expect(c, ":1\r\n", "MSETNX", "m1", "1", "m2", "2");
	th_expect(c, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "MGET", "m1", "m2");
	th_expect(c, ":1\r\n", "MSETNX", "m3", "1", "m3", "2");
	th_expect(c, "$1\r\n2\r\n", "GET", "m3");
	th_expect(c, ":1\r\n", "RPUSH", "l3", "a");
	th_expect(c, ":0\r\n", "MSETNX", "l3", "x");
	th_expect(c, ":1\r\n", "LLEN", "l3");
}

static void
t_getset_getdel(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, NIL, "GETSET", "gs", "new");
	th_expect(c, "$3\r\nnew\r\n", "GETSET", "gs", "newer");
	th_expect(c, "$5\r\nnewer\r\n", "GET", "gs");
	th_expect(c, ARITY("getset"), "GETSET", "gs");
	/* GETSET clears the TTL */
	th_expect(c, OK, "SET", "t", "v", "EX", "100");
	th_expect(c, "$1\r\nv\r\n", "GETSET", "t", "w");
	assert_int_equal(pttl(c, "t"), -1);
	th_expect(c, ":1\r\n", "RPUSH", "l2", "a");
	th_expect(c, WRONGTYPE, "GETSET", "l2", "v");
	th_expect(c, ":1\r\n", "LLEN", "l2");

	th_expect(c, "$5\r\nnewer\r\n", "GETDEL", "gs");
	th_expect(c, NIL, "GETDEL", "gs");
	th_expect(c, NIL, "GET", "gs");
	th_expect(c, WRONGTYPE, "GETDEL", "l2");
	th_expect(c, ":1\r\n", "LLEN", "l2");
	th_expect(c, ARITY("getdel"), "GETDEL");
	th_expect(c, OK, "SET", "t", "v", "EX", "100");
	th_expect(c, "$1\r\nv\r\n", "GETDEL", "t");
	assert_int_equal(expire_of(c, "t"), -2);
}

static void
t_getex(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "gx", "v");
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx");
	assert_int_equal(pttl(c, "gx"), -1);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "EX", "100");
	assert_ttl_between(c, "gx", 99000, 100000);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "px", "50000");
	assert_ttl_between(c, "gx", 49000, 50000);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "EXAT", "99999999999");
	assert_int_equal(expire_of(c, "gx"), 99999999999000LL);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "PXAT", "99999999999999");
	assert_int_equal(expire_of(c, "gx"), 99999999999999LL);
	/* no option leaves the TTL alone */
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx");
	assert_int_equal(expire_of(c, "gx"), 99999999999999LL);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "PERSIST");
	assert_int_equal(pttl(c, "gx"), -1);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "PERSIST");
	assert_int_equal(pttl(c, "gx"), -1);

	/* errors, on an existing string */
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "EX", "0");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "EX", "-1");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "PX", "0");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "EXAT", "0");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "PXAT", "0");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "EX", "9223372036854775807");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "PX", "9223372036854775807");
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "EXAT", "9223372036854775807");
	th_expect(c, NOTINT, "GETEX", "gx", "EX", "abc");
	th_expect(c, SYNTAX, "GETEX", "gx", "EX");
	th_expect(c, SYNTAX, "GETEX", "gx", "EX", "10", "PX", "10");
	th_expect(c, SYNTAX, "GETEX", "gx", "PERSIST", "EX", "10");
	th_expect(c, SYNTAX, "GETEX", "gx", "EX", "10", "PERSIST");
	th_expect(c, SYNTAX, "GETEX", "gx", "KEEPTTL");
	th_expect(c, SYNTAX, "GETEX", "gx", "NX");
	th_expect(c, SYNTAX, "GETEX", "gx", "GET");
	th_expect(c, SYNTAX, "GETEX", "gx", "foo");
	th_expect(c, ARITY("getex"), "GETEX");
	assert_int_equal(pttl(c, "gx"), -1);
	/* an absolute time in the past deletes the key, after replying */
	th_expect(c, OK, "SET", "gy", "v");
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gy", "PXAT", "1");
	th_expect(c, NIL, "GET", "gy");
	assert_int_equal(expire_of(c, "gy"), -2);
	th_expect(c, OK, "SET", "gy", "v");
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gy", "EXAT", "1");
	assert_int_equal(expire_of(c, "gy"), -2);
}

/* GETEX repeating an option: accepted, as SET. */
static void
t_getex_repeated(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "gx", "v");
	/* repeating an option is accepted, the last expire wins */
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "EX", "10", "EX", "20");
	assert_ttl_between(c, "gx", 19000, 20000);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "PERSIST", "PERSIST");
	assert_int_equal(pttl(c, "gx"), -1);
	th_expect(c, "$1\r\nv\r\n", "GETEX", "gx", "EX", "abc", "EX", "10");
	assert_ttl_between(c, "gx", 9000, 10000);
	th_expect(c, EXPIRE_ERR("getex"), "GETEX", "gx", "PX", "10", "PX", "0");
	assert_ttl_between(c, "gx", 9000, 10000);
}

/* GETEX looks the key up (nil / WRONGTYPE) before it checks the expire. */
static void
t_getex_lookup_first(void **state)
{
	struct st_client *c = tc;

	(void)state;
	/* missing key: nil, even with a bad expire (the key is looked up first) */
	th_expect(c, NIL, "GETEX", "nokey");
	th_expect(c, NIL, "GETEX", "nokey", "PERSIST");
	th_expect(c, NIL, "GETEX", "nokey", "EX", "100");
	th_expect(c, NIL, "GETEX", "nokey", "EX", "abc");
	th_expect(c, NIL, "GETEX", "nokey", "EX", "0");
	th_expect(c, SYNTAX, "GETEX", "nokey", "foo");
	assert_int_equal(expire_of(c, "nokey"), -2);
	/* other type: WRONGTYPE, also before a bad expire */
	th_expect(c, ":1\r\n", "RPUSH", "l", "a");
	th_expect(c, WRONGTYPE, "GETEX", "l");
	th_expect(c, WRONGTYPE, "GETEX", "l", "EX", "100");
	th_expect(c, WRONGTYPE, "GETEX", "l", "EX", "abc");
	th_expect(c, WRONGTYPE, "GETEX", "l", "PX", "0");
	assert_int_equal(pttl(c, "l"), -1);
}

/* ---- APPEND / STRLEN / GETRANGE / SETRANGE ------------------------------ */

static void
t_append_strlen(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, ":5\r\n", "APPEND", "ap", "hello");
	th_expect(c, ":11\r\n", "APPEND", "ap", " world");
	th_expect(c, "$11\r\nhello world\r\n", "GET", "ap");
	th_expect(c, ":11\r\n", "STRLEN", "ap");
	th_expect(c, ":11\r\n", "APPEND", "ap", "");
	th_expect(c, "$11\r\nhello world\r\n", "GET", "ap");
	/* APPEND of nothing still creates the key */
	th_expect(c, ":0\r\n", "APPEND", "ap2", "");
	th_expect(c, EMPTY, "GET", "ap2");
	assert_int_equal(expire_of(c, "ap2"), -1);
	/* integers: appending digits keeps an integer, a letter does not */
	th_expect(c, OK, "SET", "ai", "123");
	th_expect(c, ":5\r\n", "APPEND", "ai", "45");
	th_expect(c, "$5\r\n12345\r\n", "GET", "ai");
	th_expect(c, ":12346\r\n", "INCR", "ai");
	th_expect(c, ":6\r\n", "APPEND", "ai", "x");
	th_expect(c, "$6\r\n12346x\r\n", "GET", "ai");
	th_expect(c, NOTINT, "INCR", "ai");
	/* a long value built in pieces */
	th_expect(c, OK, "SET", "big", "");
	for (int i = 1; i <= 1000; i++) {
		char exp[32];

		snprintf(exp, sizeof(exp), ":%d\r\n", i * 10);
		assert_string_equal(th_cmd(c, "APPEND", "big", "0123456789", NULL), exp);
	}
	th_expect(c, ":10000\r\n", "STRLEN", "big");
	th_expect(c, "$10\r\n0123456789\r\n", "GETRANGE", "big", "9990", "-1");
	/* APPEND keeps the TTL */
	th_expect(c, OK, "SET", "t", "v", "EX", "100");
	th_expect(c, ":2\r\n", "APPEND", "t", "w");
	assert_ttl_between(c, "t", 99000, 100000);
	/* binary */
	{
		const char *argv[] = { "APPEND", "b", "\0\r\n" };
		const size_t lens[] = { 6, 1, 3 };

		assert_string_equal(th_cmdv(c, 3, argv, lens), ":3\r\n");
		assert_string_equal(th_cmdv(c, 3, argv, lens), ":6\r\n");
		th_expect_bin(c, "$6\r\n\0\r\n\0\r\n\r\n", 12, "GET", "b");
	}
	th_expect(c, ":1\r\n", "RPUSH", "al", "a");
	th_expect(c, WRONGTYPE, "APPEND", "al", "x");
	th_expect(c, ARITY("append"), "APPEND", "al");

	th_expect(c, ":0\r\n", "STRLEN", "nokey");
	th_expect(c, OK, "SET", "s", "12345");
	th_expect(c, ":5\r\n", "STRLEN", "s");
	th_expect(c, OK, "SET", "s", "-9223372036854775808");
	th_expect(c, ":20\r\n", "STRLEN", "s");
	th_expect(c, OK, "SET", "s", "");
	th_expect(c, ":0\r\n", "STRLEN", "s");
	th_expect(c, WRONGTYPE, "STRLEN", "al");
	th_expect(c, ARITY("strlen"), "STRLEN");
}

static void
t_getrange(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "r", "This is a string");
	th_expect(c, "$4\r\nThis\r\n", "GETRANGE", "r", "0", "3");
	th_expect(c, "$3\r\ning\r\n", "GETRANGE", "r", "-3", "-1");
	th_expect(c, "$16\r\nThis is a string\r\n", "GETRANGE", "r", "0", "-1");
	th_expect(c, "$6\r\nstring\r\n", "GETRANGE", "r", "10", "100");
	th_expect(c, EMPTY, "GETRANGE", "r", "5", "3");
	th_expect(c, EMPTY, "GETRANGE", "r", "-1", "-5");
	th_expect(c, "$1\r\nT\r\n", "GETRANGE", "r", "-100", "-50");
	th_expect(c, "$3\r\nThi\r\n", "GETRANGE", "r", "-100", "2");
	th_expect(c, EMPTY, "GETRANGE", "r", "100", "200");
	th_expect(c, "$1\r\nT\r\n", "GETRANGE", "r", "0", "0");
	th_expect(c, "$1\r\ng\r\n", "GETRANGE", "r", "-1", "-1");
	th_expect(c, "$1\r\ng\r\n", "GETRANGE", "r", "15", "15");
	th_expect(c, EMPTY, "GETRANGE", "r", "16", "16");
	th_expect(c, "$1\r\nT\r\n", "GETRANGE", "r", "-16", "-16");
	th_expect(c, "$1\r\nT\r\n", "GETRANGE", "r", "-17", "-17");
	th_expect(c, EMPTY, "GETRANGE", "r", "3", "-100");
	th_expect(c, "$16\r\nThis is a string\r\n", "GETRANGE", "r",
	          "-9223372036854775808", "9223372036854775807");
	th_expect(c, NOTINT, "GETRANGE", "r", "a", "1");
	th_expect(c, NOTINT, "GETRANGE", "r", "1", "b");
	th_expect(c, NOTINT, "GETRANGE", "r", "1.0", "2");
	th_expect(c, NOTINT, "GETRANGE", "r", "0", "9223372036854775808");
	th_expect(c, ARITY("getrange"), "GETRANGE", "r", "0");
	th_expect(c, NOTINT, "GETRANGE", "nokey", "a", "b");
	/* empty string */
	th_expect(c, OK, "SET", "e", "");
	th_expect(c, EMPTY, "GETRANGE", "e", "0", "-1");
	th_expect(c, EMPTY, "GETRANGE", "e", "-1", "0");
	/* integer-encoded */
	th_expect(c, OK, "SET", "ri", "12345");
	th_expect(c, "$2\r\n23\r\n", "GETRANGE", "ri", "1", "2");
	th_expect(c, "$5\r\n12345\r\n", "GETRANGE", "ri", "0", "-1");
	/* binary */
	{
		const char *argv[] = { "SET", "bin", "a\0b\0c" };
		const size_t lens[] = { 3, 3, 5 };

		assert_string_equal(th_cmdv(c, 3, argv, lens), OK);
		th_expect_bin(c, "$3\r\n\0b\0\r\n", 9, "GETRANGE", "bin", "1", "3");
	}
	th_expect(c, ":1\r\n", "RPUSH", "sl", "a");
	th_expect(c, WRONGTYPE, "GETRANGE", "sl", "0", "1");
	/* numbers are checked before the key */
	th_expect(c, NOTINT, "GETRANGE", "sl", "a", "1");
}

/* GETRANGE on a missing key: an empty bulk, "$0\r\n\r\n" (shared.emptybulk). */
static void
t_getrange_missing(void **state)
{
	struct st_client *c = tc;
	const char *r;

	(void)state;
	r = th_cmd(c, "GETRANGE", "nokey", "0", "-1", NULL);
	assert_int_equal(th_last_len(), 6);
	assert_memory_equal(r, "$0\r\n\r\n", 6);
	th_expect(c, EMPTY, "GETRANGE", "nokey", "5", "1");
	th_expect(c, EMPTY, "GETRANGE", "nokey", "-1", "-5");
	/* a pipeline: each reply complete, the next one right after it */
	{
		static const char req[] =
			"*4\r\n$8\r\nGETRANGE\r\n$5\r\nnokey\r\n$1\r\n0\r\n$2\r\n-1\r\n"
			"*2\r\n$3\r\nGET\r\n$5\r\nnokey\r\n";

		r = th_raw(c, req, sizeof(req) - 1);
		assert_int_equal(th_last_len(), 11);
		assert_memory_equal(r, "$0\r\n\r\n$-1\r\n", 11);
	}
}

static void
t_setrange(void **state)
{
	struct st_client *c = tc;
	const char *r;

	(void)state;
	/* missing key and nothing to write: 0, and no key is created */
	th_expect(c, ":0\r\n", "SETRANGE", "nk", "0", "");
	th_expect(c, ":0\r\n", "SETRANGE", "nk", "5", "");
	assert_int_equal(expire_of(c, "nk"), -2);
	/* padding with zero bytes */
	th_expect(c, ":6\r\n", "SETRANGE", "nk", "3", "abc");
	r = th_cmd(c, "GET", "nk", NULL);
	assert_int_equal(th_last_len(), 12);
	assert_memory_equal(r, "$6\r\n\0\0\0abc\r\n", 12);
	th_expect(c, ":6\r\n", "STRLEN", "nk");
	th_expect(c, "$1\r\na\r\n", "GETRANGE", "nk", "3", "3");
	/* errors */
	th_expect(c, "-ERR offset is out of range\r\n", "SETRANGE", "nk", "-1", "x");
	th_expect(c, NOTINT, "SETRANGE", "nk", "a", "x");
	th_expect(c, NOTINT, "SETRANGE", "nk", "9223372036854775808", "x");
	th_expect(c, TOOBIG, "SETRANGE", "nk", "536870912", "x");
	th_expect(c, TOOBIG, "SETRANGE", "nk", "536870911", "xy");
	th_expect(c, TOOBIG, "SETRANGE", "nk2", "536870912", "x");
	th_expect(c, ":6\r\n", "STRLEN", "nk");
	assert_int_equal(expire_of(c, "nk2"), -2);
	/* nothing to write on an existing key: its length, even past the end */
	th_expect(c, ":6\r\n", "SETRANGE", "nk", "536870911", "");
	th_expect(c, ARITY("setrange"), "SETRANGE", "nk", "1");

	/* overwrite in the middle, then past the end */
	th_expect(c, OK, "SET", "r", "This is a string");
	th_expect(c, ":16\r\n", "SETRANGE", "r", "5", "XX");
	th_expect(c, "$16\r\nThis XX a string\r\n", "GET", "r");
	th_expect(c, ":23\r\n", "SETRANGE", "r", "20", "end");
	r = th_cmd(c, "GET", "r", NULL);
	assert_int_equal(th_last_len(), 5 + 23 + 2);
	assert_memory_equal(r, "$23\r\nThis XX a string\0\0\0\0end\r\n", 5 + 23 + 2);
	th_expect(c, ":23\r\n", "SETRANGE", "r", "1", "");
	/* right at the end */
	th_expect(c, ":25\r\n", "SETRANGE", "r", "23", "!!");
	th_expect(c, "$5\r\nend!!\r\n", "GETRANGE", "r", "-5", "-1");
	/* type */
	th_expect(c, ":1\r\n", "RPUSH", "sl", "a");
	th_expect(c, WRONGTYPE, "SETRANGE", "sl", "0", "x");
	th_expect(c, WRONGTYPE, "SETRANGE", "sl", "0", "");
	th_expect(c, "-ERR offset is out of range\r\n", "SETRANGE", "sl", "-1", "");
	/* an integer stays usable by INCR */
	th_expect(c, OK, "SET", "ri", "12345");
	th_expect(c, ":5\r\n", "SETRANGE", "ri", "0", "9");
	th_expect(c, "$5\r\n92345\r\n", "GET", "ri");
	th_expect(c, ":92346\r\n", "INCR", "ri");
	th_expect(c, ":2\r\n", "SETRANGE", "nk3", "0", "42");
	th_expect(c, ":43\r\n", "INCR", "nk3");
	/* SETRANGE keeps the TTL */
	th_expect(c, OK, "SET", "t", "abc", "EX", "100");
	th_expect(c, ":3\r\n", "SETRANGE", "t", "0", "x");
	assert_ttl_between(c, "t", 99000, 100000);
	th_expect(c, "$3\r\nxbc\r\n", "GET", "t");
}

/* offset + length overflows a long long: too big, not a crash. */
static void
t_setrange_overflow(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "k", "abc");
	th_expect(c, TOOBIG, "SETRANGE", "k", "9223372036854775807", "x");
	th_expect(c, TOOBIG, "SETRANGE", "k", "9223372036854775800", "0123456789");
	th_expect(c, TOOBIG, "SETRANGE", "nk", "9223372036854775807", "x");
	th_expect(c, "$3\r\nabc\r\n", "GET", "k");
	assert_int_equal(expire_of(c, "nk"), -2);
}

/* ---- INCR family ----------------------------------------------------------- */

static void
t_incr_decr(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, ":1\r\n", "INCR", "cnt");
	th_expect(c, ":2\r\n", "INCR", "cnt");
	th_expect(c, ":1\r\n", "DECR", "cnt");
	th_expect(c, ":-1\r\n", "DECR", "cnt2");
	th_expect(c, ":11\r\n", "INCRBY", "cnt", "10");
	th_expect(c, ":-9\r\n", "INCRBY", "cnt", "-20");
	th_expect(c, ":-14\r\n", "DECRBY", "cnt", "5");
	th_expect(c, ":-9\r\n", "DECRBY", "cnt", "-5");
	th_expect(c, ":-9\r\n", "INCRBY", "cnt", "0");
	th_expect(c, "$2\r\n-9\r\n", "GET", "cnt");
	th_expect(c, ":5\r\n", "INCRBY", "new", "5");
	th_expect(c, ":-5\r\n", "DECRBY", "new2", "5");
	/* bad increments */
	th_expect(c, NOTINT, "INCRBY", "cnt", "abc");
	th_expect(c, NOTINT, "INCRBY", "cnt", "1.5");
	th_expect(c, NOTINT, "INCRBY", "cnt", " 1");
	th_expect(c, NOTINT, "INCRBY", "cnt", "01");
	th_expect(c, NOTINT, "INCRBY", "cnt", "");
	th_expect(c, NOTINT, "INCRBY", "cnt", "9223372036854775808");
	th_expect(c, NOTINT, "DECRBY", "cnt", "abc");
	th_expect(c, "$2\r\n-9\r\n", "GET", "cnt");
	/* values that are not canonical integers */
	{
		static const char *const bad[] = {
			"1.5", " 1", "1 ", "01", "+1", "-0", "", "00", "abc",
			"9223372036854775808", "-9223372036854775809",
			"12345678901234567890", "1e3", "0x10",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			th_expect(c, OK, "SET", "f", bad[i]);
			th_expect(c, NOTINT, "INCR", "f");
			th_expect(c, NOTINT, "DECR", "f");
			th_expect(c, NOTINT, "INCRBY", "f", "1");
			th_expect(c, NOTINT, "DECRBY", "f", "1");
		}
	}
	/* overflow */
	th_expect(c, OK, "SET", "f", "9223372036854775807");
	th_expect(c, OVERFLOW, "INCR", "f");
	th_expect(c, OVERFLOW, "INCRBY", "f", "1");
	th_expect(c, OVERFLOW, "DECRBY", "f", "-1");
	th_expect(c, ":9223372036854775807\r\n", "INCRBY", "f", "0");
	th_expect(c, ":9223372036854775806\r\n", "DECR", "f");
	th_expect(c, OK, "SET", "f", "-9223372036854775808");
	th_expect(c, OVERFLOW, "DECR", "f");
	th_expect(c, OVERFLOW, "INCRBY", "f", "-1");
	th_expect(c, OVERFLOW, "DECRBY", "f", "1");
	th_expect(c, "$20\r\n-9223372036854775808\r\n", "GET", "f");
	th_expect(c, ":-9223372036854775807\r\n", "INCR", "f");
	th_expect(c, OK, "SET", "f", "5");
	/* negating LLONG_MIN would overflow: its own message */
	th_expect(c, "-ERR decrement would overflow\r\n", "DECRBY", "f", "-9223372036854775808");
	th_expect(c, "-ERR decrement would overflow\r\n", "DECRBY", "nokey", "-9223372036854775808");
	th_expect(c, ":-9223372036854775803\r\n", "INCRBY", "f", "-9223372036854775808");
	th_expect(c, OK, "SET", "f", "-1");
	th_expect(c, ":-9223372036854775808\r\n", "DECRBY", "f", "9223372036854775807");
	th_expect(c, OVERFLOW, "DECRBY", "f", "1");
	th_expect(c, ":9223372036854775807\r\n", "INCRBY", "max", "9223372036854775807");
	th_expect(c, OVERFLOW, "INCR", "max");
	/* types and arity */
	th_expect(c, ":1\r\n", "RPUSH", "al", "a");
	th_expect(c, WRONGTYPE, "INCR", "al");
	th_expect(c, WRONGTYPE, "DECR", "al");
	th_expect(c, WRONGTYPE, "INCRBY", "al", "1");
	th_expect(c, WRONGTYPE, "DECRBY", "al", "1");
	th_expect(c, NOTINT, "INCRBY", "al", "x");
	th_expect(c, ARITY("incr"), "INCR");
	th_expect(c, ARITY("decr"), "DECR", "a", "b");
	th_expect(c, ARITY("incrby"), "INCRBY", "f");
	th_expect(c, ARITY("decrby"), "DECRBY", "f");
	/* INCR keeps the TTL */
	th_expect(c, OK, "SET", "t", "1", "EX", "100");
	th_expect(c, ":2\r\n", "INCR", "t");
	assert_ttl_between(c, "t", 99000, 100000);
}

static void
t_incrbyfloat(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "fl", "10.5");
	th_expect(c, "$4\r\n10.6\r\n", "INCRBYFLOAT", "fl", "0.1");
	th_expect(c, "$3\r\n5.6\r\n", "INCRBYFLOAT", "fl", "-5");
	th_expect(c, "$21\r\n205.60000000000000001\r\n", "INCRBYFLOAT", "fl", "2.0e2");
	th_expect(c, "$21\r\n205.60000000000000001\r\n", "GET", "fl");
	th_expect(c, OK, "SET", "fl", "5.0e3");
	th_expect(c, "$4\r\n5000\r\n", "INCRBYFLOAT", "fl", "0");
	th_expect(c, OK, "SET", "fl", "5.0e3");
	th_expect(c, "$22\r\n5000.00150000000000006\r\n", "INCRBYFLOAT", "fl", "1.5e-3");
	th_expect(c, "$4\r\n3000\r\n", "INCRBYFLOAT", "nf", "3000");
	th_expect(c, "$6\r\n0.0015\r\n", "INCRBYFLOAT", "nf2", "1.5e-3");
	th_expect(c, "$4\r\n10.6\r\n", "INCRBYFLOAT", "nf3", "10.6");
	th_expect(c, "$1\r\n0\r\n", "INCRBYFLOAT", "nf3", "-10.6");
	th_expect(c, "$3\r\n0.1\r\n", "INCRBYFLOAT", "nf4", "0.1");
	th_expect(c, "$3\r\n0.3\r\n", "INCRBYFLOAT", "nf4", "0.2");
	th_expect(c, "$1\r\n0\r\n", "INCRBYFLOAT", "nf5", "-0");
	th_expect(c, "$1\r\n0\r\n", "INCRBYFLOAT", "nf13", "-0.0");
	th_expect(c, "$4\r\n-1.5\r\n", "INCRBYFLOAT", "nf9", "-1.5");
	th_expect(c, "$30\r\n123456789012345678899921813504\r\n", "INCRBYFLOAT", "nf10",
	          "123456789012345678901234567890");
	th_expect(c, "$1\r\n0\r\n", "INCRBYFLOAT", "nf11", "0.00000000000000000001");
	th_expect(c, "$1\r\n1\r\n", "INCRBYFLOAT", "nf12", "1.0");
	th_expect(c, "$3\r\n0.5\r\n", "INCRBYFLOAT", "nf14", "5e-1");
	th_expect(c, "$3\r\n1.1\r\n", "INCRBYFLOAT", "nf15", "1.10");
	th_expect(c, "$2\r\n16\r\n", "INCRBYFLOAT", "hex", "0x10");
	/* huge values are written out in full */
	th_expect(c, "$301\r\n1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144\r\n",
	          "INCRBYFLOAT", "nf6", "1e300");
	/* stored values in other spellings */
	th_expect(c, OK, "SET", "sf", "1e3");
	th_expect(c, "$4\r\n1001\r\n", "INCRBYFLOAT", "sf", "1");
	th_expect(c, OK, "SET", "sf", "9223372036854775807");
	th_expect(c, "$19\r\n9223372036854775808\r\n", "INCRBYFLOAT", "sf", "1");
	th_expect(c, OK, "SET", "sf", "0.1");
	th_expect(c, "$3\r\n0.3\r\n", "INCRBYFLOAT", "sf", "0.2");
	th_expect(c, "$19\r\n1.53456789012345678\r\n", "INCRBYFLOAT", "sf", "1.23456789012345678");
	/* errors: bad increment, bad stored value, infinity, NaN */
	th_expect(c, NANINF, "INCRBYFLOAT", "nf8", "inf");
	th_expect(c, NANINF, "INCRBYFLOAT", "nf8", "-inf");
	th_expect(c, NANINF, "INCRBYFLOAT", "nf8", "+inf");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "nan");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "abc");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", " 1");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "1 ");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "1e5000");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "nf8", "1e-5000");
	th_expect(c, NIL, "GET", "nf8");
	th_expect(c, OK, "SET", "sf", "abc");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "sf", "1");
	th_expect(c, OK, "SET", "sf", " 1");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "sf", "1");
	/* the sum overflows to infinity: refused, value unchanged */
	th_expect(c, "$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n",
	          "INCRBYFLOAT", "nf7", "1.7976931348623157e308");
	th_expect(c, ":1\r\n", "RPUSH", "fl2", "a");
	th_expect(c, WRONGTYPE, "INCRBYFLOAT", "fl2", "1");
	th_expect(c, WRONGTYPE, "INCRBYFLOAT", "fl2", "abc");
	th_expect(c, ARITY("incrbyfloat"), "INCRBYFLOAT", "fl");
	/* INCRBYFLOAT keeps the TTL; its result is a plain string INCR can use */
	th_expect(c, OK, "SET", "t", "1", "EX", "100");
	th_expect(c, "$3\r\n3.5\r\n", "INCRBYFLOAT", "t", "2.5");
	assert_ttl_between(c, "t", 99000, 100000);
	th_expect(c, "$1\r\n4\r\n", "INCRBYFLOAT", "t", "0.5");
	th_expect(c, ":5\r\n", "INCR", "t");
}

/* OBJECT ENCODING as Redis 7.0 would report it. */
static void
t_encodings(void **state)
{
	struct st_client *c = tc;

	(void)state;
	th_expect(c, OK, "SET", "e", "123");
	assert_int_equal(enc_of(c, "e"), ST_ENC_INT);
	th_expect(c, OK, "SET", "e", "-9223372036854775808");
	assert_int_equal(enc_of(c, "e"), ST_ENC_INT);
	th_expect(c, OK, "SET", "e", "12345678901234567890");
	assert_int_equal(enc_of(c, "e"), ST_ENC_EMBSTR);
	th_expect(c, OK, "SET", "e", "01");
	assert_int_equal(enc_of(c, "e"), ST_ENC_EMBSTR);
	th_expect(c, OK, "SET", "e", "12345678901234567890123456789012345678901234");
	assert_int_equal(enc_of(c, "e"), ST_ENC_EMBSTR);
	th_expect(c, OK, "SET", "e", "123456789012345678901234567890123456789012345");
	assert_int_equal(enc_of(c, "e"), ST_ENC_RAW);
	/* APPEND creating a key encodes it; APPEND to a key makes it raw */
	th_expect(c, ":2\r\n", "APPEND", "e2", "12");
	assert_int_equal(enc_of(c, "e2"), ST_ENC_INT);
	th_expect(c, OK, "SET", "e3", "1");
	th_expect(c, ":2\r\n", "APPEND", "e3", "2");
	assert_int_equal(enc_of(c, "e3"), ST_ENC_RAW);
	th_expect(c, ":13\r\n", "INCR", "e3");
	assert_int_equal(enc_of(c, "e3"), ST_ENC_INT);
	th_expect(c, ":2\r\n", "SETRANGE", "e4", "0", "12");
	assert_int_equal(enc_of(c, "e4"), ST_ENC_RAW);
	th_expect(c, OK, "SET", "e5", "12");
	th_expect(c, ":2\r\n", "SETRANGE", "e5", "0", "3");
	assert_int_equal(enc_of(c, "e5"), ST_ENC_RAW);
	th_expect(c, OK, "SETEX", "e8", "100", "42");
	assert_int_equal(enc_of(c, "e8"), ST_ENC_INT);
	th_expect(c, OK, "MSET", "e9", "7");
	assert_int_equal(enc_of(c, "e9"), ST_ENC_INT);
	th_expect(c, "$1\r\n7\r\n", "GETSET", "e9", "8");
	assert_int_equal(enc_of(c, "e9"), ST_ENC_INT);
	th_expect(c, ":-1\r\n", "DECR", "nx1");
	assert_int_equal(enc_of(c, "nx1"), ST_ENC_INT);
	/* INCRBYFLOAT stores a plain string (createStringObjectFromLongDouble),
	 * even when the result looks like an integer */
	th_expect(c, "$4\r\n15.5\r\n", "INCRBYFLOAT", "e3", "2.5");
	assert_int_equal(enc_of(c, "e3"), ST_ENC_EMBSTR);
	th_expect(c, "$2\r\n16\r\n", "INCRBYFLOAT", "e3", "0.5");
	assert_int_equal(enc_of(c, "e3"), ST_ENC_EMBSTR);
	th_expect(c, ":17\r\n", "INCR", "e3");
	assert_int_equal(enc_of(c, "e3"), ST_ENC_INT);
}

/* ---- write log ------------------------------------------------------------- */

static int
wlog_setup(void **state)
{
	setup(state);
	th_cap_start();
	return 0;
}

static int
wlog_teardown(void **state)
{
	st_wlog_set_sink(NULL, NULL);
	return teardown(state);
}

/* Assert that exactly the records 'texts' were emitted since the last call. */
static void
expect_log_at(const char *file, int line, int from, const char *const *texts,
	      int n)
{
	if (th_cap.n - from != n) {
		print_error("write log: %d records, expected %d\n", th_cap.n - from, n);
		for (int i = from; i < th_cap.n; i++)
			print_error("  [%d] %s\n", i - from, th_cap.r[i].text);
	}
	_assert_int_equal(th_cap.n - from, n, file, line);
	for (int i = 0; i < n; i++) {
		if (strcmp(th_cap.r[from + i].text, texts[i]) != 0)
			print_error("record %d: \"%s\", expected \"%s\"\n", i,
				    th_cap.r[from + i].text, texts[i]);
		_assert_string_equal(th_cap.r[from + i].text, texts[i], file, line);
		_assert_int_equal(th_cap.r[from + i].ncmds, 1, file, line);
		_assert_int_equal(th_cap.r[from + i].db, 0, file, line);
	}
}

/* Usage: m = th_cap.n; <commands>; EXPECT_LOG(m, "SET k v", ...) asserts the
 * records emitted since, in order (each with one command, db 0). */
#define EXPECT_LOG(from, ...) do { \
	const char *const texts_[] = { __VA_ARGS__ }; \
	expect_log_at(__FILE__, __LINE__, (from), texts_, \
		      (int)(sizeof(texts_) / sizeof(texts_[0]))); \
} while (0)
#define EXPECT_NO_LOG(from) expect_log_at(__FILE__, __LINE__, (from), NULL, 0)

/*
 * Assert that exactly one record was emitted since 'from': "<prefix> <ms>"
 * with ms in [lo, hi] (relative TTLs rewritten as absolute times).
 */
static void
expect_abs_at(const char *file, int line, int from, const char *prefix,
	      int64_t lo, int64_t hi)
{
	size_t pl = strlen(prefix);
	const char *t;
	char *end;
	long long ms;

	if (th_cap.n - from != 1) {
		print_error("write log: %d records, expected 1\n", th_cap.n - from);
		for (int i = from; i < th_cap.n; i++)
			print_error("  [%d] %s\n", i - from, th_cap.r[i].text);
	}
	_assert_int_equal(th_cap.n - from, 1, file, line);
	t = th_cap.r[from].text;
	if (strncmp(t, prefix, pl) != 0 || t[pl] != ' ')
		print_error("record \"%s\", expected \"%s <ms>\"\n", t, prefix);
	_assert_true(strncmp(t, prefix, pl) == 0 && t[pl] == ' ', "prefix", file, line);
	ms = strtoll(t + pl + 1, &end, 10);
	_assert_true(*end == '\0', "number", file, line);
	if (ms < lo || ms > hi)
		print_error("record \"%s\": time not in [%lld, %lld]\n", t,
			    (long long)lo, (long long)hi);
	_assert_true(ms >= lo && ms <= hi, "time", file, line);
	_assert_int_equal(th_cap.r[from].ncmds, 1, file, line);
}

#define EXPECT_ABS(from, prefix, lo, hi) \
	expect_abs_at(__FILE__, __LINE__, (from), (prefix), (lo), (hi))

static void
t_wlog(void **state)
{
	struct st_client *c = tc;
	int64_t t0, t1;
	int m;

	(void)state;
	m = th_cap.n;
	th_expect(c, OK, "SET", "k", "v");
	EXPECT_LOG(m, "SET k v");

	/* relative TTLs become absolute: SET ... PXAT */
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, OK, "SET", "k", "v", "EX", "100");
	t1 = st_mstime();
	EXPECT_ABS(m, "SET k v PXAT", t0 + 100000, t1 + 100000);
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, OK, "SET", "k", "v", "PX", "1500", "XX");
	t1 = st_mstime();
	EXPECT_ABS(m, "SET k v PXAT", t0 + 1500, t1 + 1500);
	m = th_cap.n;
	th_expect(c, OK, "SET", "k", "v", "EXAT", "99999999999");
	EXPECT_LOG(m, "SET k v PXAT 99999999999000");
	m = th_cap.n;
	th_expect(c, OK, "SET", "k", "v", "PXAT", "99999999999999");
	EXPECT_LOG(m, "SET k v PXAT 99999999999999");
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, OK, "SETEX", "k", "100", "w");
	t1 = st_mstime();
	EXPECT_ABS(m, "SET k w PXAT", t0 + 100000, t1 + 100000);
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, OK, "PSETEX", "k", "2000", "x");
	t1 = st_mstime();
	EXPECT_ABS(m, "SET k x PXAT", t0 + 2000, t1 + 2000);
	m = th_cap.n;
	th_expect(c, OK, "SET", "k", "v", "KEEPTTL");
	EXPECT_LOG(m, "SET k v KEEPTTL");
	th_expect(c, OK, "SET", "k", "v");		/* no TTL from here on */

	/* writes that change nothing, and errors, log nothing */
	m = th_cap.n;
	th_expect(c, ":0\r\n", "SETNX", "k", "z");
	th_expect(c, NIL, "SET", "k", "z", "NX");
	th_expect(c, NIL, "SET", "nokey", "z", "XX");
	th_expect(c, "$1\r\nv\r\n", "SET", "k", "z", "NX", "GET");
	th_expect(c, EXPIRE_ERR("set"), "SET", "k", "v", "EX", "0");
	th_expect(c, SYNTAX, "SET", "k", "v", "NX", "XX");
	th_expect(c, ":0\r\n", "MSETNX", "k", "1", "new", "2");
	th_expect(c, NIL, "GETDEL", "nokey");
	th_expect(c, "$1\r\nv\r\n", "GETEX", "k");
	th_expect(c, "$1\r\nv\r\n", "GETEX", "k", "PERSIST");	/* had no TTL */
	th_expect(c, ":1\r\n", "SETRANGE", "k", "0", "");
	th_expect(c, "$1\r\nv\r\n", "GET", "k");
	th_expect(c, "*2\r\n$1\r\nv\r\n$-1\r\n", "MGET", "k", "nokey");
	th_expect(c, ":1\r\n", "STRLEN", "k");
	th_expect(c, "$1\r\nv\r\n", "GETRANGE", "k", "0", "-1");
	th_expect(c, NOTINT, "INCR", "k");
	th_expect(c, NOTFLOAT, "INCRBYFLOAT", "k", "1");
	EXPECT_NO_LOG(m);
	th_expect(c, OK, "SET", "max", "9223372036854775807");
	m = th_cap.n;
	th_expect(c, OVERFLOW, "INCR", "max");
	EXPECT_NO_LOG(m);

	/* SETNX that writes logs itself */
	m = th_cap.n;
	th_expect(c, ":1\r\n", "SETNX", "nx", "1");
	EXPECT_LOG(m, "SETNX nx 1");
	/* INCRBYFLOAT as SET ... KEEPTTL with the result */
	m = th_cap.n;
	th_expect(c, "$3\r\n2.5\r\n", "INCRBYFLOAT", "nx", "1.5");
	EXPECT_LOG(m, "SET nx 2.5 KEEPTTL");
	m = th_cap.n;
	th_expect(c, "$4\r\n5000\r\n", "INCRBYFLOAT", "fl", "5.0e3");
	EXPECT_LOG(m, "SET fl 5000 KEEPTTL");
	/* GETDEL as DEL */
	m = th_cap.n;
	th_expect(c, "$4\r\n5000\r\n", "GETDEL", "fl");
	EXPECT_LOG(m, "DEL fl");
	/* GETSET and SET ... GET as plain SET */
	m = th_cap.n;
	th_expect(c, "$1\r\nv\r\n", "GETSET", "k", "g");
	EXPECT_LOG(m, "SET k g");
	m = th_cap.n;
	th_expect(c, "$1\r\ng\r\n", "SET", "k", "h", "GET");
	EXPECT_LOG(m, "SET k h");
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, "$1\r\nh\r\n", "SET", "k", "i", "GET", "EX", "100");
	t1 = st_mstime();
	EXPECT_ABS(m, "SET k i PXAT", t0 + 100000, t1 + 100000);
	/* GETEX: PEXPIREAT, PERSIST, DEL */
	m = th_cap.n;
	t0 = st_mstime();
	th_expect(c, "$1\r\ni\r\n", "GETEX", "k", "EX", "100");
	t1 = st_mstime();
	EXPECT_ABS(m, "PEXPIREAT k", t0 + 100000, t1 + 100000);
	m = th_cap.n;
	th_expect(c, "$1\r\ni\r\n", "GETEX", "k", "PERSIST");
	EXPECT_LOG(m, "PERSIST k");
	m = th_cap.n;
	th_expect(c, "$1\r\ni\r\n", "GETEX", "k", "PXAT", "1");
	EXPECT_LOG(m, "DEL k");
	/* the rest replicate as sent */
	m = th_cap.n;
	th_expect(c, ":1\r\n", "INCR", "n");
	th_expect(c, ":11\r\n", "INCRBY", "n", "10");
	th_expect(c, ":10\r\n", "DECR", "n");
	th_expect(c, ":7\r\n", "DECRBY", "n", "3");
	th_expect(c, ":1\r\n", "APPEND", "n2", "x");
	th_expect(c, ":3\r\n", "SETRANGE", "n", "2", "y");
	th_expect(c, OK, "MSET", "a", "1", "b", "2");
	th_expect(c, ":1\r\n", "MSETNX", "c", "1", "d", "2");
	EXPECT_LOG(m, "INCR n", "INCRBY n 10", "DECR n", "DECRBY n 3", "APPEND n2 x",
		   "SETRANGE n 2 y", "MSET a 1 b 2", "MSETNX c 1 d 2");

	/* every record got a sequence number, strictly increasing */
	assert_true(th_cap.n > 10);
	for (int i = 1; i < th_cap.n; i++)
		assert_true(th_cap.r[i].seq > th_cap.r[i - 1].seq);
	assert_true(st_wlog_last_seq() >= th_cap.r[th_cap.n - 1].seq);
	/* after the sink is removed, nothing reaches it */
	st_wlog_set_sink(NULL, NULL);
	m = th_cap.n;
	th_expect(c, OK, "SET", "k", "v");
	EXPECT_NO_LOG(m);
}

int
main(void)
{
	/* Tests that exercised crashes (ASan aborts the process) come last,
	 * so that a crash there does not hide the other results. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_get_set_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_option_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_repeated_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_expire_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_expire_values, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_get_option, setup, teardown),
		cmocka_unit_test_setup_teardown(t_setnx_setex, setup, teardown),
		cmocka_unit_test_setup_teardown(t_mget_mset, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getset_getdel, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getex, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getex_repeated, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getex_lookup_first, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getrange, setup, teardown),
		cmocka_unit_test_setup_teardown(t_getrange_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(t_setrange, setup, teardown),
		cmocka_unit_test_setup_teardown(t_incr_decr, setup, teardown),
		cmocka_unit_test_setup_teardown(t_incrbyfloat, setup, teardown),
		cmocka_unit_test_setup_teardown(t_wlog, wlog_setup, wlog_teardown),
		cmocka_unit_test_setup_teardown(t_append_strlen, setup, teardown),
		cmocka_unit_test_setup_teardown(t_encodings, setup, teardown),
		cmocka_unit_test_setup_teardown(t_setrange_overflow, setup, teardown),
	};

	th_init();
	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
