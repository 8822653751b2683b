/*
 * test_zset.c -- the sorted set type (t_zset.c) and its commands
 * (cmd_zset.c).
 *
 * Two kinds of tests:
 *  - structure tests on the t_zset.h API: a 10k-member skiplist checked
 *    against a sorted model after inserts, score updates and removals (order,
 *    spans, ranks, backward links, dict agreement via st_zset_verify), and
 *    the range helpers;
 *  - command tests through the whole client path (th_cmd).  Their expected
 *    bytes were captured from stock redis-server 7.0.15 (RESP2, and RESP3
 *    after HELLO 3), error texts included.
 */
#include "harness.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "command.h"
#include "config.h"
#include "keyspace.h"
#include "t_zset.h"
#include "wlog.h"

static int
setup(void **state)
{
	(void)state;
	th_init();
	return 0;
}

/* ---- structure: the skiplist against a sorted model ----------------------- */

struct model_elem {
	double score;
	char name[16];
	size_t len;
	bool live;
};

static int
model_cmp(const void *a, const void *b)
{
	const struct model_elem *x = *(const struct model_elem *const *)a;
	const struct model_elem *y = *(const struct model_elem *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int cmp;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	cmp = memcmp(x->name, y->name, n);
	if (cmp != 0)
		return cmp;
	return x->len < y->len ? -1 : (x->len > y->len ? 1 : 0);
}

/* Compare the whole set with the live model elements, in order and by rank. */
static void
check_against_model(struct st_zset *z, struct model_elem *m, size_t n)
{
	struct model_elem **sorted = malloc(n * sizeof(*sorted));
	struct st_zset_node *x;
	size_t live = 0, i;

	for (i = 0; i < n; i++)
		if (m[i].live)
			sorted[live++] = &m[i];
	qsort(sorted, live, sizeof(*sorted), model_cmp);
	assert_int_equal(st_zset_verify(z), 0);
	assert_int_equal(st_zset_len(z), live);
	for (i = 0, x = st_zset_first(z); i < live; i++, x = st_zset_next(x)) {
		double score;

		assert_non_null(x);
		assert_int_equal(x->len, sorted[i]->len);
		assert_memory_equal(x->ele, sorted[i]->name, x->len);
		assert_true(x->score == sorted[i]->score);
		/* every 97th: rank both ways, by-rank lookup, score */
		if (i % 97 == 0 || i + 1 == live) {
			assert_int_equal(st_zset_rank(z, x->ele, x->len, false), (long)i);
			assert_int_equal(st_zset_rank(z, x->ele, x->len, true),
					 (long)(live - 1 - i));
			assert_ptr_equal(st_zset_by_rank(z, i), x);
			assert_int_equal(st_zset_node_rank(z, x), i);
			assert_true(st_zset_score(z, x->ele, x->len, &score));
			assert_true(score == sorted[i]->score);
		}
	}
	assert_null(x);
	assert_null(st_zset_by_rank(z, live));
	free(sorted);
}

/* 10k members with many ties: inserts, score changes (in place and moving),
 * INCR, removals, range deletions; invariants and ranks after each phase. */
static void
test_structure_10k(void **state)
{
	enum { N = 10000 };
	struct model_elem *m = calloc(N, sizeof(*m));
	struct st_zset *z = st_zset_new();
	int64_t mem0 = st_mem_used();
	double newscore;
	int out, i;

	(void)state;
	srand(12345);
	for (i = 0; i < N; i++) {
		m[i].len = (size_t)snprintf(m[i].name, sizeof(m[i].name), "m%d", i);
		m[i].score = (double)(rand() % 500);	/* ~20 members per score */
		m[i].live = true;
		assert_int_equal(st_zset_add(z, m[i].score, m[i].name, m[i].len,
					     0, &out, &newscore), 0);
		assert_int_equal(out, ST_ZADD_OUT_ADDED);
		assert_true(newscore == m[i].score);
	}
	assert_int_equal(z->v.enc, ST_ENC_SKIPLIST);
	check_against_model(z, m, N);

	/* re-adding with the same score changes nothing */
	for (i = 0; i < N; i += 7) {
		assert_int_equal(st_zset_add(z, m[i].score, m[i].name, m[i].len,
					     0, &out, NULL), 0);
		assert_int_equal(out, 0);
	}
	/* score updates: tiny moves (often in place) and big moves */
	for (i = 0; i < N; i += 3) {
		double s = (i % 2) ? m[i].score + 0.25 : (double)(rand() % 1000) - 250;

		assert_int_equal(st_zset_add(z, s, m[i].name, m[i].len, 0, &out,
					     NULL), 0);
		assert_int_equal(out, s != m[i].score ? ST_ZADD_OUT_UPDATED : 0);
		m[i].score = s;
	}
	check_against_model(z, m, N);

	/* INCR / GT / LT / NX / XX on existing members */
	for (i = 1; i < N; i += 11) {
		assert_int_equal(st_zset_add(z, 1.5, m[i].name, m[i].len,
					     ST_ZADD_INCR, &out, &newscore), 0);
		m[i].score += 1.5;
		assert_true(newscore == m[i].score);
		assert_int_equal(st_zset_add(z, m[i].score - 1, m[i].name,
					     m[i].len, ST_ZADD_GT, &out, NULL), 0);
		assert_int_equal(out, ST_ZADD_OUT_NOP);
		assert_int_equal(st_zset_add(z, m[i].score + 1, m[i].name,
					     m[i].len, ST_ZADD_LT, &out, NULL), 0);
		assert_int_equal(out, ST_ZADD_OUT_NOP);
		assert_int_equal(st_zset_add(z, 0, m[i].name, m[i].len,
					     ST_ZADD_NX, &out, NULL), 0);
		assert_int_equal(out, ST_ZADD_OUT_NOP);
	}
	assert_int_equal(st_zset_add(z, 1, "absent", 6, ST_ZADD_XX, &out, NULL), 0);
	assert_int_equal(out, ST_ZADD_OUT_NOP);
	check_against_model(z, m, N);

	/* remove every third member, and a few absent ones */
	for (i = 0; i < N; i += 3) {
		assert_true(st_zset_delete(z, m[i].name, m[i].len));
		assert_false(st_zset_delete(z, m[i].name, m[i].len));
		m[i].live = false;
	}
	assert_false(st_zset_delete(z, "nope", 4));
	check_against_model(z, m, N);

	/* re-insert half of them with new scores */
	for (i = 0; i < N; i += 6) {
		m[i].score = (double)(rand() % 50);
		m[i].live = true;
		assert_int_equal(st_zset_add(z, m[i].score, m[i].name, m[i].len,
					     0, &out, NULL), 0);
		assert_int_equal(out, ST_ZADD_OUT_ADDED);
	}
	check_against_model(z, m, N);

	/* counts by score equal a model count; delete a score range */
	{
		struct st_zrange_score r = { 100, 200, true, false };
		unsigned long expect = 0, got;

		for (i = 0; i < N; i++)
			if (m[i].live && m[i].score > 100 && m[i].score <= 200)
				expect++;
		assert_int_equal(st_zset_count_score(z, &r), expect);
		got = st_zset_delete_range_score(z, &r);
		assert_int_equal(got, expect);
		for (i = 0; i < N; i++)
			if (m[i].live && m[i].score > 100 && m[i].score <= 200)
				m[i].live = false;
		assert_int_equal(st_zset_count_score(z, &r), 0);
		check_against_model(z, m, N);
	}

	/* delete ranks 100..1099 */
	{
		struct st_zset_node *first = st_zset_by_rank(z, 100);
		struct st_zset_node *last = st_zset_by_rank(z, 1099);
		struct st_zset_node *x;
		unsigned long len = st_zset_len(z);

		for (x = first;; x = st_zset_next(x)) {
			for (i = 0; i < N; i++)
				if (m[i].live && m[i].len == x->len &&
				    memcmp(m[i].name, x->ele, x->len) == 0)
					m[i].live = false;
			if (x == last)
				break;
		}
		assert_int_equal(st_zset_delete_range_rank(z, 100, 1099), 1000);
		assert_int_equal(st_zset_len(z), len - 1000);
		check_against_model(z, m, N);
	}

	/* empty it from both ends */
	while (st_zset_len(z) > 0) {
		struct st_zset_node *x = (st_zset_len(z) % 2) ? st_zset_first(z)
							      : st_zset_last(z);
		char name[16];
		size_t len = x->len;

		memcpy(name, x->ele, len);
		assert_true(st_zset_delete(z, name, len));
	}
	assert_int_equal(st_zset_verify(z), 0);
	assert_null(st_zset_first(z));
	assert_null(st_zset_last(z));
	assert_true(st_zset_mem(z) > 0);
	st_zset_free(z);
	assert_true(st_mem_used() <= mem0);
	free(m);
}

/* Range helpers on a small set: bounds parsing and first/last/count. */
static void
test_structure_ranges(void **state)
{
	struct st_zset *z = st_zset_new();
	struct st_zrange_score r;
	struct st_zrange_lex lr;
	const char *names[] = { "a", "b", "c", "d", "e" };
	unsigned long rank;
	int out, i;

	(void)state;
	for (i = 0; i < 5; i++)
		st_zset_add(z, i + 1, names[i], 1, 0, &out, NULL);
	assert_int_equal(z->v.enc, ST_ENC_LISTPACK);

	assert_int_equal(st_zset_parse_score_range("(1.5", 4, "+inf", 4, &r), 0);
	assert_true(r.minex && !r.maxex && r.min == 1.5 && isinf(r.max));
	assert_string_equal(st_zset_first_in_score(z, &r, &rank)->ele, "b");
	assert_int_equal(rank, 1);
	assert_string_equal(st_zset_last_in_score(z, &r, &rank)->ele, "e");
	assert_int_equal(rank, 4);
	assert_int_equal(st_zset_count_score(z, &r), 4);
	assert_int_equal(st_zset_parse_score_range("-inf", 4, "(3", 2, &r), 0);
	assert_int_equal(st_zset_count_score(z, &r), 2);
	assert_string_equal(st_zset_last_in_score(z, &r, NULL)->ele, "b");
	assert_int_equal(st_zset_parse_score_range("(2", 2, "(2", 2, &r), 0);
	assert_null(st_zset_first_in_score(z, &r, NULL));
	assert_int_equal(st_zset_count_score(z, &r), 0);
	assert_int_equal(st_zset_parse_score_range("6", 1, "7", 1, &r), 0);
	assert_null(st_zset_first_in_score(z, &r, &rank));
	assert_null(st_zset_last_in_score(z, &r, &rank));
	/* strtod syntax, as Redis: "" is 0, hex, leading space; not NaN */
	assert_int_equal(st_zset_parse_score_range("", 0, " 0x10", 5, &r), 0);
	assert_true(r.min == 0 && r.max == 16);
	assert_int_equal(st_zset_parse_score_range("(", 1, "1e1", 3, &r), 0);
	assert_true(r.minex && r.min == 0 && r.max == 10);
	assert_int_equal(st_zset_parse_score_range("nan", 3, "1", 1, &r), -EINVAL);
	assert_int_equal(st_zset_parse_score_range("1", 1, "1 ", 2, &r), -EINVAL);
	assert_int_equal(st_zset_parse_score_range("((1", 3, "1", 1, &r), -EINVAL);
	assert_int_equal(st_zset_parse_score_range("1\0x", 3, "2", 1, &r), 0);

	assert_int_equal(st_zset_parse_lex_range("[b", 2, "(d", 2, &lr), 0);
	assert_int_equal(st_zset_count_lex(z, &lr), 2);
	assert_string_equal(st_zset_first_in_lex(z, &lr, &rank)->ele, "b");
	assert_int_equal(rank, 1);
	assert_string_equal(st_zset_last_in_lex(z, &lr, &rank)->ele, "c");
	assert_int_equal(rank, 2);
	assert_int_equal(st_zset_parse_lex_range("-", 1, "+", 1, &lr), 0);
	assert_int_equal(st_zset_count_lex(z, &lr), 5);
	assert_int_equal(st_zset_parse_lex_range("+", 1, "-", 1, &lr), 0);
	assert_int_equal(st_zset_count_lex(z, &lr), 0);
	assert_int_equal(st_zset_parse_lex_range("", 0, "+", 1, &lr), -EINVAL);
	assert_int_equal(st_zset_parse_lex_range("a", 1, "+", 1, &lr), -EINVAL);
	assert_int_equal(st_zset_parse_lex_range("-", 1, "+x", 2, &lr), -EINVAL);
	assert_int_equal(st_zset_parse_lex_range("-\0z", 3, "+", 1, &lr), 0);

	assert_int_equal(st_zset_parse_lex_range("(a", 2, "[c", 2, &lr), 0);
	assert_int_equal(st_zset_delete_range_lex(z, &lr), 2);
	assert_int_equal(st_zset_len(z), 3);
	assert_int_equal(st_zset_verify(z), 0);
	assert_int_equal(st_zset_rank(z, "d", 1, false), 1);
	assert_int_equal(st_zset_rank(z, "b", 1, false), -1);
	st_zset_free(z);
	st_zset_free(NULL);
}

/* NaN is refused before anything changes; INCR to NaN too. */
static void
test_structure_nan(void **state)
{
	struct st_zset *z = st_zset_new();
	double ns = 42;
	int out;

	(void)state;
	assert_int_equal(st_zset_add(z, NAN, "a", 1, 0, &out, &ns), -EDOM);
	assert_int_equal(out, ST_ZADD_OUT_NAN);
	assert_int_equal(st_zset_len(z), 0);
	assert_int_equal(st_zset_add(z, INFINITY, "a", 1, 0, &out, NULL), 0);
	assert_int_equal(st_zset_add(z, -INFINITY, "a", 1, ST_ZADD_INCR, &out,
				     &ns), -EDOM);
	assert_int_equal(out, ST_ZADD_OUT_NAN);
	assert_true(st_zset_score(z, "a", 1, &ns) && isinf(ns) && ns > 0);
	st_zset_free(z);
}

/* ---- commands: replies captured from redis-server 7.0.15 ---------------------- */

/* ZADD: adds, updates, replies, bad arguments, wrong type */
static void
test_zadd_basic(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "1", "a");
	th_assert_reply(c, ":2\r\n",
		"ZADD", "z", "2", "b", "3", "c");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "1", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "10", "a");
	th_assert_reply(c, "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$2\r\n10\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	th_assert_reply(c, ":3\r\n",
		"ZCARD", "z");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "dup", "1", "a", "2", "a", "3", "a");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\n3\r\n",
		"ZRANGE", "dup", "0", "-1", "WITHSCORES");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "abc", "a");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZADD", "z", "1", "a", "2");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zadd' command\r\n",
		"ZADD", "z", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zadd' command\r\n",
		"ZADD", "z");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zadd' command\r\n",
		"ZADD", "z", "NX");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "nan", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "1.5.5", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", " 1", "sp");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "1 ", "sp");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "1e400", "big");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "1e-400", "small");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "1", "a", "abc", "b");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "1", " ");
	th_assert_reply(c, "$1\r\n1\r\n",
		"ZSCORE", "z", " ");
	th_assert_reply(c, ":3\r\n",
		"ZADD", "z", "0x10", "hex", "1e3", "e3", "-1.5", "neg");
	th_assert_reply(c, "$2\r\n16\r\n",
		"ZSCORE", "z", "hex");
	th_assert_reply(c, "*14\r\n$3\r\nneg\r\n$4\r\n-1.5\r\n$1\r\n \r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$2\r\n10\r\n$3\r\nhex\r\n$2\r\n16\r\n$2\r\ne3\r\n$4\r\n1000\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	/* a bad score anywhere: nothing is added */
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "7", "x", "8", "y", "bad", "w");
	th_assert_reply(c, "$-1\r\n",
		"ZSCORE", "z", "x");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZADD", "str", "1", "a");
	th_assert_reply(c, "$1\r\nv\r\n",
		"GET", "str");
	st_client_free(c);
}

