/*
 * cmd_list.c -- the list commands: LPUSH ... LMOVE, LMPOP.
 *
 * Replies, error texts and the order of checks follow Redis 7.0.15's
 * t_list.c: which argument is parsed before the key is looked up decides
 * which error a client sees, so each handler keeps Redis's order.  A list
 * that becomes empty is deleted.  The dispatcher holds the stripe locks of
 * every key (LMOVE / RPOPLPUSH: both; LMPOP: those its getkeys returns), so
 * the lists are changed in place.
 *
 * Propagation: every command here is deterministic and replicates as its
 * argv, except LMPOP, which replicates as "LPOP|RPOP key count" (as Redis's
 * rewriteClientCommandVector does).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "t_list.h"
#include "util.h"
#include "wlog.h"

#define ERR_RANK_ZERO "RANK can't be zero: use 1 to start from the first " \
	"match, 2 from the second ... or use negative to start from the end " \
	"of the list"
#define ERR_COUNT_NEG "COUNT can't be negative"
#define ERR_MAXLEN_NEG "MAXLEN can't be negative"
#define ERR_NUMKEYS "numkeys should be greater than 0"
#define ERR_COUNT_GT0 "count should be greater than 0"

/* What a lookup replies when the key is missing. */
enum miss_reply {
	MISS_NULL,		/* $-1 / _ */
	MISS_NULL_ARRAY,	/* *-1 / _ */
	MISS_ZERO,		/* :0 */
	MISS_EMPTY_ARRAY,	/* *0 */
	MISS_OK,		/* +OK */
	MISS_NOKEY,		/* -ERR no such key */
};

/* ---- helpers --------------------------------------------------------------- */

static void
reply_missing(struct st_client *c, enum miss_reply miss)
{
	switch (miss) {
	case MISS_NULL:
		st_reply_null(c);
		break;
	case MISS_NULL_ARRAY:
		st_reply_null_array(c);
		break;
	case MISS_ZERO:
		st_reply_int(c, 0);
		break;
	case MISS_EMPTY_ARRAY:
		st_reply_array_len(c, 0);
		break;
	case MISS_OK:
		st_reply_ok(c);
		break;
	case MISS_NOKEY:
		st_reply_error(c, ST_ERR_NOKEY);
		break;
	}
}

/* The list under argv[i] with its entry.  NULL after replying 'miss' when
 * the key is absent, or WRONGTYPE when it holds another type. */
static struct st_list *
lookup_list_or_reply(struct st_client *c, int i, bool write,
		     enum miss_reply miss, struct st_entry **ep)
{
	const struct st_arg *k = &c->argv[i];
	struct st_entry *e;
	struct st_value *v;

	e = write ? st_lookup_write(c, k->p, k->len) :
		    st_lookup_read(c, k->p, k->len);
	if (e == NULL) {
		reply_missing(c, miss);
		return NULL;
	}
	v = st_entry_value(e);
	if (!st_check_type_or_reply(c, v, ST_TYPE_LIST))
		return NULL;
	*ep = e;
	return (struct st_list *)v;
}

/* LEFT | RIGHT (getListPositionFromObjectOrReply). */
static bool
get_where_or_reply(struct st_client *c, const struct st_arg *a, int *where)
{
	if (st_arg_is(a, "right")) {
		*where = ST_LIST_TAIL;
	} else if (st_arg_is(a, "left")) {
		*where = ST_LIST_HEAD;
	} else {
		st_reply_error(c, ST_ERR_SYNTAX);
		return false;
	}
	return true;
}

/* After elements left the list: signal the key, delete it when empty. */
static void
elements_removed(struct st_client *c, struct st_entry *e, struct st_list *l)
{
	st_touch(c, e);
	st_delete_if_empty(c, e, st_list_len(l));
}

/* Reply with up to 'count' elements popped from 'where' (in pop order)
 * and remove them; returns how many. */
static size_t
pop_range_reply(struct st_client *c, struct st_list *l, int where,
		long long count)
{
	size_t llen = st_list_len(l);
	size_t n = (unsigned long long)count > llen ? llen : (size_t)count;
	struct st_list_iter it;
	const char *p;
	size_t len, i;

	st_reply_array_len(c, (long long)n);
	if (where == ST_LIST_HEAD)
		st_list_iter_init(l, 0, ST_LIST_TAIL, &it);
	else
		st_list_iter_init(l, llen - 1, ST_LIST_HEAD, &it);
	for (i = 0; i < n && st_list_iter_next(&it, &p, &len); i++)
		st_reply_bulk(c, p, len);
	st_list_pop_n(l, where, n);
	return n;
}

