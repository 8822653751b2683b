/*
 * tcp_ranges.h -- a set of sequence ranges for the TCP layer: the
 * receiver's out-of-order list (the reassembly queue and source of SACK
 * blocks) and the sender's SACK scoreboard (RFC 6675).
 *
 * The ranges are kept sorted by sequence number, disjoint and not
 * touching (touching ranges are merged), in one array: TCP_RANGES_INLINE
 * of them inside the structure (an ordinary client connection never
 * allocates), and when those are full and the owner allowed more
 * (dp_tcp_ranges_set_max: connections with big buffers, e.g. the
 * replication link, whose window holds thousands of segments and so
 * thousands of holes after a tail-drop burst) a heap array that doubles
 * up to that limit.  The ranges start at index off of the array (a
 * deque: ranges dropped at the bottom, by the cumulative ACK or the
 * in-order edge, only move off).  Lookup is a binary search; an
 * insertion or a merge moves the shorter side, below or above the place
 * (memmove of 8 bytes per range), so the common cases -- a range added
 * or extended at the top, holes filled at the bottom -- move little, and
 * the worst, the middle of 10000 ranges, moves 40 KB (about 1000 cycles).
 * The total of bytes covered is kept, so "bytes SACKed" is O(1).  All
 * members may be zero (an empty set with the inline array and no
 * growth).
 *
 * Every range must lie within 2^31 of every other (one TCP window):
 * ordering uses sequence arithmetic (SEQ_LT).
 *
 * Threads: a set belongs to one connection and is used by its owner core
 * only; no locking, no RCU.
 */
#ifndef DP_TCP_RANGES_H
#define DP_TCP_RANGES_H

#include <stddef.h>
#include <stdint.h>

#define TCP_RANGES_INLINE 128	/* ranges without allocation */
#ifndef TCP_RANGES_MAX		/* (-D: a build with the old limits) */
#define TCP_RANGES_MAX 16384	/* growth cap: 128 KiB of ranges */
#endif

struct dp_tcp_range {
	uint32_t start, end;	/* [start, end) */
};

struct dp_tcp_ranges {
	uint32_t n;		/* ranges held */
	uint32_t off;		/* index of the first one in the array */
	uint32_t cap;		/* heap array's capacity; 0: inline */
	uint32_t max;		/* growth limit (<= the inline: none) */
	uint32_t bytes;		/* sum of end - start */
	struct dp_tcp_range *heap;	/* NULL: inl holds them */
	struct dp_tcp_range inl[TCP_RANGES_INLINE];
};

/* The ranges, n of them, sorted ascending. */
static inline struct dp_tcp_range *
dp_tcp_ranges_v(struct dp_tcp_ranges *rs)
{
	return (rs->heap ? rs->heap : rs->inl) + rs->off;
}

static inline const struct dp_tcp_range *
dp_tcp_ranges_cv(const struct dp_tcp_ranges *rs)
{
	return (rs->heap ? rs->heap : rs->inl) + rs->off;
}

/* How many ranges the set can hold now (without growing). */
static inline uint32_t
dp_tcp_ranges_capacity(const struct dp_tcp_ranges *rs)
{
	return rs->heap ? rs->cap : TCP_RANGES_INLINE;
}

/* The range limit for a connection whose buffer (window) is buf bytes:
 * one range per two segments of 1 KiB (every other segment lost),
 * between TCP_RANGES_INLINE and TCP_RANGES_MAX.  Pure. */
uint32_t dp_tcp_ranges_limit(uint32_t buf);

/* Allow the set to grow to max ranges (clamped to TCP_RANGES_MAX; a
 * lower max than held now keeps what is held).  Allocates nothing. */
void dp_tcp_ranges_set_max(struct dp_tcp_ranges *rs, uint32_t max);

/* Add [start, end) (start before end), merged with every range it
 * overlaps or touches.  Returns the index of the range that now holds it,
 * or -ENOSPC when it needed a new range and the set is full: at its
 * limit, or the heap array could not grow (allocation failure: the set
 * keeps what it has, stays usable and tries again at its next growth).
 * Nothing changes on -ENOSPC. */
int dp_tcp_ranges_add(struct dp_tcp_ranges *rs, uint32_t start, uint32_t end);

/* Forget everything below seq: ranges ending at or below it go, a range
 * across it starts at seq.  Returns the ranges removed. */
uint32_t dp_tcp_ranges_trim(struct dp_tcp_ranges *rs, uint32_t seq);

/* Remove the highest range (n > 0). */
void dp_tcp_ranges_pop(struct dp_tcp_ranges *rs);

/* Index of the first range ending above seq (SEQ_GT(end, seq)); n when
 * none.  Binary search. */
uint32_t dp_tcp_ranges_first_after(const struct dp_tcp_ranges *rs,
				   uint32_t seq);

/* Index of the range holding seq (start <= seq < end), or -1. */
int dp_tcp_ranges_find(const struct dp_tcp_ranges *rs, uint32_t seq);

/* Remove every range (the heap array is kept for reuse). */
static inline void
dp_tcp_ranges_clear(struct dp_tcp_ranges *rs)
{
	rs->n = 0;
	rs->off = 0;
	rs->bytes = 0;
}

/* Empty the set and free its heap array (connection freed or entering
 * TIME-WAIT); the growth limit stays. */
void dp_tcp_ranges_release(struct dp_tcp_ranges *rs);

/* The allocator the heap arrays use (realloc semantics, memory that
 * free() releases); tests replace it to exercise allocation failure.
 * Process-wide; set before use. */
extern void *(*dp_tcp_ranges_realloc)(void *p, size_t n);

#endif
