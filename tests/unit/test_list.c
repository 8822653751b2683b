/*
 * test_list.c -- the list type (t_list.c) and the list commands (cmd_list.c).
 *
 * Two groups: structure tests drive t_list.c directly against a simple
 * reference model (arrays of strings), with enough elements to cross many
 * chunks; command tests run every list command through the whole client
 * path and compare the raw reply bytes with stock redis-server 7.0.15's.
 */
#include "harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "buf.h"
#include "t_list.h"
#include "wlog.h"

/* ==== reference model ===================================================== */

struct model {
	char **v;
	size_t *lens;
	size_t len, cap;
};

static void
model_insert(struct model *m, size_t at, const char *p, size_t len)
{
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		m->lens = realloc(m->lens, m->cap * sizeof(*m->lens));
	}
	memmove(m->v + at + 1, m->v + at, (m->len - at) * sizeof(*m->v));
	memmove(m->lens + at + 1, m->lens + at,
		(m->len - at) * sizeof(*m->lens));
	m->v[at] = malloc(len + 1);
	memcpy(m->v[at], p, len);
	m->lens[at] = len;
	m->len++;
}

static void
model_delete(struct model *m, size_t at)
{
	free(m->v[at]);
	memmove(m->v + at, m->v + at + 1, (m->len - at - 1) * sizeof(*m->v));
	memmove(m->lens + at, m->lens + at + 1,
		(m->len - at - 1) * sizeof(*m->lens));
	m->len--;
}