/* ZADD NX / XX / GT / LT / CH and their incompatibilities */
static void
test_zadd_options(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":3\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "NX", "100", "a", "4", "d");
	th_assert_reply(c, "$1\r\n1\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "XX", "100", "a", "5", "e");
	th_assert_reply(c, "$3\r\n100\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZSCORE", "z", "e");
	th_assert_reply(c, ":2\r\n",
		"ZADD", "z", "CH", "100", "a", "11", "b", "6", "f");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "CH", "100", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "GT", "50", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "GT", "200", "a");
	th_assert_reply(c, "$3\r\n200\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "LT", "300", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "LT", "150", "a");
	th_assert_reply(c, "$3\r\n150\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "GT", "CH", "1", "b", "50", "c");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "LT", "CH", "1", "b", "50", "c");
	th_assert_reply(c, "*10\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nf\r\n$1\r\n6\r\n$1\r\nc\r\n$2\r\n50\r\n$1\r\na\r\n$3\r\n150\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	/* GT/LT never stop new members */
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "GT", "7", "g");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "LT", "8", "h");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "XX", "GT", "5", "g");
	th_assert_reply(c, "$1\r\n7\r\n",
		"ZSCORE", "z", "g");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "XX", "LT", "5", "g");
	th_assert_reply(c, "$1\r\n5\r\n",
		"ZSCORE", "z", "g");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "ch", "nx", "1", "new1");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "z", "Ch", "Xx", "9", "new1");
	th_assert_reply(c, "-ERR XX and NX options at the same time are not compatible\r\n",
		"ZADD", "z", "NX", "XX", "1", "a");
	th_assert_reply(c, "-ERR XX and NX options at the same time are not compatible\r\n",
		"ZADD", "z", "XX", "NX", "1", "a");
	th_assert_reply(c, "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
		"ZADD", "z", "GT", "LT", "1", "a");
	th_assert_reply(c, "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
		"ZADD", "z", "NX", "GT", "1", "a");
	th_assert_reply(c, "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
		"ZADD", "z", "NX", "LT", "1", "a");
	th_assert_reply(c, "-ERR XX and NX options at the same time are not compatible\r\n",
		"ZADD", "z", "NX", "XX", "GT", "1", "a");
	th_assert_reply(c, "-ERR INCR option supports a single increment-element pair\r\n",
		"ZADD", "z", "INCR", "1", "a", "2", "b");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZADD", "z", "NX", "1", "a", "2");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZADD", "z", "NX", "XX", "1", "a", "2");
	th_assert_reply(c, "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
		"ZADD", "z", "GT", "LT", "abc", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "newz", "XX", "1", "a");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "newz");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "newz", "XX", "CH", "1", "a");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "newz");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "newz", "NX", "1", "a");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "newz", "GT", "5", "b");
	th_assert_reply(c, "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n5\r\n",
		"ZRANGE", "newz", "0", "-1", "WITHSCORES");
	st_client_free(c);
}

/* ZADD INCR with NX / XX / GT / LT: nil when aborted, NaN */
static void
test_zadd_incr(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, "$1\r\n5\r\n",
		"ZADD", "z", "INCR", "5", "a");
	th_assert_reply(c, "$3\r\n7.5\r\n",
		"ZADD", "z", "INCR", "2.5", "a");
	th_assert_reply(c, "$4\r\n6.25\r\n",
		"ZADD", "z", "INCR", "-1.25", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "NX", "INCR", "1", "a");
	th_assert_reply(c, "$1\r\n1\r\n",
		"ZADD", "z", "NX", "INCR", "1", "b");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "XX", "INCR", "1", "nonexist");
	th_assert_reply(c, "$4\r\n7.25\r\n",
		"ZADD", "z", "XX", "INCR", "1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "GT", "INCR", "-1", "a");
	th_assert_reply(c, "$4\r\n8.25\r\n",
		"ZADD", "z", "GT", "INCR", "1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "LT", "INCR", "1", "a");
	th_assert_reply(c, "$4\r\n7.25\r\n",
		"ZADD", "z", "LT", "INCR", "-1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "GT", "INCR", "0", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "LT", "INCR", "0", "a");
	th_assert_reply(c, "$4\r\n7.25\r\n",
		"ZADD", "z", "INCR", "0", "a");
	th_assert_reply(c, "$4\r\n7.25\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, "$4\r\n8.25\r\n",
		"ZADD", "z", "XX", "GT", "INCR", "1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "XX", "LT", "INCR", "1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "z", "XX", "GT", "INCR", "1", "zz");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "zz");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZADD", "z", "INCR", "abc", "a");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZADD", "z", "INCR", "inf", "p");
	th_assert_reply(c, "-ERR resulting score is not a number (NaN)\r\n",
		"ZADD", "z", "INCR", "-inf", "p");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZSCORE", "z", "p");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZADD", "z", "INCR", "+inf", "q");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZADD", "z", "INCR", "inf", "q");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZADD", "z", "INCR", "1", "q");
	th_assert_reply(c, "$4\r\n9.25\r\n",
		"ZADD", "z", "CH", "INCR", "1", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZADD", "missing", "XX", "INCR", "1", "a");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "missing");
	st_client_free(c);
}

