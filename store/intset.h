/*
 * intset.h -- a sorted array of distinct 64-bit integers.
 *
 * The body of small all-integer sets (Redis's "intset" encoding): membership
 * by binary search (O(log n)), members in ascending order, which is also the
 * order SMEMBERS / SSCAN report for an intset in Redis.
 *
 * Concurrency: none inside; the owner (a set value) is protected by its key's
 * stripe lock.  Memory through st_malloc/st_free.
 */
#ifndef ST_INTSET_H
#define ST_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_intset {
	uint32_t len;
	uint32_t cap;
	int64_t *v;		/* len sorted, distinct values */
};

/* Initialise an empty intset in place (no allocation). */
void st_intset_init(struct st_intset *is);
/* Release the array; the intset is empty afterwards. */
void st_intset_destroy(struct st_intset *is);

/* Insert v; true if it was added, false if already present. */
bool st_intset_add(struct st_intset *is, int64_t v);
/* Remove v; true if it was present. */
bool st_intset_remove(struct st_intset *is, int64_t v);
/* True if v is a member. */
bool st_intset_find(const struct st_intset *is, int64_t v);
/* Remove the member at index i (0 <= i < len). */
void st_intset_remove_at(struct st_intset *is, uint32_t i);

static inline uint32_t
st_intset_len(const struct st_intset *is)
{
	return is->len;
}

/* Member at index i (0 <= i < len), in ascending order. */
static inline int64_t
st_intset_get(const struct st_intset *is, uint32_t i)
{
	return is->v[i];
}

/* Bytes owned by the array. */
size_t st_intset_mem(const struct st_intset *is);

#endif
