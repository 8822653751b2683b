/*
 * test_hash.c -- the hash type (store/t_hash.c) and its commands
 * (store/cmd_hash.c).  Expected replies are the exact bytes of
 * redis-server 7.0.15 (default configuration) for the same commands.
 *
 * Each test runs in its own database (c->db) so the tests do not depend on
 * each other; encodings are read from the value itself (struct st_value.enc,
 * what OBJECT ENCODING reports).
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "config.h"
#include "keyspace.h"
#include "object.h"
#include "t_hash.h"
#include "wlog.h"

static struct st_client *c;

/* ---- helpers --------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	/* Redis 7.0's defaults (redis-server --port N, no config file). */
	th_config_set("hash-max-listpack-entries", "512");
	th_config_set("hash-max-listpack-value", "64");
	c = th_client_next_db();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	st_client_free(c);
	c = NULL;
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_basic(void **state)
{
	(void)state;
	th_assert_reply(c, ":2\r\n", "HSET", "h", "a", "1", "b", "2");
	th_assert_reply(c, ":1\r\n", "HSET", "h", "a", "3", "c", "4");
	th_assert_reply(c, "$1\r\n3\r\n", "HGET", "h", "a");
	th_assert_reply(c, "$-1\r\n", "HGET", "h", "zz");
	th_assert_reply(c, "$-1\r\n", "HGET", "nokey", "a");
	th_assert_reply(c, "+OK\r\n", "HMSET", "h", "d", "5", "e", "6");
	th_assert_reply(c, "*3\r\n$1\r\n3\r\n$-1\r\n$1\r\n4\r\n", "HMGET", "h", "a", "zz", "c");
	th_assert_reply(c, "*2\r\n$-1\r\n$-1\r\n", "HMGET", "nokey", "a", "b");
	th_assert_reply(c, ":5\r\n", "HLEN", "h");
	th_assert_reply(c, ":0\r\n", "HLEN", "nokey");
	th_assert_reply(c, ":1\r\n", "HEXISTS", "h", "a");
	th_assert_reply(c, ":0\r\n", "HEXISTS", "h", "zz");
	th_assert_reply(c, ":0\r\n", "HEXISTS", "nokey", "a");
	th_assert_reply(c, ":1\r\n", "HSTRLEN", "h", "a");
	th_assert_reply(c, ":0\r\n", "HSTRLEN", "h", "zz");
	th_assert_reply(c, ":0\r\n", "HSTRLEN", "nokey", "a");
	th_assert_reply(c, "*10\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n6\r\n", "HGETALL", "h");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", "HKEYS", "h");
	th_assert_reply(c, "*5\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n", "HVALS", "h");
	th_assert_reply(c, "*0\r\n", "HGETALL", "nokey");
	th_assert_reply(c, "*0\r\n", "HKEYS", "nokey");
	th_assert_reply(c, "*0\r\n", "HVALS", "nokey");
	th_assert_reply(c, ":0\r\n", "HSETNX", "h", "a", "9");
	th_assert_reply(c, ":1\r\n", "HSETNX", "h", "f", "9");
	th_assert_reply(c, "$1\r\n9\r\n", "HGET", "h", "f");
	th_assert_reply(c, ":1\r\n", "HSET", "h", "", "");
	th_assert_reply(c, "$0\r\n\r\n", "HGET", "h", "");
	th_assert_reply(c, ":0\r\n", "HSTRLEN", "h", "");
	th_assert_reply(c, ":2\r\n", "HDEL", "h", "a", "zz", "c");
	th_assert_reply(c, ":0\r\n", "HDEL", "h", "a");
	th_assert_reply(c, ":0\r\n", "HDEL", "nokey", "a");
	th_assert_reply(c, "*10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n$1\r\n6\r\n$1\r\nf\r\n$1\r\n9\r\n$0\r\n\r\n$0\r\n\r\n", "HGETALL", "h");
	th_assert_reply(c, ":5\r\n", "HDEL", "h", "b", "d", "e", "f", "");
	th_assert_reply(c, ":0\r\n", "HLEN", "h");
	th_assert_reply(c, "*0\r\n", "HGETALL", "h");
	assert_false(th_key_exists(c, "h"));

	/* Binary-safe fields and values. */
	{
		const char *argv[] = { "HSET", "bin", "a\0b", "v\0\r\n" };
		const size_t lens[] = { 4, 3, 3, 4 };
		const char *gargv[] = { "HGET", "bin", "a\0b" };
		const size_t glens[] = { 4, 3, 3 };

		assert_string_equal(th_cmdv(c, 4, argv, lens), ":1\r\n");
		th_cmdv(c, 3, gargv, glens);
		assert_int_equal(th_last_len(), 10);
		assert_memory_equal(th_cmdv(c, 3, gargv, glens), "$4\r\nv\0\r\n\r\n", 10);
		th_assert_reply(c, ":0\r\n", "HEXISTS", "bin", "a");
	}
}

