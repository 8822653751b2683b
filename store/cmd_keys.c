/*
 * cmd_keys.c -- the generic key commands (Redis's "generic" group).
 *
 * DEL, UNLINK, EXISTS, TYPE, TOUCH, the EXPIRE family and its readers
 * (TTL, PTTL, EXPIRETIME, PEXPIRETIME), PERSIST, KEYS, SCAN, RANDOMKEY,
 * RENAME, RENAMENX, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, SELECT, and the
 * container commands OBJECT (ENCODING, REFCOUNT, IDLETIME, FREQ, HELP) and
 * MEMORY (USAGE, HELP).
 *
 * Locking, from the table below:
 *  - EXISTS, TYPE and the TTL readers are ST_CMD_LOCKFREE: they only look at
 *    entries (seqlock read, retried by the dispatcher).  Like Redis's
 *    LOOKUP_NOTOUCH they count keyspace hits/misses but leave the LRU clock.
 *  - KEYS, SCAN and RANDOMKEY take no stripe lock (ST_CMD_NOKEYLOCK): they
 *    walk the RCU hash table; entries they hold stay valid until the next
 *    quiescent state, after the command.
 *  - FLUSHDB, FLUSHALL and SWAPDB are ST_CMD_ALLKEYS: every stripe is held.
 *  - RENAME moves the value pointer from the source entry to the destination
 *    with st_db_take(): collections are never copied.
 *
 * Propagation: relative and absolute TTLs are written to the log as
 * PEXPIREAT key <unix ms>; a TTL already in the past deletes the key and is
 * written as DEL key, as Redis 7.0's expireGenericCommand.  FLUSHDB and
 * FLUSHALL are always propagated, even on an empty database.
 */
#include <limits.h>
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
#include "worker.h"

/* ---- helpers shared by the family ----------------------------------------- */

/* As Redis's getIntFromObjectOrReply: 'msg' (or the generic texts) for a
 * non-integer and for a value outside the int range. */
static bool
get_int_or_reply(struct st_client *c, const struct st_arg *a, int *v,
		 const char *msg)
{
	long long ll;

	if (!st_get_range_ll_or_reply(c, a, INT_MIN, INT_MAX, &ll, msg))
		return false;
	*v = (int)ll;
	return true;
}

/* Number of databases clients may select (the "databases" parameter). */
static int
db_count(void)
{
	int n = st_cfg.databases;

	return n < 1 ? 1 : n > ST_DBNUM ? ST_DBNUM : n;
}

/*
 * Find a live key without touching its LRU clock but counting the keyspace
 * hit or miss, as Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH).  Under the
 * stripe lock an expired key is deleted (lazy expiry).
 */
static struct st_entry *
lookup_notouch(struct st_client *c, const struct st_arg *key)
{
	struct st_entry *e = st_lookup_nostats(c, key->p, key->len);

	if (e)
		ST_STAT_INC(c->w, hits);
	else
		ST_STAT_INC(c->w, misses);
	return e;
}

static void
reply_help(struct st_client *c, const char *name, const char *const *lines)
{
	char hdr[128];
	int n = 0;

	while (lines[n])
		n++;
	st_reply_array_len(c, n + 3);
	snprintf(hdr, sizeof(hdr),
		 "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", name);
	st_reply_status(c, hdr);
	for (int i = 0; i < n; i++)
		st_reply_status(c, lines[i]);
	st_reply_status(c, "HELP");
	st_reply_status(c, "    Prints this help.");
}

/* ---- DEL / UNLINK / EXISTS / TYPE / TOUCH ------------------------------------ */

static void
del_command(struct st_client *c)
{
	long long deleted = 0;

	for (int j = 1; j < c->argc; j++) {
		/* The lookup expires the key first (and logs that DEL). */
		struct st_entry *e = st_lookup_write(c, c->argv[j].p,
						     c->argv[j].len);
		if (e == NULL)
			continue;
		st_db_delete_entry(c, c->db, e);
		deleted++;
	}
	c->dirty += deleted;
	st_reply_int(c, deleted);
}

static void
exists_command(struct st_client *c)
{
	long long n = 0;

	for (int j = 1; j < c->argc; j++)
		if (lookup_notouch(c, &c->argv[j]))
			n++;
	st_reply_int(c, n);
}

