/*
 * repl_backlog.c -- the replication backlog: a ring of stream bytes that
 * holds at least the last repl-backlog-size of them (repl.h).
 *
 * Call chain: writer (the replication core, or the master link on a
 * replica) -> ctl_backlog_append [-> pin function (repl_master.c:
 * ctl_replicas_min_needed, the registry walk) -> grow / shrink the ring];
 * readers (data cores pumping replicas, PSYNC, INFO) -> ctl_backlog_read,
 * ctl_backlog_first_byte / histlen / size.
 *
 * Writers are serialised by a mutex (wlock).  Readers take no lock: the
 * writer first announces how far it is about to write ('reserve', then a
 * release fence), copies, and then publishes the new end (release).  A
 * reader loads the end (acquire), copies, and after an acquire fence
 * reloads 'reserve': if the bytes it copied may have been overwritten
 * meanwhile (they lie before reserve - cap + 1) the copy is discarded and
 * -ERANGE returned -- the seqlock argument, with a monotonic counter.
 *
 * Logical and physical size.  The *logical* backlog is what Redis reports
 * and what PSYNC may continue from: the last repl-backlog-size bytes
 * (ring->lo .. end; INFO repl_backlog_first_byte_offset / histlen).  The
 * *physical* ring ('cap') is larger: logical + slack (so a replica PSYNC
 * just accepted is not overwritten before the writer sees it registered),
 * and more while a connected replica still needs older bytes: before an
 * append would overwrite an offset a replica within its output limit
 * (client-output-buffer-limit replica hard limit) has not sent yet, the
 * writer allocates a bigger ring (at least double), copies the live span
 * into it and publishes it; once the ring is twice its normal size or
 * more and what replicas still need fits in half the normal size, it
 * shrinks back.  The old ring is freed
 * after an RCU grace period (st_defer_free): readers are registered QSBR
 * threads that may still copy from it, and it is never written again, so
 * what they copy from it stays valid.  Redis keeps such bytes in each
 * replica's output buffer; here one ring serves all replicas.
 *
 * CONFIG SET repl-backlog-size resizes the live backlog (Redis's
 * resizeReplicationBacklog): the newest min(histlen, new size) bytes stay.
 * The writer lock applies it as soon as anyone looks (the next append, or
 * INFO / PSYNC reading the size) -- the store's config has no hooks.
 *
 * Offsets are Redis's: the first stream byte after creation is
 * first = master_repl_offset + 1.  A ring holds bytes
 * [max(start, end - cap + 1), end] ('start': the first offset copied into
 * it).  A backlog ends at shutdown (ctl_backlog_free), or when retired
 * (ctl_backlog_retire: TTL, a replica's full sync); the last 64 retired are
 * kept, older ones are freed after an RCU grace period.
 */
#include "repl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "reclaim.h"

struct backlog {
	unsigned char *buf;
	long long cap;			/* physical bytes */
	long long start;		/* first offset this ring was given */
	_Atomic long long end;		/* offset of the last byte (published) */
	_Atomic long long reserve;	/* end the writer is writing up to */
	_Atomic long long lo;		/* logical first byte (PSYNC, INFO) */
	_Atomic long long logical;	/* repl-backlog-size in force */
	_Atomic long long cfg_seen;	/* CTL_CFG(repl_backlog_size) applied */
};

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static struct backlog *_Atomic backlog;
static _Atomic(ctl_backlog_pin_fn) pin_fn = ctl_replicas_min_needed;

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

/* The first offset b physically holds when its end is 'end'. */
static long long
phys_lo(const struct backlog *b, long long end)
{
	return llmax(b->start, end - b->cap + 1);
}

static struct backlog *
ring_new(long long cap, long long first, long long end)
{
	struct backlog *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->buf = malloc((size_t)cap);
	if (b->buf == NULL) {
		free(b);
		return NULL;
	}
	b->cap = cap;
	b->start = first;
	atomic_store(&b->end, end);
	atomic_store(&b->reserve, end);
	return b;
}

static void
backlog_destroy(void *p)
{
	struct backlog *b = p;

	free(b->buf);
	free(b);
}

/* Under wlock: replace b by a ring of 'cap' bytes holding b's newest
 * bytes, leaving room for 'room' more (an append about to happen) when
 * that does not cost bytes a pin needs (the caller sized cap for that).
 * Publishes it and retires b after a grace period; returns the new ring,
 * or b when out of memory (the caller then overwrites, as before). */
static struct backlog *
ring_refit_locked(struct backlog *b, long long cap, long long room)
{
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);
	long long have = end - phys_lo(b, end) + 1;
	long long keep = cap - room < have ? cap - room : have;
	struct backlog *nb;

	if (keep < 0)
		keep = 0;
	nb = ring_new(cap, end - keep + 1, end);
	if (nb == NULL) {
		fprintf(stderr, "ferryd: replication backlog: cannot allocate "
			"%lld bytes; lagging replicas may have to resync\n", cap);
		return b;
	}
	/* the old ring is not written meanwhile: plain copies */
	for (long long off = end - keep + 1, done = 0; done < keep;) {
		size_t pos = (size_t)((off - b->start) % b->cap);
		size_t n = (size_t)(b->cap - (long long)pos);

		if ((long long)n > keep - done)
			n = (size_t)(keep - done);
		memcpy(nb->buf + done, b->buf + pos, n);
		done += (long long)n;
		off += (long long)n;
	}
	atomic_store(&nb->lo, atomic_load(&b->lo));
	atomic_store(&nb->logical, atomic_load(&b->logical));
	atomic_store(&nb->cfg_seen, atomic_load(&b->cfg_seen));
	atomic_store_explicit(&backlog, nb, memory_order_release);
	st_defer_free(backlog_destroy, b);
	return nb;
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
 * the normal size.  Returns
 * the ring to write to. */
