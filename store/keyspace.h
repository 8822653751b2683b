/*
 * keyspace.h -- the RCU keyspace: 16 databases of keys shared by all cores.
 *
 * Design (the long version is at the top of keyspace.c and in docs/design.md):
 *  - Each database is a liburcu lock-free hash table (cds_lfht, QSBR flavour)
 *    of st_entry nodes.  Lookups take no lock: a thread registered with
 *    st_thread_register() may read any entry and value until its next
 *    quiescent state (st_worker_quiescent(), once per poll-loop iteration).
 *  - Writers serialise per key on a striped lock (ST_STRIPES stripes, chosen
 *    by the key's hash).  The stripe word is also a sequence lock: it is odd
 *    while held, and its value changes on every release, so lock-free
 *    readers (GET, ...) validate that no writer touched their stripes while
 *    they read and retry otherwise.  Multi-key commands and transactions hold
 *    all their stripes at once (acquired in ascending order), so no reader
 *    ever sees half of them.
 *  - Every write takes its place in one global order: the dispatcher draws a
 *    sequence number from a global counter while it still holds the stripe
 *    locks of the keys written, so for each key the sequence order is its
 *    apply order (wlog.h).
 *  - Strings are immutable (replaced and freed with call_rcu); collections
 *    are mutated in place under the stripe lock and read under it.
 *  - Removed entries and replaced values are freed with call_rcu; nothing a
 *    reader may hold is freed before a grace period.
 *
 * The functions taking a client are for command handlers: they assume the
 * dispatcher holds the key's stripe lock (or, for ST_CMD_LOCKFREE commands,
 * that the handler only reads).  They never block.
 */
#ifndef ST_KEYSPACE_H
#define ST_KEYSPACE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <urcu/urcu-qsbr.h>
#include <urcu/rculfhash.h>

#include "object.h"

struct st_client;

#define ST_DBNUM 16
#define ST_STRIPES 4096

struct st_entry {
	struct cds_lfht_node node;
	struct rcu_head rcu;
	uint64_t hash;
	_Atomic(struct st_value *) val;
	_Atomic int64_t expire_ms;	/* absolute unix ms, -1 = none */
	_Atomic uint64_t version;	/* changes on every modification (WATCH) */
	_Atomic uint32_t lru;		/* LRU clock (seconds resolution) */
	uint32_t keylen;
	uint8_t marker;			/* cursor marker node, not a key */
	uint8_t value_moved;		/* value handed on by st_db_take */
	uint8_t hinted;			/* a hint slot was set to it (may be
					 * stale); under its stripe lock */
	/* Point-in-time snapshot generation that already has this key
	 * (snapshot.h); in the padding before key[], so it costs no space.
	 * Read and written under the key's stripe lock. */
	_Atomic uint32_t snap_gen;
	char key[];			/* keylen bytes + NUL */
};

struct st_db {
	struct cds_lfht *ht;
	_Atomic long long keys;		/* live entries (DBSIZE) */
	_Atomic long long expires;	/* entries with a TTL */
	_Atomic uint64_t flush_epoch;	/* bumped by FLUSHDB/FLUSHALL/SWAPDB */
	_Atomic uint64_t expire_cursor;	/* active expiry position (reverse hash) */
};

/* ---- lifetime ----------------------------------------------------------- */
/* Create the databases; call once before any worker runs. */
int st_keyspace_init(void);
/* Shutdown: unlink every key (a registered, online thread; frees are
 * deferred), then -- after rcu_barrier, offline -- destroy the tables.
 * st_store_shutdown() does both. */
struct st_worker;
void st_keyspace_clear(struct st_worker *w);
void st_keyspace_destroy(void);
struct st_db *st_db_get(int id);	/* 0..ST_DBNUM-1 */

/*
 * Grow each database's hash table to one bucket per key (the next power of
 * two above its key count) where it has not been grown that far here yet.
 * liburcu grows a table lazily, only once it holds 8 or more nodes per
 * bucket, and not always (BENCHMARKS.md, "Where ferryd's cycles go"): a
 * GET then walks long chains.  Each resize runs synchronously in the
 * caller (cds_lfht_resize: offline while it works; milliseconds per 100k
 * keys), so: a registered thread that may block, never a data core, for
 * instance the control thread's periodic work; serialised by a mutex
 * inside.  Returns how many tables it resized.
 */
