/*
 * test_keys.c -- the generic key commands (cmd_keys.c).
 *
 * Every command runs through the whole client path and its raw reply bytes
 * are compared with stock redis-server 7.0.15's (taken from a local server
 * with a raw socket).  Where Redis's output order is unspecified (KEYS,
 * SCAN, RANDOMKEY) the replies are parsed and checked as sets.  The SCAN
 * guarantee (every key present for the whole iteration is returned at least
 * once) is checked over 10k keys with keys added and removed between calls,
 * and RENAME's value move is checked against concurrent lock-free readers.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "client.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

static struct st_client *tc;

static int
setup(void **state)
{
	(void)state;
	tc = th_fresh_client();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	th_fresh_client_done(tc);
	tc = NULL;
	return 0;
}

/* ==== reply parsing (for unordered replies) ================================ */

struct strlist {
	char **v;
	size_t n, cap;
};

static void
strlist_add(struct strlist *l, const char *p, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = malloc(len + 1);
	memcpy(l->v[l->n], p, len);
	l->v[l->n][len] = '\0';
	l->n++;
}

static void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "a,b,c": the sorted elements joined by commas. */
static const char *
strlist_join_sorted(struct strlist *l)
{
	static char out[8192];
	size_t len = 0;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), th_cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
					i ? "," : "", l->v[i]);
	}
	return out;
}

static long
parse_num(const char **p)
{
	long n = strtol(*p, (char **)p, 10);

	assert_true((*p)[0] == '\r' && (*p)[1] == '\n');
	*p += 2;
	return n;
}

/* Parse "*N\r\n" + N bulk strings starting at *p; advances *p. */
static long
parse_bulk_array(const char **p, struct strlist *out)
{
	long n;

	assert_int_equal(**p, '*');
	(*p)++;
	n = parse_num(p);
	for (long i = 0; i < n; i++) {
		long len;

		assert_int_equal(**p, '$');
		(*p)++;
		len = parse_num(p);
		strlist_add(out, *p, (size_t)len);
		*p += len;
		assert_true((*p)[0] == '\r' && (*p)[1] == '\n');
		*p += 2;
	}
	return n;
}

/* KEYS pattern -> sorted, comma-joined names. */
static const char *
keys_sorted(struct st_client *c, const char *pattern)
{
	struct strlist l = { 0 };
	const char *r = th_cmd(c, "KEYS", pattern, NULL);
	static char out[8192];

	parse_bulk_array(&r, &l);
	assert_int_equal(*r, '\0');
	snprintf(out, sizeof(out), "%s", strlist_join_sorted(&l));
	strlist_free(&l);
	return out;
}

/* One SCAN call: returns the next cursor, appends the keys to 'out'. */
static unsigned long long
scan_once(struct st_client *c, const char *cursor, const char *const *opts,
	  int nopts, struct strlist *out)
{
	const char *argv[16] = { "SCAN", cursor };
	size_t lens[16];
	struct strlist cur = { 0 };
	const char *r;
	unsigned long long next;
	int argc = 2;

	for (int i = 0; i < nopts; i++)
		argv[argc++] = opts[i];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	r = th_cmdv(c, argc, argv, lens);
	assert_memory_equal(r, "*2\r\n", 4);
	r += 4;
	assert_int_equal(*r, '$');
	r++;
	{
		long len = parse_num(&r);
		char num[32];

		assert_true(len > 0 && len < 21);
		memcpy(num, r, (size_t)len);
		num[len] = '\0';
		next = strtoull(num, NULL, 10);
		r += len + 2;
	}
	parse_bulk_array(&r, &cur);
	assert_int_equal(*r, '\0');
	for (size_t i = 0; i < cur.n; i++)
		strlist_add(out, cur.v[i], strlen(cur.v[i]));
	strlist_free(&cur);
	return next;
}

/* A whole SCAN iteration -> sorted, comma-joined (duplicates removed). */
static const char *
scan_all_sorted(struct st_client *c, const char *const *opts, int nopts)
{
	struct strlist all = { 0 }, uniq = { 0 };
	unsigned long long cursor = 0;
	static char out[8192];
	char cbuf[32];
	int calls = 0;

	do {
		snprintf(cbuf, sizeof(cbuf), "%llu", cursor);
		cursor = scan_once(c, cbuf, opts, nopts, &all);
		assert_true(++calls < 100000);
	} while (cursor != 0);
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(*all.v), th_cmp_str);
	for (size_t i = 0; i < all.n; i++)
		if (i == 0 || strcmp(all.v[i], all.v[i - 1]) != 0)
			strlist_add(&uniq, all.v[i], strlen(all.v[i]));
	snprintf(out, sizeof(out), "%s", strlist_join_sorted(&uniq));
	strlist_free(&all);
	strlist_free(&uniq);
	return out;
}

/* ==== DEL / UNLINK / EXISTS / TYPE / TOUCH =================================== */

static void
cmd_del_unlink(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR wrong number of arguments for 'del' command\r\n", "DEL");
	th_assert_reply(c, "-ERR wrong number of arguments for 'unlink' command\r\n", "UNLINK");
	th_assert_reply(c, ":0\r\n", "DEL", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":1\r\n", "DEL", "a", "a", "b");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
	th_assert_reply(c, "+OK\r\n", "MSET", "a", "1", "b", "2");
	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "x", "y", "z");
	th_assert_reply(c, ":1\r\n", "HSET", "h", "f", "v");
	th_assert_reply(c, ":2\r\n", "UNLINK", "a", "b", "c");
	th_assert_reply(c, ":2\r\n", "del", "l", "h");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	/* A deleted key can be created again with another type. */
	th_assert_reply(c, ":1\r\n", "SADD", "a", "m");
	th_assert_reply(c, "+set\r\n", "TYPE", "a");
	th_assert_reply(c, ":1\r\n", "DEL", "a");
	th_assert_reply(c, "+none\r\n", "TYPE", "a");
}