static void
test_errors_and_wrongtype(void **state)
{
	(void)state;
	th_assert_reply(c, ":1\r\n", "SADD", "s", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "h", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "h", "a", "1", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hmset' command\r\n", "HMSET", "h", "a", "1", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hmset' command\r\n", "HMSET", "h", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hsetnx' command\r\n", "HSETNX", "h", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'hget' command\r\n", "HGET", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HSET", "s", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HSETNX", "s", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HMSET", "s", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HGET", "s", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HMGET", "s", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HDEL", "s", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HLEN", "s");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HEXISTS", "s", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HSTRLEN", "s", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HGETALL", "s");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HKEYS", "s");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HVALS", "s");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HINCRBY", "s", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HINCRBYFLOAT", "s", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HSCAN", "s", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HRANDFIELD", "s");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HRANDFIELD", "s", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "HRANDFIELD", "s", "1", "withvalues");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "HSCAN", "s", "x");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HINCRBY", "s", "a", "x");
	/* Failed commands created nothing. */
	assert_false(th_key_exists(c, "h"));
}

static void
test_incr(void **state)
{
	(void)state;
	th_assert_reply(c, ":5\r\n", "HINCRBY", "h", "a", "5");
	th_assert_reply(c, ":-2\r\n", "HINCRBY", "h", "a", "-7");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HINCRBY", "h", "a", "x");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HINCRBY", "h", "a", "1.5");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HINCRBY", "h", "a", "");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HINCRBY", "h", "a", "9223372036854775808");
	th_assert_reply(c, ":5\r\n", "HSET", "h", "max", "9223372036854775807", "min", "-9223372036854775808", "s", "foo", "sp", " 1", "z", "007");
	th_assert_reply(c, "-ERR increment or decrement would overflow\r\n", "HINCRBY", "h", "max", "1");
	th_assert_reply(c, ":9223372036854775807\r\n", "HINCRBY", "h", "max", "0");
	th_assert_reply(c, "-ERR increment or decrement would overflow\r\n", "HINCRBY", "h", "min", "-1");
	th_assert_reply(c, ":-1\r\n", "HINCRBY", "h", "min", "9223372036854775807");
	th_assert_reply(c, "-ERR hash value is not an integer\r\n", "HINCRBY", "h", "s", "1");
	th_assert_reply(c, "-ERR hash value is not an integer\r\n", "HINCRBY", "h", "sp", "1");
	th_assert_reply(c, "-ERR hash value is not an integer\r\n", "HINCRBY", "h", "z", "1");
	th_assert_reply(c, ":-9223372036854775808\r\n", "HINCRBY", "h", "new", "-9223372036854775808");
	th_assert_reply(c, "$4\r\n10.5\r\n", "HINCRBYFLOAT", "h", "f", "10.5");
	th_assert_reply(c, "$4\r\n10.6\r\n", "HINCRBYFLOAT", "h", "f", "0.1");
	th_assert_reply(c, "$4\r\n10.1\r\n", "HINCRBYFLOAT", "h", "f", "-5e-1");
	th_assert_reply(c, "$22\r\n1010.09999999999999998\r\n", "HINCRBYFLOAT", "h", "f", "1e3");
	th_assert_reply(c, "$4\r\n3000\r\n", "HINCRBYFLOAT", "h", "g", "3.0e3");
	th_assert_reply(c, "$2\r\n-1\r\n", "HINCRBYFLOAT", "h", "a", "1");
	th_assert_reply(c, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", "x");
	th_assert_reply(c, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", "");
	th_assert_reply(c, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", "nan");
	th_assert_reply(c, "-ERR value is NaN or Infinity\r\n", "HINCRBYFLOAT", "h", "f", "inf");
	th_assert_reply(c, "-ERR value is NaN or Infinity\r\n", "HINCRBYFLOAT", "h", "f", "-inf");
	th_assert_reply(c, "-ERR hash value is not a float\r\n", "HINCRBYFLOAT", "h", "s", "1");
	th_assert_reply(c, "-ERR hash value is not a float\r\n", "HINCRBYFLOAT", "h", "sp", "1");
	th_assert_reply(c, "$1\r\n8\r\n", "HINCRBYFLOAT", "h", "z", "1");
	th_assert_reply(c, "$23\r\n-3989.89999999999999991\r\n", "HINCRBYFLOAT", "h", "f", "-5000");
	th_assert_reply(c, "$1\r\n1\r\n", "HINCRBYFLOAT", "h", "one", "1");
	th_assert_reply(c, "$1\r\n0\r\n", "HINCRBYFLOAT", "h", "one", "-1");
	th_assert_reply(c, "$9\r\n0.0000001\r\n", "HINCRBYFLOAT", "h", "one", "0.0000001");
	th_assert_reply(c, "$7\r\n0.00001\r\n", "HINCRBYFLOAT", "h", "e", "1e-5");
	th_assert_reply(c, "$5\r\n-1.25\r\n", "HINCRBYFLOAT", "h", "neg", "-1.25");

	/* The largest long double sum has 4933 digits. */
	{
		const char *r = th_cmd(c, "HINCRBYFLOAT", "h", "big", "1e4932", NULL);

		assert_int_equal(th_last_len(), 4933 + 9);
		assert_memory_equal(r, "$4933\r\n10000000000000000000060189493", 35);
		th_assert_reply(c, "-ERR increment would produce NaN or Infinity\r\n",
				"HINCRBYFLOAT", "h", "big", "1e4932");
		th_cmd(c, "HSTRLEN", "h", "big", NULL);
		th_assert_reply(c, ":4933\r\n", "HSTRLEN", "h", "big");
	}
	/* Errors left the hash as it was. */
	th_assert_reply(c, "$3\r\nfoo\r\n", "HGET", "h", "s");
	th_assert_reply(c, "$-1\r\n", "HGET", "nokey", "a");
	assert_false(th_key_exists(c, "nokey"));
}

static void
test_incrbyfloat_propagates_hset(void **state)
{
	(void)state;
	th_assert_reply(c, "$3\r\n1.5\r\n", "HINCRBYFLOAT", "p", "f", "1.5");
	th_wlog_start();
	th_assert_reply(c, "$4\r\n10.1\r\n", "HINCRBYFLOAT", "p", "f", "8.6");
	th_assert_reply(c, ":3\r\n", "HINCRBY", "p", "i", "3");
	th_assert_reply(c, "-ERR hash value is not an integer\r\n", "HINCRBY", "p", "f", "1");
	th_assert_reply(c, ":0\r\n", "HDEL", "p", "zz");
	th_assert_reply(c, ":1\r\n", "HDEL", "p", "i");
	th_wlog_stop();
	assert_string_equal(th_wlog_text(),
			    "HSET p f 10.1\n"
			    "HINCRBY p i 3\n"
			    "HDEL p i\n");
}

static void
test_listpack_order_and_conversions(void **state)
{
	char x64[65], x65[66];
	const char *r;

	(void)state;
	memset(x64, 'x', 64);
	x64[64] = '\0';
	memset(x65, 'x', 65);
	x65[65] = '\0';

	/* 512 fields stay listpack, in insertion order; the 513th converts. */
	assert_string_equal(th_cmd_range(c, "HSET", "h", 0, 512, "f%d", "v%d"), ":512\r\n");
	assert_string_equal(th_enc_of(c, "h"), "listpack");
	th_assert_reply(c, ":0\r\n", "HSET", "h", "f511", "again");
	assert_string_equal(th_enc_of(c, "h"), "listpack");
	r = th_cmd(c, "HKEYS", "h", NULL);
	assert_memory_equal(r, "*512\r\n$2\r\nf0\r\n$2\r\nf1\r\n$2\r\nf2\r\n", 30);
	th_assert_reply(c, ":1\r\n", "HSET", "h", "f512", "v512");
	assert_string_equal(th_enc_of(c, "h"), "hashtable");
	th_assert_reply(c, ":513\r\n", "HLEN", "h");
	/* Never back to listpack. */
	assert_string_equal(th_cmd_range(c, "HDEL", "h", 1, 513, "f%d", NULL), ":512\r\n");
	assert_string_equal(th_enc_of(c, "h"), "hashtable");
	th_assert_reply(c, "*2\r\n$2\r\nf0\r\n$2\r\nv0\r\n", "HGETALL", "h");

	/* One HSET with 600 pairs converts too; repeated fields count once. */
	assert_string_equal(th_cmd_range(c, "HSET", "big", 0, 600, "f%d", "v%d"), ":600\r\n");
	assert_string_equal(th_enc_of(c, "big"), "hashtable");
	assert_string_equal(th_cmd_range(c, "HSET", "same", 0, 600, "f", "v%d"), ":1\r\n");
	assert_string_equal(th_enc_of(c, "same"), "listpack");
	th_assert_reply(c, "$4\r\nv599\r\n", "HGET", "same", "f");

	/* Values and fields: 64 bytes fit, 65 convert. */
	th_assert_reply(c, ":1\r\n", "HSET", "v", "a", x64);
	assert_string_equal(th_enc_of(c, "v"), "listpack");
	th_assert_reply(c, ":1\r\n", "HSET", "v", "b", x65);
	assert_string_equal(th_enc_of(c, "v"), "hashtable");
	th_assert_reply(c, ":1\r\n", "HSET", "fl", x64, "1");
	assert_string_equal(th_enc_of(c, "fl"), "listpack");
	th_assert_reply(c, ":1\r\n", "HSET", "fl2", x65, "1");
	assert_string_equal(th_enc_of(c, "fl2"), "hashtable");
	/* HSETNX on an existing field does not convert (Redis 7.0.15). */
	th_assert_reply(c, ":1\r\n", "HSET", "nx", "a", "1");
	th_assert_reply(c, ":0\r\n", "HSETNX", "nx", "a", x65);
	assert_string_equal(th_enc_of(c, "nx"), "listpack");
	th_assert_reply(c, ":1\r\n", "HSETNX", "nx", "b", x65);
	assert_string_equal(th_enc_of(c, "nx"), "hashtable");
	/* HINCRBY / HINCRBYFLOAT convert on long fields and long results. */
	th_assert_reply(c, ":1\r\n", "HINCRBY", "i", x65, "1");
	assert_string_equal(th_enc_of(c, "i"), "hashtable");
	th_assert_reply(c, "$3\r\n1.5\r\n", "HINCRBYFLOAT", "j", x65, "1.5");
	assert_string_equal(th_enc_of(c, "j"), "hashtable");
	th_assert_reply(c, ":1\r\n", "HSET", "k", "a", "1");
	th_assert_reply(c, "$71\r\n10000000000000000000222479489586148259025995410601157579323600873193472\r\n",
			"HINCRBYFLOAT", "k", "a", "1e70");
	assert_string_equal(th_enc_of(c, "k"), "hashtable");
	th_assert_reply(c, ":1\r\n", "HSET", "k2", "a", "1");
	th_assert_reply(c, "$60\r\n999999999999999999999373423426722168652130621984886772203520\r\n",
			"HINCRBYFLOAT", "k2", "a", "1e60");
	assert_string_equal(th_enc_of(c, "k2"), "listpack");
}

static void
test_hashtable_reads(void **state)
{
	long n;
	char *s;

	(void)state;
	assert_string_equal(th_cmd_range(c, "HSET", "h", 0, 1000, "f%03d", "v%03d"), ":1000\r\n");
	assert_string_equal(th_enc_of(c, "h"), "hashtable");
	th_assert_reply(c, "$4\r\nv123\r\n", "HGET", "h", "f123");
	th_assert_reply(c, "*3\r\n$4\r\nv000\r\n$-1\r\n$4\r\nv999\r\n", "HMGET", "h",
			"f000", "nope", "f999");
	th_assert_reply(c, ":1\r\n", "HEXISTS", "h", "f500");
	th_assert_reply(c, ":4\r\n", "HSTRLEN", "h", "f500");
	s = th_sorted_bulks(th_cmd(c, "HKEYS", "h", NULL), &n);
	assert_int_equal(n, 1000);
	assert_memory_equal(s, "f000\nf001\nf002\n", 15);
	assert_string_equal(s + strlen(s) - 4, "f999");
	free(s);
	s = th_sorted_bulks(th_cmd(c, "HVALS", "h", NULL), &n);
	assert_int_equal(n, 1000);
	assert_memory_equal(s, "v000\nv001\n", 10);
	free(s);
	/* HGETALL: 2000 bulks, each field followed by its value. */
	{
		const char *r = th_cmd(c, "HGETALL", "h", NULL);
		const char *p = strstr(r, "$4\r\nf042\r\n");

		assert_memory_equal(r, "*2000\r\n", 7);
		assert_non_null(p);
		assert_memory_equal(p + 10, "$4\r\nv042\r\n", 10);
	}
	assert_string_equal(th_cmd_range(c, "HDEL", "h", 0, 1000, "f%03d", NULL), ":1000\r\n");
	assert_false(th_key_exists(c, "h"));
}

static void
test_resp3(void **state)
{
	(void)state;
	c->resp = 3;
	th_assert_reply(c, ":2\r\n", "HSET", "h", "a", "1", "b", "2");
	th_assert_reply(c, "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "HGETALL", "h");
	th_assert_reply(c, "%0\r\n", "HGETALL", "nokey");
	th_assert_reply(c, "*0\r\n", "HKEYS", "nokey");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "HKEYS", "h");
	th_assert_reply(c, "_\r\n", "HGET", "h", "zz");
	th_assert_reply(c, "*2\r\n$1\r\n1\r\n_\r\n", "HMGET", "h", "a", "zz");
	th_assert_reply(c, "_\r\n", "HRANDFIELD", "nokey");
	th_assert_reply(c, ":1\r\n", "HSET", "one", "a", "1");
	th_assert_reply(c, "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
			"HRANDFIELD", "one", "-2", "WITHVALUES");
	th_assert_reply(c, "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", "HRANDFIELD", "one", "1", "WITHVALUES");
	th_assert_reply(c, "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
			"HRANDFIELD", "h", "5", "WITHVALUES");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "HRANDFIELD", "h", "5");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
			"HSCAN", "h", "0");
	th_assert_reply(c, "*0\r\n", "HRANDFIELD", "h", "0", "WITHVALUES");
}

