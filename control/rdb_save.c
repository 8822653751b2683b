/*
 * rdb_save.c -- stream the keyspace as an RDB version 10 image (rdb.h).
 *
 * Layout written (Redis 7.0's rdbSaveRio):
 *   "REDIS0010"  AUX*  { SELECTDB db  RESIZEDB keys expires
 *                        { [EXPIRETIME_MS ms] type key value } }  EOF crc64
 *
 * Encodings are the ones Redis 7.0 picks for the same value, so a stock
 * replica ends up with the same OBJECT ENCODING as we report:
 *  - strings: int8/16/32 "integer encodings" when the bytes are a canonical
 *    integer that fits, LZF when longer than 20 bytes and compression saves
 *    more than 4 bytes (rdbSaveRawString), plain otherwise;
 *  - lists: LIST_QUICKLIST_2, listpack nodes cut at list-max-listpack-size
 *    (default -2: 8 KiB), a PLAIN node for an element of 1 GiB or more;
 *  - hashes: HASH_LISTPACK ("listpack") or HASH ("hashtable");
 *  - sets: SET_INTSET ("intset") or SET ("hashtable");
 *  - sorted sets: ZSET_LISTPACK ("listpack") or ZSET_2 (binary doubles,
 *    tail to head as Redis writes them).
 * Blobs (listpacks, intsets) go through the same string writer, so they are
 * LZF-compressed when that pays, as in Redis.
 *
 * Each key is serialised into a private buffer under its stripe lock (value
 * and TTL consistent); the buffer goes to the writer after the lock is
 * dropped, between scan batches or once it holds 256 KiB.  The CRC64 covers
 * everything written before the trailer.  A big collection keeps its stripe
 * (and so every key sharing it) locked while it is serialised: about the
 * time of a full LRANGE / HGETALL of it.
 *
 * ctl_rdb_save_snapshot (the end of this file) writes the same layout from a
 * point-in-time snapshot (store/snapshot.h): the walk serialises only the
 * keys it claims, writers' pre-images of the others are queued as chunks
 * and spliced in between keys under their own SELECTDB, and the writer is
 * called between batches with the thread offline.
 */
#include "rdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<lzf.h>)
#include <lzf.h>
#else
#include <liblzf/lzf.h>
#endif

#include "alloc.h"
#include "buf.h"
#include "client.h"
#include "config.h"
#include "crc64.h"
#include "keyspace.h"
#include "object.h"
#include "snapshot.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"
#include "util.h"
#include "worker.h"

#define SAVE_FLUSH_BYTES (256 * 1024)
#define SAVE_SCAN_BATCH 128
#define QL_NODE_PLAIN 1
#define QL_NODE_PACKED 2
#define LP_HDR_SIZE 6

static _Atomic size_t packed_threshold = (size_t)1 << 30;

void
ctl_rdb_set_packed_threshold(size_t bytes)
{
	atomic_store_explicit(&packed_threshold, bytes, memory_order_relaxed);
}

struct save {
	struct ctl_rdb_writer *w;
	struct st_client *c;
	struct st_buf out;		/* pending bytes, not yet written */
	struct st_buf lp;		/* scratch: listpack / intset being built */
	struct st_buf lzf;		/* scratch: compression output */
	uint64_t crc;
	int db;
	int err;
};

/* ---- output --------------------------------------------------------------- */

static int
flush_out(struct save *s)
{
	int rc;

	if (s->err || s->out.len == 0)
		return s->err;
	s->crc = ctl_crc64(s->crc, s->out.p, s->out.len);
	rc = s->w->write(s->w->ctx, s->out.p, s->out.len);
	if (rc < 0)
		s->err = rc;
	else
		s->w->bytes += s->out.len;
	st_buf_reset(&s->out);
	return s->err;
}

static inline void
put(struct st_buf *b, const void *p, size_t n)
{
	st_buf_append(b, p, n);
}

static inline void
put_byte(struct st_buf *b, unsigned char ch)
{
	st_buf_putc(b, (char)ch);
}

