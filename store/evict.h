/*
 * evict.h -- maxmemory enforcement (noeviction, allkeys-lru, volatile-lru,
 * allkeys-random, volatile-random, volatile-ttl).
 *
 * Concurrency: called by the dispatcher before a DENYOOM command, holding no
 * stripe lock (it takes the stripe of each victim in turn).  Evictions are
 * written to the write log as DEL, as Redis propagates them.
 */
#ifndef ST_EVICT_H
#define ST_EVICT_H

struct st_client;

/* 0 if used memory is (now) within maxmemory, or no limit is set;
 * -ENOMEM if it is over and nothing more can be evicted. */
int st_evict_or_oom(struct st_client *c);

#endif
