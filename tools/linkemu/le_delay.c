/*
 * le_delay.c -- delay queue (binary min-heap) and jitter (see le_delay.h).
 */
#include "le_delay.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "le_time.h"

const char *const le_dist_names[LE_DIST__COUNT] = {
	[LE_DIST_UNIFORM] = "uniform",
	[LE_DIST_NORMAL] = "normal",
};

int
le_delay_init(struct le_delay_queue *q, uint32_t cap)
{
	q->n = 0;
	q->seq = 0;
	q->last_release = 0;
	q->cap = 0;
	q->heap = NULL;
	if (cap == 0)
		return -EINVAL;
	q->heap = calloc(cap, sizeof(*q->heap));
	if (q->heap == NULL)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void
le_delay_fini(struct le_delay_queue *q)
{
	free(q->heap);
	q->heap = NULL;
	q->n = q->cap = 0;
}

static inline bool
entry_before(const struct le_delay_entry *a, const struct le_delay_entry *b)
{
	return a->release < b->release ||
	       (a->release == b->release && a->seq < b->seq);
}

uint64_t
le_delay_release_time(struct le_delay_queue *q, const struct le_delay_cfg *cfg,
		      struct le_rand *r, uint64_t now, uint64_t hz)
{
	int64_t off_ns = (int64_t)cfg->delay_ns;
	uint64_t release;

	if (cfg->jitter_ns > 0) {
		double j = (double)cfg->jitter_ns;

		if (cfg->dist == LE_DIST_NORMAL)
			off_ns += (int64_t)llround(le_rand_normal(r) * j);
		else
			off_ns += (int64_t)llround((2 * le_rand_double(r) - 1) * j);
	}
	if (off_ns < 0)
		off_ns = 0;
	release = now + le_ns_to_ticks((uint64_t)off_ns, hz);
	if (!cfg->reorder && release < q->last_release)
		release = q->last_release;
	if (release > q->last_release)
		q->last_release = release;
	return release;
}

int
le_delay_push(struct le_delay_queue *q, uint64_t release, void *pkt)
{
	struct le_delay_entry e = { release, q->seq++, pkt };
	uint32_t i, parent;

	if (q->n >= q->cap)
		return -ENOBUFS;
	i = q->n++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!entry_before(&e, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = e;
	return 0;
}

/* Remove the root and restore the heap. */
static void *
heap_pop(struct le_delay_queue *q, uint64_t *release)
{
	struct le_delay_entry top = q->heap[0];
	struct le_delay_entry last = q->heap[--q->n];
	uint32_t i = 0, c;

	while ((c = 2 * i + 1) < q->n) {
		if (c + 1 < q->n && entry_before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!entry_before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->n > 0)
		q->heap[i] = last;
	if (release)
		*release = top.release;
	return top.pkt;
}

void *
le_delay_pop_due(struct le_delay_queue *q, uint64_t now, uint64_t *release)
{
	if (q->n == 0 || q->heap[0].release > now)
		return NULL;
	return heap_pop(q, release);
}

void *
le_delay_pop_any(struct le_delay_queue *q)
{
	if (q->n == 0)
		return NULL;
	return heap_pop(q, NULL);
}