/* ZINCRBY, ZSCORE, ZMSCORE, ZCARD */
static void
test_zincrby(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, "$1\r\n1\r\n",
		"ZINCRBY", "z", "1", "a");
	th_assert_reply(c, "$3\r\n3.5\r\n",
		"ZINCRBY", "z", "2.5", "a");
	th_assert_reply(c, "$4\r\n-6.5\r\n",
		"ZINCRBY", "z", "-10", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZINCRBY", "z", "abc", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZINCRBY", "z", "nan", "a");
	th_assert_reply(c, "-ERR value is not a valid float\r\n",
		"ZINCRBY", "z", "", "a");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZINCRBY", "z", "inf", "b");
	th_assert_reply(c, "-ERR resulting score is not a number (NaN)\r\n",
		"ZINCRBY", "z", "-inf", "b");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZSCORE", "z", "b");
	th_assert_reply(c, "$19\r\n0.10000000000000001\r\n",
		"ZINCRBY", "z", "0.1", "c");
	th_assert_reply(c, "$19\r\n0.30000000000000004\r\n",
		"ZINCRBY", "z", "0.2", "c");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zincrby' command\r\n",
		"ZINCRBY", "z", "1", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zincrby' command\r\n",
		"ZINCRBY", "z", "1");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZINCRBY", "z", "nx", "a");
	th_assert_reply(c, "$6\r\n1e+308\r\n",
		"ZINCRBY", "z", "1e308", "d");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZINCRBY", "z", "1e308", "d");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZSCORE", "z", "d");
	th_assert_reply(c, "$4\r\n-6.5\r\n",
		"ZSCORE", "z", "a");
	th_assert_reply(c, "$-1\r\n",
		"ZSCORE", "z", "zzz");
	th_assert_reply(c, "$-1\r\n",
		"ZSCORE", "missing", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zscore' command\r\n",
		"ZSCORE", "z");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zscore' command\r\n",
		"ZSCORE", "z", "a", "b");
	th_assert_reply(c, "*3\r\n$4\r\n-6.5\r\n$-1\r\n$19\r\n0.30000000000000004\r\n",
		"ZMSCORE", "z", "a", "zzz", "c");
	th_assert_reply(c, "*2\r\n$-1\r\n$-1\r\n",
		"ZMSCORE", "missing", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zmscore' command\r\n",
		"ZMSCORE", "z");
	th_assert_reply(c, ":4\r\n",
		"ZCARD", "z");
	th_assert_reply(c, ":0\r\n",
		"ZCARD", "missing");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zcard' command\r\n",
		"ZCARD");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zcard' command\r\n",
		"ZCARD", "z", "z");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZINCRBY", "str", "1", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZSCORE", "str", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZMSCORE", "str", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zmscore' command\r\n",
		"ZMSCORE", "str");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZCARD", "str");
	st_client_free(c);
}

/* ZRANK, ZREVRANK, ZREM; the key goes when the set is empty */
static void
test_zrank_zrem(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":4\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d");
	th_assert_reply(c, ":0\r\n",
		"ZRANK", "z", "a");
	th_assert_reply(c, ":2\r\n",
		"ZRANK", "z", "c");
	th_assert_reply(c, ":3\r\n",
		"ZRANK", "z", "d");
	th_assert_reply(c, "$-1\r\n",
		"ZRANK", "z", "zzz");
	th_assert_reply(c, "$-1\r\n",
		"ZRANK", "missing", "a");
	th_assert_reply(c, ":3\r\n",
		"ZREVRANK", "z", "a");
	th_assert_reply(c, ":0\r\n",
		"ZREVRANK", "z", "d");
	th_assert_reply(c, "$-1\r\n",
		"ZREVRANK", "z", "zzz");
	th_assert_reply(c, "$-1\r\n",
		"ZREVRANK", "missing", "a");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrank' command\r\n",
		"ZRANK", "z", "a", "WITHSCORE");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrank' command\r\n",
		"ZRANK", "z");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrevrank' command\r\n",
		"ZREVRANK", "z");
	th_assert_reply(c, ":1\r\n",
		"ZREM", "z", "a");
	th_assert_reply(c, ":0\r\n",
		"ZREM", "z", "a");
	th_assert_reply(c, ":2\r\n",
		"ZREM", "z", "b", "zzz", "c");
	th_assert_reply(c, ":1\r\n",
		"ZCARD", "z");
	th_assert_reply(c, ":0\r\n",
		"ZREM", "missing", "a");
	th_assert_reply(c, ":1\r\n",
		"ZREM", "z", "d", "d", "d");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrem' command\r\n",
		"ZREM", "z");
	th_assert_reply(c, ":2\r\n",
		"ZADD", "z", "1", "a", "2", "b");
	th_assert_reply(c, ":2\r\n",
		"ZREM", "z", "a", "b", "a", "b", "c");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZRANK", "str", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREVRANK", "str", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREM", "str", "a");
	st_client_free(c);
}

/* ZRANGE by index and ZREVRANGE */
static void
test_zrange_rank(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":5\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "1", "2");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "-2", "-1");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "-100", "100");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "3", "1");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "10", "20");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-1", "-2");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "-9223372036854775808", "9223372036854775807");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "z", "0", "9223372036854775808");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
		"ZRANGE", "z", "0", "0", "withscores");
	th_assert_reply(c, "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
		"ZRANGE", "z", "0", "-1", "REV");
	th_assert_reply(c, "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n",
		"ZRANGE", "z", "0", "1", "REV", "WITHSCORES");
	th_assert_reply(c, "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n",
		"ZRANGE", "z", "0", "-1", "withscores", "withscores");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "z", "0", "abc");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "z", "0", "1.5");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrange' command\r\n",
		"ZRANGE", "z", "0");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "0", "-1", "BOGUS");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "0", "-1", "REV", "REV");
	th_assert_reply(c, "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
		"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "0", "-1", "LIMIT", "0");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "z", "0", "-1", "LIMIT", "x", "y");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "missing", "0", "-1");
	th_assert_reply(c, "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
		"ZRANGE", "missing", "0", "-1", "LIMIT", "0", "1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "missing", "a", "b");
	th_assert_reply(c, "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
		"ZREVRANGE", "z", "0", "-1");
	th_assert_reply(c, "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n",
		"ZREVRANGE", "z", "0", "1", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$1\r\na\r\n",
		"ZREVRANGE", "z", "-2", "-1");
	th_assert_reply(c, "*0\r\n",
		"ZREVRANGE", "z", "5", "10");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZREVRANGE", "z", "0", "-1", "REV");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZREVRANGE", "z", "0", "-1", "BYSCORE");
	th_assert_reply(c, "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
		"ZREVRANGE", "z", "0", "0", "LIMIT", "1", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrevrange' command\r\n",
		"ZREVRANGE", "z", "0");
	th_assert_reply(c, "*0\r\n",
		"ZREVRANGE", "missing", "0", "-1");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZRANGE", "str", "0", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "str", "a", "b");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREVRANGE", "str", "0", "-1");
	st_client_free(c);
}