/* rdbSaveLen: 6 bit, 14 bit, 32 bit or 64 bit big endian. */
static void
put_len(struct st_buf *b, uint64_t len)
{
	unsigned char buf[9];

	if (len < (1 << 6)) {
		put_byte(b, (unsigned char)len);
	} else if (len < (1 << 14)) {
		buf[0] = (unsigned char)(((len >> 8) & 0x3f) | 0x40);
		buf[1] = (unsigned char)(len & 0xff);
		put(b, buf, 2);
	} else if (len <= UINT32_MAX) {
		buf[0] = 0x80;
		for (int i = 0; i < 4; i++)
			buf[1 + i] = (unsigned char)(len >> (24 - 8 * i));
		put(b, buf, 5);
	} else {
		buf[0] = 0x81;
		for (int i = 0; i < 8; i++)
			buf[1 + i] = (unsigned char)(len >> (56 - 8 * i));
		put(b, buf, 9);
	}
}

static void
put_le(struct st_buf *b, uint64_t v, int n)
{
	unsigned char buf[8];

	for (int i = 0; i < n; i++)
		buf[i] = (unsigned char)(v >> (8 * i));
	put(b, buf, n);
}

/* rdbEncodeInteger: false if v does not fit in 32 bits. */
static bool
put_int_encoded(struct st_buf *b, long long v)
{
	if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
		put_byte(b, 0xc0);
		put_le(b, (uint64_t)v, 1);
	} else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
		put_byte(b, 0xc1);
		put_le(b, (uint64_t)v, 2);
	} else if (v >= INT32_MIN && v <= INT32_MAX) {
		put_byte(b, 0xc2);
		put_le(b, (uint64_t)v, 4);
	} else {
		return false;
	}
	return true;
}

/* rdbSaveLzfStringObject: false when compression does not save > 4 bytes. */
static bool
put_lzf(struct save *s, struct st_buf *b, const char *p, size_t len)
{
	unsigned int clen;

	if (len <= 4 || len > UINT_MAX)
		return false;
	st_buf_reset(&s->lzf);
	st_buf_reserve(&s->lzf, len);
	clen = lzf_compress(p, (unsigned int)len, s->lzf.p,
			    (unsigned int)(len - 4));
	if (clen == 0)
		return false;
	put_byte(b, 0xc3);
	put_len(b, clen);
	put_len(b, len);
	put(b, s->lzf.p, clen);
	return true;
}

/* rdbSaveRawString: integer encoding, LZF, or length + bytes. */
static void
put_string(struct save *s, struct st_buf *b, const char *p, size_t len)
{
	if (len <= 11 && len > 0) {
		long long v;

		if (st_str2ll(p, len, &v) == 0 && put_int_encoded(b, v))
			return;
	}
	if (len > 20 && put_lzf(s, b, p, len))
		return;
	put_len(b, len);
	put(b, p, len);
}

/* rdbSaveLongLongAsStringObject. */
static void
put_ll_string(struct st_buf *b, long long v)
{
	char num[ST_NUMBUF];
	int n;

	if (put_int_encoded(b, v))
		return;
	n = st_ll2str(num, v);
	put_len(b, (uint64_t)n);
	put(b, num, (size_t)n);
}

static void
put_aux(struct save *s, const char *k, const char *v, size_t vlen)
{
	put_byte(&s->out, CTL_RDB_OPCODE_AUX);
	put_string(s, &s->out, k, strlen(k));
	put_string(s, &s->out, v, vlen);
}

static void
put_aux_ll(struct save *s, const char *k, long long v)
{
	char num[ST_NUMBUF];
	int n = st_ll2str(num, v);

	put_aux(s, k, num, (size_t)n);
}

/* ---- listpack (Redis 7.0 listpack.c) --------------------------------------- */