static void
test_hscan(void **state)
{
	(void)state;
	th_assert_reply(c, ":4\r\n", "HSET", "h", "a", "1", "b", "2", "ab", "3", "c", "4");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "0", "COUNT", "1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n", "HSCAN", "h", "0", "MATCH", "a*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n", "HSCAN", "h", "0", "match", "*b", "count", "100");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "0", "MATCH", "*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "HSCAN", "h", "0", "MATCH", "zz*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "12345");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "-1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "COUNT", "0");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "COUNT", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HSCAN", "h", "0", "COUNT", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "COUNT");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "MATCH");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "TYPE", "string");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "foo", "bar");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "HSCAN", "h", "x");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "HSCAN", "h", " 0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n", "HSCAN", "h", "18446744073709551615");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "HSCAN", "h", "18446744073709551616");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "HSCAN", "nokey", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "HSCAN", "nokey", "0", "COUNT", "0");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "HSCAN", "nokey", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "HSCAN", "h", "0", "NOVALUES");
}

/* HSCAN over a hashtable: a few buckets per call, every field exactly once
 * when the hash does not change, and MATCH applied to fields only. */
static void
test_hscan_hashtable(void **state)
{
	unsigned char seen[1000] = { 0 };
	char cursor[32] = "0";
	int calls = 0;

	(void)state;
	assert_string_equal(th_cmd_range(c, "HSET", "h", 0, 1000, "f%d", "%d"), ":1000\r\n");
	do {
		const char *r = th_cmd(c, "HSCAN", "h", cursor, "COUNT", "20", NULL);
		const char *p;
		long n, len;

		assert_memory_equal(r, "*2\r\n$", 5);
		len = strtol(r + 5, (char **)&p, 10);
		p += 2;
		memcpy(cursor, p, (size_t)len);
		cursor[len] = '\0';
		p += len + 2;
		assert_int_equal(*p, '*');
		n = strtol(p + 1, (char **)&p, 10);
		p += 2;
		assert_int_equal(n % 2, 0);
		if (strcmp(cursor, "0") != 0)
			assert_true(n >= 2 * 20);
		for (long i = 0; i < n; i += 2) {
			long fl = strtol(p + 1, (char **)&p, 10);
			char field[32];
			int idx;

			p += 2;
			memcpy(field, p, (size_t)fl);
			field[fl] = '\0';
			p += fl + 2;
			fl = strtol(p + 1, (char **)&p, 10);
			p += 2;
			idx = atoi(field + 1);
			/* The value is the field's number. */
			assert_int_equal(atoi(p), idx);
			p += fl + 2;
			seen[idx]++;
		}
		calls++;
	} while (strcmp(cursor, "0") != 0);
	assert_true(calls > 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(seen[i], 1);

	/* MATCH filters by field; the values are never matched. */
	{
		int total = 0;

		strcpy(cursor, "0");
		do {
			const char *r = th_cmd(c, "HSCAN", "h", cursor, "MATCH", "f99*",
					       "COUNT", "1000", NULL);
			const char *p;
			long len = strtol(r + 5, (char **)&p, 10);

			p += 2;
			memcpy(cursor, p, (size_t)len);
			cursor[len] = '\0';
			p += len + 2;
			total += (int)strtol(p + 1, NULL, 10);
		} while (strcmp(cursor, "0") != 0);
		/* f99, f990..f999: 11 pairs */
		assert_int_equal(total, 22);
	}
}

static void
test_hrandfield(void **state)
{
	(void)state;
	th_assert_reply(c, ":3\r\n", "HSET", "h", "a", "1", "b", "2", "c", "3");
	th_assert_reply(c, "$-1\r\n", "HRANDFIELD", "nokey");
	th_assert_reply(c, "*0\r\n", "HRANDFIELD", "nokey", "5");
	th_assert_reply(c, "*0\r\n", "HRANDFIELD", "nokey", "-5", "WITHVALUES");
	th_assert_reply(c, "*0\r\n", "HRANDFIELD", "h", "0");
	th_assert_reply(c, "*0\r\n", "HRANDFIELD", "h", "0", "WITHVALUES");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "HRANDFIELD", "h", "3");
	th_assert_reply(c, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "HRANDFIELD", "h", "3", "WITHVALUES");
	th_assert_reply(c, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "HRANDFIELD", "h", "100", "withvalues");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HRANDFIELD", "h", "x");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HRANDFIELD", "h", "1.5");
	th_assert_reply(c, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "HRANDFIELD", "h", "-9223372036854775808");
	th_assert_reply(c, "-ERR value is out of range\r\n", "HRANDFIELD", "h", "9223372036854775807", "WITHVALUES");
	th_assert_reply(c, "-ERR value is out of range\r\n", "HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES");
	th_assert_reply(c, "-ERR value is out of range\r\n", "HRANDFIELD", "h", "4611686018427387904", "WITHVALUES");
	th_assert_reply(c, "-ERR syntax error\r\n", "HRANDFIELD", "h", "1", "WITHVALUES", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "HRANDFIELD", "h", "1", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "HRANDFIELD", "nokey", "1", "x");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "HRANDFIELD", "nokey", "x", "WITHVALUES");
	th_assert_reply(c, "-ERR syntax error\r\n", "HRANDFIELD", "h", "1", "withvalue");
	assert_false(th_key_exists(c, "nokey"));
}