/* ZRANGE BYSCORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZCOUNT: bounds */
static void
test_zrange_byscore(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":8\r\n",
		"ZADD", "z", "-inf", "ninf", "1", "a", "2", "b", "2", "bb", "3", "c", "4", "d", "5", "e", "+inf", "pinf");
	th_assert_reply(c, "*4\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGE", "z", "2", "4", "BYSCORE");
	th_assert_reply(c, "*2\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGE", "z", "(2", "4", "BYSCORE");
	th_assert_reply(c, "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
		"ZRANGE", "z", "2", "(4", "BYSCORE", "WITHSCORES");
	th_assert_reply(c, "*1\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "(2", "(4", "BYSCORE");
	th_assert_reply(c, "*8\r\n$4\r\nninf\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE");
	th_assert_reply(c, "*1\r\n$4\r\nninf\r\n",
		"ZRANGE", "z", "-inf", "-inf", "BYSCORE");
	th_assert_reply(c, "*6\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "(-inf", "(+inf", "BYSCORE");
	th_assert_reply(c, "*2\r\n$4\r\npinf\r\n$3\r\ninf\r\n",
		"ZRANGE", "z", "inf", "inf", "BYSCORE", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "(2", "(2", "BYSCORE");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n",
		"ZRANGE", "z", "2", "2", "BYSCORE");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "4", "2", "BYSCORE");
	th_assert_reply(c, "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$2\r\nbb\r\n$1\r\nb\r\n",
		"ZRANGE", "z", "4", "2", "BYSCORE", "REV");
	th_assert_reply(c, "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n2\r\n",
		"ZRANGE", "z", "(4", "2", "BYSCORE", "REV", "WITHSCORES");
	th_assert_reply(c, "*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "3");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "3");
	th_assert_reply(c, "*6\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "2");
	th_assert_reply(c, "*2\r\n$4\r\npinf\r\n$3\r\ninf\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "7", "5", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "8", "5");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "a", "1");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGE", "z", "abc", "1", "BYSCORE");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGE", "z", "1", "((2", "BYSCORE");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "1", "2", "BYSCORE", "BYLEX");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGE", "z", "1", "2", "BYSCORE", "BYSCORE");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n",
		"ZRANGE", "z", "1.5", "2.5", "BYSCORE");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n",
		"ZRANGE", "z", "0x1", "0x2", "BYSCORE");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "", "", "BYSCORE");
	th_assert_reply(c, "*1\r\n$1\r\na\r\n",
		"ZRANGE", "z", "(", "1", "BYSCORE");
	th_assert_reply(c, "*1\r\n$1\r\na\r\n",
		"ZRANGE", "z", " 1", "1", "BYSCORE");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGE", "z", "1", "1 ", "BYSCORE");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGE", "z", "nan", "1", "BYSCORE");
	th_assert_reply(c, "*8\r\n$4\r\nninf\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$4\r\npinf\r\n",
		"ZRANGE", "z", "-infinity", "infinity", "BYSCORE");
	th_assert_reply(c, "*4\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGEBYSCORE", "z", "2", "4");
	th_assert_reply(c, "*8\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
		"ZRANGEBYSCORE", "z", "2", "4", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGEBYSCORE", "z", "(2", "+inf", "LIMIT", "1", "2");
	th_assert_reply(c, "*4\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n",
		"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "0", "2");
	th_assert_reply(c, "*4\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n",
		"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0", "2", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGEBYSCORE", "z", "4", "2");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGEBYSCORE", "z", "abc", "2");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "0");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGEBYSCORE", "z", "1", "2", "REV");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGEBYSCORE", "z", "1", "2", "BYSCORE");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGEBYSCORE", "z", "1", "2", "BOGUS");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrangebyscore' command\r\n",
		"ZRANGEBYSCORE", "z", "1");
	th_assert_reply(c, "*0\r\n",
		"ZRANGEBYSCORE", "missing", "-inf", "+inf");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZRANGEBYSCORE", "missing", "abc", "+inf");
	th_assert_reply(c, "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$2\r\nbb\r\n$1\r\nb\r\n",
		"ZREVRANGEBYSCORE", "z", "4", "2");
	th_assert_reply(c, "*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nbb\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n2\r\n",
		"ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$1\r\ne\r\n$1\r\nd\r\n",
		"ZREVRANGEBYSCORE", "z", "+inf", "(2", "LIMIT", "1", "2");
	th_assert_reply(c, "*1\r\n$1\r\nc\r\n",
		"ZREVRANGEBYSCORE", "z", "(4", "(2");
	th_assert_reply(c, "*0\r\n",
		"ZREVRANGEBYSCORE", "z", "2", "4");
	th_assert_reply(c, "*8\r\n$4\r\npinf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$2\r\nbb\r\n$1\r\nb\r\n$1\r\na\r\n$4\r\nninf\r\n",
		"ZREVRANGEBYSCORE", "z", "+inf", "-inf");
	th_assert_reply(c, "*0\r\n",
		"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "8", "1");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZREVRANGEBYSCORE", "z", "abc", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrevrangebyscore' command\r\n",
		"ZREVRANGEBYSCORE", "z", "4");
	th_assert_reply(c, ":4\r\n",
		"ZCOUNT", "z", "2", "4");
	th_assert_reply(c, ":2\r\n",
		"ZCOUNT", "z", "(2", "4");
	th_assert_reply(c, ":3\r\n",
		"ZCOUNT", "z", "2", "(4");
	th_assert_reply(c, ":8\r\n",
		"ZCOUNT", "z", "-inf", "+inf");
	th_assert_reply(c, ":6\r\n",
		"ZCOUNT", "z", "(-inf", "(+inf");
	th_assert_reply(c, ":0\r\n",
		"ZCOUNT", "z", "4", "2");
	th_assert_reply(c, ":2\r\n",
		"ZCOUNT", "z", "2", "2");
	th_assert_reply(c, ":0\r\n",
		"ZCOUNT", "z", "(2", "2");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZCOUNT", "z", "abc", "2");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZCOUNT", "z", "1", "(abc");
	th_assert_reply(c, ":0\r\n",
		"ZCOUNT", "z", "", "");
	th_assert_reply(c, ":0\r\n",
		"ZCOUNT", "missing", "0", "1");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZCOUNT", "missing", "abc", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zcount' command\r\n",
		"ZCOUNT", "z", "1");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZRANGEBYSCORE", "str", "0", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREVRANGEBYSCORE", "str", "1", "0");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZCOUNT", "str", "0", "1");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZCOUNT", "str", "a", "1");
	st_client_free(c);
}

/* ZRANGE BYLEX, ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT */
static void
test_zrange_bylex(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":9\r\n",
		"ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g", "0", "ab", "0", "B");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGE", "z", "[b", "[d", "BYLEX");
	th_assert_reply(c, "*1\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "(b", "(d", "BYLEX");
	th_assert_reply(c, "*9\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX");
	th_assert_reply(c, "*4\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n",
		"ZRANGE", "z", "-", "(c", "BYLEX");
	th_assert_reply(c, "*3\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGE", "z", "[e", "+", "BYLEX");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "+", "-", "BYLEX");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-", "-", "BYLEX");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "+", "+", "BYLEX");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "[d", "[b", "BYLEX");
	th_assert_reply(c, "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n",
		"ZRANGE", "z", "[d", "[b", "BYLEX", "REV");
	th_assert_reply(c, "*2\r\n$1\r\nf\r\n$1\r\ne\r\n",
		"ZRANGE", "z", "+", "-", "BYLEX", "REV", "LIMIT", "1", "2");
	th_assert_reply(c, "*3\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "2", "3");
	th_assert_reply(c, "*7\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "2", "-1");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "-1", "2");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "9", "2");
	th_assert_reply(c, "*1\r\n$1\r\na\r\n",
		"ZRANGE", "z", "[a", "[a", "BYLEX");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "(a", "[a", "BYLEX");
	th_assert_reply(c, "*3\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n",
		"ZRANGE", "z", "[aa", "[cc", "BYLEX");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$2\r\nab\r\n",
		"ZRANGE", "z", "[a", "(b", "BYLEX");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGE", "z", "b", "d", "BYLEX");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGE", "z", "[b", "d", "BYLEX");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGE", "z", "", "+", "BYLEX");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGE", "z", "-a", "+", "BYLEX");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGE", "z", "-", "++", "BYLEX");
	th_assert_reply(c, "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "[", "[", "BYLEX");
	th_assert_reply(c, "*9\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGE", "z", "(", "[z", "BYLEX");
	th_assert_reply(c, "*9\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGE", "z", "[", "+", "BYLEX");
	th_assert_reply(c, "*9\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
		"ZRANGEBYLEX", "z", "-", "+");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGEBYLEX", "z", "[b", "(e");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n",
		"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "3");
	th_assert_reply(c, "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
		"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZRANGEBYLEX", "z", "-", "+", "REV");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZRANGEBYLEX", "z", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zrangebylex' command\r\n",
		"ZRANGEBYLEX", "z", "-");
	th_assert_reply(c, "*0\r\n",
		"ZRANGEBYLEX", "missing", "-", "+");
	th_assert_reply(c, "*9\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\nab\r\n$1\r\na\r\n$1\r\nB\r\n",
		"ZREVRANGEBYLEX", "z", "+", "-");
	th_assert_reply(c, "*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n",
		"ZREVRANGEBYLEX", "z", "[e", "(b");
	th_assert_reply(c, "*2\r\n$1\r\ng\r\n$1\r\nf\r\n",
		"ZREVRANGEBYLEX", "z", "+", "-", "LIMIT", "0", "2");
	th_assert_reply(c, "*0\r\n",
		"ZREVRANGEBYLEX", "z", "-", "+");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZREVRANGEBYLEX", "z", "+", "a");
	th_assert_reply(c, ":9\r\n",
		"ZLEXCOUNT", "z", "-", "+");
	th_assert_reply(c, ":3\r\n",
		"ZLEXCOUNT", "z", "[b", "[d");
	th_assert_reply(c, ":1\r\n",
		"ZLEXCOUNT", "z", "(b", "(d");
	th_assert_reply(c, ":0\r\n",
		"ZLEXCOUNT", "z", "[d", "[b");
	th_assert_reply(c, ":0\r\n",
		"ZLEXCOUNT", "z", "+", "-");
	th_assert_reply(c, ":1\r\n",
		"ZLEXCOUNT", "z", "[a", "[a");
	th_assert_reply(c, ":0\r\n",
		"ZLEXCOUNT", "z", "(a", "(a");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZLEXCOUNT", "z", "b", "d");
	th_assert_reply(c, ":0\r\n",
		"ZLEXCOUNT", "missing", "-", "+");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZLEXCOUNT", "missing", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zlexcount' command\r\n",
		"ZLEXCOUNT", "z", "-");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZLEXCOUNT", "str", "-", "+");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZRANGEBYLEX", "str", "-", "+");
	st_client_free(c);
}

/* ZPOPMIN / ZPOPMAX: counts, empty, errors (RESP2) */
static void
test_zpop(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":5\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
		"ZPOPMIN", "z");
	th_assert_reply(c, "*2\r\n$1\r\ne\r\n$1\r\n5\r\n",
		"ZPOPMAX", "z");
	th_assert_reply(c, "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
		"ZPOPMIN", "z", "2");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\n4\r\n",
		"ZPOPMAX", "z", "1");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "z", "0");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMAX", "z", "0");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "z", "10");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "z");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMAX", "z", "2");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "missing", "0");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
		"ZPOPMIN", "missing", "abc");
	th_assert_reply(c, ":3\r\n",
		"ZADD", "z", "1", "a", "1", "b", "2", "c");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
		"ZPOPMIN", "z", "-1");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
		"ZPOPMAX", "z", "-1");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
		"ZPOPMIN", "z", "abc");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
		"ZPOPMIN", "z", "1.5");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZPOPMIN", "z", "1", "2");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zpopmin' command\r\n",
		"ZPOPMIN");
	th_assert_reply(c, "*6\r\n$1\r\nc\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n",
		"ZPOPMAX", "z", "9223372036854775807");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZPOPMIN", "str");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZPOPMAX", "str", "2");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZPOPMIN", "str", "0");
	st_client_free(c);
}