/* lpEncodeBacklen: the entry length, readable from its last byte backwards. */
static size_t
lp_backlen(unsigned char *buf, uint64_t l)
{
	if (l <= 127) {
		buf[0] = (unsigned char)l;
		return 1;
	} else if (l < 16383) {
		buf[0] = (unsigned char)(l >> 7);
		buf[1] = (unsigned char)((l & 127) | 128);
		return 2;
	} else if (l < 2097151) {
		buf[0] = (unsigned char)(l >> 14);
		buf[1] = (unsigned char)(((l >> 7) & 127) | 128);
		buf[2] = (unsigned char)((l & 127) | 128);
		return 3;
	} else if (l < 268435455) {
		buf[0] = (unsigned char)(l >> 21);
		buf[1] = (unsigned char)(((l >> 14) & 127) | 128);
		buf[2] = (unsigned char)(((l >> 7) & 127) | 128);
		buf[3] = (unsigned char)((l & 127) | 128);
		return 4;
	}
	buf[0] = (unsigned char)(l >> 28);
	buf[1] = (unsigned char)(((l >> 21) & 127) | 128);
	buf[2] = (unsigned char)(((l >> 14) & 127) | 128);
	buf[3] = (unsigned char)(((l >> 7) & 127) | 128);
	buf[4] = (unsigned char)((l & 127) | 128);
	return 5;
}

/* Encoding header of an element (lpEncodeGetType + lpEncodeString): returns
 * its size in hdr; *is_int says the element is stored as the integer only. */
static size_t
lp_entry_header(const char *p, size_t len, unsigned char *hdr, bool *is_int)
{
	long long v;

	*is_int = false;
	if (len > 0 && len < 21 && st_str2ll(p, len, &v) == 0) {
		uint64_t u;

		*is_int = true;
		if (v >= 0 && v <= 127) {
			hdr[0] = (unsigned char)v;
			return 1;
		} else if (v >= -4096 && v <= 4095) {
			u = v < 0 ? (uint64_t)((1 << 13) + v) : (uint64_t)v;
			hdr[0] = (unsigned char)((u >> 8) | 0xc0);
			hdr[1] = (unsigned char)(u & 0xff);
			return 2;
		} else if (v >= -32768 && v <= 32767) {
			u = v < 0 ? (uint64_t)((1 << 16) + v) : (uint64_t)v;
			hdr[0] = 0xf1;
			hdr[1] = (unsigned char)(u & 0xff);
			hdr[2] = (unsigned char)(u >> 8);
			return 3;
		} else if (v >= -8388608 && v <= 8388607) {
			u = v < 0 ? (uint64_t)((1 << 24) + v) : (uint64_t)v;
			hdr[0] = 0xf2;
			for (int i = 0; i < 3; i++)
				hdr[1 + i] = (unsigned char)(u >> (8 * i));
			return 4;
		} else if (v >= INT32_MIN && v <= INT32_MAX) {
			u = (uint64_t)(uint32_t)(int32_t)v;
			hdr[0] = 0xf3;
			for (int i = 0; i < 4; i++)
				hdr[1 + i] = (unsigned char)(u >> (8 * i));
			return 5;
		}
		u = (uint64_t)v;
		hdr[0] = 0xf4;
		for (int i = 0; i < 8; i++)
			hdr[1 + i] = (unsigned char)(u >> (8 * i));
		return 9;
	}
	if (len < 64) {
		hdr[0] = (unsigned char)(0x80 | len);
		return 1;
	} else if (len < 4096) {
		hdr[0] = (unsigned char)((len >> 8) | 0xe0);
		hdr[1] = (unsigned char)(len & 0xff);
		return 2;
	}
	hdr[0] = 0xf0;
	for (int i = 0; i < 4; i++)
		hdr[1 + i] = (unsigned char)((uint64_t)len >> (8 * i));
	return 5;
}

/* Bytes the element takes in a listpack (header, data, backlen). */
static size_t
lp_entry_size(const char *p, size_t len)
{
	unsigned char hdr[9], bl[5];
	bool is_int;
	size_t h = lp_entry_header(p, len, hdr, &is_int);
	size_t l = h + (is_int ? 0 : len);

	return l + lp_backlen(bl, l);
}

static void
lp_begin(struct st_buf *lp)
{
	st_buf_reset(lp);
	st_buf_reserve(lp, LP_HDR_SIZE);
	memset(lp->p, 0, LP_HDR_SIZE);
	lp->len = LP_HDR_SIZE;
}

