/*
 * cmd_zset.c -- the sorted set commands (ZADD, ZRANGE, ZPOPMIN, ZSCAN, ...).
 *
 * Handlers follow Redis 7.0's t_zset.c step by step, so that argument
 * validation happens in the same order and every reply, error text and
 * RESP2/RESP3 framing is the same: options are parsed before the key is
 * looked up, ranges before the key, ZADD parses every score before changing
 * anything.  ZRANGE and friends return nested [member, score] pairs in RESP3
 * with WITHSCORES, flat arrays in RESP2; ZPOPMIN/ZPOPMAX with a count nest
 * in RESP3 too.  A sorted set emptied by a command is deleted.
 *
 * The data structure is t_zset.h's; range replies know their length before
 * they start (ranks of the range ends), so nothing is deferred.
 *
 * Concurrency: handlers run with the key's stripe lock held (dispatcher).
 */
#include <errno.h>
#include <limits.h>

#include "alloc.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "t_zset.h"
#include "util.h"

#define ERR_NAN "resulting score is not a number (NaN)"
#define ERR_NOTFLOAT_RANGE "min or max is not a float"
#define ERR_NOTLEX_RANGE "min or max not valid string range item"
#define EMPTY_SCAN "*2\r\n$1\r\n0\r\n*0\r\n"

/* ---- helpers ------------------------------------------------------------ */

/* The sorted set at key for a write: 0 with *zp NULL if the key is absent,
 * -EINVAL after replying WRONGTYPE. */
static int
lookup_write_or_reply(struct st_client *c, const struct st_arg *key,
		      struct st_entry **ep, struct st_zset **zp)
{
	bool wrongtype;

	*zp = (struct st_zset *)st_lookup_write_entry_or_reply(c, key,
								ST_TYPE_ZSET,
								ep, &wrongtype);
	return wrongtype ? -EINVAL : 0;
}

/* One element of a range reply: [member, score] nested in RESP3, flat in
 * RESP2, member only without scores. */
static void
reply_elem(struct st_client *c, const struct st_zset_node *n, bool withscores)
{
	if (withscores && c->resp >= 3)
		st_reply_array_len(c, 2);
	st_reply_bulk(c, n->ele, n->len);
	if (withscores)
		st_reply_double(c, n->score);
}

static void
reply_range_len(struct st_client *c, long long n, bool withscores)
{
	st_reply_array_len(c, withscores && c->resp < 3 ? n * 2 : n);
}

/* ---- ZADD / ZINCRBY --------------------------------------------------------- */

