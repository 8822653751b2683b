/*
 * cmd_string.c -- string commands.
 *
 * GET, STRLEN, MGET and GETRANGE are ST_CMD_LOCKFREE: they read the
 * immutable st_string published under the key and never write.  Every
 * write builds a new st_string and swaps it in (keyspace.c frees the old
 * one after a grace period).  Relative TTLs are propagated as absolute ones
 * (SET ... PXAT, PEXPIREAT) and INCRBYFLOAT as SET ... KEEPTTL, as Redis 7.0.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "config.h"
#include "keyspace.h"
#include "object.h"
#include "resp_compose.h"
#include "util.h"
#include "wlog.h"


/* ---- helpers shared by the family ----------------------------------------- */

static void
reply_expire_error(struct st_client *c)
{
	st_reply_errorf(c, "invalid expire time in '%s' command", c->cmd->name);
}

enum unit { UNIT_SECONDS, UNIT_MS };

/*
 * Turn an EX/PX/EXAT/PXAT argument into an absolute unix time in ms, with
 * Redis 7.0's checks (getExpireMillisecondsOrReply).
 */
static bool
expire_ms_or_reply(struct st_client *c, const struct st_arg *a, enum unit unit,
		   bool relative, int64_t *out)
{
	long long ms;

	if (!st_get_ll_or_reply(c, a, &ms, NULL))
		return false;
	if (ms <= 0 || (unit == UNIT_SECONDS && ms > LLONG_MAX / 1000)) {
		reply_expire_error(c);
		return false;
	}
	if (unit == UNIT_SECONDS)
		ms *= 1000;
	if (relative) {
		if (ms > LLONG_MAX - c->cmd_time_ms) {
			reply_expire_error(c);
			return false;
		}
		ms += c->cmd_time_ms;
	}
	*out = ms;
	return true;
}

/* Redis's checkStringLength: size + append within proto-max-bulk-len,
 * without overflow. */
static bool
check_len_or_reply(struct st_client *c, long long size, long long append)
{
	long long total = (long long)((unsigned long long)size +
				      (unsigned long long)append);

	if (total > st_cfg.proto_max_bulk_len || total < size || total < append) {
		st_reply_error(c, "string exceeds maximum allowed size (proto-max-bulk-len)");
		return false;
	}
	return true;
}

static void
propagate_set_pxat(struct st_client *c, const struct st_arg *key,
		   const struct st_arg *val, int64_t when)
{
	char buf[ST_NUMBUF];
	struct st_arg argv[5] = {
		{ "SET", 3 }, *key, *val, { "PXAT", 4 }, { buf, 0 }
	};

	argv[4].len = (size_t)st_ll2str(buf, when);
	st_propagate(c, 5, argv);
}

/* ---- GET / SET family --------------------------------------------------------- */

/* Reply with the string at key; false (after replying) if not a string. */
static bool
get_generic(struct st_client *c)
{
	struct st_value *v = st_lookup_read_or_reply(c, c->argv[1].p,
						     c->argv[1].len,
						     ST_TYPE_STRING, NULL);
	struct st_string *s;

	if (v == NULL)
		return true;
	s = st_value_string(v);
	st_reply_bulk(c, s->data, s->len);
	return true;
}

static void
get_command(struct st_client *c)
{
	get_generic(c);
}

enum {
	SET_NX = 1 << 0, SET_XX = 1 << 1, SET_GET = 1 << 2, SET_KEEPTTL = 1 << 3,
	SET_EX = 1 << 4, SET_PX = 1 << 5, SET_EXAT = 1 << 6, SET_PXAT = 1 << 7,
	SET_PERSIST = 1 << 8,
};

/*
 * The shared body of SET, SETNX, SETEX, PSETEX and GETSET.  'expire' is the
 * index of the TTL argument (0 = none) interpreted per 'flags'.
 */
