/*
 * buf.h -- a growable byte buffer (query buffers, reply buffers, scratch).
 *
 * Concurrency: none; a buffer belongs to one thread at a time.
 * Memory is accounted through st_malloc (alloc.h).
 */
#ifndef ST_BUF_H
#define ST_BUF_H

#include <stddef.h>
#include <string.h>

struct st_buf {
	char *p;
	size_t len;
	size_t cap;
};

void st_buf_init(struct st_buf *b);
void st_buf_free(struct st_buf *b);
/* Make room for 'extra' more bytes after len. */
void st_buf_reserve(struct st_buf *b, size_t extra);
void st_buf_append(struct st_buf *b, const void *p, size_t n);
/* Drop the first 'n' bytes (memmove); n <= len. */
void st_buf_consume(struct st_buf *b, size_t n);
/* Release memory if the buffer is large and (mostly) empty. */
void st_buf_shrink(struct st_buf *b);

static inline void
st_buf_putc(struct st_buf *b, char ch)
{
	if (b->len + 1 > b->cap)
		st_buf_reserve(b, 1);
	b->p[b->len++] = ch;
}

static inline void
st_buf_reset(struct st_buf *b)
{
	b->len = 0;
}

#endif