static void
lp_append(struct st_buf *lp, const char *p, size_t len)
{
	unsigned char hdr[9], bl[5];
	bool is_int;
	size_t h = lp_entry_header(p, len, hdr, &is_int);
	size_t l = h + (is_int ? 0 : len);

	put(lp, hdr, h);
	if (!is_int)
		put(lp, p, len);
	put(lp, bl, lp_backlen(bl, l));
}

static void
lp_end(struct st_buf *lp, size_t count)
{
	uint32_t total = (uint32_t)(lp->len + 1);
	uint16_t n = count >= 65535 ? 65535 : (uint16_t)count;

	put_byte(lp, 0xff);
	for (int i = 0; i < 4; i++)
		lp->p[i] = (char)(total >> (8 * i));
	lp->p[4] = (char)(n & 0xff);
	lp->p[5] = (char)(n >> 8);
}

/* ---- doubles ---------------------------------------------------------------- */

/* Redis 7.0 d2string (via double2ll): the text a zset listpack stores for
 * a score.  Integral values within +-LLONG_MAX/2 print as integers (so -0
 * is "0" and 1e17 is "100000000000000000"), others as "%.17g". */
static int
d2string(char *buf, size_t cap, double v)
{
	if (isinf(v))
		return snprintf(buf, cap, v < 0 ? "-inf" : "inf");
	if (v >= (double)(-LLONG_MAX / 2) && v <= (double)(LLONG_MAX / 2)) {
		long long ll = (long long)v;

		if ((double)ll == v)
			return st_ll2str(buf, ll);
	}
	return snprintf(buf, cap, "%.17g", v);
}

/* ---- values ----------------------------------------------------------------- */

/* Close the listpack being filled (if it holds anything) as a PACKED
 * quicklist node record in nb, and start a new one. */
static void
node_done(struct save *s, struct st_buf *nb, size_t *count, size_t *nodes)
{
	if (*count == 0)
		return;
	lp_end(&s->lp, *count);
	put_len(nb, QL_NODE_PACKED);
	put_string(s, nb, s->lp.p, s->lp.len);
	(*nodes)++;
	lp_begin(&s->lp);
	*count = 0;
}

static void
save_list(struct save *s, struct st_list *l)
{
	struct st_buf *b = &s->out;
	struct st_list_iter it;
	const char *p;
	size_t len, nodes = 0, count = 0, limit;
	long long fill = st_cfg.list_max_listpack_size;
	static const size_t levels[] = { 4096, 8192, 16384, 32768, 65536 };
	struct st_buf nb;	/* the node records, counted first */
	size_t plain = atomic_load_explicit(&packed_threshold,
					    memory_order_relaxed);

	if (fill < 0) {
		long long lvl = -fill - 1;

		limit = levels[lvl > 4 ? 4 : lvl];
	} else {
		limit = 8192;	/* SIZE_SAFETY_LIMIT */
	}
	st_buf_init(&nb);
	lp_begin(&s->lp);
	st_list_iter_init(l, 0, ST_LIST_TAIL, &it);
	while (st_list_iter_next(&it, &p, &len)) {
		if (len >= plain) {
			node_done(s, &nb, &count, &nodes);
			put_len(&nb, QL_NODE_PLAIN);
			put_string(s, &nb, p, len);
			nodes++;
			continue;
		}
		if (count > 0) {
			size_t e = lp_entry_size(p, len);
			bool full = fill >= 0 ?
				(count + 1 > (size_t)fill ||
				 s->lp.len + 1 + e > limit) :
				s->lp.len + 1 + e > limit;

			if (full || count >= 65535)
				node_done(s, &nb, &count, &nodes);
		}
		lp_append(&s->lp, p, len);
		count++;
	}
	node_done(s, &nb, &count, &nodes);
	put_len(b, nodes);
	put(b, nb.p, nb.len);
	st_buf_free(&nb);
}

static void
save_hash(struct save *s, struct st_hash *h)
{
	struct st_hash_iter it;
	const char *f, *v;
	size_t flen, vlen;

	st_hash_iter_init(h, &it);
	if (h->v.enc == ST_ENC_LISTPACK) {
		lp_begin(&s->lp);
		while (st_hash_iter_next(&it, &f, &flen, &v, &vlen)) {
			lp_append(&s->lp, f, flen);
			lp_append(&s->lp, v, vlen);
		}
		lp_end(&s->lp, st_hash_len(h) * 2);
		put_string(s, &s->out, s->lp.p, s->lp.len);
		return;
	}
	put_len(&s->out, st_hash_len(h));
	while (st_hash_iter_next(&it, &f, &flen, &v, &vlen)) {
		put_string(s, &s->out, f, flen);
		put_string(s, &s->out, v, vlen);
	}
}

