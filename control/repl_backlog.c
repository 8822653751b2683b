/*
 * repl_backlog.c -- the replication backlog: a ring of stream bytes that
 * holds at least the last repl-backlog-size of them (repl.h), kept in
 * fixed-size chunks so that it grows and shrinks without copying.
 *
 * Call chain: writer (the replication core, or the master link on a
 * replica) -> ctl_backlog_append [-> pin function (repl_master.c:
 * ctl_replicas_min_needed, the registry walk) -> remap the chunk table
 * (grow / shrink)] -> chunk-by-chunk stores; readers (data cores pumping
 * replicas, PSYNC, INFO) -> ctl_backlog_read, ctl_backlog_first_byte /
 * histlen / size.
 *
 * Layout.  A backlog instance has a fixed first offset 'base' and a fixed
 * chunk size C (a power of two chosen at creation: the smallest one >=
 * a quarter of the physical target, clamped to [4 KiB, 256 KiB]).  Its
 * bytes live in a table of n chunks of C bytes (cap = n * C): byte 'off'
 * is in chunk index gi = (off - base) / C, table slot gi % n, at
 * (off - base) % C.  That is exactly a flat ring of cap bytes at position
 * (off - base) % cap, so a table holds [max(start, end - cap + 1), end]
 * ('start': the first offset copied into it) as the flat ring did.
 *
 * Writers are serialised by a mutex (wlock).  Readers take no lock: the
 * writer first announces how far it is about to write ('reserve', then a
 * release fence), stores, and then publishes the new end (release).  A
 * reader loads the end (acquire), then the table (acquire), copies, and
 * after an acquire fence reloads 'reserve' and the table: if the table
 * changed it starts over (see ctl_backlog_read), else if the bytes it
 * copied may have been overwritten meanwhile (they lie before
 * reserve - cap + 1) the copy is discarded and -ERANGE returned -- the
 * seqlock argument, with a monotonic counter.
 *
 * Logical and physical size.  The *logical* backlog is what Redis reports
 * and what PSYNC may continue from: the last repl-backlog-size bytes
 * (b->lo .. end; INFO repl_backlog_first_byte_offset / histlen).  The
 * *physical* table ('cap') is larger: logical + slack (so a replica PSYNC
 * just accepted is not overwritten before the writer sees it registered),
 * and more while a connected replica still needs older bytes: before an
 * append would overwrite an offset a replica within its output limit
 * (client-output-buffer-limit replica hard limit) has not sent yet, the
 * writer remaps to a bigger table (at least double); once it is twice its
 * normal size or more and what replicas still need fits in half the
 * normal size, it remaps back.  Redis keeps such bytes in each replica's
 * output buffer; here one backlog serves all replicas.
 *
 * Remap (table_remap_locked).  The new table of m slots keeps the newest
 * bytes [L, end]: each of their chunks moves, pointer only, from old slot
 * gi % n to new slot gi % m.  Only the oldest, partial chunk gi(L) can
 * collide -- with gi(end) in the old table (they shared a slot: the old
 * ring was full) or in the new one (gi(end) - gi(L) == m) -- and is then
 * copied into a fresh chunk (with gi(end)'s head in the second case):
 * at most C bytes per remap, where the flat ring copied the whole live
 * span under wlock (115 ms for 176 MB) while the data cores waited.
 * Empty slots get the old chunks the new table does not use, then fresh
 * ones; old chunks are never written during a remap.  The new table is
 * published (release) before any byte is written through it; the old
 * table struct and the chunks left over are freed after an RCU grace
 * period (readers are registered QSBR threads that may still copy from
 * them).  A reused chunk may be rewritten through the new table while a
 * reader still copies from it through the old one: the reader's table
 * reload catches that (ctl_backlog_read).
 *
 * CONFIG SET repl-backlog-size resizes the live backlog (Redis's
 * resizeReplicationBacklog): the newest min(histlen, new size) bytes stay.
 * The writer lock applies it as soon as anyone looks (the next append, or
 * INFO / PSYNC reading the size) -- the store's config has no hooks.
 *
 * Offsets are Redis's: the first stream byte after creation is
 * first = master_repl_offset + 1 (= base).  A backlog ends at shutdown
 * (ctl_backlog_free), or when retired (ctl_backlog_retire: TTL, a
 * replica's full sync); the last 64 retired are kept, older ones are
 * freed after an RCU grace period.
 *
 * Memory: plain malloc, like the flat ring before it (the backlog is not
 * part of the keyspace's used_memory).
 */