int st_keyspace_grow(void);
/* The bucket count st_keyspace_grow() last gave database db's current
 * table (1024 when it has not grown it).  Any thread. */
unsigned long st_keyspace_grown_size(int db);

/* ---- stripes (used by the dispatcher; exposed for tests) --------------- */
unsigned st_stripe_of(uint64_t hash);
void st_stripe_lock(unsigned s);
void st_stripe_unlock(unsigned s);
uint64_t st_stripe_read_begin(unsigned s);	/* waits while odd */
bool st_stripe_read_retry(unsigned s, uint64_t begin);
uint64_t st_stripe_del_epoch(unsigned s);	/* for WATCH on absent keys */
uint64_t st_key_hash(const char *key, size_t len);

/* ---- handler API (stripe lock held, or lock-free read) ------------------- */

/* Find a live key.  An expired key is reported absent; if the caller holds
 * the lock (not a lock-free read) and this is a primary, the key is deleted
 * and a DEL is written to the write log, as Redis's expireIfNeeded.  Updates
 * the LRU clock and keyspace_hits/misses. */
struct st_entry *st_lookup_read(struct st_client *c, const char *key, size_t len);
struct st_entry *st_lookup_write(struct st_client *c, const char *key, size_t len);
/* Same, but no hit/miss statistics and no LRU touch. */
struct st_entry *st_lookup_nostats(struct st_client *c, const char *key, size_t len);

static inline struct st_value *
st_entry_value(struct st_entry *e)
{
	return atomic_load_explicit(&e->val, memory_order_acquire);
}

/* Value of a live key, or NULL if absent. */
struct st_value *st_lookup_value_read(struct st_client *c, const char *key, size_t len);
struct st_value *st_lookup_value_write(struct st_client *c, const char *key, size_t len);
/* As above; when absent reply with 'reply_if_missing' (raw protocol, e.g.
 * "$-1\r\n" or ":0\r\n"; NULL = st_reply_null) and return NULL.  When the
 * value has another type than 'type' reply WRONGTYPE and return NULL.
 * type < 0 skips the type check. */
struct st_value *st_lookup_read_or_reply(struct st_client *c, const char *key,
					 size_t len, int type,
					 const char *reply_if_missing);
struct st_value *st_lookup_write_or_reply(struct st_client *c, const char *key,
					  size_t len, int type,
					  const char *reply_if_missing);
/* true if v has the type; otherwise replies WRONGTYPE and returns false. */
bool st_check_type_or_reply(struct st_client *c, struct st_value *v, int type);

/* Add a key that does not exist (caller checked).  Takes ownership of v. */
struct st_entry *st_db_add(struct st_client *c, const char *key, size_t len,
			   struct st_value *v);
/* Set a key to v whether or not it exists (SET semantics): the old value is
 * freed after a grace period; the TTL is cleared unless keepttl.  Takes
 * ownership of v. */
struct st_entry *st_db_set(struct st_client *c, const char *key, size_t len,
			   struct st_value *v, bool keepttl);
/* Replace the value of an existing entry, keeping its TTL. */
void st_db_replace(struct st_client *c, struct st_entry *e, struct st_value *v);
/* Delete a key; true if it existed (live).  Frees after a grace period. */
bool st_db_delete(struct st_client *c, const char *key, size_t len);
void st_db_delete_entry(struct st_client *c, int db, struct st_entry *e);

/* Remove the key of entry e and hand its value to the caller instead of
 * freeing it (RENAME, SWAPDB-style moves without copying collections).
 * Readers that still hold e see the value until the grace period ends; the
 * caller must publish it under another key (or free it with
 * st_value_free_deferred).  Stripe of e held. */
struct st_value *st_db_take(struct st_client *c, struct st_entry *e);

/* TTLs in absolute unix milliseconds; -1 = none. */
int64_t st_get_expire(struct st_entry *e);
void st_set_expire(struct st_client *c, struct st_entry *e, int64_t when_ms);
bool st_remove_expire(struct st_client *c, struct st_entry *e);	/* true if it had one */

