/*
 * cmd_set.c -- the set commands (SADD ... SSCAN) and their table.
 *
 * Each handler runs with the stripe locks of all its keys held (command.h),
 * so it reads and changes st_set values in place.  Replies, error texts,
 * argument checking order, WRONGTYPE rules, empty-key deletion and the
 * encodings of stored results follow Redis 7.0's t_set.c (the *STORE
 * commands build their result from an empty "intset" set, as Redis's
 * createIntsetObject, and SDIFF picks the same of its two algorithms).
 * SPOP propagates as DEL (whole set) or SREM batches, as Redis 7.0.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "t_set.h"
#include "util.h"
#include "wlog.h"

#define EMPTY_SCAN "*2\r\n$1\r\n0\r\n*0\r\n"

/* SPOP propagates its removals as SREM commands of at most this many
 * members (Redis 7.0's batch size). */
#define SPOP_PROPAGATE_BATCH 1024
/* SPOP with count: build a new set of the remaining members when the set
 * is at most this many times bigger than what remains. */
#define SPOP_MOVE_STRATEGY_MUL 5
/* SRANDMEMBER with count: shuffle everything when the set is at most this
 * many times bigger than the count. */
#define SRANDMEMBER_SUB_STRATEGY_MUL 3

/* ---- shared helpers ------------------------------------------------------ */

static struct st_set *
set_read_or_reply(struct st_client *c, const struct st_arg *key,
		  const char *missing)
{
	return (struct st_set *)st_lookup_read_or_reply(c, key->p, key->len,
							ST_TYPE_SET, missing);
}

/* The set of a key for writing; NULL if absent (*wrongtype false) or of
 * another type (*wrongtype true, WRONGTYPE replied). */
static struct st_set *
set_lookup_write_or_reply(struct st_client *c, const struct st_arg *key,
			  struct st_entry **e, bool *wrongtype)
{
	return (struct st_set *)st_lookup_write_entry_or_reply(c, key,
								ST_TYPE_SET,
								e, wrongtype);
}

static void
reply_set_members(struct st_client *c, struct st_set *s)
{
	struct st_set_iter it;
	const char *m;
	size_t len;

	st_reply_set_len(c, (long long)st_set_size(s));
	st_set_iter_init(s, &it);
	while (st_set_iter_next(&it, &m, &len))
		st_reply_bulk(c, m, len);
}

/* ---- SADD / SREM / SMOVE ------------------------------------------------- */

static void
sadd_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_set *s;
	bool wrongtype;
	long long added = 0;

	s = set_lookup_write_or_reply(c, &c->argv[1], &e, &wrongtype);
	if (wrongtype)
		return;
	if (s == NULL) {
		s = st_set_new_for(c->argv[2].p, c->argv[2].len);
		e = st_db_add(c, c->argv[1].p, c->argv[1].len, &s->v);
	}
	for (int i = 2; i < c->argc; i++)
		added += st_set_add(s, c->argv[i].p, c->argv[i].len);
	if (added > 0)
		st_touch(c, e);
	c->dirty += added;
	st_reply_int(c, added);
}

static void
srem_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_set *s;
	bool wrongtype;
	long long deleted = 0;

	s = set_lookup_write_or_reply(c, &c->argv[1], &e, &wrongtype);
	if (s == NULL) {
		if (!wrongtype)
			st_reply_int(c, 0);
		return;
	}
	for (int i = 2; i < c->argc; i++) {
		if (st_set_remove(s, c->argv[i].p, c->argv[i].len)) {
			deleted++;
			if (st_set_size(s) == 0)
				break;
		}
	}
	st_elements_removed(c, e, st_set_size(s), deleted);
	st_reply_int(c, deleted);
}

