/*
 * t_zset.h -- the sorted set type: a skiplist with spans plus a member dict.
 *
 * A sorted set keeps its members in two structures at once, as Redis's
 * skiplist encoding does:
 *  - a skiplist ordered by (score, member bytes), with a span count on every
 *    forward link, so that the rank of a member and the member at a rank are
 *    found in O(log n), and ranges by rank, score or lex are walked in order;
 *  - a dict (dict.h) from member to its skiplist node, for O(1) ZSCORE and
 *    membership.  The node's member bytes are the dict entry's key (stable
 *    until the entry is deleted), so each member is stored once.
 *
 * Members order as Redis's sdscmp: memcmp over the shorter length, then the
 * shorter member first.  Equal scores order by member.  While the encoding
 * is "listpack" a score of -0 is kept as 0, as Redis's listpack (scores
 * stored as text) does; a "skiplist" keeps -0.
 *
 * OBJECT ENCODING: there is one representation (the fastest), but the
 * encoding name follows Redis 7.0: "listpack" while the set never held more
 * than zset-max-listpack-entries members nor a member longer than
 * zset-max-listpack-value bytes (checked whenever a new member is added),
 * "skiplist" forever after.
 *
 * Concurrency: plain single-threaded code.  The caller holds the key's stripe
 * lock (command handlers: the dispatcher took it), or owns an unpublished
 * set.  Memory: st_malloc/st_free (alloc.h); a set is freed by st_zset_free
 * (object.c's st_value_free calls it), which frees every member.
 */
#ifndef ST_T_ZSET_H
#define ST_T_ZSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "object.h"

struct st_dict;

#define ST_ZSKIPLIST_MAXLEVEL 32

struct st_zset_node {
	double score;
	const char *ele;		/* member bytes: the dict entry's key */
	uint32_t len;			/* member length */
	uint32_t height;		/* number of levels */
	struct st_zset_node *backward;
	struct st_zset_level {
		struct st_zset_node *forward;
		unsigned long span;	/* nodes skipped by this link, + 1 */
	} level[];
};

struct st_zset {
	struct st_value v;		/* type ST_TYPE_ZSET */
	struct st_zset_node *header;	/* sentinel; height = levels allocated */
	struct st_zset_node *tail;
	unsigned long length;
	int level;			/* levels in use (>= 1) */
	struct st_dict *dict;		/* member -> node (entry pointer value) */
	size_t node_mem;		/* allocated bytes of the nodes */
};

/* ---- lifetime ----------------------------------------------------------- */

/* New empty set (encoding "listpack").  Never NULL. */
struct st_zset *st_zset_new(void);
/* Free the set and all its members.  NULL is a no-op. */
void st_zset_free(struct st_zset *z);
/* Bytes owned by the set (MEMORY USAGE, eviction). */
size_t st_zset_mem(const struct st_zset *z);

static inline unsigned long
st_zset_len(const struct st_zset *z)
{
	return z->length;
}

/* ---- members -------------------------------------------------------------- */

/* st_zset_add in_flags (ZADD options). */
enum {
	ST_ZADD_INCR = 1 << 0,	/* add score to the current one */
	ST_ZADD_NX = 1 << 1,	/* only add new members */
	ST_ZADD_XX = 1 << 2,	/* only update existing members */
	ST_ZADD_GT = 1 << 3,	/* only update when the new score is greater */
	ST_ZADD_LT = 1 << 4,	/* only update when the new score is less */
};

/* st_zset_add out_flags. */
enum {
	ST_ZADD_OUT_NOP = 1 << 0,	/* nothing done (NX/XX/GT/LT) */
	ST_ZADD_OUT_NAN = 1 << 1,	/* score is (or became) NaN */
	ST_ZADD_OUT_ADDED = 1 << 2,	/* new member */
	ST_ZADD_OUT_UPDATED = 1 << 3,	/* score changed */
};

/*
 * Add or update a member, as Redis's zsetAdd: NX/XX/GT/LT/INCR semantics,
 * *out_flags says what happened, *newscore (when not NULL) gets the member's
 * score after the call unless nothing was done.  Returns 0, or -EDOM if the
 * score is NaN or INCR made it NaN (nothing changed, ST_ZADD_OUT_NAN set).
 * The member bytes are copied.
 */
int st_zset_add(struct st_zset *z, double score, const char *ele, size_t len,
		int in_flags, int *out_flags, double *newscore);

/* Score of a member; false if absent. */
bool st_zset_score(struct st_zset *z, const char *ele, size_t len, double *score);

/* Remove a member; true if it was there. */
bool st_zset_delete(struct st_zset *z, const char *ele, size_t len);

/* 0-based rank of a member in ascending order (or descending if reverse);
 * -1 if absent.  O(log n). */
long st_zset_rank(struct st_zset *z, const char *ele, size_t len, bool reverse);

/* The node at 0-based ascending rank, NULL if rank >= length.  O(log n). */
struct st_zset_node *st_zset_by_rank(const struct st_zset *z, unsigned long rank);

/* 0-based ascending rank of a node of z.  O(log n). */
unsigned long st_zset_node_rank(const struct st_zset *z,
				const struct st_zset_node *n);

