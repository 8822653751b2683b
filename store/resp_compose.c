/*
 * resp_compose.c -- the reply composer (see resp_compose.h).
 *
 * Call chain: command handler -> st_reply_*() -> st_resp_*() -> st_buf.
 * Nothing here parses; nothing in the parser composes.
 */
#include "resp_compose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "util.h"

/* ---- wire primitives -------------------------------------------------- */

static inline void
put_crlf(struct st_buf *b)
{
	b->p[b->len++] = '\r';
	b->p[b->len++] = '\n';
}

void
st_resp_hdr(struct st_buf *b, char type, long long n)
{
	st_buf_reserve(b, 24);
	b->p[b->len++] = type;
	b->len += (size_t)st_ll2str(b->p + b->len, n);
	put_crlf(b);
}

void
st_resp_status(struct st_buf *b, const char *s, size_t len)
{
	st_buf_reserve(b, len + 3);
	b->p[b->len++] = '+';
	memcpy(b->p + b->len, s, len);
	b->len += len;
	put_crlf(b);
}

/* Error text may not contain newlines (Redis replaces them with spaces). */
void
st_resp_error(struct st_buf *b, const char *s, size_t len)
{
	size_t start;

	st_buf_reserve(b, len + 8);
	if (len == 0 || s[0] != '-') {
		memcpy(b->p + b->len, "-ERR ", 5);
		b->len += 5;
	}
	start = b->len;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	for (size_t i = start; i < b->len; i++)
		if (b->p[i] == '\r' || b->p[i] == '\n')
			b->p[i] = ' ';
	put_crlf(b);
}

void
st_resp_int(struct st_buf *b, long long v)
{
	st_resp_hdr(b, ':', v);
}

void
st_resp_bulk(struct st_buf *b, const char *p, size_t len)
{
	st_buf_reserve(b, len + 24);
	b->p[b->len++] = '$';
	b->len += (size_t)st_ll2str(b->p + b->len, (long long)len);
	put_crlf(b);
	memcpy(b->p + b->len, p, len);
	b->len += len;
	put_crlf(b);
}

void
st_resp_command(struct st_buf *b, int argc, const char *const *argv,
		const size_t *lens)
{
	st_resp_hdr(b, '*', argc);
	for (int i = 0; i < argc; i++)
		st_resp_bulk(b, argv[i], lens[i]);
}

/* ---- client replies ---------------------------------------------------- */

void
st_reply_status(struct st_client *c, const char *s)
{
	st_resp_status(&c->out, s, strlen(s));
}

void
st_reply_ok(struct st_client *c)
{
	st_buf_append(&c->out, "+OK\r\n", 5);
}

void
st_reply_error(struct st_client *c, const char *msg)
{
	st_resp_error(&c->out, msg, strlen(msg));
}

void
st_reply_errorf(struct st_client *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	st_resp_error(&c->out, buf, (size_t)n);
}

void
st_reply_int(struct st_client *c, long long v)
{
	st_resp_hdr(&c->out, ':', v);
}

void
st_reply_bulk(struct st_client *c, const char *p, size_t len)
{
	st_resp_bulk(&c->out, p, len);
}

void
st_reply_bulk_cstr(struct st_client *c, const char *s)
{
	st_resp_bulk(&c->out, s, strlen(s));
}

void
st_reply_bulk_ll(struct st_client *c, long long v)
{
	char buf[ST_NUMBUF];
	int n = st_ll2str(buf, v);

	st_resp_bulk(&c->out, buf, (size_t)n);
}

void
st_reply_null(struct st_client *c)
{
	if (c->resp >= 3)
		st_buf_append(&c->out, "_\r\n", 3);
	else
		st_buf_append(&c->out, "$-1\r\n", 5);
}

void
st_reply_null_array(struct st_client *c)
{
	if (c->resp >= 3)
		st_buf_append(&c->out, "_\r\n", 3);
	else
		st_buf_append(&c->out, "*-1\r\n", 5);
}

void
st_reply_array_len(struct st_client *c, long long n)
{
	st_resp_hdr(&c->out, '*', n);
}

