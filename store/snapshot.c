/*
 * snapshot.c -- point-in-time snapshots of the live keyspace (snapshot.h).
 *
 * Call chains:
 *   snapshot thread: ctl_rdb_save_snapshot -> st_snapshot_begin -> walk
 *     (st_db_scan -> stripe lock -> st_snapshot_claim -> serialise) ->
 *     st_snapshot_end
 *   writers: st_dispatch -> call_locked -> st_db_preserve_command_keys ->
 *     st_snapshot_preserve -> [st_snapshot_capture_slow -> ops->capture];
 *     keyspace.c's lookup (write) / set / expire / unlink / take / swap ->
 *     st_snapshot_preserve
 *
 * Design note
 * -----------
 * Redis gets its point-in-time image by forking; the kernel copies a page
 * before the parent's first write to it.  Here the unit is the key: a
 * writer serialises a key before its first change after S (copy on write,
 * done by the writer), and a walk serialises the keys nobody changed.
 *
 * Why it is exact:
 *  1. S.  Writers hold the stripe locks of every key they change from their
 *     lookups until after they draw their record's sequence number
 *     (command.c, wlog.c; lazy-expiry and eviction DELs too).  Begin holds
 *     every stripe while it reads S, so each record <= S is fully applied
 *     and each record > S has not started.
 *  2. Exactly once.  snap_gen is read and written only under the entry's
 *     stripe lock.  Whoever sees snap_gen != gen first (a writer about to
 *     change it, or the walk) serialises it and sets snap_gen = gen; the
 *     other skips it.  Entries created after S are born with gen.
 *  3. Nothing missed.  A key of S either stays unchanged until the walk
 *     reaches it (st_db_scan visits every key present for the whole walk
 *     at least once) or is changed/removed earlier, and then captured
 *     first.  FLUSHDB unlinks entry by entry (each captured); SWAPDB
 *     captures every unclaimed entry of both databases before swapping
 *     (slow, proportional to their size, but it keeps the walk's
 *     database numbers right: after it, nothing in either table is left
 *     for the walk).
 *  4. Nothing stale.  ops is read only by writers holding a stripe lock and
 *     set/cleared with every stripe held, so after st_snapshot_end() no
 *     capture can start, and every capture that started has finished.
 *
 * The generation is a 32-bit counter that skips 0 (0 = inactive); an entry
 * untouched for 2^32 snapshots could be mistaken for captured.
 */
#include "snapshot.h"

#include <errno.h>
#include <time.h>

#include "wlog.h"

_Atomic uint32_t st_snapshot_gen_active;

/* Only begin/end (one snapshot at a time) write these. */
static _Atomic int snap_busy;
static uint32_t snap_gen_ctr;
/* Read by writers under a stripe lock; written with every stripe held. */
static const struct st_snapshot_ops *snap_ops;

static _Atomic uint64_t stat_captures, stat_claims, stat_begin_ns;
static _Atomic int64_t snap_mem;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
lock_all(void)
{
	for (unsigned s = 0; s < ST_STRIPES; s++)
		st_stripe_lock(s);
}

static void
unlock_all(void)
{
	for (unsigned s = ST_STRIPES; s-- > 0;)
		st_stripe_unlock(s);
}

int
st_snapshot_begin(const struct st_snapshot_ops *ops, uint64_t *seq)
{
	int expected = 0;
	uint64_t t0;

	if (!atomic_compare_exchange_strong(&snap_busy, &expected, 1))
		return -EBUSY;
	atomic_store_explicit(&stat_captures, 0, memory_order_relaxed);
	atomic_store_explicit(&stat_claims, 0, memory_order_relaxed);
	t0 = mono_ns();
	lock_all();
	if (++snap_gen_ctr == 0)
		snap_gen_ctr = 1;
	snap_ops = ops;
	atomic_store_explicit(&st_snapshot_gen_active, snap_gen_ctr,
			      memory_order_relaxed);
	*seq = st_wlog_last_seq();
	unlock_all();
	atomic_store_explicit(&stat_begin_ns, mono_ns() - t0,
			      memory_order_relaxed);
	return 0;
}

void
st_snapshot_end(void)
{
	if (atomic_load(&snap_busy) == 0)
		return;
	lock_all();
	atomic_store_explicit(&st_snapshot_gen_active, 0, memory_order_relaxed);
	snap_ops = NULL;
	unlock_all();
	atomic_store(&snap_busy, 0);
}

bool
st_snapshot_claim(struct st_entry *e)
{
	uint32_t g = atomic_load_explicit(&st_snapshot_gen_active,
					  memory_order_relaxed);

	if (g == 0 || atomic_load_explicit(&e->snap_gen,
					   memory_order_relaxed) == g)
		return false;
	if (cds_lfht_is_node_deleted(&e->node))
		return false;	/* removed before S (a removal after S claims) */
	atomic_store_explicit(&e->snap_gen, g, memory_order_relaxed);
	atomic_fetch_add_explicit(&stat_claims, 1, memory_order_relaxed);
	return true;
}

void
st_snapshot_capture_slow(int db, struct st_entry *e, uint32_t gen)
{
	const struct st_snapshot_ops *ops = snap_ops;

	atomic_store_explicit(&e->snap_gen, gen, memory_order_relaxed);
	if (ops == NULL || ops->capture == NULL)
		return;
	ops->capture(ops->arg, db, e);
	atomic_fetch_add_explicit(&stat_captures, 1, memory_order_relaxed);
}

void
st_snapshot_mem_add(int64_t delta)
{
	atomic_fetch_add_explicit(&snap_mem, delta, memory_order_relaxed);
}

int64_t
st_snapshot_mem(void)
{
	return atomic_load_explicit(&snap_mem, memory_order_relaxed);
}

void
st_snapshot_get_stats(struct st_snapshot_stats *out)
{
	out->captures = atomic_load_explicit(&stat_captures,
					     memory_order_relaxed);
	out->claims = atomic_load_explicit(&stat_claims, memory_order_relaxed);
	out->begin_ns = atomic_load_explicit(&stat_begin_ns,
					     memory_order_relaxed);
}
