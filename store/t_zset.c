/*
 * t_zset.c -- the sorted set type: skiplist with spans + member dict.
 *
 * The skiplist is William Pugh's, with Redis's additions (zskiplist in
 * Redis's t_zset.c): a backward link at level 0 so that ranges walk in both
 * directions, and a span on every forward link (how many level-0 steps it
 * covers) so that ranks are computed during the descent.  A node's level is
 * drawn with P = 1/4, at most ST_ZSKIPLIST_MAXLEVEL.  The member bytes live
 * in the dict entry (dict.h keeps keys inline in one allocation per entry and
 * never moves entries), and the entry's pointer value is the node, so a
 * member is stored once and ZSCORE is one hash lookup.
 *
 * Ordering: (score, member) with members compared as sdscmp (memcmp over
 * the shorter length, then the shorter first).  Range bounds are parsed
 * exactly as Redis's zslParseRange / zslParseLexRange, quirks included.
 *
 * Concurrency: none inside; see t_zset.h.
 */
#include "t_zset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"
#include "dict.h"
#include "util.h"

/* ---- nodes -------------------------------------------------------------- */

static struct st_zset_node *
node_new(int height, double score, const char *ele, size_t len)
{
	struct st_zset_node *n = st_malloc(sizeof(*n) +
					   height * sizeof(n->level[0]));

	n->score = score;
	n->ele = ele;
	n->len = (uint32_t)len;
	n->height = (uint32_t)height;
	n->backward = NULL;
	return n;
}

/* Random level, P = 1/4: one more level per leading pair of zero bits. */
static int
random_level(void)
{
	uint64_t r = st_rand64() | (1ULL << 62);

	return 1 + __builtin_ctzll(r) / 2;	/* 1..32 */
}

/* sdscmp: memcmp over the shorter length, then the shorter first. */
static inline int
ele_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t minlen = alen < blen ? alen : blen;
	int cmp = minlen ? memcmp(a, b, minlen) : 0;

	if (cmp != 0)
		return cmp;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* True if node n sorts before (score, ele). */
static inline bool
node_before(const struct st_zset_node *n, double score, const char *ele,
	    size_t len)
{
	return n->score < score ||
	       (n->score == score && ele_cmp(n->ele, n->len, ele, len) < 0);
}

/* ---- lifetime ------------------------------------------------------------ */

/* The header starts with a few levels and grows (realloc) when a taller
 * node arrives, so a small set does not pay for 32 levels.  Moving it is
 * safe: only update[] arrays (never kept) point at it; the first node's
 * backward link is NULL, not the header. */
#define HEADER_MIN_LEVELS 4

static void
header_reserve(struct st_zset *z, int levels)
{
	struct st_zset_node *h = z->header;
	int i, old = (int)h->height;

	if (levels <= old)
		return;
	h = st_realloc(h, sizeof(*h) + levels * sizeof(h->level[0]));
	for (i = old; i < levels; i++) {
		h->level[i].forward = NULL;
		h->level[i].span = 0;
	}
	h->height = (uint32_t)levels;
	z->header = h;
}

struct st_zset *
st_zset_new(void)
{
	struct st_zset *z = st_calloc(sizeof(*z));
	int i;

	z->v.type = ST_TYPE_ZSET;
	z->v.enc = ST_ENC_LISTPACK;
	z->header = node_new(HEADER_MIN_LEVELS, 0, NULL, 0);
	for (i = 0; i < HEADER_MIN_LEVELS; i++) {
		z->header->level[i].forward = NULL;
		z->header->level[i].span = 0;
	}
	z->level = 1;
	z->dict = st_dict_new();
	return z;
}

void
st_zset_free(struct st_zset *z)
{
	struct st_zset_node *n, *next;

	if (z == NULL)
		return;
	for (n = z->header->level[0].forward; n != NULL; n = next) {
		next = n->level[0].forward;
		st_free(n);
	}
	st_free(z->header);
	st_dict_free(z->dict, NULL);
	st_free(z);
}

size_t
st_zset_mem(const struct st_zset *z)
{
	return st_alloc_size(z) + st_alloc_size(z->header) + z->node_mem +
	       st_dict_mem(z->dict);
}

/* ---- skiplist core -------------------------------------------------------- */

/* Fill update[] with the last node before (score, ele) on every level and,
 * when rank is not NULL, rank[] with their 1-based ranks (header = 0). */