/* ZREMRANGEBYSCORE, ZREMRANGEBYRANK, ZREMRANGEBYLEX */
static void
test_zremrange(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":6\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
	th_assert_reply(c, ":2\r\n",
		"ZREMRANGEBYSCORE", "z", "2", "3");
	th_assert_reply(c, "*4\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, ":1\r\n",
		"ZREMRANGEBYSCORE", "z", "(4", "5");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\nf\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYSCORE", "z", "10", "20");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYSCORE", "z", "5", "1");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYSCORE", "z", "(1", "(1");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZREMRANGEBYSCORE", "z", "abc", "1");
	th_assert_reply(c, ":3\r\n",
		"ZREMRANGEBYSCORE", "z", "-inf", "+inf");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYSCORE", "missing", "-inf", "+inf");
	th_assert_reply(c, "-ERR min or max is not a float\r\n",
		"ZREMRANGEBYSCORE", "missing", "abc", "+inf");
	th_assert_reply(c, ":6\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
	th_assert_reply(c, ":1\r\n",
		"ZREMRANGEBYRANK", "z", "0", "0");
	th_assert_reply(c, ":2\r\n",
		"ZREMRANGEBYRANK", "z", "-2", "-1");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYRANK", "z", "5", "10");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYRANK", "z", "2", "1");
	th_assert_reply(c, ":1\r\n",
		"ZREMRANGEBYRANK", "z", "-100", "0");
	th_assert_reply(c, "*2\r\n$1\r\nc\r\n$1\r\nd\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZREMRANGEBYRANK", "z", "abc", "0");
	th_assert_reply(c, ":2\r\n",
		"ZREMRANGEBYRANK", "z", "0", "-1");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "z");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYRANK", "missing", "0", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZREMRANGEBYRANK", "missing", "a", "1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zremrangebyrank' command\r\n",
		"ZREMRANGEBYRANK", "z", "0");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zremrangebyscore' command\r\n",
		"ZREMRANGEBYSCORE", "z", "0");
	th_assert_reply(c, ":5\r\n",
		"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");
	th_assert_reply(c, ":2\r\n",
		"ZREMRANGEBYLEX", "l", "[b", "(d");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "l", "0", "-1");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYLEX", "l", "(e", "+");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYLEX", "l", "+", "-");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZREMRANGEBYLEX", "l", "a", "b");
	th_assert_reply(c, ":1\r\n",
		"ZREMRANGEBYLEX", "l", "-", "(d");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\ne\r\n",
		"ZRANGE", "l", "0", "-1");
	th_assert_reply(c, ":2\r\n",
		"ZREMRANGEBYLEX", "l", "-", "+");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "l");
	th_assert_reply(c, ":0\r\n",
		"ZREMRANGEBYLEX", "missing", "-", "+");
	th_assert_reply(c, "-ERR min or max not valid string range item\r\n",
		"ZREMRANGEBYLEX", "missing", "a", "b");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREMRANGEBYSCORE", "str", "0", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREMRANGEBYRANK", "str", "0", "1");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZREMRANGEBYLEX", "str", "-", "+");
	st_client_free(c);
}

/* ZSCAN of a small (listpack) set: everything, in order, cursor 0 */
static void
test_zscan_small(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n",
		"ZSCAN", "missing", "0");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "missing", "abc");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n",
		"ZSCAN", "missing", "0", "COUNT", "0");
	th_assert_reply(c, ":5\r\n",
		"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "ab", "1.1", "d");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "0", "COUNT", "1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "12345", "COUNT", "1000");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "0", "MATCH", "a*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "0", "MATCH", "*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n",
		"ZSCAN", "z", "0", "MATCH", "nomatch");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*2\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "0", "match", "?b", "count", "2");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "", "COUNT", "1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "-1");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "+7");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$18\r\n1.1000000000000001\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n",
		"ZSCAN", "z", "18446744073709551615");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "z", "18446744073709551616");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "z", " 1");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "z", "1 ");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "COUNT", "0");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "COUNT", "-1");
	th_assert_reply(c, "-ERR value is not an integer or out of range\r\n",
		"ZSCAN", "z", "0", "COUNT", "abc");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "MATCH");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "COUNT");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "TYPE", "zset");
	th_assert_reply(c, "-ERR syntax error\r\n",
		"ZSCAN", "z", "0", "BOGUS", "x");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "z", "abc");
	th_assert_reply(c, "-ERR wrong number of arguments for 'zscan' command\r\n",
		"ZSCAN", "z");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZSCAN", "str", "0");
	th_assert_reply(c, "-ERR invalid cursor\r\n",
		"ZSCAN", "str", "abc");
	st_client_free(c);
}

/* score replies: %.17g as Redis 7.0, inf, -0 in a listpack */
static void
test_score_format(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":11\r\n",
		"ZADD", "f", "0.1", "a", "0.2", "b", "1e20", "c", "1e21", "d", "123456789012345678", "e", "3.14159265358979", "g", "1e-7", "h", "100", "i", "2.5e-5", "j", "4.9e-324", "k", "1.7976931348623157e308", "l");
	th_assert_reply(c, "*22\r\n$1\r\nk\r\n$23\r\n4.9406564584124654e-324\r\n$1\r\nh\r\n$22\r\n9.9999999999999995e-08\r\n$1\r\nj\r\n$22\r\n2.5000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n$1\r\nb\r\n$19\r\n0.20000000000000001\r\n$1\r\ng\r\n$16\r\n3.14159265358979\r\n$1\r\ni\r\n$3\r\n100\r\n$1\r\ne\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nc\r\n$5\r\n1e+20\r\n$1\r\nd\r\n$5\r\n1e+21\r\n$1\r\nl\r\n$23\r\n1.7976931348623157e+308\r\n",
		"ZRANGE", "f", "0", "-1", "WITHSCORES");
	th_assert_reply(c, "$19\r\n0.10000000000000001\r\n",
		"ZSCORE", "f", "a");
	th_assert_reply(c, "$5\r\n1e+20\r\n",
		"ZSCORE", "f", "c");
	th_assert_reply(c, "$5\r\n1e+21\r\n",
		"ZSCORE", "f", "d");
	th_assert_reply(c, "$22\r\n1.2345678901234568e+17\r\n",
		"ZSCORE", "f", "e");
	th_assert_reply(c, "$23\r\n4.9406564584124654e-324\r\n",
		"ZSCORE", "f", "k");
	th_assert_reply(c, "$19\r\n0.30000000000000004\r\n",
		"ZINCRBY", "f", "0.2", "a");
	th_assert_reply(c, "$3\r\ninf\r\n",
		"ZINCRBY", "f", "1e308", "l");
	th_assert_reply(c, "*11\r\n$19\r\n0.30000000000000004\r\n$19\r\n0.20000000000000001\r\n$5\r\n1e+20\r\n$5\r\n1e+21\r\n$22\r\n1.2345678901234568e+17\r\n$16\r\n3.14159265358979\r\n$22\r\n9.9999999999999995e-08\r\n$3\r\n100\r\n$22\r\n2.5000000000000001e-05\r\n$23\r\n4.9406564584124654e-324\r\n$3\r\ninf\r\n",
		"ZMSCORE", "f", "a", "b", "c", "d", "e", "g", "h", "i", "j", "k", "l");
	th_assert_reply(c, ":2\r\n",
		"ZADD", "f", "inf", "pinf", "-inf", "ninf");
	th_assert_reply(c, "*4\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$1\r\nk\r\n$23\r\n4.9406564584124654e-324\r\n",
		"ZRANGE", "f", "0", "1", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$4\r\npinf\r\n$3\r\ninf\r\n",
		"ZRANGE", "f", "-1", "-1", "WITHSCORES");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*4\r\n$4\r\nninf\r\n$4\r\n-inf\r\n$4\r\npinf\r\n$3\r\ninf\r\n",
		"ZSCAN", "f", "0", "MATCH", "*inf");
	/* a listpack keeps scores as text: -0 becomes 0 (but the reply says -0) */
	th_assert_reply(c, ":1\r\n",
		"ZADD", "n", "-0", "a");
	th_assert_reply(c, "$1\r\n0\r\n",
		"ZSCORE", "n", "a");
	th_assert_reply(c, "$2\r\n-0\r\n",
		"ZINCRBY", "n", "-0", "b");
	th_assert_reply(c, "$1\r\n0\r\n",
		"ZSCORE", "n", "b");
	th_assert_reply(c, "$2\r\n-0\r\n",
		"ZADD", "n", "INCR", "-0", "c");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "n", "1", "d");
	th_assert_reply(c, "$1\r\n0\r\n",
		"ZADD", "n", "INCR", "-1", "d");
	th_assert_reply(c, "$1\r\n0\r\n",
		"ZSCORE", "n", "d");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nd\r\n$1\r\n0\r\n",
		"ZSCAN", "n", "0");
	st_client_free(c);
}

