/*
 * object.c -- value headers, strings, and type-generic free / size.
 *
 * Strings follow Redis 7.0's encoding rules so that OBJECT ENCODING answers
 * the same: a canonical integer of at most 20 characters is "int", a string of
 * at most 44 bytes "embstr", anything longer "raw"; values produced by APPEND
 * and SETRANGE are "raw" whatever their size.  ferry keeps the bytes in every
 * case (GET never formats) and the integer beside them when there is one.
 */
#include "object.h"

#include <string.h>

#include "alloc.h"
#include "reclaim.h"
#include "util.h"

/* The collection types' own destructors (t_*.c). */
struct st_list;
struct st_hash;
struct st_set;
struct st_zset;
void st_list_free(struct st_list *l);
size_t st_list_mem(const struct st_list *l);
void st_hash_free(struct st_hash *h);
size_t st_hash_mem(const struct st_hash *h);
void st_set_free(struct st_set *s);
size_t st_set_mem(const struct st_set *s);
void st_zset_free(struct st_zset *z);
size_t st_zset_mem(const struct st_zset *z);

#define EMBSTR_LIMIT 44

static const char *const type_names[ST_TYPE__COUNT] = {
	[ST_TYPE_STRING] = "string",
	[ST_TYPE_LIST] = "list",
	[ST_TYPE_HASH] = "hash",
	[ST_TYPE_SET] = "set",
	[ST_TYPE_ZSET] = "zset",
};

static const char *const enc_names[ST_ENC__COUNT] = {
	[ST_ENC_RAW] = "raw",
	[ST_ENC_INT] = "int",
	[ST_ENC_EMBSTR] = "embstr",
	[ST_ENC_QUICKLIST] = "quicklist",
	[ST_ENC_LISTPACK] = "listpack",
	[ST_ENC_HASHTABLE] = "hashtable",
	[ST_ENC_INTSET] = "intset",
	[ST_ENC_SKIPLIST] = "skiplist",
};

const char *
st_type_name(enum st_type t)
{
	return t < ST_TYPE__COUNT ? type_names[t] : "unknown";
}

const char *
st_encoding_name(enum st_encoding e)
{
	return e < ST_ENC__COUNT ? enc_names[e] : "unknown";
}

static struct st_string *
string_alloc(const char *p, size_t len)
{
	struct st_string *s = st_malloc(sizeof(*s) + len + 1);

	s->v.type = ST_TYPE_STRING;
	s->len = (uint32_t)len;
	s->is_int = false;
	s->ival = 0;
	if (len)
		memcpy(s->data, p, len);
	s->data[len] = '\0';
	return s;
}

struct st_string *
st_string_new(const char *p, size_t len)
{
	struct st_string *s = string_alloc(p, len);
	long long v;

	if (len <= 20 && st_str2ll(p, len, &v) == 0) {
		s->is_int = true;
		s->ival = v;
		s->v.enc = ST_ENC_INT;
	} else {
		s->v.enc = len <= EMBSTR_LIMIT ? ST_ENC_EMBSTR : ST_ENC_RAW;
	}
	return s;
}

struct st_string *
st_string_new_raw(const char *p, size_t len)
{
	struct st_string *s = string_alloc(p, len);
	long long v;

	/* Redis keeps APPEND/SETRANGE results raw; we still remember the
	 * integer so INCR on it is cheap. */
	s->v.enc = ST_ENC_RAW;
	if (len <= 20 && st_str2ll(p, len, &v) == 0) {
		s->is_int = true;
		s->ival = v;
	}
	return s;
}

struct st_string *
st_string_from_ll(long long v)
{
	char buf[ST_NUMBUF];
	int n = st_ll2str(buf, v);
	struct st_string *s = string_alloc(buf, (size_t)n);

	s->is_int = true;
	s->ival = v;
	s->v.enc = ST_ENC_INT;
	return s;
}

void
st_value_free(struct st_value *v)
{
	if (v == NULL)
		return;
	switch (v->type) {
	case ST_TYPE_STRING:
		st_free(v);
		break;
	case ST_TYPE_LIST:
		st_list_free((struct st_list *)v);
		break;
	case ST_TYPE_HASH:
		st_hash_free((struct st_hash *)v);
		break;
	case ST_TYPE_SET:
		st_set_free((struct st_set *)v);
		break;
	case ST_TYPE_ZSET:
		st_zset_free((struct st_zset *)v);
		break;
	}
}

static void
value_free_cb(void *p)
{
	st_value_free(p);
}

void
st_value_free_deferred(struct st_value *v)
{
	if (v != NULL)
		st_defer_free(value_free_cb, v);
}

size_t
st_value_mem(const struct st_value *v)
{
	switch (v->type) {
	case ST_TYPE_STRING:
		return st_alloc_size(v);
	case ST_TYPE_LIST:
		return st_list_mem((const struct st_list *)v);
	case ST_TYPE_HASH:
		return st_hash_mem((const struct st_hash *)v);
	case ST_TYPE_SET:
		return st_set_mem((const struct st_set *)v);
	case ST_TYPE_ZSET:
		return st_zset_mem((const struct st_zset *)v);
	}
	return 0;
}