static void
zadd_generic(struct st_client *c, int flags)
{
	const struct st_arg *key = &c->argv[1];
	int scoreidx = 2, elements, j;
	bool ch = false, incr;
	long long added = 0, updated = 0, processed = 0;
	double score = 0, stackscores[16], *scores;
	struct st_entry *e;
	struct st_zset *z;

	for (; scoreidx < c->argc; scoreidx++) {
		const struct st_arg *a = &c->argv[scoreidx];

		if (st_arg_is_cstr(a, "nx"))
			flags |= ST_ZADD_NX;
		else if (st_arg_is_cstr(a, "xx"))
			flags |= ST_ZADD_XX;
		else if (st_arg_is_cstr(a, "ch"))
			ch = true;
		else if (st_arg_is_cstr(a, "incr"))
			flags |= ST_ZADD_INCR;
		else if (st_arg_is_cstr(a, "gt"))
			flags |= ST_ZADD_GT;
		else if (st_arg_is_cstr(a, "lt"))
			flags |= ST_ZADD_LT;
		else
			break;
	}
	incr = flags & ST_ZADD_INCR;

	elements = c->argc - scoreidx;
	if (elements % 2 != 0 || elements == 0) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	elements /= 2;
	if ((flags & ST_ZADD_NX) && (flags & ST_ZADD_XX)) {
		st_reply_error(c, "XX and NX options at the same time are not compatible");
		return;
	}
	if (((flags & ST_ZADD_GT) && (flags & ST_ZADD_NX)) ||
	    ((flags & ST_ZADD_LT) && (flags & ST_ZADD_NX)) ||
	    ((flags & ST_ZADD_GT) && (flags & ST_ZADD_LT))) {
		st_reply_error(c, "GT, LT, and/or NX options at the same time are not compatible");
		return;
	}
	if (incr && elements > 1) {
		st_reply_error(c, "INCR option supports a single increment-element pair");
		return;
	}

	/* Every score first: the command applies fully or not at all. */
	scores = elements <= 16 ? stackscores
				: st_malloc(sizeof(*scores) * elements);
	for (j = 0; j < elements; j++) {
		const struct st_arg *a = &c->argv[scoreidx + j * 2];

		if (st_str2d(a->p, a->len, &scores[j]) != 0) {
			st_reply_error(c, ST_ERR_NOTFLOAT);
			goto cleanup;
		}
	}

	if (lookup_write_or_reply(c, key, &e, &z) != 0)
		goto cleanup;
	if (z == NULL) {
		if (flags & ST_ZADD_XX)
			goto reply;	/* no key + XX: nothing to do */
		z = st_zset_new();
		e = st_db_add(c, key->p, key->len, &z->v);
	}

	for (j = 0; j < elements; j++) {
		const struct st_arg *m = &c->argv[scoreidx + 1 + j * 2];
		double newscore = 0;
		int out;

		if (st_zset_add(z, scores[j], m->p, m->len, flags, &out,
				&newscore) != 0) {
			st_reply_error(c, ERR_NAN);
			goto done;
		}
		if (out & ST_ZADD_OUT_ADDED)
			added++;
		if (out & ST_ZADD_OUT_UPDATED)
			updated++;
		if (!(out & ST_ZADD_OUT_NOP))
			processed++;
		score = newscore;
	}

reply:
	if (incr) {
		if (processed)
			st_reply_double(c, score);
		else
			st_reply_null(c);
	} else {
		st_reply_int(c, ch ? added + updated : added);
	}
done:
	if (z != NULL) {
		if (added + updated > 0) {
			st_touch(c, e);
			c->dirty += added + updated;
		}
		/* A key made just now and left empty by an error. */
		st_delete_if_empty(c, e, st_zset_len(z));
	}
cleanup:
	if (scores != stackscores)
		st_free(scores);
}

static void
zadd_command(struct st_client *c)
{
	zadd_generic(c, 0);
}

static void
zincrby_command(struct st_client *c)
{
	zadd_generic(c, ST_ZADD_INCR);
}

/* ---- single members ------------------------------------------------------- */

static void
zscore_command(struct st_client *c)
{
	struct st_value *v;
	double score;

	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_ZSET, NULL);
	if (v == NULL)
		return;
	if (st_zset_score((struct st_zset *)v, c->argv[2].p, c->argv[2].len,
			  &score))
		st_reply_double(c, score);
	else
		st_reply_null(c);
}

static void
zmscore_command(struct st_client *c)
{
	struct st_value *v;
	struct st_zset *z;
	double score;
	int j;

	v = st_lookup_value_read(c, c->argv[1].p, c->argv[1].len);
	if (v != NULL && !st_check_type_or_reply(c, v, ST_TYPE_ZSET))
		return;
	z = (struct st_zset *)v;
	st_reply_array_len(c, c->argc - 2);
	for (j = 2; j < c->argc; j++) {
		/* A missing key is an empty set. */
		if (z != NULL &&
		    st_zset_score(z, c->argv[j].p, c->argv[j].len, &score))
			st_reply_double(c, score);
		else
			st_reply_null(c);
	}
}

static void
zrank_generic(struct st_client *c, bool reverse)
{
	struct st_value *v;
	long rank;

	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_ZSET, NULL);
	if (v == NULL)
		return;
	rank = st_zset_rank((struct st_zset *)v, c->argv[2].p, c->argv[2].len,
			    reverse);
	if (rank >= 0)
		st_reply_int(c, rank);
	else
		st_reply_null(c);
}