static void
cmd_exists_type(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR wrong number of arguments for 'exists' command\r\n", "EXISTS");
	th_assert_reply(c, "-ERR wrong number of arguments for 'type' command\r\n", "TYPE");
	th_assert_reply(c, "-ERR wrong number of arguments for 'type' command\r\n",
			"TYPE", "a", "b");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	/* Duplicates are counted every time, as Redis. */
	th_assert_reply(c, ":3\r\n", "EXISTS", "a", "a", "b", "a");
	th_assert_reply(c, "+string\r\n", "TYPE", "a");
	th_assert_reply(c, "+none\r\n", "TYPE", "nokey");
	th_assert_reply(c, ":1\r\n", "RPUSH", "l", "x");
	th_assert_reply(c, "+list\r\n", "TYPE", "l");
	th_assert_reply(c, ":1\r\n", "HSET", "h", "f", "v");
	th_assert_reply(c, "+hash\r\n", "TYPE", "h");
	th_assert_reply(c, ":1\r\n", "SADD", "s", "m");
	th_assert_reply(c, "+set\r\n", "TYPE", "s");
	th_assert_reply(c, ":1\r\n", "ZADD", "z", "1", "m");
	th_assert_reply(c, "+zset\r\n", "TYPE", "z");
	th_assert_reply(c, ":5\r\n", "EXISTS", "a", "l", "h", "s", "z");
	/* Binary-safe names. */
	{
		const char *argv[] = { "SET", "k\0ey", "v" };
		const size_t lens[] = { 3, 4, 1 };
		const char *ex[] = { "EXISTS", "k\0ey", "k" };
		const size_t exl[] = { 6, 4, 1 };

		assert_string_equal(th_cmdv(c, 3, argv, lens), "+OK\r\n");
		assert_string_equal(th_cmdv(c, 3, ex, exl), ":1\r\n");
	}
}

static void
cmd_touch(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR wrong number of arguments for 'touch' command\r\n", "TOUCH");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":2\r\n", "TOUCH", "a", "nokey", "a");
	th_assert_reply(c, ":0\r\n", "TOUCH", "nokey");
}

/* ==== EXPIRE family (the condition matrix is in test_expire.c) ============== */

static void
cmd_expire_errors(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR wrong number of arguments for 'expire' command\r\n",
			"EXPIRE", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
			"EXPIRE", "a", "100", "nx", "xx");
	th_assert_reply(c, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
			"EXPIRE", "a", "100", "nx", "gt");
	th_assert_reply(c, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
			"PEXPIRE", "a", "100", "LT", "NX");
	th_assert_reply(c, "-ERR GT and LT options at the same time are not compatible\r\n",
			"EXPIRE", "a", "100", "gt", "lt");
	th_assert_reply(c, "-ERR Unsupported option foo\r\n",
			"EXPIRE", "a", "100", "foo");
	th_assert_reply(c, "-ERR Unsupported option foo\r\n",
			"EXPIRE", "a", "100", "nx", "foo");
	/* Options are checked before the number, the number before the key. */
	th_assert_reply(c, "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
			"EXPIRE", "a", "abc", "nx", "xx");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"EXPIRE", "a", "abc");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"EXPIRE", "nokey", "abc");
	th_assert_reply(c, "-ERR Unsupported option foo\r\n",
			"EXPIRE", "nokey", "10", "foo");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"PEXPIRE", "a", "1.5");
	th_assert_reply(c, "-ERR invalid expire time in 'expire' command\r\n",
			"EXPIRE", "a", "9223372036854775807");
	th_assert_reply(c, "-ERR invalid expire time in 'expire' command\r\n",
			"EXPIRE", "a", "9223372036854775");
	th_assert_reply(c, "-ERR invalid expire time in 'expire' command\r\n",
			"EXPIRE", "a", "-9223372036854775808");
	th_assert_reply(c, "-ERR invalid expire time in 'pexpire' command\r\n",
			"PEXPIRE", "a", "9223372036854775807");
	th_assert_reply(c, "-ERR invalid expire time in 'expireat' command\r\n",
			"EXPIREAT", "a", "9223372036854775807");
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "a", "9223372036854775807");
	th_assert_reply(c, ":9223372036854775807\r\n", "PEXPIRETIME", "a");
	th_assert_reply(c, ":1\r\n", "EXPIREAT", "a", "9223372036854775");
	th_assert_reply(c, ":9223372036854775\r\n", "EXPIRETIME", "a");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "nokey", "10");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "nokey", "-1");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "a", "-1");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":1\r\n", "EXPIREAT", "a", "0", "nx");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "a", "-9223372036854775808");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
}

static void
cmd_ttl_readers(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":-2\r\n", "TTL", "nokey");
	th_assert_reply(c, ":-2\r\n", "PTTL", "nokey");
	th_assert_reply(c, ":-2\r\n", "EXPIRETIME", "nokey");
	th_assert_reply(c, ":-2\r\n", "PEXPIRETIME", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":-1\r\n", "TTL", "a");
	th_assert_reply(c, ":-1\r\n", "PTTL", "a");
	th_assert_reply(c, ":-1\r\n", "EXPIRETIME", "a");
	th_assert_reply(c, ":-1\r\n", "PEXPIRETIME", "a");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "a", "100");
	th_assert_reply(c, ":100\r\n", "TTL", "a");
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "a", "4000000000499");
	th_assert_reply(c, ":4000000000\r\n", "EXPIRETIME", "a");
	th_assert_reply(c, ":4000000000499\r\n", "PEXPIRETIME", "a");
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "a", "4000000000500");
	th_assert_reply(c, ":4000000001\r\n", "EXPIRETIME", "a");
	th_assert_reply(c, ":1\r\n", "EXPIREAT", "a", "4000000000");
	th_assert_reply(c, ":4000000000000\r\n", "PEXPIRETIME", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'ttl' command\r\n",
			"TTL", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'pexpiretime' command\r\n",
			"PEXPIRETIME");
}

static void
cmd_persist(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":0\r\n", "PERSIST", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, ":0\r\n", "PERSIST", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "b", "1", "EX", "100");
	th_assert_reply(c, ":1\r\n", "PERSIST", "b");
	th_assert_reply(c, ":-1\r\n", "TTL", "b");
	th_assert_reply(c, ":0\r\n", "PERSIST", "b");
	th_assert_reply(c, "$1\r\n1\r\n", "GET", "b");
}

/* ==== KEYS / SCAN / RANDOMKEY ================================================ */

static void
cmd_keys_patterns(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "*0\r\n", "KEYS", "*");
	th_assert_reply(c, "-ERR wrong number of arguments for 'keys' command\r\n", "KEYS");
	th_assert_reply(c, "+OK\r\n", "MSET", "hello", "1", "hallo", "2", "hxllo", "3",
			"hllo", "4", "heeeello", "5", "a*b", "6", "a?b", "7",
			"A", "8", "b", "9");
	th_assert_reply(c, ":1\r\n", "RPUSH", "list", "x");
	assert_string_equal(keys_sorted(c, "*"),
			    "A,a*b,a?b,b,hallo,heeeello,hello,hllo,hxllo,list");
	assert_string_equal(keys_sorted(c, "h?llo"), "hallo,hello,hxllo");
	assert_string_equal(keys_sorted(c, "h*llo"), "hallo,heeeello,hello,hllo,hxllo");
	assert_string_equal(keys_sorted(c, "h[ae]llo"), "hallo,hello");
	assert_string_equal(keys_sorted(c, "h[^e]llo"), "hallo,hxllo");
	assert_string_equal(keys_sorted(c, "h[a-b]llo"), "hallo");
	assert_string_equal(keys_sorted(c, "a\\*b"), "a*b");
	assert_string_equal(keys_sorted(c, "a?b"), "a*b,a?b");
	/* Matching is case sensitive. */
	assert_string_equal(keys_sorted(c, "a"), "");
	assert_string_equal(keys_sorted(c, "A"), "A");
	assert_string_equal(keys_sorted(c, "[ab]"), "b");
	assert_string_equal(keys_sorted(c, "nomatch*"), "");
	th_assert_reply(c, "*1\r\n$4\r\nlist\r\n", "KEYS", "l*");
	/* An expired key is not listed, even before it is deleted. */
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "hllo", "1");
	usleep(5000);
	assert_string_equal(keys_sorted(c, "h*"), "hallo,heeeello,hello,hxllo");
}