static void
smove_command(struct st_client *c)
{
	const struct st_arg *src = &c->argv[1], *dst = &c->argv[2];
	const struct st_arg *m = &c->argv[3];
	struct st_entry *se, *de;
	struct st_set *ss, *ds;

	se = st_lookup_write(c, src->p, src->len);
	de = st_lookup_write(c, dst->p, dst->len);
	if (se == NULL) {
		st_reply_int(c, 0);
		return;
	}
	if (!st_check_type_or_reply(c, st_entry_value(se), ST_TYPE_SET))
		return;
	if (de != NULL && !st_check_type_or_reply(c, st_entry_value(de), ST_TYPE_SET))
		return;
	ss = (struct st_set *)st_entry_value(se);
	ds = de ? (struct st_set *)st_entry_value(de) : NULL;

	if (st_arg_eq(src, dst)) {
		st_reply_int(c, st_set_is_member(ss, m->p, m->len) ? 1 : 0);
		return;
	}
	if (!st_set_remove(ss, m->p, m->len)) {
		st_reply_int(c, 0);
		return;
	}
	st_touch(c, se);
	st_delete_if_empty(c, se, st_set_size(ss));
	if (ds == NULL) {
		ds = st_set_new_for(m->p, m->len);
		de = st_db_add(c, dst->p, dst->len, &ds->v);
	}
	c->dirty++;
	if (st_set_add(ds, m->p, m->len)) {
		c->dirty++;
		st_touch(c, de);
	}
	st_reply_int(c, 1);
}

/* ---- membership and size ------------------------------------------------- */

static void
sismember_command(struct st_client *c)
{
	struct st_set *s = set_read_or_reply(c, &c->argv[1], ":0\r\n");

	if (s == NULL)
		return;
	st_reply_int(c, st_set_is_member(s, c->argv[2].p, c->argv[2].len) ? 1 : 0);
}

static void
smismember_command(struct st_client *c)
{
	struct st_value *v = st_lookup_value_read(c, c->argv[1].p, c->argv[1].len);
	struct st_set *s = (struct st_set *)v;

	if (v != NULL && !st_check_type_or_reply(c, v, ST_TYPE_SET))
		return;
	st_reply_array_len(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++)
		st_reply_int(c, s != NULL && st_set_is_member(s, c->argv[i].p,
							      c->argv[i].len) ? 1 : 0);
}

static void
scard_command(struct st_client *c)
{
	struct st_set *s = set_read_or_reply(c, &c->argv[1], ":0\r\n");

	if (s == NULL)
		return;
	st_reply_int(c, (long long)st_set_size(s));
}

/* ---- SPOP ---------------------------------------------------------------- */

/* Owned copies of popped members, propagated as SREM key m... batches. */
struct pop_batch {
	const struct st_arg *key;
	int n;
	char *m[SPOP_PROPAGATE_BATCH];
	size_t len[SPOP_PROPAGATE_BATCH];
};

static void
pop_batch_flush(struct st_client *c, struct pop_batch *b)
{
	struct st_arg argv[2 + SPOP_PROPAGATE_BATCH];

	if (b->n == 0)
		return;
	argv[0] = (struct st_arg){ "SREM", 4 };
	argv[1] = *b->key;
	for (int i = 0; i < b->n; i++)
		argv[2 + i] = (struct st_arg){ b->m[i], b->len[i] };
	st_propagate(c, 2 + b->n, argv);
	for (int i = 0; i < b->n; i++)
		st_free(b->m[i]);
	b->n = 0;
}

/* Queue a member for propagation; takes ownership of m (st_malloc'd). */
static void
pop_batch_add(struct st_client *c, struct pop_batch *b, char *m, size_t len)
{
	b->m[b->n] = m;
	b->len[b->n] = len;
	if (++b->n == SPOP_PROPAGATE_BATCH)
		pop_batch_flush(c, b);
}

