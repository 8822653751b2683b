/*
 * reply.c -- the resumable RESP2 reply parser (see reply.h).
 *
 * Call chain: conn.c recv callback -> fb_reply_parse -> parse_value
 *   (recursive over array elements, bounded depth) -> parse_line.
 */
#include "reply.h"

#include <string.h>

const char *const fb_reply_type_names[FB_REPLY__COUNT] = {
	[FB_REPLY_STATUS] = "status",
	[FB_REPLY_ERROR] = "error",
	[FB_REPLY_INT] = "integer",
	[FB_REPLY_BULK] = "bulk",
	[FB_REPLY_NIL] = "nil",
	[FB_REPLY_ARRAY] = "array",
	[FB_REPLY_NIL_ARRAY] = "nil-array",
};

/* The line after the type byte: [buf+1, CR).  *end is past the LF. */
static enum fb_reply_status
parse_line(const char *buf, size_t len, size_t *line_len, size_t *end)
{
	size_t max = len < FB_REPLY_MAX_LINE + 3 ? len : FB_REPLY_MAX_LINE + 3;
	const char *cr = memchr(buf + 1, '\r', max - 1);

	if (cr == NULL)
		return len > FB_REPLY_MAX_LINE + 2 ? FB_REPLY_EPROTO :
			FB_REPLY_EUNFIN;
	if ((size_t)(cr - buf) + 1 >= len)
		return FB_REPLY_EUNFIN;
	if (cr[1] != '\n')
		return FB_REPLY_EPROTO;
	*line_len = (size_t)(cr - buf) - 1;
	*end = (size_t)(cr - buf) + 2;
	return FB_REPLY_OK;
}

static int
parse_ll(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (len == 0 || len > 20)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return -1;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > (unsigned long long)INT64_MAX + neg)
			return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

static enum fb_reply_status
parse_value(const char *buf, size_t len, struct fb_reply *r, size_t *consumed,
	    int depth)
{
	size_t ll, end;
	enum fb_reply_status st;

	if (len == 0)
		return FB_REPLY_EUNFIN;
	if (depth > FB_REPLY_MAX_DEPTH)
		return FB_REPLY_EPROTO;
	st = parse_line(buf, len, &ll, &end);
	if (st != FB_REPLY_OK)
		return st;
	r->str = buf + 1;
	r->len = ll;
	r->elems = NULL;
	r->elems_len = 0;
	switch (buf[0]) {
	case '+':
		r->type = FB_REPLY_STATUS;
		break;
	case '-':
		r->type = FB_REPLY_ERROR;
		break;
	case ':':
		r->type = FB_REPLY_INT;
		if (parse_ll(buf + 1, ll, &r->integer) < 0)
			return FB_REPLY_EPROTO;
		break;
	case '$':
		if (parse_ll(buf + 1, ll, &r->integer) < 0 ||
		    r->integer < -1 || r->integer > FB_REPLY_MAX_BULK)
			return FB_REPLY_EPROTO;
		if (r->integer == -1) {
			r->type = FB_REPLY_NIL;
			r->len = 0;
			break;
		}
		r->type = FB_REPLY_BULK;
		if (len - end < (size_t)r->integer + 2)
			return FB_REPLY_EUNFIN;
		if (buf[end + r->integer] != '\r' ||
		    buf[end + r->integer + 1] != '\n')
			return FB_REPLY_EPROTO;
		r->str = buf + end;
		r->len = (size_t)r->integer;
		end += (size_t)r->integer + 2;
		break;
	case '*':
		if (parse_ll(buf + 1, ll, &r->integer) < 0 ||
		    r->integer < -1 || r->integer > FB_REPLY_MAX_ARRAY)
			return FB_REPLY_EPROTO;
		if (r->integer == -1) {
			r->type = FB_REPLY_NIL_ARRAY;
			break;
		}
		r->type = FB_REPLY_ARRAY;
		r->elems = buf + end;
		for (long long i = 0; i < r->integer; i++) {
			struct fb_reply e;
			size_t used;

			st = parse_value(buf + end, len - end, &e, &used,
					 depth + 1);
			if (st != FB_REPLY_OK)
				return st;
			end += used;
		}
		r->elems_len = (size_t)(buf + end - r->elems);
		break;
	default:
		return FB_REPLY_EPROTO;
	}
	*consumed = end;
	return FB_REPLY_OK;
}

enum fb_reply_status
fb_reply_parse(const char *buf, size_t len, struct fb_reply *r,
	       size_t *consumed)
{
	*consumed = 0;
	return parse_value(buf, len, r, consumed, 0);
}

enum fb_reply_status
fb_reply_next(const struct fb_reply *array, size_t *pos, struct fb_reply *elem)
{
	size_t used;
	enum fb_reply_status st;

	if (array->type != FB_REPLY_ARRAY || *pos >= array->elems_len)
		return FB_REPLY_EUNFIN;
	st = parse_value(array->elems + *pos, array->elems_len - *pos, elem,
			 &used, 1);
	if (st == FB_REPLY_OK)
		*pos += used;
	return st;
}