static struct backlog *
ring_fit_locked(struct backlog *b, long long n)
{
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);
	long long logical = atomic_load(&b->logical);
	long long target = target_for(logical), plo;
	long long pin, need, req;
	bool overwrites, shrinkable;

	if (b->cap < target)	/* a bigger repl-backlog-size: keep all */
		b = ring_refit_locked(b, llmax(target, 2 * b->cap), 0);
	plo = phys_lo(b, end);
	overwrites = end + n - plo + 1 > b->cap;
	shrinkable = b->cap >= 2 * target;
	if (!overwrites && !shrinkable)
		return b;
	pin = pinned_from(plo, end + n);
	/* a replica caught up (pin = end + 1) needs all of the new bytes */
	need = pin <= end + n ? end + n - pin + 1 : 0;
	req = llmax(target, need);
	if (req > b->cap)
		return ring_refit_locked(b, llmax(2 * b->cap,
						  req + slack_for(logical)), n);
	/* hysteresis: back to the normal size only once the pinned span
	 * fits in half of it, so a lag hovering around it does not copy the
	 * ring back and forth */
	if (shrinkable && need <= target / 2)
		return ring_refit_locked(b, target, n);
	return b;
}

/* Under wlock: a new logical size; the newest min(histlen, size) bytes
 * stay in the logical backlog. */
static struct backlog *
resize_locked(struct backlog *b, long long size)
{
	long long end = atomic_load_explicit(&b->end, memory_order_relaxed);

	atomic_store(&b->logical, size);
	if (atomic_load(&b->lo) < end - size + 1)
		atomic_store(&b->lo, end - size + 1);
	return ring_fit_locked(b, 0);
}

/* Under wlock: apply a CONFIG SET repl-backlog-size not applied yet. */
static struct backlog *
apply_cfg_locked(struct backlog *b)
{
	long long cfg = CTL_CFG(repl_backlog_size);

	if (b == NULL || cfg <= 0 || cfg == atomic_load(&b->cfg_seen))
		return b;
	atomic_store(&b->cfg_seen, cfg);
	return resize_locked(b, cfg);
}

/* The ring, with a pending CONFIG SET applied first (metadata readers). */
static struct backlog *
current(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	if (b != NULL && CTL_CFG(repl_backlog_size) > 0 &&
	    CTL_CFG(repl_backlog_size) != atomic_load(&b->cfg_seen)) {
		pthread_mutex_lock(&wlock);
		b = apply_cfg_locked(atomic_load(&backlog));
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
	b = ring_new(target_for(size), first, first - 1);
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
	long long end;

	if (n == 0)
		return;
	pthread_mutex_lock(&wlock);
	b = apply_cfg_locked(atomic_load(&backlog));
	if (b == NULL)
		goto out;
	b = ring_fit_locked(b, (long long)n);
	end = atomic_load_explicit(&b->end, memory_order_relaxed);
	/* only the last 'cap' bytes can survive (nothing pinned needs more:
	 * ring_fit_locked grew the ring otherwise) */
	if ((long long)n > b->cap) {
		end += (long long)n - b->cap;
		s += n - (size_t)b->cap;
		n = (size_t)b->cap;
	}
	atomic_store_explicit(&b->reserve, end + (long long)n,
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	{
		size_t pos = (size_t)((end + 1 - b->start) % b->cap);
		size_t first = (size_t)b->cap - pos;

		if (first > n)
			first = n;
		racy_store(b->buf + pos, s, first);
		if (n > first)
			racy_store(b->buf, s + first, n - first);
	}
	end += (long long)n;
	if (atomic_load(&b->lo) < end - atomic_load(&b->logical) + 1)
		atomic_store(&b->lo, end - atomic_load(&b->logical) + 1);
	atomic_store_explicit(&b->end, end, memory_order_release);
	atomic_store_explicit(&ctl_repl.master_repl_offset, end,
			      memory_order_release);
out:
	pthread_mutex_unlock(&wlock);
}

long
ctl_backlog_read(long long off, void *buf, size_t n)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);
	long long end, reserve;
	size_t pos, first;

	if (b == NULL)
		return -ERANGE;
	end = atomic_load_explicit(&b->end, memory_order_acquire);
	if (off < phys_lo(b, end))
		return -ERANGE;
	if (off > end)
		return 0;
	if ((long long)n > end - off + 1)
		n = (size_t)(end - off + 1);
	pos = (size_t)((off - b->start) % b->cap);
	first = (size_t)b->cap - pos;
	if (first > n)
		first = n;
	racy_copy(buf, b->buf + pos, first);
	if (n > first)
		racy_copy((char *)buf + first, b->buf, n - first);
	atomic_thread_fence(memory_order_acquire);
	reserve = atomic_load_explicit(&b->reserve, memory_order_relaxed);
	if (off < reserve - b->cap + 1)
		return -ERANGE;
	return (long)n;
}

/* The offsets of the first and last bytes of b's logical backlog. */
static void
backlog_span(const struct backlog *b, long long *lo, long long *end)
{
	*end = atomic_load_explicit(&b->end, memory_order_acquire);
	*lo = llmax(atomic_load(&b->lo), *end - atomic_load(&b->logical) + 1);
	*lo = llmax(*lo, phys_lo(b, *end));
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

	return b ? b->cap : 0;
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
