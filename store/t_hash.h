/*
 * t_hash.h -- the hash value type: field -> value, both byte strings.
 *
 * Two bodies, named as Redis 7.0 names them in OBJECT ENCODING:
 *  - "listpack": while the hash has at most hash-max-listpack-entries fields
 *    and every field and value is at most hash-max-listpack-value bytes, a
 *    compact array of pairs in insertion order (an update keeps the pair's
 *    place, a delete closes the gap), so HGETALL / HKEYS / HSCAN answer in the
 *    same order as Redis's listpack.  Lookups are a linear scan with a length
 *    check first; the array is small by construction.
 *  - "hashtable": a dict (dict.h) field -> struct st_hstr value, once either
 *    threshold is exceeded, and forever after (Redis never converts back).
 *
 * Concurrency: none inside.  A hash is mutated in place and read only by a
 * thread holding its key's stripe lock (keyspace.h).  Memory is accounted
 * through st_malloc; st_hash_free() frees everything the value owns.
 */
#ifndef ST_T_HASH_H
#define ST_T_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "object.h"

/* A length-prefixed byte string (fields and values). */
struct st_hstr {
	uint32_t len;
	char data[];		/* len bytes + NUL */
};

struct st_hash_pair {
	struct st_hstr *f;
	struct st_hstr *v;
};

struct st_hash {
	struct st_value v;		/* type ST_TYPE_HASH, enc LISTPACK / HASHTABLE */
	uint32_t lp_len;		/* listpack: pairs in lp */
	uint32_t lp_cap;
	struct st_hash_pair *lp;	/* listpack: insertion order */
	struct st_dict *d;		/* hashtable: field -> struct st_hstr * */
	size_t str_bytes;		/* allocator size of every st_hstr owned */
};

/* Iterator over every pair; the hash must not change while it is used. */
struct st_hash_iter {
	struct st_hash *h;
	uint32_t i;
	struct st_dict_iter di;
};

/* New empty hash, "listpack" encoded.  Never NULL. */
struct st_hash *st_hash_new(void);
/* Free the hash and everything it owns (called by st_value_free). */
void st_hash_free(struct st_hash *h);
/* Bytes owned by the hash (MEMORY USAGE, eviction). */
size_t st_hash_mem(const struct st_hash *h);
/* Number of fields. */
size_t st_hash_len(const struct st_hash *h);

/* Value of a field: true and *v / *vlen set (valid until the field changes)
 * if present, false otherwise. */
bool st_hash_get(struct st_hash *h, const char *f, size_t flen,
		 const char **v, size_t *vlen);
/* True if the field exists. */
bool st_hash_exists(struct st_hash *h, const char *f, size_t flen);
/* Set a field (copies both); converts to "hashtable" first when the field or
 * value is longer than hash-max-listpack-value, and after the insert when the
 * hash has more than hash-max-listpack-entries fields, as Redis's
 * hashTypeSet.  Returns 1 if the field was created, 0 if it was updated. */
int st_hash_set(struct st_hash *h, const char *f, size_t flen,
		const char *v, size_t vlen);
/* Delete a field; true if it existed.  The caller deletes the key when the
 * hash becomes empty. */
bool st_hash_delete(struct st_hash *h, const char *f, size_t flen);
/* Convert a "listpack" hash to "hashtable" (no-op if already). */
void st_hash_convert(struct st_hash *h);

/* Iteration in encoding order (insertion order for "listpack"). */
void st_hash_iter_init(struct st_hash *h, struct st_hash_iter *it);
/* Next pair: true and the four outputs set, false at the end. */
bool st_hash_iter_next(struct st_hash_iter *it, const char **f, size_t *flen,
		       const char **v, size_t *vlen);

/* A random pair of a non-empty hash (HRANDFIELD). */
void st_hash_random(struct st_hash *h, const char **f, size_t *flen,
		    const char **v, size_t *vlen);

/* One HSCAN step.  "listpack": calls fn for every pair and returns 0.
 * "hashtable": st_dict_scan semantics (one bucket, next cursor). */
unsigned long st_hash_scan(struct st_hash *h, unsigned long cursor,
			   void (*fn)(const char *f, size_t flen, const char *v,
				      size_t vlen, void *arg),
			   void *arg);

#endif