static void
set_generic(struct st_client *c, int flags, int expire_idx,
	    const char *ok_reply, const char *abort_reply)
{
	const struct st_arg *key = &c->argv[1], *val = &c->argv[2];
	struct st_entry *e;
	int64_t when = -1;

	if (expire_idx) {
		enum unit u = (flags & (SET_EX | SET_EXAT)) ? UNIT_SECONDS : UNIT_MS;
		bool rel = (flags & (SET_EX | SET_PX)) != 0;

		if (!expire_ms_or_reply(c, &c->argv[expire_idx], u, rel, &when))
			return;
	}
	e = st_lookup_write(c, key->p, key->len);
	if (flags & SET_GET) {
		if (e != NULL && st_entry_value(e)->type != ST_TYPE_STRING) {
			st_reply_error(c, ST_ERR_WRONGTYPE);
			return;
		}
		if (e == NULL) {
			st_reply_null(c);
		} else {
			struct st_string *old = st_value_string(st_entry_value(e));

			st_reply_bulk(c, old->data, old->len);
		}
	}
	if (((flags & SET_NX) && e != NULL) || ((flags & SET_XX) && e == NULL)) {
		if (!(flags & SET_GET)) {
			if (abort_reply)
				st_reply_proto(c, abort_reply, strlen(abort_reply));
			else
				st_reply_null(c);
		}
		return;
	}
	e = st_db_set(c, key->p, key->len,
		      &st_string_new(val->p, val->len)->v,
		      (flags & SET_KEEPTTL) != 0);
	c->dirty++;
	if (when >= 0) {
		st_set_expire(c, e, when);
		propagate_set_pxat(c, key, val, when);
	} else if (flags & SET_GET) {
		/* GETSET and SET ... GET replicate as a plain SET */
		struct st_arg argv[4] = { { "SET", 3 }, *key, *val, { "KEEPTTL", 7 } };

		st_propagate(c, (flags & SET_KEEPTTL) ? 4 : 3, argv);
	}
	if (!(flags & SET_GET))
		st_reply_proto(c, ok_reply, strlen(ok_reply));
}

/*
 * SET and GETEX options, as Redis 7.0's parseExtendedStringArgumentsOrReply:
 * an option may repeat (the last TTL wins) but not conflict.  For GETEX
 * ('is_set' false) NX, XX, GET and KEEPTTL are syntax errors and PERSIST is
 * allowed.  Returns false after replying with an error.
 */
static bool
parse_ext_args_or_reply(struct st_client *c, int start, bool is_set,
			int *flags_out, int *expire_idx)
{
	const int ttl = SET_EX | SET_PX | SET_EXAT | SET_PXAT;
	int flags = 0;

	*expire_idx = 0;
	for (int j = start; j < c->argc; j++) {
		const struct st_arg *a = &c->argv[j];
		bool has_next = j + 1 < c->argc;
		int f = st_arg_is(a, "ex") ? SET_EX : st_arg_is(a, "px") ? SET_PX :
			st_arg_is(a, "exat") ? SET_EXAT :
			st_arg_is(a, "pxat") ? SET_PXAT : 0;

		if (is_set && st_arg_is(a, "nx") && !(flags & SET_XX)) {
			flags |= SET_NX;
		} else if (is_set && st_arg_is(a, "xx") && !(flags & SET_NX)) {
			flags |= SET_XX;
		} else if (is_set && st_arg_is(a, "get")) {
			flags |= SET_GET;
		} else if (is_set && st_arg_is(a, "keepttl") &&
			   !(flags & (ttl | SET_PERSIST))) {
			flags |= SET_KEEPTTL;
		} else if (!is_set && st_arg_is(a, "persist") &&
			   !(flags & (ttl | SET_KEEPTTL))) {
			flags |= SET_PERSIST;
		} else if (f && has_next &&
			   !(flags & (SET_KEEPTTL | SET_PERSIST | (ttl & ~f)))) {
			flags |= f;
			*expire_idx = ++j;
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return false;
		}
	}
	*flags_out = flags;
	return true;
}

static void
set_command(struct st_client *c)
{
	int flags, expire_idx;

	if (parse_ext_args_or_reply(c, 3, true, &flags, &expire_idx))
		set_generic(c, flags, expire_idx, "+OK\r\n", NULL);
}

