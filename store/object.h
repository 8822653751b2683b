/*
 * object.h -- values stored under keys: the common header and strings.
 *
 * A value is one of five types.  Its header carries the type and the
 * encoding name Redis 7.0 would report for it (OBJECT ENCODING); the body is
 * type specific (strings here, collections in t_list.h, t_hash.h, t_set.h,
 * t_zset.h).
 *
 * Concurrency contract (see keyspace.h for the whole protocol):
 *  - Strings are immutable once published in a key: a write builds a new
 *    st_string and replaces the pointer; lock-free readers (GET) may hold the
 *    old one until the next quiescent state, so the old one is freed with
 *    st_value_free_deferred() (call_rcu).
 *  - Collections are changed in place, only by a thread holding the key's
 *    stripe lock; readers of collections take the same lock (the command
 *    dispatcher does it from the command table), so collection code is plain
 *    single-threaded code.  A collection replaced or deleted as a whole is
 *    freed with st_value_free_deferred().
 *  - Every value is owned by at most one key.  Nothing is reference counted.
 */
#ifndef ST_OBJECT_H
#define ST_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <urcu/urcu-qsbr.h>

enum st_type {
	ST_TYPE_STRING = 0,
	ST_TYPE_LIST,
	ST_TYPE_HASH,
	ST_TYPE_SET,
	ST_TYPE_ZSET,
	ST_TYPE__COUNT
};

enum st_encoding {
	ST_ENC_RAW = 0,
	ST_ENC_INT,
	ST_ENC_EMBSTR,
	ST_ENC_QUICKLIST,
	ST_ENC_LISTPACK,
	ST_ENC_HASHTABLE,
	ST_ENC_INTSET,
	ST_ENC_SKIPLIST,
	ST_ENC__COUNT
};

struct st_value {
	struct rcu_head rcu;	/* deferred free */
	uint8_t type;		/* enum st_type */
	uint8_t enc;		/* enum st_encoding, as Redis would name it */
};

/* Redis's names: "string", "list", ...  and "raw", "int", "embstr", ... */
const char *st_type_name(enum st_type t);
const char *st_encoding_name(enum st_encoding e);

/* ---- strings ---------------------------------------------------------- */

struct st_string {
	struct st_value v;
	uint32_t len;
	bool is_int;		/* data is a canonical int64 (ival valid) */
	long long ival;
	char data[];		/* len bytes, then a NUL (not counted) */
};

/* New string value holding a copy of 'p'.  Encoding follows Redis's
 * createStringObject + tryObjectEncoding: "int" for canonical integers of at
 * most 20 chars, "embstr" up to 44 bytes, "raw" beyond. */
struct st_string *st_string_new(const char *p, size_t len);
/* As st_string_new but always "raw" (APPEND/SETRANGE results in Redis). */
struct st_string *st_string_new_raw(const char *p, size_t len);
struct st_string *st_string_from_ll(long long v);

static inline struct st_string *
st_value_string(struct st_value *v)
{
	return (struct st_string *)v;
}

/* ---- every type -------------------------------------------------------- */

/* Free now: only for values never published, or when no reader can hold it. */
void st_value_free(struct st_value *v);
/* Free after a grace period (call_rcu); the caller unlinked it already. */
void st_value_free_deferred(struct st_value *v);
/* Bytes this value owns (MEMORY USAGE, eviction accounting). */
size_t st_value_mem(const struct st_value *v);

#endif
