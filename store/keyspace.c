/*
 * keyspace.c -- the RCU keyspace shared by every polling core.
 *
 * Design note
 * -----------
 * Terms: a "reader" is a thread that looks keys up without holding a stripe
 * lock (ST_CMD_LOCKFREE commands: GET, EXISTS, TTL, ...); a "writer" holds
 * the stripe locks of the keys it changes (the dispatcher takes them from the
 * command table before the handler runs).
 *
 * 1. Databases.  Each of the 16 databases is a cds_lfht (liburcu's
 *    split-ordered lock-free hash table, QSBR flavour, auto-resizing).  Nodes
 *    are st_entry: the key bytes, an atomic pointer to the value, an atomic
 *    absolute expiry time, a version for WATCH and an LRU clock.  Lookups
 *    take no lock; every worker thread is a registered QSBR reader that
 *    announces a quiescent state once per poll-loop iteration, and holds no
 *    entry or value pointer across it.
 *
 * 2. Stripes.  Writes to a key serialise on one of ST_STRIPES stripe locks
 *    chosen by the key's hash.  A stripe word is a sequence lock: odd while
 *    held, incremented on acquire and on release.  Writers of several keys
 *    take their stripes in ascending order (no deadlock), and release them
 *    only when the whole command (or MULTI/EXEC transaction) is applied and
 *    its write-log record is numbered.  A reader notes the word of each
 *    stripe it reads (waiting while it is odd), reads, then checks that no
 *    word changed; if one did it discards its reply and runs again.  So a
 *    reader never observes half of a multi-key write or of a transaction,
 *    and never writes shared memory.  The cost: a reader spins while a write
 *    to its stripe is in flight (a few hundred ns), and writers pay one
 *    uncontended CAS and one store per stripe.
 *
 * 3. Values.  Strings are immutable: a write publishes a new st_string with
 *    rcu_assign_pointer semantics (release store) and frees the old one with
 *    call_rcu.  Collections are mutated in place by the writer holding the
 *    stripe; commands that read collections take the stripe lock too (they
 *    are not ST_CMD_LOCKFREE).  A point-in-time snapshot (snapshot.h) has
 *    every change path below call st_snapshot_preserve() before it changes
 *    an entry: the entry's pre-image is serialised before its first change
 *    after the snapshot's sequence number.
 *
 * 4. Order.  Writers draw the record's sequence number from the global
 *    counter in wlog.c after applying and before unlocking, so for any key,
 *    sequence order = apply order.  Lazy expiry under a lock emits its DEL
 *    record on the spot, which therefore precedes the command's record.
 *
 * 5. Reclamation.  cds_lfht_del() unlinks; the entry (and its value) are
 *    freed by a call_rcu callback after a grace period.  st_store_shutdown()
 *    runs rcu_barrier().
 *
 * 6. Iteration.  The split-ordered list keeps nodes sorted by bit-reversed
 *    hash, and a node never moves while it lives (resizes only add or drop
 *    bucket nodes).  SCAN's cursor is therefore a reverse-hash position: to
 *    resume, we insert a marker node just before that position, walk on from
 *    it, and delete it.  Keys present for the whole scan are returned at
 *    least once, whatever resizes happen in between.
 *
 * 7. Prefetch hints.  A lookup's cost is mostly cache misses: cds_lfht's
 *    bucket, the key's node (two lines: header and key bytes), its value,
 *    its stripe word.  A batch of pipelined requests can overlap those
 *    misses (st_keyspace_prefetch) if it knows where the nodes are before
 *    it looks them up, and cds_lfht's bucket table is internal to liburcu.
 *    So a direct-mapped array of ST_HINT_SLOTS words, indexed by the key's
 *    hash (not its database: SWAPDB moves nodes), remembers the node last inserted or written there
 *    (its pointer, with 16 hash bits as a tag in the pointer's unused top
 *    bits).  The hints are never a correctness input -- every command still
 *    finds its key with cds_lfht_lookup -- but they are dereferenced for
 *    the value prefetch, so they obey RCU: a slot is written only under
 *    the key's stripe lock (insert, write), and unlink_entry clears the
 *    slot that points to its entry before call_rcu, so a hint read by an
 *    online reader points to memory not freed before its next quiescent
 *    state.  Readers never write hints (no cache line ping-pong).  The
 *    client only peeks ahead in databases of ST_PREFETCH_MIN_KEYS keys or
 *    more (client.h): in smaller ones it costs more than it hides.  So
 *    (ST_HINTS_AUTO) writes only set hints in databases that large, and an
 *    entry remembers that a slot was set to it (e->hinted): only those
 *    are looked up in the 8 MB array when unlinked, every other DEL skips
 *    that cache miss.  A database that grows past the threshold has no
 *    hints for its older keys until they are written again (they only
 *    miss a prefetch); one that shrinks below it keeps its hints until
 *    their keys go, still cleared on unlink (e->hinted travels with the
 *    node, SWAPDB included).
 */
