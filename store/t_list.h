/*
 * t_list.h -- the list value type (LPUSH, LRANGE, LMOVE ...).
 *
 * A list is a doubly linked chain of chunks; each chunk is an array of up to
 * ST_LIST_CHUNK_MAX 16-byte slots holding the elements [off, off + cnt).
 * Free room at both ends of a chunk makes pushes and pops at both ends of
 * the list O(1) (amortised); index access walks chunks from the nearer end,
 * O(n / ST_LIST_CHUNK_MAX).  New lists start with a small chunk that doubles
 * up to ST_LIST_CHUNK_MAX, so short lists stay small.
 *
 * Elements are byte strings.  One of at most ST_LIST_INLINE bytes lives
 * inside its slot (no allocation at all); a longer one is a separate
 * st_malloc'd block the slot points to.  Every byte is accounted through
 * alloc.h and the running total is kept in st_list.mem.
 *
 * Redis 7.0 reports every list as "quicklist": v.enc is always
 * ST_ENC_QUICKLIST.  Empty lists are legal here, but the commands delete a
 * key whose list becomes empty, as Redis does.
 *
 * Concurrency: none inside.  A list published under a key is read and
 * changed only by a thread holding the key's stripe lock (see object.h);
 * pointers returned into a list (peek, index, iterators) stay valid until
 * the list is next modified.
 */
#ifndef ST_T_LIST_H
#define ST_T_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object.h"

#define ST_LIST_CHUNK_MAX 128	/* slots in a full chunk */
#define ST_LIST_CHUNK_MIN 4	/* slots in the first chunk of a list */
#define ST_LIST_INLINE 15	/* longest element stored inside its slot */

enum st_list_where {
	ST_LIST_HEAD = 0,	/* LEFT */
	ST_LIST_TAIL = 1,	/* RIGHT */
};

/* One element: inline (tag = 0x80 | length) or on the heap (tag = 0). */
struct st_list_slot {
	union {
		struct {
			char *p;
			uint32_t len_lo;
			uint16_t len_hi;
			uint8_t pad;
			uint8_t tag;
		} h;
		struct {
			char d[ST_LIST_INLINE];
			uint8_t tag;
		} in;
	};
};

struct st_list_chunk {
	struct st_list_chunk *prev, *next;
	uint16_t cap;			/* slots allocated */
	uint16_t off;			/* first used slot */
	uint16_t cnt;			/* used slots (never 0 while linked) */
	struct st_list_slot s[];
};

struct st_list {
	struct st_value v;		/* ST_TYPE_LIST, ST_ENC_QUICKLIST */
	size_t len;			/* elements */
	size_t mem;			/* bytes owned, this struct included */
	size_t nchunks;
	struct st_list_chunk *head, *tail;
};

/* Element bytes of a slot. */
static inline const char *
st_list_slot_data(const struct st_list_slot *s, size_t *len)
{
	if (s->in.tag) {
		*len = s->in.tag & 0x7f;
		return s->in.d;
	}
	*len = (size_t)s->h.len_lo | ((size_t)s->h.len_hi << 32);
	return s->h.p;
}

/* ---- lifetime ------------------------------------------------------------ */

/* A new empty list (v.type ST_TYPE_LIST, v.enc ST_ENC_QUICKLIST).  The
 * caller owns it until it hands it to st_db_add(). */
struct st_list *st_list_new(void);
/* Free the list and every element now.  Called by st_value_free(); a
 * published list goes through st_value_free_deferred() instead. */
void st_list_free(struct st_list *l);
/* Bytes owned by the list (struct, chunks, heap elements).  O(1). */
size_t st_list_mem(const struct st_list *l);
/* A deep copy (COPY).  The caller owns it. */
struct st_list *st_list_dup(const struct st_list *l);

static inline size_t
st_list_len(const struct st_list *l)
{
	return l->len;
}

/* ---- ends ---------------------------------------------------------------- */

/* Push a copy of p[0..len) at 'where'. */
void st_list_push(struct st_list *l, int where, const char *p, size_t len);
/* The element at 'where' without removing it: 0, or -ENOENT when empty.
 * *p stays valid until the list is modified. */
int st_list_peek(const struct st_list *l, int where, const char **p,
		 size_t *len);
/* Remove the element at 'where' and hand it to the caller as an st_malloc'd
 * block of *len bytes plus a NUL (the caller st_free()s it): 0, or -ENOENT
 * when empty. */
int st_list_pop(struct st_list *l, int where, char **p, size_t *len);
/* Remove and free up to n elements at 'where'; returns how many. */
size_t st_list_pop_n(struct st_list *l, int where, size_t n);
/* Move the element at 'from' of src to 'to' of dst (src may be dst; the
 * element moves, it is not copied): 0, or -ENOENT when src is empty. */
int st_list_move(struct st_list *src, int from, struct st_list *dst, int to);

/* ---- by index ------------------------------------------------------------ */

/* Element at 0-based index 'idx' from the head: 0, or -ERANGE. */
int st_list_index(const struct st_list *l, size_t idx, const char **p,
		  size_t *len);
/* Replace the element at 'idx' with a copy of p[0..len): 0, or -ERANGE. */
int st_list_set(struct st_list *l, size_t idx, const char *p, size_t len);
/* Keep only what is left after removing ltrim elements at the head and
 * rtrim at the tail (LTRIM); removing more than len empties the list. */
void st_list_trim(struct st_list *l, size_t ltrim, size_t rtrim);

/* ---- by value ------------------------------------------------------------ */

/* Insert a copy of val before (after = false) or after the first element
 * from the head equal to pivot: 0, or -ENOENT if there is none (LINSERT). */
int st_list_insert(struct st_list *l, bool after, const char *pivot,
		   size_t pivotlen, const char *val, size_t vallen);
/* Remove elements equal to val as LREM: count > 0 the first count from the
 * head, count < 0 the first -count from the tail, 0 all.  Returns how many
 * were removed. */
size_t st_list_remove(struct st_list *l, long long count, const char *val,
		      size_t vallen);

/* ---- iteration ----------------------------------------------------------- */

/* A cursor over consecutive elements, towards the tail (dir ST_LIST_TAIL)
 * or the head (ST_LIST_HEAD).  Invalid once the list is modified. */
struct st_list_iter {
	const struct st_list_chunk *ch;
	int i;			/* slot index in ch->s */
	int step;		/* +1 or -1 */
};

/* Start at index idx from the head (O(n / ST_LIST_CHUNK_MAX)); an idx >=
 * len gives an iterator that yields nothing. */
void st_list_iter_init(const struct st_list *l, size_t idx, int dir,
		       struct st_list_iter *it);

/* Next element, or false at the end. */
static inline bool
st_list_iter_next(struct st_list_iter *it, const char **p, size_t *len)
{
	const struct st_list_chunk *ch = it->ch;

	if (ch == NULL)
		return false;
	*p = st_list_slot_data(&ch->s[it->i], len);
	it->i += it->step;
	if (it->i < (int)ch->off || it->i >= (int)ch->off + (int)ch->cnt) {
		if (it->step > 0) {
			ch = ch->next;
			it->i = ch ? ch->off : 0;
		} else {
			ch = ch->prev;
			it->i = ch ? ch->off + ch->cnt - 1 : 0;
		}
		it->ch = ch;
	}
	return true;
}

#endif
