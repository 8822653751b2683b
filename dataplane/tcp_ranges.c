/*
 * tcp_ranges.c -- the sorted sequence-range set of the TCP layer (the
 * out-of-order list and the SACK scoreboard); see tcp_ranges.h.
 *
 * Call chain: tcp_in.c (dp_tcp_reass -> tcp_ooo_add, tcp_sack_update,
 * tcp_sack_prune), tcp_out.c (SACK blocks, NextSeg, pipe), tcp.c (limits
 * from the buffers, release) -> dp_tcp_ranges_*.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_priv.h"
#include "tcp_ranges.h"

void *(*dp_tcp_ranges_realloc)(void *p, size_t n) = realloc;

uint32_t
dp_tcp_ranges_limit(uint32_t buf)
{
	uint32_t n = buf / 2048;

	if (n < TCP_RANGES_INLINE)
		return TCP_RANGES_INLINE;
	return n > TCP_RANGES_MAX ? TCP_RANGES_MAX : n;
}

void
dp_tcp_ranges_set_max(struct dp_tcp_ranges *rs, uint32_t max)
{
	rs->max = max > TCP_RANGES_MAX ? TCP_RANGES_MAX : max;
}

/* Move the ranges to the start of the array (off 0). */
static void
ranges_compact(struct dp_tcp_ranges *rs)
{
	struct dp_tcp_range *base = rs->heap ? rs->heap : rs->inl;

	memmove(base, base + rs->off, (size_t)rs->n * sizeof(*base));
	rs->off = 0;
}

/* Room for one more range above the last: 0, or -ENOSPC (full: at the
 * limit, or no memory).  Uses the room below the first range when that
 * is a quarter of the array (so the moves it costs are paid for by the
 * trims that made it), or when the array cannot grow. */
static int
ranges_room_above(struct dp_tcp_ranges *rs)
{
	uint32_t cap = dp_tcp_ranges_capacity(rs), ncap;
	struct dp_tcp_range *nv;

	if (rs->off + rs->n < cap)
		return 0;
	if (rs->off > 0 && (rs->off >= cap / 4 || rs->max <= cap)) {
		ranges_compact(rs);
		return 0;
	}
	if (rs->max <= cap)
		return -ENOSPC;
	ncap = cap * 2 < rs->max ? cap * 2 : rs->max;
	nv = dp_tcp_ranges_realloc(rs->heap, (size_t)ncap * sizeof(*nv));
	if (nv == NULL) {
		if (rs->off == 0)
			return -ENOSPC;
		ranges_compact(rs);	/* the room below will do */
		return 0;
	}
	if (rs->heap == NULL) {
		memcpy(nv, rs->inl + rs->off, (size_t)rs->n * sizeof(*nv));
		rs->off = 0;
	}
	rs->heap = nv;
	rs->cap = ncap;
	return 0;
}

uint32_t
dp_tcp_ranges_first_after(const struct dp_tcp_ranges *rs, uint32_t seq)
{
	const struct dp_tcp_range *v = dp_tcp_ranges_cv(rs);
	uint32_t lo = 0, hi = rs->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (SEQ_GT(v[mid].end, seq))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int
dp_tcp_ranges_find(const struct dp_tcp_ranges *rs, uint32_t seq)
{
	uint32_t i = dp_tcp_ranges_first_after(rs, seq);

	if (i < rs->n && SEQ_LEQ(dp_tcp_ranges_cv(rs)[i].start, seq))
		return (int)i;
	return -1;
}

int
dp_tcp_ranges_add(struct dp_tcp_ranges *rs, uint32_t start, uint32_t end)
{
	struct dp_tcp_range *v;
	uint32_t i, j, covered = 0;

	/* first range ending at or after start (touching counts) */
	i = dp_tcp_ranges_first_after(rs, start - 1);
	v = dp_tcp_ranges_v(rs);
	/* absorb every range overlapping or touching [start, end) */
	for (j = i; j < rs->n && SEQ_LEQ(v[j].start, end); j++) {
		start = SEQ_MIN(start, v[j].start);
		end = SEQ_MAX(end, v[j].end);
		covered += v[j].end - v[j].start;
	}
	if (j == i) {
		/* a new range at i: the ranges below move down one place
		 * when there is room and they are fewer, else those above
		 * move up */
		if (rs->off > 0 && i < rs->n - i) {
			rs->off--;
			v = dp_tcp_ranges_v(rs);
			memmove(&v[0], &v[1], (size_t)i * sizeof(*v));
		} else {
			if (ranges_room_above(rs) != 0)
				return -ENOSPC;
			v = dp_tcp_ranges_v(rs);
			memmove(&v[i + 1], &v[i],
				(size_t)(rs->n - i) * sizeof(*v));
		}
		rs->n++;
	} else if (j > i + 1) {
		/* ranges i..j-1 become one at i: close the gap from the
		 * shorter side */
		uint32_t d = j - i - 1;

		if (i + 1 < rs->n - j) {
			memmove(&v[d], &v[0], (size_t)(i + 1) * sizeof(*v));
			rs->off += d;
			v = dp_tcp_ranges_v(rs);
		} else {
			memmove(&v[i + 1], &v[j],
				(size_t)(rs->n - j) * sizeof(*v));
		}
		rs->n -= d;
	}
	v[i].start = start;
	v[i].end = end;
	rs->bytes += (end - start) - covered;
	return (int)i;
}

uint32_t
dp_tcp_ranges_trim(struct dp_tcp_ranges *rs, uint32_t seq)
{
	struct dp_tcp_range *v = dp_tcp_ranges_v(rs);
	uint32_t k = dp_tcp_ranges_first_after(rs, seq);

	for (uint32_t i = 0; i < k; i++)
		rs->bytes -= v[i].end - v[i].start;
	rs->n -= k;
	rs->off = rs->n > 0 ? rs->off + k : 0;
	v = dp_tcp_ranges_v(rs);
	if (rs->n > 0 && SEQ_LT(v[0].start, seq)) {
		rs->bytes -= seq - v[0].start;
		v[0].start = seq;
	}
	return k;
}

void
dp_tcp_ranges_pop(struct dp_tcp_ranges *rs)
{
	struct dp_tcp_range *v = dp_tcp_ranges_v(rs);

	if (rs->n == 0)
		return;
	rs->n--;
	rs->bytes -= v[rs->n].end - v[rs->n].start;
	if (rs->n == 0)
		rs->off = 0;
}

void
dp_tcp_ranges_release(struct dp_tcp_ranges *rs)
{
	free(rs->heap);	/* dp_tcp_ranges_realloc's arrays are malloc's */
	rs->heap = NULL;
	rs->cap = 0;
	dp_tcp_ranges_clear(rs);
}
