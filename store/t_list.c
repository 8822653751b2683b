/*
 * t_list.c -- the list value type: a chain of chunks of 16-byte slots.
 *
 * See t_list.h for the layout and the contract.  Invariants:
 *  - every linked chunk holds at least one element (cnt > 0);
 *  - l->len is the sum of the chunks' cnt, l->nchunks their number;
 *  - l->mem is st_alloc_size() of the struct, of every chunk and of every
 *    heap element.
 *
 * Growth: a push at an end that has no free slot first recentres the end
 * chunk when at least half of it is free on the other side (amortised O(1):
 * it moves at most cap/2 slots to gain at least cap/2), else doubles the
 * chunk up to ST_LIST_CHUNK_MAX, else links a new full-size chunk.  An
 * insert into a full chunk splits it in two halves.  LREM merges neighbours
 * that fit in one chunk, so index walks stay O(n / ST_LIST_CHUNK_MAX).
 */
#include "t_list.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"

#define SLOT_SZ sizeof(struct st_list_slot)

_Static_assert(sizeof(struct st_list_slot) == 16, "list slot is 16 bytes");
_Static_assert(offsetof(struct st_list_slot, h.tag) ==
	       offsetof(struct st_list_slot, in.tag), "slot tags overlap");

/* ---- slots --------------------------------------------------------------- */

static inline bool
slot_is_heap(const struct st_list_slot *s)
{
	return s->in.tag == 0;
}

/* Store a copy of p[0..len) in an unused slot. */
static void
slot_set(struct st_list *l, struct st_list_slot *s, const char *p, size_t len)
{
	if (len <= ST_LIST_INLINE) {
		if (len)
			memcpy(s->in.d, p, len);
		s->in.tag = (uint8_t)(0x80 | len);
		return;
	}
	s->h.p = st_malloc(len + 1);
	memcpy(s->h.p, p, len);
	s->h.p[len] = '\0';
	s->h.len_lo = (uint32_t)len;
	s->h.len_hi = (uint16_t)((uint64_t)len >> 32);
	s->h.pad = 0;
	s->h.tag = 0;
	l->mem += st_alloc_size(s->h.p);
}

/* Free what a slot owns. */
static inline void
slot_release(struct st_list *l, struct st_list_slot *s)
{
	if (slot_is_heap(s)) {
		l->mem -= st_alloc_size(s->h.p);
		st_free(s->h.p);
	}
}

static inline bool
slot_eq(const struct st_list_slot *s, const char *p, size_t len)
{
	size_t slen;
	const char *d = st_list_slot_data(s, &slen);

	return slen == len && (len == 0 || memcmp(d, p, len) == 0);
}

/* ---- chunks -------------------------------------------------------------- */

static struct st_list_chunk *
chunk_alloc(struct st_list *l, unsigned cap)
{
	struct st_list_chunk *ch;

	ch = st_malloc(sizeof(*ch) + (size_t)cap * SLOT_SZ);
	ch->prev = ch->next = NULL;
	ch->cap = (uint16_t)cap;
	ch->off = 0;
	ch->cnt = 0;
	l->mem += st_alloc_size(ch);
	return ch;
}

/* Link ch after 'prev' (NULL: at the head). */
static void
chunk_link_after(struct st_list *l, struct st_list_chunk *prev,
		 struct st_list_chunk *ch)
{
	ch->prev = prev;
	ch->next = prev ? prev->next : l->head;
	if (ch->next)
		ch->next->prev = ch;
	else
		l->tail = ch;
	if (prev)
		prev->next = ch;
	else
		l->head = ch;
	l->nchunks++;
}

/* Unlink and free a chunk; its slots must have been released or moved. */
static void
chunk_unlink_free(struct st_list *l, struct st_list_chunk *ch)
{
	if (ch->prev)
		ch->prev->next = ch->next;
	else
		l->head = ch->next;
	if (ch->next)
		ch->next->prev = ch->prev;
	else
		l->tail = ch->prev;
	l->nchunks--;
	l->mem -= st_alloc_size(ch);
	st_free(ch);
}

/* Grow a chunk to newcap slots (positions kept); returns its new address. */
static struct st_list_chunk *
chunk_grow(struct st_list *l, struct st_list_chunk *ch, unsigned newcap)
{
	l->mem -= st_alloc_size(ch);
	ch = st_realloc(ch, sizeof(*ch) + (size_t)newcap * SLOT_SZ);
	l->mem += st_alloc_size(ch);
	ch->cap = (uint16_t)newcap;
	if (ch->prev)
		ch->prev->next = ch;
	else
		l->head = ch;
	if (ch->next)
		ch->next->prev = ch;
	else
		l->tail = ch;
	return ch;
}