#include "keyspace.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "config.h"
#include "reclaim.h"
#include "resp_compose.h"
#include "snapshot.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

struct stripe {
	_Atomic uint64_t seq;
	_Atomic uint64_t del_epoch;
	char pad[64 - 2 * sizeof(uint64_t)];
};

static struct stripe stripes[ST_STRIPES] __attribute__((aligned(64)));
static struct st_db dbs[ST_DBNUM];
static _Atomic int replica_mode;

/* Prefetch hints (design note 7): 8 MB of zeroed address space (bss),
 * pages touched as keys are inserted.  Not accounted in used_memory, like
 * cds_lfht's own bucket tables: an index, not data a key owns. */
#define ST_HINT_BITS 20
#define ST_HINT_SLOTS (1u << ST_HINT_BITS)
#define ST_HINT_PTR_MASK ((UINT64_C(1) << 48) - 1)
static _Atomic uint64_t hints[ST_HINT_SLOTS] __attribute__((aligned(64)));
static _Atomic int hint_mode = ST_HINTS_AUTO;	/* enum st_hint_mode */

/* ---- stripes ------------------------------------------------------------ */

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

unsigned
st_stripe_of(uint64_t hash)
{
	return (unsigned)(hash >> 52) & (ST_STRIPES - 1);
}

void
st_stripe_lock(unsigned s)
{
	struct stripe *st = &stripes[s];
	unsigned spins = 0;

	for (;;) {
		uint64_t v = atomic_load_explicit(&st->seq, memory_order_relaxed);

		if (!(v & 1) &&
		    atomic_compare_exchange_weak_explicit(&st->seq, &v, v + 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return;
		if (++spins < 128)
			cpu_relax();
		else
			sched_yield();
	}
}

void
st_stripe_unlock(unsigned s)
{
	atomic_fetch_add_explicit(&stripes[s].seq, 1, memory_order_release);
}

uint64_t
st_stripe_read_begin(unsigned s)
{
	unsigned spins = 0;

	for (;;) {
		uint64_t v = atomic_load_explicit(&stripes[s].seq,
						  memory_order_acquire);
		if (!(v & 1))
			return v;
		if (++spins < 128)
			cpu_relax();
		else
			sched_yield();
	}
}

bool
st_stripe_read_retry(unsigned s, uint64_t begin)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&stripes[s].seq, memory_order_relaxed) !=
	       begin;
}

uint64_t
st_stripe_del_epoch(unsigned s)
{
	return atomic_load_explicit(&stripes[s].del_epoch, memory_order_relaxed);
}

uint64_t
st_key_hash(const char *key, size_t len)
{
	return st_hash64(key, len);
}

/* ---- lifetime ---------------------------------------------------------- */