#include "repl.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "reclaim.h"

#define BL_CHUNK_MIN	(4LL << 10)
#define BL_CHUNK_MAX	(256LL << 10)
/* Attempts of one lock-free read before it answers "nothing now". */
#define BL_READ_TRIES	16

/* n chunks of C bytes each, every one distinct; immutable once
 * published (the writer stores into the chunks, never into the table). */
struct bl_table {
	long long n;			/* slots */
	long long start;		/* first offset copied into this table */
	unsigned char *chunk[];
};

struct backlog {
	long long base;			/* offset of the instance's first byte */
	long long csize;		/* C: bytes per chunk, a power of two */
	_Atomic(struct bl_table *) tab;	/* the live table (release) */
	_Atomic long long end;		/* offset of the last byte (published) */
	_Atomic long long reserve;	/* end the writer is writing up to */
	_Atomic long long lo;		/* logical first byte (PSYNC, INFO) */
	_Atomic long long logical;	/* repl-backlog-size in force */
	_Atomic long long cfg_seen;	/* CTL_CFG(repl_backlog_size) applied */
};

/* Chunks a remap left over, freed together after a grace period. */
struct bl_spares {
	long long n;
	unsigned char *chunk[];
};

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static struct backlog *_Atomic backlog;
static _Atomic(ctl_backlog_pin_fn) pin_fn = ctl_replicas_min_needed;

/* ctl_backlog_set_read_hook (tests). */
static _Atomic(ctl_backlog_read_hook_fn) read_hook;
/* ctl_backlog_get_stats: since process start, all instances. */
static _Atomic long long stat_remaps;
static _Atomic long long stat_copied;
/* A failed remap is logged once until one succeeds again. */
static bool remap_failed_logged;

#if defined(__SANITIZE_THREAD__)
#define BL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BL_TSAN 1
#endif
#endif

#ifdef BL_TSAN
/* Uninstrumented byte loops: the race is intended and validated; memcpy
 * would be intercepted (and reported) by TSan. */
#define BL_NO_TSAN __attribute__((no_sanitize("thread"), noinline))
#else
#define BL_NO_TSAN
#endif

/* The racy copy the validation makes safe (a seqlock's data read). */
static BL_NO_TSAN void
racy_copy(void *dst, const void *src, size_t n)
{
#ifdef BL_TSAN
	volatile const unsigned char *s = src;
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
#else
	memcpy(dst, src, n);
#endif
}

static BL_NO_TSAN void
racy_store(void *dst, const void *src, size_t n)
{
#ifdef BL_TSAN
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
#else
	memcpy(dst, src, n);
#endif
}

/* Physical bytes kept beyond the logical size. */
static long long
slack_for(long long logical)
{
	return logical / 4 + (64 << 10);
}

static long long
target_for(long long logical)
{
	return logical + slack_for(logical);
}

static long long
llmax(long long a, long long b)
{
	return a > b ? a : b;
}

static long long
llmin(long long a, long long b)
{
	return a < b ? a : b;
}

/* The chunk size for an instance whose physical target is 'target'. */
static long long
chunk_size_for(long long target)
{
	long long c = BL_CHUNK_MIN;

	while (c < BL_CHUNK_MAX && c < (target + 3) / 4)
		c <<= 1;
	return c;
}

static long long
tab_cap(const struct backlog *b, const struct bl_table *t)
{
	return t->n * b->csize;
}

/* The first offset t physically holds when the end is 'end'. */
static long long
phys_lo(const struct backlog *b, const struct bl_table *t, long long end)
{
	return llmax(t->start, end - tab_cap(b, t) + 1);
}

/* Chunk index of offset 'off' (>= base). */
static long long
chunk_index(const struct backlog *b, long long off)
{
	return (off - b->base) / b->csize;
}