static void
save_set(struct save *s, struct st_set *set)
{
	struct st_set_iter it;
	const char *m;
	size_t len;

	if (set->v.enc == ST_ENC_INTSET) {
		uint32_t n = st_intset_len(&set->is);
		int64_t lo = n ? st_intset_get(&set->is, 0) : 0;
		int64_t hi = n ? st_intset_get(&set->is, n - 1) : 0;
		int w = 2;

		if (lo < INT32_MIN || hi > INT32_MAX)
			w = 8;
		else if (lo < INT16_MIN || hi > INT16_MAX)
			w = 4;
		st_buf_reset(&s->lp);
		put_le(&s->lp, (uint64_t)w, 4);
		put_le(&s->lp, n, 4);
		for (uint32_t i = 0; i < n; i++)
			put_le(&s->lp, (uint64_t)st_intset_get(&set->is, i), w);
		put_string(s, &s->out, s->lp.p, s->lp.len);
		return;
	}
	put_len(&s->out, st_set_size(set));
	st_set_iter_init(set, &it);
	while (st_set_iter_next(&it, &m, &len))
		put_string(s, &s->out, m, len);
}

static void
save_zset(struct save *s, struct st_zset *z)
{
	struct st_zset_node *n;

	if (z->v.enc == ST_ENC_LISTPACK) {
		char num[64];

		lp_begin(&s->lp);
		for (n = st_zset_first(z); n; n = st_zset_next(n)) {
			lp_append(&s->lp, n->ele, n->len);
			lp_append(&s->lp, num,
				  (size_t)d2string(num, sizeof(num), n->score));
		}
		lp_end(&s->lp, st_zset_len(z) * 2);
		put_string(s, &s->out, s->lp.p, s->lp.len);
		return;
	}
	put_len(&s->out, st_zset_len(z));
	for (n = st_zset_last(z); n; n = st_zset_prev(n)) {
		uint64_t bits;

		put_string(s, &s->out, n->ele, n->len);
		memcpy(&bits, &n->score, 8);
		put_le(&s->out, bits, 8);
	}
}

/* True if the value is an empty collection (never written: Redis skips
 * them on load anyway). */
static bool
value_empty(struct st_value *v)
{
	switch (v->type) {
	case ST_TYPE_LIST:
		return st_list_len((struct st_list *)v) == 0;
	case ST_TYPE_HASH:
		return st_hash_len((struct st_hash *)v) == 0;
	case ST_TYPE_SET:
		return st_set_size((struct st_set *)v) == 0;
	case ST_TYPE_ZSET:
		return st_zset_len((struct st_zset *)v) == 0;
	default:
		return false;
	}
}

static int
rdb_type_of(struct st_value *v)
{
	switch (v->type) {
	case ST_TYPE_STRING:
		return CTL_RDB_TYPE_STRING;
	case ST_TYPE_LIST:
		return CTL_RDB_TYPE_LIST_QUICKLIST_2;
	case ST_TYPE_HASH:
		return v->enc == ST_ENC_LISTPACK ? CTL_RDB_TYPE_HASH_LISTPACK :
						   CTL_RDB_TYPE_HASH;
	case ST_TYPE_SET:
		return v->enc == ST_ENC_INTSET ? CTL_RDB_TYPE_SET_INTSET :
						 CTL_RDB_TYPE_SET;
	case ST_TYPE_ZSET:
		return v->enc == ST_ENC_LISTPACK ? CTL_RDB_TYPE_ZSET_LISTPACK :
						   CTL_RDB_TYPE_ZSET_2;
	}
	return -1;
}

/* One key into s->out, stripe lock held.  False if nothing was written
 * (an empty collection).  Uses only s's own buffers: captures run it on
 * writer threads with a private struct save. */