int
st_keyspace_init(void)
{
	for (int i = 0; i < ST_DBNUM; i++) {
		if (dbs[i].ht != NULL)
			continue;
		dbs[i].ht = cds_lfht_new_flavor(1024, 1024, 0,
					 CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
					 &urcu_qsbr_flavor, NULL);
		if (dbs[i].ht == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
entry_free(struct st_entry *e)
{
	if (!e->value_moved)
		st_value_free(atomic_load_explicit(&e->val, memory_order_relaxed));
	st_free(e);
}

static void
entry_free_cb(void *p)
{
	entry_free(p);
}

static void marker_free_cb(void *p);
static void unlink_entry(struct st_worker *w, int db, struct st_entry *e);

/*
 * Shutdown, in two steps.  The tables' own resize threads may still be at
 * work (deletions shrink the tables), and they walk nodes under RCU, so:
 *  1. st_keyspace_clear() -- by a registered, online thread: unlink every
 *     entry and defer its free (grace period);
 *  2. st_keyspace_destroy() -- after rcu_barrier, by an offline or
 *     unregistered thread: destroy the (now empty) tables.
 */
void
st_keyspace_clear(struct st_worker *w)
{
	for (int i = 0; i < ST_DBNUM; i++) {
		struct cds_lfht_iter it;
		struct cds_lfht_node *n;

		if (dbs[i].ht == NULL)
			continue;
		for (cds_lfht_first(dbs[i].ht, &it);
		     (n = cds_lfht_iter_get_node(&it)) != NULL;
		     cds_lfht_next(dbs[i].ht, &it)) {
			struct st_entry *e = caa_container_of(n, struct st_entry, node);

			if (e->marker) {
				if (cds_lfht_del(dbs[i].ht, n) == 0)
					st_defer_free(marker_free_cb, e);
			} else {
				unlink_entry(w, i, e);
			}
		}
	}
}

void
st_keyspace_destroy(void)
{
	for (int i = 0; i < ST_DBNUM; i++) {
		if (dbs[i].ht == NULL)
			continue;
		if (cds_lfht_destroy(dbs[i].ht, NULL) != 0)
			continue;	/* not empty: leave it (never at shutdown) */
		dbs[i].ht = NULL;
		dbs[i].keys = 0;
		dbs[i].expires = 0;
	}
}

/* ---- explicit growth ---------------------------------------------------- */

/* The size each table was last grown to here (the table, as SWAPDB moves
 * tables between databases); 0 = never. */
static struct {
	struct cds_lfht *ht;
	unsigned long size;
} grown[ST_DBNUM];
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;

int
st_keyspace_grow(void)
{
	int resized = 0;

	pthread_mutex_lock(&grow_lock);
	for (int i = 0; i < ST_DBNUM; i++) {
		struct cds_lfht *ht = rcu_dereference(dbs[i].ht);
		long long keys = st_db_size(i);
		unsigned long size = 1024, target = 1024;

		if (ht == NULL)
			continue;
		if (grown[i].ht == ht)
			size = grown[i].size;
		if (keys <= (long long)size)
			continue;
		while (target < (unsigned long)keys && target < (1UL << 30))
			target <<= 1;
		if (target <= size)
			continue;
		/* synchronous: offline while it works (liburcu) */
		cds_lfht_resize(ht, target);
		grown[i].ht = ht;
		grown[i].size = target;
		resized++;
	}
	pthread_mutex_unlock(&grow_lock);
	return resized;
}

unsigned long
st_keyspace_grown_size(int db)
{
	unsigned long size = 1024;

	if (db < 0 || db >= ST_DBNUM)
		return 0;
	pthread_mutex_lock(&grow_lock);
	if (grown[db].ht != NULL &&
	    grown[db].ht == rcu_dereference(dbs[db].ht))
		size = grown[db].size;
	pthread_mutex_unlock(&grow_lock);
	return size;
}

struct st_db *
st_db_get(int id)
{
	return &dbs[id];
}

void
st_keyspace_set_replica(bool on)
{
	atomic_store(&replica_mode, on ? 1 : 0);
}

bool
st_keyspace_is_replica(void)
{
	return atomic_load_explicit(&replica_mode, memory_order_relaxed) != 0;
}

/* ---- lookup ------------------------------------------------------------- */

struct key_ref {
	const char *p;
	size_t len;
};

static int
match_key(struct cds_lfht_node *node, const void *arg)
{
	struct st_entry *e = caa_container_of(node, struct st_entry, node);
	const struct key_ref *k = arg;

	/* Pairs with the release store that ends entry_new(): the entry was
	 * published through cds_lfht, whose barriers TSan cannot see.  On
	 * x86 an acquire load is a plain load. */
	(void)atomic_load_explicit(&e->version, memory_order_acquire);
	return !e->marker && e->keylen == k->len &&
	       memcmp(e->key, k->p, k->len) == 0;
}

static struct cds_lfht *
db_ht(int db)
{
	return rcu_dereference(dbs[db].ht);
}

/* ---- prefetch hints (design note 7) ------------------------------------- */

/* The slot depends on the hash only, not on the database: SWAPDB moves
 * nodes between databases, and unlink_entry must find the slot that may
 * name its node.  A hint naming the same key of another database only
 * wastes a prefetch. */
static inline _Atomic uint64_t *
hint_slot(uint64_t hash)
{
	return &hints[hash & (ST_HINT_SLOTS - 1)];
}

static inline uint64_t
hint_word(const struct st_entry *e)
{
	return (uint64_t)(uintptr_t)e | ((e->hash >> 32) << 48);
}

void
st_keyspace_set_hints(enum st_hint_mode mode)
{
	atomic_store_explicit(&hint_mode, (int)mode, memory_order_relaxed);
}

/* Whether a write to database db keeps its key's hint (st_hint_mode). */
static inline bool
hints_wanted(int db)
{
	int mode = atomic_load_explicit(&hint_mode, memory_order_relaxed);

	if (mode == ST_HINTS_AUTO)
		return atomic_load_explicit(&dbs[db].keys,
					    memory_order_relaxed) >=
		       ST_PREFETCH_MIN_KEYS;
	return mode == ST_HINTS_ALL;
}

/* Remember e as its slot's node, if database db keeps hints.  Stripe of e
 * held (or all stripes), and e not unlinked (a new entry: before it is
 * published). */
static inline void
hint_set(int db, struct st_entry *e)
{
	_Atomic uint64_t *slot;
	uint64_t w;

	if (!hints_wanted(db))
		return;
	if ((uintptr_t)e > ST_HINT_PTR_MASK)
		return;		/* no room for the tag (57-bit addresses) */
	slot = hint_slot(e->hash);
	w = hint_word(e);
	e->hinted = 1;
	if (atomic_load_explicit(slot, memory_order_relaxed) != w)
		atomic_store_explicit(slot, w, memory_order_release);
}

/* e is about to be passed to call_rcu: no hint may point to it after. */
static inline void
hint_clear(struct st_entry *e)
{
	_Atomic uint64_t *slot;
	uint64_t w;

	if (!e->hinted)
		return;		/* no slot was ever set to it */
	slot = hint_slot(e->hash);
	w = hint_word(e);
	if (atomic_load_explicit(slot, memory_order_relaxed) == w)
		atomic_compare_exchange_strong_explicit(slot, &w, 0,
							memory_order_relaxed,
							memory_order_relaxed);
}

/* The node the hint names for hash, or NULL (none, or another hash's). */
static inline struct st_entry *
hint_get(uint64_t hash)
{
	uint64_t w = atomic_load_explicit(hint_slot(hash),
					  memory_order_acquire);

	if (w == 0 || (w >> 48) != ((hash >> 32) & 0xffff))
		return NULL;
	return (struct st_entry *)(uintptr_t)(w & ST_HINT_PTR_MASK);
}

struct st_entry *
st_keyspace_hinted(uint64_t hash)
{
	return hint_get(hash);
}

void
st_keyspace_prefetch(const uint64_t *hash, int n)
{
	struct st_entry *e[ST_PREFETCH_MAX];

	if (n > ST_PREFETCH_MAX)
		n = ST_PREFETCH_MAX;
	/* 1: the hint slots and stripe words (addresses from the hash) */
	for (int i = 0; i < n; i++) {
		__builtin_prefetch(hint_slot(hash[i]), 0, 3);
		__builtin_prefetch(&stripes[st_stripe_of(hash[i])], 0, 3);
	}
	/* 2: the nodes: the header (cds_lfht compares the reverse hash)
	 * and the key bytes, on the next line for most keys */
	for (int i = 0; i < n; i++) {
		e[i] = hint_get(hash[i]);
		if (e[i] != NULL) {
			__builtin_prefetch(e[i], 0, 3);
			__builtin_prefetch((const char *)e[i] + 64, 0, 3);
		}
	}
	/* 3: the values (a hinted node is not freed before our next
	 * quiescent state: design note 7) */
	for (int i = 0; i < n; i++) {
		if (e[i] != NULL)
			__builtin_prefetch(atomic_load_explicit(&e[i]->val,
						memory_order_acquire), 0, 3);
	}
}

/* The entry of a node reached by walking a table.  The acquire load pairs
 * with the release store that ends entry_new() / seek(), as in match_key:
 * cds_lfht's own barriers are invisible to TSan.  A plain load on x86. */
static inline struct st_entry *
walked_entry(struct cds_lfht_node *n)
{
	struct st_entry *e = caa_container_of(n, struct st_entry, node);

	(void)atomic_load_explicit(&e->version, memory_order_acquire);
	return e;
}

/* The raw entry, expired or not. */
static struct st_entry *
find_raw(int db, const char *key, size_t len, uint64_t hash)
{
	struct cds_lfht_iter it;
	struct key_ref k = { key, len };
	struct cds_lfht_node *n;

	cds_lfht_lookup(db_ht(db), (unsigned long)hash, match_key, &k, &it);
	n = cds_lfht_iter_get_node(&it);
	return n ? caa_container_of(n, struct st_entry, node) : NULL;
}

bool
st_entry_expired(struct st_entry *e, int64_t now_ms)
{
	int64_t when = atomic_load_explicit(&e->expire_ms, memory_order_relaxed);

	return when >= 0 && when <= now_ms;
}

int64_t
st_get_expire(struct st_entry *e)
{
	return atomic_load_explicit(&e->expire_ms, memory_order_relaxed);
}

static inline int64_t
cmd_now(struct st_client *c)
{
	return c->cmd_time_ms ? c->cmd_time_ms : st_mstime();
}

static void
emit_del(int db, const char *key, size_t len)
{
	struct st_arg argv[2] = { { "DEL", 3 }, { key, len } };
	struct st_wlog_cmd cmd = { db, 2, argv };
	struct st_wlog_rec rec = { 0, 1, &cmd };

	st_wlog_emit(&rec);
}

/* Unlink e from db and free it after a grace period.  Stripe held.  An
 * active snapshot gets the entry first (its value stays intact until the
 * grace period ends, even when st_db_take hands it on). */
static void
unlink_entry(struct st_worker *w, int db, struct st_entry *e)
{
	if (cds_lfht_del(db_ht(db), &e->node) != 0)
		return;		/* someone else removed it */
	hint_clear(e);
	st_snapshot_preserve(db, e);
	atomic_fetch_sub(&dbs[db].keys, 1);
	if (atomic_load_explicit(&e->expire_ms, memory_order_relaxed) >= 0)
		atomic_fetch_sub(&dbs[db].expires, 1);
	atomic_fetch_add_explicit(&stripes[st_stripe_of(e->hash)].del_epoch, 1,
				  memory_order_relaxed);
	atomic_store_explicit(&e->version, st_worker_next_version(w),
			      memory_order_relaxed);
	st_defer_free(entry_free_cb, e);
}

/*
 * Expire e if its time has passed.  Only under the stripe lock, only on a
 * primary: the key is deleted and a DEL is written to the log.  Returns true
 * if e is logically expired (deleted or not).
 */
static bool
expire_if_needed(struct st_client *c, int db, struct st_entry *e)
{
	if (!st_entry_expired(e, cmd_now(c)))
		return false;
	if ((c->flags & ST_CLIENT_LOCKFREE_READ) || st_keyspace_is_replica())
		return true;
	if (c->flags & ST_CLIENT_MASTER)
		return true;
	unlink_entry(c->w, db, e);
	emit_del(db, e->key, e->keylen);
	ST_STAT_INC(c->w, expired);
	return true;
}

bool
st_keyspace_remove_key(struct st_worker *w, int db, const char *key,
			size_t len, bool only_if_expired)
{
	uint64_t h = st_key_hash(key, len);
	unsigned s = st_stripe_of(h);
	struct st_entry *e;
	bool removed = false;

	st_stripe_lock(s);
	e = find_raw(db, key, len, h);
	if (e != NULL && (!only_if_expired || st_entry_expired(e, st_mstime()))) {
		unlink_entry(w, db, e);
		emit_del(db, key, len);
		if (only_if_expired)
			ST_STAT_INC(w, expired);
		else
			ST_STAT_INC(w, evicted);
		removed = true;
	}
	st_stripe_unlock(s);
	return removed;
}

enum { LK_READ = 1, LK_WRITE = 2, LK_NOSTATS = 4 };

/* The key's hash, reusing the dispatcher's when it is the same key. */
static inline uint64_t
client_key_hash(struct st_client *c, const char *key, size_t len)
{
	if (key == c->hc_key && len == c->hc_len)
		return c->hc_hash;
	return st_key_hash(key, len);
}

static struct st_entry *
lookup(struct st_client *c, const char *key, size_t len, int how)
{
	uint64_t h = client_key_hash(c, key, len);
	struct st_entry *e = find_raw(c->db, key, len, h);

	if (e != NULL && expire_if_needed(c, c->db, e)) {
		/* A replica serving reads reports an expired key absent, as
		 * Redis 7.0 does; writes from the master still see it. */
		if (!(c->flags & ST_CLIENT_MASTER))
			e = NULL;
	}
	/* A write lookup may be followed by an in-place change: a snapshot
	 * gets the key first (the dispatcher usually did already). */
	if (e != NULL && (how & LK_WRITE))
		st_snapshot_preserve(c->db, e);
	if (!(how & LK_NOSTATS)) {
		if (how & LK_READ) {
			if (e)
				ST_STAT_INC(c->w, hits);
			else
				ST_STAT_INC(c->w, misses);
		}
		if (e) {
			/* Write the shared line only when the second changed:
			 * readers on other cores keep it clean in their caches. */
			uint32_t now = (uint32_t)(cmd_now(c) / 1000);

			if (atomic_load_explicit(&e->lru, memory_order_relaxed) != now)
				atomic_store_explicit(&e->lru, now,
						      memory_order_relaxed);
		}
	}
	return e;
}

struct st_entry *
st_lookup_read(struct st_client *c, const char *key, size_t len)
{
	return lookup(c, key, len, LK_READ);
}

struct st_entry *
st_lookup_write(struct st_client *c, const char *key, size_t len)
{
	return lookup(c, key, len, LK_WRITE);
}

struct st_entry *
st_lookup_nostats(struct st_client *c, const char *key, size_t len)
{
	return lookup(c, key, len, LK_NOSTATS);
}

struct st_value *
st_lookup_value_read(struct st_client *c, const char *key, size_t len)
{
	struct st_entry *e = st_lookup_read(c, key, len);

	return e ? st_entry_value(e) : NULL;
}

struct st_value *
st_lookup_value_write(struct st_client *c, const char *key, size_t len)
{
	struct st_entry *e = st_lookup_write(c, key, len);

	return e ? st_entry_value(e) : NULL;
}

bool
st_check_type_or_reply(struct st_client *c, struct st_value *v, int type)
{
	if (type >= 0 && v->type != type) {
		st_reply_error(c, ST_ERR_WRONGTYPE);
		return false;
	}
	return true;
}

static struct st_value *
lookup_or_reply(struct st_client *c, struct st_entry *e, int type,
		const char *reply_if_missing)
{
	struct st_value *v;

	if (e == NULL) {
		if (reply_if_missing)
			st_reply_proto(c, reply_if_missing,
				       strlen(reply_if_missing));
		else
			st_reply_null(c);
		return NULL;
	}
	v = st_entry_value(e);
	if (!st_check_type_or_reply(c, v, type))
		return NULL;
	return v;
}

struct st_value *
st_lookup_read_or_reply(struct st_client *c, const char *key, size_t len,
			int type, const char *reply_if_missing)
{
	return lookup_or_reply(c, st_lookup_read(c, key, len), type,
			       reply_if_missing);
}

struct st_value *
st_lookup_write_or_reply(struct st_client *c, const char *key, size_t len,
			 int type, const char *reply_if_missing)
{
	return lookup_or_reply(c, st_lookup_write(c, key, len), type,
			       reply_if_missing);
}

/* ---- changes ------------------------------------------------------------ */

void
st_touch(struct st_client *c, struct st_entry *e)
{
	atomic_store_explicit(&e->version, st_worker_next_version(c->w),
			      memory_order_relaxed);
}

static struct st_entry *
entry_new(struct st_client *c, const char *key, size_t len, uint64_t h,
	  struct st_value *v)
{
	struct st_entry *e = st_malloc(sizeof(*e) + len + 1);

	cds_lfht_node_init(&e->node);
	e->hash = h;
	atomic_init(&e->val, v);
	atomic_init(&e->expire_ms, -1);
	atomic_init(&e->version, 0);
	atomic_init(&e->lru, (uint32_t)(cmd_now(c) / 1000));
	e->keylen = (uint32_t)len;
	e->marker = 0;
	e->value_moved = 0;
	e->hinted = 0;
	atomic_init(&e->snap_gen, 0);
	st_snapshot_mark_new(e);	/* not part of an active snapshot */
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	atomic_store_explicit(&e->version, st_worker_next_version(c->w),
			      memory_order_release);
	return e;
}

/* Put v in e, freeing the old value after a grace period. */
static void
entry_set_value(struct st_client *c, struct st_entry *e, struct st_value *v)
{
	struct st_value *old;

	st_snapshot_preserve(c->db, e);
	old = atomic_exchange_explicit(&e->val, v, memory_order_acq_rel);

	if (old != v)
		st_value_free_deferred(old);
	st_touch(c, e);
}

struct st_entry *
st_db_set(struct st_client *c, const char *key, size_t len,
	  struct st_value *v, bool keepttl)
{
	uint64_t h = client_key_hash(c, key, len);
	struct st_entry *e = find_raw(c->db, key, len, h);

	if (e != NULL) {
		/* An expired entry still present is reused as new -- except
		 * by the master's stream: for it the key is live (Redis's
		 * expireIfNeeded returns 0 for the master client), so SET ...
		 * KEEPTTL keeps the TTL exactly as the primary did. */
		if (!(c->flags & ST_CLIENT_MASTER) &&
		    st_entry_expired(e, cmd_now(c)))
			keepttl = false;
		if (!keepttl)
			st_remove_expire(c, e);
		entry_set_value(c, e, v);
		hint_set(c->db, e);
		return e;
	}
	e = entry_new(c, key, len, h, v);
	hint_set(c->db, e);	/* before it is published: design note 7 */
	cds_lfht_add(db_ht(c->db), (unsigned long)h, &e->node);
	atomic_fetch_add(&dbs[c->db].keys, 1);
	return e;
}

struct st_entry *
st_db_add(struct st_client *c, const char *key, size_t len, struct st_value *v)
{
	return st_db_set(c, key, len, v, false);
}

void
st_db_replace(struct st_client *c, struct st_entry *e, struct st_value *v)
{
	entry_set_value(c, e, v);
}

struct st_value *
st_db_take(struct st_client *c, struct st_entry *e)
{
	struct st_value *v = st_entry_value(e);

	e->value_moved = 1;
	unlink_entry(c->w, c->db, e);
	return v;
}

void
st_db_delete_entry(struct st_client *c, int db, struct st_entry *e)
{
	unlink_entry(c->w, db, e);
}

bool
st_db_delete(struct st_client *c, const char *key, size_t len)
{
	uint64_t h = client_key_hash(c, key, len);
	struct st_entry *e = find_raw(c->db, key, len, h);
	bool live;

	if (e == NULL)
		return false;
	live = !st_entry_expired(e, cmd_now(c));
	unlink_entry(c->w, c->db, e);
	return live;
}

void
st_set_expire(struct st_client *c, struct st_entry *e, int64_t when_ms)
{
	int64_t old;

	st_snapshot_preserve(c->db, e);
	old = atomic_exchange_explicit(&e->expire_ms, when_ms,
				       memory_order_relaxed);
	if (old < 0 && when_ms >= 0)
		atomic_fetch_add(&dbs[c->db].expires, 1);
	else if (old >= 0 && when_ms < 0)
		atomic_fetch_sub(&dbs[c->db].expires, 1);
	st_touch(c, e);
}

bool
st_remove_expire(struct st_client *c, struct st_entry *e)
{
	if (atomic_load_explicit(&e->expire_ms, memory_order_relaxed) < 0)
		return false;
	st_set_expire(c, e, -1);
	return true;
}

void
st_db_preserve_key(struct st_client *c, const char *key, size_t len)
{
	struct st_entry *e;

	if (!st_snapshot_active())
		return;
	e = find_raw(c->db, key, len, client_key_hash(c, key, len));
	if (e != NULL)
		st_snapshot_preserve(c->db, e);
}

/* Capture every not yet captured entry of db for an active snapshot (all
 * stripes held). */
static void
preserve_db(int db)
{
	struct cds_lfht *ht = db_ht(db);
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;

	for (cds_lfht_first(ht, &it); (n = cds_lfht_iter_get_node(&it)) != NULL;
	     cds_lfht_next(ht, &it)) {
		struct st_entry *e = walked_entry(n);

		if (!e->marker)
			st_snapshot_preserve(db, e);
	}
}

/* An active snapshot gets every entry as it unlinks it (unlink_entry). */
void
st_db_flush(struct st_client *c, int db)
{
	struct cds_lfht *ht = db_ht(db);
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;

	/* (not cds_lfht_for_each_entry: it forms container_of(NULL)) */
	for (cds_lfht_first(ht, &it); (n = cds_lfht_iter_get_node(&it)) != NULL;
	     cds_lfht_next(ht, &it)) {
		struct st_entry *e = caa_container_of(n, struct st_entry, node);

		if (!e->marker)
			unlink_entry(c->w, db, e);
	}
	atomic_fetch_add(&dbs[db].flush_epoch, 1);
}

void
st_db_swap(struct st_client *c, int a, int b)
{
	struct st_db tmp;

	if (a == b)
		return;
	/* A snapshot walks databases by number: capture both databases whole
	 * first, so nothing in either table is left for its walk.  Slow (it
	 * serialises both databases with every stripe held) but exact, and
	 * only while a snapshot is active. */
	if (st_snapshot_active()) {
		preserve_db(a);
		preserve_db(b);
	}
	tmp.ht = dbs[a].ht;
	tmp.keys = atomic_load(&dbs[a].keys);
	tmp.expires = atomic_load(&dbs[a].expires);
	rcu_assign_pointer(dbs[a].ht, dbs[b].ht);
	atomic_store(&dbs[a].keys, atomic_load(&dbs[b].keys));
	atomic_store(&dbs[a].expires, atomic_load(&dbs[b].expires));
	rcu_assign_pointer(dbs[b].ht, tmp.ht);
	atomic_store(&dbs[b].keys, tmp.keys);
	atomic_store(&dbs[b].expires, tmp.expires);
	atomic_fetch_add(&dbs[a].flush_epoch, 1);
	atomic_fetch_add(&dbs[b].flush_epoch, 1);
}

size_t
st_entry_mem(const struct st_entry *e)
{
	struct st_value *v = atomic_load_explicit(&((struct st_entry *)e)->val,
						  memory_order_acquire);

	return st_alloc_size(e) + (v ? st_value_mem(v) : 0);
}

/* ---- iteration ---------------------------------------------------------- */

static inline uint64_t
bit_reverse64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
	v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
	v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
	v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
	v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
	return (v >> 32) | (v << 32);
}

static int
match_node(struct cds_lfht_node *node, const void *arg)
{
	return node == arg;
}

static void
marker_free_cb(void *p)
{
	st_free(p);
}

/*
 * Position 'it' on the first node whose reverse hash is >= pos (pos > 0),
 * using a temporary marker node.  Returns the marker (to drop with
 * marker_drop) or NULL if the position could not be set.
 */
static struct st_entry *
seek(struct cds_lfht *ht, uint64_t pos, struct cds_lfht_iter *it)
{
	struct st_entry *m = st_calloc(sizeof(*m));

	cds_lfht_node_init(&m->node);
	m->marker = 1;
	m->hash = bit_reverse64(pos - 1);
	atomic_store_explicit(&m->version, 0, memory_order_release);
	cds_lfht_add(ht, (unsigned long)m->hash, &m->node);
	cds_lfht_lookup(ht, (unsigned long)m->hash, match_node, &m->node, it);
	return m;
}

static void
marker_drop(struct cds_lfht *ht, struct st_entry *m)
{
	if (cds_lfht_del(ht, &m->node) == 0)
		st_defer_free(marker_free_cb, m);
}

static inline uint64_t
node_pos(struct st_entry *e)
{
	return bit_reverse64(e->hash);
}

static uint64_t
scan_generic(int db, uint64_t cursor, long count, bool with_expired,
	     bool (*fn)(struct st_entry *e, void *arg), void *arg)
{
	struct cds_lfht *ht = db_ht(db);
	struct cds_lfht_iter it;
	struct cds_lfht_node *n;
	struct st_entry *m = NULL;
	int64_t now = st_mstime();
	long seen = 0;

	if (cursor == 0) {
		cds_lfht_first(ht, &it);
	} else {
		m = seek(ht, cursor, &it);
		cds_lfht_next(ht, &it);
	}
	while ((n = cds_lfht_iter_get_node(&it)) != NULL) {
		struct st_entry *e = walked_entry(n);

		if (e->marker) {
			cds_lfht_next(ht, &it);
			continue;
		}
		if (seen >= count)
			break;
		seen++;
		if ((with_expired || !st_entry_expired(e, now)) && !fn(e, arg)) {
			cds_lfht_next(ht, &it);
			break;
		}
		cds_lfht_next(ht, &it);
	}
	/* Next cursor: the position of the next real node, 0 at the end. */
	while ((n = cds_lfht_iter_get_node(&it)) != NULL &&
	       walked_entry(n)->marker)
		cds_lfht_next(ht, &it);
	cursor = n ? node_pos(caa_container_of(n, struct st_entry, node)) : 0;
	if (n && cursor == 0)
		cursor = 1;	/* position 0 is only ever the first node */
	if (m)
		marker_drop(ht, m);
	return cursor;
}

uint64_t
st_db_scan(int db, uint64_t cursor, long count,
	   bool (*fn)(struct st_entry *e, void *arg), void *arg)
{
	return scan_generic(db, cursor, count, false, fn, arg);
}

uint64_t
st_db_scan_raw(int db, uint64_t cursor, long count,
	       bool (*fn)(struct st_entry *e, void *arg), void *arg)
{
	return scan_generic(db, cursor, count, true, fn, arg);
}

struct st_entry *
st_db_random(int db)
{
	struct cds_lfht *ht = db_ht(db);
	int64_t now = st_mstime();

	if (atomic_load_explicit(&dbs[db].keys, memory_order_relaxed) <= 0)
		return NULL;
	for (int tries = 0; tries < 16; tries++) {
		struct cds_lfht_iter it;
		struct cds_lfht_node *n;
		struct st_entry *m, *e = NULL;
		uint64_t pos = st_rand64() | 1;

		m = seek(ht, pos, &it);
		for (int step = 0; step < 2 && e == NULL; step++) {
			if (step == 0)
				cds_lfht_next(ht, &it);
			else
				cds_lfht_first(ht, &it);
			while ((n = cds_lfht_iter_get_node(&it)) != NULL) {
				struct st_entry *x = walked_entry(n);

				if (!x->marker) {
					e = x;
					break;
				}
				cds_lfht_next(ht, &it);
			}
		}
		marker_drop(ht, m);
		if (e == NULL)
			return NULL;
		if (!st_entry_expired(e, now) || tries == 15)
			return e;
	}
	return NULL;
}

long long
st_db_size(int db)
{
	return atomic_load_explicit(&dbs[db].keys, memory_order_relaxed);
}