/* Where offset 'off' lives in t: the chunk, and '*within' it. */
static unsigned char *
chunk_of(const struct backlog *b, const struct bl_table *t, long long off,
	 size_t *within)
{
	*within = (size_t)((off - b->base) & (b->csize - 1));
	return t->chunk[chunk_index(b, off) % t->n];
}

static struct bl_table *
table_alloc(long long n)
{
	struct bl_table *t = calloc(1, sizeof(*t) +
				   (size_t)n * sizeof(t->chunk[0]));

	if (t != NULL)
		t->n = n;
	return t;
}

static void
chunks_free(unsigned char **chunk, long long n)
{
	for (long long i = 0; i < n; i++)
		free(chunk[i]);
}

/* Frees t's chunks and t (nothing may read it any more). */
static void
table_destroy(struct bl_table *t)
{
	chunks_free(t->chunk, t->n);
	free(t);
}

static void
spares_free(void *p)
{
	struct bl_spares *s = p;

	chunks_free(s->chunk, s->n);
	free(s);
}

static void
backlog_destroy(void *p)
{
	struct backlog *b = p;

	table_destroy(atomic_load_explicit(&b->tab, memory_order_relaxed));
	free(b);
}

/* A new instance: first byte 'first', cap >= target (fresh chunks). */
static struct backlog *
backlog_new(long long target, long long first)
{
	struct backlog *b = calloc(1, sizeof(*b));
	struct bl_table *t;

	if (b == NULL)
		return NULL;
	b->base = first;
	b->csize = chunk_size_for(target);
	t = table_alloc((target + b->csize - 1) / b->csize);
	if (t == NULL) {
		free(b);
		return NULL;
	}
	t->start = first;
	for (long long i = 0; i < t->n; i++) {
		t->chunk[i] = malloc((size_t)b->csize);
		if (t->chunk[i] == NULL) {
			table_destroy(t);
			free(b);
			return NULL;
		}
	}
	atomic_store(&b->tab, t);
	atomic_store(&b->end, first - 1);
	atomic_store(&b->reserve, first - 1);
	return b;
}

/* Under wlock: replace b's table by one of ceil(want / C) slots holding
 * b's newest bytes, leaving room for 'room' more (an append about to
 * happen) when that does not cost bytes a pin needs (the caller sized
 * 'want' for that).  Moves chunk pointers; copies at most C bytes (the
 * oldest kept chunk when it collides, see the file comment).  Publishes
 * the new table and frees the old one and the unused chunks after a grace
 * period.  0, or -ENOMEM with b unchanged (logged; later appends then
 * overwrite, as when nothing pins). */
