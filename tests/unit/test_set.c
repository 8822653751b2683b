/*
 * test_set.c -- the set type (store/t_set.c, store/intset.c) and its
 * commands (store/cmd_set.c).  Expected replies are the exact bytes of
 * redis-server 7.0.15 (default configuration) for the same commands; where
 * Redis's order depends on its hash table the test compares sorted members.
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
#include "t_set.h"
#include "wlog.h"

static struct st_client *c;

/* ---- helpers --------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	th_config_set("set-max-intset-entries", "512");
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

#define assert_sorted_reply(expect, ...)                                     \
	do {                                                                 \
		long n_;                                                     \
		char *s_ = th_sorted_bulks(th_cmd(c, __VA_ARGS__, NULL), &n_);  \
		assert_string_equal(s_, (expect));                           \
		free(s_);                                                    \
	} while (0)

static bool
has_dup(char **items, long n)
{
	qsort(items, (size_t)n, sizeof(*items), th_cmp_str);
	for (long i = 1; i < n; i++) {
		if (strcmp(items[i - 1], items[i]) == 0)
			return true;
	}
	return false;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_basic(void **state)
{
	(void)state;
	th_assert_reply(c, ":3\r\n", "SADD", "s", "3", "1", "2");
	th_assert_reply(c, ":2\r\n", "SADD", "s", "2", "4", "-5");
	th_assert_reply(c, "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", "SMEMBERS", "s");
	th_assert_reply(c, ":5\r\n", "SCARD", "s");
	th_assert_reply(c, ":0\r\n", "SCARD", "nokey");
	th_assert_reply(c, ":1\r\n", "SISMEMBER", "s", "4");
	th_assert_reply(c, ":0\r\n", "SISMEMBER", "s", "04");
	th_assert_reply(c, ":0\r\n", "SISMEMBER", "s", "x");
	th_assert_reply(c, ":0\r\n", "SISMEMBER", "nokey", "1");
	th_assert_reply(c, "*4\r\n:1\r\n:0\r\n:0\r\n:1\r\n", "SMISMEMBER", "s", "1", "7", "x", "-5");
	th_assert_reply(c, "*2\r\n:0\r\n:0\r\n", "SMISMEMBER", "nokey", "1", "2");
	th_assert_reply(c, "*0\r\n", "SMEMBERS", "nokey");
	th_assert_reply(c, ":1\r\n", "SREM", "s", "1", "7", "x");
	th_assert_reply(c, ":0\r\n", "SREM", "nokey", "1");
	th_assert_reply(c, "*4\r\n$2\r\n-5\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", "SMEMBERS", "s");
	th_assert_reply(c, ":4\r\n", "SREM", "s", "2", "3", "4", "-5", "9");
	th_assert_reply(c, ":0\r\n", "SCARD", "s");
	th_assert_reply(c, "*0\r\n", "SMEMBERS", "s");
	th_assert_reply(c, ":3\r\n", "SADD", "t", "b", "a", "c", "a");
	th_assert_reply(c, ":3\r\n", "SCARD", "t");
	th_assert_reply(c, ":1\r\n", "SISMEMBER", "t", "a");
	th_assert_reply(c, ":0\r\n", "SISMEMBER", "t", "d");
	th_assert_reply(c, ":1\r\n", "SREM", "t", "a", "d");
	th_assert_reply(c, ":2\r\n", "SCARD", "t");
	th_assert_reply(c, ":1\r\n", "SADD", "e", "");
	th_assert_reply(c, ":1\r\n", "SISMEMBER", "e", "");
	th_assert_reply(c, ":1\r\n", "SCARD", "e");
	th_assert_reply(c, ":3\r\n", "SADD", "big", "-9223372036854775808", "9223372036854775807", "0");
	th_assert_reply(c, "*3\r\n$20\r\n-9223372036854775808\r\n$1\r\n0\r\n$19\r\n9223372036854775807\r\n", "SMEMBERS", "big");
	assert_false(th_key_exists(c, "s"));
	assert_string_equal(th_enc_of(c, "t"), "hashtable");
	assert_string_equal(th_enc_of(c, "big"), "intset");

	/* Binary-safe members. */
	{
		const char *argv[] = { "SADD", "bin", "a\0b", "a" };
		const size_t lens[] = { 4, 3, 3, 1 };
		const char *margv[] = { "SISMEMBER", "bin", "a\0b" };
		const size_t mlens[] = { 9, 3, 3 };

		assert_string_equal(th_cmdv(c, 4, argv, lens), ":2\r\n");
		assert_string_equal(th_cmdv(c, 3, margv, mlens), ":1\r\n");
		th_assert_reply(c, ":0\r\n", "SISMEMBER", "bin", "b");
	}
}