static void
cmd_scan_basic(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0");
	th_assert_reply(c, "-ERR wrong number of arguments for 'scan' command\r\n", "SCAN");
	th_assert_reply(c, "+OK\r\n", "MSET", "a", "1", "b", "2", "c", "3");
	th_assert_reply(c, ":1\r\n", "RPUSH", "l1", "x");
	th_assert_reply(c, ":1\r\n", "HSET", "h1", "f", "v");
	th_assert_reply(c, ":1\r\n", "SADD", "s1", "m");
	th_assert_reply(c, ":1\r\n", "ZADD", "z1", "1", "m");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SCAN", "abc");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SCAN", " 0");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SCAN", "0 ");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SCAN", "-");
	th_assert_reply(c, "-ERR invalid cursor\r\n", "SCAN", "18446744073709551616");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "count", "0");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "count", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"SCAN", "0", "count", "abc");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"SCAN", "0", "count", "9223372036854775808");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "count");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "match");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "type");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "foo");
	th_assert_reply(c, "-ERR syntax error\r\n", "SCAN", "0", "match", "*", "foo");
	/* An unknown type name matches nothing (7.0 has no check). */
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "type", "foo",
			"count", "100");

	assert_string_equal(scan_all_sorted(c, NULL, 0), "a,b,c,h1,l1,s1,z1");
	{
		const char *o1[] = { "COUNT", "1" };
		const char *o2[] = { "MATCH", "?1", "COUNT", "2" };
		const char *o3[] = { "TYPE", "STRING" };
		const char *o4[] = { "type", "list" };
		const char *o5[] = { "type", "zset", "match", "z*" };
		const char *o6[] = { "type", "zset", "match", "a*" };
		const char *o7[] = { "match", "*", "type", "hash", "type", "set" };
		const char *o8[] = { "count", "9223372036854775807" };

		assert_string_equal(scan_all_sorted(c, o1, 2), "a,b,c,h1,l1,s1,z1");
		assert_string_equal(scan_all_sorted(c, o2, 4), "h1,l1,s1,z1");
		assert_string_equal(scan_all_sorted(c, o3, 2), "a,b,c");
		assert_string_equal(scan_all_sorted(c, o4, 2), "l1");
		assert_string_equal(scan_all_sorted(c, o5, 4), "z1");
		assert_string_equal(scan_all_sorted(c, o6, 4), "");
		/* The last TYPE wins, as the last MATCH and COUNT do. */
		assert_string_equal(scan_all_sorted(c, o7, 6), "s1");
		assert_string_equal(scan_all_sorted(c, o8, 2), "a,b,c,h1,l1,s1,z1");
	}
	/* A big COUNT returns everything in one call with cursor 0. */
	{
		struct strlist l = { 0 };
		const char *o[] = { "COUNT", "1000" };

		assert_int_equal(scan_once(c, "0", o, 2, &l), 0);
		assert_int_equal(l.n, 7);
		strlist_free(&l);
	}
	/* COUNT 1 returns one key per call and a nonzero cursor until the end. */
	{
		struct strlist l = { 0 };
		const char *o[] = { "COUNT", "1" };
		unsigned long long cur = scan_once(c, "0", o, 2, &l);

		assert_int_equal(l.n, 1);
		assert_true(cur != 0);
		strlist_free(&l);
	}
	/* strtoul-style cursors: "" and "+0" start, "-1" is ULONG_MAX. */
	{
		struct strlist l = { 0 };
		const char *o[] = { "COUNT", "100" };

		assert_int_equal(scan_once(c, "", o, 2, &l), 0);
		assert_int_equal(l.n, 7);
		strlist_free(&l);
		assert_int_equal(scan_once(c, "+0", o, 2, &l), 0);
		assert_int_equal(l.n, 7);
		strlist_free(&l);
		assert_int_equal(scan_once(c, "-1", o, 2, &l), 0);
		assert_true(l.n <= 1);
		strlist_free(&l);
		assert_int_equal(scan_once(c, "18446744073709551615", o, 2, &l), 0);
		assert_true(l.n <= 1);
		strlist_free(&l);
	}
	/* Expired keys are not returned, even before they are deleted. */
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "a", "1");
	usleep(5000);
	assert_string_equal(scan_all_sorted(c, NULL, 0), "b,c,h1,l1,s1,z1");
}

#define SCAN_STABLE 10000

/*
 * The SCAN guarantee: a key present from the first call to the last is
 * returned at least once, while keys come and go between calls and the
 * table grows and shrinks under the iteration.
 */
static void
scan_guarantee_run(struct st_client *c, int tmp_keys, int add_per_call,
		   int del_per_call)
{
	char *seen = calloc(SCAN_STABLE, 1);
	unsigned long long cursor = 0;
	const char *opts[] = { "COUNT", "10" };
	char key[64], cbuf[32];
	int next_tmp_del = 0, next_new = 0, calls = 0;
	long returned = 0;

	for (int i = 0; i < SCAN_STABLE; i++) {
		snprintf(key, sizeof(key), "key:%d", i);
		th_cmd(c, "SET", key, "v", NULL);
	}
	for (int i = 0; i < tmp_keys; i++) {
		snprintf(key, sizeof(key), "tmp:%d", i);
		th_cmd(c, "SET", key, "v", NULL);
	}
	do {
		struct strlist l = { 0 };

		snprintf(cbuf, sizeof(cbuf), "%llu", cursor);
		cursor = scan_once(c, cbuf, opts, 2, &l);
		assert_true(l.n <= 10);
		returned += (long)l.n;
		for (size_t i = 0; i < l.n; i++) {
			if (strncmp(l.v[i], "key:", 4) == 0) {
				int k = atoi(l.v[i] + 4);

				assert_true(k >= 0 && k < SCAN_STABLE);
				seen[k] = 1;
			} else {
				assert_true(strncmp(l.v[i], "tmp:", 4) == 0 ||
					    strncmp(l.v[i], "new:", 4) == 0);
			}
		}
		strlist_free(&l);
		for (int i = 0; i < add_per_call; i++) {
			snprintf(key, sizeof(key), "new:%d", next_new++);
			th_cmd(c, "SET", key, "v", NULL);
		}
		for (int i = 0; i < del_per_call && next_tmp_del < tmp_keys; i++) {
			snprintf(key, sizeof(key), "tmp:%d", next_tmp_del++);
			assert_string_equal(th_cmd(c, "DEL", key, NULL), ":1\r\n");
		}
		if (++calls % 64 == 0)
			st_worker_quiescent();
		assert_true(calls < 200000);
	} while (cursor != 0);
	for (int i = 0; i < SCAN_STABLE; i++) {
		if (!seen[i])
			fail_msg("key:%d never returned by SCAN", i);
	}
	/* COUNT 10 over >= 10k keys takes at least 1000 calls. */
	assert_true(calls >= SCAN_STABLE / 10);
	assert_true(returned >= SCAN_STABLE);
	free(seen);
}

