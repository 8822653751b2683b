/*
 * t_hash.c -- the hash value type ("listpack" pair array / "hashtable" dict).
 *
 * The conversion rules follow Redis 7.0's hashTypeSet: a field or value
 * longer than hash-max-listpack-value converts before the insert, more than
 * hash-max-listpack-entries fields converts after it, and a "hashtable" hash
 * never converts back.
 */
#include "t_hash.h"

#include <string.h>

#include "alloc.h"
#include "config.h"
#include "util.h"

static struct st_hstr *
hstr_new(struct st_hash *h, const char *p, size_t len)
{
	struct st_hstr *s = st_malloc(sizeof(*s) + len + 1);

	s->len = (uint32_t)len;
	if (len > 0)
		memcpy(s->data, p, len);
	s->data[len] = '\0';
	h->str_bytes += st_alloc_size(s);
	return s;
}

static void
hstr_release(struct st_hash *h, struct st_hstr *s)
{
	h->str_bytes -= st_alloc_size(s);
	st_free(s);
}

static void
hstr_free(void *p)
{
	st_free(p);
}

static inline bool
hstr_eq(const struct st_hstr *s, const char *p, size_t len)
{
	return s->len == len && memcmp(s->data, p, len) == 0;
}

struct st_hash *
st_hash_new(void)
{
	struct st_hash *h = st_calloc(sizeof(*h));

	h->v.type = ST_TYPE_HASH;
	h->v.enc = ST_ENC_LISTPACK;
	return h;
}

void
st_hash_free(struct st_hash *h)
{
	if (h == NULL)
		return;
	for (uint32_t i = 0; i < h->lp_len; i++) {
		st_free(h->lp[i].f);
		st_free(h->lp[i].v);
	}
	st_free(h->lp);
	st_dict_free(h->d, hstr_free);
	st_free(h);
}

size_t
st_hash_mem(const struct st_hash *h)
{
	size_t n = st_alloc_size(h) + h->str_bytes;

	if (h->v.enc == ST_ENC_LISTPACK)
		n += st_alloc_size(h->lp);
	else
		n += st_dict_mem(h->d);
	return n;
}

size_t
st_hash_len(const struct st_hash *h)
{
	return h->v.enc == ST_ENC_LISTPACK ? h->lp_len : st_dict_size(h->d);
}

/* Index of a field in the pair array, or -1. */
static long
lp_find(const struct st_hash *h, const char *f, size_t flen)
{
	for (uint32_t i = 0; i < h->lp_len; i++) {
		if (hstr_eq(h->lp[i].f, f, flen))
			return i;
	}
	return -1;
}

void
st_hash_convert(struct st_hash *h)
{
	if (h->v.enc != ST_ENC_LISTPACK)
		return;
	h->d = st_dict_new();
	for (uint32_t i = 0; i < h->lp_len; i++) {
		struct st_dict_entry *e;

		e = st_dict_add_or_find(h->d, h->lp[i].f->data, h->lp[i].f->len, NULL);
		st_dict_entry_set_val(e, h->lp[i].v);
		hstr_release(h, h->lp[i].f);
	}
	st_free(h->lp);
	h->lp = NULL;
	h->lp_len = h->lp_cap = 0;
	h->v.enc = ST_ENC_HASHTABLE;
}

bool
st_hash_get(struct st_hash *h, const char *f, size_t flen, const char **v,
	    size_t *vlen)
{
	const struct st_hstr *s;

	if (h->v.enc == ST_ENC_LISTPACK) {
		long i = lp_find(h, f, flen);

		if (i < 0)
			return false;
		s = h->lp[i].v;
	} else {
		struct st_dict_entry *e = st_dict_find(h->d, f, flen);

		if (e == NULL)
			return false;
		s = st_dict_entry_val(e);
	}
	*v = s->data;
	*vlen = s->len;
	return true;
}

bool
st_hash_exists(struct st_hash *h, const char *f, size_t flen)
{
	if (h->v.enc == ST_ENC_LISTPACK)
		return lp_find(h, f, flen) >= 0;
	return st_dict_find(h->d, f, flen) != NULL;
}