static int
table_remap_locked(struct backlog *b, long long want, long long room)
{
	struct bl_table *ot = atomic_load_explicit(&b->tab, memory_order_relaxed);
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);
	const long long C = b->csize, n = ot->n;
	long long m = llmax(1, (want + C - 1) / C);
	long long have = llmax(0, end - phys_lo(b, ot, end) + 1);
	long long keep = llmax(0, llmin(have, m * C - room));
	long long L = end - keep + 1, copied = 0, nspare = 0, si = 0;
	struct bl_table *nt = table_alloc(m);
	struct bl_spares *sp = NULL;
	/* taken[i]: old slot i's chunk stays; fresh[j]: new slot j's chunk
	 * was allocated here (freed again on failure) */
	unsigned char *taken = calloc((size_t)(n + m), 1);
	unsigned char *fresh = NULL;

	if (nt == NULL || taken == NULL)
		goto fail;
	fresh = taken + n;
	nt->start = keep > 0 ? L : end + 1;
	if (keep > 0) {
		long long ge = chunk_index(b, end), gl = chunk_index(b, L);

		/* newest first, so gi(end) is placed when gi(L) collides */
		for (long long g = ge; g >= gl; g--) {
			long long os = g % n, ns = g % m;
			bool shared_old = g == gl && g != ge && ge - gl == n;
			bool shared_new = g == gl && g != ge && ge - gl == m;
			unsigned char *c;
			size_t wl, we;

			if (!shared_old && !shared_new) {
				nt->chunk[ns] = ot->chunk[os];
				taken[os] = 1;
				continue;
			}
			/* gi(L)'s bytes [L, chunk end] into a fresh chunk */
			c = malloc((size_t)C);
			if (c == NULL)
				goto fail;
			wl = (size_t)((L - b->base) & (C - 1));
			memcpy(c + wl, ot->chunk[os] + wl, (size_t)C - wl);
			copied += C - (long long)wl;
			if (shared_new) {
				/* and gi(end)'s head [chunk start, end]
				 * (keep <= m * C: the two do not overlap);
				 * gi(end)'s old chunk becomes a spare */
				we = (size_t)((end - b->base) & (C - 1));
				memcpy(c, nt->chunk[ns], we + 1);
				copied += (long long)we + 1;
				taken[ge % n] = 0;
			}
			nt->chunk[ns] = c;
			fresh[ns] = 1;
		}
	}
	/* empty slots: the old chunks not kept, then fresh ones */
	for (long long j = 0; j < m; j++) {
		if (nt->chunk[j] != NULL)
			continue;
		while (si < n && taken[si])
			si++;
		if (si < n) {
			nt->chunk[j] = ot->chunk[si];
			taken[si++] = 1;
			continue;
		}
		nt->chunk[j] = malloc((size_t)C);
		if (nt->chunk[j] == NULL)
			goto fail;
		fresh[j] = 1;
	}
	for (long long i = 0; i < n; i++)
		nspare += !taken[i];
	if (nspare > 0) {
		sp = malloc(sizeof(*sp) + (size_t)nspare * sizeof(sp->chunk[0]));
		if (sp == NULL)
			goto fail;
		sp->n = 0;
		for (long long i = 0; i < n; i++)
			if (!taken[i])
				sp->chunk[sp->n++] = ot->chunk[i];
	}
	free(taken);
	/* readers that load this table see its chunks' kept bytes (the
	 * copies above happen before) */
	atomic_store_explicit(&b->tab, nt, memory_order_release);
	st_defer_free(free, ot);
	if (sp != NULL)
		st_defer_free(spares_free, sp);
	atomic_fetch_add_explicit(&stat_remaps, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&stat_copied, copied, memory_order_relaxed);
	remap_failed_logged = false;
	return 0;
fail:
	if (nt != NULL) {
		for (long long j = 0; j < m; j++)
			if (fresh != NULL && fresh[j])
				free(nt->chunk[j]);
		free(nt);
	}
	free(taken);
	if (!remap_failed_logged)
		fprintf(stderr, "ferryd: replication backlog: cannot allocate "
			"%lld bytes; lagging replicas may have to resync\n",
			m * C);
	remap_failed_logged = true;
	return -ENOMEM;
}

/* Under wlock: the smallest offset >= floor a replica still needs, with
 * the end at 'end' (LLONG_MAX: none). */
static long long
pinned_from(long long floor, long long end)
{
	ctl_backlog_pin_fn fn = atomic_load(&pin_fn);

	return fn ? fn(floor, end) : LLONG_MAX;
}

/* Under wlock: fit b's physical size to its logical size and the pins,
 * with 'n' bytes about to be appended: grow when the append would
 * overwrite a pinned byte (or the logical size needs more room), shrink
 * when at twice the normal size or more and what is pinned fits in half
 * the normal size. */
static void
backlog_fit_locked(struct backlog *b, long long n)
{
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);
	long long logical = atomic_load(&b->logical);
	long long target = target_for(logical), plo, cap;
	long long pin, need, req;
	struct bl_table *t;
	bool overwrites, shrinkable;

	t = atomic_load_explicit(&b->tab, memory_order_relaxed);
	if (tab_cap(b, t) < target)	/* a bigger repl-backlog-size: keep all */
		table_remap_locked(b, llmax(target, 2 * tab_cap(b, t)), 0);
	t = atomic_load_explicit(&b->tab, memory_order_relaxed);
	cap = tab_cap(b, t);
	plo = phys_lo(b, t, end);
	overwrites = end + n - plo + 1 > cap;
	shrinkable = cap >= 2 * target;
	if (!overwrites && !shrinkable)
		return;
	pin = pinned_from(plo, end + n);
	/* a replica caught up (pin = end + 1) needs all of the new bytes */
	need = pin <= end + n ? end + n - pin + 1 : 0;
	req = llmax(target, need);
	if (req > cap) {
		table_remap_locked(b, llmax(2 * cap, req + slack_for(logical)),
				   n);
		return;
	}
	/* hysteresis: back to the normal size only once the pinned span
	 * fits in half of it, so a lag hovering around it does not remap
	 * back and forth */
	if (shrinkable && need <= target / 2)
		table_remap_locked(b, target, n);
}