static void
model_free(struct model *m)
{
	while (m->len)
		model_delete(m, m->len - 1);
	free(m->v);
	free(m->lens);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* An element of varying size: inline (<= 15 bytes) or heap. */
static size_t
make_elem(char *buf, uint64_t n, unsigned kind)
{
	size_t len = (size_t)snprintf(buf, 64, "e%llu", (unsigned long long)n);

	if (kind % 3 == 1) {
		memset(buf + len, 'x', 30);	/* heap */
		len += 30;
	} else if (kind % 3 == 2) {
		memset(buf + len, 'y', 15 - len); /* exactly inline-sized */
		len = 15;
	}
	return len;
}

/* Every element, both directions and by index, equals the model. */
static void
check_same(const struct st_list *l, const struct model *m)
{
	struct st_list_iter it;
	const char *p;
	size_t len, i;

	assert_int_equal(st_list_len(l), m->len);
	st_list_iter_init(l, 0, ST_LIST_TAIL, &it);
	for (i = 0; i < m->len; i++) {
		assert_true(st_list_iter_next(&it, &p, &len));
		assert_int_equal(len, m->lens[i]);
		assert_memory_equal(p, m->v[i], len);
	}
	assert_false(st_list_iter_next(&it, &p, &len));
	if (m->len) {
		st_list_iter_init(l, m->len - 1, ST_LIST_HEAD, &it);
		for (i = m->len; i-- > 0;) {
			assert_true(st_list_iter_next(&it, &p, &len));
			assert_int_equal(len, m->lens[i]);
			assert_memory_equal(p, m->v[i], len);
		}
		assert_false(st_list_iter_next(&it, &p, &len));
	}
	for (i = 0; i < m->len; i += 1 + m->len / 50) {
		assert_int_equal(st_list_index(l, i, &p, &len), 0);
		assert_int_equal(len, m->lens[i]);
		assert_memory_equal(p, m->v[i], len);
	}
	assert_int_equal(st_list_index(l, m->len, &p, &len), -ERANGE);
}

/* The list's own count of its bytes matches the allocator's. */
static void
check_mem(const struct st_list *l, int64_t base)
{
	assert_int_equal(st_mem_used() - base, (int64_t)st_list_mem(l));
}

/* ==== structure tests ===================================================== */

static void
t_list_empty(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct st_list_iter it;
	const char *p;
	char *q;
	size_t len;

	assert_int_equal(l->v.type, ST_TYPE_LIST);
	assert_int_equal(l->v.enc, ST_ENC_QUICKLIST);
	assert_int_equal(st_list_len(l), 0);
	assert_int_equal(st_list_peek(l, ST_LIST_HEAD, &p, &len), -ENOENT);
	assert_int_equal(st_list_peek(l, ST_LIST_TAIL, &p, &len), -ENOENT);
	assert_int_equal(st_list_pop(l, ST_LIST_TAIL, &q, &len), -ENOENT);
	assert_int_equal(st_list_pop_n(l, ST_LIST_HEAD, 5), 0);
	assert_int_equal(st_list_index(l, 0, &p, &len), -ERANGE);
	assert_int_equal(st_list_set(l, 0, "x", 1), -ERANGE);
	assert_int_equal(st_list_insert(l, true, "a", 1, "b", 1), -ENOENT);
	assert_int_equal(st_list_remove(l, 0, "a", 1), 0);
	assert_int_equal(st_list_move(l, ST_LIST_HEAD, l, ST_LIST_TAIL), -ENOENT);
	st_list_trim(l, 3, 3);
	st_list_iter_init(l, 0, ST_LIST_TAIL, &it);
	assert_false(st_list_iter_next(&it, &p, &len));
	check_mem(l, base);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

static void
t_list_push_pop_10k_both_ends(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char buf[64];
	size_t len, i;
	const char *p;
	char *q;

	/* 10k at the tail, 10k at the head, interleaved element sizes. */
	for (i = 0; i < 10000; i++) {
		len = make_elem(buf, i, (unsigned)i);
		st_list_push(l, ST_LIST_TAIL, buf, len);
		model_insert(&m, m.len, buf, len);
	}
	for (i = 10000; i < 20000; i++) {
		len = make_elem(buf, i, (unsigned)i);
		st_list_push(l, ST_LIST_HEAD, buf, len);
		model_insert(&m, 0, buf, len);
	}
	check_same(l, &m);
	check_mem(l, base);
	assert_true(l->nchunks >= 20000 / ST_LIST_CHUNK_MAX);
	assert_true(l->nchunks <= 20000 / ST_LIST_CHUNK_MAX + 4);

	/* Index across chunk boundaries, from both ends. */
	for (i = ST_LIST_CHUNK_MAX - 2; i < 20000; i += ST_LIST_CHUNK_MAX - 1) {
		assert_int_equal(st_list_index(l, i, &p, &len), 0);
		assert_int_equal(len, m.lens[i]);
		assert_memory_equal(p, m.v[i], len);
	}

	/* Pop 5k from each end, checking each element. */
	for (i = 0; i < 5000; i++) {
		assert_int_equal(st_list_peek(l, ST_LIST_HEAD, &p, &len), 0);
		assert_int_equal(len, m.lens[0]);
		assert_memory_equal(p, m.v[0], len);
		assert_int_equal(st_list_pop(l, ST_LIST_HEAD, &q, &len), 0);
		assert_int_equal(len, m.lens[0]);
		assert_memory_equal(q, m.v[0], len);
		assert_int_equal(q[len], '\0');
		st_free(q);
		model_delete(&m, 0);

		assert_int_equal(st_list_pop(l, ST_LIST_TAIL, &q, &len), 0);
		assert_int_equal(len, m.lens[m.len - 1]);
		assert_memory_equal(q, m.v[m.len - 1], len);
		st_free(q);
		model_delete(&m, m.len - 1);
	}
	check_same(l, &m);
	check_mem(l, base);

	/* Drain the rest in bulk. */
	assert_int_equal(st_list_pop_n(l, ST_LIST_TAIL, 3000), 3000);
	for (i = 0; i < 3000; i++)
		model_delete(&m, m.len - 1);
	check_same(l, &m);
	assert_int_equal(st_list_pop_n(l, ST_LIST_HEAD, 100000), 7000);
	model_free(&m);
	assert_int_equal(st_list_len(l), 0);
	assert_null(l->head);
	assert_null(l->tail);
	assert_int_equal(l->nchunks, 0);
	check_mem(l, base);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

/* A queue (push one end, pop the other) keeps at most a couple of chunks. */
static void
t_list_queue_pattern(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	char buf[64];
	const char *p;
	size_t len, i, next = 0;

	for (i = 0; i < 100; i++) {
		len = (size_t)snprintf(buf, sizeof(buf), "%zu", i);
		st_list_push(l, ST_LIST_HEAD, buf, len);
	}
	for (i = 100; i < 100000; i++) {
		len = (size_t)snprintf(buf, sizeof(buf), "%zu", i);
		st_list_push(l, ST_LIST_HEAD, buf, len);
		assert_int_equal(st_list_peek(l, ST_LIST_TAIL, &p, &len), 0);
		snprintf(buf, sizeof(buf), "%zu", next++);
		assert_int_equal(len, strlen(buf));
		assert_memory_equal(p, buf, len);
		assert_int_equal(st_list_pop_n(l, ST_LIST_TAIL, 1), 1);
		assert_true(l->nchunks <= 3);
	}
	assert_int_equal(st_list_len(l), 100);
	check_mem(l, base);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

static void
t_list_element_sizes(void **state)
{
	static const size_t sizes[] = {0, 1, 14, 15, 16, 17, 100, 70000};
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char *buf = malloc(70000);
	size_t i, j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizes[i]; j++)
			buf[j] = (char)(j * 7 + i);	/* binary, NULs included */
		st_list_push(l, i % 2 ? ST_LIST_HEAD : ST_LIST_TAIL, buf,
			     sizes[i]);
		model_insert(&m, i % 2 ? 0 : m.len, buf, sizes[i]);
	}
	check_same(l, &m);
	check_mem(l, base);
	/* Replace inline with heap and back. */
	memset(buf, 'z', 40);
	assert_int_equal(st_list_set(l, 0, buf, 40), 0);
	model_delete(&m, 0);
	model_insert(&m, 0, buf, 40);
	assert_int_equal(st_list_set(l, m.len - 1, "s", 1), 0);
	model_delete(&m, m.len - 1);
	model_insert(&m, m.len, "s", 1);
	check_same(l, &m);
	check_mem(l, base);
	free(buf);
	model_free(&m);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

static void
t_list_insert_splits(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char buf[64], piv[64];
	size_t len, plen, i, at;

	st_list_push(l, ST_LIST_TAIL, "first", 5);
	model_insert(&m, 0, "first", 5);
	/* Insert 5000 elements next to random pivots: chunks fill and split. */
	for (i = 0; i < 5000; i++) {
		bool after = rng() & 1;

		at = rng() % m.len;
		plen = m.lens[at];
		memcpy(piv, m.v[at], plen);
		/* The first equal element is the pivot: all are unique. */
		len = make_elem(buf, i, (unsigned)i);
		assert_int_equal(st_list_insert(l, after, piv, plen, buf, len), 0);
		model_insert(&m, at + (after ? 1 : 0), buf, len);
		if (i % 500 == 0)
			check_same(l, &m);
	}
	check_same(l, &m);
	check_mem(l, base);
	assert_true(l->nchunks <= 2 * (5001 / ST_LIST_CHUNK_MAX) + 2);
	assert_int_equal(st_list_insert(l, false, "nope", 4, "x", 1), -ENOENT);
	assert_int_equal(st_list_len(l), 5001);
	model_free(&m);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

/* LREM semantics on a long list against the model. */
static void
model_remove(struct model *m, long long count, const char *v, size_t vlen)
{
	size_t limit = count == 0 ? SIZE_MAX :
		(size_t)(count > 0 ? count : -count);
	size_t n = 0, i;

	if (count >= 0) {
		for (i = 0; i < m->len && n < limit;) {
			if (m->lens[i] == vlen && memcmp(m->v[i], v, vlen) == 0) {
				model_delete(m, i);
				n++;
			} else {
				i++;
			}
		}
	} else {
		for (i = m->len; i-- > 0 && n < limit;) {
			if (m->lens[i] == vlen && memcmp(m->v[i], v, vlen) == 0) {
				model_delete(m, i);
				n++;
			}
		}
	}
}

static void
t_list_remove(void **state)
{
	static const long long counts[] = {3, -3, 0, 1000, -1000, 1, -1};
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char buf[64];
	size_t len, i, before;

	/* 20k elements drawn from 10 values (half of them heap-sized). */
	for (i = 0; i < 20000; i++) {
		unsigned k = (unsigned)(rng() % 10);

		len = k < 5 ? (size_t)snprintf(buf, sizeof(buf), "v%u", k) :
			(size_t)snprintf(buf, sizeof(buf),
					 "a-long-value-number-%u", k);
		st_list_push(l, ST_LIST_TAIL, buf, len);
		model_insert(&m, m.len, buf, len);
	}
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		unsigned k = (unsigned)i % 10;

		len = k < 5 ? (size_t)snprintf(buf, sizeof(buf), "v%u", k) :
			(size_t)snprintf(buf, sizeof(buf),
					 "a-long-value-number-%u", k);
		before = m.len;
		model_remove(&m, counts[i], buf, len);
		assert_int_equal(st_list_remove(l, counts[i], buf, len),
				 before - m.len);
		check_same(l, &m);
		check_mem(l, base);
	}
	/* Removing all of the 10 values empties the list. */
	for (i = 0; i < 10; i++) {
		len = i < 5 ? (size_t)snprintf(buf, sizeof(buf), "v%zu", i) :
			(size_t)snprintf(buf, sizeof(buf),
					 "a-long-value-number-%zu", i);
		model_remove(&m, 0, buf, len);
		st_list_remove(l, 0, buf, len);
		check_same(l, &m);
		/* Merging keeps chunks dense. */
		assert_true(l->nchunks <= 2 * (st_list_len(l) /
			    ST_LIST_CHUNK_MAX) + 2);
	}
	assert_int_equal(st_list_len(l), 0);
	assert_int_equal(l->nchunks, 0);
	check_mem(l, base);
	model_free(&m);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

static void
t_list_trim(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char buf[64];
	size_t len, i;

	for (i = 0; i < 3000; i++) {
		len = make_elem(buf, i, (unsigned)i);
		st_list_push(l, ST_LIST_TAIL, buf, len);
		model_insert(&m, m.len, buf, len);
	}
	st_list_trim(l, 5, 0);
	for (i = 0; i < 5; i++)
		model_delete(&m, 0);
	check_same(l, &m);
	st_list_trim(l, 0, 300);
	for (i = 0; i < 300; i++)
		model_delete(&m, m.len - 1);
	check_same(l, &m);
	st_list_trim(l, 1000, 1000);
	for (i = 0; i < 1000; i++) {
		model_delete(&m, 0);
		model_delete(&m, m.len - 1);
	}
	check_same(l, &m);
	check_mem(l, base);
	st_list_trim(l, st_list_len(l), 0);
	assert_int_equal(st_list_len(l), 0);
	st_list_trim(l, 10, 10);
	check_mem(l, base);
	model_free(&m);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

static void
t_list_move_and_dup(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *a = st_list_new(), *b = st_list_new(), *d;
	struct model ma = {0}, mb = {0};
	char buf[64];
	size_t len, i;

	for (i = 0; i < 1000; i++) {
		len = make_elem(buf, i, (unsigned)i);
		st_list_push(a, ST_LIST_TAIL, buf, len);
		model_insert(&ma, ma.len, buf, len);
	}
	/* Rotate a on itself: RPOPLPUSH a a, 300 times. */
	for (i = 0; i < 300; i++) {
		assert_int_equal(st_list_move(a, ST_LIST_TAIL, a, ST_LIST_HEAD), 0);
		model_insert(&ma, 0, ma.v[ma.len - 1], ma.lens[ma.len - 1]);
		model_delete(&ma, ma.len - 1);
	}
	check_same(a, &ma);
	/* LMOVE a b LEFT RIGHT, 600 times: heap bytes change owner. */
	for (i = 0; i < 600; i++) {
		assert_int_equal(st_list_move(a, ST_LIST_HEAD, b, ST_LIST_TAIL), 0);
		model_insert(&mb, mb.len, ma.v[0], ma.lens[0]);
		model_delete(&ma, 0);
	}
	check_same(a, &ma);
	check_same(b, &mb);
	assert_int_equal(st_mem_used() - base,
			 (int64_t)(st_list_mem(a) + st_list_mem(b)));

	d = st_list_dup(b);
	check_same(d, &mb);
	st_list_free(b);
	assert_int_equal(st_mem_used() - base,
			 (int64_t)(st_list_mem(a) + st_list_mem(d)));
	st_list_free(d);
	st_list_free(a);
	model_free(&ma);
	model_free(&mb);
	assert_int_equal(st_mem_used(), base);
}

/* Random operations of every kind, checked against the model. */
static void
t_list_random_ops(void **state)
{
	int64_t base = st_mem_used();
	struct st_list *l = st_list_new();
	struct model m = {0};
	char buf[64];
	const char *p;
	size_t len, i;

	for (i = 0; i < 60000; i++) {
		unsigned op = (unsigned)(rng() % 100);

		len = make_elem(buf, rng() % 50, (unsigned)rng());
		if (op < 30) {
			st_list_push(l, ST_LIST_TAIL, buf, len);
			model_insert(&m, m.len, buf, len);
		} else if (op < 55) {
			st_list_push(l, ST_LIST_HEAD, buf, len);
			model_insert(&m, 0, buf, len);
		} else if (op < 70) {
			if (m.len) {
				st_list_pop_n(l, ST_LIST_HEAD, 1);
				model_delete(&m, 0);
			}
		} else if (op < 80) {
			if (m.len) {
				st_list_pop_n(l, ST_LIST_TAIL, 1);
				model_delete(&m, m.len - 1);
			}
		} else if (op < 88) {
			size_t at;

			if (!m.len)
				continue;
			at = rng() % m.len;
			assert_int_equal(st_list_set(l, at, buf, len), 0);
			model_delete(&m, at);
			model_insert(&m, at, buf, len);
		} else if (op < 95) {
			char piv[64];
			size_t plen, at, k;
			bool after = rng() & 1;

			if (!m.len)
				continue;
			at = rng() % m.len;
			plen = m.lens[at];
			memcpy(piv, m.v[at], plen);
			for (k = 0; k < m.len; k++)	/* first equal one */
				if (m.lens[k] == plen &&
				    memcmp(m.v[k], piv, plen) == 0)
					break;
			assert_int_equal(st_list_insert(l, after, piv, plen,
							buf, len), 0);
			model_insert(&m, k + (after ? 1 : 0), buf, len);
		} else if (op < 98) {
			long long cnt = (long long)(rng() % 5) - 2;
			size_t before = m.len;

			model_remove(&m, cnt, buf, len);
			assert_int_equal(st_list_remove(l, cnt, buf, len),
					 before - m.len);
		} else {
			size_t lt = m.len ? rng() % (m.len / 8 + 1) : 0;
			size_t rt = m.len ? rng() % (m.len / 8 + 1) : 0;
			size_t k;

			st_list_trim(l, lt, rt);
			for (k = 0; k < lt && m.len; k++)
				model_delete(&m, 0);
			for (k = 0; k < rt && m.len; k++)
				model_delete(&m, m.len - 1);
		}
		if (i % 4000 == 0) {
			check_same(l, &m);
			check_mem(l, base);
		}
	}
	check_same(l, &m);
	check_mem(l, base);
	if (m.len) {
		assert_int_equal(st_list_peek(l, ST_LIST_TAIL, &p, &len), 0);
		assert_int_equal(len, m.lens[m.len - 1]);
	}
	model_free(&m);
	st_list_free(l);
	assert_int_equal(st_mem_used(), base);
}

/* ==== command tests ======================================================= */

#define WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
#define NOTINT "-ERR value is not an integer or out of range\r\n"
#define SYNTAX "-ERR syntax error\r\n"

static struct st_client *tc;

static int
cmd_setup(void **state)
{
	th_flushall();
	tc = th_client();
	return 0;
}

static int
cmd_teardown(void **state)
{
	st_client_free(tc);
	tc = NULL;
	return 0;
}

static void
cmd_push(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":3\r\n", "LPUSH", "l", "a", "b", "c");
	th_assert_reply(c, ":5\r\n", "RPUSH", "l", "d", "e");
	th_assert_reply(c, "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, ":7\r\n", "LPUSHX", "l", "1", "2");
	th_assert_reply(c, ":8\r\n", "RPUSHX", "l", "3");
	th_assert_reply(c, "*8\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\n3\r\n",
			"LRANGE", "l", "0", "-1");
	/* X variants on a missing key: 0 and no key created. */
	th_assert_reply(c, ":0\r\n", "LPUSHX", "nokey", "a");
	th_assert_reply(c, ":0\r\n", "RPUSHX", "nokey", "a", "b");
	th_assert_reply(c, ":0\r\n", "EXISTS", "nokey");
	th_assert_reply(c, "+list\r\n", "TYPE", "l");
	/* Wrong type, arity. */
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LPUSH", "s", "a");
	th_assert_reply(c, WRONGTYPE, "RPUSH", "s", "a");
	th_assert_reply(c, WRONGTYPE, "LPUSHX", "s", "a");
	th_assert_reply(c, WRONGTYPE, "RPUSHX", "s", "a");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'lpush' command\r\n",
			"LPUSH", "l");
	th_assert_reply(c, "-ERR wrong number of arguments for 'rpushx' command\r\n",
			"RPUSHX", "l");
}

static void
cmd_push_binary_and_big(void **state)
{
	struct st_client *c = tc;
	const char *argv[3] = {"RPUSH", "bin", "a\0b\r\nc"};
	size_t lens[3] = {5, 3, 6};
	char big[1001];
	struct st_buf exp;

	assert_string_equal(th_cmdv(c, 3, argv, lens), ":1\r\n");
	th_cmd(c, "LINDEX", "bin", "0", NULL);
	assert_int_equal(th_last_len(), 12);
	assert_memory_equal(th_cmd(c, "LINDEX", "bin", "0", NULL),
			    "$6\r\na\0b\r\nc\r\n", 12);
	memset(big, 'q', 1000);
	big[1000] = '\0';
	th_assert_reply(c, ":2\r\n", "RPUSH", "bin", big);
	st_buf_init(&exp);
	st_buf_append(&exp, "$1000\r\n", 7);
	st_buf_append(&exp, big, 1000);
	st_buf_append(&exp, "\r\n", 3);	/* with the NUL */
	th_assert_reply(c, exp.p, "LINDEX", "bin", "-1");
	th_assert_reply(c, exp.p, "RPOP", "bin");
	st_buf_free(&exp);
	/* An empty element. */
	th_assert_reply(c, ":2\r\n", "LPUSH", "bin", "");
	th_assert_reply(c, "$0\r\n\r\n", "LPOP", "bin");
}

static void
cmd_pop(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "$-1\r\n", "LPOP", "nokey");
	th_assert_reply(c, "$-1\r\n", "RPOP", "nokey");
	th_assert_reply(c, "*-1\r\n", "LPOP", "nokey", "0");
	th_assert_reply(c, "*-1\r\n", "RPOP", "nokey", "2");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
			"LPOP", "nokey", "-1");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
			"RPOP", "nokey", "abc");
	th_assert_reply(c, "-ERR wrong number of arguments for 'lpop' command\r\n",
			"LPOP", "nokey", "1", "2");
	th_assert_reply(c, "-ERR wrong number of arguments for 'rpop' command\r\n",
			"RPOP", "nokey", "1", "2");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LPOP", "s");
	th_assert_reply(c, WRONGTYPE, "LPOP", "s", "0");
	th_assert_reply(c, "-ERR value is out of range, must be positive\r\n",
			"LPOP", "s", "-1");

	th_assert_reply(c, ":5\r\n", "RPUSH", "l", "a", "b", "c", "d", "e");
	th_assert_reply(c, "*0\r\n", "LPOP", "l", "0");
	th_assert_reply(c, "$1\r\na\r\n", "LPOP", "l");
	th_assert_reply(c, "$1\r\ne\r\n", "RPOP", "l");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", "RPOP", "l", "2");
	th_assert_reply(c, "*1\r\n$1\r\nb\r\n", "LPOP", "l", "10");
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, ":2\r\n", "RPUSH", "l", "a", "b");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "LPOP", "l",
			"9223372036854775807");
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, ":1\r\n", "RPUSH", "l", "x");
	th_assert_reply(c, "$1\r\nx\r\n", "RPOP", "l");
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
}