static void
find_update(const struct st_zset *z, double score, const char *ele,
	    size_t len, struct st_zset_node **update, unsigned long *rank)
{
	struct st_zset_node *x = z->header;
	unsigned long r = 0;
	int i;

	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       node_before(x->level[i].forward, score, ele, len)) {
			r += x->level[i].span;
			x = x->level[i].forward;
		}
		update[i] = x;
		if (rank != NULL)
			rank[i] = r;
	}
}

/* Link node x (its height, score and member set) at its place. */
static void
link_node(struct st_zset *z, struct st_zset_node *x)
{
	struct st_zset_node *update[ST_ZSKIPLIST_MAXLEVEL];
	unsigned long rank[ST_ZSKIPLIST_MAXLEVEL];
	int level = (int)x->height;
	int i;

	header_reserve(z, level);
	find_update(z, x->score, x->ele, x->len, update, rank);
	if (level > z->level) {
		for (i = z->level; i < level; i++) {
			rank[i] = 0;
			update[i] = z->header;
			update[i]->level[i].span = z->length;
		}
		z->level = level;
	}
	for (i = 0; i < level; i++) {
		x->level[i].forward = update[i]->level[i].forward;
		update[i]->level[i].forward = x;
		x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
		update[i]->level[i].span = (rank[0] - rank[i]) + 1;
	}
	for (i = level; i < z->level; i++)
		update[i]->level[i].span++;
	x->backward = update[0] == z->header ? NULL : update[0];
	if (x->level[0].forward != NULL)
		x->level[0].forward->backward = x;
	else
		z->tail = x;
	z->length++;
}

/* Unlink x, given update[] from find_update on x's own (score, member). */
static void
unlink_node(struct st_zset *z, struct st_zset_node *x,
	    struct st_zset_node **update)
{
	int i;

	for (i = 0; i < z->level; i++) {
		if (update[i]->level[i].forward == x) {
			update[i]->level[i].span += x->level[i].span - 1;
			update[i]->level[i].forward = x->level[i].forward;
		} else {
			update[i]->level[i].span -= 1;
		}
	}
	if (x->level[0].forward != NULL)
		x->level[0].forward->backward = x->backward;
	else
		z->tail = x->backward;
	while (z->level > 1 && z->header->level[z->level - 1].forward == NULL)
		z->level--;
	z->length--;
}

/* Unlink x, drop its dict entry (which holds its member bytes), free it. */
static void
free_unlinked(struct st_zset *z, struct st_zset_node *x)
{
	/* The key passed is the entry's own; st_dict_delete compares it
	 * before freeing the entry and does not read it afterwards. */
	st_dict_delete(z->dict, x->ele, x->len, NULL);
	z->node_mem -= st_alloc_size(x);
	st_free(x);
}

static void
delete_node(struct st_zset *z, struct st_zset_node *x)
{
	struct st_zset_node *update[ST_ZSKIPLIST_MAXLEVEL];

	find_update(z, x->score, x->ele, x->len, update, NULL);
	unlink_node(z, x, update);
	free_unlinked(z, x);
}

/* Change x's score (Redis's zslUpdateScore): in place when the order stays
 * the same, otherwise unlink and relink the same node. */
static void
update_score(struct st_zset *z, struct st_zset_node *x, double newscore)
{
	struct st_zset_node *update[ST_ZSKIPLIST_MAXLEVEL];

	if ((x->backward == NULL || x->backward->score < newscore) &&
	    (x->level[0].forward == NULL ||
	     x->level[0].forward->score > newscore)) {
		x->score = newscore;
		return;
	}
	find_update(z, x->score, x->ele, x->len, update, NULL);
	unlink_node(z, x, update);
	x->score = newscore;
	link_node(z, x);
}

/* ---- members -------------------------------------------------------------- */

/* The score as Redis would keep it: a listpack stores scores as text
 * (d2string), which turns -0 into "0"; a skiplist keeps the double. */
static inline double
stored_score(const struct st_zset *z, double score)
{
	if (z->v.enc == ST_ENC_LISTPACK && score == 0)
		return 0.0;
	return score;
}

