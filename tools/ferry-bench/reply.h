/*
 * reply.h -- a resumable RESP2 reply parser (the client side of the
 * protocol).
 *
 * store/resp_parse.h parses requests (multibulk and inline) and cannot read
 * replies (+status, -error, :integer, $bulk, *array), so ferry-bench has
 * this one, built the same way: it parses one whole reply at a time from a
 * contiguous window, consumes nothing on incomplete input (FB_REPLY_EUNFIN:
 * call again from the same start with more bytes), and returns slices of
 * the window (no copy).  A bulk whose header is complete but whose payload
 * is not costs O(1) to recheck, so a large value arriving in pieces is not
 * rescanned.
 *
 * Limits (a hostile or broken server cannot make the bench allocate or
 * recurse without bound): status/error lines up to 64 KiB, bulks up to
 * 512 MiB, arrays up to 1M elements and FB_REPLY_MAX_DEPTH levels.
 *
 * Concurrency: pure functions over the caller's buffer.
 */
#ifndef FB_REPLY_H
#define FB_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define FB_REPLY_MAX_DEPTH 8
#define FB_REPLY_MAX_LINE (64 * 1024)
#define FB_REPLY_MAX_BULK (512ll << 20)
#define FB_REPLY_MAX_ARRAY (1ll << 20)

enum fb_reply_type {
	FB_REPLY_STATUS,	/* +text */
	FB_REPLY_ERROR,		/* -text */
	FB_REPLY_INT,		/* :n */
	FB_REPLY_BULK,		/* $n payload */
	FB_REPLY_NIL,		/* $-1 */
	FB_REPLY_ARRAY,		/* *n elements (parse them with fb_reply_next) */
	FB_REPLY_NIL_ARRAY,	/* *-1 */
	FB_REPLY__COUNT
};

extern const char *const fb_reply_type_names[FB_REPLY__COUNT];

enum fb_reply_status {
	FB_REPLY_OK = 0,	/* one reply parsed, *consumed bytes */
	FB_REPLY_EUNFIN,	/* incomplete, nothing consumed */
	FB_REPLY_EPROTO,	/* not RESP2, or over a limit */
};

struct fb_reply {
	enum fb_reply_type type;
	long long integer;	/* INT; BULK and ARRAY: the length */
	const char *str;	/* STATUS / ERROR text, BULK payload */
	size_t len;
	const char *elems;	/* ARRAY: the first element */
	size_t elems_len;	/* bytes of all elements */
};

/* Parse one complete reply (arrays: with every element) from
 * buf[0..len). */
enum fb_reply_status fb_reply_parse(const char *buf, size_t len,
				    struct fb_reply *r, size_t *consumed);

/* Iterate an ARRAY's elements: *pos starts at 0; returns FB_REPLY_OK and
 * the next element, or FB_REPLY_EUNFIN when there is none left. */
enum fb_reply_status fb_reply_next(const struct fb_reply *array, size_t *pos,
				   struct fb_reply *elem);

#endif
