/*
 * rdb_load.c -- parse an RDB image (versions 1..10, as Redis 7.0 reads
 * them) into a staging area, then apply it to the keyspace (rdb.h).
 *
 * Parsing follows Redis 7.0.15's rdbLoadRioWithLoadingCtx / rdbLoadObject:
 *  - opcodes AUX (repl-stream-db, repl-id, repl-offset kept; others
 *    ignored), SELECTDB (must be < ST_DBNUM), RESIZEDB (hint, ignored),
 *    EXPIRETIME / EXPIRETIME_MS, IDLE / FREQ (skipped: no LRU/LFU state is
 *    carried), FUNCTION2 (skipped and counted, or an error), MODULE_AUX and
 *    FUNCTION (-ENOTSUP), EOF, then the 8-byte CRC64 (zero = not checked);
 *  - strings: plain, int8/16/32, LZF (decompressed size bounded by the LZF
 *    expansion limit before anything is allocated);
 *  - types STRING, LIST, SET, ZSET, ZSET_2, HASH, HASH_ZIPMAP, LIST_ZIPLIST,
 *    SET_INTSET, ZSET_ZIPLIST, HASH_ZIPLIST, LIST_QUICKLIST (ziplist nodes),
 *    HASH_LISTPACK, ZSET_LISTPACK, LIST_QUICKLIST_2 (packed and plain
 *    nodes); modules and streams are -ENOTSUP.
 * Every blob is validated in full before it is read (Redis's "deep"
 * sanitisation): listpack header size/count, each entry's encoding, length
 * and back-length, the terminator; ziplist zlbytes/zltail/zllen, each
 * entry's prevlen and encoding; intset encoding, size, strictly ascending
 * members.  Duplicate members/fields and duplicate keys, NaN scores, odd
 * pair counts are corruption.  Every length is checked against the bytes
 * left when the input size is known.
 *
 * Staging: each key becomes a value built with the store's type APIs
 * (st_string_new, st_list_push, st_hash_set, st_set_add, st_zset_add),
 * which also pick the encoding name Redis 7.0 would report after loading
 * (they apply the same thresholds as rdbLoadObject's conversions).  The
 * staged records are kept in file order; a dict per database catches
 * duplicate keys.  Applying holds every stripe lock (ascending order), so
 * readers and writers see the keyspace before or after the whole image;
 * values are handed over with st_db_set + st_set_expire (no write-log
 * record: loading is not a command).  On error the staged values are freed
 * with st_value_free (never published).
 */
#include "rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if __has_include(<lzf.h>)
#include <lzf.h>
#else
#include <liblzf/lzf.h>
#endif

#include "alloc.h"
#include "buf.h"
#include "client.h"
#include "crc64.h"
#include "dict.h"
#include "keyspace.h"
#include "object.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"
#include "util.h"
#include "worker.h"

#define IN_BUF 65536
#define GROW_STEP (1u << 20)	/* unknown size: grow big strings by this */
#define LZF_MAX_RATIO 100	/* a 3-byte LZF back reference yields <= 264 */

struct staged {
	int db;
	int64_t expire;
	const char *key;		/* the duplicate-check dict's copy */
	size_t keylen;
	struct st_value *v;
};

struct load {
	struct ctl_rdb_reader *r;
	unsigned flags;
	struct ctl_rdb_info *info;
	unsigned char *buf;
	size_t pos, len;
	uint64_t fetched;		/* bytes taken from the reader */
	uint64_t consumed;		/* bytes parsed */
	uint64_t crc;			/* CRC64 of the parsed bytes */
	int err;
	int version;
	int64_t now_ms;
	/* scratch strings */
	struct st_buf s1, s2, blob;
	/* staging */
	struct staged *st;
	size_t nst, capst;
	struct st_dict *keys[ST_DBNUM];
};

static int
fail(struct load *L, int err, const char *fmt, ...)
{
	va_list ap;

	if (L->err == 0) {
		L->err = err;
		va_start(ap, fmt);
		vsnprintf(L->info->err, sizeof(L->info->err), fmt, ap);
		va_end(ap);
	}
	return L->err;
}

#define CORRUPT(L, ...) fail((L), -EBADMSG, __VA_ARGS__)

/* ---- input ------------------------------------------------------------------ */

static uint64_t
remaining(struct load *L)
{
	if (L->r->size == UINT64_MAX)
		return UINT64_MAX;
	return L->r->size > L->consumed ? L->r->size - L->consumed : 0;
}

static int
refill(struct load *L)
{
	size_t want = IN_BUF;
	ssize_t n;

	if (L->r->size != UINT64_MAX) {
		uint64_t left = L->r->size > L->fetched ?
				L->r->size - L->fetched : 0;

		if (left == 0)
			return CORRUPT(L, "unexpected end of the RDB image at "
				       "offset %llu", (unsigned long long)L->consumed);
		if (left < want)
			want = (size_t)left;
	}
	do {
		n = L->r->read(L->r->ctx, L->buf, want);
	} while (n == -EINTR);
	if (n < 0)
		return fail(L, (int)n, "read error: %s", strerror((int)-n));
	if (n == 0)
		return CORRUPT(L, "unexpected end of the RDB image at offset %llu",
			       (unsigned long long)L->consumed);
	L->pos = 0;
	L->len = (size_t)n;
	L->fetched += (uint64_t)n;
	return 0;
}

