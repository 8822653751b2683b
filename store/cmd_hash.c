/*
 * cmd_hash.c -- the hash commands (HSET ... HRANDFIELD) and their table.
 *
 * Each handler runs with the key's stripe lock held (command.h), so it reads
 * and changes the st_hash in place.  Replies, error texts, argument checking
 * order, empty-key deletion and encoding conversions follow Redis 7.0's
 * t_hash.c; HINCRBYFLOAT propagates as HSET with the final value, as Redis
 * does.
 */
#include <limits.h>
#include <math.h>

#include "alloc.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "t_hash.h"
#include "util.h"
#include "wlog.h"

#define EMPTY_SCAN "*2\r\n$1\r\n0\r\n*0\r\n"

/* ---- shared helpers ------------------------------------------------------ */

/* The hash of a key for writing: NULL and WRONGTYPE replied if the key holds
 * another type; NULL without reply if absent (*e = NULL). */
static struct st_hash *
hash_lookup_write_or_reply(struct st_client *c, const struct st_arg *key,
			   struct st_entry **e, bool *wrongtype)
{
	return (struct st_hash *)st_lookup_write_entry_or_reply(c, key,
								 ST_TYPE_HASH,
								 e, wrongtype);
}

/* Redis's hashTypeLookupWriteOrCreate: the existing hash, or a new empty one
 * added under the key; NULL (WRONGTYPE replied) for another type. */
static struct st_hash *
hash_lookup_or_create_or_reply(struct st_client *c, const struct st_arg *key,
			       struct st_entry **e)
{
	bool wrongtype;
	struct st_hash *h = hash_lookup_write_or_reply(c, key, e, &wrongtype);

	if (h != NULL || wrongtype)
		return h;
	h = st_hash_new();
	*e = st_db_add(c, key->p, key->len, &h->v);
	return h;
}

/* ---- HSET / HMSET / HSETNX ---------------------------------------------- */

static void
hset_generic(struct st_client *c, bool is_hmset)
{
	struct st_entry *e;
	struct st_hash *h;
	long long created = 0;

	if (c->argc % 2 == 1) {
		st_reply_arity_error(c, c->cmd);
		return;
	}
	h = hash_lookup_or_create_or_reply(c, &c->argv[1], &e);
	if (h == NULL)
		return;
	for (int i = 2; i < c->argc; i += 2)
		created += st_hash_set(h, c->argv[i].p, c->argv[i].len,
				       c->argv[i + 1].p, c->argv[i + 1].len);
	if (is_hmset)
		st_reply_ok(c);
	else
		st_reply_int(c, created);
	st_touch(c, e);
	c->dirty += (c->argc - 2) / 2;
}

static void
hset_command(struct st_client *c)
{
	hset_generic(c, false);
}

static void
hmset_command(struct st_client *c)
{
	hset_generic(c, true);
}

static void
hsetnx_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_hash *h;

	h = hash_lookup_or_create_or_reply(c, &c->argv[1], &e);
	if (h == NULL)
		return;
	if (st_hash_exists(h, c->argv[2].p, c->argv[2].len)) {
		st_reply_int(c, 0);
		return;
	}
	st_hash_set(h, c->argv[2].p, c->argv[2].len, c->argv[3].p, c->argv[3].len);
	st_reply_int(c, 1);
	st_touch(c, e);
	c->dirty++;
}

/* ---- reads -------------------------------------------------------------- */

static struct st_hash *
hash_read_or_reply(struct st_client *c, const char *missing)
{
	return (struct st_hash *)st_lookup_read_or_reply(c, c->argv[1].p,
							 c->argv[1].len,
							 ST_TYPE_HASH, missing);
}

static void
reply_field(struct st_client *c, struct st_hash *h, const struct st_arg *f)
{
	const char *v;
	size_t vlen;

	if (h != NULL && st_hash_get(h, f->p, f->len, &v, &vlen))
		st_reply_bulk(c, v, vlen);
	else
		st_reply_null(c);
}

static void
hget_command(struct st_client *c)
{
	struct st_hash *h = hash_read_or_reply(c, NULL);

	if (h == NULL)
		return;
	reply_field(c, h, &c->argv[2]);
}

static void
hmget_command(struct st_client *c)
{
	struct st_value *v = st_lookup_value_read(c, c->argv[1].p, c->argv[1].len);

	if (v != NULL && !st_check_type_or_reply(c, v, ST_TYPE_HASH))
		return;
	st_reply_array_len(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++)
		reply_field(c, (struct st_hash *)v, &c->argv[i]);
}

