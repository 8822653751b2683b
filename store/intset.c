/*
 * intset.c -- sorted array of distinct int64 with binary search.
 *
 * Inserts and removals move the tail with memmove; at the sizes the "intset"
 * encoding is used for (set-max-intset-entries, 512 by default) that is a
 * few cache lines.  The array grows by doubling and shrinks when it is less
 * than a quarter full.
 */
#include "intset.h"

#include <string.h>

#include "alloc.h"

void
st_intset_init(struct st_intset *is)
{
	is->len = 0;
	is->cap = 0;
	is->v = NULL;
}

void
st_intset_destroy(struct st_intset *is)
{
	st_free(is->v);
	st_intset_init(is);
}

/* Index of v if present (*found = true), else the index it would go to. */
static uint32_t
search(const struct st_intset *is, int64_t v, bool *found)
{
	uint32_t lo = 0, hi = is->len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (is->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < is->len && is->v[lo] == v;
	return lo;
}

bool
st_intset_add(struct st_intset *is, int64_t v)
{
	bool found;
	uint32_t i = search(is, v, &found);

	if (found)
		return false;
	if (is->len == is->cap) {
		is->cap = is->cap ? is->cap * 2 : 4;
		is->v = st_realloc(is->v, (size_t)is->cap * sizeof(*is->v));
	}
	memmove(&is->v[i + 1], &is->v[i], (size_t)(is->len - i) * sizeof(*is->v));
	is->v[i] = v;
	is->len++;
	return true;
}

void
st_intset_remove_at(struct st_intset *is, uint32_t i)
{
	memmove(&is->v[i], &is->v[i + 1], (size_t)(is->len - i - 1) * sizeof(*is->v));
	is->len--;
	if (is->len == 0) {
		st_intset_destroy(is);
	} else if (is->cap > 16 && is->len < is->cap / 4) {
		is->cap /= 2;
		is->v = st_realloc(is->v, (size_t)is->cap * sizeof(*is->v));
	}
}

bool
st_intset_remove(struct st_intset *is, int64_t v)
{
	bool found;
	uint32_t i = search(is, v, &found);

	if (!found)
		return false;
	st_intset_remove_at(is, i);
	return true;
}

bool
st_intset_find(const struct st_intset *is, int64_t v)
{
	bool found;

	search(is, v, &found);
	return found;
}

size_t
st_intset_mem(const struct st_intset *is)
{
	return st_alloc_size(is->v);
}