int
st_zset_add(struct st_zset *z, double score, const char *ele, size_t len,
	    int in_flags, int *out_flags, double *newscore)
{
	bool incr = in_flags & ST_ZADD_INCR;
	bool nx = in_flags & ST_ZADD_NX;
	bool xx = in_flags & ST_ZADD_XX;
	bool gt = in_flags & ST_ZADD_GT;
	bool lt = in_flags & ST_ZADD_LT;
	struct st_dict_entry *e;
	struct st_zset_node *x;
	bool created;

	*out_flags = 0;
	if (isnan(score)) {
		*out_flags = ST_ZADD_OUT_NAN;
		return -EDOM;
	}
	/* One hash lookup: find for XX, find-or-create otherwise. */
	if (xx) {
		e = st_dict_find(z->dict, ele, len);
		created = false;
		if (e == NULL) {
			*out_flags |= ST_ZADD_OUT_NOP;
			return 0;
		}
	} else {
		e = st_dict_add_or_find(z->dict, ele, len, &created);
	}
	if (!created) {
		double cur;

		if (nx) {
			*out_flags |= ST_ZADD_OUT_NOP;
			return 0;
		}
		x = st_dict_entry_val(e);
		cur = x->score;
		if (incr) {
			score += cur;
			if (isnan(score)) {
				*out_flags |= ST_ZADD_OUT_NAN;
				return -EDOM;
			}
		}
		if ((lt && score >= cur) || (gt && score <= cur)) {
			*out_flags |= ST_ZADD_OUT_NOP;
			return 0;
		}
		if (newscore != NULL)
			*newscore = score;
		if (score != cur) {
			update_score(z, x, stored_score(z, score));
			*out_flags |= ST_ZADD_OUT_UPDATED;
		}
		return 0;
	}
	if (z->v.enc == ST_ENC_LISTPACK &&
	    ((long long)z->length + 1 > st_cfg.zset_max_listpack_entries ||
	     (long long)len > st_cfg.zset_max_listpack_value))
		z->v.enc = ST_ENC_SKIPLIST;
	x = node_new(random_level(), stored_score(z, score),
		     st_dict_entry_key(e, NULL), len);
	z->node_mem += st_alloc_size(x);
	link_node(z, x);
	st_dict_entry_set_val(e, x);
	*out_flags |= ST_ZADD_OUT_ADDED;
	if (newscore != NULL)
		*newscore = score;
	return 0;
}

bool
st_zset_score(struct st_zset *z, const char *ele, size_t len, double *score)
{
	struct st_dict_entry *e = st_dict_find(z->dict, ele, len);

	if (e == NULL)
		return false;
	*score = ((struct st_zset_node *)st_dict_entry_val(e))->score;
	return true;
}

bool
st_zset_delete(struct st_zset *z, const char *ele, size_t len)
{
	struct st_dict_entry *e = st_dict_find(z->dict, ele, len);

	if (e == NULL)
		return false;
	delete_node(z, st_dict_entry_val(e));
	return true;
}

unsigned long
st_zset_node_rank(const struct st_zset *z, const struct st_zset_node *n)
{
	const struct st_zset_node *x = z->header;
	unsigned long rank = 0;
	int i;

	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       (x->level[i].forward == n ||
			node_before(x->level[i].forward, n->score, n->ele,
				    n->len))) {
			rank += x->level[i].span;
			x = x->level[i].forward;
		}
		if (x == n)
			return rank - 1;
	}
	return rank - 1;	/* not reached for a node of z */
}

long
st_zset_rank(struct st_zset *z, const char *ele, size_t len, bool reverse)
{
	struct st_dict_entry *e = st_dict_find(z->dict, ele, len);
	unsigned long rank;

	if (e == NULL)
		return -1;
	rank = st_zset_node_rank(z, st_dict_entry_val(e));
	return reverse ? (long)(z->length - 1 - rank) : (long)rank;
}

struct st_zset_node *
st_zset_by_rank(const struct st_zset *z, unsigned long rank)
{
	struct st_zset_node *x = z->header;
	unsigned long traversed = 0;
	int i;

	if (rank >= z->length)
		return NULL;
	rank++;		/* 1-based below */
	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       traversed + x->level[i].span <= rank) {
			traversed += x->level[i].span;
			x = x->level[i].forward;
		}
		if (traversed == rank)
			return x;
	}
	return NULL;
}

/* ---- range walks ------------------------------------------------------------ */

/*
 * A score or lex range as two tests on a node, so that one descent serves
 * both kinds (Redis's zslFirstInRange / zslFirstInLexRange, ...): gte_min
 * holds from the first node of the range on, lte_max up to its last one.
 */
