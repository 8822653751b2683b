/*
 * dict.c -- generic chained hash table with a Redis-style SCAN cursor.
 *
 * The table is a power-of-two array of singly linked chains.  Each entry is
 * one allocation: the chain link, the cached hash, the value slot and the key
 * bytes inline.  The table doubles when it holds more entries than buckets
 * (load factor 1) and halves (to the smallest power of two holding the
 * entries) when it is less than 1/8 full, never below ST_DICT_MIN_SIZE.
 * Resizes happen at once: the caller holds the key's lock, so there is no
 * reader to keep going while we rehash, and a single table keeps the SCAN
 * cursor logic simple.
 *
 * SCAN (Redis's dictScan, Pieter Noordhuis's reverse-binary cursor): the
 * cursor is a bucket index whose bits are incremented from the top.  Masked
 * to a bigger table, every bucket already visited expands into buckets whose
 * reversed index is below the cursor, so none is missed after a growth; after
 * a shrink a bucket folds into one that may be visited again (duplicates, no
 * misses).
 */
#include "dict.h"

#include <string.h>

#include "alloc.h"
#include "util.h"

#define ST_DICT_MIN_SIZE 4

struct st_dict {
	struct st_dict_entry **table;
	size_t size;		/* buckets, a power of two */
	size_t used;		/* entries */
	size_t entry_bytes;	/* allocator size of every entry */
};

static inline size_t
entry_alloc_size(size_t klen)
{
	return sizeof(struct st_dict_entry) + klen + 1;
}

struct st_dict *
st_dict_new(void)
{
	struct st_dict *d = st_malloc(sizeof(*d));

	d->size = ST_DICT_MIN_SIZE;
	d->table = st_calloc(d->size * sizeof(*d->table));
	d->used = 0;
	d->entry_bytes = 0;
	return d;
}

static void
free_entries(struct st_dict *d, void (*free_val)(void *val))
{
	for (size_t i = 0; i < d->size; i++) {
		struct st_dict_entry *e = d->table[i];

		while (e != NULL) {
			struct st_dict_entry *next = e->next;

			if (free_val != NULL)
				free_val(e->v.ptr);
			st_free(e);
			e = next;
		}
		d->table[i] = NULL;
	}
	d->used = 0;
	d->entry_bytes = 0;
}

void
st_dict_free(struct st_dict *d, void (*free_val)(void *val))
{
	if (d == NULL)
		return;
	free_entries(d, free_val);
	st_free(d->table);
	st_free(d);
}

void
st_dict_clear(struct st_dict *d, void (*free_val)(void *val))
{
	free_entries(d, free_val);
	if (d->size != ST_DICT_MIN_SIZE) {
		st_free(d->table);
		d->size = ST_DICT_MIN_SIZE;
		d->table = st_calloc(d->size * sizeof(*d->table));
	}
}

size_t
st_dict_size(const struct st_dict *d)
{
	return d->used;
}

size_t
st_dict_mem(const struct st_dict *d)
{
	return st_alloc_size(d) + st_alloc_size(d->table) + d->entry_bytes;
}

/* Move every entry into a table of 'size' buckets. */
static void
resize(struct st_dict *d, size_t size)
{
	struct st_dict_entry **nt = st_calloc(size * sizeof(*nt));
	size_t mask = size - 1;

	for (size_t i = 0; i < d->size; i++) {
		struct st_dict_entry *e = d->table[i];

		while (e != NULL) {
			struct st_dict_entry *next = e->next;
			size_t b = e->hash & mask;

			e->next = nt[b];
			nt[b] = e;
			e = next;
		}
	}
	st_free(d->table);
	d->table = nt;
	d->size = size;
}

static void
maybe_shrink(struct st_dict *d)
{
	size_t size = ST_DICT_MIN_SIZE;

	if (d->size <= ST_DICT_MIN_SIZE || d->used * 8 >= d->size)
		return;
	while (size < d->used)
		size <<= 1;
	resize(d, size);
}