static void
cmd_scan_guarantee_growing(void **state)
{
	/* 10k stable keys, 2k removed and ~15k added during the scan: the
	 * table doubles under the iteration. */
	scan_guarantee_run(tc, 2000, 12, 2);
}

static void
cmd_scan_guarantee_shrinking(void **state)
{
	/* 10k stable keys and 30k that go away during the scan. */
	scan_guarantee_run(tc, 30000, 1, 40);
}

static void
cmd_randomkey(void **state)
{
	struct st_client *c = tc;
	char seen[100] = { 0 };
	int distinct = 0;

	th_assert_reply(c, "$-1\r\n", "RANDOMKEY");
	th_assert_reply(c, "-ERR wrong number of arguments for 'randomkey' command\r\n",
			"RANDOMKEY", "x");
	th_assert_reply(c, "+OK\r\n", "SET", "only", "1");
	for (int i = 0; i < 20; i++)
		th_assert_reply(c, "$4\r\nonly\r\n", "RANDOMKEY");
	th_assert_reply(c, ":1\r\n", "DEL", "only");
	th_assert_reply(c, "$-1\r\n", "RANDOMKEY");
	for (int i = 0; i < 100; i++) {
		char key[16];

		snprintf(key, sizeof(key), "r%02d", i);
		th_cmd(c, "SET", key, "v", NULL);
	}
	for (int i = 0; i < 500; i++) {
		const char *r = th_cmd(c, "RANDOMKEY", NULL);
		int k;

		assert_memory_equal(r, "$3\r\nr", 5);
		k = atoi(r + 5);
		assert_true(k >= 0 && k < 100);
		if (!seen[k]) {
			seen[k] = 1;
			distinct++;
		}
	}
	assert_true(distinct >= 20);
	/* Other databases stay empty. */
	th_assert_reply(c, "+OK\r\n", "SELECT", "3");
	th_assert_reply(c, "$-1\r\n", "RANDOMKEY");
	c->resp = 3;
	th_assert_reply(c, "_\r\n", "RANDOMKEY");
	c->resp = 2;
}

/* ==== RENAME / RENAMENX ======================================================= */

static void
cmd_rename(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR no such key\r\n", "RENAME", "nokey", "x");
	th_assert_reply(c, "-ERR no such key\r\n", "RENAME", "nokey", "nokey");
	th_assert_reply(c, "-ERR no such key\r\n", "RENAMENX", "nokey", "x");
	th_assert_reply(c, "-ERR wrong number of arguments for 'rename' command\r\n",
			"RENAME", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, "+OK\r\n", "RENAME", "a", "a");
	th_assert_reply(c, ":0\r\n", "RENAMENX", "a", "a");
	th_assert_reply(c, "$1\r\n1\r\n", "GET", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "b", "2");
	th_assert_reply(c, ":0\r\n", "RENAMENX", "a", "b");
	th_assert_reply(c, "$1\r\n2\r\n", "GET", "b");
	th_assert_reply(c, "+OK\r\n", "RENAME", "a", "b");
	th_assert_reply(c, "$1\r\n1\r\n", "GET", "b");
	th_assert_reply(c, ":0\r\n", "EXISTS", "a");
	th_assert_reply(c, ":1\r\n", "RENAMENX", "b", "c");
	th_assert_reply(c, "$1\r\n1\r\n", "GET", "c");
	th_assert_reply(c, ":1\r\n", "DBSIZE");

	/* A collection moves with its TTL; the destination's type and TTL are
	 * replaced. */
	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "l", "100");
	th_assert_reply(c, "+OK\r\n", "SET", "l2", "x", "EX", "500");
	th_assert_reply(c, "+OK\r\n", "RENAME", "l", "l2");
	th_assert_reply(c, ":100\r\n", "TTL", "l2");
	th_assert_reply(c, "+list\r\n", "TYPE", "l2");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "l2", "0", "-1");
	th_assert_reply(c, ":-2\r\n", "TTL", "l");
	th_assert_reply(c, ":4\r\n", "RPUSH", "l2", "d");
	th_assert_reply(c, "+OK\r\n", "RENAME", "c", "l2");
	th_assert_reply(c, "+string\r\n", "TYPE", "l2");
	th_assert_reply(c, ":-1\r\n", "TTL", "l2");
	th_assert_reply(c, "$1\r\n1\r\n", "GET", "l2");
	/* Big collections move without a copy and stay intact. */
	for (int i = 0; i < 1000; i++) {
		char f[16];

		snprintf(f, sizeof(f), "f%d", i);
		th_cmd(c, "HSET", "h", f, f, NULL);
	}
	th_assert_reply(c, ":1\r\n", "RENAMENX", "h", "h2");
	th_assert_reply(c, ":1000\r\n", "HLEN", "h2");
	th_assert_reply(c, "$4\r\nf999\r\n", "HGET", "h2", "f999");
	th_assert_reply(c, ":0\r\n", "EXISTS", "h");
	/* An expired source is no such key; an expired destination is free. */
	th_assert_reply(c, "+OK\r\n", "SET", "e", "1", "PX", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "f", "1");
	usleep(5000);
	th_assert_reply(c, "-ERR no such key\r\n", "RENAME", "e", "g");
	th_assert_reply(c, "+OK\r\n", "SET", "e", "1", "PX", "1");
	usleep(5000);
	th_assert_reply(c, ":1\r\n", "RENAMENX", "f", "e");
	th_assert_reply(c, ":-1\r\n", "TTL", "e");
}

/* Writers rename a key back and forth; lock-free readers of both names
 * must always see exactly one of them, with the whole value. */
struct rename_race {
	_Atomic int stop;
	_Atomic long reads;
};