/* Mark a key modified: bumps its version (aborts WATCHers); in-place
 * collection changes must call it, as Redis's signalModifiedKey. */
void st_touch(struct st_client *c, struct st_entry *e);

/* Point-in-time snapshots (snapshot.h): capture the key of c's database
 * before a write changes it, if a snapshot is active and the key was not
 * captured yet.  The dispatcher calls it for every key of a write command
 * before its handler runs; keyspace.c's own change paths (write lookups,
 * set, expire, delete, take, flush, swap, expiry, eviction) call the
 * entry-level st_snapshot_preserve themselves.  Key's stripe lock held. */
void st_db_preserve_key(struct st_client *c, const char *key, size_t len);

/* Delete every key of a database / all databases (caller holds all stripes). */
void st_db_flush(struct st_client *c, int db);
/* Swap two databases (caller holds all stripes). */
void st_db_swap(struct st_client *c, int a, int b);

/* ---- iteration (RCU read side, no stripe lock) -------------------------- */

/* SCAN-style iteration in reverse-hash order from 'cursor' (0 = start):
 * calls fn for up to 'count' entries (markers and expired entries skipped;
 * fn returns false to stop early) and returns the cursor to continue from,
 * 0 when done.  Keys present for the whole scan are visited at least once. */
uint64_t st_db_scan(int db, uint64_t cursor, long count,
		    bool (*fn)(struct st_entry *e, void *arg), void *arg);
/* As st_db_scan, but expired entries are passed to fn too (active expiry). */
uint64_t st_db_scan_raw(int db, uint64_t cursor, long count,
			bool (*fn)(struct st_entry *e, void *arg), void *arg);
/* A random live entry, or NULL if the database is (nearly) empty. */
struct st_entry *st_db_random(int db);
/* Total live keys in a database. */
long long st_db_size(int db);

/* Replica mode: keys are not expired locally (the master sends DELs);
 * lookups still report logically expired keys as absent for reads. */
void st_keyspace_set_replica(bool on);
bool st_keyspace_is_replica(void);

/* Delete a key from outside any command (active expiry, eviction): takes
 * its stripe lock, deletes it (if only_if_expired, only when its TTL has
 * passed), writes a DEL to the write log, counts it as expired or evicted.
 * Caller holds no stripe lock.  True if removed. */
struct st_worker;
bool st_keyspace_remove_key(struct st_worker *w, int db, const char *key,
			    size_t len, bool only_if_expired);

/* ---- prefetch (design note 7 in keyspace.c) ----------------------------- */

#define ST_PREFETCH_MAX 16

/*
 * Start loading what the lookups of the keys with these hashes (from
 * st_key_hash; at most ST_PREFETCH_MAX are used) will touch: their stripe
 * words and, where the hint array names a node for the hash, the node and
 * its value.  Only software prefetches: no effect on any result, whatever
 * the hashes are (any database, keys absent or deleted meanwhile).
 * Registered, online thread (RCU read side: the hinted nodes are read);
 * no lock needed, none taken.
 */
void st_keyspace_prefetch(const uint64_t *hash, int n);

/*
 * Which writes keep hints (design note 7): ST_HINTS_AUTO (the default)
 * only in databases of ST_PREFETCH_MIN_KEYS keys or more, the only ones
 * whose hints AUTO prefetch reads; ST_HINTS_ALL everywhere; ST_HINTS_NONE
 * nowhere.  st_client_set_prefetch sets it with the prefetch mode (AUTO,
 * ALWAYS, OFF).  Any thread; takes effect at the next write.
 */
enum st_hint_mode {
	ST_HINTS_AUTO = 0,
	ST_HINTS_NONE,
	ST_HINTS_ALL,
};
void st_keyspace_set_hints(enum st_hint_mode mode);

/* For tests: the entry the hint array names for hash (tag checked), or
 * NULL.  RCU read side; the result is valid until the next quiescent
 * state, like any entry. */
struct st_entry *st_keyspace_hinted(uint64_t hash);

/* Memory owned by an entry (key, node, value). */
size_t st_entry_mem(const struct st_entry *e);

/* True if the key's TTL has passed (now = c->cmd_time_ms or st_mstime()). */
bool st_entry_expired(struct st_entry *e, int64_t now_ms);

#endif