static void
hexists_command(struct st_client *c)
{
	struct st_hash *h = hash_read_or_reply(c, ":0\r\n");

	if (h == NULL)
		return;
	st_reply_int(c, st_hash_exists(h, c->argv[2].p, c->argv[2].len) ? 1 : 0);
}

static void
hlen_command(struct st_client *c)
{
	struct st_hash *h = hash_read_or_reply(c, ":0\r\n");

	if (h == NULL)
		return;
	st_reply_int(c, (long long)st_hash_len(h));
}

static void
hstrlen_command(struct st_client *c)
{
	struct st_hash *h = hash_read_or_reply(c, ":0\r\n");
	const char *v;
	size_t vlen = 0;

	if (h == NULL)
		return;
	if (!st_hash_get(h, c->argv[2].p, c->argv[2].len, &v, &vlen))
		vlen = 0;
	st_reply_int(c, (long long)vlen);
}

enum { WANT_FIELDS = 1, WANT_VALUES = 2 };

static void
hgetall_generic(struct st_client *c, int what)
{
	struct st_hash *h;
	struct st_hash_iter it;
	const char *f, *v;
	size_t flen, vlen;
	size_t n;

	if (what == (WANT_FIELDS | WANT_VALUES))
		h = hash_read_or_reply(c, c->resp >= 3 ? "%0\r\n" : "*0\r\n");
	else
		h = hash_read_or_reply(c, "*0\r\n");
	if (h == NULL)
		return;
	n = st_hash_len(h);
	if (what == (WANT_FIELDS | WANT_VALUES))
		st_reply_map_len(c, (long long)n);
	else
		st_reply_array_len(c, (long long)n);
	st_hash_iter_init(h, &it);
	while (st_hash_iter_next(&it, &f, &flen, &v, &vlen)) {
		if (what & WANT_FIELDS)
			st_reply_bulk(c, f, flen);
		if (what & WANT_VALUES)
			st_reply_bulk(c, v, vlen);
	}
}

static void
hgetall_command(struct st_client *c)
{
	hgetall_generic(c, WANT_FIELDS | WANT_VALUES);
}

static void
hkeys_command(struct st_client *c)
{
	hgetall_generic(c, WANT_FIELDS);
}

static void
hvals_command(struct st_client *c)
{
	hgetall_generic(c, WANT_VALUES);
}

/* ---- HDEL --------------------------------------------------------------- */

static void
hdel_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_hash *h;
	bool wrongtype;
	long long deleted = 0;

	h = hash_lookup_write_or_reply(c, &c->argv[1], &e, &wrongtype);
	if (h == NULL) {
		if (!wrongtype)
			st_reply_int(c, 0);
		return;
	}
	for (int i = 2; i < c->argc; i++) {
		if (st_hash_delete(h, c->argv[i].p, c->argv[i].len)) {
			deleted++;
			if (st_hash_len(h) == 0)
				break;
		}
	}
	st_elements_removed(c, e, st_hash_len(h), deleted);
	st_reply_int(c, deleted);
}

/* ---- HINCRBY / HINCRBYFLOAT ----------------------------------------------- */

static void
hincrby_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_hash *h;
	long long incr, value = 0;
	const char *v;
	size_t vlen;
	char buf[ST_NUMBUF];
	int n;

	if (!st_get_ll_or_reply(c, &c->argv[3], &incr, NULL))
		return;
	h = hash_lookup_or_create_or_reply(c, &c->argv[1], &e);
	if (h == NULL)
		return;
	if (st_hash_get(h, c->argv[2].p, c->argv[2].len, &v, &vlen) &&
	    st_str2ll(v, vlen, &value) != 0) {
		st_reply_error(c, "hash value is not an integer");
		return;
	}
	if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
	    (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
		st_reply_error(c, ST_ERR_OVERFLOW);
		return;
	}
	value += incr;
	n = st_ll2str(buf, value);
	st_hash_set(h, c->argv[2].p, c->argv[2].len, buf, (size_t)n);
	st_reply_int(c, value);
	st_touch(c, e);
	c->dirty++;
}