static inline unsigned
grown_cap(unsigned cap)
{
	return cap * 2 < ST_LIST_CHUNK_MAX ? cap * 2 : ST_LIST_CHUNK_MAX;
}

/* A free slot after the last element, already counted in len. */
static struct st_list_slot *
room_tail(struct st_list *l)
{
	struct st_list_chunk *t = l->tail;

	if (t == NULL) {
		t = chunk_alloc(l, ST_LIST_CHUNK_MIN);
		chunk_link_after(l, NULL, t);
	} else if (t->off + t->cnt == t->cap) {
		if (t->off >= t->cap / 2) {
			memmove(t->s, t->s + t->off, t->cnt * SLOT_SZ);
			t->off = 0;
		} else if (t->cap < ST_LIST_CHUNK_MAX) {
			t = chunk_grow(l, t, grown_cap(t->cap));
		} else {
			struct st_list_chunk *nc = chunk_alloc(l, ST_LIST_CHUNK_MAX);

			chunk_link_after(l, t, nc);
			t = nc;
		}
	}
	l->len++;
	return &t->s[t->off + t->cnt++];
}

/* A free slot before the first element, already counted in len. */
static struct st_list_slot *
room_head(struct st_list *l)
{
	struct st_list_chunk *h = l->head;

	if (h == NULL) {
		h = chunk_alloc(l, ST_LIST_CHUNK_MIN);
		h->off = h->cap;
		chunk_link_after(l, NULL, h);
	} else if (h->off == 0) {
		unsigned free_end = h->cap - h->cnt;

		if (free_end >= h->cap / 2u) {
			memmove(h->s + free_end, h->s, h->cnt * SLOT_SZ);
			h->off = (uint16_t)free_end;
		} else if (h->cap < ST_LIST_CHUNK_MAX) {
			h = chunk_grow(l, h, grown_cap(h->cap));
			memmove(h->s + (h->cap - h->cnt), h->s, h->cnt * SLOT_SZ);
			h->off = (uint16_t)(h->cap - h->cnt);
		} else {
			struct st_list_chunk *nc = chunk_alloc(l, ST_LIST_CHUNK_MAX);

			nc->off = nc->cap;
			chunk_link_after(l, NULL, nc);
			h = nc;
		}
	}
	l->len++;
	h->cnt++;
	return &h->s[--h->off];
}

static inline struct st_list_slot *
room_at(struct st_list *l, int where)
{
	return where == ST_LIST_HEAD ? room_head(l) : room_tail(l);
}

/* Take the slot at an end out of the list without releasing it. */
static struct st_list_slot
take_end(struct st_list *l, int where)
{
	struct st_list_chunk *ch;
	struct st_list_slot s;

	if (where == ST_LIST_HEAD) {
		ch = l->head;
		s = ch->s[ch->off++];
	} else {
		ch = l->tail;
		s = ch->s[ch->off + ch->cnt - 1];
	}
	ch->cnt--;
	l->len--;
	if (ch->cnt == 0)
		chunk_unlink_free(l, ch);
	return s;
}

/* The chunk holding element idx (< len) and the slot index in it. */
static struct st_list_chunk *
locate(const struct st_list *l, size_t idx, int *pos)
{
	struct st_list_chunk *ch;

	if (idx < l->len / 2) {
		for (ch = l->head; idx >= ch->cnt; ch = ch->next)
			idx -= ch->cnt;
	} else {
		size_t r = l->len - 1 - idx;

		for (ch = l->tail; r >= ch->cnt; ch = ch->prev)
			r -= ch->cnt;
		idx = ch->cnt - 1 - r;
	}
	*pos = ch->off + (int)idx;
	return ch;
}

/* Insert a copy of v at position p (0..cnt) of chunk ch. */
static void
insert_at(struct st_list *l, struct st_list_chunk *ch, unsigned p,
	  const char *v, size_t vlen)
{
	bool front, back;

	if (ch->cnt == ch->cap) {
		if (ch->cap < ST_LIST_CHUNK_MAX) {
			ch = chunk_grow(l, ch, grown_cap(ch->cap));
		} else {
			/* Full (so off == 0): move the upper half out. */
			struct st_list_chunk *nc = chunk_alloc(l, ST_LIST_CHUNK_MAX);
			unsigned half = ch->cnt / 2;

			memcpy(nc->s, ch->s + ch->off + half,
			       (ch->cnt - half) * SLOT_SZ);
			nc->cnt = (uint16_t)(ch->cnt - half);
			ch->cnt = (uint16_t)half;
			chunk_link_after(l, ch, nc);
			if (p > half) {
				ch = nc;
				p -= half;
			}
		}
	}
	front = ch->off > 0;
	back = ch->off + ch->cnt < ch->cap;
	if (front && (!back || p < ch->cnt - p)) {
		memmove(&ch->s[ch->off - 1], &ch->s[ch->off], p * SLOT_SZ);
		ch->off--;
	} else {
		memmove(&ch->s[ch->off + p + 1], &ch->s[ch->off + p],
			(ch->cnt - p) * SLOT_SZ);
	}
	slot_set(l, &ch->s[ch->off + p], v, vlen);
	ch->cnt++;
	l->len++;
}