struct st_dict_entry *
st_dict_find(struct st_dict *d, const char *key, size_t len)
{
	uint64_t h = st_hash64(key, len);
	struct st_dict_entry *e = d->table[h & (d->size - 1)];

	for (; e != NULL; e = e->next) {
		if (e->hash == h && e->klen == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

struct st_dict_entry *
st_dict_add_or_find(struct st_dict *d, const char *key, size_t len, bool *created)
{
	uint64_t h = st_hash64(key, len);
	size_t b = h & (d->size - 1);
	struct st_dict_entry *e;

	for (e = d->table[b]; e != NULL; e = e->next) {
		if (e->hash == h && e->klen == len && memcmp(e->key, key, len) == 0) {
			if (created != NULL)
				*created = false;
			return e;
		}
	}
	if (d->used >= d->size) {
		resize(d, d->size * 2);
		b = h & (d->size - 1);
	}
	e = st_malloc(entry_alloc_size(len));
	e->hash = h;
	e->v.ptr = NULL;
	e->klen = (uint32_t)len;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->next = d->table[b];
	d->table[b] = e;
	d->used++;
	d->entry_bytes += st_alloc_size(e);
	if (created != NULL)
		*created = true;
	return e;
}

bool
st_dict_delete(struct st_dict *d, const char *key, size_t len, void **val_out)
{
	uint64_t h = st_hash64(key, len);
	struct st_dict_entry **pp = &d->table[h & (d->size - 1)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		struct st_dict_entry *e = *pp;

		if (e->hash != h || e->klen != len || memcmp(e->key, key, len) != 0)
			continue;
		*pp = e->next;
		if (val_out != NULL)
			*val_out = e->v.ptr;
		d->entry_bytes -= st_alloc_size(e);
		st_free(e);
		d->used--;
		maybe_shrink(d);
		return true;
	}
	return false;
}

const char *
st_dict_entry_key(const struct st_dict_entry *e, size_t *len)
{
	if (len != NULL)
		*len = e->klen;
	return e->key;
}

void *
st_dict_entry_val(const struct st_dict_entry *e)
{
	return e->v.ptr;
}

void
st_dict_entry_set_val(struct st_dict_entry *e, void *val)
{
	e->v.ptr = val;
}

double
st_dict_entry_double(const struct st_dict_entry *e)
{
	return e->v.d;
}

void
st_dict_entry_set_double(struct st_dict_entry *e, double v)
{
	e->v.d = v;
}

static inline unsigned long
rev(unsigned long v)
{
	unsigned long s = 8 * sizeof(v);
	unsigned long mask = ~0UL;

	while ((s >>= 1) > 0) {
		mask ^= (mask << s);
		v = ((v >> s) & mask) | ((v << s) & ~mask);
	}
	return v;
}

unsigned long
st_dict_scan(struct st_dict *d, unsigned long cursor,
	     void (*fn)(struct st_dict_entry *e, void *arg), void *arg)
{
	unsigned long m = d->size - 1;
	struct st_dict_entry *e;

	if (d->used == 0)
		return 0;
	for (e = d->table[cursor & m]; e != NULL; e = e->next)
		fn(e, arg);
	/* Set the unmasked bits so the reversed increment carries into the
	 * masked ones, then increment the reversed cursor. */
	cursor |= ~m;
	cursor = rev(cursor);
	cursor++;
	cursor = rev(cursor);
	return cursor;
}

void
st_dict_iter_init(struct st_dict *d, struct st_dict_iter *it)
{
	it->d = d;
	it->bucket = 0;
	it->next = NULL;
}

struct st_dict_entry *
st_dict_iter_next(struct st_dict_iter *it)
{
	struct st_dict_entry *e = it->next;

	while (e == NULL) {
		if (it->bucket >= it->d->size)
			return NULL;
		e = it->d->table[it->bucket++];
	}
	it->next = e->next;
	return e;
}

struct st_dict_entry *
st_dict_random(struct st_dict *d)
{
	struct st_dict_entry *e, *pick;
	size_t n = 0;

	if (d->used == 0)
		return NULL;
	do {
		e = d->table[st_rand64() & (d->size - 1)];
	} while (e == NULL);
	/* A random element of the chain (reservoir over a short list). */
	pick = e;
	for (; e != NULL; e = e->next) {
		if (st_rand64() % ++n == 0)
			pick = e;
	}
	return pick;
}