static void
cmd_llen(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":0\r\n", "LLEN", "nokey");
	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
	th_assert_reply(c, ":3\r\n", "LLEN", "l");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LLEN", "s");
	th_assert_reply(c, "-ERR wrong number of arguments for 'llen' command\r\n",
			"LLEN", "l", "x");
}

static void
cmd_lrange(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "z", "b", "c");
	th_assert_reply(c, "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "LRANGE", "l", "1", "2");
	th_assert_reply(c, "*1\r\n$1\r\nc\r\n", "LRANGE", "l", "-1", "-1");
	th_assert_reply(c, "*2\r\n$1\r\nz\r\n$1\r\nb\r\n", "LRANGE", "l", "-100", "1");
	th_assert_reply(c, "*0\r\n", "LRANGE", "l", "5", "1");
	th_assert_reply(c, "*0\r\n", "LRANGE", "l", "2", "1");
	th_assert_reply(c, "*0\r\n", "LRANGE", "l", "3", "10");
	th_assert_reply(c, "*0\r\n", "LRANGE", "l", "0", "-4");
	th_assert_reply(c, "*1\r\n$1\r\nz\r\n", "LRANGE", "l", "0", "-3");
	th_assert_reply(c, "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"LRANGE", "l", "-100", "100");
	th_assert_reply(c, "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"LRANGE", "l", "-9223372036854775808",
			"9223372036854775807");
	th_assert_reply(c, "*0\r\n", "LRANGE", "nokey", "0", "-1");
	th_assert_reply(c, NOTINT, "LRANGE", "nokey", "x", "1");
	th_assert_reply(c, NOTINT, "LRANGE", "l", "0", "1.5");
	th_assert_reply(c, NOTINT, "LRANGE", "l", "9223372036854775808", "1");
	th_assert_reply(c, NOTINT, "LRANGE", "l", " 1", "2");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LRANGE", "s", "0", "-1");
	th_assert_reply(c, NOTINT, "LRANGE", "s", "a", "-1");
}

static void
cmd_lindex_lset(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
	th_assert_reply(c, "$1\r\na\r\n", "LINDEX", "l", "0");
	th_assert_reply(c, "$1\r\nc\r\n", "LINDEX", "l", "-1");
	th_assert_reply(c, "$1\r\na\r\n", "LINDEX", "l", "-3");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "l", "-4");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "l", "3");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "l", "9223372036854775807");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "l", "-9223372036854775808");
	th_assert_reply(c, NOTINT, "LINDEX", "l", "x");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "nokey", "x");
	th_assert_reply(c, "$-1\r\n", "LINDEX", "nokey", "0");

	th_assert_reply(c, "+OK\r\n", "LSET", "l", "-3", "z");
	th_assert_reply(c, "+OK\r\n", "LSET", "l", "1",
			"a value longer than fifteen bytes");
	th_assert_reply(c, "*3\r\n$1\r\nz\r\n$33\r\na value longer than fifteen bytes\r\n$1\r\nc\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "-ERR index out of range\r\n", "LSET", "l", "3", "x");
	th_assert_reply(c, "-ERR index out of range\r\n", "LSET", "l", "-4", "x");
	th_assert_reply(c, NOTINT, "LSET", "l", "x", "x");
	th_assert_reply(c, "-ERR no such key\r\n", "LSET", "nokey", "0", "x");
	th_assert_reply(c, "-ERR no such key\r\n", "LSET", "nokey", "x", "x");
	th_assert_reply(c, ":0\r\n", "EXISTS", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LSET", "s", "0", "x");
	th_assert_reply(c, WRONGTYPE, "LINDEX", "s", "0");
}

static void
cmd_lrem(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":7\r\n", "RPUSH", "m", "a", "b", "a", "c", "a", "d", "a");
	th_assert_reply(c, ":2\r\n", "LREM", "m", "-2", "a");
	th_assert_reply(c, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n",
			"LRANGE", "m", "0", "-1");
	th_assert_reply(c, ":1\r\n", "LREM", "m", "1", "a");
	th_assert_reply(c, "*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n",
			"LRANGE", "m", "0", "-1");
	th_assert_reply(c, ":0\r\n", "LREM", "m", "0", "zz");
	th_assert_reply(c, ":1\r\n", "LREM", "m", "100", "a");
	th_assert_reply(c, ":1\r\n", "LREM", "m", "-100", "b");
	th_assert_reply(c, ":1\r\n", "LREM", "m", "0", "c");
	th_assert_reply(c, ":1\r\n", "LREM", "m", "-9223372036854775808", "d");
	th_assert_reply(c, ":0\r\n", "EXISTS", "m");
	th_assert_reply(c, ":4\r\n", "RPUSH", "m", "x", "y", "x", "x");
	th_assert_reply(c, ":3\r\n", "LREM", "m", "0", "x");
	th_assert_reply(c, "*1\r\n$1\r\ny\r\n", "LRANGE", "m", "0", "-1");
	th_assert_reply(c, ":0\r\n", "LREM", "nokey", "0", "a");
	th_assert_reply(c, NOTINT, "LREM", "nokey", "x", "a");
	th_assert_reply(c, NOTINT, "LREM", "m", "1.0", "a");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LREM", "s", "0", "a");
}