struct range_ops {
	bool (*gte_min)(const struct st_zset_node *x, const void *r);
	bool (*lte_max)(const struct st_zset_node *x, const void *r);
};

/* The walks below are inlined into each caller, where ops is a constant:
 * the tests become direct (inlined) calls, as in the separate loops Redis
 * has for scores and members. */
#define RANGE_WALK static inline __attribute__((always_inline))

/* Descend to the last node below the range's minimum (the header when
 * none is): *rank gets its 1-based rank (0 for the header), which is the
 * 0-based rank of its successor; update[], when not NULL, the last node
 * below the minimum on every level. */
RANGE_WALK struct st_zset_node *
descend_below_min(const struct st_zset *z, const struct range_ops *ops,
		  const void *r, unsigned long *rank,
		  struct st_zset_node **update)
{
	struct st_zset_node *x = z->header;
	unsigned long rk = 0;
	int i;

	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       !ops->gte_min(x->level[i].forward, r)) {
			rk += x->level[i].span;
			x = x->level[i].forward;
		}
		if (update != NULL)
			update[i] = x;
	}
	*rank = rk;
	return x;
}

/* First node in range by descent and its 0-based rank; NULL if none. */
RANGE_WALK struct st_zset_node *
descend_first(const struct st_zset *z, const struct range_ops *ops,
	      const void *r, unsigned long *rank)
{
	unsigned long rk;
	struct st_zset_node *x = descend_below_min(z, ops, r, &rk, NULL);

	x = x->level[0].forward;
	if (x == NULL || !ops->lte_max(x, r))
		return NULL;
	if (rank != NULL)
		*rank = rk;
	return x;
}

/* Last node in range by descent and its 0-based rank; NULL if none. */
RANGE_WALK struct st_zset_node *
descend_last(const struct st_zset *z, const struct range_ops *ops,
	     const void *r, unsigned long *rank)
{
	struct st_zset_node *x = z->header;
	unsigned long rk = 0;
	int i;

	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       ops->lte_max(x->level[i].forward, r)) {
			rk += x->level[i].span;
			x = x->level[i].forward;
		}
	}
	if (x == z->header || !ops->gte_min(x, r))
		return NULL;
	if (rank != NULL)
		*rank = rk - 1;
	return x;
}

/* Unlink and free the nodes in range, walking from the first one while
 * they stay below the maximum (zslDeleteRangeByScore / ...ByLex); returns
 * how many. */
RANGE_WALK unsigned long
delete_in_range(struct st_zset *z, const struct range_ops *ops, const void *r)
{
	struct st_zset_node *update[ST_ZSKIPLIST_MAXLEVEL];
	struct st_zset_node *x, *next;
	unsigned long rk, removed = 0;

	x = descend_below_min(z, ops, r, &rk, update)->level[0].forward;
	while (x != NULL && ops->lte_max(x, r)) {
		next = x->level[0].forward;
		unlink_node(z, x, update);
		free_unlinked(z, x);
		removed++;
		x = next;
	}
	return removed;
}

/* ---- score ranges ----------------------------------------------------------- */

/* One bound: strtod over a NUL-terminated copy, as Redis does on its sds
 * (so an embedded NUL ends the number, and "" parses as 0). */
static int
parse_score_bound(const char *p, size_t len, double *out, bool *ex)
{
	char stackbuf[64];
	char *buf = len < sizeof(stackbuf) ? stackbuf : st_malloc(len + 1);
	char *s = buf, *eptr;
	int rc = 0;

	memcpy(buf, p, len);
	buf[len] = '\0';
	*ex = false;
	if (s[0] == '(') {
		*ex = true;
		s++;
	}
	*out = strtod(s, &eptr);
	if (eptr[0] != '\0' || isnan(*out))
		rc = -EINVAL;
	if (buf != stackbuf)
		st_free(buf);
	return rc;
}

int
st_zset_parse_score_range(const char *min, size_t minlen, const char *max,
			  size_t maxlen, struct st_zrange_score *r)
{
	if (parse_score_bound(min, minlen, &r->min, &r->minex) != 0 ||
	    parse_score_bound(max, maxlen, &r->max, &r->maxex) != 0)
		return -EINVAL;
	return 0;
}

