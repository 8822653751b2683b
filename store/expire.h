/*
 * expire.h -- the active expiry cycle.
 *
 * Redis expires keys lazily (on access, keyspace.c) and actively (a sampling
 * cycle).  ferry's active cycle walks each database's keys in reverse-hash
 * order from a saved cursor, a bounded number per call, deleting keys whose
 * time has passed (each under its stripe lock, with a DEL in the write log).
 * Each polling loop calls it once per iteration with a small budget; there
 * is never a stop-the-world pass.  Replicas do not expire keys.
 *
 * Concurrency: any registered worker thread, holding no stripe lock.
 */
#ifndef ST_EXPIRE_H
#define ST_EXPIRE_H

struct st_worker;

/* Examine at most 'budget' keys; returns the number of keys expired. */
int st_expire_cycle(struct st_worker *w, int budget);

#endif