static void
type_command(struct st_client *c)
{
	struct st_entry *e = lookup_notouch(c, &c->argv[1]);

	st_reply_status(c, e ? st_type_name(st_entry_value(e)->type) : "none");
}

static void
touch_command(struct st_client *c)
{
	long long n = 0;

	for (int j = 1; j < c->argc; j++)
		if (st_lookup_read(c, c->argv[j].p, c->argv[j].len))
			n++;
	st_reply_int(c, n);
}

/* ---- EXPIRE family ------------------------------------------------------------- */

enum {
	EXP_NX = 1 << 0, EXP_XX = 1 << 1, EXP_GT = 1 << 2, EXP_LT = 1 << 3,
};

enum unit { UNIT_SECONDS, UNIT_MS };

/* As Redis's parseExtendedExpireArgumentsOrReply. */
static bool
expire_flags_or_reply(struct st_client *c, int *flags)
{
	for (int j = 3; j < c->argc; j++) {
		const struct st_arg *a = &c->argv[j];

		if (st_arg_is(a, "nx")) {
			*flags |= EXP_NX;
		} else if (st_arg_is(a, "xx")) {
			*flags |= EXP_XX;
		} else if (st_arg_is(a, "gt")) {
			*flags |= EXP_GT;
		} else if (st_arg_is(a, "lt")) {
			*flags |= EXP_LT;
		} else {
			/* Redis prints the option as a C string. */
			const char *nul = memchr(a->p, '\0', a->len);
			int len = (int)(nul ? (size_t)(nul - a->p) : a->len);

			st_reply_errorf(c, "Unsupported option %.*s",
					len > 256 ? 256 : len, a->p);
			return false;
		}
	}
	if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT))) {
		st_reply_error(c, "NX and XX, GT or LT options at the same time are not compatible");
		return false;
	}
	if ((*flags & EXP_GT) && (*flags & EXP_LT)) {
		st_reply_error(c, "GT and LT options at the same time are not compatible");
		return false;
	}
	return true;
}

static void
reply_expire_error(struct st_client *c)
{
	st_reply_errorf(c, "invalid expire time in '%s' command", c->cmd->name);
}

/* True if the NX/XX/GT/LT condition allows setting 'when' (ms). */
static bool
expire_condition_holds(int flags, int64_t current, int64_t when)
{
	if ((flags & EXP_NX) && current != -1)
		return false;
	if ((flags & EXP_XX) && current == -1)
		return false;
	/* No TTL counts as an infinite one: GT always fails on it. */
	if ((flags & EXP_GT) && (current == -1 || when <= current))
		return false;
	if ((flags & EXP_LT) && current != -1 && when >= current)
		return false;
	return true;
}

/*
 * The body of EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT (Redis's
 * expireGenericCommand): 'basetime' is added to the argument (the command
 * time for the relative forms, 0 for the absolute ones).
 */
static void
expire_generic(struct st_client *c, int64_t basetime, enum unit unit)
{
	const struct st_arg *key = &c->argv[1];
	struct st_entry *e;
	long long when;
	int flags = 0;

	if (!expire_flags_or_reply(c, &flags) ||
	    !st_get_ll_or_reply(c, &c->argv[2], &when, NULL))
		return;
	if (unit == UNIT_SECONDS) {
		if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
			reply_expire_error(c);
			return;
		}
		when *= 1000;
	}
	if (when > LLONG_MAX - basetime) {
		reply_expire_error(c);
		return;
	}
	when += basetime;

	e = st_lookup_write(c, key->p, key->len);
	if (e == NULL ||
	    (flags && !expire_condition_holds(flags, st_get_expire(e), when))) {
		st_reply_int(c, 0);
		return;
	}
	/* A time already past deletes the key, on a primary only: a replica
	 * waits for its master's DEL (Redis's checkAlreadyExpired). */
	if (when <= c->cmd_time_ms && !st_keyspace_is_replica()) {
		struct st_arg argv[2] = { { "DEL", 3 }, *key };

		st_db_delete_entry(c, c->db, e);
		c->dirty++;
		st_propagate(c, 2, argv);
	} else {
		char buf[ST_NUMBUF];
		struct st_arg argv[3] = { { "PEXPIREAT", 9 }, *key, { buf, 0 } };

		argv[2].len = (size_t)st_ll2str(buf, when);
		st_set_expire(c, e, when);
		c->dirty++;
		st_propagate(c, 3, argv);
	}
	st_reply_int(c, 1);
}