static void
spop_with_count(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e;
	struct st_set *s;
	long long l;
	unsigned long count, size, remaining;
	bool wrongtype;
	char buf[ST_NUMBUF];
	const char *m;
	size_t len;
	struct pop_batch *b;

	if (!st_get_range_ll_or_reply(c, &c->argv[2], 0, LLONG_MAX, &l,
				      ST_ERR_NOTPOSITIVE))
		return;
	count = (unsigned long)l;
	s = set_lookup_write_or_reply(c, key, &e, &wrongtype);
	if (s == NULL) {
		if (!wrongtype)
			st_reply_set_len(c, 0);
		return;
	}
	if (count == 0) {
		st_reply_set_len(c, 0);
		return;
	}
	size = st_set_size(s);
	c->dirty += (long long)(count >= size ? size : count);

	/* CASE 1: the whole set; propagated as DEL. */
	if (count >= size) {
		struct st_arg del[2] = { { "DEL", 3 }, *key };

		reply_set_members(c, s);
		st_touch(c, e);
		st_db_delete(c, key->p, key->len);
		st_propagate(c, 2, del);
		return;
	}

	st_reply_set_len(c, (long long)count);
	b = st_malloc(sizeof(*b));
	b->key = key;
	b->n = 0;
	remaining = size - count;

	if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
		/* CASE 2: few members popped: remove random ones. */
		while (count--) {
			char *copy;

			st_set_random(s, buf, &m, &len);
			copy = st_strndup(m, len);
			st_set_remove(s, copy, len);
			st_reply_bulk(c, copy, len);
			pop_batch_add(c, b, copy, len);
		}
	} else {
		/* CASE 3: most members popped: move the remaining ones to a
		 * new set (encoded for its first member, as Redis's
		 * setTypeCreate) and pop everything left in the old one. */
		struct st_set *ns = NULL;
		struct st_set_iter it;

		while (remaining--) {
			char *copy;

			st_set_random(s, buf, &m, &len);
			copy = st_strndup(m, len);
			if (ns == NULL)
				ns = st_set_new_for(copy, len);
			st_set_add(ns, copy, len);
			st_set_remove(s, copy, len);
			st_free(copy);
		}
		st_set_iter_init(s, &it);
		while (st_set_iter_next(&it, &m, &len)) {
			st_reply_bulk(c, m, len);
			pop_batch_add(c, b, st_strndup(m, len), len);
		}
		st_db_replace(c, e, &ns->v);
	}
	pop_batch_flush(c, b);
	st_free(b);
	st_touch(c, e);
}

static void
spop_command(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e;
	struct st_set *s;
	bool wrongtype;
	char buf[ST_NUMBUF];
	const char *m;
	size_t len;
	char *copy;

	if (c->argc == 3) {
		spop_with_count(c);
		return;
	} else if (c->argc > 3) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	s = set_lookup_write_or_reply(c, key, &e, &wrongtype);
	if (s == NULL) {
		if (!wrongtype)
			st_reply_null(c);
		return;
	}
	st_set_random(s, buf, &m, &len);
	copy = st_strndup(m, len);
	st_set_remove(s, copy, len);
	st_reply_bulk(c, copy, len);
	{
		struct st_arg srem[3] = { { "SREM", 4 }, *key, { copy, len } };

		st_propagate(c, 3, srem);
	}
	st_free(copy);
	st_elements_removed(c, e, st_set_size(s), 1);
}

/* ---- SRANDMEMBER ---------------------------------------------------------- */

