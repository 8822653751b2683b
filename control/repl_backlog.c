/*
 * repl_backlog.c -- the replication backlog: a ring of the last
 * repl-backlog-size stream bytes (repl.h).
 *
 * Call chain: writer (the replication core, or the master link on a
 * replica) -> ctl_backlog_append; readers (data cores pumping replicas,
 * PSYNC) -> ctl_backlog_read.
 *
 * Writers are serialised by a spinlock.  Readers take no lock: the writer
 * first announces how far it is about to write ('reserve', then a release
 * fence), copies, and then publishes the new end (release).  A reader
 * loads the end (acquire), copies, and after an acquire fence reloads
 * 'reserve': if the bytes it copied may have been overwritten meanwhile
 * (they lie before reserve - size + 1) the copy is discarded and -ERANGE
 * returned -- the seqlock argument, with a monotonic counter.
 *
 * Offsets are Redis's: the first stream byte after creation is
 * first = master_repl_offset + 1; the ring holds bytes
 * [max(first, end - size + 1), end].  A ring is freed at shutdown
 * (ctl_backlog_free), or, once retired (ctl_backlog_retire: TTL, a
 * replica's full sync) and 64 newer rings were retired after it, after an
 * RCU grace period: readers may race with anything else.
 */
#include "repl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "reclaim.h"

struct backlog {
	unsigned char *buf;
	long long size;
	long long start;		/* offset of the first byte ever put in */
	_Atomic long long end;		/* offset of the last byte (published) */
	_Atomic long long reserve;	/* end the writer is writing up to */
	pthread_spinlock_t lock;
};

static struct backlog *_Atomic backlog;

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

int
ctl_backlog_create(long long size)
{
	struct backlog *b;

	if (atomic_load(&backlog) != NULL)
		return 0;
	if (size <= 0)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->buf = malloc((size_t)size);
	if (b->buf == NULL) {
		free(b);
		return -ENOMEM;
	}
	b->size = size;
	b->start = atomic_load(&ctl_repl.master_repl_offset) + 1;
	atomic_store(&b->end, b->start - 1);
	atomic_store(&b->reserve, b->start - 1);
	pthread_spin_init(&b->lock, PTHREAD_PROCESS_PRIVATE);
	atomic_store_explicit(&backlog, b, memory_order_release);
	return 0;
}

bool
ctl_backlog_exists(void)
{
	return atomic_load_explicit(&backlog, memory_order_acquire) != NULL;
}

void
ctl_backlog_append(const void *p, size_t n)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);
	const unsigned char *s = p;
	long long end;

	if (b == NULL || n == 0)
		return;
	pthread_spin_lock(&b->lock);
	end = atomic_load_explicit(&b->end, memory_order_relaxed);
	/* only the last 'size' bytes can survive */
	if ((long long)n > b->size) {
		end += (long long)n - b->size;
		s += n - (size_t)b->size;
		n = (size_t)b->size;
	}
	atomic_store_explicit(&b->reserve, end + (long long)n,
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	{
		size_t pos = (size_t)((end + 1 - b->start) % b->size);
		size_t first = (size_t)b->size - pos;

		if (first > n)
			first = n;
		racy_store(b->buf + pos, s, first);
		if (n > first)
			racy_store(b->buf, s + first, n - first);
	}
	atomic_store_explicit(&b->end, end + (long long)n, memory_order_release);
	atomic_store_explicit(&ctl_repl.master_repl_offset, end + (long long)n,
			      memory_order_release);
	pthread_spin_unlock(&b->lock);
}

long
ctl_backlog_read(long long off, void *buf, size_t n)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);
	long long end, lo, reserve;
	size_t pos, first;

	if (b == NULL)
		return -ERANGE;
	end = atomic_load_explicit(&b->end, memory_order_acquire);
	lo = end - b->size + 1;
	if (lo < b->start)
		lo = b->start;
	if (off < lo)
		return -ERANGE;
	if (off > end)
		return 0;
	if ((long long)n > end - off + 1)
		n = (size_t)(end - off + 1);
	pos = (size_t)((off - b->start) % b->size);
	first = (size_t)b->size - pos;
	if (first > n)
		first = n;
	racy_copy(buf, b->buf + pos, first);
	if (n > first)
		racy_copy((char *)buf + first, b->buf, n - first);
	atomic_thread_fence(memory_order_acquire);
	reserve = atomic_load_explicit(&b->reserve, memory_order_relaxed);
	if (off < reserve - b->size + 1)
		return -ERANGE;
	return (long)n;
}

/* The offsets of the first and last bytes b still holds. */
static void
backlog_span(const struct backlog *b, long long *lo, long long *end)
{
	*end = atomic_load_explicit(&b->end, memory_order_acquire);
	*lo = *end - b->size + 1;
	if (*lo < b->start)
		*lo = b->start;
}

long long
ctl_backlog_first_byte(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);
	long long end, lo;

	if (b == NULL)
		return 0;
	backlog_span(b, &lo, &end);
	return lo;
}

long long
ctl_backlog_histlen(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);
	long long end, lo;

	if (b == NULL)
		return 0;
	backlog_span(b, &lo, &end);
	return end - lo + 1;
}

long long
ctl_backlog_size(void)
{
	struct backlog *b = atomic_load_explicit(&backlog, memory_order_acquire);

	return b ? b->size : 0;
}

/* Backlogs dropped by ctl_backlog_retire: lock-free readers may still be
 * copying from them.  The last RETIRED_MAX are kept until shutdown; an
 * older one is freed after an RCU grace period (every reader is a
 * registered polling core reading between two quiescent states). */
#define RETIRED_MAX 64
static struct backlog *retired[RETIRED_MAX];
static int nretired;

static void
backlog_destroy(void *p)
{
	struct backlog *b = p;

	pthread_spin_destroy(&b->lock);
	free(b->buf);
	free(b);
}

int
ctl_backlog_retire(void)
{
	struct backlog *b;

	b = atomic_exchange(&backlog, NULL);
	if (b == NULL)
		return 0;
	/* a writer inside append finishes on the old ring */
	pthread_spin_lock(&b->lock);
	pthread_spin_unlock(&b->lock);
	if (nretired == RETIRED_MAX) {
		st_defer_free(backlog_destroy, retired[0]);
		memmove(retired, retired + 1,
			(RETIRED_MAX - 1) * sizeof(retired[0]));
		nretired--;
	}
	retired[nretired++] = b;
	return 0;
}

void
ctl_backlog_free(void)
{
	struct backlog *b = atomic_exchange(&backlog, NULL);

	while (nretired > 0)
		backlog_destroy(retired[--nretired]);
	if (b != NULL)
		backlog_destroy(b);
}