/* Whether any member of z can be in r (zslIsInRange). */
static bool
score_range_possible(const struct st_zset *z, const struct st_zrange_score *r)
{
	struct st_zset_node *x;

	if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex)))
		return false;
	x = z->tail;
	if (x == NULL || !st_zset_score_gte_min(x->score, r))
		return false;
	x = z->header->level[0].forward;
	if (x == NULL || !st_zset_score_lte_max(x->score, r))
		return false;
	return true;
}

static bool
score_gte_min(const struct st_zset_node *x, const void *r)
{
	return st_zset_score_gte_min(x->score, r);
}

static bool
score_lte_max(const struct st_zset_node *x, const void *r)
{
	return st_zset_score_lte_max(x->score, r);
}

static const struct range_ops score_ops = { score_gte_min, score_lte_max };

struct st_zset_node *
st_zset_first_in_score(const struct st_zset *z, const struct st_zrange_score *r,
		       unsigned long *rank)
{
	if (!score_range_possible(z, r))
		return NULL;
	return descend_first(z, &score_ops, r, rank);
}

struct st_zset_node *
st_zset_last_in_score(const struct st_zset *z, const struct st_zrange_score *r,
		      unsigned long *rank)
{
	if (!score_range_possible(z, r))
		return NULL;
	return descend_last(z, &score_ops, r, rank);
}

unsigned long
st_zset_count_score(const struct st_zset *z, const struct st_zrange_score *r)
{
	unsigned long first, last;

	if (st_zset_first_in_score(z, r, &first) == NULL ||
	    st_zset_last_in_score(z, r, &last) == NULL)
		return 0;
	return last - first + 1;
}

unsigned long
st_zset_delete_range_score(struct st_zset *z, const struct st_zrange_score *r)
{
	return delete_in_range(z, &score_ops, r);
}

/* ---- lex ranges ------------------------------------------------------------ */

static int
parse_lex_bound(const char *p, size_t len, const char **out, size_t *outlen,
		int8_t *kind, bool *ex)
{
	if (len == 0)
		return -EINVAL;
	switch (p[0]) {
	case '+':
	case '-':
		/* Redis checks c[1] == '\0' on the sds: a NUL ends it. */
		if (len > 1 && p[1] != '\0')
			return -EINVAL;
		*kind = p[0] == '+' ? ST_ZLEX_MAX : ST_ZLEX_MIN;
		*ex = true;
		*out = NULL;
		*outlen = 0;
		return 0;
	case '(':
	case '[':
		*kind = ST_ZLEX_VALUE;
		*ex = p[0] == '(';
		*out = p + 1;
		*outlen = len - 1;
		return 0;
	default:
		return -EINVAL;
	}
}

int
st_zset_parse_lex_range(const char *min, size_t minlen, const char *max,
			size_t maxlen, struct st_zrange_lex *r)
{
	if (parse_lex_bound(min, minlen, &r->min, &r->minlen, &r->minkind,
			    &r->minex) != 0 ||
	    parse_lex_bound(max, maxlen, &r->max, &r->maxlen, &r->maxkind,
			    &r->maxex) != 0)
		return -EINVAL;
	return 0;
}

/* Compare a member with a bound (sdscmplex). */
static int
lex_cmp(const char *ele, size_t len, int8_t kind, const char *b, size_t blen)
{
	if (kind == ST_ZLEX_MIN)
		return 1;
	if (kind == ST_ZLEX_MAX)
		return -1;
	return ele_cmp(ele, len, b, blen);
}

bool
st_zset_lex_gte_min(const char *ele, size_t len, const struct st_zrange_lex *r)
{
	int cmp = lex_cmp(ele, len, r->minkind, r->min, r->minlen);

	return r->minex ? cmp > 0 : cmp >= 0;
}

bool
st_zset_lex_lte_max(const char *ele, size_t len, const struct st_zrange_lex *r)
{
	int cmp = lex_cmp(ele, len, r->maxkind, r->max, r->maxlen);

	return r->maxex ? cmp < 0 : cmp <= 0;
}