static void
exec_args(struct st_client *c, int argc, const char *const *argv)
{
	struct st_buf req;
	size_t lens[8];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	st_buf_init(&req);
	st_resp_command(&req, argc, argv, lens);
	st_client_feed(c, req.p, req.len);
	st_buf_free(&req);
	st_client_process(c);
}

static void *
rename_reader(void *arg)
{
	struct rename_race *r = arg;
	struct st_worker *w = st_thread_register();
	struct st_client *c = st_client_new(w);
	const char *mget[] = { "MGET", "s1", "s2" };
	const char *exists[] = { "EXISTS", "l1", "l2" };
	static const char one_a[] = "*2\r\n$7\r\npayload\r\n$-1\r\n";
	static const char one_b[] = "*2\r\n$-1\r\n$7\r\npayload\r\n";
	long bad = 0;

	while (!atomic_load(&r->stop)) {
		exec_args(c, 3, mget);
		if (!((c->out.len == sizeof(one_a) - 1 &&
		       memcmp(c->out.p, one_a, c->out.len) == 0) ||
		      (c->out.len == sizeof(one_b) - 1 &&
		       memcmp(c->out.p, one_b, c->out.len) == 0)))
			bad++;
		st_buf_reset(&c->out);
		exec_args(c, 3, exists);
		if (c->out.len != 4 || memcmp(c->out.p, ":1\r\n", 4) != 0)
			bad++;
		st_buf_reset(&c->out);
		atomic_fetch_add(&r->reads, 1);
		st_worker_quiescent();
	}
	st_client_free(c);
	st_thread_unregister(w);
	return (void *)bad;
}

static void
cmd_rename_concurrent_readers(void **state)
{
	struct st_client *c = tc;
	struct rename_race r = { 0, 0 };
	pthread_t th[2];
	void *bad;
	long total_bad = 0;

	th_assert_reply(c, "+OK\r\n", "SET", "s1", "payload");
	th_assert_reply(c, ":3\r\n", "RPUSH", "l1", "a", "b", "c");
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, rename_reader, &r);
	for (int i = 0; i < 20000 || atomic_load(&r.reads) < 1000; i++) {
		const char *s = (i & 1) ? "s2" : "s1", *d = (i & 1) ? "s1" : "s2";
		const char *ls = (i & 1) ? "l2" : "l1", *ld = (i & 1) ? "l1" : "l2";

		assert_string_equal(th_cmd(c, "RENAME", s, d, NULL), "+OK\r\n");
		assert_string_equal(th_cmd(c, "RENAME", ls, ld, NULL), "+OK\r\n");
		if (i % 32 == 0)
			st_worker_quiescent();
		if (i > 2000000)
			break;
	}
	atomic_store(&r.stop, 1);
	st_worker_offline();
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], &bad);
		total_bad += (long)bad;
	}
	st_worker_online();
	assert_int_equal(total_bad, 0);
	th_assert_reply(c, ":3\r\n", "LLEN", "l1");
	th_assert_reply(c, "$7\r\npayload\r\n", "GET", "s1");
}

/* ==== databases =============================================================== */

static void
cmd_select(void **state)
{
	struct st_client *c = tc, *c2 = th_client();

	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "SELECT", "abc");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n", "SELECT", "1.0");
	th_assert_reply(c, "-ERR DB index is out of range\r\n", "SELECT", "16");
	th_assert_reply(c, "-ERR DB index is out of range\r\n", "SELECT", "-1");
	th_assert_reply(c, "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
			"SELECT", "9999999999999");
	th_assert_reply(c, "-ERR wrong number of arguments for 'select' command\r\n", "SELECT");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "db0");
	th_assert_reply(c, "+OK\r\n", "SELECT", "1");
	th_assert_reply(c, ":0\r\n", "EXISTS", "k");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "db1");
	th_assert_reply(c, ":1\r\n", "RPUSH", "only1", "x");
	th_assert_reply(c, ":2\r\n", "DBSIZE");
	/* Another client is still in db 0. */
	th_assert_reply(c2, "$3\r\ndb0\r\n", "GET", "k");
	th_assert_reply(c2, ":1\r\n", "DBSIZE");
	th_assert_reply(c2, ":0\r\n", "EXISTS", "only1");
	th_assert_reply(c, "+OK\r\n", "SELECT", "15");
	th_assert_reply(c, "$-1\r\n", "GET", "k");
	th_assert_reply(c, "+OK\r\n", "SELECT", "1");
	th_assert_reply(c, "$3\r\ndb1\r\n", "GET", "k");
	/* A failed SELECT leaves the database as it was. */
	th_assert_reply(c, "-ERR DB index is out of range\r\n", "SELECT", "99");
	th_assert_reply(c, "$3\r\ndb1\r\n", "GET", "k");
	assert_string_equal(keys_sorted(c, "*"), "k,only1");
	th_assert_reply(c, ":1\r\n", "DEL", "k");
	th_assert_reply(c2, "$3\r\ndb0\r\n", "GET", "k");
	st_client_free(c2);
}

static void
cmd_swapdb(void **state)
{
	struct st_client *c = tc, *c1 = th_client();

	th_assert_reply(c1, "+OK\r\n", "SELECT", "1");
	th_assert_reply(c, "-ERR invalid first DB index\r\n", "SWAPDB", "abc", "1");
	th_assert_reply(c, "-ERR invalid second DB index\r\n", "SWAPDB", "1", "abc");
	th_assert_reply(c, "-ERR invalid second DB index\r\n", "SWAPDB", "16", "abc");
	th_assert_reply(c, "-ERR invalid first DB index\r\n", "SWAPDB", "99999999999", "0");
	th_assert_reply(c, "-ERR DB index is out of range\r\n", "SWAPDB", "0", "16");
	th_assert_reply(c, "-ERR DB index is out of range\r\n", "SWAPDB", "-1", "0");
	th_assert_reply(c, "-ERR wrong number of arguments for 'swapdb' command\r\n",
			"SWAPDB", "0");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "in0");
	th_assert_reply(c, ":2\r\n", "RPUSH", "l", "x", "y");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "l", "100");
	th_assert_reply(c1, "+OK\r\n", "SET", "b", "in1");
	th_assert_reply(c, "+OK\r\n", "SWAPDB", "0", "0");
	th_assert_reply(c, "$3\r\nin0\r\n", "GET", "a");
	th_assert_reply(c, "+OK\r\n", "SWAPDB", "0", "1");
	/* Clients keep their database number and see the other contents. */
	th_assert_reply(c, "$-1\r\n", "GET", "a");
	th_assert_reply(c, "$3\r\nin1\r\n", "GET", "b");
	th_assert_reply(c, ":1\r\n", "DBSIZE");
	th_assert_reply(c1, "$3\r\nin0\r\n", "GET", "a");
	th_assert_reply(c1, "*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "LRANGE", "l", "0", "-1");
	th_assert_reply(c1, ":100\r\n", "TTL", "l");
	th_assert_reply(c1, ":2\r\n", "DBSIZE");
	/* Writes after the swap land in the swapped tables. */
	th_assert_reply(c1, "+OK\r\n", "SET", "c", "new1");
	th_assert_reply(c, "+OK\r\n", "SWAPDB", "1", "0");
	th_assert_reply(c, "$4\r\nnew1\r\n", "GET", "c");
	th_assert_reply(c, "$3\r\nin0\r\n", "GET", "a");
	th_assert_reply(c1, "$3\r\nin1\r\n", "GET", "b");
	th_assert_reply(c1, ":1\r\n", "DBSIZE");
	st_client_free(c1);
}

