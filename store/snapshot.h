/*
 * snapshot.h -- point-in-time images of the live keyspace, without pausing
 * writers and without fork.
 *
 * A snapshot is the keyspace exactly as it was right after write record S
 * (wlog.h): a replica that loads it and then applies the records with
 * seq > S ends identical to the primary.
 *
 * How (the long version is at the top of snapshot.c):
 *  - st_snapshot_begin() holds every stripe lock for an instant, bumps the
 *    snapshot generation, marks it active and reads S = st_wlog_last_seq().
 *    Writers draw their sequence numbers under their stripe locks, so no
 *    write straddles S.
 *  - Every entry carries snap_gen.  Before a writer changes an entry that
 *    existed at S for the first time (in place, value, TTL, delete, expiry,
 *    eviction, rename, flush, swap), it calls st_snapshot_preserve(), which
 *    hands the entry -- still unchanged -- to ops->capture and sets snap_gen.
 *    Entries created while the snapshot is active get snap_gen at insertion
 *    (they did not exist at S).
 *  - The snapshot thread walks every database and, under each entry's
 *    stripe lock, serialises it only if st_snapshot_claim() says nobody did.
 *    So every key of S is serialised exactly once: by a writer (its
 *    pre-image) or by the walk (unchanged since S).
 *  - st_snapshot_end() holds every stripe lock again to clear the active
 *    state: a writer either finished its capture before end() returns or
 *    sees the snapshot inactive, so a stale callback is never called.
 *
 * One snapshot at a time (-EBUSY).  control/rdb_save.c builds the RDB image
 * on top of this (ctl_rdb_save_snapshot).
 */
#ifndef ST_SNAPSHOT_H
#define ST_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "keyspace.h"

struct st_snapshot_ops {
	/* Serialise the key of e (value + TTL) as it is now, which is how it
	 * was at S: it is called before the first change after S.  Called by
	 * any writer thread, with e's stripe lock held (and possibly every
	 * stripe), inside the RCU read side; it must not block, must not call
	 * into the keyspace API and must not take a stripe lock.  'db' is the
	 * database the key was in at S.  e's value may be an empty
	 * collection or a key whose TTL has passed. */
	void (*capture)(void *arg, int db, struct st_entry *e);
	void *arg;
};

/* The active generation, 0 when no snapshot is active.  Read by writers
 * under a stripe lock (begin/end change it with every stripe held). */
extern _Atomic uint32_t st_snapshot_gen_active;

/*
 * Begin a snapshot: takes every stripe lock (ascending), bumps the
 * generation, installs ops, reads *seq = S, releases.  Returns 0, or
 * -EBUSY if a snapshot is active.  Caller: any thread registered with the
 * store, online, holding no stripe lock.  ops must stay valid until
 * st_snapshot_end() returns.  Cost: 4096 lock/unlock pairs; writers wait
 * that long at most (measured in tests/unit/test_snapshot.c).
 */
int st_snapshot_begin(const struct st_snapshot_ops *ops, uint64_t *seq);

/*
 * End the active snapshot (no-op when none): takes every stripe lock,
 * clears the active state and the ops, releases.  When it returns no
 * capture callback runs or will run.  Caller: the owner of the snapshot
 * (the thread that began it), online, holding no stripe lock.
 */
void st_snapshot_end(void);

/* True while a snapshot is active (relaxed; exact only under a stripe
 * lock).  Any thread. */
static inline bool
st_snapshot_active(void)
{
	return atomic_load_explicit(&st_snapshot_gen_active,
				    memory_order_relaxed) != 0;
}

/*
 * The snapshot walk: claim e for serialisation.  True -- and e is marked
 * captured -- if a snapshot is active, e is still in its table and no
 * writer captured it yet; false otherwise.  Caller: the snapshot thread,
 * holding e's stripe lock, inside the RCU read side.
 */
bool st_snapshot_claim(struct st_entry *e);

/* Writers' slow path of st_snapshot_preserve (do not call directly). */
void st_snapshot_capture_slow(int db, struct st_entry *e, uint32_t gen);

/*
 * Writer side: call before changing e (which lives in database db) in any
 * way.  If a snapshot is active and e was not captured yet, capture it now
 * (ops->capture) and mark it.  Caller: holds e's stripe lock, RCU read
 * side.  Cost when no snapshot is active: one relaxed load.
 */
static inline void
st_snapshot_preserve(int db, struct st_entry *e)
{
	uint32_t g = atomic_load_explicit(&st_snapshot_gen_active,
					  memory_order_relaxed);

	if (__builtin_expect(g == 0, 1))
		return;
	if (atomic_load_explicit(&e->snap_gen, memory_order_relaxed) == g)
		return;
	st_snapshot_capture_slow(db, e, g);
}

/*
 * A new entry (created while a snapshot may be active): mark it as not
 * part of the snapshot.  Caller: holds the entry's stripe lock, before
 * publishing it.
 */
static inline void
st_snapshot_mark_new(struct st_entry *e)
{
	atomic_store_explicit(&e->snap_gen,
			      atomic_load_explicit(&st_snapshot_gen_active,
						   memory_order_relaxed),
			      memory_order_relaxed);
}

/*
 * Memory held by queued pre-images (bytes; the capture callback allocates
 * them with st_malloc and accounts them here, the save thread subtracts
 * them when it writes and frees them).  Like the copy-on-write pages of a
 * forked Redis and the buffers Redis leaves out of maxmemory
 * (freeMemoryGetNotCountedMemory), it is not counted against maxmemory:
 * eviction subtracts it, so a snapshot does not make writers evict keys
 * to pay for pre-images.  Any thread.
 */
void st_snapshot_mem_add(int64_t delta);
int64_t st_snapshot_mem(void);

/* Statistics (any thread, relaxed): captures by writers and claims by the
 * walk during the last/current snapshot, and the duration of the last
 * begin barrier in nanoseconds. */
struct st_snapshot_stats {
	uint64_t captures;
	uint64_t claims;
	uint64_t begin_ns;
};
void st_snapshot_get_stats(struct st_snapshot_stats *out);

#endif