/* Counts and uniqueness of HRANDFIELD on both encodings. */
static void
test_hrandfield_counts(void **state)
{
	const char *keys[] = { "small", "big" };
	long n;
	char *s;

	(void)state;
	assert_string_equal(th_cmd_range(c, "HSET", "small", 0, 10, "f%d", "v%d"), ":10\r\n");
	assert_string_equal(th_cmd_range(c, "HSET", "big", 0, 1000, "f%d", "v%d"), ":1000\r\n");
	assert_string_equal(th_enc_of(c, "small"), "listpack");
	assert_string_equal(th_enc_of(c, "big"), "hashtable");
	for (int k = 0; k < 2; k++) {
		int counts[] = { 1, 3, 5, 9, 10, 400 };

		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			char num[16];
			long want = counts[i];

			if (k == 0 && want > 10)
				want = 10;
			snprintf(num, sizeof(num), "%d", counts[i]);
			s = th_sorted_bulks(th_cmd(c, "HRANDFIELD", keys[k], num, NULL), &n);
			assert_int_equal(n, want);
			/* distinct fields */
			for (char *p = s, *q; (q = strchr(p, '\n')) != NULL; p = q + 1) {
				size_t l = (size_t)(q - p);

				assert_false(strncmp(p, q + 1, l) == 0 &&
					     (q[1 + l] == '\n' || q[1 + l] == '\0'));
			}
			free(s);
		}
		/* Negative counts repeat: 2000 picks of 10 or 1000 fields. */
		s = th_sorted_bulks(th_cmd(c, "HRANDFIELD", keys[k], "-2000", NULL), &n);
		assert_int_equal(n, 2000);
		free(s);
		/* WITHVALUES pairs each field with its own value. */
		{
			const char *r = th_cmd(c, "HRANDFIELD", keys[k], "-50", "WITHVALUES", NULL);
			const char *p;

			assert_memory_equal(r, "*100\r\n", 6);
			p = r + 6;
			for (int i = 0; i < 50; i++) {
				long fl = strtol(p + 1, (char **)&p, 10);
				char f[16];

				p += 2;
				memcpy(f, p, (size_t)fl);
				f[fl] = '\0';
				p += fl + 2;
				fl = strtol(p + 1, (char **)&p, 10);
				p += 2;
				assert_int_equal(f[0], 'f');
				assert_int_equal(p[0], 'v');
				assert_memory_equal(f + 1, p + 1, (size_t)fl - 1);
				p += fl + 2;
			}
			assert_int_equal(*p, '\0');
		}
		/* Unique with values: CASE 3 and CASE 4 sizes. */
		{
			const char *r = th_cmd(c, "HRANDFIELD", keys[k], "7", "WITHVALUES", NULL);

			assert_memory_equal(r, "*14\r\n", 5);
		}
	}
	/* Distinct fields of a listpack hash come in insertion order, as
	 * Redis's lpRandomPairsUnique picks them. */
	for (int round = 0; round < 20; round++) {
		const char *p = th_cmd(c, "HRANDFIELD", "small", "5", NULL);
		int last = -1;

		assert_memory_equal(p, "*5\r\n", 4);
		p += 4;
		for (int i = 0; i < 5; i++) {
			int idx;

			assert_memory_equal(p, "$2\r\nf", 5);
			idx = p[5] - '0';
			assert_true(idx > last);
			last = idx;
			p += 8;
		}
	}

	/* A random field of a one-field hash. */
	th_assert_reply(c, ":1\r\n", "HSET", "one", "only", "x");
	th_assert_reply(c, "$4\r\nonly\r\n", "HRANDFIELD", "one");
	th_assert_reply(c, "*3\r\n$4\r\nonly\r\n$4\r\nonly\r\n$4\r\nonly\r\n",
			"HRANDFIELD", "one", "-3");
}