static void
srandmember_with_count(struct st_client *c)
{
	struct st_set *s;
	long long l;
	unsigned long count, size;
	bool uniq = true;
	char buf[ST_NUMBUF];
	const char *m;
	size_t len;

	if (!st_get_range_ll_or_reply(c, &c->argv[2], -LONG_MAX, LONG_MAX, &l,
				      NULL))
		return;
	if (l >= 0) {
		count = (unsigned long)l;
	} else {
		count = (unsigned long)-l;
		uniq = false;
	}
	s = set_read_or_reply(c, &c->argv[1], "*0\r\n");
	if (s == NULL)
		return;
	size = st_set_size(s);
	if (count == 0) {
		st_reply_array_len(c, 0);
		return;
	}

	/* CASE 1: repeats allowed (or one member): sample each time. */
	if (!uniq || count == 1) {
		st_reply_array_len(c, (long long)count);
		while (count--) {
			st_set_random(s, buf, &m, &len);
			st_reply_bulk(c, m, len);
			if (st_reply_must_stop(c))
				break;
		}
		return;
	}

	/* CASE 2: the whole set. */
	if (count >= size) {
		struct st_set_iter it;

		st_reply_array_len(c, (long long)size);
		st_set_iter_init(s, &it);
		while (st_set_iter_next(&it, &m, &len))
			st_reply_bulk(c, m, len);
		return;
	}

	st_reply_array_len(c, (long long)count);
	if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
		/* CASE 3: partial Fisher-Yates shuffle of every member (intset
		 * members formatted into one arena). */
		struct st_arg *all = st_malloc(size * sizeof(*all));
		char *arena = NULL, *ap;
		struct st_set_iter it;
		size_t i = 0;

		if (s->v.enc == ST_ENC_INTSET)
			arena = st_malloc(size * 21);
		ap = arena;
		st_set_iter_init(s, &it);
		while (st_set_iter_next(&it, &m, &len)) {
			if (arena != NULL) {
				memcpy(ap, m, len);
				m = ap;
				ap += len;
			}
			all[i++] = (struct st_arg){ m, len };
		}
		for (i = 0; i < count; i++) {
			size_t j = i + (size_t)(st_rand64() % (size - i));
			struct st_arg t = all[i];

			all[i] = all[j];
			all[j] = t;
			st_reply_bulk(c, all[i].p, all[i].len);
		}
		st_free(arena);
		st_free(all);
	} else {
		/* CASE 4: big set, few members: random picks, deduplicated. */
		struct st_dict *seen = st_dict_new();
		unsigned long added = 0;

		while (added < count) {
			bool created;

			st_set_random(s, buf, &m, &len);
			st_dict_add_or_find(seen, m, len, &created);
			if (!created)
				continue;
			st_reply_bulk(c, m, len);
			added++;
		}
		st_dict_free(seen, NULL);
	}
}

static void
srandmember_command(struct st_client *c)
{
	struct st_set *s;
	char buf[ST_NUMBUF];
	const char *m;
	size_t len;

	if (c->argc == 3) {
		srandmember_with_count(c);
		return;
	} else if (c->argc > 3) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	s = set_read_or_reply(c, &c->argv[1], NULL);
	if (s == NULL)
		return;
	st_set_random(s, buf, &m, &len);
	st_reply_bulk(c, m, len);
}

/* ---- SINTER / SINTERSTORE / SINTERCARD / SMEMBERS ---------------------------- */

/* Look up every key of a multi-set command: sets[i] NULL for a missing key;
 * false (WRONGTYPE replied) if any key holds another type. */
static bool
lookup_sets_or_reply(struct st_client *c, const struct st_arg *keys, int n,
		     struct st_set **sets, int *missing)
{
	*missing = 0;
	for (int i = 0; i < n; i++) {
		struct st_value *v = st_lookup_value_read(c, keys[i].p, keys[i].len);

		sets[i] = NULL;
		if (v == NULL) {
			(*missing)++;
			continue;
		}
		if (!st_check_type_or_reply(c, v, ST_TYPE_SET))
			return false;
		sets[i] = (struct st_set *)v;
	}
	return true;
}

/* Store a computed set under dst (SET semantics, TTL cleared), or delete dst
 * when the result is empty; replies with the cardinality.  Takes ownership
 * of res. */
static void
store_result(struct st_client *c, const struct st_arg *dst, struct st_set *res)
{
	size_t n = st_set_size(res);

	if (n > 0) {
		struct st_entry *e = st_db_set(c, dst->p, dst->len, &res->v, false);

		st_touch(c, e);
		c->dirty++;
		st_reply_int(c, (long long)n);
	} else {
		st_set_free(res);
		st_reply_int(c, 0);
		if (st_db_delete(c, dst->p, dst->len))
			c->dirty++;
	}
}