static void
expire_command(struct st_client *c)
{
	expire_generic(c, c->cmd_time_ms, UNIT_SECONDS);
}

static void
pexpire_command(struct st_client *c)
{
	expire_generic(c, c->cmd_time_ms, UNIT_MS);
}

static void
expireat_command(struct st_client *c)
{
	expire_generic(c, 0, UNIT_SECONDS);
}

static void
pexpireat_command(struct st_client *c)
{
	expire_generic(c, 0, UNIT_MS);
}

/* TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis's ttlGenericCommand). */
static void
ttl_generic(struct st_client *c, bool output_ms, bool output_abs)
{
	struct st_entry *e = lookup_notouch(c, &c->argv[1]);
	int64_t expire, ttl;

	if (e == NULL) {
		st_reply_int(c, -2);
		return;
	}
	expire = st_get_expire(e);
	if (expire < 0) {
		st_reply_int(c, -1);
		return;
	}
	ttl = output_abs ? expire : expire - st_mstime();
	if (ttl < 0)
		ttl = 0;
	st_reply_int(c, output_ms ? ttl : (ttl + 500) / 1000);
}

static void
ttl_command(struct st_client *c)
{
	ttl_generic(c, false, false);
}

static void
pttl_command(struct st_client *c)
{
	ttl_generic(c, true, false);
}

static void
expiretime_command(struct st_client *c)
{
	ttl_generic(c, false, true);
}

static void
pexpiretime_command(struct st_client *c)
{
	ttl_generic(c, true, true);
}

static void
persist_command(struct st_client *c)
{
	struct st_entry *e = st_lookup_write(c, c->argv[1].p, c->argv[1].len);

	if (e != NULL && st_remove_expire(c, e)) {
		c->dirty++;
		st_reply_int(c, 1);
	} else {
		st_reply_int(c, 0);
	}
}

/* ---- KEYS / SCAN / RANDOMKEY --------------------------------------------------- */

struct keys_ctx {
	struct st_client *c;
	const struct st_arg *pat;
	bool allkeys;
	long long n;
};

static bool
keys_collect(struct st_entry *e, void *arg)
{
	struct keys_ctx *k = arg;

	if (k->allkeys || st_glob_match(k->pat->p, k->pat->len, e->key,
					e->keylen, false)) {
		st_reply_bulk(k->c, e->key, e->keylen);
		k->n++;
	}
	return true;
}

static void
keys_command(struct st_client *c)
{
	struct keys_ctx k = { c, &c->argv[1], false, 0 };
	size_t hdr = st_reply_deferred_len(c);
	uint64_t cursor = 0;

	k.allkeys = c->argv[1].len == 1 && c->argv[1].p[0] == '*';
	do {
		cursor = st_db_scan(c->db, cursor, LONG_MAX, keys_collect, &k);
	} while (cursor != 0);
	st_reply_set_deferred_array_len(c, hdr, k.n);
}

struct scan_ctx {
	const struct st_arg *pat;	/* NULL: every key */
	const struct st_arg *type;	/* NULL: every type */
	struct st_entry **v;
	size_t n, cap;
};

static bool
scan_collect(struct st_entry *e, void *arg)
{
	struct scan_ctx *s = arg;

	if (s->pat && !st_glob_match(s->pat->p, s->pat->len, e->key,
				     e->keylen, false))
		return true;
	if (s->type) {
		const char *name = st_type_name(st_entry_value(e)->type);

		if (strlen(name) != s->type->len ||
		    strncasecmp(name, s->type->p, s->type->len) != 0)
			return true;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = st_realloc(s->v, sizeof(*s->v) * s->cap);
	}
	s->v[s->n++] = e;
	return true;
}

