/*
 * cmd_multi.c -- MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Queueing happens in the dispatcher (command.c): while ST_CLIENT_MULTI is
 * set every command but these is checked (existence, arity, auth, OOM) and
 * copied into c->mq.  EXEC runs the queue through st_cmd_exec_transaction(),
 * which holds the stripes of every queued command and every watched key for
 * the whole transaction: no other core sees half of it, and the WATCH check
 * below runs under the same locks, so no write can slip between the check
 * and the execution.
 *
 * WATCH records each key's version (entries get a new version on every
 * change, keyspace.h).  For a key absent when watched it records the delete
 * epoch of its stripe, so a key created and deleted again before EXEC still
 * aborts it (a delete of another key of the same stripe aborts it too: a
 * false positive, never a false negative).
 */
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "command.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"

static void
multi_command(struct st_client *c)
{
	if (c->flags & ST_CLIENT_MULTI) {
		st_reply_error(c, "MULTI calls can not be nested");
		return;
	}
	c->flags |= ST_CLIENT_MULTI;
	st_reply_ok(c);
}

static void
discard_command(struct st_client *c)
{
	if (!(c->flags & ST_CLIENT_MULTI)) {
		st_reply_error(c, "DISCARD without MULTI");
		return;
	}
	st_client_discard_multi(c);
	st_client_unwatch(c);
	st_reply_ok(c);
}

/* Under the stripe locks of every watched key. */
static bool
watched_keys_unchanged(struct st_client *c)
{
	int saved_db = c->db;
	bool ok = true;

	if (c->flags & ST_CLIENT_DIRTY_CAS)
		return false;
	for (int i = 0; i < c->nwatched && ok; i++) {
		struct st_watched_key *wk = &c->watched[i];
		struct st_entry *e;

		c->db = wk->db;
		e = st_lookup_nostats(c, wk->key, wk->len);
		if (wk->version != 0) {
			ok = e != NULL && atomic_load(&e->version) == wk->version;
		} else {
			uint64_t h = st_key_hash(wk->key, wk->len);

			ok = e == NULL &&
			     st_stripe_del_epoch(st_stripe_of(h)) == wk->del_epoch;
		}
	}
	c->db = saved_db;
	return ok;
}

static void
exec_command(struct st_client *c)
{
	if (!(c->flags & ST_CLIENT_MULTI)) {
		st_reply_error(c, "EXEC without MULTI");
		return;
	}
	if (c->flags & ST_CLIENT_DIRTY_EXEC) {
		st_reply_error(c, ST_ERR_EXECABORT);
		st_client_discard_multi(c);
		st_client_unwatch(c);
		return;
	}
	c->flags &= ~ST_CLIENT_MULTI;	/* so inner commands run, not queue */
	if (!st_cmd_exec_transaction(c, watched_keys_unchanged))
		st_reply_null_array(c);
	st_client_discard_multi(c);
	st_client_unwatch(c);
}

static void
watch_command(struct st_client *c)
{
	if (c->flags & ST_CLIENT_MULTI) {
		st_reply_error(c, "WATCH inside MULTI is not allowed");
		return;
	}
	for (int i = 1; i < c->argc; i++) {
		const char *k = c->argv[i].p;
		size_t len = c->argv[i].len;
		struct st_watched_key *wk;
		struct st_entry *e;
		bool dup = false;

		for (int j = 0; j < c->nwatched && !dup; j++)
			dup = c->watched[j].db == c->db &&
			      c->watched[j].len == len &&
			      memcmp(c->watched[j].key, k, len) == 0;
		if (dup)
			continue;
		if (c->nwatched == c->watched_cap) {
			c->watched_cap = c->watched_cap ? c->watched_cap * 2 : 4;
			c->watched = st_realloc(c->watched, sizeof(*c->watched) *
						(size_t)c->watched_cap);
		}
		e = st_lookup_nostats(c, k, len);
		wk = &c->watched[c->nwatched++];
		wk->db = c->db;
		wk->key = st_strndup(k, len);
		wk->len = len;
		wk->version = e ? atomic_load(&e->version) : 0;
		wk->del_epoch = st_stripe_del_epoch(st_stripe_of(st_key_hash(k, len)));
		wk->had_ttl_alive = e && st_get_expire(e) >= 0;
	}
	st_reply_ok(c);
}

static void
unwatch_command(struct st_client *c)
{
	st_client_unwatch(c);
	st_reply_ok(c);
}

const struct st_cmd st_cmds_multi[] = {
	{ "multi", 1, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE | ST_CMD_FAST |
	  ST_CMD_ALLOW_BUSY | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL, multi_command,
	  "transactions", "Starts a transaction.", "1.2.0", "",
	  "@fast @transaction", NULL },
	{ "exec", 1, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE |
	  ST_CMD_SKIP_SLOWLOG | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL, exec_command,
	  "transactions", "Executes all commands in a transaction.", "1.2.0", "",
	  "@slow @transaction", NULL },
	{ "discard", 1, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE | ST_CMD_FAST |
	  ST_CMD_ALLOW_BUSY | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL, discard_command,
	  "transactions", "Discards a transaction.", "2.0.0", "",
	  "@fast @transaction", NULL },
	{ "watch", -2, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE | ST_CMD_FAST |
	  ST_CMD_ALLOW_BUSY, 1, -1, 1, NULL, watch_command,
	  "transactions", "Monitors changes to keys to determine the execution of a transaction.",
	  "2.2.0", "key [key ...]", "@fast @transaction", NULL },
	{ "unwatch", 1, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE | ST_CMD_FAST |
	  ST_CMD_ALLOW_BUSY | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL, unwatch_command,
	  "transactions", "Forgets about watched keys of a transaction.", "2.2.0", "",
	  "@fast @transaction", NULL },
	{ 0 }
};