/* Under wlock: a new logical size; the newest min(histlen, size) bytes
 * stay in the logical backlog. */
static void
resize_locked(struct backlog *b, long long size)
{
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);

	atomic_store(&b->logical, size);
	if (atomic_load(&b->lo) < end - size + 1)
		atomic_store(&b->lo, end - size + 1);
	backlog_fit_locked(b, 0);
}

/* Under wlock: apply a CONFIG SET repl-backlog-size not applied yet. */
static void
apply_cfg_locked(struct backlog *b)
{
	long long cfg = CTL_CFG(repl_backlog_size);

	if (b == NULL || cfg <= 0 || cfg == atomic_load(&b->cfg_seen))
		return;
	atomic_store(&b->cfg_seen, cfg);
	resize_locked(b, cfg);
}

/* The backlog, with a pending CONFIG SET applied first (metadata
 * readers). */
static struct backlog *
current(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	if (b != NULL && CTL_CFG(repl_backlog_size) > 0 &&
	    CTL_CFG(repl_backlog_size) != atomic_load(&b->cfg_seen)) {
		pthread_mutex_lock(&wlock);
		b = atomic_load(&backlog);
		apply_cfg_locked(b);
		pthread_mutex_unlock(&wlock);
	}
	return b;
}

void
ctl_backlog_set_pin_fn(ctl_backlog_pin_fn fn)
{
	atomic_store(&pin_fn, fn ? fn : ctl_replicas_min_needed);
}