int
st_hash_set(struct st_hash *h, const char *f, size_t flen, const char *v,
	    size_t vlen)
{
	long long maxval = st_cfg.hash_max_listpack_value;

	if (h->v.enc == ST_ENC_LISTPACK &&
	    ((long long)flen > maxval || (long long)vlen > maxval))
		st_hash_convert(h);

	if (h->v.enc == ST_ENC_LISTPACK) {
		long i = lp_find(h, f, flen);

		if (i >= 0) {
			hstr_release(h, h->lp[i].v);
			h->lp[i].v = hstr_new(h, v, vlen);
			return 0;
		}
		if (h->lp_len == h->lp_cap) {
			h->lp_cap = h->lp_cap ? h->lp_cap * 2 : 4;
			h->lp = st_realloc(h->lp, h->lp_cap * sizeof(*h->lp));
		}
		h->lp[h->lp_len].f = hstr_new(h, f, flen);
		h->lp[h->lp_len].v = hstr_new(h, v, vlen);
		h->lp_len++;
		if ((long long)h->lp_len > st_cfg.hash_max_listpack_entries)
			st_hash_convert(h);
		return 1;
	} else {
		bool created;
		struct st_dict_entry *e = st_dict_add_or_find(h->d, f, flen, &created);

		if (!created)
			hstr_release(h, st_dict_entry_val(e));
		st_dict_entry_set_val(e, hstr_new(h, v, vlen));
		return created ? 1 : 0;
	}
}

bool
st_hash_delete(struct st_hash *h, const char *f, size_t flen)
{
	if (h->v.enc == ST_ENC_LISTPACK) {
		long i = lp_find(h, f, flen);

		if (i < 0)
			return false;
		hstr_release(h, h->lp[i].f);
		hstr_release(h, h->lp[i].v);
		memmove(&h->lp[i], &h->lp[i + 1],
			(h->lp_len - (size_t)i - 1) * sizeof(*h->lp));
		h->lp_len--;
		if (h->lp_len == 0) {
			st_free(h->lp);
			h->lp = NULL;
			h->lp_cap = 0;
		}
		return true;
	} else {
		void *val;

		if (!st_dict_delete(h->d, f, flen, &val))
			return false;
		hstr_release(h, val);
		return true;
	}
}

void
st_hash_iter_init(struct st_hash *h, struct st_hash_iter *it)
{
	it->h = h;
	it->i = 0;
	if (h->v.enc == ST_ENC_HASHTABLE)
		st_dict_iter_init(h->d, &it->di);
}

bool
st_hash_iter_next(struct st_hash_iter *it, const char **f, size_t *flen,
		  const char **v, size_t *vlen)
{
	struct st_hash *h = it->h;
	const struct st_hstr *s;

	if (h->v.enc == ST_ENC_LISTPACK) {
		if (it->i >= h->lp_len)
			return false;
		*f = h->lp[it->i].f->data;
		*flen = h->lp[it->i].f->len;
		s = h->lp[it->i].v;
		it->i++;
	} else {
		struct st_dict_entry *e = st_dict_iter_next(&it->di);

		if (e == NULL)
			return false;
		*f = st_dict_entry_key(e, flen);
		s = st_dict_entry_val(e);
	}
	*v = s->data;
	*vlen = s->len;
	return true;
}

void
st_hash_random(struct st_hash *h, const char **f, size_t *flen, const char **v,
	       size_t *vlen)
{
	const struct st_hstr *s;

	if (h->v.enc == ST_ENC_LISTPACK) {
		uint32_t i = (uint32_t)(st_rand64() % h->lp_len);

		*f = h->lp[i].f->data;
		*flen = h->lp[i].f->len;
		s = h->lp[i].v;
	} else {
		struct st_dict_entry *e = st_dict_random(h->d);

		*f = st_dict_entry_key(e, flen);
		s = st_dict_entry_val(e);
	}
	*v = s->data;
	*vlen = s->len;
}

struct scan_ctx {
	void (*fn)(const char *f, size_t flen, const char *v, size_t vlen,
		   void *arg);
	void *arg;
};

static void
scan_entry(struct st_dict_entry *e, void *arg)
{
	struct scan_ctx *ctx = arg;
	const struct st_hstr *s = st_dict_entry_val(e);
	size_t flen;
	const char *f = st_dict_entry_key(e, &flen);

	ctx->fn(f, flen, s->data, s->len, ctx->arg);
}

unsigned long
st_hash_scan(struct st_hash *h, unsigned long cursor,
	     void (*fn)(const char *f, size_t flen, const char *v, size_t vlen,
			void *arg),
	     void *arg)
{
	struct scan_ctx ctx = { fn, arg };

	if (h->v.enc == ST_ENC_LISTPACK) {
		for (uint32_t i = 0; i < h->lp_len; i++)
			fn(h->lp[i].f->data, h->lp[i].f->len, h->lp[i].v->data,
			   h->lp[i].v->len, arg);
		return 0;
	}
	return st_dict_scan(h->d, cursor, scan_entry, &ctx);
}