static void
cmd_ltrim(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":6\r\n", "RPUSH", "l", "a", "b", "c", "d", "e", "f");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "1", "-2");
	th_assert_reply(c, "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "-100", "100");
	th_assert_reply(c, ":4\r\n", "LLEN", "l");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "-2", "-1");
	th_assert_reply(c, "*2\r\n$1\r\nd\r\n$1\r\ne\r\n", "LRANGE", "l", "0", "-1");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "1", "0");	/* start > end */
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, ":2\r\n", "RPUSH", "l", "a", "b");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "5", "10");	/* start >= len */
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, ":2\r\n", "RPUSH", "l", "a", "b");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "l", "0", "-3");	/* end < 0 */
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "nokey", "0", "1");
	th_assert_reply(c, NOTINT, "LTRIM", "nokey", "a", "1");
	th_assert_reply(c, NOTINT, "LTRIM", "nokey", "0", "b");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LTRIM", "s", "0", "1");
}

static void
cmd_linsert(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, SYNTAX, "LINSERT", "nokey", "foo", "a", "b");
	th_assert_reply(c, ":0\r\n", "LINSERT", "nokey", "before", "a", "b");
	th_assert_reply(c, ":0\r\n", "EXISTS", "nokey");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LINSERT", "s", "before", "a", "b");
	th_assert_reply(c, SYNTAX, "LINSERT", "s", "foo", "a", "b");
	th_assert_reply(c, ":4\r\n", "RPUSH", "l", "a", "b", "c", "a");
	th_assert_reply(c, ":5\r\n", "LINSERT", "l", "before", "a", "x");
	th_assert_reply(c, ":6\r\n", "LINSERT", "l", "AFTER", "a", "y");
	th_assert_reply(c, ":-1\r\n", "LINSERT", "l", "after", "zz", "y");
	th_assert_reply(c, ":7\r\n", "LINSERT", "l", "BeFoRe", "c", "");
	th_assert_reply(c, "*7\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\ny\r\n$1\r\nb\r\n$0\r\n\r\n$1\r\nc\r\n$1\r\na\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'linsert' command\r\n",
			"LINSERT", "l", "before", "a");
}