/* Merge neighbouring chunks that fit together in one full-size chunk. */
static void
merge_small(struct st_list *l)
{
	struct st_list_chunk *ch = l->head;

	while (ch && ch->next) {
		struct st_list_chunk *nx = ch->next;
		unsigned total = ch->cnt + nx->cnt;

		if (total > ST_LIST_CHUNK_MAX) {
			ch = nx;
			continue;
		}
		if (ch->cap < total)
			ch = chunk_grow(l, ch, ST_LIST_CHUNK_MAX);
		if (ch->off + total > ch->cap) {
			memmove(ch->s, ch->s + ch->off, ch->cnt * SLOT_SZ);
			ch->off = 0;
		}
		memcpy(ch->s + ch->off + ch->cnt, nx->s + nx->off,
		       nx->cnt * SLOT_SZ);
		ch->cnt = (uint16_t)total;
		chunk_unlink_free(l, nx);
	}
}

/* ---- lifetime ------------------------------------------------------------ */

struct st_list *
st_list_new(void)
{
	struct st_list *l = st_calloc(sizeof(*l));

	l->v.type = ST_TYPE_LIST;
	l->v.enc = ST_ENC_QUICKLIST;
	l->mem = st_alloc_size(l);
	return l;
}

void
st_list_free(struct st_list *l)
{
	struct st_list_chunk *ch, *next;
	int i;

	if (l == NULL)
		return;
	for (ch = l->head; ch; ch = next) {
		next = ch->next;
		for (i = ch->off; i < ch->off + ch->cnt; i++)
			if (slot_is_heap(&ch->s[i]))
				st_free(ch->s[i].h.p);
		st_free(ch);
	}
	st_free(l);
}

size_t
st_list_mem(const struct st_list *l)
{
	return l->mem;
}

struct st_list *
st_list_dup(const struct st_list *l)
{
	struct st_list *n = st_list_new();
	struct st_list_iter it;
	const char *p;
	size_t len;

	st_list_iter_init(l, 0, ST_LIST_TAIL, &it);
	while (st_list_iter_next(&it, &p, &len))
		slot_set(n, room_tail(n), p, len);
	return n;
}

/* ---- ends ---------------------------------------------------------------- */

void
st_list_push(struct st_list *l, int where, const char *p, size_t len)
{
	slot_set(l, room_at(l, where), p, len);
}

int
st_list_peek(const struct st_list *l, int where, const char **p, size_t *len)
{
	const struct st_list_chunk *ch;

	if (l->len == 0)
		return -ENOENT;
	if (where == ST_LIST_HEAD) {
		ch = l->head;
		*p = st_list_slot_data(&ch->s[ch->off], len);
	} else {
		ch = l->tail;
		*p = st_list_slot_data(&ch->s[ch->off + ch->cnt - 1], len);
	}
	return 0;
}

int
st_list_pop(struct st_list *l, int where, char **p, size_t *len)
{
	struct st_list_slot s;

	if (l->len == 0)
		return -ENOENT;
	s = take_end(l, where);
	if (slot_is_heap(&s)) {
		l->mem -= st_alloc_size(s.h.p);
		st_list_slot_data(&s, len);
		*p = s.h.p;
	} else {
		const char *d = st_list_slot_data(&s, len);

		*p = st_malloc(*len + 1);
		memcpy(*p, d, *len);
		(*p)[*len] = '\0';
	}
	return 0;
}

size_t
st_list_pop_n(struct st_list *l, int where, size_t n)
{
	size_t done = 0;

	while (done < n && l->head) {
		struct st_list_chunk *ch =
			where == ST_LIST_HEAD ? l->head : l->tail;
		size_t k = ch->cnt < n - done ? ch->cnt : n - done;
		int from = where == ST_LIST_HEAD ?
			ch->off : ch->off + ch->cnt - (int)k;
		int i;

		for (i = from; i < from + (int)k; i++)
			slot_release(l, &ch->s[i]);
		done += k;
		l->len -= k;
		if (k == ch->cnt) {
			chunk_unlink_free(l, ch);
			continue;
		}
		if (where == ST_LIST_HEAD)
			ch->off += (uint16_t)k;
		ch->cnt -= (uint16_t)k;
	}
	return done;
}

