/*
 * le_delay.h -- the link emulator's delay stage: a release-time ordered
 * queue of packets plus the jitter model that picks each release time.
 *
 * Call chain (per direction, le_dir.c): le_delay_release_time ->
 * le_delay_push ... poll loop: le_delay_next / le_delay_pop_due -> TX.
 *
 * The queue is a binary min-heap keyed by (release time, arrival sequence),
 * so packets with equal release times leave in arrival order and any
 * release order is possible when jitter may reorder.  Capacity is fixed at
 * init (no allocation afterwards); push fails with -ENOBUFS when full.
 * Payloads are opaque pointers (mbufs in the DPDK program, tokens in the
 * unit tests).  Times are ticks of the caller's clock (le_time.h).
 *
 * Jitter: release = now + delay + J, J drawn from the configured
 * distribution (uniform on [-jitter, +jitter], or normal with stddev
 * jitter), never before now.  With reorder off, release is also never
 * before the previous packet's release (the distribution is then truncated
 * from below by the previous release; no reordering).
 *
 * Not thread safe: one owner thread per queue.
 */
#ifndef LE_DELAY_H
#define LE_DELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "le_rand.h"

enum le_dist {
	LE_DIST_UNIFORM,
	LE_DIST_NORMAL,
	LE_DIST__COUNT
};

/* Names for logs and the control protocol ("uniform", "normal"). */
extern const char *const le_dist_names[LE_DIST__COUNT];

struct le_delay_cfg {
	uint64_t delay_ns;	/* fixed one-way delay */
	uint64_t jitter_ns;	/* uniform: half-width; normal: stddev */
	enum le_dist dist;
	bool reorder;		/* false: release times never decrease */
};

struct le_delay_entry {
	uint64_t release;	/* ticks */
	uint64_t seq;		/* arrival order, tie break */
	void *pkt;
};

struct le_delay_queue {
	struct le_delay_entry *heap;
	uint32_t n;
	uint32_t cap;
	uint64_t seq;
	uint64_t last_release;	/* for reorder off */
};

/* Allocate a queue for cap packets (malloc; cap >= 1).
 * Returns 0 or -ENOMEM / -EINVAL. */
int
le_delay_init(struct le_delay_queue *q, uint32_t cap);

/* Free the heap (the payloads are the caller's: drain first). */
void
le_delay_fini(struct le_delay_queue *q);

/* Release time for a packet arriving at now (ticks, clock at hz), drawn
 * with cfg and r; updates q->last_release. */
uint64_t
le_delay_release_time(struct le_delay_queue *q, const struct le_delay_cfg *cfg,
		      struct le_rand *r, uint64_t now, uint64_t hz);

/* Queue pkt for release at the given time.  0, or -ENOBUFS when full. */
int
le_delay_push(struct le_delay_queue *q, uint64_t release, void *pkt);

/* Earliest release time queued, UINT64_MAX when empty. */
static inline uint64_t
le_delay_next(const struct le_delay_queue *q)
{
	return q->n ? q->heap[0].release : UINT64_MAX;
}

/* Remove and return the earliest packet if its release time is <= now
 * (its release time in *release when not NULL), else NULL. */
void *
le_delay_pop_due(struct le_delay_queue *q, uint64_t now, uint64_t *release);

/* Remove and return any packet (for draining at exit), NULL when empty. */
void *
le_delay_pop_any(struct le_delay_queue *q);

/* Packets queued. */
static inline uint32_t
le_delay_count(const struct le_delay_queue *q)
{
	return q->n;
}

#endif