static void
cmd_flush(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "-ERR syntax error\r\n", "FLUSHDB", "foo");
	th_assert_reply(c, "-ERR syntax error\r\n", "FLUSHALL", "foo");
	th_assert_reply(c, "-ERR syntax error\r\n", "FLUSHALL", "async", "x");
	th_assert_reply(c, "+OK\r\n", "FLUSHDB");
	th_assert_reply(c, "+OK\r\n", "FLUSHDB", "ASYNC");
	th_assert_reply(c, "+OK\r\n", "FLUSHALL", "sync");
	for (int db = 0; db < 16; db += 5) {
		char n[8];

		snprintf(n, sizeof(n), "%d", db);
		th_assert_reply(c, "+OK\r\n", "SELECT", n);
		th_assert_reply(c, "+OK\r\n", "MSET", "a", "1", "b", "2");
		th_assert_reply(c, ":1\r\n", "EXPIRE", "a", "100");
		th_assert_reply(c, ":1\r\n", "SADD", "s", "x");
	}
	th_assert_reply(c, "+OK\r\n", "SELECT", "5");
	th_assert_reply(c, ":3\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "FLUSHDB");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	th_assert_reply(c, "*0\r\n", "KEYS", "*");
	th_assert_reply(c, "$-1\r\n", "RANDOMKEY");
	th_assert_reply(c, "+OK\r\n", "SELECT", "0");
	th_assert_reply(c, ":3\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "SELECT", "10");
	th_assert_reply(c, ":3\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "FLUSHALL", "ASYNC");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "SELECT", "0");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	th_assert_reply(c, "+OK\r\n", "SELECT", "15");
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	/* Keys can be created again afterwards. */
	th_assert_reply(c, "+OK\r\n", "SET", "a", "again");
	th_assert_reply(c, ":-1\r\n", "TTL", "a");
	th_assert_reply(c, ":1\r\n", "DBSIZE");
}

/* ==== OBJECT / MEMORY ========================================================== */

static void
cmd_object_encoding(void **state)
{
	struct st_client *c = tc;
	char big[64];

	th_assert_reply(c, "$-1\r\n", "OBJECT", "ENCODING", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "12345");
	th_assert_reply(c, "$3\r\nint\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, "$3\r\nint\r\n", "object", "encoding", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "-9223372036854775808");
	th_assert_reply(c, "$3\r\nint\r\n", "OBJECT", "ENCODING", "a");
	/* Not a long long, not canonical: embstr. */
	th_assert_reply(c, "+OK\r\n", "SET", "a", "12345678901234567890");
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "-0");
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "00");
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "");
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	memset(big, 'a', 44);
	big[44] = '\0';
	th_assert_reply(c, "+OK\r\n", "SET", "a", big);
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	big[44] = 'a';
	big[45] = '\0';
	th_assert_reply(c, "+OK\r\n", "SET", "a", big);
	th_assert_reply(c, "$3\r\nraw\r\n", "OBJECT", "ENCODING", "a");
	/* APPEND makes raw whatever the size, even digits. */
	th_assert_reply(c, "+OK\r\n", "SET", "a", "ab");
	th_assert_reply(c, "$6\r\nembstr\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, ":3\r\n", "APPEND", "a", "c");
	th_assert_reply(c, "$3\r\nraw\r\n", "OBJECT", "ENCODING", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "n", "1");
	th_assert_reply(c, ":2\r\n", "APPEND", "n", "2");
	th_assert_reply(c, "$3\r\nraw\r\n", "OBJECT", "ENCODING", "n");
	th_assert_reply(c, ":13\r\n", "INCR", "n");
	th_assert_reply(c, "$3\r\nint\r\n", "OBJECT", "ENCODING", "n");
	/* RENAME keeps the value and so its encoding. */
	th_assert_reply(c, "+OK\r\n", "RENAME", "a", "a2");
	th_assert_reply(c, "$3\r\nraw\r\n", "OBJECT", "ENCODING", "a2");
	/* The collection types. */
	th_assert_reply(c, ":1\r\n", "RPUSH", "l", "x");
	th_assert_reply(c, "$9\r\nquicklist\r\n", "OBJECT", "ENCODING", "l");
	th_assert_reply(c, ":1\r\n", "HSET", "h", "f", "v");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "h");
	th_assert_reply(c, ":2\r\n", "SADD", "si", "1", "2");
	th_assert_reply(c, "$6\r\nintset\r\n", "OBJECT", "ENCODING", "si");
	th_assert_reply(c, ":1\r\n", "SADD", "ss", "x");
	th_assert_reply(c, "$9\r\nhashtable\r\n", "OBJECT", "ENCODING", "ss");
	th_assert_reply(c, ":1\r\n", "ZADD", "z", "1", "m");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "z");
	c->resp = 3;
	th_assert_reply(c, "_\r\n", "OBJECT", "ENCODING", "nokey");
	c->resp = 2;
}