int
st_list_move(struct st_list *src, int from, struct st_list *dst, int to)
{
	struct st_list_slot s;

	if (src->len == 0)
		return -ENOENT;
	s = take_end(src, from);
	if (slot_is_heap(&s) && src != dst) {
		size_t sz = st_alloc_size(s.h.p);

		src->mem -= sz;
		dst->mem += sz;
	}
	*room_at(dst, to) = s;
	return 0;
}

/* ---- by index ------------------------------------------------------------ */

int
st_list_index(const struct st_list *l, size_t idx, const char **p, size_t *len)
{
	const struct st_list_chunk *ch;
	int pos;

	if (idx >= l->len)
		return -ERANGE;
	ch = locate(l, idx, &pos);
	*p = st_list_slot_data(&ch->s[pos], len);
	return 0;
}

int
st_list_set(struct st_list *l, size_t idx, const char *p, size_t len)
{
	struct st_list_chunk *ch;
	int pos;

	if (idx >= l->len)
		return -ERANGE;
	ch = locate(l, idx, &pos);
	slot_release(l, &ch->s[pos]);
	slot_set(l, &ch->s[pos], p, len);
	return 0;
}

void
st_list_trim(struct st_list *l, size_t ltrim, size_t rtrim)
{
	st_list_pop_n(l, ST_LIST_HEAD, ltrim);
	st_list_pop_n(l, ST_LIST_TAIL, rtrim);
}

/* ---- by value ------------------------------------------------------------ */

int
st_list_insert(struct st_list *l, bool after, const char *pivot,
	       size_t pivotlen, const char *val, size_t vallen)
{
	struct st_list_chunk *ch;
	int i;

	for (ch = l->head; ch; ch = ch->next) {
		for (i = ch->off; i < ch->off + ch->cnt; i++) {
			if (slot_eq(&ch->s[i], pivot, pivotlen)) {
				insert_at(l, ch, (unsigned)(i - ch->off) +
					  (after ? 1 : 0), val, vallen);
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* Drop up to 'left' elements equal to val from ch, scanning towards the
 * tail (fwd) or the head; frees ch when emptied.  Returns how many. */
static size_t
chunk_filter(struct st_list *l, struct st_list_chunk *ch, bool fwd,
	     const char *val, size_t vallen, size_t left)
{
	int begin = ch->off, end = ch->off + ch->cnt;
	size_t n = 0;
	int r, w;

	if (fwd) {
		for (r = w = begin; r < end; r++) {
			if (n < left && slot_eq(&ch->s[r], val, vallen)) {
				slot_release(l, &ch->s[r]);
				n++;
				continue;
			}
			if (w != r)
				ch->s[w] = ch->s[r];
			w++;
		}
		ch->cnt = (uint16_t)(w - begin);
	} else {
		for (r = w = end - 1; r >= begin; r--) {
			if (n < left && slot_eq(&ch->s[r], val, vallen)) {
				slot_release(l, &ch->s[r]);
				n++;
				continue;
			}
			if (w != r)
				ch->s[w] = ch->s[r];
			w--;
		}
		ch->off = (uint16_t)(w + 1);
		ch->cnt = (uint16_t)(end - (w + 1));
	}
	l->len -= n;
	if (ch->cnt == 0)
		chunk_unlink_free(l, ch);
	return n;
}

size_t
st_list_remove(struct st_list *l, long long count, const char *val,
	       size_t vallen)
{
	struct st_list_chunk *ch, *next;
	size_t limit, removed = 0;

	if (count == 0)
		limit = SIZE_MAX;
	else if (count > 0)
		limit = (size_t)count;
	else
		limit = (size_t)(0ULL - (unsigned long long)count);

	if (count >= 0) {
		for (ch = l->head; ch && removed < limit; ch = next) {
			next = ch->next;
			removed += chunk_filter(l, ch, true, val, vallen,
						limit - removed);
		}
	} else {
		for (ch = l->tail; ch && removed < limit; ch = next) {
			next = ch->prev;
			removed += chunk_filter(l, ch, false, val, vallen,
						limit - removed);
		}
	}
	if (removed)
		merge_small(l);
	return removed;
}

/* ---- iteration ----------------------------------------------------------- */

void
st_list_iter_init(const struct st_list *l, size_t idx, int dir,
		  struct st_list_iter *it)
{
	int pos = 0;

	it->step = dir == ST_LIST_HEAD ? -1 : 1;
	if (idx >= l->len) {
		it->ch = NULL;
		it->i = 0;
		return;
	}
	it->ch = locate(l, idx, &pos);
	it->i = pos;
}