static void
cmd_lpos(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, ":8\r\n", "RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c");
	th_assert_reply(c, ":2\r\n", "LPOS", "l", "c");
	th_assert_reply(c, ":3\r\n", "LPOS", "l", "1");
	th_assert_reply(c, "$-1\r\n", "LPOS", "l", "x");
	th_assert_reply(c, ":6\r\n", "LPOS", "l", "c", "RANK", "2");
	th_assert_reply(c, ":7\r\n", "LPOS", "l", "c", "rank", "3");
	th_assert_reply(c, "$-1\r\n", "LPOS", "l", "c", "rank", "4");
	th_assert_reply(c, ":7\r\n", "LPOS", "l", "c", "rank", "-1");
	th_assert_reply(c, ":6\r\n", "LPOS", "l", "c", "rank", "-2");
	th_assert_reply(c, "$-1\r\n", "LPOS", "l", "c", "rank", "9223372036854775807");
	/* Redis 7.0 negates LONG_MIN to itself: the first match from the tail. */
	th_assert_reply(c, ":7\r\n", "LPOS", "l", "c", "rank", "-9223372036854775808");
	th_assert_reply(c, "*3\r\n:7\r\n:6\r\n:2\r\n", "LPOS", "l", "c", "rank",
			"-9223372036854775808", "count", "2");
	th_assert_reply(c, "*0\r\n", "LPOS", "l", "c", "rank",
			"-9223372036854775807", "count", "0");
	th_assert_reply(c, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
			"LPOS", "l", "c", "rank", "0");
	th_assert_reply(c, NOTINT, "LPOS", "l", "c", "rank", "abc");
	th_assert_reply(c, NOTINT, "LPOS", "l", "c", "rank", "9223372036854775808");
	/* COUNT */
	th_assert_reply(c, "*3\r\n:2\r\n:6\r\n:7\r\n", "LPOS", "l", "c", "count", "0");
	th_assert_reply(c, "*2\r\n:2\r\n:6\r\n", "LPOS", "l", "c", "COUNT", "2");
	th_assert_reply(c, "*2\r\n:7\r\n:6\r\n", "LPOS", "l", "c", "rank", "-1",
			"count", "2");
	th_assert_reply(c, "*0\r\n", "LPOS", "l", "c", "rank", "5", "count", "0");
	th_assert_reply(c, "*0\r\n", "LPOS", "l", "x", "count", "0");
	th_assert_reply(c, "-ERR COUNT can't be negative\r\n", "LPOS", "l", "c",
			"count", "-1");
	th_assert_reply(c, "-ERR COUNT can't be negative\r\n", "LPOS", "l", "c",
			"count", "abc");
	th_assert_reply(c, "-ERR COUNT can't be negative\r\n", "LPOS", "l", "c",
			"count", "9223372036854775808");
	/* MAXLEN */
	th_assert_reply(c, ":2\r\n", "LPOS", "l", "c", "maxlen", "3");
	th_assert_reply(c, "$-1\r\n", "LPOS", "l", "c", "maxlen", "2");
	th_assert_reply(c, "*1\r\n:2\r\n", "LPOS", "l", "c", "maxlen", "3", "count", "0");
	th_assert_reply(c, "*2\r\n:7\r\n:6\r\n", "LPOS", "l", "c", "rank", "-1",
			"maxlen", "2", "count", "0");
	th_assert_reply(c, "*1\r\n:2\r\n", "LPOS", "l", "c", "RANK", "1", "COUNT",
			"1", "MAXLEN", "0");
	th_assert_reply(c, "-ERR MAXLEN can't be negative\r\n", "LPOS", "l", "c",
			"maxlen", "-1");
	th_assert_reply(c, "-ERR MAXLEN can't be negative\r\n", "LPOS", "l", "c",
			"maxlen", "abc");
	/* Syntax: a missing option value, an unknown option; last one wins. */
	th_assert_reply(c, SYNTAX, "LPOS", "l", "c", "count");
	th_assert_reply(c, SYNTAX, "LPOS", "l", "c", "foo", "1");
	th_assert_reply(c, ":6\r\n", "LPOS", "l", "c", "rank", "1", "rank", "2");
	/* Missing key: null, or an empty array with COUNT; options first. */
	th_assert_reply(c, "$-1\r\n", "LPOS", "nokey", "c");
	th_assert_reply(c, "*0\r\n", "LPOS", "nokey", "c", "count", "1");
	th_assert_reply(c, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
			"LPOS", "nokey", "c", "rank", "0");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, WRONGTYPE, "LPOS", "s", "c");
	th_assert_reply(c, WRONGTYPE, "LPOS", "s", "c", "count", "1");
	th_assert_reply(c, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
			"LPOS", "s", "c", "rank", "0");
}

