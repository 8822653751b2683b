/*
 * t_set.c -- the set value type ("intset" sorted array / "hashtable" dict).
 *
 * Conversion rules are Redis 7.0's setTypeAdd: a member that is not a
 * canonical integer, or an intset longer than set-max-intset-entries (capped
 * at 2^30 like Redis), converts the set to "hashtable" for good.
 */
#include "t_set.h"

#include "alloc.h"
#include "config.h"

struct st_set *
st_set_new(void)
{
	struct st_set *s = st_calloc(sizeof(*s));

	s->v.type = ST_TYPE_SET;
	s->v.enc = ST_ENC_INTSET;
	st_intset_init(&s->is);
	return s;
}

struct st_set *
st_set_new_for(const char *m, size_t len)
{
	struct st_set *s = st_set_new();
	long long ll;

	if (st_str2ll(m, len, &ll) != 0)
		st_set_convert(s);
	return s;
}

void
st_set_free(struct st_set *s)
{
	if (s == NULL)
		return;
	st_intset_destroy(&s->is);
	st_dict_free(s->d, NULL);
	st_free(s);
}

size_t
st_set_mem(const struct st_set *s)
{
	size_t n = st_alloc_size(s);

	if (s->v.enc == ST_ENC_INTSET)
		n += st_intset_mem(&s->is);
	else
		n += st_dict_mem(s->d);
	return n;
}

size_t
st_set_size(const struct st_set *s)
{
	return s->v.enc == ST_ENC_INTSET ? st_intset_len(&s->is) : st_dict_size(s->d);
}

void
st_set_convert(struct st_set *s)
{
	char buf[ST_NUMBUF];

	if (s->v.enc != ST_ENC_INTSET)
		return;
	s->d = st_dict_new();
	for (uint32_t i = 0; i < st_intset_len(&s->is); i++) {
		int n = st_ll2str(buf, st_intset_get(&s->is, i));

		st_dict_add_or_find(s->d, buf, (size_t)n, NULL);
	}
	st_intset_destroy(&s->is);
	s->v.enc = ST_ENC_HASHTABLE;
}

static long long
max_intset_entries(void)
{
	long long max = st_cfg.set_max_intset_entries;

	return max >= (1LL << 30) ? (1LL << 30) : max;
}

bool
st_set_add(struct st_set *s, const char *m, size_t len)
{
	bool created;
	long long ll;

	if (s->v.enc == ST_ENC_INTSET) {
		if (st_str2ll(m, len, &ll) == 0) {
			if (!st_intset_add(&s->is, ll))
				return false;
			if ((long long)st_intset_len(&s->is) > max_intset_entries())
				st_set_convert(s);
			return true;
		}
		st_set_convert(s);
	}
	st_dict_add_or_find(s->d, m, len, &created);
	return created;
}

bool
st_set_remove(struct st_set *s, const char *m, size_t len)
{
	long long ll;

	if (s->v.enc == ST_ENC_INTSET) {
		if (st_str2ll(m, len, &ll) != 0)
			return false;
		return st_intset_remove(&s->is, ll);
	}
	return st_dict_delete(s->d, m, len, NULL);
}

bool
st_set_is_member(struct st_set *s, const char *m, size_t len)
{
	long long ll;

	if (s->v.enc == ST_ENC_INTSET) {
		if (st_str2ll(m, len, &ll) != 0)
			return false;
		return st_intset_find(&s->is, ll);
	}
	return st_dict_find(s->d, m, len) != NULL;
}

void
st_set_iter_init(struct st_set *s, struct st_set_iter *it)
{
	it->s = s;
	it->i = 0;
	if (s->v.enc == ST_ENC_HASHTABLE)
		st_dict_iter_init(s->d, &it->di);
}

bool
st_set_iter_next(struct st_set_iter *it, const char **m, size_t *len)
{
	struct st_set *s = it->s;

	if (s->v.enc == ST_ENC_INTSET) {
		if (it->i >= st_intset_len(&s->is))
			return false;
		*len = (size_t)st_ll2str(it->buf, st_intset_get(&s->is, it->i++));
		*m = it->buf;
		return true;
	} else {
		struct st_dict_entry *e = st_dict_iter_next(&it->di);

		if (e == NULL)
			return false;
		*m = st_dict_entry_key(e, len);
		return true;
	}
}

void
st_set_random(struct st_set *s, char *buf, const char **m, size_t *len)
{
	if (s->v.enc == ST_ENC_INTSET) {
		uint32_t i = (uint32_t)(st_rand64() % st_intset_len(&s->is));

		*len = (size_t)st_ll2str(buf, st_intset_get(&s->is, i));
		*m = buf;
	} else {
		*m = st_dict_entry_key(st_dict_random(s->d), len);
	}
}

struct scan_ctx {
	void (*fn)(const char *m, size_t len, void *arg);
	void *arg;
};

static void
scan_entry(struct st_dict_entry *e, void *arg)
{
	struct scan_ctx *ctx = arg;
	size_t len;
	const char *m = st_dict_entry_key(e, &len);

	ctx->fn(m, len, ctx->arg);
}

unsigned long
st_set_scan(struct st_set *s, unsigned long cursor,
	    void (*fn)(const char *m, size_t len, void *arg), void *arg)
{
	struct scan_ctx ctx = { fn, arg };

	if (s->v.enc == ST_ENC_INTSET) {
		char buf[ST_NUMBUF];

		for (uint32_t i = 0; i < st_intset_len(&s->is); i++) {
			int n = st_ll2str(buf, st_intset_get(&s->is, i));

			fn(buf, (size_t)n, arg);
		}
		return 0;
	}
	return st_dict_scan(s->d, cursor, scan_entry, &ctx);
}
