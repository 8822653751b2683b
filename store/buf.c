/*
 * buf.c -- a growable byte buffer (see buf.h for the contract).
 *
 * Growth is geometric (the capacity at least doubles, starting at
 * BUF_MIN_CAP; a reservation bigger than that is honoured exactly) and the capacity is whatever the allocator really handed out
 * (st_alloc_size), so appends are amortised O(1).  st_buf_shrink() gives the
 * memory of a big buffer back once it is empty or nearly so, so that one
 * large request or reply does not pin megabytes per idle connection.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"

#define BUF_MIN_CAP 64
/* Buffers at most this big are never shrunk. */
#define BUF_SHRINK_MIN (32 * 1024)

void
st_buf_init(struct st_buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->ext = 0;
}

void
st_buf_free(struct st_buf *b)
{
	if (!b->ext)
		st_free(b->p);
	st_buf_init(b);
}

static void
buf_set_cap(struct st_buf *b, size_t cap)
{
	if (b->ext) {
		/* outgrew the borrowed memory: onto our own heap */
		char *p = st_malloc(cap);

		memcpy(p, b->p, b->len);
		b->p = p;
		b->ext = 0;
	} else {
		b->p = st_realloc(b->p, cap);
	}
	b->cap = st_alloc_size(b->p);
}

void
st_buf_borrow(struct st_buf *b, void *mem, size_t cap, struct st_buf *save)
{
	*save = *b;
	save->len = 0;
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->ext = 1;
}

bool
st_buf_unborrow(struct st_buf *b, struct st_buf *save, size_t *n)
{
	if (b->ext) {
		*n = b->len;
		*b = *save;
		return true;
	}
	*n = 0;
	st_buf_free(save);
	return false;
}

void
st_buf_reserve(struct st_buf *b, size_t extra)
{
	size_t need = b->len + extra;
	size_t cap;

	if (need < b->len) {
		fprintf(stderr, "ferry: st_buf_reserve: size overflow\n");
		abort();
	}
	if (need <= b->cap)
		return;
	/* At least double (amortised O(1) appends), or exactly what was
	 * asked for when that is more (one big reservation for a large bulk
	 * should not allocate twice its size). */
	if (b->cap < BUF_MIN_CAP / 2)
		cap = BUF_MIN_CAP;
	else
		cap = b->cap > SIZE_MAX / 2 ? SIZE_MAX : b->cap * 2;
	if (cap < need)
		cap = need;
	buf_set_cap(b, cap);
}

void
st_buf_append(struct st_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap)
		st_buf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
st_buf_printf(struct st_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	st_buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
st_buf_consume(struct st_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void
st_buf_shrink(struct st_buf *b)
{
	size_t cap;

	if (b->ext || b->cap <= BUF_SHRINK_MIN)
		return;
	if (b->len == 0) {
		st_buf_free(b);
		return;
	}
	/* Mostly empty: keep twice the live bytes (at least the floor). */
	if (b->len < b->cap / 4) {
		cap = b->len * 2;
		if (cap < BUF_SHRINK_MIN)
			cap = BUF_SHRINK_MIN;
		buf_set_cap(b, cap);
	}
}