struct sized_set {
	struct st_set *s;
	size_t size;
	int idx;
};

static int
cmp_by_size(const void *a, const void *b)
{
	const struct sized_set *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->idx - y->idx;		/* stable, like glibc's merge sort */
}

/* Redis's sinterGenericCommand.  dst != NULL: SINTERSTORE; cardinality_only:
 * SINTERCARD, stopping at limit (0 = none). */
static void
sinter_generic(struct st_client *c, const struct st_arg *keys, int n,
	       const struct st_arg *dst, bool cardinality_only,
	       unsigned long limit)
{
	struct st_set **sets = st_malloc((size_t)n * sizeof(*sets));
	struct sized_set *order;
	struct st_set *res = NULL;
	struct st_set_iter it;
	unsigned long card = 0;
	size_t deferred = 0;
	const char *m;
	size_t len;
	int missing;

	if (!lookup_sets_or_reply(c, keys, n, sets, &missing)) {
		st_free(sets);
		return;
	}
	if (missing > 0) {
		st_free(sets);
		if (dst != NULL) {
			if (st_db_delete(c, dst->p, dst->len))
				c->dirty++;
			st_reply_int(c, 0);
		} else if (cardinality_only) {
			st_reply_int(c, 0);
		} else {
			st_reply_set_len(c, 0);
		}
		return;
	}

	order = st_malloc((size_t)n * sizeof(*order));
	for (int i = 0; i < n; i++)
		order[i] = (struct sized_set){ sets[i], st_set_size(sets[i]), i };
	qsort(order, (size_t)n, sizeof(*order), cmp_by_size);

	if (dst != NULL)
		res = st_set_new();
	else if (!cardinality_only)
		deferred = st_reply_deferred_len(c);

	st_set_iter_init(order[0].s, &it);
	while (st_set_iter_next(&it, &m, &len)) {
		int j;

		for (j = 1; j < n; j++) {
			if (order[j].s == order[0].s)
				continue;
			if (!st_set_is_member(order[j].s, m, len))
				break;
		}
		if (j < n)
			continue;
		if (cardinality_only) {
			card++;
			if (limit && card >= limit)
				break;
		} else if (dst == NULL) {
			st_reply_bulk(c, m, len);
			card++;
		} else {
			st_set_add(res, m, len);
		}
	}

	if (cardinality_only)
		st_reply_int(c, (long long)card);
	else if (dst != NULL)
		store_result(c, dst, res);
	else
		st_reply_set_deferred_set_len(c, deferred, (long long)card);
	st_free(order);
	st_free(sets);
}

static void
sinter_command(struct st_client *c)
{
	sinter_generic(c, &c->argv[1], c->argc - 1, NULL, false, 0);
}

static void
smembers_command(struct st_client *c)
{
	sinter_generic(c, &c->argv[1], 1, NULL, false, 0);
}

static void
sinterstore_command(struct st_client *c)
{
	sinter_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], false, 0);
}