static bool
save_key(struct save *s, struct st_entry *e)
{
	struct st_value *v = st_entry_value(e);
	int64_t exp = st_get_expire(e);
	int type = rdb_type_of(v);

	if (type < 0 || value_empty(v))
		return false;
	if (exp >= 0) {
		put_byte(&s->out, CTL_RDB_OPCODE_EXPIRETIME_MS);
		put_le(&s->out, (uint64_t)exp, 8);
	}
	put_byte(&s->out, (unsigned char)type);
	put_string(s, &s->out, e->key, e->keylen);
	switch (v->type) {
	case ST_TYPE_STRING: {
		struct st_string *str = st_value_string(v);

		if (str->is_int)
			put_ll_string(&s->out, str->ival);
		else
			put_string(s, &s->out, str->data, str->len);
		break;
	}
	case ST_TYPE_LIST:
		save_list(s, (struct st_list *)v);
		break;
	case ST_TYPE_HASH:
		save_hash(s, (struct st_hash *)v);
		break;
	case ST_TYPE_SET:
		save_set(s, (struct st_set *)v);
		break;
	case ST_TYPE_ZSET:
		save_zset(s, (struct st_zset *)v);
		break;
	}
	return true;
}

static bool
save_entry_cb(struct st_entry *e, void *arg)
{
	struct save *s = arg;
	unsigned stripe = st_stripe_of(st_key_hash(e->key, e->keylen));
	struct st_entry *le;

	st_stripe_lock(stripe);
	s->c->db = s->db;
	le = st_lookup_nostats(s->c, e->key, e->keylen);
	if (le != NULL && save_key(s, le))
		s->w->keys++;
	st_stripe_unlock(stripe);
	if (s->out.len >= SAVE_FLUSH_BYTES)
		flush_out(s);
	return s->err == 0;
}

/* ---- the image ---------------------------------------------------------------- */

static void
save_aux(struct save *s)
{
	static const char zeros[] = "0000000000000000000000000000000000000000";
	const char *rid = s->w->repl_id ? s->w->repl_id : zeros;

	put_aux(s, "redis-ver", "7.0.15", 6);
	put_aux_ll(s, "redis-bits", (long long)sizeof(void *) * 8);
	put_aux_ll(s, "ctime", (long long)time(NULL));
	put_aux_ll(s, "used-mem", (long long)st_mem_used());
	if (s->w->repl_stream_db >= 0)
		put_aux_ll(s, "repl-stream-db", s->w->repl_stream_db);
	put_aux(s, "repl-id", rid, strlen(rid));
	put_aux_ll(s, "repl-offset", s->w->repl_offset);
	put_aux_ll(s, "aof-base", 0);
}

static void
save_init(struct save *s, struct ctl_rdb_writer *w)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	st_buf_init(&s->out);
	st_buf_init(&s->lp);
	st_buf_init(&s->lzf);
	if (w != NULL) {
		w->bytes = 0;
		w->keys = 0;
	}
}

static void
save_fini(struct save *s)
{
	st_buf_free(&s->out);
	st_buf_free(&s->lp);
	st_buf_free(&s->lzf);
}

/* The magic and the AUX fields, into s->out. */
static void
save_header(struct save *s)
{
	put(&s->out, "REDIS0010", 9);
	save_aux(s);
}

/* EOF opcode, flush, CRC64 trailer.  Returns s->err. */
static int
save_trailer(struct save *s)
{
	unsigned char trailer[8];

	if (s->err == 0) {
		put_byte(&s->out, CTL_RDB_OPCODE_EOF);
		flush_out(s);
	}
	if (s->err == 0) {
		int rc;

		for (int i = 0; i < 8; i++)
			trailer[i] = (unsigned char)(s->crc >> (8 * i));
		rc = s->w->write(s->w->ctx, trailer, 8);
		if (rc < 0)
			s->err = rc;
		else
			s->w->bytes += 8;
	}
	return s->err;
}