static void
hincrbyfloat_command(struct st_client *c)
{
	struct st_entry *e;
	struct st_hash *h;
	long double incr, value = 0;
	const char *v;
	size_t vlen;
	char buf[5 * 1024];	/* Redis's MAX_LONG_DOUBLE_CHARS */
	int n;

	if (st_str2ld(c->argv[3].p, c->argv[3].len, &incr) != 0) {
		st_reply_error(c, ST_ERR_NOTFLOAT);
		return;
	}
	if (isnan(incr) || isinf(incr)) {
		st_reply_error(c, "value is NaN or Infinity");
		return;
	}
	h = hash_lookup_or_create_or_reply(c, &c->argv[1], &e);
	if (h == NULL)
		return;
	if (st_hash_get(h, c->argv[2].p, c->argv[2].len, &v, &vlen) &&
	    st_str2ld(v, vlen, &value) != 0) {
		st_reply_error(c, "hash value is not a float");
		return;
	}
	value += incr;
	if (isnan(value) || isinf(value)) {
		st_reply_error(c, ST_ERR_NAN_OR_INF);
		return;
	}
	n = st_ld2str_human(buf, sizeof(buf), value);
	st_hash_set(h, c->argv[2].p, c->argv[2].len, buf, (size_t)n);
	st_reply_bulk(c, buf, (size_t)n);
	st_touch(c, e);
	c->dirty++;

	/* Replicate as HSET with the final value, so float formatting can not
	 * make replicas diverge (Redis does the same). */
	{
		struct st_arg prop[4] = {
			{ "HSET", 4 }, c->argv[1], c->argv[2], { buf, (size_t)n },
		};

		st_propagate(c, 4, prop);
	}
}

/* ---- HSCAN -------------------------------------------------------------- */

static void
hscan_cb(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
	st_scan_acc_push(arg, f, flen);
	st_scan_acc_push(arg, v, vlen);
}

static void
hscan_command(struct st_client *c)
{
	struct st_hash *h;
	unsigned long cursor;
	struct st_scan_opts o;
	struct st_scan_acc acc = { 0 };

	if (!st_parse_scan_cursor_or_reply(c, &c->argv[2], &cursor))
		return;
	h = hash_read_or_reply(c, EMPTY_SCAN);
	if (h == NULL)
		return;
	if (!st_parse_scan_opts_or_reply(c, 3, 0, &o))
		return;

	if (h->v.enc == ST_ENC_LISTPACK) {
		cursor = st_hash_scan(h, cursor, hscan_cb, &acc);
	} else {
		long maxiter = o.count > LONG_MAX / 10 ? LONG_MAX : o.count * 10;

		do {
			cursor = st_hash_scan(h, cursor, hscan_cb, &acc);
		} while (cursor && maxiter-- && acc.n / 2 < (unsigned long)o.count);
	}
	/* Pairs whose field does not match are left out. */
	st_reply_scan(c, cursor, &acc, 2, o.pat);
}

/* ---- HRANDFIELD ---------------------------------------------------------- */

/* How much bigger than the count a hash must be before we pick random
 * fields one by one (CASE 4) instead of shuffling all of them (CASE 3). */
#define HRANDFIELD_SUB_STRATEGY_MUL 3

static void
reply_pair(struct st_client *c, bool withvalues, const char *f, size_t flen,
	   const char *v, size_t vlen)
{
	if (withvalues && c->resp >= 3)
		st_reply_array_len(c, 2);
	st_reply_bulk(c, f, flen);
	if (withvalues)
		st_reply_bulk(c, v, vlen);
}

