/*
 * repl_feed.c -- the write log's sink: per-writer-thread single-producer
 * rings of serialised records, consumed in global sequence order by the
 * replication core (repl.h).
 *
 * Call chain: st_dispatch -> ... -> st_wlog_emit (stripe locks held) ->
 * ctl_feed_sink -> this thread's ring (created on first use);
 * replication core: ctl_feed_take(seq) -> ctl_stream_append_feed ->
 * ctl_feed_release.
 *
 * Entries (8-byte aligned, never split by the ring's end -- a SKIP entry,
 * only its u32 length and u32 kind, fills the tail instead):
 *   u32 entry length, u32 kind (INLINE | INDIRECT | SKIP), u64 seq,
 *   u32 ncmds, u32 body length, then the body (INLINE) or a pointer to a
 *   malloc'ed body (INDIRECT: records bigger than a quarter of the ring).
 *   The body is per command: i32 db, u32 n, n bytes of RESP multibulk
 *   (built here, on the writer: the core only copies).
 *
 * A full ring makes its writer wait (yield, then short sleeps): records
 * are never dropped.  The writer holds stripe locks while it waits, but
 * the core takes none, so it always drains.  Waits are counted
 * (ctl_repl_stats.feed_waits).
 *
 * Rings live until the process ends; a thread's ring is handed to a later
 * thread once its owner exited and it is drained (thread-key destructor).
 */
#include "repl.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "client.h"
#include "wlog.h"

#define FEED_RING_SIZE (1u << 20)	/* bytes per writer thread */
#define FEED_MAX_RINGS 256
#define FEED_HDR 24

enum feed_kind { FEED_INLINE = 1, FEED_INDIRECT = 2, FEED_SKIP = 3 };

struct feed_ring {
	_Alignas(64) _Atomic uint64_t head;	/* producer: bytes written */
	_Alignas(64) _Atomic uint64_t tail;	/* consumer: bytes consumed */
	_Atomic int orphan;			/* owner thread exited */
	uint8_t *buf;
};

static struct feed_ring *_Atomic rings[FEED_MAX_RINGS];
static _Atomic int nrings;
static pthread_mutex_t rings_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t ring_key;
static pthread_once_t ring_key_once = PTHREAD_ONCE_INIT;
static __thread struct feed_ring *tl_ring;
static int last_ring;			/* consumer's guess */

static void
ring_owner_exit(void *p)
{
	struct feed_ring *r = p;

	atomic_store(&r->orphan, 1);
}

static void
make_key(void)
{
	pthread_key_create(&ring_key, ring_owner_exit);
}

static struct feed_ring *
ring_get(void)
{
	struct feed_ring *r = tl_ring;
	int n;

	if (r != NULL)
		return r;
	pthread_once(&ring_key_once, make_key);
	pthread_mutex_lock(&rings_lock);
	n = atomic_load(&nrings);
	for (int i = 0; i < n; i++) {
		struct feed_ring *o = atomic_load(&rings[i]);

		if (atomic_load(&o->orphan) &&
		    atomic_load(&o->head) == atomic_load(&o->tail)) {
			atomic_store(&o->orphan, 0);
			r = o;
			break;
		}
	}
	if (r == NULL && n < FEED_MAX_RINGS) {
		r = aligned_alloc(64, sizeof(*r));
		if (r != NULL) {
			memset(r, 0, sizeof(*r));
			r->buf = aligned_alloc(64, FEED_RING_SIZE);
			if (r->buf == NULL) {
				free(r);
				r = NULL;
			} else {
				atomic_store(&rings[n], r);
				atomic_store(&nrings, n + 1);
			}
		}
	}
	pthread_mutex_unlock(&rings_lock);
	if (r == NULL)
		abort();	/* out of memory or > 256 writer threads */
	tl_ring = r;
	pthread_setspecific(ring_key, r);
	return r;
}

