/*
 * housekeep.c -- the store's housekeeping thread (housekeep.h).
 *
 * Call chain: ferryd main -> st_housekeep_start -> hk_main: every period
 * (a timed wait on a condition variable, offline for QSBR) ->
 * st_keyspace_grow -> cds_lfht_resize (synchronous, may take milliseconds
 * per 100k keys: this is why it runs here and not on a data core);
 * st_housekeep_stop -> signal, join.
 */
#include "housekeep.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "keyspace.h"
#include "worker.h"

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running;		/* under mu */
	bool stop;		/* under mu */
	unsigned period_ms;
	_Atomic unsigned long rounds;
} hk = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
};

static void *
hk_main(void *arg)
{
	struct st_worker *w = st_thread_register();

	(void)arg;
	for (;;) {
		struct timespec until;
		bool stop;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += hk.period_ms / 1000;
		until.tv_nsec += (long)(hk.period_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		st_worker_offline();
		pthread_mutex_lock(&hk.mu);
		while (!hk.stop &&
		       pthread_cond_timedwait(&hk.cv, &hk.mu, &until) == 0)
			;
		stop = hk.stop;
		pthread_mutex_unlock(&hk.mu);
		st_worker_online();
		if (stop)
			break;
		st_keyspace_grow();
		atomic_fetch_add_explicit(&hk.rounds, 1, memory_order_relaxed);
		st_worker_quiescent();
	}
	if (w != NULL)
		st_thread_unregister(w);
	return NULL;
}

int
st_housekeep_start(unsigned period_ms)
{
	pthread_condattr_t ca;
	int rc;

	pthread_mutex_lock(&hk.mu);
	if (hk.running) {
		pthread_mutex_unlock(&hk.mu);
		return -EALREADY;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hk.cv, &ca);
	pthread_condattr_destroy(&ca);
	hk.period_ms = period_ms ? period_ms : ST_HOUSEKEEP_PERIOD_MS;
	hk.stop = false;
	atomic_store(&hk.rounds, 0);
	rc = pthread_create(&hk.thread, NULL, hk_main, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&hk.cv);
		pthread_mutex_unlock(&hk.mu);
		return -rc;
	}
	hk.running = true;
	pthread_mutex_unlock(&hk.mu);
	return 0;
}

void
st_housekeep_stop(void)
{
	pthread_mutex_lock(&hk.mu);
	if (!hk.running) {
		pthread_mutex_unlock(&hk.mu);
		return;
	}
	hk.stop = true;
	pthread_cond_signal(&hk.cv);
	pthread_mutex_unlock(&hk.mu);
	pthread_join(hk.thread, NULL);
	pthread_mutex_lock(&hk.mu);
	hk.running = false;
	pthread_cond_destroy(&hk.cv);
	pthread_mutex_unlock(&hk.mu);
}

unsigned long
st_housekeep_rounds(void)
{
	return atomic_load_explicit(&hk.rounds, memory_order_relaxed);
}