static void
cmd_object_other(void **state)
{
	struct st_client *c = tc;
	struct st_entry *e;
	uint32_t now;
	const char *r;

	th_assert_reply(c, "-ERR wrong number of arguments for 'object' command\r\n", "OBJECT");
	th_assert_reply(c, "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n", "OBJECT", "foo");
	th_assert_reply(c, "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
			"OBJECT", "foo", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'object|encoding' command\r\n",
			"OBJECT", "ENCODING");
	th_assert_reply(c, "-ERR wrong number of arguments for 'object|encoding' command\r\n",
			"OBJECT", "ENCODING", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'object|refcount' command\r\n",
			"OBJECT", "REFCOUNT", "a", "x");
	th_assert_reply(c, "-ERR wrong number of arguments for 'object|help' command\r\n",
			"OBJECT", "HELP", "x");
	th_assert_reply(c,
		"*15\r\n"
		"+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
		"+ENCODING <key>\r\n"
		"+    Return the kind of internal representation used in order to store the value\r\n"
		"+    associated with a <key>.\r\n"
		"+FREQ <key>\r\n"
		"+    Return the access frequency index of the <key>. The returned integer is\r\n"
		"+    proportional to the logarithm of the recent access frequency of the key.\r\n"
		"+IDLETIME <key>\r\n"
		"+    Return the idle time of the <key>, that is the approximated number of\r\n"
		"+    seconds elapsed since the last access to the key.\r\n"
		"+REFCOUNT <key>\r\n"
		"+    Return the number of references of the value associated with the specified\r\n"
		"+    <key>.\r\n"
		"+HELP\r\n"
		"+    Prints this help.\r\n",
		"OBJECT", "help");

	th_assert_reply(c, "$-1\r\n", "OBJECT", "REFCOUNT", "nokey");
	th_assert_reply(c, "$-1\r\n", "OBJECT", "IDLETIME", "nokey");
	th_assert_reply(c, "$-1\r\n", "OBJECT", "FREQ", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "12345");
	th_assert_reply(c, ":1\r\n", "OBJECT", "REFCOUNT", "a");
	th_assert_reply(c, ":0\r\n", "OBJECT", "IDLETIME", "a");
	th_assert_reply(c, "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
			"Please note that when switching between policies at runtime LRU and LFU data "
			"will take some time to adjust.\r\n", "OBJECT", "FREQ", "a");

	/* Age the key by 100 s: the NOTOUCH readers leave the clock alone,
	 * GET and TOUCH reset it. */
	c->cmd_time_ms = 0;
	e = st_lookup_nostats(c, "a", 1);
	assert_non_null(e);
	now = (uint32_t)(st_mstime() / 1000);
	atomic_store(&e->lru, now - 100);
	r = th_cmd(c, "OBJECT", "IDLETIME", "a", NULL);
	assert_true(strcmp(r, ":100\r\n") == 0 || strcmp(r, ":101\r\n") == 0);
	th_assert_reply(c, ":1\r\n", "EXISTS", "a");
	th_assert_reply(c, "+string\r\n", "TYPE", "a");
	th_assert_reply(c, ":-1\r\n", "TTL", "a");
	th_assert_reply(c, ":1\r\n", "OBJECT", "REFCOUNT", "a");
	r = th_cmd(c, "OBJECT", "IDLETIME", "a", NULL);
	assert_true(strcmp(r, ":100\r\n") == 0 || strcmp(r, ":101\r\n") == 0);
	th_assert_reply(c, ":1\r\n", "TOUCH", "a");
	th_assert_reply(c, ":0\r\n", "OBJECT", "IDLETIME", "a");
	atomic_store(&e->lru, now - 50);
	th_assert_reply(c, "$5\r\n12345\r\n", "GET", "a");
	th_assert_reply(c, ":0\r\n", "OBJECT", "IDLETIME", "a");
}

static void
cmd_memory(void **state)
{
	struct st_client *c = tc;
	char big[2048];
	const char *r;
	long small_use, big_use;

	th_assert_reply(c, "-ERR wrong number of arguments for 'memory' command\r\n", "MEMORY");
	th_assert_reply(c, "-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n", "MEMORY", "foo");
	th_assert_reply(c, "-ERR wrong number of arguments for 'memory|usage' command\r\n",
			"MEMORY", "USAGE");
	th_assert_reply(c, "-ERR wrong number of arguments for 'memory|help' command\r\n",
			"MEMORY", "HELP", "x");
	th_assert_reply(c, "$-1\r\n", "MEMORY", "USAGE", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "a", "samples");
	th_assert_reply(c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "a", "samples", "-1");
	th_assert_reply(c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "a", "foo");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
			"MEMORY", "USAGE", "a", "samples", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "nokey", "foo");
	r = th_cmd(c, "MEMORY", "USAGE", "a", NULL);
	assert_int_equal(r[0], ':');
	small_use = atol(r + 1);
	assert_true(small_use > 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	th_assert_reply(c, "+OK\r\n", "SET", "b", big);
	r = th_cmd(c, "MEMORY", "USAGE", "b", "SAMPLES", "0", NULL);
	assert_int_equal(r[0], ':');
	big_use = atol(r + 1);
	assert_true(big_use >= (long)sizeof(big) - 1);
	assert_true(big_use > small_use);
	th_assert_reply(c,
		"*14\r\n"
		"+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
		"+DOCTOR\r\n"
		"+    Return memory problems reports.\r\n"
		"+MALLOC-STATS\r\n"
		"+    Return internal statistics report from the memory allocator.\r\n"
		"+PURGE\r\n"
		"+    Attempt to purge dirty pages for reclamation by the allocator.\r\n"
		"+STATS\r\n"
		"+    Return information about the memory usage of the server.\r\n"
		"+USAGE <key> [SAMPLES <count>]\r\n"
		"+    Return memory in bytes used by <key> and its value. Nested values are\r\n"
		"+    sampled up to <count> times (default: 5, 0 means sample all).\r\n"
		"+HELP\r\n"
		"+    Prints this help.\r\n",
		"MEMORY", "HELP");
}

/* ==== propagation ============================================================== */

static void
cmd_propagation(void **state)
{
	struct st_client *c = tc;
	struct th_wlog log = { 0 };
	char expect[512];
	int64_t before, after;
	const char *p;
	long long when;

	st_wlog_set_sink(th_wlog_sink, &log);
	th_cmd(c, "SET", "a", "1", NULL);
	th_cmd(c, "DEL", "nokey", NULL);			/* no change */
	th_cmd(c, "PERSIST", "a", NULL);			/* no change */
	th_cmd(c, "EXPIRE", "nokey", "10", NULL);		/* no change */
	th_cmd(c, "EXPIRE", "a", "10", "GT", NULL);		/* no change */
	th_cmd(c, "RENAMENX", "a", "a", NULL);			/* no change */
	th_cmd(c, "EXISTS", "a", NULL);				/* read */
	th_cmd(c, "PEXPIREAT", "a", "4000000000000", "NX", NULL);
	th_cmd(c, "EXPIREAT", "a", "4000000001", NULL);
	th_cmd(c, "PERSIST", "a", NULL);
	th_cmd(c, "RENAME", "a", "b", NULL);
	th_cmd(c, "EXPIRE", "b", "-5", NULL);
	th_cmd(c, "MSET", "x", "1", "y", "2", NULL);
	th_cmd(c, "DEL", "x", "nokey", "y", NULL);
	th_cmd(c, "SELECT", "3", NULL);
	th_cmd(c, "FLUSHDB", NULL);
	th_cmd(c, "SWAPDB", "3", "4", NULL);
	th_cmd(c, "FLUSHALL", "ASYNC", NULL);
	st_wlog_set_sink(NULL, NULL);
	assert_string_equal(log.text,
			    "SET a 1;PEXPIREAT a 4000000000000;PEXPIREAT a 4000000001000;"
			    "PERSIST a;RENAME a b;DEL b;MSET x 1 y 2;DEL x nokey y;"
			    "FLUSHDB;SWAPDB 3 4;FLUSHALL ASYNC;");
	assert_int_equal(log.nrec, 11);
	assert_int_equal(log.dbs[7], 0);
	assert_int_equal(log.dbs[8], 3);

	/* Relative TTLs become absolute ones. */
	memset(&log, 0, sizeof(log));
	th_cmd(c, "SET", "k", "v", NULL);
	st_wlog_set_sink(th_wlog_sink, &log);
	before = st_mstime();
	th_cmd(c, "EXPIRE", "k", "100", NULL);
	th_cmd(c, "PEXPIRE", "k", "5000", "LT", NULL);
	after = st_mstime();
	st_wlog_set_sink(NULL, NULL);
	assert_int_equal(log.nrec, 2);
	p = log.text;
	assert_memory_equal(p, "PEXPIREAT k ", 12);
	when = strtoll(p + 12, (char **)&p, 10);
	assert_true(when >= before + 100000 && when <= after + 100000);
	snprintf(expect, sizeof(expect), ";PEXPIREAT k ");
	assert_memory_equal(p, expect, strlen(expect));
	when = strtoll(p + strlen(expect), NULL, 10);
	assert_true(when >= before + 5000 && when <= after + 5000);
	th_cmd(c, "SELECT", "0", NULL);
}