/* Whether any member of z can be in r (zslIsInLexRange). */
static bool
lex_range_possible(const struct st_zset *z, const struct st_zrange_lex *r)
{
	struct st_zset_node *x;
	int cmp;

	if (r->minkind == r->maxkind && r->minkind != ST_ZLEX_VALUE)
		cmp = 0;
	else if (r->minkind == ST_ZLEX_MIN || r->maxkind == ST_ZLEX_MAX)
		cmp = -1;
	else if (r->minkind == ST_ZLEX_MAX || r->maxkind == ST_ZLEX_MIN)
		cmp = 1;
	else
		cmp = ele_cmp(r->min, r->minlen, r->max, r->maxlen);
	if (cmp > 0 || (cmp == 0 && (r->minex || r->maxex)))
		return false;
	x = z->tail;
	if (x == NULL || !st_zset_lex_gte_min(x->ele, x->len, r))
		return false;
	x = z->header->level[0].forward;
	if (x == NULL || !st_zset_lex_lte_max(x->ele, x->len, r))
		return false;
	return true;
}

/*
 * A "listpack" set answers lex ranges as Redis's listpack code does, by a
 * linear scan from the end (zzlFirstInLexRange / zzlLastInLexRange); a
 * "skiplist" set by the descent (zslFirstInLexRange ...).  Both agree when
 * all scores are equal; with mixed scores (unspecified in Redis) each gives
 * what Redis gives for that encoding.
 */
static struct st_zset_node *
linear_first_in_lex(const struct st_zset *z, const struct st_zrange_lex *r)
{
	struct st_zset_node *x;

	for (x = z->header->level[0].forward; x != NULL; x = x->level[0].forward)
		if (st_zset_lex_gte_min(x->ele, x->len, r))
			return st_zset_lex_lte_max(x->ele, x->len, r) ? x : NULL;
	return NULL;
}

static struct st_zset_node *
linear_last_in_lex(const struct st_zset *z, const struct st_zrange_lex *r)
{
	struct st_zset_node *x;

	for (x = z->tail; x != NULL; x = x->backward)
		if (st_zset_lex_lte_max(x->ele, x->len, r))
			return st_zset_lex_gte_min(x->ele, x->len, r) ? x : NULL;
	return NULL;
}

static bool
lex_gte_min(const struct st_zset_node *x, const void *r)
{
	return st_zset_lex_gte_min(x->ele, x->len, r);
}

static bool
lex_lte_max(const struct st_zset_node *x, const void *r)
{
	return st_zset_lex_lte_max(x->ele, x->len, r);
}

static const struct range_ops lex_ops = { lex_gte_min, lex_lte_max };

/* x (found by a linear walk), with its 0-based rank in *rank. */
static struct st_zset_node *
with_rank(const struct st_zset *z, struct st_zset_node *x,
	  unsigned long *rank)
{
	if (x != NULL && rank != NULL)
		*rank = st_zset_node_rank(z, x);
	return x;
}

struct st_zset_node *
st_zset_first_in_lex(const struct st_zset *z, const struct st_zrange_lex *r,
		     unsigned long *rank)
{
	if (!lex_range_possible(z, r))
		return NULL;
	if (z->v.enc == ST_ENC_LISTPACK)
		return with_rank(z, linear_first_in_lex(z, r), rank);
	return descend_first(z, &lex_ops, r, rank);
}

struct st_zset_node *
st_zset_last_in_lex(const struct st_zset *z, const struct st_zrange_lex *r,
		    unsigned long *rank)
{
	if (!lex_range_possible(z, r))
		return NULL;
	if (z->v.enc == ST_ENC_LISTPACK)
		return with_rank(z, linear_last_in_lex(z, r), rank);
	return descend_last(z, &lex_ops, r, rank);
}

unsigned long
st_zset_count_lex(const struct st_zset *z, const struct st_zrange_lex *r)
{
	struct st_zset_node *x;
	unsigned long first, last, n = 0;

	if (z->v.enc == ST_ENC_LISTPACK) {
		/* zzl: walk from the first in range while <= max */
		for (x = st_zset_first_in_lex(z, r, NULL);
		     x != NULL && st_zset_lex_lte_max(x->ele, x->len, r);
		     x = x->level[0].forward)
			n++;
		return n;
	}
	/* zsl: rank of the last in range minus rank of the first */
	if (st_zset_first_in_lex(z, r, &first) == NULL)
		return 0;
	if (st_zset_last_in_lex(z, r, &last) == NULL)
		return z->length - first;
	return last < first ? 0 : last - first + 1;
}