/* Exactly n bytes into dst (CRC updated). */
static int
rd(struct load *L, void *dst, size_t n)
{
	unsigned char *d = dst;

	if (L->err)
		return L->err;
	while (n > 0) {
		size_t k;

		if (L->pos == L->len && refill(L) != 0)
			return L->err;
		k = L->len - L->pos;
		if (k > n)
			k = n;
		memcpy(d, L->buf + L->pos, k);
		L->crc = ctl_crc64(L->crc, L->buf + L->pos, k);
		L->pos += k;
		L->consumed += k;
		d += k;
		n -= k;
	}
	return 0;
}

static int
rd_byte(struct load *L, unsigned *v)
{
	unsigned char b = 0;

	*v = 0;
	if (rd(L, &b, 1) != 0)
		return L->err;
	*v = b;
	return 0;
}

static int
rd_le(struct load *L, int n, uint64_t *v)
{
	unsigned char b[8];

	*v = 0;
	if (rd(L, b, (size_t)n) != 0)
		return L->err;
	for (int i = 0; i < n; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return 0;
}

/* n bytes appended to b; with an unknown input size the buffer grows as
 * the bytes arrive, so a bogus length fails on truncation, not on malloc. */
static int
rd_append(struct load *L, struct st_buf *b, uint64_t n)
{
	if (n > remaining(L))
		return CORRUPT(L, "length %llu past the end of the image "
			       "(%llu bytes left) at offset %llu",
			       (unsigned long long)n,
			       (unsigned long long)remaining(L),
			       (unsigned long long)L->consumed);
	while (n > 0) {
		size_t k = n > GROW_STEP ? GROW_STEP : (size_t)n;

		st_buf_reserve(b, k);
		if (rd(L, b->p + b->len, k) != 0)
			return L->err;
		b->len += k;
		n -= k;
	}
	return 0;
}

/* rdbLoadLenByRef: *enc set when the value is a special string encoding. */
static int
rd_len(struct load *L, uint64_t *len, bool *enc)
{
	unsigned b, b1;
	uint64_t v;

	*len = 0;
	if (enc)
		*enc = false;
	if (rd_byte(L, &b) != 0)
		return L->err;
	switch (b >> 6) {
	case 3:
		if (enc == NULL)
			return CORRUPT(L, "unexpected string encoding 0x%02x "
				       "where a length was expected", b);
		*enc = true;
		*len = b & 0x3f;
		return 0;
	case 0:
		*len = b & 0x3f;
		return 0;
	case 1:
		if (rd_byte(L, &b1) != 0)
			return L->err;
		*len = ((uint64_t)(b & 0x3f) << 8) | b1;
		return 0;
	}
	if (b == 0x80 || b == 0x81) {
		unsigned char x[8];
		int n = b == 0x80 ? 4 : 8;

		if (rd(L, x, (size_t)n) != 0)
			return L->err;
		v = 0;
		for (int i = 0; i < n; i++)
			v = (v << 8) | x[i];
		*len = v;
		return 0;
	}
	return CORRUPT(L, "unknown length encoding 0x%02x", b);
}

static int
rd_plain_len(struct load *L, uint64_t *len)
{
	return rd_len(L, len, NULL);
}

/* rdbGenericLoadStringObject into b (reset first). */
static int
rd_string(struct load *L, struct st_buf *b)
{
	uint64_t len, clen;
	bool enc;

	st_buf_reset(b);
	if (rd_len(L, &len, &enc) != 0)
		return L->err;
	if (!enc) {
		if (len > UINT32_MAX)
			return CORRUPT(L, "string of %llu bytes is too long",
				       (unsigned long long)len);
		return rd_append(L, b, len);
	}
	if (len <= 2) {
		uint64_t u;
		long long v;
		int n = len == 0 ? 1 : len == 1 ? 2 : 4;

		if (rd_le(L, n, &u) != 0)
			return L->err;
		if (n == 1)
			v = (int8_t)u;
		else if (n == 2)
			v = (int16_t)u;
		else
			v = (int32_t)u;
		st_buf_reserve(b, ST_NUMBUF);
		b->len = (size_t)st_ll2str(b->p, v);
		return 0;
	}
	if (len != 3)
		return CORRUPT(L, "unknown RDB string encoding type %llu",
			       (unsigned long long)len);
	if (rd_plain_len(L, &clen) != 0 || rd_plain_len(L, &len) != 0)
		return L->err;
	if (len == 0 || clen == 0 || len > UINT32_MAX ||
	    len > clen * LZF_MAX_RATIO + 16)
		return CORRUPT(L, "invalid LZF string lengths (%llu -> %llu)",
			       (unsigned long long)clen,
			       (unsigned long long)len);
	st_buf_reset(&L->blob);
	if (rd_append(L, &L->blob, clen) != 0)
		return L->err;
	st_buf_reserve(b, (size_t)len);
	if (lzf_decompress(L->blob.p, (unsigned)clen, b->p, (unsigned)len) !=
	    len)
		return CORRUPT(L, "invalid LZF compressed string");
	b->len = (size_t)len;
	return 0;
}

/* ---- blob decoders ------------------------------------------------------------ */

/* One element of a listpack / ziplist: a string or an integer. */
struct elem {
	const unsigned char *p;
	size_t len;
	bool is_int;
	long long v;
};

/* Element as bytes (integers formatted into num). */
static inline const char *
elem_bytes(const struct elem *e, char *num, size_t *len)
{
	if (e->is_int) {
		*len = (size_t)st_ll2str(num, e->v);
		return num;
	}
	*len = e->len;
	return (const char *)e->p;
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static size_t
lp_backlen_size(uint64_t l)
{
	return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 :
	       l < 268435455 ? 4 : 5;
}

/* Decode the listpack back-length ending at p[n-1] (reading backwards). */
static bool
lp_backlen_ok(const unsigned char *bl, size_t n, uint64_t l)
{
	uint64_t v = 0;
	unsigned shift = 0;

	/* the last byte holds the low 7 bits, each earlier one 7 more;
	 * all but the first byte have the 0x80 continuation bit */
	for (size_t i = n; i-- > 0;) {
		bool cont = (bl[i] & 128) != 0;

		if ((i > 0) != cont)
			return false;
		v |= (uint64_t)(bl[i] & 127) << shift;
		shift += 7;
	}
	return v == l;
}

/*
 * Validate a listpack and collect its elements (lpValidateIntegrity, deep).
 * Returns the element count, or -1 (corrupt).  *out is an st_malloc'd array
 * the caller frees.
 */
static long
lp_parse(const unsigned char *lp, size_t size, struct elem **out)
{
	size_t pos = 6, n = 0, cap = 0;
	struct elem *v = NULL;
	uint32_t total;
	unsigned count;

	*out = NULL;
	if (size < 7)
		return -1;
	total = (uint32_t)get_le(lp, 4);
	count = (unsigned)get_le(lp + 4, 2);
	if (total != size || lp[size - 1] != 0xff)
		return -1;
	while (pos < size - 1) {
		const unsigned char *p = lp + pos;
		size_t avail = size - 1 - pos, hdr, dlen = 0;
		struct elem e = { 0 };
		unsigned b = p[0];

		if ((b & 0x80) == 0) {
			hdr = 1;
			e.is_int = true;
			e.v = b & 0x7f;
		} else if ((b & 0xc0) == 0x80) {
			hdr = 1;
			dlen = b & 0x3f;
		} else if ((b & 0xe0) == 0xc0) {
			if (avail < 2)
				goto bad;
			uint64_t u = ((uint64_t)(b & 0x1f) << 8) | p[1];

			hdr = 2;
			e.is_int = true;
			e.v = u >= (1 << 12) ? (long long)u - (1 << 13) :
					       (long long)u;
		} else if ((b & 0xf0) == 0xe0) {
			if (avail < 2)
				goto bad;
			hdr = 2;
			dlen = ((size_t)(b & 0x0f) << 8) | p[1];
		} else if (b == 0xf0) {
			if (avail < 5)
				goto bad;
			hdr = 5;
			dlen = (size_t)get_le(p + 1, 4);
		} else if (b >= 0xf1 && b <= 0xf4) {
			static const int w[] = { 2, 3, 4, 8 };
			int k = w[b - 0xf1];
			uint64_t u;

			if (avail < (size_t)k + 1)
				goto bad;
			hdr = (size_t)k + 1;
			u = get_le(p + 1, k);
			e.is_int = true;
			if (k == 8)
				e.v = (long long)u;
			else if (u >= (1ULL << (8 * k - 1)))
				e.v = (long long)u - (long long)(1ULL << (8 * k));
			else
				e.v = (long long)u;
		} else {
			goto bad;	/* 0xf5..0xfe invalid, 0xff early */
		}
		if (hdr > avail || dlen > avail - hdr)
			goto bad;
		size_t l = hdr + dlen, bls = lp_backlen_size(l);

		if (bls > avail - l || !lp_backlen_ok(p + l, bls, l))
			goto bad;
		if (!e.is_int) {
			e.p = p + hdr;
			e.len = dlen;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = st_realloc(v, cap * sizeof(*v));
		}
		v[n++] = e;
		pos += l + bls;
	}
	if (pos != size - 1 || (count != 65535 && count != n))
		goto bad;
	*out = v;
	return (long)n;
bad:
	st_free(v);
	return -1;
}

/* Validate a ziplist and collect its elements (ziplistValidateIntegrity,
 * deep).  As lp_parse. */
static long
zl_parse(const unsigned char *zl, size_t size, struct elem **out)
{
	size_t pos = 10, n = 0, cap = 0, prev = 0, last = 10;
	struct elem *v = NULL;
	unsigned count;

	*out = NULL;
	if (size < 11)
		return -1;
	if (get_le(zl, 4) != size || zl[size - 1] != 0xff)
		return -1;
	count = (unsigned)get_le(zl + 8, 2);
	while (pos < size - 1) {
		const unsigned char *p = zl + pos;
		size_t avail = size - 1 - pos, pl, hdr, dlen = 0;
		uint64_t prevlen;
		struct elem e = { 0 };
		unsigned b;

		if (p[0] < 254) {
			pl = 1;
			prevlen = p[0];
		} else if (p[0] == 254) {
			if (avail < 5)
				goto bad;
			pl = 5;
			prevlen = get_le(p + 1, 4);
		} else {
			goto bad;
		}
		if (prevlen != prev || pl >= avail)
			goto bad;
		b = p[pl];
		avail -= pl;
		if ((b >> 6) == 0) {
			hdr = 1;
			dlen = b & 0x3f;
		} else if ((b >> 6) == 1) {
			if (avail < 2)
				goto bad;
			hdr = 2;
			dlen = ((size_t)(b & 0x3f) << 8) | p[pl + 1];
		} else if ((b >> 6) == 2) {
			if (avail < 5)
				goto bad;
			hdr = 5;
			dlen = ((size_t)p[pl + 1] << 24) | ((size_t)p[pl + 2] << 16) |
			       ((size_t)p[pl + 3] << 8) | p[pl + 4];
		} else {
			int k;

			e.is_int = true;
			switch (b) {
			case 0xc0: k = 2; break;
			case 0xd0: k = 4; break;
			case 0xe0: k = 8; break;
			case 0xf0: k = 3; break;
			case 0xfe: k = 1; break;
			default:
				if (b >= 0xf1 && b <= 0xfd) {
					k = 0;
					e.v = (long long)(b & 0x0f) - 1;
					break;
				}
				goto bad;
			}
			if (avail < (size_t)k + 1)
				goto bad;
			hdr = 1 + (size_t)k;
			if (k > 0) {
				uint64_t u = get_le(p + pl + 1, k);

				if (k == 8)
					e.v = (long long)u;
				else if (u >= (1ULL << (8 * k - 1)))
					e.v = (long long)u -
					      (long long)(1ULL << (8 * k));
				else
					e.v = (long long)u;
			}
		}
		if (hdr > avail || dlen > avail - hdr)
			goto bad;
		if (!e.is_int) {
			e.p = p + pl + hdr;
			e.len = dlen;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = st_realloc(v, cap * sizeof(*v));
		}
		v[n++] = e;
		last = pos;
		prev = pl + hdr + dlen;
		pos += prev;
	}
	if (pos != size - 1 || get_le(zl + 4, 4) != last ||
	    (count != 65535 && count != n))
		goto bad;
	*out = v;
	return (long)n;
bad:
	st_free(v);
	return -1;
}

/* Parse a listpack (is_lp) or ziplist blob held in L->s1. */
static long
blob_parse(struct load *L, bool is_lp, struct elem **out, const char *what)
{
	long n = is_lp ? lp_parse((unsigned char *)L->s1.p, L->s1.len, out) :
			 zl_parse((unsigned char *)L->s1.p, L->s1.len, out);

	if (n < 0)
		CORRUPT(L, "%s %s integrity check failed", what,
			is_lp ? "listpack" : "ziplist");
	return n;
}

/* ---- objects --------------------------------------------------------------- */

static struct st_value *
load_list_elems(struct load *L, struct st_list *l, bool is_lp)
{
	struct elem *e;
	long n = blob_parse(L, is_lp, &e, "list");
	char num[ST_NUMBUF];

	if (n < 0)
		return NULL;
	for (long i = 0; i < n; i++) {
		size_t len;
		const char *p = elem_bytes(&e[i], num, &len);

		st_list_push(l, ST_LIST_TAIL, p, len);
	}
	st_free(e);
	return &l->v;
}

static int
hash_add(struct load *L, struct st_hash *h, const char *f, size_t flen,
	 const char *v, size_t vlen)
{
	if (st_hash_set(h, f, flen, v, vlen) != 1)
		return CORRUPT(L, "duplicate hash field");
	return 0;
}

static int
zset_add(struct load *L, struct st_zset *z, const char *m, size_t len,
	 double score)
{
	int out = 0;

	if (isnan(score))
		return CORRUPT(L, "zset with NaN score");
	if (st_zset_add(z, score, m, len, ST_ZADD_NX, &out, NULL) != 0 ||
	    !(out & ST_ZADD_OUT_ADDED))
		return CORRUPT(L, "duplicate zset member");
	return 0;
}

static int
elem_score(struct load *L, const struct elem *e, double *d)
{
	char num[ST_NUMBUF];
	size_t len;
	const char *p = elem_bytes(e, num, &len);

	if (e->is_int) {
		*d = (double)e->v;
		return 0;
	}
	if (st_str2d(p, len, d) != 0)
		return CORRUPT(L, "invalid zset score in a listpack/ziplist");
	return 0;
}

/* HASH_LISTPACK / HASH_ZIPLIST / ZSET_LISTPACK / ZSET_ZIPLIST body in s1. */
static struct st_value *
load_pairs(struct load *L, bool is_lp, bool zset)
{
	struct elem *e;
	long n = blob_parse(L, is_lp, &e, zset ? "zset" : "hash");
	char n1[ST_NUMBUF], n2[ST_NUMBUF];
	struct st_value *v;

	if (n < 0)
		return NULL;
	if (n % 2 != 0 || n == 0) {
		st_free(e);
		CORRUPT(L, "%s blob with %ld elements", zset ? "zset" : "hash", n);
		return NULL;
	}
	if (zset) {
		struct st_zset *z = st_zset_new();

		v = &z->v;
		for (long i = 0; i < n && !L->err; i += 2) {
			size_t ml;
			const char *m = elem_bytes(&e[i], n1, &ml);
			double d;

			if (elem_score(L, &e[i + 1], &d) == 0)
				zset_add(L, z, m, ml, d);
		}
	} else {
		struct st_hash *h = st_hash_new();

		v = &h->v;
		for (long i = 0; i < n && !L->err; i += 2) {
			size_t fl, vl;
			const char *f = elem_bytes(&e[i], n1, &fl);
			const char *x = elem_bytes(&e[i + 1], n2, &vl);

			hash_add(L, h, f, fl, x, vl);
		}
	}
	st_free(e);
	if (L->err) {
		st_value_free(v);
		return NULL;
	}
	return v;
}

static struct st_value *
load_intset(struct load *L)
{
	const unsigned char *p = (const unsigned char *)L->s1.p;
	size_t size = L->s1.len;
	uint64_t w, n;
	struct st_set *s;
	char num[ST_NUMBUF];
	int64_t prev = 0;

	if (size < 8)
		goto bad;
	w = get_le(p, 4);
	n = get_le(p + 4, 4);
	if ((w != 2 && w != 4 && w != 8) || n == 0 || 8 + n * w != size)
		goto bad;
	s = st_set_new();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t u = get_le(p + 8 + i * w, (int)w);
		int64_t v = w == 2 ? (int16_t)u : w == 4 ? (int32_t)u : (int64_t)u;

		if (i > 0 && v <= prev) {
			st_value_free(&s->v);
			goto bad;
		}
		prev = v;
		st_set_add(s, num, (size_t)st_ll2str(num, v));
	}
	return &s->v;
bad:
	CORRUPT(L, "intset integrity check failed");
	return NULL;
}

/* HASH_ZIPMAP (Redis < 2.6): <zmlen> { <len> key <len> <free> value [free] } 0xff */
static struct st_value *
load_zipmap(struct load *L)
{
	const unsigned char *p = (const unsigned char *)L->s1.p;
	size_t size = L->s1.len, pos = 1;
	struct st_hash *h;

	if (size < 2 || p[size - 1] != 0xff)
		goto bad;
	h = st_hash_new();
	while (pos < size - 1) {
		size_t lens[2], offs[2];

		for (int k = 0; k < 2; k++) {
			size_t len;

			if (pos >= size - 1)
				goto bad_h;
			if (p[pos] < 254) {
				len = p[pos];
				pos += 1;
			} else if (p[pos] == 254) {
				if (size - 1 - pos < 5)
					goto bad_h;
				len = (size_t)get_le(p + pos + 1, 4);
				pos += 5;
			} else {
				goto bad_h;
			}
			size_t fr = 0;

			if (k == 1) {
				if (pos >= size - 1)
					goto bad_h;
				fr = p[pos++];
			}
			if (len > size - 1 - pos || fr > size - 1 - pos - len)
				goto bad_h;
			offs[k] = pos;
			lens[k] = len;
			pos += len + fr;
		}
		if (hash_add(L, h, (const char *)p + offs[0], lens[0],
			     (const char *)p + offs[1], lens[1]) != 0) {
			st_value_free(&h->v);
			return NULL;
		}
	}
	if (st_hash_len(h) == 0) {
		st_value_free(&h->v);
		goto bad;
	}
	return &h->v;
bad_h:
	st_value_free(&h->v);
bad:
	CORRUPT(L, "zipmap integrity check failed");
	return NULL;
}

/* rdbLoadDoubleValue (ZSET, type 3): a length byte, 253 nan, 254 +inf,
 * 255 -inf, else that many ASCII bytes. */
static int
rd_text_double(struct load *L, double *d)
{
	unsigned n;
	char buf[256];

	if (rd_byte(L, &n) != 0)
		return L->err;
	if (n == 253) {
		*d = NAN;
		return 0;
	}
	if (n == 254 || n == 255) {
		*d = n == 254 ? INFINITY : -INFINITY;
		return 0;
	}
	if (rd(L, buf, n) != 0)
		return L->err;
	buf[n] = '\0';
	char *end;

	*d = strtod(buf, &end);
	if (end != buf + n)
		return CORRUPT(L, "invalid double value");
	return 0;
}

/* A counted collection: check the count fits the bytes left (each
 * element takes at least min_bytes). */
static int
rd_count(struct load *L, uint64_t *n, unsigned min_bytes)
{
	if (rd_plain_len(L, n) != 0)
		return L->err;
	if (*n > remaining(L) / min_bytes)
		return CORRUPT(L, "collection of %llu elements past the end "
			       "of the image", (unsigned long long)*n);
	return 0;
}

/* rdbLoadObject.  NULL with L->err set on error, or NULL with *empty. */
static struct st_value *
load_object(struct load *L, unsigned type, bool *empty)
{
	uint64_t n;

	*empty = false;
	switch (type) {
	case CTL_RDB_TYPE_STRING:
		if (rd_string(L, &L->s1) != 0)
			return NULL;
		return &st_string_new(L->s1.p, L->s1.len)->v;

	case CTL_RDB_TYPE_LIST: {
		struct st_list *l;

		if (rd_count(L, &n, 1) != 0)
			return NULL;
		l = st_list_new();
		for (uint64_t i = 0; i < n; i++) {
			if (rd_string(L, &L->s1) != 0) {
				st_value_free(&l->v);
				return NULL;
			}
			st_list_push(l, ST_LIST_TAIL, L->s1.p, L->s1.len);
		}
		*empty = n == 0;
		return &l->v;
	}
	case CTL_RDB_TYPE_SET: {
		struct st_set *s;

		if (rd_count(L, &n, 1) != 0)
			return NULL;
		s = st_set_new();
		for (uint64_t i = 0; i < n; i++) {
			if (rd_string(L, &L->s1) != 0)
				break;
			if (!st_set_add(s, L->s1.p, L->s1.len)) {
				CORRUPT(L, "duplicate set member");
				break;
			}
		}
		if (L->err) {
			st_value_free(&s->v);
			return NULL;
		}
		*empty = n == 0;
		return &s->v;
	}
	case CTL_RDB_TYPE_ZSET:
	case CTL_RDB_TYPE_ZSET_2: {
		struct st_zset *z;

		if (rd_count(L, &n, 2) != 0)
			return NULL;
		z = st_zset_new();
		for (uint64_t i = 0; i < n && !L->err; i++) {
			double d;

			if (rd_string(L, &L->s1) != 0)
				break;
			if (type == CTL_RDB_TYPE_ZSET_2) {
				uint64_t bits;

				if (rd_le(L, 8, &bits) != 0)
					break;
				memcpy(&d, &bits, 8);
			} else if (rd_text_double(L, &d) != 0) {
				break;
			}
			zset_add(L, z, L->s1.p, L->s1.len, d);
		}
		if (L->err) {
			st_value_free(&z->v);
			return NULL;
		}
		*empty = n == 0;
		return &z->v;
	}
	case CTL_RDB_TYPE_HASH: {
		struct st_hash *h;

		if (rd_count(L, &n, 2) != 0)
			return NULL;
		h = st_hash_new();
		for (uint64_t i = 0; i < n && !L->err; i++) {
			if (rd_string(L, &L->s1) != 0 ||
			    rd_string(L, &L->s2) != 0)
				break;
			hash_add(L, h, L->s1.p, L->s1.len, L->s2.p, L->s2.len);
		}
		if (L->err) {
			st_value_free(&h->v);
			return NULL;
		}
		*empty = n == 0;
		return &h->v;
	}
	case CTL_RDB_TYPE_LIST_QUICKLIST:
	case CTL_RDB_TYPE_LIST_QUICKLIST_2: {
		struct st_list *l;

		if (rd_count(L, &n, 2) != 0)
			return NULL;
		l = st_list_new();
		for (uint64_t i = 0; i < n && !L->err; i++) {
			uint64_t container = 2;

			if (type == CTL_RDB_TYPE_LIST_QUICKLIST_2) {
				if (rd_plain_len(L, &container) != 0)
					break;
				if (container != 1 && container != 2) {
					CORRUPT(L, "quicklist integrity check "
						"failed (container %llu)",
						(unsigned long long)container);
					break;
				}
			}
			if (rd_string(L, &L->s1) != 0)
				break;
			if (container == 1) {
				st_list_push(l, ST_LIST_TAIL, L->s1.p, L->s1.len);
				continue;
			}
			load_list_elems(L, l,
					type == CTL_RDB_TYPE_LIST_QUICKLIST_2);
		}
		if (L->err) {
			st_value_free(&l->v);
			return NULL;
		}
		*empty = st_list_len(l) == 0;
		return &l->v;
	}
	case CTL_RDB_TYPE_LIST_ZIPLIST: {
		struct st_list *l;

		if (rd_string(L, &L->s1) != 0)
			return NULL;
		l = st_list_new();
		if (load_list_elems(L, l, false) == NULL) {
			st_value_free(&l->v);
			return NULL;
		}
		*empty = st_list_len(l) == 0;
		return &l->v;
	}
	case CTL_RDB_TYPE_SET_INTSET:
		if (rd_string(L, &L->s1) != 0)
			return NULL;
		return load_intset(L);
	case CTL_RDB_TYPE_HASH_ZIPMAP:
		if (rd_string(L, &L->s1) != 0)
			return NULL;
		return load_zipmap(L);
	case CTL_RDB_TYPE_HASH_ZIPLIST:
	case CTL_RDB_TYPE_HASH_LISTPACK:
	case CTL_RDB_TYPE_ZSET_ZIPLIST:
	case CTL_RDB_TYPE_ZSET_LISTPACK:
		if (rd_string(L, &L->s1) != 0)
			return NULL;
		return load_pairs(L, type == CTL_RDB_TYPE_HASH_LISTPACK ||
				     type == CTL_RDB_TYPE_ZSET_LISTPACK,
				  type == CTL_RDB_TYPE_ZSET_LISTPACK ||
				  type == CTL_RDB_TYPE_ZSET_ZIPLIST);
	case CTL_RDB_TYPE_MODULE:
	case CTL_RDB_TYPE_MODULE_2:
		fail(L, -ENOTSUP, "module values are not supported");
		return NULL;
	case CTL_RDB_TYPE_STREAM_LISTPACKS:
	case CTL_RDB_TYPE_STREAM_LISTPACKS_2:
		fail(L, -ENOTSUP, "streams are not supported");
		return NULL;
	}
	CORRUPT(L, "unknown RDB object type %u", type);
	return NULL;
}

/* ---- staging ------------------------------------------------------------------ */

static int
stage(struct load *L, int db, int64_t expire, const char *key, size_t len,
      struct st_value *v)
{
	bool created;
	struct st_dict_entry *de;

	if (L->keys[db] == NULL)
		L->keys[db] = st_dict_new();
	de = st_dict_add_or_find(L->keys[db], key, len, &created);
	if (!created) {
		st_value_free(v);
		return CORRUPT(L, "duplicated key found in RDB file (db %d)", db);
	}
	if (L->nst == L->capst) {
		L->capst = L->capst ? L->capst * 2 : 64;
		L->st = st_realloc(L->st, L->capst * sizeof(*L->st));
	}
	L->st[L->nst++] = (struct staged){ db, expire,
					   st_dict_entry_key(de, &len), len, v };
	return 0;
}

static void
staging_free(struct load *L, bool values)
{
	for (size_t i = 0; values && i < L->nst; i++)
		st_value_free(L->st[i].v);
	st_free(L->st);
	L->st = NULL;
	L->nst = 0;
	for (int i = 0; i < ST_DBNUM; i++) {
		st_dict_free(L->keys[i], NULL);
		L->keys[i] = NULL;
	}
}

/* Hand every staged value to the keyspace, all stripes held. */
static void
apply(struct load *L)
{
	struct st_client *c = st_client_new(st_worker_self());

	c->flags |= ST_CLIENT_NO_PROPAGATE;
	for (unsigned s = 0; s < ST_STRIPES; s++)
		st_stripe_lock(s);
	if (L->flags & CTL_RDB_LOAD_FLUSH)
		for (int db = 0; db < ST_DBNUM; db++)
			st_db_flush(c, db);
	for (size_t i = 0; i < L->nst; i++) {
		struct staged *x = &L->st[i];
		struct st_entry *e;

		c->db = x->db;
		e = st_db_set(c, x->key, x->keylen, x->v, false);
		if (x->expire >= 0)
			st_set_expire(c, e, x->expire);
	}
	for (unsigned s = ST_STRIPES; s-- > 0;)
		st_stripe_unlock(s);
	L->info->keys_loaded = L->nst;
	st_client_free(c);
}

/* ---- the image ------------------------------------------------------------------- */

static void
aux_field(struct load *L)
{
	const char *k = L->s1.p, *v = L->s2.p;
	size_t kl = L->s1.len, vl = L->s2.len;
	long long x;

	if (kl == 14 && memcmp(k, "repl-stream-db", 14) == 0) {
		if (st_str2ll(v, vl, &x) == 0 && x >= 0 && x < ST_DBNUM)
			L->info->repl_stream_db = (int)x;
	} else if (kl == 7 && memcmp(k, "repl-id", 7) == 0) {
		if (vl == 40) {
			memcpy(L->info->repl_id, v, 40);
			L->info->repl_id[40] = '\0';
		}
	} else if (kl == 11 && memcmp(k, "repl-offset", 11) == 0) {
		if (st_str2ll(v, vl, &x) == 0)
			L->info->repl_offset = x;
	}
}

static int
parse(struct load *L)
{
	unsigned char magic[9];
	int db = 0;
	int64_t expire = -1;

	if (rd(L, magic, 9) != 0)
		return L->err;
	if (memcmp(magic, "REDIS", 5) != 0)
		return fail(L, -EINVAL, "wrong signature trying to load DB "
			    "from file");
	L->version = 0;
	for (int i = 5; i < 9; i++) {
		if (magic[i] < '0' || magic[i] > '9')
			return fail(L, -EINVAL, "bad RDB version field");
		L->version = L->version * 10 + (magic[i] - '0');
	}
	L->info->version = L->version;
	if (L->version < CTL_RDB_VERSION_MIN_LOAD ||
	    L->version > CTL_RDB_VERSION)
		return fail(L, -ENOTSUP, "can't handle RDB format version %d",
			    L->version);
	for (;;) {
		unsigned type;
		uint64_t a, b;

		if (rd_byte(L, &type) != 0)
			return L->err;
		switch (type) {
		case CTL_RDB_OPCODE_EXPIRETIME:
			if (rd_le(L, 4, &a) != 0)
				return L->err;
			expire = (int64_t)(int32_t)a * 1000;
			continue;
		case CTL_RDB_OPCODE_EXPIRETIME_MS:
			if (rd_le(L, 8, &a) != 0)
				return L->err;
			expire = (int64_t)a;
			continue;
		case CTL_RDB_OPCODE_FREQ:
			if (rd_byte(L, &type) != 0)
				return L->err;
			continue;
		case CTL_RDB_OPCODE_IDLE:
			if (rd_plain_len(L, &a) != 0)
				return L->err;
			continue;
		case CTL_RDB_OPCODE_EOF:
			break;
		case CTL_RDB_OPCODE_SELECTDB:
			if (rd_plain_len(L, &a) != 0)
				return L->err;
			if (a >= ST_DBNUM)
				return CORRUPT(L, "data file was created with a "
					       "server configured to handle more "
					       "than %d databases", ST_DBNUM);
			db = (int)a;
			continue;
		case CTL_RDB_OPCODE_RESIZEDB:
			if (rd_plain_len(L, &a) != 0 || rd_plain_len(L, &b) != 0)
				return L->err;
			continue;
		case CTL_RDB_OPCODE_AUX:
			if (rd_string(L, &L->s1) != 0 || rd_string(L, &L->s2) != 0)
				return L->err;
			aux_field(L);
			continue;
		case CTL_RDB_OPCODE_MODULE_AUX:
			return fail(L, -ENOTSUP, "module auxiliary data is not "
				    "supported");
		case CTL_RDB_OPCODE_FUNCTION:
			return fail(L, -ENOTSUP, "pre-release function format "
				    "is not supported");
		case CTL_RDB_OPCODE_FUNCTION2:
			if (rd_string(L, &L->s1) != 0)
				return L->err;
			if (L->flags & CTL_RDB_LOAD_STRICT_FUNCTIONS)
				return fail(L, -ENOTSUP, "functions are not "
					    "supported");
			L->info->functions_skipped++;
			continue;
		default: {
			struct st_value *v;
			bool empty;
			char *key;
			size_t keylen;

			if (rd_string(L, &L->s2) != 0)
				return L->err;
			/* the key is in s2: load_object uses s1 (and s2 only
			 * for HASH, after the key is copied) */
			keylen = L->s2.len;
			key = st_malloc(keylen + 1);
			memcpy(key, L->s2.p, keylen);
			v = load_object(L, type, &empty);
			if (v == NULL) {
				st_free(key);
				return L->err ? L->err :
				       CORRUPT(L, "bad object of type %u", type);
			}
			if (empty) {
				L->info->keys_empty++;
				st_value_free(v);
			} else if (expire >= 0 && expire <= L->now_ms &&
				   !(L->flags & CTL_RDB_LOAD_KEEP_EXPIRED)) {
				L->info->keys_expired++;
				st_value_free(v);
			} else if (stage(L, db, expire, key, keylen, v) != 0) {
				st_free(key);
				return L->err;
			}
			st_free(key);
			expire = -1;
			continue;
		}
		}
		break;	/* EOF */
	}
	if (L->version >= 5) {
		uint64_t expected = L->crc, got;

		if (rd_le(L, 8, &got) != 0)
			return L->err;
		if (got == 0) {
			L->info->crc_checked = false;
		} else if (got != expected) {
			return fail(L, -EILSEQ, "wrong RDB checksum expected: "
				    "(%016llx) but got (%016llx)",
				    (unsigned long long)got,
				    (unsigned long long)expected);
		} else {
			L->info->crc_checked = true;
		}
	}
	return 0;
}

int
ctl_rdb_load(struct ctl_rdb_reader *r, unsigned flags,
	     struct ctl_rdb_info *info)
{
	struct ctl_rdb_info dummy;
	struct load L = { .r = r, .flags = flags };
	int rc;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	info->repl_stream_db = -1;
	info->repl_offset = -1;
	L.info = info;
	if (st_worker_self() == NULL)
		return fail(&L, -EPERM, "the calling thread is not registered "
			    "with the store");
	L.now_ms = st_mstime();
	L.buf = st_malloc(IN_BUF);
	st_buf_init(&L.s1);
	st_buf_init(&L.s2);
	st_buf_init(&L.blob);
	rc = parse(&L);
	info->bytes = L.consumed;
	if (rc == 0)
		apply(&L);
	staging_free(&L, rc != 0);
	st_buf_free(&L.s1);
	st_buf_free(&L.s2);
	st_buf_free(&L.blob);
	st_free(L.buf);
	return rc;
}

/* ---- readers ----------------------------------------------------------------------- */

static ssize_t
mem_read(void *ctx, void *buf, size_t n)
{
	struct ctl_rdb_mem *m = ctx;
	size_t k = m->len - m->pos;

	if (k > n)
		k = n;
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

void
ctl_rdb_reader_mem(struct ctl_rdb_reader *r, struct ctl_rdb_mem *m,
		   const void *p, size_t len)
{
	m->p = p;
	m->len = len;
	m->pos = 0;
	r->read = mem_read;
	r->ctx = m;
	r->size = len;
}

static ssize_t
fd_read(void *ctx, void *buf, size_t n)
{
	ssize_t k = read(*(int *)ctx, buf, n);

	return k < 0 ? -errno : k;
}

int
ctl_rdb_load_file(const char *path, unsigned flags, struct ctl_rdb_info *info)
{
	struct ctl_rdb_reader r;
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		rc = -errno;
		if (info) {
			memset(info, 0, sizeof(*info));
			snprintf(info->err, sizeof(info->err), "%s: %s", path,
				 strerror(-rc));
		}
		return rc;
	}
	if (fstat(fd, &sb) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	r.read = fd_read;
	r.ctx = &fd;
	r.size = (uint64_t)sb.st_size;
	rc = ctl_rdb_load(&r, flags, info);
	close(fd);
	return rc;
}