static size_t
dec_len(unsigned long long v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static size_t
cmd_size(const struct st_wlog_cmd *c)
{
	size_t n = 1 + dec_len((unsigned long long)c->argc) + 2;

	for (int i = 0; i < c->argc; i++)
		n += 1 + dec_len(c->argv[i].len) + 2 + c->argv[i].len + 2;
	return n;
}

static uint8_t *
put_num(uint8_t *p, char type, unsigned long long v)
{
	char tmp[24];
	int n = 0;

	*p++ = (uint8_t)type;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = (uint8_t)tmp[--n];
	*p++ = '\r';
	*p++ = '\n';
	return p;
}

static void
encode_body(uint8_t *p, const struct st_wlog_rec *rec)
{
	for (int i = 0; i < rec->ncmds; i++) {
		const struct st_wlog_cmd *c = &rec->cmds[i];
		uint32_t hdr[2] = { (uint32_t)c->db, (uint32_t)cmd_size(c) };

		memcpy(p, hdr, 8);
		p += 8;
		p = put_num(p, '*', (unsigned long long)c->argc);
		for (int j = 0; j < c->argc; j++) {
			p = put_num(p, '$', c->argv[j].len);
			memcpy(p, c->argv[j].p, c->argv[j].len);
			p += c->argv[j].len;
			*p++ = '\r';
			*p++ = '\n';
		}
	}
}

static void
wait_room(struct feed_ring *r, uint64_t head, size_t need, bool *counted)
{
	unsigned spins = 0;

	while (head + need - atomic_load_explicit(&r->tail, memory_order_acquire) >
	       FEED_RING_SIZE) {
		if (!*counted) {
			*counted = true;
			atomic_fetch_add_explicit(&ctl_repl_stats.feed_waits, 1,
						  memory_order_relaxed);
		}
		if (++spins < 64) {
			sched_yield();
		} else {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
}

static void
put_hdr(uint8_t *p, uint32_t len, uint32_t kind, uint64_t seq, uint32_t ncmds,
	uint32_t body_len)
{
	memcpy(p, &len, 4);
	memcpy(p + 4, &kind, 4);
	memcpy(p + 8, &seq, 8);
	memcpy(p + 16, &ncmds, 4);
	memcpy(p + 20, &body_len, 4);
}

void
ctl_feed_sink(const struct st_wlog_rec *rec, void *arg)
{
	struct feed_ring *r = ring_get();
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t body = 0, entry, pos;
	bool counted = false;
	uint8_t *p;
	void *ind = NULL;

	for (int i = 0; i < rec->ncmds; i++)
		body += 8 + cmd_size(&rec->cmds[i]);
	if (body > FEED_RING_SIZE / 4) {
		ind = malloc(body);
		if (ind == NULL)
			abort();
		encode_body(ind, rec);
		entry = FEED_HDR + sizeof(void *);
	} else {
		entry = FEED_HDR + body;
	}
	entry = (entry + 7) & ~(size_t)7;
	pos = head & (FEED_RING_SIZE - 1);
	if (pos + entry > FEED_RING_SIZE) {
		size_t skip = FEED_RING_SIZE - pos;

		uint32_t sk[2] = { (uint32_t)skip, FEED_SKIP };

		/* the tail may be only 8 bytes: a SKIP is just length + kind */
		wait_room(r, head, skip, &counted);
		memcpy(r->buf + pos, sk, sizeof(sk));
		head += skip;
		pos = 0;
	}
	wait_room(r, head, entry, &counted);
	p = r->buf + pos;
	if (ind) {
		put_hdr(p, (uint32_t)entry, FEED_INDIRECT, rec->seq,
			(uint32_t)rec->ncmds, (uint32_t)body);
		memcpy(p + FEED_HDR, &ind, sizeof(ind));
	} else {
		put_hdr(p, (uint32_t)entry, FEED_INLINE, rec->seq,
			(uint32_t)rec->ncmds, (uint32_t)body);
		encode_body(p + FEED_HDR, rec);
	}
	atomic_store_explicit(&r->head, head + entry, memory_order_release);
}

/* The entry at the ring's tail, skipping SKIP entries; NULL if empty. */
static uint8_t *
ring_peek(struct feed_ring *r)
{
	for (;;) {
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
		uint8_t *p;
		uint32_t len, kind;

		if (tail == head)
			return NULL;
		p = r->buf + (tail & (FEED_RING_SIZE - 1));
		memcpy(&len, p, 4);
		memcpy(&kind, p + 4, 4);
		if (kind != FEED_SKIP)
			return p;
		atomic_store_explicit(&r->tail, tail + len, memory_order_release);
	}
}

static void
ring_pop(struct feed_ring *r, uint8_t *p)
{
	uint32_t len, kind;
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	memcpy(&len, p, 4);
	memcpy(&kind, p + 4, 4);
	if (kind == FEED_INDIRECT) {
		void *ind;

		memcpy(&ind, p + FEED_HDR, sizeof(ind));
		free(ind);
	}
	atomic_store_explicit(&r->tail, tail + len, memory_order_release);
}

static uint64_t
entry_seq(const uint8_t *p)
{
	uint64_t s;

	memcpy(&s, p + 8, 8);
	return s;
}

/* Ring i: 1 = the record 'seq' is at its tail (filled), 0 = not. */
static int
try_ring(int i, uint64_t seq, struct ctl_feed_rec *out)
{
	struct feed_ring *r = atomic_load_explicit(&rings[i], memory_order_acquire);
	uint8_t *p;

	while ((p = ring_peek(r)) != NULL) {
		uint64_t s = entry_seq(p);
		uint32_t kind, ncmds, body_len;

		if (s < seq) {		/* drawn before we started: drop */
			ring_pop(r, p);
			continue;
		}
		if (s != seq)
			return 0;
		memcpy(&kind, p + 4, 4);
		memcpy(&ncmds, p + 16, 4);
		memcpy(&body_len, p + 20, 4);
		out->seq = s;
		out->ncmds = ncmds;
		out->body_len = body_len;
		if (kind == FEED_INDIRECT)
			memcpy(&out->body, p + FEED_HDR, sizeof(out->body));
		else
			out->body = p + FEED_HDR;
		last_ring = i;
		return 1;
	}
	return 0;
}

int
ctl_feed_take(uint64_t seq, struct ctl_feed_rec *out)
{
	int n = atomic_load_explicit(&nrings, memory_order_acquire);

	if (last_ring < n && try_ring(last_ring, seq, out))
		return 1;
	for (int i = 0; i < n; i++)
		if (i != last_ring && try_ring(i, seq, out))
			return 1;
	return 0;
}

void
ctl_feed_release(struct ctl_feed_rec *rec)
{
	struct feed_ring *r = atomic_load(&rings[last_ring]);
	uint8_t *p = ring_peek(r);

	if (p != NULL && entry_seq(p) == rec->seq)
		ring_pop(r, p);
}

size_t
ctl_feed_pending(void)
{
	int n = atomic_load(&nrings);
	size_t sum = 0;

	for (int i = 0; i < n; i++) {
		struct feed_ring *r = atomic_load(&rings[i]);

		sum += atomic_load(&r->head) - atomic_load(&r->tail);
	}
	return sum;
}

void
ctl_feed_reset(void)
{
	int n = atomic_load(&nrings);

	for (int i = 0; i < n; i++) {
		struct feed_ring *r = atomic_load(&rings[i]);
		uint8_t *p;

		while ((p = ring_peek(r)) != NULL)
			ring_pop(r, p);
	}
}