static void
zrank_command(struct st_client *c)
{
	zrank_generic(c, false);
}

static void
zrevrank_command(struct st_client *c)
{
	zrank_generic(c, true);
}

static void
zcard_command(struct st_client *c)
{
	struct st_value *v;

	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_ZSET, ":0\r\n");
	if (v == NULL)
		return;
	st_reply_int(c, (long long)st_zset_len((struct st_zset *)v));
}

static void
zrem_command(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e;
	struct st_zset *z;
	long long deleted = 0;
	int j;

	if (lookup_write_or_reply(c, key, &e, &z) != 0)
		return;
	if (z == NULL) {
		st_reply_int(c, 0);
		return;
	}
	for (j = 2; j < c->argc; j++) {
		if (st_zset_delete(z, c->argv[j].p, c->argv[j].len))
			deleted++;
		if (st_zset_len(z) == 0)
			break;
	}
	st_reply_int(c, deleted);
	st_elements_removed(c, e, st_zset_len(z), deleted);
}

/* ---- range arguments ------------------------------------------------------ */

enum range_type { RANGE_AUTO, RANGE_RANK, RANGE_SCORE, RANGE_LEX };
enum range_dir { DIR_AUTO, DIR_FORWARD, DIR_REVERSE };

/* A parsed pair of range arguments; which member is set depends on the
 * range type. */
struct range_arg {
	long long start, end;		/* RANGE_RANK */
	struct st_zrange_score score;	/* RANGE_SCORE */
	struct st_zrange_lex lex;	/* RANGE_LEX */
};

/* Parse argv[minidx] and argv[maxidx] as a range of 'type' (RANGE_RANK
 * for RANGE_AUTO); false after replying Redis's error for that type. */
static bool
parse_range_or_reply(struct st_client *c, enum range_type type, int minidx,
		     int maxidx, struct range_arg *r)
{
	const struct st_arg *min = &c->argv[minidx], *max = &c->argv[maxidx];

	switch (type) {
	case RANGE_SCORE:
		if (st_zset_parse_score_range(min->p, min->len, max->p, max->len,
					      &r->score) == 0)
			return true;
		st_reply_error(c, ERR_NOTFLOAT_RANGE);
		return false;
	case RANGE_LEX:
		if (st_zset_parse_lex_range(min->p, min->len, max->p, max->len,
					    &r->lex) == 0)
			return true;
		st_reply_error(c, ERR_NOTLEX_RANGE);
		return false;
	default:
		return st_get_ll_or_reply(c, min, &r->start, NULL) &&
		       st_get_ll_or_reply(c, max, &r->end, NULL);
	}
}

/* ---- counts ------------------------------------------------------------------ */

static void
zcount_generic(struct st_client *c, enum range_type type)
{
	struct range_arg r;
	struct st_value *v;
	unsigned long n;

	if (!parse_range_or_reply(c, type, 2, 3, &r))
		return;
	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_ZSET, ":0\r\n");
	if (v == NULL)
		return;
	if (type == RANGE_LEX)
		n = st_zset_count_lex((struct st_zset *)v, &r.lex);
	else
		n = st_zset_count_score((struct st_zset *)v, &r.score);
	st_reply_int(c, (long long)n);
}

static void
zcount_command(struct st_client *c)
{
	zcount_generic(c, RANGE_SCORE);
}

static void
zlexcount_command(struct st_client *c)
{
	zcount_generic(c, RANGE_LEX);
}

/* ---- ZRANGE and its older forms ---------------------------------------------- */