/* Walk in order: first/last node (NULL if empty), next/previous (NULL at
 * the end).  Valid until the set is modified. */
static inline struct st_zset_node *
st_zset_first(const struct st_zset *z)
{
	return z->header->level[0].forward;
}

static inline struct st_zset_node *
st_zset_last(const struct st_zset *z)
{
	return z->tail;
}

static inline struct st_zset_node *
st_zset_next(const struct st_zset_node *n)
{
	return n->level[0].forward;
}

static inline struct st_zset_node *
st_zset_prev(const struct st_zset_node *n)
{
	return n->backward;
}

/* ---- ranges by score ------------------------------------------------------ */

struct st_zrange_score {
	double min, max;
	bool minex, maxex;	/* exclusive bounds: "(1.5" */
};

/*
 * Parse ZRANGEBYSCORE-style bounds as Redis's zslParseRange: strtod syntax
 * ("1.5", "-inf", "+inf", "inf", " 1", "0x10", even "" = 0) with an optional
 * leading '(' for exclusive; NaN or trailing garbage is an error.  Returns 0
 * or -EINVAL (reply "min or max is not a float").
 */
int st_zset_parse_score_range(const char *min, size_t minlen, const char *max,
			      size_t maxlen, struct st_zrange_score *r);

/* Whether a score is above the minimum / below the maximum. */
static inline bool
st_zset_score_gte_min(double v, const struct st_zrange_score *r)
{
	return r->minex ? v > r->min : v >= r->min;
}

static inline bool
st_zset_score_lte_max(double v, const struct st_zrange_score *r)
{
	return r->maxex ? v < r->max : v <= r->max;
}

/* First / last node whose score is in range; NULL if none.  When rank is
 * not NULL it gets the node's 0-based ascending rank.  O(log n). */
struct st_zset_node *st_zset_first_in_score(const struct st_zset *z,
					    const struct st_zrange_score *r,
					    unsigned long *rank);
struct st_zset_node *st_zset_last_in_score(const struct st_zset *z,
					   const struct st_zrange_score *r,
					   unsigned long *rank);
/* Members in range.  O(log n). */
unsigned long st_zset_count_score(const struct st_zset *z,
				  const struct st_zrange_score *r);
/* Remove the members in range; returns how many. */
unsigned long st_zset_delete_range_score(struct st_zset *z,
					 const struct st_zrange_score *r);

/* ---- ranges by member (lex) ------------------------------------------------ */

enum st_zlex_kind {
	ST_ZLEX_MIN = -1,	/* "-": below every member */
	ST_ZLEX_VALUE = 0,	/* "[x" / "(x" */
	ST_ZLEX_MAX = 1,	/* "+": above every member */
};

struct st_zrange_lex {
	const char *min, *max;	/* point into the parsed arguments */
	size_t minlen, maxlen;
	int8_t minkind, maxkind;	/* enum st_zlex_kind */
	bool minex, maxex;
};

/*
 * Parse ZRANGEBYLEX-style bounds as Redis's zslParseLexRange: "-", "+",
 * "[member" (inclusive) or "(member" (exclusive).  The result points into
 * the arguments (no copy).  Returns 0 or -EINVAL (reply "min or max not
 * valid string range item").
 */
int st_zset_parse_lex_range(const char *min, size_t minlen, const char *max,
			    size_t maxlen, struct st_zrange_lex *r);

bool st_zset_lex_gte_min(const char *ele, size_t len, const struct st_zrange_lex *r);
bool st_zset_lex_lte_max(const char *ele, size_t len, const struct st_zrange_lex *r);

/* As the score versions.  Lex ranges are meaningful when all members have
 * the same score, as in Redis; otherwise they follow the skiplist order. */
struct st_zset_node *st_zset_first_in_lex(const struct st_zset *z,
					  const struct st_zrange_lex *r,
					  unsigned long *rank);
struct st_zset_node *st_zset_last_in_lex(const struct st_zset *z,
					 const struct st_zrange_lex *r,
					 unsigned long *rank);
unsigned long st_zset_count_lex(const struct st_zset *z,
				const struct st_zrange_lex *r);
unsigned long st_zset_delete_range_lex(struct st_zset *z,
				       const struct st_zrange_lex *r);

/* ---- ranges by rank -------------------------------------------------------- */

/* Remove the members of 0-based ascending ranks start..end (inclusive, both
 * already clamped to 0 <= start <= end < length); returns how many. */
unsigned long st_zset_delete_range_rank(struct st_zset *z, unsigned long start,
					unsigned long end);

/* ---- scan -------------------------------------------------------------- */

/* One step of a Redis-style ZSCAN over the member dict (st_dict_scan):
 * calls fn(member, len, score, arg) for the members of one bucket and returns
 * the next cursor (0 when done). */
unsigned long st_zset_scan(struct st_zset *z, unsigned long cursor,
			   void (*fn)(const char *ele, size_t len, double score,
				      void *arg),
			   void *arg);

/* Check every structural invariant (order, spans, backward links, tail,
 * dict agreement); 0 or -EFAULT.  For tests; O(n log n). */
int st_zset_verify(const struct st_zset *z);

#endif