static void
setnx_command(struct st_client *c)
{
	set_generic(c, SET_NX, 0, ":1\r\n", ":0\r\n");
}

static void
setex_command(struct st_client *c)
{
	/* SETEX key seconds value: move the value into argv[2]'s place. */
	struct st_arg ttl = c->argv[2];

	c->argv[2] = c->argv[3];
	c->argv[3] = ttl;
	set_generic(c, SET_EX, 3, "+OK\r\n", NULL);
}

static void
psetex_command(struct st_client *c)
{
	struct st_arg ttl = c->argv[2];

	c->argv[2] = c->argv[3];
	c->argv[3] = ttl;
	set_generic(c, SET_PX, 3, "+OK\r\n", NULL);
}

static void
getset_command(struct st_client *c)
{
	set_generic(c, SET_GET, 0, NULL, NULL);
}

static void
getdel_command(struct st_client *c)
{
	struct st_value *v = st_lookup_write_or_reply(c, c->argv[1].p,
						      c->argv[1].len,
						      ST_TYPE_STRING, NULL);
	struct st_arg argv[2] = { { "DEL", 3 }, c->argv[1] };

	if (v == NULL)
		return;
	st_reply_bulk(c, st_value_string(v)->data, st_value_string(v)->len);
	st_db_delete(c, c->argv[1].p, c->argv[1].len);
	c->dirty++;
	st_propagate(c, 2, argv);
}

static void
getex_command(struct st_client *c)
{
	struct st_entry *e;
	int64_t when = -1;
	bool persist;
	int flags, idx;

	if (!parse_ext_args_or_reply(c, 2, false, &flags, &idx))
		return;
	persist = (flags & SET_PERSIST) != 0;
	flags &= ~SET_PERSIST;
	/* Redis 7.0's order: the key, its type, then the TTL argument. */
	e = st_lookup_write(c, c->argv[1].p, c->argv[1].len);
	if (e == NULL) {
		st_reply_null(c);
		return;
	}
	if (!st_check_type_or_reply(c, st_entry_value(e), ST_TYPE_STRING))
		return;
	if (flags) {
		if (!expire_ms_or_reply(c, &c->argv[idx],
					(flags & (SET_EX | SET_EXAT)) ? UNIT_SECONDS : UNIT_MS,
					(flags & (SET_EX | SET_PX)) != 0, &when))
			return;
	}
	{
		struct st_string *s = st_value_string(st_entry_value(e));

		st_reply_bulk(c, s->data, s->len);
	}
	if (when >= 0 && when <= c->cmd_time_ms) {
		struct st_arg argv[2] = { { "DEL", 3 }, c->argv[1] };

		st_db_delete(c, c->argv[1].p, c->argv[1].len);
		c->dirty++;
		st_propagate(c, 2, argv);
	} else if (when >= 0) {
		char buf[ST_NUMBUF];
		struct st_arg argv[3] = { { "PEXPIREAT", 9 }, c->argv[1], { buf, 0 } };

		argv[2].len = (size_t)st_ll2str(buf, when);
		st_set_expire(c, e, when);
		c->dirty++;
		st_propagate(c, 3, argv);
	} else if (persist && st_remove_expire(c, e)) {
		struct st_arg argv[2] = { { "PERSIST", 7 }, c->argv[1] };

		c->dirty++;
		st_propagate(c, 2, argv);
	}
}

static void
mget_command(struct st_client *c)
{
	st_reply_array_len(c, c->argc - 1);
	for (int j = 1; j < c->argc; j++) {
		struct st_value *v = st_lookup_value_read(c, c->argv[j].p,
							  c->argv[j].len);
		if (v == NULL || v->type != ST_TYPE_STRING) {
			st_reply_null(c);
		} else {
			struct st_string *s = st_value_string(v);

			st_reply_bulk(c, s->data, s->len);
		}
	}
}

