/*
 * cmd_util.c -- helpers shared by the command families (see cmd_util.h).
 *
 * One copy of what the hash, set, sorted set, list and generic key
 * commands each used to carry: error texts and checking order are Redis
 * 7.0's (object.c's get*FromObjectOrReply, db.c's scanGenericCommand and
 * parseScanCursorOrReply).
 */
#include "cmd_util.h"

#include <stdatomic.h>

#include "alloc.h"
#include "config.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"

/* ---- number arguments ----------------------------------------------------- */

bool
st_get_ll_or_reply(struct st_client *c, const struct st_arg *a, long long *out,
		   const char *msg)
{
	if (st_str2ll(a->p, a->len, out) == 0)
		return true;
	st_reply_error(c, msg ? msg : ST_ERR_NOTINT);
	return false;
}

bool
st_get_range_ll_or_reply(struct st_client *c, const struct st_arg *a,
			 long long min, long long max, long long *out,
			 const char *msg)
{
	if (!st_get_ll_or_reply(c, a, out, msg))
		return false;
	if (*out < min || *out > max) {
		if (msg)
			st_reply_error(c, msg);
		else
			st_reply_errorf(c, "value is out of range, value must between %lld and %lld",
					min, max);
		return false;
	}
	return true;
}

bool
st_clamp_range(long long len, long long *start, long long *end)
{
	if (*start < 0)
		*start += len;
	if (*end < 0)
		*end += len;
	if (*start < 0)
		*start = 0;
	if (*start > *end || *start >= len)
		return false;
	if (*end >= len)
		*end = len - 1;
	return true;
}

int
st_getkeys_numkeys(int argc, struct st_arg *argv, int *keys, int max)
{
	long long n;

	if (argc < 2 || st_str2ll(argv[1].p, argv[1].len, &n) != 0 || n < 1 ||
	    n > argc - 2 || n > max)
		return -1;
	for (int i = 0; i < (int)n; i++)
		keys[i] = 2 + i;
	return (int)n;
}

/* ---- keys ----------------------------------------------------------------- */

struct st_value *
st_lookup_write_entry_or_reply(struct st_client *c, const struct st_arg *key,
			       int type, struct st_entry **e, bool *wrongtype)
{
	struct st_value *v;

	*wrongtype = false;
	*e = st_lookup_write(c, key->p, key->len);
	if (*e == NULL)
		return NULL;
	v = st_entry_value(*e);
	if (!st_check_type_or_reply(c, v, type)) {
		*wrongtype = true;
		return NULL;
	}
	return v;
}

void
st_delete_if_empty(struct st_client *c, struct st_entry *e, size_t remaining)
{
	if (remaining == 0)
		st_db_delete_entry(c, c->db, e);
}

void
st_elements_removed(struct st_client *c, struct st_entry *e, size_t remaining,
		    long long removed)
{
	if (removed == 0)
		return;
	st_touch(c, e);
	c->dirty += removed;
	st_delete_if_empty(c, e, remaining);
}

/* ---- replies -------------------------------------------------------------- */

bool
st_reply_must_stop(struct st_client *c)
{
	long long limit = st_cfg.client_output_buffer_limit_normal;

	if (atomic_load_explicit(&c->kill, memory_order_relaxed))
		return true;
	if (limit > 0 && c->out.len > (size_t)limit) {
		c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
		return true;
	}
	return false;
}

/* ---- the SCAN family ------------------------------------------------------- */

bool
st_parse_scan_cursor_or_reply(struct st_client *c, const struct st_arg *a,
			      unsigned long *cursor)
{
	unsigned long long v;

	if (st_str2ull(a->p, a->len, &v) != 0) {
		st_reply_error(c, "invalid cursor");
		return false;
	}
	*cursor = (unsigned long)v;
	return true;
}

bool
st_parse_scan_opts_or_reply(struct st_client *c, int first, unsigned flags,
			    struct st_scan_opts *o)
{
	bool (*is)(const struct st_arg *, const char *) =
		(flags & ST_SCAN_OPT_CSTR) ? st_arg_is_cstr : st_arg_is;

	o->count = 10;
	o->pat = NULL;
	o->type = NULL;
	for (int j = first; j < c->argc; j += 2) {
		const struct st_arg *a = &c->argv[j];
		bool has_value = j + 1 < c->argc;

		if (is(a, "count") && has_value) {
			if (!st_get_ll_or_reply(c, &c->argv[j + 1], &o->count, NULL))
				return false;
			if (o->count < 1) {
				st_reply_error(c, ST_ERR_SYNTAX);
				return false;
			}
		} else if (is(a, "match") && has_value) {
			o->pat = &c->argv[j + 1];
			if (o->pat->len == 1 && o->pat->p[0] == '*')
				o->pat = NULL;
		} else if ((flags & ST_SCAN_OPT_TYPE) && is(a, "type") &&
			   has_value) {
			o->type = &c->argv[j + 1];
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return false;
		}
	}
	return true;
}

void
st_reply_scan_cursor(struct st_client *c, unsigned long cursor)
{
	char buf[ST_NUMBUF];
	int n = st_ull2str(buf, cursor);

	st_reply_array_len(c, 2);
	st_reply_bulk(c, buf, (size_t)n);
}

void
st_scan_acc_push(struct st_scan_acc *acc, const char *p, size_t len)
{
	if (acc->n == acc->cap) {
		acc->cap = acc->cap ? acc->cap * 2 : 32;
		acc->items = st_realloc(acc->items, acc->cap * sizeof(*acc->items));
	}
	acc->items[acc->n].p = p;
	acc->items[acc->n].len = len;
	acc->n++;
}

void
st_reply_scan(struct st_client *c, unsigned long cursor,
	      struct st_scan_acc *acc, size_t stride, const struct st_arg *pat)
{
	size_t kept = 0;

	for (size_t i = 0; i + stride <= acc->n; i += stride) {
		if (pat != NULL && !st_glob_match(pat->p, pat->len, acc->items[i].p,
						  acc->items[i].len, false))
			continue;
		for (size_t k = 0; k < stride; k++)
			acc->items[kept++] = acc->items[i + k];
	}
	st_reply_scan_cursor(c, cursor);
	st_reply_array_len(c, (long long)kept);
	for (size_t i = 0; i < kept; i++)
		st_reply_bulk(c, acc->items[i].p, acc->items[i].len);
	st_free(acc->items);
	acc->items = NULL;
	acc->n = acc->cap = 0;
}
