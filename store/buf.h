/*
 * buf.h -- a growable byte buffer (query buffers, reply buffers, scratch).
 *
 * Concurrency: none; a buffer belongs to one thread at a time.
 * Memory is accounted through st_malloc (alloc.h).
 */
#ifndef ST_BUF_H
#define ST_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct st_buf {
	char *p;
	size_t len;
	size_t cap;
	unsigned char ext;	/* p is borrowed memory (st_buf_borrow) */
};

void st_buf_init(struct st_buf *b);
void st_buf_free(struct st_buf *b);
/* Make room for 'extra' more bytes after len. */
void st_buf_reserve(struct st_buf *b, size_t extra);
void st_buf_append(struct st_buf *b, const void *p, size_t n);
/* Append printf-formatted text (no NUL kept), whatever its length. */
void st_buf_printf(struct st_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drop the first 'n' bytes (memmove); n <= len. */
void st_buf_consume(struct st_buf *b, size_t n);
/* Release memory if the buffer is large and (mostly) empty. */
void st_buf_shrink(struct st_buf *b);
/*
 * Compose into memory someone else owns (dataplane/resp_server.c lends
 * the free tail of a connection's TCP send queue, so replies are written
 * where they are sent from): b must be empty; its own storage is parked in
 * *save.  Appends then go into mem; one that does not fit moves the
 * contents onto b's own heap memory (st_malloc) and b stops borrowing.
 * st_buf_unborrow ends it: true when b was still in mem -- *n is then the
 * bytes written there and b has its own storage back, empty; false when
 * it moved (b keeps those bytes on its heap, *save is released, *n = 0).
 * Same thread as b's other users; mem must stay valid until unborrow.
 */
void st_buf_borrow(struct st_buf *b, void *mem, size_t cap,
		   struct st_buf *save);
bool st_buf_unborrow(struct st_buf *b, struct st_buf *save, size_t *n);

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