/* RESP3: doubles, nulls, nested [member, score] pairs */
static void
test_resp3(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, ":3\r\n",
		"ZADD", "z", "1", "a", "2", "b", "1.5", "c");
	th_assert_reply(c, ",1.5\r\n",
		"ZSCORE", "z", "c");
	th_assert_reply(c, "_\r\n",
		"ZSCORE", "z", "nope");
	th_assert_reply(c, "_\r\n",
		"ZSCORE", "missing", "a");
	th_assert_reply(c, "*3\r\n,1\r\n_\r\n,1.5\r\n",
		"ZMSCORE", "z", "a", "nope", "c");
	th_assert_reply(c, "*1\r\n_\r\n",
		"ZMSCORE", "missing", "a");
	th_assert_reply(c, "_\r\n",
		"ZRANK", "z", "nope");
	th_assert_reply(c, "_\r\n",
		"ZRANK", "missing", "a");
	th_assert_reply(c, ":2\r\n",
		"ZREVRANK", "z", "a");
	th_assert_reply(c, ",2\r\n",
		"ZINCRBY", "z", "1", "a");
	th_assert_reply(c, ",2.5\r\n",
		"ZADD", "z", "INCR", "0.5", "a");
	th_assert_reply(c, "_\r\n",
		"ZADD", "z", "NX", "INCR", "0.5", "a");
	th_assert_reply(c, ",inf\r\n",
		"ZADD", "z", "INCR", "inf", "q");
	th_assert_reply(c, "*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nq\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, "*4\r\n*2\r\n$1\r\nc\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,2.5\r\n*2\r\n$1\r\nq\r\n,inf\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	th_assert_reply(c, "*4\r\n*2\r\n$1\r\nq\r\n,inf\r\n*2\r\n$1\r\na\r\n,2.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,1.5\r\n",
		"ZRANGE", "z", "0", "-1", "REV", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "5", "10", "WITHSCORES");
	th_assert_reply(c, "*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,2.5\r\n",
		"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "WITHSCORES", "LIMIT", "1", "2");
	th_assert_reply(c, "*4\r\n*2\r\n$1\r\nc\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,2.5\r\n*2\r\n$1\r\nq\r\n,inf\r\n",
		"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES");
	th_assert_reply(c, "*2\r\n*2\r\n$1\r\nq\r\n,inf\r\n*2\r\n$1\r\na\r\n,2.5\r\n",
		"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", "0", "2");
	th_assert_reply(c, "*1\r\n*2\r\n$1\r\nq\r\n,inf\r\n",
		"ZREVRANGE", "z", "0", "0", "WITHSCORES");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "missing", "0", "-1", "WITHSCORES");
	th_assert_reply(c, "*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nq\r\n",
		"ZRANGE", "z", "-", "+", "BYLEX");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*8\r\n$1\r\nc\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$3\r\n2.5\r\n$1\r\nq\r\n$3\r\ninf\r\n",
		"ZSCAN", "z", "0");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*0\r\n",
		"ZSCAN", "missing", "0");
	th_assert_reply(c, "*2\r\n$1\r\nc\r\n,1.5\r\n",
		"ZPOPMIN", "z");
	th_assert_reply(c, "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n",
		"ZPOPMIN", "z", "1");
	th_assert_reply(c, "*2\r\n*2\r\n$1\r\nq\r\n,inf\r\n*2\r\n$1\r\na\r\n,2.5\r\n",
		"ZPOPMAX", "z", "2");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMAX", "z", "0");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "missing");
	th_assert_reply(c, "*0\r\n",
		"ZPOPMIN", "missing", "3");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "y", "1", "a");
	th_assert_reply(c, "*1\r\n*2\r\n$1\r\na\r\n,1\r\n",
		"ZPOPMIN", "y", "5");
	th_assert_reply(c, ":0\r\n",
		"EXISTS", "y");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "y", "1", "a");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n,1\r\n",
		"ZPOPMAX", "y");
	th_assert_reply(c, ":1\r\n",
		"ZADD", "w", "-0", "a");
	th_assert_reply(c, ",0\r\n",
		"ZSCORE", "w", "a");
	th_assert_reply(c, ",-0\r\n",
		"ZADD", "w", "INCR", "-0", "b");
	th_assert_reply(c, "+OK\r\n",
		"SET", "str", "v");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZSCORE", "str", "a");
	th_assert_reply(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"ZRANGE", "str", "0", "-1", "WITHSCORES");
	st_client_free(c);
}

/* equal scores order by member bytes; prefixes first; case */
static void
test_ties_and_lex_order(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":9\r\n",
		"ZADD", "z", "1", "b", "1", "a", "1", "ab", "1", "B", "1", "aa", "1", "", "1", "A", "0", "zz", "2", "0");
	th_assert_reply(c, "*18\r\n$2\r\nzz\r\n$1\r\n0\r\n$0\r\n\r\n$1\r\n1\r\n$1\r\nA\r\n$1\r\n1\r\n$1\r\nB\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\naa\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\n0\r\n$1\r\n2\r\n",
		"ZRANGE", "z", "0", "-1", "WITHSCORES");
	th_assert_reply(c, ":1\r\n",
		"ZRANK", "z", "");
	th_assert_reply(c, ":4\r\n",
		"ZRANK", "z", "a");
	th_assert_reply(c, ":5\r\n",
		"ZRANK", "z", "aa");
	th_assert_reply(c, ":6\r\n",
		"ZRANK", "z", "ab");
	th_assert_reply(c, ":7\r\n",
		"ZRANK", "z", "b");
	th_assert_reply(c, ":8\r\n",
		"ZREVRANK", "z", "zz");
	th_assert_reply(c, "*3\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\naa\r\n",
		"ZRANGE", "z", "1", "1", "BYSCORE", "LIMIT", "2", "3");
	th_assert_reply(c, "*1\r\n$1\r\n0\r\n",
		"ZRANGE", "z", "(1", "+inf", "BYSCORE");
	th_assert_reply(c, "*0\r\n",
		"ZRANGE", "z", "[a", "[b", "BYLEX");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "1", "a");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "0.5", "b");
	th_assert_reply(c, "*9\r\n$2\r\nzz\r\n$1\r\nb\r\n$0\r\n\r\n$1\r\nA\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\naa\r\n$2\r\nab\r\n$1\r\n0\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, ":0\r\n",
		"ZADD", "z", "1", "b");
	th_assert_reply(c, "*9\r\n$2\r\nzz\r\n$0\r\n\r\n$1\r\nA\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\naa\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\n0\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, "$1\r\n1\r\n",
		"ZINCRBY", "z", "0", "aa");
	th_assert_reply(c, "*9\r\n$2\r\nzz\r\n$0\r\n\r\n$1\r\nA\r\n$1\r\nB\r\n$1\r\na\r\n$2\r\naa\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\n0\r\n",
		"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, ":4\r\n",
		"ZADD", "s", "0", "\377", "0", "\200", "0", "\177", "0", "\001");
	th_assert_reply(c, "*4\r\n$1\r\n\001\r\n$1\r\n\177\r\n$1\r\n\200\r\n$1\r\n\377\r\n",
		"ZRANGE", "s", "0", "-1");
	th_assert_reply(c, "*3\r\n$1\r\n\177\r\n$1\r\n\200\r\n$1\r\n\377\r\n",
		"ZRANGE", "s", "[x7f", "+", "BYLEX");
	st_client_free(c);
}

/* ---- commands: hand-written -------------------------------------------------- */

static const char *
cmdv(struct st_client *c, int argc, const char **argv)
{
	size_t lens[300];
	int i;

	for (i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return th_cmdv(c, argc, argv, lens);
}

/* ZADD key s0 m0 s1 m1 ... with n members named <prefix><i>, score i. */
static const char *
zadd_many(struct st_client *c, const char *key, const char *prefix, int from,
	  int n)
{
	static char names[128][32], scores[128][32];
	const char *argv[2 + 2 * 128];
	int i;

	assert_true(n <= 128);
	argv[0] = "ZADD";
	argv[1] = key;
	for (i = 0; i < n; i++) {
		snprintf(scores[i], sizeof(scores[i]), "%d", from + i);
		snprintf(names[i], sizeof(names[i]), "%s%d", prefix, from + i);
		argv[2 + 2 * i] = scores[i];
		argv[3 + 2 * i] = names[i];
	}
	return cmdv(c, 2 + 2 * n, argv);
}

/* listpack up to 128 members, skiplist from the 129th, forever. */
static void
test_encoding_count(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	assert_string_equal(zadd_many(c, "z", "m", 0, 128), ":128\r\n");
	th_assert_reply(c, ":128\r\n", "ZCARD", "z");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "z");
	/* updates and re-adds do not convert */
	th_assert_reply(c, ":0\r\n", "ZADD", "z", "5", "m0");
	th_assert_reply(c, "$2\r\n15\r\n", "ZINCRBY", "z", "10", "m0");
	th_assert_reply(c, ":0\r\n", "ZADD", "z", "XX", "1", "new");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "z");
	th_assert_reply(c, ":1\r\n", "ZADD", "z", "128", "m128");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "z");
	th_assert_reply(c, ":3\r\n", "ZREM", "z", "m128", "m127", "m1");
	th_assert_reply(c, ":126\r\n", "ZCARD", "z");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "z");
	th_assert_reply(c, ":120\r\n", "ZREMRANGEBYRANK", "z", "0", "119");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "z");
	/* one ZADD of 200 new members converts on the way */
	assert_string_equal(zadd_many(c, "big", "x", 0, 100), ":100\r\n");
	assert_string_equal(zadd_many(c, "big", "x", 100, 100), ":100\r\n");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "big");
	th_assert_reply(c, "*2\r\n$4\r\nx199\r\n$3\r\n199\r\n",
			"ZRANGE", "big", "-1", "-1", "WITHSCORES");
	th_assert_reply(c, ":199\r\n", "ZRANK", "big", "x199");
	/* 129 pairs naming one member: still one member, still listpack */
	{
		const char *argv[2 + 2 * 129];
		int i;

		argv[0] = "ZADD";
		argv[1] = "dup";
		for (i = 0; i < 129; i++) {
			argv[2 + 2 * i] = "1";
			argv[3 + 2 * i] = "a";
		}
		assert_string_equal(cmdv(c, 2 + 2 * 129, argv), ":1\r\n");
		th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "dup");
	}
	st_client_free(c);
}

#define M64 "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"