static void
sintercard_command(struct st_client *c)
{
	long long numkeys, limit = 0;

	if (!st_get_range_ll_or_reply(c, &c->argv[1], 1, LLONG_MAX, &numkeys,
				      "numkeys should be greater than 0"))
		return;
	if (numkeys > c->argc - 2) {
		st_reply_error(c, "Number of keys can't be greater than number of args");
		return;
	}
	for (int j = 2 + (int)numkeys; j < c->argc; j++) {
		int moreargs = c->argc - 1 - j;

		if (st_arg_is(&c->argv[j], "limit") && moreargs) {
			j++;
			if (!st_get_range_ll_or_reply(c, &c->argv[j], 0, LLONG_MAX,
						      &limit,
						      "LIMIT can't be negative"))
				return;
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	sinter_generic(c, &c->argv[2], (int)numkeys, NULL, true,
		       (unsigned long)limit);
}

/* ---- SUNION / SDIFF and their STORE forms -------------------------------- */

enum set_op { SET_OP_UNION, SET_OP_DIFF };

static int
cmp_by_rev_size(const void *a, const void *b)
{
	const struct sized_set *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->idx - y->idx;
}

/* Redis's sunionDiffGenericCommand, including its choice of SDIFF
 * algorithm (it decides the encoding of an SDIFFSTORE result). */
static void
sunion_diff_generic(struct st_client *c, const struct st_arg *keys, int n,
		    const struct st_arg *dst, enum set_op op)
{
	struct st_set **sets = st_malloc((size_t)n * sizeof(*sets));
	struct st_set *res;
	struct st_set_iter it;
	const char *m;
	size_t len;
	int missing, algo = 1;
	bool sameset = false;
	long long card = 0;

	if (!lookup_sets_or_reply(c, keys, n, sets, &missing)) {
		st_free(sets);
		return;
	}
	for (int j = 1; j < n; j++) {
		if (sets[0] != NULL && sets[j] == sets[0])
			sameset = true;
	}

	if (op == SET_OP_DIFF && sets[0] != NULL && !sameset) {
		long long one = 0, two = 0;

		for (int j = 0; j < n; j++) {
			if (sets[j] == NULL)
				continue;
			one += (long long)st_set_size(sets[0]);
			two += (long long)st_set_size(sets[j]);
		}
		one /= 2;
		algo = one <= two ? 1 : 2;
		if (algo == 1 && n > 1) {
			/* Subtract bigger sets first (NULL counts as empty). */
			struct sized_set *o = st_malloc((size_t)(n - 1) * sizeof(*o));

			for (int j = 1; j < n; j++)
				o[j - 1] = (struct sized_set){
					sets[j], sets[j] ? st_set_size(sets[j]) : 0, j };
			qsort(o, (size_t)(n - 1), sizeof(*o), cmp_by_rev_size);
			for (int j = 1; j < n; j++)
				sets[j] = o[j - 1].s;
			st_free(o);
		}
	}

	res = st_set_new();
	if (op == SET_OP_UNION) {
		for (int j = 0; j < n; j++) {
			if (sets[j] == NULL)
				continue;
			st_set_iter_init(sets[j], &it);
			while (st_set_iter_next(&it, &m, &len))
				card += st_set_add(res, m, len);
		}
	} else if (sameset || sets[0] == NULL) {
		/* Empty result. */
	} else if (algo == 1) {
		st_set_iter_init(sets[0], &it);
		while (st_set_iter_next(&it, &m, &len)) {
			int j;

			for (j = 1; j < n; j++) {
				if (sets[j] == NULL)
					continue;
				if (sets[j] == sets[0] || st_set_is_member(sets[j], m, len))
					break;
			}
			if (j == n) {
				st_set_add(res, m, len);
				card++;
			}
		}
	} else {
		for (int j = 0; j < n; j++) {
			if (sets[j] == NULL)
				continue;
			st_set_iter_init(sets[j], &it);
			while (st_set_iter_next(&it, &m, &len)) {
				if (j == 0)
					card += st_set_add(res, m, len);
				else
					card -= st_set_remove(res, m, len);
			}
			if (card == 0)
				break;
		}
	}
	st_free(sets);

	if (dst == NULL) {
		reply_set_members(c, res);
		st_set_free(res);
	} else {
		store_result(c, dst, res);
	}
}

static void
sunion_command(struct st_client *c)
{
	sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SET_OP_UNION);
}

static void
sunionstore_command(struct st_client *c)
{
	sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SET_OP_UNION);
}

static void
sdiff_command(struct st_client *c)
{
	sunion_diff_generic(c, &c->argv[1], c->argc - 1, NULL, SET_OP_DIFF);
}