static void
mset_generic(struct st_client *c, bool nx)
{
	if (c->argc % 2 == 0) {
		st_reply_arity_error(c, c->cmd);
		return;
	}
	if (nx) {
		for (int j = 1; j < c->argc; j += 2) {
			if (st_lookup_write(c, c->argv[j].p, c->argv[j].len)) {
				st_reply_int(c, 0);
				return;
			}
		}
	}
	for (int j = 1; j < c->argc; j += 2) {
		st_db_set(c, c->argv[j].p, c->argv[j].len,
			  &st_string_new(c->argv[j + 1].p, c->argv[j + 1].len)->v,
			  false);
		c->dirty++;
	}
	if (nx)
		st_reply_int(c, 1);
	else
		st_reply_ok(c);
}

static void
mset_command(struct st_client *c)
{
	mset_generic(c, false);
}

static void
msetnx_command(struct st_client *c)
{
	mset_generic(c, true);
}

static void
strlen_command(struct st_client *c)
{
	struct st_value *v = st_lookup_read_or_reply(c, c->argv[1].p,
						     c->argv[1].len,
						     ST_TYPE_STRING, ":0\r\n");
	if (v != NULL)
		st_reply_int(c, st_value_string(v)->len);
}

static void
append_command(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1], *add = &c->argv[2];
	struct st_entry *e = st_lookup_write(c, key->p, key->len);
	struct st_string *old, *s;

	if (e == NULL) {
		s = st_string_new(add->p, add->len);
		st_db_add(c, key->p, key->len, &s->v);
		c->dirty++;
		st_reply_int(c, (long long)add->len);
		return;
	}
	if (!st_check_type_or_reply(c, st_entry_value(e), ST_TYPE_STRING))
		return;
	old = st_value_string(st_entry_value(e));
	if (!check_len_or_reply(c, (long long)old->len, (long long)add->len))
		return;
	{
		size_t len = old->len + add->len;
		char *tmp = st_malloc(len ? len : 1);

		memcpy(tmp, old->data, old->len);
		memcpy(tmp + old->len, add->p, add->len);
		s = st_string_new_raw(tmp, len);
		st_free(tmp);
	}
	st_db_replace(c, e, &s->v);
	c->dirty++;
	st_reply_int(c, (long long)s->len);
}

static void
incr_generic(struct st_client *c, long long incr)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e = st_lookup_write(c, key->p, key->len);
	long long value = 0;

	if (e != NULL) {
		struct st_value *v = st_entry_value(e);
		struct st_string *s;

		if (!st_check_type_or_reply(c, v, ST_TYPE_STRING))
			return;
		s = st_value_string(v);
		if (!s->is_int) {
			st_reply_error(c, ST_ERR_NOTINT);
			return;
		}
		value = s->ival;
	}
	if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
	    (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
		st_reply_error(c, ST_ERR_OVERFLOW);
		return;
	}
	value += incr;
	if (e != NULL)
		st_db_replace(c, e, &st_string_from_ll(value)->v);
	else
		st_db_add(c, key->p, key->len, &st_string_from_ll(value)->v);
	c->dirty++;
	st_reply_int(c, value);
}

static void
incr_command(struct st_client *c)
{
	incr_generic(c, 1);
}

static void
decr_command(struct st_client *c)
{
	incr_generic(c, -1);
}

static void
incrby_command(struct st_client *c)
{
	long long incr;

	if (st_get_ll_or_reply(c, &c->argv[2], &incr, NULL))
		incr_generic(c, incr);
}

static void
decrby_command(struct st_client *c)
{
	long long incr;

	if (!st_get_ll_or_reply(c, &c->argv[2], &incr, NULL))
		return;
	if (incr == LLONG_MIN) {
		st_reply_error(c, "decrement would overflow");
		return;
	}
	incr_generic(c, -incr);
}