int
ctl_backlog_create(long long size)
{
	struct backlog *b;
	long long first;
	int rc = 0;

	if (size <= 0)
		return -EINVAL;
	pthread_mutex_lock(&wlock);
	if (atomic_load(&backlog) != NULL)
		goto out;
	first = atomic_load(&ctl_repl.master_repl_offset) + 1;
	b = backlog_new(target_for(size), first);
	if (b == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	atomic_store(&b->lo, first);
	atomic_store(&b->logical, size);
	atomic_store(&b->cfg_seen, CTL_CFG(repl_backlog_size));
	atomic_store_explicit(&backlog, b, memory_order_release);
out:
	pthread_mutex_unlock(&wlock);
	return rc;
}

bool
ctl_backlog_exists(void)
{
	return atomic_load_explicit(&backlog, memory_order_acquire) != NULL;
}

int
ctl_backlog_resize(long long size)
{
	struct backlog *b;

	if (size <= 0)
		return -EINVAL;
	pthread_mutex_lock(&wlock);
	b = atomic_load(&backlog);
	if (b != NULL)
		resize_locked(b, size);
	pthread_mutex_unlock(&wlock);
	return 0;
}

void
ctl_backlog_append(const void *p, size_t n)
{
	const unsigned char *s = p;
	struct backlog *b;
	struct bl_table *t;
	long long end, cap;

	if (n == 0)
		return;
	pthread_mutex_lock(&wlock);
	b = atomic_load(&backlog);
	if (b == NULL)
		goto out;
	apply_cfg_locked(b);
	backlog_fit_locked(b, (long long)n);
	t = atomic_load_explicit(&b->tab, memory_order_relaxed);
	cap = tab_cap(b, t);
	end = atomic_load_explicit(&b->end, memory_order_relaxed);
	/* only the last 'cap' bytes can survive (nothing pinned needs more:
	 * backlog_fit_locked grew the table otherwise) */
	if ((long long)n > cap) {
		end += (long long)n - cap;
		s += n - (size_t)cap;
		n = (size_t)cap;
	}
	atomic_store_explicit(&b->reserve, end + (long long)n,
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (long long off = end + 1; n > 0;) {
		size_t w, k;
		unsigned char *c = chunk_of(b, t, off, &w);

		k = (size_t)b->csize - w;
		if (k > n)
			k = n;
		racy_store(c + w, s, k);
		s += k;
		n -= k;
		off += (long long)k;
		end = off - 1;
	}
	if (atomic_load(&b->lo) < end - atomic_load(&b->logical) + 1)
		atomic_store(&b->lo, end - atomic_load(&b->logical) + 1);
	atomic_store_explicit(&b->end, end, memory_order_release);
	atomic_store_explicit(&ctl_repl.master_repl_offset, end,
			      memory_order_release);
out:
	pthread_mutex_unlock(&wlock);
}

/*
 * Why the table reload makes the lock-free read safe.  The writer's order
 * is: publish a new table (release store of b->tab, remap only), store
 * 'reserve', release fence, store bytes through the table, publish 'end'
 * (release).  The reader's: load 'end' (acquire), load the table
 * (acquire), copy, acquire fence, load the table and 'reserve'.
 *
 * - A table loaded after 'end' covers that end: a table is published
 *   before any byte is written through it, and a later table keeps
 *   [its start, end] at the time of its remap; phys_lo() with the loaded
 *   end names what it still holds.
 * - Same table before and after: the flat-ring seqlock argument.  If the
 *   copy saw any byte stored after the writer's release fence, the fence
 *   pair makes the reload see that store's 'reserve'; bytes before
 *   reserve - cap + 1 may be torn and are refused.
 * - Table changed: a remap moves chunks between slots and hands unused
 *   ones to new offsets at once, so bytes copied through the old table
 *   may have been rewritten through the new one at offsets the old cap
 *   does not flag (after a shrink).  Any such store came after the new
 *   table's release store and after a release fence, so a copy that saw
 *   it also sees the new table on reload (fence-fence synchronisation):
 *   a copy that sees its own table again saw no byte written through a
 *   newer one.  So start over; after BL_READ_TRIES remaps in a row answer
 *   0 ("nothing now": pump_online tries again on its next iteration).
 * - No ABA on the comparison: an old table is freed only after an RCU
 *   grace period, which cannot end while this reader (a registered QSBR
 *   thread) is between two quiescent states, so no new table can be
 *   allocated at the address it loaded.  The chunks it copies from are
 *   freed the same way, so the copy never touches freed memory.
 */
long
ctl_backlog_read(long long off, void *buf, size_t n)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	if (b == NULL)
		return -ERANGE;
	for (int tries = 0; tries < BL_READ_TRIES; tries++) {
		long long end, reserve;
		struct bl_table *t, *t2;
		size_t k, done;

		end = atomic_load_explicit(&b->end, memory_order_acquire);
		t = atomic_load_explicit(&b->tab, memory_order_acquire);
		if (off < phys_lo(b, t, end))
			return -ERANGE;
		if (off > end)
			return 0;
		k = n;
		if ((long long)k > end - off + 1)
			k = (size_t)(end - off + 1);
		if (atomic_load_explicit(&read_hook, memory_order_relaxed))
			atomic_load(&read_hook)(off);
		for (done = 0; done < k;) {
			size_t w, piece;
			const unsigned char *c =
				chunk_of(b, t, off + (long long)done, &w);

			piece = (size_t)b->csize - w;
			if (piece > k - done)
				piece = k - done;
			racy_copy((char *)buf + done, c + w, piece);
			done += piece;
		}
		atomic_thread_fence(memory_order_acquire);
		t2 = atomic_load_explicit(&b->tab, memory_order_relaxed);
		reserve = atomic_load_explicit(&b->reserve, memory_order_relaxed);
		if (t2 != t)
			continue;
		if (off < reserve - tab_cap(b, t) + 1)
			return -ERANGE;
		return (long)k;
	}
	return 0;
}

/* The offsets of the first and last bytes of b's logical backlog. */
static void
backlog_span(struct backlog *b, long long *lo, long long *end)
{
	struct bl_table *t;

	*end = atomic_load_explicit(&b->end, memory_order_acquire);
	t = atomic_load_explicit(&b->tab, memory_order_acquire);
	*lo = llmax(atomic_load(&b->lo), *end - atomic_load(&b->logical) + 1);
	*lo = llmax(*lo, phys_lo(b, t, *end));
}

long long
ctl_backlog_first_byte(void)
{
	struct backlog *b = current();
	long long end, lo;

	if (b == NULL)
		return 0;
	backlog_span(b, &lo, &end);
	return lo;
}

long long
ctl_backlog_histlen(void)
{
	struct backlog *b = current();
	long long end, lo;

	if (b == NULL)
		return 0;
	backlog_span(b, &lo, &end);
	return end - lo + 1;
}

long long
ctl_backlog_size(void)
{
	struct backlog *b = current();

	return b ? atomic_load(&b->logical) : 0;
}

long long
ctl_backlog_capacity(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	return b ? tab_cap(b, atomic_load_explicit(&b->tab,
						   memory_order_acquire)) : 0;
}

void
ctl_backlog_set_read_hook(ctl_backlog_read_hook_fn fn)
{
	atomic_store(&read_hook, fn);
}

void
ctl_backlog_get_stats(struct ctl_backlog_stats *st)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	st->remaps = atomic_load_explicit(&stat_remaps, memory_order_relaxed);
	st->copied_bytes = atomic_load_explicit(&stat_copied,
						memory_order_relaxed);
	st->chunk_bytes = b ? b->csize : 0;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(unsigned char *const *)a;
	uintptr_t y = (uintptr_t)*(unsigned char *const *)b;

	return x < y ? -1 : x > y;
}