static void
sdiffstore_command(struct st_client *c)
{
	sunion_diff_generic(c, &c->argv[2], c->argc - 2, &c->argv[1], SET_OP_DIFF);
}

/* ---- SSCAN --------------------------------------------------------------- */

static void
sscan_cb(const char *m, size_t len, void *arg)
{
	st_scan_acc_push(arg, m, len);
}

static void
sscan_command(struct st_client *c)
{
	struct st_set *s;
	unsigned long cursor;
	struct st_scan_opts o;
	struct st_scan_acc acc = { 0 };
	char *arena = NULL;

	if (!st_parse_scan_cursor_or_reply(c, &c->argv[2], &cursor))
		return;
	s = set_read_or_reply(c, &c->argv[1], EMPTY_SCAN);
	if (s == NULL)
		return;
	if (!st_parse_scan_opts_or_reply(c, 3, 0, &o))
		return;

	if (s->v.enc == ST_ENC_INTSET) {
		/* Every member at once (cursor 0), as Redis does for intsets. */
		struct st_set_iter it;
		const char *m;
		size_t len, used = 0;

		arena = st_malloc(st_set_size(s) * 21 + 1);
		st_set_iter_init(s, &it);
		while (st_set_iter_next(&it, &m, &len)) {
			memcpy(arena + used, m, len);
			sscan_cb(arena + used, len, &acc);
			used += len;
		}
		cursor = 0;
	} else {
		long maxiter = o.count > LONG_MAX / 10 ? LONG_MAX : o.count * 10;

		do {
			cursor = st_set_scan(s, cursor, sscan_cb, &acc);
		} while (cursor && maxiter-- && acc.n < (unsigned long)o.count);
	}
	st_reply_scan(c, cursor, &acc, 1, o.pat);
	st_free(arena);
}

/* ---- the table ----------------------------------------------------------- */

#define KEY1 .first_key = 1, .last_key = 1, .step = 1
#define KEYS_ALL .first_key = 1, .last_key = -1, .step = 1