/* A member of 65 bytes converts; 64 does not.  -0 survives in a skiplist. */
static void
test_encoding_member_len(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":1\r\n", "ZADD", "l", "1", M64);
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "l");
	th_assert_reply(c, ":1\r\n", "ZADD", "l", "1", M64 "m");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "l");
	th_assert_reply(c, ":1\r\n", "ZREM", "l", M64 "m");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "l");
	/* a long first member makes a skiplist at once, ZINCRBY too */
	th_assert_reply(c, "$1\r\n1\r\n", "ZINCRBY", "i", "1", M64 "m");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "i");
	th_assert_reply(c, ":1\r\n", "ZADD", "s", "1", "a");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "s");
	th_assert_reply(c, "+zset\r\n", "TYPE", "s");
	/* skiplist keeps -0 (redis-server 7.0.15 bytes) */
	th_assert_reply(c, ":1\r\n", "ZADD", "k", "-0", M64 "m");
	th_assert_reply(c, "$2\r\n-0\r\n", "ZSCORE", "k", M64 "m");
	th_assert_reply(c, ":2\r\n", "ZADD", "k", "-0", "a", "0", "b");
	th_assert_reply(c, "*6\r\n$1\r\na\r\n$2\r\n-0\r\n$1\r\nb\r\n$1\r\n0\r\n"
			"$65\r\n" M64 "m\r\n$2\r\n-0\r\n",
			"ZRANGE", "k", "0", "-1", "WITHSCORES");
	th_assert_reply(c, ":0\r\n", "ZADD", "k", "0", "b");
	th_assert_reply(c, "$1\r\n0\r\n", "ZINCRBY", "k", "0", "a");
	th_assert_reply(c, "$2\r\n-0\r\n", "ZSCORE", "k", "a");
	st_client_free(c);
}

/* The thresholds come from the configuration. */
static void
test_encoding_config(void **state)
{
	struct st_client *c = th_client();
	long long entries = st_cfg.zset_max_listpack_entries;
	long long value = st_cfg.zset_max_listpack_value;

	(void)state;
	th_flushall();
	st_cfg.zset_max_listpack_entries = 0;
	th_assert_reply(c, ":1\r\n", "ZADD", "a", "1", "x");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "a");
	st_cfg.zset_max_listpack_entries = 2;
	st_cfg.zset_max_listpack_value = 3;
	th_assert_reply(c, ":2\r\n", "ZADD", "b", "1", "x", "2", "yyy");
	th_assert_reply(c, "$8\r\nlistpack\r\n", "OBJECT", "ENCODING", "b");
	th_assert_reply(c, ":1\r\n", "ZADD", "b", "3", "z");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "b");
	th_assert_reply(c, ":1\r\n", "ZADD", "d", "1", "wwww");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "d");
	st_cfg.zset_max_listpack_entries = entries;
	st_cfg.zset_max_listpack_value = value;
	st_client_free(c);
}

#define RANGE3 "*3\r\n$1\r\na\r\n$2\r\na\0\r\n$3\r\na\0b\r\n"
#define RANGE2 "*2\r\n$2\r\na\0\r\n$3\r\na\0b\r\n"

/* Members are bytes: NUL inside, ordering of prefixes, lookups. */
static void
test_binary_members(void **state)
{
	struct st_client *c = th_client();
	const char *argv[8] = { "ZADD", "z", "1", "a\0b", "1", "a", "1", "a\0" };
	size_t lens[8] = { 4, 1, 1, 3, 1, 1, 1, 2 };
	const char *sc[3] = { "ZSCORE", "z", "a\0b" };
	size_t sl[3] = { 6, 1, 3 };
	const char *rk[3] = { "ZRANK", "z", "a\0b" };
	size_t rl[3] = { 5, 1, 3 };
	const char *lx[5] = { "ZRANGE", "z", "(a", "[a\0b", "BYLEX" };
	size_t ll[5] = { 6, 1, 2, 4, 5 };
	const char *r;

	(void)state;
	th_flushall();
	assert_string_equal(th_cmdv(c, 8, argv, lens), ":3\r\n");
	r = th_cmd(c, "ZRANGE", "z", "0", "-1", NULL);
	assert_int_equal(th_last_len(), sizeof(RANGE3) - 1);
	assert_memory_equal(r, RANGE3, sizeof(RANGE3) - 1);
	assert_string_equal(th_cmdv(c, 3, sc, sl), "$1\r\n1\r\n");
	assert_string_equal(th_cmdv(c, 3, rk, rl), ":2\r\n");
	/* "[a\0b" is the member "a\0b", "(a" excludes "a" */
	r = th_cmdv(c, 5, lx, ll);
	assert_int_equal(th_last_len(), sizeof(RANGE2) - 1);
	assert_memory_equal(r, RANGE2, sizeof(RANGE2) - 1);
	th_assert_reply(c, ":2\r\n", "ZLEXCOUNT", "z", "(a", "+");
	th_assert_reply(c, ":1\r\n", "ZREM", "z", "a", "x", "y");
	st_client_free(c);
}

/* Ranks, ranges and counts after many inserts and removals through the
 * commands, checked against arithmetic on a known layout. */
static void
test_commands_10k(void **state)
{
	struct st_client *c = th_client();
	char buf[128], name[32], expect[256];
	int i;

	(void)state;
	th_flushall();
	/* members k0..k9999 with score i/2 (ties in pairs) */
	for (i = 0; i < 10000; i += 100) {
		const char *argv[2 + 200];
		static char s[100][16], n[100][16];
		int j;

		argv[0] = "ZADD";
		argv[1] = "z";
		for (j = 0; j < 100; j++) {
			snprintf(s[j], sizeof(s[j]), "%d", (i + j) / 2);
			snprintf(n[j], sizeof(n[j]), "k%05d", i + j);
			argv[2 + 2 * j] = s[j];
			argv[3 + 2 * j] = n[j];
		}
		assert_string_equal(cmdv(c, 202, argv), ":100\r\n");
	}
	th_assert_reply(c, ":10000\r\n", "ZCARD", "z");
	for (i = 0; i < 10000; i += 313) {
		snprintf(name, sizeof(name), "k%05d", i);
		snprintf(expect, sizeof(expect), ":%d\r\n", i);
		th_assert_reply(c, expect, "ZRANK", "z", name);
		snprintf(expect, sizeof(expect), ":%d\r\n", 9999 - i);
		th_assert_reply(c, expect, "ZREVRANK", "z", name);
		snprintf(buf, sizeof(buf), "%d", i);
		snprintf(expect, sizeof(expect), "*1\r\n$6\r\n%s\r\n", name);
		th_assert_reply(c, expect, "ZRANGE", "z", buf, buf);
	}
	/* remove the odd members: k1, k3, ... */
	for (i = 1; i < 10000; i += 2) {
		snprintf(name, sizeof(name), "k%05d", i);
		th_assert_reply(c, ":1\r\n", "ZREM", "z", name);
	}
	th_assert_reply(c, ":5000\r\n", "ZCARD", "z");
	/* now k(2j) has score j and rank j */
	for (i = 0; i < 5000; i += 271) {
		snprintf(name, sizeof(name), "k%05d", 2 * i);
		snprintf(expect, sizeof(expect), ":%d\r\n", i);
		th_assert_reply(c, expect, "ZRANK", "z", name);
		snprintf(buf, sizeof(buf), "%d", i);
		snprintf(expect, sizeof(expect), "*2\r\n$6\r\n%s\r\n$%zu\r\n%d\r\n",
			 name, strlen(buf), i);
		th_assert_reply(c, expect, "ZRANGE", "z", buf, buf, "BYSCORE",
				"WITHSCORES");
	}
	th_assert_reply(c, ":1001\r\n", "ZCOUNT", "z", "1000", "2000");
	th_assert_reply(c, ":999\r\n", "ZCOUNT", "z", "(1000", "(2000");
	th_assert_reply(c, "*2\r\n$6\r\nk04010\r\n$6\r\nk04012\r\n",
			"ZRANGEBYSCORE", "z", "2000", "+inf", "LIMIT", "5", "2");
	th_assert_reply(c, "*2\r\n$6\r\nk03990\r\n$6\r\nk03988\r\n",
			"ZREVRANGEBYSCORE", "z", "2000", "-inf", "LIMIT", "5", "2");
	th_assert_reply(c, ":1000\r\n", "ZREMRANGEBYRANK", "z", "1000", "1999");
	th_assert_reply(c, ":1000\r\n", "ZRANK", "z", "k04000");
	th_assert_reply(c, ":500\r\n", "ZREMRANGEBYSCORE", "z", "(2999", "3499");
	th_assert_reply(c, ":2000\r\n", "ZRANK", "z", "k07000");
	th_assert_reply(c, ":3500\r\n", "ZCARD", "z");
	th_assert_reply(c, ":0\r\n", "ZCOUNT", "z", "1000", "(2000");
	/* pop everything from both ends */
	for (i = 0; i < 1750; i++) {
		const char *r = th_cmd(c, "ZPOPMIN", "z", NULL);

		assert_int_equal(r[0], '*');
		r = th_cmd(c, "ZPOPMAX", "z", "1", NULL);
		assert_int_equal(r[0], '*');
	}
	th_assert_reply(c, ":0\r\n", "EXISTS", "z");
	st_client_free(c);
}

struct scan_seen {
	int count[300];
	int dups;
};

/* ZSCAN of a skiplist set: iterate to cursor 0, every member exactly once
 * (the set does not change), scores right; COUNT and MATCH honoured. */
