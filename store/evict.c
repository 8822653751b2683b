/*
 * evict.c -- maxmemory enforcement (see evict.h).
 *
 * Like Redis, an approximation: each round samples maxmemory-samples random
 * keys (st_db_random over the non-empty databases) and evicts the best
 * candidate for the policy -- the least recently used (LRU clock in the
 * entry), the one expiring soonest, or the first sampled -- until used
 * memory is back under the limit.  Freed memory is returned by call_rcu
 * after a grace period, so the check counts memory that is about to go away;
 * a round that evicts nothing usable ends with -ENOMEM.  The pre-images an
 * active point-in-time snapshot holds are not counted (snapshot.h), as
 * Redis does not count a forked child's copy-on-write pages.
 */
#include "evict.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "config.h"
#include "keyspace.h"
#include "snapshot.h"
#include "util.h"
#include "worker.h"

#define MAX_ROUNDS 1024

static bool
volatile_policy(int p)
{
	return p == ST_MM_VOLATILE_LRU || p == ST_MM_VOLATILE_RANDOM ||
	       p == ST_MM_VOLATILE_TTL;
}

/* Pick a victim; copies its name into key (caller frees). */
static bool
pick_victim(int policy, int samples, int *db_out, char **key, size_t *len,
	    size_t *mem)
{
	struct st_entry *best = NULL;
	int best_db = -1;
	int64_t best_score = 0;

	for (int i = 0; i < samples; i++) {
		int db = (int)(st_rand64() % ST_DBNUM);
		struct st_entry *e = NULL;
		int64_t score;

		for (int k = 0; k < ST_DBNUM && e == NULL; k++) {
			int d = (db + k) % ST_DBNUM;

			if (st_db_size(d) <= 0)
				continue;
			if (volatile_policy(policy) &&
			    atomic_load(&st_db_get(d)->expires) <= 0)
				continue;
			e = st_db_random(d);
			db = d;
		}
		if (e == NULL)
			break;
		if (volatile_policy(policy) && st_get_expire(e) < 0)
			continue;
		switch (policy) {
		case ST_MM_ALLKEYS_LRU:
		case ST_MM_VOLATILE_LRU:
			score = atomic_load(&e->lru);	/* older = smaller */
			break;
		case ST_MM_VOLATILE_TTL:
			score = st_get_expire(e);
			break;
		default:
			score = 0;
			break;
		}
		if (best == NULL || score < best_score) {
			best = e;
			best_db = db;
			best_score = score;
		}
	}
	if (best == NULL)
		return false;
	*db_out = best_db;
	*key = st_strndup(best->key, best->keylen);
	*len = best->keylen;
	*mem = st_entry_mem(best);
	return true;
}

/* Used memory as maxmemory sees it. */
static int64_t
counted_mem(void)
{
	return st_mem_used() - st_snapshot_mem();
}

int
st_evict_or_oom(struct st_client *c)
{
	long long limit = st_cfg.maxmemory;
	int policy = st_cfg.maxmemory_policy;
	int64_t used = counted_mem();

	if (limit <= 0 || used <= limit)
		return 0;
	if (policy == ST_MM_NOEVICTION)
		return -ENOMEM;
	/* Evicted memory returns after a grace period: count it as gone.  The
	 * figure is read once: sampling itself allocates (st_db_random's
	 * cursor markers, freed after a grace period; an active snapshot's
	 * pre-images), and re-reading it each round made eviction run on
	 * until the keyspace was empty.  Other threads' allocations meanwhile
	 * are seen by the next DENYOOM command. */
	int64_t freed = 0;

	for (int round = 0; round < MAX_ROUNDS && used - freed > limit;
	     round++) {
		char *key;
		size_t len, mem;
		int db;

		if (!pick_victim(policy, st_cfg.maxmemory_samples, &db, &key, &len,
				 &mem))
			return -ENOMEM;
		if (st_keyspace_remove_key(c->w, db, key, len, false))
			freed += (int64_t)mem;
		st_free(key);
	}
	/* Values freed by call_rcu are still counted until the grace period
	 * ends; one more check would refuse commands that eviction already
	 * made room for, so succeed if any eviction happened. */
	return 0;
}