static void
range_by_rank(struct st_client *c, struct st_zset *z, long long start,
	      long long end, bool withscores, bool reverse)
{
	long long llen = (long long)st_zset_len(z), rangelen;
	struct st_zset_node *n;

	if (!st_clamp_range(llen, &start, &end)) {
		st_reply_array_len(c, 0);
		return;
	}
	rangelen = end - start + 1;
	reply_range_len(c, rangelen, withscores);
	n = st_zset_by_rank(z, reverse ? (unsigned long)(llen - 1 - start)
				       : (unsigned long)start);
	for (; rangelen > 0 && n != NULL; rangelen--) {
		reply_elem(c, n, withscores);
		n = reverse ? st_zset_prev(n) : st_zset_next(n);
	}
}

/*
 * Emit the members of 0-based ascending ranks first..last (the range's
 * matches), skipping 'offset' from the start of the walk and emitting at most
 * 'limit' (negative: all), walking backwards when reverse.  Same results as
 * Redis's walk: a negative offset matches nothing.
 */
static void
emit_rank_window(struct st_client *c, struct st_zset *z, bool found,
		 unsigned long first, unsigned long last, long long offset,
		 long long limit, bool withscores, bool reverse)
{
	unsigned long long total = found ? last - first + 1 : 0, n;
	struct st_zset_node *x;

	if (offset < 0 || (unsigned long long)offset >= total)
		n = 0;
	else
		n = total - (unsigned long long)offset;
	if (limit >= 0 && n > (unsigned long long)limit)
		n = (unsigned long long)limit;
	reply_range_len(c, (long long)n, withscores);
	if (n == 0)
		return;
	x = st_zset_by_rank(z, reverse ? last - (unsigned long)offset
				       : first + (unsigned long)offset);
	for (; n > 0 && x != NULL; n--) {
		reply_elem(c, x, withscores);
		x = reverse ? st_zset_prev(x) : st_zset_next(x);
	}
}

static void
range_by_score(struct st_client *c, struct st_zset *z,
	       const struct st_zrange_score *r, long long offset,
	       long long limit, bool withscores, bool reverse)
{
	unsigned long first = 0, last = 0;
	struct st_zset_node *f = st_zset_first_in_score(z, r, &first);
	struct st_zset_node *l = f ? st_zset_last_in_score(z, r, &last) : NULL;

	emit_rank_window(c, z, f != NULL && l != NULL, first, last, offset,
			 limit, withscores, reverse);
}

/*
 * Lex ranges walk as Redis does: from the first (last, when reverse) member
 * in range, skip 'offset' members, then emit while the members stay in range
 * (at most 'limit').  With equal scores this is the plain range; with mixed
 * scores it gives Redis's (unspecified) answer.  One counting pass first, so
 * the reply length is known.
 */
static void
range_by_lex(struct st_client *c, struct st_zset *z,
	     const struct st_zrange_lex *r, long long offset, long long limit,
	     bool withscores, bool reverse)
{
	struct st_zset_node *x, *y;
	unsigned long rank;
	long long n = 0;

	x = reverse ? st_zset_last_in_lex(z, r, &rank)
		    : st_zset_first_in_lex(z, r, &rank);
	if (x == NULL || offset < 0 ||
	    (unsigned long long)offset >= st_zset_len(z)) {
		st_reply_array_len(c, 0);
		return;
	}
	if (offset > 0) {
		if (reverse ? (unsigned long long)offset > rank
			    : rank + (unsigned long long)offset >= st_zset_len(z)) {
			st_reply_array_len(c, 0);
			return;
		}
		x = st_zset_by_rank(z, reverse ? rank - (unsigned long)offset
					       : rank + (unsigned long)offset);
	}
	for (y = x; y != NULL && (limit < 0 || n < limit);
	     y = reverse ? st_zset_prev(y) : st_zset_next(y)) {
		if (reverse ? !st_zset_lex_gte_min(y->ele, y->len, r)
			    : !st_zset_lex_lte_max(y->ele, y->len, r))
			break;
		n++;
	}
	reply_range_len(c, n, withscores);
	for (; n > 0; n--) {
		reply_elem(c, x, withscores);
		x = reverse ? st_zset_prev(x) : st_zset_next(x);
	}
}