/* ==== the command table ======================================================= */

/* COMMAND INFO from redis-server 7.0.15 up to the ACL categories (name,
 * arity, flags, first/last/step, categories); tips and key specs follow. */
static const struct {
	const char *name;
	const char *prefix;
} cmd_info[] = {
	{ "del", "*10\r\n$3\r\ndel\r\n:-2\r\n*1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n" },
	{ "unlink", "*10\r\n$6\r\nunlink\r\n:-2\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "exists", "*10\r\n$6\r\nexists\r\n:-2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "type", "*10\r\n$4\r\ntype\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "touch", "*10\r\n$5\r\ntouch\r\n:-2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "expire", "*10\r\n$6\r\nexpire\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "pexpire", "*10\r\n$7\r\npexpire\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "expireat", "*10\r\n$8\r\nexpireat\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "pexpireat", "*10\r\n$9\r\npexpireat\r\n:-3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "ttl", "*10\r\n$3\r\nttl\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "pttl", "*10\r\n$4\r\npttl\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "expiretime", "*10\r\n$10\r\nexpiretime\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "pexpiretime", "*10\r\n$11\r\npexpiretime\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "persist", "*10\r\n$7\r\npersist\r\n:2\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "keys", "*10\r\n$4\r\nkeys\r\n:2\r\n*1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@keyspace\r\n+@read\r\n+@slow\r\n+@dangerous\r\n" },
	{ "scan", "*10\r\n$4\r\nscan\r\n:-2\r\n*1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "randomkey", "*10\r\n$9\r\nrandomkey\r\n:1\r\n*1\r\n+readonly\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "rename", "*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n" },
	{ "renamenx", "*10\r\n$8\r\nrenamenx\r\n:3\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@fast\r\n" },
	{ "dbsize", "*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n" },
	{ "flushdb", "*10\r\n$7\r\nflushdb\r\n:-1\r\n*1\r\n+write\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@keyspace\r\n+@write\r\n+@slow\r\n+@dangerous\r\n" },
	{ "flushall", "*10\r\n$8\r\nflushall\r\n:-1\r\n*1\r\n+write\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@keyspace\r\n+@write\r\n+@slow\r\n+@dangerous\r\n" },
	{ "swapdb", "*10\r\n$6\r\nswapdb\r\n:3\r\n*2\r\n+write\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@keyspace\r\n+@write\r\n+@fast\r\n+@dangerous\r\n" },
	{ "select", "*10\r\n$6\r\nselect\r\n:2\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n" },
	{ "object|encoding", "*10\r\n$15\r\nobject|encoding\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "object|freq", "*10\r\n$11\r\nobject|freq\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "object|help", "*10\r\n$11\r\nobject|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@keyspace\r\n+@slow\r\n" },
	{ "object|idletime", "*10\r\n$15\r\nobject|idletime\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "object|refcount", "*10\r\n$15\r\nobject|refcount\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n" },
	{ "memory|usage", "*10\r\n$12\r\nmemory|usage\r\n:-3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*2\r\n+@read\r\n+@slow\r\n" },
	{ "memory|help", "*10\r\n$11\r\nmemory|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n" },
	{ "object", "*10\r\n$6\r\nobject\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n" },
	{ "memory", "*10\r\n$6\r\nmemory\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n" },
};

static void
cmd_table_matches_redis(void **state)
{
	struct st_client *c = tc;

	for (size_t i = 0; i < sizeof(cmd_info) / sizeof(cmd_info[0]); i++) {
		const char *r = th_cmd(c, "COMMAND", "INFO", cmd_info[i].name, NULL);
		size_t n = strlen(cmd_info[i].prefix);

		assert_memory_equal(r, "*1\r\n", 4);
		if (strncmp(r + 4, cmd_info[i].prefix, n) != 0)
			fail_msg("COMMAND INFO %s:\n got %.*s\n want %s",
				 cmd_info[i].name, (int)n, r + 4, cmd_info[i].prefix);
	}
	/* The containers list their subcommands. */
	{
		struct strlist l = { 0 };
		const char *r = th_cmd(c, "COMMAND", "LIST", NULL);

		parse_bulk_array(&r, &l);
		for (size_t i = 0; i < sizeof(cmd_info) / sizeof(cmd_info[0]); i++) {
			bool found = strchr(cmd_info[i].name, '|') != NULL;

			for (size_t j = 0; j < l.n && !found; j++)
				found = strcmp(l.v[j], cmd_info[i].name) == 0;
			if (!found)
				fail_msg("COMMAND LIST lacks %s", cmd_info[i].name);
		}
		strlist_free(&l);
	}
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(cmd_del_unlink),
		T(cmd_exists_type),
		T(cmd_touch),
		T(cmd_expire_errors),
		T(cmd_ttl_readers),
		T(cmd_persist),
		T(cmd_keys_patterns),
		T(cmd_scan_basic),
		T(cmd_scan_guarantee_growing),
		T(cmd_scan_guarantee_shrinking),
		T(cmd_randomkey),
		T(cmd_rename),
		T(cmd_rename_concurrent_readers),
		T(cmd_select),
		T(cmd_swapdb),
		T(cmd_flush),
		T(cmd_object_encoding),
		T(cmd_object_other),
		T(cmd_memory),
		T(cmd_propagation),
		T(cmd_table_matches_redis),
	};
#undef T

	th_init();
	return cmocka_run_group_tests_name("cmd_keys", tests, NULL, NULL);
}