/*
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].  The cursor is a
 * position in the table's reverse-hash order (keyspace.h): keys present for
 * the whole iteration are returned at least once however the table grows or
 * shrinks between calls.
 */
static void
scan_command(struct st_client *c)
{
	struct scan_ctx s = { NULL, NULL, NULL, 0, 0 };
	struct st_scan_opts o;
	unsigned long cursor;

	if (!st_parse_scan_cursor_or_reply(c, &c->argv[1], &cursor) ||
	    !st_parse_scan_opts_or_reply(c, 2, ST_SCAN_OPT_TYPE, &o))
		return;
	s.pat = o.pat;
	s.type = o.type;
	cursor = st_db_scan(c->db, cursor, (long)o.count, scan_collect, &s);
	st_reply_scan_cursor(c, cursor);
	st_reply_array_len(c, (long long)s.n);
	for (size_t i = 0; i < s.n; i++)
		st_reply_bulk(c, s.v[i]->key, s.v[i]->keylen);
	st_free(s.v);
}

#define RANDOMKEY_TRIES 8

static void
randomkey_command(struct st_client *c)
{
	struct st_entry *e = NULL;
	int64_t now = st_mstime();

	for (int i = 0; i < RANDOMKEY_TRIES; i++) {
		e = st_db_random(c->db);
		if (e == NULL || !st_entry_expired(e, now))
			break;
	}
	if (e == NULL || st_entry_expired(e, now))
		st_reply_null(c);
	else
		st_reply_bulk(c, e->key, e->keylen);
}

/* ---- RENAME / RENAMENX --------------------------------------------------------- */

static void
rename_generic(struct st_client *c, bool nx)
{
	const struct st_arg *src = &c->argv[1], *dst = &c->argv[2];
	struct st_entry *e, *ne;
	struct st_value *v;
	int64_t expire;

	e = st_lookup_write(c, src->p, src->len);
	if (e == NULL) {
		st_reply_error(c, ST_ERR_NOKEY);
		return;
	}
	if (st_arg_eq(src, dst)) {
		if (nx)
			st_reply_int(c, 0);
		else
			st_reply_ok(c);
		return;
	}
	expire = st_get_expire(e);
	if (nx && st_lookup_write(c, dst->p, dst->len) != NULL) {
		st_reply_int(c, 0);
		return;
	}
	/* Move the value itself: the source key goes, its value is published
	 * under the destination (an existing one is replaced and freed after
	 * a grace period), with the source's TTL. */
	v = st_db_take(c, e);
	ne = st_db_set(c, dst->p, dst->len, v, false);
	if (expire >= 0)
		st_set_expire(c, ne, expire);
	c->dirty++;
	if (nx)
		st_reply_int(c, 1);
	else
		st_reply_ok(c);
}

static void
rename_command(struct st_client *c)
{
	rename_generic(c, false);
}

static void
renamenx_command(struct st_client *c)
{
	rename_generic(c, true);
}

/* ---- databases ------------------------------------------------------------------ */

static void
dbsize_command(struct st_client *c)
{
	st_reply_int(c, st_db_size(c->db));
}

/* The optional ASYNC|SYNC argument: both free after a grace period. */
static bool
flush_args_or_reply(struct st_client *c)
{
	if (c->argc == 1 ||
	    (c->argc == 2 && (st_arg_is(&c->argv[1], "sync") ||
			      st_arg_is(&c->argv[1], "async"))))
		return true;
	st_reply_error(c, ST_ERR_SYNTAX);
	return false;
}

static void
flushdb_command(struct st_client *c)
{
	long long n;

	if (!flush_args_or_reply(c))
		return;
	n = st_db_size(c->db);
	st_db_flush(c, c->db);
	/* Propagated even when the database was empty, as Redis. */
	c->dirty += n > 0 ? n : 1;
	st_reply_ok(c);
}

static void
flushall_command(struct st_client *c)
{
	long long n = 0;

	if (!flush_args_or_reply(c))
		return;
	for (int db = 0; db < ST_DBNUM; db++) {
		n += st_db_size(db);
		st_db_flush(c, db);
	}
	c->dirty += n > 0 ? n : 1;
	st_reply_ok(c);
}

