/*
 * le_rate.c -- token bucket with a tail-drop FIFO (see le_rate.h).
 *
 * Tokens are kept in bits * hz so that refills (elapsed ticks * rate_bps)
 * and costs (wire bytes * 8 * hz) are exact integers.
 */
#include "le_rate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define RING_MASK (LE_RATE_QUEUE_MAX - 1)

int
le_rate_init(struct le_rate *q, uint64_t hz, uint64_t now)
{
	q->head = q->tail = 0;
	q->qbytes = 0;
	q->hz = hz;
	q->last = now;
	q->tokens = ~(unsigned __int128)0 >> 1;	/* full: clamped by the first enqueue */
	q->ring = NULL;
	if (hz == 0)
		return -EINVAL;
	q->ring = calloc(LE_RATE_QUEUE_MAX, sizeof(*q->ring));
	return q->ring ? 0 : -ENOMEM;
}

void
le_rate_fini(struct le_rate *q)
{
	free(q->ring);
	q->ring = NULL;
}

/* Bucket depth in bits * hz for a head frame of wire bytes. */
static unsigned __int128
bucket_cap(const struct le_rate *q, const struct le_rate_cfg *cfg,
	   uint32_t wire)
{
	uint64_t depth = cfg->burst_bytes > wire ? cfg->burst_bytes : wire;

	return (unsigned __int128)depth * 8 * q->hz;
}

/* Tokens earned since the last refill, without a cap (the link was busy
 * the whole time: frames were waiting). */
static void
accrue(struct le_rate *q, const struct le_rate_cfg *cfg, uint64_t now)
{
	if (now > q->last) {
		q->tokens += (unsigned __int128)(now - q->last) * cfg->rate_bps;
		q->last = now;
	}
}

/* An idle link saves at most the bucket's depth. */
static void
clamp(struct le_rate *q, const struct le_rate_cfg *cfg, uint32_t wire)
{
	unsigned __int128 cap = bucket_cap(q, cfg, wire);

	if (q->tokens > cap)
		q->tokens = cap;
}

int
le_rate_enqueue(struct le_rate *q, const struct le_rate_cfg *cfg, void *pkt,
		uint32_t len, uint64_t now)
{
	uint32_t wire = le_rate_wire_bytes(cfg, len);
	uint32_t limit = cfg->limit_pkts;

	if (limit == 0 || limit > LE_RATE_QUEUE_MAX)
		limit = LE_RATE_QUEUE_MAX;
	if (le_rate_count(q) >= limit)
		return -ENOBUFS;
	if (cfg->limit_bytes && q->qbytes + wire > cfg->limit_bytes)
		return -ENOBUFS;
	if (q->head == q->tail) {
		/* the end of an idle period: what it saved, capped */
		accrue(q, cfg, now);
		clamp(q, cfg, wire);
	}
	q->ring[q->tail & RING_MASK] = (struct le_rate_slot){ pkt, wire, now };
	q->tail++;
	q->qbytes += wire;
	return 0;
}

void *
le_rate_dequeue(struct le_rate *q, const struct le_rate_cfg *cfg, uint64_t now,
		uint64_t *dep)
{
	struct le_rate_slot *s;
	unsigned __int128 cost;
	uint64_t t = now;

	if (q->head == q->tail)
		return NULL;
	s = &q->ring[q->head & RING_MASK];
	if (cfg->rate_bps != 0) {
		accrue(q, cfg, now);
		cost = (unsigned __int128)s->wire * 8 * q->hz;
		if (q->tokens < cost)
			return NULL;
		q->tokens -= cost;
		/* the tokens left were earned after this frame's were
		 * complete: that long ago it left */
		if (q->tokens / cfg->rate_bps < now)
			t = now - (uint64_t)(q->tokens / cfg->rate_bps);
		else
			t = 0;
	}
	if (t < s->t_in)
		t = s->t_in;
	q->head++;
	q->qbytes -= s->wire;
	if (q->head == q->tail && cfg->rate_bps != 0)
		clamp(q, cfg, s->wire);	/* idle from here on */
	if (dep)
		*dep = t;
	return s->pkt;
}

uint64_t
le_rate_next(struct le_rate *q, const struct le_rate_cfg *cfg, uint64_t now)
{
	struct le_rate_slot *s;
	unsigned __int128 cost, need;

	if (q->head == q->tail)
		return UINT64_MAX;
	if (cfg->rate_bps == 0)
		return now;
	s = &q->ring[q->head & RING_MASK];
	accrue(q, cfg, now);
	cost = (unsigned __int128)s->wire * 8 * q->hz;
	if (q->tokens >= cost)
		return now;
	need = cost - q->tokens;
	return now + (uint64_t)((need + cfg->rate_bps - 1) / cfg->rate_bps);
}

void *
le_rate_pop_any(struct le_rate *q)
{
	struct le_rate_slot *s;

	if (q->head == q->tail)
		return NULL;
	s = &q->ring[q->head & RING_MASK];
	q->head++;
	q->qbytes -= s->wire;
	return s->pkt;
}