void
st_reply_map_len(struct st_client *c, long long n)
{
	if (c->resp >= 3)
		st_resp_hdr(&c->out, '%', n);
	else
		st_resp_hdr(&c->out, '*', n * 2);
}

void
st_reply_set_len(struct st_client *c, long long n)
{
	st_resp_hdr(&c->out, c->resp >= 3 ? '~' : '*', n);
}

void
st_reply_push_len(struct st_client *c, long long n)
{
	st_resp_hdr(&c->out, c->resp >= 3 ? '>' : '*', n);
}

void
st_reply_double(struct st_client *c, double d)
{
	char buf[ST_NUMBUF];
	int n = st_d2str(buf, sizeof(buf), d);

	if (c->resp >= 3) {
		st_buf_reserve(&c->out, (size_t)n + 3);
		c->out.p[c->out.len++] = ',';
		memcpy(c->out.p + c->out.len, buf, (size_t)n);
		c->out.len += (size_t)n;
		put_crlf(&c->out);
	} else {
		st_resp_bulk(&c->out, buf, (size_t)n);
	}
}

void
st_reply_bool(struct st_client *c, int v)
{
	if (c->resp >= 3)
		st_buf_append(&c->out, v ? "#t\r\n" : "#f\r\n", 4);
	else
		st_buf_append(&c->out, v ? ":1\r\n" : ":0\r\n", 4);
}

void
st_reply_verbatim(struct st_client *c, const char *p, size_t len,
		  const char *ext)
{
	if (c->resp < 3) {
		st_resp_bulk(&c->out, p, len);
		return;
	}
	st_resp_hdr(&c->out, '=', (long long)len + 4);
	st_buf_append(&c->out, ext, 3);
	st_buf_putc(&c->out, ':');
	st_buf_append(&c->out, p, len);
	st_buf_append(&c->out, "\r\n", 2);
}

void
st_reply_proto(struct st_client *c, const char *p, size_t len)
{
	st_buf_append(&c->out, p, len);
}

/*
 * Deferred lengths: the handle indexes c->dfr, which remembers where the
 * header goes.  Setting one inserts the header there (memmove) and moves the
 * other pending positions behind it, so handles may be set in any order;
 * of two handles at the same position the older one is the outer aggregate
 * and its header goes first.
 */
size_t
st_reply_deferred_len(struct st_client *c)
{
	if (c->ndfr == c->dfr_cap) {
		c->dfr_cap = c->dfr_cap ? c->dfr_cap * 2 : 8;
		c->dfr = st_realloc(c->dfr, sizeof(*c->dfr) * (size_t)c->dfr_cap);
	}
	c->dfr[c->ndfr] = c->out.len;
	return (size_t)c->ndfr++;
}

static void
set_deferred(struct st_client *c, size_t handle, char type, long long n)
{
	char hdr[32];
	size_t off = c->dfr[handle];
	int hl, pending = 0;

	hdr[0] = type;
	hl = 1 + st_ll2str(hdr + 1, n);
	hdr[hl++] = '\r';
	hdr[hl++] = '\n';
	st_buf_reserve(&c->out, (size_t)hl);
	memmove(c->out.p + off + hl, c->out.p + off, c->out.len - off);
	memcpy(c->out.p + off, hdr, (size_t)hl);
	c->out.len += (size_t)hl;
	c->dfr[handle] = SIZE_MAX;
	for (int j = 0; j < c->ndfr; j++) {
		if (c->dfr[j] == SIZE_MAX)
			continue;
		pending++;
		if (c->dfr[j] > off || (c->dfr[j] == off && (size_t)j > handle))
			c->dfr[j] += (size_t)hl;
	}
	if (pending == 0)
		c->ndfr = 0;
}

void
st_reply_set_deferred_array_len(struct st_client *c, size_t handle, long long n)
{
	set_deferred(c, handle, '*', n);
}

void
st_reply_set_deferred_map_len(struct st_client *c, size_t handle, long long n)
{
	if (c->resp >= 3)
		set_deferred(c, handle, '%', n);
	else
		set_deferred(c, handle, '*', n * 2);
}

void
st_reply_set_deferred_set_len(struct st_client *c, size_t handle, long long n)
{
	set_deferred(c, handle, c->resp >= 3 ? '~' : '*', n);
}