/* Redis's zrangeGenericCommand (without the STORE variant). */
static void
zrange_generic(struct st_client *c, enum range_type type, enum range_dir dir)
{
	const struct st_arg *key = &c->argv[1];
	int minidx = 2, maxidx = 3, j;
	long long offset = 0, limit = -1;
	bool withscores = false;
	struct range_arg r;
	struct st_value *v;

	for (j = 4; j < c->argc; j++) {
		int leftargs = c->argc - j - 1;
		const struct st_arg *a = &c->argv[j];

		if (st_arg_is_cstr(a, "withscores")) {
			withscores = true;
		} else if (st_arg_is_cstr(a, "limit") && leftargs >= 2) {
			if (!st_get_ll_or_reply(c, &c->argv[j + 1], &offset, NULL) ||
			    !st_get_ll_or_reply(c, &c->argv[j + 2], &limit, NULL))
				return;
			j += 2;
		} else if (dir == DIR_AUTO && st_arg_is_cstr(a, "rev")) {
			dir = DIR_REVERSE;
		} else if (type == RANGE_AUTO && st_arg_is_cstr(a, "bylex")) {
			type = RANGE_LEX;
		} else if (type == RANGE_AUTO && st_arg_is_cstr(a, "byscore")) {
			type = RANGE_SCORE;
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	if (dir == DIR_AUTO)
		dir = DIR_FORWARD;
	if (type == RANGE_AUTO)
		type = RANGE_RANK;

	if (limit != -1 && type == RANGE_RANK) {
		st_reply_error(c, "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
		return;
	}
	if (withscores && type == RANGE_LEX) {
		st_reply_error(c, "syntax error, WITHSCORES not supported in combination with BYLEX");
		return;
	}
	if (dir == DIR_REVERSE && type != RANGE_RANK) {
		/* the range is given as max, min */
		minidx = 3;
		maxidx = 2;
	}

	if (!parse_range_or_reply(c, type, minidx, maxidx, &r))
		return;

	v = st_lookup_read_or_reply(c, key->p, key->len, ST_TYPE_ZSET,
				    "*0\r\n");
	if (v == NULL)
		return;
	switch (type) {
	case RANGE_SCORE:
		range_by_score(c, (struct st_zset *)v, &r.score, offset, limit,
			       withscores, dir == DIR_REVERSE);
		break;
	case RANGE_LEX:
		range_by_lex(c, (struct st_zset *)v, &r.lex, offset, limit,
			     withscores, dir == DIR_REVERSE);
		break;
	default:
		range_by_rank(c, (struct st_zset *)v, r.start, r.end, withscores,
			      dir == DIR_REVERSE);
		break;
	}
}

static void
zrange_command(struct st_client *c)
{
	zrange_generic(c, RANGE_AUTO, DIR_AUTO);
}

static void
zrevrange_command(struct st_client *c)
{
	zrange_generic(c, RANGE_RANK, DIR_REVERSE);
}

static void
zrangebyscore_command(struct st_client *c)
{
	zrange_generic(c, RANGE_SCORE, DIR_FORWARD);
}

static void
zrevrangebyscore_command(struct st_client *c)
{
	zrange_generic(c, RANGE_SCORE, DIR_REVERSE);
}

static void
zrangebylex_command(struct st_client *c)
{
	zrange_generic(c, RANGE_LEX, DIR_FORWARD);
}

static void
zrevrangebylex_command(struct st_client *c)
{
	zrange_generic(c, RANGE_LEX, DIR_REVERSE);
}

/* ---- removal by range --------------------------------------------------------- */

static void
zremrange_generic(struct st_client *c, enum range_type type)
{
	const struct st_arg *key = &c->argv[1];
	unsigned long deleted = 0;
	struct range_arg r;
	struct st_entry *e;
	struct st_zset *z;

	if (!parse_range_or_reply(c, type, 2, 3, &r))
		return;
	if (lookup_write_or_reply(c, key, &e, &z) != 0)
		return;
	if (z == NULL) {
		st_reply_int(c, 0);
		return;
	}
	if (type == RANGE_RANK) {
		if (!st_clamp_range((long long)st_zset_len(z), &r.start, &r.end)) {
			st_reply_int(c, 0);
			return;
		}
		deleted = st_zset_delete_range_rank(z, (unsigned long)r.start,
						    (unsigned long)r.end);
	} else if (type == RANGE_SCORE) {
		deleted = st_zset_delete_range_score(z, &r.score);
	} else {
		deleted = st_zset_delete_range_lex(z, &r.lex);
	}
	st_reply_int(c, (long long)deleted);
	st_elements_removed(c, e, st_zset_len(z), (long long)deleted);
}

static void
zremrangebyrank_command(struct st_client *c)
{
	zremrange_generic(c, RANGE_RANK);
}

static void
zremrangebyscore_command(struct st_client *c)
{
	zremrange_generic(c, RANGE_SCORE);
}

static void
zremrangebylex_command(struct st_client *c)
{
	zremrange_generic(c, RANGE_LEX);
}

/* ---- ZPOPMIN / ZPOPMAX ----------------------------------------------------------- */

static void
zpop_generic(struct st_client *c, bool max)
{
	const struct st_arg *key = &c->argv[1];
	long long count = -1, rangelen;
	bool nested;
	struct st_entry *e;
	struct st_zset *z;

	if (c->argc > 3) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	/* getPositiveLongFromObjectOrReply: one message for both errors. */
	if (c->argc == 3 &&
	    !st_get_range_ll_or_reply(c, &c->argv[2], 0, LLONG_MAX, &count,
				      ST_ERR_NOTPOSITIVE))
		return;
	/* Flat in RESP2 or without a count; nested pairs in RESP3 with one. */
	nested = c->resp >= 3 && count != -1;

	if (lookup_write_or_reply(c, key, &e, &z) != 0)
		return;
	if (z == NULL || count == 0) {
		st_reply_array_len(c, 0);
		return;
	}
	if (count == -1)
		count = 1;
	rangelen = count > (long long)st_zset_len(z) ? (long long)st_zset_len(z)
						     : count;
	st_reply_array_len(c, nested ? rangelen : rangelen * 2);
	for (long long i = 0; i < rangelen; i++) {
		struct st_zset_node *n = max ? st_zset_last(z) : st_zset_first(z);

		if (nested)
			st_reply_array_len(c, 2);
		st_reply_bulk(c, n->ele, n->len);
		st_reply_double(c, n->score);
		st_zset_delete(z, n->ele, n->len);
	}
	st_elements_removed(c, e, st_zset_len(z), rangelen);
}

static void
zpopmin_command(struct st_client *c)
{
	zpop_generic(c, false);
}

static void
zpopmax_command(struct st_client *c)
{
	zpop_generic(c, true);
}

/* ---- ZSCAN ---------------------------------------------------------------------- */

struct scan_item {
	const char *ele;
	size_t len;
	double score;
};

struct scan_acc {
	struct scan_item *items;
	size_t n, cap;
};

static void
scan_add(const char *ele, size_t len, double score, void *arg)
{
	struct scan_acc *acc = arg;

	if (acc->n == acc->cap) {
		acc->cap = acc->cap ? acc->cap * 2 : 16;
		acc->items = st_realloc(acc->items,
					acc->cap * sizeof(*acc->items));
	}
	acc->items[acc->n].ele = ele;
	acc->items[acc->n].len = len;
	acc->items[acc->n].score = score;
	acc->n++;
}

static void
zscan_command(struct st_client *c)
{
	unsigned long cursor;
	struct st_scan_opts o;
	struct scan_acc acc = { NULL, 0, 0 };
	const struct st_arg *pat;
	struct st_value *v;
	struct st_zset *z;
	size_t i, kept;

	if (!st_parse_scan_cursor_or_reply(c, &c->argv[2], &cursor))
		return;
	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_ZSET, EMPTY_SCAN);
	if (v == NULL)
		return;
	z = (struct st_zset *)v;
	if (!st_parse_scan_opts_or_reply(c, 3, ST_SCAN_OPT_CSTR, &o))
		return;
	pat = o.pat;

	if (z->v.enc == ST_ENC_LISTPACK) {
		/* Redis returns a listpack whole, in order, cursor 0. */
		struct st_zset_node *n;

		for (n = st_zset_first(z); n != NULL; n = st_zset_next(n))
			scan_add(n->ele, n->len, n->score, &acc);
		cursor = 0;
	} else {
		long long maxiter = o.count * 10;

		/* Redis compares count with members + scores collected. */
		do {
			cursor = st_zset_scan(z, cursor, scan_add, &acc);
		} while (cursor != 0 && maxiter-- > 0 &&
			 (long long)(acc.n * 2) < o.count);
	}

	kept = 0;
	for (i = 0; i < acc.n; i++) {
		if (pat != NULL &&
		    !st_glob_match(pat->p, pat->len, acc.items[i].ele,
				   acc.items[i].len, false))
			continue;
		acc.items[kept++] = acc.items[i];
	}

	st_reply_scan_cursor(c, cursor);
	st_reply_array_len(c, (long long)kept * 2);
	for (i = 0; i < kept; i++) {
		char buf[ST_NUMBUF];
		int n = st_d2str(buf, sizeof(buf), acc.items[i].score);

		st_reply_bulk(c, acc.items[i].ele, acc.items[i].len);
		st_reply_bulk(c, buf, (size_t)n);
	}
	st_free(acc.items);
}

/* ---- the table --------------------------------------------------------------------- */

#define W_FAST (ST_CMD_WRITE | ST_CMD_FAST)
#define W_OOM_FAST (ST_CMD_WRITE | ST_CMD_DENYOOM | ST_CMD_FAST)
#define R_FAST (ST_CMD_READONLY | ST_CMD_FAST)

const struct st_cmd st_cmds_zset[] = {
	{ "zadd", -4, W_OOM_FAST, 1, 1, 1, NULL, zadd_command, "sorted-set",
	  "Add one or more members to a sorted set, or update its score if it already exists",
	  "1.2.0", "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
	  "@write @sortedset @fast" },
	{ "zincrby", 4, W_OOM_FAST, 1, 1, 1, NULL, zincrby_command, "sorted-set",
	  "Increment the score of a member in a sorted set", "1.2.0",
	  "key increment member", "@write @sortedset @fast" },
	{ "zscore", 3, R_FAST, 1, 1, 1, NULL, zscore_command, "sorted-set",
	  "Get the score associated with the given member in a sorted set",
	  "1.2.0", "key member", "@read @sortedset @fast" },
	{ "zmscore", -3, R_FAST, 1, 1, 1, NULL, zmscore_command, "sorted-set",
	  "Get the score associated with the given members in a sorted set",
	  "6.2.0", "key member [member ...]", "@read @sortedset @fast" },
	{ "zrank", 3, R_FAST, 1, 1, 1, NULL, zrank_command, "sorted-set",
	  "Determine the index of a member in a sorted set", "2.0.0",
	  "key member", "@read @sortedset @fast" },
	{ "zrevrank", 3, R_FAST, 1, 1, 1, NULL, zrevrank_command, "sorted-set",
	  "Determine the index of a member in a sorted set, with scores ordered from high to low",
	  "2.0.0", "key member", "@read @sortedset @fast" },
	{ "zrange", -4, ST_CMD_READONLY, 1, 1, 1, NULL, zrange_command,
	  "sorted-set", "Return a range of members in a sorted set", "1.2.0",
	  "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
	  "@read @sortedset @slow" },
	{ "zrangebyscore", -4, ST_CMD_READONLY, 1, 1, 1, NULL,
	  zrangebyscore_command, "sorted-set",
	  "Return a range of members in a sorted set, by score", "1.0.5",
	  "key min max [WITHSCORES] [LIMIT offset count]",
	  "@read @sortedset @slow" },
	{ "zrevrangebyscore", -4, ST_CMD_READONLY, 1, 1, 1, NULL,
	  zrevrangebyscore_command, "sorted-set",
	  "Return a range of members in a sorted set, by score, with scores ordered from high to low",
	  "2.2.0", "key max min [WITHSCORES] [LIMIT offset count]",
	  "@read @sortedset @slow" },
	{ "zrevrange", -4, ST_CMD_READONLY, 1, 1, 1, NULL, zrevrange_command,
	  "sorted-set",
	  "Return a range of members in a sorted set, by index, with scores ordered from high to low",
	  "1.2.0", "key start stop [WITHSCORES]", "@read @sortedset @slow" },
	{ "zrangebylex", -4, ST_CMD_READONLY, 1, 1, 1, NULL,
	  zrangebylex_command, "sorted-set",
	  "Return a range of members in a sorted set, by lexicographical range",
	  "2.8.9", "key min max [LIMIT offset count]", "@read @sortedset @slow" },
	{ "zrevrangebylex", -4, ST_CMD_READONLY, 1, 1, 1, NULL,
	  zrevrangebylex_command, "sorted-set",
	  "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
	  "2.8.9", "key max min [LIMIT offset count]", "@read @sortedset @slow" },
	{ "zrem", -3, W_FAST, 1, 1, 1, NULL, zrem_command, "sorted-set",
	  "Remove one or more members from a sorted set", "1.2.0",
	  "key member [member ...]", "@write @sortedset @fast" },
	{ "zcard", 2, R_FAST, 1, 1, 1, NULL, zcard_command, "sorted-set",
	  "Get the number of members in a sorted set", "1.2.0", "key",
	  "@read @sortedset @fast" },
	{ "zcount", 4, R_FAST, 1, 1, 1, NULL, zcount_command, "sorted-set",
	  "Count the members in a sorted set with scores within the given values",
	  "2.0.0", "key min max", "@read @sortedset @fast" },
	{ "zlexcount", 4, R_FAST, 1, 1, 1, NULL, zlexcount_command, "sorted-set",
	  "Count the number of members in a sorted set between a given lexicographical range",
	  "2.8.9", "key min max", "@read @sortedset @fast" },
	{ "zpopmin", -2, W_FAST, 1, 1, 1, NULL, zpopmin_command, "sorted-set",
	  "Remove and return members with the lowest scores in a sorted set",
	  "5.0.0", "key [count]", "@write @sortedset @fast" },
	{ "zpopmax", -2, W_FAST, 1, 1, 1, NULL, zpopmax_command, "sorted-set",
	  "Remove and return members with the highest scores in a sorted set",
	  "5.0.0", "key [count]", "@write @sortedset @fast" },
	{ "zremrangebyscore", 4, ST_CMD_WRITE, 1, 1, 1, NULL,
	  zremrangebyscore_command, "sorted-set",
	  "Remove all members in a sorted set within the given scores", "1.2.0",
	  "key min max", "@write @sortedset @slow" },
	{ "zremrangebyrank", 4, ST_CMD_WRITE, 1, 1, 1, NULL,
	  zremrangebyrank_command, "sorted-set",
	  "Remove all members in a sorted set within the given indexes", "2.0.0",
	  "key start stop", "@write @sortedset @slow" },
	{ "zremrangebylex", 4, ST_CMD_WRITE, 1, 1, 1, NULL,
	  zremrangebylex_command, "sorted-set",
	  "Remove all members in a sorted set between the given lexicographical range",
	  "2.8.9", "key min max", "@write @sortedset @slow" },
	{ "zscan", -3, ST_CMD_READONLY | ST_CMD_RANDOM, 1, 1, 1, NULL,
	  zscan_command, "sorted-set",
	  "Incrementally iterate sorted sets elements and associated scores",
	  "2.8.0", "key cursor [MATCH pattern] [COUNT count]",
	  "@read @sortedset @slow" },
	{ 0 }
};