static void
cmd_lmove(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, ":3\r\n", "RPUSH", "l", "a", "b", "c");
	th_assert_reply(c, "$-1\r\n", "LMOVE", "nokey", "l", "left", "right");
	th_assert_reply(c, "$-1\r\n", "LMOVE", "nokey", "s", "left", "right");
	/* WRONGTYPE on either side leaves both untouched. */
	th_assert_reply(c, WRONGTYPE, "LMOVE", "l", "s", "left", "right");
	th_assert_reply(c, WRONGTYPE, "LMOVE", "s", "l", "left", "right");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"LRANGE", "l", "0", "-1");
	/* Same key: rotation. */
	th_assert_reply(c, "$1\r\na\r\n", "LMOVE", "l", "l", "left", "right");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "$1\r\na\r\n", "LMOVE", "l", "l", "right", "left");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"LRANGE", "l", "0", "-1");
	th_assert_reply(c, "$1\r\na\r\n", "LMOVE", "l", "l", "left", "left");
	th_assert_reply(c, "$1\r\nc\r\n", "LMOVE", "l", "l", "right", "right");
	/* Syntax errors come first, even on a missing source. */
	th_assert_reply(c, SYNTAX, "LMOVE", "l", "d", "foo", "right");
	th_assert_reply(c, SYNTAX, "LMOVE", "l", "d", "left", "foo");
	th_assert_reply(c, SYNTAX, "LMOVE", "nokey", "d", "foo", "right");
	/* To a new list, then the source empties and goes. */
	th_assert_reply(c, "$1\r\na\r\n", "LMOVE", "l", "d", "LEFT", "RIGHT");
	th_assert_reply(c, "$1\r\nc\r\n", "LMOVE", "l", "d", "RIGHT", "LEFT");
	th_assert_reply(c, "*2\r\n$1\r\nc\r\n$1\r\na\r\n", "LRANGE", "d", "0", "-1");
	th_assert_reply(c, "$1\r\nb\r\n", "LMOVE", "l", "d", "left", "left");
	th_assert_reply(c, ":0\r\n", "EXISTS", "l");
	th_assert_reply(c, "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
			"LRANGE", "d", "0", "-1");
	/* One element on itself stays. */
	th_assert_reply(c, ":1\r\n", "RPUSH", "one", "x");
	th_assert_reply(c, "$1\r\nx\r\n", "LMOVE", "one", "one", "left", "right");
	th_assert_reply(c, "*1\r\n$1\r\nx\r\n", "LRANGE", "one", "0", "-1");
	th_assert_reply(c, "-ERR wrong number of arguments for 'lmove' command\r\n",
			"LMOVE", "one", "one", "left");
}

