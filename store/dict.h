/*
 * dict.h -- generic hash table: byte-string key -> value (a pointer or a double).
 *
 * A power-of-two table of chained buckets, hashed with st_hash64().  Keys are
 * copied into the entry (one allocation per entry, key bytes inline); the
 * value is a void pointer owned by the caller, or a double (zset scores), in
 * the same slot.  The table grows when it holds more entries than buckets and
 * shrinks when it is less than 1/8 full (never below 4 buckets); a resize is
 * done at once (no incremental rehash: the caller holds the key's lock).
 *
 * st_dict_scan() is Redis's dictScan: a reverse-binary cursor, so that every
 * entry present during a whole scan is returned at least once even if the
 * table was resized between two calls (entries may be returned twice).
 *
 * Concurrency: none inside.  A dict belongs to one value; the caller holds the
 * key's stripe lock (store/keyspace.h) or otherwise owns the dict.
 * Memory: everything goes through st_malloc/st_free (alloc.h).
 */
#ifndef ST_DICT_H
#define ST_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_dict;

/* One entry.  Opaque: use the st_dict_entry_* accessors. */
struct st_dict_entry {
	struct st_dict_entry *next;	/* bucket chain */
	uint64_t hash;			/* cached st_hash64 of the key */
	union {
		void *ptr;
		double d;
	} v;
	uint32_t klen;
	char key[];			/* klen bytes + a NUL */
};

/* Iterator over every entry; the dict must not be modified while it is in
 * use (except that nothing else may touch it either).  Plain struct on the
 * caller's stack. */
struct st_dict_iter {
	struct st_dict *d;
	size_t bucket;			/* next bucket to visit */
	struct st_dict_entry *next;	/* next entry to return, or NULL */
};

/* New empty dict.  Never NULL (allocation failure aborts). */
struct st_dict *st_dict_new(void);

/* Free the dict, its entries and keys; calls free_val(val) on each entry's
 * pointer value first when free_val is not NULL.  NULL d is a no-op. */
void st_dict_free(struct st_dict *d, void (*free_val)(void *val));

/* Number of entries. */
size_t st_dict_size(const struct st_dict *d);

/* Bytes owned by the table and its entries/keys (not the values). */
size_t st_dict_mem(const struct st_dict *d);

/* Find the entry of key; NULL if absent. */
struct st_dict_entry *st_dict_find(struct st_dict *d, const char *key, size_t len);

/* Add or find: returns the entry of key; *created is set true if it was added
 * now (key copied, value NULL / 0.0), false if it already existed.  May resize
 * the table (invalidates iterators, not SCAN cursors). */
struct st_dict_entry *st_dict_add_or_find(struct st_dict *d, const char *key,
					  size_t len, bool *created);

/* Delete key; true if it existed.  Its pointer value is stored in *val_out
 * when val_out is not NULL (the caller frees it).  May shrink the table. */
bool st_dict_delete(struct st_dict *d, const char *key, size_t len, void **val_out);

/* Remove the table's entries without freeing the dict (free_val as in
 * st_dict_free); the table goes back to its minimum size. */
void st_dict_clear(struct st_dict *d, void (*free_val)(void *val));

/* Entry accessors.  The key pointer stays valid until the entry is deleted;
 * it is NUL-terminated (the NUL is not counted in *len). */
const char *st_dict_entry_key(const struct st_dict_entry *e, size_t *len);
void *st_dict_entry_val(const struct st_dict_entry *e);
void st_dict_entry_set_val(struct st_dict_entry *e, void *val);
double st_dict_entry_double(const struct st_dict_entry *e);
void st_dict_entry_set_double(struct st_dict_entry *e, double v);

/* Redis-style reverse-binary cursor scan (dictScan): calls fn for each entry
 * of one bucket of the current table and returns the next cursor, 0 when the
 * whole table has been visited.  Start with cursor 0; callers loop (as
 * Redis's scanGenericCommand does) until they have COUNT entries or a bound
 * on iterations.  fn must not modify the dict.  Every entry present for the
 * whole scan is returned at least once, even if the table grows or shrinks
 * between calls (after a shrink some may be returned twice). */
unsigned long st_dict_scan(struct st_dict *d, unsigned long cursor,
			   void (*fn)(struct st_dict_entry *e, void *arg), void *arg);

/* Iteration; no modification of d during it. */
void st_dict_iter_init(struct st_dict *d, struct st_dict_iter *it);
/* Next entry, NULL at the end. */
struct st_dict_entry *st_dict_iter_next(struct st_dict_iter *it);

/* A random entry, NULL if the dict is empty.  Roughly uniform: a random
 * non-empty bucket, then a random entry of its chain (like Redis's
 * dictGetFairRandomKey with short chains). */
struct st_dict_entry *st_dict_random(struct st_dict *d);

#endif