/* ---- push ------------------------------------------------------------------ */

static void
push_generic(struct st_client *c, int where, bool xx)
{
	const struct st_arg *k = &c->argv[1];
	struct st_entry *e = st_lookup_write(c, k->p, k->len);
	struct st_list *l;
	int j;

	if (e != NULL) {
		struct st_value *v = st_entry_value(e);

		if (!st_check_type_or_reply(c, v, ST_TYPE_LIST))
			return;
		l = (struct st_list *)v;
		for (j = 2; j < c->argc; j++)
			st_list_push(l, where, c->argv[j].p, c->argv[j].len);
	} else {
		if (xx) {
			st_reply_int(c, 0);
			return;
		}
		l = st_list_new();
		for (j = 2; j < c->argc; j++)
			st_list_push(l, where, c->argv[j].p, c->argv[j].len);
		e = st_db_add(c, k->p, k->len, &l->v);
	}
	c->dirty += c->argc - 2;
	st_reply_int(c, (long long)st_list_len(l));
	st_touch(c, e);
}

static void
lpush_command(struct st_client *c)
{
	push_generic(c, ST_LIST_HEAD, false);
}

static void
rpush_command(struct st_client *c)
{
	push_generic(c, ST_LIST_TAIL, false);
}

static void
lpushx_command(struct st_client *c)
{
	push_generic(c, ST_LIST_HEAD, true);
}

static void
rpushx_command(struct st_client *c)
{
	push_generic(c, ST_LIST_TAIL, true);
}

/* ---- pop ------------------------------------------------------------------- */

static void
pop_generic(struct st_client *c, int where)
{
	bool hascount = c->argc == 3;
	long long count = 0;
	struct st_entry *e;
	struct st_list *l;
	const char *p;
	size_t len, n;

	if (c->argc > 3) {
		st_reply_arity_error(c, c->cmd);
		return;
	}
	if (hascount && !st_get_range_ll_or_reply(c, &c->argv[2], 0,
						  INT64_MAX, &count,
						  ST_ERR_NOTPOSITIVE))
		return;
	l = lookup_list_or_reply(c, 1, true,
				 hascount ? MISS_NULL_ARRAY : MISS_NULL, &e);
	if (l == NULL)
		return;
	if (hascount && count == 0) {
		st_reply_array_len(c, 0);
		return;
	}
	if (!hascount) {
		st_list_peek(l, where, &p, &len);
		st_reply_bulk(c, p, len);
		n = st_list_pop_n(l, where, 1);
	} else {
		n = pop_range_reply(c, l, where, count);
	}
	c->dirty += (long long)n;
	elements_removed(c, e, l);
}

static void
lpop_command(struct st_client *c)
{
	pop_generic(c, ST_LIST_HEAD);
}