static void
test_errors_and_wrongtype(void **state)
{
	(void)state;
	th_assert_reply(c, ":1\r\n", "HSET", "h", "a", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'sadd' command\r\n", "SADD", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'srem' command\r\n", "SREM", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'sismember' command\r\n", "SISMEMBER", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'smismember' command\r\n", "SMISMEMBER", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'scard' command\r\n", "SCARD");
	th_assert_reply(c, "-ERR wrong number of arguments for 'smembers' command\r\n", "SMEMBERS");
	th_assert_reply(c, "-ERR wrong number of arguments for 'spop' command\r\n", "SPOP");
	th_assert_reply(c, "-ERR wrong number of arguments for 'smove' command\r\n", "SMOVE", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'sinter' command\r\n", "SINTER");
	th_assert_reply(c, "-ERR wrong number of arguments for 'sinterstore' command\r\n", "SINTERSTORE", "d");
	th_assert_reply(c, "-ERR wrong number of arguments for 'sintercard' command\r\n", "SINTERCARD", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SADD", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SREM", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMEMBERS", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SISMEMBER", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMISMEMBER", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SCARD", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SPOP", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SPOP", "h", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SPOP", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SRANDMEMBER", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SRANDMEMBER", "h", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SRANDMEMBER", "h", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTER", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTER", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNION", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFF", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFF", "h", "nokey");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERSTORE", "d", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SUNIONSTORE", "d", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SDIFFSTORE", "d", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SINTERCARD", "2", "nokey", "h");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SSCAN", "h", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "SMOVE", "h", "nokey", "1");
	th_assert_reply(c, ":0\r\n", "SMOVE", "nokey", "h", "1");
	assert_false(th_key_exists(c, "d"));
	assert_false(th_key_exists(c, "nokey"));
	assert_string_equal(th_enc_of(c, "h"), "listpack");
}

static void
test_encodings(void **state)
{
	(void)state;
	/* 512 integers stay intset, the 513th converts, for good. */
	assert_string_equal(th_cmd_range(c, "SADD", "i", 0, 512, "%d", NULL), ":512\r\n");
	assert_string_equal(th_enc_of(c, "i"), "intset");
	th_assert_reply(c, ":0\r\n", "SADD", "i", "511");
	assert_string_equal(th_enc_of(c, "i"), "intset");
	th_assert_reply(c, ":1\r\n", "SADD", "i", "512");
	assert_string_equal(th_enc_of(c, "i"), "hashtable");
	assert_string_equal(th_cmd_range(c, "SREM", "i", 1, 513, "%d", NULL), ":512\r\n");
	assert_string_equal(th_enc_of(c, "i"), "hashtable");
	th_assert_reply(c, "*1\r\n$1\r\n0\r\n", "SMEMBERS", "i");
	/* One SADD of 600 integers. */
	assert_string_equal(th_cmd_range(c, "SADD", "i2", 0, 600, "%d", NULL), ":600\r\n");
	assert_string_equal(th_enc_of(c, "i2"), "hashtable");
	th_assert_reply(c, ":600\r\n", "SCARD", "i2");
	th_assert_reply(c, ":1\r\n", "SISMEMBER", "i2", "599");

	/* Only canonical 64-bit integers are intset members. */
	th_assert_reply(c, ":1\r\n", "SADD", "a", "x");
	assert_string_equal(th_enc_of(c, "a"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "b", "01");
	assert_string_equal(th_enc_of(c, "b"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "c2", "+1");
	assert_string_equal(th_enc_of(c, "c2"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "d", " 1");
	assert_string_equal(th_enc_of(c, "d"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "e", "1.0");
	assert_string_equal(th_enc_of(c, "e"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "f", "9223372036854775808");
	assert_string_equal(th_enc_of(c, "f"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "g", "-0");
	assert_string_equal(th_enc_of(c, "g"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "h2", "-9223372036854775809");
	assert_string_equal(th_enc_of(c, "h2"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SADD", "j", "-1");
	assert_string_equal(th_enc_of(c, "j"), "intset");
	th_assert_reply(c, ":1\r\n", "SADD", "k", "");
	assert_string_equal(th_enc_of(c, "k"), "hashtable");
	th_assert_reply(c, ":4\r\n", "SADD", "m", "1", "2", "3", "x");
	assert_string_equal(th_enc_of(c, "m"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SREM", "m", "x");
	assert_string_equal(th_enc_of(c, "m"), "hashtable");
	th_assert_reply(c, ":2\r\n", "SADD", "n", "5", "6");
	th_assert_reply(c, ":2\r\n", "SADD", "n", "7", "y");
	assert_string_equal(th_enc_of(c, "n"), "hashtable");
	/* Integers are still found as strings in a hashtable set. */
	th_assert_reply(c, "*3\r\n:1\r\n:1\r\n:0\r\n", "SMISMEMBER", "n", "5", "y", "05");
	assert_sorted_reply("5\n6\n7\ny", "SMEMBERS", "n");
}

static void
test_smove(void **state)
{
	(void)state;
	th_assert_reply(c, ":3\r\n", "SADD", "src", "1", "2", "a");
	th_assert_reply(c, ":1\r\n", "SADD", "dst", "3");
	th_assert_reply(c, ":1\r\n", "SMOVE", "src", "dst", "1");
	th_assert_reply(c, ":0\r\n", "SMOVE", "src", "dst", "1");
	th_assert_reply(c, ":0\r\n", "SMOVE", "src", "dst", "zz");
	th_assert_reply(c, "*2\r\n$1\r\n1\r\n$1\r\n3\r\n", "SMEMBERS", "dst");
	th_assert_reply(c, ":1\r\n", "SMOVE", "src", "newdst", "a");
	assert_string_equal(th_enc_of(c, "newdst"), "hashtable");
	th_assert_reply(c, ":1\r\n", "SMOVE", "src", "newdst2", "2");
	assert_string_equal(th_enc_of(c, "newdst2"), "intset");
	assert_false(th_key_exists(c, "src"));
	th_assert_reply(c, ":1\r\n", "SMOVE", "dst", "dst", "3");
	th_assert_reply(c, ":0\r\n", "SMOVE", "dst", "dst", "9");
	th_assert_reply(c, "*2\r\n$1\r\n1\r\n$1\r\n3\r\n", "SMEMBERS", "dst");
	th_assert_reply(c, ":1\r\n", "SADD", "one", "5");
	th_assert_reply(c, ":1\r\n", "SADD", "two", "5");
	th_assert_reply(c, ":1\r\n", "SMOVE", "one", "two", "5");
	assert_false(th_key_exists(c, "one"));
	th_assert_reply(c, "*1\r\n$1\r\n5\r\n", "SMEMBERS", "two");
	th_assert_reply(c, ":0\r\n", "SMOVE", "nokey", "dst", "1");
	th_assert_reply(c, ":0\r\n", "SMOVE", "nokey", "nokey2", "1");
	assert_false(th_key_exists(c, "nokey2"));
	th_assert_reply(c, ":1\r\n", "SADD", "dst", "x");
	th_assert_reply(c, ":1\r\n", "SMOVE", "dst", "two", "x");
	assert_string_equal(th_enc_of(c, "two"), "hashtable");
	/* SMOVE to a key of another type is refused before anything moves. */
	th_assert_reply(c, ":1\r\n", "HSET", "hh", "a", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
			"SMOVE", "two", "hh", "5");
	th_assert_reply(c, ":1\r\n", "SISMEMBER", "two", "5");
}

static void
test_set_operations(void **state)
{
	(void)state;
	th_assert_reply(c, ":5\r\n", "SADD", "a", "1", "2", "3", "4", "5");
	th_assert_reply(c, ":4\r\n", "SADD", "b", "4", "5", "6", "7");
	th_assert_reply(c, ":3\r\n", "SADD", "c", "5", "7", "9");
	th_assert_reply(c, ":4\r\n", "SADD", "sa", "x", "y", "z", "5");
	th_assert_reply(c, "*2\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "a", "b");
	th_assert_reply(c, "*1\r\n$1\r\n5\r\n", "SINTER", "a", "b", "c");
	th_assert_reply(c, "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "a");
	th_assert_reply(c, "*0\r\n", "SINTER", "a", "nokey");
	th_assert_reply(c, "*0\r\n", "SINTER", "nokey", "a");
	th_assert_reply(c, "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "a", "a");
	th_assert_reply(c, "*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n9\r\n", "SUNION", "a", "b", "c");
	th_assert_reply(c, "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SUNION", "a", "nokey");
	th_assert_reply(c, "*0\r\n", "SUNION", "nokey");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "a", "b");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "a", "b", "c");
	th_assert_reply(c, "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SDIFF", "a", "nokey");
	th_assert_reply(c, "*0\r\n", "SDIFF", "nokey", "a");
	th_assert_reply(c, "*0\r\n", "SDIFF", "a", "a");
	th_assert_reply(c, "*0\r\n", "SDIFF", "a", "b", "a");
	th_assert_reply(c, "*1\r\n$1\r\n5\r\n", "SINTER", "a", "sa");
	assert_sorted_reply("x\ny\nz", "SDIFF", "sa", "a");
	th_assert_reply(c, ":2\r\n", "SINTERSTORE", "d", "a", "b");
	th_assert_reply(c, "*2\r\n$1\r\n4\r\n$1\r\n5\r\n", "SMEMBERS", "d");
	assert_string_equal(th_enc_of(c, "d"), "intset");
	th_assert_reply(c, ":1\r\n", "SINTERSTORE", "d", "a", "b", "c");
	th_assert_reply(c, "*1\r\n$1\r\n5\r\n", "SMEMBERS", "d");
	th_assert_reply(c, ":0\r\n", "SINTERSTORE", "d", "a", "nokey");
	assert_false(th_key_exists(c, "d"));
	th_assert_reply(c, ":1\r\n", "SINTERSTORE", "d", "a", "c");
	th_assert_reply(c, ":1\r\n", "SINTERSTORE", "d", "c", "sa");
	assert_string_equal(th_enc_of(c, "d"), "intset");
	th_assert_reply(c, ":7\r\n", "SUNIONSTORE", "u", "a", "b");
	th_assert_reply(c, "*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n", "SMEMBERS", "u");
	assert_string_equal(th_enc_of(c, "u"), "intset");
	th_assert_reply(c, ":8\r\n", "SUNIONSTORE", "u", "a", "sa");
	assert_string_equal(th_enc_of(c, "u"), "hashtable");
	th_assert_reply(c, ":8\r\n", "SCARD", "u");
	th_assert_reply(c, ":0\r\n", "SUNIONSTORE", "u", "nokey");
	assert_false(th_key_exists(c, "u"));
	th_assert_reply(c, ":3\r\n", "SDIFFSTORE", "df", "a", "b");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SMEMBERS", "df");
	th_assert_reply(c, ":0\r\n", "SDIFFSTORE", "df", "a", "a");
	assert_false(th_key_exists(c, "df"));
	th_assert_reply(c, ":0\r\n", "SDIFFSTORE", "df", "nokey", "a");
	th_assert_reply(c, ":3\r\n", "SDIFFSTORE", "a", "a", "b");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SMEMBERS", "a");
	th_assert_reply(c, ":6\r\n", "SADD", "x1", "a", "b", "1", "2", "3", "4");
	th_assert_reply(c, ":1\r\n", "SADD", "x2", "a");
	th_assert_reply(c, ":1\r\n", "SADD", "x3", "b");
	th_assert_reply(c, ":4\r\n", "SDIFFSTORE", "r1", "x1", "x2", "x3");
	assert_sorted_reply("1\n2\n3\n4", "SMEMBERS", "r1");
	assert_string_equal(th_enc_of(c, "r1"), "hashtable");
	th_assert_reply(c, ":3\r\n", "SADD", "y1", "a", "1", "2");
	th_assert_reply(c, ":1\r\n", "SADD", "y2", "a");
	th_assert_reply(c, ":2\r\n", "SDIFFSTORE", "r2", "y1", "y2");
	assert_string_equal(th_enc_of(c, "r2"), "intset");
	th_assert_reply(c, ":6\r\n", "SINTERSTORE", "r3", "x1", "x1");
	assert_string_equal(th_enc_of(c, "r3"), "hashtable");
	th_assert_reply(c, ":0\r\n", "SINTERCARD", "2", "a", "b");
	th_assert_reply(c, ":3\r\n", "SINTERCARD", "1", "a");
	th_assert_reply(c, ":0\r\n", "SINTERCARD", "2", "a", "nokey");
	th_assert_reply(c, ":0\r\n", "SINTERCARD", "3", "a", "b", "c");
	th_assert_reply(c, ":1\r\n", "SINTERCARD", "1", "a", "LIMIT", "1");
	th_assert_reply(c, ":3\r\n", "SINTERCARD", "1", "a", "limit", "0");
	th_assert_reply(c, ":3\r\n", "SINTERCARD", "1", "a", "LIMIT", "100");
	th_assert_reply(c, ":2\r\n", "SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "2");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "0", "a");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "-1", "a");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "x", "a");
	th_assert_reply(c, "-ERR Number of keys can't be greater than number of args\r\n", "SINTERCARD", "2", "a");
	th_assert_reply(c, "-ERR syntax error\r\n", "SINTERCARD", "1", "a", "LIMIT");
	th_assert_reply(c, "-ERR LIMIT can't be negative\r\n", "SINTERCARD", "1", "a", "LIMIT", "-1");
	th_assert_reply(c, "-ERR LIMIT can't be negative\r\n", "SINTERCARD", "1", "a", "LIMIT", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "SINTERCARD", "1", "a", "FOO", "1");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n", "SINTERCARD", "9223372036854775808", "a");
	/* STORE replaces a key of any type. */
	th_assert_reply(c, ":1\r\n", "HSET", "hk", "f", "v");
	th_assert_reply(c, ":2\r\n", "SUNIONSTORE", "hk", "x2", "x3");
	assert_string_equal(th_enc_of(c, "hk"), "hashtable");
	assert_sorted_reply("a\nb", "SMEMBERS", "hk");
	th_assert_reply(c, ":1\r\n", "HSET", "hk2", "f", "v");
	th_assert_reply(c, ":0\r\n", "SINTERSTORE", "hk2", "x2", "x3");
	assert_false(th_key_exists(c, "hk2"));
	/* Big results convert to hashtable past set-max-intset-entries. */
	assert_string_equal(th_cmd_range(c, "SADD", "n1", 0, 400, "%d", NULL), ":400\r\n");
	assert_string_equal(th_cmd_range(c, "SADD", "n2", 300, 700, "%d", NULL), ":400\r\n");
	th_assert_reply(c, ":700\r\n", "SUNIONSTORE", "un", "n1", "n2");
	assert_string_equal(th_enc_of(c, "un"), "hashtable");
	th_assert_reply(c, ":100\r\n", "SINTERSTORE", "in", "n1", "n2");
	assert_string_equal(th_enc_of(c, "in"), "intset");
	th_assert_reply(c, ":300\r\n", "SDIFFSTORE", "dn", "n1", "n2");
	assert_string_equal(th_enc_of(c, "dn"), "intset");
	th_assert_reply(c, ":100\r\n", "SINTERCARD", "2", "n1", "n2");
	th_assert_reply(c, ":10\r\n", "SINTERCARD", "2", "n1", "n2", "LIMIT", "10");
}

/* Mixed encodings: the smallest set drives SINTER's order, so an intset
 * there gives ascending output, as in Redis. */
static void
test_mixed_encodings(void **state)
{
	(void)state;
	th_assert_reply(c, ":5\r\n", "SADD", "m1", "1", "2", "3", "x", "10");
	th_assert_reply(c, ":4\r\n", "SADD", "m2", "10", "3", "2", "1");
	th_assert_reply(c, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", "SINTER", "m1", "m2");
	th_assert_reply(c, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", "SINTER", "m2", "m1");
	th_assert_reply(c, ":3\r\n", "SADD", "e1", "5", "4", "3");
	th_assert_reply(c, ":3\r\n", "SADD", "e2", "3", "4", "5");
	th_assert_reply(c, "*3\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", "SINTER", "e1", "e2");
	th_assert_reply(c, ":4\r\n", "SINTERSTORE", "st", "m1", "m2");
	th_assert_reply(c, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", "SMEMBERS", "st");
	th_assert_reply(c, ":2\r\n", "SINTERCARD", "2", "m1", "m2", "LIMIT", "2");
	th_assert_reply(c, "*0\r\n", "SDIFF", "m2", "m1");
	th_assert_reply(c, "*6\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$2\r\n10\r\n", "SUNION", "m2", "e1");
	assert_string_equal(th_enc_of(c, "m1"), "hashtable");
	assert_string_equal(th_enc_of(c, "st"), "intset");
}

static void
test_spop_srandmember(void **state)
{
	(void)state;
	th_assert_reply(c, ":3\r\n", "SADD", "s", "1", "2", "3");
	th_assert_reply(c, "$-1\r\n", "SPOP", "nokey");
	th_assert_reply(c, "*0\r\n", "SPOP", "nokey", "0");
	th_assert_reply(c, "*0\r\n", "SPOP", "nokey", "5");
	th_assert_reply(c, "*0\r\n", "SPOP", "s", "0");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n", "SPOP", "s", "-1");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n", "SPOP", "s", "x");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n", "SPOP", "s", "1.5");
	th_assert_reply(c, "-ERR syntax error\r\n", "SPOP", "s", "1", "2");
	th_assert_reply(c, "-ERR syntax error\r\n", "SPOP", "s", "9223372036854775807", "1");
	th_assert_reply(c, "$-1\r\n", "SRANDMEMBER", "nokey");
	th_assert_reply(c, "*0\r\n", "SRANDMEMBER", "nokey", "5");
	th_assert_reply(c, "*0\r\n", "SRANDMEMBER", "nokey", "-5");
	th_assert_reply(c, "*0\r\n", "SRANDMEMBER", "s", "0");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SRANDMEMBER", "s", "3");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SRANDMEMBER", "s", "100");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "SRANDMEMBER", "s", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "SRANDMEMBER", "s", "1", "2");
	th_assert_reply(c, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "SRANDMEMBER", "s", "-9223372036854775808");
	th_assert_reply(c, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "SRANDMEMBER", "nokey", "-9223372036854775808");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "s", "3");
	assert_false(th_key_exists(c, "s"));
	th_assert_reply(c, ":2\r\n", "SADD", "t", "7", "8");
	th_assert_reply(c, "*2\r\n$1\r\n7\r\n$1\r\n8\r\n", "SPOP", "t", "9223372036854775807");
	assert_false(th_key_exists(c, "t"));
	th_assert_reply(c, ":1\r\n", "SADD", "one", "x");
	th_assert_reply(c, "$1\r\nx\r\n", "SPOP", "one");
	th_assert_reply(c, "$-1\r\n", "SPOP", "one");
	assert_false(th_key_exists(c, "one"));
	th_assert_reply(c, ":1\r\n", "SADD", "two", "5");
	th_assert_reply(c, "$1\r\n5\r\n", "SRANDMEMBER", "two");
	th_assert_reply(c, "*3\r\n$1\r\n5\r\n$1\r\n5\r\n$1\r\n5\r\n", "SRANDMEMBER", "two", "-3");
	th_assert_reply(c, "*1\r\n$1\r\n5\r\n", "SRANDMEMBER", "two", "1");
}

/* SPOP and SRANDMEMBER return the right number of distinct members, and
 * SPOP removes exactly what it returned, on both encodings and through all
 * of Redis's strategies. */
static void
test_random_counts(void **state)
{
	const char *fmts[] = { "%d", "m%d" };

	(void)state;
	for (int k = 0; k < 2; k++) {
		int sizes[] = { 5, 20, 300 };

		for (int si = 0; si < 3; si++) {
			int size = sizes[si];
			int counts[] = { 1, 2, size / 4, size / 2, size - 1 };

			for (int ci = 0; ci < 5; ci++) {
				char num[16];
				char **items;
				long n, n2, card;
				char *before, *popped, *after;

				if (counts[ci] < 1)
					continue;
				th_cmd_range(c, "SADD", "r", 0, size, fmts[k], NULL);
				assert_string_equal(th_enc_of(c, "r"), k == 0 ? "intset" : "hashtable");
				snprintf(num, sizeof(num), "%d", counts[ci]);

				/* SRANDMEMBER count: distinct members */
				items = th_parse_bulks(th_cmd(c, "SRANDMEMBER", "r", num, NULL), &n);
				assert_int_equal(n, counts[ci]);
				assert_false(has_dup(items, n));
				th_free_bulks(items, n);
				/* negative: exactly |count| with repeats allowed */
				snprintf(num, sizeof(num), "-%d", counts[ci] * 3);
				items = th_parse_bulks(th_cmd(c, "SRANDMEMBER", "r", num, NULL), &n);
				assert_int_equal(n, counts[ci] * 3);
				th_free_bulks(items, n);

				/* SPOP count */
				before = th_sorted_bulks(th_cmd(c, "SMEMBERS", "r", NULL), &n);
				snprintf(num, sizeof(num), "%d", counts[ci]);
				popped = th_sorted_bulks(th_cmd(c, "SPOP", "r", num, NULL), &n);
				assert_int_equal(n, counts[ci]);
				after = th_sorted_bulks(th_cmd(c, "SMEMBERS", "r", NULL), &n2);
				assert_int_equal(n2, size - counts[ci]);
				card = strtol(th_cmd(c, "SCARD", "r", NULL) + 1, NULL, 10);
				assert_int_equal(card, size - counts[ci]);
				/* popped + remaining == before, no overlap */
				{
					char *merged = calloc(strlen(popped) + strlen(after) + 2, 1);
					char *joined, *resorted;
					long cnt;
					char **parts;
					size_t total = 0;

					sprintf(merged, "%s\n%s", popped, after);
					/* re-sort the merged list */
					cnt = 1;
					for (char *p = merged; *p; p++)
						cnt += *p == '\n';
					parts = calloc((size_t)cnt, sizeof(*parts));
					joined = strtok(merged, "\n");
					for (long i = 0; joined != NULL; i++) {
						parts[i] = joined;
						total += strlen(joined) + 1;
						joined = strtok(NULL, "\n");
					}
					qsort(parts, (size_t)cnt, sizeof(*parts), th_cmp_str);
					resorted = calloc(total + 1, 1);
					for (long i = 0; i < cnt; i++) {
						strcat(resorted, parts[i]);
						if (i + 1 < cnt)
							strcat(resorted, "\n");
					}
					assert_string_equal(resorted, before);
					free(resorted);
					free(parts);
					free(merged);
				}
				free(before);
				free(popped);
				free(after);
				th_cmd(c, "SPOP", "r", "100000", NULL);
				assert_false(th_key_exists(c, "r"));
			}
		}
	}
}

/* SPOP propagates SREM (in batches of 1024) or DEL, as Redis 7.0. */
static void
test_spop_propagation(void **state)
{
	const char *r;
	const char *p;
	long n;
	char **items;

	(void)state;
	th_assert_reply(c, ":1\r\n", "SADD", "one", "x");
	th_wlog_start();
	th_assert_reply(c, "$1\r\nx\r\n", "SPOP", "one");
	th_assert_reply(c, "$-1\r\n", "SPOP", "one");
	th_assert_reply(c, "*0\r\n", "SPOP", "one", "3");
	th_wlog_stop();
	assert_string_equal(th_wlog_text(), "SREM one x\n");

	/* The whole set: DEL. */
	th_assert_reply(c, ":3\r\n", "SADD", "w", "1", "2", "3");
	th_wlog_start();
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "w", "5");
	th_wlog_stop();
	assert_string_equal(th_wlog_text(), "DEL w\n");

	/* CASE 3 (most of the set): one SREM with every popped member. */
	th_assert_reply(c, ":10\r\n", "SADD", "t", "0", "1", "2", "3", "4", "5", "6",
			"7", "8", "9");
	th_wlog_start();
	r = th_cmd(c, "SPOP", "t", "9", NULL);
	items = th_parse_bulks(r, &n);
	th_wlog_stop();
	assert_int_equal(n, 9);
	assert_memory_equal(th_wlog_text(), "SREM t ", 7);
	p = th_wlog_text() + 7;
	for (long i = 0; i < n; i++) {
		size_t l = strlen(items[i]);

		/* intset: the popped members come in ascending order */
		assert_memory_equal(p, items[i], l);
		p += l;
		assert_int_equal(*p, i + 1 < n ? ' ' : '\n');
		p++;
	}
	assert_int_equal(*p, '\0');
	th_free_bulks(items, n);
	th_assert_reply(c, ":1\r\n", "SCARD", "t");

	/* CASE 2 (few members of a big set): SREM batches of 1024. */
	assert_string_equal(th_cmd_range(c, "SADD", "big", 0, 3000, "%d", NULL), ":3000\r\n");
	th_wlog_start();
	items = th_parse_bulks(th_cmd(c, "SPOP", "big", "2000", NULL), &n);
	th_wlog_stop();
	assert_int_equal(n, 2000);
	assert_false(has_dup(items, n));
	th_free_bulks(items, n);
	{
		int lines = 0, members = 0;

		for (const char *q = th_wlog_text(); *q; q++) {
			if (*q == '\n')
				lines++;
			if (*q == ' ')
				members++;
		}
		assert_int_equal(lines, 2);
		/* "SREM big m1 .. mk": k + 1 spaces a line, k = 1024 then 976 */
		assert_int_equal(members, (1024 + 1) + (976 + 1));
		assert_non_null(strstr(th_wlog_text(), "\nSREM big "));
		assert_memory_equal(th_wlog_text(), "SREM big ", 9);
	}
	th_assert_reply(c, ":1000\r\n", "SCARD", "big");
	th_wlog_reset();
}

/* CASE 3 of SPOP rebuilds the remaining members as a new set encoded for
 * its first member (Redis 7.0's setTypeCreate): a hashtable set whose
 * remaining members are integers becomes an intset. */
static void
test_spop_case3_encoding(void **state)
{
	int saw_intset = 0, saw_hashtable = 0;

	(void)state;
	for (int i = 0; i < 200 && !(saw_intset && saw_hashtable); i++) {
		th_cmd(c, "SADD", "s", "a", "1", "2", "3", "4", "5", "6", "7", "8",
		       "9", "10", NULL);
		assert_string_equal(th_enc_of(c, "s"), "hashtable");
		assert_memory_equal(th_cmd(c, "SPOP", "s", "10", NULL), "*10\r\n", 5);
		if (strcmp(th_enc_of(c, "s"), "intset") == 0) {
			saw_intset++;
			assert_string_not_equal(th_cmd(c, "SISMEMBER", "s", "a", NULL), ":1\r\n");
		} else {
			saw_hashtable++;
			th_assert_reply(c, "*1\r\n$1\r\na\r\n", "SMEMBERS", "s");
		}
		th_cmd(c, "SPOP", "s", "5", NULL);
		assert_false(th_key_exists(c, "s"));
	}
	assert_true(saw_intset > 0);
	assert_true(saw_hashtable > 0);
}

static void
test_sscan(void **state)
{
	(void)state;
	th_assert_reply(c, ":4\r\n", "SADD", "s", "3", "1", "20", "2");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", "SSCAN", "s", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", "SSCAN", "s", "0", "COUNT", "1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n2\r\n$2\r\n20\r\n", "SSCAN", "s", "0", "MATCH", "2*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*1\r\n$2\r\n20\r\n", "SSCAN", "s", "0", "match", "*0", "count", "5");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", "SSCAN", "s", "7");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", "SSCAN", "s", "-1");
	th_assert_reply(c, "-ERR syntax error\r\n", "SSCAN", "s", "0", "COUNT", "0");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "SSCAN", "s", "0", "COUNT", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "SSCAN", "s", "0", "MATCH");
	th_assert_reply(c, "-ERR syntax error\r\n", "SSCAN", "s", "0", "TYPE", "set");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SSCAN", "s", "x");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "SSCAN", "nokey", "0", "MATCH");
	th_assert_reply(c, ":3\r\n", "SADD", "t", "a", "b", "ab");
}

static void
test_sscan_hashtable(void **state)
{
	unsigned char seen[2000] = { 0 };
	char cursor[32] = "0";
	int calls = 0;

	(void)state;
	assert_string_equal(th_cmd_range(c, "SADD", "s", 0, 2000, "m%d", NULL), ":2000\r\n");
	do {
		const char *r = th_cmd(c, "SSCAN", "s", cursor, "COUNT", "50", NULL);
		const char *p;
		long n, len;

		assert_memory_equal(r, "*2\r\n$", 5);
		len = strtol(r + 5, (char **)&p, 10);
		p += 2;
		memcpy(cursor, p, (size_t)len);
		cursor[len] = '\0';
		p += len + 2;
		n = strtol(p + 1, (char **)&p, 10);
		p += 2;
		if (strcmp(cursor, "0") != 0)
			assert_true(n >= 50);
		for (long i = 0; i < n; i++) {
			long ml = strtol(p + 1, (char **)&p, 10);

			p += 2;
			assert_int_equal(*p, 'm');
			seen[atoi(p + 1)]++;
			p += ml + 2;
		}
		calls++;
	} while (strcmp(cursor, "0") != 0);
	assert_true(calls > 10);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(seen[i], 1);
	th_assert_reply(c, ":3\r\n", "SADD", "t", "a", "b", "ab");
	{
		const char *r = th_cmd(c, "SSCAN", "t", "0", "MATCH", "a*", "COUNT", "100", NULL);

		assert_true(strcmp(r, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\nab\r\n") == 0 ||
			    strcmp(r, "*2\r\n$1\r\n0\r\n*2\r\n$2\r\nab\r\n$1\r\na\r\n") == 0);
	}
}

static void
test_resp3(void **state)
{
	(void)state;
	c->resp = 3;
	th_assert_reply(c, ":3\r\n", "SADD", "s", "1", "2", "3");
	th_assert_reply(c, "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SMEMBERS", "s");
	th_assert_reply(c, "~0\r\n", "SMEMBERS", "nokey");
	th_assert_reply(c, "~0\r\n", "SINTER", "s", "nokey");
	th_assert_reply(c, "~0\r\n", "SUNION", "nokey");
	th_assert_reply(c, "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SDIFF", "s");
	th_assert_reply(c, "~0\r\n", "SPOP", "s", "0");
	th_assert_reply(c, "~0\r\n", "SPOP", "nokey", "2");
	th_assert_reply(c, "*0\r\n", "SRANDMEMBER", "nokey", "3");
	th_assert_reply(c, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SRANDMEMBER", "s", "5");
	th_assert_reply(c, "_\r\n", "SPOP", "nokey");
	th_assert_reply(c, "_\r\n", "SRANDMEMBER", "nokey");
	th_assert_reply(c, "*2\r\n:1\r\n:0\r\n", "SMISMEMBER", "s", "1", "9");
	th_assert_reply(c, "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "s", "5");
}

/* The type layer directly: memory accounting, iteration, random. */
static void
test_type_layer(void **state)
{
	int64_t before = st_mem_used();
	struct st_set *s = st_set_new_for("12", 2);
	struct st_set_iter it;
	const char *m;
	size_t len;
	char buf[ST_NUMBUF];
	int n = 0;

	(void)state;
	assert_int_equal(s->v.type, ST_TYPE_SET);
	assert_int_equal(s->v.enc, ST_ENC_INTSET);
	assert_true(st_set_add(s, "12", 2));
	assert_false(st_set_add(s, "12", 2));
	assert_true(st_set_add(s, "-3", 2));
	st_set_random(s, buf, &m, &len);
	assert_true((len == 2 && memcmp(m, "12", 2) == 0) ||
		    (len == 2 && memcmp(m, "-3", 2) == 0));
	st_set_iter_init(s, &it);
	assert_true(st_set_iter_next(&it, &m, &len));
	assert_memory_equal(m, "-3", 2);
	assert_true(st_set_iter_next(&it, &m, &len));
	assert_memory_equal(m, "12", 2);
	assert_false(st_set_iter_next(&it, &m, &len));
	assert_true(st_set_add(s, "abc", 3));
	assert_int_equal(s->v.enc, ST_ENC_HASHTABLE);
	assert_true(st_set_is_member(s, "-3", 2));
	assert_true(st_set_is_member(s, "abc", 3));
	st_set_iter_init(s, &it);
	while (st_set_iter_next(&it, &m, &len))
		n++;
	assert_int_equal(n, 3);
	assert_true(st_set_remove(s, "abc", 3));
	assert_false(st_set_remove(s, "abc", 3));
	assert_int_equal(st_set_size(s), 2);
	assert_true((int64_t)st_set_mem(s) <= st_mem_used() - before);
	st_set_free(s);
	assert_int_equal(st_mem_used(), before);

	s = st_set_new_for("x", 1);
	assert_int_equal(s->v.enc, ST_ENC_HASHTABLE);
	st_set_free(s);
	s = st_set_new();
	assert_int_equal(s->v.enc, ST_ENC_INTSET);
	assert_int_equal(st_set_size(s), 0);
	st_set_free(s);
	assert_int_equal(st_mem_used(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_wrongtype, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encodings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_encodings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spop_srandmember, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spop_propagation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spop_case3_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sscan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sscan_hashtable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resp3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_layer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