static void
swapdb_command(struct st_client *c)
{
	int a, b;

	if (!get_int_or_reply(c, &c->argv[1], &a, "invalid first DB index") ||
	    !get_int_or_reply(c, &c->argv[2], &b, "invalid second DB index"))
		return;
	if (a < 0 || a >= db_count() || b < 0 || b >= db_count()) {
		st_reply_error(c, ST_ERR_INVALID_DB);
		return;
	}
	st_db_swap(c, a, b);
	c->dirty++;
	st_reply_ok(c);
}

static void
select_command(struct st_client *c)
{
	int id;

	if (!get_int_or_reply(c, &c->argv[1], &id, NULL))
		return;
	if (id < 0 || id >= db_count()) {
		st_reply_error(c, ST_ERR_INVALID_DB);
		return;
	}
	c->db = id;
	st_reply_ok(c);
}

/* ---- OBJECT ------------------------------------------------------------------------ */

/* The key's entry, or NULL after replying null (objectCommandLookupOrReply). */
static struct st_entry *
object_lookup_or_reply(struct st_client *c)
{
	struct st_entry *e = st_lookup_nostats(c, c->argv[2].p, c->argv[2].len);

	if (e == NULL)
		st_reply_null(c);
	return e;
}

static void
object_encoding_command(struct st_client *c)
{
	struct st_entry *e = object_lookup_or_reply(c);

	if (e != NULL)
		st_reply_bulk_cstr(c, st_encoding_name(st_entry_value(e)->enc));
}

static void
object_refcount_command(struct st_client *c)
{
	/* Every value is owned by exactly one key (object.h). */
	if (object_lookup_or_reply(c) != NULL)
		st_reply_int(c, 1);
}

static void
object_idletime_command(struct st_client *c)
{
	struct st_entry *e = object_lookup_or_reply(c);
	uint32_t now, lru;

	if (e == NULL)
		return;
	now = (uint32_t)(st_mstime() / 1000);
	lru = atomic_load_explicit(&e->lru, memory_order_relaxed);
	st_reply_int(c, now > lru ? (long long)(now - lru) : 0);
}