static void
rpop_command(struct st_client *c)
{
	pop_generic(c, ST_LIST_TAIL);
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void
lmpop_command(struct st_client *c)
{
	long long numkeys, count = -1;
	int where, where_idx, j;
	char cnt[ST_NUMBUF];

	if (!st_get_range_ll_or_reply(c, &c->argv[1], 1, INT64_MAX, &numkeys,
				      ERR_NUMKEYS))
		return;
	if (numkeys >= c->argc - 2) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	where_idx = 2 + (int)numkeys;
	if (!get_where_or_reply(c, &c->argv[where_idx], &where))
		return;
	for (j = where_idx + 1; j < c->argc; j++) {
		int moreargs = c->argc - 1 - j;

		if (count == -1 && st_arg_is(&c->argv[j], "count") && moreargs) {
			j++;
			if (!st_get_range_ll_or_reply(c, &c->argv[j], 1,
						      INT64_MAX, &count,
						      ERR_COUNT_GT0))
				return;
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	if (count == -1)
		count = 1;

	for (j = 2; j < where_idx; j++) {
		const struct st_arg *k = &c->argv[j];
		struct st_entry *e = st_lookup_write(c, k->p, k->len);
		struct st_list *l;
		struct st_arg prop[3];
		size_t n;

		if (e == NULL)
			continue;
		if (!st_check_type_or_reply(c, st_entry_value(e), ST_TYPE_LIST))
			return;
		l = (struct st_list *)st_entry_value(e);
		if (st_list_len(l) == 0)
			continue;
		st_reply_array_len(c, 2);
		st_reply_bulk(c, k->p, k->len);
		n = pop_range_reply(c, l, where, count);
		/* Replicate as [LR]POP key count, before the key may go. */
		prop[0].p = where == ST_LIST_HEAD ? "LPOP" : "RPOP";
		prop[0].len = 4;
		prop[1] = *k;
		prop[2].p = cnt;
		prop[2].len = (size_t)st_ll2str(cnt, (long long)n);
		st_propagate(c, 3, prop);
		c->dirty += (long long)n;
		elements_removed(c, e, l);
		return;
	}
	st_reply_null_array(c);
}

/* ---- read ------------------------------------------------------------------ */

static void
llen_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_list *l = lookup_list_or_reply(c, 1, false, MISS_ZERO, &e);

	if (l != NULL)
		st_reply_int(c, (long long)st_list_len(l));
}

static void
lrange_command(struct st_client *c)
{
	long long start, end;
	struct st_entry *e;
	struct st_list *l;
	struct st_list_iter it;
	const char *p;
	size_t len;
	long long n;

	if (!st_get_ll_or_reply(c, &c->argv[2], &start, NULL) ||
	    !st_get_ll_or_reply(c, &c->argv[3], &end, NULL))
		return;
	l = lookup_list_or_reply(c, 1, false, MISS_EMPTY_ARRAY, &e);
	if (l == NULL)
		return;
	if (!st_clamp_range((long long)st_list_len(l), &start, &end)) {
		st_reply_array_len(c, 0);
		return;
	}
	n = end - start + 1;
	st_reply_array_len(c, n);
	st_list_iter_init(l, (size_t)start, ST_LIST_TAIL, &it);
	while (n-- > 0 && st_list_iter_next(&it, &p, &len))
		st_reply_bulk(c, p, len);
}

static void
lindex_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_list *l = lookup_list_or_reply(c, 1, false, MISS_NULL, &e);
	long long idx;
	const char *p;
	size_t len;

	if (l == NULL || !st_get_ll_or_reply(c, &c->argv[2], &idx, NULL))
		return;
	if (idx < 0)
		idx += (long long)st_list_len(l);
	if (idx < 0 || st_list_index(l, (size_t)idx, &p, &len) != 0)
		st_reply_null(c);
	else
		st_reply_bulk(c, p, len);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
static void
lpos_command(struct st_client *c)
{
	const struct st_arg *ele = &c->argv[2];
	long long rank = 1, count = -1, maxlen = 0;
	long long index = 0, matches = 0, matchindex = -1, arraylen = 0;
	long long llen;
	int dir = ST_LIST_TAIL;
	size_t handle = 0;
	struct st_list_iter it;
	struct st_entry *e;
	struct st_value *v;
	struct st_list *l;
	const char *p;
	size_t len;
	int j;

	for (j = 3; j < c->argc; j++) {
		const struct st_arg *opt = &c->argv[j];
		int moreargs = c->argc - 1 - j;

		if (st_arg_is(opt, "rank") && moreargs) {
			j++;
			if (!st_get_ll_or_reply(c, &c->argv[j], &rank, NULL))
				return;
			if (rank == 0) {
				st_reply_error(c, ERR_RANK_ZERO);
				return;
			}
		} else if (st_arg_is(opt, "count") && moreargs) {
			j++;
			if (!st_get_range_ll_or_reply(c, &c->argv[j], 0,
						      INT64_MAX, &count,
						      ERR_COUNT_NEG))
				return;
		} else if (st_arg_is(opt, "maxlen") && moreargs) {
			j++;
			if (!st_get_range_ll_or_reply(c, &c->argv[j], 0,
						      INT64_MAX, &maxlen,
						      ERR_MAXLEN_NEG))
				return;
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	/* A negative rank searches from the tail.  Redis 7.0 negates a long:
	 * RANK -9223372036854775808 stays negative and so matches at once;
	 * the unsigned arithmetic below reproduces that without UB. */
	if (rank < 0) {
		rank = (long long)(0ULL - (unsigned long long)rank);
		dir = ST_LIST_HEAD;
	}

	e = st_lookup_read(c, c->argv[1].p, c->argv[1].len);
	if (e == NULL) {
		if (count != -1)
			st_reply_array_len(c, 0);
		else
			st_reply_null(c);
		return;
	}
	v = st_entry_value(e);
	if (!st_check_type_or_reply(c, v, ST_TYPE_LIST))
		return;
	l = (struct st_list *)v;

	if (count != -1)
		handle = st_reply_deferred_len(c);
	llen = (long long)st_list_len(l);
	st_list_iter_init(l, dir == ST_LIST_HEAD ? (size_t)llen - 1 : 0, dir,
			  &it);
	while ((maxlen == 0 || index < maxlen) &&
	       st_list_iter_next(&it, &p, &len)) {
		if (len == ele->len && (len == 0 || memcmp(p, ele->p, len) == 0)) {
			matches++;
			matchindex = dir == ST_LIST_TAIL ? index :
				llen - index - 1;
			if (matches >= rank) {
				if (count == -1)
					break;
				arraylen++;
				st_reply_int(c, matchindex);
				if (count && (long long)((unsigned long long)matches -
				    (unsigned long long)rank + 1) >= count)
					break;
			}
		}
		index++;
		matchindex = -1;
	}
	if (count != -1)
		st_reply_set_deferred_array_len(c, handle, arraylen);
	else if (matchindex != -1)
		st_reply_int(c, matchindex);
	else
		st_reply_null(c);
}

/* ---- write by index / value ------------------------------------------------- */

static void
lset_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_list *l = lookup_list_or_reply(c, 1, true, MISS_NOKEY, &e);
	long long idx;

	if (l == NULL || !st_get_ll_or_reply(c, &c->argv[2], &idx, NULL))
		return;
	if (idx < 0)
		idx += (long long)st_list_len(l);
	if (idx < 0 || st_list_set(l, (size_t)idx, c->argv[3].p,
				   c->argv[3].len) != 0) {
		st_reply_error(c, ST_ERR_OUTOFRANGE);
		return;
	}
	st_reply_ok(c);
	st_touch(c, e);
	c->dirty++;
}

static void
ltrim_command(struct st_client *c)
{
	long long start, end, llen, ltrim, rtrim;
	struct st_entry *e;
	struct st_list *l;

	if (!st_get_ll_or_reply(c, &c->argv[2], &start, NULL) ||
	    !st_get_ll_or_reply(c, &c->argv[3], &end, NULL))
		return;
	l = lookup_list_or_reply(c, 1, true, MISS_OK, &e);
	if (l == NULL)
		return;
	llen = (long long)st_list_len(l);
	if (!st_clamp_range(llen, &start, &end)) {
		ltrim = llen;
		rtrim = 0;
	} else {
		ltrim = start;
		rtrim = llen - end - 1;
	}
	st_list_trim(l, (size_t)ltrim, (size_t)rtrim);
	elements_removed(c, e, l);
	c->dirty += ltrim + rtrim;
	st_reply_ok(c);
}

static void
lrem_command(struct st_client *c)
{
	long long toremove;
	struct st_entry *e;
	struct st_list *l;
	size_t removed;

	if (!st_get_ll_or_reply(c, &c->argv[2], &toremove, NULL))
		return;
	l = lookup_list_or_reply(c, 1, true, MISS_ZERO, &e);
	if (l == NULL)
		return;
	removed = st_list_remove(l, toremove, c->argv[3].p, c->argv[3].len);
	if (removed) {
		c->dirty += (long long)removed;
		elements_removed(c, e, l);
	}
	st_reply_int(c, (long long)removed);
}

/* LINSERT key BEFORE|AFTER pivot element */
static void
linsert_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_list *l;
	bool after;

	if (st_arg_is(&c->argv[2], "after")) {
		after = true;
	} else if (st_arg_is(&c->argv[2], "before")) {
		after = false;
	} else {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	l = lookup_list_or_reply(c, 1, true, MISS_ZERO, &e);
	if (l == NULL)
		return;
	if (st_list_insert(l, after, c->argv[3].p, c->argv[3].len,
			   c->argv[4].p, c->argv[4].len) != 0) {
		st_reply_int(c, -1);
		return;
	}
	st_touch(c, e);
	c->dirty++;
	st_reply_int(c, (long long)st_list_len(l));
}

/* ---- move ------------------------------------------------------------------ */

/* Pop from argv[1] at 'from', push to argv[2] at 'to' (the same key
 * rotates), reply with the element.  WRONGTYPE on the destination is
 * reported before anything changes; a missing source replies null. */
static void
lmove_generic(struct st_client *c, int from, int to)
{
	const struct st_arg *dk = &c->argv[2];
	struct st_entry *se, *de;
	struct st_list *src, *dst;
	const char *p;
	size_t len;

	src = lookup_list_or_reply(c, 1, true, MISS_NULL, &se);
	if (src == NULL)
		return;
	if (st_list_len(src) == 0) {
		st_reply_null(c);
		return;
	}
	de = st_lookup_write(c, dk->p, dk->len);
	if (de != NULL) {
		struct st_value *v = st_entry_value(de);

		if (!st_check_type_or_reply(c, v, ST_TYPE_LIST))
			return;
		dst = (struct st_list *)v;
		st_list_move(src, from, dst, to);
	} else {
		dst = st_list_new();
		st_list_move(src, from, dst, to);
		de = st_db_add(c, dk->p, dk->len, &dst->v);
	}
	st_touch(c, de);
	st_list_peek(dst, to, &p, &len);
	st_reply_bulk(c, p, len);
	elements_removed(c, se, src);
	c->dirty++;
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
static void
lmove_command(struct st_client *c)
{
	int from, to;

	if (!get_where_or_reply(c, &c->argv[3], &from) ||
	    !get_where_or_reply(c, &c->argv[4], &to))
		return;
	lmove_generic(c, from, to);
}

static void
rpoplpush_command(struct st_client *c)
{
	lmove_generic(c, ST_LIST_TAIL, ST_LIST_HEAD);
}

/* ---- table ----------------------------------------------------------------- */

#define W ST_CMD_WRITE
#define R ST_CMD_READONLY
#define M ST_CMD_DENYOOM
#define F ST_CMD_FAST

const struct st_cmd st_cmds_list[] = {
	{"lpush", -3, W | M | F, 1, 1, 1, NULL, lpush_command, "list",
	 "Prepend one or multiple elements to a list", "1.0.0",
	 "key element [element ...]", "@write @list @fast"},
	{"rpush", -3, W | M | F, 1, 1, 1, NULL, rpush_command, "list",
	 "Append one or multiple elements to a list", "1.0.0",
	 "key element [element ...]", "@write @list @fast"},
	{"lpushx", -3, W | M | F, 1, 1, 1, NULL, lpushx_command, "list",
	 "Prepend an element to a list, only if the list exists", "2.2.0",
	 "key element [element ...]", "@write @list @fast"},
	{"rpushx", -3, W | M | F, 1, 1, 1, NULL, rpushx_command, "list",
	 "Append an element to a list, only if the list exists", "2.2.0",
	 "key element [element ...]", "@write @list @fast"},
	{"lpop", -2, W | F, 1, 1, 1, NULL, lpop_command, "list",
	 "Remove and get the first elements in a list", "1.0.0",
	 "key [count]", "@write @list @fast"},
	{"rpop", -2, W | F, 1, 1, 1, NULL, rpop_command, "list",
	 "Remove and get the last elements in a list", "1.0.0",
	 "key [count]", "@write @list @fast"},
	{"lmpop", -4, W, 0, 0, 0, st_getkeys_numkeys, lmpop_command, "list",
	 "Pop elements from a list", "7.0.0",
	 "numkeys key [key ...] LEFT|RIGHT [COUNT count]",
	 "@write @list @slow"},
	{"llen", 2, R | F, 1, 1, 1, NULL, llen_command, "list",
	 "Get the length of a list", "1.0.0",
	 "key", "@read @list @fast"},
	{"lrange", 4, R, 1, 1, 1, NULL, lrange_command, "list",
	 "Get a range of elements from a list", "1.0.0",
	 "key start stop", "@read @list @slow"},
	{"lindex", 3, R, 1, 1, 1, NULL, lindex_command, "list",
	 "Get an element from a list by its index", "1.0.0",
	 "key index", "@read @list @slow"},
	{"lpos", -3, R, 1, 1, 1, NULL, lpos_command, "list",
	 "Return the index of matching elements on a list", "6.0.6",
	 "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
	 "@read @list @slow"},
	{"lset", 4, W | M, 1, 1, 1, NULL, lset_command, "list",
	 "Set the value of an element in a list by its index", "1.0.0",
	 "key index element", "@write @list @slow"},
	{"lrem", 4, W, 1, 1, 1, NULL, lrem_command, "list",
	 "Remove elements from a list", "1.0.0",
	 "key count element", "@write @list @slow"},
	{"ltrim", 4, W, 1, 1, 1, NULL, ltrim_command, "list",
	 "Trim a list to the specified range", "1.0.0",
	 "key start stop", "@write @list @slow"},
	{"linsert", 5, W | M, 1, 1, 1, NULL, linsert_command, "list",
	 "Insert an element before or after another element in a list",
	 "2.2.0", "key BEFORE|AFTER pivot element", "@write @list @slow"},
	{"lmove", 5, W | M, 1, 2, 1, NULL, lmove_command, "list",
	 "Pop an element from a list, push it to another list and return it",
	 "6.2.0", "source destination LEFT|RIGHT LEFT|RIGHT",
	 "@write @list @slow"},
	{"rpoplpush", 3, W | M, 1, 2, 1, NULL, rpoplpush_command, "list",
	 "Remove the last element in a list, prepend it to another list and "
	 "return it", "1.2.0", "source destination", "@write @list @slow"},
	{0},
};