static void
cmd_rpoplpush(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, ":1\r\n", "RPUSH", "one", "x");
	th_assert_reply(c, "$1\r\nx\r\n", "RPOPLPUSH", "one", "one");
	th_assert_reply(c, ":1\r\n", "LLEN", "one");
	th_assert_reply(c, "$1\r\nx\r\n", "RPOPLPUSH", "one", "two");
	th_assert_reply(c, ":0\r\n", "EXISTS", "one");
	th_assert_reply(c, "*1\r\n$1\r\nx\r\n", "LRANGE", "two", "0", "-1");
	th_assert_reply(c, "$-1\r\n", "RPOPLPUSH", "nokey", "two");
	th_assert_reply(c, WRONGTYPE, "RPOPLPUSH", "two", "s");
	th_assert_reply(c, WRONGTYPE, "RPOPLPUSH", "s", "two");
	th_assert_reply(c, ":1\r\n", "LLEN", "two");
	th_assert_reply(c, ":3\r\n", "RPUSH", "two", "a", "long element of 30 bytes......");
	th_assert_reply(c, "$30\r\nlong element of 30 bytes......\r\n",
			"RPOPLPUSH", "two", "three");
	th_assert_reply(c, "$30\r\nlong element of 30 bytes......\r\n",
			"LINDEX", "three", "0");
}

static void
cmd_lmpop(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "+OK\r\n", "SET", "s", "v");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n",
			"LMPOP", "0", "l", "left");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n",
			"LMPOP", "-1", "l", "left");
	th_assert_reply(c, "-ERR numkeys should be greater than 0\r\n",
			"LMPOP", "x", "l", "left");
	th_assert_reply(c, "-ERR wrong number of arguments for 'lmpop' command\r\n",
			"LMPOP", "1", "l");
	th_assert_reply(c, SYNTAX, "LMPOP", "2", "l", "left");
	th_assert_reply(c, SYNTAX, "LMPOP", "5", "l", "left");
	th_assert_reply(c, SYNTAX, "LMPOP", "1", "l", "foo");
	th_assert_reply(c, "*-1\r\n", "LMPOP", "1", "nokey", "left");
	th_assert_reply(c, "-ERR count should be greater than 0\r\n",
			"LMPOP", "1", "nokey", "left", "count", "0");
	th_assert_reply(c, "-ERR count should be greater than 0\r\n",
			"LMPOP", "1", "nokey", "left", "count", "-1");
	th_assert_reply(c, "-ERR count should be greater than 0\r\n",
			"LMPOP", "1", "nokey", "left", "count", "x");
	th_assert_reply(c, SYNTAX, "LMPOP", "1", "nokey", "left", "count", "1",
			"count", "1");
	th_assert_reply(c, SYNTAX, "LMPOP", "1", "nokey", "left", "count");
	th_assert_reply(c, SYNTAX, "LMPOP", "1", "nokey", "left", "foo");
	th_assert_reply(c, WRONGTYPE, "LMPOP", "2", "nokey", "s", "left");
	th_assert_reply(c, ":1\r\n", "RPUSH", "two", "x");
	th_assert_reply(c, "*2\r\n$3\r\ntwo\r\n*1\r\n$1\r\nx\r\n",
			"LMPOP", "2", "nokey", "two", "right", "count", "5");
	th_assert_reply(c, ":0\r\n", "EXISTS", "two");
	th_assert_reply(c, ":3\r\n", "RPUSH", "z", "1", "2", "3");
	th_assert_reply(c, "*2\r\n$1\r\nz\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
			"LMPOP", "1", "z", "LEFT", "COUNT", "2");
	th_assert_reply(c, ":3\r\n", "RPUSH", "z", "4", "5");
	th_assert_reply(c, "*2\r\n$1\r\nz\r\n*1\r\n$1\r\n5\r\n",
			"LMPOP", "2", "z", "s", "right");
	/* The first non-empty key wins; a later wrong type is not looked at. */
	th_assert_reply(c, "*2\r\n$1\r\nz\r\n*2\r\n$1\r\n4\r\n$1\r\n3\r\n",
			"LMPOP", "2", "z", "s", "right", "count", "9");
	th_assert_reply(c, ":0\r\n", "EXISTS", "z");
}

static void
cmd_resp3_nulls(void **state)
{
	struct st_client *c = tc;

	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, "_\r\n", "LPOP", "nokey");
	th_assert_reply(c, "_\r\n", "LPOP", "nokey", "1");
	th_assert_reply(c, "_\r\n", "LINDEX", "nokey", "0");
	th_assert_reply(c, "_\r\n", "LPOS", "nokey", "a");
	th_assert_reply(c, "_\r\n", "LMPOP", "1", "nokey", "left");
	th_assert_reply(c, "_\r\n", "LMOVE", "nokey", "x", "left", "left");
	th_assert_reply(c, ":3\r\n", "RPUSH", "z", "1", "2", "3");
	th_assert_reply(c, "*2\r\n$1\r\nz\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
			"LMPOP", "1", "z", "left", "count", "2");
	th_assert_reply(c, "*1\r\n:0\r\n", "LPOS", "z", "3", "count", "1");
	th_assert_reply(c, "_\r\n", "LPOS", "z", "x");
	th_cmd(c, "HELLO", "2", NULL);
}