static void
object_freq_command(struct st_client *c)
{
	if (object_lookup_or_reply(c) == NULL)
		return;
	/* No LFU policy exists in ferry, so frequency is never tracked. */
	st_reply_error(c, "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
}

static void
object_help_command(struct st_client *c)
{
	static const char *const help[] = {
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
		NULL
	};

	reply_help(c, "OBJECT", help);
}

/* ---- MEMORY ------------------------------------------------------------------------ */

static void
memory_usage_command(struct st_client *c)
{
	struct st_entry *e;

	for (int j = 3; j < c->argc; j++) {
		long long samples;

		if (st_arg_is(&c->argv[j], "samples") && j + 1 < c->argc) {
			if (!st_get_ll_or_reply(c, &c->argv[j + 1], &samples, NULL))
				return;
			if (samples < 0) {
				st_reply_error(c, ST_ERR_SYNTAX);
				return;
			}
			j++;	/* sizes are exact: samples are not needed */
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	e = st_lookup_nostats(c, c->argv[2].p, c->argv[2].len);
	if (e == NULL) {
		st_reply_null(c);
		return;
	}
	st_reply_int(c, (long long)st_entry_mem(e));
}

static void
memory_help_command(struct st_client *c)
{
	static const char *const help[] = {
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
		NULL
	};

	reply_help(c, "MEMORY", help);
}

/* The dispatcher resolves container commands to their subcommands; this
 * only runs if it is ever called with the bare container. */
static void
container_command(struct st_client *c)
{
	char up[16];
	size_t i;

	for (i = 0; c->cmd->name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(c->cmd->name[i] & ~0x20);
	up[i] = '\0';
	st_reply_errorf(c, "unknown subcommand '%.*s'. Try %s HELP.",
			c->argc > 1 ? (int)(c->argv[1].len > 128 ? 128 : c->argv[1].len) : 0,
			c->argc > 1 ? c->argv[1].p : "", up);
}

/* ---- the table ------------------------------------------------------------------------ */

#define RO (ST_CMD_READONLY)
#define W (ST_CMD_WRITE)
#define FAST (ST_CMD_FAST)
#define LF (ST_CMD_LOCKFREE)
#define RND (ST_CMD_RANDOM)
#define NOLOCK (ST_CMD_NOKEYLOCK)
#define ALL (ST_CMD_ALLKEYS)

static const struct st_cmd object_subcmds[] = {
	{ "object|encoding", 3, RO | RND, 2, 2, 1, NULL, object_encoding_command,
	  "generic", "Inspect the internal encoding of a Redis object", "2.2.3",
	  "key", "@keyspace @read @slow", NULL },
	{ "object|freq", 3, RO | RND, 2, 2, 1, NULL, object_freq_command,
	  "generic", "Get the logarithmic access frequency counter of a Redis object",
	  "4.0.0", "key", "@keyspace @read @slow", NULL },
	{ "object|help", 2, ST_CMD_LOADING | ST_CMD_STALE, 0, 0, 0, NULL,
	  object_help_command, "generic",
	  "Show helpful text about the different subcommands", "6.2.0", "",
	  "@keyspace @slow", NULL },
	{ "object|idletime", 3, RO | RND, 2, 2, 1, NULL, object_idletime_command,
	  "generic", "Get the time since a Redis object was last accessed", "2.2.3",
	  "key", "@keyspace @read @slow", NULL },
	{ "object|refcount", 3, RO | RND, 2, 2, 1, NULL, object_refcount_command,
	  "generic", "Get the number of references to the value of the key", "2.2.3",
	  "key", "@keyspace @read @slow", NULL },
	{ 0 }
};

static const struct st_cmd memory_subcmds[] = {
	{ "memory|help", 2, ST_CMD_LOADING | ST_CMD_STALE, 0, 0, 0, NULL,
	  memory_help_command, "server",
	  "Show helpful text about the different subcommands", "4.0.0", "",
	  "@slow", NULL },
	{ "memory|usage", -3, RO, 2, 2, 1, NULL, memory_usage_command, "server",
	  "Estimate the memory usage of a key", "4.0.0", "key [SAMPLES count]",
	  "@read @slow", NULL },
	{ 0 }
};

const struct st_cmd st_cmds_keys[] = {
	{ "del", -2, W, 1, -1, 1, NULL, del_command, "generic",
	  "Delete a key", "1.0.0", "key [key ...]",
	  "@keyspace @write @slow", NULL },
	{ "unlink", -2, W | FAST, 1, -1, 1, NULL, del_command, "generic",
	  "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
	  "4.0.0", "key [key ...]", "@keyspace @write @fast", NULL },
	{ "exists", -2, RO | FAST | LF, 1, -1, 1, NULL, exists_command, "generic",
	  "Determine if a key exists", "1.0.0", "key [key ...]",
	  "@keyspace @read @fast", NULL },
	{ "type", 2, RO | FAST | LF, 1, 1, 1, NULL, type_command, "generic",
	  "Determine the type stored at key", "1.0.0", "key",
	  "@keyspace @read @fast", NULL },
	{ "touch", -2, RO | FAST, 1, -1, 1, NULL, touch_command, "generic",
	  "Alters the last access time of a key(s). Returns the number of existing keys specified.",
	  "3.2.1", "key [key ...]", "@keyspace @read @fast", NULL },
	{ "expire", -3, W | FAST, 1, 1, 1, NULL, expire_command, "generic",
	  "Set a key's time to live in seconds", "1.0.0",
	  "key seconds [NX|XX|GT|LT]", "@keyspace @write @fast", NULL },
	{ "pexpire", -3, W | FAST, 1, 1, 1, NULL, pexpire_command, "generic",
	  "Set a key's time to live in milliseconds", "2.6.0",
	  "key milliseconds [NX|XX|GT|LT]", "@keyspace @write @fast", NULL },
	{ "expireat", -3, W | FAST, 1, 1, 1, NULL, expireat_command, "generic",
	  "Set the expiration for a key as a UNIX timestamp", "1.2.0",
	  "key unix-time-seconds [NX|XX|GT|LT]", "@keyspace @write @fast", NULL },
	{ "pexpireat", -3, W | FAST, 1, 1, 1, NULL, pexpireat_command, "generic",
	  "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
	  "2.6.0", "key unix-time-milliseconds [NX|XX|GT|LT]",
	  "@keyspace @write @fast", NULL },
	{ "ttl", 2, RO | FAST | LF | RND, 1, 1, 1, NULL, ttl_command, "generic",
	  "Get the time to live for a key in seconds", "1.0.0", "key",
	  "@keyspace @read @fast", NULL },
	{ "pttl", 2, RO | FAST | LF | RND, 1, 1, 1, NULL, pttl_command, "generic",
	  "Get the time to live for a key in milliseconds", "2.6.0", "key",
	  "@keyspace @read @fast", NULL },
	{ "expiretime", 2, RO | FAST | LF, 1, 1, 1, NULL, expiretime_command,
	  "generic", "Get the expiration Unix timestamp for a key", "7.0.0", "key",
	  "@keyspace @read @fast", NULL },
	{ "pexpiretime", 2, RO | FAST | LF, 1, 1, 1, NULL, pexpiretime_command,
	  "generic", "Get the expiration Unix timestamp for a key in milliseconds",
	  "7.0.0", "key", "@keyspace @read @fast", NULL },
	{ "persist", 2, W | FAST, 1, 1, 1, NULL, persist_command, "generic",
	  "Remove the expiration from a key", "2.2.0", "key",
	  "@keyspace @write @fast", NULL },
	{ "keys", 2, RO | NOLOCK | RND, 0, 0, 0, NULL, keys_command, "generic",
	  "Find all keys matching the given pattern", "1.0.0", "pattern",
	  "@keyspace @read @slow @dangerous", NULL },
	{ "scan", -2, RO | NOLOCK | RND, 0, 0, 0, NULL, scan_command, "generic",
	  "Incrementally iterate the keys space", "2.8.0",
	  "cursor [MATCH pattern] [COUNT count] [TYPE type]",
	  "@keyspace @read @slow", NULL },
	{ "randomkey", 1, RO | NOLOCK | RND, 0, 0, 0, NULL, randomkey_command,
	  "generic", "Return a random key from the keyspace", "1.0.0", "",
	  "@keyspace @read @slow", NULL },
	{ "rename", 3, W, 1, 2, 1, NULL, rename_command, "generic",
	  "Rename a key", "1.0.0", "key newkey", "@keyspace @write @slow", NULL },
	{ "renamenx", 3, W | FAST, 1, 2, 1, NULL, renamenx_command, "generic",
	  "Rename a key, only if the new key does not exist", "1.0.0",
	  "key newkey", "@keyspace @write @fast", NULL },
	{ "dbsize", 1, RO | FAST, 0, 0, 0, NULL, dbsize_command, "server",
	  "Return the number of keys in the selected database", "1.0.0", "",
	  "@keyspace @read @fast", NULL },
	{ "flushdb", -1, W | ALL, 0, 0, 0, NULL, flushdb_command, "server",
	  "Remove all keys from the current database", "1.0.0", "[ASYNC|SYNC]",
	  "@keyspace @write @slow @dangerous", NULL },
	{ "flushall", -1, W | ALL, 0, 0, 0, NULL, flushall_command, "server",
	  "Remove all keys from all databases", "1.0.0", "[ASYNC|SYNC]",
	  "@keyspace @write @slow @dangerous", NULL },
	{ "swapdb", 3, W | FAST | ALL, 0, 0, 0, NULL, swapdb_command, "server",
	  "Swaps two Redis databases", "4.0.0", "index1 index2",
	  "@keyspace @write @fast @dangerous", NULL },
	{ "select", 2, ST_CMD_LOADING | ST_CMD_STALE | FAST, 0, 0, 0, NULL,
	  select_command, "connection",
	  "Change the selected database for the current connection", "1.0.0",
	  "index", "@fast @connection", NULL },
	{ "object", -2, 0, 0, 0, 0, NULL, container_command, "generic",
	  "A container for object introspection commands", "2.2.3", "",
	  "@slow", object_subcmds },
	{ "memory", -2, 0, 0, 0, 0, NULL, container_command, "server",
	  "A container for memory diagnostics commands", "4.0.0", "",
	  "@slow", memory_subcmds },
	{ 0 }
};