int
ctl_rdb_save(struct ctl_rdb_writer *w)
{
	struct save s;
	struct st_worker *wk = st_worker_self();

	if (wk == NULL)
		return -EPERM;
	save_init(&s, w);
	s.c = st_client_new(wk);
	s.c->flags |= ST_CLIENT_NO_PROPAGATE;

	save_header(&s);
	for (int db = 0; db < ST_DBNUM && s.err == 0; db++) {
		struct st_db *d = st_db_get(db);
		long long keys = st_db_size(db);
		long long expires = atomic_load(&d->expires);
		uint64_t cursor = 0;

		if (keys <= 0)
			continue;
		s.db = db;
		put_byte(&s.out, CTL_RDB_OPCODE_SELECTDB);
		put_len(&s.out, (uint64_t)db);
		put_byte(&s.out, CTL_RDB_OPCODE_RESIZEDB);
		put_len(&s.out, (uint64_t)keys);
		put_len(&s.out, (uint64_t)(expires > 0 ? expires : 0));
		do {
			cursor = st_db_scan(db, cursor, SAVE_SCAN_BATCH,
					    save_entry_cb, &s);
			if (flush_out(&s) != 0)
				break;
			st_worker_quiescent();
		} while (cursor != 0);
	}
	save_trailer(&s);
	st_client_free(s.c);
	save_fini(&s);
	return s.err;
}

/* ---- point-in-time snapshot (store/snapshot.h) -------------------------------- */

/*
 * Captured pre-images: a writer about to change a key of the snapshot
 * serialises it (save_key, private buffers) into a chunk and queues it;
 * the save thread drains the queue between keys and writes each chunk
 * under its own SELECTDB.  The queue holds at most one chunk per key of
 * the snapshot (each key is captured once), so its worst case is the size
 * of the keyspace at S, like the pages a forked Redis child pins.
 */
struct snap_chunk {
	struct snap_chunk *next;
	int db;
	size_t len;
	char data[];
};

struct snap {
	struct save s;
	pthread_mutex_t lock;		/* head/tail */
	struct snap_chunk *head, **tail;
	_Atomic int pending;		/* head != NULL, read without the lock */
	int stream_db;			/* db of the last SELECTDB written */
	bool resized[ST_DBNUM];		/* RESIZEDB written for the walk's db */
};

/* ops->capture: any writer thread, the key's stripe lock held. */
static void
snap_capture(void *arg, int db, struct st_entry *e)
{
	struct snap *sn = arg;
	struct save cs;
	struct snap_chunk *ch;

	save_init(&cs, NULL);
	if (save_key(&cs, e)) {
		ch = st_malloc(sizeof(*ch) + cs.out.len);
		ch->next = NULL;
		ch->db = db;
		ch->len = cs.out.len;
		memcpy(ch->data, cs.out.p, cs.out.len);
		st_snapshot_mem_add((int64_t)st_alloc_size(ch));
		pthread_mutex_lock(&sn->lock);
		*sn->tail = ch;
		sn->tail = &ch->next;
		atomic_store_explicit(&sn->pending, 1, memory_order_relaxed);
		pthread_mutex_unlock(&sn->lock);
	}
	save_fini(&cs);
}

static void
snap_select(struct snap *sn, int db)
{
	if (sn->stream_db == db)
		return;
	put_byte(&sn->s.out, CTL_RDB_OPCODE_SELECTDB);
	put_len(&sn->s.out, (uint64_t)db);
	sn->stream_db = db;
}

/* Append the queued pre-images to the output; with may_flush, hand it to
 * the writer whenever it holds SAVE_FLUSH_BYTES.  Save thread, no stripe
 * lock held; may_flush only while offline (between batches). */
static void
snap_drain(struct snap *sn, bool may_flush)
{
	struct snap_chunk *ch, *next;

	if (!atomic_load_explicit(&sn->pending, memory_order_relaxed))
		return;
	pthread_mutex_lock(&sn->lock);
	ch = sn->head;
	sn->head = NULL;
	sn->tail = &sn->head;
	atomic_store_explicit(&sn->pending, 0, memory_order_relaxed);
	pthread_mutex_unlock(&sn->lock);
	for (; ch != NULL; ch = next) {
		next = ch->next;
		if (sn->s.err == 0) {
			snap_select(sn, ch->db);
			put(&sn->s.out, ch->data, ch->len);
			sn->s.w->keys++;
			if (may_flush && sn->s.out.len >= SAVE_FLUSH_BYTES)
				flush_out(&sn->s);
		}
		st_snapshot_mem_add(-(int64_t)st_alloc_size(ch));
		st_free(ch);
	}
}

