/*
 * t_set.h -- the set value type: distinct byte-string members.
 *
 * Two bodies, named as Redis 7.0 names them in OBJECT ENCODING:
 *  - "intset": while every member is a canonical 64-bit integer (Redis's
 *    string2ll rules) and there are at most set-max-intset-entries members,
 *    a sorted int64 array (intset.h); members iterate in ascending order, as
 *    Redis's intset does.
 *  - "hashtable": a dict (dict.h) of members with no values, once a member is
 *    not an integer or the intset grows past the threshold, and forever after
 *    (Redis never converts a set back in place).
 *
 * Concurrency: none inside.  A set is mutated in place and read only by a
 * thread holding its key's stripe lock (keyspace.h).  Memory is accounted
 * through st_malloc; st_set_free() frees everything the value owns.
 */
#ifndef ST_T_SET_H
#define ST_T_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "intset.h"
#include "object.h"
#include "util.h"

struct st_set {
	struct st_value v;	/* type ST_TYPE_SET, enc INTSET / HASHTABLE */
	struct st_intset is;	/* "intset" body */
	struct st_dict *d;	/* "hashtable" body: members, values unused */
};

/* Iterator over every member; the set must not change while it is used.
 * Integer members are formatted into buf. */
struct st_set_iter {
	struct st_set *s;
	uint32_t i;
	struct st_dict_iter di;
	char buf[ST_NUMBUF];
};

/* New empty set, "intset" encoded (Redis's createIntsetObject). */
struct st_set *st_set_new(void);
/* New empty set encoded for its first member as Redis's setTypeCreate:
 * "intset" if the member is an integer, "hashtable" otherwise. */
struct st_set *st_set_new_for(const char *m, size_t len);
/* Free the set and everything it owns (called by st_value_free). */
void st_set_free(struct st_set *s);
/* Bytes owned by the set (MEMORY USAGE, eviction). */
size_t st_set_mem(const struct st_set *s);
/* Number of members. */
size_t st_set_size(const struct st_set *s);

/* Add a member; true if it was added.  Converts to "hashtable" as Redis's
 * setTypeAdd: on a non-integer member, or when the intset exceeds
 * set-max-intset-entries. */
bool st_set_add(struct st_set *s, const char *m, size_t len);
/* Remove a member; true if it was present.  The caller deletes the key when
 * the set becomes empty. */
bool st_set_remove(struct st_set *s, const char *m, size_t len);
/* True if m is a member. */
bool st_set_is_member(struct st_set *s, const char *m, size_t len);
/* Convert an "intset" set to "hashtable" (no-op if already). */
void st_set_convert(struct st_set *s);

/* Iteration (ascending for "intset", table order for "hashtable"). */
void st_set_iter_init(struct st_set *s, struct st_set_iter *it);
/* Next member: true and *m / *len set (valid until the next call or a
 * change of the set), false at the end. */
bool st_set_iter_next(struct st_set_iter *it, const char **m, size_t *len);

/* A random member of a non-empty set; integer members are formatted into
 * buf (ST_NUMBUF bytes).  *m valid until the set changes. */
void st_set_random(struct st_set *s, char *buf, const char **m, size_t *len);

/* One SSCAN step.  "intset": calls fn for every member and returns 0.
 * "hashtable": st_dict_scan semantics (one bucket, next cursor). */
unsigned long st_set_scan(struct st_set *s, unsigned long cursor,
			  void (*fn)(const char *m, size_t len, void *arg),
			  void *arg);

#endif
