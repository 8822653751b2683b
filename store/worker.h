/*
 * worker.h -- the per-thread context of every thread that touches the store.
 *
 * QSBR discipline: each thread that reads or writes the keyspace calls
 * st_thread_register() once (it registers with urcu-qsbr and gets a worker
 * slot), calls st_worker_quiescent() once per poll-loop iteration (never
 * while holding a stripe lock or a pointer into the keyspace), goes offline
 * around anything that blocks (st_worker_offline/online), and calls
 * st_thread_unregister() before it exits.  Reclamation is call_rcu; at
 * shutdown the owner calls st_store_shutdown() (rcu_barrier).
 */
#ifndef ST_WORKER_H
#define ST_WORKER_H

#include <stdint.h>
#include <stdatomic.h>
#include <stddef.h>
#include <urcu/urcu-qsbr.h>

#define ST_MAX_WORKERS 126

struct st_worker_stats {
	_Atomic uint64_t commands;
	_Atomic uint64_t hits;
	_Atomic uint64_t misses;
	_Atomic uint64_t expired;
	_Atomic uint64_t evicted;
	_Atomic uint64_t rejected_calls;
	_Atomic uint64_t lockfree_retries;
};

struct st_worker {
	unsigned id;			/* 1..ST_MAX_WORKERS */
	uint64_t version_ctr;		/* source of unique entry versions */
	struct st_worker_stats stats;	/* read by INFO from any thread */
};

/* Register / unregister the calling thread (RCU + worker slot).  Returns the
 * worker, or NULL if all slots are taken. */
struct st_worker *st_thread_register(void);
void st_thread_unregister(struct st_worker *w);
struct st_worker *st_worker_self(void);

/* Once per poll-loop iteration: announce a quiescent state and run the
 * deferred frees whose grace period is over (reclaim.h). */
void st_worker_quiescent(void);

void st_worker_offline(void);
void st_worker_online(void);

/* A new unique version number for an entry (WATCH). */
static inline uint64_t
st_worker_next_version(struct st_worker *w)
{
	return ((uint64_t)w->id << 48) | ++w->version_ctr;
}

/* Sum a stat over all workers. */
uint64_t st_stats_sum(unsigned offset);
#define ST_STAT_SUM(field) st_stats_sum(offsetof(struct st_worker_stats, field))
#define ST_STAT_INC(w, field) \
	atomic_fetch_add_explicit(&(w)->stats.field, 1, memory_order_relaxed)

/* Initialise the whole store (config defaults, command table, keyspace). */
int st_store_init(void);
/* Drain call_rcu callbacks and free the keyspace (after workers stopped). */
void st_store_shutdown(void);

#endif
