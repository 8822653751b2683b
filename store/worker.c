/*
 * worker.c -- thread registration, per-thread statistics, store lifetime.
 */
#include "worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "alloc.h"
#include "command.h"
#include "config.h"
#include "keyspace.h"
#include "reclaim.h"

static struct st_worker *workers[ST_MAX_WORKERS + 1];
static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct st_worker *self;

struct st_worker *
st_thread_register(void)
{
	struct st_worker *w = NULL;

	pthread_mutex_lock(&workers_lock);
	for (unsigned i = 1; i <= ST_MAX_WORKERS; i++) {
		if (workers[i] == NULL) {
			w = calloc(1, sizeof(*w));
			if (w == NULL)
				break;
			w->id = i;
			workers[i] = w;
			break;
		}
	}
	pthread_mutex_unlock(&workers_lock);
	if (w == NULL)
		return NULL;
	st_mem_set_slot(w->id);
	urcu_qsbr_register_thread();
	st_reclaim_thread_init();
	self = w;
	return w;
}

/*
 * The worker's statistics stay readable after it leaves: the slot is kept
 * (INFO totals must not go backwards); only the RCU registration ends.
 */
void
st_worker_quiescent(void)
{
	st_reclaim_tsan_release();
	urcu_qsbr_quiescent_state();
	st_reclaim_poll();
}

void
st_thread_unregister(struct st_worker *w)
{
	st_reclaim_thread_exit();
	st_reclaim_tsan_release();
	urcu_qsbr_unregister_thread();
	pthread_mutex_lock(&workers_lock);
	/* Keep the counters: fold them into slot 0's accumulator. */
	if (workers[0] == NULL)
		workers[0] = calloc(1, sizeof(*w));
	if (workers[0] != NULL) {
		struct st_worker_stats *d = &workers[0]->stats, *s = &w->stats;
		d->commands += s->commands;
		d->hits += s->hits;
		d->misses += s->misses;
		d->expired += s->expired;
		d->evicted += s->evicted;
		d->rejected_calls += s->rejected_calls;
		d->lockfree_retries += s->lockfree_retries;
	}
	workers[w->id] = NULL;
	pthread_mutex_unlock(&workers_lock);
	if (self == w)
		self = NULL;
	free(w);
	st_mem_set_slot(0);
}

struct st_worker *
st_worker_self(void)
{
	return self;
}

void
st_worker_offline(void)
{
	st_reclaim_tsan_release();
	urcu_qsbr_thread_offline();
}

void
st_worker_online(void)
{
	urcu_qsbr_thread_online();
}

uint64_t
st_stats_sum(unsigned offset)
{
	uint64_t sum = 0;

	pthread_mutex_lock(&workers_lock);
	for (unsigned i = 0; i <= ST_MAX_WORKERS; i++) {
		if (workers[i] != NULL) {
			_Atomic uint64_t *p = (_Atomic uint64_t *)
				((char *)&workers[i]->stats + offset);
			sum += atomic_load_explicit(p, memory_order_relaxed);
		}
	}
	pthread_mutex_unlock(&workers_lock);
	return sum;
}

int
st_store_init(void)
{
	int rc;

	st_config_defaults();
	st_cmd_init();
	rc = st_keyspace_init();
	return rc;
}

void
st_store_shutdown(void)
{
	struct st_worker *w = self;
	bool temporary = w == NULL;

	if (temporary)
		w = st_thread_register();
	if (w == NULL)
		return;
	st_keyspace_clear(w);
	if (temporary) {
		st_thread_unregister(w);	/* its batches free themselves */
		urcu_qsbr_barrier();
	} else {
		st_worker_quiescent();		/* seal this thread's batch */
		st_worker_offline();
		urcu_qsbr_barrier();
		st_worker_online();
		st_reclaim_poll();		/* run the frees now due */
		st_worker_offline();
	}
	st_keyspace_destroy();
	if (!temporary)
		st_worker_online();
}