static void
hrandfield_with_count(struct st_client *c)
{
	struct st_hash *h;
	long long l;
	unsigned long count, size;
	bool uniq = true, withvalues = false;
	const char *f, *v;
	size_t flen, vlen;

	if (!st_get_range_ll_or_reply(c, &c->argv[2], -LONG_MAX, LONG_MAX, &l,
				      NULL))
		return;
	if (c->argc == 4 && st_arg_is(&c->argv[3], "withvalues")) {
		withvalues = true;
	} else if (c->argc >= 4) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	if (withvalues && (l < -LONG_MAX / 2 || l > LONG_MAX / 2)) {
		st_reply_error(c, "value is out of range");
		return;
	}
	h = hash_read_or_reply(c, "*0\r\n");
	if (h == NULL)
		return;
	size = st_hash_len(h);
	if (l >= 0) {
		count = (unsigned long)l;
	} else {
		count = (unsigned long)-l;
		uniq = false;
	}
	if (count == 0) {
		st_reply_array_len(c, 0);
		return;
	}

	/* CASE 1: repeats allowed (or a single field): sample each time. */
	if (!uniq || count == 1) {
		st_reply_array_len(c, withvalues && c->resp == 2 ? count * 2 : count);
		while (count--) {
			st_hash_random(h, &f, &flen, &v, &vlen);
			reply_pair(c, withvalues, f, flen, v, vlen);
			if (st_reply_must_stop(c))
				break;
		}
		return;
	}

	count = count < size ? count : size;
	st_reply_array_len(c, withvalues && c->resp == 2 ? count * 2 : count);

	/* CASE 2: the whole hash. */
	if (count == size) {
		struct st_hash_iter it;

		st_hash_iter_init(h, &it);
		while (st_hash_iter_next(&it, &f, &flen, &v, &vlen))
			reply_pair(c, withvalues, f, flen, v, vlen);
		return;
	}

	/* CASE 2.5, "listpack": distinct random pairs in listpack order, as
	 * Redis's lpRandomPairsUnique (selection sampling). */
	if (h->v.enc == ST_ENC_LISTPACK) {
		unsigned long need = count;

		for (uint32_t i = 0; i < h->lp_len && need > 0; i++) {
			if (st_rand64() % (h->lp_len - i) >= need)
				continue;
			reply_pair(c, withvalues, h->lp[i].f->data, h->lp[i].f->len,
				   h->lp[i].v->data, h->lp[i].v->len);
			need--;
		}
		return;
	}

	/* CASE 3: count is a good part of the hash: partial Fisher-Yates
	 * shuffle of all the pairs. */
	if (count * HRANDFIELD_SUB_STRATEGY_MUL > size) {
		struct st_hash_iter it;
		struct st_arg *all = st_malloc(size * 2 * sizeof(*all));
		size_t i = 0;

		st_hash_iter_init(h, &it);
		while (st_hash_iter_next(&it, &f, &flen, &v, &vlen)) {
			all[2 * i] = (struct st_arg){ f, flen };
			all[2 * i + 1] = (struct st_arg){ v, vlen };
			i++;
		}
		for (i = 0; i < count; i++) {
			size_t j = i + (size_t)(st_rand64() % (size - i));
			struct st_arg tf = all[2 * i], tv = all[2 * i + 1];

			all[2 * i] = all[2 * j];
			all[2 * i + 1] = all[2 * j + 1];
			all[2 * j] = tf;
			all[2 * j + 1] = tv;
			reply_pair(c, withvalues, all[2 * i].p, all[2 * i].len,
				   all[2 * i + 1].p, all[2 * i + 1].len);
		}
		st_free(all);
		return;
	}

	/* CASE 4: big hash, few fields: random picks, deduplicated. */
	{
		struct st_dict *seen = st_dict_new();
		unsigned long added = 0;

		while (added < count) {
			bool created;

			st_hash_random(h, &f, &flen, &v, &vlen);
			st_dict_add_or_find(seen, f, flen, &created);
			if (!created)
				continue;
			reply_pair(c, withvalues, f, flen, v, vlen);
			added++;
		}
		st_dict_free(seen, NULL);
	}
}

static void
hrandfield_command(struct st_client *c)
{
	struct st_hash *h;
	const char *f, *v;
	size_t flen, vlen;

	if (c->argc >= 3) {
		hrandfield_with_count(c);
		return;
	}
	h = hash_read_or_reply(c, NULL);
	if (h == NULL)
		return;
	st_hash_random(h, &f, &flen, &v, &vlen);
	st_reply_bulk(c, f, flen);
}

/* ---- the table ----------------------------------------------------------- */

#define W_FAST (ST_CMD_WRITE | ST_CMD_DENYOOM | ST_CMD_FAST)
#define R_FAST (ST_CMD_READONLY | ST_CMD_FAST)
#define KEY1 .first_key = 1, .last_key = 1, .step = 1

