/*
 * housekeep.h -- the store's housekeeping thread: periodic work that may
 * block and so must never run on a data core.
 *
 * Today one job: st_keyspace_grow() once per period, so that a growing
 * database's hash table gets one bucket per key instead of waiting for
 * liburcu's lazy growth (which starts only at 8+ nodes per bucket, and
 * sometimes stalls: GETs then walk chains of hundreds; BENCHMARKS.md).
 *
 * Concurrency: start/stop from one controlling thread (ferryd's main
 * thread), after st_store_init and before st_store_shutdown.  The thread
 * is a registered QSBR reader: offline while it sleeps, one quiescent
 * state per round.
 */
#ifndef ST_HOUSEKEEP_H
#define ST_HOUSEKEEP_H

#define ST_HOUSEKEEP_PERIOD_MS 1000

/* Start the thread (period_ms between rounds, 0 = the default).  0,
 * -EALREADY when it runs, or -errno from pthread_create. */
int st_housekeep_start(unsigned period_ms);
/* Stop it and wait for it (prompt: the sleep is interruptible).  Safe when
 * it does not run. */
void st_housekeep_stop(void);
/* Rounds done since the start (tests, INFO). */
unsigned long st_housekeep_rounds(void);

#endif