int
ctl_backlog_check(void)
{
	struct backlog *b;
	struct bl_table *t;
	unsigned char **v;
	int rc = 0;

	pthread_mutex_lock(&wlock);
	b = atomic_load(&backlog);
	if (b == NULL)
		goto out;
	t = atomic_load_explicit(&b->tab, memory_order_relaxed);
	if (b->csize < BL_CHUNK_MIN || b->csize > BL_CHUNK_MAX ||
	    (b->csize & (b->csize - 1)) != 0 || t->n < 1 ||
	    t->start < b->base) {
		rc = -EINVAL;
		goto out;
	}
	v = malloc((size_t)t->n * sizeof(*v));
	if (v == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(v, t->chunk, (size_t)t->n * sizeof(*v));
	qsort(v, (size_t)t->n, sizeof(*v), ptr_cmp);
	for (long long i = 0; i < t->n; i++)
		if (v[i] == NULL || (i > 0 && v[i] == v[i - 1]))
			rc = -EINVAL;
	free(v);
out:
	pthread_mutex_unlock(&wlock);
	return rc;
}

/* Backlogs dropped by ctl_backlog_retire: lock-free readers may still be
 * copying from them.  The last RETIRED_MAX are kept until shutdown; an
 * older one is freed after an RCU grace period (every reader is a
 * registered polling core reading between two quiescent states).  Under
 * wlock. */
#define RETIRED_MAX 64
static struct backlog *retired[RETIRED_MAX];
static int nretired;

int
ctl_backlog_retire(void)
{
	struct backlog *b;

	pthread_mutex_lock(&wlock);
	b = atomic_exchange(&backlog, NULL);
	if (b != NULL) {
		if (nretired == RETIRED_MAX) {
			st_defer_free(backlog_destroy, retired[0]);
			memmove(retired, retired + 1,
				(RETIRED_MAX - 1) * sizeof(retired[0]));
			nretired--;
		}
		retired[nretired++] = b;
	}
	pthread_mutex_unlock(&wlock);
	return 0;
}

void
ctl_backlog_free(void)
{
	struct backlog *b;

	pthread_mutex_lock(&wlock);
	b = atomic_exchange(&backlog, NULL);
	while (nretired > 0)
		backlog_destroy(retired[--nretired]);
	pthread_mutex_unlock(&wlock);
	if (b != NULL)
		backlog_destroy(b);
}