/* The type layer directly: memory accounting and iteration. */
static void
test_type_layer(void **state)
{
	int64_t before = st_mem_used();
	struct st_hash *h = st_hash_new();
	struct st_hash_iter it;
	const char *f, *v;
	size_t flen, vlen, m0;
	char buf[32];
	int n = 0;

	(void)state;
	assert_int_equal(h->v.type, ST_TYPE_HASH);
	assert_int_equal(h->v.enc, ST_ENC_LISTPACK);
	m0 = st_hash_mem(h);
	assert_int_equal(st_hash_set(h, "a", 1, "1", 1), 1);
	assert_int_equal(st_hash_set(h, "a", 1, "22", 2), 0);
	assert_true(st_hash_mem(h) > m0);
	assert_true(st_hash_get(h, "a", 1, &v, &vlen));
	assert_int_equal(vlen, 2);
	assert_memory_equal(v, "22", 2);
	for (int i = 0; i < 600; i++) {
		int l = snprintf(buf, sizeof(buf), "field%d", i);

		st_hash_set(h, buf, (size_t)l, buf, (size_t)l);
	}
	assert_int_equal(h->v.enc, ST_ENC_HASHTABLE);
	assert_int_equal(st_hash_len(h), 601);
	st_hash_iter_init(h, &it);
	while (st_hash_iter_next(&it, &f, &flen, &v, &vlen)) {
		if (flen > 1)
			assert_memory_equal(f, v, flen);
		n++;
	}
	assert_int_equal(n, 601);
	assert_true(st_hash_delete(h, "a", 1));
	assert_false(st_hash_delete(h, "a", 1));
	/* st_hash_mem counts what the allocator handed out for the hash. */
	assert_true((int64_t)st_hash_mem(h) <= st_mem_used() - before);
	assert_true((int64_t)st_hash_mem(h) > (st_mem_used() - before) / 2);
	st_hash_free(h);
	assert_int_equal(st_mem_used(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_wrongtype, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incrbyfloat_propagates_hset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listpack_order_and_conversions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hashtable_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resp3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hscan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hscan_hashtable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hrandfield, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hrandfield_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_layer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