const struct st_cmd st_cmds_set[] = {
	{ .name = "sadd", .arity = -3,
	  .flags = ST_CMD_WRITE | ST_CMD_DENYOOM | ST_CMD_FAST, KEY1,
	  .proc = sadd_command, .group = "set",
	  .summary = "Add one or more members to a set", .since = "1.0.0",
	  .args_hint = "key member [member ...]", .acl = "@write @set @fast" },
	{ .name = "srem", .arity = -3, .flags = ST_CMD_WRITE | ST_CMD_FAST, KEY1,
	  .proc = srem_command, .group = "set",
	  .summary = "Remove one or more members from a set", .since = "1.0.0",
	  .args_hint = "key member [member ...]", .acl = "@write @set @fast" },
	{ .name = "smembers", .arity = 2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = smembers_command, .group = "set",
	  .summary = "Get all the members in a set", .since = "1.0.0",
	  .args_hint = "key", .acl = "@read @set @slow" },
	{ .name = "sismember", .arity = 3, .flags = ST_CMD_READONLY | ST_CMD_FAST, KEY1,
	  .proc = sismember_command, .group = "set",
	  .summary = "Determine if a given value is a member of a set",
	  .since = "1.0.0", .args_hint = "key member", .acl = "@read @set @fast" },
	{ .name = "smismember", .arity = -3, .flags = ST_CMD_READONLY | ST_CMD_FAST, KEY1,
	  .proc = smismember_command, .group = "set",
	  .summary = "Returns the membership associated with the given elements for a set",
	  .since = "6.2.0", .args_hint = "key member [member ...]",
	  .acl = "@read @set @fast" },
	{ .name = "scard", .arity = 2, .flags = ST_CMD_READONLY | ST_CMD_FAST, KEY1,
	  .proc = scard_command, .group = "set",
	  .summary = "Get the number of members in a set", .since = "1.0.0",
	  .args_hint = "key", .acl = "@read @set @fast" },
	{ .name = "spop", .arity = -2, .flags = ST_CMD_WRITE | ST_CMD_FAST, KEY1,
	  .proc = spop_command, .group = "set",
	  .summary = "Remove and return one or multiple random members from a set",
	  .since = "1.0.0", .args_hint = "key [count]", .acl = "@write @set @fast" },
	{ .name = "srandmember", .arity = -2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = srandmember_command, .group = "set",
	  .summary = "Get one or multiple random members from a set", .since = "1.0.0",
	  .args_hint = "key [count]", .acl = "@read @set @slow" },
	{ .name = "sinter", .arity = -2, .flags = ST_CMD_READONLY, KEYS_ALL,
	  .proc = sinter_command, .group = "set", .summary = "Intersect multiple sets",
	  .since = "1.0.0", .args_hint = "key [key ...]", .acl = "@read @set @slow" },
	{ .name = "sunion", .arity = -2, .flags = ST_CMD_READONLY, KEYS_ALL,
	  .proc = sunion_command, .group = "set", .summary = "Add multiple sets",
	  .since = "1.0.0", .args_hint = "key [key ...]", .acl = "@read @set @slow" },
	{ .name = "sdiff", .arity = -2, .flags = ST_CMD_READONLY, KEYS_ALL,
	  .proc = sdiff_command, .group = "set", .summary = "Subtract multiple sets",
	  .since = "1.0.0", .args_hint = "key [key ...]", .acl = "@read @set @slow" },
	{ .name = "sinterstore", .arity = -3, .flags = ST_CMD_WRITE | ST_CMD_DENYOOM,
	  KEYS_ALL, .proc = sinterstore_command, .group = "set",
	  .summary = "Intersect multiple sets and store the resulting set in a key",
	  .since = "1.0.0", .args_hint = "destination key [key ...]",
	  .acl = "@write @set @slow" },
	{ .name = "sunionstore", .arity = -3, .flags = ST_CMD_WRITE | ST_CMD_DENYOOM,
	  KEYS_ALL, .proc = sunionstore_command, .group = "set",
	  .summary = "Add multiple sets and store the resulting set in a key",
	  .since = "1.0.0", .args_hint = "destination key [key ...]",
	  .acl = "@write @set @slow" },
	{ .name = "sdiffstore", .arity = -3, .flags = ST_CMD_WRITE | ST_CMD_DENYOOM,
	  KEYS_ALL, .proc = sdiffstore_command, .group = "set",
	  .summary = "Subtract multiple sets and store the resulting set in a key",
	  .since = "1.0.0", .args_hint = "destination key [key ...]",
	  .acl = "@write @set @slow" },
	{ .name = "sintercard", .arity = -3, .flags = ST_CMD_READONLY,
	  .first_key = 0, .last_key = 0, .step = 0, .getkeys = st_getkeys_numkeys,
	  .proc = sintercard_command, .group = "set",
	  .summary = "Intersect multiple sets and return the cardinality of the result",
	  .since = "7.0.0", .args_hint = "numkeys key [key ...] [LIMIT limit]",
	  .acl = "@read @set @slow" },
	{ .name = "smove", .arity = 4, .flags = ST_CMD_WRITE | ST_CMD_FAST,
	  .first_key = 1, .last_key = 2, .step = 1, .proc = smove_command,
	  .group = "set", .summary = "Move a member from one set to another",
	  .since = "1.0.0", .args_hint = "source destination member",
	  .acl = "@write @set @fast" },
	{ .name = "sscan", .arity = -3, .flags = ST_CMD_READONLY, KEY1,
	  .proc = sscan_command, .group = "set",
	  .summary = "Incrementally iterate Set elements", .since = "2.8.0",
	  .args_hint = "key cursor [MATCH pattern] [COUNT count]",
	  .acl = "@read @set @slow" },
	{ 0 }
};