static void
incrbyfloat_command(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e = st_lookup_write(c, key->p, key->len);
	long double value = 0, incr;
	char buf[ST_LDBUF];
	struct st_string *s;
	int n;

	if (e != NULL) {
		struct st_value *v = st_entry_value(e);

		if (!st_check_type_or_reply(c, v, ST_TYPE_STRING))
			return;
		s = st_value_string(v);
		if (st_str2ld(s->data, s->len, &value) != 0) {
			st_reply_error(c, ST_ERR_NOTFLOAT);
			return;
		}
	}
	if (st_str2ld(c->argv[2].p, c->argv[2].len, &incr) != 0) {
		st_reply_error(c, ST_ERR_NOTFLOAT);
		return;
	}
	value += incr;
	if (isnan(value) || isinf(value)) {
		st_reply_error(c, ST_ERR_NAN_OR_INF);
		return;
	}
	n = st_ld2str_human(buf, sizeof(buf), value);
	s = st_string_new(buf, (size_t)n);
	/* Redis stores the result unencoded (createStringObjectFromLongDouble):
	 * "embstr" or "raw", never "int", even for "16". */
	if (s->v.enc == ST_ENC_INT)
		s->v.enc = ST_ENC_EMBSTR;
	if (e != NULL)
		st_db_replace(c, e, &s->v);
	else
		st_db_add(c, key->p, key->len, &s->v);
	c->dirty++;
	st_reply_bulk(c, buf, (size_t)n);
	{
		struct st_arg argv[4] = { { "SET", 3 }, *key, { buf, (size_t)n },
					  { "KEEPTTL", 7 } };
		st_propagate(c, 4, argv);
	}
}

static void
getrange_command(struct st_client *c)
{
	long long start, end, len;
	struct st_value *v;
	struct st_string *s;

	if (!st_get_ll_or_reply(c, &c->argv[2], &start, NULL) ||
	    !st_get_ll_or_reply(c, &c->argv[3], &end, NULL))
		return;
	v = st_lookup_read_or_reply(c, c->argv[1].p, c->argv[1].len,
				    ST_TYPE_STRING, "$0\r\n\r\n");
	if (v == NULL)
		return;
	s = st_value_string(v);
	len = s->len;
	if (start < 0 && end < 0 && start > end) {
		st_reply_bulk(c, "", 0);
		return;
	}
	if (start < 0)
		start = len + start;
	if (end < 0)
		end = len + end;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	if (end >= len)
		end = len - 1;
	if (start > end || len == 0) {
		st_reply_bulk(c, "", 0);
		return;
	}
	st_reply_bulk(c, s->data + start, (size_t)(end - start + 1));
}

static void
setrange_command(struct st_client *c)
{
	const struct st_arg *key = &c->argv[1], *val = &c->argv[3];
	struct st_entry *e;
	struct st_string *old = NULL, *s;
	long long offset;
	size_t newlen;

	if (!st_get_ll_or_reply(c, &c->argv[2], &offset, NULL))
		return;
	if (offset < 0) {
		st_reply_error(c, "offset is out of range");
		return;
	}
	e = st_lookup_write(c, key->p, key->len);
	if (e != NULL) {
		if (!st_check_type_or_reply(c, st_entry_value(e), ST_TYPE_STRING))
			return;
		old = st_value_string(st_entry_value(e));
	}
	if (val->len == 0) {
		st_reply_int(c, old ? old->len : 0);
		return;
	}
	if (!check_len_or_reply(c, offset, (long long)val->len))
		return;
	newlen = old ? old->len : 0;
	if ((size_t)offset + val->len > newlen)
		newlen = (size_t)offset + val->len;
	{
		char *tmp = st_calloc(newlen + 1);

		if (old)
			memcpy(tmp, old->data, old->len);
		memcpy(tmp + offset, val->p, val->len);
		s = st_string_new_raw(tmp, newlen);
		st_free(tmp);
	}
	if (e != NULL)
		st_db_replace(c, e, &s->v);
	else
		st_db_add(c, key->p, key->len, &s->v);
	c->dirty++;
	st_reply_int(c, (long long)newlen);
}

#define RO (ST_CMD_READONLY)
#define W (ST_CMD_WRITE)
#define DOOM (ST_CMD_DENYOOM)
#define FAST (ST_CMD_FAST)
#define LF (ST_CMD_LOCKFREE)