unsigned long
st_zset_delete_range_lex(struct st_zset *z, const struct st_zrange_lex *r)
{
	struct st_zset_node *x, *next;
	unsigned long removed = 0;

	if (z->v.enc != ST_ENC_LISTPACK)
		return delete_in_range(z, &lex_ops, r);
	/* zzlDeleteRangeByLex: from the first in range while <= max */
	x = st_zset_first_in_lex(z, r, NULL);
	while (x != NULL && st_zset_lex_lte_max(x->ele, x->len, r)) {
		next = x->level[0].forward;
		delete_node(z, x);
		removed++;
		x = next;
	}
	return removed;
}

/* ---- rank ranges ------------------------------------------------------------ */

unsigned long
st_zset_delete_range_rank(struct st_zset *z, unsigned long start,
			  unsigned long end)
{
	struct st_zset_node *update[ST_ZSKIPLIST_MAXLEVEL];
	struct st_zset_node *x = z->header, *next;
	unsigned long traversed = 0, removed = 0;
	int i;

	start++;	/* 1-based below */
	end++;
	for (i = z->level - 1; i >= 0; i--) {
		while (x->level[i].forward != NULL &&
		       traversed + x->level[i].span < start) {
			traversed += x->level[i].span;
			x = x->level[i].forward;
		}
		update[i] = x;
	}
	traversed++;
	x = x->level[0].forward;
	while (x != NULL && traversed <= end) {
		next = x->level[0].forward;
		unlink_node(z, x, update);
		free_unlinked(z, x);
		removed++;
		traversed++;
		x = next;
	}
	return removed;
}

/* ---- scan ---------------------------------------------------------------------- */

struct scan_ctx {
	void (*fn)(const char *ele, size_t len, double score, void *arg);
	void *arg;
};

static void
scan_entry(struct st_dict_entry *e, void *arg)
{
	struct scan_ctx *ctx = arg;
	struct st_zset_node *x = st_dict_entry_val(e);

	ctx->fn(x->ele, x->len, x->score, ctx->arg);
}

unsigned long
st_zset_scan(struct st_zset *z, unsigned long cursor,
	     void (*fn)(const char *ele, size_t len, double score, void *arg),
	     void *arg)
{
	struct scan_ctx ctx = { fn, arg };

	return st_dict_scan(z->dict, cursor, scan_entry, &ctx);
}

/* ---- invariants -------------------------------------------------------------- */

int
st_zset_verify(const struct st_zset *z)
{
	const struct st_zset_node *x, *prev = NULL;
	unsigned long n = 0;
	size_t mem = 0;
	int i;

	if (z->level < 1 || z->level > ST_ZSKIPLIST_MAXLEVEL)
		return -EFAULT;
	for (x = z->header->level[0].forward; x != NULL;
	     x = x->level[0].forward) {
		struct st_dict_entry *e;

		n++;
		mem += st_alloc_size(x);
		if (x->backward != prev)
			return -EFAULT;
		if (x->height < 1 || (int)x->height > z->level)
			return -EFAULT;
		if (prev != NULL && !node_before(prev, x->score, x->ele, x->len))
			return -EFAULT;
		e = st_dict_find(z->dict, x->ele, x->len);
		if (e == NULL || st_dict_entry_val(e) != x ||
		    st_dict_entry_key(e, NULL) != x->ele)
			return -EFAULT;
		prev = x;
	}
	if (n != z->length || z->tail != prev || mem != z->node_mem ||
	    st_dict_size(z->dict) != n)
		return -EFAULT;
	/* Every level: spans add up to the rank distance between nodes. */
	for (i = 0; i < z->level; i++) {
		unsigned long rank = 0;

		x = z->header;
		while (x != NULL) {
			const struct st_zset_node *f = x->level[i].forward;
			unsigned long r = 0;
			const struct st_zset_node *y;

			if (f == NULL)
				break;
			for (y = x->level[0].forward; y != NULL && y != f;
			     y = y->level[0].forward)
				r++;
			if (y != f || x->level[i].span != r + 1)
				return -EFAULT;
			rank += r + 1;
			if (rank != st_zset_node_rank(z, f) + 1)
				return -EFAULT;
			x = f;
		}
	}
	if ((int)z->header->height < z->level ||
	    z->header->height > ST_ZSKIPLIST_MAXLEVEL)
		return -EFAULT;
	for (i = z->level; i < (int)z->header->height; i++)
		if (z->header->level[i].forward != NULL)
			return -EFAULT;
	if (z->level > 1 && z->header->level[z->level - 1].forward == NULL)
		return -EFAULT;
	return 0;
}