static void
test_zscan_skiplist(void **state)
{
	struct st_client *c = th_client();
	char cursor[32] = "0";
	struct scan_seen seen = { { 0 }, 0 };
	int i, rounds = 0;

	(void)state;
	th_flushall();
	assert_string_equal(zadd_many(c, "z", "m", 0, 128), ":128\r\n");
	assert_string_equal(zadd_many(c, "z", "m", 128, 128), ":128\r\n");
	assert_string_equal(zadd_many(c, "z", "m", 256, 44), ":44\r\n");
	th_assert_reply(c, "$8\r\nskiplist\r\n", "OBJECT", "ENCODING", "z");
	do {
		const char *r = th_cmd(c, "ZSCAN", "z", cursor, "COUNT", "20", NULL);
		const char *p;
		int n, clen;

		assert_int_equal(sscanf(r, "*2\r\n$%d\r\n", &clen), 1);
		p = strchr(r + 4, '\n') + 1;
		memcpy(cursor, p, (size_t)clen);
		cursor[clen] = '\0';
		p = strchr(p, '\n') + 1;
		assert_int_equal(sscanf(p, "*%d\r\n", &n), 1);
		assert_int_equal(n % 2, 0);
		p = strchr(p, '\n') + 1;
		for (i = 0; i < n / 2; i++) {
			int len, idx, score;
			char member[32];

			assert_int_equal(sscanf(p, "$%d\r\nm%d\r\n", &len, &idx), 2);
			snprintf(member, sizeof(member), "m%d", idx);
			assert_int_equal(len, (int)strlen(member));
			p = strchr(strchr(p, '\n') + 1, '\n') + 1;
			assert_int_equal(sscanf(p, "$%*d\r\n%d\r\n", &score), 1);
			assert_int_equal(score, idx);
			p = strchr(strchr(p, '\n') + 1, '\n') + 1;
			assert_true(idx >= 0 && idx < 300);
			seen.count[idx]++;
		}
		rounds++;
		assert_true(rounds < 1000);
	} while (strcmp(cursor, "0") != 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(seen.count[i], 1);
	assert_true(rounds > 1);
	/* MATCH filters members only; a big COUNT gets everything at once */
	{
		const char *r = th_cmd(c, "ZSCAN", "z", "0", "COUNT", "100000",
				       "MATCH", "m29?", NULL);

		assert_memory_equal(r, "*2\r\n$1\r\n0\r\n*20\r\n", 16);
	}
	th_assert_reply(c, "-ERR syntax error\r\n", "ZSCAN", "z", "0", "COUNT", "0");
	st_client_free(c);
}

/* Propagation: only commands that changed something reach the write log. */
struct sink_log {
	int records;
	char last[64];
};

static void
sink(const struct st_wlog_rec *rec, void *arg)
{
	struct sink_log *log = arg;
	const struct st_wlog_cmd *cmd = &rec->cmds[rec->ncmds - 1];
	size_t n = cmd->argv[0].len < sizeof(log->last) - 1 ?
		   cmd->argv[0].len : sizeof(log->last) - 1;

	log->records++;
	memcpy(log->last, cmd->argv[0].p, n);
	log->last[n] = '\0';
}

static void
test_propagation(void **state)
{
	struct st_client *c = th_client();
	struct sink_log log = { 0, "" };

	(void)state;
	th_flushall();
	st_wlog_set_sink(sink, &log);
	th_assert_reply(c, ":3\r\n", "ZADD", "z", "1", "a", "2", "b", "inf", "p");
	assert_int_equal(log.records, 1);
	assert_string_equal(log.last, "ZADD");
	th_assert_reply(c, ":0\r\n", "ZADD", "z", "NX", "5", "a");
	th_assert_reply(c, ":0\r\n", "ZADD", "z", "1", "a");
	th_assert_reply(c, "$-1\r\n", "ZADD", "z", "GT", "INCR", "-1", "a");
	th_assert_reply(c, ":0\r\n", "ZREM", "z", "nope");
	th_assert_reply(c, ":0\r\n", "ZREMRANGEBYSCORE", "z", "10", "20");
	th_assert_reply(c, ":0\r\n", "ZREMRANGEBYLEX", "z", "[x", "[y");
	th_assert_reply(c, "*0\r\n", "ZPOPMIN", "z", "0");
	th_assert_reply(c, "*0\r\n", "ZPOPMIN", "nokey");
	th_assert_reply(c, "$1\r\n1\r\n", "ZSCORE", "z", "a");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\np\r\n",
			"ZRANGE", "z", "0", "-1");
	th_assert_reply(c, "-ERR resulting score is not a number (NaN)\r\n",
			"ZADD", "z", "INCR", "-inf", "p");
	th_assert_reply(c, "$-1\r\n", "ZADD", "missing", "XX", "INCR", "1", "a");
	assert_int_equal(log.records, 1);
	th_assert_reply(c, "$1\r\n3\r\n", "ZINCRBY", "z", "2", "a");
	assert_int_equal(log.records, 2);
	assert_string_equal(log.last, "ZINCRBY");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "ZPOPMIN", "z");
	assert_int_equal(log.records, 3);
	assert_string_equal(log.last, "ZPOPMIN");
	th_assert_reply(c, ":2\r\n", "ZREMRANGEBYRANK", "z", "0", "-1");
	assert_int_equal(log.records, 4);
	assert_string_equal(log.last, "ZREMRANGEBYRANK");
	th_assert_reply(c, ":0\r\n", "EXISTS", "z");
	st_wlog_set_sink(NULL, NULL);
	st_client_free(c);
}

/* WATCH sees in-place changes, and only real ones (Redis signals a
 * modified key only when something changed). */
static void
test_watch(void **state)
{
	struct st_client *c = th_client();
	struct st_client *o = th_client();

	(void)state;
	th_flushall();
	th_assert_reply(c, ":2\r\n", "ZADD", "z", "1", "a", "2", "b");
	th_assert_reply(c, "+OK\r\n", "WATCH", "z");
	th_assert_reply(o, ":0\r\n", "ZADD", "z", "NX", "3", "a");
	th_assert_reply(o, ":0\r\n", "ZREM", "z", "nope");
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "+QUEUED\r\n", "ZCARD", "z");
	th_assert_reply(c, "*1\r\n:2\r\n", "EXEC");
	th_assert_reply(c, "+OK\r\n", "WATCH", "z");
	th_assert_reply(o, "$1\r\n2\r\n", "ZINCRBY", "z", "1", "a");
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "+QUEUED\r\n", "ZCARD", "z");
	th_assert_reply(c, "*-1\r\n", "EXEC");
	th_assert_reply(c, "+OK\r\n", "WATCH", "z");
	th_assert_reply(o, "*2\r\n$1\r\na\r\n$1\r\n2\r\n", "ZPOPMIN", "z");
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "+QUEUED\r\n", "ZCARD", "z");
	th_assert_reply(c, "*-1\r\n", "EXEC");
	st_client_free(o);
	st_client_free(c);
}

/* The table: arity, flags and key positions as Redis 7.0's COMMAND INFO. */
static void
test_command_table(void **state)
{
	static const struct {
		const char *name;
		int arity;
		uint32_t flags;
	} expect[] = {
		{ "zadd", -4, ST_CMD_WRITE | ST_CMD_DENYOOM | ST_CMD_FAST },
		{ "zincrby", 4, ST_CMD_WRITE | ST_CMD_DENYOOM | ST_CMD_FAST },
		{ "zscore", 3, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zmscore", -3, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zrank", 3, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zrevrank", 3, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zrange", -4, ST_CMD_READONLY },
		{ "zrangebyscore", -4, ST_CMD_READONLY },
		{ "zrevrangebyscore", -4, ST_CMD_READONLY },
		{ "zrevrange", -4, ST_CMD_READONLY },
		{ "zrangebylex", -4, ST_CMD_READONLY },
		{ "zrevrangebylex", -4, ST_CMD_READONLY },
		{ "zrem", -3, ST_CMD_WRITE | ST_CMD_FAST },
		{ "zcard", 2, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zcount", 4, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zlexcount", 4, ST_CMD_READONLY | ST_CMD_FAST },
		{ "zpopmin", -2, ST_CMD_WRITE | ST_CMD_FAST },
		{ "zpopmax", -2, ST_CMD_WRITE | ST_CMD_FAST },
		{ "zremrangebyscore", 4, ST_CMD_WRITE },
		{ "zremrangebyrank", 4, ST_CMD_WRITE },
		{ "zremrangebylex", 4, ST_CMD_WRITE },
		{ "zscan", -3, ST_CMD_READONLY | ST_CMD_RANDOM },
	};
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const struct st_cmd *cmd = st_cmd_lookup(expect[i].name,
							 strlen(expect[i].name));

		assert_non_null(cmd);
		assert_string_equal(cmd->name, expect[i].name);
		assert_int_equal(cmd->arity, expect[i].arity);
		assert_int_equal(cmd->flags, expect[i].flags);
		assert_int_equal(cmd->first_key, 1);
		assert_int_equal(cmd->last_key, 1);
		assert_int_equal(cmd->step, 1);
		assert_string_equal(cmd->group, "sorted-set");
		assert_non_null(cmd->proc);
	}
	while (st_cmds_zset[n].name != NULL)
		n++;
	assert_int_equal(n, sizeof(expect) / sizeof(expect[0]));
}

/* MEMORY accounting: a set's bytes grow with members and all go back. */
static void
test_memory(void **state)
{
	struct st_zset *z = st_zset_new();
	size_t m0 = st_zset_mem(z), m1;
	char name[32];
	int out, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "member:%d", i);
		st_zset_add(z, i, name, strlen(name), 0, &out, NULL);
	}
	m1 = st_zset_mem(z);
	assert_true(m1 > m0 + 1000 * 16);
	assert_int_equal(st_value_mem(&z->v), m1);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "member:%d", i);
		assert_true(st_zset_delete(z, name, strlen(name)));
	}
	assert_true(st_zset_mem(z) < m1);
	st_value_free(&z->v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure_10k),
		cmocka_unit_test(test_structure_ranges),
		cmocka_unit_test(test_structure_nan),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_zadd_basic),
		cmocka_unit_test(test_zadd_options),
		cmocka_unit_test(test_zadd_incr),
		cmocka_unit_test(test_zincrby),
		cmocka_unit_test(test_zrank_zrem),
		cmocka_unit_test(test_zrange_rank),
		cmocka_unit_test(test_zrange_byscore),
		cmocka_unit_test(test_zrange_bylex),
		cmocka_unit_test(test_zpop),
		cmocka_unit_test(test_zremrange),
		cmocka_unit_test(test_zscan_small),
		cmocka_unit_test(test_score_format),
		cmocka_unit_test(test_resp3),
		cmocka_unit_test(test_ties_and_lex_order),
		cmocka_unit_test(test_encoding_count),
		cmocka_unit_test(test_encoding_member_len),
		cmocka_unit_test(test_encoding_config),
		cmocka_unit_test(test_binary_members),
		cmocka_unit_test(test_commands_10k),
		cmocka_unit_test(test_zscan_skiplist),
		cmocka_unit_test(test_propagation),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