const struct st_cmd st_cmds_string[] = {
	{ "get", 2, RO | FAST | LF, 1, 1, 1, NULL, get_command, "string",
	  "Returns the string value of a key.", "1.0.0", "key",
	  "@read @string @fast", NULL },
	{ "set", -3, W | DOOM, 1, 1, 1, NULL, set_command, "string",
	  "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
	  "1.0.0", "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
	  "@write @string @slow", NULL },
	{ "setnx", 3, W | DOOM | FAST, 1, 1, 1, NULL, setnx_command, "string",
	  "Set the string value of a key only when the key doesn't exist.",
	  "1.0.0", "key value", "@write @string @fast", NULL },
	{ "setex", 4, W | DOOM, 1, 1, 1, NULL, setex_command, "string",
	  "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.",
	  "2.0.0", "key seconds value", "@write @string @slow", NULL },
	{ "psetex", 4, W | DOOM, 1, 1, 1, NULL, psetex_command, "string",
	  "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
	  "2.6.0", "key milliseconds value", "@write @string @slow", NULL },
	{ "getset", 3, W | DOOM | FAST, 1, 1, 1, NULL, getset_command, "string",
	  "Returns the previous string value of a key after setting it to a new value.",
	  "1.0.0", "key value", "@write @string @fast", NULL },
	{ "getdel", 2, W | FAST, 1, 1, 1, NULL, getdel_command, "string",
	  "Returns the string value of a key after deleting the key.",
	  "6.2.0", "key", "@write @string @fast", NULL },
	{ "getex", -2, W | FAST, 1, 1, 1, NULL, getex_command, "string",
	  "Returns the string value of a key after setting its expiration time.",
	  "6.2.0", "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]",
	  "@write @string @fast", NULL },
	{ "mget", -2, RO | FAST | LF, 1, -1, 1, NULL, mget_command, "string",
	  "Atomically returns the string values of one or more keys.",
	  "1.0.0", "key [key ...]", "@read @string @fast", NULL },
	{ "mset", -3, W | DOOM, 1, -1, 2, NULL, mset_command, "string",
	  "Atomically creates or modifies the string values of one or more keys.",
	  "1.0.1", "key value [key value ...]", "@write @string @slow", NULL },
	{ "msetnx", -3, W | DOOM, 1, -1, 2, NULL, msetnx_command, "string",
	  "Atomically modifies the string values of one or more keys only when all keys don't exist.",
	  "1.0.1", "key value [key value ...]", "@write @string @slow", NULL },
	{ "strlen", 2, RO | FAST | LF, 1, 1, 1, NULL, strlen_command, "string",
	  "Returns the length of a string value.", "2.2.0", "key",
	  "@read @string @fast", NULL },
	{ "append", 3, W | DOOM | FAST, 1, 1, 1, NULL, append_command, "string",
	  "Appends a string to the value of a key. Creates the key if it doesn't exist.",
	  "2.0.0", "key value", "@write @string @fast", NULL },
	{ "incr", 2, W | DOOM | FAST, 1, 1, 1, NULL, incr_command, "string",
	  "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
	  "1.0.0", "key", "@write @string @fast", NULL },
	{ "decr", 2, W | DOOM | FAST, 1, 1, 1, NULL, decr_command, "string",
	  "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.",
	  "1.0.0", "key", "@write @string @fast", NULL },
	{ "incrby", 3, W | DOOM | FAST, 1, 1, 1, NULL, incrby_command, "string",
	  "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
	  "1.0.0", "key increment", "@write @string @fast", NULL },
	{ "decrby", 3, W | DOOM | FAST, 1, 1, 1, NULL, decrby_command, "string",
	  "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.",
	  "1.0.0", "key decrement", "@write @string @fast", NULL },
	{ "incrbyfloat", 3, W | DOOM | FAST, 1, 1, 1, NULL, incrbyfloat_command, "string",
	  "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
	  "2.6.0", "key increment", "@write @string @fast", NULL },
	{ "getrange", 4, RO | LF, 1, 1, 1, NULL, getrange_command, "string",
	  "Returns a substring of the string stored at a key.", "2.4.0",
	  "key start end", "@read @string @slow", NULL },
	{ "setrange", 4, W | DOOM, 1, 1, 1, NULL, setrange_command, "string",
	  "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.",
	  "2.2.0", "key offset value", "@write @string @slow", NULL },
	{ 0 }
};