const struct st_cmd st_cmds_hash[] = {
	{ .name = "hset", .arity = -4, .flags = W_FAST, KEY1, .proc = hset_command,
	  .group = "hash", .summary = "Set the string value of a hash field",
	  .since = "2.0.0", .args_hint = "key field value [field value ...]",
	  .acl = "@write @hash @fast" },
	{ .name = "hsetnx", .arity = 4, .flags = W_FAST, KEY1, .proc = hsetnx_command,
	  .group = "hash",
	  .summary = "Set the value of a hash field, only if the field does not exist",
	  .since = "2.0.0", .args_hint = "key field value", .acl = "@write @hash @fast" },
	{ .name = "hget", .arity = 3, .flags = R_FAST, KEY1, .proc = hget_command,
	  .group = "hash", .summary = "Get the value of a hash field", .since = "2.0.0",
	  .args_hint = "key field", .acl = "@read @hash @fast" },
	{ .name = "hmset", .arity = -4, .flags = W_FAST, KEY1, .proc = hmset_command,
	  .group = "hash", .summary = "Set multiple hash fields to multiple values",
	  .since = "2.0.0", .args_hint = "key field value [field value ...]",
	  .acl = "@write @hash @fast" },
	{ .name = "hmget", .arity = -3, .flags = R_FAST, KEY1, .proc = hmget_command,
	  .group = "hash", .summary = "Get the values of all the given hash fields",
	  .since = "2.0.0", .args_hint = "key field [field ...]",
	  .acl = "@read @hash @fast" },
	{ .name = "hdel", .arity = -3, .flags = ST_CMD_WRITE | ST_CMD_FAST, KEY1,
	  .proc = hdel_command, .group = "hash",
	  .summary = "Delete one or more hash fields", .since = "2.0.0",
	  .args_hint = "key field [field ...]", .acl = "@write @hash @fast" },
	{ .name = "hexists", .arity = 3, .flags = R_FAST, KEY1, .proc = hexists_command,
	  .group = "hash", .summary = "Determine if a hash field exists", .since = "2.0.0",
	  .args_hint = "key field", .acl = "@read @hash @fast" },
	{ .name = "hlen", .arity = 2, .flags = R_FAST, KEY1, .proc = hlen_command,
	  .group = "hash", .summary = "Get the number of fields in a hash",
	  .since = "2.0.0", .args_hint = "key", .acl = "@read @hash @fast" },
	{ .name = "hstrlen", .arity = 3, .flags = R_FAST, KEY1, .proc = hstrlen_command,
	  .group = "hash", .summary = "Get the length of the value of a hash field",
	  .since = "3.2.0", .args_hint = "key field", .acl = "@read @hash @fast" },
	{ .name = "hgetall", .arity = 2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = hgetall_command, .group = "hash",
	  .summary = "Get all the fields and values in a hash", .since = "2.0.0",
	  .args_hint = "key", .acl = "@read @hash @slow" },
	{ .name = "hkeys", .arity = 2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = hkeys_command, .group = "hash",
	  .summary = "Get all the fields in a hash", .since = "2.0.0",
	  .args_hint = "key", .acl = "@read @hash @slow" },
	{ .name = "hvals", .arity = 2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = hvals_command, .group = "hash",
	  .summary = "Get all the values in a hash", .since = "2.0.0",
	  .args_hint = "key", .acl = "@read @hash @slow" },
	{ .name = "hincrby", .arity = 4, .flags = W_FAST, KEY1, .proc = hincrby_command,
	  .group = "hash",
	  .summary = "Increment the integer value of a hash field by the given number",
	  .since = "2.0.0", .args_hint = "key field increment",
	  .acl = "@write @hash @fast" },
	{ .name = "hincrbyfloat", .arity = 4, .flags = W_FAST, KEY1,
	  .proc = hincrbyfloat_command, .group = "hash",
	  .summary = "Increment the float value of a hash field by the given amount",
	  .since = "2.6.0", .args_hint = "key field increment",
	  .acl = "@write @hash @fast" },
	{ .name = "hscan", .arity = -3, .flags = ST_CMD_READONLY, KEY1,
	  .proc = hscan_command, .group = "hash",
	  .summary = "Incrementally iterate hash fields and associated values",
	  .since = "2.8.0", .args_hint = "key cursor [MATCH pattern] [COUNT count]",
	  .acl = "@read @hash @slow" },
	{ .name = "hrandfield", .arity = -2, .flags = ST_CMD_READONLY, KEY1,
	  .proc = hrandfield_command, .group = "hash",
	  .summary = "Get one or multiple random fields from a hash", .since = "6.2.0",
	  .args_hint = "key [count [WITHVALUES]]", .acl = "@read @hash @slow" },
	{ 0 }
};
