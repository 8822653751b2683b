/*
 * expire.c -- the active expiry cycle (see expire.h).
 *
 * Call chain: poll loop -> st_expire_cycle -> st_db_scan_raw (RCU walk from
 * the database's saved cursor, at most 'budget' keys) -> copy the names of
 * the expired ones -> st_keyspace_remove_key (stripe lock, re-check, delete,
 * DEL in the write log).
 */
#include "expire.h"

#include "alloc.h"
#include "keyspace.h"
#include "util.h"
#include "worker.h"

#define MAX_BATCH 64

/* The database each call starts with rotates, so that a database with
 * volatile keys cannot take every call's budget. */
static _Atomic unsigned next_db;

struct batch {
	int64_t now;
	int n;
	char *keys[MAX_BATCH];
	size_t lens[MAX_BATCH];
};

static bool
collect_expired(struct st_entry *e, void *arg)
{
	struct batch *b = arg;

	if (st_entry_expired(e, b->now) && b->n < MAX_BATCH) {
		b->keys[b->n] = st_strndup(e->key, e->keylen);
		b->lens[b->n] = e->keylen;
		b->n++;
	}
	return true;
}

int
st_expire_cycle(struct st_worker *w, int budget)
{
	int expired = 0;
	unsigned start;

	if (st_keyspace_is_replica() || budget <= 0)
		return 0;
	start = atomic_fetch_add_explicit(&next_db, 1, memory_order_relaxed);
	for (int i = 0; i < ST_DBNUM && budget > 0; i++) {
		int db = (int)((start + (unsigned)i) % ST_DBNUM);
		struct st_db *d = st_db_get(db);
		long step = budget < MAX_BATCH ? budget : MAX_BATCH;
		uint64_t cursor;
		struct batch b;

		if (atomic_load_explicit(&d->expires, memory_order_relaxed) <= 0)
			continue;
		b.n = 0;
		b.now = st_mstime();
		cursor = atomic_load_explicit(&d->expire_cursor, memory_order_relaxed);
		cursor = st_db_scan_raw(db, cursor, step, collect_expired, &b);
		atomic_store_explicit(&d->expire_cursor, cursor, memory_order_relaxed);
		budget -= (int)step;
		for (int i = 0; i < b.n; i++) {
			if (st_keyspace_remove_key(w, db, b.keys[i], b.lens[i], true))
				expired++;
			st_free(b.keys[i]);
		}
	}
	return expired;
}