static void
cmd_propagation(void **state)
{
	struct st_client *c = tc;
	struct th_wlog log = {0};

	st_wlog_set_sink(th_wlog_sink, &log);
	th_cmd(c, "RPUSH", "l", "a", "b", "c", "d", NULL);
	th_cmd(c, "LPUSHX", "nokey", "a", NULL);		/* no change */
	th_cmd(c, "LREM", "l", "0", "zz", NULL);		/* no change */
	th_cmd(c, "LINSERT", "l", "after", "zz", "y", NULL);	/* no change */
	th_cmd(c, "LTRIM", "l", "0", "-1", NULL);		/* no change */
	th_cmd(c, "LPOP", "nokey", NULL);			/* no change */
	th_cmd(c, "LMOVE", "nokey", "l", "left", "left", NULL);	/* no change */
	th_cmd(c, "LRANGE", "l", "0", "-1", NULL);		/* read */
	th_cmd(c, "LMPOP", "2", "nokey", "l", "left", "count", "3", NULL);
	th_cmd(c, "LMPOP", "1", "l", "right", "count", "9", NULL);
	th_cmd(c, "RPUSH", "l", "x", "y", NULL);
	th_cmd(c, "LTRIM", "l", "1", "-1", NULL);
	th_cmd(c, "RPOPLPUSH", "l", "m", NULL);
	st_wlog_set_sink(NULL, NULL);
	assert_string_equal(log.text,
			    "RPUSH l a b c d;LPOP l 3;RPOP l 1;RPUSH l x y;"
			    "LTRIM l 1 -1;RPOPLPUSH l m;");
}

/* Long lists through the commands: chunk boundaries in replies. */
static void
cmd_long_list(void **state)
{
	struct st_client *c = tc;
	struct st_buf exp;
	char num[32], hdr[64];
	const char *argv[2 + 1000];
	size_t lens[2 + 1000];
	static char vals[1000][16];
	int i, j;

	argv[0] = "RPUSH";
	argv[1] = "big";
	for (i = 0; i < 10; i++) {
		for (j = 0; j < 1000; j++) {
			lens[2 + j] = (size_t)snprintf(vals[j], sizeof(vals[j]),
						       "%d", i * 1000 + j);
			argv[2 + j] = vals[j];
		}
		lens[0] = 5;
		lens[1] = 3;
		th_cmdv(c, 1002, argv, lens);
	}
	th_assert_reply(c, ":10000\r\n", "LLEN", "big");
	th_assert_reply(c, "$4\r\n5000\r\n", "LINDEX", "big", "5000");
	th_assert_reply(c, "$4\r\n9872\r\n", "LINDEX", "big", "-128");
	th_assert_reply(c, ":4097\r\n", "LPOS", "big", "4097");
	th_assert_reply(c, ":9999\r\n", "LPOS", "big", "9999", "rank", "-1");

	/* LRANGE 120 400 crosses chunk boundaries. */
	st_buf_init(&exp);
	snprintf(hdr, sizeof(hdr), "*%d\r\n", 281);
	st_buf_append(&exp, hdr, strlen(hdr));
	for (i = 120; i <= 400; i++) {
		int n = snprintf(num, sizeof(num), "%d", i);

		snprintf(hdr, sizeof(hdr), "$%d\r\n%s\r\n", n, num);
		st_buf_append(&exp, hdr, strlen(hdr));
	}
	st_buf_putc(&exp, '\0');
	th_assert_reply(c, exp.p, "LRANGE", "big", "120", "400");

	/* RPOP 300 from the tail: reverse order. */
	st_buf_reset(&exp);
	st_buf_append(&exp, "*300\r\n", 6);
	for (i = 9999; i >= 9700; i--) {
		snprintf(hdr, sizeof(hdr), "$4\r\n%d\r\n", i);
		st_buf_append(&exp, hdr, strlen(hdr));
	}
	st_buf_putc(&exp, '\0');
	th_assert_reply(c, exp.p, "RPOP", "big", "300");
	st_buf_free(&exp);

	th_assert_reply(c, ":9700\r\n", "LLEN", "big");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "big", "1000", "-1001");
	th_assert_reply(c, ":7700\r\n", "LLEN", "big");
	th_assert_reply(c, "$4\r\n1000\r\n", "LINDEX", "big", "0");
	th_assert_reply(c, "$4\r\n8699\r\n", "LINDEX", "big", "-1");
	th_assert_reply(c, ":1\r\n", "LREM", "big", "0", "5000");
	th_assert_reply(c, "$4\r\n5001\r\n", "LINDEX", "big", "4000");
	th_assert_reply(c, ":7700\r\n", "LINSERT", "big", "before", "5001", "5000");
	th_assert_reply(c, "$4\r\n5000\r\n", "LINDEX", "big", "4000");
	th_assert_reply(c, "+OK\r\n", "LSET", "big", "-7700", "first");
	th_assert_reply(c, "$5\r\nfirst\r\n", "LPOP", "big");
	th_assert_reply(c, "+OK\r\n", "LTRIM", "big", "0", "-7700");
	th_assert_reply(c, ":0\r\n", "EXISTS", "big");
}

int
main(void)
{
	const struct CMUnitTest structure[] = {
		cmocka_unit_test(t_list_empty),
		cmocka_unit_test(t_list_push_pop_10k_both_ends),
		cmocka_unit_test(t_list_queue_pattern),
		cmocka_unit_test(t_list_element_sizes),
		cmocka_unit_test(t_list_insert_splits),
		cmocka_unit_test(t_list_remove),
		cmocka_unit_test(t_list_trim),
		cmocka_unit_test(t_list_move_and_dup),
		cmocka_unit_test(t_list_random_ops),
	};
	const struct CMUnitTest commands[] = {
		cmocka_unit_test_setup_teardown(cmd_push, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_push_binary_and_big, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_pop, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_llen, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lrange, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lindex_lset, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lrem, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_ltrim, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_linsert, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lpos, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lmove, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_rpoplpush, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_lmpop, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_resp3_nulls, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_propagation, cmd_setup, cmd_teardown),
		cmocka_unit_test_setup_teardown(cmd_long_list, cmd_setup, cmd_teardown),
	};
	int fails;

	th_init();
	fails = cmocka_run_group_tests_name("t_list", structure, NULL, NULL);
	fails += cmocka_run_group_tests_name("cmd_list", commands, NULL, NULL);
	return fails;
}