/* st_db_scan_raw callback (online, RCU read side): keys whose TTL has
 * passed are kept, as Redis keeps them in its images (a replica loads
 * them; the primary's DEL follows in the stream).  Leaving them out would
 * be unsafe here: a writer's command clock may still see the key alive
 * after the walk's clock saw it expired.  Never writes: it stops the batch
 * when the output is full, and the loop writes it offline. */
static bool
snap_entry_cb(struct st_entry *e, void *arg)
{
	struct snap *sn = arg;
	struct save *s = &sn->s;
	unsigned stripe = st_stripe_of(e->hash);

	snap_drain(sn, false);
	if (s->err != 0)
		return false;
	st_stripe_lock(stripe);
	if (st_snapshot_claim(e)) {
		if (sn->stream_db != s->db) {
			snap_select(sn, s->db);
			if (!sn->resized[s->db]) {
				long long keys = st_db_size(s->db);
				long long exp = atomic_load(&st_db_get(s->db)->expires);

				put_byte(&s->out, CTL_RDB_OPCODE_RESIZEDB);
				put_len(&s->out, (uint64_t)(keys > 0 ? keys : 0));
				put_len(&s->out, (uint64_t)(exp > 0 ? exp : 0));
				sn->resized[s->db] = true;
			}
		}
		if (save_key(s, e))
			s->w->keys++;
	}
	st_stripe_unlock(stripe);
	return s->out.len < SAVE_FLUSH_BYTES;
}

int
ctl_rdb_save_snapshot(struct ctl_rdb_writer *w,
		      void (*on_begin)(void *arg, uint64_t seq), void *arg)
{
	struct snap *sn;
	struct st_snapshot_ops ops;
	uint64_t seq;
	int rc;

	if (st_worker_self() == NULL)
		return -EPERM;
	sn = st_calloc(sizeof(*sn));
	pthread_mutex_init(&sn->lock, NULL);
	sn->tail = &sn->head;
	sn->stream_db = -1;
	ops.capture = snap_capture;
	ops.arg = sn;
	rc = st_snapshot_begin(&ops, &seq);
	if (rc != 0) {
		pthread_mutex_destroy(&sn->lock);
		st_free(sn);
		return rc;
	}
	if (on_begin != NULL)
		on_begin(arg, seq);
	save_init(&sn->s, w);
	save_header(&sn->s);
	for (int db = 0; db < ST_DBNUM && sn->s.err == 0; db++) {
		uint64_t cursor = 0;

		sn->s.db = db;
		do {
			cursor = st_db_scan_raw(db, cursor, SAVE_SCAN_BATCH,
						snap_entry_cb, sn);
			/* Between batches no keyspace pointer is held: write
			 * offline, so a writer that blocks (a bounded network
			 * buffer) does not hold up memory reclamation. */
			st_worker_offline();
			snap_drain(sn, true);
			flush_out(&sn->s);
			st_worker_online();
		} while (cursor != 0 && sn->s.err == 0);
	}
	/* Every key of S is claimed or captured by now; after end no capture
	 * runs, so the queue is final. */
	st_snapshot_end();
	st_worker_offline();
	snap_drain(sn, true);
	save_trailer(&sn->s);
	st_worker_online();
	rc = sn->s.err;
	save_fini(&sn->s);
	pthread_mutex_destroy(&sn->lock);
	st_free(sn);
	return rc;
}

/* ---- files ----------------------------------------------------------------- */

static int
fd_write(void *ctx, const void *p, size_t n)
{
	int fd = *(int *)ctx;
	const char *c = p;

	while (n > 0) {
		ssize_t k = write(fd, c, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int
ctl_rdb_save_file(const char *path, struct ctl_rdb_writer *w)
{
	char tmp[4096];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	w->write = fd_write;
	w->ctx = &fd;
	rc = ctl_rdb_save(w);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	w->ctx = NULL;
	return rc;
}
